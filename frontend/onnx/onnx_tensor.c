/* onnx_tensor.c — onnx.TensorProto <-> constant values: every storage form of onnx.proto,
 * external data (memory-mapped), and the test_data_set *.pb tensor files.
 *
 * Spec: onnx.proto TensorProto (IR version 3 and up). raw_data is little-endian; the typed
 * fields carry float (float_data), int32/int16/int8/uint16/uint8/bool/float16/bfloat16
 * (int32_data, 16-bit floats as their bit patterns), int64 (int64_data), double (double_data),
 * uint32/uint64 (uint64_data) and strings (string_data). The host must be little-endian. */
#include "onnx_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ONNX importer assumes a little-endian host (raw_data is little-endian)"
#endif

/* ---- protobuf-c support ---- */

static void *arena_pb_alloc(void *data, size_t size) { return tcc_arena_alloc(data, size); }
static void arena_pb_free(void *data, void *p) {
  (void)data;
  (void)p;
}

ProtobufCAllocator tcc_onnx_arena_allocator(tcc_context *ctx) {
  ProtobufCAllocator a = {arena_pb_alloc, arena_pb_free, tcc_ctx_arena(ctx)};
  return a;
}

static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (uint64_t)(b & 0x7f) << (shift < 64 ? shift : 63);
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

bool tcc_onnx_check_depth(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                          int max_depth) {
  if (max_depth <= 0) return false;
  const uint8_t *p = data, *end = data + len;
  while (p < end) {
    uint64_t tag, n;
    if (!read_varint(&p, end, &tag)) return true; /* malformed: unpack reports it */
    switch (tag & 7) {
    case 0:
      if (!read_varint(&p, end, &n)) return true;
      break;
    case 1:
      if (end - p < 8) return true;
      p += 8;
      break;
    case 5:
      if (end - p < 4) return true;
      p += 4;
      break;
    case 2: {
      if (!read_varint(&p, end, &n) || n > (uint64_t)(end - p)) return true;
      const ProtobufCFieldDescriptor *fd =
          tag >> 3 <= UINT32_MAX
              ? protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3))
              : NULL;
      if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE &&
          !tcc_onnx_check_depth(fd->descriptor, p, (size_t)n, max_depth - 1))
        return false;
      p += n;
      break;
    }
    default: return true; /* groups or garbage: unpack rejects or skips them */
    }
  }
  return true;
}

/* ---- dtypes ---- */

bool tcc_onnx_dtype(int32_t code, tccrt_dtype *out) {
  switch (code) {
  case TCCRT_FLOAT32:
  case TCCRT_UINT8:
  case TCCRT_INT8:
  case TCCRT_UINT16:
  case TCCRT_INT16:
  case TCCRT_INT32:
  case TCCRT_INT64:
  case TCCRT_STRING:
  case TCCRT_BOOL:
  case TCCRT_FLOAT16:
  case TCCRT_FLOAT64:
  case TCCRT_UINT32:
  case TCCRT_UINT64:
  case TCCRT_BFLOAT16: *out = (tccrt_dtype)code; return true;
  default: return false;
  }
}

const char *tcc_onnx_dtype_code_name(int32_t code) {
  tccrt_dtype dt;
  if (tcc_onnx_dtype(code, &dt)) return tccrt_dtype_name(dt);
  switch (code) {
  case 0: return "UNDEFINED";
  case 14: return "COMPLEX64";
  case 15: return "COMPLEX128";
  case 17: return "FLOAT8E4M3FN";
  case 18: return "FLOAT8E4M3FNUZ";
  case 19: return "FLOAT8E5M2";
  case 20: return "FLOAT8E5M2FNUZ";
  case 21: return "UINT4";
  case 22: return "INT4";
  case 23: return "FLOAT4E2M1";
  default: return "unknown";
  }
}

/* ---- tensor conversion ---- */

#define TERR(...) tcc_error_at(tc->ctx, tc->file, node, op, __VA_ARGS__)

static void dims_text(char *buf, size_t n, size_t ndim, const int64_t *dims) {
  size_t k = (size_t)snprintf(buf, n, "[");
  for (size_t i = 0; i < ndim && k < n; i++)
    k += (size_t)snprintf(buf + k, n - k, "%s%" PRId64, i ? ", " : "", dims[i]);
  if (k < n) snprintf(buf + k, n - k, "]");
}

