/* vectorize.c — pass: VECTORIZED loops of constant extent L become vector code over L lanes.
 *
 * The loop var becomes ramp(min, 1, L); an expression that does not depend on it stays scalar
 * and is broadcast where it meets a vector. A store whose index depends on the var becomes a
 * vector store; an if whose condition depends on it becomes a lane predicate on the stores and
 * loads below it. What cannot be vectorized (an allocation, an inner loop whose bounds depend on
 * the var, a store whose index does not depend on it while its value does, nested vectors)
 * leaves a serial loop. */
#include "transforms.h"

typedef struct vec {
  tcc_context *ctx;
  const tcc_var *v;
  const tcc_expr *ramp;
  int lanes;
  bool fail;
} vec;

static const tcc_expr *widen(vec *w, const tcc_expr *e) {
  if (e->type.lanes == w->lanes) return e;
  if (e->type.lanes != 1) {
    w->fail = true;
    return e;
  }
  return tcc_broadcast(w->ctx, e, w->lanes);
}

static const tcc_expr *and_pred(vec *w, const tcc_expr *a, const tcc_expr *b) {
  if (!a) return b;
  if (!b) return a;
  return tcc_and(w->ctx, widen(w, a), widen(w, b));
}

static const tcc_expr **ebuf(tcc_context *ctx, int n) {
  return tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(const tcc_expr *) * (size_t)(n > 0 ? n : 1));
}

/* Vector form of e (lanes w->lanes), or e itself when it does not depend on the var. */
static const tcc_expr *vx(vec *w, const tcc_expr *e, const tcc_expr *pred) {
  tcc_context *ctx = w->ctx;
  if (w->fail || !tcc_expr_uses_var(e, w->v)) return e;
  if (e->type.lanes != 1) {
    w->fail = true;
    return e;
  }
  switch (e->kind) {
  case TCC_VAR: return w->ramp;
  case TCC_SELECT:
    return tcc_select(ctx, widen(w, vx(w, e->u.select.cond, pred)),
                      widen(w, vx(w, e->u.select.t, pred)), widen(w, vx(w, e->u.select.f, pred)));
  case TCC_CAST:
    return tcc_cast(ctx, tcc_type_with_lanes(e->type, w->lanes),
                    widen(w, vx(w, e->u.cast.a, pred)));
  case TCC_CALL: {
    const tcc_expr **a = ebuf(ctx, e->u.call.nargs);
    for (int i = 0; i < e->u.call.nargs; i++)
      a[i] = widen(w, vx(w, e->u.call.args[i], pred));
    return tcc_call(ctx, e->u.call.op, e->u.call.nargs, a);
  }
  case TCC_LOAD: {
    const tcc_expr **a = ebuf(ctx, e->u.load.nidx);
    for (int i = 0; i < e->u.load.nidx; i++)
      a[i] = widen(w, vx(w, e->u.load.idx[i], pred));
    const tcc_expr *p = e->u.load.pred ? vx(w, e->u.load.pred, pred) : NULL;
    return tcc_load(ctx, e->u.load.buf, e->u.load.nidx, a, and_pred(w, p, pred));
  }
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: return tcc_unary(ctx, e->kind, widen(w, vx(w, e->u.bin.a, pred)));
  case TCC_LET:
  case TCC_RAMP:
  case TCC_BROADCAST:
  case TCC_TENSOR_READ:
  case TCC_REDUCE:
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM: w->fail = true; return e;
  default:
    return tcc_binary(ctx, e->kind, widen(w, vx(w, e->u.bin.a, pred)),
                      widen(w, vx(w, e->u.bin.b, pred)));
  }
}

