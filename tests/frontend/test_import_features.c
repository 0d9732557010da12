/* test_import_features.c — what the importer must understand, each on a model the test builds:
 * initializers in every storage form of onnx.proto (expected bytes written out by hand from the
 * spec: little-endian, 16-bit floats as bit patterns in int32_data), Constant with each value
 * attribute, initializers listed as inputs (IR 3 vs 4), dim_param symbols and their bindings,
 * If/Loop bodies with outer-scope references, model-local functions with attribute references,
 * nodes out of order, value_info, the tensor file reader/writer, and the printers. */
#include "onnx/onnx_import.h"
#include "onnx_builder.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tcc_graph *import(tcc_context *ctx, const Onnx__ModelProto *m, const tcc_import_options *o) {
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  tcc_graph *g = NULL;
  tcc_status st = tcc_onnx_import_bytes(ctx, buf, len, NULL, "t.onnx", o, &g);
  CHECK_MSG(st == TCC_OK, "import failed: %s", tcc_error_text(ctx));
  return st == TCC_OK ? g : NULL;
}

static tcc_value *find_value(const tcc_graph *g, const char *name) {
  for (size_t i = 0; i < g->values.len; i++)
    if (!strcmp(TCC_GRAPH_VALUE(g, i)->name, name)) return TCC_GRAPH_VALUE(g, i);
  return NULL;
}

static bool dims_are(const tcc_value *v, int n, const int64_t *want) {
  if (!v || v->ndim != n) return false;
  for (int i = 0; i < n; i++) {
    int64_t d;
    if (!tcc_expr_is_int_imm(v->dims[i], &d) || d != want[i]) return false;
  }
  return true;
}

static const char *dim_str(tcc_context *ctx, const tcc_value *v, int i) {
  return v && i < v->ndim ? tcc_expr_str(ctx, v->dims[i]) : "<none>";
}

/* ---- storage forms ---- */

typedef struct storage_case {
  const char *name;
  int32_t dtype;
  int n;
  /* Exactly one of these holds the typed data. */
  const float *f;
  const int32_t *i32;
  const int64_t *i64;
  const double *d;
  const uint64_t *u64;
  /* The little-endian bytes ONNX says this data means. */
  const uint8_t *expect;
  size_t expect_len;
} storage_case;

