/* alter_layout.c — blocked layouts for convolutions and the ops around them (TVM's AlterOpLayout
 * with InferCorrectLayout, in one forward walk).
 *
 * Nodes are visited in topological order. Each node's op is asked (infer_layout) which layout
 * it wants each input in, given the layouts its inputs are available in, and which layouts its
 * outputs then get. A node that stays plain gets plain inputs (a LayoutTransform back to plain
 * is inserted before it when an input is only available blocked). A node that goes blocked gets
 * its inputs converted (constants packed at compile time; other values through a
 * LayoutTransform node), fresh output values of the blocked physical shapes and, when the op
 * has one, its alter_layout rewrite (Conv -> ConvNCHWc). The original output values stay the
 * plain versions: they are produced (by a LayoutTransform) only when a plain consumer or a graph
 * output needs them, so graph inputs, outputs and the ABI never change layout. */
#include "../ops/op_util.h"
#include "passes.h"

#include <string.h>

typedef struct conv_entry {
  const tcc_value *src;
  tcc_layout layout;
  tcc_value *val;
} conv_entry;

typedef struct alter_state {
  tcc_context *ctx;
  tcc_graph *g;
  tcc_layout_table *lt;
  tcc_layout_ctx lc;
  int nv0;         /* values before the pass */
  tcc_value **blk; /* [nv0]: the blocked version of an original value, or NULL */
  bool *plain_ok;  /* [nv0]: the original value is produced (or an input / constant) */
  tcc_vec order;   /* tcc_node*: the new node order */
  tcc_vec convs;   /* conv_entry: values converted to other layouts */
  int ntransforms; /* LayoutTransform nodes inserted */
} alter_state;

static const tcc_layout *layout_of(alter_state *s, const tcc_value *v) {
  return tcc_layout_of(s->lt, v->id);
}

static tcc_status infer_new(alter_state *s, tcc_node *n) {
  if (tcc_graph_infer_node(s->ctx, s->g, n) != TCC_OK)
    return tcc_node_error(s->ctx, s->g, n, "layout pass: inference of the rewritten node failed");
  tcc_vec_push(tcc_ctx_arena(s->ctx), &s->order, &n);
  return TCC_OK;
}

/* A LayoutTransform node src (in layout from) -> dst (a value of the graph) in layout to. */
static tcc_status add_transform(alter_state *s, tcc_value *src, const tcc_layout *from,
                                tcc_value *dst, const tcc_layout *to) {
  tcc_arena *a = tcc_ctx_arena(s->ctx);
  tcc_node *n =
      tcc_graph_add_node(s->g, tcc_arena_printf(a, "layout_transform_%d", s->ntransforms++),
                         "LayoutTransform", TCC_INTERNAL_DOMAIN, 1, &src, 1, &dst);
  n->opset = 1;
  n->op = tcc_op_lookup(TCC_INTERNAL_DOMAIN, "LayoutTransform", 1);
  if (!n->op) return tcc_error(s->ctx, "layout pass: LayoutTransform is not registered");
  n->nattrs = 2;
  n->attrs = tcc_arena_alloc(a, sizeof(tcc_attr) * 2);
  const char *names[2] = {"src_layout", "dst_layout"};
  const tcc_layout *ls[2] = {from, to};
  for (int k = 0; k < 2; k++) {
    n->attrs[k].name = names[k];
    n->attrs[k].kind = TCC_ATTR_STRING;
    n->attrs[k].u.s = tcc_layout_str(s->ctx, ls[k]);
    n->attrs[k].slen = strlen(n->attrs[k].u.s);
  }
  return infer_new(s, n);
}

/* The original value v, produced: when its producer went blocked, a LayoutTransform back to
 * plain is inserted (once) writing v itself. */
static tcc_status ensure_plain(alter_state *s, tcc_value *v) {
  if (!v || v->id >= (uint32_t)s->nv0 || s->plain_ok[v->id]) return TCC_OK;
  tcc_value *b = s->blk[v->id];
  tcc_layout primal = tcc_layout_primal(layout_of(s, b));
  TCC_TRY(add_transform(s, b, layout_of(s, b), v, &primal));
  s->plain_ok[v->id] = true;
  return TCC_OK;
}

/* v in layout L: the blocked version when it has L, else a converted copy (a constant packed
 * now, anything else through a LayoutTransform), cached. */
