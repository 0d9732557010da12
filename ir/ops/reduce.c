/* reduce.c — reductions: ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2
 * ReduceLogSum ReduceLogSumExp ReduceSumSquare, ArgMax ArgMin, CumSum, TopK (ONNX operator
 * specification).
 *
 * ReduceX: `axes` is an attribute until opset 12 for ReduceSum and opset 17 for the others, then
 * an optional int64 input (ReduceSum 13+, others 18+) together with `noop_with_empty_axes`. No
 * axes reduces every axis (or, with noop_with_empty_axes=1, is the identity). `keepdims`
 * (default 1) keeps reduced axes as 1. */
#include "op_util.h"

#include <string.h>

/* The first opset whose ReduceX takes axes as an input. */
static int64_t axes_input_opset(const char *op) { return !strcmp(op, "ReduceSum") ? 13 : 18; }

static tcc_status infer_reduce(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  const char *op = n->op->name;
  uint32_t allowed = TCC_DTM_NUMERIC;
  if (!strcmp(op, "ReduceMax") || !strcmp(op, "ReduceMin")) allowed |= TCC_DTM_BOOL;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, allowed));
  int64_t keepdims = 1, noop = 0;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "keepdims", 1, &keepdims));
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "noop_with_empty_axes", 0, &noop));
  int naxes = 0;
  const int64_t *axes = NULL;
  if (n->opset >= axes_input_opset(op)) {
    if (tcc_node_attr(n, "axes"))
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "from opset %lld %s takes axes as input 1, not as an attribute",
                            (long long)axes_input_opset(op), op);
    if (tcc_op_input(n, 1)) {
      bool known;
      int64_t cnt;
      TCC_TRY(tcc_infer_const_ints(ic, n, 1, &known, &cnt, &axes));
      if (!known)
        return tcc_node_error(
            ic->ctx, ic->graph, n,
            "input 1 (axes, '%s') is not constant; the output shape depends on it",
            n->inputs[1]->name);
      naxes = (int)cnt;
    }
  } else {
    if (tcc_op_input(n, 1))
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "%s before opset %lld takes axes as an attribute, not an input", op,
                            (long long)axes_input_opset(op));
    TCC_TRY(tcc_node_attr_ints(ic->ctx, ic->graph, n, "axes", &naxes, &axes));
    if (naxes < 0) naxes = 0;
  }
  int r = x->ndim;
  bool reduced[64] = {0};
  if (r > 64) return tcc_node_error(ic->ctx, ic->graph, n, "rank %d is too large", r);
  if (naxes == 0) {
    if (noop) return tcc_infer_output_like(ic, n, 0, x);
    for (int i = 0; i < r; i++)
      reduced[i] = true;
  } else {
    int ax[64];
    if (naxes > r)
      return tcc_node_error(ic->ctx, ic->graph, n, "%d axes given for a rank-%d input", naxes, r);
    TCC_TRY(tcc_infer_axes(ic, n, "axes", naxes, axes, r, ax));
    for (int i = 0; i < naxes; i++)
      reduced[ax[i]] = true;
  }
  const tcc_expr *d[64];
  int nd = 0;
  for (int i = 0; i < r; i++) {
    if (!reduced[i])
      d[nd++] = x->dims[i];
    else if (keepdims)
      d[nd++] = tcc_idx(ic->ctx, 1);
  }
  return tcc_infer_set_output(ic, n, 0, x->dtype, nd, d);
}

/* ArgMax/ArgMin: int64 indices along `axis` (default 0), keepdims (default 1). */
static tcc_status infer_arg(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
  int64_t axis = 0, keepdims = 1;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "axis", 0, &axis));
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "keepdims", 1, &keepdims));
  int a;
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, x->ndim, &a));
  const tcc_expr *d[64];
  int nd = 0;
  if (x->ndim > 64) return tcc_node_error(ic->ctx, ic->graph, n, "rank too large");
  for (int i = 0; i < x->ndim; i++) {
    if (i != a)
      d[nd++] = x->dims[i];
    else if (keepdims)
      d[nd++] = tcc_idx(ic->ctx, 1);
  }
  return tcc_infer_set_output(ic, n, 0, TCCRT_INT64, nd, d);
}

/* CumSum (opset 11+): x and a scalar int32/int64 axis; output like x. */
static tcc_status infer_cumsum(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x, *ax;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &ax));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_INT32_64));
  bool known;
  int64_t cnt;
  const int64_t *v;
  TCC_TRY(tcc_infer_const_ints(ic, n, 1, &known, &cnt, &v));
  if (known) {
    if (cnt != 1)
      return tcc_node_error(ic->ctx, ic->graph, n, "axis input must hold one value, not %lld",
                            (long long)cnt);
    int a;
    TCC_TRY(tcc_infer_axis(ic, n, "axis", v[0], x->ndim, &a));
  }
  return tcc_infer_output_like(ic, n, 0, x);
}

