/* test_llvm_math.c — the vectorized exp/log/tanh/sigmoid/erf approximations of the LLVM code
 * generator against libm: 2^20 points per function (half random finite bit patterns, half dense
 * in the range where the function varies), float32, 8 lanes. Checks the maximum errors stated in
 * codegen/llvm/llvm_math.c, and the special values (NaN, +-inf, 0, negative log). */
#include "cg_build.h"
#include "testutil.h"

#include "llvm/llvm_codegen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NPTS = 1 << 20 };

typedef struct fn_case {
  const char *name;
  tcc_intrin op;
  double lo, hi;  /* dense sampling range */
  double max_ulp; /* stated bound in ulps of the reference */
  double max_abs; /* alternative absolute bound (0 = none) */
  double (*ref)(double);
} fn_case;

static double ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static const fn_case cases[] = {
    {"exp", TCC_INTRIN_EXP, -110, 90, 2, 0, exp},
    {"log", TCC_INTRIN_LOG, 0, 100, 2, 0, log},
    {"tanh", TCC_INTRIN_TANH, -10, 10, 2, 0, tanh},
    {"sigmoid", TCC_INTRIN_SIGMOID, -110, 30, 3, 0, ref_sigmoid},
    {"erf", TCC_INTRIN_ERF, -5, 5, 2, 0, erf},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

static double ulp_of(float r) {
  float a = fabsf(r);
  if (isinf(a)) return INFINITY;
  float n = nextafterf(a, INFINITY);
  double u = (double)n - (double)a;
  return u > 0 ? u : ldexp(1.0, -149);
}

static float random_finite(void) {
  for (;;) {
    uint32_t u = (uint32_t)tcc_test_rand();
    float f;
    memcpy(&f, &u, 4);
    if (isfinite(f)) return f;
  }
}

int main(void) {
  tcc_test_seed("test_llvm_math");
  tcc_context *C = tcc_context_create();
  tcc_primfunc *fns[NCASES];
  for (int k = 0; k < NCASES; k++) {
    tcc_buffer *x = cgb_buf(C, "x", TCCRT_FLOAT32, NPTS), *y = cgb_buf(C, "y", TCCRT_FLOAT32, NPTS);
    tcc_var *io = tcc_var_new(C, "io", tcc_index_type());
    const tcc_expr *idx = cgb_ramp(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 8)), 1, 8);
    const tcc_stmt *body =
        tcc_s_for(C, io, cgb_i(C, 0), cgb_i(C, NPTS / 8), TCC_FOR_SERIAL,
                  cgb_st(C, y, idx, tcc_call1(C, cases[k].op, cgb_ld(C, x, idx, NULL)), NULL));
    const tcc_buffer *ps[2] = {x, y};
    char name[32];
    snprintf(name, sizeof name, "m_%s", cases[k].name);
    fns[k] = cgb_func(C, name, 2, ps, 0, NULL, body);
  }
  tcc_llvm_jit *j = NULL;
  const tcc_primfunc *const *cf = (const tcc_primfunc *const *)fns;
  if (tcc_llvm_jit_primfuncs(C, NULL, NCASES, cf, &j) != TCC_OK) {
    fprintf(stderr, "%s\n", tcc_error_text(C));
    CHECK(0);
    return tcc_test_finish("test_llvm_math");
  }
  float *X = malloc(sizeof(float) * NPTS), *Y = malloc(sizeof(float) * NPTS);
  for (int k = 0; k < NCASES; k++) {
    const fn_case *c = &cases[k];
    void *addr = NULL;
    CHECK(tcc_llvm_jit_lookup(j, fns[k]->name, &addr) == TCC_OK);
    if (!addr) continue;
    tcc_llvm_kernel_fn fn = (tcc_llvm_kernel_fn)addr;
    for (int i = 0; i < NPTS; i++)
      X[i] = i % 2 ? random_finite() : (float)tcc_test_uniform(c->lo, c->hi);
    /* special values */
    static const float sp[] = {NAN,    INFINITY, -INFINITY, 0.0f,   -0.0f,   1.0f,    -1.0f, 1e-45f,
                               1e-40f, 88.7f,    88.73f,    -87.4f, -103.9f, -104.5f, 4.0f,  -4.0f};
    for (size_t i = 0; i < sizeof sp / sizeof *sp; i++)
      X[i * 2] = sp[i];
    void *args[2] = {X, Y};
    CHECK(fn(args, NULL) == 0);
    double worst_ulp = 0, worst_abs = 0, worst_any_ulp = 0;
    float worst_any_x = 0;
    float worst_x = 0;
    int bad_special = 0;
    for (int i = 0; i < NPTS; i++) {
      double r = c->ref((double)X[i]);
      float rf = (float)r;
      if (isnan(r)) {
        bad_special += !isnan(Y[i]);
        continue;
      }
      if (isinf(rf)) {
        bad_special += Y[i] != rf;
        continue;
      }
      double err = fabs((double)Y[i] - r);
      if (!(err == err)) err = INFINITY; /* Y is NaN where the reference is not */
      double eu = err / ulp_of(rf);
      bool within_abs = c->max_abs > 0 && err <= c->max_abs;
      if (eu > worst_ulp && !within_abs) {
        worst_ulp = eu;
        worst_x = X[i];
      }
      if (eu > worst_any_ulp) {
        worst_any_ulp = eu;
        worst_any_x = X[i];
      }
      if (err > worst_abs) worst_abs = err;
    }
    printf("%-8s max error %.3f ulp (at x=%.9g) beyond the absolute bound; %.3f ulp overall "
           "(at x=%.9g); max abs %.3g\n",
           c->name, worst_ulp, (double)worst_x, worst_any_ulp, (double)worst_any_x, worst_abs);
    CHECK_MSG(worst_ulp <= c->max_ulp, "%s: %.3f ulp at x=%.9g exceeds the stated %.1f", c->name,
              worst_ulp, (double)worst_x, c->max_ulp);
    if (c->max_abs > 0)
      CHECK_MSG(worst_abs <= c->max_abs, "%s: abs error %.3g exceeds %.3g", c->name, worst_abs,
                c->max_abs);
    CHECK_MSG(bad_special == 0, "%s: %d NaN/inf results differ from libm", c->name, bad_special);
  }
  free(X);
  free(Y);
  tcc_llvm_jit_destroy(j);
  tcc_context_destroy(C);
  return tcc_test_finish("test_llvm_math");
}