static tcc_status convert(alter_state *s, tcc_value *v, const tcc_layout *L, tcc_value **out) {
  tcc_context *ctx = s->ctx;
  tcc_arena *a = tcc_ctx_arena(ctx);
  if (!tcc_layout_is_blocked(L)) {
    TCC_TRY(ensure_plain(s, v));
    *out = v;
    return TCC_OK;
  }
  tcc_value *b = v->id < (uint32_t)s->nv0 ? s->blk[v->id] : NULL;
  if (b && tcc_layout_eq(layout_of(s, b), L)) {
    *out = b;
    return TCC_OK;
  }
  for (size_t i = 0; i < s->convs.len; i++) {
    conv_entry *e = &TCC_VEC_AT(s->convs, conv_entry, i);
    if (e->src == v && tcc_layout_eq(&e->layout, L)) {
      *out = e->val;
      return TCC_OK;
    }
  }
  tcc_value *src = b ? b : v;
  tcc_layout from = b ? *layout_of(s, b) : tcc_layout_primal(L);
  if (src->ndim != from.ndim)
    return tcc_error(ctx, "layout pass: value '%s' has rank %d; layout %s needs %d", v->name,
                     src->ndim, tcc_layout_str(ctx, L), tcc_layout_primal_rank(L));
  const char *name = tcc_arena_printf(a, "%s@%s", v->name, tcc_layout_str(ctx, L));
  tcc_value *nv;
  if (src->kind == TCC_VALUE_CONST && tcc_value_shape_known(src) && (src->data || src->is_fill)) {
    /* packed at compile time (a fill stays a fill: every element is the same) */
    nv = tcc_graph_add_value(s->g, name, TCC_VALUE_CONST);
    const tcc_expr **dims = tcc_arena_alloc(a, sizeof(tcc_expr *) * (size_t)L->ndim);
    TCC_TRY(tcc_layout_transform_shape(ctx, &from, src->dims, L, dims));
    nv->dtype = src->dtype;
    nv->ndim = L->ndim;
    nv->dims = dims;
    size_t es = tccrt_dtype_size(src->dtype);
    if (src->is_fill) {
      nv->data = src->data;
      nv->nbytes = src->nbytes;
      nv->is_fill = true;
    } else {
      int64_t ne = tcc_value_numel(src);
      if (ne < 0 || es == 0 || src->nbytes < (size_t)ne * es)
        return tcc_error(ctx, "layout pass: constant '%s' has no dense data", v->name);
      int64_t shp[TCC_LAYOUT_MAX_DIMS];
      for (int d = 0; d < src->ndim; d++)
        tcc_expr_is_int_imm(src->dims[d], &shp[d]);
      void *data = tcc_arena_alloc(a, (size_t)ne * es + 1);
      TCC_TRY(tcc_layout_transform_data(ctx, &from, shp, L, es, src->data, data));
      nv->data = data;
      nv->nbytes = (size_t)ne * es;
    }
  } else {
    nv = tcc_graph_add_value(s->g, name, TCC_VALUE_NODE);
    TCC_TRY(add_transform(s, src, &from, nv, L));
  }
  tcc_layout_set(ctx, s->lt, nv->id, L);
  conv_entry e = {v, *L, nv};
  tcc_vec_push(a, &s->convs, &e);
  *out = nv;
  return TCC_OK;
}

/* Checks that a blocked output's inferred shape is the transform of the original's. */
static tcc_status check_output(alter_state *s, tcc_node *n, const tcc_value *orig,
                               const tcc_value *nv, const tcc_layout *L) {
  tcc_context *ctx = s->ctx;
  const tcc_expr *want[TCC_LAYOUT_MAX_DIMS];
  tcc_layout primal = tcc_layout_primal(L);
  bool ok = orig->ndim == primal.ndim && nv->ndim == L->ndim &&
            tcc_layout_transform_shape(ctx, &primal, orig->dims, L, want) == TCC_OK &&
            nv->dtype == orig->dtype;
  for (int d = 0; ok && d < L->ndim; d++)
    ok = tcc_shape_dim_eq(ctx, want[d], nv->dims[d]);
  if (!ok)
    return tcc_node_error(ctx, s->g, n,
                          "layout pass: output '%s' %s in layout %s was inferred as %s (internal "
                          "error)",
                          orig->name, tcc_value_shape_str(ctx, orig), tcc_layout_str(ctx, L),
                          tcc_value_shape_str(ctx, nv));
  return TCC_OK;
}