/* TopK: k is an attribute in opset 1, input 1 (int64 [1]) from opset 10; largest/sorted from 11.
 * Outputs Values (X's dtype) and Indices (int64), X's shape with dim[axis] = k. */
static tcc_status infer_topk(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
  int64_t axis = -1, k = -1;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "axis", -1, &axis));
  int a;
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, x->ndim, &a));
  const tcc_expr *kexpr = NULL;
  if (n->opset < 10) {
    TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "k", -1, &k));
    if (k < 0)
      return tcc_node_error(ic->ctx, ic->graph, n, "attribute 'k' is required (opset < 10)");
    kexpr = tcc_idx(ic->ctx, k);
  } else {
    const tcc_value *kv;
    TCC_TRY(tcc_infer_input(ic, n, 1, &kv));
    TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_INT64)));
    bool known;
    int64_t cnt;
    const tcc_expr *const *el;
    TCC_TRY(tcc_infer_sym_ints(ic, n, 1, &known, &cnt, &el));
    if (!known)
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "input 1 (K, '%s') is not constant; the output shape depends on it",
                            kv->name);
    if (cnt != 1)
      return tcc_node_error(ic->ctx, ic->graph, n, "K must hold one value, not %lld",
                            (long long)cnt);
    kexpr = el[0];
    if (tcc_expr_is_int_imm(kexpr, &k) && k < 0)
      return tcc_node_error(ic->ctx, ic->graph, n, "K = %lld is negative", (long long)k);
  }
  int64_t dim;
  if (tcc_expr_is_int_imm(x->dims[a], &dim) && tcc_expr_is_int_imm(kexpr, &k) && k > dim)
    return tcc_node_error(ic->ctx, ic->graph, n, "K = %lld exceeds the axis length %lld",
                          (long long)k, (long long)dim);
  const tcc_expr *d[64];
  if (x->ndim > 64) return tcc_node_error(ic->ctx, ic->graph, n, "rank too large");
  for (int i = 0; i < x->ndim; i++)
    d[i] = i == a ? kexpr : x->dims[i];
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, x->ndim, d));
  return tcc_infer_set_output(ic, n, 1, TCCRT_INT64, x->ndim, d);
}

/* ---- computes (TE) ---- */

