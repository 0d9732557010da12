/* test_reduce.c — reductions beyond sum: a custom combiner (sum of squares, acc = x + y*y with
 * identity 0), a conditional reduction (only even k), prod and min over two reduction axes,
 * NaN propagation of the MIN combiner — each under several schedules, against C references. */
#include "sched_test.h"

enum { M = 7, K = 13, L = 3 };

typedef tcc_status (*rs)(tcc_context *, tcc_schedule *, tcc_stage *);
static tcc_status r_default(tcc_context *ctx, tcc_schedule *s, tcc_stage *st) {
  (void)ctx, (void)s, (void)st;
  return TCC_OK;
}
static tcc_status r_split_k(tcc_context *ctx, tcc_schedule *s, tcc_stage *st) {
  (void)s;
  tcc_axis *o, *i;
  TCC_TRY(tcc_split(ctx, st, tcc_stage_reduce_axis(st, 0), 4, TCC_TAIL_GUARD, &o, &i));
  TCC_TRY(tcc_unroll(ctx, st, i));
  return tcc_parallel(ctx, st, tcc_stage_axis(st, 0));
}
static tcc_status r_reorder(tcc_context *ctx, tcc_schedule *s, tcc_stage *st) {
  (void)s;
  tcc_axis *o, *i;
  TCC_TRY(tcc_split(ctx, st, tcc_stage_axis(st, 0), 3, TCC_TAIL_GUARD, &o, &i));
  tcc_axis *ord[2] = {tcc_stage_reduce_axis(st, 0), i};
  TCC_TRY(tcc_reorder(ctx, st, 2, ord));
  return tcc_vectorize(ctx, st, i);
}
static tcc_status r_auto(tcc_context *ctx, tcc_schedule *s, tcc_stage *st) {
  return tcc_schedule_auto_cpu(ctx, s, tcc_stage_tensor(st));
}
static const struct {
  const char *name;
  rs fn;
} scheds[] = {
    {"default", r_default}, {"split_k", r_split_k}, {"reorder_vec", r_reorder}, {"auto", r_auto}};

static void run(const char *what, tcc_context *ctx, tcc_tensor *X, tcc_tensor *Y, const float *x,
                const float *ref, int ny, int sched) {
  const tcc_tensor *outs[1] = {Y};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_status ok = scheds[sched].fn(ctx, s, tcc_schedule_stage(s, Y));
  CHECK_MSG(ok == TCC_OK, "%s %s: %s", what, scheds[sched].name, tcc_error_text(ctx));
  float y[64];
  memset(y, 0, sizeof y);
  const tcc_tensor *args[2] = {X, Y};
  void *bufs[2] = {(void *)x, y};
  char name[96];
  snprintf(name, sizeof name, "%s_%s", what, scheds[sched].name);
  if (ok == TCC_OK && lower_run(ctx, s, name, 2, args, bufs, NULL))
    cmp_f32(name, y, ref, (size_t)ny, 1e-5);
}

