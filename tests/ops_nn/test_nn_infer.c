/* test_nn_infer.c — inference edge cases of the NN op families, on hand-built graphs:
 * symbolic batch flowing through Conv/pools/Gemm/MatMul (N stays N), auto_pad SAME_UPPER /
 * SAME_LOWER / VALID, MaxPool ceil_mode (including the last-window rule), ConvTranspose
 * output_shape / output_padding, Softmax negative axis and pre-13 semantics, and errors that name
 * the node (wrong channel count, bad kernel, Gemm inner-dim mismatch). Expected shapes are worked
 * out by hand from the ONNX operator spec formulas. */
#include "graph_attrs.h"
#include "ops/op.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

typedef struct tg {
  tcc_context *ctx;
  tcc_graph *g;
} tg;

static tg tg_new(int64_t opset) {
  tg t;
  t.ctx = tcc_context_create();
  t.g = tcc_graph_new(t.ctx, "t", NULL);
  t.g->nopsets = 1;
  t.g->opsets = tcc_arena_alloc(tcc_ctx_arena(t.ctx), sizeof *t.g->opsets);
  t.g->opsets[0].domain = "";
  t.g->opsets[0].version = opset;
  return t;
}

/* An input of dtype f32 and shape dims ("N" = the symbol N, else a number). */
static tcc_value *input(tg *t, const char *name, int ndim, const char *const *dims) {
  tcc_value *v = tcc_graph_add_value(t->g, name, TCC_VALUE_INPUT);
  v->dtype = TCCRT_FLOAT32;
  v->ndim = ndim;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(t->ctx), sizeof *d * (size_t)(ndim + 1));
  for (int i = 0; i < ndim; i++) {
    if (dims[i][0] >= '0' && dims[i][0] <= '9')
      d[i] = tcc_idx(t->ctx, atoll(dims[i]));
    else
      d[i] = tcc_expr_var(t->ctx, tcc_graph_symbol(t->g, dims[i]));
  }
  v->dims = d;
  tcc_vec_push(tcc_ctx_arena(t->ctx), &t->g->inputs, &v);
  return v;
}

static tcc_node *node(tg *t, const char *name, const char *op, int nin, tcc_value *const *in,
                      int nout, int nattrs, const tcc_attr *attrs) {
  tcc_value *outs[4];
  for (int k = 0; k < nout; k++) {
    char nm[64];
    snprintf(nm, sizeof nm, "%s_out%d", name, k);
    outs[k] = tcc_graph_add_value(t->g, nm, TCC_VALUE_NODE);
  }
  tcc_node *n = tcc_graph_add_node(t->g, name, op, "", nin, in, nout, outs);
  n->nattrs = nattrs;
  n->attrs = tcc_arena_alloc(tcc_ctx_arena(t->ctx), sizeof(tcc_attr) * (size_t)(nattrs + 1));
  if (nattrs > 0) memcpy(n->attrs, attrs, sizeof(tcc_attr) * (size_t)nattrs);
  return n;
}

static bool infer(tg *t) {
  return tcc_graph_resolve_ops(t->ctx, t->g) == TCC_OK && tcc_graph_infer(t->ctx, t->g) == TCC_OK;
}

/* "[N, 8, 16, 16]" of value v. */
static const char *shape_of(tg *t, const tcc_value *v) {
  char buf[256];
  size_t l = 0;
  l += (size_t)snprintf(buf + l, sizeof buf - l, "[");
  for (int i = 0; i < v->ndim; i++)
    l += (size_t)snprintf(buf + l, sizeof buf - l, "%s%s", i ? ", " : "",
                          tcc_expr_str(t->ctx, v->dims[i]));
  snprintf(buf + l, sizeof buf - l, "]");
  return tcc_arena_strdup(tcc_ctx_arena(t->ctx), buf);
}

#define CHECK_SHAPE(t, v, want)                                                                    \
  do {                                                                                             \
    const char *got_ = shape_of(t, v);                                                             \
    CHECK_MSG(!strcmp(got_, want), "got %s, expected %s", got_, want);                             \
  } while (0)

