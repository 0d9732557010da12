/* test_llvm_codegen.c — hand-built loop-IR PrimFuncs compiled by the LLVM code generator, loaded
 * into the ORC JIT from the emitted object, run, and compared with plain C references: a vector
 * add with a predicated tail, reductions, a parallel loop (1 and 3 threads), float16/bfloat16
 * storage, casts between dtypes, NaN-propagating min/max, stack and workspace allocations,
 * integer division semantics, gathers/scatters, if/let/select. */
#include "cg_build.h"
#include "testutil.h"

#include "llvm/llvm_codegen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static tcc_context *C;

/* JITs one function (host, -O3 unless opt given) and returns its entry; keeps JITs alive. */
static tcc_llvm_jit *g_jits[64];
static int g_njits;
static tcc_llvm_kernel_fn jit1(const tcc_primfunc *f, int opt) {
  tcc_llvm_target t = {0};
  t.opt_level = opt;
  t.opt_level_set = true;
  tcc_llvm_jit *j = NULL;
  if (tcc_llvm_jit_primfuncs(C, &t, 1, &f, &j) != TCC_OK) {
    fprintf(stderr, "compile %s: %s\n", f->name, tcc_error_text(C));
    tcc_error_clear(C);
    return NULL;
  }
  void *addr = NULL;
  if (tcc_llvm_jit_lookup(j, f->name, &addr) != TCC_OK) {
    fprintf(stderr, "lookup %s: %s\n", f->name, tcc_error_text(C));
    tcc_error_clear(C);
  }
  g_jits[g_njits++] = j;
  return (tcc_llvm_kernel_fn)addr;
}

/* c[i] = a[i] + b[i] * 2 for i < n (scalar param), 8 lanes with a predicated tail. */
static void test_vector_add_tail(int opt) {
  tcc_var *n = tcc_var_new(C, "n", tcc_index_type());
  tcc_buffer *a = cgb_buf_e(C, "a", TCCRT_FLOAT32, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_buffer *b = cgb_buf_e(C, "b", TCCRT_FLOAT32, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_buffer *c = cgb_buf_e(C, "c", TCCRT_FLOAT32, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_var *io = tcc_var_new(C, "io", tcc_index_type());
  const tcc_expr *idx = cgb_ramp(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 8)), 1, 8);
  const tcc_expr *pred = tcc_lt(C, idx, tcc_broadcast(C, cgb_v(C, n), 8));
  const tcc_expr *val =
      tcc_add(C, cgb_ld(C, a, idx, pred),
              tcc_mul(C, cgb_ld(C, b, idx, pred), tcc_broadcast(C, cgb_f32(C, 2.0), 8)));
  const tcc_expr *ext = tcc_floordiv(C, tcc_add(C, cgb_v(C, n), cgb_i(C, 7)), cgb_i(C, 8));
  const tcc_stmt *body =
      tcc_s_for(C, io, cgb_i(C, 0), ext, TCC_FOR_SERIAL, cgb_st(C, c, idx, val, pred));
  const tcc_buffer *ps[3] = {a, b, c};
  const tcc_var *ss[1] = {n};
  char name[64];
  snprintf(name, sizeof name, "vadd_o%d", opt);
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, name, 3, ps, 1, ss, body), opt);
  CHECK(fn != NULL);
  if (!fn) return;
  static const int64_t sizes[] = {1, 7, 8, 9, 1003};
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
    int64_t N = sizes[si];
    /* guard elements after the end must stay untouched */
    float *A = malloc(sizeof(float) * (size_t)(N + 8)),
          *B = malloc(sizeof(float) * (size_t)(N + 8));
    float *Cc = malloc(sizeof(float) * (size_t)(N + 8));
    for (int64_t i = 0; i < N + 8; i++) {
      A[i] = (float)tcc_test_uniform(-10, 10);
      B[i] = (float)tcc_test_uniform(-10, 10);
      Cc[i] = -12345.0f;
    }
    void *args[3] = {A, B, Cc};
    int64_t sc[1] = {N};
    CHECK(fn(args, sc) == 0);
    int bad = 0;
    for (int64_t i = 0; i < N; i++)
      bad += Cc[i] != A[i] + B[i] * 2.0f;
    for (int64_t i = N; i < N + 8; i++)
      bad += Cc[i] != -12345.0f;
    CHECK_MSG(bad == 0, "vadd opt=%d n=%lld: %d wrong", opt, (long long)N, bad);
    free(A);
    free(B);
    free(Cc);
  }
}

