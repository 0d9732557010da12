/* thread_pool.c — the runtime's thread pool and tccrt_parallel_for.
 *
 * One process-wide pool of persistent worker threads, created on the first parallel loop (or by
 * tccrt_set_num_threads) and kept until the count changes or the process exits.
 *
 * A loop [0, n) is cut into chunks (1 to TCCRT_CHUNKS_PER_THREAD per thread, each at least
 * TCCRT_CHUNK_NS long by the body's measured time) that the calling
 * thread and the workers claim one at a time from an atomic counter, so a worker that is not
 * running (the machine is shared, or the worker is still waking up) costs nothing: the caller
 * takes its chunks. A worker takes part in a loop only after registering in `active`; the caller
 * closes the loop when every chunk is claimed and then waits only for the registered workers that
 * are still running a chunk — never for a worker that has not started.
 *
 * Idle workers spin on the loop state for TCCRT_SPIN_NS (wall time, not iterations) and then
 * sleep on a condition variable; the caller wakes them only when one is asleep, so back-to-back
 * loops cost no system call. The caller's own wait for running chunks spins for the same time
 * before sleeping.
 *
 * Loops too small to pay for a handoff run serially on the caller: the runtime measures every
 * loop body (keyed by its function pointer) in nanoseconds per iteration, and runs a loop whose
 * estimated time n x ns/iteration is below TCCRT_SERIAL_NS on the calling thread alone. (A body
 * address reused by another function, e.g. after a JIT frees code, only starts from a wrong
 * estimate, corrected by the next few measurements; when the table is full, loops of new bodies
 * always go to the pool.)
 *
 * With one thread there is no pool at all: loops run inline on the caller. Nested calls (from
 * inside a body) and calls made while another thread is using the pool run serially on the
 * calling thread, so concurrent tccrt_parallel_for calls are safe and never deadlock. Nothing is
 * allocated per call. */
#include "tccrt.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TCCRT_PAUSE() _mm_pause()
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
#define TCCRT_PAUSE() __asm__ __volatile__("yield" ::: "memory")
#else
#define TCCRT_PAUSE() ((void)0)
#endif

/* How long an idle worker (or the caller waiting for running chunks) spins before sleeping
 * (20 us measured as good as 50 or 100 on bert_tiny, with less CPU spent spinning). */
#define TCCRT_SPIN_NS 20000
/* Loops estimated to take less than this (on one thread) run serially on the caller; the
 * environment variable TCCRT_PARALLEL_MIN_NS overrides it when the pool starts (0: never). */
#define TCCRT_SERIAL_NS 60000
/* Chunks per thread of a parallel loop: at most this many, fewer when n is smaller or when a
 * chunk would take less than TCCRT_CHUNK_NS (by the body's measured time), but at least one per
 * thread. */
#define TCCRT_CHUNKS_PER_THREAD TCCRT_MAX_CHUNKS_PER_THREAD
#define TCCRT_CHUNK_NS 10000
#define TCCRT_CACHE_LINE 64

/* Loop state word: (generation << 1) | open. */
typedef struct tccrt_pool {
  int nthreads; /* including the calling thread */
  pthread_t *threads;
  /* The current loop: written by the caller before it opens the loop, read-only while open. */
  _Alignas(TCCRT_CACHE_LINE) atomic_uint state;
  int64_t n, chunk, nchunks;
  tccrt_parallel_body body;
  void *closure;
  /* The chunk counter: every participant's fetch_add lands here. */
  _Alignas(TCCRT_CACHE_LINE) atomic_llong next;
  /* Workers registered in the current loop; first non-zero body result. */
  _Alignas(TCCRT_CACHE_LINE) atomic_int active;
  atomic_int result;
  /* The message of the first failing body, copied from its thread's tccrt_last_error() by the
   * thread that set `result` (before it leaves the loop), read by the caller after the join. */
  char message[512];
  /* Sleeping: counts of sleeping workers / a sleeping caller, under mu. */
  _Alignas(TCCRT_CACHE_LINE) atomic_int sleepers;
  atomic_bool caller_sleeping;
  atomic_bool shutdown;
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_done;
} tccrt_pool;

