/* test_llvm_lowered.c — PrimFuncs lowered from scheduled tensor expressions (schedule/tcc_lower),
 * compiled by the LLVM code generator, run through the JIT and compared with the loop-IR
 * interpreter (ir/interp.h) on the same inputs: matmul (float32 and int32) under tiled,
 * non-dividing, vectorized, unrolled, parallel, combined and automatic schedules; conv2d NCHW
 * with stride 2, padding 1 and dilation (padding as a SELECT in the body) under the automatic and
 * a vectorized+parallel schedule; a producer/consumer pipeline with compute_at and exp. Odd sizes,
 * seeded random inputs. Floats: rtol 1e-4 (reassociation is allowed), integers exact. */
#include "interp.h"
#include "schedule.h"
#include "testutil.h"

#include "llvm/llvm_codegen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const tcc_expr *I(tcc_context *c, int64_t v) { return tcc_idx(c, v); }
static const tcc_expr *V(tcc_context *c, const tcc_itervar *iv) { return tcc_expr_var(c, iv->var); }
static tcc_tensor *ph(tcc_context *c, const char *n, tccrt_dtype dt, int nd, const int64_t *d) {
  const tcc_expr *sh[8];
  for (int i = 0; i < nd; i++)
    sh[i] = I(c, d[i]);
  return tcc_placeholder(c, n, dt, nd, sh);
}

typedef tcc_status (*sched_fn)(tcc_context *, tcc_schedule *, const tcc_tensor *out);

/* Lowers, runs the interpreter into `want` and the JIT into `got` (both the output buffer index
 * `oi` of bufs); compares. bufs[oi] is replaced in turn. */
static void lower_compare(tcc_context *c, tcc_schedule *s, const char *what, int nargs,
                          const tcc_tensor *const *args, void **bufs, int oi, size_t n_out,
                          tccrt_dtype dt, int threads) {
  tcc_primfunc *fn = NULL;
  tcc_status st = tcc_lower(c, s, what, nargs, args, &fn);
  CHECK_MSG(st == TCC_OK, "%s: lower failed: %s", what, tcc_error_text(c));
  if (st != TCC_OK) return;
  size_t es = tccrt_dtype_size(dt);
  void *want = calloc(n_out, es), *got = calloc(n_out, es);
  void *saved = bufs[oi];
  bufs[oi] = want;
  st = tcc_interp_run(c, fn, bufs, NULL);
  CHECK_MSG(st == TCC_OK, "%s: interp failed: %s", what, tcc_error_text(c));
  tcc_llvm_jit *j = NULL;
  const tcc_primfunc *fns[1] = {fn};
  tcc_status cs = tcc_llvm_jit_primfuncs(c, NULL, 1, fns, &j);
  CHECK_MSG(cs == TCC_OK, "%s: compile failed: %s", what, tcc_error_text(c));
  void *addr = NULL;
  if (cs == TCC_OK) CHECK(tcc_llvm_jit_lookup(j, fn->name, &addr) == TCC_OK);
  if (addr && st == TCC_OK) {
    tccrt_set_num_threads(threads);
    bufs[oi] = got;
    int rc = ((tcc_llvm_kernel_fn)addr)(bufs, NULL);
    CHECK_MSG(rc == 0, "%s: kernel returned %d (%s)", what, rc, tccrt_last_error());
    int bad = 0;
    for (size_t i = 0; i < n_out; i++) {
      bool ok;
      if (dt == TCCRT_FLOAT32)
        ok = tcc_test_close(((float *)got)[i], ((float *)want)[i], 1e-4, 1e-5);
      else if (dt == TCCRT_FLOAT16) { /* per-operation rounding in both: within one float16 ulp
                                         (tanh's float32 approximation may round the other way) */
        int gb = ((uint16_t *)got)[i], wb = ((uint16_t *)want)[i];
        ok = gb == wb || ((gb ^ wb) < 0x8000 && abs(gb - wb) <= 1);
      } else
        ok = ((int32_t *)got)[i] == ((int32_t *)want)[i];
      if (!ok && bad++ < 3) fprintf(stderr, "%s: [%zu] differs\n", what, i);
    }
    CHECK_MSG(bad == 0, "%s: %d of %zu elements differ from the interpreter", what, bad, n_out);
  }
  if (j) tcc_llvm_jit_destroy(j);
  bufs[oi] = saved;
  free(want);
  free(got);
}

