/* test_range_check.c — run-time index checks (tcc_check_range, the RANGE_ERROR intrinsic) in the
 * loop-IR interpreter: a Gather-like kernel (range_kernels.h) in every loop nest returns the
 * gathered values (negative indices count from the end, as ONNX Gather says) when every index
 * lies in [-dim, dim - 1], and fails with "node 'g0' (Gather): index V is out of range
 * [-dim, dim-1]" naming the first bad index otherwise; a bad index in a lane the guard masks off
 * or in the arm of a select not taken is no error. Expected values come from plain C here. */
#include "interp.h"
#include "range_kernels.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* Runs the kernel of `sp` on idx; returns the interpreter's status, fills out (which starts as
 * 1000 + i). */
static tcc_status run(tcc_context *ctx, const rk_spec *sp, const float *data, const int64_t *idx,
                      float *out) {
  tcc_primfunc *fn = rk_build(ctx, "k", sp);
  for (int64_t i = 0; i < sp->n; i++)
    out[i] = 1000.0f + (float)i;
  void *bufs[3] = {(void *)data, (void *)idx, out};
  tcc_error_clear(ctx);
  return tcc_interp_run(ctx, fn, bufs, NULL);
}

static void check_case(const rk_spec *sp) {
  tcc_context *ctx = tcc_context_create();
  int64_t n = sp->n, dim = sp->dim;
  float *data = malloc(sizeof(float) * (size_t)dim), *out = malloc(sizeof(float) * (size_t)n);
  int64_t *idx = malloc(sizeof(int64_t) * (size_t)n);
  for (int64_t k = 0; k < dim; k++)
    data[k] = (float)(k * 10 + 1);
  /* valid indices, negative ones included, and both ends of the range */
  for (int64_t i = 0; i < n; i++)
    idx[i] = tcc_test_randint(-dim, dim - 1);
  idx[0] = -dim;
  idx[n - 1] = dim - 1;
  tcc_status st = run(ctx, sp, data, idx, out);
  CHECK_MSG(st == TCC_OK, "%s: %s", rk_nest_names[sp->nest], tcc_error_text(ctx));
  for (int64_t i = 0; i < n && st == TCC_OK; i++) {
    float want = rk_expect(sp, data, idx, i, 1000.0f + (float)i);
    CHECK_MSG(out[i] == want, "%s: out[%lld] = %g, expected %g (index %lld)",
              rk_nest_names[sp->nest], (long long)i, out[i], want, (long long)idx[i]);
  }
  /* one bad index (too large or too small) at a random position */
  for (int rep = 0; rep < 4; rep++) {
    int64_t pos = tcc_test_randint(0, n - 1);
    int64_t bad = rep % 2 ? dim + tcc_test_randint(0, 5) : -dim - 1 - tcc_test_randint(0, 5);
    int64_t keep = idx[pos];
    idx[pos] = bad;
    st = run(ctx, sp, data, idx, out);
    if (rk_checked(sp, pos)) {
      char want[160];
      snprintf(want, sizeof want, RK_WHERE ": index %lld is out of range [%lld, %lld]",
               (long long)bad, (long long)-dim, (long long)(dim - 1));
      CHECK_MSG(st == TCC_ERR && strstr(tcc_error_text(ctx), want),
                "%s: bad index %lld at %lld: status %d, message '%s', expected '%s'",
                rk_nest_names[sp->nest], (long long)bad, (long long)pos, (int)st,
                tcc_error_text(ctx), want);
    } else {
      /* not read: masked off by the guard or in the select arm not taken */
      CHECK_MSG(st == TCC_OK, "%s: bad index %lld at unread position %lld failed: %s",
                rk_nest_names[sp->nest], (long long)bad, (long long)pos, tcc_error_text(ctx));
      for (int64_t i = 0; i < n && st == TCC_OK; i++)
        if (i != pos) CHECK(out[i] == rk_expect(sp, data, idx, i, 1000.0f + (float)i));
    }
    idx[pos] = keep;
  }
  /* several bad indices: the first in loop order is reported (the interpreter runs in order) */
  int64_t first = -1;
  for (int64_t i = n - 1; i >= 0; i -= 3) {
    idx[i] = dim + 100 + i;
    if (rk_checked(sp, i)) first = i;
  }
  st = run(ctx, sp, data, idx, out);
  if (first >= 0) {
    char want[64];
    snprintf(want, sizeof want, "index %lld is out", (long long)(dim + 100 + first));
    CHECK_MSG(st == TCC_ERR && strstr(tcc_error_text(ctx), want), "%s: '%s' lacks '%s'",
              rk_nest_names[sp->nest], tcc_error_text(ctx), want);
  } else {
    CHECK(st == TCC_OK);
  }
  free(data);
  free(out);
  free(idx);
  tcc_context_destroy(ctx);
}

