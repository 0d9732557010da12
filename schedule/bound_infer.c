/* bound_infer.c — lowering step: bounds inference from consumers to producers, the extents
 * and values of every axis (split/fuse relations), and the guards of non-dividing splits.
 *
 * Stages are visited consumers first. An output or root stage covers its whole shape. A stage
 * computed at axis L of consumer C covers, per dimension, the interval of the indices C reads
 * while C's loops outside and at L are fixed and those inside L range over their extents
 * (symbolic intervals, ir/transforms/bound.c), clamped to the tensor's shape. When that extent
 * varies with the outer loops but has a constant upper bound U (a partial last tile), the
 * region is widened to U points shifted inward, so allocations and loops have constant size. */
#include "sched_internal.h"
#include "transforms/transforms.h"

#include <string.h>

static bool split_divides(const tcc_relation *r) {
  int64_t e;
  if (!tcc_expr_is_int_imm(r->parent->ext, &e)) return false;
  return e % r->factor == 0;
}

void tcc_sched_axis_values(tcc_context *ctx, tcc_stage *st) {
  for (int d = 0; d < st->ndim; d++)
    st->root[d]->ext = st->rext[d];
  for (int r = 0; r < st->nreduce; r++)
    st->root[st->ndim + r]->ext = st->root[st->ndim + r]->root->extent;
  for (int i = 0; i < st->nrels; i++) {
    tcc_relation *r = st->rels[i];
    if (r->kind == REL_SPLIT) {
      const tcc_expr *f = tcc_idx(ctx, r->factor);
      const tcc_expr *ceil =
          tcc_floordiv(ctx, tcc_add(ctx, r->parent->ext, tcc_idx(ctx, r->factor - 1)), f);
      ceil = tcc_simplify_expr(ctx, ceil, NULL);
      if (!r->by_nparts) {
        r->outer->ext = ceil;
        r->inner->ext = f;
      } else {
        r->outer->ext = f;
        r->inner->ext = ceil;
      }
    } else {
      r->parent->ext = tcc_simplify_expr(ctx, tcc_mul(ctx, r->outer->ext, r->inner->ext), NULL);
    }
  }
  for (int i = 0; i < st->nleaves; i++) {
    tcc_axis *a = st->leaves[i];
    a->loop_var = tcc_var_new(ctx, a->name, tcc_index_type());
    a->value = tcc_expr_var(ctx, a->loop_var);
  }
  for (int i = st->nrels - 1; i >= 0; i--) {
    tcc_relation *r = st->rels[i];
    if (r->kind == REL_SPLIT) {
      const tcc_expr *step = r->by_nparts ? r->inner->ext : tcc_idx(ctx, r->factor);
      const tcc_expr *base = tcc_mul(ctx, r->outer->value, step);
      if (r->tail == TCC_TAIL_SHIFT_INWARD && !r->by_nparts && !split_divides(r)) {
        int64_t e;
        bool c = tcc_expr_is_int_imm(r->parent->ext, &e);
        if (!c || e >= r->factor) {
          const tcc_expr *last = tcc_sub(ctx, r->parent->ext, step);
          if (!c) last = tcc_max(ctx, last, tcc_idx(ctx, 0));
          base = tcc_min(ctx, base, last);
        }
      }
      r->parent->value = tcc_add(ctx, base, r->inner->value);
    } else {
      r->outer->value = tcc_floordiv(ctx, r->parent->value, r->inner->ext);
      r->inner->value = tcc_floormod(ctx, r->parent->value, r->inner->ext);
    }
  }
}

