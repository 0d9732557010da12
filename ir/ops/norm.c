/* norm.c — the normalization op family: BatchNormalization, InstanceNormalization,
 * LayerNormalization, GroupNormalization, LRN, MeanVarianceNormalization.
 *
 * Spec: ONNX BatchNormalization (opsets 1, 6, 7, 9, 14, 15; inference mode
 * y = (x - mean) / sqrt(var + epsilon) * scale + B per channel (axis 1), and from 14 training_mode
 * with batch statistics and running-stat outputs), InstanceNormalization (1, 6, 22),
 * LayerNormalization (17), GroupNormalization (18: scale/bias per group; 21: per channel),
 * LRN (1, 13), MeanVarianceNormalization (9, 13), RMSNormalization (23), LpNormalization
 * (1, 22). Statistics are computed in float32 for float16
 * inputs (stash_type), as two reductions (mean, then mean of squared deviations). */
#include "nn_util.h"

#include <math.h>
#include <string.h>

#define A_END {NULL, 0, false}
static const tcc_attr_schema bn1_attrs[] = {
    {"consumed_inputs", TCC_ATTR_INTS, false}, {"epsilon", TCC_ATTR_FLOAT, false},
    {"is_test", TCC_ATTR_INT, false},          {"momentum", TCC_ATTR_FLOAT, false},
    {"spatial", TCC_ATTR_INT, false},          A_END};
static const tcc_attr_schema bn6_attrs[] = {{"epsilon", TCC_ATTR_FLOAT, false},
                                            {"is_test", TCC_ATTR_INT, false},
                                            {"momentum", TCC_ATTR_FLOAT, false},
                                            {"spatial", TCC_ATTR_INT, false},
                                            A_END};
static const tcc_attr_schema bn7_attrs[] = {{"epsilon", TCC_ATTR_FLOAT, false},
                                            {"momentum", TCC_ATTR_FLOAT, false},
                                            {"spatial", TCC_ATTR_INT, false},
                                            A_END};
static const tcc_attr_schema bn9_attrs[] = {
    {"epsilon", TCC_ATTR_FLOAT, false}, {"momentum", TCC_ATTR_FLOAT, false}, A_END};
static const tcc_attr_schema bn14_attrs[] = {{"epsilon", TCC_ATTR_FLOAT, false},
                                             {"momentum", TCC_ATTR_FLOAT, false},
                                             {"training_mode", TCC_ATTR_INT, false},
                                             A_END};
static const tcc_attr_schema in1_attrs[] = {
    {"consumed_inputs", TCC_ATTR_INTS, false}, {"epsilon", TCC_ATTR_FLOAT, false}, A_END};
static const tcc_attr_schema in6_attrs[] = {{"epsilon", TCC_ATTR_FLOAT, false}, A_END};
static const tcc_attr_schema ln_attrs[] = {{"axis", TCC_ATTR_INT, false},
                                           {"epsilon", TCC_ATTR_FLOAT, false},
                                           {"stash_type", TCC_ATTR_INT, false},
                                           A_END};
static const tcc_attr_schema gn_attrs[] = {{"epsilon", TCC_ATTR_FLOAT, false},
                                           {"num_groups", TCC_ATTR_INT, true},
                                           {"stash_type", TCC_ATTR_INT, false},
                                           A_END};
static const tcc_attr_schema lrn_attrs[] = {{"alpha", TCC_ATTR_FLOAT, false},
                                            {"beta", TCC_ATTR_FLOAT, false},
                                            {"bias", TCC_ATTR_FLOAT, false},
                                            {"size", TCC_ATTR_INT, true},
                                            A_END};
static const tcc_attr_schema mvn_attrs[] = {{"axes", TCC_ATTR_INTS, false}, A_END};
static const tcc_attr_schema rms_attrs[] = {{"axis", TCC_ATTR_INT, false},
                                            {"epsilon", TCC_ATTR_FLOAT, false},
                                            {"stash_type", TCC_ATTR_INT, false},
                                            A_END};
static const tcc_attr_schema lpn_attrs[] = {
    {"axis", TCC_ATTR_INT, false}, {"p", TCC_ATTR_INT, false}, A_END};

/* Input k must be 1-D with `len` elements (when both are constant). */
static tcc_status check_vec(tcc_infer_ctx *ic, const tcc_node *n, int k, const char *what,
                            const tcc_expr *len) {
  const tcc_value *v = tcc_op_input(n, k);
  if (!v || v->ndim < 0) return TCC_OK;
  int64_t a, b;
  if (v->ndim == 1 &&
      (!tcc_expr_is_int_imm(v->dims[0], &a) || !tcc_expr_is_int_imm(len, &b) || a == b))
    return TCC_OK;
  return tcc_node_error(ic->ctx, ic->graph, n, "%s (input %d) has shape %s; expected [%s]", what, k,
                        tcc_value_shape_str(ic->ctx, v), tcc_expr_str(ic->ctx, len));
}

