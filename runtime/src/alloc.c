/* alloc.c — the default aligned allocation hooks (weak: a host program may define its own). */
#include "tccrt.h"

#include <errno.h>
#include <stdlib.h>

__attribute__((weak)) void *tccrt_alloc(size_t size, size_t alignment) {
  if (alignment < sizeof(void *)) alignment = sizeof(void *);
  if ((alignment & (alignment - 1)) != 0) {
    tccrt_set_error(TCCRT_ERR_INVALID_ARGUMENT, "tccrt_alloc: alignment %zu is not a power of two",
                    alignment);
    return NULL;
  }
  void *p = NULL;
  int rc = posix_memalign(&p, alignment, size ? size : 1);
  if (rc != 0) {
    tccrt_set_error(TCCRT_ERR_OUT_OF_MEMORY, "tccrt_alloc: cannot allocate %zu bytes (align %zu)",
                    size, alignment);
    return NULL;
  }
  return p;
}

__attribute__((weak)) void tccrt_free(void *p) { free(p); }
