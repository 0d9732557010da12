/* onnx_import.h — the ONNX importer: ModelProto bytes -> graph IR (ir/graph.h).
 *
 * Spec: ONNX IR (onnx.proto, IR versions 3 and up). Errors are recorded in the context as
 * "FILE: node 'NAME' (OP): what was expected" and TCC_ERR is returned; bad input never crashes. */
#ifndef TCC_ONNX_IMPORT_H
#define TCC_ONNX_IMPORT_H

#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* NAME=DIMS bindings from --input-shape (dims like 1x3x224x224). */
typedef struct tcc_input_shape {
  const char *name;
  int ndim;
  int64_t dims[TCCRT_MAX_RANK];
} tcc_input_shape;

typedef struct tcc_import_options {
  int ninput_shapes;
  const tcc_input_shape *input_shapes;
  /* Also bind dim_param symbols by name (SYMBOL=VALUE), e.g. N=1. */
  int nsymbols;
  const char *const *symbol_names;
  const int64_t *symbol_values;
} tcc_import_options;

/* Parses "NAME=1x3x224x224" (or "NAME=" for rank 0) into *out (strings in the context arena).
 * Errors name the flag and what was expected. */
tcc_status tcc_parse_input_shape(tcc_context *ctx, const char *spec, tcc_input_shape *out);

/* Imports the model at `path` (external data resolved relative to its folder, memory-mapped).
 * The graph is topologically sorted; model-local functions are inlined; opsets recorded.
 * `opts` may be NULL. */
tcc_status tcc_onnx_import_file(tcc_context *ctx, const char *path, const tcc_import_options *opts,
                                tcc_graph **out);
/* Same from memory; `dir` is the folder external data is relative to (NULL: external data is an
 * error). `display_name` names the model in diagnostics. */
tcc_status tcc_onnx_import_bytes(tcc_context *ctx, const void *data, size_t size, const char *dir,
                                 const char *display_name, const tcc_import_options *opts,
                                 tcc_graph **out);

/* Reads a serialized onnx.TensorProto (a test_data_set_N/NAME.pb file) into a constant value of a
 * fresh graph-less form: dtype, dims, dense data (copied into the arena). */
tcc_status tcc_onnx_read_tensor_file(tcc_context *ctx, const char *path, tcc_value **out);
/* Writes a dense tensor as an onnx.TensorProto .pb file (raw_data). */
tcc_status tcc_onnx_write_tensor_file(tcc_context *ctx, const char *path, const char *name,
                                      tccrt_dtype dtype, int ndim, const int64_t *dims,
                                      const void *data);

#ifdef __cplusplus
}
#endif
#endif /* TCC_ONNX_IMPORT_H */
