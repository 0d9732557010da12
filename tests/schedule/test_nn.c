/* test_nn.c — conv2d NCHW (stride 2, padding, dilation), depthwise conv (int32, exact),
 * softmax (three reductions / elementwise stages) and max pooling, each under several
 * schedules, lowered and interpreted, against plain C references. Odd sizes, seeded inputs. */
#include "sched_test.h"

/* clamp(x, 0, n-1): padding stages read clamped indices so both select arms are in bounds */
static const tcc_expr *clampi(tcc_context *ctx, const tcc_expr *x, int64_t n) {
  return tcc_max(ctx, tcc_min(ctx, x, I(ctx, n - 1)), I(ctx, 0));
}

/* Xp[n, c, h, w] = X[n, c, h - p, w - p] inside, `fill` outside */
static tcc_tensor *pad_nchw(tcc_context *ctx, tcc_tensor *X, const int64_t *d, int64_t p,
                            const tcc_expr *fill) {
  const tcc_expr *sh[4] = {I(ctx, d[0]), I(ctx, d[1]), I(ctx, d[2] + 2 * p), I(ctx, d[3] + 2 * p)};
  const char *nm[4] = {"n", "c", "h", "w"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 4, sh, nm);
  const tcc_expr *h = tcc_sub(ctx, V(ctx, ax[2]), I(ctx, p)),
                 *w = tcc_sub(ctx, V(ctx, ax[3]), I(ctx, p));
  const tcc_expr *in =
      tcc_and(ctx, tcc_and(ctx, tcc_ge(ctx, h, I(ctx, 0)), tcc_lt(ctx, h, I(ctx, d[2]))),
              tcc_and(ctx, tcc_ge(ctx, w, I(ctx, 0)), tcc_lt(ctx, w, I(ctx, d[3]))));
  const tcc_expr *idx[4] = {V(ctx, ax[0]), V(ctx, ax[1]), clampi(ctx, h, d[2]),
                            clampi(ctx, w, d[3])};
  return tcc_compute(ctx, "pad", 4, sh, ax, tcc_select(ctx, in, tcc_read(ctx, X, idx), fill),
                     "pad");
}

/* ---------------- conv2d ---------------- */

enum { CN = 2, CC = 3, CH = 11, CW = 9, CK = 5, CR = 3, CS = 3, STRIDE = 2, PAD = 2, DIL = 2 };
#define COH ((CH + 2 * PAD - DIL * (CR - 1) - 1) / STRIDE + 1)
#define COW ((CW + 2 * PAD - DIL * (CS - 1) - 1) / STRIDE + 1)

typedef struct conv {
  tcc_tensor *X, *Wt, *P, *O;
} conv;

static conv build_conv(tcc_context *ctx) {
  conv c;
  int64_t dx[4] = {CN, CC, CH, CW}, dw[4] = {CK, CC, CR, CS};
  c.X = ph(ctx, "X", TCCRT_FLOAT32, 4, dx);
  c.Wt = ph(ctx, "W", TCCRT_FLOAT32, 4, dw);
  c.P = pad_nchw(ctx, c.X, dx, PAD, tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), 0));
  const tcc_expr *sh[4] = {I(ctx, CN), I(ctx, CK), I(ctx, COH), I(ctx, COW)};
  const char *nm[4] = {"n", "k", "oh", "ow"};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 4, sh, nm);
  const tcc_itervar *rc = tcc_reduce_axis(ctx, "rc", I(ctx, 0), I(ctx, CC));
  const tcc_itervar *ry = tcc_reduce_axis(ctx, "ry", I(ctx, 0), I(ctx, CR));
  const tcc_itervar *rx = tcc_reduce_axis(ctx, "rx", I(ctx, 0), I(ctx, CS));
  const tcc_expr *ip[4] = {V(ctx, ax[0]), V(ctx, rc),
                           tcc_add(ctx, tcc_mul(ctx, V(ctx, ax[2]), I(ctx, STRIDE)),
                                   tcc_mul(ctx, V(ctx, ry), I(ctx, DIL))),
                           tcc_add(ctx, tcc_mul(ctx, V(ctx, ax[3]), I(ctx, STRIDE)),
                                   tcc_mul(ctx, V(ctx, rx), I(ctx, DIL)))};
  const tcc_expr *iw[4] = {V(ctx, ax[1]), V(ctx, rc), V(ctx, ry), V(ctx, rx)};
  const tcc_itervar *rax[3] = {rc, ry, rx};
  c.O = tcc_compute(
      ctx, "O", 4, sh, ax,
      tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, c.P, ip), tcc_read(ctx, c.Wt, iw)), 3, rax, NULL),
      "conv2d");
  return c;
}

