/* thread_pool.c — the runtime's thread pool and tccrt_parallel_for.
 *
 * One process-wide pool of persistent worker threads, created on the first parallel loop (or by
 * tccrt_set_num_threads) and kept until the count changes or the process exits. Handing work to
 * the workers is one generation-counter bump under a mutex; workers spin briefly on the counter
 * before sleeping on a condition variable, so back-to-back parallel loops do not pay a futex
 * wake-up each. The calling thread runs chunk 0 itself and then waits for the others (spin, then
 * sleep): a fork-join barrier per loop.
 *
 * With one thread there is no pool at all: loops run inline on the caller. Nested calls (from
 * inside a body) and calls made while another thread is using the pool run serially on the
 * calling thread, so concurrent tccrt_parallel_for calls are safe and never deadlock. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tccrt.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TCCRT_PAUSE() _mm_pause()
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
#define TCCRT_PAUSE() __asm__ __volatile__("yield" ::: "memory")
#else
#define TCCRT_PAUSE() ((void)0)
#endif

/* Iterations of the spin loop before a worker or the caller goes to sleep. */
#define TCCRT_SPIN_COUNT 20000

typedef struct tccrt_pool {
  int nthreads; /* including the calling thread */
  pthread_t *threads;
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_done;
  atomic_uint gen;       /* bumped once per parallel loop */
  atomic_int remaining;  /* workers that have not finished the current loop */
  atomic_int result;     /* first non-zero body result of the current loop */
  atomic_bool shutdown;
  /* the current loop */
  int64_t n;
  tccrt_parallel_body body;
  void *closure;
} tccrt_pool;

typedef struct worker_arg {
  tccrt_pool *pool;
  int tid;
} worker_arg;

static pthread_mutex_t g_config_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_num_threads;          /* 0 = not decided yet */
static tccrt_pool *g_pool;         /* NULL when g_num_threads == 1 or not started */
static atomic_flag g_busy = ATOMIC_FLAG_INIT; /* set while a loop runs on the pool */
static _Thread_local int t_in_parallel;        /* inside a body on this thread */

static void run_chunk(tccrt_pool *p, int tid) {
  int64_t T = p->nthreads;
  int64_t begin = p->n * tid / T, end = p->n * (tid + 1) / T;
  if (begin >= end) return;
  t_in_parallel = 1;
  int r = p->body(begin, end, p->closure);
  t_in_parallel = 0;
  if (r != 0) {
    int expected = 0;
    atomic_compare_exchange_strong(&p->result, &expected, r);
  }
}

static void *worker_main(void *argp) {
  worker_arg *wa = argp;
  tccrt_pool *p = wa->pool;
  int tid = wa->tid;
  free(wa);
  unsigned seen = 0;
  for (;;) {
    unsigned g;
    int spins = 0;
    while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen) {
      if (++spins < TCCRT_SPIN_COUNT) {
        TCCRT_PAUSE();
        continue;
      }
      pthread_mutex_lock(&p->mu);
      while (atomic_load_explicit(&p->gen, memory_order_acquire) == seen &&
             !atomic_load_explicit(&p->shutdown, memory_order_acquire))
        pthread_cond_wait(&p->cv_work, &p->mu);
      pthread_mutex_unlock(&p->mu);
      spins = 0;
    }
    seen = g;
    if (atomic_load_explicit(&p->shutdown, memory_order_acquire)) return NULL;
    run_chunk(p, tid);
    if (atomic_fetch_sub_explicit(&p->remaining, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&p->mu);
      pthread_cond_signal(&p->cv_done);
      pthread_mutex_unlock(&p->mu);
    }
  }
}

static void pool_destroy(tccrt_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  atomic_store_explicit(&p->shutdown, true, memory_order_release);
  atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
  pthread_cond_broadcast(&p->cv_work);
  pthread_mutex_unlock(&p->mu);
  for (int i = 1; i < p->nthreads; i++)
    if (p->threads[i]) pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->cv_work);
  pthread_cond_destroy(&p->cv_done);
  pthread_mutex_destroy(&p->mu);
  free(p->threads);
  free(p);
}

/* Creates a pool of n threads (n >= 2); NULL with the error recorded on failure. */
static tccrt_pool *pool_create(int n) {
  tccrt_pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->threads = calloc((size_t)n, sizeof *p->threads);
  if (!p->threads) {
    free(p);
    return NULL;
  }
  p->nthreads = n;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv_work, NULL);
  pthread_cond_init(&p->cv_done, NULL);
  atomic_init(&p->gen, 0);
  atomic_init(&p->remaining, 0);
  atomic_init(&p->result, 0);
  atomic_init(&p->shutdown, false);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  /* Generated kernels keep small scratch on the stack: give workers a generous one. */
  pthread_attr_setstacksize(&attr, (size_t)8 << 20);
  for (int i = 1; i < n; i++) {
    worker_arg *wa = malloc(sizeof *wa);
    if (wa) {
      wa->pool = p;
      wa->tid = i;
    }
    int rc = wa ? pthread_create(&p->threads[i], &attr, worker_main, wa) : ENOMEM;
    if (rc != 0) {
      free(wa);
      p->nthreads = i; /* join only what started */
      pthread_attr_destroy(&attr);
      pool_destroy(p);
      tccrt_set_error(TCCRT_ERR_INTERNAL, "tccrt: cannot create worker thread %d: %s", i,
                      strerror(rc));
      return NULL;
    }
  }
  pthread_attr_destroy(&attr);
  return p;
}

