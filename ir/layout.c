/* layout.c — layout strings, shape and data transforms, the TE compute of a layout transform and
 * the per-value layout table (see layout.h). */
#include "layout.h"

#include <ctype.h>
#include <string.h>

static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

tcc_status tcc_layout_parse(tcc_context *ctx, const char *s, tcc_layout *out) {
  tcc_layout l = tcc_layout_plain();
  if (!s || !*s) return tcc_error(ctx, "layout: empty layout string");
  const char *p = s;
  while (*p) {
    int64_t f = 0;
    const char *start = p;
    while (*p >= '0' && *p <= '9') {
      f = f * 10 + (*p - '0');
      if (f > ((int64_t)1 << 31))
        return tcc_error(ctx, "layout '%s': factor at position %d is too large", s,
                         (int)(start - s));
      p++;
    }
    char c = *p;
    if (!is_upper(c) && !is_lower(c))
      return tcc_error(ctx, "layout '%s': expected a letter at position %d", s, (int)(p - s));
    if (p != start && !is_lower(c))
      return tcc_error(ctx,
                       "layout '%s': a factor must be followed by a lower-case sub-dim letter "
                       "(position %d)",
                       s, (int)(p - s));
    if (is_lower(c) && (p == start || f < 1))
      return tcc_error(ctx, "layout '%s': sub-dim '%c' needs a factor >= 1 (e.g. 8%c)", s, c, c);
    for (int d = 0; d < l.ndim; d++)
      if (l.axis[d] == c) return tcc_error(ctx, "layout '%s': dim '%c' appears twice", s, c);
    if (l.ndim >= TCC_LAYOUT_MAX_DIMS)
      return tcc_error(ctx, "layout '%s': more than %d dims", s, TCC_LAYOUT_MAX_DIMS);
    l.axis[l.ndim] = c;
    l.factor[l.ndim] = is_lower(c) ? f : 0;
    l.ndim++;
    p++;
  }
  for (int d = 0; d < l.ndim; d++)
    if (is_lower(l.axis[d]) && tcc_layout_index(&l, (char)toupper(l.axis[d])) < 0)
      return tcc_error(ctx, "layout '%s': sub-dim '%c' has no primal dim '%c'", s, l.axis[d],
                       toupper(l.axis[d]));
  *out = l;
  return TCC_OK;
}

const char *tcc_layout_str(tcc_context *ctx, const tcc_layout *l) {
  if (tcc_layout_is_plain(l)) return "plain";
  char buf[TCC_LAYOUT_MAX_DIMS * 24 + 1];
  size_t o = 0;
  for (int d = 0; d < l->ndim; d++) {
    if (l->factor[d] > 0)
      o += (size_t)snprintf(buf + o, sizeof buf - o, "%lld", (long long)l->factor[d]);
    buf[o++] = l->axis[d];
  }
  buf[o] = 0;
  return tcc_arena_strdup(tcc_ctx_arena(ctx), buf);
}

bool tcc_layout_is_blocked(const tcc_layout *l) {
  if (tcc_layout_is_plain(l)) return false;
  for (int d = 0; d < l->ndim; d++)
    if (is_lower(l->axis[d])) return true;
  return false;
}

bool tcc_layout_eq(const tcc_layout *a, const tcc_layout *b) {
  bool ba = tcc_layout_is_blocked(a), bb = tcc_layout_is_blocked(b);
  if (!ba && !bb) {
    /* plain vs a letters-only layout of any letters: both are the ONNX order */
    if (tcc_layout_is_plain(a) || tcc_layout_is_plain(b)) return true;
  }
  if (tcc_layout_is_plain(a) || tcc_layout_is_plain(b)) return false;
  if (a->ndim != b->ndim) return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->axis[d] != b->axis[d] || a->factor[d] != b->factor[d]) return false;
  return true;
}

int tcc_layout_primal_rank(const tcc_layout *l) {
  int n = 0;
  for (int d = 0; l && d < l->ndim; d++)
    n += is_upper(l->axis[d]);
  return n;
}

tcc_layout tcc_layout_primal(const tcc_layout *l) {
  tcc_layout r = tcc_layout_plain();
  for (int d = 0; l && d < l->ndim; d++)
    if (is_upper(l->axis[d])) r.axis[r.ndim++] = l->axis[d];
  return r;
}

int tcc_layout_index(const tcc_layout *l, char axis) {
  for (int d = 0; l && d < l->ndim; d++)
    if (l->axis[d] == axis) return d;
  return -1;
}

int64_t tcc_layout_block(const tcc_layout *l, char axis) {
  int d = tcc_layout_index(l, (char)tolower(axis));
  return d < 0 ? 0 : l->factor[d];
}