/* s[0] = sum a[i]*b[i] (float32 accumulate in the output), t[0] = sum of int32 x[i]. */
static void test_reduction(void) {
  const int N = 777;
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_FLOAT32, N), *b = cgb_buf(C, "b", TCCRT_FLOAT32, N);
  tcc_buffer *s = cgb_buf(C, "s", TCCRT_FLOAT32, 1);
  tcc_buffer *x = cgb_buf(C, "x", TCCRT_INT32, N), *t = cgb_buf(C, "t", TCCRT_INT32, 1);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type());
  const tcc_expr *z = cgb_i(C, 0);
  const tcc_expr *vi = cgb_v(C, i);
  const tcc_stmt *init = cgb_seq(C, 2, cgb_st(C, s, z, cgb_f32(C, 0), NULL),
                                 cgb_st(C, t, z, tcc_int(C, tcc_scalar(TCCRT_INT32), 0), NULL));
  const tcc_stmt *upd =
      cgb_seq(C, 2,
              cgb_st(C, s, z,
                     tcc_add(C, cgb_ld(C, s, z, NULL),
                             tcc_mul(C, cgb_ld(C, a, vi, NULL), cgb_ld(C, b, vi, NULL))),
                     NULL),
              cgb_st(C, t, z, tcc_add(C, cgb_ld(C, t, z, NULL), cgb_ld(C, x, vi, NULL)), NULL));
  const tcc_stmt *body = cgb_seq(C, 2, init, tcc_s_for(C, i, z, cgb_i(C, N), TCC_FOR_SERIAL, upd));
  const tcc_buffer *ps[5] = {a, b, s, x, t};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "reduce", 5, ps, 0, NULL, body), 3);
  CHECK(fn != NULL);
  if (!fn) return;
  float A[777], B[777], S = 1;
  int32_t X[777], T = 1;
  double ref = 0;
  int64_t iref = 0;
  for (int k = 0; k < N; k++) {
    A[k] = (float)tcc_test_uniform(-1, 1);
    B[k] = (float)tcc_test_uniform(-1, 1);
    X[k] = (int32_t)tcc_test_randint(-100000, 100000);
    ref += (double)A[k] * B[k];
    iref += X[k];
  }
  void *args[5] = {A, B, &S, X, &T};
  CHECK(fn(args, NULL) == 0);
  CHECK_MSG(tcc_test_close(S, ref, 1e-4, 1e-4), "sum %g vs %g", S, ref);
  CHECK(T == (int32_t)iref);
}

/* parallel for i in [0, R): for j in [0, W): c[i*W+j] = a[i*W+j] * 2 + float(i) */
static void test_parallel(void) {
  const int R = 61, W = 37;
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_FLOAT32, R * W), *c = cgb_buf(C, "c", TCCRT_FLOAT32, R * W);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type()), *j = tcc_var_new(C, "j", tcc_index_type());
  tcc_var *off = tcc_var_new(C, "off", tcc_index_type());
  const tcc_expr *ix = tcc_add(C, cgb_v(C, off), cgb_v(C, j));
  const tcc_expr *val = tcc_add(C, tcc_mul(C, cgb_ld(C, a, ix, NULL), cgb_f32(C, 2)),
                                tcc_cast(C, tcc_scalar(TCCRT_FLOAT32), cgb_v(C, i)));
  const tcc_stmt *inner =
      tcc_s_for(C, j, cgb_i(C, 0), cgb_i(C, W), TCC_FOR_SERIAL, cgb_st(C, c, ix, val, NULL));
  const tcc_stmt *let = tcc_s_let(C, off, tcc_mul(C, cgb_v(C, i), cgb_i(C, W)), inner);
  const tcc_stmt *body = tcc_s_for(C, i, cgb_i(C, 0), cgb_i(C, R), TCC_FOR_PARALLEL, let);
  const tcc_buffer *ps[2] = {a, c};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "par", 2, ps, 0, NULL, body), 3);
  CHECK(fn != NULL);
  if (!fn) return;
  static float A[61 * 37], Cc[61 * 37];
  for (int k = 0; k < R * W; k++)
    A[k] = (float)tcc_test_uniform(-5, 5);
  for (int th = 1; th <= 3; th += 2) {
    tccrt_set_num_threads(th);
    memset(Cc, 0, sizeof Cc);
    void *args[2] = {A, Cc};
    CHECK(fn(args, NULL) == 0);
    int bad = 0;
    for (int r = 0; r < R; r++)
      for (int k = 0; k < W; k++)
        bad += Cc[r * W + k] != A[r * W + k] * 2 + (float)r;
    CHECK_MSG(bad == 0, "parallel threads=%d: %d wrong", th, bad);
  }
}

/* Independent reference conversions. */
static float bf16_to_f(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static uint16_t f_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if (isnan(f)) return (uint16_t)((u >> 16) | 0x40);
  uint32_t lsb = (u >> 16) & 1;
  return (uint16_t)((u + 0x7fff + lsb) >> 16);
}

