/* split_reduce.c — lowering wants every reduction at the top of its own compute stage (TVM's
 * rule). An op whose compute wraps a reduction (ReduceMean = sum / n, ReduceL2 = sqrt(sum) ...)
 * is rewritten here: each REDUCE inside a body becomes its own compute stage over the same shape,
 * and the body reads it. */
#include "aot_te.h"

typedef struct split_state {
  tcc_context *ctx;
  const tcc_tensor *t; /* the tensor being rewritten */
  int made;
} split_state;

static const tcc_expr *make_stage(split_state *s, const tcc_expr *r) {
  tcc_context *ctx = s->ctx;
  tcc_arena *a = tcc_ctx_arena(ctx);
  const tcc_tensor *t = s->t;
  int nd = t->ndim;
  const tcc_itervar *const *nax = tcc_compute_axes(ctx, nd, t->shape, NULL);
  const tcc_var **from = tcc_arena_alloc(a, sizeof(tcc_var *) * (size_t)(nd + 1));
  const tcc_expr **to = tcc_arena_alloc(a, sizeof(tcc_expr *) * (size_t)(nd + 1));
  const tcc_expr **idx = tcc_arena_alloc(a, sizeof(tcc_expr *) * (size_t)(nd + 1));
  for (int d = 0; d < nd; d++) {
    from[d] = t->axes[d]->var;
    to[d] = tcc_expr_var(ctx, nax[d]->var);
    idx[d] = tcc_expr_var(ctx, t->axes[d]->var);
  }
  const tcc_expr *body = tcc_expr_substitute(ctx, r, nd, from, to);
  const char *name = tcc_arena_printf(a, "%s_red%d", t->name ? t->name : "t", s->made++);
  tcc_tensor *st = tcc_compute(ctx, name, nd, t->shape, nax, body, t->tag);
  st->tag_attrs = t->tag_attrs;
  return tcc_read(ctx, st, idx);
}

static const tcc_expr *rec(split_state *s, const tcc_expr *e) {
  tcc_context *ctx = s->ctx;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR: return e;
  case TCC_REDUCE: return make_stage(s, e);
  case TCC_SELECT:
    return tcc_select(ctx, rec(s, e->u.select.cond), rec(s, e->u.select.t), rec(s, e->u.select.f));
  case TCC_CAST: return tcc_cast(ctx, e->type, rec(s, e->u.cast.a));
  case TCC_CALL: {
    const tcc_expr *args[8];
    for (int i = 0; i < e->u.call.nargs && i < 8; i++)
      args[i] = rec(s, e->u.call.args[i]);
    return tcc_call(ctx, e->u.call.op, e->u.call.nargs, args);
  }
  case TCC_TENSOR_READ: {
    const tcc_expr **idx =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *idx * (size_t)(e->u.read.nidx + 1));
    for (int i = 0; i < e->u.read.nidx; i++)
      idx[i] = rec(s, e->u.read.idx[i]);
    return tcc_tensor_read(ctx, e->u.read.tensor, e->u.read.nidx, idx);
  }
  case TCC_LET: return tcc_let(ctx, e->u.let.var, rec(s, e->u.let.value), rec(s, e->u.let.body));
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: return tcc_unary(ctx, e->kind, rec(s, e->u.bin.a));
  case TCC_LOAD:
  case TCC_RAMP:
  case TCC_BROADCAST: return e; /* loop-IR only; never in TE */
  default: return tcc_binary(ctx, e->kind, rec(s, e->u.bin.a), rec(s, e->u.bin.b));
  }
}

static bool has_reduce(const tcc_expr *e) {
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR:
  case TCC_LOAD:
  case TCC_RAMP:
  case TCC_BROADCAST: return false;
  case TCC_REDUCE: return true;
  case TCC_SELECT:
    return has_reduce(e->u.select.cond) || has_reduce(e->u.select.t) || has_reduce(e->u.select.f);
  case TCC_CAST: return has_reduce(e->u.cast.a);
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      if (has_reduce(e->u.call.args[i])) return true;
    return false;
  case TCC_TENSOR_READ:
    for (int i = 0; i < e->u.read.nidx; i++)
      if (has_reduce(e->u.read.idx[i])) return true;
    return false;
  case TCC_LET: return has_reduce(e->u.let.value) || has_reduce(e->u.let.body);
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: return has_reduce(e->u.bin.a);
  default: return has_reduce(e->u.bin.a) || has_reduce(e->u.bin.b);
  }
}

tcc_tensor *tcc_aot_split_reductions(tcc_context *ctx, tcc_tensor *t) {
  if (!t || t->kind != TCC_TENSOR_COMPUTE || !t->body || t->body->kind == TCC_REDUCE ||
      !has_reduce(t->body))
    return t;
  split_state s = {ctx, t, 0};
  const tcc_expr *body = rec(&s, t->body);
  tcc_tensor *nt = tcc_compute(ctx, t->name, t->ndim, t->shape, t->axes, body, t->tag);
  nt->tag_attrs = t->tag_attrs;
  return nt;
}
