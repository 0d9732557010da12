/* onnx_builder.h — builds small ONNX models in tests with the protobuf-c API generated from the
 * system's onnx.proto, so the importer is tested against files serialized by protobuf-c itself.
 * Every allocation goes to a pool freed by mb_free_all(). */
#ifndef TCC_ONNX_BUILDER_H
#define TCC_ONNX_BUILDER_H

#include "onnx.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void **mb_pool;
static size_t mb_pool_n, mb_pool_cap;

static inline void *mb_new(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) abort();
  if (mb_pool_n == mb_pool_cap) {
    mb_pool_cap = mb_pool_cap ? mb_pool_cap * 2 : 256;
    mb_pool = realloc(mb_pool, sizeof(void *) * mb_pool_cap);
    if (!mb_pool) abort();
  }
  mb_pool[mb_pool_n++] = p;
  return p;
}

static inline void mb_free_all(void) {
  for (size_t i = 0; i < mb_pool_n; i++)
    free(mb_pool[i]);
  free(mb_pool);
  mb_pool = NULL;
  mb_pool_n = mb_pool_cap = 0;
}

static inline char *mb_str(const char *s) {
  char *d = mb_new(strlen(s) + 1);
  strcpy(d, s);
  return d;
}

/* Appends `item` (of size `es`) to the repeated field (*arr, *n). */
static inline void mb_push_(void **arr, size_t *n, const void *item, size_t es) {
  char *d = mb_new(es * (*n + 1));
  if (*n) memcpy(d, *arr, es * *n);
  memcpy(d + es * *n, item, es);
  *arr = d;
  (*n)++;
}
#define MB_PUSH(arr, n, item) mb_push_((void **)&(arr), &(n), &(item), sizeof(item))

/* A comma-separated list of names ("a,,b": "" is an omitted optional). */
static inline void mb_names(const char *list, char ***arr, size_t *n) {
  *arr = NULL;
  *n = 0;
  if (!list) return;
  const char *p = list;
  for (;;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    char *s = mb_new(len + 1);
    memcpy(s, p, len);
    MB_PUSH(*arr, *n, s);
    if (!e) break;
    p = e + 1;
  }
}

static inline Onnx__GraphProto *mb_graph(const char *name) {
  Onnx__GraphProto *g = mb_new(sizeof *g);
  onnx__graph_proto__init(g);
  g->name = mb_str(name);
  return g;
}

static inline void mb_opset(Onnx__ModelProto *m, const char *domain, int64_t version) {
  Onnx__OperatorSetIdProto *o = mb_new(sizeof *o);
  onnx__operator_set_id_proto__init(o);
  o->domain = mb_str(domain);
  o->has_version = 1;
  o->version = version;
  MB_PUSH(m->opset_import, m->n_opset_import, o);
}

/* A model with an empty main graph importing ai.onnx at `opset`. */
static inline Onnx__ModelProto *mb_model(int64_t ir_version, int64_t opset) {
  Onnx__ModelProto *m = mb_new(sizeof *m);
  onnx__model_proto__init(m);
  m->has_ir_version = 1;
  m->ir_version = ir_version;
  m->graph = mb_graph("g");
  if (opset > 0) mb_opset(m, "", opset);
  return m;
}

static inline Onnx__NodeProto *mb_node(Onnx__GraphProto *g, const char *op, const char *name,
                                       const char *ins, const char *outs) {
  Onnx__NodeProto *n = mb_new(sizeof *n);
  onnx__node_proto__init(n);
  n->op_type = mb_str(op);
  n->name = mb_str(name);
  mb_names(ins, &n->input, &n->n_input);
  mb_names(outs, &n->output, &n->n_output);
  if (g) MB_PUSH(g->node, g->n_node, n);
  return n;
}

static inline Onnx__AttributeProto *mb_attr(Onnx__NodeProto *n, const char *name,
                                            Onnx__AttributeProto__AttributeType type) {
  Onnx__AttributeProto *a = mb_new(sizeof *a);
  onnx__attribute_proto__init(a);
  a->name = mb_str(name);
  a->has_type = 1;
  a->type = type;
  MB_PUSH(n->attribute, n->n_attribute, a);
  return a;
}
static inline Onnx__AttributeProto *mb_attr_int(Onnx__NodeProto *n, const char *name, int64_t v) {
  Onnx__AttributeProto *a = mb_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  a->has_i = 1;
  a->i = v;
  return a;
}
static inline Onnx__AttributeProto *mb_attr_float(Onnx__NodeProto *n, const char *name, float v) {
  Onnx__AttributeProto *a = mb_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  a->has_f = 1;
  a->f = v;
  return a;
}
static inline Onnx__AttributeProto *mb_attr_ints(Onnx__NodeProto *n, const char *name, int k,
                                                 const int64_t *v) {
  Onnx__AttributeProto *a = mb_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  a->ints = mb_new(sizeof(int64_t) * (size_t)k);
  memcpy(a->ints, v, sizeof(int64_t) * (size_t)k);
  a->n_ints = (size_t)k;
  return a;
}
static inline Onnx__AttributeProto *mb_attr_floats(Onnx__NodeProto *n, const char *name, int k,
                                                   const float *v) {
  Onnx__AttributeProto *a = mb_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
  a->floats = mb_new(sizeof(float) * (size_t)k);
  memcpy(a->floats, v, sizeof(float) * (size_t)k);
  a->n_floats = (size_t)k;
  return a;
}
static inline Onnx__AttributeProto *mb_attr_string(Onnx__NodeProto *n, const char *name,
                                                   const char *s) {
  Onnx__AttributeProto *a = mb_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
  a->has_s = 1;
  a->s.data = (uint8_t *)mb_str(s);
  a->s.len = strlen(s);
  return a;
}
static inline Onnx__AttributeProto *mb_attr_graph(Onnx__NodeProto *n, const char *name,
                                                  Onnx__GraphProto *g) {
  Onnx__AttributeProto *a = mb_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);
  a->g = g;
  return a;
}

