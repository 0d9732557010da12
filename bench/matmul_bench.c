/* matmul_bench.c — C = A * B, float32, M = N = K = 1024 (or argv[1]), compiled by tcc-ml and
 * timed against OpenBLAS's cblas_sgemm in the same run, on 1 and 2 threads.
 *
 *   te:     the tensor expression C[i, j] = sum_k A[i, k] * B[k, j] with a schedule
 *           (split j by 32 and vectorize, split i by 6 and unroll, split k by 256, order
 *           jo, ko, io, ki, ii, ji, parallel jo; TCC_BENCH_TILE="6,32,256" changes the three
 *           factors), lowered by tcc_lower, compiled by the LLVM code generator (host CPU),
 *           run through the JIT.
 *   te_packed: the same schedule over a packed copy of B (a TE stage Bp[j/32, k, j%32] in
 *           workspace, as TOPI's dense_pack).
 *   packed: loop IR written by hand in the same spirit plus a packed copy of B in workspace
 *           (panels of 32 columns, contiguous in k) and an 8x32 register tile in a stack
 *           buffer: what a schedule with cache_read would produce.
 *   openblas: cblas_sgemm.
 *
 * OpenBLAS 0.3.21 does not know Sapphire Rapids and falls back to its SSE3 "Prescott" kernels
 * there: run with OPENBLAS_CORETYPE=SkylakeX for a fair comparison (the core is printed).
 *
 * Prints GFLOP/s (best of 5 runs) and the ratio to OpenBLAS; checks the results agree (max
 * relative difference). Not a test: build target matmul_bench. */
#include "interp.h"
#include "schedule.h"

#include "llvm/llvm_codegen.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const tcc_expr *IX(tcc_context *c, int64_t v) { return tcc_idx(c, v); }

static int64_t g_ti = 6, g_tj = 32, g_tk = 256; /* TCC_BENCH_TILE="I,J,K" overrides */

static tcc_primfunc *te_matmul(tcc_context *c, int64_t n) {
  const tcc_expr *sa[2] = {IX(c, n), IX(c, n)};
  tcc_tensor *A = tcc_placeholder(c, "A", TCCRT_FLOAT32, 2, sa);
  tcc_tensor *B = tcc_placeholder(c, "B", TCCRT_FLOAT32, 2, sa);
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(c, 2, sa, nm);
  const tcc_itervar *k = tcc_reduce_axis(c, "k", IX(c, 0), IX(c, n));
  const tcc_expr *ia[2] = {tcc_expr_var(c, ax[0]->var), tcc_expr_var(c, k->var)};
  const tcc_expr *ib[2] = {tcc_expr_var(c, k->var), tcc_expr_var(c, ax[1]->var)};
  const tcc_expr *body =
      tcc_sum(c, tcc_mul(c, tcc_read(c, A, ia), tcc_read(c, B, ib)), 1, &k, NULL);
  tcc_tensor *C = tcc_compute(c, "C", 2, sa, ax, body, "dense");
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(c, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, C);
  tcc_axis *io, *ii, *jo, *ji, *ko, *ki;
  if (tcc_split(c, st, tcc_stage_axis(st, 1), g_tj, TCC_TAIL_AUTO, &jo, &ji) ||
      tcc_split(c, st, tcc_stage_axis(st, 0), g_ti, TCC_TAIL_AUTO, &io, &ii) ||
      tcc_split(c, st, tcc_stage_reduce_axis(st, 0), g_tk, TCC_TAIL_AUTO, &ko, &ki))
    return NULL;
  tcc_axis *ord[6] = {jo, ko, io, ki, ii, ji};
  if (tcc_reorder(c, st, 6, ord) || tcc_unroll(c, st, ii) || tcc_vectorize(c, st, ji) ||
      tcc_parallel(c, st, jo))
    return NULL;
  const tcc_tensor *args[3] = {A, B, C};
  tcc_primfunc *fn = NULL;
  if (tcc_lower(c, s, "mm_te", 3, args, &fn) != TCC_OK) return NULL;
  return fn;
}

/* The same schedule on C[i, j] = sum_k A[i, k] * Bp[j / NRP, k, j % NRP], where the stage
 * Bp[jo, k, ji] = B[k, jo * NRP + ji] packs B into panels of NRP columns contiguous in k (TOPI's
 * dense_pack layout), computed at the root into workspace (vectorized, parallel). */
