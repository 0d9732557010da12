/* conv.c — the conv op family: Conv, ConvTranspose, ConvInteger, QLinearConv, DeformConv,
 * Col2Im, CausalConvWithState.
 *
 * Spec: ONNX Conv (opsets 1, 11, 22), ConvTranspose (1, 11, 22), ConvInteger (10),
 * QLinearConv (10). Layout NCHW (N x C x D1 x ... x Dn, n = 1..3 spatial dims); weights
 * M x C/group x k1 x ... x kn (ConvTranspose: C x M/group x k...). Computes follow TOPI: a
 * reduction over (input channel of the group, kernel taps) reading the input at
 * o*stride + k*dilation - pad_begin, zero outside the input; bias and requantization are separate
 * elementwise stages the schedule inlines into the anchor's tile. */
#include "nn_util.h"

#include <string.h>

static const tcc_attr_schema conv_attrs[] = {{"auto_pad", TCC_ATTR_STRING, false},
                                             {"dilations", TCC_ATTR_INTS, false},
                                             {"group", TCC_ATTR_INT, false},
                                             {"kernel_shape", TCC_ATTR_INTS, false},
                                             {"pads", TCC_ATTR_INTS, false},
                                             {"strides", TCC_ATTR_INTS, false},
                                             {NULL, 0, false}};
static const tcc_attr_schema convt_attrs[] = {{"auto_pad", TCC_ATTR_STRING, false},
                                              {"dilations", TCC_ATTR_INTS, false},
                                              {"group", TCC_ATTR_INT, false},
                                              {"kernel_shape", TCC_ATTR_INTS, false},
                                              {"output_padding", TCC_ATTR_INTS, false},
                                              {"output_shape", TCC_ATTR_INTS, false},
                                              {"pads", TCC_ATTR_INTS, false},
                                              {"strides", TCC_ATTR_INTS, false},
                                              {NULL, 0, false}};

/* Geometry shared by infer and compute. */
typedef struct conv_geom {
  int nsp;
  int64_t group;
  const tcc_expr *N, *C, *M; /* batch, input channels, output channels */
  const tcc_expr *in_sp[NN_MAX_SPATIAL];
  nn_window w;
  /* ConvTranspose only */
  int64_t out_pad[NN_MAX_SPATIAL];
} conv_geom;

/* Reads kernel_shape (or the weight's spatial dims) into kernel[]. */
static tcc_status conv_kernel(tcc_infer_ctx *ic, const tcc_node *n, const tcc_value *W, int nsp,
                              int64_t *kernel) {
  const tcc_attr *ks = tcc_node_attr(n, "kernel_shape");
  if (ks) {
    TCC_TRY(nn_attr_ints_n(ic, n, "kernel_shape", nsp, 1, kernel));
    for (int i = 0; i < nsp; i++) {
      int64_t w;
      if (tcc_expr_is_int_imm(W->dims[2 + i], &w) && w != kernel[i])
        return tcc_node_error(
            ic->ctx, ic->graph, n,
            "attribute 'kernel_shape' %lld differs from the weight's dim %d (%lld)",
            (long long)kernel[i], 2 + i, (long long)w);
    }
    return TCC_OK;
  }
  for (int i = 0; i < nsp; i++)
    if (!tcc_expr_is_int_imm(W->dims[2 + i], &kernel[i]))
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "the kernel's spatial dims must be constant (weight dim %d is %s) "
                            "when 'kernel_shape' is absent",
                            2 + i, tcc_expr_str(ic->ctx, W->dims[2 + i]));
  return TCC_OK;
}

/* Validates X (input xi) and W (input wi) and computes the output geometry. transpose selects
 * ConvTranspose semantics. */
static tcc_status conv_geometry(tcc_infer_ctx *ic, const tcc_node *n, int xi, int wi,
                                bool transpose, conv_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X, *W;
  TCC_TRY(tcc_infer_input(ic, n, xi, &X));
  TCC_TRY(tcc_infer_input(ic, n, wi, &W));
  if (X->ndim < 3 || X->ndim > TCCRT_MAX_RANK)
    return tcc_node_error(ctx, ic->graph, n,
                          "input X has rank %d; expected N x C x D1 ... Dn with 1 to %d spatial "
                          "dims",
                          X->ndim, NN_MAX_SPATIAL);
  if (W->ndim != X->ndim)
    return tcc_node_error(ctx, ic->graph, n, "weight W has rank %d; expected %d like input X %s",
                          W->ndim, X->ndim, tcc_value_shape_str(ctx, X));
  memset(g, 0, sizeof *g);
  g->nsp = X->ndim - 2;
  TCC_TRY(nn_attr_int(ic, n, "group", 1, &g->group));
  if (g->group < 1)
    return tcc_node_error(ctx, ic->graph, n, "attribute 'group' is %lld; expected >= 1",
                          (long long)g->group);
  g->N = X->dims[0];
  g->C = X->dims[1];
  for (int i = 0; i < g->nsp; i++)
    g->in_sp[i] = X->dims[2 + i];
  int64_t kernel[NN_MAX_SPATIAL];
  TCC_TRY(conv_kernel(ic, n, W, g->nsp, kernel));
  int64_t c, wc, m;
  const tcc_expr *grp = tcc_idx(ctx, g->group);
  if (!transpose) {
    /* W: M x C/group x k... */
    g->M = W->dims[0];
    if (tcc_expr_is_int_imm(g->C, &c) && tcc_expr_is_int_imm(W->dims[1], &wc) && c != wc * g->group)
      return tcc_node_error(ctx, ic->graph, n,
                            "input X %s has %lld channels but weight W %s with group %lld expects "
                            "%lld",
                            tcc_value_shape_str(ctx, X), (long long)c, tcc_value_shape_str(ctx, W),
                            (long long)g->group, (long long)(wc * g->group));
    if (tcc_expr_is_int_imm(g->M, &m) && m % g->group)
      return tcc_node_error(ctx, ic->graph, n,
                            "weight W has %lld output channels, not divisible by group %lld",
                            (long long)m, (long long)g->group);
    return nn_window_infer(ic, n, g->nsp, g->in_sp, kernel, false, true, &g->w);
  }
  /* ConvTranspose: W is C x M/group x k... */
  if (tcc_expr_is_int_imm(g->C, &c) && tcc_expr_is_int_imm(W->dims[0], &wc) && c != wc)
    return tcc_node_error(
        ctx, ic->graph, n, "input X %s has %lld channels but weight W %s expects %lld",
        tcc_value_shape_str(ctx, X), (long long)c, tcc_value_shape_str(ctx, W), (long long)wc);
  if (tcc_expr_is_int_imm(g->C, &c) && c % g->group)
    return tcc_node_error(ctx, ic->graph, n, "%lld input channels are not divisible by group %lld",
                          (long long)c, (long long)g->group);
  g->M = tcc_shape_mul(ctx, W->dims[1], grp);
  nn_window *w = &g->w;
  w->nsp = g->nsp;
  int64_t pads[2 * NN_MAX_SPATIAL], oshape[NN_MAX_SPATIAL];
  TCC_TRY(nn_attr_ints_n(ic, n, "strides", g->nsp, 1, w->stride));
  TCC_TRY(nn_attr_ints_n(ic, n, "dilations", g->nsp, 1, w->dil));
  TCC_TRY(nn_attr_ints_n(ic, n, "pads", 2 * g->nsp, 0, pads));
  TCC_TRY(nn_attr_ints_n(ic, n, "output_padding", g->nsp, 0, g->out_pad));
  const char *auto_pad = "NOTSET";
  TCC_TRY(nn_attr_string(ic, n, "auto_pad", "NOTSET", &auto_pad));
  bool same = !strcmp(auto_pad, "SAME_UPPER") || !strcmp(auto_pad, "SAME_LOWER");
  bool upper = !strcmp(auto_pad, "SAME_UPPER");
  if (!same && strcmp(auto_pad, "NOTSET") && strcmp(auto_pad, "VALID") && auto_pad[0])
    return tcc_node_error(ctx, ic->graph, n,
                          "attribute 'auto_pad' is '%s'; expected NOTSET, VALID, SAME_UPPER or "
                          "SAME_LOWER",
                          auto_pad);
  bool has_oshape = tcc_node_attr(n, "output_shape") != NULL;
  if (has_oshape) {
    int cnt = -1;
    const int64_t *v;
    TCC_TRY(tcc_node_attr_ints(ctx, ic->graph, n, "output_shape", &cnt, &v));
    /* output_shape may list only the spatial dims or the whole output shape */
    if (cnt == g->nsp)
      memcpy(oshape, v, sizeof(int64_t) * (size_t)g->nsp);
    else if (cnt == g->nsp + 2)
      memcpy(oshape, v + 2, sizeof(int64_t) * (size_t)g->nsp);
    else
      return tcc_node_error(ctx, ic->graph, n,
                            "attribute 'output_shape' has %d values; expected %d", cnt, g->nsp);
  }
  for (int i = 0; i < g->nsp; i++) {
    w->kernel[i] = kernel[i];
    if (kernel[i] < 1 || w->stride[i] < 1 || w->dil[i] < 1)
      return tcc_node_error(ctx, ic->graph, n,
                            "kernel, strides and dilations must be >= 1 (spatial axis %d)", i);
    int64_t s = w->stride[i], ek, inc, full_c = 0, c0;
    TCC_TRY(nn_effective_kernel(ic, n, i, kernel[i], w->dil[i], &ek));
    /* full = s*(in-1) + output_padding + ek, checked when the input extent is constant */
    bool in_known = tcc_expr_is_int_imm(g->in_sp[i], &inc);
    if (!tcc_add_ovf(g->out_pad[i], ek - s, &c0) ||
        (in_known && (!tcc_mul_ovf(s, inc, &full_c) || !tcc_add_ovf(full_c, c0, &full_c))))
      return tcc_node_error(ctx, ic->graph, n,
                            "spatial axis %d: the output extent stride * (in - 1) + "
                            "output_padding + (kernel - 1) * dilation + 1 overflows int64 "
                            "(stride %lld, output_padding %lld, kernel %lld, dilation %lld)",
                            i, (long long)s, (long long)g->out_pad[i], (long long)kernel[i],
                            (long long)w->dil[i]);
    const tcc_expr *full =
        tcc_shape_add(ctx, tcc_shape_mul(ctx, g->in_sp[i], tcc_idx(ctx, s)), tcc_idx(ctx, c0));
    if (has_oshape || same) {
      int64_t oc, tc;
      if (in_known && ((has_oshape && __builtin_sub_overflow(full_c, oshape[i], &tc)) ||
                       (!has_oshape && !tcc_mul_ovf(inc, s, &oc))))
        return tcc_node_error(ctx, ic->graph, n,
                              "spatial axis %d: the output extent or its padding overflows int64",
                              i);
      const tcc_expr *out =
          has_oshape ? tcc_idx(ctx, oshape[i]) : tcc_shape_mul(ctx, g->in_sp[i], tcc_idx(ctx, s));
      const tcc_expr *total = tcc_shape_sub(ctx, full, out);
      const tcc_expr *half = tcc_shape_canon(ctx, tcc_floordiv(ctx, total, tcc_idx(ctx, 2)));
      const tcc_expr *rest = tcc_shape_sub(ctx, total, half);
      w->pad_begin[i] = upper ? half : rest;
      w->pad_end[i] = upper ? rest : half;
      w->out[i] = out;
    } else {
      int64_t pb = !strcmp(auto_pad, "VALID") ? 0 : pads[i];
      int64_t pe = !strcmp(auto_pad, "VALID") ? 0 : pads[i + g->nsp], ptot, oc;
      if (!tcc_add_ovf(pb, pe, &ptot) || (in_known && __builtin_sub_overflow(full_c, ptot, &oc)))
        return tcc_node_error(ctx, ic->graph, n,
                              "spatial axis %d: pads %lld/%lld overflow int64 in the output extent",
                              i, (long long)pb, (long long)pe);
      w->pad_begin[i] = tcc_idx(ctx, pb);
      w->pad_end[i] = tcc_idx(ctx, pe);
      w->out[i] = tcc_shape_sub(ctx, full, tcc_idx(ctx, ptot));
    }
    int64_t ov;
    if (tcc_expr_is_int_imm(w->out[i], &ov) && ov < 1)
      return tcc_node_error(ctx, ic->graph, n, "spatial axis %d: output extent %lld; expected >= 1",
                            i, (long long)ov);
  }
  return TCC_OK;
}

