/* onnx_data.c — onnx.SequenceProto and onnx.OptionalProto test-data files (onnx-data.proto).
 *
 * The system's onnx.proto, from which the protobuf-c code is generated, does not hold
 * onnx-data.proto's messages, so these two small messages are decoded here from the protobuf
 * wire format (varints and length-delimited fields; the spec is protobuf's "Encoding" page);
 * their tensors are unpacked by the generated TensorProto code. Both messages number their fields
 * alike:
 *   1 name (string), 2 elem_type (enum: 0 undefined, 1 tensor, 2 sparse tensor, 3 sequence,
 *   4 map, 5 optional), 3 tensor value(s), 4 sparse tensor value(s), 5 sequence value(s),
 *   6 map value(s), 7 optional value(s)
 * (repeated in a SequenceProto, single in an OptionalProto). */
#include "onnx_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DATA_DEPTH 16

enum {
  ELEM_UNDEFINED = 0,
  ELEM_TENSOR = 1,
  ELEM_SPARSE = 2,
  ELEM_SEQUENCE = 3,
  ELEM_MAP = 4,
  ELEM_OPTIONAL = 5
};

typedef struct reader {
  tcc_context *ctx;
  const char *path;
} reader;

static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p >= end) return false;
    uint8_t b = *(*p)++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

static tcc_status bad(reader *r, const char *what) {
  return tcc_error_at(r->ctx, r->path, NULL, NULL, "not a valid onnx %s: %s", what,
                      "protobuf parsing failed (truncated or malformed data, or a field of the "
                      "wrong wire type)");
}

static tcc_status parse_msg(reader *r, const uint8_t *p, size_t len, bool seq, int depth,
                            tcc_onnx_data *out);

/* One element: a TensorProto, SequenceProto or OptionalProto held by field `field`. */
static tcc_status parse_elem(reader *r, int field, const uint8_t *p, size_t len, int depth,
                             tcc_onnx_data *e) {
  tcc_arena *a = tcc_ctx_arena(r->ctx);
  if (field == 3) {
    ProtobufCAllocator alloc = tcc_onnx_arena_allocator(r->ctx);
    if (!tcc_onnx_check_depth(&onnx__tensor_proto__descriptor, p, len, 64))
      return bad(r, "TensorProto element");
    Onnx__TensorProto *t = onnx__tensor_proto__unpack(&alloc, len, p);
    if (!t) return bad(r, "TensorProto element");
    tcc_value *v = tcc_arena_alloc(a, sizeof *v);
    v->name = tcc_arena_strdup(a, t->name ? t->name : "");
    v->ndim = -1;
    tcc_onnx_tensor_ctx tc = {r->ctx, r->path, tcc_onnx_dirname(r->ctx, r->path), NULL};
    TCC_TRY(tcc_onnx_tensor_to_value(&tc, t, "a tensor element", NULL, NULL, v));
    e->kind = TCC_TYPE_TENSOR;
    e->name = v->name;
    e->tensor = v;
    return TCC_OK;
  }
  if (field == 5 || field == 7) return parse_msg(r, p, len, field == 5, depth + 1, e);
  return tcc_error_at(r->ctx, r->path, NULL, NULL, "%s elements are not supported",
                      field == 4 ? "sparse tensor" : "map");
}

