/* test_nn_fp16.c — float16 computes of the NN families: Conv (with bias and padding), MaxPool,
 * AveragePool, Gemm, Softmax and LayerNormalization on float16 inputs, lowered with the default
 * CPU schedule and run by the loop-IR interpreter, against plain C references computed in double
 * from the same (float16-rounded) inputs. Accumulation is in float32, so results must match the
 * reference to float16 precision (rtol 4e-3). Random inputs are seeded (TCC_TEST_SEED). */
#include "graph_attrs.h"
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

static tcc_value *input(tg *t, const char *name, int ndim, const int64_t *dims) {
  tcc_value *v = tcc_graph_add_value(t->g, name, TCC_VALUE_INPUT);
  v->dtype = TCCRT_FLOAT16;
  v->ndim = ndim;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(t->ctx), sizeof *d * (size_t)(ndim + 1));
  for (int i = 0; i < ndim; i++)
    d[i] = tcc_idx(t->ctx, dims[i]);
  v->dims = d;
  tcc_vec_push(tcc_ctx_arena(t->ctx), &t->g->inputs, &v);
  return v;
}

/* Infers, computes, lowers and runs node n (inputs data in[], output written to out). */
static bool run(tg *t, tcc_node *n, void *const *in, void *out) {
  if (tcc_graph_resolve_ops(t->ctx, t->g) != TCC_OK || tcc_graph_infer(t->ctx, t->g) != TCC_OK) {
    fprintf(stderr, "infer: %s\n", tcc_error_text(t->ctx));
    return false;
  }
  const tcc_tensor *tin[8], *args[9];
  for (int i = 0; i < n->ninputs; i++) {
    tcc_value *v = n->inputs[i];
    tin[i] = args[i] = tcc_placeholder(t->ctx, v->name, v->dtype, v->ndim, v->dims);
  }
  tcc_compute_ctx cc = {t->ctx, t->g, n, tin};
  tcc_tensor *outs[4] = {0};
  if (n->op->compute(&cc, outs) != TCC_OK) {
    fprintf(stderr, "compute: %s\n", tcc_error_text(t->ctx));
    return false;
  }
  if (outs[0]->dtype != TCCRT_FLOAT16) {
    fprintf(stderr, "output dtype %s\n", tccrt_dtype_name(outs[0]->dtype));
    return false;
  }
  args[n->ninputs] = outs[0];
  tcc_schedule *s = tcc_schedule_create(t->ctx, 1, (const tcc_tensor *const *)outs);
  tcc_primfunc *fn;
  if (tcc_schedule_auto_cpu(t->ctx, s, outs[0]) != TCC_OK ||
      tcc_lower(t->ctx, s, "k", n->ninputs + 1, args, &fn) != TCC_OK) {
    fprintf(stderr, "schedule/lower: %s\n", tcc_error_text(t->ctx));
    return false;
  }
  void *bufs[9];
  for (int i = 0; i < n->ninputs; i++)
    bufs[i] = in[i];
  bufs[n->ninputs] = out;
  if (tcc_interp_run(t->ctx, fn, bufs, NULL) != TCC_OK) {
    fprintf(stderr, "interp: %s\n", tcc_error_text(t->ctx));
    return false;
  }
  return true;
}

/* Random float16 data in [lo, hi); also returns the values as double. */
static uint16_t *rand_h(int64_t n, double lo, double hi, double **as_double) {
  uint16_t *h = malloc(sizeof *h * (size_t)n);
  double *d = malloc(sizeof *d * (size_t)n);
  for (int64_t i = 0; i < n; i++) {
    h[i] = tcc_f32_to_f16((float)tcc_test_uniform(lo, hi));
    d[i] = tcc_f16_to_f32(h[i]);
  }
  *as_double = d;
  return h;
}

