/* memplan.c — the static memory plan: offsets of graph tensors in one arena with liveness-based
 * reuse (greedy by size, as TFLite's arena planner and ggml-alloc do). */
#include "passes.h"

#include <stdlib.h>

static size_t round_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

typedef struct order_item {
  size_t size;
  int idx;
} order_item;

static int by_size_desc(const void *pa, const void *pb) {
  const order_item *a = pa, *b = pb;
  if (a->size != b->size) return a->size > b->size ? -1 : 1;
  return a->idx - b->idx; /* stable: deterministic plans */
}

typedef struct placed {
  size_t lo, hi; /* [lo, hi) */
} placed;

static int by_lo(const void *pa, const void *pb) {
  const placed *a = pa, *b = pb;
  if (a->lo != b->lo) return a->lo < b->lo ? -1 : 1;
  return a->hi < b->hi ? -1 : (a->hi > b->hi);
}

tcc_status tcc_memplan(tcc_context *ctx, int n, tcc_mem_request *reqs, size_t align,
                       size_t *arena_size) {
  if (align == 0 || (align & (align - 1)))
    return tcc_error(ctx, "memory plan: alignment %zu is not a power of two", align);
  for (int i = 0; i < n; i++)
    if (reqs[i].first > reqs[i].last)
      return tcc_error(ctx, "memory plan: tensor %d is live from step %d to %d", i, reqs[i].first,
                       reqs[i].last);
  tcc_arena *a = tcc_ctx_arena(ctx);
  order_item *order = tcc_arena_alloc(a, sizeof(order_item) * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++)
    order[i] = (order_item){round_up(reqs[i].size, align), i};
  qsort(order, (size_t)n, sizeof *order, by_size_desc);
  bool *done = tcc_arena_alloc(a, sizeof(bool) * (size_t)(n ? n : 1));
  placed *conf = tcc_arena_alloc(a, sizeof(placed) * (size_t)(n ? n : 1));
  size_t total = 0;
  for (int k = 0; k < n; k++) {
    tcc_mem_request *r = &reqs[order[k].idx];
    size_t sz = order[k].size;
    /* Collect the placed tensors whose lifetimes overlap r's. */
    int nc = 0;
    for (int j = 0; j < n; j++) {
      if (!done[j]) continue;
      if (reqs[j].last < r->first || reqs[j].first > r->last) continue;
      conf[nc++] = (placed){reqs[j].offset, reqs[j].offset + round_up(reqs[j].size, align)};
    }
    qsort(conf, (size_t)nc, sizeof *conf, by_lo);
    /* Lowest gap that fits (best-fit would be marginally better; lowest is deterministic). */
    size_t off = 0;
    for (int c = 0; c < nc; c++) {
      if (conf[c].lo >= off + sz && sz > 0) break;
      if (conf[c].hi > off) off = conf[c].hi;
    }
    r->offset = off;
    done[order[k].idx] = true;
    if (off + sz > total) total = off + sz;
  }
  *arena_size = round_up(total, align);
  return TCC_OK;
}
