/* llvm_codegen.c — loop-IR PrimFuncs to LLVM IR: types, expressions, statements, the kernel ABI
 * and the outlining of parallel loops. See llvm_codegen.h for the ABI and semantics. */
#include "llvm_internal.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

void tcc_llvm_fail(tcc_llvm_fn *s, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (!s->failed)
    tcc_error(s->m->ctx, "llvm codegen: function '%s': %s", s->pf ? s->pf->name : "?", msg);
  s->failed = true;
}

static bool is_vec(LLVMTypeRef t) { return LLVMGetTypeKind(t) == LLVMVectorTypeKind; }

LLVMValueRef tcc_llvm_const_f(LLVMTypeRef ty, double v) {
  if (is_vec(ty)) {
    unsigned n = LLVMGetVectorSize(ty);
    LLVMValueRef e = LLVMConstReal(LLVMGetElementType(ty), v);
    LLVMValueRef *xs = malloc(sizeof *xs * n);
    for (unsigned i = 0; i < n; i++)
      xs[i] = e;
    LLVMValueRef r = LLVMConstVector(xs, n);
    free(xs);
    return r;
  }
  return LLVMConstReal(ty, v);
}

LLVMValueRef tcc_llvm_const_i(LLVMTypeRef ty, long long v) {
  if (is_vec(ty)) {
    unsigned n = LLVMGetVectorSize(ty);
    LLVMValueRef e = LLVMConstInt(LLVMGetElementType(ty), (unsigned long long)v, 1);
    LLVMValueRef *xs = malloc(sizeof *xs * n);
    for (unsigned i = 0; i < n; i++)
      xs[i] = e;
    LLVMValueRef r = LLVMConstVector(xs, n);
    free(xs);
    return r;
  }
  return LLVMConstInt(ty, (unsigned long long)v, 1);
}

LLVMTypeRef tcc_llvm_int_like(tcc_llvm_fn *s, LLVMTypeRef fty, int bits) {
  LLVMTypeRef it = LLVMIntTypeInContext(s->m->llctx, (unsigned)bits);
  return is_vec(fty) ? LLVMVectorType(it, LLVMGetVectorSize(fty)) : it;
}

LLVMValueRef tcc_llvm_call_intrin(tcc_llvm_fn *s, const char *name, LLVMTypeRef *over, int nover,
                                  LLVMValueRef *args, int nargs) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  if (id == 0) {
    tcc_llvm_fail(s, "unknown LLVM intrinsic %s", name);
    return LLVMGetUndef(LLVMTypeOf(args[0]));
  }
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(s->m->mod, id, over, (size_t)nover);
  LLVMTypeRef fty = LLVMIntrinsicGetType(s->m->llctx, id, over, (size_t)nover);
  return LLVMBuildCall2(s->b, fty, fn, args, (unsigned)nargs, "");
}

/* Calls a C function `name` (declared on first use) of type `fty`. */
static LLVMValueRef call_c(tcc_llvm_fn *s, const char *name, LLVMTypeRef fty, LLVMValueRef *args,
                           int nargs) {
  LLVMValueRef fn = LLVMGetNamedFunction(s->m->mod, name);
  if (!fn) fn = LLVMAddFunction(s->m->mod, name, fty);
  return LLVMBuildCall2(s->b, fty, fn, args, (unsigned)nargs, "");
}

static void set_fmf(LLVMValueRef v) {
  /* reassoc + contract only: NaN and inf keep IEEE semantics. */
  if (LLVMGetValueKind(v) == LLVMInstructionValueKind && LLVMCanValueUseFastMathFlags(v))
    LLVMSetFastMathFlags(v, LLVMFastMathAllowReassoc | LLVMFastMathAllowContract);
}

static void env_push(tcc_llvm_fn *s, const tcc_var *v, LLVMValueRef val) {
  if (s->nenv == s->capenv) {
    s->capenv = s->capenv ? 2 * s->capenv : 32;
    s->env = realloc(s->env, sizeof *s->env * (size_t)s->capenv);
    if (!s->env) abort(); /* out of memory: internal invariant, as tcc_arena_alloc */
  }
  s->env[s->nenv].var = v;
  s->env[s->nenv].val = val;
  s->nenv++;
}

static LLVMValueRef env_get(tcc_llvm_fn *s, const tcc_var *v) {
  for (int i = s->nenv - 1; i >= 0; i--)
    if (s->env[i].var == v) return s->env[i].val;
  return NULL;
}

/* ---------------------------------------------------------------- types */

static bool dt_unsigned(tccrt_dtype d) {
  return d == TCCRT_UINT8 || d == TCCRT_UINT16 || d == TCCRT_UINT32 || d == TCCRT_UINT64 ||
         d == TCCRT_BOOL;
}
static bool dt_float(tccrt_dtype d) {
  return d == TCCRT_FLOAT16 || d == TCCRT_BFLOAT16 || d == TCCRT_FLOAT32 || d == TCCRT_FLOAT64;
}

/* The scalar type a value of dtype `d` has in registers (float16/bfloat16 widen to float). */
static LLVMTypeRef reg_scalar(tcc_llvm_module *m, tccrt_dtype d) {
  switch (d) {
  case TCCRT_BOOL: return m->t_i1;
  case TCCRT_INT8:
  case TCCRT_UINT8: return m->t_i8;
  case TCCRT_INT16:
  case TCCRT_UINT16: return m->t_i16;
  case TCCRT_INT32:
  case TCCRT_UINT32: return m->t_i32;
  case TCCRT_INT64:
  case TCCRT_UINT64: return m->t_i64;
  case TCCRT_FLOAT16:
  case TCCRT_BFLOAT16:
  case TCCRT_FLOAT32: return m->t_f32;
  case TCCRT_FLOAT64: return m->t_f64;
  default: return NULL;
  }
}
/* The scalar type of dtype `d` in memory. */
static LLVMTypeRef mem_scalar(tcc_llvm_module *m, tccrt_dtype d) {
  switch (d) {
  case TCCRT_BOOL: return m->t_i8;
  case TCCRT_FLOAT16: return m->t_half;
  case TCCRT_BFLOAT16: return m->t_i16;
  default: return reg_scalar(m, d);
  }
}

static LLVMTypeRef vec_of(LLVMTypeRef t, int lanes) {
  return lanes > 1 ? LLVMVectorType(t, (unsigned)lanes) : t;
}

static LLVMTypeRef reg_type(tcc_llvm_fn *s, tcc_type t) {
  LLVMTypeRef e = reg_scalar(s->m, (tccrt_dtype)t.dtype);
  if (!e) {
    tcc_llvm_fail(s, "unsupported dtype %s", tccrt_dtype_name((tccrt_dtype)t.dtype));
    e = s->m->t_i32;
  }
  return vec_of(e, t.lanes);
}

/* ---------------------------------------------------------------- conversions */

/* float (reg) -> nearest bfloat16, kept as float. */
static LLVMValueRef round_bf16(tcc_llvm_fn *s, LLVMValueRef v) {
  LLVMTypeRef fty = LLVMTypeOf(v), ity = tcc_llvm_int_like(s, fty, 32);
  LLVMValueRef bits = LLVMBuildBitCast(s->b, v, ity, "");
  LLVMValueRef lsb = LLVMBuildAnd(s->b, LLVMBuildLShr(s->b, bits, tcc_llvm_const_i(ity, 16), ""),
                                  tcc_llvm_const_i(ity, 1), "");
  LLVMValueRef rounded =
      LLVMBuildAdd(s->b, bits, LLVMBuildAdd(s->b, lsb, tcc_llvm_const_i(ity, 0x7fff), ""), "");
  LLVMValueRef quiet = LLVMBuildOr(s->b, bits, tcc_llvm_const_i(ity, 0x400000), "");
  LLVMValueRef isnan = LLVMBuildFCmp(s->b, LLVMRealUNO, v, v, "");
  LLVMValueRef r = LLVMBuildSelect(s->b, isnan, quiet, rounded, "");
  r = LLVMBuildAnd(s->b, r, tcc_llvm_const_i(ity, (long long)0xffff0000u), "");
  return LLVMBuildBitCast(s->b, r, fty, "");
}

/* f32 or f64 register value -> float16-rounded float (register form). */
static LLVMValueRef round_f16(tcc_llvm_fn *s, LLVMValueRef v) {
  LLVMTypeRef fty = LLVMTypeOf(v);
  unsigned lanes = is_vec(fty) ? LLVMGetVectorSize(fty) : 1;
  LLVMValueRef h = LLVMBuildFPTrunc(s->b, v, vec_of(s->m->t_half, (int)lanes), "");
  LLVMValueRef f = LLVMBuildFPExt(s->b, h, vec_of(s->m->t_f32, (int)lanes), "");
  /* A fence, so that `contract` cannot fuse an fmul before this rounding with an fadd after it
   * (LLVM folds fadd(fpext(fmul half)) into one FMA, which skips the float16 rounding). */
  LLVMTypeRef ft = LLVMTypeOf(f);
  return tcc_llvm_call_intrin(s, "llvm.arithmetic.fence", &ft, 1, &f, 1);
}

