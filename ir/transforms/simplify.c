/* simplify.c — arithmetic simplification of expressions and statements.
 *
 * Integer int64 scalar expressions are brought to a canonical linear form
 *     c0 + sum_k coef_k * atom_k
 * where atoms are the non-linear parts (vars, div/mod, min/max, loads, ...), sorted by their
 * creation id, like terms combined. Division and modulo by a positive constant c pull out the
 * terms whose coefficients c divides (exact for floor semantics; for C truncation only when the
 * numerator is provably >= 0) and decide the rest by its bounds. min/max and comparisons are
 * decided from the bounds of the difference of their operands, first with constant bounds,
 * then by substituting the symbolic ranges of loop vars. Floating-point expressions are only
 * constant folded by the constructors (no reassociation: IEEE semantics are kept). */
#include "transforms.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TERMS 48

typedef struct term {
  const tcc_expr *atom;
  int64_t coef;
} term;

typedef struct lin {
  term t[MAX_TERMS];
  int n;
  int64_t c;
  bool ok; /* false: too many terms or overflow; caller falls back */
} lin;

typedef struct memo_entry {
  const tcc_expr *key, *val;
} memo_entry;

typedef struct simp {
  tcc_context *ctx;
  const tcc_range_env *env;
  memo_entry *memo;
  size_t cap, len;
} simp;

static const tcc_expr *simp_rec(simp *s, const tcc_expr *e);

static bool is_idx(const tcc_expr *e) { return e->type.dtype == TCCRT_INT64 && e->type.lanes == 1; }

/* ---- linear forms ---- */

static void lin_init(lin *l) {
  l->n = 0;
  l->c = 0;
  l->ok = true;
}

static void lin_term(lin *l, const tcc_expr *atom, int64_t coef) {
  if (!l->ok || coef == 0) return;
  for (int i = 0; i < l->n; i++)
    if (l->t[i].atom == atom) {
      if (__builtin_add_overflow(l->t[i].coef, coef, &l->t[i].coef)) l->ok = false;
      if (l->t[i].coef == 0) l->t[i] = l->t[--l->n];
      return;
    }
  if (l->n == MAX_TERMS) {
    l->ok = false;
    return;
  }
  l->t[l->n].atom = atom;
  l->t[l->n].coef = coef;
  l->n++;
}

/* Adds coef * e (e already simplified, so its sums are canonical) to l. */
static void lin_add(lin *l, const tcc_expr *e, int64_t coef) {
  int64_t k;
  if (!l->ok) return;
  switch (e->kind) {
  case TCC_INT_IMM: {
    int64_t p;
    if (__builtin_mul_overflow(e->u.ival, coef, &p) || __builtin_add_overflow(l->c, p, &l->c))
      l->ok = false;
    return;
  }
  case TCC_ADD:
    lin_add(l, e->u.bin.a, coef);
    lin_add(l, e->u.bin.b, coef);
    return;
  case TCC_SUB:
    lin_add(l, e->u.bin.a, coef);
    if (coef == INT64_MIN)
      l->ok = false;
    else
      lin_add(l, e->u.bin.b, -coef);
    return;
  case TCC_NEG:
    if (coef == INT64_MIN)
      l->ok = false;
    else
      lin_add(l, e->u.bin.a, -coef);
    return;
  case TCC_MUL:
    if (tcc_expr_is_int_imm(e->u.bin.b, &k) || tcc_expr_is_int_imm(e->u.bin.a, &k)) {
      const tcc_expr *x = e->u.bin.b->kind == TCC_INT_IMM ? e->u.bin.a : e->u.bin.b;
      int64_t p;
      if (__builtin_mul_overflow(k, coef, &p))
        l->ok = false;
      else
        lin_add(l, x, p);
      return;
    }
    lin_term(l, e, coef);
    return;
  default: lin_term(l, e, coef); return;
  }
}

static int term_cmp(const void *a, const void *b) {
  const term *x = a, *y = b;
  return x->atom->id < y->atom->id ? -1 : x->atom->id > y->atom->id;
}

