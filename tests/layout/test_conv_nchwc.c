/* test_conv_nchwc.c — blocked convolutions end to end: graphs built here are compiled by the AOT
 * driver with the layout pass on (--layout auto) and off, run through the JIT and compared with
 * plain C references of the ONNX operators (Conv with strides, pads, dilations, groups and bias;
 * Add, Relu, Clip, BatchNormalization in inference mode, MaxPool, GlobalAveragePool, Flatten).
 * Also checks what the pass did: which Convs became ConvNCHWc (channel counts dividing the block,
 * depthwise) and which stayed plain (indivisible channels, other groups), and that a chain of
 * blocked ops gets exactly one LayoutTransform back to plain. Shapes are random (seeded). */
#include "aot/aot.h"
#include "jit_model.h"
#include "ops/op.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static tcc_value *typed(tcc_graph *g, const char *name, tcc_value_kind kind, int ndim,
                        const int64_t *dims) {
  tcc_context *ctx = g->ctx;
  tcc_value *v = tcc_graph_add_value(g, name, kind);
  v->dtype = TCCRT_FLOAT32;
  v->ndim = ndim;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_expr *) * (size_t)(ndim + 1));
  for (int i = 0; i < ndim; i++)
    d[i] = tcc_idx(ctx, dims[i]);
  v->dims = d;
  return v;
}

static int64_t numel(int ndim, const int64_t *d) {
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= d[i];
  return n;
}

/* A float32 constant of random values in [lo, hi). */
static tcc_value *rand_const(tcc_graph *g, const char *name, int ndim, const int64_t *dims,
                             double lo, double hi) {
  tcc_value *v = typed(g, name, TCC_VALUE_CONST, ndim, dims);
  int64_t n = numel(ndim, dims);
  float *d = tcc_arena_alloc(tcc_ctx_arena(g->ctx), sizeof(float) * (size_t)(n + 1));
  for (int64_t i = 0; i < n; i++)
    d[i] = (float)tcc_test_uniform(lo, hi);
  v->data = d;
  v->nbytes = sizeof(float) * (size_t)n;
  return v;
}

static tcc_graph *new_graph(tcc_context *ctx) {
  tcc_graph *g = tcc_graph_new(ctx, "g", NULL);
  static tcc_opset ops[1] = {{"", 13}};
  g->nopsets = 1;
  g->opsets = ops;
  g->file = "layout_test.onnx";
  return g;
}

static tcc_node *add_node(tcc_graph *g, const char *op, int nin, tcc_value **ins, tcc_value *out) {
  tcc_node *n = tcc_graph_add_node(g, out->name, op, "", nin, ins, 1, &out);
  n->opset = 13;
  return n;
}

static void attr_ints(tcc_graph *g, tcc_node *n, const char *name, int cnt, const int64_t *v) {
  tcc_arena *a = tcc_ctx_arena(g->ctx);
  tcc_attr *at = tcc_arena_alloc(a, sizeof(tcc_attr) * (size_t)(n->nattrs + 1));
  if (n->nattrs) memcpy(at, n->attrs, sizeof(tcc_attr) * (size_t)n->nattrs);
  tcc_attr *x = &at[n->nattrs];
  x->name = name;
  x->kind = TCC_ATTR_INTS;
  int64_t *c = tcc_arena_alloc(a, sizeof(int64_t) * (size_t)cnt);
  memcpy(c, v, sizeof(int64_t) * (size_t)cnt);
  x->u.ints.n = cnt;
  x->u.ints.v = c;
  n->attrs = at;
  n->nattrs++;
}

static void attr_int(tcc_graph *g, tcc_node *n, const char *name, int64_t v) {
  tcc_arena *a = tcc_ctx_arena(g->ctx);
  tcc_attr *at = tcc_arena_alloc(a, sizeof(tcc_attr) * (size_t)(n->nattrs + 1));
  if (n->nattrs) memcpy(at, n->attrs, sizeof(tcc_attr) * (size_t)n->nattrs);
  at[n->nattrs].name = name;
  at[n->nattrs].kind = TCC_ATTR_INT;
  at[n->nattrs].u.i = v;
  n->attrs = at;
  n->nattrs++;
}

/* ---- references (ONNX semantics, double accumulation) ---- */

