/* matmul.c — the matmul op family: MatMul, Gemm, Einsum, MatMulInteger, QLinearMatMul.
 *
 * Spec: ONNX MatMul (opsets 1, 9, 13: numpy.matmul — a 1-D first operand gets a leading 1 and a
 * 1-D second operand a trailing 1, both removed from the result; batch dims broadcast), Gemm
 * (1, 6, 7, 9, 11, 13: Y = alpha * A' * B' + beta * C with A' = transA ? A^T : A, C broadcast to
 * M x N, optional from 11), Einsum (12), MatMulInteger (10), QLinearMatMul (10, 21).
 * Computes are TOPI-style: one reduction over K (anchor, tag "matmul"/"dense"), then elementwise
 * stages (alpha/beta/C, requantization) that fuse into it. */
#include "nn_util.h"

#include <ctype.h>
#include <string.h>

static const tcc_attr_schema no_attrs[] = {{NULL, 0, false}};
static const tcc_attr_schema gemm1_attrs[] = {
    {"alpha", TCC_ATTR_FLOAT, false},  {"beta", TCC_ATTR_FLOAT, false},
    {"broadcast", TCC_ATTR_INT, false}, {"transA", TCC_ATTR_INT, false},
    {"transB", TCC_ATTR_INT, false},   {NULL, 0, false}};
static const tcc_attr_schema gemm7_attrs[] = {
    {"alpha", TCC_ATTR_FLOAT, false}, {"beta", TCC_ATTR_FLOAT, false},
    {"transA", TCC_ATTR_INT, false},  {"transB", TCC_ATTR_INT, false},
    {NULL, 0, false}};
static const tcc_attr_schema einsum_attrs[] = {{"equation", TCC_ATTR_STRING, true},
                                               {NULL, 0, false}};

/* ---- MatMul geometry ---- */

typedef struct mm_geom {
  int a_nd, b_nd;         /* ranks after promoting 1-D operands */
  bool a_vec, b_vec;      /* operand was 1-D */
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
    return tcc_node_error(ctx, ic->graph, n,
                          "MatMul operands must have rank >= 1; got %s and %s",
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
      return tcc_node_error(ctx, ic->graph, n,
                            "inner dims differ: A %s has K = %lld but B %s has K = %lld",
                            tcc_value_shape_str(ctx, A), (long long)ka,
                            tcc_value_shape_str(ctx, B), (long long)kb);
    if (!tcc_expr_is_int_imm(g->K, &ka)) g->K = Kb; /* prefer a constant K */
  }
  int abn = A->ndim > 2 ? A->ndim - 2 : 0, bbn = B->ndim > 2 ? B->ndim - 2 : 0;
  TCC_TRY(tcc_infer_broadcast(ic, n, abn, A->dims, bbn, B->dims, &g->nbatch, &g->batch));
  g->a_nd = A->ndim;
  g->b_nd = B->ndim;
  int k = 0;
  for (int i = 0; i < g->nbatch; i++) g->out[k++] = g->batch[i];
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
  return tcc_node_error(ic->ctx, ic->graph, n, "%s (input %d) has shape %s; expected a scalar or 1-D",
                        what, k, tcc_value_shape_str(ic->ctx, v));
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
  static const char *const names[] = {"a", "a_scale", "a_zero_point", "b", "b_scale",
                                      "b_zero_point", "y_scale", "y_zero_point"};
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
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_FLOAT | TCC_DTM(TCCRT_INT32) |
                                              TCC_DTM(TCCRT_INT64) | TCC_DTM(TCCRT_UINT32) |
                                              TCC_DTM(TCCRT_UINT64)));
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
  int nlabels;      /* letters + (ellipsis ? 1 : 0) entries */
  char labels[64];  /* letters; '.' marks the ellipsis position */
  int ell_rank;     /* dims the ellipsis covers in this operand */
} ein_term;

