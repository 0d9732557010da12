/* expr.c — hash-consed expression construction, constant folding, substitution, printing. */
#include "expr.h"

#include "te.h"
#include "tir.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- types ---- */

bool tcc_dtype_is_float(tccrt_dtype dt) {
  return dt == TCCRT_FLOAT32 || dt == TCCRT_FLOAT64 || dt == TCCRT_FLOAT16 || dt == TCCRT_BFLOAT16;
}
bool tcc_dtype_is_int(tccrt_dtype dt) {
  switch (dt) {
  case TCCRT_INT8:
  case TCCRT_INT16:
  case TCCRT_INT32:
  case TCCRT_INT64:
  case TCCRT_UINT8:
  case TCCRT_UINT16:
  case TCCRT_UINT32:
  case TCCRT_UINT64: return true;
  default: return false;
  }
}
bool tcc_dtype_is_signed(tccrt_dtype dt) {
  return dt == TCCRT_INT8 || dt == TCCRT_INT16 || dt == TCCRT_INT32 || dt == TCCRT_INT64 ||
         tcc_dtype_is_float(dt);
}
int tcc_dtype_bits(tccrt_dtype dt) { return dt == TCCRT_BOOL ? 1 : (int)tccrt_dtype_size(dt) * 8; }

const char *tcc_type_str(tcc_type t, char *buf, size_t n) {
  if (t.lanes > 1)
    snprintf(buf, n, "%sx%d", tccrt_dtype_name((tccrt_dtype)t.dtype), t.lanes);
  else
    snprintf(buf, n, "%s", tccrt_dtype_name((tccrt_dtype)t.dtype));
  return buf;
}

int64_t tcc_dtype_int_min(tccrt_dtype dt) {
  switch (dt) {
  case TCCRT_INT8: return INT8_MIN;
  case TCCRT_INT16: return INT16_MIN;
  case TCCRT_INT32: return INT32_MIN;
  case TCCRT_INT64: return INT64_MIN;
  default: return 0;
  }
}
int64_t tcc_dtype_int_max(tccrt_dtype dt) {
  switch (dt) {
  case TCCRT_INT8: return INT8_MAX;
  case TCCRT_INT16: return INT16_MAX;
  case TCCRT_INT32: return INT32_MAX;
  case TCCRT_INT64: return INT64_MAX;
  case TCCRT_UINT8: return UINT8_MAX;
  case TCCRT_UINT16: return UINT16_MAX;
  case TCCRT_UINT32: return UINT32_MAX;
  case TCCRT_UINT64: return INT64_MAX;
  case TCCRT_BOOL: return 1;
  default: return 0;
  }
}

static const char *const kind_names[] = {
#define TCC_EXPR_LEAF(N) #N,
#define TCC_EXPR_BINARY(N, S) #N,
#define TCC_EXPR_UNARY(N, S) #N,
#define TCC_EXPR_OTHER(N) #N,
#include "expr.def"
};
static const char *const binary_syms[] = {
#define TCC_EXPR_LEAF(N) NULL,
#define TCC_EXPR_BINARY(N, S) S,
#define TCC_EXPR_UNARY(N, S) S,
#define TCC_EXPR_OTHER(N) NULL,
#include "expr.def"
};
static const char *const intrin_names[] = {
#define TCC_EXPR_DEF_INTRIN_ONLY
#define TCC_INTRIN(N, S, A) S,
#include "expr.def"
#undef TCC_EXPR_DEF_INTRIN_ONLY
};
static const int intrin_arity[] = {
#define TCC_EXPR_DEF_INTRIN_ONLY
#define TCC_INTRIN(N, S, A) A,
#include "expr.def"
#undef TCC_EXPR_DEF_INTRIN_ONLY
};

const char *tcc_expr_kind_name(tcc_expr_kind k) {
  return (unsigned)k < TCC_EXPR_KIND_COUNT ? kind_names[k] : "?";
}
const char *tcc_intrin_name(tcc_intrin op) {
  return (unsigned)op < TCC_INTRIN_COUNT ? intrin_names[op] : "?";
}
int tcc_intrin_arity(tcc_intrin op) {
  return (unsigned)op < TCC_INTRIN_COUNT ? intrin_arity[op] : 0;
}

/* ---- hash-consing ---- */

typedef struct expr_table {
  const tcc_expr **slots;
  size_t cap, len;
} expr_table;

static expr_table *table_of(tcc_context *ctx) {
  void **slot = tcc_ctx_slot(ctx, TCC_SLOT_EXPR_TABLE);
  if (!*slot) {
    expr_table *t = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *t);
    t->cap = 1024;
    t->slots = tcc_arena_alloc(tcc_ctx_arena(ctx), t->cap * sizeof *t->slots);
    *slot = t;
  }
  return *slot;
}

static uint64_t hash_ptrs(uint64_t h, int n, const void *const *p) {
  for (int i = 0; i < n; i++)
    h = tcc_hash_mix(h, (uint64_t)(uintptr_t)p[i]);
  return h;
}