typedef struct conv_p {
  int64_t N, C, H, W, M, kh, kw, sh, sw, ph0, pw0, ph1, pw1, dh, dw, group;
  bool bias;
} conv_p;

static int64_t conv_oh(const conv_p *p) {
  return (p->H + p->ph0 + p->ph1 - ((p->kh - 1) * p->dh + 1)) / p->sh + 1;
}
static int64_t conv_ow(const conv_p *p) {
  return (p->W + p->pw0 + p->pw1 - ((p->kw - 1) * p->dw + 1)) / p->sw + 1;
}

static void conv_ref(const conv_p *p, const float *x, const float *w, const float *b, float *y) {
  int64_t OH = conv_oh(p), OW = conv_ow(p), Cg = p->C / p->group, Mg = p->M / p->group;
  for (int64_t n = 0; n < p->N; n++)
    for (int64_t m = 0; m < p->M; m++)
      for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++) {
          double acc = p->bias ? b[m] : 0;
          int64_t gi = m / Mg;
          for (int64_t c = 0; c < Cg; c++)
            for (int64_t i = 0; i < p->kh; i++)
              for (int64_t j = 0; j < p->kw; j++) {
                int64_t h = oh * p->sh + i * p->dh - p->ph0, q = ow * p->sw + j * p->dw - p->pw0;
                if (h < 0 || h >= p->H || q < 0 || q >= p->W) continue;
                acc += (double)x[((n * p->C + gi * Cg + c) * p->H + h) * p->W + q] *
                       w[((m * Cg + c) * p->kh + i) * p->kw + j];
              }
          y[((n * p->M + m) * OH + oh) * OW + ow] = (float)acc;
        }
}

/* Adds a Conv node of p reading x; weights (and bias) random constants. */
static tcc_value *conv_node(tcc_graph *g, const conv_p *p, tcc_value *x, const char *name,
                            const float **wd, const float **bd) {
  int64_t wdims[4] = {p->M, p->C / p->group, p->kh, p->kw}, bdims[1] = {p->M};
  tcc_arena *a = tcc_ctx_arena(g->ctx);
  tcc_value *w = rand_const(g, tcc_arena_printf(a, "%s_w", name), 4, wdims, -1, 1);
  tcc_value *b = p->bias ? rand_const(g, tcc_arena_printf(a, "%s_b", name), 1, bdims, -1, 1) : NULL;
  *wd = w->data;
  *bd = b ? b->data : NULL;
  tcc_value *y = tcc_graph_add_value(g, name, TCC_VALUE_NODE);
  tcc_value *ins[3] = {x, w, b};
  tcc_node *n = add_node(g, "Conv", p->bias ? 3 : 2, ins, y);
  int64_t st[2] = {p->sh, p->sw}, pads[4] = {p->ph0, p->pw0, p->ph1, p->pw1},
          dil[2] = {p->dh, p->dw};
  attr_ints(g, n, "strides", 2, st);
  attr_ints(g, n, "pads", 4, pads);
  attr_ints(g, n, "dilations", 2, dil);
  if (p->group != 1) attr_int(g, n, "group", p->group);
  return y;
}

static int count_op(const tcc_graph *g, const char *op) {
  int c = 0;
  for (size_t i = 0; i < g->nodes.len; i++)
    c += !strcmp(TCC_GRAPH_NODE(g, i)->op_type, op);
  return c;
}

/* LayoutTransform nodes whose destination is a plain layout (no sub-dims). */
static int count_to_plain(const tcc_graph *g) {
  int c = 0;
  for (size_t i = 0; i < g->nodes.len; i++) {
    const tcc_node *n = TCC_GRAPH_NODE(g, i);
    if (strcmp(n->op_type, "LayoutTransform")) continue;
    const tcc_attr *d = tcc_node_attr(n, "dst_layout");
    bool digit = false;
    for (const char *s = d ? d->u.s : ""; *s; s++)
      digit |= *s >= '0' && *s <= '9';
    c += !digit;
  }
  return c;
}

/* Compiles g (inputs/outputs set) with `layout`, runs it once on `in` and writes `out`. Returns
 * the compiled graph's op counts through the callbacks of the caller (via *gout). */
