/* input_shape.c — parsing of --input-shape NAME=DIMS (see onnx_import.h): a tensor's dims
 * (1x3x224x224, or "" for a scalar), a sequence's structure ([2x3,4], [], [(),()] with scalar
 * elements, [[2],[]] nested) or an absent optional (none). */
#include "onnx_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 16

/* Parses dims "2x3x4" at *pp up to a character that is not a digit or a separator in `seps`;
 * an empty run is rank 0. */
static tcc_status parse_dims(tcc_context *ctx, const char *spec, const char **pp, const char *seps,
                             tcc_input_shape *out) {
  const char *p = *pp;
  out->kind = TCC_SHAPE_TENSOR;
  out->ndim = 0;
  if (!*p || !(*p >= '0' && *p <= '9')) {
    if (*p && !strchr("],", *p))
      return tcc_error(ctx,
                       "--input-shape '%s': expected a non-negative integer dim at '%s' (dims "
                       "are separated by 'x', e.g. 1x3x224x224)",
                       spec, p);
    *pp = p;
    return TCC_OK; /* rank 0 */
  }
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
    if (!*p || !strchr(seps, *p)) break;
    p++;
  }
  *pp = p;
  return TCC_OK;
}

/* One element of a sequence (or the whole binding): "[...]", "()", "none" or dims. */
static tcc_status parse_elem(tcc_context *ctx, const char *spec, const char **pp, int depth,
                             tcc_input_shape *out) {
  const char *p = *pp;
  if (*p == '(') {
    if (p[1] != ')')
      return tcc_error(ctx, "--input-shape '%s': expected '()' (a scalar element) at '%s'", spec,
                       p);
    out->kind = TCC_SHAPE_TENSOR;
    out->ndim = 0;
    *pp = p + 2;
    return TCC_OK;
  }
  if (!strncmp(p, "none", 4)) { /* an absent optional element */
    out->kind = TCC_SHAPE_NONE;
    *pp = p + 4;
    return TCC_OK;
  }
  if (*p != '[') return parse_dims(ctx, spec, pp, "xX", out);
  if (depth >= MAX_NESTING)
    return tcc_error(ctx, "--input-shape '%s': sequences nested deeper than %d levels", spec,
                     MAX_NESTING);
  out->kind = TCC_SHAPE_SEQUENCE;
  p++;
  tcc_vec elems;
  tcc_vec_init(&elems, sizeof(tcc_input_shape));
  if (*p != ']') {
    for (;;) {
      tcc_input_shape e;
      memset(&e, 0, sizeof e);
      TCC_TRY(parse_elem(ctx, spec, &p, depth + 1, &e));
      tcc_vec_push(tcc_ctx_arena(ctx), &elems, &e);
      if (*p == ',') {
        p++;
        continue;
      }
      if (*p == ']') break;
      return tcc_error(ctx,
                       "--input-shape '%s': expected ',' or ']' at '%s' (a sequence is "
                       "[SHAPE,SHAPE,...], e.g. [2x3,4])",
                       spec, *p ? p : "the end");
    }
  }
  out->nelems = (int)elems.len;
  out->elems = elems.data;
  *pp = p + 1;
  return TCC_OK;
}

tcc_status tcc_parse_input_shape(tcc_context *ctx, const char *spec, tcc_input_shape *out) {
  memset(out, 0, sizeof *out);
  const char *eq = spec ? strrchr(spec, '=') : NULL; /* values hold no '=' */
  if (!eq || eq == spec)
    return tcc_error(ctx,
                     "--input-shape '%s': expected NAME=DIMS, e.g. input=1x3x224x224 (NAME= for "
                     "a scalar, NAME=[2x3,4] for a sequence, NAME=none for an absent optional)",
                     spec ? spec : "");
  out->name = tcc_arena_strndup(tcc_ctx_arena(ctx), spec, (size_t)(eq - spec));
  const char *p = eq + 1;
  if (!strcmp(p, "none")) {
    out->kind = TCC_SHAPE_NONE;
    return TCC_OK;
  }
  if (*p == '[' || *p == '(') {
    TCC_TRY(parse_elem(ctx, spec, &p, 0, out));
  } else {
    TCC_TRY(parse_dims(ctx, spec, &p, "xX,", out));
  }
  if (*p)
    return tcc_error(ctx, "--input-shape '%s': unexpected '%c' (dims are separated by 'x')", spec,
                     *p);
  return TCC_OK;
}
