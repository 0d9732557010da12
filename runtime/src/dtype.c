/* dtype.c — element sizes and names of tccrt_dtype. */
#include "tccrt.h"

size_t tccrt_dtype_size(tccrt_dtype dt) {
  switch (dt) {
  case TCCRT_FLOAT32:
  case TCCRT_INT32:
  case TCCRT_UINT32: return 4;
  case TCCRT_UINT8:
  case TCCRT_INT8:
  case TCCRT_BOOL: return 1;
  case TCCRT_UINT16:
  case TCCRT_INT16:
  case TCCRT_FLOAT16:
  case TCCRT_BFLOAT16: return 2;
  case TCCRT_INT64:
  case TCCRT_UINT64:
  case TCCRT_FLOAT64: return 8;
  default: return 0;
  }
}

const char *tccrt_dtype_name(tccrt_dtype dt) {
  switch (dt) {
  case TCCRT_FLOAT32: return "float32";
  case TCCRT_UINT8: return "uint8";
  case TCCRT_INT8: return "int8";
  case TCCRT_UINT16: return "uint16";
  case TCCRT_INT16: return "int16";
  case TCCRT_INT32: return "int32";
  case TCCRT_INT64: return "int64";
  case TCCRT_STRING: return "string";
  case TCCRT_BOOL: return "bool";
  case TCCRT_FLOAT16: return "float16";
  case TCCRT_FLOAT64: return "float64";
  case TCCRT_UINT32: return "uint32";
  case TCCRT_UINT64: return "uint64";
  case TCCRT_BFLOAT16: return "bfloat16";
  default: return "undefined";
  }
}