static uint64_t expr_hash(const tcc_expr *e) {
  uint64_t h = tcc_hash_mix((uint64_t)e->kind, (uint64_t)e->type.dtype << 16 | e->type.lanes);
  switch (e->kind) {
  case TCC_INT_IMM: return tcc_hash_mix(h, (uint64_t)e->u.ival);
  case TCC_FLOAT_IMM: {
    uint64_t bits;
    memcpy(&bits, &e->u.fval, 8);
    return tcc_hash_mix(h, bits);
  }
  case TCC_VAR: return tcc_hash_mix(h, (uint64_t)(uintptr_t)e->u.var);
  case TCC_SELECT:
    h = tcc_hash_mix(h, (uintptr_t)e->u.select.cond);
    h = tcc_hash_mix(h, (uintptr_t)e->u.select.t);
    return tcc_hash_mix(h, (uintptr_t)e->u.select.f);
  case TCC_CAST: return tcc_hash_mix(h, (uintptr_t)e->u.cast.a);
  case TCC_CALL:
    h = tcc_hash_mix(h, (uint64_t)e->u.call.op);
    return hash_ptrs(h, e->u.call.nargs, (const void *const *)e->u.call.args);
  case TCC_TENSOR_READ:
    h = tcc_hash_mix(h, (uintptr_t)e->u.read.tensor);
    return hash_ptrs(h, e->u.read.nidx, (const void *const *)e->u.read.idx);
  case TCC_REDUCE:
    h = tcc_hash_mix(h, (uintptr_t)e->u.reduce.comb);
    h = tcc_hash_mix(h, (uintptr_t)e->u.reduce.source);
    h = tcc_hash_mix(h, (uintptr_t)e->u.reduce.cond);
    return hash_ptrs(h, e->u.reduce.naxes, (const void *const *)e->u.reduce.axes);
  case TCC_LOAD:
    h = tcc_hash_mix(h, (uintptr_t)e->u.load.buf);
    h = tcc_hash_mix(h, (uintptr_t)e->u.load.pred);
    return hash_ptrs(h, e->u.load.nidx, (const void *const *)e->u.load.idx);
  case TCC_RAMP:
    h = tcc_hash_mix(h, (uintptr_t)e->u.ramp.base);
    h = tcc_hash_mix(h, (uintptr_t)e->u.ramp.stride);
    return tcc_hash_mix(h, (uint64_t)e->u.ramp.lanes);
  case TCC_BROADCAST:
    h = tcc_hash_mix(h, (uintptr_t)e->u.bcast.value);
    return tcc_hash_mix(h, (uint64_t)e->u.bcast.lanes);
  case TCC_LET:
    h = tcc_hash_mix(h, (uintptr_t)e->u.let.var);
    h = tcc_hash_mix(h, (uintptr_t)e->u.let.value);
    return tcc_hash_mix(h, (uintptr_t)e->u.let.body);
  default: /* binary and unary */
    h = tcc_hash_mix(h, (uintptr_t)e->u.bin.a);
    return tcc_hash_mix(h, (uintptr_t)e->u.bin.b);
  }
}

static bool ptrs_eq(int n, const void *const *a, const void *const *b) {
  for (int i = 0; i < n; i++)
    if (a[i] != b[i]) return false;
  return true;
}

static bool expr_eq(const tcc_expr *x, const tcc_expr *y) {
  if (x->kind != y->kind || !tcc_type_eq(x->type, y->type)) return false;
  switch (x->kind) {
  case TCC_INT_IMM: return x->u.ival == y->u.ival;
  case TCC_FLOAT_IMM: return memcmp(&x->u.fval, &y->u.fval, 8) == 0;
  case TCC_VAR: return x->u.var == y->u.var;
  case TCC_SELECT:
    return x->u.select.cond == y->u.select.cond && x->u.select.t == y->u.select.t &&
           x->u.select.f == y->u.select.f;
  case TCC_CAST: return x->u.cast.a == y->u.cast.a;
  case TCC_CALL:
    return x->u.call.op == y->u.call.op && x->u.call.nargs == y->u.call.nargs &&
           ptrs_eq(x->u.call.nargs, (const void *const *)x->u.call.args,
                   (const void *const *)y->u.call.args);
  case TCC_TENSOR_READ:
    return x->u.read.tensor == y->u.read.tensor && x->u.read.nidx == y->u.read.nidx &&
           ptrs_eq(x->u.read.nidx, (const void *const *)x->u.read.idx,
                   (const void *const *)y->u.read.idx);
  case TCC_REDUCE:
    return x->u.reduce.comb == y->u.reduce.comb && x->u.reduce.source == y->u.reduce.source &&
           x->u.reduce.cond == y->u.reduce.cond && x->u.reduce.naxes == y->u.reduce.naxes &&
           ptrs_eq(x->u.reduce.naxes, (const void *const *)x->u.reduce.axes,
                   (const void *const *)y->u.reduce.axes);
  case TCC_LOAD:
    return x->u.load.buf == y->u.load.buf && x->u.load.pred == y->u.load.pred &&
           x->u.load.nidx == y->u.load.nidx &&
           ptrs_eq(x->u.load.nidx, (const void *const *)x->u.load.idx,
                   (const void *const *)y->u.load.idx);
  case TCC_RAMP:
    return x->u.ramp.base == y->u.ramp.base && x->u.ramp.stride == y->u.ramp.stride &&
           x->u.ramp.lanes == y->u.ramp.lanes;
  case TCC_BROADCAST:
    return x->u.bcast.value == y->u.bcast.value && x->u.bcast.lanes == y->u.bcast.lanes;
  case TCC_LET:
    return x->u.let.var == y->u.let.var && x->u.let.value == y->u.let.value &&
           x->u.let.body == y->u.let.body;
  default: return x->u.bin.a == y->u.bin.a && x->u.bin.b == y->u.bin.b;
  }
}