/* ---------------------------------------------------------------- matmul */

static tcc_status mm_tiled(tcc_context *c, tcc_schedule *s, const tcc_tensor *o) {
  tcc_stage *st = tcc_schedule_stage(s, o);
  tcc_axis *io, *jo, *ii, *ji;
  return tcc_tile(c, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 4, 4, TCC_TAIL_GUARD, &io,
                  &jo, &ii, &ji);
}
static tcc_status mm_nondiv(tcc_context *c, tcc_schedule *s, const tcc_tensor *o) {
  tcc_stage *st = tcc_schedule_stage(s, o);
  tcc_axis *io, *ii, *ko, *ki, *jo, *ji;
  TCC_TRY(tcc_split(c, st, tcc_stage_axis(st, 0), 5, TCC_TAIL_AUTO, &io, &ii));
  TCC_TRY(tcc_split(c, st, tcc_stage_reduce_axis(st, 0), 4, TCC_TAIL_GUARD, &ko, &ki));
  return tcc_split_nparts(c, st, tcc_stage_axis(st, 1), 3, TCC_TAIL_GUARD, &jo, &ji);
}
static tcc_status mm_vec(tcc_context *c, tcc_schedule *s, const tcc_tensor *o) {
  tcc_stage *st = tcc_schedule_stage(s, o);
  tcc_axis *jo, *ji;
  TCC_TRY(tcc_split(c, st, tcc_stage_axis(st, 1), 8, TCC_TAIL_GUARD, &jo, &ji));
  tcc_axis *ord[2] = {tcc_stage_reduce_axis(st, 0), ji};
  TCC_TRY(tcc_reorder(c, st, 2, ord));
  return tcc_vectorize(c, st, ji);
}
static tcc_status mm_unroll(tcc_context *c, tcc_schedule *s, const tcc_tensor *o) {
  tcc_stage *st = tcc_schedule_stage(s, o);
  tcc_axis *ko, *ki;
  TCC_TRY(tcc_split(c, st, tcc_stage_reduce_axis(st, 0), 3, TCC_TAIL_GUARD, &ko, &ki));
  return tcc_unroll(c, st, ki);
}
static tcc_status mm_par(tcc_context *c, tcc_schedule *s, const tcc_tensor *o) {
  tcc_stage *st = tcc_schedule_stage(s, o);
  tcc_axis *f;
  TCC_TRY(tcc_fuse(c, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), &f));
  return tcc_parallel(c, st, f);
}
static tcc_status mm_all(tcc_context *c, tcc_schedule *s, const tcc_tensor *o) {
  tcc_stage *st = tcc_schedule_stage(s, o);
  tcc_axis *io, *jo, *ii, *ji, *ko, *ki, *f;
  TCC_TRY(tcc_tile(c, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 3, 8, TCC_TAIL_GUARD, &io,
                   &jo, &ii, &ji));
  TCC_TRY(tcc_split(c, st, tcc_stage_reduce_axis(st, 0), 2, TCC_TAIL_GUARD, &ko, &ki));
  tcc_axis *ord[6] = {io, jo, ko, ii, ki, ji};
  TCC_TRY(tcc_reorder(c, st, 6, ord));
  TCC_TRY(tcc_unroll(c, st, ki));
  TCC_TRY(tcc_vectorize(c, st, ji));
  TCC_TRY(tcc_fuse(c, st, io, jo, &f));
  return tcc_parallel(c, st, f);
}
static tcc_status sch_auto(tcc_context *c, tcc_schedule *s, const tcc_tensor *o) {
  return tcc_schedule_auto_cpu(c, s, o);
}

static const struct {
  const char *name;
  sched_fn fn;
} mm_scheds[] = {{"tiled", mm_tiled},     {"nondividing", mm_nondiv}, {"vectorized", mm_vec},
                 {"unrolled", mm_unroll}, {"parallel", mm_par},       {"all", mm_all},
                 {"auto", sch_auto}};

