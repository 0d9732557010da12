/* test_nn_robust.c — bad and odd input must never crash the NN op families.
 *
 * Builds thousands of random single-node graphs for every registered op of conv.c, pool.c,
 * matmul.c, norm.c, softmax.c, quant.c and resize.c: random input counts, dtypes, ranks (0..5),
 * extents (0..3, sometimes a symbol), constant inputs and random attribute values of the schema's
 * kinds. Inference must return TCC_OK or TCC_ERR with a message naming the node; when it
 * succeeds with constant shapes, the compute must succeed or fail cleanly, and the reference TE
 * evaluator must be able to evaluate every output on random data without an out-of-bounds read
 * (which would be a wild read in generated code). Seeded (TCC_TEST_SEED); TCC_NN_ROBUST_ITERS
 * sets the number of graphs (default 20000). */
#include "ops/op.h"
#include "te_eval.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static const char *const families[] = {"Conv",
                                       "ConvTranspose",
                                       "ConvInteger",
                                       "QLinearConv",
                                       "DeformConv",
                                       "Col2Im",
                                       "CausalConvWithState",
                                       "MaxPool",
                                       "AveragePool",
                                       "GlobalAveragePool",
                                       "GlobalMaxPool",
                                       "LpPool",
                                       "MatMul",
                                       "Gemm",
                                       "Einsum",
                                       "MatMulInteger",
                                       "QLinearMatMul",
                                       "Attention",
                                       "RotaryEmbedding",
                                       "LinearAttention",
                                       "RNN",
                                       "GRU",
                                       "LSTM",
                                       "BatchNormalization",
                                       "InstanceNormalization",
                                       "LayerNormalization",
                                       "GroupNormalization",
                                       "LRN",
                                       "MeanVarianceNormalization",
                                       "RMSNormalization",
                                       "LpNormalization",
                                       "Softmax",
                                       "LogSoftmax",
                                       "Hardmax",
                                       "NegativeLogLikelihoodLoss",
                                       "SoftmaxCrossEntropyLoss",
                                       "QuantizeLinear",
                                       "DequantizeLinear",
                                       "DynamicQuantizeLinear",
                                       "Resize",
                                       "Upsample",
                                       "GridSample",
                                       "AffineGrid",
                                       "RoiAlign",
                                       "MaxUnpool",
                                       NULL};

static int n_inferred, n_computed, n_evaluated;

static bool ours(const char *name) {
  for (int i = 0; families[i]; i++)
    if (!strcmp(families[i], name)) return true;
  return false;
}

static const tccrt_dtype dtypes[] = {TCCRT_FLOAT32, TCCRT_FLOAT32, TCCRT_FLOAT32, TCCRT_FLOAT16,
                                     TCCRT_FLOAT64, TCCRT_INT8,    TCCRT_UINT8,   TCCRT_INT32,
                                     TCCRT_INT64,   TCCRT_INT64,   TCCRT_BOOL};
static const char *const strs[] = {"NOTSET",
                                   "SAME_UPPER",
                                   "SAME_LOWER",
                                   "VALID",
                                   "linear",
                                   "nearest",
                                   "cubic",
                                   "bilinear",
                                   "mean",
                                   "sum",
                                   "none",
                                   "zeros",
                                   "border",
                                   "reflection",
                                   "half_pixel",
                                   "align_corners",
                                   "asymmetric",
                                   "tf_crop_and_resize",
                                   "pytorch_half_pixel",
                                   "round_prefer_ceil",
                                   "floor",
                                   "forward",
                                   "reverse",
                                   "bidirectional",
                                   "silu",
                                   "gated_delta",
                                   "delta",
                                   "gated",
                                   "not_larger",
                                   "ij,jk->ik",
                                   "...ij,...jk",
                                   "ii->i",
                                   "ab,,c",
                                   "a.b",
                                   "",
                                   "bad"};
static const char *const acts[] = {"Sigmoid", "Tanh", "Relu", "Affine", "HardSigmoid", "Bogus"};

