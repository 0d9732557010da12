/* test_llvm_range_check.c — run-time index checks (tcc_check_range) in LLVM code: the Gather-like
 * kernels of tests/ir/range_kernels.h (serial, vectorized, unrolled, parallel, parallel over
 * vectors; guarded tails; the gathered value in a select arm) compiled by the JIT. Valid indices
 * (negative ones included) give the values computed in plain C here; a bad index makes the kernel
 * return TCCRT_ERR_INVALID_ARGUMENT with "node 'g0' (Gather): index V is out of range [-D, D-1]"
 * in tccrt_last_error() of the calling thread (also when a pool worker ran the failing chunk),
 * leaves no lane the guard or the select skips failing, and the pool keeps working afterwards
 * (no deadlock; the next valid call returns 0). A failing kernel pops the scratch it pushed (the
 * scratch hooks are replaced here to count). */
#include "../ir/range_kernels.h"
#include "testutil.h"

#include "llvm/llvm_codegen.h"

#include <stdlib.h>
#include <string.h>

static int call(tcc_llvm_kernel_fn f, const float *data, const int64_t *idx, float *out,
                int64_t n) {
  for (int64_t i = 0; i < n; i++)
    out[i] = 1000.0f + (float)i;
  void *args[3] = {(void *)data, (void *)idx, out};
  tccrt_set_error(0, "%s", "");
  return f(args, NULL);
}

static void check_case(const rk_spec *sp) {
  tcc_context *ctx = tcc_context_create();
  const char *nm = rk_nest_names[sp->nest];
  tcc_primfunc *fn = rk_build(ctx, "rk", sp);
  const tcc_primfunc *fns[1] = {fn};
  tcc_llvm_jit *jit = NULL;
  tcc_status st = tcc_llvm_jit_primfuncs(ctx, NULL, 1, fns, &jit);
  CHECK_MSG(st == TCC_OK, "%s: %s", nm, tcc_error_text(ctx));
  void *addr = NULL;
  if (st == TCC_OK) st = tcc_llvm_jit_lookup(jit, "rk", &addr);
  if (st != TCC_OK || !addr) {
    tcc_context_destroy(ctx);
    return;
  }
  tcc_llvm_kernel_fn f = (tcc_llvm_kernel_fn)addr;
  int64_t n = sp->n, dim = sp->dim;
  float *data = malloc(sizeof(float) * (size_t)dim), *out = malloc(sizeof(float) * (size_t)n);
  int64_t *idx = malloc(sizeof(int64_t) * (size_t)n);
  for (int64_t k = 0; k < dim; k++)
    data[k] = (float)(k * 10 + 1);
  for (int64_t i = 0; i < n; i++)
    idx[i] = tcc_test_randint(-dim, dim - 1);
  idx[0] = -dim;
  idx[n - 1] = dim - 1;
  int rc = call(f, data, idx, out, n);
  CHECK_MSG(rc == 0, "%s: valid indices: rc %d: %s", nm, rc, tccrt_last_error());
  for (int64_t i = 0; i < n && rc == 0; i++) {
    float want = rk_expect(sp, data, idx, i, 1000.0f + (float)i);
    CHECK_MSG(out[i] == want, "%s: out[%lld] = %g, expected %g", nm, (long long)i, out[i], want);
  }
  /* one bad index at a random position */
  for (int rep = 0; rep < 6; rep++) {
    int64_t pos = tcc_test_randint(0, n - 1);
    int64_t bad = rep % 2 ? dim + tcc_test_randint(0, 5) : -dim - 1 - tcc_test_randint(0, 1000);
    int64_t keep = idx[pos];
    idx[pos] = bad;
    rc = call(f, data, idx, out, n);
    if (rk_checked(sp, pos)) {
      char want[160];
      snprintf(want, sizeof want, RK_WHERE ": index %lld is out of range [%lld, %lld]",
               (long long)bad, (long long)-dim, (long long)(dim - 1));
      CHECK_MSG(rc == TCCRT_ERR_INVALID_ARGUMENT && !strcmp(tccrt_last_error(), want),
                "%s: bad index %lld at %lld: rc %d, message '%s', expected '%s'", nm,
                (long long)bad, (long long)pos, rc, tccrt_last_error(), want);
    } else {
      CHECK_MSG(rc == 0, "%s: bad index %lld at unread position %lld: rc %d: %s", nm,
                (long long)bad, (long long)pos, rc, tccrt_last_error());
      for (int64_t i = 0; i < n && rc == 0; i++)
        if (i != pos) CHECK(out[i] == rk_expect(sp, data, idx, i, 1000.0f + (float)i));
    }
    idx[pos] = keep;
  }
  /* many bad indices, in many chunks of a parallel loop: one of them is reported (the first
   * failing body wins), repeatedly, and a valid call afterwards still works */
  int64_t *bad_idx = malloc(sizeof(int64_t) * (size_t)n);
  memcpy(bad_idx, idx, sizeof(int64_t) * (size_t)n);
  int nbad = 0;
  for (int64_t i = 0; i < n; i += 7) {
    bad_idx[i] = dim + 1000 + i;
    nbad += rk_checked(sp, i);
  }
  for (int rep = 0; rep < 20; rep++) {
    rc = call(f, data, bad_idx, out, n);
    const char *msg = tccrt_last_error();
    long long v = -1;
    const char *p = strstr(msg, "index ");
    if (p) v = strtoll(p + 6, NULL, 10);
    bool named_bad = v >= dim + 1000 && (v - dim - 1000) % 7 == 0 && v - dim - 1000 < n &&
                     rk_checked(sp, v - dim - 1000);
    if (nbad > 0)
      CHECK_MSG(rc == TCCRT_ERR_INVALID_ARGUMENT && !strncmp(msg, RK_WHERE, strlen(RK_WHERE)) &&
                    named_bad,
                "%s: many bad: rc %d, message '%s'", nm, rc, msg);
    else
      CHECK(rc == 0);
  }
  rc = call(f, data, idx, out, n);
  CHECK_MSG(rc == 0, "%s: valid call after errors: rc %d: %s", nm, rc, tccrt_last_error());
  free(bad_idx);
  free(data);
  free(out);
  free(idx);
  tcc_llvm_jit_destroy(jit);
  tcc_context_destroy(ctx);
}

