/* elementwise.c — unary elementwise ops: math, activations, Cast/CastLike, Clip, Not, IsNaN,
 * IsInf (ONNX operator specification, every opset from each op's first version).
 *
 * Output shape = input shape. Output dtype = input dtype, except Not (bool), IsNaN/IsInf (bool),
 * Cast (`to`), CastLike (the dtype of input 1). Type constraints follow the spec; a dtype outside
 * them is an error naming the node, the input and the dtype. */
#include "op_util.h"

#include <string.h>

/* Per-op type constraint for input 0, by name (opset-dependent ones handled in code). */
static uint32_t allowed_dtypes(const tcc_node *n) {
  const char *op = n->op->name;
  static const char *const float_only[] = {
      "Swish",     "Exp",       "Log",      "Sqrt",           "Reciprocal", "Sigmoid",
      "Tanh",      "LeakyRelu", "Elu",      "Selu",           "Celu",       "HardSigmoid",
      "HardSwish", "Softplus",  "Softsign", "Gelu",           "Mish",       "Sin",
      "Cos",       "Tan",       "Asin",     "Acos",           "Atan",       "Sinh",
      "Cosh",      "Asinh",     "Acosh",    "Atanh",          "Floor",      "Ceil",
      "Round",     "IsNaN",     "IsInf",    "ThresholdedRelu"};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(float_only); i++)
    if (!strcmp(op, float_only[i])) return TCC_DTM_FLOAT;
  if (!strcmp(op, "Relu")) return n->opset >= 14 ? (TCC_DTM_FLOAT | TCC_DTM_SINT) : TCC_DTM_FLOAT;
  if (!strcmp(op, "Neg")) return TCC_DTM_SIGNED;
  if (!strcmp(op, "Not")) return TCC_DTM_BOOL;
  if (!strcmp(op, "Erf")) return TCC_DTM_NUMERIC;
  if (!strcmp(op, "Clip")) return n->opset >= 12 ? TCC_DTM_NUMERIC : TCC_DTM_FLOAT;
  if (!strcmp(op, "Cast") || !strcmp(op, "CastLike")) return TCC_DTM_ALL;
  return TCC_DTM_NUMERIC; /* Abs, Sign, Shrink, ... */
}

/* Same dtype and shape as input 0 (the symbolic elements of an int input pass through ops that
 * keep integer values exactly: none here except Identity-like ones, handled elsewhere). */
static tcc_status infer_unary(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, allowed_dtypes(n)));
  return tcc_infer_output_like(ic, n, 0, x);
}

/* Abs/Neg keep integer symbolic elements exact: propagate them. */
static tcc_status infer_abs_neg(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(infer_unary(ic, n));
  int64_t cnt;
  const tcc_expr *const *el;
  const tcc_value *x = n->inputs[0];
  if (x->dtype == TCCRT_INT64 && tcc_value_sym_ints(ic->ctx, x, &cnt, &el)) {
    const tcc_expr **o = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)(cnt + 1) * sizeof *o);
    bool neg = !strcmp(n->op->name, "Neg");
    for (int64_t i = 0; i < cnt; i++) {
      int64_t c;
      if (neg)
        o[i] = tcc_unary(ic->ctx, TCC_NEG, el[i]);
      else if (tcc_expr_is_int_imm(el[i], &c))
        o[i] = tcc_idx(ic->ctx, c < 0 ? -c : c);
      else
        return TCC_OK;
    }
    tcc_infer_set_sym_elems(ic, n, 0, cnt, o);
  }
  return TCC_OK;
}

static tcc_status infer_bool_out(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, allowed_dtypes(n)));
  TCC_TRY(tcc_infer_set_output(ic, n, 0, TCCRT_BOOL, x->ndim, x->dims));
  /* Not of known booleans (shape conditions such as Not(Equal(heads, kv_heads))). */
  int64_t cnt;
  const tcc_expr *const *el;
  if (x->dtype == TCCRT_BOOL && tcc_value_sym_ints(ic->ctx, x, &cnt, &el)) {
    const tcc_expr **o = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)(cnt + 1) * sizeof *o);
    for (int64_t i = 0; i < cnt; i++) {
      int64_t c;
      if (!tcc_expr_is_int_imm(el[i], &c)) return TCC_OK;
      o[i] = tcc_idx(ic->ctx, !c);
    }
    tcc_infer_set_sym_elems(ic, n, 0, cnt, o);
  }
  return TCC_OK;
}

