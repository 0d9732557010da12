/* test_random_schedules.c — random schedules on small programs: random sequences of split
 * (factor or nparts, every tail strategy), fuse, reorder, unroll, vectorize, parallel,
 * compute_at, compute_inline, cache_read, cache_write, rfactor and storage_align, applied to a
 * matmul + bias pipeline and a strided/shifted stencil pipeline with odd sizes. Primitives may
 * refuse (that is checked to leave a usable schedule); every schedule that lowers must compute
 * exactly what the plain C reference computes (int32 data: exact). The seed is printed;
 * TCC_TEST_SEED replays a run. */
#include "sched_test.h"

typedef struct prog {
  tcc_tensor *in[3];
  int nin;
  tcc_tensor *stages[4];
  int nstages;
  tcc_tensor *out;
} prog;

/* P = A + 1 (elementwise); C = P x B (matmul); D = C + bias[j] (output) */
static prog build_mm(tcc_context *ctx, int64_t M, int64_t N, int64_t K) {
  prog p = {0};
  tcc_type it = tcc_scalar(TCCRT_INT32);
  int64_t da[2] = {M, K}, db[2] = {K, N}, dc[1] = {N};
  p.in[0] = ph(ctx, "A", TCCRT_INT32, 2, da);
  p.in[1] = ph(ctx, "B", TCCRT_INT32, 2, db);
  p.in[2] = ph(ctx, "bias", TCCRT_INT32, 1, dc);
  p.nin = 3;
  const tcc_expr *sa[2] = {I(ctx, M), I(ctx, K)}, *sc[2] = {I(ctx, M), I(ctx, N)};
  const tcc_itervar *const *ap = tcc_compute_axes(ctx, 2, sa, NULL);
  const tcc_expr *ia[2] = {V(ctx, ap[0]), V(ctx, ap[1])};
  tcc_tensor *P = tcc_compute(ctx, "P", 2, sa, ap,
                              tcc_add(ctx, tcc_read(ctx, p.in[0], ia), tcc_int(ctx, it, 1)), NULL);
  const tcc_itervar *const *ac = tcc_compute_axes(ctx, 2, sc, NULL);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *pi[2] = {V(ctx, ac[0]), V(ctx, k)}, *bi[2] = {V(ctx, k), V(ctx, ac[1])};
  tcc_tensor *C = tcc_compute(
      ctx, "C", 2, sc, ac,
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, P, pi), tcc_read(ctx, p.in[1], bi)), 1, &k, NULL),
      NULL);
  const tcc_itervar *const *ad = tcc_compute_axes(ctx, 2, sc, NULL);
  const tcc_expr *di[2] = {V(ctx, ad[0]), V(ctx, ad[1])}, *bb[1] = {V(ctx, ad[1])};
  tcc_tensor *D = tcc_compute(ctx, "D", 2, sc, ad,
                              tcc_add(ctx, tcc_read(ctx, C, di), tcc_read(ctx, p.in[2], bb)), NULL);
  p.stages[0] = P, p.stages[1] = C, p.stages[2] = D;
  p.nstages = 3;
  p.out = D;
  return p;
}

static void ref_mm(const int32_t *a, const int32_t *b, const int32_t *bias, int32_t *d, int64_t M,
                   int64_t N, int64_t K) {
  for (int64_t i = 0; i < M; i++)
    for (int64_t j = 0; j < N; j++) {
      int32_t acc = 0;
      for (int64_t q = 0; q < K; q++)
        acc += (a[i * K + q] + 1) * b[q * N + j];
      d[i * N + j] = acc + bias[j];
    }
}

/* Q[y, x] = A[y, x] * 3; R[i, j] = Q[2i, j + 1] - Q[2i + 1, j] (H x (W+1) -> (H/2) x W);
 * S[i, j] = R[i, j] * 2 + R[i, j + 2] ((H/2) x (W-2)) */