/* (x / c) * (k*c) + (x % c) * k  ==>  x * k, for floor and for truncating pairs. */
static void lin_merge_divmod(lin *l) {
  bool again = true;
  while (again && l->ok) {
    again = false;
    for (int i = 0; i < l->n && !again; i++) {
      const tcc_expr *m = l->t[i].atom;
      int64_t c;
      if ((m->kind != TCC_MOD && m->kind != TCC_FLOORMOD) || !tcc_expr_is_int_imm(m->u.bin.b, &c))
        continue;
      tcc_expr_kind dk = m->kind == TCC_MOD ? TCC_DIV : TCC_FLOORDIV;
      for (int j = 0; j < l->n; j++) {
        const tcc_expr *d = l->t[j].atom;
        int64_t want;
        if (d->kind != dk || d->u.bin.a != m->u.bin.a || d->u.bin.b != m->u.bin.b) continue;
        if (__builtin_mul_overflow(l->t[i].coef, c, &want) || want != l->t[j].coef) continue;
        int64_t k = l->t[i].coef;
        const tcc_expr *x = m->u.bin.a;
        /* remove i and j (higher index first) */
        int hi = i > j ? i : j, lo = i > j ? j : i;
        l->t[hi] = l->t[--l->n];
        l->t[lo] = l->t[--l->n];
        lin_add(l, x, k);
        again = true;
        break;
      }
    }
  }
}

static const tcc_expr *term_expr(tcc_context *ctx, const term *t, int64_t sign) {
  int64_t c = t->coef * sign;
  return c == 1 ? t->atom : tcc_mul(ctx, t->atom, tcc_idx(ctx, c));
}

static const tcc_expr *lin_build(tcc_context *ctx, lin *l) {
  qsort(l->t, (size_t)l->n, sizeof(term), term_cmp);
  int64_t cst = l->c;
  const tcc_expr *acc = NULL;
  for (int i = 0; i < l->n; i++)
    if (l->t[i].coef > 0) {
      const tcc_expr *x = term_expr(ctx, &l->t[i], 1);
      acc = acc ? tcc_add(ctx, acc, x) : x;
    }
  for (int i = 0; i < l->n; i++)
    if (l->t[i].coef < 0) {
      if (!acc) {
        if (cst > 0) {
          acc = tcc_sub(ctx, tcc_idx(ctx, cst), term_expr(ctx, &l->t[i], -1));
          cst = 0;
        } else {
          acc = term_expr(ctx, &l->t[i], 1);
        }
      } else {
        acc = tcc_sub(ctx, acc, term_expr(ctx, &l->t[i], -1));
      }
    }
  if (!acc) return tcc_idx(ctx, cst);
  if (cst > 0)
    acc = tcc_add(ctx, acc, tcc_idx(ctx, cst));
  else if (cst < 0 && cst != INT64_MIN)
    acc = tcc_sub(ctx, acc, tcc_idx(ctx, -cst));
  else if (cst < 0)
    acc = tcc_add(ctx, acc, tcc_idx(ctx, cst));
  return acc;
}

/* ---- bounds of linear forms, constant and symbolic ---- */

static void lin_const_bound(simp *s, const lin *l, int64_t *lo, int64_t *hi) {
  lin copy = *l;
  const tcc_expr *e = lin_build(s->ctx, &copy);
  tcc_const_bound(s->ctx, e, s->env, lo, hi);
}

/* Bounds of l after replacing vars by their symbolic extremes (innermost first), a few rounds.
 * upper: the bound on the max side; lower: on the min side. */