/* Converts register value v of type `from` to type `to` (same lanes), ONNX Cast semantics. */
static LLVMValueRef cast_value(tcc_llvm_fn *s, LLVMValueRef v, tcc_type from, tcc_type to) {
  tccrt_dtype fd = (tccrt_dtype)from.dtype, td = (tccrt_dtype)to.dtype;
  if (fd == td) return v;
  LLVMBuilderRef b = s->b;
  LLVMTypeRef T = reg_type(s, to);
  int lanes = to.lanes;
  if (td == TCCRT_BOOL) {
    if (dt_float(fd))
      return LLVMBuildFCmp(b, LLVMRealUNE, v, tcc_llvm_const_f(LLVMTypeOf(v), 0.0), "");
    return LLVMBuildICmp(b, LLVMIntNE, v, tcc_llvm_const_i(LLVMTypeOf(v), 0), "");
  }
  if (!dt_float(fd) && !dt_float(td)) { /* int/bool -> int */
    unsigned fb = LLVMGetIntTypeWidth(LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMVectorTypeKind
                                          ? LLVMGetElementType(LLVMTypeOf(v))
                                          : LLVMTypeOf(v));
    unsigned tb = LLVMGetIntTypeWidth(reg_scalar(s->m, td));
    if (tb < fb) return LLVMBuildTrunc(b, v, T, "");
    if (tb == fb) return v;
    return dt_unsigned(fd) ? LLVMBuildZExt(b, v, T, "") : LLVMBuildSExt(b, v, T, "");
  }
  if (!dt_float(fd)) { /* int/bool -> float: through double, then one rounding */
    LLVMTypeRef D = vec_of(s->m->t_f64, lanes);
    if (td == TCCRT_FLOAT32)
      return dt_unsigned(fd) ? LLVMBuildUIToFP(b, v, T, "") : LLVMBuildSIToFP(b, v, T, "");
    LLVMValueRef d = dt_unsigned(fd) ? LLVMBuildUIToFP(b, v, D, "") : LLVMBuildSIToFP(b, v, D, "");
    if (td == TCCRT_FLOAT64) return d;
    if (td == TCCRT_FLOAT16) return round_f16(s, d);
    return round_bf16(s, LLVMBuildFPTrunc(b, d, T, "")); /* bfloat16 */
  }
  if (!dt_float(td)) { /* float -> int: saturating, NaN -> 0 */
    LLVMTypeRef over[2] = {T, LLVMTypeOf(v)};
    return tcc_llvm_call_intrin(s, dt_unsigned(td) ? "llvm.fptoui.sat" : "llvm.fptosi.sat", over, 2,
                                &v, 1);
  }
  /* float -> float */
  if (td == TCCRT_FLOAT64) return fd == TCCRT_FLOAT64 ? v : LLVMBuildFPExt(b, v, T, "");
  if (td == TCCRT_FLOAT32) return fd == TCCRT_FLOAT64 ? LLVMBuildFPTrunc(b, v, T, "") : v;
  if (td == TCCRT_FLOAT16) return round_f16(s, v);
  /* bfloat16 */
  if (fd == TCCRT_FLOAT64) v = LLVMBuildFPTrunc(b, v, T, "");
  return round_bf16(s, v);
}

/* Memory value (as loaded) of dtype d -> register form. */
static LLVMValueRef from_mem(tcc_llvm_fn *s, LLVMValueRef v, tccrt_dtype d, int lanes) {
  switch (d) {
  case TCCRT_BOOL: return LLVMBuildICmp(s->b, LLVMIntNE, v, tcc_llvm_const_i(LLVMTypeOf(v), 0), "");
  case TCCRT_FLOAT16: return LLVMBuildFPExt(s->b, v, vec_of(s->m->t_f32, lanes), "");
  case TCCRT_BFLOAT16: {
    LLVMTypeRef i32 = vec_of(s->m->t_i32, lanes);
    LLVMValueRef w =
        LLVMBuildShl(s->b, LLVMBuildZExt(s->b, v, i32, ""), tcc_llvm_const_i(i32, 16), "");
    return LLVMBuildBitCast(s->b, w, vec_of(s->m->t_f32, lanes), "");
  }
  default: return v;
  }
}

/* Register value of dtype d -> memory form. */
static LLVMValueRef to_mem(tcc_llvm_fn *s, LLVMValueRef v, tccrt_dtype d, int lanes) {
  switch (d) {
  case TCCRT_BOOL: return LLVMBuildZExt(s->b, v, vec_of(s->m->t_i8, lanes), "");
  case TCCRT_FLOAT16: return LLVMBuildFPTrunc(s->b, v, vec_of(s->m->t_half, lanes), "");
  case TCCRT_BFLOAT16: {
    LLVMTypeRef i32 = vec_of(s->m->t_i32, lanes);
    LLVMValueRef bits = LLVMBuildBitCast(s->b, round_bf16(s, v), i32, "");
    return LLVMBuildTrunc(s->b, LLVMBuildLShr(s->b, bits, tcc_llvm_const_i(i32, 16), ""),
                          vec_of(s->m->t_i16, lanes), "");
  }
  default: return v;
  }
}

/* float16/bfloat16 arithmetic: the float32 result rounded back to the format after each
 * operation (as the interpreter and numpy do); other dtypes unchanged. */
static LLVMValueRef round_storage(tcc_llvm_fn *s, LLVMValueRef v, tccrt_dtype d) {
  if (d == TCCRT_FLOAT16) return round_f16(s, v);
  if (d == TCCRT_BFLOAT16) return round_bf16(s, v);
  return v;
}

/* ---------------------------------------------------------------- expressions */

static LLVMValueRef cg_expr(tcc_llvm_fn *s, const tcc_expr *e);

static LLVMValueRef broadcast_to(tcc_llvm_fn *s, LLVMValueRef v, int lanes) {
  if (lanes <= 1 || is_vec(LLVMTypeOf(v))) return v;
  LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(v), (unsigned)lanes);
  LLVMValueRef ins =
      LLVMBuildInsertElement(s->b, LLVMGetPoison(vt), v, LLVMConstInt(s->m->t_i32, 0, 0), "");
  LLVMValueRef zero = LLVMConstNull(LLVMVectorType(s->m->t_i32, (unsigned)lanes));
  return LLVMBuildShuffleVector(s->b, ins, LLVMGetPoison(vt), zero, "");
}

static LLVMValueRef int_div_mod(tcc_llvm_fn *s, tcc_expr_kind k, LLVMValueRef a, LLVMValueRef b,
                                bool uns) {
  LLVMBuilderRef B = s->b;
  LLVMTypeRef T = LLVMTypeOf(a);
  LLVMValueRef zero = tcc_llvm_const_i(T, 0), one = tcc_llvm_const_i(T, 1);
  LLVMValueRef bz = LLVMBuildICmp(B, LLVMIntEQ, b, zero, "");
  LLVMValueRef safe_b, bm1 = NULL;
  if (uns) {
    safe_b = LLVMBuildSelect(B, bz, one, b, "");
  } else {
    bm1 = LLVMBuildICmp(B, LLVMIntEQ, b, tcc_llvm_const_i(T, -1), "");
    safe_b = LLVMBuildSelect(B, LLVMBuildOr(B, bz, bm1, ""), one, b, "");
  }
  LLVMValueRef q = uns ? LLVMBuildUDiv(B, a, safe_b, "") : LLVMBuildSDiv(B, a, safe_b, "");
  LLVMValueRef r = uns ? LLVMBuildURem(B, a, safe_b, "") : LLVMBuildSRem(B, a, safe_b, "");
  if (!uns) { /* b == -1: q = -a (wrapping), r = 0 */
    q = LLVMBuildSelect(B, bm1, LLVMBuildSub(B, zero, a, ""), q, "");
    r = LLVMBuildSelect(B, bm1, zero, r, "");
  }
  if (!uns && (k == TCC_FLOORDIV || k == TCC_FLOORMOD)) {
    /* adjust when the remainder is non-zero and its sign differs from b's */
    LLVMValueRef rnz = LLVMBuildICmp(B, LLVMIntNE, r, zero, "");
    LLVMValueRef sgn = LLVMBuildICmp(B, LLVMIntSLT, LLVMBuildXor(B, r, b, ""), zero, "");
    LLVMValueRef adj = LLVMBuildAnd(B, rnz, sgn, "");
    if (k == TCC_FLOORDIV)
      q = LLVMBuildSelect(B, adj, LLVMBuildSub(B, q, one, ""), q, "");
    else
      r = LLVMBuildSelect(B, adj, LLVMBuildAdd(B, r, b, ""), r, "");
  }
  bool want_q = k == TCC_DIV || k == TCC_FLOORDIV;
  LLVMValueRef res = want_q ? q : r;
  return LLVMBuildSelect(B, bz, zero, res, "");
}

static LLVMValueRef shift(tcc_llvm_fn *s, bool left, LLVMValueRef a, LLVMValueRef b, bool uns) {
  LLVMTypeRef T = LLVMTypeOf(a);
  LLVMTypeRef et = is_vec(T) ? LLVMGetElementType(T) : T;
  unsigned w = LLVMGetIntTypeWidth(et);
  LLVMValueRef big = LLVMBuildICmp(s->b, LLVMIntUGE, b, tcc_llvm_const_i(T, w), "");
  LLVMValueRef sb = LLVMBuildSelect(s->b, big, tcc_llvm_const_i(T, w - 1), b, "");
  if (left) {
    LLVMValueRef r = LLVMBuildShl(s->b, a, sb, "");
    return LLVMBuildSelect(s->b, big, tcc_llvm_const_i(T, 0), r, "");
  }
  if (uns) {
    LLVMValueRef r = LLVMBuildLShr(s->b, a, sb, "");
    return LLVMBuildSelect(s->b, big, tcc_llvm_const_i(T, 0), r, "");
  }
  return LLVMBuildAShr(s->b, a, sb, ""); /* arithmetic: counts >= width give the sign */
}