/* The scratch hooks, replaced here (strong definitions win over libtccrt's weak ones, as a host may
 * do): a per-thread LIFO of malloc'ed blocks whose depth the test reads. */
#define SCRATCH_MAX 64
static _Thread_local void *g_scratch[SCRATCH_MAX];
static _Thread_local int g_nscratch;
void *tccrt_scratch_push(size_t size, size_t alignment) {
  void *p = NULL;
  if (g_nscratch == SCRATCH_MAX || posix_memalign(&p, alignment < 16 ? 16 : alignment, size + 1)) {
    tccrt_set_error(TCCRT_ERR_OUT_OF_MEMORY, "test scratch exhausted");
    return NULL;
  }
  g_scratch[g_nscratch++] = p;
  return p;
}
void tccrt_scratch_pop(void *p) {
  while (g_nscratch > 0) {
    void *q = g_scratch[--g_nscratch];
    free(q);
    if (q == p) return;
  }
}

/* A check inside a scratch allocation: tmp = gathered (WORKSPACE, from tccrt_scratch_push), out =
 * tmp + 1. A failing call returns early and must still pop what it pushed. */
static void scratch_on_error(void) {
  tcc_context *ctx = tcc_context_create();
  const int64_t n = 40, dim = 6;
  const tcc_expr *sd[1] = {tcc_idx(ctx, dim)}, *sn[1] = {tcc_idx(ctx, n)};
  tcc_buffer *data = tcc_buffer_new(ctx, "data", TCCRT_FLOAT32, 1, sd, TCC_SCOPE_GLOBAL);
  tcc_buffer *idx = tcc_buffer_new(ctx, "idx", TCCRT_INT64, 1, sn, TCC_SCOPE_GLOBAL);
  tcc_buffer *out = tcc_buffer_new(ctx, "out", TCCRT_FLOAT32, 1, sn, TCC_SCOPE_GLOBAL);
  tcc_buffer *tmp = tcc_buffer_new(ctx, "tmp", TCCRT_FLOAT32, 1, sn, TCC_SCOPE_WORKSPACE);
  tcc_var *i = tcc_var_new(ctx, "i", tcc_index_type());
  const tcc_expr *vi = tcc_expr_var(ctx, i), *zero = tcc_idx(ctx, 0), *d = tcc_idx(ctx, dim);
  const tcc_expr *v =
      tcc_check_range(ctx, tcc_load(ctx, idx, 1, &vi, NULL), tcc_idx(ctx, -dim), d, RK_WHERE);
  v = tcc_select(ctx, tcc_lt(ctx, v, zero), tcc_add(ctx, v, d), v);
  v = tcc_min(ctx, tcc_max(ctx, v, zero), tcc_idx(ctx, dim - 1));
  const tcc_stmt *fill =
      tcc_s_for(ctx, i, zero, tcc_idx(ctx, n), TCC_FOR_SERIAL,
                tcc_s_store(ctx, tmp, 1, &vi, tcc_load(ctx, data, 1, &v, NULL), NULL));
  tcc_type f32 = tcc_scalar(TCCRT_FLOAT32);
  const tcc_stmt *copy = tcc_s_for(
      ctx, i, zero, tcc_idx(ctx, n), TCC_FOR_SERIAL,
      tcc_s_store(ctx, out, 1, &vi,
                  tcc_add(ctx, tcc_load(ctx, tmp, 1, &vi, NULL), tcc_float(ctx, f32, 1)), NULL));
  const tcc_stmt *seq[2] = {fill, copy};
  tcc_primfunc fn = {0};
  const tcc_buffer *params[3] = {data, idx, out};
  fn.name = "scr";
  fn.nparams = 3;
  fn.params = params;
  fn.body = tcc_s_allocate(ctx, tmp, tcc_idx(ctx, n), tcc_s_seq(ctx, 2, seq));
  const tcc_primfunc *fns[1] = {&fn};
  tcc_llvm_jit *jit = NULL;
  void *addr = NULL;
  tcc_status st = tcc_llvm_jit_primfuncs(ctx, NULL, 1, fns, &jit);
  if (st == TCC_OK) st = tcc_llvm_jit_lookup(jit, "scr", &addr);
  CHECK_MSG(st == TCC_OK && addr, "%s", tcc_error_text(ctx));
  if (st == TCC_OK && addr) {
    tcc_llvm_kernel_fn f = (tcc_llvm_kernel_fn)addr;
    float dv[6] = {1, 2, 3, 4, 5, 6}, o[40];
    int64_t iv[40];
    for (int64_t k = 0; k < n; k++)
      iv[k] = k % (2 * dim) - dim;
    CHECK(call(f, dv, iv, o, n) == 0 && g_nscratch == 0);
    for (int64_t k = 0; k < n; k++)
      CHECK(o[k] == dv[iv[k] < 0 ? iv[k] + dim : iv[k]] + 1);
    iv[17] = 99;
    for (int rep = 0; rep < 3; rep++) {
      int rc = call(f, dv, iv, o, n);
      CHECK_MSG(rc == TCCRT_ERR_INVALID_ARGUMENT &&
                    !strcmp(tccrt_last_error(), RK_WHERE ": index 99 is out of range [-6, 5]"),
                "rc %d: %s", rc, tccrt_last_error());
      CHECK_MSG(g_nscratch == 0, "a failing call left %d scratch blocks pushed", g_nscratch);
    }
    tcc_llvm_jit_destroy(jit);
  }
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("codegen_test_llvm_range_check");
  /* a pool of several threads, so that parallel loops really run on workers */
  CHECK(tccrt_set_num_threads(4) == 0);
  scratch_on_error();
  for (int nest = 0; nest < RK_NEST_COUNT; nest++) {
    bool par = nest == RK_PARALLEL || nest == RK_PARALLEL_VEC;
    rk_spec plain = {(rk_nest)nest, par ? 1 << 16 : 64, 5, 8, -1, -1};
    check_case(&plain);
    rk_spec guarded = {(rk_nest)nest, par ? 1 << 14 : 64, 7, 8, par ? 9001 : 37, -1};
    check_case(&guarded);
    rk_spec selected = {(rk_nest)nest, par ? 1 << 14 : 48, 3, 4, -1, par ? 5003 : 21};
    check_case(&selected);
  }
  return tcc_test_finish("codegen_test_llvm_range_check");
}
