/* shape.c — Shape Size Constant ConstantOfShape Range Identity Dropout EyeLike OneHot (ONNX
 * operator specification).
 *
 * Shape and Size record their values as symbolic elements (`{N, 1, 28, 28}`), which later
 * shape-consuming ops read; Constant, Range and ConstantOfShape record them for small int64
 * results, Identity and Dropout pass them through. */
#include "op_util.h"

#include <string.h>

#define MAXR 64

/* Shape (start/end from opset 15, clamped to [0, r]): int64 [end - start]. */
static tcc_status infer_shape(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  int64_t r = x->ndim, s = 0, e = r;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "start", 0, &s));
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "end", r, &e));
  if (s < 0) s += r;
  if (e < 0) e += r;
  s = s < 0 ? 0 : (s > r ? r : s);
  e = e < 0 ? 0 : (e > r ? r : e);
  int64_t len = e > s ? e - s : 0;
  const tcc_expr *d = tcc_idx(ic->ctx, len);
  TCC_TRY(tcc_infer_set_output(ic, n, 0, TCCRT_INT64, 1, &d));
  if (len > 0)
    tcc_infer_set_sym_elems(ic, n, 0, len, x->dims + s);
  else
    tcc_infer_set_sym_elems(ic, n, 0, 0, NULL);
  return TCC_OK;
}

/* Size: int64 scalar, the number of elements. */
static tcc_status infer_size(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_set_output(ic, n, 0, TCCRT_INT64, 0, NULL));
  const tcc_expr *p = tcc_shape_prod(ic->ctx, x->ndim, x->dims);
  tcc_infer_set_sym_elems(ic, n, 0, 1, &p);
  return TCC_OK;
}

/* Constant: exactly one of value (tensor), value_float(s), value_int(s), value_string(s). */
static tcc_status infer_constant(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  if (n->nattrs != 1)
    return tcc_node_error(ctx, ic->graph, n, "Constant needs exactly one value attribute, has %d",
                          n->nattrs);
  const tcc_attr *a = &n->attrs[0];
  const tcc_expr *one;
  switch (a->kind) {
  case TCC_ATTR_TENSOR: {
    const tcc_value *t = a->u.t;
    if (!t || t->ndim < 0)
      return tcc_node_error(ctx, ic->graph, n, "attribute '%s' holds no tensor", a->name);
    TCC_TRY(tcc_infer_set_output(ic, n, 0, t->dtype, t->ndim, t->dims));
    int64_t cnt;
    const tcc_expr *const *el;
    if ((t->dtype == TCCRT_INT64 || t->dtype == TCCRT_INT32) &&
        tcc_value_sym_ints(ctx, t, &cnt, &el))
      tcc_infer_set_sym_elems(ic, n, 0, cnt, el);
    return TCC_OK;
  }
  case TCC_ATTR_FLOAT: return tcc_infer_set_output(ic, n, 0, TCCRT_FLOAT32, 0, NULL);
  case TCC_ATTR_INT:
    TCC_TRY(tcc_infer_set_output(ic, n, 0, TCCRT_INT64, 0, NULL));
    one = tcc_idx(ctx, a->u.i);
    tcc_infer_set_sym_elems(ic, n, 0, 1, &one);
    return TCC_OK;
  case TCC_ATTR_STRING: return tcc_infer_set_output(ic, n, 0, TCCRT_STRING, 0, NULL);
  case TCC_ATTR_FLOATS: {
    const tcc_expr *d = tcc_idx(ctx, a->u.floats.n);
    return tcc_infer_set_output(ic, n, 0, TCCRT_FLOAT32, 1, &d);
  }
  case TCC_ATTR_INTS: {
    const tcc_expr *d = tcc_idx(ctx, a->u.ints.n);
    TCC_TRY(tcc_infer_set_output(ic, n, 0, TCCRT_INT64, 1, &d));
    if (a->u.ints.n <= TCC_SYM_ELEMS_MAX) {
      const tcc_expr *el[TCC_SYM_ELEMS_MAX];
      for (int i = 0; i < a->u.ints.n; i++)
        el[i] = tcc_idx(ctx, a->u.ints.v[i]);
      tcc_infer_set_sym_elems(ic, n, 0, a->u.ints.n, el);
    }
    return TCC_OK;
  }
  case TCC_ATTR_STRINGS: {
    const tcc_expr *d = tcc_idx(ctx, a->u.strings.n);
    return tcc_infer_set_output(ic, n, 0, TCCRT_STRING, 1, &d);
  }
  default:
    return tcc_node_error(ctx, ic->graph, n, "attribute '%s' of kind %s is not supported", a->name,
                          tcc_attr_kind_name(a->kind));
  }
}

