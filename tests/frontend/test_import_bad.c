/* test_import_bad.c — every bad-input case of the importer (issue 2) gets a clean diagnostic in
 * the form "FILE: node 'NAME' (OP): what was expected", never a crash. Each case builds its own
 * small model with protobuf-c (or writes raw garbage / truncated bytes). */
#include "onnx/onnx_import.h"
#include "onnx_builder.h"
#include "ops/op.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[8192];
static tcc_context *last_ctx;

/* Imports `buf` as "bad.onnx" (dir for external data may be NULL); when `full`, also resolves
 * ops and infers. Returns NULL on success, else the error text (kept in `err`). */
static const char *try_import(const uint8_t *buf, size_t len, const char *dir, bool full) {
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = NULL;
  tcc_status st = tcc_onnx_import_bytes(ctx, buf, len, dir, "bad.onnx", NULL, &g);
  if (st == TCC_OK && full) st = tcc_graph_resolve_ops(ctx, g);
  if (st == TCC_OK && full) st = tcc_graph_infer(ctx, g);
  snprintf(err, sizeof err, "%s", tcc_error_text(ctx));
  if (getenv("TCC_TEST_VERBOSE") && st != TCC_OK) fprintf(stderr, "  %s\n", err);
  if (st == TCC_OK) CHECK_MSG(tcc_error_count(ctx) == 0, "ok but errors: %s", err);
  tcc_context_destroy(ctx);
  last_ctx = NULL;
  return st == TCC_OK ? NULL : err;
}

static const char *try_model(const Onnx__ModelProto *m, const char *dir, bool full) {
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  return try_import(buf, len, dir, full);
}

#define EXPECT_ERR(e, ...)                                                                         \
  do {                                                                                             \
    const char *e_ = (e);                                                                          \
    const char *subs_[] = {__VA_ARGS__};                                                           \
    CHECK_MSG(e_ != NULL, "expected an error containing '%s'", subs_[0]);                          \
    if (e_) {                                                                                      \
      CHECK_MSG(!strncmp(e_, "bad.onnx: ", 10), "error does not name the file: %s", e_);           \
      CHECK_MSG(!strchr(e_, '\n'), "error is not one line: %s", e_);                               \
      for (size_t k_ = 0; k_ < sizeof subs_ / sizeof subs_[0]; k_++)                               \
        CHECK_MSG(strstr(e_, subs_[k_]) != NULL, "'%s' not in: %s", subs_[k_], e_);                \
    }                                                                                              \
  } while (0)

/* x: float[2] -> Relu -> y */
static Onnx__ModelProto *relu_model(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, "2");
  return m;
}

static void test_valid_baseline(void) {
  CHECK_MSG(try_model(relu_model(), NULL, true) == NULL, "baseline failed: %s", err);
}

static void test_truncated_and_garbage(void) {
  size_t len;
  Onnx__ModelProto *m = relu_model();
  Onnx__TensorProto *t = mb_tensor("w", 1, 1, (int64_t[]){8});
  float w[8] = {0};
  mb_raw(t, w, sizeof w);
  mb_initializer(m->graph, t);
  uint8_t *buf = mb_pack(m, &len);
  /* Every prefix either fails cleanly naming the file, or imports. */
  for (size_t n = 0; n < len; n++) {
    const char *e = try_import(buf, n, NULL, false);
    if (e) CHECK_MSG(!strncmp(e, "bad.onnx: ", 10), "prefix %zu: %s", n, e);
  }
  /* Cut inside the graph message: protobuf-c's unpack fails. */
  EXPECT_ERR(try_import(buf, len - 3, NULL, false), "not a valid ONNX model", "protobuf");
  /* Seeded random garbage starting with an invalid wire type. */
  uint8_t g[256];
  for (size_t i = 0; i < sizeof g; i++)
    g[i] = (uint8_t)tcc_test_rand();
  g[0] = 0xff; /* field 31, wire type 7: invalid */
  EXPECT_ERR(try_import(g, sizeof g, NULL, false), "not a valid ONNX model", "protobuf");
  /* Text is not a model either. */
  const char *text = "this is not an onnx model\n";
  const char *e = try_import((const uint8_t *)text, strlen(text), NULL, false);
  CHECK(e && !strncmp(e, "bad.onnx: ", 10));
  /* Empty input: no ir_version. */
  EXPECT_ERR(try_import((const uint8_t *)"", 0, NULL, false), "ir_version");
}

