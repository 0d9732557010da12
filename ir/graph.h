/* graph.h — the graph IR: one typed dataflow graph for every frontend.
 *
 * A tcc_graph owns nodes and values (all in the context's arena). Nodes are kept in
 * topological order once tcc_graph_toposort() has run (the importer runs it). A value's shape
 * dims are int64 index expressions over named symbols (dim_params such as `N`), constant once
 * bound. Per-value facts added by later passes (layout, storage id, fusion group) live in side
 * tables indexed by value id / node id, as NNVM's IndexedGraph does. */
#ifndef TCC_GRAPH_H
#define TCC_GRAPH_H

#include "expr.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tcc_graph;
struct tcc_node;
struct tcc_op;

/* ---- Non-tensor types: ONNX sequences and optionals, bound at compile time ----
 * tcc-ml compiles ahead of time, so a sequence's length, an optional's presence and every
 * element's dtype and shape are bound when the model is compiled (as symbolic dims are bound by
 * --input-shape; Relay's static tuples). A value whose `vtype` is a sequence or an optional
 * exists only between import and tcc_pass_expand_sequences (ir/passes/passes.h), which turns it
 * into tensor values: element i of a sequence named P is the tensor value "P[i]", the element of
 * a present optional named P is named P, and an absent optional has no tensor at all. */
typedef enum tcc_type_kind {
  TCC_TYPE_TENSOR = 0, /* a tensor: the value's own dtype/ndim/dims */
  TCC_TYPE_SEQUENCE = 1,
  TCC_TYPE_OPTIONAL = 2,
} tcc_type_kind;

typedef struct tcc_value_type {
  tcc_type_kind kind;
  /* TENSOR: element dtype (TCCRT_UNDEFINED when unknown), rank (-1 when unknown) and dims (a
   * NULL dim is unknown). */
  tccrt_dtype dtype;
  int ndim;
  const tcc_expr *const *dims;
  /* SEQUENCE / OPTIONAL: the declared element type (NULL when the model leaves it open). */
  const struct tcc_value_type *elem;
  /* The bound structure: a SEQUENCE has nbound >= 0 elements, an OPTIONAL 1 (present) or 0
   * (absent); bound[i] is element i's type with every dim constant. -1: not bound. */
  int nbound;
  const struct tcc_value_type *const *bound;
} tcc_value_type;

typedef enum tcc_value_kind {
  TCC_VALUE_INPUT, /* a graph input the caller feeds */
  TCC_VALUE_CONST, /* an initializer / Constant output: data known at compile time */
  TCC_VALUE_NODE,  /* produced by a node */
} tcc_value_kind;

typedef struct tcc_value {
  uint32_t id; /* index in graph->values */
  const char *name;
  tcc_value_kind kind;
  tccrt_dtype dtype;           /* TCCRT_UNDEFINED until inferred */
  int ndim;                    /* -1 while the rank is unknown */
  const tcc_expr *const *dims; /* int64 exprs; NULL while ndim < 0 */
  struct tcc_node *producer;   /* TCC_VALUE_NODE */
  int producer_output;
  /* TCC_VALUE_CONST: dense row-major little-endian bytes of ndim/dims (all dims constant).
   * When is_fill, `data` holds one element that fills the whole shape (ConstantOfShape, a
   * splat) and nbytes is that element's size. `mapped` marks memory-mapped external data. */
  const void *data;
  size_t nbytes;
  bool is_fill;
  bool mapped;
  /* An initializer also listed as a graph input with ir_version >= 4: a default the caller may
   * override (kind stays INPUT; data holds the default). */
  bool has_default;
  const char *const *strings; /* STRING constants: nelem C strings */
  /* Known element values of a small int64/int32 tensor (at most 64 elements, row-major) as
   * int64 index expressions, e.g. the output of Shape on [N,1,28,28] is {N, 1, 28, 28}. Filled
   * by inference (Shape, Gather, Concat, Slice, Cast, arithmetic on them ...) and read by ops
   * whose output shape depends on an input's values (Reshape, Expand, ConstantOfShape, ...).
   * Bool tensors (shape conditions) use 0/1; a float32/float64 Cast of small integer constants
   * keeps them (exact integers). NULL when unknown (constants are read from `data`
   * instead). */
  const tcc_expr *const *sym_elems;
  int64_t nsym_elems;
  /* NULL for a tensor (the fields above). A sequence or optional value (see tcc_value_type):
   * dtype stays TCCRT_UNDEFINED and ndim -1; tcc_pass_expand_sequences removes such values. */
  const tcc_value_type *vtype;
} tcc_value;

typedef enum tcc_attr_kind {
  TCC_ATTR_UNDEFINED,
  TCC_ATTR_FLOAT,
  TCC_ATTR_INT,
  TCC_ATTR_STRING,
  TCC_ATTR_TENSOR,
  TCC_ATTR_GRAPH,
  TCC_ATTR_FLOATS,
  TCC_ATTR_INTS,
  TCC_ATTR_STRINGS,
  TCC_ATTR_TENSORS,
  TCC_ATTR_GRAPHS,
} tcc_attr_kind;
const char *tcc_attr_kind_name(tcc_attr_kind k);

typedef struct tcc_attr {
  const char *name;
  tcc_attr_kind kind;
  union {
    double f;
    int64_t i;
    const char *s; /* STRING: bytes, NUL-terminated (slen holds the length) */
    const tcc_value *t;
    struct tcc_graph *g;
    struct {
      int n;
      const float *v;
    } floats;
    struct {
      int n;
      const int64_t *v;
    } ints;
    struct {
      int n;
      const char *const *v;
    } strings;
    struct {
      int n;
      const tcc_value *const *v;
    } tensors;
    struct {
      int n;
      struct tcc_graph *const *v;
    } graphs;
  } u;
  size_t slen;
} tcc_attr;

