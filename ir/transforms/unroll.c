/* unroll.c — pass: UNROLLED loops of constant extent become the sequence of their bodies, the
 * loop var replaced by each value (bound vars inside renamed per copy). */
#include "transforms.h"

static const tcc_stmt *un(tcc_context *ctx, const tcc_stmt *s) {
  if (!s) return NULL;
  switch (s->kind) {
  case TCC_S_FOR: {
    const tcc_stmt *body = un(ctx, s->u.loop.body);
    int64_t mn, ext;
    if (s->u.loop.kind == TCC_FOR_UNROLLED) {
      if (tcc_expr_is_int_imm(s->u.loop.min, &mn) && tcc_expr_is_int_imm(s->u.loop.extent, &ext) &&
          ext >= 0 && ext <= 4096) {
        const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(ext + 1));
        for (int64_t i = 0; i < ext; i++) {
          const tcc_expr *val = tcc_idx(ctx, mn + i);
          v[i] = tcc_stmt_fresh_copy(ctx, tcc_stmt_substitute(ctx, body, 1, &s->u.loop.var, &val));
        }
        return tcc_s_seq(ctx, (int)ext, v);
      }
      return tcc_s_for(ctx, s->u.loop.var, s->u.loop.min, s->u.loop.extent, TCC_FOR_SERIAL, body);
    }
    return tcc_s_for(ctx, s->u.loop.var, s->u.loop.min, s->u.loop.extent, s->u.loop.kind, body);
  }
  case TCC_S_ALLOCATE:
    return tcc_s_allocate(ctx, s->u.alloc.buf, s->u.alloc.size, un(ctx, s->u.alloc.body));
  case TCC_S_IF:
    return tcc_s_if(ctx, s->u.ifs.cond, un(ctx, s->u.ifs.then_), un(ctx, s->u.ifs.else_));
  case TCC_S_LET: return tcc_s_let(ctx, s->u.let.var, s->u.let.value, un(ctx, s->u.let.body));
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(s->u.seq.n + 1));
    for (int i = 0; i < s->u.seq.n; i++)
      v[i] = un(ctx, s->u.seq.stmts[i]);
    return tcc_s_seq(ctx, s->u.seq.n, v);
  }
  default: return s;
  }
}

const tcc_stmt *tcc_pass_unroll(tcc_context *ctx, const tcc_stmt *s) { return un(ctx, s); }