static void test_wrong_wire_type(void) {
  /* ir_version=7, then field 7 (graph, a message) encoded as a varint. */
  const uint8_t a[] = {0x08, 0x07, 0x38, 0x01};
  EXPECT_ERR(try_import(a, sizeof a, NULL, false), "not a valid ONNX model", "wire type");
  /* ir_version (a varint) encoded as length-delimited bytes. */
  const uint8_t b[] = {0x0a, 0x01, 0x00};
  EXPECT_ERR(try_import(b, sizeof b, NULL, false), "not a valid ONNX model");
}

static void test_versions(void) {
  Onnx__ModelProto *m = relu_model();
  m->ir_version = 2;
  EXPECT_ERR(try_model(m, NULL, false), "IR version 2 is not supported", "3 or later");
  m = relu_model();
  m->graph = NULL;
  EXPECT_ERR(try_model(m, NULL, false), "has no graph");
  m = relu_model();
  m->n_opset_import = 0;
  EXPECT_ERR(try_model(m, NULL, false), "no opset_import");
}

static void test_unknown_ops_and_domain(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "FooOp", "foo1", "x", "a");
  mb_node(m->graph, "Relu", "r", "a", "b");
  mb_node(m->graph, "BarOp", "bar1", "b", "y");
  mb_output(m->graph, "y", 1, "2");
  /* Import succeeds; resolving names both unknown ops in one message. */
  CHECK(try_model(m, NULL, false) == NULL);
  tcc_context *ctx = tcc_context_create();
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  tcc_graph *g;
  CHECK(tcc_onnx_import_bytes(ctx, buf, len, NULL, "bad.onnx", NULL, &g) == TCC_OK);
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_ERR);
  CHECK(tcc_error_count(ctx) == 1);
  const char *e = tcc_error_text(ctx);
  CHECK_MSG(strstr(e, "FooOp") && strstr(e, "BarOp") && strstr(e, "foo1") && strstr(e, "bar1") &&
                !strncmp(e, "bad.onnx: ", 10),
            "%s", e);
  tcc_context_destroy(ctx);

  m = relu_model();
  Onnx__NodeProto *n = mb_node(m->graph, "Relu", "odd", "y", "z");
  n->domain = mb_str("com.example.unknown");
  EXPECT_ERR(try_model(m, NULL, false), "node 'odd' (Relu)", "domain 'com.example.unknown'",
             "not imported");
}

static void test_missing_input_and_duplicates(void) {
  Onnx__ModelProto *m = relu_model();
  mb_node(m->graph, "Add", "adder", "y,nope", "z");
  EXPECT_ERR(try_model(m, NULL, false), "node 'adder' (Add)", "input 'nope' is not produced");
  m = relu_model();
  mb_node(m->graph, "Relu", "again", "x", "y");
  EXPECT_ERR(try_model(m, NULL, false), "node 'again' (Relu)", "output 'y' is already defined");
  m = relu_model();
  mb_output(m->graph, "ghost", 1, "2");
  EXPECT_ERR(try_model(m, NULL, false), "output 'ghost' is not produced");
  m = relu_model();
  mb_input(m->graph, "x", 1, "2");
  EXPECT_ERR(try_model(m, NULL, false), "input 'x' is declared twice");
}

