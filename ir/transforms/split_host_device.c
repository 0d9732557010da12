/* split_host_device.c — pass: the last step of lowering for GPU schedules. Every outermost loop
 * nest bound to GPU blocks or threads becomes a device PrimFunc (the bound loops stay inside it
 * as index bindings: blockIdx/threadIdx take the loop var), and the host runs it with a LAUNCH
 * whose grid and block sizes are the extents of the bound loops. The device function's params
 * are the buffers its body loads or stores, in order of first use; its scalars are the host
 * variables (symbolic dims, enclosing host loop vars) it reads. */
#include "transforms.h"

#include <string.h>

typedef struct shd {
  tcc_context *ctx;
  const char *name;
  int nkernels;
  tcc_status status;
} shd;

static bool is_bound(tcc_for_kind k) { return k >= TCC_FOR_BLOCK_X && k <= TCC_FOR_THREAD_Z; }

/* ---- gathering a kernel's buffers, free vars and launch sizes ---- */

typedef struct kinfo {
  tcc_context *ctx;
  tcc_vec bufs;           /* const tcc_buffer *: loaded/stored, not allocated inside */
  tcc_vec local;          /* const tcc_buffer *: allocated inside */
  tcc_vec bound;          /* const tcc_var *: loop and let vars bound inside */
  tcc_vec free_;          /* const tcc_var *: read but bound outside */
  const tcc_expr *ext[6]; /* BLOCK_X..THREAD_Z extents */
  bool mismatch;
  tcc_for_kind bad_kind;
} kinfo;

static bool has_ptr(const tcc_vec *v, const void *p) {
  for (size_t i = 0; i < v->len; i++)
    if (TCC_VEC_AT(*v, const void *, i) == p) return true;
  return false;
}
static void add_ptr(tcc_context *ctx, tcc_vec *v, const void *p) {
  if (!has_ptr(v, p)) tcc_vec_push(tcc_ctx_arena(ctx), v, &p);
}

static void k_expr(kinfo *k, const tcc_expr *e) {
  if (!e) return;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM: return;
  case TCC_VAR:
    if (!has_ptr(&k->bound, e->u.var)) add_ptr(k->ctx, &k->free_, e->u.var);
    return;
  case TCC_SELECT:
    k_expr(k, e->u.select.cond);
    k_expr(k, e->u.select.t);
    k_expr(k, e->u.select.f);
    return;
  case TCC_CAST: k_expr(k, e->u.cast.a); return;
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      k_expr(k, e->u.call.args[i]);
    return;
  case TCC_LOAD:
    if (!has_ptr(&k->local, e->u.load.buf)) add_ptr(k->ctx, &k->bufs, e->u.load.buf);
    for (int i = 0; i < e->u.load.nidx; i++)
      k_expr(k, e->u.load.idx[i]);
    k_expr(k, e->u.load.pred);
    return;
  case TCC_RAMP:
    k_expr(k, e->u.ramp.base);
    k_expr(k, e->u.ramp.stride);
    return;
  case TCC_BROADCAST: k_expr(k, e->u.bcast.value); return;
  case TCC_LET:
    k_expr(k, e->u.let.value);
    add_ptr(k->ctx, &k->bound, e->u.let.var);
    k_expr(k, e->u.let.body);
    return;
  case TCC_TENSOR_READ:
  case TCC_REDUCE: return;
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: k_expr(k, e->u.bin.a); return;
  default:
    k_expr(k, e->u.bin.a);
    k_expr(k, e->u.bin.b);
    return;
  }
}

static void k_stmt(kinfo *k, const tcc_stmt *s) {
  if (!s) return;
  switch (s->kind) {
  case TCC_S_FOR:
    k_expr(k, s->u.loop.min);
    k_expr(k, s->u.loop.extent);
    if (is_bound(s->u.loop.kind)) {
      int slot = s->u.loop.kind - TCC_FOR_BLOCK_X;
      if (!k->ext[slot])
        k->ext[slot] = s->u.loop.extent;
      else if (k->ext[slot] != s->u.loop.extent) {
        k->mismatch = true;
        k->bad_kind = s->u.loop.kind;
      }
    }
    add_ptr(k->ctx, &k->bound, s->u.loop.var);
    k_stmt(k, s->u.loop.body);
    return;
  case TCC_S_STORE:
    if (!has_ptr(&k->local, s->u.store.buf)) add_ptr(k->ctx, &k->bufs, s->u.store.buf);
    for (int i = 0; i < s->u.store.nidx; i++)
      k_expr(k, s->u.store.idx[i]);
    k_expr(k, s->u.store.value);
    k_expr(k, s->u.store.pred);
    return;
  case TCC_S_ALLOCATE:
    k_expr(k, s->u.alloc.size);
    add_ptr(k->ctx, &k->local, s->u.alloc.buf);
    k_stmt(k, s->u.alloc.body);
    return;
  case TCC_S_IF:
    k_expr(k, s->u.ifs.cond);
    k_stmt(k, s->u.ifs.then_);
    k_stmt(k, s->u.ifs.else_);
    return;
  case TCC_S_LET:
    k_expr(k, s->u.let.value);
    add_ptr(k->ctx, &k->bound, s->u.let.var);
    k_stmt(k, s->u.let.body);
    return;
  case TCC_S_SEQ:
    for (int i = 0; i < s->u.seq.n; i++)
      k_stmt(k, s->u.seq.stmts[i]);
    return;
  case TCC_S_EVALUATE: k_expr(k, s->u.eval.value); return;
  default: return;
  }
}