static bool lin_sym_bound(simp *s, const lin *l, bool upper, int64_t *out) {
  lin cur = *l;
  int rounds = 0;
  for (int round = 0; round < 12; round++) {
    /* the term whose var was declared last (innermost) */
    int best = -1, best_pos = -1;
    for (int i = 0; i < cur.n; i++) {
      const tcc_expr *a = cur.t[i].atom;
      if (a->kind != TCC_VAR || !s->env) continue;
      for (int k = s->env->n - 1; k > best_pos; k--)
        if (s->env->v[k].var == a->u.var) {
          best = i;
          best_pos = k;
          break;
        }
    }
    if (best < 0) break;
    const tcc_var_range *r = &s->env->v[best_pos];
    int64_t coef = cur.t[best].coef;
    lin next;
    lin_init(&next);
    next.c = cur.c;
    for (int i = 0; i < cur.n; i++)
      if (i != best) lin_term(&next, cur.t[i].atom, cur.t[i].coef);
    lin_add(&next, r->min, coef);
    if ((coef > 0) == upper) {
      lin_add(&next, r->extent, coef);
      lin_add(&next, tcc_idx(s->ctx, -1), coef);
    }
    if (!next.ok) break;
    cur = next;
    rounds++;
  }
  if (!rounds) return false;
  int64_t lo, hi;
  lin_const_bound(s, &cur, &lo, &hi);
  *out = upper ? hi : lo;
  return true;
}

static void lin_bound(simp *s, const lin *l, int64_t *lo, int64_t *hi) {
  lin_const_bound(s, l, lo, hi);
  int64_t v;
  if (lin_sym_bound(s, l, false, &v) && v > *lo) *lo = v;
  if (lin_sym_bound(s, l, true, &v) && v < *hi) *hi = v;
}

/* l = a - b */
static bool lin_diff(const tcc_expr *a, const tcc_expr *b, lin *l) {
  lin_init(l);
  lin_add(l, a, 1);
  lin_add(l, b, -1);
  return l->ok;
}

/* ---- rules ---- */

