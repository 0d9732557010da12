/* schedule_ops.c — lowering step: the schedule becomes a loop nest. Each stage at the root gets
 * its own nest (in topological order) and a buffer (a parameter, or an allocation around the
 * rest of the function); a compute_at stage is emitted, with its allocation, at the start of
 * the body of its consumer's loop; reductions become an init nest placed just outside the first
 * reduction loop and an update nest. Indices stay multi-dimensional (flattened later). */
#include "sched_internal.h"
#include "transforms/transforms.h"

#include <string.h>

typedef struct ops {
  tcc_context *ctx;
  tcc_schedule *sch;
  int nargs;
  const tcc_tensor *const *args;
  const tcc_buffer *const *bufs;
  tcc_status status;
} ops;

static const tcc_buffer *buffer_of(ops *o, const tcc_tensor *t, const tcc_expr *const **rmin) {
  for (int i = 0; i < o->nargs; i++)
    if (o->args[i] == t) {
      if (rmin) *rmin = NULL;
      return o->bufs[i];
    }
  tcc_stage *st = tcc_schedule_stage(o->sch, t);
  if (st && st->buf) {
    if (rmin) *rmin = st->attach == TCC_ATTACH_AT ? st->rmin : NULL;
    return st->buf;
  }
  return NULL;
}

static const tcc_expr *read_to_load(tcc_context *ctx, const tcc_expr *read, void *user) {
  ops *o = user;
  const tcc_expr *const *rmin;
  const tcc_buffer *b = buffer_of(o, read->u.read.tensor, &rmin);
  if (!b) {
    if (o->status == TCC_OK)
      o->status = tcc_error(ctx,
                            "lower: tensor '%s' is read but is neither an argument nor a "
                            "stage of the schedule",
                            read->u.read.tensor->name);
    return tcc_const(ctx, read->type, 0);
  }
  int n = read->u.read.nidx;
  const tcc_expr **idx = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *idx * (size_t)(n + 1));
  for (int d = 0; d < n; d++)
    idx[d] = rmin ? tcc_sub(ctx, read->u.read.idx[d], rmin[d]) : read->u.read.idx[d];
  return tcc_load(ctx, b, n, idx, NULL);
}

static tcc_for_kind loop_kind(const tcc_axis *a) {
  switch (a->annot) {
  case TCC_ANNOT_UNROLL: return TCC_FOR_UNROLLED;
  case TCC_ANNOT_VECTORIZE: return TCC_FOR_VECTORIZED;
  case TCC_ANNOT_PARALLEL: return TCC_FOR_PARALLEL;
  case TCC_ANNOT_BIND: return a->bind;
  default: return TCC_FOR_SERIAL;
  }
}

static const tcc_stmt *emit_stage(ops *o, tcc_stage *st);

/* The allocation of a non-parameter stage around `body`. */
static const tcc_stmt *wrap_alloc(ops *o, tcc_stage *st, const tcc_stmt *body) {
  tcc_context *ctx = o->ctx;
  const tcc_buffer *b = st->buf;
  const tcc_expr *size = tcc_idx(ctx, 1);
  if (b->strides && b->ndim > 0)
    size = tcc_mul(ctx, b->strides[0], b->shape[0]);
  else
    for (int d = 0; d < b->ndim; d++)
      size = tcc_mul(ctx, size, b->shape[d]);
  size = tcc_simplify_expr(ctx, size, NULL);
  return tcc_s_allocate(ctx, b, size, body);
}

static const tcc_stmt *attached_at(ops *o, tcc_stage *c, tcc_axis *leaf, const tcc_stmt *rest) {
  tcc_schedule *sch = o->sch;
  for (int i = sch->nstages - 1; i >= 0; i--) {
    tcc_stage *p = sch->stages[i];
    if (p->attach != TCC_ATTACH_AT || p->attach_stage != c || p->attach_axis != leaf) continue;
    if (p->has_scope && p->scope == TCC_SCOPE_SHARED) {
      /* the block's threads fill the shared copy together: wait until everyone is done reading
       * the previous contents, and until it is complete before reading it */
      const tcc_stmt *v[4] = {tcc_s_barrier(o->ctx), emit_stage(o, p), tcc_s_barrier(o->ctx), rest};
      rest = wrap_alloc(o, p, tcc_s_seq(o->ctx, 4, v));
      continue;
    }
    const tcc_stmt *v[2] = {emit_stage(o, p), rest};
    rest = wrap_alloc(o, p, tcc_s_seq(o->ctx, 2, v));
  }
  return rest;
}

