/* range_kernels.h — loop-IR kernels with a run-time index check (tcc_check_range), shared by
 * tests/ir/test_range_check.c (interpreter) and tests/codegen/test_llvm_range_check.c (LLVM):
 *
 *   out[i] = data[clamp(normalize(check(idx[i], -DIM, DIM)))]      i in [0, n)
 *
 * a Gather along one axis of `dim` elements, as ir/ops/tensor.c builds it, in loop nests of every
 * kind: serial, vectorized, unrolled, parallel, parallel over vectors. Variants store only i <
 * guard (an if around the store, a lane predicate once vectorized) or put the gathered value in
 * the arm of a select taken only for i < sel: a bad index outside those must not fail. */
#ifndef TCC_TEST_RANGE_KERNELS_H
#define TCC_TEST_RANGE_KERNELS_H

#include "tir.h"
#include "transforms/transforms.h"

#define RK_WHERE "node 'g0' (Gather)"

typedef enum rk_nest {
  RK_SERIAL,       /* for i serial */
  RK_VECTOR,       /* for o serial, for l vectorized (lanes) */
  RK_UNROLL,       /* for o serial, for l unrolled (lanes) */
  RK_PARALLEL,     /* for i parallel */
  RK_PARALLEL_VEC, /* for o parallel, for l vectorized (lanes) */
  RK_NEST_COUNT
} rk_nest;

static const char *const rk_nest_names[RK_NEST_COUNT] = {"serial", "vectorized", "unrolled",
                                                         "parallel", "parallel+vectorized"};

typedef struct rk_spec {
  rk_nest nest;
  int64_t n, dim;
  int lanes;     /* RK_VECTOR / RK_UNROLL / RK_PARALLEL_VEC; n must be a multiple */
  int64_t guard; /* >= 0: store only i < guard */
  int64_t sel;   /* >= 0: out[i] = i < sel ? gathered : -1 */
} rk_spec;

/* The kernel `name` with params (data float32[dim], idx int64[n], out float32[n]), after the
 * vectorize and unroll passes (as lowering runs them). */
static tcc_primfunc *rk_build(tcc_context *ctx, const char *name, const rk_spec *sp) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  const tcc_expr *sd[1] = {tcc_idx(ctx, sp->dim)}, *sn[1] = {tcc_idx(ctx, sp->n)};
  tcc_buffer *data = tcc_buffer_new(ctx, "data", TCCRT_FLOAT32, 1, sd, TCC_SCOPE_GLOBAL);
  tcc_buffer *idx = tcc_buffer_new(ctx, "idx", TCCRT_INT64, 1, sn, TCC_SCOPE_GLOBAL);
  tcc_buffer *out = tcc_buffer_new(ctx, "out", TCCRT_FLOAT32, 1, sn, TCC_SCOPE_GLOBAL);
  bool two = sp->nest == RK_VECTOR || sp->nest == RK_UNROLL || sp->nest == RK_PARALLEL_VEC;
  tcc_var *o = tcc_var_new(ctx, "o", tcc_index_type()),
          *l = tcc_var_new(ctx, "l", tcc_index_type());
  const tcc_expr *i =
      two ? tcc_add(ctx, tcc_mul(ctx, tcc_expr_var(ctx, o), tcc_idx(ctx, sp->lanes)),
                    tcc_expr_var(ctx, l))
          : tcc_expr_var(ctx, o);
  const tcc_expr *dim = tcc_idx(ctx, sp->dim), *zero = tcc_idx(ctx, 0);
  const tcc_expr *v = tcc_load(ctx, idx, 1, &i, NULL);
  v = tcc_check_range(ctx, v, tcc_idx(ctx, -sp->dim), dim, RK_WHERE);
  v = tcc_select(ctx, tcc_lt(ctx, v, zero), tcc_add(ctx, v, dim), v);
  v = tcc_min(ctx, tcc_max(ctx, v, zero), tcc_idx(ctx, sp->dim - 1));
  const tcc_expr *val = tcc_load(ctx, data, 1, &v, NULL);
  if (sp->sel >= 0)
    val = tcc_select(ctx, tcc_lt(ctx, i, tcc_idx(ctx, sp->sel)), val,
                     tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), -1));
  const tcc_stmt *body = tcc_s_store(ctx, out, 1, &i, val, NULL);
  if (sp->guard >= 0) body = tcc_s_if(ctx, tcc_lt(ctx, i, tcc_idx(ctx, sp->guard)), body, NULL);
  if (two) {
    tcc_for_kind inner = sp->nest == RK_UNROLL ? TCC_FOR_UNROLLED : TCC_FOR_VECTORIZED;
    tcc_for_kind outer = sp->nest == RK_PARALLEL_VEC ? TCC_FOR_PARALLEL : TCC_FOR_SERIAL;
    body = tcc_s_for(ctx, l, zero, tcc_idx(ctx, sp->lanes), inner, body);
    body = tcc_s_for(ctx, o, zero, tcc_idx(ctx, sp->n / sp->lanes), outer, body);
  } else {
    body = tcc_s_for(ctx, o, zero, tcc_idx(ctx, sp->n),
                     sp->nest == RK_PARALLEL ? TCC_FOR_PARALLEL : TCC_FOR_SERIAL, body);
  }
  body = tcc_pass_vectorize(ctx, body);
  body = tcc_pass_unroll(ctx, body);
  body = tcc_pass_simplify(ctx, body);
  tcc_primfunc *fn = tcc_arena_alloc(a, sizeof *fn);
  const tcc_buffer **params = tcc_arena_alloc(a, sizeof(void *) * 3);
  params[0] = data;
  params[1] = idx;
  params[2] = out;
  fn->name = name;
  fn->nparams = 3;
  fn->params = params;
  fn->body = body;
  return fn;
}

/* The reference: out[i] for a valid index, or -1 where the select does not take it; positions
 * the guard skips keep `keep`. */
static float rk_expect(const rk_spec *sp, const float *data, const int64_t *idx, int64_t i,
                       float keep) {
  if (sp->guard >= 0 && i >= sp->guard) return keep;
  if (sp->sel >= 0 && i >= sp->sel) return -1;
  int64_t k = idx[i] < 0 ? idx[i] + sp->dim : idx[i];
  return data[k];
}

/* Does position i read its index (so a bad one there must fail)? */
static bool rk_checked(const rk_spec *sp, int64_t i) {
  return (sp->guard < 0 || i < sp->guard) && (sp->sel < 0 || i < sp->sel);
}

#endif
