/* onnx_import.c — ONNX ModelProto -> graph IR (see onnx_import.h).
 *
 * Spec: onnx.proto and docs/IR.md (IR versions 3 and up). What is imported:
 *  - opset_import per domain ("ai.onnx" normalized to ""); nodes of a domain the model does not
 *    import are errors;
 *  - initializers in every storage form (onnx_tensor.c); an initializer also listed among the
 *    graph inputs is an overridable default (kind INPUT, has_default) when ir_version >= 4 and a
 *    plain constant before, as ONNX Runtime does;
 *  - graph inputs with their types; dim_param names become symbols (tcc_graph_symbol) unless
 *    bound by tcc_import_options (--input-shape), in which case the dim is an INT_IMM;
 *  - value_info and graph output types as declared types of node outputs (only where every
 *    dim is a constant or a known symbol; inference recomputes them anyway);
 *  - Constant nodes (value, value_float(s), value_int(s), value_string(s)) become constant
 *    values, no node;
 *  - If/Loop/Scan bodies (GRAPH/GRAPHS attributes) as nested graphs whose outer-scope names
 *    resolve to the enclosing graph's values;
 *  - model-local functions (ModelProto.functions) inlined at each call, with attribute
 *    references (ref_attr_name) substituted and internal names prefixed by the call's name;
 *  - nodes in any order: the graph is sorted topologically and a cycle is an error.
 *  - sequence and optional types (nested) on inputs, outputs and value_info (tcc_value.vtype);
 *    with options, inputs are bound by --input-shape (NAME=[2x3,4], NAME=none) and the graph is
 *    expanded into tensors (tcc_pass_expand_sequences);
 * Limitations: sparse tensors and map types are rejected with an error;
 * function attribute defaults (FunctionProto.attribute_proto) are not in the system's
 * onnx.proto, so an attribute a call leaves out is simply absent. */
#include "onnx_internal.h"
#include "passes/passes.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGE_DEPTH 200 /* protobuf nesting accepted before unpacking */
#define MAX_GRAPH_DEPTH 32    /* nested subgraphs */
#define MAX_INLINE_DEPTH 16   /* nested function calls */

/* ---- a name -> value scope (open addressing), chained to the enclosing graph's ---- */

typedef struct scope {
  struct scope *parent;
  const char **keys;
  tcc_value **vals;
  size_t cap, len;
} scope;

static uint64_t str_hash(const char *s) { return tcc_hash_bytes(s, strlen(s)); }

static tcc_value *scope_get_local(const scope *s, const char *name) {
  if (!s->cap) return NULL;
  for (size_t i = str_hash(name) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    if (!s->keys[i]) return NULL;
    if (!strcmp(s->keys[i], name)) return s->vals[i];
  }
}

static tcc_value *scope_get(const scope *s, const char *name) {
  for (; s; s = s->parent) {
    tcc_value *v = scope_get_local(s, name);
    if (v) return v;
  }
  return NULL;
}

static void scope_put(tcc_arena *a, scope *s, const char *name, tcc_value *v) {
  if (2 * (s->len + 1) > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    const char **keys = tcc_arena_alloc(a, sizeof(char *) * cap);
    tcc_value **vals = tcc_arena_alloc(a, sizeof(tcc_value *) * cap);
    for (size_t i = 0; i < s->cap; i++) {
      if (!s->keys[i]) continue;
      size_t j = str_hash(s->keys[i]) & (cap - 1);
      while (keys[j])
        j = (j + 1) & (cap - 1);
      keys[j] = s->keys[i];
      vals[j] = s->vals[i];
    }
    s->keys = keys, s->vals = vals, s->cap = cap;
  }
  size_t i = str_hash(name) & (s->cap - 1);
  while (s->keys[i] && strcmp(s->keys[i], name))
    i = (i + 1) & (s->cap - 1);
  if (!s->keys[i]) s->len++;
  s->keys[i] = name;
  s->vals[i] = v;
}

/* ---- the importer ---- */

typedef struct binding {
  const char *name;
  int64_t value;
} binding;

typedef struct importer {
  tcc_context *ctx;
  tcc_arena *a;
  const char *file;
  tcc_onnx_tensor_ctx tc;
  const tcc_import_options *opts;
  const Onnx__ModelProto *model;
  int64_t ir_version;
  tcc_vec bindings; /* binding: symbol -> value */
  tcc_graph *root;
  int graph_depth;
} importer;

/* A node after function inlining: the (renamed) NodeProto and the function it came from. */
typedef struct xnode {
  const Onnx__NodeProto *np;
  const Onnx__FunctionProto *fn;
} xnode;

static const char *norm_domain(const char *d) { return !d || !strcmp(d, "ai.onnx") ? "" : d; }
static const char *show_domain(const char *d) { return d[0] ? d : "ai.onnx"; }
static const char *str_or_empty(const char *s) { return s ? s : ""; }

static const char *np_label(const Onnx__NodeProto *np) {
  if (np->name && np->name[0]) return np->name;
  for (size_t k = 0; k < np->n_output; k++)
    if (np->output[k] && np->output[k][0]) return np->output[k];
  return str_or_empty(np->op_type);
}

#define NERR(np, ...)                                                                              \
  tcc_error_at(imp->ctx, imp->file, np_label(np), str_or_empty((np)->op_type), __VA_ARGS__)
#define GERR(...) tcc_error_at(imp->ctx, imp->file, NULL, NULL, __VA_ARGS__)

static bool binding_get(const importer *imp, const char *name, int64_t *out) {
  for (size_t i = 0; i < imp->bindings.len; i++) {
    const binding *b = &TCC_VEC_AT(imp->bindings, binding, i);
    if (!strcmp(b->name, name)) {
      *out = b->value;
      return true;
    }
  }
  return false;
}

static tcc_status bind_symbol(importer *imp, const char *name, int64_t value, const char *why) {
  int64_t old;
  if (binding_get(imp, name, &old)) {
    if (old != value)
      return GERR("symbolic dim '%s' is bound to both %" PRId64 " and %" PRId64 " (%s)", name, old,
                  value, why);
    return TCC_OK;
  }
  binding b = {tcc_arena_strdup(imp->a, name), value};
  tcc_vec_push(imp->a, &imp->bindings, &b);
  return TCC_OK;
}

static const tcc_var *find_symbol(const tcc_graph *g, const char *name) {
  while (g->parent)
    g = g->parent;
  for (size_t i = 0; i < g->symbols.len; i++) {
    const tcc_var *v = TCC_VEC_AT(g->symbols, const tcc_var *, i);
    if (!strcmp(v->name, name)) return v;
  }
  return NULL;
}

static const Onnx__TypeProto__Tensor *tensor_type(const Onnx__TypeProto *tp) {
  if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) return NULL;
  return tp->tensor_type;
}