/* PRelu: slope broadcasts unidirectionally to X (opset 7+); output has X's shape. */
static tcc_status infer_prelu(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x, *s;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &s));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0,
                                n->opset >= 9 ? (TCC_DTM_FLOAT | TCC_DTM_INT32_64 |
                                                 TCC_DTM(TCCRT_UINT32) | TCC_DTM(TCCRT_UINT64))
                                              : TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  int nd;
  const tcc_expr *const *d;
  TCC_TRY(tcc_infer_broadcast(ic, n, x->ndim, x->dims, s->ndim, s->dims, &nd, &d));
  if (nd != x->ndim)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "slope shape %s does not broadcast to X's shape %s",
                          tcc_value_shape_str(ic->ctx, s), tcc_value_shape_str(ic->ctx, x));
  for (int i = 0; i < nd; i++)
    if (!tcc_shape_dim_eq(ic->ctx, d[i], x->dims[i]))
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "slope shape %s does not broadcast to X's shape %s",
                            tcc_value_shape_str(ic->ctx, s), tcc_value_shape_str(ic->ctx, x));
  return tcc_infer_output_like(ic, n, 0, x);
}

/* Clip: opset 1-10 min/max attributes; 11+ optional scalar inputs min, max of X's type. */
static tcc_status infer_clip(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, allowed_dtypes(n)));
  if (n->opset < 11 && n->ninputs > 1)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "Clip before opset 11 takes min/max as attributes, not inputs");
  for (int k = 1; k < 3; k++) {
    const tcc_value *b = tcc_op_input(n, k);
    if (!b) continue;
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
    int64_t numel = 1;
    for (int i = 0; i < b->ndim; i++) {
      int64_t dv;
      if (!tcc_expr_is_int_imm(b->dims[i], &dv))
        numel = -1;
      else if (numel >= 0)
        numel *= dv;
    }
    if (numel != 1 && b->ndim > 0)
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "input %d ('%s') must be a scalar; it has shape %s", k, b->name,
                            tcc_value_shape_str(ic->ctx, b));
  }
  return tcc_infer_output_like(ic, n, 0, x);
}

static bool castable(tccrt_dtype dt) {
  return tcc_dtype_is_int(dt) || tcc_dtype_is_float(dt) || dt == TCCRT_BOOL || dt == TCCRT_STRING;
}

/* Integer->integer casts of symbolic elements keep the value when it fits (shape values do). */
static void cast_sym_elems(tcc_infer_ctx *ic, tcc_node *n, tccrt_dtype to) {
  const tcc_value *x = n->inputs[0];
  int64_t cnt;
  const tcc_expr *const *el;
  if (!(tcc_dtype_is_int(x->dtype) || x->dtype == TCCRT_BOOL) ||
      !tcc_value_sym_ints(ic->ctx, x, &cnt, &el))
    return;
  if (to == TCCRT_INT64 || to == TCCRT_INT32) {
    tcc_infer_set_sym_elems(ic, n, 0, cnt, el);
    return;
  }
  /* A float copy of small integer constants (e.g. a window size) keeps its exact values, so
   * a Range over it still has a known length. */
  if (to != TCCRT_FLOAT32 && to != TCCRT_FLOAT64) return;
  for (int64_t i = 0; i < cnt; i++) {
    int64_t v;
    if (!tcc_expr_is_int_imm(el[i], &v) || v > (1 << 24) || v < -(1 << 24)) return;
  }
  tcc_infer_set_sym_elems(ic, n, 0, cnt, el);
}

