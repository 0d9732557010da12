/* test_llvm_hooks.c — a host program replaces the runtime's weak tccrt_parallel_for, tccrt_alloc
 * and tccrt_free with its own (as DESIGN.md allows); JIT-compiled kernels then call the host's
 * versions: a parallel loop and a workspace allocation are routed through them, results stay
 * right, an allocation failure comes back as TCCRT_ERR_OUT_OF_MEMORY from the kernel, and the
 * workspace (from the thread's tccrt_scratch_push stack, grown through tccrt_alloc) is allocated
 * once and reused by later calls. */
#include "cg_build.h"
#include "testutil.h"

#include "llvm/llvm_codegen.h"

#include <stdlib.h>
#include <string.h>

static int g_par_calls, g_alloc_calls, g_free_calls, g_fail_alloc;

/* Strong definitions: they take precedence over libtccrt's weak ones at link time. */
int tccrt_parallel_for(int64_t n, tccrt_parallel_body body, void *closure) {
  g_par_calls++;
  for (int64_t i = 0; i < n; i += 3) { /* odd chunks, serially */
    int r = body(i, i + 3 < n ? i + 3 : n, closure);
    if (r) return r;
  }
  return 0;
}
void *tccrt_alloc(size_t size, size_t alignment) {
  g_alloc_calls++;
  if (g_fail_alloc) {
    tccrt_set_error(TCCRT_ERR_OUT_OF_MEMORY, "host allocator refused %zu bytes", size);
    return NULL;
  }
  void *p = NULL;
  return posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *) : alignment, size) ? NULL
                                                                                           : p;
}
void tccrt_free(void *p) {
  g_free_calls++;
  free(p);
}

int main(void) {
  tcc_context *C = tcc_context_create();
  const int N = 100;
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_INT32, N), *o = cgb_buf(C, "o", TCCRT_INT32, N);
  tcc_buffer *ws = cgb_buf_e(C, "ws", TCCRT_INT32, cgb_i(C, N), TCC_SCOPE_WORKSPACE);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type());
  const tcc_expr *vi = cgb_v(C, i);
  tcc_type i32 = tcc_scalar(TCCRT_INT32);
  const tcc_stmt *fill =
      tcc_s_for(C, i, cgb_i(C, 0), cgb_i(C, N), TCC_FOR_PARALLEL,
                cgb_st(C, ws, vi, tcc_mul(C, cgb_ld(C, a, vi, NULL), tcc_int(C, i32, 7)), NULL));
  const tcc_stmt *copy =
      tcc_s_for(C, i, cgb_i(C, 0), cgb_i(C, N), TCC_FOR_SERIAL,
                cgb_st(C, o, vi, tcc_add(C, cgb_ld(C, ws, vi, NULL), tcc_int(C, i32, 1)), NULL));
  const tcc_buffer *ps[2] = {a, o};
  tcc_primfunc *f = cgb_func(C, "hooks", 2, ps, 0, NULL,
                             tcc_s_allocate(C, ws, cgb_i(C, N), cgb_seq(C, 2, fill, copy)));
  const tcc_primfunc *fns[1] = {f};
  tcc_llvm_jit *j = NULL;
  void *addr = NULL;
  CHECK(tcc_llvm_jit_primfuncs(C, NULL, 1, fns, &j) == TCC_OK);
  if (j) CHECK(tcc_llvm_jit_lookup(j, "hooks", &addr) == TCC_OK);
  if (addr) {
    tcc_llvm_kernel_fn fn = (tcc_llvm_kernel_fn)addr;
    int32_t A[100], O[100];
    for (int k = 0; k < N; k++)
      A[k] = k - 50;
    void *args[2] = {A, O};
    /* The workspace comes from the thread's scratch stack, whose memory comes from the host's
     * tccrt_alloc: a refusal there is the kernel's TCCRT_ERR_OUT_OF_MEMORY, and nothing runs. */
    g_fail_alloc = 1;
    CHECK(fn(args, NULL) == TCCRT_ERR_OUT_OF_MEMORY);
    CHECK(strstr(tccrt_last_error(), "host allocator") != NULL);
    CHECK(g_par_calls == 0);
    g_fail_alloc = 0;
    CHECK(fn(args, NULL) == 0);
    int bad = 0;
    for (int k = 0; k < N; k++)
      bad += O[k] != A[k] * 7 + 1;
    CHECK(bad == 0);
    CHECK(g_par_calls == 1 && g_alloc_calls == 2 && g_free_calls == 0);
    /* The scratch is kept: later calls allocate nothing. */
    for (int c = 0; c < 5; c++)
      CHECK(fn(args, NULL) == 0);
    CHECK(g_par_calls == 6 && g_alloc_calls == 2 && g_free_calls == 0);
  }
  if (j) tcc_llvm_jit_destroy(j);
  tcc_context_destroy(C);
  return tcc_test_finish("test_llvm_hooks");
}
