/* op_util.c — shared inference helpers (see op_util.h). */
#include "op_util.h"

#include <stdlib.h>
#include <string.h>

/* ---- inputs ---- */

const tcc_value *tcc_op_input(const tcc_node *n, int k) {
  if (k < 0 || k >= n->ninputs) return NULL;
  return n->inputs[k];
}

tcc_status tcc_infer_input(tcc_infer_ctx *ic, const tcc_node *n, int k, const tcc_value **out) {
  const tcc_value *v = tcc_op_input(n, k);
  if (!v) return tcc_node_error(ic->ctx, ic->graph, n, "input %d is required but missing", k);
  if (v->dtype == TCCRT_UNDEFINED || v->ndim < 0)
    return tcc_node_error(ic->ctx, ic->graph, n, "input %d ('%s') has no inferred type or shape", k,
                          v->name ? v->name : "");
  *out = v;
  return TCC_OK;
}

static const char *mask_str(tcc_context *ctx, uint32_t mask) {
  char buf[512];
  size_t len = 0;
  buf[0] = 0;
  for (int dt = 0; dt < 32; dt++) {
    if (!(mask & (1u << dt))) continue;
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? ", " : "",
                            tccrt_dtype_name((tccrt_dtype)dt));
    if (len >= sizeof buf) break;
  }
  return tcc_arena_strdup(tcc_ctx_arena(ctx), buf);
}

tcc_status tcc_infer_check_dtype(tcc_infer_ctx *ic, const tcc_node *n, int k, uint32_t allowed) {
  const tcc_value *v = tcc_op_input(n, k);
  if (!v) return TCC_OK;
  unsigned dt = (unsigned)v->dtype;
  if (dt < 32 && (allowed & (1u << dt))) return TCC_OK;
  return tcc_node_error(ic->ctx, ic->graph, n, "input %d ('%s') has dtype %s; expected one of %s",
                        k, v->name ? v->name : "", tccrt_dtype_name(v->dtype),
                        mask_str(ic->ctx, allowed));
}

tcc_status tcc_infer_same_dtype(tcc_infer_ctx *ic, const tcc_node *n, int a, int b) {
  const tcc_value *va = tcc_op_input(n, a), *vb = tcc_op_input(n, b);
  if (!va || !vb || va->dtype == vb->dtype) return TCC_OK;
  return tcc_node_error(ic->ctx, ic->graph, n,
                        "input %d ('%s') has dtype %s but input %d ('%s') has dtype %s; they must "
                        "be the same type",
                        a, va->name ? va->name : "", tccrt_dtype_name(va->dtype), b,
                        vb->name ? vb->name : "", tccrt_dtype_name(vb->dtype));
}

/* ---- outputs ---- */

tcc_status tcc_infer_set_output(tcc_infer_ctx *ic, tcc_node *n, int k, tccrt_dtype dtype, int ndim,
                                const tcc_expr *const *dims) {
  if (k < 0 || k >= n->noutputs || !n->outputs[k]) return TCC_OK;
  if (ndim < 0 || ndim > 64)
    return tcc_node_error(ic->ctx, ic->graph, n, "output %d would have invalid rank %d", k, ndim);
  if (dtype == TCCRT_STRING)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "output %d would be a string tensor: string tensors are not supported",
                          k);
  tcc_value *v = n->outputs[k];
  const tcc_expr **d = NULL;
  if (ndim > 0) {
    d = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)ndim * sizeof *d);
    for (int i = 0; i < ndim; i++) {
      if (!dims[i]) return tcc_node_error(ic->ctx, ic->graph, n, "output %d dim %d unknown", k, i);
      d[i] = tcc_shape_canon(ic->ctx, dims[i]);
      int64_t c;
      if (tcc_expr_is_int_imm(d[i], &c) && c < 0)
        return tcc_node_error(ic->ctx, ic->graph, n, "output %d would have negative dim %lld", k,
                              (long long)c);
    }
  }
  /* Constant shapes: the element count and the byte size must fit in int64 (ONNX does not bound
   * them, but no buffer that large can exist and the index arithmetic would wrap). */
  {
    int64_t ne = 1, c;
    bool all_const = true, overflow = false;
    for (int i = 0; i < ndim && all_const; i++) {
      if (!tcc_expr_is_int_imm(d[i], &c)) {
        all_const = false;
      } else if (c == 0) {
        ne = 0;
        overflow = false;
        break;
      } else if (!overflow && __builtin_mul_overflow(ne, c, &ne)) {
        overflow = true;
      }
    }
    size_t es = tccrt_dtype_size(dtype);
    if (all_const && !overflow && es > 1 && ne > INT64_MAX / (int64_t)es) overflow = true;
    if (all_const && overflow)
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "output %d would have shape %s (%s): its element count or byte size "
                            "overflows int64",
                            k, tcc_shape_str(ic->ctx, ndim, d), tccrt_dtype_name(dtype));
  }
  v->dtype = dtype;
  v->ndim = ndim;
  v->dims = d;
  v->sym_elems = NULL;
  v->nsym_elems = 0;
  return TCC_OK;
}

