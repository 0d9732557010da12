/* test_infer_unit.c — unit tests of the inference helpers and drivers: numpy broadcasting of
 * symbolic shapes, negative axes, Reshape's 0 / -1 with symbolic dims and shape values computed
 * from Shape, and the one-message report of unregistered ops. Expected values follow the ONNX
 * specification (Broadcasting.md, Reshape, Shape, Gather, Concat, Unsqueeze). */
#include "onnx/onnx_import.h"
#include "ops/op_util.h"
#include "testutil.h"

#include <string.h>

static tcc_context *ctx;
static tcc_graph *g;

static const tcc_expr *N(void) { return tcc_expr_var(ctx, tcc_graph_symbol(g, "N")); }
static const tcc_expr *I(int64_t v) { return tcc_idx(ctx, v); }

static tcc_value *input(const char *name, tccrt_dtype dt, int ndim, const tcc_expr *const *dims) {
  tcc_value *v = tcc_graph_add_value(g, name, TCC_VALUE_INPUT);
  v->dtype = dt;
  v->ndim = ndim;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d * (size_t)(ndim + 1));
  for (int i = 0; i < ndim; i++)
    d[i] = dims[i];
  v->dims = d;
  tcc_vec_push(tcc_ctx_arena(ctx), &g->inputs, &v);
  return v;
}

static tcc_value *const_i64(const char *name, int n, const int64_t *vals) {
  tcc_value *v = tcc_graph_add_value(g, name, TCC_VALUE_CONST);
  v->dtype = TCCRT_INT64;
  v->ndim = 1;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d);
  d[0] = I(n);
  v->dims = d;
  int64_t *data = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *data * (size_t)(n + 1));
  memcpy(data, vals, sizeof *data * (size_t)n);
  v->data = data;
  v->nbytes = sizeof *data * (size_t)n;
  return v;
}

static tcc_node *node(const char *op, int nin, tcc_value *const *ins, tcc_value **out) {
  *out = tcc_graph_add_value(g, tcc_arena_printf(tcc_ctx_arena(ctx), "%s_out", op), TCC_VALUE_NODE);
  tcc_node *n = tcc_graph_add_node(g, tcc_arena_printf(tcc_ctx_arena(ctx), "%s_node", op), op, "",
                                   nin, ins, 1, out);
  n->opset = 17;
  return n;
}

static void fresh(void) {
  if (ctx) tcc_context_destroy(ctx);
  ctx = tcc_context_create();
  g = tcc_graph_new(ctx, "unit", NULL);
}

static bool shape_is(const tcc_value *v, int ndim, const char *text) {
  const char *s = tcc_value_shape_str(ctx, v);
  bool ok = v->ndim == ndim && !strcmp(s, text);
  if (!ok) fprintf(stderr, "  shape %s, expected %s\n", s, text);
  return ok;
}

static void test_broadcast(void) {
  fresh();
  tcc_infer_ctx ic = {ctx, g};
  tcc_value *a = input("a", TCCRT_FLOAT32, 3, (const tcc_expr *[]){N(), I(1), I(3)});
  tcc_value *b = input("b", TCCRT_FLOAT32, 2, (const tcc_expr *[]){I(4), I(1)});
  tcc_value *y;
  tcc_node *n = node("Add", 2, (tcc_value *[]){a, b}, &y);
  int nd;
  const tcc_expr *const *d;
  CHECK(tcc_infer_broadcast(&ic, n, a->ndim, a->dims, b->ndim, b->dims, &nd, &d) == TCC_OK);
  CHECK(nd == 3 && d[0] == N() && d[1] == I(4) && d[2] == I(3));
  /* A rank-0 operand broadcasts to anything. */
  CHECK(tcc_infer_broadcast(&ic, n, 0, NULL, b->ndim, b->dims, &nd, &d) == TCC_OK);
  CHECK(nd == 2 && d[0] == I(4) && d[1] == I(1));
  /* A symbol against 1 keeps the symbol; N*2 built two ways is one dim. */
  const tcc_expr *x1[] = {tcc_mul(ctx, I(2), N())}, *x2[] = {tcc_mul(ctx, N(), I(2))};
  CHECK(tcc_infer_broadcast(&ic, n, 1, x1, 1, x2, &nd, &d) == TCC_OK);
  CHECK(nd == 1 &&
        !strcmp(tcc_expr_str(ctx, d[0]), tcc_expr_str(ctx, tcc_shape_canon(ctx, x2[0]))));
  /* 3 vs 4: an error naming the node and both shapes. */
  const tcc_expr *c3[] = {I(2), I(3)}, *c4[] = {I(4)};
  tcc_error_clear(ctx);
  CHECK(tcc_infer_broadcast(&ic, n, 2, c3, 1, c4, &nd, &d) == TCC_ERR);
  const char *msg = tcc_error_text(ctx);
  CHECK_MSG(strstr(msg, "Add_node") && strstr(msg, "[2, 3]") && strstr(msg, "[4]"), "%s", msg);
  /* Through the driver: Add infers [N, 4, 3]. */
  tcc_error_clear(ctx);
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_OK);
  CHECK(tcc_graph_infer(ctx, g) == TCC_OK);
  CHECK(y->dtype == TCCRT_FLOAT32 && shape_is(y, 3, "[N, 4, 3]"));
}