static int default_num_threads(void) {
  const char *env = getenv("TCCRT_NUM_THREADS");
  if (env && *env) {
    char *end;
    long v = strtol(env, &end, 10);
    if (*end == '\0' && v >= 1 && v <= 1024) return (int)v;
  }
  long c = sysconf(_SC_NPROCESSORS_ONLN);
  if (c < 1) c = 1;
  if (c > 1024) c = 1024;
  return (int)c;
}

/* Returns the pool to use (NULL = run serially). Called with g_config_mu held. */
static tccrt_pool *ensure_pool_locked(void) {
  if (g_num_threads == 0) g_num_threads = default_num_threads();
  if (g_num_threads > 1 && !g_pool) g_pool = pool_create(g_num_threads);
  return g_pool;
}

int tccrt_set_num_threads(int n) {
  if (n < 1 || n > 1024)
    return tccrt_set_error(TCCRT_ERR_INVALID_ARGUMENT,
                           "tccrt_set_num_threads: expected 1..1024 threads, got %d", n);
  if (t_in_parallel)
    return tccrt_set_error(TCCRT_ERR_INVALID_ARGUMENT,
                           "tccrt_set_num_threads: called from inside a parallel loop body");
  pthread_mutex_lock(&g_config_mu);
  if (n != g_num_threads) {
    /* Wait for a loop running on the pool to finish before tearing it down. */
    while (atomic_flag_test_and_set_explicit(&g_busy, memory_order_acquire)) sched_yield();
    pool_destroy(g_pool);
    g_pool = NULL;
    g_num_threads = n;
    atomic_flag_clear_explicit(&g_busy, memory_order_release);
  }
  pthread_mutex_unlock(&g_config_mu);
  return TCCRT_OK;
}

int tccrt_get_num_threads(void) {
  pthread_mutex_lock(&g_config_mu);
  if (g_num_threads == 0) g_num_threads = default_num_threads();
  int n = g_num_threads;
  pthread_mutex_unlock(&g_config_mu);
  return n;
}

static int run_serial(int64_t n, tccrt_parallel_body body, void *closure) {
  int saved = t_in_parallel;
  t_in_parallel = 1;
  int r = body(0, n, closure);
  t_in_parallel = saved;
  return r;
}

__attribute__((weak)) int tccrt_parallel_for(int64_t n, tccrt_parallel_body body, void *closure) {
  if (!body) return tccrt_set_error(TCCRT_ERR_INVALID_ARGUMENT, "tccrt_parallel_for: NULL body");
  if (n <= 0) return 0;
  if (t_in_parallel || n == 1) return run_serial(n, body, closure);
  /* Take the pool; if another thread is using it, run on this thread instead of waiting. */
  if (atomic_flag_test_and_set_explicit(&g_busy, memory_order_acquire))
    return run_serial(n, body, closure);
  pthread_mutex_lock(&g_config_mu);
  tccrt_pool *p = ensure_pool_locked();
  pthread_mutex_unlock(&g_config_mu);
  if (!p) {
    atomic_flag_clear_explicit(&g_busy, memory_order_release);
    return run_serial(n, body, closure);
  }
  p->n = n;
  p->body = body;
  p->closure = closure;
  atomic_store_explicit(&p->result, 0, memory_order_relaxed);
  atomic_store_explicit(&p->remaining, p->nthreads - 1, memory_order_relaxed);
  pthread_mutex_lock(&p->mu);
  atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
  pthread_cond_broadcast(&p->cv_work);
  pthread_mutex_unlock(&p->mu);
  run_chunk(p, 0);
  int spins = 0;
  while (atomic_load_explicit(&p->remaining, memory_order_acquire) != 0) {
    if (++spins < TCCRT_SPIN_COUNT) {
      TCCRT_PAUSE();
      continue;
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->remaining, memory_order_acquire) != 0)
      pthread_cond_wait(&p->cv_done, &p->mu);
    pthread_mutex_unlock(&p->mu);
  }
  int r = atomic_load_explicit(&p->result, memory_order_relaxed);
  atomic_flag_clear_explicit(&g_busy, memory_order_release);
  return r;
}