/* float16 and bfloat16 storage: y16[i] = x16[i] * 1.5 + 0.25 (math in float32, each result
 * rounded to the format);
 * yb[i] = xb[i] * 1.5 + 0.25; f32 -> f16 cast. Vectorized 8 lanes. */
static void test_half_storage(void) {
  const int N = 64;
  tcc_buffer *x16 = cgb_buf(C, "x16", TCCRT_FLOAT16, N), *y16 = cgb_buf(C, "y16", TCCRT_FLOAT16, N);
  tcc_buffer *xb = cgb_buf(C, "xb", TCCRT_BFLOAT16, N), *yb = cgb_buf(C, "yb", TCCRT_BFLOAT16, N);
  tcc_buffer *xf = cgb_buf(C, "xf", TCCRT_FLOAT32, N), *yc = cgb_buf(C, "yc", TCCRT_FLOAT16, N);
  tcc_buffer *ycb = cgb_buf(C, "ycb", TCCRT_BFLOAT16, N);
  tcc_var *io = tcc_var_new(C, "io", tcc_index_type());
  const tcc_expr *idx = cgb_ramp(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 8)), 1, 8);
  tcc_type h8 = tcc_type_of(TCCRT_FLOAT16, 8), b8 = tcc_type_of(TCCRT_BFLOAT16, 8);
  const tcc_expr *v16 = tcc_add(C, tcc_mul(C, cgb_ld(C, x16, idx, NULL), tcc_float(C, h8, 1.5)),
                                tcc_float(C, h8, 0.25));
  const tcc_expr *vb = tcc_add(C, tcc_mul(C, cgb_ld(C, xb, idx, NULL), tcc_float(C, b8, 1.5)),
                               tcc_float(C, b8, 0.25));
  const tcc_stmt *body =
      tcc_s_for(C, io, cgb_i(C, 0), cgb_i(C, N / 8), TCC_FOR_SERIAL,
                cgb_seq(C, 4, cgb_st(C, y16, idx, v16, NULL), cgb_st(C, yb, idx, vb, NULL),
                        cgb_st(C, yc, idx, tcc_cast(C, h8, cgb_ld(C, xf, idx, NULL)), NULL),
                        cgb_st(C, ycb, idx, tcc_cast(C, b8, cgb_ld(C, xf, idx, NULL)), NULL)));
  const tcc_buffer *ps[7] = {x16, y16, xb, yb, xf, yc, ycb};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "half", 7, ps, 0, NULL, body), 3);
  CHECK(fn != NULL);
  if (!fn) return;
  _Float16 X16[64], Y16[64], YC[64];
  uint16_t XB[64], YB[64], YCB[64];
  float XF[64];
  for (int i = 0; i < N; i++) {
    X16[i] = (_Float16)tcc_test_uniform(-100, 100);
    XB[i] = f_to_bf16((float)tcc_test_uniform(-100, 100));
    XF[i] = (float)tcc_test_uniform(-1000, 1000);
  }
  XF[0] = NAN;
  XF[1] = 1e6f;               /* float16 overflow -> inf */
  XF[2] = 1.0f + 1.0f / 2048; /* a float16 tie: rounds to even (1.0) */
  void *args[7] = {X16, Y16, XB, YB, XF, YC, YCB};
  CHECK(fn(args, NULL) == 0);
  int bad = 0;
  for (int i = 0; i < N; i++) {
    /* each operation rounds to the storage format */
    _Float16 t16 = (_Float16)((float)X16[i] * 1.5f);
    _Float16 r16 = (_Float16)((float)t16 + 0.25f);
    if (memcmp(&r16, &Y16[i], 2) != 0) bad++;
    if (YB[i] != f_to_bf16(bf16_to_f(f_to_bf16(bf16_to_f(XB[i]) * 1.5f)) + 0.25f)) bad++;
    _Float16 rc = (_Float16)XF[i];
    if (!(isnan(XF[i]) ? isnan((float)YC[i]) : memcmp(&rc, &YC[i], 2) == 0)) bad++;
    if (YCB[i] != f_to_bf16(XF[i])) bad++;
  }
  CHECK_MSG(bad == 0, "half/bfloat16 storage: %d wrong", bad);
  CHECK(isinf((float)YC[1]) && (float)YC[2] == 1.0f);
}

/* Casts: f32->i32 (truncating), f32->u8 (saturating), i8->f32, u8->i32, i64->f16, i32->bool,
 * bool->f32, f64->f32, i32->i8 (wrap). One scalar loop. */