static LLVMValueRef cg_binary(tcc_llvm_fn *s, const tcc_expr *e) {
  const tcc_expr *ea = e->u.bin.a, *eb = e->u.bin.b;
  LLVMValueRef a = cg_expr(s, ea), b = cg_expr(s, eb);
  int lanes = e->type.lanes > ea->type.lanes ? e->type.lanes : ea->type.lanes;
  if (eb->type.lanes > lanes) lanes = eb->type.lanes;
  a = broadcast_to(s, a, lanes);
  b = broadcast_to(s, b, lanes);
  tccrt_dtype d = (tccrt_dtype)ea->type.dtype;
  bool fl = dt_float(d), uns = dt_unsigned(d);
  LLVMBuilderRef B = s->b;
  LLVMValueRef r;
  switch (e->kind) {
  case TCC_ADD: r = fl ? LLVMBuildFAdd(B, a, b, "") : LLVMBuildAdd(B, a, b, ""); break;
  case TCC_SUB: r = fl ? LLVMBuildFSub(B, a, b, "") : LLVMBuildSub(B, a, b, ""); break;
  case TCC_MUL: r = fl ? LLVMBuildFMul(B, a, b, "") : LLVMBuildMul(B, a, b, ""); break;
  case TCC_DIV:
  case TCC_MOD:
  case TCC_FLOORDIV:
  case TCC_FLOORMOD:
    if (fl) {
      if (e->kind == TCC_DIV)
        r = LLVMBuildFDiv(B, a, b, "");
      else if (e->kind == TCC_MOD)
        r = LLVMBuildFRem(B, a, b, "");
      else {
        tcc_llvm_fail(s, "floordiv/floormod need integer operands");
        return LLVMGetUndef(LLVMTypeOf(a));
      }
    } else {
      r = int_div_mod(s, e->kind, a, b, uns);
    }
    break;
  case TCC_MIN:
  case TCC_MAX: {
    LLVMTypeRef ty = LLVMTypeOf(a);
    LLVMValueRef args[2] = {a, b};
    const char *nm = fl    ? (e->kind == TCC_MIN ? "llvm.minimum" : "llvm.maximum")
                     : uns ? (e->kind == TCC_MIN ? "llvm.umin" : "llvm.umax")
                           : (e->kind == TCC_MIN ? "llvm.smin" : "llvm.smax");
    if (d == TCCRT_BOOL) /* bool: min = and, max = or */
      return e->kind == TCC_MIN ? LLVMBuildAnd(B, a, b, "") : LLVMBuildOr(B, a, b, "");
    if (fl && d == TCCRT_FLOAT64 && !strncmp(s->m->triple, "arm", 3)) {
      /* 32-bit ARM: LLVM 19 cannot select its own expansion of llvm.minimum/maximum.f64 ("Cannot
       * select: setcc i64"); the same NaN-propagating min/max from compares and selects (a NaN
       * operand gives a + b, a NaN). */
      LLVMValueRef lt = LLVMBuildFCmp(B, e->kind == TCC_MIN ? LLVMRealOLT : LLVMRealOGT, a, b, "");
      LLVMValueRef nan = LLVMBuildFCmp(B, LLVMRealUNO, a, b, "");
      return LLVMBuildSelect(B, nan, LLVMBuildFAdd(B, a, b, ""), LLVMBuildSelect(B, lt, a, b, ""),
                             "");
    }
    return tcc_llvm_call_intrin(s, nm, &ty, 1, args, 2);
  }
  case TCC_EQ:
  case TCC_NE:
  case TCC_LT:
  case TCC_LE:
  case TCC_GT:
  case TCC_GE: {
    if (fl) {
      LLVMRealPredicate p = e->kind == TCC_EQ   ? LLVMRealOEQ
                            : e->kind == TCC_NE ? LLVMRealUNE
                            : e->kind == TCC_LT ? LLVMRealOLT
                            : e->kind == TCC_LE ? LLVMRealOLE
                            : e->kind == TCC_GT ? LLVMRealOGT
                                                : LLVMRealOGE;
      return LLVMBuildFCmp(B, p, a, b, "");
    }
    LLVMIntPredicate p = e->kind == TCC_EQ   ? LLVMIntEQ
                         : e->kind == TCC_NE ? LLVMIntNE
                         : e->kind == TCC_LT ? (uns ? LLVMIntULT : LLVMIntSLT)
                         : e->kind == TCC_LE ? (uns ? LLVMIntULE : LLVMIntSLE)
                         : e->kind == TCC_GT ? (uns ? LLVMIntUGT : LLVMIntSGT)
                                             : (uns ? LLVMIntUGE : LLVMIntSGE);
    return LLVMBuildICmp(B, p, a, b, "");
  }
  case TCC_AND:
  case TCC_BITAND: return LLVMBuildAnd(B, a, b, "");
  case TCC_OR:
  case TCC_BITOR: return LLVMBuildOr(B, a, b, "");
  case TCC_BITXOR: return LLVMBuildXor(B, a, b, "");
  case TCC_SHL: return shift(s, true, a, b, uns);
  case TCC_SHR: return shift(s, false, a, b, uns);
  default:
    tcc_llvm_fail(s, "unexpected binary kind %s", tcc_expr_kind_name(e->kind));
    return LLVMGetUndef(LLVMTypeOf(a));
  }
  if (fl) set_fmf(r);
  return round_storage(s, r, d);
}

/* Applies the libm function `name` (float: NAMEf) lane by lane. */
static LLVMValueRef libm_lanes(tcc_llvm_fn *s, const char *name, LLVMValueRef *args, int nargs) {
  LLVMTypeRef T = LLVMTypeOf(args[0]);
  LLVMTypeRef et = is_vec(T) ? LLVMGetElementType(T) : T;
  char fname[32];
  snprintf(fname, sizeof fname, "%s%s", name, et == s->m->t_f32 ? "f" : "");
  LLVMTypeRef ps[2] = {et, et};
  LLVMTypeRef fty = LLVMFunctionType(et, ps, (unsigned)nargs, 0);
  if (!is_vec(T)) return call_c(s, fname, fty, args, nargs);
  unsigned n = LLVMGetVectorSize(T);
  LLVMValueRef r = LLVMGetPoison(T);
  for (unsigned i = 0; i < n; i++) {
    LLVMValueRef idx = LLVMConstInt(s->m->t_i32, i, 0), la[2];
    for (int k = 0; k < nargs; k++)
      la[k] = LLVMBuildExtractElement(s->b, args[k], idx, "");
    r = LLVMBuildInsertElement(s->b, r, call_c(s, fname, fty, la, nargs), idx, "");
  }
  return r;
}

static LLVMValueRef cg_call(tcc_llvm_fn *s, const tcc_expr *e) {
  int n = e->u.call.nargs;
  if (n < 1 || n > 2) {
    tcc_llvm_fail(s, "intrinsic %s with %d arguments", tcc_intrin_name(e->u.call.op), n);
    return LLVMGetUndef(reg_type(s, e->type));
  }
  LLVMValueRef a[2];
  int lanes = e->type.lanes;
  for (int i = 0; i < n; i++) {
    a[i] = broadcast_to(s, cg_expr(s, e->u.call.args[i]), lanes);
    if (e->u.call.args[i]->type.lanes > lanes) lanes = e->u.call.args[i]->type.lanes;
  }
  tccrt_dtype d = (tccrt_dtype)e->u.call.args[0]->type.dtype;
  bool fl = dt_float(d);
  bool f32 = fl && d != TCCRT_FLOAT64; /* float16/bfloat16 compute in float32 */
  LLVMTypeRef T = LLVMTypeOf(a[0]);
  LLVMBuilderRef B = s->b;
  tcc_intrin op = e->u.call.op;
  if (op == TCC_INTRIN_ABS) {
    if (fl) return tcc_llvm_call_intrin(s, "llvm.fabs", &T, 1, a, 1);
    if (dt_unsigned(d)) return a[0];
    LLVMValueRef args[2] = {a[0], LLVMConstInt(s->m->t_i1, 0, 0)};
    return tcc_llvm_call_intrin(s, "llvm.abs", &T, 1, args, 2);
  }
  if (!fl) {
    tcc_llvm_fail(s, "intrinsic %s needs float operands, got %s", tcc_intrin_name(op),
                  tccrt_dtype_name(d));
    return LLVMGetUndef(reg_type(s, e->type));
  }
  switch (op) {
  case TCC_INTRIN_EXP:
    return f32 ? tcc_llvm_math_exp(s, a[0]) : tcc_llvm_call_intrin(s, "llvm.exp", &T, 1, a, 1);
  case TCC_INTRIN_LOG:
    return f32 ? tcc_llvm_math_log(s, a[0]) : tcc_llvm_call_intrin(s, "llvm.log", &T, 1, a, 1);
  case TCC_INTRIN_TANH: return f32 ? tcc_llvm_math_tanh(s, a[0]) : libm_lanes(s, "tanh", a, 1);
  case TCC_INTRIN_ERF: return f32 ? tcc_llvm_math_erf(s, a[0]) : libm_lanes(s, "erf", a, 1);
  case TCC_INTRIN_SIGMOID: {
    if (f32) return tcc_llvm_math_sigmoid(s, a[0]);
    LLVMValueRef nx = LLVMBuildFNeg(B, a[0], "");
    LLVMValueRef ex = tcc_llvm_call_intrin(s, "llvm.exp", &T, 1, &nx, 1);
    LLVMValueRef one = tcc_llvm_const_f(T, 1.0);
    return LLVMBuildFDiv(B, one, LLVMBuildFAdd(B, one, ex, ""), "");
  }
  case TCC_INTRIN_SQRT: return tcc_llvm_call_intrin(s, "llvm.sqrt", &T, 1, a, 1);
  case TCC_INTRIN_RSQRT:
    return LLVMBuildFDiv(B, tcc_llvm_const_f(T, 1.0),
                         tcc_llvm_call_intrin(s, "llvm.sqrt", &T, 1, a, 1), "");
  case TCC_INTRIN_FLOOR: return tcc_llvm_call_intrin(s, "llvm.floor", &T, 1, a, 1);
  case TCC_INTRIN_CEIL: return tcc_llvm_call_intrin(s, "llvm.ceil", &T, 1, a, 1);
  case TCC_INTRIN_TRUNC: return tcc_llvm_call_intrin(s, "llvm.trunc", &T, 1, a, 1);
  case TCC_INTRIN_ROUND: return tcc_llvm_call_intrin(s, "llvm.rint", &T, 1, a, 1);
  case TCC_INTRIN_FABS: return tcc_llvm_call_intrin(s, "llvm.fabs", &T, 1, a, 1);
  case TCC_INTRIN_ISNAN: return LLVMBuildFCmp(B, LLVMRealUNO, a[0], a[0], "");
  case TCC_INTRIN_ISINF: {
    LLVMValueRef ab = tcc_llvm_call_intrin(s, "llvm.fabs", &T, 1, a, 1);
    return LLVMBuildFCmp(B, LLVMRealOEQ, ab, tcc_llvm_const_f(T, INFINITY), "");
  }
  case TCC_INTRIN_POW: return libm_lanes(s, "pow", a, 2);
  case TCC_INTRIN_SIN: return libm_lanes(s, "sin", a, 1);
  case TCC_INTRIN_COS: return libm_lanes(s, "cos", a, 1);
  case TCC_INTRIN_TAN: return libm_lanes(s, "tan", a, 1);
  case TCC_INTRIN_ASIN: return libm_lanes(s, "asin", a, 1);
  case TCC_INTRIN_ACOS: return libm_lanes(s, "acos", a, 1);
  case TCC_INTRIN_ATAN: return libm_lanes(s, "atan", a, 1);
  case TCC_INTRIN_SINH: return libm_lanes(s, "sinh", a, 1);
  case TCC_INTRIN_COSH: return libm_lanes(s, "cosh", a, 1);
  case TCC_INTRIN_ASINH: return libm_lanes(s, "asinh", a, 1);
  case TCC_INTRIN_ACOSH: return libm_lanes(s, "acosh", a, 1);
  case TCC_INTRIN_ATANH: return libm_lanes(s, "atanh", a, 1);
  case TCC_INTRIN_LOG1P: return libm_lanes(s, "log1p", a, 1);
  case TCC_INTRIN_EXPM1: return libm_lanes(s, "expm1", a, 1);
  default:
    tcc_llvm_fail(s, "unsupported intrinsic %s", tcc_intrin_name(op));
    return LLVMGetUndef(reg_type(s, e->type));
  }
}

/* The flat element index of a LOAD/STORE (multi-dimensional indices are flattened row-major or
 * by the buffer's strides), as i64 or <N x i64>. */
