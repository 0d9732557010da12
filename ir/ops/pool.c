/* pool.c — the pool op family: MaxPool, AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool,
 * MaxUnpool, RoiAlign.
 *
 * Spec: ONNX MaxPool (opsets 1, 8, 10, 11, 12, 22), AveragePool (1, 7, 10, 11, 19, 22), LpPool
 * (1, 2, 11, 18, 22), GlobalAveragePool (1, 22), GlobalMaxPool (1, 22). Layout N x C x D1..Dn.
 * Window geometry (pads, auto_pad, ceil_mode, dilations) is nn_window_infer's. Windows read the
 * input at o*stride + k*dilation - pad_begin; positions outside the input are skipped (MaxPool:
 * -inf / the dtype's minimum; AveragePool: zero, and the divisor counts the padded positions
 * only with count_include_pad = 1, never positions past the end padding that ceil_mode adds). */
#include "nn_util.h"

#include <math.h>
#include <string.h>

#define A_AUTO {"auto_pad", TCC_ATTR_STRING, false}
#define A_KERNEL {"kernel_shape", TCC_ATTR_INTS, true}
#define A_PADS {"pads", TCC_ATTR_INTS, false}
#define A_STRIDES {"strides", TCC_ATTR_INTS, false}
#define A_CEIL {"ceil_mode", TCC_ATTR_INT, false}
#define A_DIL {"dilations", TCC_ATTR_INTS, false}
#define A_END {NULL, 0, false}

static const tcc_attr_schema maxpool1_attrs[] = {A_AUTO, A_KERNEL, A_PADS, A_STRIDES, A_END};
static const tcc_attr_schema maxpool8_attrs[] = {
    A_AUTO, A_KERNEL, A_PADS, A_STRIDES, {"storage_order", TCC_ATTR_INT, false}, A_END};
static const tcc_attr_schema maxpool10_attrs[] = {
    A_AUTO, A_KERNEL, A_PADS, A_STRIDES, {"storage_order", TCC_ATTR_INT, false},
    A_CEIL, A_DIL,    A_END};
static const tcc_attr_schema avgpool1_attrs[] = {A_AUTO, A_KERNEL, A_PADS, A_STRIDES, A_END};
static const tcc_attr_schema avgpool7_attrs[] = {
    A_AUTO, A_KERNEL, A_PADS, A_STRIDES, {"count_include_pad", TCC_ATTR_INT, false}, A_END};
static const tcc_attr_schema avgpool10_attrs[] = {
    A_AUTO, A_KERNEL, A_PADS, A_STRIDES, {"count_include_pad", TCC_ATTR_INT, false}, A_CEIL, A_END};
static const tcc_attr_schema avgpool19_attrs[] = {
    A_AUTO, A_KERNEL, A_PADS, A_STRIDES, {"count_include_pad", TCC_ATTR_INT, false},
    A_CEIL, A_DIL,    A_END};
static const tcc_attr_schema lppool1_attrs[] = {
    A_AUTO, A_KERNEL, A_PADS, A_STRIDES, {"p", TCC_ATTR_FLOAT, false}, A_END};
static const tcc_attr_schema lppool2_attrs[] = {
    A_AUTO, A_KERNEL, A_PADS, A_STRIDES, {"p", TCC_ATTR_INT, false}, A_END};
static const tcc_attr_schema lppool18_attrs[] = {
    A_AUTO, A_KERNEL, A_PADS, A_STRIDES, {"p", TCC_ATTR_INT, false}, A_CEIL, A_DIL, A_END};
static const tcc_attr_schema no_attrs[] = {A_END};

typedef struct pool_geom {
  int nsp;
  const tcc_value *X;
  nn_window w;
} pool_geom;

static tcc_status pool_geometry(tcc_infer_ctx *ic, const tcc_node *n, pool_geom *g) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_input(ic, n, 0, &g->X));
  const tcc_value *X = g->X;
  if (X->ndim < 3 || X->ndim > TCCRT_MAX_RANK)
    return tcc_node_error(ctx, ic->graph, n,
                          "input X has rank %d; expected N x C x D1 ... Dn with 1 to %d spatial "
                          "dims",
                          X->ndim, NN_MAX_SPATIAL);
  g->nsp = X->ndim - 2;
  int cnt = -1;
  const int64_t *ks;
  TCC_TRY(tcc_node_attr_ints(ctx, ic->graph, n, "kernel_shape", &cnt, &ks));
  if (cnt < 0) return tcc_node_error(ctx, ic->graph, n, "attribute 'kernel_shape' is required");
  if (cnt != g->nsp)
    return tcc_node_error(ctx, ic->graph, n,
                          "attribute 'kernel_shape' has %d values; expected %d for input %s", cnt,
                          g->nsp, tcc_value_shape_str(ctx, X));
  int64_t ceil_mode = 0;
  if (tcc_node_attr(n, "ceil_mode")) TCC_TRY(nn_attr_int(ic, n, "ceil_mode", 0, &ceil_mode));
  return nn_window_infer(ic, n, g->nsp, X->dims + 2, ks, ceil_mode != 0, true, &g->w);
}

static tcc_status pool_set_out(tcc_infer_ctx *ic, tcc_node *n, const pool_geom *g, int k,
                               tccrt_dtype dt) {
  const tcc_expr *dims[TCCRT_MAX_RANK];
  dims[0] = g->X->dims[0];
  dims[1] = g->X->dims[1];
  for (int i = 0; i < g->nsp; i++)
    dims[2 + i] = g->w.out[i];
  return tcc_infer_set_output(ic, n, k, dt, g->nsp + 2, dims);
}

static tcc_status infer_maxpool(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(
      tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT | TCC_DTM(TCCRT_INT8) | TCC_DTM(TCCRT_UINT8)));
  pool_geom g;
  TCC_TRY(pool_geometry(ic, n, &g));
  int64_t so = 0;
  if (tcc_node_attr(n, "storage_order")) TCC_TRY(nn_attr_int(ic, n, "storage_order", 0, &so));
  if (so != 0 && so != 1)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "attribute 'storage_order' is %lld; expected 0 or 1", (long long)so);
  TCC_TRY(pool_set_out(ic, n, &g, 0, g.X->dtype));
  return pool_set_out(ic, n, &g, 1, TCCRT_INT64);
}