/* ConstantOfShape (opset 9): int64 1-D shape input; `value` one-element tensor (default float32
 * 0). */
static tcc_status infer_constant_of_shape(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *s;
  TCC_TRY(tcc_infer_input(ic, n, 0, &s));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM(TCCRT_INT64)));
  tccrt_dtype dt = TCCRT_FLOAT32;
  const tcc_attr *va = tcc_node_attr(n, "value");
  const tcc_value *vt = va ? va->u.t : NULL;
  if (vt) {
    int64_t numel = 1;
    for (int i = 0; i < vt->ndim; i++) {
      int64_t dv;
      numel = tcc_expr_is_int_imm(vt->dims[i], &dv) ? numel * dv : -1;
    }
    if (numel != 1)
      return tcc_node_error(ctx, ic->graph, n, "attribute 'value' must hold one element");
    dt = vt->dtype;
  }
  bool known;
  int64_t cnt;
  const tcc_expr *const *el;
  TCC_TRY(tcc_infer_sym_ints(ic, n, 0, &known, &cnt, &el));
  if (!known)
    return tcc_node_error(ctx, ic->graph, n,
                          "input 0 (shape, '%s') is not constant and its values are not known "
                          "from shapes; the output shape depends on it",
                          n->inputs[0]->name);
  if (cnt > MAXR) return tcc_node_error(ctx, ic->graph, n, "rank %lld too large", (long long)cnt);
  for (int64_t i = 0; i < cnt; i++) {
    int64_t v;
    if (tcc_expr_is_int_imm(el[i], &v) && v < 0)
      return tcc_node_error(ctx, ic->graph, n, "shape[%lld] = %lld is negative", (long long)i,
                            (long long)v);
  }
  TCC_TRY(tcc_infer_set_output(ic, n, 0, dt, (int)cnt, el));
  /* Small int64 fills keep their values. */
  int64_t numel = 1;
  for (int64_t i = 0; i < cnt && numel >= 0; i++) {
    int64_t v;
    if (!tcc_expr_is_int_imm(el[i], &v) || !tcc_mul_ovf(numel, v, &numel)) numel = -1;
  }
  if ((dt == TCCRT_INT64 || dt == TCCRT_INT32) && numel >= 0 && numel <= TCC_SYM_ELEMS_MAX &&
      cnt <= 1) {
    int64_t c;
    const tcc_expr *const *fv;
    const tcc_expr *fill[TCC_SYM_ELEMS_MAX];
    const tcc_expr *zero = tcc_idx(ctx, 0);
    const tcc_expr *f0 =
        vt ? (tcc_value_sym_ints(ctx, vt, &c, &fv) && c == 1 ? fv[0] : NULL) : zero;
    if (f0) {
      for (int64_t i = 0; i < numel; i++)
        fill[i] = f0;
      tcc_infer_set_sym_elems(ic, n, 0, numel, fill);
    }
  }
  return TCC_OK;
}

/* Range (opset 11): scalar start, limit, delta of one type; 1-D output of
 * max(ceil((limit - start) / delta), 0) elements. */