static tcc_status conv_set_out(tcc_infer_ctx *ic, tcc_node *n, const conv_geom *g, tccrt_dtype dt) {
  const tcc_expr *dims[TCCRT_MAX_RANK];
  dims[0] = g->N;
  dims[1] = g->M;
  for (int i = 0; i < g->nsp; i++)
    dims[2 + i] = g->w.out[i];
  return tcc_infer_set_output(ic, n, 0, dt, g->nsp + 2, dims);
}

/* Checks an optional per-output-channel input k (bias / zero point / scale): a scalar or 1-D of
 * M (or 1) elements. */
static tcc_status check_per_channel(tcc_infer_ctx *ic, const tcc_node *n, int k, const char *what,
                                    const tcc_expr *M, bool allow_scalar) {
  const tcc_value *v = tcc_op_input(n, k);
  if (!v || v->ndim < 0) return TCC_OK;
  if (v->ndim == 0 && allow_scalar) return TCC_OK;
  int64_t e, m;
  if (v->ndim == 1 && (!tcc_expr_is_int_imm(v->dims[0], &e) || !tcc_expr_is_int_imm(M, &m) ||
                       e == m || (allow_scalar && e == 1)))
    return TCC_OK;
  return tcc_node_error(ic->ctx, ic->graph, n, "%s (input %d) has shape %s; expected [%s]%s", what,
                        k, tcc_value_shape_str(ic->ctx, v), tcc_expr_str(ic->ctx, M),
                        allow_scalar ? " or a scalar" : "");
}

static tcc_status infer_conv(tcc_infer_ctx *ic, tcc_node *n) {
  conv_geom g;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  TCC_TRY(conv_geometry(ic, n, 0, 1, false, &g));
  if (tcc_op_input(n, 2)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  TCC_TRY(check_per_channel(ic, n, 2, "bias B", g.M, false));
  return conv_set_out(ic, n, &g, tcc_op_input(n, 0)->dtype);
}

static tcc_status infer_conv_transpose(tcc_infer_ctx *ic, tcc_node *n) {
  conv_geom g;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  TCC_TRY(conv_geometry(ic, n, 0, 1, true, &g));
  if (tcc_op_input(n, 2)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  TCC_TRY(check_per_channel(ic, n, 2, "bias B", g.M, false));
  return conv_set_out(ic, n, &g, tcc_op_input(n, 0)->dtype);
}

#define U8_I8 (TCC_DTM(TCCRT_UINT8) | TCC_DTM(TCCRT_INT8))

static tcc_status infer_conv_integer(tcc_infer_ctx *ic, tcc_node *n) {
  conv_geom g;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, U8_I8));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, U8_I8));
  TCC_TRY(conv_geometry(ic, n, 0, 1, false, &g));
  if (tcc_op_input(n, 2)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  if (tcc_op_input(n, 3)) TCC_TRY(tcc_infer_same_dtype(ic, n, 1, 3));
  TCC_TRY(check_per_channel(ic, n, 2, "x_zero_point", tcc_idx(ic->ctx, 1), true));
  TCC_TRY(check_per_channel(ic, n, 3, "w_zero_point", g.M, true));
  return conv_set_out(ic, n, &g, TCCRT_INT32);
}

static tcc_status infer_qlinear_conv(tcc_infer_ctx *ic, tcc_node *n) {
  /* x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B */
  conv_geom g;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, U8_I8));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 3, U8_I8));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, TCC_DTM(TCCRT_FLOAT32)));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 4, TCC_DTM(TCCRT_FLOAT32)));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 6, TCC_DTM(TCCRT_FLOAT32)));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 7, U8_I8));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 8, TCC_DTM(TCCRT_INT32)));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 3, 5));
  TCC_TRY(conv_geometry(ic, n, 0, 3, false, &g));
  TCC_TRY(check_per_channel(ic, n, 4, "w_scale", g.M, true));
  TCC_TRY(check_per_channel(ic, n, 5, "w_zero_point", g.M, true));
  TCC_TRY(check_per_channel(ic, n, 8, "bias B", g.M, false));
  const tcc_value *yzp;
  TCC_TRY(tcc_infer_input(ic, n, 7, &yzp));
  return conv_set_out(ic, n, &g, yzp->dtype);
}

/* ---- computes ---- */

/* Reads a scalar-or-1-D per-channel tensor t at channel c (index 0 when it has one element). */
static const tcc_expr *read_per_channel(tcc_context *ctx, const tcc_tensor *t, const tcc_expr *c) {
  if (t->ndim == 0) return tcc_read(ctx, t, NULL);
  int64_t e;
  const tcc_expr *i = tcc_expr_is_int_imm(t->shape[0], &e) && e == 1 ? tcc_idx(ctx, 0) : c;
  return tcc_read(ctx, t, &i);
}

/* The convolution reduction: out[n, m, o...] = sum over (rc, rk...) of
 * f(x[n, g*Cg + rc, o*s + rk*d - pb], w[m, rc, rk...]) where f multiplies the inputs converted
 * to `acc` (after subtracting zero points xzp / wzp when given, integer convs). */