static tcc_status infer_batchnorm(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  if (X->ndim < 2)
    return tcc_node_error(ctx, ic->graph, n, "input X has shape %s; expected N x C x ...",
                          tcc_value_shape_str(ctx, X));
  int64_t spatial = 1;
  if (tcc_node_attr(n, "spatial")) TCC_TRY(nn_attr_int(ic, n, "spatial", 1, &spatial));
  if (spatial != 1)
    return tcc_node_error(ctx, ic->graph, n, "attribute 'spatial' = %lld is not supported (only 1)",
                          (long long)spatial);
  static const char *const names[] = {"X", "scale", "B", "mean", "var"};
  for (int k = 1; k < 5; k++) {
    if (n->opset < 15) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
    TCC_TRY(check_vec(ic, n, k, names[k], X->dims[1]));
  }
  TCC_TRY(tcc_infer_output_like(ic, n, 0, X));
  /* running mean / var (and saved mean / var before 14): [C] */
  for (int k = 1; k < n->noutputs; k++) {
    const tcc_value *src = tcc_op_input(n, k <= 2 ? k + 2 : 3);
    tccrt_dtype dt = src ? src->dtype : X->dtype;
    TCC_TRY(tcc_infer_set_output(ic, n, k, dt, 1, &X->dims[1]));
  }
  return TCC_OK;
}

static tcc_status infer_instancenorm(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  if (X->ndim < 3)
    return tcc_node_error(ic->ctx, ic->graph, n, "input X has shape %s; expected N x C x D1 ...",
                          tcc_value_shape_str(ic->ctx, X));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  TCC_TRY(check_vec(ic, n, 1, "scale", X->dims[1]));
  TCC_TRY(check_vec(ic, n, 2, "B", X->dims[1]));
  return tcc_infer_output_like(ic, n, 0, X);
}

static tcc_status stash_dtype(tcc_infer_ctx *ic, const tcc_node *n, tccrt_dtype x,
                              tccrt_dtype *out) {
  int64_t st = 1;
  TCC_TRY(nn_attr_int(ic, n, "stash_type", 1, &st));
  *out = st == 1 ? TCCRT_FLOAT32 : (tccrt_dtype)st;
  if (!tcc_dtype_is_float(*out))
    return tcc_node_error(ic->ctx, ic->graph, n, "attribute 'stash_type' %lld is not a float type",
                          (long long)st);
  (void)x;
  return TCC_OK;
}

static tcc_status infer_layernorm(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  int64_t axis;
  int ax;
  TCC_TRY(nn_attr_int(ic, n, "axis", -1, &axis));
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, X->ndim, &ax));
  for (int k = 1; k < 3; k++) {
    if (!tcc_op_input(n, k)) continue;
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
    TCC_TRY(nn_check_unibroadcast(ic, n, k, k == 1 ? "Scale" : "B", X->ndim - ax, X->dims + ax));
  }
  TCC_TRY(tcc_infer_output_like(ic, n, 0, X));
  tccrt_dtype st;
  TCC_TRY(stash_dtype(ic, n, X->dtype, &st));
  const tcc_expr *dims[TCCRT_MAX_RANK];
  for (int d = 0; d < X->ndim; d++)
    dims[d] = d < ax ? X->dims[d] : tcc_idx(ctx, 1);
  TCC_TRY(tcc_infer_set_output(ic, n, 1, st, X->ndim, dims));
  return tcc_infer_set_output(ic, n, 2, st, X->ndim, dims);
}

static tcc_status infer_groupnorm(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  if (X->ndim < 3)
    return tcc_node_error(ctx, ic->graph, n, "input X has shape %s; expected N x C x D1 ...",
                          tcc_value_shape_str(ctx, X));
  int64_t G, c;
  TCC_TRY(nn_attr_int(ic, n, "num_groups", 0, &G));
  if (G < 1) return tcc_node_error(ctx, ic->graph, n, "attribute 'num_groups' must be >= 1");
  if (tcc_expr_is_int_imm(X->dims[1], &c) && c % G)
    return tcc_node_error(ctx, ic->graph, n, "%lld channels are not divisible by num_groups %lld",
                          (long long)c, (long long)G);
  const tcc_expr *len = n->opset >= 21 ? X->dims[1] : tcc_idx(ctx, G);
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  TCC_TRY(check_vec(ic, n, 1, "scale", len));
  TCC_TRY(check_vec(ic, n, 2, "bias", len));
  return tcc_infer_output_like(ic, n, 0, X);
}

static tcc_status infer_lrn(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  if (X->ndim < 3)
    return tcc_node_error(ic->ctx, ic->graph, n, "input X has shape %s; expected N x C x D1 ...",
                          tcc_value_shape_str(ic->ctx, X));
  int64_t size;
  TCC_TRY(nn_attr_int(ic, n, "size", 0, &size));
  if (size < 1) return tcc_node_error(ic->ctx, ic->graph, n, "attribute 'size' must be >= 1");
  return tcc_infer_output_like(ic, n, 0, X);
}

static tcc_status mvn_axes(tcc_infer_ctx *ic, const tcc_node *n, int rank, bool red[]) {
  int cnt = -1;
  const int64_t *v;
  TCC_TRY(tcc_node_attr_ints(ic->ctx, ic->graph, n, "axes", &cnt, &v));
  static const int64_t dflt[3] = {0, 2, 3};
  if (cnt < 0) {
    cnt = 3;
    v = dflt;
  }
  int ax[TCCRT_MAX_RANK];
  if (cnt > TCCRT_MAX_RANK) return tcc_node_error(ic->ctx, ic->graph, n, "too many axes");
  TCC_TRY(tcc_infer_axes(ic, n, "axes", cnt, v, rank, ax));
  for (int d = 0; d < rank; d++)
    red[d] = false;
  for (int i = 0; i < cnt; i++)
    red[ax[i]] = true;
  return TCC_OK;
}

static tcc_status infer_mvn(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  bool red[TCCRT_MAX_RANK];
  TCC_TRY(mvn_axes(ic, n, X->ndim, red));
  return tcc_infer_output_like(ic, n, 0, X);
}

