/* test_isl_legality.c — the ISL dependence checks of the schedule primitives (schedule/
 * isl_deps.c): each illegal schedule is refused with a message naming the loop and the
 * dependence, and the legal variants (a data-parallel axis, a reduction after rfactor, a
 * reorder that keeps the dependences) are accepted. The dependences are known by construction:
 *  - matmul C[i, j] = sum_k A[i, k] * B[k, j]: C[i, j] is updated at every k (carried by k only);
 *  - scans (a stage reading its own tensor, set up by hand: TE cannot express them otherwise)
 *    X[i, j] = A[i, j] + (i > 0 ? X[i - 1, j + 1] : 0): distance (1, -1), carried by i;
 *    Z[i, j] = A[i, j] + (i > 0 ? Z[i - 1, j] : 0): distance (1, 0);
 *    F[i, j] = A[i, j] + F[floordiv(i, 2), j]: non-affine in i (over-approximated), exact in j.
 * A test of the bounded query: with a tiny operation bound the answer is a conservative
 * refusal that says so, never a stall or an acceptance. */
#include "isl_deps.h"
#include "sched_test.h"

static tcc_tensor *matmul(tcc_context *ctx, const tcc_expr *M, int64_t K, int64_t N) {
  const tcc_expr *sa[2] = {M, I(ctx, K)}, *sb[2] = {I(ctx, K), I(ctx, N)}, *sc[2] = {M, I(ctx, N)};
  tcc_tensor *A = tcc_placeholder(ctx, "A", TCCRT_FLOAT32, 2, sa);
  tcc_tensor *B = tcc_placeholder(ctx, "B", TCCRT_FLOAT32, 2, sb);
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ac = tcc_compute_axes(ctx, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *ai[2] = {V(ctx, ac[0]), V(ctx, k)}, *bi[2] = {V(ctx, k), V(ctx, ac[1])};
  return tcc_compute(
      ctx, "C", 2, sc, ac,
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, A, ai), tcc_read(ctx, B, bi)), 1, &k, NULL), NULL);
}

