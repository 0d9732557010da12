/* tensor.c — data movement ops: Reshape Flatten Squeeze Unsqueeze Transpose Concat Split Slice
 * Gather GatherElements GatherND Scatter ScatterElements ScatterND Expand Tile Pad DepthToSpace
 * SpaceToDepth Trilu (ONNX operator specification, every opset from each op's first version).
 *
 * Shapes are symbolic: dims are int64 index expressions (`N`, `N*64`). Inputs that give shapes
 * (Reshape's shape, Expand's shape, Slice's starts/ends, Tile's repeats, Pad's pads, ...) are read
 * as constants or from the symbolic elements producers record (Shape -> Gather -> Concat); when
 * neither is known the error says the input is not constant. Ops that only move integers also
 * carry those symbolic elements through (Reshape, Squeeze, Unsqueeze, Concat, Gather, Slice). */
#include "op_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXR 64

static tcc_status check_rank(tcc_infer_ctx *ic, const tcc_node *n, int r) {
  if (r > MAXR) return tcc_node_error(ic->ctx, ic->graph, n, "rank %d exceeds %d", r, MAXR);
  return TCC_OK;
}

static tcc_status not_constant(tcc_infer_ctx *ic, const tcc_node *n, int k, const char *what) {
  return tcc_node_error(ic->ctx, ic->graph, n,
                        "input %d (%s, '%s') is not constant and its values are not known from "
                        "shapes; the output shape depends on it",
                        k, what, n->inputs[k] ? n->inputs[k]->name : "");
}

/* Passes input 0's symbolic elements to output 0 unchanged (same elements, same order). */
static void pass_sym_elems(tcc_infer_ctx *ic, tcc_node *n) {
  int64_t cnt;
  const tcc_expr *const *el;
  if (tcc_value_sym_ints(ic->ctx, n->inputs[0], &cnt, &el))
    tcc_infer_set_sym_elems(ic, n, 0, cnt, el);
}

/* An int list from an attribute (opset < `since`) or input k (opset >= since), as exprs. */
static tcc_status ints_attr_or_input(tcc_infer_ctx *ic, const tcc_node *n, const char *name, int k,
                                     int64_t since, bool *present, int *count,
                                     const tcc_expr *const **out) {
  *present = false;
  *count = 0;
  *out = NULL;
  if (n->opset < since) {
    if (tcc_op_input(n, k))
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "before opset %lld '%s' is an attribute, not input %d",
                            (long long)since, name, k);
    int c;
    const int64_t *v;
    TCC_TRY(tcc_node_attr_ints(ic->ctx, ic->graph, n, name, &c, &v));
    if (c < 0) return TCC_OK;
    const tcc_expr **e = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)(c + 1) * sizeof *e);
    for (int i = 0; i < c; i++)
      e[i] = tcc_idx(ic->ctx, v[i]);
    *present = true;
    *count = c;
    *out = e;
    return TCC_OK;
  }
  if (tcc_node_attr(n, name))
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "from opset %lld '%s' is input %d, not an attribute", (long long)since,
                          name, k);
  if (!tcc_op_input(n, k)) return TCC_OK;
  TCC_TRY(tcc_infer_check_dtype(ic, n, k, TCC_DTM_INT32_64));
  bool known;
  int64_t cnt;
  TCC_TRY(tcc_infer_sym_ints(ic, n, k, &known, &cnt, out));
  if (!known) return not_constant(ic, n, k, name);
  if (cnt > MAXR * 2)
    return tcc_node_error(ic->ctx, ic->graph, n, "input %d (%s) has too many values", k, name);
  *present = true;
  *count = (int)cnt;
  return TCC_OK;
}

/* Same, requiring constant integers. */
static tcc_status const_ints(tcc_infer_ctx *ic, const tcc_node *n, int count,
                             const tcc_expr *const *e, const char *what, int64_t *out) {
  for (int i = 0; i < count; i++)
    if (!tcc_expr_is_int_imm(e[i], &out[i]))
      return tcc_node_error(ic->ctx, ic->graph, n, "%s[%d] = %s is not a constant", what, i,
                            tcc_expr_str(ic->ctx, e[i]));
  return TCC_OK;
}

/* ---- Reshape ---- */

/* Reshape (opset 1-4: `shape` attribute; 5+: int64 input 1; 14+: allowzero). 0 copies the input
 * dim at that position (unless allowzero=1), -1 is inferred as numel / product of the others. */
static tcc_status infer_reshape(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  if (n->opset >= 5) TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_INT64)));
  bool present;
  int cnt;
  const tcc_expr *const *sh;
  TCC_TRY(ints_attr_or_input(ic, n, "shape", 1, 5, &present, &cnt, &sh));
  if (!present) return tcc_node_error(ctx, ic->graph, n, "the target shape is missing");
  TCC_TRY(check_rank(ic, n, cnt));
  int64_t allowzero = 0;
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "allowzero", 0, &allowzero));
  const tcc_expr *d[MAXR];
  int infer_at = -1;
  for (int i = 0; i < cnt; i++) {
    int64_t v;
    if (!tcc_expr_is_int_imm(sh[i], &v)) {
      d[i] = sh[i];
      continue;
    }
    if (v == 0 && !allowzero) {
      if (i >= x->ndim)
        return tcc_node_error(ctx, ic->graph, n,
                              "shape[%d] = 0 copies input dim %d, but the input %s has rank %d", i,
                              i, tcc_value_shape_str(ctx, x), x->ndim);
      d[i] = x->dims[i];
    } else if (v == -1) {
      if (infer_at >= 0)
        return tcc_node_error(ctx, ic->graph, n, "shape has more than one -1 (at %d and %d)",
                              infer_at, i);
      infer_at = i;
      d[i] = NULL;
    } else if (v < 0) {
      return tcc_node_error(ctx, ic->graph, n, "shape[%d] = %lld is invalid (dims are >= -1)", i,
                            (long long)v);
    } else {
      d[i] = sh[i];
    }
  }
  if (allowzero && infer_at >= 0)
    for (int i = 0; i < cnt; i++)
      if (d[i] && tcc_expr_is_int_imm(d[i], NULL) && d[i]->u.ival == 0)
        return tcc_node_error(ctx, ic->graph, n, "shape holds both 0 and -1 with allowzero=1");
  const tcc_expr *total = tcc_shape_prod(ctx, x->ndim, x->dims);
  const tcc_expr *rest = tcc_idx(ctx, 1);
  for (int i = 0; i < cnt; i++)
    if (i != infer_at) rest = tcc_shape_mul(ctx, rest, d[i]);
  int64_t tv = 0, rv = 0;
  bool tc = tcc_expr_is_int_imm(total, &tv), rc = tcc_expr_is_int_imm(rest, &rv);
  if (infer_at >= 0) {
    const tcc_expr *q;
    if (rc && rv == 0) {
      if (tc && tv != 0)
        return tcc_node_error(ctx, ic->graph, n, "cannot infer -1: the other dims multiply to 0");
      q = tcc_idx(ctx, 0);
    } else if (!tcc_shape_div_exact(ctx, total, rest, &q) && tc && rc) {
      return tcc_node_error(ctx, ic->graph, n,
                            "cannot reshape %s (%lld elements) to %s: %lld is not a multiple of "
                            "%lld",
                            tcc_value_shape_str(ctx, x), (long long)tv, tcc_shape_str(ctx, cnt, sh),
                            (long long)tv, (long long)rv);
    }
    d[infer_at] = q;
  } else if (tc && rc && tv != rv) {
    return tcc_node_error(
        ctx, ic->graph, n, "cannot reshape %s (%lld elements) to %s (%lld elements)",
        tcc_value_shape_str(ctx, x), (long long)tv, tcc_shape_str(ctx, cnt, d), (long long)rv);
  }
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, cnt, d));
  pass_sym_elems(ic, n);
  return TCC_OK;
}

/* Flatten: axis in [-r, r] (default 1) -> [prod(d[0:axis]), prod(d[axis:])]. */
static tcc_status infer_flatten(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  int64_t axis = 1;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "axis", 1, &axis));
  int r = x->ndim;
  if (axis < -r || axis > r)
    return tcc_node_error(ic->ctx, ic->graph, n, "axis %lld is out of range [%d, %d]",
                          (long long)axis, -r, r);
  if (axis < 0) axis += r;
  const tcc_expr *d[2] = {tcc_shape_prod(ic->ctx, (int)axis, x->dims),
                          tcc_shape_prod(ic->ctx, r - (int)axis, x->dims + axis)};
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, 2, d));
  pass_sym_elems(ic, n);
  return TCC_OK;
}

/* Squeeze: axes attribute (< 13) or optional input (13+); no axes removes every constant-1 dim. */
static tcc_status infer_squeeze(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  bool present;
  int cnt;
  const tcc_expr *const *ae;
  TCC_TRY(ints_attr_or_input(ic, n, "axes", 1, 13, &present, &cnt, &ae));
  int r = x->ndim;
  TCC_TRY(check_rank(ic, n, r));
  bool drop[MAXR] = {0};
  if (present && cnt > 0) {
    int64_t axes[MAXR * 2];
    int ax[MAXR * 2];
    if (cnt > r) return tcc_node_error(ic->ctx, ic->graph, n, "more axes than dims");
    TCC_TRY(const_ints(ic, n, cnt, ae, "axes", axes));
    TCC_TRY(tcc_infer_axes(ic, n, "axes", cnt, axes, r, ax));
    for (int i = 0; i < cnt; i++) {
      int64_t dv;
      if (tcc_expr_is_int_imm(x->dims[ax[i]], &dv) && dv != 1)
        return tcc_node_error(ic->ctx, ic->graph, n,
                              "cannot squeeze axis %d of shape %s: its size is %lld, not 1", ax[i],
                              tcc_value_shape_str(ic->ctx, x), (long long)dv);
      drop[ax[i]] = true;
    }
  } else {
    for (int i = 0; i < r; i++) {
      int64_t dv;
      drop[i] = tcc_expr_is_int_imm(x->dims[i], &dv) && dv == 1;
    }
  }
  const tcc_expr *d[MAXR];
  int nd = 0;
  for (int i = 0; i < r; i++)
    if (!drop[i]) d[nd++] = x->dims[i];
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, nd, d));
  pass_sym_elems(ic, n);
  return TCC_OK;
}

/* Unsqueeze: axes attribute (< 13) or required input (13+), normalized against the output rank. */
static tcc_status infer_unsqueeze(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  bool present;
  int cnt;
  const tcc_expr *const *ae;
  TCC_TRY(ints_attr_or_input(ic, n, "axes", 1, 13, &present, &cnt, &ae));
  if (!present) return tcc_node_error(ic->ctx, ic->graph, n, "'axes' is required");
  int r = x->ndim + cnt;
  TCC_TRY(check_rank(ic, n, r));
  int64_t axes[MAXR];
  int ax[MAXR];
  TCC_TRY(const_ints(ic, n, cnt, ae, "axes", axes));
  TCC_TRY(tcc_infer_axes(ic, n, "axes", cnt, axes, r, ax));
  bool ins[MAXR] = {0};
  for (int i = 0; i < cnt; i++)
    ins[ax[i]] = true;
  const tcc_expr *d[MAXR];
  for (int i = 0, j = 0; i < r; i++)
    d[i] = ins[i] ? tcc_idx(ic->ctx, 1) : x->dims[j++];
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, r, d));
  pass_sym_elems(ic, n);
  return TCC_OK;
}