static void test_casts(void) {
  const int N = 100;
  tcc_buffer *f = cgb_buf(C, "f", TCCRT_FLOAT32, N), *i8 = cgb_buf(C, "i8", TCCRT_INT8, N);
  tcc_buffer *u8 = cgb_buf(C, "u8", TCCRT_UINT8, N), *i64 = cgb_buf(C, "i64", TCCRT_INT64, N);
  tcc_buffer *i32 = cgb_buf(C, "i32", TCCRT_INT32, N), *d = cgb_buf(C, "d", TCCRT_FLOAT64, N);
  tcc_buffer *o_i32 = cgb_buf(C, "o_i32", TCCRT_INT32, N),
             *o_u8 = cgb_buf(C, "o_u8", TCCRT_UINT8, N);
  tcc_buffer *o_f = cgb_buf(C, "o_f", TCCRT_FLOAT32, N),
             *o_u8i = cgb_buf(C, "o_u8i", TCCRT_INT32, N);
  tcc_buffer *o_h = cgb_buf(C, "o_h", TCCRT_FLOAT16, N), *o_b = cgb_buf(C, "o_b", TCCRT_BOOL, N);
  tcc_buffer *o_bf = cgb_buf(C, "o_bf", TCCRT_FLOAT32, N),
             *o_df = cgb_buf(C, "o_df", TCCRT_FLOAT32, N);
  tcc_buffer *o_i8 = cgb_buf(C, "o_i8", TCCRT_INT8, N);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type());
  const tcc_expr *vi = cgb_v(C, i);
#define LD(buf) cgb_ld(C, buf, vi, NULL)
#define CAST(dt, e) tcc_cast(C, tcc_scalar(dt), e)
  const tcc_stmt *sts[9] = {
      cgb_st(C, o_i32, vi, CAST(TCCRT_INT32, LD(f)), NULL),
      cgb_st(C, o_u8, vi, CAST(TCCRT_UINT8, LD(f)), NULL),
      cgb_st(C, o_f, vi, CAST(TCCRT_FLOAT32, LD(i8)), NULL),
      cgb_st(C, o_u8i, vi, CAST(TCCRT_INT32, LD(u8)), NULL),
      cgb_st(C, o_h, vi, CAST(TCCRT_FLOAT16, LD(i64)), NULL),
      cgb_st(C, o_b, vi, CAST(TCCRT_BOOL, LD(i32)), NULL),
      cgb_st(C, o_bf, vi, CAST(TCCRT_FLOAT32, CAST(TCCRT_BOOL, LD(i32))), NULL),
      cgb_st(C, o_df, vi, CAST(TCCRT_FLOAT32, LD(d)), NULL),
      cgb_st(C, o_i8, vi, CAST(TCCRT_INT8, LD(i32)), NULL),
  };
#undef LD
#undef CAST
  const tcc_stmt *body =
      tcc_s_for(C, i, cgb_i(C, 0), cgb_i(C, N), TCC_FOR_SERIAL, tcc_s_seq(C, 9, sts));
  const tcc_buffer *ps[15] = {f,   i8,    u8,  i64, i32,  d,    o_i32, o_u8,
                              o_f, o_u8i, o_h, o_b, o_bf, o_df, o_i8};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "casts", 15, ps, 0, NULL, body), 2);
  CHECK(fn != NULL);
  if (!fn) return;
  float F[100], OF[100], OBF[100], ODF[100];
  int8_t I8[100], OI8[100];
  uint8_t U8[100], OU8[100], OB[100];
  int64_t I64[100];
  int32_t I32[100], OI32[100], OU8I[100];
  double D[100];
  _Float16 OH[100];
  for (int k = 0; k < N; k++) {
    F[k] = (float)tcc_test_uniform(0, 250) * (k % 2 ? 1 : -1);
    I8[k] = (int8_t)tcc_test_randint(-128, 127);
    U8[k] = (uint8_t)tcc_test_randint(0, 255);
    I64[k] = tcc_test_randint(-70000, 70000);
    I32[k] = (int32_t)tcc_test_randint(-1000, 1000);
    D[k] = tcc_test_uniform(-1e10, 1e10);
  }
  I32[3] = 0;
  void *args[15] = {F, I8, U8, I64, I32, D, OI32, OU8, OF, OU8I, OH, OB, OBF, ODF, OI8};
  CHECK(fn(args, NULL) == 0);
  int bad = 0;
  for (int k = 0; k < N; k++) {
    bad += OI32[k] != (int32_t)F[k];
    bad += OU8[k] != (F[k] < 0 ? 0 : (uint8_t)F[k]); /* saturating below 0 */
    bad += OF[k] != (float)I8[k];
    bad += OU8I[k] != (int32_t)U8[k];
    _Float16 h = (_Float16)(double)I64[k];
    bad += memcmp(&h, &OH[k], 2) != 0;
    bad += OB[k] != (I32[k] != 0);
    bad += OBF[k] != (I32[k] != 0 ? 1.0f : 0.0f);
    bad += ODF[k] != (float)D[k];
    bad += OI8[k] != (int8_t)I32[k];
  }
  CHECK_MSG(bad == 0, "casts: %d wrong", bad);
}

