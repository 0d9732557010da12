/* test_overflow_run.c — computes of hostile models compiled by the AOT driver and run through
 * the JIT (NAME_run), against plain C references written here:
 * - Slice with steps of +-2^63 (and ends at +-2^63): x[0:INT64_MAX:INT64_MAX] = [x0],
 *   x[3:0:INT64_MIN] = [x3] ... (ONNX Slice, Python slicing);
 * - MaxUnpool is a scatter (ONNX reference: Y.flat[I[j]] = X[j], the last j winning): indices
 *   anywhere in the output (not only in the element's own pooling window, other (n, c) slabs
 *   included) land there; an index outside [0, prod(output shape)) makes NAME_run fail with
 *   "node 'g0' (MaxUnpool): index V is out of range [0, TOTAL-1]";
 * - ReverseSequence: sequence_lens outside [1, max_time] fail the same way. */
#include "aot/aot.h"
#include "graph_attrs.h"
#include "jit_model.h"
#include "ops/op.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static tcc_context *ctx;

static tcc_value *typed(tcc_graph *g, const char *name, tcc_value_kind kind, tccrt_dtype dt,
                        int ndim, const int64_t *dims) {
  tcc_value *v = tcc_graph_add_value(g, name, kind);
  v->dtype = dt;
  v->ndim = ndim;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_expr *) * (size_t)ndim + 1);
  for (int i = 0; i < ndim; i++)
    d[i] = tcc_idx(ctx, dims[i]);
  v->dims = d;
  return v;
}

typedef jit_model model;

/* One input of build(): a model input, or a constant when data is set. */
typedef struct in_spec {
  const char *name;
  tccrt_dtype dt;
  int ndim;
  int64_t dims[6];
  const void *data;
  size_t nbytes;
} in_spec;

/* A one-node graph OP(inputs) -> y (float32 of ydims), node named g0. */
static bool build(model *md, const char *op, int opset, int nin, const in_spec *ins, int yrank,
                  const int64_t *ydims, int nattrs, const tcc_attr *attrs) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_graph *g = tcc_graph_new(ctx, "g", NULL);
  tcc_opset *ops = tcc_arena_alloc(a, sizeof *ops);
  ops->domain = "";
  ops->version = opset;
  g->nopsets = 1;
  g->opsets = ops;
  g->file = "hostile.onnx";
  tcc_value *in[6];
  for (int i = 0; i < nin; i++) {
    bool cst = ins[i].data != NULL;
    in[i] = typed(g, ins[i].name, cst ? TCC_VALUE_CONST : TCC_VALUE_INPUT, ins[i].dt, ins[i].ndim,
                  ins[i].dims);
    if (cst) {
      in[i]->data = ins[i].data;
      in[i]->nbytes = ins[i].nbytes;
    } else {
      tcc_vec_push(a, &g->inputs, &in[i]);
    }
  }
  tcc_value *y = typed(g, "y", TCC_VALUE_NODE, TCCRT_FLOAT32, yrank, ydims);
  tcc_node *n = tcc_graph_add_node(g, "g0", op, "", nin, in, 1, &y);
  n->opset = opset;
  n->nattrs = nattrs;
  n->attrs = tcc_arena_alloc(a, sizeof(tcc_attr) * (size_t)(nattrs + 1));
  if (nattrs) memcpy(n->attrs, attrs, sizeof(tcc_attr) * (size_t)nattrs);
  tcc_vec_push(a, &g->outputs, &y);
  CHECK(tcc_graph_toposort(g) == TCC_OK);
  tcc_aot_options o = {.name = "ovf", .opt_level = 3, .opt_level_set = true};
  return jit_model_load(ctx, g, &o, op, md);
}

static void release(model *md) { jit_model_release(md); }

/* Runs; on success compares y with want (n floats). With `err` set, expects failure with it. */
static void expect(model *md, const char *what, const void *const *in, float *y, const float *want,
                   int64_t n, const char *err) {
  jit_model_expect(md, what, in, y, want, n, err);
}

/* ---- Slice of x [D] (input) with constant start/end/step along axis 0 ---- */

