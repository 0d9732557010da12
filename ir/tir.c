/* tir.c — loop-IR constructors: buffers and statements. See tir.h. */
#include "tir.h"

#include <assert.h>
#include <string.h>

tcc_buffer *tcc_buffer_new(tcc_context *ctx, const char *name, tccrt_dtype dtype, int ndim,
                           const tcc_expr *const *shape, tcc_mem_scope scope) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_buffer *b = tcc_arena_alloc(a, sizeof *b);
  b->name = tcc_arena_strdup(a, name ? name : "buf");
  b->dtype = dtype;
  b->id = tcc_ctx_next_id(ctx);
  /* The data pointer is modelled as a uint64 handle var named after the buffer. */
  b->data = tcc_var_new(ctx, b->name, tcc_scalar(TCCRT_UINT64));
  b->ndim = ndim;
  const tcc_expr **sh = tcc_arena_alloc(a, sizeof *sh * (size_t)(ndim > 0 ? ndim : 1));
  for (int i = 0; i < ndim; i++)
    sh[i] = shape[i];
  b->shape = sh;
  b->strides = NULL;
  b->scope = scope;
  size_t es = tccrt_dtype_size(dtype);
  b->align = es > 0 ? (int)es : 1;
  return b;
}

const char *tcc_for_kind_name(tcc_for_kind k) {
  switch (k) {
  case TCC_FOR_SERIAL: return "serial";
  case TCC_FOR_PARALLEL: return "parallel";
  case TCC_FOR_VECTORIZED: return "vectorized";
  case TCC_FOR_UNROLLED: return "unrolled";
  case TCC_FOR_BLOCK_X: return "blockIdx.x";
  case TCC_FOR_BLOCK_Y: return "blockIdx.y";
  case TCC_FOR_BLOCK_Z: return "blockIdx.z";
  case TCC_FOR_THREAD_X: return "threadIdx.x";
  case TCC_FOR_THREAD_Y: return "threadIdx.y";
  case TCC_FOR_THREAD_Z: return "threadIdx.z";
  }
  return "?";
}

static tcc_stmt *new_stmt(tcc_context *ctx, tcc_stmt_kind k) {
  tcc_stmt *s = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *s);
  s->kind = k;
  return s;
}

const tcc_stmt *tcc_s_for(tcc_context *ctx, const tcc_var *v, const tcc_expr *min,
                          const tcc_expr *extent, tcc_for_kind kind, const tcc_stmt *body) {
  assert(v && min && extent && body);
  tcc_stmt *s = new_stmt(ctx, TCC_S_FOR);
  s->u.loop.var = v;
  s->u.loop.min = min;
  s->u.loop.extent = extent;
  s->u.loop.kind = kind;
  s->u.loop.body = body;
  return s;
}

const tcc_stmt *tcc_s_store(tcc_context *ctx, const tcc_buffer *buf, int nidx,
                            const tcc_expr *const *idx, const tcc_expr *value,
                            const tcc_expr *pred) {
  assert(buf && value);
  tcc_stmt *s = new_stmt(ctx, TCC_S_STORE);
  const tcc_expr **ix = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *ix * (size_t)(nidx + 1));
  for (int i = 0; i < nidx; i++)
    ix[i] = idx[i];
  s->u.store.buf = buf;
  s->u.store.nidx = nidx;
  s->u.store.idx = ix;
  s->u.store.value = value;
  s->u.store.pred = pred;
  return s;
}

const tcc_stmt *tcc_s_allocate(tcc_context *ctx, const tcc_buffer *buf, const tcc_expr *size,
                               const tcc_stmt *body) {
  assert(buf && size && body);
  tcc_stmt *s = new_stmt(ctx, TCC_S_ALLOCATE);
  s->u.alloc.buf = buf;
  s->u.alloc.size = size;
  s->u.alloc.body = body;
  return s;
}

const tcc_stmt *tcc_s_if(tcc_context *ctx, const tcc_expr *cond, const tcc_stmt *then_,
                         const tcc_stmt *else_) {
  assert(cond && then_);
  tcc_stmt *s = new_stmt(ctx, TCC_S_IF);
  s->u.ifs.cond = cond;
  s->u.ifs.then_ = then_;
  s->u.ifs.else_ = else_;
  return s;
}

const tcc_stmt *tcc_s_let(tcc_context *ctx, const tcc_var *v, const tcc_expr *value,
                          const tcc_stmt *body) {
  assert(v && value && body);
  tcc_stmt *s = new_stmt(ctx, TCC_S_LET);
  s->u.let.var = v;
  s->u.let.value = value;
  s->u.let.body = body;
  return s;
}

const tcc_stmt *tcc_s_seq(tcc_context *ctx, int n, const tcc_stmt *const *stmts) {
  int live = 0;
  const tcc_stmt *last = NULL;
  for (int i = 0; i < n; i++)
    if (stmts[i]) {
      live++;
      last = stmts[i];
    }
  if (live == 1) return last;
  tcc_stmt *s = new_stmt(ctx, TCC_S_SEQ);
  const tcc_stmt **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(live + 1));
  int k = 0;
  for (int i = 0; i < n; i++)
    if (stmts[i]) v[k++] = stmts[i];
  s->u.seq.n = live;
  s->u.seq.stmts = v;
  return s;
}

const tcc_stmt *tcc_s_evaluate(tcc_context *ctx, const tcc_expr *value) {
  assert(value);
  tcc_stmt *s = new_stmt(ctx, TCC_S_EVALUATE);
  s->u.eval.value = value;
  return s;
}

const tcc_stmt *tcc_s_barrier(tcc_context *ctx) { return new_stmt(ctx, TCC_S_BARRIER); }

const tcc_stmt *tcc_s_launch(tcc_context *ctx, const struct tcc_primfunc *func,
                             const tcc_expr *const *grid, const tcc_expr *const *block, int nargs,
                             const tcc_buffer *const *args) {
  assert(func && nargs >= 0);
  tcc_stmt *s = new_stmt(ctx, TCC_S_LAUNCH);
  s->u.launch.func = func;
  for (int i = 0; i < 3; i++) {
    s->u.launch.grid[i] = grid ? grid[i] : NULL;
    s->u.launch.block[i] = block ? block[i] : NULL;
  }
  const tcc_buffer **a = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *a * (size_t)(nargs + 1));
  for (int i = 0; i < nargs; i++)
    a[i] = args[i];
  s->u.launch.nargs = nargs;
  s->u.launch.args = a;
  return s;
}