static const char *type_case_name(const Onnx__TypeProto *tp) {
  if (!tp) return "no";
  switch (tp->value_case) {
  case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE: return "a tensor";
  case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE: return "a sequence";
  case ONNX__TYPE_PROTO__VALUE_MAP_TYPE: return "a map";
  case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE: return "an optional";
  case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE: return "a sparse tensor";
  default: return "an empty";
  }
}

#define MAX_TYPE_DEPTH 16 /* nested sequence/optional types */

/* The declared type tp as a tcc_value_type (sequences and optionals nest; a tensor's unknown
 * dims are NULL, its unknown rank -1). Input mode: maps, sparse tensors and unsupported element
 * dtypes are errors; otherwise they leave the type unknown (*out NULL). */
static tcc_status parse_type(importer *imp, const Onnx__TypeProto *tp, bool input_mode,
                             const char *what, const char *name, int depth,
                             const tcc_value_type **out) {
  *out = NULL;
  if (!tp) return TCC_OK;
  if (depth > MAX_TYPE_DEPTH)
    return GERR("%s '%s': types are nested deeper than %d levels", what, name, MAX_TYPE_DEPTH);
  tcc_value_type *t = tcc_arena_alloc(imp->a, sizeof *t);
  t->nbound = -1;
  switch (tp->value_case) {
  case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE: {
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    t->kind = TCC_TYPE_TENSOR;
    t->dtype = TCCRT_UNDEFINED;
    t->ndim = -1;
    if (tt->has_elem_type && tt->elem_type != 0 && !tcc_onnx_dtype(tt->elem_type, &t->dtype) &&
        input_mode)
      return GERR("%s '%s' has element type %d (%s), which is not supported", what, name,
                  (int)tt->elem_type, tcc_onnx_dtype_code_name(tt->elem_type));
    if (tt->shape) {
      if (tt->shape->n_dim > TCCRT_MAX_RANK) {
        if (input_mode)
          return GERR("%s '%s': an element of rank %zu is not supported (at most %d)", what, name,
                      tt->shape->n_dim, TCCRT_MAX_RANK);
        break;
      }
      const tcc_expr **dims = tcc_arena_alloc(imp->a, sizeof(tcc_expr *) * (tt->shape->n_dim + 1));
      for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
            d->dim_value >= 0)
          dims[i] = tcc_idx(imp->ctx, d->dim_value);
      }
      t->ndim = (int)tt->shape->n_dim;
      t->dims = dims;
    }
    break;
  }
  case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE:
  case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE: {
    bool seq = tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
    const Onnx__TypeProto *et = seq ? tp->sequence_type->elem_type : tp->optional_type->elem_type;
    t->kind = seq ? TCC_TYPE_SEQUENCE : TCC_TYPE_OPTIONAL;
    TCC_TRY(parse_type(imp, et, input_mode, what, name, depth + 1, &t->elem));
    break;
  }
  default:
    if (input_mode)
      return GERR("%s '%s' has %s type, which is not supported (only tensors, sequences and "
                  "optionals are)",
                  what, name, type_case_name(tp));
    return TCC_OK;
  }
  *out = t;
  return TCC_OK;
}

/* The bound type of input `input` at `path` from its declared type and its --input-shape
 * binding: a sequence takes [SHAPE,...], an optional `none` or its element's binding, a tensor
 * dims that agree with the declared rank and fixed dims. */
static tcc_status bind_type(importer *imp, const char *input, const char *path,
                            const tcc_value_type *decl, const tcc_input_shape *is,
                            const tcc_value_type **out) {
  static const char *const kinds[] = {"dims (e.g. 2x3)", "a sequence [SHAPE,...]", "none"};
  const char *given = kinds[is->kind <= TCC_SHAPE_NONE ? is->kind : 0];
  if (!decl)
    return GERR("--input-shape %s: the model declares no type for '%s'; its dtype is unknown",
                input, path);
  tcc_value_type *t = tcc_arena_alloc(imp->a, sizeof *t);
  *t = *decl;
  t->nbound = -1;
  t->bound = NULL;
  if (decl->kind == TCC_TYPE_OPTIONAL) {
    if (is->kind == TCC_SHAPE_NONE) {
      t->nbound = 0;
    } else {
      const tcc_value_type **b = tcc_arena_alloc(imp->a, sizeof *b);
      TCC_TRY(bind_type(imp, input, path, decl->elem, is, &b[0]));
      t->nbound = 1;
      t->bound = b;
    }
    *out = t;
    return TCC_OK;
  }
  if (decl->kind == TCC_TYPE_SEQUENCE) {
    if (is->kind != TCC_SHAPE_SEQUENCE)
      return GERR("--input-shape %s: '%s' is a sequence (%s); bind it as [SHAPE,SHAPE,...] (its "
                  "length and element shapes, e.g. [2x3,4]), not %s",
                  input, path, tcc_value_type_str(imp->ctx, decl), given);
    const tcc_value_type **b =
        tcc_arena_alloc(imp->a, sizeof *b * (size_t)(is->nelems > 0 ? is->nelems : 1));
    for (int i = 0; i < is->nelems; i++)
      TCC_TRY(bind_type(imp, input, tcc_arena_printf(imp->a, "%s[%d]", path, i), decl->elem,
                        &is->elems[i], &b[i]));
    t->nbound = is->nelems;
    t->bound = b;
    *out = t;
    return TCC_OK;
  }
  if (is->kind != TCC_SHAPE_TENSOR)
    return GERR("--input-shape %s: '%s' is a tensor (%s); bind it with dims (e.g. 2x3), not %s",
                input, path, tcc_value_type_str(imp->ctx, decl), given);
  if (decl->dtype == TCCRT_UNDEFINED)
    return GERR("--input-shape %s: the model declares no element type for '%s'", input, path);
  if (decl->ndim >= 0 && decl->ndim != is->ndim)
    return GERR("--input-shape %s: '%s' has rank %d (%s), but %d dims were given", input, path,
                decl->ndim, tcc_value_type_str(imp->ctx, decl), is->ndim);
  const tcc_expr **dims = tcc_arena_alloc(imp->a, sizeof(tcc_expr *) * (size_t)(is->ndim + 1));
  int64_t ne = 1;
  for (int d = 0; d < is->ndim; d++) {
    int64_t fixed;
    if (is->dims[d] < 0)
      return GERR("--input-shape %s: dim %d of '%s' is negative", input, d, path);
    if (decl->ndim >= 0 && decl->dims[d] && tcc_expr_is_int_imm(decl->dims[d], &fixed) &&
        fixed != is->dims[d])
      return GERR("--input-shape %s: dim %d of '%s' is fixed at %" PRId64 " by the model (%s), "
                  "not %" PRId64,
                  input, d, path, fixed, tcc_value_type_str(imp->ctx, decl), is->dims[d]);
    if (!tcc_mul_ovf(ne, is->dims[d], &ne))
      return GERR("--input-shape %s: the dims of '%s' overflow int64", input, path);
    dims[d] = tcc_idx(imp->ctx, is->dims[d]);
  }
  t->ndim = is->ndim;
  t->dims = dims;
  *out = t;
  return TCC_OK;
}

