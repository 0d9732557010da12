/* llvm_math.c — vectorizable float32 approximations of exp, log, tanh, sigmoid and erf, emitted
 * as straight-line LLVM IR (no branches, no table lookups, no libm calls), so they work on whole
 * vectors and need only add/mul/fma, compares, selects and integer bit operations.
 *
 * Stated maximum errors for float32 inputs, measured against libm's double-precision results
 * rounded to float32, over all finite inputs (tests/codegen/test_llvm_math.c checks these bounds
 * on 2^20 sampled points: random bit patterns plus dense samples of the interesting range).
 * "ulp" is the spacing of float32 at the reference value (2^-149 for subnormal results):
 *
 *   exp      <= 2 ulp. Overflow to +inf above 88.72, subnormal results below -87.3, 0 below
 *            -103.98; NaN propagates.                                          (Cephes expf)
 *   log      <= 2 ulp. Subnormal inputs handled; log(0) = -inf, log(x<0) = NaN, log(+inf) = +inf.
 *                                                                              (Cephes logf)
 *   tanh     <= 2 ulp. Polynomial for |x| < 0.625, 1 - 2/(exp(2|x|)+1) above.  (Cephes tanhf)
 *   sigmoid  <= 3 ulp.  1/(1+exp(-|x|)) for x >= 0, exp(x)/(1+exp(x)) below (no overflow).
 *   erf      <= 1.2e-7 absolute, <= 2 ulp. Rational approximation x*P(x^2)/Q(x^2) on [-4, 4]
 *            (degree 13/8, the coefficients of Eigen's generic_fast_erf_float) evaluated in
 *            double precision (on vectors of doubles), +-1 beyond.
 *
 * Measured by bench/math_error_bench over all 2^32 float32 bit patterns, max errors: exp
 * 1.010 ulp, log 0.827 ulp, tanh 1.330 ulp, sigmoid 2.402 ulp, erf 1.588 ulp; NaN and infinite
 * results matched libm everywhere.
 *
 * Rounding tricks below use plain fadd/fsub without fast-math flags on purpose: with `reassoc`
 * LLVM could fold (x + C) - C into x. */
#include "llvm_internal.h"

#include <math.h>

typedef struct mb {
  tcc_llvm_fn *s;
  LLVMBuilderRef b;
  LLVMTypeRef fty; /* float or <N x float> */
  LLVMTypeRef ity; /* i32 of the same shape */
} mb;

static mb mb_of(tcc_llvm_fn *s, LLVMValueRef x) {
  mb m = {s, s->b, LLVMTypeOf(x), NULL};
  m.ity = tcc_llvm_int_like(s, m.fty, 32);
  return m;
}

static LLVMValueRef cf(mb *m, double v) { return tcc_llvm_const_f(m->fty, v); }
static LLVMValueRef ci(mb *m, long long v) { return tcc_llvm_const_i(m->ity, v); }
static LLVMValueRef m_fadd(mb *m, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildFAdd(m->b, a, b, "");
}
static LLVMValueRef m_fsub(mb *m, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildFSub(m->b, a, b, "");
}
static LLVMValueRef m_fmul(mb *m, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildFMul(m->b, a, b, "");
}
static LLVMValueRef m_fdiv(mb *m, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildFDiv(m->b, a, b, "");
}
/* a*b + c, fused where the target has FMA (llvm.fmuladd). */
static LLVMValueRef fma3(mb *m, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c) {
  LLVMValueRef args[3] = {a, b, c};
  return tcc_llvm_call_intrin(m->s, "llvm.fmuladd", &m->fty, 1, args, 3);
}
static LLVMValueRef fun1(mb *m, const char *name, LLVMValueRef a) {
  return tcc_llvm_call_intrin(m->s, name, &m->fty, 1, &a, 1);
}
static LLVMValueRef fun2(mb *m, const char *name, LLVMValueRef a, LLVMValueRef b) {
  LLVMValueRef args[2] = {a, b};
  return tcc_llvm_call_intrin(m->s, name, &m->fty, 1, args, 2);
}
static LLVMValueRef sel(mb *m, LLVMValueRef c, LLVMValueRef t, LLVMValueRef f) {
  return LLVMBuildSelect(m->b, c, t, f, "");
}
static LLVMValueRef fcmp(mb *m, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildFCmp(m->b, p, a, b, "");
}
static LLVMValueRef as_int(mb *m, LLVMValueRef v) { return LLVMBuildBitCast(m->b, v, m->ity, ""); }
static LLVMValueRef as_float(mb *m, LLVMValueRef v) {
  return LLVMBuildBitCast(m->b, v, m->fty, "");
}
/* Horner: c[0]*x^(n-1) + ... + c[n-1]. */
static LLVMValueRef horner(mb *m, LLVMValueRef x, const double *c, int n) {
  LLVMValueRef p = cf(m, c[0]);
  for (int i = 1; i < n; i++)
    p = fma3(m, p, x, cf(m, c[i]));
  return p;
}
/* NaN inputs give themselves back (quiet) whatever the approximation computed. */
static LLVMValueRef keep_nan(mb *m, LLVMValueRef x, LLVMValueRef r) {
  return sel(m, fcmp(m, LLVMRealUNO, x, x), m_fadd(m, x, x), r);
}

