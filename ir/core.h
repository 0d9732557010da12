/* core.h — arenas, the compiler context and diagnostics.
 *
 * Every compiler object lives in the arena of a tcc_context and dies with it: no reference
 * counting, no individual frees. Every fallible function returns tcc_status and records a
 * diagnostic in the context; callers propagate TCC_ERR upwards without printing. */
#ifndef TCC_CORE_H
#define TCC_CORE_H

#include "tccrt.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tcc_status { TCC_OK = 0, TCC_ERR = 1 } tcc_status;

/* Propagate an error: `TCC_TRY(f(...));` returns TCC_ERR from the caller when f fails. */
#define TCC_TRY(expr)                                                                              \
  do {                                                                                             \
    if ((expr) != TCC_OK) return TCC_ERR;                                                          \
  } while (0)

#define TCC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Arena: bump allocator in chunks; memory is zeroed and 16-byte aligned. ---- */
typedef struct tcc_arena tcc_arena;
tcc_arena *tcc_arena_create(void);
void tcc_arena_destroy(tcc_arena *a);
/* Returns zeroed memory of `size` bytes aligned to 16. Aborts only if the OS is out of memory
 * (an internal invariant, not bad input). */
void *tcc_arena_alloc(tcc_arena *a, size_t size);
char *tcc_arena_strdup(tcc_arena *a, const char *s);
char *tcc_arena_strndup(tcc_arena *a, const char *s, size_t n);
char *tcc_arena_printf(tcc_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes handed out so far (for --report). */
size_t tcc_arena_used(const tcc_arena *a);

/* ---- Growable array of pointers or PODs in the arena (old storage is abandoned on growth). ----
 */
typedef struct tcc_vec {
  void *data;
  size_t len, cap, elem;
} tcc_vec;
void tcc_vec_init(tcc_vec *v, size_t elem_size);
/* Appends one element copied from `elem`; returns a pointer to the stored copy. */
void *tcc_vec_push(tcc_arena *a, tcc_vec *v, const void *elem);
#define TCC_VEC_AT(v, T, i) (((T *)(v).data)[i])

/* ---- Diagnostics ---- */
typedef struct tcc_context tcc_context;

tcc_context *tcc_context_create(void);
void tcc_context_destroy(tcc_context *ctx);
tcc_arena *tcc_ctx_arena(tcc_context *ctx);

/* Records an error message (printf-style) and returns TCC_ERR. Several errors may be recorded
 * before returning; tcc_error_text() joins them with "; ". */
tcc_status tcc_error(tcc_context *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
tcc_status tcc_verror(tcc_context *ctx, const char *fmt, va_list ap);
/* The DESIGN's standard form: "FILE: node 'NAME' (OP): message". `file`, `node` or `op` may be
 * NULL, in which case that part is left out. */
tcc_status tcc_error_at(tcc_context *ctx, const char *file, const char *node, const char *op,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* All recorded errors joined with "; ", or "" if none. Valid until the next error/clear. */
const char *tcc_error_text(tcc_context *ctx);
int tcc_error_count(const tcc_context *ctx);
void tcc_error_clear(tcc_context *ctx);

/* The file name that diagnostics name by default (set by the importer; may be NULL). */
void tcc_ctx_set_file(tcc_context *ctx, const char *file);
const char *tcc_ctx_file(const tcc_context *ctx);

/* Per-context state owned by other modules (the expression hash-cons table, the op registry's
 * caches, ...): a pointer slot per id, NULL until the module sets it. Memory lives in the arena. */
typedef enum tcc_ctx_slot_id {
  TCC_SLOT_EXPR_TABLE,
  TCC_SLOT_OPS,
  TCC_SLOT_SCHEDULE,
  TCC_SLOT_CODEGEN,
  TCC_SLOT_CHECKS, /* messages of run-time checks (ir/transforms/range_check.c) */
  TCC_SLOT_COUNT
} tcc_ctx_slot_id;
void **tcc_ctx_slot(tcc_context *ctx, tcc_ctx_slot_id id);
/* A counter for unique ids (vars, exprs, tensors) in this context. */
uint32_t tcc_ctx_next_id(tcc_context *ctx);

/* FNV-1a style hash mixing, for hash-consing and caches. */
static inline uint64_t tcc_hash_mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}
uint64_t tcc_hash_bytes(const void *p, size_t n);

/* Checked int64 arithmetic: returns false on overflow. */
static inline bool tcc_mul_ovf(int64_t a, int64_t b, int64_t *out) {
  return !__builtin_mul_overflow(a, b, out);
}
static inline bool tcc_add_ovf(int64_t a, int64_t b, int64_t *out) {
  return !__builtin_add_overflow(a, b, out);
}

#ifdef __cplusplus
}
#endif
#endif /* TCC_CORE_H */
