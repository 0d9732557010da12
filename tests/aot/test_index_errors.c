/* test_index_errors.c — run-time index checks end to end: one-node graphs (Gather,
 * GatherElements, GatherND, ScatterElements, ScatterND) whose indices are a model input, compiled
 * by the AOT driver with its default CPU schedules and run through the JIT (NAME_run). With valid
 * indices (negative ones included: they count from the end of the axis, ONNX) the outputs equal a
 * plain C reference written here; with an index outside [-dim, dim - 1] (an error by the ONNX
 * spec) NAME_run returns non-zero and tccrt_last_error() is "node 'N' (Op): index V is out of
 * range [-dim, dim-1]". The kernels cover the scalar, vectorized and parallel shapes of the
 * default schedule (checked on the printed loop IR). Constant indices in range need no check (none
 * is generated); constant GatherND indices out of range fail at run time. */
#include "aot/aot.h"
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
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_expr *) * (size_t)ndim);
  for (int i = 0; i < ndim; i++)
    d[i] = tcc_idx(ctx, dims[i]);
  v->dims = d;
  return v;
}

typedef struct model {
  jit_model jm;
  char *tir; /* the printed loop IR of the kernels */
} model;

/* Input k of the next build() is a constant (a weight) holding these bytes instead of an input. */
static const void *g_const_data[4];
static size_t g_const_bytes[4];

/* A one-node graph OP(inputs...) -> y (float32 of `ydims`), the inputs given as (name, dtype,
 * dims); attrs: `axis` (INT_MIN: none) and `reduction` (NULL: none). */
static bool build(model *md, const char *op, int nin, const char *const *names,
                  const tccrt_dtype *dts, const int *ranks, const int64_t *const *dims, int yrank,
                  const int64_t *ydims, int64_t axis, const char *reduction) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_graph *g = tcc_graph_new(ctx, "g", NULL);
  static tcc_opset ops[1] = {{"", 16}};
  g->nopsets = 1;
  g->opsets = ops;
  g->file = "index.onnx";
  tcc_value *in[4];
  for (int i = 0; i < nin; i++) {
    bool cst = g_const_data[i] != NULL;
    in[i] = typed(g, names[i], cst ? TCC_VALUE_CONST : TCC_VALUE_INPUT, dts[i], ranks[i], dims[i]);
    if (cst) {
      in[i]->data = g_const_data[i];
      in[i]->nbytes = g_const_bytes[i];
      g_const_data[i] = NULL;
    } else {
      tcc_vec_push(a, &g->inputs, &in[i]);
    }
  }
  tcc_value *y = typed(g, "y", TCC_VALUE_NODE, TCCRT_FLOAT32, yrank, ydims);
  tcc_node *n = tcc_graph_add_node(g, "g0", op, "", nin, in, 1, &y);
  n->opset = 16;
  tcc_attr *at = tcc_arena_alloc(a, sizeof(tcc_attr) * 2);
  int na = 0;
  if (axis != INT64_MIN) {
    at[na].name = "axis";
    at[na].kind = TCC_ATTR_INT;
    at[na].u.i = axis;
    na++;
  }
  if (reduction) {
    at[na].name = "reduction";
    at[na].kind = TCC_ATTR_STRING;
    at[na].u.s = reduction;
    at[na].slen = strlen(reduction);
    na++;
  }
  n->nattrs = na;
  n->attrs = at;
  tcc_vec_push(a, &g->outputs, &y);
  CHECK(tcc_graph_toposort(g) == TCC_OK);
  size_t tl = 0;
  md->tir = NULL;
  FILE *tf = open_memstream(&md->tir, &tl);
  tcc_aot_options o = {"idx", NULL, NULL, 3, true, false, NULL, tf};
  bool ok = jit_model_load(ctx, g, &o, op, &md->jm);
  fclose(tf);
  return ok;
}

static void release(model *md) {
  jit_model_release(&md->jm);
  free(md->tir);
}

/* Runs; on success compares y with want (n floats). With `err` set, expects failure with it. */
static void expect(model *md, const char *what, const void *const *in, float *y, const float *want,
                   int64_t n, const char *err) {
  jit_model_expect(&md->jm, what, in, y, want, n, err);
}

static void fill(float *p, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    p[i] = (float)tcc_test_randint(-1000, 1000) / 8.0f;
}

static int64_t norm(int64_t v, int64_t d) { return v < 0 ? v + d : v; }

static char *msg(char *buf, const char *op, int64_t v, int64_t d) {
  snprintf(buf, 160, "node 'g0' (%s): index %lld is out of range [%lld, %lld]", op, (long long)v,
           (long long)-d, (long long)(d - 1));
  return buf;
}

