/* test_refusals.c — every primitive refuses bad arguments with a message saying why (and
 * leaves the schedule usable); lowering refuses schedules it cannot honour; the schedule log
 * prints and replays to the same loop IR. */
#include "sched_test.h"

typedef struct prog {
  tcc_tensor *A, *B, *P, *C, *D; /* P = A + 1 (elementwise), C = P x B (matmul), D = sum_j C */
  tcc_stage *sP, *sC, *sD;
  tcc_schedule *s;
} prog;

static prog build(tcc_context *ctx, const tcc_expr *M) {
  prog p;
  const int64_t K = 6, N = 5;
  const tcc_expr *sa[2] = {M, I(ctx, K)}, *sb[2] = {I(ctx, K), I(ctx, N)};
  p.A = tcc_placeholder(ctx, "A", TCCRT_FLOAT32, 2, sa);
  p.B = tcc_placeholder(ctx, "B", TCCRT_FLOAT32, 2, sb);
  const tcc_itervar *const *ap = tcc_compute_axes(ctx, 2, sa, NULL);
  const tcc_expr *ia[2] = {V(ctx, ap[0]), V(ctx, ap[1])};
  p.P = tcc_compute(
      ctx, "P", 2, sa, ap,
      tcc_add(ctx, tcc_read(ctx, p.A, ia), tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), 1)), NULL);
  const tcc_expr *sc[2] = {M, I(ctx, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ac = tcc_compute_axes(ctx, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *pi[2] = {V(ctx, ac[0]), V(ctx, k)}, *bi[2] = {V(ctx, k), V(ctx, ac[1])};
  p.C = tcc_compute(
      ctx, "C", 2, sc, ac,
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, p.P, pi), tcc_read(ctx, p.B, bi)), 1, &k, NULL),
      NULL);
  const tcc_expr *sd[1] = {M};
  const tcc_itervar *const *ad = tcc_compute_axes(ctx, 1, sd, NULL);
  const tcc_itervar *r = tcc_reduce_axis(ctx, "r", I(ctx, 0), I(ctx, N));
  const tcc_expr *ci[2] = {V(ctx, ad[0]), V(ctx, r)};
  p.D = tcc_compute(ctx, "D", 1, sd, ad, tcc_sum(ctx, tcc_read(ctx, p.C, ci), 1, &r, NULL), NULL);
  const tcc_tensor *outs[1] = {p.D};
  p.s = tcc_schedule_create(ctx, 1, outs);
  p.sP = tcc_schedule_stage(p.s, p.P);
  p.sC = tcc_schedule_stage(p.s, p.C);
  p.sD = tcc_schedule_stage(p.s, p.D);
  return p;
}

