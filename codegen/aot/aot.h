/* aot.h — ahead-of-time compilation of a whole model into one object file plus a C header.
 *
 * Pipeline (DESIGN.md): imported graph -> resolve ops -> infer -> fold constants -> dead code ->
 * blocked layouts (tcc_pass_alter_layout) -> fuse into groups -> per group: TE through each op's
 * compute, composed through the group -> schedule (tcc_schedule_auto_cpu) -> lower -> PrimFunc ->
 * LLVM (codegen/llvm), all into one module -> static memory plan of the graph tensors in one arena
 * -> executor, weights, metadata (executor.h) -> object + NAME.h.
 *
 * The object exports, for model NAME (a C identifier):
 *   int NAME_run(const void *const inputs[], void *const outputs[]);
 *   int NAME_run_with_workspace(const void *const inputs[], void *const outputs[], void *ws);
 *   const tccrt_model_info *NAME_info(void);
 * and its undefined symbols are only tccrt_*, mem* and libm. */
#ifndef TCC_AOT_H
#define TCC_AOT_H

#include "graph.h"
#include "layout.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tcc_aot_options {
  const char *name;   /* symbol prefix; must be a C identifier */
  const char *triple; /* NULL = host */
  const char *mcpu;   /* NULL = the triple's baseline; "native" = the host CPU */
  int opt_level;      /* 0..3 (graph fusion is off at 0) */
  bool opt_level_set; /* false: 3 */
  /* Weights go to a params file (tcc_aot_write_params) instead of the object's read-only data;
   * the object then exports int NAME_set_params(const void *params, size_t size). */
  bool external_params;
  /* --dump-ir: when non-NULL, the graph after the passes (with each node's fused group) and
   * every kernel's PrimFunc are printed to these streams. */
  FILE *dump_graph;
  FILE *dump_tir;
  /* Data layouts (tcc_pass_alter_layout): TCC_AOT_LAYOUT_AUTO (0, the default) computes 2-D
   * float32 convolutions and the ops around them in blocked NCHW{x}c layouts with a channel
   * block from the target's vector width; TCC_AOT_LAYOUT_PLAIN keeps every tensor in its ONNX
   * layout (NCHW). Either way graph inputs and outputs keep their ONNX layouts. */
  int layout;
} tcc_aot_options;

enum { TCC_AOT_LAYOUT_AUTO = 0, TCC_AOT_LAYOUT_PLAIN = 1 };

/* The float32 lanes of one vector register of the target (triple NULL = host; mcpu NULL = the
 * triple's baseline, "native" = the host CPU): 16 for AVX-512 CPUs, 8 for other x86-64 (AVX2
 * baseline), 4 for AArch64 / ARMv7 NEON and anything else. The layout pass's channel block. */
int tcc_aot_vector_lanes(const char *triple, const char *mcpu);

/* The graph passes of tcc_aot_compile before fusion, on their own: resolve ops, infer (folding
 * constants where inference needs values), check that shapes are bound, fold constants, drop
 * dead code and, unless opts->layout is TCC_AOT_LAYOUT_PLAIN, tcc_pass_alter_layout for the
 * target of opts (its blocked values recorded in *layouts, which may be NULL). For `tcc-ml
 * inspect --layout` and tests. Errors as tcc_aot_compile's. */
tcc_status tcc_aot_prepare_graph(tcc_context *ctx, tcc_graph *g, const tcc_aot_options *opts,
                                 tcc_layout_table *layouts);
/* Prints "layout %VALUE: NCHW8c" for every value of g that *layouts records as blocked. */
void tcc_aot_print_layouts(FILE *f, const tcc_graph *g, const tcc_layout_table *layouts);

typedef struct tcc_aot_kernel_info {
  const char *name;   /* the kernel's symbol */
  const char *anchor; /* the anchor op's ONNX name and type, for --report */
  int nnodes;
  size_t scratch_bytes; /* the kernel's scratch placed in the arena */
} tcc_aot_kernel_info;

