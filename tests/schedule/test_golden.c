/* test_golden.c — pins the printed schedule log and lowered loop IR of a few schedules against
 * files in tests/schedule/golden/, so a change in lowering shows as a readable diff.
 * TCC_UPDATE_GOLDEN=1 rewrites the files instead of comparing. The lowered functions are also
 * run by the interpreter against a C reference, so a golden file never pins wrong code. */
#include "sched_test.h"

static char *golden_path(const char *name) {
  const char *src = getenv("TCC_SOURCE_DIR");
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/tests/schedule/golden/%s.txt", src ? src : ".", name);
  return buf;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  size_t got = fread(b, 1, (size_t)n, f);
  b[got] = 0;
  fclose(f);
  return b;
}

static void print_devices(FILE *m, const tcc_stmt *st) {
  if (!st) return;
  switch (st->kind) {
  case TCC_S_LAUNCH: tcc_primfunc_print(m, st->u.launch.func); return;
  case TCC_S_SEQ:
    for (int i = 0; i < st->u.seq.n; i++)
      print_devices(m, st->u.seq.stmts[i]);
    return;
  case TCC_S_FOR: print_devices(m, st->u.loop.body); return;
  case TCC_S_ALLOCATE: print_devices(m, st->u.alloc.body); return;
  case TCC_S_LET: print_devices(m, st->u.let.body); return;
  case TCC_S_IF:
    print_devices(m, st->u.ifs.then_);
    print_devices(m, st->u.ifs.else_);
    return;
  default: return;
  }
}

static void check_golden(const char *name, const tcc_schedule *s, const tcc_primfunc *fn) {
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  fputs("# schedule\n", m);
  tcc_schedule_print(m, s);
  fputs("# loop IR\n", m);
  tcc_primfunc_print(m, fn);
  print_devices(m, fn->body);
  fclose(m);
  const char *path = golden_path(name);
  const char *upd = getenv("TCC_UPDATE_GOLDEN");
  if (upd && *upd == '1') {
    FILE *f = fopen(path, "wb");
    CHECK_MSG(f != NULL, "cannot write %s", path);
    if (f) {
      fputs(text, f);
      fclose(f);
      fprintf(stderr, "updated %s\n", path);
    }
  } else {
    char *want = read_file(path);
    CHECK_MSG(want != NULL, "missing golden file %s (run with TCC_UPDATE_GOLDEN=1)", path);
    if (want) {
      CHECK_MSG(strcmp(want, text) == 0,
                "%s differs from the lowered IR:\n--- golden\n%s--- now\n%s", path, want, text);
      free(want);
    }
  }
  free(text);
}

static tcc_tensor *matmul(tcc_context *ctx, tcc_tensor *A, tcc_tensor *B, int64_t M, int64_t N,
                          int64_t K) {
  const tcc_expr *sc[2] = {I(ctx, M), I(ctx, N)};
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sc, nm);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, K));
  const tcc_expr *ia[2] = {V(ctx, ax[0]), V(ctx, k)}, *ib[2] = {V(ctx, k), V(ctx, ax[1])};
  return tcc_compute(
      ctx, "C", 2, sc, ax,
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, A, ia), tcc_read(ctx, B, ib)), 1, &k, NULL), "dense");
}

