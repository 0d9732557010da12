/* softmax.c — the softmax op family: Softmax, LogSoftmax, Hardmax.
 *
 * Spec: ONNX Softmax / LogSoftmax / Hardmax, opsets 1, 11 and 13. Before 13 the input is
 * coerced to 2-D at `axis` (default 1): the op works over all dims from axis on as one row. From
 * 13 it works over the single dim `axis` (default -1). Softmax subtracts the row max before exp
 * (stable); Hardmax puts 1 at the first maximum of each row. */
#include "nn_util.h"

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
  for (int d = 0; d < rank; d++) red[d] = n->opset >= 13 ? d == ax : d >= ax;
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
  for (int d = 0; d < nd; d++) k->shape[d] = red[d] ? tcc_idx(ctx, 1) : X->shape[d];
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
  tcc_tensor *mx = tcc_compute(ctx, "row_max", nd, k.shape, k.ax,
                               tcc_reduce_max(ctx, tcc_read(ctx, X, k.xi), k.nr, k.rv, NULL),
                               "reduce");
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
  tcc_tensor *sum = tcc_compute(ctx, "row_expsum", nd, s.shape, s.ax, tcc_sum(ctx, e, s.nr, s.rv, NULL),
                                "reduce");
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *sh = tcc_sub(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, o)),
                               tcc_cast(ctx, at, nn_read_bcast(ctx, mx, nd, o)));
  const tcc_expr *sv = nn_read_bcast(ctx, sum, nd, o);
  const tcc_expr *y = kind == SM_SOFTMAX
                          ? tcc_div(ctx, tcc_call1(ctx, TCC_INTRIN_EXP, sh), sv)
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

#define SM(NAME, SINCE, UNTIL, COMPUTE)                                                           \
  {NAME, "", SINCE, UNTIL, TCC_PAT_OUT_ELEMWISE_FUSABLE, 1, 1, 1, 1, axis_attrs, infer_softmax,   \
   COMPUTE}

const tcc_op tcc_ops_softmax[] = {
    SM("Softmax", 1, 10, compute_softmax),       SM("Softmax", 11, 12, compute_softmax),
    SM("Softmax", 13, 0, compute_softmax),       SM("LogSoftmax", 1, 10, compute_logsoftmax),
    SM("LogSoftmax", 11, 12, compute_logsoftmax), SM("LogSoftmax", 13, 0, compute_logsoftmax),
    SM("Hardmax", 1, 10, compute_hardmax),       SM("Hardmax", 11, 12, compute_hardmax),
    SM("Hardmax", 13, 0, compute_hardmax),
};
const int tcc_ops_softmax_count = (int)TCC_ARRAY_SIZE(tcc_ops_softmax);