static LLVMValueRef flat_index(tcc_llvm_fn *s, const tcc_buffer *buf, int nidx,
                               const tcc_expr *const *idx, int lanes) {
  if (nidx == 0) return LLVMConstInt(s->m->t_i64, 0, 0);
  LLVMValueRef acc = NULL;
  for (int d = 0; d < nidx; d++) {
    LLVMValueRef v = cg_expr(s, idx[d]);
    tcc_type it = idx[d]->type;
    if (it.dtype != TCCRT_INT64) v = cast_value(s, v, it, tcc_type_of(TCCRT_INT64, it.lanes));
    v = broadcast_to(s, v, lanes);
    if (nidx > 1) {
      LLVMValueRef stride;
      if (buf->strides) {
        stride = cg_expr(s, buf->strides[d]);
      } else {
        stride = LLVMConstInt(s->m->t_i64, 1, 0);
        for (int k = d + 1; k < nidx && k < buf->ndim; k++)
          stride = LLVMBuildMul(s->b, stride, cg_expr(s, buf->shape[k]), "");
      }
      v = LLVMBuildMul(s->b, v, broadcast_to(s, stride, lanes), "");
    }
    acc = acc ? LLVMBuildAdd(s->b, acc, v, "") : v;
  }
  return acc;
}

/* Is e a vector of consecutive integers x, x+1, ...: RAMP(x, 1), or a sum/difference of such a
 * vector and BROADCASTs? */
static bool is_iota_plus(const tcc_expr *e) {
  int64_t st;
  switch (e->kind) {
  case TCC_RAMP: return tcc_expr_is_int_imm(e->u.ramp.stride, &st) && st == 1;
  case TCC_ADD:
    return (e->u.bin.a->kind == TCC_BROADCAST && is_iota_plus(e->u.bin.b)) ||
           (e->u.bin.b->kind == TCC_BROADCAST && is_iota_plus(e->u.bin.a));
  case TCC_SUB: return e->u.bin.b->kind == TCC_BROADCAST && is_iota_plus(e->u.bin.a);
  default: return false;
  }
}
/* The first lane of an is_iota_plus vector, as a scalar. */
static LLVMValueRef iota_base(tcc_llvm_fn *s, const tcc_expr *e) {
  switch (e->kind) {
  case TCC_RAMP: return cg_expr(s, e->u.ramp.base);
  case TCC_ADD:
    if (e->u.bin.a->kind == TCC_BROADCAST && is_iota_plus(e->u.bin.b))
      return LLVMBuildAdd(s->b, cg_expr(s, e->u.bin.a->u.bcast.value), iota_base(s, e->u.bin.b),
                          "");
    return LLVMBuildAdd(s->b, iota_base(s, e->u.bin.a), cg_expr(s, e->u.bin.b->u.bcast.value), "");
  default: /* SUB */
    return LLVMBuildSub(s->b, iota_base(s, e->u.bin.a), cg_expr(s, e->u.bin.b->u.bcast.value), "");
  }
}

/* Is the (single, flat) index consecutive (stride 1)? Then *base receives its first element. */
static bool contiguous(tcc_llvm_fn *s, int nidx, const tcc_expr *const *idx, LLVMValueRef *base) {
  if (nidx != 1 || idx[0]->type.lanes < 2 || !is_iota_plus(idx[0])) return false;
  LLVMValueRef v = iota_base(s, idx[0]);
  if (idx[0]->type.dtype != TCCRT_INT64)
    v = cast_value(s, v, tcc_type_with_lanes(idx[0]->type, 1), tcc_index_type());
  *base = v;
  return true;
}

static LLVMValueRef buffer_ptr(tcc_llvm_fn *s, const tcc_buffer *buf) {
  LLVMValueRef p = env_get(s, buf->data);
  if (!p) {
    tcc_llvm_fail(s, "buffer '%s' is neither a parameter nor allocated in scope", buf->name);
    return LLVMConstNull(s->m->t_ptr);
  }
  return p;
}

static LLVMValueRef all_true(tcc_llvm_fn *s, int lanes) {
  return tcc_llvm_const_i(vec_of(s->m->t_i1, lanes), -1);
}

/* ---- run-time checks: path conditions, early error returns, RANGE_ERROR ---- */

static void path_push(tcc_llvm_fn *s, LLVMValueRef cond, bool negate) {
  if (s->npath == s->cappath) {
    s->cappath = s->cappath ? 2 * s->cappath : 16;
    s->path = realloc(s->path, sizeof *s->path * (size_t)s->cappath);
    if (!s->path) abort(); /* out of memory: internal invariant, as tcc_arena_alloc */
  }
  s->path[s->npath].cond = cond;
  s->path[s->npath].negate = negate;
  s->npath++;
}

static void path_pop(tcc_llvm_fn *s) { s->npath--; }

static void scratch_push_ptr(tcc_llvm_fn *s, LLVMValueRef p) {
  if (s->nscratch == s->capscratch) {
    s->capscratch = s->capscratch ? 2 * s->capscratch : 8;
    s->scratch = realloc(s->scratch, sizeof *s->scratch * (size_t)s->capscratch);
    if (!s->scratch) abort();
  }
  s->scratch[s->nscratch++] = p;
}

/* At the insert point: releases this function's pending scratch (the outermost push, which pops
 * everything pushed after it) and returns `rc` (i32). The block is terminated. */
static void error_return(tcc_llvm_fn *s, LLVMValueRef rc) {
  if (s->nscratch > 0) {
    LLVMTypeRef fty = LLVMFunctionType(s->m->t_void, &s->m->t_ptr, 1, 0);
    call_c(s, "tccrt_scratch_pop", fty, &s->scratch[0], 1);
  }
  LLVMBuildRet(s->b, rc);
}

static int lanes_of(LLVMValueRef v) {
  LLVMTypeRef t = LLVMTypeOf(v);
  return is_vec(t) ? (int)LLVMGetVectorSize(t) : 1;
}

/* range_error(v, lo, hi, id) (expr.def): the lanes that reach it under the path conditions fail.
 * Emits: if (any lane fails) { tccrt_range_error(WHERE, v, lo, hi - 1) at the first failing lane;
 * return its code } and yields v (the select around it takes the other arm whenever execution
 * continues). */
static LLVMValueRef cg_range_error(tcc_llvm_fn *s, const tcc_expr *e) {
  tcc_llvm_module *m = s->m;
  int lanes = e->type.lanes;
  if (e->u.call.nargs != 4 || !tcc_dtype_is_int((tccrt_dtype)e->type.dtype)) {
    tcc_llvm_fail(s, "range_error needs 4 integer arguments");
    return LLVMGetUndef(reg_type(s, e->type));
  }
  LLVMValueRef a[3];
  for (int i = 0; i < 3; i++)
    a[i] = broadcast_to(s, cg_expr(s, e->u.call.args[i]), lanes);
  /* The failing lanes: the conjunction of the path conditions, at the widest lane count. */
  int wide = lanes;
  for (int i = 0; i < s->npath; i++)
    if (lanes_of(s->path[i].cond) > wide) wide = lanes_of(s->path[i].cond);
  LLVMValueRef fail = NULL;
  for (int i = 0; i < s->npath; i++) {
    LLVMValueRef c = broadcast_to(s, s->path[i].cond, wide);
    if (s->path[i].negate) c = LLVMBuildNot(s->b, c, "");
    fail = fail ? LLVMBuildAnd(s->b, fail, c, "") : c;
  }
  if (!fail) fail = wide > 1 ? all_true(s, wide) : LLVMConstInt(m->t_i1, 1, 0);
  LLVMValueRef any = fail;
  if (wide > 1) {
    LLVMTypeRef vt = LLVMTypeOf(fail);
    any = tcc_llvm_call_intrin(s, "llvm.vector.reduce.or", &vt, 1, &fail, 1);
  }
  LLVMBasicBlockRef cold = LLVMAppendBasicBlockInContext(m->llctx, s->fn, "range.fail");
  LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(m->llctx, s->fn, "range.ok");
  LLVMValueRef br = LLVMBuildCondBr(s->b, any, cold, cont);
  /* the failing side is cold */
  unsigned kind = LLVMGetMDKindIDInContext(m->llctx, "prof", 4);
  LLVMMetadataRef md[3] = {
      LLVMMDStringInContext2(m->llctx, "branch_weights", 14),
      LLVMValueAsMetadata(LLVMConstInt(m->t_i32, 1, 0)),
      LLVMValueAsMetadata(LLVMConstInt(m->t_i32, 1 << 20, 0)),
  };
  LLVMSetMetadata(br, kind, LLVMMetadataAsValue(m->llctx, LLVMMDNodeInContext2(m->llctx, md, 3)));
  LLVMPositionBuilderAtEnd(s->b, cold);
  LLVMValueRef x[3];
  tcc_type st = tcc_scalar((tccrt_dtype)e->type.dtype);
  LLVMValueRef lane = NULL;
  if (wide > 1) {
    LLVMTypeRef it = LLVMIntTypeInContext(m->llctx, (unsigned)wide);
    LLVMValueRef bits = LLVMBuildBitCast(s->b, fail, it, "");
    LLVMValueRef ca[2] = {bits, LLVMConstInt(m->t_i1, 1, 0)};
    lane = tcc_llvm_call_intrin(s, "llvm.cttz", &it, 1, ca, 2);
    lane = LLVMBuildIntCast2(s->b, lane, m->t_i32, 0, "");
  }
  for (int i = 0; i < 3; i++) {
    LLVMValueRef v = a[i];
    if (lanes > 1) v = LLVMBuildExtractElement(s->b, v, lane, "");
    x[i] = cast_value(s, v, st, tcc_index_type());
  }
  LLVMValueRef hi = LLVMBuildSub(s->b, x[2], LLVMConstInt(m->t_i64, 1, 0), "");
  const char *where = tcc_range_error_where(m->ctx, e);
  LLVMValueRef msg = LLVMBuildGlobalStringPtr(s->b, where, "range.where");
  LLVMTypeRef ps[4] = {m->t_ptr, m->t_i64, m->t_i64, m->t_i64};
  LLVMTypeRef fty = LLVMFunctionType(m->t_i32, ps, 4, 0);
  LLVMValueRef args[4] = {msg, x[0], x[1], hi};
  LLVMValueRef rc = call_c(s, "tccrt_range_error", fty, args, 4);
  /* a host's replacement might return 0: still an error */
  LLVMValueRef zero = LLVMConstInt(m->t_i32, 0, 0);
  rc = LLVMBuildSelect(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, rc, zero, ""),
                       LLVMConstInt(m->t_i32, TCCRT_ERR_INVALID_ARGUMENT, 0), rc, "");
  error_return(s, rc);
  LLVMPositionBuilderAtEnd(s->b, cont);
  return a[0];
}

