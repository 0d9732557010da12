/* onnx_internal.h — private helpers shared by the ONNX importer's files. */
#ifndef TCC_ONNX_INTERNAL_H
#define TCC_ONNX_INTERNAL_H

#include "onnx.pb-c.h"
#include "onnx_import.h"

/* An external-data file mapped once per import. */
typedef struct tcc_onnx_mapping {
  const char *location;
  const unsigned char *base;
  size_t size;
  struct tcc_onnx_mapping *next;
} tcc_onnx_mapping;

/* What tensor conversion needs to know about where it is. */
typedef struct tcc_onnx_tensor_ctx {
  tcc_context *ctx;
  const char *file; /* display name for diagnostics */
  const char *dir;  /* folder external data is relative to; NULL: external data is an error */
  tcc_onnx_mapping *mappings;
} tcc_onnx_tensor_ctx;

/* A protobuf-c allocator that allocates from the context's arena (freeing is a no-op), so
 * unpacked messages and their bytes live as long as the graph and need no copies. */
ProtobufCAllocator tcc_onnx_arena_allocator(tcc_context *ctx);

/* Checks that the nesting depth of sub-messages in a serialized `desc` message stays within a
 * bound, so that unpacking (which recurses) cannot exhaust the stack. Returns false if deeper. */
bool tcc_onnx_check_depth(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                          int max_depth);

/* Converts TensorProto `t` into the constant value `v` (dtype, dims, data or strings). `what`
 * describes the tensor for diagnostics ("initializer 'w'", "attribute 'value'"); node/op name
 * the node it belongs to (may be NULL). Every storage form of onnx.proto is accepted; the data
 * size must agree with the dims, dims must be >= 0 and their product fit in int64. */
tcc_status tcc_onnx_tensor_to_value(tcc_onnx_tensor_ctx *tc, const Onnx__TensorProto *t,
                                    const char *what, const char *node, const char *op,
                                    tcc_value *v);

/* A NUL-terminated arena copy of protobuf bytes (which may be {0, NULL}). */
static inline char *tcc_onnx_bytes_dup(tcc_context *ctx, const ProtobufCBinaryData *b) {
  return b->len ? tcc_arena_strndup(tcc_ctx_arena(ctx), (const char *)b->data, b->len)
                : tcc_arena_strdup(tcc_ctx_arena(ctx), "");
}

/* Maps a dtype code of onnx.proto to ours; false for codes we do not support (complex, ...). */
bool tcc_onnx_dtype(int32_t code, tccrt_dtype *out);
/* The name of any onnx.proto dtype code, supported or not ("float32", "COMPLEX64", ...). */
const char *tcc_onnx_dtype_code_name(int32_t code);

/* Reads a whole file into malloc'ed memory (*data; the caller frees); errors name the file. */
tcc_status tcc_onnx_read_file(tcc_context *ctx, const char *path, uint8_t **data, size_t *size);
/* The folder of `path` ("." when it has none), in the arena. */
const char *tcc_onnx_dirname(tcc_context *ctx, const char *path);

#endif
