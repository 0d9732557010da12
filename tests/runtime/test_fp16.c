/* test_fp16.c — the runtime's float64 -> float16 conversion (tccrt_f64_to_f16_bits, and on 32-bit
 * ARM the __aeabi_d2h helper LLVM calls for `fptrunc double to half`) against an independent
 * reference: the nearest of all 63488 finite float16 values, decoded exactly, ties to the even
 * encoding; overflow past the halfway point above 65504 gives infinity. */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

uint16_t tccrt_f64_to_f16_bits(double x);

static double decode(uint16_t h) {
  int s = h >> 15, e = (h >> 10) & 31, f = h & 1023;
  double v = e == 0 ? ldexp(f, -24) : e == 31 ? (f ? NAN : INFINITY) : ldexp(f + 1024, e - 25);
  return s ? -v : v;
}

/* Positive finite halves in increasing order: encodings 0x0000..0x7bff. */
static uint16_t reference(double x) {
  uint16_t sign = signbit(x) ? 0x8000 : 0;
  double a = fabs(x);
  if (isnan(x)) return 0x7e00;
  if (a >= 65520.0) return sign | 0x7c00; /* 65504 + half an ulp (16) and above */
  int lo = 0, hi = 0x7bff;                /* largest encoding with decode <= a */
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (decode((uint16_t)mid) <= a)
      lo = mid;
    else
      hi = mid - 1;
  }
  uint16_t best = (uint16_t)lo;
  if (lo < 0x7bff) {
    double d0 = a - decode((uint16_t)lo), d1 = decode((uint16_t)(lo + 1)) - a;
    if (d1 < d0 || (d1 == d0 && ((lo + 1) & 1) == 0)) best = (uint16_t)(lo + 1);
  }
  return sign | best;
}

#if defined(__arm__)
/* What compiled code does: gcc calls __aeabi_d2h for this conversion (-mfp16-format=ieee). */
static uint16_t via_abi(double x) {
  volatile __fp16 h = (__fp16)x;
  uint16_t b;
  memcpy(&b, (const void *)&h, 2);
  return b;
}
#endif

static void check(double x) {
  uint16_t got = tccrt_f64_to_f16_bits(x), want = reference(x);
  bool same = got == want || (isnan(x) && (got & 0x7c00) == 0x7c00 && (got & 0x3ff));
  CHECK_MSG(same, "%.17g: got 0x%04x, want 0x%04x", x, got, want);
#if defined(__arm__)
  uint16_t abi = via_abi(x);
  CHECK_MSG(abi == got, "%.17g: __aeabi_d2h gave 0x%04x, tccrt_f64_to_f16_bits 0x%04x", x, abi,
            got);
#endif
}

int main(void) {
  tcc_test_seed("fp16");
  const double edges[] = {0.0,
                          -0.0,
                          1.0,
                          -1.0,
                          65504.0,
                          65519.99,
                          65520.0,
                          -65520.0,
                          1e300,
                          -1e300,
                          INFINITY,
                          -INFINITY,
                          NAN,
                          ldexp(1, -24),
                          ldexp(1, -25),
                          ldexp(1.5, -25),
                          ldexp(1, -26),
                          ldexp(3, -25),
                          6.103515625e-05,
                          6.1e-05,
                          2049.0,
                          2051.0,
                          4097.0,
                          1.0009765625,
                          1.00048828125,
                          1.00146484375,
                          5e-324,
                          -5e-324,
                          0.1};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
    check(edges[i]);
  /* every half, and the exact midpoints between neighbours (ties) and just either side */
  for (int h = 0; h < 0x7bff; h++) {
    double a = decode((uint16_t)h), b = decode((uint16_t)(h + 1)), m = (a + b) / 2;
    check(a);
    check(-a);
    check(m);
    check(nextafter(m, 0));
    check(nextafter(m, INFINITY));
  }
  /* random doubles across half's range and beyond */
  for (int i = 0; i < 200000; i++) {
    double x = ldexp(tcc_test_uniform(-1, 1), (int)tcc_test_randint(-30, 18));
    check(x);
  }
  return tcc_test_finish("test_fp16");
}