/* Interns a stack-built node: returns the existing equal node or a fresh arena copy. Pointer
 * arrays inside `proto` are copied into the arena when the node is new. */
static const tcc_expr *intern(tcc_context *ctx, tcc_expr *proto) {
  expr_table *t = table_of(ctx);
  proto->hash = expr_hash(proto);
  size_t mask = t->cap - 1, i = proto->hash & mask;
  for (const tcc_expr *e; (e = t->slots[i]); i = (i + 1) & mask)
    if (e->hash == proto->hash && expr_eq(e, proto)) return e;
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_expr *e = tcc_arena_alloc(a, sizeof *e);
  *e = *proto;
  e->id = tcc_ctx_next_id(ctx);
#define COPY_ARR(field, n)                                                                         \
  do {                                                                                             \
    if (n) {                                                                                       \
      void *d = tcc_arena_alloc(a, sizeof(void *) * (size_t)(n));                                  \
      memcpy(d, (const void *)e->u.field, sizeof(void *) * (size_t)(n));                           \
      e->u.field = d;                                                                              \
    }                                                                                              \
  } while (0)
  switch (e->kind) {
  case TCC_CALL: COPY_ARR(call.args, e->u.call.nargs); break;
  case TCC_TENSOR_READ: COPY_ARR(read.idx, e->u.read.nidx); break;
  case TCC_REDUCE: COPY_ARR(reduce.axes, e->u.reduce.naxes); break;
  case TCC_LOAD: COPY_ARR(load.idx, e->u.load.nidx); break;
  default: break;
  }
#undef COPY_ARR
  t->slots[i] = e;
  if (++t->len * 2 > t->cap) { /* grow: rehash into a table twice the size */
    size_t ncap = t->cap * 2;
    const tcc_expr **ns = tcc_arena_alloc(a, ncap * sizeof *ns);
    for (size_t k = 0; k < t->cap; k++) {
      const tcc_expr *x = t->slots[k];
      if (!x) continue;
      size_t j = x->hash & (ncap - 1);
      while (ns[j])
        j = (j + 1) & (ncap - 1);
      ns[j] = x;
    }
    t->slots = ns;
    t->cap = ncap;
  }
  return e;
}

static tcc_expr proto_of(tcc_expr_kind k, tcc_type type) {
  tcc_expr e;
  memset(&e, 0, sizeof e);
  e.kind = k;
  e.type = type;
  return e;
}

/* ---- immediates ---- */

/* Wraps v to the width of an integer dtype (two's complement), as C casts do. */
static int64_t wrap_int(tccrt_dtype dt, int64_t v) {
  switch (dt) {
  case TCCRT_INT8: return (int8_t)v;
  case TCCRT_INT16: return (int16_t)v;
  case TCCRT_INT32: return (int32_t)v;
  case TCCRT_UINT8: return (uint8_t)v;
  case TCCRT_UINT16: return (uint16_t)v;
  case TCCRT_UINT32: return (uint32_t)v;
  case TCCRT_BOOL: return v != 0;
  default: return v;
  }
}

tcc_var *tcc_var_new(tcc_context *ctx, const char *name, tcc_type type) {
  tcc_var *v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v);
  v->name = tcc_arena_strdup(tcc_ctx_arena(ctx), name ? name : "v");
  v->type = type;
  v->id = tcc_ctx_next_id(ctx);
  return v;
}

const tcc_expr *tcc_expr_var(tcc_context *ctx, const tcc_var *v) {
  tcc_expr e = proto_of(TCC_VAR, v->type);
  e.u.var = v;
  return intern(ctx, &e);
}

const tcc_expr *tcc_int(tcc_context *ctx, tcc_type type, int64_t v) {
  assert(!tcc_dtype_is_float((tccrt_dtype)type.dtype));
  if (type.lanes > 1)
    return tcc_broadcast(ctx, tcc_int(ctx, tcc_type_with_lanes(type, 1), v), type.lanes);
  tcc_expr e = proto_of(TCC_INT_IMM, type);
  e.u.ival = wrap_int((tccrt_dtype)type.dtype, v);
  return intern(ctx, &e);
}

const tcc_expr *tcc_idx(tcc_context *ctx, int64_t v) { return tcc_int(ctx, tcc_index_type(), v); }
const tcc_expr *tcc_bool(tcc_context *ctx, bool v) { return tcc_int(ctx, tcc_bool_type(), v); }

static double round_to_dtype(tccrt_dtype dt, double v) {
  return dt == TCCRT_FLOAT64 ? v : (double)(float)v; /* f16/bf16 imms keep float precision */
}

