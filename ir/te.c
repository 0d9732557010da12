/* te.c — tensor-expression constructors: placeholders, computes, reduce axes, reductions,
 * input discovery and printing. See te.h for the contracts. */
#include "te.h"

#include <assert.h>
#include <string.h>

static const tcc_expr *const *copy_exprs(tcc_context *ctx, int n, const tcc_expr *const *src) {
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d * (size_t)(n > 0 ? n : 1));
  for (int i = 0; i < n; i++)
    d[i] = src[i];
  return d;
}

tcc_tensor *tcc_placeholder(tcc_context *ctx, const char *name, tccrt_dtype dtype, int ndim,
                            const tcc_expr *const *shape) {
  assert(ndim >= 0);
  tcc_tensor *t = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *t);
  t->name = tcc_arena_strdup(tcc_ctx_arena(ctx), name ? name : "placeholder");
  t->kind = TCC_TENSOR_PLACEHOLDER;
  t->dtype = dtype;
  t->id = tcc_ctx_next_id(ctx);
  t->ndim = ndim;
  t->shape = copy_exprs(ctx, ndim, shape);
  return t;
}

const tcc_itervar *const *tcc_compute_axes(tcc_context *ctx, int ndim, const tcc_expr *const *shape,
                                           const char *const *names) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  const tcc_itervar **axes = tcc_arena_alloc(a, sizeof *axes * (size_t)(ndim > 0 ? ndim : 1));
  for (int d = 0; d < ndim; d++) {
    tcc_itervar *iv = tcc_arena_alloc(a, sizeof *iv);
    char nb[32];
    const char *nm = names && names[d] ? names[d] : (snprintf(nb, sizeof nb, "i%d", d), nb);
    iv->var = tcc_var_new(ctx, nm, tcc_index_type());
    iv->min = tcc_idx(ctx, 0);
    iv->extent = shape[d];
    iv->kind = TCC_IV_DATA_PAR;
    axes[d] = iv;
  }
  return axes;
}

tcc_tensor *tcc_compute(tcc_context *ctx, const char *name, int ndim, const tcc_expr *const *shape,
                        const tcc_itervar *const *axes, const tcc_expr *body, const char *tag) {
  assert(body && body->type.lanes == 1);
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_tensor *t = tcc_arena_alloc(a, sizeof *t);
  t->name = tcc_arena_strdup(a, name ? name : "compute");
  t->kind = TCC_TENSOR_COMPUTE;
  t->dtype = (tccrt_dtype)body->type.dtype;
  t->id = tcc_ctx_next_id(ctx);
  t->ndim = ndim;
  t->shape = copy_exprs(ctx, ndim, shape);
  const tcc_itervar **ax = tcc_arena_alloc(a, sizeof *ax * (size_t)(ndim > 0 ? ndim : 1));
  for (int d = 0; d < ndim; d++)
    ax[d] = axes[d];
  t->axes = ax;
  t->body = body;
  t->tag = tag ? tcc_arena_strdup(a, tag) : NULL;
  return t;
}

const tcc_itervar *tcc_reduce_axis(tcc_context *ctx, const char *name, const tcc_expr *min,
                                   const tcc_expr *extent) {
  tcc_itervar *iv = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *iv);
  iv->var = tcc_var_new(ctx, name ? name : "r", tcc_index_type());
  iv->min = min;
  iv->extent = extent;
  iv->kind = TCC_IV_REDUCE;
  return iv;
}

static const tcc_expr *builtin_reduce(tcc_context *ctx, tcc_reduce_kind k, const tcc_expr *src,
                                      int naxes, const tcc_itervar *const *axes,
                                      const tcc_expr *cond) {
  const tcc_combiner *c = tcc_combiner_builtin(ctx, k, src->type);
  return tcc_reduce(ctx, c, src, naxes, axes, cond);
}

