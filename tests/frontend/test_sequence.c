/* test_sequence.c — ONNX sequences and optionals, bound at compile time (models the test builds):
 * the importer's types (sequence_type / optional_type, nested, on inputs, outputs and value_info)
 * and their printing; --input-shape's structure syntax (NAME=[2x3,4], NAME=none); binding errors
 * (unbound, sequence bound with dims, wrong element rank or fixed dim, tensor bound with a
 * sequence); the expansion pass (tcc_pass_expand_sequences: inputs x[0].., per-element Identity,
 * the sequence and optional ops evaluated at compile time, SplitToSequence as Gather/Slice
 * nodes, ConcatFromSequence as Concat (and Unsqueeze), SequenceMap's body inlined per element,
 * a Loop over a sequence unrolled, an If over sequences inlined, outputs, its errors); and the
 * SequenceProto / OptionalProto file reader, on bytes written here by hand from onnx-data.proto's
 * field numbers. Expected values come from the ONNX operator spec (SequenceAt, SequenceInsert,
 * SequenceErase, SequenceLength, OptionalHasElement, OptionalGetElement, SplitToSequence,
 * ConcatFromSequence, SequenceMap). */
#include "onnx/onnx_import.h"
#include "onnx_builder.h"
#include "passes/passes.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FLOAT = 1, INT64 = 7 };

/* sequence(tensor(elem, dims)) / optional(T) types. */
static Onnx__TypeProto *mb_seq(Onnx__TypeProto *elem) {
  Onnx__TypeProto *t = mb_new(sizeof *t);
  onnx__type_proto__init(t);
  Onnx__TypeProto__Sequence *s = mb_new(sizeof *s);
  onnx__type_proto__sequence__init(s);
  s->elem_type = elem;
  t->value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
  t->sequence_type = s;
  return t;
}
static Onnx__TypeProto *mb_opt(Onnx__TypeProto *elem) {
  Onnx__TypeProto *t = mb_new(sizeof *t);
  onnx__type_proto__init(t);
  Onnx__TypeProto__Optional *o = mb_new(sizeof *o);
  onnx__type_proto__optional__init(o);
  o->elem_type = elem;
  t->value_case = ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE;
  t->optional_type = o;
  return t;
}
static Onnx__ValueInfoProto *mb_vi_t(const char *name, Onnx__TypeProto *t) {
  Onnx__ValueInfoProto *v = mb_new(sizeof *v);
  onnx__value_info_proto__init(v);
  v->name = mb_str(name);
  v->type = t;
  return v;
}
static void in_t(Onnx__GraphProto *g, const char *name, Onnx__TypeProto *t) {
  Onnx__ValueInfoProto *v = mb_vi_t(name, t);
  MB_PUSH(g->input, g->n_input, v);
}
static void out_t(Onnx__GraphProto *g, const char *name, Onnx__TypeProto *t) {
  Onnx__ValueInfoProto *v = mb_vi_t(name, t);
  MB_PUSH(g->output, g->n_output, v);
}
static void const_i64(Onnx__GraphProto *g, const char *name, int64_t v) {
  Onnx__TensorProto *t = mb_tensor(name, INT64, 0, NULL);
  mb_raw(t, &v, sizeof v);
  mb_initializer(g, t);
}

static tcc_status import_st(tcc_context *ctx, const Onnx__ModelProto *m,
                            const tcc_import_options *o, tcc_graph **g) {
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  return tcc_onnx_import_bytes(ctx, buf, len, NULL, "s.onnx", o, g);
}
static tcc_graph *import(tcc_context *ctx, const Onnx__ModelProto *m, const tcc_import_options *o) {
  tcc_graph *g = NULL;
  tcc_status st = import_st(ctx, m, o, &g);
  CHECK_MSG(st == TCC_OK, "import failed: %s", tcc_error_text(ctx));
  return st == TCC_OK ? g : NULL;
}

static tcc_value *find_value(const tcc_graph *g, const char *name) {
  for (size_t i = 0; i < g->values.len; i++)
    if (!strcmp(TCC_GRAPH_VALUE(g, i)->name, name)) return TCC_GRAPH_VALUE(g, i);
  return NULL;
}

static void expect_expand_error(Onnx__ModelProto *m, const char *spec, const char *want);

static bool shape_is(const tcc_value *v, tccrt_dtype dt, int n, const int64_t *want) {
  if (!v || v->dtype != dt || v->ndim != n) return false;
  for (int i = 0; i < n; i++) {
    int64_t d;
    if (!tcc_expr_is_int_imm(v->dims[i], &d) || d != want[i]) return false;
  }
  return true;
}

/* Options binding the given --input-shape specs (parsed by tcc_parse_input_shape). */
static tcc_import_options opts_of(tcc_context *ctx, int n, const char *const *specs,
                                  tcc_input_shape *buf) {
  tcc_import_options o = {0};
  for (int i = 0; i < n; i++) {
    tcc_status st = tcc_parse_input_shape(ctx, specs[i], &buf[i]);
    CHECK_MSG(st == TCC_OK, "%s: %s", specs[i], tcc_error_text(ctx));
  }
  o.ninput_shapes = n;
  o.input_shapes = buf;
  return o;
}

static char *graph_text(const tcc_graph *g) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  tcc_graph_print(f, g, TCC_FMT_TEXT);
  fclose(f);
  return buf;
}

/* ---- --input-shape syntax ---- */
static void test_parse(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_input_shape s;
  CHECK(tcc_parse_input_shape(ctx, "x=[2x3,4]", &s) == TCC_OK);
  CHECK(!strcmp(s.name, "x") && s.kind == TCC_SHAPE_SEQUENCE && s.nelems == 2);
  if (s.nelems == 2) {
    CHECK(s.elems[0].kind == TCC_SHAPE_TENSOR && s.elems[0].ndim == 2 && s.elems[0].dims[0] == 2 &&
          s.elems[0].dims[1] == 3);
    CHECK(s.elems[1].ndim == 1 && s.elems[1].dims[0] == 4);
  }
  CHECK(tcc_parse_input_shape(ctx, "x=[]", &s) == TCC_OK && s.kind == TCC_SHAPE_SEQUENCE &&
        s.nelems == 0);
  CHECK(tcc_parse_input_shape(ctx, "x=none", &s) == TCC_OK && s.kind == TCC_SHAPE_NONE);
  CHECK(tcc_parse_input_shape(ctx, "x=[(),5]", &s) == TCC_OK && s.nelems == 2 &&
        s.elems[0].ndim == 0 && s.elems[1].ndim == 1);
  CHECK(tcc_parse_input_shape(ctx, "x=[[2],[]]", &s) == TCC_OK && s.nelems == 2 &&
        s.elems[0].kind == TCC_SHAPE_SEQUENCE && s.elems[0].nelems == 1 &&
        s.elems[0].elems[0].dims[0] == 2 && s.elems[1].kind == TCC_SHAPE_SEQUENCE &&
        s.elems[1].nelems == 0);
  /* Tensors as before: 'x' or ',' between dims, NAME= for a scalar. */
  CHECK(tcc_parse_input_shape(ctx, "in=1,3,224", &s) == TCC_OK && s.kind == TCC_SHAPE_TENSOR &&
        s.ndim == 3 && s.dims[2] == 224);
  CHECK(tcc_parse_input_shape(ctx, "in=", &s) == TCC_OK && s.ndim == 0);
  const char *bad[] = {"x=[2x3,4", "x=[2x3;4]", "x=[a]", "x=[2x]", "x=(3)", "x=[2]]", "=[]"};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(bad); i++) {
    tcc_error_clear(ctx);
    CHECK_MSG(tcc_parse_input_shape(ctx, bad[i], &s) == TCC_ERR, "%s accepted", bad[i]);
    CHECK_MSG(strstr(tcc_error_text(ctx), "--input-shape"), "%s: %s", bad[i], tcc_error_text(ctx));
  }
  tcc_context_destroy(ctx);
}

