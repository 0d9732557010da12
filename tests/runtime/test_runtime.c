/* test_runtime.c — libtccrt: thread pool, tccrt_parallel_for, allocation hooks, errors. */
#include "tccrt.h"
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct cover {
  int64_t n;
  atomic_int *hits;
  atomic_int calls;
} cover;

static int cover_body(int64_t begin, int64_t end, void *cl) {
  cover *c = cl;
  atomic_fetch_add(&c->calls, 1);
  if (begin < 0 || end > c->n || begin >= end) return 7;
  for (int64_t i = begin; i < end; i++)
    atomic_fetch_add(&c->hits[i], 1);
  return 0;
}

/* Every index in [0, n) is visited exactly once, for several thread counts and sizes. */
static void test_coverage(void) {
  static const int threads[] = {1, 2, 3, 4, 7};
  static const int64_t sizes[] = {1, 2, 3, 5, 17, 1000, 4097};
  for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
    CHECK(tccrt_set_num_threads(threads[t]) == TCCRT_OK);
    CHECK(tccrt_get_num_threads() == threads[t]);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
      for (int rep = 0; rep < 20; rep++) {
        cover c = {.n = sizes[s]};
        c.hits = calloc((size_t)c.n, sizeof *c.hits);
        atomic_init(&c.calls, 0);
        int r = tccrt_parallel_for(c.n, cover_body, &c);
        CHECK_MSG(r == 0, "threads=%d n=%lld r=%d", threads[t], (long long)c.n, r);
        int bad = 0;
        for (int64_t i = 0; i < c.n; i++)
          bad += atomic_load(&c.hits[i]) != 1;
        CHECK_MSG(bad == 0, "threads=%d n=%lld: %d indices not visited exactly once", threads[t],
                  (long long)c.n, bad);
        /* Contiguous chunks, claimed dynamically: one call on one thread, at most
         * TCCRT_MAX_CHUNKS_PER_THREAD per thread otherwise, never more than n. */
        int calls = atomic_load(&c.calls);
        CHECK_MSG(calls >= 1 && calls <= c.n &&
                      calls <= (threads[t] == 1 ? 1 : threads[t] * TCCRT_MAX_CHUNKS_PER_THREAD),
                  "threads=%d n=%lld: %d body calls", threads[t], (long long)c.n, calls);
        free(c.hits);
      }
    }
  }
}

/* A body that fails on one chunk: the loop returns its code. */
static int failing_body(int64_t begin, int64_t end, void *cl) {
  int64_t bad = *(int64_t *)cl;
  return (bad >= begin && bad < end) ? 42 : 0;
}

static void test_error_propagation(void) {
  for (int t = 1; t <= 4; t++) {
    tccrt_set_num_threads(t);
    int64_t bad = 999;
    CHECK(tccrt_parallel_for(1000, failing_body, &bad) == 42);
    bad = 0;
    CHECK(tccrt_parallel_for(1000, failing_body, &bad) == 42);
    bad = -1;
    CHECK(tccrt_parallel_for(1000, failing_body, &bad) == 0);
  }
  CHECK(tccrt_parallel_for(10, NULL, NULL) == TCCRT_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tccrt_last_error(), "NULL body") != NULL);
  CHECK(tccrt_parallel_for(0, failing_body, NULL) == 0); /* empty loop: body not called */
  CHECK(tccrt_set_num_threads(0) == TCCRT_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tccrt_last_error(), "got 0") != NULL);
}

/* Nested parallel loops run serially inside a body (no deadlock) and still cover everything. */
typedef struct nest {
  atomic_long sum;
} nest;
static int inner_body(int64_t begin, int64_t end, void *cl) {
  nest *n = cl;
  for (int64_t i = begin; i < end; i++)
    atomic_fetch_add(&n->sum, (long)i);
  return 0;
}
static int outer_body(int64_t begin, int64_t end, void *cl) {
  for (int64_t i = begin; i < end; i++) {
    int r = tccrt_parallel_for(100, inner_body, cl);
    if (r) return r;
  }
  return 0;
}

static int set_threads_body(int64_t begin, int64_t end, void *cl) {
  (void)begin;
  (void)end;
  *(int *)cl = tccrt_set_num_threads(2); /* refused inside a body: would wait on itself */
  return 0;
}

static void test_nested(void) {
  tccrt_set_num_threads(3);
  nest n;
  atomic_init(&n.sum, 0);
  CHECK(tccrt_parallel_for(10, outer_body, &n) == 0);
  CHECK(atomic_load(&n.sum) == 10L * (99L * 100L / 2));
  int rc = 0;
  CHECK(tccrt_parallel_for(1, set_threads_body, &rc) == 0);
  CHECK(rc == TCCRT_ERR_INVALID_ARGUMENT);
  CHECK(tccrt_get_num_threads() == 3);
}