/* Cast: `to` (required) is an ONNX TensorProto.DataType code; opset 1-5 spelled it as a string. */
static tcc_status infer_cast(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  const tcc_attr *a = tcc_node_attr(n, "to");
  if (!a) return tcc_node_error(ic->ctx, ic->graph, n, "required attribute 'to' is missing");
  int64_t to = -1;
  if (a->kind == TCC_ATTR_INT) {
    to = a->u.i;
  } else if (a->kind == TCC_ATTR_STRING) {
    static const struct {
      const char *s;
      tccrt_dtype dt;
    } names[] = {{"FLOAT", TCCRT_FLOAT32},   {"UINT8", TCCRT_UINT8},    {"INT8", TCCRT_INT8},
                 {"UINT16", TCCRT_UINT16},   {"INT16", TCCRT_INT16},    {"INT32", TCCRT_INT32},
                 {"INT64", TCCRT_INT64},     {"STRING", TCCRT_STRING},  {"BOOL", TCCRT_BOOL},
                 {"FLOAT16", TCCRT_FLOAT16}, {"DOUBLE", TCCRT_FLOAT64}, {"UINT32", TCCRT_UINT32},
                 {"UINT64", TCCRT_UINT64}};
    for (size_t i = 0; i < TCC_ARRAY_SIZE(names); i++)
      if (!strcmp(a->u.s, names[i].s)) to = names[i].dt;
  }
  if (to < 0 || to > 31 || !castable((tccrt_dtype)to))
    return tcc_node_error(ic->ctx, ic->graph, n, "attribute 'to' names an unsupported dtype");
  if (!castable(x->dtype))
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "input 0 ('%s') has dtype %s, which Cast cannot read", x->name,
                          tccrt_dtype_name(x->dtype));
  TCC_TRY(tcc_infer_set_output(ic, n, 0, (tccrt_dtype)to, x->ndim, x->dims));
  cast_sym_elems(ic, n, (tccrt_dtype)to);
  return TCC_OK;
}

static tcc_status infer_castlike(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x, *t;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &t));
  if (!castable(x->dtype) || !castable(t->dtype))
    return tcc_node_error(ic->ctx, ic->graph, n, "CastLike between %s and %s is not supported",
                          tccrt_dtype_name(x->dtype), tccrt_dtype_name(t->dtype));
  TCC_TRY(tcc_infer_set_output(ic, n, 0, t->dtype, x->ndim, x->dims));
  cast_sym_elems(ic, n, t->dtype);
  return TCC_OK;
}

/* ---- computes (TE) ---- */

static double attr_f(const tcc_node *n, const char *name, double dflt) {
  const tcc_attr *a = tcc_node_attr(n, name);
  return a && a->kind == TCC_ATTR_FLOAT ? a->u.f : dflt;
}

