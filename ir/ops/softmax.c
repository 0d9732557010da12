/* softmax.c — the softmax op family: Softmax, LogSoftmax, Hardmax.
 *
 * Spec: ONNX Softmax / LogSoftmax / Hardmax, opsets 1, 11 and 13. Before 13 the input is
 * coerced to 2-D at `axis` (default 1): the op works over all dims from axis on as one row. From
 * 13 it works over the single dim `axis` (default -1). Softmax subtracts the row max before exp
 * (stable); Hardmax puts 1 at the first maximum of each row. Also the losses built on them:
 * NegativeLogLikelihoodLoss (12, 13, 22) and SoftmaxCrossEntropyLoss (12, 13). */
#include "nn_util.h"

#include <string.h>

static const tcc_attr_schema axis_attrs[] = {{"axis", TCC_ATTR_INT, false}, {NULL, 0, false}};

typedef enum sm_kind { SM_SOFTMAX, SM_LOGSOFTMAX, SM_HARDMAX } sm_kind;

/* The normalized axis and the dims reduced over (red[d]). */
static tcc_status sm_axes(tcc_infer_ctx *ic, const tcc_node *n, int rank, bool *red) {
  int64_t axis;
  TCC_TRY(nn_attr_int(ic, n, "axis", n->opset >= 13 ? -1 : 1, &axis));
  int ax;
  if (rank == 0)
    return tcc_node_error(ic->ctx, ic->graph, n, "input has rank 0; expected rank >= 1");
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, rank, &ax));
  for (int d = 0; d < rank; d++)
    red[d] = n->opset >= 13 ? d == ax : d >= ax;
  return TCC_OK;
}

static tcc_status infer_softmax(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  bool red[TCCRT_MAX_RANK];
  TCC_TRY(sm_axes(ic, n, X->ndim, red));
  return tcc_infer_output_like(ic, n, 0, X);
}

/* A keepdims reduction over red[] of f(x) where x is X read at the full index: the reduce axes
 * replace the reduced dims. src_of builds the source from the read and the output index. */
typedef struct kred {
  const tcc_expr *shape[TCCRT_MAX_RANK];
  const tcc_itervar *const *ax;
  const tcc_expr **o;
  const tcc_itervar *rv[TCCRT_MAX_RANK];
  int nr;
  const tcc_expr *xi[TCCRT_MAX_RANK];
} kred;

static void kred_init(tcc_context *ctx, const tcc_tensor *X, const bool *red, kred *k) {
  int nd = X->ndim;
  for (int d = 0; d < nd; d++)
    k->shape[d] = red[d] ? tcc_idx(ctx, 1) : X->shape[d];
  k->ax = tcc_compute_axes(ctx, nd, k->shape, NULL);
  k->o = nn_axis_exprs(ctx, nd, k->ax);
  k->nr = 0;
  for (int d = 0; d < nd; d++) {
    if (red[d]) {
      k->rv[k->nr] = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), X->shape[d]);
      k->xi[d] = tcc_expr_var(ctx, k->rv[k->nr++]->var);
    } else {
      k->xi[d] = k->o[d];
    }
  }
}