static tcc_status conv_reduce(tcc_compute_ctx *cc, const conv_geom *g, const tcc_tensor *X,
                              const tcc_tensor *W, const tcc_tensor *xzp, const tcc_tensor *wzp,
                              tccrt_dtype acc, tcc_tensor **out) {
  tcc_context *ctx = cc->ctx;
  int nsp = g->nsp, nd = nsp + 2;
  const tcc_expr *shape[TCCRT_MAX_RANK];
  shape[0] = X->shape[0];
  shape[1] = W->shape[0];
  for (int i = 0; i < nsp; i++)
    shape[2 + i] = g->w.out[i];
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *Cg = W->shape[1];
  const tcc_itervar *red[1 + NN_MAX_SPATIAL];
  red[0] = tcc_reduce_axis(ctx, "rc", tcc_idx(ctx, 0), Cg);
  for (int i = 0; i < nsp; i++) {
    char nm[16];
    snprintf(nm, sizeof nm, "rk%d", i);
    red[1 + i] = tcc_reduce_axis(ctx, nm, tcc_idx(ctx, 0), tcc_idx(ctx, g->w.kernel[i]));
  }
  const tcc_expr *rc = tcc_expr_var(ctx, red[0]->var);
  const tcc_expr *cin = rc;
  if (g->group > 1) {
    const tcc_expr *Mg =
        tcc_shape_canon(ctx, tcc_floordiv(ctx, W->shape[0], tcc_idx(ctx, g->group)));
    cin = tcc_add(ctx, tcc_mul(ctx, tcc_floordiv(ctx, o[1], Mg), Cg), rc);
  }
  const tcc_expr *xi[TCCRT_MAX_RANK], *wi[TCCRT_MAX_RANK];
  xi[0] = o[0];
  xi[1] = cin;
  wi[0] = o[1];
  wi[1] = rc;
  const tcc_expr *inb = NULL;
  bool need_clamp = false;
  /* A float conv with constant pads reads a copy of X (its own "conv_pad" stage, which the CPU
   * schedule computes at the root) that is zero-padded (no guard in the reduction, where it would
   * be evaluated in every step and vectorize to gathers) and, along each spatial dim with stride
   * s > 1, split into s phases: padded position p = s*q + ph becomes [ph, q], so the reduction
   * reads position o*s + k*d at [(k*d) % s, o + (k*d) / s], contiguous in the output position
   * o (a vector load, not a strided gather). */
  bool pad_stage = !xzp && tcc_dtype_is_float(X->dtype);
  bool any_pad = false, any_stride = false;
  int prank = 2;
  for (int i = 0; i < nsp && pad_stage; i++) {
    int64_t pb = -1, pe = -1;
    pad_stage = tcc_expr_is_int_imm(g->w.pad_begin[i], &pb) &&
                tcc_expr_is_int_imm(g->w.pad_end[i], &pe) && pb >= 0 && pe >= 0;
    any_pad |= pb > 0 || pe > 0;
    any_stride |= g->w.stride[i] > 1;
    prank += g->w.stride[i] > 1 ? 2 : 1;
  }
  pad_stage = pad_stage && (any_pad || any_stride) && prank <= TCCRT_MAX_RANK;
  if (pad_stage) {
    const tcc_expr *pshape[TCCRT_MAX_RANK];
    pshape[0] = X->shape[0];
    pshape[1] = X->shape[1];
    for (int i = 0, d = 2; i < nsp; i++) {
      const tcc_expr *ext =
          tcc_add(ctx, X->shape[2 + i], tcc_add(ctx, g->w.pad_begin[i], g->w.pad_end[i]));
      int64_t st = g->w.stride[i];
      if (st > 1) {
        pshape[d++] = tcc_idx(ctx, st);
        ext = tcc_floordiv(ctx, tcc_add(ctx, ext, tcc_idx(ctx, st - 1)), tcc_idx(ctx, st));
      }
      pshape[d++] = tcc_shape_canon(ctx, ext);
    }
    const tcc_itervar *const *pax = tcc_compute_axes(ctx, prank, pshape, NULL);
    const tcc_expr **p = nn_axis_exprs(ctx, prank, pax);
    const tcc_expr *src[TCCRT_MAX_RANK];
    const tcc_expr *pin = NULL;
    src[0] = p[0];
    src[1] = p[1];
    for (int i = 0, d = 2; i < nsp; i++) {
      int64_t st = g->w.stride[i];
      const tcc_expr *pos = p[d++]; /* [phase, q]: position q*s + phase */
      if (st > 1) pos = tcc_add(ctx, tcc_mul(ctx, p[d++], tcc_idx(ctx, st)), pos);
      src[2 + i] = tcc_sub(ctx, pos, g->w.pad_begin[i]);
      const tcc_expr *c = nn_in_range(ctx, src[2 + i], tcc_idx(ctx, 0), X->shape[2 + i]);
      pin = pin ? tcc_and(ctx, pin, c) : c;
    }
    const tcc_expr *pv =
        tcc_select(ctx, pin, nn_read_clamped(ctx, X, src), tcc_const(ctx, tcc_scalar(X->dtype), 0));
    X = tcc_compute(ctx, "conv_pad", prank, pshape, pax, pv, "conv_pad");
  }
  for (int i = 0, d = 2; i < nsp; i++) {
    const tcc_expr *rk = tcc_expr_var(ctx, red[1 + i]->var);
    const tcc_expr *kd = tcc_mul(ctx, rk, tcc_idx(ctx, g->w.dil[i]));
    int64_t st = g->w.stride[i];
    wi[2 + i] = rk;
    if (pad_stage) {
      if (st > 1) {
        xi[d++] = tcc_floormod(ctx, kd, tcc_idx(ctx, st));
        xi[d++] = tcc_add(ctx, o[2 + i], tcc_floordiv(ctx, kd, tcc_idx(ctx, st)));
      } else {
        xi[d++] = tcc_add(ctx, o[2 + i], kd);
      }
      continue;
    }
    const tcc_expr *pos =
        tcc_sub(ctx, tcc_add(ctx, tcc_mul(ctx, o[2 + i], tcc_idx(ctx, st)), kd), g->w.pad_begin[i]);
    xi[2 + i] = pos;
    int64_t pb = -1, pe = -1;
    tcc_expr_is_int_imm(g->w.pad_begin[i], &pb);
    tcc_expr_is_int_imm(g->w.pad_end[i], &pe);
    if (pb != 0 || pe != 0) {
      need_clamp = true;
      const tcc_expr *c = nn_in_range(ctx, pos, tcc_idx(ctx, 0), X->shape[2 + i]);
      inb = inb ? tcc_and(ctx, inb, c) : c;
    }
  }
  tcc_type at = tcc_scalar(acc);
  const tcc_expr *xv =
      tcc_cast(ctx, at, need_clamp ? nn_read_clamped(ctx, X, xi) : tcc_read(ctx, X, xi));
  if (xzp) xv = tcc_sub(ctx, xv, tcc_cast(ctx, at, read_per_channel(ctx, xzp, tcc_idx(ctx, 0))));
  if (inb) xv = tcc_select(ctx, inb, xv, tcc_const(ctx, at, 0));
  const tcc_expr *wv = tcc_cast(ctx, at, tcc_read(ctx, W, wi));
  if (wzp) wv = tcc_sub(ctx, wv, tcc_cast(ctx, at, read_per_channel(ctx, wzp, o[1])));
  const tcc_expr *body = tcc_sum(ctx, tcc_mul(ctx, xv, wv), 1 + nsp, red, NULL);
  static const char *const tags[] = {"conv1d", "conv2d", "conv3d", "conv4d", "conv5d", "conv6d"};
  *out = tcc_compute(ctx, "conv", nd, shape, ax, body, tags[nsp - 1]);
  return TCC_OK;
}

/* out = conv + bias[m] (bias in the accumulator dtype), then cast to `dt`. */
static tcc_tensor *bias_cast(tcc_context *ctx, const tcc_tensor *acc, const tcc_tensor *bias,
                             tccrt_dtype dt) {
  if (!bias && acc->dtype == dt) return (tcc_tensor *)acc;
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, acc->ndim, acc->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, acc->ndim, ax);
  const tcc_expr *v = tcc_read(ctx, acc, o);
  if (bias) v = tcc_add(ctx, v, tcc_cast(ctx, v->type, read_per_channel(ctx, bias, o[1])));
  v = tcc_cast(ctx, tcc_scalar(dt), v);
  return tcc_compute(ctx, "conv_bias", acc->ndim, acc->shape, ax, v, "elemwise");
}

static tcc_status compute_conv(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_infer_ctx ic = nn_ic_of(cc);
  conv_geom g;
  TCC_TRY(conv_geometry(&ic, cc->node, 0, 1, false, &g));
  const tcc_tensor *X = cc->inputs[0], *W = cc->inputs[1];
  const tcc_tensor *B = cc->node->ninputs > 2 ? cc->inputs[2] : NULL;
  tccrt_dtype acc = nn_acc_dtype(X->dtype);
  tcc_tensor *y;
  TCC_TRY(conv_reduce(cc, &g, X, W, NULL, NULL, acc, &y));
  outputs[0] = bias_cast(cc->ctx, y, B, X->dtype);
  return TCC_OK;
}

static tcc_status compute_conv_integer(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_infer_ctx ic = nn_ic_of(cc);
  conv_geom g;
  TCC_TRY(conv_geometry(&ic, cc->node, 0, 1, false, &g));
  int ni = cc->node->ninputs;
  const tcc_tensor *xzp = ni > 2 ? cc->inputs[2] : NULL, *wzp = ni > 3 ? cc->inputs[3] : NULL;
  return conv_reduce(cc, &g, cc->inputs[0], cc->inputs[1], xzp, wzp, TCCRT_INT32, &outputs[0]);
}

/* y = saturate(round_half_even(acc * (x_scale * w_scale[m] / y_scale)) + y_zero_point), the
 * multiplier formed in float32 and applied in float64 as the ONNX reference does. */
static tcc_status compute_qlinear_conv(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  conv_geom g;
  TCC_TRY(conv_geometry(&ic, cc->node, 0, 3, false, &g));
  const tcc_tensor *const *in = cc->inputs;
  const tcc_tensor *B = cc->node->ninputs > 8 ? in[8] : NULL;
  tcc_tensor *acc;
  TCC_TRY(conv_reduce(cc, &g, in[0], in[3], in[2], in[5], TCCRT_INT32, &acc));
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, acc->ndim, acc->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, acc->ndim, ax);
  const tcc_expr *v = tcc_read(ctx, acc, o);
  if (B) v = tcc_add(ctx, v, read_per_channel(ctx, B, o[1]));
  tcc_type f64 = tcc_scalar(TCCRT_FLOAT64);
  const tcc_expr *mult = tcc_div(
      ctx, tcc_mul(ctx, read_per_channel(ctx, in[1], o[1]), read_per_channel(ctx, in[4], o[1])),
      read_per_channel(ctx, in[6], o[1]));
  const tcc_expr *r = tcc_mul(ctx, tcc_cast(ctx, f64, v), tcc_cast(ctx, f64, mult));
  r = tcc_call1(ctx, TCC_INTRIN_ROUND, r);
  r = tcc_add(ctx, r, tcc_cast(ctx, f64, read_per_channel(ctx, in[7], o[1])));
  tccrt_dtype yt = in[7]->dtype;
  r = tcc_max(ctx, tcc_min(ctx, r, tcc_float(ctx, f64, (double)tcc_dtype_int_max(yt))),
              tcc_float(ctx, f64, (double)tcc_dtype_int_min(yt)));
  r = tcc_cast(ctx, tcc_scalar(yt), r);
  outputs[0] = tcc_compute(ctx, "qlinear_conv", acc->ndim, acc->shape, ax, r, "elemwise");
  return TCC_OK;
}