/* Sets v's dtype and shape from a declared type.
 *   input mode: every dim_param becomes a symbol (or its binding), unnamed dims get a fresh
 *               symbol named NAME_dK; errors for non-tensor types;
 *   declared mode (value_info, outputs): only constant dims and known symbols are used; when a
 *               dim is unknown the rank stays unknown. Non-tensor types are ignored. */
static tcc_status set_declared_type(importer *imp, tcc_graph *g, tcc_value *v,
                                    const Onnx__TypeProto *tp, bool input_mode, const char *what) {
  const Onnx__TypeProto__Tensor *tt = tensor_type(tp);
  if (!tt) {
    /* A sequence or optional keeps its declared type (expanded later); maps are refused. */
    const tcc_value_type *vt;
    TCC_TRY(parse_type(imp, tp, input_mode, what, v->name, 0, &vt));
    if (vt) v->vtype = vt;
    return TCC_OK;
  }
  if (tt->has_elem_type && tt->elem_type != 0) {
    tccrt_dtype dt;
    if (!tcc_onnx_dtype(tt->elem_type, &dt)) {
      if (!input_mode) return TCC_OK; /* a declaration only: inference decides */
      return GERR("%s '%s' has element type %d (%s), which is not supported", what, v->name,
                  (int)tt->elem_type, tcc_onnx_dtype_code_name(tt->elem_type));
    }
    v->dtype = dt;
  }
  if (!tt->shape) return TCC_OK;
  const Onnx__TensorShapeProto *sp = tt->shape;
  if (sp->n_dim > (size_t)1 << 20) return GERR("%s '%s' has too many dims", what, v->name);
  const tcc_expr **dims = tcc_arena_alloc(imp->a, sizeof(tcc_expr *) * (sp->n_dim ? sp->n_dim : 1));
  for (size_t i = 0; i < sp->n_dim; i++) {
    const Onnx__TensorShapeProto__Dimension *d = sp->dim[i];
    int64_t bound;
    if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
      if (d->dim_value < 0) {
        if (!input_mode) return TCC_OK;
        return GERR("%s '%s': dim %zu is %" PRId64 "; dims must be >= 0", what, v->name, i,
                    d->dim_value);
      }
      dims[i] = tcc_idx(imp->ctx, d->dim_value);
    } else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
               d->dim_param && d->dim_param[0]) {
      if (binding_get(imp, d->dim_param, &bound)) {
        dims[i] = tcc_idx(imp->ctx, bound);
      } else if (input_mode) {
        dims[i] = tcc_expr_var(imp->ctx, tcc_graph_symbol(g, d->dim_param));
      } else {
        const tcc_var *s = find_symbol(g, d->dim_param);
        if (!s) return TCC_OK;
        dims[i] = tcc_expr_var(imp->ctx, s);
      }
    } else {
      if (!input_mode) return TCC_OK;
      char *name = tcc_arena_printf(imp->a, "%s_d%zu", v->name, i);
      if (binding_get(imp, name, &bound))
        dims[i] = tcc_idx(imp->ctx, bound);
      else
        dims[i] = tcc_expr_var(imp->ctx, tcc_graph_symbol(g, name));
    }
  }
  v->ndim = (int)sp->n_dim;
  v->dims = dims;
  if (tcc_value_shape_known(v) && tcc_value_numel(v) < 0)
    return GERR("%s '%s': its dims overflow int64 (the number of elements must fit in 64 bits)",
                what, v->name);
  return TCC_OK;
}

/* ---- function inlining ---- */

typedef struct fcall {
  const Onnx__FunctionProto *fn;
  const Onnx__NodeProto *call; /* the (already renamed) calling node */
  const char *prefix;
} fcall;

static const char *rename_in(importer *imp, const fcall *fc, const char *name) {
  if (!fc || !name || !name[0]) return name ? name : "";
  for (size_t i = 0; i < fc->fn->n_input; i++)
    if (fc->fn->input[i] && !strcmp(fc->fn->input[i], name))
      return i < fc->call->n_input ? fc->call->input[i] : "";
  for (size_t i = 0; i < fc->fn->n_output; i++)
    if (fc->fn->output[i] && !strcmp(fc->fn->output[i], name))
      return i < fc->call->n_output ? fc->call->output[i] : "";
  return tcc_arena_printf(imp->a, "%s%s", fc->prefix, name);
}

/* A copy of subgraph gp (an If/Loop/Scan body inside a function body) in which every name that
 * the subgraph does not define itself (nor any subgraph between it and the function body) is
 * renamed for the call fc, as the function body's own names are. */
static Onnx__GraphProto *rename_subgraph(importer *imp, const fcall *fc, const Onnx__GraphProto *gp,
                                         scope *outer_locals);

/* An attribute of a node inside a function body with its reference (ref_attr_name) replaced by
 * the call's attribute of that name; NULL when the call does not give it. */
static Onnx__AttributeProto *subst_attr_ref(importer *imp, const fcall *fc,
                                            Onnx__AttributeProto *at) {
  if (!at->ref_attr_name || !at->ref_attr_name[0]) return at;
  const Onnx__AttributeProto *actual = NULL;
  for (size_t j = 0; j < fc->call->n_attribute; j++)
    if (fc->call->attribute[j]->name && !strcmp(fc->call->attribute[j]->name, at->ref_attr_name))
      actual = fc->call->attribute[j];
  if (!actual) return NULL;
  Onnx__AttributeProto *sub = tcc_arena_alloc(imp->a, sizeof *sub);
  *sub = *actual;
  sub->name = at->name;
  sub->ref_attr_name = NULL;
  return sub;
}

static const char *rename_outer(importer *imp, const fcall *fc, const scope *locals,
                                const char *name) {
  if (!name || !name[0] || scope_get(locals, name)) return name ? name : "";
  return rename_in(imp, fc, name);
}

static Onnx__AttributeProto *rename_attr_graphs(importer *imp, const fcall *fc,
                                                Onnx__AttributeProto *at, scope *locals) {
  if (!at->g && !at->n_graphs) return at;
  Onnx__AttributeProto *c = tcc_arena_alloc(imp->a, sizeof *c);
  *c = *at;
  if (at->g) c->g = rename_subgraph(imp, fc, at->g, locals);
  if (at->n_graphs) {
    c->graphs = tcc_arena_alloc(imp->a, sizeof(void *) * at->n_graphs);
    for (size_t i = 0; i < at->n_graphs; i++)
      c->graphs[i] = rename_subgraph(imp, fc, at->graphs[i], locals);
  }
  return c;
}

