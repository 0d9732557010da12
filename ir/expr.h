/* expr.h — scalar and vector expressions shared by shapes, tensor expressions and the loop IR.
 *
 * Expressions are immutable and hash-consed in the context's arena: two structurally equal
 * expressions built in one context are the same pointer, so `a == b` is structural equality.
 * Passes rebuild rather than mutate. Node kinds are listed once in expr.def.
 *
 * Constructors fold constants and apply only identities that are exact for every input (x+0,
 * x*1, integer x*0, ...); the real simplifier is ir/transforms/simplify.c. Integer arithmetic
 * on immediates wraps like two's complement at the node's width. */
#ifndef TCC_EXPR_H
#define TCC_EXPR_H

#include "core.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A value type: a tccrt_dtype and a vector lane count (1 = scalar). */
typedef struct tcc_type {
  uint8_t dtype; /* tccrt_dtype */
  uint8_t reserved;
  uint16_t lanes;
} tcc_type;

static inline tcc_type tcc_type_of(tccrt_dtype dt, int lanes) {
  tcc_type t = {(uint8_t)dt, 0, (uint16_t)lanes};
  return t;
}
static inline tcc_type tcc_scalar(tccrt_dtype dt) { return tcc_type_of(dt, 1); }
/* Indices, loop variables and shape dims are int64. */
#define TCC_INDEX_DTYPE TCCRT_INT64
static inline tcc_type tcc_index_type(void) { return tcc_scalar(TCCRT_INT64); }
static inline tcc_type tcc_bool_type(void) { return tcc_scalar(TCCRT_BOOL); }
static inline bool tcc_type_eq(tcc_type a, tcc_type b) {
  return a.dtype == b.dtype && a.lanes == b.lanes;
}
static inline tcc_type tcc_type_with_lanes(tcc_type t, int lanes) {
  t.lanes = (uint16_t)lanes;
  return t;
}
bool tcc_dtype_is_float(tccrt_dtype dt); /* float16, bfloat16, float32, float64 */
bool tcc_dtype_is_int(tccrt_dtype dt);   /* signed or unsigned integer, not bool */
bool tcc_dtype_is_signed(tccrt_dtype dt);
int tcc_dtype_bits(tccrt_dtype dt); /* bool = 1 */
/* "float32", "int64x8" (vector) ... into `buf`; returns buf. */
const char *tcc_type_str(tcc_type t, char *buf, size_t n);

typedef enum tcc_expr_kind {
#define TCC_EXPR_LEAF(N) TCC_##N,
#define TCC_EXPR_BINARY(N, S) TCC_##N,
#define TCC_EXPR_UNARY(N, S) TCC_##N,
#define TCC_EXPR_OTHER(N) TCC_##N,
#include "expr.def"
  TCC_EXPR_KIND_COUNT
} tcc_expr_kind;

typedef enum tcc_intrin {
#define TCC_EXPR_DEF_INTRIN_ONLY
#define TCC_INTRIN(N, S, A) TCC_INTRIN_##N,
#include "expr.def"
#undef TCC_EXPR_DEF_INTRIN_ONLY
  TCC_INTRIN_COUNT
} tcc_intrin;

const char *tcc_expr_kind_name(tcc_expr_kind k);
const char *tcc_intrin_name(tcc_intrin op);
int tcc_intrin_arity(tcc_intrin op);

/* A variable: identity is the pointer (two vars named "i" are different vars). */
typedef struct tcc_var {
  const char *name;
  tcc_type type;
  uint32_t id;
} tcc_var;

struct tcc_tensor;  /* te.h */
struct tcc_itervar; /* te.h */
struct tcc_buffer;  /* tir.h */
typedef struct tcc_expr tcc_expr;

/* Reductions. Built-in combiners have lhs/rhs/result filled too, so every consumer can treat
 * them as the general form: acc = result[lhs := acc, rhs := source]. */
typedef enum tcc_reduce_kind {
  TCC_REDUCE_SUM,
  TCC_REDUCE_PROD,
  TCC_REDUCE_MIN, /* NaN-propagating for floats (MIN node) */
  TCC_REDUCE_MAX,
  TCC_REDUCE_CUSTOM
} tcc_reduce_kind;

typedef struct tcc_combiner {
  tcc_reduce_kind kind;
  tcc_type type;
  const tcc_var *lhs, *rhs;
  const tcc_expr *result;   /* over lhs and rhs */
  const tcc_expr *identity; /* of `type` */
} tcc_combiner;