static void test_axes(void) {
  fresh();
  tcc_infer_ctx ic = {ctx, g};
  tcc_value *a = input("a", TCCRT_FLOAT32, 4, (const tcc_expr *[]){N(), I(3), I(5), I(7)});
  tcc_value *y;
  tcc_node *n = node("ReduceMean", 1, (tcc_value *[]){a}, &y);
  int ax = 99;
  CHECK(tcc_infer_axis(&ic, n, "axis", -1, 4, &ax) == TCC_OK && ax == 3);
  CHECK(tcc_infer_axis(&ic, n, "axis", -4, 4, &ax) == TCC_OK && ax == 0);
  CHECK(tcc_infer_axis(&ic, n, "axis", 3, 4, &ax) == TCC_OK && ax == 3);
  CHECK(tcc_infer_axis(&ic, n, "axis", -5, 4, &ax) == TCC_ERR);
  CHECK(tcc_infer_axis(&ic, n, "axis", 4, 4, &ax) == TCC_ERR);
  CHECK(strstr(tcc_error_text(ctx), "out of range") != NULL);
  int out[2];
  CHECK(tcc_infer_axes(&ic, n, "axes", 2, (const int64_t[]){-1, 3}, 4, out) == TCC_ERR);
  /* ReduceMean (opset 17: axes attribute) over axes [-1, 1] with keepdims=0 -> [N, 5]. */
  tcc_error_clear(ctx);
  static const int64_t axes[] = {-1, 1};
  tcc_attr at[2] = {{.name = "axes", .kind = TCC_ATTR_INTS},
                    {.name = "keepdims", .kind = TCC_ATTR_INT}};
  at[0].u.ints.n = 2;
  at[0].u.ints.v = axes;
  at[1].u.i = 0;
  n->attrs = at;
  n->nattrs = 2;
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_OK);
  CHECK(tcc_graph_infer(ctx, g) == TCC_OK);
  CHECK(shape_is(y, 2, "[N, 5]"));
}