LLVMValueRef tcc_llvm_math_exp(tcc_llvm_fn *s, LLVMValueRef x) {
  mb m = mb_of(s, x);
  /* Clamp so that n = round(x/ln2) lies in [-150, 128]: 2^n is then built as 2^n1 * 2^n2 with
   * both halves normal, which gives exact subnormal results and +inf above 88.72. */
  LLVMValueRef xc =
      fun2(&m, "llvm.minnum", fun2(&m, "llvm.maxnum", x, cf(&m, -104.0)), cf(&m, 89.0));
  /* n = round-to-nearest-even(x * log2(e)) by adding 1.5 * 2^23. */
  LLVMValueRef magic = cf(&m, 12582912.0);
  LLVMValueRef t = fma3(&m, xc, cf(&m, 1.44269504088896341), magic);
  LLVMValueRef n = m_fsub(&m, t, magic);
  LLVMValueRef ni = LLVMBuildSub(m.b, as_int(&m, t), as_int(&m, magic), "");
  /* r = x - n*ln2 in two parts (Cody-Waite). */
  LLVMValueRef r = fma3(&m, n, cf(&m, -0.693359375), xc);
  r = fma3(&m, n, cf(&m, 2.12194440e-4), r);
  static const double P[] = {1.9875691500E-4, 1.3981999507E-3, 8.3334519073E-3,
                             4.1665795894E-2, 1.6666665459E-1, 5.0000001201E-1};
  LLVMValueRef p = horner(&m, r, P, 6);
  LLVMValueRef r2 = m_fmul(&m, r, r);
  LLVMValueRef y = m_fadd(&m, fma3(&m, p, r2, r), cf(&m, 1.0));
  LLVMValueRef n1 = LLVMBuildAShr(m.b, ni, ci(&m, 1), "");
  LLVMValueRef n2 = LLVMBuildSub(m.b, ni, n1, "");
  LLVMValueRef s1 =
      as_float(&m, LLVMBuildShl(m.b, LLVMBuildAdd(m.b, n1, ci(&m, 127), ""), ci(&m, 23), ""));
  LLVMValueRef s2 =
      as_float(&m, LLVMBuildShl(m.b, LLVMBuildAdd(m.b, n2, ci(&m, 127), ""), ci(&m, 23), ""));
  y = m_fmul(&m, m_fmul(&m, y, s1), s2);
  return keep_nan(&m, x, y);
}

LLVMValueRef tcc_llvm_math_log(tcc_llvm_fn *s, LLVMValueRef x) {
  mb m = mb_of(s, x);
  /* Subnormals: scale by 2^23 first. */
  LLVMValueRef small = fcmp(&m, LLVMRealOLT, x, cf(&m, 1.17549435082228750797e-38));
  LLVMValueRef xs = sel(&m, small, m_fmul(&m, x, cf(&m, 8388608.0)), x);
  LLVMValueRef ebias = sel(&m, small, ci(&m, -23), ci(&m, 0));
  LLVMValueRef bits = as_int(&m, xs);
  LLVMValueRef e = LLVMBuildAnd(m.b, LLVMBuildLShr(m.b, bits, ci(&m, 23), ""), ci(&m, 0xff), "");
  e = LLVMBuildAdd(m.b, LLVMBuildSub(m.b, e, ci(&m, 126), ""), ebias, "");
  /* mantissa in [0.5, 1) */
  LLVMValueRef mant = as_float(&m, LLVMBuildOr(m.b, LLVMBuildAnd(m.b, bits, ci(&m, 0x807fffff), ""),
                                               ci(&m, 0x3f000000), ""));
  LLVMValueRef lt = fcmp(&m, LLVMRealOLT, mant, cf(&m, 0.707106781186547524));
  e = LLVMBuildSub(m.b, e, LLVMBuildZExt(m.b, lt, m.ity, ""), "");
  LLVMValueRef mm = sel(&m, lt, m_fadd(&m, mant, mant), mant);
  mm = m_fsub(&m, mm, cf(&m, 1.0));
  LLVMValueRef ef = LLVMBuildSIToFP(m.b, e, m.fty, "");
  LLVMValueRef z = m_fmul(&m, mm, mm);
  static const double P[] = {7.0376836292E-2,  -1.1514610310E-1, 1.1676998740E-1,
                             -1.2420140846E-1, 1.4249322787E-1,  -1.6668057665E-1,
                             2.0000714765E-1,  -2.4999993993E-1, 3.3333331174E-1};
  LLVMValueRef y = m_fmul(&m, m_fmul(&m, horner(&m, mm, P, 9), mm), z);
  y = fma3(&m, ef, cf(&m, -2.12194440e-4), y);
  y = fma3(&m, z, cf(&m, -0.5), y);
  LLVMValueRef r = m_fadd(&m, mm, y);
  r = fma3(&m, ef, cf(&m, 0.693359375), r);
  r = sel(&m, fcmp(&m, LLVMRealOEQ, x, cf(&m, INFINITY)), x, r);
  r = sel(&m, fcmp(&m, LLVMRealOEQ, x, cf(&m, 0.0)), cf(&m, -INFINITY), r);
  r = sel(&m, fcmp(&m, LLVMRealOLT, x, cf(&m, 0.0)), cf(&m, NAN), r);
  return keep_nan(&m, x, r);
}