struct tcc_expr {
  tcc_expr_kind kind;
  tcc_type type;
  uint32_t id; /* creation order in the context; stable across runs */
  uint64_t hash;
  union {
    int64_t ival; /* INT_IMM (sign-extended; unsigned uint64 stored as bits) */
    double fval;  /* FLOAT_IMM */
    const tcc_var *var;
    struct {
      const tcc_expr *a, *b;
    } bin; /* binary and unary (a only) kinds */
    struct {
      const tcc_expr *cond, *t, *f;
    } select;
    struct {
      const tcc_expr *a;
    } cast;
    struct {
      tcc_intrin op;
      int nargs;
      const tcc_expr *const *args;
    } call;
    struct {
      const struct tcc_tensor *tensor;
      int nidx;
      const tcc_expr *const *idx;
    } read;
    struct {
      const tcc_combiner *comb;
      const tcc_expr *source;
      int naxes;
      const struct tcc_itervar *const *axes;
      const tcc_expr *cond; /* NULL = always */
    } reduce;
    struct {
      const struct tcc_buffer *buf;
      int nidx; /* >1 before storage flattening, 1 after */
      const tcc_expr *const *idx;
      const tcc_expr *pred; /* NULL = all lanes */
    } load;
    struct {
      const tcc_expr *base, *stride;
      int lanes;
    } ramp;
    struct {
      const tcc_expr *value;
      int lanes;
    } bcast;
    struct {
      const tcc_var *var;
      const tcc_expr *value, *body;
    } let;
  } u;
};

/* ---- constructors (never NULL; operands must be non-NULL and type-compatible: mixing types is
 * an internal error caught by assert — importers and ops check user input before building) ---- */
tcc_var *tcc_var_new(tcc_context *ctx, const char *name, tcc_type type);
const tcc_expr *tcc_expr_var(tcc_context *ctx, const tcc_var *v);
const tcc_expr *tcc_int(tcc_context *ctx, tcc_type type, int64_t v);
const tcc_expr *tcc_idx(tcc_context *ctx, int64_t v); /* int64 immediate */
const tcc_expr *tcc_float(tcc_context *ctx, tcc_type type, double v);
const tcc_expr *tcc_bool(tcc_context *ctx, bool v);
/* A constant of `type` (ints truncated/float converted); handy for identities. */
const tcc_expr *tcc_const(tcc_context *ctx, tcc_type type, double v);

const tcc_expr *tcc_binary(tcc_context *ctx, tcc_expr_kind k, const tcc_expr *a, const tcc_expr *b);
const tcc_expr *tcc_unary(tcc_context *ctx, tcc_expr_kind k, const tcc_expr *a);
#define TCC_BIN_HELPER(fn, K)                                                                      \
  static inline const tcc_expr *fn(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b) {       \
    return tcc_binary(ctx, K, a, b);                                                               \
  }
TCC_BIN_HELPER(tcc_add, TCC_ADD)
TCC_BIN_HELPER(tcc_sub, TCC_SUB)
TCC_BIN_HELPER(tcc_mul, TCC_MUL)
TCC_BIN_HELPER(tcc_div, TCC_DIV)
TCC_BIN_HELPER(tcc_mod, TCC_MOD)
TCC_BIN_HELPER(tcc_floordiv, TCC_FLOORDIV)
TCC_BIN_HELPER(tcc_floormod, TCC_FLOORMOD)
TCC_BIN_HELPER(tcc_min, TCC_MIN)
TCC_BIN_HELPER(tcc_max, TCC_MAX)
TCC_BIN_HELPER(tcc_eq, TCC_EQ)
TCC_BIN_HELPER(tcc_ne, TCC_NE)
TCC_BIN_HELPER(tcc_lt, TCC_LT)
TCC_BIN_HELPER(tcc_le, TCC_LE)
TCC_BIN_HELPER(tcc_gt, TCC_GT)
TCC_BIN_HELPER(tcc_ge, TCC_GE)
TCC_BIN_HELPER(tcc_and, TCC_AND)
TCC_BIN_HELPER(tcc_or, TCC_OR)
#undef TCC_BIN_HELPER
const tcc_expr *tcc_select(tcc_context *ctx, const tcc_expr *cond, const tcc_expr *t,
                           const tcc_expr *f);