const tcc_expr *tcc_sum(tcc_context *ctx, const tcc_expr *src, int naxes,
                        const tcc_itervar *const *axes, const tcc_expr *cond) {
  return builtin_reduce(ctx, TCC_REDUCE_SUM, src, naxes, axes, cond);
}
const tcc_expr *tcc_reduce_max(tcc_context *ctx, const tcc_expr *src, int naxes,
                               const tcc_itervar *const *axes, const tcc_expr *cond) {
  return builtin_reduce(ctx, TCC_REDUCE_MAX, src, naxes, axes, cond);
}
const tcc_expr *tcc_reduce_min(tcc_context *ctx, const tcc_expr *src, int naxes,
                               const tcc_itervar *const *axes, const tcc_expr *cond) {
  return builtin_reduce(ctx, TCC_REDUCE_MIN, src, naxes, axes, cond);
}
const tcc_expr *tcc_reduce_prod(tcc_context *ctx, const tcc_expr *src, int naxes,
                                const tcc_itervar *const *axes, const tcc_expr *cond) {
  return builtin_reduce(ctx, TCC_REDUCE_PROD, src, naxes, axes, cond);
}

/* ---- inputs ---- */

typedef struct input_acc {
  tcc_context *ctx;
  tcc_vec tensors;
} input_acc;

static void collect(input_acc *acc, const tcc_expr *e) {
  if (!e) return;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR: return;
  case TCC_SELECT:
    collect(acc, e->u.select.cond);
    collect(acc, e->u.select.t);
    collect(acc, e->u.select.f);
    return;
  case TCC_CAST: collect(acc, e->u.cast.a); return;
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      collect(acc, e->u.call.args[i]);
    return;
  case TCC_TENSOR_READ: {
    const tcc_tensor *t = e->u.read.tensor;
    bool seen = false;
    for (size_t i = 0; i < acc->tensors.len && !seen; i++)
      seen = TCC_VEC_AT(acc->tensors, const tcc_tensor *, i) == t;
    if (!seen) tcc_vec_push(tcc_ctx_arena(acc->ctx), &acc->tensors, &t);
    for (int i = 0; i < e->u.read.nidx; i++)
      collect(acc, e->u.read.idx[i]);
    return;
  }
  case TCC_REDUCE:
    collect(acc, e->u.reduce.source);
    collect(acc, e->u.reduce.cond);
    return;
  case TCC_LOAD:
    for (int i = 0; i < e->u.load.nidx; i++)
      collect(acc, e->u.load.idx[i]);
    collect(acc, e->u.load.pred);
    return;
  case TCC_RAMP:
    collect(acc, e->u.ramp.base);
    collect(acc, e->u.ramp.stride);
    return;
  case TCC_BROADCAST: collect(acc, e->u.bcast.value); return;
  case TCC_LET:
    collect(acc, e->u.let.value);
    collect(acc, e->u.let.body);
    return;
  default:
    collect(acc, e->u.bin.a);
    collect(acc, e->u.bin.b);
    return;
  }
}

int tcc_tensor_inputs(tcc_context *ctx, const tcc_tensor *t, const tcc_tensor ***out) {
  input_acc acc = {ctx, {0}};
  tcc_vec_init(&acc.tensors, sizeof(const tcc_tensor *));
  if (t->kind == TCC_TENSOR_COMPUTE) collect(&acc, t->body);
  *out = acc.tensors.data;
  return (int)acc.tensors.len;
}

void tcc_tensor_print(FILE *f, const tcc_tensor *t) {
  char tb[32];
  if (t->kind == TCC_TENSOR_PLACEHOLDER) {
    fprintf(f, "placeholder %s(", t->name);
    for (int d = 0; d < t->ndim; d++) {
      if (d) fputs(", ", f);
      tcc_expr_print(f, t->shape[d]);
    }
    fprintf(f, ") %s%s", tcc_type_str(tcc_scalar(t->dtype), tb, sizeof tb),
            t->const_data ? " const" : "");
    return;
  }
  fprintf(f, "%s[", t->name);
  for (int d = 0; d < t->ndim; d++)
    fprintf(f, "%s%s", d ? ", " : "", t->axes[d]->var->name);
  fputs("] = ", f);
  tcc_expr_print(f, t->body);
}