/* The number of elements of `buf` (i64), from its shape (and strides). */
static LLVMValueRef buffer_numel(tcc_llvm_fn *s, const tcc_buffer *buf) {
  LLVMValueRef n = LLVMConstInt(s->m->t_i64, 1, 0);
  for (int d = 0; d < buf->ndim; d++) {
    LLVMValueRef ext = cg_expr(s, buf->shape[d]);
    if (buf->shape[d]->type.dtype != TCCRT_INT64)
      ext = cast_value(s, ext, buf->shape[d]->type, tcc_index_type());
    if (buf->strides) { /* 1 + sum (shape - 1) * stride */
      LLVMValueRef st = cg_expr(s, buf->strides[d]);
      LLVMValueRef em1 = LLVMBuildSub(s->b, ext, LLVMConstInt(s->m->t_i64, 1, 0), "");
      n = LLVMBuildAdd(s->b, n, LLVMBuildMul(s->b, em1, st, ""), "");
    } else {
      n = LLVMBuildMul(s->b, n, ext, "");
    }
  }
  return n;
}

/* In a SELECT arm: the lanes whose index lies inside the buffer (bool vector), and for scalars
 * the index clamped into it. */
static LLVMValueRef in_bounds(tcc_llvm_fn *s, const tcc_buffer *buf, LLVMValueRef ix) {
  LLVMTypeRef T = LLVMTypeOf(ix);
  int lanes = is_vec(T) ? (int)LLVMGetVectorSize(T) : 1;
  LLVMValueRef n = broadcast_to(s, buffer_numel(s, buf), lanes);
  return LLVMBuildICmp(s->b, LLVMIntULT, ix, n, "");
}
static LLVMValueRef clamp_index(tcc_llvm_fn *s, const tcc_buffer *buf, LLVMValueRef ix) {
  LLVMValueRef hi = LLVMBuildSub(s->b, buffer_numel(s, buf), LLVMConstInt(s->m->t_i64, 1, 0), "");
  LLVMTypeRef T = s->m->t_i64;
  LLVMValueRef a1[2] = {ix, LLVMConstInt(T, 0, 0)};
  LLVMValueRef lo = tcc_llvm_call_intrin(s, "llvm.smax", &T, 1, a1, 2);
  LLVMValueRef a2[2] = {lo, hi};
  return tcc_llvm_call_intrin(s, "llvm.smin", &T, 1, a2, 2);
}

static LLVMValueRef cg_load_impl(tcc_llvm_fn *s, const tcc_expr *e) {
  const tcc_buffer *buf = e->u.load.buf;
  tccrt_dtype d = buf->dtype;
  LLVMTypeRef ms = mem_scalar(s->m, d);
  if (!ms) {
    tcc_llvm_fail(s, "buffer '%s' has unsupported dtype %s", buf->name, tccrt_dtype_name(d));
    return LLVMGetUndef(s->m->t_i32);
  }
  int lanes = e->type.lanes;
  unsigned esz = (unsigned)tccrt_dtype_size(d);
  LLVMValueRef ptr = buffer_ptr(s, buf);
  LLVMValueRef pred = e->u.load.pred ? cg_expr(s, e->u.load.pred) : NULL;
  if (pred) path_push(s, pred, false); /* the index is used by the active lanes only */
  LLVMTypeRef MT = vec_of(ms, lanes);
  LLVMValueRef base, v;
  if (lanes == 1) {
    LLVMValueRef ix = flat_index(s, buf, e->u.load.nidx, e->u.load.idx, 1);
    if (s->guard_depth > 0 && !pred) ix = clamp_index(s, buf, ix);
    LLVMValueRef p = LLVMBuildGEP2(s->b, ms, ptr, &ix, 1, "");
    if (pred) { /* scalar predicated load: branch around it, 0 when false */
      LLVMBasicBlockRef cur = LLVMGetInsertBlock(s->b);
      LLVMBasicBlockRef ld = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "pload");
      LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "pjoin");
      LLVMBuildCondBr(s->b, pred, ld, join);
      LLVMPositionBuilderAtEnd(s->b, ld);
      LLVMValueRef lv = LLVMBuildLoad2(s->b, ms, p, "");
      LLVMSetAlignment(lv, esz);
      LLVMBuildBr(s->b, join);
      LLVMPositionBuilderAtEnd(s->b, join);
      v = LLVMBuildPhi(s->b, ms, "");
      LLVMValueRef vals[2] = {LLVMConstNull(ms), lv};
      LLVMBasicBlockRef bbs[2] = {cur, ld};
      LLVMAddIncoming(v, vals, bbs, 2);
    } else {
      v = LLVMBuildLoad2(s->b, ms, p, "");
      LLVMSetAlignment(v, esz);
    }
  } else if (s->guard_depth == 0 && contiguous(s, e->u.load.nidx, e->u.load.idx, &base)) {
    LLVMValueRef p = LLVMBuildGEP2(s->b, ms, ptr, &base, 1, "");
    if (pred) {
      pred = broadcast_to(s, pred, lanes);
      LLVMTypeRef over[2] = {MT, s->m->t_ptr};
      LLVMValueRef args[4] = {p, LLVMConstInt(s->m->t_i32, esz, 0), pred, LLVMConstNull(MT)};
      v = tcc_llvm_call_intrin(s, "llvm.masked.load", over, 2, args, 4);
    } else {
      v = LLVMBuildLoad2(s->b, MT, p, "");
      LLVMSetAlignment(v, esz);
    }
  } else {
    LLVMValueRef ix = flat_index(s, buf, e->u.load.nidx, e->u.load.idx, lanes);
    LLVMValueRef mask = pred ? broadcast_to(s, pred, lanes) : all_true(s, lanes);
    if (s->guard_depth > 0) {
      /* only the lanes inside the buffer are read; contiguous ones stay a (masked) vector load */
      mask = LLVMBuildAnd(s->b, mask, in_bounds(s, buf, ix), "");
      if (contiguous(s, e->u.load.nidx, e->u.load.idx, &base)) {
        LLVMValueRef p = LLVMBuildGEP2(s->b, ms, ptr, &base, 1, "");
        LLVMTypeRef over[2] = {MT, s->m->t_ptr};
        LLVMValueRef args[4] = {p, LLVMConstInt(s->m->t_i32, esz, 0), mask, LLVMConstNull(MT)};
        v = tcc_llvm_call_intrin(s, "llvm.masked.load", over, 2, args, 4);
        return from_mem(s, v, d, lanes);
      }
    }
    LLVMValueRef ps = LLVMBuildGEP2(s->b, ms, ptr, &ix, 1, "");
    LLVMTypeRef over[2] = {MT, LLVMTypeOf(ps)};
    LLVMValueRef args[4] = {ps, LLVMConstInt(s->m->t_i32, esz, 0), mask, LLVMConstNull(MT)};
    v = tcc_llvm_call_intrin(s, "llvm.masked.gather", over, 2, args, 4);
  }
  return from_mem(s, v, d, lanes);
}

static LLVMValueRef cg_load(tcc_llvm_fn *s, const tcc_expr *e) {
  int save = s->npath;
  LLVMValueRef r = cg_load_impl(s, e);
  s->npath = save;
  return r;
}

/* Does e hold a RANGE_ERROR? (true as well when it is too large to scan) */
static bool has_check(const tcc_expr *e, int *budget) {
  if (!e) return false;
  if (--*budget < 0) return true;
  switch (e->kind) {
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR:
  case TCC_TENSOR_READ:
  case TCC_REDUCE: return false;
  case TCC_SELECT:
    return has_check(e->u.select.cond, budget) || has_check(e->u.select.t, budget) ||
           has_check(e->u.select.f, budget);
  case TCC_CAST: return has_check(e->u.cast.a, budget);
  case TCC_CALL:
    if (e->u.call.op == TCC_INTRIN_RANGE_ERROR) return true;
    for (int i = 0; i < e->u.call.nargs; i++)
      if (has_check(e->u.call.args[i], budget)) return true;
    return false;
  case TCC_LOAD:
    for (int i = 0; i < e->u.load.nidx; i++)
      if (has_check(e->u.load.idx[i], budget)) return true;
    return has_check(e->u.load.pred, budget);
  case TCC_RAMP: return has_check(e->u.ramp.base, budget) || has_check(e->u.ramp.stride, budget);
  case TCC_BROADCAST: return has_check(e->u.bcast.value, budget);
  case TCC_LET: return has_check(e->u.let.value, budget) || has_check(e->u.let.body, budget);
  case TCC_NEG:
  case TCC_NOT:
  case TCC_BITNOT: return has_check(e->u.bin.a, budget);
  default: return has_check(e->u.bin.a, budget) || has_check(e->u.bin.b, budget);
  }
}

