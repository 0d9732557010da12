/* llvm_codegen.h — native code for CPUs from loop-IR PrimFuncs, through the LLVM-C API (LLVM 19).
 *
 * A tcc_llvm_module collects one or more host PrimFuncs (ir/tir.h, after lowering: flat 1-index
 * LOAD/STORE, vectors as RAMP/BROADCAST, SERIAL/PARALLEL loops) for one target, optimizes them
 * with LLVM's new pass manager ("default<O0..3>") and emits a position-independent object file,
 * assembly or LLVM IR, to a file or to memory. tcc_llvm_jit loads such an object into LLVM's ORC
 * LLJIT for the host, so ahead-of-time and JIT execution share one path.
 *
 * ABI of each generated function (C):
 *
 *   int32_t NAME(void *const *args, const int64_t *scalars);
 *
 * `args[i]` is the base pointer of fn->params[i] (dense, dtype-aligned at least), `scalars[i]` the
 * value of fn->scalars[i] (NULL allowed when the function has none). Returns 0, or the non-zero
 * status of a failed runtime call (tccrt_alloc returning NULL, a parallel body) or of a failed
 * run-time index check (below), with the message in tccrt_last_error(). Buffers must not overlap
 * (parameters carry `noalias`). The body lives in an internal function NAME.impl(ptr noalias
 * align A ..., i64 ...) that NAME unpacks into.
 *
 * Semantics: integer arithmetic wraps; integer division or modulo by zero gives 0 and
 * INT_MIN / -1 gives INT_MIN (no trap); float ops carry only the `reassoc contract` fast-math flags
 * (never nnan/ninf), MIN/MAX of floats propagate NaN (llvm.minimum/maximum); float->int casts
 * saturate (llvm.fpto[su]i.sat, NaN -> 0); float16 and bfloat16 are storage types: loads widen
 * them to float32, arithmetic runs in float32 and rounds each result back to the format (as
 * ir/interp.c does), stores and casts round to nearest even. Parallel loops are outlined into
 * closures run by tccrt_parallel_for; constant-size STACK (and GPU-scope) allocations of at most
 * 1 MiB, and constant-size WORKSPACE allocations of at most 64 KiB inside a parallel loop body,
 * are an alloca in the (outlined) function's entry block; other WORKSPACE (and non-constant)
 * allocations use the calling thread's tccrt_scratch_push/tccrt_scratch_pop (64-byte aligned,
 * memory kept for reuse: nothing is allocated once a thread has run the kernel). The AOT driver
 * moves constant-size WORKSPACE allocations outside parallel loops into the model's arena. Both
 * arms of a SELECT are evaluated, so loads inside an arm never fault: their scalar index is clamped
 * into the buffer and vector lanes outside it are masked off (padding reads may be out of bounds in
 * the arm not chosen).
 *
 * Run-time checks (RANGE_ERROR, built by tcc_check_range: ONNX index inputs that must lie in
 * their axis): when one is reached by a lane that is evaluated (the conditions of the select arms
 * around it and the store/load predicates above it hold), the function calls
 * tccrt_range_error(WHERE, index, lo, hi) for the first such lane, pops the scratch it pushed and
 * returns TCCRT_ERR_INVALID_ARGUMENT (non-zero even if a host's runtime returns 0); the message
 * is in tccrt_last_error(). In an outlined parallel body the body returns it, and
 * tccrt_parallel_for hands the first failing body's code and message to the calling thread. The
 * branch is marked cold; functions without checks are generated exactly as before.
 *
 * Vectorized math on float32 (and float16/bfloat16, computed in float32): exp, log, tanh,
 * sigmoid and erf are inline polynomial approximations that work on whole vectors; their maximum
 * errors against libm (float32, over all finite inputs) are stated in llvm_math.c and checked by
 * tests/codegen/test_llvm_math.c. Other intrinsics (and float64) call libm per lane. */
#ifndef TCC_LLVM_CODEGEN_H
#define TCC_LLVM_CODEGEN_H

#include "tir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The LLVM-C handle types (as llvm-c/Types.h declares them), so that users of this header need
 * not see LLVM's include directory. */
typedef struct LLVMOpaqueContext *LLVMContextRef;
typedef struct LLVMOpaqueModule *LLVMModuleRef;
typedef struct LLVMOpaqueValue *LLVMValueRef;

/* What to compile for. Zero-initialized = the host triple, its baseline CPU, -O3. */
typedef struct tcc_llvm_target {
  /* LLVM triple: "x86_64-linux-gnu", "aarch64-linux-gnu", "aarch64-linux-android",
   * "arm-linux-gnueabihf", "armv7a-linux-androideabi", ...; NULL = the host's. */
  const char *triple;
  /* CPU name ("haswell", "cortex-a55", ...), "native" (the host CPU and its features; only valid
   * for the host triple) or NULL = the triple's baseline: x86_64 -> x86-64-v3 (AVX2, FMA),
   * aarch64 -> generic (armv8-a, NEON), arm/armv7 -> generic armv7-a with +neon and hard float. */
  const char *mcpu;
  /* Extra LLVM feature string ("+avx512f,-fma"), appended to the defaults; NULL = none. */
  const char *features;
  /* 0..3, as clang's -O; values outside are clamped. Zero-initialized means 3 unless
   * opt_level_set is true. */
  int opt_level;
  bool opt_level_set;
} tcc_llvm_target;