static void *rand_data(tcc_context *ctx, tccrt_dtype dt, int64_t n) {
  size_t es = tccrt_dtype_size(dt);
  uint8_t *d = tcc_arena_alloc(tcc_ctx_arena(ctx), es * (size_t)(n > 0 ? n : 1));
  for (int64_t i = 0; i < n; i++) {
    int64_t v = tcc_test_randint(-2, 4);
    switch (dt) {
    case TCCRT_FLOAT32: ((float *)d)[i] = (float)tcc_test_uniform(-2, 2); break;
    case TCCRT_FLOAT64: ((double *)d)[i] = tcc_test_uniform(-2, 2); break;
    case TCCRT_FLOAT16: ((_Float16 *)d)[i] = (_Float16)tcc_test_uniform(-2, 2); break;
    case TCCRT_INT8: ((int8_t *)d)[i] = (int8_t)v; break;
    case TCCRT_UINT8:
    case TCCRT_BOOL: ((uint8_t *)d)[i] = (uint8_t)(v < 0 ? 0 : dt == TCCRT_BOOL ? v & 1 : v); break;
    case TCCRT_INT32: ((int32_t *)d)[i] = (int32_t)v; break;
    default: ((int64_t *)d)[i] = v; break;
    }
  }
  return d;
}

static void one(const tcc_op *op, int iter) {
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = tcc_graph_new(ctx, "r", NULL);
  g->nopsets = 1;
  g->opsets = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *g->opsets);
  g->opsets[0].domain = "";
  g->opsets[0].version = op->since_version;
  int maxi = op->max_inputs < 0 ? op->min_inputs + 3 : op->max_inputs;
  int nin = (int)tcc_test_randint(op->min_inputs, maxi);
  tcc_value *in[12];
  if (nin > 12) nin = 12;
  bool const_shapes = true;
  /* half of the graphs are "coherent": float32 everywhere, the first input of rank 2..4 and the
   * others of rank 0, 1 or the same rank, so that more of them pass inference */
  bool coherent = tcc_test_randint(0, 1) == 1;
  int rank0 = (int)tcc_test_randint(2, 4);
  for (int k = 0; k < nin && k < 12; k++) {
    if (k >= op->min_inputs && tcc_test_randint(0, 3) == 0) {
      in[k] = NULL; /* omitted optional input */
      continue;
    }
    bool is_const = tcc_test_randint(0, 3) == 0;
    char nm[16];
    snprintf(nm, sizeof nm, "x%d", k);
    tcc_value *v = tcc_graph_add_value(g, nm, is_const ? TCC_VALUE_CONST : TCC_VALUE_INPUT);
    v->dtype =
        coherent ? TCCRT_FLOAT32 : dtypes[tcc_test_randint(0, (int64_t)TCC_ARRAY_SIZE(dtypes) - 1)];
    if (coherent) {
      int64_t r = tcc_test_randint(0, 2);
      v->ndim = k == 0 ? rank0 : r == 0 ? 0 : r == 1 ? 1 : rank0;
    } else {
      v->ndim = (int)tcc_test_randint(0, 5);
    }
    const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d * 8);
    int64_t numel = 1;
    for (int i = 0; i < v->ndim; i++) {
      int64_t e = !coherent && tcc_test_randint(0, 12) == 0 ? 0 : tcc_test_randint(1, 3);
      if (!is_const && tcc_test_randint(0, 10) == 0) {
        d[i] = tcc_expr_var(ctx, tcc_graph_symbol(g, "N"));
        const_shapes = false;
      } else {
        d[i] = tcc_idx(ctx, e);
        numel *= e;
      }
    }
    v->dims = d;
    if (is_const) {
      v->data = rand_data(ctx, v->dtype, numel);
      v->nbytes = tccrt_dtype_size(v->dtype) * (size_t)numel;
    } else {
      tcc_vec_push(tcc_ctx_arena(ctx), &g->inputs, &v);
    }
    in[k] = v;
  }
  int nout = (int)tcc_test_randint(op->min_outputs, op->max_outputs);
  tcc_value *out[8];
  if (nout > 8) nout = 8;
  for (int k = 0; k < nout; k++)
    out[k] = tcc_graph_add_value(g, "y", TCC_VALUE_NODE);
  tcc_node *n = tcc_graph_add_node(g, "victim", op->name, "", nin, in, nout, out);
  /* attributes */
  int na = 0;
  tcc_attr *attrs = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_attr) * 16);
  for (const tcc_attr_schema *s = op->attrs; s && s->name && na < 16; s++) {
    if (!s->required && tcc_test_randint(0, 1)) continue;
    tcc_attr *a = &attrs[na++];
    a->name = s->name;
    a->kind = s->kind;
    switch (s->kind) {
    case TCC_ATTR_INT: a->u.i = tcc_test_randint(-3, 4); break;
    case TCC_ATTR_FLOAT: a->u.f = tcc_test_uniform(-1, 2); break;
    case TCC_ATTR_STRING:
      a->u.s = strs[tcc_test_randint(0, (int64_t)TCC_ARRAY_SIZE(strs) - 1)];
      a->slen = strlen(a->u.s);
      break;
    case TCC_ATTR_INTS: {
      int c = (int)tcc_test_randint(0, 6);
      int64_t *v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * 8);
      for (int i = 0; i < c; i++)
        v[i] = tcc_test_randint(-2, 4);
      a->u.ints.n = c;
      a->u.ints.v = v;
      break;
    }
    case TCC_ATTR_FLOATS: {
      int c = (int)tcc_test_randint(0, 4);
      float *v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * 4);
      for (int i = 0; i < c; i++)
        v[i] = (float)tcc_test_uniform(0, 2);
      a->u.floats.n = c;
      a->u.floats.v = v;
      break;
    }
    case TCC_ATTR_STRINGS: {
      int c = (int)tcc_test_randint(0, 3);
      const char **v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * 3);
      for (int i = 0; i < c; i++)
        v[i] = acts[tcc_test_randint(0, (int64_t)TCC_ARRAY_SIZE(acts) - 1)];
      a->u.strings.n = c;
      a->u.strings.v = v;
      break;
    }
    default: na--; break;
    }
  }
  n->nattrs = na;
  n->attrs = attrs;
  tcc_status st = tcc_graph_resolve_ops(ctx, g);
  if (st == TCC_OK) st = tcc_graph_infer(ctx, g);
  if (st != TCC_OK) {
    CHECK_MSG(strstr(tcc_error_text(ctx), "victim") != NULL,
              "iteration %d (%s opset %d, %d inputs, %d outputs, %d attrs): error without the "
              "node: '%s'",
              iter, op->name, op->since_version, nin, nout, na, tcc_error_text(ctx));
    tcc_context_destroy(ctx);
    return;
  }
  n_inferred++;
  bool outs_const = true;
  for (int k = 0; k < nout; k++)
    if (!out[k] || out[k]->ndim < 0 || !tcc_value_shape_known(out[k]) ||
        tcc_value_numel(out[k]) > 4096)
      outs_const = false;
  if (!n->op->compute || !const_shapes || !outs_const) {
    tcc_context_destroy(ctx);
    return;
  }
  const tcc_tensor *tin[12];
  te_eval *ev = te_eval_new(ctx);
  for (int k = 0; k < nin; k++) {
    tin[k] = NULL;
    if (!in[k]) continue;
    tcc_tensor *t = tcc_placeholder(ctx, in[k]->name, in[k]->dtype, in[k]->ndim, in[k]->dims);
    if (in[k]->kind == TCC_VALUE_CONST)
      t->const_data = in[k]->data;
    else
      te_eval_bind(ev, t, rand_data(ctx, in[k]->dtype, tcc_value_numel(in[k])));
    tin[k] = t;
  }
  tcc_compute_ctx cc = {ctx, g, n, tin};
  tcc_tensor *outs[8] = {0};
  if (n->op->compute(&cc, outs) == TCC_OK) {
    n_computed++;
    for (int k = 0; k < nout; k++) {
      if (!outs[k]) continue;
      CHECK_MSG(outs[k]->dtype == out[k]->dtype,
                "iteration %d (%s): output %d dtype %s, inferred %s", iter, op->name, k,
                tccrt_dtype_name(outs[k]->dtype), tccrt_dtype_name(out[k]->dtype));
      const te_val *vals;
      int64_t cnt;
      char err[512];
      bool ok = te_eval_tensor(ev, outs[k], &vals, &cnt, err, sizeof err);
      /* integer division by zero on random data is the data's fault, not a wild read */
      CHECK_MSG(ok || strstr(err, "division by zero"), "iteration %d (%s opset %d): output %d: %s",
                iter, op->name, op->since_version, k, err);
      if (ok) {
        n_evaluated++;
        CHECK(cnt == tcc_value_numel(out[k]));
      }
    }
  } else {
    CHECK_MSG(strstr(tcc_error_text(ctx), "victim") != NULL, "iteration %d (%s): %s", iter,
              op->name, tcc_error_text(ctx));
  }
  te_eval_free(ev);
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_nn_robust");
  int iters = getenv("TCC_NN_ROBUST_ITERS") ? atoi(getenv("TCC_NN_ROBUST_ITERS")) : 20000;
  const tcc_op *mine[256];
  int nm = 0;
  for (int i = 0; i < tcc_op_count() && nm < 256; i++)
    if (ours(tcc_op_at(i)->name)) mine[nm++] = tcc_op_at(i);
  CHECK(nm > 80);
  for (int it = 0; it < iters; it++)
    one(mine[tcc_test_randint(0, nm - 1)], it);
  printf("%d graphs: %d inferred, %d computed, %d outputs evaluated\n", iters, n_inferred,
         n_computed, n_evaluated);
  return tcc_test_finish("test_nn_robust");
}