static LLVMValueRef cg_expr(tcc_llvm_fn *s, const tcc_expr *e) {
  LLVMBuilderRef B = s->b;
  switch (e->kind) {
  case TCC_INT_IMM: {
    LLVMTypeRef t = reg_type(s, tcc_type_with_lanes(e->type, 1));
    return broadcast_to(s, LLVMConstInt(t, (unsigned long long)e->u.ival, 1), e->type.lanes);
  }
  case TCC_FLOAT_IMM: {
    LLVMTypeRef t = reg_type(s, tcc_type_with_lanes(e->type, 1));
    return broadcast_to(s, LLVMConstReal(t, e->u.fval), e->type.lanes);
  }
  case TCC_VAR: {
    LLVMValueRef v = env_get(s, e->u.var);
    if (!v) {
      tcc_llvm_fail(s, "variable '%s' is not bound here", e->u.var->name);
      return LLVMGetUndef(reg_type(s, e->type));
    }
    if (LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMPointerTypeKind) /* a buffer handle as integer */
      return LLVMBuildPtrToInt(B, v, reg_type(s, e->type), "");
    return v;
  }
  case TCC_NEG: {
    LLVMValueRef a = cg_expr(s, e->u.bin.a);
    if (dt_float((tccrt_dtype)e->type.dtype)) return LLVMBuildFNeg(B, a, "");
    return LLVMBuildNeg(B, a, "");
  }
  case TCC_NOT: return LLVMBuildNot(B, cg_expr(s, e->u.bin.a), "");
  case TCC_BITNOT: return LLVMBuildNot(B, cg_expr(s, e->u.bin.a), "");
  case TCC_SELECT: {
    int lanes = e->type.lanes;
    LLVMValueRef c = cg_expr(s, e->u.select.cond);
    s->guard_depth++;
    path_push(s, c, false);
    LLVMValueRef t = broadcast_to(s, cg_expr(s, e->u.select.t), lanes);
    s->path[s->npath - 1].negate = true;
    LLVMValueRef f = broadcast_to(s, cg_expr(s, e->u.select.f), lanes);
    path_pop(s);
    s->guard_depth--;
    return LLVMBuildSelect(B, c, t, f, "");
  }
  case TCC_CAST: {
    const tcc_expr *a = e->u.cast.a;
    LLVMValueRef v = broadcast_to(s, cg_expr(s, a), e->type.lanes);
    return cast_value(s, v, tcc_type_with_lanes(a->type, e->type.lanes), e->type);
  }
  case TCC_CALL: {
    if (e->u.call.op == TCC_INTRIN_RANGE_ERROR) return cg_range_error(s, e);
    LLVMValueRef r = cg_call(s, e);
    tccrt_dtype d = (tccrt_dtype)e->type.dtype;
    if ((d == TCCRT_FLOAT16 || d == TCCRT_BFLOAT16) && e->u.call.op != TCC_INTRIN_FABS &&
        e->u.call.op != TCC_INTRIN_ABS && e->u.call.op != TCC_INTRIN_FLOOR &&
        e->u.call.op != TCC_INTRIN_CEIL && e->u.call.op != TCC_INTRIN_TRUNC &&
        e->u.call.op != TCC_INTRIN_ROUND)
      r = round_storage(s, r, d);
    return r;
  }
  case TCC_LOAD: return cg_load(s, e);
  case TCC_RAMP: {
    int lanes = e->u.ramp.lanes;
    LLVMValueRef base = cg_expr(s, e->u.ramp.base), st = cg_expr(s, e->u.ramp.stride);
    LLVMTypeRef et = LLVMTypeOf(base);
    LLVMValueRef *steps = malloc(sizeof *steps * (size_t)lanes);
    bool fl = dt_float((tccrt_dtype)e->type.dtype);
    for (int i = 0; i < lanes; i++)
      steps[i] = fl ? LLVMConstReal(et, i) : LLVMConstInt(et, (unsigned long long)i, 0);
    LLVMValueRef iota = LLVMConstVector(steps, (unsigned)lanes);
    free(steps);
    LLVMValueRef vb = broadcast_to(s, base, lanes), vs = broadcast_to(s, st, lanes);
    if (fl) return LLVMBuildFAdd(B, vb, LLVMBuildFMul(B, vs, iota, ""), "");
    return LLVMBuildAdd(B, vb, LLVMBuildMul(B, vs, iota, ""), "");
  }
  case TCC_BROADCAST: return broadcast_to(s, cg_expr(s, e->u.bcast.value), e->u.bcast.lanes);
  case TCC_LET: {
    LLVMValueRef v = cg_expr(s, e->u.let.value);
    int save = s->nenv;
    env_push(s, e->u.let.var, v);
    LLVMValueRef r = cg_expr(s, e->u.let.body);
    s->nenv = save;
    return r;
  }
  case TCC_TENSOR_READ:
  case TCC_REDUCE:
    tcc_llvm_fail(s, "%s is a tensor-expression node; lower the function first",
                  tcc_expr_kind_name(e->kind));
    return LLVMGetUndef(reg_type(s, e->type));
  default:
    if (e->kind < TCC_EXPR_KIND_COUNT) return cg_binary(s, e);
    tcc_llvm_fail(s, "unknown expression kind %d", (int)e->kind);
    return LLVMGetUndef(s->m->t_i32);
  }
}

/* ---------------------------------------------------------------- statements */

static void cg_stmt(tcc_llvm_fn *s, const tcc_stmt *st);

/* Emits `if (rc != 0) return rc;`. */
static void return_if_error(tcc_llvm_fn *s, LLVMValueRef rc) {
  LLVMBasicBlockRef fail = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "fail");
  LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "ok");
  LLVMValueRef bad = LLVMBuildICmp(s->b, LLVMIntNE, rc, LLVMConstInt(s->m->t_i32, 0, 0), "");
  LLVMBuildCondBr(s->b, bad, fail, ok);
  LLVMPositionBuilderAtEnd(s->b, fail);
  error_return(s, rc);
  LLVMPositionBuilderAtEnd(s->b, ok);
}

static void cg_store_impl(tcc_llvm_fn *s, const tcc_stmt *st) {
  const tcc_buffer *buf = st->u.store.buf;
  tccrt_dtype d = buf->dtype;
  LLVMTypeRef ms = mem_scalar(s->m, d);
  if (!ms) {
    tcc_llvm_fail(s, "buffer '%s' has unsupported dtype %s", buf->name, tccrt_dtype_name(d));
    return;
  }
  int lanes = st->u.store.value->type.lanes;
  for (int i = 0; i < st->u.store.nidx; i++)
    if (st->u.store.idx[i]->type.lanes > lanes) lanes = st->u.store.idx[i]->type.lanes;
  unsigned esz = (unsigned)tccrt_dtype_size(d);
  LLVMValueRef ptr = buffer_ptr(s, buf);
  /* A store whose value or index holds a run-time check evaluates its predicate first: the check
   * fails only on the lanes that are stored. */
  LLVMValueRef pred = NULL;
  int budget = 100000;
  bool checked = false;
  for (int i = 0; i < st->u.store.nidx && !checked; i++)
    checked = has_check(st->u.store.idx[i], &budget);
  if (st->u.store.pred && (checked || has_check(st->u.store.value, &budget))) {
    pred = cg_expr(s, st->u.store.pred);
    path_push(s, pred, false);
  }
  LLVMValueRef val = broadcast_to(s, cg_expr(s, st->u.store.value), lanes);
  /* The value's dtype should be the buffer's; convert if a producer left it different. */
  if (st->u.store.value->type.dtype != d)
    val = cast_value(s, val, tcc_type_of((tccrt_dtype)st->u.store.value->type.dtype, lanes),
                     tcc_type_of(d, lanes));
  val = to_mem(s, val, d, lanes);
  if (!pred && st->u.store.pred) pred = cg_expr(s, st->u.store.pred);
  LLVMTypeRef MT = vec_of(ms, lanes);
  LLVMValueRef base;
  bool scalar_idx = true;
  for (int i = 0; i < st->u.store.nidx; i++)
    if (st->u.store.idx[i]->type.lanes > 1) scalar_idx = false;
  if (lanes == 1 || scalar_idx) {
    /* scalar, or a vector value at a scalar index: contiguous from there */
    LLVMValueRef ix = flat_index(s, buf, st->u.store.nidx, st->u.store.idx, 1);
    LLVMValueRef p = LLVMBuildGEP2(s->b, ms, ptr, &ix, 1, "");
    if (pred && lanes == 1) {
      LLVMBasicBlockRef yes = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "pstore");
      LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "pjoin");
      LLVMBuildCondBr(s->b, pred, yes, join);
      LLVMPositionBuilderAtEnd(s->b, yes);
      LLVMSetAlignment(LLVMBuildStore(s->b, val, p), esz);
      LLVMBuildBr(s->b, join);
      LLVMPositionBuilderAtEnd(s->b, join);
      return;
    }
    base = ix;
    if (lanes == 1) {
      LLVMSetAlignment(LLVMBuildStore(s->b, val, p), esz);
      return;
    }
  } else if (!contiguous(s, st->u.store.nidx, st->u.store.idx, &base)) {
    LLVMValueRef ix = flat_index(s, buf, st->u.store.nidx, st->u.store.idx, lanes);
    LLVMValueRef ps = LLVMBuildGEP2(s->b, ms, ptr, &ix, 1, "");
    LLVMTypeRef over[2] = {MT, LLVMTypeOf(ps)};
    LLVMValueRef args[4] = {val, ps, LLVMConstInt(s->m->t_i32, esz, 0),
                            pred ? broadcast_to(s, pred, lanes) : all_true(s, lanes)};
    tcc_llvm_call_intrin(s, "llvm.masked.scatter", over, 2, args, 4);
    return;
  }
  LLVMValueRef p = LLVMBuildGEP2(s->b, ms, ptr, &base, 1, "");
  if (pred) {
    LLVMTypeRef over[2] = {MT, s->m->t_ptr};
    LLVMValueRef args[4] = {val, p, LLVMConstInt(s->m->t_i32, esz, 0),
                            broadcast_to(s, pred, lanes)};
    tcc_llvm_call_intrin(s, "llvm.masked.store", over, 2, args, 4);
  } else {
    LLVMSetAlignment(LLVMBuildStore(s->b, val, p), esz);
  }
}

static void cg_store(tcc_llvm_fn *s, const tcc_stmt *st) {
  int save = s->npath;
  cg_store_impl(s, st);
  s->npath = save;
}

/* Emits a serial loop for v in [lo, lo + ext) around `gen_body`. */
static void serial_loop(tcc_llvm_fn *s, const tcc_var *v, LLVMValueRef lo, LLVMValueRef ext,
                        const tcc_stmt *body) {
  LLVMTypeRef T = LLVMTypeOf(lo);
  LLVMValueRef end = LLVMBuildAdd(s->b, lo, ext, "");
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(s->b);
  LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "for.head");
  LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "for.body");
  LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "for.end");
  LLVMBuildBr(s->b, head);
  LLVMPositionBuilderAtEnd(s->b, head);
  LLVMValueRef i = LLVMBuildPhi(s->b, T, v->name);
  LLVMValueRef cond = LLVMBuildICmp(s->b, LLVMIntSLT, i, end, "");
  LLVMBuildCondBr(s->b, cond, bb, exit);
  LLVMPositionBuilderAtEnd(s->b, bb);
  int save = s->nenv;
  env_push(s, v, i);
  cg_stmt(s, body);
  s->nenv = save;
  LLVMValueRef next = LLVMBuildNSWAdd(s->b, i, LLVMConstInt(T, 1, 0), "");
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(s->b);
  LLVMBuildBr(s->b, head);
  LLVMValueRef vals[2] = {lo, next};
  LLVMBasicBlockRef bbs[2] = {pre, latch};
  LLVMAddIncoming(i, vals, bbs, 2);
  LLVMPositionBuilderAtEnd(s->b, exit);
}

static void begin_function(tcc_llvm_fn *s) {
  s->b = LLVMCreateBuilderInContext(s->m->llctx);
  s->alloca_bb = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "entry");
  LLVMBasicBlockRef start = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "start");
  LLVMPositionBuilderAtEnd(s->b, start);
}

