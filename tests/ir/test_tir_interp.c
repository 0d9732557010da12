/* test_tir_interp.c — the loop-IR interpreter's semantics (ir/interp.h), each against values
 * computed here in plain C: every dtype's load/store/arithmetic, NaN-propagating MIN/MAX,
 * intrinsics (ROUND half to even), C and floor division, shifts past the width, casts,
 * float16/bfloat16 storage, vectors lane by lane (ramp, broadcast, predicated loads/stores),
 * SELECT evaluating only the chosen arm, allocations, parallel loops. */
#include "interp.h"
#include "testutil.h"

#include <math.h>
#include <string.h>

static tcc_context *ctx;

/* runs out[0] = e with e over no inputs; out has dtype dt; returns false on error */
static bool run1(const tcc_expr *e, tccrt_dtype dt, void *out) {
  const tcc_expr *sh[1] = {tcc_idx(ctx, 1)};
  tcc_buffer *b = tcc_buffer_new(ctx, "out", dt, 1, sh, TCC_SCOPE_GLOBAL);
  const tcc_expr *i0 = tcc_idx(ctx, 0);
  const tcc_buffer *params[1] = {b};
  tcc_primfunc fn = {0};
  fn.name = "f";
  fn.nparams = 1;
  fn.params = params;
  fn.body = tcc_s_store(ctx, b, 1, &i0, e, NULL);
  void *bufs[1] = {out};
  tcc_status st = tcc_interp_run(ctx, &fn, bufs, NULL);
  CHECK_MSG(st == TCC_OK, "%s", tcc_error_text(ctx));
  return st == TCC_OK;
}

/* builds a non-foldable value: a let-bound var, so the constructors cannot fold */
static const tcc_expr *opaque(const tcc_expr *v) {
  tcc_var *x = tcc_var_new(ctx, "x", v->type);
  return tcc_let(ctx, x, v, tcc_expr_var(ctx, x));
}

static double f32(const tcc_expr *e) {
  float r = -12345;
  run1(e, TCCRT_FLOAT32, &r);
  return r;
}
static int64_t i64(const tcc_expr *e) {
  int64_t r = -12345;
  run1(e, TCCRT_INT64, &r);
  return r;
}

static void scalars(void) {
  tcc_type f = tcc_scalar(TCCRT_FLOAT32), i32 = tcc_scalar(TCCRT_INT32),
           u8 = tcc_scalar(TCCRT_UINT8);
  const tcc_expr *nan = opaque(tcc_float(ctx, f, NAN)), *one = opaque(tcc_float(ctx, f, 1));
  CHECK(isnan(f32(tcc_min(ctx, nan, one))));
  CHECK(isnan(f32(tcc_max(ctx, one, nan))));
  CHECK(f32(tcc_max(ctx, one, opaque(tcc_float(ctx, f, -3)))) == 1.0);
  CHECK(f32(tcc_call1(ctx, TCC_INTRIN_ROUND, opaque(tcc_float(ctx, f, 2.5)))) == 2.0);
  CHECK(f32(tcc_call1(ctx, TCC_INTRIN_ROUND, opaque(tcc_float(ctx, f, 3.5)))) == 4.0);
  CHECK(f32(tcc_call1(ctx, TCC_INTRIN_ROUND, opaque(tcc_float(ctx, f, -0.5)))) == 0.0);
  CHECK(fabs(f32(tcc_call1(ctx, TCC_INTRIN_SIGMOID, opaque(tcc_float(ctx, f, 0)))) - 0.5) < 1e-7);
  CHECK(fabs(f32(tcc_call1(ctx, TCC_INTRIN_EXP, one)) - (float)exp(1.0)) < 1e-6);
  /* float32 arithmetic rounds to float after each op: 1 + 2^-30 == 1 in float */
  CHECK(f32(tcc_add(ctx, one, opaque(tcc_float(ctx, f, ldexp(1, -30))))) == 1.0);
  /* integer division: C truncation vs floor */
  const tcc_expr *m7 = opaque(tcc_int(ctx, i32, -7)), *two = opaque(tcc_int(ctx, i32, 2));
  int32_t r32;
  run1(tcc_div(ctx, m7, two), TCCRT_INT32, &r32);
  CHECK(r32 == -3);
  run1(tcc_mod(ctx, m7, two), TCCRT_INT32, &r32);
  CHECK(r32 == -1);
  run1(tcc_floordiv(ctx, m7, two), TCCRT_INT32, &r32);
  CHECK(r32 == -4);
  run1(tcc_floormod(ctx, m7, two), TCCRT_INT32, &r32);
  CHECK(r32 == 1);
  /* int32 wraps */
  run1(tcc_add(ctx, opaque(tcc_int(ctx, i32, INT32_MAX)), opaque(tcc_int(ctx, i32, 1))),
       TCCRT_INT32, &r32);
  CHECK(r32 == INT32_MIN);
  /* shifts */
  uint8_t r8;
  run1(tcc_binary(ctx, TCC_SHL, opaque(tcc_int(ctx, u8, 3)), opaque(tcc_int(ctx, u8, 9))),
       TCCRT_UINT8, &r8);
  CHECK(r8 == 0);
  run1(tcc_binary(ctx, TCC_SHL, opaque(tcc_int(ctx, u8, 3)), opaque(tcc_int(ctx, u8, 6))),
       TCCRT_UINT8, &r8);
  CHECK(r8 == 192);
  run1(tcc_binary(ctx, TCC_SHR, opaque(tcc_int(ctx, u8, 200)), opaque(tcc_int(ctx, u8, 8))),
       TCCRT_UINT8, &r8);
  CHECK(r8 == 0);
  run1(tcc_binary(ctx, TCC_SHR, opaque(tcc_int(ctx, u8, 200)), opaque(tcc_int(ctx, u8, 3))),
       TCCRT_UINT8, &r8);
  CHECK(r8 == 25);
  /* unsigned comparisons */
  uint8_t b;
  run1(tcc_lt(ctx, opaque(tcc_int(ctx, u8, 200)), opaque(tcc_int(ctx, u8, 100))), TCCRT_BOOL, &b);
  CHECK(b == 0);
  /* casts: float -> int truncates toward zero, saturates, NaN -> 0 */
  run1(tcc_cast(ctx, i32, opaque(tcc_float(ctx, f, -2.7))), TCCRT_INT32, &r32);
  CHECK(r32 == -2);
  run1(tcc_cast(ctx, i32, opaque(tcc_float(ctx, f, 1e20))), TCCRT_INT32, &r32);
  CHECK(r32 == INT32_MAX);
  run1(tcc_cast(ctx, i32, nan), TCCRT_INT32, &r32);
  CHECK(r32 == 0);
  run1(tcc_cast(ctx, u8, opaque(tcc_int(ctx, i32, 300))), TCCRT_UINT8, &r8);
  CHECK(r8 == 44);
  /* select evaluates only the chosen arm: the other divides by zero */
  const tcc_expr *zero = opaque(tcc_idx(ctx, 0));
  CHECK(i64(tcc_select(ctx, opaque(tcc_bool(ctx, true)), tcc_idx(ctx, 5),
                       tcc_div(ctx, tcc_idx(ctx, 1), zero))) == 5);
  /* int abs wraps at INT_MIN */
  run1(tcc_call1(ctx, TCC_INTRIN_ABS, opaque(tcc_int(ctx, i32, INT32_MIN))), TCCRT_INT32, &r32);
  CHECK(r32 == INT32_MIN);
}