typedef struct ein_geom {
  int ninputs;
  ein_term in[16];
  ein_term out;
  int ell_rank;                            /* broadcast ellipsis rank */
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

static bool term_has_ell(const ein_term *t) { return memchr(t->labels, '.', (size_t)t->nlabels) != NULL; }

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
    return tcc_node_error(ctx, ic->graph, n, "equation '%s' has %d operands but the node has %d inputs",
                          eq, g->ninputs, n->ninputs);
  /* bind letters and ellipsis dims */
  int ell_rank = 0;
  const tcc_expr *ell[TCCRT_MAX_RANK] = {0};
  for (int k = 0; k < g->ninputs; k++) {
    const tcc_value *v;
    TCC_TRY(tcc_infer_input(ic, n, k, &v));
    ein_term *t = &g->in[k];
    int nletters = t->nlabels - (term_has_ell(t) ? 1 : 0);
    if (term_has_ell(t) ? v->ndim < nletters : v->ndim != nletters)
      return tcc_node_error(ctx, ic->graph, n, "operand %d has shape %s; the equation term needs rank %s%d",
                            k, tcc_value_shape_str(ctx, v), term_has_ell(t) ? ">= " : "", nletters);
    t->ell_rank = v->ndim - nletters;
    int d = 0;
    for (int j = 0; j < t->nlabels; j++) {
      char c = t->labels[j];
      if (c == '.') {
        /* right-align with the broadcast ellipsis */
        int er = t->ell_rank;
        if (er > ell_rank) {
          for (int q = ell_rank - 1; q >= 0; q--) ell[q + er - ell_rank] = ell[q];
          for (int q = 0; q < er - ell_rank; q++) ell[q] = NULL;
          ell_rank = er;
        }
        for (int q = 0; q < er; q++) {
          const tcc_expr *dim = v->dims[d + q], **slot = &ell[ell_rank - er + q];
          int64_t cv;
          if (!*slot || (tcc_expr_is_int_imm(*slot, &cv) && cv == 1)) *slot = dim;
          else if (!(tcc_expr_is_int_imm(dim, &cv) && cv == 1) && !tcc_shape_dim_eq(ctx, *slot, dim))
            return tcc_node_error(ctx, ic->graph, n, "operand %d: ellipsis dims do not broadcast", k);
        }
        d += er;
        continue;
      }
      const tcc_expr *dim = v->dims[d++];
      const tcc_expr **slot = &g->letter_dim[(unsigned char)c];
      int64_t cv;
      if (!*slot || (tcc_expr_is_int_imm(*slot, &cv) && cv == 1)) *slot = dim;
      else if (!(tcc_expr_is_int_imm(dim, &cv) && cv == 1) && !tcc_shape_dim_eq(ctx, *slot, dim))
        return tcc_node_error(ctx, ic->graph, n, "label '%c' has extents %s and %s", c,
                              tcc_expr_str(ctx, *slot), tcc_expr_str(ctx, dim));
    }
  }
  g->ell_rank = ell_rank;
  for (int q = 0; q < ell_rank; q++) g->ell_dims[q] = ell[q];
  /* output term */
  if (arrow) {
    TCC_TRY(ein_parse_term(ic, n, arrow + 2, strlen(arrow + 2), &g->out));
    for (int j = 0; j < g->out.nlabels; j++) {
      char c = g->out.labels[j];
      if (c != '.' && !g->letter_dim[(unsigned char)c])
        return tcc_node_error(ctx, ic->graph, n, "equation: output label '%c' is not an input label", c);
    }
  } else {
    /* implicit: ellipsis, then letters appearing exactly once, alphabetically */
    int cnt[128] = {0};
    bool any_ell = false;
    for (int k = 0; k < g->ninputs; k++)
      for (int j = 0; j < g->in[k].nlabels; j++) {
        if (g->in[k].labels[j] == '.') any_ell = true;
        else cnt[(unsigned char)g->in[k].labels[j]]++;
      }
    if (any_ell) g->out.labels[g->out.nlabels++] = '.';
    for (int c = 'A'; c <= 'z'; c++)
      if (cnt[c] == 1) g->out.labels[g->out.nlabels++] = (char)c;
  }
  g->out_nd = 0;
  for (int j = 0; j < g->out.nlabels; j++) {
    char c = g->out.labels[j];
    if (c == '.') {
      for (int q = 0; q < ell_rank; q++) g->out_dims[g->out_nd++] = g->ell_dims[q];
    } else {
      if (g->out_nd >= TCCRT_MAX_RANK) return tcc_node_error(ctx, ic->graph, n, "equation: output rank too large");
      g->out_dims[g->out_nd++] = g->letter_dim[(unsigned char)c];
    }
  }
  return TCC_OK;
}

static tcc_status infer_einsum(tcc_infer_ctx *ic, tcc_node *n) {
  TCC_TRY(tcc_infer_check_dtype(ic, n, 0, TCC_DTM_NUMERIC));
  for (int k = 1; k < n->ninputs; k++) TCC_TRY(tcc_infer_same_dtype(ic, n, 0, k));
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
  if (g->a_vec) ia[0] = k;
  else {
    ia[A->ndim - 2] = i;
    ia[A->ndim - 1] = k;
  }
  if (g->b_vec) ib[0] = k;
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
  if (st == TCCRT_FLOAT32 || st == TCCRT_FLOAT64) r = tcc_div(ctx, tcc_mul(ctx, x, y), z);
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
  outputs[0] = tcc_compute(ctx, "gemm_out", 2, shape, ax2, tcc_cast(ctx, tcc_scalar(dt), v),
                           "elemwise");
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
      for (int q = 0; q < g->ell_rank; q++) ell[q] = o[d++];
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

#define MM(NAME, SINCE, UNTIL, MINI, MAXI, ATTRS, INFER, COMPUTE)                                 \
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
};
const int tcc_ops_matmul_count = (int)TCC_ARRAY_SIZE(tcc_ops_matmul);