typedef struct tcc_aot_model tcc_aot_model;

/* Compiles the imported graph `g` (toposorted, as tcc_onnx_import_file returns it). Errors: an
 * unsupported operator (all named), an unbound symbolic dim ("input 'x' dim 0 is the symbol
 * 'N': bind it with --input-shape x=..."), an op without a compute, lowering or codegen errors,
 * each naming the node. The model owns an LLVM module: free with tcc_aot_model_destroy. */
tcc_status tcc_aot_compile(tcc_context *ctx, tcc_graph *g, const tcc_aot_options *opts,
                           tcc_aot_model **out);
void tcc_aot_model_destroy(tcc_aot_model *m);

typedef enum tcc_aot_output {
  TCC_AOT_OBJECT, /* ELF relocatable object, position-independent */
  TCC_AOT_ASM,    /* assembly text */
  TCC_AOT_LLVM_IR /* LLVM IR text */
} tcc_aot_output;

/* Writes the object / assembly / LLVM IR of the model. */
tcc_status tcc_aot_emit_file(tcc_aot_model *m, tcc_aot_output kind, const char *path);
/* The object in memory (malloc'ed; free() it) for the JIT. */
tcc_status tcc_aot_emit_memory(tcc_aot_model *m, void **data, size_t *size);
/* Writes NAME.h: declarations, NAME_WORKSPACE_SIZE, input/output shapes as comments and macros
 * (NAME_NUM_INPUTS, NAME_INPUT_k_SIZE (bytes), NAME_INPUT_k_NDIM ...). */
tcc_status tcc_aot_write_header(tcc_aot_model *m, const char *path);
/* Writes the weights blob (NAME_PARAMS_SIZE bytes, offsets as the object expects) to `path`;
 * for models compiled with external_params. */
tcc_status tcc_aot_write_params(tcc_aot_model *m, const char *path);
/* Prints the memory plan (arena bytes, weights bytes, per-kernel groups and scratch). */
void tcc_aot_report(tcc_aot_model *m, FILE *f);

/* ---- JIT: the very object of tcc_aot_emit_memory loaded into LLVM's ORC JIT (host only) ---- */
typedef int (*tcc_aot_run_fn)(const void *const inputs[], void *const outputs[]);
typedef struct tcc_aot_jit tcc_aot_jit;
/* Emits the object in memory and loads it; *run and *info are NAME_run and NAME_info(). The
 * model must target the host. Free with tcc_aot_jit_destroy (before the model). */
tcc_status tcc_aot_jit_load(tcc_aot_model *m, tcc_aot_jit **out, tcc_aot_run_fn *run,
                            const tccrt_model_info **info);
void tcc_aot_jit_destroy(tcc_aot_jit *j);
/* NAME_run_with_workspace of a model loaded by tcc_aot_jit_load. The caller passes
 * tcc_aot_workspace_size(m) bytes, 64-byte aligned, and owns them: NAME_run's workspace pool
 * lives until the process exits, so a caller that loads and unloads models (tests, tools) uses
 * this to free everything it allocated. Errors: the symbol is missing (names the model). */
typedef int (*tcc_aot_run_ws_fn)(const void *const inputs[], void *const outputs[],
                                 void *workspace);
tcc_status tcc_aot_jit_run_with_workspace(tcc_aot_jit *j, const tcc_aot_model *m,
                                          tcc_aot_run_ws_fn *out);

/* Accessors. */
size_t tcc_aot_workspace_size(const tcc_aot_model *m);
const char *tcc_aot_name(const tcc_aot_model *m);
/* The graph after passes (inputs/outputs with their bound types). */
const tcc_graph *tcc_aot_graph(const tcc_aot_model *m);

#ifdef __cplusplus
}
#endif
#endif /* TCC_AOT_H */
