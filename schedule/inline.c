/* inline.c — lowering step: substitutes the bodies of compute_inline stages into their
 * consumers (on tensor expressions, before bounds inference), and the read rewriter it uses. */
#include "sched_internal.h"

#include <stdlib.h>

typedef struct rw {
  tcc_context *ctx;
  tcc_read_fn fn;
  void *user;
  const tcc_expr **keys, **vals;
  size_t cap, len;
} rw;

static const tcc_expr *rw_rec(rw *r, const tcc_expr *e);

static const tcc_expr **ebuf(tcc_context *ctx, int n) {
  return tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(const tcc_expr *) * (size_t)(n > 0 ? n : 1));
}

static const tcc_expr *rw_uncached(rw *r, const tcc_expr *e) {
  tcc_context *ctx = r->ctx;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR: return e;
  case TCC_SELECT:
    return tcc_select(ctx, rw_rec(r, e->u.select.cond), rw_rec(r, e->u.select.t),
                      rw_rec(r, e->u.select.f));
  case TCC_CAST: return tcc_cast(ctx, e->type, rw_rec(r, e->u.cast.a));
  case TCC_CALL: {
    const tcc_expr **a = ebuf(ctx, e->u.call.nargs);
    for (int i = 0; i < e->u.call.nargs; i++)
      a[i] = rw_rec(r, e->u.call.args[i]);
    return tcc_call(ctx, e->u.call.op, e->u.call.nargs, a);
  }
  case TCC_TENSOR_READ: {
    const tcc_expr **a = ebuf(ctx, e->u.read.nidx);
    for (int i = 0; i < e->u.read.nidx; i++)
      a[i] = rw_rec(r, e->u.read.idx[i]);
    return r->fn(ctx, tcc_tensor_read(ctx, e->u.read.tensor, e->u.read.nidx, a), r->user);
  }
  case TCC_REDUCE:
    return tcc_reduce(ctx, e->u.reduce.comb, rw_rec(r, e->u.reduce.source), e->u.reduce.naxes,
                      e->u.reduce.axes, e->u.reduce.cond ? rw_rec(r, e->u.reduce.cond) : NULL);
  case TCC_LOAD: {
    const tcc_expr **a = ebuf(ctx, e->u.load.nidx);
    for (int i = 0; i < e->u.load.nidx; i++)
      a[i] = rw_rec(r, e->u.load.idx[i]);
    return tcc_load(ctx, e->u.load.buf, e->u.load.nidx, a,
                    e->u.load.pred ? rw_rec(r, e->u.load.pred) : NULL);
  }
  case TCC_RAMP:
    return tcc_ramp(ctx, rw_rec(r, e->u.ramp.base), rw_rec(r, e->u.ramp.stride), e->u.ramp.lanes);
  case TCC_BROADCAST: return tcc_broadcast(ctx, rw_rec(r, e->u.bcast.value), e->u.bcast.lanes);
  case TCC_LET:
    return tcc_let(ctx, e->u.let.var, rw_rec(r, e->u.let.value), rw_rec(r, e->u.let.body));
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: return tcc_unary(ctx, e->kind, rw_rec(r, e->u.bin.a));
  default: return tcc_binary(ctx, e->kind, rw_rec(r, e->u.bin.a), rw_rec(r, e->u.bin.b));
  }
}

static const tcc_expr *rw_rec(rw *r, const tcc_expr *e) {
  if (e->kind == TCC_INT_IMM || e->kind == TCC_FLOAT_IMM || e->kind == TCC_VAR) return e;
  if (r->len * 2 >= r->cap) {
    size_t nc = r->cap ? r->cap * 2 : 128;
    const tcc_expr **nk = calloc(nc, sizeof *nk), **nv = calloc(nc, sizeof *nv);
    if (!nk || !nv) abort();
    for (size_t i = 0; i < r->cap; i++)
      if (r->keys[i]) {
        size_t j = r->keys[i]->hash & (nc - 1);
        while (nk[j])
          j = (j + 1) & (nc - 1);
        nk[j] = r->keys[i];
        nv[j] = r->vals[i];
      }
    free(r->keys);
    free(r->vals);
    r->keys = nk;
    r->vals = nv;
    r->cap = nc;
  }
  size_t j = e->hash & (r->cap - 1);
  while (r->keys[j]) {
    if (r->keys[j] == e) return r->vals[j];
    j = (j + 1) & (r->cap - 1);
  }
  const tcc_expr *v = rw_uncached(r, e);
  j = e->hash & (r->cap - 1);
  while (r->keys[j] && r->keys[j] != e)
    j = (j + 1) & (r->cap - 1);
  if (!r->keys[j]) r->len++;
  r->keys[j] = e;
  r->vals[j] = v;
  return v;
}

const tcc_expr *tcc_rewrite_reads(tcc_context *ctx, const tcc_expr *e, tcc_read_fn fn, void *user) {
  rw r = {ctx, fn, user, NULL, NULL, 0, 0};
  const tcc_expr *out = rw_rec(&r, e);
  free(r.keys);
  free(r.vals);
  return out;
}

static const tcc_expr *inline_read(tcc_context *ctx, const tcc_expr *read, void *user) {
  tcc_schedule *sch = user;
  tcc_stage *p = tcc_schedule_stage(sch, read->u.read.tensor);
  if (!p || p->attach != TCC_ATTACH_INLINE) return read;
  const tcc_var **vars = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *vars * (size_t)(p->ndim + 1));
  for (int d = 0; d < p->ndim; d++)
    vars[d] = p->t->axes[d]->var;
  return tcc_expr_substitute(ctx, p->body, p->ndim, vars, read->u.read.idx);
}

static const tcc_expr *replace_read(tcc_context *ctx, const tcc_expr *read, void *user) {
  const tcc_stage *st = user;
  for (int i = 0; i < st->nrepl; i++)
    if (read->u.read.tensor == st->repl_from[i])
      return tcc_tensor_read(ctx, st->repl_to[i], read->u.read.nidx, read->u.read.idx);
  return read;
}

tcc_status tcc_sched_inline(tcc_context *ctx, tcc_schedule *sch) {
  /* topological order: a producer's body is final before its consumers use it */
  for (int i = 0; i < sch->nstages; i++) {
    tcc_stage *st = sch->stages[i];
    const tcc_expr *b = st->te_body;
    if (st->nrepl) b = tcc_rewrite_reads(ctx, b, replace_read, st); /* cache_read */
    st->body = tcc_rewrite_reads(ctx, b, inline_read, sch);
  }
  return TCC_OK;
}