/* The reduction of matmul: parallel / vectorize / bind of k refused, data axes accepted. */
static void reduction(bool symbolic) {
  tcc_context *ctx = tcc_context_create();
  const tcc_expr *M =
      symbolic ? tcc_expr_var(ctx, tcc_var_new(ctx, "M", tcc_index_type())) : I(ctx, 16);
  tcc_tensor *C = matmul(ctx, M, 32, 8);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sc = tcc_schedule_stage(s, C);
  tcc_axis *i = tcc_stage_axis(sc, 0), *j = tcc_stage_axis(sc, 1),
           *k = tcc_stage_reduce_axis(sc, 0);
  CHECK_REFUSED(
      ctx, tcc_parallel(ctx, sc, k),
      "parallel: cannot parallelize 'k' of stage 'C': C[i, j] is carried across k (reduction axis");
  CHECK_REFUSED(ctx, tcc_bind(ctx, sc, k, TCC_FOR_THREAD_X),
                "cannot bind 'k' of stage 'C': C[i, j] is carried across k");
  tcc_axis *ko, *ki;
  CHECK(tcc_split(ctx, sc, k, 4, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
  CHECK_REFUSED(ctx, tcc_vectorize(ctx, sc, ki),
                "cannot vectorize 'k.inner' of stage 'C': C[i, j] is carried across k.inner");
  CHECK_REFUSED(ctx, tcc_parallel(ctx, sc, ko), "carried across k.outer");
  /* reordering the reduction outside the data axes is legal (the combiner is associative and
   * commutative); the data axes stay free of dependences wherever they are */
  tcc_axis *ord[4] = {ko, i, ki, j};
  tcc_status ok = tcc_reorder(ctx, sc, 4, ord);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  ok = tcc_parallel(ctx, sc, i);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  tcc_axis *jo, *ji;
  CHECK(tcc_split(ctx, sc, j, 4, TCC_TAIL_GUARD, &jo, &ji) == TCC_OK);
  ok = tcc_vectorize(ctx, sc, ji);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  ok = tcc_bind(ctx, sc, jo, TCC_FOR_THREAD_X);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  tcc_context_destroy(ctx);
}

/* After rfactor the factored part of the reduction is data-parallel in the rf stage. */
static void after_rfactor(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_tensor *C = matmul(ctx, I(ctx, 4), 64, 4);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sc = tcc_schedule_stage(s, C), *rf = NULL;
  tcc_axis *ko, *ki;
  CHECK(tcc_split(ctx, sc, tcc_stage_reduce_axis(sc, 0), 8, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
  tcc_status ok = tcc_rfactor(ctx, s, sc, ki, 2, &rf);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  if (ok != TCC_OK) {
    tcc_context_destroy(ctx);
    return;
  }
  tcc_axis *rfk = tcc_stage_axis(rf, 2), *rr = tcc_stage_reduce_axis(rf, 0);
  /* the rf stage still reduces over k.outer */
  CHECK_REFUSED(ctx, tcc_parallel(ctx, rf, rr), "is carried across");
  ok = tcc_parallel(ctx, rf, rfk);
  CHECK_MSG(ok == TCC_OK, "parallel on the factored axis: %s", tcc_error_text(ctx));
  /* C now combines the partial sums over the factored axis */
  CHECK_REFUSED(ctx, tcc_vectorize(ctx, sc, tcc_stage_reduce_axis(sc, 0)),
                "C[i, j] is carried across");
  ok = tcc_vectorize(ctx, sc, tcc_stage_axis(sc, 1));
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  tcc_context_destroy(ctx);
}

/* A scan: T[i, j] = A[i, j] + T[f(i), g(j)] (guarded by i > 0 when affine). */
typedef enum scan_kind { SCAN_DIAG, SCAN_ROWS, SCAN_FLOORDIV } scan_kind;
static tcc_tensor *scan(tcc_context *ctx, const char *name, tcc_tensor *A, int64_t R, int64_t Cn,
                        scan_kind kind) {
  const tcc_expr *sh[2] = {I(ctx, R), I(ctx, Cn)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sh, nm);
  const tcc_expr *i = V(ctx, ax[0]), *j = V(ctx, ax[1]);
  const tcc_expr *ia[2] = {i, j};
  tcc_tensor *T = tcc_compute(ctx, name, 2, sh, ax, tcc_read(ctx, A, ia), NULL);
  const tcc_expr *prev[2];
  tcc_type f = tcc_scalar(TCCRT_FLOAT32);
  const tcc_expr *term;
  if (kind == SCAN_FLOORDIV) {
    prev[0] = tcc_floordiv(ctx, i, I(ctx, 2));
    prev[1] = j;
    term = tcc_read(ctx, T, prev);
  } else {
    prev[0] = tcc_sub(ctx, i, I(ctx, 1));
    prev[1] = kind == SCAN_DIAG ? tcc_add(ctx, j, I(ctx, 1)) : j;
    term = tcc_select(ctx, tcc_gt(ctx, i, I(ctx, 0)), tcc_read(ctx, T, prev), tcc_float(ctx, f, 0));
  }
  T->body = tcc_add(ctx, tcc_read(ctx, A, ia), term); /* now reads itself */
  return T;
}

static void scans(void) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[2] = {8, 8};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da);
  tcc_tensor *X = scan(ctx, "X", A, 8, 7, SCAN_DIAG);
  tcc_tensor *Z = scan(ctx, "Z", A, 8, 8, SCAN_ROWS);
  tcc_tensor *F = scan(ctx, "F", A, 8, 8, SCAN_FLOORDIV);
  /* consumers Y[i, j] = 2 * X[i, j] (and of the other scans, so compute_at has a parent) */
  const tcc_expr *sh[2] = {I(ctx, 8), I(ctx, 7)};
  const tcc_itervar *const *ay = tcc_compute_axes(ctx, 2, sh, NULL);
  const tcc_expr *iy[2] = {V(ctx, ay[0]), V(ctx, ay[1])};
  tcc_tensor *Y = tcc_compute(
      ctx, "Y", 2, sh, ay,
      tcc_add(ctx, tcc_add(ctx, tcc_read(ctx, X, iy), tcc_read(ctx, Z, iy)), tcc_read(ctx, F, iy)),
      NULL);
  tcc_tensor *P = tcc_compute(ctx, "P", 2, sh, tcc_compute_axes(ctx, 2, sh, NULL),
                              tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), 1), NULL);
  const tcc_expr *ip[2] = {V(ctx, P->axes[0]), V(ctx, P->axes[1])};
  P->body = tcc_read(ctx, A, ip);
  const tcc_tensor *outs[2] = {Y, P};
  tcc_schedule *s = tcc_schedule_create(ctx, 2, outs);
  tcc_stage *sx = tcc_schedule_stage(s, X), *sz = tcc_schedule_stage(s, Z),
            *sf = tcc_schedule_stage(s, F);
  tcc_stage *sy = tcc_schedule_stage(s, Y), *sp = tcc_schedule_stage(s, P);
  CHECK(sx && sz && sf && sy && sp);
  if (!(sx && sz && sf && sy && sp)) {
    tcc_context_destroy(ctx);
    return;
  }
  tcc_axis *xi = tcc_stage_axis(sx, 0), *xj = tcc_stage_axis(sx, 1);
  /* X: distance (1, -1) */
  CHECK_REFUSED(ctx, tcc_parallel(ctx, sx, xi),
                "cannot parallelize 'i' of stage 'X': X[i, j] reads X[(i - 1), (j + 1)]");
  CHECK_REFUSED(ctx, tcc_parallel(ctx, sx, xi), "loop-carried dependence");
  CHECK_REFUSED(ctx, tcc_bind(ctx, sx, xi, TCC_FOR_BLOCK_X), "bind: cannot bind 'i' of stage 'X'");
  tcc_axis *swap[2] = {xj, xi};
  CHECK_REFUSED(ctx, tcc_reorder(ctx, sx, 2, swap),
                "reorder: cannot reorder stage 'X' to (j, i): X[i, j] reads X[(i - 1), (j + 1)]");
  CHECK(tcc_stage_leaf(sx, 0) == xi); /* refused: unchanged */
  /* j inside i: the dependence is carried by i, so the iterations of j are independent */
  tcc_status ok = tcc_vectorize(ctx, sx, xj);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  /* a split of i: both halves carry it; tiling i keeps the order */
  tcc_axis *io, *ii;
  CHECK(tcc_split(ctx, sx, xi, 4, TCC_TAIL_GUARD, &io, &ii) == TCC_OK);
  CHECK_REFUSED(ctx, tcc_parallel(ctx, sx, ii), "written at another iteration of i.inner");
  CHECK_REFUSED(ctx, tcc_parallel(ctx, sx, io), "cannot parallelize 'i.outer'");
  tcc_axis *ord2[2] = {ii, io};
  CHECK_REFUSED(ctx, tcc_reorder(ctx, sx, 2, ord2), "would run backwards");
  /* compute_at of a scan: a region of it cannot be computed on its own */
  CHECK_REFUSED(ctx, tcc_compute_at(ctx, sx, sy, tcc_stage_axis(sy, 0)),
                "compute_at: cannot compute 'X' at");
  CHECK_REFUSED(ctx, tcc_compute_at(ctx, sx, sy, tcc_stage_axis(sy, 0)),
                "before they are produced");
  CHECK(tcc_stage_attach(sx) == TCC_ATTACH_ROOT);

  /* Z: distance (1, 0): swapping i and j keeps it positive, j is free, i is not */
  tcc_axis *zi = tcc_stage_axis(sz, 0), *zj = tcc_stage_axis(sz, 1);
  tcc_axis *zsw[2] = {zj, zi};
  ok = tcc_reorder(ctx, sz, 2, zsw);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  ok = tcc_parallel(ctx, sz, zj);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK_REFUSED(ctx, tcc_vectorize(ctx, sz, zi), "Z[i, j] reads Z[(i - 1), j]");

  /* F: the floordiv index is over-approximated (refused on i), j stays exact (accepted) */
  CHECK_REFUSED(ctx, tcc_parallel(ctx, sf, tcc_stage_axis(sf, 0)),
                "cannot parallelize 'i' of stage 'F'");
  tcc_axis *fj = tcc_stage_axis(sf, 1), *fi = tcc_stage_axis(sf, 0);
  tcc_axis *fsw[2] = {fj, fi};
  ok = tcc_reorder(ctx, sf, 2, fsw);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  ok = tcc_parallel(ctx, sf, fj);
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));

  /* stages without dependences: any order, any annotation, compute_at anywhere */
  tcc_axis *pi = tcc_stage_axis(sp, 0), *pj = tcc_stage_axis(sp, 1);
  tcc_axis *psw[2] = {pj, pi};
  CHECK(tcc_reorder(ctx, sp, 2, psw) == TCC_OK);
  CHECK(tcc_parallel(ctx, sp, pj) == TCC_OK);
  CHECK(tcc_vectorize(ctx, sp, pi) == TCC_OK);
  tcc_context_destroy(ctx);
}