typedef struct worker_arg {
  tccrt_pool *pool;
  int tid;
} worker_arg;

static pthread_mutex_t g_config_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_num_threads;                          /* 0 = not decided yet */
static tccrt_pool *g_pool;                         /* NULL when g_num_threads == 1 or not started */
static atomic_flag g_busy = ATOMIC_FLAG_INIT;      /* set while a loop runs on the pool */
static _Thread_local int t_in_parallel;            /* inside a body on this thread */
static atomic_llong g_serial_ns = TCCRT_SERIAL_NS; /* see TCCRT_SERIAL_NS */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- Per-body cost estimates: nanoseconds per iteration x 16, keyed by the body pointer ----
 * Open addressing, never removed; a full table just means "no estimate" (run in parallel). */
#define TCCRT_COST_SLOTS 512
static struct {
  _Atomic(uintptr_t) key;
  atomic_llong ns16; /* 16 x ns per iteration; 0 = none yet */
} g_cost[TCCRT_COST_SLOTS];

static atomic_llong *cost_slot(tccrt_parallel_body body) {
  uintptr_t k = (uintptr_t)body;
  size_t h = (size_t)((k >> 4) * 0x9E3779B97F4A7C15ull >> 20) % TCCRT_COST_SLOTS;
  for (size_t i = 0; i < 16; i++) {
    size_t s = (h + i) % TCCRT_COST_SLOTS;
    uintptr_t cur = atomic_load_explicit(&g_cost[s].key, memory_order_acquire);
    if (cur == k) return &g_cost[s].ns16;
    if (cur == 0) {
      uintptr_t expected = 0;
      if (atomic_compare_exchange_strong(&g_cost[s].key, &expected, k) || expected == k)
        return &g_cost[s].ns16;
    }
  }
  return NULL;
}

/* Records a measurement of `iters` iterations in `ns`: a moving average of the last few. */
static void cost_update(atomic_llong *slot, int64_t iters, int64_t ns) {
  if (!slot || iters <= 0) return;
  long long m = (long long)(ns * 16 / iters);
  long long old = atomic_load_explicit(slot, memory_order_relaxed);
  atomic_store_explicit(slot, old ? (3 * old + m) / 4 : m, memory_order_relaxed);
}

static void note_result(tccrt_pool *p, int r) {
  if (r == 0) return;
  int expected = 0;
  if (atomic_compare_exchange_strong(&p->result, &expected, r)) {
    /* first error wins: only this thread writes the message of this loop */
    snprintf(p->message, sizeof p->message, "%s", tccrt_last_error());
  }
  /* Stop handing out chunks: the loop has failed. */
  atomic_store_explicit(&p->next, p->nchunks, memory_order_relaxed);
}

/* Claims and runs chunks of the open loop until none is left; returns the iterations it ran. */
static int64_t run_chunks(tccrt_pool *p) {
  int64_t done = 0, n = p->n, chunk = p->chunk, nchunks = p->nchunks;
  t_in_parallel = 1;
  for (;;) {
    long long c = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    if (c >= nchunks) break;
    int64_t begin = c * chunk, end = begin + chunk < n ? begin + chunk : n;
    note_result(p, p->body(begin, end, p->closure));
    done += end - begin;
  }
  t_in_parallel = 0;
  return done;
}

/* Spins until `cond(p)` is false for TCCRT_SPIN_NS; returns whether it still holds. */
#define SPIN_WHILE(cond)                                                                           \
  do {                                                                                             \
    int64_t t_end_ = 0;                                                                            \
    for (unsigned i_ = 1; (cond); i_++) {                                                          \
      TCCRT_PAUSE();                                                                               \
      if ((i_ & 63) == 0) {                                                                        \
        int64_t t_ = now_ns();                                                                     \
        if (!t_end_)                                                                               \
          t_end_ = t_ + TCCRT_SPIN_NS;                                                             \
        else if (t_ > t_end_)                                                                      \
          break;                                                                                   \
      }                                                                                            \
    }                                                                                              \
  } while (0)