/* The elementwise body of op on x (of type t). NULL when the op has no compute for t. */
static const tcc_expr *unary_body(tcc_context *ctx, const tcc_node *n, const tcc_expr *x) {
  const char *op = n->op->name;
  tcc_type t = x->type;
  bool fl = tcc_dtype_is_float((tccrt_dtype)t.dtype);
  const tcc_expr *zero = tcc_const(ctx, t, 0), *one = tcc_const(ctx, t, 1);
#define C(v) tcc_const(ctx, t, (v))
#define CALL(I) tcc_call1(ctx, TCC_INTRIN_##I, x)
  if (!strcmp(op, "Relu")) return tcc_max(ctx, x, zero);
  if (!strcmp(op, "Neg")) return tcc_unary(ctx, TCC_NEG, x);
  if (!strcmp(op, "Abs"))
    return fl ? CALL(FABS) : (tcc_dtype_is_signed((tccrt_dtype)t.dtype) ? CALL(ABS) : x);
  if (!strcmp(op, "Not")) return tcc_unary(ctx, TCC_NOT, x);
  if (!strcmp(op, "Sign"))
    return tcc_select(ctx, tcc_gt(ctx, x, zero), one,
                      tcc_select(ctx, tcc_lt(ctx, x, zero), C(-1), fl ? x : zero));
  if (!fl) return NULL;
  if (!strcmp(op, "Exp")) return CALL(EXP);
  if (!strcmp(op, "Log")) return CALL(LOG);
  if (!strcmp(op, "Sqrt")) return CALL(SQRT);
  if (!strcmp(op, "Reciprocal")) return tcc_div(ctx, one, x);
  if (!strcmp(op, "Sigmoid")) return CALL(SIGMOID);
  if (!strcmp(op, "Tanh")) return CALL(TANH);
  if (!strcmp(op, "Erf")) return CALL(ERF);
  if (!strcmp(op, "Floor")) return CALL(FLOOR);
  if (!strcmp(op, "Ceil")) return CALL(CEIL);
  if (!strcmp(op, "Round")) return CALL(ROUND);
  if (!strcmp(op, "Sin")) return CALL(SIN);
  if (!strcmp(op, "Cos")) return CALL(COS);
  if (!strcmp(op, "Tan")) return CALL(TAN);
  if (!strcmp(op, "Asin")) return CALL(ASIN);
  if (!strcmp(op, "Acos")) return CALL(ACOS);
  if (!strcmp(op, "Atan")) return CALL(ATAN);
  if (!strcmp(op, "Sinh")) return CALL(SINH);
  if (!strcmp(op, "Cosh")) return CALL(COSH);
  if (!strcmp(op, "Asinh")) return CALL(ASINH);
  if (!strcmp(op, "Acosh")) return CALL(ACOSH);
  if (!strcmp(op, "Atanh")) return CALL(ATANH);
  if (!strcmp(op, "IsNaN")) return CALL(ISNAN);
  if (!strcmp(op, "IsInf")) {
    const tcc_attr *dn = tcc_node_attr(n, "detect_negative"),
                   *dp = tcc_node_attr(n, "detect_positive");
    bool neg = !dn || dn->u.i, pos = !dp || dp->u.i;
    const tcc_expr *inf = CALL(ISINF);
    if (neg && pos) return inf;
    if (!neg && !pos) return tcc_bool(ctx, false);
    return tcc_and(ctx, inf, pos ? tcc_gt(ctx, x, zero) : tcc_lt(ctx, x, zero));
  }
  if (!strcmp(op, "LeakyRelu"))
    return tcc_select(ctx, tcc_lt(ctx, x, zero), tcc_mul(ctx, x, C(attr_f(n, "alpha", 0.01))), x);
  if (!strcmp(op, "ThresholdedRelu"))
    return tcc_select(ctx, tcc_gt(ctx, x, C(attr_f(n, "alpha", 1.0))), x, zero);
  if (!strcmp(op, "Elu")) {
    const tcc_expr *neg = tcc_mul(ctx, C(attr_f(n, "alpha", 1.0)), tcc_sub(ctx, CALL(EXP), one));
    return tcc_select(ctx, tcc_lt(ctx, x, zero), neg, x);
  }
  if (!strcmp(op, "Celu")) {
    double a = attr_f(n, "alpha", 1.0);
    const tcc_expr *e = tcc_call1(ctx, TCC_INTRIN_EXP, tcc_div(ctx, x, C(a)));
    const tcc_expr *neg = tcc_mul(ctx, C(a), tcc_sub(ctx, e, one));
    return tcc_add(ctx, tcc_max(ctx, zero, x), tcc_min(ctx, zero, neg));
  }
  if (!strcmp(op, "Selu")) {
    double a = attr_f(n, "alpha", 1.67326319217681884765625);
    double g = attr_f(n, "gamma", 1.05070102214813232421875);
    const tcc_expr *neg = tcc_sub(ctx, tcc_mul(ctx, C(a), CALL(EXP)), C(a));
    return tcc_mul(ctx, C(g), tcc_select(ctx, tcc_le(ctx, x, zero), neg, x));
  }
  if (!strcmp(op, "HardSigmoid")) {
    const tcc_expr *v =
        tcc_add(ctx, tcc_mul(ctx, C(attr_f(n, "alpha", 0.2)), x), C(attr_f(n, "beta", 0.5)));
    return tcc_max(ctx, zero, tcc_min(ctx, one, v));
  }
  if (!strcmp(op, "HardSwish")) {
    const tcc_expr *v = tcc_add(ctx, tcc_mul(ctx, C(1.0 / 6.0), x), C(0.5));
    return tcc_mul(ctx, x, tcc_max(ctx, zero, tcc_min(ctx, one, v)));
  }
  if (!strcmp(op, "Softplus")) return tcc_call1(ctx, TCC_INTRIN_LOG, tcc_add(ctx, CALL(EXP), one));
  if (!strcmp(op, "Swish")) {
    const tcc_expr *ax = tcc_mul(ctx, C(attr_f(n, "alpha", 1.0)), x);
    return tcc_mul(ctx, x, tcc_call1(ctx, TCC_INTRIN_SIGMOID, ax));
  }
  if (!strcmp(op, "Softsign")) return tcc_div(ctx, x, tcc_add(ctx, one, CALL(FABS)));
  if (!strcmp(op, "Mish")) {
    const tcc_expr *sp = tcc_call1(ctx, TCC_INTRIN_LOG, tcc_add(ctx, CALL(EXP), one));
    return tcc_mul(ctx, x, tcc_call1(ctx, TCC_INTRIN_TANH, sp));
  }
  if (!strcmp(op, "Gelu")) {
    const char *approx = "none";
    const tcc_attr *a = tcc_node_attr(n, "approximate");
    if (a && a->kind == TCC_ATTR_STRING) approx = a->u.s;
    if (!strcmp(approx, "tanh")) {
      const tcc_expr *x3 = tcc_mul(ctx, x, tcc_mul(ctx, x, x));
      const tcc_expr *in =
          tcc_mul(ctx, C(0.7978845608028654), tcc_add(ctx, x, tcc_mul(ctx, C(0.044715), x3)));
      return tcc_mul(ctx, tcc_mul(ctx, C(0.5), x),
                     tcc_add(ctx, one, tcc_call1(ctx, TCC_INTRIN_TANH, in)));
    }
    const tcc_expr *e = tcc_call1(ctx, TCC_INTRIN_ERF, tcc_mul(ctx, x, C(0.7071067811865476)));
    return tcc_mul(ctx, tcc_mul(ctx, C(0.5), x), tcc_add(ctx, one, e));
  }
  if (!strcmp(op, "Shrink")) {
    const tcc_expr *l = C(attr_f(n, "lambd", 0.5)), *b = C(attr_f(n, "bias", 0.0));
    return tcc_select(ctx, tcc_lt(ctx, x, tcc_unary(ctx, TCC_NEG, l)), tcc_add(ctx, x, b),
                      tcc_select(ctx, tcc_gt(ctx, x, l), tcc_sub(ctx, x, b), zero));
  }
#undef C
#undef CALL
  return NULL;
}

