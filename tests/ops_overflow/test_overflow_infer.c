/* test_overflow_infer.c — hostile attribute values in shape inference: every attribute-derived
 * size of the pooling / convolution windows (kernel, dilation, pads, strides), Slice with steps of
 * +-2^63, Tile, Pad, DepthToSpace / SpaceToDepth, Resize and MaxUnpool with extents that overflow
 * int64. Each either infers the shape the ONNX spec gives (checked against plain C references
 * written here: window counting, Python slicing in 128-bit arithmetic) or fails with one
 * diagnostic naming the node and what overflows; none may wrap to a made-up shape (the
 * sanitizer build reports any signed overflow or out-of-range float conversion as a failure). */
#include "graph_attrs.h"
#include "ops/op_util.h"
#include "testutil.h"

#include <math.h>
#include <string.h>

static tcc_context *ctx;
static tcc_graph *g;

static void fresh(void) {
  if (ctx) tcc_context_destroy(ctx);
  ctx = tcc_context_create();
  g = tcc_graph_new(ctx, "t", NULL);
  g->file = "hostile.onnx";
}

static tcc_value *input(const char *name, tccrt_dtype dt, int ndim, const int64_t *dims) {
  tcc_value *v = tcc_graph_add_value(g, name, TCC_VALUE_INPUT);
  v->dtype = dt;
  v->ndim = ndim;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d * (size_t)(ndim + 1));
  for (int i = 0; i < ndim; i++)
    d[i] = tcc_idx(ctx, dims[i]);
  v->dims = d;
  tcc_vec_push(tcc_ctx_arena(ctx), &g->inputs, &v);
  return v;
}

static tcc_value *const_i64(const char *name, int n, const int64_t *vals) {
  tcc_value *v = tcc_graph_add_value(g, name, TCC_VALUE_CONST);
  v->dtype = TCCRT_INT64;
  v->ndim = 1;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d);
  d[0] = tcc_idx(ctx, n);
  v->dims = d;
  int64_t *data = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *data * (size_t)(n + 1));
  memcpy(data, vals, sizeof *data * (size_t)n);
  v->data = data;
  v->nbytes = sizeof *data * (size_t)n;
  return v;
}

static tcc_value *const_f32(const char *name, int n, const float *vals) {
  tcc_value *v = tcc_graph_add_value(g, name, TCC_VALUE_CONST);
  v->dtype = TCCRT_FLOAT32;
  v->ndim = 1;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *d);
  d[0] = tcc_idx(ctx, n);
  v->dims = d;
  float *data = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *data * (size_t)(n + 1));
  memcpy(data, vals, sizeof *data * (size_t)n);
  v->data = data;
  v->nbytes = sizeof *data * (size_t)n;
  return v;
}

/* One node OP named `name` (opset `opset`) over ins, inferred: its output value, or NULL when
 * inference failed (the diagnostic is in ctx). */
static tcc_value *infer1(const char *name, const char *op, int opset, int nin,
                         tcc_value *const *ins, int nattrs, const tcc_attr *attrs) {
  tcc_value *y = tcc_graph_add_value(g, "y", TCC_VALUE_NODE);
  tcc_node *n = tcc_graph_add_node(g, name, op, "", nin, ins, 1, &y);
  n->opset = opset;
  n->nattrs = nattrs;
  n->attrs = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_attr) * (size_t)(nattrs + 1));
  if (nattrs) memcpy(n->attrs, attrs, sizeof(tcc_attr) * (size_t)nattrs);
  tcc_opset *os = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *os);
  os->domain = "";
  os->version = opset;
  g->nopsets = 1;
  g->opsets = os;
  if (tcc_graph_resolve_ops(ctx, g) != TCC_OK) return NULL;
  if (tcc_graph_infer(ctx, g) != TCC_OK) return NULL;
  return y;
}

/* Inference failed with one diagnostic naming node `name` and containing `what`. */
static void expect_error(const char *case_name, const tcc_value *y, const char *name,
                         const char *what) {
  const char *e = tcc_error_text(ctx);
  CHECK_MSG(!y, "%s: inferred a shape; expected an error with '%s'", case_name, what);
  char nm[64];
  snprintf(nm, sizeof nm, "node '%s'", name);
  CHECK_MSG(strstr(e, nm) && strstr(e, what), "%s: diagnostic '%s' lacks '%s' / '%s'", case_name, e,
            nm, what);
}

