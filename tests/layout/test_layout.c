/* test_layout.c — layout strings (parse, print, errors), shape transforms, the compile-time data
 * transform and the TE compute of a layout transform (lowered and run by the interpreter):
 * plain -> blocked -> plain round trips are exact and every element lands where the NCHW[x]c
 * definition (TVM's) puts it, checked against index arithmetic written here. */
#include "interp.h"
#include "layout.h"
#include "passes/passes.h"
#include "schedule.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static void test_parse_print(void) {
  tcc_context *ctx = tcc_context_create();
  static const char *const good[] = {"NCHW",  "NCHW8c", "NCHW16c",  "OIHW8i16o", "C8c",
                                     "CHW4c", "NCHW3c", "OIHW1i8o", "N",         "NC1c"};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(good); i++) {
    tcc_layout l;
    tcc_status st = tcc_layout_parse(ctx, good[i], &l);
    CHECK_MSG(st == TCC_OK, "%s: %s", good[i], tcc_error_text(ctx));
    if (st == TCC_OK) CHECK_MSG(!strcmp(tcc_layout_str(ctx, &l), good[i]), "%s", good[i]);
  }
  tcc_layout l;
  CHECK(tcc_layout_parse(ctx, "OIHW8i16o", &l) == TCC_OK);
  CHECK(l.ndim == 6 && tcc_layout_primal_rank(&l) == 4);
  CHECK(tcc_layout_block(&l, 'I') == 8 && tcc_layout_block(&l, 'O') == 16);
  CHECK(tcc_layout_block(&l, 'H') == 0 && tcc_layout_index(&l, 'o') == 5);
  CHECK(tcc_layout_is_blocked(&l));
  tcc_layout p = tcc_layout_primal(&l);
  CHECK(!strcmp(tcc_layout_str(ctx, &p), "OIHW") && !tcc_layout_is_blocked(&p));
  tcc_layout pl = tcc_layout_plain();
  CHECK(tcc_layout_eq(&p, &pl) && !tcc_layout_eq(&l, &pl));
  CHECK(!strcmp(tcc_layout_str(ctx, &pl), "plain"));
  tcc_layout n8, d;
  CHECK(tcc_layout_parse(ctx, "NCHW8c", &n8) == TCC_OK);
  CHECK(tcc_layout_drop_leading(&n8, 1, &d) && !strcmp(tcc_layout_str(ctx, &d), "CHW8c"));
  CHECK(!tcc_layout_drop_leading(&n8, 2, &d)); /* C has a sub-dim */
  static const char *const bad[] = {"",        "NCHW8", "NCHWc", "NCHW0c",   "NCHW8C",   "NNCHW",
                                    "NCH8c8c", "N8x",   "NC-1c", "NCHW8c4c", "ABCDEFGHI"};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(bad); i++) {
    tcc_error_clear(ctx);
    CHECK_MSG(tcc_layout_parse(ctx, bad[i], &l) == TCC_ERR, "'%s' was accepted", bad[i]);
    CHECK(tcc_error_text(ctx)[0] != 0);
  }
  tcc_context_destroy(ctx);
}

static void test_shapes(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_layout nchw, n8, n4, oihw, w;
  CHECK(tcc_layout_parse(ctx, "NCHW", &nchw) == TCC_OK);
  CHECK(tcc_layout_parse(ctx, "NCHW8c", &n8) == TCC_OK);
  CHECK(tcc_layout_parse(ctx, "NCHW4c", &n4) == TCC_OK);
  CHECK(tcc_layout_parse(ctx, "OIHW", &oihw) == TCC_OK);
  CHECK(tcc_layout_parse(ctx, "OIHW8i16o", &w) == TCC_OK);
  const tcc_expr *s[4] = {tcc_idx(ctx, 2), tcc_idx(ctx, 32), tcc_idx(ctx, 7), tcc_idx(ctx, 5)};
  const tcc_expr *o[8];
  CHECK(tcc_layout_transform_shape(ctx, &nchw, s, &n8, o) == TCC_OK);
  int64_t want[5] = {2, 4, 7, 5, 8}, v;
  for (int d = 0; d < 5; d++)
    CHECK(tcc_expr_is_int_imm(o[d], &v) && v == want[d]);
  /* NCHW8c [2,4,7,5,8] -> NCHW4c [2,8,7,5,4] */
  const tcc_expr *o2[8];
  CHECK(tcc_layout_transform_shape(ctx, &n8, o, &n4, o2) == TCC_OK);
  int64_t want2[5] = {2, 8, 7, 5, 4};
  for (int d = 0; d < 5; d++)
    CHECK(tcc_expr_is_int_imm(o2[d], &v) && v == want2[d]);
  const tcc_expr *ws[4] = {tcc_idx(ctx, 32), tcc_idx(ctx, 24), tcc_idx(ctx, 3), tcc_idx(ctx, 3)};
  CHECK(tcc_layout_transform_shape(ctx, &oihw, ws, &w, o) == TCC_OK);
  int64_t want3[6] = {2, 3, 3, 3, 8, 16};
  for (int d = 0; d < 6; d++)
    CHECK(tcc_expr_is_int_imm(o[d], &v) && v == want3[d]);
  /* indivisible, and different primal dims */
  s[1] = tcc_idx(ctx, 12);
  tcc_error_clear(ctx);
  CHECK(tcc_layout_transform_shape(ctx, &nchw, s, &n8, o) == TCC_ERR);
  CHECK(strstr(tcc_error_text(ctx), "divisible") != NULL);
  CHECK(tcc_layout_transform_shape(ctx, &nchw, s, &w, o) == TCC_ERR);
  tcc_context_destroy(ctx);
}

