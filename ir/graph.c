/* graph.c — the graph IR (see graph.h): construction, symbols, opsets, topological sorting,
 * typed attribute access and node diagnostics. Printing lives in graph_print.c. */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

const char *tcc_attr_kind_name(tcc_attr_kind k) {
  switch (k) {
  case TCC_ATTR_UNDEFINED: return "undefined";
  case TCC_ATTR_FLOAT: return "float";
  case TCC_ATTR_INT: return "int";
  case TCC_ATTR_STRING: return "string";
  case TCC_ATTR_TENSOR: return "tensor";
  case TCC_ATTR_GRAPH: return "graph";
  case TCC_ATTR_FLOATS: return "floats";
  case TCC_ATTR_INTS: return "ints";
  case TCC_ATTR_STRINGS: return "strings";
  case TCC_ATTR_TENSORS: return "tensors";
  case TCC_ATTR_GRAPHS: return "graphs";
  }
  return "unknown";
}

tcc_graph *tcc_graph_new(tcc_context *ctx, const char *name, tcc_graph *parent) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_graph *g = tcc_arena_alloc(a, sizeof *g);
  g->ctx = ctx;
  g->name = tcc_arena_strdup(a, name ? name : "");
  g->parent = parent;
  g->file = parent ? parent->file : tcc_ctx_file(ctx);
  g->ir_version = parent ? parent->ir_version : 0;
  tcc_vec_init(&g->nodes, sizeof(tcc_node *));
  tcc_vec_init(&g->values, sizeof(tcc_value *));
  tcc_vec_init(&g->inputs, sizeof(tcc_value *));
  tcc_vec_init(&g->outputs, sizeof(tcc_value *));
  tcc_vec_init(&g->symbols, sizeof(tcc_var *));
  return g;
}

tcc_value *tcc_graph_add_value(tcc_graph *g, const char *name, tcc_value_kind kind) {
  tcc_arena *a = tcc_ctx_arena(g->ctx);
  tcc_value *v = tcc_arena_alloc(a, sizeof *v);
  v->id = (uint32_t)g->values.len;
  v->name = tcc_arena_strdup(a, name ? name : "");
  v->kind = kind;
  v->dtype = TCCRT_UNDEFINED;
  v->ndim = -1;
  tcc_vec_push(a, &g->values, &v);
  return v;
}

tcc_node *tcc_graph_add_node(tcc_graph *g, const char *name, const char *op_type,
                             const char *domain, int ninputs, tcc_value *const *inputs,
                             int noutputs, tcc_value *const *outputs) {
  tcc_arena *a = tcc_ctx_arena(g->ctx);
  tcc_node *n = tcc_arena_alloc(a, sizeof *n);
  n->id = (uint32_t)g->nodes.len;
  n->name = tcc_arena_strdup(a, name ? name : "");
  n->op_type = tcc_arena_strdup(a, op_type ? op_type : "");
  n->domain = tcc_arena_strdup(a, domain && strcmp(domain, "ai.onnx") ? domain : "");
  n->opset = tcc_graph_opset(g, n->domain);
  n->ninputs = ninputs;
  n->inputs = tcc_arena_alloc(a, sizeof(tcc_value *) * (size_t)(ninputs > 0 ? ninputs : 1));
  if (ninputs > 0) memcpy(n->inputs, inputs, sizeof(tcc_value *) * (size_t)ninputs);
  n->noutputs = noutputs;
  n->outputs = tcc_arena_alloc(a, sizeof(tcc_value *) * (size_t)(noutputs > 0 ? noutputs : 1));
  if (noutputs > 0) memcpy(n->outputs, outputs, sizeof(tcc_value *) * (size_t)noutputs);
  for (int k = 0; k < noutputs; k++) {
    if (!n->outputs[k]) continue;
    n->outputs[k]->producer = n;
    n->outputs[k]->producer_output = k;
    n->outputs[k]->kind = TCC_VALUE_NODE;
  }
  tcc_vec_push(a, &g->nodes, &n);
  return n;
}

const tcc_var *tcc_graph_symbol(tcc_graph *g, const char *name) {
  /* Symbols are model-wide: a dim_param N in a subgraph is the N of the main graph. */
  tcc_graph *root = g;
  while (root->parent)
    root = root->parent;
  for (size_t i = 0; i < root->symbols.len; i++) {
    const tcc_var *v = TCC_VEC_AT(root->symbols, const tcc_var *, i);
    if (!strcmp(v->name, name)) return v;
  }
  const tcc_var *v = tcc_var_new(g->ctx, name, tcc_index_type());
  tcc_vec_push(tcc_ctx_arena(g->ctx), &root->symbols, &v);
  return v;
}

int64_t tcc_graph_opset(const tcc_graph *g, const char *domain) {
  if (!domain || !strcmp(domain, "ai.onnx")) domain = "";
  for (; g; g = g->parent) {
    for (int i = 0; i < g->nopsets; i++)
      if (!strcmp(g->opsets[i].domain, domain)) return g->opsets[i].version;
    if (g->nopsets) return -1; /* a graph that declares opsets declares all of them */
  }
  return -1;
}