tcc_status tcc_infer_output_like(tcc_infer_ctx *ic, tcc_node *n, int k, const tcc_value *v) {
  return tcc_infer_set_output(ic, n, k, v->dtype, v->ndim, v->dims);
}

void tcc_infer_set_sym_elems(tcc_infer_ctx *ic, tcc_node *n, int k, int64_t count,
                             const tcc_expr *const *elems) {
  if (k < 0 || k >= n->noutputs || !n->outputs[k]) return;
  if (count < 0 || count > TCC_SYM_ELEMS_MAX) return;
  for (int64_t i = 0; i < count; i++)
    if (!elems[i]) return;
  const tcc_expr **d = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)(count + 1) * sizeof *d);
  for (int64_t i = 0; i < count; i++)
    d[i] = tcc_shape_canon(ic->ctx, elems[i]);
  n->outputs[k]->sym_elems = d;
  n->outputs[k]->nsym_elems = count;
}

/* ---- attributes ---- */

tcc_status tcc_op_check_attrs(tcc_infer_ctx *ic, const tcc_node *n) {
  const tcc_op *op = n->op;
  if (!op || !op->attrs) return TCC_OK;
  tcc_status st = TCC_OK;
  for (int i = 0; i < n->nattrs; i++) {
    const tcc_attr *a = &n->attrs[i];
    const tcc_attr_schema *s = op->attrs;
    while (s->name && strcmp(s->name, a->name))
      s++;
    if (!s->name) {
      st = tcc_node_error(ic->ctx, ic->graph, n,
                          "attribute '%s' is not an attribute of %s (opset %d%s)", a->name,
                          op->name, op->since_version, op->until_version ? "+" : " and later");
    } else if (s->kind != a->kind) {
      st = tcc_node_error(ic->ctx, ic->graph, n, "attribute '%s' has kind %s; expected %s", a->name,
                          tcc_attr_kind_name(a->kind), tcc_attr_kind_name(s->kind));
    }
  }
  for (const tcc_attr_schema *s = op->attrs; s->name; s++)
    if (s->required && !tcc_node_attr(n, s->name))
      st = tcc_node_error(ic->ctx, ic->graph, n, "required attribute '%s' is missing", s->name);
  return st;
}

/* ---- axes ---- */

tcc_status tcc_infer_axis(tcc_infer_ctx *ic, const tcc_node *n, const char *what, int64_t axis,
                          int rank, int *out) {
  if (axis < -(int64_t)rank || axis >= rank)
    return tcc_node_error(ic->ctx, ic->graph, n, "%s %lld is out of range [%d, %d] for rank %d",
                          what, (long long)axis, -rank, rank - 1, rank);
  *out = (int)(axis < 0 ? axis + rank : axis);
  return TCC_OK;
}

tcc_status tcc_infer_axes(tcc_infer_ctx *ic, const tcc_node *n, const char *what, int count,
                          const int64_t *axes, int rank, int *out) {
  for (int i = 0; i < count; i++) {
    TCC_TRY(tcc_infer_axis(ic, n, what, axes[i], rank, &out[i]));
    for (int j = 0; j < i; j++)
      if (out[j] == out[i])
        return tcc_node_error(ic->ctx, ic->graph, n, "%s lists axis %d twice", what, out[i]);
  }
  return TCC_OK;
}

/* ---- constant inputs ---- */