static bool compile_run(tcc_context *ctx, tcc_graph *g, int layout, const char *name, int nin,
                        const void *const *in, int nout, void *const *out, const tcc_graph **gout) {
  tcc_aot_options o = {0};
  o.name = name;
  o.opt_level = 2;
  o.opt_level_set = true;
  o.layout = layout;
  jit_model md;
  if (!jit_model_load(ctx, g, &o, name, &md)) return false;
  if (gout) *gout = tcc_aot_graph(md.m);
  CHECK(md.info->num_inputs == nin && md.info->num_outputs == nout);
  int r = jit_model_run(&md, in, out);
  CHECK_MSG(r == 0, "%s: run failed: %s", name, tccrt_last_error());
  jit_model_release(&md);
  return r == 0;
}

static int compare(const char *what, const float *got, const float *ref, int64_t n) {
  int bad = 0;
  for (int64_t i = 0; i < n; i++)
    if (!tcc_test_close(got[i], ref[i], 1e-4, 1e-4)) {
      if (bad++ < 3)
        fprintf(stderr, "%s: element %lld: got %g, expected %g\n", what, (long long)i, got[i],
                ref[i]);
    }
  CHECK_MSG(bad == 0, "%s: %d of %lld elements differ", what, bad, (long long)n);
  return bad;
}

/* One Conv of parameters p, compiled with and without the layout pass. `blocked`: whether the
 * pass must turn it into ConvNCHWc. */
static void one_conv(const conv_p *p, bool blocked, int iter) {
  int64_t xd[4] = {p->N, p->C, p->H, p->W};
  int64_t OH = conv_oh(p), OW = conv_ow(p), yn = p->N * p->M * OH * OW, xn = numel(4, xd);
  float *x = malloc(sizeof(float) * (size_t)xn), *ref = malloc(sizeof(float) * (size_t)yn);
  float *y = malloc(sizeof(float) * (size_t)yn);
  for (int64_t i = 0; i < xn; i++)
    x[i] = (float)tcc_test_uniform(-1, 1);
  for (int layout = 0; layout < 2; layout++) {
    tcc_context *ctx = tcc_context_create();
    tcc_graph *g = new_graph(ctx);
    tcc_value *xv = typed(g, "x", TCC_VALUE_INPUT, 4, xd);
    tcc_vec_push(tcc_ctx_arena(ctx), &g->inputs, &xv);
    const float *wd, *bd;
    tcc_value *yv = conv_node(g, p, xv, "y", &wd, &bd);
    tcc_vec_push(tcc_ctx_arena(ctx), &g->outputs, &yv);
    conv_ref(p, x, wd, bd, ref); /* this graph's own random weights */
    const void *in[1] = {x};
    void *out[1] = {y};
    const tcc_graph *cg = NULL;
    memset(y, 0xff, sizeof(float) * (size_t)yn);
    char what[256];
    snprintf(what, sizeof what,
             "iter %d layout %s: N%lld C%lld H%lld W%lld M%lld k%lldx%lld s%lldx%lld "
             "p%lld,%lld,%lld,%lld d%lldx%lld g%lld bias %d",
             iter, layout ? "nchw" : "auto", (long long)p->N, (long long)p->C, (long long)p->H,
             (long long)p->W, (long long)p->M, (long long)p->kh, (long long)p->kw, (long long)p->sh,
             (long long)p->sw, (long long)p->ph0, (long long)p->pw0, (long long)p->ph1,
             (long long)p->pw1, (long long)p->dh, (long long)p->dw, (long long)p->group, p->bias);
    if (compile_run(ctx, g, layout ? TCC_AOT_LAYOUT_PLAIN : TCC_AOT_LAYOUT_AUTO, "conv", 1, in, 1,
                    out, &cg)) {
      compare(what, y, ref, yn);
      int nc = count_op(cg, "ConvNCHWc");
      CHECK_MSG(nc == (layout == 0 && blocked ? 1 : 0), "%s: %d ConvNCHWc nodes", what, nc);
      CHECK_MSG(count_op(cg, "Conv") == 1 - nc, "%s: plain Conv count", what);
    }
    tcc_context_destroy(ctx);
  }
  free(x);
  free(y);
  free(ref);
}

