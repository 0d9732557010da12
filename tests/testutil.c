#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

int tcc_test_failures;
int tcc_test_checks;
static uint64_t rng_state = 88172645463325252ull;
static uint64_t seed_used;

uint64_t tcc_test_seed(const char *test_name) {
  const char *s = getenv("TCC_TEST_SEED");
  seed_used = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
  rng_state = seed_used ? seed_used : 1;
  fprintf(stderr, "%s: seed: %llu (set TCC_TEST_SEED to reproduce)\n", test_name,
          (unsigned long long)seed_used);
  return seed_used;
}

uint64_t tcc_test_rand(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}

double tcc_test_uniform(double lo, double hi) {
  return lo + (hi - lo) * ((double)(tcc_test_rand() >> 11) / 9007199254740992.0);
}

int64_t tcc_test_randint(int64_t lo, int64_t hi) {
  return lo + (int64_t)(tcc_test_rand() % (uint64_t)(hi - lo + 1));
}

bool tcc_test_close(double a, double b, double rtol, double atol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (isinf(a) || isinf(b)) return a == b;
  return fabs(a - b) <= atol + rtol * fabs(b);
}

int tcc_test_finish(const char *test_name) {
  if (tcc_test_failures)
    fprintf(stderr, "%s: %d of %d checks failed (seed %llu)\n", test_name, tcc_test_failures,
            tcc_test_checks, (unsigned long long)seed_used);
  else
    printf("%s: %d checks passed\n", test_name, tcc_test_checks);
  return tcc_test_failures ? 1 : 0;
}

const char *tcc_test_shared_dir(void) {
  const char *s = getenv("TCC_SHARED_DIR");
  return s ? s : "../shared";
}