static tcc_status infer_avgpool(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  pool_geom g;
  TCC_TRY(pool_geometry(ic, n, &g));
  return pool_set_out(ic, n, &g, 0, g.X->dtype);
}

static tcc_status infer_global_pool(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  if (X->ndim < 3)
    return tcc_node_error(ic->ctx, ic->graph, n, "input X has rank %d; expected N x C x D1 ... Dn",
                          X->ndim);
  const tcc_expr *dims[TCCRT_MAX_RANK];
  for (int d = 0; d < X->ndim; d++)
    dims[d] = d < 2 ? X->dims[d] : tcc_idx(ic->ctx, 1);
  return tcc_infer_set_output(ic, n, 0, X->dtype, X->ndim, dims);
}

/* ---- computes ---- */

typedef struct window_expr {
  const tcc_itervar *const *ax; /* output axes */
  const tcc_expr **o;           /* output index exprs */
  const tcc_itervar *red[NN_MAX_SPATIAL];
  const tcc_expr *xi[TCCRT_MAX_RANK]; /* input index at (o, rk) */
  const tcc_expr *inb;                /* in-bounds condition, NULL when always */
  const tcc_expr *shape[TCCRT_MAX_RANK];
} window_expr;

static void window_exprs(tcc_context *ctx, const tcc_tensor *X, const nn_window *w,
                         window_expr *we) {
  int nsp = w->nsp, nd = nsp + 2;
  we->shape[0] = X->shape[0];
  we->shape[1] = X->shape[1];
  for (int i = 0; i < nsp; i++)
    we->shape[2 + i] = w->out[i];
  we->ax = tcc_compute_axes(ctx, nd, we->shape, NULL);
  we->o = nn_axis_exprs(ctx, nd, we->ax);
  we->xi[0] = we->o[0];
  we->xi[1] = we->o[1];
  we->inb = NULL;
  for (int i = 0; i < nsp; i++) {
    char nm[16];
    snprintf(nm, sizeof nm, "rk%d", i);
    we->red[i] = tcc_reduce_axis(ctx, nm, tcc_idx(ctx, 0), tcc_idx(ctx, w->kernel[i]));
    const tcc_expr *rk = tcc_expr_var(ctx, we->red[i]->var);
    const tcc_expr *pos =
        tcc_sub(ctx,
                tcc_add(ctx, tcc_mul(ctx, we->o[2 + i], tcc_idx(ctx, w->stride[i])),
                        tcc_mul(ctx, rk, tcc_idx(ctx, w->dil[i]))),
                w->pad_begin[i]);
    we->xi[2 + i] = pos;
    /* Even without pads, ceil_mode can run the last window past the end: always guard. */
    const tcc_expr *c = nn_in_range(ctx, pos, tcc_idx(ctx, 0), X->shape[2 + i]);
    we->inb = we->inb ? tcc_and(ctx, we->inb, c) : c;
  }
}

static const tcc_expr *lowest(tcc_context *ctx, tccrt_dtype dt) {
  if (tcc_dtype_is_float(dt)) return tcc_float(ctx, tcc_scalar(dt), -INFINITY);
  return tcc_int(ctx, tcc_scalar(dt), tcc_dtype_int_min(dt));
}

static tcc_status compute_maxpool(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  pool_geom g;
  TCC_TRY(pool_geometry(&ic, cc->node, &g));
  const tcc_tensor *X = cc->inputs[0];
  window_expr we;
  window_exprs(ctx, X, &g.w, &we);
  int nd = g.nsp + 2;
  const tcc_expr *v =
      tcc_select(ctx, we.inb, nn_read_clamped(ctx, X, we.xi), lowest(ctx, X->dtype));
  const tcc_expr *body = tcc_reduce_max(ctx, v, g.nsp, we.red, NULL);
  tcc_tensor *y = tcc_compute(ctx, "maxpool", nd, we.shape, we.ax, body, "pool_max");
  outputs[0] = y;
  if (cc->node->noutputs > 1 && cc->node->outputs[1]) {
    /* Indices: the flat index (storage_order 0: row-major over N x C x D...; 1: the spatial
     * dims column-major) of the first window element equal to the max. */
    int64_t so = 0;
    if (tcc_node_attr(cc->node, "storage_order"))
      TCC_TRY(nn_attr_int(&ic, cc->node, "storage_order", 0, &so));
    window_expr wi;
    window_exprs(ctx, X, &g.w, &wi);
    const tcc_expr *flat = tcc_add(ctx, tcc_mul(ctx, wi.o[0], X->shape[1]), wi.o[1]);
    if (!so) {
      for (int i = 0; i < g.nsp; i++)
        flat = tcc_add(ctx, tcc_mul(ctx, flat, X->shape[2 + i]), wi.xi[2 + i]);
    } else {
      const tcc_expr *sp = tcc_idx(ctx, 0), *vol = tcc_idx(ctx, 1);
      for (int i = 0; i < g.nsp; i++) {
        sp = tcc_add(ctx, sp, tcc_mul(ctx, wi.xi[2 + i], vol));
        vol = tcc_mul(ctx, vol, X->shape[2 + i]);
      }
      flat = tcc_add(ctx, tcc_mul(ctx, flat, vol), sp);
    }
    const tcc_expr *hit =
        tcc_and(ctx, wi.inb, tcc_eq(ctx, nn_read_clamped(ctx, X, wi.xi), tcc_read(ctx, y, wi.o)));
    const tcc_expr *iv = tcc_select(ctx, hit, flat, tcc_idx(ctx, INT64_MAX));
    const tcc_expr *ib = tcc_reduce_min(ctx, iv, g.nsp, wi.red, NULL);
    outputs[1] = tcc_compute(ctx, "maxpool_indices", nd, wi.shape, wi.ax, ib, "pool_argmax");
  }
  return TCC_OK;
}

/* ceil(a / d) for d > 0. */
static const tcc_expr *ceildiv(tcc_context *ctx, const tcc_expr *a, int64_t d) {
  return d == 1 ? a : tcc_floordiv(ctx, tcc_add(ctx, a, tcc_idx(ctx, d - 1)), tcc_idx(ctx, d));
}

