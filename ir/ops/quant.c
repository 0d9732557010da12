/* quant.c — the quantization op family: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear.
 *
 * Spec: ONNX QuantizeLinear / DequantizeLinear (opsets 10, 13: per-axis `axis`, 19: saturate and
 * scale types, 21: block_size / output_dtype and 16-bit types, 23), DynamicQuantizeLinear (11).
 *   QuantizeLinear:   y = saturate(round_half_to_even(x / y_scale) + y_zero_point)
 *   DequantizeLinear: y = (x - x_zero_point) * x_scale
 * The scale / zero point are a scalar (per tensor), 1-D of x.shape[axis] (per axis), or, with
 * block_size B > 0, x's shape with dim `axis` divided by B rounding up (blocked). int4 / float8
 * element types have no tccrt dtype and are refused by inference with a message. */
#include "nn_util.h"

#define A_END {NULL, 0, false}
static const tcc_attr_schema q10_attrs[] = {A_END};
static const tcc_attr_schema q13_attrs[] = {{"axis", TCC_ATTR_INT, false}, A_END};
static const tcc_attr_schema q19_attrs[] = {
    {"axis", TCC_ATTR_INT, false}, {"saturate", TCC_ATTR_INT, false}, A_END};
static const tcc_attr_schema q21_attrs[] = {
    {"axis", TCC_ATTR_INT, false},         {"block_size", TCC_ATTR_INT, false},
    {"output_dtype", TCC_ATTR_INT, false}, {"precision", TCC_ATTR_INT, false},
    {"saturate", TCC_ATTR_INT, false},     A_END};
static const tcc_attr_schema dq21_attrs[] = {{"axis", TCC_ATTR_INT, false},
                                             {"block_size", TCC_ATTR_INT, false},
                                             {"output_dtype", TCC_ATTR_INT, false},
                                             A_END};

#define Q_TYPES                                                                                    \
  (TCC_DTM(TCCRT_UINT8) | TCC_DTM(TCCRT_INT8) | TCC_DTM(TCCRT_UINT16) | TCC_DTM(TCCRT_INT16))

typedef struct qparam {
  int mode; /* 0 per tensor, 1 per axis, 2 blocked */
  int axis;
  int64_t block;
} qparam;

/* Classifies the scale input k (and checks the zero point zk has its shape) against x. */
static tcc_status qparam_of(tcc_infer_ctx *ic, const tcc_node *n, const tcc_value *x, int k, int zk,
                            qparam *q) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *s;
  TCC_TRY(tcc_infer_input(ic, n, k, &s));
  int64_t axis = 1, block = 0;
  if (tcc_node_attr(n, "axis")) TCC_TRY(nn_attr_int(ic, n, "axis", 1, &axis));
  if (tcc_node_attr(n, "block_size")) TCC_TRY(nn_attr_int(ic, n, "block_size", 0, &block));
  q->block = block;
  q->axis = 0;
  int64_t e;
  bool scalar = s->ndim == 0 || (s->ndim == 1 && tcc_expr_is_int_imm(s->dims[0], &e) && e == 1);
  if (scalar && block == 0) {
    q->mode = 0;
  } else {
    if (x->ndim == 0)
      return tcc_node_error(ctx, ic->graph, n, "a per-axis scale needs x of rank >= 1");
    TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, x->ndim, &q->axis));
    if (block > 0) {
      q->mode = 2;
      /* x's shape with dim `axis` divided by block_size, rounding up */
      const tcc_expr *want[TCCRT_MAX_RANK];
      for (int d = 0; d < x->ndim; d++)
        want[d] = d != q->axis
                      ? x->dims[d]
                      : tcc_shape_canon(ctx, tcc_floordiv(ctx,
                                                          tcc_shape_add(ctx, x->dims[d],
                                                                        tcc_idx(ctx, block - 1)),
                                                          tcc_idx(ctx, block)));
      TCC_TRY(nn_check_shape(ic, n, k, "blocked scale", x->ndim, want));
    } else if (block < 0) {
      return tcc_node_error(ctx, ic->graph, n, "attribute 'block_size' must be >= 0");
    } else {
      q->mode = 1;
      int64_t a, b;
      if (s->ndim != 1 || (tcc_expr_is_int_imm(s->dims[0], &a) &&
                           tcc_expr_is_int_imm(x->dims[q->axis], &b) && a != b))
        return tcc_node_error(ctx, ic->graph, n,
                              "scale %s must be a scalar or 1-D of x.shape[axis] = %s (x %s)",
                              tcc_value_shape_str(ctx, s), tcc_expr_str(ctx, x->dims[q->axis]),
                              tcc_value_shape_str(ctx, x));
    }
  }
  const tcc_value *z = tcc_op_input(n, zk);
  if (z)
    TCC_TRY(
        nn_check_shape(ic, n, zk, "zero point (must have the scale's shape)", s->ndim, s->dims));
  return TCC_OK;
}

