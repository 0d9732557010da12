/* stmt_util.c — statement rebuilding helpers shared by the passes: substitution, use queries,
 * fresh copies with renamed bound vars. */
#include "transforms.h"

static const tcc_expr **ebuf(tcc_context *ctx, int n) {
  return tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(const tcc_expr *) * (size_t)(n > 0 ? n : 1));
}

const tcc_stmt *tcc_stmt_substitute(tcc_context *ctx, const tcc_stmt *s, int n,
                                    const tcc_var *const *vars, const tcc_expr *const *values) {
  if (!s || n == 0) return s;
#define SUB(e) ((e) ? tcc_expr_substitute(ctx, (e), n, vars, values) : NULL)
  switch (s->kind) {
  case TCC_S_FOR:
    return tcc_s_for(ctx, s->u.loop.var, SUB(s->u.loop.min), SUB(s->u.loop.extent), s->u.loop.kind,
                     tcc_stmt_substitute(ctx, s->u.loop.body, n, vars, values));
  case TCC_S_STORE: {
    const tcc_expr **idx = ebuf(ctx, s->u.store.nidx);
    for (int i = 0; i < s->u.store.nidx; i++)
      idx[i] = SUB(s->u.store.idx[i]);
    return tcc_s_store(ctx, s->u.store.buf, s->u.store.nidx, idx, SUB(s->u.store.value),
                       SUB(s->u.store.pred));
  }
  case TCC_S_ALLOCATE:
    return tcc_s_allocate(ctx, s->u.alloc.buf, SUB(s->u.alloc.size),
                          tcc_stmt_substitute(ctx, s->u.alloc.body, n, vars, values));
  case TCC_S_IF:
    return tcc_s_if(ctx, SUB(s->u.ifs.cond),
                    tcc_stmt_substitute(ctx, s->u.ifs.then_, n, vars, values),
                    tcc_stmt_substitute(ctx, s->u.ifs.else_, n, vars, values));
  case TCC_S_LET:
    return tcc_s_let(ctx, s->u.let.var, SUB(s->u.let.value),
                     tcc_stmt_substitute(ctx, s->u.let.body, n, vars, values));
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(s->u.seq.n + 1));
    for (int i = 0; i < s->u.seq.n; i++)
      v[i] = tcc_stmt_substitute(ctx, s->u.seq.stmts[i], n, vars, values);
    return tcc_s_seq(ctx, s->u.seq.n, v);
  }
  case TCC_S_EVALUATE: return tcc_s_evaluate(ctx, SUB(s->u.eval.value));
  default: return s;
  }
#undef SUB
}

bool tcc_expr_uses_var(const tcc_expr *e, const tcc_var *v) {
  if (!e) return false;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM: return false;
  case TCC_VAR: return e->u.var == v;
  case TCC_SELECT:
    return tcc_expr_uses_var(e->u.select.cond, v) || tcc_expr_uses_var(e->u.select.t, v) ||
           tcc_expr_uses_var(e->u.select.f, v);
  case TCC_CAST: return tcc_expr_uses_var(e->u.cast.a, v);
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      if (tcc_expr_uses_var(e->u.call.args[i], v)) return true;
    return false;
  case TCC_TENSOR_READ:
    for (int i = 0; i < e->u.read.nidx; i++)
      if (tcc_expr_uses_var(e->u.read.idx[i], v)) return true;
    return false;
  case TCC_REDUCE:
    return tcc_expr_uses_var(e->u.reduce.source, v) || tcc_expr_uses_var(e->u.reduce.cond, v);
  case TCC_LOAD:
    for (int i = 0; i < e->u.load.nidx; i++)
      if (tcc_expr_uses_var(e->u.load.idx[i], v)) return true;
    return tcc_expr_uses_var(e->u.load.pred, v);
  case TCC_RAMP:
    return tcc_expr_uses_var(e->u.ramp.base, v) || tcc_expr_uses_var(e->u.ramp.stride, v);
  case TCC_BROADCAST: return tcc_expr_uses_var(e->u.bcast.value, v);
  case TCC_LET: return tcc_expr_uses_var(e->u.let.value, v) || tcc_expr_uses_var(e->u.let.body, v);
  default: return tcc_expr_uses_var(e->u.bin.a, v) || tcc_expr_uses_var(e->u.bin.b, v);
  }
}

bool tcc_stmt_uses_var(const tcc_stmt *s, const tcc_var *v) {
  if (!s) return false;
  switch (s->kind) {
  case TCC_S_FOR:
    return tcc_expr_uses_var(s->u.loop.min, v) || tcc_expr_uses_var(s->u.loop.extent, v) ||
           tcc_stmt_uses_var(s->u.loop.body, v);
  case TCC_S_STORE:
    for (int i = 0; i < s->u.store.nidx; i++)
      if (tcc_expr_uses_var(s->u.store.idx[i], v)) return true;
    return tcc_expr_uses_var(s->u.store.value, v) || tcc_expr_uses_var(s->u.store.pred, v);
  case TCC_S_ALLOCATE:
    return tcc_expr_uses_var(s->u.alloc.size, v) || tcc_stmt_uses_var(s->u.alloc.body, v);
  case TCC_S_IF:
    return tcc_expr_uses_var(s->u.ifs.cond, v) || tcc_stmt_uses_var(s->u.ifs.then_, v) ||
           tcc_stmt_uses_var(s->u.ifs.else_, v);
  case TCC_S_LET:
    return tcc_expr_uses_var(s->u.let.value, v) || tcc_stmt_uses_var(s->u.let.body, v);
  case TCC_S_SEQ:
    for (int i = 0; i < s->u.seq.n; i++)
      if (tcc_stmt_uses_var(s->u.seq.stmts[i], v)) return true;
    return false;
  case TCC_S_EVALUATE: return tcc_expr_uses_var(s->u.eval.value, v);
  default: return false;
  }
}

