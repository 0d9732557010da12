/* resize.c — the resize op family: Resize, Upsample, GridSample, AffineGrid.
 *
 * Spec: ONNX Resize (opsets 10, 11, 13, 18, 19) and Upsample (7: scales attribute, 9: scales
 * input; deprecated from 10). Output extents come from constant `sizes` (with
 * keep_aspect_ratio_policy from 18) or floor(in * scale) from constant `scales` (times the roi
 * extent for tf_crop_and_resize); `axes` (18) selects the resized dims. Each output coordinate
 * maps back by coordinate_transformation_mode (half_pixel, half_pixel_symmetric,
 * pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize); mode
 * nearest rounds it by nearest_mode, linear and cubic (cubic_coeff_a, exclude_outside) weigh the
 * 2 or 4 neighbours per axis with edge clamping, as the ONNX reference does; with antialias
 * (18) and scale < 1 the linear/cubic kernel is stretched by 1/scale over more taps and
 * normalized. Resize-10 and
 * Upsample use asymmetric coordinates and floor for nearest. Coordinates and weights are float64.
 */
#include "nn_util.h"

#include <math.h>
#include <string.h>

#define A_END {NULL, 0, false}
static const tcc_attr_schema r10_attrs[] = {{"mode", TCC_ATTR_STRING, false}, A_END};
static const tcc_attr_schema r11_attrs[] = {
    {"coordinate_transformation_mode", TCC_ATTR_STRING, false},
    {"cubic_coeff_a", TCC_ATTR_FLOAT, false},
    {"exclude_outside", TCC_ATTR_INT, false},
    {"extrapolation_value", TCC_ATTR_FLOAT, false},
    {"mode", TCC_ATTR_STRING, false},
    {"nearest_mode", TCC_ATTR_STRING, false},
    A_END};
static const tcc_attr_schema r18_attrs[] = {
    {"antialias", TCC_ATTR_INT, false},
    {"axes", TCC_ATTR_INTS, false},
    {"coordinate_transformation_mode", TCC_ATTR_STRING, false},
    {"cubic_coeff_a", TCC_ATTR_FLOAT, false},
    {"exclude_outside", TCC_ATTR_INT, false},
    {"extrapolation_value", TCC_ATTR_FLOAT, false},
    {"keep_aspect_ratio_policy", TCC_ATTR_STRING, false},
    {"mode", TCC_ATTR_STRING, false},
    {"nearest_mode", TCC_ATTR_STRING, false},
    A_END};
static const tcc_attr_schema up7_attrs[] = {
    {"mode", TCC_ATTR_STRING, false}, {"scales", TCC_ATTR_FLOATS, true}, A_END};
static const tcc_attr_schema up9_attrs[] = {{"mode", TCC_ATTR_STRING, false}, A_END};

typedef enum { M_NEAREST, M_LINEAR, M_CUBIC } rs_mode;
typedef enum {
  C_HALF_PIXEL,
  C_HALF_PIXEL_SYM,
  C_PYTORCH_HALF_PIXEL,
  C_ALIGN_CORNERS,
  C_ASYMMETRIC,
  C_TF_HALF_PIXEL_NN,
  C_TF_CROP_RESIZE
} rs_coord;
typedef enum { N_ROUND_FLOOR, N_ROUND_CEIL, N_FLOOR, N_CEIL } rs_nearest;

typedef struct rs_geom {
  int nd;
  rs_mode mode;
  rs_coord coord;
  rs_nearest nearest;
  double cubic_a, extrapolation;
  bool exclude_outside;
  bool antialias; /* linear/cubic: filter stretched by 1/scale when downscaling (18) */
  bool resized[TCCRT_MAX_RANK];
  double scale[TCCRT_MAX_RANK];
  double roi_start[TCCRT_MAX_RANK], roi_end[TCCRT_MAX_RANK];
  const tcc_expr *out[TCCRT_MAX_RANK];
} rs_geom;

static tcc_status parse_enum(tcc_infer_ctx *ic, const tcc_node *n, const char *attr,
                             const char *dflt, const char *const *names, int count, int *out) {
  const char *s = dflt;
  if (tcc_node_attr(n, attr)) TCC_TRY(nn_attr_string(ic, n, attr, dflt, &s));
  for (int i = 0; i < count; i++)
    if (!strcmp(s, names[i])) {
      *out = i;
      return TCC_OK;
    }
  return tcc_node_error(ic->ctx, ic->graph, n, "attribute '%s' has unsupported value '%s'", attr,
                        s);
}

/* Reads the geometry. Inputs: Resize-10 (X, scales), Resize-11+ (X, roi, scales, sizes),
 * Upsample-7 (X; scales attribute), Upsample-9 (X, scales). */