/* Number of taps k in [0, K) with lo <= start + k*d < hi. */
static const tcc_expr *tap_count(tcc_context *ctx, const tcc_expr *start, int64_t K, int64_t d,
                                 const tcc_expr *lo, const tcc_expr *hi) {
  const tcc_expr *kmin = tcc_max(ctx, tcc_idx(ctx, 0), ceildiv(ctx, tcc_sub(ctx, lo, start), d));
  const tcc_expr *kmax = tcc_min(ctx, tcc_idx(ctx, K), ceildiv(ctx, tcc_sub(ctx, hi, start), d));
  return tcc_max(ctx, tcc_idx(ctx, 0), tcc_sub(ctx, kmax, kmin));
}

static tcc_status compute_avgpool(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  pool_geom g;
  TCC_TRY(pool_geometry(&ic, cc->node, &g));
  int64_t cip = 0;
  if (tcc_node_attr(cc->node, "count_include_pad"))
    TCC_TRY(nn_attr_int(&ic, cc->node, "count_include_pad", 0, &cip));
  const tcc_tensor *X = cc->inputs[0];
  tccrt_dtype acc = nn_acc_dtype(X->dtype);
  tcc_type at = tcc_scalar(acc);
  window_expr we;
  window_exprs(ctx, X, &g.w, &we);
  int nd = g.nsp + 2;
  const tcc_expr *v = tcc_select(ctx, we.inb, tcc_cast(ctx, at, nn_read_clamped(ctx, X, we.xi)),
                                 tcc_const(ctx, at, 0));
  tcc_tensor *s = tcc_compute(ctx, "avgpool_sum", nd, we.shape, we.ax,
                              tcc_sum(ctx, v, g.nsp, we.red, NULL), "pool_sum");
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, we.shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *count = tcc_idx(ctx, 1);
  for (int i = 0; i < g.nsp; i++) {
    const tcc_expr *start =
        tcc_sub(ctx, tcc_mul(ctx, o[2 + i], tcc_idx(ctx, g.w.stride[i])), g.w.pad_begin[i]);
    const tcc_expr *lo = cip ? tcc_sub(ctx, tcc_idx(ctx, 0), g.w.pad_begin[i]) : tcc_idx(ctx, 0);
    const tcc_expr *hi = cip ? tcc_add(ctx, X->shape[2 + i], g.w.pad_end[i]) : X->shape[2 + i];
    count = tcc_mul(ctx, count, tap_count(ctx, start, g.w.kernel[i], g.w.dil[i], lo, hi));
  }
  const tcc_expr *avg = tcc_div(ctx, tcc_read(ctx, s, o), tcc_cast(ctx, at, count));
  outputs[0] = tcc_compute(ctx, "avgpool", nd, we.shape, ax,
                           tcc_cast(ctx, tcc_scalar(X->dtype), avg), "elemwise");
  return TCC_OK;
}

static tcc_status compute_lppool(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  pool_geom g;
  TCC_TRY(pool_geometry(&ic, cc->node, &g));
  double p = 2;
  const tcc_attr *pa = tcc_node_attr(cc->node, "p");
  if (pa && pa->kind == TCC_ATTR_FLOAT)
    p = pa->u.f;
  else if (pa && pa->kind == TCC_ATTR_INT)
    p = (double)pa->u.i;
  const tcc_tensor *X = cc->inputs[0];
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  window_expr we;
  window_exprs(ctx, X, &g.w, &we);
  int nd = g.nsp + 2;
  const tcc_expr *x = tcc_cast(ctx, at, nn_read_clamped(ctx, X, we.xi));
  const tcc_expr *xp;
  if (p == 2)
    xp = tcc_mul(ctx, x, x);
  else if (p == 1)
    xp = tcc_call1(ctx, TCC_INTRIN_FABS, x);
  else {
    const tcc_expr *args[2] = {tcc_call1(ctx, TCC_INTRIN_FABS, x), tcc_float(ctx, at, p)};
    xp = tcc_call(ctx, TCC_INTRIN_POW, 2, args);
  }
  xp = tcc_select(ctx, we.inb, xp, tcc_const(ctx, at, 0));
  tcc_tensor *s = tcc_compute(ctx, "lppool_sum", nd, we.shape, we.ax,
                              tcc_sum(ctx, xp, g.nsp, we.red, NULL), "pool_sum");
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, we.shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *r = tcc_read(ctx, s, o);
  if (p == 2)
    r = tcc_call1(ctx, TCC_INTRIN_SQRT, r);
  else if (p != 1) {
    const tcc_expr *args[2] = {r, tcc_float(ctx, at, 1.0 / p)};
    r = tcc_call(ctx, TCC_INTRIN_POW, 2, args);
  }
  outputs[0] = tcc_compute(ctx, "lppool", nd, we.shape, ax, tcc_cast(ctx, tcc_scalar(X->dtype), r),
                           "elemwise");
  return TCC_OK;
}

static tcc_status compute_global(tcc_compute_ctx *cc, tcc_tensor **outputs, bool is_max) {
  tcc_context *ctx = cc->ctx;
  const tcc_tensor *X = cc->inputs[0];
  int nd = X->ndim, nsp = nd - 2;
  const tcc_expr *shape[TCCRT_MAX_RANK];
  for (int d = 0; d < nd; d++)
    shape[d] = d < 2 ? X->shape[d] : tcc_idx(ctx, 1);
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_itervar *red[NN_MAX_SPATIAL];
  const tcc_expr *xi[TCCRT_MAX_RANK];
  xi[0] = o[0];
  xi[1] = o[1];
  const tcc_expr *count = tcc_idx(ctx, 1);
  for (int i = 0; i < nsp; i++) {
    red[i] = tcc_reduce_axis(ctx, "rk", tcc_idx(ctx, 0), X->shape[2 + i]);
    xi[2 + i] = tcc_expr_var(ctx, red[i]->var);
    count = tcc_mul(ctx, count, X->shape[2 + i]);
  }
  if (is_max) {
    outputs[0] = tcc_compute(ctx, "global_maxpool", nd, shape, ax,
                             tcc_reduce_max(ctx, tcc_read(ctx, X, xi), nsp, red, NULL), "pool_max");
    return TCC_OK;
  }
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  tcc_tensor *s = tcc_compute(ctx, "global_avgpool_sum", nd, shape, ax,
                              tcc_sum(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, xi)), nsp, red, NULL),
                              "pool_sum");
  const tcc_itervar *const *ax2 = tcc_compute_axes(ctx, nd, shape, NULL);
  const tcc_expr **o2 = nn_axis_exprs(ctx, nd, ax2);
  const tcc_expr *avg = tcc_div(ctx, tcc_read(ctx, s, o2), tcc_cast(ctx, at, count));
  outputs[0] = tcc_compute(ctx, "global_avgpool", nd, shape, ax2,
                           tcc_cast(ctx, tcc_scalar(X->dtype), avg), "elemwise");
  return TCC_OK;
}

