/* test_rfactor.c — rfactor turns part of a reduction into a data-parallel axis: a row sum
 * whose factored axis is vectorized, a full sum (0-d output) whose partial sums run in parallel,
 * a GPU reduction over the threads of a block (partial sums in shared memory), a max
 * reduction over a split that does not divide; each against a C reference. Plus refusals and
 * replay. */
#include "sched_test.h"

static tcc_tensor *rowsum(tcc_context *ctx, tcc_tensor *A, int64_t M, int64_t K, bool max) {
  const tcc_expr *sh[1] = {I(ctx, M)};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 1, sh, NULL);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *ia[2] = {V(ctx, ax[0]), V(ctx, k)};
  const tcc_expr *src = tcc_read(ctx, A, ia);
  return tcc_compute(ctx, "D", 1, sh, ax,
                     max ? tcc_reduce_max(ctx, src, 1, &k, NULL) : tcc_sum(ctx, src, 1, &k, NULL),
                     NULL);
}

static void ref_rows(const float *a, float *d, int64_t M, int64_t K, bool max) {
  for (int64_t i = 0; i < M; i++) {
    float acc = max ? -INFINITY : 0;
    for (int64_t k = 0; k < K; k++)
      acc = max ? (a[i * K + k] > acc ? a[i * K + k] : acc) : acc + a[i * K + k];
    d[i] = acc;
  }
}

/* mode 0: vectorized factor axis; 1: max with non-dividing split, factor axis outer;
 * 2: GPU, partial sums over threadIdx.x in shared memory */
static void rows(int mode, int64_t M, int64_t K) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[2] = {M, K};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da);
  bool max = mode == 1;
  tcc_tensor *D = rowsum(ctx, A, M, K, max);
  const tcc_tensor *outs[1] = {D};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sd = tcc_schedule_stage(s, D), *rf;
  tcc_axis *ko, *ki;
  CHECK(tcc_split(ctx, sd, tcc_stage_reduce_axis(sd, 0), mode == 2 ? 16 : 8, TCC_TAIL_GUARD, &ko,
                  &ki) == TCC_OK);
  tcc_status ok = tcc_rfactor(ctx, s, sd, mode == 1 ? ko : ki, 1, &rf);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  if (ok == TCC_OK) {
    CHECK(tcc_schedule_num_stages(s) == 2);
    CHECK(tcc_stage_num_reduce_axes(sd) == 1 && tcc_stage_tensor(rf)->ndim == 2);
    tcc_axis *rfi = tcc_stage_axis(rf, 0), *rfk = tcc_stage_axis(rf, 1),
             *rr = tcc_stage_reduce_axis(rf, 0);
    if (mode == 0) {
      tcc_axis *o[2] = {rr, rfk};
      CHECK(tcc_reorder(ctx, rf, 2, o) == TCC_OK);
      CHECK(tcc_vectorize(ctx, rf, rfk) == TCC_OK);
      CHECK(tcc_parallel(ctx, rf, rfi) == TCC_OK);
      CHECK(tcc_unroll(ctx, sd, tcc_stage_reduce_axis(sd, 0)) == TCC_OK);
    } else if (mode == 1) {
      CHECK(tcc_parallel(ctx, rf, rfk) == TCC_OK);
      CHECK(tcc_compute_at(ctx, rf, sd, tcc_stage_axis(sd, 0)) == TCC_OK);
    } else {
      CHECK(tcc_set_scope(ctx, rf, TCC_SCOPE_SHARED) == TCC_OK);
      CHECK(tcc_compute_at(ctx, rf, sd, tcc_stage_axis(sd, 0)) == TCC_OK);
      CHECK(tcc_bind(ctx, sd, tcc_stage_axis(sd, 0), TCC_FOR_BLOCK_X) == TCC_OK);
      CHECK(tcc_bind(ctx, rf, rfk, TCC_FOR_THREAD_X) == TCC_OK);
    }
  }
  size_t na = (size_t)(M * K);
  float *a = malloc(na * 4), d[64], ref[64];
  fill_f32(a, na, -1, 1);
  ref_rows(a, ref, M, K, max);
  const tcc_tensor *args[2] = {A, D};
  void *bufs[2] = {a, d};
  char what[64];
  snprintf(what, sizeof what, "rfactor_rows_%d", mode);
  tcc_primfunc *fn;
  if (ok == TCC_OK && lower_run(ctx, s, what, 2, args, bufs, &fn)) {
    cmp_f32(what, d, ref, (size_t)M, 1e-5);
    if (mode == 2) CHECK(fn->body->kind == TCC_S_LAUNCH);
  }
  free(a);
  tcc_context_destroy(ctx);
}

