/* layout_ops.c — tcc-ml's internal layout op LayoutTransform (domain tcc.internal) and the generic
 * layout hooks other families use (op.h): broadcasting elementwise ops and Concat.
 *
 * LayoutTransform {src_layout, dst_layout}: Y = X converted from src_layout to dst_layout
 * (layout.h strings with the same primal dims, e.g. "NCHW" -> "NCHW8c", "NCHW8c" -> "NCHW"),
 * an injective op that fuses with its neighbours. Made only by the layout pass. */
#include "op_util.h"

#include <string.h>

static const tcc_attr_schema lt_attrs[] = {
    {"src_layout", TCC_ATTR_STRING, true}, {"dst_layout", TCC_ATTR_STRING, true}, {NULL, 0, false}};

static tcc_status lt_layouts(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                             tcc_layout *src, tcc_layout *dst) {
  const char *s = NULL, *d = NULL;
  TCC_TRY(tcc_node_attr_string(ctx, g, n, "src_layout", NULL, &s));
  TCC_TRY(tcc_node_attr_string(ctx, g, n, "dst_layout", NULL, &d));
  if (!s || !d)
    return tcc_node_error(ctx, g, n, "attributes 'src_layout' and 'dst_layout' are required");
  if (tcc_layout_parse(ctx, s, src) != TCC_OK || tcc_layout_parse(ctx, d, dst) != TCC_OK)
    return tcc_node_error(ctx, g, n, "bad layout attribute: %s", tcc_error_text(ctx));
  return TCC_OK;
}

static tcc_status infer_layout_transform(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_layout src, dst;
  TCC_TRY(lt_layouts(ic->ctx, ic->graph, n, &src, &dst));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  if (X->ndim != src.ndim)
    return tcc_node_error(ic->ctx, ic->graph, n, "input %s has rank %d; layout %s has %d dims",
                          tcc_value_shape_str(ic->ctx, X), X->ndim, tcc_layout_str(ic->ctx, &src),
                          src.ndim);
  const tcc_expr *shape[TCC_LAYOUT_MAX_DIMS];
  if (tcc_layout_transform_shape(ic->ctx, &src, X->dims, &dst, shape) != TCC_OK)
    return tcc_node_error(ic->ctx, ic->graph, n, "input %s: %s", tcc_value_shape_str(ic->ctx, X),
                          tcc_error_text(ic->ctx));
  return tcc_infer_set_output(ic, n, 0, X->dtype, dst.ndim, shape);
}

static tcc_status compute_layout_transform(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_layout src, dst;
  TCC_TRY(lt_layouts(cc->ctx, cc->graph, cc->node, &src, &dst));
  const tcc_tensor *X;
  TCC_TRY(tcc_compute_input(cc, 0, &X));
  const char *name = cc->node->outputs[0] ? cc->node->outputs[0]->name : "layout_transform";
  return tcc_layout_transform_compute(cc->ctx, X, &src, &dst, name, &outputs[0]);
}

/* ---- generic hooks ---- */

static bool all_ones(const tcc_value *v) {
  for (int d = 0; d < v->ndim; d++) {
    int64_t e;
    if (!tcc_expr_is_int_imm(v->dims[d], &e) || e != 1) return false;
  }
  return true;
}

static bool dim_eq(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b) {
  return a == b || tcc_shape_dim_eq(ctx, a, b);
}

static void all_plain(const tcc_node *n, tcc_layout *req, tcc_layout *out) {
  for (int k = 0; k < n->ninputs; k++)
    req[k] = tcc_layout_plain();
  for (int j = 0; j < n->noutputs; j++)
    out[j] = tcc_layout_plain();
}

