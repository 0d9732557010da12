/* auto_cpu.c — the generic default CPU schedule for a fused group (see schedule.h). */
#include "sched_internal.h"

#include <string.h>

static int vector_lanes(tccrt_dtype dt) {
  size_t es = tccrt_dtype_size(dt);
  if (es == 0) es = 1;
  int l = (int)(32 / es);
  return l > 16 ? 16 : (l < 1 ? 1 : l);
}

static int row_index(const tcc_stage *st, const tcc_axis *a) {
  for (int d = 0; d < st->ndim; d++)
    if (st->root[d] == a) return d;
  return -1;
}

/* Vectorizes the innermost data-parallel axis (moved after the reduction axes; for reductions
 * over 2+ data dims, a register tile of 4-8 rows x up to 16 columns, see below); then, unless
 * the stage is computed inside another one, fuses outer data-parallel loops until the parallel
 * extent reaches 16 (only whole root axes when `roots_only`) and makes that loop parallel;
 * `split_rows` first splits a row axis that loop would fuse by 8 or 4 (see below). */
static tcc_status schedule_one(tcc_context *ctx, tcc_stage *st, bool roots_only, bool no_vec,
                               bool split_rows) {
  if (st->nrels > 0 || st->ndim == 0) return TCC_OK; /* already scheduled by someone */
  tcc_axis *vec = NULL;
  int lanes = no_vec ? 1 : vector_lanes(st->t->dtype);
  tcc_axis *last = st->root[st->ndim - 1];
  int64_t e, ey;
  bool cst = tcc_axis_const_extent(last, &e);
  /* the register tile's row axis: the nearest data axis before the last one with at least 4
   * points (unit dims such as bert's [64, 1, 384] are skipped) */
  tcc_axis *row = NULL;
  for (int d = st->ndim - 2; d >= 0 && lanes >= 2 && st->nreduce > 0 && cst; d--) {
    if (!tcc_axis_const_extent(st->root[d], &ey)) break;
    if (ey >= 4) {
      row = st->root[d];
      break;
    }
    if (ey > 1) break;
  }
  /* its column width: 2 vectors, or the whole last dim when it is narrower (13, 14: one vector
   * without a tail), or a divisor of it between 1 and 2 vectors (28 = 2 x 14) */
  int64_t cw = 0;
  if (row && e >= 4) {
    if (e <= 2 * lanes)
      cw = e;
    else if (e % (2 * lanes) == 0)
      cw = 2 * lanes;
    else {
      cw = 2 * lanes;
      for (int64_t c = 2 * lanes; c >= lanes; c--)
        if (e % c == 0) {
          cw = c;
          break;
        }
    }
  }
  if (cw > 0) {
    /* a register tile for reductions (matmul, conv): rows x cw columns of accumulators,
     * the reduction loops outside the tile, rows unrolled, columns vectorized */
    tcc_axis *yo, *yi, *xo = NULL, *xi = last;
    /* 8 rows (8 accumulators of up to 16 lanes: enough independent FMAs to cover their
     * latency on 2 ports; 4 rows measured 1.5x slower on AVX-512), or a divisor of the row
     * extent between 4 and 8 so that no row is guarded (14 -> 7, 28 -> 7) */
    int64_t ry = 4, rows = 0;
    tcc_axis_const_extent(row, &ry);
    /* a blocked conv (conv2d_NCHWc): one accumulator vector per row, so up to 13 rows (14 with
     * 16-lane blocks: AVX-512's 32 registers) keep more FMAs in flight: 55 -> 11, 56 -> 8 */
    if (st->t->tag && !strcmp(st->t->tag, "conv2d_NCHWc") && cw == e) {
      int64_t most = e >= 16 ? 14 : 13;
      if (ry <= most) rows = ry;
      for (int64_t f = most; f >= 4 && !rows; f--)
        if (ry % f == 0) rows = f;
    }
    for (int64_t f = 8; f >= 4 && !rows; f--)
      if (ry % f == 0) rows = f;
    if (!rows) rows = ry >= 8 ? 8 : 4;
    TCC_TRY(tcc_split(ctx, st, row, rows, TCC_TAIL_GUARD, &yo, &yi));
    if (cw < e) TCC_TRY(tcc_split(ctx, st, last, cw, TCC_TAIL_GUARD, &xo, &xi));
    /* order: ... yo, (dims between), xo, reductions, yi, xi */
    int nbetween = st->ndim - 2 - row_index(st, row);
    int n = 0;
    tcc_axis **ord =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *ord * (size_t)(st->nreduce + nbetween + 3));
    for (int d = st->ndim - 1 - nbetween; d < st->ndim - 1; d++)
      ord[n++] = st->root[d];
    if (xo) ord[n++] = xo;
    for (int r = 0; r < st->nreduce; r++)
      ord[n++] = st->root[st->ndim + r];
    ord[n++] = yi;
    ord[n++] = xi;
    TCC_TRY(tcc_reorder(ctx, st, n, ord));
    TCC_TRY(tcc_unroll(ctx, st, yi));
    TCC_TRY(tcc_vectorize(ctx, st, xi));
    vec = xi;
  } else if (lanes >= 2 && (!cst || e >= 2)) {
    if (cst && e <= lanes) {
      vec = last;
    } else {
      tcc_axis *o, *i;
      TCC_TRY(tcc_split(ctx, st, last, lanes, TCC_TAIL_GUARD, &o, &i));
      vec = i;
    }
    if (st->nreduce > 0) {
      tcc_axis **ord = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *ord * (size_t)(st->nreduce + 1));
      for (int r = 0; r < st->nreduce; r++)
        ord[r] = st->root[st->ndim + r];
      ord[st->nreduce] = vec;
      /* vec goes after the reduction axes: list them in the order they now occupy */
      TCC_TRY(tcc_reorder(ctx, st, st->nreduce + 1, ord));
    }
    TCC_TRY(tcc_vectorize(ctx, st, vec));
  }
  if (st->attach != TCC_ATTACH_ROOT) return TCC_OK;
  if (split_rows) {
    /* the first axis with >= 8 points (a multiple of 4) among those the parallel loop would
     * fuse is split by 8 (4 when 8 does not divide it), the parallel loop stops above those
     * rows: a reduction computed at it (matmul + bias) then covers 8 rows, its register tile */
    int64_t before = 1, ed;
    for (int d = 0; d < st->ndim - 1 && before < 16; d++) {
      tcc_axis *a = st->root[d];
      if (!tcc_axis_const_extent(a, &ed)) break;
      bool leaf = false;
      for (int l = 0; l < st->nleaves; l++)
        leaf |= st->leaves[l] == a;
      if (!leaf || a == vec) break;
      if (ed >= 8 && ed % 4 == 0) {
        tcc_axis *o, *i;
        TCC_TRY(tcc_split(ctx, st, a, ed >= 16 && ed % 8 == 0 ? 8 : 4, TCC_TAIL_GUARD, &o, &i));
        break;
      }
      before *= ed;
    }
  }
  tcc_axis *par = st->leaves[0];
  if (par == vec || par->kind != TCC_IV_DATA_PAR) return TCC_OK;
  int64_t pe = 1;
  bool pconst = tcc_axis_const_extent(par, &pe);
  while (pconst && pe < 16 && st->nleaves > 1) {
    tcc_axis *next = st->leaves[1];
    if (next == vec || next->kind != TCC_IV_DATA_PAR || (roots_only && !next->root)) break;
    int64_t ne;
    if (!tcc_axis_const_extent(next, &ne)) break;
    TCC_TRY(tcc_fuse(ctx, st, par, next, &par));
    pe *= ne;
  }
  return tcc_parallel(ctx, st, par);
}