/* Unary elementwise ops (ONNX semantics as in each op's spec; NaN propagates through Relu). */
static tcc_status compute_unary(tcc_compute_ctx *cc, tcc_tensor **outs) {
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *v = tcc_read(cc->ctx, x, idx);
  /* Half-precision formats compute in float32 and round once at the end, as the reference
   * implementations do. */
  bool half = x->dtype == TCCRT_FLOAT16 || x->dtype == TCCRT_BFLOAT16;
  if (half) v = tcc_cast(cc->ctx, tcc_scalar(TCCRT_FLOAT32), v);
  const tcc_expr *body = unary_body(cc->ctx, cc->node, v);
  if (half && body && body->type.dtype == TCCRT_FLOAT32)
    body = tcc_cast(cc->ctx, tcc_scalar(x->dtype), body);
  if (!body)
    return tcc_node_error(cc->ctx, cc->graph, cc->node, "no compute for %s on %s",
                          cc->node->op->name, tccrt_dtype_name(x->dtype));
  outs[0] = tcc_compute_out(cc, 0, axes, body, "elemwise");
  return TCC_OK;
}

/* Clip: min(max(x, lo), hi) with lo/hi from attributes (< 11) or scalar inputs (11+). */
static tcc_status compute_clip(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *v = tcc_read(ctx, x, idx);
  tcc_type t = v->type;
  const tcc_expr *lo = NULL, *hi = NULL;
  if (cc->node->opset < 11) {
    lo = tcc_const(ctx, t, attr_f(cc->node, "min", -3.402823466e38));
    hi = tcc_const(ctx, t, attr_f(cc->node, "max", 3.402823466e38));
  } else {
    const tcc_expr *none[1] = {NULL};
    for (int k = 1; k < 3; k++) {
      if (k >= cc->node->ninputs || !cc->inputs[k]) continue;
      const tcc_tensor *b = cc->inputs[k];
      const tcc_expr *zi[64];
      for (int i = 0; i < b->ndim && i < 64; i++)
        zi[i] = tcc_idx(ctx, 0);
      const tcc_expr *r = tcc_tensor_read(ctx, b, b->ndim, b->ndim ? zi : none);
      if (k == 1)
        lo = r;
      else
        hi = r;
    }
  }
  if (lo) v = tcc_max(ctx, v, lo);
  if (hi) v = tcc_min(ctx, v, hi);
  outs[0] = tcc_compute_out(cc, 0, axes, v, "elemwise");
  return TCC_OK;
}