static tcc_status infer_range(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *s, *l, *dl;
  TCC_TRY(tcc_infer_input(ic, n, 0, &s));
  TCC_TRY(tcc_infer_input(ic, n, 1, &l));
  TCC_TRY(tcc_infer_input(ic, n, 2, &dl));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT | TCC_DTM_SINT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  const tcc_expr *len = NULL;
  bool ks, kl, kd;
  int64_t c0, c1, c2;
  const double *fs, *fl, *fd;
  TCC_TRY(tcc_infer_const_floats(ic, n, 0, &ks, &c0, &fs));
  TCC_TRY(tcc_infer_const_floats(ic, n, 1, &kl, &c1, &fl));
  TCC_TRY(tcc_infer_const_floats(ic, n, 2, &kd, &c2, &fd));
  if ((ks && c0 != 1) || (kl && c1 != 1) || (kd && c2 != 1))
    return tcc_node_error(ctx, ic->graph, n, "start, limit and delta must be scalars");
  if (kd && fd[0] == 0) return tcc_node_error(ctx, ic->graph, n, "delta is 0");
  if (ks && kl && kd) {
    double cnt = (fl[0] - fs[0]) / fd[0];
    if (!(cnt < 9.2e18)) /* also NaN (an infinite start, limit or delta) */
      return tcc_node_error(ctx, ic->graph, n,
                            "start %g, limit %g, delta %g give %g elements: the length must fit "
                            "in int64",
                            fs[0], fl[0], fd[0], cnt);
    int64_t k = (int64_t)cnt;
    if ((double)k < cnt) k++;
    if (k < 0) k = 0;
    len = tcc_idx(ctx, k);
    TCC_TRY(tcc_infer_set_output(ic, n, 0, s->dtype, 1, &len));
    if (s->dtype == TCCRT_INT64 && k <= TCC_SYM_ELEMS_MAX) {
      const tcc_expr *el[TCC_SYM_ELEMS_MAX];
      for (int64_t i = 0; i < k; i++)
        el[i] = tcc_idx(ctx, (int64_t)fs[0] + i * (int64_t)fd[0]);
      tcc_infer_set_sym_elems(ic, n, 0, k, el);
    }
    return TCC_OK;
  }
  /* Symbolic: integer start/limit known as expressions, constant delta. */
  int64_t n0, n1, n2;
  const tcc_expr *const *e0, *const *e1, *const *e2;
  if (tcc_value_sym_ints(ctx, s, &n0, &e0) && tcc_value_sym_ints(ctx, l, &n1, &e1) &&
      tcc_value_sym_ints(ctx, dl, &n2, &e2) && n0 == 1 && n1 == 1 && n2 == 1) {
    int64_t dv;
    if (tcc_expr_is_int_imm(e2[0], &dv) && dv > 0) {
      const tcc_expr *diff = tcc_shape_sub(ctx, e1[0], e0[0]);
      len = dv == 1 ? diff
                    : tcc_floordiv(ctx, tcc_shape_add(ctx, diff, tcc_idx(ctx, dv - 1)),
                                   tcc_idx(ctx, dv));
      return tcc_infer_set_output(ic, n, 0, s->dtype, 1, &len);
    }
  }
  return tcc_node_error(ctx, ic->graph, n,
                        "start, limit or delta is not constant; the output length depends on them");
}

/* Identity: output like input; symbolic elements pass through. */
static tcc_status infer_identity(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_output_like(ic, n, 0, x));
  int64_t cnt;
  const tcc_expr *const *el;
  if (tcc_value_sym_ints(ic->ctx, x, &cnt, &el)) tcc_infer_set_sym_elems(ic, n, 0, cnt, el);
  return TCC_OK;
}

/* Dropout: output like data; optional mask of data's shape (dtype T before opset 10, bool after).
 * Opset 12+ takes ratio and training_mode as optional inputs. */
static tcc_status infer_dropout(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  if (n->opset < 12 && n->ninputs > 1 && (n->inputs[1] || (n->ninputs > 2 && n->inputs[2])))
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "Dropout before opset 12 takes ratio as an attribute, not an input");
  if (tcc_op_input(n, 2)) TCC_TRY(tcc_infer_check_dtype(ic, n, 2, TCC_DTM_BOOL));
  TCC_TRY(infer_identity(ic, n));
  return tcc_infer_set_output(ic, n, 1, n->opset >= 10 ? TCCRT_BOOL : x->dtype, x->ndim, x->dims);
}