/* ReduceX over the axes inference resolved (read again from the attribute or input). */
static tcc_status compute_reduce(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_node *n = cc->node;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const char *op = n->op->name;
  int64_t keepdims = 1, noop = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "keepdims", 1, &keepdims));
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "noop_with_empty_axes", 0, &noop));
  int naxes = 0;
  const int64_t *axv = NULL;
  tcc_infer_ctx ic = {ctx, (tcc_graph *)cc->graph};
  if (n->opset >= axes_input_opset(op)) {
    bool known = false;
    int64_t cnt = 0;
    if (tcc_op_input(n, 1)) TCC_TRY(tcc_infer_const_ints(&ic, n, 1, &known, &cnt, &axv));
    if (tcc_op_input(n, 1) && !known)
      return tcc_node_error(ctx, cc->graph, n, "compute: axes are not constant");
    naxes = (int)cnt;
  } else {
    TCC_TRY(tcc_node_attr_ints(ctx, cc->graph, n, "axes", &naxes, &axv));
    if (naxes < 0) naxes = 0;
  }
  bool red[64] = {0};
  int r = x->ndim;
  if (naxes == 0 && !noop)
    for (int i = 0; i < r; i++)
      red[i] = true;
  for (int i = 0; i < naxes; i++)
    red[axv[i] < 0 ? axv[i] + r : axv[i]] = true;
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_itervar *rax[64];
  const tcc_expr *src_idx[64], *count = tcc_idx(ctx, 1);
  int nr = 0, oi = 0;
  for (int i = 0; i < r; i++) {
    if (red[i]) {
      rax[nr] = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), x->shape[i]);
      src_idx[i] = tcc_expr_var(ctx, rax[nr]->var);
      count = tcc_mul(ctx, count, x->shape[i]);
      nr++;
      if (keepdims) oi++;
    } else {
      src_idx[i] = idx[oi++];
    }
  }
  const tcc_expr *v = tcc_read(ctx, x, src_idx);
  tcc_type t = v->type;
  const tcc_expr *body;
  if (nr == 0) {
    body = v;
  } else if (!strcmp(op, "ReduceMax")) {
    body = tcc_reduce_max(ctx, v, nr, rax, NULL);
  } else if (!strcmp(op, "ReduceMin")) {
    body = tcc_reduce_min(ctx, v, nr, rax, NULL);
  } else if (!strcmp(op, "ReduceProd")) {
    body = tcc_reduce_prod(ctx, v, nr, rax, NULL);
  } else {
    const tcc_expr *src = v;
    if (!strcmp(op, "ReduceSumSquare") || !strcmp(op, "ReduceL2")) src = tcc_mul(ctx, v, v);
    if (!strcmp(op, "ReduceL1"))
      src = tcc_dtype_is_float((tccrt_dtype)t.dtype) ? tcc_call1(ctx, TCC_INTRIN_FABS, v)
                                                     : tcc_call1(ctx, TCC_INTRIN_ABS, v);
    if (!strcmp(op, "ReduceLogSumExp")) src = tcc_call1(ctx, TCC_INTRIN_EXP, v);
    body = tcc_sum(ctx, src, nr, rax, NULL);
  }
  bool post = nr > 0 && (!strcmp(op, "ReduceMean") || !strcmp(op, "ReduceL2") ||
                         !strcmp(op, "ReduceLogSum") || !strcmp(op, "ReduceLogSumExp"));
  if (post) {
    /* A reduction must be the top of its compute body: the reduction is a stage of its own and
     * the final scaling / sqrt / log an elementwise stage over it. */
    const tcc_value *o = n->outputs[0];
    const tcc_tensor *red =
        tcc_compute(ctx, tcc_arena_printf(tcc_ctx_arena(ctx), "%s.red", o->name), o->ndim, o->dims,
                    axes, body, "reduce");
    const tcc_itervar *const *axes2 = tcc_compute_out_axes(cc, 0, &idx);
    body = tcc_read(ctx, red, idx);
    if (!strcmp(op, "ReduceMean")) body = tcc_div(ctx, body, tcc_cast(ctx, t, count));
    if (!strcmp(op, "ReduceL2")) body = tcc_call1(ctx, TCC_INTRIN_SQRT, body);
    if (!strcmp(op, "ReduceLogSum") || !strcmp(op, "ReduceLogSumExp"))
      body = tcc_call1(ctx, TCC_INTRIN_LOG, body);
    outs[0] = tcc_compute_out(cc, 0, axes2, body, "elemwise");
    return TCC_OK;
  }
  outs[0] = tcc_compute_out(cc, 0, axes, body, "reduce");
  return TCC_OK;
}

/* ArgMax / ArgMin: a max (min) stage over the axis, then the first (or, with
 * select_last_index, the last) position holding it. A NaN is the extremum (numpy). */
static tcc_status compute_arg(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_node *n = cc->node;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  int64_t axis = 0, keepdims = 1, last = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "axis", 0, &axis));
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "keepdims", 1, &keepdims));
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "select_last_index", 0, &last));
  int r = x->ndim, a = (int)(axis < 0 ? axis + r : axis);
  bool is_max = !strcmp(n->op->name, "ArgMax");
  const tcc_value *o = n->outputs[0];
  /* stage 1: the extremum */
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *src[64];
  const tcc_itervar *rv = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), x->shape[a]);
  for (int i = 0, j = 0; i < r; i++) {
    if (i == a) {
      src[i] = tcc_expr_var(ctx, rv->var);
      if (keepdims) j++;
    } else {
      src[i] = idx[j++];
    }
  }
  const tcc_expr *v = tcc_read(ctx, x, src);
  const tcc_expr *ext =
      is_max ? tcc_reduce_max(ctx, v, 1, &rv, NULL) : tcc_reduce_min(ctx, v, 1, &rv, NULL);
  const tcc_tensor *m = tcc_compute(ctx, tcc_arena_printf(tcc_ctx_arena(ctx), "%s.ext", o->name),
                                    o->ndim, o->dims, axes, ext, "reduce");
  /* stage 2: the first (last) index where x == extremum (or both are NaN) */
  axes = tcc_compute_out_axes(cc, 0, &idx);
  rv = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), x->shape[a]);
  for (int i = 0, j = 0; i < r; i++) {
    if (i == a) {
      src[i] = tcc_expr_var(ctx, rv->var);
      if (keepdims) j++;
    } else {
      src[i] = idx[j++];
    }
  }
  v = tcc_read(ctx, x, src);
  const tcc_expr *mv = tcc_read(ctx, m, idx);
  const tcc_expr *hit = tcc_eq(ctx, v, mv);
  if (tcc_dtype_is_float(x->dtype))
    hit = tcc_or(
        ctx, hit,
        tcc_and(ctx, tcc_call1(ctx, TCC_INTRIN_ISNAN, v), tcc_call1(ctx, TCC_INTRIN_ISNAN, mv)));
  const tcc_expr *pos = tcc_expr_var(ctx, rv->var);
  const tcc_expr *body =
      last ? tcc_reduce_max(ctx, tcc_select(ctx, hit, pos, tcc_idx(ctx, -1)), 1, &rv, NULL)
           : tcc_reduce_min(ctx, tcc_select(ctx, hit, pos, tcc_idx(ctx, INT64_MAX)), 1, &rv, NULL);
  outs[0] = tcc_compute_out(cc, 0, axes, body, "reduce");
  return TCC_OK;
}

