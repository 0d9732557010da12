/* aot_internal.h — shared by the files of codegen/aot. */
#ifndef TCC_AOT_INTERNAL_H
#define TCC_AOT_INTERNAL_H

#include "aot.h"
#include "executor.h"
#include "ops/op.h"
#include "passes/passes.h"

#include "llvm/llvm_codegen.h"

/* One fused group as a kernel: its TE parameters (placeholders of the group's non-fill inputs,
 * then the output tensors) and the PrimFunc lowered from them. */
typedef struct tcc_aot_group_kernel {
  int nparams;
  const tcc_tensor **params;
  tcc_value **param_values; /* the graph value behind each param */
  const tcc_primfunc *fn;   /* params: the nparams above, then nscratch scratch buffers */
  int nscratch;
  size_t *scratch_bytes;
} tcc_aot_group_kernel;

/* Moves fn's constant-size WORKSPACE allocations (outside parallel loops) into extra buffer
 * parameters after the existing ones, for the arena; returns the new function. */
tcc_primfunc *tcc_aot_hoist_scratch(tcc_context *ctx, const tcc_primfunc *fn, int *nscratch,
                                    size_t **scratch_bytes);

/* Builds the TE of group `fg` by composing each node's compute, schedules it for the CPU and
 * lowers it into a PrimFunc named `kname`. Errors name the node. */
tcc_status tcc_aot_lower_group(tcc_context *ctx, const tcc_graph *g, const tcc_fused_group *fg,
                               const char *kname, const tcc_llvm_target *target,
                               tcc_aot_group_kernel *out);

/* Evaluates one node with constant inputs at compile time (the constant-folding evaluator): the
 * node's TE is lowered and JIT-compiled for the host. `user` is unused. */
tcc_status tcc_aot_fold_eval(void *user, tcc_context *ctx, tcc_graph *g, tcc_node *node);

struct tcc_aot_model {
  tcc_context *ctx;
  tcc_graph *g;
  const char *name;
  tcc_llvm_target target;
  tcc_llvm_module *mod;
  tcc_aot_executor ex;
  int nkernels;
  tcc_aot_kernel_info *kernels;
  size_t arena_size, weights_size;
  int ntensors_planned;
  size_t scratch_total; /* bytes of kernel scratch placed in the arena */
  size_t tensors_total; /* bytes of planned tensors before reuse */
};

#endif