static tcc_status visit(alter_state *s, tcc_node *n) {
  tcc_context *ctx = s->ctx;
  tcc_arena *a = tcc_ctx_arena(ctx);
  int ni = n->ninputs, no = n->noutputs;
  tcc_layout *in = tcc_arena_alloc(a, sizeof(tcc_layout) * (size_t)(ni + 1));
  tcc_layout *req = tcc_arena_alloc(a, sizeof(tcc_layout) * (size_t)(ni + 1));
  tcc_layout *out = tcc_arena_alloc(a, sizeof(tcc_layout) * (size_t)(no + 1));
  for (int k = 0; k < ni; k++) {
    tcc_value *v = n->inputs[k];
    tcc_value *b = v && v->id < (uint32_t)s->nv0 ? s->blk[v->id] : NULL;
    in[k] = b ? *layout_of(s, b) : tcc_layout_plain();
  }
  bool blocked = false;
  if (n->op && n->op->infer_layout) {
    TCC_TRY(n->op->infer_layout(&s->lc, n, in, req, out));
    for (int k = 0; k < ni; k++)
      blocked |= n->inputs[k] && tcc_layout_is_blocked(&req[k]);
    for (int j = 0; j < no; j++)
      blocked |= n->outputs[j] && tcc_layout_is_blocked(&out[j]);
  }
  if (!blocked) {
    for (int k = 0; k < ni; k++)
      TCC_TRY(ensure_plain(s, n->inputs[k]));
    tcc_vec_push(a, &s->order, &n);
    return TCC_OK;
  }
  for (int k = 0; k < ni; k++)
    if (n->inputs[k]) TCC_TRY(convert(s, n->inputs[k], &req[k], &n->inputs[k]));
  tcc_value **orig = tcc_arena_alloc(a, sizeof(tcc_value *) * (size_t)(no + 1));
  for (int j = 0; j < no; j++) {
    tcc_value *v = n->outputs[j];
    orig[j] = v;
    if (!v || !tcc_layout_is_blocked(&out[j])) continue;
    tcc_value *nv = tcc_graph_add_value(
        s->g, tcc_arena_printf(a, "%s@%s", v->name, tcc_layout_str(ctx, &out[j])), TCC_VALUE_NODE);
    nv->producer = n;
    nv->producer_output = j;
    tcc_layout_set(ctx, s->lt, nv->id, &out[j]);
    s->blk[v->id] = nv;
    s->plain_ok[v->id] = false;
    v->producer = NULL;
    n->outputs[j] = nv;
  }
  tcc_layout_rewrite rw = {0, {NULL}};
  if (n->op->alter_layout) TCC_TRY(n->op->alter_layout(&s->lc, n, req, out, &rw));
  if (rw.nnodes == 0) {
    TCC_TRY(infer_new(s, n));
  } else {
    for (int r = 0; r < rw.nnodes; r++) {
      TCC_TRY(infer_new(s, rw.nodes[r]));
      for (int j = 0; j < rw.nodes[r]->noutputs; j++)
        if (rw.nodes[r]->outputs[j])
          tcc_layout_set(ctx, s->lt, rw.nodes[r]->outputs[j]->id, &out[0]);
    }
  }
  for (int j = 0; j < no; j++)
    if (orig[j] && tcc_layout_is_blocked(&out[j]))
      TCC_TRY(check_output(s, n, orig[j], s->blk[orig[j]->id], &out[j]));
  return TCC_OK;
}

tcc_status tcc_pass_alter_layout(tcc_context *ctx, tcc_graph *g, int vector_lanes,
                                 tcc_layout_table *layouts) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  /* Subgraphs read outer values by name, not through node inputs: leave such graphs alone. */
  for (size_t i = 0; i < g->nodes.len; i++) {
    const tcc_node *n = TCC_GRAPH_NODE(g, i);
    for (int k = 0; k < n->nattrs; k++)
      if (n->attrs[k].kind == TCC_ATTR_GRAPH || n->attrs[k].kind == TCC_ATTR_GRAPHS) return TCC_OK;
  }
  alter_state s;
  memset(&s, 0, sizeof s);
  s.ctx = ctx;
  s.g = g;
  s.lt = layouts;
  s.lc = (tcc_layout_ctx){ctx, g, vector_lanes};
  s.nv0 = (int)g->values.len;
  s.blk = tcc_arena_alloc(a, sizeof(tcc_value *) * (size_t)(s.nv0 + 1));
  s.plain_ok = tcc_arena_alloc(a, sizeof(bool) * (size_t)(s.nv0 + 1));
  for (int i = 0; i < s.nv0; i++)
    s.plain_ok[i] = true;
  tcc_vec_init(&s.order, sizeof(tcc_node *));
  tcc_vec_init(&s.convs, sizeof(conv_entry));
  size_t nn = g->nodes.len;
  tcc_node **snap = tcc_arena_alloc(a, sizeof(tcc_node *) * (nn + 1));
  if (nn > 0) memcpy(snap, g->nodes.data, sizeof(tcc_node *) * nn); /* data is NULL when empty */
  for (size_t i = 0; i < nn; i++)
    TCC_TRY(visit(&s, snap[i]));
  for (size_t i = 0; i < g->outputs.len; i++)
    TCC_TRY(ensure_plain(&s, TCC_GRAPH_OUTPUT(g, i)));
  /* the new order replaces the node list */
  g->nodes.len = 0;
  for (size_t i = 0; i < s.order.len; i++) {
    tcc_node *n = TCC_VEC_AT(s.order, tcc_node *, i);
    n->id = (uint32_t)i;
    tcc_vec_push(a, &g->nodes, &n);
  }
  return TCC_OK;
}