static void test_storage_forms(void) {
  static const float f[] = {1.5f, -2.0f, 3e-5f};
  static const uint8_t f_le[] = {0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00,
                                 0x00, 0xc0, 0x82, 0xa8, 0xfb, 0x37};
  static const int32_t i32[] = {-7, 2147483647};
  static const uint8_t i32_le[] = {0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
  static const int32_t i16[] = {-300, 32767};
  static const uint8_t i16_le[] = {0xd4, 0xfe, 0xff, 0x7f};
  static const int32_t i8[] = {-128, 127, -1};
  static const uint8_t i8_le[] = {0x80, 0x7f, 0xff};
  static const int32_t u16[] = {65535, 1};
  static const uint8_t u16_le[] = {0xff, 0xff, 0x01, 0x00};
  static const int32_t u8[] = {255, 0, 7};
  static const uint8_t u8_le[] = {0xff, 0x00, 0x07};
  static const int32_t b[] = {1, 0, 1};
  static const uint8_t b_le[] = {1, 0, 1};
  static const int32_t h[] = {0x3c00, 0xc000}; /* float16 1.0, -2.0 */
  static const uint8_t h_le[] = {0x00, 0x3c, 0x00, 0xc0};
  static const int32_t bf[] = {0x3f80}; /* bfloat16 1.0 */
  static const uint8_t bf_le[] = {0x80, 0x3f};
  static const int64_t i64[] = {INT64_MIN, 5};
  static const uint8_t i64_le[] = {0, 0, 0, 0, 0, 0, 0, 0x80, 5, 0, 0, 0, 0, 0, 0, 0};
  static const double d[] = {0.5, -1024.0};
  static const uint8_t d_le[] = {0, 0, 0, 0, 0, 0, 0xe0, 0x3f, 0, 0, 0, 0, 0, 0, 0x90, 0xc0};
  static const uint64_t u32[] = {4294967295u};
  static const uint8_t u32_le[] = {0xff, 0xff, 0xff, 0xff};
  static const uint64_t u64[] = {UINT64_MAX, 2};
  static const uint8_t u64_le[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   2,    0,    0,    0,    0,    0,    0,    0};
  const storage_case cases[] = {
      {"f32", 1, 3, f, NULL, NULL, NULL, NULL, f_le, sizeof f_le},
      {"i32", 6, 2, NULL, i32, NULL, NULL, NULL, i32_le, sizeof i32_le},
      {"i16", 5, 2, NULL, i16, NULL, NULL, NULL, i16_le, sizeof i16_le},
      {"i8", 3, 3, NULL, i8, NULL, NULL, NULL, i8_le, sizeof i8_le},
      {"u16", 4, 2, NULL, u16, NULL, NULL, NULL, u16_le, sizeof u16_le},
      {"u8", 2, 3, NULL, u8, NULL, NULL, NULL, u8_le, sizeof u8_le},
      {"bool", 9, 3, NULL, b, NULL, NULL, NULL, b_le, sizeof b_le},
      {"f16", 10, 2, NULL, h, NULL, NULL, NULL, h_le, sizeof h_le},
      {"bf16", 16, 1, NULL, bf, NULL, NULL, NULL, bf_le, sizeof bf_le},
      {"i64", 7, 2, NULL, NULL, i64, NULL, NULL, i64_le, sizeof i64_le},
      {"f64", 11, 2, NULL, NULL, NULL, d, NULL, d_le, sizeof d_le},
      {"u32", 12, 1, NULL, NULL, NULL, NULL, u32, u32_le, sizeof u32_le},
      {"u64", 13, 2, NULL, NULL, NULL, NULL, u64, u64_le, sizeof u64_le},
  };
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, "2");
  for (size_t c = 0; c < TCC_ARRAY_SIZE(cases); c++) {
    const storage_case *sc = &cases[c];
    int64_t dims[1] = {sc->n};
    Onnx__TensorProto *t = mb_tensor(sc->name, sc->dtype, 1, dims);
    size_t n = (size_t)sc->n;
    if (sc->f)
      t->float_data = mb_new(n * 4), memcpy(t->float_data, sc->f, n * 4), t->n_float_data = n;
    if (sc->i32)
      t->int32_data = mb_new(n * 4), memcpy(t->int32_data, sc->i32, n * 4), t->n_int32_data = n;
    if (sc->i64)
      t->int64_data = mb_new(n * 8), memcpy(t->int64_data, sc->i64, n * 8), t->n_int64_data = n;
    if (sc->d)
      t->double_data = mb_new(n * 8), memcpy(t->double_data, sc->d, n * 8), t->n_double_data = n;
    if (sc->u64)
      t->uint64_data = mb_new(n * 8), memcpy(t->uint64_data, sc->u64, n * 8), t->n_uint64_data = n;
    mb_initializer(m->graph, t);
    /* The same bytes as raw_data. */
    char raw_name[64];
    snprintf(raw_name, sizeof raw_name, "%s_raw", sc->name);
    Onnx__TensorProto *r = mb_tensor(raw_name, sc->dtype, 1, dims);
    mb_raw(r, sc->expect, sc->expect_len);
    mb_initializer(m->graph, r);
  }
  /* Strings, a scalar and an empty tensor. */
  Onnx__TensorProto *s = mb_tensor("str", 8, 1, (int64_t[]){3});
  const char *strs[] = {"ab", "", "xyz"};
  for (int i = 0; i < 3; i++) {
    ProtobufCBinaryData bd = {strlen(strs[i]), (uint8_t *)mb_str(strs[i])};
    MB_PUSH(s->string_data, s->n_string_data, bd);
  }
  mb_initializer(m->graph, s);
  Onnx__TensorProto *sc0 = mb_tensor("scalar", 1, 0, NULL);
  float pi = 3.25f;
  sc0->float_data = mb_new(4), memcpy(sc0->float_data, &pi, 4), sc0->n_float_data = 1;
  mb_initializer(m->graph, sc0);
  mb_initializer(m->graph, mb_tensor("empty", 1, 2, (int64_t[]){0, 5}));

  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = import(ctx, m, NULL);
  if (!g) goto out;
  for (size_t c = 0; c < TCC_ARRAY_SIZE(cases); c++) {
    const storage_case *sc = &cases[c];
    char raw_name[64];
    snprintf(raw_name, sizeof raw_name, "%s_raw", sc->name);
    for (int k = 0; k < 2; k++) {
      const tcc_value *v = find_value(g, k ? raw_name : sc->name);
      CHECK_MSG(v && v->kind == TCC_VALUE_CONST && v->dtype == (tccrt_dtype)sc->dtype &&
                    dims_are(v, 1, (int64_t[]){sc->n}),
                "%s", sc->name);
      if (!v) continue;
      CHECK_MSG(v->nbytes == sc->expect_len && v->data &&
                    !memcmp(v->data, sc->expect, sc->expect_len),
                "%s%s: bytes differ", sc->name, k ? " (raw)" : "");
    }
  }
  const tcc_value *v = find_value(g, "str");
  CHECK(v && v->dtype == TCCRT_STRING && v->strings && dims_are(v, 1, (int64_t[]){3}));
  if (v && v->strings)
    CHECK(!strcmp(v->strings[0], "ab") && !strcmp(v->strings[1], "") &&
          !strcmp(v->strings[2], "xyz"));
  v = find_value(g, "scalar");
  CHECK(v && v->ndim == 0 && v->nbytes == 4 && *(const float *)v->data == 3.25f);
  CHECK(tcc_value_numel(v) == 1);
  v = find_value(g, "empty");
  CHECK(v && dims_are(v, 2, (int64_t[]){0, 5}) && v->nbytes == 0 && tcc_value_numel(v) == 0);
out:
  tcc_context_destroy(ctx);
}