const tcc_expr *tcc_float(tcc_context *ctx, tcc_type type, double v) {
  assert(tcc_dtype_is_float((tccrt_dtype)type.dtype));
  if (type.lanes > 1)
    return tcc_broadcast(ctx, tcc_float(ctx, tcc_type_with_lanes(type, 1), v), type.lanes);
  tcc_expr e = proto_of(TCC_FLOAT_IMM, type);
  e.u.fval = round_to_dtype((tccrt_dtype)type.dtype, v);
  return intern(ctx, &e);
}

const tcc_expr *tcc_const(tcc_context *ctx, tcc_type type, double v) {
  if (tcc_dtype_is_float((tccrt_dtype)type.dtype)) return tcc_float(ctx, type, v);
  return tcc_int(ctx, type, (int64_t)v);
}

/* ---- folding helpers ---- */

static bool is_int_const(const tcc_expr *e, int64_t *v) { return tcc_expr_is_int_imm(e, v); }
static bool is_float_const(const tcc_expr *e, double *v) {
  if (e->kind == TCC_FLOAT_IMM) {
    *v = e->u.fval;
    return true;
  }
  return false;
}
static bool is_unsigned(tcc_type t) {
  tccrt_dtype d = (tccrt_dtype)t.dtype;
  return d == TCCRT_UINT8 || d == TCCRT_UINT16 || d == TCCRT_UINT32 || d == TCCRT_UINT64 ||
         d == TCCRT_BOOL;
}

static int64_t floordiv_i(int64_t a, int64_t b) {
  int64_t q = a / b, r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}
