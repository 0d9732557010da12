/* te_eval.c — naive reference evaluator of tensor expressions (see te_eval.h). */
#include "te_eval.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mat {
  const tcc_tensor *t;
  te_val *vals;     /* compute: materialized values */
  const void *data; /* placeholder: bound data */
  int64_t numel;
  int64_t dims[TCCRT_MAX_RANK];
} mat;

typedef struct bind {
  const tcc_var *v;
  te_val val;
} bind;

struct te_eval {
  tcc_context *ctx;
  mat *m;
  int nm, cap;
  bind env[256];
  int nenv;
  char err[512];
  bool failed;
};

te_eval *te_eval_new(tcc_context *ctx) {
  te_eval *ev = calloc(1, sizeof *ev);
  ev->ctx = ctx;
  return ev;
}

void te_eval_free(te_eval *ev) {
  if (!ev) return;
  for (int i = 0; i < ev->nm; i++)
    free(ev->m[i].vals);
  free(ev->m);
  free(ev);
}

static void fail(te_eval *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(te_eval *ev, const char *fmt, ...) {
  if (ev->failed) return;
  ev->failed = true;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ev->err, sizeof ev->err, fmt, ap);
  va_end(ap);
}

static mat *find(te_eval *ev, const tcc_tensor *t) {
  for (int i = 0; i < ev->nm; i++)
    if (ev->m[i].t == t) return &ev->m[i];
  return NULL;
}

static mat *add(te_eval *ev, const tcc_tensor *t) {
  if (ev->nm == ev->cap) {
    ev->cap = ev->cap ? ev->cap * 2 : 16;
    ev->m = realloc(ev->m, (size_t)ev->cap * sizeof *ev->m);
  }
  mat *m = &ev->m[ev->nm++];
  memset(m, 0, sizeof *m);
  m->t = t;
  return m;
}

void te_eval_bind(te_eval *ev, const tcc_tensor *t, const void *data) {
  mat *m = find(ev, t);
  if (!m) m = add(ev, t);
  m->data = data;
}

static bool is_float(tccrt_dtype dt) { return tcc_dtype_is_float(dt); }

/* Rounds a double to the storage precision of dt. */
static double round_f(tccrt_dtype dt, double v) {
  if (dt == TCCRT_FLOAT32) return (double)(float)v;
  if (dt == TCCRT_FLOAT16) return (double)(_Float16)v;
  if (dt == TCCRT_BFLOAT16) {
    float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return v; /* NaN */
    u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
    memcpy(&f, &u, 4);
    return f;
  }
  return v;
}

/* Wraps an integer to dt's width (two's complement). */
static int64_t wrap_i(tccrt_dtype dt, int64_t v) {
  switch (dt) {
  case TCCRT_BOOL: return v != 0;
  case TCCRT_INT8: return (int8_t)v;
  case TCCRT_UINT8: return (uint8_t)v;
  case TCCRT_INT16: return (int16_t)v;
  case TCCRT_UINT16: return (uint16_t)v;
  case TCCRT_INT32: return (int32_t)v;
  case TCCRT_UINT32: return (uint32_t)v;
  default: return v;
  }
}

static te_val load_elem(tccrt_dtype dt, const void *data, int64_t i) {
  te_val r;
  switch (dt) {
  case TCCRT_FLOAT32: r.f = ((const float *)data)[i]; break;
  case TCCRT_FLOAT64: r.f = ((const double *)data)[i]; break;
  case TCCRT_FLOAT16: r.f = (double)((const _Float16 *)data)[i]; break;
  case TCCRT_BFLOAT16: {
    uint32_t u = (uint32_t)((const uint16_t *)data)[i] << 16;
    float f;
    memcpy(&f, &u, 4);
    r.f = f;
    break;
  }
  case TCCRT_INT8: r.i = ((const int8_t *)data)[i]; break;
  case TCCRT_UINT8:
  case TCCRT_BOOL: r.i = ((const uint8_t *)data)[i]; break;
  case TCCRT_INT16: r.i = ((const int16_t *)data)[i]; break;
  case TCCRT_UINT16: r.i = ((const uint16_t *)data)[i]; break;
  case TCCRT_INT32: r.i = ((const int32_t *)data)[i]; break;
  case TCCRT_UINT32: r.i = ((const uint32_t *)data)[i]; break;
  default: r.i = ((const int64_t *)data)[i]; break;
  }
  return r;
}