static tcc_status compute_sm(tcc_compute_ctx *cc, tcc_tensor **outputs, sm_kind kind) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_tensor *X = cc->inputs[0];
  int nd = X->ndim;
  bool red[TCCRT_MAX_RANK];
  TCC_TRY(sm_axes(&ic, cc->node, nd, red));
  tcc_type xt = tcc_scalar(X->dtype), at = tcc_scalar(nn_acc_dtype(X->dtype));
  /* row max */
  kred k;
  kred_init(ctx, X, red, &k);
  tcc_tensor *mx =
      tcc_compute(ctx, "row_max", nd, k.shape, k.ax,
                  tcc_reduce_max(ctx, tcc_read(ctx, X, k.xi), k.nr, k.rv, NULL), "reduce");
  if (kind == SM_HARDMAX) {
    /* first flat (row-major over the reduced dims) index equal to the max */
    kred f;
    kred_init(ctx, X, red, &f);
    const tcc_expr *flat = tcc_idx(ctx, 0);
    for (int d = 0; d < nd; d++)
      if (red[d]) flat = tcc_add(ctx, tcc_mul(ctx, flat, X->shape[d]), f.xi[d]);
    const tcc_expr *hit = tcc_eq(ctx, tcc_read(ctx, X, f.xi), tcc_read(ctx, mx, f.o));
    tcc_tensor *first = tcc_compute(
        ctx, "row_argmax", nd, f.shape, f.ax,
        tcc_reduce_min(ctx, tcc_select(ctx, hit, flat, tcc_idx(ctx, INT64_MAX)), f.nr, f.rv, NULL),
        "reduce");
    const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
    const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
    const tcc_expr *fo = tcc_idx(ctx, 0);
    for (int d = 0; d < nd; d++)
      if (red[d]) fo = tcc_add(ctx, tcc_mul(ctx, fo, X->shape[d]), o[d]);
    const tcc_expr *y = tcc_select(ctx, tcc_eq(ctx, fo, nn_read_bcast(ctx, first, nd, o)),
                                   tcc_const(ctx, xt, 1), tcc_const(ctx, xt, 0));
    outputs[0] = tcc_compute(ctx, "hardmax", nd, X->shape, ax, y, "elemwise");
    return TCC_OK;
  }
  /* sum of exp(x - max) */
  kred s;
  kred_init(ctx, X, red, &s);
  const tcc_expr *e = tcc_call1(ctx, TCC_INTRIN_EXP,
                                tcc_sub(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, s.xi)),
                                        tcc_cast(ctx, at, tcc_read(ctx, mx, s.o))));
  tcc_tensor *sum = tcc_compute(ctx, "row_expsum", nd, s.shape, s.ax,
                                tcc_sum(ctx, e, s.nr, s.rv, NULL), "reduce");
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *sh = tcc_sub(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, o)),
                               tcc_cast(ctx, at, nn_read_bcast(ctx, mx, nd, o)));
  const tcc_expr *sv = nn_read_bcast(ctx, sum, nd, o);
  const tcc_expr *y = kind == SM_SOFTMAX ? tcc_div(ctx, tcc_call1(ctx, TCC_INTRIN_EXP, sh), sv)
                                         : tcc_sub(ctx, sh, tcc_call1(ctx, TCC_INTRIN_LOG, sv));
  outputs[0] = tcc_compute(ctx, kind == SM_SOFTMAX ? "softmax" : "log_softmax", nd, X->shape, ax,
                           tcc_cast(ctx, xt, y), "elemwise");
  return TCC_OK;
}

static tcc_status compute_softmax(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  return compute_sm(cc, outputs, SM_SOFTMAX);
}
static tcc_status compute_logsoftmax(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  return compute_sm(cc, outputs, SM_LOGSOFTMAX);
}
static tcc_status compute_hardmax(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  return compute_sm(cc, outputs, SM_HARDMAX);
}

/* ---- NegativeLogLikelihoodLoss (12, 13, 22) and SoftmaxCrossEntropyLoss (12, 13) ----
 * input / scores: N x C x d1 ... dk; target / labels: N x d1 ... dk (int32 / int64); optional
 * weight: C. loss[n, d] = -input[n, t, d] * w[t] with t = target[n, d], 0 where t ==
 * ignore_index. reduction "none" keeps N x d...; "sum" sums; "mean" divides the sum by the sum of
 * the applied weights (w[t], 0 for ignored) when a weight or ignore_index is given, else by the
 * element count (the ONNX reference). SoftmaxCrossEntropyLoss applies it to
 * log_softmax(scores, axis 1) and can also output that log_prob. */