static tcc_status rs_geometry(tcc_infer_ctx *ic, const tcc_node *n, rs_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  memset(g, 0, sizeof *g);
  int nd = g->nd = X->ndim;
  bool upsample = !strcmp(n->op_type, "Upsample");
  bool legacy = upsample || n->opset < 11;
  static const char *const modes[] = {"nearest", "linear", "cubic", "bilinear"};
  int m;
  TCC_TRY(parse_enum(ic, n, "mode", "nearest", modes, legacy ? 4 : 3, &m));
  g->mode = m == 3 ? M_LINEAR : (rs_mode)m;
  if (legacy && g->mode == M_CUBIC)
    return tcc_node_error(ctx, ic->graph, n, "mode 'cubic' needs Resize from opset 11");
  static const char *const coords[] = {
      "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
      "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  static const char *const nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                         "ceil"};
  int c = C_ASYMMETRIC, nm = N_FLOOR;
  if (!legacy) {
    TCC_TRY(parse_enum(ic, n, "coordinate_transformation_mode", "half_pixel", coords, 7, &c));
    TCC_TRY(parse_enum(ic, n, "nearest_mode", "round_prefer_floor", nearests, 4, &nm));
    TCC_TRY(nn_attr_float(ic, n, "cubic_coeff_a", -0.75, &g->cubic_a));
    TCC_TRY(nn_attr_float(ic, n, "extrapolation_value", 0.0, &g->extrapolation));
    int64_t ex = 0;
    TCC_TRY(nn_attr_int(ic, n, "exclude_outside", 0, &ex));
    g->exclude_outside = ex != 0;
    int64_t aa = 0;
    if (tcc_node_attr(n, "antialias")) TCC_TRY(nn_attr_int(ic, n, "antialias", 0, &aa));
    g->antialias = aa != 0 && g->mode != M_NEAREST;
  }
  g->coord = (rs_coord)c;
  g->nearest = (rs_nearest)nm;
  /* axes */
  int axes[TCCRT_MAX_RANK], naxes = nd;
  for (int d = 0; d < nd; d++)
    axes[d] = d;
  if (tcc_node_attr(n, "axes")) {
    int cnt;
    const int64_t *v;
    TCC_TRY(tcc_node_attr_ints(ctx, ic->graph, n, "axes", &cnt, &v));
    if (cnt > nd) return tcc_node_error(ctx, ic->graph, n, "attribute 'axes' has too many values");
    TCC_TRY(tcc_infer_axes(ic, n, "axes", cnt, v, nd, axes));
    naxes = cnt;
  }
  for (int d = 0; d < nd; d++) {
    g->scale[d] = 1.0;
    g->roi_start[d] = 0.0;
    g->roi_end[d] = 1.0;
    g->out[d] = X->dims[d];
  }
  /* roi (tf_crop_and_resize only) */
  if (!legacy && g->coord == C_TF_CROP_RESIZE) {
    bool known;
    int64_t cnt;
    const double *rv;
    TCC_TRY(tcc_infer_const_floats(ic, n, 1, &known, &cnt, &rv));
    if (!known || cnt != 2 * naxes)
      return tcc_node_error(ctx, ic->graph, n,
                            "tf_crop_and_resize needs a constant roi of %d values", 2 * naxes);
    for (int i = 0; i < naxes; i++) {
      g->roi_start[axes[i]] = rv[i];
      g->roi_end[axes[i]] = rv[i + naxes];
    }
  }
  /* scales / sizes */
  int scales_k = upsample ? (n->opset >= 9 ? 1 : -1) : (n->opset < 11 ? 1 : 2);
  int sizes_k = legacy ? -1 : 3;
  bool have_scales = false, have_sizes = false;
  double scales[TCCRT_MAX_RANK];
  int64_t sizes[TCCRT_MAX_RANK];
  if (scales_k < 0) {
    int cnt;
    const tcc_attr *a = tcc_node_attr(n, "scales");
    cnt = a ? a->u.floats.n : 0;
    if (!a || cnt != nd)
      return tcc_node_error(ctx, ic->graph, n, "attribute 'scales' must have %d values", nd);
    for (int i = 0; i < nd; i++)
      scales[i] = a->u.floats.v[i];
    have_scales = true;
  } else if (tcc_op_input(n, scales_k)) {
    bool known;
    int64_t cnt;
    const double *v;
    TCC_TRY(tcc_infer_const_floats(ic, n, scales_k, &known, &cnt, &v));
    if (!known)
      return tcc_node_error(
          ctx, ic->graph, n,
          "input %d (scales) is not constant; the output shape cannot be inferred", scales_k);
    if (cnt > 0) {
      if (cnt != naxes)
        return tcc_node_error(ctx, ic->graph, n, "scales has %lld values; expected %d",
                              (long long)cnt, naxes);
      for (int i = 0; i < naxes; i++)
        scales[i] = v[i];
      have_scales = true;
    }
  }
  if (sizes_k >= 0 && tcc_op_input(n, sizes_k)) {
    bool known;
    int64_t cnt;
    const int64_t *v;
    TCC_TRY(tcc_infer_const_ints(ic, n, sizes_k, &known, &cnt, &v));
    if (!known)
      return tcc_node_error(ctx, ic->graph, n,
                            "input 3 (sizes) is not constant; the output shape cannot be inferred");
    if (cnt > 0) {
      if (cnt != naxes)
        return tcc_node_error(ctx, ic->graph, n, "sizes has %lld values; expected %d",
                              (long long)cnt, naxes);
      for (int i = 0; i < naxes; i++)
        sizes[i] = v[i];
      have_sizes = true;
    }
  }
  if (have_scales == have_sizes)
    return tcc_node_error(ctx, ic->graph, n, "exactly one of scales and sizes must be given");
  if (have_scales) {
    for (int i = 0; i < naxes; i++) {
      int d = axes[i];
      double s = scales[i];
      if (!(s > 0)) return tcc_node_error(ctx, ic->graph, n, "scale %g must be > 0", s);
      g->scale[d] = s;
      g->resized[d] = s != 1.0 || g->coord == C_TF_CROP_RESIZE;
      double f = s * (g->roi_end[d] - g->roi_start[d]);
      int64_t in;
      /* every double converted to int64 below is checked to lie in [0, 2^63) first (a
       * conversion out of range is undefined behaviour) */
      if (tcc_expr_is_int_imm(X->dims[d], &in)) {
        double o = floor((double)in * f);
        if (!(o >= 0 && o < 0x1p63))
          return tcc_node_error(ctx, ic->graph, n,
                                "dim %d: input extent %lld with scale %g gives output extent %g, "
                                "which does not fit int64",
                                d, (long long)in, s, o);
        g->out[d] = tcc_idx(ctx, (int64_t)o);
      } else if (!(f > 0 && f < 0x1p63)) {
        return tcc_node_error(ctx, ic->graph, n,
                              "dim %d: scale %g (with roi) gives a factor %g outside (0, 2^63)", d,
                              s, f);
      } else if (f == floor(f)) {
        g->out[d] = tcc_shape_mul(ctx, X->dims[d], tcc_idx(ctx, (int64_t)f));
      } else if (f < 1 && 1.0 / f < 0x1p63 && 1.0 / f == floor(1.0 / f)) {
        g->out[d] =
            tcc_shape_canon(ctx, tcc_floordiv(ctx, X->dims[d], tcc_idx(ctx, (int64_t)(1.0 / f))));
      } else {
        return tcc_node_error(ctx, ic->graph, n,
                              "dim %d of X is symbolic (%s) and scale %g is not integral: the "
                              "output extent is not known at compile time",
                              d, tcc_expr_str(ctx, X->dims[d]), s);
      }
    }
    return TCC_OK;
  }
  /* sizes */
  int pol = 0;
  if (tcc_node_attr(n, "keep_aspect_ratio_policy")) {
    static const char *const pols[] = {"stretch", "not_larger", "not_smaller"};
    TCC_TRY(parse_enum(ic, n, "keep_aspect_ratio_policy", "stretch", pols, 3, &pol));
  }
  int64_t in[TCCRT_MAX_RANK];
  for (int i = 0; i < naxes; i++)
    if (!tcc_expr_is_int_imm(X->dims[axes[i]], &in[i]) || in[i] <= 0)
      return tcc_node_error(ctx, ic->graph, n,
                            "dim %d of X is %s; Resize with sizes needs constant positive dims",
                            axes[i], tcc_expr_str(ctx, X->dims[axes[i]]));
  double common = pol == 1 ? INFINITY : 0;
  for (int i = 0; i < naxes; i++) {
    double r = (double)sizes[i] / (double)in[i];
    if (pol == 1 && r < common) common = r;
    if (pol == 2 && r > common) common = r;
  }
  for (int i = 0; i < naxes; i++) {
    int d = axes[i];
    int64_t o = sizes[i];
    if (pol) {
      double od = floor(common * (double)in[i] + 0.5);
      if (!(od >= 0 && od < 0x1p63))
        return tcc_node_error(ctx, ic->graph, n, "output size %g along dim %d does not fit int64",
                              od, d);
      o = (int64_t)od;
    }
    if (o <= 0)
      return tcc_node_error(ctx, ic->graph, n, "output size %lld must be > 0", (long long)o);
    g->scale[d] = pol ? common : (double)o / (double)in[i];
    g->out[d] = tcc_idx(ctx, o);
    g->resized[d] = o != in[i] || g->coord == C_TF_CROP_RESIZE || g->scale[d] != 1.0;
  }
  return TCC_OK;
}

static tcc_status infer_resize(tcc_infer_ctx *ic, tcc_node *n) {
  rs_geom g;
  TCC_TRY(rs_geometry(ic, n, &g));
  const tcc_value *X = tcc_op_input(n, 0);
  return tcc_infer_set_output(ic, n, 0, X->dtype, g.nd, g.out);
}

/* ---- compute ---- */

#define RS_MAX_TAPS 16

typedef struct tap {
  const tcc_expr *idx;    /* int64 input index (clamped) */
  const tcc_expr *weight; /* float64; NULL = 1 */
} tap;

static const tcc_expr *f64c(tcc_context *ctx, double v) {
  return tcc_float(ctx, tcc_scalar(TCCRT_FLOAT64), v);
}

/* Cubic convolution weight for distance-ordered tap j (0..3) at fraction t. */
static const tcc_expr *cubic_w(tcc_context *ctx, const tcc_expr *t, int j, double A) {
  const tcc_expr *one = f64c(ctx, 1.0);
  const tcc_expr *x; /* |distance| */
  switch (j) {
  case 0: x = tcc_add(ctx, t, one); break;
  case 1: x = t; break;
  case 2: x = tcc_sub(ctx, one, t); break;
  default: x = tcc_sub(ctx, f64c(ctx, 2.0), t); break;
  }
  if (j == 1 || j == 2) /* ((A+2)x - (A+3)) x^2 + 1 */
    return tcc_add(ctx,
                   tcc_mul(ctx, tcc_sub(ctx, tcc_mul(ctx, f64c(ctx, A + 2), x), f64c(ctx, A + 3)),
                           tcc_mul(ctx, x, x)),
                   one);
  /* ((A x - 5A) x + 8A) x - 4A */
  return tcc_sub(
      ctx,
      tcc_mul(
          ctx,
          tcc_add(ctx,
                  tcc_mul(ctx, tcc_sub(ctx, tcc_mul(ctx, f64c(ctx, A), x), f64c(ctx, 5 * A)), x),
                  f64c(ctx, 8 * A)),
          x),
      f64c(ctx, 4 * A));
}

static tcc_status compute_resize(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  rs_geom g;
  TCC_TRY(rs_geometry(&ic, cc->node, &g));
  const tcc_tensor *X = cc->inputs[0];
  int nd = g.nd;
  tcc_type f64 = tcc_scalar(TCCRT_FLOAT64);
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, g.out, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  tap taps[TCCRT_MAX_RANK][RS_MAX_TAPS];
  int ntaps[TCCRT_MAX_RANK];
  const tcc_expr *outside = NULL; /* tf_crop_and_resize extrapolation condition */
  for (int d = 0; d < nd; d++) {
    if (!g.resized[d]) {
      taps[d][0].idx = o[d];
      taps[d][0].weight = NULL;
      ntaps[d] = 1;
      continue;
    }
    const tcc_expr *in_i = X->shape[d];
    const tcc_expr *in_f = tcc_cast(ctx, f64, in_i), *out_f = tcc_cast(ctx, f64, g.out[d]);
    const tcc_expr *xo = tcc_cast(ctx, f64, o[d]);
    const tcc_expr *s = f64c(ctx, g.scale[d]);
    const tcc_expr *half = f64c(ctx, 0.5), *one = f64c(ctx, 1.0);
    const tcc_expr *x;
    switch (g.coord) {
    case C_HALF_PIXEL: x = tcc_sub(ctx, tcc_div(ctx, tcc_add(ctx, xo, half), s), half); break;
    case C_HALF_PIXEL_SYM: {
      /* adjustment = out / (in * scale); offset = in/2 * (1 - adjustment) */
      const tcc_expr *adj = tcc_div(ctx, out_f, tcc_mul(ctx, in_f, s));
      const tcc_expr *off = tcc_mul(ctx, tcc_mul(ctx, in_f, half), tcc_sub(ctx, one, adj));
      x = tcc_add(ctx, off, tcc_sub(ctx, tcc_div(ctx, tcc_add(ctx, xo, half), s), half));
      break;
    }
    case C_PYTORCH_HALF_PIXEL:
      /* the reference's length_resized is in * scale as a real number */
      x = tcc_select(ctx, tcc_gt(ctx, tcc_mul(ctx, in_f, s), one),
                     tcc_sub(ctx, tcc_div(ctx, tcc_add(ctx, xo, half), s), half), f64c(ctx, 0));
      break;
    case C_ALIGN_CORNERS: {
      const tcc_expr *len = tcc_mul(ctx, in_f, s); /* in * scale, as the reference */
      x = tcc_select(
          ctx, tcc_gt(ctx, len, one),
          tcc_div(ctx, tcc_mul(ctx, xo, tcc_sub(ctx, in_f, one)), tcc_sub(ctx, len, one)),
          f64c(ctx, 0));
      break;
    }
    case C_ASYMMETRIC: x = tcc_div(ctx, xo, s); break;
    case C_TF_HALF_PIXEL_NN: x = tcc_div(ctx, tcc_add(ctx, xo, half), s); break;
    default: { /* tf_crop_and_resize */
      double st = g.roi_start[d], en = g.roi_end[d];
      const tcc_expr *inm1 = tcc_sub(ctx, in_f, one);
      x = tcc_select(ctx, tcc_gt(ctx, g.out[d], tcc_idx(ctx, 1)),
                     tcc_add(ctx, tcc_mul(ctx, f64c(ctx, st), inm1),
                             tcc_div(ctx, tcc_mul(ctx, xo, tcc_mul(ctx, f64c(ctx, en - st), inm1)),
                                     tcc_sub(ctx, out_f, one))),
                     tcc_mul(ctx, f64c(ctx, 0.5 * (st + en)), inm1));
      const tcc_expr *oc = tcc_or(ctx, tcc_lt(ctx, x, f64c(ctx, 0)), tcc_gt(ctx, x, inm1));
      outside = outside ? tcc_or(ctx, outside, oc) : oc;
      break;
    }
    }
    const tcc_expr *hi = tcc_sub(ctx, in_i, tcc_idx(ctx, 1));
    if (g.mode == M_NEAREST) {
      const tcc_expr *r;
      switch (g.nearest) {
      case N_ROUND_FLOOR: r = tcc_call1(ctx, TCC_INTRIN_CEIL, tcc_sub(ctx, x, half)); break;
      case N_ROUND_CEIL: r = tcc_call1(ctx, TCC_INTRIN_FLOOR, tcc_add(ctx, x, half)); break;
      case N_FLOOR: r = tcc_call1(ctx, TCC_INTRIN_FLOOR, x); break;
      default: r = tcc_call1(ctx, TCC_INTRIN_CEIL, x); break;
      }
      /* clamp in float first so the conversion stays in range */
      r = tcc_max(ctx, tcc_min(ctx, r, tcc_cast(ctx, f64, hi)), f64c(ctx, 0));
      taps[d][0].idx = tcc_cast(ctx, tcc_index_type(), r);
      taps[d][0].weight = NULL;
      ntaps[d] = 1;
      continue;
    }
    if (g.antialias && g.scale[d] < 1.0) {
      /* The ONNX reference's antialias filter: base x0 = ceil(x) - 1 and ratio r = x - x0 in
       * (0, 1]; taps x0 + off for off in [start, start + nt) with the kernel evaluated at
       * (off - r) * scale (linear: start = floor(-1/scale) + 1; cubic: floor(-2/scale) + 1,
       * nt = 2 - 2 * start), weights normalized to sum 1. */
      double sc = g.scale[d];
      double startd = floor((g.mode == M_LINEAR ? -1.0 : -2.0) / sc) + 1;
      if (!(startd > -RS_MAX_TAPS))
        return nn_compute_error(cc, "antialias with scale %g needs more than %d taps per axis", sc,
                                RS_MAX_TAPS);
      int64_t start = (int64_t)startd;
      int nt = (int)(2 - 2 * start);
      if (nt > RS_MAX_TAPS)
        return nn_compute_error(cc, "antialias with scale %g needs %d taps per axis (max %d)", sc,
                                nt, RS_MAX_TAPS);
      const tcc_expr *cl = tcc_call1(ctx, TCC_INTRIN_CEIL, x);
      const tcc_expr *clc =
          tcc_max(ctx, tcc_min(ctx, cl, tcc_add(ctx, in_f, f64c(ctx, 40))), f64c(ctx, -40));
      const tcc_expr *x0 = tcc_sub(ctx, tcc_cast(ctx, tcc_index_type(), clc), tcc_idx(ctx, 1));
      const tcc_expr *r = tcc_sub(ctx, x, tcc_cast(ctx, f64, x0));
      const tcc_expr *wsum = NULL;
      double A = g.cubic_a;
      for (int j = 0; j < nt; j++) {
        int64_t off = start + j;
        const tcc_expr *a =
            tcc_call1(ctx, TCC_INTRIN_FABS,
                      tcc_mul(ctx, tcc_sub(ctx, f64c(ctx, (double)off), r), f64c(ctx, sc)));
        const tcc_expr *w;
        if (g.mode == M_LINEAR) {
          w = tcc_max(ctx, tcc_sub(ctx, one, a), f64c(ctx, 0));
        } else {
          const tcc_expr *a2 = tcc_mul(ctx, a, a), *a3 = tcc_mul(ctx, a2, a);
          const tcc_expr *w1 = tcc_add(
              ctx,
              tcc_sub(ctx, tcc_mul(ctx, f64c(ctx, A + 2), a3), tcc_mul(ctx, f64c(ctx, A + 3), a2)),
              one);
          const tcc_expr *w2 = tcc_sub(ctx,
                                       tcc_add(ctx,
                                               tcc_sub(ctx, tcc_mul(ctx, f64c(ctx, A), a3),
                                                       tcc_mul(ctx, f64c(ctx, 5 * A), a2)),
                                               tcc_mul(ctx, f64c(ctx, 8 * A), a)),
                                       f64c(ctx, 4 * A));
          w = tcc_select(ctx, tcc_le(ctx, a, one), w1,
                         tcc_select(ctx, tcc_lt(ctx, a, f64c(ctx, 2)), w2, f64c(ctx, 0)));
        }
        const tcc_expr *p = tcc_add(ctx, x0, tcc_idx(ctx, off));
        if (g.exclude_outside)
          w = tcc_select(ctx, nn_in_range(ctx, p, tcc_idx(ctx, 0), in_i), w, f64c(ctx, 0));
        wsum = wsum ? tcc_add(ctx, wsum, w) : w;
        taps[d][j].idx = tcc_max(ctx, tcc_min(ctx, p, hi), tcc_idx(ctx, 0));
        taps[d][j].weight = w;
      }
      for (int j = 0; j < nt; j++)
        taps[d][j].weight = tcc_div(ctx, taps[d][j].weight, wsum);
      ntaps[d] = nt;
      continue;
    }
    /* x0 = floor(x), t = x - x0; linear taps x0, x0+1; cubic x0-1 .. x0+2 */
    const tcc_expr *fl = tcc_call1(ctx, TCC_INTRIN_FLOOR, x);
    const tcc_expr *t = tcc_sub(ctx, x, fl);
    /* keep the integer conversion in range for far-out coordinates */
    const tcc_expr *flc =
        tcc_max(ctx, tcc_min(ctx, fl, tcc_add(ctx, in_f, f64c(ctx, 4))), f64c(ctx, -4));
    const tcc_expr *x0 = tcc_cast(ctx, tcc_index_type(), flc);
    int nt = g.mode == M_LINEAR ? 2 : 4;
    int first = g.mode == M_LINEAR ? 0 : -1;
    const tcc_expr *wsum = NULL;
    for (int j = 0; j < nt; j++) {
      const tcc_expr *p = tcc_add(ctx, x0, tcc_idx(ctx, first + j));
      const tcc_expr *w =
          g.mode == M_LINEAR ? (j == 0 ? tcc_sub(ctx, one, t) : t) : cubic_w(ctx, t, j, g.cubic_a);
      if (g.exclude_outside)
        w = tcc_select(ctx, nn_in_range(ctx, p, tcc_idx(ctx, 0), in_i), w, f64c(ctx, 0));
      wsum = wsum ? tcc_add(ctx, wsum, w) : w;
      taps[d][j].idx = tcc_max(ctx, tcc_min(ctx, p, hi), tcc_idx(ctx, 0));
      taps[d][j].weight = w;
    }
    if (g.exclude_outside)
      for (int j = 0; j < nt; j++)
        taps[d][j].weight = tcc_div(ctx, taps[d][j].weight, wsum);
    ntaps[d] = nt;
  }
  /* sum over the tap product */
  int cnt[TCCRT_MAX_RANK] = {0};
  const tcc_expr *acc = NULL;
  bool weighted = false;
  for (int d = 0; d < nd; d++)
    if (ntaps[d] > 1 || taps[d][0].weight) weighted = true;
  while (1) {
    const tcc_expr *idx[TCCRT_MAX_RANK], *w = NULL;
    for (int d = 0; d < nd; d++) {
      idx[d] = taps[d][cnt[d]].idx;
      if (taps[d][cnt[d]].weight)
        w = w ? tcc_mul(ctx, w, taps[d][cnt[d]].weight) : taps[d][cnt[d]].weight;
    }
    const tcc_expr *v = tcc_read(ctx, X, idx);
    if (weighted) {
      v = tcc_cast(ctx, f64, v);
      if (w) v = tcc_mul(ctx, w, v);
    }
    acc = acc ? tcc_add(ctx, acc, v) : v;
    int d = nd - 1;
    while (d >= 0 && ++cnt[d] == ntaps[d])
      cnt[d--] = 0;
    if (d < 0) break;
  }
  if (!acc) acc = tcc_read(ctx, X, NULL); /* rank 0 */
  if (outside) {
    if (!weighted) acc = tcc_cast(ctx, f64, acc);
    acc = tcc_select(ctx, outside, f64c(ctx, g.extrapolation), acc);
    weighted = true;
  }
  tcc_type xt = tcc_scalar(X->dtype);
  if (weighted) acc = tcc_cast(ctx, xt, acc);
  outputs[0] = tcc_compute(ctx, "resize", nd, g.out, ax, acc, "injective");
  return TCC_OK;
}

/* ---- GridSample (16: 2-D, bilinear/nearest/bicubic; 20, 22: N-D, linear/nearest/cubic) ----
 * X (N, C, D1..Dr), grid (N, H1..Hr, r) holding normalized coordinates in [-1, 1], last spatial
 * dim first. Each coordinate is denormalized (align_corners: (g+1)/2*(d-1), else
 * ((g+1)*d-1)/2); nearest rounds it half to even (np.rint); a
 * coordinate outside [lo, hi] (align_corners: [0, d-1], else [-0.5, d-0.5]) is clamped to
 * [0, d-1] (border) or reflected into [lo, hi] (reflection); linear/cubic (A = -0.75) taps are
 * then fetched with the padding mode: zeros reads 0 outside, border clamps, reflection reflects
 * the tap index. As the ONNX reference (op_grid_sample.py). */
static const tcc_attr_schema gs_attrs[] = {{"align_corners", TCC_ATTR_INT, false},
                                           {"mode", TCC_ATTR_STRING, false},
                                           {"padding_mode", TCC_ATTR_STRING, false},
                                           A_END};

typedef struct gs_geom {
  int nsp;
  int mode; /* 0 linear, 1 nearest, 2 cubic */
  int pad;  /* 0 zeros, 1 border, 2 reflection */
  bool align;
} gs_geom;

static tcc_status gs_geometry(tcc_infer_ctx *ic, const tcc_node *n, gs_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X, *G;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  TCC_TRY(tcc_infer_input(ic, n, 1, &G));
  g->nsp = X->ndim - 2;
  if (g->nsp < 1 || (n->opset < 20 && g->nsp != 2) || G->ndim != X->ndim)
    return tcc_node_error(ctx, ic->graph, n,
                          "X %s and grid %s: expected N x C x D1..Dr and N x H1..Hr x r",
                          tcc_value_shape_str(ctx, X), tcc_value_shape_str(ctx, G));
  int64_t r, bx, bg;
  if (tcc_expr_is_int_imm(X->dims[0], &bx) && tcc_expr_is_int_imm(G->dims[0], &bg) && bx != bg)
    return tcc_node_error(ctx, ic->graph, n, "grid %s and X %s have different batch sizes",
                          tcc_value_shape_str(ctx, G), tcc_value_shape_str(ctx, X));
  if (!tcc_expr_is_int_imm(G->dims[G->ndim - 1], &r) || r != g->nsp)
    return tcc_node_error(ctx, ic->graph, n, "grid %s: the last dim must be %d",
                          tcc_value_shape_str(ctx, G), g->nsp);
  static const char *const modes[] = {"linear", "nearest", "cubic", "bilinear", "bicubic"};
  static const char *const pads[] = {"zeros", "border", "reflection"};
  int m;
  TCC_TRY(parse_enum(ic, n, "mode", n->opset >= 20 ? "linear" : "bilinear", modes, 5, &m));
  g->mode = m == 3 ? 0 : m == 4 ? 2 : m;
  TCC_TRY(parse_enum(ic, n, "padding_mode", "zeros", pads, 3, &g->pad));
  int64_t ac = 0;
  TCC_TRY(nn_attr_int(ic, n, "align_corners", 0, &ac));
  g->align = ac != 0;
  return TCC_OK;
}

static tcc_status infer_grid_sample(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM_FLOAT));
  gs_geom g;
  TCC_TRY(gs_geometry(ic, n, &g));
  const tcc_value *X = tcc_op_input(n, 0), *G = tcc_op_input(n, 1);
  const tcc_expr *dims[TCCRT_MAX_RANK];
  dims[0] = X->dims[0];
  dims[1] = X->dims[1];
  for (int i = 0; i < g.nsp; i++)
    dims[2 + i] = G->dims[1 + i];
  return tcc_infer_set_output(ic, n, 0, X->dtype, X->ndim, dims);
}