static int64_t floormod_i(int64_t a, int64_t b) {
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

/* Folds an integer binary op on immediates; false when it cannot (division by zero, overflow of
 * INT64_MIN / -1, unsigned 64-bit division). */
static bool fold_int(tcc_expr_kind k, tcc_type t, int64_t a, int64_t b, int64_t *out) {
  bool u = is_unsigned(t);
  uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
  switch (k) {
  case TCC_ADD: *out = (int64_t)(ua + ub); return true;
  case TCC_SUB: *out = (int64_t)(ua - ub); return true;
  case TCC_MUL: *out = (int64_t)(ua * ub); return true;
  case TCC_DIV:
  case TCC_MOD:
  case TCC_FLOORDIV:
  case TCC_FLOORMOD:
    if (b == 0 || (b == -1 && a == INT64_MIN)) return false;
    if (u) {
      if (t.dtype == TCCRT_UINT64) {
        *out = (int64_t)((k == TCC_DIV || k == TCC_FLOORDIV) ? ua / ub : ua % ub);
        return true;
      }
      *out = (k == TCC_DIV || k == TCC_FLOORDIV) ? a / b : a % b; /* both non-negative */
      return true;
    }
    *out = k == TCC_DIV        ? a / b
           : k == TCC_MOD      ? a % b
           : k == TCC_FLOORDIV ? floordiv_i(a, b)
                               : floormod_i(a, b);
    return true;
  case TCC_MIN: *out = (u ? ua < ub : a < b) ? a : b; return true;
  case TCC_MAX: *out = (u ? ua > ub : a > b) ? a : b; return true;
  case TCC_EQ: *out = a == b; return true;
  case TCC_NE: *out = a != b; return true;
  case TCC_LT: *out = u ? ua < ub : a < b; return true;
  case TCC_LE: *out = u ? ua <= ub : a <= b; return true;
  case TCC_GT: *out = u ? ua > ub : a > b; return true;
  case TCC_GE: *out = u ? ua >= ub : a >= b; return true;
  case TCC_AND: *out = a && b; return true;
  case TCC_OR: *out = a || b; return true;
  case TCC_BITAND: *out = a & b; return true;
  case TCC_BITOR: *out = a | b; return true;
  case TCC_BITXOR: *out = a ^ b; return true;
  case TCC_SHL:
  case TCC_SHR: {
    int bits = tcc_dtype_bits((tccrt_dtype)t.dtype);
    if (b < 0 || b >= bits) {
      *out = (k == TCC_SHR && !u && a < 0) ? -1 : 0;
      return true;
    }
    if (k == TCC_SHL)
      *out = (int64_t)(ua << b);
    else if (u)
      *out = (int64_t)((t.dtype == TCCRT_UINT64 ? ua : (uint64_t)a) >> b);
    else
      *out = a >> b;
    return true;
  }
  default: return false;
  }
}

static bool fold_float(tcc_expr_kind k, double a, double b, double *out, bool *is_bool) {
  *is_bool = false;
  switch (k) {
  case TCC_ADD: *out = a + b; return true;
  case TCC_SUB: *out = a - b; return true;
  case TCC_MUL: *out = a * b; return true;
  case TCC_DIV: *out = a / b; return true;
  case TCC_MOD: *out = fmod(a, b); return true;
  case TCC_MIN: *out = (isnan(a) || isnan(b)) ? NAN : (a < b ? a : b); return true;
  case TCC_MAX: *out = (isnan(a) || isnan(b)) ? NAN : (a > b ? a : b); return true;
  case TCC_EQ:
    *is_bool = true;
    *out = a == b;
    return true;
  case TCC_NE:
    *is_bool = true;
    *out = a != b;
    return true;
  case TCC_LT:
    *is_bool = true;
    *out = a < b;
    return true;
  case TCC_LE:
    *is_bool = true;
    *out = a <= b;
    return true;
  case TCC_GT:
    *is_bool = true;
    *out = a > b;
    return true;
  case TCC_GE:
    *is_bool = true;
    *out = a >= b;
    return true;
  default: return false;
  }
}

static bool is_compare(tcc_expr_kind k) { return k >= TCC_EQ && k <= TCC_GE; }

const tcc_expr *tcc_binary(tcc_context *ctx, tcc_expr_kind k, const tcc_expr *a,
                           const tcc_expr *b) {
  assert(a && b);
  assert(tcc_type_eq(a->type, b->type) && "tcc_binary: operand types differ");
  tcc_type rt = is_compare(k) ? tcc_type_of(TCCRT_BOOL, a->type.lanes) : a->type;
  int64_t ia, ib, io;
  double fa, fb, fo;
  if (is_int_const(a, &ia) && is_int_const(b, &ib) && fold_int(k, a->type, ia, ib, &io))
    return tcc_int(ctx, rt, io);
  bool isb;
  if (is_float_const(a, &fa) && is_float_const(b, &fb) && fold_float(k, fa, fb, &fo, &isb))
    return isb ? tcc_bool(ctx, fo != 0) : tcc_float(ctx, rt, fo);
  bool fl = tcc_dtype_is_float((tccrt_dtype)a->type.dtype);
  /* Identities exact for every input. x + 0 for floats is not exact (-0 + 0 = +0): kept. */
  if (!fl) {
    if ((k == TCC_ADD || k == TCC_SUB || k == TCC_BITOR || k == TCC_BITXOR) &&
        is_int_const(b, &ib) && ib == 0)
      return a;
    if ((k == TCC_ADD || k == TCC_BITOR || k == TCC_BITXOR) && is_int_const(a, &ia) && ia == 0)
      return b;
    if (k == TCC_MUL && is_int_const(b, &ib) && (ib == 1 || ib == 0)) return ib ? a : b;
    if (k == TCC_MUL && is_int_const(a, &ia) && (ia == 1 || ia == 0)) return ia ? b : a;
    if ((k == TCC_DIV || k == TCC_FLOORDIV) && is_int_const(b, &ib) && ib == 1) return a;
    if ((k == TCC_MOD || k == TCC_FLOORMOD) && is_int_const(b, &ib) && (ib == 1 || ib == -1))
      return tcc_int(ctx, rt, 0);
    if ((k == TCC_MIN || k == TCC_MAX) && a == b) return a;
    if (k == TCC_AND && is_int_const(a, &ia)) return ia ? b : a;
    if (k == TCC_AND && is_int_const(b, &ib)) return ib ? a : b;
    if (k == TCC_OR && is_int_const(a, &ia)) return ia ? a : b;
    if (k == TCC_OR && is_int_const(b, &ib)) return ib ? b : a;
    if ((k == TCC_SUB) && a == b) return tcc_int(ctx, rt, 0);
    if ((k == TCC_EQ || k == TCC_LE || k == TCC_GE) && a == b) return tcc_bool(ctx, true);
    if ((k == TCC_NE || k == TCC_LT || k == TCC_GT) && a == b) return tcc_bool(ctx, false);
  } else {
    if (k == TCC_MUL && is_float_const(b, &fb) && fb == 1.0) return a;
    if (k == TCC_MUL && is_float_const(a, &fa) && fa == 1.0) return b;
    if (k == TCC_DIV && is_float_const(b, &fb) && fb == 1.0) return a;
    if (k == TCC_SUB && is_float_const(b, &fb) && fb == 0.0 && !signbit(fb)) return a;
    if (k == TCC_ADD && is_float_const(b, &fb) && fb == 0.0 && signbit(fb)) return a;
  }
  tcc_expr e = proto_of(k, rt);
  e.u.bin.a = a;
  e.u.bin.b = b;
  return intern(ctx, &e);
}

const tcc_expr *tcc_unary(tcc_context *ctx, tcc_expr_kind k, const tcc_expr *a) {
  int64_t ia;
  double fa;
  if (k == TCC_NEG) {
    if (is_int_const(a, &ia)) return tcc_int(ctx, a->type, (int64_t)(0 - (uint64_t)ia));
    if (is_float_const(a, &fa)) return tcc_float(ctx, a->type, -fa);
    if (a->kind == TCC_NEG) return a->u.bin.a;
  } else if (k == TCC_NOT) {
    if (is_int_const(a, &ia)) return tcc_bool(ctx, !ia);
    if (a->kind == TCC_NOT) return a->u.bin.a;
  } else if (k == TCC_BITNOT) {
    if (is_int_const(a, &ia)) return tcc_int(ctx, a->type, ~ia);
  }
  tcc_expr e = proto_of(k, a->type);
  e.u.bin.a = a;
  return intern(ctx, &e);
}

const tcc_expr *tcc_select(tcc_context *ctx, const tcc_expr *cond, const tcc_expr *t,
                           const tcc_expr *f) {
  assert(tcc_type_eq(t->type, f->type));
  int64_t c;
  if (is_int_const(cond, &c)) return c ? t : f;
  if (t == f) return t;
  tcc_expr e = proto_of(TCC_SELECT, t->type);
  e.u.select.cond = cond;
  e.u.select.t = t;
  e.u.select.f = f;
  return intern(ctx, &e);
}

const tcc_expr *tcc_cast(tcc_context *ctx, tcc_type type, const tcc_expr *a) {
  if (tcc_type_eq(type, a->type)) return a;
  tccrt_dtype to = (tccrt_dtype)type.dtype;
  int64_t ia;
  double fa;
  if (type.lanes == 1) {
    if (is_int_const(a, &ia)) {
      double fv =
          is_unsigned(a->type) && a->type.dtype == TCCRT_UINT64 ? (double)(uint64_t)ia : (double)ia;
      if (tcc_dtype_is_float(to)) return tcc_float(ctx, type, fv);
      return tcc_int(ctx, type, to == TCCRT_BOOL ? ia != 0 : ia);
    }
    if (is_float_const(a, &fa)) {
      if (tcc_dtype_is_float(to)) return tcc_float(ctx, type, fa);
      if (to == TCCRT_BOOL) return tcc_bool(ctx, fa != 0);
      /* float -> int of an in-range value folds; out of range is target-defined: keep it. */
      if (!isnan(fa) && fa > -9.2e18 && fa < 9.2e18) return tcc_int(ctx, type, (int64_t)fa);
    }
  }
  tcc_expr e = proto_of(TCC_CAST, type);
  e.u.cast.a = a;
  return intern(ctx, &e);
}

const tcc_expr *tcc_call(tcc_context *ctx, tcc_intrin op, int nargs, const tcc_expr *const *args) {
  assert(nargs == tcc_intrin_arity(op));
  tcc_type t = args[0]->type;
  if (op == TCC_INTRIN_ISNAN || op == TCC_INTRIN_ISINF) t = tcc_type_of(TCCRT_BOOL, t.lanes);
  tcc_expr e = proto_of(TCC_CALL, t);
  e.u.call.op = op;
  e.u.call.nargs = nargs;
  e.u.call.args = args;
  return intern(ctx, &e);
}

const tcc_expr *tcc_call1(tcc_context *ctx, tcc_intrin op, const tcc_expr *a) {
  return tcc_call(ctx, op, 1, &a);
}

const tcc_expr *tcc_tensor_read(tcc_context *ctx, const tcc_tensor *t, int nidx,
                                const tcc_expr *const *idx) {
  assert(nidx == t->ndim);
  tcc_expr e = proto_of(TCC_TENSOR_READ, tcc_scalar(t->dtype));
  e.u.read.tensor = t;
  e.u.read.nidx = nidx;
  e.u.read.idx = idx;
  return intern(ctx, &e);
}

const tcc_expr *tcc_reduce(tcc_context *ctx, const tcc_combiner *comb, const tcc_expr *source,
                           int naxes, const tcc_itervar *const *axes, const tcc_expr *cond) {
  tcc_expr e = proto_of(TCC_REDUCE, comb->type);
  e.u.reduce.comb = comb;
  e.u.reduce.source = source;
  e.u.reduce.naxes = naxes;
  e.u.reduce.axes = axes;
  e.u.reduce.cond = cond;
  return intern(ctx, &e);
}

const tcc_combiner *tcc_combiner_custom(tcc_context *ctx, tcc_type type, const tcc_var *lhs,
                                        const tcc_var *rhs, const tcc_expr *result,
                                        const tcc_expr *identity) {
  tcc_combiner *c = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *c);
  c->kind = TCC_REDUCE_CUSTOM;
  c->type = type;
  c->lhs = lhs;
  c->rhs = rhs;
  c->result = result;
  c->identity = identity;
  return c;
}

