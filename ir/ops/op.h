/* op.h — the operator registry: what each ONNX operator takes, produces and computes.
 *
 * One tcc_op per (domain, name, opset range). Each op family lives in one file of ir/ops/ that
 * defines its entries and registers them in the table of registry.c. Adding an op touches that
 * file and its test. */
#ifndef TCC_OP_H
#define TCC_OP_H

#include "../graph.h"
#include "../layout.h"
#include "../te.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fusion patterns, in TVM's order: a lower pattern fuses into a higher one. */
typedef enum tcc_op_pattern {
  TCC_PAT_ELEMWISE = 0,
  TCC_PAT_BROADCAST = 1,
  TCC_PAT_INJECTIVE = 2,
  TCC_PAT_REDUCE = 3,
  TCC_PAT_OUT_ELEMWISE_FUSABLE = 4, /* conv, matmul: elementwise consumers fuse into them */
  TCC_PAT_OPAQUE = 8,
} tcc_op_pattern;

/* One attribute of an op's schema. */
typedef struct tcc_attr_schema {
  const char *name;
  tcc_attr_kind kind;
  bool required;
} tcc_attr_schema;

/* Inference context: the graph being inferred (for diagnostics and symbols). */
typedef struct tcc_infer_ctx {
  tcc_context *ctx;
  tcc_graph *graph;
} tcc_infer_ctx;

/* Compute context: lowering a node's compute to TE. inputs[k] is the TE tensor of the node's
 * input k (NULL for omitted optional inputs); constant inputs also keep their graph value so
 * computes can read attribute-like data (Reshape's shape). */
typedef struct tcc_compute_ctx {
  tcc_context *ctx;
  const tcc_graph *graph;
  const tcc_node *node;
  const tcc_tensor *const *inputs;
} tcc_compute_ctx;

/* Layout context: what the layout pass (ir/passes/alter_layout.c) tells the layout hooks. */
typedef struct tcc_layout_ctx {
  tcc_context *ctx;
  tcc_graph *graph;
  /* float32 lanes of the target's vector registers (4 NEON, 8 AVX2, 16 AVX-512): the channel
   * block an op that starts a blocked layout (Conv) prefers. */
  int vector_lanes;
} tcc_layout_ctx;

/* What an alter_layout hook did. nnodes == 0: the node was changed in place (attributes, op)
 * or left alone. nnodes > 0: the node is replaced by nodes[0..nnodes), made by the hook with
 * tcc_graph_add_node (ops resolved, in topological order), the last ones producing the node's
 * (current) outputs; the pass removes the node, places these where it was and infers them.
 * Every value they produce is in the layout of the node's output 0. */
#define TCC_LAYOUT_REWRITE_MAX 8
typedef struct tcc_layout_rewrite {
  int nnodes;
  tcc_node *nodes[TCC_LAYOUT_REWRITE_MAX];
} tcc_layout_rewrite;