static tcc_status compute_global_avg(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  return compute_global(cc, outputs, false);
}
static tcc_status compute_global_max(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  return compute_global(cc, outputs, true);
}

/* ---- RoiAlign (10, 16, 22): X (N, C, H, W), rois (R, 4) as [x1, y1, x2, y2], batch_indices (R)
 * -> (R, C, output_height, output_width). Each bin averages (or, mode max, takes the maximum of)
 * sampling_ratio x sampling_ratio bilinear samples, with the sample-position rules of the ONNX
 * reference (ORT): coordinates below -1 or above the extent give 0, others clamp at 0 and at the
 * last row/column; max mode maximizes the four weighted corners. coordinate_transformation_mode
 * half_pixel shifts by -0.5; output_half_pixel (and opset 10) keeps at least 1-pixel rois.
 * sampling_ratio 0 (an adaptive, data-dependent count) is refused. ---- */
static const tcc_attr_schema roi10_attrs[] = {
    {"mode", TCC_ATTR_STRING, false},         {"output_height", TCC_ATTR_INT, false},
    {"output_width", TCC_ATTR_INT, false},    {"sampling_ratio", TCC_ATTR_INT, false},
    {"spatial_scale", TCC_ATTR_FLOAT, false}, A_END};
static const tcc_attr_schema roi16_attrs[] = {
    {"coordinate_transformation_mode", TCC_ATTR_STRING, false},
    {"mode", TCC_ATTR_STRING, false},
    {"output_height", TCC_ATTR_INT, false},
    {"output_width", TCC_ATTR_INT, false},
    {"sampling_ratio", TCC_ATTR_INT, false},
    {"spatial_scale", TCC_ATTR_FLOAT, false},
    A_END};

typedef struct roi_geom {
  int64_t oh, ow, sr;
  double scale;
  bool half_pixel, is_max;
} roi_geom;

static tcc_status roi_geometry(tcc_infer_ctx *ic, const tcc_node *n, roi_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X, *R, *B;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  TCC_TRY(tcc_infer_input(ic, n, 1, &R));
  TCC_TRY(tcc_infer_input(ic, n, 2, &B));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 2, TCC_DTM_INT32_64));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  if (X->ndim != 4)
    return tcc_node_error(ctx, ic->graph, n, "X %s: expected N x C x H x W",
                          tcc_value_shape_str(ctx, X));
  const tcc_expr *rd[2] = {NULL, tcc_idx(ctx, 4)};
  TCC_TRY(nn_check_shape(ic, n, 1, "rois", 2, rd));
  const tcc_expr *bd[1] = {R->dims[0]};
  TCC_TRY(nn_check_shape(ic, n, 2, "batch_indices", 1, bd));
  TCC_TRY(nn_attr_int(ic, n, "output_height", 1, &g->oh));
  TCC_TRY(nn_attr_int(ic, n, "output_width", 1, &g->ow));
  TCC_TRY(nn_attr_int(ic, n, "sampling_ratio", 0, &g->sr));
  TCC_TRY(nn_attr_float(ic, n, "spatial_scale", 1.0, &g->scale));
  if (g->oh < 1 || g->ow < 1 || g->sr < 0)
    return tcc_node_error(ctx, ic->graph, n,
                          "output_height/output_width must be >= 1 and sampling_ratio >= 0");
  const char *mode, *ctm = "output_half_pixel";
  TCC_TRY(nn_attr_string(ic, n, "mode", "avg", &mode));
  if (n->opset >= 16)
    TCC_TRY(nn_attr_string(ic, n, "coordinate_transformation_mode", "half_pixel", &ctm));
  g->is_max = !strcmp(mode, "max");
  g->half_pixel = !strcmp(ctm, "half_pixel");
  if ((!g->is_max && strcmp(mode, "avg")) || (!g->half_pixel && strcmp(ctm, "output_half_pixel")))
    return tcc_node_error(ctx, ic->graph, n, "mode '%s' / coordinate_transformation_mode '%s'",
                          mode, ctm);
  return TCC_OK;
}

static tcc_status infer_roi_align(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  roi_geom g;
  TCC_TRY(roi_geometry(ic, n, &g));
  const tcc_value *X = tcc_op_input(n, 0), *R = tcc_op_input(n, 1);
  const tcc_expr *dims[4] = {R->dims[0], X->dims[1], tcc_idx(ic->ctx, g.oh),
                             tcc_idx(ic->ctx, g.ow)};
  return tcc_infer_set_output(ic, n, 0, X->dtype, 4, dims);
}

