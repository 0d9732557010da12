/* bound.c — integer interval arithmetic: constant bounds of index expressions and symbolic
 * intervals for bounds inference. */
#include "transforms.h"

#include <stdlib.h>

void tcc_range_env_push(tcc_range_env *env, const tcc_var *var, const tcc_expr *min,
                        const tcc_expr *extent) {
  if (env->n == env->cap) {
    env->cap = env->cap ? env->cap * 2 : 16;
    env->v = realloc(env->v, sizeof *env->v * (size_t)env->cap);
    if (!env->v) abort(); /* out of memory: internal */
  }
  env->v[env->n].var = var;
  env->v[env->n].min = min;
  env->v[env->n].extent = extent;
  env->n++;
}
void tcc_range_env_pop(tcc_range_env *env) {
  if (env->n > 0) env->n--;
}
void tcc_range_env_free(tcc_range_env *env) {
  free(env->v);
  env->v = NULL;
  env->n = env->cap = 0;
}

/* ---- saturating arithmetic on [NEG_INF, POS_INF] ---- */

static int64_t sat_add(int64_t a, int64_t b) {
  if (a == TCC_NEG_INF || b == TCC_NEG_INF)
    return (a == TCC_POS_INF || b == TCC_POS_INF) ? 0 : TCC_NEG_INF;
  if (a == TCC_POS_INF || b == TCC_POS_INF) return TCC_POS_INF;
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return a > 0 ? TCC_POS_INF : TCC_NEG_INF;
  return r;
}
static int64_t sat_neg(int64_t a) {
  if (a == TCC_NEG_INF) return TCC_POS_INF;
  if (a == TCC_POS_INF) return TCC_NEG_INF;
  return -a;
}
static int64_t sat_mul(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  bool neg = (a < 0) != (b < 0);
  if (a == TCC_NEG_INF || a == TCC_POS_INF || b == TCC_NEG_INF || b == TCC_POS_INF)
    return neg ? TCC_NEG_INF : TCC_POS_INF;
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return neg ? TCC_NEG_INF : TCC_POS_INF;
  return r;
}
static int64_t fdiv(int64_t a, int64_t b) { /* b > 0 */
  if (a == TCC_NEG_INF || a == TCC_POS_INF) return a;
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
static int64_t tdiv(int64_t a, int64_t b) { /* b > 0 */
  if (a == TCC_NEG_INF || a == TCC_POS_INF) return a;
  return a / b;
}
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static const tcc_var_range *env_find(const tcc_range_env *env, const tcc_var *v) {
  if (!env) return NULL;
  for (int i = env->n - 1; i >= 0; i--)
    if (env->v[i].var == v) return &env->v[i];
  return NULL;
}

static void dtype_bounds(tcc_type t, int64_t *lo, int64_t *hi) {
  tccrt_dtype d = (tccrt_dtype)t.dtype;
  if (tcc_dtype_is_int(d) || d == TCCRT_BOOL) {
    *lo = tcc_dtype_int_min(d);
    *hi = tcc_dtype_int_max(d);
    if (d == TCCRT_INT64) *lo = TCC_NEG_INF, *hi = TCC_POS_INF;
    if (d == TCCRT_UINT64) *lo = TCC_NEG_INF, *hi = TCC_POS_INF; /* stored as bits */
  } else {
    *lo = TCC_NEG_INF;
    *hi = TCC_POS_INF;
  }
}

static void cb(tcc_context *ctx, const tcc_expr *e, const tcc_range_env *env, int depth,
               int64_t *lo, int64_t *hi);

static void var_bound(tcc_context *ctx, const tcc_var *v, const tcc_range_env *env, int depth,
                      int64_t *lo, int64_t *hi) {
  const tcc_var_range *r = env_find(env, v);
  if (!r || depth > 8) {
    dtype_bounds(v->type, lo, hi);
    return;
  }
  /* Search only the part of the env declared before v, so bounds cannot loop. */
  tcc_range_env outer = *env;
  outer.n = (int)(r - env->v);
  int64_t mlo, mhi, elo, ehi;
  cb(ctx, r->min, &outer, depth + 1, &mlo, &mhi);
  cb(ctx, r->extent, &outer, depth + 1, &elo, &ehi);
  *lo = mlo;
  *hi = sat_add(sat_add(mhi, ehi), -1);
  if (*hi == TCC_POS_INF || ehi == TCC_POS_INF) {
    /* max = min + extent - 1 may be tighter as one expression (e.g. min = N - 4, extent = 4) */
    int64_t l2, h2;
    cb(ctx, tcc_sub(ctx, tcc_add(ctx, r->min, r->extent), tcc_idx(ctx, 1)), &outer, depth + 1, &l2,
       &h2);
    *hi = min64(*hi, h2);
  }
}

static void cb(tcc_context *ctx, const tcc_expr *e, const tcc_range_env *env, int depth,
               int64_t *lo, int64_t *hi) {
  int64_t alo, ahi, blo, bhi, c;
  if (e->type.lanes != 1 || tcc_dtype_is_float((tccrt_dtype)e->type.dtype)) {
    *lo = TCC_NEG_INF;
    *hi = TCC_POS_INF;
    return;
  }
  switch (e->kind) {
  case TCC_INT_IMM:
    *lo = *hi = e->u.ival;
    if (e->type.dtype == TCCRT_UINT64 && e->u.ival < 0) *lo = TCC_NEG_INF, *hi = TCC_POS_INF;
    return;
  case TCC_VAR: var_bound(ctx, e->u.var, env, depth, lo, hi); return;
  case TCC_ADD:
  case TCC_SUB:
    cb(ctx, e->u.bin.a, env, depth, &alo, &ahi);
    cb(ctx, e->u.bin.b, env, depth, &blo, &bhi);
    if (e->kind == TCC_SUB) {
      int64_t t = sat_neg(bhi);
      bhi = sat_neg(blo);
      blo = t;
    }
    *lo = sat_add(alo, blo);
    *hi = sat_add(ahi, bhi);
    break;
  case TCC_NEG:
    cb(ctx, e->u.bin.a, env, depth, &alo, &ahi);
    *lo = sat_neg(ahi);
    *hi = sat_neg(alo);
    break;
  case TCC_MUL: {
    cb(ctx, e->u.bin.a, env, depth, &alo, &ahi);
    cb(ctx, e->u.bin.b, env, depth, &blo, &bhi);
    int64_t p[4] = {sat_mul(alo, blo), sat_mul(alo, bhi), sat_mul(ahi, blo), sat_mul(ahi, bhi)};
    *lo = min64(min64(p[0], p[1]), min64(p[2], p[3]));
    *hi = max64(max64(p[0], p[1]), max64(p[2], p[3]));
    break;
  }
  case TCC_DIV:
  case TCC_FLOORDIV:
    cb(ctx, e->u.bin.a, env, depth, &alo, &ahi);
    if (tcc_expr_is_int_imm(e->u.bin.b, &c) && c > 0) {
      int64_t (*d)(int64_t, int64_t) = e->kind == TCC_DIV ? tdiv : fdiv;
      *lo = d(alo, c);
      *hi = d(ahi, c);
    } else {
      dtype_bounds(e->type, lo, hi);
      if (alo >= 0) { /* non-negative / anything non-negative */
        cb(ctx, e->u.bin.b, env, depth, &blo, &bhi);
        if (blo > 0) *lo = 0, *hi = ahi;
      }
    }
    break;
  case TCC_MOD:
  case TCC_FLOORMOD:
    cb(ctx, e->u.bin.a, env, depth, &alo, &ahi);
    if (tcc_expr_is_int_imm(e->u.bin.b, &c) && c > 0) {
      if (alo >= 0 && ahi < c) {
        *lo = alo;
        *hi = ahi;
      } else if (alo >= 0 && fdiv(alo, c) == fdiv(ahi, c) && ahi != TCC_POS_INF) {
        *lo = alo - fdiv(alo, c) * c;
        *hi = ahi - fdiv(alo, c) * c;
      } else if (e->kind == TCC_FLOORMOD || alo >= 0) {
        *lo = 0;
        *hi = c - 1;
      } else {
        *lo = -(c - 1);
        *hi = c - 1;
      }
    } else {
      dtype_bounds(e->type, lo, hi);
    }
    break;
  case TCC_MIN:
  case TCC_MAX:
    cb(ctx, e->u.bin.a, env, depth, &alo, &ahi);
    cb(ctx, e->u.bin.b, env, depth, &blo, &bhi);
    if (e->kind == TCC_MIN)
      *lo = min64(alo, blo), *hi = min64(ahi, bhi);
    else
      *lo = max64(alo, blo), *hi = max64(ahi, bhi);
    break;
  case TCC_SELECT:
    cb(ctx, e->u.select.t, env, depth, &alo, &ahi);
    cb(ctx, e->u.select.f, env, depth, &blo, &bhi);
    *lo = min64(alo, blo);
    *hi = max64(ahi, bhi);
    break;
  case TCC_CAST: {
    int64_t tlo, thi;
    dtype_bounds(e->type, &tlo, &thi);
    if (tcc_dtype_is_int((tccrt_dtype)e->u.cast.a->type.dtype) ||
        e->u.cast.a->type.dtype == TCCRT_BOOL) {
      cb(ctx, e->u.cast.a, env, depth, &alo, &ahi);
      if (alo >= tlo && ahi <= thi && e->type.dtype != TCCRT_UINT64) {
        *lo = alo;
        *hi = ahi;
        return;
      }
    }
    *lo = tlo;
    *hi = thi;
    return;
  }
  case TCC_EQ:
  case TCC_NE:
  case TCC_LT:
  case TCC_LE:
  case TCC_GT:
  case TCC_GE:
  case TCC_AND:
  case TCC_OR:
  case TCC_NOT:
    *lo = 0;
    *hi = 1;
    return;
  case TCC_LET: cb(ctx, e->u.let.body, env, depth, lo, hi); return;
  default: dtype_bounds(e->type, lo, hi); return;
  }
  /* clamp arithmetic results to the dtype for narrow ints (wrapping would break bounds) */
  if (e->type.dtype != TCCRT_INT64) {
    int64_t tlo, thi;
    dtype_bounds(e->type, &tlo, &thi);
    if (*lo < tlo || *hi > thi) {
      *lo = tlo;
      *hi = thi;
    }
  }
}

void tcc_const_bound(tcc_context *ctx, const tcc_expr *e, const tcc_range_env *env, int64_t *lo,
                     int64_t *hi) {
  cb(ctx, e, env, 0, lo, hi);
}

/* ---- symbolic intervals ---- */

typedef struct ictx {
  tcc_context *ctx;
  int n;
  const tcc_var_interval *relax;
  int depth;
} ictx;

static const tcc_expr *smin(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b) {
  return (a && b) ? tcc_min(ctx, a, b) : NULL;
}
static const tcc_expr *smax(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b) {
  return (a && b) ? tcc_max(ctx, a, b) : NULL;
}

static tcc_interval iv_rec(ictx *c, const tcc_expr *e);

static tcc_interval point(const tcc_expr *e) {
  tcc_interval r = {e, e};
  return r;
}
static const tcc_interval unbounded = {NULL, NULL};

static tcc_interval iv_rec(ictx *c, const tcc_expr *e) {
  tcc_context *ctx = c->ctx;
  int64_t k;
  tcc_interval a, b, r;
  if (e->type.dtype != TCCRT_INT64 || e->type.lanes != 1) {
    /* other int types: only when they contain no relaxed var */
    for (int i = 0; i < c->n; i++)
      if (tcc_expr_uses_var(e, c->relax[i].var)) return unbounded;
    return point(e);
  }
  switch (e->kind) {
  case TCC_INT_IMM: return point(e);
  case TCC_VAR:
    for (int i = c->n - 1; i >= 0; i--)
      if (c->relax[i].var == e->u.var) {
        if (c->depth > 16) return unbounded;
        c->depth++;
        tcc_interval lo = c->relax[i].iv.lo ? iv_rec(c, c->relax[i].iv.lo) : unbounded;
        tcc_interval hi = c->relax[i].iv.hi ? iv_rec(c, c->relax[i].iv.hi) : unbounded;
        c->depth--;
        r.lo = lo.lo;
        r.hi = hi.hi;
        return r;
      }
    return point(e);
  case TCC_ADD:
  case TCC_SUB:
    a = iv_rec(c, e->u.bin.a);
    b = iv_rec(c, e->u.bin.b);
    if (e->kind == TCC_ADD) {
      r.lo = (a.lo && b.lo) ? tcc_add(ctx, a.lo, b.lo) : NULL;
      r.hi = (a.hi && b.hi) ? tcc_add(ctx, a.hi, b.hi) : NULL;
    } else {
      r.lo = (a.lo && b.hi) ? tcc_sub(ctx, a.lo, b.hi) : NULL;
      r.hi = (a.hi && b.lo) ? tcc_sub(ctx, a.hi, b.lo) : NULL;
    }
    return r;
  case TCC_NEG:
    a = iv_rec(c, e->u.bin.a);
    r.lo = a.hi ? tcc_unary(ctx, TCC_NEG, a.hi) : NULL;
    r.hi = a.lo ? tcc_unary(ctx, TCC_NEG, a.lo) : NULL;
    return r;
  case TCC_MUL: {
    const tcc_expr *x = e->u.bin.a, *y = e->u.bin.b;
    if (tcc_expr_is_int_imm(x, &k)) {
      const tcc_expr *t = x;
      x = y;
      y = t;
    }
    if (!tcc_expr_is_int_imm(y, &k)) {
      a = iv_rec(c, x);
      b = iv_rec(c, y);
      if (a.lo == a.hi && b.lo == b.hi && a.lo && b.lo) return point(tcc_mul(ctx, a.lo, b.lo));
      return unbounded;
    }
    a = iv_rec(c, x);
    const tcc_expr *lo = a.lo ? tcc_mul(ctx, a.lo, y) : NULL;
    const tcc_expr *hi = a.hi ? tcc_mul(ctx, a.hi, y) : NULL;
    if (k >= 0)
      r.lo = lo, r.hi = hi;
    else
      r.lo = hi, r.hi = lo;
    return r;
  }
  case TCC_DIV:
  case TCC_FLOORDIV:
    if (tcc_expr_is_int_imm(e->u.bin.b, &k) && k > 0) {
      a = iv_rec(c, e->u.bin.a);
      r.lo = a.lo ? tcc_binary(ctx, e->kind, a.lo, e->u.bin.b) : NULL;
      r.hi = a.hi ? tcc_binary(ctx, e->kind, a.hi, e->u.bin.b) : NULL;
      return r;
    }
    break;
  case TCC_MOD:
  case TCC_FLOORMOD:
    if (tcc_expr_is_int_imm(e->u.bin.b, &k) && k > 0) {
      a = iv_rec(c, e->u.bin.a);
      if (a.lo && a.lo == a.hi) return point(tcc_binary(ctx, e->kind, a.lo, e->u.bin.b));
      r.lo = tcc_idx(ctx, e->kind == TCC_FLOORMOD ? 0 : -(k - 1));
      r.hi = tcc_idx(ctx, k - 1);
      if (e->kind == TCC_MOD && a.lo)
        r.lo = tcc_min(ctx, tcc_idx(ctx, 0), tcc_max(ctx, a.lo, r.lo));
      return r;
    }
    break;
  case TCC_MIN:
  case TCC_MAX:
    a = iv_rec(c, e->u.bin.a);
    b = iv_rec(c, e->u.bin.b);
    if (e->kind == TCC_MIN) {
      r.lo = smin(ctx, a.lo, b.lo);
      r.hi = a.hi ? (b.hi ? tcc_min(ctx, a.hi, b.hi) : a.hi) : b.hi;
    } else {
      r.lo = a.lo ? (b.lo ? tcc_max(ctx, a.lo, b.lo) : a.lo) : b.lo;
      r.hi = smax(ctx, a.hi, b.hi);
    }
    return r;
  case TCC_SELECT: {
    bool cond_relaxed = false;
    for (int i = 0; i < c->n; i++)
      if (tcc_expr_uses_var(e->u.select.cond, c->relax[i].var)) cond_relaxed = true;
    a = iv_rec(c, e->u.select.t);
    b = iv_rec(c, e->u.select.f);
    if (!cond_relaxed && a.lo && a.lo == a.hi && b.lo && b.lo == b.hi)
      return point(tcc_select(ctx, e->u.select.cond, a.lo, b.lo));
    r.lo = smin(ctx, a.lo, b.lo);
    r.hi = smax(ctx, a.hi, b.hi);
    return r;
  }
  case TCC_CAST:
    if (tcc_dtype_is_int((tccrt_dtype)e->u.cast.a->type.dtype)) {
      a = iv_rec(c, e->u.cast.a);
      /* only sound when the inner expression did not wrap; our index math is int64 anyway */
      if (a.lo == a.hi && a.lo) return point(tcc_cast(ctx, e->type, a.lo));
    }
    break;
  default: break;
  }
  /* leaf-like: a point if it mentions no relaxed var */
  for (int i = 0; i < c->n; i++)
    if (tcc_expr_uses_var(e, c->relax[i].var)) return unbounded;
  return point(e);
}

tcc_interval tcc_interval_of(tcc_context *ctx, const tcc_expr *e, int nrelax,
                             const tcc_var_interval *relax, const tcc_range_env *env) {
  ictx c = {ctx, nrelax, relax, 0};
  tcc_interval r = iv_rec(&c, e);
  tcc_range_env empty = {0};
  if (!env) env = &empty;
  if (r.lo) r.lo = tcc_simplify_expr(ctx, r.lo, env);
  if (r.hi) r.hi = tcc_simplify_expr(ctx, r.hi, env);
  return r;
}
