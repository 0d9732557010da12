/* binary.c — broadcasting binary and variadic ops: Add Sub Mul Div Pow Mod Max Min Mean Sum,
 * logical And Or Xor, comparisons, BitShift, Bitwise*, Where (ONNX operator specification).
 *
 * Shapes broadcast multidirectionally (numpy rules, opset 7+). Before opset 7, Add/Sub/Mul/Div/
 * And/Or/Xor/Equal/Less/Greater took `broadcast` and `axis` attributes: with broadcast=1 the
 * second input's shape is aligned to the first's starting at `axis` (default: suffix), otherwise
 * the shapes must be equal. Integer symbolic elements (shape values) are computed through
 * Add/Sub/Mul/Div/Mod/Max/Min/Equal/Where. */
#include "op_util.h"

#include <string.h>

typedef enum bkind { B_ARITH, B_POW, B_MOD, B_LOGIC, B_CMP, B_BITSHIFT, B_BITWISE } bkind;

static bkind kind_of(const char *op) {
  if (!strcmp(op, "Pow")) return B_POW;
  if (!strcmp(op, "Mod")) return B_MOD;
  if (!strcmp(op, "And") || !strcmp(op, "Or") || !strcmp(op, "Xor")) return B_LOGIC;
  if (!strcmp(op, "Equal") || !strcmp(op, "Less") || !strcmp(op, "Greater") ||
      !strcmp(op, "LessOrEqual") || !strcmp(op, "GreaterOrEqual"))
    return B_CMP;
  if (!strcmp(op, "BitShift")) return B_BITSHIFT;
  if (!strncmp(op, "Bitwise", 7)) return B_BITWISE;
  return B_ARITH;
}

/* Pre-opset-7 broadcasting: B aligned into A at `axis`. */
static tcc_status legacy_broadcast(tcc_infer_ctx *ic, const tcc_node *n, const tcc_value *a,
                                   const tcc_value *b, int *nd, const tcc_expr *const **d) {
  int64_t bc = 0, axis = -1;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "broadcast", 0, &bc));
  if (!bc) {
    bool same = a->ndim == b->ndim;
    for (int i = 0; same && i < a->ndim; i++)
      same = tcc_shape_dim_eq(ic->ctx, a->dims[i], b->dims[i]);
    if (!same)
      return tcc_node_error(
          ic->ctx, ic->graph, n, "shapes %s and %s differ and broadcast=0 (opset %lld)",
          tcc_value_shape_str(ic->ctx, a), tcc_value_shape_str(ic->ctx, b), (long long)n->opset);
    *nd = a->ndim;
    *d = a->dims;
    return TCC_OK;
  }
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "axis", a->ndim - b->ndim, &axis));
  if (axis < 0) axis += a->ndim;
  if (axis < 0 || axis + b->ndim > a->ndim)
    return tcc_node_error(ic->ctx, ic->graph, n, "axis %lld cannot place shape %s inside %s",
                          (long long)axis, tcc_value_shape_str(ic->ctx, b),
                          tcc_value_shape_str(ic->ctx, a));
  for (int i = 0; i < b->ndim; i++) {
    int64_t c;
    if (!tcc_shape_dim_eq(ic->ctx, a->dims[axis + i], b->dims[i]) &&
        !(tcc_expr_is_int_imm(b->dims[i], &c) && c == 1))
      return tcc_node_error(
          ic->ctx, ic->graph, n, "shape %s does not broadcast into %s at axis %lld",
          tcc_value_shape_str(ic->ctx, b), tcc_value_shape_str(ic->ctx, a), (long long)axis);
  }
  *nd = a->ndim;
  *d = a->dims;
  return TCC_OK;
}