/* The selected positions by Python slicing (ONNX Slice), in 128-bit arithmetic. */
static int64_t ref_slice(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t *pos) {
  __int128 s = start, e = end, d = dim;
  if (s < 0) s += d;
  if (e < 0) e += d;
  if (step > 0) {
    s = s < 0 ? 0 : s > d ? d : s;
    e = e < 0 ? 0 : e > d ? d : e;
  } else {
    s = s < 0 ? 0 : s > d - 1 ? d - 1 : s;
    e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
  }
  int64_t n = 0;
  for (__int128 i = s; step > 0 ? i < e : i > e; i += step)
    pos[n++] = (int64_t)i;
  return n;
}

static void slice_run(int64_t D, int64_t st, int64_t en, int64_t step) {
  int64_t pos[64];
  int64_t L = ref_slice(D, st, en, step, pos);
  if (L == 0) return; /* an empty output has nothing to compute */
  static int64_t sv, ev, av, stv;
  sv = st, ev = en, av = 0, stv = step;
  in_spec ins[5] = {{"x", TCCRT_FLOAT32, 1, {D}, NULL, 0},
                    {"s", TCCRT_INT64, 1, {1}, &sv, 8},
                    {"e", TCCRT_INT64, 1, {1}, &ev, 8},
                    {"a", TCCRT_INT64, 1, {1}, &av, 8},
                    {"st", TCCRT_INT64, 1, {1}, &stv, 8}};
  model md;
  int64_t yd[1] = {L};
  if (!build(&md, "Slice", 13, 5, ins, 1, yd, 0, NULL)) return;
  float x[64], y[64], want[64];
  for (int64_t i = 0; i < D; i++)
    x[i] = (float)(i * 10 + 1);
  for (int64_t i = 0; i < L; i++)
    want[i] = x[pos[i]];
  const void *in[1] = {x};
  char what[128];
  snprintf(what, sizeof what, "x[%lld][%lld:%lld:%lld]", (long long)D, (long long)st, (long long)en,
           (long long)step);
  expect(&md, what, in, y, want, L, NULL);
  release(&md);
}

static void test_slice(void) {
  slice_run(6, 0, INT64_MAX, INT64_MAX); /* [x0] */
  slice_run(6, 0, 5, INT64_MAX);         /* [x0] */
  slice_run(6, 3, 0, INT64_MIN);         /* [x3] */
  slice_run(6, INT64_MAX, INT64_MIN, INT64_MIN);
  slice_run(6, -1, INT64_MIN, INT64_MIN + 1);
  slice_run(6, INT64_MIN, INT64_MAX, 2);
  slice_run(7, INT64_MAX, INT64_MIN, -3);
}

/* ---- MaxUnpool: X [N, C, H, W], I (int64, same shape, input), kernel 2, stride 2 ---- */

static void unpool_run(int64_t N, int64_t C, int64_t H, int64_t W, const int64_t *oshape) {
  const int64_t OH = (H - 1) * 2 + 2, OW = (W - 1) * 2 + 2, total = N * C * OH * OW;
  int64_t YH = oshape ? oshape[2] : OH, YW = oshape ? oshape[3] : OW;
  static int64_t osh[4];
  in_spec ins[3] = {{"X", TCCRT_FLOAT32, 4, {N, C, H, W}, NULL, 0},
                    {"I", TCCRT_INT64, 4, {N, C, H, W}, NULL, 0},
                    {"os", TCCRT_INT64, 1, {4}, osh, sizeof osh}};
  if (oshape) memcpy(osh, oshape, sizeof osh);
  const int64_t k[2] = {2, 2};
  tcc_attr at[] = {a_ints("kernel_shape", 2, k), a_ints("strides", 2, k)};
  model md;
  int64_t yd[4] = {N, C, YH, YW};
  if (!build(&md, "MaxUnpool", 11, oshape ? 3 : 2, ins, 4, yd, 2, at)) return;
  int64_t nx = N * C * H * W, ny = N * C * YH * YW;
  float *x = malloc(sizeof(float) * (size_t)nx), *y = malloc(sizeof(float) * (size_t)ny);
  float *want = malloc(sizeof(float) * (size_t)ny), *flat = malloc(sizeof(float) * (size_t)total);
  int64_t *ind = malloc(sizeof(int64_t) * (size_t)nx);
  char what[96], m[160];
  snprintf(what, sizeof what, "MaxUnpool [%lld,%lld,%lld,%lld]%s", (long long)N, (long long)C,
           (long long)H, (long long)W, oshape ? " with output_shape" : "");
  const void *in[2] = {x, ind};
  for (int rep = 0; rep < 4; rep++) {
    for (int64_t j = 0; j < nx; j++) {
      x[j] = (float)tcc_test_randint(1, 1000) / 4.0f;
      /* rep 0: the diagonal-like spread of unpool.onnx (j * 5: outside each element's window);
       * later: anywhere, duplicates included (the last j wins) */
      ind[j] = rep == 0 ? (j * 5) % total : tcc_test_randint(0, total - 1);
    }
    if (rep == 3) ind[nx - 1] = ind[0]; /* a duplicate: X[nx-1] wins */
    /* the reference: Y.flat[I[j]] = X[j] in the default shape, then zero padding at the end */
    memset(flat, 0, sizeof(float) * (size_t)total);
    for (int64_t j = 0; j < nx; j++)
      flat[ind[j]] = x[j];
    for (int64_t nc = 0; nc < N * C; nc++)
      for (int64_t h = 0; h < YH; h++)
        for (int64_t w = 0; w < YW; w++)
          want[(nc * YH + h) * YW + w] = h < OH && w < OW ? flat[(nc * OH + h) * OW + w] : 0.0f;
    expect(&md, what, in, y, want, ny, NULL);
  }
  static const int64_t bad[] = {1000000, -7, -1, 0};
  for (int b = 0; b < 4; b++) {
    int64_t pos = tcc_test_randint(0, nx - 1), keep = ind[pos], v = b == 3 ? total : bad[b];
    ind[pos] = v;
    snprintf(m, sizeof m, "node 'g0' (MaxUnpool): index %lld is out of range [0, %lld]",
             (long long)v, (long long)(total - 1));
    expect(&md, what, in, y, want, ny, m);
    ind[pos] = keep;
  }
  release(&md);
  free(x), free(y), free(want), free(flat), free(ind);
}

