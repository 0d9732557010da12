/* test_nn_symbolic.c — NN computes over symbolic shapes: Conv (grouped, strided, SAME_UPPER, with
 * bias; pads are expressions of the symbolic H and W), MaxPool (ceil_mode with its last-window
 * rule as a select over the symbols) and Softmax, built on a graph whose input is N x C x H x W
 * with symbols, lowered once with the default CPU schedule (the symbols become scalar params) and
 * run by the loop-IR interpreter for several bindings. Each result is checked against a plain C
 * reference written here from the ONNX spec formulas. Random inputs are seeded (TCC_TEST_SEED). */
#include "interp.h"
#include "ops/op.h"
#include "schedule.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct tg {
  tcc_context *ctx;
  tcc_graph *g;
  const tcc_var *N, *H, *W;
} tg;

static tg tg_new(int64_t opset) {
  tg t;
  t.ctx = tcc_context_create();
  t.g = tcc_graph_new(t.ctx, "t", NULL);
  t.g->nopsets = 1;
  t.g->opsets = tcc_arena_alloc(tcc_ctx_arena(t.ctx), sizeof *t.g->opsets);
  t.g->opsets[0].domain = "";
  t.g->opsets[0].version = opset;
  t.N = tcc_graph_symbol(t.g, "N");
  t.H = tcc_graph_symbol(t.g, "H");
  t.W = tcc_graph_symbol(t.g, "W");
  return t;
}

static tcc_value *value(tg *t, const char *name, tcc_value_kind kind, int ndim,
                        const tcc_expr *const *dims) {
  tcc_value *v = tcc_graph_add_value(t->g, name, kind);
  v->dtype = TCCRT_FLOAT32;
  v->ndim = ndim;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(t->ctx), sizeof *d * (size_t)(ndim + 1));
  memcpy(d, dims, sizeof *d * (size_t)ndim);
  v->dims = d;
  if (kind == TCC_VALUE_INPUT) tcc_vec_push(tcc_ctx_arena(t->ctx), &t->g->inputs, &v);
  return v;
}

static tcc_node *node(tg *t, const char *op, int nin, tcc_value *const *in, int nattrs,
                      const tcc_attr *attrs) {
  tcc_value *out = tcc_graph_add_value(t->g, "y", TCC_VALUE_NODE);
  tcc_node *n = tcc_graph_add_node(t->g, op, op, "", nin, in, 1, &out);
  n->nattrs = nattrs;
  n->attrs = tcc_arena_alloc(tcc_ctx_arena(t->ctx), sizeof(tcc_attr) * (size_t)(nattrs + 1));
  if (nattrs > 0) memcpy(n->attrs, attrs, sizeof(tcc_attr) * (size_t)nattrs);
  return n;
}

/* Computes node n on placeholders of its inputs' (symbolic) shapes, lowers with the default CPU
 * schedule and returns the PrimFunc; params are the inputs in order, then the output. */
static tcc_primfunc *build(tg *t, tcc_node *n, const tcc_tensor **out) {
  if (tcc_graph_resolve_ops(t->ctx, t->g) != TCC_OK || tcc_graph_infer(t->ctx, t->g) != TCC_OK) {
    fprintf(stderr, "infer: %s\n", tcc_error_text(t->ctx));
    return NULL;
  }
  const tcc_tensor *in[4];
  const tcc_tensor *args[5];
  for (int i = 0; i < n->ninputs; i++) {
    tcc_value *v = n->inputs[i];
    in[i] = args[i] = tcc_placeholder(t->ctx, v->name, v->dtype, v->ndim, v->dims);
  }
  tcc_compute_ctx cc = {t->ctx, t->g, n, in};
  tcc_tensor *outs[2] = {0};
  if (n->op->compute(&cc, outs) != TCC_OK) {
    fprintf(stderr, "compute: %s\n", tcc_error_text(t->ctx));
    return NULL;
  }
  args[n->ninputs] = outs[0];
  *out = outs[0];
  tcc_schedule *s = tcc_schedule_create(t->ctx, 1, (const tcc_tensor *const *)outs);
  if (tcc_schedule_auto_cpu(t->ctx, s, outs[0]) != TCC_OK) {
    fprintf(stderr, "schedule: %s\n", tcc_error_text(t->ctx));
    return NULL;
  }
  tcc_primfunc *fn;
  if (tcc_lower(t->ctx, s, "k", n->ninputs + 1, args, &fn) != TCC_OK) {
    fprintf(stderr, "lower: %s\n", tcc_error_text(t->ctx));
    return NULL;
  }
  return fn;
}

/* Scalar values for fn's symbolic params from the binding N, H, W. */
static bool bind_scalars(tg *t, const tcc_primfunc *fn, int64_t N, int64_t H, int64_t W,
                         int64_t *sc) {
  for (int i = 0; i < fn->nscalars; i++) {
    const tcc_var *v = fn->scalars[i];
    if (v == t->N)
      sc[i] = N;
    else if (v == t->H)
      sc[i] = H;
    else if (v == t->W)
      sc[i] = W;
    else
      return false;
  }
  return true;
}