bool tcc_layout_drop_leading(const tcc_layout *l, int drop, tcc_layout *out) {
  tcc_layout r = tcc_layout_plain();
  char dropped[TCC_LAYOUT_MAX_DIMS];
  int nd = 0, seen = 0;
  for (int d = 0; d < l->ndim; d++) {
    if (is_upper(l->axis[d]) && seen++ < drop) {
      dropped[nd++] = l->axis[d];
      continue;
    }
  }
  for (int d = 0; d < l->ndim; d++) {
    char c = l->axis[d];
    bool gone = false;
    for (int k = 0; k < nd; k++)
      gone |= dropped[k] == (char)toupper(c);
    if (gone) {
      if (is_lower(c)) return false;
      continue;
    }
    r.axis[r.ndim] = c;
    r.factor[r.ndim++] = l->factor[d];
  }
  *out = r;
  return true;
}

/* Checks that src and dst have the same primal letters. */
static tcc_status same_primals(tcc_context *ctx, const tcc_layout *src, const tcc_layout *dst) {
  bool ok = tcc_layout_primal_rank(src) == tcc_layout_primal_rank(dst);
  for (int d = 0; ok && d < src->ndim; d++)
    if (is_upper(src->axis[d])) ok = tcc_layout_index(dst, src->axis[d]) >= 0;
  if (!ok)
    return tcc_error(ctx, "layout transform %s -> %s: the layouts have different primal dims",
                     tcc_layout_str(ctx, src), tcc_layout_str(ctx, dst));
  return TCC_OK;
}

/* The logical (primal) extent of letter P from a physical shape in layout l. */
static const tcc_expr *primal_extent(tcc_context *ctx, const tcc_layout *l,
                                     const tcc_expr *const *shape, char P) {
  const tcc_expr *e = shape[tcc_layout_index(l, P)];
  int64_t b = tcc_layout_block(l, P);
  if (b > 0) {
    const tcc_expr *m = tcc_mul(ctx, e, tcc_idx(ctx, b));
    int64_t c;
    if (tcc_expr_is_int_imm(e, &c)) m = tcc_idx(ctx, c * b);
    e = m;
  }
  return e;
}

void tcc_layout_logical_shape(tcc_context *ctx, const tcc_layout *l, const tcc_expr *const *shape,
                              const tcc_expr **out) {
  int p = 0;
  for (int d = 0; d < l->ndim; d++)
    if (is_upper(l->axis[d])) out[p++] = primal_extent(ctx, l, shape, l->axis[d]);
}

tcc_status tcc_layout_transform_shape(tcc_context *ctx, const tcc_layout *src,
                                      const tcc_expr *const *src_shape, const tcc_layout *dst,
                                      const tcc_expr **out_shape) {
  if (tcc_layout_is_plain(src) || tcc_layout_is_plain(dst))
    return tcc_error(ctx, "layout transform: both layouts must name their dims (got %s -> %s)",
                     tcc_layout_str(ctx, src), tcc_layout_str(ctx, dst));
  TCC_TRY(same_primals(ctx, src, dst));
  for (int d = 0; d < dst->ndim; d++) {
    char c = dst->axis[d];
    char P = (char)toupper(c);
    const tcc_expr *full = primal_extent(ctx, src, src_shape, P);
    if (is_lower(c)) {
      out_shape[d] = tcc_idx(ctx, dst->factor[d]);
      continue;
    }
    int64_t b = tcc_layout_block(dst, P);
    if (b <= 0) {
      out_shape[d] = full;
      continue;
    }
    int64_t v;
    if (tcc_expr_is_int_imm(full, &v)) {
      if (v % b)
        return tcc_error(ctx,
                         "layout transform %s -> %s: dim '%c' has extent %lld, not divisible by "
                         "the block %lld",
                         tcc_layout_str(ctx, src), tcc_layout_str(ctx, dst), P, (long long)v,
                         (long long)b);
      out_shape[d] = tcc_idx(ctx, v / b);
      continue;
    }
    /* symbolic: exact only when the source already holds a multiple of b */
    int si = tcc_layout_index(src, P);
    int64_t sb = tcc_layout_block(src, P);
    if (sb > 0 && sb % b == 0) {
      out_shape[d] = tcc_mul(ctx, src_shape[si], tcc_idx(ctx, sb / b));
      continue;
    }
    return tcc_error(ctx,
                     "layout transform %s -> %s: dim '%c' is symbolic (%s); cannot prove it "
                     "divisible by the block %lld",
                     tcc_layout_str(ctx, src), tcc_layout_str(ctx, dst), P, tcc_expr_str(ctx, full),
                     (long long)b);
  }
  return TCC_OK;
}