/* ---- types on inputs, outputs and value_info; printing ---- */
static Onnx__ModelProto *identity_model(Onnx__TypeProto *in_type, Onnx__TypeProto *out_type,
                                        int opset) {
  Onnx__ModelProto *m = mb_model(8, opset);
  in_t(m->graph, "x", in_type);
  mb_node(m->graph, "Identity", "id", "x", "y");
  out_t(m->graph, "y", out_type);
  return m;
}

static void test_types(void) {
  tcc_context *ctx = tcc_context_create();
  /* opt(seq(float[5])) kept unexpanded without options. */
  Onnx__ModelProto *m =
      identity_model(mb_opt(mb_seq(mb_type(FLOAT, "5"))), mb_opt(mb_seq(mb_type(FLOAT, "5"))), 16);
  tcc_graph *g = import(ctx, m, NULL);
  if (g) {
    tcc_value *x = find_value(g, "x"), *y = find_value(g, "y");
    CHECK(x && tcc_value_is_structured(x) && y && tcc_value_is_structured(y));
    if (x && x->vtype) {
      const char *s = tcc_value_type_str(ctx, x->vtype);
      CHECK_MSG(!strcmp(s, "opt(seq(float32[5]))"), "%s", s);
    }
    char *txt = graph_text(g);
    CHECK_MSG(strstr(txt, "input %x: opt(seq(float32[5]))"), "%s", txt);
    free(txt);
  }
  /* seq of an unranked tensor; a value_info declaring a sequence; keep_sequences with options. */
  m = mb_model(8, 16);
  in_t(m->graph, "x", mb_seq(mb_type(FLOAT, NULL)));
  mb_node(m->graph, "Identity", "a", "x", "t");
  mb_node(m->graph, "Identity", "b", "t", "y");
  MB_PUSH(m->graph->value_info, m->graph->n_value_info,
          *(Onnx__ValueInfoProto *[]){mb_vi_t("t", mb_seq(mb_type(FLOAT, "2,?")))});
  out_t(m->graph, "y", mb_seq(mb_type(FLOAT, NULL)));
  tcc_import_options keep = {0};
  keep.keep_sequences = true;
  g = import(ctx, m, &keep);
  if (g) {
    const char *sx = tcc_value_type_str(ctx, find_value(g, "x")->vtype);
    const char *st = tcc_value_type_str(ctx, find_value(g, "t")->vtype);
    CHECK_MSG(!strcmp(sx, "seq(float32[?])"), "%s", sx);
    CHECK_MSG(!strcmp(st, "seq(float32[2, ?])"), "%s", st);
  }
  /* A bound sequence prints its elements. */
  tcc_input_shape b[1];
  tcc_import_options o = opts_of(ctx, 1, (const char *[]){"x=[2x3,4]"}, b);
  o.keep_sequences = true;
  g = import(ctx, m, &o);
  if (g) {
    const char *sx = tcc_value_type_str(ctx, find_value(g, "x")->vtype);
    CHECK_MSG(!strcmp(sx, "seq[float32[2, 3], float32[4]]"), "%s", sx);
  }
  /* A map input is refused as not supported. */
  m = mb_model(8, 16);
  Onnx__TypeProto *mt = mb_new(sizeof *mt);
  onnx__type_proto__init(mt);
  Onnx__TypeProto__Map *mp = mb_new(sizeof *mp);
  onnx__type_proto__map__init(mp);
  mp->has_key_type = 1;
  mp->key_type = INT64;
  mp->value_type = mb_type(FLOAT, "");
  mt->value_case = ONNX__TYPE_PROTO__VALUE_MAP_TYPE;
  mt->map_type = mp;
  in_t(m->graph, "mm", mt);
  mb_node(m->graph, "Identity", "id", "mm", "y");
  out_t(m->graph, "y", mb_type(FLOAT, ""));
  tcc_graph *gm;
  CHECK(import_st(ctx, m, NULL, &gm) == TCC_ERR);
  CHECK_MSG(strstr(tcc_error_text(ctx), "'mm' has a map type, which is not supported"), "%s",
            tcc_error_text(ctx));
  tcc_error_clear(ctx);
  tcc_context_destroy(ctx);
}

/* ---- binding errors ---- */
static void expect_bind_error(const Onnx__ModelProto *m, const char *spec, const char *want) {
  tcc_context *ctx = tcc_context_create();
  tcc_input_shape b[1];
  tcc_import_options o = opts_of(ctx, spec ? 1 : 0, (const char *[]){spec}, b);
  tcc_graph *g;
  CHECK_MSG(import_st(ctx, m, &o, &g) == TCC_ERR, "%s: accepted", spec ? spec : "(unbound)");
  CHECK_MSG(strstr(tcc_error_text(ctx), want), "%s: got '%s', want '%s'", spec ? spec : "(unbound)",
            tcc_error_text(ctx), want);
  tcc_context_destroy(ctx);
}