/* RMSNormalization (23): X normalized over dims [axis, rank), Scale broadcast to them. */
static tcc_status infer_rmsnorm(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X, *S;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  TCC_TRY(tcc_infer_input(ic, n, 1, &S));
  int64_t axis;
  int ax;
  TCC_TRY(nn_attr_int(ic, n, "axis", -1, &axis));
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, X->ndim, &ax));
  TCC_TRY(nn_check_unibroadcast(ic, n, 1, "scale", X->ndim - ax, X->dims + ax));
  tccrt_dtype st;
  TCC_TRY(stash_dtype(ic, n, X->dtype, &st));
  return tcc_infer_output_like(ic, n, 0, X);
}

/* LpNormalization (1, 22): x / ||x||_p along axis (p 1 or 2). */
static tcc_status infer_lpnorm(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  int64_t axis, p;
  int ax;
  TCC_TRY(nn_attr_int(ic, n, "axis", -1, &axis));
  TCC_TRY(nn_attr_int(ic, n, "p", 2, &p));
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, X->ndim, &ax));
  if (p != 1 && p != 2)
    return tcc_node_error(ic->ctx, ic->graph, n, "attribute 'p' is %lld; expected 1 or 2",
                          (long long)p);
  return tcc_infer_output_like(ic, n, 0, X);
}

/* ---- computes ---- */

/* Mean (and, when var != NULL, population variance) of x over the dims marked in red[], kept
 * as extent-1 dims, in dtype acc. With sq, var is E[x^2] - E[x]^2 (the MVN reference);
 * otherwise E[(x - mean)^2]. */
static void moments(tcc_context *ctx, const tcc_tensor *X, const bool *red, tccrt_dtype acc,
                    bool sq, tcc_tensor **mean, tcc_tensor **var) {
  int nd = X->ndim;
  tcc_type at = tcc_scalar(acc);
  const tcc_expr *shape[TCCRT_MAX_RANK];
  const tcc_expr *count = tcc_idx(ctx, 1);
  for (int d = 0; d < nd; d++) {
    shape[d] = red[d] ? tcc_idx(ctx, 1) : X->shape[d];
    if (red[d]) count = tcc_mul(ctx, count, X->shape[d]);
  }
  const tcc_expr *fcount = tcc_cast(ctx, at, count);
  for (int pass = 0; pass < (var ? 2 : 1); pass++) {
    const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, shape, NULL);
    const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
    const tcc_itervar *rv[TCCRT_MAX_RANK];
    const tcc_expr *xi[TCCRT_MAX_RANK];
    int nr = 0;
    for (int d = 0; d < nd; d++) {
      if (red[d]) {
        rv[nr] = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), X->shape[d]);
        xi[d] = tcc_expr_var(ctx, rv[nr++]->var);
      } else {
        xi[d] = o[d];
      }
    }
    const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, xi));
    const tcc_expr *src;
    if (pass == 0)
      src = x;
    else if (sq)
      src = tcc_mul(ctx, x, x);
    else {
      const tcc_expr *dv = tcc_sub(ctx, x, tcc_read(ctx, *mean, o));
      src = tcc_mul(ctx, dv, dv);
    }
    tcc_tensor *s = tcc_compute(ctx, pass ? "var_sum" : "mean_sum", nd, shape, ax,
                                tcc_sum(ctx, src, nr, rv, NULL), "reduce");
    const tcc_itervar *const *ax2 = tcc_compute_axes(ctx, nd, shape, NULL);
    const tcc_expr **o2 = nn_axis_exprs(ctx, nd, ax2);
    const tcc_expr *m = tcc_div(ctx, tcc_read(ctx, s, o2), fcount);
    if (pass == 1 && sq) {
      const tcc_expr *mu = tcc_read(ctx, *mean, o2);
      m = tcc_sub(ctx, m, tcc_mul(ctx, mu, mu));
    }
    tcc_tensor *r = tcc_compute(ctx, pass ? "var" : "mean", nd, shape, ax2, m, "elemwise");
    if (pass == 0)
      *mean = r;
    else
      *var = r;
  }
}

/* Reads a keepdims statistic at x's index o (reduced dims read 0). */
static const tcc_expr *read_stat(tcc_context *ctx, const tcc_tensor *s, const tcc_expr *const *o) {
  return nn_read_bcast(ctx, s, s->ndim, o);
}

/* A per-channel 1-D tensor at channel c, converted to `at`. */
static const tcc_expr *chan(tcc_context *ctx, const tcc_tensor *t, const tcc_expr *c, tcc_type at) {
  return tcc_cast(ctx, at, tcc_read(ctx, t, &c));
}

static const tcc_expr *rsqrt_eps(tcc_context *ctx, const tcc_expr *var, double eps) {
  return tcc_div(
      ctx, tcc_const(ctx, var->type, 1.0),
      tcc_call1(ctx, TCC_INTRIN_SQRT, tcc_add(ctx, var, tcc_const(ctx, var->type, eps))));
}