static void test_random_convs(void) {
  int lanes = tcc_aot_vector_lanes(NULL, NULL); /* the default target's block */
  int iters = getenv("TCC_LAYOUT_ITERS") ? atoi(getenv("TCC_LAYOUT_ITERS")) : 24;
  for (int it = 0; it < iters; it++) {
    conv_p p;
    memset(&p, 0, sizeof p);
    int kind = it % 4; /* 0: blocked channels, 1: depthwise, 2: first conv (C 3), 3: indivisible */
    int64_t blk = lanes;
    p.N = tcc_test_randint(1, 2);
    p.kh = tcc_test_randint(1, 3) * 2 - 1;
    p.kw = tcc_test_randint(0, 1) ? p.kh : tcc_test_randint(1, 3);
    p.sh = tcc_test_randint(1, 2);
    p.sw = tcc_test_randint(1, 2);
    p.dh = tcc_test_randint(1, 2);
    p.dw = tcc_test_randint(1, 2);
    p.ph0 = tcc_test_randint(0, 2);
    p.pw0 = tcc_test_randint(0, 2);
    p.ph1 = tcc_test_randint(0, 2);
    p.pw1 = tcc_test_randint(0, 2);
    p.H = tcc_test_randint((p.kh - 1) * p.dh + 1, 12);
    p.W = tcc_test_randint((p.kw - 1) * p.dw + 1, 12);
    p.bias = tcc_test_randint(0, 1);
    p.group = 1;
    bool blocked = true;
    if (kind == 0) {
      p.C = blk * tcc_test_randint(1, 3);
      p.M = blk * tcc_test_randint(1, 3);
    } else if (kind == 1) {
      p.C = p.M = p.group = blk * tcc_test_randint(1, 2);
    } else if (kind == 2) {
      p.C = 3;
      p.M = blk * tcc_test_randint(1, 2);
    } else {
      /* channels no block divides: stays plain; or a grouped (not depthwise) conv */
      if (tcc_test_randint(0, 1)) {
        p.C = 6;
        p.M = 10;
      } else {
        p.C = 2 * blk;
        p.M = 2 * blk;
        p.group = 2;
      }
      blocked = false;
    }
    one_conv(&p, blocked, it);
  }
}

/* Conv -> Add([C,1,1] bias) -> Relu -> MaxPool -> Conv -> GlobalAveragePool -> Flatten: stays
 * blocked through the chain and has exactly one LayoutTransform back to plain (before
 * Flatten). */