/* Reflects x into [lo, hi] by the near border until inside (the reference's _gs_reflect). */
static const tcc_expr *gs_reflect(tcc_context *ctx, const tcc_expr *x, double lo, double hi) {
  double rng = hi - lo;
  if (rng <= 0) return f64c(ctx, lo);
  const tcc_expr *L = f64c(ctx, lo), *H = f64c(ctx, hi), *R = f64c(ctx, rng), *two = f64c(ctx, 2);
  const tcc_expr *below = tcc_sub(ctx, L, x), *above = tcc_sub(ctx, x, H);
  const tcc_expr *dx = tcc_select(ctx, tcc_lt(ctx, x, L), below, above);
  const tcc_expr *k = tcc_call1(ctx, TCC_INTRIN_TRUNC, tcc_div(ctx, dx, R));
  const tcc_expr *r = tcc_sub(ctx, dx, tcc_mul(ctx, k, R));
  const tcc_expr *even = tcc_eq(
      ctx,
      tcc_sub(ctx, k, tcc_mul(ctx, two, tcc_call1(ctx, TCC_INTRIN_FLOOR, tcc_div(ctx, k, two)))),
      f64c(ctx, 0));
  const tcc_expr *from_lo = tcc_select(ctx, even, tcc_add(ctx, L, r), tcc_sub(ctx, H, r));
  const tcc_expr *from_hi = tcc_select(ctx, even, tcc_sub(ctx, H, r), tcc_add(ctx, L, r));
  return tcc_select(ctx, tcc_lt(ctx, x, L), from_lo,
                    tcc_select(ctx, tcc_gt(ctx, x, H), from_hi, x));
}