const tcc_combiner *tcc_combiner_builtin(tcc_context *ctx, tcc_reduce_kind kind, tcc_type type) {
  assert(kind != TCC_REDUCE_CUSTOM && type.lanes == 1);
  tccrt_dtype dt = (tccrt_dtype)type.dtype;
  const tcc_var *lhs = tcc_var_new(ctx, "x", type), *rhs = tcc_var_new(ctx, "y", type);
  const tcc_expr *x = tcc_expr_var(ctx, lhs), *y = tcc_expr_var(ctx, rhs), *res, *id;
  bool fl = tcc_dtype_is_float(dt);
  switch (kind) {
  case TCC_REDUCE_SUM:
    res = tcc_add(ctx, x, y);
    id = tcc_const(ctx, type, 0);
    break;
  case TCC_REDUCE_PROD:
    res = tcc_mul(ctx, x, y);
    id = tcc_const(ctx, type, 1);
    break;
  case TCC_REDUCE_MIN:
    res = tcc_min(ctx, x, y);
    id = fl ? tcc_float(ctx, type, INFINITY)
            : (dt == TCCRT_UINT64 ? tcc_int(ctx, type, -1)
                                  : tcc_int(ctx, type, tcc_dtype_int_max(dt)));
    break;
  default:
    res = tcc_max(ctx, x, y);
    id = fl ? tcc_float(ctx, type, -INFINITY) : tcc_int(ctx, type, tcc_dtype_int_min(dt));
    break;
  }
  tcc_combiner *c = (tcc_combiner *)tcc_combiner_custom(ctx, type, lhs, rhs, res, id);
  c->kind = kind;
  return c;
}