/* EyeLike (opset 9): 2-D input; dtype attribute (default: the input's). */
static tcc_status infer_eyelike(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  if (x->ndim != 2)
    return tcc_node_error(ic->ctx, ic->graph, n, "input must be 2-D; it has shape %s",
                          tcc_value_shape_str(ic->ctx, x));
  int64_t dt = x->dtype;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "dtype", x->dtype, &dt));
  if (dt <= 0 || dt > 31 || !tccrt_dtype_size((tccrt_dtype)dt) || dt == TCCRT_STRING)
    return tcc_node_error(ic->ctx, ic->graph, n, "attribute 'dtype' = %lld is not supported",
                          (long long)dt);
  return tcc_infer_set_output(ic, n, 0, (tccrt_dtype)dt, 2, x->dims);
}

/* OneHot (opset 9/11): indices, scalar depth, values [off, on]; depth inserted at `axis` (default
 * -1, in [-r-1, r]); output dtype = values' dtype. */
static tcc_status infer_onehot(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *ind, *dep, *val;
  TCC_TRY(tcc_infer_input(ic, n, 0, &ind));
  TCC_TRY(tcc_infer_input(ic, n, 1, &dep));
  TCC_TRY(tcc_infer_input(ic, n, 2, &val));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_NUMERIC));
  int64_t nv;
  if (val->ndim != 1 || !tcc_expr_is_int_imm(val->dims[0], &nv) || nv != 2)
    return tcc_node_error(ctx, ic->graph, n,
                          "input 2 (values, '%s') must be [off_value, on_value] of shape [2]; it "
                          "has shape %s",
                          val->name, tcc_value_shape_str(ctx, val));
  int64_t axis = -1;
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "axis", -1, &axis));
  int r = ind->ndim + 1, a;
  if (r > MAXR) return tcc_node_error(ctx, ic->graph, n, "rank too large");
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, r, &a));
  bool known;
  int64_t cnt;
  const double *dv;
  TCC_TRY(tcc_infer_const_floats(ic, n, 1, &known, &cnt, &dv));
  const tcc_expr *depth = NULL;
  if (known) {
    if (cnt != 1) return tcc_node_error(ctx, ic->graph, n, "depth must hold one value");
    depth = tcc_idx(ctx, (int64_t)dv[0]);
  } else {
    int64_t c;
    const tcc_expr *const *el;
    if (tcc_value_sym_ints(ctx, dep, &c, &el) && c == 1) depth = el[0];
  }
  if (!depth)
    return tcc_node_error(ctx, ic->graph, n,
                          "input 1 (depth, '%s') is not constant; the output shape depends on it",
                          dep->name);
  const tcc_expr *d[MAXR];
  for (int i = 0, j = 0; i < r; i++)
    d[i] = i == a ? depth : ind->dims[j++];
  return tcc_infer_set_output(ic, n, 0, val->dtype, r, d);
}

/* ---- computes (TE) ---- */

/* Identity and Dropout in inference mode: out = x; Dropout's mask is all true. */
static tcc_status compute_identity(tcc_compute_ctx *cc, tcc_tensor **outs) {
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  if (!strcmp(cc->node->op->name, "Dropout") && cc->node->ninputs > 2 && cc->node->inputs[2]) {
    /* training_mode = true draws a random mask: only a zero ratio is deterministic. */
    tcc_infer_ctx ic = {cc->ctx, (tcc_graph *)cc->graph};
    bool kt, kr;
    int64_t c;
    const int64_t *tm;
    const double *ratio;
    TCC_TRY(tcc_infer_const_ints(&ic, cc->node, 2, &kt, &c, &tm));
    TCC_TRY(tcc_infer_const_floats(&ic, cc->node, 1, &kr, &c, &ratio));
    double r = tcc_op_input(cc->node, 1) ? (kr ? ratio[0] : -1) : 0.5;
    if (!kt || (tm[0] && r != 0))
      return tcc_node_error(cc->ctx, cc->graph, cc->node,
                            "Dropout in training mode (random mask, ratio %g) has no compute; "
                            "only inference mode is supported",
                            r);
  }
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_read(cc->ctx, x, idx), "elemwise");
  if (cc->node->noutputs > 1 && cc->node->outputs[1]) {
    axes = tcc_compute_out_axes(cc, 1, &idx);
    tccrt_dtype mt = cc->node->outputs[1]->dtype;
    outs[1] = tcc_compute_out(cc, 1, axes, tcc_const(cc->ctx, tcc_scalar(mt), 1), "elemwise");
  }
  return TCC_OK;
}

