/* aot_te.h — the tensor expressions of a fused group (group_te.c). */
#ifndef TCC_AOT_TE_H
#define TCC_AOT_TE_H

#include "ops/op.h"

typedef struct tcc_aot_group_te_result {
  int nparams; /* input placeholders first (ninput_params), then the output tensors */
  int ninput_params;
  const tcc_tensor **params;
  tcc_value **param_values; /* the graph value behind each param */
} tcc_aot_group_te_result;

/* Builds the TE of `nodes` (topological order): graph value inputs[i] becomes a placeholder
 * (constants keep their bytes in const_data) or, for a constant fill, a compute of its one
 * element that readers inline. Each node's op compute is applied to its inputs' tensors; the
 * result lists the placeholders and then one distinct compute tensor per value of `outputs`.
 * Errors name the node (no compute for its op, a compute error). */
tcc_status tcc_aot_group_te(tcc_context *ctx, const tcc_graph *g, int nnodes,
                            tcc_node *const *nodes, int ninputs, tcc_value *const *inputs,
                            int noutputs, tcc_value *const *outputs, tcc_aot_group_te_result *r);

/* Returns t, or (when t's body has reductions below its top) a tensor of the same shape and
 * axes whose body reads one new compute stage per such reduction. */
tcc_tensor *tcc_aot_split_reductions(tcc_context *ctx, tcc_tensor *t);

#endif