static Onnx__GraphProto *rename_subgraph(importer *imp, const fcall *fc, const Onnx__GraphProto *gp,
                                         scope *outer_locals) {
  static tcc_value defined; /* a marker: the scope is used as a set of names */
  scope *locals = tcc_arena_alloc(imp->a, sizeof *locals);
  locals->parent = outer_locals;
  for (size_t i = 0; i < gp->n_input; i++)
    if (gp->input[i]->name) scope_put(imp->a, locals, gp->input[i]->name, &defined);
  for (size_t i = 0; i < gp->n_initializer; i++)
    if (gp->initializer[i]->name) scope_put(imp->a, locals, gp->initializer[i]->name, &defined);
  for (size_t i = 0; i < gp->n_node; i++)
    for (size_t k = 0; k < gp->node[i]->n_output; k++)
      if (gp->node[i]->output[k][0]) scope_put(imp->a, locals, gp->node[i]->output[k], &defined);
  Onnx__GraphProto *c = tcc_arena_alloc(imp->a, sizeof *c);
  *c = *gp;
  c->node = tcc_arena_alloc(imp->a, sizeof(void *) * (gp->n_node + 1));
  for (size_t i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *np = gp->node[i];
    Onnx__NodeProto *n = tcc_arena_alloc(imp->a, sizeof *n);
    *n = *np;
    n->input = tcc_arena_alloc(imp->a, sizeof(char *) * (np->n_input + 1));
    for (size_t k = 0; k < np->n_input; k++)
      n->input[k] = (char *)rename_outer(imp, fc, locals, np->input[k]);
    n->attribute = tcc_arena_alloc(imp->a, sizeof(void *) * (np->n_attribute + 1));
    n->n_attribute = 0;
    for (size_t k = 0; k < np->n_attribute; k++) {
      Onnx__AttributeProto *at = subst_attr_ref(imp, fc, np->attribute[k]);
      if (at) n->attribute[n->n_attribute++] = rename_attr_graphs(imp, fc, at, locals);
    }
    c->node[i] = n;
  }
  c->output = tcc_arena_alloc(imp->a, sizeof(void *) * (gp->n_output + 1));
  for (size_t i = 0; i < gp->n_output; i++) {
    Onnx__ValueInfoProto *vi = tcc_arena_alloc(imp->a, sizeof *vi);
    *vi = *gp->output[i];
    vi->name = (char *)rename_outer(imp, fc, locals, gp->output[i]->name);
    c->output[i] = vi;
  }
  return c;
}

static const Onnx__FunctionProto *find_function(const importer *imp, const char *domain,
                                                const char *name) {
  for (size_t i = 0; i < imp->model->n_functions; i++) {
    const Onnx__FunctionProto *f = imp->model->functions[i];
    if (f->name && !strcmp(f->name, name) && !strcmp(norm_domain(f->domain), domain)) return f;
  }
  return NULL;
}

/* Appends the nodes `nodes` to *out, renamed for the function call fc (NULL at graph level),
 * expanding calls of model-local functions recursively. */
static tcc_status expand_nodes(importer *imp, Onnx__NodeProto *const *nodes, size_t n,
                               const fcall *fc, int depth, tcc_vec *out) {
  for (size_t k = 0; k < n; k++) {
    const Onnx__NodeProto *np = nodes[k];
    const Onnx__NodeProto *cur = np;
    if (fc) {
      Onnx__NodeProto *c = tcc_arena_alloc(imp->a, sizeof *c);
      *c = *np;
      c->input = tcc_arena_alloc(imp->a, sizeof(char *) * (np->n_input + 1));
      c->output = tcc_arena_alloc(imp->a, sizeof(char *) * (np->n_output + 1));
      for (size_t i = 0; i < np->n_input; i++)
        c->input[i] = (char *)rename_in(imp, fc, np->input[i]);
      for (size_t i = 0; i < np->n_output; i++)
        c->output[i] = (char *)rename_in(imp, fc, np->output[i]);
      if (np->name && np->name[0]) c->name = tcc_arena_printf(imp->a, "%s%s", fc->prefix, np->name);
      c->attribute = tcc_arena_alloc(imp->a, sizeof(void *) * (np->n_attribute + 1));
      c->n_attribute = 0;
      for (size_t i = 0; i < np->n_attribute; i++) {
        Onnx__AttributeProto *at = subst_attr_ref(imp, fc, np->attribute[i]);
        if (!at) continue; /* not given at the call: the attribute takes its default */
        c->attribute[c->n_attribute++] = rename_attr_graphs(imp, fc, at, NULL);
      }
      cur = c;
    }
    const Onnx__FunctionProto *f =
        cur->op_type ? find_function(imp, norm_domain(cur->domain), cur->op_type) : NULL;
    if (!f) {
      xnode x = {cur, fc ? fc->fn : NULL};
      tcc_vec_push(imp->a, out, &x);
      continue;
    }
    if (depth >= MAX_INLINE_DEPTH)
      return NERR(cur,
                  "model-local function '%s' calls itself (directly or indirectly) or nests "
                  "deeper than %d calls",
                  f->name, MAX_INLINE_DEPTH);
    if (cur->n_input > f->n_input || cur->n_output > f->n_output)
      return NERR(cur, "function '%s' takes %zu inputs and %zu outputs, the call has %zu and %zu",
                  f->name, f->n_input, f->n_output, cur->n_input, cur->n_output);
    fcall inner = {f, cur, tcc_arena_printf(imp->a, "%s/", np_label(cur))};
    TCC_TRY(expand_nodes(imp, f->node, f->n_node, &inner, depth + 1, out));
  }
  return TCC_OK;
}

/* ---- attributes and Constant ---- */

static tcc_status import_graph(importer *imp, const Onnx__GraphProto *gp, tcc_graph *parent,
                               scope *parent_scope, tcc_graph **out);

static tcc_attr_kind attr_kind_of(const Onnx__AttributeProto *at, bool *ok) {
  *ok = true;
  if (at->has_type) {
    switch (at->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: return TCC_ATTR_FLOAT;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: return TCC_ATTR_INT;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: return TCC_ATTR_STRING;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: return TCC_ATTR_TENSOR;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH: return TCC_ATTR_GRAPH;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: return TCC_ATTR_FLOATS;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: return TCC_ATTR_INTS;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS: return TCC_ATTR_STRINGS;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS: return TCC_ATTR_TENSORS;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS: return TCC_ATTR_GRAPHS;
    default: *ok = false; return TCC_ATTR_UNDEFINED;
    }
  }
  /* Pre-IR-0.0.2 files have no type: infer it from the field that is set. */
  if (at->has_f) return TCC_ATTR_FLOAT;
  if (at->has_i) return TCC_ATTR_INT;
  if (at->has_s) return TCC_ATTR_STRING;
  if (at->t) return TCC_ATTR_TENSOR;
  if (at->g) return TCC_ATTR_GRAPH;
  if (at->n_floats) return TCC_ATTR_FLOATS;
  if (at->n_ints) return TCC_ATTR_INTS;
  if (at->n_strings) return TCC_ATTR_STRINGS;
  if (at->n_tensors) return TCC_ATTR_TENSORS;
  if (at->n_graphs) return TCC_ATTR_GRAPHS;
  *ok = false;
  return TCC_ATTR_UNDEFINED;
}