static bool const_dims(te_eval *ev, const tcc_tensor *t, int64_t *dims, int64_t *numel) {
  int64_t n = 1;
  for (int d = 0; d < t->ndim; d++) {
    if (!tcc_expr_is_int_imm(t->shape[d], &dims[d])) {
      fail(ev, "tensor %s: dim %d is not constant", t->name, d);
      return false;
    }
    n *= dims[d];
  }
  *numel = n;
  return true;
}

static bool materialize(te_eval *ev, const tcc_tensor *t);
static te_val eval(te_eval *ev, const tcc_expr *e);

static te_val read_tensor(te_eval *ev, const tcc_tensor *t, int nidx, const tcc_expr *const *idx) {
  te_val z = {0};
  mat *m = find(ev, t);
  if (!m || (!m->vals && !m->data)) {
    if (t->kind == TCC_TENSOR_PLACEHOLDER && !t->const_data) {
      fail(ev, "placeholder %s is not bound", t->name);
      return z;
    }
    if (!materialize(ev, t)) return z;
    m = find(ev, t);
  }
  int64_t flat = 0;
  for (int d = 0; d < nidx; d++) {
    int64_t i = eval(ev, idx[d]).i;
    if (ev->failed) return z;
    if (i < 0 || i >= m->dims[d]) {
      fail(ev, "out-of-bounds read %s[dim %d] = %lld (extent %lld)", t->name, d, (long long)i,
           (long long)m->dims[d]);
      return z;
    }
    flat = flat * m->dims[d] + i;
  }
  return m->vals ? m->vals[flat] : load_elem(t->dtype, m->data, flat);
}

static bool lookup(te_eval *ev, const tcc_var *v, te_val *out) {
  for (int i = ev->nenv - 1; i >= 0; i--)
    if (ev->env[i].v == v) {
      *out = ev->env[i].val;
      return true;
    }
  return false;
}

static void push(te_eval *ev, const tcc_var *v, te_val val) {
  if (ev->nenv >= 256) {
    fail(ev, "environment overflow");
    return;
  }
  ev->env[ev->nenv].v = v;
  ev->env[ev->nenv].val = val;
  ev->nenv++;
}

static double intrin(tcc_intrin op, double a, double b) {
  switch (op) {
  case TCC_INTRIN_EXP: return exp(a);
  case TCC_INTRIN_LOG: return log(a);
  case TCC_INTRIN_SQRT: return sqrt(a);
  case TCC_INTRIN_RSQRT: return 1.0 / sqrt(a);
  case TCC_INTRIN_TANH: return tanh(a);
  case TCC_INTRIN_SIGMOID: return 1.0 / (1.0 + exp(-a));
  case TCC_INTRIN_ERF: return erf(a);
  case TCC_INTRIN_POW: return pow(a, b);
  case TCC_INTRIN_FLOOR: return floor(a);
  case TCC_INTRIN_CEIL: return ceil(a);
  case TCC_INTRIN_ROUND: return nearbyint(a);
  case TCC_INTRIN_TRUNC: return trunc(a);
  case TCC_INTRIN_FABS: return fabs(a);
  case TCC_INTRIN_SIN: return sin(a);
  case TCC_INTRIN_COS: return cos(a);
  case TCC_INTRIN_TAN: return tan(a);
  case TCC_INTRIN_ASIN: return asin(a);
  case TCC_INTRIN_ACOS: return acos(a);
  case TCC_INTRIN_ATAN: return atan(a);
  case TCC_INTRIN_SINH: return sinh(a);
  case TCC_INTRIN_COSH: return cosh(a);
  case TCC_INTRIN_ASINH: return asinh(a);
  case TCC_INTRIN_ACOSH: return acosh(a);
  case TCC_INTRIN_ATANH: return atanh(a);
  case TCC_INTRIN_LOG1P: return log1p(a);
  case TCC_INTRIN_EXPM1: return expm1(a);
  default: return NAN;
  }
}