static tcc_status parse_msg(reader *r, const uint8_t *p, size_t len, bool seq, int depth,
                            tcc_onnx_data *out) {
  const char *what = seq ? "SequenceProto" : "OptionalProto";
  if (depth > MAX_DATA_DEPTH)
    return tcc_error_at(r->ctx, r->path, NULL, NULL, "%ss nested deeper than %d levels", what,
                        MAX_DATA_DEPTH);
  tcc_arena *a = tcc_ctx_arena(r->ctx);
  memset(out, 0, sizeof *out);
  out->kind = seq ? TCC_TYPE_SEQUENCE : TCC_TYPE_OPTIONAL;
  out->name = "";
  tcc_vec elems;
  tcc_vec_init(&elems, sizeof(tcc_onnx_data));
  uint64_t elem_type = ELEM_UNDEFINED;
  const uint8_t *end = p + len;
  while (p < end) {
    uint64_t key, v;
    if (!get_varint(&p, end, &key)) return bad(r, what);
    int field = (int)(key >> 3), wire = (int)(key & 7);
    /* Both messages: 1 name (bytes), 2 elem_type (varint), 3..7 values (messages). Anything
     * else is another message (a TensorProto has dims in 1, data_type in 2, name in 8 and
     * raw_data in 9): refuse it rather than read it as an empty sequence. */
    bool known = (field == 1 && wire == 2) || (field == 2 && wire == 0) ||
                 (field >= 3 && field <= 7 && wire == 2);
    if (!known)
      return tcc_error_at(r->ctx, r->path, NULL, NULL,
                          "not an onnx.%s (field %d of wire type %d; a TensorProto where %s "
                          "value is expected?)",
                          what, field, wire, seq ? "a sequence" : "an optional");
    if (wire == 0) {
      if (!get_varint(&p, end, &v)) return bad(r, what);
      if (field == 2) elem_type = v;
    } else { /* wire 2 */
      if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p)) return bad(r, what);
      if (field == 1) {
        out->name = tcc_arena_strndup(a, (const char *)p, (size_t)v);
      } else if (field >= 3 && field <= 7) {
        tcc_onnx_data e;
        memset(&e, 0, sizeof e);
        TCC_TRY(parse_elem(r, field, p, (size_t)v, depth, &e));
        tcc_vec_push(a, &elems, &e);
      }
      p += v;
    }
  }
  if (elem_type > ELEM_OPTIONAL)
    return tcc_error_at(r->ctx, r->path, NULL, NULL, "%s with unknown elem_type %llu", what,
                        (unsigned long long)elem_type);
  if (elem_type == ELEM_SPARSE || elem_type == ELEM_MAP)
    return tcc_error_at(r->ctx, r->path, NULL, NULL, "%s of %s elements are not supported", what,
                        elem_type == ELEM_SPARSE ? "sparse tensor" : "map");
  if (!seq && elems.len > 1)
    return tcc_error_at(r->ctx, r->path, NULL, NULL, "an OptionalProto holds %zu values; at most 1",
                        elems.len);
  /* Every element must be of elem_type (an empty optional has elem_type undefined). */
  for (size_t i = 0; i < elems.len; i++) {
    const tcc_onnx_data *e = &TCC_VEC_AT(elems, tcc_onnx_data, i);
    int want = e->kind == TCC_TYPE_TENSOR     ? ELEM_TENSOR
               : e->kind == TCC_TYPE_SEQUENCE ? ELEM_SEQUENCE
                                              : ELEM_OPTIONAL;
    if ((int)elem_type != want)
      return tcc_error_at(r->ctx, r->path, NULL, NULL,
                          "%s element %zu does not have the declared elem_type %d", what, i,
                          (int)elem_type);
  }
  out->nelems = (int)elems.len;
  out->elems = elems.data;
  return TCC_OK;
}

/* Is the message a SequenceProto/OptionalProto rather than a TensorProto? Those have no field
 * above 7, a name (field 1) of wire type 2 where a TensorProto has dims of wire type 0, and their
 * values in fields 3/5/7 (a TensorProto's segment, string_data, int64_data: string_data is bytes
 * and int64_data is not length-delimited in proto2 unless packed, which writers do not use). */
static bool looks_like_container(const uint8_t *p, size_t len) {
  const uint8_t *end = p + len;
  bool named = false;
  int values = 0;
  uint64_t elem_type = ELEM_UNDEFINED;
  while (p < end) {
    uint64_t key, v;
    if (!get_varint(&p, end, &key)) return false;
    int field = (int)(key >> 3), wire = (int)(key & 7);
    if (field > 7 || field < 1) return false;
    if (wire == 0) {
      if (field != 2 || !get_varint(&p, end, &elem_type)) return false;
    } else if (wire == 2) {
      if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p)) return false;
      if (field == 1) named = true;
      if (field == 3 || field == 5 || field == 7) {
        if (values && values != field) return false;
        values = field;
      }
      if (field == 4 || field == 6) return false; /* float_data / string_data */
      p += v;
    } else {
      return false;
    }
  }
  /* The values' field must be the one elem_type names (tensor 3, sequence 5, optional 7). */
  if (values)
    return (elem_type == ELEM_TENSOR && values == 3) ||
           (elem_type == ELEM_SEQUENCE && values == 5) ||
           (elem_type == ELEM_OPTIONAL && values == 7);
  return named && elem_type <= ELEM_OPTIONAL;
}

tcc_status tcc_onnx_read_data_file(tcc_context *ctx, const char *path, int kind,
                                   tcc_onnx_data **out) {
  *out = NULL;
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_onnx_data *d = tcc_arena_alloc(a, sizeof *d);
  uint8_t *buf = NULL;
  size_t size = 0;
  if (kind < 0) {
    TCC_TRY(tcc_onnx_read_file(ctx, path, &buf, &size));
    kind = looks_like_container(buf, size) ? TCC_TYPE_SEQUENCE : TCC_TYPE_TENSOR;
    free(buf);
    buf = NULL;
  }
  if (kind == TCC_TYPE_TENSOR) {
    TCC_TRY(tcc_onnx_read_tensor_file(ctx, path, &d->tensor));
    d->kind = TCC_TYPE_TENSOR;
    d->name = d->tensor->name;
    *out = d;
    return TCC_OK;
  }
  TCC_TRY(tcc_onnx_read_file(ctx, path, &buf, &size));
  reader r = {ctx, path};
  tcc_status st = parse_msg(&r, buf, size, kind == TCC_TYPE_SEQUENCE, 0, d);
  free(buf);
  if (st == TCC_OK) *out = d;
  return st;
}
