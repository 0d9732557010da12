/* input_shape.c — parsing of --input-shape NAME=DIMS (see onnx_import.h). */
#include "onnx_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

tcc_status tcc_parse_input_shape(tcc_context *ctx, const char *spec, tcc_input_shape *out) {
  memset(out, 0, sizeof *out);
  const char *eq = spec ? strrchr(spec, '=') : NULL;
  if (!eq || eq == spec)
    return tcc_error(ctx,
                     "--input-shape '%s': expected NAME=DIMS, e.g. input=1x3x224x224 (NAME= for "
                     "a scalar)",
                     spec ? spec : "");
  out->name = tcc_arena_strndup(tcc_ctx_arena(ctx), spec, (size_t)(eq - spec));
  const char *p = eq + 1;
  if (!*p) return TCC_OK; /* rank 0 */
  for (;;) {
    if (out->ndim == TCCRT_MAX_RANK)
      return tcc_error(ctx, "--input-shape '%s': more than %d dims", spec, TCCRT_MAX_RANK);
    if (*p < '0' || *p > '9')
      return tcc_error(ctx,
                       "--input-shape '%s': expected a non-negative integer dim at '%s' (dims "
                       "are separated by 'x', e.g. 1x3x224x224)",
                       spec, p);
    char *end;
    errno = 0;
    long long d = strtoll(p, &end, 10);
    if (errno == ERANGE)
      return tcc_error(ctx, "--input-shape '%s': dim at '%s' overflows int64", spec, p);
    out->dims[out->ndim++] = d;
    p = end;
    if (!*p) return TCC_OK;
    if (*p != 'x' && *p != 'X' && *p != ',')
      return tcc_error(ctx, "--input-shape '%s': unexpected '%c' (dims are separated by 'x')", spec,
                       *p);
    p++;
  }
}
