/* te.h — tensor expressions: what to compute, without saying how.
 *
 * A tensor is a placeholder (an input) or compute(shape, body): element [i0..in-1] is `body`
 * with the tensor's axis vars bound to the indices. Reductions appear in bodies as REDUCE
 * expressions over reduce itervars. Fused groups are compositions of computes; the schedule
 * (schedule/) decides loops, and lowering turns tensors into loop-IR buffers. */
#ifndef TCC_TE_H
#define TCC_TE_H

#include "expr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tcc_iv_kind { TCC_IV_DATA_PAR, TCC_IV_REDUCE } tcc_iv_kind;

/* An iteration variable over [min, min + extent). */
typedef struct tcc_itervar {
  const tcc_var *var;
  const tcc_expr *min, *extent; /* int64 */
  tcc_iv_kind kind;
} tcc_itervar;

typedef enum tcc_tensor_kind { TCC_TENSOR_PLACEHOLDER, TCC_TENSOR_COMPUTE } tcc_tensor_kind;

typedef struct tcc_tensor {
  const char *name;
  tcc_tensor_kind kind;
  tccrt_dtype dtype;
  uint32_t id;
  int ndim;
  const tcc_expr *const *shape; /* int64 extents */
  /* COMPUTE only: one data-parallel axis per dim (min 0, extent shape[d]) and the body over
   * their vars. */
  const tcc_itervar *const *axes;
  const tcc_expr *body;
  /* The op that made it ("conv2d", "dense", "elemwise"...), read by schedule strategies, and
   * op-specific facts for them (e.g. conv strides); may be NULL. */
  const char *tag;
  const void *tag_attrs;
  /* PLACEHOLDER only: non-NULL for constants (weights) — dense row-major bytes. */
  const void *const_data;
} tcc_tensor;

/* ndim may be 0 (a scalar). Shape exprs must be int64. */
tcc_tensor *tcc_placeholder(tcc_context *ctx, const char *name, tccrt_dtype dtype, int ndim,
                            const tcc_expr *const *shape);
/* Makes the data-parallel axes for a compute of this shape (names i0, i1, ... or `names`). */
const tcc_itervar *const *tcc_compute_axes(tcc_context *ctx, int ndim, const tcc_expr *const *shape,
                                           const char *const *names);
/* A compute tensor over `axes` (from tcc_compute_axes with the same shape) and `body`, whose
 * type gives the dtype. */
tcc_tensor *tcc_compute(tcc_context *ctx, const char *name, int ndim, const tcc_expr *const *shape,
                        const tcc_itervar *const *axes, const tcc_expr *body, const char *tag);
/* A reduction axis over [min, min+extent). */
const tcc_itervar *tcc_reduce_axis(tcc_context *ctx, const char *name, const tcc_expr *min,
                                   const tcc_expr *extent);
/* Read t[idx...] (nidx == t->ndim). */
static inline const tcc_expr *tcc_read(tcc_context *ctx, const tcc_tensor *t,
                                       const tcc_expr *const *idx) {
  return tcc_tensor_read(ctx, t, t->ndim, idx);
}
/* Built-in reductions; cond may be NULL. */
const tcc_expr *tcc_sum(tcc_context *ctx, const tcc_expr *src, int naxes,
                        const tcc_itervar *const *axes, const tcc_expr *cond);
const tcc_expr *tcc_reduce_max(tcc_context *ctx, const tcc_expr *src, int naxes,
                               const tcc_itervar *const *axes, const tcc_expr *cond);
const tcc_expr *tcc_reduce_min(tcc_context *ctx, const tcc_expr *src, int naxes,
                               const tcc_itervar *const *axes, const tcc_expr *cond);
const tcc_expr *tcc_reduce_prod(tcc_context *ctx, const tcc_expr *src, int naxes,
                                const tcc_itervar *const *axes, const tcc_expr *cond);

/* The tensors a body reads (direct inputs of a compute), deduplicated, in first-read order. */
int tcc_tensor_inputs(tcc_context *ctx, const tcc_tensor *t, const tcc_tensor ***out);
/* Prints "name[i0, i1] = body" for computes, "placeholder name(shape) dtype" otherwise. */
void tcc_tensor_print(FILE *f, const tcc_tensor *t);

#ifdef __cplusplus
}
#endif
#endif /* TCC_TE_H */
