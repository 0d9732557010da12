/* test_tir_gpu.c — the host/device split pass and the interpreter's execution of device
 * functions: a kernel that reverses each block's slice through shared memory needs the block's
 * threads in lockstep at the barrier (run one after another, thread 0 would read what thread 7
 * has not written yet); a barrier not reached by all threads is an error; scalars of the device
 * function come from the host. */
#include "interp.h"
#include "testutil.h"
#include "transforms/transforms.h"

#include <string.h>

static tcc_context *ctx;
static const tcc_expr *I(int64_t v) { return tcc_idx(ctx, v); }

/* for bx (BLOCK_X, nb): allocate sh[T] shared: { for tx (THREAD_X, T): sh[tx] = in[bx*T+tx];
 * barrier (inside `if cond` when diverge); for tx: out[bx*T+tx] = sh[T-1-tx] * scale } */
static tcc_primfunc *build(int64_t nb, int64_t T, bool diverge, const tcc_var *scale) {
  const tcc_expr *sh_n[1] = {I(nb * T)}, *sh_t[1] = {I(T)};
  tcc_buffer *in = tcc_buffer_new(ctx, "in", TCCRT_INT32, 1, sh_n, TCC_SCOPE_GLOBAL);
  tcc_buffer *out = tcc_buffer_new(ctx, "out", TCCRT_INT32, 1, sh_n, TCC_SCOPE_GLOBAL);
  tcc_buffer *sh = tcc_buffer_new(ctx, "sh", TCCRT_INT32, 1, sh_t, TCC_SCOPE_SHARED);
  tcc_var *bx = tcc_var_new(ctx, "bx", tcc_index_type());
  tcc_var *t1 = tcc_var_new(ctx, "tx", tcc_index_type()),
          *t2 = tcc_var_new(ctx, "tx", tcc_index_type());
  const tcc_expr *b = tcc_expr_var(ctx, bx), *x1 = tcc_expr_var(ctx, t1),
                 *x2 = tcc_expr_var(ctx, t2);
  const tcc_expr *gi1 = tcc_add(ctx, tcc_mul(ctx, b, I(T)), x1);
  const tcc_stmt *load = tcc_s_store(ctx, sh, 1, &x1, tcc_load(ctx, in, 1, &gi1, NULL), NULL);
  const tcc_stmt *l1 = tcc_s_for(ctx, t1, I(0), I(T), TCC_FOR_THREAD_X, load);
  const tcc_expr *gi2 = tcc_add(ctx, tcc_mul(ctx, b, I(T)), x2);
  const tcc_expr *rev = tcc_sub(ctx, I(T - 1), x2);
  const tcc_expr *v = tcc_load(ctx, sh, 1, &rev, NULL);
  if (scale) v = tcc_mul(ctx, v, tcc_cast(ctx, tcc_scalar(TCCRT_INT32), tcc_expr_var(ctx, scale)));
  const tcc_stmt *st = tcc_s_store(ctx, out, 1, &gi2, v, NULL);
  const tcc_stmt *bar = tcc_s_barrier(ctx);
  const tcc_stmt *l2;
  if (diverge) {
    const tcc_stmt *inner[2] = {bar, st};
    l2 = tcc_s_for(ctx, t2, I(0), I(T), TCC_FOR_THREAD_X,
                   tcc_s_if(ctx, tcc_lt(ctx, x2, I(T / 2)), tcc_s_seq(ctx, 2, inner), st));
    bar = NULL;
  } else {
    l2 = tcc_s_for(ctx, t2, I(0), I(T), TCC_FOR_THREAD_X, st);
  }
  const tcc_stmt *seq[3] = {l1, bar, l2};
  const tcc_stmt *body = tcc_s_for(ctx, bx, I(0), I(nb), TCC_FOR_BLOCK_X,
                                   tcc_s_allocate(ctx, sh, I(T), tcc_s_seq(ctx, 3, seq)));
  const tcc_stmt *host;
  CHECK(tcc_pass_split_host_device(ctx, "rev", body, &host) == TCC_OK);
  tcc_primfunc *fn = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *fn);
  fn->name = "rev";
  const tcc_buffer **params = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *params * 2);
  params[0] = in;
  params[1] = out;
  fn->nparams = 2;
  fn->params = params;
  if (scale) {
    const tcc_var **sc = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *sc);
    sc[0] = scale;
    fn->nscalars = 1;
    fn->scalars = sc;
  }
  fn->body = host;
  return fn;
}