static void end_function(tcc_llvm_fn *s) {
  /* fall-through return 0, then terminate the alloca block */
  LLVMBuildRet(s->b, LLVMConstInt(s->m->t_i32, 0, 0));
  LLVMPositionBuilderAtEnd(s->b, s->alloca_bb);
  LLVMBuildBr(s->b, LLVMGetNextBasicBlock(s->alloca_bb));
  LLVMDisposeBuilder(s->b);
  s->b = NULL;
}

static void add_fn_attr(tcc_llvm_module *m, LLVMValueRef fn, long idx, const char *k,
                        const char *v) {
  if (v) {
    LLVMAttributeRef a =
        LLVMCreateStringAttribute(m->llctx, k, (unsigned)strlen(k), v, (unsigned)strlen(v));
    LLVMAddAttributeAtIndex(fn, (LLVMAttributeIndex)idx, a);
  } else {
    unsigned kind = LLVMGetEnumAttributeKindForName(k, strlen(k));
    LLVMAddAttributeAtIndex(fn, (LLVMAttributeIndex)idx,
                            LLVMCreateEnumAttribute(m->llctx, kind, 0));
  }
}

static void add_int_attr(tcc_llvm_module *m, LLVMValueRef fn, long idx, const char *k,
                         uint64_t val) {
  unsigned kind = LLVMGetEnumAttributeKindForName(k, strlen(k));
  LLVMAddAttributeAtIndex(fn, (LLVMAttributeIndex)idx,
                          LLVMCreateEnumAttribute(m->llctx, kind, val));
}

static void target_attrs(tcc_llvm_module *m, LLVMValueRef fn) {
  add_fn_attr(m, fn, -1, "target-cpu", m->cpu);
  if (m->features && *m->features) add_fn_attr(m, fn, -1, "target-features", m->features);
  add_fn_attr(m, fn, -1, "nounwind", NULL);
}

/* Is v the data pointer of one of the PrimFunc's parameter buffers? Then *align gets its
 * alignment. */
static bool is_param_ptr(const tcc_primfunc *pf, const tcc_var *v, int *align) {
  for (int i = 0; i < pf->nparams; i++)
    if (pf->params[i]->data == v) {
      *align = pf->params[i]->align;
      return true;
    }
  return false;
}

/* A parallel loop: outlined into NAME.parK.body(begin, end, captured...) and a closure
 * NAME.parK(begin, end, ptr) that unpacks a struct of the captured values; the parent fills the
 * struct and calls tccrt_parallel_for(extent, NAME.parK, &struct). */
static void parallel_loop(tcc_llvm_fn *s, const tcc_stmt *st) {
  tcc_llvm_module *m = s->m;
  LLVMValueRef lo = cg_expr(s, st->u.loop.min), ext = cg_expr(s, st->u.loop.extent);
  if (st->u.loop.min->type.dtype != TCCRT_INT64)
    lo = cast_value(s, lo, st->u.loop.min->type, tcc_index_type());
  if (st->u.loop.extent->type.dtype != TCCRT_INT64)
    ext = cast_value(s, ext, st->u.loop.extent->type, tcc_index_type());
  /* Captured: every binding in scope (the innermost of each var) and the loop's min. */
  int ncap = 0;
  tcc_llvm_binding *cap = malloc(sizeof *cap * (size_t)(s->nenv + 1));
  for (int i = s->nenv - 1; i >= 0; i--) {
    bool shadowed = false;
    for (int k = 0; k < ncap; k++)
      if (cap[k].var == s->env[i].var) shadowed = true;
    if (!shadowed) cap[ncap++] = s->env[i];
  }
  int k_par = (*s->nparallel)++;
  char name[512];
  LLVMTypeRef *ftys = malloc(sizeof *ftys * (size_t)(ncap + 3));
  ftys[0] = m->t_i64;
  ftys[1] = m->t_i64;
  ftys[2] = m->t_i64; /* loop min */
  for (int i = 0; i < ncap; i++)
    ftys[i + 3] = LLVMTypeOf(cap[i].val);
  /* body function */
  snprintf(name, sizeof name, "%s.par%d.body", s->pf->name, k_par);
  LLVMTypeRef bty = LLVMFunctionType(m->t_i32, ftys, (unsigned)(ncap + 3), 0);
  LLVMValueRef bfn = LLVMAddFunction(m->mod, name, bty);
  LLVMSetLinkage(bfn, LLVMInternalLinkage);
  target_attrs(m, bfn);
  tcc_llvm_fn c = {.m = m, .pf = s->pf, .fn = bfn, .nparallel = s->nparallel, .in_parallel = true};
  begin_function(&c);
  for (int i = 0; i < ncap; i++) {
    LLVMValueRef p = LLVMGetParam(bfn, (unsigned)(i + 3));
    int align;
    if (LLVMGetTypeKind(LLVMTypeOf(p)) == LLVMPointerTypeKind &&
        is_param_ptr(s->pf, cap[i].var, &align)) {
      add_fn_attr(m, bfn, i + 4, "noalias", NULL);
      add_int_attr(m, bfn, i + 4, "align", (uint64_t)(align > 0 ? align : 1));
    }
    env_push(&c, cap[i].var, p);
  }
  {
    /* for i in [begin, end): var = min + i */
    LLVMValueRef begin = LLVMGetParam(bfn, 0), end = LLVMGetParam(bfn, 1);
    LLVMValueRef pmin = LLVMGetParam(bfn, 2);
    const tcc_var *v = st->u.loop.var;
    /* body: let v = min + iv in body — generated by hand */
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(c.b);
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(m->llctx, bfn, "par.head");
    LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(m->llctx, bfn, "par.body");
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(m->llctx, bfn, "par.end");
    LLVMBuildBr(c.b, head);
    LLVMPositionBuilderAtEnd(c.b, head);
    LLVMValueRef i = LLVMBuildPhi(c.b, m->t_i64, "par_i");
    LLVMBuildCondBr(c.b, LLVMBuildICmp(c.b, LLVMIntSLT, i, end, ""), bb, exit);
    LLVMPositionBuilderAtEnd(c.b, bb);
    LLVMValueRef vv = LLVMBuildNSWAdd(c.b, pmin, i, v->name);
    if (v->type.dtype != TCCRT_INT64) vv = cast_value(&c, vv, tcc_index_type(), v->type);
    int save = c.nenv;
    env_push(&c, v, vv);
    cg_stmt(&c, st->u.loop.body);
    c.nenv = save;
    LLVMValueRef next = LLVMBuildNSWAdd(c.b, i, LLVMConstInt(m->t_i64, 1, 0), "");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(c.b);
    LLVMBuildBr(c.b, head);
    LLVMValueRef vals[2] = {begin, next};
    LLVMBasicBlockRef bbs[2] = {pre, latch};
    LLVMAddIncoming(i, vals, bbs, 2);
    LLVMPositionBuilderAtEnd(c.b, exit);
  }
  end_function(&c);
  free(c.env);
  free(c.path);
  free(c.scratch);
  if (c.failed) s->failed = true;
  /* closure function */
  LLVMTypeRef sty = LLVMStructTypeInContext(m->llctx, ftys + 2, (unsigned)(ncap + 1), 0);
  snprintf(name, sizeof name, "%s.par%d", s->pf->name, k_par);
  LLVMTypeRef cps[3] = {m->t_i64, m->t_i64, m->t_ptr};
  LLVMTypeRef cty = LLVMFunctionType(m->t_i32, cps, 3, 0);
  LLVMValueRef cfn = LLVMAddFunction(m->mod, name, cty);
  LLVMSetLinkage(cfn, LLVMInternalLinkage);
  target_attrs(m, cfn);
  {
    LLVMBuilderRef b = LLVMCreateBuilderInContext(m->llctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->llctx, cfn, "entry"));
    LLVMValueRef *args = malloc(sizeof *args * (size_t)(ncap + 3));
    args[0] = LLVMGetParam(cfn, 0);
    args[1] = LLVMGetParam(cfn, 1);
    LLVMValueRef sp = LLVMGetParam(cfn, 2);
    for (int i = 0; i < ncap + 1; i++) {
      LLVMValueRef fp = LLVMBuildStructGEP2(b, sty, sp, (unsigned)i, "");
      args[i + 2] = LLVMBuildLoad2(b, ftys[i + 2], fp, "");
    }
    LLVMValueRef r = LLVMBuildCall2(b, bty, bfn, args, (unsigned)(ncap + 3), "");
    LLVMBuildRet(b, r);
    LLVMDisposeBuilder(b);
    free(args);
  }
  /* the call site */
  LLVMBuilderRef ab = LLVMCreateBuilderInContext(m->llctx);
  LLVMPositionBuilderAtEnd(ab, s->alloca_bb);
  LLVMValueRef sv = LLVMBuildAlloca(ab, sty, "closure");
  LLVMDisposeBuilder(ab);
  LLVMBuildStore(s->b, lo, LLVMBuildStructGEP2(s->b, sty, sv, 0, ""));
  for (int i = 0; i < ncap; i++)
    LLVMBuildStore(s->b, cap[i].val, LLVMBuildStructGEP2(s->b, sty, sv, (unsigned)(i + 1), ""));
  LLVMTypeRef pps[3] = {m->t_i64, m->t_ptr, m->t_ptr};
  LLVMTypeRef pfty = LLVMFunctionType(m->t_i32, pps, 3, 0);
  LLVMValueRef pargs[3] = {ext, cfn, sv};
  LLVMValueRef rc = call_c(s, "tccrt_parallel_for", pfty, pargs, 3);
  return_if_error(s, rc);
  free(ftys);
  free(cap);
}

