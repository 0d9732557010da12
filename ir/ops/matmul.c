/* matmul.c — the matmul op family: MatMul, Gemm, Einsum, MatMulInteger, QLinearMatMul.
 *
 * Spec: ONNX MatMul (opsets 1, 9, 13: numpy.matmul — a 1-D first operand gets a leading 1 and a
 * 1-D second operand a trailing 1, both removed from the result; batch dims broadcast), Gemm
 * (1, 6, 7, 9, 11, 13: Y = alpha * A' * B' + beta * C with A' = transA ? A^T : A, C broadcast to
 * M x N, optional from 11), Einsum (12), MatMulInteger (10), QLinearMatMul (10, 21), Attention
 * (23, 24), RotaryEmbedding (23), LinearAttention (27) and the recurrent RNN / GRU / LSTM (time
 * loops unrolled).
 * Computes are TOPI-style: one reduction over K (anchor, tag "matmul"/"dense"), then elementwise
 * stages (alpha/beta/C, requantization) that fuse into it. */
#include "nn_util.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

static const tcc_attr_schema no_attrs[] = {{NULL, 0, false}};
static const tcc_attr_schema gemm1_attrs[] = {
    {"alpha", TCC_ATTR_FLOAT, false},   {"beta", TCC_ATTR_FLOAT, false},
    {"broadcast", TCC_ATTR_INT, false}, {"transA", TCC_ATTR_INT, false},
    {"transB", TCC_ATTR_INT, false},    {NULL, 0, false}};
static const tcc_attr_schema gemm7_attrs[] = {{"alpha", TCC_ATTR_FLOAT, false},
                                              {"beta", TCC_ATTR_FLOAT, false},
                                              {"transA", TCC_ATTR_INT, false},
                                              {"transB", TCC_ATTR_INT, false},
                                              {NULL, 0, false}};
static const tcc_attr_schema einsum_attrs[] = {{"equation", TCC_ATTR_STRING, true},
                                               {NULL, 0, false}};

/* ---- MatMul geometry ---- */

typedef struct mm_geom {
  int a_nd, b_nd;    /* ranks after promoting 1-D operands */
  bool a_vec, b_vec; /* operand was 1-D */
  const tcc_expr *M, *K, *N;
  int nbatch;
  const tcc_expr *const *batch;
  int out_nd;
  const tcc_expr *out[TCCRT_MAX_RANK + 2];
} mm_geom;

static tcc_status mm_geometry(tcc_infer_ctx *ic, const tcc_node *n, int ai, int bi, mm_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *A, *B;
  TCC_TRY(tcc_infer_input(ic, n, ai, &A));
  TCC_TRY(tcc_infer_input(ic, n, bi, &B));
  if (A->ndim < 1 || B->ndim < 1)
    return tcc_node_error(ctx, ic->graph, n, "MatMul operands must have rank >= 1; got %s and %s",
                          tcc_value_shape_str(ctx, A), tcc_value_shape_str(ctx, B));
  memset(g, 0, sizeof *g);
  g->a_vec = A->ndim == 1;
  g->b_vec = B->ndim == 1;
  g->M = g->a_vec ? tcc_idx(ctx, 1) : A->dims[A->ndim - 2];
  g->K = A->dims[A->ndim - 1];
  const tcc_expr *Kb = g->b_vec ? B->dims[0] : B->dims[B->ndim - 2];
  g->N = g->b_vec ? tcc_idx(ctx, 1) : B->dims[B->ndim - 1];
  if (!tcc_shape_dim_eq(ctx, g->K, Kb)) {
    int64_t ka, kb;
    if (tcc_expr_is_int_imm(g->K, &ka) && tcc_expr_is_int_imm(Kb, &kb))
      return tcc_node_error(
          ctx, ic->graph, n, "inner dims differ: A %s has K = %lld but B %s has K = %lld",
          tcc_value_shape_str(ctx, A), (long long)ka, tcc_value_shape_str(ctx, B), (long long)kb);
    if (!tcc_expr_is_int_imm(g->K, &ka)) g->K = Kb; /* prefer a constant K */
  }
  int abn = A->ndim > 2 ? A->ndim - 2 : 0, bbn = B->ndim > 2 ? B->ndim - 2 : 0;
  TCC_TRY(tcc_infer_broadcast(ic, n, abn, A->dims, bbn, B->dims, &g->nbatch, &g->batch));
  g->a_nd = A->ndim;
  g->b_nd = B->ndim;
  int k = 0;
  for (int i = 0; i < g->nbatch; i++)
    g->out[k++] = g->batch[i];
  if (!g->a_vec) g->out[k++] = g->M;
  if (!g->b_vec) g->out[k++] = g->N;
  g->out_nd = k;
  return TCC_OK;
}

static tcc_status infer_matmul(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  mm_geom g;
  TCC_TRY(mm_geometry(ic, n, 0, 1, &g));
  return tcc_infer_set_output(ic, n, 0, tcc_op_input(n, 0)->dtype, g.out_nd, g.out);
}

#define U8_I8 (TCC_DTM(TCCRT_UINT8) | TCC_DTM(TCCRT_INT8))

/* A zero point / scale of MatMulInteger/QLinearMatMul: a scalar, or 1-D (per row of A: M, per
 * column of B: N), or a 1-element tensor. */
static tcc_status check_qparam(tcc_infer_ctx *ic, const tcc_node *n, int k, const char *what) {
  const tcc_value *v = tcc_op_input(n, k);
  if (!v || v->ndim <= 1) return TCC_OK;
  return tcc_node_error(ic->ctx, ic->graph, n,
                        "%s (input %d) has shape %s; expected a scalar or 1-D", what, k,
                        tcc_value_shape_str(ic->ctx, v));
}

static tcc_status infer_matmul_integer(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, U8_I8));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, U8_I8));
  if (tcc_op_input(n, 2)) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  if (tcc_op_input(n, 3)) TCC_TRY(tcc_infer_same_dtype(ic, n, 1, 3));
  TCC_TRY(check_qparam(ic, n, 2, "a_zero_point"));
  TCC_TRY(check_qparam(ic, n, 3, "b_zero_point"));
  mm_geom g;
  TCC_TRY(mm_geometry(ic, n, 0, 1, &g));
  return tcc_infer_set_output(ic, n, 0, TCCRT_INT32, g.out_nd, g.out);
}

static tcc_status infer_qlinear_matmul(tcc_infer_ctx *ic, tcc_node *n) {
  /* a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point */
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, U8_I8));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 3, U8_I8));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 7, U8_I8));
  uint32_t sc = n->opset >= 21 ? TCC_DTM_FLOAT : TCC_DTM(TCCRT_FLOAT32);
  TCC_TRY(tcc_infer_check_dtype(ic, n, 1, sc));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 4, sc));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 6, sc));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 3, 5));
  static const char *const names[] = {"a",       "a_scale",      "a_zero_point", "b",
                                      "b_scale", "b_zero_point", "y_scale",      "y_zero_point"};
  for (int k = 1; k < 8; k++)
    if (k != 3) TCC_TRY(check_qparam(ic, n, k, names[k]));
  mm_geom g;
  TCC_TRY(mm_geometry(ic, n, 0, 3, &g));
  const tcc_value *yzp;
  TCC_TRY(tcc_infer_input(ic, n, 7, &yzp));
  return tcc_infer_set_output(ic, n, 0, yzp->dtype, g.out_nd, g.out);
}

/* ---- Gemm ---- */

typedef struct gemm_geom {
  int64_t transA, transB;
  double alpha, beta;
  const tcc_expr *M, *K, *N;
} gemm_geom;

static tcc_status gemm_geometry(tcc_infer_ctx *ic, const tcc_node *n, gemm_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *A, *B;
  TCC_TRY(tcc_infer_input(ic, n, 0, &A));
  TCC_TRY(tcc_infer_input(ic, n, 1, &B));
  TCC_TRY(nn_attr_int(ic, n, "transA", 0, &g->transA));
  TCC_TRY(nn_attr_int(ic, n, "transB", 0, &g->transB));
  TCC_TRY(nn_attr_float(ic, n, "alpha", 1.0, &g->alpha));
  TCC_TRY(nn_attr_float(ic, n, "beta", 1.0, &g->beta));
  if (A->ndim != 2 || B->ndim != 2)
    return tcc_node_error(ctx, ic->graph, n, "Gemm operands must be 2-D; got A %s and B %s",
                          tcc_value_shape_str(ctx, A), tcc_value_shape_str(ctx, B));
  g->M = A->dims[g->transA ? 1 : 0];
  g->K = A->dims[g->transA ? 0 : 1];
  const tcc_expr *Kb = B->dims[g->transB ? 1 : 0];
  g->N = B->dims[g->transB ? 0 : 1];
  int64_t ka, kb;
  if (tcc_expr_is_int_imm(g->K, &ka) && tcc_expr_is_int_imm(Kb, &kb) && ka != kb)
    return tcc_node_error(ctx, ic->graph, n,
                          "inner dims differ: A %s (transA=%lld) has K = %lld but B %s "
                          "(transB=%lld) has K = %lld",
                          tcc_value_shape_str(ctx, A), (long long)g->transA, (long long)ka,
                          tcc_value_shape_str(ctx, B), (long long)g->transB, (long long)kb);
  return TCC_OK;
}

static tcc_status infer_gemm(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0,
                                TCC_DTM_FLOAT | TCC_DTM(TCCRT_INT32) | TCC_DTM(TCCRT_INT64) |
                                    TCC_DTM(TCCRT_UINT32) | TCC_DTM(TCCRT_UINT64)));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  gemm_geom g;
  TCC_TRY(gemm_geometry(ic, n, &g));
  const tcc_expr *out[2] = {g.M, g.N};
  const tcc_value *C = tcc_op_input(n, 2);
  if (C) {
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
    TCC_TRY(tcc_infer_input(ic, n, 2, &C));
    if (C->ndim > 2)
      return tcc_node_error(ic->ctx, ic->graph, n, "C has shape %s; expected rank <= 2",
                            tcc_value_shape_str(ic->ctx, C));
    int bn;
    const tcc_expr *const *bd;
    /* unidirectional: C must broadcast to M x N */
    TCC_TRY(tcc_infer_broadcast(ic, n, 2, out, C->ndim, C->dims, &bn, &bd));
    for (int i = 0; i < 2; i++) {
      int64_t a, b;
      if (tcc_expr_is_int_imm(bd[i], &a) && tcc_expr_is_int_imm(out[i], &b) && a != b)
        return tcc_node_error(ic->ctx, ic->graph, n,
                              "C %s does not broadcast to the output [%lld ...]",
                              tcc_value_shape_str(ic->ctx, C), (long long)b);
    }
  } else if (n->opset < 11) {
    return tcc_node_error(ic->ctx, ic->graph, n, "input C is required before opset 11");
  }
  return tcc_infer_set_output(ic, n, 0, tcc_op_input(n, 0)->dtype, 2, out);
}

/* ---- Einsum ---- */

typedef struct ein_term {
  int nlabels;     /* letters + (ellipsis ? 1 : 0) entries */
  char labels[64]; /* letters; '.' marks the ellipsis position */
  int ell_rank;    /* dims the ellipsis covers in this operand */
} ein_term;

typedef struct ein_geom {
  int ninputs;
  ein_term in[16];
  ein_term out;
  int ell_rank;                             /* broadcast ellipsis rank */
  const tcc_expr *ell_dims[TCCRT_MAX_RANK]; /* broadcast ellipsis dims */
  const tcc_expr *letter_dim[128];
  int out_nd;
  const tcc_expr *out_dims[TCCRT_MAX_RANK];
} ein_geom;

static tcc_status ein_parse_term(tcc_infer_ctx *ic, const tcc_node *n, const char *s, size_t len,
                                 ein_term *t) {
  memset(t, 0, sizeof *t);
  bool ell = false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == ' ') continue;
    if (c == '.') {
      if (ell || i + 2 >= len || s[i + 1] != '.' || s[i + 2] != '.')
        return tcc_node_error(ic->ctx, ic->graph, n, "equation: malformed ellipsis");
      ell = true;
      i += 2;
      t->labels[t->nlabels++] = '.';
      continue;
    }
    if (!isalpha((unsigned char)c))
      return tcc_node_error(ic->ctx, ic->graph, n, "equation: unexpected character '%c'", c);
    if (t->nlabels >= 63) return tcc_node_error(ic->ctx, ic->graph, n, "equation: too many labels");
    t->labels[t->nlabels++] = c;
  }
  return TCC_OK;
}

static bool term_has_ell(const ein_term *t) {
  return memchr(t->labels, '.', (size_t)t->nlabels) != NULL;
}

