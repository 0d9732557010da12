/* tool_common.h — shared by `tcc-ml run` and `tcc-ml test`: tensors in .pb/.npy files, JIT
 * execution of the very object `compile` writes, comparison with the ONNX runner's tolerances. */
#ifndef TCC_TOOL_COMMON_H
#define TCC_TOOL_COMMON_H

#include "aot/aot.h"
#include "onnx/onnx_import.h"
#include "passes/passes.h" /* tcc_pass_expand_sequences */

#include <stdio.h>

/* A dense host tensor. */
typedef struct tcc_host_tensor {
  const char *name;
  tccrt_dtype dtype;
  int ndim;
  int64_t dims[TCCRT_MAX_RANK];
  void *data; /* arena memory */
  size_t nbytes;
} tcc_host_tensor;

/* Reads a .pb (onnx.TensorProto) or .npy file (by extension). Errors name the file. */
tcc_status tcc_tool_read_tensor(tcc_context *ctx, const char *path, tcc_host_tensor *out);
/* Writes a tensor as .npy (little-endian, C order). */
tcc_status tcc_tool_write_npy(tcc_context *ctx, const char *path, const tcc_host_tensor *t);

/* A value of a test-data file or --input: a tensor, or a sequence / optional of them (read
 * from onnx.SequenceProto / OptionalProto files). */
typedef struct tcc_host_value {
  const char *name;
  tcc_type_kind kind;
  tcc_host_tensor tensor; /* TCC_TYPE_TENSOR */
  int nelems;             /* SEQUENCE: elements; OPTIONAL: 0 (absent) or 1 */
  struct tcc_host_value *elems;
} tcc_host_value;

/* Reads a value of the type `declared` (a graph input's or output's vtype): a tensor type reads a
 * tensor (tcc_tool_read_tensor: .pb or .npy), a sequence an onnx.SequenceProto .pb file, an
 * optional an onnx.OptionalProto. NULL: a .npy tensor, or a .pb file told from its bytes (a
 * TensorProto, else a SequenceProto/OptionalProto read as a sequence). Errors name the file. */
tcc_status tcc_tool_read_value(tcc_context *ctx, const char *path, const tcc_value_type *declared,
                               tcc_host_value *out);

/* Flattens v, the value of the graph input or output `name`, into the tensors the expanded
 * model takes or gives (tcc_pass_expand_sequences: element i of a sequence is NAME[i], a present
 * optional's element keeps NAME, an absent one gives nothing), appended to `tensors` (a tcc_vec
 * of tcc_host_tensor, each named), and, when `binding` is not NULL, sets *binding to the
 * --input-shape binding of its structure (and a tensor's shape). */
void tcc_tool_flatten_value(tcc_context *ctx, const char *name, const tcc_host_value *v,
                            tcc_vec *tensors, tcc_input_shape *binding);

/* One test_data_set_N folder's files PREFIX_0.pb, PREFIX_1.pb ... ("input" files are the
 * model's inputs in order, "output" files its outputs). */
typedef struct tcc_data_set {
  int nfiles;
  tcc_host_value *files;  /* per file */
  tcc_input_shape *binds; /* per file: its --input-shape binding (a shape, or a structure) */
  int nflat;
  tcc_host_tensor *flat; /* every tensor in order, sequences/optionals flattened (x[0], ...) */
} tcc_data_set;

/* Reads PREFIX_K.pb of folder `setdir` for K = 0, 1 ... while the file exists (at most 64). g0 is
 * the model imported without expanding its sequences (tcc_onnx_import_file with NULL options):
 * file K has the declared type of g0's input (or output) K and takes its name; without g0 a
 * SequenceProto/OptionalProto is told from the bytes and the .pb's names are kept. Errors name
 * the file. */
tcc_status tcc_tool_read_data_set(tcc_context *ctx, const char *setdir, const char *prefix,
                                  const tcc_graph *g0, tcc_data_set *out);

typedef int (*tcc_model_run_fn)(const void *const inputs[], void *const outputs[]);
typedef const tccrt_model_info *(*tcc_model_info_fn)(void);