/* tiled 4x8, k split by 2 and unrolled, j.inner vectorized, outer tiles fused and parallel */
static void golden_matmul(const char *name, int64_t M, int64_t N, int64_t K, int64_t fi,
                          int64_t fj) {
  tcc_context *ctx = tcc_context_create();
  int64_t da[2] = {M, K}, db[2] = {K, N};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da), *B = ph(ctx, "B", TCCRT_FLOAT32, 2, db);
  tcc_tensor *C = matmul(ctx, A, B, M, N, K);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, C);
  tcc_axis *io, *jo, *ii, *ji, *ko, *ki, *f;
  CHECK(tcc_tile(ctx, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), fi, fj, TCC_TAIL_GUARD, &io,
                 &jo, &ii, &ji) == TCC_OK);
  CHECK(tcc_split(ctx, st, tcc_stage_reduce_axis(st, 0), 2, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
  tcc_axis *ord[5] = {io, jo, ko, ki, ii};
  CHECK(tcc_reorder(ctx, st, 5, ord) == TCC_OK);
  CHECK(tcc_unroll(ctx, st, ki) == TCC_OK);
  CHECK(tcc_vectorize(ctx, st, ji) == TCC_OK);
  CHECK(tcc_fuse(ctx, st, io, jo, &f) == TCC_OK);
  CHECK(tcc_parallel(ctx, st, f) == TCC_OK);
  float *a = malloc(sizeof(float) * (size_t)(M * K)), *b = malloc(sizeof(float) * (size_t)(K * N));
  float *c = malloc(sizeof(float) * (size_t)(M * N)),
        *ref = malloc(sizeof(float) * (size_t)(M * N));
  fill_f32(a, (size_t)(M * K), -1, 1);
  fill_f32(b, (size_t)(K * N), -1, 1);
  ref_matmul_f32(a, b, ref, M, N, K);
  const tcc_tensor *args[3] = {A, B, C};
  void *bufs[3] = {a, b, c};
  tcc_primfunc *fn;
  if (lower_run(ctx, s, name, 3, args, bufs, &fn)) {
    cmp_f32(name, c, ref, (size_t)(M * N), 1e-5);
    check_golden(name, s, fn);
  }
  free(a), free(b), free(c), free(ref);
  tcc_context_destroy(ctx);
}

/* B = A * 2 computed at the consumer's row tile; C[i, j] = B[i, j] + B[i + 1, j] */
static void golden_compute_at(void) {
  tcc_context *ctx = tcc_context_create();
  const int64_t H = 10, W = 6;
  int64_t da[2] = {H, W};
  tcc_tensor *A = ph(ctx, "A", TCCRT_INT32, 2, da);
  const tcc_expr *sb[2] = {I(ctx, H), I(ctx, W)}, *sc[2] = {I(ctx, H - 1), I(ctx, W)};
  const char *nb[2] = {"y", "x"}, *nc[2] = {"i", "j"};
  const tcc_itervar *const *bx = tcc_compute_axes(ctx, 2, sb, nb);
  const tcc_expr *ia[2] = {V(ctx, bx[0]), V(ctx, bx[1])};
  tcc_tensor *B = tcc_compute(
      ctx, "B", 2, sb, bx,
      tcc_mul(ctx, tcc_read(ctx, A, ia), tcc_int(ctx, tcc_scalar(TCCRT_INT32), 2)), NULL);
  const tcc_itervar *const *cx = tcc_compute_axes(ctx, 2, sc, nc);
  const tcc_expr *r0[2] = {V(ctx, cx[0]), V(ctx, cx[1])},
                 *r1[2] = {tcc_add(ctx, V(ctx, cx[0]), I(ctx, 1)), V(ctx, cx[1])};
  tcc_tensor *C = tcc_compute(ctx, "C", 2, sc, cx,
                              tcc_add(ctx, tcc_read(ctx, B, r0), tcc_read(ctx, B, r1)), NULL);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *sb_ = tcc_schedule_stage(s, B), *sc_ = tcc_schedule_stage(s, C);
  tcc_axis *io, *ii;
  CHECK(tcc_split(ctx, sc_, tcc_stage_axis(sc_, 0), 4, TCC_TAIL_GUARD, &io, &ii) == TCC_OK);
  CHECK(tcc_compute_at(ctx, sb_, sc_, io) == TCC_OK);
  int32_t a[H * W], c[(H - 1) * W], ref[(H - 1) * W];
  fill_i32(a, H * W, -100, 100);
  for (int64_t i = 0; i < H - 1; i++)
    for (int64_t j = 0; j < W; j++)
      ref[i * W + j] = a[i * W + j] * 2 + a[(i + 1) * W + j] * 2;
  const tcc_tensor *args[2] = {A, C};
  void *bufs[2] = {a, c};
  tcc_primfunc *fn;
  if (lower_run(ctx, s, "compute_at", 2, args, bufs, &fn)) {
    cmp_i32("compute_at", c, ref, (size_t)((H - 1) * W));
    check_golden("compute_at", s, fn);
  }
  tcc_context_destroy(ctx);
}

/* a symbolic dim: X[N] -> Y[i] = X[i] * X[i] with the default CPU schedule */
static void golden_symbolic(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_var *n = tcc_var_new(ctx, "N", tcc_index_type());
  const tcc_expr *sh[1] = {tcc_expr_var(ctx, n)};
  tcc_tensor *X = tcc_placeholder(ctx, "X", TCCRT_FLOAT32, 1, sh);
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 1, sh, NULL);
  const tcc_expr *ix[1] = {V(ctx, ax[0])};
  tcc_tensor *Y = tcc_compute(ctx, "Y", 1, sh, ax,
                              tcc_mul(ctx, tcc_read(ctx, X, ix), tcc_read(ctx, X, ix)), NULL);
  const tcc_tensor *outs[1] = {Y};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  CHECK(tcc_schedule_auto_cpu(ctx, s, Y) == TCC_OK);
  const tcc_tensor *args[2] = {X, Y};
  tcc_primfunc *fn;
  CHECK_MSG(tcc_lower(ctx, s, "symbolic", 2, args, &fn) == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK(fn->nscalars == 1 && fn->scalars[0] == n);
  for (int64_t len = 0; len < 21; len += 5) {
    float x[21], y[22];
    fill_f32(x, 21, -3, 3);
    y[len] = 12345.0f;
    void *bufs[2] = {x, y};
    CHECK_MSG(tcc_interp_run(ctx, fn, bufs, &len) == TCC_OK, "%s", tcc_error_text(ctx));
    for (int64_t i = 0; i < len; i++)
      CHECK(y[i] == x[i] * x[i]);
    CHECK(y[len] == 12345.0f); /* nothing written past N */
  }
  check_golden("symbolic", s, fn);
  tcc_context_destroy(ctx);
}

/* GPU: C tiles over blocks/threads, A and B tiles staged in shared memory at each k.outer */
static void golden_gpu_shared(void) {
  tcc_context *ctx = tcc_context_create();
  const int64_t M = 8, N = 16, K = 8;
  int64_t da[2] = {M, K}, db[2] = {K, N};
  tcc_tensor *A = ph(ctx, "A", TCCRT_FLOAT32, 2, da), *B = ph(ctx, "B", TCCRT_FLOAT32, 2, db);
  tcc_tensor *C = matmul(ctx, A, B, M, N, K);
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, C), *sa, *sb;
  CHECK(tcc_cache_read(ctx, s, A, TCC_SCOPE_SHARED, 1, &st, &sa) == TCC_OK);
  CHECK(tcc_cache_read(ctx, s, B, TCC_SCOPE_SHARED, 1, &st, &sb) == TCC_OK);
  tcc_axis *io, *jo, *ii, *ji, *ko, *ki;
  CHECK(tcc_tile(ctx, st, tcc_stage_axis(st, 0), tcc_stage_axis(st, 1), 4, 8, TCC_TAIL_GUARD, &io,
                 &jo, &ii, &ji) == TCC_OK);
  CHECK(tcc_split(ctx, st, tcc_stage_reduce_axis(st, 0), 4, TCC_TAIL_GUARD, &ko, &ki) == TCC_OK);
  CHECK(tcc_bind(ctx, st, io, TCC_FOR_BLOCK_Y) == TCC_OK);
  CHECK(tcc_bind(ctx, st, jo, TCC_FOR_BLOCK_X) == TCC_OK);
  CHECK(tcc_bind(ctx, st, ii, TCC_FOR_THREAD_Y) == TCC_OK);
  CHECK(tcc_bind(ctx, st, ji, TCC_FOR_THREAD_X) == TCC_OK);
  tcc_stage *cs[2] = {sa, sb};
  for (int c = 0; c < 2; c++) {
    tcc_axis *f, *fo, *fi;
    CHECK(tcc_compute_at(ctx, cs[c], st, ko) == TCC_OK);
    CHECK(tcc_fuse(ctx, cs[c], tcc_stage_axis(cs[c], 0), tcc_stage_axis(cs[c], 1), &f) == TCC_OK);
    CHECK(tcc_split(ctx, cs[c], f, 8, TCC_TAIL_GUARD, &fo, &fi) == TCC_OK);
    CHECK(tcc_bind(ctx, cs[c], fi, TCC_FOR_THREAD_X) == TCC_OK);
  }
  float a[M * K], b[K * N], c[M * N], ref[M * N];
  fill_f32(a, M * K, -1, 1);
  fill_f32(b, K * N, -1, 1);
  ref_matmul_f32(a, b, ref, M, N, K);
  const tcc_tensor *args[3] = {A, B, C};
  void *bufs[3] = {a, b, c};
  tcc_primfunc *fn;
  if (lower_run(ctx, s, "gpu_shared", 3, args, bufs, &fn)) {
    cmp_f32("gpu_shared", c, ref, M * N, 1e-5);
    check_golden("gpu_shared", s, fn);
  }
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_golden");
  golden_matmul("matmul_tiled", 16, 16, 8, 4, 8);
  golden_matmul("matmul_nondividing", 13, 11, 5, 4, 8);
  golden_compute_at();
  golden_symbolic();
  golden_gpu_shared();
  return tcc_test_finish("test_golden");
}