static tcc_status ein_geometry(tcc_infer_ctx *ic, const tcc_node *n, ein_geom *g) {
  tcc_context *ctx = ic->ctx;
  const char *eq;
  TCC_TRY(nn_attr_string(ic, n, "equation", "", &eq));
  memset(g, 0, sizeof *g);
  const char *arrow = strstr(eq, "->");
  size_t lhs_len = arrow ? (size_t)(arrow - eq) : strlen(eq);
  const char *p = eq;
  while (1) {
    const char *comma = memchr(p, ',', lhs_len - (size_t)(p - eq));
    size_t tl = comma ? (size_t)(comma - p) : lhs_len - (size_t)(p - eq);
    if (g->ninputs >= 16) return tcc_node_error(ctx, ic->graph, n, "equation: too many operands");
    TCC_TRY(ein_parse_term(ic, n, p, tl, &g->in[g->ninputs++]));
    if (!comma) break;
    p = comma + 1;
  }
  if (g->ninputs != n->ninputs)
    return tcc_node_error(ctx, ic->graph, n,
                          "equation '%s' has %d operands but the node has %d inputs", eq,
                          g->ninputs, n->ninputs);
  /* bind letters and ellipsis dims */
  int ell_rank = 0;
  const tcc_expr *ell[TCCRT_MAX_RANK] = {0};
  for (int k = 0; k < g->ninputs; k++) {
    const tcc_value *v;
    TCC_TRY(tcc_infer_input(ic, n, k, &v));
    ein_term *t = &g->in[k];
    int nletters = t->nlabels - (term_has_ell(t) ? 1 : 0);
    if (term_has_ell(t) ? v->ndim < nletters : v->ndim != nletters)
      return tcc_node_error(ctx, ic->graph, n,
                            "operand %d has shape %s; the equation term needs rank %s%d", k,
                            tcc_value_shape_str(ctx, v), term_has_ell(t) ? ">= " : "", nletters);
    t->ell_rank = v->ndim - nletters;
    int d = 0;
    for (int j = 0; j < t->nlabels; j++) {
      char c = t->labels[j];
      if (c == '.') {
        /* right-align with the broadcast ellipsis */
        int er = t->ell_rank;
        if (er > ell_rank) {
          for (int q = ell_rank - 1; q >= 0; q--)
            ell[q + er - ell_rank] = ell[q];
          for (int q = 0; q < er - ell_rank; q++)
            ell[q] = NULL;
          ell_rank = er;
        }
        for (int q = 0; q < er; q++) {
          const tcc_expr *dim = v->dims[d + q], **slot = &ell[ell_rank - er + q];
          int64_t cv;
          if (!*slot || (tcc_expr_is_int_imm(*slot, &cv) && cv == 1))
            *slot = dim;
          else if (!(tcc_expr_is_int_imm(dim, &cv) && cv == 1) &&
                   !tcc_shape_dim_eq(ctx, *slot, dim))
            return tcc_node_error(ctx, ic->graph, n, "operand %d: ellipsis dims do not broadcast",
                                  k);
        }
        d += er;
        continue;
      }
      const tcc_expr *dim = v->dims[d++];
      const tcc_expr **slot = &g->letter_dim[(unsigned char)c];
      int64_t cv;
      if (!*slot || (tcc_expr_is_int_imm(*slot, &cv) && cv == 1))
        *slot = dim;
      else if (!(tcc_expr_is_int_imm(dim, &cv) && cv == 1) && !tcc_shape_dim_eq(ctx, *slot, dim))
        return tcc_node_error(ctx, ic->graph, n, "label '%c' has extents %s and %s", c,
                              tcc_expr_str(ctx, *slot), tcc_expr_str(ctx, dim));
    }
  }
  g->ell_rank = ell_rank;
  for (int q = 0; q < ell_rank; q++)
    g->ell_dims[q] = ell[q];
  /* output term */
  if (arrow) {
    TCC_TRY(ein_parse_term(ic, n, arrow + 2, strlen(arrow + 2), &g->out));
    for (int j = 0; j < g->out.nlabels; j++) {
      char c = g->out.labels[j];
      if (c != '.' && !g->letter_dim[(unsigned char)c])
        return tcc_node_error(ctx, ic->graph, n,
                              "equation: output label '%c' is not an input label", c);
    }
  } else {
    /* implicit: ellipsis, then letters appearing exactly once, alphabetically */
    int cnt[128] = {0};
    bool any_ell = false;
    for (int k = 0; k < g->ninputs; k++)
      for (int j = 0; j < g->in[k].nlabels; j++) {
        if (g->in[k].labels[j] == '.')
          any_ell = true;
        else
          cnt[(unsigned char)g->in[k].labels[j]]++;
      }
    if (any_ell) g->out.labels[g->out.nlabels++] = '.';
    for (int c = 'A'; c <= 'z'; c++)
      if (cnt[c] == 1) g->out.labels[g->out.nlabels++] = (char)c;
  }
  g->out_nd = 0;
  for (int j = 0; j < g->out.nlabels; j++) {
    char c = g->out.labels[j];
    if (c == '.') {
      for (int q = 0; q < ell_rank; q++)
        g->out_dims[g->out_nd++] = g->ell_dims[q];
    } else {
      if (g->out_nd >= TCCRT_MAX_RANK)
        return tcc_node_error(ctx, ic->graph, n, "equation: output rank too large");
      g->out_dims[g->out_nd++] = g->letter_dim[(unsigned char)c];
    }
  }
  return TCC_OK;
}

static tcc_status infer_einsum(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
  for (int k = 1; k < n->ninputs; k++)
    TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
  ein_geom *g = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), sizeof *g);
  TCC_TRY(ein_geometry(ic, n, g));
  return tcc_infer_set_output(ic, n, 0, tcc_op_input(n, 0)->dtype, g->out_nd, g->out_dims);
}

/* ---- computes ---- */

/* The batched product sum_k f(A[.., i, k], B[.., k, j]) over output dims `out`; `conv` converts
 * each operand read (with its zero point subtracted) to the accumulator type. */
typedef struct mm_operand {
  const tcc_tensor *t;
  const tcc_tensor *zp; /* NULL or scalar / 1-D (per row of A, per column of B) */
} mm_operand;

static const tcc_expr *read_zp(tcc_context *ctx, const tcc_tensor *zp, const tcc_expr *i) {
  if (zp->ndim == 0) return tcc_read(ctx, zp, NULL);
  int64_t e;
  const tcc_expr *ix = tcc_expr_is_int_imm(zp->shape[0], &e) && e == 1 ? tcc_idx(ctx, 0) : i;
  return tcc_read(ctx, zp, &ix);
}

static tcc_tensor *mm_reduce(tcc_context *ctx, const mm_geom *g, mm_operand a, mm_operand b,
                             tccrt_dtype acc) {
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, g->out_nd, g->out, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, g->out_nd, ax);
  const tcc_itervar *rk = tcc_reduce_axis(ctx, "k", tcc_idx(ctx, 0), g->K);
  const tcc_expr *k = tcc_expr_var(ctx, rk->var);
  const tcc_expr *i = g->a_vec ? NULL : o[g->nbatch];
  const tcc_expr *j = g->b_vec ? NULL : o[g->out_nd - 1];
  const tcc_expr *ia[TCCRT_MAX_RANK], *ib[TCCRT_MAX_RANK];
  const tcc_tensor *A = a.t, *B = b.t;
  for (int d = 0; d < A->ndim - 2; d++) {
    int od = g->nbatch - (A->ndim - 2) + d;
    int64_t e;
    ia[d] = tcc_expr_is_int_imm(A->shape[d], &e) && e == 1 ? tcc_idx(ctx, 0) : o[od];
  }
  for (int d = 0; d < B->ndim - 2; d++) {
    int od = g->nbatch - (B->ndim - 2) + d;
    int64_t e;
    ib[d] = tcc_expr_is_int_imm(B->shape[d], &e) && e == 1 ? tcc_idx(ctx, 0) : o[od];
  }
  if (g->a_vec)
    ia[0] = k;
  else {
    ia[A->ndim - 2] = i;
    ia[A->ndim - 1] = k;
  }
  if (g->b_vec)
    ib[0] = k;
  else {
    ib[B->ndim - 2] = k;
    ib[B->ndim - 1] = j;
  }
  tcc_type at = tcc_scalar(acc);
  const tcc_expr *av = tcc_cast(ctx, at, tcc_read(ctx, A, ia));
  const tcc_expr *bv = tcc_cast(ctx, at, tcc_read(ctx, B, ib));
  if (a.zp) av = tcc_sub(ctx, av, tcc_cast(ctx, at, read_zp(ctx, a.zp, i ? i : tcc_idx(ctx, 0))));
  if (b.zp) bv = tcc_sub(ctx, bv, tcc_cast(ctx, at, read_zp(ctx, b.zp, j ? j : tcc_idx(ctx, 0))));
  const tcc_expr *body = tcc_sum(ctx, tcc_mul(ctx, av, bv), 1, &rk, NULL);
  return tcc_compute(ctx, "matmul", g->out_nd, g->out, ax, body, "matmul");
}

static tcc_tensor *cast_to(tcc_context *ctx, tcc_tensor *t, tccrt_dtype dt) {
  if (t->dtype == dt) return t;
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, t->ndim, t->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, t->ndim, ax);
  return tcc_compute(ctx, "cast", t->ndim, t->shape, ax,
                     tcc_cast(ctx, tcc_scalar(dt), tcc_read(ctx, t, o)), "elemwise");
}

static tcc_status compute_matmul(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_infer_ctx ic = nn_ic_of(cc);
  mm_geom g;
  TCC_TRY(mm_geometry(&ic, cc->node, 0, 1, &g));
  mm_operand a = {cc->inputs[0], NULL}, b = {cc->inputs[1], NULL};
  tccrt_dtype dt = cc->inputs[0]->dtype;
  outputs[0] = cast_to(cc->ctx, mm_reduce(cc->ctx, &g, a, b, nn_acc_dtype(dt)), dt);
  return TCC_OK;
}

static tcc_status compute_matmul_integer(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_infer_ctx ic = nn_ic_of(cc);
  mm_geom g;
  TCC_TRY(mm_geometry(&ic, cc->node, 0, 1, &g));
  int ni = cc->node->ninputs;
  mm_operand a = {cc->inputs[0], ni > 2 ? cc->inputs[2] : NULL};
  mm_operand b = {cc->inputs[1], ni > 3 ? cc->inputs[3] : NULL};
  outputs[0] = mm_reduce(cc->ctx, &g, a, b, TCCRT_INT32);
  return TCC_OK;
}

/* Reads a scale as float64 after forming x*y/z in the scales' own precision (float16 products
 * rounded to float16, as the ONNX reference computes in numpy). */
static const tcc_expr *to_f32(tcc_context *ctx, const tcc_expr *e) {
  return tcc_cast(ctx, tcc_scalar(TCCRT_FLOAT32), e);
}
static const tcc_expr *scale_mult(tcc_context *ctx, const tcc_expr *x, const tcc_expr *y,
                                  const tcc_expr *z) {
  tccrt_dtype st = (tccrt_dtype)x->type.dtype;
  const tcc_expr *r;
  if (st == TCCRT_FLOAT32 || st == TCCRT_FLOAT64)
    r = tcc_div(ctx, tcc_mul(ctx, x, y), z);
  else {
    const tcc_expr *p = tcc_cast(ctx, tcc_scalar(st), tcc_mul(ctx, to_f32(ctx, x), to_f32(ctx, y)));
    r = tcc_cast(ctx, tcc_scalar(st), tcc_div(ctx, to_f32(ctx, p), to_f32(ctx, z)));
  }
  return tcc_cast(ctx, tcc_scalar(TCCRT_FLOAT64), r);
}

static tcc_status compute_qlinear_matmul(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  mm_geom g;
  TCC_TRY(mm_geometry(&ic, cc->node, 0, 3, &g));
  const tcc_tensor *const *in = cc->inputs;
  mm_operand a = {in[0], in[2]}, b = {in[3], in[5]};
  tcc_tensor *acc = mm_reduce(ctx, &g, a, b, TCCRT_INT32);
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, g.out_nd, g.out, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, g.out_nd, ax);
  const tcc_expr *i = g.a_vec ? tcc_idx(ctx, 0) : o[g.nbatch];
  const tcc_expr *j = g.b_vec ? tcc_idx(ctx, 0) : o[g.out_nd - 1];
  tcc_type f64 = tcc_scalar(TCCRT_FLOAT64);
  const tcc_expr *mult = scale_mult(ctx, read_zp(ctx, in[1], i), read_zp(ctx, in[4], j),
                                    read_zp(ctx, in[6], tcc_idx(ctx, 0)));
  const tcc_expr *r = tcc_mul(ctx, tcc_cast(ctx, f64, tcc_read(ctx, acc, o)), mult);
  r = tcc_call1(ctx, TCC_INTRIN_ROUND, r);
  r = tcc_add(ctx, r, tcc_cast(ctx, f64, read_zp(ctx, in[7], tcc_idx(ctx, 0))));
  tccrt_dtype yt = in[7]->dtype;
  r = tcc_max(ctx, tcc_min(ctx, r, tcc_float(ctx, f64, (double)tcc_dtype_int_max(yt))),
              tcc_float(ctx, f64, (double)tcc_dtype_int_min(yt)));
  outputs[0] = tcc_compute(ctx, "qlinear_matmul", g.out_nd, g.out, ax,
                           tcc_cast(ctx, tcc_scalar(yt), r), "elemwise");
  return TCC_OK;
}

static tcc_status compute_gemm(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  gemm_geom g;
  TCC_TRY(gemm_geometry(&ic, cc->node, &g));
  const tcc_tensor *A = cc->inputs[0], *B = cc->inputs[1];
  const tcc_tensor *C = cc->node->ninputs > 2 ? cc->inputs[2] : NULL;
  tccrt_dtype dt = A->dtype, acc = nn_acc_dtype(dt);
  tcc_type at = tcc_scalar(acc);
  const tcc_expr *shape[2] = {g.M, g.N};
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, 2, shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, 2, ax);
  const tcc_itervar *rk = tcc_reduce_axis(ctx, "k", tcc_idx(ctx, 0), g.K);
  const tcc_expr *k = tcc_expr_var(ctx, rk->var);
  const tcc_expr *ia[2] = {g.transA ? k : o[0], g.transA ? o[0] : k};
  const tcc_expr *ib[2] = {g.transB ? o[1] : k, g.transB ? k : o[1]};
  const tcc_expr *body = tcc_sum(ctx,
                                 tcc_mul(ctx, tcc_cast(ctx, at, tcc_read(ctx, A, ia)),
                                         tcc_cast(ctx, at, tcc_read(ctx, B, ib))),
                                 1, &rk, NULL);
  tcc_tensor *mm = tcc_compute(ctx, "gemm", 2, shape, ax, body, "dense");
  bool use_c = C && g.beta != 0;
  if (!use_c && g.alpha == 1.0) {
    outputs[0] = cast_to(ctx, mm, dt);
    return TCC_OK;
  }
  const tcc_itervar *const *ax2 = tcc_compute_axes(ctx, 2, shape, NULL);
  const tcc_expr **o2 = nn_axis_exprs(ctx, 2, ax2);
  const tcc_expr *v = tcc_read(ctx, mm, o2);
  if (g.alpha != 1.0) v = tcc_mul(ctx, tcc_const(ctx, at, g.alpha), v);
  if (use_c) {
    const tcc_expr *c = tcc_cast(ctx, at, nn_read_bcast(ctx, C, 2, o2));
    if (g.beta != 1.0) c = tcc_mul(ctx, tcc_const(ctx, at, g.beta), c);
    v = tcc_add(ctx, v, c);
  }
  outputs[0] =
      tcc_compute(ctx, "gemm_out", 2, shape, ax2, tcc_cast(ctx, tcc_scalar(dt), v), "elemwise");
  return TCC_OK;
}