static bool dim_is(const tcc_value *y, int d, int64_t want) {
  int64_t v;
  return y && y->ndim > d && tcc_expr_is_int_imm(y->dims[d], &v) && v == want;
}

#define BIG (INT64_C(1) << 62)

/* ---- 1. window geometry ---- */

/* Output extent of a 1-D pooling window by the ONNX reference (pool_get_output_shape), counted
 * window by window in 128-bit arithmetic: floor mode counts starts o*s whose window
 * [o*s, o*s + ek) lies in the padded input; ceil mode counts the starts up to the last partial
 * window (o*s < span + s), then drops the last one when it starts past the input and the begin
 * padding. -1: no window fits (an error). */
static int64_t ref_pool_extent(int64_t in, int64_t k, int64_t d, int64_t s, int64_t pb, int64_t pe,
                               bool ceil_mode) {
  __int128 ek = (__int128)(k - 1) * d + 1, padded = (__int128)in + pb + pe, span = padded - ek;
  if (span < 0) return -1;
  int64_t cnt = 0;
  __int128 st = 0;
  for (; ceil_mode ? st < span + s : st <= span; st += s)
    cnt++;
  if (ceil_mode && (__int128)(cnt - 1) * s >= (__int128)in + pb) cnt--;
  return cnt;
}

static void test_window_random(void) {
  for (int it = 0; it < 400; it++) {
    int64_t in = tcc_test_randint(1, 12), k = tcc_test_randint(1, 5), d = tcc_test_randint(1, 3);
    int64_t s = tcc_test_randint(1, 4), pb = tcc_test_randint(0, 3), pe = tcc_test_randint(0, 3);
    bool cm = tcc_test_randint(0, 1);
    fresh();
    int64_t xd[3] = {1, 2, in}, ks[1] = {k}, ds[1] = {d}, ss[1] = {s}, ps[2] = {pb, pe};
    tcc_value *x = input("x", TCCRT_FLOAT32, 3, xd);
    tcc_attr at[] = {a_ints("kernel_shape", 1, ks), a_ints("dilations", 1, ds),
                     a_ints("strides", 1, ss), a_ints("pads", 2, ps), a_int("ceil_mode", cm)};
    tcc_value *y = infer1("mp", "MaxPool", 12, 1, &x, 5, at);
    int64_t want = ref_pool_extent(in, k, d, s, pb, pe, cm);
    if (want < 0)
      expect_error("small window", y, "mp", "larger than the padded input");
    else
      CHECK_MSG(dim_is(y, 2, want),
                "in %lld k %lld d %lld s %lld pads %lld/%lld ceil %d: extent %s, expected %lld",
                (long long)in, (long long)k, (long long)d, (long long)s, (long long)pb,
                (long long)pe, (int)cm, y ? tcc_value_shape_str(ctx, y) : tcc_error_text(ctx),
                (long long)want);
  }
}

/* MaxPool / AveragePool / Conv with one hostile spatial attribute on a [1,1,4,4] input. */
static void hostile_window(const char *op, const int64_t *kernel, const int64_t *dil,
                           const int64_t *stride, const int64_t *pads, const char *auto_pad,
                           const char *what, int64_t want_h) {
  fresh();
  int64_t xd[4] = {1, 1, 4, 4};
  tcc_value *ins[2];
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  tcc_attr at[6];
  int na = 0, nin = 1;
  if (!strcmp(op, "Conv")) {
    int64_t wd[4] = {1, 1, kernel[0], kernel[1]};
    ins[nin++] = input("w", TCCRT_FLOAT32, 4, wd);
  } else {
    at[na++] = a_ints("kernel_shape", 2, kernel);
  }
  if (dil) at[na++] = a_ints("dilations", 2, dil);
  if (stride) at[na++] = a_ints("strides", 2, stride);
  if (pads) at[na++] = a_ints("pads", 4, pads);
  if (auto_pad) at[na++] = a_str("auto_pad", auto_pad);
  char name[80];
  snprintf(name, sizeof name, "%s %s", op, what ? what : "ok");
  tcc_value *y = infer1("w0", op, 19, nin, ins, na, at);
  if (what)
    expect_error(name, y, "w0", what);
  else
    CHECK_MSG(dim_is(y, 2, want_h), "%s: %s", name,
              y ? tcc_value_shape_str(ctx, y) : tcc_error_text(ctx));
}