static const tcc_attr_schema loss_attrs[] = {
    {"ignore_index", TCC_ATTR_INT, false}, {"reduction", TCC_ATTR_STRING, false}, {NULL, 0, false}};

typedef enum { RED_NONE, RED_SUM, RED_MEAN } loss_red;

static tcc_status loss_reduction(tcc_infer_ctx *ic, const tcc_node *n, loss_red *r) {
  const char *s;
  TCC_TRY(nn_attr_string(ic, n, "reduction", "mean", &s));
  if (!strcmp(s, "none"))
    *r = RED_NONE;
  else if (!strcmp(s, "sum"))
    *r = RED_SUM;
  else if (!strcmp(s, "mean"))
    *r = RED_MEAN;
  else
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "attribute 'reduction' is '%s'; expected none, sum or mean", s);
  return TCC_OK;
}

static tcc_status infer_loss(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_INT32_64));
  const tcc_value *X, *T;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  TCC_TRY(tcc_infer_input(ic, n, 1, &T));
  if (X->ndim < 2 || T->ndim != X->ndim - 1)
    return tcc_node_error(ctx, ic->graph, n,
                          "input %s and target %s: expected N x C x d1..dk and N x d1..dk",
                          tcc_value_shape_str(ctx, X), tcc_value_shape_str(ctx, T));
  for (int d = 0; d < T->ndim; d++) {
    int64_t a, b;
    const tcc_expr *xd = X->dims[d == 0 ? 0 : d + 1];
    if (tcc_expr_is_int_imm(xd, &a) && tcc_expr_is_int_imm(T->dims[d], &b) && a != b)
      return tcc_node_error(ctx, ic->graph, n, "target %s does not match input %s",
                            tcc_value_shape_str(ctx, T), tcc_value_shape_str(ctx, X));
  }
  if (tcc_op_input(n, 2)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  int64_t c;
  if (tcc_expr_is_int_imm(X->dims[1], &c) && c < 1)
    return tcc_node_error(ctx, ic->graph, n, "input %s has no classes (dim 1 is 0)",
                          tcc_value_shape_str(ctx, X));
  const tcc_expr *wd[1] = {X->dims[1]};
  TCC_TRY(nn_check_shape(ic, n, 2, "weight", 1, wd));
  loss_red r;
  TCC_TRY(loss_reduction(ic, n, &r));
  if (r == RED_NONE)
    TCC_TRY(tcc_infer_set_output(ic, n, 0, X->dtype, T->ndim, T->dims));
  else
    TCC_TRY(tcc_infer_set_output(ic, n, 0, X->dtype, 0, NULL));
  return tcc_infer_output_like(ic, n, 1, X); /* SCE's log_prob (skipped when absent) */
}