static tcc_status compute_einsum(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  ein_geom *g = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *g);
  TCC_TRY(ein_geometry(&ic, cc->node, g));
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, g->out_nd, g->out_dims, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, g->out_nd, ax);
  const tcc_expr *letter[128] = {0};
  const tcc_expr *ell[TCCRT_MAX_RANK] = {0};
  int d = 0;
  for (int j = 0; j < g->out.nlabels; j++) {
    char c = g->out.labels[j];
    if (c == '.')
      for (int q = 0; q < g->ell_rank; q++)
        ell[q] = o[d++];
    else
      letter[(unsigned char)c] = o[d++];
  }
  /* ellipsis dims absent from the output are summed too */
  const tcc_itervar *red[64];
  int nred = 0;
  for (int q = 0; q < g->ell_rank; q++)
    if (!ell[q]) {
      red[nred] = tcc_reduce_axis(ctx, "re", tcc_idx(ctx, 0), g->ell_dims[q]);
      ell[q] = tcc_expr_var(ctx, red[nred++]->var);
    }
  for (int k = 0; k < g->ninputs; k++)
    for (int j = 0; j < g->in[k].nlabels; j++) {
      unsigned char c = (unsigned char)g->in[k].labels[j];
      if (c == '.' || letter[c]) continue;
      if (nred >= 63) return nn_compute_error(cc, "too many summed labels");
      char nm[4] = {'r', (char)c, 0, 0};
      red[nred] = tcc_reduce_axis(ctx, nm, tcc_idx(ctx, 0), g->letter_dim[c]);
      letter[c] = tcc_expr_var(ctx, red[nred++]->var);
    }
  tccrt_dtype dt = cc->inputs[0]->dtype;
  tcc_type at = tcc_scalar(nn_acc_dtype(dt));
  const tcc_expr *prod = NULL;
  for (int k = 0; k < g->ninputs; k++) {
    const tcc_tensor *t = cc->inputs[k];
    const ein_term *tm = &g->in[k];
    const tcc_expr *idx[TCCRT_MAX_RANK];
    int dd = 0;
    for (int j = 0; j < tm->nlabels; j++) {
      char c = tm->labels[j];
      if (c == '.') {
        for (int q = 0; q < tm->ell_rank; q++, dd++) {
          int64_t e;
          idx[dd] = tcc_expr_is_int_imm(t->shape[dd], &e) && e == 1
                        ? tcc_idx(ctx, 0)
                        : ell[g->ell_rank - tm->ell_rank + q];
        }
      } else {
        int64_t e;
        idx[dd] = tcc_expr_is_int_imm(t->shape[dd], &e) && e == 1 ? tcc_idx(ctx, 0)
                                                                  : letter[(unsigned char)c];
        dd++;
      }
    }
    const tcc_expr *v = tcc_cast(ctx, at, tcc_read(ctx, t, idx));
    prod = prod ? tcc_mul(ctx, prod, v) : v;
  }
  const tcc_expr *body = nred ? tcc_sum(ctx, prod, nred, red, NULL) : prod;
  tcc_tensor *y = tcc_compute(ctx, "einsum", g->out_nd, g->out_dims, ax, body, "einsum");
  outputs[0] = cast_to(ctx, y, dt);
  return TCC_OK;
}

/* ---- Attention (23, 24): scaled dot-product attention, as the ONNX reference computes it ----
 * Q (B, Hq, Sq, D) or (B, Sq, Hq*D); K (B, Hkv, Skv, D) or 3-D; V (B, Hkv, Skv, Dv) or 3-D;
 * optional attn_mask (bool: True attends; else added), past_key / past_value (B, Hkv, P, .) that
 * precede K / V (present = concat), nonpad_kv_seqlen (B) (24). scores = (Q*sqrt(scale)) .
 * (K*sqrt(scale))^T, softcap (c * tanh(x / c)) before the bias, bias = mask (+ causal: key j
 * attends query i iff j <= i + offset) (+ padding from nonpad_kv_seqlen), softmax over keys,
 * times V. GQA repeats each KV head Hq/Hkv times (interleaved). Outputs Y, present_key,
 * present_value, qk_matmul_output (mode 0: scores after softcap, 1: the same, 2: with bias,
 * 3: after softmax). A fully masked row gets zero probabilities. */
static const tcc_attr_schema attn_attrs[] = {
    {"is_causal", TCC_ATTR_INT, false},         {"kv_num_heads", TCC_ATTR_INT, false},
    {"q_num_heads", TCC_ATTR_INT, false},       {"qk_matmul_output_mode", TCC_ATTR_INT, false},
    {"scale", TCC_ATTR_FLOAT, false},           {"softcap", TCC_ATTR_FLOAT, false},
    {"softmax_precision", TCC_ATTR_INT, false}, {NULL, 0, false}};

typedef struct attn_geom {
  bool three_d;
  const tcc_expr *B, *Sq, *Skv, *P, *T; /* batch, q seq, new kv seq, past, total = P + Skv */
  int64_t Hq, Hkv, D, Dv;
} attn_geom;

static tcc_status attn_geometry(tcc_infer_ctx *ic, const tcc_node *n, attn_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *Q, *K, *V;
  TCC_TRY(tcc_infer_input(ic, n, 0, &Q));
  TCC_TRY(tcc_infer_input(ic, n, 1, &K));
  TCC_TRY(tcc_infer_input(ic, n, 2, &V));
  memset(g, 0, sizeof *g);
  if (Q->ndim != K->ndim || Q->ndim != V->ndim || (Q->ndim != 3 && Q->ndim != 4))
    return tcc_node_error(ctx, ic->graph, n, "Q %s, K %s, V %s must all be 3-D or all 4-D",
                          tcc_value_shape_str(ctx, Q), tcc_value_shape_str(ctx, K),
                          tcc_value_shape_str(ctx, V));
  g->three_d = Q->ndim == 3;
  g->B = Q->dims[0];
  int64_t qh, kh, vh;
  if (g->three_d) {
    TCC_TRY(nn_attr_int(ic, n, "q_num_heads", 0, &g->Hq));
    TCC_TRY(nn_attr_int(ic, n, "kv_num_heads", 0, &g->Hkv));
    if (g->Hq < 1 || g->Hkv < 1)
      return tcc_node_error(ctx, ic->graph, n, "3-D inputs need q_num_heads and kv_num_heads");
    if (!tcc_expr_is_int_imm(Q->dims[2], &qh) || !tcc_expr_is_int_imm(K->dims[2], &kh) ||
        !tcc_expr_is_int_imm(V->dims[2], &vh) || qh % g->Hq || kh % g->Hkv || vh % g->Hkv)
      return tcc_node_error(ctx, ic->graph, n,
                            "hidden sizes must be constant multiples of the head counts");
    g->D = qh / g->Hq;
    g->Dv = vh / g->Hkv;
    g->Sq = Q->dims[1];
    g->Skv = K->dims[1];
  } else {
    if (!tcc_expr_is_int_imm(Q->dims[1], &g->Hq) || !tcc_expr_is_int_imm(K->dims[1], &g->Hkv) ||
        !tcc_expr_is_int_imm(Q->dims[3], &g->D) || !tcc_expr_is_int_imm(V->dims[3], &g->Dv))
      return tcc_node_error(ctx, ic->graph, n, "head counts and head sizes must be constant");
    g->Sq = Q->dims[2];
    g->Skv = K->dims[2];
  }
  if (g->Hq < 1 || g->Hkv < 1 || g->D < 1 || g->Dv < 1 || g->Hq % g->Hkv)
    return tcc_node_error(ctx, ic->graph, n, "q heads %lld not a multiple of kv heads %lld",
                          (long long)g->Hq, (long long)g->Hkv);
  const tcc_value *pk = tcc_op_input(n, 4);
  g->P = tcc_idx(ctx, 0);
  if (pk) {
    TCC_TRY(tcc_infer_input(ic, n, 4, &pk));
    if (pk->ndim != 4) return tcc_node_error(ctx, ic->graph, n, "past_key must be 4-D");
    g->P = pk->dims[2];
  }
  g->T = tcc_shape_add(ctx, g->P, g->Skv);
  /* K and V agree with Q and each other; past caches and the mask fit */
  if (g->three_d) {
    const tcc_expr *kd[3] = {g->B, NULL, tcc_idx(ctx, g->Hkv * g->D)};
    const tcc_expr *vd[3] = {g->B, g->Skv, tcc_idx(ctx, g->Hkv * g->Dv)};
    TCC_TRY(nn_check_shape(ic, n, 1, "K", 3, kd));
    TCC_TRY(nn_check_shape(ic, n, 2, "V", 3, vd));
  } else {
    const tcc_expr *kd[4] = {g->B, tcc_idx(ctx, g->Hkv), NULL, tcc_idx(ctx, g->D)};
    const tcc_expr *vd[4] = {g->B, tcc_idx(ctx, g->Hkv), g->Skv, NULL};
    TCC_TRY(nn_check_shape(ic, n, 1, "K", 4, kd));
    TCC_TRY(nn_check_shape(ic, n, 2, "V", 4, vd));
  }
  const tcc_expr *pkd[4] = {g->B, tcc_idx(ctx, g->Hkv), NULL, tcc_idx(ctx, g->D)};
  const tcc_expr *pvd[4] = {g->B, tcc_idx(ctx, g->Hkv), g->P, tcc_idx(ctx, g->Dv)};
  TCC_TRY(nn_check_shape(ic, n, 4, "past_key", 4, pkd));
  TCC_TRY(nn_check_shape(ic, n, 5, "past_value", 4, pvd));
  if ((tcc_op_input(n, 4) != NULL) != (tcc_op_input(n, 5) != NULL))
    return tcc_node_error(ctx, ic->graph, n, "past_key and past_value must be given together");
  const tcc_expr *npd[1] = {g->B};
  TCC_TRY(nn_check_shape(ic, n, 6, "nonpad_kv_seqlen", 1, npd));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 6, TCC_DTM(TCCRT_INT64)));
  const tcc_value *m = tcc_op_input(n, 3);
  if (m) {
    TCC_TRY(tcc_infer_input(ic, n, 3, &m));
    const tcc_expr *full[4] = {g->B, tcc_idx(ctx, g->Hq), g->Sq, g->T};
    bool ok = m->ndim >= 1 && m->ndim <= 4;
    for (int q = 0; ok && q < m->ndim; q++) {
      int od = 4 - m->ndim + q;
      int64_t a, b;
      if (!tcc_expr_is_int_imm(m->dims[q], &a) || !tcc_expr_is_int_imm(full[od], &b)) continue;
      ok = od == 3 ? (a >= 1 && a <= b) : (a == 1 || a == b);
    }
    if (!ok)
      return tcc_node_error(ctx, ic->graph, n, "attn_mask %s does not broadcast to %s",
                            tcc_value_shape_str(ctx, m), tcc_shape_str(ctx, 4, full));
  }
  return TCC_OK;
}

static tcc_status infer_attention(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  attn_geom g;
  TCC_TRY(attn_geometry(ic, n, &g));
  tccrt_dtype dt = tcc_op_input(n, 0)->dtype, vt = tcc_op_input(n, 2)->dtype;
  const tcc_expr *hq = tcc_idx(ctx, g.Hq), *hkv = tcc_idx(ctx, g.Hkv);
  if (g.three_d) {
    const tcc_expr *y[3] = {g.B, g.Sq, tcc_idx(ctx, g.Hq * g.Dv)};
    TCC_TRY(tcc_infer_set_output(ic, n, 0, dt, 3, y));
  } else {
    const tcc_expr *y[4] = {g.B, hq, g.Sq, tcc_idx(ctx, g.Dv)};
    TCC_TRY(tcc_infer_set_output(ic, n, 0, dt, 4, y));
  }
  const tcc_expr *pk[4] = {g.B, hkv, g.T, tcc_idx(ctx, g.D)};
  const tcc_expr *pv[4] = {g.B, hkv, g.T, tcc_idx(ctx, g.Dv)};
  const tcc_expr *qk[4] = {g.B, hq, g.Sq, g.T};
  TCC_TRY(tcc_infer_set_output(ic, n, 1, dt, 4, pk));
  TCC_TRY(tcc_infer_set_output(ic, n, 2, vt, 4, pv));
  return tcc_infer_set_output(ic, n, 3, dt, 4, qk);
}

/* Reads the 4-D view (b, h, s, d) of a 3-D or 4-D Q/K/V input. */
static const tcc_expr *attn_read(tcc_context *ctx, const tcc_tensor *t, bool three_d, int64_t dsz,
                                 const tcc_expr *b, const tcc_expr *h, const tcc_expr *s,
                                 const tcc_expr *d) {
  if (three_d) {
    const tcc_expr *i[3] = {b, s, tcc_add(ctx, tcc_mul(ctx, h, tcc_idx(ctx, dsz)), d)};
    return tcc_read(ctx, t, i);
  }
  const tcc_expr *i[4] = {b, h, s, d};
  return tcc_read(ctx, t, i);
}

/* present key/value at (b, hk, t, d): past for t < P, else the new K/V at t - P. */
static const tcc_expr *attn_present(tcc_context *ctx, const tcc_tensor *past, const tcc_tensor *cur,
                                    const attn_geom *g, int64_t dsz, const tcc_expr *b,
                                    const tcc_expr *hk, const tcc_expr *t, const tcc_expr *d) {
  if (!past) return attn_read(ctx, cur, g->three_d, dsz, b, hk, t, d);
  const tcc_expr *tp =
      tcc_max(ctx, tcc_min(ctx, t, tcc_sub(ctx, g->P, tcc_idx(ctx, 1))), tcc_idx(ctx, 0));
  const tcc_expr *pi[4] = {b, hk, tp, d};
  const tcc_expr *tn = tcc_max(ctx, tcc_sub(ctx, t, g->P), tcc_idx(ctx, 0));
  return tcc_select(ctx, tcc_lt(ctx, t, g->P), tcc_read(ctx, past, pi),
                    attn_read(ctx, cur, g->three_d, dsz, b, hk, tn, d));
}