static tcc_value *detached_value(importer *imp, const char *name) {
  tcc_value *v = tcc_arena_alloc(imp->a, sizeof *v);
  v->id = UINT32_MAX;
  v->name = tcc_arena_strdup(imp->a, name ? name : "");
  v->kind = TCC_VALUE_CONST;
  v->ndim = -1;
  return v;
}

static tcc_status convert_attr(importer *imp, tcc_graph *g, scope *s, const Onnx__NodeProto *np,
                               const Onnx__AttributeProto *at, tcc_attr *out) {
  const char *name = str_or_empty(at->name);
  out->name = tcc_arena_strdup(imp->a, name);
  if (at->ref_attr_name && at->ref_attr_name[0])
    return NERR(np,
                "attribute '%s' refers to '%s', but only nodes inside a function body may "
                "refer to attributes",
                name, at->ref_attr_name);
  if (at->has_type && (at->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO ||
                       at->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTOS)) {
    /* A type (Optional's `type`): a declaration only; sequences and optionals are bound at
     * compile time (tcc_pass_expand_sequences), so it is kept as an attribute of no kind. */
    out->kind = TCC_ATTR_UNDEFINED;
    return TCC_OK;
  }
  bool ok;
  tcc_attr_kind k = attr_kind_of(at, &ok);
  if (!ok)
    return NERR(np,
                "attribute '%s' has type %d, which is not supported (expected float, int, "
                "string, tensor, graph or a list of them)",
                name, at->has_type ? (int)at->type : 0);
  out->kind = k;
  char what[300];
  snprintf(what, sizeof what, "attribute '%s'", name);
  switch (k) {
  case TCC_ATTR_FLOAT: out->u.f = at->f; break;
  case TCC_ATTR_INT: out->u.i = at->i; break;
  case TCC_ATTR_STRING:
    out->u.s = tcc_onnx_bytes_dup(imp->ctx, &at->s);
    out->slen = at->s.len;
    break;
  case TCC_ATTR_TENSOR: {
    if (!at->t) return NERR(np, "attribute '%s' of type tensor holds no tensor", name);
    tcc_value *v = detached_value(imp, at->t->name ? at->t->name : name);
    TCC_TRY(tcc_onnx_tensor_to_value(&imp->tc, at->t, what, np_label(np), np->op_type, v));
    out->u.t = v;
    break;
  }
  case TCC_ATTR_GRAPH:
    if (!at->g) return NERR(np, "attribute '%s' of type graph holds no graph", name);
    TCC_TRY(import_graph(imp, at->g, g, s, &out->u.g));
    break;
  case TCC_ATTR_FLOATS: {
    float *v = tcc_arena_alloc(imp->a, sizeof(float) * (at->n_floats + 1));
    if (at->n_floats) memcpy(v, at->floats, sizeof(float) * at->n_floats);
    out->u.floats.n = (int)at->n_floats;
    out->u.floats.v = v;
    break;
  }
  case TCC_ATTR_INTS: {
    int64_t *v = tcc_arena_alloc(imp->a, sizeof(int64_t) * (at->n_ints + 1));
    if (at->n_ints) memcpy(v, at->ints, sizeof(int64_t) * at->n_ints);
    out->u.ints.n = (int)at->n_ints;
    out->u.ints.v = v;
    break;
  }
  case TCC_ATTR_STRINGS: {
    const char **v = tcc_arena_alloc(imp->a, sizeof(char *) * (at->n_strings + 1));
    for (size_t i = 0; i < at->n_strings; i++)
      v[i] = tcc_onnx_bytes_dup(imp->ctx, &at->strings[i]);
    out->u.strings.n = (int)at->n_strings;
    out->u.strings.v = v;
    break;
  }
  case TCC_ATTR_TENSORS: {
    const tcc_value **v = tcc_arena_alloc(imp->a, sizeof(tcc_value *) * (at->n_tensors + 1));
    for (size_t i = 0; i < at->n_tensors; i++) {
      tcc_value *t = detached_value(imp, at->tensors[i]->name ? at->tensors[i]->name : name);
      TCC_TRY(
          tcc_onnx_tensor_to_value(&imp->tc, at->tensors[i], what, np_label(np), np->op_type, t));
      v[i] = t;
    }
    out->u.tensors.n = (int)at->n_tensors;
    out->u.tensors.v = v;
    break;
  }
  case TCC_ATTR_GRAPHS: {
    tcc_graph **v = tcc_arena_alloc(imp->a, sizeof(tcc_graph *) * (at->n_graphs + 1));
    for (size_t i = 0; i < at->n_graphs; i++)
      TCC_TRY(import_graph(imp, at->graphs[i], g, s, &v[i]));
    out->u.graphs.n = (int)at->n_graphs;
    out->u.graphs.v = v;
    break;
  }
  default: break;
  }
  return TCC_OK;
}

/* Turns the Constant node np into the constant value v (no node is created). */
static tcc_status import_constant(importer *imp, const Onnx__NodeProto *np, tcc_value *v) {
  static const char *const names[] = {"value",         "value_float", "value_floats",
                                      "value_int",     "value_ints",  "value_string",
                                      "value_strings", "sparse_value"};
  static const tcc_attr_kind kinds[] = {TCC_ATTR_TENSOR,  TCC_ATTR_FLOAT,    TCC_ATTR_FLOATS,
                                        TCC_ATTR_INT,     TCC_ATTR_INTS,     TCC_ATTR_STRING,
                                        TCC_ATTR_STRINGS, TCC_ATTR_UNDEFINED};
  const Onnx__AttributeProto *found = NULL;
  int which = -1, count = 0;
  for (size_t i = 0; i < np->n_attribute; i++) {
    const Onnx__AttributeProto *at = np->attribute[i];
    for (int k = 0; k < (int)TCC_ARRAY_SIZE(names); k++)
      if (at->name && !strcmp(at->name, names[k])) found = at, which = k, count++;
  }
  if (count != 1)
    return NERR(np,
                "a Constant needs exactly one of the attributes value, value_float, "
                "value_floats, value_int, value_ints, value_string, value_strings (found %d)",
                count);
  if (which == 7) return NERR(np, "sparse_value constants are not supported");
  bool ok;
  tcc_attr_kind k = attr_kind_of(found, &ok);
  if (!ok || k != kinds[which])
    return NERR(np, "attribute '%s' must be of type %s, got %s", names[which],
                tcc_attr_kind_name(kinds[which]), ok ? tcc_attr_kind_name(k) : "an unknown type");
  v->kind = TCC_VALUE_CONST;
  v->producer = NULL;
  const tcc_expr **dims = tcc_arena_alloc(imp->a, sizeof(tcc_expr *));
  v->dims = dims;
  switch (which) {
  case 0: {
    if (!found->t) return NERR(np, "attribute 'value' holds no tensor");
    tcc_status st = tcc_onnx_tensor_to_value(&imp->tc, found->t, "attribute 'value'", np_label(np),
                                             np->op_type, v);
    v->kind = TCC_VALUE_CONST;
    return st;
  }
  case 1: {
    float *d = tcc_arena_alloc(imp->a, sizeof(float));
    *d = found->f;
    v->dtype = TCCRT_FLOAT32, v->ndim = 0, v->data = d, v->nbytes = sizeof(float);
    return TCC_OK;
  }
  case 3: {
    int64_t *d = tcc_arena_alloc(imp->a, sizeof(int64_t));
    *d = found->i;
    v->dtype = TCCRT_INT64, v->ndim = 0, v->data = d, v->nbytes = sizeof(int64_t);
    return TCC_OK;
  }
  case 2:
  case 4: {
    size_t n = which == 2 ? found->n_floats : found->n_ints;
    size_t es = which == 2 ? sizeof(float) : sizeof(int64_t);
    void *d = tcc_arena_alloc(imp->a, es * (n ? n : 1));
    if (n) memcpy(d, which == 2 ? (const void *)found->floats : (const void *)found->ints, es * n);
    dims[0] = tcc_idx(imp->ctx, (int64_t)n);
    v->dtype = which == 2 ? TCCRT_FLOAT32 : TCCRT_INT64, v->ndim = 1, v->data = d;
    v->nbytes = es * n;
    return TCC_OK;
  }
  case 5: {
    const char **s = tcc_arena_alloc(imp->a, sizeof(char *));
    s[0] = tcc_onnx_bytes_dup(imp->ctx, &found->s);
    v->dtype = TCCRT_STRING, v->ndim = 0, v->strings = s;
    return TCC_OK;
  }
  case 6: {
    const char **s = tcc_arena_alloc(imp->a, sizeof(char *) * (found->n_strings + 1));
    for (size_t i = 0; i < found->n_strings; i++)
      s[i] = tcc_onnx_bytes_dup(imp->ctx, &found->strings[i]);
    dims[0] = tcc_idx(imp->ctx, (int64_t)found->n_strings);
    v->dtype = TCCRT_STRING, v->ndim = 1, v->strings = s;
    return TCC_OK;
  }
  }
  return TCC_OK;
}