static void test_chain(void) {
  int lanes = tcc_aot_vector_lanes(NULL, NULL);
  int64_t C = lanes, M = 2 * lanes, H = 10, W = 9;
  conv_p p1 = {1, C, H, W, M, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true};
  int64_t OH = conv_oh(&p1), OW = conv_ow(&p1); /* 10 x 9 */
  int64_t PH = (OH - 2) / 2 + 1, PW = (OW - 2) / 2 + 1;
  conv_p p2 = {1, M, PH, PW, M, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, false};
  int64_t xd[4] = {1, C, H, W}, xn = numel(4, xd);
  float *x = malloc(sizeof(float) * (size_t)xn);
  for (int64_t i = 0; i < xn; i++)
    x[i] = (float)tcc_test_uniform(-1, 1);
  float *ref = calloc((size_t)M, sizeof(float)), *y = malloc(sizeof(float) * (size_t)M);
  for (int layout = 0; layout < 2; layout++) {
    tcc_context *ctx = tcc_context_create();
    tcc_arena *a = tcc_ctx_arena(ctx);
    tcc_graph *g = new_graph(ctx);
    tcc_value *xv = typed(g, "x", TCC_VALUE_INPUT, 4, xd);
    tcc_vec_push(a, &g->inputs, &xv);
    const float *w1, *b1, *w2, *b2;
    tcc_value *c1 = conv_node(g, &p1, xv, "c1", &w1, &b1);
    int64_t bd[3] = {M, 1, 1};
    tcc_value *bias = rand_const(g, "bias", 3, bd, -1, 1);
    tcc_value *s = tcc_graph_add_value(g, "s", TCC_VALUE_NODE);
    tcc_value *ai[2] = {c1, bias};
    add_node(g, "Add", 2, ai, s);
    tcc_value *r = tcc_graph_add_value(g, "r", TCC_VALUE_NODE);
    add_node(g, "Relu", 1, &s, r);
    tcc_value *mp = tcc_graph_add_value(g, "mp", TCC_VALUE_NODE);
    tcc_node *pn = add_node(g, "MaxPool", 1, &r, mp);
    int64_t k2[2] = {2, 2};
    attr_ints(g, pn, "kernel_shape", 2, k2);
    attr_ints(g, pn, "strides", 2, k2);
    tcc_value *c2 = conv_node(g, &p2, mp, "c2", &w2, &b2);
    tcc_value *gp = tcc_graph_add_value(g, "gp", TCC_VALUE_NODE);
    add_node(g, "GlobalAveragePool", 1, &c2, gp);
    tcc_value *fl = tcc_graph_add_value(g, "fl", TCC_VALUE_NODE);
    add_node(g, "Flatten", 1, &gp, fl);
    tcc_vec_push(a, &g->outputs, &fl);
    {
      /* reference (for this graph's own random weights) */
      float *t1 = malloc(sizeof(float) * (size_t)(M * OH * OW));
      conv_ref(&p1, x, w1, b1, t1);
      const float *bv = bias->data;
      for (int64_t m = 0; m < M; m++)
        for (int64_t i = 0; i < OH * OW; i++) {
          float v = t1[m * OH * OW + i] + bv[m];
          t1[m * OH * OW + i] = v > 0 ? v : 0;
        }
      float *t2 = malloc(sizeof(float) * (size_t)(M * PH * PW));
      for (int64_t m = 0; m < M; m++)
        for (int64_t i = 0; i < PH; i++)
          for (int64_t j = 0; j < PW; j++) {
            float v = -INFINITY;
            for (int di = 0; di < 2; di++)
              for (int dj = 0; dj < 2; dj++) {
                float u = t1[(m * OH + 2 * i + di) * OW + 2 * j + dj];
                v = u > v ? u : v;
              }
            t2[(m * PH + i) * PW + j] = v;
          }
      float *t3 = malloc(sizeof(float) * (size_t)(M * PH * PW));
      conv_ref(&p2, t2, w2, b2, t3);
      for (int64_t m = 0; m < M; m++) {
        double acc = 0;
        for (int64_t i = 0; i < PH * PW; i++)
          acc += t3[m * PH * PW + i];
        ref[m] = (float)(acc / (double)(PH * PW));
      }
      free(t1);
      free(t2);
      free(t3);
    }
    const void *in[1] = {x};
    void *out[1] = {y};
    const tcc_graph *cg = NULL;
    if (compile_run(ctx, g, layout ? TCC_AOT_LAYOUT_PLAIN : TCC_AOT_LAYOUT_AUTO, "chain", 1, in, 1,
                    out, &cg)) {
      compare(layout ? "chain (nchw)" : "chain (auto)", y, ref, M);
      if (layout == 0) {
        CHECK(count_op(cg, "ConvNCHWc") == 2 && count_op(cg, "Conv") == 0);
        CHECK_MSG(count_to_plain(cg) == 1, "%d transforms back to plain", count_to_plain(cg));
        /* the ops between the convs and the pool stay blocked: 5-D outputs */
        static const char *const blocked_ops[] = {"Add", "Relu", "MaxPool", "AveragePool"};
        for (size_t i = 0; i < cg->nodes.len; i++) {
          const tcc_node *n = TCC_GRAPH_NODE(cg, i);
          for (size_t k = 0; k < TCC_ARRAY_SIZE(blocked_ops); k++)
            if (!strcmp(n->op_type, blocked_ops[k]))
              CHECK_MSG(n->outputs[0]->ndim == 5, "%s output has rank %d", n->op_type,
                        n->outputs[0]->ndim);
          if (!strcmp(n->op_type, "Flatten")) CHECK(n->inputs[0]->ndim == 4);
        }
        CHECK(count_op(cg, "GlobalAveragePool") == 0); /* became a blocked AveragePool */
      } else {
        CHECK(count_op(cg, "ConvNCHWc") == 0 && count_op(cg, "LayoutTransform") == 0);
      }
    }
    tcc_context_destroy(ctx);
  }
  free(x);
  free(y);
  free(ref);
}