int main(void) {
  tcc_test_seed("test_reduce");
  float x[M * K * L];
  fill_f32(x, M * K * L, -2, 2);
  x[3 * K * L + 5] = NAN; /* row 3 of the min reduction sees a NaN */
  tcc_type f = tcc_scalar(TCCRT_FLOAT32);
  for (int sched = 0; sched < (int)TCC_ARRAY_SIZE(scheds); sched++) {
    /* sum of squares through a custom combiner, over k, of X viewed as [M, K*L] */
    {
      tcc_context *ctx = tcc_context_create();
      int64_t dx[2] = {M, K * L};
      tcc_tensor *X = ph(ctx, "X", TCCRT_FLOAT32, 2, dx);
      const tcc_expr *sy[1] = {I(ctx, M)};
      const tcc_itervar *const *ax = tcc_compute_axes(ctx, 1, sy, NULL);
      const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K * L));
      tcc_var *a = tcc_var_new(ctx, "acc", f), *b = tcc_var_new(ctx, "v", f);
      const tcc_expr *ae = tcc_expr_var(ctx, a), *be = tcc_expr_var(ctx, b);
      const tcc_combiner *comb = tcc_combiner_custom(
          ctx, f, a, b, tcc_add(ctx, ae, tcc_mul(ctx, be, be)), tcc_float(ctx, f, 0));
      const tcc_expr *xi[2] = {V(ctx, ax[0]), V(ctx, k)};
      tcc_tensor *Y = tcc_compute(ctx, "Y", 1, sy, ax,
                                  tcc_reduce(ctx, comb, tcc_read(ctx, X, xi), 1, &k, NULL), NULL);
      float ref[M];
      for (int i = 0; i < M; i++) {
        float acc = 0;
        for (int j = 0; j < K * L; j++)
          acc = acc + x[i * K * L + j] * x[i * K * L + j];
        ref[i] = acc;
      }
      CHECK(isnan(ref[3]));
      run("sumsq", ctx, X, Y, x, ref, M, sched);
      tcc_context_destroy(ctx);
    }
    /* conditional sum: only even k */
    {
      tcc_context *ctx = tcc_context_create();
      int64_t dx[2] = {M, K * L};
      tcc_tensor *X = ph(ctx, "X", TCCRT_FLOAT32, 2, dx);
      const tcc_expr *sy[1] = {I(ctx, M)};
      const tcc_itervar *const *ax = tcc_compute_axes(ctx, 1, sy, NULL);
      const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K * L));
      const tcc_expr *xi[2] = {V(ctx, ax[0]), V(ctx, k)};
      const tcc_expr *even = tcc_eq(ctx, tcc_floormod(ctx, V(ctx, k), I(ctx, 2)), I(ctx, 0));
      tcc_tensor *Y =
          tcc_compute(ctx, "Y", 1, sy, ax, tcc_sum(ctx, tcc_read(ctx, X, xi), 1, &k, even), NULL);
      float ref[M];
      for (int i = 0; i < M; i++) {
        float acc = 0;
        for (int j = 0; j < K * L; j += 2)
          acc += x[i * K * L + j];
        ref[i] = acc;
      }
      run("cond_sum", ctx, X, Y, x, ref, M, sched);
      tcc_context_destroy(ctx);
    }
    /* min and prod over two reduction axes of X[M, K, L] (min propagates the NaN of row 3) */
    for (int which = 0; which < 2; which++) {
      tcc_context *ctx = tcc_context_create();
      int64_t dx[3] = {M, K, L};
      tcc_tensor *X = ph(ctx, "X", TCCRT_FLOAT32, 3, dx);
      const tcc_expr *sy[1] = {I(ctx, M)};
      const tcc_itervar *const *ax = tcc_compute_axes(ctx, 1, sy, NULL);
      const tcc_itervar *rk = tcc_reduce_axis(ctx, "rk", I(ctx, 0), I(ctx, K));
      const tcc_itervar *rl = tcc_reduce_axis(ctx, "rl", I(ctx, 0), I(ctx, L));
      const tcc_itervar *rax[2] = {rk, rl};
      const tcc_expr *xi[3] = {V(ctx, ax[0]), V(ctx, rk), V(ctx, rl)};
      const tcc_expr *src = tcc_read(ctx, X, xi);
      const tcc_expr *body =
          which == 0 ? tcc_reduce_min(ctx, src, 2, rax, NULL)
                     : tcc_reduce_prod(ctx,
                                       tcc_add(ctx, tcc_mul(ctx, src, tcc_float(ctx, f, 0.1)),
                                               tcc_float(ctx, f, 1)),
                                       2, rax, NULL);
      tcc_tensor *Y = tcc_compute(ctx, "Y", 1, sy, ax, body, NULL);
      float ref[M];
      for (int i = 0; i < M; i++) {
        float acc = which == 0 ? INFINITY : 1.0f;
        for (int j = 0; j < K * L; j++) {
          float v = x[i * K * L + j];
          if (which == 0)
            acc = (isnan(acc) || isnan(v)) ? NAN : (v < acc ? v : acc);
          else
            acc *= v * 0.1f + 1.0f;
        }
        ref[i] = acc;
      }
      if (which == 0) CHECK(isnan(ref[3]));
      run(which == 0 ? "min2" : "prod2", ctx, X, Y, x, ref, M, sched);
      tcc_context_destroy(ctx);
    }
  }
  return tcc_test_finish("test_reduce");
}