/* The NCHW offset of element (n, c, h, w) in NCHW{b}c of shape [N, C/b, H, W, b]. */
static int64_t blocked_offset(int64_t n, int64_t c, int64_t h, int64_t w, int64_t C, int64_t H,
                              int64_t W, int64_t b) {
  return (((n * (C / b) + c / b) * H + h) * W + w) * b + c % b;
}

static void test_data_round_trip(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_layout nchw, n8, n4;
  CHECK(tcc_layout_parse(ctx, "NCHW", &nchw) == TCC_OK);
  CHECK(tcc_layout_parse(ctx, "NCHW8c", &n8) == TCC_OK);
  CHECK(tcc_layout_parse(ctx, "NCHW4c", &n4) == TCC_OK);
  enum { N = 2, C = 16, H = 3, W = 5, T = N * C * H * W };
  static float x[T], y[T], z[T], r[T];
  for (int i = 0; i < T; i++)
    x[i] = (float)tcc_test_uniform(-1, 1);
  int64_t shp[4] = {N, C, H, W}, shp8[5] = {N, C / 8, H, W, 8};
  CHECK(tcc_layout_transform_data(ctx, &nchw, shp, &n8, 4, x, y) == TCC_OK);
  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++)
      for (int h = 0; h < H; h++)
        for (int w = 0; w < W; w++)
          CHECK(y[blocked_offset(n, c, h, w, C, H, W, 8)] == x[((n * C + c) * H + h) * W + w]);
  CHECK(tcc_layout_transform_data(ctx, &n8, shp8, &n4, 4, y, z) == TCC_OK);
  for (int n = 0; n < N; n++)
    for (int c = 0; c < C; c++)
      for (int h = 0; h < H; h++)
        for (int w = 0; w < W; w++)
          CHECK(z[blocked_offset(n, c, h, w, C, H, W, 4)] == x[((n * C + c) * H + h) * W + w]);
  CHECK(tcc_layout_transform_data(ctx, &n8, shp8, &nchw, 4, y, r) == TCC_OK);
  CHECK(!memcmp(r, x, sizeof x));
  tcc_context_destroy(ctx);
}

/* Lowers tensor `out` (computed from placeholder `in`) and runs it in the interpreter. */
static tcc_status run_te(tcc_context *ctx, const tcc_tensor *in, const tcc_tensor *out, void *src,
                         void *dst) {
  tcc_schedule *s = tcc_schedule_create(ctx, 1, &out);
  const tcc_tensor *args[2] = {in, out};
  tcc_primfunc *fn;
  TCC_TRY(tcc_lower(ctx, s, "lt", 2, args, &fn));
  void *bufs[2] = {src, dst};
  return tcc_interp_run(ctx, fn, bufs, NULL);
}

