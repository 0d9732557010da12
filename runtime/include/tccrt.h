/* tccrt.h — the public C API of libtccrt, the tiny runtime that generated models link against.
 *
 * Plain C11, libc and pthreads only. Every function here reports errors as a tccrt_status code
 * and a message from tccrt_last_error(); the runtime never aborts the host program. */
#ifndef TCCRT_H
#define TCCRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types. The numbering is ONNX's TensorProto.DataType, so importers and the model
 * metadata share one code space. */
typedef enum tccrt_dtype {
  TCCRT_UNDEFINED = 0,
  TCCRT_FLOAT32 = 1,
  TCCRT_UINT8 = 2,
  TCCRT_INT8 = 3,
  TCCRT_UINT16 = 4,
  TCCRT_INT16 = 5,
  TCCRT_INT32 = 6,
  TCCRT_INT64 = 7,
  TCCRT_STRING = 8,
  TCCRT_BOOL = 9,
  TCCRT_FLOAT16 = 10,
  TCCRT_FLOAT64 = 11,
  TCCRT_UINT32 = 12,
  TCCRT_UINT64 = 13,
  TCCRT_BFLOAT16 = 16,
} tccrt_dtype;

/* Size in bytes of one element of `dt` (bool is 1 byte); 0 for UNDEFINED/STRING/unknown. */
size_t tccrt_dtype_size(tccrt_dtype dt);
/* ONNX-style name ("float32", "int64", ...); "undefined" for unknown codes. */
const char *tccrt_dtype_name(tccrt_dtype dt);

typedef enum tccrt_status {
  TCCRT_OK = 0,
  TCCRT_ERR_INVALID_ARGUMENT = 1,
  TCCRT_ERR_OUT_OF_MEMORY = 2,
  TCCRT_ERR_IO = 3,
  TCCRT_ERR_INTERNAL = 4,
} tccrt_status;

/* The message of the last error raised on the calling thread ("" if none). Thread-local. */
const char *tccrt_last_error(void);
/* Records a printf-style message for tccrt_last_error() and returns `code`. */
int tccrt_set_error(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Records "WHERE: index INDEX is out of range [LO, HI]" (HI inclusive; WHERE names the node, e.g.
 * "node 'g0' (Gather)") for tccrt_last_error() and returns TCCRT_ERR_INVALID_ARGUMENT. Generated
 * kernels call it when a run-time index check fails (an index the ONNX spec says must lie in its
 * axis: Gather, GatherElements, GatherND, Scatter*) and then return that code, so NAME_run returns
 * it too. A NULL `where` is printed as "index check". */
int tccrt_range_error(const char *where, int64_t index, int64_t lo, int64_t hi);

/* ---- Model metadata (emitted by `tcc-ml compile` as NAME_info()) ---- */
#define TCCRT_MAX_RANK 8
typedef struct tccrt_tensor_info {
  const char *name;
  tccrt_dtype dtype;
  int32_t ndim;
  int64_t shape[TCCRT_MAX_RANK];
  size_t size_bytes;
} tccrt_tensor_info;

typedef struct tccrt_model_info {
  const char *name;
  int32_t num_inputs;
  int32_t num_outputs;
  const tccrt_tensor_info *inputs;
  const tccrt_tensor_info *outputs;
  size_t workspace_size; /* bytes, multiple of 64 */
} tccrt_model_info;

/* ---- Threads ----
 * A parallel loop body: computes iterations [begin, end) of a loop; `closure` holds its captured
 * variables. Returns 0 on success, non-zero on error. */
typedef int (*tccrt_parallel_body)(int64_t begin, int64_t end, void *closure);

/* Runs `body` over [0, n) split into contiguous chunks and waits for all. The calling thread and
 * the pool's workers claim the chunks dynamically (at most TCCRT_MAX_CHUNKS_PER_THREAD x threads
 * chunks, so `body` is called that many times at most, on any thread, in any order); a loop the
 * runtime has measured to take less than a few tens of microseconds runs in one call on the
 * calling thread. Weak symbol: a host program may define its own. Returns 0, or the first
 * non-zero body result (chunks not yet started when a body fails are skipped); the message that
 * body recorded (tccrt_last_error() on the thread it ran on) becomes the calling thread's
 * tccrt_last_error() (a replacement should do the same). Nested calls from inside a body run
 * serially. */
#define TCCRT_MAX_CHUNKS_PER_THREAD 8
int tccrt_parallel_for(int64_t n, tccrt_parallel_body body, void *closure);
/* Sets the number of threads (>= 1; 1 means no pool). Default: TCCRT_NUM_THREADS or the number of
 * online CPUs. (TCCRT_PARALLEL_MIN_NS, read when the pool starts, sets the estimated loop time in
 * nanoseconds below which tccrt_parallel_for runs a loop on the calling thread; 0: never.) Returns
 * TCCRT_ERR_INVALID_ARGUMENT for n < 1 or n > 1024, and when called from inside a parallel loop
 * body. A loop running on the pool is finished before the pool resizes. */
int tccrt_set_num_threads(int n);
int tccrt_get_num_threads(void);

/* ---- Memory ----
 * Aligned allocation hooks (weak symbols a host may replace). `alignment` is a power of two. */
void *tccrt_alloc(size_t size, size_t alignment);
void tccrt_free(void *p);
/* Per-thread scratch stack, for kernel scratch the memory plan cannot place in the model's arena
 * (an allocation inside a parallel loop body: one copy per running chunk; or one of symbolic
 * size). tccrt_scratch_push returns `size` bytes aligned to `alignment` (a power of two <= 64)
 * from the calling thread's stack, or NULL with TCCRT_ERR_OUT_OF_MEMORY / INVALID_ARGUMENT
 * recorded; tccrt_scratch_pop(p) releases p and everything this thread pushed after it (LIFO).
 * The stack's blocks come from tccrt_alloc and are kept for reuse (never freed), so a thread
 * allocates only until it has seen its largest scratch need: after a model's first call on a
 * thread, nothing more. Weak symbols a host may replace (together). */
void *tccrt_scratch_push(size_t size, size_t alignment);
void tccrt_scratch_pop(void *p);

#ifdef __cplusplus
}
#endif
#endif /* TCCRT_H */