/* The opset a node of `domain` sees: its function's import of the domain, else the model's. */
static int64_t node_opset(const tcc_graph *g, const xnode *x, const char *domain) {
  if (x->fn)
    for (size_t i = 0; i < x->fn->n_opset_import; i++) {
      const Onnx__OperatorSetIdProto *o = x->fn->opset_import[i];
      if (!strcmp(norm_domain(o->domain), domain) && o->has_version) return o->version;
    }
  return tcc_graph_opset(g, domain);
}

/* ---- graphs ---- */

static tcc_status import_graph(importer *imp, const Onnx__GraphProto *gp, tcc_graph *parent,
                               scope *parent_scope, tcc_graph **out) {
  *out = NULL;
  if (imp->graph_depth >= MAX_GRAPH_DEPTH)
    return GERR("subgraphs are nested deeper than %d levels", MAX_GRAPH_DEPTH);
  imp->graph_depth++;
  tcc_status st = TCC_OK;
  tcc_graph *g = parent ? tcc_graph_new(imp->ctx, gp->name, parent) : imp->root;
  if (!g->name[0] && gp->name) g->name = tcc_arena_strdup(imp->a, gp->name);
  g->file = imp->file;
  scope *s = tcc_arena_alloc(imp->a, sizeof *s);
  s->parent = parent_scope;
  const char *gwhat = parent ? "subgraph" : "graph";

  /* Initializers. */
  if (gp->n_sparse_initializer) {
    imp->graph_depth--;
    return GERR("%s '%s' has sparse initializers, which are not supported", gwhat,
                str_or_empty(gp->name));
  }
  for (size_t i = 0; i < gp->n_initializer; i++) {
    const Onnx__TensorProto *t = gp->initializer[i];
    const char *name = str_or_empty(t->name);
    if (!name[0]) {
      st = GERR("initializer %zu of %s '%s' has no name", i, gwhat, str_or_empty(gp->name));
      goto done;
    }
    if (scope_get_local(s, name)) {
      st = GERR("initializer '%s' is defined twice", name);
      goto done;
    }
    tcc_value *v = tcc_graph_add_value(g, name, TCC_VALUE_CONST);
    char what[300];
    snprintf(what, sizeof what, "initializer '%s'", name);
    if ((st = tcc_onnx_tensor_to_value(&imp->tc, t, what, NULL, NULL, v)) != TCC_OK) goto done;
    scope_put(imp->a, s, v->name, v);
  }

  /* Inputs (bindings from --input-shape were collected by the caller for the main graph). */
  for (size_t i = 0; i < gp->n_input; i++) {
    const Onnx__ValueInfoProto *vi = gp->input[i];
    const char *name = str_or_empty(vi->name);
    if (!name[0]) {
      st = GERR("input %zu of %s '%s' has no name", i, gwhat, str_or_empty(gp->name));
      goto done;
    }
    tcc_value *v = scope_get_local(s, name);
    if (v && v->kind == TCC_VALUE_CONST && !v->has_default) {
      /* An initializer listed as an input. */
      const Onnx__TypeProto__Tensor *tt = tensor_type(vi->type);
      tccrt_dtype dt;
      if (tt && tt->has_elem_type && tt->elem_type && tcc_onnx_dtype(tt->elem_type, &dt) &&
          dt != v->dtype) {
        st = GERR("input '%s' is declared %s but its initializer is %s", name, tccrt_dtype_name(dt),
                  tccrt_dtype_name(v->dtype));
        goto done;
      }
      if (imp->ir_version >= 4) {
        v->kind = TCC_VALUE_INPUT;
        v->has_default = true;
        tcc_vec_push(imp->a, &g->inputs, &v);
      }
      continue;
    }
    if (v) {
      st = GERR("input '%s' is declared twice", name);
      goto done;
    }
    v = tcc_graph_add_value(g, name, TCC_VALUE_INPUT);
    if (!vi->type && !parent) {
      st = GERR("graph input '%s' has no type", name);
      goto done;
    }
    if ((st = set_declared_type(imp, g, v, vi->type, true, "input")) != TCC_OK) goto done;
    if (!parent && v->dtype == TCCRT_UNDEFINED && !tcc_value_is_structured(v)) {
      st = GERR("graph input '%s' has no element type", name);
      goto done;
    }
    tcc_vec_push(imp->a, &g->inputs, &v);
    scope_put(imp->a, s, v->name, v);
  }
  /* Input shapes given by the caller replace the declared ones. */
  if (!parent && imp->opts) {
    for (int k = 0; k < imp->opts->ninput_shapes; k++) {
      const tcc_input_shape *is = &imp->opts->input_shapes[k];
      tcc_value *v = scope_get_local(s, is->name);
      if (!v || v->kind != TCC_VALUE_INPUT) continue; /* reported by collect_bindings */
      if (tcc_value_is_structured(v)) {
        /* A sequence or optional: its bound structure (expanded after import). */
        if ((st = bind_type(imp, is->name, is->name, v->vtype, is, &v->vtype)) != TCC_OK) goto done;
        continue;
      }
      if (is->kind != TCC_SHAPE_TENSOR) continue; /* reported by collect_bindings */
      const tcc_expr **dims = tcc_arena_alloc(imp->a, sizeof(tcc_expr *) * (size_t)(is->ndim + 1));
      for (int d = 0; d < is->ndim; d++)
        dims[d] = tcc_idx(imp->ctx, is->dims[d]);
      v->ndim = is->ndim;
      v->dims = dims;
      if (tcc_value_numel(v) < 0) {
        st = GERR("--input-shape %s: the dims overflow int64", is->name);
        goto done;
      }
    }
  }

  /* Nodes: inline functions, then create every output first so that nodes may come in any
   * order, then the nodes. */
  tcc_vec xs;
  tcc_vec_init(&xs, sizeof(xnode));
  if ((st = expand_nodes(imp, gp->node, gp->n_node, NULL, 0, &xs)) != TCC_OK) goto done;
  for (size_t i = 0; i < xs.len; i++) {
    const Onnx__NodeProto *np = TCC_VEC_AT(xs, xnode, i).np;
    if (!np->op_type || !np->op_type[0]) {
      st = NERR(np, "node has no op_type");
      goto done;
    }
    for (size_t k = 0; k < np->n_output; k++) {
      const char *name = str_or_empty(np->output[k]);
      if (!name[0]) continue;
      tcc_value *old = scope_get_local(s, name);
      if (old) {
        st = NERR(np,
                  "output '%s' is already defined (by %s); every value must have one "
                  "producer",
                  name,
                  old->kind == TCC_VALUE_INPUT   ? "a graph input"
                  : old->kind == TCC_VALUE_CONST ? "an initializer"
                                                 : "another node");
        goto done;
      }
      tcc_value *v = tcc_graph_add_value(g, name, TCC_VALUE_NODE);
      scope_put(imp->a, s, v->name, v);
    }
  }
  int nerr = 0;
  for (size_t i = 0; i < xs.len; i++) {
    const xnode *x = &TCC_VEC_AT(xs, xnode, i);
    const Onnx__NodeProto *np = x->np;
    const char *domain = norm_domain(np->domain);
    if (!domain[0] && !strcmp(np->op_type, "Constant")) {
      if (np->n_input != 0 || np->n_output != 1 || !np->output[0][0]) {
        st = NERR(np, "a Constant takes no inputs and has exactly one output");
        goto done;
      }
      if ((st = import_constant(imp, np, scope_get_local(s, np->output[0]))) != TCC_OK) goto done;
      continue;
    }
    int64_t opset = node_opset(g, x, domain);
    if (opset < 0) {
      NERR(np, "domain '%s' is not imported by the model (its opset_import has no entry for it)",
           show_domain(domain));
      nerr++;
      continue;
    }
    tcc_value **ins = tcc_arena_alloc(imp->a, sizeof(tcc_value *) * (np->n_input + 1));
    tcc_value **outs = tcc_arena_alloc(imp->a, sizeof(tcc_value *) * (np->n_output + 1));
    bool missing = false;
    for (size_t k = 0; k < np->n_input; k++) {
      const char *name = str_or_empty(np->input[k]);
      if (!name[0]) continue;
      ins[k] = scope_get(s, name);
      if (!ins[k]) {
        NERR(np, "input '%s' is not produced by any node, initializer or graph input", name);
        nerr++;
        missing = true;
      }
    }
    if (missing) continue;
    for (size_t k = 0; k < np->n_output; k++) {
      const char *name = str_or_empty(np->output[k]);
      if (name[0]) outs[k] = scope_get_local(s, name);
    }
    tcc_attr *attrs = tcc_arena_alloc(imp->a, sizeof(tcc_attr) * (np->n_attribute + 1));
    for (size_t k = 0; k < np->n_attribute; k++)
      if ((st = convert_attr(imp, g, s, np, np->attribute[k], &attrs[k])) != TCC_OK) goto done;
    tcc_node *n = tcc_graph_add_node(g, np->name, np->op_type, domain, (int)np->n_input, ins,
                                     (int)np->n_output, outs);
    n->opset = opset;
    n->nattrs = (int)np->n_attribute;
    n->attrs = attrs;
  }
  if (nerr) {
    st = TCC_ERR;
    goto done;
  }

  /* Outputs. */
  for (size_t i = 0; i < gp->n_output; i++) {
    const Onnx__ValueInfoProto *vi = gp->output[i];
    const char *name = str_or_empty(vi->name);
    tcc_value *v = name[0] ? scope_get(s, name) : NULL;
    if (!v) {
      st = GERR("%s output '%s' is not produced by any node, initializer or input", gwhat, name);
      goto done;
    }
    if (v->kind == TCC_VALUE_NODE && v->dtype == TCCRT_UNDEFINED && scope_get_local(s, name) == v)
      if ((st = set_declared_type(imp, g, v, vi->type, false, "output")) != TCC_OK) goto done;
    tcc_vec_push(imp->a, &g->outputs, &v);
  }
  for (size_t i = 0; i < gp->n_value_info; i++) {
    const Onnx__ValueInfoProto *vi = gp->value_info[i];
    tcc_value *v = vi->name ? scope_get_local(s, vi->name) : NULL;
    if (v && v->kind == TCC_VALUE_NODE && v->dtype == TCCRT_UNDEFINED)
      if ((st = set_declared_type(imp, g, v, vi->type, false, "value")) != TCC_OK) goto done;
  }
  st = tcc_graph_toposort(g);
done:
  imp->graph_depth--;
  if (st == TCC_OK) *out = g;
  return st;
}

