/* cg_build.h — small helpers that build loop-IR PrimFuncs by hand for the code generator tests. */
#ifndef TCC_CG_BUILD_H
#define TCC_CG_BUILD_H

#include "expr.h"
#include "tir.h"

#include <stdarg.h>

static inline const tcc_expr *cgb_i(tcc_context *c, int64_t v) { return tcc_idx(c, v); }
static inline const tcc_expr *cgb_v(tcc_context *c, const tcc_var *v) { return tcc_expr_var(c, v); }
/* A 1-D global buffer of n elements. */
static inline tcc_buffer *cgb_buf(tcc_context *c, const char *name, tccrt_dtype dt, int64_t n) {
  const tcc_expr *sh[1] = {tcc_idx(c, n)};
  return tcc_buffer_new(c, name, dt, 1, sh, TCC_SCOPE_GLOBAL);
}
static inline tcc_buffer *cgb_buf_e(tcc_context *c, const char *name, tccrt_dtype dt,
                                    const tcc_expr *n, tcc_mem_scope scope) {
  const tcc_expr *sh[1] = {n};
  return tcc_buffer_new(c, name, dt, 1, sh, scope);
}
static inline const tcc_expr *cgb_ld(tcc_context *c, const tcc_buffer *b, const tcc_expr *ix,
                                     const tcc_expr *pred) {
  const tcc_expr *idx[1] = {ix};
  return tcc_load(c, b, 1, idx, pred);
}
static inline const tcc_stmt *cgb_st(tcc_context *c, const tcc_buffer *b, const tcc_expr *ix,
                                     const tcc_expr *v, const tcc_expr *pred) {
  const tcc_expr *idx[1] = {ix};
  return tcc_s_store(c, b, 1, idx, v, pred);
}
static inline const tcc_stmt *cgb_seq(tcc_context *c, int n, ...) {
  const tcc_stmt *xs[16];
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n && i < 16; i++)
    xs[i] = va_arg(ap, const tcc_stmt *);
  va_end(ap);
  return tcc_s_seq(c, n, xs);
}
static inline tcc_primfunc *cgb_func(tcc_context *c, const char *name, int np,
                                     const tcc_buffer *const *params, int ns,
                                     const tcc_var *const *scalars, const tcc_stmt *body) {
  tcc_arena *a = tcc_ctx_arena(c);
  tcc_primfunc *f = tcc_arena_alloc(a, sizeof *f);
  f->name = tcc_arena_strdup(a, name);
  f->nparams = np;
  const tcc_buffer **ps = tcc_arena_alloc(a, sizeof *ps * (size_t)(np + 1));
  for (int i = 0; i < np; i++)
    ps[i] = params[i];
  f->params = ps;
  f->nscalars = ns;
  const tcc_var **ss = tcc_arena_alloc(a, sizeof *ss * (size_t)(ns + 1));
  for (int i = 0; i < ns; i++)
    ss[i] = scalars[i];
  f->scalars = ss;
  f->body = body;
  return f;
}
static inline const tcc_expr *cgb_ramp(tcc_context *c, const tcc_expr *base, int64_t stride,
                                       int lanes) {
  return tcc_ramp(c, base, tcc_idx(c, stride), lanes);
}
static inline const tcc_expr *cgb_f32(tcc_context *c, double v) {
  return tcc_float(c, tcc_scalar(TCCRT_FLOAT32), v);
}
#endif