static tcc_status compute_roi_align(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  roi_geom g;
  TCC_TRY(roi_geometry(&ic, cc->node, &g));
  if (g.sr == 0)
    return nn_compute_error(cc, "sampling_ratio 0 (adaptive, data-dependent sample counts) is not "
                                "supported");
  const tcc_tensor *X = cc->inputs[0], *R = cc->inputs[1], *BI = cc->inputs[2];
  tcc_type f = tcc_scalar(TCCRT_FLOAT64);
  const tcc_expr *shape[4] = {R->shape[0], X->shape[1], tcc_idx(ctx, g.oh), tcc_idx(ctx, g.ow)};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 4, shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, 4, ax);
  const tcc_itervar *red[2] = {tcc_reduce_axis(ctx, "iy", tcc_idx(ctx, 0), tcc_idx(ctx, g.sr)),
                               tcc_reduce_axis(ctx, "ix", tcc_idx(ctx, 0), tcc_idx(ctx, g.sr))};
  const tcc_expr *off = tcc_float(ctx, f, g.half_pixel ? 0.5 : 0.0);
  const tcc_expr *sc = tcc_float(ctx, f, g.scale), *one = tcc_float(ctx, f, 1.0),
                 *zero = tcc_float(ctx, f, 0.0), *half = tcc_float(ctx, f, 0.5);
  const tcc_expr *coord[4];
  for (int k = 0; k < 4; k++) {
    const tcc_expr *ri[2] = {o[0], tcc_idx(ctx, k)};
    coord[k] = tcc_sub(ctx, tcc_mul(ctx, tcc_cast(ctx, f, tcc_read(ctx, R, ri)), sc), off);
  }
  const tcc_expr *extent[2] = {X->shape[2], X->shape[3]}; /* y: H, x: W */
  const tcc_expr *pos[2];
  const tcc_expr *ext_f[2];
  for (int a = 0; a < 2; a++) { /* a = 0: y (rois 1, 3), a = 1: x (rois 0, 2) */
    const tcc_expr *start = coord[a == 0 ? 1 : 0], *end = coord[a == 0 ? 3 : 2];
    const tcc_expr *len = tcc_sub(ctx, end, start);
    if (!g.half_pixel) len = tcc_max(ctx, len, one);
    int64_t bins = a == 0 ? g.oh : g.ow;
    const tcc_expr *bin = tcc_div(ctx, len, tcc_float(ctx, f, (double)bins));
    const tcc_expr *p = tcc_cast(ctx, f, o[2 + a]);
    const tcc_expr *i = tcc_cast(ctx, f, tcc_expr_var(ctx, red[a]->var));
    pos[a] = tcc_add(
        ctx, tcc_add(ctx, start, tcc_mul(ctx, p, bin)),
        tcc_div(ctx, tcc_mul(ctx, tcc_add(ctx, i, half), bin), tcc_float(ctx, f, (double)g.sr)));
    ext_f[a] = tcc_cast(ctx, f, extent[a]);
  }
  const tcc_expr *outside = tcc_or(
      ctx,
      tcc_or(ctx, tcc_lt(ctx, pos[0], tcc_unary(ctx, TCC_NEG, one)), tcc_gt(ctx, pos[0], ext_f[0])),
      tcc_or(ctx, tcc_lt(ctx, pos[1], tcc_unary(ctx, TCC_NEG, one)),
             tcc_gt(ctx, pos[1], ext_f[1])));
  const tcc_expr *lo[2], *hi[2], *l[2];
  for (int a = 0; a < 2; a++) {
    const tcc_expr *v = tcc_max(ctx, tcc_min(ctx, pos[a], ext_f[a]), zero);
    const tcc_expr *last = tcc_sub(ctx, extent[a], tcc_idx(ctx, 1));
    const tcc_expr *vl = tcc_cast(ctx, tcc_index_type(), v); /* v >= 0: truncation = floor */
    const tcc_expr *at_end = tcc_ge(ctx, vl, last);
    lo[a] = tcc_max(ctx, tcc_select(ctx, at_end, last, vl), tcc_idx(ctx, 0));
    hi[a] = tcc_max(ctx, tcc_select(ctx, at_end, last, tcc_add(ctx, vl, tcc_idx(ctx, 1))),
                    tcc_idx(ctx, 0));
    const tcc_expr *vv = tcc_select(ctx, at_end, tcc_cast(ctx, f, last), v);
    l[a] = tcc_sub(ctx, vv, tcc_cast(ctx, f, lo[a]));
  }
  const tcc_expr *bi = o[0];
  const tcc_expr *b = tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, BI, &bi));
  b = tcc_max(ctx, tcc_min(ctx, b, tcc_sub(ctx, X->shape[0], tcc_idx(ctx, 1))), tcc_idx(ctx, 0));
  const tcc_expr *corner[4];
  const tcc_expr *wts[4] = {tcc_mul(ctx, tcc_sub(ctx, one, l[0]), tcc_sub(ctx, one, l[1])),
                            tcc_mul(ctx, tcc_sub(ctx, one, l[0]), l[1]),
                            tcc_mul(ctx, l[0], tcc_sub(ctx, one, l[1])), tcc_mul(ctx, l[0], l[1])};
  for (int k = 0; k < 4; k++) {
    const tcc_expr *xi[4] = {b, o[1], k < 2 ? lo[0] : hi[0], (k & 1) ? hi[1] : lo[1]};
    corner[k] = tcc_mul(ctx, wts[k], tcc_cast(ctx, f, nn_read_clamped(ctx, X, xi)));
  }
  const tcc_expr *sample;
  if (g.is_max)
    sample = tcc_max(ctx, tcc_max(ctx, tcc_max(ctx, corner[0], corner[1]), corner[2]), corner[3]);
  else
    sample = tcc_add(ctx, tcc_add(ctx, tcc_add(ctx, corner[0], corner[1]), corner[2]), corner[3]);
  sample = tcc_select(ctx, outside, zero, sample);
  const tcc_expr *body =
      g.is_max ? tcc_reduce_max(ctx, sample, 2, red, NULL) : tcc_sum(ctx, sample, 2, red, NULL);
  tcc_tensor *acc = tcc_compute(ctx, "roi_align_acc", 4, shape, ax, body, "pool_roi");
  const tcc_itervar *const *a2 = tcc_compute_axes(ctx, 4, shape, NULL);
  const tcc_expr *v = tcc_read(ctx, acc, nn_axis_exprs(ctx, 4, a2));
  if (!g.is_max) v = tcc_div(ctx, v, tcc_float(ctx, f, (double)(g.sr * g.sr)));
  outputs[0] = tcc_compute(ctx, "roi_align", 4, shape, a2, tcc_cast(ctx, tcc_scalar(X->dtype), v),
                           "elemwise");
  return TCC_OK;
}

