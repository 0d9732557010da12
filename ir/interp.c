/* interp.c — the loop-IR interpreter (see interp.h for the semantics). */
#include "interp.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

/* ---- half-precision storage formats ---- */

uint16_t tcc_f32_to_f16(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t exp = (x >> 23) & 0xffu, man = x & 0x7fffffu;
  if (exp == 0xff) return (uint16_t)(sign | 0x7c00u | (man ? 0x200u | (man >> 13) : 0));
  int32_t e = (int32_t)exp - 127 + 15;
  if (e >= 0x1f) return (uint16_t)(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return (uint16_t)sign;
    man |= 0x800000u;
    uint32_t shift = (uint32_t)(14 - e);
    uint32_t h = man >> shift, rem = man & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) h++;
    return (uint16_t)(sign | h);
  }
  uint32_t h = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++;
  return (uint16_t)(sign | h);
}

float tcc_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, x;
  if (exp == 0) {
    if (!man)
      x = sign;
    else {
      int e = -1;
      do {
        e++;
        man <<= 1;
      } while (!(man & 0x400u));
      x = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ffu) << 13);
    }
  } else if (exp == 0x1f) {
    x = sign | 0x7f800000u | (man << 13);
  } else {
    x = sign | ((exp - 15 + 127) << 23) | (man << 13);
  }
  float f;
  memcpy(&f, &x, 4);
  return f;
}

uint16_t tcc_f32_to_bf16(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  if ((x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffffu)) return (uint16_t)((x >> 16) | 0x40u);
  uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
  return (uint16_t)((x + rounding) >> 16);
}

float tcc_bf16_to_f32(uint16_t h) {
  uint32_t x = (uint32_t)h << 16;
  float f;
  memcpy(&f, &x, 4);
  return f;
}

/* ---- state ---- */

typedef union val {
  int64_t i;
  double f;
} val;

typedef struct vbind {
  const tcc_var *var;
  val v;
} vbind;

typedef struct bbind {
  const tcc_buffer *buf;
  void *data;
  int64_t size;
} bbind;

struct gpu_block;
struct gthread;

typedef struct interp {
  tcc_context *ctx;
  vbind *vars;
  int nvars, capvars;
  bbind *bufs;
  int nbufs, capbufs;
  bool err;
  /* device execution: the block, this thread and its indices (NULL on the host) */
  struct gpu_block *blk;
  struct gthread *thr;
  int64_t tid[3], bid[3];
} interp;

static void push_var(interp *it, const tcc_var *v, val x) {
  if (it->nvars == it->capvars) {
    it->capvars = it->capvars ? it->capvars * 2 : 64;
    it->vars = realloc(it->vars, sizeof *it->vars * (size_t)it->capvars);
    if (!it->vars) abort();
  }
  it->vars[it->nvars].var = v;
  it->vars[it->nvars].v = x;
  it->nvars++;
}

static void push_buf(interp *it, const tcc_buffer *b, void *data, int64_t size) {
  if (it->nbufs == it->capbufs) {
    it->capbufs = it->capbufs ? it->capbufs * 2 : 16;
    it->bufs = realloc(it->bufs, sizeof *it->bufs * (size_t)it->capbufs);
    if (!it->bufs) abort();
  }
  it->bufs[it->nbufs].buf = b;
  it->bufs[it->nbufs].data = data;
  it->bufs[it->nbufs].size = size;
  it->nbufs++;
}