static void test_matmul(tccrt_dtype dt, int64_t M, int64_t N, int64_t K) {
  size_t na = (size_t)(M * K), nb = (size_t)(K * N), nc = (size_t)(M * N);
  void *a = malloc(na * 4), *b = malloc(nb * 4), *cbuf = malloc(nc * 4);
  for (size_t i = 0; i < na; i++) {
    if (dt == TCCRT_FLOAT32)
      ((float *)a)[i] = (float)tcc_test_uniform(-1, 1);
    else
      ((int32_t *)a)[i] = (int32_t)tcc_test_randint(-100, 100);
  }
  for (size_t i = 0; i < nb; i++) {
    if (dt == TCCRT_FLOAT32)
      ((float *)b)[i] = (float)tcc_test_uniform(-1, 1);
    else
      ((int32_t *)b)[i] = (int32_t)tcc_test_randint(-100, 100);
  }
  for (size_t k = 0; k < TCC_ARRAY_SIZE(mm_scheds); k++) {
    tcc_context *c = tcc_context_create();
    int64_t da[2] = {M, K}, db[2] = {K, N};
    tcc_tensor *A = ph(c, "A", dt, 2, da), *B = ph(c, "B", dt, 2, db);
    const tcc_expr *sc[2] = {I(c, M), I(c, N)};
    const char *nm[2] = {"i", "j"};
    const tcc_itervar *const *ax = tcc_compute_axes(c, 2, sc, nm);
    const tcc_itervar *kk = tcc_reduce_axis(c, "k", I(c, 0), I(c, K));
    const tcc_expr *ia[2] = {V(c, ax[0]), V(c, kk)}, *ib[2] = {V(c, kk), V(c, ax[1])};
    const tcc_expr *body =
        tcc_sum(c, tcc_mul(c, tcc_read(c, A, ia), tcc_read(c, B, ib)), 1, &kk, NULL);
    tcc_tensor *Cc = tcc_compute(c, "C", 2, sc, ax, body, "dense");
    const tcc_tensor *outs[1] = {Cc};
    tcc_schedule *s = tcc_schedule_create(c, 1, outs);
    tcc_status ok = mm_scheds[k].fn(c, s, Cc);
    CHECK_MSG(ok == TCC_OK, "matmul %s refused: %s", mm_scheds[k].name, tcc_error_text(c));
    char what[96];
    snprintf(what, sizeof what, "mm_%s_%s_%lldx%lldx%lld", dt == TCCRT_FLOAT32 ? "f32" : "i32",
             mm_scheds[k].name, (long long)M, (long long)N, (long long)K);
    const tcc_tensor *args[3] = {A, B, Cc};
    void *bufs[3] = {a, b, cbuf};
    if (ok == TCC_OK) lower_compare(c, s, what, 3, args, bufs, 2, nc, dt, k % 2 ? 2 : 1);
    tcc_context_destroy(c);
  }
  free(a);
  free(b);
  free(cbuf);
}

/* ---------------------------------------------------------------- conv2d */

/* out[n,f,y,x] = sum_{ch,ky,kx} pad(in)[n, ch, y*2 + ky*dil - 1, x*2 + kx*dil - 1] * w[f,ch,ky,kx],
 * padding as select(in bounds, read, 0). */
