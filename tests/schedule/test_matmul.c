/* test_matmul.c — C[i, j] = sum_k A[i, k] * B[k, j] (float32 and int32) under many schedules,
 * lowered and interpreted, against a plain C reference. Odd sizes, seeded random inputs. */
#include "sched_test.h"

typedef struct mm {
  tcc_tensor *A, *B, *C;
} mm;

static mm build(tcc_context *ctx, int64_t M, int64_t N, int64_t K, tccrt_dtype dt) {
  mm r;
  int64_t da[2] = {M, K}, db[2] = {K, N};
  r.A = ph(ctx, "A", dt, 2, da);
  r.B = ph(ctx, "B", dt, 2, db);
  const tcc_expr *sc[2] = {I(ctx, M), I(ctx, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *ia[2] = {V(ctx, ax[0]), V(ctx, k)}, *ib[2] = {V(ctx, k), V(ctx, ax[1])};
  const tcc_expr *body =
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, r.A, ia), tcc_read(ctx, r.B, ib)), 1, &k, NULL);
  r.C = tcc_compute(ctx, "C", 2, sc, ax, body, "dense");
  return r;
}

typedef tcc_status (*sched_fn)(tcc_context *, tcc_stage *);

static tcc_status s_default(tcc_context *ctx, tcc_stage *st) {
  (void)ctx;
  (void)st;
  return TCC_OK;
}
static tcc_status s_tiled(tcc_context *ctx, tcc_stage *st) {
  tcc_axis *io, *jo, *ii, *ji;
  return tcc_tile(ctx, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 4, 4, TCC_TAIL_GUARD, &io,
                  &jo, &ii, &ji);
}
static tcc_status s_nondividing(tcc_context *ctx, tcc_stage *st) {
  tcc_axis *io, *ii, *ko, *ki;
  TCC_TRY(tcc_split(ctx, st, tcc_stage_axis(st, 0), 5, TCC_TAIL_AUTO, &io, &ii));
  TCC_TRY(tcc_split(ctx, st, tcc_stage_reduce_axis(st, 0), 4, TCC_TAIL_GUARD, &ko, &ki));
  tcc_axis *jo, *ji;
  return tcc_split_nparts(ctx, st, tcc_stage_axis(st, 1), 3, TCC_TAIL_GUARD, &jo, &ji);
}
static tcc_status s_reordered(tcc_context *ctx, tcc_stage *st) {
  tcc_axis *o[3] = {tcc_stage_reduce_axis(st, 0), tcc_stage_axis(st, 1), tcc_stage_axis(st, 0)};
  return tcc_reorder(ctx, st, 3, o);
}
static tcc_status s_vectorized(tcc_context *ctx, tcc_stage *st) {
  tcc_axis *jo, *ji;
  TCC_TRY(tcc_split(ctx, st, tcc_stage_axis(st, 1), 8, TCC_TAIL_GUARD, &jo, &ji));
  tcc_axis *o[2] = {tcc_stage_reduce_axis(st, 0), ji};
  TCC_TRY(tcc_reorder(ctx, st, 2, o));
  return tcc_vectorize(ctx, st, ji);
}
static tcc_status s_unrolled(tcc_context *ctx, tcc_stage *st) {
  tcc_axis *ko, *ki;
  TCC_TRY(tcc_split(ctx, st, tcc_stage_reduce_axis(st, 0), 3, TCC_TAIL_GUARD, &ko, &ki));
  return tcc_unroll(ctx, st, ki);
}
static tcc_status s_parallel(tcc_context *ctx, tcc_stage *st) {
  tcc_axis *f;
  TCC_TRY(tcc_fuse(ctx, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), &f));
  return tcc_parallel(ctx, st, f);
}
static tcc_status s_all(tcc_context *ctx, tcc_stage *st) {
  tcc_axis *io, *jo, *ii, *ji, *ko, *ki;
  TCC_TRY(tcc_tile(ctx, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 3, 8, TCC_TAIL_GUARD, &io,
                   &jo, &ii, &ji));
  TCC_TRY(tcc_split(ctx, st, tcc_stage_reduce_axis(st, 0), 2, TCC_TAIL_GUARD, &ko, &ki));
  tcc_axis *o[6] = {io, jo, ko, ii, ki, ji};
  TCC_TRY(tcc_reorder(ctx, st, 6, o));
  TCC_TRY(tcc_unroll(ctx, st, ki));
  TCC_TRY(tcc_vectorize(ctx, st, ji));
  tcc_axis *f;
  TCC_TRY(tcc_fuse(ctx, st, io, jo, &f));
  return tcc_parallel(ctx, st, f);
}
/* placeholder entry: the runners call tcc_schedule_auto_cpu for it */
static tcc_status s_auto(tcc_context *ctx, tcc_stage *st) {
  (void)ctx;
  (void)st;
  return TCC_OK;
}

