/* transforms.h — loop-IR analyses and passes (one pass per file), used by lowering
 * (schedule/lower.c) in the order listed there.
 *
 * Every pass takes a statement tree and returns a rebuilt one; the input is never modified.
 * Passes cannot fail on IR built by our own lowering: their preconditions are internal
 * invariants (asserted), not user input. */
#ifndef TCC_TRANSFORMS_H
#define TCC_TRANSFORMS_H

#include "../te.h"
#include "../tir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ranges of variables (the facts analyses use) ---- */

/* var takes the values [min, min + extent) (extent > 0); min/extent are int64 exprs that may
 * mention other vars of the same environment declared before it. */
typedef struct tcc_var_range {
  const tcc_var *var;
  const tcc_expr *min, *extent;
} tcc_var_range;

/* A growable stack of ranges: loops push their var on entry and pop on exit. */
typedef struct tcc_range_env {
  tcc_var_range *v;
  int n, cap;
} tcc_range_env;
void tcc_range_env_push(tcc_range_env *env, const tcc_var *var, const tcc_expr *min,
                        const tcc_expr *extent);
void tcc_range_env_pop(tcc_range_env *env);
void tcc_range_env_free(tcc_range_env *env);

/* ---- bound.c: integer interval arithmetic ---- */

#define TCC_NEG_INF INT64_MIN
#define TCC_POS_INF INT64_MAX
/* Constant bounds [lo, hi] (inclusive) of an int scalar expression given the ranges of `env`
 * (vars not in env are unbounded; TCC_NEG_INF / TCC_POS_INF mean unbounded). Exact for
 * constants, linear forms, div/mod by constants, min/max, select. Never fails. */
void tcc_const_bound(tcc_context *ctx, const tcc_expr *e, const tcc_range_env *env, int64_t *lo,
                     int64_t *hi);

/* A symbolic inclusive interval; NULL lo/hi means unbounded on that side. */
typedef struct tcc_interval {
  const tcc_expr *lo, *hi;
} tcc_interval;
/* A var relaxed to an interval, for tcc_interval_of. */
typedef struct tcc_var_interval {
  const tcc_var *var;
  tcc_interval iv;
} tcc_var_interval;
/* The symbolic interval an int64 expression `e` takes when each var of `relax` ranges over its
 * interval (whose bounds may mention vars relaxed earlier in the array: they are relaxed
 * recursively) and every other var is fixed. The bounds are simplified under `env`. Handles
 * + - *, div/mod/floordiv/floormod by positive constants, min, max, select, casts between int
 * types; anything else gives an unbounded side. */
tcc_interval tcc_interval_of(tcc_context *ctx, const tcc_expr *e, int nrelax,
                             const tcc_var_interval *relax, const tcc_range_env *env);

/* ---- simplify.c: arithmetic simplification ---- */

/* Simplifies an expression under the ranges of `env` (may be NULL): constant folding, integer
 * canonical linear forms (sum of coefficient * atom + constant), div/mod by constants under
 * known bounds ((x*8 + y) / 8 == x when 0 <= y < 8), min/max and comparisons decided by bounds
 * (also symbolically: i < N when i is in [0, N)), ramp/broadcast algebra. Floating-point
 * expressions are only constant folded (no reassociation). The result equals `e` at every
 * point of env. */
const tcc_expr *tcc_simplify_expr(tcc_context *ctx, const tcc_expr *e, const tcc_range_env *env);
/* Proves cond (a bool scalar) true under env. */
bool tcc_prove(tcc_context *ctx, const tcc_expr *cond, const tcc_range_env *env);
/* Pass: simplifies every expression of a statement tree with the ranges of its enclosing
 * loops; removes ifs with decided conditions, loops of extent 0, replaces loops of extent 1
 * by their body with the var bound to min. */
const tcc_stmt *tcc_pass_simplify(tcc_context *ctx, const tcc_stmt *s);
/* The same, starting from the ranges of `env` (left unchanged). */
const tcc_stmt *tcc_simplify_stmt(tcc_context *ctx, const tcc_stmt *s, tcc_range_env *env);

/* ---- stmt_util.c: rebuilding helpers ---- */

/* Replaces vars by exprs in every expression of s (loads, stores, bounds, conditions). */
const tcc_stmt *tcc_stmt_substitute(tcc_context *ctx, const tcc_stmt *s, int n,
                                    const tcc_var *const *vars, const tcc_expr *const *values);
/* True if e mentions var v. */
bool tcc_expr_uses_var(const tcc_expr *e, const tcc_var *v);
bool tcc_stmt_uses_var(const tcc_stmt *s, const tcc_var *v);
/* True if s loads or stores buffer b (the allocation itself not counted). */
bool tcc_stmt_uses_buffer(const tcc_stmt *s, const tcc_buffer *b);
/* A fresh copy of s in which every var bound inside s (loops, lets) is renamed to a new var,
 * so a statement can be duplicated (loop partitioning, unrolling). */
const tcc_stmt *tcc_stmt_fresh_copy(tcc_context *ctx, const tcc_stmt *s);

/* ---- passes, in the order lowering applies them ---- */

/* flatten_storage.c: multi-dimensional LOAD/STORE indices become one flat element index
 * (row-major over the buffer's shape, or its strides). */
const tcc_stmt *tcc_pass_flatten_storage(tcc_context *ctx, const tcc_stmt *s);
/* loop_partition.c: splits loops whose bodies hold guards (integer comparisons on the loop var,
 * true on a range of it that is proven) into a main range where every guard is provably true —
 * the guard removed — and prologue/epilogue ranges that keep it. Constant loop bounds only;
 * vectorized loops (their guard becomes a lane predicate) and GPU-bound loops are left whole. */
const tcc_stmt *tcc_pass_loop_partition(tcc_context *ctx, const tcc_stmt *s);
/* vectorize.c: a VECTORIZED loop of constant extent L becomes its body over L lanes: the var
 * becomes ramp(min, 1, L), scalars broadcast, guards become store/load predicates. A body
 * that cannot be vectorized (an allocation, an inner loop whose bounds depend on the var, ...)
 * becomes a serial loop instead. */
const tcc_stmt *tcc_pass_vectorize(tcc_context *ctx, const tcc_stmt *s);
/* unroll.c: an UNROLLED loop of constant extent becomes the sequence of its bodies with the var
 * replaced by each value; a non-constant extent leaves a serial loop. */
const tcc_stmt *tcc_pass_unroll(tcc_context *ctx, const tcc_stmt *s);
/* remove_dead.c: drops empty loops and sequences, no-op evaluates, ifs with constant
 * conditions and allocations no statement uses. */
const tcc_stmt *tcc_pass_remove_dead(tcc_context *ctx, const tcc_stmt *s);

/* split_host_device.c: every outermost loop nest bound to GPU blocks/threads becomes a device
 * PrimFunc (named NAME_kernelN; grid/block = the bound loops' extents; params = the buffers it
 * touches; scalars = the host vars it reads) run by a LAUNCH statement. TCC_ERR when loops bound
 * to one index have different extents in a kernel, or a launch size depends on a loop inside
 * the kernel. Statements without bound loops are unchanged. */
tcc_status tcc_pass_split_host_device(tcc_context *ctx, const char *name, const tcc_stmt *in,
                                      const tcc_stmt **out);

#ifdef __cplusplus
}
#endif
#endif /* TCC_TRANSFORMS_H */