/* ---- MaxUnpool (9, 11, 22): X and I (flat indices into the output, as MaxPool's Indices) of
 * shape N x C x D..., optional constant output_shape; kernel_shape, pads, strides. The output
 * (default extents (in - 1) * stride - pads + kernel) is zero except Y.flat[I[j]] = X[j], the
 * indices counting in the default shape, zero-padded at the end to output_shape (the ONNX
 * reference: Y.flat[I[j]] = X[j], the last j winning). Computed as a scatter: every output
 * position finds the last j whose index names it; an index outside [0, prod(default shape)) is a
 * run-time error. ---- */
static const tcc_attr_schema unpool_attrs[] = {{"kernel_shape", TCC_ATTR_INTS, true},
                                               {"pads", TCC_ATTR_INTS, false},
                                               {"strides", TCC_ATTR_INTS, false},
                                               A_END};

typedef struct unpool_geom {
  int nsp;
  int64_t k[NN_MAX_SPATIAL], s[NN_MAX_SPATIAL], pads[2 * NN_MAX_SPATIAL];
  const tcc_expr *out[TCCRT_MAX_RANK];  /* the output (output_shape when given) */
  const tcc_expr *dflt[TCCRT_MAX_RANK]; /* the default extents the indices refer to */
} unpool_geom;

static tcc_status unpool_geometry(tcc_infer_ctx *ic, const tcc_node *n, unpool_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X, *I;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  TCC_TRY(tcc_infer_input(ic, n, 1, &I));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_INT64)));
  if (X->ndim < 3 || X->ndim > TCCRT_MAX_RANK)
    return tcc_node_error(ctx, ic->graph, n, "X %s: expected N x C x D1 ... Dn",
                          tcc_value_shape_str(ctx, X));
  TCC_TRY(nn_check_shape(ic, n, 1, "I", X->ndim, X->dims));
  g->nsp = X->ndim - 2;
  TCC_TRY(nn_attr_ints_n(ic, n, "kernel_shape", g->nsp, 1, g->k));
  TCC_TRY(nn_attr_ints_n(ic, n, "strides", g->nsp, 1, g->s));
  TCC_TRY(nn_attr_ints_n(ic, n, "pads", 2 * g->nsp, 0, g->pads));
  for (int i = 0; i < g->nsp; i++)
    if (g->k[i] < 1 || g->s[i] < 1 || g->pads[i] < 0 || g->pads[i + g->nsp] < 0)
      return tcc_node_error(ctx, ic->graph, n, "kernel and strides must be >= 1, pads >= 0");
  g->out[0] = X->dims[0];
  g->out[1] = X->dims[1];
  for (int i = 0; i < g->nsp; i++) {
    int64_t in, e;
    if (tcc_expr_is_int_imm(X->dims[2 + i], &in) &&
        (!tcc_mul_ovf(in - 1, g->s[i], &e) || !tcc_add_ovf(e, g->k[i], &e) ||
         __builtin_sub_overflow(e, g->pads[i], &e) ||
         __builtin_sub_overflow(e, g->pads[i + g->nsp], &e)))
      return tcc_node_error(ctx, ic->graph, n,
                            "spatial axis %d: the output extent (in - 1) * stride + kernel - pads "
                            "overflows int64",
                            i);
  }
  for (int i = 0; i < g->nsp; i++)
    g->out[2 + i] =
        tcc_shape_add(ctx,
                      tcc_shape_mul(ctx, tcc_shape_sub(ctx, X->dims[2 + i], tcc_idx(ctx, 1)),
                                    tcc_idx(ctx, g->s[i])),
                      tcc_idx(ctx, g->k[i] - g->pads[i] - g->pads[i + g->nsp]));
  for (int d = 0; d < X->ndim; d++)
    g->dflt[d] = g->out[d];
  if (tcc_op_input(n, 2)) {
    bool known;
    int64_t cnt;
    const int64_t *v;
    TCC_TRY(tcc_infer_const_ints(ic, n, 2, &known, &cnt, &v));
    if (!known)
      return tcc_node_error(ctx, ic->graph, n,
                            "input 2 (output_shape) is not constant; the output shape cannot be "
                            "inferred");
    if (cnt != X->ndim)
      return tcc_node_error(ctx, ic->graph, n, "output_shape has %lld values; expected %d",
                            (long long)cnt, X->ndim);
    for (int d = 0; d < X->ndim; d++) {
      int64_t e;
      if (v[d] < 0 || (d < 2 && tcc_expr_is_int_imm(X->dims[d], &e) && e != v[d]))
        return tcc_node_error(ctx, ic->graph, n, "output_shape dim %d (%lld) does not fit X %s", d,
                              (long long)v[d], tcc_value_shape_str(ctx, X));
      if (d >= 2) g->out[d] = tcc_idx(ctx, v[d]);
    }
  }
  for (int d = 2; d < X->ndim; d++) {
    int64_t e;
    if (tcc_expr_is_int_imm(g->out[d], &e) && e < 1)
      return tcc_node_error(ctx, ic->graph, n, "output dim %d would be %lld", d, (long long)e);
    if (tcc_expr_is_int_imm(g->dflt[d], &e) && e < 1)
      return tcc_node_error(ctx, ic->graph, n,
                            "the default output dim %d ((in - 1) * stride + kernel - pads) would "
                            "be %lld",
                            d, (long long)e);
  }
  return TCC_OK;
}

static tcc_status infer_max_unpool(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  unpool_geom g;
  TCC_TRY(unpool_geometry(ic, n, &g));
  const tcc_value *X = tcc_op_input(n, 0);
  return tcc_infer_set_output(ic, n, 0, X->dtype, X->ndim, g.out);
}

