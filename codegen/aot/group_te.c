/* group_te.c — the tensor expressions of one fused group: each node's compute applied to the TE
 * tensors of its inputs, composed through the group (TOPI style). */
#include "aot_te.h"
#include "interp.h"

#include <string.h>

/* The one element of a fill as an expression of its dtype. */
static const tcc_expr *fill_expr(tcc_context *ctx, const tcc_value *v) {
  tcc_type t = tcc_scalar(v->dtype);
  const uint8_t *p = v->data;
  switch (v->dtype) {
  case TCCRT_FLOAT32: {
    float x;
    memcpy(&x, p, 4);
    return tcc_float(ctx, t, x);
  }
  case TCCRT_FLOAT64: {
    double x;
    memcpy(&x, p, 8);
    return tcc_float(ctx, t, x);
  }
  case TCCRT_FLOAT16: {
    uint16_t x;
    memcpy(&x, p, 2);
    return tcc_float(ctx, t, tcc_f16_to_f32(x));
  }
  case TCCRT_BFLOAT16: {
    uint16_t x;
    memcpy(&x, p, 2);
    return tcc_float(ctx, t, tcc_bf16_to_f32(x));
  }
  case TCCRT_BOOL: return tcc_bool(ctx, p[0] != 0);
  case TCCRT_INT8: return tcc_int(ctx, t, (int8_t)p[0]);
  case TCCRT_UINT8: return tcc_int(ctx, t, p[0]);
  case TCCRT_INT16: {
    int16_t x;
    memcpy(&x, p, 2);
    return tcc_int(ctx, t, x);
  }
  case TCCRT_UINT16: {
    uint16_t x;
    memcpy(&x, p, 2);
    return tcc_int(ctx, t, x);
  }
  case TCCRT_INT32: {
    int32_t x;
    memcpy(&x, p, 4);
    return tcc_int(ctx, t, x);
  }
  case TCCRT_UINT32: {
    uint32_t x;
    memcpy(&x, p, 4);
    return tcc_int(ctx, t, x);
  }
  case TCCRT_INT64:
  case TCCRT_UINT64: {
    int64_t x;
    memcpy(&x, p, 8);
    return tcc_int(ctx, t, x);
  }
  default: return NULL;
  }
}

static const char *tensor_name(tcc_context *ctx, const tcc_value *v, const char *dflt) {
  const char *n = v->name && v->name[0] ? v->name : dflt;
  return tcc_arena_strdup(tcc_ctx_arena(ctx), n);
}

tcc_status tcc_aot_group_te(tcc_context *ctx, const tcc_graph *g, int nnodes,
                            tcc_node *const *nodes, int ninputs, tcc_value *const *inputs,
                            int noutputs, tcc_value *const *outputs, tcc_aot_group_te_result *r) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  int nv = (int)g->values.len;
  const tcc_tensor **tof = tcc_arena_alloc(a, sizeof(tcc_tensor *) * (size_t)(nv + 1));
  r->params = tcc_arena_alloc(a, sizeof(tcc_tensor *) * (size_t)(ninputs + noutputs + 1));
  r->param_values = tcc_arena_alloc(a, sizeof(tcc_value *) * (size_t)(ninputs + noutputs + 1));
  r->nparams = 0;
  r->ninput_params = 0;
  for (int i = 0; i < ninputs; i++) {
    tcc_value *v = inputs[i];
    if (v->ndim < 0 || v->dtype == TCCRT_UNDEFINED)
      return tcc_error(ctx, "value '%s' is untyped at lowering", v->name);
    if (v->kind == TCC_VALUE_CONST && v->is_fill) {
      /* A fill stays a fill: a compute of one constant, inlined into its readers. */
      const tcc_expr *e = fill_expr(ctx, v);
      if (!e)
        return tcc_error(ctx, "constant fill '%s' of %s is not supported", v->name,
                         tccrt_dtype_name(v->dtype));
      const tcc_itervar *const *ax = tcc_compute_axes(ctx, v->ndim, v->dims, NULL);
      tof[v->id] = tcc_compute(ctx, tensor_name(ctx, v, "fill"), v->ndim, v->dims, ax, e, "fill");
      continue;
    }
    tcc_tensor *t = tcc_placeholder(ctx, tensor_name(ctx, v, "in"), v->dtype, v->ndim, v->dims);
    if (v->kind == TCC_VALUE_CONST) t->const_data = v->data;
    tof[v->id] = t;
    r->params[r->nparams] = t;
    r->param_values[r->nparams++] = v;
  }
  r->ninput_params = r->nparams;
  for (int k = 0; k < nnodes; k++) {
    tcc_node *n = nodes[k];
    if (!n->op || !n->op->compute)
      return tcc_node_error(ctx, g, n,
                            "%s has no tensor-expression compute yet (cannot be "
                            "compiled)",
                            n->op_type);
    const tcc_tensor **in = tcc_arena_alloc(a, sizeof(tcc_tensor *) * (size_t)(n->ninputs + 1));
    for (int j = 0; j < n->ninputs; j++) {
      tcc_value *v = n->inputs[j];
      if (!v) continue;
      if (!tof[v->id]) {
        /* A constant read inside the group but not listed as an input (cannot happen for
         * groups made by tcc_pass_fuse; single-node evaluation passes every input). */
        return tcc_node_error(ctx, g, n, "input %d ('%s') has no tensor in this group", j, v->name);
      }
      in[j] = tof[v->id];
    }
    tcc_tensor **outs = tcc_arena_alloc(a, sizeof(tcc_tensor *) * (size_t)(n->noutputs + 1));
    tcc_compute_ctx cc = {ctx, g, n, in};
    TCC_TRY(n->op->compute(&cc, outs));
    for (int j = 0; j < n->noutputs; j++) {
      if (!n->outputs[j]) continue;
      if (!outs[j]) return tcc_node_error(ctx, g, n, "compute produced no tensor for output %d", j);
      outs[j] = tcc_aot_split_reductions(ctx, outs[j]);
      tof[n->outputs[j]->id] = outs[j];
    }
  }
  /* Outputs: a compute tensor each, distinct from the others (copies where an op returned its
   * input unchanged, e.g. Identity, or two outputs share a tensor). */
  for (int i = 0; i < noutputs; i++) {
    tcc_value *v = outputs[i];
    const tcc_tensor *t = tof[v->id];
    if (!t) return tcc_error(ctx, "group output '%s' is not computed", v->name);
    bool dup = t->kind != TCC_TENSOR_COMPUTE;
    for (int j = r->ninput_params; j < r->nparams && !dup; j++)
      dup = r->params[j] == t;
    if (dup) {
      const tcc_itervar *const *ax = tcc_compute_axes(ctx, t->ndim, t->shape, NULL);
      const tcc_expr **idx = tcc_arena_alloc(a, sizeof(tcc_expr *) * (size_t)(t->ndim + 1));
      for (int d = 0; d < t->ndim; d++)
        idx[d] = tcc_expr_var(ctx, ax[d]->var);
      t = tcc_compute(ctx, tensor_name(ctx, v, "out"), t->ndim, t->shape, ax, tcc_read(ctx, t, idx),
                      "copy");
    }
    r->params[r->nparams] = t;
    r->param_values[r->nparams++] = v;
  }
  return TCC_OK;
}