static void test_reshape(void) {
  fresh();
  /* x: [N, 1, 28, 28]; Reshape(x, [-1, 784]) -> [N, 784]; Reshape(x, [0, -1]) -> [N, 784];
   * Reshape(x, [-1]) -> [N*784]. */
  tcc_value *x = input("x", TCCRT_FLOAT32, 4, (const tcc_expr *[]){N(), I(1), I(28), I(28)});
  tcc_value *y1, *y2, *y3, *y4, *sh, *g0, *u0, *cat;
  node("Reshape", 2, (tcc_value *[]){x, const_i64("s1", 2, (int64_t[]){-1, 784})}, &y1);
  node("Reshape", 2, (tcc_value *[]){x, const_i64("s2", 2, (int64_t[]){0, -1})}, &y2);
  node("Reshape", 2, (tcc_value *[]){x, const_i64("s3", 1, (int64_t[]){-1})}, &y3);
  /* Shape -> Gather(0) -> Unsqueeze -> Concat(.., [-1, 28]) -> Reshape: [N, 28, 28]. */
  node("Shape", 1, (tcc_value *[]){x}, &sh);
  tcc_value *idx0 = tcc_graph_add_value(g, "idx0", TCC_VALUE_CONST);
  static const int64_t zero = 0;
  idx0->dtype = TCCRT_INT64;
  idx0->ndim = 0;
  idx0->data = &zero;
  idx0->nbytes = 8;
  node("Gather", 2, (tcc_value *[]){sh, idx0}, &g0);
  node("Unsqueeze", 2, (tcc_value *[]){g0, const_i64("ax0", 1, (int64_t[]){0})}, &u0);
  tcc_node *cn =
      node("Concat", 2, (tcc_value *[]){u0, const_i64("rest", 2, (int64_t[]){-1, 28})}, &cat);
  tcc_attr axis = {.name = "axis", .kind = TCC_ATTR_INT};
  cn->attrs = &axis;
  cn->nattrs = 1;
  node("Reshape", 2, (tcc_value *[]){x, cat}, &y4);
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_OK);
  CHECK_MSG(tcc_graph_infer(ctx, g) == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK(shape_is(y1, 2, "[N, 784]"));
  CHECK(shape_is(y2, 2, "[N, 784]"));
  CHECK(y3->ndim == 1 && y3->dims[0] == tcc_mul(ctx, N(), I(784))); /* N*784 */
  CHECK(sh->nsym_elems == 4 && sh->sym_elems[0] == N() && sh->sym_elems[3] == I(28));
  CHECK(g0->ndim == 0 && g0->nsym_elems == 1 && g0->sym_elems[0] == N());
  CHECK(shape_is(cat, 1, "[3]"));
  CHECK(shape_is(y4, 3, "[N, 28, 28]"));

  /* A wrong element count is an error naming the node. */
  fresh();
  x = input("x", TCCRT_FLOAT32, 2, (const tcc_expr *[]){I(3), I(5)});
  node("Reshape", 2, (tcc_value *[]){x, const_i64("s", 2, (int64_t[]){4, -1})}, &y1);
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_OK);
  CHECK(tcc_graph_infer(ctx, g) == TCC_ERR);
  CHECK_MSG(strstr(tcc_error_text(ctx), "Reshape_node") != NULL, "%s", tcc_error_text(ctx));

  /* allowzero=1 keeps a literal 0. */
  fresh();
  x = input("x", TCCRT_FLOAT32, 2, (const tcc_expr *[]){I(0), I(5)});
  tcc_node *rn = node("Reshape", 2, (tcc_value *[]){x, const_i64("s", 2, (int64_t[]){5, 0})}, &y1);
  tcc_attr az = {.name = "allowzero", .kind = TCC_ATTR_INT};
  az.u.i = 1;
  rn->attrs = &az;
  rn->nattrs = 1;
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_OK);
  CHECK(tcc_graph_infer(ctx, g) == TCC_OK);
  CHECK(shape_is(y1, 2, "[5, 0]"));
}

static void test_unregistered(void) {
  fresh();
  tcc_value *x = input("x", TCCRT_FLOAT32, 1, (const tcc_expr *[]){I(3)});
  tcc_value *a, *b, *c;
  node("FooOp", 1, (tcc_value *[]){x}, &a);
  node("Relu", 1, (tcc_value *[]){a}, &b);
  node("BarOp", 1, (tcc_value *[]){b}, &c);
  g->file = "m.onnx";
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_ERR);
  const char *msg = tcc_error_text(ctx);
  CHECK(tcc_error_count(ctx) == 1);
  CHECK_MSG(strstr(msg, "m.onnx") && strstr(msg, "FooOp") && strstr(msg, "BarOp") &&
                strstr(msg, "FooOp_node") && !strstr(msg, "Relu"),
            "%s", msg);
}

/* A dtype outside the type constraint is an error naming the node, input and dtype. */
static void test_dtype(void) {
  fresh();
  tcc_value *x = input("x", TCCRT_INT32, 1, (const tcc_expr *[]){I(3)});
  tcc_value *y;
  node("Sqrt", 1, (tcc_value *[]){x}, &y);
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_OK);
  CHECK(tcc_graph_infer(ctx, g) == TCC_ERR);
  const char *msg = tcc_error_text(ctx);
  CHECK_MSG(strstr(msg, "Sqrt_node") && strstr(msg, "int32") && strstr(msg, "'x'"), "%s", msg);
}