/* A shift_inward split has no affine leaf schedule: the checks fall back to the root dims a loop
 * derives from (exact for Z's j, conservative for reorder). */
static void shift_inward_fallback(void) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[2] = {8, 8};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da);
  tcc_tensor *Z = scan(ctx, "Z", A, 8, 8, SCAN_ROWS);
  const tcc_tensor *outs[1] = {Z};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sz = tcc_schedule_stage(s, Z);
  tcc_axis *zi = tcc_stage_axis(sz, 0), *jo, *ji;
  CHECK(tcc_split(ctx, sz, tcc_stage_axis(sz, 1), 3, TCC_TAIL_SHIFT_INWARD, &jo, &ji) == TCC_OK);
  tcc_status ok = tcc_vectorize(ctx, sz, ji); /* distances along j are 0 */
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK_REFUSED(ctx, tcc_parallel(ctx, sz, zi), "Z[i, j] reads Z[(i - 1), j]");
  tcc_axis *ord[2] = {jo, zi};
  CHECK_REFUSED(ctx, tcc_reorder(ctx, sz, 2, ord), "cannot be expressed as an affine schedule");
  tcc_context_destroy(ctx);
}

/* compute_at of a producer without true dependences is accepted (matmul's P = A + 1). */
static void compute_at_legal(void) {
  tcc_context *ctx = tcc_context_create();
  int64_t d[2] = {8, 8};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, d);
  const tcc_expr *sh[2] = {I(ctx, 8), I(ctx, 8)};
  const tcc_itervar *const *ap = tcc_compute_axes(ctx, 2, sh, NULL);
  const tcc_expr *ia[2] = {V(ctx, ap[0]), V(ctx, ap[1])};
  tcc_tensor *P = tcc_compute(ctx, "P", 2, sh, ap, tcc_read(ctx, A, ia), NULL);
  const tcc_itervar *const *ac = tcc_compute_axes(ctx, 2, sh, NULL);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, 8));
  const tcc_expr *pi[2] = {V(ctx, ac[0]), V(ctx, k)};
  tcc_tensor *C =
      tcc_compute(ctx, "C", 2, sh, ac, tcc_sum(ctx, tcc_read(ctx, P, pi), 1, &k, NULL), NULL);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sp = tcc_schedule_stage(s, P), *sc = tcc_schedule_stage(s, C);
  tcc_status ok = tcc_compute_at(ctx, sp, sc, tcc_stage_reduce_axis(sc, 0));
  CHECK_MSG(ok == TCC_OK, "%s", tcc_error_text(ctx));
  tcc_context_destroy(ctx);
}