/* ConvTranspose: y[n, m, o] = sum over (rc in the group's channels, rk) of
 * x[n, g*Cg + rc, i] * w[g*Cg + rc, m mod Mg, rk] where o + pb - rk*d = i*s with 0 <= i < in. */
static tcc_status compute_conv_transpose(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  conv_geom g;
  TCC_TRY(conv_geometry(&ic, cc->node, 0, 1, true, &g));
  const tcc_tensor *X = cc->inputs[0], *W = cc->inputs[1];
  const tcc_tensor *B = cc->node->ninputs > 2 ? cc->inputs[2] : NULL;
  int nsp = g.nsp, nd = nsp + 2;
  const tcc_expr *Mg = W->shape[1];
  const tcc_expr *shape[TCCRT_MAX_RANK];
  shape[0] = X->shape[0];
  shape[1] = tcc_shape_mul(ctx, Mg, tcc_idx(ctx, g.group));
  for (int i = 0; i < nsp; i++)
    shape[2 + i] = g.w.out[i];
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *Cg = tcc_shape_canon(ctx, tcc_floordiv(ctx, X->shape[1], tcc_idx(ctx, g.group)));
  const tcc_itervar *red[1 + NN_MAX_SPATIAL];
  red[0] = tcc_reduce_axis(ctx, "rc", tcc_idx(ctx, 0), Cg);
  for (int i = 0; i < nsp; i++)
    red[1 + i] = tcc_reduce_axis(ctx, "rk", tcc_idx(ctx, 0), tcc_idx(ctx, g.w.kernel[i]));
  const tcc_expr *rc = tcc_expr_var(ctx, red[0]->var);
  const tcc_expr *cin =
      g.group > 1 ? tcc_add(ctx, tcc_mul(ctx, tcc_floordiv(ctx, o[1], Mg), Cg), rc) : rc;
  const tcc_expr *xi[TCCRT_MAX_RANK], *wi[TCCRT_MAX_RANK];
  xi[0] = o[0];
  xi[1] = cin;
  wi[0] = cin;
  wi[1] = g.group > 1 ? tcc_floormod(ctx, o[1], Mg) : o[1];
  const tcc_expr *ok = NULL;
  for (int i = 0; i < nsp; i++) {
    const tcc_expr *rk = tcc_expr_var(ctx, red[1 + i]->var);
    const tcc_expr *num = tcc_sub(ctx, tcc_add(ctx, o[2 + i], g.w.pad_begin[i]),
                                  tcc_mul(ctx, rk, tcc_idx(ctx, g.w.dil[i])));
    const tcc_expr *s = tcc_idx(ctx, g.w.stride[i]);
    const tcc_expr *pos = g.w.stride[i] == 1 ? num : tcc_floordiv(ctx, num, s);
    const tcc_expr *c = nn_in_range(ctx, pos, tcc_idx(ctx, 0), X->shape[2 + i]);
    if (g.w.stride[i] != 1)
      c = tcc_and(ctx, c, tcc_eq(ctx, tcc_floormod(ctx, num, s), tcc_idx(ctx, 0)));
    ok = ok ? tcc_and(ctx, ok, c) : c;
    xi[2 + i] = pos;
    wi[2 + i] = rk;
  }
  tccrt_dtype acc = nn_acc_dtype(X->dtype);
  tcc_type at = tcc_scalar(acc);
  const tcc_expr *prod = tcc_mul(ctx, tcc_cast(ctx, at, nn_read_clamped(ctx, X, xi)),
                                 tcc_cast(ctx, at, tcc_read(ctx, W, wi)));
  prod = tcc_select(ctx, ok, prod, tcc_const(ctx, at, 0));
  const tcc_expr *body = tcc_sum(ctx, prod, 1 + nsp, red, NULL);
  tcc_tensor *y = tcc_compute(ctx, "conv_transpose", nd, shape, ax, body, "conv_transpose");
  outputs[0] = bias_cast(ctx, y, B, X->dtype);
  return TCC_OK;
}

/* ---- Col2Im (18): input (N, C * prod(block), L), constant image_shape and block_shape
 * (r values each) -> (N, C, image...). The inverse of im2col: every block element b at sliding
 * position l adds to image position l*stride - pad_begin + b*dilation (when inside); L must equal
 * the number of sliding positions prod(floor((img + pads - ((k-1)*dil+1)) / stride) + 1). ---- */
static const tcc_attr_schema col2im_attrs[] = {{"dilations", TCC_ATTR_INTS, false},
                                               {"pads", TCC_ATTR_INTS, false},
                                               {"strides", TCC_ATTR_INTS, false},
                                               {NULL, 0, false}};

typedef struct col2im_geom {
  int r;
  int64_t img[NN_MAX_SPATIAL], blk[NN_MAX_SPATIAL], dil[NN_MAX_SPATIAL], str[NN_MAX_SPATIAL];
  int64_t pads[2 * NN_MAX_SPATIAL], nslide[NN_MAX_SPATIAL], K;
} col2im_geom;

static tcc_status col2im_geometry(tcc_infer_ctx *ic, const tcc_node *n, col2im_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  bool k1, k2;
  int64_t c1, c2;
  const int64_t *img, *blk;
  TCC_TRY(tcc_infer_const_ints(ic, n, 1, &k1, &c1, &img));
  TCC_TRY(tcc_infer_const_ints(ic, n, 2, &k2, &c2, &blk));
  if (!k1 || !k2)
    return tcc_node_error(ctx, ic->graph, n,
                          "input %d (%s) is not constant; the output shape cannot be inferred",
                          k1 ? 2 : 1, k1 ? "block_shape" : "image_shape");
  if (c1 != c2 || c1 < 1 || c1 > NN_MAX_SPATIAL || X->ndim != 3)
    return tcc_node_error(ctx, ic->graph, n,
                          "image_shape (%lld values), block_shape (%lld) and input %s: expected "
                          "equal counts and a 3-D input",
                          (long long)c1, (long long)c2, tcc_value_shape_str(ctx, X));
  g->r = (int)c1;
  TCC_TRY(nn_attr_ints_n(ic, n, "dilations", g->r, 1, g->dil));
  TCC_TRY(nn_attr_ints_n(ic, n, "strides", g->r, 1, g->str));
  TCC_TRY(nn_attr_ints_n(ic, n, "pads", 2 * g->r, 0, g->pads));
  int64_t L = 1;
  g->K = 1;
  for (int i = 0; i < g->r; i++) {
    g->img[i] = img[i];
    g->blk[i] = blk[i];
    if (blk[i] < 1 || g->dil[i] < 1 || g->str[i] < 1)
      return tcc_node_error(ctx, ic->graph, n, "block, dilations and strides must be >= 1");
    int64_t ek, padded;
    TCC_TRY(nn_effective_kernel(ic, n, i, blk[i], g->dil[i], &ek));
    if (img[i] < 1 || g->pads[i] < 0 || g->pads[i + g->r] < 0 ||
        !tcc_add_ovf(img[i], g->pads[i], &padded) ||
        !tcc_add_ovf(padded, g->pads[i + g->r], &padded) || ek > padded)
      return tcc_node_error(ctx, ic->graph, n,
                            "axis %d: image extent %lld with pads %lld/%lld does not hold block "
                            "%lld (dilation %lld), or overflows int64",
                            i, (long long)img[i], (long long)g->pads[i],
                            (long long)g->pads[i + g->r], (long long)blk[i], (long long)g->dil[i]);
    g->nslide[i] = (padded - ek) / g->str[i] + 1;
    if (!tcc_mul_ovf(L, g->nslide[i], &L) || !tcc_mul_ovf(g->K, blk[i], &g->K))
      return tcc_node_error(ctx, ic->graph, n,
                            "the number of sliding positions or prod(block_shape) overflows int64");
  }
  int64_t cl, xl;
  if (tcc_expr_is_int_imm(X->dims[1], &cl) && cl % g->K)
    return tcc_node_error(ctx, ic->graph, n,
                          "input dim 1 (%lld) is not a multiple of prod(block_shape) %lld",
                          (long long)cl, (long long)g->K);
  if (tcc_expr_is_int_imm(X->dims[2], &xl) && xl != L)
    return tcc_node_error(ctx, ic->graph, n,
                          "input dim 2 is %lld; the sliding positions number %lld", (long long)xl,
                          (long long)L);
  return TCC_OK;
}

static tcc_status infer_col2im(tcc_infer_ctx *ic, tcc_node *n) {
  col2im_geom g;
  TCC_TRY(col2im_geometry(ic, n, &g));
  const tcc_value *X = tcc_op_input(n, 0);
  const tcc_expr *dims[TCCRT_MAX_RANK];
  dims[0] = X->dims[0];
  dims[1] = tcc_shape_canon(ic->ctx, tcc_floordiv(ic->ctx, X->dims[1], tcc_idx(ic->ctx, g.K)));
  for (int i = 0; i < g.r; i++)
    dims[2 + i] = tcc_idx(ic->ctx, g.img[i]);
  return tcc_infer_set_output(ic, n, 0, X->dtype, g.r + 2, dims);
}