/* Shape: element i is dim start + i of the input (a select chain over int64 dims). */
static tcc_status compute_shape(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_value *o = cc->node->outputs[0];
  if (!o->sym_elems)
    return tcc_node_error(ctx, cc->graph, cc->node, "compute: the shape values are unknown");
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *body = tcc_idx(ctx, 0);
  for (int64_t i = o->nsym_elems - 1; i >= 0; i--)
    body = tcc_select(ctx, tcc_eq(ctx, idx[0], tcc_idx(ctx, i)), o->sym_elems[i], body);
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

/* Size: the element count (a constant expression of the input's dims). */
static tcc_status compute_size(tcc_compute_ctx *cc, tcc_tensor **outs) {
  const tcc_value *o = cc->node->outputs[0];
  if (!o->sym_elems || o->nsym_elems != 1)
    return tcc_node_error(cc->ctx, cc->graph, cc->node, "compute: the size is unknown");
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  outs[0] = tcc_compute_out(cc, 0, axes, o->sym_elems[0], "injective");
  return TCC_OK;
}

/* ConstantOfShape: every element is `value` (default float32 0). */
static tcc_status compute_constant_of_shape(tcc_compute_ctx *cc, tcc_tensor **outs) {
  const tcc_attr *va = tcc_node_attr(cc->node, "value");
  const tcc_expr *v = va && va->kind == TCC_ATTR_TENSOR
                          ? tcc_const_elem(cc->ctx, va->u.t, 0)
                          : tcc_float(cc->ctx, tcc_scalar(TCCRT_FLOAT32), 0);
  if (!v)
    return tcc_node_error(cc->ctx, cc->graph, cc->node, "compute: attribute 'value' is unreadable");
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  outs[0] = tcc_compute_out(cc, 0, axes, v, "injective");
  return TCC_OK;
}

/* Range: out[i] = start + i * delta. */
static tcc_status compute_range(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *st, *dl;
  TCC_TRY(tcc_compute_input(cc, 0, &st));
  TCC_TRY(tcc_compute_input(cc, 2, &dl));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *s0 = tcc_read_scalar(ctx, st), *d = tcc_read_scalar(ctx, dl);
  const tcc_expr *body = tcc_add(ctx, s0, tcc_mul(ctx, tcc_cast(ctx, s0->type, idx[0]), d));
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

/* EyeLike: ones on the k-th diagonal (j - i == k), zeros elsewhere. */
static tcc_status compute_eyelike(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  int64_t k = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "k", 0, &k));
  tcc_type t = tcc_scalar(cc->node->outputs[0]->dtype);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *on = tcc_eq(ctx, tcc_sub(ctx, idx[1], idx[0]), tcc_idx(ctx, k));
  const tcc_expr *body =
      t.dtype == TCCRT_BOOL ? on : tcc_select(ctx, on, tcc_const(ctx, t, 1), tcc_const(ctx, t, 0));
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

/* OneHot: out[..., d, ...] = index == d ? values[1] : values[0] (negative indices count from
 * depth; indices outside [-depth, depth) give off). */
static tcc_status compute_onehot(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *ind, *val;
  TCC_TRY(tcc_compute_input(cc, 0, &ind));
  TCC_TRY(tcc_compute_input(cc, 2, &val));
  const tcc_value *o = cc->node->outputs[0];
  int64_t axis = -1;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "axis", -1, &axis));
  int a = (int)(axis < 0 ? axis + o->ndim : axis);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *ii[MAXR];
  for (int i = 0, j = 0; i < o->ndim; i++)
    if (i != a) ii[j++] = idx[i];
  const tcc_expr *iv = tcc_read(ctx, ind, ii);
  if (tcc_dtype_is_float(ind->dtype)) iv = tcc_call1(ctx, TCC_INTRIN_TRUNC, iv);
  iv = tcc_cast(ctx, tcc_index_type(), iv);
  const tcc_expr *depth = o->dims[a];
  iv = tcc_select(ctx, tcc_lt(ctx, iv, tcc_idx(ctx, 0)), tcc_add(ctx, iv, depth), iv);
  const tcc_expr *i0[1] = {tcc_idx(ctx, 0)}, *i1[1] = {tcc_idx(ctx, 1)};
  const tcc_expr *body =
      tcc_select(ctx, tcc_eq(ctx, iv, idx[a]), tcc_read(ctx, val, i1), tcc_read(ctx, val, i0));
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