/* Transpose: perm (default: reversed axes) must be a permutation of [0, r). */
static tcc_status infer_transpose(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  int r = x->ndim, np;
  TCC_TRY(check_rank(ic, n, r));
  const int64_t *perm;
  TCC_TRY(tcc_node_attr_ints(ic->ctx, ic->graph, n, "perm", &np, &perm));
  const tcc_expr *d[MAXR];
  if (np < 0) {
    for (int i = 0; i < r; i++)
      d[i] = x->dims[r - 1 - i];
  } else {
    if (np != r)
      return tcc_node_error(ic->ctx, ic->graph, n, "perm has %d entries for a rank-%d input", np,
                            r);
    bool seen[MAXR] = {0};
    for (int i = 0; i < r; i++) {
      if (perm[i] < 0 || perm[i] >= r || seen[perm[i]])
        return tcc_node_error(ic->ctx, ic->graph, n, "perm is not a permutation of 0..%d", r - 1);
      seen[perm[i]] = true;
      d[i] = x->dims[perm[i]];
    }
  }
  return tcc_infer_set_output(ic, n, 0, x->dtype, r, d);
}

/* Concat: inputs of one dtype and rank; dims other than `axis` equal; axis dims add up. Axis is
 * required from opset 4 (default 1 before). */
static tcc_status infer_concat(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  int64_t axis = 1;
  if (n->opset >= 4 && !tcc_node_attr(n, "axis"))
    return tcc_node_error(ctx, ic->graph, n, "required attribute 'axis' is missing");
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "axis", 1, &axis));
  int r = x->ndim, a;
  TCC_TRY(check_rank(ic, n, r));
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, r, &a));
  const tcc_expr *d[MAXR];
  for (int i = 0; i < r; i++)
    d[i] = x->dims[i];
  for (int k = 1; k < n->ninputs; k++) {
    const tcc_value *y;
    TCC_TRY(tcc_infer_input(ic, n, k, &y));
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
    if (y->ndim != r)
      return tcc_node_error(ctx, ic->graph, n, "input %d has rank %d; input 0 has rank %d", k,
                            y->ndim, r);
    for (int i = 0; i < r; i++) {
      if (i == a) {
        d[i] = tcc_shape_add(ctx, d[i], y->dims[i]);
        continue;
      }
      int64_t p, q;
      if (tcc_expr_is_int_imm(d[i], &p) && tcc_expr_is_int_imm(y->dims[i], &q) && p != q)
        return tcc_node_error(ctx, ic->graph, n,
                              "input %d's shape %s differs from %s outside axis %d (dim %d)", k,
                              tcc_value_shape_str(ctx, y), tcc_value_shape_str(ctx, x), a, i);
      if (!tcc_expr_is_int_imm(d[i], NULL)) continue;
      if (!tcc_expr_is_int_imm(y->dims[i], NULL)) d[i] = y->dims[i];
    }
  }
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, r, d));
  /* Shape values: concatenated 1-D symbolic elements. */
  if (r == 1 && (x->dtype == TCCRT_INT64 || x->dtype == TCCRT_INT32)) {
    const tcc_expr *el[TCC_SYM_ELEMS_MAX];
    int64_t total = 0;
    for (int k = 0; k < n->ninputs; k++) {
      int64_t c;
      const tcc_expr *const *e;
      if (!tcc_value_sym_ints(ctx, n->inputs[k], &c, &e) || total + c > TCC_SYM_ELEMS_MAX)
        return TCC_OK;
      for (int64_t i = 0; i < c; i++)
        el[total++] = e[i];
    }
    tcc_infer_set_sym_elems(ic, n, 0, total, el);
  }
  return TCC_OK;
}

/* Split: axis (default 0); split sizes as attribute (< 13) or input (13+); else equal parts, the
 * last one smaller when num_outputs (18+) does not divide the axis. */
static tcc_status infer_split(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  int64_t axis = 0, num = -1;
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "axis", 0, &axis));
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "num_outputs", -1, &num));
  int r = x->ndim, a;
  TCC_TRY(check_rank(ic, n, r));
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, r, &a));
  bool present;
  int cnt;
  const tcc_expr *const *sp;
  /* Opset 1 also allowed split as input 1. */
  if (n->opset < 2 && tcc_op_input(n, 1)) {
    bool known;
    int64_t c;
    TCC_TRY(tcc_infer_sym_ints(ic, n, 1, &known, &c, &sp));
    if (!known) return not_constant(ic, n, 1, "split");
    present = true;
    cnt = (int)c;
  } else {
    TCC_TRY(ints_attr_or_input(ic, n, "split", 1, 13, &present, &cnt, &sp));
  }
  int nout = n->noutputs;
  const tcc_expr *dim = x->dims[a];
  const tcc_expr *d[MAXR];
  for (int i = 0; i < r; i++)
    d[i] = x->dims[i];
  if (present && cnt > 0) {
    if (cnt != nout)
      return tcc_node_error(ctx, ic->graph, n, "split has %d sizes for %d outputs", cnt, nout);
    const tcc_expr *sum = tcc_idx(ctx, 0);
    for (int k = 0; k < cnt; k++)
      sum = tcc_shape_add(ctx, sum, sp[k]);
    int64_t sv, dv;
    if (tcc_expr_is_int_imm(sum, &sv) && tcc_expr_is_int_imm(dim, &dv) && sv != dv)
      return tcc_node_error(ctx, ic->graph, n, "split sizes add up to %lld; axis %d has %lld",
                            (long long)sv, a, (long long)dv);
    for (int k = 0; k < nout; k++) {
      d[a] = sp[k];
      TCC_TRY(tcc_infer_set_output(ic, n, k, x->dtype, r, d));
    }
    return TCC_OK;
  }
  if (num >= 0 && num != nout)
    return tcc_node_error(ctx, ic->graph, n, "num_outputs = %lld but the node has %d outputs",
                          (long long)num, nout);
  if (n->opset >= 18 && num < 0 && !present)
    return tcc_node_error(ctx, ic->graph, n, "either input 'split' or 'num_outputs' is required");
  int64_t dv;
  const tcc_expr *part;
  if (tcc_expr_is_int_imm(dim, &dv)) {
    int64_t chunk = (dv + nout - 1) / nout;
    if (n->opset < 18 && dv % nout)
      return tcc_node_error(ctx, ic->graph, n,
                            "axis %d of size %lld does not split into %d equal parts", a,
                            (long long)dv, nout);
    for (int k = 0; k < nout; k++) {
      int64_t sz = k < nout - 1 ? chunk : dv - chunk * (nout - 1);
      if (sz < 0) sz = 0;
      d[a] = tcc_idx(ctx, sz);
      TCC_TRY(tcc_infer_set_output(ic, n, k, x->dtype, r, d));
    }
    return TCC_OK;
  }
  if (!tcc_shape_div_exact(ctx, dim, tcc_idx(ctx, nout), &part))
    return tcc_node_error(ctx, ic->graph, n,
                          "symbolic axis size %s does not provably split into %d equal parts",
                          tcc_expr_str(ctx, dim), nout);
  d[a] = part;
  for (int k = 0; k < nout; k++)
    TCC_TRY(tcc_infer_set_output(ic, n, k, x->dtype, r, d));
  return TCC_OK;
}

/* ---- Slice ---- */

/* A slice bound as has_dim * dim + c (has_dim 0 or 1). */
typedef struct bound {
  int has_dim;
  int64_t c;
} bound;

/* Length of x[start:end:step] along a dim of symbolic size `dim` (int64 expr). Constant dims use
 * the spec's clamping; symbolic dims assume the constant offsets lie inside the dim. */
static tcc_status slice_len(tcc_infer_ctx *ic, const tcc_node *n, const tcc_expr *dim,
                            const tcc_expr *se, const tcc_expr *ee, int64_t step,
                            const tcc_expr **len, int64_t *start_out) {
  tcc_context *ctx = ic->ctx;
  int64_t dv = 0, s = 0, e = 0;
  bool sc = tcc_expr_is_int_imm(se, &s), ec = tcc_expr_is_int_imm(ee, &e);
  *start_out = -1;
  if (tcc_expr_is_int_imm(dim, &dv) && sc && ec) {
    if (s < 0) s += dv;
    if (e < 0 && e > INT64_MIN + dv)
      e += dv;
    else if (e < 0)
      e = -1;
    if (step > 0) {
      s = s < 0 ? 0 : (s > dv ? dv : s);
      e = e < 0 ? 0 : (e > dv ? dv : e);
    } else {
      s = s < 0 ? 0 : (s > dv - 1 ? dv - 1 : s);
      e = e < -1 ? -1 : (e > dv - 1 ? dv - 1 : e);
    }
    /* ceil(diff / |step|) without overflow: diff is within [-dim, dim] after clamping, and
     * |step| may be 2^63 (step INT64_MIN), so it is taken as unsigned */
    int64_t diff = step > 0 ? e - s : s - e;
    uint64_t as = step > 0 ? (uint64_t)step : (uint64_t)0 - (uint64_t)step;
    int64_t l = diff <= 0 ? 0 : (int64_t)(((uint64_t)diff - 1) / as + 1);
    *len = tcc_idx(ctx, l);
    *start_out = s;
    return TCC_OK;
  }
  /* Symbolic dim or bounds. */
  bound bs, be;
  const int64_t big = 2147483647; /* INT_MAX-like ends mean "to the end" */
  if (sc) {
    bs.has_dim = s < 0;
    bs.c = s;
  } else if (se == dim) {
    bs.has_dim = 1;
    bs.c = 0;
  } else {
    return tcc_node_error(ctx, ic->graph, n, "slice start %s is not constant",
                          tcc_expr_str(ctx, se));
  }
  if (ec) {
    if (step > 0 && e >= big) {
      be.has_dim = 1;
      be.c = 0;
    } else if (step < 0 && e <= -big) {
      be.has_dim = 0;
      be.c = -1;
    } else {
      be.has_dim = e < 0;
      be.c = e;
    }
  } else if (ee == dim) {
    be.has_dim = 1;
    be.c = 0;
  } else {
    return tcc_node_error(ctx, ic->graph, n, "slice end %s is not constant", tcc_expr_str(ctx, ee));
  }
  if (step < 0 && sc && s >= big) { /* start past the end: clamps to dim - 1 */
    bs.has_dim = 1;
    bs.c = -1;
  }
  /* diff = (end - start) for step > 0, (start - end) for step < 0 */
  bound hi = step > 0 ? be : bs, lo = step > 0 ? bs : be;
  int hd = hi.has_dim - lo.has_dim;
  int64_t c;
  if (__builtin_sub_overflow(hi.c, lo.c, &c) || step == INT64_MIN)
    return tcc_node_error(ctx, ic->graph, n,
                          "slice of symbolic dim %s: start %s, end %s and step %lld overflow "
                          "int64",
                          tcc_expr_str(ctx, dim), tcc_expr_str(ctx, se), tcc_expr_str(ctx, ee),
                          (long long)step);
  int64_t as = step > 0 ? step : -step;
  const tcc_expr *diff;
  if (hd == 0) {
    diff = tcc_idx(ctx, c < 0 ? 0 : c);
  } else if (hd == 1) {
    diff = c >= 0 ? tcc_shape_add(ctx, dim, tcc_idx(ctx, c))
                  : tcc_shape_sub(ctx, dim, tcc_idx(ctx, -c));
  } else {
    return tcc_node_error(ctx, ic->graph, n,
                          "cannot infer the slice length of symbolic dim %s (start %s, end %s)",
                          tcc_expr_str(ctx, dim), tcc_expr_str(ctx, se), tcc_expr_str(ctx, ee));
  }
  if (as != 1) {
    /* ceil(diff / as) = floor((diff - 1) / as) + 1, which cannot overflow for a large step */
    if (tcc_expr_is_int_imm(diff, &c))
      diff = tcc_idx(ctx, c <= 0 ? 0 : (c - 1) / as + 1);
    else
      diff = tcc_shape_add(
          ctx, tcc_floordiv(ctx, tcc_shape_sub(ctx, diff, tcc_idx(ctx, 1)), tcc_idx(ctx, as)),
          tcc_idx(ctx, 1));
  }
  *len = diff;
  return TCC_OK;
}

