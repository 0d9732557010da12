/* test_pipeline.c — a two-stage producer/consumer pipeline with shifted and strided accesses:
 *   B[y, x] = A[y, x + 1] * 3 - 1                      (H x W, float32; A is H x (W + 4))
 *   C[i, j] = B[2i, j] + B[2i + 1, j + 2] * 0.5         ((H/2) x (W-2))
 * under root, inline and compute_at schedules (at several loops, with tiling, non-dividing
 * splits, tail strategies, vectorized and unrolled producers), against a plain C reference.
 * Also a three-stage chain with compute_at of compute_at. */
#include "sched_test.h"

typedef struct pipe {
  tcc_tensor *A, *B, *C;
  int64_t H, W;
} pipe;

static pipe build(tcc_context *ctx, int64_t H, int64_t W) {
  pipe p = {0};
  p.H = H;
  p.W = W;
  int64_t da[2] = {H, W + 4};
  p.A = ph(ctx, "A", TCCRT_FLOAT32, 2, da);
  const tcc_expr *sb[2] = {I(ctx, H), I(ctx, W)};
  const char *nb[2] = {"y", "x"};
  const tcc_itervar *const *bx = tcc_compute_axes(ctx, 2, sb, nb);
  const tcc_expr *ia[2] = {V(ctx, bx[0]), tcc_add(ctx, V(ctx, bx[1]), I(ctx, 1))};
  tcc_type f = tcc_scalar(TCCRT_FLOAT32);
  p.B = tcc_compute(ctx, "B", 2, sb, bx,
                    tcc_sub(ctx, tcc_mul(ctx, tcc_read(ctx, p.A, ia), tcc_float(ctx, f, 3)),
                            tcc_float(ctx, f, 1)),
                    "elemwise");
  const tcc_expr *sc[2] = {I(ctx, H / 2), I(ctx, W - 2)};
  const char *nc[2] = {"i", "j"};
  const tcc_itervar *const *cx = tcc_compute_axes(ctx, 2, sc, nc);
  const tcc_expr *i2 = tcc_mul(ctx, V(ctx, cx[0]), I(ctx, 2));
  const tcc_expr *r0[2] = {i2, V(ctx, cx[1])};
  const tcc_expr *r1[2] = {tcc_add(ctx, i2, I(ctx, 1)), tcc_add(ctx, V(ctx, cx[1]), I(ctx, 2))};
  const tcc_expr *body = tcc_add(ctx, tcc_read(ctx, p.B, r0),
                                 tcc_mul(ctx, tcc_read(ctx, p.B, r1), tcc_float(ctx, f, 0.5)));
  p.C = tcc_compute(ctx, "C", 2, sc, cx, body, "elemwise");
  return p;
}

static void reference(const float *a, float *c, int64_t H, int64_t W) {
  for (int64_t i = 0; i < H / 2; i++)
    for (int64_t j = 0; j < W - 2; j++) {
      float b0 = a[(2 * i) * (W + 4) + j + 1] * 3.0f - 1.0f;
      float b1 = a[(2 * i + 1) * (W + 4) + j + 3] * 3.0f - 1.0f;
      c[i * (W - 2) + j] = b0 + b1 * 0.5f;
    }
}

typedef tcc_status (*pfn)(tcc_context *, tcc_stage *B, tcc_stage *C);