static tcc_status compute_attention(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  attn_geom g;
  TCC_TRY(attn_geometry(&ic, n, &g));
  int ni = n->ninputs;
  const tcc_tensor *Q = cc->inputs[0], *K = cc->inputs[1], *V = cc->inputs[2];
  const tcc_tensor *M = ni > 3 ? cc->inputs[3] : NULL, *PK = ni > 4 ? cc->inputs[4] : NULL,
                   *PV = ni > 5 ? cc->inputs[5] : NULL, *NP = ni > 6 ? cc->inputs[6] : NULL;
  int64_t causal = 0, mode = 0;
  double scale = 1.0 / sqrt((double)g.D), softcap = 0;
  TCC_TRY(nn_attr_int(&ic, n, "is_causal", 0, &causal));
  TCC_TRY(nn_attr_int(&ic, n, "qk_matmul_output_mode", 0, &mode));
  if (tcc_node_attr(n, "scale")) TCC_TRY(nn_attr_float(&ic, n, "scale", scale, &scale));
  bool has_softcap = tcc_node_attr(n, "softcap") != NULL;
  if (has_softcap) TCC_TRY(nn_attr_float(&ic, n, "softcap", 0, &softcap));
  tccrt_dtype dt = Q->dtype;
  tcc_type at = tcc_scalar(nn_acc_dtype(dt));
  int64_t reps = g.Hq / g.Hkv;
  /* present key / value */
  const tcc_expr *pks[4] = {g.B, tcc_idx(ctx, g.Hkv), g.T, tcc_idx(ctx, g.D)};
  const tcc_expr *pvs[4] = {g.B, tcc_idx(ctx, g.Hkv), g.T, tcc_idx(ctx, g.Dv)};
  const tcc_itervar *const *apk = tcc_compute_axes(ctx, 4, pks, NULL);
  const tcc_expr **opk = nn_axis_exprs(ctx, 4, apk);
  tcc_tensor *present_k =
      tcc_compute(ctx, "present_key", 4, pks, apk,
                  attn_present(ctx, PK, K, &g, g.D, opk[0], opk[1], opk[2], opk[3]), "injective");
  const tcc_itervar *const *apv = tcc_compute_axes(ctx, 4, pvs, NULL);
  const tcc_expr **opv = nn_axis_exprs(ctx, 4, apv);
  tcc_tensor *present_v =
      tcc_compute(ctx, "present_value", 4, pvs, apv,
                  attn_present(ctx, PV, V, &g, g.Dv, opv[0], opv[1], opv[2], opv[3]), "injective");
  /* raw scores */
  const tcc_expr *ss[4] = {g.B, tcc_idx(ctx, g.Hq), g.Sq, g.T};
  const tcc_itervar *const *as = tcc_compute_axes(ctx, 4, ss, NULL);
  const tcc_expr **os = nn_axis_exprs(ctx, 4, as);
  const tcc_itervar *rd = tcc_reduce_axis(ctx, "d", tcc_idx(ctx, 0), tcc_idx(ctx, g.D));
  const tcc_expr *d = tcc_expr_var(ctx, rd->var);
  const tcc_expr *hk = reps > 1 ? tcc_floordiv(ctx, os[1], tcc_idx(ctx, reps)) : os[1];
  const tcc_expr *sq = tcc_const(ctx, at, sqrt(scale));
  const tcc_expr *qv = tcc_mul(
      ctx, tcc_cast(ctx, at, attn_read(ctx, Q, g.three_d, g.D, os[0], os[1], os[2], d)), sq);
  const tcc_expr *pki[4] = {os[0], hk, os[3], d};
  const tcc_expr *kv = tcc_mul(ctx, tcc_cast(ctx, at, tcc_read(ctx, present_k, pki)), sq);
  tcc_tensor *raw =
      tcc_compute(ctx, "qk", 4, ss, as, tcc_sum(ctx, tcc_mul(ctx, qv, kv), 1, &rd, NULL), "matmul");
  /* softcap, bias */
  const tcc_itervar *const *ab = tcc_compute_axes(ctx, 4, ss, NULL);
  const tcc_expr **ob = nn_axis_exprs(ctx, 4, ab);
  const tcc_expr *sc = tcc_read(ctx, raw, ob);
  if (has_softcap && softcap > 0)
    sc = tcc_mul(ctx, tcc_const(ctx, at, softcap),
                 tcc_call1(ctx, TCC_INTRIN_TANH, tcc_div(ctx, sc, tcc_const(ctx, at, softcap))));
  tcc_tensor *capped = tcc_compute(ctx, "qk_softcap", 4, ss, ab, sc, "elemwise");
  const tcc_itervar *const *am = tcc_compute_axes(ctx, 4, ss, NULL);
  const tcc_expr **om = nn_axis_exprs(ctx, 4, am);
  const tcc_expr *ninf = tcc_const(ctx, at, -INFINITY), *zero = tcc_const(ctx, at, 0);
  const tcc_expr *bias = zero;
  if (M) {
    /* right-aligned broadcast to (B, Hq, Sq, T); keys past the mask's last dim are masked */
    int64_t mlen = -1;
    tcc_expr_is_int_imm(M->shape[M->ndim - 1], &mlen);
    const tcc_expr *mi[4];
    for (int q = 0; q < M->ndim; q++) {
      int od = 4 - M->ndim + q;
      int64_t e;
      mi[q] = tcc_expr_is_int_imm(M->shape[q], &e) && e == 1 ? tcc_idx(ctx, 0) : om[od];
    }
    const tcc_expr *inr = tcc_lt(ctx, om[3], M->shape[M->ndim - 1]);
    mi[M->ndim - 1] =
        tcc_min(ctx, mi[M->ndim - 1], tcc_sub(ctx, M->shape[M->ndim - 1], tcc_idx(ctx, 1)));
    const tcc_expr *mv = tcc_read(ctx, M, mi);
    const tcc_expr *b = M->dtype == TCCRT_BOOL
                            ? tcc_select(ctx, tcc_ne(ctx, mv, tcc_bool(ctx, false)), zero, ninf)
                            : tcc_cast(ctx, at, mv);
    bias = tcc_select(ctx, inr, b, ninf);
  }
  if (causal) {
    const tcc_expr *off = g.P;
    if (!PK && NP) {
      const tcc_expr *bi = om[0];
      off = tcc_sub(ctx, tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, NP, &bi)), g.Sq);
    }
    const tcc_expr *allowed = tcc_le(ctx, om[3], tcc_add(ctx, om[2], off));
    bias = tcc_select(ctx, allowed, bias, ninf);
  }
  if (NP) {
    const tcc_expr *bi = om[0];
    const tcc_expr *valid =
        tcc_lt(ctx, om[3], tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, NP, &bi)));
    bias = tcc_select(ctx, valid, bias, ninf);
  }
  tcc_tensor *biased = tcc_compute(ctx, "qk_bias", 4, ss, am,
                                   tcc_add(ctx, tcc_read(ctx, capped, om), bias), "elemwise");
  /* softmax over keys */
  const tcc_expr *ks[4] = {g.B, tcc_idx(ctx, g.Hq), g.Sq, tcc_idx(ctx, 1)};
  const tcc_itervar *const *ak = tcc_compute_axes(ctx, 4, ks, NULL);
  const tcc_expr **ok = nn_axis_exprs(ctx, 4, ak);
  const tcc_itervar *rj = tcc_reduce_axis(ctx, "j", tcc_idx(ctx, 0), g.T);
  const tcc_expr *bj[4] = {ok[0], ok[1], ok[2], tcc_expr_var(ctx, rj->var)};
  tcc_tensor *mx =
      tcc_compute(ctx, "qk_max", 4, ks, ak,
                  tcc_reduce_max(ctx, tcc_read(ctx, biased, bj), 1, &rj, NULL), "reduce");
  const tcc_itervar *const *ak2 = tcc_compute_axes(ctx, 4, ks, NULL);
  const tcc_expr **ok2 = nn_axis_exprs(ctx, 4, ak2);
  const tcc_itervar *rj2 = tcc_reduce_axis(ctx, "j", tcc_idx(ctx, 0), g.T);
  const tcc_expr *bj2[4] = {ok2[0], ok2[1], ok2[2], tcc_expr_var(ctx, rj2->var)};
  const tcc_expr *m0[4] = {ok2[0], ok2[1], ok2[2], tcc_idx(ctx, 0)};
  const tcc_expr *ex = tcc_call1(ctx, TCC_INTRIN_EXP,
                                 tcc_sub(ctx, tcc_read(ctx, biased, bj2), tcc_read(ctx, mx, m0)));
  tcc_tensor *sum =
      tcc_compute(ctx, "qk_expsum", 4, ks, ak2, tcc_sum(ctx, ex, 1, &rj2, NULL), "reduce");
  const tcc_itervar *const *ap = tcc_compute_axes(ctx, 4, ss, NULL);
  const tcc_expr **op = nn_axis_exprs(ctx, 4, ap);
  const tcc_expr *r0[4] = {op[0], op[1], op[2], tcc_idx(ctx, 0)};
  const tcc_expr *pr =
      tcc_div(ctx,
              tcc_call1(ctx, TCC_INTRIN_EXP,
                        tcc_sub(ctx, tcc_read(ctx, biased, op), tcc_read(ctx, mx, r0))),
              tcc_read(ctx, sum, r0));
  /* a fully masked row (max -inf) gets zero probabilities, not NaN (the reference's guard) */
  pr = tcc_select(ctx, tcc_eq(ctx, tcc_read(ctx, mx, r0), ninf), zero, pr);
  tcc_tensor *probs = tcc_compute(ctx, "qk_softmax", 4, ss, ap, pr, "elemwise");
  /* Y = probs . V */
  const tcc_expr *ys[4] = {g.B, tcc_idx(ctx, g.Hq), g.Sq, tcc_idx(ctx, g.Dv)};
  const tcc_itervar *const *ay = tcc_compute_axes(ctx, 4, ys, NULL);
  const tcc_expr **oy = nn_axis_exprs(ctx, 4, ay);
  const tcc_itervar *rt = tcc_reduce_axis(ctx, "t", tcc_idx(ctx, 0), g.T);
  const tcc_expr *t = tcc_expr_var(ctx, rt->var);
  const tcc_expr *pi[4] = {oy[0], oy[1], oy[2], t};
  const tcc_expr *hk2 = reps > 1 ? tcc_floordiv(ctx, oy[1], tcc_idx(ctx, reps)) : oy[1];
  const tcc_expr *vi[4] = {oy[0], hk2, t, oy[3]};
  const tcc_expr *yb = tcc_sum(
      ctx, tcc_mul(ctx, tcc_read(ctx, probs, pi), tcc_cast(ctx, at, tcc_read(ctx, present_v, vi))),
      1, &rt, NULL);
  tcc_tensor *y4 = tcc_compute(ctx, "attention", 4, ys, ay, yb, "matmul");
  int nd;
  const tcc_expr *const *yd;
  TCC_TRY(nn_out_dims(cc, 0, &nd, &yd));
  const tcc_itervar *const *ao = tcc_compute_axes(ctx, nd, yd, NULL);
  const tcc_expr **oo = nn_axis_exprs(ctx, nd, ao);
  const tcc_expr *yv;
  if (g.three_d) {
    const tcc_expr *i4[4] = {oo[0], tcc_floordiv(ctx, oo[2], tcc_idx(ctx, g.Dv)), oo[1],
                             tcc_floormod(ctx, oo[2], tcc_idx(ctx, g.Dv))};
    yv = tcc_read(ctx, y4, i4);
  } else {
    yv = tcc_read(ctx, y4, oo);
  }
  outputs[0] =
      tcc_compute(ctx, "attention_out", nd, yd, ao, tcc_cast(ctx, tcc_scalar(dt), yv), "injective");
  if (n->noutputs > 1 && n->outputs[1]) outputs[1] = present_k;
  if (n->noutputs > 2 && n->outputs[2]) outputs[2] = present_v;
  if (n->noutputs > 3 && n->outputs[3]) {
    const tcc_tensor *src = mode == 3 ? probs : mode == 2 ? biased : has_softcap ? capped : raw;
    const tcc_itervar *const *aq = tcc_compute_axes(ctx, 4, ss, NULL);
    outputs[3] = tcc_compute(
        ctx, "qk_matmul_output", 4, ss, aq,
        tcc_cast(ctx, tcc_scalar(dt), tcc_read(ctx, src, nn_axis_exprs(ctx, 4, aq))), "elemwise");
  }
  return TCC_OK;
}

/* ---- RotaryEmbedding (23) ----
 * X (B, H, S, D) or (B, S, H*D) with num_heads; cos_cache / sin_cache (B, S, R/2), or
 * (max_pos, R/2) indexed by position_ids (B, S). The first R = rotary_embedding_dim (default D)
 * features of each head rotate in pairs — (k, k + R/2), or (2k, 2k+1) when interleaved — by the
 * angle whose cos/sin the caches hold: (x1, x2) -> (cos x1 - sin x2, sin x1 + cos x2); the rest
 * pass through. As the ONNX reference (op_rotary_embedding.py). */
static const tcc_attr_schema rope_attrs[] = {{"interleaved", TCC_ATTR_INT, false},
                                             {"num_heads", TCC_ATTR_INT, false},
                                             {"rotary_embedding_dim", TCC_ATTR_INT, false},
                                             {NULL, 0, false}};

typedef struct rope_geom {
  bool three_d, interleaved;
  int64_t H, D, R;
} rope_geom;