static te_val binop(te_eval *ev, tcc_expr_kind k, tcc_type at, te_val a, te_val b) {
  te_val r = {0};
  tccrt_dtype dt = (tccrt_dtype)at.dtype;
  bool u = dt == TCCRT_UINT8 || dt == TCCRT_UINT16 || dt == TCCRT_UINT32 || dt == TCCRT_UINT64;
  if (is_float(dt)) {
    double x = a.f, y = b.f, v;
    switch (k) {
    case TCC_ADD: v = x + y; break;
    case TCC_SUB: v = x - y; break;
    case TCC_MUL: v = x * y; break;
    case TCC_DIV: v = x / y; break;
    case TCC_MOD: v = fmod(x, y); break;
    case TCC_MIN: v = (isnan(x) || isnan(y)) ? NAN : (x < y ? x : y); break;
    case TCC_MAX: v = (isnan(x) || isnan(y)) ? NAN : (x > y ? x : y); break;
    case TCC_EQ: r.i = x == y; return r;
    case TCC_NE: r.i = x != y; return r;
    case TCC_LT: r.i = x < y; return r;
    case TCC_LE: r.i = x <= y; return r;
    case TCC_GT: r.i = x > y; return r;
    case TCC_GE: r.i = x >= y; return r;
    default: fail(ev, "float operands for %s", tcc_expr_kind_name(k)); return r;
    }
    r.f = round_f(dt, v);
    return r;
  }
  int64_t x = a.i, y = b.i, v;
  uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
  switch (k) {
  case TCC_ADD: v = (int64_t)(ux + uy); break;
  case TCC_SUB: v = (int64_t)(ux - uy); break;
  case TCC_MUL: v = (int64_t)(ux * uy); break;
  case TCC_DIV:
  case TCC_MOD:
  case TCC_FLOORDIV:
  case TCC_FLOORMOD:
    if (y == 0) {
      fail(ev, "integer division by zero");
      return r;
    }
    if (u && dt == TCCRT_UINT64)
      v = (int64_t)((k == TCC_DIV || k == TCC_FLOORDIV) ? ux / uy : ux % uy);
    else if (k == TCC_DIV)
      v = x / y;
    else if (k == TCC_MOD)
      v = x % y;
    else {
      int64_t q = x / y, m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) {
        q -= 1;
        m += y;
      }
      v = k == TCC_FLOORDIV ? q : m;
    }
    break;
  case TCC_MIN: v = (u ? ux < uy : x < y) ? x : y; break;
  case TCC_MAX: v = (u ? ux > uy : x > y) ? x : y; break;
  case TCC_EQ: r.i = x == y; return r;
  case TCC_NE: r.i = x != y; return r;
  case TCC_LT: r.i = u ? ux < uy : x < y; return r;
  case TCC_LE: r.i = u ? ux <= uy : x <= y; return r;
  case TCC_GT: r.i = u ? ux > uy : x > y; return r;
  case TCC_GE: r.i = u ? ux >= uy : x >= y; return r;
  case TCC_AND: r.i = x && y; return r;
  case TCC_OR: r.i = x || y; return r;
  case TCC_BITAND: v = x & y; break;
  case TCC_BITOR: v = x | y; break;
  case TCC_BITXOR: v = x ^ y; break;
  case TCC_SHL:
  case TCC_SHR: {
    int bits = tcc_dtype_bits(dt);
    if (y < 0 || y >= bits)
      v = (k == TCC_SHR && !u && x < 0) ? -1 : 0;
    else if (k == TCC_SHL)
      v = (int64_t)(ux << y);
    else
      v = u ? (int64_t)(ux >> y) : x >> y;
    break;
  }
  default: fail(ev, "bad binary kind"); return r;
  }
  r.i = wrap_i(dt, v);
  return r;
}