/* ---- tensorize: match the stage's body against the intrinsic's, then emit the intrinsic ---- */

#define TZ_MAX_OPS 16

typedef struct tzm {
  tcc_context *ctx;
  int ninner;
  const tcc_var *const *ivars; /* the intrinsic's axis vars */
  int nops;
  const tcc_tensor *ph[TZ_MAX_OPS];
  const tcc_buffer *buf[TZ_MAX_OPS];
  const tcc_expr **base[TZ_MAX_OPS];
  const char *why;
} tzm;

static bool tz_uses_ivars(const tzm *m, const tcc_expr *e) {
  for (int i = 0; i < m->ninner; i++)
    if (tcc_expr_uses_var(e, m->ivars[i])) return true;
  return false;
}

static bool tz_match(tzm *m, const tcc_expr *se, const tcc_expr *ie) {
  if (!se || !ie) return se == ie;
  if (ie->kind == TCC_TENSOR_READ) {
    if (se->kind != TCC_LOAD || se->u.load.nidx != ie->u.read.nidx || se->u.load.pred ||
        !tcc_type_eq(se->type, ie->type)) {
      m->why = "an input the intrinsic reads is not a load of the same rank and type there";
      return false;
    }
    int n = ie->u.read.nidx;
    const tcc_expr **base = tcc_arena_alloc(tcc_ctx_arena(m->ctx), sizeof *base * (size_t)(n + 1));
    for (int d = 0; d < n; d++) {
      base[d] =
          tcc_simplify_expr(m->ctx, tcc_sub(m->ctx, se->u.load.idx[d], ie->u.read.idx[d]), NULL);
      if (tz_uses_ivars(m, base[d])) {
        m->why = "an input is not read at a base index plus the intrinsic's index";
        return false;
      }
    }
    for (int k = 0; k < m->nops; k++)
      if (m->ph[k] == ie->u.read.tensor) {
        bool same = m->buf[k] == se->u.load.buf;
        for (int d = 0; d < n && same; d++)
          same = m->base[k][d] == base[d];
        if (!same) m->why = "one intrinsic input stands for two different regions";
        return same;
      }
    if (m->nops == TZ_MAX_OPS) {
      m->why = "too many intrinsic inputs";
      return false;
    }
    m->ph[m->nops] = ie->u.read.tensor;
    m->buf[m->nops] = se->u.load.buf;
    m->base[m->nops] = base;
    m->nops++;
    return true;
  }
  if (se->kind != ie->kind || !tcc_type_eq(se->type, ie->type)) {
    m->why = "the operations differ";
    return false;
  }
  switch (se->kind) {
  case TCC_INT_IMM: return se->u.ival == ie->u.ival || (m->why = "a constant differs", false);
  case TCC_FLOAT_IMM:
    return memcmp(&se->u.fval, &ie->u.fval, sizeof(double)) == 0 ||
           (m->why = "a constant differs", false);
  case TCC_VAR: return se->u.var == ie->u.var || (m->why = "a variable differs", false);
  case TCC_SELECT:
    return tz_match(m, se->u.select.cond, ie->u.select.cond) &&
           tz_match(m, se->u.select.t, ie->u.select.t) &&
           tz_match(m, se->u.select.f, ie->u.select.f);
  case TCC_CAST: return tz_match(m, se->u.cast.a, ie->u.cast.a);
  case TCC_CALL:
    if (se->u.call.op != ie->u.call.op) return (m->why = "a math function differs", false);
    for (int i = 0; i < se->u.call.nargs; i++)
      if (!tz_match(m, se->u.call.args[i], ie->u.call.args[i])) return false;
    return true;
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: return tz_match(m, se->u.bin.a, ie->u.bin.a);
  case TCC_LOAD:
  case TCC_RAMP:
  case TCC_BROADCAST:
  case TCC_LET:
  case TCC_REDUCE:
  case TCC_TENSOR_READ: m->why = "unsupported expression in the pattern"; return false;
  default: return tz_match(m, se->u.bin.a, ie->u.bin.a) && tz_match(m, se->u.bin.b, ie->u.bin.b);
  }
}