tcc_status tcc_layout_transform_compute(tcc_context *ctx, const tcc_tensor *x,
                                        const tcc_layout *src, const tcc_layout *dst,
                                        const char *name, tcc_tensor **out) {
  if (tcc_layout_is_plain(src) || x->ndim != src->ndim)
    return tcc_error(ctx, "layout transform: input '%s' has %d dims; layout %s has %d", x->name,
                     x->ndim, tcc_layout_str(ctx, src), src->ndim);
  const tcc_expr *shape[TCC_LAYOUT_MAX_DIMS];
  TCC_TRY(tcc_layout_transform_shape(ctx, src, x->shape, dst, shape));
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, dst->ndim, shape, NULL);
  const tcc_expr *o[TCC_LAYOUT_MAX_DIMS], *idx[TCC_LAYOUT_MAX_DIMS];
  for (int d = 0; d < dst->ndim; d++)
    o[d] = tcc_expr_var(ctx, ax[d]->var);
  for (int d = 0; d < src->ndim; d++) {
    char c = src->axis[d];
    char P = (char)toupper(c);
    int dp = tcc_layout_index(dst, P), ds = tcc_layout_index(dst, (char)tolower(P));
    int64_t bd = tcc_layout_block(dst, P), bs = tcc_layout_block(src, P);
    if (bd == bs) {
      /* the same blocking of this primal: a direct copy of the index */
      idx[d] = is_upper(c) ? o[dp] : o[ds];
      continue;
    }
    const tcc_expr *coord = o[dp];
    if (bd > 0) coord = tcc_add(ctx, tcc_mul(ctx, o[dp], tcc_idx(ctx, bd)), o[ds]);
    if (bs <= 0)
      idx[d] = coord;
    else if (is_upper(c))
      idx[d] = tcc_floordiv(ctx, coord, tcc_idx(ctx, bs));
    else
      idx[d] = tcc_floormod(ctx, coord, tcc_idx(ctx, bs));
  }
  *out = tcc_compute(ctx, name ? name : "layout_transform", dst->ndim, shape, ax,
                     tcc_read(ctx, x, idx), "layout_transform");
  return TCC_OK;
}

tcc_status tcc_layout_transform_data(tcc_context *ctx, const tcc_layout *src,
                                     const int64_t *src_shape, const tcc_layout *dst,
                                     size_t elem_size, const void *src_data, void *dst_data) {
  const tcc_expr *ss[TCC_LAYOUT_MAX_DIMS], *ds[TCC_LAYOUT_MAX_DIMS];
  if (tcc_layout_is_plain(src) || tcc_layout_is_plain(dst))
    return tcc_error(ctx, "layout transform: both layouts must name their dims");
  for (int d = 0; d < src->ndim; d++)
    ss[d] = tcc_idx(ctx, src_shape[d]);
  TCC_TRY(tcc_layout_transform_shape(ctx, src, ss, dst, ds));
  int64_t dshape[TCC_LAYOUT_MAX_DIMS], sstride[TCC_LAYOUT_MAX_DIMS];
  int64_t total = 1;
  for (int d = 0; d < dst->ndim; d++) {
    if (!tcc_expr_is_int_imm(ds[d], &dshape[d]))
      return tcc_error(ctx, "layout transform: non-constant shape");
    total *= dshape[d];
  }
  int64_t st = 1;
  for (int d = src->ndim; d-- > 0;) {
    sstride[d] = st;
    st *= src_shape[d];
  }
  /* for each dst dim: its contribution to the primal coordinate (coef) of primal letter P */
  int64_t idx[TCC_LAYOUT_MAX_DIMS] = {0};
  const uint8_t *s = src_data;
  uint8_t *o = dst_data;
  for (int64_t i = 0; i < total; i++) {
    int64_t off = 0;
    for (int d = 0; d < src->ndim; d++) {
      char c = src->axis[d];
      char P = (char)toupper(c);
      int dp = tcc_layout_index(dst, P), dsub = tcc_layout_index(dst, (char)tolower(P));
      int64_t bd = tcc_layout_block(dst, P), bs = tcc_layout_block(src, P);
      int64_t coord = bd > 0 ? idx[dp] * bd + idx[dsub] : idx[dp];
      int64_t v = bs <= 0 ? coord : is_upper(c) ? coord / bs : coord % bs;
      off += v * sstride[d];
    }
    memcpy(o + (size_t)i * elem_size, s + (size_t)off * elem_size, elem_size);
    for (int d = dst->ndim; d-- > 0;) {
      if (++idx[d] < dshape[d]) break;
      idx[d] = 0;
    }
  }
  return TCC_OK;
}

const tcc_layout *tcc_layout_of(const tcc_layout_table *t, uint32_t id) {
  static const tcc_layout plain = {0, {0}, {0}};
  if (!t || id >= (uint32_t)t->n) return &plain;
  return &t->of[id];
}

void tcc_layout_set(tcc_context *ctx, tcc_layout_table *t, uint32_t id, const tcc_layout *l) {
  if (id >= (uint32_t)t->n) {
    int nn = (int)id + 64;
    if (nn < 2 * t->n) nn = 2 * t->n;
    tcc_layout *of = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_layout) * (size_t)nn);
    if (t->n) memcpy(of, t->of, sizeof(tcc_layout) * (size_t)t->n);
    t->of = of;
    t->n = nn;
  }
  t->of[id] = *l;
}