static tcc_status rope_geometry(tcc_infer_ctx *ic, const tcc_node *n, rope_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  int64_t il = 0, nh = 0, rd = 0;
  TCC_TRY(nn_attr_int(ic, n, "interleaved", 0, &il));
  TCC_TRY(nn_attr_int(ic, n, "num_heads", 0, &nh));
  TCC_TRY(nn_attr_int(ic, n, "rotary_embedding_dim", 0, &rd));
  g->interleaved = il != 0;
  g->three_d = X->ndim == 3;
  int64_t last;
  if ((X->ndim != 3 && X->ndim != 4) || !tcc_expr_is_int_imm(X->dims[X->ndim - 1], &last))
    return tcc_node_error(
        ctx, ic->graph, n,
        "input %s: expected (B, H, S, D) or (B, S, hidden) with a constant last dim",
        tcc_value_shape_str(ctx, X));
  if (g->three_d) {
    if (nh < 1 || last % nh)
      return tcc_node_error(ctx, ic->graph, n, "3-D input needs num_heads dividing %lld",
                            (long long)last);
    g->H = nh;
    g->D = last / nh;
  } else {
    g->D = last;
    g->H = 0;
  }
  g->R = rd > 0 ? rd : g->D;
  if (g->R > g->D || g->R % 2)
    return tcc_node_error(ctx, ic->graph, n,
                          "rotary_embedding_dim %lld must be even and <= head size %lld",
                          (long long)g->R, (long long)g->D);
  /* caches: (B, S, R/2), or (max_position, R/2) with position_ids (B, S) */
  const tcc_expr *B = X->dims[0], *S = X->dims[g->three_d ? 1 : 2], *half = tcc_idx(ctx, g->R / 2);
  if (tcc_op_input(n, 3)) {
    const tcc_expr *cd[2] = {NULL, half}, *pd[2] = {B, S};
    TCC_TRY(nn_check_shape(ic, n, 1, "cos_cache", 2, cd));
    TCC_TRY(nn_check_shape(ic, n, 2, "sin_cache", 2, cd));
    TCC_TRY(nn_check_shape(ic, n, 3, "position_ids", 2, pd));
  } else {
    const tcc_expr *cd[3] = {B, S, half};
    TCC_TRY(nn_check_shape(ic, n, 1, "cos_cache", 3, cd));
    TCC_TRY(nn_check_shape(ic, n, 2, "sin_cache", 3, cd));
  }
  return TCC_OK;
}

static tcc_status infer_rope(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  TCC_TRY(tcc_infer_check_dtype(ic, n, 3, TCC_DTM_INT32_64));
  rope_geom g;
  TCC_TRY(rope_geometry(ic, n, &g));
  return tcc_infer_output_like(ic, n, 0, tcc_op_input(n, 0));
}

static tcc_status compute_rope(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  rope_geom g;
  TCC_TRY(rope_geometry(&ic, cc->node, &g));
  const tcc_tensor *X = cc->inputs[0], *C = cc->inputs[1], *S = cc->inputs[2];
  const tcc_tensor *P = cc->node->ninputs > 3 ? cc->inputs[3] : NULL;
  int nd = X->ndim;
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, X->shape, NULL);
  const tcc_expr **o = nn_axis_exprs(ctx, nd, ax);
  const tcc_expr *b = o[0], *sq, *h, *d;
  if (g.three_d) {
    sq = o[1];
    h = tcc_floordiv(ctx, o[2], tcc_idx(ctx, g.D));
    d = tcc_floormod(ctx, o[2], tcc_idx(ctx, g.D));
  } else {
    h = o[1];
    sq = o[2];
    d = o[3];
  }
  int64_t half = g.R / 2;
  tcc_type at = tcc_scalar(nn_acc_dtype(X->dtype));
/* x at feature f of this (b, s, h), f clamped into the head */
#define XAT(f)                                                                                     \
  tcc_cast(ctx, at,                                                                                \
           g.three_d ? tcc_read(ctx, X,                                                            \
                                (const tcc_expr *[]){                                              \
                                    b, sq,                                                         \
                                    tcc_add(ctx, tcc_mul(ctx, h, tcc_idx(ctx, g.D)),               \
                                            tcc_max(ctx, tcc_min(ctx, (f), tcc_idx(ctx, g.D - 1)), \
                                                    tcc_idx(ctx, 0)))})                            \
                     : tcc_read(ctx, X,                                                            \
                                (const tcc_expr *[]){                                              \
                                    b, h, sq,                                                      \
                                    tcc_max(ctx, tcc_min(ctx, (f), tcc_idx(ctx, g.D - 1)),         \
                                            tcc_idx(ctx, 0))}))
  const tcc_expr *k, *i1, *i2, *second;
  if (g.interleaved) {
    k = tcc_floordiv(ctx, d, tcc_idx(ctx, 2));
    i1 = tcc_mul(ctx, k, tcc_idx(ctx, 2));
    i2 = tcc_add(ctx, i1, tcc_idx(ctx, 1));
    second = tcc_eq(ctx, tcc_floormod(ctx, d, tcc_idx(ctx, 2)), tcc_idx(ctx, 1));
  } else {
    second = tcc_ge(ctx, d, tcc_idx(ctx, half));
    k = tcc_select(ctx, second, tcc_sub(ctx, d, tcc_idx(ctx, half)), d);
    i1 = k;
    i2 = tcc_add(ctx, k, tcc_idx(ctx, half));
  }
  k = tcc_max(ctx, tcc_min(ctx, k, tcc_idx(ctx, half - 1)), tcc_idx(ctx, 0));
  const tcc_expr *cv, *sv;
  if (P) {
    const tcc_expr *pos =
        tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, P, (const tcc_expr *[]){b, sq}));
    pos = tcc_max(ctx, tcc_min(ctx, pos, tcc_sub(ctx, C->shape[0], tcc_idx(ctx, 1))),
                  tcc_idx(ctx, 0));
    cv = tcc_read(ctx, C, (const tcc_expr *[]){pos, k});
    sv = tcc_read(ctx, S, (const tcc_expr *[]){pos, k});
  } else {
    cv = tcc_read(ctx, C, (const tcc_expr *[]){b, sq, k});
    sv = tcc_read(ctx, S, (const tcc_expr *[]){b, sq, k});
  }
  cv = tcc_cast(ctx, at, cv);
  sv = tcc_cast(ctx, at, sv);
  const tcc_expr *x1 = XAT(i1), *x2 = XAT(i2);
  const tcc_expr *real = tcc_sub(ctx, tcc_mul(ctx, cv, x1), tcc_mul(ctx, sv, x2));
  const tcc_expr *imag = tcc_add(ctx, tcc_mul(ctx, sv, x1), tcc_mul(ctx, cv, x2));
  const tcc_expr *rot = tcc_select(ctx, second, imag, real);
  const tcc_expr *y = tcc_select(ctx, tcc_lt(ctx, d, tcc_idx(ctx, g.R)), rot, XAT(d));
#undef XAT
  outputs[0] = tcc_compute(ctx, "rotary_embedding", nd, X->shape, ax,
                           tcc_cast(ctx, tcc_scalar(X->dtype), y), "injective");
  return TCC_OK;
}

/* ---- RNN (1, 7, 14, 22), GRU (1, 3, 7, 14, 22), LSTM (1, 7, 14, 22) ----
 * X (T, B, I) (layout 1: (B, T, I)); W (D, G*H, I), R (D, G*H, H), B (D, 2*G*H) with G = 1
 * (RNN), 3 (GRU: z, r, h) or 4 (LSTM: i, o, f, c); optional sequence_lens (B), initial_h
 * (D, B, H), LSTM initial_c and peepholes P (D, 3H: i, o, f). D = 2 for bidirectional. The time
 * loop is unrolled (T must be constant): per step one reduction H_{t-1} . R^T, then the gates
 * (activations f, g, h: default Sigmoid / Tanh / Tanh; RNN Tanh; clip bounds the
 * pre-activations), as the ONNX equations. Steps at or past a batch's sequence length keep the
 * state and write zeros to Y. Outputs Y (T, D, B, H) (layout 1: (B, T, D, H)), Y_h (D, B, H)
 * (layout 1: (B, D, H)), LSTM Y_c like Y_h. */
static const tcc_attr_schema rnn_attrs[] = {{"activation_alpha", TCC_ATTR_FLOATS, false},
                                            {"activation_beta", TCC_ATTR_FLOATS, false},
                                            {"activations", TCC_ATTR_STRINGS, false},
                                            {"clip", TCC_ATTR_FLOAT, false},
                                            {"direction", TCC_ATTR_STRING, false},
                                            {"hidden_size", TCC_ATTR_INT, false},
                                            {"input_forget", TCC_ATTR_INT, false},
                                            {"layout", TCC_ATTR_INT, false},
                                            {"linear_before_reset", TCC_ATTR_INT, false},
                                            {"output_sequence", TCC_ATTR_INT, false},
                                            {NULL, 0, false}};

typedef enum { CELL_RNN, CELL_GRU, CELL_LSTM } cell_kind;

typedef struct rnn_geom {
  cell_kind cell;
  int G, D;
  bool reverse_only, layout1;
  int64_t H, T, I;
  const tcc_expr *B;
} rnn_geom;

static cell_kind cell_of(const tcc_node *n) {
  return !strcmp(n->op_type, "GRU") ? CELL_GRU : !strcmp(n->op_type, "LSTM") ? CELL_LSTM : CELL_RNN;
}

static tcc_status rnn_geometry(tcc_infer_ctx *ic, const tcc_node *n, rnn_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *X, *W;
  TCC_TRY(tcc_infer_input(ic, n, 0, &X));
  TCC_TRY(tcc_infer_input(ic, n, 1, &W));
  g->cell = cell_of(n);
  g->G = g->cell == CELL_RNN ? 1 : g->cell == CELL_GRU ? 3 : 4;
  const char *dir;
  TCC_TRY(nn_attr_string(ic, n, "direction", "forward", &dir));
  if (!strcmp(dir, "forward"))
    g->D = 1, g->reverse_only = false;
  else if (!strcmp(dir, "reverse"))
    g->D = 1, g->reverse_only = true;
  else if (!strcmp(dir, "bidirectional"))
    g->D = 2, g->reverse_only = false;
  else
    return tcc_node_error(ctx, ic->graph, n, "attribute 'direction' is '%s'", dir);
  int64_t layout = 0, hs = 0, fg = 0;
  if (tcc_node_attr(n, "layout")) TCC_TRY(nn_attr_int(ic, n, "layout", 0, &layout));
  if (tcc_node_attr(n, "input_forget")) TCC_TRY(nn_attr_int(ic, n, "input_forget", 0, &fg));
  if (fg) return tcc_node_error(ctx, ic->graph, n, "input_forget = 1 is not supported");
  g->layout1 = layout == 1;
  if (X->ndim != 3 || W->ndim != 3)
    return tcc_node_error(ctx, ic->graph, n, "X %s and W %s must be 3-D",
                          tcc_value_shape_str(ctx, X), tcc_value_shape_str(ctx, W));
  int64_t gh;
  if (!tcc_expr_is_int_imm(X->dims[g->layout1 ? 1 : 0], &g->T) ||
      !tcc_expr_is_int_imm(X->dims[2], &g->I) || !tcc_expr_is_int_imm(W->dims[1], &gh))
    return tcc_node_error(ctx, ic->graph, n,
                          "the sequence length, input size and W's dims must be constant");
  g->B = X->dims[g->layout1 ? 0 : 1];
  TCC_TRY(nn_attr_int(ic, n, "hidden_size", gh / g->G, &hs));
  g->H = hs;
  if (hs < 1 || gh != g->G * hs)
    return tcc_node_error(ctx, ic->graph, n, "W %s does not hold %d gates of hidden_size %lld",
                          tcc_value_shape_str(ctx, W), g->G, (long long)hs);
  const tcc_expr *D = tcc_idx(ctx, g->D), *GH = tcc_idx(ctx, g->G * hs), *Hx = tcc_idx(ctx, hs);
  const tcc_expr *wd[3] = {D, GH, tcc_idx(ctx, g->I)}, *rd[3] = {D, GH, Hx};
  const tcc_expr *bd[2] = {D, tcc_idx(ctx, 2 * g->G * hs)}, *sd[1] = {g->B};
  const tcc_expr *hd[3] = {D, g->B, Hx}, *pd[2] = {D, tcc_idx(ctx, 3 * hs)};
  TCC_TRY(nn_check_shape(ic, n, 1, "W", 3, wd));
  TCC_TRY(nn_check_shape(ic, n, 2, "R", 3, rd));
  TCC_TRY(nn_check_shape(ic, n, 3, "B", 2, bd));
  TCC_TRY(nn_check_shape(ic, n, 4, "sequence_lens", 1, sd));
  TCC_TRY(nn_check_shape(ic, n, 5, "initial_h", 3, hd));
  if (g->cell == CELL_LSTM) {
    TCC_TRY(nn_check_shape(ic, n, 6, "initial_c", 3, hd));
    TCC_TRY(nn_check_shape(ic, n, 7, "P", 2, pd));
  }
  TCC_TRY(tcc_infer_check_dtype(ic, n, 4, TCC_DTM_INT32_64));
  return TCC_OK;
}

static tcc_status infer_rnn(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 1));
  TCC_TRY(tcc_infer_same_dtype(ic, n, 0, 2));
  rnn_geom g;
  TCC_TRY(rnn_geometry(ic, n, &g));
  tccrt_dtype dt = tcc_op_input(n, 0)->dtype;
  const tcc_expr *T = tcc_idx(ctx, g.T), *D = tcc_idx(ctx, g.D), *H = tcc_idx(ctx, g.H);
  const tcc_expr *y[4], *yh[3];
  if (g.layout1) {
    y[0] = g.B, y[1] = T, y[2] = D, y[3] = H;
    yh[0] = g.B, yh[1] = D, yh[2] = H;
  } else {
    y[0] = T, y[1] = D, y[2] = g.B, y[3] = H;
    yh[0] = D, yh[1] = g.B, yh[2] = H;
  }
  TCC_TRY(tcc_infer_set_output(ic, n, 0, dt, 4, y));
  TCC_TRY(tcc_infer_set_output(ic, n, 1, dt, 3, yh));
  return tcc_infer_set_output(ic, n, 2, dt, 3, yh);
}