/* Slice: opset 1-9 attributes starts/ends/axes; 10+ inputs starts, ends, axes?, steps?. */
static tcc_status infer_slice(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  int r = x->ndim;
  TCC_TRY(check_rank(ic, n, r));
  bool p;
  int ns, ne, na, nst;
  const tcc_expr *const *se, *const *ee, *const *ae, *const *ste;
  TCC_TRY(ints_attr_or_input(ic, n, "starts", 1, 10, &p, &ns, &se));
  if (!p) return tcc_node_error(ctx, ic->graph, n, "'starts' is required");
  TCC_TRY(ints_attr_or_input(ic, n, "ends", 2, 10, &p, &ne, &ee));
  if (!p) return tcc_node_error(ctx, ic->graph, n, "'ends' is required");
  TCC_TRY(ints_attr_or_input(ic, n, "axes", 3, 10, &p, &na, &ae));
  if (!p) na = -1;
  nst = -1;
  ste = NULL;
  if (n->opset >= 10) {
    TCC_TRY(ints_attr_or_input(ic, n, "steps", 4, 10, &p, &nst, &ste));
    if (!p) nst = -1;
  }
  if (ns != ne || (na >= 0 && na != ns) || (nst >= 0 && nst != ns))
    return tcc_node_error(ctx, ic->graph, n,
                          "starts, ends, axes and steps must have the same length (%d, %d, %d, %d)",
                          ns, ne, na, nst);
  if (ns > r) return tcc_node_error(ctx, ic->graph, n, "%d slices for a rank-%d input", ns, r);
  int64_t axes[MAXR], steps[MAXR];
  int ax[MAXR];
  if (na >= 0)
    TCC_TRY(const_ints(ic, n, na, ae, "axes", axes));
  else
    for (int i = 0; i < ns; i++)
      axes[i] = i;
  TCC_TRY(tcc_infer_axes(ic, n, "axes", ns, axes, r, ax));
  if (nst >= 0)
    TCC_TRY(const_ints(ic, n, nst, ste, "steps", steps));
  else
    for (int i = 0; i < ns; i++)
      steps[i] = 1;
  const tcc_expr *d[MAXR];
  for (int i = 0; i < r; i++)
    d[i] = x->dims[i];
  int64_t start0 = -1, step0 = 1;
  for (int i = 0; i < ns; i++) {
    if (steps[i] == 0) return tcc_node_error(ctx, ic->graph, n, "steps[%d] is 0", i);
    int64_t st;
    TCC_TRY(slice_len(ic, n, x->dims[ax[i]], se[i], ee[i], steps[i], &d[ax[i]], &st));
    if (ax[i] == 0) {
      start0 = st;
      step0 = steps[i];
    }
  }
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, r, d));
  /* Shape values: a 1-D slice of symbolic elements. */
  int64_t cnt, len;
  const tcc_expr *const *el;
  if (r == 1 && tcc_value_sym_ints(ctx, x, &cnt, &el) && tcc_expr_is_int_imm(d[0], &len)) {
    if (ns == 0) {
      tcc_infer_set_sym_elems(ic, n, 0, cnt, el);
    } else if (start0 >= 0 && len <= TCC_SYM_ELEMS_MAX) {
      const tcc_expr *o[TCC_SYM_ELEMS_MAX];
      for (int64_t i = 0; i < len; i++) {
        int64_t j = start0 + i * step0;
        if (j < 0 || j >= cnt) return TCC_OK;
        o[i] = el[j];
      }
      tcc_infer_set_sym_elems(ic, n, 0, len, o);
    }
  }
  return TCC_OK;
}

/* ---- Gather family ---- */

/* Constant indices (input 1) must lie in [-dim, dim - 1] (ONNX: "It is an error if any of the
 * index values are out of bounds"); checked when both the indices and dim are known. */
static tcc_status check_const_indices(tcc_infer_ctx *ic, const tcc_node *n, const tcc_expr *dim,
                                      const char *what) {
  int64_t dv, ni;
  const int64_t *iv;
  bool known;
  if (!tcc_expr_is_int_imm(dim, &dv)) return TCC_OK;
  TCC_TRY(tcc_infer_const_ints(ic, n, 1, &known, &ni, &iv));
  if (!known) return TCC_OK;
  for (int64_t i = 0; i < ni; i++)
    if (iv[i] < -dv || iv[i] >= dv)
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "index %lld (element %lld of the indices) is out of range for %s dim "
                            "%lld: expected -%lld..%lld",
                            (long long)iv[i], (long long)i, what, (long long)dv, (long long)dv,
                            (long long)(dv - 1));
  return TCC_OK;
}

/* "node 'NAME' (OP)", naming the node in run-time index errors (its first output when the node
 * has no name). */
static const char *check_where(const tcc_compute_ctx *cc) {
  const tcc_node *n = cc->node;
  const char *name = n->name && n->name[0]              ? n->name
                     : n->noutputs > 0 && n->outputs[0] ? n->outputs[0]->name
                                                        : "?";
  return tcc_arena_printf(tcc_ctx_arena(cc->ctx), "node '%s' (%s)", name, n->op_type);
}

/* Does the indices tensor `ind` hold constant values (a weight) that all lie in [-dim, dim - 1]?
 * Only the elements of component `comp` of `ncomp` along the last dim count (GatherND, ScatterND;
 * ncomp 0: all). False when unknown. */
static bool const_indices_in_range(const tcc_tensor *ind, int64_t comp, int64_t ncomp,
                                   const tcc_expr *dim) {
  int64_t d, n = 1, e;
  if (ind->kind != TCC_TENSOR_PLACEHOLDER || !ind->const_data || !tcc_expr_is_int_imm(dim, &d) ||
      (ind->dtype != TCCRT_INT32 && ind->dtype != TCCRT_INT64))
    return false;
  for (int i = 0; i < ind->ndim; i++)
    if (!tcc_expr_is_int_imm(ind->shape[i], &e) || !tcc_mul_ovf(n, e, &n)) return false;
  for (int64_t k = ncomp > 0 ? comp : 0; k < n; k += ncomp > 0 ? ncomp : 1) {
    int64_t v = ind->dtype == TCCRT_INT32 ? ((const int32_t *)ind->const_data)[k]
                                          : ((const int64_t *)ind->const_data)[k];
    if (v < -d || v >= d) return false;
  }
  return true;
}

/* An index read at run time (int64) from `ind`: checked to lie in [-dim, dim - 1] (ONNX: "It is
 * an error if any of the index values are out of bounds"; tcc_check_range makes the kernel fail
 * with "node 'g0' (Gather): index 7 is out of range [-5, 4]"). Constant indices known to be in
 * range need no check. */
static const tcc_expr *checked_index(const tcc_compute_ctx *cc, const tcc_tensor *ind, int64_t comp,
                                     int64_t ncomp, const tcc_expr *iv, const tcc_expr *dim) {
  tcc_context *ctx = cc->ctx;
  if (const_indices_in_range(ind, comp, ncomp, dim)) return iv;
  return tcc_check_range(ctx, iv, tcc_sub(ctx, tcc_idx(ctx, 0), dim), dim, check_where(cc));
}

/* An index read at run time, checked (checked_index), then made safe: negative counts from the
 * end, then clamped into [0, dim - 1], so that code evaluating it where it is not used (the arm
 * of a select not taken) never reads outside the tensor, and bounds inference sees the range. */
static const tcc_expr *safe_index(const tcc_compute_ctx *cc, const tcc_tensor *ind, int64_t comp,
                                  int64_t ncomp, const tcc_expr *iv, const tcc_expr *dim) {
  tcc_context *ctx = cc->ctx;
  iv = checked_index(cc, ind, comp, ncomp, iv, dim);
  iv = tcc_select(ctx, tcc_lt(ctx, iv, tcc_idx(ctx, 0)), tcc_add(ctx, iv, dim), iv);
  const tcc_expr *hi = tcc_max(ctx, tcc_sub(ctx, dim, tcc_idx(ctx, 1)), tcc_idx(ctx, 0));
  return tcc_min(ctx, tcc_max(ctx, iv, tcc_idx(ctx, 0)), hi);
}

/* Gather: out = data.shape[:axis] + indices.shape + data.shape[axis+1:]. */
static tcc_status infer_gather(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x, *ind;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &ind));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_INT32_64));
  int64_t axis = 0;
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "axis", 0, &axis));
  int a;
  if (x->ndim < 1) return tcc_node_error(ctx, ic->graph, n, "data must have rank >= 1");
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, x->ndim, &a));
  int r = x->ndim - 1 + ind->ndim;
  TCC_TRY(check_rank(ic, n, r));
  const tcc_expr *d[MAXR];
  int k = 0;
  for (int i = 0; i < a; i++)
    d[k++] = x->dims[i];
  for (int i = 0; i < ind->ndim; i++)
    d[k++] = ind->dims[i];
  for (int i = a + 1; i < x->ndim; i++)
    d[k++] = x->dims[i];
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, r, d));
  TCC_TRY(check_const_indices(ic, n, x->dims[a], "axis"));
  /* Shape values: picking elements of a 1-D symbolic tensor with constant indices. */
  int64_t cnt, ni;
  const tcc_expr *const *el;
  const int64_t *iv;
  bool known;
  if (x->ndim == 1 && tcc_value_sym_ints(ctx, x, &cnt, &el)) {
    TCC_TRY(tcc_infer_const_ints(ic, n, 1, &known, &ni, &iv));
    if (!known || ni > TCC_SYM_ELEMS_MAX) return TCC_OK;
    const tcc_expr *o[TCC_SYM_ELEMS_MAX];
    for (int64_t i = 0; i < ni; i++) {
      int64_t j = iv[i] < 0 ? iv[i] + cnt : iv[i];
      if (j < 0 || j >= cnt)
        return tcc_node_error(ctx, ic->graph, n, "index %lld is out of range for %lld elements",
                              (long long)iv[i], (long long)cnt);
      o[i] = el[j];
    }
    tcc_infer_set_sym_elems(ic, n, 0, ni, o);
  }
  return TCC_OK;
}

/* GatherElements: output has indices' shape, data's dtype; same rank. */
static tcc_status infer_gather_elements(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x, *ind;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &ind));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_INT32_64));
  int64_t axis = 0;
  int a;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "axis", 0, &axis));
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, x->ndim, &a));
  if (ind->ndim != x->ndim)
    return tcc_node_error(ic->ctx, ic->graph, n, "indices rank %d differs from data rank %d",
                          ind->ndim, x->ndim);
  TCC_TRY(tcc_infer_set_output(ic, n, 0, x->dtype, ind->ndim, ind->dims));
  return check_const_indices(ic, n, x->dims[a], "axis");
}

/* GatherND (opset 11; batch_dims 12+): out = indices.shape[:-1] + data.shape[b + m:], m =
 * indices.shape[-1] (must be constant). */
static tcc_status infer_gather_nd(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x, *ind;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &ind));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_INT64)));
  int64_t b = 0, m;
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "batch_dims", 0, &b));
  if (ind->ndim < 1 || !tcc_expr_is_int_imm(ind->dims[ind->ndim - 1], &m))
    return tcc_node_error(ctx, ic->graph, n, "indices' last dim must be a known constant");
  if (b < 0 || b >= ind->ndim || b >= x->ndim || b + m > x->ndim || m < 1)
    return tcc_node_error(ctx, ic->graph, n,
                          "batch_dims %lld and indices depth %lld do not fit data of rank %d",
                          (long long)b, (long long)m, x->ndim);
  int r = ind->ndim - 1 + x->ndim - (int)(b + m);
  TCC_TRY(check_rank(ic, n, r));
  const tcc_expr *d[MAXR];
  int k = 0;
  for (int i = 0; i < ind->ndim - 1; i++)
    d[k++] = ind->dims[i];
  for (int i = (int)(b + m); i < x->ndim; i++)
    d[k++] = x->dims[i];
  return tcc_infer_set_output(ic, n, 0, x->dtype, r, d);
}