static int64_t fdiv64(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static const tcc_expr *simp_divmod(simp *s, tcc_expr_kind k, const tcc_expr *a, const tcc_expr *b) {
  tcc_context *ctx = s->ctx;
  int64_t c;
  if (!tcc_expr_is_int_imm(b, &c) || c <= 0) return tcc_binary(ctx, k, a, b);
  bool trunc = k == TCC_DIV || k == TCC_MOD;
  bool is_div = k == TCC_DIV || k == TCC_FLOORDIV;
  lin l;
  lin_init(&l);
  lin_add(&l, a, 1);
  if (!l.ok) return tcc_binary(ctx, k, a, b);
  if (trunc) {
    int64_t lo, hi;
    lin_bound(s, &l, &lo, &hi);
    if (lo < 0) return tcc_binary(ctx, k, a, b);
  }
  lin q, r;
  lin_init(&q);
  lin_init(&r);
  for (int i = 0; i < l.n; i++) {
    if (l.t[i].coef % c == 0)
      lin_term(&q, l.t[i].atom, l.t[i].coef / c);
    else
      lin_term(&r, l.t[i].atom, l.t[i].coef);
  }
  q.c = fdiv64(l.c, c);
  r.c = l.c - q.c * c;
  int64_t rlo, rhi;
  lin_bound(s, &r, &rlo, &rhi);
  const tcc_expr *re = lin_build(ctx, &r);
  if (rlo != TCC_NEG_INF && rhi != TCC_POS_INF && fdiv64(rlo, c) == fdiv64(rhi, c)) {
    int64_t kq = fdiv64(rlo, c);
    if (is_div) {
      q.c += kq;
      return lin_build(ctx, &q);
    }
    lin_add(&r, tcc_idx(ctx, -kq * c), 1);
    return lin_build(ctx, &r);
  }
  /* nested floor division: (x / a) / c == x / (a*c) for positive a, c */
  int64_t a2;
  if (is_div && r.n == 1 && r.c == 0 && r.t[0].coef == 1 &&
      (r.t[0].atom->kind == TCC_FLOORDIV || (r.t[0].atom->kind == TCC_DIV && rlo >= 0)) &&
      tcc_expr_is_int_imm(r.t[0].atom->u.bin.b, &a2) && a2 > 0 && a2 < (INT64_C(1) << 31) &&
      c < (INT64_C(1) << 31)) {
    re = tcc_binary(ctx, r.t[0].atom->kind, r.t[0].atom->u.bin.a, tcc_idx(ctx, a2 * c));
    lin_add(&q, re, 1);
    return lin_build(ctx, &q);
  }
  tcc_expr_kind ok =
      is_div ? (rlo >= 0 ? TCC_DIV : TCC_FLOORDIV) : (rlo >= 0 ? TCC_MOD : TCC_FLOORMOD);
  const tcc_expr *rest = tcc_binary(ctx, ok, re, b);
  if (!is_div) return rest;
  lin_add(&q, rest, 1);
  return lin_build(ctx, &q);
}

static const tcc_expr *simp_minmax(simp *s, tcc_expr_kind k, const tcc_expr *a, const tcc_expr *b) {
  lin d;
  if (lin_diff(a, b, &d)) {
    int64_t lo, hi;
    lin_bound(s, &d, &lo, &hi);
    if (hi <= 0) return k == TCC_MIN ? a : b;
    if (lo >= 0) return k == TCC_MIN ? b : a;
  }
  return tcc_binary(s->ctx, k, a, b);
}

static const tcc_expr *simp_cmp(simp *s, tcc_expr_kind k, const tcc_expr *a, const tcc_expr *b) {
  tcc_context *ctx = s->ctx;
  lin d;
  if (!lin_diff(a, b, &d)) return tcc_binary(ctx, k, a, b);
  int64_t lo, hi;
  lin_bound(s, &d, &lo, &hi);
  int decided = -1;
  switch (k) {
  case TCC_LT: decided = hi < 0 ? 1 : lo >= 0 ? 0 : -1; break;
  case TCC_LE: decided = hi <= 0 ? 1 : lo > 0 ? 0 : -1; break;
  case TCC_GT: decided = lo > 0 ? 1 : hi <= 0 ? 0 : -1; break;
  case TCC_GE: decided = lo >= 0 ? 1 : hi < 0 ? 0 : -1; break;
  case TCC_EQ: decided = (lo == 0 && hi == 0) ? 1 : (lo > 0 || hi < 0) ? 0 : -1; break;
  case TCC_NE: decided = (lo == 0 && hi == 0) ? 0 : (lo > 0 || hi < 0) ? 1 : -1; break;
  default: break;
  }
  if (decided >= 0) return tcc_bool(ctx, decided);
  /* canonical: positive terms on the left, the rest on the right; when one side has no term the
   * constant stands alone there, so no var gets a constant added (1 <= v stays 1 <= v: as
   * 0 <= v - 1 it would wrap for v = INT64_MIN and be true; v < -1 likewise stays) */
  lin L, R;
  lin_init(&L);
  lin_init(&R);
  for (int i = 0; i < d.n; i++) {
    if (d.t[i].coef > 0)
      lin_term(&L, d.t[i].atom, d.t[i].coef);
    else
      lin_term(&R, d.t[i].atom, -d.t[i].coef);
  }
  if (d.c == INT64_MIN) return tcc_binary(ctx, k, a, b);
  if (L.n == 0)
    L.c = d.c; /* c ? terms */
  else
    R.c = -d.c; /* terms ? c, or terms ? terms + c */
  return tcc_binary(ctx, k, lin_build(ctx, &L), lin_build(ctx, &R));
}

/* vector algebra on ramps and broadcasts */
static const tcc_expr *simp_vec_binary(simp *s, tcc_expr_kind k, const tcc_expr *a,
                                       const tcc_expr *b) {
  tcc_context *ctx = s->ctx;
  bool ra = a->kind == TCC_RAMP, rb = b->kind == TCC_RAMP;
  bool ba = a->kind == TCC_BROADCAST, bb = b->kind == TCC_BROADCAST;
  if (k == TCC_ADD || k == TCC_SUB) {
    if (ba && bb)
      return tcc_broadcast(ctx, simp_rec(s, tcc_binary(ctx, k, a->u.bcast.value, b->u.bcast.value)),
                           a->u.bcast.lanes);
    if (ra && bb)
      return tcc_ramp(ctx, simp_rec(s, tcc_binary(ctx, k, a->u.ramp.base, b->u.bcast.value)),
                      a->u.ramp.stride, a->u.ramp.lanes);
    if (ba && rb && k == TCC_ADD)
      return tcc_ramp(ctx, simp_rec(s, tcc_add(ctx, a->u.bcast.value, b->u.ramp.base)),
                      b->u.ramp.stride, b->u.ramp.lanes);
    if (ra && rb) {
      const tcc_expr *st = simp_rec(s, tcc_binary(ctx, k, a->u.ramp.stride, b->u.ramp.stride));
      const tcc_expr *bs = simp_rec(s, tcc_binary(ctx, k, a->u.ramp.base, b->u.ramp.base));
      int64_t z;
      if (tcc_expr_is_int_imm(st, &z) && z == 0) return tcc_broadcast(ctx, bs, a->u.ramp.lanes);
      return tcc_ramp(ctx, bs, st, a->u.ramp.lanes);
    }
  }
  if (k == TCC_MUL && is_idx(ra ? a->u.ramp.base : a)) {
    if (ba && bb)
      return tcc_broadcast(ctx, simp_rec(s, tcc_mul(ctx, a->u.bcast.value, b->u.bcast.value)),
                           a->u.bcast.lanes);
    if ((ra && bb) || (ba && rb)) {
      const tcc_expr *r = ra ? a : b, *m = ra ? b->u.bcast.value : a->u.bcast.value;
      return tcc_ramp(ctx, simp_rec(s, tcc_mul(ctx, r->u.ramp.base, m)),
                      simp_rec(s, tcc_mul(ctx, r->u.ramp.stride, m)), r->u.ramp.lanes);
    }
  }
  if (ba && bb && k != TCC_DIV && k != TCC_MOD && k != TCC_FLOORDIV && k != TCC_FLOORMOD)
    return tcc_broadcast(ctx, simp_rec(s, tcc_binary(ctx, k, a->u.bcast.value, b->u.bcast.value)),
                         a->u.bcast.lanes);
  return tcc_binary(ctx, k, a, b);
}

static const tcc_expr **args_buf(tcc_context *ctx, int n) {
  return tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(const tcc_expr *) * (size_t)(n > 0 ? n : 1));
}