/* ---- topological sort ---- */

static bool node_in_graph(const tcc_graph *g, const tcc_node *n) {
  return n && n->id < g->nodes.len && TCC_GRAPH_NODE(g, n->id) == n;
}

/* Appends to *deps the nodes of g that node n depends on: producers of its inputs and of every
 * value its subgraphs (recursively) read from outer scopes. */
static void collect_deps(const tcc_graph *g, const tcc_node *n, tcc_vec *deps, tcc_arena *a) {
  for (int i = 0; i < n->ninputs; i++) {
    const tcc_value *v = n->inputs[i];
    if (v && v->kind == TCC_VALUE_NODE && node_in_graph(g, v->producer))
      tcc_vec_push(a, deps, &v->producer);
  }
  for (int k = 0; k < n->nattrs; k++) {
    const tcc_attr *at = &n->attrs[k];
    int ng = at->kind == TCC_ATTR_GRAPH ? 1 : at->kind == TCC_ATTR_GRAPHS ? at->u.graphs.n : 0;
    for (int j = 0; j < ng; j++) {
      const tcc_graph *sub = at->kind == TCC_ATTR_GRAPH ? at->u.g : at->u.graphs.v[j];
      if (!sub) continue;
      for (size_t m = 0; m < sub->nodes.len; m++)
        collect_deps(g, TCC_GRAPH_NODE(sub, m), deps, a);
      for (size_t m = 0; m < sub->outputs.len; m++) {
        const tcc_value *v = TCC_GRAPH_OUTPUT(sub, m);
        if (v && v->kind == TCC_VALUE_NODE && node_in_graph(g, v->producer))
          tcc_vec_push(a, deps, &v->producer);
      }
    }
  }
}

tcc_status tcc_graph_toposort(tcc_graph *g) {
  size_t n = g->nodes.len;
  if (n == 0) return TCC_OK;
  tcc_arena *a = tcc_ctx_arena(g->ctx);
  /* Iterative depth-first search in the original order, emitting a node after its
   * dependencies: already-sorted input keeps its order. 0 = new, 1 = on stack, 2 = done. */
  uint8_t *state = calloc(n, 1);
  tcc_vec *deps = calloc(n, sizeof(tcc_vec));
  size_t *stack = malloc(sizeof(size_t) * n), *next = calloc(n, sizeof(size_t));
  tcc_node **order = tcc_arena_alloc(a, sizeof(tcc_node *) * n);
  if (!state || !deps || !stack || !next) {
    free(state), free(deps), free(stack), free(next);
    return tcc_error(g->ctx, "out of memory sorting %zu nodes", n);
  }
  for (size_t i = 0; i < n; i++) {
    tcc_vec_init(&deps[i], sizeof(tcc_node *));
    collect_deps(g, TCC_GRAPH_NODE(g, i), &deps[i], a);
  }
  size_t norder = 0;
  tcc_status st = TCC_OK;
  for (size_t root = 0; root < n && st == TCC_OK; root++) {
    if (state[root]) continue;
    size_t sp = 0;
    stack[sp++] = root;
    state[root] = 1;
    while (sp && st == TCC_OK) {
      size_t cur = stack[sp - 1];
      if (next[cur] < deps[cur].len) {
        const tcc_node *d = TCC_VEC_AT(deps[cur], tcc_node *, next[cur]++);
        if (state[d->id] == 1) {
          st = tcc_node_error(g->ctx, g, d,
                              "the graph has a cycle: this node depends (directly or through "
                              "node '%s') on its own output; nodes must form a DAG",
                              tcc_node_label(TCC_GRAPH_NODE(g, cur)));
        } else if (state[d->id] == 0) {
          state[d->id] = 1;
          stack[sp++] = d->id;
        }
      } else {
        state[cur] = 2;
        order[norder++] = TCC_GRAPH_NODE(g, cur);
        sp--;
      }
    }
  }
  free(state), free(deps), free(stack), free(next);
  if (st != TCC_OK) return st;
  for (size_t i = 0; i < n; i++) {
    order[i]->id = (uint32_t)i;
    TCC_GRAPH_NODE(g, i) = order[i];
  }
  return TCC_OK;
}

/* ---- attributes ---- */

const tcc_attr *tcc_node_attr(const tcc_node *n, const char *name) {
  for (int i = 0; i < n->nattrs; i++)
    if (n->attrs[i].name && !strcmp(n->attrs[i].name, name)) return &n->attrs[i];
  return NULL;
}

static tcc_status attr_kind_error(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                                  const tcc_attr *at, tcc_attr_kind want) {
  return tcc_node_error(ctx, g, n, "attribute '%s' must be of type %s, got %s", at->name,
                        tcc_attr_kind_name(want), tcc_attr_kind_name(at->kind));
}