static void leave_loop(tccrt_pool *p) {
  if (atomic_fetch_sub_explicit(&p->active, 1, memory_order_seq_cst) == 1 &&
      atomic_load_explicit(&p->caller_sleeping, memory_order_seq_cst)) {
    pthread_mutex_lock(&p->mu);
    pthread_cond_signal(&p->cv_done);
    pthread_mutex_unlock(&p->mu);
  }
}

static void *worker_main(void *argp) {
  worker_arg *wa = argp;
  tccrt_pool *p = wa->pool;
  free(wa);
  unsigned seen = 0; /* the last state this worker acted on */
  for (;;) {
    SPIN_WHILE(atomic_load_explicit(&p->state, memory_order_acquire) == seen &&
               !atomic_load_explicit(&p->shutdown, memory_order_relaxed));
    if (atomic_load_explicit(&p->state, memory_order_acquire) == seen &&
        !atomic_load_explicit(&p->shutdown, memory_order_acquire)) {
      pthread_mutex_lock(&p->mu);
      atomic_fetch_add_explicit(&p->sleepers, 1, memory_order_seq_cst);
      while (atomic_load_explicit(&p->state, memory_order_seq_cst) == seen &&
             !atomic_load_explicit(&p->shutdown, memory_order_acquire))
        pthread_cond_wait(&p->cv_work, &p->mu);
      atomic_fetch_sub_explicit(&p->sleepers, 1, memory_order_relaxed);
      pthread_mutex_unlock(&p->mu);
    }
    if (atomic_load_explicit(&p->shutdown, memory_order_acquire)) return NULL;
    seen = atomic_load_explicit(&p->state, memory_order_acquire);
    if (!(seen & 1)) continue; /* a loop that is already closed */
    /* Register, then check the loop is still open: the caller closes it and then waits for the
     * registered workers, so the loop's fields stay valid while we are registered. */
    atomic_fetch_add_explicit(&p->active, 1, memory_order_seq_cst);
    unsigned s = atomic_load_explicit(&p->state, memory_order_seq_cst);
    if (s & 1) {
      seen = s;
      run_chunks(p);
    }
    leave_loop(p);
  }
}

static void pool_destroy(tccrt_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  atomic_store_explicit(&p->shutdown, true, memory_order_seq_cst);
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
  void *mem = NULL;
  if (posix_memalign(&mem, TCCRT_CACHE_LINE, sizeof(tccrt_pool)) != 0) return NULL;
  tccrt_pool *p = mem;
  memset(p, 0, sizeof *p);
  p->threads = calloc((size_t)n, sizeof *p->threads);
  if (!p->threads) {
    free(p);
    return NULL;
  }
  p->nthreads = n;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv_work, NULL);
  pthread_cond_init(&p->cv_done, NULL);
  atomic_init(&p->state, 0);
  atomic_init(&p->next, 0);
  atomic_init(&p->active, 0);
  atomic_init(&p->result, 0);
  atomic_init(&p->sleepers, 0);
  atomic_init(&p->caller_sleeping, false);
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
  if (g_num_threads > 1 && !g_pool) {
    long long serial_ns = TCCRT_SERIAL_NS;
    const char *env = getenv("TCCRT_PARALLEL_MIN_NS");
    if (env && *env) {
      char *end;
      long long v = strtoll(env, &end, 10);
      if (*end == '\0' && v >= 0) serial_ns = v;
    }
    atomic_store_explicit(&g_serial_ns, serial_ns, memory_order_relaxed);
    g_pool = pool_create(g_num_threads);
  }
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
    while (atomic_flag_test_and_set_explicit(&g_busy, memory_order_acquire))
      sched_yield();
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

/* Runs the whole loop on the calling thread; measures it into `slot` when given. */
static int run_serial(int64_t n, tccrt_parallel_body body, void *closure, atomic_llong *slot) {
  int saved = t_in_parallel;
  t_in_parallel = 1;
  int64_t t0 = slot ? now_ns() : 0;
  int r = body(0, n, closure);
  if (slot) cost_update(slot, n, now_ns() - t0);
  t_in_parallel = saved;
  return r;
}