static void test_binding_errors(void) {
  Onnx__ModelProto *m =
      identity_model(mb_opt(mb_seq(mb_type(FLOAT, "5"))), mb_opt(mb_seq(mb_type(FLOAT, "5"))), 16);
  /* Unbound: names the input and shows how to bind it. */
  expect_bind_error(m, NULL, "input 'x' is an optional (opt(seq(float32[5])))");
  expect_bind_error(m, NULL, "--input-shape 'x=[5,5]'");
  /* Wrong element shape: a fixed dim, a rank. */
  expect_bind_error(m, "x=[5,4]", "dim 0 of 'x[1]' is fixed at 5 by the model");
  expect_bind_error(m, "x=[5,5x1]", "'x[1]' has rank 1 (float32[5]), but 2 dims were given");
  /* A sequence bound with dims, a tensor bound with a sequence. */
  expect_bind_error(m, "x=5", "'x' is a sequence (seq(float32[5])); bind it as [SHAPE,SHAPE,...]");
  Onnx__ModelProto *ms =
      identity_model(mb_seq(mb_seq(mb_type(FLOAT, "?"))), mb_seq(mb_seq(mb_type(FLOAT, "?"))), 16);
  expect_bind_error(ms, "x=[3]", "'x[0]' is a sequence");
  expect_bind_error(ms, "x=[[2],none]", "'x[1]' is a sequence");
  Onnx__ModelProto *mt = identity_model(mb_type(FLOAT, "3"), mb_type(FLOAT, "3"), 16);
  expect_bind_error(mt, "x=[3]", "input 'x' is a tensor; bind it with dims");
  expect_bind_error(mt, "x=none", "input 'x' is a tensor; bind it with dims");
  /* A sequence whose element type the model leaves open. */
  Onnx__ModelProto *mu = identity_model(mb_seq(NULL), mb_seq(NULL), 16);
  expect_bind_error(mu, "x=[2]", "declares no type for 'x[0]'");
}

/* ---- expansion ---- */
static void test_expand_identity(void) {
  tcc_context *ctx = tcc_context_create();
  Onnx__ModelProto *m =
      identity_model(mb_seq(mb_type(FLOAT, NULL)), mb_seq(mb_type(FLOAT, NULL)), 25);
  tcc_input_shape b[1];
  tcc_import_options o = opts_of(ctx, 1, (const char *[]){"x=[2x3,4]"}, b);
  tcc_graph *g = import(ctx, m, &o);
  if (g) {
    CHECK(g->inputs.len == 2 && g->outputs.len == 2 && g->nodes.len == 2);
    if (g->inputs.len == 2 && g->outputs.len == 2) {
      tcc_value *x0 = TCC_GRAPH_INPUT(g, 0), *x1 = TCC_GRAPH_INPUT(g, 1);
      CHECK(!strcmp(x0->name, "x[0]") && shape_is(x0, TCCRT_FLOAT32, 2, (int64_t[]){2, 3}));
      CHECK(!strcmp(x1->name, "x[1]") && shape_is(x1, TCCRT_FLOAT32, 1, (int64_t[]){4}));
      tcc_value *y0 = TCC_GRAPH_OUTPUT(g, 0), *y1 = TCC_GRAPH_OUTPUT(g, 1);
      CHECK(!strcmp(y0->name, "y[0]") && !strcmp(y1->name, "y[1]"));
      CHECK(y0->producer && !strcmp(y0->producer->op_type, "Identity") &&
            y0->producer->inputs[0] == x0);
      CHECK(y1->producer && y1->producer->inputs[0] == x1);
    }
    /* No value is left a sequence; ids are dense. */
    for (size_t i = 0; i < g->values.len; i++) {
      CHECK(!tcc_value_is_structured(TCC_GRAPH_VALUE(g, i)));
      CHECK(TCC_GRAPH_VALUE(g, i)->id == i);
    }
  }
  /* An empty sequence: no input, no output. An absent optional likewise. */
  tcc_error_clear(ctx);
  o = opts_of(ctx, 1, (const char *[]){"x=[]"}, b);
  g = import(ctx, m, &o);
  CHECK(g && g->inputs.len == 0 && g->outputs.len == 0 && g->nodes.len == 0);
  Onnx__ModelProto *mo =
      identity_model(mb_opt(mb_type(FLOAT, "4")), mb_opt(mb_type(FLOAT, "4")), 18);
  o = opts_of(ctx, 1, (const char *[]){"x=none"}, b);
  g = import(ctx, mo, &o);
  CHECK(g && g->inputs.len == 0 && g->outputs.len == 0);
  /* A present optional keeps its name. */
  o = opts_of(ctx, 1, (const char *[]){"x=4"}, b);
  g = import(ctx, mo, &o);
  CHECK(g && g->inputs.len == 1 && g->outputs.len == 1 &&
        !strcmp(TCC_GRAPH_INPUT(g, 0)->name, "x") && !strcmp(TCC_GRAPH_OUTPUT(g, 0)->name, "y"));
  tcc_context_destroy(ctx);
}

/* a[2], b[3] -> s = SequenceConstruct(a, b); t = SequenceInsert(s, a, 0) = [a, a, b];
 * u = SequenceErase(t, -1) = [a, a]; n = SequenceLength(u) = 2; e = SequenceAt(t, -1) = b;
 * o = Optional(e); h = OptionalHasElement(o) = true; r = OptionalGetElement(o) = b;
 * z = SequenceLength(SequenceEmpty()) = 0; then Relu(e). */
static void test_expand_ops(void) {
  tcc_context *ctx = tcc_context_create();
  Onnx__ModelProto *m = mb_model(8, 18);
  Onnx__GraphProto *gp = m->graph;
  mb_input(gp, "a", FLOAT, "2");
  mb_input(gp, "b", FLOAT, "3");
  const_i64(gp, "p0", 0);
  const_i64(gp, "pm1", -1);
  mb_node(gp, "SequenceConstruct", "sc", "a,b", "s");
  mb_node(gp, "SequenceInsert", "si", "s,a,p0", "t");
  mb_node(gp, "SequenceErase", "se", "t,pm1", "u");
  mb_node(gp, "SequenceLength", "sl", "u", "n");
  mb_node(gp, "SequenceAt", "sa", "t,pm1", "e");
  mb_node(gp, "Optional", "op", "e", "o");
  mb_node(gp, "OptionalHasElement", "oh", "o", "h");
  mb_node(gp, "OptionalGetElement", "og", "o", "r");
  mb_node(gp, "SequenceEmpty", "sem", NULL, "em");
  mb_node(gp, "SequenceLength", "sl0", "em", "z");
  mb_node(gp, "Relu", "relu", "e", "q");
  mb_output(gp, "n", INT64, "");
  mb_output(gp, "h", 9, "");
  mb_output(gp, "r", FLOAT, "3");
  mb_output(gp, "z", INT64, "");
  mb_output(gp, "q", FLOAT, "3");
  out_t(gp, "u", mb_seq(mb_type(FLOAT, "2")));
  tcc_import_options o = {0};
  o.ninput_shapes = 0;
  o.input_shapes = NULL;
  tcc_input_shape dummy;
  memset(&dummy, 0, sizeof dummy);
  o.input_shapes = &dummy; /* options given: expand */
  tcc_graph *g = import(ctx, m, &o);
  if (!g) {
    tcc_context_destroy(ctx);
    return;
  }
  tcc_value *a = find_value(g, "a"), *b = find_value(g, "b");
  CHECK(g->outputs.len == 7);
  if (g->outputs.len == 7) {
    const tcc_value *n = TCC_GRAPH_OUTPUT(g, 0), *h = TCC_GRAPH_OUTPUT(g, 1),
                    *r = TCC_GRAPH_OUTPUT(g, 2), *z = TCC_GRAPH_OUTPUT(g, 3),
                    *q = TCC_GRAPH_OUTPUT(g, 4), *u0 = TCC_GRAPH_OUTPUT(g, 5),
                    *u1 = TCC_GRAPH_OUTPUT(g, 6);
    CHECK(n->kind == TCC_VALUE_CONST && n->dtype == TCCRT_INT64 && n->ndim == 0 &&
          *(const int64_t *)n->data == 2);
    CHECK(h->kind == TCC_VALUE_CONST && h->dtype == TCCRT_BOOL && *(const uint8_t *)h->data == 1);
    CHECK(z->kind == TCC_VALUE_CONST && *(const int64_t *)z->data == 0);
    CHECK(r->producer && !strcmp(r->producer->op_type, "Identity") && r->producer->inputs[0] == b);
    CHECK(q->producer && !strcmp(q->producer->op_type, "Relu") && q->producer->inputs[0] == b);
    CHECK(!strcmp(u0->name, "u[0]") && u0->producer && u0->producer->inputs[0] == a);
    CHECK(!strcmp(u1->name, "u[1]") && u1->producer && u1->producer->inputs[0] == a);
  }
  /* Only Relu and the output Identity nodes remain, in a valid order. */
  for (size_t i = 0; i < g->nodes.len; i++) {
    const tcc_node *nd = TCC_GRAPH_NODE(g, i);
    CHECK_MSG(!strcmp(nd->op_type, "Relu") || !strcmp(nd->op_type, "Identity"), "%s", nd->op_type);
    CHECK(nd->id == i);
  }
  CHECK(tcc_graph_toposort(g) == TCC_OK);
  tcc_context_destroy(ctx);
}

