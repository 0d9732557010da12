/* lower_group.c — one fused group to one PrimFunc: TE (group_te.c) -> default CPU schedule ->
 * lowering (schedule/). */
#include <string.h>

#include "aot_internal.h"
#include "aot_te.h"
#include "schedule.h"

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
  (void)g;
  (void)node;
  /* Evaluation of general constant nodes needs the loop-IR interpreter; until then constant
   * subgraphs other than shape arithmetic and fills stay kernels (correct, slower). */
  return tcc_error(ctx, "constant folding by evaluation is not available");
}