static void test_conv2d(int dil) {
  const int64_t Nb = 1, Cin = 3, H = 11, W = 10, F = 5, KH = 3, KW = 3, S = 2, P = 1;
  const int64_t OH = (H + 2 * P - dil * (KH - 1) - 1) / S + 1,
                OW = (W + 2 * P - dil * (KW - 1) - 1) / S + 1;
  size_t ni = (size_t)(Nb * Cin * H * W), nw = (size_t)(F * Cin * KH * KW),
         no = (size_t)(Nb * F * OH * OW);
  float *in = malloc(ni * 4), *w = malloc(nw * 4), *o = malloc(no * 4);
  for (size_t i = 0; i < ni; i++)
    in[i] = (float)tcc_test_uniform(-1, 1);
  for (size_t i = 0; i < nw; i++)
    w[i] = (float)tcc_test_uniform(-1, 1);
  static const struct {
    const char *name;
    int kind;
  } sch[] = {{"default", 0}, {"auto", 1}, {"vec_par", 2}};
  for (size_t k = 0; k < TCC_ARRAY_SIZE(sch); k++) {
    tcc_context *c = tcc_context_create();
    int64_t di[4] = {Nb, Cin, H, W}, dw[4] = {F, Cin, KH, KW};
    tcc_tensor *In = ph(c, "In", TCCRT_FLOAT32, 4, di), *Wt = ph(c, "Wt", TCCRT_FLOAT32, 4, dw);
    const tcc_expr *sh[4] = {I(c, Nb), I(c, F), I(c, OH), I(c, OW)};
    const char *nm[4] = {"n", "f", "y", "x"};
    const tcc_itervar *const *ax = tcc_compute_axes(c, 4, sh, nm);
    const tcc_itervar *rc = tcc_reduce_axis(c, "rc", I(c, 0), I(c, Cin));
    const tcc_itervar *ry = tcc_reduce_axis(c, "ry", I(c, 0), I(c, KH));
    const tcc_itervar *rx = tcc_reduce_axis(c, "rx", I(c, 0), I(c, KW));
    const tcc_expr *yy = tcc_add(c, tcc_mul(c, V(c, ax[2]), I(c, S)),
                                 tcc_sub(c, tcc_mul(c, V(c, ry), I(c, dil)), I(c, P)));
    const tcc_expr *xx = tcc_add(c, tcc_mul(c, V(c, ax[3]), I(c, S)),
                                 tcc_sub(c, tcc_mul(c, V(c, rx), I(c, dil)), I(c, P)));
    const tcc_expr *inb = tcc_and(c, tcc_and(c, tcc_ge(c, yy, I(c, 0)), tcc_lt(c, yy, I(c, H))),
                                  tcc_and(c, tcc_ge(c, xx, I(c, 0)), tcc_lt(c, xx, I(c, W))));
    const tcc_expr *iidx[4] = {V(c, ax[0]), V(c, rc), yy, xx};
    const tcc_expr *widx[4] = {V(c, ax[1]), V(c, rc), V(c, ry), V(c, rx)};
    const tcc_expr *val =
        tcc_select(c, inb, tcc_read(c, In, iidx), tcc_float(c, tcc_scalar(TCCRT_FLOAT32), 0));
    const tcc_itervar *raxes[3] = {rc, ry, rx};
    const tcc_expr *body = tcc_sum(c, tcc_mul(c, val, tcc_read(c, Wt, widx)), 3, raxes, NULL);
    tcc_tensor *Out = tcc_compute(c, "Out", 4, sh, ax, body, "conv2d");
    const tcc_tensor *outs[1] = {Out};
    tcc_schedule *s = tcc_schedule_create(c, 1, outs);
    tcc_stage *st = tcc_schedule_stage(s, Out);
    tcc_status ok = TCC_OK;
    if (sch[k].kind == 1) ok = tcc_schedule_auto_cpu(c, s, Out);
    if (sch[k].kind == 2) {
      tcc_axis *xo, *xi, *f;
      ok = tcc_split(c, st, tcc_stage_axis(st, 3), 4, TCC_TAIL_GUARD, &xo, &xi);
      tcc_axis *ord[4] = {tcc_stage_reduce_axis(st, 0), tcc_stage_reduce_axis(st, 1),
                          tcc_stage_reduce_axis(st, 2), xi};
      if (ok == TCC_OK) ok = tcc_reorder(c, st, 4, ord);
      if (ok == TCC_OK) ok = tcc_vectorize(c, st, xi);
      if (ok == TCC_OK) ok = tcc_fuse(c, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), &f);
      if (ok == TCC_OK) ok = tcc_parallel(c, st, f);
    }
    CHECK_MSG(ok == TCC_OK, "conv2d %s refused: %s", sch[k].name, tcc_error_text(c));
    char what[64];
    snprintf(what, sizeof what, "conv2d_d%d_%s", dil, sch[k].name);
    const tcc_tensor *args[3] = {In, Wt, Out};
    void *bufs[3] = {in, w, o};
    if (ok == TCC_OK) lower_compare(c, s, what, 3, args, bufs, 2, no, TCCRT_FLOAT32, 2);
    tcc_context_destroy(c);
  }
  free(in);
  free(w);
  free(o);
}