static int64_t value_numel(const tcc_value *v) {
  if (v->ndim < 0) return -1;
  int64_t n = 1;
  for (int i = 0; i < v->ndim; i++) {
    int64_t d;
    if (!tcc_expr_is_int_imm(v->dims[i], &d) || d < 0 || !tcc_mul_ovf(n, d, &n)) return -1;
  }
  return n;
}

static bool read_int_elem(tccrt_dtype dt, const void *data, int64_t i, int64_t *out) {
  switch (dt) {
  case TCCRT_INT8: *out = ((const int8_t *)data)[i]; return true;
  case TCCRT_INT16: *out = ((const int16_t *)data)[i]; return true;
  case TCCRT_INT32: *out = ((const int32_t *)data)[i]; return true;
  case TCCRT_INT64: *out = ((const int64_t *)data)[i]; return true;
  case TCCRT_UINT8: *out = ((const uint8_t *)data)[i]; return true;
  case TCCRT_UINT16: *out = ((const uint16_t *)data)[i]; return true;
  case TCCRT_UINT32: *out = ((const uint32_t *)data)[i]; return true;
  case TCCRT_UINT64: *out = (int64_t)((const uint64_t *)data)[i]; return true;
  case TCCRT_BOOL: *out = ((const uint8_t *)data)[i] != 0; return true;
  default: return false;
  }
}

static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        exp--;
      }
      mant &= 0x3ff;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static bool read_float_elem(tccrt_dtype dt, const void *data, int64_t i, double *out) {
  int64_t iv;
  switch (dt) {
  case TCCRT_FLOAT32: *out = ((const float *)data)[i]; return true;
  case TCCRT_FLOAT64: *out = ((const double *)data)[i]; return true;
  case TCCRT_FLOAT16: *out = half_to_float(((const uint16_t *)data)[i]); return true;
  case TCCRT_BFLOAT16: {
    uint32_t bits = (uint32_t)((const uint16_t *)data)[i] << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    *out = f;
    return true;
  }
  default:
    if (!read_int_elem(dt, data, i, &iv)) return false;
    *out = dt == TCCRT_UINT64 ? (double)(uint64_t)iv : (double)iv;
    return true;
  }
}

/* Maximum number of elements read from a constant for inference (shape-like inputs are small;
 * a larger constant is "not used" rather than copied). */
#define CONST_READ_MAX (1 << 20)

/* The constant a value carries: itself when it is a constant, the tensor attribute of the
 * Constant node that produces it, or the constant behind an Identity chain. */
static const tcc_value *const_source(const tcc_value *v) {
  for (int depth = 0; v && depth < 16; depth++) {
    if (v->kind == TCC_VALUE_CONST) return v->data || value_numel(v) == 0 ? v : NULL;
    if (v->kind != TCC_VALUE_NODE || !v->producer || !v->producer->op_type) return NULL;
    const tcc_node *p = v->producer;
    if (!strcmp(p->op_type, "Constant")) {
      const tcc_attr *a = tcc_node_attr(p, "value");
      return a && a->kind == TCC_ATTR_TENSOR && a->u.t && a->u.t->data ? a->u.t : NULL;
    }
    if (strcmp(p->op_type, "Identity") || p->ninputs < 1) return NULL;
    v = p->inputs[0];
  }
  return NULL;
}

static bool const_data(const tcc_value **pv, int64_t *count) {
  const tcc_value *v = const_source(*pv);
  if (!v) return false;
  *pv = v;
  int64_t numel = value_numel(v);
  if (numel < 0 || numel > CONST_READ_MAX) return false;
  size_t es = tccrt_dtype_size(v->dtype);
  if (!es) return false;
  if (v->is_fill ? v->nbytes < es : v->nbytes < (size_t)numel * es) return false;
  *count = numel;
  return true;
}