/* The pool, or NULL when loops run serially (one thread, or the pool cannot start). Lock-free
 * once the pool exists: g_pool only changes under g_busy, which the caller holds. */
static tccrt_pool *current_pool(void) {
  tccrt_pool *p = g_pool;
  if (p) return p;
  pthread_mutex_lock(&g_config_mu);
  p = ensure_pool_locked();
  pthread_mutex_unlock(&g_config_mu);
  return p;
}

__attribute__((weak)) int tccrt_parallel_for(int64_t n, tccrt_parallel_body body, void *closure) {
  if (!body) return tccrt_set_error(TCCRT_ERR_INVALID_ARGUMENT, "tccrt_parallel_for: NULL body");
  if (n <= 0) return 0;
  if (t_in_parallel || n == 1) return run_serial(n, body, closure, NULL);
  /* Small loops: serially, and measured again each time. */
  atomic_llong *slot = cost_slot(body);
  long long ns16 = slot ? atomic_load_explicit(slot, memory_order_relaxed) : 0;
  if (ns16 > 0 && n < atomic_load_explicit(&g_serial_ns, memory_order_relaxed) * 16 / ns16)
    return run_serial(n, body, closure, slot);
  /* Take the pool; if another thread is using it, run on this thread instead of waiting. */
  if (atomic_flag_test_and_set_explicit(&g_busy, memory_order_acquire))
    return run_serial(n, body, closure, NULL);
  tccrt_pool *p = current_pool();
  if (!p) {
    atomic_flag_clear_explicit(&g_busy, memory_order_release);
    return run_serial(n, body, closure, slot);
  }
  int64_t nchunks = (int64_t)p->nthreads * TCCRT_CHUNKS_PER_THREAD;
  if (ns16 > 0 && n < INT64_MAX / ns16) {
    int64_t by_time = ns16 * n / (16 * TCCRT_CHUNK_NS);
    if (by_time < p->nthreads) by_time = p->nthreads;
    if (by_time < nchunks) nchunks = by_time;
  }
  if (nchunks > n) nchunks = n;
  p->n = n;
  p->chunk = (n + nchunks - 1) / nchunks;
  p->nchunks = (n + p->chunk - 1) / p->chunk;
  p->body = body;
  p->closure = closure;
  atomic_store_explicit(&p->result, 0, memory_order_relaxed);
  atomic_store_explicit(&p->next, 0, memory_order_relaxed);
  unsigned open = (atomic_load_explicit(&p->state, memory_order_relaxed) + 2) | 1u;
  atomic_store_explicit(&p->state, open, memory_order_seq_cst);
  if (atomic_load_explicit(&p->sleepers, memory_order_seq_cst) > 0) {
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
  }
  int64_t t0 = now_ns();
  int64_t mine = run_chunks(p);
  int64_t t1 = now_ns();
  /* Close the loop, then wait for the workers still running a chunk of it. */
  atomic_store_explicit(&p->state, open & ~1u, memory_order_seq_cst);
  SPIN_WHILE(atomic_load_explicit(&p->active, memory_order_seq_cst) != 0);
  if (atomic_load_explicit(&p->active, memory_order_seq_cst) != 0) {
    pthread_mutex_lock(&p->mu);
    atomic_store_explicit(&p->caller_sleeping, true, memory_order_seq_cst);
    while (atomic_load_explicit(&p->active, memory_order_seq_cst) != 0)
      pthread_cond_wait(&p->cv_done, &p->mu);
    atomic_store_explicit(&p->caller_sleeping, false, memory_order_relaxed);
    pthread_mutex_unlock(&p->mu);
  }
  cost_update(slot, mine, t1 - t0);
  int r = atomic_load_explicit(&p->result, memory_order_relaxed);
  /* The failing body may have run on a worker: its message becomes this thread's (the join above
   * ordered the worker's write before this read). */
  if (r != 0) tccrt_set_error(r, "%s", p->message);
  atomic_flag_clear_explicit(&g_busy, memory_order_release);
  return r;
}