static tcc_status compute_grid_sample(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  gs_geom g;
  TCC_TRY(gs_geometry(&ic, cc->node, &g));
  const tcc_tensor *X = cc->inputs[0], *G = cc->inputs[1];
  int nd = X->ndim, nsp = g.nsp;
  int64_t dims[NN_MAX_SPATIAL];
  for (int i = 0; i < nsp; i++)
    if (!tcc_expr_is_int_imm(X->shape[2 + i], &dims[i]) || dims[i] < 1)
      return nn_compute_error(cc, "spatial dims of X must be constant");
  int ndim;
  const tcc_expr *const *yd;
  TCC_TRY(nn_out_dims(cc, 0, &ndim, &yd));
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, yd, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  tcc_type f64 = tcc_scalar(TCCRT_FLOAT64);
  tap taps[NN_MAX_SPATIAL][4];
  const tcc_expr *valid[NN_MAX_SPATIAL][4];
  int ntaps[NN_MAX_SPATIAL];
  for (int i = 0; i < nsp; i++) {
    double d = (double)dims[i];
    double lo = g.align ? 0.0 : -0.5, hi = g.align ? d - 1 : d - 0.5;
    const tcc_expr *gi[TCCRT_MAX_RANK];
    gi[0] = o[0];
    for (int q = 0; q < nsp; q++)
      gi[1 + q] = o[2 + q];
    gi[1 + nsp] = tcc_idx(ctx, nsp - 1 - i);
    /* denormalize in float32 as the reference, then work in float64 */
    tcc_type f32 = tcc_scalar(TCCRT_FLOAT32);
    const tcc_expr *gn = tcc_cast(ctx, f32, tcc_read(ctx, G, gi));
    const tcc_expr *one = tcc_float(ctx, f32, 1.0);
    const tcc_expr *x =
        g.align ? tcc_mul(ctx, tcc_div(ctx, tcc_add(ctx, gn, one), tcc_float(ctx, f32, 2.0)),
                          tcc_float(ctx, f32, d - 1))
                : tcc_div(ctx,
                          tcc_sub(ctx, tcc_mul(ctx, tcc_add(ctx, gn, one), tcc_float(ctx, f32, d)),
                                  one),
                          tcc_float(ctx, f32, 2.0));
    x = tcc_cast(ctx, f64, x);
    if (g.mode == 1) /* half to even (np.rint), which the test data of every rank uses */
      x = tcc_call1(ctx, TCC_INTRIN_ROUND, x);
    const tcc_expr *outside =
        tcc_or(ctx, tcc_lt(ctx, x, f64c(ctx, lo)), tcc_gt(ctx, x, f64c(ctx, hi)));
    if (g.pad == 1)
      x = tcc_select(ctx, outside, tcc_max(ctx, tcc_min(ctx, x, f64c(ctx, d - 1)), f64c(ctx, 0)),
                     x);
    else if (g.pad == 2)
      x = tcc_select(ctx, outside, gs_reflect(ctx, x, lo, hi), x);
    /* keep conversions in range */
    x = tcc_max(ctx, tcc_min(ctx, x, f64c(ctx, d + 8)), f64c(ctx, -8));
    const tcc_expr *base, *t = NULL;
    int nt, first;
    if (g.mode == 1) {
      base = tcc_cast(ctx, tcc_index_type(), x); /* truncation, as astype(int32) */
      nt = 1;
      first = 0;
    } else {
      const tcc_expr *fl = tcc_call1(ctx, TCC_INTRIN_FLOOR, x);
      t = tcc_sub(ctx, x, fl);
      base = tcc_cast(ctx, tcc_index_type(), fl);
      nt = g.mode == 0 ? 2 : 4;
      first = g.mode == 0 ? 0 : -1;
    }
    for (int j = 0; j < nt; j++) {
      const tcc_expr *p = tcc_add(ctx, base, tcc_idx(ctx, first + j));
      const tcc_expr *hiidx = tcc_idx(ctx, dims[i] - 1);
      valid[i][j] = NULL;
      if (g.pad == 0) {
        valid[i][j] = nn_in_range(ctx, p, tcc_idx(ctx, 0), tcc_idx(ctx, dims[i]));
      } else if (g.pad == 2) {
        const tcc_expr *pf = tcc_cast(ctx, f64, p);
        p = tcc_cast(ctx, tcc_index_type(), gs_reflect(ctx, pf, lo, hi));
      }
      taps[i][j].idx = tcc_max(ctx, tcc_min(ctx, p, hiidx), tcc_idx(ctx, 0));
      if (g.mode == 1)
        taps[i][j].weight = NULL;
      else if (g.mode == 0)
        taps[i][j].weight = j == 0 ? tcc_sub(ctx, f64c(ctx, 1), t) : t;
      else
        taps[i][j].weight = cubic_w(ctx, t, j, -0.75);
    }
    ntaps[i] = nt;
  }
  int cnt[NN_MAX_SPATIAL] = {0};
  const tcc_expr *acc = NULL;
  while (1) {
    const tcc_expr *idx[TCCRT_MAX_RANK], *w = NULL, *ok = NULL;
    idx[0] = o[0];
    idx[1] = o[1];
    for (int i = 0; i < nsp; i++) {
      tap *tp = &taps[i][cnt[i]];
      idx[2 + i] = tp->idx;
      if (tp->weight) w = w ? tcc_mul(ctx, w, tp->weight) : tp->weight;
      if (valid[i][cnt[i]]) ok = ok ? tcc_and(ctx, ok, valid[i][cnt[i]]) : valid[i][cnt[i]];
    }
    const tcc_expr *v = tcc_cast(ctx, f64, tcc_read(ctx, X, idx));
    if (ok) v = tcc_select(ctx, ok, v, f64c(ctx, 0));
    if (w) v = tcc_mul(ctx, w, v);
    acc = acc ? tcc_add(ctx, acc, v) : v;
    int i = nsp - 1;
    while (i >= 0 && ++cnt[i] == ntaps[i])
      cnt[i--] = 0;
    if (i < 0) break;
  }
  outputs[0] = tcc_compute(ctx, "grid_sample", nd, yd, ax, tcc_cast(ctx, tcc_scalar(X->dtype), acc),
                           "injective");
  return TCC_OK;
}