/* The statement replacing the loops inside st->tz_axis (at leaf position pt). */
static const tcc_stmt *tz_emit(ops *o, tcc_stage *st, int pt, const tcc_var *const *vars,
                               const tcc_expr *const *vals, int nroot, const tcc_expr *const *sidx,
                               const tcc_expr *guard, bool accumulate) {
  tcc_context *ctx = o->ctx;
  const tcc_tensor_intrin *in = st->tz_intrin;
  const tcc_tensor *ic = in->compute;
  const tcc_expr *ired = ic->body->kind == TCC_REDUCE ? ic->body : NULL;
  int nr = ired ? ired->u.reduce.naxes : 0, ninner = st->nleaves - pt - 1;
  if (ninner != ic->ndim + nr) {
    o->status = tcc_error(ctx,
                          "lower: tensorize of stage '%s': the loops inside '%s' no longer "
                          "match intrinsic '%s'",
                          st->t->name, st->tz_axis->name, in->name);
    return NULL;
  }
  const tcc_var **lv = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *lv * (size_t)(ninner + 1));
  const tcc_var **iv = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *iv * (size_t)(ninner + 1));
  const tcc_expr **ie = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *ie * (size_t)(ninner + 1));
  for (int q = 0; q < ninner; q++) {
    lv[q] = st->leaves[pt + 1 + q]->loop_var;
    iv[q] = q < ic->ndim ? ic->axes[q]->var : ired->u.reduce.axes[q - ic->ndim]->var;
    ie[q] = tcc_expr_var(ctx, iv[q]);
  }
  for (int q = 0; q < ninner && guard; q++)
    if (tcc_expr_uses_var(guard, lv[q])) {
      o->status = tcc_error(ctx,
                            "lower: tensorize of stage '%s': the loops inside '%s' have a "
                            "tail (guarded points); split by factors that divide the extents",
                            st->t->name, st->tz_axis->name);
      return NULL;
    }
  tzm m;
  memset(&m, 0, sizeof m);
  m.ctx = ctx;
  m.ninner = ninner;
  m.ivars = iv;
  const tcc_expr *body = st->body;
  bool ok;
#define TZ_STAGE(e)                                                                                \
  tcc_simplify_expr(                                                                               \
      ctx,                                                                                         \
      tcc_expr_substitute(ctx,                                                                     \
                          tcc_rewrite_reads(ctx, tcc_expr_substitute(ctx, (e), nroot, vars, vals), \
                                            read_to_load, o),                                      \
                          ninner, lv, ie),                                                         \
      NULL)
  if (body->kind == TCC_REDUCE) {
    if (!ired) {
      m.why = "the stage reduces but the intrinsic does not";
      ok = false;
    } else if (body->u.reduce.comb->kind != ired->u.reduce.comb->kind ||
               (body->u.reduce.comb->kind == TCC_REDUCE_CUSTOM &&
                body->u.reduce.comb != ired->u.reduce.comb)) {
      m.why = "the reduction combiners differ";
      ok = false;
    } else {
      ok = tz_match(&m, TZ_STAGE(body->u.reduce.source), ired->u.reduce.source);
      if (ok && (body->u.reduce.cond || ired->u.reduce.cond))
        ok = body->u.reduce.cond && ired->u.reduce.cond &&
             tz_match(&m, TZ_STAGE(body->u.reduce.cond), ired->u.reduce.cond);
    }
  } else {
    ok = !ired && tz_match(&m, TZ_STAGE(body), ic->body);
    if (ired) m.why = "the intrinsic reduces but the stage does not";
  }