static te_val cast_val(tccrt_dtype from, tccrt_dtype to, te_val a) {
  te_val r;
  if (is_float(to)) {
    r.f = round_f(
        to, is_float(from) ? a.f : (from == TCCRT_UINT64 ? (double)(uint64_t)a.i : (double)a.i));
  } else if (to == TCCRT_BOOL) {
    r.i = is_float(from) ? a.f != 0 : a.i != 0;
  } else if (is_float(from)) {
    double t = trunc(a.f);
    r.i = wrap_i(to, isnan(t)       ? 0
                     : t >= 9.2e18  ? INT64_MAX
                     : t <= -9.2e18 ? INT64_MIN
                                    : (int64_t)t);
  } else {
    r.i = wrap_i(to, a.i);
  }
  return r;
}

static te_val eval(te_eval *ev, const tcc_expr *e) {
  te_val r = {0};
  if (ev->failed) return r;
  tccrt_dtype dt = (tccrt_dtype)e->type.dtype;
  if (e->type.lanes != 1) {
    fail(ev, "vector expression in TE");
    return r;
  }
  switch (e->kind) {
  case TCC_INT_IMM: r.i = e->u.ival; return r;
  case TCC_FLOAT_IMM: r.f = e->u.fval; return r;
  case TCC_VAR:
    if (!lookup(ev, e->u.var, &r)) fail(ev, "unbound var %s", e->u.var->name);
    return r;
  case TCC_SELECT: {
    te_val c = eval(ev, e->u.select.cond);
    return eval(ev, c.i ? e->u.select.t : e->u.select.f);
  }
  case TCC_CAST: {
    te_val a = eval(ev, e->u.cast.a);
    return cast_val((tccrt_dtype)e->u.cast.a->type.dtype, dt, a);
  }
  case TCC_CALL: {
    te_val a = eval(ev, e->u.call.args[0]);
    if (e->u.call.op == TCC_INTRIN_ISNAN) {
      r.i = isnan(a.f);
      return r;
    }
    if (e->u.call.op == TCC_INTRIN_ISINF) {
      r.i = isinf(a.f);
      return r;
    }
    if (e->u.call.op == TCC_INTRIN_ABS) {
      r.i = wrap_i(dt, a.i < 0 ? (int64_t)(0 - (uint64_t)a.i) : a.i);
      return r;
    }
    te_val b = {0};
    if (e->u.call.nargs > 1) b = eval(ev, e->u.call.args[1]);
    r.f = round_f(dt, intrin(e->u.call.op, a.f, b.f));
    return r;
  }
  case TCC_TENSOR_READ: return read_tensor(ev, e->u.read.tensor, e->u.read.nidx, e->u.read.idx);
  case TCC_REDUCE: {
    const tcc_combiner *c = e->u.reduce.comb;
    int na = e->u.reduce.naxes;
    int64_t mn[TCCRT_MAX_RANK + 8], ext[TCCRT_MAX_RANK + 8], cur[TCCRT_MAX_RANK + 8];
    if (na > TCCRT_MAX_RANK + 8) {
      fail(ev, "too many reduce axes");
      return r;
    }
    for (int i = 0; i < na; i++) {
      mn[i] = eval(ev, e->u.reduce.axes[i]->min).i;
      ext[i] = eval(ev, e->u.reduce.axes[i]->extent).i;
      cur[i] = 0;
      if (ext[i] <= 0) return eval(ev, c->identity);
    }
    te_val acc = eval(ev, c->identity);
    int base = ev->nenv;
    for (int i = 0; i < na; i++)
      push(ev, e->u.reduce.axes[i]->var, (te_val){.i = mn[i]});
    while (!ev->failed) {
      for (int i = 0; i < na; i++)
        ev->env[base + i].val.i = mn[i] + cur[i];
      bool take = true;
      if (e->u.reduce.cond) take = eval(ev, e->u.reduce.cond).i != 0;
      if (take) {
        te_val s = eval(ev, e->u.reduce.source);
        if (c->kind == TCC_REDUCE_CUSTOM) {
          int b2 = ev->nenv;
          push(ev, c->lhs, acc);
          push(ev, c->rhs, s);
          acc = eval(ev, c->result);
          ev->nenv = b2;
        } else {
          tcc_expr_kind k = c->kind == TCC_REDUCE_SUM    ? TCC_ADD
                            : c->kind == TCC_REDUCE_PROD ? TCC_MUL
                            : c->kind == TCC_REDUCE_MIN  ? TCC_MIN
                                                         : TCC_MAX;
          acc = binop(ev, k, c->type, acc, s);
        }
      }
      int i = na - 1;
      while (i >= 0 && ++cur[i] == ext[i])
        cur[i--] = 0;
      if (i < 0) break;
    }
    ev->nenv = base;
    return acc;
  }
  case TCC_LET: {
    te_val v = eval(ev, e->u.let.value);
    int base = ev->nenv;
    push(ev, e->u.let.var, v);
    r = eval(ev, e->u.let.body);
    ev->nenv = base;
    return r;
  }
  case TCC_NEG: {
    te_val a = eval(ev, e->u.bin.a);
    if (is_float(dt))
      r.f = -a.f;
    else
      r.i = wrap_i(dt, (int64_t)(0 - (uint64_t)a.i));
    return r;
  }
  case TCC_NOT: r.i = !eval(ev, e->u.bin.a).i; return r;
  case TCC_BITNOT: r.i = wrap_i(dt, ~eval(ev, e->u.bin.a).i); return r;
  case TCC_LOAD:
  case TCC_RAMP:
  case TCC_BROADCAST: fail(ev, "loop-IR node in TE"); return r;
  default: {
    te_val a = eval(ev, e->u.bin.a), b = eval(ev, e->u.bin.b);
    return binop(ev, e->kind, e->u.bin.a->type, a, b);
  }
  }
}