LLVMValueRef tcc_llvm_math_tanh(tcc_llvm_fn *s, LLVMValueRef x) {
  mb m = mb_of(s, x);
  LLVMValueRef ax = fun1(&m, "llvm.fabs", x);
  LLVMValueRef z = m_fmul(&m, x, x);
  static const double P[] = {-5.70498872745E-3, 2.06390887954E-2, -5.37397155531E-2,
                             1.33314422036E-1, -3.33332819422E-1};
  LLVMValueRef ps = fma3(&m, m_fmul(&m, horner(&m, z, P, 5), z), x, x);
  LLVMValueRef e = tcc_llvm_math_exp(s, m_fadd(&m, ax, ax));
  LLVMValueRef tl = m_fsub(&m, cf(&m, 1.0), m_fdiv(&m, cf(&m, 2.0), m_fadd(&m, e, cf(&m, 1.0))));
  tl = fun2(&m, "llvm.copysign", tl, x);
  LLVMValueRef r = sel(&m, fcmp(&m, LLVMRealOLT, ax, cf(&m, 0.625)), ps, tl);
  return keep_nan(&m, x, r);
}

LLVMValueRef tcc_llvm_math_sigmoid(tcc_llvm_fn *s, LLVMValueRef x) {
  mb m = mb_of(s, x);
  /* e = exp(-|x|) never overflows: sigmoid = 1/(1+e) for x >= 0, e/(1+e) below. */
  LLVMValueRef e = tcc_llvm_math_exp(s, LLVMBuildFNeg(m.b, fun1(&m, "llvm.fabs", x), ""));
  LLVMValueRef d = m_fadd(&m, cf(&m, 1.0), e);
  LLVMValueRef neg = fcmp(&m, LLVMRealOLT, x, cf(&m, 0.0));
  LLVMValueRef r = m_fdiv(&m, sel(&m, neg, e, cf(&m, 1.0)), d);
  return keep_nan(&m, x, r);
}

LLVMValueRef tcc_llvm_math_erf(tcc_llvm_fn *s, LLVMValueRef x) {
  mb mf = mb_of(s, x);
  /* Evaluated in double: the rational function is accurate to ~3e-8, but float rounding of P and
   * Q would add several ulps. */
  LLVMTypeRef dty =
      LLVMGetTypeKind(mf.fty) == LLVMVectorTypeKind
          ? LLVMVectorType(LLVMDoubleTypeInContext(s->m->llctx), LLVMGetVectorSize(mf.fty))
          : LLVMDoubleTypeInContext(s->m->llctx);
  LLVMValueRef xd = LLVMBuildFPExt(s->b, x, dty, "");
  mb m = mb_of(s, xd);
  LLVMValueRef xc = fun2(&m, "llvm.minnum", fun2(&m, "llvm.maxnum", xd, cf(&m, -4.0)), cf(&m, 4.0));
  LLVMValueRef x2 = m_fmul(&m, xc, xc);
  static const double A[] = {-2.72614225801306e-10, 2.77068142495902e-08,  -2.10102402082508e-06,
                             -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                             -1.60960333262415e-02};
  static const double B[] = {-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                             -7.37332916720468e-03, -1.42647390514189e-02};
  LLVMValueRef p = horner(&m, x2, A, 7);
  LLVMValueRef q = horner(&m, x2, B, 5);
  LLVMValueRef r = m_fmul(&m, xc, m_fdiv(&m, p, q));
  /* The rational function slightly exceeds 1 near the clamp: keep |erf| <= 1. */
  r = fun2(&m, "llvm.minnum", fun2(&m, "llvm.maxnum", r, cf(&m, -1.0)), cf(&m, 1.0));
  r = LLVMBuildFPTrunc(s->b, r, mf.fty, "");
  return keep_nan(&mf, x, r);
}