typedef struct tcc_op {
  const char *name;
  const char *domain; /* "" = ai.onnx */
  int since_version;  /* first opset this entry covers */
  int until_version;  /* last opset it covers (inclusive); 0 = open-ended */
  tcc_op_pattern pattern;
  int min_inputs, max_inputs; /* max -1 = variadic */
  int min_outputs, max_outputs;
  const tcc_attr_schema *attrs; /* terminated by a {NULL} entry */
  /* Sets every output's dtype and shape from the inputs' types, attributes and constant inputs.
   * Errors name the node and what was expected. */
  tcc_status (*infer)(tcc_infer_ctx *ic, tcc_node *node);
  /* Builds the output tensors as TE (outputs[k] for node output k). NULL while unimplemented. */
  tcc_status (*compute)(tcc_compute_ctx *cc, tcc_tensor **outputs);
  /* Layouts (layout.h; NULL = the op works in the plain layout only). Called by the layout pass
   * on an inferred node as the model wrote it (its inputs are the original values with their
   * plain, logical shapes) with in[k], the layout input k is available in now (in has
   * node->ninputs entries; omitted inputs and plain values have the plain layout, ndim 0). The
   * hook fills req[k] (node->ninputs entries), the layout each input must be given in, and
   * out[j] (node->noutputs entries), the layout of each output it will then produce (blocked
   * layouts list their primal dims in the order of the value's plain dims: "NCHW8c" for an NCHW
   * value, "CHW8c" for a [C,1,1] one); all entries arrive plain. Leaving everything plain says
   * "plain only": the pass then gives every input in its plain layout and the node stays as it was.
   * Otherwise the pass converts each input to req[k] (a blocked constant is packed at compile time,
   * anything else gets a LayoutTransform node), makes fresh output values of the out[j] physical
   * shapes, calls alter_layout (when set) and re-infers the node. A hook accepts a layout only when
   * the op's own infer and compute, run on the physical shapes (after alter_layout), compute
   * exactly the op in that layout (e.g. Relu on an NCHW8c tensor; Add with a [C/8,1,1,8] operand).
   * Errors are only for malformed nodes (TCC_ERR with a diagnostic naming the node); an
   * unsuitable node (symbolic or indivisible channels, other dtypes) answers plain. */
  tcc_status (*infer_layout)(tcc_layout_ctx *lc, const tcc_node *node, const tcc_layout *in,
                             tcc_layout *req, tcc_layout *out);
  /* Rewrites the node for the layouts infer_layout chose (in: the inputs' layouts, now equal
   * to req; out: the outputs'), after the pass rewired its inputs and outputs: in place
   * (MaxPool's kernel_shape gains a unit dim for the block; Conv becomes tcc.internal
   * ConvNCHWc) or by a replacement subgraph in *rw (BatchNormalization -> Mul, Add). NULL:
   * nothing to do. Errors name the node. */
  tcc_status (*alter_layout)(tcc_layout_ctx *lc, tcc_node *node, const tcc_layout *in,
                             const tcc_layout *out, tcc_layout_rewrite *rw);
} tcc_op;

/* The domain of tcc-ml's internal ops (LayoutTransform, ConvNCHWc): never an ONNX domain. */
#define TCC_INTERNAL_DOMAIN "tcc.internal"

/* Generic layout hooks, for op entries of other families (ir/ops/layout_ops.c):
 * - elementwise and numpy-broadcasting ops whose compute reads every input by broadcasting
 *   (Relu, Add, Clip, PRelu, Where ...): a blocked input keeps its layout for the output; every
 *   other input must be in the same layout, all ones (a scalar), or a plain tensor of the
 *   trailing primal dims with full extents ([C,1,1], [1,C,1,1]: converted to CHW8c / NCHW8c);
 * - Concat along axis 1 of NCHW tensors whose channel counts all divide by the block. */
tcc_status tcc_layout_infer_broadcast(tcc_layout_ctx *lc, const tcc_node *node,
                                      const tcc_layout *in, tcc_layout *req, tcc_layout *out);
tcc_status tcc_layout_infer_concat(tcc_layout_ctx *lc, const tcc_node *node, const tcc_layout *in,
                                   tcc_layout *req, tcc_layout *out);

/* The entry for (domain, name) covering `opset`; NULL when the op is unknown or that opset is not
 * covered. */
const tcc_op *tcc_op_lookup(const char *domain, const char *name, int64_t opset);
/* Every registered entry (for listings and tests). */
int tcc_op_count(void);
const tcc_op *tcc_op_at(int i);

/* Resolves node->op for every node of g (and its subgraphs). Unknown ops are ALL reported in one
 * diagnostic: "FILE: unsupported operators: Foo (node 'a'), Bar (node 'b')". */
tcc_status tcc_graph_resolve_ops(tcc_context *ctx, tcc_graph *g);
/* Runs each node's infer in topological order; stops at the first error. */
tcc_status tcc_graph_infer(tcc_context *ctx, tcc_graph *g);
/* Infers one node (its op resolved, its inputs typed): checks input/output counts and attributes
 * against the op and runs its infer, as tcc_graph_infer does for each node. */
tcc_status tcc_graph_infer_node(tcc_context *ctx, tcc_graph *g, tcc_node *n);

#ifdef __cplusplus
}
#endif
#endif /* TCC_OP_H */