static void conv_ref(const float *x, const float *w, float *o) {
  for (int n = 0; n < CN; n++)
    for (int k = 0; k < CK; k++)
      for (int oh = 0; oh < COH; oh++)
        for (int ow = 0; ow < COW; ow++) {
          float acc = 0;
          for (int c = 0; c < CC; c++)
            for (int r = 0; r < CR; r++)
              for (int s = 0; s < CS; s++) {
                int h = oh * STRIDE + r * DIL - PAD, ww = ow * STRIDE + s * DIL - PAD;
                float xv = (h >= 0 && h < CH && ww >= 0 && ww < CW)
                               ? x[((n * CC + c) * CH + h) * CW + ww]
                               : 0.0f;
                acc += xv * w[((k * CC + c) * CR + r) * CS + s];
              }
          o[((n * CK + k) * COH + oh) * COW + ow] = acc;
        }
}

typedef tcc_status (*conv_sched)(tcc_context *, tcc_schedule *, tcc_stage *P, tcc_stage *O);

static tcc_status cv_default(tcc_context *ctx, tcc_schedule *s, tcc_stage *P, tcc_stage *O) {
  (void)ctx, (void)s, (void)P, (void)O;
  return TCC_OK;
}
static tcc_status cv_inline(tcc_context *ctx, tcc_schedule *s, tcc_stage *P, tcc_stage *O) {
  (void)s, (void)O;
  return tcc_compute_inline(ctx, P);
}
static tcc_status cv_at(tcc_context *ctx, tcc_schedule *s, tcc_stage *P, tcc_stage *O) {
  (void)s;
  tcc_axis *oo, *oi;
  TCC_TRY(tcc_split(ctx, O, tcc_stage_axis(O, 2), 2, TCC_TAIL_GUARD, &oo, &oi));
  return tcc_compute_at(ctx, P, O, oo);
}
static tcc_status cv_tiled_vec(tcc_context *ctx, tcc_schedule *s, tcc_stage *P, tcc_stage *O) {
  (void)s;
  tcc_axis *ho, *wo, *hi, *wi;
  TCC_TRY(tcc_tile(ctx, O, tcc_stage_axis(O, 2), tcc_stage_axis(O, 3), 3, 4, TCC_TAIL_GUARD, &ho,
                   &wo, &hi, &wi));
  tcc_axis *o[5] = {tcc_stage_reduce_axis(O, 0), tcc_stage_reduce_axis(O, 1),
                    tcc_stage_reduce_axis(O, 2), hi, wi};
  TCC_TRY(tcc_reorder(ctx, O, 5, o));
  TCC_TRY(tcc_vectorize(ctx, O, wi));
  TCC_TRY(tcc_unroll(ctx, O, tcc_stage_reduce_axis(O, 2)));
  TCC_TRY(tcc_compute_at(ctx, P, O, wo));
  tcc_axis *f;
  TCC_TRY(tcc_fuse(ctx, O, tcc_stage_axis(O, 0), tcc_stage_axis(O, 1), &f));
  return tcc_parallel(ctx, O, f);
}
static tcc_status cv_reorder(tcc_context *ctx, tcc_schedule *s, tcc_stage *P, tcc_stage *O) {
  (void)s;
  TCC_TRY(tcc_compute_inline(ctx, P));
  tcc_axis *o[4] = {tcc_stage_reduce_axis(O, 0), tcc_stage_axis(O, 3), tcc_stage_reduce_axis(O, 2),
                    tcc_stage_axis(O, 1)};
  return tcc_reorder(ctx, O, 4, o);
}
static tcc_status cv_auto(tcc_context *ctx, tcc_schedule *s, tcc_stage *P, tcc_stage *O) {
  (void)P;
  return tcc_schedule_auto_cpu(ctx, s, tcc_stage_tensor(O));
}