/* Cast / CastLike: ONNX Cast semantics are those of the CAST expression. */
static tcc_status compute_cast(tcc_compute_ctx *cc, tcc_tensor **outs) {
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  tccrt_dtype to = cc->node->outputs[0]->dtype;
  if (to == TCCRT_STRING || x->dtype == TCCRT_STRING)
    return tcc_node_error(cc->ctx, cc->graph, cc->node, "no compute for string casts");
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *body = tcc_cast(cc->ctx, tcc_scalar(to), tcc_read(cc->ctx, x, idx));
  outs[0] = tcc_compute_out(cc, 0, axes, body, "elemwise");
  return TCC_OK;
}

/* PRelu: x < 0 ? slope * x : x, slope broadcast to x. */
static tcc_status compute_prelu(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x, *s;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  TCC_TRY(tcc_compute_input(cc, 1, &s));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *v = tcc_read(ctx, x, idx);
  const tcc_expr *sl = tcc_compute_read_bcast(ctx, s, o->ndim, idx, o->dims);
  const tcc_expr *body =
      tcc_select(ctx, tcc_lt(ctx, v, tcc_const(ctx, v->type, 0)), tcc_mul(ctx, sl, v), v);
  outs[0] = tcc_compute_out(cc, 0, axes, body, "broadcast");
  return TCC_OK;
}

static tcc_status compute_castlike(tcc_compute_ctx *cc, tcc_tensor **outs) {
  return compute_cast(cc, outs);
}

static const tcc_attr_schema no_attrs[] = {{NULL}};
static const tcc_attr_schema legacy_attrs[] = {{"consumed_inputs", TCC_ATTR_INTS, false}, {NULL}};
static const tcc_attr_schema alpha_attrs[] = {
    {"alpha", TCC_ATTR_FLOAT, false}, {"consumed_inputs", TCC_ATTR_INTS, false}, {NULL}};
static const tcc_attr_schema selu_attrs[] = {{"alpha", TCC_ATTR_FLOAT, false},
                                             {"gamma", TCC_ATTR_FLOAT, false},
                                             {"consumed_inputs", TCC_ATTR_INTS, false},
                                             {NULL}};
static const tcc_attr_schema hardsigmoid_attrs[] = {{"alpha", TCC_ATTR_FLOAT, false},
                                                    {"beta", TCC_ATTR_FLOAT, false},
                                                    {"consumed_inputs", TCC_ATTR_INTS, false},
                                                    {NULL}};
static const tcc_attr_schema swish_attrs[] = {{"alpha", TCC_ATTR_FLOAT, false}, {NULL}};
static const tcc_attr_schema gelu_attrs[] = {{"approximate", TCC_ATTR_STRING, false}, {NULL}};
static const tcc_attr_schema shrink_attrs[] = {
    {"bias", TCC_ATTR_FLOAT, false}, {"lambd", TCC_ATTR_FLOAT, false}, {NULL}};
static const tcc_attr_schema clip_attrs[] = {{"min", TCC_ATTR_FLOAT, false},
                                             {"max", TCC_ATTR_FLOAT, false},
                                             {"consumed_inputs", TCC_ATTR_INTS, false},
                                             {NULL}};