/* NaN-propagating max/min (8 lanes and scalar): ONNX Max/Min. */
static void test_nan_minmax(void) {
  const int N = 16;
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_FLOAT32, N), *b = cgb_buf(C, "b", TCCRT_FLOAT32, N);
  tcc_buffer *mx = cgb_buf(C, "mx", TCCRT_FLOAT32, N), *mn = cgb_buf(C, "mn", TCCRT_FLOAT32, N);
  tcc_buffer *relu = cgb_buf(C, "relu", TCCRT_FLOAT32, N);
  tcc_var *io = tcc_var_new(C, "io", tcc_index_type());
  const tcc_expr *idx = cgb_ramp(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 8)), 1, 8);
  const tcc_expr *la = cgb_ld(C, a, idx, NULL), *lb = cgb_ld(C, b, idx, NULL);
  const tcc_stmt *body = tcc_s_for(
      C, io, cgb_i(C, 0), cgb_i(C, N / 8), TCC_FOR_SERIAL,
      cgb_seq(C, 3, cgb_st(C, mx, idx, tcc_max(C, la, lb), NULL),
              cgb_st(C, mn, idx, tcc_min(C, la, lb), NULL),
              cgb_st(C, relu, idx, tcc_max(C, la, tcc_broadcast(C, cgb_f32(C, 0), 8)), NULL)));
  const tcc_buffer *ps[5] = {a, b, mx, mn, relu};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "nanmax", 5, ps, 0, NULL, body), 3);
  CHECK(fn != NULL);
  if (!fn) return;
  float A[16] = {NAN, 1, NAN, -1, 2, -3, 0, NAN, 5, 6, -7, 8, NAN, 1, -2, 3};
  float B[16] = {1, NAN, NAN, 2, -2, 4, -0.0f, 0, 5, -6, 7, NAN, 0, 0, 0, 0};
  float MX[16], MN[16], RL[16];
  void *args[5] = {A, B, MX, MN, RL};
  CHECK(fn(args, NULL) == 0);
  int bad = 0;
  for (int k = 0; k < N; k++) {
    bool anynan = isnan(A[k]) || isnan(B[k]);
    if (anynan) {
      bad += !isnan(MX[k]) + !isnan(MN[k]);
    } else {
      bad += MX[k] != (A[k] > B[k] ? A[k] : B[k]);
      bad += MN[k] != (A[k] < B[k] ? A[k] : B[k]);
    }
    bad += isnan(A[k]) ? !isnan(RL[k]) : RL[k] != (A[k] > 0 ? A[k] : 0);
  }
  CHECK_MSG(bad == 0, "nan min/max: %d wrong", bad);
}

