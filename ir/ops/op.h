/* op.h — the operator registry: what each ONNX operator takes, produces and computes.
 *
 * One tcc_op per (domain, name, opset range). Each op family lives in one file of ir/ops/ that
 * defines its entries and registers them in the table of registry.c. Adding an op touches that
 * file and its test. */
#ifndef TCC_OP_H
#define TCC_OP_H

#include "../graph.h"
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
} tcc_op;

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

#ifdef __cplusplus
}
#endif
#endif /* TCC_OP_H */