static void test_window_hostile(void) {
  const int64_t kmax[2] = {INT64_MAX, 2}, k2[2] = {2, 2}, k3[2] = {3, 3};
  const int64_t pbig[4] = {BIG, 0, BIG, 0}, pmax[4] = {INT64_MAX, 0, 0, 0};
  const int64_t dbig[2] = {BIG, 1}, sbig[2] = {BIG, BIG}, p61[4] = {BIG / 2, 0, BIG / 2, 0};
  /* ov_ksz: kernel 2^63-1 with pads 2^62 (their sum overflows) */
  hostile_window("MaxPool", kmax, NULL, NULL, pbig, NULL, "overflow int64", 0);
  hostile_window("AveragePool", k2, NULL, NULL, pbig, NULL, "overflow int64", 0);
  hostile_window("Conv", k2, NULL, NULL, pbig, NULL, "overflow int64", 0);
  /* pads fit, input + pads does not */
  hostile_window("Conv", k2, NULL, NULL, pmax, NULL, "overflows int64", 0);
  /* the dilated kernel's extent overflows (ov_dil3), or fits but exceeds the input */
  hostile_window("Conv", k3, dbig, NULL, NULL, NULL, "overflows int64", 0);
  hostile_window("Conv", k2, dbig, NULL, NULL, NULL, "larger than the padded input", 0);
  hostile_window("MaxPool", kmax, NULL, NULL, NULL, NULL, "larger than the padded input", 0);
  hostile_window("MaxPool", kmax, NULL, NULL, p61, NULL, "larger than the padded input", 0);
  hostile_window("MaxPool", kmax, NULL, NULL, NULL, "VALID", "larger than the padded input", 0);
  /* SAME: the padding a huge dilated kernel needs overflows */
  const int64_t kd[2] = {3, 1}, dd[2] = {INT64_MAX / 2, 1};
  hostile_window("MaxPool", kd, dd, NULL, NULL, "SAME_UPPER", "overflows int64", 0);
  /* huge strides are fine: one window (ceil(4 / 2^62) = 1, floor((4 - 2) / 2^62) + 1 = 1) */
  hostile_window("Conv", k2, NULL, sbig, NULL, NULL, NULL, 1);
  hostile_window("MaxPool", k2, NULL, sbig, NULL, "SAME_LOWER", NULL, 1);
  const int64_t smax[2] = {INT64_MAX, 1};
  hostile_window("MaxPool", k2, NULL, smax, NULL, NULL, NULL, 1);
}

/* ConvTranspose: s * (in - 1) + output_padding + ek - pads; Col2Im's sliding positions. */
static void test_conv_transpose_col2im(void) {
  fresh();
  int64_t xd[4] = {1, 1, 4, 4}, wd[4] = {1, 1, 2, 2};
  tcc_value *ins[2] = {input("x", TCCRT_FLOAT32, 4, xd), input("w", TCCRT_FLOAT32, 4, wd)};
  const int64_t sbig[2] = {BIG, 1};
  tcc_attr at[] = {a_ints("strides", 2, sbig)};
  expect_error("ConvTranspose strides 2^62", infer1("ct", "ConvTranspose", 11, 2, ins, 1, at), "ct",
               "overflows int64");
  fresh();
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  ins[1] = input("w", TCCRT_FLOAT32, 4, wd);
  const int64_t dbig[2] = {BIG, BIG};
  tcc_attr at2[] = {a_ints("dilations", 2, dbig)};
  expect_error("ConvTranspose dilations 2^62", infer1("ct", "ConvTranspose", 11, 2, ins, 1, at2),
               "ct", "overflows int64");
  fresh();
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  ins[1] = input("w", TCCRT_FLOAT32, 4, wd);
  const int64_t pneg[4] = {INT64_MIN + 1, 0, INT64_MIN + 1, 0};
  tcc_attr at3[] = {a_ints("pads", 4, pneg)};
  expect_error("ConvTranspose pads -2^63", infer1("ct", "ConvTranspose", 11, 2, ins, 1, at3), "ct",
               "overflow int64");
  /* a plain one still infers (1 * 3 + 0 + 2 - 0 = 5) */
  fresh();
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  ins[1] = input("w", TCCRT_FLOAT32, 4, wd);
  tcc_value *y = infer1("ct", "ConvTranspose", 11, 2, ins, 0, NULL);
  CHECK_MSG(dim_is(y, 2, 5) && dim_is(y, 3, 5), "%s", tcc_error_text(ctx));
  /* Col2Im with a block whose dilated extent overflows */
  fresh();
  int64_t cd[3] = {1, 4, 9};
  const int64_t img[2] = {4, 4}, blk[2] = {2, 2};
  tcc_value *cin[3] = {input("x", TCCRT_FLOAT32, 3, cd), const_i64("img", 2, img),
                       const_i64("blk", 2, blk)};
  const int64_t cdil[2] = {BIG, 1};
  tcc_attr at4[] = {a_ints("dilations", 2, cdil)};
  expect_error("Col2Im dilations 2^62", infer1("c2i", "Col2Im", 18, 3, cin, 1, at4), "c2i",
               "overflows int64");
}