const tcc_expr *tcc_load(tcc_context *ctx, const tcc_buffer *buf, int nidx,
                         const tcc_expr *const *idx, const tcc_expr *pred) {
  int lanes = 1;
  for (int i = 0; i < nidx; i++)
    if (idx[i]->type.lanes > lanes) lanes = idx[i]->type.lanes;
  tcc_expr e = proto_of(TCC_LOAD, tcc_type_of(buf->dtype, lanes));
  e.u.load.buf = buf;
  e.u.load.nidx = nidx;
  e.u.load.idx = idx;
  e.u.load.pred = pred;
  return intern(ctx, &e);
}

const tcc_expr *tcc_ramp(tcc_context *ctx, const tcc_expr *base, const tcc_expr *stride,
                         int lanes) {
  assert(base->type.lanes == 1 && lanes > 1);
  tcc_expr e = proto_of(TCC_RAMP, tcc_type_with_lanes(base->type, lanes));
  e.u.ramp.base = base;
  e.u.ramp.stride = stride;
  e.u.ramp.lanes = lanes;
  return intern(ctx, &e);
}

const tcc_expr *tcc_broadcast(tcc_context *ctx, const tcc_expr *value, int lanes) {
  assert(value->type.lanes == 1);
  if (lanes == 1) return value;
  tcc_expr e = proto_of(TCC_BROADCAST, tcc_type_with_lanes(value->type, lanes));
  e.u.bcast.value = value;
  e.u.bcast.lanes = lanes;
  return intern(ctx, &e);
}

const tcc_expr *tcc_let(tcc_context *ctx, const tcc_var *v, const tcc_expr *value,
                        const tcc_expr *body) {
  tcc_expr e = proto_of(TCC_LET, body->type);
  e.u.let.var = v;
  e.u.let.value = value;
  e.u.let.body = body;
  return intern(ctx, &e);
}

/* ---- substitution ---- */

typedef struct subst {
  int n;
  const tcc_var *const *vars;
  const tcc_expr *const *values;
} subst;

static const tcc_expr *subst_rec(tcc_context *ctx, const tcc_expr *e, const subst *s) {
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM: return e;
  case TCC_VAR:
    for (int i = 0; i < s->n; i++)
      if (s->vars[i] == e->u.var) return s->values[i];
    return e;
  case TCC_SELECT:
    return tcc_select(ctx, subst_rec(ctx, e->u.select.cond, s), subst_rec(ctx, e->u.select.t, s),
                      subst_rec(ctx, e->u.select.f, s));
  case TCC_CAST: return tcc_cast(ctx, e->type, subst_rec(ctx, e->u.cast.a, s));
  case TCC_CALL: {
    const tcc_expr *args[4];
    for (int i = 0; i < e->u.call.nargs; i++)
      args[i] = subst_rec(ctx, e->u.call.args[i], s);
    return tcc_call(ctx, e->u.call.op, e->u.call.nargs, args);
  }
  case TCC_TENSOR_READ: {
    const tcc_expr **idx =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *idx * (size_t)(e->u.read.nidx + 1));
    for (int i = 0; i < e->u.read.nidx; i++)
      idx[i] = subst_rec(ctx, e->u.read.idx[i], s);
    return tcc_tensor_read(ctx, e->u.read.tensor, e->u.read.nidx, idx);
  }
  case TCC_REDUCE:
    return tcc_reduce(ctx, e->u.reduce.comb, subst_rec(ctx, e->u.reduce.source, s),
                      e->u.reduce.naxes, e->u.reduce.axes,
                      e->u.reduce.cond ? subst_rec(ctx, e->u.reduce.cond, s) : NULL);
  case TCC_LOAD: {
    const tcc_expr **idx =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *idx * (size_t)(e->u.load.nidx + 1));
    for (int i = 0; i < e->u.load.nidx; i++)
      idx[i] = subst_rec(ctx, e->u.load.idx[i], s);
    return tcc_load(ctx, e->u.load.buf, e->u.load.nidx, idx,
                    e->u.load.pred ? subst_rec(ctx, e->u.load.pred, s) : NULL);
  }
  case TCC_RAMP:
    return tcc_ramp(ctx, subst_rec(ctx, e->u.ramp.base, s), subst_rec(ctx, e->u.ramp.stride, s),
                    e->u.ramp.lanes);
  case TCC_BROADCAST:
    return tcc_broadcast(ctx, subst_rec(ctx, e->u.bcast.value, s), e->u.bcast.lanes);
  case TCC_LET:
    return tcc_let(ctx, e->u.let.var, subst_rec(ctx, e->u.let.value, s),
                   subst_rec(ctx, e->u.let.body, s));
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: return tcc_unary(ctx, e->kind, subst_rec(ctx, e->u.bin.a, s));
  default:
    return tcc_binary(ctx, e->kind, subst_rec(ctx, e->u.bin.a, s), subst_rec(ctx, e->u.bin.b, s));
  }
}

const tcc_expr *tcc_expr_substitute(tcc_context *ctx, const tcc_expr *e, int n,
                                    const tcc_var *const *vars, const tcc_expr *const *values) {
  subst s = {n, vars, values};
  return n ? subst_rec(ctx, e, &s) : e;
}

