/* core.c — arenas, contexts and diagnostics (see core.h). */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TCC_ARENA_CHUNK (1u << 20)

typedef struct tcc_chunk {
  struct tcc_chunk *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
} tcc_chunk;

struct tcc_arena {
  tcc_chunk *head;
  size_t total;
};

tcc_arena *tcc_arena_create(void) {
  tcc_arena *a = calloc(1, sizeof *a);
  if (!a) {
    fprintf(stderr, "tcc-ml: fatal: out of memory\n");
    abort();
  }
  return a;
}

void tcc_arena_destroy(tcc_arena *a) {
  if (!a) return;
  for (tcc_chunk *c = a->head, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  free(a);
}

void *tcc_arena_alloc(tcc_arena *a, size_t size) {
  size = (size + 15) & ~(size_t)15;
  tcc_chunk *c = a->head;
  if (!c || c->size - c->used < size) {
    size_t cap = size > TCC_ARENA_CHUNK ? size : TCC_ARENA_CHUNK;
    c = malloc(sizeof(tcc_chunk) + cap);
    if (!c) {
      fprintf(stderr, "tcc-ml: fatal: out of memory allocating %zu bytes\n", size);
      abort();
    }
    c->size = cap;
    c->used = 0;
    /* Large one-off blocks go behind the head so the head keeps its free space. */
    if (a->head && cap == size && a->head->size - a->head->used > 4096) {
      c->next = a->head->next;
      a->head->next = c;
    } else {
      c->next = a->head;
      a->head = c;
    }
  }
  void *p = c->data + c->used;
  c->used += size;
  a->total += size;
  memset(p, 0, size);
  return p;
}

char *tcc_arena_strndup(tcc_arena *a, const char *s, size_t n) {
  char *d = tcc_arena_alloc(a, n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

char *tcc_arena_strdup(tcc_arena *a, const char *s) {
  return s ? tcc_arena_strndup(a, s, strlen(s)) : NULL;
}

char *tcc_arena_printf(tcc_arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *d = tcc_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
  if (n > 0) vsnprintf(d, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return d;
}

size_t tcc_arena_used(const tcc_arena *a) { return a->total; }

void tcc_vec_init(tcc_vec *v, size_t elem_size) {
  memset(v, 0, sizeof *v);
  v->elem = elem_size;
}

void *tcc_vec_push(tcc_arena *a, tcc_vec *v, const void *elem) {
  if (v->len == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    void *d = tcc_arena_alloc(a, cap * v->elem);
    if (v->len) memcpy(d, v->data, v->len * v->elem);
    v->data = d;
    v->cap = cap;
  }
  void *slot = (char *)v->data + v->len * v->elem;
  memcpy(slot, elem, v->elem);
  v->len++;
  return slot;
}

uint64_t tcc_hash_bytes(const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 1099511628211ull;
  }
  return h;
}

/* ---- context and diagnostics ---- */

struct tcc_context {
  tcc_arena *arena;
  char *errors; /* malloc'ed, "; "-joined */
  size_t errors_len;
  int nerrors;
  const char *file;
  void *slots[TCC_SLOT_COUNT];
  uint32_t next_id;
};

void **tcc_ctx_slot(tcc_context *ctx, tcc_ctx_slot_id id) { return &ctx->slots[id]; }
uint32_t tcc_ctx_next_id(tcc_context *ctx) { return ++ctx->next_id; }

tcc_context *tcc_context_create(void) {
  tcc_context *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    fprintf(stderr, "tcc-ml: fatal: out of memory\n");
    abort();
  }
  ctx->arena = tcc_arena_create();
  return ctx;
}

void tcc_context_destroy(tcc_context *ctx) {
  if (!ctx) return;
  tcc_arena_destroy(ctx->arena);
  free(ctx->errors);
  free(ctx);
}

tcc_arena *tcc_ctx_arena(tcc_context *ctx) { return ctx->arena; }

void tcc_ctx_set_file(tcc_context *ctx, const char *file) {
  ctx->file = file ? tcc_arena_strdup(ctx->arena, file) : NULL;
}
const char *tcc_ctx_file(const tcc_context *ctx) { return ctx->file; }

static void append_error(tcc_context *ctx, const char *msg) {
  size_t n = strlen(msg), extra = ctx->nerrors ? 2 : 0;
  char *e = realloc(ctx->errors, ctx->errors_len + extra + n + 1);
  if (!e) return; /* keep earlier messages; this one is lost */
  if (extra) memcpy(e + ctx->errors_len, "; ", 2);
  memcpy(e + ctx->errors_len + extra, msg, n + 1);
  ctx->errors = e;
  ctx->errors_len += extra + n;
  ctx->nerrors++;
}

tcc_status tcc_verror(tcc_context *ctx, const char *fmt, va_list ap) {
  char buf[2048];
  vsnprintf(buf, sizeof buf, fmt, ap);
  append_error(ctx, buf);
  return TCC_ERR;
}

tcc_status tcc_error(tcc_context *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  tcc_verror(ctx, fmt, ap);
  va_end(ap);
  return TCC_ERR;
}

tcc_status tcc_error_at(tcc_context *ctx, const char *file, const char *node, const char *op,
                        const char *fmt, ...) {
  char head[1024] = "", msg[2048];
  size_t n = 0;
  if (file) n += (size_t)snprintf(head + n, sizeof head - n, "%s: ", file);
  if (node && n < sizeof head)
    n += (size_t)snprintf(head + n, sizeof head - n, "node '%s'%s", node, op ? "" : ": ");
  if (op && n < sizeof head)
    n += (size_t)snprintf(head + n, sizeof head - n, node ? " (%s): " : "%s: ", op);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return tcc_error(ctx, "%s%s", head, msg);
}

const char *tcc_error_text(tcc_context *ctx) { return ctx->errors ? ctx->errors : ""; }
int tcc_error_count(const tcc_context *ctx) { return ctx->nerrors; }
void tcc_error_clear(tcc_context *ctx) {
  free(ctx->errors);
  ctx->errors = NULL;
  ctx->errors_len = 0;
  ctx->nerrors = 0;
}