static void fail(interp *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(interp *it, const char *fmt, ...) {
  if (it->err) return;
  it->err = true;
  va_list ap;
  va_start(ap, fmt);
  tcc_verror(it->ctx, fmt, ap);
  va_end(ap);
}

static bool is_f(tccrt_dtype d) { return tcc_dtype_is_float(d); }
static bool is_u(tccrt_dtype d) {
  return d == TCCRT_UINT8 || d == TCCRT_UINT16 || d == TCCRT_UINT32 || d == TCCRT_UINT64 ||
         d == TCCRT_BOOL;
}

static int64_t wrap(tccrt_dtype d, int64_t v) {
  switch (d) {
  case TCCRT_INT8: return (int8_t)v;
  case TCCRT_INT16: return (int16_t)v;
  case TCCRT_INT32: return (int32_t)v;
  case TCCRT_UINT8: return (uint8_t)v;
  case TCCRT_UINT16: return (uint16_t)v;
  case TCCRT_UINT32: return (uint32_t)v;
  case TCCRT_BOOL: return v != 0;
  default: return v;
  }
}

static double fround(tccrt_dtype d, double x) {
  switch (d) {
  case TCCRT_FLOAT32: return (double)(float)x;
  case TCCRT_FLOAT16: return (double)tcc_f16_to_f32(tcc_f32_to_f16((float)x));
  case TCCRT_BFLOAT16: return (double)tcc_bf16_to_f32(tcc_f32_to_bf16((float)x));
  default: return x;
  }
}

static val mk_i(int64_t i) {
  val v;
  v.i = i;
  return v;
}
static val mk_f(double f) {
  val v;
  v.f = f;
  return v;
}

static val eval(interp *it, const tcc_expr *e, int lane);

static const bbind *find_buf(interp *it, const tcc_buffer *b) {
  for (int i = it->nbufs - 1; i >= 0; i--)
    if (it->bufs[i].buf == b) return &it->bufs[i];
  return NULL;
}

static val read_elem(tccrt_dtype d, const void *p, int64_t i) {
  switch (d) {
  case TCCRT_FLOAT32: return mk_f(((const float *)p)[i]);
  case TCCRT_FLOAT64: return mk_f(((const double *)p)[i]);
  case TCCRT_FLOAT16: return mk_f(tcc_f16_to_f32(((const uint16_t *)p)[i]));
  case TCCRT_BFLOAT16: return mk_f(tcc_bf16_to_f32(((const uint16_t *)p)[i]));
  case TCCRT_INT8: return mk_i(((const int8_t *)p)[i]);
  case TCCRT_UINT8: return mk_i(((const uint8_t *)p)[i]);
  case TCCRT_BOOL: return mk_i(((const uint8_t *)p)[i] != 0);
  case TCCRT_INT16: return mk_i(((const int16_t *)p)[i]);
  case TCCRT_UINT16: return mk_i(((const uint16_t *)p)[i]);
  case TCCRT_INT32: return mk_i(((const int32_t *)p)[i]);
  case TCCRT_UINT32: return mk_i(((const uint32_t *)p)[i]);
  case TCCRT_INT64:
  case TCCRT_UINT64: return mk_i(((const int64_t *)p)[i]);
  default: return mk_i(0);
  }
}

static void write_elem(tccrt_dtype d, void *p, int64_t i, val v) {
  switch (d) {
  case TCCRT_FLOAT32: ((float *)p)[i] = (float)v.f; break;
  case TCCRT_FLOAT64: ((double *)p)[i] = v.f; break;
  case TCCRT_FLOAT16: ((uint16_t *)p)[i] = tcc_f32_to_f16((float)v.f); break;
  case TCCRT_BFLOAT16: ((uint16_t *)p)[i] = tcc_f32_to_bf16((float)v.f); break;
  case TCCRT_INT8: ((int8_t *)p)[i] = (int8_t)v.i; break;
  case TCCRT_UINT8: ((uint8_t *)p)[i] = (uint8_t)v.i; break;
  case TCCRT_BOOL: ((uint8_t *)p)[i] = v.i != 0; break;
  case TCCRT_INT16: ((int16_t *)p)[i] = (int16_t)v.i; break;
  case TCCRT_UINT16: ((uint16_t *)p)[i] = (uint16_t)v.i; break;
  case TCCRT_INT32: ((int32_t *)p)[i] = (int32_t)v.i; break;
  case TCCRT_UINT32: ((uint32_t *)p)[i] = (uint32_t)v.i; break;
  case TCCRT_INT64:
  case TCCRT_UINT64: ((int64_t *)p)[i] = v.i; break;
  default: break;
  }
}

static double to_double(tccrt_dtype d, val v) {
  if (is_f(d)) return v.f;
  if (d == TCCRT_UINT64) return (double)(uint64_t)v.i;
  return (double)v.i;
}

static val cast_val(tccrt_dtype from, tccrt_dtype to, val v) {
  if (is_f(to)) return mk_f(fround(to, to_double(from, v)));
  if (to == TCCRT_BOOL) return mk_i(is_f(from) ? v.f != 0 : v.i != 0);
  if (is_f(from)) {
    double x = trunc(v.f);
    if (isnan(x)) return mk_i(0);
    if (to == TCCRT_UINT64) {
      if (x <= 0) return mk_i(0);
      if (x >= 18446744073709551616.0) return mk_i(-1);
      return mk_i((int64_t)(uint64_t)x);
    }
    double lo = (double)tcc_dtype_int_min(to), hi = (double)tcc_dtype_int_max(to);
    if (x <= lo) return mk_i(tcc_dtype_int_min(to));
    if (x >= hi) return mk_i(tcc_dtype_int_max(to));
    return mk_i((int64_t)x);
  }
  return mk_i(wrap(to, v.i));
}

static int64_t floordiv_i(int64_t a, int64_t b) {
  int64_t q = a / b, r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}
static int64_t floormod_i(int64_t a, int64_t b) {
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

static val eval_binary(interp *it, const tcc_expr *e, int lane) {
  tccrt_dtype d = (tccrt_dtype)e->u.bin.a->type.dtype;
  tccrt_dtype rd = (tccrt_dtype)e->type.dtype;
  val a = eval(it, e->u.bin.a, lane);
  if (it->err) return a;
  /* short-circuit-free: both operands are side-effect free */
  val b = eval(it, e->u.bin.b, lane);
  if (it->err) return a;
  if (is_f(d)) {
    double x = a.f, y = b.f, r;
    switch (e->kind) {
    case TCC_ADD: r = x + y; break;
    case TCC_SUB: r = x - y; break;
    case TCC_MUL: r = x * y; break;
    case TCC_DIV: r = x / y; break;
    case TCC_MOD: r = fmod(x, y); break;
    case TCC_MIN: r = (isnan(x) || isnan(y)) ? NAN : (x < y ? x : y); break;
    case TCC_MAX: r = (isnan(x) || isnan(y)) ? NAN : (x > y ? x : y); break;
    case TCC_EQ: return mk_i(x == y);
    case TCC_NE: return mk_i(x != y);
    case TCC_LT: return mk_i(x < y);
    case TCC_LE: return mk_i(x <= y);
    case TCC_GT: return mk_i(x > y);
    case TCC_GE: return mk_i(x >= y);
    default:
      fail(it, "interp: operator %s is not defined on floats", tcc_expr_kind_name(e->kind));
      return mk_i(0);
    }
    return mk_f(fround(rd, r));
  }
  bool u = is_u(d);
  int64_t x = a.i, y = b.i;
  uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
  int64_t r;
  int bits = tcc_dtype_bits(d);
  switch (e->kind) {
  case TCC_ADD: r = (int64_t)(ux + uy); break;
  case TCC_SUB: r = (int64_t)(ux - uy); break;
  case TCC_MUL: r = (int64_t)(ux * uy); break;
  case TCC_DIV:
  case TCC_MOD:
  case TCC_FLOORDIV:
  case TCC_FLOORMOD:
    if (y == 0) {
      fail(it, "interp: integer division by zero in %s", tcc_expr_kind_name(e->kind));
      return mk_i(0);
    }
    if (u) {
      r = (e->kind == TCC_DIV || e->kind == TCC_FLOORDIV) ? (int64_t)(ux / uy) : (int64_t)(ux % uy);
      if (d != TCCRT_UINT64) r = (e->kind == TCC_DIV || e->kind == TCC_FLOORDIV) ? x / y : x % y;
    } else if (y == -1) {
      r = (e->kind == TCC_DIV || e->kind == TCC_FLOORDIV) ? (int64_t)(0 - ux) : 0;
    } else {
      r = e->kind == TCC_DIV        ? x / y
          : e->kind == TCC_MOD      ? x % y
          : e->kind == TCC_FLOORDIV ? floordiv_i(x, y)
                                    : floormod_i(x, y);
    }
    break;
  case TCC_MIN: r = (u ? ux < uy : x < y) ? x : y; break;
  case TCC_MAX: r = (u ? ux > uy : x > y) ? x : y; break;
  case TCC_EQ: return mk_i(x == y);
  case TCC_NE: return mk_i(x != y);
  case TCC_LT: return mk_i(u ? ux < uy : x < y);
  case TCC_LE: return mk_i(u ? ux <= uy : x <= y);
  case TCC_GT: return mk_i(u ? ux > uy : x > y);
  case TCC_GE: return mk_i(u ? ux >= uy : x >= y);
  case TCC_AND: return mk_i(x && y);
  case TCC_OR: return mk_i(x || y);
  case TCC_BITAND: r = x & y; break;
  case TCC_BITOR: r = x | y; break;
  case TCC_BITXOR: r = x ^ y; break;
  case TCC_SHL:
  case TCC_SHR:
    if (y < 0 || y >= bits) {
      r = (e->kind == TCC_SHR && !u && x < 0) ? -1 : 0;
    } else if (e->kind == TCC_SHL) {
      r = (int64_t)(ux << y);
    } else if (u) {
      r = (int64_t)((d == TCCRT_UINT64 ? ux : (uint64_t)x) >> y);
    } else {
      r = x >> y;
    }
    break;
  default: r = 0; break;
  }
  return mk_i(wrap(rd, r));
}

static double call1(tcc_intrin op, double x) {
  switch (op) {
  case TCC_INTRIN_EXP: return exp(x);
  case TCC_INTRIN_LOG: return log(x);
  case TCC_INTRIN_SQRT: return sqrt(x);
  case TCC_INTRIN_RSQRT: return 1.0 / sqrt(x);
  case TCC_INTRIN_TANH: return tanh(x);
  case TCC_INTRIN_SIGMOID: return 1.0 / (1.0 + exp(-x));
  case TCC_INTRIN_ERF: return erf(x);
  case TCC_INTRIN_FLOOR: return floor(x);
  case TCC_INTRIN_CEIL: return ceil(x);
  case TCC_INTRIN_ROUND: return nearbyint(x);
  case TCC_INTRIN_TRUNC: return trunc(x);
  case TCC_INTRIN_FABS: return fabs(x);
  case TCC_INTRIN_SIN: return sin(x);
  case TCC_INTRIN_COS: return cos(x);
  case TCC_INTRIN_TAN: return tan(x);
  case TCC_INTRIN_ASIN: return asin(x);
  case TCC_INTRIN_ACOS: return acos(x);
  case TCC_INTRIN_ATAN: return atan(x);
  case TCC_INTRIN_SINH: return sinh(x);
  case TCC_INTRIN_COSH: return cosh(x);
  case TCC_INTRIN_ASINH: return asinh(x);
  case TCC_INTRIN_ACOSH: return acosh(x);
  case TCC_INTRIN_ATANH: return atanh(x);
  case TCC_INTRIN_LOG1P: return log1p(x);
  case TCC_INTRIN_EXPM1: return expm1(x);
  case TCC_INTRIN_ABS: return fabs(x);
  default: return NAN;
  }
}

/* range_error(v, lo, hi, id) reached on this lane: the run-time check failed (expr.def). */
static val eval_range_error(interp *it, const tcc_expr *e, int lane) {
  if (e->u.call.nargs != 4) {
    fail(it, "interp: range_error with %d arguments", e->u.call.nargs);
    return mk_i(0);
  }
  val v = eval(it, e->u.call.args[0], lane);
  val lo = eval(it, e->u.call.args[1], lane);
  val hi = eval(it, e->u.call.args[2], lane);
  if (it->err) return v;
  fail(it, "%s: index %lld is out of range [%lld, %lld]", tcc_range_error_where(it->ctx, e),
       (long long)v.i, (long long)lo.i, (long long)(hi.i - 1));
  return v;
}

static val eval_call(interp *it, const tcc_expr *e, int lane) {
  tcc_intrin op = e->u.call.op;
  if (op == TCC_INTRIN_RANGE_ERROR) return eval_range_error(it, e, lane);
  const tcc_expr *a0 = e->u.call.args[0];
  tccrt_dtype d = (tccrt_dtype)a0->type.dtype;
  val x = eval(it, a0, lane);
  if (it->err) return x;
  if (op == TCC_INTRIN_ISNAN) return mk_i(is_f(d) && isnan(x.f));
  if (op == TCC_INTRIN_ISINF) return mk_i(is_f(d) && isinf(x.f));
  if (!is_f(d)) {
    if (op == TCC_INTRIN_ABS || op == TCC_INTRIN_FABS) {
      if (is_u(d)) return x;
      return mk_i(wrap(d, x.i < 0 ? (int64_t)(0 - (uint64_t)x.i) : x.i));
    }
    /* integer operands of float intrinsics: compute in double, convert back */
    double r;
    if (op == TCC_INTRIN_POW) {
      val y = eval(it, e->u.call.args[1], lane);
      r = pow(to_double(d, x), to_double((tccrt_dtype)e->u.call.args[1]->type.dtype, y));
    } else {
      r = call1(op, to_double(d, x));
    }
    return cast_val(TCCRT_FLOAT64, d, mk_f(r));
  }
  double r;
  if (op == TCC_INTRIN_POW) {
    val y = eval(it, e->u.call.args[1], lane);
    r = pow(x.f, y.f);
  } else {
    r = call1(op, x.f);
  }
  return mk_f(fround(d, r));
}

static val eval(interp *it, const tcc_expr *e, int lane) {
  if (it->err) return mk_i(0);
  switch (e->kind) {
  case TCC_INT_IMM: return mk_i(e->u.ival);
  case TCC_FLOAT_IMM: return mk_f(e->u.fval);
  case TCC_VAR:
    for (int i = it->nvars - 1; i >= 0; i--)
      if (it->vars[i].var == e->u.var) return it->vars[i].v;
    fail(it, "interp: variable '%s' is not bound", e->u.var->name);
    return mk_i(0);
  case TCC_NEG: {
    val a = eval(it, e->u.bin.a, lane);
    if (is_f((tccrt_dtype)e->type.dtype)) return mk_f(-a.f);
    return mk_i(wrap((tccrt_dtype)e->type.dtype, (int64_t)(0 - (uint64_t)a.i)));
  }
  case TCC_NOT: return mk_i(!eval(it, e->u.bin.a, lane).i);
  case TCC_BITNOT: return mk_i(wrap((tccrt_dtype)e->type.dtype, ~eval(it, e->u.bin.a, lane).i));
  case TCC_SELECT: {
    val c = eval(it, e->u.select.cond, lane);
    if (it->err) return c;
    return eval(it, c.i ? e->u.select.t : e->u.select.f, lane);
  }
  case TCC_CAST: {
    val a = eval(it, e->u.cast.a, lane);
    return cast_val((tccrt_dtype)e->u.cast.a->type.dtype, (tccrt_dtype)e->type.dtype, a);
  }
  case TCC_CALL: return eval_call(it, e, lane);
  case TCC_LOAD: {
    if (e->u.load.pred && !eval(it, e->u.load.pred, lane).i) return mk_i(0);
    const bbind *b = find_buf(it, e->u.load.buf);
    if (!b) {
      fail(it, "interp: buffer '%s' is not allocated here", e->u.load.buf->name);
      return mk_i(0);
    }
    if (e->u.load.nidx != 1) {
      fail(it, "interp: load of '%s' has %d indices; run storage flattening first",
           e->u.load.buf->name, e->u.load.nidx);
      return mk_i(0);
    }
    int64_t i = eval(it, e->u.load.idx[0], lane).i;
    if (it->err) return mk_i(0);
    if (i < 0 || i >= b->size) {
      fail(it, "interp: load of buffer '%s' at index %lld is out of bounds (size %lld)",
           e->u.load.buf->name, (long long)i, (long long)b->size);
      return mk_i(0);
    }
    return read_elem(e->u.load.buf->dtype, b->data, i);
  }
  case TCC_RAMP: {
    val base = eval(it, e->u.ramp.base, 0), st = eval(it, e->u.ramp.stride, 0);
    return mk_i(wrap((tccrt_dtype)e->type.dtype,
                     (int64_t)((uint64_t)base.i + (uint64_t)st.i * (uint64_t)lane)));
  }
  case TCC_BROADCAST: return eval(it, e->u.bcast.value, 0);
  case TCC_LET: {
    val v = eval(it, e->u.let.value, lane);
    push_var(it, e->u.let.var, v);
    val r = eval(it, e->u.let.body, lane);
    it->nvars--;
    return r;
  }
  case TCC_TENSOR_READ:
  case TCC_REDUCE:
    fail(it, "interp: tensor-expression node %s in loop IR", tcc_expr_kind_name(e->kind));
    return mk_i(0);
  default: return eval_binary(it, e, lane);
  }
}

static void exec(interp *it, const tcc_stmt *s);

static void exec_store(interp *it, const tcc_stmt *s) {
  const bbind *b = find_buf(it, s->u.store.buf);
  if (!b) {
    fail(it, "interp: buffer '%s' is not allocated here", s->u.store.buf->name);
    return;
  }
  if (s->u.store.nidx != 1) {
    fail(it, "interp: store to '%s' has %d indices; run storage flattening first",
         s->u.store.buf->name, s->u.store.nidx);
    return;
  }
  int lanes = s->u.store.value->type.lanes;
  if (s->u.store.idx[0]->type.lanes > lanes) lanes = s->u.store.idx[0]->type.lanes;
  val stackv[64];
  int64_t stacki[64];
  bool stackm[64];
  val *vals = lanes <= 64 ? stackv : malloc(sizeof(val) * (size_t)lanes);
  int64_t *idx = lanes <= 64 ? stacki : malloc(sizeof(int64_t) * (size_t)lanes);
  bool *m = lanes <= 64 ? stackm : malloc(sizeof(bool) * (size_t)lanes);
  if (!vals || !idx || !m) abort();
  for (int l = 0; l < lanes && !it->err; l++) {
    m[l] = !s->u.store.pred || eval(it, s->u.store.pred, l).i;
    if (!m[l]) continue;
    idx[l] = eval(it, s->u.store.idx[0], l).i;
    vals[l] = eval(it, s->u.store.value, l);
    if (!it->err && (idx[l] < 0 || idx[l] >= b->size))
      fail(it, "interp: store to buffer '%s' at index %lld is out of bounds (size %lld)",
           s->u.store.buf->name, (long long)idx[l], (long long)b->size);
  }
  if (!it->err) {
    tccrt_dtype d = s->u.store.buf->dtype;
    tccrt_dtype vd = (tccrt_dtype)s->u.store.value->type.dtype;
    for (int l = 0; l < lanes; l++)
      if (m[l]) write_elem(d, b->data, idx[l], vd == d ? vals[l] : cast_val(vd, d, vals[l]));
  }
  if (lanes > 64) {
    free(vals);
    free(idx);
    free(m);
  }
}

/* ---- device functions: the grid's blocks one after another, each block's threads as
 * coroutines (ucontext) that run until a barrier or their end, so all threads of a block are in
 * lockstep between barriers; shared allocations exist once per block ---- */

enum { GT_READY, GT_BARRIER, GT_DONE };

typedef struct shared_alloc {
  const tcc_stmt *stmt;
  void *data;
  int64_t size;
} shared_alloc;

typedef struct gthread {
  ucontext_t uc;
  interp it;
  int state;
  const tcc_stmt *barrier; /* the barrier it waits at */
  void *stack;
} gthread;

typedef struct gpu_block {
  ucontext_t sched;
  const tcc_stmt *body;
  shared_alloc *shared;
  int nshared, capshared;
} gpu_block;

static _Thread_local gthread *g_starting; /* the thread makecontext's entry picks up */

static void gthread_main(void) {
  gthread *t = g_starting;
  exec(&t->it, t->it.blk->body);
  t->state = GT_DONE;
}

static void exec_barrier(interp *it, const tcc_stmt *s) {
  if (!it->thr) return; /* host: nothing to wait for */
  it->thr->state = GT_BARRIER;
  it->thr->barrier = s;
  swapcontext(&it->thr->uc, &it->blk->sched);
}

static bool shared_alloc_of(interp *it, const tcc_stmt *s, int64_t n, size_t es, void **data) {
  gpu_block *b = it->blk;
  for (int i = 0; i < b->nshared; i++)
    if (b->shared[i].stmt == s) {
      *data = b->shared[i].data;
      return true;
    }
  if (b->nshared == b->capshared) {
    b->capshared = b->capshared ? b->capshared * 2 : 8;
    b->shared = realloc(b->shared, sizeof *b->shared * (size_t)b->capshared);
    if (!b->shared) abort();
  }
  void *d = malloc((size_t)n * es + 1);
  if (!d) return false;
  memset(d, 0xA5, (size_t)n * es + 1);
  b->shared[b->nshared].stmt = s;
  b->shared[b->nshared].data = d;
  b->shared[b->nshared].size = n;
  b->nshared++;
  *data = d;
  return true;
}

#define GT_STACK (256 * 1024)

static void exec_launch(interp *it, const tcc_stmt *s) {
  const tcc_primfunc *fn = s->u.launch.func;
  int64_t grid[3], blk[3];
  for (int i = 0; i < 3; i++) {
    grid[i] = s->u.launch.grid[i] ? eval(it, s->u.launch.grid[i], 0).i : 1;
    blk[i] = s->u.launch.block[i] ? eval(it, s->u.launch.block[i], 0).i : 1;
    if (it->err) return;
    if (grid[i] < 1 || blk[i] < 1 || grid[i] > (INT64_C(1) << 31)) {
      fail(it, "interp: launch of '%s' has an invalid grid or block size (%lld, %lld)", fn->name,
           (long long)grid[i], (long long)blk[i]);
      return;
    }
  }
  int64_t nthreads = blk[0] * blk[1] * blk[2];
  if (nthreads > 1024) {
    fail(it, "interp: launch of '%s' has %lld threads per block (at most 1024)", fn->name,
         (long long)nthreads);
    return;
  }
  /* the device function's params and scalars come from the host */
  bbind *pb = calloc((size_t)fn->nparams + 1, sizeof *pb);
  vbind *sv = calloc((size_t)fn->nscalars + 1, sizeof *sv);
  gthread *th = calloc((size_t)nthreads, sizeof *th);
  if (!pb || !sv || !th) abort();
  for (int i = 0; i < fn->nparams && !it->err; i++) {
    const bbind *b = find_buf(it, fn->params[i]);
    if (!b)
      fail(it, "interp: launch of '%s': buffer '%s' is not available on the host", fn->name,
           fn->params[i]->name);
    else
      pb[i] = *b;
  }
  for (int j = 0; j < fn->nscalars && !it->err; j++) {
    sv[j].var = fn->scalars[j];
    int k;
    for (k = it->nvars - 1; k >= 0; k--)
      if (it->vars[k].var == fn->scalars[j]) break;
    if (k < 0)
      fail(it, "interp: launch of '%s': variable '%s' is not bound on the host", fn->name,
           fn->scalars[j]->name);
    else
      sv[j].v = it->vars[k].v;
  }
  for (int64_t t = 0; t < nthreads && !it->err; t++) {
    th[t].stack = malloc(GT_STACK);
    if (!th[t].stack) abort();
  }
  gpu_block block;
  memset(&block, 0, sizeof block);
  block.body = fn->body;
  for (int64_t bz = 0; bz < grid[2] && !it->err; bz++)
    for (int64_t by = 0; by < grid[1] && !it->err; by++)
      for (int64_t bx = 0; bx < grid[0] && !it->err; bx++) {
        for (int64_t t = 0; t < nthreads; t++) {
          gthread *g = &th[t];
          memset(&g->it, 0, sizeof g->it);
          g->it.ctx = it->ctx;
          g->it.blk = &block;
          g->it.thr = g;
          g->it.bid[0] = bx, g->it.bid[1] = by, g->it.bid[2] = bz;
          g->it.tid[0] = t % blk[0];
          g->it.tid[1] = (t / blk[0]) % blk[1];
          g->it.tid[2] = t / (blk[0] * blk[1]);
          for (int j = 0; j < fn->nscalars; j++)
            push_var(&g->it, sv[j].var, sv[j].v);
          for (int i = 0; i < fn->nparams; i++)
            push_buf(&g->it, pb[i].buf, pb[i].data, pb[i].size);
          g->state = GT_READY;
          g->barrier = NULL;
          getcontext(&g->uc);
          g->uc.uc_stack.ss_sp = g->stack;
          g->uc.uc_stack.ss_size = GT_STACK;
          g->uc.uc_link = &block.sched;
          makecontext(&g->uc, gthread_main, 0);
        }
        bool failed = false;
        for (;;) {
          for (int64_t t = 0; t < nthreads && !failed; t++) {
            if (th[t].state == GT_DONE) continue;
            th[t].state = GT_READY;
            g_starting = &th[t];
            swapcontext(&block.sched, &th[t].uc);
            if (th[t].it.err) failed = true;
          }
          if (failed) break;
          int64_t done = 0;
          const tcc_stmt *bar = NULL;
          bool diverged = false;
          for (int64_t t = 0; t < nthreads; t++) {
            if (th[t].state == GT_DONE)
              done++;
            else if (!bar)
              bar = th[t].barrier;
            else if (th[t].barrier != bar)
              diverged = true;
          }
          if (done == nthreads) break;
          if (done > 0 || diverged) {
            fail(it, "interp: in '%s', the threads of a block did not all reach the same barrier",
                 fn->name);
            break;
          }
        }
        if (failed) it->err = true;
        for (int i = 0; i < block.nshared; i++)
          free(block.shared[i].data);
        block.nshared = 0;
        for (int64_t t = 0; t < nthreads; t++) {
          free(th[t].it.vars);
          free(th[t].it.bufs);
        }
      }
  for (int64_t t = 0; t < nthreads; t++)
    free(th[t].stack);
  free(block.shared);
  free(th);
  free(pb);
  free(sv);
}

static void exec(interp *it, const tcc_stmt *s) {
  if (!s || it->err) return;
  switch (s->kind) {
  case TCC_S_FOR: {
    int64_t mn = eval(it, s->u.loop.min, 0).i, ext = eval(it, s->u.loop.extent, 0).i;
    tcc_for_kind k = s->u.loop.kind;
    if (it->blk && k >= TCC_FOR_BLOCK_X && k <= TCC_FOR_THREAD_Z) {
      /* a GPU index: this thread's value, no iteration */
      int64_t idx =
          k <= TCC_FOR_BLOCK_Z ? it->bid[k - TCC_FOR_BLOCK_X] : it->tid[k - TCC_FOR_THREAD_X];
      if (idx >= ext) return;
      push_var(it, s->u.loop.var, mk_i(mn + idx));
      int slot = it->nvars - 1;
      exec(it, s->u.loop.body);
      it->nvars = slot;
      return;
    }
    push_var(it, s->u.loop.var, mk_i(mn));
    int slot = it->nvars - 1;
    for (int64_t i = 0; i < ext && !it->err; i++) {
      it->vars[slot].v = mk_i(mn + i);
      exec(it, s->u.loop.body);
    }
    it->nvars = slot;
    return;
  }
  case TCC_S_STORE: exec_store(it, s); return;
  case TCC_S_ALLOCATE: {
    int64_t n = eval(it, s->u.alloc.size, 0).i;
    size_t es = tccrt_dtype_size(s->u.alloc.buf->dtype);
    if (n < 0 || n > (INT64_C(1) << 32) || es == 0) {
      fail(it, "interp: allocation of '%s' with %lld elements is invalid", s->u.alloc.buf->name,
           (long long)n);
      return;
    }
    bool shared = it->blk && s->u.alloc.buf->scope == TCC_SCOPE_SHARED;
    void *data = NULL;
    if (shared) {
      if (!shared_alloc_of(it, s, n, es, &data)) data = NULL;
    } else {
      data = malloc((size_t)n * es + 1);
      if (data) memset(data, 0xA5, (size_t)n * es + 1);
    }
    if (!data) {
      fail(it, "interp: out of memory allocating '%s' (%lld elements)", s->u.alloc.buf->name,
           (long long)n);
      return;
    }
    push_buf(it, s->u.alloc.buf, data, n);
    int slot = it->nbufs - 1;
    exec(it, s->u.alloc.body);
    it->nbufs = slot;
    if (!shared) free(data);
    return;
  }
  case TCC_S_IF:
    if (eval(it, s->u.ifs.cond, 0).i)
      exec(it, s->u.ifs.then_);
    else
      exec(it, s->u.ifs.else_);
    return;
  case TCC_S_LET: {
    val v = eval(it, s->u.let.value, 0);
    push_var(it, s->u.let.var, v);
    int slot = it->nvars - 1;
    exec(it, s->u.let.body);
    it->nvars = slot;
    return;
  }
  case TCC_S_SEQ:
    for (int i = 0; i < s->u.seq.n && !it->err; i++)
      exec(it, s->u.seq.stmts[i]);
    return;
  case TCC_S_EVALUATE:
    for (int l = 0; l < s->u.eval.value->type.lanes; l++)
      eval(it, s->u.eval.value, l);
    return;
  case TCC_S_BARRIER: exec_barrier(it, s); return;
  case TCC_S_LAUNCH:
    if (it->blk || !s->u.launch.func) {
      fail(it, "interp: a launch inside a device function");
      return;
    }
    exec_launch(it, s);
    return;
  default: return;
  }
}

tcc_status tcc_interp_run(tcc_context *ctx, const tcc_primfunc *fn, void *const *buffers,
                          const int64_t *scalars) {
  if (!fn) return tcc_error(ctx, "interp: no function");
  if (fn->is_device)
    return tcc_error(ctx, "interp: '%s' is a device function; run its host function", fn->name);
  if (fn->nscalars > 0 && !scalars)
    return tcc_error(ctx, "interp: '%s' needs %d scalar arguments", fn->name, fn->nscalars);
  interp it = {ctx, NULL, 0, 0, NULL, 0, 0, false};
  for (int j = 0; j < fn->nscalars; j++)
    push_var(&it, fn->scalars[j], mk_i(scalars[j]));
  for (int i = 0; i < fn->nparams && !it.err; i++) {
    const tcc_buffer *b = fn->params[i];
    int64_t n = 1;
    for (int d = 0; d < b->ndim && !it.err; d++) {
      int64_t e = eval(&it, b->shape[d], 0).i;
      if (e < 0 || !tcc_mul_ovf(n, e, &n))
        fail(&it, "interp: buffer '%s' has an invalid shape (dim %d = %lld)", b->name, d,
             (long long)e);
    }
    if (it.err) break;
    if (!buffers || (!buffers[i] && n > 0)) {
      fail(&it, "interp: buffer '%s' (parameter %d) is NULL", b->name, i);
      break;
    }
    push_buf(&it, b, buffers[i], n);
  }
  exec(&it, fn->body);
  free(it.vars);
  free(it.bufs);
  return it.err ? TCC_ERR : TCC_OK;
}