static void half_formats(void) {
  /* round trips and rounding of the storage formats */
  CHECK(tcc_f16_to_f32(tcc_f32_to_f16(1.0f)) == 1.0f);
  CHECK(tcc_f16_to_f32(tcc_f32_to_f16(65504.0f)) == 65504.0f);
  CHECK(isinf(tcc_f16_to_f32(tcc_f32_to_f16(70000.0f))));
  CHECK(tcc_f16_to_f32(tcc_f32_to_f16(1.0f + 1.0f / 2048)) == 1.0f); /* half an ulp: ties to even */
  CHECK(tcc_f16_to_f32(tcc_f32_to_f16(1.0f + 3.0f / 4096)) ==
        1.0f + 1.0f / 1024);                                             /* 0.75 ulp: rounds up */
  CHECK(tcc_f16_to_f32(tcc_f32_to_f16(5.9604645e-8f)) == 5.9604645e-8f); /* smallest subnormal */
  CHECK(isnan(tcc_f16_to_f32(tcc_f32_to_f16(NAN))));
  CHECK(tcc_bf16_to_f32(tcc_f32_to_bf16(1.0f)) == 1.0f);
  CHECK(tcc_bf16_to_f32(tcc_f32_to_bf16(1.00390625f)) == 1.0f); /* 1 + 2^-8: tie to even */
  CHECK(isnan(tcc_bf16_to_f32(tcc_f32_to_bf16(NAN))));
  /* float16 arithmetic rounds to half after each operation: 2048 + 1 == 2048 */
  tcc_type h = tcc_scalar(TCCRT_FLOAT16);
  uint16_t r;
  run1(tcc_add(ctx, opaque(tcc_float(ctx, h, 2048)), opaque(tcc_float(ctx, h, 1))), TCCRT_FLOAT16,
       &r);
  CHECK(tcc_f16_to_f32(r) == 2048.0f);
}

