/* lower.c — TE + schedule → loop-IR PrimFunc, as the ordered list of passes it applies. */
#include "sched_internal.h"
#include "transforms/transforms.h"

#include <string.h>

static void collect_vars(const tcc_expr *e, tcc_vec *out, tcc_context *ctx) {
  if (!e) return;
  switch (e->kind) {
  case TCC_VAR:
    for (size_t i = 0; i < out->len; i++)
      if (TCC_VEC_AT(*out, const tcc_var *, i) == e->u.var) return;
    tcc_vec_push(tcc_ctx_arena(ctx), out, &e->u.var);
    return;
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM: return;
  case TCC_SELECT:
    collect_vars(e->u.select.cond, out, ctx);
    collect_vars(e->u.select.t, out, ctx);
    collect_vars(e->u.select.f, out, ctx);
    return;
  case TCC_CAST: collect_vars(e->u.cast.a, out, ctx); return;
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      collect_vars(e->u.call.args[i], out, ctx);
    return;
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: collect_vars(e->u.bin.a, out, ctx); return;
  default:
    if (e->kind < TCC_SELECT) {
      collect_vars(e->u.bin.a, out, ctx);
      collect_vars(e->u.bin.b, out, ctx);
    }
    return;
  }
}

/* free vars of the loop IR must be scalar params */
typedef struct fv {
  tcc_context *ctx;
  tcc_vec bound;
  const tcc_var *bad;
} fv;

static bool is_bound(fv *f, const tcc_var *v) {
  for (size_t i = 0; i < f->bound.len; i++)
    if (TCC_VEC_AT(f->bound, const tcc_var *, i) == v) return true;
  return false;
}

static void fv_expr(fv *f, const tcc_expr *e) {
  if (!e || f->bad) return;
  switch (e->kind) {
  case TCC_VAR:
    if (!is_bound(f, e->u.var)) f->bad = e->u.var;
    return;
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM: return;
  case TCC_SELECT:
    fv_expr(f, e->u.select.cond);
    fv_expr(f, e->u.select.t);
    fv_expr(f, e->u.select.f);
    return;
  case TCC_CAST: fv_expr(f, e->u.cast.a); return;
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      fv_expr(f, e->u.call.args[i]);
    return;
  case TCC_LOAD:
    for (int i = 0; i < e->u.load.nidx; i++)
      fv_expr(f, e->u.load.idx[i]);
    fv_expr(f, e->u.load.pred);
    return;
  case TCC_RAMP:
    fv_expr(f, e->u.ramp.base);
    fv_expr(f, e->u.ramp.stride);
    return;
  case TCC_BROADCAST: fv_expr(f, e->u.bcast.value); return;
  case TCC_LET:
    fv_expr(f, e->u.let.value);
    tcc_vec_push(tcc_ctx_arena(f->ctx), &f->bound, &e->u.let.var);
    fv_expr(f, e->u.let.body);
    return;
  case TCC_TENSOR_READ:
  case TCC_REDUCE: return;
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: fv_expr(f, e->u.bin.a); return;
  default:
    fv_expr(f, e->u.bin.a);
    fv_expr(f, e->u.bin.b);
    return;
  }
}

static void fv_stmt(fv *f, const tcc_stmt *s) {
  if (!s || f->bad) return;
  switch (s->kind) {
  case TCC_S_FOR:
    fv_expr(f, s->u.loop.min);
    fv_expr(f, s->u.loop.extent);
    tcc_vec_push(tcc_ctx_arena(f->ctx), &f->bound, &s->u.loop.var);
    fv_stmt(f, s->u.loop.body);
    return;
  case TCC_S_STORE:
    for (int i = 0; i < s->u.store.nidx; i++)
      fv_expr(f, s->u.store.idx[i]);
    fv_expr(f, s->u.store.value);
    fv_expr(f, s->u.store.pred);
    return;
  case TCC_S_ALLOCATE:
    fv_expr(f, s->u.alloc.size);
    for (int d = 0; d < s->u.alloc.buf->ndim; d++)
      fv_expr(f, s->u.alloc.buf->shape[d]);
    fv_stmt(f, s->u.alloc.body);
    return;
  case TCC_S_IF:
    fv_expr(f, s->u.ifs.cond);
    fv_stmt(f, s->u.ifs.then_);
    fv_stmt(f, s->u.ifs.else_);
    return;
  case TCC_S_LET:
    fv_expr(f, s->u.let.value);
    tcc_vec_push(tcc_ctx_arena(f->ctx), &f->bound, &s->u.let.var);
    fv_stmt(f, s->u.let.body);
    return;
  case TCC_S_SEQ:
    for (int i = 0; i < s->u.seq.n; i++)
      fv_stmt(f, s->u.seq.stmts[i]);
    return;
  case TCC_S_EVALUATE: fv_expr(f, s->u.eval.value); return;
  default: return;
  }
}

