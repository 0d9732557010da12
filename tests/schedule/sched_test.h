/* sched_test.h — helpers shared by the schedule tests: tensor builders, seeded random fills,
 * lowering + interpreting a schedule, comparison against a plain C reference. */
#ifndef TCC_SCHED_TEST_H
#define TCC_SCHED_TEST_H

#include "interp.h"
#include "schedule.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const tcc_expr *I(tcc_context *ctx, int64_t v) { return tcc_idx(ctx, v); }
static inline const tcc_expr *V(tcc_context *ctx, const tcc_itervar *iv) {
  return tcc_expr_var(ctx, iv->var);
}

static inline tcc_tensor *ph(tcc_context *ctx, const char *name, tccrt_dtype dt, int ndim,
                             const int64_t *dims) {
  const tcc_expr *sh[8];
  for (int i = 0; i < ndim; i++)
    sh[i] = tcc_idx(ctx, dims[i]);
  return tcc_placeholder(ctx, name, dt, ndim, sh);
}

static inline void fill_f32(float *p, size_t n, double lo, double hi) {
  for (size_t i = 0; i < n; i++)
    p[i] = (float)tcc_test_uniform(lo, hi);
}
static inline void fill_i32(int32_t *p, size_t n, int64_t lo, int64_t hi) {
  for (size_t i = 0; i < n; i++)
    p[i] = (int32_t)tcc_test_randint(lo, hi);
}

/* Plain C reference of C[M,N] = A[M,K] x B[K,N] (row-major float32, summed in k order). */
static inline void ref_matmul_f32(const float *a, const float *b, float *c, int64_t M, int64_t N,
                                  int64_t K) {
  for (int64_t i = 0; i < M; i++)
    for (int64_t j = 0; j < N; j++) {
      float acc = 0;
      for (int64_t q = 0; q < K; q++)
        acc += a[i * K + q] * b[q * N + j];
      c[i * N + j] = acc;
    }
}

/* Test data of a float32 matmul: *a [M,K] and *b [K,N] uniform in [-1, 1) from the test seed,
 * *c [M,N] for the result, *ref [M,N] = ref_matmul_f32(a, b). Every buffer is malloc'd. */
static inline void matmul_data_f32(int64_t M, int64_t N, int64_t K, float **a, float **b, float **c,
                                   float **ref) {
  size_t na = (size_t)(M * K), nb = (size_t)(K * N), nc = (size_t)(M * N);
  *a = malloc(na * 4);
  *b = malloc(nb * 4);
  *c = malloc(nc * 4);
  *ref = malloc(nc * 4);
  fill_f32(*a, na, -1, 1);
  fill_f32(*b, nb, -1, 1);
  ref_matmul_f32(*a, *b, *ref, M, N, K);
}

/* Lowers and runs; returns false (and records a failed check) on an error. */
static inline bool lower_run(tcc_context *ctx, tcc_schedule *s, const char *what, int nargs,
                             const tcc_tensor *const *args, void **bufs, tcc_primfunc **fn_out) {
  tcc_primfunc *fn = NULL;
  tcc_status st = tcc_lower(ctx, s, what, nargs, args, &fn);
  CHECK_MSG(st == TCC_OK, "%s: lower failed: %s", what, tcc_error_text(ctx));
  if (st != TCC_OK) return false;
  if (fn_out) *fn_out = fn;
  st = tcc_interp_run(ctx, fn, bufs, NULL);
  CHECK_MSG(st == TCC_OK, "%s: interp failed: %s", what, tcc_error_text(ctx));
  if (st != TCC_OK) {
    tcc_primfunc_print(stderr, fn);
    return false;
  }
  return true;
}

static inline int cmp_f32(const char *what, const float *got, const float *want, size_t n,
                          double rtol) {
  int bad = 0;
  for (size_t i = 0; i < n; i++)
    if (!tcc_test_close(got[i], want[i], rtol, 1e-6)) {
      if (bad < 5) fprintf(stderr, "%s: [%zu] got %.9g want %.9g\n", what, i, got[i], want[i]);
      bad++;
    }
  CHECK_MSG(bad == 0, "%s: %d of %zu elements differ", what, bad, n);
  return bad;
}

static inline int cmp_i32(const char *what, const int32_t *got, const int32_t *want, size_t n) {
  int bad = 0;
  for (size_t i = 0; i < n; i++)
    if (got[i] != want[i]) {
      if (bad < 5) fprintf(stderr, "%s: [%zu] got %d want %d\n", what, i, got[i], want[i]);
      bad++;
    }
  CHECK_MSG(bad == 0, "%s: %d of %zu elements differ", what, bad, n);
  return bad;
}

/* CHECK that a primitive failed with a message containing `needle`. */
#define CHECK_REFUSED(ctx, call, needle)                                                           \
  do {                                                                                             \
    tcc_error_clear(ctx);                                                                          \
    tcc_status st_ = (call);                                                                       \
    CHECK_MSG(st_ == TCC_ERR, "%s was accepted", #call);                                           \
    CHECK_MSG(strstr(tcc_error_text(ctx), needle) != NULL, "%s: message '%s' lacks '%s'", #call,   \
              tcc_error_text(ctx), needle);                                                        \
    tcc_error_clear(ctx);                                                                          \
  } while (0)

#endif
