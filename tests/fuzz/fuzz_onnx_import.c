/* fuzz_onnx_import.c — libFuzzer target for the ONNX importer: any bytes either import (and
 * then print in every format and resolve their ops) or fail with a diagnostic that names the
 * model ("fuzz.onnx: ...") on one line. Never a crash, a leak or undefined behaviour.
 *
 * Built as a libFuzzer binary (fuzz_onnx_import, clang only, -fsanitize=fuzzer) and, with
 * fuzz_replay.c, as a plain program that replays the committed corpus and crash files under
 * ctest (and under ASan/UBSan in the sanitizer job). */
#include "onnx/onnx_import.h"
#include "ops/op.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = NULL;
  if (tcc_onnx_import_bytes(ctx, data, size, NULL, "fuzz.onnx", NULL, &g) == TCC_OK) {
    if (tcc_error_count(ctx) != 0) abort(); /* success must not leave errors behind */
    FILE *null = fopen("/dev/null", "w");
    if (null) {
      tcc_graph_print(null, g, TCC_FMT_TEXT);
      tcc_graph_print(null, g, TCC_FMT_JSON);
      tcc_graph_print(null, g, TCC_FMT_DOT);
      fclose(null);
    }
    if (tcc_graph_resolve_ops(ctx, g) == TCC_OK && getenv("TCC_FUZZ_INFER"))
      (void)tcc_graph_infer(ctx, g);
  } else {
    const char *e = tcc_error_text(ctx);
    if (strncmp(e, "fuzz.onnx: ", 11) != 0) {
      fprintf(stderr, "diagnostic does not name the model: '%s'\n", e);
      abort();
    }
  }
  tcc_context_destroy(ctx);
  return 0;
}
