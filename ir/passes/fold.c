/* fold.c — inference interleaved with constant folding: a node whose inputs are all constants is
 * evaluated at compile time (by the driver's evaluator) and its outputs become constants, so the
 * shape arithmetic of exported models (Shape -> Gather -> Concat -> Reshape) is constant before
 * its consumers are inferred. Also dead-code elimination. */
#include "passes.h"

#include <string.h>

/* Ops never folded: random or with side effects. */
static bool never_fold(const tcc_node *n) {
  static const char *const names[] = {"RandomNormal",      "RandomUniform", "RandomNormalLike",
                                      "RandomUniformLike", "Multinomial",   "Bernoulli"};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(names); i++)
    if (!strcmp(n->op_type, names[i])) return true;
  return false;
}

static bool all_inputs_const(const tcc_node *n) {
  for (int k = 0; k < n->ninputs; k++) {
    const tcc_value *v = n->inputs[k];
    if (v && v->kind != TCC_VALUE_CONST) return false;
  }
  return true;
}

/* ConstantOfShape with a constant shape stays a fill: one element plus a shape. */
static bool fold_constant_of_shape(tcc_context *ctx, tcc_graph *g, tcc_node *n) {
  if (strcmp(n->op_type, "ConstantOfShape") || n->noutputs != 1 || !n->outputs[0]) return false;
  tcc_value *o = n->outputs[0];
  if (!tcc_value_shape_known(o) || o->dtype == TCCRT_UNDEFINED) return false;
  size_t es = tccrt_dtype_size(o->dtype);
  if (es == 0) return false;
  void *elem = tcc_arena_alloc(tcc_ctx_arena(ctx), es);
  const tcc_attr *val = tcc_node_attr(n, "value");
  if (val && val->kind == TCC_ATTR_TENSOR && val->u.t && val->u.t->data) {
    const tcc_value *t = val->u.t;
    size_t tes = tccrt_dtype_size(t->dtype);
    if (t->dtype != o->dtype || tes != es || (t->nbytes < es)) return false;
    memcpy(elem, t->data, es);
  } /* else: float 0 (zeroed memory is 0 for every dtype) */
  (void)g;
  o->kind = TCC_VALUE_CONST;
  o->data = elem;
  o->nbytes = es;
  o->is_fill = true;
  return true;
}

/* A value whose every element is known to inference as a constant (sym_elems, e.g. Shape of a
 * bound shape) becomes a constant without evaluation. */
static bool fold_sym_elems(tcc_context *ctx, tcc_value *o) {
  if (!o || !o->sym_elems || !tcc_value_shape_known(o)) return false;
  int64_t ne = tcc_value_numel(o);
  if (ne < 0 || ne != o->nsym_elems) return false;
  if (o->dtype != TCCRT_INT64 && o->dtype != TCCRT_INT32) return false;
  for (int64_t i = 0; i < ne; i++)
    if (!tcc_expr_is_int_imm(o->sym_elems[i], NULL)) return false;
  size_t es = tccrt_dtype_size(o->dtype);
  uint8_t *d = tcc_arena_alloc(tcc_ctx_arena(ctx), (size_t)ne * es + 1);
  for (int64_t i = 0; i < ne; i++) {
    int64_t v = o->sym_elems[i]->u.ival;
    if (o->dtype == TCCRT_INT64) {
      memcpy(d + i * 8, &v, 8);
    } else {
      int32_t w = (int32_t)v;
      memcpy(d + i * 4, &w, 4);
    }
  }
  o->data = d;
  o->nbytes = (size_t)ne * es;
  return true;
}