const tcc_expr *tcc_sched_guard(tcc_context *ctx, tcc_stage *st, bool only_data) {
  const tcc_expr *g = NULL;
  for (int i = 0; i < st->nrels; i++) {
    tcc_relation *r = st->rels[i];
    if (r->kind != REL_SPLIT || r->tail == TCC_TAIL_ROUND_UP) continue;
    if (only_data && r->parent->kind == TCC_IV_REDUCE) continue;
    int64_t e, step;
    if (tcc_expr_is_int_imm(r->parent->ext, &e)) {
      if (!r->by_nparts && e % r->factor == 0) continue;
      if (r->by_nparts && tcc_expr_is_int_imm(r->inner->ext, &step) && step * r->factor == e)
        continue;
      if (r->tail == TCC_TAIL_SHIFT_INWARD && !r->by_nparts && e >= r->factor) continue;
    }
    const tcc_expr *c = tcc_lt(ctx, r->parent->value, r->parent->ext);
    g = g ? tcc_and(ctx, g, c) : c;
  }
  return g;
}

/* does some split in the chain above root axis `a` round up? */
static bool rounds_up(const tcc_stage *st, const tcc_axis *a) {
  for (int i = 0; i < st->nrels; i++)
    if (st->rels[i]->kind == REL_SPLIT && st->rels[i]->parent == a) {
      const tcc_relation *r = st->rels[i];
      return r->tail == TCC_TAIL_ROUND_UP || rounds_up(st, r->outer) || rounds_up(st, r->inner);
    }
  for (int i = 0; i < st->nrels; i++)
    if (st->rels[i]->kind == REL_FUSE && (st->rels[i]->outer == a || st->rels[i]->inner == a))
      return rounds_up(st, st->rels[i]->parent);
  return false;
}

/* collect reads of tensor t in e */
typedef struct reads {
  const tcc_tensor *t;
  tcc_vec v;
  tcc_context *ctx;
} reads;
static const tcc_expr *collect_read(tcc_context *ctx, const tcc_expr *read, void *user) {
  reads *r = user;
  if (read->u.read.tensor == r->t) tcc_vec_push(tcc_ctx_arena(ctx), &r->v, &read);
  return read;
}

static bool stage_reads_tensor(tcc_context *ctx, const tcc_stage *s, const tcc_tensor *t) {
  reads r = {t, {0}, ctx};
  tcc_vec_init(&r.v, sizeof(const tcc_expr *));
  tcc_rewrite_reads(ctx, s->body, collect_read, &r);
  return r.v.len > 0;
}

/* ranges of the leaf loops of st and of the stages it is computed in, outermost first */
static void push_loop_env(tcc_stage *st, tcc_range_env *env, tcc_context *ctx) {
  if (st->attach == TCC_ATTACH_AT) push_loop_env(st->attach_stage, env, ctx);
  for (int i = 0; i < st->nleaves; i++)
    tcc_range_env_push(env, st->leaves[i]->loop_var, tcc_idx(ctx, 0), st->leaves[i]->ext);
}

