/* test_scan_exec.c — schedules of scans (stages reading their own earlier elements) that the
 * ISL legality checks accept really compute the scan: run under the interpreter against a
 * plain C reference. The refused variants of the same schedules are checked too.
 *  Z[i, j] = A[i, j] + (i > 0 ? Z[i - 1, j] : 0)  (column scan: distance (1, 0))
 *  Q[i, j] = A[i, j] + (j > 0 ? Q[i, j - 1] : 0)  (row scan: distance (0, 1))
 *  Y[i, j] = 2 * Q[i, j] */
#include "sched_test.h"

enum { R = 6, NC = 5 };

static tcc_tensor *scan(tcc_context *ctx, const char *name, tcc_tensor *A, bool rows) {
  const tcc_expr *sh[2] = {I(ctx, R), I(ctx, NC)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sh, nm);
  const tcc_expr *i = V(ctx, ax[0]), *j = V(ctx, ax[1]);
  const tcc_expr *ia[2] = {i, j};
  tcc_tensor *T = tcc_compute(ctx, name, 2, sh, ax, tcc_read(ctx, A, ia), NULL);
  const tcc_expr *pv[2] = {rows ? i : tcc_sub(ctx, i, I(ctx, 1)),
                           rows ? tcc_sub(ctx, j, I(ctx, 1)) : j};
  const tcc_expr *cond = tcc_gt(ctx, rows ? j : i, I(ctx, 0));
  T->body = tcc_add(
      ctx, tcc_read(ctx, A, ia),
      tcc_select(ctx, cond, tcc_read(ctx, T, pv), tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), 0)));
  return T;
}

static void ref_scan(const float *a, float *t, bool rows) {
  for (int i = 0; i < R; i++)
    for (int j = 0; j < NC; j++) {
      float prev = rows ? (j > 0 ? t[i * NC + j - 1] : 0) : (i > 0 ? t[(i - 1) * NC + j] : 0);
      t[i * NC + j] = a[i * NC + j] + prev;
    }
}

/* The column scan with its loops swapped (j outside, in parallel) and i split. */
static void column_scan(const float *a) {
  tcc_context *ctx = tcc_context_create();
  int64_t d[2] = {R, NC};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, d);
  tcc_tensor *Z = scan(ctx, "Z", A, false);
  const tcc_tensor *outs[1] = {Z};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sz = tcc_schedule_stage(s, Z);
  tcc_axis *zi = tcc_stage_axis(sz, 0), *zj = tcc_stage_axis(sz, 1), *io, *ii;
  CHECK(tcc_split(ctx, sz, zi, 4, TCC_TAIL_GUARD, &io, &ii) == TCC_OK);
  tcc_axis *ord[3] = {zj, io, ii};
  tcc_status ok = tcc_reorder(ctx, sz, 3, ord);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK_REFUSED(ctx, tcc_parallel(ctx, sz, ii), "written at another iteration of i.inner");
  tcc_axis *bad[2] = {ii, io};
  CHECK_REFUSED(ctx, tcc_reorder(ctx, sz, 2, bad), "would run backwards");
  ok = tcc_parallel(ctx, sz, zj);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  float z[R * NC], ref[R * NC];
  ref_scan(a, ref, false);
  const tcc_tensor *args[2] = {A, Z};
  void *bufs[2] = {(void *)a, z};
  if (ok == TCC_OK && lower_run(ctx, s, "column_scan", 2, args, bufs, NULL))
    cmp_f32("column_scan", z, ref, R * NC, 1e-6);
  tcc_context_destroy(ctx);
}

/* The row scan computed inside its consumer's row loop: one row of Q is a closed region. */
static void row_scan_compute_at(const float *a) {
  tcc_context *ctx = tcc_context_create();
  int64_t d[2] = {R, NC};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, d);
  tcc_tensor *Q = scan(ctx, "Q", A, true);
  const tcc_expr *sh[2] = {I(ctx, R), I(ctx, NC)};
  const tcc_itervar *const *ay = tcc_compute_axes(ctx, 2, sh, NULL);
  const tcc_expr *iy[2] = {V(ctx, ay[0]), V(ctx, ay[1])};
  tcc_tensor *Y = tcc_compute(
      ctx, "Y", 2, sh, ay,
      tcc_mul(ctx, tcc_read(ctx, Q, iy), tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), 2)), NULL);
  const tcc_tensor *outs[1] = {Y};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sq = tcc_schedule_stage(s, Q), *sy = tcc_schedule_stage(s, Y);
  /* one element of Q needs the ones before it in its row: not computable alone */
  CHECK_REFUSED(ctx, tcc_compute_at(ctx, sq, sy, tcc_stage_axis(sy, 1)),
                "compute_at: cannot compute 'Q' at 'i1' of stage 'Y': Q[i, j] reads Q[i, (j - 1)]");
  tcc_status ok = tcc_compute_at(ctx, sq, sy, tcc_stage_axis(sy, 0));
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  ok = tcc_parallel(ctx, sy, tcc_stage_axis(sy, 0));
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  float y[R * NC], ref[R * NC];
  ref_scan(a, ref, true);
  for (int k = 0; k < R * NC; k++)
    ref[k] *= 2;
  const tcc_tensor *args[2] = {A, Y};
  void *bufs[2] = {(void *)a, y};
  if (ok == TCC_OK && lower_run(ctx, s, "row_scan_at", 2, args, bufs, NULL))
    cmp_f32("row_scan_at", y, ref, R * NC, 1e-6);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_scan_exec");
  float a[R * NC];
  fill_f32(a, R * NC, -1, 1);
  column_scan(a);
  row_scan_compute_at(a);
  return tcc_test_finish("test_scan_exec");
}
