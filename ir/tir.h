/* tir.h — the loop IR: PrimFuncs of buffers and statements, what code generators consume.
 *
 * Statements are immutable trees built by the constructors below (not hash-consed). Indices in
 * LOAD/STORE are multi-dimensional until the storage-flattening pass, then one flat element
 * index. Statement kinds are listed once in stmt.def. */
#ifndef TCC_TIR_H
#define TCC_TIR_H

#include "expr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tcc_mem_scope {
  TCC_SCOPE_GLOBAL,    /* a PrimFunc parameter or a graph tensor */
  TCC_SCOPE_WORKSPACE, /* kernel scratch placed in the model's arena by the memory planner */
  TCC_SCOPE_STACK,     /* small, constant-size scratch on the CPU stack */
  TCC_SCOPE_SHARED,    /* GPU shared memory (per block) */
  TCC_SCOPE_LOCAL      /* GPU registers / thread-local */
} tcc_mem_scope;

typedef struct tcc_buffer {
  const char *name;
  tccrt_dtype dtype;
  uint32_t id;
  const tcc_var *data; /* the pointer variable code generators bind */
  int ndim;
  const tcc_expr *const *shape;   /* elements per dim (int64) */
  const tcc_expr *const *strides; /* NULL: dense row-major */
  tcc_mem_scope scope;
  int align; /* bytes the base pointer is known to be aligned to (>= element size) */
} tcc_buffer;

tcc_buffer *tcc_buffer_new(tcc_context *ctx, const char *name, tccrt_dtype dtype, int ndim,
                           const tcc_expr *const *shape, tcc_mem_scope scope);

typedef enum tcc_stmt_kind {
#define TCC_STMT(N) TCC_S_##N,
#include "stmt.def"
  TCC_STMT_KIND_COUNT
} tcc_stmt_kind;

typedef enum tcc_for_kind {
  TCC_FOR_SERIAL,
  TCC_FOR_PARALLEL,   /* CPU threads: outlined and run by tccrt_parallel_for */
  TCC_FOR_VECTORIZED, /* removed by the vectorize pass (constant extent) */
  TCC_FOR_UNROLLED,   /* removed by the unroll pass (constant extent) */
  TCC_FOR_BLOCK_X,    /* GPU bindings; the loop var is blockIdx/threadIdx */
  TCC_FOR_BLOCK_Y,
  TCC_FOR_BLOCK_Z,
  TCC_FOR_THREAD_X,
  TCC_FOR_THREAD_Y,
  TCC_FOR_THREAD_Z,
} tcc_for_kind;
const char *tcc_for_kind_name(tcc_for_kind k);

struct tcc_primfunc;
typedef struct tcc_stmt tcc_stmt;
struct tcc_stmt {
  tcc_stmt_kind kind;
  union {
    struct {
      const tcc_var *var;
      const tcc_expr *min, *extent;
      tcc_for_kind kind;
      const tcc_stmt *body;
    } loop;
    struct {
      const tcc_buffer *buf;
      int nidx;
      const tcc_expr *const *idx;
      const tcc_expr *value;
      const tcc_expr *pred; /* NULL = all lanes */
    } store;
    struct {
      const tcc_buffer *buf;
      const tcc_expr *size; /* elements */
      const tcc_stmt *body;
    } alloc;
    struct {
      const tcc_expr *cond;
      const tcc_stmt *then_, *else_;
    } ifs;
    struct {
      const tcc_var *var;
      const tcc_expr *value;
      const tcc_stmt *body;
    } let;
    struct {
      int n;
      const tcc_stmt *const *stmts;
    } seq;
    struct {
      const tcc_expr *value;
    } eval;
    struct {
      const struct tcc_primfunc *func;
      const tcc_expr *grid[3], *block[3];
      int nargs;
      const tcc_buffer *const *args; /* device buffers, in func's param order */
    } launch;
  } u;
};

const tcc_stmt *tcc_s_for(tcc_context *ctx, const tcc_var *v, const tcc_expr *min,
                          const tcc_expr *extent, tcc_for_kind kind, const tcc_stmt *body);
const tcc_stmt *tcc_s_store(tcc_context *ctx, const tcc_buffer *buf, int nidx,
                            const tcc_expr *const *idx, const tcc_expr *value,
                            const tcc_expr *pred);
const tcc_stmt *tcc_s_allocate(tcc_context *ctx, const tcc_buffer *buf, const tcc_expr *size,
                               const tcc_stmt *body);
const tcc_stmt *tcc_s_if(tcc_context *ctx, const tcc_expr *cond, const tcc_stmt *then_,
                         const tcc_stmt *else_);
const tcc_stmt *tcc_s_let(tcc_context *ctx, const tcc_var *v, const tcc_expr *value,
                          const tcc_stmt *body);
/* A sequence; NULL entries are dropped and a one-element sequence is that element. */
const tcc_stmt *tcc_s_seq(tcc_context *ctx, int n, const tcc_stmt *const *stmts);
const tcc_stmt *tcc_s_evaluate(tcc_context *ctx, const tcc_expr *value);
const tcc_stmt *tcc_s_barrier(tcc_context *ctx);
struct tcc_primfunc;
/* Host: run device PrimFunc `func` on grid[3] x block[3] (NULL entries = 1) with `args` (its
 * params, in order). The device function's scalars are bound to the host variables of the same
 * identity at the launch point. */
const tcc_stmt *tcc_s_launch(tcc_context *ctx, const struct tcc_primfunc *func,
                             const tcc_expr *const *grid, const tcc_expr *const *block, int nargs,
                             const tcc_buffer *const *args);

typedef struct tcc_primfunc {
  const char *name;
  int nparams;
  const tcc_buffer *const *params; /* global-scope buffers, in call order */
  int nscalars;
  const tcc_var *const *scalars; /* int64 scalar params after the buffers (symbolic dims) */
  const tcc_stmt *body;
  bool is_device;           /* a GPU kernel made by the host/device split */
  const tcc_expr *grid[3];  /* device: blocks per grid (NULL = 1) */
  const tcc_expr *block[3]; /* device: threads per block (NULL = 1) */
} tcc_primfunc;

/* Prints the function in the stable text form the golden tests pin. */
void tcc_primfunc_print(FILE *f, const tcc_primfunc *fn);
void tcc_stmt_print(FILE *f, const tcc_stmt *s, int indent);

#ifdef __cplusplus
}
#endif
#endif /* TCC_TIR_H */