/* ---- printing ---- */

static void print_list(FILE *f, int n, const tcc_expr *const *v) {
  for (int i = 0; i < n; i++) {
    if (i) fputs(", ", f);
    tcc_expr_print(f, v[i]);
  }
}

static const char *const reduce_names[] = {"sum", "prod", "min", "max", "reduce"};

void tcc_expr_print(FILE *f, const tcc_expr *e) {
  char tb[32];
  if (!e) {
    fputs("<null>", f);
    return;
  }
  switch (e->kind) {
  case TCC_INT_IMM:
    if (e->type.dtype == TCCRT_INT64)
      fprintf(f, "%lld", (long long)e->u.ival);
    else if (e->type.dtype == TCCRT_BOOL)
      fputs(e->u.ival ? "true" : "false", f);
    else if (e->type.dtype == TCCRT_UINT64)
      fprintf(f, "%lluu64", (unsigned long long)e->u.ival);
    else
      fprintf(f, "%lld%s", (long long)e->u.ival, tcc_type_str(e->type, tb, sizeof tb));
    return;
  case TCC_FLOAT_IMM:
    fprintf(f, "%.9g%s", e->u.fval, e->type.dtype == TCCRT_FLOAT32 ? "f" : "");
    if (e->type.dtype != TCCRT_FLOAT32) fprintf(f, "%s", tcc_type_str(e->type, tb, sizeof tb));
    return;
  case TCC_VAR: fputs(e->u.var->name, f); return;
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT:
    fputs(binary_syms[e->kind], f);
    fputc('(', f);
    tcc_expr_print(f, e->u.bin.a);
    fputc(')', f);
    return;
  case TCC_FLOORDIV:
  case TCC_FLOORMOD:
  case TCC_MIN:
  case TCC_MAX:
    fprintf(f, "%s(", binary_syms[e->kind]);
    tcc_expr_print(f, e->u.bin.a);
    fputs(", ", f);
    tcc_expr_print(f, e->u.bin.b);
    fputc(')', f);
    return;
  case TCC_SELECT:
    fputs("select(", f);
    tcc_expr_print(f, e->u.select.cond);
    fputs(", ", f);
    tcc_expr_print(f, e->u.select.t);
    fputs(", ", f);
    tcc_expr_print(f, e->u.select.f);
    fputc(')', f);
    return;
  case TCC_CAST:
    fprintf(f, "%s(", tcc_type_str(e->type, tb, sizeof tb));
    tcc_expr_print(f, e->u.cast.a);
    fputc(')', f);
    return;
  case TCC_CALL:
    fprintf(f, "%s(", tcc_intrin_name(e->u.call.op));
    print_list(f, e->u.call.nargs, e->u.call.args);
    fputc(')', f);
    return;
  case TCC_TENSOR_READ:
    fprintf(f, "%s[", e->u.read.tensor->name);
    print_list(f, e->u.read.nidx, e->u.read.idx);
    fputc(']', f);
    return;
  case TCC_REDUCE:
    fprintf(f, "%s(", reduce_names[e->u.reduce.comb->kind]);
    tcc_expr_print(f, e->u.reduce.source);
    fputs(", axis=[", f);
    for (int i = 0; i < e->u.reduce.naxes; i++)
      fprintf(f, "%s%s", i ? ", " : "", e->u.reduce.axes[i]->var->name);
    fputc(']', f);
    if (e->u.reduce.cond) {
      fputs(", where=", f);
      tcc_expr_print(f, e->u.reduce.cond);
    }
    fputc(')', f);
    return;
  case TCC_LOAD:
    fprintf(f, "%s[", e->u.load.buf->name);
    print_list(f, e->u.load.nidx, e->u.load.idx);
    fputc(']', f);
    if (e->u.load.pred) {
      fputs(" if ", f);
      tcc_expr_print(f, e->u.load.pred);
    }
    return;
  case TCC_RAMP:
    fputs("ramp(", f);
    tcc_expr_print(f, e->u.ramp.base);
    fputs(", ", f);
    tcc_expr_print(f, e->u.ramp.stride);
    fprintf(f, ", %d)", e->u.ramp.lanes);
    return;
  case TCC_BROADCAST:
    fputs("x", f);
    fprintf(f, "%d(", e->u.bcast.lanes);
    tcc_expr_print(f, e->u.bcast.value);
    fputc(')', f);
    return;
  case TCC_LET:
    fprintf(f, "(let %s = ", e->u.let.var->name);
    tcc_expr_print(f, e->u.let.value);
    fputs(" in ", f);
    tcc_expr_print(f, e->u.let.body);
    fputc(')', f);
    return;
  default:
    fputc('(', f);
    tcc_expr_print(f, e->u.bin.a);
    fprintf(f, " %s ", binary_syms[e->kind]);
    tcc_expr_print(f, e->u.bin.b);
    fputc(')', f);
    return;
  }
}

const char *tcc_expr_str(tcc_context *ctx, const tcc_expr *e) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return "<oom>";
  tcc_expr_print(f, e);
  fclose(f);
  const char *r = tcc_arena_strdup(tcc_ctx_arena(ctx), buf);
  free(buf);
  return r;
}