/* CumSum / CumProd (26): out[i] = sum (product) of x[r] along the axis for r <= i (r < i exclusive;
 * r >= i / r > i reversed). The axis input must be constant. */
static tcc_status compute_cumsum(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = {ctx, (tcc_graph *)cc->graph};
  const tcc_node *n = cc->node;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  bool known;
  int64_t cnt, excl = 0, rev = 0;
  const int64_t *av;
  TCC_TRY(tcc_infer_const_ints(&ic, n, 1, &known, &cnt, &av));
  if (!known || cnt != 1)
    return tcc_node_error(ctx, cc->graph, n, "compute: the axis input is not constant");
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "exclusive", 0, &excl));
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "reverse", 0, &rev));
  int r = x->ndim, a = (int)(av[0] < 0 ? av[0] + r : av[0]);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_itervar *rv = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), x->shape[a]);
  const tcc_expr *src[64];
  for (int i = 0; i < r; i++)
    src[i] = i == a ? tcc_expr_var(ctx, rv->var) : idx[i];
  const tcc_expr *rvar = src[a], *cond;
  if (!rev)
    cond = excl ? tcc_lt(ctx, rvar, idx[a]) : tcc_le(ctx, rvar, idx[a]);
  else
    cond = excl ? tcc_gt(ctx, rvar, idx[a]) : tcc_ge(ctx, rvar, idx[a]);
  const tcc_expr *v = tcc_read(ctx, x, src);
  const tcc_expr *body = !strcmp(n->op->name, "CumProd") ? tcc_reduce_prod(ctx, v, 1, &rv, cond)
                                                         : tcc_sum(ctx, v, 1, &rv, cond);
  outs[0] = tcc_compute_out(cc, 0, axes, body, "reduce");
  return TCC_OK;
}

/* TopK: rank[i] = the number of elements along the axis that come before x[i] in the output
 * order (larger first for largest=1, smaller first otherwise; equal values by smaller index, as
 * the spec's stable order); Indices[j] = the position whose rank is j; Values[j] = x there. */