typedef enum tcc_llvm_output {
  TCC_LLVM_OBJECT, /* ELF relocatable object, position-independent */
  TCC_LLVM_ASM,    /* assembly text */
  TCC_LLVM_IR      /* LLVM IR text (.ll) */
} tcc_llvm_output;

typedef struct tcc_llvm_module tcc_llvm_module;

/* Creates an empty module named `name` for target `t` (NULL = host defaults). The triple is
 * normalized ("arm-linux-gnueabihf" -> "armv7a-unknown-linux-gnueabihf", hard-float ABI).
 * Errors: unknown triple, a CPU name LLVM does not know for that triple, "native" for a foreign
 * triple (the message names what was asked for). The module owns its LLVM context; free it with
 * tcc_llvm_module_destroy. While checking a user-given CPU name, stderr (fd 2) is briefly
 * redirected to a pipe to catch LLVM's warning. */
tcc_status tcc_llvm_module_create(tcc_context *ctx, const tcc_llvm_target *t, const char *name,
                                  tcc_llvm_module **out);
void tcc_llvm_module_destroy(tcc_llvm_module *m);

/* Adds `fn` (a host PrimFunc) as the external function fn->name with the ABI above. Errors (with
 * the function and construct named): GPU loop kinds, barriers or launches, TE-only nodes
 * (REDUCE, TENSOR_READ), unbound variables, unsupported types. On error the module may hold a
 * partial function and should be destroyed. `out_fn` (may be NULL) receives the LLVM function. */
tcc_status tcc_llvm_add_primfunc(tcc_llvm_module *m, const tcc_primfunc *fn, LLVMValueRef *out_fn);

/* Verifies the module and runs the optimization pipeline "default<On>" for the target's level.
 * Called by the emit functions if not called before; idempotent. */
tcc_status tcc_llvm_optimize(tcc_llvm_module *m);

/* Writes the module (optimized first) as `kind` to `path`. */
tcc_status tcc_llvm_emit_file(tcc_llvm_module *m, tcc_llvm_output kind, const char *path);
/* The module (optimized first) as `kind` in memory: *data is malloc'ed (free() it), *size its
 * length in bytes (text outputs also end with a NUL not counted in *size). */
tcc_status tcc_llvm_emit_memory(tcc_llvm_module *m, tcc_llvm_output kind, void **data,
                                size_t *size);

/* For code that adds its own functions and data to the module (codegen/aot): the LLVM context,
 * module and target data layout it uses. Valid until tcc_llvm_module_destroy. */
LLVMContextRef tcc_llvm_module_context(tcc_llvm_module *m);
LLVMModuleRef tcc_llvm_module_ref(tcc_llvm_module *m);

/* The effective triple, CPU and feature string of the module's target machine. */
const char *tcc_llvm_module_triple(const tcc_llvm_module *m);
const char *tcc_llvm_module_cpu(const tcc_llvm_module *m);
const char *tcc_llvm_module_features(const tcc_llvm_module *m);

/* ---- JIT: ORC LLJIT for the host, fed with the objects this module emits ---- */
typedef struct tcc_llvm_jit tcc_llvm_jit;

/* Creates a JIT whose objects can call every symbol of the running process (tccrt_* of the
 * linked runtime, libm, libc). */
tcc_status tcc_llvm_jit_create(tcc_context *ctx, tcc_llvm_jit **out);
/* Adds an object file image (copied). Its symbols are resolved on the first lookup. */
tcc_status tcc_llvm_jit_add_object(tcc_llvm_jit *j, const void *obj, size_t size);
/* The address of symbol `name`; errors if it is missing or cannot be linked (e.g. an undefined
 * symbol of the object). */
tcc_status tcc_llvm_jit_lookup(tcc_llvm_jit *j, const char *name, void **addr);
void tcc_llvm_jit_destroy(tcc_llvm_jit *j);

/* Convenience: compile `n` PrimFuncs for the host (mcpu "native" unless t says otherwise),
 * emit the object in memory and load it into a new JIT. The functions are then found with
 * tcc_llvm_jit_lookup(j, fn->name, ...). */
tcc_status tcc_llvm_jit_primfuncs(tcc_context *ctx, const tcc_llvm_target *t, int n,
                                  const tcc_primfunc *const *fns, tcc_llvm_jit **out);

/* The C type of a generated function (see the ABI above). */
typedef int32_t (*tcc_llvm_kernel_fn)(void *const *args, const int64_t *scalars);

/* The host's triple and CPU name as LLVM sees them (static strings owned by the codegen). */
const char *tcc_llvm_host_triple(void);
const char *tcc_llvm_host_cpu(void);

#ifdef __cplusplus
}
#endif
#endif /* TCC_LLVM_CODEGEN_H */