static const tcc_expr *simp_uncached(simp *s, const tcc_expr *e) {
  tcc_context *ctx = s->ctx;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR: return e;
  case TCC_SELECT: {
    const tcc_expr *c = simp_rec(s, e->u.select.cond);
    int64_t cv;
    if (tcc_expr_is_int_imm(c, &cv)) return simp_rec(s, cv ? e->u.select.t : e->u.select.f);
    return tcc_select(ctx, c, simp_rec(s, e->u.select.t), simp_rec(s, e->u.select.f));
  }
  case TCC_CAST: return tcc_cast(ctx, e->type, simp_rec(s, e->u.cast.a));
  case TCC_CALL: {
    const tcc_expr **a = args_buf(ctx, e->u.call.nargs);
    for (int i = 0; i < e->u.call.nargs; i++)
      a[i] = simp_rec(s, e->u.call.args[i]);
    return tcc_call(ctx, e->u.call.op, e->u.call.nargs, a);
  }
  case TCC_TENSOR_READ: {
    const tcc_expr **a = args_buf(ctx, e->u.read.nidx);
    for (int i = 0; i < e->u.read.nidx; i++)
      a[i] = simp_rec(s, e->u.read.idx[i]);
    return tcc_tensor_read(ctx, e->u.read.tensor, e->u.read.nidx, a);
  }
  case TCC_REDUCE:
    return tcc_reduce(ctx, e->u.reduce.comb, simp_rec(s, e->u.reduce.source), e->u.reduce.naxes,
                      e->u.reduce.axes, e->u.reduce.cond ? simp_rec(s, e->u.reduce.cond) : NULL);
  case TCC_LOAD: {
    const tcc_expr **a = args_buf(ctx, e->u.load.nidx);
    for (int i = 0; i < e->u.load.nidx; i++)
      a[i] = simp_rec(s, e->u.load.idx[i]);
    const tcc_expr *p = e->u.load.pred ? simp_rec(s, e->u.load.pred) : NULL;
    if (p && p->kind == TCC_BROADCAST && p->u.bcast.value->kind == TCC_INT_IMM &&
        p->u.bcast.value->u.ival)
      p = NULL;
    int64_t pv;
    if (p && tcc_expr_is_int_imm(p, &pv) && pv) p = NULL;
    return tcc_load(ctx, e->u.load.buf, e->u.load.nidx, a, p);
  }
  case TCC_RAMP: {
    const tcc_expr *st = simp_rec(s, e->u.ramp.stride);
    int64_t z;
    if (tcc_expr_is_int_imm(st, &z) && z == 0)
      return tcc_broadcast(ctx, simp_rec(s, e->u.ramp.base), e->u.ramp.lanes);
    return tcc_ramp(ctx, simp_rec(s, e->u.ramp.base), st, e->u.ramp.lanes);
  }
  case TCC_BROADCAST: return tcc_broadcast(ctx, simp_rec(s, e->u.bcast.value), e->u.bcast.lanes);
  case TCC_LET: {
    const tcc_expr *v = simp_rec(s, e->u.let.value);
    if (v->kind == TCC_INT_IMM || v->kind == TCC_FLOAT_IMM || v->kind == TCC_VAR)
      return simp_rec(s, tcc_expr_substitute(ctx, e->u.let.body, 1, &e->u.let.var, &v));
    return tcc_let(ctx, e->u.let.var, v, simp_rec(s, e->u.let.body));
  }
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: {
    const tcc_expr *a = simp_rec(s, e->u.bin.a);
    if (e->kind == TCC_NEG && is_idx(e)) {
      lin l;
      lin_init(&l);
      lin_add(&l, a, -1);
      if (l.ok) return lin_build(ctx, &l);
    }
    if (e->kind == TCC_NOT && a->kind >= TCC_EQ && a->kind <= TCC_GE &&
        !tcc_dtype_is_float((tccrt_dtype)a->u.bin.a->type.dtype)) {
      static const tcc_expr_kind inv[] = {TCC_NE, TCC_EQ, TCC_GE, TCC_GT, TCC_LE, TCC_LT};
      return simp_rec(s, tcc_binary(ctx, inv[a->kind - TCC_EQ], a->u.bin.a, a->u.bin.b));
    }
    return tcc_unary(ctx, e->kind, a);
  }
  default: break;
  }
  /* binary */
  const tcc_expr *a = simp_rec(s, e->u.bin.a), *b = simp_rec(s, e->u.bin.b);
  tcc_expr_kind k = e->kind;
  if (is_idx(a)) {
    switch (k) {
    case TCC_ADD:
    case TCC_SUB:
    case TCC_MUL: {
      lin l;
      lin_init(&l);
      if (k == TCC_MUL) {
        int64_t c;
        if (tcc_expr_is_int_imm(b, &c))
          lin_add(&l, a, c);
        else if (tcc_expr_is_int_imm(a, &c))
          lin_add(&l, b, c);
        else
          return tcc_mul(ctx, a, b);
      } else {
        lin_add(&l, a, 1);
        lin_add(&l, b, k == TCC_ADD ? 1 : -1);
      }
      if (!l.ok) return tcc_binary(ctx, k, a, b);
      lin_merge_divmod(&l);
      return lin_build(ctx, &l);
    }
    case TCC_DIV:
    case TCC_MOD:
    case TCC_FLOORDIV:
    case TCC_FLOORMOD: return simp_divmod(s, k, a, b);
    case TCC_MIN:
    case TCC_MAX: return simp_minmax(s, k, a, b);
    case TCC_EQ:
    case TCC_NE:
    case TCC_LT:
    case TCC_LE:
    case TCC_GT:
    case TCC_GE: return simp_cmp(s, k, a, b);
    default: break;
    }
  }
  if (a->type.lanes > 1 && (a->kind == TCC_RAMP || a->kind == TCC_BROADCAST) &&
      (b->kind == TCC_RAMP || b->kind == TCC_BROADCAST))
    return simp_vec_binary(s, k, a, b);
  if (k == TCC_AND || k == TCC_OR) {
    /* x && x, x || x */
    if (a == b) return a;
  }
  return tcc_binary(ctx, k, a, b);
}