static void test_conv_symbolic_batch_same(void) {
  /* X: N x 3 x 15 x 15, W: 8 x 3 x 3 x 3, stride 2, SAME_UPPER: out = ceil(15/2) = 8 */
  tg t = tg_new(13);
  tcc_value *x = input(&t, "X", 4, (const char *[]){"N", "3", "15", "15"});
  tcc_value *w = input(&t, "W", 4, (const char *[]){"8", "3", "3", "3"});
  static const int64_t s2[] = {2, 2};
  tcc_attr at[] = {a_str("auto_pad", "SAME_UPPER"), a_ints("strides", 2, s2)};
  tcc_node *n = node(&t, "conv1", "Conv", 2, (tcc_value *[]){x, w}, 1, 2, at);
  /* MaxPool 3x3 stride 2 VALID on 8x8: out = floor((8-3)/2)+1 = 3; ceil_mode: ceil(5/2)+1 = 4 */
  static const int64_t k3[] = {3, 3};
  tcc_attr pa[] = {a_ints("kernel_shape", 2, k3), a_ints("strides", 2, s2), a_int("ceil_mode", 1)};
  tcc_node *p = node(&t, "pool1", "MaxPool", 1, &n->outputs[0], 1, 3, pa);
  tcc_node *gp = node(&t, "gap", "GlobalAveragePool", 1, &p->outputs[0], 1, 0, NULL);
  CHECK_MSG(infer(&t), "%s", tcc_error_text(t.ctx));
  CHECK_SHAPE(&t, n->outputs[0], "[N, 8, 8, 8]");
  CHECK_SHAPE(&t, p->outputs[0], "[N, 8, 4, 4]");
  CHECK_SHAPE(&t, gp->outputs[0], "[N, 8, 1, 1]");
  CHECK(n->outputs[0]->dtype == TCCRT_FLOAT32);
  tcc_context_destroy(t.ctx);
}

static void test_same_lower_symbolic_spatial(void) {
  /* symbolic spatial dims: SAME_LOWER keeps out = ceil(H / 1) = H */
  tg t = tg_new(11);
  tcc_value *x = input(&t, "X", 4, (const char *[]){"N", "4", "H", "W"});
  tcc_value *w = input(&t, "W", 4, (const char *[]){"4", "1", "3", "3"});
  tcc_attr at[] = {a_str("auto_pad", "SAME_LOWER"), a_int("group", 4)}; /* depthwise */
  tcc_node *n = node(&t, "dw", "Conv", 2, (tcc_value *[]){x, w}, 1, 2, at);
  CHECK_MSG(infer(&t), "%s", tcc_error_text(t.ctx));
  CHECK_SHAPE(&t, n->outputs[0], "[N, 4, H, W]");
  tcc_context_destroy(t.ctx);
}

static void test_ceil_mode_last_window(void) {
  /* H = 5, kernel 2, stride 2, pads 0/1, ceil_mode: ceil((5+1-2)/2)+1 = 3; the last window
   * starts at 4 < 5 + 0, so it stays. H = 4, pads 0/1: ceil(3/2)+1 = 3 but the third window
   * starts at 4 >= 4: reduced to 2 (test_maxpool_2d_ceil_output_size_reduce_by_one's rule). */
  tg t = tg_new(12);
  tcc_value *x = input(&t, "X", 4, (const char *[]){"1", "1", "5", "4"});
  static const int64_t k[] = {2, 2}, s[] = {2, 2}, pads[] = {0, 0, 1, 1};
  tcc_attr pa[] = {a_ints("kernel_shape", 2, k), a_ints("strides", 2, s), a_ints("pads", 4, pads),
                   a_int("ceil_mode", 1)};
  tcc_node *p = node(&t, "pool", "MaxPool", 1, &x, 2, 4, pa);
  CHECK_MSG(infer(&t), "%s", tcc_error_text(t.ctx));
  CHECK_SHAPE(&t, p->outputs[0], "[1, 1, 3, 2]");
  CHECK(p->outputs[1]->dtype == TCCRT_INT64); /* Indices */
  CHECK_SHAPE(&t, p->outputs[1], "[1, 1, 3, 2]");
  tcc_context_destroy(t.ctx);
}