/* Folds one element of a shape computation; NULL when it cannot (non-constant where needed). */
static const tcc_expr *fold_elem(tcc_context *ctx, const char *op, const tcc_expr *a,
                                 const tcc_expr *b) {
  int64_t x = 0, y = 0;
  bool ca = tcc_expr_is_int_imm(a, &x), cb = tcc_expr_is_int_imm(b, &y);
  if (!strcmp(op, "Add")) return tcc_shape_add(ctx, a, b);
  if (!strcmp(op, "Sub")) return tcc_shape_sub(ctx, a, b);
  if (!strcmp(op, "Mul")) return tcc_shape_mul(ctx, a, b);
  if (!strcmp(op, "Div")) {
    if (cb && y == 0) return NULL;
    const tcc_expr *q;
    if (tcc_shape_div_exact(ctx, a, b, &q)) return q;
    if (ca && cb) return tcc_idx(ctx, x / y); /* truncating, as ONNX integer Div */
    return NULL;
  }
  if (!strcmp(op, "Max")) return ca && cb ? tcc_idx(ctx, x > y ? x : y) : (a == b ? a : NULL);
  if (!strcmp(op, "Min")) return ca && cb ? tcc_idx(ctx, x < y ? x : y) : (a == b ? a : NULL);
  if (!strcmp(op, "Equal")) return a == b ? tcc_idx(ctx, 1) : (ca && cb ? tcc_idx(ctx, 0) : NULL);
  if (ca && cb) {
    if (!strcmp(op, "Less")) return tcc_idx(ctx, x < y);
    if (!strcmp(op, "Greater")) return tcc_idx(ctx, x > y);
    if (!strcmp(op, "LessOrEqual")) return tcc_idx(ctx, x <= y);
    if (!strcmp(op, "GreaterOrEqual")) return tcc_idx(ctx, x >= y);
    if (!strcmp(op, "And")) return tcc_idx(ctx, x && y);
    if (!strcmp(op, "Or")) return tcc_idx(ctx, x || y);
    if (!strcmp(op, "Xor")) return tcc_idx(ctx, !x != !y);
  }
  if (!strcmp(op, "Mod") && ca && cb && y != 0) {
    int64_t r = x % y; /* fmod=0: sign of the divisor */
    if (r != 0 && ((r < 0) != (y < 0))) r += y;
    return tcc_idx(ctx, r);
  }
  return NULL;
}

static void fold_sym_elems(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *a = tcc_op_input(n, 0), *b = tcc_op_input(n, 1), *o = n->outputs[0];
  if (!a || !b || !o ||
      (a->dtype != TCCRT_INT64 && a->dtype != TCCRT_INT32 && a->dtype != TCCRT_BOOL))
    return;
  int64_t na, nb;
  const tcc_expr *const *ea, *const *eb;
  if (!tcc_value_sym_ints(ic->ctx, a, &na, &ea) || !tcc_value_sym_ints(ic->ctx, b, &nb, &eb))
    return;
  if (!(na == nb || na == 1 || nb == 1)) return;
  int64_t cnt = na > nb ? na : nb;
  int64_t onumel = 1;
  for (int i = 0; i < o->ndim; i++) {
    int64_t dv;
    if (!tcc_expr_is_int_imm(o->dims[i], &dv)) return;
    onumel *= dv;
  }
  if (onumel != cnt || cnt > TCC_SYM_ELEMS_MAX) return;
  const tcc_expr *el[TCC_SYM_ELEMS_MAX];
  for (int64_t i = 0; i < cnt; i++) {
    el[i] = fold_elem(ic->ctx, n->op->name, ea[na == 1 ? 0 : i], eb[nb == 1 ? 0 : i]);
    if (!el[i]) return;
  }
  tcc_infer_set_sym_elems(ic, n, 0, cnt, el);
}

static tcc_status infer_binary(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *a, *b;
  TCC_TRY(tcc_infer_input(ic, n, 0, &a));
  TCC_TRY(tcc_infer_input(ic, n, 1, &b));
  bkind k = kind_of(n->op->name);
  tccrt_dtype out = a->dtype;
  switch (k) {
  case B_ARITH:
    TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
    break;
  case B_MOD:
    TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
    break;
  case B_POW:
    TCC_TRY(tcc_infer_check_dtype(
        ic, n, 0, n->opset >= 12 ? TCC_DTM_INT32_64 | TCC_DTM_FLOAT : TCC_DTM_FLOAT));
    TCC_TRY(tcc_infer_check_dtype(ic, n, 1, n->opset >= 12 ? TCC_DTM_NUMERIC : TCC_DTM_FLOAT));
    if (n->opset < 12) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
    break;
  case B_LOGIC:
    TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_BOOL));
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
    out = TCCRT_BOOL;
    break;
  case B_CMP:
    TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC | TCC_DTM_BOOL | TCC_DTM_STRING));
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
    out = TCCRT_BOOL;
    break;
  case B_BITSHIFT: {
    TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_UINT));
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
    const char *dir = NULL;
    TCC_TRY(tcc_node_attr_string(ic->ctx, ic->graph, n, "direction", NULL, &dir));
    if (!dir || (strcmp(dir, "LEFT") && strcmp(dir, "RIGHT")))
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "attribute 'direction' must be \"LEFT\" or \"RIGHT\"");
    break;
  }
  case B_BITWISE:
    TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_INT));
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
    break;
  }
  int nd;
  const tcc_expr *const *d;
  if (n->opset < 7 && k != B_POW && k != B_BITSHIFT && k != B_BITWISE && k != B_MOD)
    TCC_TRY(legacy_broadcast(ic, n, a, b, &nd, &d));
  else
    TCC_TRY(tcc_infer_broadcast(ic, n, a->ndim, a->dims, b->ndim, b->dims, &nd, &d));
  TCC_TRY(tcc_infer_set_output(ic, n, 0, out, nd, d));
  fold_sym_elems(ic, n);
  return TCC_OK;
}