static tcc_status compute_batchnorm(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  double eps, mom;
  int64_t training = 0;
  TCC_TRY(nn_attr_float(&ic, n, "epsilon", 1e-5, &eps));
  TCC_TRY(nn_attr_float(&ic, n, "momentum", 0.9, &mom));
  if (n->opset >= 14) TCC_TRY(nn_attr_int(&ic, n, "training_mode", 0, &training));
  const tcc_tensor *X = cc->inputs[0], *S = cc->inputs[1], *B = cc->inputs[2], *M = cc->inputs[3],
                   *V = cc->inputs[4];
  int nd = X->ndim;
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  tcc_tensor *bm = NULL, *bv = NULL;
  if (training) {
    bool red[TCCRT_MAX_RANK];
    for (int d = 0; d < nd; d++)
      red[d] = d != 1;
    moments(ctx, X, red, at.dtype, false, &bm, &bv);
  }
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *c = o[1];
  const tcc_expr *mean = training ? read_stat(ctx, bm, o) : chan(ctx, M, c, at);
  const tcc_expr *var = training ? read_stat(ctx, bv, o) : chan(ctx, V, c, at);
  const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, o));
  const tcc_expr *y =
      tcc_add(ctx,
              tcc_mul(ctx, tcc_mul(ctx, tcc_sub(ctx, x, mean), rsqrt_eps(ctx, var, eps)),
                      chan(ctx, S, c, at)),
              chan(ctx, B, c, at));
  outputs[0] = tcc_compute(ctx, "batchnorm", nd, X->shape, ax,
                           tcc_cast(ctx, tcc_scalar(X->dtype), y), "broadcast");
  if (training) {
    /* running = input_running * momentum + batch * (1 - momentum) */
    for (int k = 1; k < n->noutputs && k <= 2; k++) {
      if (!n->outputs[k]) continue;
      const tcc_tensor *in = k == 1 ? M : V, *b = k == 1 ? bm : bv;
      const tcc_itervar *const *a1 = tcc_compute_axes(ctx, 1, &X->shape[1], NULL);
      const tcc_expr *ci = tcc_expr_var(ctx, a1[0]->var);
      const tcc_expr *bi[TCCRT_MAX_RANK];
      for (int d = 0; d < nd; d++)
        bi[d] = d == 1 ? ci : tcc_idx(ctx, 0);
      const tcc_expr *r =
          tcc_add(ctx, tcc_mul(ctx, chan(ctx, in, ci, at), tcc_const(ctx, at, mom)),
                  tcc_mul(ctx, tcc_read(ctx, b, bi), tcc_const(ctx, at, 1.0 - mom)));
      outputs[k] = tcc_compute(ctx, k == 1 ? "running_mean" : "running_var", 1, &X->shape[1], a1,
                               tcc_cast(ctx, tcc_scalar(in->dtype), r), "elemwise");
    }
  } else {
    for (int k = 1; k < n->noutputs; k++)
      if (n->outputs[k]) return nn_compute_error(cc, "outputs beyond Y need training_mode = 1");
  }
  return TCC_OK;
}

static tcc_status compute_instancenorm(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  double eps;
  TCC_TRY(nn_attr_float(&ic, cc->node, "epsilon", 1e-5, &eps));
  const tcc_tensor *X = cc->inputs[0], *S = cc->inputs[1], *B = cc->inputs[2];
  int nd = X->ndim;
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  bool red[TCCRT_MAX_RANK];
  for (int d = 0; d < nd; d++)
    red[d] = d >= 2;
  tcc_tensor *m, *v;
  moments(ctx, X, red, at.dtype, false, &m, &v);
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, o));
  const tcc_expr *y = tcc_mul(ctx, tcc_sub(ctx, x, read_stat(ctx, m, o)),
                              rsqrt_eps(ctx, read_stat(ctx, v, o), eps));
  y = tcc_add(ctx, tcc_mul(ctx, y, chan(ctx, S, o[1], at)), chan(ctx, B, o[1], at));
  outputs[0] = tcc_compute(ctx, "instancenorm", nd, X->shape, ax,
                           tcc_cast(ctx, tcc_scalar(X->dtype), y), "elemwise");
  return TCC_OK;
}

static tcc_status compute_layernorm(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  double eps;
  int64_t axis;
  TCC_TRY(nn_attr_float(&ic, n, "epsilon", 1e-5, &eps));
  TCC_TRY(nn_attr_int(&ic, n, "axis", -1, &axis));
  const tcc_tensor *X = cc->inputs[0], *S = cc->inputs[1];
  const tcc_tensor *B = n->ninputs > 2 ? cc->inputs[2] : NULL;
  int nd = X->ndim, ax0;
  TCC_TRY(tcc_infer_axis(&ic, n, "axis", axis, nd, &ax0));
  tccrt_dtype st;
  TCC_TRY(stash_dtype(&ic, n, X->dtype, &st));
  tcc_type at = tcc_scalar(st);
  bool red[TCCRT_MAX_RANK];
  for (int d = 0; d < nd; d++)
    red[d] = d >= ax0;
  tcc_tensor *m, *v;
  moments(ctx, X, red, st, false, &m, &v);
  /* inv_std = 1 / sqrt(var + eps), keepdims */
  const tcc_itervar *const *ai = tcc_compute_axes(ctx, nd, v->shape, NULL);
  const tcc_expr **oi = nn_axis_exprs(ctx, nd, ai);
  tcc_tensor *inv = tcc_compute(ctx, "inv_std_dev", nd, v->shape, ai,
                                rsqrt_eps(ctx, tcc_read(ctx, v, oi), eps), "elemwise");
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, o));
  const tcc_expr *y = tcc_mul(ctx, tcc_sub(ctx, x, read_stat(ctx, m, o)), read_stat(ctx, inv, o));
  /* The reference normalizes in the stash type, casts to X's type, then applies scale and B. */
  tcc_type xt = tcc_scalar(X->dtype);
  y = tcc_cast(ctx, xt, y);
  y = tcc_mul(ctx, y, tcc_cast(ctx, xt, nn_read_bcast(ctx, S, nd, o)));
  if (B) y = tcc_add(ctx, y, tcc_cast(ctx, xt, nn_read_bcast(ctx, B, nd, o)));
  outputs[0] = tcc_compute(ctx, "layernorm", nd, X->shape, ax, y, "elemwise");
  if (n->noutputs > 1 && n->outputs[1]) outputs[1] = m;
  if (n->noutputs > 2 && n->outputs[2]) outputs[2] = inv;
  return TCC_OK;
}