static tcc_status infer_quantize(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT | TCC_DTM(TCCRT_INT32)));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_FLOAT | TCC_DTM(TCCRT_INT32)));
  qparam q;
  TCC_TRY(qparam_of(ic, n, x, 1, 2, &q));
  tccrt_dtype yt = TCCRT_UINT8;
  const tcc_value *z = tcc_op_input(n, 2);
  int64_t od = 0;
  if (tcc_node_attr(n, "output_dtype")) TCC_TRY(nn_attr_int(ic, n, "output_dtype", 0, &od));
  if (z) {
    TCC_TRY(tcc_infer_input(ic, n, 2, &z));
    yt = z->dtype;
    if (od && od != (int64_t)yt)
      return tcc_node_error(ctx, ic->graph, n,
                            "attribute 'output_dtype' %lld differs from the zero point's dtype %s",
                            (long long)od, tccrt_dtype_name(yt));
  } else if (od) {
    yt = (tccrt_dtype)od;
  }
  if ((unsigned)yt >= 32 || !((1u << (unsigned)yt) & Q_TYPES))
    return tcc_node_error(ctx, ic->graph, n,
                          "quantized type %s (code %d) is not supported; expected uint8, int8, "
                          "uint16 or int16",
                          tccrt_dtype_name(yt), (int)yt);
  return tcc_infer_set_output(ic, n, 0, yt, x->ndim, x->dims);
}

static tcc_status infer_dequantize(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x, *s;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &s));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, Q_TYPES | TCC_DTM(TCCRT_INT32)));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, n->opset >= 19 ? TCC_DTM_FLOAT : TCC_DTM(TCCRT_FLOAT32)));
  if (tcc_op_input(n, 2)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  qparam q;
  TCC_TRY(qparam_of(ic, n, x, 1, 2, &q));
  tccrt_dtype yt = n->opset >= 19 ? s->dtype : TCCRT_FLOAT32;
  int64_t od = 0;
  if (tcc_node_attr(n, "output_dtype")) TCC_TRY(nn_attr_int(ic, n, "output_dtype", 0, &od));
  if (od) {
    if (!tcc_dtype_is_float((tccrt_dtype)od))
      return tcc_node_error(ctx, ic->graph, n, "attribute 'output_dtype' %lld is not a float type",
                            (long long)od);
    yt = (tccrt_dtype)od;
  }
  return tcc_infer_set_output(ic, n, 0, yt, x->ndim, x->dims);
}

static tcc_status infer_dynamic_quantize(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM(TCCRT_FLOAT32)));
  TCC_TRY(tcc_infer_set_output(ic, n, 0, TCCRT_UINT8, x->ndim, x->dims));
  TCC_TRY(tcc_infer_set_output(ic, n, 1, TCCRT_FLOAT32, 0, NULL));
  return tcc_infer_set_output(ic, n, 2, TCCRT_UINT8, 0, NULL);
}

/* ---- computes ---- */

/* The scale-shaped tensor t read for x's element at index o. */
static const tcc_expr *qread(tcc_context *ctx, const tcc_tensor *t, const qparam *q,
                             const tcc_expr *const *o) {
  if (q->mode == 0 || t->ndim == 0) {
    if (t->ndim == 0) return tcc_read(ctx, t, NULL);
    const tcc_expr *z[TCCRT_MAX_RANK];
    for (int d = 0; d < t->ndim; d++)
      z[d] = tcc_idx(ctx, 0);
    return tcc_read(ctx, t, z);
  }
  if (q->mode == 1) return tcc_read(ctx, t, &o[q->axis]);
  const tcc_expr *idx[TCCRT_MAX_RANK];
  for (int d = 0; d < t->ndim; d++)
    idx[d] = d == q->axis ? tcc_floordiv(ctx, o[d], tcc_idx(ctx, q->block)) : o[d];
  return tcc_read(ctx, t, idx);
}

