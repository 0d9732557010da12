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
      "Exp",       "Log",      "Sqrt",           "Reciprocal", "Sigmoid",     "Tanh",
      "LeakyRelu", "Elu",      "Selu",           "Celu",       "HardSigmoid", "HardSwish",
      "Softplus",  "Softsign", "Gelu",           "Mish",       "Sin",         "Cos",
      "Tan",       "Asin",     "Acos",           "Atan",       "Sinh",        "Cosh",
      "Asinh",     "Acosh",    "Atanh",          "Floor",      "Ceil",        "Round",
      "IsNaN",     "IsInf",    "ThresholdedRelu"};
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
  if ((to == TCCRT_INT64 || to == TCCRT_INT32) && (tcc_dtype_is_int(x->dtype)) &&
      tcc_value_sym_ints(ic->ctx, x, &cnt, &el))
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

#define E(NAME, SINCE, ATTRS, INFER)                                                               \
  { NAME, "", SINCE, 0, TCC_PAT_ELEMWISE, 1, 1, 1, 1, ATTRS, INFER, NULL }

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
    {"PRelu", "", 1, 0, TCC_PAT_BROADCAST, 2, 2, 1, 1, legacy_attrs, infer_prelu, NULL},
    E("Elu", 1, alpha_attrs, infer_unary),
    E("Selu", 1, selu_attrs, infer_unary),
    E("Celu", 12, alpha_attrs, infer_unary),
    E("HardSigmoid", 1, hardsigmoid_attrs, infer_unary),
    E("HardSwish", 14, no_attrs, infer_unary),
    E("Softplus", 1, no_attrs, infer_unary),
    E("Softsign", 1, no_attrs, infer_unary),
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
    {"Clip", "", 1, 0, TCC_PAT_ELEMWISE, 1, 3, 1, 1, clip_attrs, infer_clip, NULL},
    /* Cast's `to` is INT (STRING before opset 6): checked in infer_cast, so no schema. */
    {"Cast", "", 1, 0, TCC_PAT_ELEMWISE, 1, 1, 1, 1, NULL, infer_cast, NULL},
    {"CastLike", "", 15, 0, TCC_PAT_ELEMWISE, 2, 2, 1, 1, castlike_attrs, infer_castlike, NULL},
    E("ThresholdedRelu", 10, alpha_attrs, infer_unary),
    E("Shrink", 9, shrink_attrs, infer_unary),
};
const int tcc_ops_elementwise_count = (int)TCC_ARRAY_SIZE(tcc_ops_elementwise);