static tcc_status p_root(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  (void)ctx, (void)B, (void)C;
  return TCC_OK;
}
static tcc_status p_inline(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  (void)C;
  return tcc_compute_inline(ctx, B);
}
static tcc_status p_at_i(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  return tcc_compute_at(ctx, B, C, tcc_stage_axis(C, 0));
}
static tcc_status p_at_j(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  return tcc_compute_at(ctx, B, C, tcc_stage_axis(C, 1));
}
static tcc_status p_at_tile(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  tcc_axis *io, *jo, *ii, *ji;
  TCC_TRY(tcc_tile(ctx, C, tcc_stage_axis(C, 0), tcc_stage_axis(C, 1), 2, 4, TCC_TAIL_GUARD, &io,
                   &jo, &ii, &ji));
  return tcc_compute_at(ctx, B, C, jo);
}
static tcc_status p_at_split_vec(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  tcc_axis *jo, *ji;
  TCC_TRY(tcc_split(ctx, C, tcc_stage_axis(C, 1), 4, TCC_TAIL_GUARD, &jo, &ji));
  TCC_TRY(tcc_vectorize(ctx, C, ji));
  TCC_TRY(tcc_compute_at(ctx, B, C, jo));
  tcc_axis *xo, *xi;
  TCC_TRY(tcc_split(ctx, B, tcc_stage_axis(B, 1), 2, TCC_TAIL_GUARD, &xo, &xi));
  return tcc_unroll(ctx, B, xi);
}
static tcc_status p_at_round_up(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  tcc_axis *jo, *ji;
  TCC_TRY(tcc_split(ctx, C, tcc_stage_axis(C, 0), 3, TCC_TAIL_SHIFT_INWARD, &jo, &ji));
  TCC_TRY(tcc_compute_at(ctx, B, C, jo));
  tcc_axis *xo, *xi;
  TCC_TRY(tcc_split(ctx, B, tcc_stage_axis(B, 0), 4, TCC_TAIL_SHIFT_INWARD, &xo, &xi));
  return tcc_parallel(ctx, C, jo);
}
static tcc_status p_root_tails(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  tcc_axis *o, *i;
  TCC_TRY(tcc_split(ctx, B, tcc_stage_axis(B, 1), 4, TCC_TAIL_ROUND_UP, &o, &i));
  TCC_TRY(tcc_vectorize(ctx, B, i));
  TCC_TRY(tcc_split(ctx, C, tcc_stage_axis(C, 1), 4, TCC_TAIL_SHIFT_INWARD, &o, &i));
  return tcc_vectorize(ctx, C, i);
}
static tcc_status p_at_fused(tcc_context *ctx, tcc_stage *B, tcc_stage *C) {
  tcc_axis *f, *fo, *fi;
  TCC_TRY(tcc_fuse(ctx, C, tcc_stage_axis(C, 0), tcc_stage_axis(C, 1), &f));
  TCC_TRY(tcc_split(ctx, C, f, 5, TCC_TAIL_GUARD, &fo, &fi));
  return tcc_compute_at(ctx, B, C, fo);
}

static const struct {
  const char *name;
  pfn fn;
} scheds[] = {{"root", p_root},
              {"inline", p_inline},
              {"at_i", p_at_i},
              {"at_j", p_at_j},
              {"at_tile", p_at_tile},
              {"at_split_vec", p_at_split_vec},
              {"at_shift_inward", p_at_round_up},
              {"root_tails", p_root_tails},
              {"at_fused", p_at_fused}};

static void run(int64_t H, int64_t W) {
  size_t na = (size_t)(H * (W + 4)), nc = (size_t)((H / 2) * (W - 2));
  float *a = malloc(na * 4), *c = malloc(nc * 4 + 4), *ref = malloc(nc * 4 + 4);
  fill_f32(a, na, -2, 2);
  reference(a, ref, H, W);
  for (size_t s = 0; s < TCC_ARRAY_SIZE(scheds); s++) {
    tcc_context *ctx = tcc_context_create();
    pipe p = build(ctx, H, W);
    const tcc_tensor *outs[1] = {p.C};
    tcc_schedule *sch = tcc_schedule_create(ctx, 1, outs);
    CHECK(tcc_schedule_num_stages(sch) == 2);
    tcc_status ok = scheds[s].fn(ctx, tcc_schedule_stage(sch, p.B), tcc_schedule_stage(sch, p.C));
    CHECK_MSG(ok == TCC_OK, "pipeline %s: %s", scheds[s].name, tcc_error_text(ctx));
    const tcc_tensor *args[2] = {p.A, p.C};
    void *bufs[2] = {a, c};
    memset(c, 0, nc * 4);
    char what[128];
    snprintf(what, sizeof what, "pipeline_%s_%lldx%lld", scheds[s].name, (long long)H,
             (long long)W);
    if (ok == TCC_OK && lower_run(ctx, sch, what, 2, args, bufs, NULL))
      cmp_f32(what, c, ref, nc, 1e-5);
    tcc_context_destroy(ctx);
  }
  free(a);
  free(c);
  free(ref);
}

