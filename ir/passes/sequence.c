/* sequence.c — static expansion of ONNX sequences and optionals into tensors (see
 * tcc_pass_expand_sequences in passes.h).
 *
 * tcc-ml compiles ahead of time: a sequence input's length, an optional input's presence and each
 * element's dtype and shape are bound at compile time (tcc_value_type's bound structure, from
 * --input-shape NAME=[2x3,4] / NAME=none), as Relay's static tuples are. Every sequence or
 * optional value is then a compile-time tree whose leaves are tensor values, and the ops that
 * build or take apart sequences and optionals only route leaves:
 *   Identity            of a sequence/optional: the same leaves (per-element identity);
 *   SequenceConstruct   (opset 11) the inputs as elements;
 *   SequenceEmpty       (11) no element;
 *   SequenceLength      (11) an int64 scalar constant;
 *   SequenceAt          (11) the element at a constant position (negative counts from the end);
 *   SequenceInsert      (11) inserts at a constant position (default: at the end);
 *   SequenceErase       (11) erases at a constant position (default: the last);
 *   Optional            (15) with an input a present optional, without one an absent one;
 *   OptionalHasElement  (15, 18) a bool scalar constant (true for a tensor or sequence input,
 *                       false for an omitted input);
 *   OptionalGetElement  (15, 18) the element (an error when absent); a tensor or sequence input
 *                       is returned as is (18);
 *   SplitToSequence     (11) of an input whose split dim is known: without `split`, one Gather
 *                       per index (keepdims 0: a scalar index, the dim removed; 1: a 1-element
 *                       index); with a constant `split` (a scalar chunk size or 1-D sizes), one
 *                       Slice per chunk;
 *   ConcatFromSequence  (11) a Concat of the elements (new_axis 1: each Unsqueezed first);
 *   SequenceMap         (17) the body inlined once per element (element i of each sequence
 *                       input, tensors as they are); a body with subgraphs or sequence ops is
 *                       not supported;
 *   Loop                carrying a sequence/optional: unrolled (constant trip count and
 *                       condition), each copy of the body expanded as the graph's own;
 *   If                  over sequences/optionals: the branch of its constant condition inlined.
 * Graph inputs are replaced by their leaves in order (x[0], x[1], ...), graph outputs likewise,
 * each leaf output produced by an Identity node; nodes are sorted again at the end. Other ops
 * taking a sequence or optional and sequence ops inside other subgraphs are not expanded (they
 * stay, and are reported as unsupported later). */
#include "passes.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A compile-time value: a tensor leaf, or a sequence/optional of such values. */
typedef struct sval {
  tcc_type_kind kind;
  tcc_value *t; /* TENSOR */
  int n;        /* SEQUENCE: elements; OPTIONAL: 0 or 1 */
  struct sval **e;
} sval;

typedef struct expander {
  tcc_context *ctx;
  tcc_arena *a;
  tcc_graph *g;
  size_t map_cap; /* entries of map (grown as the pass adds values) */
  sval **map;     /* by value id */
  size_t cur;     /* the node being expanded (the nodes before it are tensor-only) */
  size_t nnodes;  /* nodes before the pass (later ones were made by it) */
  bool *drop;     /* by node position: removed */
  size_t drop_cap;
  /* The subgraphs being copied (a Loop body, an If branch inside it ...), innermost last, with
   * the values their copies stand for: a nested branch reads its enclosing body's values. */
  int nscopes;
  const tcc_graph *scope_graph[16];
  sval **scope_local[16];
} expander;

/* The map slot of a value of the main graph (grown as the pass adds values); NULL for others. */
static sval **map_slot(expander *x, const tcc_value *v) {
  if (!v || v->id >= x->g->values.len || TCC_GRAPH_VALUE(x->g, v->id) != v) return NULL;
  if (v->id >= x->map_cap) {
    size_t cap = x->g->values.len * 2 + 16;
    sval **m = tcc_arena_alloc(x->a, sizeof(sval *) * cap);
    if (x->map_cap) memcpy(m, x->map, sizeof(sval *) * x->map_cap);
    x->map = m;
    x->map_cap = cap;
  }
  return &x->map[v->id];
}
static sval *map_get(expander *x, const tcc_value *v) {
  sval **p = map_slot(x, v);
  return p ? *p : NULL;
}

static void set_dropped(expander *x, size_t i) {
  if (i >= x->drop_cap) {
    size_t cap = x->g->nodes.len * 2 + 16;
    bool *d = tcc_arena_alloc(x->a, cap);
    if (x->drop_cap) memcpy(d, x->drop, x->drop_cap);
    x->drop = d;
    x->drop_cap = cap;
  }
  x->drop[i] = true;
}
static bool is_dropped(const expander *x, size_t i) { return i < x->drop_cap && x->drop[i]; }

static const char *const seq_ops[] = {
    "SequenceConstruct",  "SequenceEmpty",   "SequenceLength", "SequenceAt",
    "SequenceInsert",     "SequenceErase",   "Optional",       "OptionalHasElement",
    "OptionalGetElement", "SplitToSequence", "SequenceMap",    "ConcatFromSequence",
};

static bool is_seq_op(const tcc_node *n) {
  if (n->domain[0]) return false;
  for (size_t i = 0; i < TCC_ARRAY_SIZE(seq_ops); i++)
    if (!strcmp(n->op_type, seq_ops[i])) return true;
  return false;
}

static sval *sv_new(expander *x, tcc_type_kind kind, int n) {
  sval *s = tcc_arena_alloc(x->a, sizeof *s);
  s->kind = kind;
  s->n = n;
  s->e = tcc_arena_alloc(x->a, sizeof(sval *) * (size_t)(n > 0 ? n : 1));
  return s;
}

static sval *sv_tensor(expander *x, tcc_value *t) {
  sval *s = sv_new(x, TCC_TYPE_TENSOR, 0);
  s->t = t;
  return s;
}

/* The compile-time value of v: its expansion, or v itself as a tensor leaf. */
static sval *sv_of(expander *x, tcc_value *v) {
  sval *s = map_get(x, v);
  return s ? s : sv_tensor(x, v);
}

static bool is_structured_sv(expander *x, const tcc_value *v) {
  sval *s = map_get(x, v);
  return s && s->kind != TCC_TYPE_TENSOR;
}

static const char *kind_word(tcc_type_kind k) {
  return k == TCC_TYPE_SEQUENCE   ? "a sequence"
         : k == TCC_TYPE_OPTIONAL ? "an optional"
                                  : "a tensor";
}

/* The --input-shape syntax that binds a declared type, for the unbound-input error. */
static void example_binding(FILE *f, const tcc_value_type *t) {
  if (!t || t->kind == TCC_TYPE_TENSOR) {
    if (!t || t->ndim < 0) {
      fputs("2x3", f);
      return;
    }
    if (t->ndim == 0) fputs("()", f);
    for (int i = 0; i < t->ndim; i++) {
      int64_t d = 2;
      if (t->dims[i]) tcc_expr_is_int_imm(t->dims[i], &d);
      fprintf(f, "%s%" PRId64, i ? "x" : "", d);
    }
    return;
  }
  if (t->kind == TCC_TYPE_OPTIONAL) {
    example_binding(f, t->elem);
    return;
  }
  fputc('[', f);
  example_binding(f, t->elem);
  fputc(',', f);
  example_binding(f, t->elem);
  fputc(']', f);
}

