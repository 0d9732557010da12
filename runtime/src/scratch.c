/* scratch.c — per-thread scratch stacks for kernel scratch that the memory plan cannot place in
 * the model's arena: allocations inside a parallel loop body (each running chunk needs its own
 * copy, and only the runtime knows which thread runs it) and allocations of symbolic size. Each
 * thread owns a stack of blocks obtained from tccrt_alloc; a push bumps the top block, a pop
 * rewinds it. Blocks are kept after use, so once a thread has run a kernel with its largest
 * scratch need, later pushes allocate nothing (DESIGN: NAME_run allocates nothing per call after
 * the first). Every block stays linked from a global list, so it is never lost (valgrind: still
 * reachable) even when its thread has exited. */
#include "tccrt.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct scratch_block {
  struct scratch_block *next_global; /* all blocks of all threads (never freed) */
  struct scratch_block *next;        /* this thread's stack: the block above this one */
  struct scratch_block *prev;        /* the block below */
  size_t cap, used;                  /* bytes of data[] */
  _Alignas(64) unsigned char data[];
} scratch_block;

typedef struct scratch_stack {
  scratch_block *first; /* bottom block */
  scratch_block *top;   /* the block pushes go to */
} scratch_stack;

static _Thread_local scratch_stack t_scratch;
static scratch_block *g_blocks;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

enum { SCRATCH_MIN_BLOCK = 64 << 10 };

static scratch_block *new_block(size_t need) {
  size_t cap = need < SCRATCH_MIN_BLOCK ? SCRATCH_MIN_BLOCK : need;
  if (cap > SIZE_MAX - sizeof(scratch_block)) return NULL;
  scratch_block *b = tccrt_alloc(sizeof(scratch_block) + cap, 64);
  if (!b) return NULL;
  b->next = b->prev = NULL;
  b->cap = cap;
  b->used = 0;
  pthread_mutex_lock(&g_lock);
  b->next_global = g_blocks;
  g_blocks = b;
  pthread_mutex_unlock(&g_lock);
  return b;
}

/* Bytes from `used` to the next multiple of `align` (a power of two <= 64) plus `size`, or
 * SIZE_MAX on overflow. */
static size_t fit(const scratch_block *b, size_t size, size_t align) {
  size_t off = (b->used + align - 1) & ~(align - 1);
  if (off > b->cap || size > b->cap - off) return SIZE_MAX;
  return off;
}

__attribute__((weak)) void *tccrt_scratch_push(size_t size, size_t alignment) {
  if (alignment < 16) alignment = 16;
  if ((alignment & (alignment - 1)) != 0 || alignment > 64) {
    tccrt_set_error(TCCRT_ERR_INVALID_ARGUMENT,
                    "tccrt_scratch_push: alignment %zu is not a power of two <= 64", alignment);
    return NULL;
  }
  if (size == 0) size = 1;
  scratch_stack *st = &t_scratch;
  scratch_block *b = st->top;
  /* The top block, then the (empty) blocks above it kept from earlier calls. */
  for (; b; b = b->next) {
    size_t off = fit(b, size, alignment);
    if (off != SIZE_MAX) {
      b->used = off + size;
      st->top = b;
      return b->data + off;
    }
    if (b->next && b->next->used != 0) break; /* (invariant: blocks above top are empty) */
  }
  if (size > SIZE_MAX - alignment) {
    tccrt_set_error(TCCRT_ERR_OUT_OF_MEMORY, "tccrt_scratch_push: %zu bytes is too large", size);
    return NULL;
  }
  scratch_block *nb = new_block(size);
  if (!nb) {
    char why[256]; /* the allocator's own message, if it set one */
    snprintf(why, sizeof why, "%s", tccrt_last_error());
    tccrt_set_error(TCCRT_ERR_OUT_OF_MEMORY,
                    "tccrt_scratch_push: cannot allocate %zu bytes of scratch: %s", size, why);
    return NULL;
  }
  /* Insert the new block right above the current top (a too-small empty block above it stays
   * above the new one, for smaller pushes). */
  scratch_block *below = st->top;
  if (!below) {
    nb->next = st->first;
    if (st->first) st->first->prev = nb;
    st->first = nb;
  } else {
    nb->prev = below;
    nb->next = below->next;
    if (below->next) below->next->prev = nb;
    below->next = nb;
  }
  nb->used = size;
  st->top = nb;
  return nb->data;
}

__attribute__((weak)) void tccrt_scratch_pop(void *p) {
  if (!p) return;
  scratch_stack *st = &t_scratch;
  const unsigned char *c = p;
  scratch_block *b = st->top;
  while (b && !(c >= b->data && c < b->data + b->cap))
    b = b->prev;
  if (!b) return; /* not from this thread's stack */
  b->used = (size_t)(c - b->data);
  /* Everything pushed after p is released too (its pops were skipped by an error). */
  for (scratch_block *a = b->next; a && a->used; a = a->next)
    a->used = 0;
  st->top = b->used == 0 && b->prev ? b->prev : b;
}