static tcc_status infer_at(tcc_context *ctx, tcc_stage *p) {
  tcc_stage *c = p->attach_stage;
  tcc_axis *L = p->attach_axis;
  tcc_schedule *sch = p->sch;
  if (!L->leaf)
    return tcc_error(ctx,
                     "lower: stage '%s' is computed at axis '%s' of stage '%s', which was "
                     "split or fused afterwards",
                     p->t->name, L->name, c->t->name);
  if (c->attach == TCC_ATTACH_INLINE)
    return tcc_error(ctx, "lower: stage '%s' is computed at stage '%s', which is inlined",
                     p->t->name, c->t->name);
  int lpos = -1;
  for (int i = 0; i < c->nleaves; i++)
    if (c->leaves[i] == L) lpos = i;
  if (lpos < 0)
    return tcc_error(ctx, "lower: axis '%s' is not a loop of stage '%s'", L->name, c->t->name);
  /* the consumers: c itself, and stages computed inside c's loop L */
  tcc_stage **cons = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *cons * (size_t)(sch->nstages + 1));
  int ncons = 0, nvars = 0;
  for (int i = 0; i < sch->nstages; i++) {
    tcc_stage *o = sch->stages[i];
    if (o == p || o->attach == TCC_ATTACH_INLINE) continue;
    if (o != c && !stage_reads_tensor(ctx, o, p->t)) continue;
    if (o != c) {
      int opos = -1;
      if (o->attach == TCC_ATTACH_AT && o->attach_stage == c)
        for (int k = 0; k < c->nleaves; k++)
          if (c->leaves[k] == o->attach_axis) opos = k;
      if (opos < lpos)
        return tcc_error(ctx,
                         "lower: stage '%s' is computed at axis '%s' of stage '%s' but is "
                         "also read by stage '%s', which is not computed inside that loop",
                         p->t->name, L->name, c->t->name, o->t->name);
    }
    cons[ncons++] = o;
    nvars += o->nleaves + o->ndim + o->nreduce;
  }
  tcc_var_interval *rel = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *rel * (size_t)(nvars + 1));
  int nrel = 0;
  tcc_range_env env = {0};
  push_loop_env(c, &env, ctx);
  /* relax the consumer's loops inside L, and all loops of stages computed inside it; a shared
   * copy serves all threads of a block: relax the consumer's thread-bound loops too */
  bool shared = p->has_scope && p->scope == TCC_SCOPE_SHARED;
  for (int i = 0; shared && i <= lpos; i++) {
    tcc_axis *a = c->leaves[i];
    if (a->annot != TCC_ANNOT_BIND || a->bind < TCC_FOR_THREAD_X) continue;
    rel[nrel].var = a->loop_var;
    rel[nrel].iv.lo = tcc_idx(ctx, 0);
    rel[nrel].iv.hi = tcc_sub(ctx, a->ext, tcc_idx(ctx, 1));
    nrel++;
  }
  for (int i = lpos + 1; i < c->nleaves; i++) {
    rel[nrel].var = c->leaves[i]->loop_var;
    rel[nrel].iv.lo = tcc_idx(ctx, 0);
    rel[nrel].iv.hi = tcc_sub(ctx, c->leaves[i]->ext, tcc_idx(ctx, 1));
    nrel++;
  }
  for (int q = 0; q < ncons; q++) {
    tcc_stage *x = cons[q];
    if (x != c)
      for (int i = 0; i < x->nleaves; i++) {
        rel[nrel].var = x->leaves[i]->loop_var;
        rel[nrel].iv.lo = tcc_idx(ctx, 0);
        rel[nrel].iv.hi = tcc_sub(ctx, x->leaves[i]->ext, tcc_idx(ctx, 1));
        nrel++;
        tcc_range_env_push(&env, x->leaves[i]->loop_var, tcc_idx(ctx, 0), x->leaves[i]->ext);
      }
  }
  /* intervals of the consumers' TE root vars; rawrel keeps them unclamped by the guards (their
   * extents are exact linear differences, where the clamped ones lose the correlation) */
  int nleafrel = nrel;
  tcc_var_interval *rawrel =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *rawrel * (size_t)(nvars + 1));
  for (int i = 0; i < nrel; i++)
    rawrel[i] = rel[i];
  for (int q = 0; q < ncons; q++) {
    tcc_stage *x = cons[q];
    for (int r = 0; r < x->ndim + x->nreduce; r++) {
      tcc_axis *a = x->root[r];
      const tcc_expr *mn = r < x->ndim ? x->rmin[r] : a->root->min;
      tcc_interval iv = tcc_interval_of(ctx, a->value, nleafrel, rel, &env);
      rawrel[nrel].var = a->root->var;
      rawrel[nrel].iv.lo = iv.lo ? tcc_add(ctx, mn, iv.lo) : NULL;
      rawrel[nrel].iv.hi = iv.hi ? tcc_add(ctx, mn, iv.hi) : NULL;
      if (iv.lo) iv.lo = tcc_add(ctx, mn, tcc_max(ctx, iv.lo, tcc_idx(ctx, 0)));
      if (iv.hi) {
        const tcc_expr *hi = iv.hi;
        if (!rounds_up(x, a)) hi = tcc_min(ctx, hi, tcc_sub(ctx, a->ext, tcc_idx(ctx, 1)));
        iv.hi = tcc_add(ctx, mn, hi);
      }
      rel[nrel].var = a->root->var;
      rel[nrel].iv = iv;
      nrel++;
    }
  }
  reads rd = {p->t, {0}, ctx};
  tcc_vec_init(&rd.v, sizeof(const tcc_expr *));
  for (int q = 0; q < ncons; q++)
    tcc_rewrite_reads(ctx, cons[q]->body, collect_read, &rd);
  p->rmin = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *p->rmin * (size_t)(p->ndim + 1));
  p->rext = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *p->rext * (size_t)(p->ndim + 1));
  for (int d = 0; d < p->ndim; d++) {
    const tcc_expr *lo = NULL, *hi = NULL, *rlo = NULL, *rhi = NULL;
    bool bounded = rd.v.len > 0, raw = bounded;
    for (size_t k = 0; k < rd.v.len && bounded; k++) {
      const tcc_expr *rdx = TCC_VEC_AT(rd.v, const tcc_expr *, k);
      tcc_interval iv = tcc_interval_of(ctx, rdx->u.read.idx[d], nrel, rel, &env);
      if (!iv.lo || !iv.hi) {
        bounded = false;
        break;
      }
      lo = lo ? tcc_min(ctx, lo, iv.lo) : iv.lo;
      hi = hi ? tcc_max(ctx, hi, iv.hi) : iv.hi;
      tcc_interval rv = tcc_interval_of(ctx, rdx->u.read.idx[d], nrel, rawrel, &env);
      if (!rv.lo || !rv.hi) raw = false;
      if (raw) {
        rlo = rlo ? tcc_min(ctx, rlo, rv.lo) : rv.lo;
        rhi = rhi ? tcc_max(ctx, rhi, rv.hi) : rv.hi;
      }
    }
    const tcc_expr *shape = p->t->shape[d];
    if (!bounded) {
      p->rmin[d] = tcc_idx(ctx, 0);
      p->rext[d] = shape;
      continue;
    }
    int64_t e_raw;
    if (raw) {
      rlo = tcc_simplify_expr(ctx, rlo, &env);
      const tcc_expr *re = tcc_simplify_expr(
          ctx, tcc_add(ctx, tcc_sub(ctx, tcc_simplify_expr(ctx, rhi, &env), rlo), tcc_idx(ctx, 1)),
          &env);
      if (tcc_expr_is_int_imm(re, &e_raw) && e_raw >= 1) {
        /* E points starting at the lowest index read, shifted inward to stay in the shape */
        const tcc_expr *ext = tcc_simplify_expr(ctx, tcc_min(ctx, re, shape), &env);
        p->rext[d] = ext;
        p->rmin[d] = tcc_simplify_expr(
            ctx, tcc_max(ctx, tcc_min(ctx, rlo, tcc_sub(ctx, shape, ext)), tcc_idx(ctx, 0)), &env);
        continue;
      }
    }
    lo = tcc_simplify_expr(ctx, tcc_max(ctx, lo, tcc_idx(ctx, 0)), &env);
    hi = tcc_simplify_expr(ctx, tcc_min(ctx, hi, tcc_sub(ctx, shape, tcc_idx(ctx, 1))), &env);
    const tcc_expr *ext =
        tcc_simplify_expr(ctx, tcc_add(ctx, tcc_sub(ctx, hi, lo), tcc_idx(ctx, 1)), &env);
    int64_t sh, elo, ehi, ce;
    if (!tcc_expr_is_int_imm(ext, &ce) && tcc_expr_is_int_imm(shape, &sh)) {
      tcc_const_bound(ctx, ext, &env, &elo, &ehi);
      if (ehi > sh) ehi = sh;
      if (ehi < 1) ehi = 1;
      ext = tcc_idx(ctx, ehi);
      lo = tcc_simplify_expr(
          ctx, tcc_max(ctx, tcc_min(ctx, lo, tcc_idx(ctx, sh - ehi)), tcc_idx(ctx, 0)), &env);
    }
    p->rmin[d] = lo;
    p->rext[d] = ext;
  }
  tcc_range_env_free(&env);
  return TCC_OK;
}