tcc_status tcc_pass_fold_constants(tcc_context *ctx, tcc_graph *g, tcc_fold_eval_fn eval,
                                   void *user, size_t max_fold_bytes) {
  if (max_fold_bytes == 0) max_fold_bytes = (size_t)64 << 20;
  for (size_t i = 0; i < g->nodes.len; i++) {
    tcc_node *n = TCC_GRAPH_NODE(g, i);
    bool outs_const = n->noutputs > 0;
    for (int k = 0; k < n->noutputs; k++)
      if (n->outputs[k] && n->outputs[k]->kind != TCC_VALUE_CONST) outs_const = false;
    if (outs_const || never_fold(n)) continue;
    /* Not inferred yet (inference stopped before this node). */
    bool typed = true;
    for (int k = 0; k < n->noutputs; k++)
      if (n->outputs[k] && (n->outputs[k]->ndim < 0 || n->outputs[k]->dtype == TCCRT_UNDEFINED))
        typed = false;
    if (!typed) continue;
    /* Outputs fully known to inference (shape arithmetic). */
    bool sym = n->noutputs > 0;
    for (int k = 0; k < n->noutputs && sym; k++) {
      tcc_value *o = n->outputs[k];
      sym = o && o->sym_elems && tcc_value_shape_known(o) && tcc_value_numel(o) == o->nsym_elems &&
            (o->dtype == TCCRT_INT64 || o->dtype == TCCRT_INT32);
      for (int64_t e = 0; sym && e < o->nsym_elems; e++)
        sym = tcc_expr_is_int_imm(o->sym_elems[e], NULL);
    }
    if (sym) {
      for (int k = 0; k < n->noutputs; k++)
        if (fold_sym_elems(ctx, n->outputs[k])) n->outputs[k]->kind = TCC_VALUE_CONST;
      continue;
    }
    if (!all_inputs_const(n)) continue;
    bool any_graph = false;
    for (int k = 0; k < n->nattrs; k++)
      if (n->attrs[k].kind == TCC_ATTR_GRAPH || n->attrs[k].kind == TCC_ATTR_GRAPHS)
        any_graph = true;
    if (any_graph) continue;
    if (fold_constant_of_shape(ctx, g, n)) continue;
    if (!eval) continue;
    /* Every output typed with a known, small shape; no fill input (a fill stays a fill: the
     * kernel reading it gets the one element, never a materialized copy). */
    bool ok = true;
    for (int k = 0; k < n->ninputs && ok; k++)
      if (n->inputs[k] && n->inputs[k]->is_fill) ok = false;
    for (int k = 0; k < n->noutputs && ok; k++) {
      tcc_value *o = n->outputs[k];
      if (!o) continue;
      int64_t ne = tcc_value_numel(o);
      size_t es = tccrt_dtype_size(o->dtype);
      if (ne < 0 || es == 0 || !tcc_value_shape_known(o) || (size_t)ne * es > max_fold_bytes)
        ok = false;
    }
    if (!ok) continue;
    int nerr = tcc_error_count(ctx);
    if (eval(user, ctx, g, n) != TCC_OK) {
      /* Folding is an optimization: the node stays a kernel. Drop its diagnostics. */
      if (tcc_error_count(ctx) > nerr && nerr == 0) tcc_error_clear(ctx);
      continue;
    }
    for (int k = 0; k < n->noutputs; k++)
      if (n->outputs[k]) n->outputs[k]->kind = TCC_VALUE_CONST;
  }
  return TCC_OK;
}

void tcc_pass_dead_code(tcc_context *ctx, tcc_graph *g) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  size_t nn = g->nodes.len;
  bool *live_val = tcc_arena_alloc(a, g->values.len + 1);
  for (size_t i = 0; i < g->outputs.len; i++)
    live_val[TCC_GRAPH_OUTPUT(g, i)->id] = true;
  bool *live = tcc_arena_alloc(a, nn + 1);
  for (size_t i = nn; i-- > 0;) {
    tcc_node *n = TCC_GRAPH_NODE(g, i);
    bool any = false;
    for (int k = 0; k < n->noutputs; k++)
      if (n->outputs[k] && n->outputs[k]->kind == TCC_VALUE_NODE && live_val[n->outputs[k]->id])
        any = true;
    if (!any) continue;
    live[i] = true;
    for (int k = 0; k < n->ninputs; k++)
      if (n->inputs[k]) live_val[n->inputs[k]->id] = true;
  }
  size_t w = 0;
  for (size_t i = 0; i < nn; i++) {
    tcc_node *n = TCC_GRAPH_NODE(g, i);
    if (!live[i]) continue;
    n->id = (uint32_t)w;
    TCC_VEC_AT(g->nodes, tcc_node *, w++) = n;
  }
  g->nodes.len = w;
}