enum { NRP = 32 };
static tcc_primfunc *te_packed_matmul(tcc_context *c, int64_t n) {
  const tcc_expr *sa[2] = {IX(c, n), IX(c, n)};
  tcc_tensor *A = tcc_placeholder(c, "A", TCCRT_FLOAT32, 2, sa);
  tcc_tensor *B = tcc_placeholder(c, "B", TCCRT_FLOAT32, 2, sa);
  const tcc_expr *sp[3] = {IX(c, n / NRP), IX(c, n), IX(c, NRP)};
  const char *pn[3] = {"pj", "pk", "pl"};
  const tcc_itervar *const *pa = tcc_compute_axes(c, 3, sp, pn);
  const tcc_expr *bi[2] = {
      tcc_expr_var(c, pa[1]->var),
      tcc_add(c, tcc_mul(c, tcc_expr_var(c, pa[0]->var), IX(c, NRP)), tcc_expr_var(c, pa[2]->var))};
  tcc_tensor *Bp = tcc_compute(c, "Bp", 3, sp, pa, tcc_read(c, B, bi), "pack");
  const char *nm[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(c, 2, sa, nm);
  const tcc_itervar *k = tcc_reduce_axis(c, "k", IX(c, 0), IX(c, n));
  const tcc_expr *vj = tcc_expr_var(c, ax[1]->var);
  const tcc_expr *ia[2] = {tcc_expr_var(c, ax[0]->var), tcc_expr_var(c, k->var)};
  const tcc_expr *ib[3] = {tcc_floordiv(c, vj, IX(c, NRP)), tcc_expr_var(c, k->var),
                           tcc_floormod(c, vj, IX(c, NRP))};
  const tcc_expr *body =
      tcc_sum(c, tcc_mul(c, tcc_read(c, A, ia), tcc_read(c, Bp, ib)), 1, &k, NULL);
  tcc_tensor *C = tcc_compute(c, "C", 2, sa, ax, body, "dense");
  const tcc_tensor *outs[1] = {C};
  tcc_schedule *s = tcc_schedule_create(c, 1, outs);
  tcc_stage *st = tcc_schedule_stage(s, C), *sb = tcc_schedule_stage(s, Bp);
  tcc_axis *io, *ii, *jo, *ji, *ko, *ki;
  if (tcc_split(c, st, tcc_stage_axis(st, 1), NRP, TCC_TAIL_AUTO, &jo, &ji) ||
      tcc_split(c, st, tcc_stage_axis(st, 0), g_ti, TCC_TAIL_AUTO, &io, &ii) ||
      tcc_split(c, st, tcc_stage_reduce_axis(st, 0), g_tk, TCC_TAIL_AUTO, &ko, &ki))
    return NULL;
  tcc_axis *ord[6] = {jo, ko, io, ki, ii, ji};
  if (tcc_reorder(c, st, 6, ord) || tcc_unroll(c, st, ii) || tcc_vectorize(c, st, ji) ||
      tcc_parallel(c, st, jo))
    return NULL;
  if (tcc_set_scope(c, sb, TCC_SCOPE_WORKSPACE) || tcc_vectorize(c, sb, tcc_stage_axis(sb, 2)) ||
      tcc_parallel(c, sb, tcc_stage_axis(sb, 0)))
    return NULL;
  const tcc_tensor *args[3] = {A, B, C};
  tcc_primfunc *fn = NULL;
  if (tcc_lower(c, s, "mm_te_packed", 3, args, &fn) != TCC_OK) return NULL;
  return fn;
}

/* Hand-written loop IR with B packed into NR-column panels (contiguous in k) and an MR x NR
 * register tile kept in a stack buffer (promoted to registers by LLVM). n % NR == 0, n % MR == 0.
 */
enum { MR = 8, NR = 32 };
static tcc_primfunc *packed_matmul(tcc_context *c, int64_t n) {
  const tcc_expr *sh[1] = {IX(c, n * n)};
  tcc_buffer *A = tcc_buffer_new(c, "A", TCCRT_FLOAT32, 1, sh, TCC_SCOPE_GLOBAL);
  tcc_buffer *B = tcc_buffer_new(c, "B", TCCRT_FLOAT32, 1, sh, TCC_SCOPE_GLOBAL);
  tcc_buffer *C = tcc_buffer_new(c, "C", TCCRT_FLOAT32, 1, sh, TCC_SCOPE_GLOBAL);
  tcc_buffer *Bp = tcc_buffer_new(c, "Bp", TCCRT_FLOAT32, 1, sh, TCC_SCOPE_WORKSPACE);
  const tcc_expr *sa[1] = {IX(c, MR * NR)};
  tcc_buffer *acc = tcc_buffer_new(c, "acc", TCCRT_FLOAT32, 1, sa, TCC_SCOPE_STACK);
  tcc_var *jo = tcc_var_new(c, "jo", tcc_index_type()), *k = tcc_var_new(c, "k", tcc_index_type());
  tcc_var *io = tcc_var_new(c, "io", tcc_index_type()),
          *j2 = tcc_var_new(c, "j2", tcc_index_type());
  const tcc_expr *vjo = tcc_expr_var(c, jo), *vk = tcc_expr_var(c, k), *vio = tcc_expr_var(c, io);
#define LD(buf, ix) tcc_load(c, buf, 1, (const tcc_expr *const[]){ix}, NULL)
#define ST(buf, ix, v) tcc_s_store(c, buf, 1, (const tcc_expr *const[]){ix}, v, NULL)
#define VEC(base) tcc_ramp(c, base, IX(c, 1), NR)
  /* pack: parallel jo: for k: Bp[(jo*n + k)*NR + 0..NR-1] = B[k*n + jo*NR + 0..NR-1] */
  const tcc_expr *pidx = VEC(tcc_mul(c, tcc_add(c, tcc_mul(c, vjo, IX(c, n)), vk), IX(c, NR)));
  const tcc_expr *bidx = VEC(tcc_add(c, tcc_mul(c, vk, IX(c, n)), tcc_mul(c, vjo, IX(c, NR))));
  const tcc_stmt *pack =
      tcc_s_for(c, jo, IX(c, 0), IX(c, n / NR), TCC_FOR_PARALLEL,
                tcc_s_for(c, k, IX(c, 0), IX(c, n), TCC_FOR_SERIAL, ST(Bp, pidx, LD(B, bidx))));
  /* compute: parallel io: for j2: acc = 0; for k: acc[r] += A[(MR*io+r)*n+k] * Bp[..]; C = acc */
  const tcc_stmt *zero[MR], *upd[MR], *out[MR];
  const tcc_expr *vj2 = tcc_expr_var(c, j2);
  const tcc_expr *bp =
      LD(Bp, VEC(tcc_mul(c, tcc_add(c, tcc_mul(c, vj2, IX(c, n)), vk), IX(c, NR))));
  for (int r = 0; r < MR; r++) {
    const tcc_expr *aidx = VEC(IX(c, NR * r));
    zero[r] = ST(acc, aidx, tcc_broadcast(c, tcc_float(c, tcc_scalar(TCCRT_FLOAT32), 0), NR));
    const tcc_expr *row = tcc_add(c, tcc_mul(c, vio, IX(c, MR)), IX(c, r));
    const tcc_expr *a = LD(A, tcc_add(c, tcc_mul(c, row, IX(c, n)), vk));
    upd[r] = ST(acc, aidx, tcc_add(c, LD(acc, aidx), tcc_mul(c, tcc_broadcast(c, a, NR), bp)));
    const tcc_expr *cidx = VEC(tcc_add(c, tcc_mul(c, row, IX(c, n)), tcc_mul(c, vj2, IX(c, NR))));
    out[r] = ST(C, cidx, LD(acc, aidx));
  }
  const tcc_stmt *kloop =
      tcc_s_for(c, k, IX(c, 0), IX(c, n), TCC_FOR_SERIAL, tcc_s_seq(c, MR, upd));
  const tcc_stmt *tile[3] = {tcc_s_seq(c, MR, zero), kloop, tcc_s_seq(c, MR, out)};
  const tcc_stmt *jl = tcc_s_for(c, j2, IX(c, 0), IX(c, n / NR), TCC_FOR_SERIAL,
                                 tcc_s_allocate(c, acc, IX(c, MR * NR), tcc_s_seq(c, 3, tile)));
  const tcc_stmt *comp = tcc_s_for(c, io, IX(c, 0), IX(c, n / MR), TCC_FOR_PARALLEL, jl);
  const tcc_stmt *both[2] = {pack, comp};
  tcc_primfunc *f = tcc_arena_alloc(tcc_ctx_arena(c), sizeof *f);
  static const tcc_buffer *params[3];
  params[0] = A;
  params[1] = B;
  params[2] = C;
  f->name = "mm_packed";
  f->nparams = 3;
  f->params = params;
  f->body = tcc_s_allocate(c, Bp, IX(c, n * n), tcc_s_seq(c, 2, both));
  return f;
#undef LD
#undef ST
#undef VEC
}

typedef void (*run_fn)(void *ctx);
static double best_seconds(run_fn f, void *arg, int reps) {
  double best = 1e30;
  f(arg); /* warm up */
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    f(arg);
    double t = now() - t0;
    if (t < best) best = t;
  }
  return best;
}

