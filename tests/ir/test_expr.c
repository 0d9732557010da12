/* Expression construction: hash-consing, constant folding, exact identities, printing. */
#include "expr.h"
#include "testutil.h"

#include <math.h>
#include <string.h>

int main(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_var *n = tcc_var_new(ctx, "N", tcc_index_type());
  const tcc_expr *N = tcc_expr_var(ctx, n);
  /* hash-consing: structurally equal => same pointer */
  CHECK(tcc_mul(ctx, N, tcc_idx(ctx, 64)) == tcc_mul(ctx, N, tcc_idx(ctx, 64)));
  CHECK(tcc_add(ctx, N, tcc_idx(ctx, 0)) == N);
  CHECK(tcc_mul(ctx, N, tcc_idx(ctx, 1)) == N);
  CHECK(tcc_sub(ctx, N, N) == tcc_idx(ctx, 0));
  /* folding with C and floor semantics */
  CHECK(tcc_div(ctx, tcc_idx(ctx, -7), tcc_idx(ctx, 2)) == tcc_idx(ctx, -3));
  CHECK(tcc_floordiv(ctx, tcc_idx(ctx, -7), tcc_idx(ctx, 2)) == tcc_idx(ctx, -4));
  CHECK(tcc_mod(ctx, tcc_idx(ctx, -7), tcc_idx(ctx, 2)) == tcc_idx(ctx, -1));
  CHECK(tcc_floormod(ctx, tcc_idx(ctx, -7), tcc_idx(ctx, 2)) == tcc_idx(ctx, 1));
  /* division by zero and INT64_MIN / -1 are not folded */
  CHECK(tcc_div(ctx, tcc_idx(ctx, 1), tcc_idx(ctx, 0))->kind == TCC_DIV);
  CHECK(tcc_div(ctx, tcc_idx(ctx, INT64_MIN), tcc_idx(ctx, -1))->kind == TCC_DIV);
  /* integer wraparound at the node's width */
  tcc_type i8 = tcc_scalar(TCCRT_INT8);
  CHECK(tcc_add(ctx, tcc_int(ctx, i8, 127), tcc_int(ctx, i8, 1))->u.ival == -128);
  /* float: x + 0 is not folded (-0 + 0 = +0), x * 1 is; NaN-propagating min */
  tcc_type f32 = tcc_scalar(TCCRT_FLOAT32);
  const tcc_expr *x = tcc_expr_var(ctx, tcc_var_new(ctx, "x", f32));
  CHECK(tcc_add(ctx, x, tcc_float(ctx, f32, 0.0))->kind == TCC_ADD);
  CHECK(tcc_mul(ctx, x, tcc_float(ctx, f32, 1.0)) == x);
  CHECK(isnan(tcc_min(ctx, tcc_float(ctx, f32, NAN), tcc_float(ctx, f32, 1))->u.fval));
  /* float immediates are rounded to float32 */
  CHECK(tcc_float(ctx, f32, 0.1)->u.fval == (double)0.1f);
  /* comparisons yield bool */
  CHECK(tcc_lt(ctx, N, tcc_idx(ctx, 3))->type.dtype == TCCRT_BOOL);
  /* shifts past the width give 0 */
  tcc_type u8 = tcc_scalar(TCCRT_UINT8);
  CHECK(tcc_binary(ctx, TCC_SHL, tcc_int(ctx, u8, 1), tcc_int(ctx, u8, 8))->u.ival == 0);
  /* substitution */
  const tcc_expr *e = tcc_add(ctx, tcc_mul(ctx, N, tcc_idx(ctx, 8)), tcc_idx(ctx, 3));
  const tcc_var *vs[] = {n};
  const tcc_expr *vals[] = {tcc_idx(ctx, 2)};
  CHECK(tcc_expr_substitute(ctx, e, 1, vs, vals) == tcc_idx(ctx, 19));
  /* printing */
  CHECK(strcmp(tcc_expr_str(ctx, tcc_mul(ctx, N, tcc_idx(ctx, 64))), "(N * 64)") == 0);
  CHECK(strcmp(tcc_expr_str(ctx, tcc_floordiv(ctx, N, tcc_idx(ctx, 2))), "floordiv(N, 2)") == 0);
  tcc_context_destroy(ctx);
  return tcc_test_finish("test_expr");
}