/* SplitToSequence of a[3, 4] (spec: without split, chunks of 1 along axis, keepdims 0 drops the
 * axis; with split, the given sizes or chunks of a scalar size, the last one smaller). */
static const tcc_value *const_input(const tcc_node *n, int k) {
  return n && k < n->ninputs && n->inputs[k] && n->inputs[k]->kind == TCC_VALUE_CONST ? n->inputs[k]
                                                                                      : NULL;
}
static int64_t i64_at(const tcc_value *v, int i) { return v ? ((const int64_t *)v->data)[i] : -99; }

static void test_split_to_sequence(void) {
  tcc_context *ctx = tcc_context_create();
  Onnx__ModelProto *m = mb_model(8, 24);
  Onnx__GraphProto *gp = m->graph;
  mb_input(gp, "a", FLOAT, "3,4");
  Onnx__TensorProto *sz = mb_tensor("sizes", INT64, 1, (int64_t[]){2});
  mb_raw(sz, (int64_t[]){1, 2}, 2 * sizeof(int64_t));
  mb_initializer(gp, sz);
  const_i64(gp, "two", 2);
  const_i64(gp, "one", 1);
  Onnx__NodeProto *n1 = mb_node(gp, "SplitToSequence", "s1", "a", "cols");
  mb_attr_int(n1, "axis", -1);
  mb_attr_int(n1, "keepdims", 0);
  mb_node(gp, "SplitToSequence", "s2", "a,sizes", "rows");
  mb_node(gp, "SplitToSequence", "s3", "a,two", "pairs");
  mb_node(gp, "SequenceAt", "at", "cols,one", "c1");
  mb_node(gp, "Relu", "relu", "c1", "r");
  mb_output(gp, "r", FLOAT, "3");
  out_t(gp, "cols", mb_seq(mb_type(FLOAT, NULL)));
  out_t(gp, "rows", mb_seq(mb_type(FLOAT, NULL)));
  out_t(gp, "pairs", mb_seq(mb_type(FLOAT, NULL)));
  tcc_input_shape dummy;
  memset(&dummy, 0, sizeof dummy);
  tcc_import_options o = {0};
  o.input_shapes = &dummy;
  tcc_graph *g = import(ctx, m, &o);
  if (g) {
    /* r, cols[0..3], rows[0..1], pairs[0..1]. */
    CHECK(g->outputs.len == 1 + 4 + 2 + 2);
    if (g->outputs.len == 9) {
      const tcc_node *relu = TCC_GRAPH_OUTPUT(g, 0)->producer;
      const tcc_node *gat = relu && relu->inputs[0] ? relu->inputs[0]->producer : NULL;
      CHECK(gat && !strcmp(gat->op_type, "Gather") && gat->inputs[0] == find_value(g, "a"));
      const tcc_value *idx = const_input(gat, 1);
      CHECK(idx && idx->ndim == 0 && i64_at(idx, 0) == 1); /* keepdims 0: a scalar index */
      const tcc_attr *ax = gat ? tcc_node_attr(gat, "axis") : NULL;
      CHECK(ax && ax->kind == TCC_ATTR_INT && ax->u.i == 1);
      for (int i = 0; i < 4; i++) {
        const tcc_value *c = TCC_GRAPH_OUTPUT(g, 1 + i);
        const tcc_node *id = c->producer;
        const tcc_node *gi = id && id->inputs[0] ? id->inputs[0]->producer : NULL;
        CHECK_MSG(!strcmp(c->name, tcc_arena_printf(tcc_ctx_arena(ctx), "cols[%d]", i)), "%s",
                  c->name);
        CHECK(gi && !strcmp(gi->op_type, "Gather") && i64_at(const_input(gi, 1), 0) == i);
      }
      /* rows: Slice [0, 1) and [1, 3) on axis 0; pairs: [0, 2) and [2, 3). */
      const int64_t want[4][2] = {{0, 1}, {1, 3}, {0, 2}, {2, 3}};
      for (int i = 0; i < 4; i++) {
        const tcc_node *id = TCC_GRAPH_OUTPUT(g, 5 + i)->producer;
        const tcc_node *sl = id && id->inputs[0] ? id->inputs[0]->producer : NULL;
        CHECK(sl && !strcmp(sl->op_type, "Slice"));
        CHECK_MSG(i64_at(const_input(sl, 1), 0) == want[i][0] &&
                      i64_at(const_input(sl, 2), 0) == want[i][1] &&
                      i64_at(const_input(sl, 3), 0) == 0,
                  "chunk %d", i);
      }
    }
    /* Producers come before consumers. */
    for (size_t i = 0; i < g->nodes.len; i++) {
      const tcc_node *nd = TCC_GRAPH_NODE(g, i);
      for (int k = 0; k < nd->ninputs; k++)
        if (nd->inputs[k] && nd->inputs[k]->producer) CHECK(nd->inputs[k]->producer->id < nd->id);
    }
  }
  tcc_context_destroy(ctx);
}

/* Optional without input (opset 15): an absent optional of the type its `type` attribute (a
 * TypeProto) declares; OptionalHasElement of it is false. */