/* Max Min Mean Sum: 1..N inputs of one type, broadcast together (opset 8+; equal shapes before,
 * which broadcasting also accepts). */
static tcc_status infer_variadic(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *a;
  TCC_TRY(tcc_infer_input(ic, n, 0, &a));
  bool minmax = !strcmp(n->op->name, "Max") || !strcmp(n->op->name, "Min");
  TCC_TRY(
      tcc_infer_check_dtype(ic, n, 0, minmax && n->opset >= 12 ? TCC_DTM_NUMERIC : TCC_DTM_FLOAT));
  for (int k = 1; k < n->ninputs; k++)
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
  int nd;
  const tcc_expr *const *d;
  TCC_TRY(tcc_infer_broadcast_inputs(ic, n, 0, n->ninputs, &nd, &d));
  TCC_TRY(tcc_infer_set_output(ic, n, 0, a->dtype, nd, d));
  if (n->ninputs == 2) fold_sym_elems(ic, n);
  return TCC_OK;
}

static tcc_status infer_bitwise_not(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *a;
  TCC_TRY(tcc_infer_input(ic, n, 0, &a));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_INT));
  return tcc_infer_output_like(ic, n, 0, a);
}

static tcc_status infer_where(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *c, *x, *y;
  TCC_TRY(tcc_infer_input(ic, n, 0, &c));
  TCC_TRY(tcc_infer_input(ic, n, 1, &x));
  TCC_TRY(tcc_infer_input(ic, n, 2, &y));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_BOOL));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 1, 2));
  int nd;
  const tcc_expr *const *d;
  TCC_TRY(tcc_infer_broadcast_inputs(ic, n, 0, 3, &nd, &d));
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, nd, d));
  /* Shape values: Where(Equal(shape, -1), ones, shape) and the like. */
  int64_t nc, nx, ny;
  const tcc_expr *const *ec, *const *ex, *const *ey;
  if ((x->dtype == TCCRT_INT64 || x->dtype == TCCRT_INT32) &&
      tcc_value_sym_ints(ic->ctx, c, &nc, &ec) && tcc_value_sym_ints(ic->ctx, x, &nx, &ex) &&
      tcc_value_sym_ints(ic->ctx, y, &ny, &ey)) {
    int64_t cnt = nc > nx ? nc : nx;
    if (ny > cnt) cnt = ny;
    if ((nc != cnt && nc != 1) || (nx != cnt && nx != 1) || (ny != cnt && ny != 1) ||
        cnt > TCC_SYM_ELEMS_MAX || nd > 1)
      return TCC_OK;
    const tcc_expr *el[TCC_SYM_ELEMS_MAX];
    for (int64_t i = 0; i < cnt; i++) {
      int64_t cv;
      if (!tcc_expr_is_int_imm(ec[nc == 1 ? 0 : i], &cv)) return TCC_OK;
      el[i] = cv ? ex[nx == 1 ? 0 : i] : ey[ny == 1 ? 0 : i];
    }
    tcc_infer_set_sym_elems(ic, n, 0, cnt, el);
  }
  return TCC_OK;
}

/* ---- computes (TE) ---- */