static tcc_status compute_col2im(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  col2im_geom g;
  TCC_TRY(col2im_geometry(&ic, cc->node, &g));
  const tcc_tensor *X = cc->inputs[0];
  int nd;
  const tcc_expr *const *yd;
  TCC_TRY(nn_out_dims(cc, 0, &nd, &yd));
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, yd, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_itervar *red[NN_MAX_SPATIAL];
  const tcc_expr *bflat = tcc_idx(ctx, 0), *lflat = tcc_idx(ctx, 0), *ok = NULL;
  for (int i = 0; i < g.r; i++) {
    red[i] = tcc_reduce_axis(ctx, "b", tcc_idx(ctx, 0), tcc_idx(ctx, g.blk[i]));
    const tcc_expr *b = tcc_expr_var(ctx, red[i]->var);
    const tcc_expr *num = tcc_sub(ctx, tcc_add(ctx, o[2 + i], tcc_idx(ctx, g.pads[i])),
                                  tcc_mul(ctx, b, tcc_idx(ctx, g.dil[i])));
    const tcc_expr *s = tcc_idx(ctx, g.str[i]);
    const tcc_expr *l = g.str[i] == 1 ? num : tcc_floordiv(ctx, num, s);
    const tcc_expr *c = nn_in_range(ctx, l, tcc_idx(ctx, 0), tcc_idx(ctx, g.nslide[i]));
    if (g.str[i] != 1) c = tcc_and(ctx, c, tcc_eq(ctx, tcc_floormod(ctx, num, s), tcc_idx(ctx, 0)));
    ok = ok ? tcc_and(ctx, ok, c) : c;
    bflat = tcc_add(ctx, tcc_mul(ctx, bflat, tcc_idx(ctx, g.blk[i])), b);
    const tcc_expr *lc =
        tcc_max(ctx, tcc_min(ctx, l, tcc_idx(ctx, g.nslide[i] - 1)), tcc_idx(ctx, 0));
    lflat = tcc_add(ctx, tcc_mul(ctx, lflat, tcc_idx(ctx, g.nslide[i])), lc);
  }
  const tcc_expr *xi[3] = {o[0], tcc_add(ctx, tcc_mul(ctx, o[1], tcc_idx(ctx, g.K)), bflat), lflat};
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  const tcc_expr *v =
      tcc_select(ctx, ok, tcc_cast(ctx, at, tcc_read(ctx, X, xi)), tcc_const(ctx, at, 0));
  tcc_tensor *y = tcc_compute(ctx, "col2im", nd, yd, ax, tcc_sum(ctx, v, g.r, red, NULL), "col2im");
  outputs[0] = bias_cast(ctx, y, NULL, X->dtype);
  return TCC_OK;
}

/* ---- DeformConv (19, 22), 2-D: X (N, C, H, W), W (oC, C/group, kH, kW), offset
 * (N, offset_group*2*kH*kW, oH, oW) holding (dh, dw) per tap, optional B (oC) and mask
 * (N, offset_group*kH*kW, oH, oW). Each tap samples X bilinearly (zero outside) at
 * (oh*sh - ph + kh*dh + dh_off, ow*sw - pw + kw*dw + dw_off), times the mask, times the weight.
 * Channel c uses offset group c / (C / offset_group). ---- */
static const tcc_attr_schema deform_attrs[] = {{"dilations", TCC_ATTR_INTS, false},
                                               {"group", TCC_ATTR_INT, false},
                                               {"kernel_shape", TCC_ATTR_INTS, false},
                                               {"offset_group", TCC_ATTR_INT, false},
                                               {"pads", TCC_ATTR_INTS, false},
                                               {"strides", TCC_ATTR_INTS, false},
                                               {NULL, 0, false}};

static tcc_status infer_deform_conv(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  for (int k = 1; k < 5; k++)
    if (tcc_op_input(n, k)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
  conv_geom g;
  TCC_TRY(conv_geometry(ic, n, 0, 1, false, &g));
  if (g.nsp != 2)
    return tcc_node_error(ic->ctx, ic->graph, n, "only 2-D DeformConv is supported (got %d-D)",
                          g.nsp);
  int64_t og;
  TCC_TRY(nn_attr_int(ic, n, "offset_group", 1, &og));
  int64_t c;
  if (og < 1 || (tcc_expr_is_int_imm(g.C, &c) && c % og))
    return tcc_node_error(ic->ctx, ic->graph, n, "offset_group %lld must divide the %s channels",
                          (long long)og, tcc_expr_str(ic->ctx, g.C));
  TCC_TRY(check_per_channel(ic, n, 3, "bias B", g.M, false));
  int64_t taps = g.w.kernel[0] * g.w.kernel[1];
  const tcc_expr *od[4] = {g.N, tcc_idx(ic->ctx, og * 2 * taps), g.w.out[0], g.w.out[1]};
  const tcc_expr *md[4] = {g.N, tcc_idx(ic->ctx, og * taps), g.w.out[0], g.w.out[1]};
  TCC_TRY(nn_check_shape(ic, n, 2, "offset", 4, od));
  TCC_TRY(nn_check_shape(ic, n, 4, "mask", 4, md));
  return conv_set_out(ic, n, &g, tcc_op_input(n, 0)->dtype);
}

static tcc_status compute_deform_conv(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  conv_geom g;
  TCC_TRY(conv_geometry(&ic, cc->node, 0, 1, false, &g));
  int64_t og;
  TCC_TRY(nn_attr_int(&ic, cc->node, "offset_group", 1, &og));
  int ni = cc->node->ninputs;
  const tcc_tensor *X = cc->inputs[0], *W = cc->inputs[1], *O = cc->inputs[2];
  const tcc_tensor *B = ni > 3 ? cc->inputs[3] : NULL, *M = ni > 4 ? cc->inputs[4] : NULL;
  int64_t kH = g.w.kernel[0], kW = g.w.kernel[1];
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  tcc_type f64 = tcc_scalar(TCCRT_FLOAT64);
  const tcc_expr *shape[4] = {X->shape[0], W->shape[0], g.w.out[0], g.w.out[1]};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 4, shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, 4, ax);
  const tcc_expr *Cg = W->shape[1];
  const tcc_itervar *red[3] = {tcc_reduce_axis(ctx, "rc", tcc_idx(ctx, 0), Cg),
                               tcc_reduce_axis(ctx, "kh", tcc_idx(ctx, 0), tcc_idx(ctx, kH)),
                               tcc_reduce_axis(ctx, "kw", tcc_idx(ctx, 0), tcc_idx(ctx, kW))};
  const tcc_expr *rc = tcc_expr_var(ctx, red[0]->var), *kh = tcc_expr_var(ctx, red[1]->var),
                 *kw = tcc_expr_var(ctx, red[2]->var);
  const tcc_expr *cin = rc;
  if (g.group > 1) {
    const tcc_expr *Mg =
        tcc_shape_canon(ctx, tcc_floordiv(ctx, W->shape[0], tcc_idx(ctx, g.group)));
    cin = tcc_add(ctx, tcc_mul(ctx, tcc_floordiv(ctx, o[1], Mg), Cg), rc);
  }
  const tcc_expr *cpg = tcc_shape_canon(ctx, tcc_floordiv(ctx, X->shape[1], tcc_idx(ctx, og)));
  const tcc_expr *ogi = tcc_floordiv(ctx, cin, cpg);
  const tcc_expr *tap = tcc_add(ctx, tcc_mul(ctx, kh, tcc_idx(ctx, kW)), kw);
  const tcc_expr *och = tcc_add(ctx, tcc_mul(ctx, ogi, tcc_idx(ctx, 2 * kH * kW)),
                                tcc_mul(ctx, tap, tcc_idx(ctx, 2)));
  const tcc_expr *oi_h[4] = {o[0], och, o[2], o[3]};
  const tcc_expr *oi_w[4] = {o[0], tcc_add(ctx, och, tcc_idx(ctx, 1)), o[2], o[3]};
  const tcc_expr *ph =
      tcc_add(ctx,
              tcc_cast(ctx, f64,
                       tcc_sub(ctx,
                               tcc_add(ctx, tcc_mul(ctx, o[2], tcc_idx(ctx, g.w.stride[0])),
                                       tcc_mul(ctx, kh, tcc_idx(ctx, g.w.dil[0]))),
                               g.w.pad_begin[0])),
              tcc_cast(ctx, f64, tcc_read(ctx, O, oi_h)));
  const tcc_expr *pw =
      tcc_add(ctx,
              tcc_cast(ctx, f64,
                       tcc_sub(ctx,
                               tcc_add(ctx, tcc_mul(ctx, o[3], tcc_idx(ctx, g.w.stride[1])),
                                       tcc_mul(ctx, kw, tcc_idx(ctx, g.w.dil[1]))),
                               g.w.pad_begin[1])),
              tcc_cast(ctx, f64, tcc_read(ctx, O, oi_w)));
  /* bilinear, zero outside; clamp the float before converting */
  const tcc_expr *lim = tcc_float(ctx, f64, 1e9);
  ph = tcc_max(ctx, tcc_min(ctx, ph, lim), tcc_unary(ctx, TCC_NEG, lim));
  pw = tcc_max(ctx, tcc_min(ctx, pw, lim), tcc_unary(ctx, TCC_NEG, lim));
  const tcc_expr *h0f = tcc_call1(ctx, TCC_INTRIN_FLOOR, ph),
                 *w0f = tcc_call1(ctx, TCC_INTRIN_FLOOR, pw);
  const tcc_expr *th = tcc_sub(ctx, ph, h0f), *tw = tcc_sub(ctx, pw, w0f);
  const tcc_expr *h0 = tcc_cast(ctx, tcc_index_type(), h0f),
                 *w0 = tcc_cast(ctx, tcc_index_type(), w0f);
  const tcc_expr *one = tcc_float(ctx, f64, 1.0), *zero = tcc_float(ctx, f64, 0.0);
  const tcc_expr *sample = NULL;
  for (int dy = 0; dy < 2; dy++)
    for (int dx = 0; dx < 2; dx++) {
      const tcc_expr *hh = tcc_add(ctx, h0, tcc_idx(ctx, dy)),
                     *ww = tcc_add(ctx, w0, tcc_idx(ctx, dx));
      const tcc_expr *in = tcc_and(ctx, nn_in_range(ctx, hh, tcc_idx(ctx, 0), X->shape[2]),
                                   nn_in_range(ctx, ww, tcc_idx(ctx, 0), X->shape[3]));
      const tcc_expr *xi[4] = {o[0], cin, hh, ww};
      const tcc_expr *v =
          tcc_select(ctx, in, tcc_cast(ctx, f64, nn_read_clamped(ctx, X, xi)), zero);
      const tcc_expr *wgt =
          tcc_mul(ctx, dy ? th : tcc_sub(ctx, one, th), dx ? tw : tcc_sub(ctx, one, tw));
      const tcc_expr *term = tcc_mul(ctx, wgt, v);
      sample = sample ? tcc_add(ctx, sample, term) : term;
    }
  const tcc_expr *val = tcc_cast(ctx, at, sample);
  if (M) {
    const tcc_expr *mi[4] = {o[0], tcc_add(ctx, tcc_mul(ctx, ogi, tcc_idx(ctx, kH * kW)), tap),
                             o[2], o[3]};
    val = tcc_mul(ctx, val, tcc_cast(ctx, at, tcc_read(ctx, M, mi)));
  }
  const tcc_expr *wi[4] = {o[1], rc, kh, kw};
  val = tcc_mul(ctx, val, tcc_cast(ctx, at, tcc_read(ctx, W, wi)));
  tcc_tensor *y = tcc_compute(ctx, "deform_conv", 4, shape, ax, tcc_sum(ctx, val, 3, red, NULL),
                              "deform_conv2d");
  outputs[0] = bias_cast(ctx, y, B, X->dtype);
  return TCC_OK;
}