static void test_wrong_channels_names_node(void) {
  tg t = tg_new(13);
  tcc_value *x = input(&t, "X", 4, (const char *[]){"N", "3", "8", "8"});
  tcc_value *w = input(&t, "W", 4, (const char *[]){"8", "4", "3", "3"});
  node(&t, "bad_conv", "Conv", 2, (tcc_value *[]){x, w}, 1, 0, NULL);
  CHECK(!infer(&t));
  const char *e = tcc_error_text(t.ctx);
  CHECK_MSG(strstr(e, "bad_conv") && strstr(e, "Conv") && strstr(e, "channels"), "%s", e);
  tcc_context_destroy(t.ctx);
}

static void test_kernel_too_large(void) {
  tg t = tg_new(13);
  tcc_value *x = input(&t, "X", 4, (const char *[]){"1", "1", "2", "2"});
  static const int64_t k[] = {3, 3};
  tcc_attr pa[] = {a_ints("kernel_shape", 2, k)};
  node(&t, "big_pool", "AveragePool", 1, &x, 1, 1, pa);
  CHECK(!infer(&t));
  const char *e = tcc_error_text(t.ctx);
  CHECK_MSG(strstr(e, "big_pool") && strstr(e, "output extent"), "%s", e);
  tcc_context_destroy(t.ctx);
}

static void test_gemm_matmul(void) {
  tg t = tg_new(13);
  tcc_value *a = input(&t, "A", 2, (const char *[]){"N", "64"});
  tcc_value *b = input(&t, "B", 2, (const char *[]){"10", "64"});
  tcc_value *c = input(&t, "C", 1, (const char *[]){"10"});
  tcc_attr ga[] = {a_int("transB", 1)};
  tcc_node *g = node(&t, "fc", "Gemm", 3, (tcc_value *[]){a, b, c}, 1, 1, ga);
  /* batched MatMul with broadcasting and a 1-D second operand */
  tcc_value *m1 = input(&t, "M1", 4, (const char *[]){"N", "1", "5", "7"});
  tcc_value *m2 = input(&t, "M2", 3, (const char *[]){"3", "7", "2"});
  tcc_value *v = input(&t, "V", 1, (const char *[]){"7"});
  tcc_node *mm = node(&t, "mm", "MatMul", 2, (tcc_value *[]){m1, m2}, 1, 0, NULL);
  tcc_node *mv = node(&t, "mv", "MatMul", 2, (tcc_value *[]){m1, v}, 1, 0, NULL);
  CHECK_MSG(infer(&t), "%s", tcc_error_text(t.ctx));
  CHECK_SHAPE(&t, g->outputs[0], "[N, 10]");
  CHECK_SHAPE(&t, mm->outputs[0], "[N, 3, 5, 2]");
  CHECK_SHAPE(&t, mv->outputs[0], "[N, 1, 5]");
  tcc_context_destroy(t.ctx);

  /* inner dims differ */
  t = tg_new(13);
  a = input(&t, "A", 2, (const char *[]){"4", "5"});
  b = input(&t, "B", 2, (const char *[]){"6", "3"});
  node(&t, "bad_fc", "Gemm", 2, (tcc_value *[]){a, b}, 1, 0, NULL);
  CHECK(!infer(&t));
  CHECK_MSG(strstr(tcc_error_text(t.ctx), "bad_fc"), "%s", tcc_error_text(t.ctx));
  tcc_context_destroy(t.ctx);
}