static bool expr_uses_buf(const tcc_expr *e, const tcc_buffer *b) {
  if (!e) return false;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR: return false;
  case TCC_SELECT:
    return expr_uses_buf(e->u.select.cond, b) || expr_uses_buf(e->u.select.t, b) ||
           expr_uses_buf(e->u.select.f, b);
  case TCC_CAST: return expr_uses_buf(e->u.cast.a, b);
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      if (expr_uses_buf(e->u.call.args[i], b)) return true;
    return false;
  case TCC_TENSOR_READ:
  case TCC_REDUCE: return false;
  case TCC_LOAD:
    if (e->u.load.buf == b) return true;
    for (int i = 0; i < e->u.load.nidx; i++)
      if (expr_uses_buf(e->u.load.idx[i], b)) return true;
    return expr_uses_buf(e->u.load.pred, b);
  case TCC_RAMP: return expr_uses_buf(e->u.ramp.base, b) || expr_uses_buf(e->u.ramp.stride, b);
  case TCC_BROADCAST: return expr_uses_buf(e->u.bcast.value, b);
  case TCC_LET: return expr_uses_buf(e->u.let.value, b) || expr_uses_buf(e->u.let.body, b);
  default: return expr_uses_buf(e->u.bin.a, b) || expr_uses_buf(e->u.bin.b, b);
  }
}

bool tcc_stmt_uses_buffer(const tcc_stmt *s, const tcc_buffer *b) {
  if (!s) return false;
  switch (s->kind) {
  case TCC_S_FOR:
    return expr_uses_buf(s->u.loop.min, b) || expr_uses_buf(s->u.loop.extent, b) ||
           tcc_stmt_uses_buffer(s->u.loop.body, b);
  case TCC_S_STORE:
    if (s->u.store.buf == b) return true;
    for (int i = 0; i < s->u.store.nidx; i++)
      if (expr_uses_buf(s->u.store.idx[i], b)) return true;
    return expr_uses_buf(s->u.store.value, b) || expr_uses_buf(s->u.store.pred, b);
  case TCC_S_ALLOCATE: return tcc_stmt_uses_buffer(s->u.alloc.body, b);
  case TCC_S_IF:
    return expr_uses_buf(s->u.ifs.cond, b) || tcc_stmt_uses_buffer(s->u.ifs.then_, b) ||
           tcc_stmt_uses_buffer(s->u.ifs.else_, b);
  case TCC_S_LET: return expr_uses_buf(s->u.let.value, b) || tcc_stmt_uses_buffer(s->u.let.body, b);
  case TCC_S_SEQ:
    for (int i = 0; i < s->u.seq.n; i++)
      if (tcc_stmt_uses_buffer(s->u.seq.stmts[i], b)) return true;
    return false;
  case TCC_S_EVALUATE: return expr_uses_buf(s->u.eval.value, b);
  case TCC_S_LAUNCH:
    for (int i = 0; i < s->u.launch.nargs; i++)
      if (s->u.launch.args[i] == b) return true;
    return false;
  default: return false;
  }
}

const tcc_stmt *tcc_stmt_fresh_copy(tcc_context *ctx, const tcc_stmt *s) {
  if (!s) return NULL;
  switch (s->kind) {
  case TCC_S_FOR: {
    tcc_var *nv = tcc_var_new(ctx, s->u.loop.var->name, s->u.loop.var->type);
    const tcc_expr *ve = tcc_expr_var(ctx, nv);
    const tcc_stmt *b = tcc_stmt_substitute(ctx, s->u.loop.body, 1, &s->u.loop.var, &ve);
    return tcc_s_for(ctx, nv, s->u.loop.min, s->u.loop.extent, s->u.loop.kind,
                     tcc_stmt_fresh_copy(ctx, b));
  }
  case TCC_S_LET: {
    tcc_var *nv = tcc_var_new(ctx, s->u.let.var->name, s->u.let.var->type);
    const tcc_expr *ve = tcc_expr_var(ctx, nv);
    const tcc_stmt *b = tcc_stmt_substitute(ctx, s->u.let.body, 1, &s->u.let.var, &ve);
    return tcc_s_let(ctx, nv, s->u.let.value, tcc_stmt_fresh_copy(ctx, b));
  }
  case TCC_S_ALLOCATE:
    return tcc_s_allocate(ctx, s->u.alloc.buf, s->u.alloc.size,
                          tcc_stmt_fresh_copy(ctx, s->u.alloc.body));
  case TCC_S_IF:
    return tcc_s_if(ctx, s->u.ifs.cond, tcc_stmt_fresh_copy(ctx, s->u.ifs.then_),
                    tcc_stmt_fresh_copy(ctx, s->u.ifs.else_));
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(s->u.seq.n + 1));
    for (int i = 0; i < s->u.seq.n; i++)
      v[i] = tcc_stmt_fresh_copy(ctx, s->u.seq.stmts[i]);
    return tcc_s_seq(ctx, s->u.seq.n, v);
  }
  default: return s;
  }
}
