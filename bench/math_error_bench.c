/* math_error_bench.c — the maximum error of the code generator's vectorized float32 exp, log,
 * tanh, sigmoid and erf over the whole float range: every `stride`-th 32-bit pattern
 * (argv[1], default 1 = all 2^32 of them; argv[2] optionally names one function), against libm's
 * double-precision result, in ulps of the float32 reference (2^-149 for subnormal results).
 * NaN and infinite references must be matched exactly. Also prints the throughput of the
 * compiled kernels in Gelem/s. Not a test (the ctest test_llvm_math samples 2^20 points). */
#include "llvm/llvm_codegen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { CHUNK = 1 << 22 };

static double ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static const struct {
  const char *name;
  tcc_intrin op;
  double (*ref)(double);
} fns[] = {{"exp", TCC_INTRIN_EXP, exp},
           {"log", TCC_INTRIN_LOG, log},
           {"tanh", TCC_INTRIN_TANH, tanh},
           {"sigmoid", TCC_INTRIN_SIGMOID, ref_sigmoid},
           {"erf", TCC_INTRIN_ERF, erf}};

static double ulp_of(float r) {
  float a = fabsf(r);
  double u = (double)nextafterf(a, INFINITY) - (double)a;
  return u > 0 ? u : ldexp(1.0, -149);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  uint64_t stride = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
  if (stride == 0) stride = 1;
  tcc_context *c = tcc_context_create();
  float *x = malloc(sizeof(float) * CHUNK), *y = malloc(sizeof(float) * CHUNK);
  printf("function  max ulp   at x            NaN/inf mismatches  Gelem/s   (stride %llu)\n",
         (unsigned long long)stride);
  for (size_t f = 0; f < sizeof fns / sizeof *fns; f++) {
    if (argc > 2 && strcmp(argv[2], fns[f].name) != 0) continue;
    const tcc_expr *sh[1] = {tcc_idx(c, CHUNK)};
    tcc_buffer *bx = tcc_buffer_new(c, "x", TCCRT_FLOAT32, 1, sh, TCC_SCOPE_GLOBAL);
    tcc_buffer *by = tcc_buffer_new(c, "y", TCCRT_FLOAT32, 1, sh, TCC_SCOPE_GLOBAL);
    tcc_var *io = tcc_var_new(c, "io", tcc_index_type());
    const tcc_expr *idx =
        tcc_ramp(c, tcc_mul(c, tcc_expr_var(c, io), tcc_idx(c, 8)), tcc_idx(c, 1), 8);
    const tcc_expr *ld = tcc_load(c, bx, 1, &idx, NULL);
    const tcc_stmt *body =
        tcc_s_for(c, io, tcc_idx(c, 0), tcc_idx(c, CHUNK / 8), TCC_FOR_SERIAL,
                  tcc_s_store(c, by, 1, &idx, tcc_call1(c, fns[f].op, ld), NULL));
    tcc_primfunc pf = {0};
    const tcc_buffer *ps[2] = {bx, by};
    char name[32];
    snprintf(name, sizeof name, "e_%s", fns[f].name);
    pf.name = name;
    pf.nparams = 2;
    pf.params = ps;
    pf.body = body;
    const tcc_primfunc *pfs[1] = {&pf};
    tcc_llvm_jit *j;
    void *addr;
    if (tcc_llvm_jit_primfuncs(c, NULL, 1, pfs, &j) != TCC_OK ||
        tcc_llvm_jit_lookup(j, name, &addr) != TCC_OK) {
      fprintf(stderr, "%s\n", tcc_error_text(c));
      return 1;
    }
    tcc_llvm_kernel_fn fn = (tcc_llvm_kernel_fn)addr;
    double worst = 0, secs = 0, elems = 0;
    float worst_x = 0;
    long mism = 0;
    uint64_t bits = 0;
    while (bits < ((uint64_t)1 << 32)) {
      int n = 0;
      for (; n < CHUNK && bits < ((uint64_t)1 << 32); bits += stride) {
        uint32_t u = (uint32_t)bits;
        memcpy(&x[n++], &u, 4);
      }
      for (int i = n; i < CHUNK; i++)
        x[i] = 0;
      void *args[2] = {x, y};
      double t0 = now();
      fn(args, NULL);
      secs += now() - t0;
      elems += CHUNK;
      for (int i = 0; i < n; i++) {
        double r = fns[f].ref((double)x[i]);
        float rf = (float)r;
        if (isnan(r) || isinf(rf)) {
          if (isnan(r) ? !isnan(y[i]) : y[i] != rf) mism++;
          continue;
        }
        double e = fabs((double)y[i] - r) / ulp_of(rf);
        if (!(e == e)) e = INFINITY;
        if (e > worst) {
          worst = e;
          worst_x = x[i];
        }
      }
    }
    printf("%-9s %-9.3f %-15.9g %-19ld %.2f\n", fns[f].name, worst, (double)worst_x, mism,
           elems / secs * 1e-9);
    fflush(stdout);
    tcc_llvm_jit_destroy(j);
  }
  free(x);
  free(y);
  tcc_context_destroy(c);
  return 0;
}