static int check_out(const char *what, const uint16_t *got, const double *want, int64_t n) {
  int bad = 0;
  for (int64_t i = 0; i < n; i++) {
    double g = tcc_f16_to_f32(got[i]);
    if (!tcc_test_close(g, want[i], 4e-3, 2e-3)) {
      if (bad++ < 3) CHECK_MSG(false, "%s[%lld] = %g, expected %g", what, (long long)i, g, want[i]);
    }
  }
  CHECK(bad == 0);
  return bad;
}

static void test_conv_pool(void) {
  /* Conv: X 1x3x6x5, W 4x3x3x3, B 4, pads 1, stride 1 -> 1x4x6x5 */
  tg t = tg_new(13);
  tcc_value *x = input(&t, "X", 4, (const int64_t[]){1, 3, 6, 5});
  tcc_value *w = input(&t, "W", 4, (const int64_t[]){4, 3, 3, 3});
  tcc_value *b = input(&t, "B", 1, (const int64_t[]){4});
  static const int64_t pads[] = {1, 1, 1, 1};
  tcc_attr at[] = {a_ints("pads", 4, pads)};
  tcc_value *y = tcc_graph_add_value(t.g, "Y", TCC_VALUE_NODE);
  tcc_node *n = tcc_graph_add_node(t.g, "conv", "Conv", "", 3, (tcc_value *[]){x, w, b}, 1, &y);
  n->nattrs = 1;
  n->attrs = at;
  double *X, *Wd, *Bd;
  uint16_t *xh = rand_h(90, -1, 1, &X), *wh = rand_h(108, -1, 1, &Wd), *bh = rand_h(4, -1, 1, &Bd);
  uint16_t out[120];
  void *in[3] = {xh, wh, bh};
  CHECK(run(&t, n, in, out));
  double ref[120];
  for (int m = 0; m < 4; m++)
    for (int oh = 0; oh < 6; oh++)
      for (int ow = 0; ow < 5; ow++) {
        double acc = Bd[m];
        for (int c = 0; c < 3; c++)
          for (int kh = 0; kh < 3; kh++)
            for (int kw = 0; kw < 3; kw++) {
              int ih = oh + kh - 1, iw = ow + kw - 1;
              if (ih < 0 || ih >= 6 || iw < 0 || iw >= 5) continue;
              acc += X[(c * 6 + ih) * 5 + iw] * Wd[((m * 3 + c) * 3 + kh) * 3 + kw];
            }
        ref[(m * 6 + oh) * 5 + ow] = acc;
      }
  check_out("conv", out, ref, 120);
  tcc_context_destroy(t.ctx);

  /* MaxPool and AveragePool 2x2 stride 2 on 1x3x6x5 (ceil_mode: 3x3) */
  for (int avg = 0; avg < 2; avg++) {
    t = tg_new(13);
    x = input(&t, "X", 4, (const int64_t[]){1, 3, 6, 5});
    static const int64_t k2[] = {2, 2};
    tcc_attr pa[3] = {a_ints("kernel_shape", 2, k2), a_ints("strides", 2, k2), {0}};
    pa[2].name = "ceil_mode";
    pa[2].kind = TCC_ATTR_INT;
    pa[2].u.i = 1;
    y = tcc_graph_add_value(t.g, "Y", TCC_VALUE_NODE);
    n = tcc_graph_add_node(t.g, "pool", avg ? "AveragePool" : "MaxPool", "", 1, &x, 1, &y);
    n->nattrs = 3;
    n->attrs = pa;
    uint16_t pout[27];
    void *pin[1] = {xh};
    CHECK(run(&t, n, pin, pout));
    double pref[27];
    for (int c = 0; c < 3; c++)
      for (int oh = 0; oh < 3; oh++)
        for (int ow = 0; ow < 3; ow++) {
          double m = -INFINITY, s = 0;
          int cnt = 0;
          for (int kh = 0; kh < 2; kh++)
            for (int kw = 0; kw < 2; kw++) {
              int ih = oh * 2 + kh, iw = ow * 2 + kw;
              if (ih >= 6 || iw >= 5) continue;
              double v = X[(c * 6 + ih) * 5 + iw];
              m = fmax(m, v);
              s += v;
              cnt++;
            }
          pref[(c * 3 + oh) * 3 + ow] = avg ? s / cnt : m;
        }
    check_out(avg ? "avgpool" : "maxpool", pout, pref, 27);
    tcc_context_destroy(t.ctx);
  }
  free(X), free(Wd), free(Bd), free(xh), free(wh), free(bh);
}