tcc_status tcc_infer_const_ints(tcc_infer_ctx *ic, const tcc_node *n, int k, bool *known,
                                int64_t *count, const int64_t **vals) {
  *known = false;
  *count = 0;
  *vals = NULL;
  const tcc_value *v = tcc_op_input(n, k);
  if (!v) return TCC_OK;
  int64_t numel;
  if (const_data(&v, &numel)) {
    if (!tcc_dtype_is_int(v->dtype) && v->dtype != TCCRT_BOOL)
      return tcc_node_error(ic->ctx, ic->graph, n,
                            "input %d ('%s') has dtype %s; expected an integer tensor", k,
                            v->name ? v->name : "", tccrt_dtype_name(v->dtype));
    int64_t *out = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)(numel + 1) * sizeof *out);
    for (int64_t i = 0; i < numel; i++)
      read_int_elem(v->dtype, v->data, v->is_fill ? 0 : i, &out[i]);
    *known = true;
    *count = numel;
    *vals = out;
    return TCC_OK;
  }
  int64_t ns;
  const tcc_expr *const *se;
  if (tcc_value_sym_ints(ic->ctx, v, &ns, &se)) {
    int64_t *out = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)(ns + 1) * sizeof *out);
    for (int64_t i = 0; i < ns; i++)
      if (!tcc_expr_is_int_imm(se[i], &out[i])) return TCC_OK;
    *known = true;
    *count = ns;
    *vals = out;
  }
  return TCC_OK;
}

tcc_status tcc_infer_const_floats(tcc_infer_ctx *ic, const tcc_node *n, int k, bool *known,
                                  int64_t *count, const double **vals) {
  *known = false;
  *count = 0;
  *vals = NULL;
  const tcc_value *v = tcc_op_input(n, k);
  if (!v) return TCC_OK;
  int64_t numel;
  if (const_data(&v, &numel)) {
    double *out = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)(numel + 1) * sizeof *out);
    for (int64_t i = 0; i < numel; i++)
      if (!read_float_elem(v->dtype, v->data, v->is_fill ? 0 : i, &out[i]))
        return tcc_node_error(ic->ctx, ic->graph, n,
                              "input %d ('%s') has dtype %s; expected a numeric tensor", k,
                              v->name ? v->name : "", tccrt_dtype_name(v->dtype));
    *known = true;
    *count = numel;
    *vals = out;
    return TCC_OK;
  }
  int64_t ns;
  const tcc_expr *const *se;
  if (tcc_value_sym_ints(ic->ctx, v, &ns, &se)) {
    double *out = tcc_arena_alloc(tcc_ctx_arena(ic->ctx), (size_t)(ns + 1) * sizeof *out);
    for (int64_t i = 0; i < ns; i++) {
      int64_t iv;
      if (!tcc_expr_is_int_imm(se[i], &iv)) return TCC_OK;
      out[i] = (double)iv;
    }
    *known = true;
    *count = ns;
    *vals = out;
  }
  return TCC_OK;
}

bool tcc_value_sym_ints(tcc_context *ctx, const tcc_value *v, int64_t *count,
                        const tcc_expr *const **elems) {
  *count = 0;
  *elems = NULL;
  if (!v) return false;
  if (v->sym_elems) {
    *count = v->nsym_elems;
    *elems = v->sym_elems;
    return true;
  }
  if (v->nsym_elems == 0 && v->ndim == 1 && v->kind != TCC_VALUE_CONST &&
      tcc_expr_is_int_imm(v->dims[0], NULL) && v->dims[0]->u.ival == 0 &&
      (v->dtype == TCCRT_INT64 || v->dtype == TCCRT_INT32)) {
    /* An empty int tensor: its (zero) elements are known. */
    *elems = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof **elems);
    return true;
  }
  int64_t numel;
  if (!const_data(&v, &numel) || numel > TCC_SYM_ELEMS_MAX) return false;
  if (!tcc_dtype_is_int(v->dtype) && v->dtype != TCCRT_BOOL) return false;
  const tcc_expr **out = tcc_arena_alloc(tcc_ctx_arena(ctx), (size_t)(numel + 1) * sizeof *out);
  for (int64_t i = 0; i < numel; i++) {
    int64_t x = 0;
    read_int_elem(v->dtype, v->data, v->is_fill ? 0 : i, &x);
    out[i] = tcc_idx(ctx, x);
  }
  *count = numel;
  *elems = out;
  return true;
}

tcc_status tcc_infer_sym_ints(tcc_infer_ctx *ic, const tcc_node *n, int k, bool *known,
                              int64_t *count, const tcc_expr *const **elems) {
  const tcc_value *v = tcc_op_input(n, k);
  *known = false;
  if (v && v->kind == TCC_VALUE_CONST && v->data && !tcc_dtype_is_int(v->dtype) &&
      v->dtype != TCCRT_BOOL)
    return tcc_node_error(ic->ctx, ic->graph, n,
                          "input %d ('%s') has dtype %s; expected an integer tensor", k,
                          v->name ? v->name : "", tccrt_dtype_name(v->dtype));
  *known = tcc_value_sym_ints(ic->ctx, v, count, elems);
  return TCC_OK;
}