/* ---- Constant ---- */

static void test_constants(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  Onnx__NodeProto *c;
  c = mb_node(m->graph, "Constant", "c1", NULL, "k_float");
  mb_attr_float(c, "value_float", -0.25f);
  c = mb_node(m->graph, "Constant", "c2", NULL, "k_floats");
  mb_attr_floats(c, "value_floats", 3, (float[]){1, 2, 3});
  c = mb_node(m->graph, "Constant", "c3", NULL, "k_int");
  mb_attr_int(c, "value_int", -9);
  c = mb_node(m->graph, "Constant", "c4", NULL, "k_ints");
  mb_attr_ints(c, "value_ints", 2, (int64_t[]){4, 1LL << 40});
  c = mb_node(m->graph, "Constant", "c5", NULL, "k_string");
  mb_attr_string(c, "value_string", "hello");
  c = mb_node(m->graph, "Constant", "c6", NULL, "k_strings");
  Onnx__AttributeProto *a =
      mb_attr(c, "value_strings", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
  for (int i = 0; i < 2; i++) {
    ProtobufCBinaryData bd = {1, (uint8_t *)mb_str(i ? "b" : "a")};
    MB_PUSH(a->strings, a->n_strings, bd);
  }
  c = mb_node(m->graph, "Constant", "c7", NULL, "k_tensor");
  a = mb_attr(c, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
  a->t = mb_tensor("", 7, 2, (int64_t[]){1, 2});
  a->t->int64_data = mb_new(16), a->t->n_int64_data = 2;
  a->t->int64_data[0] = 11, a->t->int64_data[1] = -12;
  mb_node(m->graph, "Add", "add", "x,k_float", "y");
  mb_output(m->graph, "y", 1, "2");

  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = import(ctx, m, NULL);
  if (g) {
    CHECK(g->nodes.len == 1); /* only Add: Constants became values */
    const tcc_value *v = find_value(g, "k_float");
    CHECK(v && v->kind == TCC_VALUE_CONST && v->dtype == TCCRT_FLOAT32 && v->ndim == 0 &&
          *(const float *)v->data == -0.25f);
    CHECK(g->nodes.len == 1 && TCC_GRAPH_NODE(g, 0)->inputs[1] == v);
    v = find_value(g, "k_floats");
    CHECK(v && dims_are(v, 1, (int64_t[]){3}) && ((const float *)v->data)[2] == 3.0f);
    v = find_value(g, "k_int");
    CHECK(v && v->dtype == TCCRT_INT64 && v->ndim == 0 && *(const int64_t *)v->data == -9);
    v = find_value(g, "k_ints");
    CHECK(v && v->dtype == TCCRT_INT64 && dims_are(v, 1, (int64_t[]){2}) &&
          ((const int64_t *)v->data)[1] == 1LL << 40);
    v = find_value(g, "k_string");
    CHECK(v && v->dtype == TCCRT_STRING && v->ndim == 0 && !strcmp(v->strings[0], "hello"));
    v = find_value(g, "k_strings");
    CHECK(v && dims_are(v, 1, (int64_t[]){2}) && !strcmp(v->strings[1], "b"));
    v = find_value(g, "k_tensor");
    CHECK(v && v->dtype == TCCRT_INT64 && dims_are(v, 2, (int64_t[]){1, 2}) &&
          ((const int64_t *)v->data)[1] == -12);
  }
  tcc_context_destroy(ctx);
}

/* ---- initializers listed as inputs ---- */

static void test_initializer_inputs(void) {
  for (int ir = 3; ir <= 4; ir++) {
    Onnx__ModelProto *m = mb_model(ir, 9);
    mb_input(m->graph, "x", 1, "2");
    mb_input(m->graph, "b", 1, "2");
    Onnx__TensorProto *t = mb_tensor("b", 1, 1, (int64_t[]){2});
    float bv[2] = {1, 2};
    mb_raw(t, bv, sizeof bv);
    mb_initializer(m->graph, t);
    mb_node(m->graph, "Add", "add", "x,b", "y");
    mb_output(m->graph, "y", 1, "2");
    tcc_context *ctx = tcc_context_create();
    tcc_graph *g = import(ctx, m, NULL);
    if (g) {
      const tcc_value *b = find_value(g, "b");
      CHECK(b && b->data && b->nbytes == 8 && ((const float *)b->data)[1] == 2.0f);
      if (ir == 3) { /* a plain constant, not an input */
        CHECK(g->inputs.len == 1 && b && b->kind == TCC_VALUE_CONST && !b->has_default);
      } else { /* an overridable default */
        CHECK(g->inputs.len == 2 && b && b->kind == TCC_VALUE_INPUT && b->has_default);
        CHECK(g->inputs.len == 2 && TCC_GRAPH_INPUT(g, 1) == b);
      }
    }
    tcc_context_destroy(ctx);
  }
}

/* ---- symbols and bindings ---- */

static Onnx__ModelProto *symbolic_model(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "N,3");
  mb_input(m->graph, "z", 1, "N,?");
  mb_node(m->graph, "Relu", "r", "x", "h");
  mb_node(m->graph, "Relu", "r2", "h", "y");
  Onnx__ValueInfoProto *vi = mb_vi("h", 1, "N,3");
  MB_PUSH(m->graph->value_info, m->graph->n_value_info, vi);
  vi = mb_vi("y", 1, "M,3"); /* an exporter's own symbol: not adopted */
  MB_PUSH(m->graph->value_info, m->graph->n_value_info, vi);
  mb_output(m->graph, "y", 1, NULL);
  return m;
}

static void test_symbols(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = import(ctx, symbolic_model(), NULL);
  if (g) {
    CHECK_MSG(g->symbols.len == 2, "%zu symbols", g->symbols.len);
    const tcc_value *x = find_value(g, "x"), *z = find_value(g, "z");
    CHECK(x && x->ndim == 2 && x->dims[0]->kind == TCC_VAR && !strcmp(dim_str(ctx, x, 0), "N"));
    CHECK(z && z->ndim == 2 && x && z->dims[0] == x->dims[0]); /* the same symbol */
    CHECK_MSG(z && !strcmp(dim_str(ctx, z, 1), "z_d1"), "%s", dim_str(ctx, z, 1));
    const tcc_value *h = find_value(g, "h"), *y = find_value(g, "y");
    CHECK(h && h->dtype == TCCRT_FLOAT32 && h->ndim == 2 && x && h->dims[0] == x->dims[0]);
    CHECK(y && y->dtype == TCCRT_FLOAT32 && y->ndim == -1);
    CHECK(!tcc_value_shape_known(x) && tcc_value_numel(x) == -1);
    /* The printers show dims as expressions. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tcc_graph_print(f, g, TCC_FMT_TEXT);
    fclose(f);
    CHECK_MSG(strstr(buf, "input %x: float32[N, 3]") && strstr(buf, "float32[N, z_d1]") &&
                  strstr(buf, "symbols: N z_d1"),
              "%s", buf);
    free(buf);
    f = open_memstream(&buf, &len);
    tcc_graph_print(f, g, TCC_FMT_JSON);
    fclose(f);
    CHECK_MSG(strstr(buf, "\"shape\": [\"N\", 3]") && strstr(buf, "\"symbols\": [\"N\", \"z_d1\"]"),
              "%s", buf);
    free(buf);
    f = open_memstream(&buf, &len);
    tcc_graph_print(f, g, TCC_FMT_DOT);
    fclose(f);
    CHECK_MSG(!strncmp(buf, "digraph", 7) && strstr(buf, "float32[N, 3]") && strstr(buf, "->"),
              "%s", buf);
    free(buf);
    /* A composite dim prints as an expression. */
    tcc_value *tmp = tcc_graph_add_value(g, "tmp", TCC_VALUE_NODE);
    const tcc_expr *d[1] = {tcc_mul(ctx, x->dims[0], tcc_idx(ctx, 64))};
    tmp->dtype = TCCRT_FLOAT32, tmp->ndim = 1, tmp->dims = d;
    f = open_memstream(&buf, &len);
    tcc_graph_print(f, g, TCC_FMT_JSON);
    fclose(f);
    CHECK_MSG(strstr(buf, "\"shape\": [\"(N * 64)\"]"), "%s", buf);
    free(buf);
  }
  tcc_context_destroy(ctx);

  /* --input-shape x=2x3 binds N; z's unnamed dim by its own binding. */
  ctx = tcc_context_create();
  tcc_input_shape is[2];
  CHECK(tcc_parse_input_shape(ctx, "x=2x3", &is[0]) == TCC_OK);
  CHECK(tcc_parse_input_shape(ctx, "z=2x7", &is[1]) == TCC_OK);
  tcc_import_options o = {0};
  o.ninput_shapes = 2;
  o.input_shapes = is;
  g = import(ctx, symbolic_model(), &o);
  if (g) {
    CHECK_MSG(g->symbols.len == 0, "%zu symbols left", g->symbols.len);
    CHECK(dims_are(find_value(g, "x"), 2, (int64_t[]){2, 3}));
    CHECK(dims_are(find_value(g, "z"), 2, (int64_t[]){2, 7}));
    CHECK(dims_are(find_value(g, "h"), 2, (int64_t[]){2, 3})); /* value_info uses N=2 */
    CHECK(tcc_value_numel(find_value(g, "z")) == 14);
  }
  tcc_context_destroy(ctx);

  /* Symbol bindings by name. */
  ctx = tcc_context_create();
  const char *names[] = {"N"};
  const int64_t vals[] = {5};
  tcc_import_options o2 = {0};
  o2.nsymbols = 1, o2.symbol_names = names, o2.symbol_values = vals;
  g = import(ctx, symbolic_model(), &o2);
  if (g) {
    CHECK(g->symbols.len == 1); /* z_d1 remains */
    CHECK(dims_are(find_value(g, "x"), 2, (int64_t[]){5, 3}));
  }
  tcc_context_destroy(ctx);

  /* Parsing. */
  ctx = tcc_context_create();
  tcc_input_shape s;
  CHECK(tcc_parse_input_shape(ctx, "a.b:0=1x3x224x224", &s) == TCC_OK && !strcmp(s.name, "a.b:0") &&
        s.ndim == 4 && s.dims[3] == 224);
  CHECK(tcc_parse_input_shape(ctx, "scalar=", &s) == TCC_OK && s.ndim == 0);
  tcc_context_destroy(ctx);
}

/* ---- subgraphs, order, functions ---- */

static void test_subgraphs_and_order(void) {
  /* Main graph lists the If before the node producing 'h', which its branches read. */
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "cond", 9, "");
  mb_input(m->graph, "x", 1, "2");
  Onnx__GraphProto *then_g = mb_graph("then");
  mb_node(then_g, "Relu", "t_relu", "h", "t_out");
  mb_output(then_g, "t_out", 1, "2");
  Onnx__GraphProto *else_g = mb_graph("else");
  mb_node(else_g, "Neg", "e_neg", "x", "e_out");
  mb_output(else_g, "e_out", 1, "2");
  Onnx__NodeProto *iff = mb_node(m->graph, "If", "branch", "cond", "y");
  mb_attr_graph(iff, "then_branch", then_g);
  mb_attr_graph(iff, "else_branch", else_g);
  mb_node(m->graph, "Abs", "late", "h0", "h");
  mb_node(m->graph, "Sigmoid", "first", "x", "h0");
  /* A Loop whose body reads x from the outer scope. */
  Onnx__GraphProto *body = mb_graph("body");
  mb_input(body, "i", 7, "");
  mb_input(body, "c_in", 9, "");
  mb_input(body, "acc", 1, "2");
  mb_node(body, "Identity", "b_c", "c_in", "c_out");
  mb_node(body, "Add", "b_add", "acc,x", "acc_out");
  mb_output(body, "c_out", 9, "");
  mb_output(body, "acc_out", 1, "2");
  Onnx__NodeProto *loop = mb_node(m->graph, "Loop", "loop", ",cond,y", "z");
  mb_attr_graph(loop, "body", body);
  mb_output(m->graph, "z", 1, "2");

  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = import(ctx, m, NULL);
  if (g) {
    CHECK(g->nodes.len == 4);
    /* Topological: every node's local inputs (and its bodies' outer reads) come earlier. */
    const char *order[4];
    for (size_t i = 0; i < g->nodes.len && i < 4; i++) {
      const tcc_node *n = TCC_GRAPH_NODE(g, i);
      order[i] = n->name;
      CHECK(n->id == i);
    }
    CHECK_MSG(!strcmp(order[0], "first") && !strcmp(order[1], "late") &&
                  !strcmp(order[2], "branch") && !strcmp(order[3], "loop"),
              "order %s %s %s %s", order[0], order[1], order[2], order[3]);
    const tcc_node *n_if = TCC_GRAPH_NODE(g, 2);
    const tcc_attr *tb = tcc_node_attr(n_if, "then_branch");
    CHECK(tb && tb->kind == TCC_ATTR_GRAPH && tb->u.g->parent == g);
    if (tb && tb->kind == TCC_ATTR_GRAPH) {
      const tcc_graph *sub = tb->u.g;
      CHECK(sub->nodes.len == 1 && TCC_GRAPH_NODE(sub, 0)->inputs[0] == find_value(g, "h"));
      CHECK(sub->outputs.len == 1 && !strcmp(TCC_GRAPH_OUTPUT(sub, 0)->name, "t_out"));
    }
    const tcc_node *n_loop = TCC_GRAPH_NODE(g, 3);
    CHECK(n_loop->ninputs == 3 && n_loop->inputs[0] == NULL);
    const tcc_attr *ba = tcc_node_attr(n_loop, "body");
    if (ba && ba->kind == TCC_ATTR_GRAPH) {
      const tcc_graph *sub = ba->u.g;
      CHECK(sub->inputs.len == 3 && TCC_GRAPH_INPUT(sub, 2)->kind == TCC_VALUE_INPUT);
      const tcc_node *add = TCC_GRAPH_NODE(sub, 1);
      CHECK(!strcmp(add->op_type, "Add") && add->inputs[1] == find_value(g, "x"));
      CHECK(add->inputs[0] == TCC_GRAPH_INPUT(sub, 2));
    } else {
      CHECK(!"loop body missing");
    }
  }
  tcc_context_destroy(ctx);
}