static tcc_status compute_max_unpool(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  unpool_geom g;
  TCC_TRY(unpool_geometry(&ic, cc->node, &g));
  const tcc_tensor *X = cc->inputs[0], *I = cc->inputs[1];
  int nd = X->ndim;
  const tcc_node *n = cc->node;
  const char *where =
      tcc_arena_printf(tcc_ctx_arena(ctx), "node '%s' (%s)", tcc_node_label(n), n->op_type);
  /* Stage 1, a scatter as ScatterND computes one (reduction "none"): output position o (its
   * row-major index `target` in the default shape, -1 in the zero padding up to output_shape)
   * takes the last input position j (row-major over X) with I[j] == target. Every I[j] must
   * lie in [0, prod(default shape)): checked at run time. Costs |Y| * |X| compares. */
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, g.out, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *flat = tcc_idx(ctx, 0), *inside = tcc_bool(ctx, true);
  for (int d = 0; d < nd; d++) {
    flat = tcc_add(ctx, tcc_mul(ctx, flat, g.dflt[d]), o[d]);
    if (d >= 2) inside = tcc_and(ctx, inside, tcc_lt(ctx, o[d], g.dflt[d]));
  }
  const tcc_expr *target = tcc_select(ctx, inside, flat, tcc_idx(ctx, -1));
  const tcc_itervar *red[TCCRT_MAX_RANK];
  const tcc_expr *j[TCCRT_MAX_RANK], *jflat = tcc_idx(ctx, 0);
  for (int d = 0; d < nd; d++) {
    red[d] = tcc_reduce_axis(ctx, "j", tcc_idx(ctx, 0), X->shape[d]);
    j[d] = tcc_expr_var(ctx, red[d]->var);
    jflat = tcc_add(ctx, tcc_mul(ctx, jflat, X->shape[d]), j[d]);
  }
  const tcc_expr *iv = tcc_check_range(ctx, tcc_read(ctx, I, j), tcc_idx(ctx, 0),
                                       tcc_shape_prod(ctx, nd, g.dflt), where);
  const tcc_expr *src = tcc_select(ctx, tcc_eq(ctx, iv, target), jflat, tcc_idx(ctx, -1));
  const char *nm = tcc_arena_printf(tcc_ctx_arena(ctx), "%s.scatter",
                                    n->outputs[0] ? n->outputs[0]->name : "max_unpool");
  tcc_tensor *last =
      tcc_compute(ctx, nm, nd, g.out, ax, tcc_reduce_max(ctx, src, nd, red, NULL), "reduce");
  /* Stage 2: X at that position, 0 where no index names o. */
  const tcc_itervar *const *a2 = tcc_compute_axes(ctx, nd, g.out, NULL);
  const tcc_expr *lv = tcc_read(ctx, last, nn_axis_exprs(ctx, nd, a2));
  const tcc_expr *f = tcc_max(ctx, lv, tcc_idx(ctx, 0)), *xi[TCCRT_MAX_RANK];
  for (int d = nd - 1; d >= 0; d--) {
    xi[d] = d == 0 ? f : tcc_floormod(ctx, f, X->shape[d]);
    if (d > 0) f = tcc_floordiv(ctx, f, X->shape[d]);
  }
  tcc_type xt = tcc_scalar(X->dtype);
  outputs[0] = tcc_compute(ctx, "max_unpool", nd, g.out, a2,
                           tcc_select(ctx, tcc_ge(ctx, lv, tcc_idx(ctx, 0)),
                                      nn_read_clamped(ctx, X, xi), tcc_float(ctx, xt, 0)),
                           "injective");
  return TCC_OK;
}

/* ---- blocked layouts: a 2-D pool of an NCHW{b}c tensor [N, C/b, H, W, b] is the same pool of
 * the 5-D tensor with a unit window along the block (kernel [kH, kW, 1], strides [.., 1], no
 * padding, dilation 1 there); a global pool becomes that window over all of H x W. ---- */

/* Accepts X in NCHW{b}c (the only blocked dim c, innermost) for MaxPool (without Indices),
 * AveragePool and the global pools; float X of constant spatial extents. */
static tcc_status pool_infer_layout(tcc_layout_ctx *lc, const tcc_node *n, const tcc_layout *in,
                                    tcc_layout *req, tcc_layout *out) {
  (void)lc;
  const tcc_value *X = tcc_op_input(n, 0);
  if (!X || X->ndim != 4 || !tcc_layout_is_blocked(&in[0])) return TCC_OK;
  if (in[0].ndim != 5 || memcmp(in[0].axis, "NCHWc", 5)) return TCC_OK;
  for (int k = 1; k < n->noutputs; k++)
    if (n->outputs[k]) return TCC_OK; /* MaxPool's Indices are NCHW offsets */
  if (!tcc_value_shape_known(X)) return TCC_OK;
  int64_t so = 0;
  const tcc_attr *a = tcc_node_attr(n, "storage_order");
  if (a && a->kind == TCC_ATTR_INT) so = a->u.i;
  if (so) return TCC_OK;
  req[0] = in[0];
  out[0] = in[0];
  return TCC_OK;
}

/* The attribute `name` (INTS of count values) extended for the block dim: a unit kernel, stride,
 * dilation; pads [b0, b1, e0, e1] -> [b0, b1, 0, e0, e1, 0]. */
static tcc_attr extend_ints(tcc_context *ctx, const tcc_attr *at) {
  tcc_attr r = *at;
  int n = at->u.ints.n;
  int64_t *v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(int64_t) * (size_t)(n + 2));
  if (!strcmp(at->name, "pads") && n % 2 == 0) {
    int h = n / 2;
    for (int i = 0; i < h; i++) {
      v[i] = at->u.ints.v[i];
      v[h + 1 + i] = at->u.ints.v[h + i];
    }
    v[h] = 0;
    v[n + 1] = 0;
    r.u.ints.n = n + 2;
  } else {
    for (int i = 0; i < n; i++)
      v[i] = at->u.ints.v[i];
    v[n] = 1;
    r.u.ints.n = n + 1;
  }
  r.u.ints.v = v;
  return r;
}