static void test_conv(void) {
  size_t nx = CN * CC * CH * CW, nw = CK * CC * CR * CS, no = CN * CK * COH * COW;
  float *x = malloc(nx * 4), *w = malloc(nw * 4), *o = malloc(no * 4), *ref = malloc(no * 4);
  fill_f32(x, nx, -1, 1);
  fill_f32(w, nw, -1, 1);
  conv_ref(x, w, ref);
  static const struct {
    const char *name;
    conv_sched fn;
  } sc[] = {{"default", cv_default},   {"inline", cv_inline},
            {"compute_at", cv_at},     {"tiled_vec_unroll_par", cv_tiled_vec},
            {"reordered", cv_reorder}, {"auto", cv_auto}};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(sc); i++) {
    tcc_context *ctx = tcc_context_create();
    conv c = build_conv(ctx);
    const tcc_tensor *outs[1] = {c.O};
    tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
    tcc_status ok = sc[i].fn(ctx, s, tcc_schedule_stage(s, c.P), tcc_schedule_stage(s, c.O));
    CHECK_MSG(ok == TCC_OK, "conv %s: %s", sc[i].name, tcc_error_text(ctx));
    const tcc_tensor *args[3] = {c.X, c.Wt, c.O};
    void *bufs[3] = {x, w, o};
    memset(o, 0, no * 4);
    char what[64];
    snprintf(what, sizeof what, "conv2d_%s", sc[i].name);
    if (ok == TCC_OK && lower_run(ctx, s, what, 3, args, bufs, NULL))
      cmp_f32(what, o, ref, no, 1e-5);
    tcc_context_destroy(ctx);
  }
  free(x), free(w), free(o), free(ref);
}

/* conv2d followed by relu: the auto schedule computes the conv inside relu's parallel loop */
static void test_conv_relu(void) {
  size_t nx = CN * CC * CH * CW, nw = CK * CC * CR * CS, no = CN * CK * COH * COW;
  float *x = malloc(nx * 4), *w = malloc(nw * 4), *o = malloc(no * 4), *ref = malloc(no * 4);
  fill_f32(x, nx, -1, 1);
  fill_f32(w, nw, -1, 1);
  conv_ref(x, w, ref);
  for (size_t i = 0; i < no; i++)
    ref[i] = ref[i] > 0 ? ref[i] : 0;
  for (int sched = 0; sched < 2; sched++) {
    tcc_context *ctx = tcc_context_create();
    conv c = build_conv(ctx);
    const tcc_itervar *const *ax = tcc_compute_axes(ctx, 4, c.O->shape, NULL);
    const tcc_expr *ix[4] = {V(ctx, ax[0]), V(ctx, ax[1]), V(ctx, ax[2]), V(ctx, ax[3])};
    tcc_tensor *R = tcc_compute(
        ctx, "relu", 4, c.O->shape, ax,
        tcc_max(ctx, tcc_read(ctx, c.O, ix), tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), 0)),
        "elemwise");
    const tcc_tensor *outs[1] = {R};
    tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
    tcc_stage *so = tcc_schedule_stage(s, c.O), *sr = tcc_schedule_stage(s, R);
    tcc_status ok;
    if (sched == 0) {
      ok = tcc_schedule_auto_cpu(ctx, s, R);
      CHECK(tcc_stage_attach(so) == TCC_ATTACH_AT);
      CHECK(tcc_stage_attach(tcc_schedule_stage(s, c.P)) == TCC_ATTACH_INLINE);
    } else {
      ok = tcc_compute_at(ctx, so, sr, tcc_stage_axis(sr, 2));
    }
    CHECK_MSG(ok == TCC_OK, "conv_relu %d: %s", sched, tcc_error_text(ctx));
    const tcc_tensor *args[3] = {c.X, c.Wt, R};
    void *bufs[3] = {x, w, o};
    memset(o, 0, no * 4);
    char what[64];
    snprintf(what, sizeof what, "conv_relu_%d", sched);
    if (ok == TCC_OK && lower_run(ctx, s, what, 3, args, bufs, NULL))
      cmp_f32(what, o, ref, no, 1e-5);
    tcc_context_destroy(ctx);
  }
  free(x), free(w), free(o), free(ref);
}