/* Scatter / ScatterElements / ScatterND: output like data; updates share data's dtype. */
static tcc_status infer_scatter(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x, *ind, *upd;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &ind));
  TCC_TRY(tcc_infer_input(ic, n, 2, &upd));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_INT32_64));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  tcc_context *ctx = ic->ctx;
  bool same = true;
  if (strcmp(n->op->name, "ScatterND")) {
    int64_t axis = 0;
    int a;
    TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "axis", 0, &axis));
    TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, x->ndim, &a));
    /* indices and updates: one shape, of data's rank */
    same = ind->ndim == x->ndim && upd->ndim == x->ndim;
    for (int i = 0; same && i < x->ndim; i++) {
      int64_t p, q;
      if (tcc_expr_is_int_imm(ind->dims[i], &p) && tcc_expr_is_int_imm(upd->dims[i], &q))
        same = p == q;
    }
    if (!same)
      return tcc_node_error(ctx, ic->graph, n,
                            "indices %s and updates %s must have one shape of data's rank %d",
                            tcc_value_shape_str(ctx, ind), tcc_value_shape_str(ctx, upd), x->ndim);
  } else {
    /* updates = indices.shape[:-1] + data.shape[k:], k = indices.shape[-1] */
    int64_t k = -1;
    same = ind->ndim >= 1 && tcc_expr_is_int_imm(ind->dims[ind->ndim - 1], &k) && k >= 0 &&
           k <= x->ndim && upd->ndim == ind->ndim - 1 + x->ndim - (int)k;
    for (int i = 0; same && i < upd->ndim; i++) {
      const tcc_expr *want = i < ind->ndim - 1 ? ind->dims[i] : x->dims[k + i - (ind->ndim - 1)];
      int64_t p, q;
      if (tcc_expr_is_int_imm(want, &p) && tcc_expr_is_int_imm(upd->dims[i], &q)) same = p == q;
    }
    if (!same)
      return tcc_node_error(ctx, ic->graph, n,
                            "updates %s do not match indices %s and data %s (updates = "
                            "indices.shape[:-1] + data.shape[k:])",
                            tcc_value_shape_str(ctx, upd), tcc_value_shape_str(ctx, ind),
                            tcc_value_shape_str(ctx, x));
  }
  return tcc_infer_output_like(ic, n, 0, x);
}

/* Expand (opset 8): output = broadcast(input shape, shape input values). */
static tcc_status infer_expand(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_INT64)));
  bool known;
  int64_t cnt;
  const tcc_expr *const *sh;
  TCC_TRY(tcc_infer_sym_ints(ic, n, 1, &known, &cnt, &sh));
  if (!known) return not_constant(ic, n, 1, "shape");
  TCC_TRY(check_rank(ic, n, (int)cnt));
  int nd;
  const tcc_expr *const *d;
  TCC_TRY(tcc_infer_broadcast(ic, n, x->ndim, x->dims, (int)cnt, sh, &nd, &d));
  return tcc_infer_set_output(ic, n, 0, x->dtype, nd, d);
}

/* Output dim `d` of node n as the product a * b of two dims (int64 exprs): when both are constant
 * the product is checked, and one that overflows int64 is the error set_output gives for an
 * element count that overflows (the product itself would wrap to a made-up extent). */
static tcc_status checked_dim_mul(tcc_infer_ctx *ic, const tcc_node *n, int d, const tcc_expr *a,
                                  const tcc_expr *b, const tcc_expr **out) {
  int64_t x, y, p;
  if (tcc_expr_is_int_imm(a, &x) && tcc_expr_is_int_imm(b, &y) && !tcc_mul_ovf(x, y, &p))
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "output 0 would have dim %d = %lld * %lld: its element count overflows "
                          "int64",
                          d, (long long)x, (long long)y);
  *out = tcc_shape_mul(ic->ctx, a, b);
  return TCC_OK;
}

/* Tile (opset 6+: repeats input of length rank): out[i] = d[i] * repeats[i]. */
static tcc_status infer_tile(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_INT64)));
  bool known;
  int64_t cnt;
  const tcc_expr *const *rep;
  TCC_TRY(tcc_infer_sym_ints(ic, n, 1, &known, &cnt, &rep));
  if (!known) return not_constant(ic, n, 1, "repeats");
  if (cnt != x->ndim)
    return tcc_node_error(ic->ctx, ic->graph, n, "repeats has %lld values for a rank-%d input",
                          (long long)cnt, x->ndim);
  const tcc_expr *d[MAXR];
  TCC_TRY(check_rank(ic, n, x->ndim));
  for (int i = 0; i < x->ndim; i++) {
    int64_t v;
    if (tcc_expr_is_int_imm(rep[i], &v) && v < 0)
      return tcc_node_error(ic->ctx, ic->graph, n, "repeats[%d] = %lld is negative", i,
                            (long long)v);
    TCC_TRY(checked_dim_mul(ic, n, i, x->dims[i], rep[i], &d[i]));
  }
  return tcc_infer_set_output(ic, n, 0, x->dtype, x->ndim, d);
}

/* Pad: opset 1 `paddings`, 2-10 `pads` attribute; 11+ pads input (+ constant_value, 18+ axes).
 * out[i] = d[i] + begin[i] + end[i] (negative pads crop). */
static tcc_status infer_pad(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  int r = x->ndim;
  TCC_TRY(check_rank(ic, n, r));
  const char *mode = "constant";
  TCC_TRY(tcc_node_attr_string(ctx, ic->graph, n, "mode", "constant", &mode));
  if (strcmp(mode, "constant") && strcmp(mode, "reflect") && strcmp(mode, "edge") &&
      strcmp(mode, "wrap"))
    return tcc_node_error(ctx, ic->graph, n, "unknown mode '%s'", mode);
  bool p;
  int np;
  const tcc_expr *const *pe;
  TCC_TRY(ints_attr_or_input(ic, n, n->opset < 2 ? "paddings" : "pads", 1, 11, &p, &np, &pe));
  if (!p) return tcc_node_error(ctx, ic->graph, n, "'pads' is required");
  if (n->opset >= 11 && tcc_op_input(n, 2)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  int64_t axes[MAXR];
  int ax[MAXR], na = r;
  for (int i = 0; i < r; i++)
    axes[i] = i;
  if (n->opset >= 18 && tcc_op_input(n, 3)) {
    bool known;
    int64_t c;
    const int64_t *av;
    TCC_TRY(tcc_infer_const_ints(ic, n, 3, &known, &c, &av));
    if (!known) return not_constant(ic, n, 3, "axes");
    if (c > r) return tcc_node_error(ctx, ic->graph, n, "more axes than dims");
    na = (int)c;
    for (int i = 0; i < na; i++)
      axes[i] = av[i];
  }
  TCC_TRY(tcc_infer_axes(ic, n, "axes", na, axes, r, ax));
  if (np != 2 * na)
    return tcc_node_error(ctx, ic->graph, n, "pads has %d values; expected %d (2 per axis)", np,
                          2 * na);
  const tcc_expr *d[MAXR];
  for (int i = 0; i < r; i++)
    d[i] = x->dims[i];
  for (int i = 0; i < na; i++) {
    int64_t dc, b0, e0, c;
    if (tcc_expr_is_int_imm(d[ax[i]], &dc) && tcc_expr_is_int_imm(pe[i], &b0) &&
        tcc_expr_is_int_imm(pe[i + na], &e0) &&
        (!tcc_add_ovf(dc, b0, &c) || !tcc_add_ovf(c, e0, &c)))
      return tcc_node_error(ctx, ic->graph, n,
                            "axis %d: extent %lld with pads %lld/%lld overflows int64", ax[i],
                            (long long)dc, (long long)b0, (long long)e0);
    const tcc_expr *v = tcc_shape_add(ctx, d[ax[i]], pe[i]);
    v = tcc_shape_add(ctx, v, pe[i + na]);
    if (tcc_expr_is_int_imm(v, &c) && c < 0)
      return tcc_node_error(ctx, ic->graph, n, "pads crop axis %d below zero", ax[i]);
    d[ax[i]] = v;
  }
  return tcc_infer_set_output(ic, n, 0, x->dtype, r, d);
}

/* DepthToSpace / SpaceToDepth on NCHW with `blocksize` b. */
static tcc_status infer_d2s(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  if (x->ndim != 4)
    return tcc_node_error(ctx, ic->graph, n, "input must be 4-D (NCHW); it has shape %s",
                          tcc_value_shape_str(ctx, x));
  int64_t b = 0;
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "blocksize", 0, &b));
  int64_t bsq;
  if (b <= 0) return tcc_node_error(ctx, ic->graph, n, "blocksize must be positive");
  if (!tcc_mul_ovf(b, b, &bsq))
    return tcc_node_error(ctx, ic->graph, n, "blocksize %lld: blocksize^2 overflows int64",
                          (long long)b);
  const char *mode = "DCR";
  TCC_TRY(tcc_node_attr_string(ctx, ic->graph, n, "mode", "DCR", &mode));
  if (strcmp(mode, "DCR") && strcmp(mode, "CRD"))
    return tcc_node_error(ctx, ic->graph, n, "mode must be DCR or CRD, not '%s'", mode);
  const tcc_expr *bb = tcc_idx(ctx, b), *b2 = tcc_idx(ctx, bsq), *d[4];
  d[0] = x->dims[0];
  if (!strcmp(n->op->name, "DepthToSpace")) {
    if (!tcc_shape_div_exact(ctx, x->dims[1], b2, &d[1]) && tcc_expr_is_int_imm(x->dims[1], NULL))
      return tcc_node_error(ctx, ic->graph, n, "channels %s are not divisible by blocksize^2 %lld",
                            tcc_expr_str(ctx, x->dims[1]), (long long)bsq);
    TCC_TRY(checked_dim_mul(ic, n, 2, x->dims[2], bb, &d[2]));
    TCC_TRY(checked_dim_mul(ic, n, 3, x->dims[3], bb, &d[3]));
  } else {
    TCC_TRY(checked_dim_mul(ic, n, 1, x->dims[1], b2, &d[1]));
    for (int i = 2; i < 4; i++)
      if (!tcc_shape_div_exact(ctx, x->dims[i], bb, &d[i]) && tcc_expr_is_int_imm(x->dims[i], NULL))
        return tcc_node_error(ctx, ic->graph, n, "dim %d (%s) is not divisible by blocksize %lld",
                              i, tcc_expr_str(ctx, x->dims[i]), (long long)b);
  }
  return tcc_infer_set_output(ic, n, 0, x->dtype, 4, d);
}

/* Trilu (opset 14): rank >= 2; optional scalar k; output like input. */
static tcc_status infer_trilu(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  if (x->ndim < 2)
    return tcc_node_error(ic->ctx, ic->graph, n, "input must have rank >= 2; it has %d", x->ndim);
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_INT64)));
  return tcc_infer_output_like(ic, n, 0, x);
}

/* ---- computes (TE) ---- */

static bool is_one(const tcc_expr *d) {
  int64_t v;
  return tcc_expr_is_int_imm(d, &v) && v == 1;
}

/* The input index of a row-major reshape from output index idx, matching the dims in groups of
 * equal product so that the index arithmetic stays local: equal dims map directly, size-1 dims
 * drop out, and only a group of constant dims that merges or splits (e.g. [N, 64, 7, 7] ->
 * [N, 3136]) is linearized. False when the shapes do not decompose this way. */
static bool reshape_index_grouped(tcc_context *ctx, int ro, const tcc_expr *const *od,
                                  const tcc_expr *const *idx, int rin, const tcc_expr *const *id,
                                  const tcc_expr **out) {
  int i = 0, o = 0;
  while (i < rin || o < ro) {
    if (i < rin && is_one(id[i])) {
      out[i++] = tcc_idx(ctx, 0);
      continue;
    }
    if (o < ro && is_one(od[o])) {
      o++;
      continue;
    }
    if (i >= rin || o >= ro) return false;
    if (tcc_shape_dim_eq(ctx, id[i], od[o])) {
      out[i++] = idx[o++];
      continue;
    }
    int i0 = i, o0 = o;
    int64_t pi, po, v;
    if (!tcc_expr_is_int_imm(id[i++], &pi) || !tcc_expr_is_int_imm(od[o++], &po)) return false;
    while (pi != po) {
      if (pi < po) {
        if (i >= rin || !tcc_expr_is_int_imm(id[i++], &v) || !tcc_mul_ovf(pi, v, &pi)) return false;
      } else {
        if (o >= ro || !tcc_expr_is_int_imm(od[o++], &v) || !tcc_mul_ovf(po, v, &po)) return false;
      }
    }
    const tcc_expr *flat = tcc_idx(ctx, 0);
    for (int k = o0; k < o; k++)
      flat = tcc_add(ctx, tcc_mul(ctx, flat, od[k]), idx[k]);
    for (int k = i - 1; k >= i0; k--) {
      out[k] = k == i0 ? flat : tcc_floormod(ctx, flat, id[k]);
      if (k > i0) flat = tcc_floordiv(ctx, flat, id[k]);
    }
  }
  return true;
}

/* Reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze): the output's row-major position read
 * back in the input's row-major order (grouped when possible, else fully linearized). */
static tcc_status compute_reshape(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *ri[MAXR];
  if (!reshape_index_grouped(ctx, o->ndim, o->dims, idx, x->ndim, x->shape, ri)) {
    const tcc_expr *flat = tcc_idx(ctx, 0);
    for (int i = 0; i < o->ndim; i++)
      flat = tcc_add(ctx, tcc_mul(ctx, flat, o->dims[i]), idx[i]);
    for (int i = x->ndim - 1; i >= 0; i--) {
      ri[i] = i == 0 ? flat : tcc_floormod(ctx, flat, x->shape[i]);
      if (i > 0) flat = tcc_floordiv(ctx, flat, x->shape[i]);
    }
  }
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* Transpose: out[i] = x[j] with j[perm[d]] = i[d]. */
static tcc_status compute_transpose(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  int np;
  const int64_t *perm;
  TCC_TRY(tcc_node_attr_ints(ctx, cc->graph, cc->node, "perm", &np, &perm));
  const tcc_expr *ri[MAXR];
  for (int d = 0; d < x->ndim; d++)
    ri[np < 0 ? x->ndim - 1 - d : perm[d]] = idx[d];
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* Concat: a select chain over the inputs along `axis`; each arm's index is clamped into its
 * input so that every arm is safe to evaluate. */
static tcc_status compute_concat(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_value *o = cc->node->outputs[0];
  int64_t axis = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "axis", 1, &axis));
  int a = (int)(axis < 0 ? axis + o->ndim : axis);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *offs[256], *body = NULL;
  int nin = cc->node->ninputs;
  if (nin > 256) return tcc_node_error(ctx, cc->graph, cc->node, "too many inputs");
  const tcc_expr *off = tcc_idx(ctx, 0);
  for (int k = 0; k < nin; k++) {
    const tcc_tensor *t;
    TCC_TRY(tcc_compute_input(cc, k, &t));
    offs[k] = off;
    off = tcc_add(ctx, off, t->shape[a]);
  }
  for (int k = nin - 1; k >= 0; k--) {
    const tcc_tensor *t = cc->inputs[k];
    const tcc_expr *ri[MAXR];
    for (int i = 0; i < t->ndim; i++)
      ri[i] = idx[i];
    const tcc_expr *j = tcc_sub(ctx, idx[a], offs[k]);
    const tcc_expr *hi = tcc_sub(ctx, t->shape[a], tcc_idx(ctx, 1));
    ri[a] = tcc_max(ctx, tcc_min(ctx, j, hi), tcc_idx(ctx, 0));
    const tcc_expr *r = tcc_tensor_read(ctx, t, t->ndim, ri);
    body = body ? tcc_select(ctx, tcc_lt(ctx, idx[a], tcc_add(ctx, offs[k], t->shape[a])), r, body)
                : r;
  }
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

/* Gather: out[i_pre, j..., i_post] = x[i_pre, idx[j...] (+dim if negative), i_post]. */
static tcc_status compute_gather(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x, *ind;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  TCC_TRY(tcc_compute_input(cc, 1, &ind));
  int64_t axis = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "axis", 0, &axis));
  int a = (int)(axis < 0 ? axis + x->ndim : axis);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *ii[MAXR], *ri[MAXR];
  for (int i = 0; i < ind->ndim; i++)
    ii[i] = idx[a + i];
  const tcc_expr *iv = tcc_cast(ctx, tcc_index_type(), tcc_tensor_read(ctx, ind, ind->ndim, ii));
  iv = safe_index(cc, ind, 0, 0, iv, x->shape[a]);
  for (int i = 0; i < a; i++)
    ri[i] = idx[i];
  ri[a] = iv;
  for (int i = a + 1; i < x->ndim; i++)
    ri[i] = idx[i - 1 + ind->ndim];
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* Slice: x[start + i * step] along each sliced axis (starts clamped as the spec says). */
static tcc_status compute_slice(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = {ctx, (tcc_graph *)cc->graph};
  tcc_node *n = (tcc_node *)cc->node;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  bool p;
  int ns, ne, na, nst = -1;
  const tcc_expr *const *se, *const *ee, *const *ae, *const *ste = NULL;
  TCC_TRY(ints_attr_or_input(&ic, n, "starts", 1, 10, &p, &ns, &se));
  TCC_TRY(ints_attr_or_input(&ic, n, "ends", 2, 10, &p, &ne, &ee));
  TCC_TRY(ints_attr_or_input(&ic, n, "axes", 3, 10, &p, &na, &ae));
  if (!p) na = -1;
  if (n->opset >= 10) {
    TCC_TRY(ints_attr_or_input(&ic, n, "steps", 4, 10, &p, &nst, &ste));
    if (!p) nst = -1;
  }
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *ri[MAXR];
  for (int i = 0; i < x->ndim; i++)
    ri[i] = idx[i];
  for (int i = 0; i < ns; i++) {
    int64_t axv = i, step = 1, s;
    if (na >= 0) TCC_TRY(const_ints(&ic, n, 1, &ae[i], "axes", &axv));
    if (nst >= 0) TCC_TRY(const_ints(&ic, n, 1, &ste[i], "steps", &step));
    int ax = (int)(axv < 0 ? axv + x->ndim : axv);
    const tcc_expr *len;
    int64_t st;
    TCC_TRY(slice_len(&ic, n, x->shape[ax], se[i], ee[i], step, &len, &st));
    const tcc_expr *start;
    if (st >= 0) {
      start = tcc_idx(ctx, st);
    } else if (tcc_expr_is_int_imm(se[i], &s)) {
      start = s < 0 ? tcc_add(ctx, x->shape[ax], tcc_idx(ctx, s)) : tcc_idx(ctx, s);
      if (step < 0 && s >= 2147483647) start = tcc_sub(ctx, x->shape[ax], tcc_idx(ctx, 1));
    } else {
      return tcc_node_error(ctx, cc->graph, cc->node, "slice start is not constant");
    }
    int64_t lc;
    /* one element: no multiple of a huge step (up to +-2^63) enters the index arithmetic */
    ri[ax] = tcc_expr_is_int_imm(len, &lc) && lc == 1
                 ? start
                 : tcc_add(ctx, start, tcc_mul(ctx, idx[ax], tcc_idx(ctx, step)));
  }
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* Expand: a broadcast read of the input. */
static tcc_status compute_expand(tcc_compute_ctx *cc, tcc_tensor **outs) {
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_compute_read_bcast(cc->ctx, x, o->ndim, idx, o->dims),
                            "broadcast");
  return TCC_OK;
}

/* Split: output k reads x at axis offset sum(dims of outputs 0..k-1). */
static tcc_status compute_split(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  int64_t axis = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "axis", 0, &axis));
  int a = (int)(axis < 0 ? axis + x->ndim : axis);
  const tcc_expr *off = tcc_idx(ctx, 0);
  for (int k = 0; k < cc->node->noutputs; k++) {
    const tcc_value *o = cc->node->outputs[k];
    if (!o) continue;
    const tcc_expr *const *idx;
    const tcc_itervar *const *axes = tcc_compute_out_axes(cc, k, &idx);
    const tcc_expr *ri[MAXR];
    for (int i = 0; i < x->ndim; i++)
      ri[i] = idx[i];
    ri[a] = tcc_add(ctx, idx[a], off);
    outs[k] = tcc_compute_out(cc, k, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
    off = tcc_shape_add(ctx, off, o->dims[a]);
  }
  return TCC_OK;
}

/* Tile: out[i] = x[i mod dim]. */
static tcc_status compute_tile(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *ri[MAXR];
  for (int i = 0; i < x->ndim; i++)
    ri[i] = tcc_floormod(ctx, idx[i], x->shape[i]);
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* Pad: constant / edge / reflect / wrap; negative pads crop. The input index is always clamped
 * into range so every select arm is safe to evaluate. */
static tcc_status compute_pad(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = {ctx, (tcc_graph *)cc->graph};
  tcc_node *n = (tcc_node *)cc->node;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  int r = x->ndim;
  const char *mode = "constant";
  TCC_TRY(tcc_node_attr_string(ctx, cc->graph, n, "mode", "constant", &mode));
  bool p;
  int np;
  const tcc_expr *const *pe;
  TCC_TRY(ints_attr_or_input(&ic, n, n->opset < 2 ? "paddings" : "pads", 1, 11, &p, &np, &pe));
  int64_t axv[MAXR];
  int na = r;
  for (int i = 0; i < r; i++)
    axv[i] = i;
  if (n->opset >= 18 && tcc_op_input(n, 3)) {
    bool known;
    int64_t c;
    const int64_t *av;
    TCC_TRY(tcc_infer_const_ints(&ic, n, 3, &known, &c, &av));
    if (!known) return not_constant(&ic, n, 3, "axes");
    na = (int)c;
    for (int i = 0; i < na; i++)
      axv[i] = av[i] < 0 ? av[i] + r : av[i];
  }
  const tcc_expr *begin[MAXR];
  for (int i = 0; i < r; i++)
    begin[i] = tcc_idx(ctx, 0);
  for (int i = 0; i < na; i++)
    begin[axv[i]] = pe[i];
  const tcc_expr *cval;
  if (n->opset >= 11) {
    cval = tcc_op_input(n, 2) && cc->inputs[2] ? tcc_read_scalar(ctx, cc->inputs[2])
                                               : tcc_const(ctx, tcc_scalar(x->dtype), 0);
  } else {
    double v = 0;
    TCC_TRY(tcc_node_attr_float(ctx, cc->graph, n, "value", 0, &v));
    cval = tcc_const(ctx, tcc_scalar(x->dtype), v);
  }
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *ri[MAXR], *inside = tcc_bool(ctx, true), *zero = tcc_idx(ctx, 0);
  for (int i = 0; i < r; i++) {
    const tcc_expr *d = x->shape[i], *last = tcc_sub(ctx, d, tcc_idx(ctx, 1));
    const tcc_expr *j = tcc_sub(ctx, idx[i], begin[i]);
    if (!strcmp(mode, "edge")) {
      j = tcc_max(ctx, tcc_min(ctx, j, last), zero);
    } else if (!strcmp(mode, "reflect")) {
      /* period 2*(d-1): reflect without repeating the edge */
      const tcc_expr *per = tcc_max(ctx, tcc_mul(ctx, last, tcc_idx(ctx, 2)), tcc_idx(ctx, 1));
      const tcc_expr *m = tcc_floormod(ctx, j, per);
      j = tcc_select(ctx, tcc_gt(ctx, m, last), tcc_sub(ctx, per, m), m);
      j = tcc_max(ctx, tcc_min(ctx, j, last), zero);
    } else if (!strcmp(mode, "wrap")) {
      j = tcc_floormod(ctx, j, tcc_max(ctx, d, tcc_idx(ctx, 1)));
    } else {
      inside = tcc_and(ctx, inside, tcc_and(ctx, tcc_ge(ctx, j, zero), tcc_lt(ctx, j, d)));
      j = tcc_max(ctx, tcc_min(ctx, j, last), zero);
    }
    ri[i] = j;
  }
  const tcc_expr *body = tcc_tensor_read(ctx, x, r, ri);
  if (!strcmp(mode, "constant")) body = tcc_select(ctx, inside, body, cval);
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

/* DepthToSpace (DCR / CRD) and SpaceToDepth on NCHW. */
static tcc_status compute_d2s(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  int64_t b = 1;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "blocksize", 1, &b));
  const char *mode = "DCR";
  TCC_TRY(tcc_node_attr_string(ctx, cc->graph, cc->node, "mode", "DCR", &mode));
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *B = tcc_idx(ctx, b), *ri[4];
  ri[0] = idx[0];
  if (!strcmp(cc->node->op->name, "DepthToSpace")) {
    const tcc_expr *bh = tcc_floormod(ctx, idx[2], B), *bw = tcc_floormod(ctx, idx[3], B);
    const tcc_expr *blk = tcc_add(ctx, tcc_mul(ctx, bh, B), bw);
    ri[1] = !strcmp(mode, "CRD") ? tcc_add(ctx, tcc_mul(ctx, idx[1], tcc_idx(ctx, b * b)), blk)
                                 : tcc_add(ctx, tcc_mul(ctx, blk, o->dims[1]), idx[1]);
    ri[2] = tcc_floordiv(ctx, idx[2], B);
    ri[3] = tcc_floordiv(ctx, idx[3], B);
  } else {
    const tcc_expr *cin = tcc_floormod(ctx, idx[1], x->shape[1]);
    const tcc_expr *blk = tcc_floordiv(ctx, idx[1], x->shape[1]);
    ri[1] = cin;
    ri[2] = tcc_add(ctx, tcc_mul(ctx, idx[2], B), tcc_floordiv(ctx, blk, B));
    ri[3] = tcc_add(ctx, tcc_mul(ctx, idx[3], B), tcc_floormod(ctx, blk, B));
  }
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, 4, ri), "injective");
  return TCC_OK;
}