tcc_status tcc_layout_infer_broadcast(tcc_layout_ctx *lc, const tcc_node *n, const tcc_layout *in,
                                      tcc_layout *req, tcc_layout *out) {
  tcc_context *ctx = lc->ctx;
  int main = -1;
  for (int k = 0; k < n->ninputs && main < 0; k++)
    if (n->inputs[k] && tcc_layout_is_blocked(&in[k])) main = k;
  /* legacy (opset < 7) broadcasting along an 'axis' attribute is not numpy's */
  if (main < 0 || tcc_node_attr(n, "axis")) return TCC_OK;
  const tcc_layout *L = &in[main];
  const tcc_value *M = n->inputs[main];
  int R = tcc_layout_primal_rank(L);
  if (M->ndim != R) return TCC_OK;
  const tcc_expr *const *logical = M->dims;
  tcc_layout primal = tcc_layout_primal(L);
  for (int k = 0; k < n->ninputs; k++) {
    const tcc_value *v = n->inputs[k];
    if (!v || k == main) continue;
    if (tcc_layout_is_blocked(&in[k])) {
      /* another blocked operand: same primal dims and extents (converted to L if blocked
       * differently) */
      if (tcc_layout_primal_rank(&in[k]) != R || v->ndim != R) goto plain;
      tcc_layout pk = tcc_layout_primal(&in[k]);
      if (memcmp(pk.axis, primal.axis, (size_t)R)) goto plain;
      for (int d = 0; d < R; d++)
        if (!dim_eq(ctx, v->dims[d], logical[d])) goto plain;
      req[k] = *L;
      continue;
    }
    if (all_ones(v)) continue; /* a scalar broadcasts against any physical shape */
    int r = v->ndim;
    if (r > R) goto plain;
    /* a plain operand of the trailing primal dims: full extent on every blocked dim, equal or 1
     * elsewhere */
    for (int d = 0; d < r; d++) {
      const tcc_expr *md = logical[R - r + d];
      char letter = primal.axis[R - r + d];
      int64_t e;
      bool one = tcc_expr_is_int_imm(v->dims[d], &e) && e == 1;
      if (dim_eq(ctx, v->dims[d], md)) continue;
      if (one && tcc_layout_block(L, letter) == 0) continue;
      goto plain;
    }
    tcc_layout lk;
    if (!tcc_layout_drop_leading(L, R - r, &lk) || !tcc_layout_is_blocked(&lk)) goto plain;
    req[k] = lk;
  }
  req[main] = *L;
  for (int j = 0; j < n->noutputs; j++)
    out[j] = *L;
  return TCC_OK;
plain:
  all_plain(n, req, out);
  return TCC_OK;
}

tcc_status tcc_layout_infer_concat(tcc_layout_ctx *lc, const tcc_node *n, const tcc_layout *in,
                                   tcc_layout *req, tcc_layout *out) {
  tcc_context *ctx = lc->ctx;
  int main = -1;
  for (int k = 0; k < n->ninputs && main < 0; k++)
    if (n->inputs[k] && tcc_layout_is_blocked(&in[k])) main = k;
  if (main < 0 || n->noutputs != 1) return TCC_OK;
  const tcc_layout *L = &in[main];
  int64_t axis = -1;
  const tcc_attr *a = tcc_node_attr(n, "axis");
  if (a && a->kind == TCC_ATTR_INT) axis = a->u.i;
  int R = tcc_layout_primal_rank(L);
  if (axis < 0 || axis >= R) return TCC_OK; /* negative axes would move with the rank */
  tcc_layout primal = tcc_layout_primal(L);
  char P = primal.axis[axis];
  int64_t b = tcc_layout_block(L, P);
  /* the concatenated primal dim must sit at the same physical position, blocked by b, and be
   * the only blocked dim */
  if (b <= 0 || tcc_layout_index(L, P) != axis) return TCC_OK;
  for (int d = 0; d < L->ndim; d++)
    if (L->factor[d] > 0 && L->axis[d] != (char)(P - 'A' + 'a')) return TCC_OK;
  const tcc_value *M = n->inputs[main];
  if (M->ndim != R) return TCC_OK;
  for (int k = 0; k < n->ninputs; k++) {
    const tcc_value *v = n->inputs[k];
    if (!v) continue;
    if (v->ndim != R) goto plain;
    if (tcc_layout_is_blocked(&in[k])) {
      tcc_layout pk = tcc_layout_primal(&in[k]);
      if (tcc_layout_primal_rank(&in[k]) != R || memcmp(pk.axis, primal.axis, (size_t)R))
        goto plain;
    }
    for (int d = 0; d < R; d++)
      if (d != axis && !dim_eq(ctx, v->dims[d], M->dims[d])) goto plain;
    int64_t c;
    if (!tcc_expr_is_int_imm(v->dims[axis], &c) || c % b) goto plain;
    req[k] = *L;
  }
  out[0] = *L;
  return TCC_OK;
plain:
  all_plain(n, req, out);
  return TCC_OK;
}

const tcc_op tcc_ops_layout[] = {
    {"LayoutTransform", TCC_INTERNAL_DOMAIN, 1, 0, TCC_PAT_INJECTIVE, 1, 1, 1, 1, lt_attrs,
     infer_layout_transform, compute_layout_transform, NULL, NULL},
};
const int tcc_ops_layout_count = (int)TCC_ARRAY_SIZE(tcc_ops_layout);
