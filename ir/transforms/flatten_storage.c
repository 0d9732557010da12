/* flatten_storage.c — pass: multi-dimensional buffer indices become one flat element index,
 * row-major over the buffer's shape (or over its explicit strides). */
#include "transforms.h"

static const tcc_expr *flat_index(tcc_context *ctx, const tcc_buffer *b, int n,
                                  const tcc_expr *const *idx) {
  if (n == 0) return tcc_idx(ctx, 0);
  /* vector indices (a ramp in some dim): every term gets the same lane count */
  int lanes = 1;
  for (int d = 0; d < n; d++)
    if (idx[d]->type.lanes > lanes) lanes = idx[d]->type.lanes;
#define W(e) ((e)->type.lanes == lanes ? (e) : tcc_broadcast(ctx, (e), lanes))
  const tcc_expr *f = NULL;
  if (b->strides) {
    for (int d = 0; d < n; d++) {
      const tcc_expr *t = tcc_mul(ctx, W(idx[d]), W(b->strides[d]));
      f = f ? tcc_add(ctx, f, t) : t;
    }
  } else {
    f = W(idx[0]);
    for (int d = 1; d < n; d++)
      f = tcc_add(ctx, tcc_mul(ctx, f, W(b->shape[d])), W(idx[d]));
  }
#undef W
  return f;
}

static const tcc_expr *fl_expr(tcc_context *ctx, const tcc_expr *e);

static const tcc_expr **ebuf(tcc_context *ctx, int n) {
  return tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(const tcc_expr *) * (size_t)(n > 0 ? n : 1));
}

static const tcc_expr *fl_expr(tcc_context *ctx, const tcc_expr *e) {
  if (!e) return NULL;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR: return e;
  case TCC_SELECT:
    return tcc_select(ctx, fl_expr(ctx, e->u.select.cond), fl_expr(ctx, e->u.select.t),
                      fl_expr(ctx, e->u.select.f));
  case TCC_CAST: return tcc_cast(ctx, e->type, fl_expr(ctx, e->u.cast.a));
  case TCC_CALL: {
    const tcc_expr **a = ebuf(ctx, e->u.call.nargs);
    for (int i = 0; i < e->u.call.nargs; i++)
      a[i] = fl_expr(ctx, e->u.call.args[i]);
    return tcc_call(ctx, e->u.call.op, e->u.call.nargs, a);
  }
  case TCC_LOAD: {
    const tcc_expr **a = ebuf(ctx, e->u.load.nidx);
    for (int i = 0; i < e->u.load.nidx; i++)
      a[i] = fl_expr(ctx, e->u.load.idx[i]);
    const tcc_expr *f = flat_index(ctx, e->u.load.buf, e->u.load.nidx, a);
    return tcc_load(ctx, e->u.load.buf, 1, &f, fl_expr(ctx, e->u.load.pred));
  }
  case TCC_RAMP:
    return tcc_ramp(ctx, fl_expr(ctx, e->u.ramp.base), fl_expr(ctx, e->u.ramp.stride),
                    e->u.ramp.lanes);
  case TCC_BROADCAST: return tcc_broadcast(ctx, fl_expr(ctx, e->u.bcast.value), e->u.bcast.lanes);
  case TCC_LET:
    return tcc_let(ctx, e->u.let.var, fl_expr(ctx, e->u.let.value), fl_expr(ctx, e->u.let.body));
  case TCC_TENSOR_READ:
  case TCC_REDUCE: return e; /* not in loop IR */
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: return tcc_unary(ctx, e->kind, fl_expr(ctx, e->u.bin.a));
  default: return tcc_binary(ctx, e->kind, fl_expr(ctx, e->u.bin.a), fl_expr(ctx, e->u.bin.b));
  }
}

static const tcc_stmt *fl_stmt(tcc_context *ctx, const tcc_stmt *s) {
  if (!s) return NULL;
  switch (s->kind) {
  case TCC_S_FOR:
    return tcc_s_for(ctx, s->u.loop.var, fl_expr(ctx, s->u.loop.min),
                     fl_expr(ctx, s->u.loop.extent), s->u.loop.kind, fl_stmt(ctx, s->u.loop.body));
  case TCC_S_STORE: {
    const tcc_expr **a = ebuf(ctx, s->u.store.nidx);
    for (int i = 0; i < s->u.store.nidx; i++)
      a[i] = fl_expr(ctx, s->u.store.idx[i]);
    const tcc_expr *f = flat_index(ctx, s->u.store.buf, s->u.store.nidx, a);
    return tcc_s_store(ctx, s->u.store.buf, 1, &f, fl_expr(ctx, s->u.store.value),
                       fl_expr(ctx, s->u.store.pred));
  }
  case TCC_S_ALLOCATE:
    return tcc_s_allocate(ctx, s->u.alloc.buf, s->u.alloc.size, fl_stmt(ctx, s->u.alloc.body));
  case TCC_S_IF:
    return tcc_s_if(ctx, fl_expr(ctx, s->u.ifs.cond), fl_stmt(ctx, s->u.ifs.then_),
                    fl_stmt(ctx, s->u.ifs.else_));
  case TCC_S_LET:
    return tcc_s_let(ctx, s->u.let.var, fl_expr(ctx, s->u.let.value), fl_stmt(ctx, s->u.let.body));
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(s->u.seq.n + 1));
    for (int i = 0; i < s->u.seq.n; i++)
      v[i] = fl_stmt(ctx, s->u.seq.stmts[i]);
    return tcc_s_seq(ctx, s->u.seq.n, v);
  }
  case TCC_S_EVALUATE: return tcc_s_evaluate(ctx, fl_expr(ctx, s->u.eval.value));
  default: return s;
  }
}

const tcc_stmt *tcc_pass_flatten_storage(tcc_context *ctx, const tcc_stmt *s) {
  return fl_stmt(ctx, s);
}
