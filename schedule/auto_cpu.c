/* auto_cpu.c — the generic default CPU schedule for a fused group (see schedule.h). */
#include "sched_internal.h"

static int vector_lanes(tccrt_dtype dt) {
  size_t es = tccrt_dtype_size(dt);
  if (es == 0) es = 1;
  int l = (int)(32 / es);
  return l > 16 ? 16 : (l < 1 ? 1 : l);
}

static tcc_status schedule_one(tcc_context *ctx, tcc_stage *st) {
  if (st->nrels > 0 || st->ndim == 0) return TCC_OK; /* already scheduled by someone */
  tcc_axis *vec = NULL;
  int lanes = vector_lanes(st->t->dtype);
  tcc_axis *last = st->root[st->ndim - 1];
  int64_t e;
  bool cst = tcc_axis_const_extent(last, &e);
  if (lanes >= 2 && (!cst || e >= 2)) {
    if (cst && e <= lanes) {
      vec = last;
    } else {
      tcc_axis *o, *i;
      TCC_TRY(tcc_split(ctx, st, last, lanes, TCC_TAIL_GUARD, &o, &i));
      vec = i;
    }
    if (st->nreduce > 0) {
      tcc_axis **ord = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *ord * (size_t)(st->nreduce + 1));
      for (int r = 0; r < st->nreduce; r++) ord[r] = st->root[st->ndim + r];
      ord[st->nreduce] = vec;
      /* vec goes after the reduction axes: list them in the order they now occupy */
      TCC_TRY(tcc_reorder(ctx, st, st->nreduce + 1, ord));
    }
    TCC_TRY(tcc_vectorize(ctx, st, vec));
  }
  /* fuse outer data-parallel loops until there is enough parallel work */
  tcc_axis *par = st->leaves[0];
  if (par == vec || par->kind != TCC_IV_DATA_PAR) return TCC_OK;
  int64_t pe = 1;
  bool pconst = tcc_axis_const_extent(par, &pe);
  while (pconst && pe < 16 && st->nleaves > 1) {
    tcc_axis *next = st->leaves[1];
    if (next == vec || next->kind != TCC_IV_DATA_PAR) break;
    int64_t ne;
    if (!tcc_axis_const_extent(next, &ne)) break;
    TCC_TRY(tcc_fuse(ctx, st, par, next, &par));
    pe *= ne;
  }
  return tcc_parallel(ctx, st, par);
}

tcc_status tcc_schedule_auto_cpu(tcc_context *ctx, tcc_schedule *sch, const tcc_tensor *output) {
  if (!sch || !output) return tcc_error(ctx, "auto_cpu: no schedule or output given");
  tcc_stage *out = tcc_schedule_stage(sch, output);
  if (!out)
    return tcc_error(ctx, "auto_cpu: tensor '%s' has no stage in the schedule", output->name);
  for (int i = 0; i < sch->nstages; i++) {
    tcc_stage *st = sch->stages[i];
    if (st == out || st->is_output || st->attach != TCC_ATTACH_ROOT) continue;
    if (st->nreduce == 0) TCC_TRY(tcc_compute_inline(ctx, st));
  }
  for (int i = 0; i < sch->nstages; i++) {
    tcc_stage *st = sch->stages[i];
    if (st->attach == TCC_ATTACH_ROOT) TCC_TRY(schedule_one(ctx, st));
  }
  return TCC_OK;
}
