/* make_corpus.c — writes the seed corpus of the importer fuzzer (small valid and invalid models
 * covering every construct the importer handles) into the folder given as argv[1]. */
#include "onnx_builder.h"

static char *out_dir;

static void save(const char *name, const Onnx__ModelProto *m, size_t cut) {
  size_t len;
  uint8_t *buf = mb_pack(m, &len);
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", out_dir, name);
  if (mb_write(path, buf, cut && cut < len ? cut : len) != 0) perror(path);
}

static Onnx__ModelProto *relu_model(void) {
  Onnx__ModelProto *m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "N,3");
  mb_node(m->graph, "Relu", "r", "x", "y");
  mb_output(m->graph, "y", 1, "N,3");
  return m;
}

int main(int argc, char **argv) {
  if (argc < 2) return 1;
  out_dir = argv[1];
  save("relu.onnx", relu_model(), 0);
  save("relu_truncated.onnx", relu_model(), 20);

  /* Initializers in several storage forms, Constants, an initializer input (IR 4). */
  Onnx__ModelProto *m = mb_model(4, 11);
  mb_input(m->graph, "x", 1, "2,2");
  mb_input(m->graph, "b", 1, "2");
  Onnx__TensorProto *t = mb_tensor("b", 1, 1, (int64_t[]){2});
  float bv[2] = {1, 2};
  mb_raw(t, bv, sizeof bv);
  mb_initializer(m->graph, t);
  t = mb_tensor("h", 10, 1, (int64_t[]){2});
  t->int32_data = mb_new(8), t->n_int32_data = 2, t->int32_data[0] = 0x3c00;
  mb_initializer(m->graph, t);
  t = mb_tensor("i", 7, 1, (int64_t[]){1});
  t->int64_data = mb_new(8), t->n_int64_data = 1, t->int64_data[0] = 3;
  mb_initializer(m->graph, t);
  t = mb_tensor("s", 8, 1, (int64_t[]){1});
  ProtobufCBinaryData sd = {2, (uint8_t *)mb_str("hi")};
  MB_PUSH(t->string_data, t->n_string_data, sd);
  mb_initializer(m->graph, t);
  Onnx__NodeProto *c = mb_node(m->graph, "Constant", "k", NULL, "kf");
  mb_attr_floats(c, "value_floats", 2, (float[]){1, 2});
  c = mb_node(m->graph, "Constant", "k2", NULL, "ki");
  mb_attr_int(c, "value_int", 4);
  mb_node(m->graph, "Add", "add", "x,b", "y0");
  Onnx__NodeProto *sm = mb_node(m->graph, "Softmax", "sm", "y0", "y");
  mb_attr_int(sm, "axis", 1);
  mb_output(m->graph, "y", 1, "2,2");
  save("storage.onnx", m, 0);

  /* An If with outer-scope reads, nodes out of order. */
  m = mb_model(8, 13);
  mb_input(m->graph, "cond", 9, "");
  mb_input(m->graph, "x", 1, "2");
  Onnx__GraphProto *tg = mb_graph("then");
  mb_node(tg, "Relu", "t", "h", "to");
  mb_output(tg, "to", 1, "2");
  Onnx__GraphProto *eg = mb_graph("else");
  mb_node(eg, "Neg", "e", "x", "eo");
  mb_output(eg, "eo", 1, "2");
  Onnx__NodeProto *iff = mb_node(m->graph, "If", "if", "cond", "y");
  mb_attr_graph(iff, "then_branch", tg);
  mb_attr_graph(iff, "else_branch", eg);
  mb_node(m->graph, "Abs", "abs", "x", "h");
  mb_output(m->graph, "y", 1, "2");
  save("if_outer.onnx", m, 0);

  /* A model-local function with an attribute reference. */
  m = mb_model(8, 13);
  mb_opset(m, "local", 1);
  Onnx__FunctionProto *f = mb_new(sizeof *f);
  onnx__function_proto__init(f);
  f->name = mb_str("Scale");
  f->domain = mb_str("local");
  mb_names("a", &f->input, &f->n_input);
  mb_names("c", &f->output, &f->n_output);
  mb_names("alpha", &f->attribute, &f->n_attribute);
  Onnx__NodeProto *k = mb_node(NULL, "Constant", "k", NULL, "s");
  Onnx__AttributeProto *ref =
      mb_attr(k, "value_float", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  ref->ref_attr_name = mb_str("alpha");
  MB_PUSH(f->node, f->n_node, k);
  Onnx__NodeProto *mul = mb_node(NULL, "Mul", "mul", "a,s", "c");
  MB_PUSH(f->node, f->n_node, mul);
  MB_PUSH(m->functions, m->n_functions, f);
  mb_input(m->graph, "x", 1, "2");
  Onnx__NodeProto *call = mb_node(m->graph, "Scale", "call", "x", "y");
  call->domain = mb_str("local");
  mb_attr_float(call, "alpha", 2.0f);
  mb_output(m->graph, "y", 1, "2");
  save("function.onnx", m, 0);

  /* A function whose body holds an If reading function-internal names and an attribute. */
  m = mb_model(8, 13);
  mb_opset(m, "local", 1);
  f = mb_new(sizeof *f);
  onnx__function_proto__init(f);
  f->name = mb_str("Pick");
  f->domain = mb_str("local");
  mb_names("c,a", &f->input, &f->n_input);
  mb_names("out", &f->output, &f->n_output);
  mb_names("k", &f->attribute, &f->n_attribute);
  Onnx__NodeProto *neg = mb_node(NULL, "Neg", "neg", "a", "na");
  MB_PUSH(f->node, f->n_node, neg);
  tg = mb_graph("then");
  k = mb_node(tg, "Constant", "kc", NULL, "kv");
  ref = mb_attr(k, "value_float", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  ref->ref_attr_name = mb_str("k");
  mb_node(tg, "Mul", "tm", "na,kv", "t_out");
  mb_output(tg, "t_out", 1, "2");
  eg = mb_graph("else");
  mb_output(eg, "a", 1, "2");
  iff = mb_node(NULL, "If", "if", "c", "out");
  mb_attr_graph(iff, "then_branch", tg);
  mb_attr_graph(iff, "else_branch", eg);
  MB_PUSH(f->node, f->n_node, iff);
  MB_PUSH(m->functions, m->n_functions, f);
  mb_input(m->graph, "cond", 9, "");
  mb_input(m->graph, "x", 1, "2");
  call = mb_node(m->graph, "Pick", "p", "cond,x", "y");
  call->domain = mb_str("local");
  mb_attr_float(call, "k", 4.0f);
  mb_output(m->graph, "y", 1, "2");
  save("function_if.onnx", m, 0);

  /* Invalid: a cycle; external data; a dim overflow. */
  m = mb_model(8, 13);
  mb_input(m->graph, "x", 1, "2");
  mb_node(m->graph, "Add", "a", "x,q", "p");
  mb_node(m->graph, "Relu", "b", "p", "q");
  mb_output(m->graph, "q", 1, "2");
  save("cycle.onnx", m, 0);
  m = relu_model();
  t = mb_tensor("w", 1, 1, (int64_t[]){4});
  mb_external(t, "../../etc/passwd", "0", "16");
  mb_initializer(m->graph, t);
  save("external.onnx", m, 0);
  m = relu_model();
  mb_initializer(m->graph, mb_tensor("big", 1, 2, (int64_t[]){(int64_t)1 << 62, 4}));
  save("overflow.onnx", m, 0);
  mb_free_all();
  return 0;
}