/* An activation by ONNX name with optional alpha/beta, applied to x (float type). */
static tcc_status rnn_act(tcc_compute_ctx *cc, const char *name, double alpha, double beta,
                          const tcc_expr *x, const tcc_expr **out) {
  tcc_context *ctx = cc->ctx;
  tcc_type t = x->type;
  const tcc_expr *zero = tcc_const(ctx, t, 0), *one = tcc_const(ctx, t, 1);
  if (!strcasecmp(name, "Sigmoid"))
    *out = tcc_call1(ctx, TCC_INTRIN_SIGMOID, x);
  else if (!strcasecmp(name, "Tanh"))
    *out = tcc_call1(ctx, TCC_INTRIN_TANH, x);
  else if (!strcasecmp(name, "Relu"))
    *out = tcc_max(ctx, x, zero);
  else if (!strcasecmp(name, "Affine"))
    *out = tcc_add(ctx, tcc_mul(ctx, tcc_const(ctx, t, alpha), x), tcc_const(ctx, t, beta));
  else if (!strcasecmp(name, "LeakyRelu"))
    *out = tcc_select(ctx, tcc_lt(ctx, x, zero), tcc_mul(ctx, tcc_const(ctx, t, alpha), x), x);
  else if (!strcasecmp(name, "ThresholdedRelu"))
    *out = tcc_select(ctx, tcc_gt(ctx, x, tcc_const(ctx, t, alpha)), x, zero);
  else if (!strcasecmp(name, "ScaledTanh"))
    *out = tcc_mul(ctx, tcc_const(ctx, t, alpha),
                   tcc_call1(ctx, TCC_INTRIN_TANH, tcc_mul(ctx, tcc_const(ctx, t, beta), x)));
  else if (!strcasecmp(name, "HardSigmoid"))
    *out = tcc_max(
        ctx, zero,
        tcc_min(ctx, one,
                tcc_add(ctx, tcc_mul(ctx, tcc_const(ctx, t, alpha), x), tcc_const(ctx, t, beta))));
  else if (!strcasecmp(name, "Elu"))
    *out =
        tcc_select(ctx, tcc_lt(ctx, x, zero),
                   tcc_mul(ctx, tcc_const(ctx, t, alpha), tcc_call1(ctx, TCC_INTRIN_EXPM1, x)), x);
  else if (!strcasecmp(name, "Softsign"))
    *out = tcc_div(ctx, x, tcc_add(ctx, one, tcc_call1(ctx, TCC_INTRIN_FABS, x)));
  else if (!strcasecmp(name, "Softplus"))
    *out = tcc_call1(ctx, TCC_INTRIN_LOG1P, tcc_call1(ctx, TCC_INTRIN_EXP, x));
  else
    return nn_compute_error(cc, "activation '%s' is not supported", name);
  return TCC_OK;
}

static tcc_status compute_rnn(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  rnn_geom g;
  TCC_TRY(rnn_geometry(&ic, n, &g));
  int ni = n->ninputs;
  const tcc_tensor *X = cc->inputs[0], *W = cc->inputs[1], *R = cc->inputs[2];
  const tcc_tensor *Bs = ni > 3 ? cc->inputs[3] : NULL, *SL = ni > 4 ? cc->inputs[4] : NULL;
  const tcc_tensor *H0 = ni > 5 ? cc->inputs[5] : NULL;
  const tcc_tensor *C0 = g.cell == CELL_LSTM && ni > 6 ? cc->inputs[6] : NULL;
  const tcc_tensor *P = g.cell == CELL_LSTM && ni > 7 ? cc->inputs[7] : NULL;
  int64_t lbr = 0;
  if (g.cell == CELL_GRU) TCC_TRY(nn_attr_int(&ic, n, "linear_before_reset", 0, &lbr));
  double clip = 0;
  bool has_clip = tcc_node_attr(n, "clip") != NULL;
  if (has_clip) TCC_TRY(nn_attr_float(&ic, n, "clip", 0, &clip));
  /* activations: per direction f, g, h (RNN: f only) */
  int nact = g.cell == CELL_RNN ? 1 : g.cell == CELL_GRU ? 2 : 3;
  const char *acts[6];
  double alpha[6], beta[6];
  const tcc_attr *aa = tcc_node_attr(n, "activations"), *al = tcc_node_attr(n, "activation_alpha"),
                 *ab = tcc_node_attr(n, "activation_beta");
  for (int i = 0; i < nact * g.D; i++) {
    int k = i % nact;
    acts[i] = g.cell == CELL_RNN ? "Tanh" : k == 0 ? "Sigmoid" : "Tanh";
    alpha[i] = beta[i] = 0;
    if (aa && aa->kind == TCC_ATTR_STRINGS && i < aa->u.strings.n) acts[i] = aa->u.strings.v[i];
    if (al && al->kind == TCC_ATTR_FLOATS && i < al->u.floats.n) alpha[i] = al->u.floats.v[i];
    if (ab && ab->kind == TCC_ATTR_FLOATS && i < ab->u.floats.n) beta[i] = ab->u.floats.v[i];
    /* defaults of the parametrized activations (ONNX) */
    if (!al || i >= al->u.floats.n) {
      if (!strcasecmp(acts[i], "LeakyRelu"))
        alpha[i] = 0.01;
      else if (!strcasecmp(acts[i], "HardSigmoid"))
        alpha[i] = 0.2;
      else if (!strcasecmp(acts[i], "Elu") || !strcasecmp(acts[i], "ThresholdedRelu"))
        alpha[i] = 1.0;
      else if (!strcasecmp(acts[i], "Affine") || !strcasecmp(acts[i], "ScaledTanh"))
        alpha[i] = 1.0;
    }
    if (!ab || i >= ab->u.floats.n) {
      if (!strcasecmp(acts[i], "HardSigmoid"))
        beta[i] = 0.5;
      else if (!strcasecmp(acts[i], "ScaledTanh"))
        beta[i] = 1.0;
    }
  }
  tccrt_dtype dt = X->dtype;
  tcc_type at = tcc_scalar(nn_acc_dtype(dt));
  int64_t H = g.H, T = g.T, G = g.G;
  const tcc_expr *Hx = tcc_idx(ctx, H);
  const tcc_expr *bh[2] = {g.B, Hx};
  /* per direction and step: hidden state (B, H) and, for LSTM, cell state */
  tcc_tensor **hs = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *hs * (size_t)(2 * T + 2));
  tcc_tensor **cs = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *cs * (size_t)(2 * T + 2));
  for (int d = 0; d < g.D; d++) {
    bool rev = g.reverse_only || d == 1;
    const tcc_expr *dix = tcc_idx(ctx, d);
    /* XW[t, b, j] = sum_i X[t, b, i] * W[d, j, i] for all t at once */
    const tcc_expr *xws[3] = {tcc_idx(ctx, T), g.B, tcc_idx(ctx, G * H)};
    const tcc_itervar *const *axw = tcc_compute_axes(ctx, 3, xws, NULL);
    const tcc_expr **oxw = nn_axis_exprs(ctx, 3, axw);
    const tcc_itervar *ri = tcc_reduce_axis(ctx, "i", tcc_idx(ctx, 0), tcc_idx(ctx, g.I));
    const tcc_expr *iv = tcc_expr_var(ctx, ri->var);
    const tcc_expr *xi[3] = {g.layout1 ? oxw[1] : oxw[0], g.layout1 ? oxw[0] : oxw[1], iv};
    const tcc_expr *wi[3] = {dix, oxw[2], iv};
    tcc_tensor *xw = tcc_compute(ctx, "rnn_xw", 3, xws, axw,
                                 tcc_sum(ctx,
                                         tcc_mul(ctx, tcc_cast(ctx, at, tcc_read(ctx, X, xi)),
                                                 tcc_cast(ctx, at, tcc_read(ctx, W, wi))),
                                         1, &ri, NULL),
                                 "matmul");
    /* initial states */
    tcc_tensor *hprev, *cprev = NULL;
    {
      const tcc_itervar *const *a0 = tcc_compute_axes(ctx, 2, bh, NULL);
      const tcc_expr **o0 = nn_axis_exprs(ctx, 2, a0);
      const tcc_expr *i0[3] = {dix, o0[0], o0[1]};
      hprev = tcc_compute(ctx, "rnn_h0", 2, bh, a0,
                          H0 ? tcc_cast(ctx, at, tcc_read(ctx, H0, i0)) : tcc_const(ctx, at, 0),
                          "injective");
      if (g.cell == CELL_LSTM) {
        const tcc_itervar *const *a1 = tcc_compute_axes(ctx, 2, bh, NULL);
        const tcc_expr **o1 = nn_axis_exprs(ctx, 2, a1);
        const tcc_expr *i1[3] = {dix, o1[0], o1[1]};
        cprev = tcc_compute(ctx, "rnn_c0", 2, bh, a1,
                            C0 ? tcc_cast(ctx, at, tcc_read(ctx, C0, i1)) : tcc_const(ctx, at, 0),
                            "injective");
      }
    }
    const char *const *A = acts + d * nact;
    const double *AL = alpha + d * nact, *AB = beta + d * nact;
    for (int64_t s = 0; s < T; s++) {
      /* HR[b, j] = sum_k hprev[b, k] * R[d, j, k] (GRU without linear_before_reset: z, r only) */
      int64_t nj = (g.cell == CELL_GRU && !lbr) ? 2 * H : G * H;
      const tcc_expr *hrs[2] = {g.B, tcc_idx(ctx, nj)};
      const tcc_itervar *const *ahr = tcc_compute_axes(ctx, 2, hrs, NULL);
      const tcc_expr **ohr = nn_axis_exprs(ctx, 2, ahr);
      const tcc_itervar *rk = tcc_reduce_axis(ctx, "k", tcc_idx(ctx, 0), Hx);
      const tcc_expr *kv = tcc_expr_var(ctx, rk->var);
      const tcc_expr *hk[2] = {ohr[0], kv}, *rj[3] = {dix, ohr[1], kv};
      tcc_tensor *hr = tcc_compute(
          ctx, "rnn_hr", 2, hrs, ahr,
          tcc_sum(ctx,
                  tcc_mul(ctx, tcc_read(ctx, hprev, hk), tcc_cast(ctx, at, tcc_read(ctx, R, rj))),
                  1, &rk, NULL),
          "matmul");
      /* the time index this step reads and the step's validity for batch b */
      const tcc_itervar *const *ah = tcc_compute_axes(ctx, 2, bh, NULL);
      const tcc_expr **oh = nn_axis_exprs(ctx, 2, ah);
      const tcc_expr *b = oh[0], *h = oh[1];
      const tcc_expr *len =
          SL ? tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, SL, &b)) : tcc_idx(ctx, T);
      const tcc_expr *sidx = tcc_idx(ctx, s);
      const tcc_expr *valid = tcc_lt(ctx, sidx, len);
      const tcc_expr *ti = rev ? tcc_sub(ctx, tcc_sub(ctx, len, tcc_idx(ctx, 1)), sidx) : sidx;
      ti = tcc_max(ctx, tcc_min(ctx, ti, tcc_idx(ctx, T - 1)), tcc_idx(ctx, 0));
/* gate pre-activation j (gate index q) without the recurrent part */
#define XW_AT(q, hh)                                                                               \
  tcc_read(ctx, xw, (const tcc_expr *[]){ti, b, tcc_add(ctx, tcc_idx(ctx, (q) * H), (hh))})
#define BIAS(q, hh)                                                                                \
  (Bs ? tcc_add(ctx,                                                                               \
                tcc_cast(ctx, at,                                                                  \
                         tcc_read(ctx, Bs,                                                         \
                                  (const tcc_expr *[]){                                            \
                                      dix, tcc_add(ctx, tcc_idx(ctx, (q) * H), (hh))})),           \
                tcc_cast(ctx, at,                                                                  \
                         tcc_read(ctx, Bs,                                                         \
                                  (const tcc_expr *[]){                                            \
                                      dix, tcc_add(ctx, tcc_idx(ctx, (G + (q)) * H), (hh))})))     \
      : tcc_const(ctx, at, 0))
#define WB(q, hh)                                                                                  \
  (Bs ? tcc_cast(ctx, at,                                                                          \
                 tcc_read(ctx, Bs,                                                                 \
                          (const tcc_expr *[]){dix, tcc_add(ctx, tcc_idx(ctx, (q) * H), (hh))}))   \
      : tcc_const(ctx, at, 0))
#define RB(q, hh)                                                                                  \
  (Bs ? tcc_cast(                                                                                  \
            ctx, at,                                                                               \
            tcc_read(ctx, Bs,                                                                      \
                     (const tcc_expr *[]){dix, tcc_add(ctx, tcc_idx(ctx, (G + (q)) * H), (hh))}))  \
      : tcc_const(ctx, at, 0))
#define HR_AT(q, hh)                                                                               \
  tcc_read(ctx, hr, (const tcc_expr *[]){b, tcc_add(ctx, tcc_idx(ctx, (q) * H), (hh))})