static bool parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s) return false;
  uint64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  *out = v;
  return true;
}

/* Maps (once per import) the external-data file `location` under tc->dir. */
static tcc_status map_external(tcc_onnx_tensor_ctx *tc, const char *what, const char *node,
                               const char *op, const char *location, tcc_onnx_mapping **out) {
  for (tcc_onnx_mapping *m = tc->mappings; m; m = m->next)
    if (!strcmp(m->location, location)) {
      *out = m;
      return TCC_OK;
    }
  if (!tc->dir)
    return TERR("%s: external data '%s' needs the model's folder, but the model was given as "
                "bytes without one",
                what, location);
  if (!location[0]) return TERR("%s: external data has an empty location", what);
  if (location[0] == '/' || location[0] == '\\')
    return TERR("%s: external data location '%s' is an absolute path; it must be relative to "
                "the model's folder",
                what, location);
  /* No '..' path component anywhere: the file must lie inside the model's folder. */
  for (const char *p = location; *p;) {
    const char *e = p + strcspn(p, "/\\");
    if (e - p == 2 && p[0] == '.' && p[1] == '.')
      return TERR("%s: external data location '%s' leaves the model's folder; it must be a "
                  "path inside it",
                  what, location);
    p = *e ? e + 1 : e;
  }
  char path[PATH_MAX * 2], real_dir[PATH_MAX], real_file[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", tc->dir, location);
  if (!realpath(tc->dir, real_dir))
    return TERR("%s: cannot resolve the model's folder '%s': %s", what, tc->dir, strerror(errno));
  if (!realpath(path, real_file))
    return TERR("%s: cannot open external data file '%s': %s", what, path, strerror(errno));
  size_t dl = strlen(real_dir);
  if (strncmp(real_file, real_dir, dl) || (real_file[dl] != '/' && strcmp(real_dir, "/")))
    return TERR("%s: external data location '%s' resolves to '%s', outside the model's folder",
                what, location, real_file);
  int fd = open(real_file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return TERR("%s: cannot open external data file '%s': %s", what, path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return TERR("%s: external data '%s' is not a regular file", what, path);
  }
  tcc_arena *a = tcc_ctx_arena(tc->ctx);
  tcc_onnx_mapping *m = tcc_arena_alloc(a, sizeof *m);
  m->location = tcc_arena_strdup(a, location);
  m->size = (size_t)st.st_size;
  if (m->size) {
    /* The mapping lives until the process exits: constants may point into it for as long as
     * the compiler runs. */
    void *base = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (base == MAP_FAILED) {
      int err = errno;
      close(fd);
      return TERR("%s: cannot map external data file '%s': %s", what, path, strerror(err));
    }
    m->base = base;
  }
  close(fd);
  m->next = tc->mappings;
  tc->mappings = m;
  *out = m;
  return TCC_OK;
}

static tcc_status external_data(tcc_onnx_tensor_ctx *tc, const Onnx__TensorProto *t,
                                const char *what, const char *node, const char *op, size_t nbytes,
                                size_t esize, tcc_value *v) {
  const char *location = NULL, *offset_s = NULL, *length_s = NULL;
  for (size_t i = 0; i < t->n_external_data; i++) {
    const Onnx__StringStringEntryProto *e = t->external_data[i];
    if (!e->key) continue;
    if (!strcmp(e->key, "location"))
      location = e->value ? e->value : "";
    else if (!strcmp(e->key, "offset"))
      offset_s = e->value ? e->value : "";
    else if (!strcmp(e->key, "length"))
      length_s = e->value ? e->value : "";
  }
  if (!location) return TERR("%s: external data without a 'location' entry", what);
  uint64_t offset = 0, length = 0;
  if (offset_s && !parse_u64(offset_s, &offset))
    return TERR("%s: external data offset '%s' is not a non-negative integer", what, offset_s);
  if (length_s && !parse_u64(length_s, &length))
    return TERR("%s: external data length '%s' is not a non-negative integer", what, length_s);
  tcc_onnx_mapping *m;
  TCC_TRY(map_external(tc, what, node, op, location, &m));
  if (offset > m->size)
    return TERR("%s: external data offset %" PRIu64 " is past the end of '%s' (%zu bytes)", what,
                offset, location, m->size);
  if (!length_s) length = m->size - offset;
  if (length > m->size - offset)
    return TERR("%s: external data offset %" PRIu64 " + length %" PRIu64
                " is past the end of '%s' (%zu bytes)",
                what, offset, length, location, m->size);
  if (length != nbytes)
    return TERR("%s: external data holds %" PRIu64 " bytes but its dims and dtype need %zu", what,
                length, nbytes);
  if (nbytes == 0) return TCC_OK;
  const unsigned char *p = m->base + offset;
  if ((uintptr_t)p % esize == 0) {
    v->data = p;
    v->mapped = true;
  } else { /* misaligned for its dtype: copy once */
    void *d = tcc_arena_alloc(tcc_ctx_arena(tc->ctx), nbytes);
    memcpy(d, p, nbytes);
    v->data = d;
  }
  v->nbytes = nbytes;
  return TCC_OK;
}

tcc_status tcc_onnx_tensor_to_value(tcc_onnx_tensor_ctx *tc, const Onnx__TensorProto *t,
                                    const char *what, const char *node, const char *op,
                                    tcc_value *v) {
  tcc_arena *a = tcc_ctx_arena(tc->ctx);
  tccrt_dtype dt;
  if (!t->has_data_type || !tcc_onnx_dtype(t->data_type, &dt))
    return TERR("%s: data type %d (%s) is not supported; expected one of float, double, float16, "
                "bfloat16, int8..int64, uint8..uint64, bool, string",
                what, t->has_data_type ? (int)t->data_type : 0,
                tcc_onnx_dtype_code_name(t->has_data_type ? t->data_type : 0));
  if (t->segment) return TERR("%s: segmented tensors are not supported", what);
  char dtext[256];
  dims_text(dtext, sizeof dtext, t->n_dims, t->dims);
  if (t->n_dims > (size_t)INT_MAX / 2) return TERR("%s: too many dims (%zu)", what, t->n_dims);
  int64_t numel = 1;
  for (size_t i = 0; i < t->n_dims; i++) {
    if (t->dims[i] < 0)
      return TERR("%s: dim %zu of %s is negative; dims must be >= 0", what, i, dtext);
    if (!tcc_mul_ovf(numel, t->dims[i], &numel))
      return TERR("%s: dims %s overflow int64: the number of elements must fit in 64 bits", what,
                  dtext);
  }
  size_t esize = dt == TCCRT_STRING ? 0 : tccrt_dtype_size(dt);
  size_t nbytes = 0;
  if (dt != TCCRT_STRING && __builtin_mul_overflow((uint64_t)numel, (uint64_t)esize, &nbytes))
    return TERR("%s: dims %s of %s are too large to hold in memory", what, dtext,
                tccrt_dtype_name(dt));
  v->kind = TCC_VALUE_CONST;
  v->dtype = dt;
  v->ndim = (int)t->n_dims;
  const tcc_expr **dims = tcc_arena_alloc(a, sizeof(tcc_expr *) * (t->n_dims ? t->n_dims : 1));
  for (size_t i = 0; i < t->n_dims; i++)
    dims[i] = tcc_idx(tc->ctx, t->dims[i]);
  v->dims = dims;
  v->data = NULL;
  v->nbytes = 0;
  v->strings = NULL;
  v->is_fill = false;
  v->mapped = false;
  const uint64_t n = (uint64_t)numel;

  bool external =
      t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  if (external) {
    if (dt == TCCRT_STRING) return TERR("%s: string tensors cannot use external data", what);
    return external_data(tc, t, what, node, op, nbytes, esize, v);
  }
  if (t->n_external_data)
    return TERR("%s: has external_data entries but data_location is not EXTERNAL", what);

  if (dt == TCCRT_STRING) {
    if (t->has_raw_data && t->raw_data.len)
      return TERR("%s: string tensors must use string_data, not raw_data", what);
    if (t->n_string_data != n)
      return TERR("%s: has %zu string_data elements but dims %s need %" PRIu64, what,
                  t->n_string_data, dtext, n);
    const char **s = tcc_arena_alloc(a, sizeof(char *) * (n ? n : 1));
    for (uint64_t i = 0; i < n; i++)
      s[i] = tcc_onnx_bytes_dup(tc->ctx, &t->string_data[i]);
    v->strings = s;
    return TCC_OK;
  }
  if (t->has_raw_data) {
    if (t->raw_data.len != nbytes)
      return TERR("%s: raw_data holds %zu bytes but dims %s of %s need %zu", what, t->raw_data.len,
                  dtext, tccrt_dtype_name(dt), nbytes);
    if (nbytes) {
      /* The arena allocator made raw_data 16-byte aligned and long-lived: use it in place. */
      if ((uintptr_t)t->raw_data.data % 16 == 0) {
        v->data = t->raw_data.data;
      } else {
        void *d = tcc_arena_alloc(a, nbytes);
        memcpy(d, t->raw_data.data, nbytes);
        v->data = d;
      }
    }
    v->nbytes = nbytes;
    return TCC_OK;
  }
  /* Typed fields: exactly the one field of this dtype may hold data. */
  size_t have = 0;
  const char *field = "";
  switch (dt) {
  case TCCRT_FLOAT32: have = t->n_float_data, field = "float_data"; break;
  case TCCRT_INT32:
  case TCCRT_INT16:
  case TCCRT_INT8:
  case TCCRT_UINT16:
  case TCCRT_UINT8:
  case TCCRT_BOOL:
  case TCCRT_FLOAT16:
  case TCCRT_BFLOAT16: have = t->n_int32_data, field = "int32_data"; break;
  case TCCRT_INT64: have = t->n_int64_data, field = "int64_data"; break;
  case TCCRT_FLOAT64: have = t->n_double_data, field = "double_data"; break;
  case TCCRT_UINT32:
  case TCCRT_UINT64: have = t->n_uint64_data, field = "uint64_data"; break;
  default: break;
  }
  size_t others = t->n_float_data + t->n_int32_data + t->n_int64_data + t->n_double_data +
                  t->n_uint64_data + t->n_string_data - have;
  if (others)
    return TERR("%s: %s data belongs in %s (or raw_data), but another field holds %zu elements",
                what, tccrt_dtype_name(dt), field, others);
  if (have != n)
    return TERR("%s: has %zu %s elements but dims %s need %" PRIu64, what, have, field, dtext, n);
  if (!nbytes) return TCC_OK;
  unsigned char *d = tcc_arena_alloc(a, nbytes);
  for (uint64_t i = 0; i < n; i++) {
    switch (dt) {
    case TCCRT_FLOAT32: ((float *)d)[i] = t->float_data[i]; break;
    case TCCRT_INT32: ((int32_t *)d)[i] = t->int32_data[i]; break;
    case TCCRT_INT16: ((int16_t *)d)[i] = (int16_t)t->int32_data[i]; break;
    case TCCRT_INT8: ((int8_t *)d)[i] = (int8_t)t->int32_data[i]; break;
    case TCCRT_UINT16:
    case TCCRT_FLOAT16:
    case TCCRT_BFLOAT16: ((uint16_t *)d)[i] = (uint16_t)t->int32_data[i]; break;
    case TCCRT_UINT8: d[i] = (uint8_t)t->int32_data[i]; break;
    case TCCRT_BOOL: d[i] = t->int32_data[i] != 0; break;
    case TCCRT_INT64: ((int64_t *)d)[i] = t->int64_data[i]; break;
    case TCCRT_FLOAT64: ((double *)d)[i] = t->double_data[i]; break;
    case TCCRT_UINT32: ((uint32_t *)d)[i] = (uint32_t)t->uint64_data[i]; break;
    case TCCRT_UINT64: ((uint64_t *)d)[i] = t->uint64_data[i]; break;
    default: break;
    }
  }
  v->data = d;
  v->nbytes = nbytes;
  return TCC_OK;
}

/* ---- tensor files ---- */

tcc_status tcc_onnx_read_file(tcc_context *ctx, const char *path, uint8_t **data, size_t *size) {
  *data = NULL;
  *size = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return tcc_error_at(ctx, path, NULL, NULL, "cannot open: %s", strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return tcc_error_at(ctx, path, NULL, NULL, "not a regular file");
  }
  size_t n = (size_t)st.st_size;
  uint8_t *buf = malloc(n ? n : 1);
  if (!buf) {
    fclose(f);
    return tcc_error_at(ctx, path, NULL, NULL, "out of memory reading %zu bytes", n);
  }
  if (n && fread(buf, 1, n, f) != n) {
    free(buf);
    fclose(f);
    return tcc_error_at(ctx, path, NULL, NULL, "read error");
  }
  fclose(f);
  *data = buf;
  *size = n;
  return TCC_OK;
}

const char *tcc_onnx_dirname(tcc_context *ctx, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return ".";
  if (slash == path) return "/";
  return tcc_arena_strndup(tcc_ctx_arena(ctx), path, (size_t)(slash - path));
}

tcc_status tcc_onnx_read_tensor_file(tcc_context *ctx, const char *path, tcc_value **out) {
  *out = NULL;
  uint8_t *buf;
  size_t size;
  TCC_TRY(tcc_onnx_read_file(ctx, path, &buf, &size));
  if (!tcc_onnx_check_depth(&onnx__tensor_proto__descriptor, buf, size, 64)) {
    free(buf);
    return tcc_error_at(ctx, path, NULL, NULL,
                        "not a valid onnx.TensorProto: messages nested too deeply");
  }
  ProtobufCAllocator alloc = tcc_onnx_arena_allocator(ctx);
  Onnx__TensorProto *t = onnx__tensor_proto__unpack(&alloc, size, buf);
  free(buf);
  if (!t)
    return tcc_error_at(ctx, path, NULL, NULL,
                        "not a valid onnx.TensorProto file: protobuf parsing failed (truncated "
                        "or malformed data, or a field of the wrong wire type)");
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_value *v = tcc_arena_alloc(a, sizeof *v);
  v->name = tcc_arena_strdup(a, t->name ? t->name : "");
  tcc_onnx_tensor_ctx tc = {ctx, path, tcc_onnx_dirname(ctx, path), NULL};
  char what[300];
  snprintf(what, sizeof what, "tensor '%s'", v->name);
  TCC_TRY(tcc_onnx_tensor_to_value(&tc, t, what, NULL, NULL, v));
  *out = v;
  return TCC_OK;
}

tcc_status tcc_onnx_write_tensor_file(tcc_context *ctx, const char *path, const char *name,
                                      tccrt_dtype dtype, int ndim, const int64_t *dims,
                                      const void *data) {
  tccrt_dtype dt;
  if (!tcc_onnx_dtype((int32_t)dtype, &dt) || dt == TCCRT_STRING)
    return tcc_error_at(ctx, path, NULL, NULL, "cannot write a tensor of dtype %s",
                        tccrt_dtype_name(dtype));
  if (ndim < 0) return tcc_error_at(ctx, path, NULL, NULL, "negative rank %d", ndim);
  int64_t numel = 1;
  for (int i = 0; i < ndim; i++)
    if (dims[i] < 0 || !tcc_mul_ovf(numel, dims[i], &numel))
      return tcc_error_at(ctx, path, NULL, NULL, "invalid dims (negative or overflowing int64)");
  size_t nbytes;
  if (__builtin_mul_overflow((uint64_t)numel, (uint64_t)tccrt_dtype_size(dt), &nbytes))
    return tcc_error_at(ctx, path, NULL, NULL, "tensor too large");
  Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
  t.n_dims = (size_t)ndim;
  t.dims = (int64_t *)dims;
  t.has_data_type = 1;
  t.data_type = (int32_t)dt;
  t.name = (char *)(name ? name : "");
  t.has_raw_data = 1;
  t.raw_data.len = nbytes;
  t.raw_data.data = (uint8_t *)data;
  size_t len = onnx__tensor_proto__get_packed_size(&t);
  uint8_t *buf = malloc(len ? len : 1);
  if (!buf) return tcc_error_at(ctx, path, NULL, NULL, "out of memory");
  onnx__tensor_proto__pack(&t, buf);
  FILE *f = fopen(path, "wb");
  if (!f) {
    free(buf);
    return tcc_error_at(ctx, path, NULL, NULL, "cannot create: %s", strerror(errno));
  }
  bool ok = fwrite(buf, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  free(buf);
  if (!ok) return tcc_error_at(ctx, path, NULL, NULL, "write error: %s", strerror(errno));
  return TCC_OK;
}