static tcc_node *with_ints(tcc_node *n, const char *name, int cnt, const int64_t *v) {
  tcc_attr *a = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *a * (size_t)(n->nattrs + 1));
  for (int i = 0; i < n->nattrs; i++)
    a[i] = n->attrs[i];
  a[n->nattrs].name = name;
  a[n->nattrs].kind = TCC_ATTR_INTS;
  a[n->nattrs].u.ints.n = cnt;
  a[n->nattrs].u.ints.v = v;
  n->attrs = a;
  n->nattrs++;
  return n;
}

static tcc_node *with_int(tcc_node *n, const char *name, int64_t v) {
  tcc_attr *a = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *a * (size_t)(n->nattrs + 1));
  for (int i = 0; i < n->nattrs; i++)
    a[i] = n->attrs[i];
  a[n->nattrs].name = name;
  a[n->nattrs].kind = TCC_ATTR_INT;
  a[n->nattrs].u.i = v;
  n->attrs = a;
  n->nattrs++;
  return n;
}

/* Symbolic dims through Slice, Concat, Flatten, Split, Transpose, Expand (ONNX specs). */
static void test_symbolic_ops(void) {
  fresh();
  tcc_value *x = input("x", TCCRT_FLOAT32, 3, (const tcc_expr *[]){N(), I(3), I(8)});
  tcc_value *y = input("y", TCCRT_FLOAT32, 2, (const tcc_expr *[]){N(), I(5)});
  tcc_value *s1, *s2, *c0, *c1, *f1, *f2, *t, *e, *sh, *sp[2];
  /* Slice x[1:, :, -2:] -> [N - 1, 3, 2] (ends INT64_MAX clamp to the dim) */
  node("Slice", 5,
       (tcc_value *[]){x, const_i64("st", 2, (int64_t[]){1, -2}),
                       const_i64("en", 2, (int64_t[]){INT64_MAX, INT64_MAX}),
                       const_i64("ax", 2, (int64_t[]){0, 2}),
                       const_i64("sp", 2, (int64_t[]){1, 1})},
       &s1);
  /* Slice with step 2 on a constant dim: x[:, :, 1:8:2] -> 4 */
  node("Slice", 5,
       (tcc_value *[]){x, const_i64("st2", 1, (int64_t[]){1}), const_i64("en2", 1, (int64_t[]){8}),
                       const_i64("ax2", 1, (int64_t[]){-1}), const_i64("sp2", 1, (int64_t[]){2})},
       &s2);
  with_int(node("Concat", 2, (tcc_value *[]){y, y}, &c1), "axis", -1);
  with_int(node("Concat", 2, (tcc_value *[]){y, y}, &c0), "axis", 0);
  with_int(node("Flatten", 1, (tcc_value *[]){x}, &f1), "axis", 1);
  with_int(node("Flatten", 1, (tcc_value *[]){x}, &f2), "axis", 2);
  with_ints(node("Transpose", 1, (tcc_value *[]){x}, &t), "perm", 3, (int64_t[]){2, 0, 1});
  /* Expand a [3, 1] constant-shaped input to Shape(x[0:1]) ++ [3, 4]: [N, 3, 4] */
  tcc_value *z = input("z", TCCRT_FLOAT32, 2, (const tcc_expr *[]){I(3), I(1)});
  tcc_node *shn = node("Shape", 1, (tcc_value *[]){x}, &sh);
  with_int(with_int(shn, "start", 0), "end", 1);
  tcc_value *cat;
  with_int(node("Concat", 2, (tcc_value *[]){sh, const_i64("r34", 2, (int64_t[]){3, 4})}, &cat),
           "axis", 0);
  node("Expand", 2, (tcc_value *[]){z, cat}, &e);
  /* Split x along axis 2 into [3, 5] (opset 17: split is input 1) */
  sp[0] = tcc_graph_add_value(g, "sp0", TCC_VALUE_NODE);
  sp[1] = tcc_graph_add_value(g, "sp1", TCC_VALUE_NODE);
  tcc_node *spn =
      tcc_graph_add_node(g, "split_node", "Split", "", 2,
                         (tcc_value *[]){x, const_i64("parts", 2, (int64_t[]){3, 5})}, 2, sp);
  spn->opset = 17;
  with_int(spn, "axis", 2);
  CHECK(tcc_graph_resolve_ops(ctx, g) == TCC_OK);
  CHECK_MSG(tcc_graph_infer(ctx, g) == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK(s1->ndim == 3 && s1->dims[0] == tcc_sub(ctx, N(), I(1)) && s1->dims[1] == I(3) &&
        s1->dims[2] == I(2));
  CHECK(shape_is(s2, 3, "[N, 3, 4]"));
  CHECK(shape_is(c1, 2, "[N, 10]"));
  CHECK(c0->ndim == 2 && c0->dims[0] == tcc_add(ctx, N(), N()) && c0->dims[1] == I(5));
  CHECK(f1->ndim == 2 && f1->dims[0] == N() && f1->dims[1] == I(24));
  CHECK(f2->ndim == 2 && f2->dims[0] == tcc_mul(ctx, N(), I(3)) && f2->dims[1] == I(8));
  CHECK(shape_is(t, 3, "[8, N, 3]"));
  CHECK(sh->nsym_elems == 1 && sh->sym_elems[0] == N());
  CHECK(shape_is(e, 3, "[N, 3, 4]"));
  CHECK(shape_is(sp[0], 3, "[N, 3, 3]") && shape_is(sp[1], 3, "[N, 3, 5]"));
}

/* Issue 3: the MNIST models without --input-shape keep their batch symbol through every value,
 * including through Shape -> Concat -> Reshape (mnist-pytorch-extdata). */
static void test_mnist_symbolic(void) {
  static const char *const models[] = {"mnist-pytorch-extdata/mnist.onnx",
                                       "mnist-keras-small/model.onnx",
                                       "mnist-pytorch-opset11/model.onnx"};
  for (size_t m = 0; m < TCC_ARRAY_SIZE(models); m++) {
    fresh();
    char path[4096];
    snprintf(path, sizeof path, "%s/models/%s", tcc_test_shared_dir(), models[m]);
    tcc_graph *mg = NULL;
    bool ok = tcc_onnx_import_file(ctx, path, NULL, &mg) == TCC_OK &&
              tcc_graph_resolve_ops(ctx, mg) == TCC_OK && tcc_graph_infer(ctx, mg) == TCC_OK;
    CHECK_MSG(ok, "%s: %s", models[m], tcc_error_text(ctx));
    if (!ok) continue;
    const tcc_value *in = TCC_GRAPH_INPUT(mg, 0);
    CHECK(in->ndim == 4 && in->dims[0]->kind == TCC_VAR);
    /* Every node output is typed; every rank >= 1 activation leads with the batch symbol. */
    int with_batch = 0;
    for (size_t i = 0; i < mg->nodes.len; i++) {
      const tcc_node *n = TCC_GRAPH_NODE(mg, i);
      for (int k = 0; k < n->noutputs; k++) {
        const tcc_value *v = n->outputs[k];
        CHECK(v->dtype != TCCRT_UNDEFINED && v->ndim >= 0);
        if (v->dtype == TCCRT_FLOAT32 && v->ndim >= 2) {
          CHECK_MSG(v->dims[0] == in->dims[0], "%s: %s has %s", models[m], v->name,
                    tcc_value_shape_str(ctx, v));
          with_batch++;
        }
      }
    }
    CHECK(with_batch >= 3);
    const tcc_value *out = TCC_GRAPH_OUTPUT(mg, 0);
    CHECK(out->ndim == 2 && out->dims[0] == in->dims[0] && out->dims[1] == I(10));
  }
}

int main(void) {
  test_broadcast();
  test_axes();
  test_reshape();
  test_unregistered();
  test_dtype();
  test_symbolic_ops();
  test_mnist_symbolic();
  tcc_context_destroy(ctx);
  return tcc_test_finish("test_infer_unit");
}