static const tcc_stmt *vs(vec *w, const tcc_stmt *s, const tcc_expr *pred) {
  tcc_context *ctx = w->ctx;
  if (!s || w->fail) return s;
  switch (s->kind) {
  case TCC_S_STORE: {
    bool idx_dep = false;
    for (int i = 0; i < s->u.store.nidx; i++)
      idx_dep |= tcc_expr_uses_var(s->u.store.idx[i], w->v);
    bool val_dep = tcc_expr_uses_var(s->u.store.value, w->v) ||
                   tcc_expr_uses_var(s->u.store.pred, w->v) || pred != NULL;
    if (!idx_dep) {
      if (val_dep) w->fail = true;
      return s;
    }
    const tcc_expr **a = ebuf(ctx, s->u.store.nidx);
    for (int i = 0; i < s->u.store.nidx; i++)
      a[i] = widen(w, vx(w, s->u.store.idx[i], NULL));
    const tcc_expr *p = s->u.store.pred ? vx(w, s->u.store.pred, pred) : NULL;
    p = and_pred(w, p, pred);
    const tcc_expr *val = widen(w, vx(w, s->u.store.value, pred));
    return tcc_s_store(ctx, s->u.store.buf, s->u.store.nidx, a, val, p ? widen(w, p) : NULL);
  }
  case TCC_S_IF: {
    if (!tcc_expr_uses_var(s->u.ifs.cond, w->v))
      return tcc_s_if(ctx, s->u.ifs.cond, vs(w, s->u.ifs.then_, pred), vs(w, s->u.ifs.else_, pred));
    if (s->u.ifs.else_) {
      w->fail = true;
      return s;
    }
    /* conjuncts independent of the var stay a scalar if; the rest become the lane predicate */
    const tcc_expr *conj[32];
    int n = 0;
    const tcc_expr *stack[32];
    int sp = 0;
    stack[sp++] = s->u.ifs.cond;
    while (sp && n < 32) {
      const tcc_expr *c = stack[--sp];
      if (c->kind == TCC_AND && sp < 30) {
        stack[sp++] = c->u.bin.b;
        stack[sp++] = c->u.bin.a;
      } else {
        conj[n++] = c;
      }
    }
    const tcc_expr *indep = NULL, *dep = NULL;
    for (int i = 0; i < n; i++) {
      if (tcc_expr_uses_var(conj[i], w->v)) {
        const tcc_expr *c = widen(w, vx(w, conj[i], pred));
        dep = dep ? tcc_and(ctx, dep, c) : c;
      } else {
        indep = indep ? tcc_and(ctx, indep, conj[i]) : conj[i];
      }
    }
    const tcc_stmt *body = vs(w, s->u.ifs.then_, and_pred(w, pred, dep));
    return indep ? tcc_s_if(ctx, indep, body, NULL) : body;
  }
  case TCC_S_FOR: {
    if (tcc_expr_uses_var(s->u.loop.min, w->v) || tcc_expr_uses_var(s->u.loop.extent, w->v)) {
      w->fail = true;
      return s;
    }
    tcc_for_kind k = s->u.loop.kind == TCC_FOR_VECTORIZED ? TCC_FOR_SERIAL : s->u.loop.kind;
    return tcc_s_for(ctx, s->u.loop.var, s->u.loop.min, s->u.loop.extent, k,
                     vs(w, s->u.loop.body, pred));
  }
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(s->u.seq.n + 1));
    for (int i = 0; i < s->u.seq.n; i++)
      v[i] = vs(w, s->u.seq.stmts[i], pred);
    return tcc_s_seq(ctx, s->u.seq.n, v);
  }
  case TCC_S_LET:
    if (tcc_expr_uses_var(s->u.let.value, w->v)) {
      w->fail = true;
      return s;
    }
    return tcc_s_let(ctx, s->u.let.var, s->u.let.value, vs(w, s->u.let.body, pred));
  case TCC_S_EVALUATE: return tcc_s_evaluate(ctx, vx(w, s->u.eval.value, pred));
  default: w->fail = true; return s;
  }
}

static const tcc_stmt *pass(tcc_context *ctx, const tcc_stmt *s) {
  if (!s) return NULL;
  switch (s->kind) {
  case TCC_S_FOR: {
    const tcc_stmt *body = pass(ctx, s->u.loop.body);
    int64_t ext;
    if (s->u.loop.kind == TCC_FOR_VECTORIZED) {
      if (tcc_expr_is_int_imm(s->u.loop.extent, &ext) && ext >= 2 && ext <= 64) {
        vec w = {ctx, s->u.loop.var, tcc_ramp(ctx, s->u.loop.min, tcc_idx(ctx, 1), (int)ext),
                 (int)ext, false};
        const tcc_stmt *r = vs(&w, body, NULL);
        if (!w.fail) return r;
      }
      return tcc_s_for(ctx, s->u.loop.var, s->u.loop.min, s->u.loop.extent, TCC_FOR_SERIAL, body);
    }
    return tcc_s_for(ctx, s->u.loop.var, s->u.loop.min, s->u.loop.extent, s->u.loop.kind, body);
  }
  case TCC_S_ALLOCATE:
    return tcc_s_allocate(ctx, s->u.alloc.buf, s->u.alloc.size, pass(ctx, s->u.alloc.body));
  case TCC_S_IF:
    return tcc_s_if(ctx, s->u.ifs.cond, pass(ctx, s->u.ifs.then_), pass(ctx, s->u.ifs.else_));
  case TCC_S_LET: return tcc_s_let(ctx, s->u.let.var, s->u.let.value, pass(ctx, s->u.let.body));
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(s->u.seq.n + 1));
    for (int i = 0; i < s->u.seq.n; i++)
      v[i] = pass(ctx, s->u.seq.stmts[i]);
    return tcc_s_seq(ctx, s->u.seq.n, v);
  }
  default: return s;
  }
}

const tcc_stmt *tcc_pass_vectorize(tcc_context *ctx, const tcc_stmt *s) { return pass(ctx, s); }