static const tcc_attr_schema isinf_attrs[] = {
    {"detect_negative", TCC_ATTR_INT, false}, {"detect_positive", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema castlike_attrs[] = {{"saturate", TCC_ATTR_INT, false}, {NULL}};

/* Every op here computes element by element (PRelu and Clip's min/max by numpy broadcasting),
 * so a blocked layout (NCHW8c) passes through: tcc_layout_infer_broadcast. */
/* clang-format off */
#define E(NAME, SINCE, ATTRS, INFER)                                                               \
  {NAME, "", SINCE, 0, TCC_PAT_ELEMWISE, 1, 1, 1, 1, ATTRS, INFER, compute_unary,                  \
   tcc_layout_infer_broadcast, NULL}
/* clang-format on */

const tcc_op tcc_ops_elementwise[] = {
    E("Abs", 1, legacy_attrs, infer_abs_neg),
    E("Neg", 1, legacy_attrs, infer_abs_neg),
    E("Exp", 1, legacy_attrs, infer_unary),
    E("Log", 1, legacy_attrs, infer_unary),
    E("Sqrt", 1, legacy_attrs, infer_unary),
    E("Reciprocal", 1, legacy_attrs, infer_unary),
    E("Sigmoid", 1, legacy_attrs, infer_unary),
    E("Tanh", 1, legacy_attrs, infer_unary),
    E("Relu", 1, legacy_attrs, infer_unary),
    E("LeakyRelu", 1, alpha_attrs, infer_unary),
    {"PRelu", "", 1, 0, TCC_PAT_BROADCAST, 2, 2, 1, 1, legacy_attrs, infer_prelu, compute_prelu,
     tcc_layout_infer_broadcast, NULL},
    E("Elu", 1, alpha_attrs, infer_unary),
    E("Selu", 1, selu_attrs, infer_unary),
    E("Celu", 12, alpha_attrs, infer_unary),
    E("HardSigmoid", 1, hardsigmoid_attrs, infer_unary),
    E("HardSwish", 14, no_attrs, infer_unary),
    E("Softplus", 1, no_attrs, infer_unary),
    E("Softsign", 1, no_attrs, infer_unary),
    E("Swish", 24, swish_attrs, infer_unary),
    E("Gelu", 20, gelu_attrs, infer_unary),
    E("Mish", 18, no_attrs, infer_unary),
    E("Erf", 9, no_attrs, infer_unary),
    E("Sin", 7, no_attrs, infer_unary),
    E("Cos", 7, no_attrs, infer_unary),
    E("Tan", 7, no_attrs, infer_unary),
    E("Asin", 7, no_attrs, infer_unary),
    E("Acos", 7, no_attrs, infer_unary),
    E("Atan", 7, no_attrs, infer_unary),
    E("Sinh", 9, no_attrs, infer_unary),
    E("Cosh", 9, no_attrs, infer_unary),
    E("Asinh", 9, no_attrs, infer_unary),
    E("Acosh", 9, no_attrs, infer_unary),
    E("Atanh", 9, no_attrs, infer_unary),
    E("Floor", 1, legacy_attrs, infer_unary),
    E("Ceil", 1, legacy_attrs, infer_unary),
    E("Round", 11, no_attrs, infer_unary),
    E("Sign", 9, no_attrs, infer_unary),
    E("Not", 1, no_attrs, infer_bool_out),
    E("IsNaN", 9, no_attrs, infer_bool_out),
    E("IsInf", 10, isinf_attrs, infer_bool_out),
    {"Clip", "", 1, 0, TCC_PAT_ELEMWISE, 1, 3, 1, 1, clip_attrs, infer_clip, compute_clip,
     tcc_layout_infer_broadcast, NULL},
    /* Cast's `to` is INT (STRING before opset 6): checked in infer_cast, so no schema. */
    {"Cast", "", 1, 0, TCC_PAT_ELEMWISE, 1, 1, 1, 1, NULL, infer_cast, compute_cast,
     tcc_layout_infer_broadcast, NULL},
    {"CastLike", "", 15, 0, TCC_PAT_ELEMWISE, 2, 2, 1, 1, castlike_attrs, infer_castlike,
     compute_castlike},
    E("ThresholdedRelu", 10, alpha_attrs, infer_unary),
    E("Shrink", 9, shrink_attrs, infer_unary),
};
const int tcc_ops_elementwise_count = (int)TCC_ARRAY_SIZE(tcc_ops_elementwise);