static void test_absent_optional(void) {
  tcc_context *ctx = tcc_context_create();
  Onnx__ModelProto *m = mb_model(8, 18);
  Onnx__NodeProto *n = mb_node(m->graph, "Optional", "op", NULL, "o");
  Onnx__AttributeProto *at = mb_attr(n, "type", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO);
  at->tp = mb_type(FLOAT, "2");
  mb_node(m->graph, "OptionalHasElement", "oh", "o", "h");
  mb_output(m->graph, "h", 9, "");
  out_t(m->graph, "o", mb_opt(mb_type(FLOAT, "2")));
  tcc_input_shape dummy;
  memset(&dummy, 0, sizeof dummy);
  tcc_import_options o = {0};
  o.input_shapes = &dummy;
  tcc_graph *g = import(ctx, m, &o);
  if (g) {
    /* h only: the absent optional output has no tensor. */
    CHECK(g->outputs.len == 1 && g->nodes.len == 0);
    const tcc_value *h = g->outputs.len ? TCC_GRAPH_OUTPUT(g, 0) : NULL;
    CHECK(h && h->kind == TCC_VALUE_CONST && h->dtype == TCCRT_BOOL &&
          *(const uint8_t *)h->data == 0);
  }
  tcc_context_destroy(ctx);
}

/* SequenceMap (opset 17): y = map(body(in0, in1) = Add(in0, in1) and Neg(in0), x0, x1): the body
 * inlined per element, a tensor x1 given to every iteration, a sequence x1 element-wise. */
static Onnx__ModelProto *seq_map_model(bool x1_is_seq) {
  Onnx__ModelProto *m = mb_model(8, 17);
  in_t(m->graph, "x0", mb_seq(mb_type(FLOAT, "N")));
  if (x1_is_seq)
    in_t(m->graph, "x1", mb_seq(mb_type(FLOAT, "N")));
  else
    mb_input(m->graph, "x1", FLOAT, "3");
  Onnx__GraphProto *body = mb_graph("body");
  mb_input(body, "in0", FLOAT, "?");
  mb_input(body, "in1", FLOAT, "?");
  mb_node(body, "Add", "add", "in0,in1", "sum");
  mb_node(body, "Neg", "neg", "in0", "neg");
  mb_output(body, "sum", FLOAT, "?");
  mb_output(body, "neg", FLOAT, "?");
  Onnx__NodeProto *n = mb_node(m->graph, "SequenceMap", "map", "x0,x1", "y,z");
  mb_attr_graph(n, "body", body);
  out_t(m->graph, "y", mb_seq(mb_type(FLOAT, NULL)));
  out_t(m->graph, "z", mb_seq(mb_type(FLOAT, NULL)));
  return m;
}

static void test_sequence_map(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_input_shape b[2];
  tcc_import_options o = opts_of(ctx, 2, (const char *[]){"x0=[3,3]", "x1=3"}, b);
  tcc_graph *g = import(ctx, seq_map_model(false), &o);
  if (g) {
    CHECK(g->inputs.len == 3 && g->outputs.len == 4); /* x0[0], x0[1], x1; y[0..1], z[0..1] */
    const tcc_value *x1 = find_value(g, "x1");
    for (int i = 0; i < 2 && g->outputs.len == 4; i++) {
      const tcc_value *x0i = find_value(g, i ? "x0[1]" : "x0[0]");
      const tcc_node *id = TCC_GRAPH_OUTPUT(g, i)->producer;
      const tcc_node *add = id && id->inputs[0] ? id->inputs[0]->producer : NULL;
      CHECK_MSG(!strcmp(TCC_GRAPH_OUTPUT(g, i)->name, i ? "y[1]" : "y[0]"), "%s",
                TCC_GRAPH_OUTPUT(g, i)->name);
      CHECK(add && !strcmp(add->op_type, "Add") && add->inputs[0] == x0i && add->inputs[1] == x1);
      id = TCC_GRAPH_OUTPUT(g, 2 + i)->producer;
      const tcc_node *neg = id && id->inputs[0] ? id->inputs[0]->producer : NULL;
      CHECK(neg && !strcmp(neg->op_type, "Neg") && neg->inputs[0] == x0i);
    }
  }
  /* Two sequences of different lengths. */
  tcc_context_destroy(ctx);
  ctx = tcc_context_create();
  o = opts_of(ctx, 2, (const char *[]){"x0=[3,3]", "x1=[3]"}, b);
  tcc_graph *g2;
  CHECK(import_st(ctx, seq_map_model(true), &o, &g2) == TCC_ERR);
  CHECK_MSG(strstr(tcc_error_text(ctx), "input 'x1' is a sequence of 1 elements; expected a tensor "
                                        "or a sequence of 2 elements"),
            "%s", tcc_error_text(ctx));
  tcc_context_destroy(ctx);
}

/* ConcatFromSequence (opset 11): c = Concat(a, b) on axis 0; d = the elements of [a, a] stacked
 * on a new last axis: Unsqueeze(a, axes [-1]) twice, Concat on axis -1 (opset 13+: axes as an
 * input; before: an attribute). */
static void test_concat_from_sequence(int opset) {
  tcc_context *ctx = tcc_context_create();
  Onnx__ModelProto *m = mb_model(8, opset);
  Onnx__GraphProto *gp = m->graph;
  mb_input(gp, "a", FLOAT, "2,3");
  mb_input(gp, "b", FLOAT, "1,3");
  mb_node(gp, "SequenceConstruct", "s1", "a,b", "ab");
  mb_node(gp, "SequenceConstruct", "s2", "a,a", "aa");
  mb_attr_int(mb_node(gp, "ConcatFromSequence", "c1", "ab", "c"), "axis", 0);
  Onnx__NodeProto *c2 = mb_node(gp, "ConcatFromSequence", "c2", "aa", "d");
  mb_attr_int(c2, "axis", -1);
  mb_attr_int(c2, "new_axis", 1);
  mb_output(gp, "c", FLOAT, "3,3");
  mb_output(gp, "d", FLOAT, "2,3,2");
  tcc_input_shape dummy;
  memset(&dummy, 0, sizeof dummy);
  tcc_import_options o = {0};
  o.input_shapes = &dummy;
  tcc_graph *g = import(ctx, m, &o);
  if (g && g->outputs.len == 2) {
    const tcc_value *a = find_value(g, "a"), *b = find_value(g, "b");
    const tcc_node *id = TCC_GRAPH_OUTPUT(g, 0)->producer;
    const tcc_node *cat = id && id->inputs[0] ? id->inputs[0]->producer : NULL;
    CHECK(cat && !strcmp(cat->op_type, "Concat") && cat->ninputs == 2 && cat->inputs[0] == a &&
          cat->inputs[1] == b);
    const tcc_attr *ax = cat ? tcc_node_attr(cat, "axis") : NULL;
    CHECK(ax && ax->u.i == 0);
    id = TCC_GRAPH_OUTPUT(g, 1)->producer;
    cat = id && id->inputs[0] ? id->inputs[0]->producer : NULL;
    CHECK(cat && !strcmp(cat->op_type, "Concat") && cat->ninputs == 2);
    ax = cat ? tcc_node_attr(cat, "axis") : NULL;
    CHECK(ax && ax->u.i == -1);
    for (int k = 0; cat && k < 2; k++) {
      const tcc_node *un = cat->inputs[k]->producer;
      CHECK(un && !strcmp(un->op_type, "Unsqueeze") && un->inputs[0] == a);
      if (!un) continue;
      if (opset >= 13) {
        const tcc_value *axes = const_input(un, 1);
        CHECK(axes && axes->ndim == 1 && i64_at(axes, 0) == -1);
      } else {
        const tcc_attr *axes = tcc_node_attr(un, "axes");
        CHECK(axes && axes->kind == TCC_ATTR_INTS && axes->u.ints.n == 1 &&
              axes->u.ints.v[0] == -1);
      }
    }
  } else {
    CHECK(!"ConcatFromSequence graph");
  }
  tcc_context_destroy(ctx);
}