/* A blocked conv (conv2d_NCHWc stage `cv`, computed for the elementwise output `out`, both
 * [N, C/b, H, W, b]) whose rows are too short for enough accumulators (W <= 7 with b = 16,
 * W <= 6 with b = 8): the tile takes two channel blocks x W rows x b lanes (14 vectors for 7 x
 * 16), the output's parallel loop fuses N, C/b/2 and H, and the conv is computed at it. Returns
 * false (schedule untouched) when the shapes do not fit. */
static bool schedule_nchwc_pair(tcc_context *ctx, tcc_stage *out, tcc_stage *cv) {
  int64_t e[5], ce[5];
  if (out->ndim != 5 || cv->ndim != 5 || out->nrels || cv->nrels || out->nreduce) return false;
  for (int d = 0; d < 5; d++)
    if (!tcc_axis_const_extent(out->root[d], &e[d]) ||
        !tcc_axis_const_extent(cv->root[d], &ce[d]) || e[d] != ce[d])
      return false;
  if (e[1] < 2 || e[1] % 2 || !((e[4] == 16 && e[3] <= 7) || (e[4] == 8 && e[3] <= 6)) || e[3] < 2)
    return false;
  tcc_axis *o1, *i1, *f, *par;
  if (tcc_split(ctx, out, out->root[1], 2, TCC_TAIL_GUARD, &o1, &i1) != TCC_OK) return false;
  tcc_axis *ord[6] = {out->root[0], o1, out->root[2], i1, out->root[3], out->root[4]};
  if (tcc_reorder(ctx, out, 6, ord) != TCC_OK || tcc_fuse(ctx, out, out->root[0], o1, &f) ||
      tcc_fuse(ctx, out, f, out->root[2], &par) || tcc_parallel(ctx, out, par) ||
      tcc_vectorize(ctx, out, out->root[4]) || tcc_compute_at(ctx, cv, out, par))
    return false; /* cannot happen for these shapes; the caller's schedule is then naive */
  tcc_axis *c1o, *c1i;
  if (tcc_split(ctx, cv, cv->root[1], 2, TCC_TAIL_GUARD, &c1o, &c1i)) return false;
  int n = 0;
  tcc_axis **cord = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *cord * (size_t)(cv->nreduce + 5));
  cord[n++] = cv->root[2];
  for (int r = 0; r < cv->nreduce; r++)
    cord[n++] = cv->root[5 + r];
  cord[n++] = c1i;
  cord[n++] = cv->root[3];
  cord[n++] = cv->root[4];
  /* (n, c1o, h) outside, the reductions, then the unrolled 2 x W tile of b-lane vectors */
  if (tcc_reorder(ctx, cv, n, cord) || tcc_unroll(ctx, cv, c1i) ||
      tcc_unroll(ctx, cv, cv->root[3]) || tcc_vectorize(ctx, cv, cv->root[4]))
    return false;
  return true;
}