/* ---- 2. Slice ---- */

/* len(range(*slice(start, end, step).indices(dim))) by the ONNX Slice rules, in 128-bit
 * arithmetic, counting element by element. */
static int64_t ref_slice_len(int64_t dim, int64_t start, int64_t end, int64_t step) {
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
    n++;
  return n;
}

static void slice_case(int64_t dim, int64_t st, int64_t en, int64_t step) {
  fresh();
  int64_t xd[1] = {dim};
  const int64_t z = 0;
  tcc_value *ins[5] = {input("x", TCCRT_FLOAT32, 1, xd), const_i64("s", 1, &st),
                       const_i64("e", 1, &en), const_i64("a", 1, &z), const_i64("st", 1, &step)};
  tcc_value *y = infer1("sl", "Slice", 13, 5, ins, 0, NULL);
  int64_t want = ref_slice_len(dim, st, en, step);
  CHECK_MSG(dim_is(y, 0, want), "x[%lld] [%lld:%lld:%lld]: %s, expected [%lld]", (long long)dim,
            (long long)st, (long long)en, (long long)step,
            y ? tcc_value_shape_str(ctx, y) : tcc_error_text(ctx), (long long)want);
}

static void test_slice(void) {
  /* the hostile cases: x = arange(6) */
  slice_case(6, 0, INT64_MAX, INT64_MAX); /* [0] */
  slice_case(6, 0, 5, INT64_MAX);         /* [0] */
  slice_case(6, 3, 0, INT64_MIN);         /* [3] */
  slice_case(6, INT64_MIN, INT64_MAX, INT64_MIN);
  slice_case(6, INT64_MAX, INT64_MIN, INT64_MIN); /* [5] */
  slice_case(6, INT64_MAX, INT64_MIN, -1);
  slice_case(6, INT64_MIN, INT64_MAX, 1);
  slice_case(6, -1, INT64_MIN, INT64_MIN + 1);
  static const int64_t ext[] = {INT64_MIN, INT64_MIN + 1, -BIG, -7, BIG, INT64_MAX - 1, INT64_MAX};
  for (int it = 0; it < 600; it++) {
    int64_t dim = tcc_test_randint(1, 9), v[3];
    for (int k = 0; k < 3; k++)
      v[k] = tcc_test_randint(0, 3) == 0 ? ext[tcc_test_randint(0, 6)] : tcc_test_randint(-11, 11);
    if (v[2] == 0) v[2] = tcc_test_randint(0, 1) ? INT64_MIN : 1;
    slice_case(dim, v[0], v[1], v[2]);
  }
}

/* ---- 3., 4. Tile, DepthToSpace / SpaceToDepth, Resize ---- */

