/* test_import_models.c — imports every real model in $TCC_SHARED_DIR/models, with and without
 * --input-shape bindings, and checks the graph against independent references:
 *  - the model file parsed separately by protobuf-c (every initializer's bytes, raw or in the
 *    external data file read with stdio; the number of non-Constant nodes);
 *  - topological order of the imported nodes (the keras model's file is NOT in order);
 *  - after op resolution and inference with the input bound to test_data_set_0/input_0.pb's
 *    shape, output 0's dtype and dims equal those of output_0.pb (computed by PyTorch / the
 *    ONNX reference, not by tcc-ml). */
#include "onnx.pb-c.h"
#include "onnx/onnx_import.h"
#include "ops/op.h"
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  *len = buf ? fread(buf, 1, (size_t)n, f) : 0;
  fclose(f);
  return buf;
}

static const tcc_value *find_value(const tcc_graph *g, const char *name) {
  for (size_t i = 0; i < g->values.len; i++)
    if (!strcmp(TCC_GRAPH_VALUE(g, i)->name, name)) return TCC_GRAPH_VALUE(g, i);
  return NULL;
}

/* The bytes an initializer holds according to the file, read independently. */
static bool expected_bytes(const char *dir, const Onnx__TensorProto *t, uint8_t **out,
                           size_t *len) {
  *out = NULL;
  *len = 0;
  if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
    const char *loc = NULL;
    long off = 0, n = -1;
    for (size_t i = 0; i < t->n_external_data; i++) {
      if (!strcmp(t->external_data[i]->key, "location")) loc = t->external_data[i]->value;
      if (!strcmp(t->external_data[i]->key, "offset")) off = atol(t->external_data[i]->value);
      if (!strcmp(t->external_data[i]->key, "length")) n = atol(t->external_data[i]->value);
    }
    char path[1024];
    if (snprintf(path, sizeof path, "%s/%s", dir, loc ? loc : "") >= (int)sizeof path) return false;
    FILE *f = fopen(path, "rb");
    if (!f || n < 0) {
      if (f) fclose(f);
      return false;
    }
    *out = malloc((size_t)n + 1);
    fseek(f, off, SEEK_SET);
    *len = fread(*out, 1, (size_t)n, f);
    fclose(f);
    return *len == (size_t)n;
  }
  if (t->has_raw_data) {
    *out = malloc(t->raw_data.len + 1);
    memcpy(*out, t->raw_data.data, t->raw_data.len);
    *len = t->raw_data.len;
    return true;
  }
  if (t->data_type == 1 && t->n_float_data) {
    *len = t->n_float_data * 4;
    *out = malloc(*len);
    memcpy(*out, t->float_data, *len);
    return true;
  }
  if (t->data_type == 7 && t->n_int64_data) {
    *len = t->n_int64_data * 8;
    *out = malloc(*len);
    memcpy(*out, t->int64_data, *len);
    return true;
  }
  return false;
}

static void check_against_proto(const char *name, const char *dir, const uint8_t *buf, size_t len,
                                const tcc_graph *g) {
  Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
  CHECK_MSG(m && m->graph, "%s: protobuf-c cannot parse the file", name);
  if (!m || !m->graph) return;
  size_t nconst = 0, nchecked = 0;
  for (size_t i = 0; i < m->graph->n_node; i++)
    if (!strcmp(m->graph->node[i]->op_type, "Constant")) nconst++;
  CHECK_MSG(g->nodes.len == m->graph->n_node - nconst,
            "%s: %zu nodes, file has %zu (+%zu Constant)", name, g->nodes.len,
            m->graph->n_node - nconst, nconst);
  for (size_t i = 0; i < m->graph->n_initializer; i++) {
    const Onnx__TensorProto *t = m->graph->initializer[i];
    const tcc_value *v = find_value(g, t->name);
    CHECK_MSG(v && v->dtype == (tccrt_dtype)t->data_type && v->ndim == (int)t->n_dims, "%s: %s",
              name, t->name);
    if (!v) continue;
    for (size_t d = 0; d < t->n_dims && (int)d < v->ndim; d++) {
      int64_t dv = -1;
      CHECK(tcc_expr_is_int_imm(v->dims[d], &dv) && dv == t->dims[d]);
    }
    uint8_t *want;
    size_t wl;
    if (expected_bytes(dir, t, &want, &wl)) {
      CHECK_MSG(v->nbytes == wl && (wl == 0 || !memcmp(v->data, want, wl)), "%s: %s bytes", name,
                t->name);
      nchecked++;
    }
    free(want);
  }
  CHECK_MSG(nchecked > 0 || m->graph->n_initializer == 0, "%s: no initializer compared", name);
  onnx__model_proto__free_unpacked(m, NULL);
}