/* Collects symbol bindings from the options: SYMBOL=VALUE pairs and --input-shape dims matched
 * against the declared input shapes of the main graph. */
static tcc_status collect_bindings(importer *imp, const Onnx__GraphProto *gp) {
  const tcc_import_options *o = imp->opts;
  if (!o) return TCC_OK;
  for (int i = 0; i < o->nsymbols; i++)
    TCC_TRY(bind_symbol(imp, o->symbol_names[i], o->symbol_values[i], "given as an option"));
  for (int k = 0; k < o->ninput_shapes; k++) {
    const tcc_input_shape *is = &o->input_shapes[k];
    const Onnx__ValueInfoProto *vi = NULL;
    for (size_t i = 0; i < gp->n_input && !vi; i++)
      if (gp->input[i]->name && !strcmp(gp->input[i]->name, is->name)) vi = gp->input[i];
    bool is_init = false;
    for (size_t i = 0; i < gp->n_initializer; i++)
      if (gp->initializer[i]->name && !strcmp(gp->initializer[i]->name, is->name)) is_init = true;
    if (!vi || (is_init && imp->ir_version < 4)) {
      char list[1024] = "";
      size_t n = 0;
      for (size_t i = 0; i < gp->n_input && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                              str_or_empty(gp->input[i]->name));
      return GERR("--input-shape %s: the model has no input named '%s' (its inputs: %s)", is->name,
                  is->name, list);
    }
    if (vi->type && (vi->type->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE ||
                     vi->type->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE))
      continue; /* its structure is bound by import_graph */
    if (is->kind != TCC_SHAPE_TENSOR)
      return GERR("--input-shape %s: input '%s' is a tensor; bind it with dims (e.g. 1x3x224x224), "
                  "not %s",
                  is->name, is->name, is->kind == TCC_SHAPE_NONE ? "none" : "a sequence [...]");
    if (is->ndim < 0 || is->ndim > TCCRT_MAX_RANK)
      return GERR("--input-shape %s: invalid rank %d", is->name, is->ndim);
    for (int d = 0; d < is->ndim; d++)
      if (is->dims[d] < 0) return GERR("--input-shape %s: dim %d is negative", is->name, d);
    const Onnx__TypeProto__Tensor *tt = tensor_type(vi->type);
    if (is_init) {
      /* An overridable default: the given shape must be the initializer's. */
      for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *t = gp->initializer[i];
        if (!t->name || strcmp(t->name, is->name)) continue;
        bool same = t->n_dims == (size_t)is->ndim;
        for (int d = 0; same && d < is->ndim; d++)
          same = t->dims[d] == is->dims[d];
        if (!same)
          return GERR("--input-shape %s: input '%s' has a default of another shape; only its "
                      "own shape is accepted",
                      is->name, is->name);
      }
      continue;
    }
    if (!tt || !tt->shape) continue; /* unknown rank: the given shape is taken as is */
    const Onnx__TensorShapeProto *sp = tt->shape;
    if (sp->n_dim != (size_t)is->ndim)
      return GERR("--input-shape %s: input '%s' has rank %zu, but %d dims were given", is->name,
                  is->name, sp->n_dim, is->ndim);
    for (int d = 0; d < is->ndim; d++) {
      const Onnx__TensorShapeProto__Dimension *dim = sp->dim[d];
      if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
        if (dim->dim_value != is->dims[d])
          return GERR("--input-shape %s: dim %d of input '%s' is fixed at %" PRId64
                      " by the model, not %" PRId64,
                      is->name, d, is->name, dim->dim_value, is->dims[d]);
      } else if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                 dim->dim_param && dim->dim_param[0]) {
        char why[300];
        snprintf(why, sizeof why, "by --input-shape %s", is->name);
        TCC_TRY(bind_symbol(imp, dim->dim_param, is->dims[d], why));
      } else {
        char *name = tcc_arena_printf(imp->a, "%s_d%d", is->name, d);
        TCC_TRY(bind_symbol(imp, name, is->dims[d], "by --input-shape"));
      }
    }
  }
  return TCC_OK;
}