typedef struct tcc_node {
  uint32_t id;             /* index in graph->nodes (topological after sorting) */
  const char *name;        /* ONNX node name (may be ""; diagnostics then use the first output) */
  const char *op_type;     /* e.g. "Conv" */
  const char *domain;      /* "" for ai.onnx */
  int64_t opset;           /* the model's opset for this domain */
  const struct tcc_op *op; /* registry entry, set by tcc_graph_resolve_ops */
  int ninputs;
  tcc_value **inputs; /* NULL entry: an omitted optional input ("") */
  int noutputs;
  tcc_value **outputs; /* NULL entry: an omitted optional output */
  int nattrs;
  tcc_attr *attrs;
} tcc_node;

typedef struct tcc_opset {
  const char *domain; /* "" or "ai.onnx" are normalized to "" */
  int64_t version;
} tcc_opset;

typedef struct tcc_graph {
  tcc_context *ctx;
  const char *name;
  const char *file;         /* the model file, for diagnostics */
  struct tcc_graph *parent; /* enclosing graph of a subgraph (If/Loop/Scan body) */
  int64_t ir_version;
  int nopsets;
  tcc_opset *opsets;
  tcc_vec nodes;   /* tcc_node* */
  tcc_vec values;  /* tcc_value* */
  tcc_vec inputs;  /* tcc_value* graph inputs the caller feeds, in declared order */
  tcc_vec outputs; /* tcc_value* graph outputs, in declared order */
  tcc_vec symbols; /* tcc_var* dim_param symbols, in first-seen order */
} tcc_graph;

#define TCC_GRAPH_NODE(g, i) TCC_VEC_AT((g)->nodes, tcc_node *, i)
#define TCC_GRAPH_VALUE(g, i) TCC_VEC_AT((g)->values, tcc_value *, i)
#define TCC_GRAPH_INPUT(g, i) TCC_VEC_AT((g)->inputs, tcc_value *, i)
#define TCC_GRAPH_OUTPUT(g, i) TCC_VEC_AT((g)->outputs, tcc_value *, i)

tcc_graph *tcc_graph_new(tcc_context *ctx, const char *name, tcc_graph *parent);
/* A new value named `name` (copied) of unknown type. */
tcc_value *tcc_graph_add_value(tcc_graph *g, const char *name, tcc_value_kind kind);
/* A new node; inputs/outputs arrays are copied. Outputs get producer set. */
tcc_node *tcc_graph_add_node(tcc_graph *g, const char *name, const char *op_type,
                             const char *domain, int ninputs, tcc_value *const *inputs,
                             int noutputs, tcc_value *const *outputs);
/* The symbol named `name` (int64 var), created on first use. */
const tcc_var *tcc_graph_symbol(tcc_graph *g, const char *name);
/* The opset version the graph imports for `domain` ("" = ai.onnx), or -1. */
int64_t tcc_graph_opset(const tcc_graph *g, const char *domain);
/* Sorts nodes topologically (stable for already-sorted input) and renumbers ids; a cycle is an
 * error naming a node on it. */
tcc_status tcc_graph_toposort(tcc_graph *g);

/* Attribute lookup; NULL when absent. */
const tcc_attr *tcc_node_attr(const tcc_node *n, const char *name);
/* Typed getters with defaults. A present attribute of another kind is an error naming the node
 * (returns TCC_ERR); absent returns TCC_OK with the default. */
tcc_status tcc_node_attr_int(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                             const char *name, int64_t dflt, int64_t *out);
tcc_status tcc_node_attr_float(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                               const char *name, double dflt, double *out);
tcc_status tcc_node_attr_string(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                                const char *name, const char *dflt, const char **out);
/* ints: *n = -1 when absent. */
tcc_status tcc_node_attr_ints(tcc_context *ctx, const tcc_graph *g, const tcc_node *n,
                              const char *name, int *count, const int64_t **out);
/* The name diagnostics use for a node: its name, else its first output's name. */
const char *tcc_node_label(const tcc_node *n);
/* Records "FILE: node 'NAME' (OP): message" for node n of g; returns TCC_ERR. */
tcc_status tcc_node_error(tcc_context *ctx, const tcc_graph *g, const tcc_node *n, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));

/* Number of elements of a value whose dims are all constant; -1 otherwise (or on overflow). */
int64_t tcc_value_numel(const tcc_value *v);
/* True when every dim is an INT_IMM. */
bool tcc_value_shape_known(const tcc_value *v);

/* True when v is a sequence or an optional (vtype set and not a tensor). */
bool tcc_value_is_structured(const tcc_value *v);
/* Prints a type: a tensor as `float32[2, 3]` (`?` for an unknown dtype, `[?]` for an unknown
 * rank); a declared sequence / optional as `seq(float32[5])`, `opt(seq(float32[5]))`; a bound
 * one as its elements in brackets: `seq[float32[5], float32[5]]`, `opt[float32[4]]` (present),
 * `opt[]` (absent). */
void tcc_value_type_print(FILE *f, const tcc_value_type *t);
/* The same as a string in the context arena (for diagnostics). */
const char *tcc_value_type_str(tcc_context *ctx, const tcc_value_type *t);

typedef enum tcc_graph_format { TCC_FMT_TEXT, TCC_FMT_DOT, TCC_FMT_JSON } tcc_graph_format;
/* Prints the graph with every value's dtype and shape (dims as expressions, e.g. N*64). */
void tcc_graph_print(FILE *f, const tcc_graph *g, tcc_graph_format fmt);

#ifdef __cplusplus
}
#endif
#endif /* TCC_GRAPH_H */