static void test_functions(void) {
  Onnx__ModelProto *m = mb_model(8, 14);
  mb_opset(m, "local", 1);
  Onnx__FunctionProto *f = mb_new(sizeof *f);
  onnx__function_proto__init(f);
  f->name = mb_str("AddScaled");
  f->domain = mb_str("local");
  mb_names("a,b", &f->input, &f->n_input);
  mb_names("c", &f->output, &f->n_output);
  mb_names("alpha", &f->attribute, &f->n_attribute);
  Onnx__OperatorSetIdProto *o = mb_new(sizeof *o);
  onnx__operator_set_id_proto__init(o);
  o->domain = mb_str(""), o->has_version = 1, o->version = 13;
  MB_PUSH(f->opset_import, f->n_opset_import, o);
  Onnx__NodeProto *k = mb_node(NULL, "Constant", "k", NULL, "s");
  Onnx__AttributeProto *ref =
      mb_attr(k, "value_float", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  ref->ref_attr_name = mb_str("alpha");
  MB_PUSH(f->node, f->n_node, k);
  Onnx__NodeProto *mul = mb_node(NULL, "Mul", "mul", "b,s", "t");
  MB_PUSH(f->node, f->n_node, mul);
  Onnx__NodeProto *add = mb_node(NULL, "Add", "add", "a,t", "c");
  MB_PUSH(f->node, f->n_node, add);
  MB_PUSH(m->functions, m->n_functions, f);
  mb_input(m->graph, "x", 1, "2");
  mb_input(m->graph, "y", 1, "2");
  Onnx__NodeProto *call = mb_node(m->graph, "AddScaled", "call", "x,y", "z");
  call->domain = mb_str("local");
  mb_attr_float(call, "alpha", 2.5f);
  mb_output(m->graph, "z", 1, "2");

  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = import(ctx, m, NULL);
  if (g) {
    CHECK(g->nodes.len == 2);
    if (g->nodes.len == 2) {
      const tcc_node *nm = TCC_GRAPH_NODE(g, 0), *na = TCC_GRAPH_NODE(g, 1);
      CHECK(!strcmp(nm->op_type, "Mul") && !strcmp(na->op_type, "Add"));
      CHECK(nm->opset == 13 && na->opset == 13); /* the function's own opset import */
      CHECK(nm->inputs[0] == find_value(g, "y"));
      const tcc_value *s = nm->inputs[1];
      CHECK(s && s->kind == TCC_VALUE_CONST && s->ndim == 0 && *(const float *)s->data == 2.5f);
      CHECK_MSG(s && !strcmp(s->name, "call/s"), "%s", s ? s->name : "");
      CHECK(na->inputs[0] == find_value(g, "x") && na->inputs[1] == nm->outputs[0]);
      CHECK(na->outputs[0] == find_value(g, "z") && TCC_GRAPH_OUTPUT(g, 0) == na->outputs[0]);
      CHECK(!strcmp(nm->name, "call/mul"));
    }
  }
  tcc_context_destroy(ctx);
}

/* A function whose body holds an If: the branches read a function-internal value and a formal
 * input, and a Constant in a branch refers to the function's attribute. */
static void test_function_with_subgraph(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_opset(m, "local", 1);
  Onnx__FunctionProto *f = mb_new(sizeof *f);
  onnx__function_proto__init(f);
  f->name = mb_str("Pick");
  f->domain = mb_str("local");
  mb_names("c,a", &f->input, &f->n_input);
  mb_names("out", &f->output, &f->n_output);
  mb_names("k", &f->attribute, &f->n_attribute);
  Onnx__NodeProto *neg = mb_node(NULL, "Neg", "neg", "a", "na");
  MB_PUSH(f->node, f->n_node, neg);
  Onnx__GraphProto *tg = mb_graph("then");
  Onnx__NodeProto *kc = mb_node(tg, "Constant", "kc", NULL, "kv");
  Onnx__AttributeProto *ref =
      mb_attr(kc, "value_float", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  ref->ref_attr_name = mb_str("k");
  mb_node(tg, "Mul", "tm", "na,kv", "t_out");
  mb_output(tg, "t_out", 1, "2");
  Onnx__GraphProto *eg = mb_graph("else");
  mb_output(eg, "a", 1, "2"); /* a formal input passed straight through */
  Onnx__NodeProto *iff = mb_node(NULL, "If", "if", "c", "out");
  mb_attr_graph(iff, "then_branch", tg);
  mb_attr_graph(iff, "else_branch", eg);
  MB_PUSH(f->node, f->n_node, iff);
  MB_PUSH(m->functions, m->n_functions, f);
  mb_input(m->graph, "cond", 9, "");
  mb_input(m->graph, "x", 1, "2");
  Onnx__NodeProto *call = mb_node(m->graph, "Pick", "p", "cond,x", "y");
  call->domain = mb_str("local");
  mb_attr_float(call, "k", 4.0f);
  mb_output(m->graph, "y", 1, "2");

  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = import(ctx, m, NULL);
  if (g && g->nodes.len == 2) {
    const tcc_node *nn = TCC_GRAPH_NODE(g, 0), *ni = TCC_GRAPH_NODE(g, 1);
    CHECK(!strcmp(nn->op_type, "Neg") && nn->inputs[0] == find_value(g, "x"));
    CHECK(!strcmp(ni->op_type, "If") && ni->outputs[0] == find_value(g, "y"));
    const tcc_attr *tb = tcc_node_attr(ni, "then_branch"), *eb = tcc_node_attr(ni, "else_branch");
    CHECK(tb && tb->kind == TCC_ATTR_GRAPH && eb && eb->kind == TCC_ATTR_GRAPH);
    if (tb && tb->kind == TCC_ATTR_GRAPH && tb->u.g->nodes.len == 1) {
      const tcc_node *mul = TCC_GRAPH_NODE(tb->u.g, 0);
      CHECK(mul->inputs[0] == nn->outputs[0]); /* the function-internal 'na', renamed */
      CHECK(mul->inputs[1] && mul->inputs[1]->kind == TCC_VALUE_CONST &&
            *(const float *)mul->inputs[1]->data == 4.0f);
    } else {
      CHECK(!"then branch");
    }
    if (eb && eb->kind == TCC_ATTR_GRAPH)
      CHECK(eb->u.g->outputs.len == 1 && TCC_GRAPH_OUTPUT(eb->u.g, 0) == find_value(g, "x"));
  } else {
    CHECK_MSG(0, "%zu nodes", g ? g->nodes.len : 0);
  }
  tcc_context_destroy(ctx);
}

static void test_tensor_files(void) {
  char dir[] = "/tmp/tcc_tensor_XXXXXX";
  if (!mkdtemp(dir)) return;
  char path[128];
  snprintf(path, sizeof path, "%s/t.pb", dir);
  tcc_context *ctx = tcc_context_create();
  const int64_t dims[3] = {2, 1, 3};
  const float data[6] = {1, -2, 3.5f, 0, 1e-8f, -0.0f};
  CHECK(tcc_onnx_write_tensor_file(ctx, path, "out0", TCCRT_FLOAT32, 3, dims, data) == TCC_OK);
  tcc_value *v = NULL;
  CHECK_MSG(tcc_onnx_read_tensor_file(ctx, path, &v) == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK(v && !strcmp(v->name, "out0") && v->dtype == TCCRT_FLOAT32 && dims_are(v, 3, dims) &&
        v->nbytes == sizeof data && !memcmp(v->data, data, sizeof data));
  /* Independent check of the bytes on disk: protobuf-c parses what we wrote. */
  FILE *fp = fopen(path, "rb");
  uint8_t buf[256];
  size_t n = fp ? fread(buf, 1, sizeof buf, fp) : 0;
  if (fp) fclose(fp);
  Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, n, buf);
  CHECK(t && t->data_type == 1 && t->n_dims == 3 && t->dims[2] == 3 && t->raw_data.len == 24);
  if (t) onnx__tensor_proto__free_unpacked(t, NULL);
  /* A truncated tensor file is a clean error naming it. */
  fp = fopen(path, "wb");
  if (fp) fwrite(buf, 1, n / 2, fp), fclose(fp);
  CHECK(tcc_onnx_read_tensor_file(ctx, path, &v) == TCC_ERR);
  CHECK(strstr(tcc_error_text(ctx), path) != NULL);
  tcc_error_clear(ctx);
  CHECK(tcc_onnx_write_tensor_file(ctx, "/nonexistent-dir/x.pb", "x", TCCRT_FLOAT32, 1, dims,
                                   data) == TCC_ERR);
  tcc_context_destroy(ctx);
  unlink(path);
  rmdir(dir);
}

/* graph.h directly: stable toposort, labels, numel. */
static void test_graph_api(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_ctx_set_file(ctx, "api.onnx");
  tcc_graph *g = tcc_graph_new(ctx, "g", NULL);
  tcc_value *x = tcc_graph_add_value(g, "x", TCC_VALUE_INPUT);
  tcc_value *v[5];
  for (int i = 0; i < 5; i++) {
    char name[8];
    snprintf(name, sizeof name, "v%d", i);
    v[i] = tcc_graph_add_value(g, name, TCC_VALUE_NODE);
  }
  /* Already sorted, with independent chains interleaved: the order must not change. */
  tcc_graph_add_node(g, "n0", "Relu", "", 1, &x, 1, &v[0]);
  tcc_graph_add_node(g, "", "Relu", "", 1, &x, 1, &v[1]);
  tcc_graph_add_node(g, "n2", "Relu", "", 1, &v[0], 1, &v[2]);
  tcc_graph_add_node(g, "n3", "Relu", "", 1, &v[1], 1, &v[3]);
  tcc_value *ab[2] = {v[2], v[3]};
  tcc_graph_add_node(g, "n4", "Add", "", 2, ab, 1, &v[4]);
  CHECK(tcc_graph_toposort(g) == TCC_OK);
  for (int i = 0; i < 5; i++)
    CHECK(TCC_GRAPH_NODE(g, i)->outputs[0] == v[i]);
  CHECK(!strcmp(tcc_node_label(TCC_GRAPH_NODE(g, 1)), "v1")); /* unnamed: first output */
  CHECK(v[4]->producer == TCC_GRAPH_NODE(g, 4) && v[4]->kind == TCC_VALUE_NODE);
  CHECK(tcc_node_error(ctx, g, TCC_GRAPH_NODE(g, 1), "expected %d", 3) == TCC_ERR);
  CHECK_MSG(!strcmp(tcc_error_text(ctx), "api.onnx: node 'v1' (Relu): expected 3"), "%s",
            tcc_error_text(ctx));
  /* Shapes. */
  const tcc_expr *d[3] = {tcc_idx(ctx, 4), tcc_idx(ctx, 0), tcc_idx(ctx, 5)};
  x->ndim = 3, x->dims = d;
  CHECK(tcc_value_numel(x) == 0 && tcc_value_shape_known(x));
  const tcc_expr *big[2] = {tcc_idx(ctx, INT64_MAX / 2), tcc_idx(ctx, 3)};
  x->ndim = 2, x->dims = big;
  CHECK(tcc_value_numel(x) == -1); /* overflow */
  x->ndim = 0;
  CHECK(tcc_value_numel(x) == 1);
  x->ndim = -1;
  CHECK(tcc_value_numel(x) == -1 && !tcc_value_shape_known(x));
  CHECK(tcc_graph_symbol(g, "N") == tcc_graph_symbol(g, "N") && g->symbols.len == 1);
  tcc_graph *sub = tcc_graph_new(ctx, "sub", g);
  CHECK(tcc_graph_symbol(sub, "N") == tcc_graph_symbol(g, "N")); /* model-wide */
  CHECK(tcc_graph_opset(g, "") == -1);
  tcc_opset os[2] = {{"", 13}, {"com.x", 2}};
  g->opsets = os, g->nopsets = 2;
  CHECK(tcc_graph_opset(g, "ai.onnx") == 13 && tcc_graph_opset(sub, "com.x") == 2 &&
        tcc_graph_opset(sub, "com.y") == -1);
  tcc_context_destroy(ctx);
}

int main(void) {
  test_graph_api();
  test_storage_forms();
  test_constants();
  test_initializer_inputs();
  test_symbols();
  test_subgraphs_and_order();
  test_functions();
  test_function_with_subgraph();
  test_tensor_files();
  mb_free_all();
  return tcc_test_finish("frontend_test_import_features");
}