/* Loop over a sequence (opset 13), unrolled: 3 iterations of body(i, c, s) = (c,
 * SequenceInsert(s, Cast(i))) give [Cast(0), Cast(1), Cast(2)]; a run-time trip count is an
 * error naming it and the condition. */
static Onnx__ModelProto *loop_model(bool const_trips) {
  Onnx__ModelProto *m = mb_model(8, 13);
  Onnx__GraphProto *gp = m->graph;
  if (const_trips)
    const_i64(gp, "M", 3);
  else
    mb_input(gp, "M", INT64, "");
  Onnx__TensorProto *t = mb_tensor("c", 9, 0, NULL);
  uint8_t one = 1;
  mb_raw(t, &one, 1);
  mb_initializer(gp, t);
  mb_node(gp, "SequenceEmpty", "empty", NULL, "s0");
  Onnx__GraphProto *body = mb_graph("body");
  mb_input(body, "i", INT64, "");
  mb_input(body, "cin", 9, "");
  in_t(body, "sin", mb_seq(mb_type(FLOAT, NULL)));
  mb_node(body, "Identity", "cid", "cin", "cout");
  mb_attr_int(mb_node(body, "Cast", "cast", "i", "f"), "to", FLOAT);
  mb_node(body, "SequenceInsert", "ins", "sin,f", "sout");
  mb_output(body, "cout", 9, "");
  out_t(body, "sout", mb_seq(mb_type(FLOAT, NULL)));
  mb_attr_graph(mb_node(gp, "Loop", "loop", "M,c,s0", "s"), "body", body);
  mb_node(gp, "SequenceLength", "len", "s", "n");
  mb_output(gp, "n", INT64, "");
  out_t(gp, "s", mb_seq(mb_type(FLOAT, NULL)));
  return m;
}

static void test_loop_unroll(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_input_shape dummy;
  memset(&dummy, 0, sizeof dummy);
  tcc_import_options o = {0};
  o.input_shapes = &dummy;
  tcc_graph *g = import(ctx, loop_model(true), &o);
  if (g) {
    CHECK(g->outputs.len == 4); /* n, s[0], s[1], s[2] */
    if (g->outputs.len == 4) {
      const tcc_value *n = TCC_GRAPH_OUTPUT(g, 0);
      CHECK(n->kind == TCC_VALUE_CONST && *(const int64_t *)n->data == 3);
      for (int i = 0; i < 3; i++) {
        const tcc_value *si = TCC_GRAPH_OUTPUT(g, 1 + i);
        const tcc_node *id = si->producer;
        const tcc_node *cast = id && id->inputs[0] ? id->inputs[0]->producer : NULL;
        CHECK_MSG(cast && !strcmp(cast->op_type, "Cast") && i64_at(const_input(cast, 0), 0) == i,
                  "s[%d]", i);
      }
    }
    for (size_t i = 0; i < g->nodes.len; i++)
      CHECK(strcmp(TCC_GRAPH_NODE(g, i)->op_type, "Loop") != 0);
  }
  tcc_context_destroy(ctx);
  expect_expand_error(loop_model(false), NULL,
                      "needs a constant trip count (input 'M') and condition (input 'c')");
}

/* If over sequences: the branch of the constant condition is inlined (then: [a]; else: [a, a]);
 * Not(OptionalHasElement(absent optional)) is a constant condition too; a run-time condition is
 * an error naming it. */
static Onnx__ModelProto *if_model(const char *cond_kind) {
  Onnx__ModelProto *m = mb_model(8, 18);
  Onnx__GraphProto *gp = m->graph;
  mb_input(gp, "a", FLOAT, "2");
  if (!strcmp(cond_kind, "input")) {
    mb_input(gp, "c", 9, "");
  } else if (!strcmp(cond_kind, "not_has")) {
    Onnx__NodeProto *on = mb_node(gp, "Optional", "none", NULL, "o");
    mb_attr(on, "type", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO)->tp =
        mb_type(FLOAT, "2");
    mb_node(gp, "OptionalHasElement", "has", "o", "h");
    mb_node(gp, "Not", "not", "h", "c"); /* true */
  } else {
    Onnx__TensorProto *t = mb_tensor("c", 9, 0, NULL);
    uint8_t v = !strcmp(cond_kind, "true");
    mb_raw(t, &v, 1);
    mb_initializer(gp, t);
  }
  Onnx__GraphProto *th = mb_graph("then"), *el = mb_graph("else");
  mb_node(th, "SequenceConstruct", "t", "a", "ts");
  out_t(th, "ts", mb_seq(mb_type(FLOAT, "2")));
  mb_node(el, "SequenceConstruct", "e", "a,a", "es");
  out_t(el, "es", mb_seq(mb_type(FLOAT, "2")));
  Onnx__NodeProto *n = mb_node(gp, "If", "if", "c", "s");
  mb_attr_graph(n, "then_branch", th);
  mb_attr_graph(n, "else_branch", el);
  out_t(gp, "s", mb_seq(mb_type(FLOAT, "2")));
  return m;
}

static void test_if_inline(void) {
  const char *kinds[] = {"true", "false", "not_has"};
  const size_t want[] = {1, 2, 1};
  for (int i = 0; i < 3; i++) {
    tcc_context *ctx = tcc_context_create();
    tcc_input_shape dummy;
    memset(&dummy, 0, sizeof dummy);
    tcc_import_options o = {0};
    o.input_shapes = &dummy;
    tcc_graph *g = import(ctx, if_model(kinds[i]), &o);
    CHECK_MSG(g && g->outputs.len == want[i], "%s", kinds[i]);
    for (size_t k = 0; g && k < g->outputs.len; k++) {
      const tcc_node *id = TCC_GRAPH_OUTPUT(g, k)->producer;
      CHECK(id && id->inputs[0] == find_value(g, "a"));
    }
    for (size_t k = 0; g && k < g->nodes.len; k++)
      CHECK(strcmp(TCC_GRAPH_NODE(g, k)->op_type, "If") != 0);
    tcc_context_destroy(ctx);
  }
  expect_expand_error(if_model("input"), NULL, "needs a constant condition (input 'c')");
}