/* ---- window functions (17): HannWindow HammingWindow BlackmanWindow ---- */

/* size: an int32/int64 scalar known at compile time; output_datatype (default float32);
 * periodic (default 1): N = size when periodic, else size - 1. */
static tcc_status infer_window(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *sz;
  TCC_TRY(tcc_infer_input(ic, n, 0, &sz));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_INT32_64));
  int64_t dt = TCCRT_FLOAT32;
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "output_datatype", TCCRT_FLOAT32, &dt));
  if (dt <= 0 || dt > 31 || !tccrt_dtype_size((tccrt_dtype)dt) || dt == TCCRT_STRING)
    return tcc_node_error(ctx, ic->graph, n, "output_datatype %lld is not supported",
                          (long long)dt);
  bool known;
  int64_t cnt;
  const tcc_expr *const *el;
  TCC_TRY(tcc_infer_sym_ints(ic, n, 0, &known, &cnt, &el));
  if (!known || cnt != 1)
    return tcc_node_error(
        ctx, ic->graph, n,
        "input 0 (size, '%s') is not constant (or not a scalar); the output length depends "
        "on it",
        sz->name);
  int64_t v;
  if (tcc_expr_is_int_imm(el[0], &v) && v < 0)
    return tcc_node_error(ctx, ic->graph, n, "size %lld is negative", (long long)v);
  return tcc_infer_set_output(ic, n, 0, (tccrt_dtype)dt, 1, el);
}

/* y[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), computed in float64. */
static tcc_status compute_window(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const char *op = cc->node->op->name;
  int64_t periodic = 1;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "periodic", 1, &periodic));
  double a0, a1, a2 = 0;
  if (!strcmp(op, "HannWindow")) {
    a0 = 0.5;
    a1 = 0.5;
  } else if (!strcmp(op, "HammingWindow")) {
    a0 = 25.0 / 46.0;
    a1 = 1 - a0;
  } else {
    a0 = 0.42;
    a1 = 0.5;
    a2 = 0.08;
  }
  const tcc_value *o = cc->node->outputs[0];
  tcc_type f = tcc_scalar(TCCRT_FLOAT64);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *N =
      tcc_cast(ctx, f, periodic ? o->dims[0] : tcc_sub(ctx, o->dims[0], tcc_idx(ctx, 1)));
  const tcc_expr *ang = tcc_div(
      ctx, tcc_mul(ctx, tcc_float(ctx, f, 2 * 3.14159265358979323846), tcc_cast(ctx, f, idx[0])),
      N);
  const tcc_expr *y =
      tcc_sub(ctx, tcc_float(ctx, f, a0),
              tcc_mul(ctx, tcc_float(ctx, f, a1), tcc_call1(ctx, TCC_INTRIN_COS, ang)));
  if (a2 != 0)
    y = tcc_add(ctx, y,
                tcc_mul(ctx, tcc_float(ctx, f, a2),
                        tcc_call1(ctx, TCC_INTRIN_COS, tcc_mul(ctx, tcc_float(ctx, f, 2), ang))));
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_cast(ctx, tcc_scalar(o->dtype), y), "injective");
  return TCC_OK;
}