/* ---- CausalConvWithState (27): input (B, C, L), weight (C, 1, k), optional bias (C) and
 * past_state (B, C, k-1, zeros when absent). padded = concat(past_state, input) along L; output =
 * depthwise valid conv of padded (then silu/swish when activation says so, in float32);
 * present_state = the last k-1 positions of padded. As the ONNX reference. ---- */
static const tcc_attr_schema ccws_attrs[] = {{"activation", TCC_ATTR_STRING, false},
                                             {NULL, 0, false}};

static tcc_status ccws_geometry(tcc_infer_ctx *ic, const tcc_node *n, int64_t *k, bool *silu) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X, *W;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  TCC_TRY(tcc_infer_input(ic, n, 1, &W));
  if (X->ndim != 3 || W->ndim != 3 || !tcc_expr_is_int_imm(W->dims[2], k) || *k < 1)
    return tcc_node_error(ctx, ic->graph, n,
                          "input %s and weight %s: expected (B, C, L) and (C, 1, k), k constant",
                          tcc_value_shape_str(ctx, X), tcc_value_shape_str(ctx, W));
  const char *act;
  TCC_TRY(nn_attr_string(ic, n, "activation", "none", &act));
  if (strcmp(act, "none") && strcmp(act, "silu") && strcmp(act, "swish"))
    return tcc_node_error(ctx, ic->graph, n,
                          "attribute 'activation' is '%s'; expected none, silu or swish", act);
  *silu = strcmp(act, "none") != 0;
  const tcc_expr *wd[3] = {X->dims[1], tcc_idx(ctx, 1), NULL}, *bd[1] = {X->dims[1]};
  const tcc_expr *sd[3] = {X->dims[0], X->dims[1], tcc_idx(ctx, *k - 1)};
  TCC_TRY(nn_check_shape(ic, n, 1, "weight", 3, wd));
  TCC_TRY(nn_check_shape(ic, n, 2, "bias", 1, bd));
  TCC_TRY(nn_check_shape(ic, n, 3, "past_state", 3, sd));
  return TCC_OK;
}

