/* jit_model.h — a test's compiled model: a graph compiled by the AOT driver (tcc_aot_compile),
 * loaded into the JIT and run through NAME_run_with_workspace with a workspace the test owns, so
 * that releasing it frees everything (NAME_run's workspace pool would outlive the unloaded model,
 * a leak under LeakSanitizer). Header-only; the test links tcc_codegen. */
#ifndef TCC_TEST_JIT_MODEL_H
#define TCC_TEST_JIT_MODEL_H

#include "aot/aot.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

typedef struct jit_model {
  tcc_aot_model *m;
  tcc_aot_jit *j;
  tcc_aot_run_ws_fn run;
  void *ws; /* tcc_aot_workspace_size(m) bytes, 64-byte aligned */
  const tccrt_model_info *info;
} jit_model;

/* Compiles g with options o and loads it; a failure is a failed check naming `what`. */
static inline bool jit_model_load(tcc_context *ctx, tcc_graph *g, const tcc_aot_options *o,
                                  const char *what, jit_model *md) {
  memset(md, 0, sizeof *md);
  tcc_status st = tcc_aot_compile(ctx, g, o, &md->m);
  CHECK_MSG(st == TCC_OK, "%s: %s", what, tcc_error_text(ctx));
  if (st != TCC_OK) return false;
  tcc_aot_run_fn run;
  st = tcc_aot_jit_load(md->m, &md->j, &run, &md->info);
  if (st == TCC_OK) st = tcc_aot_jit_run_with_workspace(md->j, md->m, &md->run);
  CHECK_MSG(st == TCC_OK, "%s: %s", what, tcc_error_text(ctx));
  size_t wsz = (tcc_aot_workspace_size(md->m) + 63) / 64 * 64;
  if (st == TCC_OK && wsz) md->ws = aligned_alloc(64, wsz);
  if (st != TCC_OK) {
    tcc_aot_jit_destroy(md->j);
    tcc_aot_model_destroy(md->m);
    memset(md, 0, sizeof *md);
  }
  return st == TCC_OK;
}

static inline int jit_model_run(const jit_model *md, const void *const *in, void *const *out) {
  return md->run(in, out, md->ws);
}

static inline void jit_model_release(jit_model *md) {
  free(md->ws);
  tcc_aot_jit_destroy(md->j);
  tcc_aot_model_destroy(md->m);
  memset(md, 0, sizeof *md);
}

/* Runs md on `in` into y (its one float output). err NULL: the run must succeed and y equal want
 * (n floats, exactly); otherwise it must fail with exactly the message err. */
static inline void jit_model_expect(const jit_model *md, const char *what, const void *const *in,
                                    float *y, const float *want, int64_t n, const char *err) {
  void *out[1] = {y};
  tccrt_set_error(0, "%s", "");
  int rc = jit_model_run(md, in, out);
  if (err) {
    CHECK_MSG(rc != 0 && !strcmp(tccrt_last_error(), err), "%s: rc %d, message '%s', expected '%s'",
              what, rc, tccrt_last_error(), err);
    return;
  }
  CHECK_MSG(rc == 0, "%s: rc %d: %s", what, rc, tccrt_last_error());
  for (int64_t i = 0; i < n && rc == 0; i++)
    CHECK_MSG(y[i] == want[i], "%s: y[%lld] = %g, expected %g", what, (long long)i, y[i], want[i]);
}

#endif
