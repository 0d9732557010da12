/* test_llvm_scratch.c — kernel scratch inside a parallel loop body allocates nothing per call
 * (DESIGN: NAME_run allocates nothing per call after the first; scratch inside a parallel loop
 * gets per-thread copies). Three JIT-compiled kernels allocate a WORKSPACE buffer inside each
 * iteration of a parallel loop: a small constant size (on the outlined body's stack: no heap
 * allocation at all), a large constant size and a symbolic size (from the thread's scratch stack,
 * tccrt_scratch_push: allocated once per thread, then reused). This program replaces the runtime's
 * weak tccrt_alloc/tccrt_free to count calls; results are checked against a C reference. */
#include "cg_build.h"
#include "testutil.h"

#include "llvm/llvm_codegen.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_int g_allocs, g_frees;

/* Strong definitions: they take precedence over libtccrt's weak ones at link time. */
void *tccrt_alloc(size_t size, size_t alignment) {
  atomic_fetch_add(&g_allocs, 1);
  void *p = NULL;
  return posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *) : alignment, size) ? NULL
                                                                                           : p;
}
void tccrt_free(void *p) {
  atomic_fetch_add(&g_frees, 1);
  free(p);
}

enum { ROWS = 16, WMAX = 40000 };

/* for r in parallel [0, ROWS): allocate ws[size]; for j < w: ws[j] = a[r*WMAX + j] * 3;
 *   for j < w: o[r*WMAX + j] = ws[w - 1 - j] + r. `w` is a constant or the scalar parameter n. */
static tcc_primfunc *build(tcc_context *C, const char *name, int64_t wconst, bool symbolic) {
  tcc_type it = tcc_index_type(), i32 = tcc_scalar(TCCRT_INT32);
  tcc_var *n = tcc_var_new(C, "n", it);
  const tcc_expr *w = symbolic ? cgb_v(C, n) : cgb_i(C, wconst);
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_INT32, (int64_t)ROWS * WMAX);
  tcc_buffer *o = cgb_buf(C, "o", TCCRT_INT32, (int64_t)ROWS * WMAX);
  tcc_buffer *ws = cgb_buf_e(C, "ws", TCCRT_INT32, w, TCC_SCOPE_WORKSPACE);
  tcc_var *r = tcc_var_new(C, "r", it), *j = tcc_var_new(C, "j", it), *k = tcc_var_new(C, "k", it);
  const tcc_expr *vr = cgb_v(C, r), *vj = cgb_v(C, j), *vk = cgb_v(C, k);
  const tcc_expr *row = tcc_mul(C, vr, cgb_i(C, WMAX));
  const tcc_stmt *fill = tcc_s_for(
      C, j, cgb_i(C, 0), w, TCC_FOR_SERIAL,
      cgb_st(C, ws, vj, tcc_mul(C, cgb_ld(C, a, tcc_add(C, row, vj), NULL), tcc_int(C, i32, 3)),
             NULL));
  const tcc_expr *rev = tcc_sub(C, tcc_sub(C, w, cgb_i(C, 1)), vk);
  const tcc_stmt *out =
      tcc_s_for(C, k, cgb_i(C, 0), w, TCC_FOR_SERIAL,
                cgb_st(C, o, tcc_add(C, row, vk),
                       tcc_add(C, cgb_ld(C, ws, rev, NULL), tcc_cast(C, i32, vr)), NULL));
  const tcc_stmt *body = tcc_s_allocate(C, ws, w, cgb_seq(C, 2, fill, out));
  const tcc_stmt *par = tcc_s_for(C, r, cgb_i(C, 0), cgb_i(C, ROWS), TCC_FOR_PARALLEL, body);
  const tcc_buffer *ps[2] = {a, o};
  const tcc_var *ss[1] = {n};
  return cgb_func(C, name, 2, ps, symbolic ? 1 : 0, ss, par);
}

static int32_t *g_a, *g_o;

/* Runs fn `calls` times with width w; returns the number of wrong outputs. */
static int run(tcc_llvm_kernel_fn fn, int64_t w, int calls) {
  void *args[2] = {g_a, g_o};
  int bad = 0;
  for (int c = 0; c < calls; c++) {
    memset(g_o, 0, sizeof(int32_t) * (size_t)ROWS * WMAX);
    int rc = fn(args, &w);
    if (rc != 0) {
      fprintf(stderr, "kernel failed: %s\n", tccrt_last_error());
      return -1;
    }
    for (int r = 0; r < ROWS; r++)
      for (int64_t k = 0; k < w; k++)
        bad += g_o[r * WMAX + k] != g_a[r * WMAX + (w - 1 - k)] * 3 + r;
  }
  return bad;
}