static const tcc_expr *binary_body(tcc_context *ctx, const tcc_node *n, const tcc_expr *a,
                                   const tcc_expr *b) {
  const char *op = n->op->name;
  bool fl = tcc_dtype_is_float((tccrt_dtype)a->type.dtype);
  if (!strcmp(op, "Add") || !strcmp(op, "Sum")) return tcc_add(ctx, a, b);
  if (!strcmp(op, "Sub")) return tcc_sub(ctx, a, b);
  if (!strcmp(op, "Mul")) return tcc_mul(ctx, a, b);
  if (!strcmp(op, "Div")) return tcc_div(ctx, a, b); /* integers truncate */
  if (!strcmp(op, "Max")) return tcc_max(ctx, a, b);
  if (!strcmp(op, "Min")) return tcc_min(ctx, a, b);
  if (!strcmp(op, "Equal")) return tcc_eq(ctx, a, b);
  if (!strcmp(op, "Less")) return tcc_lt(ctx, a, b);
  if (!strcmp(op, "Greater")) return tcc_gt(ctx, a, b);
  if (!strcmp(op, "LessOrEqual")) return tcc_le(ctx, a, b);
  if (!strcmp(op, "GreaterOrEqual")) return tcc_ge(ctx, a, b);
  if (!strcmp(op, "And")) return tcc_and(ctx, a, b);
  if (!strcmp(op, "Or")) return tcc_or(ctx, a, b);
  if (!strcmp(op, "Xor")) return tcc_ne(ctx, a, b);
  if (!strcmp(op, "BitwiseAnd")) return tcc_binary(ctx, TCC_BITAND, a, b);
  if (!strcmp(op, "BitwiseOr")) return tcc_binary(ctx, TCC_BITOR, a, b);
  if (!strcmp(op, "BitwiseXor")) return tcc_binary(ctx, TCC_BITXOR, a, b);
  if (!strcmp(op, "BitShift")) {
    const tcc_attr *d = tcc_node_attr(n, "direction");
    bool left = d && d->kind == TCC_ATTR_STRING && !strcmp(d->u.s, "LEFT");
    return tcc_binary(ctx, left ? TCC_SHL : TCC_SHR, a, b);
  }
  if (!strcmp(op, "Mod")) {
    const tcc_attr *f = tcc_node_attr(n, "fmod");
    bool fmod = f && f->kind == TCC_ATTR_INT && f->u.i;
    if (fl || fmod) return tcc_mod(ctx, a, b); /* C fmod / remainder: sign of the dividend */
    return tcc_floormod(ctx, a, b);            /* sign of the divisor */
  }
  if (!strcmp(op, "Pow")) {
    tcc_type t = a->type;
    tcc_type dt = tcc_scalar(fl ? (tccrt_dtype)t.dtype : TCCRT_FLOAT64);
    if ((tccrt_dtype)dt.dtype == TCCRT_FLOAT16 || (tccrt_dtype)dt.dtype == TCCRT_BFLOAT16)
      dt = tcc_scalar(TCCRT_FLOAT32);
    const tcc_expr *args[2] = {tcc_cast(ctx, dt, a), tcc_cast(ctx, dt, b)};
    return tcc_cast(ctx, t, tcc_call(ctx, TCC_INTRIN_POW, 2, args));
  }
  return NULL;
}

/* True when v is a compile-time constant holding one value (one element, or a fill) that
 * equals `want`, in any float or integer dtype. */
static bool const_scalar_equals(const tcc_value *v, double want) {
  if (!v || v->kind != TCC_VALUE_CONST || !v->data || (!v->is_fill && tcc_value_numel(v) != 1))
    return false;
  switch (v->dtype) {
  case TCCRT_FLOAT32: return *(const float *)v->data == (float)want;
  case TCCRT_FLOAT64: return *(const double *)v->data == want;
  case TCCRT_INT32: return *(const int32_t *)v->data == (int32_t)want;
  case TCCRT_INT64: return *(const int64_t *)v->data == (int64_t)want;
  default: return false;
  }
}

