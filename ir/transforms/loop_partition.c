/* loop_partition.c — pass: removes guards from full tiles.
 *
 * For a loop over v with constant bounds, every if-condition below it that is an integer
 * comparison depending on v tells for which v it provably holds whatever the other vars are
 * (found by binary search, then proven over the whole range). The intersection [L, U] of those
 * becomes the main loop, where the simplifier then removes the guards; [min, L) and (U, max]
 * become prologue/epilogue loops that keep them (and are partitioned again inside). */
#include "transforms.h"

typedef struct part {
  tcc_context *ctx;
  const tcc_var *v;
  int64_t mn, mx; /* the loop's range */
  int64_t lo, hi; /* the main range so far */
  bool constrained;
} part;

static bool holds_at(part *p, const tcc_expr *c, int64_t v, tcc_range_env *env) {
  const tcc_expr *ve = tcc_idx(p->ctx, v);
  return tcc_prove(p->ctx, tcc_expr_substitute(p->ctx, c, 1, &p->v, &ve), env);
}

/* The range of v where comparison c provably holds whatever the other vars are, found by a
 * binary search that assumes c's truth changes once over the loop (a monotone condition), then
 * verified by proving c over that whole range: the result is sound even when the assumption
 * fails (the condition is then left alone). */
static void analyze_cmp(part *p, const tcc_expr *c, tcc_range_env *env) {
  if (c->kind == TCC_AND) {
    analyze_cmp(p, c->u.bin.a, env);
    analyze_cmp(p, c->u.bin.b, env);
    return;
  }
  if (c->kind < TCC_EQ || c->kind > TCC_GE) return;
  if (c->u.bin.a->type.dtype != TCCRT_INT64 || c->u.bin.a->type.lanes != 1) return;
  if (!tcc_expr_uses_var(c, p->v)) return;
  bool a = holds_at(p, c, p->mn, env), b = holds_at(p, c, p->mx, env);
  if (a == b) return; /* true everywhere (the simplifier removes it) or nowhere we can use */
  int64_t L = p->mn, U = p->mx;
  if (a) { /* true at the start: largest U with c(U) */
    int64_t good = p->mn, bad = p->mx;
    while (bad - good > 1) {
      int64_t mid = good + (bad - good) / 2;
      if (holds_at(p, c, mid, env))
        good = mid;
      else
        bad = mid;
    }
    U = good;
  } else { /* true at the end: smallest L with c(L) */
    int64_t bad = p->mn, good = p->mx;
    while (good - bad > 1) {
      int64_t mid = bad + (good - bad) / 2;
      if (holds_at(p, c, mid, env))
        good = mid;
      else
        bad = mid;
    }
    L = good;
  }
  /* a guard of a tail leaves most of the loop as the main range; anything else (a periodic
   * condition) is not worth duplicating the loop for */
  if ((U - L + 1) * 2 < p->mx - p->mn + 1) {
    /* ...unless c is false on all the rest: then the loop just shrinks */
    int64_t rl = a ? U + 1 : p->mn, rh = a ? p->mx : L - 1;
    tcc_range_env_push(env, p->v, tcc_idx(p->ctx, rl), tcc_idx(p->ctx, rh - rl + 1));
    bool never = tcc_prove(p->ctx, tcc_unary(p->ctx, TCC_NOT, c), env);
    tcc_range_env_pop(env);
    if (!never) return;
  }
  tcc_range_env_push(env, p->v, tcc_idx(p->ctx, L), tcc_idx(p->ctx, U - L + 1));
  bool ok = tcc_prove(p->ctx, c, env);
  tcc_range_env_pop(env);
  if (!ok) return;
  if (L > p->lo) p->lo = L;
  if (U < p->hi) p->hi = U;
  p->constrained = true;
}

/* conditions of SELECTs (padding: in-bounds ? load : fill) also count: in the main range they
 * fold to one arm */
static void collect_selects(part *p, const tcc_expr *e, tcc_range_env *env, int depth) {
  if (!e || depth > 64) return;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR: return;
  case TCC_SELECT:
    if (e->type.lanes == 1) analyze_cmp(p, e->u.select.cond, env);
    collect_selects(p, e->u.select.t, env, depth + 1);
    collect_selects(p, e->u.select.f, env, depth + 1);
    return;
  case TCC_CAST: collect_selects(p, e->u.cast.a, env, depth + 1); return;
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      collect_selects(p, e->u.call.args[i], env, depth + 1);
    return;
  case TCC_LOAD:
  case TCC_RAMP:
  case TCC_BROADCAST:
  case TCC_LET:
  case TCC_TENSOR_READ:
  case TCC_REDUCE: return;
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: collect_selects(p, e->u.bin.a, env, depth + 1); return;
  default:
    collect_selects(p, e->u.bin.a, env, depth + 1);
    collect_selects(p, e->u.bin.b, env, depth + 1);
    return;
  }
}