/* round half to even, add zero point, clamp to yt's range, convert: all in float `ft`. */
static const tcc_expr *requant(tcc_context *ctx, const tcc_expr *v, const tcc_expr *zp,
                               tccrt_dtype yt) {
  tcc_type ft = v->type;
  v = tcc_call1(ctx, TCC_INTRIN_ROUND, v);
  if (zp) v = tcc_add(ctx, v, tcc_cast(ctx, ft, zp));
  v = tcc_max(ctx, tcc_min(ctx, v, tcc_float(ctx, ft, (double)tcc_dtype_int_max(yt))),
              tcc_float(ctx, ft, (double)tcc_dtype_int_min(yt)));
  return tcc_cast(ctx, tcc_scalar(yt), v);
}

/* QuantizeLinear (y = saturate(round(x / scale) + zero_point)) and DequantizeLinear
 * (y = (x - zero_point) * scale): x is input 0, scale input 1, the optional zero point input 2,
 * per tensor, per axis or blocked (qparam_of). */
static tcc_status compute_qlinear(tcc_compute_ctx *cc, tcc_tensor **outputs, bool quantize) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  const tcc_value *xv;
  TCC_TRY(tcc_infer_input(&ic, n, 0, &xv));
  qparam q;
  TCC_TRY(qparam_of(&ic, n, xv, 1, 2, &q));
  const tcc_tensor *X = cc->inputs[0], *S = cc->inputs[1];
  const tcc_tensor *Z = n->ninputs > 2 ? cc->inputs[2] : NULL;
  tccrt_dtype yt = n->outputs[0]->dtype;
  int nd = X->ndim;
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *y;
  if (quantize) {
    /* x / scale in the wider of float32 and the input float type */
    tccrt_dtype ft =
        X->dtype == TCCRT_FLOAT64 || S->dtype == TCCRT_FLOAT64 ? TCCRT_FLOAT64 : TCCRT_FLOAT32;
    tcc_type f = tcc_scalar(ft);
    const tcc_expr *v =
        tcc_div(ctx, tcc_cast(ctx, f, tcc_read(ctx, X, o)), tcc_cast(ctx, f, qread(ctx, S, &q, o)));
    y = requant(ctx, v, Z ? qread(ctx, Z, &q, o) : NULL, yt);
  } else {
    tcc_type f = tcc_scalar(S->dtype == TCCRT_FLOAT64 ? TCCRT_FLOAT64 : TCCRT_FLOAT32);
    const tcc_expr *v = tcc_cast(ctx, f, tcc_read(ctx, X, o));
    if (Z) v = tcc_sub(ctx, v, tcc_cast(ctx, f, qread(ctx, Z, &q, o)));
    v = tcc_mul(ctx, v, tcc_cast(ctx, f, qread(ctx, S, &q, o)));
    y = tcc_cast(ctx, tcc_scalar(yt), v);
  }
  outputs[0] =
      tcc_compute(ctx, quantize ? "quantize" : "dequantize", nd, X->shape, ax, y, "broadcast");
  return TCC_OK;
}

static tcc_status compute_quantize(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  return compute_qlinear(cc, outputs, true);
}

static tcc_status compute_dequantize(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  return compute_qlinear(cc, outputs, false);
}

/* DynamicQuantizeLinear: x_min = min(0, min(x)), x_max = max(0, max(x)),
 * y_scale = (x_max - x_min) / 255, y_zero_point = saturate(round(-x_min / y_scale)),
 * y = saturate(round(x / y_scale) + y_zero_point), all uint8. */