/* Does stage c read tensor t, directly or through inlined stages? */
static bool reads(tcc_context *ctx, const tcc_stage *c, const tcc_tensor *t) {
  const tcc_tensor **in;
  int n = tcc_sched_stage_inputs(ctx, c, &in);
  for (int i = 0; i < n; i++) {
    if (in[i] == t) return true;
    tcc_stage *m = tcc_schedule_stage(c->sch, in[i]);
    if (m && m->attach == TCC_ATTACH_INLINE && reads(ctx, m, t)) return true;
  }
  return false;
}

tcc_status tcc_schedule_auto_cpu(tcc_context *ctx, tcc_schedule *sch, const tcc_tensor *output) {
  if (!sch || !output) return tcc_error(ctx, "auto_cpu: no schedule or output given");
  tcc_stage *out = tcc_schedule_stage(sch, output);
  if (!out)
    return tcc_error(ctx, "auto_cpu: tensor '%s' has no stage in the schedule", output->name);
  for (int i = 0; i < sch->nstages; i++) {
    tcc_stage *st = sch->stages[i];
    if (st == out || st->is_output || st->attach != TCC_ATTACH_ROOT) continue;
    /* a "conv_pad" stage (conv's zero-padded input) stays a buffer: inlined, its guard would be
     * evaluated in every step of the reduction that reads it */
    if (st->nreduce == 0 && !(st->t->tag && !strcmp(st->t->tag, "conv_pad")))
      TCC_TRY(tcc_compute_inline(ctx, st));
  }
  /* Reductions an elementwise output consumes (conv + relu, softmax's max and sum) are
   * computed inside the output's parallel loop, over the region one iteration needs, instead of
   * into a whole-tensor buffer: a candidate is a root, non-output reduction stage read only by
   * the output and by other candidates. */
  tcc_stage **cand = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *cand * (size_t)(sch->nstages + 1));
  int ncand = 0;
  if (out->nreduce == 0 && out->attach == TCC_ATTACH_ROOT && out->nrels == 0) {
    for (int i = 0; i < sch->nstages; i++) {
      tcc_stage *r = sch->stages[i];
      if (r == out || r->is_output || r->attach != TCC_ATTACH_ROOT || r->nreduce == 0 ||
          r->nrels > 0)
        continue;
      cand[ncand++] = r;
    }
    /* drop candidates with readers outside {out} + candidates, until stable */
    bool changed = true;
    while (changed) {
      changed = false;
      for (int c = 0; c < ncand; c++) {
        bool ok = reads(ctx, out, cand[c]->t);
        for (int i = 0; i < sch->nstages && ok; i++) {
          tcc_stage *o = sch->stages[i];
          if (o == out || o == cand[c] || o->attach == TCC_ATTACH_INLINE) continue;
          bool is_cand = false;
          for (int k = 0; k < ncand; k++)
            is_cand |= cand[k] == o;
          if (!is_cand && reads(ctx, o, cand[c]->t)) ok = false;
        }
        if (!ok) {
          cand[c] = cand[--ncand];
          changed = true;
          break;
        }
      }
    }
  }
  /* a blocked conv (conv2d_NCHWc, [N, C/b, H, W, b]) before its bias/activation: the parallel
   * loop fuses the batch, channel-block and row dims and the conv is computed at it, one output
   * row (W x b) at a time; the row split made for a matmul's register tile would stop that
   * parallel loop at the batch (one iteration) */
  bool nchwc = false;
  for (int c = 0; c < ncand; c++)
    nchwc |= cand[c]->t->tag && !strcmp(cand[c]->t->tag, "conv2d_NCHWc");
  if (nchwc && ncand == 1 && out->attach == TCC_ATTACH_ROOT &&
      schedule_nchwc_pair(ctx, out, cand[0]))
    ncand = 0; /* scheduled: the conv is computed at the output's parallel loop */
  else if (out->attach == TCC_ATTACH_ROOT)
    TCC_TRY(schedule_one(ctx, out, ncand > 0, false, ncand > 0 && !nchwc));
  if (ncand > 0 && out->nleaves > 0 && out->leaves[0]->annot == TCC_ANNOT_PARALLEL) {
    /* only when the per-iteration buffers stay small (stack scratch, nothing allocated per
     * call): estimated as the output elements one parallel iteration covers */
    int64_t pe, total = 1, e;
    bool known = tcc_axis_const_extent(out->leaves[0], &pe) && pe > 0;
    for (int d = 0; d < out->ndim && known; d++)
      known = tcc_expr_is_int_imm(out->t->shape[d], &e) && tcc_mul_ovf(total, e, &total);
    size_t es = 1;
    for (int c = 0; c < ncand; c++)
      if (tccrt_dtype_size(cand[c]->t->dtype) > es) es = tccrt_dtype_size(cand[c]->t->dtype);
    if (known && (total / pe) * (int64_t)es <= 32768)
      for (int c = 0; c < ncand; c++)
        TCC_TRY(tcc_compute_at(ctx, cand[c], out, out->leaves[0]));
  }
  /* a stage computed inside the output's parallel loop covers one point of the dims that loop
   * fuses: vectorizing its innermost dim only pays when that dim lies beyond them (dims are
   * matched by position, as in conv -> relu; softmax's row reductions stay scalar) */
  int fused_dims = 0;
  if (out->nleaves > 0 && out->leaves[0]->annot == TCC_ANNOT_PARALLEL) {
    int64_t pe, prod = 1, e;
    if (tcc_axis_const_extent(out->leaves[0], &pe))
      for (int d = 0; d < out->ndim && prod < pe && tcc_expr_is_int_imm(out->t->shape[d], &e);
           d++) {
        prod *= e;
        fused_dims = d + 1;
      }
  }
  for (int i = 0; i < sch->nstages; i++) {
    tcc_stage *st = sch->stages[i];
    if (st == out || st->attach == TCC_ATTACH_INLINE) continue;
    bool inside = st->attach == TCC_ATTACH_AT && st->attach_stage == out;
    TCC_TRY(schedule_one(ctx, st, false, inside && st->ndim <= fused_dims, false));
  }
  return TCC_OK;
}
