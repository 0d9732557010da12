/* llvm_internal.h — shared state of the LLVM code generator's files (not a public header). */
#ifndef TCC_LLVM_INTERNAL_H
#define TCC_LLVM_INTERNAL_H

#include "llvm_codegen.h"

#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>

/* Largest constant-size WORKSPACE allocation inside a parallel loop body that codegen places on
 * the stack (bytes; the runtime's workers have 8 MiB stacks, a host's threads maybe less). */
#define TCC_LLVM_PAR_STACK_MAX ((uint64_t)64 << 10)

struct tcc_llvm_module {
  tcc_context *ctx;
  LLVMContextRef llctx;
  LLVMModuleRef mod;
  LLVMTargetMachineRef tm;
  LLVMTargetDataRef td;
  char *triple, *cpu, *features; /* malloc'ed */
  int opt_level;
  bool optimized;
  LLVMTypeRef t_void, t_i1, t_i8, t_i16, t_i32, t_i64, t_half, t_f32, t_f64, t_ptr;
};

/* Per-function generation state. */
typedef struct tcc_llvm_binding {
  const tcc_var *var;
  LLVMValueRef val;
} tcc_llvm_binding;

typedef struct tcc_llvm_fn {
  tcc_llvm_module *m;
  const tcc_primfunc *pf;
  LLVMValueRef fn;
  LLVMBuilderRef b;
  LLVMBasicBlockRef alloca_bb; /* entry block: allocas only, terminated at the end */
  tcc_llvm_binding *env;
  int nenv, capenv;
  int *nparallel;   /* counter shared by a function and its outlined closures */
  bool in_parallel; /* an outlined parallel loop body (or inside one) */
  /* > 0 while generating an arm of a SELECT: both arms run, so loads there must not fault (the
   * IR allows an out-of-bounds index in the arm that is not chosen). */
  int guard_depth;
  /* The conditions under which the expression being generated is evaluated, innermost last: the
   * arm of a SELECT (cond, or its negation in the false arm), a store's or a load's predicate.
   * Only RANGE_ERROR reads them (to build the lanes it fails on), so code without checks is
   * unchanged. */
  struct tcc_llvm_path {
    LLVMValueRef cond; /* i1 or <N x i1> */
    bool negate;
  } *path;
  int npath, cappath;
  /* Scratch pointers this function pushed (tccrt_scratch_push) and has not popped yet, outermost
   * first: an early error return pops the outermost, which releases them all. */
  LLVMValueRef *scratch;
  int nscratch, capscratch;
  bool failed;
} tcc_llvm_fn;

/* Records an error naming the function; marks the state failed. */
void tcc_llvm_fail(tcc_llvm_fn *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Builder helpers shared with llvm_math.c. */
LLVMValueRef tcc_llvm_const_f(LLVMTypeRef ty, double v);    /* scalar or splat of float type */
LLVMValueRef tcc_llvm_const_i(LLVMTypeRef ty, long long v); /* scalar or splat of int type */
LLVMValueRef tcc_llvm_call_intrin(tcc_llvm_fn *s, const char *name, LLVMTypeRef *over, int nover,
                                  LLVMValueRef *args, int nargs);
/* The integer type with the shape (lanes) of float type `fty` and `bits` bits per element. */
LLVMTypeRef tcc_llvm_int_like(tcc_llvm_fn *s, LLVMTypeRef fty, int bits);

/* Vectorized float32 math (llvm_math.c): `x` is float or <N x float>. */
LLVMValueRef tcc_llvm_math_exp(tcc_llvm_fn *s, LLVMValueRef x);
LLVMValueRef tcc_llvm_math_log(tcc_llvm_fn *s, LLVMValueRef x);
LLVMValueRef tcc_llvm_math_tanh(tcc_llvm_fn *s, LLVMValueRef x);
LLVMValueRef tcc_llvm_math_sigmoid(tcc_llvm_fn *s, LLVMValueRef x);
LLVMValueRef tcc_llvm_math_erf(tcc_llvm_fn *s, LLVMValueRef x);

#endif /* TCC_LLVM_INTERNAL_H */
