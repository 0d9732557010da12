/* op_util.h — helpers shared by every op family's inference (and computes).
 *
 * All helpers record a diagnostic naming the node ("FILE: node 'NAME' (OP): ...") and return
 * TCC_ERR on bad input; none of them abort on user input. Shapes are arrays of int64 index
 * expressions (tcc_expr) over the graph's symbols; a rank-0 shape has ndim 0 (dims may be NULL).
 *
 * Symbolic shape arithmetic (tcc_shape_*) keeps products in one canonical form — the non-constant
 * factors ordered by creation id, then the constant coefficient last — so that equal products are
 * the same pointer and print as `N*64`. */
#ifndef TCC_OP_UTIL_H
#define TCC_OP_UTIL_H

#include "op.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- dtype sets: bit masks over tccrt_dtype codes (all codes are < 32) ---- */
#define TCC_DTM(dt) (1u << (unsigned)(dt))
#define TCC_DTM_FLOAT                                                                              \
  (TCC_DTM(TCCRT_FLOAT16) | TCC_DTM(TCCRT_BFLOAT16) | TCC_DTM(TCCRT_FLOAT32) |                     \
   TCC_DTM(TCCRT_FLOAT64))
#define TCC_DTM_SINT                                                                               \
  (TCC_DTM(TCCRT_INT8) | TCC_DTM(TCCRT_INT16) | TCC_DTM(TCCRT_INT32) | TCC_DTM(TCCRT_INT64))
#define TCC_DTM_UINT                                                                               \
  (TCC_DTM(TCCRT_UINT8) | TCC_DTM(TCCRT_UINT16) | TCC_DTM(TCCRT_UINT32) | TCC_DTM(TCCRT_UINT64))
#define TCC_DTM_INT (TCC_DTM_SINT | TCC_DTM_UINT)
#define TCC_DTM_NUMERIC (TCC_DTM_FLOAT | TCC_DTM_INT)
#define TCC_DTM_SIGNED (TCC_DTM_FLOAT | TCC_DTM_SINT)
#define TCC_DTM_BOOL TCC_DTM(TCCRT_BOOL)
#define TCC_DTM_STRING TCC_DTM(TCCRT_STRING)
#define TCC_DTM_ALL (TCC_DTM_NUMERIC | TCC_DTM_BOOL | TCC_DTM_STRING)
#define TCC_DTM_INT32_64 (TCC_DTM(TCCRT_INT32) | TCC_DTM(TCCRT_INT64))

/* ---- inputs ---- */

/* Input k of n, or NULL when k is past the inputs or the optional input is omitted. */
const tcc_value *tcc_op_input(const tcc_node *n, int k);
/* Input k, which must be present and already typed (dtype and rank known); otherwise an error
 * naming the node and the input index. */
tcc_status tcc_infer_input(tcc_infer_ctx *ic, const tcc_node *n, int k, const tcc_value **out);
/* Checks that input k (if present) has a dtype in `allowed` (TCC_DTM_* mask); otherwise an
 * error "input K ('name') has dtype X; expected one of ..." naming the node. */
tcc_status tcc_infer_check_dtype(tcc_infer_ctx *ic, const tcc_node *n, int k, uint32_t allowed);
/* Checks that inputs a and b (both present) have the same dtype (type constraint T). */
tcc_status tcc_infer_same_dtype(tcc_infer_ctx *ic, const tcc_node *n, int a, int b);

/* ---- outputs ---- */

/* Sets output k's dtype and shape (dims copied into the arena). An omitted (NULL) or missing
 * output is skipped. ndim 0 is a scalar. Clears any symbolic elements. */
tcc_status tcc_infer_set_output(tcc_infer_ctx *ic, tcc_node *n, int k, tccrt_dtype dtype, int ndim,
                                const tcc_expr *const *dims);
/* Output k takes the dtype and shape of value v. */
tcc_status tcc_infer_output_like(tcc_infer_ctx *ic, tcc_node *n, int k, const tcc_value *v);
/* Records the known element values of output k (an int64 tensor of at most
 * TCC_SYM_ELEMS_MAX elements, row-major) as index expressions; copied into the arena. */
void tcc_infer_set_sym_elems(tcc_infer_ctx *ic, tcc_node *n, int k, int64_t count,
                             const tcc_expr *const *elems);
#define TCC_SYM_ELEMS_MAX 64

/* ---- attributes ---- */

/* Checks n's attributes against op->attrs: every attribute must be in the schema with the
 * schema's kind ("attribute 'x' is not an attribute of OP" / "attribute 'x' has kind INTS;
 * expected INT") and every required one present. A NULL schema is not checked. The inference
 * driver calls this before each infer. */
tcc_status tcc_op_check_attrs(tcc_infer_ctx *ic, const tcc_node *n);

/* ---- axes ---- */

/* Normalizes `axis` against `rank` (ONNX: accepted range [-rank, rank-1]; negative counts from
 * the end) into *out; out of range is an error naming the node, the attribute/input `what` and
 * the range. */
tcc_status tcc_infer_axis(tcc_infer_ctx *ic, const tcc_node *n, const char *what, int64_t axis,
                          int rank, int *out);
/* Normalizes a list of axes in place semantics (out[i] from axes[i]); duplicates are an error. */
tcc_status tcc_infer_axes(tcc_infer_ctx *ic, const tcc_node *n, const char *what, int count,
                          const int64_t *axes, int rank, int *out);

