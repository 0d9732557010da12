/* nn_util.c — helpers shared by the neural-network op families; see nn_util.h. */
#include "nn_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

tcc_status nn_attr_ints_n(tcc_infer_ctx *ic, const tcc_node *n, const char *name, int count,
                          int64_t dflt, int64_t *out) {
  int c = -1;
  const int64_t *v = NULL;
  TCC_TRY(tcc_node_attr_ints(ic->ctx, ic->graph, n, name, &c, &v));
  if (c < 0) {
    for (int i = 0; i < count; i++)
      out[i] = dflt;
    return TCC_OK;
  }
  if (c != count)
    return tcc_node_error(ic->ctx, ic->graph, n, "attribute '%s' has %d values; expected %d", name,
                          c, count);
  for (int i = 0; i < count; i++)
    out[i] = v[i];
  return TCC_OK;
}

tcc_status nn_attr_int(tcc_infer_ctx *ic, const tcc_node *n, const char *name, int64_t dflt,
                       int64_t *out) {
  return tcc_node_attr_int(ic->ctx, ic->graph, n, name, dflt, out);
}
tcc_status nn_attr_float(tcc_infer_ctx *ic, const tcc_node *n, const char *name, double dflt,
                         double *out) {
  return tcc_node_attr_float(ic->ctx, ic->graph, n, name, dflt, out);
}
tcc_status nn_attr_string(tcc_infer_ctx *ic, const tcc_node *n, const char *name, const char *dflt,
                          const char **out) {
  return tcc_node_attr_string(ic->ctx, ic->graph, n, name, dflt, out);
}

tcc_status nn_check_shape(tcc_infer_ctx *ic, const tcc_node *n, int k, const char *what, int ndim,
                          const tcc_expr *const *dims) {
  const tcc_value *v = tcc_op_input(n, k);
  if (!v) return TCC_OK;
  TCC_TRY(tcc_infer_input(ic, n, k, &v));
  bool ok = v->ndim == ndim;
  for (int i = 0; ok && i < ndim; i++) {
    int64_t a, b;
    if (dims[i] && tcc_expr_is_int_imm(dims[i], &a) && tcc_expr_is_int_imm(v->dims[i], &b) &&
        a != b)
      ok = false;
  }
  if (ok) return TCC_OK;
  char buf[256];
  size_t l = 0;
  for (int i = 0; i < ndim && l < sizeof buf - 16; i++)
    l += (size_t)snprintf(buf + l, sizeof buf - l, "%s%s", i ? ", " : "",
                          dims[i] ? tcc_expr_str(ic->ctx, dims[i]) : "?");
  return tcc_node_error(ic->ctx, ic->graph, n, "%s (input %d) has shape %s; expected [%s]", what, k,
                        tcc_value_shape_str(ic->ctx, v), l ? buf : "");
}

tcc_status nn_check_unibroadcast(tcc_infer_ctx *ic, const tcc_node *n, int k, const char *what,
                                 int ndim, const tcc_expr *const *dims) {
  const tcc_value *v = tcc_op_input(n, k);
  if (!v) return TCC_OK;
  TCC_TRY(tcc_infer_input(ic, n, k, &v));
  bool ok = v->ndim <= ndim;
  for (int i = 0; ok && i < v->ndim; i++) {
    int64_t a, b;
    const tcc_expr *t = dims[ndim - v->ndim + i];
    bool ka = tcc_expr_is_int_imm(v->dims[i], &a), kb = tcc_expr_is_int_imm(t, &b);
    if (ka && kb)
      ok = a == 1 || a == b;
    else if (ka)
      ok = a >= 1; /* a symbolic target: only 0 is certainly wrong */
  }
  if (ok) return TCC_OK;
  return tcc_node_error(ic->ctx, ic->graph, n, "%s (input %d) %s does not broadcast to %s", what, k,
                        tcc_value_shape_str(ic->ctx, v), tcc_shape_str(ic->ctx, ndim, dims));
}