/* A tensor type; dims is a comma-separated list of ints or dim_param names ("N,3,224"); "?" is
 * an unnamed dim; NULL: no shape at all; "" rank 0. */
static inline Onnx__TypeProto *mb_type(int32_t elem, const char *dims) {
  Onnx__TypeProto *t = mb_new(sizeof *t);
  onnx__type_proto__init(t);
  Onnx__TypeProto__Tensor *tt = mb_new(sizeof *tt);
  onnx__type_proto__tensor__init(tt);
  tt->has_elem_type = 1;
  tt->elem_type = elem;
  t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  t->tensor_type = tt;
  if (dims) {
    Onnx__TensorShapeProto *sp = mb_new(sizeof *sp);
    onnx__tensor_shape_proto__init(sp);
    tt->shape = sp;
    char **names;
    size_t n;
    if (dims[0])
      mb_names(dims, &names, &n);
    else
      names = NULL, n = 0;
    for (size_t i = 0; i < n; i++) {
      Onnx__TensorShapeProto__Dimension *d = mb_new(sizeof *d);
      onnx__tensor_shape_proto__dimension__init(d);
      if (names[i][0] == '-' || (names[i][0] >= '0' && names[i][0] <= '9')) {
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d->dim_value = strtoll(names[i], NULL, 10);
      } else if (strcmp(names[i], "?")) {
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
        d->dim_param = names[i];
      }
      MB_PUSH(sp->dim, sp->n_dim, d);
    }
  }
  return t;
}

static inline Onnx__ValueInfoProto *mb_vi(const char *name, int32_t elem, const char *dims) {
  Onnx__ValueInfoProto *v = mb_new(sizeof *v);
  onnx__value_info_proto__init(v);
  v->name = mb_str(name);
  if (elem >= 0) v->type = mb_type(elem, dims);
  return v;
}
static inline void mb_input(Onnx__GraphProto *g, const char *name, int32_t elem, const char *dims) {
  Onnx__ValueInfoProto *v = mb_vi(name, elem, dims);
  MB_PUSH(g->input, g->n_input, v);
}
static inline void mb_output(Onnx__GraphProto *g, const char *name, int32_t elem,
                             const char *dims) {
  Onnx__ValueInfoProto *v = mb_vi(name, elem, dims);
  MB_PUSH(g->output, g->n_output, v);
}

/* A tensor with dims and no data yet. */
static inline Onnx__TensorProto *mb_tensor(const char *name, int32_t dtype, int ndims,
                                           const int64_t *dims) {
  Onnx__TensorProto *t = mb_new(sizeof *t);
  onnx__tensor_proto__init(t);
  t->name = mb_str(name);
  t->has_data_type = 1;
  t->data_type = dtype;
  t->dims = mb_new(sizeof(int64_t) * (size_t)(ndims + 1));
  if (ndims) memcpy(t->dims, dims, sizeof(int64_t) * (size_t)ndims);
  t->n_dims = (size_t)ndims;
  return t;
}
static inline void mb_raw(Onnx__TensorProto *t, const void *data, size_t n) {
  t->has_raw_data = 1;
  t->raw_data.data = mb_new(n);
  memcpy(t->raw_data.data, data, n);
  t->raw_data.len = n;
}
static inline void mb_external(Onnx__TensorProto *t, const char *location, const char *offset,
                               const char *length) {
  const char *keys[] = {"location", "offset", "length"};
  const char *vals[] = {location, offset, length};
  t->has_data_location = 1;
  t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  for (int i = 0; i < 3; i++) {
    if (!vals[i]) continue;
    Onnx__StringStringEntryProto *e = mb_new(sizeof *e);
    onnx__string_string_entry_proto__init(e);
    e->key = mb_str(keys[i]);
    e->value = mb_str(vals[i]);
    MB_PUSH(t->external_data, t->n_external_data, e);
  }
}
static inline void mb_initializer(Onnx__GraphProto *g, Onnx__TensorProto *t) {
  MB_PUSH(g->initializer, g->n_initializer, t);
}

/* Serializes the model into a pooled buffer. */
static inline uint8_t *mb_pack(const Onnx__ModelProto *m, size_t *len) {
  *len = onnx__model_proto__get_packed_size(m);
  uint8_t *buf = mb_new(*len);
  onnx__model_proto__pack(m, buf);
  return buf;
}

static inline int mb_write(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(data, 1, len, f);
  return (fclose(f) == 0 && w == len) ? 0 : -1;
}

#endif