/* ---- AffineGrid (20): theta (N, 2, 3) / (N, 3, 4) and size [N, C, H, W] / [N, C, D, H, W]
 * (constant) -> grid (N, H, W, 2) / (N, D, H, W, 3) of theta . (x, y[, z], 1), where the base
 * coordinate of index i along an extent s is -1 + 2i/(s-1) (align_corners; -1 when s == 1) or
 * -1 + (2i+1)/s; x runs along W, y along H, z along D. */
static const tcc_attr_schema ag_attrs[] = {{"align_corners", TCC_ATTR_INT, false}, A_END};

static tcc_status ag_size(tcc_infer_ctx *ic, const tcc_node *n, int *nsp, int64_t *sz) {
  bool known;
  int64_t cnt;
  const int64_t *v;
  TCC_TRY(tcc_infer_const_ints(ic, n, 1, &known, &cnt, &v));
  if (!known)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "input 1 (size) is not constant; the output shape cannot be inferred");
  if (cnt != 4 && cnt != 5)
    return tcc_node_error(ic->ctx, ic->graph, n, "size has %lld values; expected 4 or 5",
                          (long long)cnt);
  *nsp = (int)cnt - 2;
  for (int i = 0; i < cnt; i++)
    sz[i] = v[i];
  return TCC_OK;
}