static tcc_status unbound_error(expander *x, const tcc_value *v) {
  char *ex = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&ex, &len);
  if (f) {
    example_binding(f, v->vtype->kind == TCC_TYPE_OPTIONAL ? v->vtype->elem : v->vtype);
    fclose(f);
  }
  tcc_status st = tcc_error_at(
      x->ctx, x->g->file, NULL, NULL,
      "input '%s' is %s (%s) whose structure is not bound: tcc-ml compiles ahead of time, so "
      "give %s with --input-shape, e.g. --input-shape '%s=%s'%s",
      v->name, kind_word(v->vtype->kind), tcc_value_type_str(x->ctx, v->vtype),
      v->vtype->kind == TCC_TYPE_SEQUENCE ? "its length and every element's shape"
                                          : "its presence and its element's shape",
      v->name, ex ? ex : "", v->vtype->kind == TCC_TYPE_OPTIONAL ? " (or NAME=none: absent)" : "");
  free(ex);
  return st;
}

/* Builds the leaves of a bound input type: new graph inputs named by path, appended to *ins. */
static tcc_status expand_input(expander *x, const tcc_value *root, const tcc_value_type *t,
                               const char *path, tcc_vec *ins, sval **out) {
  if (t->kind == TCC_TYPE_TENSOR) {
    if (t->dtype == TCCRT_UNDEFINED || t->ndim < 0)
      return tcc_error_at(x->ctx, x->g->file, NULL, NULL,
                          "input '%s': element '%s' has no dtype or shape (the model declares no "
                          "element type, and the binding gives only shapes)",
                          root->name, path);
    tcc_value *v = tcc_graph_add_value(x->g, path, TCC_VALUE_INPUT);
    v->dtype = t->dtype;
    v->ndim = t->ndim;
    v->dims = t->dims;
    tcc_vec_push(x->a, ins, &v);
    *out = sv_tensor(x, v);
    return TCC_OK;
  }
  if (t->nbound < 0) return unbound_error(x, root);
  sval *s = sv_new(x, t->kind, t->nbound);
  for (int i = 0; i < t->nbound; i++) {
    const char *p = t->kind == TCC_TYPE_SEQUENCE ? tcc_arena_printf(x->a, "%s[%d]", path, i) : path;
    TCC_TRY(expand_input(x, root, t->bound[i], p, ins, &s->e[i]));
  }
  *out = s;
  return TCC_OK;
}

/* A constant scalar of `dtype` as the value v (which stays in the graph, now a constant). */
static void make_const_scalar(expander *x, tcc_value *v, tccrt_dtype dtype, int64_t val) {
  v->kind = TCC_VALUE_CONST;
  v->producer = NULL;
  v->producer_output = 0;
  v->vtype = NULL;
  v->dtype = dtype;
  v->ndim = 0;
  v->dims = tcc_arena_alloc(x->a, sizeof(tcc_expr *));
  size_t es = tccrt_dtype_size(dtype);
  void *d = tcc_arena_alloc(x->a, es ? es : 1);
  if (dtype == TCCRT_BOOL) {
    *(uint8_t *)d = val != 0;
  } else {
    memcpy(d, &val, sizeof val);
  }
  v->data = d;
  v->nbytes = es;
}

/* The value of a constant int32/int64 scalar (or one-element) position input. */
static tcc_status const_position(expander *x, const tcc_node *n, int k, int64_t *out) {
  const tcc_value *v = sv_of(x, n->inputs[k])->t;
  int64_t ne = tcc_value_numel(v);
  if (v->kind != TCC_VALUE_CONST || !v->data || ne != 1 || v->is_fill)
    return tcc_node_error(x->ctx, x->g, n,
                          "position '%s' is not constant: a sequence expanded at compile time "
                          "needs a constant position (an initializer or a Constant); a run-time "
                          "position is not supported",
                          v->name);
  if (v->dtype == TCCRT_INT64) {
    memcpy(out, v->data, sizeof *out);
  } else if (v->dtype == TCCRT_INT32) {
    int32_t p;
    memcpy(&p, v->data, sizeof p);
    *out = p;
  } else {
    return tcc_node_error(x->ctx, x->g, n, "position '%s' is %s; expected int32 or int64", v->name,
                          tccrt_dtype_name(v->dtype));
  }
  return TCC_OK;
}

static tcc_status want_kind(expander *x, const tcc_node *n, int k, tcc_type_kind kind, sval **out) {
  if (k >= n->ninputs || !n->inputs[k])
    return tcc_node_error(x->ctx, x->g, n, "input %d is missing; expected %s", k, kind_word(kind));
  sval *s = sv_of(x, n->inputs[k]);
  if (s->kind != kind) {
    const tcc_value *v = n->inputs[k];
    if (s->kind == TCC_TYPE_TENSOR && v->producer && v->producer->op_type &&
        !is_seq_op(v->producer) && tcc_value_is_structured(v))
      return tcc_node_error(x->ctx, x->g, n,
                            "input '%s' is produced by node '%s' (%s) as %s, which is not "
                            "supported when sequences are expanded at compile time",
                            v->name, tcc_node_label(v->producer), v->producer->op_type,
                            kind_word(v->vtype->kind));
    return tcc_node_error(x->ctx, x->g, n, "input '%s' is %s; expected %s", v->name,
                          kind_word(s->kind), kind_word(kind));
  }
  *out = s;
  return TCC_OK;
}

