/* testutil.h — a tiny test harness: CHECK macros that count failures, a seeded RNG whose seed is
 * printed (TCC_TEST_SEED overrides it), and float comparison with rtol/atol. */
#ifndef TCC_TESTUTIL_H
#define TCC_TESTUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

extern int tcc_test_failures;
extern int tcc_test_checks;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    tcc_test_checks++;                                                                             \
    if (!(cond)) {                                                                                 \
      tcc_test_failures++;                                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                     \
    }                                                                                              \
  } while (0)
#define CHECK_MSG(cond, ...)                                                                       \
  do {                                                                                             \
    tcc_test_checks++;                                                                             \
    if (!(cond)) {                                                                                 \
      tcc_test_failures++;                                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);                     \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
    }                                                                                              \
  } while (0)

/* Seeds the RNG from TCC_TEST_SEED or the clock and prints "seed: N" on stderr. */
uint64_t tcc_test_seed(const char *test_name);
uint64_t tcc_test_rand(void);                     /* xorshift64* */
double tcc_test_uniform(double lo, double hi);    /* [lo, hi) */
int64_t tcc_test_randint(int64_t lo, int64_t hi); /* [lo, hi] */
/* |a - b| <= atol + rtol * |b|, NaN equals NaN. */
bool tcc_test_close(double a, double b, double rtol, double atol);
/* Prints the summary line and returns the process exit code. */
int tcc_test_finish(const char *test_name);
/* $TCC_SHARED_DIR (or ../shared relative to the source dir). */
const char *tcc_test_shared_dir(void);

#endif