/* ---- constant inputs ---- */

/* Reads input k as a list of int64 when its value is known at compile time: a constant
 * (initializer / Constant output, including a fill) of an integer dtype, or a value whose
 * symbolic elements are all integer constants (e.g. computed from Shape once shapes are bound).
 * *known is false (and TCC_OK returned) when the input is absent or not constant — callers say
 * "not constant" precisely; TCC_ERR only for malformed data (non-integer dtype, too large).
 * *count is the number of elements; *vals is arena memory. */
tcc_status tcc_infer_const_ints(tcc_infer_ctx *ic, const tcc_node *n, int k, bool *known,
                                int64_t *count, const int64_t **vals);
/* The same for a float (or integer) constant input, converted to double. */
tcc_status tcc_infer_const_floats(tcc_infer_ctx *ic, const tcc_node *n, int k, bool *known,
                                  int64_t *count, const double **vals);
/* The elements of an int64/int32 input as index expressions: from constant data or from the
 * symbolic elements a producer recorded (Shape, Gather, Concat...). *known false when neither. */
tcc_status tcc_infer_sym_ints(tcc_infer_ctx *ic, const tcc_node *n, int k, bool *known,
                              int64_t *count, const tcc_expr *const **elems);
/* Same for a value (no node needed; never fails: *known false when unknown). */
bool tcc_value_sym_ints(tcc_context *ctx, const tcc_value *v, int64_t *count,
                        const tcc_expr *const **elems);

/* ---- broadcasting (ONNX multidirectional, numpy rules) ---- */

/* Broadcasts shapes a and b: right-aligned; equal dims (same canonical expr) stay; a constant 1
 * takes the other; a symbolic dim against 1 keeps the symbol; otherwise an error naming the node
 * and both shapes, e.g. "cannot broadcast shapes [N, 3] and [4]". */
tcc_status tcc_infer_broadcast(tcc_infer_ctx *ic, const tcc_node *n, int a_ndim,
                               const tcc_expr *const *a, int b_ndim, const tcc_expr *const *b,
                               int *out_ndim, const tcc_expr *const **out_dims);
/* Broadcasts the shapes of inputs [first, first+count) of n (absent ones skipped). */
tcc_status tcc_infer_broadcast_inputs(tcc_infer_ctx *ic, const tcc_node *n, int first, int count,
                                      int *out_ndim, const tcc_expr *const **out_dims);

/* ---- symbolic shape arithmetic (int64 exprs) ---- */

/* Canonical form of a product (see the header comment); other exprs are returned as they are. */
const tcc_expr *tcc_shape_canon(tcc_context *ctx, const tcc_expr *e);
const tcc_expr *tcc_shape_mul(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b);
const tcc_expr *tcc_shape_add(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b);
const tcc_expr *tcc_shape_sub(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b);
/* Product of dims [0, n) (1 for n == 0). */
const tcc_expr *tcc_shape_prod(tcc_context *ctx, int n, const tcc_expr *const *dims);
/* a / b when provably exact (b's factors divide a's, coefficient divisible): *out is the
 * quotient and true is returned. Otherwise false and *out is floordiv(a, b) (or NULL when b is
 * the constant 0). */
bool tcc_shape_div_exact(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b,
                         const tcc_expr **out);
/* Canonical equality of two dims. */
bool tcc_shape_dim_eq(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b);
/* "[N, 3, 224, 224]" in the arena. */
const char *tcc_shape_str(tcc_context *ctx, int ndim, const tcc_expr *const *dims);
/* Shape of a value as text (or "[?]" when the rank is unknown). */
const char *tcc_value_shape_str(tcc_context *ctx, const tcc_value *v);

/* ---- compute helpers (TE) ---- */

/* The data-parallel axes of output k of cc->node, over the inferred output shape; *idx gets their
 * vars as int64 exprs (the output index). */
const tcc_itervar *const *tcc_compute_out_axes(tcc_compute_ctx *cc, int k,
                                               const tcc_expr *const **idx);
/* Output k as compute(axes, body), named after the output value. */
tcc_tensor *tcc_compute_out(tcc_compute_ctx *cc, int k, const tcc_itervar *const *axes,
                            const tcc_expr *body, const char *tag);
/* Reads t at output index idx (out_ndim dims) under numpy broadcasting: right-aligned; a dim of
 * constant size 1 (where the output's is not) reads index 0. */
const tcc_expr *tcc_compute_read_bcast(tcc_context *ctx, const tcc_tensor *t, int out_ndim,
                                       const tcc_expr *const *idx,
                                       const tcc_expr *const *out_shape);
/* Element i of constant value v as an immediate of v's dtype (NULL when v has no data or an
 * unsupported dtype). */
const tcc_expr *tcc_const_elem(tcc_context *ctx, const tcc_value *v, int64_t i);
/* Reads a rank-0 or one-element tensor t at its first element. */
const tcc_expr *tcc_read_scalar(tcc_context *ctx, const tcc_tensor *t);
/* Input k's tensor, or an error naming the node when it is missing. */
tcc_status tcc_compute_input(tcc_compute_ctx *cc, int k, const tcc_tensor **out);

#ifdef __cplusplus
}
#endif
#endif /* TCC_OP_UTIL_H */