/* The NLL loss over log-probabilities L (N x C x d...). */
static tcc_status nll_loss(tcc_compute_ctx *cc, const tcc_tensor *L, tcc_tensor **out) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  const tcc_tensor *T = cc->inputs[1];
  const tcc_tensor *Wt = n->ninputs > 2 ? cc->inputs[2] : NULL;
  loss_red red;
  TCC_TRY(loss_reduction(&ic, n, &red));
  bool has_ii = tcc_node_attr(n, "ignore_index") != NULL;
  int64_t ii = 0;
  if (has_ii) TCC_TRY(nn_attr_int(&ic, n, "ignore_index", 0, &ii));
  int td = T->ndim;
  tcc_type at = tcc_scalar(nn_acc_dtype(L->dtype));
  /* per-element loss and weight, as functions of target indices ti */
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, td, T->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, td, ax);
  const tcc_expr *t = tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, T, o));
  const tcc_expr *tc =
      tcc_max(ctx, tcc_min(ctx, t, tcc_sub(ctx, L->shape[1], tcc_idx(ctx, 1))), tcc_idx(ctx, 0));
  const tcc_expr *li[TCCRT_MAX_RANK];
  li[0] = o[0];
  li[1] = tc;
  for (int d = 1; d < td; d++)
    li[d + 1] = o[d];
  const tcc_expr *ignored = has_ii ? tcc_eq(ctx, t, tcc_idx(ctx, ii)) : NULL;
  const tcc_expr *w = Wt ? tcc_cast(ctx, at, tcc_read(ctx, Wt, &tc)) : tcc_const(ctx, at, 1);
  if (ignored) w = tcc_select(ctx, ignored, tcc_const(ctx, at, 0), w);
  const tcc_expr *le = tcc_unary(ctx, TCC_NEG, tcc_cast(ctx, at, tcc_read(ctx, L, li)));
  if (ignored) le = tcc_select(ctx, ignored, tcc_const(ctx, at, 0), le);
  le = tcc_mul(ctx, le, w);
  tcc_tensor *elem = tcc_compute(ctx, "nll_elem", td, T->shape, ax, le, "injective");
  if (red == RED_NONE) {
    *out = elem;
    if (elem->dtype != L->dtype) {
      const tcc_itervar *const *a2 = tcc_compute_axes(ctx, td, T->shape, NULL);
      *out = tcc_compute(
          ctx, "nll_cast", td, T->shape, a2,
          tcc_cast(ctx, tcc_scalar(L->dtype), tcc_read(ctx, elem, nn_axis_exprs(ctx, td, a2))),
          "elemwise");
    }
    return TCC_OK;
  }
  const tcc_itervar *rv[TCCRT_MAX_RANK];
  const tcc_expr *ri[TCCRT_MAX_RANK];
  for (int d = 0; d < td; d++) {
    rv[d] = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), T->shape[d]);
    ri[d] = tcc_expr_var(ctx, rv[d]->var);
  }
  tcc_tensor *sum = tcc_compute(ctx, "nll_sum", 0, NULL, NULL,
                                tcc_sum(ctx, tcc_read(ctx, elem, ri), td, rv, NULL), "reduce");
  const tcc_expr *r = tcc_read(ctx, sum, NULL);
  if (red == RED_MEAN) {
    const tcc_expr *den;
    if (Wt || has_ii) {
      /* sum of applied weights */
      const tcc_itervar *wv[TCCRT_MAX_RANK];
      const tcc_expr *wi[TCCRT_MAX_RANK];
      for (int d = 0; d < td; d++) {
        wv[d] = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), T->shape[d]);
        wi[d] = tcc_expr_var(ctx, wv[d]->var);
      }
      const tcc_expr *tw = tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, T, wi));
      const tcc_expr *twc = tcc_max(
          ctx, tcc_min(ctx, tw, tcc_sub(ctx, L->shape[1], tcc_idx(ctx, 1))), tcc_idx(ctx, 0));
      const tcc_expr *ww = Wt ? tcc_cast(ctx, at, tcc_read(ctx, Wt, &twc)) : tcc_const(ctx, at, 1);
      if (has_ii)
        ww = tcc_select(ctx, tcc_eq(ctx, tw, tcc_idx(ctx, ii)), tcc_const(ctx, at, 0), ww);
      tcc_tensor *wsum =
          tcc_compute(ctx, "nll_wsum", 0, NULL, NULL, tcc_sum(ctx, ww, td, wv, NULL), "reduce");
      den = tcc_read(ctx, wsum, NULL);
    } else {
      const tcc_expr *cnt = tcc_idx(ctx, 1);
      for (int d = 0; d < td; d++)
        cnt = tcc_mul(ctx, cnt, T->shape[d]);
      den = tcc_cast(ctx, at, cnt);
    }
    r = tcc_div(ctx, r, den);
  }
  *out = tcc_compute(ctx, "nll_loss", 0, NULL, NULL, tcc_cast(ctx, tcc_scalar(L->dtype), r),
                     "elemwise");
  return TCC_OK;
}