static tcc_status compute_groupnorm(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  double eps;
  int64_t G;
  TCC_TRY(nn_attr_float(&ic, n, "epsilon", 1e-5, &eps));
  TCC_TRY(nn_attr_int(&ic, n, "num_groups", 1, &G));
  tccrt_dtype st = TCCRT_FLOAT32;
  if (n->opset >= 21) TCC_TRY(stash_dtype(&ic, n, cc->inputs[0]->dtype, &st));
  const tcc_tensor *X = cc->inputs[0], *S = cc->inputs[1], *B = cc->inputs[2];
  int nd = X->ndim;
  tcc_type at = tcc_scalar(st);
  const tcc_expr *Cg = tcc_shape_canon(ctx, tcc_floordiv(ctx, X->shape[1], tcc_idx(ctx, G)));
  const tcc_expr *gshape[2] = {X->shape[0], tcc_idx(ctx, G)};
  const tcc_expr *count = Cg;
  for (int d = 2; d < nd; d++)
    count = tcc_mul(ctx, count, X->shape[d]);
  tcc_tensor *stat[2];
  for (int pass = 0; pass < 2; pass++) {
    const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, gshape, NULL);
    const tcc_itervar *rv[TCCRT_MAX_RANK];
    const tcc_expr *xi[TCCRT_MAX_RANK];
    rv[0] = tcc_reduce_axis(ctx, "rc", tcc_idx(ctx, 0), Cg);
    const tcc_expr *g = tcc_expr_var(ctx, ax[1]->var);
    xi[0] = tcc_expr_var(ctx, ax[0]->var);
    xi[1] = tcc_add(ctx, tcc_mul(ctx, g, Cg), tcc_expr_var(ctx, rv[0]->var));
    for (int d = 2; d < nd; d++) {
      rv[d - 1] = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), X->shape[d]);
      xi[d] = tcc_expr_var(ctx, rv[d - 1]->var);
    }
    const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, xi));
    if (pass == 1) {
      const tcc_expr *gi[2] = {xi[0], g};
      x = tcc_sub(ctx, x, tcc_read(ctx, stat[0], gi));
      x = tcc_mul(ctx, x, x);
    }
    tcc_tensor *s =
        tcc_compute(ctx, "gn_sum", 2, gshape, ax, tcc_sum(ctx, x, nd - 1, rv, NULL), "reduce");
    const tcc_itervar *const *ax2 = tcc_compute_axes(ctx, 2, gshape, NULL);
    const tcc_expr **o2 = nn_axis_exprs(ctx, 2, ax2);
    stat[pass] =
        tcc_compute(ctx, pass ? "gn_var" : "gn_mean", 2, gshape, ax2,
                    tcc_div(ctx, tcc_read(ctx, s, o2), tcc_cast(ctx, at, count)), "elemwise");
  }
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *grp = tcc_floordiv(ctx, o[1], Cg);
  const tcc_expr *gi[2] = {o[0], grp};
  const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, o));
  const tcc_expr *y = tcc_mul(ctx, tcc_sub(ctx, x, tcc_read(ctx, stat[0], gi)),
                              rsqrt_eps(ctx, tcc_read(ctx, stat[1], gi), eps));
  const tcc_expr *pc = n->opset >= 21 ? o[1] : grp;
  y = tcc_add(ctx, tcc_mul(ctx, y, chan(ctx, S, pc, at)), chan(ctx, B, pc, at));
  outputs[0] = tcc_compute(ctx, "groupnorm", nd, X->shape, ax,
                           tcc_cast(ctx, tcc_scalar(X->dtype), y), "elemwise");
  return TCC_OK;
}

/* LRN: square_sum[n,c,..] = sum of x[n,i,..]^2 for i in [c - floor((size-1)/2),
 * c + ceil((size-1)/2)] within [0, C); y = x / (bias + alpha / size * square_sum)^beta. */
static tcc_status compute_lrn(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  double alpha, beta, bias;
  int64_t size;
  TCC_TRY(nn_attr_float(&ic, n, "alpha", 1e-4, &alpha));
  TCC_TRY(nn_attr_float(&ic, n, "beta", 0.75, &beta));
  TCC_TRY(nn_attr_float(&ic, n, "bias", 1.0, &bias));
  TCC_TRY(nn_attr_int(&ic, n, "size", 1, &size));
  const tcc_tensor *X = cc->inputs[0];
  int nd = X->ndim;
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_itervar *rv = tcc_reduce_axis(ctx, "rc", tcc_idx(ctx, 0), tcc_idx(ctx, size));
  const tcc_expr *xi[TCCRT_MAX_RANK];
  for (int d = 0; d < nd; d++)
    xi[d] = o[d];
  xi[1] =
      tcc_add(ctx, tcc_sub(ctx, o[1], tcc_idx(ctx, (size - 1) / 2)), tcc_expr_var(ctx, rv->var));
  const tcc_expr *x = tcc_cast(ctx, at, nn_read_clamped(ctx, X, xi));
  const tcc_expr *sq = tcc_select(ctx, nn_in_range(ctx, xi[1], tcc_idx(ctx, 0), X->shape[1]),
                                  tcc_mul(ctx, x, x), tcc_const(ctx, at, 0));
  tcc_tensor *ss =
      tcc_compute(ctx, "lrn_sqsum", nd, X->shape, ax, tcc_sum(ctx, sq, 1, &rv, NULL), "reduce");
  const tcc_itervar *const *ax2 = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o2 = nn_axis_exprs(ctx, nd, ax2);
  const tcc_expr *den =
      tcc_add(ctx, tcc_const(ctx, at, bias),
              tcc_mul(ctx, tcc_const(ctx, at, alpha / (double)size), tcc_read(ctx, ss, o2)));
  const tcc_expr *args[2] = {den, tcc_const(ctx, at, beta)};
  const tcc_expr *y =
      tcc_div(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, o2)), tcc_call(ctx, TCC_INTRIN_POW, 2, args));
  outputs[0] = tcc_compute(ctx, "lrn", nd, X->shape, ax2, tcc_cast(ctx, tcc_scalar(X->dtype), y),
                           "elemwise");
  return TCC_OK;
}

