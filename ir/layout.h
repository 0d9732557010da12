/* layout.h — data layouts of tensors: plain (the ONNX row-major order) and blocked layouts such
 * as NCHW8c, after TVM's tir/data_layout.h, and the per-value layout side table.
 *
 * A layout string lists a tensor's dims outermost first. A primal dim is one upper-case letter
 * (N, C, H, W, O, I ...); a sub-dim is a factor and the lower-case letter of its primal dim:
 * "NCHW8c" is [N, C/8, H, W, 8] where element (n, c, h, w) of the NCHW tensor lives at
 * [n, c / 8, h, w, c % 8]; "OIHW8i16o" is [O/16, I/8, H, W, 8, 16]. Each primal letter appears
 * once, at most one sub-dim per primal (which must appear in the string, before or after it), and
 * factors are >= 1. Blocked layouts need the blocked dims divisible by their factors (no padding).
 *
 * The graph keeps every value's physical shape in its tcc_value (an NCHW8c value has 5 dims);
 * which layout that shape is in lives in a tcc_layout_table indexed by value id (DESIGN.md: "per
 * value facts live in side tables"). A value without an entry is plain. */
#ifndef TCC_LAYOUT_H
#define TCC_LAYOUT_H

#include "te.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TCC_LAYOUT_MAX_DIMS TCCRT_MAX_RANK

/* A parsed layout. ndim == 0 is "plain": the value's ONNX layout, whatever its rank. */
typedef struct tcc_layout {
  int ndim;                            /* physical dims */
  char axis[TCC_LAYOUT_MAX_DIMS];      /* per physical dim: 'A'..'Z' primal, 'a'..'z' sub-dim */
  int64_t factor[TCC_LAYOUT_MAX_DIMS]; /* sub-dims: the block; primal dims: 0 */
} tcc_layout;

/* The plain layout (ndim 0). */
static inline tcc_layout tcc_layout_plain(void) {
  tcc_layout l = {0, {0}, {0}};
  return l;
}
static inline bool tcc_layout_is_plain(const tcc_layout *l) { return !l || l->ndim == 0; }

/* Parses `s` ("NCHW", "NCHW8c", "OIHW8i16o") into *out. Errors (TCC_ERR with a message naming
 * the string and the position): an empty string, a character that is not a letter or digit, a
 * factor not followed by a lower-case letter or < 1 (or > 2^31), a lower-case letter without a
 * factor, a repeated primal or sub-dim, a sub-dim whose primal is missing, more than
 * TCC_LAYOUT_MAX_DIMS dims. A string without sub-dims parses to a layout with ndim > 0 (its
 * letters name the dims) that is equivalent to plain. */
tcc_status tcc_layout_parse(tcc_context *ctx, const char *s, tcc_layout *out);
/* The layout as text ("NCHW8c"; "plain" for ndim 0), in the context's arena. */
const char *tcc_layout_str(tcc_context *ctx, const tcc_layout *l);
/* True when the layout has sub-dims (a plain layout and "NCHW" are not blocked). */
bool tcc_layout_is_blocked(const tcc_layout *l);
/* Structural equality; plain equals any layout without sub-dims of the same letters. */
bool tcc_layout_eq(const tcc_layout *a, const tcc_layout *b);
/* Number of primal dims (the rank of the tensor in its plain form). */
int tcc_layout_primal_rank(const tcc_layout *l);
/* The layout with its sub-dims removed ("NCHW8c" -> "NCHW"). */
tcc_layout tcc_layout_primal(const tcc_layout *l);
/* The block of primal `axis` ('C'), or 0 when it has no sub-dim. */
int64_t tcc_layout_block(const tcc_layout *l, char axis);
/* The physical dim of primal (upper-case) or sub-dim (lower-case) letter `axis`, or -1. */
int tcc_layout_index(const tcc_layout *l, char axis);
/* `l` with its first `drop` primal dims (and their sub-dims) removed: the layout of a tensor that
 * numpy-broadcasts against l's trailing primal dims ("NCHW8c" drop 1 -> "CHW8c"). Returns false
 * when a dropped primal has a sub-dim. */
bool tcc_layout_drop_leading(const tcc_layout *l, int drop, tcc_layout *out);

/* The logical (plain) extents of a tensor of physical shape `shape` in layout l (not plain):
 * out[p] for each primal dim p in l's primal order, the blocked dims multiplied back
 * (C/8 * 8). */
void tcc_layout_logical_shape(tcc_context *ctx, const tcc_layout *l, const tcc_expr *const *shape,
                              const tcc_expr **out);

/* The physical shape in layout `dst` of a tensor whose physical shape in layout `src` is
 * src_shape[0..src->ndim). src and dst must have the same primal letters (same set, any order).
 * Every dim that gets blocked in dst must be divisible by its factor (constant dims: checked;
 * symbolic dims: only when the division is provably exact); errors name both layouts and the
 * shape. out_shape holds dst->ndim int64 exprs. */
tcc_status tcc_layout_transform_shape(tcc_context *ctx, const tcc_layout *src,
                                      const tcc_expr *const *src_shape, const tcc_layout *dst,
                                      const tcc_expr **out_shape);
/* The TE compute of a layout transform: a tensor of dst's physical shape whose element at a
 * dst index is `x` at the src index of the same logical element (injective, no arithmetic on the
 * data; tag "layout_transform"). x->ndim must equal src->ndim; errors as above. */
tcc_status tcc_layout_transform_compute(tcc_context *ctx, const tcc_tensor *x,
                                        const tcc_layout *src, const tcc_layout *dst,
                                        const char *name, tcc_tensor **out);
/* Transforms dense row-major data of `elem_size`-byte elements, physical shape src_shape (all
 * constant) in layout src, into `dst` (dst_shape's element count * elem_size bytes, already
 * allocated) in layout dst. For packing constant weights at compile time. Errors as above. */
tcc_status tcc_layout_transform_data(tcc_context *ctx, const tcc_layout *src,
                                     const int64_t *src_shape, const tcc_layout *dst,
                                     size_t elem_size, const void *src_data, void *dst_data);

/* ---- the per-value side table ---- */
typedef struct tcc_layout_table {
  int n;          /* entries (value ids 0..n-1) */
  tcc_layout *of; /* of[value id]; ndim 0 = plain */
} tcc_layout_table;

/* The layout of value id `id` (plain when past the table or the table is NULL). */
const tcc_layout *tcc_layout_of(const tcc_layout_table *t, uint32_t id);
/* Sets the layout of value id `id`, growing the table (arena memory). */
void tcc_layout_set(tcc_context *ctx, tcc_layout_table *t, uint32_t id, const tcc_layout *l);

#ifdef __cplusplus
}
#endif
#endif /* TCC_LAYOUT_H */