/* ---------------- depthwise conv, int32 ---------------- */

static void test_depthwise(int64_t C, int64_t H, int64_t W) {
  const int64_t R = 3, p = 1;
  int64_t dx[4] = {1, C, H, W}, dw[3] = {C, R, R};
  size_t nx = (size_t)(C * H * W), nw = (size_t)(C * R * R), no = nx;
  int32_t *x = malloc(nx * 4), *w = malloc(nw * 4), *o = malloc(no * 4), *ref = malloc(no * 4);
  fill_i32(x, nx, -9, 9);
  fill_i32(w, nw, -9, 9);
  for (int64_t c = 0; c < C; c++)
    for (int64_t h = 0; h < H; h++)
      for (int64_t ww = 0; ww < W; ww++) {
        int32_t acc = 0;
        for (int64_t r = 0; r < R; r++)
          for (int64_t s = 0; s < R; s++) {
            int64_t y = h + r - p, xx = ww + s - p;
            if (y >= 0 && y < H && xx >= 0 && xx < W)
              acc += x[(c * H + y) * W + xx] * w[(c * R + r) * R + s];
          }
        ref[(c * H + h) * W + ww] = acc;
      }
  for (int sched = 0; sched < 5; sched++) {
    tcc_context *ctx = tcc_context_create();
    tcc_tensor *X = ph(ctx, "X", TCCRT_INT32, 4, dx), *Wd = ph(ctx, "Wd", TCCRT_INT32, 3, dw);
    tcc_tensor *P = pad_nchw(ctx, X, dx, p, tcc_int(ctx, tcc_scalar(TCCRT_INT32), 0));
    const tcc_expr *sh[4] = {I(ctx, 1), I(ctx, C), I(ctx, H), I(ctx, W)};
    const tcc_itervar *const *ax = tcc_compute_axes(ctx, 4, sh, NULL);
    const tcc_itervar *ry = tcc_reduce_axis(ctx, "ry", I(ctx, 0), I(ctx, R));
    const tcc_itervar *rx = tcc_reduce_axis(ctx, "rx", I(ctx, 0), I(ctx, R));
    const tcc_expr *ip[4] = {V(ctx, ax[0]), V(ctx, ax[1]), tcc_add(ctx, V(ctx, ax[2]), V(ctx, ry)),
                             tcc_add(ctx, V(ctx, ax[3]), V(ctx, rx))};
    const tcc_expr *iw[3] = {V(ctx, ax[1]), V(ctx, ry), V(ctx, rx)};
    const tcc_itervar *rax[2] = {ry, rx};
    tcc_tensor *O = tcc_compute(
        ctx, "O", 4, sh, ax,
        tcc_sum(ctx, tcc_mul(ctx, tcc_read(ctx, P, ip), tcc_read(ctx, Wd, iw)), 2, rax, NULL),
        "depthwise_conv2d");
    const tcc_tensor *outs[1] = {O};
    tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
    tcc_stage *sp = tcc_schedule_stage(s, P), *so = tcc_schedule_stage(s, O);
    tcc_status ok = TCC_OK;
    tcc_axis *a, *b;
    switch (sched) {
    case 0: break;
    case 1: ok = tcc_compute_at(ctx, sp, so, tcc_stage_axis(so, 2)); break;
    case 2:
      ok = tcc_split(ctx, so, tcc_stage_axis(so, 3), 4, TCC_TAIL_GUARD, &a, &b);
      if (!ok) {
        tcc_axis *o[3] = {tcc_stage_reduce_axis(so, 0), tcc_stage_reduce_axis(so, 1), b};
        ok = tcc_reorder(ctx, so, 3, o);
      }
      if (!ok) ok = tcc_vectorize(ctx, so, b);
      if (!ok) ok = tcc_compute_inline(ctx, sp);
      break;
    case 3:
      ok = tcc_unroll(ctx, so, tcc_stage_reduce_axis(so, 1));
      if (!ok) ok = tcc_parallel(ctx, so, tcc_stage_axis(so, 1));
      if (!ok) ok = tcc_compute_at(ctx, sp, so, tcc_stage_axis(so, 1));
      break;
    default: ok = tcc_schedule_auto_cpu(ctx, s, O); break;
    }
    CHECK_MSG(ok == TCC_OK, "depthwise %d: %s", sched, tcc_error_text(ctx));
    const tcc_tensor *args[3] = {X, Wd, O};
    void *bufs[3] = {x, w, o};
    memset(o, 0, no * 4);
    char what[64];
    snprintf(what, sizeof what, "depthwise_%d", sched);
    if (ok == TCC_OK && lower_run(ctx, s, what, 3, args, bufs, NULL)) cmp_i32(what, o, ref, no);
    tcc_context_destroy(ctx);
  }
  free(x), free(w), free(o), free(ref);
}