tcc_status tcc_onnx_import_bytes(tcc_context *ctx, const void *data, size_t size, const char *dir,
                                 const char *display_name, const tcc_import_options *opts,
                                 tcc_graph **out) {
  *out = NULL;
  const char *file = display_name ? display_name : "<memory>";
  tcc_ctx_set_file(ctx, file);
  file = tcc_ctx_file(ctx);
  if (!tcc_onnx_check_depth(&onnx__model_proto__descriptor, data, size, MAX_MESSAGE_DEPTH))
    return tcc_error_at(ctx, file, NULL, NULL,
                        "not a valid ONNX model: messages are nested deeper than %d levels",
                        MAX_MESSAGE_DEPTH);
  ProtobufCAllocator alloc = tcc_onnx_arena_allocator(ctx);
  Onnx__ModelProto *m = onnx__model_proto__unpack(&alloc, size, data);
  if (!m)
    return tcc_error_at(ctx, file, NULL, NULL,
                        "not a valid ONNX model: protobuf parsing of the ModelProto failed "
                        "(truncated or malformed data, or a field of the wrong wire type)");
  if (!m->has_ir_version)
    return tcc_error_at(ctx, file, NULL, NULL,
                        "not a valid ONNX model: it has no ir_version (expected 3 or later)");
  if (m->ir_version < 3)
    return tcc_error_at(ctx, file, NULL, NULL,
                        "ONNX IR version %" PRId64 " is not supported (expected 3 or later)",
                        m->ir_version);
  if (!m->graph)
    return tcc_error_at(ctx, file, NULL, NULL, "not a valid ONNX model: it has no graph");
  importer imp_ = {0}, *imp = &imp_;
  imp->ctx = ctx;
  imp->a = tcc_ctx_arena(ctx);
  imp->file = file;
  imp->tc.ctx = ctx;
  imp->tc.file = file;
  imp->tc.dir = dir ? tcc_arena_strdup(imp->a, dir) : NULL;
  imp->opts = opts;
  imp->model = m;
  imp->ir_version = m->ir_version;
  tcc_vec_init(&imp->bindings, sizeof(binding));

  tcc_graph *g = tcc_graph_new(ctx, m->graph->name, NULL);
  g->file = file;
  g->ir_version = m->ir_version;
  g->opsets = tcc_arena_alloc(imp->a, sizeof(tcc_opset) * (m->n_opset_import + 1));
  for (size_t i = 0; i < m->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *o = m->opset_import[i];
    const char *d = norm_domain(o->domain);
    if (!o->has_version || o->version < 1)
      return tcc_error_at(ctx, file, NULL, NULL,
                          "opset_import for domain '%s' has no valid version (expected >= 1)",
                          show_domain(d));
    int j = 0;
    while (j < g->nopsets && strcmp(g->opsets[j].domain, d))
      j++;
    if (j < g->nopsets)
      return tcc_error_at(ctx, file, NULL, NULL, "opset_import lists domain '%s' twice",
                          show_domain(d));
    g->opsets[g->nopsets].domain = tcc_arena_strdup(imp->a, d);
    g->opsets[g->nopsets].version = o->version;
    g->nopsets++;
  }
  if (!g->nopsets)
    return tcc_error_at(ctx, file, NULL, NULL,
                        "the model has no opset_import (IR version 3 and later must have one)");
  imp->root = g;
  TCC_TRY(collect_bindings(imp, m->graph));
  tcc_graph *res;
  TCC_TRY(import_graph(imp, m->graph, NULL, NULL, &res));
  /* Sequences and optionals bound by the options become tensors (see onnx_import.h). */
  if (opts && !opts->keep_sequences) TCC_TRY(tcc_pass_expand_sequences(ctx, res));
  *out = res;
  return TCC_OK;
}

tcc_status tcc_onnx_import_file(tcc_context *ctx, const char *path, const tcc_import_options *opts,
                                tcc_graph **out) {
  *out = NULL;
  uint8_t *buf;
  size_t size;
  tcc_ctx_set_file(ctx, path);
  TCC_TRY(tcc_onnx_read_file(ctx, path, &buf, &size));
  tcc_status st =
      tcc_onnx_import_bytes(ctx, buf, size, tcc_onnx_dirname(ctx, path), path, opts, out);
  free(buf);
  return st;
}