/* With a bound of a few operations the query gives up and refuses conservatively, naming the
 * bound; the default bound accepts the same (legal) schedule. */
static void bounded(void) {
  for (int pass = 0; pass < 2; pass++) {
    tcc_context *ctx = tcc_context_create();
    tcc_tensor *C = matmul(ctx, tcc_expr_var(ctx, tcc_var_new(ctx, "M", tcc_index_type())), 16, 8);
    const tcc_tensor *outs[1] = {C};
    tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
    tcc_stage *sc = tcc_schedule_stage(s, C);
    if (pass == 0) {
      unsigned long old = tcc_isl_set_max_operations(1);
      CHECK_REFUSED(ctx, tcc_parallel(ctx, sc, tcc_stage_axis(sc, 0)),
                    "exceeded its bound of 1 operations");
      CHECK(tcc_axis_annot(tcc_stage_axis(sc, 0)) == TCC_ANNOT_NONE);
      tcc_isl_set_max_operations(old);
    }
    /* default bound (and, in pass 0, a retry after the refusal: nothing bad was cached) */
    tcc_status ok = tcc_parallel(ctx, sc, tcc_stage_axis(sc, 0));
    CHECK_MSG(ok == TCC_OK, "pass %d: %s", pass, tcc_error_text(ctx));
    tcc_context_destroy(ctx);
  }
}

int main(void) {
  reduction(false);
  reduction(true);
  after_rfactor();
  scans();
  compute_at_legal();
  shift_inward_fallback();
  bounded();
  return tcc_test_finish("test_isl_legality");
}