static tcc_status compute_dynamic_quantize(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *X = cc->inputs[0];
  int nd = X->ndim;
  tcc_type f = tcc_scalar(TCCRT_FLOAT32);
  tcc_tensor *ext[2];
  for (int k = 0; k < 2; k++) {
    const tcc_itervar *rv[TCCRT_MAX_RANK];
    const tcc_expr *xi[TCCRT_MAX_RANK];
    for (int d = 0; d < nd; d++) {
      rv[d] = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), X->shape[d]);
      xi[d] = tcc_expr_var(ctx, rv[d]->var);
    }
    const tcc_expr *x = tcc_read(ctx, X, xi);
    const tcc_expr *body = nd == 0  ? x
                           : k == 0 ? tcc_reduce_min(ctx, x, nd, rv, NULL)
                                    : tcc_reduce_max(ctx, x, nd, rv, NULL);
    ext[k] = tcc_compute(ctx, k ? "x_max" : "x_min", 0, NULL, NULL, body, "reduce");
  }
  const tcc_expr *mn = tcc_min(ctx, tcc_read(ctx, ext[0], NULL), tcc_float(ctx, f, 0));
  const tcc_expr *mx = tcc_max(ctx, tcc_read(ctx, ext[1], NULL), tcc_float(ctx, f, 0));
  tcc_tensor *scale =
      tcc_compute(ctx, "y_scale", 0, NULL, NULL,
                  tcc_div(ctx, tcc_sub(ctx, mx, mn), tcc_float(ctx, f, 255.0)), "elemwise");
  const tcc_expr *sc = tcc_read(ctx, scale, NULL);
  tcc_tensor *zp = tcc_compute(
      ctx, "y_zero_point", 0, NULL, NULL,
      requant(ctx, tcc_div(ctx, tcc_sub(ctx, tcc_float(ctx, f, 0), mn), sc), NULL, TCCRT_UINT8),
      "elemwise");
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *y = requant(ctx, tcc_div(ctx, tcc_read(ctx, X, o), tcc_read(ctx, scale, NULL)),
                              tcc_read(ctx, zp, NULL), TCCRT_UINT8);
  outputs[0] = tcc_compute(ctx, "dynamic_quantize", nd, X->shape, ax, y, "elemwise");
  outputs[1] = scale;
  outputs[2] = zp;
  return TCC_OK;
}

#define QOP(NAME, SINCE, UNTIL, PAT, MINI, MAXI, MAXO, ATTRS, INFER, COMPUTE)                      \
  {NAME, "", SINCE, UNTIL, PAT, MINI, MAXI, 1, MAXO, ATTRS, INFER, COMPUTE}

const tcc_op tcc_ops_quant[] = {
    QOP("QuantizeLinear", 10, 12, TCC_PAT_BROADCAST, 2, 3, 1, q10_attrs, infer_quantize,
        compute_quantize),
    QOP("QuantizeLinear", 13, 18, TCC_PAT_BROADCAST, 2, 3, 1, q13_attrs, infer_quantize,
        compute_quantize),
    QOP("QuantizeLinear", 19, 20, TCC_PAT_BROADCAST, 2, 3, 1, q19_attrs, infer_quantize,
        compute_quantize),
    QOP("QuantizeLinear", 21, 22, TCC_PAT_BROADCAST, 2, 3, 1, q21_attrs, infer_quantize,
        compute_quantize),
    QOP("QuantizeLinear", 23, 0, TCC_PAT_BROADCAST, 2, 3, 1, q21_attrs, infer_quantize,
        compute_quantize),
    QOP("DequantizeLinear", 10, 12, TCC_PAT_BROADCAST, 2, 3, 1, q10_attrs, infer_dequantize,
        compute_dequantize),
    QOP("DequantizeLinear", 13, 18, TCC_PAT_BROADCAST, 2, 3, 1, q13_attrs, infer_dequantize,
        compute_dequantize),
    QOP("DequantizeLinear", 19, 20, TCC_PAT_BROADCAST, 2, 3, 1, q13_attrs, infer_dequantize,
        compute_dequantize),
    QOP("DequantizeLinear", 21, 22, TCC_PAT_BROADCAST, 2, 3, 1, dq21_attrs, infer_dequantize,
        compute_dequantize),
    QOP("DequantizeLinear", 23, 0, TCC_PAT_BROADCAST, 2, 3, 1, dq21_attrs, infer_dequantize,
        compute_dequantize),
    QOP("DynamicQuantizeLinear", 11, 0, TCC_PAT_OPAQUE, 1, 1, 3, q10_attrs, infer_dynamic_quantize,
        compute_dynamic_quantize),
};
const int tcc_ops_quant_count = (int)TCC_ARRAY_SIZE(tcc_ops_quant);