static tcc_status compute_nll(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  return nll_loss(cc, cc->inputs[0], &outputs[0]);
}

static tcc_status compute_sce(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  /* log_softmax over axis 1 (opset-13 single-axis semantics) */
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *X = cc->inputs[0];
  int nd = X->ndim;
  bool red[TCCRT_MAX_RANK];
  for (int d = 0; d < nd; d++)
    red[d] = d == 1;
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  kred k;
  kred_init(ctx, X, red, &k);
  tcc_tensor *mx =
      tcc_compute(ctx, "row_max", nd, k.shape, k.ax,
                  tcc_reduce_max(ctx, tcc_read(ctx, X, k.xi), k.nr, k.rv, NULL), "reduce");
  kred s;
  kred_init(ctx, X, red, &s);
  const tcc_expr *e = tcc_call1(ctx, TCC_INTRIN_EXP,
                                tcc_sub(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, s.xi)),
                                        tcc_cast(ctx, at, tcc_read(ctx, mx, s.o))));
  tcc_tensor *sum = tcc_compute(ctx, "row_expsum", nd, s.shape, s.ax,
                                tcc_sum(ctx, e, s.nr, s.rv, NULL), "reduce");
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *y = tcc_sub(ctx,
                              tcc_sub(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, o)),
                                      tcc_cast(ctx, at, nn_read_bcast(ctx, mx, nd, o))),
                              tcc_call1(ctx, TCC_INTRIN_LOG, nn_read_bcast(ctx, sum, nd, o)));
  tcc_tensor *lp = tcc_compute(ctx, "log_prob", nd, X->shape, ax,
                               tcc_cast(ctx, tcc_scalar(X->dtype), y), "elemwise");
  TCC_TRY(nll_loss(cc, lp, &outputs[0]));
  if (cc->node->noutputs > 1 && cc->node->outputs[1]) outputs[1] = lp;
  return TCC_OK;
}

#define SM(NAME, SINCE, UNTIL, COMPUTE)                                                            \
  {NAME, "",         SINCE,         UNTIL,  TCC_PAT_OUT_ELEMWISE_FUSABLE, 1, 1, 1,                 \
   1,    axis_attrs, infer_softmax, COMPUTE}

const tcc_op tcc_ops_softmax[] = {
    SM("Softmax", 1, 10, compute_softmax),
    SM("Softmax", 11, 12, compute_softmax),
    SM("Softmax", 13, 0, compute_softmax),
    SM("LogSoftmax", 1, 10, compute_logsoftmax),
    SM("LogSoftmax", 11, 12, compute_logsoftmax),
    SM("LogSoftmax", 13, 0, compute_logsoftmax),
    SM("Hardmax", 1, 10, compute_hardmax),
    SM("Hardmax", 11, 12, compute_hardmax),
    SM("Hardmax", 13, 0, compute_hardmax),
    {"NegativeLogLikelihoodLoss", "", 12, 12, TCC_PAT_OPAQUE, 2, 3, 1, 1, loss_attrs, infer_loss,
     compute_nll},
    {"NegativeLogLikelihoodLoss", "", 13, 21, TCC_PAT_OPAQUE, 2, 3, 1, 1, loss_attrs, infer_loss,
     compute_nll},
    {"NegativeLogLikelihoodLoss", "", 22, 0, TCC_PAT_OPAQUE, 2, 3, 1, 1, loss_attrs, infer_loss,
     compute_nll},
    {"SoftmaxCrossEntropyLoss", "", 12, 12, TCC_PAT_OPAQUE, 2, 3, 1, 2, loss_attrs, infer_loss,
     compute_sce},
    {"SoftmaxCrossEntropyLoss", "", 13, 0, TCC_PAT_OPAQUE, 2, 3, 1, 2, loss_attrs, infer_loss,
     compute_sce},
};
const int tcc_ops_softmax_count = (int)TCC_ARRAY_SIZE(tcc_ops_softmax);