/* ---------------------------------------------------------------- pipeline */

/* T[i, j] = exp(A[i, j] * 0.5); Out[i, j] = T[i, j] + T[i, (j + 1) % N] — T computed at Out's
 * row loop (compute_at), Out vectorized and parallel. */
static void test_pipeline(void) {
  const int64_t M = 9, N = 21;
  float *a = malloc((size_t)(M * N) * 4), *o = malloc((size_t)(M * N) * 4);
  for (int64_t i = 0; i < M * N; i++)
    a[i] = (float)tcc_test_uniform(-3, 3);
  for (int variant = 0; variant < 2; variant++) {
    tcc_context *c = tcc_context_create();
    int64_t da[2] = {M, N};
    tcc_tensor *A = ph(c, "A", TCCRT_FLOAT32, 2, da);
    const tcc_expr *sh[2] = {I(c, M), I(c, N)};
    const char *nm[2] = {"i", "j"};
    const tcc_itervar *const *ta = tcc_compute_axes(c, 2, sh, nm);
    const tcc_expr *ti[2] = {V(c, ta[0]), V(c, ta[1])};
    tcc_tensor *T = tcc_compute(
        c, "T", 2, sh, ta,
        tcc_call1(c, TCC_INTRIN_EXP,
                  tcc_mul(c, tcc_read(c, A, ti), tcc_float(c, tcc_scalar(TCCRT_FLOAT32), 0.5))),
        "elemwise");
    const tcc_itervar *const *oa = tcc_compute_axes(c, 2, sh, nm);
    const tcc_expr *r0[2] = {V(c, oa[0]), V(c, oa[1])};
    const tcc_expr *r1[2] = {V(c, oa[0]),
                             tcc_floormod(c, tcc_add(c, V(c, oa[1]), I(c, 1)), I(c, N))};
    tcc_tensor *Out = tcc_compute(c, "Out", 2, sh, oa,
                                  tcc_add(c, tcc_read(c, T, r0), tcc_read(c, T, r1)), "elemwise");
    const tcc_tensor *outs[1] = {Out};
    tcc_schedule *s = tcc_schedule_create(c, 1, outs);
    tcc_stage *so = tcc_schedule_stage(s, Out), *stt = tcc_schedule_stage(s, T);
    tcc_status ok = TCC_OK;
    if (variant == 0) {
      ok = tcc_compute_at(c, stt, so, tcc_stage_axis(so, 0));
      tcc_axis *jo, *ji;
      if (ok == TCC_OK) ok = tcc_split(c, so, tcc_stage_axis(so, 1), 8, TCC_TAIL_GUARD, &jo, &ji);
      if (ok == TCC_OK) ok = tcc_vectorize(c, so, ji);
      if (ok == TCC_OK) ok = tcc_parallel(c, so, tcc_stage_axis(so, 0));
    } else {
      ok = tcc_schedule_auto_cpu(c, s, Out);
    }
    CHECK_MSG(ok == TCC_OK, "pipeline %d refused: %s", variant, tcc_error_text(c));
    char what[64];
    snprintf(what, sizeof what, "pipeline_%s", variant ? "auto" : "compute_at");
    const tcc_tensor *args[2] = {A, Out};
    void *bufs[2] = {a, o};
    if (ok == TCC_OK)
      lower_compare(c, s, what, 2, args, bufs, 1, (size_t)(M * N), TCCRT_FLOAT32, 2);
    tcc_context_destroy(c);
  }
  free(a);
  free(o);
}

/* float16 storage: C = relu(A * B) + exp(A*B)/8 style chain in float16 with a vectorized,
 * parallel schedule; every operation rounds to float16 in both the interpreter and the code. */