/* A MobileNet-v2 block: 1x1 Conv -> BatchNormalization -> Clip(0, 6) -> depthwise 3x3 Conv ->
 * BatchNormalization -> Clip -> 1x1 Conv -> Add(x) (a residual from the plain graph input). */
static void test_mobilenet_block(void) {
  int lanes = tcc_aot_vector_lanes(NULL, NULL);
  int64_t C = lanes, E = 2 * lanes, H = 7, W = 6;
  conv_p pa = {1, C, H, W, E, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, false};
  conv_p pd = {1, E, H, W, E, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, E, false};
  conv_p pb = {1, E, H, W, C, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true};
  int64_t xd[4] = {1, C, H, W}, xn = numel(4, xd), en = E * H * W;
  float *x = malloc(sizeof(float) * (size_t)xn), *ref = malloc(sizeof(float) * (size_t)xn),
        *y = malloc(sizeof(float) * (size_t)xn);
  for (int64_t i = 0; i < xn; i++)
    x[i] = (float)tcc_test_uniform(-1, 1);
  for (int layout = 0; layout < 2; layout++) {
    tcc_context *ctx = tcc_context_create();
    tcc_arena *a = tcc_ctx_arena(ctx);
    tcc_graph *g = new_graph(ctx);
    tcc_value *xv = typed(g, "x", TCC_VALUE_INPUT, 4, xd);
    tcc_vec_push(a, &g->inputs, &xv);
    const float *wa, *ba, *wdw, *bdw, *wb, *bb;
    int64_t ed[1] = {E};
    tcc_value *bn[2][4];
    tcc_value *cur = conv_node(g, &pa, xv, "expand", &wa, &ba);
    tcc_value *lo = typed(g, "lo", TCC_VALUE_CONST, 0, NULL),
              *hi = typed(g, "hi", TCC_VALUE_CONST, 0, NULL);
    static const float zero = 0, six = 6;
    lo->data = &zero;
    lo->nbytes = 4;
    hi->data = &six;
    hi->nbytes = 4;
    for (int k = 0; k < 2; k++) {
      if (k == 1) cur = conv_node(g, &pd, cur, "dw", &wdw, &bdw);
      tcc_value *ins[5] = {cur};
      for (int q = 0; q < 4; q++) {
        bn[k][q] = rand_const(g, tcc_arena_printf(a, "bn%d_%d", k, q), 1, ed, q == 3 ? 0.5 : -1,
                              q == 3 ? 2 : 1);
        ins[1 + q] = bn[k][q];
      }
      tcc_value *o = tcc_graph_add_value(g, tcc_arena_printf(a, "bn%d", k), TCC_VALUE_NODE);
      add_node(g, "BatchNormalization", 5, ins, o);
      tcc_value *ci[3] = {o, lo, hi};
      tcc_value *c = tcc_graph_add_value(g, tcc_arena_printf(a, "clip%d", k), TCC_VALUE_NODE);
      add_node(g, "Clip", 3, ci, c);
      cur = c;
    }
    cur = conv_node(g, &pb, cur, "project", &wb, &bb);
    tcc_value *ri[2] = {cur, xv};
    tcc_value *out = tcc_graph_add_value(g, "out", TCC_VALUE_NODE);
    add_node(g, "Add", 2, ri, out);
    tcc_vec_push(a, &g->outputs, &out);
    {
      float *t = malloc(sizeof(float) * (size_t)en), *u = malloc(sizeof(float) * (size_t)en);
      conv_ref(&pa, x, wa, ba, t);
      for (int k = 0; k < 2; k++) {
        if (k == 1) {
          conv_ref(&pd, t, wdw, bdw, u);
          memcpy(t, u, sizeof(float) * (size_t)en);
        }
        const float *sc = bn[k][0]->data, *bi = bn[k][1]->data, *mu = bn[k][2]->data,
                    *va = bn[k][3]->data;
        for (int64_t c = 0; c < E; c++)
          for (int64_t i = 0; i < H * W; i++) {
            double v =
                ((double)t[c * H * W + i] - mu[c]) / sqrt((double)va[c] + 1e-5) * sc[c] + bi[c];
            t[c * H * W + i] = (float)(v < 0 ? 0 : v > 6 ? 6 : v);
          }
      }
      conv_ref(&pb, t, wb, bb, ref);
      for (int64_t i = 0; i < xn; i++)
        ref[i] += x[i];
      free(t);
      free(u);
    }
    const void *in[1] = {x};
    void *outs[1] = {y};
    const tcc_graph *cg = NULL;
    if (compile_run(ctx, g, layout ? TCC_AOT_LAYOUT_PLAIN : TCC_AOT_LAYOUT_AUTO, "mbv2", 1, in, 1,
                    outs, &cg)) {
      compare(layout ? "mobilenet block (nchw)" : "mobilenet block (auto)", y, ref, xn);
      if (layout == 0) {
        CHECK(count_op(cg, "ConvNCHWc") == 3 && count_op(cg, "BatchNormalization") == 0);
        CHECK_MSG(count_to_plain(cg) == 1, "%d transforms back to plain", count_to_plain(cg));
      }
    }
    tcc_context_destroy(ctx);
  }
  free(x);
  free(y);
  free(ref);
}