/* out[ramp(0,1,8)] = in[ramp(1,2,8)] * 2 if lane < 5 ; vector stores read all lanes first */
static void vectors(void) {
  const tcc_expr *s16[1] = {tcc_idx(ctx, 16)}, *s8[1] = {tcc_idx(ctx, 8)};
  tcc_buffer *in = tcc_buffer_new(ctx, "in", TCCRT_INT16, 1, s16, TCC_SCOPE_GLOBAL);
  tcc_buffer *out = tcc_buffer_new(ctx, "out", TCCRT_INT16, 1, s8, TCC_SCOPE_GLOBAL);
  tcc_type i16x8 = tcc_type_of(TCCRT_INT16, 8);
  const tcc_expr *lanes = tcc_ramp(ctx, tcc_idx(ctx, 0), tcc_idx(ctx, 1), 8);
  const tcc_expr *pred = tcc_lt(ctx, lanes, tcc_broadcast(ctx, tcc_idx(ctx, 5), 8));
  const tcc_expr *src = tcc_ramp(ctx, tcc_idx(ctx, 1), tcc_idx(ctx, 2), 8);
  const tcc_expr *val = tcc_mul(ctx, tcc_load(ctx, in, 1, &src, pred), tcc_int(ctx, i16x8, 2));
  const tcc_stmt *st = tcc_s_store(ctx, out, 1, &lanes, val, pred);
  /* then shift out left by one lane in one vector store: out[0..6] = out[1..7] */
  const tcc_expr *l7 = tcc_ramp(ctx, tcc_idx(ctx, 0), tcc_idx(ctx, 1), 7);
  const tcc_expr *r7 = tcc_ramp(ctx, tcc_idx(ctx, 1), tcc_idx(ctx, 1), 7);
  const tcc_stmt *sh = tcc_s_store(ctx, out, 1, &l7, tcc_load(ctx, out, 1, &r7, NULL), NULL);
  const tcc_stmt *v[2] = {st, sh};
  const tcc_buffer *params[2] = {in, out};
  tcc_primfunc fn = {0};
  fn.name = "vec";
  fn.nparams = 2;
  fn.params = params;
  fn.body = tcc_s_seq(ctx, 2, v);
  int16_t a[16], o[8];
  for (int i = 0; i < 16; i++)
    a[i] = (int16_t)(i * 3 - 7);
  for (int i = 0; i < 8; i++)
    o[i] = 100;
  void *bufs[2] = {a, o};
  CHECK_MSG(tcc_interp_run(ctx, &fn, bufs, NULL) == TCC_OK, "%s", tcc_error_text(ctx));
  int16_t want[8];
  for (int l = 0; l < 8; l++)
    want[l] = l < 5 ? (int16_t)(a[1 + 2 * l] * 2) : 100;
  for (int l = 0; l < 7; l++)
    CHECK_MSG(o[l] == want[l + 1], "lane %d: %d vs %d", l, o[l], want[l + 1]);
  CHECK(o[7] == want[7]);
}

/* scratch allocation + parallel loop: s[i] = i*i into stack memory, then out[i] = s[i] + 1 */
static void alloc_parallel(void) {
  const tcc_expr *s5[1] = {tcc_idx(ctx, 5)};
  tcc_buffer *tmp = tcc_buffer_new(ctx, "tmp", TCCRT_INT64, 1, s5, TCC_SCOPE_STACK);
  tcc_buffer *out = tcc_buffer_new(ctx, "out", TCCRT_INT64, 1, s5, TCC_SCOPE_GLOBAL);
  tcc_var *i = tcc_var_new(ctx, "i", tcc_index_type());
  const tcc_expr *ie = tcc_expr_var(ctx, i);
  const tcc_stmt *w = tcc_s_for(ctx, i, tcc_idx(ctx, 0), tcc_idx(ctx, 5), TCC_FOR_PARALLEL,
                                tcc_s_store(ctx, tmp, 1, &ie, tcc_mul(ctx, ie, ie), NULL));
  tcc_var *j = tcc_var_new(ctx, "j", tcc_index_type());
  const tcc_expr *je = tcc_expr_var(ctx, j);
  const tcc_stmt *r =
      tcc_s_for(ctx, j, tcc_idx(ctx, 0), tcc_idx(ctx, 5), TCC_FOR_UNROLLED,
                tcc_s_store(ctx, out, 1, &je,
                            tcc_add(ctx, tcc_load(ctx, tmp, 1, &je, NULL), tcc_idx(ctx, 1)), NULL));
  const tcc_stmt *v[2] = {w, r};
  const tcc_buffer *params[1] = {out};
  tcc_primfunc fn = {0};
  fn.name = "alloc";
  fn.nparams = 1;
  fn.params = params;
  fn.body = tcc_s_allocate(ctx, tmp, tcc_idx(ctx, 5), tcc_s_seq(ctx, 2, v));
  int64_t o[5];
  void *bufs[1] = {o};
  CHECK_MSG(tcc_interp_run(ctx, &fn, bufs, NULL) == TCC_OK, "%s", tcc_error_text(ctx));
  for (int k = 0; k < 5; k++)
    CHECK(o[k] == k * k + 1);
  /* the scratch is gone after its allocation: a load outside it is an error */
  fn.body =
      tcc_s_seq(ctx, 2, (const tcc_stmt *const[]){tcc_s_allocate(ctx, tmp, tcc_idx(ctx, 5), w), r});
  CHECK(tcc_interp_run(ctx, &fn, bufs, NULL) == TCC_ERR);
  CHECK(strstr(tcc_error_text(ctx), "'tmp' is not allocated") != NULL);
  tcc_error_clear(ctx);
}

int main(void) {
  ctx = tcc_context_create();
  scalars();
  half_formats();
  vectors();
  alloc_parallel();
  tcc_context_destroy(ctx);
  return tcc_test_finish("test_tir_interp");
}