static prog build_stencil(tcc_context *ctx, int64_t H, int64_t W) {
  prog p = {0};
  tcc_type it = tcc_scalar(TCCRT_INT32);
  int64_t da[2] = {H, W + 1};
  p.in[0] = ph(ctx, "A", TCCRT_INT32, 2, da);
  p.nin = 1;
  const tcc_expr *sq[2] = {I(ctx, H), I(ctx, W + 1)}, *sr[2] = {I(ctx, H / 2), I(ctx, W)},
                 *ss[2] = {I(ctx, H / 2), I(ctx, W - 2)};
  const tcc_itervar *const *aq = tcc_compute_axes(ctx, 2, sq, NULL);
  const tcc_expr *qi[2] = {V(ctx, aq[0]), V(ctx, aq[1])};
  tcc_tensor *Q = tcc_compute(ctx, "Q", 2, sq, aq,
                              tcc_mul(ctx, tcc_read(ctx, p.in[0], qi), tcc_int(ctx, it, 3)), NULL);
  const tcc_itervar *const *ar = tcc_compute_axes(ctx, 2, sr, NULL);
  const tcc_expr *i2 = tcc_mul(ctx, V(ctx, ar[0]), I(ctx, 2));
  const tcc_expr *r0[2] = {i2, tcc_add(ctx, V(ctx, ar[1]), I(ctx, 1))},
                 *r1[2] = {tcc_add(ctx, i2, I(ctx, 1)), V(ctx, ar[1])};
  tcc_tensor *R = tcc_compute(ctx, "R", 2, sr, ar,
                              tcc_sub(ctx, tcc_read(ctx, Q, r0), tcc_read(ctx, Q, r1)), NULL);
  const tcc_itervar *const *as = tcc_compute_axes(ctx, 2, ss, NULL);
  const tcc_expr *s0[2] = {V(ctx, as[0]), V(ctx, as[1])},
                 *s2[2] = {V(ctx, as[0]), tcc_add(ctx, V(ctx, as[1]), I(ctx, 2))};
  tcc_tensor *S = tcc_compute(
      ctx, "S", 2, ss, as,
      tcc_add(ctx, tcc_mul(ctx, tcc_read(ctx, R, s0), tcc_int(ctx, it, 2)), tcc_read(ctx, R, s2)),
      NULL);
  p.stages[0] = Q, p.stages[1] = R, p.stages[2] = S;
  p.nstages = 3;
  p.out = S;
  return p;
}

static void ref_stencil(const int32_t *a, int32_t *s, int64_t H, int64_t W) {
  for (int64_t i = 0; i < H / 2; i++)
    for (int64_t j = 0; j < W - 2; j++) {
#define QV(y, x) (a[(y) * (W + 1) + (x)] * 3)
#define RV(ii, jj) (QV(2 * (ii), (jj) + 1) - QV(2 * (ii) + 1, (jj)))
      s[i * (W - 2) + j] = RV(i, j) * 2 + RV(i, j + 2);
    }
}

static tcc_axis *rand_leaf(tcc_stage *st) {
  int n = tcc_stage_num_leaves(st);
  return n ? tcc_stage_leaf(st, (int)tcc_test_randint(0, n - 1)) : NULL;
}

/* one random primitive on a random stage; refusals are fine but must leave a message */
static void random_primitive(tcc_context *ctx, tcc_schedule *s, const prog *p, FILE *log) {
  tcc_stage *st =
      tcc_schedule_stage_at(s, (int)tcc_test_randint(0, tcc_schedule_num_stages(s) - 1));
  tcc_axis *a = rand_leaf(st), *o, *in;
  if (!a) return;
  tcc_status r = TCC_OK;
  int op = (int)tcc_test_randint(0, 14);
  static const tcc_tail tails[] = {TCC_TAIL_AUTO, TCC_TAIL_GUARD, TCC_TAIL_ROUND_UP,
                                   TCC_TAIL_SHIFT_INWARD};
  switch (op) {
  case 0:
  case 1:
    r = tcc_split(ctx, st, a, tcc_test_randint(1, 6), tails[tcc_test_randint(0, 3)], &o, &in);
    break;
  case 2:
    r = tcc_split_nparts(ctx, st, a, tcc_test_randint(1, 4), tails[tcc_test_randint(0, 1)], &o,
                         &in);
    break;
  case 3: {
    int n = tcc_stage_num_leaves(st);
    int i = (int)tcc_test_randint(0, n - 1);
    if (i + 1 < n) r = tcc_fuse(ctx, st, tcc_stage_leaf(st, i), tcc_stage_leaf(st, i + 1), &o);
    break;
  }
  case 4: {
    tcc_axis *b = rand_leaf(st);
    if (b != a) {
      tcc_axis *ord[2] = {b, a};
      r = tcc_reorder(ctx, st, 2, ord);
    }
    break;
  }
  case 5: r = tcc_unroll(ctx, st, a); break;
  case 6: r = tcc_vectorize(ctx, st, a); break;
  case 7: r = tcc_parallel(ctx, st, a); break;
  case 8:
  case 9: {
    /* compute_at a consumer's loop */
    tcc_stage *c =
        tcc_schedule_stage_at(s, (int)tcc_test_randint(0, tcc_schedule_num_stages(s) - 1));
    r = tcc_compute_at(ctx, st, c, rand_leaf(c));
    break;
  }
  case 10: r = tcc_compute_inline(ctx, st); break;
  case 12: r = tcc_rfactor(ctx, s, st, a, (int)tcc_test_randint(0, 2), NULL); break;
  case 13: r = tcc_cache_write(ctx, s, st, TCC_SCOPE_STACK, NULL); break;
  case 14: r = tcc_storage_align(ctx, st, 0, tcc_test_randint(1, 8), 0); break;
  default: {
    const tcc_tensor **ins;
    tcc_tensor tmp = *tcc_stage_tensor(st);
    int n = tcc_tensor_inputs(ctx, &tmp, &ins);
    if (n)
      r = tcc_cache_read(ctx, s, ins[tcc_test_randint(0, n - 1)], TCC_SCOPE_STACK, 1, &st, NULL);
    break;
  }
  }
  (void)p;
  if (r != TCC_OK) {
    CHECK_MSG(strlen(tcc_error_text(ctx)) > 10, "refusal without a message (op %d)", op);
    tcc_error_clear(ctx);
  }
  (void)log;
}