static const tcc_stmt *outline(shd *h, const tcc_stmt *s) {
  tcc_context *ctx = h->ctx;
  kinfo k;
  memset(&k, 0, sizeof k);
  k.ctx = ctx;
  tcc_vec_init(&k.bufs, sizeof(const tcc_buffer *));
  tcc_vec_init(&k.local, sizeof(const tcc_buffer *));
  tcc_vec_init(&k.bound, sizeof(const tcc_var *));
  tcc_vec_init(&k.free_, sizeof(const tcc_var *));
  k_stmt(&k, s);
  if (k.mismatch && h->status == TCC_OK)
    h->status = tcc_error(ctx,
                          "lower '%s': loops bound to %s in one kernel have different "
                          "extents; bind loops of equal extent",
                          h->name, tcc_for_kind_name(k.bad_kind));
  /* a launch size must not depend on the kernel's own indices */
  for (int i = 0; i < 6; i++)
    if (k.ext[i])
      for (size_t j = 0; j < k.bound.len; j++)
        if (tcc_expr_uses_var(k.ext[i], TCC_VEC_AT(k.bound, const tcc_var *, j)) &&
            h->status == TCC_OK)
          h->status = tcc_error(ctx,
                                "lower '%s': the extent of the loop bound to %s depends on "
                                "a loop inside the kernel",
                                h->name, tcc_for_kind_name((tcc_for_kind)(TCC_FOR_BLOCK_X + i)));
  tcc_primfunc *fn = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *fn);
  fn->name = tcc_arena_printf(tcc_ctx_arena(ctx), "%s_kernel%d", h->name, h->nkernels++);
  fn->nparams = (int)k.bufs.len;
  fn->params = k.bufs.data;
  fn->nscalars = (int)k.free_.len;
  fn->scalars = k.free_.data;
  fn->body = s;
  fn->is_device = true;
  for (int i = 0; i < 3; i++) {
    fn->grid[i] = k.ext[i];
    fn->block[i] = k.ext[3 + i];
  }
  return tcc_s_launch(ctx, fn, fn->grid, fn->block, fn->nparams, fn->params);
}

static const tcc_stmt *sp(shd *h, const tcc_stmt *s) {
  if (!s) return NULL;
  tcc_context *ctx = h->ctx;
  switch (s->kind) {
  case TCC_S_FOR:
    if (is_bound(s->u.loop.kind)) return outline(h, s);
    return tcc_s_for(ctx, s->u.loop.var, s->u.loop.min, s->u.loop.extent, s->u.loop.kind,
                     sp(h, s->u.loop.body));
  case TCC_S_ALLOCATE:
    return tcc_s_allocate(ctx, s->u.alloc.buf, s->u.alloc.size, sp(h, s->u.alloc.body));
  case TCC_S_IF: return tcc_s_if(ctx, s->u.ifs.cond, sp(h, s->u.ifs.then_), sp(h, s->u.ifs.else_));
  case TCC_S_LET: return tcc_s_let(ctx, s->u.let.var, s->u.let.value, sp(h, s->u.let.body));
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(s->u.seq.n + 1));
    for (int i = 0; i < s->u.seq.n; i++)
      v[i] = sp(h, s->u.seq.stmts[i]);
    return tcc_s_seq(ctx, s->u.seq.n, v);
  }
  default: return s;
  }
}

tcc_status tcc_pass_split_host_device(tcc_context *ctx, const char *name, const tcc_stmt *in,
                                      const tcc_stmt **out) {
  shd h = {ctx, name ? name : "f", 0, TCC_OK};
  const tcc_stmt *r = sp(&h, in);
  TCC_TRY(h.status);
  *out = r;
  return TCC_OK;
}