static void primitives(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_var *m = tcc_var_new(ctx, "M", tcc_index_type());
  prog p = build(ctx, tcc_expr_var(ctx, m));
  CHECK(tcc_schedule_num_stages(p.s) == 3);
  CHECK(tcc_schedule_stage(p.s, p.A) == NULL); /* placeholders have no stage */
  tcc_axis *ci = tcc_stage_axis(p.sC, 0), *cj = tcc_stage_axis(p.sC, 1);
  tcc_axis *ck = tcc_stage_reduce_axis(p.sC, 0), *di = tcc_stage_axis(p.sD, 0);
  tcc_axis *o, *in;
  /* split */
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sC, di, 2, TCC_TAIL_GUARD, &o, &in), "belongs to stage 'D'");
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sC, cj, 0, TCC_TAIL_GUARD, &o, &in), "must be positive");
  CHECK_REFUSED(ctx, tcc_split_nparts(ctx, p.sC, cj, -3, TCC_TAIL_GUARD, &o, &in), "nparts");
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sD, di, 4, TCC_TAIL_ROUND_UP, &o, &in), "is an output");
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sC, ck, 4, TCC_TAIL_ROUND_UP, &o, &in), "reduction axis");
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sC, cj, 2, TCC_TAIL_SHIFT_INWARD, &o, &in),
                "accumulated twice");
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sC, cj, 2, (tcc_tail)42, &o, &in), "unknown tail");
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sC, NULL, 2, TCC_TAIL_GUARD, &o, &in), "no axis");
  CHECK(tcc_split(ctx, p.sC, cj, 2, TCC_TAIL_GUARD, &o, &in) == TCC_OK);
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sC, cj, 2, TCC_TAIL_GUARD, NULL, NULL), "already split");
  /* vectorize / unroll / parallel / bind */
  CHECK_REFUSED(ctx, tcc_vectorize(ctx, p.sC, ck), "reduction axis");
  CHECK_REFUSED(ctx, tcc_parallel(ctx, p.sC, ck), "reduction axis");
  CHECK_REFUSED(ctx, tcc_vectorize(ctx, p.sC, ci), "non-constant extent"); /* extent M */
  CHECK_REFUSED(ctx, tcc_unroll(ctx, p.sC, ci), "non-constant extent");
  CHECK_REFUSED(ctx, tcc_vectorize(ctx, p.sC, cj), "already split");
  CHECK_REFUSED(ctx, tcc_bind(ctx, p.sC, in, TCC_FOR_UNROLLED), "not a GPU");
  tcc_axis *io, *ii;
  CHECK(tcc_split(ctx, p.sC, ci, 100, TCC_TAIL_GUARD, &io, &ii) == TCC_OK);
  CHECK_REFUSED(ctx, tcc_vectorize(ctx, p.sC, ii), "more than 64 lanes");
  CHECK(tcc_unroll(ctx, p.sC, in) == TCC_OK);
  CHECK_REFUSED(ctx, tcc_vectorize(ctx, p.sC, in), "already annotated");
  /* fuse */
  CHECK_REFUSED(ctx, tcc_fuse(ctx, p.sC, io, o, NULL), "not adjacent"); /* io, ii, o, in, k */
  tcc_axis *ko, *ki;
  CHECK(tcc_split(ctx, p.sC, ck, 3, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
  tcc_axis *ord[2] = {ko, o};
  CHECK(tcc_reorder(ctx, p.sC, 2, ord) == TCC_OK); /* io ii ko in o ki */
  CHECK_REFUSED(ctx, tcc_fuse(ctx, p.sC, ii, ko, NULL), "data-parallel and reduction");
  CHECK_REFUSED(ctx, tcc_fuse(ctx, p.sC, in, o, NULL), "must not be annotated");
  /* reorder */
  tcc_axis *dup[2] = {io, io};
  CHECK_REFUSED(ctx, tcc_reorder(ctx, p.sC, 2, dup), "listed twice");
  tcc_axis *other[2] = {io, di};
  CHECK_REFUSED(ctx, tcc_reorder(ctx, p.sC, 2, other), "belongs to stage 'D'");
  CHECK_REFUSED(ctx, tcc_reorder(ctx, p.sC, 0, NULL), "no axes");
  /* tile */
  tcc_axis *a1, *a2, *a3, *a4;
  CHECK_REFUSED(ctx, tcc_tile(ctx, p.sC, ki, io, 2, 2, TCC_TAIL_GUARD, &a1, &a2, &a3, &a4),
                "must be outside");
  CHECK_REFUSED(ctx, tcc_tile(ctx, p.sC, io, io, 2, 2, TCC_TAIL_GUARD, &a1, &a2, &a3, &a4),
                "must differ");
  /* compute_at / inline / root */
  CHECK_REFUSED(ctx, tcc_compute_at(ctx, p.sD, p.sC, io), "is an output");
  CHECK_REFUSED(ctx, tcc_compute_at(ctx, p.sC, p.sC, io), "inside itself");
  CHECK_REFUSED(ctx, tcc_compute_at(ctx, p.sP, p.sD, di), "does not read 'P'");
  CHECK_REFUSED(ctx, tcc_compute_at(ctx, p.sP, p.sC, di), "belongs to stage 'D'");
  CHECK_REFUSED(ctx, tcc_compute_inline(ctx, p.sD), "is an output");
  CHECK_REFUSED(ctx, tcc_compute_inline(ctx, p.sC), "is a reduction");
  CHECK(tcc_compute_at(ctx, p.sP, p.sC, io) == TCC_OK);
  CHECK_REFUSED(ctx, tcc_split(ctx, p.sC, io, 2, TCC_TAIL_GUARD, NULL, NULL),
                "split before compute_at");
  CHECK(tcc_compute_at(ctx, p.sC, p.sD, di) == TCC_OK); /* P is now read through C, inside D */
  CHECK(tcc_compute_root(ctx, p.sC) == TCC_OK);
  CHECK(tcc_compute_inline(ctx, p.sP) == TCC_OK);
  CHECK(tcc_stage_attach(p.sP) == TCC_ATTACH_INLINE);
  tcc_context_destroy(ctx);
}

static void lowering(void) {
  tcc_context *ctx = tcc_context_create();
  prog p = build(ctx, I(ctx, 7));
  tcc_primfunc *fn;
  const tcc_tensor *no_out[2] = {p.A, p.B};
  CHECK_REFUSED(ctx, tcc_lower(ctx, p.s, "f", 2, no_out, &fn),
                "output 'D' is not among the arguments");
  const tcc_tensor *no_b[2] = {p.A, p.D};
  CHECK_REFUSED(ctx, tcc_lower(ctx, p.s, "f", 2, no_b, &fn), "'B' is read but is neither");
  const tcc_tensor *twice[3] = {p.A, p.A, p.D};
  CHECK_REFUSED(ctx, tcc_lower(ctx, p.s, "f", 3, twice, &fn), "passed twice");
  CHECK_REFUSED(ctx, tcc_lower(ctx, p.s, "", 0, NULL, &fn), "needs a name");
  /* P computed inside C's loop but also read by D? D does not read P; make a second reader */
  const tcc_expr *sq[1] = {I(ctx, 7)};
  const tcc_itervar *const *aq = tcc_compute_axes(ctx, 1, sq, NULL);
  const tcc_expr *qi[2] = {V(ctx, aq[0]), I(ctx, 0)};
  tcc_tensor *Q = tcc_compute(ctx, "Q", 1, sq, aq, tcc_read(ctx, p.P, qi), NULL);
  const tcc_tensor *outs[2] = {p.D, Q};
  tcc_schedule *s2 = tcc_schedule_create(ctx, 2, outs);
  CHECK(tcc_compute_at(ctx, tcc_schedule_stage(s2, p.P), tcc_schedule_stage(s2, p.C),
                       tcc_stage_axis(tcc_schedule_stage(s2, p.C), 0)) == TCC_OK);
  const tcc_tensor *args[4] = {p.A, p.B, p.D, Q};
  CHECK_REFUSED(ctx, tcc_lower(ctx, s2, "f", 4, args, &fn), "also read by stage 'Q'");
  /* round_up on P (not an output) would read A past its shape */
  prog r = build(ctx, I(ctx, 7));
  tcc_axis *o, *in;
  CHECK(tcc_split(ctx, r.sP, tcc_stage_axis(r.sP, 1), 4, TCC_TAIL_ROUND_UP, &o, &in) == TCC_OK);
  const tcc_tensor *rargs[3] = {r.A, r.B, r.D};
  CHECK_REFUSED(ctx, tcc_lower(ctx, r.s, "f", 3, rargs, &fn), "read 'A' outside its shape");
  /* a reduction below the top of a body */
  const tcc_itervar *rk = tcc_reduce_axis(ctx, "rk", I(ctx, 0), I(ctx, 6));
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 1, sq, NULL);
  const tcc_expr *ai[2] = {V(ctx, ax[0]), V(ctx, rk)};
  tcc_tensor *bad = tcc_compute(ctx, "bad", 1, sq, ax,
                                tcc_mul(ctx, tcc_sum(ctx, tcc_read(ctx, p.A, ai), 1, &rk, NULL),
                                        tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), 2)),
                                NULL);
  const tcc_tensor *bo[1] = {bad};
  tcc_schedule *s3 = tcc_schedule_create(ctx, 1, bo);
  const tcc_tensor *bargs[2] = {p.A, bad};
  CHECK_REFUSED(ctx, tcc_lower(ctx, s3, "f", 2, bargs, &fn), "not the top of its compute body");
  CHECK_REFUSED(ctx, tcc_schedule_auto_cpu(ctx, s3, p.A), "has no stage");
  tcc_context_destroy(ctx);
}