/* Binary ops with numpy broadcasting: out[i] = a[bcast(i)] op b[bcast(i)]. */
static tcc_status compute_binary(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *a, *b;
  TCC_TRY(tcc_compute_input(cc, 0, &a));
  TCC_TRY(tcc_compute_input(cc, 1, &b));
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *ra = tcc_compute_read_bcast(ctx, a, o->ndim, idx, o->dims);
  const tcc_expr *rb = tcc_compute_read_bcast(ctx, b, o->ndim, idx, o->dims);
  if (cc->node->opset < 7 && b->ndim < a->ndim) {
    /* Legacy broadcast=1 with axis: b's dims sit at [axis, axis + b.ndim). */
    const tcc_attr *ax = tcc_node_attr(cc->node, "axis");
    int axis = ax ? (int)(ax->u.i < 0 ? ax->u.i + a->ndim : ax->u.i) : a->ndim - b->ndim;
    const tcc_expr *bi[64];
    for (int i = 0; i < b->ndim; i++) {
      int64_t d;
      bi[i] = tcc_expr_is_int_imm(b->shape[i], &d) && d == 1 ? tcc_idx(ctx, 0) : idx[axis + i];
    }
    rb = tcc_tensor_read(ctx, b, b->ndim, bi);
  }
  if (!tcc_type_eq(ra->type, rb->type) && strcmp(cc->node->op->name, "Pow"))
    return tcc_node_error(ctx, cc->graph, cc->node, "compute: operand types differ");
  const tcc_expr *body;
  if (!strcmp(cc->node->op->name, "Pow") && tcc_dtype_is_float((tccrt_dtype)ra->type.dtype) &&
      const_scalar_equals(cc->node->inputs[1], 2.0))
    body = tcc_mul(ctx, ra, ra); /* x^2 is one correctly rounded product, as pow(x, 2) is */
  else
    body = binary_body(ctx, cc->node, ra, rb);
  if (!body)
    return tcc_node_error(ctx, cc->graph, cc->node, "no compute for %s", cc->node->op->name);
  outs[0] = tcc_compute_out(cc, 0, axes, body, "broadcast");
  return TCC_OK;
}

/* Max Min Sum Mean over N broadcast inputs. */
static tcc_status compute_variadic(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *acc = NULL;
  bool mean = !strcmp(cc->node->op->name, "Mean");
  for (int k = 0; k < cc->node->ninputs; k++) {
    const tcc_tensor *t;
    TCC_TRY(tcc_compute_input(cc, k, &t));
    const tcc_expr *r = tcc_compute_read_bcast(ctx, t, o->ndim, idx, o->dims);
    acc = acc ? (mean ? tcc_add(ctx, acc, r) : binary_body(ctx, cc->node, acc, r)) : r;
  }
  if (mean) acc = tcc_div(ctx, acc, tcc_const(ctx, acc->type, cc->node->ninputs));
  outs[0] = tcc_compute_out(cc, 0, axes, acc, "broadcast");
  return TCC_OK;
}

static tcc_status compute_bitwise_not(tcc_compute_ctx *cc, tcc_tensor **outs) {
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_unary(cc->ctx, TCC_BITNOT, tcc_read(cc->ctx, x, idx)),
                            "elemwise");
  return TCC_OK;
}

/* Where: select(cond, x, y), all three broadcast. */
static tcc_status compute_where(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *c, *x, *y;
  TCC_TRY(tcc_compute_input(cc, 0, &c));
  TCC_TRY(tcc_compute_input(cc, 1, &x));
  TCC_TRY(tcc_compute_input(cc, 2, &y));
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *body = tcc_select(ctx, tcc_compute_read_bcast(ctx, c, o->ndim, idx, o->dims),
                                    tcc_compute_read_bcast(ctx, x, o->ndim, idx, o->dims),
                                    tcc_compute_read_bcast(ctx, y, o->ndim, idx, o->dims));
  outs[0] = tcc_compute_out(cc, 0, axes, body, "broadcast");
  return TCC_OK;
}

/* SwiGLU (28): Y = A * sigmoid(alpha * A) * B; A and B of one shape and float type. */
static tcc_status infer_swiglu(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *a, *b;
  TCC_TRY(tcc_infer_input(ic, n, 0, &a));
  TCC_TRY(tcc_infer_input(ic, n, 1, &b));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  bool same = a->ndim == b->ndim;
  for (int i = 0; same && i < a->ndim; i++)
    same = tcc_shape_dim_eq(ic->ctx, a->dims[i], b->dims[i]);
  if (!same)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "A %s and B %s must have the same shape (no broadcasting)",
                          tcc_value_shape_str(ic->ctx, a), tcc_value_shape_str(ic->ctx, b));
  return tcc_infer_output_like(ic, n, 0, a);
}

