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
