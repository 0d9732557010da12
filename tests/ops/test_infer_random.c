/* test_infer_random.c — robustness of inference and computes on malformed and unusual nodes.
 *
 * For every op of the elementwise, binary, reduce, tensor and shape families, builds random
 * single-node graphs: random input counts (sometimes outside the op's range), dtypes, ranks
 * 0-4 with constant or symbolic dims (zero-size included), small int64 constants as shape-like
 * inputs, and random attributes from the op's schema (and sometimes unknown ones or the wrong
 * kind). resolve + infer must either succeed with every output typed, or fail with a diagnostic
 * naming the node; when it succeeds, the op's compute must build (or refuse with a message).
 * Nothing may crash (run under -DTCC_SANITIZE=ON for ASan/UBSan). Seeded: TCC_TEST_SEED. */
#include "ops/op_util.h"
#include "testutil.h"

#include <string.h>

static const char *const families[] = {"Abs",
                                       "Neg",
                                       "Exp",
                                       "Relu",
                                       "LeakyRelu",
                                       "PRelu",
                                       "Clip",
                                       "Cast",
                                       "CastLike",
                                       "Not",
                                       "IsInf",
                                       "Shrink",
                                       "Gelu",
                                       "Add",
                                       "Sub",
                                       "Mul",
                                       "Div",
                                       "Pow",
                                       "Mod",
                                       "Max",
                                       "Min",
                                       "Mean",
                                       "Sum",
                                       "And",
                                       "Equal",
                                       "Less",
                                       "BitShift",
                                       "BitwiseAnd",
                                       "BitwiseNot",
                                       "Where",
                                       "ReduceSum",
                                       "ReduceMean",
                                       "ReduceMax",
                                       "ReduceL2",
                                       "ReduceLogSumExp",
                                       "ArgMax",
                                       "ArgMin",
                                       "CumSum",
                                       "TopK",
                                       "Reshape",
                                       "Flatten",
                                       "Squeeze",
                                       "Unsqueeze",
                                       "Transpose",
                                       "Concat",
                                       "Split",
                                       "Slice",
                                       "Gather",
                                       "GatherElements",
                                       "GatherND",
                                       "ScatterElements",
                                       "ScatterND",
                                       "Expand",
                                       "Tile",
                                       "Pad",
                                       "DepthToSpace",
                                       "SpaceToDepth",
                                       "Trilu",
                                       "Shape",
                                       "Size",
                                       "ConstantOfShape",
                                       "Range",
                                       "Identity",
                                       "Dropout",
                                       "EyeLike",
                                       "OneHot",
                                       "Constant",
                                       "CenterCropPad",
                                       "Compress",
                                       "HannWindow",
                                       "BlackmanWindow",
                                       "CumProd",
                                       "Swish",
                                       "Scatter",
                                       "ReverseSequence",
                                       "TensorScatter",
                                       "SwiGLU"};

static const tccrt_dtype dtypes[] = {TCCRT_FLOAT32, TCCRT_FLOAT64, TCCRT_INT64, TCCRT_INT32,
                                     TCCRT_INT8,    TCCRT_UINT8,   TCCRT_BOOL,  TCCRT_FLOAT16};

static tcc_context *ctx;
static tcc_graph *g;

static const tcc_expr *rand_dim(void) {
  int64_t r = tcc_test_randint(0, 9);
  if (r == 0) return tcc_expr_var(ctx, tcc_graph_symbol(g, "N"));
  if (r == 1) return tcc_idx(ctx, 0);
  return tcc_idx(ctx, tcc_test_randint(1, 4));
}

static tcc_value *rand_value(int k) {
  bool cst = tcc_test_randint(0, 2) == 0;
  tcc_value *v = tcc_graph_add_value(g, tcc_arena_printf(tcc_ctx_arena(ctx), "in%d", k),
                                     cst ? TCC_VALUE_CONST : TCC_VALUE_INPUT);
  if (cst) {
    /* a small int64 vector (shape-like operand) */
    int64_t n = tcc_test_randint(0, 4);
    v->dtype = tcc_test_randint(0, 4) ? TCCRT_INT64 : TCCRT_INT32;
    v->ndim = tcc_test_randint(0, 3) ? 1 : 0;
    if (v->ndim == 0) n = 1;
    const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d);
    d[0] = tcc_idx(ctx, n);
    v->dims = d;
    size_t es = tccrt_dtype_size(v->dtype);
    uint8_t *data = tcc_arena_alloc(tcc_ctx_arena(ctx), (size_t)(n + 1) * es);
    for (int64_t i = 0; i < n; i++) {
      int64_t x = tcc_test_randint(-3, 5);
      if (tcc_test_randint(0, 20) == 0) x = INT64_MAX;
      if (es == 8)
        memcpy(data + i * 8, &x, 8);
      else {
        int32_t y = (int32_t)x;
        memcpy(data + i * 4, &y, 4);
      }
    }
    v->data = data;
    v->nbytes = (size_t)n * es;
    return v;
  }
  v->dtype = dtypes[tcc_test_randint(0, (int64_t)TCC_ARRAY_SIZE(dtypes) - 1)];
  v->ndim = (int)tcc_test_randint(0, 4);
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d * (size_t)(v->ndim + 1));
  for (int i = 0; i < v->ndim; i++)
    d[i] = rand_dim();
  v->dims = d;
  tcc_vec_push(tcc_ctx_arena(ctx), &g->inputs, &v);
  return v;
}