static void test_f16_chain(void) {
  const int64_t M = 7, N = 24, K = 5;
  uint16_t *a = malloc((size_t)(M * K) * 2), *b = malloc((size_t)(K * N) * 2),
           *o = malloc((size_t)(M * N) * 2);
  for (int64_t i = 0; i < M * K; i++)
    a[i] = tcc_f32_to_f16((float)tcc_test_uniform(-2, 2));
  for (int64_t i = 0; i < K * N; i++)
    b[i] = tcc_f32_to_f16((float)tcc_test_uniform(-2, 2));
  tcc_context *c = tcc_context_create();
  int64_t da[2] = {M, K}, db[2] = {K, N};
  tcc_tensor *A = ph(c, "A", TCCRT_FLOAT16, 2, da), *B = ph(c, "B", TCCRT_FLOAT16, 2, db);
  const tcc_expr *sc[2] = {I(c, M), I(c, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(c, 2, sc, nm);
  const tcc_itervar *kk = tcc_reduce_axis(c, "k", I(c, 0), I(c, K));
  const tcc_expr *ia[2] = {V(c, ax[0]), V(c, kk)}, *ib[2] = {V(c, kk), V(c, ax[1])};
  tcc_tensor *P = tcc_compute(
      c, "P", 2, sc, ax,
      tcc_sum(c, tcc_mul(c, tcc_read(c, A, ia), tcc_read(c, B, ib)), 1, &kk, NULL), "dense");
  const tcc_itervar *const *ox = tcc_compute_axes(c, 2, sc, nm);
  const tcc_expr *pi[2] = {V(c, ox[0]), V(c, ox[1])};
  tcc_type h = tcc_scalar(TCCRT_FLOAT16);
  const tcc_expr *p = tcc_read(c, P, pi);
  const tcc_expr *body =
      tcc_add(c, tcc_max(c, p, tcc_float(c, h, 0)),
              tcc_mul(c, tcc_call1(c, TCC_INTRIN_TANH, p), tcc_float(c, h, 0.125)));
  tcc_tensor *O = tcc_compute(c, "O", 2, sc, ox, body, "elemwise");
  const tcc_tensor *outs[1] = {O};
  tcc_schedule *s = tcc_schedule_create(c, 1, outs);
  tcc_status ok = tcc_schedule_auto_cpu(c, s, O);
  CHECK_MSG(ok == TCC_OK, "f16 chain: %s", tcc_error_text(c));
  const tcc_tensor *args[3] = {A, B, O};
  void *bufs[3] = {a, b, o};
  if (ok == TCC_OK)
    lower_compare(c, s, "f16_chain", 3, args, bufs, 2, (size_t)(M * N), TCCRT_FLOAT16, 2);
  tcc_context_destroy(c);
  free(a);
  free(b);
  free(o);
}

/* cache_write: the matmul accumulates in a stack tile computed at the tile loop (vectorized,
 * row stride padded by storage_align), then is copied out; plus rfactor: a row max whose
 * factored axis is vectorized and whose rows run in parallel. */
static void test_cache_write_rfactor(void) {
  const int64_t M = 13, N = 19, K = 7;
  float *a = malloc((size_t)(M * K) * 4), *b = malloc((size_t)(K * N) * 4),
        *cc = malloc((size_t)(M * N) * 4);
  for (int64_t i = 0; i < M * K; i++)
    a[i] = (float)tcc_test_uniform(-1, 1);
  for (int64_t i = 0; i < K * N; i++)
    b[i] = (float)tcc_test_uniform(-1, 1);
  {
    tcc_context *c = tcc_context_create();
    int64_t da[2] = {M, K}, db[2] = {K, N};
    tcc_tensor *A = ph(c, "A", TCCRT_FLOAT32, 2, da), *B = ph(c, "B", TCCRT_FLOAT32, 2, db);
    const tcc_expr *sc[2] = {I(c, M), I(c, N)};
    const char *nm[2] = {"i", "j"};
    const tcc_itervar *const *ax = tcc_compute_axes(c, 2, sc, nm);
    const tcc_itervar *kk = tcc_reduce_axis(c, "k", I(c, 0), I(c, K));
    const tcc_expr *ia[2] = {V(c, ax[0]), V(c, kk)}, *ib[2] = {V(c, kk), V(c, ax[1])};
    tcc_tensor *Cc = tcc_compute(
        c, "C", 2, sc, ax,
        tcc_sum(c, tcc_mul(c, tcc_read(c, A, ia), tcc_read(c, B, ib)), 1, &kk, NULL), "dense");
    const tcc_tensor *outs[1] = {Cc};
    tcc_schedule *s = tcc_schedule_create(c, 1, outs);
    tcc_stage *st = tcc_schedule_stage(s, Cc), *cw = NULL;
    tcc_axis *io, *jo, *ii, *ji;
    tcc_status ok = tcc_cache_write(c, s, st, TCC_SCOPE_STACK, &cw);
    if (ok == TCC_OK)
      ok = tcc_tile(c, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 4, 8, TCC_TAIL_GUARD, &io,
                    &jo, &ii, &ji);
    if (ok == TCC_OK) ok = tcc_compute_at(c, cw, st, jo);
    if (ok == TCC_OK) ok = tcc_vectorize(c, st, ji);
    if (ok == TCC_OK) {
      tcc_axis *o[2] = {tcc_stage_reduce_axis(cw, 0), tcc_stage_axis(cw, 1)};
      ok = tcc_reorder(c, cw, 2, o);
    }
    if (ok == TCC_OK) ok = tcc_vectorize(c, cw, tcc_stage_axis(cw, 1));
    if (ok == TCC_OK) ok = tcc_storage_align(c, cw, 0, 16, 4);
    if (ok == TCC_OK) ok = tcc_parallel(c, st, io);
    CHECK_MSG(ok == TCC_OK, "cache_write schedule: %s", tcc_error_text(c));
    const tcc_tensor *args[3] = {A, B, Cc};
    void *bufs[3] = {a, b, cc};
    if (ok == TCC_OK)
      lower_compare(c, s, "cache_write_stack", 3, args, bufs, 2, (size_t)(M * N), TCCRT_FLOAT32, 2);
    tcc_context_destroy(c);
  }
  {
    tcc_context *c = tcc_context_create();
    int64_t da[2] = {M, K * 5};
    tcc_tensor *A = ph(c, "A", TCCRT_FLOAT32, 2, da);
    const tcc_expr *sh[1] = {I(c, M)};
    const tcc_itervar *const *ax = tcc_compute_axes(c, 1, sh, NULL);
    const tcc_itervar *k = tcc_reduce_axis(c, "k", I(c, 0), I(c, K * 5));
    const tcc_expr *ia[2] = {V(c, ax[0]), V(c, k)};
    tcc_tensor *D = tcc_compute(c, "D", 1, sh, ax,
                                tcc_reduce_max(c, tcc_read(c, A, ia), 1, &k, NULL), "reduce");
    const tcc_tensor *outs[1] = {D};
    tcc_schedule *s = tcc_schedule_create(c, 1, outs);
    tcc_stage *sd = tcc_schedule_stage(s, D), *rf = NULL;
    tcc_axis *ko, *ki;
    tcc_status ok = tcc_split(c, sd, tcc_stage_reduce_axis(sd, 0), 8, TCC_TAIL_GUARD, &ko, &ki);
    if (ok == TCC_OK) ok = tcc_rfactor(c, s, sd, ki, 1, &rf);
    if (ok == TCC_OK) {
      tcc_axis *o[2] = {tcc_stage_reduce_axis(rf, 0), tcc_stage_axis(rf, 1)};
      ok = tcc_reorder(c, rf, 2, o);
    }
    if (ok == TCC_OK) ok = tcc_vectorize(c, rf, tcc_stage_axis(rf, 1));
    if (ok == TCC_OK) ok = tcc_parallel(c, rf, tcc_stage_axis(rf, 0));
    CHECK_MSG(ok == TCC_OK, "rfactor schedule: %s", tcc_error_text(c));
    float *x = malloc((size_t)(M * K * 5) * 4), *d = malloc((size_t)M * 4);
    for (int64_t i = 0; i < M * K * 5; i++)
      x[i] = (float)tcc_test_uniform(-10, 10);
    x[7] = NAN; /* row 0: the max is NaN (NaN propagates through MAX) */
    const tcc_tensor *args[2] = {A, D};
    void *bufs[2] = {x, d};
    if (ok == TCC_OK)
      lower_compare(c, s, "rfactor_max", 2, args, bufs, 1, (size_t)M, TCCRT_FLOAT32, 2);
    free(x);
    free(d);
    tcc_context_destroy(c);
  }
  free(a);
  free(b);
  free(cc);
}

/* softmax over rows: M = max_k x, E = exp(x - M), S = sum_k E, O = E / S; automatic schedule. */
static void test_softmax(void) {
  const int64_t R = 5, L = 37;
  tcc_context *c = tcc_context_create();
  int64_t dx[2] = {R, L};
  tcc_tensor *X = ph(c, "X", TCCRT_FLOAT32, 2, dx);
  const tcc_expr *s1[1] = {I(c, R)}, *s2[2] = {I(c, R), I(c, L)};
  const tcc_itervar *const *ma = tcc_compute_axes(c, 1, s1, NULL);
  const tcc_itervar *k1 = tcc_reduce_axis(c, "k1", I(c, 0), I(c, L));
  const tcc_expr *xi[2] = {V(c, ma[0]), V(c, k1)};
  tcc_tensor *Mx = tcc_compute(c, "Mx", 1, s1, ma,
                               tcc_reduce_max(c, tcc_read(c, X, xi), 1, &k1, NULL), "reduce");
  const tcc_itervar *const *ea = tcc_compute_axes(c, 2, s2, NULL);
  const tcc_expr *ei[2] = {V(c, ea[0]), V(c, ea[1])}, *em[1] = {V(c, ea[0])};
  tcc_tensor *E =
      tcc_compute(c, "E", 2, s2, ea,
                  tcc_call1(c, TCC_INTRIN_EXP, tcc_sub(c, tcc_read(c, X, ei), tcc_read(c, Mx, em))),
                  "elemwise");
  const tcc_itervar *const *sa = tcc_compute_axes(c, 1, s1, NULL);
  const tcc_itervar *k2 = tcc_reduce_axis(c, "k2", I(c, 0), I(c, L));
  const tcc_expr *si[2] = {V(c, sa[0]), V(c, k2)};
  tcc_tensor *S =
      tcc_compute(c, "S", 1, s1, sa, tcc_sum(c, tcc_read(c, E, si), 1, &k2, NULL), "reduce");
  const tcc_itervar *const *oa = tcc_compute_axes(c, 2, s2, NULL);
  const tcc_expr *oi[2] = {V(c, oa[0]), V(c, oa[1])}, *os[1] = {V(c, oa[0])};
  tcc_tensor *O =
      tcc_compute(c, "O", 2, s2, oa, tcc_div(c, tcc_read(c, E, oi), tcc_read(c, S, os)), "softmax");
  const tcc_tensor *outs[1] = {O};
  tcc_schedule *s = tcc_schedule_create(c, 1, outs);
  tcc_status ok = tcc_schedule_auto_cpu(c, s, O);
  CHECK_MSG(ok == TCC_OK, "softmax: %s", tcc_error_text(c));
  float *x = malloc((size_t)(R * L) * 4), *o = malloc((size_t)(R * L) * 4);
  for (int64_t i = 0; i < R * L; i++)
    x[i] = (float)tcc_test_uniform(-20, 20);
  const tcc_tensor *args[2] = {X, O};
  void *bufs[2] = {x, o};
  if (ok == TCC_OK)
    lower_compare(c, s, "softmax_auto", 2, args, bufs, 1, (size_t)(R * L), TCCRT_FLOAT32, 2);
  free(x);
  free(o);
  tcc_context_destroy(c);
}

int main(void) {
  tcc_test_seed("test_llvm_lowered");
  test_f16_chain();
  test_matmul(TCCRT_FLOAT32, 19, 23, 17);
  test_matmul(TCCRT_FLOAT32, 32, 16, 8);
  test_matmul(TCCRT_INT32, 13, 21, 11);
  test_conv2d(1);
  test_conv2d(2);
  test_pipeline();
  test_cache_write_rfactor();
  test_softmax();
  return tcc_test_finish("test_llvm_lowered");
}
