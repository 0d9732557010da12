/* test_aot_compile.c — the AOT driver on graphs built in the test: constant folding of a constant
 * subgraph (Transpose of an initializer), fusion, the executor's results against a plain C
 * reference, the header, the --report text and the unbound-symbol error. */
#include "aot/aot.h"
#include "ops/op.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tcc_value *typed(tcc_graph *g, const char *name, tcc_value_kind kind, int ndim,
                        const int64_t *dims) {
  tcc_context *ctx = g->ctx;
  tcc_value *v = tcc_graph_add_value(g, name, kind);
  v->dtype = TCCRT_FLOAT32;
  v->ndim = ndim;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_expr *) * (size_t)ndim);
  for (int i = 0; i < ndim; i++)
    d[i] = tcc_idx(ctx, dims[i]);
  v->dims = d;
  return v;
}

static tcc_graph *new_graph(tcc_context *ctx) {
  tcc_graph *g = tcc_graph_new(ctx, "g", NULL);
  static tcc_opset ops[1] = {{"", 13}};
  g->nopsets = 1;
  g->opsets = ops;
  g->file = "test.onnx";
  return g;
}

static tcc_node *add(tcc_graph *g, const char *op, int nin, tcc_value **ins, tcc_value *out) {
  tcc_node *n = tcc_graph_add_node(g, out->name, op, "", nin, ins, 1, &out);
  n->opset = 13;
  return n;
}

static float W[3][2];

/* y = relu(x + transpose(w)), x: [2, 3] input, w: [3, 2] constant. */
static void test_fold_and_run(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_graph *g = new_graph(ctx);
  int64_t dx[2] = {2, 3}, dw[2] = {3, 2};
  tcc_value *x = typed(g, "x", TCC_VALUE_INPUT, 2, dx);
  tcc_value *w = typed(g, "w", TCC_VALUE_CONST, 2, dw);
  w->data = W;
  w->nbytes = sizeof W;
  tcc_vec_push(a, &g->inputs, &x);
  tcc_value *wt = tcc_graph_add_value(g, "wt", TCC_VALUE_NODE);
  tcc_value *s = tcc_graph_add_value(g, "s", TCC_VALUE_NODE);
  tcc_value *y = tcc_graph_add_value(g, "y", TCC_VALUE_NODE);
  add(g, "Transpose", 1, &w, wt);
  tcc_value *sin[2] = {x, wt};
  add(g, "Add", 2, sin, s);
  add(g, "Relu", 1, &s, y);
  tcc_vec_push(a, &g->outputs, &y);
  CHECK(tcc_graph_toposort(g) == TCC_OK);
  tcc_aot_options o = {"tiny", NULL, NULL, 2, true};
  tcc_aot_model *m;
  tcc_status st = tcc_aot_compile(ctx, g, &o, &m);
  CHECK_MSG(st == TCC_OK, "%s", tcc_error_text(ctx));
  if (st != TCC_OK) return;
  /* The constant subgraph was folded: wt is a constant holding w transposed. */
  CHECK(wt->kind == TCC_VALUE_CONST && wt->data && wt->nbytes == sizeof W);
  if (wt->data)
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 3; j++)
        CHECK(((const float *)wt->data)[i * 3 + j] == W[j][i]);
  /* Add and Relu fuse into one kernel. */
  char *rep = NULL;
  size_t rl = 0;
  FILE *f = open_memstream(&rep, &rl);
  tcc_aot_report(m, f);
  fclose(f);
  CHECK_MSG(strstr(rep, "1 kernels") != NULL, "report: %s", rep);
  free(rep);
  tcc_aot_jit *j;
  tcc_aot_run_fn run;
  const tccrt_model_info *info;
  st = tcc_aot_jit_load(m, &j, &run, &info);
  CHECK_MSG(st == TCC_OK, "%s", tcc_error_text(ctx));
  if (st == TCC_OK) {
    CHECK(!strcmp(info->name, "tiny") && info->num_inputs == 1 && info->num_outputs == 1);
    CHECK(info->outputs[0].size_bytes == 24 && info->outputs[0].ndim == 2);
    float xin[6], yout[6];
    for (int r = 0; r < 20; r++) {
      for (int i = 0; i < 6; i++)
        xin[i] = (float)tcc_test_uniform(-3, 3);
      const void *in[1] = {xin};
      void *out[1] = {yout};
      CHECK(run(in, out) == 0);
      for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++) {
          float ref = xin[i * 3 + k] + W[k][i];
          ref = ref > 0 ? ref : 0;
          CHECK(yout[i * 3 + k] == ref);
        }
    }
    tcc_aot_jit_destroy(j);
  }
  /* The header declares the entry points and sizes. */
  char hpath[] = "/tmp/tcc-aot-hdr-XXXXXX";
  int fd = mkstemp(hpath);
  CHECK(fd >= 0);
  close(fd);
  CHECK(tcc_aot_write_header(m, hpath) == TCC_OK);
  f = fopen(hpath, "r");
  char buf[8192] = {0};
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f) fclose(f);
  buf[n] = 0;
  CHECK(strstr(buf, "int tiny_run(const void *const inputs[], void *const outputs[]);") != NULL);
  CHECK(strstr(buf, "#define TINY_WORKSPACE_SIZE ") != NULL);
  CHECK(strstr(buf, "#define TINY_INPUT_0_SHAPE {2, 3}") != NULL);
  CHECK(strstr(buf, "const tccrt_model_info *tiny_info(void);") != NULL);
  unlink(hpath);
  tcc_aot_model_destroy(m);
  tcc_context_destroy(ctx);
}

/* An input whose dim is an unbound symbol is an error that names the symbol and the input. */
static void test_unbound_symbol(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_graph *g = new_graph(ctx);
  int64_t d[2] = {1, 4};
  tcc_value *x = typed(g, "x", TCC_VALUE_INPUT, 2, d);
  const tcc_expr **dims = tcc_arena_alloc(a, sizeof(tcc_expr *) * 2);
  dims[0] = tcc_expr_var(ctx, tcc_graph_symbol(g, "batch"));
  dims[1] = tcc_idx(ctx, 4);
  x->dims = dims;
  tcc_vec_push(a, &g->inputs, &x);
  tcc_value *y = tcc_graph_add_value(g, "y", TCC_VALUE_NODE);
  add(g, "Relu", 1, &x, y);
  tcc_vec_push(a, &g->outputs, &y);
  tcc_aot_options o = {"sym", NULL, NULL, 2, true};
  tcc_aot_model *m;
  CHECK(tcc_aot_compile(ctx, g, &o, &m) == TCC_ERR);
  const char *e = tcc_error_text(ctx);
  CHECK_MSG(strstr(e, "'batch'") && strstr(e, "'x'") && strstr(e, "--input-shape"), "got: %s", e);
  /* A name that is not a C identifier is refused. */
  tcc_error_clear(ctx);
  tcc_aot_options bad = {"3d-net", NULL, NULL, 2, true};
  CHECK(tcc_aot_compile(ctx, g, &bad, &m) == TCC_ERR);
  CHECK(strstr(tcc_error_text(ctx), "C identifier") != NULL);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_aot_compile");
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++)
      W[i][j] = (float)tcc_test_uniform(-2, 2);
  test_fold_and_run();
  test_unbound_symbol();
  return tcc_test_finish("test_aot_compile");
}