tcc_status nn_effective_kernel(tcc_infer_ctx *ic, const tcc_node *n, int axis, int64_t kernel,
                               int64_t dil, int64_t *ek) {
  if (kernel < 1 || dil < 1)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "spatial axis %d: kernel %lld and dilation %lld must be >= 1", axis,
                          (long long)kernel, (long long)dil);
  if (!tcc_mul_ovf(kernel - 1, dil, ek) || !tcc_add_ovf(*ek, 1, ek))
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "spatial axis %d: kernel %lld with dilation %lld: the effective kernel "
                          "extent (kernel - 1) * dilation + 1 overflows int64",
                          axis, (long long)kernel, (long long)dil);
  return TCC_OK;
}

/* floor(a / b) for b > 0 constant. */
static const tcc_expr *fdiv(tcc_context *ctx, const tcc_expr *a, int64_t b) {
  return tcc_shape_canon(ctx, tcc_floordiv(ctx, a, tcc_idx(ctx, b)));
}

tcc_status nn_window_infer(tcc_infer_ctx *ic, const tcc_node *n, int nsp,
                           const tcc_expr *const *in_sp, const int64_t *kernel, bool ceil_mode,
                           bool has_dilations, nn_window *w) {
  tcc_context *ctx = ic->ctx;
  if (nsp < 1 || nsp > NN_MAX_SPATIAL)
    return tcc_node_error(ctx, ic->graph, n, "expected 1 to %d spatial dims; got %d",
                          NN_MAX_SPATIAL, nsp);
  memset(w, 0, sizeof *w);
  w->nsp = nsp;
  int64_t pads[2 * NN_MAX_SPATIAL];
  TCC_TRY(nn_attr_ints_n(ic, n, "strides", nsp, 1, w->stride));
  if (has_dilations)
    TCC_TRY(nn_attr_ints_n(ic, n, "dilations", nsp, 1, w->dil));
  else
    for (int i = 0; i < nsp; i++)
      w->dil[i] = 1;
  TCC_TRY(nn_attr_ints_n(ic, n, "pads", 2 * nsp, 0, pads));
  const char *auto_pad = "NOTSET";
  if (tcc_node_attr(n, "auto_pad")) TCC_TRY(nn_attr_string(ic, n, "auto_pad", "NOTSET", &auto_pad));
  int mode; /* 0 NOTSET, 1 VALID, 2 SAME_UPPER, 3 SAME_LOWER */
  if (!strcmp(auto_pad, "NOTSET") || !auto_pad[0])
    mode = 0;
  else if (!strcmp(auto_pad, "VALID"))
    mode = 1;
  else if (!strcmp(auto_pad, "SAME_UPPER"))
    mode = 2;
  else if (!strcmp(auto_pad, "SAME_LOWER"))
    mode = 3;
  else
    return tcc_node_error(ctx, ic->graph, n,
                          "attribute 'auto_pad' is '%s'; expected NOTSET, VALID, SAME_UPPER or "
                          "SAME_LOWER",
                          auto_pad);
  for (int i = 0; i < nsp; i++) {
    w->kernel[i] = kernel[i];
    if (kernel[i] < 1 || w->stride[i] < 1 || w->dil[i] < 1)
      return tcc_node_error(ctx, ic->graph, n,
                            "kernel, strides and dilations must be >= 1 (spatial axis %d has "
                            "kernel %lld, stride %lld, dilation %lld)",
                            i, (long long)kernel[i], (long long)w->stride[i], (long long)w->dil[i]);
    if (pads[i] < 0 || pads[i + nsp] < 0)
      return tcc_node_error(ctx, ic->graph, n, "attribute 'pads' must be >= 0 (spatial axis %d)",
                            i);
    int64_t s = w->stride[i], ek, inc = 0, ptot, padded = 0;
    TCC_TRY(nn_effective_kernel(ic, n, i, kernel[i], w->dil[i], &ek));
    if (!tcc_add_ovf(pads[i], pads[i + nsp], &ptot))
      return tcc_node_error(ctx, ic->graph, n, "spatial axis %d: pads %lld + %lld overflow int64",
                            i, (long long)pads[i], (long long)pads[i + nsp]);
    const tcc_expr *in = in_sp[i], *out;
    bool in_known = tcc_expr_is_int_imm(in, &inc);
    if (in_known && inc < 1)
      return tcc_node_error(ctx, ic->graph, n,
                            "spatial axis %d of the input has extent %lld; expected >= 1", i,
                            (long long)inc);
    if (in_known && mode <= 1) {
      /* The (padded) input must hold one whole window: also rejects absurd kernels and
       * dilations before anything loops over them. */
      if (mode == 1)
        padded = inc;
      else if (!tcc_add_ovf(inc, ptot, &padded))
        return tcc_node_error(ctx, ic->graph, n,
                              "spatial axis %d: input extent %lld + pads %lld/%lld overflows "
                              "int64",
                              i, (long long)inc, (long long)pads[i], (long long)pads[i + nsp]);
      if (ek > padded)
        return tcc_node_error(
            ctx, ic->graph, n,
            "spatial axis %d: kernel %lld (dilation %lld, effective extent "
            "%lld) is larger than the padded input extent %lld (output extent < 1)",
            i, (long long)kernel[i], (long long)w->dil[i], (long long)ek, (long long)padded);
    }
    if (mode == 0) {
      w->pad_begin[i] = tcc_idx(ctx, pads[i]);
      w->pad_end[i] = tcc_idx(ctx, pads[i + nsp]);
      if (in_known) {
        /* checked: span = in + pb + pe - ek >= 0 (above) */
        int64_t span = padded - ek, ov = span / s + 1, last;
        if (ceil_mode) {
          ov = (span == 0 ? 0 : (span - 1) / s + 1) + 1;
          /* the last window must start inside the input or the begin padding */
          if (!tcc_mul_ovf(ov - 1, s, &last) || last >= inc + pads[i]) ov--;
        }
        out = tcc_idx(ctx, ov);
      } else {
        const tcc_expr *span = tcc_shape_add(ctx, in, tcc_idx(ctx, ptot - ek));
        if (ceil_mode) {
          out = tcc_shape_add(ctx, fdiv(ctx, tcc_shape_add(ctx, span, tcc_idx(ctx, s - 1)), s),
                              tcc_idx(ctx, 1));
          const tcc_expr *last_start =
              tcc_shape_mul(ctx, tcc_shape_sub(ctx, out, tcc_idx(ctx, 1)), tcc_idx(ctx, s));
          const tcc_expr *limit = tcc_shape_add(ctx, in, tcc_idx(ctx, pads[i]));
          out = tcc_select(ctx, tcc_ge(ctx, last_start, limit),
                           tcc_shape_sub(ctx, out, tcc_idx(ctx, 1)), out);
        } else {
          out = tcc_shape_add(ctx, fdiv(ctx, span, s), tcc_idx(ctx, 1));
        }
      }
    } else if (mode == 1) {
      w->pad_begin[i] = w->pad_end[i] = tcc_idx(ctx, 0);
      out = fdiv(ctx, tcc_shape_add(ctx, in, tcc_idx(ctx, s - ek)), s);
    } else {
      int64_t ov, total = 0;
      if (in_known) {
        /* padded extent (out - 1) * s + ek with out = ceil(in / s), so (out - 1) * s < in; it
         * bounds every window position, so it must fit int64; total pad = padded - in */
        ov = (inc - 1) / s + 1;
        if (!tcc_add_ovf((ov - 1) * s, ek, &padded))
          return tcc_node_error(ctx, ic->graph, n,
                                "spatial axis %d: the SAME padding of kernel %lld (dilation "
                                "%lld) overflows int64",
                                i, (long long)kernel[i], (long long)w->dil[i]);
        total = padded - inc;
      }
      out = fdiv(ctx, tcc_shape_add(ctx, in, tcc_idx(ctx, s - 1)), s);
      const tcc_expr *tot = tcc_max(
          ctx, tcc_idx(ctx, 0),
          tcc_shape_sub(ctx,
                        tcc_shape_add(ctx,
                                      tcc_shape_mul(ctx, tcc_shape_sub(ctx, out, tcc_idx(ctx, 1)),
                                                    tcc_idx(ctx, s)),
                                      tcc_idx(ctx, ek)),
                        in));
      if (in_known) tot = tcc_idx(ctx, total > 0 ? total : 0);
      const tcc_expr *half = fdiv(ctx, tot, 2), *rest = tcc_shape_sub(ctx, tot, half);
      w->pad_begin[i] = mode == 2 ? half : rest;
      w->pad_end[i] = mode == 2 ? rest : half;
    }
    int64_t ov;
    if (tcc_expr_is_int_imm(out, &ov) && ov < 1)
      return tcc_node_error(ctx, ic->graph, n,
                            "spatial axis %d: input extent %s with kernel %lld (dilation %lld), "
                            "stride %lld and pads %s/%s gives output extent %lld; expected >= 1",
                            i, tcc_expr_str(ctx, in), (long long)kernel[i], (long long)w->dil[i],
                            (long long)s, tcc_expr_str(ctx, w->pad_begin[i]),
                            tcc_expr_str(ctx, w->pad_end[i]), (long long)ov);
    w->out[i] = out;
  }
  return TCC_OK;
}