static const tcc_expr *simp_rec(simp *s, const tcc_expr *e) {
  if (e->kind == TCC_INT_IMM || e->kind == TCC_FLOAT_IMM || e->kind == TCC_VAR) return e;
  if (s->len * 2 >= s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 256;
    memo_entry *nm = calloc(ncap, sizeof *nm);
    if (!nm) abort();
    for (size_t i = 0; i < s->cap; i++)
      if (s->memo[i].key) {
        size_t j = (size_t)(s->memo[i].key->hash) & (ncap - 1);
        while (nm[j].key)
          j = (j + 1) & (ncap - 1);
        nm[j] = s->memo[i];
      }
    free(s->memo);
    s->memo = nm;
    s->cap = ncap;
  }
  size_t j = (size_t)e->hash & (s->cap - 1);
  while (s->memo[j].key) {
    if (s->memo[j].key == e) return s->memo[j].val;
    j = (j + 1) & (s->cap - 1);
  }
  const tcc_expr *r = simp_uncached(s, e);
  /* re-probe: the table may have grown during recursion */
  j = (size_t)e->hash & (s->cap - 1);
  while (s->memo[j].key && s->memo[j].key != e)
    j = (j + 1) & (s->cap - 1);
  if (!s->memo[j].key) s->len++;
  s->memo[j].key = e;
  s->memo[j].val = r;
  return r;
}

