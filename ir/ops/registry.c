/* registry.c — the op table built from families.def; lookup, resolution and inference driver. */
#include "op_util.h"

#include <string.h>

#define TCC_OP_FAMILY(F)                                                                           \
  extern const tcc_op tcc_ops_##F[];                                                               \
  extern const int tcc_ops_##F##_count;
#include "families.def"

typedef struct family {
  const tcc_op *ops;
  const int *count;
} family;

static const family families[] = {
#define TCC_OP_FAMILY(F) {tcc_ops_##F, &tcc_ops_##F##_count},
#include "families.def"
};

int tcc_op_count(void) {
  int n = 0;
  for (size_t i = 0; i < TCC_ARRAY_SIZE(families); i++)
    n += *families[i].count;
  return n;
}

const tcc_op *tcc_op_at(int i) {
  for (size_t f = 0; f < TCC_ARRAY_SIZE(families); f++) {
    if (i < *families[f].count) return &families[f].ops[i];
    i -= *families[f].count;
  }
  return NULL;
}

static bool domain_eq(const char *a, const char *b) {
  if (!a || !strcmp(a, "ai.onnx")) a = "";
  if (!b || !strcmp(b, "ai.onnx")) b = "";
  return !strcmp(a, b);
}

const tcc_op *tcc_op_lookup(const char *domain, const char *name, int64_t opset) {
  int n = tcc_op_count();
  for (int i = 0; i < n; i++) {
    const tcc_op *op = tcc_op_at(i);
    if (strcmp(op->name, name) || !domain_eq(op->domain, domain)) continue;
    if (opset >= op->since_version && (op->until_version == 0 || opset <= op->until_version))
      return op;
  }
  return NULL;
}

/* ---- resolution ---- */

/* Appends "node 'x' (Op): unsupported operator" entries (joined with "; ") for every unresolved
 * node of g and its subgraphs. */
static void resolve_graph(tcc_context *ctx, tcc_graph *g, char **msg, size_t *len, size_t *cap,
                          int *nbad) {
  tcc_arena *arena = tcc_ctx_arena(ctx);
  for (size_t i = 0; i < g->nodes.len; i++) {
    tcc_node *n = TCC_GRAPH_NODE(g, i);
    int64_t opset = n->opset;
    if (opset <= 0) opset = tcc_graph_opset(g, n->domain);
    n->op = tcc_op_lookup(n->domain, n->op_type, opset);
    for (int a = 0; a < n->nattrs; a++) {
      const tcc_attr *at = &n->attrs[a];
      if (at->kind == TCC_ATTR_GRAPH && at->u.g) resolve_graph(ctx, at->u.g, msg, len, cap, nbad);
      if (at->kind == TCC_ATTR_GRAPHS)
        for (int k = 0; k < at->u.graphs.n; k++)
          resolve_graph(ctx, at->u.graphs.v[k], msg, len, cap, nbad);
    }
    if (n->op) continue;
    /* Known name but not this opset? Say which. */
    bool known_name = false;
    for (int k = 0; k < tcc_op_count() && !known_name; k++) {
      const tcc_op *op = tcc_op_at(k);
      known_name = !strcmp(op->name, n->op_type) && domain_eq(op->domain, n->domain);
    }
    const char *dom = n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") ? n->domain : "";
    const char *entry = tcc_arena_printf(
        arena, "%snode '%s' (%s%s%s): unsupported operator%s", *nbad ? "; " : "", tcc_node_label(n),
        dom, dom[0] ? "." : "", n->op_type,
        known_name ? tcc_arena_printf(arena, " (opset %lld not supported)", (long long)opset) : "");
    size_t el = strlen(entry);
    if (*len + el + 1 > *cap) {
      size_t nc = (*cap + el + 1) * 2;
      char *nm = tcc_arena_alloc(arena, nc);
      if (*msg) memcpy(nm, *msg, *len);
      *msg = nm;
      *cap = nc;
    }
    memcpy(*msg + *len, entry, el + 1);
    *len += el;
    (*nbad)++;
  }
}

tcc_status tcc_graph_resolve_ops(tcc_context *ctx, tcc_graph *g) {
  char *msg = NULL;
  size_t len = 0, cap = 0;
  int nbad = 0;
  resolve_graph(ctx, g, &msg, &len, &cap, &nbad);
  if (!nbad) return TCC_OK;
  return tcc_error_at(ctx, g->file ? g->file : tcc_ctx_file(ctx), NULL, NULL, "%s", msg);
}

/* ---- inference driver ---- */

static tcc_status infer_node(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_op *op = n->op;
  if (!op) return tcc_node_error(ic->ctx, ic->graph, n, "operator not resolved");
  int nin = n->ninputs;
  while (nin > 0 && !n->inputs[nin - 1])
    nin--; /* trailing omitted optionals */
  if (nin < op->min_inputs || (op->max_inputs >= 0 && nin > op->max_inputs)) {
    if (op->max_inputs < 0)
      return tcc_node_error(ic->ctx, ic->graph, n, "has %d inputs; %s takes at least %d", nin,
                            op->name, op->min_inputs);
    return tcc_node_error(ic->ctx, ic->graph, n, "has %d inputs; %s takes %d to %d", nin, op->name,
                          op->min_inputs, op->max_inputs);
  }
  for (int k = 0; k < op->min_inputs && k < n->ninputs; k++)
    if (!n->inputs[k])
      return tcc_node_error(ic->ctx, ic->graph, n, "required input %d is omitted", k);
  if (n->noutputs < op->min_outputs || (op->max_outputs >= 0 && n->noutputs > op->max_outputs))
    return tcc_node_error(ic->ctx, ic->graph, n, "has %d outputs; %s produces %d to %d",
                          n->noutputs, op->name, op->min_outputs, op->max_outputs);
  for (int k = 0; k < n->ninputs; k++) {
    const tcc_value *v = n->inputs[k];
    if (v && (v->dtype == TCCRT_UNDEFINED || v->ndim < 0))
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "input %d ('%s') has no inferred type or shape (its producer was not "
                            "inferred, or the graph input has no type)",
                            k, v->name ? v->name : "");
  }
  TCC_TRY(tcc_op_check_attrs(ic, n));
  if (!op->infer)
    return tcc_node_error(ic->ctx, ic->graph, n, "%s has no shape inference yet", op->name);
  TCC_TRY(op->infer(ic, n));
  for (int k = 0; k < n->noutputs; k++) {
    const tcc_value *v = n->outputs[k];
    if (v && (v->dtype == TCCRT_UNDEFINED || v->ndim < 0))
      return tcc_node_error(ic->ctx, ic->graph, n, "inference left output %d ('%s') untyped", k,
                            v->name ? v->name : "");
  }
  return TCC_OK;
}

tcc_status tcc_graph_infer_node(tcc_context *ctx, tcc_graph *g, tcc_node *n) {
  tcc_infer_ctx ic = {ctx, g};
  return infer_node(&ic, n);
}

tcc_status tcc_graph_infer(tcc_context *ctx, tcc_graph *g) {
  tcc_infer_ctx ic = {ctx, g};
  for (size_t i = 0; i < g->nodes.len; i++)
    TCC_TRY(infer_node(&ic, TCC_GRAPH_NODE(g, i)));
  return TCC_OK;
}