/* ---- symbolic shape arithmetic ---- */

#define MAX_FACTORS 16

typedef struct monomial {
  int64_t coef;
  int nf;
  const tcc_expr *f[MAX_FACTORS];
  bool ok; /* false: overflowed or too many factors */
} monomial;

static void decompose(const tcc_expr *e, monomial *m) {
  int64_t v;
  if (!m->ok) return;
  if (tcc_expr_is_int_imm(e, &v)) {
    if (!tcc_mul_ovf(m->coef, v, &m->coef)) m->ok = false;
    return;
  }
  if (e->kind == TCC_MUL) {
    decompose(e->u.bin.a, m);
    decompose(e->u.bin.b, m);
    return;
  }
  if (m->nf == MAX_FACTORS) {
    m->ok = false;
    return;
  }
  m->f[m->nf++] = e;
}

static int cmp_expr_id(const void *a, const void *b) {
  const tcc_expr *x = *(const tcc_expr *const *)a, *y = *(const tcc_expr *const *)b;
  return x->id < y->id ? -1 : x->id > y->id;
}

static const tcc_expr *rebuild(tcc_context *ctx, monomial *m) {
  if (m->coef == 0) return tcc_idx(ctx, 0);
  qsort(m->f, (size_t)m->nf, sizeof m->f[0], cmp_expr_id);
  const tcc_expr *r = NULL;
  for (int i = 0; i < m->nf; i++)
    r = r ? tcc_mul(ctx, r, m->f[i]) : m->f[i];
  if (!r) return tcc_idx(ctx, m->coef);
  if (m->coef != 1) r = tcc_mul(ctx, r, tcc_idx(ctx, m->coef));
  return r;
}

const tcc_expr *tcc_shape_canon(tcc_context *ctx, const tcc_expr *e) {
  if (!e || e->kind != TCC_MUL || e->type.dtype != TCCRT_INT64 || e->type.lanes != 1) return e;
  monomial m = {.coef = 1, .ok = true};
  decompose(e, &m);
  if (!m.ok) return e;
  return rebuild(ctx, &m);
}

const tcc_expr *tcc_shape_mul(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b) {
  return tcc_shape_canon(ctx, tcc_mul(ctx, a, b));
}

const tcc_expr *tcc_shape_add(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b) {
  int64_t x;
  /* Keep constants on the right: N + 1. */
  if (tcc_expr_is_int_imm(a, &x) && !tcc_expr_is_int_imm(b, NULL)) return tcc_add(ctx, b, a);
  /* (N + c1) + c2 -> N + (c1 + c2) */
  int64_t y;
  if (tcc_expr_is_int_imm(b, &y) && a->kind == TCC_ADD && tcc_expr_is_int_imm(a->u.bin.b, &x) &&
      tcc_add_ovf(x, y, &x))
    return tcc_add(ctx, a->u.bin.a, tcc_idx(ctx, x));
  if (tcc_expr_is_int_imm(b, &y) && a->kind == TCC_SUB && tcc_expr_is_int_imm(a->u.bin.b, &x) &&
      y - x >= 0 && tcc_add_ovf(-x, y, &x))
    return tcc_add(ctx, a->u.bin.a, tcc_idx(ctx, x));
  return tcc_add(ctx, a, b);
}

const tcc_expr *tcc_shape_sub(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b) {
  int64_t x, y;
  /* (N + c1) - c2 */
  if (tcc_expr_is_int_imm(b, &y) && a->kind == TCC_ADD && tcc_expr_is_int_imm(a->u.bin.b, &x)) {
    int64_t d = x - y;
    if (d == 0) return a->u.bin.a;
    return d > 0 ? tcc_add(ctx, a->u.bin.a, tcc_idx(ctx, d))
                 : tcc_sub(ctx, a->u.bin.a, tcc_idx(ctx, -d));
  }
  /* (N + M) - M, (N + M) - N */
  if (a->kind == TCC_ADD && a->u.bin.b == b) return a->u.bin.a;
  if (a->kind == TCC_ADD && a->u.bin.a == b) return a->u.bin.b;
  if (tcc_expr_is_int_imm(b, &y) && y < 0 && y != INT64_MIN)
    return tcc_shape_add(ctx, a, tcc_idx(ctx, -y));
  return tcc_sub(ctx, a, b);
}