static void cg_allocate(tcc_llvm_fn *s, const tcc_stmt *st) {
  const tcc_buffer *buf = st->u.alloc.buf;
  tcc_llvm_module *m = s->m;
  LLVMTypeRef ms = mem_scalar(m, buf->dtype);
  if (!ms) {
    tcc_llvm_fail(s, "allocation '%s' has unsupported dtype %s", buf->name,
                  tccrt_dtype_name(buf->dtype));
    return;
  }
  int64_t n;
  bool cst = tcc_expr_is_int_imm(st->u.alloc.size, &n);
  size_t esz = tccrt_dtype_size(buf->dtype);
  /* Constant-size STACK scratch of at most 1 MiB, and constant-size WORKSPACE scratch of at most
   * TCC_LLVM_PAR_STACK_MAX bytes inside a parallel loop body (each running chunk needs its own
   * copy; the alloca sits in the outlined body's entry block, so it is made once per chunk, not
   * per iteration): the stack. */
  bool on_stack =
      cst && n >= 0 && buf->scope != TCC_SCOPE_GLOBAL &&
      ((buf->scope != TCC_SCOPE_WORKSPACE && (uint64_t)n * esz <= ((uint64_t)1 << 20)) ||
       (buf->scope == TCC_SCOPE_WORKSPACE && s->in_parallel &&
        (uint64_t)n * esz <= TCC_LLVM_PAR_STACK_MAX));
  int save = s->nenv;
  if (on_stack) {
    LLVMBuilderRef ab = LLVMCreateBuilderInContext(m->llctx);
    LLVMPositionBuilderAtEnd(ab, s->alloca_bb);
    LLVMValueRef p = LLVMBuildAlloca(ab, LLVMArrayType2(ms, (uint64_t)(n > 0 ? n : 1)), buf->name);
    LLVMSetAlignment(p, 64);
    LLVMDisposeBuilder(ab);
    env_push(s, buf->data, p);
    cg_stmt(s, st->u.alloc.body);
    s->nenv = save;
    return;
  }
  LLVMValueRef cnt = cg_expr(s, st->u.alloc.size);
  if (st->u.alloc.size->type.dtype != TCCRT_INT64)
    cnt = cast_value(s, cnt, st->u.alloc.size->type, tcc_index_type());
  LLVMValueRef bytes = LLVMBuildMul(s->b, cnt, LLVMConstInt(m->t_i64, esz, 0), "");
  LLVMTypeRef aps[2] = {m->t_i64, m->t_i64};
  LLVMTypeRef afty = LLVMFunctionType(m->t_ptr, aps, 2, 0);
  LLVMValueRef aargs[2] = {bytes, LLVMConstInt(m->t_i64, 64, 0)};
  /* The rest (WORKSPACE scratch the AOT driver could not hoist into the arena: inside a parallel
   * loop, or of symbolic size) comes from the calling thread's scratch stack, which keeps its
   * memory: nothing is allocated once a thread has run the kernel. */
  LLVMValueRef p = call_c(s, "tccrt_scratch_push", afty, aargs, 2);
  LLVMValueRef isnull = LLVMBuildIsNull(s->b, p, "");
  LLVMValueRef rc =
      LLVMBuildSelect(s->b, isnull, LLVMConstInt(m->t_i32, TCCRT_ERR_OUT_OF_MEMORY, 0),
                      LLVMConstInt(m->t_i32, 0, 0), "");
  return_if_error(s, rc);
  env_push(s, buf->data, p);
  scratch_push_ptr(s, p);
  cg_stmt(s, st->u.alloc.body);
  s->nscratch--;
  s->nenv = save;
  LLVMTypeRef fty = LLVMFunctionType(m->t_void, &m->t_ptr, 1, 0);
  call_c(s, "tccrt_scratch_pop", fty, &p, 1);
}

static void cg_stmt(tcc_llvm_fn *s, const tcc_stmt *st) {
  if (!st || s->failed) return;
  switch (st->kind) {
  case TCC_S_FOR: {
    tcc_for_kind k = st->u.loop.kind;
    if (k == TCC_FOR_PARALLEL) {
      parallel_loop(s, st);
      return;
    }
    if (k != TCC_FOR_SERIAL && k != TCC_FOR_VECTORIZED && k != TCC_FOR_UNROLLED) {
      tcc_llvm_fail(s, "loop over '%s' is bound to %s: a GPU loop in a CPU function",
                    st->u.loop.var->name, tcc_for_kind_name(k));
      return;
    }
    LLVMValueRef lo = cg_expr(s, st->u.loop.min), ext = cg_expr(s, st->u.loop.extent);
    tcc_type vt = st->u.loop.var->type; /* the loop runs in its variable's type */
    if (st->u.loop.min->type.dtype != vt.dtype) lo = cast_value(s, lo, st->u.loop.min->type, vt);
    if (st->u.loop.extent->type.dtype != vt.dtype)
      ext = cast_value(s, ext, st->u.loop.extent->type, vt);
    serial_loop(s, st->u.loop.var, lo, ext, st->u.loop.body);
    return;
  }
  case TCC_S_STORE: cg_store(s, st); return;
  case TCC_S_ALLOCATE: cg_allocate(s, st); return;
  case TCC_S_IF: {
    LLVMValueRef c = cg_expr(s, st->u.ifs.cond);
    if (st->u.ifs.cond->type.lanes != 1) {
      tcc_llvm_fail(s, "if condition must be a scalar bool");
      return;
    }
    LLVMBasicBlockRef tb = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "then");
    LLVMBasicBlockRef eb =
        st->u.ifs.else_ ? LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "else") : NULL;
    LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(s->m->llctx, s->fn, "endif");
    LLVMBuildCondBr(s->b, c, tb, eb ? eb : join);
    LLVMPositionBuilderAtEnd(s->b, tb);
    cg_stmt(s, st->u.ifs.then_);
    LLVMBuildBr(s->b, join);
    if (eb) {
      LLVMPositionBuilderAtEnd(s->b, eb);
      cg_stmt(s, st->u.ifs.else_);
      LLVMBuildBr(s->b, join);
    }
    LLVMPositionBuilderAtEnd(s->b, join);
    return;
  }
  case TCC_S_LET: {
    LLVMValueRef v = cg_expr(s, st->u.let.value);
    int save = s->nenv;
    env_push(s, st->u.let.var, v);
    cg_stmt(s, st->u.let.body);
    s->nenv = save;
    return;
  }
  case TCC_S_SEQ:
    for (int i = 0; i < st->u.seq.n; i++)
      cg_stmt(s, st->u.seq.stmts[i]);
    return;
  case TCC_S_EVALUATE: cg_expr(s, st->u.eval.value); return;
  case TCC_S_BARRIER: tcc_llvm_fail(s, "barrier in a CPU function (a GPU statement)"); return;
  case TCC_S_LAUNCH:
    tcc_llvm_fail(s, "device launch in a CPU function: compile it with a GPU code generator");
    return;
  default: tcc_llvm_fail(s, "unknown statement kind %d", (int)st->kind); return;
  }
}

/* ---------------------------------------------------------------- functions */

tcc_status tcc_llvm_add_primfunc(tcc_llvm_module *m, const tcc_primfunc *pf, LLVMValueRef *out_fn) {
  if (!m) return TCC_ERR;
  if (!pf || !pf->name || !pf->body)
    return tcc_error(m->ctx, "llvm codegen: NULL function, name or body");
  if (pf->is_device)
    return tcc_error(m->ctx, "llvm codegen: function '%s' is a GPU kernel", pf->name);
  if (LLVMGetNamedFunction(m->mod, pf->name))
    return tcc_error(m->ctx, "llvm codegen: function '%s' is defined twice in module", pf->name);
  int np = pf->nparams, ns = pf->nscalars;
  /* NAME.impl(ptr noalias align A..., i64...) */
  LLVMTypeRef *ps = malloc(sizeof *ps * (size_t)(np + ns + 1));
  for (int i = 0; i < np; i++)
    ps[i] = m->t_ptr;
  for (int i = 0; i < ns; i++)
    ps[np + i] = reg_scalar(m, (tccrt_dtype)pf->scalars[i]->type.dtype);
  for (int i = 0; i < ns; i++)
    if (!ps[np + i]) {
      free(ps);
      return tcc_error(m->ctx, "llvm codegen: function '%s': scalar parameter '%s' has dtype %s",
                       pf->name, pf->scalars[i]->name,
                       tccrt_dtype_name((tccrt_dtype)pf->scalars[i]->type.dtype));
    }
  char name[512];
  snprintf(name, sizeof name, "%s.impl", pf->name);
  LLVMTypeRef ity = LLVMFunctionType(m->t_i32, ps, (unsigned)(np + ns), 0);
  LLVMValueRef ifn = LLVMAddFunction(m->mod, name, ity);
  LLVMSetLinkage(ifn, LLVMInternalLinkage);
  target_attrs(m, ifn);
  int npar = 0;
  tcc_llvm_fn s = {.m = m, .pf = pf, .fn = ifn, .nparallel = &npar};
  begin_function(&s);
  for (int i = 0; i < np; i++) {
    const tcc_buffer *buf = pf->params[i];
    add_fn_attr(m, ifn, i + 1, "noalias", NULL);
    add_int_attr(m, ifn, i + 1, "align", (uint64_t)(buf->align > 0 ? buf->align : 1));
    env_push(&s, buf->data, LLVMGetParam(ifn, (unsigned)i));
  }
  for (int i = 0; i < ns; i++)
    env_push(&s, pf->scalars[i], LLVMGetParam(ifn, (unsigned)(np + i)));
  cg_stmt(&s, pf->body);
  end_function(&s);
  free(s.env);
  free(s.path);
  free(s.scratch);
  /* NAME(ptr args, ptr scalars) */
  LLVMTypeRef wps[2] = {m->t_ptr, m->t_ptr};
  LLVMValueRef wfn = LLVMAddFunction(m->mod, pf->name, LLVMFunctionType(m->t_i32, wps, 2, 0));
  target_attrs(m, wfn);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->llctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->llctx, wfn, "entry"));
  LLVMValueRef *args = malloc(sizeof *args * (size_t)(np + ns + 1));
  for (int i = 0; i < np; i++) {
    LLVMValueRef ix = LLVMConstInt(m->t_i64, (unsigned long long)i, 0);
    LLVMValueRef p = LLVMBuildGEP2(b, m->t_ptr, LLVMGetParam(wfn, 0), &ix, 1, "");
    args[i] = LLVMBuildLoad2(b, m->t_ptr, p, pf->params[i]->name);
  }
  for (int i = 0; i < ns; i++) {
    LLVMValueRef ix = LLVMConstInt(m->t_i64, (unsigned long long)i, 0);
    LLVMValueRef p = LLVMBuildGEP2(b, m->t_i64, LLVMGetParam(wfn, 1), &ix, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(b, m->t_i64, p, pf->scalars[i]->name);
    if (ps[np + i] != m->t_i64) v = LLVMBuildTrunc(b, v, ps[np + i], "");
    args[np + i] = v;
  }
  LLVMBuildRet(b, LLVMBuildCall2(b, ity, ifn, args, (unsigned)(np + ns), ""));
  LLVMDisposeBuilder(b);
  free(args);
  free(ps);
  m->optimized = false;
  if (out_fn) *out_fn = wfn;
  return s.failed ? TCC_ERR : TCC_OK;
}