#undef TZ_STAGE
  /* the output: stored at a base plus the intrinsic's data indices */
  const tcc_expr **obase =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *obase * (size_t)(st->ndim + 1));
  if (ok && st->ndim != ic->ndim) {
    m.why = "the output ranks differ";
    ok = false;
  }
  for (int d = 0; ok && d < st->ndim; d++) {
    const tcc_expr *si = tcc_expr_substitute(ctx, sidx[d], ninner, lv, ie);
    obase[d] = tcc_simplify_expr(ctx, tcc_sub(ctx, si, tcc_expr_var(ctx, ic->axes[d]->var)), NULL);
    if (tz_uses_ivars(&m, obase[d])) {
      m.why = "the output is not written at a base index plus the intrinsic's index";
      ok = false;
    }
  }
  if (!ok) {
    o->status = tcc_error(ctx,
                          "lower: tensorize of stage '%s' at '%s': the loop nest does not "
                          "match intrinsic '%s': %s",
                          st->t->name, st->tz_axis->name, in->name, m.why ? m.why : "mismatch");
    return NULL;
  }
  const tcc_tensor **iin;
  int nin = tcc_tensor_inputs(ctx, ic, &iin);
  tcc_intrin_operand *ops_ = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *ops_ * (size_t)(nin + 1));
  for (int k = 0; k < nin; k++) {
    int found = -1;
    for (int j = 0; j < m.nops; j++)
      if (m.ph[j] == iin[k]) found = j;
    if (found < 0) {
      o->status = tcc_error(ctx,
                            "lower: tensorize of stage '%s': intrinsic input '%s' is not "
                            "matched",
                            st->t->name, iin[k]->name);
      return NULL;
    }
    ops_[k].buf = m.buf[found];
    ops_[k].base = m.base[found];
  }
  tcc_intrin_call call;
  call.ninputs = nin;
  call.inputs = ops_;
  call.output.buf = st->buf;
  call.output.base = obase;
  call.accumulate = accumulate;
  const tcc_stmt *r = in->emit(ctx, &call, in->user);
  if (!r) o->status = tcc_error(ctx, "lower: intrinsic '%s' emitted nothing", in->name);
  return r ? r : tcc_s_seq(ctx, 0, NULL);
}