static tcc_status pool_alter_layout(tcc_layout_ctx *lc, tcc_node *n, const tcc_layout *in,
                                    const tcc_layout *out, tcc_layout_rewrite *rw) {
  (void)in;
  (void)out;
  tcc_context *ctx = lc->ctx;
  tcc_arena *ar = tcc_ctx_arena(ctx);
  rw->nnodes = 0;
  bool global_avg = !strcmp(n->op_type, "GlobalAveragePool");
  bool global_max = !strcmp(n->op_type, "GlobalMaxPool");
  if (global_avg || global_max) {
    const tcc_value *X = n->inputs[0]; /* the 5-D blocked input */
    int64_t h, w;
    if (X->ndim != 5 || !tcc_expr_is_int_imm(X->dims[2], &h) ||
        !tcc_expr_is_int_imm(X->dims[3], &w))
      return tcc_node_error(ctx, lc->graph, n,
                            "blocked global pool: input %s is not [N, C/b, H, W, b]",
                            tcc_value_shape_str(ctx, X));
    const char *name = global_avg ? "AveragePool" : "MaxPool";
    int64_t opset = n->opset > 0 ? n->opset : tcc_graph_opset(lc->graph, "");
    const tcc_op *op = tcc_op_lookup("", name, opset);
    if (!op) op = tcc_op_lookup("", name, 11);
    int64_t *k = tcc_arena_alloc(ar, sizeof(int64_t) * 3);
    k[0] = h;
    k[1] = w;
    k[2] = 1;
    tcc_attr *at = tcc_arena_alloc(ar, sizeof(tcc_attr));
    at->name = "kernel_shape";
    at->kind = TCC_ATTR_INTS;
    at->u.ints.n = 3;
    at->u.ints.v = k;
    n->attrs = at;
    n->nattrs = 1;
    n->op_type = name;
    n->op = op;
    n->opset = op->since_version;
    return TCC_OK;
  }
  tcc_attr *attrs = tcc_arena_alloc(ar, sizeof(tcc_attr) * (size_t)(n->nattrs + 1));
  for (int a = 0; a < n->nattrs; a++) {
    const tcc_attr *at = &n->attrs[a];
    bool ext = at->kind == TCC_ATTR_INTS &&
               (!strcmp(at->name, "kernel_shape") || !strcmp(at->name, "strides") ||
                !strcmp(at->name, "dilations") || !strcmp(at->name, "pads"));
    attrs[a] = ext ? extend_ints(ctx, at) : *at;
  }
  n->attrs = attrs;
  return TCC_OK;
}

#define POOL(NAME, SINCE, UNTIL, MAXO, ATTRS, INFER, COMPUTE)                                      \
  {NAME, "", SINCE, UNTIL, TCC_PAT_OUT_ELEMWISE_FUSABLE, 1, 1, 1, MAXO, ATTRS, INFER, COMPUTE}
/* clang-format off */
#define POOL_L(NAME, SINCE, UNTIL, MAXO, ATTRS, INFER, COMPUTE)                                    \
  {NAME, "", SINCE, UNTIL, TCC_PAT_OUT_ELEMWISE_FUSABLE, 1, 1, 1, MAXO, ATTRS, INFER, COMPUTE,     \
   pool_infer_layout, pool_alter_layout}
/* clang-format on */

const tcc_op tcc_ops_pool[] = {
    POOL_L("MaxPool", 1, 7, 1, maxpool1_attrs, infer_maxpool, compute_maxpool),
    POOL_L("MaxPool", 8, 9, 2, maxpool8_attrs, infer_maxpool, compute_maxpool),
    POOL_L("MaxPool", 10, 10, 2, maxpool10_attrs, infer_maxpool, compute_maxpool),
    POOL_L("MaxPool", 11, 11, 2, maxpool10_attrs, infer_maxpool, compute_maxpool),
    POOL_L("MaxPool", 12, 21, 2, maxpool10_attrs, infer_maxpool, compute_maxpool),
    POOL_L("MaxPool", 22, 0, 2, maxpool10_attrs, infer_maxpool, compute_maxpool),
    POOL_L("AveragePool", 1, 6, 1, avgpool1_attrs, infer_avgpool, compute_avgpool),
    POOL_L("AveragePool", 7, 9, 1, avgpool7_attrs, infer_avgpool, compute_avgpool),
    POOL_L("AveragePool", 10, 10, 1, avgpool10_attrs, infer_avgpool, compute_avgpool),
    POOL_L("AveragePool", 11, 18, 1, avgpool10_attrs, infer_avgpool, compute_avgpool),
    POOL_L("AveragePool", 19, 21, 1, avgpool19_attrs, infer_avgpool, compute_avgpool),
    POOL_L("AveragePool", 22, 0, 1, avgpool19_attrs, infer_avgpool, compute_avgpool),
    POOL("LpPool", 1, 1, 1, lppool1_attrs, infer_avgpool, compute_lppool),
    POOL("LpPool", 2, 10, 1, lppool2_attrs, infer_avgpool, compute_lppool),
    POOL("LpPool", 11, 17, 1, lppool2_attrs, infer_avgpool, compute_lppool),
    POOL("LpPool", 18, 21, 1, lppool18_attrs, infer_avgpool, compute_lppool),
    POOL("LpPool", 22, 0, 1, lppool18_attrs, infer_avgpool, compute_lppool),
    POOL_L("GlobalAveragePool", 1, 21, 1, no_attrs, infer_global_pool, compute_global_avg),
    POOL_L("GlobalAveragePool", 22, 0, 1, no_attrs, infer_global_pool, compute_global_avg),
    POOL_L("GlobalMaxPool", 1, 21, 1, no_attrs, infer_global_pool, compute_global_max),
    POOL_L("GlobalMaxPool", 22, 0, 1, no_attrs, infer_global_pool, compute_global_max),
    {"MaxUnpool", "", 9, 10, TCC_PAT_OPAQUE, 2, 3, 1, 1, unpool_attrs, infer_max_unpool,
     compute_max_unpool},
    {"MaxUnpool", "", 11, 21, TCC_PAT_OPAQUE, 2, 3, 1, 1, unpool_attrs, infer_max_unpool,
     compute_max_unpool},
    {"MaxUnpool", "", 22, 0, TCC_PAT_OPAQUE, 2, 3, 1, 1, unpool_attrs, infer_max_unpool,
     compute_max_unpool},
    {"RoiAlign", "", 10, 15, TCC_PAT_OPAQUE, 3, 3, 1, 1, roi10_attrs, infer_roi_align,
     compute_roi_align},
    {"RoiAlign", "", 16, 21, TCC_PAT_OPAQUE, 3, 3, 1, 1, roi16_attrs, infer_roi_align,
     compute_roi_align},
    {"RoiAlign", "", 22, 0, TCC_PAT_OPAQUE, 3, 3, 1, 1, roi16_attrs, infer_roi_align,
     compute_roi_align},
};
const int tcc_ops_pool_count = (int)TCC_ARRAY_SIZE(tcc_ops_pool);