static void test_data_size_mismatch(void) {
  Onnx__ModelProto *m = relu_model();
  Onnx__TensorProto *t = mb_tensor("w", 1, 2, (int64_t[]){2, 2});
  float w[3] = {1, 2, 3};
  mb_raw(t, w, sizeof w);
  mb_initializer(m->graph, t);
  EXPECT_ERR(try_model(m, NULL, false), "initializer 'w'",
             "raw_data holds 12 bytes but dims [2, 2] of float32 need 16");

  m = relu_model();
  t = mb_tensor("w", 1, 2, (int64_t[]){2, 2});
  t->float_data = mb_new(3 * sizeof(float));
  t->n_float_data = 3;
  mb_initializer(m->graph, t);
  EXPECT_ERR(try_model(m, NULL, false), "initializer 'w'", "has 3 float_data elements",
             "dims [2, 2] need 4");

  m = relu_model();
  t = mb_tensor("w", 7, 1, (int64_t[]){2});
  t->float_data = mb_new(2 * sizeof(float)); /* int64 data in the float field */
  t->n_float_data = 2;
  mb_initializer(m->graph, t);
  EXPECT_ERR(try_model(m, NULL, false), "initializer 'w'", "int64_data");

  m = relu_model();
  t = mb_tensor("w", 1, 1, (int64_t[]){-3});
  mb_initializer(m->graph, t);
  EXPECT_ERR(try_model(m, NULL, false), "initializer 'w'", "negative");

  m = relu_model();
  t = mb_tensor("w", 14, 1, (int64_t[]){1}); /* complex64 */
  mb_initializer(m->graph, t);
  EXPECT_ERR(try_model(m, NULL, false), "initializer 'w'", "data type 14", "not supported");
}

static void test_dim_overflow(void) {
  Onnx__ModelProto *m = relu_model();
  Onnx__TensorProto *t = mb_tensor("big", 1, 2, (int64_t[]){(int64_t)1 << 62, 4});
  mb_initializer(m->graph, t);
  EXPECT_ERR(try_model(m, NULL, false), "initializer 'big'", "overflow int64");

  m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "4611686018427387904,4");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, NULL);
  EXPECT_ERR(try_model(m, NULL, false), "input 'x'", "overflow int64");

  /* Fits in int64 elements, but not in bytes. */
  m = relu_model();
  t = mb_tensor("big", 1, 1, (int64_t[]){(int64_t)1 << 62});
  mb_initializer(m->graph, t);
  EXPECT_ERR(try_model(m, NULL, false), "initializer 'big'", "too large");
}

static void test_cycle(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "Add", "first", "x,b", "a");
  mb_node(m->graph, "Relu", "second", "a", "b");
  mb_output(m->graph, "b", 1, "2");
  EXPECT_ERR(try_model(m, NULL, false), "cycle", "node '");
  const char *e = err;
  CHECK_MSG(strstr(e, "'first'") || strstr(e, "'second'"), "%s", e);
}

static void test_attribute_type(void) {
  Onnx__ModelProto *m = relu_model();
  Onnx__NodeProto *c = mb_node(m->graph, "Constant", "k", NULL, "kv");
  mb_attr_ints(c, "value_float", 2, (int64_t[]){1, 2});
  EXPECT_ERR(try_model(m, NULL, false), "node 'k' (Constant)",
             "attribute 'value_float' must be of type float, got ints");

  m = relu_model();
  c = mb_node(m->graph, "Constant", "k2", NULL, "kv");
  mb_attr_int(c, "value_int", 1);
  mb_attr_float(c, "value_float", 1);
  EXPECT_ERR(try_model(m, NULL, false), "node 'k2' (Constant)", "exactly one");

  /* An op attribute of the wrong type, found when the registry checks the node. */
  m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2,3");
  Onnx__NodeProto *s = mb_node(m->graph, "Softmax", "sm", "x", "y");
  mb_attr_float(s, "axis", 1.0f);
  mb_output(m->graph, "y", 1, "2,3");
  EXPECT_ERR(try_model(m, NULL, true), "node 'sm' (Softmax)", "axis");

  /* The getters of graph.h report a wrong kind naming the node. */
  tcc_context *ctx = tcc_context_create();
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  tcc_graph *g;
  CHECK(tcc_onnx_import_bytes(ctx, buf, len, NULL, "bad.onnx", NULL, &g) == TCC_OK);
  int64_t axis = 0;
  CHECK(tcc_node_attr_int(ctx, g, TCC_GRAPH_NODE(g, 0), "axis", -1, &axis) == TCC_ERR);
  CHECK_MSG(
      !strcmp(tcc_error_text(ctx),
              "bad.onnx: node 'sm' (Softmax): attribute 'axis' must be of type int, got float"),
      "%s", tcc_error_text(ctx));
  double f;
  tcc_error_clear(ctx);
  CHECK(tcc_node_attr_float(ctx, g, TCC_GRAPH_NODE(g, 0), "axis", 0, &f) == TCC_OK && f == 1.0);
  CHECK(tcc_node_attr_int(ctx, g, TCC_GRAPH_NODE(g, 0), "absent", 7, &axis) == TCC_OK && axis == 7);
  tcc_context_destroy(ctx);
}