/* Two host threads calling tccrt_parallel_for at once: both complete and are correct. */
static void *host_thread(void *arg) {
  int *ok = arg;
  *ok = 1;
  for (int rep = 0; rep < 200; rep++) {
    nest n;
    atomic_init(&n.sum, 0);
    if (tccrt_parallel_for(1000, inner_body, &n) != 0 || atomic_load(&n.sum) != 999L * 1000 / 2)
      *ok = 0;
  }
  return NULL;
}

static void test_concurrent_callers(void) {
  tccrt_set_num_threads(2);
  pthread_t a, b;
  int oka = 0, okb = 0;
  pthread_create(&a, NULL, host_thread, &oka);
  pthread_create(&b, NULL, host_thread, &okb);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  CHECK(oka && okb);
}

/* Small loops run in one call on the calling thread once measured; long loops use the workers. */
typedef struct who {
  pthread_t caller;
  atomic_int calls, elsewhere;
  int sleep_us;
} who;
static int who_body(int64_t begin, int64_t end, void *cl) {
  who *w = cl;
  atomic_fetch_add(&w->calls, 1);
  if (!pthread_equal(pthread_self(), w->caller)) atomic_fetch_add(&w->elsewhere, 1);
  if (w->sleep_us)
    for (int64_t i = begin; i < end; i++)
      usleep((useconds_t)w->sleep_us);
  return 0;
}

static void test_small_loops_serial(void) {
  /* 10 ms: far above an empty loop's time, even under qemu; below the sleeping loop's 32 ms. */
  setenv("TCCRT_PARALLEL_MIN_NS", "10000000", 1);
  tccrt_set_num_threads(1);
  tccrt_set_num_threads(2);
  int serial_ok = 0; /* most, not all: a measurement may be inflated by preemption */
  for (int rep = 0; rep < 20; rep++) {
    who w = {.caller = pthread_self()};
    atomic_init(&w.calls, 0);
    atomic_init(&w.elsewhere, 0);
    CHECK(tccrt_parallel_for(64, who_body, &w) == 0);
    if (rep > 0) serial_ok += atomic_load(&w.calls) == 1 && atomic_load(&w.elsewhere) == 0;
  }
  CHECK_MSG(serial_ok >= 10, "a 64-iteration empty loop ran serially %d of 19 times", serial_ok);
  /* 16 x 2 ms of sleeping: the worker takes some of it (a few tries: the machine may be busy). */
  int used_worker = 0;
  for (int rep = 0; rep < 20 && !used_worker; rep++) {
    who w = {.caller = pthread_self(), .sleep_us = 2000};
    atomic_init(&w.calls, 0);
    atomic_init(&w.elsewhere, 0);
    CHECK(tccrt_parallel_for(16, who_body, &w) == 0);
    used_worker = atomic_load(&w.elsewhere) > 0;
  }
  CHECK_MSG(used_worker, "a 32 ms loop never ran on the worker thread");
}

static void *set_error_thread(void *arg) {
  tccrt_set_error(TCCRT_ERR_IO, "other thread");
  return arg;
}

static void test_alloc_and_errors(void) {
  static const size_t aligns[] = {1, 8, 16, 64, 128, 4096};
  for (size_t i = 0; i < sizeof aligns / sizeof *aligns; i++) {
    void *p = tccrt_alloc(1000, aligns[i]);
    CHECK(p != NULL);
    CHECK(((uintptr_t)p % (aligns[i] < sizeof(void *) ? 1 : aligns[i])) == 0);
    memset(p, 0xab, 1000);
    tccrt_free(p);
  }
  CHECK(tccrt_alloc(16, 48) == NULL);
  CHECK(strstr(tccrt_last_error(), "power of two") != NULL);
  tccrt_free(NULL);
  CHECK(tccrt_set_error(TCCRT_ERR_IO, "x=%d", 5) == TCCRT_ERR_IO);
  CHECK(strcmp(tccrt_last_error(), "x=5") == 0);
  pthread_t t;
  pthread_create(&t, NULL, set_error_thread, NULL);
  pthread_join(t, NULL);
  CHECK(strcmp(tccrt_last_error(), "x=5") == 0); /* thread-local */
  CHECK(tccrt_dtype_size(TCCRT_FLOAT16) == 2 && tccrt_dtype_size(TCCRT_INT64) == 8);
  CHECK(tccrt_dtype_size(TCCRT_STRING) == 0);
  CHECK(strcmp(tccrt_dtype_name(TCCRT_BFLOAT16), "bfloat16") == 0);
}

int main(void) {
  /* Every loop through the pool, however small (the coverage tests use tiny bodies). */
  setenv("TCCRT_PARALLEL_MIN_NS", "0", 1);
  test_coverage();
  test_error_propagation();
  test_nested();
  test_concurrent_callers();
  test_small_loops_serial();
  test_alloc_and_errors();
  return tcc_test_finish("test_runtime");
}