#define CLIP(x)                                                                                    \
  (has_clip ? tcc_max(ctx, tcc_min(ctx, (x), tcc_const(ctx, at, clip)), tcc_const(ctx, at, -clip)) \
            : (x))
      const tcc_expr *hp = tcc_read(ctx, hprev, (const tcc_expr *[]){b, h});
      const tcc_expr *hnew, *cnew = NULL;
      if (g.cell == CELL_RNN) {
        const tcc_expr *pre =
            CLIP(tcc_add(ctx, tcc_add(ctx, XW_AT(0, h), HR_AT(0, h)), BIAS(0, h)));
        TCC_TRY(rnn_act(cc, A[0], AL[0], AB[0], pre, &hnew));
      } else if (g.cell == CELL_LSTM) {
        const tcc_expr *cp = tcc_read(ctx, cprev, (const tcc_expr *[]){b, h});
        const tcc_expr *pi =
            P ? tcc_cast(ctx, at, tcc_read(ctx, P, (const tcc_expr *[]){dix, h})) : NULL;
        const tcc_expr *po =
            P ? tcc_cast(ctx, at, tcc_read(ctx, P, (const tcc_expr *[]){dix, tcc_add(ctx, Hx, h)}))
              : NULL;
        const tcc_expr *pf =
            P ? tcc_cast(ctx, at,
                         tcc_read(ctx, P,
                                  (const tcc_expr *[]){dix, tcc_add(ctx, tcc_idx(ctx, 2 * H), h)}))
              : NULL;
        const tcc_expr *ipre = tcc_add(ctx, tcc_add(ctx, XW_AT(0, h), HR_AT(0, h)), BIAS(0, h));
        const tcc_expr *fpre = tcc_add(ctx, tcc_add(ctx, XW_AT(2, h), HR_AT(2, h)), BIAS(2, h));
        const tcc_expr *cpre = tcc_add(ctx, tcc_add(ctx, XW_AT(3, h), HR_AT(3, h)), BIAS(3, h));
        const tcc_expr *opre = tcc_add(ctx, tcc_add(ctx, XW_AT(1, h), HR_AT(1, h)), BIAS(1, h));
        if (pi) ipre = tcc_add(ctx, ipre, tcc_mul(ctx, pi, cp));
        if (pf) fpre = tcc_add(ctx, fpre, tcc_mul(ctx, pf, cp));
        const tcc_expr *ig, *fg, *cg, *og, *hc;
        TCC_TRY(rnn_act(cc, A[0], AL[0], AB[0], CLIP(ipre), &ig));
        TCC_TRY(rnn_act(cc, A[0], AL[0], AB[0], CLIP(fpre), &fg));
        TCC_TRY(rnn_act(cc, A[1], AL[1], AB[1], CLIP(cpre), &cg));
        cnew = tcc_add(ctx, tcc_mul(ctx, fg, cp), tcc_mul(ctx, ig, cg));
        if (po) opre = tcc_add(ctx, opre, tcc_mul(ctx, po, cnew));
        TCC_TRY(rnn_act(cc, A[0], AL[0], AB[0], CLIP(opre), &og));
        TCC_TRY(rnn_act(cc, A[2], AL[2], AB[2], cnew, &hc));
        hnew = tcc_mul(ctx, og, hc);
      } else {
        /* GRU: z (0), r (1), h (2) */
        const tcc_expr *zpre = tcc_add(ctx, tcc_add(ctx, XW_AT(0, h), HR_AT(0, h)), BIAS(0, h));
        const tcc_expr *zg;
        TCC_TRY(rnn_act(cc, A[0], AL[0], AB[0], CLIP(zpre), &zg));
        const tcc_expr *hpre;
        if (lbr) {
          const tcc_expr *rpre = tcc_add(ctx, tcc_add(ctx, XW_AT(1, h), HR_AT(1, h)), BIAS(1, h));
          const tcc_expr *rg;
          TCC_TRY(rnn_act(cc, A[0], AL[0], AB[0], CLIP(rpre), &rg));
          hpre = tcc_add(ctx, tcc_add(ctx, XW_AT(2, h), WB(2, h)),
                         tcc_mul(ctx, rg, tcc_add(ctx, HR_AT(2, h), RB(2, h))));
        } else {
          /* r for every hidden unit, then (r . hprev) . Rh^T */
          const tcc_itervar *const *arr = tcc_compute_axes(ctx, 2, bh, NULL);
          const tcc_expr **orr = nn_axis_exprs(ctx, 2, arr);
          const tcc_expr *b2 = orr[0], *h2 = orr[1];
          const tcc_expr *len2 =
              SL ? tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, SL, &b2)) : tcc_idx(ctx, T);
          const tcc_expr *ti2 =
              rev ? tcc_sub(ctx, tcc_sub(ctx, len2, tcc_idx(ctx, 1)), sidx) : sidx;
          ti2 = tcc_max(ctx, tcc_min(ctx, ti2, tcc_idx(ctx, T - 1)), tcc_idx(ctx, 0));
          const tcc_expr *rpre = tcc_add(
              ctx,
              tcc_add(ctx, tcc_read(ctx, xw, (const tcc_expr *[]){ti2, b2, tcc_add(ctx, Hx, h2)}),
                      tcc_read(ctx, hr, (const tcc_expr *[]){b2, tcc_add(ctx, Hx, h2)})),
              Bs ? tcc_add(
                       ctx,
                       tcc_cast(ctx, at,
                                tcc_read(ctx, Bs, (const tcc_expr *[]){dix, tcc_add(ctx, Hx, h2)})),
                       tcc_cast(ctx, at,
                                tcc_read(ctx, Bs,
                                         (const tcc_expr *[]){
                                             dix, tcc_add(ctx, tcc_idx(ctx, (G + 1) * H), h2)})))
                 : tcc_const(ctx, at, 0));
          const tcc_expr *rg;
          TCC_TRY(rnn_act(cc, A[0], AL[0], AB[0], CLIP(rpre), &rg));
          tcc_tensor *rh = tcc_compute(
              ctx, "gru_rh", 2, bh, arr,
              tcc_mul(ctx, rg, tcc_read(ctx, hprev, (const tcc_expr *[]){b2, h2})), "elemwise");
          const tcc_itervar *const *arh = tcc_compute_axes(ctx, 2, bh, NULL);
          const tcc_expr **orh = nn_axis_exprs(ctx, 2, arh);
          const tcc_itervar *rk2 = tcc_reduce_axis(ctx, "k", tcc_idx(ctx, 0), Hx);
          const tcc_expr *kv2 = tcc_expr_var(ctx, rk2->var);
          tcc_tensor *rhr = tcc_compute(
              ctx, "gru_rhr", 2, bh, arh,
              tcc_sum(ctx,
                      tcc_mul(ctx, tcc_read(ctx, rh, (const tcc_expr *[]){orh[0], kv2}),
                              tcc_cast(ctx, at,
                                       tcc_read(ctx, R,
                                                (const tcc_expr *[]){
                                                    dix, tcc_add(ctx, tcc_idx(ctx, 2 * H), orh[1]),
                                                    kv2}))),
                      1, &rk2, NULL),
              "matmul");
          hpre = tcc_add(ctx,
                         tcc_add(ctx, XW_AT(2, h), tcc_read(ctx, rhr, (const tcc_expr *[]){b, h})),
                         BIAS(2, h));
        }
        const tcc_expr *hg;
        TCC_TRY(rnn_act(cc, A[1], AL[1], AB[1], CLIP(hpre), &hg));
        hnew = tcc_add(ctx, tcc_mul(ctx, tcc_sub(ctx, tcc_const(ctx, at, 1), zg), hg),
                       tcc_mul(ctx, zg, hp));
      }
#undef XW_AT
#undef BIAS
#undef WB
#undef RB
#undef HR_AT
#undef CLIP
      hnew = tcc_select(ctx, valid, hnew, hp);
      tcc_tensor *ht = tcc_compute(ctx, "rnn_h", 2, bh, ah, hnew, "elemwise");
      hs[d * T + s] = ht;
      if (g.cell == CELL_LSTM) {
        /* the cell state needs its own stage (same expressions) */
        const tcc_expr *cp = tcc_read(ctx, cprev, (const tcc_expr *[]){b, h});
        cnew = tcc_select(ctx, valid, cnew, cp);
        tcc_tensor *ct = tcc_compute(ctx, "rnn_c", 2, bh, ah, cnew, "elemwise");
        cs[d * T + s] = ct;
        cprev = ct;
      }
      hprev = ht;
    }
  }
  /* outputs */
  int nd;
  const tcc_expr *const *yd;
  if (n->noutputs > 0 && n->outputs[0]) {
    TCC_TRY(nn_out_dims(cc, 0, &nd, &yd));
    const tcc_itervar *const *ay = tcc_compute_axes(ctx, 4, yd, NULL);
    const tcc_expr **oy = nn_axis_exprs(ctx, 4, ay);
    const tcc_expr *t = g.layout1 ? oy[1] : oy[0], *dd = g.layout1 ? oy[2] : oy[1],
                   *b = g.layout1 ? oy[0] : oy[2], *h = oy[3];
    const tcc_expr *len =
        SL ? tcc_cast(ctx, tcc_index_type(), tcc_read(ctx, SL, &b)) : tcc_idx(ctx, T);
    const tcc_expr *val = tcc_const(ctx, at, 0);
    for (int d = 0; d < g.D; d++) {
      bool rev = g.reverse_only || d == 1;
      /* the step that produced time t */
      const tcc_expr *step = rev ? tcc_sub(ctx, tcc_sub(ctx, len, tcc_idx(ctx, 1)), t) : t;
      for (int64_t s = 0; s < T; s++) {
        const tcc_expr *hit =
            tcc_and(ctx, tcc_eq(ctx, dd, tcc_idx(ctx, d)), tcc_eq(ctx, step, tcc_idx(ctx, s)));
        val = tcc_select(ctx, hit, tcc_read(ctx, hs[d * T + s], (const tcc_expr *[]){b, h}), val);
      }
    }
    val = tcc_select(ctx, tcc_lt(ctx, t, len), val, tcc_const(ctx, at, 0));
    outputs[0] =
        tcc_compute(ctx, "rnn_y", 4, yd, ay, tcc_cast(ctx, tcc_scalar(dt), val), "injective");
  }
  for (int k = 1; k <= (g.cell == CELL_LSTM ? 2 : 1); k++) {
    if (n->noutputs <= k || !n->outputs[k]) continue;
    TCC_TRY(nn_out_dims(cc, k, &nd, &yd));
    const tcc_itervar *const *ay = tcc_compute_axes(ctx, 3, yd, NULL);
    const tcc_expr **oy = nn_axis_exprs(ctx, 3, ay);
    const tcc_expr *dd = g.layout1 ? oy[1] : oy[0], *b = g.layout1 ? oy[0] : oy[1], *h = oy[2];
    tcc_tensor **st = k == 1 ? hs : cs;
    const tcc_expr *val = tcc_read(ctx, st[T - 1], (const tcc_expr *[]){b, h});
    for (int d = 1; d < g.D; d++)
      val = tcc_select(ctx, tcc_eq(ctx, dd, tcc_idx(ctx, d)),
                       tcc_read(ctx, st[d * T + T - 1], (const tcc_expr *[]){b, h}), val);
    outputs[k] = tcc_compute(ctx, k == 1 ? "rnn_y_h" : "rnn_y_c", 3, yd, ay,
                             tcc_cast(ctx, tcc_scalar(dt), val), "injective");
  }
  return TCC_OK;
}

/* ---- LinearAttention (27): query (B, T, Hq*dk), key (B, T, Hkv*dk), value (B, T, Hkv*dv),
 * optional past_state (B, Hkv, dk, dv), decay (B, T, Hkv or Hkv*dk), beta (B, T, Hkv or 1),
 * erase_gate (B, T, Hkv*dk); update_rule linear | gated | delta | gated_delta (default). Per time
 * step (unrolled, T constant), in float32: gated: S *= exp(decay_t); delta: v_t = beta_t *
 * (v_t - S^T (erase_t * k_t)); S += k_t (x) v_t; out_t = scale * q_t . S (GQA: query head h reads
 * kv head h / (Hq/Hkv)). Outputs output (B, T, Hq*dv) and present_state (B, Hkv, dk, dv). As the
 * ONNX reference. ---- */
static const tcc_attr_schema la_attrs[] = {
    {"chunk_size", TCC_ATTR_INT, false},     {"kv_num_heads", TCC_ATTR_INT, true},
    {"q_num_heads", TCC_ATTR_INT, true},     {"scale", TCC_ATTR_FLOAT, false},
    {"update_rule", TCC_ATTR_STRING, false}, {NULL, 0, false}};

typedef struct la_geom {
  int64_t Hq, Hkv, dk, dv, T;
  const tcc_expr *B;
  bool gating, delta;
} la_geom;

static tcc_status la_geometry(tcc_infer_ctx *ic, const tcc_node *n, la_geom *g) {
  tcc_context *ctx = ic->ctx;
  const tcc_value *Q, *K, *V;
  TCC_TRY(tcc_infer_input(ic, n, 0, &Q));
  TCC_TRY(tcc_infer_input(ic, n, 1, &K));
  TCC_TRY(tcc_infer_input(ic, n, 2, &V));
  TCC_TRY(nn_attr_int(ic, n, "q_num_heads", 0, &g->Hq));
  TCC_TRY(nn_attr_int(ic, n, "kv_num_heads", 0, &g->Hkv));
  const char *rule;
  TCC_TRY(nn_attr_string(ic, n, "update_rule", "gated_delta", &rule));
  g->gating = !strcmp(rule, "gated") || !strcmp(rule, "gated_delta");
  g->delta = !strcmp(rule, "delta") || !strcmp(rule, "gated_delta");
  if (!g->gating && !g->delta && strcmp(rule, "linear"))
    return tcc_node_error(ctx, ic->graph, n, "attribute 'update_rule' is '%s'", rule);
  int64_t qh, vh;
  if (Q->ndim != 3 || K->ndim != 3 || V->ndim != 3 || g->Hq < 1 || g->Hkv < 1 || g->Hq % g->Hkv ||
      !tcc_expr_is_int_imm(Q->dims[2], &qh) || !tcc_expr_is_int_imm(V->dims[2], &vh) ||
      !tcc_expr_is_int_imm(Q->dims[1], &g->T) || qh % g->Hq || vh % g->Hkv)
    return tcc_node_error(ctx, ic->graph, n,
                          "query %s, key %s, value %s: expected (B, T, H*d) with constant T, d "
                          "and heads q_num_heads a multiple of kv_num_heads",
                          tcc_value_shape_str(ctx, Q), tcc_value_shape_str(ctx, K),
                          tcc_value_shape_str(ctx, V));
  g->dk = qh / g->Hq;
  g->dv = vh / g->Hkv;
  g->B = Q->dims[0];
  const tcc_expr *Tx = Q->dims[1];
  const tcc_expr *kd[3] = {g->B, Tx, tcc_idx(ctx, g->Hkv * g->dk)};
  const tcc_expr *vd[3] = {g->B, Tx, NULL};
  const tcc_expr *sd[4] = {g->B, tcc_idx(ctx, g->Hkv), tcc_idx(ctx, g->dk), tcc_idx(ctx, g->dv)};
  TCC_TRY(nn_check_shape(ic, n, 1, "key", 3, kd));
  TCC_TRY(nn_check_shape(ic, n, 2, "value", 3, vd));
  TCC_TRY(nn_check_shape(ic, n, 3, "past_state", 4, sd));
  TCC_TRY(nn_check_shape(ic, n, 6, "erase_gate", 3, kd));
  for (int k = 4; k <= 5; k++) {
    const tcc_value *v = tcc_op_input(n, k);
    if (!v) continue;
    const tcc_expr *bd[3] = {g->B, Tx, NULL};
    TCC_TRY(nn_check_shape(ic, n, k, k == 4 ? "decay" : "beta", 3, bd));
    int64_t last;
    bool ok = tcc_expr_is_int_imm(v->dims[2], &last) &&
              (last == g->Hkv || (k == 4 ? last == g->Hkv * g->dk : last == 1));
    if (!ok)
      return tcc_node_error(ctx, ic->graph, n, "%s %s: the last dim must be %lld or %lld",
                            k == 4 ? "decay" : "beta", tcc_value_shape_str(ctx, v),
                            (long long)g->Hkv, (long long)(k == 4 ? g->Hkv * g->dk : 1));
  }
  if (g->gating != (tcc_op_input(n, 4) != NULL) || g->delta != (tcc_op_input(n, 5) != NULL))
    return tcc_node_error(ctx, ic->graph, n, "update_rule '%s' %s decay and %s beta", rule,
                          g->gating ? "needs" : "forbids", g->delta ? "needs" : "forbids");
  return TCC_OK;
}