const tcc_expr *tcc_shape_prod(tcc_context *ctx, int n, const tcc_expr *const *dims) {
  const tcc_expr *r = tcc_idx(ctx, 1);
  for (int i = 0; i < n; i++)
    r = tcc_shape_mul(ctx, r, dims[i]);
  return r;
}

bool tcc_shape_div_exact(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b,
                         const tcc_expr **out) {
  int64_t bv;
  if (tcc_expr_is_int_imm(b, &bv) && bv == 0) {
    *out = NULL;
    return false;
  }
  monomial ma = {.coef = 1, .ok = true}, mb = {.coef = 1, .ok = true};
  decompose(a, &ma);
  decompose(b, &mb);
  if (ma.ok && mb.ok && mb.coef != 0 && ma.coef % mb.coef == 0) {
    bool used[MAX_FACTORS] = {0};
    bool all = true;
    for (int j = 0; j < mb.nf && all; j++) {
      int i = 0;
      while (i < ma.nf && (used[i] || ma.f[i] != mb.f[j]))
        i++;
      if (i == ma.nf)
        all = false;
      else
        used[i] = true;
    }
    if (all) {
      monomial q = {.coef = ma.coef / mb.coef, .ok = true};
      for (int i = 0; i < ma.nf; i++)
        if (!used[i]) q.f[q.nf++] = ma.f[i];
      *out = rebuild(ctx, &q);
      return true;
    }
  }
  *out = tcc_floordiv(ctx, tcc_shape_canon(ctx, a), tcc_shape_canon(ctx, b));
  return false;
}

bool tcc_shape_dim_eq(tcc_context *ctx, const tcc_expr *a, const tcc_expr *b) {
  return a == b || tcc_shape_canon(ctx, a) == tcc_shape_canon(ctx, b);
}

const char *tcc_shape_str(tcc_context *ctx, int ndim, const tcc_expr *const *dims) {
  if (ndim < 0) return "[?]";
  size_t cap = 64, len = 0;
  const char *parts[64];
  int np = ndim < 64 ? ndim : 64;
  for (int i = 0; i < np; i++) {
    parts[i] = dims && dims[i] ? tcc_expr_str(ctx, dims[i]) : "?";
    cap += strlen(parts[i]) + 2;
  }
  char *s = tcc_arena_alloc(tcc_ctx_arena(ctx), cap);
  s[len++] = '[';
  for (int i = 0; i < np; i++) {
    if (i) {
      memcpy(s + len, ", ", 2);
      len += 2;
    }
    size_t l = strlen(parts[i]);
    memcpy(s + len, parts[i], l);
    len += l;
  }
  s[len++] = ']';
  s[len] = 0;
  return s;
}

const char *tcc_value_shape_str(tcc_context *ctx, const tcc_value *v) {
  return tcc_shape_str(ctx, v->ndim, v->dims);
}

/* ---- broadcasting ---- */

tcc_status tcc_infer_broadcast(tcc_infer_ctx *ic, const tcc_node *n, int a_ndim,
                               const tcc_expr *const *a, int b_ndim, const tcc_expr *const *b,
                               int *out_ndim, const tcc_expr *const **out_dims) {
  tcc_context *ctx = ic->ctx;
  int r = a_ndim > b_ndim ? a_ndim : b_ndim;
  const tcc_expr **o = tcc_arena_alloc(tcc_ctx_arena(ctx), (size_t)(r + 1) * sizeof *o);
  for (int i = 0; i < r; i++) {
    int ia = i - (r - a_ndim), ib = i - (r - b_ndim);
    const tcc_expr *da = ia >= 0 ? tcc_shape_canon(ctx, a[ia]) : NULL;
    const tcc_expr *db = ib >= 0 ? tcc_shape_canon(ctx, b[ib]) : NULL;
    int64_t ca = -1, cb = -1;
    bool ka = da && tcc_expr_is_int_imm(da, &ca), kb = db && tcc_expr_is_int_imm(db, &cb);
    if (!da)
      o[i] = db;
    else if (!db)
      o[i] = da;
    else if (da == db)
      o[i] = da;
    else if (ka && ca == 1)
      o[i] = db;
    else if (kb && cb == 1)
      o[i] = da;
    else
      return tcc_node_error(ctx, ic->graph, n,
                            "cannot broadcast shapes %s and %s (dim %d: %s vs %s)",
                            tcc_shape_str(ctx, a_ndim, a), tcc_shape_str(ctx, b_ndim, b), i,
                            tcc_expr_str(ctx, da), tcc_expr_str(ctx, db));
  }
  *out_ndim = r;
  *out_dims = o;
  return TCC_OK;
}