static tcc_status infer_ccws(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  for (int k = 1; k < 4; k++)
    if (tcc_op_input(n, k)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
  int64_t k;
  bool silu;
  TCC_TRY(ccws_geometry(ic, n, &k, &silu));
  const tcc_value *X = tcc_op_input(n, 0);
  TCC_TRY(tcc_infer_output_like(ic, n, 0, X));
  const tcc_expr *ps[3] = {X->dims[0], X->dims[1], tcc_idx(ic->ctx, k - 1)};
  return tcc_infer_set_output(ic, n, 1, X->dtype, 3, ps);
}

static tcc_status compute_ccws(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  int64_t k;
  bool silu;
  TCC_TRY(ccws_geometry(&ic, cc->node, &k, &silu));
  int ni = cc->node->ninputs;
  const tcc_tensor *X = cc->inputs[0], *W = cc->inputs[1];
  const tcc_tensor *Bt = ni > 2 ? cc->inputs[2] : NULL, *S = ni > 3 ? cc->inputs[3] : NULL;
  tccrt_dtype dt = X->dtype;
  tcc_type at = tcc_scalar(nn_acc_dtype(dt));
  const tcc_expr *km1 = tcc_idx(ctx, k - 1);
  /* padded[b, c, p] */
  const tcc_expr *pshape[3] = {X->shape[0], X->shape[1], tcc_add(ctx, X->shape[2], km1)};
  const tcc_itervar *const *ap = tcc_compute_axes(ctx, 3, pshape, NULL);
  const tcc_expr **op = nn_axis_exprs(ctx, 3, ap);
  const tcc_expr *xi[3] = {op[0], op[1], tcc_sub(ctx, op[2], km1)};
  const tcc_expr *xv = nn_read_clamped(ctx, X, xi), *pv;
  if (S && k > 1) {
    const tcc_expr *si[3] = {op[0], op[1], op[2]};
    pv = nn_read_clamped(ctx, S, si);
  } else {
    pv = tcc_const(ctx, tcc_scalar(dt), 0);
  }
  tcc_tensor *padded = tcc_compute(ctx, "ccws_padded", 3, pshape, ap,
                                   tcc_select(ctx, tcc_lt(ctx, op[2], km1), pv, xv), "injective");
  /* output */
  const tcc_itervar *const *ay = tcc_compute_axes(ctx, 3, X->shape, NULL);
  const tcc_expr **oy = nn_axis_exprs(ctx, 3, ay);
  const tcc_itervar *rj = tcc_reduce_axis(ctx, "j", tcc_idx(ctx, 0), tcc_idx(ctx, k));
  const tcc_expr *j = tcc_expr_var(ctx, rj->var);
  const tcc_expr *pi[3] = {oy[0], oy[1], tcc_add(ctx, oy[2], j)};
  const tcc_expr *wi[3] = {oy[1], tcc_idx(ctx, 0), j};
  tcc_tensor *acc = tcc_compute(ctx, "ccws_conv", 3, X->shape, ay,
                                tcc_sum(ctx,
                                        tcc_mul(ctx, tcc_cast(ctx, at, tcc_read(ctx, padded, pi)),
                                                tcc_cast(ctx, at, tcc_read(ctx, W, wi))),
                                        1, &rj, NULL),
                                "conv1d");
  tcc_tensor *y = bias_cast(ctx, acc, Bt, dt);
  if (silu) {
    const tcc_itervar *const *as = tcc_compute_axes(ctx, 3, X->shape, NULL);
    const tcc_expr *v =
        tcc_cast(ctx, tcc_scalar(TCCRT_FLOAT32), tcc_read(ctx, y, nn_axis_exprs(ctx, 3, as)));
    y = tcc_compute(
        ctx, "ccws_silu", 3, X->shape, as,
        tcc_cast(ctx, tcc_scalar(dt), tcc_mul(ctx, v, tcc_call1(ctx, TCC_INTRIN_SIGMOID, v))),
        "elemwise");
  }
  outputs[0] = y;
  if (cc->node->noutputs > 1 && cc->node->outputs[1]) {
    const tcc_expr *sshape[3] = {X->shape[0], X->shape[1], km1};
    const tcc_itervar *const *as = tcc_compute_axes(ctx, 3, sshape, NULL);
    const tcc_expr **os = nn_axis_exprs(ctx, 3, as);
    const tcc_expr *qi[3] = {os[0], os[1], tcc_add(ctx, X->shape[2], os[2])};
    outputs[1] =
        tcc_compute(ctx, "present_state", 3, sshape, as, tcc_read(ctx, padded, qi), "injective");
  }
  return TCC_OK;
}

/* ---- blocked layouts (layout.h): Conv -> tcc.internal ConvNCHWc ----
 *
 * ConvNCHWc {auto_pad, dilations, group, kernel_shape, pads, strides (as Conv, 2-D);
 * data_layout "NCHW{ib}c", kernel_layout "OIHW{ib}i{ob}o" (group 1) or "OIHW1i{ob}o"
 * (depthwise: group = C = M, ib = ob), out_layout "NCHW{ob}c"}: X [N, C/ib, H, W, ib],
 * W [M/ob, C/ib (1 depthwise), kH, kW, ib (1), ob], optional B [M/ob, ob] -> Y [N, M/ob, OH, OW,
 * ob], where Y in NCHW order is ONNX Conv of X, W, B in NCHW order (TVM's conv2d_NCHWc). The
 * reduction runs over (C/ib, ib, kH, kW) around the default schedule's register tile of several
 * ow rows x ob lanes: a vector weight load and a broadcast data load per FMA. */
static const tcc_attr_schema conv_nchwc_attrs[] = {
    {"auto_pad", TCC_ATTR_STRING, false},   {"dilations", TCC_ATTR_INTS, false},
    {"group", TCC_ATTR_INT, false},         {"kernel_shape", TCC_ATTR_INTS, false},
    {"pads", TCC_ATTR_INTS, false},         {"strides", TCC_ATTR_INTS, false},
    {"data_layout", TCC_ATTR_STRING, true}, {"kernel_layout", TCC_ATTR_STRING, true},
    {"out_layout", TCC_ATTR_STRING, true},  {NULL, 0, false}};

typedef struct nchwc_geom {
  int64_t ib, ob, group;
  bool depthwise;
  int64_t kernel[2];
  const tcc_expr *N, *C, *M, *Co, *Mo; /* C, M logical; Co = C/ib, Mo = M/ob */
  nn_window w;
} nchwc_geom;

/* Parses `name` (a string attribute) as a layout whose letters are exactly `letters` with the
 * sub-dims in the order given and returns the factors of the sub-dims in *f0, *f1. */
static tcc_status nchwc_layout_attr(tcc_infer_ctx *ic, const tcc_node *n, const char *name,
                                    const char *letters, int64_t *f0, int64_t *f1) {
  const char *s = NULL;
  TCC_TRY(nn_attr_string(ic, n, name, NULL, &s));
  tcc_layout l;
  if (!s || tcc_layout_parse(ic->ctx, s, &l) != TCC_OK)
    return tcc_node_error(ic->ctx, ic->graph, n, "attribute '%s' is %s; expected a layout like %s",
                          name, s ? s : "missing", letters);
  bool ok = l.ndim == (int)strlen(letters);
  for (int d = 0; ok && d < l.ndim; d++)
    ok = l.axis[d] == letters[d];
  if (!ok)
    return tcc_node_error(ic->ctx, ic->graph, n, "attribute '%s' is '%s'; expected the dims %s",
                          name, s, letters);
  int k = 0;
  for (int d = 0; d < l.ndim; d++)
    if (l.factor[d] > 0) *(k++ ? f1 : f0) = l.factor[d];
  return TCC_OK;
}

static tcc_status nchwc_geometry(tcc_infer_ctx *ic, const tcc_node *n, nchwc_geom *g) {
  tcc_context *ctx = ic->ctx;
  memset(g, 0, sizeof *g);
  int64_t ib = 0, ob = 0, kib = 0, kob = 0, dummy = 0;
  TCC_TRY(nchwc_layout_attr(ic, n, "data_layout", "NCHWc", &ib, &dummy));
  TCC_TRY(nchwc_layout_attr(ic, n, "out_layout", "NCHWc", &ob, &dummy));
  TCC_TRY(nchwc_layout_attr(ic, n, "kernel_layout", "OIHWio", &kib, &kob));
  const tcc_value *X, *W;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  TCC_TRY(tcc_infer_input(ic, n, 1, &W));
  int64_t e;
  if (X->ndim != 5 || !tcc_expr_is_int_imm(X->dims[4], &e) || e != ib)
    return tcc_node_error(ctx, ic->graph, n, "input X %s: expected [N, C/%lld, H, W, %lld]",
                          tcc_value_shape_str(ctx, X), (long long)ib, (long long)ib);
  if (W->ndim != 6 || !tcc_expr_is_int_imm(W->dims[4], &e) || e != kib ||
      !tcc_expr_is_int_imm(W->dims[5], &e) || e != kob || kob != ob ||
      !tcc_expr_is_int_imm(W->dims[2], &g->kernel[0]) ||
      !tcc_expr_is_int_imm(W->dims[3], &g->kernel[1]))
    return tcc_node_error(ctx, ic->graph, n,
                          "weight W %s: expected [M/%lld, C/%lld, kH, kW, %lld, %lld] (constant "
                          "kernel)",
                          tcc_value_shape_str(ctx, W), (long long)ob, (long long)kib,
                          (long long)kib, (long long)ob);
  TCC_TRY(nn_attr_int(ic, n, "group", 1, &g->group));
  g->ib = ib;
  g->ob = ob;
  g->N = X->dims[0];
  g->Co = X->dims[1];
  g->Mo = W->dims[0];
  g->C = tcc_shape_mul(ctx, X->dims[1], tcc_idx(ctx, ib));
  g->M = tcc_shape_mul(ctx, W->dims[0], tcc_idx(ctx, ob));
  int64_t c = -1, m = -1, wc = -1;
  tcc_expr_is_int_imm(g->C, &c);
  tcc_expr_is_int_imm(g->M, &m);
  tcc_expr_is_int_imm(W->dims[1], &wc);
  if (g->group == 1) {
    if (kib != ib || !tcc_shape_dim_eq(ctx, W->dims[1], X->dims[1]))
      return tcc_node_error(ctx, ic->graph, n, "weight W %s does not match input X %s (group 1)",
                            tcc_value_shape_str(ctx, W), tcc_value_shape_str(ctx, X));
  } else if (g->group == c && c == m && wc == 1 && kib == 1 && ib == ob) {
    g->depthwise = true;
  } else {
    return tcc_node_error(ctx, ic->graph, n,
                          "group %lld: ConvNCHWc supports group 1 and depthwise (group = C = M)",
                          (long long)g->group);
  }
  return nn_window_infer(ic, n, 2, X->dims + 2, g->kernel, false, true, &g->w);
}

static tcc_status infer_conv_nchwc(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  nchwc_geom g;
  TCC_TRY(nchwc_geometry(ic, n, &g));
  if (tcc_op_input(n, 2)) {
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
    const tcc_expr *bd[2] = {g.Mo, tcc_idx(ic->ctx, g.ob)};
    TCC_TRY(nn_check_shape(ic, n, 2, "bias B", 2, bd));
  }
  const tcc_expr *dims[5] = {g.N, g.Mo, g.w.out[0], g.w.out[1], tcc_idx(ic->ctx, g.ob)};
  return tcc_infer_set_output(ic, n, 0, tcc_op_input(n, 0)->dtype, 5, dims);
}

static tcc_status compute_conv_nchwc(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  nchwc_geom g;
  TCC_TRY(nchwc_geometry(&ic, cc->node, &g));
  const tcc_tensor *X = cc->inputs[0], *W = cc->inputs[1];
  const tcc_tensor *B = cc->node->ninputs > 2 ? cc->inputs[2] : NULL;
  /* zero-padded input: its own "conv_pad" stage, computed at the root by the CPU schedule */
  bool any_pad = false;
  for (int i = 0; i < 2; i++) {
    int64_t pb = -1, pe = -1;
    if (!tcc_expr_is_int_imm(g.w.pad_begin[i], &pb) || !tcc_expr_is_int_imm(g.w.pad_end[i], &pe) ||
        pb || pe)
      any_pad = true;
  }
  if (any_pad) {
    const tcc_expr *ps[5] = {
        X->shape[0], X->shape[1],
        tcc_shape_canon(ctx,
                        tcc_add(ctx, X->shape[2], tcc_add(ctx, g.w.pad_begin[0], g.w.pad_end[0]))),
        tcc_shape_canon(ctx,
                        tcc_add(ctx, X->shape[3], tcc_add(ctx, g.w.pad_begin[1], g.w.pad_end[1]))),
        X->shape[4]};
    const tcc_itervar *const *pax = tcc_compute_axes(ctx, 5, ps, NULL);
    const tcc_expr **p = nn_axis_exprs(ctx, 5, pax);
    const tcc_expr *src[5] = {p[0], p[1], tcc_sub(ctx, p[2], g.w.pad_begin[0]),
                              tcc_sub(ctx, p[3], g.w.pad_begin[1]), p[4]};
    const tcc_expr *in = tcc_and(ctx, nn_in_range(ctx, src[2], tcc_idx(ctx, 0), X->shape[2]),
                                 nn_in_range(ctx, src[3], tcc_idx(ctx, 0), X->shape[3]));
    X = tcc_compute(
        ctx, "conv_pad", 5, ps, pax,
        tcc_select(ctx, in, nn_read_clamped(ctx, X, src), tcc_const(ctx, tcc_scalar(X->dtype), 0)),
        "conv_pad");
  }
  const tcc_expr *shape[5] = {X->shape[0], g.Mo, g.w.out[0], g.w.out[1], tcc_idx(ctx, g.ob)};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 5, shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, 5, ax);
  /* reduction order (C/ib, ib, kH, kW): input channel c = ic * ib + ii outermost, as the plain
   * conv's (C, kH, kW), so the sum is taken in the same order whatever the block (results do not
   * depend on the target's vector width) */
  const tcc_itervar *red[4];
  int nred = 0;
  if (!g.depthwise) {
    red[nred++] = tcc_reduce_axis(ctx, "ic", tcc_idx(ctx, 0), g.Co);
    red[nred++] = tcc_reduce_axis(ctx, "ii", tcc_idx(ctx, 0), tcc_idx(ctx, g.ib));
  }
  red[nred++] = tcc_reduce_axis(ctx, "kh", tcc_idx(ctx, 0), tcc_idx(ctx, g.kernel[0]));
  red[nred++] = tcc_reduce_axis(ctx, "kw", tcc_idx(ctx, 0), tcc_idx(ctx, g.kernel[1]));
  const tcc_expr *kh = tcc_expr_var(ctx, red[g.depthwise ? 0 : 2]->var);
  const tcc_expr *kw = tcc_expr_var(ctx, red[g.depthwise ? 1 : 3]->var);
  const tcc_expr *zero = tcc_idx(ctx, 0);
  const tcc_expr *ic_ = g.depthwise ? o[1] : tcc_expr_var(ctx, red[0]->var);
  const tcc_expr *ii = g.depthwise ? o[4] : tcc_expr_var(ctx, red[1]->var);
  const tcc_expr *xi[5] = {o[0], ic_,
                           tcc_add(ctx, tcc_mul(ctx, o[2], tcc_idx(ctx, g.w.stride[0])),
                                   tcc_mul(ctx, kh, tcc_idx(ctx, g.w.dil[0]))),
                           tcc_add(ctx, tcc_mul(ctx, o[3], tcc_idx(ctx, g.w.stride[1])),
                                   tcc_mul(ctx, kw, tcc_idx(ctx, g.w.dil[1]))),
                           ii};
  const tcc_expr *wi[6] = {o[1], g.depthwise ? zero : ic_, kh, kw, g.depthwise ? zero : ii, o[4]};
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
  const tcc_expr *body = tcc_sum(ctx,
                                 tcc_mul(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, xi)),
                                         tcc_cast(ctx, at, tcc_read(ctx, W, wi))),
                                 nred, red, NULL);
  tcc_tensor *y = tcc_compute(ctx, "conv_nchwc", 5, shape, ax, body, "conv2d_NCHWc");
  if (B || y->dtype != X->dtype) {
    const tcc_itervar *const *ax2 = tcc_compute_axes(ctx, 5, shape, NULL);
    const tcc_expr **o2 = nn_axis_exprs(ctx, 5, ax2);
    const tcc_expr *v = tcc_read(ctx, y, o2);
    if (B) {
      const tcc_expr *bi[2] = {o2[1], o2[4]};
      v = tcc_add(ctx, v, tcc_cast(ctx, v->type, tcc_read(ctx, B, bi)));
    }
    y = tcc_compute(ctx, "conv_bias", 5, shape, ax2, tcc_cast(ctx, tcc_scalar(X->dtype), v),
                    "elemwise");
  }
  outputs[0] = y;
  return TCC_OK;
}