/* ---------------- softmax over the last axis ---------------- */

static void test_softmax(int64_t M, int64_t N) {
  size_t n = (size_t)(M * N);
  float *x = malloc(n * 4), *y = malloc(n * 4), *ref = malloc(n * 4);
  fill_f32(x, n, -5, 5);
  for (int64_t i = 0; i < M; i++) {
    float mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < N; j++)
      mx = x[i * N + j] > mx ? x[i * N + j] : mx;
    for (int64_t j = 0; j < N; j++)
      sum += (float)exp((double)(x[i * N + j] - mx));
    for (int64_t j = 0; j < N; j++)
      ref[i * N + j] = (float)exp((double)(x[i * N + j] - mx)) / sum;
  }
  for (int sched = 0; sched < 5; sched++) {
    tcc_context *ctx = tcc_context_create();
    int64_t dx[2] = {M, N};
    tcc_tensor *X = ph(ctx, "X", TCCRT_FLOAT32, 2, dx);
    const tcc_expr *s1[1] = {I(ctx, M)}, *s2[2] = {I(ctx, M), I(ctx, N)};
    const tcc_itervar *const *am = tcc_compute_axes(ctx, 1, s1, NULL);
    const tcc_itervar *k1 = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, N));
    const tcc_expr *xi[2] = {V(ctx, am[0]), V(ctx, k1)};
    tcc_tensor *Mx = tcc_compute(ctx, "maxv", 1, s1, am,
                                 tcc_reduce_max(ctx, tcc_read(ctx, X, xi), 1, &k1, NULL), NULL);
    const tcc_itervar *const *ae = tcc_compute_axes(ctx, 2, s2, NULL);
    const tcc_expr *ei[2] = {V(ctx, ae[0]), V(ctx, ae[1])}, *mi[1] = {V(ctx, ae[0])};
    tcc_tensor *E = tcc_compute(
        ctx, "expv", 2, s2, ae,
        tcc_call1(ctx, TCC_INTRIN_EXP, tcc_sub(ctx, tcc_read(ctx, X, ei), tcc_read(ctx, Mx, mi))),
        NULL);
    const tcc_itervar *const *as = tcc_compute_axes(ctx, 1, s1, NULL);
    const tcc_itervar *k2 = tcc_reduce_axis(ctx, "k", I(ctx, 0), I(ctx, N));
    const tcc_expr *si[2] = {V(ctx, as[0]), V(ctx, k2)};
    tcc_tensor *S =
        tcc_compute(ctx, "sumv", 1, s1, as, tcc_sum(ctx, tcc_read(ctx, E, si), 1, &k2, NULL), NULL);
    const tcc_itervar *const *ay = tcc_compute_axes(ctx, 2, s2, NULL);
    const tcc_expr *yi[2] = {V(ctx, ay[0]), V(ctx, ay[1])}, *yi1[1] = {V(ctx, ay[0])};
    tcc_tensor *Y = tcc_compute(
        ctx, "Y", 2, s2, ay, tcc_div(ctx, tcc_read(ctx, E, yi), tcc_read(ctx, S, yi1)), "softmax");
    const tcc_tensor *outs[1] = {Y};
    tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
    CHECK(tcc_schedule_num_stages(s) == 4);
    tcc_stage *sm = tcc_schedule_stage(s, Mx), *se = tcc_schedule_stage(s, E),
              *ss = tcc_schedule_stage(s, S), *sy = tcc_schedule_stage(s, Y);
    tcc_status ok = TCC_OK;
    tcc_axis *a, *b;
    switch (sched) {
    case 0: break;
    case 1: ok = tcc_compute_inline(ctx, se); break;
    case 2: /* everything per row, inside Y's row loop */
      ok = tcc_compute_at(ctx, ss, sy, tcc_stage_axis(sy, 0));
      if (!ok) ok = tcc_compute_at(ctx, se, sy, tcc_stage_axis(sy, 0));
      if (!ok) ok = tcc_compute_at(ctx, sm, sy, tcc_stage_axis(sy, 0));
      if (!ok) ok = tcc_parallel(ctx, sy, tcc_stage_axis(sy, 0));
      break;
    case 3:
      ok = tcc_compute_inline(ctx, se);
      if (!ok) ok = tcc_split(ctx, sy, tcc_stage_axis(sy, 1), 4, TCC_TAIL_GUARD, &a, &b);
      if (!ok) ok = tcc_vectorize(ctx, sy, b);
      if (!ok) ok = tcc_compute_at(ctx, ss, sy, tcc_stage_axis(sy, 0));
      if (!ok) ok = tcc_split(ctx, sm, tcc_stage_reduce_axis(sm, 0), 3, TCC_TAIL_GUARD, &a, &b);
      if (!ok) ok = tcc_unroll(ctx, sm, b);
      break;
    default: ok = tcc_schedule_auto_cpu(ctx, s, Y); break;
    }
    CHECK_MSG(ok == TCC_OK, "softmax %d: %s", sched, tcc_error_text(ctx));
    const tcc_tensor *args[2] = {X, Y};
    void *bufs[2] = {x, y};
    memset(y, 0, n * 4);
    char what[64];
    snprintf(what, sizeof what, "softmax_%d", sched);
    if (ok == TCC_OK && lower_run(ctx, s, what, 2, args, bufs, NULL))
      cmp_f32(what, y, ref, n, 1e-5);
    tcc_context_destroy(ctx);
  }
  free(x), free(y), free(ref);
}