/* Gather along `axis` 0 of data [R, C] with int64 indices [Q]: y [Q, C]. */
static void gather(int64_t R, int64_t C, int64_t Q, const char *shape_word) {
  const char *names[2] = {"data", "indices"};
  tccrt_dtype dts[2] = {TCCRT_FLOAT32, TCCRT_INT64};
  int ranks[2] = {2, 1};
  int64_t dd[2] = {R, C}, di[1] = {Q}, dy[2] = {Q, C};
  const int64_t *dims[2] = {dd, di};
  model md;
  if (!build(&md, "Gather", 2, names, dts, ranks, dims, 2, dy, 0, NULL)) return;
  CHECK_MSG(strstr(md.tir, "range_error(") != NULL, "%s", md.tir);
  if (shape_word && shape_word[0] == '!') /* a word that must be absent */
    CHECK_MSG(strstr(md.tir, shape_word + 1) == NULL, "'%s' in %s", shape_word + 1, md.tir);
  else if (shape_word)
    CHECK_MSG(strstr(md.tir, shape_word) != NULL, "no '%s' in %s", shape_word, md.tir);
  float *data = malloc(sizeof(float) * (size_t)(R * C)),
        *y = malloc(sizeof(float) * (size_t)(Q * C));
  float *want = malloc(sizeof(float) * (size_t)(Q * C));
  int64_t *ind = malloc(sizeof(int64_t) * (size_t)Q);
  fill(data, R * C);
  for (int64_t q = 0; q < Q; q++)
    ind[q] = tcc_test_randint(-R, R - 1);
  ind[0] = -R;
  ind[Q - 1] = R - 1;
  for (int64_t q = 0; q < Q; q++)
    for (int64_t c = 0; c < C; c++)
      want[q * C + c] = data[norm(ind[q], R) * C + c];
  const void *in[2] = {data, ind};
  char what[64], m[160];
  snprintf(what, sizeof what, "Gather [%lld,%lld] by [%lld]", (long long)R, (long long)C,
           (long long)Q);
  expect(&md, what, in, y, want, Q * C, NULL);
  for (int rep = 0; rep < 3; rep++) {
    int64_t pos = tcc_test_randint(0, Q - 1), keep = ind[pos];
    ind[pos] = rep == 0 ? R : rep == 1 ? -R - 1 : R + 1000000;
    expect(&md, what, in, y, want, Q * C, msg(m, "Gather", ind[pos], R));
    ind[pos] = keep;
  }
  expect(&md, what, in, y, want, Q * C, NULL); /* and valid again */
  release(&md);
  free(data), free(y), free(want), free(ind);
}

/* GatherElements, axis 1: data [R, C], int32 indices [R, K]: y[r, k] = data[r, ind[r, k]]. */
static void gather_elements(int64_t R, int64_t C, int64_t K) {
  const char *names[2] = {"data", "indices"};
  tccrt_dtype dts[2] = {TCCRT_FLOAT32, TCCRT_INT32};
  int ranks[2] = {2, 2};
  int64_t dd[2] = {R, C}, di[2] = {R, K};
  const int64_t *dims[2] = {dd, di};
  model md;
  if (!build(&md, "GatherElements", 2, names, dts, ranks, dims, 2, di, 1, NULL)) return;
  float *data = malloc(sizeof(float) * (size_t)(R * C)),
        *y = malloc(sizeof(float) * (size_t)(R * K));
  float *want = malloc(sizeof(float) * (size_t)(R * K));
  int32_t *ind = malloc(sizeof(int32_t) * (size_t)(R * K));
  fill(data, R * C);
  for (int64_t i = 0; i < R * K; i++)
    ind[i] = (int32_t)tcc_test_randint(-C, C - 1);
  for (int64_t r = 0; r < R; r++)
    for (int64_t k = 0; k < K; k++)
      want[r * K + k] = data[r * C + norm(ind[r * K + k], C)];
  const void *in[2] = {data, ind};
  char m[160];
  expect(&md, "GatherElements", in, y, want, R * K, NULL);
  int64_t pos = tcc_test_randint(0, R * K - 1);
  int32_t keep = ind[pos];
  ind[pos] = (int32_t)C;
  expect(&md, "GatherElements", in, y, want, R * K, msg(m, "GatherElements", C, C));
  ind[pos] = (int32_t)(-C - 7);
  expect(&md, "GatherElements", in, y, want, R * K, msg(m, "GatherElements", -C - 7, C));
  ind[pos] = keep;
  release(&md);
  free(data), free(y), free(want), free(ind);
}

