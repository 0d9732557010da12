/* executor.h — emission of a model's AOT executor, weights and metadata into an LLVM module
 * (LLVM-C). The kernels are already in the module (codegen/llvm); this adds, for model NAME:
 *
 *   NAME_weights           private constant [N x i8], 64-byte aligned (raw little-endian bytes)
 *   NAME_run_with_workspace(const void *const in[], void *const out[], void *ws) -> int
 *   NAME_run(const void *const in[], void *const out[]) -> int   (workspace pool, thread-safe)
 *   NAME_run_dltensor(const DLTensor *const in[], DLTensor *const out[]) -> int (checks each
 *                          is a dense CPU tensor of the model's dtype and shape)
 *   NAME_info(void) -> const tccrt_model_info *
 *
 * The executor calls each step in order: a kernel call with buffer pointers (a graph input, an
 * output, an arena offset in the workspace, or an offset in the weights) and int64 scalars, or a
 * memcpy. Kernels have codegen/llvm's ABI, int32_t K(void *const *args, const int64_t *scalars);
 * a non-zero result stops the run with that code. */
#ifndef TCC_AOT_EXECUTOR_H
#define TCC_AOT_EXECUTOR_H

#include "core.h"

#include <llvm-c/Core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tcc_aot_arg_kind {
  TCC_AOT_ARG_INPUT,  /* index: graph input */
  TCC_AOT_ARG_OUTPUT, /* index: graph output */
  TCC_AOT_ARG_ARENA,  /* offset: bytes into the workspace */
  TCC_AOT_ARG_CONST,  /* offset: bytes into NAME_weights */
  TCC_AOT_ARG_NULL,   /* a null pointer (an absent optional buffer) */
} tcc_aot_arg_kind;

typedef struct tcc_aot_arg {
  tcc_aot_arg_kind kind;
  int index;
  size_t offset;
} tcc_aot_arg;

typedef enum tcc_aot_step_kind { TCC_AOT_STEP_CALL, TCC_AOT_STEP_COPY } tcc_aot_step_kind;

typedef struct tcc_aot_step {
  tcc_aot_step_kind kind;
  const char *kernel; /* CALL: a function defined in the module */
  int nargs;
  const tcc_aot_arg *args; /* CALL: pointer params in order; COPY: args[0] = dst, args[1] = src */
  int nscalars;
  const int64_t *scalars; /* CALL: integer params after the pointers */
  size_t nbytes;          /* COPY */
} tcc_aot_step;

typedef struct tcc_aot_tensor_desc {
  const char *name;
  tccrt_dtype dtype;
  int ndim;
  int64_t shape[TCCRT_MAX_RANK];
  size_t size_bytes;
} tcc_aot_tensor_desc;

typedef struct tcc_aot_executor {
  const char *name; /* C identifier: symbol prefix */
  int ninputs, noutputs;
  const tcc_aot_tensor_desc *inputs, *outputs;
  int nsteps;
  const tcc_aot_step *steps;
  size_t workspace_size; /* bytes, multiple of 64 */
  const void *weights;   /* NULL when weights_size == 0 */
  size_t weights_size;
  int pool_slots; /* workspaces kept for concurrent NAME_run calls (0 = 16) */
  /* Weights in an external params file instead of the object: the object gets
   * int NAME_set_params(const void *params, size_t size) (size must be weights_size, the pointer
   * 64-byte aligned, e.g. a mapped file), and runs fail until it is called. `weights` unused. */
  bool external_params;
} tcc_aot_executor;

/* Adds the executor, weights and metadata of `ex` to `m` (whose target triple and data layout
 * are set). Errors: a CALL step naming a function missing from `m` or whose parameters do not
 * match the step (named in the diagnostic). */
tcc_status tcc_aot_emit_executor(tcc_context *ctx, LLVMModuleRef m, const tcc_aot_executor *ex);

#ifdef __cplusplus
}
#endif
#endif /* TCC_AOT_EXECUTOR_H */
