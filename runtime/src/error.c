/* error.c — thread-local last-error message of the runtime. */
#include "tccrt.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[512];

const char *tccrt_last_error(void) { return last_error; }

int tccrt_set_error(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return code;
}

int tccrt_range_error(const char *where, int64_t index, int64_t lo, int64_t hi) {
  return tccrt_set_error(TCCRT_ERR_INVALID_ARGUMENT, "%s: index %lld is out of range [%lld, %lld]",
                         where ? where : "index check", (long long)index, (long long)lo,
                         (long long)hi);
}