/* Trilu: keep x where (upper ? j - i >= k : j - i <= k) over the last two axes, else 0. */
static tcc_status compute_trilu(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  int64_t upper = 1;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "upper", 1, &upper));
  const tcc_expr *k = tcc_idx(ctx, 0);
  if (cc->node->ninputs > 1 && cc->inputs[1])
    k = tcc_cast(ctx, tcc_index_type(), tcc_read_scalar(ctx, cc->inputs[1]));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  int r = x->ndim;
  const tcc_expr *diff = tcc_sub(ctx, idx[r - 1], idx[r - 2]);
  const tcc_expr *keep = upper ? tcc_ge(ctx, diff, k) : tcc_le(ctx, diff, k);
  const tcc_expr *v = tcc_read(ctx, x, idx);
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_select(ctx, keep, v, tcc_const(ctx, v->type, 0)),
                            "injective");
  return TCC_OK;
}

/* GatherElements: out[i] = x[i with i[axis] = indices[i] (+dim when negative)]. */
static tcc_status compute_gather_elements(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x, *ind;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  TCC_TRY(tcc_compute_input(cc, 1, &ind));
  int64_t axis = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "axis", 0, &axis));
  int a = (int)(axis < 0 ? axis + x->ndim : axis);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *iv = tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, ind, idx));
  iv = safe_index(cc, ind, 0, 0, iv, x->shape[a]);
  const tcc_expr *ri[MAXR];
  for (int i = 0; i < x->ndim; i++)
    ri[i] = i == a ? iv : idx[i];
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* GatherND: out[p..., q...] = data[p[:b]..., indices[p..., 0..m-1]..., q...]. */
static tcc_status compute_gather_nd(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x, *ind;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  TCC_TRY(tcc_compute_input(cc, 1, &ind));
  int64_t b = 0, m = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "batch_dims", 0, &b));
  tcc_expr_is_int_imm(ind->shape[ind->ndim - 1], &m);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  int q = ind->ndim - 1; /* output dims taken from indices */
  const tcc_expr *ri[MAXR], *ii[MAXR];
  for (int i = 0; i < b; i++)
    ri[i] = idx[i];
  for (int i = 0; i < q; i++)
    ii[i] = idx[i];
  for (int j = 0; j < m; j++) {
    ii[q] = tcc_idx(ctx, j);
    const tcc_expr *iv = tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, ind, ii));
    const tcc_expr *d = x->shape[b + j];
    ri[b + j] = safe_index(cc, ind, j, m, iv, d);
  }
  for (int i = (int)(b + m); i < x->ndim; i++)
    ri[i] = idx[q + i - (int)(b + m)];
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* The identity of a scatter reduction for dtype t ("add" 0, "mul" 1, "max" lowest, "min"
 * highest). */
static const tcc_expr *scatter_identity(tcc_context *ctx, const char *red, tcc_type t) {
  bool fl = tcc_dtype_is_float((tccrt_dtype)t.dtype);
  if (!strcmp(red, "mul")) return tcc_const(ctx, t, 1);
  if (!strcmp(red, "max"))
    return fl ? tcc_float(ctx, t, -INFINITY)
              : tcc_int(ctx, t, tcc_dtype_int_min((tccrt_dtype)t.dtype));
  if (!strcmp(red, "min"))
    return fl ? tcc_float(ctx, t, INFINITY)
              : tcc_int(ctx, t, tcc_dtype_int_max((tccrt_dtype)t.dtype));
  return tcc_const(ctx, t, 0);
}

/* x[i] combined with the reduced updates r (a read of the reduction stage). */
static const tcc_expr *scatter_combine(tcc_context *ctx, const char *red, const tcc_expr *x,
                                       const tcc_expr *r) {
  if (!strcmp(red, "mul")) return tcc_mul(ctx, x, r);
  if (!strcmp(red, "max")) return tcc_max(ctx, x, r);
  if (!strcmp(red, "min")) return tcc_min(ctx, x, r);
  return tcc_add(ctx, x, r);
}

/* Scatter (9-10) / ScatterElements (11+): the update at position p (p[d] = i[d] off the axis,
 * p[axis] = r) lands on i when indices[p] (+dim if negative) == i[axis]. reduction "none" takes
 * the last such update; add/mul/max/min combine all of them with x[i]. Two stages: the
 * reduction over r, then the elementwise merge. */
static tcc_status compute_scatter_elements(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x, *ind, *upd;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  TCC_TRY(tcc_compute_input(cc, 1, &ind));
  TCC_TRY(tcc_compute_input(cc, 2, &upd));
  int64_t axis = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "axis", 0, &axis));
  const char *red = "none";
  TCC_TRY(tcc_node_attr_string(ctx, cc->graph, cc->node, "reduction", "none", &red));
  int r = x->ndim, a = (int)(axis < 0 ? axis + r : axis);
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_itervar *rv = tcc_reduce_axis(ctx, "r", tcc_idx(ctx, 0), ind->shape[a]);
  const tcc_expr *p[MAXR], *in_range = tcc_bool(ctx, true), *one = tcc_idx(ctx, 1);
  for (int d = 0; d < r; d++) {
    if (d == a) {
      p[d] = tcc_expr_var(ctx, rv->var);
      continue;
    }
    in_range = tcc_and(ctx, in_range, tcc_lt(ctx, idx[d], ind->shape[d]));
    p[d] = tcc_min(ctx, idx[d], tcc_max(ctx, tcc_sub(ctx, ind->shape[d], one), tcc_idx(ctx, 0)));
  }
  const tcc_expr *iv = tcc_cast(ctx, tcc_index_type(), tcc_tensor_read(ctx, ind, r, p));
  /* checked where p lies inside indices (every element of indices is read there) */
  iv = tcc_select(ctx, in_range, checked_index(cc, ind, 0, 0, iv, x->shape[a]), iv);
  iv = tcc_select(ctx, tcc_lt(ctx, iv, tcc_idx(ctx, 0)), tcc_add(ctx, iv, x->shape[a]), iv);
  const tcc_expr *hit = tcc_and(ctx, in_range, tcc_eq(ctx, iv, idx[a]));
  const char *nm = tcc_arena_printf(tcc_ctx_arena(ctx), "%s.scatter", o->name);
  const tcc_expr *body;
  if (!strcmp(red, "none")) {
    const tcc_expr *last = tcc_reduce_max(
        ctx, tcc_select(ctx, hit, tcc_expr_var(ctx, rv->var), tcc_idx(ctx, -1)), 1, &rv, NULL);
    const tcc_tensor *ls = tcc_compute(ctx, nm, o->ndim, o->dims, axes, last, "reduce");
    axes = tcc_compute_out_axes(cc, 0, &idx);
    const tcc_expr *lv = tcc_read(ctx, ls, idx), *q[MAXR];
    for (int d = 0; d < r; d++)
      q[d] = d == a ? tcc_max(ctx, lv, tcc_idx(ctx, 0))
                    : tcc_min(ctx, idx[d],
                              tcc_max(ctx, tcc_sub(ctx, ind->shape[d], one), tcc_idx(ctx, 0)));
    body = tcc_select(ctx, tcc_ge(ctx, lv, tcc_idx(ctx, 0)), tcc_tensor_read(ctx, upd, r, q),
                      tcc_read(ctx, x, idx));
  } else {
    const tcc_expr *uv = tcc_tensor_read(ctx, upd, r, p);
    const tcc_expr *src = tcc_select(ctx, hit, uv, scatter_identity(ctx, red, uv->type));
    const tcc_expr *rb = !strcmp(red, "add")   ? tcc_sum(ctx, src, 1, &rv, NULL)
                         : !strcmp(red, "mul") ? tcc_reduce_prod(ctx, src, 1, &rv, NULL)
                         : !strcmp(red, "max") ? tcc_reduce_max(ctx, src, 1, &rv, NULL)
                                               : tcc_reduce_min(ctx, src, 1, &rv, NULL);
    const tcc_tensor *rs = tcc_compute(ctx, nm, o->ndim, o->dims, axes, rb, "reduce");
    axes = tcc_compute_out_axes(cc, 0, &idx);
    body = scatter_combine(ctx, red, tcc_read(ctx, x, idx), tcc_read(ctx, rs, idx));
  }
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

/* ScatterND: update q (over indices.shape[:-1]) lands on every i with i[:k] == indices[q, :]
 * (negative entries count from the dim); "none" takes the last such q in row-major order. */