static void constructors(void) {
  tcc_context *ctx = tcc_context_create();
  /* constant and inside the range: the value itself, no check */
  CHECK(tcc_check_range(ctx, tcc_idx(ctx, 3), tcc_idx(ctx, -5), tcc_idx(ctx, 5), "w") ==
        tcc_idx(ctx, 3));
  CHECK(tcc_check_range(ctx, tcc_idx(ctx, -5), tcc_idx(ctx, -5), tcc_idx(ctx, 5), "w") ==
        tcc_idx(ctx, -5));
  /* constant and outside: the failing call itself */
  const tcc_expr *c = tcc_check_range(ctx, tcc_idx(ctx, 5), tcc_idx(ctx, -5), tcc_idx(ctx, 5), "w");
  CHECK(c->kind == TCC_CALL && c->u.call.op == TCC_INTRIN_RANGE_ERROR);
  CHECK(!strcmp(tcc_range_error_where(ctx, c), "w"));
  /* a variable: select(lo <= v && v < hi, v, range_error(...)); texts share ids */
  tcc_var *x = tcc_var_new(ctx, "x", tcc_index_type());
  const tcc_expr *xv = tcc_expr_var(ctx, x);
  const tcc_expr *s1 = tcc_check_range(ctx, xv, tcc_idx(ctx, -2), tcc_idx(ctx, 2), "node 'a' (G)");
  const tcc_expr *s2 = tcc_check_range(ctx, xv, tcc_idx(ctx, -2), tcc_idx(ctx, 2), "node 'a' (G)");
  const tcc_expr *s3 = tcc_check_range(ctx, xv, tcc_idx(ctx, -2), tcc_idx(ctx, 2), "node 'b' (G)");
  CHECK(s1->kind == TCC_SELECT && s1->u.select.t == xv);
  CHECK(s1 == s2 && s1 != s3);
  CHECK(!strcmp(tcc_range_error_where(ctx, s3->u.select.f), "node 'b' (G)"));
  CHECK(!strcmp(tcc_range_error_where(ctx, xv), "index check"));
  /* evaluated by the interpreter through a scalar store: in range gives x, out of range fails */
  const tcc_expr *sh[1] = {tcc_idx(ctx, 1)};
  tcc_buffer *b = tcc_buffer_new(ctx, "out", TCCRT_INT64, 1, sh, TCC_SCOPE_GLOBAL);
  const tcc_buffer *params[1] = {b};
  const tcc_expr *i0 = tcc_idx(ctx, 0);
  for (int64_t val = -4; val <= 4; val++) {
    tcc_primfunc fn = {0};
    fn.name = "f";
    fn.nparams = 1;
    fn.params = params;
    fn.body = tcc_s_let(ctx, x, tcc_idx(ctx, val), tcc_s_store(ctx, b, 1, &i0, s1, NULL));
    int64_t out = 99;
    void *bufs[1] = {&out};
    tcc_error_clear(ctx);
    tcc_status st = tcc_interp_run(ctx, &fn, bufs, NULL);
    if (val >= -2 && val < 2) {
      CHECK(st == TCC_OK && out == val);
    } else {
      char want[96];
      snprintf(want, sizeof want, "node 'a' (G): index %lld is out of range [-2, 1]",
               (long long)val);
      CHECK_MSG(st == TCC_ERR && !strcmp(tcc_error_text(ctx), want) && out == 99, "'%s' vs '%s'",
                tcc_error_text(ctx), want);
    }
  }
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("ir_test_range_check");
  constructors();
  for (int nest = 0; nest < RK_NEST_COUNT; nest++) {
    rk_spec plain = {(rk_nest)nest, 64, 5, 8, -1, -1};
    check_case(&plain);
    rk_spec guarded = {(rk_nest)nest, 64, 7, 8, 37, -1}; /* tail lanes masked off */
    check_case(&guarded);
    rk_spec selected = {(rk_nest)nest, 48, 3, 4, -1, 21}; /* select arm not taken past 21 */
    check_case(&selected);
  }
  return tcc_test_finish("ir_test_range_check");
}