static tcc_status check_args(tcc_context *ctx, tcc_schedule *sch, const char *name, int nargs,
                             const tcc_tensor *const *args) {
  if (!name || !*name) return tcc_error(ctx, "lower: the function needs a name");
  if (nargs < 1 || !args) return tcc_error(ctx, "lower '%s': no arguments given", name);
  for (int i = 0; i < nargs; i++) {
    if (!args[i]) return tcc_error(ctx, "lower '%s': argument %d is NULL", name, i);
    for (int j = 0; j < i; j++)
      if (args[j] == args[i])
        return tcc_error(ctx, "lower '%s': tensor '%s' is passed twice", name, args[i]->name);
    if (args[i]->kind == TCC_TENSOR_COMPUTE && !tcc_schedule_stage(sch, args[i]))
      return tcc_error(ctx, "lower '%s': compute tensor '%s' is not part of the schedule", name,
                       args[i]->name);
  }
  return TCC_OK;
}

tcc_status tcc_lower(tcc_context *ctx, tcc_schedule *sch, const char *name, int nargs,
                     const tcc_tensor *const *args, tcc_primfunc **out) {
  TCC_TRY(check_args(ctx, sch, name, nargs, args));
  /* parameters: one buffer per argument, one int64 scalar per symbolic dim */
  tcc_buffer **bufs = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *bufs * (size_t)nargs);
  tcc_vec scalars;
  tcc_vec_init(&scalars, sizeof(const tcc_var *));
  for (int i = 0; i < nargs; i++) {
    bufs[i] = tcc_buffer_new(ctx, args[i]->name, args[i]->dtype, args[i]->ndim, args[i]->shape,
                             TCC_SCOPE_GLOBAL);
    for (int d = 0; d < args[i]->ndim; d++)
      collect_vars(args[i]->shape[d], &scalars, ctx);
  }

  /* the passes, in order */
  const tcc_stmt *body;
  TCC_TRY(tcc_sched_inline(ctx, sch));                /* compute_inline stages substituted */
  TCC_TRY(tcc_sched_infer_bounds(ctx, sch));          /* regions, axis extents and values */
  TCC_TRY(tcc_sched_make_loops(ctx, sch, nargs, args, /* schedule -> loop nest */
                               (const tcc_buffer *const *)bufs, &body));
  body = tcc_pass_simplify(ctx, body);        /* canonical indices, decided guards */
  body = tcc_pass_flatten_storage(ctx, body); /* multi-dim -> flat element indices */
  body = tcc_pass_simplify(ctx, body);
  body = tcc_pass_loop_partition(ctx, body); /* guards out of full tiles */
  body = tcc_pass_vectorize(ctx, body);      /* ramp / broadcast lanes */
  body = tcc_pass_unroll(ctx, body);         /* unrolled loops expanded */
  body = tcc_pass_simplify(ctx, body);
  body = tcc_pass_remove_dead(ctx, body);                      /* empty loops, unused allocations */
  TCC_TRY(tcc_pass_split_host_device(ctx, name, body, &body)); /* GPU kernels + launches */

  fv f = {ctx, scalars, NULL};
  fv_stmt(&f, body);
  if (f.bad)
    return tcc_error(ctx,
                     "lower '%s': variable '%s' is used but is neither a loop variable nor "
                     "a symbolic dim of an argument's shape",
                     name, f.bad->name);

  tcc_primfunc *fn = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *fn);
  fn->name = tcc_arena_strdup(tcc_ctx_arena(ctx), name);
  fn->nparams = nargs;
  fn->params = (const tcc_buffer *const *)bufs;
  fn->nscalars = (int)scalars.len;
  fn->scalars = scalars.data;
  fn->body = body;
  *out = fn;
  return TCC_OK;
}