/* A model compiled for the host and loaded into the JIT. */
typedef struct tcc_jit_model {
  tcc_aot_model *aot;
  tcc_aot_jit *jit; /* unused (NULL): the tools load the object into ljit themselves */
  tcc_model_run_fn run;
  const tccrt_model_info *info;
  struct tcc_llvm_jit *ljit; /* the JIT holding the object */
  int (*run_with_workspace)(const void *const inputs[], void *const outputs[], void *workspace);
  void *workspace; /* info->workspace_size bytes, 64-byte aligned, for tcc_tool_jit_run */
} tcc_jit_model;

/* Runs the loaded model once: NAME_run_with_workspace with the model's own workspace (allocated
 * by tcc_tool_jit_compile, freed by tcc_tool_jit_free; so nothing of NAME_run's process-wide
 * workspace pool stays allocated). Returns NAME_run's code (0 ok, else a tccrt_status with
 * tccrt_last_error() set). */
int tcc_tool_jit_run(const tcc_jit_model *m, const void *const inputs[], void *const outputs[]);

/* Makes the graph input named `name` a constant holding t's data (for inputs that determine
 * shapes, e.g. Pad's pads fed by a test) and removes it from the graph's inputs. Errors: no such
 * input, or a dtype different from the input's. */
tcc_status tcc_tool_bind_input(tcc_context *ctx, tcc_graph *g, const char *name,
                               const tcc_host_tensor *t);

/* Imports `path` with the given input shapes and input bindings (tcc_tool_bind_input; nbind may
 * be 0), compiles it (name `name`, host target) into one object in memory, loads it into the
 * JIT and allocates its workspace (an error "cannot allocate N bytes for the workspace" when it
 * cannot be had). Run with tcc_tool_jit_run; free with tcc_tool_jit_free. */
tcc_status tcc_tool_jit_compile(tcc_context *ctx, const char *path, int nshapes,
                                const tcc_input_shape *shapes, int nbind,
                                const char *const *bind_names, const tcc_host_tensor *bind_vals,
                                const char *name, tcc_jit_model *out);
void tcc_tool_jit_free(tcc_jit_model *m);

/* Compares `actual` (dtype/shape from `exp`) with `exp`: floats |a-e| <= atol + rtol*|e| and NaN
 * matches NaN; integers and bools exactly. On mismatch writes "index I: expected E, got A" (or a
 * shape/dtype message) into msg and returns false. */
bool tcc_tool_compare(const tcc_host_tensor *exp, const void *actual, tccrt_dtype actual_dtype,
                      int actual_ndim, const int64_t *actual_dims, double rtol, double atol,
                      char *msg, size_t msglen);

/* Fallible memory for tensor data (inputs read from files, output buffers): n bytes (n may be 0)
 * at a 64-byte aligned address, uninitialized, owned by ctx until tcc_tool_free_data(ctx). When
 * the memory cannot be had (e.g. over the address-space limit of `ulimit -v` or `test --mem`)
 * records "cannot allocate N bytes for WHAT" and returns NULL; never aborts. */
void *tcc_tool_alloc_data(tcc_context *ctx, size_t n, const char *what);
/* Frees every block tcc_tool_alloc_data gave for ctx (call before tcc_context_destroy). */
void tcc_tool_free_data(tcc_context *ctx);

/* Checks --target / --mcpu values before LLVM sees them: a triple must be non-empty, of 1 to 4
 * '-'-separated non-empty components of [A-Za-z0-9_.] (arch-vendor-os-env, e.g.
 * x86_64-linux-gnu, aarch64-linux-android); a CPU non-empty of [A-Za-z0-9_.+-]. triple or mcpu
 * NULL: not given (fine). Returns NULL when both are fine, else buf holding what is wrong
 * ("--target 'X': expected ...", at most len bytes). An unknown architecture passes here and is
 * LLVM's error at compile time. */
const char *tcc_tool_check_target(const char *triple, const char *mcpu, char *buf, size_t len);

/* Prints "tcc-ml: error: MSG" as one line on stderr: newlines in MSG (from names in the model)
 * written as \n, other control characters as \xNN. */
void tcc_tool_print_error(const char *msg);

#endif