typedef struct job {
  int64_t n;
  float *a, *b, *c;
  tcc_llvm_kernel_fn fn;
} job;
static void run_kernel(void *p) {
  job *j = p;
  void *args[3] = {j->a, j->b, j->c};
  if (j->fn(args, NULL) != 0) fprintf(stderr, "kernel failed: %s\n", tccrt_last_error());
}
static void run_blas(void *p) {
  job *j = p;
  int n = (int)j->n;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, j->a, n, j->b, n, 0.0f,
              j->c, n);
}

/* max |x - y| / max |y|: the error relative to the result's scale. */
static double max_rel_diff(const float *x, const float *y, size_t n) {
  double m = 0, ym = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)x[i] - y[i]);
    if (d > m) m = d;
    if (fabs((double)y[i]) > ym) ym = fabs((double)y[i]);
  }
  return ym > 0 ? m / ym : m;
}

int main(int argc, char **argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 1024;
  if (n <= 0 || n % 32 != 0) {
    fprintf(stderr, "matmul_bench: size must be a positive multiple of 32\n");
    return 1;
  }
  const char *tile = getenv("TCC_BENCH_TILE");
  if (tile && sscanf(tile, "%lld,%lld,%lld", (long long *)&g_ti, (long long *)&g_tj,
                     (long long *)&g_tk) != 3) {
    fprintf(stderr, "matmul_bench: TCC_BENCH_TILE must be I,J,K\n");
    return 1;
  }
  tcc_context *c = tcc_context_create();
  tcc_primfunc *fte = te_matmul(c, n), *fpk = packed_matmul(c, n);
  if (!fte) fprintf(stderr, "te schedule/lowering failed: %s\n", tcc_error_text(c));
  tcc_primfunc *ftp = te_packed_matmul(c, n);
  if (!ftp) fprintf(stderr, "te_packed schedule/lowering failed: %s\n", tcc_error_text(c));
  const tcc_primfunc *fns[3] = {fpk, fte ? fte : ftp, fte ? ftp : NULL};
  int nfns = 1 + (fte != NULL) + (ftp != NULL);
  const char *dump = getenv("TCC_BENCH_DUMP"); /* write the assembly to this file */
  if (dump) {
    tcc_llvm_target t = {.mcpu = "native"};
    tcc_llvm_module *m;
    if (tcc_llvm_module_create(c, &t, "dump", &m) == TCC_OK) {
      for (int i = 0; i < nfns; i++)
        tcc_llvm_add_primfunc(m, fns[i], NULL);
      tcc_llvm_emit_file(m, TCC_LLVM_ASM, dump);
      tcc_llvm_module_destroy(m);
    }
    if (ftp) tcc_primfunc_print(stderr, ftp);
  }
  tcc_llvm_jit *jit = NULL;
  if (tcc_llvm_jit_primfuncs(c, NULL, nfns, fns, &jit) != TCC_OK) {
    fprintf(stderr, "compile failed: %s\n", tcc_error_text(c));
    return 1;
  }
  void *pk = NULL, *te = NULL, *tp = NULL;
  tcc_llvm_jit_lookup(jit, "mm_packed", &pk);
  if (fte) tcc_llvm_jit_lookup(jit, "mm_te", &te);
  if (ftp) tcc_llvm_jit_lookup(jit, "mm_te_packed", &tp);
  size_t nn = (size_t)(n * n);
  float *a = malloc(nn * 4), *b = malloc(nn * 4), *cr = malloc(nn * 4), *cx = malloc(nn * 4);
  srand(1);
  for (size_t i = 0; i < nn; i++) {
    a[i] = (float)((double)rand() / RAND_MAX - 0.5);
    b[i] = (float)((double)rand() / RAND_MAX - 0.5);
  }
  double flops = 2.0 * (double)n * (double)n * (double)n;
  printf("matmul %lldx%lldx%lld float32, host cpu %s, OpenBLAS core %s, best of 5\n", (long long)n,
         (long long)n, (long long)n, tcc_llvm_host_cpu(), openblas_get_corename());
  printf("%-8s %-10s %10s %10s %8s %12s\n", "threads", "kernel", "ms", "GFLOP/s", "vs BLAS",
         "max rel diff");
  for (int th = 1; th <= 2; th++) {
    tccrt_set_num_threads(th);
    openblas_set_num_threads(th);
    job jb = {n, a, b, cr, NULL};
    double tb = best_seconds(run_blas, &jb, 5);
    printf("%-8d %-10s %10.2f %10.1f %8s %12s\n", th, "openblas", tb * 1e3, flops / tb * 1e-9,
           "1.00", "-");
    const char *names[3] = {"te", "te_packed", "packed"};
    void *addrs[3] = {te, tp, pk};
    for (int v = 0; v < 3; v++) {
      if (!addrs[v]) continue;
      memset(cx, 0, nn * 4);
      job jk = {n, a, b, cx, (tcc_llvm_kernel_fn)addrs[v]};
      double tk = best_seconds(run_kernel, &jk, 5);
      printf("%-8d %-10s %10.2f %10.1f %8.2f %12.2e\n", th, names[v], tk * 1e3, flops / tk * 1e-9,
             tb / tk, max_rel_diff(cx, cr, nn));
    }
  }
  tcc_llvm_jit_destroy(jit);
  tcc_context_destroy(c);
  free(a);
  free(b);
  free(cr);
  free(cx);
  return 0;
}
