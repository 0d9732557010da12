/* test_gpu.c — GPU-bound schedules (issue 5 groundwork): loops bound to blockIdx/threadIdx are
 * lowered to a host function that launches device functions; the interpreter runs the grid and
 * the results match the C reference. Matmul (2-D grid and block, non-dividing tiles), an
 * elementwise kernel over a symbolic length, and a two-kernel pipeline through a workspace. */
#include "sched_test.h"

static void matmul(int64_t M, int64_t N, int64_t K) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[2] = {M, K}, db[2] = {K, N};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da), *B = ph(ctx, "B", TCCRT_FLOAT32, 2, db);
  const tcc_expr *sc[2] = {I(ctx, M), I(ctx, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *ia[2] = {V(ctx, ax[0]), V(ctx, k)}, *ib[2] = {V(ctx, k), V(ctx, ax[1])};
  tcc_tensor *C = tcc_compute(
      ctx, "C", 2, sc, ax,
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, A, ia), tcc_read(ctx, B, ib)), 1, &k, NULL), NULL);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, C);
  tcc_axis *io, *jo, *ii, *ji;
  CHECK(tcc_tile(ctx, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 4, 8, TCC_TAIL_GUARD, &io,
                 &jo, &ii, &ji) == TCC_OK);
  CHECK(tcc_bind(ctx, st, io, TCC_FOR_BLOCK_Y) == TCC_OK);
  CHECK(tcc_bind(ctx, st, jo, TCC_FOR_BLOCK_X) == TCC_OK);
  CHECK(tcc_bind(ctx, st, ii, TCC_FOR_THREAD_Y) == TCC_OK);
  CHECK(tcc_bind(ctx, st, ji, TCC_FOR_THREAD_X) == TCC_OK);
  CHECK_REFUSED(ctx, tcc_bind(ctx, st, tcc_stage_reduce_axis(st, 0), TCC_FOR_THREAD_Z),
                "reduction axis");
  size_t nc = (size_t)(M * N);
  float *a, *b, *c, *ref;
  matmul_data_f32(M, N, K, &a, &b, &c, &ref);
  const tcc_tensor *args[3] = {A, B, C};
  void *bufs[3] = {a, b, c};
  tcc_primfunc *fn = NULL;
  if (lower_run(ctx, s, "gpu_matmul", 3, args, bufs, &fn)) {
    cmp_f32("gpu_matmul", c, ref, nc, 1e-5);
    CHECK(fn->body->kind == TCC_S_LAUNCH);
    const tcc_primfunc *dev = fn->body->u.launch.func;
    int64_t g;
    CHECK(dev->is_device);
    CHECK(tcc_expr_is_int_imm(dev->grid[0], &g) && g == (N + 7) / 8);
    CHECK(tcc_expr_is_int_imm(dev->grid[1], &g) && g == (M + 3) / 4);
    CHECK(tcc_expr_is_int_imm(dev->block[0], &g) && g == 8);
    CHECK(tcc_expr_is_int_imm(dev->block[1], &g) && g == 4);
  }
  free(a), free(b), free(c), free(ref);
  tcc_context_destroy(ctx);
}

/* Y = exp(X) then Z = Y * 2 + Y[reversed], each its own kernel, Y in a workspace; N symbolic */
static void pipeline(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_var *n = tcc_var_new(ctx, "N", tcc_index_type());
  const tcc_expr *sh[1] = {tcc_expr_var(ctx, n)};
  tcc_tensor *X = tcc_placeholder(ctx, "X", TCCRT_FLOAT32, 1, sh);
  const tcc_itervar *const *ay = tcc_compute_axes(ctx, 1, sh, NULL);
  const tcc_expr *xi[1] = {V(ctx, ay[0])};
  tcc_tensor *Y =
      tcc_compute(ctx, "Y", 1, sh, ay, tcc_call1(ctx, TCC_INTRIN_EXP, tcc_read(ctx, X, xi)), NULL);
  const tcc_itervar *const *az = tcc_compute_axes(ctx, 1, sh, NULL);
  const tcc_expr *zi[1] = {V(ctx, az[0])};
  const tcc_expr *ri[1] = {tcc_sub(ctx, tcc_sub(ctx, sh[0], I(ctx, 1)), V(ctx, az[0]))};
  tcc_type f = tcc_scalar(TCCRT_FLOAT32);
  tcc_tensor *Z = tcc_compute(
      ctx, "Z", 1, sh, az,
      tcc_add(ctx, tcc_mul(ctx, tcc_read(ctx, Y, zi), tcc_float(ctx, f, 2)), tcc_read(ctx, Y, ri)),
      NULL);
  const tcc_tensor *outs[1] = {Z};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  for (int q = 0; q < 2; q++) {
    tcc_stage *st = tcc_schedule_stage(s, q ? Z : Y);
    tcc_axis *o, *i;
    CHECK(tcc_split(ctx, st, tcc_stage_axis(st, 0), 16, TCC_TAIL_GUARD, &o, &i) == TCC_OK);
    CHECK(tcc_bind(ctx, st, o, TCC_FOR_BLOCK_X) == TCC_OK);
    CHECK(tcc_bind(ctx, st, i, TCC_FOR_THREAD_X) == TCC_OK);
  }
  const tcc_tensor *args[2] = {X, Z};
  tcc_primfunc *fn;
  CHECK_MSG(tcc_lower(ctx, s, "gpu_pipe", 2, args, &fn) == TCC_OK, "%s", tcc_error_text(ctx));
  if (fn) {
    for (int64_t len = 1; len < 60; len += 19) {
      float x[60], z[60];
      fill_f32(x, 60, -2, 2);
      void *bufs[2] = {x, z};
      CHECK_MSG(tcc_interp_run(ctx, fn, bufs, &len) == TCC_OK, "%s", tcc_error_text(ctx));
      float ref[60];
      for (int64_t i = 0; i < len; i++)
        ref[i] = expf(x[i]) * 2.0f + expf(x[len - 1 - i]);
      cmp_f32("gpu_pipe", z, ref, (size_t)len, 1e-5);
    }
  }
  tcc_context_destroy(ctx);
}