static const tcc_attr_schema no_attrs[] = {{NULL}};
static const tcc_attr_schema shape_attrs[] = {
    {"start", TCC_ATTR_INT, false}, {"end", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema constant_attrs[] = {
    {"value", TCC_ATTR_TENSOR, false},          {"value_float", TCC_ATTR_FLOAT, false},
    {"value_floats", TCC_ATTR_FLOATS, false},   {"value_int", TCC_ATTR_INT, false},
    {"value_ints", TCC_ATTR_INTS, false},       {"value_string", TCC_ATTR_STRING, false},
    {"value_strings", TCC_ATTR_STRINGS, false}, {NULL}};
static const tcc_attr_schema cos_attrs[] = {{"value", TCC_ATTR_TENSOR, false}, {NULL}};
static const tcc_attr_schema dropout_attrs[] = {{"ratio", TCC_ATTR_FLOAT, false},
                                                {"is_test", TCC_ATTR_INT, false},
                                                {"seed", TCC_ATTR_INT, false},
                                                {"consumed_inputs", TCC_ATTR_INTS, false},
                                                {NULL}};
static const tcc_attr_schema eyelike_attrs[] = {
    {"dtype", TCC_ATTR_INT, false}, {"k", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema window_attrs[] = {
    {"output_datatype", TCC_ATTR_INT, false}, {"periodic", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema onehot_attrs[] = {{"axis", TCC_ATTR_INT, false}, {NULL}};

#define S(NAME, SINCE, PAT, MINI, MAXI, MINO, MAXO, ATTRS, INFER, COMPUTE)                         \
  {NAME, "", SINCE, 0, PAT, MINI, MAXI, MINO, MAXO, ATTRS, INFER, COMPUTE}

const tcc_op tcc_ops_shape[] = {
    S("Shape", 1, TCC_PAT_OPAQUE, 1, 1, 1, 1, shape_attrs, infer_shape, compute_shape),
    S("Size", 1, TCC_PAT_OPAQUE, 1, 1, 1, 1, no_attrs, infer_size, compute_size),
    S("Constant", 1, TCC_PAT_OPAQUE, 0, 0, 1, 1, constant_attrs, infer_constant, NULL),
    S("ConstantOfShape", 9, TCC_PAT_INJECTIVE, 1, 1, 1, 1, cos_attrs, infer_constant_of_shape,
      compute_constant_of_shape),
    S("Range", 11, TCC_PAT_INJECTIVE, 3, 3, 1, 1, no_attrs, infer_range, compute_range),
    S("Identity", 1, TCC_PAT_INJECTIVE, 1, 1, 1, 1, no_attrs, infer_identity, compute_identity),
    S("Dropout", 1, TCC_PAT_INJECTIVE, 1, 3, 1, 2, dropout_attrs, infer_dropout, compute_identity),
    S("EyeLike", 9, TCC_PAT_INJECTIVE, 1, 1, 1, 1, eyelike_attrs, infer_eyelike, compute_eyelike),
    S("HannWindow", 17, TCC_PAT_INJECTIVE, 1, 1, 1, 1, window_attrs, infer_window, compute_window),
    S("HammingWindow", 17, TCC_PAT_INJECTIVE, 1, 1, 1, 1, window_attrs, infer_window,
      compute_window),
    S("BlackmanWindow", 17, TCC_PAT_INJECTIVE, 1, 1, 1, 1, window_attrs, infer_window,
      compute_window),
    S("OneHot", 9, TCC_PAT_INJECTIVE, 3, 3, 1, 1, onehot_attrs, infer_onehot, compute_onehot),
};
const int tcc_ops_shape_count = (int)TCC_ARRAY_SIZE(tcc_ops_shape);