/* The largest preferred block (the vector lanes, then half of them, at least 4) dividing c. */
static int64_t pick_block(int lanes, int64_t c) {
  for (int64_t f = lanes; f >= 4; f /= 2)
    if (c % f == 0) return f;
  return 0;
}

static bool const_data(const tcc_value *v) {
  return v && v->kind == TCC_VALUE_CONST && !v->is_fill && v->data && tcc_value_shape_known(v);
}

/* Conv: 2-D float32 convolutions of constant weights with group 1 or depthwise go blocked:
 * ob = the vector lanes (or half) dividing M; ib = the block the input already has when it
 * divides C, else the preferred one, else C itself for a first conv of 2 to 4 channels (RGB).
 * Anything else (grouped, symbolic, indivisible channels, run-time weights) stays plain. */
static tcc_status conv_infer_layout(tcc_layout_ctx *lc, const tcc_node *n, const tcc_layout *in,
                                    tcc_layout *req, tcc_layout *out) {
  const tcc_value *X = tcc_op_input(n, 0), *W = tcc_op_input(n, 1), *B = tcc_op_input(n, 2);
  if (!X || !W || X->dtype != TCCRT_FLOAT32 || X->ndim != 4 || W->ndim != 4 || !const_data(W) ||
      (B && !const_data(B)) || !tcc_value_shape_known(X) || n->noutputs != 1 || !n->outputs[0])
    return TCC_OK;
  int64_t group = 1, C, M, wc;
  const tcc_attr *ga = tcc_node_attr(n, "group");
  if (ga && ga->kind == TCC_ATTR_INT) group = ga->u.i;
  if (!tcc_expr_is_int_imm(X->dims[1], &C) || !tcc_expr_is_int_imm(W->dims[0], &M) ||
      !tcc_expr_is_int_imm(W->dims[1], &wc))
    return TCC_OK;
  /* the block X already has (NCHW{b}c) */
  int64_t have = 0;
  if (tcc_layout_is_blocked(&in[0])) {
    if (in[0].ndim != 5 || memcmp(in[0].axis, "NCHWc", 5)) return TCC_OK;
    have = in[0].factor[4];
  }
  int lanes = lc->vector_lanes > 0 ? lc->vector_lanes : 8;
  int64_t ib, ob;
  bool dw = false;
  if (group == 1) {
    ob = pick_block(lanes, M);
    ib = have > 0 && C % have == 0 ? have : pick_block(lanes, C);
    /* a first conv of 2 to 4 channels (RGB) reads NCHW{C}c: one transform of the input; a
     * single-channel one stays plain (NCHW1c would only copy the input into the same order) */
    if (!ib && C >= 2 && C <= 4) ib = C;
  } else if (group == C && group == M && wc == 1) {
    dw = true;
    ib = ob = have > 0 && C % have == 0 && have >= 4 ? have : pick_block(lanes, C);
  } else {
    return TCC_OK;
  }
  if (!ib || !ob) return TCC_OK;
  tcc_context *ctx = lc->ctx;
  char s[64];
  snprintf(s, sizeof s, "NCHW%lldc", (long long)ib);
  TCC_TRY(tcc_layout_parse(ctx, s, &req[0]));
  if (dw)
    snprintf(s, sizeof s, "OIHW1i%lldo", (long long)ob);
  else
    snprintf(s, sizeof s, "OIHW%lldi%lldo", (long long)ib, (long long)ob);
  TCC_TRY(tcc_layout_parse(ctx, s, &req[1]));
  if (B) {
    snprintf(s, sizeof s, "C%lldc", (long long)ob);
    TCC_TRY(tcc_layout_parse(ctx, s, &req[2]));
  }
  snprintf(s, sizeof s, "NCHW%lldc", (long long)ob);
  return tcc_layout_parse(ctx, s, &out[0]);
}

static tcc_attr string_attr(tcc_context *ctx, const char *name, const tcc_layout *l) {
  tcc_attr a;
  memset(&a, 0, sizeof a);
  a.name = name;
  a.kind = TCC_ATTR_STRING;
  a.u.s = tcc_layout_str(ctx, l);
  a.slen = strlen(a.u.s);
  return a;
}

/* Conv -> ConvNCHWc in place: same attributes plus the three layouts. */
static tcc_status conv_alter_layout(tcc_layout_ctx *lc, tcc_node *n, const tcc_layout *in,
                                    const tcc_layout *out, tcc_layout_rewrite *rw) {
  tcc_context *ctx = lc->ctx;
  const tcc_op *op = tcc_op_lookup(TCC_INTERNAL_DOMAIN, "ConvNCHWc", 1);
  if (!op) return tcc_node_error(ctx, lc->graph, n, "ConvNCHWc is not registered");
  tcc_attr *attrs = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_attr) * (size_t)(n->nattrs + 3));
  int na = 0;
  for (int a = 0; a < n->nattrs; a++)
    if (strcmp(n->attrs[a].name, "kernel_shape")) attrs[na++] = n->attrs[a];
  attrs[na++] = string_attr(ctx, "data_layout", &in[0]);
  attrs[na++] = string_attr(ctx, "kernel_layout", &in[1]);
  attrs[na++] = string_attr(ctx, "out_layout", &out[0]);
  n->attrs = attrs;
  n->nattrs = na;
  n->op_type = "ConvNCHWc";
  n->domain = TCC_INTERNAL_DOMAIN;
  n->opset = 1;
  n->op = op;
  rw->nnodes = 0;
  return TCC_OK;
}

#define CONV_ENTRY(NAME, SINCE, UNTIL, MINI, MAXI, ATTRS, INFER, COMPUTE)                          \
  {NAME, "", SINCE, UNTIL, TCC_PAT_OUT_ELEMWISE_FUSABLE, MINI, MAXI, 1, 1, ATTRS, INFER, COMPUTE}
/* clang-format off */
#define CONV_LAYOUT_ENTRY(SINCE, UNTIL)                                                            \
  {"Conv", "", SINCE, UNTIL, TCC_PAT_OUT_ELEMWISE_FUSABLE, 2, 3, 1, 1, conv_attrs, infer_conv,     \
   compute_conv, conv_infer_layout, conv_alter_layout}
/* clang-format on */

const tcc_op tcc_ops_conv[] = {
    CONV_LAYOUT_ENTRY(1, 10),
    CONV_LAYOUT_ENTRY(11, 21),
    CONV_LAYOUT_ENTRY(22, 0),
    CONV_ENTRY("ConvTranspose", 1, 10, 2, 3, convt_attrs, infer_conv_transpose,
               compute_conv_transpose),
    CONV_ENTRY("ConvTranspose", 11, 21, 2, 3, convt_attrs, infer_conv_transpose,
               compute_conv_transpose),
    CONV_ENTRY("ConvTranspose", 22, 0, 2, 3, convt_attrs, infer_conv_transpose,
               compute_conv_transpose),
    CONV_ENTRY("ConvInteger", 10, 0, 2, 4, conv_attrs, infer_conv_integer, compute_conv_integer),
    CONV_ENTRY("QLinearConv", 10, 0, 8, 9, conv_attrs, infer_qlinear_conv, compute_qlinear_conv),
    {"Col2Im", "", 18, 0, TCC_PAT_OPAQUE, 3, 3, 1, 1, col2im_attrs, infer_col2im, compute_col2im},
    CONV_ENTRY("DeformConv", 19, 21, 3, 5, deform_attrs, infer_deform_conv, compute_deform_conv),
    CONV_ENTRY("DeformConv", 22, 0, 3, 5, deform_attrs, infer_deform_conv, compute_deform_conv),
    {"CausalConvWithState", "", 27, 0, TCC_PAT_OPAQUE, 2, 4, 1, 2, ccws_attrs, infer_ccws,
     compute_ccws},
    {"ConvNCHWc", TCC_INTERNAL_DOMAIN, 1, 0, TCC_PAT_OUT_ELEMWISE_FUSABLE, 2, 3, 1, 1,
     conv_nchwc_attrs, infer_conv_nchwc, compute_conv_nchwc, NULL, NULL},
};
const int tcc_ops_conv_count = (int)TCC_ARRAY_SIZE(tcc_ops_conv);