/* GatherND: data [A, B, C], indices [Q, 2]: y[q, c] = data[ind[q, 0], ind[q, 1], c]. */
static void gather_nd(int64_t A, int64_t B, int64_t C, int64_t Q) {
  const char *names[2] = {"data", "indices"};
  tccrt_dtype dts[2] = {TCCRT_FLOAT32, TCCRT_INT64};
  int ranks[2] = {3, 2};
  int64_t dd[3] = {A, B, C}, di[2] = {Q, 2}, dy[2] = {Q, C};
  const int64_t *dims[2] = {dd, di};
  model md;
  if (!build(&md, "GatherND", 2, names, dts, ranks, dims, 2, dy, INT64_MIN, NULL)) return;
  float *data = malloc(sizeof(float) * (size_t)(A * B * C)),
        *y = malloc(sizeof(float) * (size_t)(Q * C));
  float *want = malloc(sizeof(float) * (size_t)(Q * C));
  int64_t *ind = malloc(sizeof(int64_t) * (size_t)(Q * 2));
  fill(data, A * B * C);
  for (int64_t q = 0; q < Q; q++) {
    ind[q * 2] = tcc_test_randint(-A, A - 1);
    ind[q * 2 + 1] = tcc_test_randint(-B, B - 1);
  }
  for (int64_t q = 0; q < Q; q++)
    for (int64_t c = 0; c < C; c++)
      want[q * C + c] = data[(norm(ind[q * 2], A) * B + norm(ind[q * 2 + 1], B)) * C + c];
  const void *in[2] = {data, ind};
  char m[160];
  expect(&md, "GatherND", in, y, want, Q * C, NULL);
  int64_t q = tcc_test_randint(0, Q - 1), k0 = ind[q * 2], k1 = ind[q * 2 + 1];
  ind[q * 2 + 1] = B; /* the second component is checked against the second dim */
  expect(&md, "GatherND", in, y, want, Q * C, msg(m, "GatherND", B, B));
  ind[q * 2 + 1] = k1;
  ind[q * 2] = -A - 1;
  expect(&md, "GatherND", in, y, want, Q * C, msg(m, "GatherND", -A - 1, A));
  ind[q * 2] = k0;
  expect(&md, "GatherND", in, y, want, Q * C, NULL);
  release(&md);
  free(data), free(y), free(want), free(ind);
}

/* ScatterElements, axis 1, reduction none / add: data [R, C], indices and updates [R, K]. */
static void scatter_elements(int64_t R, int64_t C, int64_t K, const char *red) {
  const char *names[3] = {"data", "indices", "updates"};
  tccrt_dtype dts[3] = {TCCRT_FLOAT32, TCCRT_INT64, TCCRT_FLOAT32};
  int ranks[3] = {2, 2, 2};
  int64_t dd[2] = {R, C}, di[2] = {R, K};
  const int64_t *dims[3] = {dd, di, di};
  model md;
  if (!build(&md, "ScatterElements", 3, names, dts, ranks, dims, 2, dd, 1, red)) return;
  float *data = malloc(sizeof(float) * (size_t)(R * C)),
        *y = malloc(sizeof(float) * (size_t)(R * C));
  float *want = malloc(sizeof(float) * (size_t)(R * C)),
        *upd = malloc(sizeof(float) * (size_t)(R * K));
  int64_t *ind = malloc(sizeof(int64_t) * (size_t)(R * K));
  fill(data, R * C);
  fill(upd, R * K);
  bool add = red && !strcmp(red, "add");
  /* distinct columns per row for "none" (duplicates are order-dependent in the spec) */
  for (int64_t r = 0; r < R; r++)
    for (int64_t k = 0; k < K; k++)
      ind[r * K + k] = add ? tcc_test_randint(-C, C - 1) : (k % 2 ? k - C : k);
  memcpy(want, data, sizeof(float) * (size_t)(R * C));
  for (int64_t r = 0; r < R; r++)
    for (int64_t k = 0; k < K; k++) {
      float *w = &want[r * C + norm(ind[r * K + k], C)];
      *w = add ? *w + upd[r * K + k] : upd[r * K + k];
    }
  const void *in[3] = {data, ind, upd};
  char m[160], what[64];
  snprintf(what, sizeof what, "ScatterElements (%s)", red ? red : "none");
  expect(&md, what, in, y, want, R * C, NULL);
  int64_t pos = tcc_test_randint(0, R * K - 1), keep = ind[pos];
  ind[pos] = C + 3;
  expect(&md, what, in, y, want, R * C, msg(m, "ScatterElements", C + 3, C));
  ind[pos] = keep;
  release(&md);
  free(data), free(y), free(want), free(upd), free(ind);
}

