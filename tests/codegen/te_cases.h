/* te_cases.h — scheduled tensor-expression kernels lowered to PrimFuncs (schedule/tcc_lower), for
 * the code generator tests that run them on other targets: matmul (tiled + vectorized + unrolled
 * + parallel), conv2d NCHW (stride 2, padding 1 as a SELECT, vectorized + parallel) and a
 * compute_at pipeline with exp. Each case also says its buffer sizes and which buffer is the
 * output. */
#ifndef TCC_TE_CASES_H
#define TCC_TE_CASES_H

#include "schedule.h"
#include "te.h"

typedef struct te_case {
  tcc_primfunc *fn;
  int nbufs, out;
  tccrt_dtype dtype; /* of every buffer */
  int64_t elems[4];  /* elements per buffer */
} te_case;

static inline const tcc_expr *tcI(tcc_context *c, int64_t v) { return tcc_idx(c, v); }
static inline const tcc_expr *tcV(tcc_context *c, const tcc_itervar *iv) {
  return tcc_expr_var(c, iv->var);
}
static inline tcc_tensor *tc_ph(tcc_context *c, const char *n, tccrt_dtype dt, int nd,
                                const int64_t *d) {
  const tcc_expr *sh[8];
  for (int i = 0; i < nd; i++)
    sh[i] = tcI(c, d[i]);
  return tcc_placeholder(c, n, dt, nd, sh);
}