static void fill(float *p, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    p[i] = (float)tcc_test_uniform(-1, 1);
}

static void test_conv(void) {
  /* X: N x 4 x H x W, W: 6 x 2 x 3 x 3 (group 2), B: 6, stride 2, SAME_UPPER */
  tg t = tg_new(13);
  const tcc_expr *xd[4] = {tcc_expr_var(t.ctx, t.N), tcc_idx(t.ctx, 4), tcc_expr_var(t.ctx, t.H),
                           tcc_expr_var(t.ctx, t.W)};
  const tcc_expr *wd[4] = {tcc_idx(t.ctx, 6), tcc_idx(t.ctx, 2), tcc_idx(t.ctx, 3),
                           tcc_idx(t.ctx, 3)};
  const tcc_expr *bd[1] = {tcc_idx(t.ctx, 6)};
  tcc_value *x = value(&t, "X", TCC_VALUE_INPUT, 4, xd);
  tcc_value *w = value(&t, "Wt", TCC_VALUE_INPUT, 4, wd);
  tcc_value *b = value(&t, "B", TCC_VALUE_INPUT, 1, bd);
  static const int64_t s2[] = {2, 2};
  tcc_attr at[3] = {{0}};
  at[0].name = "auto_pad";
  at[0].kind = TCC_ATTR_STRING;
  at[0].u.s = "SAME_UPPER";
  at[0].slen = 10;
  at[1].name = "strides";
  at[1].kind = TCC_ATTR_INTS;
  at[1].u.ints.n = 2;
  at[1].u.ints.v = s2;
  at[2].name = "group";
  at[2].kind = TCC_ATTR_INT;
  at[2].u.i = 2;
  tcc_node *n = node(&t, "Conv", 3, (tcc_value *[]){x, w, b}, 3, at);
  const tcc_tensor *y;
  tcc_primfunc *fn = build(&t, n, &y);
  CHECK(fn != NULL);
  if (!fn) goto out;
  CHECK_MSG(fn->nscalars == 3, "%d scalar params", fn->nscalars);
  static const int64_t bindings[][3] = {{1, 7, 6}, {2, 5, 5}, {3, 8, 1}};
  for (size_t bi = 0; bi < TCC_ARRAY_SIZE(bindings); bi++) {
    int64_t N = bindings[bi][0], H = bindings[bi][1], W = bindings[bi][2];
    int64_t OH = (H + 1) / 2, OW = (W + 1) / 2;
    int64_t ph = ((OH - 1) * 2 + 3 - H) / 2, pw = ((OW - 1) * 2 + 3 - W) / 2;
    if (ph < 0) ph = 0;
    if (pw < 0) pw = 0;
    float *X = malloc(sizeof(float) * (size_t)(N * 4 * H * W)), Wt[6 * 2 * 9], B[6];
    float *Y = malloc(sizeof(float) * (size_t)(N * 6 * OH * OW));
    fill(X, N * 4 * H * W);
    fill(Wt, 6 * 2 * 9);
    fill(B, 6);
    int64_t sc[3];
    CHECK(bind_scalars(&t, fn, N, H, W, sc));
    void *bufs[4] = {X, Wt, B, Y};
    tcc_status st = tcc_interp_run(t.ctx, fn, bufs, sc);
    CHECK_MSG(st == TCC_OK, "%s", tcc_error_text(t.ctx));
    int bad = 0;
    for (int64_t nn = 0; nn < N && st == TCC_OK; nn++)
      for (int64_t m = 0; m < 6; m++)
        for (int64_t oh = 0; oh < OH; oh++)
          for (int64_t ow = 0; ow < OW; ow++) {
            double acc = B[m];
            int64_t g = m / 3;
            for (int64_t c = 0; c < 2; c++)
              for (int64_t kh = 0; kh < 3; kh++)
                for (int64_t kw = 0; kw < 3; kw++) {
                  int64_t ih = oh * 2 + kh - ph, iw = ow * 2 + kw - pw;
                  if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                  acc += (double)X[((nn * 4 + g * 2 + c) * H + ih) * W + iw] *
                         Wt[((m * 2 + c) * 3 + kh) * 3 + kw];
                }
            float got = Y[((nn * 6 + m) * OH + oh) * OW + ow];
            if (!tcc_test_close(got, acc, 1e-4, 1e-5) && bad++ < 3)
              CHECK_MSG(false, "N=%lld H=%lld W=%lld y[%lld,%lld,%lld,%lld] = %g, expected %g",
                        (long long)N, (long long)H, (long long)W, (long long)nn, (long long)m,
                        (long long)oh, (long long)ow, got, acc);
          }
    free(X);
    free(Y);
  }
out:
  tcc_context_destroy(t.ctx);
}

