/* remove_dead.c — pass: drops statements without effect: loops of extent <= 0 or with an empty
 * body, empty sequences, ifs with constant conditions (keeping the taken branch), evaluates of
 * side-effect-free expressions, and allocations no statement uses. */
#include "transforms.h"

static bool empty(const tcc_stmt *s) { return !s || (s->kind == TCC_S_SEQ && s->u.seq.n == 0); }

static const tcc_stmt *rd(tcc_context *ctx, const tcc_stmt *s) {
  if (!s) return NULL;
  int64_t v;
  switch (s->kind) {
  case TCC_S_FOR: {
    if (tcc_expr_is_int_imm(s->u.loop.extent, &v) && v <= 0) return NULL;
    const tcc_stmt *b = rd(ctx, s->u.loop.body);
    if (empty(b)) return NULL;
    return tcc_s_for(ctx, s->u.loop.var, s->u.loop.min, s->u.loop.extent, s->u.loop.kind, b);
  }
  case TCC_S_ALLOCATE: {
    const tcc_stmt *b = rd(ctx, s->u.alloc.body);
    if (empty(b)) return NULL;
    if (!tcc_stmt_uses_buffer(b, s->u.alloc.buf)) return b;
    return tcc_s_allocate(ctx, s->u.alloc.buf, s->u.alloc.size, b);
  }
  case TCC_S_IF: {
    if (tcc_expr_is_int_imm(s->u.ifs.cond, &v)) return rd(ctx, v ? s->u.ifs.then_ : s->u.ifs.else_);
    const tcc_stmt *t = rd(ctx, s->u.ifs.then_), *f = rd(ctx, s->u.ifs.else_);
    if (empty(t) && empty(f)) return NULL;
    if (empty(t)) return tcc_s_if(ctx, tcc_unary(ctx, TCC_NOT, s->u.ifs.cond), f, NULL);
    return tcc_s_if(ctx, s->u.ifs.cond, t, empty(f) ? NULL : f);
  }
  case TCC_S_LET: {
    const tcc_stmt *b = rd(ctx, s->u.let.body);
    if (empty(b)) return NULL;
    return tcc_s_let(ctx, s->u.let.var, s->u.let.value, b);
  }
  case TCC_S_SEQ: {
    const tcc_stmt **v2 =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v2 * (size_t)(s->u.seq.n + 1));
    int live = 0;
    for (int i = 0; i < s->u.seq.n; i++) {
      const tcc_stmt *c = rd(ctx, s->u.seq.stmts[i]);
      if (!empty(c)) v2[live++] = c;
    }
    if (!live) return NULL;
    return tcc_s_seq(ctx, live, v2);
  }
  case TCC_S_EVALUATE: {
    tcc_expr_kind k = s->u.eval.value->kind;
    if (k == TCC_INT_IMM || k == TCC_FLOAT_IMM || k == TCC_VAR) return NULL;
    return s;
  }
  default: return s;
  }
}

const tcc_stmt *tcc_pass_remove_dead(tcc_context *ctx, const tcc_stmt *s) {
  const tcc_stmt *r = rd(ctx, s);
  return r ? r : tcc_s_seq(ctx, 0, NULL);
}