static void check_topological(const char *name, const tcc_graph *g) {
  for (size_t i = 0; i < g->nodes.len; i++) {
    const tcc_node *n = TCC_GRAPH_NODE(g, i);
    CHECK(n->id == i);
    for (int k = 0; k < n->ninputs; k++) {
      const tcc_value *v = n->inputs[k];
      if (v && v->kind == TCC_VALUE_NODE)
        CHECK_MSG(v->producer && v->producer->id < n->id, "%s: node '%s' reads '%s' too early",
                  name, tcc_node_label(n), v->name);
    }
  }
}

/* True when the file itself lists some node before the producer of one of its inputs. */
static bool file_out_of_order(const uint8_t *buf, size_t len) {
  Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
  bool out = false;
  if (!m || !m->graph) return false;
  const Onnx__GraphProto *gp = m->graph;
  for (size_t i = 0; i < gp->n_node && !out; i++)
    for (size_t k = 0; k < gp->node[i]->n_input && !out; k++)
      for (size_t j = i + 1; j < gp->n_node && !out; j++)
        for (size_t o = 0; o < gp->node[j]->n_output; o++)
          if (!strcmp(gp->node[j]->output[o], gp->node[i]->input[k])) out = true;
  onnx__model_proto__free_unpacked(m, NULL);
  return out;
}