static bool materialize(te_eval *ev, const tcc_tensor *t) {
  mat *m = find(ev, t);
  if (m && (m->vals || m->data)) return true;
  int64_t dims[TCCRT_MAX_RANK], numel;
  if (t->ndim > TCCRT_MAX_RANK) {
    fail(ev, "rank too large");
    return false;
  }
  if (!const_dims(ev, t, dims, &numel)) return false;
  if (t->kind == TCC_TENSOR_PLACEHOLDER) {
    if (!t->const_data) {
      fail(ev, "placeholder %s is not bound", t->name);
      return false;
    }
    m = m ? m : add(ev, t);
    m->data = t->const_data;
    m->numel = numel;
    memcpy(m->dims, dims, sizeof dims);
    return true;
  }
  te_val *vals = calloc((size_t)(numel > 0 ? numel : 1), sizeof *vals);
  int64_t cur[TCCRT_MAX_RANK] = {0};
  int base = ev->nenv;
  for (int d = 0; d < t->ndim; d++)
    push(ev, t->axes[d]->var, (te_val){.i = 0});
  for (int64_t k = 0; k < numel && !ev->failed; k++) {
    for (int d = 0; d < t->ndim; d++)
      ev->env[base + d].val.i = cur[d];
    vals[k] = eval(ev, t->body);
    for (int d = t->ndim - 1; d >= 0 && ++cur[d] == dims[d]; d--)
      cur[d] = 0;
  }
  ev->nenv = base;
  if (ev->failed) {
    free(vals);
    return false;
  }
  m = find(ev, t);
  if (!m) m = add(ev, t);
  m->vals = vals;
  m->numel = numel;
  memcpy(m->dims, dims, sizeof dims);
  return true;
}

bool te_eval_tensor(te_eval *ev, const tcc_tensor *t, const te_val **out, int64_t *numel, char *err,
                    size_t errn) {
  /* placeholders bound by the caller: fill in their dims */
  for (int i = 0; i < ev->nm; i++) {
    mat *m = &ev->m[i];
    if (m->data && !m->numel) const_dims(ev, m->t, m->dims, &m->numel);
  }
  ev->failed = false;
  bool ok = materialize(ev, t);
  if (!ok) {
    snprintf(err, errn, "%s", ev->err);
    return false;
  }
  mat *m = find(ev, t);
  if (!m->vals) {
    /* an output that is a placeholder (identity): convert */
    m->vals = calloc((size_t)(m->numel > 0 ? m->numel : 1), sizeof *m->vals);
    for (int64_t k = 0; k < m->numel; k++)
      m->vals[k] = load_elem(t->dtype, m->data, k);
  }
  *out = m->vals;
  *numel = m->numel;
  return true;
}