/* A stage with a round_up split computes points past its extent: refuse when that makes it
 * read an input past the input's shape. */
static tcc_status check_round_up(tcc_context *ctx, tcc_stage *st) {
  bool any = false;
  for (int i = 0; i < st->nrels; i++)
    if (st->rels[i]->kind == REL_SPLIT && st->rels[i]->tail == TCC_TAIL_ROUND_UP) any = true;
  if (!any) return TCC_OK;
  int nroot = st->ndim + st->nreduce;
  const tcc_var **vars = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *vars * (size_t)(nroot + 1));
  const tcc_expr **vals = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *vals * (size_t)(nroot + 1));
  for (int r = 0; r < nroot; r++) {
    vars[r] = st->root[r]->root->var;
    vals[r] = tcc_add(ctx, r < st->ndim ? st->rmin[r] : st->root[r]->root->min, st->root[r]->value);
  }
  tcc_range_env env = {0};
  push_loop_env(st, &env, ctx);
  const tcc_tensor **in;
  tcc_tensor tmp = *st->t; /* the reads after cache_read replacements and inlining */
  tmp.body = st->body;
  int n = tcc_tensor_inputs(ctx, &tmp, &in);
  tcc_status res = TCC_OK;
  for (int k = 0; k < n && res == TCC_OK; k++) {
    reads rd = {in[k], {0}, ctx};
    tcc_vec_init(&rd.v, sizeof(const tcc_expr *));
    tcc_rewrite_reads(ctx, st->body, collect_read, &rd);
    for (size_t q = 0; q < rd.v.len && res == TCC_OK; q++) {
      const tcc_expr *r = TCC_VEC_AT(rd.v, const tcc_expr *, q);
      for (int d = 0; d < r->u.read.nidx; d++) {
        const tcc_expr *ix = tcc_expr_substitute(ctx, r->u.read.idx[d], nroot, vars, vals);
        int64_t lo, hi, sh;
        tcc_const_bound(ctx, tcc_simplify_expr(ctx, ix, &env), &env, &lo, &hi);
        if (!tcc_expr_is_int_imm(in[k]->shape[d], &sh)) continue;
        if (lo < 0 || hi >= sh) {
          res = tcc_error(ctx,
                          "lower: tail round_up on stage '%s' makes it read '%s' outside its "
                          "shape (dim %d index range [%lld, %lld], extent %lld); use guard or "
                          "shift_inward",
                          st->t->name, in[k]->name, d, (long long)lo, (long long)hi, (long long)sh);
          break;
        }
      }
    }
  }
  tcc_range_env_free(&env);
  return res;
}

tcc_status tcc_sched_infer_bounds(tcc_context *ctx, tcc_schedule *sch) {
  for (int i = sch->nstages - 1; i >= 0; i--) {
    tcc_stage *st = sch->stages[i];
    if (st->attach == TCC_ATTACH_INLINE) continue;
    if (st->attach == TCC_ATTACH_AT) {
      TCC_TRY(infer_at(ctx, st));
    } else {
      st->rmin = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *st->rmin * (size_t)(st->ndim + 1));
      st->rext = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *st->rext * (size_t)(st->ndim + 1));
      for (int d = 0; d < st->ndim; d++) {
        st->rmin[d] = tcc_idx(ctx, 0);
        st->rext[d] = st->t->shape[d];
      }
    }
    tcc_sched_axis_values(ctx, st);
    TCC_TRY(check_round_up(ctx, st));
  }
  return TCC_OK;
}