/* tiled matmul, A and B tiles staged in shared memory at each k.outer step, loaded by the
 * block's threads together (fused copy loop split by the thread count, bound to threadIdx.x) */
static void matmul_shared(int64_t M, int64_t N, int64_t K) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[2] = {M, K}, db[2] = {K, N};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da), *B = ph(ctx, "B", TCCRT_FLOAT32, 2, db);
  const tcc_expr *sc[2] = {I(ctx, M), I(ctx, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *ia[2] = {V(ctx, ax[0]), V(ctx, k)}, *ib[2] = {V(ctx, k), V(ctx, ax[1])};
  tcc_tensor *C = tcc_compute(
      ctx, "C", 2, sc, ax,
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, A, ia), tcc_read(ctx, B, ib)), 1, &k, NULL), NULL);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, C);
  tcc_stage *sa, *sb;
  CHECK(tcc_cache_read(ctx, s, A, TCC_SCOPE_SHARED, 1, &st, &sa) == TCC_OK);
  CHECK(tcc_cache_read(ctx, s, B, TCC_SCOPE_SHARED, 1, &st, &sb) == TCC_OK);
  CHECK(tcc_schedule_num_stages(s) == 3);
  tcc_axis *io, *jo, *ii, *ji, *ko, *ki;
  CHECK(tcc_tile(ctx, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 4, 8, TCC_TAIL_GUARD, &io,
                 &jo, &ii, &ji) == TCC_OK);
  CHECK(tcc_split(ctx, st, tcc_stage_reduce_axis(st, 0), 4, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
  CHECK(tcc_bind(ctx, st, io, TCC_FOR_BLOCK_Y) == TCC_OK);
  CHECK(tcc_bind(ctx, st, jo, TCC_FOR_BLOCK_X) == TCC_OK);
  CHECK(tcc_bind(ctx, st, ii, TCC_FOR_THREAD_Y) == TCC_OK);
  CHECK(tcc_bind(ctx, st, ji, TCC_FOR_THREAD_X) == TCC_OK);
  tcc_stage *caches[2] = {sa, sb};
  for (int c = 0; c < 2; c++) {
    tcc_stage *cs = caches[c];
    CHECK(tcc_compute_at(ctx, cs, st, ko) == TCC_OK);
    tcc_axis *f, *fo, *fi;
    CHECK(tcc_fuse(ctx, cs, tcc_stage_axis(cs, 0), tcc_stage_axis(cs, 1), &f) == TCC_OK);
    CHECK(tcc_split(ctx, cs, f, 8, TCC_TAIL_GUARD, &fo, &fi) == TCC_OK);
    CHECK(tcc_bind(ctx, cs, fi, TCC_FOR_THREAD_X) == TCC_OK);
  }
  CHECK_REFUSED(ctx, tcc_cache_read(ctx, s, C, TCC_SCOPE_SHARED, 1, &st, NULL),
                "does not read 'C'");
  CHECK_REFUSED(ctx, tcc_cache_read(ctx, s, A, TCC_SCOPE_GLOBAL, 1, &st, NULL),
                "not a cache scope");
  size_t nc = (size_t)(M * N);
  float *a, *b, *c, *ref;
  matmul_data_f32(M, N, K, &a, &b, &c, &ref);
  const tcc_tensor *args[3] = {A, B, C};
  void *bufs[3] = {a, b, c};
  tcc_primfunc *fn = NULL;
  if (lower_run(ctx, s, "gpu_matmul_shared", 3, args, bufs, &fn)) {
    cmp_f32("gpu_matmul_shared", c, ref, nc, 1e-5);
    if (getenv("TCC_DUMP_IR")) {
      tcc_schedule_print(stderr, s);
      tcc_primfunc_print(stderr, fn);
      tcc_primfunc_print(stderr, fn->body->u.launch.func);
    }
  }
  free(a), free(b), free(c), free(ref);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_gpu");
  matmul(13, 19, 7);
  matmul(tcc_test_randint(1, 20), tcc_test_randint(1, 20), tcc_test_randint(1, 9));
  pipeline();
  if (getenv("TCC_DUMP_IR")) {
    matmul_shared(13, 19, 7);
    return tcc_test_finish("test_gpu");
  }
  matmul_shared(16, 16, 8);
  matmul_shared(13, 19, 7);
  matmul_shared(tcc_test_randint(1, 20), tcc_test_randint(1, 20), tcc_test_randint(1, 9));
  return tcc_test_finish("test_gpu");
}
