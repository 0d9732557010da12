/* loop_partition.c — pass: removes guards from full tiles.
 *
 * For a loop over v with constant bounds, every if-condition below it that is a comparison
 * linear in v (a*v + R < 0, R's bounds known from the enclosing and inner loop ranges) tells
 * for which v it holds whatever the other vars are. The intersection [L, U] of those ranges
 * becomes the main loop, where the simplifier then removes the guards; [min, L) and (U, max]
 * become prologue/epilogue loops that keep them (and are partitioned again inside). */
#include "transforms.h"

typedef struct part {
  tcc_context *ctx;
  const tcc_var *v;
  int64_t lo, hi; /* the main range so far */
  bool constrained;
} part;

static void floor_div(int64_t a, int64_t b, int64_t *q) { /* b > 0 */
  int64_t r = a / b;
  *q = (a % b != 0 && a < 0) ? r - 1 : r;
}

static void analyze_cmp(part *p, const tcc_expr *c, tcc_range_env *env) {
  tcc_context *ctx = p->ctx;
  if (c->kind == TCC_AND) {
    analyze_cmp(p, c->u.bin.a, env);
    analyze_cmp(p, c->u.bin.b, env);
    return;
  }
  if (c->kind < TCC_LT || c->kind > TCC_GE) return;
  const tcc_expr *x = c->u.bin.a, *y = c->u.bin.b;
  if (x->type.dtype != TCCRT_INT64 || x->type.lanes != 1) return;
  if (!tcc_expr_uses_var(c, p->v)) return;
  const tcc_expr *d;
  switch (c->kind) {
  case TCC_LT: d = tcc_sub(ctx, x, y); break;
  case TCC_LE: d = tcc_sub(ctx, tcc_sub(ctx, x, y), tcc_idx(ctx, 1)); break;
  case TCC_GT: d = tcc_sub(ctx, y, x); break;
  default: d = tcc_sub(ctx, tcc_sub(ctx, y, x), tcc_idx(ctx, 1)); break;
  }
  const tcc_expr *vals[3] = {tcc_idx(ctx, 0), tcc_idx(ctx, 1), tcc_idx(ctx, 2)};
  const tcc_expr *dv[3];
  for (int i = 0; i < 3; i++)
    dv[i] = tcc_simplify_expr(ctx, tcc_expr_substitute(ctx, d, 1, &p->v, &vals[i]), NULL);
  int64_t a, a2;
  if (!tcc_expr_is_int_imm(tcc_simplify_expr(ctx, tcc_sub(ctx, dv[1], dv[0]), NULL), &a)) return;
  if (!tcc_expr_is_int_imm(tcc_simplify_expr(ctx, tcc_sub(ctx, dv[2], dv[1]), NULL), &a2) || a2 != a)
    return;
  if (a == 0) return;
  int64_t rlo, rhi;
  tcc_const_bound(ctx, dv[0], env, &rlo, &rhi);
  if (rhi == TCC_POS_INF || rhi == TCC_NEG_INF) return;
  int64_t q;
  if (a > 0) { /* v <= floor((-rhi - 1) / a) */
    floor_div(-rhi - 1, a, &q);
    if (q < p->hi) p->hi = q, p->constrained = true;
  } else { /* v >= floor(rhi / -a) + 1 */
    floor_div(rhi, -a, &q);
    if (q + 1 > p->lo) p->lo = q + 1, p->constrained = true;
  }
}

static void collect(part *p, const tcc_stmt *s, tcc_range_env *env) {
  if (!s) return;
  switch (s->kind) {
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
    for (int i = 0; i < s->u.seq.n; i++) collect(p, s->u.seq.stmts[i], env);
    return;
  default: return;
  }
}

static const tcc_stmt *lp(tcc_context *ctx, const tcc_stmt *s, tcc_range_env *env);

static const tcc_stmt *lp_body_of_loop(tcc_context *ctx, const tcc_stmt *loop, tcc_range_env *env) {
  tcc_range_env_push(env, loop->u.loop.var, loop->u.loop.min, loop->u.loop.extent);
  const tcc_stmt *b = lp(ctx, loop->u.loop.body, env);
  tcc_range_env_pop(env);
  return tcc_s_for(ctx, loop->u.loop.var, loop->u.loop.min, loop->u.loop.extent, loop->u.loop.kind, b);
}

static const tcc_stmt *piece(tcc_context *ctx, const tcc_stmt *loop, int64_t lo, int64_t hi,
                             bool fresh, tcc_range_env *env) {
  if (hi < lo) return NULL;
  const tcc_stmt *f = tcc_s_for(ctx, loop->u.loop.var, tcc_idx(ctx, lo), tcc_idx(ctx, hi - lo + 1),
                                loop->u.loop.kind, loop->u.loop.body);
  if (fresh) f = tcc_stmt_fresh_copy(ctx, f);
  f = tcc_simplify_stmt(ctx, f, env);
  if (!f) return NULL;
  if (f->kind != TCC_S_FOR) return lp(ctx, f, env);
  return lp_body_of_loop(ctx, f, env);
}

static const tcc_stmt *lp(tcc_context *ctx, const tcc_stmt *s, tcc_range_env *env) {
  if (!s) return NULL;
  switch (s->kind) {
  case TCC_S_FOR: {
    int64_t mn, ext;
    if (s->u.loop.kind != TCC_FOR_VECTORIZED && tcc_expr_is_int_imm(s->u.loop.min, &mn) &&
        tcc_expr_is_int_imm(s->u.loop.extent, &ext) && ext > 1) {
      part p = {ctx, s->u.loop.var, mn, mn + ext - 1, false};
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
    for (int i = 0; i < s->u.seq.n; i++) v[i] = lp(ctx, s->u.seq.stmts[i], env);
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