/* a 0-d full sum: 4 partial sums (split by nparts) in parallel */
static void full_sum(int64_t N) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[1] = {N};
  tcc_tensor *A = ph(ctx, "A", TCCRT_INT32, 1, da);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, N));
  const tcc_expr *ia[1] = {V(ctx, k)};
  tcc_tensor *S =
      tcc_compute(ctx, "S", 0, NULL, NULL, tcc_sum(ctx, tcc_read(ctx, A, ia), 1, &k, NULL), NULL);
  const tcc_tensor *outs[1] = {S};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *ss = tcc_schedule_stage(s, S), *rf;
  tcc_axis *ko, *ki;
  CHECK(tcc_split_nparts(ctx, ss, tcc_stage_reduce_axis(ss, 0), 4, TCC_TAIL_GUARD, &ko, &ki) ==
        TCC_OK);
  CHECK_REFUSED(ctx, tcc_rfactor(ctx, s, ss, ko, 2, NULL), "factor position 2");
  CHECK(tcc_rfactor(ctx, s, ss, ko, 0, &rf) == TCC_OK);
  CHECK(tcc_parallel(ctx, rf, tcc_stage_axis(rf, 0)) == TCC_OK);
  int32_t *a = malloc(sizeof(int32_t) * (size_t)N), out = 0, ref = 0;
  fill_i32(a, (size_t)N, -1000, 1000);
  for (int64_t i = 0; i < N; i++)
    ref += a[i];
  const tcc_tensor *args[2] = {A, S};
  void *bufs[2] = {a, &out};
  if (lower_run(ctx, s, "full_sum", 2, args, bufs, NULL))
    CHECK_MSG(out == ref, "%d vs %d", out, ref);
  free(a);
  tcc_context_destroy(ctx);
}

static void refusals_and_replay(void) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[2] = {5, 12};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da);
  tcc_tensor *D = rowsum(ctx, A, 5, 12, false);
  const tcc_tensor *outs[1] = {D};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sd = tcc_schedule_stage(s, D);
  CHECK_REFUSED(ctx, tcc_rfactor(ctx, s, sd, tcc_stage_axis(sd, 0), 0, NULL),
                "not a reduction axis");
  CHECK_REFUSED(ctx, tcc_rfactor(ctx, s, sd, tcc_stage_reduce_axis(sd, 0), 0, NULL),
                "only reduction axis");
  tcc_axis *o, *i, *ko, *ki;
  CHECK(tcc_split(ctx, sd, tcc_stage_axis(sd, 0), 2, TCC_TAIL_GUARD, &o, &i) == TCC_OK);
  CHECK(tcc_split(ctx, sd, tcc_stage_reduce_axis(sd, 0), 4, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
  CHECK_REFUSED(ctx, tcc_rfactor(ctx, s, sd, ki, 0, NULL), "other loop transformations");
  CHECK_REFUSED(ctx, tcc_set_scope(ctx, sd, TCC_SCOPE_SHARED), "is an output");
  /* replay of split + rfactor + set_scope */
  tcc_stage *sd2 = tcc_schedule_stage(s, D);
  (void)sd2;
  tcc_tensor *D2 = rowsum(ctx, A, 5, 12, false);
  const tcc_tensor *o2[1] = {D2};
  tcc_schedule *s2 = tcc_schedule_create(ctx, 1, o2);
  tcc_stage *st2 = tcc_schedule_stage(s2, D2), *rf2;
  CHECK(tcc_split(ctx, st2, tcc_stage_reduce_axis(st2, 0), 4, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
  CHECK(tcc_rfactor(ctx, s2, st2, ki, 1, &rf2) == TCC_OK);
  CHECK(tcc_set_scope(ctx, rf2, TCC_SCOPE_STACK) == TCC_OK);
  CHECK(tcc_compute_at(ctx, rf2, st2, tcc_stage_axis(st2, 0)) == TCC_OK);
  tcc_tensor *D3 = rowsum(ctx, A, 5, 12, false);
  const tcc_tensor *o3[1] = {D3};
  tcc_schedule *s3 = tcc_schedule_create(ctx, 1, o3);
  CHECK_MSG(tcc_schedule_replay(ctx, s3, s2) == TCC_OK, "%s", tcc_error_text(ctx));
  char *t2 = NULL, *t3 = NULL;
  size_t n2, n3;
  FILE *f2 = open_memstream(&t2, &n2), *f3 = open_memstream(&t3, &n3);
  tcc_schedule_print(f2, s2);
  tcc_schedule_print(f3, s3);
  fclose(f2);
  fclose(f3);
  CHECK(strstr(t2, "rfactor(D, k.inner, 1) -> D.rf\nset_scope(D.rf, stack)\n") != NULL);
  CHECK_MSG(strcmp(t2, t3) == 0, "%s\n---\n%s", t2, t3);
  free(t2);
  free(t3);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_rfactor");
  for (int mode = 0; mode < 3; mode++) {
    rows(mode, 5, 37);
    rows(mode, tcc_test_randint(1, 9), tcc_test_randint(1, 50));
  }
  full_sum(1001);
  full_sum(tcc_test_randint(1, 300));
  refusals_and_replay();
  return tcc_test_finish("test_rfactor");
}