/* --emit-object PATH: writes the three kernels (host triple, baseline CPU) to an object file for
 * scratch_valgrind.sh, which links them with scratch_driver.c and counts heap allocations under
 * valgrind. */
static int emit_object(const char *path) {
  tcc_context *C = tcc_context_create();
  const tcc_primfunc *fns[3] = {build(C, "small", 64, false), build(C, "big", WMAX, false),
                                build(C, "sym", 0, true)};
  tcc_llvm_module *m = NULL;
  tcc_status st = tcc_llvm_module_create(C, NULL, "scratch", &m);
  for (int i = 0; i < 3 && st == TCC_OK; i++)
    st = tcc_llvm_add_primfunc(m, fns[i], NULL);
  if (st == TCC_OK) st = tcc_llvm_emit_file(m, TCC_LLVM_OBJECT, path);
  if (st != TCC_OK) fprintf(stderr, "cannot emit %s: %s\n", path, tcc_error_text(C));
  if (m) tcc_llvm_module_destroy(m);
  tcc_context_destroy(C);
  return st == TCC_OK ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--emit-object") == 0) return emit_object(argv[2]);
  srand((unsigned)tcc_test_seed("test_llvm_scratch"));
  tcc_context *C = tcc_context_create();
  g_a = malloc(sizeof(int32_t) * (size_t)ROWS * WMAX);
  g_o = malloc(sizeof(int32_t) * (size_t)ROWS * WMAX);
  for (int64_t i = 0; i < (int64_t)ROWS * WMAX; i++)
    g_a[i] = (int32_t)(rand() % 20001) - 10000;
  const tcc_primfunc *fns[3] = {build(C, "small", 64, false), build(C, "big", WMAX, false),
                                build(C, "sym", 0, true)};
  tcc_llvm_jit *j = NULL;
  CHECK(tcc_llvm_jit_primfuncs(C, NULL, 3, fns, &j) == TCC_OK);
  tcc_llvm_kernel_fn f[3] = {0};
  for (int i = 0; i < 3 && j; i++) {
    void *addr = NULL;
    CHECK(tcc_llvm_jit_lookup(j, fns[i]->name, &addr) == TCC_OK);
    f[i] = (tcc_llvm_kernel_fn)addr;
  }
  if (f[0] && f[1] && f[2]) {
    /* One thread: the first call allocates (at most once per kernel), later calls nothing. */
    CHECK(tccrt_set_num_threads(1) == 0);
    int a0 = atomic_load(&g_allocs);
    CHECK(run(f[0], 64, 1) == 0);
    CHECK(run(f[0], 64, 20) == 0);
    CHECK(atomic_load(&g_allocs) == a0); /* small constant scratch: the stack */
    CHECK(run(f[1], WMAX, 1) == 0);
    int a1 = atomic_load(&g_allocs);
    CHECK(a1 - a0 <= 1);
    CHECK(run(f[1], WMAX, 20) == 0);
    CHECK(atomic_load(&g_allocs) == a1);
    /* Symbolic sizes up to the largest already seen reuse the thread's scratch. */
    CHECK(run(f[2], 1000, 1) == 0);
    CHECK(run(f[2], WMAX, 20) == 0);
    CHECK(run(f[2], 7, 3) == 0);
    CHECK(atomic_load(&g_allocs) == a1);
    /* Four threads (the caller, which has its scratch, and 3 workers): a worker allocates when it
     * first runs a chunk and again only when a later chunk needs more than it holds. Which
     * kernel a worker first gets a chunk of depends on the machine's load: f[2] at WMAX - 1
     * needs less than f[1] at WMAX, so a worker may allocate twice, never more, however many
     * calls and rows follow. */
    CHECK(tccrt_set_num_threads(4) == 0);
    CHECK(run(f[1], WMAX, 20) == 0);
    CHECK(run(f[2], WMAX - 1, 20) == 0);
    int a2 = atomic_load(&g_allocs);
    printf("tccrt_alloc calls: %d after the first call, %d after 44 calls on 1 thread, %d after "
           "40 more on 4 threads\n",
           a1 - a0, a1 - a0, a2 - a0);
    CHECK(a2 - a1 <= 6);
    for (int k = 0; k < 5; k++) {
      CHECK(run(f[1], WMAX, 20) == 0);
      CHECK(run(f[2], WMAX - 1, 20) == 0);
    }
    CHECK(atomic_load(&g_allocs) <= a1 + 6);
    CHECK(atomic_load(&g_frees) == 0); /* the scratch is kept, never freed per call */
  }
  if (j) tcc_llvm_jit_destroy(j);
  free(g_a);
  free(g_o);
  tcc_context_destroy(C);
  return tcc_test_finish("test_llvm_scratch");
}