/* ScatterND: data [A, C], indices [Q, 1] (distinct rows), updates [Q, C]. */
static void scatter_nd(int64_t A, int64_t C, int64_t Q) {
  const char *names[3] = {"data", "indices", "updates"};
  tccrt_dtype dts[3] = {TCCRT_FLOAT32, TCCRT_INT64, TCCRT_FLOAT32};
  int ranks[3] = {2, 2, 2};
  int64_t dd[2] = {A, C}, di[2] = {Q, 1}, du[2] = {Q, C};
  const int64_t *dims[3] = {dd, di, du};
  model md;
  if (!build(&md, "ScatterND", 3, names, dts, ranks, dims, 2, dd, INT64_MIN, NULL)) return;
  float *data = malloc(sizeof(float) * (size_t)(A * C)),
        *y = malloc(sizeof(float) * (size_t)(A * C));
  float *want = malloc(sizeof(float) * (size_t)(A * C)),
        *upd = malloc(sizeof(float) * (size_t)(Q * C));
  int64_t *ind = malloc(sizeof(int64_t) * (size_t)Q);
  fill(data, A * C);
  fill(upd, Q * C);
  for (int64_t q = 0; q < Q; q++)
    ind[q] = q % 2 ? q - A : q; /* distinct rows, negative ones included (Q <= A) */
  memcpy(want, data, sizeof(float) * (size_t)(A * C));
  for (int64_t q = 0; q < Q; q++)
    memcpy(&want[norm(ind[q], A) * C], &upd[q * C], sizeof(float) * (size_t)C);
  const void *in[3] = {data, ind, upd};
  char m[160];
  expect(&md, "ScatterND", in, y, want, A * C, NULL);
  int64_t pos = tcc_test_randint(0, Q - 1), keep = ind[pos];
  ind[pos] = -A - 2;
  expect(&md, "ScatterND", in, y, want, A * C, msg(m, "ScatterND", -A - 2, A));
  ind[pos] = keep;
  expect(&md, "ScatterND", in, y, want, A * C, NULL);
  release(&md);
  free(data), free(y), free(want), free(upd), free(ind);
}

/* Constant indices: GatherND's are not checked before run time, so in range they need no check
 * in the kernel (none is generated) and out of range the kernel fails when it runs. */
static void gather_nd_const(void) {
  const char *names[2] = {"data", "indices"};
  tccrt_dtype dts[2] = {TCCRT_FLOAT32, TCCRT_INT64};
  int ranks[2] = {2, 2};
  int64_t dd[2] = {4, 6}, di[2] = {3, 2}, dy[1] = {3};
  const int64_t *dims[2] = {dd, di};
  static const int64_t good[6] = {0, 5, -4, -6, 3, 2}, bad[6] = {0, 5, 1, 6, 3, 2};
  float data[24], y[3], want[3];
  fill(data, 24);
  for (int q = 0; q < 3; q++)
    want[q] = data[norm(good[2 * q], 4) * 6 + norm(good[2 * q + 1], 6)];
  for (int k = 0; k < 2; k++) {
    model md;
    g_const_data[1] = k ? bad : good;
    g_const_bytes[1] = sizeof good;
    if (!build(&md, "GatherND", 2, names, dts, ranks, dims, 1, dy, INT64_MIN, NULL)) return;
    const void *in[1] = {data};
    char m[160];
    if (!k) CHECK_MSG(strstr(md.tir, "range_error(") == NULL, "%s", md.tir);
    expect(&md, k ? "GatherND (bad constant indices)" : "GatherND (constant indices)", in, y, want,
           3, k ? msg(m, "GatherND", 6, 6) : NULL);
    release(&md);
  }
}

int main(void) {
  tcc_test_seed("aot_test_index_errors");
  tccrt_set_num_threads(4);
  ctx = tcc_context_create();
  gather(5, 1, 3, "!ramp(");          /* scalar */
  gather(7, 16, 5, "ramp(");          /* vectorized */
  gather(1000, 128, 256, "parallel"); /* an embedding lookup: parallel and vectorized */
  gather_elements(6, 9, 11);
  gather_nd(4, 5, 8, 6);
  scatter_elements(5, 6, 4, NULL);
  scatter_elements(5, 6, 4, "add");
  scatter_nd(9, 12, 5);
  gather_nd_const();
  tcc_context_destroy(ctx);
  return tcc_test_finish("aot_test_index_errors");
}