const tcc_expr *tcc_cast(tcc_context *ctx, tcc_type type, const tcc_expr *a);
const tcc_expr *tcc_call(tcc_context *ctx, tcc_intrin op, int nargs, const tcc_expr *const *args);
const tcc_expr *tcc_call1(tcc_context *ctx, tcc_intrin op, const tcc_expr *a);
const tcc_expr *tcc_tensor_read(tcc_context *ctx, const struct tcc_tensor *t, int nidx,
                                const tcc_expr *const *idx);
/* A reduction of `source` over `axes` (TE reduce itervars); `cond` may be NULL. */
const tcc_expr *tcc_reduce(tcc_context *ctx, const tcc_combiner *comb, const tcc_expr *source,
                           int naxes, const struct tcc_itervar *const *axes, const tcc_expr *cond);
const tcc_combiner *tcc_combiner_builtin(tcc_context *ctx, tcc_reduce_kind kind, tcc_type type);
/* A custom combiner: result is built over lhs and rhs by the caller after creating them with
 * tcc_var_new; pass them here. */
const tcc_combiner *tcc_combiner_custom(tcc_context *ctx, tcc_type type, const tcc_var *lhs,
                                        const tcc_var *rhs, const tcc_expr *result,
                                        const tcc_expr *identity);
const tcc_expr *tcc_load(tcc_context *ctx, const struct tcc_buffer *buf, int nidx,
                         const tcc_expr *const *idx, const tcc_expr *pred);
const tcc_expr *tcc_ramp(tcc_context *ctx, const tcc_expr *base, const tcc_expr *stride, int lanes);
const tcc_expr *tcc_broadcast(tcc_context *ctx, const tcc_expr *value, int lanes);
const tcc_expr *tcc_let(tcc_context *ctx, const tcc_var *v, const tcc_expr *value,
                        const tcc_expr *body);

/* ---- queries ---- */
static inline bool tcc_expr_is_int_imm(const tcc_expr *e, int64_t *v) {
  if (e && e->kind == TCC_INT_IMM) {
    if (v) *v = e->u.ival;
    return true;
  }
  return false;
}
/* Minimum and maximum representable value of an integer dtype, as int64 (uint64 max saturates
 * at INT64_MAX for the max query). */
int64_t tcc_dtype_int_min(tccrt_dtype dt);
int64_t tcc_dtype_int_max(tccrt_dtype dt);

/* ---- run-time checks (ir/transforms/range_check.c) ---- */

/* `v` (an integer scalar) checked at run time to lie in [lo, hi) (lo, hi: exprs of v's type):
 * select(lo <= v && v < hi, v, range_error(v, lo, hi, id)), the intrinsic RANGE_ERROR of expr.def.
 * Its value is v; evaluating it with v outside the range is a run-time error whose message is
 * "WHERE: index V is out of range [LO, HI-1]" (the interpreter records it as a diagnostic; LLVM
 * code makes the kernel return TCCRT_ERR_INVALID_ARGUMENT with the message in
 * tccrt_last_error()). `where` (copied; e.g. "node 'g0' (Gather)") is registered in the context's
 * table of check messages (one id per distinct text). Constant v, lo and hi inside the range give
 * v itself. The check costs a compare and a branch where it is evaluated; callers still clamp
 * the value before using it as an index, so code that evaluates a select's both arms stays
 * memory-safe. */
const tcc_expr *tcc_check_range(tcc_context *ctx, const tcc_expr *v, const tcc_expr *lo,
                                const tcc_expr *hi, const char *where);
/* The WHERE text of a RANGE_ERROR call (its id argument, possibly broadcast to lanes), or
 * "index check" when the id is unknown in this context. */
const char *tcc_range_error_where(tcc_context *ctx, const tcc_expr *call);

/* ---- substitution: replace vars by exprs everywhere in e (rebuilds through constructors) ---- */
const tcc_expr *tcc_expr_substitute(tcc_context *ctx, const tcc_expr *e, int n,
                                    const tcc_var *const *vars, const tcc_expr *const *values);

/* ---- printing: stable, readable text ---- */
void tcc_expr_print(FILE *f, const tcc_expr *e);
/* The printed text in the context's arena. */
const char *tcc_expr_str(tcc_context *ctx, const tcc_expr *e);

#ifdef __cplusplus
}
#endif
#endif /* TCC_EXPR_H */