static tcc_status infer_linear_attention(tcc_infer_ctx *ic, tcc_node *n) {
  tcc_context *ctx = ic->ctx;
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT));
  la_geom g;
  TCC_TRY(la_geometry(ic, n, &g));
  const tcc_value *Q = tcc_op_input(n, 0), *PS = tcc_op_input(n, 3);
  const tcc_expr *y[3] = {g.B, Q->dims[1], tcc_idx(ctx, g.Hq * g.dv)};
  TCC_TRY(tcc_infer_set_output(ic, n, 0, Q->dtype, 3, y));
  const tcc_expr *st[4] = {g.B, tcc_idx(ctx, g.Hkv), tcc_idx(ctx, g.dk), tcc_idx(ctx, g.dv)};
  return tcc_infer_set_output(ic, n, 1, PS ? PS->dtype : Q->dtype, 4, st);
}

/* x (B, T, H*D) read as (b, h, t, d), converted to float32. */
static const tcc_expr *la_read(tcc_context *ctx, const tcc_tensor *x, int64_t D, const tcc_expr *b,
                               const tcc_expr *h, int64_t t, const tcc_expr *d) {
  const tcc_expr *i[3] = {b, tcc_idx(ctx, t), tcc_add(ctx, tcc_mul(ctx, h, tcc_idx(ctx, D)), d)};
  return tcc_cast(ctx, tcc_scalar(TCCRT_FLOAT32), tcc_read(ctx, x, i));
}

static tcc_status compute_linear_attention(tcc_compute_ctx *cc, tcc_tensor **outputs) {
  tcc_context *ctx = cc->ctx;
  tcc_infer_ctx ic = nn_ic_of(cc);
  const tcc_node *n = cc->node;
  la_geom g;
  TCC_TRY(la_geometry(&ic, n, &g));
  int ni = n->ninputs;
  const tcc_tensor *Q = cc->inputs[0], *K = cc->inputs[1], *V = cc->inputs[2];
  const tcc_tensor *PS = ni > 3 ? cc->inputs[3] : NULL, *DC = ni > 4 ? cc->inputs[4] : NULL,
                   *BT = ni > 5 ? cc->inputs[5] : NULL, *EG = ni > 6 ? cc->inputs[6] : NULL;
  double scale = 0;
  if (tcc_node_attr(n, "scale")) TCC_TRY(nn_attr_float(&ic, n, "scale", 0, &scale));
  if (scale == 0) scale = 1.0 / sqrt((double)g.dk);
  tcc_type f32 = tcc_scalar(TCCRT_FLOAT32);
  int64_t gs = g.Hq / g.Hkv;
  int64_t dlast = 0, blast = 0;
  if (DC) tcc_expr_is_int_imm(DC->shape[2], &dlast);
  if (BT) tcc_expr_is_int_imm(BT->shape[2], &blast);
  const tcc_expr *sshape[4] = {g.B, tcc_idx(ctx, g.Hkv), tcc_idx(ctx, g.dk), tcc_idx(ctx, g.dv)};
  /* initial state */
  const tcc_itervar *const *a0 = tcc_compute_axes(ctx, 4, sshape, NULL);
  const tcc_expr **o0 = nn_axis_exprs(ctx, 4, a0);
  tcc_tensor *S = tcc_compute(
      ctx, "la_s0", 4, sshape, a0,
      PS ? tcc_cast(ctx, f32, tcc_read(ctx, PS, o0)) : tcc_float(ctx, f32, 0), "injective");
  tcc_tensor **outs = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *outs * (size_t)(g.T + 1));
  const tcc_expr *bhm[3] = {g.B, tcc_idx(ctx, g.Hkv), tcc_idx(ctx, g.dv)};
  for (int64_t t = 0; t < g.T; t++) {
    /* retrieved[b, h, m] = sum_d S'[b,h,d,m] * ke[b,h,d], S' = S * exp(decay) */
    tcc_tensor *vt = NULL;
    if (g.delta) {
      const tcc_itervar *const *ar = tcc_compute_axes(ctx, 3, bhm, NULL);
      const tcc_expr **orr = nn_axis_exprs(ctx, 3, ar);
      const tcc_itervar *rd = tcc_reduce_axis(ctx, "d", tcc_idx(ctx, 0), tcc_idx(ctx, g.dk));
      const tcc_expr *d = tcc_expr_var(ctx, rd->var);
      const tcc_expr *si[4] = {orr[0], orr[1], d, orr[2]};
      const tcc_expr *sv = tcc_read(ctx, S, si);
      if (g.gating) {
        const tcc_expr *gi = dlast == g.Hkv ? tcc_idx(ctx, 0) : d;
        const tcc_expr *dv = la_read(ctx, DC, dlast == g.Hkv ? 1 : g.dk, orr[0], orr[1], t, gi);
        sv = tcc_mul(ctx, sv, tcc_call1(ctx, TCC_INTRIN_EXP, dv));
      }
      const tcc_expr *ke = la_read(ctx, K, g.dk, orr[0], orr[1], t, d);
      if (EG) ke = tcc_mul(ctx, la_read(ctx, EG, g.dk, orr[0], orr[1], t, d), ke);
      tcc_tensor *ret = tcc_compute(ctx, "la_retrieved", 3, bhm, ar,
                                    tcc_sum(ctx, tcc_mul(ctx, sv, ke), 1, &rd, NULL), "matmul");
      const tcc_itervar *const *av = tcc_compute_axes(ctx, 3, bhm, NULL);
      const tcc_expr **ov = nn_axis_exprs(ctx, 3, av);
      const tcc_expr *bi = blast == 1 ? tcc_idx(ctx, 0) : ov[1];
      const tcc_expr *beta = la_read(ctx, BT, 1, ov[0], bi, t, tcc_idx(ctx, 0));
      const tcc_expr *vv = la_read(ctx, V, g.dv, ov[0], ov[1], t, ov[2]);
      vt = tcc_compute(ctx, "la_v", 3, bhm, av,
                       tcc_mul(ctx, beta, tcc_sub(ctx, vv, tcc_read(ctx, ret, ov))), "elemwise");
    }
    /* S_new = S * exp(decay) + k (x) v */
    const tcc_itervar *const *as = tcc_compute_axes(ctx, 4, sshape, NULL);
    const tcc_expr **os = nn_axis_exprs(ctx, 4, as);
    const tcc_expr *sv = tcc_read(ctx, S, os);
    if (g.gating) {
      const tcc_expr *gi = dlast == g.Hkv ? tcc_idx(ctx, 0) : os[2];
      sv = tcc_mul(ctx, sv,
                   tcc_call1(ctx, TCC_INTRIN_EXP,
                             la_read(ctx, DC, dlast == g.Hkv ? 1 : g.dk, os[0], os[1], t, gi)));
    }
    const tcc_expr *kv = la_read(ctx, K, g.dk, os[0], os[1], t, os[2]);
    const tcc_expr *vi[3] = {os[0], os[1], os[3]};
    const tcc_expr *vv = vt ? tcc_read(ctx, vt, vi) : la_read(ctx, V, g.dv, os[0], os[1], t, os[3]);
    S = tcc_compute(ctx, "la_state", 4, sshape, as, tcc_add(ctx, sv, tcc_mul(ctx, kv, vv)),
                    "elemwise");
    /* out_t[b, hq, m] = scale * sum_d q[b, hq, d] * S[b, hq / gs, d, m] */
    const tcc_expr *oshape[3] = {g.B, tcc_idx(ctx, g.Hq), tcc_idx(ctx, g.dv)};
    const tcc_itervar *const *ao = tcc_compute_axes(ctx, 3, oshape, NULL);
    const tcc_expr **oo = nn_axis_exprs(ctx, 3, ao);
    const tcc_itervar *rd = tcc_reduce_axis(ctx, "d", tcc_idx(ctx, 0), tcc_idx(ctx, g.dk));
    const tcc_expr *d = tcc_expr_var(ctx, rd->var);
    const tcc_expr *hk = gs > 1 ? tcc_floordiv(ctx, oo[1], tcc_idx(ctx, gs)) : oo[1];
    const tcc_expr *si[4] = {oo[0], hk, d, oo[2]};
    const tcc_expr *prod =
        tcc_mul(ctx, la_read(ctx, Q, g.dk, oo[0], oo[1], t, d), tcc_read(ctx, S, si));
    outs[t] = tcc_compute(ctx, "la_out", 3, oshape, ao, tcc_sum(ctx, prod, 1, &rd, NULL), "matmul");
  }
  int nd;
  const tcc_expr *const *yd;
  TCC_TRY(nn_out_dims(cc, 0, &nd, &yd));
  const tcc_itervar *const *ay = tcc_compute_axes(ctx, 3, yd, NULL);
  const tcc_expr **oy = nn_axis_exprs(ctx, 3, ay);
  const tcc_expr *ri[3] = {oy[0], tcc_floordiv(ctx, oy[2], tcc_idx(ctx, g.dv)),
                           tcc_floormod(ctx, oy[2], tcc_idx(ctx, g.dv))};
  const tcc_expr *val = tcc_float(ctx, f32, 0);
  for (int64_t t = g.T - 1; t >= 0; t--)
    val = t == g.T - 1 ? tcc_read(ctx, outs[t], ri)
                       : tcc_select(ctx, tcc_eq(ctx, oy[1], tcc_idx(ctx, t)),
                                    tcc_read(ctx, outs[t], ri), val);
  val = tcc_mul(ctx, tcc_float(ctx, f32, scale), val);
  outputs[0] = tcc_compute(ctx, "linear_attention", 3, yd, ay,
                           tcc_cast(ctx, tcc_scalar(Q->dtype), val), "injective");
  if (n->noutputs > 1 && n->outputs[1]) {
    const tcc_itervar *const *ap = tcc_compute_axes(ctx, 4, sshape, NULL);
    outputs[1] = tcc_compute(ctx, "present_state", 4, sshape, ap,
                             tcc_cast(ctx, tcc_scalar(n->outputs[1]->dtype),
                                      tcc_read(ctx, S, nn_axis_exprs(ctx, 4, ap))),
                             "injective");
  }
  return TCC_OK;
}

#define MM(NAME, SINCE, UNTIL, MINI, MAXI, ATTRS, INFER, COMPUTE)                                  \
  {NAME, "", SINCE, UNTIL, TCC_PAT_OUT_ELEMWISE_FUSABLE, MINI, MAXI, 1, 1, ATTRS, INFER, COMPUTE}

const tcc_op tcc_ops_matmul[] = {
    MM("MatMul", 1, 8, 2, 2, no_attrs, infer_matmul, compute_matmul),
    MM("MatMul", 9, 12, 2, 2, no_attrs, infer_matmul, compute_matmul),
    MM("MatMul", 13, 0, 2, 2, no_attrs, infer_matmul, compute_matmul),
    MM("Gemm", 1, 5, 3, 3, gemm1_attrs, infer_gemm, compute_gemm),
    MM("Gemm", 6, 6, 3, 3, gemm1_attrs, infer_gemm, compute_gemm),
    MM("Gemm", 7, 8, 3, 3, gemm7_attrs, infer_gemm, compute_gemm),
    MM("Gemm", 9, 10, 3, 3, gemm7_attrs, infer_gemm, compute_gemm),
    MM("Gemm", 11, 12, 2, 3, gemm7_attrs, infer_gemm, compute_gemm),
    MM("Gemm", 13, 0, 2, 3, gemm7_attrs, infer_gemm, compute_gemm),
    MM("Einsum", 12, 0, 1, -1, einsum_attrs, infer_einsum, compute_einsum),
    MM("MatMulInteger", 10, 0, 2, 4, no_attrs, infer_matmul_integer, compute_matmul_integer),
    MM("QLinearMatMul", 10, 20, 8, 8, no_attrs, infer_qlinear_matmul, compute_qlinear_matmul),
    MM("QLinearMatMul", 21, 0, 8, 8, no_attrs, infer_qlinear_matmul, compute_qlinear_matmul),
    {"Attention", "", 23, 23, TCC_PAT_OPAQUE, 3, 6, 1, 4, attn_attrs, infer_attention,
     compute_attention},
    {"Attention", "", 24, 0, TCC_PAT_OPAQUE, 3, 7, 1, 4, attn_attrs, infer_attention,
     compute_attention},
    {"RotaryEmbedding", "", 23, 0, TCC_PAT_INJECTIVE, 3, 4, 1, 1, rope_attrs, infer_rope,
     compute_rope},
    {"LinearAttention", "", 27, 0, TCC_PAT_OPAQUE, 3, 7, 1, 2, la_attrs, infer_linear_attention,
     compute_linear_attention},
    {"RNN", "", 1, 6, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"RNN", "", 7, 13, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"RNN", "", 14, 21, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"RNN", "", 22, 0, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"GRU", "", 1, 2, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"GRU", "", 3, 6, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"GRU", "", 7, 13, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"GRU", "", 14, 21, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"GRU", "", 22, 0, TCC_PAT_OPAQUE, 3, 6, 0, 2, rnn_attrs, infer_rnn, compute_rnn},
    {"LSTM", "", 1, 6, TCC_PAT_OPAQUE, 3, 8, 0, 3, rnn_attrs, infer_rnn, compute_rnn},
    {"LSTM", "", 7, 13, TCC_PAT_OPAQUE, 3, 8, 0, 3, rnn_attrs, infer_rnn, compute_rnn},
    {"LSTM", "", 14, 21, TCC_PAT_OPAQUE, 3, 8, 0, 3, rnn_attrs, infer_rnn, compute_rnn},
    {"LSTM", "", 22, 0, TCC_PAT_OPAQUE, 3, 8, 0, 3, rnn_attrs, infer_rnn, compute_rnn},
};
const int tcc_ops_matmul_count = (int)TCC_ARRAY_SIZE(tcc_ops_matmul);