static void interp_errors(void) {
  tcc_context *ctx = tcc_context_create();
  const tcc_expr *sh[1] = {I(ctx, 4)};
  tcc_buffer *b = tcc_buffer_new(ctx, "buf", TCCRT_INT32, 1, sh, TCC_SCOPE_GLOBAL);
  tcc_var *i = tcc_var_new(ctx, "i", tcc_index_type());
  const tcc_expr *ie = tcc_expr_var(ctx, i);
  const tcc_stmt *st = tcc_s_store(ctx, b, 1, &ie, tcc_int(ctx, tcc_scalar(TCCRT_INT32), 7), NULL);
  const tcc_stmt *loop = tcc_s_for(ctx, i, I(ctx, 0), I(ctx, 5), TCC_FOR_SERIAL, st);
  const tcc_buffer *params[1] = {b};
  tcc_primfunc fn = {0};
  fn.name = "oob";
  fn.nparams = 1;
  fn.params = params;
  fn.body = loop;
  int32_t data[4];
  void *bufs[1] = {data};
  CHECK_REFUSED(ctx, tcc_interp_run(ctx, &fn, bufs, NULL), "index 4 is out of bounds (size 4)");
  void *nul[1] = {NULL};
  CHECK_REFUSED(ctx, tcc_interp_run(ctx, &fn, nul, NULL), "is NULL");
  const tcc_expr *zero = tcc_sub(ctx, ie, ie); /* folds to 0: build i / (i - i) by hand */
  (void)zero;
  tcc_var *j = tcc_var_new(ctx, "j", tcc_scalar(TCCRT_INT32));
  const tcc_expr *je = tcc_expr_var(ctx, j);
  const tcc_expr *dz = tcc_div(ctx, tcc_int(ctx, tcc_scalar(TCCRT_INT32), 1), je);
  const tcc_expr *i0 = I(ctx, 0);
  fn.body = tcc_s_let(ctx, j, tcc_int(ctx, tcc_scalar(TCCRT_INT32), 0),
                      tcc_s_store(ctx, b, 1, &i0, dz, NULL));
  CHECK_REFUSED(ctx, tcc_interp_run(ctx, &fn, bufs, NULL), "division by zero");
  fn.body = tcc_s_store(ctx, b, 1, &i0,
                        tcc_cast(ctx, tcc_scalar(TCCRT_INT32), tcc_expr_var(ctx, i)), NULL);
  CHECK_REFUSED(ctx, tcc_interp_run(ctx, &fn, bufs, NULL), "variable 'i' is not bound");
  tcc_context_destroy(ctx);
}

