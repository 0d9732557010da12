/* lower_group.c — one fused group to one PrimFunc: TE (group_te.c) -> default CPU schedule ->
 * lowering (schedule/). */
#include "aot_internal.h"
#include "aot_te.h"
#include "interp.h"
#include "schedule.h"

#include <string.h>

tcc_status tcc_aot_lower_group(tcc_context *ctx, const tcc_graph *g, const tcc_fused_group *fg,
                               const char *kname, const tcc_llvm_target *target,
                               tcc_aot_group_kernel *out) {
  (void)target;
  tcc_aot_group_te_result te;
  TCC_TRY(tcc_aot_group_te(ctx, g, fg->nnodes, fg->nodes, fg->ninputs, fg->inputs, fg->noutputs,
                           fg->outputs, &te));
  int nout = te.nparams - te.ninput_params;
  const tcc_tensor *const *outs = te.params + te.ninput_params;
  tcc_schedule *s = tcc_schedule_create(ctx, nout, outs);
  int nerr = tcc_error_count(ctx);
  for (int i = 0; i < nout; i++) {
    if (tcc_schedule_auto_cpu(ctx, s, outs[i]) != TCC_OK) {
      /* The default schedule refused: fall back to the naive one (every stage at the root). */
      if (nerr == 0) tcc_error_clear(ctx);
      s = tcc_schedule_create(ctx, nout, outs);
      break;
    }
  }
  tcc_primfunc *fn;
  if (tcc_lower(ctx, s, kname, te.nparams, te.params, &fn) != TCC_OK)
    return tcc_node_error(ctx, g, fg->anchor, "lowering kernel '%s' failed: %s", kname,
                          tcc_error_text(ctx));
  out->nparams = te.nparams;
  out->params = te.params;
  out->param_values = te.param_values;
  out->fn = tcc_aot_hoist_scratch(ctx, fn, &out->nscratch, &out->scratch_bytes);
  return TCC_OK;
}

tcc_status tcc_aot_fold_eval(void *user, tcc_context *ctx, tcc_graph *g, tcc_node *node) {
  (void)user;
  tcc_arena *a = tcc_ctx_arena(ctx);
  /* Cost bound: the interpreter runs this at compile time. */
  size_t in_bytes = 0;
  for (int k = 0; k < node->ninputs; k++)
    if (node->inputs[k]) in_bytes += node->inputs[k]->nbytes;
  if (in_bytes > ((size_t)16 << 20)) return tcc_error(ctx, "fold: inputs too big");
  if (node->op && node->op->pattern >= TCC_PAT_OUT_ELEMWISE_FUSABLE && in_bytes > (64 << 10))
    return tcc_error(ctx, "fold: too costly to evaluate at compile time");
  tcc_value **ins = tcc_arena_alloc(a, sizeof(tcc_value *) * (size_t)(node->ninputs + 1));
  int nin = 0;
  for (int k = 0; k < node->ninputs; k++) {
    tcc_value *v = node->inputs[k];
    bool seen = !v;
    for (int j = 0; j < nin && !seen; j++)
      seen = ins[j] == v;
    if (!seen) ins[nin++] = v;
  }
  tcc_value **outs = tcc_arena_alloc(a, sizeof(tcc_value *) * (size_t)(node->noutputs + 1));
  int nout = 0;
  for (int k = 0; k < node->noutputs; k++)
    if (node->outputs[k]) outs[nout++] = node->outputs[k];
  tcc_node *nodes[1] = {node};
  tcc_aot_group_te_result te;
  TCC_TRY(tcc_aot_group_te(ctx, g, 1, nodes, nin, ins, nout, outs, &te));
  const tcc_tensor *const *touts = te.params + te.ninput_params;
  tcc_schedule *s = tcc_schedule_create(ctx, nout, touts);
  tcc_primfunc *fn;
  TCC_TRY(tcc_lower(ctx, s, tcc_arena_printf(a, "fold_%u", node->id), te.nparams, te.params, &fn));
  void **bufs = tcc_arena_alloc(a, sizeof(void *) * (size_t)(te.nparams + 1));
  for (int p = 0; p < te.nparams; p++) {
    tcc_value *v = te.param_values[p];
    if (p < te.ninput_params) {
      bufs[p] = (void *)v->data;
    } else {
      int64_t ne = tcc_value_numel(v);
      size_t nb = (size_t)(ne > 0 ? ne : 0) * tccrt_dtype_size(v->dtype);
      bufs[p] = tcc_arena_alloc(a, nb + 16);
    }
  }
  TCC_TRY(tcc_interp_run(ctx, fn, bufs, NULL));
  for (int p = te.ninput_params; p < te.nparams; p++) {
    tcc_value *v = te.param_values[p];
    int64_t ne = tcc_value_numel(v);
    v->data = bufs[p];
    v->nbytes = (size_t)(ne > 0 ? ne : 0) * tccrt_dtype_size(v->dtype);
    v->is_fill = false;
  }
  return TCC_OK;
}