/* Stack and workspace allocations, if/else, let, select, integer div/mod semantics. */
static void test_alloc_and_ints(void) {
  const int N = 40;
  tcc_var *n = tcc_var_new(C, "n", tcc_index_type());
  tcc_buffer *x = cgb_buf(C, "x", TCCRT_INT32, N), *y = cgb_buf(C, "y", TCCRT_INT32, N);
  tcc_buffer *q = cgb_buf(C, "q", TCCRT_INT32, N), *r = cgb_buf(C, "r", TCCRT_INT32, N);
  tcc_buffer *fq = cgb_buf(C, "fq", TCCRT_INT32, N), *fr = cgb_buf(C, "fr", TCCRT_INT32, N);
  tcc_buffer *o = cgb_buf(C, "o", TCCRT_INT32, N);
  tcc_buffer *stk = cgb_buf_e(C, "stk", TCCRT_INT32, cgb_i(C, N), TCC_SCOPE_STACK);
  tcc_buffer *ws = cgb_buf_e(C, "ws", TCCRT_INT32, cgb_v(C, n), TCC_SCOPE_WORKSPACE);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type()),
          *t = tcc_var_new(C, "t", tcc_scalar(TCCRT_INT32));
  const tcc_expr *vi = cgb_v(C, i), *z = cgb_i(C, 0), *nn = cgb_v(C, n);
  const tcc_expr *lx = cgb_ld(C, x, vi, NULL), *ly = cgb_ld(C, y, vi, NULL);
  tcc_type i32 = tcc_scalar(TCCRT_INT32);
  const tcc_stmt *divs = cgb_seq(C, 4, cgb_st(C, q, vi, tcc_div(C, lx, ly), NULL),
                                 cgb_st(C, r, vi, tcc_mod(C, lx, ly), NULL),
                                 cgb_st(C, fq, vi, tcc_floordiv(C, lx, ly), NULL),
                                 cgb_st(C, fr, vi, tcc_floormod(C, lx, ly), NULL));
  /* stk[i] = x[i] * 3; ws[i] = (stk[i] > 0) ? stk[i] : -1 via if/else; o[i] = let t = ws[i] in
   * select(t > 10, t - 10, t) */
  const tcc_stmt *fill = tcc_s_for(C, i, z, nn, TCC_FOR_SERIAL,
                                   cgb_st(C, stk, vi, tcc_mul(C, lx, tcc_int(C, i32, 3)), NULL));
  const tcc_expr *ls = cgb_ld(C, stk, vi, NULL);
  const tcc_stmt *branch =
      tcc_s_for(C, i, z, nn, TCC_FOR_SERIAL,
                tcc_s_if(C, tcc_gt(C, ls, tcc_int(C, i32, 0)), cgb_st(C, ws, vi, ls, NULL),
                         cgb_st(C, ws, vi, tcc_int(C, i32, -1), NULL)));
  const tcc_expr *vt = cgb_v(C, t);
  const tcc_stmt *fin =
      tcc_s_for(C, i, z, nn, TCC_FOR_SERIAL,
                tcc_s_let(C, t, cgb_ld(C, ws, vi, NULL),
                          cgb_st(C, o, vi,
                                 tcc_select(C, tcc_gt(C, vt, tcc_int(C, i32, 10)),
                                            tcc_sub(C, vt, tcc_int(C, i32, 10)), vt),
                                 NULL)));
  const tcc_stmt *alloc = tcc_s_allocate(
      C, stk, cgb_i(C, N), tcc_s_allocate(C, ws, nn, cgb_seq(C, 3, fill, branch, fin)));
  const tcc_stmt *body = cgb_seq(C, 2, tcc_s_for(C, i, z, nn, TCC_FOR_SERIAL, divs), alloc);
  const tcc_buffer *ps[7] = {x, y, q, r, fq, fr, o};
  const tcc_var *ss[1] = {n};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "ints", 7, ps, 1, ss, body), 3);
  CHECK(fn != NULL);
  if (!fn) return;
  int32_t X[40], Y[40], Q[40], R[40], FQ[40], FR[40], O[40];
  for (int k = 0; k < N; k++) {
    X[k] = (int32_t)tcc_test_randint(-50, 50);
    Y[k] = (int32_t)tcc_test_randint(-7, 7);
    if (Y[k] == 0) Y[k] = 3;
  }
  Y[5] = 0;         /* division by zero: 0, no trap */
  X[6] = INT32_MIN; /* INT_MIN / -1: wraps, no trap */
  Y[6] = -1;
  void *args[7] = {X, Y, Q, R, FQ, FR, O};
  int64_t sc[1] = {N};
  CHECK(fn(args, sc) == 0);
  int bad = 0;
  for (int k = 0; k < N; k++) {
    int32_t eq, er, efq, efr;
    if (Y[k] == 0) {
      eq = er = efq = efr = 0;
    } else if (Y[k] == -1) {
      eq = efq = (int32_t)(0u - (uint32_t)X[k]);
      er = efr = 0;
    } else {
      eq = X[k] / Y[k];
      er = X[k] % Y[k];
      efq = eq - ((er != 0) && ((er < 0) != (Y[k] < 0)));
      efr = er + (((er != 0) && ((er < 0) != (Y[k] < 0))) ? Y[k] : 0);
    }
    bad += Q[k] != eq || R[k] != er || FQ[k] != efq || FR[k] != efr;
    int32_t s3 = (int32_t)((uint32_t)X[k] * 3u), w = s3 > 0 ? s3 : -1;
    bad += O[k] != (w > 10 ? w - 10 : w);
  }
  CHECK_MSG(bad == 0, "ints/alloc: %d wrong", bad);
}

/* Strided gather and scatter with 4 lanes: out[ramp(4*io, 1, 4)] = a[ramp(2*4*io, 2, 4)] and
 * t[ramp(io, 8, 4)] = out-values (transpose-like scatter). */