static void test_function_recursion(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_opset(m, "local", 1);
  Onnx__FunctionProto *f = mb_new(sizeof *f);
  onnx__function_proto__init(f);
  f->name = mb_str("Loopy");
  f->domain = mb_str("local");
  mb_names("a", &f->input, &f->n_input);
  mb_names("b", &f->output, &f->n_output);
  Onnx__NodeProto *inner = mb_node(NULL, "Loopy", "self", "a", "b");
  inner->domain = mb_str("local");
  MB_PUSH(f->node, f->n_node, inner);
  MB_PUSH(m->functions, m->n_functions, f);
  mb_input(m->graph, "x", 1, "2");
  Onnx__NodeProto *call = mb_node(m->graph, "Loopy", "call", "x", "y");
  call->domain = mb_str("local");
  mb_output(m->graph, "y", 1, "2");
  EXPECT_ERR(try_model(m, NULL, false), "Loopy", "calls itself");
}

static char tmpdir[64];

static void write_model(const char *name, const Onnx__ModelProto *m) {
  char path[256];
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  CHECK(mb_write(path, buf, len) == 0);
}

/* A model whose initializer w (float[4]) lives in external data. */
static Onnx__ModelProto *ext_model(const char *location, const char *offset, const char *length) {
  Onnx__ModelProto *m = relu_model();
  Onnx__TensorProto *t = mb_tensor("w", 1, 1, (int64_t[]){4});
  mb_external(t, location, offset, length);
  mb_initializer(m->graph, t);
  return m;
}

static const char *try_ext(const char *location, const char *offset, const char *length) {
  size_t len;
  uint8_t *buf = mb_pack(ext_model(location, offset, length), &len);
  return try_import(buf, len, tmpdir, false);
}

static void test_external_data(void) {
  char path[256];
  float w[4] = {1.5f, -2.0f, 3.25f, 4.0f};
  snprintf(path, sizeof path, "%s/w.bin", tmpdir);
  CHECK(mb_write(path, w, sizeof w) == 0);
  snprintf(path, sizeof path, "%s/sub", tmpdir);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/sub/w2.bin", tmpdir);
  float w2[6] = {0, 0, 9, 8, 7, 6}; /* data at offset 8 */
  CHECK(mb_write(path, w2, sizeof w2) == 0);
  snprintf(path, sizeof path, "%s/escape.bin", tmpdir);
  CHECK(symlink("/etc/passwd", path) == 0);

  /* Valid: whole file, and a sub-folder with an offset, read through the file API. */
  write_model("ok.onnx", ext_model("w.bin", NULL, NULL));
  write_model("ok2.onnx", ext_model("sub/w2.bin", "8", "16"));
  for (int k = 0; k < 2; k++) {
    tcc_context *ctx = tcc_context_create();
    tcc_graph *g;
    snprintf(path, sizeof path, "%s/%s", tmpdir, k ? "ok2.onnx" : "ok.onnx");
    CHECK_MSG(tcc_onnx_import_file(ctx, path, NULL, &g) == TCC_OK, "%s", tcc_error_text(ctx));
    if (tcc_error_count(ctx) == 0) {
      const tcc_value *v = NULL;
      for (size_t i = 0; i < g->values.len; i++)
        if (!strcmp(TCC_GRAPH_VALUE(g, i)->name, "w")) v = TCC_GRAPH_VALUE(g, i);
      CHECK(v && v->kind == TCC_VALUE_CONST && v->mapped && v->nbytes == 16);
      if (v) CHECK(!memcmp(v->data, k ? (const void *)(w2 + 2) : (const void *)w, 16));
    }
    tcc_context_destroy(ctx);
  }

  EXPECT_ERR(try_ext("../../etc/passwd", NULL, NULL), "initializer 'w'",
             "'../../etc/passwd' leaves the model's folder");
  EXPECT_ERR(try_ext("sub/../../x.bin", NULL, NULL), "leaves the model's folder");
  EXPECT_ERR(try_ext("/etc/passwd", NULL, NULL), "absolute path");
  EXPECT_ERR(try_ext("escape.bin", NULL, NULL), "outside the model's folder");
  EXPECT_ERR(try_ext("w.bin", "32", NULL), "offset 32 is past the end", "(16 bytes)");
  EXPECT_ERR(try_ext("w.bin", "8", "16"), "offset 8 + length 16 is past the end");
  EXPECT_ERR(try_ext("w.bin", "4", NULL), "holds 12 bytes", "need 16");
  EXPECT_ERR(try_ext("w.bin", "-1", NULL), "offset '-1'");
  EXPECT_ERR(try_ext("missing.bin", NULL, NULL), "cannot open external data");
  EXPECT_ERR(try_ext("", NULL, NULL), "empty location");
  /* Without a folder (bytes given directly) external data is refused. */
  size_t len;
  uint8_t *buf = mb_pack(ext_model("w.bin", NULL, NULL), &len);
  EXPECT_ERR(try_import(buf, len, NULL, false), "needs the model's folder");

  /* A missing model file names the file. */
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g;
  snprintf(path, sizeof path, "%s/no-such-model.onnx", tmpdir);
  CHECK(tcc_onnx_import_file(ctx, path, NULL, &g) == TCC_ERR);
  CHECK(strstr(tcc_error_text(ctx), path) && strstr(tcc_error_text(ctx), "cannot open"));
  tcc_context_destroy(ctx);

  const char *names[] = {"w.bin", "sub/w2.bin", "escape.bin", "ok.onnx", "ok2.onnx"};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(names); i++) {
    snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/sub", tmpdir);
  rmdir(path);
}