static void check_model(const char *dir, const char *file) {
  char path[1024], in_path[1024], out_path[1024];
  if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path ||
      snprintf(in_path, sizeof in_path, "%s/test_data_set_0/input_0.pb", dir) >=
          (int)sizeof in_path ||
      snprintf(out_path, sizeof out_path, "%s/test_data_set_0/output_0.pb", dir) >=
          (int)sizeof out_path)
    return;
  const char *name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
  size_t len = 0;
  uint8_t *buf = read_all(path, &len);
  CHECK_MSG(buf != NULL, "%s: cannot read", path);
  if (!buf) return;

  /* 1. Plain import. */
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = NULL;
  tcc_status st = tcc_onnx_import_file(ctx, path, NULL, &g);
  CHECK_MSG(st == TCC_OK, "%s: %s", name, tcc_error_text(ctx));
  if (st == TCC_OK) {
    check_against_proto(name, dir, buf, len, g);
    check_topological(name, g);
    CHECK_MSG(tcc_graph_resolve_ops(ctx, g) == TCC_OK && tcc_graph_infer(ctx, g) == TCC_OK,
              "%s: %s", name, tcc_error_text(ctx));
    if (!strcmp(name, "mnist-keras-small")) {
      CHECK(file_out_of_order(buf, len)); /* the file really is out of order */
      CHECK(g->symbols.len == 1 && !strcmp(TCC_VEC_AT(g->symbols, tcc_var *, 0)->name, "N"));
    }
    if (!strcmp(name, "mnist-pytorch-opset11"))
      CHECK(g->symbols.len == 1 &&
            !strcmp(TCC_VEC_AT(g->symbols, tcc_var *, 0)->name, "batch_size"));
    if (!strcmp(name, "mnist-pytorch-extdata")) {
      CHECK(g->symbols.len == 1);
      const tcc_value *w = find_value(g, "fc1.weight");
      CHECK_MSG(w && w->mapped && w->nbytes == 10 * 21632 * 4, "fc1.weight not mapped");
    }
  }
  tcc_context_destroy(ctx);

  /* 2. With the input bound to the test input's shape: no symbols left, output shape known. */
  ctx = tcc_context_create();
  tcc_value *in = NULL, *out = NULL;
  CHECK_MSG(tcc_onnx_read_tensor_file(ctx, in_path, &in) == TCC_OK &&
                tcc_onnx_read_tensor_file(ctx, out_path, &out) == TCC_OK,
            "%s: %s", name, tcc_error_text(ctx));
  if (in && out) {
    /* The single graph input's name, from a first import. */
    tcc_graph *g0 = NULL;
    CHECK(tcc_onnx_import_file(ctx, path, NULL, &g0) == TCC_OK);
    if (g0 && g0->inputs.len >= 1) {
      tcc_input_shape is = {0};
      is.name = TCC_GRAPH_INPUT(g0, 0)->name;
      is.ndim = in->ndim;
      for (int d = 0; d < in->ndim; d++)
        tcc_expr_is_int_imm(in->dims[d], &is.dims[d]);
      tcc_import_options o = {0};
      o.ninput_shapes = 1;
      o.input_shapes = &is;
      tcc_graph *g1 = NULL;
      st = tcc_onnx_import_file(ctx, path, &o, &g1);
      CHECK_MSG(st == TCC_OK, "%s (bound): %s", name, tcc_error_text(ctx));
      if (st == TCC_OK) {
        CHECK_MSG(g1->symbols.len == 0, "%s: %zu symbols left after binding", name,
                  g1->symbols.len);
        CHECK(tcc_value_shape_known(TCC_GRAPH_INPUT(g1, 0)));
        st = tcc_graph_resolve_ops(ctx, g1);
        if (st == TCC_OK) st = tcc_graph_infer(ctx, g1);
        CHECK_MSG(st == TCC_OK, "%s (bound): %s", name, tcc_error_text(ctx));
        const tcc_value *y = g1->outputs.len ? TCC_GRAPH_OUTPUT(g1, 0) : NULL;
        if (st == TCC_OK && y) {
          CHECK_MSG(y->dtype == out->dtype && y->ndim == out->ndim, "%s: output %s rank %d", name,
                    tccrt_dtype_name(y->dtype), y->ndim);
          for (int d = 0; d < y->ndim && d < out->ndim; d++) {
            int64_t a = -1, b = -2;
            tcc_expr_is_int_imm(y->dims[d], &a);
            tcc_expr_is_int_imm(out->dims[d], &b);
            CHECK_MSG(a == b, "%s: output dim %d is %s, expected %lld", name, d,
                      tcc_expr_str(ctx, y->dims[d]), (long long)b);
          }
        }
      }
    }
  }
  tcc_context_destroy(ctx);
  free(buf);
}

int main(void) {
  char models[1024];
  snprintf(models, sizeof models, "%s/models", tcc_test_shared_dir());
  DIR *d = opendir(models);
  CHECK_MSG(d != NULL, "cannot open %s", models);
  int nmodels = 0;
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char dir[1024];
    if (snprintf(dir, sizeof dir, "%s/%s", models, e->d_name) >= (int)sizeof dir) continue;
    DIR *md = opendir(dir);
    if (!md) continue;
    struct dirent *f;
    while ((f = readdir(md))) {
      size_t n = strlen(f->d_name);
      if (n > 5 && !strcmp(f->d_name + n - 5, ".onnx")) {
        check_model(dir, f->d_name);
        nmodels++;
      }
    }
    closedir(md);
  }
  if (d) closedir(d);
  CHECK_MSG(nmodels >= 11, "only %d models found", nmodels);
  printf("imported %d models\n", nmodels);
  return tcc_test_finish("frontend_test_import_models");
}