/* MVN: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes` (the ONNX function body). */
static tcc_status compute_mvn(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_tensor *X = cc->inputs[0];
  int nd = X->ndim;
  bool red[TCCRT_MAX_RANK];
  TCC_TRY(mvn_axes(&ic, cc->node, nd, red));
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  tcc_tensor *m, *v;
  moments(ctx, X, red, at.dtype, true, &m, &v);
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, o));
  const tcc_expr *den =
      tcc_add(ctx, tcc_call1(ctx, TCC_INTRIN_SQRT, read_stat(ctx, v, o)), tcc_const(ctx, at, 1e-9));
  const tcc_expr *y = tcc_div(ctx, tcc_sub(ctx, x, read_stat(ctx, m, o)), den);
  outputs[0] =
      tcc_compute(ctx, "mvn", nd, X->shape, ax, tcc_cast(ctx, tcc_scalar(X->dtype), y), "elemwise");
  return TCC_OK;
}

/* RMSNormalization: y = x / sqrt(mean(x^2 over [axis, rank)) + epsilon) * scale, the
 * statistic in stash_type, the result cast to X's type before scaling (the ONNX function). */
static tcc_status compute_rmsnorm(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  double eps;
  int64_t axis;
  TCC_TRY(nn_attr_float(&ic, n, "epsilon", 1e-5, &eps));
  TCC_TRY(nn_attr_int(&ic, n, "axis", -1, &axis));
  const tcc_tensor *X = cc->inputs[0], *S = cc->inputs[1];
  int nd = X->ndim, ax0;
  TCC_TRY(tcc_infer_axis(&ic, n, "axis", axis, nd, &ax0));
  tccrt_dtype st;
  TCC_TRY(stash_dtype(&ic, n, X->dtype, &st));
  tcc_type at = tcc_scalar(st);
  const tcc_expr *shape[TCCRT_MAX_RANK];
  const tcc_expr *count = tcc_idx(ctx, 1);
  for (int d = 0; d < nd; d++) {
    shape[d] = d >= ax0 ? tcc_idx(ctx, 1) : X->shape[d];
    if (d >= ax0) count = tcc_mul(ctx, count, X->shape[d]);
  }
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, shape, NULL);
  const tcc_itervar *rv[TCCRT_MAX_RANK];
  const tcc_expr *xi[TCCRT_MAX_RANK];
  int nr = 0;
  for (int d = 0; d < nd; d++) {
    if (d >= ax0) {
      rv[nr] = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), X->shape[d]);
      xi[d] = tcc_expr_var(ctx, rv[nr++]->var);
    } else {
      xi[d] = tcc_expr_var(ctx, ax[d]->var);
    }
  }
  const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, xi));
  tcc_tensor *ss = tcc_compute(ctx, "rms_sqsum", nd, shape, ax,
                               tcc_sum(ctx, tcc_mul(ctx, x, x), nr, rv, NULL), "reduce");
  const tcc_itervar *const *ay = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ay);
  const tcc_expr *ms = tcc_div(ctx, read_stat(ctx, ss, o), tcc_cast(ctx, at, count));
  tcc_type xt = tcc_scalar(X->dtype);
  const tcc_expr *y = tcc_cast(
      ctx, xt, tcc_mul(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, o)), rsqrt_eps(ctx, ms, eps)));
  y = tcc_mul(ctx, y, tcc_cast(ctx, xt, nn_read_bcast(ctx, S, nd, o)));
  outputs[0] = tcc_compute(ctx, "rmsnorm", nd, X->shape, ay, y, "elemwise");
  return TCC_OK;
}