static tcc_status compute_scatter_nd(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x, *ind, *upd;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  TCC_TRY(tcc_compute_input(cc, 1, &ind));
  TCC_TRY(tcc_compute_input(cc, 2, &upd));
  const char *red = "none";
  TCC_TRY(tcc_node_attr_string(ctx, cc->graph, cc->node, "reduction", "none", &red));
  int64_t k;
  if (ind->ndim < 1 || !tcc_expr_is_int_imm(ind->shape[ind->ndim - 1], &k) || k > x->ndim)
    return tcc_node_error(ctx, cc->graph, cc->node, "compute: indices' last dim must be constant");
  int nq = ind->ndim - 1, r = x->ndim;
  if (nq > 16) return tcc_node_error(ctx, cc->graph, cc->node, "compute: indices rank too large");
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_itervar *rv[16];
  const tcc_expr *q[MAXR], *flat = tcc_idx(ctx, 0);
  for (int j = 0; j < nq; j++) {
    rv[j] = tcc_reduce_axis(ctx, "q", tcc_idx(ctx, 0), ind->shape[j]);
    q[j] = tcc_expr_var(ctx, rv[j]->var);
    flat = tcc_add(ctx, tcc_mul(ctx, flat, ind->shape[j]), q[j]);
  }
  const tcc_expr *hit = tcc_bool(ctx, true);
  for (int j = 0; j < k; j++) {
    q[nq] = tcc_idx(ctx, j);
    const tcc_expr *iv = tcc_cast(ctx, tcc_index_type(), tcc_tensor_read(ctx, ind, nq + 1, q));
    iv = checked_index(cc, ind, j, k, iv, x->shape[j]);
    iv = tcc_select(ctx, tcc_lt(ctx, iv, tcc_idx(ctx, 0)), tcc_add(ctx, iv, x->shape[j]), iv);
    hit = tcc_and(ctx, hit, tcc_eq(ctx, iv, idx[j]));
  }
  const tcc_expr *ui[MAXR];
  for (int j = 0; j < nq; j++)
    ui[j] = q[j];
  for (int d = (int)k; d < r; d++)
    ui[nq + d - k] = idx[d];
  int nu = nq + r - (int)k;
  const char *nm = tcc_arena_printf(tcc_ctx_arena(ctx), "%s.scatter", o->name);
  const tcc_expr *body;
  if (!strcmp(red, "none")) {
    const tcc_expr *last =
        tcc_reduce_max(ctx, tcc_select(ctx, hit, flat, tcc_idx(ctx, -1)), nq, rv, NULL);
    const tcc_tensor *ls = tcc_compute(ctx, nm, o->ndim, o->dims, axes, last, "reduce");
    axes = tcc_compute_out_axes(cc, 0, &idx);
    const tcc_expr *lv = tcc_read(ctx, ls, idx), *f = tcc_max(ctx, lv, tcc_idx(ctx, 0));
    const tcc_expr *uj[MAXR];
    for (int j = nq - 1; j >= 0; j--) {
      uj[j] = j == 0 ? f : tcc_floormod(ctx, f, ind->shape[j]);
      if (j > 0) f = tcc_floordiv(ctx, f, ind->shape[j]);
    }
    for (int d = (int)k; d < r; d++)
      uj[nq + d - k] = idx[d];
    body = tcc_select(ctx, tcc_ge(ctx, lv, tcc_idx(ctx, 0)), tcc_tensor_read(ctx, upd, nu, uj),
                      tcc_read(ctx, x, idx));
  } else {
    const tcc_expr *uv = tcc_tensor_read(ctx, upd, nu, ui);
    const tcc_expr *src = tcc_select(ctx, hit, uv, scatter_identity(ctx, red, uv->type));
    const tcc_expr *rb = !strcmp(red, "add")   ? tcc_sum(ctx, src, nq, rv, NULL)
                         : !strcmp(red, "mul") ? tcc_reduce_prod(ctx, src, nq, rv, NULL)
                         : !strcmp(red, "max") ? tcc_reduce_max(ctx, src, nq, rv, NULL)
                                               : tcc_reduce_min(ctx, src, nq, rv, NULL);
    const tcc_tensor *rs = tcc_compute(ctx, nm, o->ndim, o->dims, axes, rb, "reduce");
    axes = tcc_compute_out_axes(cc, 0, &idx);
    body = scatter_combine(ctx, red, tcc_read(ctx, x, idx), tcc_read(ctx, rs, idx));
  }
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

/* ---- CenterCropPad (18) and Compress (9, 11) ---- */

/* CenterCropPad: input, shape (int64 values for `axes`, default all). Each listed axis becomes
 * shape[k]: cropped centred (start (in - out) / 2) or padded centred with zeros (begin
 * (out - in) / 2). */
static tcc_status ccp_axes(tcc_infer_ctx *ic, const tcc_node *n, int r, int cnt, int *ax) {
  int na;
  const int64_t *av;
  TCC_TRY(tcc_node_attr_ints(ic->ctx, ic->graph, n, "axes", &na, &av));
  if (na < 0) {
    if (cnt != r)
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "shape has %d values; without 'axes' it needs one per dim (%d)", cnt,
                            r);
    for (int i = 0; i < r; i++)
      ax[i] = i;
    return TCC_OK;
  }
  if (na != cnt || na > r)
    return tcc_node_error(ic->ctx, ic->graph, n, "shape has %d values for %d axes", cnt, na);
  return tcc_infer_axes(ic, n, "axes", na, av, r, ax);
}

static tcc_status infer_center_crop_pad(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_INT32_64));
  TCC_TRY(check_rank(ic, n, x->ndim));
  bool known;
  int64_t cnt;
  const tcc_expr *const *sh;
  TCC_TRY(tcc_infer_sym_ints(ic, n, 1, &known, &cnt, &sh));
  if (!known) return not_constant(ic, n, 1, "shape");
  if (cnt > x->ndim)
    return tcc_node_error(ic->ctx, ic->graph, n, "shape has more values than dims");
  int ax[MAXR];
  TCC_TRY(ccp_axes(ic, n, x->ndim, (int)cnt, ax));
  const tcc_expr *d[MAXR];
  for (int i = 0; i < x->ndim; i++)
    d[i] = x->dims[i];
  for (int k = 0; k < cnt; k++) {
    int64_t v;
    if (tcc_expr_is_int_imm(sh[k], &v) && v < 0)
      return tcc_node_error(ic->ctx, ic->graph, n, "shape[%d] = %lld is negative", k, (long long)v);
    d[ax[k]] = sh[k];
  }
  return tcc_infer_set_output(ic, n, 0, x->dtype, x->ndim, d);
}

static tcc_status compute_center_crop_pad(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_value *o = cc->node->outputs[0];
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *ri[MAXR], *inside = tcc_bool(ctx, true), *zero = tcc_idx(ctx, 0);
  for (int i = 0; i < x->ndim; i++) {
    const tcc_expr *in = x->shape[i], *out = o->dims[i];
    if (in == out) {
      ri[i] = idx[i];
      continue;
    }
    /* crop: start = (in - out) / 2; pad: begin = (out - in) / 2 (as floor division) */
    const tcc_expr *crop = tcc_gt(ctx, in, out);
    const tcc_expr *start = tcc_floordiv(ctx, tcc_sub(ctx, in, out), tcc_idx(ctx, 2));
    const tcc_expr *begin = tcc_floordiv(ctx, tcc_sub(ctx, out, in), tcc_idx(ctx, 2));
    const tcc_expr *j =
        tcc_select(ctx, crop, tcc_add(ctx, idx[i], start), tcc_sub(ctx, idx[i], begin));
    inside = tcc_and(ctx, inside, tcc_and(ctx, tcc_ge(ctx, j, zero), tcc_lt(ctx, j, in)));
    ri[i] = tcc_max(ctx, tcc_min(ctx, j, tcc_sub(ctx, in, tcc_idx(ctx, 1))), zero);
  }
  const tcc_expr *v = tcc_tensor_read(ctx, x, x->ndim, ri);
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_select(ctx, inside, v, tcc_const(ctx, v->type, 0)),
                            "injective");
  return TCC_OK;
}

/* Compress: keeps the slices along `axis` (or the elements of the flattened input when axis is
 * absent) whose condition is true; the condition must be known at compile time (its values set
 * the output shape). */
static tcc_status compress_positions(tcc_infer_ctx *ic, const tcc_node *n, int64_t len,
                                     int64_t *count, int64_t **pos) {
  bool known;
  int64_t cnt;
  const int64_t *cv;
  TCC_TRY(tcc_infer_const_ints(ic, n, 1, &known, &cnt, &cv));
  if (!known) return not_constant(ic, n, 1, "condition");
  int64_t *p = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), sizeof *p * (size_t)(cnt + 1));
  int64_t k = 0;
  for (int64_t i = 0; i < cnt && i < len; i++)
    if (cv[i]) p[k++] = i;
  *count = k;
  *pos = p;
  return TCC_OK;
}

static tcc_status infer_compress(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *x, *c;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &c));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_BOOL));
  if (c->ndim != 1)
    return tcc_node_error(ctx, ic->graph, n, "condition must be 1-D; it has shape %s",
                          tcc_value_shape_str(ctx, c));
  const tcc_attr *aa = tcc_node_attr(n, "axis");
  int a = -1;
  int64_t len;
  if (aa) {
    TCC_TRY(tcc_infer_axis(ic, n, "axis", aa->u.i, x->ndim, &a));
    if (!tcc_expr_is_int_imm(x->dims[a], &len))
      return tcc_node_error(ctx, ic->graph, n, "axis %d has a symbolic size", a);
  } else {
    len = tcc_value_numel(x);
    if (len < 0) return tcc_node_error(ctx, ic->graph, n, "the input has a symbolic size");
  }
  int64_t count, *pos;
  TCC_TRY(compress_positions(ic, n, len, &count, &pos));
  if (a < 0) {
    const tcc_expr *d = tcc_idx(ctx, count);
    return tcc_infer_set_output(ic, n, 0, x->dtype, 1, &d);
  }
  const tcc_expr *d[MAXR];
  TCC_TRY(check_rank(ic, n, x->ndim));
  for (int i = 0; i < x->ndim; i++)
    d[i] = i == a ? tcc_idx(ctx, count) : x->dims[i];
  return tcc_infer_set_output(ic, n, 0, x->dtype, x->ndim, d);
}

static tcc_status compute_compress(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = {ctx, (tcc_graph *)cc->graph};
  const tcc_tensor *x;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  const tcc_attr *aa = tcc_node_attr(cc->node, "axis");
  int a = aa ? (int)(aa->u.i < 0 ? aa->u.i + x->ndim : aa->u.i) : -1;
  int64_t len = 1, count, *pos;
  if (a >= 0)
    tcc_expr_is_int_imm(x->shape[a], &len);
  else
    for (int i = 0; i < x->ndim; i++)
      len *= x->shape[i]->u.ival;
  TCC_TRY(compress_positions(&ic, cc->node, len, &count, &pos));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *j = a >= 0 ? idx[a] : idx[0];
  /* position table as a select chain over the output index */
  const tcc_expr *p = tcc_idx(ctx, count ? pos[count - 1] : 0);
  for (int64_t k = count - 2; k >= 0; k--)
    p = tcc_select(ctx, tcc_eq(ctx, j, tcc_idx(ctx, k)), tcc_idx(ctx, pos[k]), p);
  const tcc_expr *ri[MAXR];
  if (a >= 0) {
    for (int i = 0; i < x->ndim; i++)
      ri[i] = i == a ? p : idx[i];
  } else {
    for (int i = x->ndim - 1; i >= 0; i--) {
      ri[i] = i == 0 ? p : tcc_floormod(ctx, p, x->shape[i]);
      if (i > 0) p = tcc_floordiv(ctx, p, x->shape[i]);
    }
  }
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* ---- ReverseSequence (10) and TensorScatter (24) ---- */

/* ReverseSequence: along time_axis (default 0), the first sequence_lens[b] entries of each batch
 * b (batch_axis, default 1) are reversed; the rest are copied. A length outside [1, max_time]
 * is a run-time error (tcc_check_range). */
static tcc_status infer_reverse_sequence(tcc_infer_ctx *ic, tcc_node *n) {
  const tcc_value *x, *l;
  TCC_TRY(tcc_infer_input(ic, n, 0, &x));
  TCC_TRY(tcc_infer_input(ic, n, 1, &l));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_INT64)));
  int64_t ba = 1, ta = 0;
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "batch_axis", 1, &ba));
  TCC_TRY(tcc_node_attr_int(ic->ctx, ic->graph, n, "time_axis", 0, &ta));
  if (x->ndim < 2 || (ba != 0 && ba != 1) || (ta != 0 && ta != 1) || ba == ta)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "needs rank >= 2 and batch_axis/time_axis being 0 and 1 (got %lld, "
                          "%lld, rank %d)",
                          (long long)ba, (long long)ta, x->ndim);
  if (l->ndim != 1 || !tcc_shape_dim_eq(ic->ctx, l->dims[0], x->dims[ba]))
    return tcc_node_error(ic->ctx, ic->graph, n, "sequence_lens must have shape [%s]; it has %s",
                          tcc_expr_str(ic->ctx, x->dims[ba]), tcc_value_shape_str(ic->ctx, l));
  return tcc_infer_output_like(ic, n, 0, x);
}

