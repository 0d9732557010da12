/* fp16.c — float64 -> float16 conversion for targets whose compiler support library may lack it.
 *
 * LLVM lowers `fptrunc double to half` on 32-bit ARM to a call of the ARM run-time ABI helper
 * __aeabi_d2h, which compiler-rt provides but libgcc (the GNU toolchains' support library) does
 * not, so an object compiled by tcc-ml for arm-linux-gnueabihf that casts float64 to float16 would
 * not link with gcc. libtccrt provides it, weak, so a toolchain's own definition wins. */
#include <stdint.h>
#include <string.h>

/* IEEE-754 binary64 -> binary16 bits, rounded to nearest, ties to even (a single rounding: going
 * through float32 would round twice). Overflow gives infinity, a NaN stays a quiet NaN with the
 * top payload bits, and -0.0 keeps its sign. */
uint16_t tccrt_f64_to_f16_bits(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  uint16_t sign = (uint16_t)((b >> 48) & 0x8000u);
  int exp = (int)((b >> 52) & 0x7ff);
  uint64_t man = b & ((UINT64_C(1) << 52) - 1);
  if (exp == 0x7ff) /* infinity, or NaN (quiet, high payload bits kept) */
    return (uint16_t)(sign | 0x7c00u | (man ? 0x200u | (uint16_t)(man >> 42) : 0u));
  if (exp == 0) return sign; /* zero, or a double subnormal: far below half's smallest */
  int e = exp - 1023 + 15;   /* the biased half exponent of a normal result */
  if (e >= 31) return (uint16_t)(sign | 0x7c00u);
  uint64_t m = man | (UINT64_C(1) << 52); /* 53-bit significand */
  int shift = e > 0 ? 42 : 42 + 1 - e;    /* keep 11 bits (normal) or fewer (subnormal) */
  if (shift > 62) return sign;            /* below half the smallest subnormal: rounds to 0 */
  uint64_t q = m >> shift, rem = m & ((UINT64_C(1) << shift) - 1),
           half = UINT64_C(1) << (shift - 1);
  if (rem > half || (rem == half && (q & 1))) q++;
  /* normal: q holds the implicit bit, so (e - 1) << 10 plus q is the encoding, and a carry out of
   * the significand (q == 2048) moves to the next exponent (infinity past 65504); subnormal: q is
   * the encoding, and q == 1024 is the smallest normal */
  uint32_t r = e > 0 ? ((uint32_t)(e - 1) << 10) + (uint32_t)q : (uint32_t)q;
  return (uint16_t)(sign | r);
}

#if defined(__arm__)
/* The ARM run-time ABI helper (base procedure call standard: the double arrives in r0:r1). */
__attribute__((weak, pcs("aapcs"))) unsigned short __aeabi_d2h(double x) {
  return tccrt_f64_to_f16_bits(x);
}
#endif