/* three stages: P = A + 1, Q[i] = P[i] * P[i + 1], R[i] = Q[i] + Q[i + 2]; P at Q, Q at R */
static void run_chain(int64_t N) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[1] = {N};
  tcc_tensor *A = ph(ctx, "A", TCCRT_INT32, 1, da);
  tcc_type it = tcc_scalar(TCCRT_INT32);
  const tcc_expr *sp[1] = {I(ctx, N)}, *sq[1] = {I(ctx, N - 1)}, *sr[1] = {I(ctx, N - 3)};
  const tcc_itervar *const *ap = tcc_compute_axes(ctx, 1, sp, NULL);
  const tcc_expr *x0[1] = {V(ctx, ap[0])};
  tcc_tensor *P = tcc_compute(ctx, "P", 1, sp, ap,
                              tcc_add(ctx, tcc_read(ctx, A, x0), tcc_int(ctx, it, 1)), NULL);
  const tcc_itervar *const *aq = tcc_compute_axes(ctx, 1, sq, NULL);
  const tcc_expr *q0[1] = {V(ctx, aq[0])}, *q1[1] = {tcc_add(ctx, V(ctx, aq[0]), I(ctx, 1))};
  tcc_tensor *Q = tcc_compute(ctx, "Q", 1, sq, aq,
                              tcc_mul(ctx, tcc_read(ctx, P, q0), tcc_read(ctx, P, q1)), NULL);
  const tcc_itervar *const *ar = tcc_compute_axes(ctx, 1, sr, NULL);
  const tcc_expr *r0[1] = {V(ctx, ar[0])}, *r2[1] = {tcc_add(ctx, V(ctx, ar[0]), I(ctx, 2))};
  tcc_tensor *R = tcc_compute(ctx, "R", 1, sr, ar,
                              tcc_add(ctx, tcc_read(ctx, Q, r0), tcc_read(ctx, Q, r2)), NULL);
  const tcc_tensor *outs[1] = {R};
  tcc_schedule *sch = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sP = tcc_schedule_stage(sch, P), *sQ = tcc_schedule_stage(sch, Q),
            *sR = tcc_schedule_stage(sch, R);
  tcc_axis *ro, *ri, *qo, *qi;
  CHECK(tcc_split(ctx, sR, tcc_stage_axis(sR, 0), 4, TCC_TAIL_GUARD, &ro, &ri) == TCC_OK);
  CHECK(tcc_compute_at(ctx, sQ, sR, ro) == TCC_OK);
  CHECK(tcc_split(ctx, sQ, tcc_stage_axis(sQ, 0), 3, TCC_TAIL_GUARD, &qo, &qi) == TCC_OK);
  CHECK(tcc_compute_at(ctx, sP, sQ, qo) == TCC_OK);
  int32_t *a = malloc(sizeof(int32_t) * (size_t)N), *r = malloc(sizeof(int32_t) * (size_t)N);
  int32_t *ref = malloc(sizeof(int32_t) * (size_t)N);
  fill_i32(a, (size_t)N, -50, 50);
  for (int64_t i = 0; i < N - 3; i++) {
    int32_t q0v = (a[i] + 1) * (a[i + 1] + 1), q2v = (a[i + 2] + 1) * (a[i + 3] + 1);
    ref[i] = q0v + q2v;
  }
  const tcc_tensor *args[2] = {A, R};
  void *bufs[2] = {a, r};
  if (lower_run(ctx, sch, "chain", 2, args, bufs, NULL)) cmp_i32("chain", r, ref, (size_t)(N - 3));
  free(a);
  free(r);
  free(ref);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_pipeline");
  run(9, 13);
  run(2 * tcc_test_randint(1, 8) + tcc_test_randint(0, 1), tcc_test_randint(3, 21));
  run_chain(23);
  run_chain(tcc_test_randint(4, 40));
  return tcc_test_finish("test_pipeline");
}