static void test_gemm_softmax_layernorm(void) {
  /* Gemm: A 3x20, B 5x20 (transB), C 5 */
  tg t = tg_new(13);
  tcc_value *a = input(&t, "A", 2, (const int64_t[]){3, 20});
  tcc_value *b = input(&t, "B", 2, (const int64_t[]){5, 20});
  tcc_value *c = input(&t, "C", 1, (const int64_t[]){5});
  tcc_attr ga[1] = {{0}};
  ga[0].name = "transB";
  ga[0].kind = TCC_ATTR_INT;
  ga[0].u.i = 1;
  tcc_value *y = tcc_graph_add_value(t.g, "Y", TCC_VALUE_NODE);
  tcc_node *n = tcc_graph_add_node(t.g, "gemm", "Gemm", "", 3, (tcc_value *[]){a, b, c}, 1, &y);
  n->nattrs = 1;
  n->attrs = ga;
  double *A, *B, *C;
  uint16_t *ah = rand_h(60, -1, 1, &A), *bh = rand_h(100, -1, 1, &B), *ch = rand_h(5, -1, 1, &C);
  uint16_t out[15];
  CHECK(run(&t, n, (void *[]){ah, bh, ch}, out));
  double ref[15];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 5; j++) {
      double s = C[j];
      for (int k = 0; k < 20; k++)
        s += A[i * 20 + k] * B[j * 20 + k];
      ref[i * 5 + j] = s;
    }
  check_out("gemm", out, ref, 15);
  tcc_context_destroy(t.ctx);

  /* Softmax (axis -1) and LayerNormalization (axis -1, no bias) over 3x20 */
  for (int ln = 0; ln < 2; ln++) {
    t = tg_new(ln ? 17 : 13);
    a = input(&t, "X", 2, (const int64_t[]){3, 20});
    tcc_value *s = ln ? input(&t, "S", 1, (const int64_t[]){20}) : NULL;
    y = tcc_graph_add_value(t.g, "Y", TCC_VALUE_NODE);
    n = tcc_graph_add_node(t.g, "op", ln ? "LayerNormalization" : "Softmax", "", ln ? 2 : 1,
                           (tcc_value *[]){a, s}, 1, &y);
    double *S = NULL;
    uint16_t *sh = ln ? rand_h(20, 0.5, 1.5, &S) : NULL;
    uint16_t sout[60];
    CHECK(run(&t, n, (void *[]){ah, sh}, sout));
    double sref[60];
    for (int i = 0; i < 3; i++) {
      double mx = -INFINITY, sum = 0, mean = 0, var = 0;
      for (int j = 0; j < 20; j++)
        mx = fmax(mx, A[i * 20 + j]), mean += A[i * 20 + j] / 20;
      for (int j = 0; j < 20; j++) {
        sum += exp(A[i * 20 + j] - mx);
        var += (A[i * 20 + j] - mean) * (A[i * 20 + j] - mean) / 20;
      }
      for (int j = 0; j < 20; j++)
        sref[i * 20 + j] =
            ln ? (A[i * 20 + j] - mean) / sqrt(var + 1e-5) * S[j] : exp(A[i * 20 + j] - mx) / sum;
    }
    check_out(ln ? "layernorm" : "softmax", sout, sref, 60);
    free(S), free(sh);
    tcc_context_destroy(t.ctx);
  }
  free(A), free(B), free(C), free(ah), free(bh), free(ch);
}

int main(void) {
  tcc_test_seed("test_nn_fp16");
  test_conv_pool();
  test_gemm_softmax_layernorm();
  return tcc_test_finish("test_nn_fp16");
}