static tcc_status compute_topk(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_node *n = cc->node;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  int64_t axis = -1, largest = 1;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "axis", -1, &axis));
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, n, "largest", 1, &largest));
  int r = x->ndim, a = (int)(axis < 0 ? axis + r : axis);
  const tcc_value *o = n->outputs[0] ? n->outputs[0] : n->outputs[1];
  if (!o) return tcc_node_error(ctx, cc->graph, n, "compute: TopK has no outputs");
  /* stage 1: ranks over x's shape */
  const tcc_itervar *const *xa = tcc_compute_axes(ctx, r, x->shape, NULL);
  const tcc_expr *xi[64], *ei[64];
  for (int d = 0; d < r; d++)
    xi[d] = tcc_expr_var(ctx, xa[d]->var);
  const tcc_itervar *ev = tcc_reduce_axis(ctx, "e", tcc_idx(ctx, 0), x->shape[a]);
  for (int d = 0; d < r; d++)
    ei[d] = d == a ? tcc_expr_var(ctx, ev->var) : xi[d];
  const tcc_expr *vi = tcc_read(ctx, x, xi), *ve = tcc_read(ctx, x, ei);
  const tcc_expr *before = largest ? tcc_gt(ctx, ve, vi) : tcc_lt(ctx, ve, vi);
  before = tcc_or(ctx, before, tcc_and(ctx, tcc_eq(ctx, ve, vi), tcc_lt(ctx, ei[a], xi[a])));
  const tcc_expr *cnt =
      tcc_sum(ctx, tcc_select(ctx, before, tcc_idx(ctx, 1), tcc_idx(ctx, 0)), 1, &ev, NULL);
  const tcc_tensor *rank =
      tcc_compute(ctx, tcc_arena_printf(tcc_ctx_arena(ctx), "%s.rank", o->name), r, x->shape, xa,
                  cnt, "reduce");
  /* stage 2: Indices[j] = the position of rank j */
  const tcc_itervar *const *oa = tcc_compute_axes(ctx, r, o->dims, NULL);
  const tcc_expr *oi[64], *ri[64];
  for (int d = 0; d < r; d++)
    oi[d] = tcc_expr_var(ctx, oa[d]->var);
  const tcc_itervar *pv = tcc_reduce_axis(ctx, "p", tcc_idx(ctx, 0), x->shape[a]);
  for (int d = 0; d < r; d++)
    ri[d] = d == a ? tcc_expr_var(ctx, pv->var) : oi[d];
  const tcc_expr *pos = tcc_reduce_min(
      ctx,
      tcc_select(ctx, tcc_eq(ctx, tcc_read(ctx, rank, ri), oi[a]), ri[a], tcc_idx(ctx, INT64_MAX)),
      1, &pv, NULL);
  const char *iname = n->noutputs > 1 && n->outputs[1]
                          ? n->outputs[1]->name
                          : tcc_arena_printf(tcc_ctx_arena(ctx), "%s.indices", o->name);
  tcc_tensor *ind = tcc_compute(ctx, iname, r, o->dims, oa, pos, "reduce");
  /* Values = x at those positions */
  if (n->outputs[0]) {
    const tcc_expr *const *idx;
    const tcc_itervar *const *va = tcc_compute_out_axes(cc, 0, &idx);
    const tcc_expr *gi[64];
    for (int d = 0; d < r; d++)
      gi[d] = d == a ? tcc_read(ctx, ind, idx) : idx[d];
    outs[0] = tcc_compute_out(cc, 0, va, tcc_read(ctx, x, gi), "injective");
  }
  if (n->noutputs > 1 && n->outputs[1]) outs[1] = ind;
  return TCC_OK;
}

static const tcc_attr_schema reduce_attrs[] = {{"axes", TCC_ATTR_INTS, false},
                                               {"keepdims", TCC_ATTR_INT, false},
                                               {"noop_with_empty_axes", TCC_ATTR_INT, false},
                                               {NULL}};
static const tcc_attr_schema arg_attrs[] = {{"axis", TCC_ATTR_INT, false},
                                            {"keepdims", TCC_ATTR_INT, false},
                                            {"select_last_index", TCC_ATTR_INT, false},
                                            {NULL}};
static const tcc_attr_schema cumsum_attrs[] = {
    {"exclusive", TCC_ATTR_INT, false}, {"reverse", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema topk_attrs[] = {{"axis", TCC_ATTR_INT, false},
                                             {"k", TCC_ATTR_INT, false},
                                             {"largest", TCC_ATTR_INT, false},
                                             {"sorted", TCC_ATTR_INT, false},
                                             {NULL}};

#define RED(NAME)                                                                                  \
  {NAME, "", 1, 0, TCC_PAT_REDUCE, 1, 2, 1, 1, reduce_attrs, infer_reduce, compute_reduce}

const tcc_op tcc_ops_reduce[] = {
    RED("ReduceSum"),
    RED("ReduceMean"),
    RED("ReduceMax"),
    RED("ReduceMin"),
    RED("ReduceProd"),
    RED("ReduceL1"),
    RED("ReduceL2"),
    RED("ReduceLogSum"),
    RED("ReduceLogSumExp"),
    RED("ReduceSumSquare"),
    {"ArgMax", "", 1, 0, TCC_PAT_REDUCE, 1, 1, 1, 1, arg_attrs, infer_arg, compute_arg},
    {"ArgMin", "", 1, 0, TCC_PAT_REDUCE, 1, 1, 1, 1, arg_attrs, infer_arg, compute_arg},
    {"CumSum", "", 11, 0, TCC_PAT_OPAQUE, 2, 2, 1, 1, cumsum_attrs, infer_cumsum, compute_cumsum},
    {"CumProd", "", 26, 0, TCC_PAT_OPAQUE, 2, 2, 1, 1, cumsum_attrs, infer_cumsum, compute_cumsum},
    {"TopK", "", 1, 0, TCC_PAT_OPAQUE, 1, 2, 2, 2, topk_attrs, infer_topk, compute_topk},
};
const int tcc_ops_reduce_count = (int)TCC_ARRAY_SIZE(tcc_ops_reduce);