/* print + replay reproduce the same schedule and the same loop IR */
static char *lowered_text(tcc_context *ctx, prog *p) {
  tcc_primfunc *fn;
  const tcc_tensor *args[3] = {p->A, p->B, p->D};
  if (tcc_lower(ctx, p->s, "f", 3, args, &fn) != TCC_OK) return NULL;
  char *t = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&t, &n);
  tcc_schedule_print(f, p->s);
  tcc_primfunc_print(f, fn);
  fclose(f);
  return t;
}

static void replay(void) {
  tcc_context *ctx = tcc_context_create();
  prog p = build(ctx, I(ctx, 9));
  tcc_axis *io, *ii, *jo, *ji, *f;
  CHECK(tcc_tile(ctx, p.sC, tcc_stage_axis(p.sC, 0), tcc_stage_axis(p.sC, 1), 4, 2, TCC_TAIL_GUARD,
                 &io, &jo, &ii, &ji) == TCC_OK);
  CHECK(tcc_fuse(ctx, p.sC, io, jo, &f) == TCC_OK);
  CHECK(tcc_parallel(ctx, p.sC, f) == TCC_OK);
  CHECK(tcc_vectorize(ctx, p.sC, ji) == TCC_OK);
  CHECK(tcc_compute_at(ctx, p.sP, p.sC, f) == TCC_OK);
  CHECK(tcc_unroll(ctx, p.sD, tcc_stage_reduce_axis(p.sD, 0)) == TCC_OK);
  tcc_stage *bc;
  CHECK(tcc_cache_read(ctx, p.s, p.B, TCC_SCOPE_STACK, 1, &p.sC, &bc) == TCC_OK);
  CHECK(tcc_compute_at(ctx, bc, p.sC, f) == TCC_OK);
  char *t1 = lowered_text(ctx, &p);
  CHECK(t1 && strstr(t1, "cache_read(B, stack, C) -> B.stack\n") != NULL);
  CHECK(t1 && strstr(t1, "allocate B.stack: float32[6, 2] stack") != NULL);
  CHECK(t1 != NULL);
  CHECK(t1 && strstr(t1, "fuse(C, i.outer, j.outer) -> i.outer.j.outer.fused\n") != NULL);
  CHECK(t1 && strstr(t1, "compute_at(P, C, i.outer.j.outer.fused)\n") != NULL);
  prog q = build(ctx, I(ctx, 9));
  CHECK_MSG(tcc_schedule_replay(ctx, q.s, p.s) == TCC_OK, "%s", tcc_error_text(ctx));
  char *t2 = lowered_text(ctx, &q);
  CHECK_MSG(t1 && t2 && strcmp(t1, t2) == 0, "replayed schedule differs:\n%s\n---\n%s", t1, t2);
  /* replay onto a schedule of another shape of program is refused */
  const tcc_tensor *one[1] = {p.P};
  tcc_schedule *small = tcc_schedule_create(ctx, 1, one);
  CHECK_REFUSED(ctx, tcc_schedule_replay(ctx, small, p.s), "stages");
  free(t1);
  free(t2);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_refusals");
  primitives();
  lowering();
  interp_errors();
  replay();
  return tcc_test_finish("test_refusals");
}