static tcc_status compute_reverse_sequence(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *x, *l;
  TCC_TRY(tcc_compute_input(cc, 0, &x));
  TCC_TRY(tcc_compute_input(cc, 1, &l));
  int64_t ba = 1, ta = 0;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "batch_axis", 1, &ba));
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "time_axis", 0, &ta));
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *li[1] = {idx[ba]};
  /* ONNX: every sequence_lens[b] lies in [1, max_time]; one outside is a run-time error
   * ("node 'rv' (ReverseSequence): index 100 is out of range [1, 4]"), then clamped so code
   * that evaluates it anyway stays inside x */
  const tcc_expr *len = tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, l, li));
  len = tcc_check_range(ctx, len, tcc_idx(ctx, 1), tcc_add(ctx, x->shape[ta], tcc_idx(ctx, 1)),
                        check_where(cc));
  len = tcc_max(ctx, tcc_min(ctx, len, x->shape[ta]), tcc_idx(ctx, 0));
  const tcc_expr *t = idx[ta];
  const tcc_expr *rt =
      tcc_select(ctx, tcc_lt(ctx, t, len), tcc_sub(ctx, tcc_sub(ctx, len, tcc_idx(ctx, 1)), t), t);
  const tcc_expr *ri[MAXR];
  for (int i = 0; i < x->ndim; i++)
    ri[i] = i == ta ? rt : idx[i];
  outs[0] = tcc_compute_out(cc, 0, axes, tcc_tensor_read(ctx, x, x->ndim, ri), "injective");
  return TCC_OK;
}

/* TensorScatter: present = past_cache with update written along `axis` (default -2) at
 * write_indices[b] + s for each batch b (index 0 when absent); "circular" wraps the position
 * modulo the cache length. */
static tcc_status infer_tensor_scatter(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *past, *upd;
  TCC_TRY(tcc_infer_input(ic, n, 0, &past));
  TCC_TRY(tcc_infer_input(ic, n, 1, &upd));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 2, TCC_DTM(TCCRT_INT64)));
  int64_t axis = -2;
  TCC_TRY(tcc_node_attr_int(ctx, ic->graph, n, "axis", -2, &axis));
  const char *mode = "linear";
  TCC_TRY(tcc_node_attr_string(ctx, ic->graph, n, "mode", "linear", &mode));
  if (strcmp(mode, "linear") && strcmp(mode, "circular"))
    return tcc_node_error(ctx, ic->graph, n, "mode must be linear or circular, not '%s'", mode);
  int a;
  if (past->ndim < 2) return tcc_node_error(ctx, ic->graph, n, "past_cache needs rank >= 2");
  TCC_TRY(tcc_infer_axis(ic, n, "axis", axis, past->ndim, &a));
  if (a == 0) return tcc_node_error(ctx, ic->graph, n, "axis cannot be the batch axis");
  bool ok = upd->ndim == past->ndim;
  for (int i = 0; ok && i < past->ndim; i++) {
    int64_t p, q;
    if (i != a && tcc_expr_is_int_imm(past->dims[i], &p) && tcc_expr_is_int_imm(upd->dims[i], &q))
      ok = p == q;
    if (i == a && tcc_expr_is_int_imm(past->dims[i], &p) && tcc_expr_is_int_imm(upd->dims[i], &q))
      ok = q <= p;
  }
  if (!ok)
    return tcc_node_error(ctx, ic->graph, n,
                          "update %s must match past_cache %s except a shorter axis %d",
                          tcc_value_shape_str(ctx, upd), tcc_value_shape_str(ctx, past), a);
  return tcc_infer_output_like(ic, n, 0, past);
}

static tcc_status compute_tensor_scatter(tcc_compute_ctx *cc, tcc_tensor **outs) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *past, *upd;
  TCC_TRY(tcc_compute_input(cc, 0, &past));
  TCC_TRY(tcc_compute_input(cc, 1, &upd));
  int64_t axis = -2;
  TCC_TRY(tcc_node_attr_int(ctx, cc->graph, cc->node, "axis", -2, &axis));
  const char *mode = "linear";
  TCC_TRY(tcc_node_attr_string(ctx, cc->graph, cc->node, "mode", "linear", &mode));
  int r = past->ndim, a = (int)(axis < 0 ? axis + r : axis);
  const tcc_expr *const *idx;
  const tcc_itervar *const *axes = tcc_compute_out_axes(cc, 0, &idx);
  const tcc_expr *w = tcc_idx(ctx, 0);
  if (cc->node->ninputs > 2 && cc->inputs[2]) {
    const tcc_expr *wi[1] = {idx[0]};
    w = tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, cc->inputs[2], wi));
  }
  const tcc_expr *sidx = tcc_sub(ctx, idx[a], w);
  if (!strcmp(mode, "circular")) sidx = tcc_floormod(ctx, sidx, past->shape[a]);
  const tcc_expr *hit =
      tcc_and(ctx, tcc_ge(ctx, sidx, tcc_idx(ctx, 0)), tcc_lt(ctx, sidx, upd->shape[a]));
  const tcc_expr *ri[MAXR];
  for (int i = 0; i < r; i++)
    ri[i] = i == a ? tcc_max(ctx, tcc_min(ctx, sidx, tcc_sub(ctx, upd->shape[a], tcc_idx(ctx, 1))),
                             tcc_idx(ctx, 0))
                   : idx[i];
  const tcc_expr *body =
      tcc_select(ctx, hit, tcc_tensor_read(ctx, upd, r, ri), tcc_read(ctx, past, idx));
  outs[0] = tcc_compute_out(cc, 0, axes, body, "injective");
  return TCC_OK;
}

static const tcc_attr_schema no_attrs[] = {{NULL}};
static const tcc_attr_schema reshape_attrs[] = {{"shape", TCC_ATTR_INTS, false},
                                                {"allowzero", TCC_ATTR_INT, false},
                                                {"consumed_inputs", TCC_ATTR_INTS, false},
                                                {NULL}};
static const tcc_attr_schema axis_attrs[] = {{"axis", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema axes_attrs[] = {{"axes", TCC_ATTR_INTS, false}, {NULL}};
static const tcc_attr_schema perm_attrs[] = {{"perm", TCC_ATTR_INTS, false}, {NULL}};
static const tcc_attr_schema split_attrs[] = {{"axis", TCC_ATTR_INT, false},
                                              {"split", TCC_ATTR_INTS, false},
                                              {"num_outputs", TCC_ATTR_INT, false},
                                              {NULL}};
static const tcc_attr_schema slice_attrs[] = {{"starts", TCC_ATTR_INTS, false},
                                              {"ends", TCC_ATTR_INTS, false},
                                              {"axes", TCC_ATTR_INTS, false},
                                              {NULL}};
static const tcc_attr_schema gathernd_attrs[] = {{"batch_dims", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema scatter_attrs[] = {
    {"axis", TCC_ATTR_INT, false}, {"reduction", TCC_ATTR_STRING, false}, {NULL}};
static const tcc_attr_schema scatternd_attrs[] = {{"reduction", TCC_ATTR_STRING, false}, {NULL}};
static const tcc_attr_schema pad_attrs[] = {{"mode", TCC_ATTR_STRING, false},
                                            {"pads", TCC_ATTR_INTS, false},
                                            {"paddings", TCC_ATTR_INTS, false},
                                            {"value", TCC_ATTR_FLOAT, false},
                                            {NULL}};
static const tcc_attr_schema d2s_attrs[] = {
    {"blocksize", TCC_ATTR_INT, true}, {"mode", TCC_ATTR_STRING, false}, {NULL}};
static const tcc_attr_schema ccp_attrs[] = {{"axes", TCC_ATTR_INTS, false}, {NULL}};
static const tcc_attr_schema revseq_attrs[] = {
    {"batch_axis", TCC_ATTR_INT, false}, {"time_axis", TCC_ATTR_INT, false}, {NULL}};
static const tcc_attr_schema tscatter_attrs[] = {
    {"axis", TCC_ATTR_INT, false}, {"mode", TCC_ATTR_STRING, false}, {NULL}};
static const tcc_attr_schema trilu_attrs[] = {{"upper", TCC_ATTR_INT, false}, {NULL}};

#define T(NAME, SINCE, PAT, MINI, MAXI, MINO, MAXO, ATTRS, INFER, COMPUTE)                         \
  {NAME, "", SINCE, 0, PAT, MINI, MAXI, MINO, MAXO, ATTRS, INFER, COMPUTE}

const tcc_op tcc_ops_tensor[] = {
    T("Reshape", 1, TCC_PAT_INJECTIVE, 1, 2, 1, 1, reshape_attrs, infer_reshape, compute_reshape),
    T("Flatten", 1, TCC_PAT_INJECTIVE, 1, 1, 1, 1, axis_attrs, infer_flatten, compute_reshape),
    T("Squeeze", 1, TCC_PAT_INJECTIVE, 1, 2, 1, 1, axes_attrs, infer_squeeze, compute_reshape),
    T("Unsqueeze", 1, TCC_PAT_INJECTIVE, 1, 2, 1, 1, axes_attrs, infer_unsqueeze, compute_reshape),
    T("Transpose", 1, TCC_PAT_INJECTIVE, 1, 1, 1, 1, perm_attrs, infer_transpose,
      compute_transpose),
    {"Concat", "", 1, 0, TCC_PAT_INJECTIVE, 1, -1, 1, 1, axis_attrs, infer_concat, compute_concat,
     .infer_layout = tcc_layout_infer_concat},
    T("Split", 1, TCC_PAT_INJECTIVE, 1, 2, 1, -1, split_attrs, infer_split, compute_split),
    T("Slice", 1, TCC_PAT_INJECTIVE, 1, 5, 1, 1, slice_attrs, infer_slice, compute_slice),
    T("Gather", 1, TCC_PAT_INJECTIVE, 2, 2, 1, 1, axis_attrs, infer_gather, compute_gather),
    T("GatherElements", 11, TCC_PAT_INJECTIVE, 2, 2, 1, 1, axis_attrs, infer_gather_elements,
      compute_gather_elements),
    T("GatherND", 11, TCC_PAT_INJECTIVE, 2, 2, 1, 1, gathernd_attrs, infer_gather_nd,
      compute_gather_nd),
    T("Scatter", 9, TCC_PAT_OPAQUE, 3, 3, 1, 1, scatter_attrs, infer_scatter,
      compute_scatter_elements),
    T("ScatterElements", 11, TCC_PAT_OPAQUE, 3, 3, 1, 1, scatter_attrs, infer_scatter,
      compute_scatter_elements),
    T("ScatterND", 11, TCC_PAT_OPAQUE, 3, 3, 1, 1, scatternd_attrs, infer_scatter,
      compute_scatter_nd),
    T("Expand", 8, TCC_PAT_BROADCAST, 2, 2, 1, 1, no_attrs, infer_expand, compute_expand),
    T("Tile", 6, TCC_PAT_INJECTIVE, 2, 2, 1, 1, no_attrs, infer_tile, compute_tile),
    T("Pad", 1, TCC_PAT_INJECTIVE, 1, 4, 1, 1, pad_attrs, infer_pad, compute_pad),
    T("DepthToSpace", 1, TCC_PAT_INJECTIVE, 1, 1, 1, 1, d2s_attrs, infer_d2s, compute_d2s),
    T("SpaceToDepth", 1, TCC_PAT_INJECTIVE, 1, 1, 1, 1, d2s_attrs, infer_d2s, compute_d2s),
    T("CenterCropPad", 18, TCC_PAT_INJECTIVE, 2, 2, 1, 1, ccp_attrs, infer_center_crop_pad,
      compute_center_crop_pad),
    T("Compress", 9, TCC_PAT_INJECTIVE, 2, 2, 1, 1, axis_attrs, infer_compress, compute_compress),
    T("ReverseSequence", 10, TCC_PAT_INJECTIVE, 2, 2, 1, 1, revseq_attrs, infer_reverse_sequence,
      compute_reverse_sequence),
    T("TensorScatter", 24, TCC_PAT_INJECTIVE, 2, 3, 1, 1, tscatter_attrs, infer_tensor_scatter,
      compute_tensor_scatter),
    T("Trilu", 14, TCC_PAT_INJECTIVE, 1, 2, 1, 1, trilu_attrs, infer_trilu, compute_trilu),
};
const int tcc_ops_tensor_count = (int)TCC_ARRAY_SIZE(tcc_ops_tensor);