static const tcc_stmt *emit_stage(ops *o, tcc_stage *st) {
  tcc_context *ctx = o->ctx;
  const tcc_expr *body = st->body;
  int nroot = st->ndim + st->nreduce;
  const tcc_var **vars = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *vars * (size_t)(nroot + 1));
  const tcc_expr **vals = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *vals * (size_t)(nroot + 1));
  for (int r = 0; r < nroot; r++) {
    tcc_axis *a = st->root[r];
    vars[r] = a->root->var;
    const tcc_expr *mn = r < st->ndim ? st->rmin[r] : a->root->min;
    vals[r] = tcc_add(ctx, mn, a->value);
  }
  const tcc_expr *const *store_idx = (const tcc_expr *const *)vals;
  const tcc_expr **sidx =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *sidx * (size_t)(st->ndim + 1));
  for (int d = 0; d < st->ndim; d++)
    sidx[d] = st->attach == TCC_ATTACH_AT ? st->root[d]->value : store_idx[d];
  const tcc_expr *guard = tcc_sched_guard(ctx, st, false);
  const tcc_stmt *update;
  const tcc_stmt *init = NULL;
  int first_reduce = -1;
  if (body->kind == TCC_REDUCE) {
    const tcc_combiner *comb = body->u.reduce.comb;
    const tcc_expr *src = tcc_expr_substitute(ctx, body->u.reduce.source, nroot, vars, vals);
    src = tcc_rewrite_reads(ctx, src, read_to_load, o);
    const tcc_expr *acc = tcc_load(ctx, st->buf, st->ndim, sidx, NULL);
    const tcc_var *cv[2] = {comb->lhs, comb->rhs};
    const tcc_expr *ce[2] = {acc, src};
    const tcc_expr *nv = tcc_expr_substitute(ctx, comb->result, 2, cv, ce);
    if (body->u.reduce.cond) {
      const tcc_expr *c = tcc_expr_substitute(ctx, body->u.reduce.cond, nroot, vars, vals);
      c = tcc_rewrite_reads(ctx, c, read_to_load, o);
      guard = guard ? tcc_and(ctx, guard, c) : c;
    }
    update = tcc_s_store(ctx, st->buf, st->ndim, sidx, nv, NULL);
    for (int i = 0; i < st->nleaves; i++)
      if (st->leaves[i]->kind == TCC_IV_REDUCE) {
        first_reduce = i;
        break;
      }
    /* init: loops over the data-parallel leaves inside the first reduction loop */
    const tcc_expr *dguard = tcc_sched_guard(ctx, st, true);
    tcc_vec fv, fe;
    tcc_vec_init(&fv, sizeof(const tcc_var *));
    tcc_vec_init(&fe, sizeof(const tcc_expr *));
    int start = first_reduce < 0 ? st->nleaves : first_reduce;
    for (int i = start; i < st->nleaves; i++) {
      tcc_axis *a = st->leaves[i];
      if (a->kind != TCC_IV_DATA_PAR) continue;
      char nb[300];
      snprintf(nb, sizeof nb, "%s.init", a->name);
      const tcc_var *nvv = tcc_var_new(ctx, nb, tcc_index_type());
      const tcc_expr *ne = tcc_expr_var(ctx, nvv);
      tcc_vec_push(tcc_ctx_arena(ctx), &fv, &a->loop_var);
      tcc_vec_push(tcc_ctx_arena(ctx), &fe, &ne);
    }
    const tcc_expr **iidx =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *iidx * (size_t)(st->ndim + 1));
    for (int d = 0; d < st->ndim; d++)
      iidx[d] = tcc_expr_substitute(ctx, sidx[d], (int)fv.len, fv.data, fe.data);
    init = tcc_s_store(ctx, st->buf, st->ndim, iidx, comb->identity, NULL);
    if (dguard)
      init = tcc_s_if(ctx, tcc_expr_substitute(ctx, dguard, (int)fv.len, fv.data, fe.data), init,
                      NULL);
    int k = (int)fv.len - 1;
    for (int i = st->nleaves - 1; i >= start; i--) {
      tcc_axis *a = st->leaves[i];
      if (a->kind != TCC_IV_DATA_PAR) continue;
      const tcc_expr *ve = TCC_VEC_AT(fe, const tcc_expr *, k);
      init = tcc_s_for(ctx, ve->u.var, tcc_idx(ctx, 0), a->ext, loop_kind(a), init);
      k--;
    }
  } else {
    const tcc_expr *v = tcc_expr_substitute(ctx, body, nroot, vars, vals);
    v = tcc_rewrite_reads(ctx, v, read_to_load, o);
    update = tcc_s_store(ctx, st->buf, st->ndim, sidx, v, NULL);
  }
  if (guard) update = tcc_s_if(ctx, guard, update, NULL);
  const tcc_stmt *s = update;
  int top = st->nleaves - 1;
  if (st->tz_axis) {
    int pt = -1;
    for (int i = 0; i < st->nleaves; i++)
      if (st->leaves[i] == st->tz_axis) pt = i;
    if (pt < 0) {
      o->status = tcc_error(ctx,
                            "lower: stage '%s' is tensorized at '%s', which is no longer a "
                            "loop",
                            st->t->name, st->tz_axis->name);
      return tcc_s_seq(ctx, 0, NULL);
    }
    bool all_inside = first_reduce > pt;
    s = tz_emit(o, st, pt, vars, vals, nroot, sidx, guard, body->kind == TCC_REDUCE && !all_inside);
    if (!s) return tcc_s_seq(ctx, 0, NULL);
    if (all_inside) init = NULL; /* the intrinsic initializes its output itself */
    top = pt;
  }
  for (int p = top; p >= 0; p--) {
    tcc_axis *a = st->leaves[p];
    if (init && p + 1 == first_reduce) {
      const tcc_stmt *v[2] = {init, s};
      s = tcc_s_seq(ctx, 2, v);
    }
    s = attached_at(o, st, a, s);
    s = tcc_s_for(ctx, a->loop_var, tcc_idx(ctx, 0), a->ext, loop_kind(a), s);
  }
  if (init && (first_reduce == 0 || st->nleaves == 0)) {
    const tcc_stmt *v[2] = {init, s};
    s = tcc_s_seq(ctx, 2, v);
  }
  return s;
}

static bool in_args(ops *o, const tcc_tensor *t) {
  for (int i = 0; i < o->nargs; i++)
    if (o->args[i] == t) return true;
  return false;
}