/* ---------------- max pooling 3x3, stride 2, pad 1 ---------------- */

static void test_maxpool(int64_t C, int64_t H, int64_t W) {
  const int64_t K = 3, S = 2, p = 1;
  int64_t OH = (H + 2 * p - K) / S + 1, OW = (W + 2 * p - K) / S + 1;
  int64_t dx[4] = {1, C, H, W};
  size_t nx = (size_t)(C * H * W), no = (size_t)(C * OH * OW);
  float *x = malloc(nx * 4), *o = malloc(no * 4), *ref = malloc(no * 4);
  fill_f32(x, nx, -3, 3);
  for (int64_t c = 0; c < C; c++)
    for (int64_t oh = 0; oh < OH; oh++)
      for (int64_t ow = 0; ow < OW; ow++) {
        float m = -INFINITY;
        for (int64_t r = 0; r < K; r++)
          for (int64_t s = 0; s < K; s++) {
            int64_t h = oh * S + r - p, w = ow * S + s - p;
            if (h >= 0 && h < H && w >= 0 && w < W && x[(c * H + h) * W + w] > m)
              m = x[(c * H + h) * W + w];
          }
        ref[(c * OH + oh) * OW + ow] = m;
      }
  for (int sched = 0; sched < 4; sched++) {
    tcc_context *ctx = tcc_context_create();
    tcc_tensor *X = ph(ctx, "X", TCCRT_FLOAT32, 4, dx);
    tcc_tensor *P = pad_nchw(ctx, X, dx, p, tcc_float(ctx, tcc_scalar(TCCRT_FLOAT32), -INFINITY));
    const tcc_expr *sh[4] = {I(ctx, 1), I(ctx, C), I(ctx, OH), I(ctx, OW)};
    const tcc_itervar *const *ax = tcc_compute_axes(ctx, 4, sh, NULL);
    const tcc_itervar *ry = tcc_reduce_axis(ctx, "ry", I(ctx, 0), I(ctx, K));
    const tcc_itervar *rx = tcc_reduce_axis(ctx, "rx", I(ctx, 0), I(ctx, K));
    const tcc_expr *ip[4] = {V(ctx, ax[0]), V(ctx, ax[1]),
                             tcc_add(ctx, tcc_mul(ctx, V(ctx, ax[2]), I(ctx, S)), V(ctx, ry)),
                             tcc_add(ctx, tcc_mul(ctx, V(ctx, ax[3]), I(ctx, S)), V(ctx, rx))};
    const tcc_itervar *rax[2] = {ry, rx};
    tcc_tensor *O = tcc_compute(ctx, "O", 4, sh, ax,
                                tcc_reduce_max(ctx, tcc_read(ctx, P, ip), 2, rax, NULL), "pool");
    const tcc_tensor *outs[1] = {O};
    tcc_schedule *s = tcc_schedule_create(ctx, 1, outs);
    tcc_stage *sp = tcc_schedule_stage(s, P), *so = tcc_schedule_stage(s, O);
    tcc_status ok = TCC_OK;
    tcc_axis *a, *b;
    switch (sched) {
    case 0: break;
    case 1:
      ok = tcc_split(ctx, so, tcc_stage_axis(so, 2), 2, TCC_TAIL_GUARD, &a, &b);
      if (!ok) ok = tcc_compute_at(ctx, sp, so, a);
      break;
    case 2:
      ok = tcc_compute_inline(ctx, sp);
      if (!ok) ok = tcc_unroll(ctx, so, tcc_stage_reduce_axis(so, 1));
      if (!ok) ok = tcc_vectorize(ctx, so, tcc_stage_axis(so, 3)); /* outside the reduction loops */
      break;
    default: ok = tcc_schedule_auto_cpu(ctx, s, O); break;
    }
    CHECK_MSG(ok == TCC_OK, "maxpool %d: %s", sched, tcc_error_text(ctx));
    const tcc_tensor *args[2] = {X, O};
    void *bufs[2] = {x, o};
    memset(o, 0, no * 4);
    char what[64];
    snprintf(what, sizeof what, "maxpool_%d", sched);
    if (ok == TCC_OK && lower_run(ctx, s, what, 2, args, bufs, NULL)) cmp_f32(what, o, ref, no, 0);
    tcc_context_destroy(ctx);
  }
  free(x), free(o), free(ref);
}

int main(void) {
  tcc_test_seed("test_nn");
  test_conv();
  test_conv_relu();
  test_depthwise(3, 7, 9);
  test_depthwise(tcc_test_randint(1, 4), tcc_test_randint(1, 9), tcc_test_randint(1, 11));
  test_softmax(5, 13);
  test_softmax(tcc_test_randint(1, 6), tcc_test_randint(1, 19));
  test_maxpool(3, 9, 11);
  test_maxpool(tcc_test_randint(1, 3), tcc_test_randint(2, 12), tcc_test_randint(2, 12));
  return tcc_test_finish("test_nn");
}