tcc_status tcc_infer_broadcast_inputs(tcc_infer_ctx *ic, const tcc_node *n, int first, int count,
                                      int *out_ndim, const tcc_expr *const **out_dims) {
  int nd = 0;
  const tcc_expr *const *d = NULL;
  for (int k = first; k < first + count; k++) {
    const tcc_value *v = tcc_op_input(n, k);
    if (!v) continue;
    TCC_TRY(tcc_infer_input(ic, n, k, &v));
    TCC_TRY(tcc_infer_broadcast(ic, n, nd, d, v->ndim, v->dims, &nd, &d));
  }
  *out_ndim = nd;
  *out_dims = d;
  return TCC_OK;
}

/* ---- compute helpers ---- */

const tcc_itervar *const *tcc_compute_out_axes(tcc_compute_ctx *cc, int k,
                                               const tcc_expr *const **idx) {
  const tcc_value *o = cc->node->outputs[k];
  const tcc_itervar *const *axes = tcc_compute_axes(cc->ctx, o->ndim, o->dims, NULL);
  const tcc_expr **v = tcc_arena_alloc(tcc_ctx_arena(cc->ctx), sizeof *v * (size_t)(o->ndim + 1));
  for (int i = 0; i < o->ndim; i++)
    v[i] = tcc_expr_var(cc->ctx, axes[i]->var);
  *idx = v;
  return axes;
}

tcc_tensor *tcc_compute_out(tcc_compute_ctx *cc, int k, const tcc_itervar *const *axes,
                            const tcc_expr *body, const char *tag) {
  const tcc_value *o = cc->node->outputs[k];
  return tcc_compute(cc->ctx, o->name, o->ndim, o->dims, axes, body, tag);
}

const tcc_expr *tcc_compute_read_bcast(tcc_context *ctx, const tcc_tensor *t, int out_ndim,
                                       const tcc_expr *const *idx,
                                       const tcc_expr *const *out_shape) {
  const tcc_expr *ri[64];
  int off = out_ndim - t->ndim;
  for (int i = 0; i < t->ndim && i < 64; i++) {
    int64_t d;
    bool one = tcc_expr_is_int_imm(t->shape[i], &d) && d == 1;
    ri[i] = one && out_shape[off + i] != t->shape[i] ? tcc_idx(ctx, 0) : idx[off + i];
  }
  return tcc_tensor_read(ctx, t, t->ndim, ri);
}

tcc_status tcc_compute_input(tcc_compute_ctx *cc, int k, const tcc_tensor **out) {
  if (k >= cc->node->ninputs || !cc->inputs[k])
    return tcc_node_error(cc->ctx, cc->graph, cc->node, "compute: input %d is missing", k);
  *out = cc->inputs[k];
  return TCC_OK;
}

const tcc_expr *tcc_const_elem(tcc_context *ctx, const tcc_value *v, int64_t i) {
  if (!v || !v->data) return NULL;
  int64_t j = v->is_fill ? 0 : i;
  tcc_type t = tcc_scalar(v->dtype);
  if (tcc_dtype_is_float(v->dtype)) {
    double f;
    return read_float_elem(v->dtype, v->data, j, &f) ? tcc_float(ctx, t, f) : NULL;
  }
  int64_t x;
  if (!read_int_elem(v->dtype, v->data, j, &x)) return NULL;
  return v->dtype == TCCRT_BOOL ? tcc_bool(ctx, x != 0) : tcc_int(ctx, t, x);
}

const tcc_expr *tcc_read_scalar(tcc_context *ctx, const tcc_tensor *t) {
  const tcc_expr *zi[64];
  for (int i = 0; i < t->ndim && i < 64; i++)
    zi[i] = tcc_idx(ctx, 0);
  return tcc_tensor_read(ctx, t, t->ndim, zi);
}