static tcc_status compute_lpnorm(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  int64_t axis, p;
  TCC_TRY(nn_attr_int(&ic, n, "axis", -1, &axis));
  TCC_TRY(nn_attr_int(&ic, n, "p", 2, &p));
  const tcc_tensor *X = cc->inputs[0];
  int nd = X->ndim, ax0;
  TCC_TRY(tcc_infer_axis(&ic, n, "axis", axis, nd, &ax0));
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  const tcc_expr *shape[TCCRT_MAX_RANK];
  for (int d = 0; d < nd; d++)
    shape[d] = d == ax0 ? tcc_idx(ctx, 1) : X->shape[d];
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, shape, NULL);
  const tcc_itervar *rv = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), X->shape[ax0]);
  const tcc_expr *xi[TCCRT_MAX_RANK];
  for (int d = 0; d < nd; d++)
    xi[d] = d == ax0 ? tcc_expr_var(ctx, rv->var) : tcc_expr_var(ctx, ax[d]->var);
  const tcc_expr *x = tcc_cast(ctx, at, tcc_read(ctx, X, xi));
  const tcc_expr *src = p == 1 ? tcc_call1(ctx, TCC_INTRIN_FABS, x) : tcc_mul(ctx, x, x);
  tcc_tensor *s =
      tcc_compute(ctx, "lp_sum", nd, shape, ax, tcc_sum(ctx, src, 1, &rv, NULL), "reduce");
  const tcc_itervar *const *ay = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ay);
  const tcc_expr *norm = read_stat(ctx, s, o);
  if (p == 2) norm = tcc_call1(ctx, TCC_INTRIN_SQRT, norm);
  /* a zero vector stays zero (the reference divides by 1 there) */
  norm = tcc_select(ctx, tcc_eq(ctx, norm, tcc_const(ctx, at, 0)), tcc_const(ctx, at, 1), norm);
  const tcc_expr *y = tcc_div(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, o)), norm);
  outputs[0] = tcc_compute(ctx, "lpnorm", nd, X->shape, ay, tcc_cast(ctx, tcc_scalar(X->dtype), y),
                           "elemwise");
  return TCC_OK;
}

/* ---- BatchNormalization in a blocked layout (inference mode, constant float32 statistics):
 * y = x * s + t per channel with s = scale / sqrt(var + epsilon), t = B - mean * s computed at
 * compile time (in double, stored as float32) as [C/b, 1, 1, b] constants, i.e. a Mul and an
 * Add of NCHW{b}c tensors. ---- */

static const float *bn_const_f32(const tcc_value *v, int64_t C) {
  if (!v || v->kind != TCC_VALUE_CONST || v->is_fill || !v->data || v->dtype != TCCRT_FLOAT32 ||
      v->ndim != 1 || tcc_value_numel(v) != C || v->nbytes < (size_t)C * 4)
    return NULL;
  return v->data;
}

static tcc_status bn_infer_layout(tcc_layout_ctx *lc, const tcc_node *n, const tcc_layout *in,
                                  tcc_layout *req, tcc_layout *out) {
  (void)lc;
  const tcc_value *X = tcc_op_input(n, 0);
  if (!X || X->dtype != TCCRT_FLOAT32 || !tcc_layout_is_blocked(&in[0])) return TCC_OK;
  const tcc_layout *L = &in[0];
  int R = tcc_layout_primal_rank(L);
  int64_t C;
  if (X->ndim != R || R < 2 || !tcc_expr_is_int_imm(X->dims[1], &C)) return TCC_OK;
  /* C, at primal position 1, must be the only blocked dim; dropping N must keep the layout */
  tcc_layout primal = tcc_layout_primal(L), lk;
  if (primal.axis[1] != 'C' || !tcc_layout_drop_leading(L, 1, &lk)) return TCC_OK;
  for (int d = 0; d < L->ndim; d++)
    if (L->factor[d] > 0 && L->axis[d] != 'c') return TCC_OK;
  for (int k = 1; k < n->noutputs; k++)
    if (n->outputs[k]) return TCC_OK;
  const tcc_attr *tm = tcc_node_attr(n, "training_mode");
  if (tm && tm->kind == TCC_ATTR_INT && tm->u.i) return TCC_OK;
  for (int k = 1; k <= 4; k++)
    if (!bn_const_f32(tcc_op_input(n, k), C)) return TCC_OK;
  req[0] = *L;
  out[0] = *L;
  return TCC_OK;
}

/* A [C/b, 1, ..., 1, b] float32 constant of the per-channel values v[C] (the NCHW{b}c order of a
 * per-channel tensor is the plain channel order). */
static tcc_value *bn_blocked_const(tcc_graph *g, const char *name, const tcc_layout *lk, int64_t C,
                                   const float *v) {
  tcc_context *ctx = g->ctx;
  tcc_value *c = tcc_graph_add_value(g, name, TCC_VALUE_CONST);
  const tcc_expr **dims =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_expr *) * (size_t)lk->ndim);
  for (int d = 0; d < lk->ndim; d++)
    dims[d] = tcc_idx(ctx, lk->axis[d] == 'C'   ? C / tcc_layout_block(lk, 'C')
                           : lk->axis[d] == 'c' ? tcc_layout_block(lk, 'C')
                                                : 1);
  float *data = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(float) * (size_t)C);
  memcpy(data, v, sizeof(float) * (size_t)C);
  c->dtype = TCCRT_FLOAT32;
  c->ndim = lk->ndim;
  c->dims = dims;
  c->data = data;
  c->nbytes = sizeof(float) * (size_t)C;
  return c;
}

