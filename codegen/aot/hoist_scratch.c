/* hoist_scratch.c — moves a kernel's constant-size WORKSPACE allocations out of the PrimFunc into
 * extra buffer parameters, so the memory planner places them in the model's arena (DESIGN: the
 * arena also holds each kernel's scratch) and nothing is allocated per call. Allocations inside a
 * parallel loop stay (each running chunk needs its own copy): codegen puts small constant ones on
 * the outlined body's stack and the rest on the thread's tccrt_scratch_push stack, which keeps its
 * memory, so they too allocate nothing after a thread's first call. */
#include "aot_internal.h"

typedef struct hoist_state {
  tcc_context *ctx;
  tcc_vec bufs;  /* const tcc_buffer * */
  tcc_vec bytes; /* size_t */
} hoist_state;

static const tcc_stmt *hoist(hoist_state *h, const tcc_stmt *s, bool in_parallel) {
  if (!s) return NULL;
  tcc_context *ctx = h->ctx;
  tcc_arena *a = tcc_ctx_arena(ctx);
  switch (s->kind) {
  case TCC_S_FOR: {
    bool par = in_parallel || s->u.loop.kind == TCC_FOR_PARALLEL;
    const tcc_stmt *b = hoist(h, s->u.loop.body, par);
    if (b == s->u.loop.body) return s;
    return tcc_s_for(ctx, s->u.loop.var, s->u.loop.min, s->u.loop.extent, s->u.loop.kind, b);
  }
  case TCC_S_ALLOCATE: {
    const tcc_stmt *b = hoist(h, s->u.alloc.body, in_parallel);
    int64_t n;
    const tcc_buffer *buf = s->u.alloc.buf;
    if (!in_parallel && buf->scope == TCC_SCOPE_WORKSPACE &&
        tcc_expr_is_int_imm(s->u.alloc.size, &n) && n >= 0) {
      size_t bytes = (size_t)n * tccrt_dtype_size((tccrt_dtype)buf->dtype);
      tcc_vec_push(a, &h->bufs, &buf);
      tcc_vec_push(a, &h->bytes, &bytes);
      return b ? b : tcc_s_seq(ctx, 0, NULL);
    }
    if (b == s->u.alloc.body) return s;
    return tcc_s_allocate(ctx, buf, s->u.alloc.size, b);
  }
  case TCC_S_IF: {
    const tcc_stmt *t = hoist(h, s->u.ifs.then_, in_parallel);
    const tcc_stmt *e = hoist(h, s->u.ifs.else_, in_parallel);
    if (t == s->u.ifs.then_ && e == s->u.ifs.else_) return s;
    return tcc_s_if(ctx, s->u.ifs.cond, t, e);
  }
  case TCC_S_LET: {
    const tcc_stmt *b = hoist(h, s->u.let.body, in_parallel);
    if (b == s->u.let.body) return s;
    return tcc_s_let(ctx, s->u.let.var, s->u.let.value, b);
  }
  case TCC_S_SEQ: {
    const tcc_stmt **v = tcc_arena_alloc(a, sizeof(tcc_stmt *) * (size_t)(s->u.seq.n + 1));
    bool changed = false;
    for (int i = 0; i < s->u.seq.n; i++) {
      v[i] = hoist(h, s->u.seq.stmts[i], in_parallel);
      changed |= v[i] != s->u.seq.stmts[i];
    }
    return changed ? tcc_s_seq(ctx, s->u.seq.n, v) : s;
  }
  default: return s;
  }
}

/* Returns a copy of fn whose hoisted scratch buffers follow the original params; *nscratch and
 * *scratch_bytes describe them (bytes each). */
tcc_primfunc *tcc_aot_hoist_scratch(tcc_context *ctx, const tcc_primfunc *fn, int *nscratch,
                                    size_t **scratch_bytes) {
  hoist_state h = {ctx, {0}, {0}};
  tcc_vec_init(&h.bufs, sizeof(const tcc_buffer *));
  tcc_vec_init(&h.bytes, sizeof(size_t));
  const tcc_stmt *body = hoist(&h, fn->body, false);
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_primfunc *out = tcc_arena_alloc(a, sizeof *out);
  *out = *fn;
  out->body = body;
  int n = (int)h.bufs.len;
  const tcc_buffer **params =
      tcc_arena_alloc(a, sizeof(tcc_buffer *) * (size_t)(fn->nparams + n + 1));
  for (int i = 0; i < fn->nparams; i++)
    params[i] = fn->params[i];
  for (int i = 0; i < n; i++)
    params[fn->nparams + i] = TCC_VEC_AT(h.bufs, const tcc_buffer *, i);
  out->params = params;
  out->nparams = fn->nparams + n;
  *nscratch = n;
  *scratch_bytes = h.bytes.data;
  return out;
}
