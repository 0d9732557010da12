/* test_edge_sizes.c — the default CPU schedule on matmul + relu with empty (0) and unit dims,
 * lowered and interpreted against a C reference: no loop runs past an empty dim, no crash. */
#include "sched_test.h"
int main(void) {
  tcc_test_seed("edge");
  int64_t dims[][3] = {{0, 5, 3}, {5, 0, 3}, {5, 3, 0}, {1, 1, 1}, {1, 40, 1}, {40, 1, 7}};
  for (int t = 0; t < 6; t++) {
    tcc_context *ctx = tcc_context_create();
    int64_t M = dims[t][0], N = dims[t][1], K = dims[t][2];
    int64_t da[2] = {M, K}, db[2] = {K, N};
    tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da), *B = ph(ctx, "B", TCCRT_FLOAT32, 2, db);
    const tcc_expr *sc[2] = {I(ctx, M), I(ctx, N)};
    const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sc, NULL);
    const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
    const tcc_expr *ia[2] = {V(ctx, ax[0]), V(ctx, k)}, *ib[2] = {V(ctx, k), V(ctx, ax[1])};
    tcc_tensor *C = tcc_compute(
        ctx, "C", 2, sc, ax,
        tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, A, ia), tcc_read(ctx, B, ib)), 1, &k, NULL), NULL);
    const tcc_itervar *const *ar = tcc_compute_axes(ctx, 2, sc, NULL);
    const tcc_expr *ri[2] = {V(ctx, ar[0]), V(ctx, ar[1])};
    tcc_tensor *R = tcc_compute(
        ctx, "R", 2, sc, ar,
        tcc_max(ctx, tcc_read(ctx, C, ri), tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), 0)), NULL);
    const tcc_tensor *outs[1] = {R};
    tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
    CHECK_MSG(tcc_schedule_auto_cpu(ctx, s, R) == TCC_OK, "%s", tcc_error_text(ctx));
    float a[320], b[320], c[320], ref[320]; /* the largest case is 40 x 7 */
    CHECK(M * K <= 320 && K * N <= 320 && M * N <= 320);
    fill_f32(a, 320, -1, 1);
    fill_f32(b, 320, -1, 1);
    ref_matmul_f32(a, b, ref, M, N, K);
    for (int64_t i = 0; i < M * N; i++)
      ref[i] = ref[i] > 0 ? ref[i] : 0;
    const tcc_tensor *args[3] = {A, B, R};
    void *bufs[3] = {a, b, c};
    if (lower_run(ctx, s, "edge", 3, args, bufs, NULL))
      cmp_f32("edge", c, ref, (size_t)(M * N), 1e-5);
    tcc_context_destroy(ctx);
  }
  return tcc_test_finish("edge");
}