static void test_tile_d2s_resize(void) {
  fresh();
  int64_t xd[4] = {1, 1, 4, 4};
  const int64_t rep[4] = {1, 1, BIG, BIG};
  tcc_value *ins[4] = {input("x", TCCRT_FLOAT32, 4, xd), const_i64("r", 4, rep)};
  expect_error("Tile 2^62", infer1("tl", "Tile", 13, 2, ins, 0, NULL), "tl",
               "element count overflows int64");
  /* repeats whose per-dim products fit but whose element count does not */
  fresh();
  const int64_t rep2[4] = {1, 1, INT64_C(1) << 31, INT64_C(1) << 31};
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  ins[1] = const_i64("r", 4, rep2);
  expect_error("Tile 2^31", infer1("tl", "Tile", 13, 2, ins, 0, NULL), "tl",
               "element count or byte size overflows int64");
  fresh();
  const int64_t rep3[4] = {2, 1, 3, 1};
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  ins[1] = const_i64("r", 4, rep3);
  tcc_value *y = infer1("tl", "Tile", 13, 2, ins, 0, NULL);
  CHECK_MSG(dim_is(y, 0, 2) && dim_is(y, 2, 12) && dim_is(y, 3, 4), "%s", tcc_error_text(ctx));

  /* Pad by 2^62 on both sides of an extent 4 (ov_padop): not a wrapped, negative extent */
  fresh();
  const int64_t pads[8] = {0, 0, BIG, BIG, 0, 0, BIG, BIG}, pads_ok[8] = {0, 0, 1, 2, 0, 0, 3, 4};
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  ins[1] = const_i64("p", 8, pads);
  expect_error("Pad 2^62", infer1("pd", "Pad", 13, 2, ins, 0, NULL), "pd", "overflows int64");
  fresh();
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  ins[1] = const_i64("p", 8, pads_ok);
  y = infer1("pd", "Pad", 13, 2, ins, 0, NULL);
  CHECK_MSG(dim_is(y, 2, 8) && dim_is(y, 3, 10), "%s", tcc_error_text(ctx));

  const int64_t blocks[] = {BIG, INT64_C(1) << 32, INT64_MAX};
  for (int i = 0; i < 3; i++)
    for (int op = 0; op < 2; op++) {
      fresh();
      ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
      tcc_attr at[] = {a_int("blocksize", blocks[i])};
      const char *o = op ? "SpaceToDepth" : "DepthToSpace";
      expect_error(o, infer1("d", o, 13, 1, ins, 1, at), "d", "overflows int64");
    }
  /* SpaceToDepth 2^31 on [1,1,2^31,2^31]: channels 2^62, the count overflows */
  fresh();
  int64_t sd[4] = {1, 2, INT64_C(1) << 31, INT64_C(1) << 31};
  ins[0] = input("x", TCCRT_FLOAT32, 4, sd);
  tcc_attr at31[] = {a_int("blocksize", INT64_C(1) << 31)};
  expect_error("SpaceToDepth 2^31", infer1("d", "SpaceToDepth", 13, 1, ins, 1, at31), "d",
               "overflows int64");

  /* Resize: scales 1e30 (4e30 does not fit int64); the float conversion is never attempted */
  static const float scales[][4] = {{1, 1, 1e30f, 1e30f}, {1, 1, 3e18f, 1}, {1, 1, INFINITY, 1}};
  for (int i = 0; i < 3; i++) {
    fresh();
    tcc_value *rin[3] = {input("x", TCCRT_FLOAT32, 4, xd), NULL, const_f32("sc", 4, scales[i])};
    expect_error("Resize huge scale", infer1("rz", "Resize", 13, 3, rin, 0, NULL), "rz",
                 "does not fit int64");
  }
  fresh();
  static const float ok[4] = {1, 1, 2.5f, 0.5f};
  tcc_value *rin[3] = {input("x", TCCRT_FLOAT32, 4, xd), NULL, const_f32("sc", 4, ok)};
  y = infer1("rz", "Resize", 13, 3, rin, 0, NULL);
  CHECK_MSG(dim_is(y, 2, 10) && dim_is(y, 3, 2), "%s", tcc_error_text(ctx));
}

/* ---- 5. MaxUnpool geometry ---- */

static void test_unpool_geometry(void) {
  fresh();
  int64_t xd[4] = {1, 1, 4, 4};
  tcc_value *ins[2] = {input("x", TCCRT_FLOAT32, 4, xd), input("i", TCCRT_INT64, 4, xd)};
  const int64_t k[2] = {2, 2}, s[2] = {BIG, 1};
  tcc_attr at[] = {a_ints("kernel_shape", 2, k), a_ints("strides", 2, s)};
  expect_error("MaxUnpool strides 2^62", infer1("up", "MaxUnpool", 11, 2, ins, 2, at), "up",
               "overflows int64");
  fresh();
  ins[0] = input("x", TCCRT_FLOAT32, 4, xd);
  ins[1] = input("i", TCCRT_INT64, 4, xd);
  const int64_t s2[2] = {2, 2};
  tcc_attr at2[] = {a_ints("kernel_shape", 2, k), a_ints("strides", 2, s2)};
  tcc_value *y = infer1("up", "MaxUnpool", 11, 2, ins, 2, at2);
  CHECK_MSG(dim_is(y, 2, 8) && dim_is(y, 3, 8), "%s", tcc_error_text(ctx));
}

int main(void) {
  tcc_test_seed("ops_overflow_infer");
  test_window_random();
  test_window_hostile();
  test_conv_transpose_col2im();
  test_slice();
  test_tile_d2s_resize();
  test_unpool_geometry();
  if (ctx) tcc_context_destroy(ctx);
  return tcc_test_finish("ops_overflow_infer");
}
