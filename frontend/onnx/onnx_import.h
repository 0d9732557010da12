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

/* The kind of a binding: a tensor's shape, or the structure of a sequence / optional input. */
typedef enum tcc_input_shape_kind {
  TCC_SHAPE_TENSOR = 0,   /* ndim/dims */
  TCC_SHAPE_SEQUENCE = 1, /* nelems elements, each in elems[i] (a tensor, or nested) */
  TCC_SHAPE_NONE = 2,     /* an absent optional */
} tcc_input_shape_kind;

/* NAME=DIMS bindings from --input-shape (dims like 1x3x224x224). A sequence input is bound to
 * its length and per-element shapes, NAME=[2x3,4] (two elements of shapes 2x3 and 4; [] is
 * empty; () is a scalar element; brackets nest for a sequence of sequences); an optional input
 * to `none` (absent) or to its element's binding (present). The element dtype is the model's. */
typedef struct tcc_input_shape {
  const char *name;
  int ndim;
  int64_t dims[TCCRT_MAX_RANK];
  /* Added for sequences and optionals; zero (a tensor) in bindings that predate them. */
  tcc_input_shape_kind kind;
  int nelems;                          /* TCC_SHAPE_SEQUENCE */
  const struct tcc_input_shape *elems; /* TCC_SHAPE_SEQUENCE: nelems entries (names unused) */
} tcc_input_shape;

typedef struct tcc_import_options {
  int ninput_shapes;
  const tcc_input_shape *input_shapes;
  /* Also bind dim_param symbols by name (SYMBOL=VALUE), e.g. N=1. */
  int nsymbols;
  const char *const *symbol_names;
  const int64_t *symbol_values;
  /* Sequence and optional inputs (see tcc_value_type in graph.h): with options given and this
   * false, the importer binds their structure from input_shapes and expands them into tensors
   * (tcc_pass_expand_sequences); an unbound one is an error naming it and the --input-shape
   * syntax. True (or no options at all, opts == NULL): they are kept unexpanded, with their
   * declared types (for listing inputs and printing). */
  bool keep_sequences;
} tcc_import_options;

/* Parses "NAME=1x3x224x224" (or "NAME=" for rank 0) into *out (strings in the context arena);
 * also "NAME=[2x3,4]" (a sequence: brackets hold comma-separated element shapes, `()` a scalar
 * element, `none` an absent optional element, `[]` no element, nested brackets a sequence
 * element) and "NAME=none" (an absent optional).
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
/* A value of a test-data file: a tensor (onnx.TensorProto), a sequence (onnx.SequenceProto) or
 * an optional (onnx.OptionalProto), as onnx-data.proto defines them. */
typedef struct tcc_onnx_data {
  const char *name;
  tcc_type_kind kind;
  tcc_value *tensor;                 /* TCC_TYPE_TENSOR: as tcc_onnx_read_tensor_file reads it */
  int nelems;                        /* SEQUENCE: elements; OPTIONAL: 0 (absent) or 1 */
  const struct tcc_onnx_data *elems; /* nelems entries */
} tcc_onnx_data;

/* Reads a .pb file holding a value of `kind` (the serialized messages carry no tag saying which
 * they are, so the caller says what the model declares): TCC_TYPE_TENSOR an onnx.TensorProto,
 * SEQUENCE an onnx.SequenceProto, OPTIONAL an onnx.OptionalProto; elements nest (a sequence of
 * sequences, an optional sequence). kind -1: told from the bytes (a message whose fields are
 * those of a SequenceProto/OptionalProto and not a TensorProto's is read as a SEQUENCE, since the
 * two have the same encoding; what it flattens to is the same). Sparse tensors and maps are "not
 * supported" errors; errors name the file. */
tcc_status tcc_onnx_read_data_file(tcc_context *ctx, const char *path, int kind,
                                   tcc_onnx_data **out);

/* Writes a dense tensor as an onnx.TensorProto .pb file (raw_data). */
tcc_status tcc_onnx_write_tensor_file(tcc_context *ctx, const char *path, const char *name,
                                      tccrt_dtype dtype, int ndim, const int64_t *dims,
                                      const void *data);

#ifdef __cplusplus
}
#endif
#endif /* TCC_ONNX_IMPORT_H */