static int lowered = 0, refused_lower = 0;

static void one(int which, int64_t d0, int64_t d1, int64_t d2, int nprims) {
  tcc_context *ctx = tcc_context_create();
  prog p = which == 0 ? build_mm(ctx, d0, d1, d2) : build_stencil(ctx, d0, d1);
  const tcc_tensor *outs[1] = {p.out};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  for (int i = 0; i < nprims; i++)
    random_primitive(ctx, s, &p, NULL);
  const tcc_tensor *args[4];
  int nargs = 0;
  for (int i = 0; i < p.nin; i++)
    args[nargs++] = p.in[i];
  args[nargs++] = p.out;
  tcc_primfunc *fn;
  if (tcc_lower(ctx, s, "rand", nargs, args, &fn) != TCC_OK) {
    /* only the documented lowering refusals */
    const char *m = tcc_error_text(ctx);
    bool known = strstr(m, "round_up") || strstr(m, "also read by") ||
                 strstr(m, "split or fused afterwards") || strstr(m, "computed at stage") ||
                 strstr(m, "must be computed at the root");
    CHECK_MSG(known, "unexpected lowering error: %s", m);
    if (!known) tcc_schedule_print(stderr, s);
    refused_lower++;
    tcc_context_destroy(ctx);
    return;
  }
  lowered++;
  if (getenv("TCC_SHOW_SCHEDULES")) {
    tcc_schedule_print(stderr, s);
    fputs("--\n", stderr);
  }
  int32_t *in[3], *out, *ref;
  size_t nout;
  void *bufs[4];
  if (which == 0) {
    in[0] = malloc(sizeof(int32_t) * (size_t)(d0 * d2));
    in[1] = malloc(sizeof(int32_t) * (size_t)(d2 * d1));
    in[2] = malloc(sizeof(int32_t) * (size_t)d1);
    fill_i32(in[0], (size_t)(d0 * d2), -20, 20);
    fill_i32(in[1], (size_t)(d2 * d1), -20, 20);
    fill_i32(in[2], (size_t)d1, -20, 20);
    nout = (size_t)(d0 * d1);
    out = malloc(sizeof(int32_t) * nout);
    ref = malloc(sizeof(int32_t) * nout);
    ref_mm(in[0], in[1], in[2], ref, d0, d1, d2);
    bufs[0] = in[0], bufs[1] = in[1], bufs[2] = in[2], bufs[3] = out;
  } else {
    in[0] = malloc(sizeof(int32_t) * (size_t)(d0 * (d1 + 1)));
    fill_i32(in[0], (size_t)(d0 * (d1 + 1)), -50, 50);
    nout = (size_t)((d0 / 2) * (d1 - 2));
    out = malloc(sizeof(int32_t) * (nout + 1));
    ref = malloc(sizeof(int32_t) * (nout + 1));
    ref_stencil(in[0], ref, d0, d1);
    bufs[0] = in[0], bufs[1] = out;
    in[1] = in[2] = NULL;
  }
  memset(out, 0x5A, sizeof(int32_t) * nout);
  tcc_status st = tcc_interp_run(ctx, fn, bufs, NULL);
  CHECK_MSG(st == TCC_OK, "interp: %s", tcc_error_text(ctx));
  int bad = st == TCC_OK ? 0 : 1;
  for (size_t i = 0; st == TCC_OK && i < nout; i++)
    bad += out[i] != ref[i];
  CHECK_MSG(bad == 0, "%s: %d wrong elements", which ? "stencil" : "matmul", bad);
  if (bad) {
    tcc_schedule_print(stderr, s);
    tcc_primfunc_print(stderr, fn);
  }
  for (int i = 0; i < 3; i++)
    free(in[i]);
  free(out);
  free(ref);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_random_schedules");
  for (int iter = 0; iter < 150; iter++) {
    int which = iter % 2;
    if (which == 0)
      one(0, tcc_test_randint(1, 13), tcc_test_randint(1, 13), tcc_test_randint(1, 9),
          (int)tcc_test_randint(1, 10));
    else
      one(1, 2 * tcc_test_randint(1, 6) + tcc_test_randint(0, 1), tcc_test_randint(3, 15), 0,
          (int)tcc_test_randint(1, 10));
  }
  fprintf(stderr, "lowered %d schedules, %d refused at lowering\n", lowered, refused_lower);
  CHECK(lowered > 50);
  return tcc_test_finish("test_random_schedules");
}