static tcc_status infer_affine_grid(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  const tcc_value *T;
  TCC_TRY(tcc_infer_input(ic, n, 0, &T));
  int nsp;
  int64_t sz[5];
  TCC_TRY(ag_size(ic, n, &nsp, sz));
  int64_t r, c;
  if (T->ndim != 3 || !tcc_expr_is_int_imm(T->dims[1], &r) ||
      !tcc_expr_is_int_imm(T->dims[2], &c) || r != nsp || c != nsp + 1)
    return tcc_node_error(ctx, ic->graph, n, "theta %s: expected (N, %d, %d)",
                          tcc_value_shape_str(ctx, T), nsp, nsp + 1);
  const tcc_expr *dims[5];
  dims[0] = T->dims[0];
  for (int i = 0; i < nsp; i++)
    dims[1 + i] = tcc_idx(ctx, sz[2 + i]);
  dims[1 + nsp] = tcc_idx(ctx, nsp);
  return tcc_infer_set_output(ic, n, 0, T->dtype, nsp + 2, dims);
}

static tcc_status compute_affine_grid(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  int nsp;
  int64_t sz[5], ac = 0;
  TCC_TRY(ag_size(&ic, cc->node, &nsp, sz));
  TCC_TRY(nn_attr_int(&ic, cc->node, "align_corners", 0, &ac));
  const tcc_tensor *T = cc->inputs[0];
  int nd;
  const tcc_expr *const *yd;
  TCC_TRY(nn_out_dims(cc, 0, &nd, &yd));
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, yd, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  tcc_type f64 = tcc_scalar(TCCRT_FLOAT64);
  /* base coordinate j (0 = x along the last spatial dim) */
  const tcc_expr *base[4];
  for (int j = 0; j < nsp; j++) {
    int dim = nsp - 1 - j; /* spatial dim index of coordinate j */
    double s = (double)sz[2 + dim];
    const tcc_expr *i = tcc_cast(ctx, f64, o[1 + dim]);
    if (ac)
      base[j] = s > 1 ? tcc_add(ctx, f64c(ctx, -1), tcc_mul(ctx, i, f64c(ctx, 2.0 / (s - 1))))
                      : f64c(ctx, -1);
    else
      base[j] = tcc_add(
          ctx, f64c(ctx, -1),
          tcc_div(ctx, tcc_add(ctx, tcc_mul(ctx, i, f64c(ctx, 2)), f64c(ctx, 1)), f64c(ctx, s)));
  }
  base[nsp] = f64c(ctx, 1);
  const tcc_expr *row = o[nd - 1], *acc = NULL;
  for (int j = 0; j <= nsp; j++) {
    const tcc_expr *ti[3] = {o[0], row, tcc_idx(ctx, j)};
    const tcc_expr *term = tcc_mul(ctx, tcc_cast(ctx, f64, tcc_read(ctx, T, ti)), base[j]);
    acc = acc ? tcc_add(ctx, acc, term) : term;
  }
  outputs[0] = tcc_compute(ctx, "affine_grid", nd, yd, ax, tcc_cast(ctx, tcc_scalar(T->dtype), acc),
                           "injective");
  return TCC_OK;
}