/* round-up splits enlarge the storage: the largest offset a loop reaches, plus one */
static const tcc_expr *storage_extent(tcc_context *ctx, tcc_stage *st, int d) {
  tcc_range_env env = {0};
  for (int i = 0; i < st->nleaves; i++)
    tcc_range_env_push(&env, st->leaves[i]->loop_var, tcc_idx(ctx, 0), st->leaves[i]->ext);
  int64_t lo, hi, e;
  tcc_const_bound(ctx, st->root[d]->value, &env, &lo, &hi);
  tcc_range_env_free(&env);
  if (hi != TCC_POS_INF && tcc_expr_is_int_imm(st->rext[d], &e) && hi + 1 > e)
    return tcc_idx(ctx, hi + 1);
  return st->rext[d];
}

tcc_status tcc_sched_make_loops(tcc_context *ctx, tcc_schedule *sch, int nargs,
                                const tcc_tensor *const *args, const tcc_buffer *const *bufs,
                                const tcc_stmt **out) {
  ops o = {ctx, sch, nargs, args, bufs, TCC_OK};
  /* buffers */
  for (int i = 0; i < sch->nstages; i++) {
    tcc_stage *st = sch->stages[i];
    st->buf = NULL;
    if (st->attach == TCC_ATTACH_INLINE) continue;
    const tcc_buffer *pb = buffer_of(&o, st->t, NULL);
    if (pb) {
      if (st->attach != TCC_ATTACH_ROOT)
        return tcc_error(ctx,
                         "lower: stage '%s' is a function argument, so it must be "
                         "computed at the root",
                         st->t->name);
      st->buf = (tcc_buffer *)pb;
      continue;
    }
    const tcc_expr **shape =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *shape * (size_t)(st->ndim + 1));
    int64_t elems = 1;
    bool cst = true;
    for (int d = 0; d < st->ndim; d++) {
      shape[d] = storage_extent(ctx, st, d);
      int64_t e;
      if (tcc_expr_is_int_imm(shape[d], &e))
        cst = cst && tcc_mul_ovf(elems, e, &elems);
      else
        cst = false;
    }
    tcc_mem_scope scope = TCC_SCOPE_WORKSPACE;
    if (st->attach == TCC_ATTACH_AT && cst &&
        elems * (int64_t)tccrt_dtype_size(st->t->dtype) <= 65536)
      scope = TCC_SCOPE_STACK;
    if (st->has_scope) scope = st->scope;
    st->buf = tcc_buffer_new(ctx, st->t->name, st->t->dtype, st->ndim, shape, scope);
    if (st->align_factor && cst) {
      /* padded strides: innermost dense, each aligned dim rounded up to offset mod factor */
      const tcc_expr **strides =
          tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *strides * (size_t)st->ndim);
      int64_t stride = 1;
      for (int d = st->ndim - 1; d >= 0; d--) {
        if (d < st->ndim - 1) {
          int64_t e = 1;
          tcc_expr_is_int_imm(shape[d + 1], &e);
          stride *= e;
          int64_t f = st->align_factor[d], off = st->align_offset[d];
          if (f > 0) stride += ((off - stride % f) % f + f) % f;
        }
        strides[d] = tcc_idx(ctx, stride);
      }
      st->buf->strides = strides;
    }
  }
  for (int i = 0; i < sch->nouts; i++)
    if (!in_args(&o, sch->outs[i]))
      return tcc_error(ctx, "lower: output '%s' is not among the arguments", sch->outs[i]->name);
  for (int i = 0; i < sch->nstages; i++) {
    tcc_stage *st = sch->stages[i];
    if (st->te_body->kind != TCC_REDUCE && st->nreduce > 0)
      return tcc_error(ctx,
                       "lower: stage '%s' has a reduction that is not the top of its "
                       "compute body; make the reduction its own compute stage",
                       st->t->name);
  }
  /* root nests in topological order, each allocation around its producer and the rest */
  const tcc_stmt *rest = NULL;
  for (int i = sch->nstages - 1; i >= 0; i--) {
    tcc_stage *st = sch->stages[i];
    if (st->attach != TCC_ATTACH_ROOT) continue;
    const tcc_stmt *v[2] = {emit_stage(&o, st), rest};
    rest = tcc_s_seq(ctx, 2, v);
    if (!in_args(&o, st->t)) rest = wrap_alloc(&o, st, rest);
  }
  TCC_TRY(o.status);
  *out = rest ? rest : tcc_s_seq(ctx, 0, NULL);
  return TCC_OK;
}
