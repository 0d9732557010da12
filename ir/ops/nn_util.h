/* nn_util.h — helpers shared by the neural-network op families (conv.c, pool.c, matmul.c,
 * norm.c, softmax.c, quant.c, resize.c): typed attribute reads with counts, sliding-window
 * geometry (kernel, strides, dilations, pads, auto_pad, ceil_mode) with symbolic dims, and small
 * tensor-expression helpers (index vars, clamped reads, accumulation types).
 *
 * Generic helpers (inputs, outputs, axes, broadcasting, constant inputs) live in op_util.h. */
#ifndef TCC_NN_UTIL_H
#define TCC_NN_UTIL_H

#include "op_util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_MAX_SPATIAL (TCCRT_MAX_RANK - 2)

/* ---- attributes ---- */

/* Reads INTS attribute `name` into out[0..count): when absent every element is `dflt`; when
 * present it must have exactly `count` elements (else an error naming the node and attribute). */
tcc_status nn_attr_ints_n(tcc_infer_ctx *ic, const tcc_node *n, const char *name, int count,
                          int64_t dflt, int64_t *out);
/* INT / FLOAT / STRING attribute with a default (wrappers over graph.h's getters). */
tcc_status nn_attr_int(tcc_infer_ctx *ic, const tcc_node *n, const char *name, int64_t dflt,
                       int64_t *out);
tcc_status nn_attr_float(tcc_infer_ctx *ic, const tcc_node *n, const char *name, double dflt,
                         double *out);
tcc_status nn_attr_string(tcc_infer_ctx *ic, const tcc_node *n, const char *name, const char *dflt,
                          const char **out);

/* Checks that input k (when present) has rank ndim and, for every dims[i] that is non-NULL, an
 * extent equal to it when both are constant; otherwise an error naming the node, `what` (the
 * input's role), its shape and the expected shape. */
tcc_status nn_check_shape(tcc_infer_ctx *ic, const tcc_node *n, int k, const char *what, int ndim,
                          const tcc_expr *const *dims);

/* Checks that input k (when present) broadcasts unidirectionally to the shape (ndim, dims): rank
 * at most ndim and every right-aligned extent 1 or equal to the target's (when both constant). */
tcc_status nn_check_unibroadcast(tcc_infer_ctx *ic, const tcc_node *n, int k, const char *what,
                                 int ndim, const tcc_expr *const *dims);

/* An infer context for a compute (diagnostics name the same node and graph). */
static inline tcc_infer_ctx nn_ic_of(tcc_compute_ctx *cc) {
  tcc_infer_ctx ic = {cc->ctx, (tcc_graph *)cc->graph};
  return ic;
}

/* ---- sliding windows (Conv, ConvTranspose-free pools) ----
 *
 * ONNX Conv/MaxPool/AveragePool/LpPool geometry, per spatial axis i with input extent in_i,
 * kernel k_i, stride s_i, dilation d_i, effective kernel ek_i = (k_i - 1) * d_i + 1:
 *   NOTSET: out = floor((in + pb + pe - ek) / s) + 1 (ceil with ceil_mode, then one less when
 *           the last window would start at or beyond in + pb, as the ONNX reference does);
 *   VALID:  out = ceil((in - ek + 1) / s), pads 0;
 *   SAME_UPPER / SAME_LOWER: out = ceil(in / s), total pad max(0, (out - 1) * s + ek - in),
 *           split with the odd element at the end (UPPER) or the beginning (LOWER). */
typedef struct nn_window {
  int nsp; /* spatial rank */
  int64_t kernel[NN_MAX_SPATIAL], stride[NN_MAX_SPATIAL], dil[NN_MAX_SPATIAL];
  const tcc_expr *pad_begin[NN_MAX_SPATIAL], *pad_end[NN_MAX_SPATIAL]; /* int64 */
  const tcc_expr *out[NN_MAX_SPATIAL];                                 /* output extents */
} nn_window;

/* The effective extent (kernel - 1) * dil + 1 of a dilated kernel along spatial axis `axis`, in
 * checked int64 arithmetic: kernel and dil must be >= 1 and the extent must fit int64, else an
 * error naming the node, the axis and both values. */
tcc_status nn_effective_kernel(tcc_infer_ctx *ic, const tcc_node *n, int axis, int64_t kernel,
                               int64_t dil, int64_t *ek);

/* Fills *w from the node's strides, dilations, pads and auto_pad attributes for input spatial
 * extents in_sp[0..nsp) and kernel[0..nsp). Checks kernel/strides/dilations >= 1, pads >= 0 and
 * a positive constant output extent; errors name the node. Attribute-derived sizes are computed
 * in checked int64 arithmetic (an effective kernel, pads or padded extent that overflows is an
 * error), and with a constant input extent a window (effective kernel) larger than the padded
 * input is an error (NOTSET, VALID). */
tcc_status nn_window_infer(tcc_infer_ctx *ic, const tcc_node *n, int nsp,
                           const tcc_expr *const *in_sp, const int64_t *kernel, bool ceil_mode,
                           bool has_dilations, nn_window *w);

/* ---- tensor-expression helpers ---- */

/* Index vars of a compute's axes as exprs (arena array of n). */
const tcc_expr **nn_axis_exprs(tcc_context *ctx, int n, const tcc_itervar *const *axes);
/* The accumulation dtype of a float dtype: float32 for float16/bfloat16, else itself. */
tccrt_dtype nn_acc_dtype(tccrt_dtype dt);
/* Reads t at idx where each idx[d] is clamped into [0, shape[d]-1] (so a read in the untaken arm
 * of a select never leaves the tensor), as a scalar of t's dtype. */
const tcc_expr *nn_read_clamped(tcc_context *ctx, const tcc_tensor *t, const tcc_expr *const *idx);
/* Reads t converted to dtype `to`. */
const tcc_expr *nn_read_as(tcc_context *ctx, const tcc_tensor *t, const tcc_expr *const *idx,
                           tccrt_dtype to);
/* (lo <= e) && (e < hi) as a bool expr. */
const tcc_expr *nn_in_range(tcc_context *ctx, const tcc_expr *e, const tcc_expr *lo,
                            const tcc_expr *hi);
/* The dims of node output k (inferred), or NULL with an error when not inferred. */
tcc_status nn_out_dims(tcc_compute_ctx *cc, int k, int *ndim, const tcc_expr *const **dims);
/* Records "compute: ..." for the compute's node; returns TCC_ERR. */
tcc_status nn_compute_error(tcc_compute_ctx *cc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Numpy-broadcast read of t (rank <= out rank) at output indices idx[0..out_ndim): right-aligned,
 * dims of constant extent 1 read index 0. */
const tcc_expr *nn_read_bcast(tcc_context *ctx, const tcc_tensor *t, int out_ndim,
                              const tcc_expr *const *idx);

#ifdef __cplusplus
}
#endif
#endif /* TCC_NN_UTIL_H */