#define RS(NAME, SINCE, UNTIL, MINI, MAXI, ATTRS)                                                  \
  {NAME, "", SINCE, UNTIL, TCC_PAT_INJECTIVE, MINI, MAXI, 1, 1, ATTRS, infer_resize, compute_resize}

const tcc_op tcc_ops_resize[] = {
    RS("Resize", 10, 10, 2, 2, r10_attrs),
    RS("Resize", 11, 12, 1, 4, r11_attrs),
    RS("Resize", 13, 17, 1, 4, r11_attrs),
    RS("Resize", 18, 18, 1, 4, r18_attrs),
    RS("Resize", 19, 0, 1, 4, r18_attrs),
    RS("Upsample", 7, 8, 1, 1, up7_attrs),
    RS("Upsample", 9, 9, 2, 2, up9_attrs),
    RS("Upsample", 10, 10, 2, 2, up9_attrs),
    {"GridSample", "", 16, 19, TCC_PAT_INJECTIVE, 2, 2, 1, 1, gs_attrs, infer_grid_sample,
     compute_grid_sample},
    {"GridSample", "", 20, 21, TCC_PAT_INJECTIVE, 2, 2, 1, 1, gs_attrs, infer_grid_sample,
     compute_grid_sample},
    {"GridSample", "", 22, 0, TCC_PAT_INJECTIVE, 2, 2, 1, 1, gs_attrs, infer_grid_sample,
     compute_grid_sample},
    {"AffineGrid", "", 20, 0, TCC_PAT_INJECTIVE, 2, 2, 1, 1, ag_attrs, infer_affine_grid,
     compute_affine_grid},
};
const int tcc_ops_resize_count = (int)TCC_ARRAY_SIZE(tcc_ops_resize);