/* ---- ReverseSequence: x [T, B] (time_axis 0, batch_axis 1), sequence_lens [B] (input) ---- */

static void revseq_run(int64_t T, int64_t B) {
  in_spec ins[2] = {{"x", TCCRT_FLOAT32, 2, {T, B}, NULL, 0}, {"sl", TCCRT_INT64, 1, {B}, NULL, 0}};
  tcc_attr at[] = {a_int("batch_axis", 1), a_int("time_axis", 0)};
  model md;
  int64_t yd[2] = {T, B};
  if (!build(&md, "ReverseSequence", 10, 2, ins, 2, yd, 2, at)) return;
  float *x = malloc(sizeof(float) * (size_t)(T * B)), *y = malloc(sizeof(float) * (size_t)(T * B));
  float *want = malloc(sizeof(float) * (size_t)(T * B));
  int64_t *sl = malloc(sizeof(int64_t) * (size_t)B);
  for (int64_t i = 0; i < T * B; i++)
    x[i] = (float)i;
  for (int64_t b = 0; b < B; b++)
    sl[b] = tcc_test_randint(1, T);
  sl[0] = T;
  sl[B - 1] = 1;
  for (int64_t t = 0; t < T; t++)
    for (int64_t b = 0; b < B; b++)
      want[t * B + b] = x[(t < sl[b] ? sl[b] - 1 - t : t) * B + b];
  const void *in[2] = {x, sl};
  expect(&md, "ReverseSequence", in, y, want, T * B, NULL);
  static const int64_t bad[] = {100, -3, 0, INT64_MIN};
  char m[160];
  for (int k = 0; k < 4; k++) {
    int64_t pos = tcc_test_randint(0, B - 1), keep = sl[pos];
    sl[pos] = k == 0 ? T + 1 : bad[k];
    snprintf(m, sizeof m, "node 'g0' (ReverseSequence): index %lld is out of range [1, %lld]",
             (long long)sl[pos], (long long)T);
    expect(&md, "ReverseSequence", in, y, want, T * B, m);
    sl[pos] = keep;
  }
  expect(&md, "ReverseSequence", in, y, want, T * B, NULL);
  release(&md);
  free(x), free(y), free(want), free(sl);
}

int main(void) {
  tcc_test_seed("ops_overflow_run");
  ctx = tcc_context_create();
  test_slice();
  unpool_run(1, 1, 2, 2, NULL);
  unpool_run(2, 3, 3, 2, NULL);
  static const int64_t osh[4] = {2, 3, 7, 5};
  unpool_run(2, 3, 3, 2, osh);
  revseq_run(4, 2);
  revseq_run(9, 5);
  tcc_context_destroy(ctx);
  return tcc_test_finish("ops_overflow_run");
}