static void expect_expand_error(Onnx__ModelProto *m, const char *spec, const char *want) {
  tcc_context *ctx = tcc_context_create();
  tcc_input_shape b[1];
  memset(b, 0, sizeof b);
  tcc_import_options o = opts_of(ctx, spec ? 1 : 0, (const char *[]){spec}, b);
  o.input_shapes = b;
  tcc_graph *g;
  CHECK_MSG(import_st(ctx, m, &o, &g) == TCC_ERR, "accepted (want %s)", want);
  CHECK_MSG(strstr(tcc_error_text(ctx), want), "got '%s', want '%s'", tcc_error_text(ctx), want);
  tcc_context_destroy(ctx);
}

static void test_expand_errors(void) {
  /* Position out of range: SequenceAt of a 2-sequence at 2. */
  Onnx__ModelProto *m = mb_model(8, 18);
  mb_input(m->graph, "a", FLOAT, "2");
  const_i64(m->graph, "p", 2);
  mb_node(m->graph, "SequenceConstruct", "sc", "a,a", "s");
  mb_node(m->graph, "SequenceAt", "sa", "s,p", "e");
  mb_output(m->graph, "e", FLOAT, "2");
  expect_expand_error(m, NULL, "node 'sa' (SequenceAt): position 2 is out of range");
  /* A run-time position (a graph input). */
  m = mb_model(8, 18);
  mb_input(m->graph, "a", FLOAT, "2");
  mb_input(m->graph, "p", INT64, "");
  mb_node(m->graph, "SequenceConstruct", "sc", "a,a", "s");
  mb_node(m->graph, "SequenceAt", "sa", "s,p", "e");
  mb_output(m->graph, "e", FLOAT, "2");
  expect_expand_error(m, NULL, "position 'p' is not constant");
  /* OptionalGetElement of an absent optional. */
  m = mb_model(8, 18);
  in_t(m->graph, "x", mb_opt(mb_type(FLOAT, "4")));
  mb_node(m->graph, "OptionalGetElement", "og", "x", "y");
  mb_output(m->graph, "y", FLOAT, "4");
  expect_expand_error(m, "x=none", "input 'x' is an absent optional");
  /* Another op taking a sequence. */
  m = mb_model(8, 18);
  in_t(m->graph, "x", mb_seq(mb_type(FLOAT, "4")));
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", FLOAT, "4");
  expect_expand_error(m, "x=[4]", "node 'r' (Relu): input 'x' is a sequence");
  expect_expand_error(m, "x=[4]", "not supported");
  /* SplitToSequence of a computed tensor: the nodes before it are inferred for its length. */
  {
    tcc_context *ctx = tcc_context_create();
    Onnx__ModelProto *mc = mb_model(8, 18);
    mb_input(mc->graph, "a", FLOAT, "2,3");
    mb_node(mc->graph, "Add", "add", "a,a", "c");
    mb_attr_int(mb_node(mc->graph, "SplitToSequence", "sp", "c", "s"), "axis", 1);
    mb_node(mc->graph, "SequenceLength", "len", "s", "n");
    mb_output(mc->graph, "n", INT64, "");
    out_t(mc->graph, "s", mb_seq(mb_type(FLOAT, NULL)));
    tcc_input_shape dummy;
    memset(&dummy, 0, sizeof dummy);
    tcc_import_options oc = {0};
    oc.input_shapes = &dummy;
    tcc_graph *g = import(ctx, mc, &oc);
    CHECK(g && g->outputs.len == 4 && tcc_error_count(ctx) == 0);
    if (g && g->outputs.len == 4) {
      const tcc_value *n = TCC_GRAPH_OUTPUT(g, 0);
      CHECK(n->kind == TCC_VALUE_CONST && *(const int64_t *)n->data == 3);
      const tcc_node *id = TCC_GRAPH_OUTPUT(g, 3)->producer;
      const tcc_node *ga = id && id->inputs[0] ? id->inputs[0]->producer : NULL;
      CHECK(ga && !strcmp(ga->op_type, "Gather") && i64_at(const_input(ga, 1), 0) == 2);
    }
    tcc_context_destroy(ctx);
  }
  /* SplitToSequence: sizes that do not sum to the dim; a dim that is not known. */
  m = mb_model(8, 24);
  mb_input(m->graph, "a", FLOAT, "5");
  Onnx__TensorProto *sz = mb_tensor("sizes", INT64, 1, (int64_t[]){2});
  mb_raw(sz, (int64_t[]){1, 2}, 2 * sizeof(int64_t));
  mb_initializer(m->graph, sz);
  mb_node(m->graph, "SplitToSequence", "sp", "a,sizes", "s");
  out_t(m->graph, "s", mb_seq(mb_type(FLOAT, NULL)));
  expect_expand_error(m, NULL, "split sizes sum to 3; dim 0 of 'a' is 5");
  m = mb_model(8, 24);
  mb_input(m->graph, "a", FLOAT, "N");
  mb_node(m->graph, "SplitToSequence", "sp", "a", "s");
  out_t(m->graph, "s", mb_seq(mb_type(FLOAT, NULL)));
  expect_expand_error(m, NULL, "dim 0 of input 'a' is not constant");
  mb_free_all();
}

/* ---- SequenceProto / OptionalProto files ---- */

/* Appends a length-delimited field. */
static size_t put_field(uint8_t *buf, size_t o, int field, const void *data, size_t len) {
  buf[o++] = (uint8_t)(field << 3 | 2);
  buf[o++] = (uint8_t)len; /* < 128 here */
  memcpy(buf + o, data, len);
  return o + len;
}
static size_t put_varint_field(uint8_t *buf, size_t o, int field, int v) {
  buf[o++] = (uint8_t)(field << 3);
  buf[o++] = (uint8_t)v;
  return o;
}