static void test_maxpool_ceil(void) {
  /* X: N x 2 x H x W, kernel 2, stride 2, pads 0/0/1/1, ceil_mode */
  tg t = tg_new(12);
  const tcc_expr *xd[4] = {tcc_expr_var(t.ctx, t.N), tcc_idx(t.ctx, 2), tcc_expr_var(t.ctx, t.H),
                           tcc_expr_var(t.ctx, t.W)};
  tcc_value *x = value(&t, "X", TCC_VALUE_INPUT, 4, xd);
  static const int64_t k2[] = {2, 2}, pads[] = {0, 0, 1, 1};
  tcc_attr at[4] = {{0}};
  at[0].name = "kernel_shape";
  at[0].kind = TCC_ATTR_INTS;
  at[0].u.ints.n = 2;
  at[0].u.ints.v = k2;
  at[1].name = "strides";
  at[1].kind = TCC_ATTR_INTS;
  at[1].u.ints.n = 2;
  at[1].u.ints.v = k2;
  at[2].name = "pads";
  at[2].kind = TCC_ATTR_INTS;
  at[2].u.ints.n = 4;
  at[2].u.ints.v = pads;
  at[3].name = "ceil_mode";
  at[3].kind = TCC_ATTR_INT;
  at[3].u.i = 1;
  tcc_node *n = node(&t, "MaxPool", 1, &x, 4, at);
  const tcc_tensor *y;
  tcc_primfunc *fn = build(&t, n, &y);
  CHECK(fn != NULL);
  if (!fn) goto out;
  static const int64_t bindings[][3] = {{1, 5, 4}, {2, 4, 7}, {1, 6, 6}};
  for (size_t bi = 0; bi < TCC_ARRAY_SIZE(bindings); bi++) {
    int64_t N = bindings[bi][0], H = bindings[bi][1], W = bindings[bi][2];
    /* ceil((in + 1 - 2) / 2) + 1, minus one when the last window starts at >= in */
    int64_t OH = (H - 1 + 1) / 2 + 1, OW = (W - 1 + 1) / 2 + 1;
    if ((OH - 1) * 2 >= H) OH--;
    if ((OW - 1) * 2 >= W) OW--;
    float *X = malloc(sizeof(float) * (size_t)(N * 2 * H * W));
    float *Y = malloc(sizeof(float) * (size_t)(N * 2 * OH * OW));
    fill(X, N * 2 * H * W);
    int64_t sc[3];
    CHECK(bind_scalars(&t, fn, N, H, W, sc));
    void *bufs[2] = {X, Y};
    tcc_status st = tcc_interp_run(t.ctx, fn, bufs, sc);
    CHECK_MSG(st == TCC_OK, "%s", tcc_error_text(t.ctx));
    for (int64_t i = 0; i < N * 2 && st == TCC_OK; i++)
      for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++) {
          float m = -INFINITY;
          for (int64_t kh = 0; kh < 2; kh++)
            for (int64_t kw = 0; kw < 2; kw++) {
              int64_t ih = oh * 2 + kh, iw = ow * 2 + kw;
              if (ih < H && iw < W && X[(i * H + ih) * W + iw] > m) m = X[(i * H + ih) * W + iw];
            }
          CHECK(Y[(i * OH + oh) * OW + ow] == m);
        }
    free(X);
    free(Y);
  }
out:
  tcc_context_destroy(t.ctx);
}

static void test_softmax(void) {
  tg t = tg_new(13);
  const tcc_expr *xd[2] = {tcc_expr_var(t.ctx, t.N), tcc_expr_var(t.ctx, t.W)};
  tcc_value *x = value(&t, "X", TCC_VALUE_INPUT, 2, xd);
  tcc_node *n = node(&t, "Softmax", 1, &x, 0, NULL);
  const tcc_tensor *y;
  tcc_primfunc *fn = build(&t, n, &y);
  CHECK(fn != NULL);
  if (!fn) goto out;
  int64_t N = 3, W = 37;
  float X[3 * 37], Y[3 * 37];
  fill(X, N * W);
  X[5] = 80; /* large values must not overflow (max subtracted) */
  int64_t sc[3];
  CHECK(bind_scalars(&t, fn, N, 1, W, sc));
  void *bufs[2] = {X, Y};
  CHECK_MSG(tcc_interp_run(t.ctx, fn, bufs, sc) == TCC_OK, "%s", tcc_error_text(t.ctx));
  for (int64_t i = 0; i < N; i++) {
    double mx = -INFINITY, s = 0;
    for (int64_t j = 0; j < W; j++)
      mx = fmax(mx, X[i * W + j]);
    for (int64_t j = 0; j < W; j++)
      s += exp(X[i * W + j] - mx);
    for (int64_t j = 0; j < W; j++)
      CHECK(tcc_test_close(Y[i * W + j], exp(X[i * W + j] - mx) / s, 1e-5, 1e-7));
  }
out:
  tcc_context_destroy(t.ctx);
}

int main(void) {
  tcc_test_seed("test_nn_symbolic");
  test_conv();
  test_maxpool_ceil();
  test_softmax();
  return tcc_test_finish("test_nn_symbolic");
}