static void test_te_round_trip(void) {
  tcc_context *ctx = tcc_context_create();
  static const char *const pairs[][2] = {
      {"NCHW", "NCHW8c"}, {"NCHW", "NCHW3c"}, {"NCHW", "NCHW1c"}, {"NCHW", "NCHW24c"}};
  for (size_t p = 0; p < TCC_ARRAY_SIZE(pairs); p++) {
    tcc_layout a, b;
    CHECK(tcc_layout_parse(ctx, pairs[p][0], &a) == TCC_OK);
    CHECK(tcc_layout_parse(ctx, pairs[p][1], &b) == TCC_OK);
    int64_t blk = tcc_layout_block(&b, 'C');
    int64_t N = tcc_test_randint(1, 2), C = blk * tcc_test_randint(1, 3),
            H = tcc_test_randint(1, 6), W = tcc_test_randint(1, 6);
    int64_t T = N * C * H * W;
    const tcc_expr *sh[4] = {tcc_idx(ctx, N), tcc_idx(ctx, C), tcc_idx(ctx, H), tcc_idx(ctx, W)};
    tcc_tensor *x = tcc_placeholder(ctx, "x", TCCRT_FLOAT32, 4, sh);
    tcc_tensor *y, *z;
    CHECK(tcc_layout_transform_compute(ctx, x, &a, &b, "y", &y) == TCC_OK);
    tcc_tensor *yp = tcc_placeholder(ctx, "yp", TCCRT_FLOAT32, y->ndim, y->shape);
    CHECK(tcc_layout_transform_compute(ctx, yp, &b, &a, "z", &z) == TCC_OK);
    float *xs = malloc(sizeof(float) * (size_t)T), *ys = malloc(sizeof(float) * (size_t)T),
          *zs = malloc(sizeof(float) * (size_t)T);
    for (int64_t i = 0; i < T; i++)
      xs[i] = (float)tcc_test_uniform(-5, 5);
    tcc_status st = run_te(ctx, x, y, xs, ys);
    CHECK_MSG(st == TCC_OK, "%s", tcc_error_text(ctx));
    st = run_te(ctx, yp, z, ys, zs);
    CHECK_MSG(st == TCC_OK, "%s", tcc_error_text(ctx));
    for (int64_t n = 0; n < N; n++)
      for (int64_t c = 0; c < C; c++)
        for (int64_t h = 0; h < H; h++)
          for (int64_t w = 0; w < W; w++)
            CHECK(ys[blocked_offset(n, c, h, w, C, H, W, blk)] ==
                  xs[((n * C + c) * H + h) * W + w]);
    CHECK_MSG(!memcmp(xs, zs, sizeof(float) * (size_t)T), "%s -> %s -> %s round trip", pairs[p][0],
              pairs[p][1], pairs[p][0]);
    free(xs);
    free(ys);
    free(zs);
  }
  /* a wrong input rank is an error, not a crash */
  tcc_layout a, b;
  CHECK(tcc_layout_parse(ctx, "NCHW", &a) == TCC_OK);
  CHECK(tcc_layout_parse(ctx, "NCHW8c", &b) == TCC_OK);
  const tcc_expr *sh[3] = {tcc_idx(ctx, 1), tcc_idx(ctx, 8), tcc_idx(ctx, 2)};
  tcc_tensor *x = tcc_placeholder(ctx, "x", TCCRT_FLOAT32, 3, sh), *y;
  CHECK(tcc_layout_transform_compute(ctx, x, &a, &b, "y", &y) == TCC_ERR);
  tcc_context_destroy(ctx);
}

static void test_table(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_layout_table t = {0, NULL};
  tcc_layout l;
  CHECK(tcc_layout_parse(ctx, "NCHW8c", &l) == TCC_OK);
  CHECK(tcc_layout_is_plain(tcc_layout_of(&t, 3)) && tcc_layout_is_plain(tcc_layout_of(NULL, 0)));
  tcc_layout_set(ctx, &t, 1000, &l);
  CHECK(tcc_layout_eq(tcc_layout_of(&t, 1000), &l) && tcc_layout_is_plain(tcc_layout_of(&t, 999)));
  tcc_layout_set(ctx, &t, 2, &l);
  CHECK(tcc_layout_eq(tcc_layout_of(&t, 2), &l) && tcc_layout_eq(tcc_layout_of(&t, 1000), &l));
  tcc_context_destroy(ctx);
}

/* The pass on a graph with no node at all (an output that is an input): nothing to do, no
 * error, and no memcpy from the empty node list's NULL data (UBSan in the sanitizer job). */
static void test_pass_empty_graph(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = tcc_graph_new(ctx, "empty", NULL);
  tcc_value *x = tcc_graph_add_value(g, "x", TCC_VALUE_INPUT);
  x->dtype = TCCRT_FLOAT32;
  x->ndim = 0;
  tcc_vec_push(tcc_ctx_arena(ctx), &g->inputs, &x);
  tcc_vec_push(tcc_ctx_arena(ctx), &g->outputs, &x);
  tcc_layout_table t = {0, NULL};
  CHECK_MSG(tcc_pass_alter_layout(ctx, g, 8, &t) == TCC_OK, "%s", tcc_error_text(ctx));
  CHECK(g->nodes.len == 0 && tcc_layout_is_plain(tcc_layout_of(&t, x->id)));
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_layout");
  test_pass_empty_graph();
  test_parse_print();
  test_shapes();
  test_data_round_trip();
  test_te_round_trip();
  test_table();
  return tcc_test_finish("test_layout");
}