static void test_gather_scatter(void) {
  const int N = 32;
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_FLOAT64, 2 * N), *o = cgb_buf(C, "o", TCCRT_FLOAT64, N);
  tcc_buffer *t = cgb_buf(C, "t", TCCRT_FLOAT64, N);
  tcc_var *io = tcc_var_new(C, "io", tcc_index_type());
  const tcc_expr *vio = cgb_v(C, io);
  const tcc_expr *g = cgb_ld(C, a, cgb_ramp(C, tcc_mul(C, vio, cgb_i(C, 8)), 2, 4), NULL);
  const tcc_stmt *body = tcc_s_for(
      C, io, cgb_i(C, 0), cgb_i(C, N / 4), TCC_FOR_SERIAL,
      cgb_seq(C, 2, cgb_st(C, o, cgb_ramp(C, tcc_mul(C, vio, cgb_i(C, 4)), 1, 4), g, NULL),
              cgb_st(C, t, cgb_ramp(C, vio, 8, 4), g, NULL)));
  const tcc_buffer *ps[3] = {a, o, t};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "gather", 3, ps, 0, NULL, body), 3);
  CHECK(fn != NULL);
  if (!fn) return;
  double A[64], O[32], T[32];
  for (int k = 0; k < 64; k++)
    A[k] = k * 1.5;
  void *args[3] = {A, O, T};
  CHECK(fn(args, NULL) == 0);
  int bad = 0;
  for (int io2 = 0; io2 < N / 4; io2++)
    for (int l = 0; l < 4; l++) {
      bad += O[io2 * 4 + l] != A[io2 * 8 + 2 * l];
      bad += T[io2 + 8 * l] != A[io2 * 8 + 2 * l];
    }
  CHECK_MSG(bad == 0, "gather/scatter: %d wrong", bad);
}

/* Errors are reported, not crashes: a GPU-bound loop and an unbound variable. */
static void test_errors(void) {
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_FLOAT32, 4);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type()), *u = tcc_var_new(C, "u", tcc_index_type());
  const tcc_stmt *gpu = tcc_s_for(C, i, cgb_i(C, 0), cgb_i(C, 4), TCC_FOR_THREAD_X,
                                  cgb_st(C, a, cgb_v(C, i), cgb_f32(C, 1), NULL));
  const tcc_stmt *unb = cgb_st(C, a, cgb_v(C, u), cgb_f32(C, 1), NULL);
  const tcc_buffer *ps[1] = {a};
  tcc_llvm_module *m;
  CHECK(tcc_llvm_module_create(C, NULL, "e", &m) == TCC_OK);
  CHECK(tcc_llvm_add_primfunc(m, cgb_func(C, "gpu", 1, ps, 0, NULL, gpu), NULL) == TCC_ERR);
  CHECK(strstr(tcc_error_text(C), "threadIdx.x") != NULL);
  tcc_error_clear(C);
  CHECK(tcc_llvm_add_primfunc(m, cgb_func(C, "unb", 1, ps, 0, NULL, unb), NULL) == TCC_ERR);
  CHECK(strstr(tcc_error_text(C), "'u'") != NULL);
  tcc_error_clear(C);
  tcc_llvm_module_destroy(m);
  tcc_llvm_target bad = {.triple = "nonsense-unknown-none"};
  CHECK(tcc_llvm_module_create(C, &bad, "e", &m) == TCC_ERR);
  CHECK(strstr(tcc_error_text(C), "nonsense") != NULL);
  tcc_error_clear(C);
}

/* Both arms of a SELECT are evaluated: a load in the arm not chosen may have an out-of-bounds
 * index (padding). The input sits between two PROT_NONE pages, so a real out-of-bounds read
 * would crash. o[i] = (0 <= i-2 < n) ? a[i-2] : -1 for i < n + 4, as scalars and 8-lane vectors.
 */
static void test_guarded_select(void) {
  const int64_t N = 1024; /* exactly one page of floats */
  long pg = sysconf(_SC_PAGESIZE);
  if (pg != 4096) return;
  char *mem =
      mmap(NULL, (size_t)(3 * pg), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(mem != MAP_FAILED);
  if (mem == MAP_FAILED) return;
  mprotect(mem, (size_t)pg, PROT_NONE);
  mprotect(mem + 2 * pg, (size_t)pg, PROT_NONE);
  float *A = (float *)(mem + pg);
  for (int64_t i = 0; i < N; i++)
    A[i] = (float)i * 0.5f;
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_FLOAT32, N), *o = cgb_buf(C, "o", TCCRT_FLOAT32, N + 8);
  tcc_buffer *ov = cgb_buf(C, "ov", TCCRT_FLOAT32, N + 8);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type()), *io = tcc_var_new(C, "io", tcc_index_type());
  const tcc_expr *src = tcc_sub(C, cgb_v(C, i), cgb_i(C, 2));
  const tcc_expr *ok = tcc_and(C, tcc_ge(C, src, cgb_i(C, 0)), tcc_lt(C, src, cgb_i(C, N)));
  const tcc_stmt *s1 = tcc_s_for(
      C, i, cgb_i(C, 0), cgb_i(C, N + 4), TCC_FOR_SERIAL,
      cgb_st(C, o, cgb_v(C, i), tcc_select(C, ok, cgb_ld(C, a, src, NULL), cgb_f32(C, -1)), NULL));
  const tcc_expr *vidx =
      cgb_ramp(C, tcc_sub(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 8)), cgb_i(C, 2)), 1, 8);
  const tcc_expr *vok = tcc_and(C, tcc_ge(C, vidx, tcc_broadcast(C, cgb_i(C, 0), 8)),
                                tcc_lt(C, vidx, tcc_broadcast(C, cgb_i(C, N), 8)));
  const tcc_stmt *s2 = tcc_s_for(
      C, io, cgb_i(C, 0), cgb_i(C, (N + 8) / 8), TCC_FOR_SERIAL,
      cgb_st(C, ov, cgb_ramp(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 8)), 1, 8),
             tcc_select(C, vok, cgb_ld(C, a, vidx, NULL), tcc_broadcast(C, cgb_f32(C, -1), 8)),
             NULL));
  const tcc_buffer *ps[3] = {a, o, ov};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "guarded", 3, ps, 0, NULL, cgb_seq(C, 2, s1, s2)), 3);
  CHECK(fn != NULL);
  if (fn) {
    float *O = malloc(sizeof(float) * (size_t)(N + 8)),
          *OV = malloc(sizeof(float) * (size_t)(N + 8));
    void *args[3] = {A, O, OV};
    CHECK(fn(args, NULL) == 0);
    int bad = 0;
    for (int64_t k = 0; k < N + 4; k++)
      bad += O[k] != ((k - 2 >= 0 && k - 2 < N) ? A[k - 2] : -1);
    for (int64_t k = 0; k < N + 8; k++)
      bad += OV[k] != ((k - 2 >= 0 && k - 2 < N) ? A[k - 2] : -1);
    CHECK_MSG(bad == 0, "guarded select: %d wrong", bad);
    free(O);
    free(OV);
  }
  munmap(mem, (size_t)(3 * pg));
}