static void test_input_shape_errors(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "N,3");
  mb_input(m->graph, "z", 1, "N");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, NULL);
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  struct {
    const char *spec[2];
    const char *want;
  } cases[] = {
      {{"q=1x3", NULL}, "no input named 'q'"},
      {{"x=1x3x4", NULL}, "rank 2, but 3 dims"},
      {{"x=1x4", NULL}, "fixed at 3"},
      {{"x=2x3", "z=5"}, "'N' is bound to both 2 and 5"},
  };
  for (size_t c = 0; c < TCC_ARRAY_SIZE(cases); c++) {
    tcc_context *ctx = tcc_context_create();
    tcc_input_shape is[2];
    int n = 0;
    for (int k = 0; k < 2 && cases[c].spec[k]; k++)
      CHECK(tcc_parse_input_shape(ctx, cases[c].spec[k], &is[n++]) == TCC_OK);
    tcc_import_options o = {0};
    o.ninput_shapes = n;
    o.input_shapes = is;
    tcc_graph *g;
    CHECK(tcc_onnx_import_bytes(ctx, buf, len, NULL, "bad.onnx", &o, &g) == TCC_ERR);
    CHECK_MSG(strstr(tcc_error_text(ctx), cases[c].want) &&
                  !strncmp(tcc_error_text(ctx), "bad.onnx: ", 10),
              "want '%s' in: %s", cases[c].want, tcc_error_text(ctx));
    tcc_context_destroy(ctx);
  }
  /* Flag syntax. */
  const char *bad[] = {
      "noequals", "=1x2", "x=1xx2", "x=-1", "x=1x2x3x4x5x6x7x8x9", "x=99999999999999999999"};
  for (size_t k = 0; k < TCC_ARRAY_SIZE(bad); k++) {
    tcc_context *ctx = tcc_context_create();
    tcc_input_shape is;
    CHECK_MSG(tcc_parse_input_shape(ctx, bad[k], &is) == TCC_ERR, "%s accepted", bad[k]);
    CHECK(strstr(tcc_error_text(ctx), "--input-shape") != NULL);
    tcc_context_destroy(ctx);
  }
}

int main(void) {
  tcc_test_seed("frontend_test_import_bad");
  snprintf(tmpdir, sizeof tmpdir, "/tmp/tcc_frontend_XXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_valid_baseline();
  test_truncated_and_garbage();
  test_wrong_wire_type();
  test_versions();
  test_unknown_ops_and_domain();
  test_missing_input_and_duplicates();
  test_data_size_mismatch();
  test_dim_overflow();
  test_cycle();
  test_attribute_type();
  test_function_recursion();
  test_external_data();
  test_input_shape_errors();
  rmdir(tmpdir);
  mb_free_all();
  return tcc_test_finish("frontend_test_import_bad");
}