const tcc_expr **nn_axis_exprs(tcc_context *ctx, int n, const tcc_itervar *const *axes) {
  const tcc_expr **e = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *e * (size_t)(n > 0 ? n : 1));
  for (int i = 0; i < n; i++)
    e[i] = tcc_expr_var(ctx, axes[i]->var);
  return e;
}

tccrt_dtype nn_acc_dtype(tccrt_dtype dt) {
  return (dt == TCCRT_FLOAT16 || dt == TCCRT_BFLOAT16) ? TCCRT_FLOAT32 : dt;
}

const tcc_expr *nn_read_clamped(tcc_context *ctx, const tcc_tensor *t, const tcc_expr *const *idx) {
  const tcc_expr **c =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *c * (size_t)(t->ndim > 0 ? t->ndim : 1));
  for (int d = 0; d < t->ndim; d++) {
    const tcc_expr *hi = tcc_sub(ctx, t->shape[d], tcc_idx(ctx, 1));
    c[d] = tcc_max(ctx, tcc_min(ctx, idx[d], hi), tcc_idx(ctx, 0));
  }
  return tcc_read(ctx, t, c);
}

const tcc_expr *nn_read_as(tcc_context *ctx, const tcc_tensor *t, const tcc_expr *const *idx,
                           tccrt_dtype to) {
  return tcc_cast(ctx, tcc_scalar(to), tcc_read(ctx, t, idx));
}