const tcc_expr *tcc_simplify_expr(tcc_context *ctx, const tcc_expr *e, const tcc_range_env *env) {
  tcc_range_env empty = {0};
  simp s = {ctx, env ? env : &empty, NULL, 0, 0};
  const tcc_expr *r = simp_rec(&s, e);
  free(s.memo);
  return r;
}

bool tcc_prove(tcc_context *ctx, const tcc_expr *cond, const tcc_range_env *env) {
  int64_t v;
  return tcc_expr_is_int_imm(tcc_simplify_expr(ctx, cond, env), &v) && v;
}

/* ---- statements ---- */

static bool is_true(const tcc_expr *e) {
  int64_t v;
  if (tcc_expr_is_int_imm(e, &v)) return v != 0;
  return e->kind == TCC_BROADCAST && tcc_expr_is_int_imm(e->u.bcast.value, &v) && v;
}
static bool is_false(const tcc_expr *e) {
  int64_t v;
  if (tcc_expr_is_int_imm(e, &v)) return v == 0;
  return e->kind == TCC_BROADCAST && tcc_expr_is_int_imm(e->u.bcast.value, &v) && !v;
}

static const tcc_stmt *simp_stmt(tcc_context *ctx, const tcc_stmt *st, tcc_range_env *env) {
  if (!st) return NULL;
  switch (st->kind) {
  case TCC_S_FOR: {
    const tcc_expr *mn = tcc_simplify_expr(ctx, st->u.loop.min, env);
    const tcc_expr *ex = tcc_simplify_expr(ctx, st->u.loop.extent, env);
    int64_t e;
    if (tcc_expr_is_int_imm(ex, &e) && e <= 0) return NULL;
    if (tcc_expr_is_int_imm(ex, &e) && e == 1 && st->u.loop.kind < TCC_FOR_BLOCK_X) {
      const tcc_stmt *b = tcc_stmt_substitute(ctx, st->u.loop.body, 1, &st->u.loop.var, &mn);
      return simp_stmt(ctx, b, env);
    }
    tcc_range_env_push(env, st->u.loop.var, mn, ex);
    const tcc_stmt *b = simp_stmt(ctx, st->u.loop.body, env);
    tcc_range_env_pop(env);
    if (!b) return NULL;
    return tcc_s_for(ctx, st->u.loop.var, mn, ex, st->u.loop.kind, b);
  }
  case TCC_S_STORE: {
    int n = st->u.store.nidx;
    const tcc_expr **idx = args_buf(ctx, n);
    for (int i = 0; i < n; i++)
      idx[i] = tcc_simplify_expr(ctx, st->u.store.idx[i], env);
    const tcc_expr *p = st->u.store.pred ? tcc_simplify_expr(ctx, st->u.store.pred, env) : NULL;
    if (p && is_false(p)) return NULL;
    if (p && is_true(p)) p = NULL;
    return tcc_s_store(ctx, st->u.store.buf, n, idx, tcc_simplify_expr(ctx, st->u.store.value, env),
                       p);
  }
  case TCC_S_ALLOCATE: {
    const tcc_stmt *b = simp_stmt(ctx, st->u.alloc.body, env);
    if (!b) return NULL;
    return tcc_s_allocate(ctx, st->u.alloc.buf, tcc_simplify_expr(ctx, st->u.alloc.size, env), b);
  }
  case TCC_S_IF: {
    const tcc_expr *c = tcc_simplify_expr(ctx, st->u.ifs.cond, env);
    if (is_true(c)) return simp_stmt(ctx, st->u.ifs.then_, env);
    if (is_false(c)) return simp_stmt(ctx, st->u.ifs.else_, env);
    const tcc_stmt *t = simp_stmt(ctx, st->u.ifs.then_, env);
    const tcc_stmt *f = simp_stmt(ctx, st->u.ifs.else_, env);
    if (!t && !f) return NULL;
    if (!t) return tcc_s_if(ctx, tcc_unary(ctx, TCC_NOT, c), f, NULL);
    return tcc_s_if(ctx, c, t, f);
  }
  case TCC_S_LET: {
    const tcc_expr *v = tcc_simplify_expr(ctx, st->u.let.value, env);
    if (v->kind == TCC_INT_IMM || v->kind == TCC_VAR || v->kind == TCC_FLOAT_IMM)
      return simp_stmt(ctx, tcc_stmt_substitute(ctx, st->u.let.body, 1, &st->u.let.var, &v), env);
    const tcc_stmt *b = simp_stmt(ctx, st->u.let.body, env);
    if (!b) return NULL;
    return tcc_s_let(ctx, st->u.let.var, v, b);
  }
  case TCC_S_SEQ: {
    int n = st->u.seq.n;
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(n + 1));
    int live = 0;
    for (int i = 0; i < n; i++) {
      v[i] = simp_stmt(ctx, st->u.seq.stmts[i], env);
      if (v[i]) live++;
    }
    if (!live) return NULL;
    return tcc_s_seq(ctx, n, v);
  }
  case TCC_S_EVALUATE: {
    const tcc_expr *v = tcc_simplify_expr(ctx, st->u.eval.value, env);
    if (v->kind == TCC_INT_IMM || v->kind == TCC_FLOAT_IMM || v->kind == TCC_VAR) return NULL;
    return tcc_s_evaluate(ctx, v);
  }
  default: return st;
  }
}

const tcc_stmt *tcc_simplify_stmt(tcc_context *ctx, const tcc_stmt *s, tcc_range_env *env) {
  return simp_stmt(ctx, s, env);
}

const tcc_stmt *tcc_pass_simplify(tcc_context *ctx, const tcc_stmt *s) {
  tcc_range_env env = {0};
  const tcc_stmt *r = simp_stmt(ctx, s, &env);
  tcc_range_env_free(&env);
  return r ? r : tcc_s_seq(ctx, 0, NULL);
}
