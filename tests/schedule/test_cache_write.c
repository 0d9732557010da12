/* test_cache_write.c — cache_write (a reduction accumulates in a small buffer computed at a
 * tile loop, then is copied out) on CPU (stack tile, vectorized) and GPU (per-thread local
 * accumulator), and storage_align (padded strides for a shared tile), against a C reference. */
#include "sched_test.h"

typedef struct mm {
  tcc_tensor *A, *B, *C;
} mm;

static mm build(tcc_context *ctx, int64_t M, int64_t N, int64_t K) {
  mm r;
  int64_t da[2] = {M, K}, db[2] = {K, N};
  r.A = ph(ctx, "A", TCCRT_FLOAT32, 2, da);
  r.B = ph(ctx, "B", TCCRT_FLOAT32, 2, db);
  const tcc_expr *sc[2] = {I(ctx, M), I(ctx, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *ia[2] = {V(ctx, ax[0]), V(ctx, k)}, *ib[2] = {V(ctx, k), V(ctx, ax[1])};
  r.C = tcc_compute(
      ctx, "C", 2, sc, ax,
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, r.A, ia), tcc_read(ctx, r.B, ib)), 1, &k, NULL),
      NULL);
  return r;
}

static void run(int mode, int64_t M, int64_t N, int64_t K) {
  tcc_context *ctx = tcc_context_create();
  mm m = build(ctx, M, N, K);
  const tcc_tensor *outs[1] = {m.C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sc = tcc_schedule_stage(s, m.C), *cw = NULL;
  tcc_status ok = tcc_cache_write(ctx, s, sc, mode == 0 ? TCC_SCOPE_STACK : TCC_SCOPE_LOCAL, &cw);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK(tcc_schedule_num_stages(s) == 2 && tcc_stage_has_reduce(cw) && !tcc_stage_has_reduce(sc));
  tcc_axis *io, *jo, *ii, *ji;
  CHECK(tcc_tile(ctx, sc, tcc_stage_axis(sc, 0), tcc_stage_axis(sc, 1), 4, 8, TCC_TAIL_GUARD, &io,
                 &jo, &ii, &ji) == TCC_OK);
  if (mode == 0) {
    CHECK(tcc_compute_at(ctx, cw, sc, jo) == TCC_OK);
    CHECK(tcc_vectorize(ctx, sc, ji) == TCC_OK);
    tcc_axis *o[2] = {tcc_stage_reduce_axis(cw, 0), tcc_stage_axis(cw, 1)};
    CHECK(tcc_reorder(ctx, cw, 2, o) == TCC_OK);
    CHECK(tcc_vectorize(ctx, cw, tcc_stage_axis(cw, 1)) == TCC_OK);
    CHECK(tcc_storage_align(ctx, cw, 0, 16, 4) == TCC_OK);
    CHECK_REFUSED(ctx, tcc_storage_align(ctx, cw, 1, 16, 4), "no stride to pad");
    CHECK_REFUSED(ctx, tcc_storage_align(ctx, sc, 0, 16, 4), "is an output");
    CHECK_REFUSED(ctx, tcc_storage_align(ctx, cw, 0, 8, 9), "offset < factor");
  } else {
    CHECK(tcc_bind(ctx, sc, io, TCC_FOR_BLOCK_Y) == TCC_OK);
    CHECK(tcc_bind(ctx, sc, jo, TCC_FOR_BLOCK_X) == TCC_OK);
    CHECK(tcc_bind(ctx, sc, ii, TCC_FOR_THREAD_Y) == TCC_OK);
    CHECK(tcc_bind(ctx, sc, ji, TCC_FOR_THREAD_X) == TCC_OK);
    CHECK(tcc_compute_at(ctx, cw, sc, ji) == TCC_OK); /* one accumulator per thread */
  }
  CHECK_REFUSED(ctx, tcc_cache_write(ctx, s, sc, TCC_SCOPE_LOCAL, NULL), "untransformed");
  size_t nc = (size_t)(M * N);
  float *a, *b, *c, *ref;
  matmul_data_f32(M, N, K, &a, &b, &c, &ref);
  const tcc_tensor *args[3] = {m.A, m.B, m.C};
  void *bufs[3] = {a, b, c};
  tcc_primfunc *fn;
  char what[64];
  snprintf(what, sizeof what, "cache_write_%d", mode);
  if (lower_run(ctx, s, what, 3, args, bufs, &fn)) {
    cmp_f32(what, c, ref, nc, 1e-5);
    char *t = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&t, &n);
    tcc_schedule_print(f, s);
    tcc_primfunc_print(f, fn);
    if (mode == 1) tcc_primfunc_print(f, fn->body->u.launch.func);
    fclose(f);
    CHECK(strstr(t, mode == 0 ? "cache_write(C, stack) -> C.stack\n"
                              : "cache_write(C, local) -> C.local\n"));
    /* the aligned tile: rows of 8 padded to a stride of 20 (20 % 16 == 4): 4 * 20 elements */
    if (mode == 0 && M >= 4 && N >= 8)
      CHECK_MSG(strstr(t, "allocate C.stack: float32[4, 8] stack size 80:") != NULL, "%s", t);
    if (mode == 1)
      CHECK_MSG(strstr(t, "allocate C.local: float32[1, 1] local size 1:") != NULL, "%s", t);
    free(t);
  }
  free(a), free(b), free(c), free(ref);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_cache_write");
  for (int mode = 0; mode < 2; mode++) {
    run(mode, 13, 19, 7);
    run(mode, tcc_test_randint(1, 17), tcc_test_randint(1, 21), tcc_test_randint(1, 9));
  }
  return tcc_test_finish("test_cache_write");
}