static void rand_attr(tcc_attr *a, const tcc_attr_schema *s) {
  static const char *const strs[] = {"constant", "reflect", "edge", "LEFT", "RIGHT", "DCR",
                                     "CRD",      "tanh",    "none", "add",  "bogus"};
  a->name = s->name;
  a->kind = s->kind;
  if (tcc_test_randint(0, 15) == 0) a->kind = TCC_ATTR_FLOATS; /* sometimes the wrong kind */
  switch (a->kind) {
  case TCC_ATTR_INT: a->u.i = tcc_test_randint(-3, 4); break;
  case TCC_ATTR_FLOAT: a->u.f = tcc_test_uniform(-2, 2); break;
  case TCC_ATTR_STRING:
    a->u.s = strs[tcc_test_randint(0, (int64_t)TCC_ARRAY_SIZE(strs) - 1)];
    a->slen = strlen(a->u.s);
    break;
  case TCC_ATTR_INTS: {
    int n = (int)tcc_test_randint(0, 4);
    int64_t *v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *v * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
      v[i] = tcc_test_randint(-4, 4);
    a->u.ints.n = n;
    a->u.ints.v = v;
    break;
  }
  case TCC_ATTR_FLOATS: a->u.floats.n = 0; break;
  default:
    a->kind = TCC_ATTR_INT;
    a->u.i = 1;
    break;
  }
}

int main(void) {
  tcc_test_seed("test_infer_random");
  int ok = 0, refused = 0, computed = 0;
  for (int iter = 0; iter < 10000; iter++) {
    ctx = tcc_context_create();
    g = tcc_graph_new(ctx, "rand", NULL);
    g->file = "rand.onnx";
    const char *opname = families[tcc_test_randint(0, (int64_t)TCC_ARRAY_SIZE(families) - 1)];
    int64_t opset = tcc_test_randint(6, 28);
    const tcc_op *op = tcc_op_lookup("", opname, opset);
    if (!op) {
      tcc_context_destroy(ctx);
      continue;
    }
    int maxin = op->max_inputs < 0 ? 4 : op->max_inputs;
    int nin = (int)tcc_test_randint(op->min_inputs > 0 ? op->min_inputs - 1 : 0, maxin + 1);
    if (nin < 0) nin = 0;
    tcc_value *ins[8];
    for (int k = 0; k < nin && k < 8; k++)
      ins[k] = tcc_test_randint(0, 12) == 0 && k > 0 ? NULL : rand_value(k);
    int nout = op->max_outputs < 0 ? (int)tcc_test_randint(1, 3) : op->max_outputs;
    tcc_value *outs[4];
    for (int k = 0; k < nout && k < 4; k++)
      outs[k] =
          tcc_graph_add_value(g, tcc_arena_printf(tcc_ctx_arena(ctx), "out%d", k), TCC_VALUE_NODE);
    tcc_node *n =
        tcc_graph_add_node(g, "n", opname, "", nin < 8 ? nin : 8, ins, nout < 4 ? nout : 4, outs);
    n->opset = opset;
    tcc_attr attrs[16];
    int na = 0;
    for (const tcc_attr_schema *s = op->attrs; s && s->name && na < 15; s++)
      if (tcc_test_randint(0, 2)) rand_attr(&attrs[na++], s);
    if (!strcmp(opname, "Cast")) {
      attrs[na].name = "to";
      attrs[na].kind = TCC_ATTR_INT;
      attrs[na++].u.i = dtypes[tcc_test_randint(0, (int64_t)TCC_ARRAY_SIZE(dtypes) - 1)];
    }
    if (tcc_test_randint(0, 30) == 0) {
      attrs[na].name = "no_such_attribute";
      attrs[na].kind = TCC_ATTR_INT;
      attrs[na++].u.i = 0;
    }
    n->attrs = attrs;
    n->nattrs = na;
    CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_OK);
    if (tcc_graph_infer(ctx, g) != TCC_OK) {
      const char *msg = tcc_error_text(ctx);
      CHECK_MSG(strstr(msg, "node 'n'") != NULL, "%s: diagnostic without the node: %s", opname,
                msg);
      refused++;
    } else {
      ok++;
      for (int k = 0; k < n->noutputs; k++)
        CHECK(n->outputs[k]->dtype != TCCRT_UNDEFINED && n->outputs[k]->ndim >= 0);
      if (op->compute) {
        const tcc_tensor *tin[8] = {0};
        for (int k = 0; k < n->ninputs; k++)
          if (n->inputs[k])
            tin[k] = tcc_placeholder(ctx, n->inputs[k]->name, n->inputs[k]->dtype,
                                     n->inputs[k]->ndim, n->inputs[k]->dims);
        tcc_compute_ctx cc = {ctx, g, n, tin};
        tcc_tensor *touts[4] = {0};
        if (op->compute(&cc, touts) == TCC_OK) {
          computed++;
          for (int k = 0; k < n->noutputs; k++)
            CHECK_MSG(touts[k] && touts[k]->ndim == n->outputs[k]->ndim &&
                          touts[k]->dtype == n->outputs[k]->dtype,
                      "%s: compute output %d disagrees with inference", opname, k);
        }
      }
    }
    tcc_context_destroy(ctx);
  }
  printf("%d inferred, %d refused, %d computed\n", ok, refused, computed);
  CHECK(ok > 300 && refused > 300 && computed > 300);
  return tcc_test_finish("test_infer_random");
}