static tcc_status bn_alter_layout(tcc_layout_ctx *lc, tcc_node *n, const tcc_layout *in,
                                  const tcc_layout *out, tcc_layout_rewrite *rw) {
  (void)out;
  tcc_context *ctx = lc->ctx;
  tcc_graph *g = lc->graph;
  tcc_infer_ctx ic = {ctx, g};
  double eps;
  TCC_TRY(nn_attr_float(&ic, n, "epsilon", 1e-5, &eps));
  tcc_layout lk;
  if (!tcc_layout_drop_leading(&in[0], 1, &lk))
    return tcc_node_error(ctx, g, n, "blocked BatchNormalization: bad layout");
  const tcc_value *S = n->inputs[1];
  int64_t C = tcc_value_numel(S);
  const float *sc = bn_const_f32(S, C), *bb = bn_const_f32(n->inputs[2], C),
              *mu = bn_const_f32(n->inputs[3], C), *var = bn_const_f32(n->inputs[4], C);
  if (!sc || !bb || !mu || !var)
    return tcc_node_error(ctx, g, n,
                          "blocked BatchNormalization needs constant float32 statistics");
  float *s = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(float) * (size_t)C);
  float *t = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(float) * (size_t)C);
  for (int64_t c = 0; c < C; c++) {
    double sv = (double)sc[c] / sqrt((double)var[c] + eps);
    s[c] = (float)sv;
    t[c] = (float)((double)bb[c] - (double)mu[c] * sv);
  }
  const char *label = tcc_node_label(n);
  tcc_arena *ar = tcc_ctx_arena(ctx);
  tcc_value *sv = bn_blocked_const(g, tcc_arena_printf(ar, "%s_bn_scale", label), &lk, C, s);
  tcc_value *tv = bn_blocked_const(g, tcc_arena_printf(ar, "%s_bn_shift", label), &lk, C, t);
  tcc_value *mid =
      tcc_graph_add_value(g, tcc_arena_printf(ar, "%s_bn_scaled", label), TCC_VALUE_NODE);
  tcc_value *mi[2] = {n->inputs[0], sv}, *ai[2] = {mid, tv};
  tcc_node *mul =
      tcc_graph_add_node(g, tcc_arena_printf(ar, "%s_mul", label), "Mul", "", 2, mi, 1, &mid);
  tcc_node *add = tcc_graph_add_node(g, tcc_arena_printf(ar, "%s_add", label), "Add", "", 2, ai, 1,
                                     &n->outputs[0]);
  mul->opset = add->opset = 14;
  mul->op = tcc_op_lookup("", "Mul", 14);
  add->op = tcc_op_lookup("", "Add", 14);
  if (!mul->op || !add->op) return tcc_node_error(ctx, g, n, "Mul/Add are not registered");
  rw->nnodes = 2;
  rw->nodes[0] = mul;
  rw->nodes[1] = add;
  return TCC_OK;
}

#define NORM(NAME, SINCE, UNTIL, PAT, MINI, MAXI, MINO, MAXO, ATTRS, INFER, COMPUTE)               \
  {NAME, "", SINCE, UNTIL, PAT, MINI, MAXI, MINO, MAXO, ATTRS, INFER, COMPUTE}
/* clang-format off */
#define BN(SINCE, UNTIL, MAXO, ATTRS)                                                              \
  {"BatchNormalization", "", SINCE, UNTIL, TCC_PAT_BROADCAST, 5, 5, 1, MAXO, ATTRS,                \
   infer_batchnorm, compute_batchnorm, bn_infer_layout, bn_alter_layout}
/* clang-format on */

const tcc_op tcc_ops_norm[] = {
    BN(1, 5, 5, bn1_attrs),
    BN(6, 6, 5, bn6_attrs),
    BN(7, 8, 5, bn7_attrs),
    BN(9, 13, 5, bn9_attrs),
    BN(14, 14, 3, bn14_attrs),
    BN(15, 0, 3, bn14_attrs),
    NORM("InstanceNormalization", 1, 5, TCC_PAT_OPAQUE, 3, 3, 1, 1, in1_attrs, infer_instancenorm,
         compute_instancenorm),
    NORM("InstanceNormalization", 6, 21, TCC_PAT_OPAQUE, 3, 3, 1, 1, in6_attrs, infer_instancenorm,
         compute_instancenorm),
    NORM("InstanceNormalization", 22, 0, TCC_PAT_OPAQUE, 3, 3, 1, 1, in6_attrs, infer_instancenorm,
         compute_instancenorm),
    NORM("LayerNormalization", 17, 0, TCC_PAT_OPAQUE, 2, 3, 1, 3, ln_attrs, infer_layernorm,
         compute_layernorm),
    NORM("GroupNormalization", 18, 20, TCC_PAT_OPAQUE, 3, 3, 1, 1, gn_attrs, infer_groupnorm,
         compute_groupnorm),
    NORM("GroupNormalization", 21, 0, TCC_PAT_OPAQUE, 3, 3, 1, 1, gn_attrs, infer_groupnorm,
         compute_groupnorm),
    NORM("LRN", 1, 12, TCC_PAT_OPAQUE, 1, 1, 1, 1, lrn_attrs, infer_lrn, compute_lrn),
    NORM("LRN", 13, 0, TCC_PAT_OPAQUE, 1, 1, 1, 1, lrn_attrs, infer_lrn, compute_lrn),
    NORM("MeanVarianceNormalization", 9, 12, TCC_PAT_OPAQUE, 1, 1, 1, 1, mvn_attrs, infer_mvn,
         compute_mvn),
    NORM("MeanVarianceNormalization", 13, 0, TCC_PAT_OPAQUE, 1, 1, 1, 1, mvn_attrs, infer_mvn,
         compute_mvn),
    NORM("RMSNormalization", 23, 0, TCC_PAT_OPAQUE, 2, 2, 1, 1, rms_attrs, infer_rmsnorm,
         compute_rmsnorm),
    NORM("LpNormalization", 1, 21, TCC_PAT_OPAQUE, 1, 1, 1, 1, lpn_attrs, infer_lpnorm,
         compute_lpnorm),
    NORM("LpNormalization", 22, 0, TCC_PAT_OPAQUE, 1, 1, 1, 1, lpn_attrs, infer_lpnorm,
         compute_lpnorm),
};
const int tcc_ops_norm_count = (int)TCC_ARRAY_SIZE(tcc_ops_norm);