/* Multi-dimensional (not yet flattened) indices: row-major flattening by the buffer's shape.
 * o[i, j] = a[i, j] * 2 + b[j, i] on 3x5 (b is 5x3). */
static void test_multidim(void) {
  const tcc_expr *s35[2] = {cgb_i(C, 3), cgb_i(C, 5)}, *s53[2] = {cgb_i(C, 5), cgb_i(C, 3)};
  tcc_buffer *a = tcc_buffer_new(C, "a", TCCRT_FLOAT32, 2, s35, TCC_SCOPE_GLOBAL);
  tcc_buffer *b = tcc_buffer_new(C, "b", TCCRT_FLOAT32, 2, s53, TCC_SCOPE_GLOBAL);
  tcc_buffer *o = tcc_buffer_new(C, "o", TCCRT_FLOAT32, 2, s35, TCC_SCOPE_GLOBAL);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type()), *j = tcc_var_new(C, "j", tcc_index_type());
  const tcc_expr *ij[2] = {cgb_v(C, i), cgb_v(C, j)}, *ji[2] = {cgb_v(C, j), cgb_v(C, i)};
  const tcc_expr *v = tcc_add(C, tcc_mul(C, tcc_load(C, a, 2, ij, NULL), cgb_f32(C, 2)),
                              tcc_load(C, b, 2, ji, NULL));
  const tcc_stmt *body = tcc_s_for(
      C, i, cgb_i(C, 0), cgb_i(C, 3), TCC_FOR_SERIAL,
      tcc_s_for(C, j, cgb_i(C, 0), cgb_i(C, 5), TCC_FOR_SERIAL, tcc_s_store(C, o, 2, ij, v, NULL)));
  const tcc_buffer *ps[3] = {a, b, o};
  tcc_llvm_kernel_fn fn = jit1(cgb_func(C, "multidim", 3, ps, 0, NULL, body), 1);
  CHECK(fn != NULL);
  if (!fn) return;
  float A[15], B[15], O[15];
  for (int k = 0; k < 15; k++) {
    A[k] = (float)k;
    B[k] = (float)(100 * k);
  }
  void *args[3] = {A, B, O};
  CHECK(fn(args, NULL) == 0);
  int bad = 0;
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 5; c++)
      bad += O[r * 5 + c] != A[r * 5 + c] * 2 + B[c * 3 + r];
  CHECK_MSG(bad == 0, "multi-dimensional indices: %d wrong", bad);
}

int main(void) {
  tcc_test_seed("test_llvm_codegen");
  C = tcc_context_create();
  for (int opt = 0; opt <= 3; opt++)
    test_vector_add_tail(opt);
  test_reduction();
  test_parallel();
  test_half_storage();
  test_casts();
  test_nan_minmax();
  test_alloc_and_ints();
  test_gather_scatter();
  test_errors();
  test_guarded_select();
  test_multidim();
  for (int i = 0; i < g_njits; i++)
    tcc_llvm_jit_destroy(g_jits[i]);
  tcc_context_destroy(C);
  return tcc_test_finish("test_llvm_codegen");
}