/* Two convs -> Concat(axis 1) -> Relu: the channel concat of blocked tensors stays blocked (a
 * 5-D Concat), one transform back to plain before the output. */
static void test_concat(void) {
  int lanes = tcc_aot_vector_lanes(NULL, NULL);
  int64_t C = lanes, M1 = lanes, M2 = 2 * lanes, H = 6, W = 5;
  conv_p pa = {1, C, H, W, M1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true};
  conv_p pb = {1, C, H, W, M2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true};
  int64_t xd[4] = {1, C, H, W}, xn = numel(4, xd), yn = (M1 + M2) * H * W;
  float *x = malloc(sizeof(float) * (size_t)xn), *ref = malloc(sizeof(float) * (size_t)yn),
        *y = malloc(sizeof(float) * (size_t)yn);
  for (int64_t i = 0; i < xn; i++)
    x[i] = (float)tcc_test_uniform(-1, 1);
  tcc_context *ctx = tcc_context_create();
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_graph *g = new_graph(ctx);
  tcc_value *xv = typed(g, "x", TCC_VALUE_INPUT, 4, xd);
  tcc_vec_push(a, &g->inputs, &xv);
  const float *wa, *ba, *wb, *bb;
  tcc_value *ca = conv_node(g, &pa, xv, "ca", &wa, &ba),
            *cb = conv_node(g, &pb, xv, "cb", &wb, &bb);
  tcc_value *cat = tcc_graph_add_value(g, "cat", TCC_VALUE_NODE);
  tcc_value *ci[2] = {ca, cb};
  tcc_node *cn = add_node(g, "Concat", 2, ci, cat);
  attr_int(g, cn, "axis", 1);
  tcc_value *r = tcc_graph_add_value(g, "r", TCC_VALUE_NODE);
  add_node(g, "Relu", 1, &cat, r);
  tcc_vec_push(a, &g->outputs, &r);
  conv_ref(&pa, x, wa, ba, ref);
  conv_ref(&pb, x, wb, bb, ref + M1 * H * W);
  for (int64_t i = 0; i < yn; i++)
    ref[i] = ref[i] > 0 ? ref[i] : 0;
  const void *in[1] = {x};
  void *out[1] = {y};
  const tcc_graph *cg = NULL;
  if (compile_run(ctx, g, TCC_AOT_LAYOUT_AUTO, "cat", 1, in, 1, out, &cg)) {
    compare("concat (auto)", y, ref, yn);
    CHECK(count_op(cg, "ConvNCHWc") == 2 && count_to_plain(cg) == 1);
    for (size_t i = 0; i < cg->nodes.len; i++) {
      const tcc_node *n = TCC_GRAPH_NODE(cg, i);
      if (!strcmp(n->op_type, "Concat")) CHECK(n->outputs[0]->ndim == 5);
    }
  }
  tcc_context_destroy(ctx);
  free(x);
  free(y);
  free(ref);
}

int main(void) {
  tcc_test_seed("test_conv_nchwc");
  test_random_convs();
  test_chain();
  test_mobilenet_block();
  test_concat();
  return tcc_test_finish("test_conv_nchwc");
}