static const struct {
  const char *name;
  sched_fn fn;
} schedules[] = {{"default", s_default},
                 {"tiled", s_tiled},
                 {"nondividing", s_nondividing},
                 {"reordered", s_reordered},
                 {"vectorized", s_vectorized},
                 {"unrolled", s_unrolled},
                 {"parallel", s_parallel},
                 {"all", s_all},
                 {"auto", s_auto}};

static void run_f32(int64_t M, int64_t N, int64_t K) {
  size_t nc = (size_t)(M * N);
  float *a, *b, *c, *ref;
  matmul_data_f32(M, N, K, &a, &b, &c, &ref);
  for (size_t s = 0; s < TCC_ARRAY_SIZE(schedules); s++) {
    tcc_context *ctx = tcc_context_create();
    mm m = build(ctx, M, N, K, TCCRT_FLOAT32);
    const tcc_tensor *outs[1] = {m.C};
    tcc_schedule *sch = tcc_schedule_create(ctx, 1, outs);
    tcc_stage *st = tcc_schedule_stage(sch, m.C);
    tcc_status ok =
        schedules[s].fn == s_auto ? tcc_schedule_auto_cpu(ctx, sch, m.C) : schedules[s].fn(ctx, st);
    CHECK_MSG(ok == TCC_OK, "matmul %s: schedule refused: %s", schedules[s].name,
              tcc_error_text(ctx));
    const tcc_tensor *args[3] = {m.A, m.B, m.C};
    void *bufs[3] = {a, b, c};
    memset(c, 0, nc * 4);
    char what[128];
    snprintf(what, sizeof what, "matmul_f32_%s_%lldx%lldx%lld", schedules[s].name, (long long)M,
             (long long)N, (long long)K);
    if (ok == TCC_OK && lower_run(ctx, sch, what, 3, args, bufs, NULL))
      cmp_f32(what, c, ref, nc, 1e-5);
    tcc_context_destroy(ctx);
  }
  free(a);
  free(b);
  free(c);
  free(ref);
}

static void run_i32(int64_t M, int64_t N, int64_t K) {
  size_t na = (size_t)(M * K), nb = (size_t)(K * N), nc = (size_t)(M * N);
  int32_t *a = malloc(na * 4), *b = malloc(nb * 4), *c = malloc(nc * 4), *ref = malloc(nc * 4);
  fill_i32(a, na, -100, 100);
  fill_i32(b, nb, -100, 100);
  for (int64_t i = 0; i < M; i++)
    for (int64_t j = 0; j < N; j++) {
      int32_t acc = 0;
      for (int64_t k = 0; k < K; k++)
        acc += a[i * K + k] * b[k * N + j];
      ref[i * N + j] = acc;
    }
  for (size_t s = 0; s < TCC_ARRAY_SIZE(schedules); s++) {
    tcc_context *ctx = tcc_context_create();
    mm m = build(ctx, M, N, K, TCCRT_INT32);
    const tcc_tensor *outs[1] = {m.C};
    tcc_schedule *sch = tcc_schedule_create(ctx, 1, outs);
    tcc_status ok = schedules[s].fn == s_auto ? tcc_schedule_auto_cpu(ctx, sch, m.C)
                                              : schedules[s].fn(ctx, tcc_schedule_stage(sch, m.C));
    CHECK_MSG(ok == TCC_OK, "matmul i32 %s: %s", schedules[s].name, tcc_error_text(ctx));
    const tcc_tensor *args[3] = {m.A, m.B, m.C};
    void *bufs[3] = {a, b, c};
    memset(c, 0, nc * 4);
    char what[128];
    snprintf(what, sizeof what, "matmul_i32_%s", schedules[s].name);
    if (ok == TCC_OK && lower_run(ctx, sch, what, 3, args, bufs, NULL)) cmp_i32(what, c, ref, nc);
    tcc_context_destroy(ctx);
  }
  free(a);
  free(b);
  free(c);
  free(ref);
}

int main(void) {
  tcc_test_seed("test_matmul");
  run_f32(13, 19, 7);
  run_f32(tcc_test_randint(1, 17), tcc_test_randint(1, 23), tcc_test_randint(1, 11));
  run_i32(11, 17, 9);
  return tcc_test_finish("test_matmul");
}