int main(void) {
  ctx = tcc_context_create();
  enum { NB = 3, T = 8 };
  int32_t in[NB * T], out[NB * T];
  for (int i = 0; i < NB * T; i++)
    in[i] = i * 7 - 11;
  void *bufs[2] = {in, out};
  /* the split: one launch of a device function over the bound loops */
  tcc_var *scale = tcc_var_new(ctx, "scale", tcc_index_type());
  tcc_primfunc *fn = build(NB, T, false, scale);
  CHECK(fn->body->kind == TCC_S_LAUNCH);
  const tcc_primfunc *dev = fn->body->u.launch.func;
  CHECK(dev->is_device && strcmp(dev->name, "rev_kernel0") == 0);
  int64_t g;
  CHECK(tcc_expr_is_int_imm(dev->grid[0], &g) && g == NB);
  CHECK(tcc_expr_is_int_imm(dev->block[0], &g) && g == T);
  CHECK(dev->nparams == 2 && dev->nscalars == 1 && dev->scalars[0] == scale);
  int64_t sv = 3;
  CHECK_MSG(tcc_interp_run(ctx, fn, bufs, &sv) == TCC_OK, "%s", tcc_error_text(ctx));
  for (int b = 0; b < NB; b++)
    for (int t = 0; t < T; t++)
      CHECK_MSG(out[b * T + t] == in[b * T + T - 1 - t] * 3, "block %d thread %d: %d", b, t,
                out[b * T + t]);
  /* running the device function directly is refused */
  CHECK(tcc_interp_run(ctx, dev, bufs, &sv) == TCC_ERR);
  tcc_error_clear(ctx);
  /* a barrier only half the threads reach */
  tcc_primfunc *bad = build(NB, T, true, NULL);
  CHECK(tcc_interp_run(ctx, bad, bufs, NULL) == TCC_ERR);
  CHECK_MSG(strstr(tcc_error_text(ctx), "did not all reach the same barrier") != NULL, "%s",
            tcc_error_text(ctx));
  tcc_error_clear(ctx);
  /* bound loops of one index with different extents in one kernel are refused by the split */
  tcc_var *a = tcc_var_new(ctx, "a", tcc_index_type()),
          *c = tcc_var_new(ctx, "c", tcc_index_type());
  const tcc_expr *sh1[1] = {I(16)};
  tcc_buffer *o = tcc_buffer_new(ctx, "o", TCCRT_INT64, 1, sh1, TCC_SCOPE_GLOBAL);
  const tcc_expr *ai = tcc_expr_var(ctx, a), *ci = tcc_expr_var(ctx, c);
  const tcc_stmt *two[2] = {
      tcc_s_for(ctx, a, I(0), I(4), TCC_FOR_THREAD_X, tcc_s_store(ctx, o, 1, &ai, ai, NULL)),
      tcc_s_for(ctx, c, I(0), I(8), TCC_FOR_THREAD_X, tcc_s_store(ctx, o, 1, &ci, ci, NULL))};
  tcc_var *bb = tcc_var_new(ctx, "b", tcc_index_type());
  const tcc_stmt *k = tcc_s_for(ctx, bb, I(0), I(2), TCC_FOR_BLOCK_X, tcc_s_seq(ctx, 2, two));
  const tcc_stmt *h;
  CHECK(tcc_pass_split_host_device(ctx, "k", k, &h) == TCC_ERR);
  CHECK(strstr(tcc_error_text(ctx), "different extents") != NULL);
  tcc_context_destroy(ctx);
  return tcc_test_finish("test_tir_gpu");
}