const tcc_expr *nn_in_range(tcc_context *ctx, const tcc_expr *e, const tcc_expr *lo,
                            const tcc_expr *hi) {
  return tcc_and(ctx, tcc_le(ctx, lo, e), tcc_lt(ctx, e, hi));
}

tcc_status nn_compute_error(tcc_compute_ctx *cc, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return tcc_node_error(cc->ctx, cc->graph, cc->node, "compute: %s", buf);
}

tcc_status nn_out_dims(tcc_compute_ctx *cc, int k, int *ndim, const tcc_expr *const **dims) {
  const tcc_node *n = cc->node;
  if (k >= n->noutputs || !n->outputs[k] || n->outputs[k]->ndim < 0)
    return nn_compute_error(cc, "output %d has no inferred shape", k);
  *ndim = n->outputs[k]->ndim;
  *dims = n->outputs[k]->dims;
  return TCC_OK;
}

const tcc_expr *nn_read_bcast(tcc_context *ctx, const tcc_tensor *t, int out_ndim,
                              const tcc_expr *const *idx) {
  const tcc_expr **c =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *c * (size_t)(t->ndim > 0 ? t->ndim : 1));
  for (int d = 0; d < t->ndim; d++) {
    int od = out_ndim - t->ndim + d;
    int64_t e;
    c[d] = (tcc_expr_is_int_imm(t->shape[d], &e) && e == 1) || od < 0 ? tcc_idx(ctx, 0) : idx[od];
  }
  return tcc_read(ctx, t, c);
}