/* A new constant int64 tensor of rank `ndim` (0 or 1) holding vals. */
static tcc_value *const_i64(expander *x, const char *name, int ndim, int n, const int64_t *vals) {
  tcc_value *v = tcc_graph_add_value(x->g, name, TCC_VALUE_CONST);
  v->dtype = TCCRT_INT64;
  v->ndim = ndim;
  const tcc_expr **dims = tcc_arena_alloc(x->a, sizeof(tcc_expr *));
  if (ndim == 1) dims[0] = tcc_idx(x->ctx, n);
  v->dims = dims;
  int64_t *d = tcc_arena_alloc(x->a, sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
  memcpy(d, vals, sizeof(int64_t) * (size_t)n);
  v->data = d;
  v->nbytes = sizeof(int64_t) * (size_t)n;
  return v;
}

/* A new node OP(ins) -> one new value named `name`, with an int attribute (NULL: none). */
static tcc_value *add_op(expander *x, const char *op, const char *name, int nin, tcc_value **ins,
                         const char *attr, int64_t val) {
  tcc_value *o = tcc_graph_add_value(x->g, name, TCC_VALUE_NODE);
  tcc_node *n =
      tcc_graph_add_node(x->g, tcc_arena_printf(x->a, "%s/%s", name, op), op, "", nin, ins, 1, &o);
  if (attr) {
    tcc_attr *at = tcc_arena_alloc(x->a, sizeof *at);
    at->name = attr;
    at->kind = TCC_ATTR_INT;
    at->u.i = val;
    n->nattrs = 1;
    n->attrs = at;
  }
  return o;
}

/* Infers the types of the tensor-only nodes before the current one (their inputs are already
 * leaves), so that a SplitToSequence of a computed tensor knows its length. Best effort: when
 * inference stops (e.g. at a shape only constant folding gives), the values it did not reach
 * stay unknown and no error is left behind; the AOT driver infers everything again later. */
static void infer_prefix(expander *x) {
  if (tcc_error_count(x->ctx)) return; /* keep diagnostics already recorded */
  tcc_graph *tmp = tcc_graph_new(x->ctx, x->g->name, NULL);
  tmp->file = x->g->file;
  tmp->ir_version = x->g->ir_version;
  tmp->nopsets = x->g->nopsets;
  tmp->opsets = x->g->opsets;
  /* The nodes kept so far and those this pass appended (Gather/Slice, inlined bodies), sorted
   * (ids are renumbered for the sort; the pass renumbers them again at its end). */
  for (size_t i = 0; i < x->g->nodes.len; i++) {
    if (is_dropped(x, i) || (i < x->nnodes && i >= x->cur)) continue;
    tcc_node *n = TCC_GRAPH_NODE(x->g, i);
    n->id = (uint32_t)tmp->nodes.len;
    tcc_vec_push(x->a, &tmp->nodes, &n);
  }
  if (tcc_graph_toposort(tmp) == TCC_OK && tcc_graph_resolve_ops(x->ctx, tmp) == TCC_OK)
    tcc_graph_infer(x->ctx, tmp);
  tcc_error_clear(x->ctx);
}

/* SplitToSequence (opset 11): see the file comment. */
static tcc_status split_to_sequence(expander *x, tcc_node *n, int nin, sval **out) {
  sval *sin = n->inputs[0] ? sv_of(x, n->inputs[0]) : NULL;
  if (!sin || sin->kind != TCC_TYPE_TENSOR)
    return tcc_node_error(x->ctx, x->g, n, "SplitToSequence takes a tensor input");
  tcc_value *in = sin->t;
  int64_t axis, keepdims, dim;
  TCC_TRY(tcc_node_attr_int(x->ctx, x->g, n, "axis", 0, &axis));
  TCC_TRY(tcc_node_attr_int(x->ctx, x->g, n, "keepdims", 1, &keepdims));
  if (in->kind == TCC_VALUE_NODE && !tcc_value_shape_known(in)) infer_prefix(x);
  if (in->ndim < 0)
    return tcc_node_error(x->ctx, x->g, n,
                          "input '%s' has no known rank: expanding a sequence at compile time "
                          "needs its length; a run-time split is not supported",
                          in->name);
  if (axis < -in->ndim || axis >= in->ndim)
    return tcc_node_error(x->ctx, x->g, n, "axis %" PRId64 " is out of range for rank %d", axis,
                          in->ndim);
  if (axis < 0) axis += in->ndim;
  if (!tcc_expr_is_int_imm(in->dims[axis], &dim))
    return tcc_node_error(x->ctx, x->g, n,
                          "dim %" PRId64 " of input '%s' is not constant: expanding a sequence at "
                          "compile time needs its length (bind it with --input-shape); a "
                          "run-time length is not supported",
                          axis, in->name);
  const char *base = n->outputs[0]->name;
  bool has_split = nin > 1 && n->inputs[1];
  if (!has_split) {
    if (dim > 4096)
      return tcc_node_error(x->ctx, x->g, n,
                            "splitting dim %" PRId64 " of size %" PRId64 " into one tensor each "
                            "is not supported (at most 4096 elements)",
                            axis, dim);
    sval *s = sv_new(x, TCC_TYPE_SEQUENCE, (int)dim);
    for (int64_t i = 0; i < dim; i++) {
      const char *name = tcc_arena_printf(x->a, "%s[%" PRId64 "]", base, i);
      tcc_value *ins[2] = {
          in, const_i64(x, tcc_arena_printf(x->a, "%s/index", name), keepdims ? 1 : 0, 1, &i)};
      s->e[i] = sv_tensor(x, add_op(x, "Gather", name, 2, ins, "axis", axis));
    }
    *out = s;
    return TCC_OK;
  }
  const tcc_value *sp = sv_of(x, n->inputs[1])->t;
  int64_t ns = tcc_value_numel(sp);
  if (sp->kind != TCC_VALUE_CONST || !sp->data || sp->is_fill || ns < 0 || sp->ndim > 1 ||
      (sp->dtype != TCCRT_INT64 && sp->dtype != TCCRT_INT32))
    return tcc_node_error(x->ctx, x->g, n,
                          "split '%s' must be a constant int32/int64 scalar or 1-D tensor: a "
                          "sequence expanded at compile time needs its length; a run-time split "
                          "is not supported",
                          sp->name);
  if (ns > 4096 || (sp->ndim == 0 && ns != 1))
    return tcc_node_error(x->ctx, x->g, n, "split '%s' has %" PRId64 " elements", sp->name, ns);
  int64_t *sizes = tcc_arena_alloc(x->a, sizeof(int64_t) * 4097);
  int64_t nchunks = 0, total = 0;
  for (int64_t i = 0; i < ns; i++)
    sizes[i] =
        sp->dtype == TCCRT_INT64 ? ((const int64_t *)sp->data)[i] : ((const int32_t *)sp->data)[i];
  if (sp->ndim == 0) { /* chunks of that size, the last one smaller */
    int64_t c = sizes[0];
    if (c <= 0) return tcc_node_error(x->ctx, x->g, n, "split %" PRId64 " must be positive", c);
    if (dim / c > 4096)
      return tcc_node_error(x->ctx, x->g, n, "split %" PRId64 " makes more than 4096 chunks", c);
    for (int64_t o = 0; o < dim; o += c)
      sizes[nchunks++] = o + c <= dim ? c : dim - o;
  } else {
    nchunks = ns;
  }
  for (int64_t i = 0; i < nchunks; i++)
    if (sizes[i] < 0 || !tcc_add_ovf(total, sizes[i], &total))
      return tcc_node_error(x->ctx, x->g, n, "split sizes must be >= 0");
  if (total != dim)
    return tcc_node_error(x->ctx, x->g, n,
                          "split sizes sum to %" PRId64 "; dim %" PRId64 " of '%s' is %" PRId64,
                          total, axis, in->name, dim);
  sval *s = sv_new(x, TCC_TYPE_SEQUENCE, (int)nchunks);
  int64_t start = 0;
  for (int64_t i = 0; i < nchunks; i++) {
    const char *name = tcc_arena_printf(x->a, "%s[%" PRId64 "]", base, i);
    int64_t end = start + sizes[i];
    tcc_value *ins[4] = {in, const_i64(x, tcc_arena_printf(x->a, "%s/starts", name), 1, 1, &start),
                         const_i64(x, tcc_arena_printf(x->a, "%s/ends", name), 1, 1, &end),
                         const_i64(x, tcc_arena_printf(x->a, "%s/axes", name), 1, 1, &axis)};
    s->e[i] = sv_tensor(x, add_op(x, "Slice", name, 4, ins, NULL, 0));
    start = end;
  }
  *out = s;
  return TCC_OK;
}

/* ConcatFromSequence (opset 11): Concat of the elements along `axis`; with new_axis 1 each
 * element is first unsqueezed at `axis` (so axis may be -r-1..r for elements of rank r). */
static tcc_status concat_from_sequence(expander *x, tcc_node *n, sval **out) {
  sval *seq;
  TCC_TRY(want_kind(x, n, 0, TCC_TYPE_SEQUENCE, &seq));
  const tcc_attr *ax = tcc_node_attr(n, "axis");
  if (!ax || ax->kind != TCC_ATTR_INT)
    return tcc_node_error(x->ctx, x->g, n, "ConcatFromSequence needs an int attribute 'axis'");
  int64_t new_axis;
  TCC_TRY(tcc_node_attr_int(x->ctx, x->g, n, "new_axis", 0, &new_axis));
  if (seq->n == 0)
    return tcc_node_error(x->ctx, x->g, n,
                          "input '%s' is an empty sequence; ConcatFromSequence needs at least one "
                          "element",
                          n->inputs[0]->name);
  const char *base = n->outputs[0]->name;
  tcc_value **ins = tcc_arena_alloc(x->a, sizeof(tcc_value *) * (size_t)seq->n);
  for (int i = 0; i < seq->n; i++) {
    if (seq->e[i]->kind != TCC_TYPE_TENSOR)
      return tcc_node_error(x->ctx, x->g, n, "element %d of '%s' is %s; expected a tensor", i,
                            n->inputs[0]->name, kind_word(seq->e[i]->kind));
    ins[i] = seq->e[i]->t;
    if (!new_axis) continue;
    const char *name = tcc_arena_printf(x->a, "%s/unsqueeze%d", base, i);
    if (n->opset >= 13) { /* axes as an input */
      tcc_value *uin[2] = {ins[i],
                           const_i64(x, tcc_arena_printf(x->a, "%s/axes", name), 1, 1, &ax->u.i)};
      ins[i] = add_op(x, "Unsqueeze", name, 2, uin, NULL, 0);
    } else { /* axes as an attribute */
      ins[i] = add_op(x, "Unsqueeze", name, 1, &ins[i], NULL, 0);
      tcc_node *un = ins[i]->producer;
      tcc_attr *at = tcc_arena_alloc(x->a, sizeof *at);
      int64_t *axes = tcc_arena_alloc(x->a, sizeof *axes);
      *axes = ax->u.i;
      at->name = "axes";
      at->kind = TCC_ATTR_INTS;
      at->u.ints.n = 1;
      at->u.ints.v = axes;
      un->nattrs = 1;
      un->attrs = at;
    }
    ins[i]->producer->opset = n->opset;
  }
  tcc_value *o =
      add_op(x, "Concat", tcc_arena_printf(x->a, "%s/concat", base), seq->n, ins, "axis", ax->u.i);
  o->producer->opset = n->opset;
  *out = sv_tensor(x, o);
  return TCC_OK;
}

/* The main-graph value a value read inside SequenceMap's body stands for in iteration `it`:
 * body values through `local` (indexed by body value id), outer values through the expansion. */
static tcc_status body_value(expander *x, const tcc_node *n, const tcc_graph *b, tcc_value **local,
                             tcc_value *v, tcc_value **out) {
  if (v->id < b->values.len && TCC_GRAPH_VALUE(b, v->id) == v) {
    if (!local[v->id] && v->kind == TCC_VALUE_CONST) {
      /* A constant of the body (initializer, Constant): copied into the main graph once. */
      tcc_value *c = tcc_graph_add_value(
          x->g, tcc_arena_printf(x->a, "%s/%s", tcc_node_label(n), v->name), TCC_VALUE_CONST);
      uint32_t id = c->id;
      const char *name = c->name;
      *c = *v;
      c->id = id;
      c->name = name;
      local[v->id] = c;
    }
    if (!local[v->id])
      return tcc_node_error(x->ctx, x->g, n, "body value '%s' is read before it is produced",
                            v->name);
    *out = local[v->id];
    return TCC_OK;
  }
  sval *s = sv_of(x, v);
  if (s->kind != TCC_TYPE_TENSOR)
    return tcc_node_error(x->ctx, x->g, n,
                          "the body reads '%s', which is %s; only tensors are supported there",
                          v->name, kind_word(s->kind));
  *out = s->t;
  return TCC_OK;
}

/* SequenceMap (opset 17): the body is inlined once per element, its inputs bound to element i
 * of input_sequence and of each sequence among the additional inputs (a tensor is passed to every
 * iteration); output k's element i is the body's output k of iteration i. */
static tcc_status sequence_map(expander *x, tcc_node *n, int nin) {
  const tcc_attr *at = tcc_node_attr(n, "body");
  if (!at || at->kind != TCC_ATTR_GRAPH || !at->u.g)
    return tcc_node_error(x->ctx, x->g, n, "SequenceMap needs a graph attribute 'body'");
  const tcc_graph *b = at->u.g;
  if (nin < 1 || !n->inputs[0])
    return tcc_node_error(x->ctx, x->g, n, "SequenceMap needs an input sequence");
  if ((size_t)nin != b->inputs.len)
    return tcc_node_error(x->ctx, x->g, n, "the body takes %zu inputs; the node has %d",
                          b->inputs.len, nin);
  if ((size_t)n->noutputs != b->outputs.len)
    return tcc_node_error(x->ctx, x->g, n, "the body gives %zu outputs; the node has %d",
                          b->outputs.len, n->noutputs);
  sval **in = tcc_arena_alloc(x->a, sizeof(sval *) * (size_t)nin);
  for (int k = 0; k < nin; k++) {
    if (!n->inputs[k]) return tcc_node_error(x->ctx, x->g, n, "input %d is omitted", k);
    in[k] = sv_of(x, n->inputs[k]);
  }
  if (in[0]->kind != TCC_TYPE_SEQUENCE)
    return tcc_node_error(x->ctx, x->g, n, "input '%s' is %s; expected a sequence",
                          n->inputs[0]->name, kind_word(in[0]->kind));
  int len = in[0]->n;
  for (int k = 0; k < nin; k++) {
    if (in[k]->kind == TCC_TYPE_OPTIONAL || (in[k]->kind == TCC_TYPE_SEQUENCE && in[k]->n != len))
      return tcc_node_error(x->ctx, x->g, n,
                            "input '%s' is %s of %d elements; expected a tensor or a sequence of "
                            "%d elements (the length of '%s')",
                            n->inputs[k]->name, kind_word(in[k]->kind), in[k]->n, len,
                            n->inputs[0]->name);
  }
  for (size_t m = 0; m < b->nodes.len; m++) {
    const tcc_node *bn = TCC_GRAPH_NODE(b, m);
    for (int a = 0; a < bn->nattrs; a++)
      if (bn->attrs[a].kind == TCC_ATTR_GRAPH || bn->attrs[a].kind == TCC_ATTR_GRAPHS)
        return tcc_node_error(x->ctx, x->g, n,
                              "body node '%s' (%s) has a subgraph; inlining it is not supported",
                              tcc_node_label(bn), bn->op_type);
    if (is_seq_op(bn))
      return tcc_node_error(x->ctx, x->g, n,
                            "body node '%s' (%s) works on sequences; not supported inside "
                            "SequenceMap",
                            tcc_node_label(bn), bn->op_type);
  }
  sval **outs = tcc_arena_alloc(x->a, sizeof(sval *) * (size_t)(n->noutputs + 1));
  for (int k = 0; k < n->noutputs; k++)
    outs[k] = sv_new(x, TCC_TYPE_SEQUENCE, len);
  tcc_value **local = tcc_arena_alloc(x->a, sizeof(tcc_value *) * (b->values.len + 1));
  for (int it = 0; it < len; it++) {
    memset(local, 0, sizeof(tcc_value *) * (b->values.len + 1));
    for (int k = 0; k < nin; k++) {
      sval *e = in[k]->kind == TCC_TYPE_SEQUENCE ? in[k]->e[it] : in[k];
      if (e->kind != TCC_TYPE_TENSOR)
        return tcc_node_error(x->ctx, x->g, n,
                              "element %d of input '%s' is %s; only sequences of tensors are "
                              "supported",
                              it, n->inputs[k]->name, kind_word(e->kind));
      local[TCC_GRAPH_INPUT(b, k)->id] = e->t;
    }
    const char *prefix = tcc_arena_printf(x->a, "%s[%d]", tcc_node_label(n), it);
    for (size_t m = 0; m < b->nodes.len; m++) {
      const tcc_node *bn = TCC_GRAPH_NODE(b, m);
      tcc_value **ins = tcc_arena_alloc(x->a, sizeof(tcc_value *) * (size_t)(bn->ninputs + 1));
      tcc_value **os = tcc_arena_alloc(x->a, sizeof(tcc_value *) * (size_t)(bn->noutputs + 1));
      for (int k = 0; k < bn->ninputs; k++)
        if (bn->inputs[k]) TCC_TRY(body_value(x, n, b, local, bn->inputs[k], &ins[k]));
      for (int k = 0; k < bn->noutputs; k++) {
        tcc_value *bv = bn->outputs[k];
        if (!bv) continue;
        os[k] = tcc_graph_add_value(x->g, tcc_arena_printf(x->a, "%s/%s", prefix, bv->name),
                                    TCC_VALUE_NODE);
        if (bv->id < b->values.len && TCC_GRAPH_VALUE(b, bv->id) == bv) local[bv->id] = os[k];
      }
      tcc_node *c =
          tcc_graph_add_node(x->g, tcc_arena_printf(x->a, "%s/%s", prefix, tcc_node_label(bn)),
                             bn->op_type, bn->domain, bn->ninputs, ins, bn->noutputs, os);
      c->opset = bn->opset;
      c->nattrs = bn->nattrs;
      c->attrs = bn->attrs;
    }
    for (int k = 0; k < n->noutputs; k++) {
      tcc_value *o;
      TCC_TRY(body_value(x, n, b, local, TCC_GRAPH_OUTPUT(b, k), &o));
      outs[k]->e[it] = sv_tensor(x, o);
    }
  }
  for (int k = 0; k < n->noutputs; k++)
    if (map_slot(x, n->outputs[k])) *map_slot(x, n->outputs[k]) = outs[k];
  return TCC_OK;
}

/* Expands one sequence/optional node (or an Identity of one) into the value of its output. */
static tcc_status expand_node(expander *x, tcc_node *n, sval **out) {
  const char *op = n->op_type;
  int nin = n->ninputs;
  while (nin > 0 && !n->inputs[nin - 1])
    nin--;
  if (n->noutputs != 1 || !n->outputs[0])
    return tcc_node_error(x->ctx, x->g, n, "expected exactly one output, got %d", n->noutputs);
  sval *s = NULL, *seq;
  if (!strcmp(op, "Identity") || (!strcmp(op, "OptionalGetElement") && nin == 1 &&
                                  sv_of(x, n->inputs[0])->kind != TCC_TYPE_OPTIONAL)) {
    if (nin != 1 || !n->inputs[0])
      return tcc_node_error(x->ctx, x->g, n, "expected one input, got %d", nin);
    s = sv_of(x, n->inputs[0]);
  } else if (!strcmp(op, "ConcatFromSequence")) {
    TCC_TRY(concat_from_sequence(x, n, &s));
  } else if (!strcmp(op, "SplitToSequence")) {
    TCC_TRY(split_to_sequence(x, n, nin, &s));
  } else if (!strcmp(op, "SequenceConstruct")) {
    if (nin < 1)
      return tcc_node_error(x->ctx, x->g, n, "SequenceConstruct takes at least one input");
    s = sv_new(x, TCC_TYPE_SEQUENCE, nin);
    for (int k = 0; k < nin; k++) {
      if (!n->inputs[k]) return tcc_node_error(x->ctx, x->g, n, "input %d is omitted", k);
      s->e[k] = sv_of(x, n->inputs[k]);
      if (s->e[k]->kind != TCC_TYPE_TENSOR)
        return tcc_node_error(x->ctx, x->g, n, "input '%s' is %s; SequenceConstruct takes tensors",
                              n->inputs[k]->name, kind_word(s->e[k]->kind));
    }
  } else if (!strcmp(op, "SequenceEmpty")) {
    if (nin) return tcc_node_error(x->ctx, x->g, n, "SequenceEmpty takes no input");
    s = sv_new(x, TCC_TYPE_SEQUENCE, 0);
  } else if (!strcmp(op, "SequenceLength")) {
    TCC_TRY(want_kind(x, n, 0, TCC_TYPE_SEQUENCE, &seq));
    make_const_scalar(x, n->outputs[0], TCCRT_INT64, seq->n);
    s = sv_tensor(x, n->outputs[0]);
  } else if (!strcmp(op, "SequenceAt")) {
    TCC_TRY(want_kind(x, n, 0, TCC_TYPE_SEQUENCE, &seq));
    if (nin != 2) return tcc_node_error(x->ctx, x->g, n, "SequenceAt takes 2 inputs");
    int64_t p;
    TCC_TRY(const_position(x, n, 1, &p));
    if (p < -seq->n || p >= seq->n)
      return tcc_node_error(x->ctx, x->g, n,
                            "position %" PRId64 " is out of range for a sequence of %d elements "
                            "(expected %d..%d)",
                            p, seq->n, -seq->n, seq->n - 1);
    s = seq->e[p < 0 ? p + seq->n : p];
  } else if (!strcmp(op, "SequenceInsert") || !strcmp(op, "SequenceErase")) {
    bool ins = op[8] == 'I';
    TCC_TRY(want_kind(x, n, 0, TCC_TYPE_SEQUENCE, &seq));
    int pk = ins ? 2 : 1;
    if (ins && (nin < 2 || !n->inputs[1]))
      return tcc_node_error(x->ctx, x->g, n, "SequenceInsert needs a tensor to insert");
    int64_t p = ins ? seq->n : seq->n - 1;
    if (nin > pk && n->inputs[pk]) {
      TCC_TRY(const_position(x, n, pk, &p));
      int64_t hi = ins ? seq->n : seq->n - 1;
      if (p < -seq->n || p > hi)
        return tcc_node_error(x->ctx, x->g, n,
                              "position %" PRId64 " is out of range for a sequence of %d "
                              "elements (expected %d..%" PRId64 ")",
                              p, seq->n, -seq->n, hi);
      if (p < 0) p += seq->n;
    } else if (!ins && seq->n == 0) {
      return tcc_node_error(x->ctx, x->g, n, "cannot erase from an empty sequence");
    }
    s = sv_new(x, TCC_TYPE_SEQUENCE, ins ? seq->n + 1 : seq->n - 1);
    int o = 0;
    for (int i = 0; i < seq->n; i++) {
      if (ins && i == p) s->e[o++] = sv_of(x, n->inputs[1]);
      if (!ins && i == p) continue;
      s->e[o++] = seq->e[i];
    }
    if (ins && p == seq->n) s->e[o++] = sv_of(x, n->inputs[1]);
    if (ins && s->e[p]->kind != TCC_TYPE_TENSOR)
      return tcc_node_error(x->ctx, x->g, n, "input '%s' is %s; SequenceInsert inserts tensors",
                            n->inputs[1]->name, kind_word(s->e[p]->kind));
  } else if (!strcmp(op, "Optional")) {
    /* With an input: present; without: absent (its `type` attribute only declares the type). */
    s = sv_new(x, TCC_TYPE_OPTIONAL, nin ? 1 : 0);
    if (nin) s->e[0] = sv_of(x, n->inputs[0]);
  } else if (!strcmp(op, "OptionalHasElement")) {
    bool has = nin >= 1 && n->inputs[0];
    if (has) {
      sval *in = sv_of(x, n->inputs[0]);
      has = in->kind != TCC_TYPE_OPTIONAL || in->n == 1;
    }
    make_const_scalar(x, n->outputs[0], TCCRT_BOOL, has);
    s = sv_tensor(x, n->outputs[0]);
  } else if (!strcmp(op, "OptionalGetElement")) {
    TCC_TRY(want_kind(x, n, 0, TCC_TYPE_OPTIONAL, &seq));
    if (seq->n != 1)
      return tcc_node_error(x->ctx, x->g, n,
                            "input '%s' is an absent optional (bound to none); it has no "
                            "element to get",
                            n->inputs[0]->name);
    s = seq->e[0];
  } else {
    return tcc_node_error(x->ctx, x->g, n, "not a sequence op");
  }
  *out = s;
  return TCC_OK;
}

/* Replaces inputs that name an expanded tensor (an output of a removed node) by its leaf, in n
 * and in the nodes of its subgraphs (which read outer values by pointer). */
static tcc_status remap_inputs(expander *x, tcc_graph *g, tcc_node *n) {
  for (int k = 0; k < n->ninputs; k++) {
    tcc_value *v = n->inputs[k];
    sval *s = map_get(x, v);
    if (!s) continue;
    if (s->kind != TCC_TYPE_TENSOR)
      return tcc_node_error(x->ctx, g, n,
                            "input '%s' is %s; only the sequence and optional operators "
                            "(SequenceAt, OptionalGetElement, ...) and Identity take one when "
                            "sequences are expanded at compile time, %s is not supported",
                            v->name, kind_word(s->kind), n->op_type);
    n->inputs[k] = s->t;
  }
  for (int a = 0; a < n->nattrs; a++) {
    const tcc_attr *at = &n->attrs[a];
    int ng = at->kind == TCC_ATTR_GRAPH ? 1 : at->kind == TCC_ATTR_GRAPHS ? at->u.graphs.n : 0;
    for (int j = 0; j < ng; j++) {
      tcc_graph *sub = at->kind == TCC_ATTR_GRAPH ? at->u.g : at->u.graphs.v[j];
      if (!sub) continue;
      for (size_t m = 0; m < sub->nodes.len; m++)
        TCC_TRY(remap_inputs(x, sub, TCC_GRAPH_NODE(sub, m)));
      for (size_t m = 0; m < sub->outputs.len; m++) {
        tcc_value *v = TCC_GRAPH_OUTPUT(sub, m);
        sval *s = map_get(x, v);
        if (s && s->kind == TCC_TYPE_TENSOR) TCC_VEC_AT(sub->outputs, tcc_value *, m) = s->t;
      }
    }
  }
  return TCC_OK;
}

/* Appends graph outputs for the leaves of s, each produced by an Identity node into a value
 * named by its path (`into` for a tensor leaf at the top: the original output value). */
static tcc_status expand_output(expander *x, sval *s, const char *path, tcc_value *into,
                                tcc_vec *outs) {
  if (s->kind == TCC_TYPE_TENSOR) {
    tcc_value *o = into ? into : tcc_graph_add_value(x->g, path, TCC_VALUE_NODE);
    tcc_value *in = s->t;
    tcc_graph_add_node(x->g, tcc_arena_printf(x->a, "%s/identity", path), "Identity", "", 1, &in, 1,
                       &o);
    o->vtype = NULL;
    tcc_vec_push(x->a, outs, &o);
    return TCC_OK;
  }
  for (int i = 0; i < s->n; i++) {
    const char *p = s->kind == TCC_TYPE_SEQUENCE ? tcc_arena_printf(x->a, "%s[%d]", path, i) : path;
    TCC_TRY(expand_output(x, s->e[i], p, NULL, outs));
  }
  return TCC_OK;
}

static bool if_over_sequences(const tcc_node *n);

static bool has_work(const tcc_graph *g) {
  for (size_t i = 0; i < g->inputs.len; i++)
    if (tcc_value_is_structured(TCC_GRAPH_INPUT(g, i))) return true;
  for (size_t i = 0; i < g->nodes.len; i++)
    if (is_seq_op(TCC_GRAPH_NODE(g, i)) || if_over_sequences(TCC_GRAPH_NODE(g, i))) return true;
  return false;
}

static tcc_status process_node(expander *x, size_t i);

/* A body value's compile-time value in one unrolled iteration: body values through `local`
 * (a body constant is copied into the main graph), outer values through the expansion. */
static tcc_status loop_body_value(expander *x, const tcc_node *n, const tcc_graph *b, sval **local,
                                  tcc_value *v, sval **out) {
  for (int k = x->nscopes - 1; k >= 0 && !(v->id < b->values.len && TCC_GRAPH_VALUE(b, v->id) == v);
       k--) {
    const tcc_graph *sg = x->scope_graph[k];
    if (v->id < sg->values.len && TCC_GRAPH_VALUE(sg, v->id) == v) {
      b = sg; /* a value of an enclosing body being copied */
      local = x->scope_local[k];
    }
  }
  if (v->id < b->values.len && TCC_GRAPH_VALUE(b, v->id) == v) {
    if (!local[v->id] && v->kind == TCC_VALUE_CONST) {
      tcc_value *c = tcc_graph_add_value(
          x->g, tcc_arena_printf(x->a, "%s/%s", tcc_node_label(n), v->name), TCC_VALUE_CONST);
      uint32_t id = c->id;
      const char *name = c->name;
      *c = *v;
      c->id = id;
      c->name = name;
      local[v->id] = sv_tensor(x, c);
    }
    if (!local[v->id])
      return tcc_node_error(x->ctx, x->g, n, "body value '%s' is read before it is produced",
                            v->name);
    *out = local[v->id];
    return TCC_OK;
  }
  *out = sv_of(x, v);
  return TCC_OK;
}

/* v, through Identity nodes, when that is a constant; else NULL. */
static const tcc_value *through_identity(const tcc_value *v) {
  for (int k = 0; v && k < 64; k++) {
    if (v->kind == TCC_VALUE_CONST) return v;
    const tcc_node *p = v->producer;
    if (!p || strcmp(p->op_type, "Identity") || p->ninputs < 1) return NULL;
    v = p->inputs[0];
  }
  return NULL;
}

/* Copies the nodes of subgraph b (a Loop body or an If branch) into the main graph, named
 * PREFIX/NAME, reading b's values through `local` (b's inputs are set by the caller), and expands
 * each copy as it is made; `local` then holds b's values. */
static tcc_status clone_body(expander *x, const tcc_node *n, const tcc_graph *b, sval **local,
                             const char *prefix) {
  if (x->nscopes == (int)TCC_ARRAY_SIZE(x->scope_graph))
    return tcc_node_error(x->ctx, x->g, n, "subgraphs nested too deeply to expand");
  for (size_t m = 0; m < b->nodes.len; m++) {
    const tcc_node *bn = TCC_GRAPH_NODE(b, m);
    for (int a = 0; a < bn->nattrs; a++)
      if ((bn->attrs[a].kind == TCC_ATTR_GRAPH || bn->attrs[a].kind == TCC_ATTR_GRAPHS) &&
          !if_over_sequences(bn))
        return tcc_node_error(x->ctx, x->g, n,
                              "node '%s' (%s) of its subgraph has a subgraph itself; expanding it "
                              "at compile time is not supported",
                              tcc_node_label(bn), bn->op_type);
  }
  x->scope_graph[x->nscopes] = b;
  x->scope_local[x->nscopes] = local;
  x->nscopes++;
  for (size_t m = 0; m < b->nodes.len; m++) {
    const tcc_node *bn = TCC_GRAPH_NODE(b, m);
    tcc_value **ins = tcc_arena_alloc(x->a, sizeof(tcc_value *) * (size_t)(bn->ninputs + 1));
    tcc_value **os = tcc_arena_alloc(x->a, sizeof(tcc_value *) * (size_t)(bn->noutputs + 1));
    for (int k = 0; k < bn->ninputs; k++) {
      if (!bn->inputs[k]) continue;
      sval *sv;
      TCC_TRY(loop_body_value(x, n, b, local, bn->inputs[k], &sv));
      if (sv->kind == TCC_TYPE_TENSOR) {
        ins[k] = sv->t;
      } else { /* a sequence/optional: a placeholder value standing for it */
        ins[k] = tcc_graph_add_value(
            x->g, tcc_arena_printf(x->a, "%s/%s", prefix, bn->inputs[k]->name), TCC_VALUE_NODE);
        *map_slot(x, ins[k]) = sv;
      }
    }
    for (int k = 0; k < bn->noutputs; k++)
      if (bn->outputs[k])
        os[k] = tcc_graph_add_value(
            x->g, tcc_arena_printf(x->a, "%s/%s", prefix, bn->outputs[k]->name), TCC_VALUE_NODE);
    tcc_node *cn =
        tcc_graph_add_node(x->g, tcc_arena_printf(x->a, "%s/%s", prefix, tcc_node_label(bn)),
                           bn->op_type, bn->domain, bn->ninputs, ins, bn->noutputs, os);
    cn->opset = bn->opset;
    cn->nattrs = bn->nattrs;
    cn->attrs = bn->attrs;
    TCC_TRY(process_node(x, x->g->nodes.len - 1));
    for (int k = 0; k < bn->noutputs; k++) {
      const tcc_value *bv = bn->outputs[k];
      if (bv && bv->id < b->values.len && TCC_GRAPH_VALUE(b, bv->id) == bv)
        local[bv->id] = sv_of(x, os[k]);
    }
  }
  x->nscopes--;
  return TCC_OK;
}

/* The value of a bool scalar known at compile time: a constant, through Identity and Not (as
 * OptionalHasElement -> Not -> If conditions are); -1 when not known. */
static int const_bool(const tcc_value *v) {
  bool neg = false;
  for (int k = 0; v && k < 64; k++) {
    if (v->kind == TCC_VALUE_CONST) {
      if (!v->data || v->is_fill || v->dtype != TCCRT_BOOL || tcc_value_numel(v) != 1) return -1;
      return (*(const uint8_t *)v->data != 0) != neg;
    }
    const tcc_node *p = v->producer;
    if (!p || p->domain[0] || p->ninputs < 1) return -1;
    if (!strcmp(p->op_type, "Not"))
      neg = !neg;
    else if (strcmp(p->op_type, "Identity"))
      return -1;
    v = p->inputs[0];
  }
  return -1;
}

/* Loop (opsets 11-25) whose loop-carried values include a sequence or optional: unrolled at
 * compile time, which needs a constant trip count M and a condition that stays a constant
 * (body nodes are copied once per iteration, iteration_num a constant, and expanded as the
 * graph's own). Scan outputs and bodies with subgraphs are not supported. */
static tcc_status unroll_loop(expander *x, tcc_node *n) {
  const tcc_attr *at = tcc_node_attr(n, "body");
  if (!at || at->kind != TCC_ATTR_GRAPH || !at->u.g)
    return tcc_node_error(x->ctx, x->g, n, "Loop needs a graph attribute 'body'");
  const tcc_graph *b = at->u.g;
  int nin = n->ninputs;
  if (nin < 2)
    return tcc_node_error(x->ctx, x->g, n, "Loop takes a trip count, a condition and values");
  int nc = nin - 2;
  if (b->inputs.len != (size_t)(2 + nc) || b->outputs.len != (size_t)(1 + nc) || n->noutputs != nc)
    return tcc_node_error(x->ctx, x->g, n,
                          "unrolling a Loop over sequences: scan outputs are not supported (the "
                          "body takes %zu inputs and gives %zu outputs for %d loop-carried values)",
                          b->inputs.len, b->outputs.len, nc);
  /* The trip count and the condition must be constants ("not constant" lets a runner bind
   * them: it binds the inputs an error names as 'NAME')). */
  const tcc_value *mv = n->inputs[0] ? through_identity(sv_of(x, n->inputs[0])->t) : NULL;
  int cond = n->inputs[1] ? const_bool(sv_of(x, n->inputs[1])->t) : 1;
  if (!mv || !mv->data || mv->is_fill || tcc_value_numel(mv) != 1 || mv->dtype != TCCRT_INT64 ||
      cond < 0)
    return tcc_node_error(x->ctx, x->g, n,
                          "unrolling a Loop over sequences at compile time needs a constant trip "
                          "count (input '%s') and condition (input '%s'); they are not constant "
                          "(a run-time loop over sequences is not supported)",
                          n->inputs[0] ? n->inputs[0]->name : "",
                          n->inputs[1] ? n->inputs[1]->name : "");
  int64_t trips;
  memcpy(&trips, mv->data, sizeof trips);
  if (!cond) trips = 0;
  if (trips > 1024)
    return tcc_node_error(x->ctx, x->g, n,
                          "trip count %" PRId64 ": unrolling more than 1024 iterations is not "
                          "supported",
                          trips);
  sval **cur = tcc_arena_alloc(x->a, sizeof(sval *) * (size_t)(nc + 1));
  for (int j = 0; j < nc; j++) {
    if (!n->inputs[2 + j])
      return tcc_node_error(x->ctx, x->g, n, "loop-carried input %d is omitted", j);
    cur[j] = sv_of(x, n->inputs[2 + j]);
  }
  sval **local = tcc_arena_alloc(x->a, sizeof(sval *) * (b->values.len + 1));
  for (int64_t it = 0; it < trips; it++) {
    memset(local, 0, sizeof(sval *) * (b->values.len + 1));
    const char *prefix = tcc_arena_printf(x->a, "%s/iter%" PRId64, tcc_node_label(n), it);
    local[TCC_GRAPH_INPUT(b, 0)->id] =
        sv_tensor(x, const_i64(x, tcc_arena_printf(x->a, "%s/iteration_num", prefix), 0, 1, &it));
    tcc_value *c =
        tcc_graph_add_value(x->g, tcc_arena_printf(x->a, "%s/cond", prefix), TCC_VALUE_CONST);
    make_const_scalar(x, c, TCCRT_BOOL, 1);
    local[TCC_GRAPH_INPUT(b, 1)->id] = sv_tensor(x, c);
    for (int j = 0; j < nc; j++)
      local[TCC_GRAPH_INPUT(b, 2 + j)->id] = cur[j];
    TCC_TRY(clone_body(x, n, b, local, prefix));
    sval *co;
    TCC_TRY(loop_body_value(x, n, b, local, TCC_GRAPH_OUTPUT(b, 0), &co));
    int cc = co->kind == TCC_TYPE_TENSOR ? const_bool(co->t) : -1;
    if (cc < 0)
      return tcc_node_error(x->ctx, x->g, n,
                            "unrolling a Loop over sequences at compile time needs the body's "
                            "condition output to be constant; a run-time one is not supported");
    for (int j = 0; j < nc; j++)
      TCC_TRY(loop_body_value(x, n, b, local, TCC_GRAPH_OUTPUT(b, 1 + j), &cur[j]));
    if (!cc) break;
  }
  for (int j = 0; j < nc; j++)
    if (n->outputs[j]) *map_slot(x, n->outputs[j]) = cur[j];
  return TCC_OK;
}

/* Does If node n build or return sequences/optionals (its outputs declared so, or a sequence op
 * in a branch)? */
static bool if_over_sequences(const tcc_node *n) {
  if (n->domain[0] || strcmp(n->op_type, "If")) return false;
  for (int k = 0; k < n->noutputs; k++)
    if (tcc_value_is_structured(n->outputs[k])) return true;
  for (int a = 0; a < n->nattrs; a++) {
    const tcc_attr *at = &n->attrs[a];
    if (at->kind != TCC_ATTR_GRAPH || !at->u.g) continue;
    for (size_t m = 0; m < at->u.g->nodes.len; m++)
      if (is_seq_op(TCC_GRAPH_NODE(at->u.g, m))) return true;
    for (size_t m = 0; m < at->u.g->outputs.len; m++)
      if (tcc_value_is_structured(TCC_GRAPH_OUTPUT(at->u.g, m))) return true;
  }
  return false;
}

/* If (opsets 11-25) over sequences/optionals: with a constant condition the chosen branch is
 * inlined and expanded as the graph's own. */
static tcc_status inline_if(expander *x, tcc_node *n) {
  int cond = n->ninputs > 0 && n->inputs[0] ? const_bool(sv_of(x, n->inputs[0])->t) : -1;
  if (cond < 0)
    return tcc_node_error(x->ctx, x->g, n,
                          "an If over sequences is resolved at compile time and needs a constant "
                          "condition (input '%s'); it is not constant (a run-time choice between "
                          "sequences is not supported)",
                          n->ninputs > 0 && n->inputs[0] ? n->inputs[0]->name : "");
  bool then = cond != 0;
  const tcc_attr *at = tcc_node_attr(n, then ? "then_branch" : "else_branch");
  if (!at || at->kind != TCC_ATTR_GRAPH || !at->u.g)
    return tcc_node_error(x->ctx, x->g, n, "If needs a graph attribute '%s'",
                          then ? "then_branch" : "else_branch");
  const tcc_graph *b = at->u.g;
  if (b->outputs.len != (size_t)n->noutputs)
    return tcc_node_error(x->ctx, x->g, n, "the %s branch gives %zu outputs; the node has %d",
                          then ? "then" : "else", b->outputs.len, n->noutputs);
  sval **local = tcc_arena_alloc(x->a, sizeof(sval *) * (b->values.len + 1));
  TCC_TRY(clone_body(x, n, b, local,
                     tcc_arena_printf(x->a, "%s/%s", tcc_node_label(n), then ? "then" : "else")));
  for (int k = 0; k < n->noutputs; k++) {
    sval *sv;
    TCC_TRY(loop_body_value(x, n, b, local, TCC_GRAPH_OUTPUT(b, k), &sv));
    if (n->outputs[k]) *map_slot(x, n->outputs[k]) = sv;
  }
  return TCC_OK;
}

/* Expands (or keeps, with its inputs remapped) the node at position i. */
static tcc_status process_node(expander *x, size_t i) {
  tcc_graph *g = x->g;
  tcc_node *n = TCC_GRAPH_NODE(g, i);
  if (i < x->nnodes) x->cur = i;
  bool structured_in = false;
  for (int k = 0; k < n->ninputs; k++)
    structured_in |= is_structured_sv(x, n->inputs[k]);
  if (structured_in && !n->domain[0] && !strcmp(n->op_type, "Loop")) {
    set_dropped(x, i);
    return unroll_loop(x, n);
  }
  if (if_over_sequences(n)) {
    set_dropped(x, i);
    return inline_if(x, n);
  }
  bool route = is_seq_op(n) || (structured_in && !n->domain[0] && !strcmp(n->op_type, "Identity"));
  if (!route) return remap_inputs(x, g, n);
  set_dropped(x, i);
  if (!n->domain[0] && !strcmp(n->op_type, "SequenceMap")) {
    int nin = n->ninputs;
    while (nin > 0 && !n->inputs[nin - 1])
      nin--;
    return sequence_map(x, n, nin);
  }
  sval *s = NULL;
  TCC_TRY(expand_node(x, n, &s));
  *map_slot(x, n->outputs[0]) = s;
  return TCC_OK;
}

tcc_status tcc_pass_expand_sequences(tcc_context *ctx, tcc_graph *g) {
  if (!has_work(g)) return TCC_OK;
  expander x_ = {.ctx = ctx, .a = tcc_ctx_arena(ctx), .g = g, .nnodes = g->nodes.len}, *x = &x_;
  tcc_arena *a = x->a;

  /* Inputs: every bound sequence/optional input becomes its leaves, in order. */
  tcc_vec ins;
  tcc_vec_init(&ins, sizeof(tcc_value *));
  for (size_t i = 0; i < g->inputs.len; i++) {
    tcc_value *v = TCC_GRAPH_INPUT(g, i);
    if (!tcc_value_is_structured(v)) {
      tcc_vec_push(a, &ins, &v);
      continue;
    }
    if (v->vtype->nbound < 0) return unbound_error(x, v);
    sval *s;
    TCC_TRY(expand_input(x, v, v->vtype, v->name, &ins, &s));
    *map_slot(x, v) = s;
  }
  g->inputs = ins;

  /* Nodes, in topological order: sequence ops are evaluated at compile time and removed (an
   * unrolled Loop's copies of its body are processed as they are made). */
  size_t nn = g->nodes.len;
  for (size_t i = 0; i < nn; i++)
    TCC_TRY(process_node(x, i));

  /* Outputs: leaves, each produced by an Identity (a graph output must be a node's output). */
  tcc_vec outs;
  tcc_vec_init(&outs, sizeof(tcc_value *));
  for (size_t i = 0; i < g->outputs.len; i++) {
    tcc_value *v = TCC_GRAPH_OUTPUT(g, i);
    sval *s = map_get(x, v);
    if (!s || (s->kind == TCC_TYPE_TENSOR && s->t == v)) {
      tcc_vec_push(a, &outs, &v);
      continue;
    }
    TCC_TRY(expand_output(x, s, v->name, s->kind == TCC_TYPE_TENSOR ? v : NULL, &outs));
  }
  g->outputs = outs;

  /* Drop the removed nodes and the values that only they produced or that were expanded. */
  tcc_vec nodes;
  tcc_vec_init(&nodes, sizeof(tcc_node *));
  for (size_t i = 0; i < g->nodes.len; i++) {
    tcc_node *n = TCC_GRAPH_NODE(g, i);
    if (is_dropped(x, i)) continue;
    n->id = (uint32_t)nodes.len;
    tcc_vec_push(a, &nodes, &n);
  }
  g->nodes = nodes;
  tcc_vec vals;
  tcc_vec_init(&vals, sizeof(tcc_value *));
  for (size_t i = 0; i < g->values.len; i++) {
    tcc_value *v = TCC_GRAPH_VALUE(g, i);
    sval *s = i < x->map_cap ? x->map[i] : NULL;
    /* Kept: constants made here and values an output Identity now produces. */
    bool gone = s && !(s->kind == TCC_TYPE_TENSOR && s->t == v) &&
                !(v->kind == TCC_VALUE_NODE && v->producer && v->producer->id < nodes.len &&
                  TCC_GRAPH_NODE(g, v->producer->id) == v->producer);
    if (gone) continue;
    v->id = (uint32_t)vals.len;
    tcc_vec_push(a, &vals, &v);
  }
  g->values = vals;
  /* Nodes made here (Gather/Slice of SplitToSequence, copies of bodies, output Identity) were
   * appended. */
  return tcc_graph_toposort(g);
}