static void test_data_files(void) {
  tcc_context *ctx = tcc_context_create();
  char dir[] = "/tmp/tcc-seq-test-XXXXXX";
  if (!mkdtemp(dir)) {
    CHECK(!"mkdtemp");
    return;
  }
  /* Two float tensors [2] and [1] in a SequenceProto named "s" (elem_type 1 = tensor). */
  float v0[2] = {1.5f, -2}, v1[1] = {7};
  uint8_t t0[64], t1[64];
  Onnx__TensorProto *a = mb_tensor("", FLOAT, 1, (int64_t[]){2});
  mb_raw(a, v0, sizeof v0);
  Onnx__TensorProto *bt = mb_tensor("", FLOAT, 1, (int64_t[]){1});
  mb_raw(bt, v1, sizeof v1);
  a->name = bt->name = NULL;
  size_t l0 = onnx__tensor_proto__pack(a, t0), l1 = onnx__tensor_proto__pack(bt, t1);
  uint8_t seq[256];
  size_t o = put_field(seq, 0, 1, "s", 1);
  o = put_varint_field(seq, o, 2, 1);
  o = put_field(seq, o, 3, t0, l0);
  o = put_field(seq, o, 3, t1, l1);
  char p[128];
  snprintf(p, sizeof p, "%s/seq.pb", dir);
  CHECK(mb_write(p, seq, o) == 0);
  for (int kind = -1; kind <= TCC_TYPE_SEQUENCE; kind += 2) { /* told from the bytes, and given */
    tcc_onnx_data *d;
    tcc_status st = tcc_onnx_read_data_file(ctx, p, kind, &d);
    CHECK_MSG(st == TCC_OK, "%s", tcc_error_text(ctx));
    if (st != TCC_OK) continue;
    CHECK(d->kind == TCC_TYPE_SEQUENCE && !strcmp(d->name, "s") && d->nelems == 2);
    if (d->nelems == 2) {
      const tcc_value *e1 = d->elems[1].tensor;
      CHECK(d->elems[0].kind == TCC_TYPE_TENSOR && d->elems[0].tensor->ndim == 1);
      CHECK(e1 && e1->dtype == TCCRT_FLOAT32 && e1->nbytes == 4 && *(const float *)e1->data == 7);
    }
  }
  /* An OptionalProto holding that sequence (elem_type 3 = sequence, field 5). */
  uint8_t opt[300];
  size_t oo = put_field(opt, 0, 1, "o", 1);
  oo = put_varint_field(opt, oo, 2, 3);
  oo = put_field(opt, oo, 5, seq, o);
  snprintf(p, sizeof p, "%s/opt.pb", dir);
  CHECK(mb_write(p, opt, oo) == 0);
  tcc_onnx_data *d;
  CHECK(tcc_onnx_read_data_file(ctx, p, TCC_TYPE_OPTIONAL, &d) == TCC_OK);
  CHECK(d && d->kind == TCC_TYPE_OPTIONAL && d->nelems == 1 &&
        d->elems[0].kind == TCC_TYPE_SEQUENCE && d->elems[0].nelems == 2);
  /* An empty optional (elem_type 0). */
  uint8_t emp[16];
  size_t eo = put_field(emp, 0, 1, "e", 1);
  eo = put_varint_field(emp, eo, 2, 0);
  snprintf(p, sizeof p, "%s/empty.pb", dir);
  CHECK(mb_write(p, emp, eo) == 0);
  CHECK(tcc_onnx_read_data_file(ctx, p, TCC_TYPE_OPTIONAL, &d) == TCC_OK && d->nelems == 0);
  /* A plain TensorProto is still told from the bytes as a tensor. */
  Onnx__TensorProto *tp = mb_tensor("t", FLOAT, 1, (int64_t[]){2});
  mb_raw(tp, v0, sizeof v0);
  size_t tl = onnx__tensor_proto__pack(tp, t0);
  snprintf(p, sizeof p, "%s/t.pb", dir);
  CHECK(mb_write(p, t0, tl) == 0);
  CHECK(tcc_onnx_read_data_file(ctx, p, -1, &d) == TCC_OK && d->kind == TCC_TYPE_TENSOR &&
        !strcmp(d->name, "t"));
  /* ... and given where a sequence or an optional is declared, it is refused, not read as an
   * empty sequence / absent optional. */
  for (int k = 0; k < 2; k++) {
    tcc_error_clear(ctx);
    CHECK(tcc_onnx_read_data_file(ctx, p, k ? TCC_TYPE_OPTIONAL : TCC_TYPE_SEQUENCE, &d) ==
          TCC_ERR);
    CHECK_MSG(strstr(tcc_error_text(ctx),
                     k ? "not an onnx.OptionalProto" : "not an onnx.SequenceProto") &&
                  strstr(tcc_error_text(ctx), "t.pb"),
              "%s", tcc_error_text(ctx));
  }
  /* Truncated and mismatched element types are errors naming the file. */
  snprintf(p, sizeof p, "%s/trunc.pb", dir);
  CHECK(mb_write(p, seq, o - 3) == 0);
  tcc_error_clear(ctx);
  CHECK(tcc_onnx_read_data_file(ctx, p, TCC_TYPE_SEQUENCE, &d) == TCC_ERR);
  CHECK_MSG(strstr(tcc_error_text(ctx), "trunc.pb"), "%s", tcc_error_text(ctx));
  seq[4] = 3; /* elem_type sequence, but the values are tensors */
  snprintf(p, sizeof p, "%s/mismatch.pb", dir);
  CHECK(mb_write(p, seq, o) == 0);
  tcc_error_clear(ctx);
  CHECK(tcc_onnx_read_data_file(ctx, p, TCC_TYPE_SEQUENCE, &d) == TCC_ERR);
  CHECK_MSG(strstr(tcc_error_text(ctx), "elem_type"), "%s", tcc_error_text(ctx));
  /* Random mutations of the sequence and optional files: read or refused, never a crash (the
   * sanitizer job checks the reads stay in bounds). */
  tcc_test_seed("test_sequence");
  uint8_t mut[300];
  snprintf(p, sizeof p, "%s/mut.pb", dir);
  for (int it = 0; it < 400; it++) {
    const uint8_t *src = it & 1 ? opt : seq;
    size_t n = it & 1 ? oo : o;
    memcpy(mut, src, n);
    int nflip = (int)tcc_test_randint(1, 4);
    for (int f = 0; f < nflip; f++)
      mut[tcc_test_randint(0, (int64_t)n - 1)] = (uint8_t)tcc_test_randint(0, 255);
    size_t len = (size_t)tcc_test_randint(0, (int64_t)n);
    CHECK(mb_write(p, mut, len) == 0);
    for (int kind = -1; kind <= TCC_TYPE_OPTIONAL; kind++) {
      tcc_context *c2 = tcc_context_create();
      tcc_onnx_data *dd;
      tcc_status st = tcc_onnx_read_data_file(c2, p, kind, &dd);
      CHECK(st == TCC_OK || st == TCC_ERR);
      if (st == TCC_ERR) CHECK(strstr(tcc_error_text(c2), "mut.pb") != NULL);
      tcc_context_destroy(c2);
    }
  }
  const char *names[] = {"seq.pb",   "opt.pb",      "empty.pb", "t.pb",
                         "trunc.pb", "mismatch.pb", "mut.pb"};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(names); i++) {
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    unlink(p);
  }
  rmdir(dir);
  tcc_context_destroy(ctx);
}

int main(void) {
  test_parse();
  test_types();
  test_binding_errors();
  test_expand_identity();
  test_expand_ops();
  test_expand_errors();
  test_split_to_sequence();
  test_absent_optional();
  test_sequence_map();
  test_concat_from_sequence(11);
  test_concat_from_sequence(18);
  test_loop_unroll();
  test_if_inline();
  test_data_files();
  mb_free_all();
  return tcc_test_finish("test_sequence");
}