static void test_softmax_axes(void) {
  tg t = tg_new(13);
  tcc_value *x = input(&t, "X", 3, (const char *[]){"N", "4", "5"});
  tcc_attr sa[] = {a_int("axis", -2)};
  tcc_node *s = node(&t, "sm", "Softmax", 1, &x, 1, 1, sa);
  CHECK_MSG(infer(&t), "%s", tcc_error_text(t.ctx));
  CHECK_SHAPE(&t, s->outputs[0], "[N, 4, 5]");
  tcc_context_destroy(t.ctx);
  /* out-of-range axis names the node */
  t = tg_new(13);
  x = input(&t, "X", 3, (const char *[]){"N", "4", "5"});
  tcc_attr sb[] = {a_int("axis", 3)};
  node(&t, "bad_sm", "LogSoftmax", 1, &x, 1, 1, sb);
  CHECK(!infer(&t));
  CHECK_MSG(strstr(tcc_error_text(t.ctx), "bad_sm"), "%s", tcc_error_text(t.ctx));
  tcc_context_destroy(t.ctx);
}

static void test_conv_transpose(void) {
  /* in 3, stride 2, kernel 3, output_padding 1: 2*(3-1) + 1 + 3 - 0 = 8; with
   * output_shape [10, 8] the shape is taken as given. */
  tg t = tg_new(11);
  tcc_value *x = input(&t, "X", 4, (const char *[]){"N", "1", "3", "3"});
  tcc_value *w = input(&t, "W", 4, (const char *[]){"1", "2", "3", "3"});
  static const int64_t s[] = {2, 2}, op[] = {1, 1}, os[] = {10, 8};
  tcc_attr a1[] = {a_ints("strides", 2, s), a_ints("output_padding", 2, op)};
  tcc_node *n1 = node(&t, "ct1", "ConvTranspose", 2, (tcc_value *[]){x, w}, 1, 2, a1);
  tcc_attr a2[] = {a_ints("strides", 2, s), a_ints("output_shape", 2, os)};
  tcc_node *n2 = node(&t, "ct2", "ConvTranspose", 2, (tcc_value *[]){x, w}, 1, 2, a2);
  CHECK_MSG(infer(&t), "%s", tcc_error_text(t.ctx));
  CHECK_SHAPE(&t, n1->outputs[0], "[N, 2, 8, 8]");
  CHECK_SHAPE(&t, n2->outputs[0], "[N, 2, 10, 8]");
  tcc_context_destroy(t.ctx);
}

static void test_unknown_attr_and_norms(void) {
  tg t = tg_new(17);
  tcc_value *x = input(&t, "X", 3, (const char *[]){"N", "6", "8"});
  tcc_value *sc = input(&t, "S", 1, (const char *[]){"8"});
  tcc_attr la[] = {a_int("axis", -1)};
  tcc_node *ln = node(&t, "ln", "LayerNormalization", 2, (tcc_value *[]){x, sc}, 3, 1, la);
  CHECK_MSG(infer(&t), "%s", tcc_error_text(t.ctx));
  CHECK_SHAPE(&t, ln->outputs[0], "[N, 6, 8]");
  CHECK_SHAPE(&t, ln->outputs[1], "[N, 6, 1]");
  CHECK(ln->outputs[2]->dtype == TCCRT_FLOAT32);
  tcc_context_destroy(t.ctx);
  /* an attribute MaxPool-1 does not have (ceil_mode arrived in opset 10) */
  t = tg_new(7);
  x = input(&t, "X", 4, (const char *[]){"1", "1", "4", "4"});
  static const int64_t k[] = {2, 2};
  tcc_attr pa[] = {a_ints("kernel_shape", 2, k), a_int("ceil_mode", 1)};
  node(&t, "old_pool", "MaxPool", 1, &x, 1, 2, pa);
  CHECK(!infer(&t));
  CHECK_MSG(strstr(tcc_error_text(t.ctx), "ceil_mode"), "%s", tcc_error_text(t.ctx));
  tcc_context_destroy(t.ctx);
}

int main(void) {
  test_conv_symbolic_batch_same();
  test_same_lower_symbolic_spatial();
  test_ceil_mode_last_window();
  test_wrong_channels_names_node();
  test_kernel_too_large();
  test_gemm_matmul();
  test_softmax_axes();
  test_conv_transpose();
  test_unknown_attr_and_norms();
  return tcc_test_finish("test_nn_infer");
}