static tcc_status compute_swiglu(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *a, *b;
  TCC_TRY(tcc_compute_input(cc, 0, &a));
  TCC_TRY(tcc_compute_input(cc, 1, &b));
  double alpha = 1.0;
  TCC_TRY(tcc_node_attr_float(ctx, cc->graph, cc->node, "alpha", 1.0, &alpha));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *va = tcc_read(ctx, a, idx), *vb = tcc_read(ctx, b, idx);
  tcc_type t = va->type;
  bool half = t.dtype == TCCRT_FLOAT16 || t.dtype == TCCRT_BFLOAT16;
  if (half) {
    va = tcc_cast(ctx, tcc_scalar(TCCRT_FLOAT32), va);
    vb = tcc_cast(ctx, tcc_scalar(TCCRT_FLOAT32), vb);
  }
  const tcc_expr *g = tcc_mul(
      ctx, va,
      tcc_call1(ctx, TCC_INTRIN_SIGMOID, tcc_mul(ctx, tcc_const(ctx, va->type, alpha), va)));
  const tcc_expr *y = tcc_mul(ctx, g, vb);
  if (half) y = tcc_cast(ctx, t, y);
  outs[0] = tcc_compute_out(cc, 0, axes, y, "elemwise");
  return TCC_OK;
}

static const tcc_attr_schema no_attrs[] = {{NULL}};
static const tcc_attr_schema legacy_attrs[] = {{"broadcast", TCC_ATTR_INT, false},
                                               {"axis", TCC_ATTR_INT, false},
                                               {"consumed_inputs", TCC_ATTR_INTS, false},
                                               {NULL}};
static const tcc_attr_schema swiglu_attrs[] = {{"alpha", TCC_ATTR_FLOAT, false}, {NULL}};
static const tcc_attr_schema mod_attrs[] = {{"fmod", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema bitshift_attrs[] = {{"direction", TCC_ATTR_STRING, true}, {NULL}};
static const tcc_attr_schema variadic_attrs[] = {{"consumed_inputs", TCC_ATTR_INTS, false}, {NULL}};

/* Numpy broadcasting computes: a blocked layout (NCHW8c) passes through when the other operands
 * are in it, scalars or per-channel tensors ([C,1,1]): tcc_layout_infer_broadcast. */
/* clang-format off */
#define BIN(NAME, SINCE, ATTRS)                                                                    \
  {NAME, "", SINCE, 0, TCC_PAT_BROADCAST, 2, 2, 1, 1, ATTRS, infer_binary, compute_binary,         \
   tcc_layout_infer_broadcast, NULL}
#define VAR(NAME)                                                                                  \
  {NAME, "", 1, 0, TCC_PAT_BROADCAST, 1, -1, 1, 1, variadic_attrs, infer_variadic,                 \
   compute_variadic, tcc_layout_infer_broadcast, NULL}
/* clang-format on */

const tcc_op tcc_ops_binary[] = {
    BIN("Add", 1, legacy_attrs),
    BIN("Sub", 1, legacy_attrs),
    BIN("Mul", 1, legacy_attrs),
    BIN("Div", 1, legacy_attrs),
    BIN("Pow", 1, legacy_attrs),
    BIN("Mod", 10, mod_attrs),
    VAR("Max"),
    VAR("Min"),
    VAR("Mean"),
    VAR("Sum"),
    BIN("And", 1, legacy_attrs),
    BIN("Or", 1, legacy_attrs),
    BIN("Xor", 1, legacy_attrs),
    BIN("Equal", 1, legacy_attrs),
    BIN("Less", 1, legacy_attrs),
    BIN("Greater", 1, legacy_attrs),
    BIN("LessOrEqual", 12, no_attrs),
    BIN("GreaterOrEqual", 12, no_attrs),
    BIN("BitShift", 11, bitshift_attrs),
    BIN("BitwiseAnd", 18, no_attrs),
    BIN("BitwiseOr", 18, no_attrs),
    BIN("BitwiseXor", 18, no_attrs),
    {"BitwiseNot", "", 18, 0, TCC_PAT_ELEMWISE, 1, 1, 1, 1, no_attrs, infer_bitwise_not,
     compute_bitwise_not},
    {"SwiGLU", "", 28, 0, TCC_PAT_ELEMWISE, 2, 2, 1, 1, swiglu_attrs, infer_swiglu, compute_swiglu},
    {"Where", "", 9, 0, TCC_PAT_BROADCAST, 3, 3, 1, 1, no_attrs, infer_where, compute_where,
     tcc_layout_infer_broadcast, NULL},
};
const int tcc_ops_binary_count = (int)TCC_ARRAY_SIZE(tcc_ops_binary);
