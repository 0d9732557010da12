/* test_te.c — tensor-expression constructors, input discovery and printing; loop-IR
 * constructors and the PrimFunc printer. */
#include "te.h"

#include "testutil.h"
#include "tir.h"

#include <stdlib.h>
#include <string.h>

static char *print_tensor(const tcc_tensor *t) {
  char *buf = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&buf, &n);
  tcc_tensor_print(f, t);
  fclose(f);
  return buf;
}

static void test_matmul_te(void) {
  tcc_context *ctx = tcc_context_create();
  const tcc_expr *sa[2] = {tcc_idx(ctx, 3), tcc_idx(ctx, 5)};
  const tcc_expr *sb[2] = {tcc_idx(ctx, 5), tcc_idx(ctx, 4)};
  const tcc_expr *sc[2] = {tcc_idx(ctx, 3), tcc_idx(ctx, 4)};
  tcc_tensor *A = tcc_placeholder(ctx, "A", TCCRT_FLOAT32, 2, sa);
  tcc_tensor *B = tcc_placeholder(ctx, "B", TCCRT_FLOAT32, 2, sb);
  const char *names[2] = {"i", "j"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, sc, names);
  const tcc_itervar *k = tcc_reduce_axis(ctx, "k", tcc_idx(ctx, 0), tcc_idx(ctx, 5));
  CHECK(k->kind == TCC_IV_REDUCE);
  CHECK(ax[0]->kind == TCC_IV_DATA_PAR && ax[0]->extent == sc[0]);
  const tcc_expr *ia[2] = {tcc_expr_var(ctx, ax[0]->var), tcc_expr_var(ctx, k->var)};
  const tcc_expr *ib[2] = {tcc_expr_var(ctx, k->var), tcc_expr_var(ctx, ax[1]->var)};
  const tcc_expr *body =
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, A, ia), tcc_read(ctx, B, ib)), 1, &k, NULL);
  tcc_tensor *C = tcc_compute(ctx, "C", 2, sc, ax, body, "dense");
  CHECK(C->dtype == TCCRT_FLOAT32 && C->kind == TCC_TENSOR_COMPUTE);
  CHECK(strcmp(C->tag, "dense") == 0);
  const tcc_tensor **in;
  int n = tcc_tensor_inputs(ctx, C, &in);
  CHECK(n == 2 && in[0] == A && in[1] == B);
  CHECK(tcc_tensor_inputs(ctx, A, &in) == 0);
  char *s = print_tensor(C);
  CHECK_MSG(strcmp(s, "C[i, j] = sum((A[i, k] * B[k, j]), axis=[k])") == 0, "%s", s);
  free(s);
  s = print_tensor(A);
  CHECK_MSG(strcmp(s, "placeholder A(3, 5) float32") == 0, "%s", s);
  free(s);
  /* default axis names */
  const tcc_itervar *const *ax2 = tcc_compute_axes(ctx, 2, sc, NULL);
  CHECK(strcmp(ax2[1]->var->name, "i1") == 0);
  /* max reduction identity is -inf */
  const tcc_expr *mx = tcc_reduce_max(ctx, tcc_read(ctx, A, ia), 1, &k, NULL);
  CHECK(mx->u.reduce.comb->kind == TCC_REDUCE_MAX);
  CHECK(mx->u.reduce.comb->identity->kind == TCC_FLOAT_IMM &&
        mx->u.reduce.comb->identity->u.fval < -1e300);
  tcc_context_destroy(ctx);
}

static void test_tir_print(void) {
  tcc_context *ctx = tcc_context_create();
  const tcc_expr *sh[1] = {tcc_idx(ctx, 8)};
  tcc_buffer *b = tcc_buffer_new(ctx, "out", TCCRT_INT32, 1, sh, TCC_SCOPE_GLOBAL);
  CHECK(b->align == 4 && b->strides == NULL);
  tcc_var *i = tcc_var_new(ctx, "i", tcc_index_type());
  const tcc_expr *iv = tcc_expr_var(ctx, i);
  const tcc_stmt *st =
      tcc_s_store(ctx, b, 1, &iv, tcc_cast(ctx, tcc_scalar(TCCRT_INT32), iv), NULL);
  const tcc_stmt *seq1[2] = {NULL, st};
  CHECK(tcc_s_seq(ctx, 2, seq1) == st);
  const tcc_stmt *loop = tcc_s_for(ctx, i, tcc_idx(ctx, 0), sh[0], TCC_FOR_PARALLEL, st);
  const tcc_buffer *params[1] = {b};
  tcc_primfunc fn = {0};
  fn.name = "f";
  fn.nparams = 1;
  fn.params = params;
  fn.body = loop;
  char *buf = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&buf, &n);
  tcc_primfunc_print(f, &fn);
  fclose(f);
  CHECK_MSG(strcmp(buf, "func f(out: int32[8]) {\n  for i in [0, +8) parallel:\n"
                        "    out[i] = int32(i)\n}\n") == 0,
            "%s", buf);
  free(buf);
  CHECK(strcmp(tcc_for_kind_name(TCC_FOR_THREAD_X), "threadIdx.x") == 0);
  tcc_context_destroy(ctx);
}

int main(void) {
  test_matmul_te();
  test_tir_print();
  return tcc_test_finish("test_te");
}