/* C = A * B (M x K times K x N): tile 3x8, split k by 2, unroll, vectorize, fuse+parallel. */
static inline bool tc_matmul(tcc_context *c, const char *name, tccrt_dtype dt, int64_t M, int64_t N,
                             int64_t K, te_case *out) {
  int64_t da[2] = {M, K}, db[2] = {K, N};
  tcc_tensor *A = tc_ph(c, "A", dt, 2, da), *B = tc_ph(c, "B", dt, 2, db);
  const tcc_expr *sc[2] = {tcI(c, M), tcI(c, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(c, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(c, "k", tcI(c, 0), tcI(c, K));
  const tcc_expr *ia[2] = {tcV(c, ax[0]), tcV(c, k)}, *ib[2] = {tcV(c, k), tcV(c, ax[1])};
  const tcc_expr *body =
      tcc_sum(c, tcc_mul(c, tcc_read(c, A, ia), tcc_read(c, B, ib)), 1, &k, NULL);
  tcc_tensor *C = tcc_compute(c, "C", 2, sc, ax, body, "dense");
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(c, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, C);
  tcc_axis *io, *jo, *ii, *ji, *ko, *ki, *f;
  if (tcc_tile(c, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 3, 8, TCC_TAIL_GUARD, &io, &jo,
               &ii, &ji) != TCC_OK ||
      tcc_split(c, st, tcc_stage_reduce_axis(st, 0), 2, TCC_TAIL_GUARD, &ko, &ki) != TCC_OK)
    return false;
  tcc_axis *ord[6] = {io, jo, ko, ii, ki, ji};
  if (tcc_reorder(c, st, 6, ord) != TCC_OK || tcc_unroll(c, st, ki) != TCC_OK ||
      tcc_vectorize(c, st, ji) != TCC_OK || tcc_fuse(c, st, io, jo, &f) != TCC_OK ||
      tcc_parallel(c, st, f) != TCC_OK)
    return false;
  const tcc_tensor *args[3] = {A, B, C};
  if (tcc_lower(c, s, name, 3, args, &out->fn) != TCC_OK) return false;
  out->nbufs = 3;
  out->out = 2;
  out->dtype = dt;
  out->elems[0] = M * K;
  out->elems[1] = K * N;
  out->elems[2] = M * N;
  return true;
}

/* Out[n,f,y,x] = sum pad(In)[n,c,2y+ky-1,2x+kx-1] * W[f,c,ky,kx]; x split by 4 and vectorized,
 * (n, f) fused and parallel. */
static inline bool tc_conv2d(tcc_context *c, const char *name, te_case *out) {
  const int64_t Nb = 1, Cin = 3, H = 11, W = 10, F = 5, KH = 3, KW = 3;
  const int64_t OH = (H + 2 - KH) / 2 + 1, OW = (W + 2 - KW) / 2 + 1;
  int64_t di[4] = {Nb, Cin, H, W}, dw[4] = {F, Cin, KH, KW};
  tcc_tensor *In = tc_ph(c, "In", TCCRT_FLOAT32, 4, di), *Wt = tc_ph(c, "Wt", TCCRT_FLOAT32, 4, dw);
  const tcc_expr *sh[4] = {tcI(c, Nb), tcI(c, F), tcI(c, OH), tcI(c, OW)};
  const char *nm[4] = {"n", "f", "y", "x"};
  const tcc_itervar *const *ax = tcc_compute_axes(c, 4, sh, nm);
  const tcc_itervar *rc = tcc_reduce_axis(c, "rc", tcI(c, 0), tcI(c, Cin));
  const tcc_itervar *ry = tcc_reduce_axis(c, "ry", tcI(c, 0), tcI(c, KH));
  const tcc_itervar *rx = tcc_reduce_axis(c, "rx", tcI(c, 0), tcI(c, KW));
  const tcc_expr *yy =
      tcc_add(c, tcc_mul(c, tcV(c, ax[2]), tcI(c, 2)), tcc_sub(c, tcV(c, ry), tcI(c, 1)));
  const tcc_expr *xx =
      tcc_add(c, tcc_mul(c, tcV(c, ax[3]), tcI(c, 2)), tcc_sub(c, tcV(c, rx), tcI(c, 1)));
  const tcc_expr *inb = tcc_and(c, tcc_and(c, tcc_ge(c, yy, tcI(c, 0)), tcc_lt(c, yy, tcI(c, H))),
                                tcc_and(c, tcc_ge(c, xx, tcI(c, 0)), tcc_lt(c, xx, tcI(c, W))));
  const tcc_expr *iidx[4] = {tcV(c, ax[0]), tcV(c, rc), yy, xx};
  const tcc_expr *widx[4] = {tcV(c, ax[1]), tcV(c, rc), tcV(c, ry), tcV(c, rx)};
  const tcc_expr *val =
      tcc_select(c, inb, tcc_read(c, In, iidx), tcc_float(c, tcc_scalar(TCCRT_FLOAT32), 0));
  const tcc_itervar *raxes[3] = {rc, ry, rx};
  const tcc_expr *body = tcc_sum(c, tcc_mul(c, val, tcc_read(c, Wt, widx)), 3, raxes, NULL);
  tcc_tensor *Out = tcc_compute(c, "Out", 4, sh, ax, body, "conv2d");
  const tcc_tensor *outs[1] = {Out};
  tcc_schedule *s = tcc_schedule_create(c, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, Out);
  tcc_axis *xo, *xi, *f;
  if (tcc_split(c, st, tcc_stage_axis(st, 3), 4, TCC_TAIL_GUARD, &xo, &xi) != TCC_OK) return false;
  tcc_axis *ord[4] = {tcc_stage_reduce_axis(st, 0), tcc_stage_reduce_axis(st, 1),
                      tcc_stage_reduce_axis(st, 2), xi};
  if (tcc_reorder(c, st, 4, ord) != TCC_OK || tcc_vectorize(c, st, xi) != TCC_OK ||
      tcc_fuse(c, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), &f) != TCC_OK ||
      tcc_parallel(c, st, f) != TCC_OK)
    return false;
  const tcc_tensor *args[3] = {In, Wt, Out};
  if (tcc_lower(c, s, name, 3, args, &out->fn) != TCC_OK) return false;
  out->nbufs = 3;
  out->out = 2;
  out->dtype = TCCRT_FLOAT32;
  out->elems[0] = Nb * Cin * H * W;
  out->elems[1] = F * Cin * KH * KW;
  out->elems[2] = Nb * F * OH * OW;
  return true;
}

/* T = exp(A * 0.5) computed at Out's rows; Out[i,j] = T[i,j] + T[i,(j+1)%N], vectorized and
 * parallel. */
static inline bool tc_pipeline(tcc_context *c, const char *name, te_case *out) {
  const int64_t M = 9, N = 21;
  int64_t da[2] = {M, N};
  tcc_tensor *A = tc_ph(c, "A", TCCRT_FLOAT32, 2, da);
  const tcc_expr *sh[2] = {tcI(c, M), tcI(c, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ta = tcc_compute_axes(c, 2, sh, nm);
  const tcc_expr *ti[2] = {tcV(c, ta[0]), tcV(c, ta[1])};
  tcc_tensor *T = tcc_compute(
      c, "T", 2, sh, ta,
      tcc_call1(c, TCC_INTRIN_EXP,
                tcc_mul(c, tcc_read(c, A, ti), tcc_float(c, tcc_scalar(TCCRT_FLOAT32), 0.5))),
      "elemwise");
  const tcc_itervar *const *oa = tcc_compute_axes(c, 2, sh, nm);
  const tcc_expr *r0[2] = {tcV(c, oa[0]), tcV(c, oa[1])};
  const tcc_expr *r1[2] = {tcV(c, oa[0]),
                           tcc_floormod(c, tcc_add(c, tcV(c, oa[1]), tcI(c, 1)), tcI(c, N))};
  tcc_tensor *Out = tcc_compute(c, "Out", 2, sh, oa,
                                tcc_add(c, tcc_read(c, T, r0), tcc_read(c, T, r1)), "elemwise");
  const tcc_tensor *outs[1] = {Out};
  tcc_schedule *s = tcc_schedule_create(c, 1, outs);
  tcc_stage *so = tcc_schedule_stage(s, Out), *stt = tcc_schedule_stage(s, T);
  tcc_axis *jo, *ji;
  if (tcc_compute_at(c, stt, so, tcc_stage_axis(so, 0)) != TCC_OK ||
      tcc_split(c, so, tcc_stage_axis(so, 1), 8, TCC_TAIL_GUARD, &jo, &ji) != TCC_OK ||
      tcc_vectorize(c, so, ji) != TCC_OK || tcc_parallel(c, so, tcc_stage_axis(so, 0)) != TCC_OK)
    return false;
  const tcc_tensor *args[2] = {A, Out};
  if (tcc_lower(c, s, name, 2, args, &out->fn) != TCC_OK) return false;
  out->nbufs = 2;
  out->out = 1;
  out->dtype = TCCRT_FLOAT32;
  out->elems[0] = M * N;
  out->elems[1] = M * N;
  return true;
}

#endif /* TCC_TE_CASES_H */