tcc_status tcc_node_attr_int(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                             const char *name, int64_t dflt, int64_t *out) {
  const tcc_attr *at = tcc_node_attr(n, name);
  *out = dflt;
  if (!at) return TCC_OK;
  if (at->kind != TCC_ATTR_INT) return attr_kind_error(ctx, g, n, at, TCC_ATTR_INT);
  *out = at->u.i;
  return TCC_OK;
}

tcc_status tcc_node_attr_float(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                               const char *name, double dflt, double *out) {
  const tcc_attr *at = tcc_node_attr(n, name);
  *out = dflt;
  if (!at) return TCC_OK;
  if (at->kind != TCC_ATTR_FLOAT) return attr_kind_error(ctx, g, n, at, TCC_ATTR_FLOAT);
  *out = at->u.f;
  return TCC_OK;
}

tcc_status tcc_node_attr_string(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                                const char *name, const char *dflt, const char **out) {
  const tcc_attr *at = tcc_node_attr(n, name);
  *out = dflt;
  if (!at) return TCC_OK;
  if (at->kind != TCC_ATTR_STRING) return attr_kind_error(ctx, g, n, at, TCC_ATTR_STRING);
  *out = at->u.s;
  return TCC_OK;
}

tcc_status tcc_node_attr_ints(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                              const char *name, int *count, const int64_t **out) {
  const tcc_attr *at = tcc_node_attr(n, name);
  *count = -1;
  *out = NULL;
  if (!at) return TCC_OK;
  if (at->kind != TCC_ATTR_INTS) return attr_kind_error(ctx, g, n, at, TCC_ATTR_INTS);
  *count = at->u.ints.n;
  *out = at->u.ints.v;
  return TCC_OK;
}

/* ---- diagnostics ---- */

const char *tcc_node_label(const tcc_node *n) {
  if (!n) return "?";
  if (n->name && n->name[0]) return n->name;
  for (int k = 0; k < n->noutputs; k++)
    if (n->outputs[k] && n->outputs[k]->name && n->outputs[k]->name[0]) return n->outputs[k]->name;
  return n->op_type && n->op_type[0] ? n->op_type : "?";
}

tcc_status tcc_node_error(tcc_context *ctx, const tcc_graph *g, const tcc_node *n, const char *fmt,
                          ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const char *file = NULL;
  for (const tcc_graph *p = g; p && !file; p = p->parent)
    file = p->file;
  if (!file) file = tcc_ctx_file(ctx);
  if (!n) return tcc_error_at(ctx, file, NULL, NULL, "%s", msg);
  return tcc_error_at(ctx, file, tcc_node_label(n), n->op_type, "%s", msg);
}

/* ---- shapes ---- */

int64_t tcc_value_numel(const tcc_value *v) {
  if (!v || v->ndim < 0) return -1;
  int64_t n = 1;
  for (int i = 0; i < v->ndim; i++) {
    int64_t d;
    if (!tcc_expr_is_int_imm(v->dims[i], &d) || d < 0) return -1;
    if (!tcc_mul_ovf(n, d, &n)) return -1;
  }
  return n;
}

bool tcc_value_shape_known(const tcc_value *v) {
  if (!v || v->ndim < 0) return false;
  for (int i = 0; i < v->ndim; i++)
    if (!tcc_expr_is_int_imm(v->dims[i], NULL)) return false;
  return true;
}

/* ---- non-tensor types ---- */

bool tcc_value_is_structured(const tcc_value *v) {
  return v && v->vtype && v->vtype->kind != TCC_TYPE_TENSOR;
}

void tcc_value_type_print(FILE *f, const tcc_value_type *t) {
  if (!t) {
    fputs("?", f);
    return;
  }
  if (t->kind == TCC_TYPE_TENSOR) {
    fputs(t->dtype == TCCRT_UNDEFINED ? "?" : tccrt_dtype_name(t->dtype), f);
    if (t->ndim < 0) {
      fputs("[?]", f);
      return;
    }
    fputc('[', f);
    for (int i = 0; i < t->ndim; i++) {
      if (i) fputs(", ", f);
      if (t->dims[i])
        tcc_expr_print(f, t->dims[i]);
      else
        fputc('?', f); /* an element's unknown dim */
    }
    fputc(']', f);
    return;
  }
  fputs(t->kind == TCC_TYPE_SEQUENCE ? "seq" : "opt", f);
  if (t->nbound < 0) {
    fputc('(', f);
    tcc_value_type_print(f, t->elem);
    fputc(')', f);
    return;
  }
  fputc('[', f);
  for (int i = 0; i < t->nbound; i++) {
    if (i) fputs(", ", f);
    tcc_value_type_print(f, t->bound[i]);
  }
  fputc(']', f);
}

const char *tcc_value_type_str(tcc_context *ctx, const tcc_value_type *t) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return "?";
  tcc_value_type_print(f, t);
  fclose(f);
  const char *s = tcc_arena_strdup(tcc_ctx_arena(ctx), buf ? buf : "?");
  free(buf);
  return s;
}