static void collect(part *p, const tcc_stmt *s, tcc_range_env *env) {
  if (!s) return;
  switch (s->kind) {
  case TCC_S_STORE: collect_selects(p, s->u.store.value, env, 0); return;
  case TCC_S_FOR:
    tcc_range_env_push(env, s->u.loop.var, s->u.loop.min, s->u.loop.extent);
    collect(p, s->u.loop.body, env);
    tcc_range_env_pop(env);
    return;
  case TCC_S_IF:
    analyze_cmp(p, s->u.ifs.cond, env);
    collect(p, s->u.ifs.then_, env);
    collect(p, s->u.ifs.else_, env);
    return;
  case TCC_S_ALLOCATE: collect(p, s->u.alloc.body, env); return;
  case TCC_S_LET: collect(p, s->u.let.body, env); return;
  case TCC_S_SEQ:
    for (int i = 0; i < s->u.seq.n; i++)
      collect(p, s->u.seq.stmts[i], env);
    return;
  default: return;
  }
}

static const tcc_stmt *lp(tcc_context *ctx, const tcc_stmt *s, tcc_range_env *env);

static const tcc_stmt *lp_body_of_loop(tcc_context *ctx, const tcc_stmt *loop, tcc_range_env *env) {
  tcc_range_env_push(env, loop->u.loop.var, loop->u.loop.min, loop->u.loop.extent);
  const tcc_stmt *b = lp(ctx, loop->u.loop.body, env);
  tcc_range_env_pop(env);
  return tcc_s_for(ctx, loop->u.loop.var, loop->u.loop.min, loop->u.loop.extent, loop->u.loop.kind,
                   b);
}

static const tcc_stmt *piece(tcc_context *ctx, const tcc_stmt *loop, int64_t lo, int64_t hi,
                             bool fresh, tcc_range_env *env) {
  if (hi < lo) return NULL;
  const tcc_stmt *f = tcc_s_for(ctx, loop->u.loop.var, tcc_idx(ctx, lo), tcc_idx(ctx, hi - lo + 1),
                                loop->u.loop.kind, loop->u.loop.body);
  if (fresh) f = tcc_stmt_fresh_copy(ctx, f);
  const tcc_var *v = f->u.loop.var;
  f = tcc_simplify_stmt(ctx, f, env);
  if (!f) return NULL;
  if (f->kind != TCC_S_FOR || f->u.loop.var != v) return lp(ctx, f, env); /* extent 1: gone */
  return lp_body_of_loop(ctx, f, env);
}

static const tcc_stmt *lp(tcc_context *ctx, const tcc_stmt *s, tcc_range_env *env) {
  if (!s) return NULL;
  switch (s->kind) {
  case TCC_S_FOR: {
    int64_t mn, ext;
    if (s->u.loop.kind != TCC_FOR_VECTORIZED && s->u.loop.kind < TCC_FOR_BLOCK_X &&
        tcc_expr_is_int_imm(s->u.loop.min, &mn) && tcc_expr_is_int_imm(s->u.loop.extent, &ext) &&
        ext > 1) {
      part p = {ctx, s->u.loop.var, mn, mn + ext - 1, mn, mn + ext - 1, false};
      collect(&p, s->u.loop.body, env);
      if (p.constrained && p.lo <= p.hi && (p.lo > mn || p.hi < mn + ext - 1)) {
        const tcc_stmt *v[3];
        v[0] = piece(ctx, s, mn, p.lo - 1, true, env);
        v[1] = piece(ctx, s, p.lo, p.hi, false, env);
        v[2] = piece(ctx, s, p.hi + 1, mn + ext - 1, true, env);
        return tcc_s_seq(ctx, 3, v);
      }
    }
    return lp_body_of_loop(ctx, s, env);
  }
  case TCC_S_ALLOCATE:
    return tcc_s_allocate(ctx, s->u.alloc.buf, s->u.alloc.size, lp(ctx, s->u.alloc.body, env));
  case TCC_S_IF:
    return tcc_s_if(ctx, s->u.ifs.cond, lp(ctx, s->u.ifs.then_, env), lp(ctx, s->u.ifs.else_, env));
  case TCC_S_LET: return tcc_s_let(ctx, s->u.let.var, s->u.let.value, lp(ctx, s->u.let.body, env));
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(s->u.seq.n + 1));
    for (int i = 0; i < s->u.seq.n; i++)
      v[i] = lp(ctx, s->u.seq.stmts[i], env);
    return tcc_s_seq(ctx, s->u.seq.n, v);
  }
  default: return s;
  }
}

const tcc_stmt *tcc_pass_loop_partition(tcc_context *ctx, const tcc_stmt *s) {
  tcc_range_env env = {0};
  const tcc_stmt *r = lp(ctx, s, &env);
  tcc_range_env_free(&env);
  return r ? r : tcc_s_seq(ctx, 0, NULL);
}
