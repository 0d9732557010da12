/* executor.c — emits a model's executor, weights, workspace pool and metadata with the LLVM-C API
 * (see executor.h). */
#include "executor.h"

#include <llvm-c/Target.h>
#include <stdio.h>
#include <string.h>

typedef struct emit_state {
  tcc_context *ctx;
  LLVMModuleRef m;
  LLVMContextRef c;
  LLVMBuilderRef b;
  LLVMTypeRef i8, i32, i64, ptr, intptr;
  const tcc_aot_executor *ex;
  LLVMValueRef weights;
  LLVMValueRef params_global; /* external params: the global holding their pointer */
  LLVMTargetDataRef td;
} emit_state;

static const char *sym(emit_state *s, const char *suffix) {
  return tcc_arena_printf(tcc_ctx_arena(s->ctx), "%s_%s", s->ex->name, suffix);
}

/* A private constant C string. */
static LLVMValueRef cstring(emit_state *s, const char *str, const char *label) {
  size_t n = strlen(str);
  LLVMValueRef init = LLVMConstStringInContext2(s->c, str, n, 0);
  LLVMValueRef g = LLVMAddGlobal(s->m, LLVMTypeOf(init), label);
  LLVMSetInitializer(g, init);
  LLVMSetGlobalConstant(g, 1);
  LLVMSetLinkage(g, LLVMPrivateLinkage);
  LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
  return g;
}

static LLVMValueRef get_or_declare(emit_state *s, const char *name, LLVMTypeRef fty) {
  LLVMValueRef f = LLVMGetNamedFunction(s->m, name);
  if (!f) f = LLVMAddFunction(s->m, name, fty);
  return f;
}

static LLVMValueRef i64c(emit_state *s, int64_t v) { return LLVMConstInt(s->i64, (uint64_t)v, 1); }
static LLVMValueRef i32c(emit_state *s, int32_t v) { return LLVMConstInt(s->i32, (uint64_t)v, 1); }
static LLVMValueRef ipc(emit_state *s, uint64_t v) { return LLVMConstInt(s->intptr, v, 0); }

static LLVMValueRef byte_gep(emit_state *s, LLVMValueRef base, size_t off) {
  if (off == 0) return base;
  LLVMValueRef idx = ipc(s, off);
  return LLVMBuildInBoundsGEP2(s->b, s->i8, base, &idx, 1, "");
}

static LLVMValueRef arg_ptr(emit_state *s, const tcc_aot_arg *a, LLVMValueRef *ins,
                            LLVMValueRef *outs, LLVMValueRef ws) {
  switch (a->kind) {
  case TCC_AOT_ARG_INPUT: return ins[a->index];
  case TCC_AOT_ARG_OUTPUT: return outs[a->index];
  case TCC_AOT_ARG_ARENA: return byte_gep(s, ws, a->offset);
  case TCC_AOT_ARG_CONST:
    return s->weights ? byte_gep(s, s->weights, a->offset) : LLVMConstNull(s->ptr);
  case TCC_AOT_ARG_NULL: return LLVMConstNull(s->ptr);
  }
  return LLVMConstNull(s->ptr);
}

static void add_fn_attr(emit_state *s, LLVMValueRef f, const char *name) {
  unsigned k = LLVMGetEnumAttributeKindForName(name, strlen(name));
  if (k)
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(s->c, k, 0));
}

static tcc_status emit_run_with_workspace(emit_state *s, LLVMValueRef fn) {
  const tcc_aot_executor *ex = s->ex;
  tcc_arena *a = tcc_ctx_arena(s->ctx);
  add_fn_attr(s, fn, "nounwind");
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(s->c, fn, "entry");
  LLVMBasicBlockRef fail = LLVMAppendBasicBlockInContext(s->c, fn, "fail");
  LLVMPositionBuilderAtEnd(s->b, fail);
  LLVMValueRef fail_code = LLVMBuildPhi(s->b, s->i32, "code");
  LLVMBuildRet(s->b, fail_code);
  LLVMPositionBuilderAtEnd(s->b, entry);
  LLVMValueRef pin = LLVMGetParam(fn, 0), pout = LLVMGetParam(fn, 1), ws = LLVMGetParam(fn, 2);
  if (s->params_global) {
    /* External params: the pointer NAME_set_params stored; none yet is an error. */
    LLVMValueRef ld = LLVMBuildLoad2(s->b, s->ptr, s->params_global, "params");
    LLVMSetOrdering(ld, LLVMAtomicOrderingAcquire);
    LLVMSetAlignment(ld, (unsigned)LLVMABISizeOfType(s->td, s->ptr));
    LLVMBasicBlockRef nop = LLVMAppendBasicBlockInContext(s->c, fn, "no_params");
    LLVMBasicBlockRef go = LLVMAppendBasicBlockInContext(s->c, fn, "go");
    LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, ld, LLVMConstNull(s->ptr), ""), nop, go);
    LLVMPositionBuilderAtEnd(s->b, nop);
    LLVMTypeRef seterr_args[2] = {s->i32, s->ptr};
    LLVMTypeRef seterr_ty = LLVMFunctionType(s->i32, seterr_args, 2, 1);
    LLVMValueRef seterr = get_or_declare(s, "tccrt_set_error", seterr_ty);
    LLVMValueRef eargs[2] = {
        i32c(s, TCCRT_ERR_INVALID_ARGUMENT),
        cstring(s,
                tcc_arena_printf(tcc_ctx_arena(s->ctx),
                                 "%s_run: the params are not set (call %s_set_params)", ex->name,
                                 ex->name),
                sym(s, "noparams_msg"))};
    LLVMBuildRet(s->b, LLVMBuildCall2(s->b, seterr_ty, seterr, eargs, 2, ""));
    LLVMPositionBuilderAtEnd(s->b, go);
    s->weights = ld;
  }
  LLVMValueRef *ins = tcc_arena_alloc(a, sizeof(LLVMValueRef) * (size_t)(ex->ninputs + 1));
  LLVMValueRef *outs = tcc_arena_alloc(a, sizeof(LLVMValueRef) * (size_t)(ex->noutputs + 1));
  for (int i = 0; i < ex->ninputs; i++) {
    LLVMValueRef idx = ipc(s, (uint64_t)i);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(s->b, s->ptr, pin, &idx, 1, "");
    ins[i] = LLVMBuildLoad2(s->b, s->ptr, p, tcc_arena_printf(a, "in%d", i));
  }
  for (int i = 0; i < ex->noutputs; i++) {
    LLVMValueRef idx = ipc(s, (uint64_t)i);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(s->b, s->ptr, pout, &idx, 1, "");
    outs[i] = LLVMBuildLoad2(s->b, s->ptr, p, tcc_arena_printf(a, "out%d", i));
  }
  int maxargs = 1;
  for (int k = 0; k < ex->nsteps; k++)
    if (ex->steps[k].nargs > maxargs) maxargs = ex->steps[k].nargs;
  LLVMValueRef argv = LLVMBuildAlloca(s->b, LLVMArrayType2(s->ptr, (uint64_t)maxargs), "argv");
  for (int k = 0; k < ex->nsteps; k++) {
    const tcc_aot_step *st = &ex->steps[k];
    if (st->kind == TCC_AOT_STEP_COPY) {
      if (st->nbytes == 0) continue;
      LLVMValueRef d = arg_ptr(s, &st->args[0], ins, outs, ws);
      LLVMValueRef src = arg_ptr(s, &st->args[1], ins, outs, ws);
      LLVMBuildMemCpy(s->b, d, 1, src, 1, ipc(s, st->nbytes));
      continue;
    }
    LLVMValueRef kf = LLVMGetNamedFunction(s->m, st->kernel);
    if (!kf)
      return tcc_error(s->ctx, "aot: kernel '%s' (step %d) is not defined in the module",
                       st->kernel, k);
    /* Kernels are private to the model's object: only the entry points are exported. */
    LLVMSetLinkage(kf, LLVMInternalLinkage);
    /* The kernel ABI of codegen/llvm: int32_t NAME(void *const *args, const int64_t *scalars). */
    LLVMTypeRef kty = LLVMGlobalGetValueType(kf);
    if (LLVMCountParamTypes(kty) != 2)
      return tcc_error(s->ctx, "aot: kernel '%s' does not take (args, scalars)", st->kernel);
    for (int j = 0; j < st->nargs; j++) {
      LLVMValueRef idx = ipc(s, (uint64_t)j);
      LLVMValueRef slot = LLVMBuildInBoundsGEP2(s->b, s->ptr, argv, &idx, 1, "");
      LLVMBuildStore(s->b, arg_ptr(s, &st->args[j], ins, outs, ws), slot);
    }
    LLVMValueRef scal = LLVMConstNull(s->ptr);
    if (st->nscalars > 0) {
      LLVMValueRef *sv = tcc_arena_alloc(a, sizeof(LLVMValueRef) * (size_t)st->nscalars);
      for (int j = 0; j < st->nscalars; j++)
        sv[j] = i64c(s, st->scalars[j]);
      LLVMValueRef init = LLVMConstArray2(s->i64, sv, (uint64_t)st->nscalars);
      scal =
          LLVMAddGlobal(s->m, LLVMTypeOf(init), tcc_arena_printf(a, "%s_scalars%d", ex->name, k));
      LLVMSetInitializer(scal, init);
      LLVMSetGlobalConstant(scal, 1);
      LLVMSetLinkage(scal, LLVMPrivateLinkage);
    }
    unsigned np = 2;
    LLVMValueRef args[2] = {argv, scal};
    LLVMValueRef r = LLVMBuildCall2(s->b, kty, kf, args, np, "");
    LLVMTypeRef rt = LLVMGetReturnType(kty);
    if (LLVMGetTypeKind(rt) == LLVMIntegerTypeKind) {
      LLVMValueRef r32 =
          LLVMGetIntTypeWidth(rt) == 32 ? r : LLVMBuildIntCast2(s->b, r, s->i32, 1, "");
      LLVMValueRef bad = LLVMBuildICmp(s->b, LLVMIntNE, r32, i32c(s, 0), "");
      LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(s->c, fn, "next");
      LLVMBasicBlockRef here = LLVMGetInsertBlock(s->b);
      LLVMBuildCondBr(s->b, bad, fail, next);
      LLVMAddIncoming(fail_code, &r32, &here, 1);
      LLVMPositionBuilderAtEnd(s->b, next);
    }
  }
  LLVMBuildRet(s->b, i32c(s, 0));
  if (!LLVMGetFirstUse(fail_code)) {
    /* No kernel can fail: the fail block is unreachable; give the phi a dummy input-free form
     * by deleting the block. */
    LLVMDeleteBasicBlock(fail);
  }
  return TCC_OK;
}

/* At the builder's position in fn: checks that the pointer arrays `pin` / `pout` are not NULL and
 * that none of their entries for a tensor of non-zero size is NULL; otherwise fn returns
 * TCCRT_ERR_INVALID_ARGUMENT with "NAME_WHAT: ..." set. Leaves the builder in the block where all
 * checks passed. One load and compare per tensor, once per call. */
static void emit_check_ptrs(emit_state *s, LLVMValueRef fn, LLVMValueRef pin, LLVMValueRef pout,
                            const char *what) {
  const tcc_aot_executor *ex = s->ex;
  tcc_arena *a = tcc_ctx_arena(s->ctx);
  LLVMTypeRef seterr_args[2] = {s->i32, s->ptr};
  LLVMTypeRef seterr_ty = LLVMFunctionType(s->i32, seterr_args, 2, 1);
  LLVMValueRef seterr = get_or_declare(s, "tccrt_set_error", seterr_ty);
  for (int side = 0; side < 2; side++) {
    int n = side ? ex->noutputs : ex->ninputs;
    if (n == 0) continue;
    const tcc_aot_tensor_desc *descs = side ? ex->outputs : ex->inputs;
    LLVMValueRef list = side ? pout : pin;
    const char *kind = side ? "outputs" : "inputs";
    LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(s->c, fn, "null_ptr");
    LLVMBasicBlockRef here = LLVMGetInsertBlock(s->b);
    LLVMPositionBuilderAtEnd(s->b, bad);
    const char *msg = tcc_arena_printf(
        a, "%s_%s: the %s array is NULL or one of its %d pointers (of a non-empty tensor) is NULL",
        ex->name, what, kind, n);
    LLVMValueRef eargs[2] = {
        i32c(s, TCCRT_ERR_INVALID_ARGUMENT),
        cstring(s, msg, tcc_arena_printf(a, "%s_%s_null_%s", ex->name, what, kind))};
    LLVMBuildRet(s->b, LLVMBuildCall2(s->b, seterr_ty, seterr, eargs, 2, ""));
    LLVMPositionBuilderAtEnd(s->b, here);
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(s->c, fn, "list_ok");
    LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, list, LLVMConstNull(s->ptr), ""), bad,
                    next);
    LLVMPositionBuilderAtEnd(s->b, next);
    LLVMValueRef anynull = LLVMConstInt(LLVMInt1TypeInContext(s->c), 0, 0);
    for (int k = 0; k < n; k++) {
      if (descs[k].size_bytes == 0) continue;
      LLVMValueRef ix = ipc(s, (uint64_t)k);
      LLVMValueRef e =
          LLVMBuildLoad2(s->b, s->ptr, LLVMBuildInBoundsGEP2(s->b, s->ptr, list, &ix, 1, ""), "");
      anynull = LLVMBuildOr(s->b, anynull,
                            LLVMBuildICmp(s->b, LLVMIntEQ, e, LLVMConstNull(s->ptr), ""), "");
    }
    LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(s->c, fn, "ptrs_ok");
    LLVMBuildCondBr(s->b, anynull, bad, ok);
    LLVMPositionBuilderAtEnd(s->b, ok);
  }
}

/* NAME_run: takes a workspace from a pool of `slots` (lock-free: an atomic busy flag per slot, the
 * slot's buffer allocated once on first use); when every slot is busy it allocates one for this
 * call and frees it after (never happens with at most `slots` concurrent calls). */
static void emit_run(emit_state *s, LLVMValueRef fn, LLVMValueRef rww) {
  const tcc_aot_executor *ex = s->ex;
  add_fn_attr(s, fn, "nounwind");
  LLVMValueRef pin = LLVMGetParam(fn, 0), pout = LLVMGetParam(fn, 1);
  LLVMTypeRef rww_ty = LLVMGlobalGetValueType(rww);
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(s->c, fn, "entry");
  LLVMPositionBuilderAtEnd(s->b, entry);
  emit_check_ptrs(s, fn, pin, pout, "run");
  entry = LLVMGetInsertBlock(s->b); /* the loop's phi comes from the checks' last block */
  if (ex->workspace_size == 0) {
    LLVMValueRef args[3] = {pin, pout, LLVMConstNull(s->ptr)};
    LLVMBuildRet(s->b, LLVMBuildCall2(s->b, rww_ty, rww, args, 3, ""));
    return;
  }
  int slots = ex->pool_slots > 0 ? ex->pool_slots : 16;
  LLVMTypeRef busy_ty = LLVMArrayType2(s->i32, (uint64_t)slots);
  LLVMTypeRef ptrs_ty = LLVMArrayType2(s->ptr, (uint64_t)slots);
  LLVMValueRef busy = LLVMAddGlobal(s->m, busy_ty, sym(s, "ws_busy"));
  LLVMSetInitializer(busy, LLVMConstNull(busy_ty));
  LLVMSetLinkage(busy, LLVMInternalLinkage);
  LLVMValueRef ptrs = LLVMAddGlobal(s->m, ptrs_ty, sym(s, "ws_ptrs"));
  LLVMSetInitializer(ptrs, LLVMConstNull(ptrs_ty));
  LLVMSetLinkage(ptrs, LLVMInternalLinkage);

  LLVMTypeRef alloc_args[2] = {s->intptr, s->intptr};
  LLVMTypeRef alloc_ty = LLVMFunctionType(s->ptr, alloc_args, 2, 0);
  LLVMValueRef alloc = get_or_declare(s, "tccrt_alloc", alloc_ty);
  LLVMTypeRef free_ty = LLVMFunctionType(LLVMVoidTypeInContext(s->c), &s->ptr, 1, 0);
  LLVMValueRef freef = get_or_declare(s, "tccrt_free", free_ty);
  LLVMTypeRef seterr_args[2] = {s->i32, s->ptr};
  LLVMTypeRef seterr_ty = LLVMFunctionType(s->i32, seterr_args, 2, 1);
  LLVMValueRef seterr = get_or_declare(s, "tccrt_set_error", seterr_ty);
  LLVMValueRef oom_msg = cstring(s,
                                 tcc_arena_printf(tcc_ctx_arena(s->ctx),
                                                  "%s_run: cannot allocate the %zu-byte workspace",
                                                  ex->name, ex->workspace_size),
                                 sym(s, "oom_msg"));

  LLVMBasicBlockRef loop = LLVMAppendBasicBlockInContext(s->c, fn, "loop");
  LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(s->c, fn, "next");
  LLVMBasicBlockRef got = LLVMAppendBasicBlockInContext(s->c, fn, "got");
  LLVMBasicBlockRef need = LLVMAppendBasicBlockInContext(s->c, fn, "need");
  LLVMBasicBlockRef have = LLVMAppendBasicBlockInContext(s->c, fn, "have");
  LLVMBasicBlockRef oom_slot = LLVMAppendBasicBlockInContext(s->c, fn, "oom_slot");
  LLVMBasicBlockRef fallback = LLVMAppendBasicBlockInContext(s->c, fn, "fallback");
  LLVMBasicBlockRef fb_ok = LLVMAppendBasicBlockInContext(s->c, fn, "fb_ok");
  LLVMBasicBlockRef oom = LLVMAppendBasicBlockInContext(s->c, fn, "oom");
  LLVMBuildBr(s->b, loop);

  LLVMPositionBuilderAtEnd(s->b, loop);
  LLVMValueRef i = LLVMBuildPhi(s->b, s->i64, "i");
  LLVMValueRef zero_i64 = i64c(s, 0);
  LLVMValueRef gidx[2] = {zero_i64, i};
  LLVMValueRef flag = LLVMBuildInBoundsGEP2(s->b, busy_ty, busy, gidx, 2, "flag");
  LLVMValueRef cx =
      LLVMBuildAtomicCmpXchg(s->b, flag, i32c(s, 0), i32c(s, 1), LLVMAtomicOrderingAcquire,
                             LLVMAtomicOrderingMonotonic, 0);
  LLVMValueRef won = LLVMBuildExtractValue(s->b, cx, 1, "won");
  LLVMBuildCondBr(s->b, won, got, next);

  LLVMPositionBuilderAtEnd(s->b, next);
  LLVMValueRef i1 = LLVMBuildAdd(s->b, i, i64c(s, 1), "i1");
  LLVMValueRef more = LLVMBuildICmp(s->b, LLVMIntSLT, i1, i64c(s, slots), "");
  LLVMBuildCondBr(s->b, more, loop, fallback);
  LLVMValueRef in_vals[2] = {zero_i64, i1};
  LLVMBasicBlockRef in_bbs[2] = {entry, next};
  LLVMAddIncoming(i, in_vals, in_bbs, 2);

  LLVMPositionBuilderAtEnd(s->b, got);
  LLVMValueRef slot = LLVMBuildInBoundsGEP2(s->b, ptrs_ty, ptrs, gidx, 2, "slot");
  LLVMValueRef p0 = LLVMBuildLoad2(s->b, s->ptr, slot, "p0");
  LLVMValueRef isnull = LLVMBuildICmp(s->b, LLVMIntEQ, p0, LLVMConstNull(s->ptr), "");
  LLVMBuildCondBr(s->b, isnull, need, have);

  LLVMPositionBuilderAtEnd(s->b, need);
  LLVMValueRef aargs[2] = {ipc(s, ex->workspace_size), ipc(s, 64)};
  LLVMValueRef p1 = LLVMBuildCall2(s->b, alloc_ty, alloc, aargs, 2, "p1");
  LLVMValueRef p1null = LLVMBuildICmp(s->b, LLVMIntEQ, p1, LLVMConstNull(s->ptr), "");
  LLVMBasicBlockRef need_ok = LLVMAppendBasicBlockInContext(s->c, fn, "need_ok");
  LLVMBuildCondBr(s->b, p1null, oom_slot, need_ok);
  LLVMPositionBuilderAtEnd(s->b, need_ok);
  LLVMBuildStore(s->b, p1, slot);
  LLVMBuildBr(s->b, have);

  LLVMPositionBuilderAtEnd(s->b, have);
  LLVMValueRef p = LLVMBuildPhi(s->b, s->ptr, "ws");
  LLVMValueRef pv[2] = {p0, p1};
  LLVMBasicBlockRef pb[2] = {got, need_ok};
  LLVMAddIncoming(p, pv, pb, 2);
  LLVMValueRef cargs[3] = {pin, pout, p};
  LLVMValueRef r = LLVMBuildCall2(s->b, rww_ty, rww, cargs, 3, "r");
  LLVMValueRef st = LLVMBuildStore(s->b, i32c(s, 0), flag);
  LLVMSetOrdering(st, LLVMAtomicOrderingRelease);
  LLVMSetAlignment(st, 4);
  LLVMBuildRet(s->b, r);

  LLVMPositionBuilderAtEnd(s->b, oom_slot);
  LLVMValueRef st2 = LLVMBuildStore(s->b, i32c(s, 0), flag);
  LLVMSetOrdering(st2, LLVMAtomicOrderingRelease);
  LLVMSetAlignment(st2, 4);
  LLVMBuildBr(s->b, oom);

  LLVMPositionBuilderAtEnd(s->b, fallback);
  LLVMValueRef fp = LLVMBuildCall2(s->b, alloc_ty, alloc, aargs, 2, "fp");
  LLVMValueRef fpnull = LLVMBuildICmp(s->b, LLVMIntEQ, fp, LLVMConstNull(s->ptr), "");
  LLVMBuildCondBr(s->b, fpnull, oom, fb_ok);
  LLVMPositionBuilderAtEnd(s->b, fb_ok);
  LLVMValueRef fargs[3] = {pin, pout, fp};
  LLVMValueRef fr = LLVMBuildCall2(s->b, rww_ty, rww, fargs, 3, "fr");
  LLVMBuildCall2(s->b, free_ty, freef, &fp, 1, "");
  LLVMBuildRet(s->b, fr);

  LLVMPositionBuilderAtEnd(s->b, oom);
  LLVMValueRef eargs[2] = {i32c(s, TCCRT_ERR_OUT_OF_MEMORY), oom_msg};
  LLVMValueRef er = LLVMBuildCall2(s->b, seterr_ty, seterr, eargs, 2, "");
  LLVMBuildRet(s->b, er);
}

static LLVMValueRef tensor_infos(emit_state *s, LLVMTypeRef ti_ty, int n,
                                 const tcc_aot_tensor_desc *d, const char *label) {
  if (n == 0) return LLVMConstNull(s->ptr);
  tcc_arena *a = tcc_ctx_arena(s->ctx);
  LLVMValueRef *elems = tcc_arena_alloc(a, sizeof(LLVMValueRef) * (size_t)n);
  for (int i = 0; i < n; i++) {
    LLVMValueRef dims[TCCRT_MAX_RANK];
    for (int k = 0; k < TCCRT_MAX_RANK; k++)
      dims[k] = i64c(s, k < d[i].ndim ? d[i].shape[k] : 0);
    LLVMValueRef fields[5] = {cstring(s, d[i].name ? d[i].name : "",
                                      tcc_arena_printf(a, "%s_%s%d_name", s->ex->name, label, i)),
                              i32c(s, (int32_t)d[i].dtype), i32c(s, d[i].ndim),
                              LLVMConstArray2(s->i64, dims, TCCRT_MAX_RANK),
                              ipc(s, d[i].size_bytes)};
    elems[i] = LLVMConstNamedStruct(ti_ty, fields, 5);
  }
  LLVMValueRef init = LLVMConstArray2(ti_ty, elems, (uint64_t)n);
  LLVMValueRef g = LLVMAddGlobal(s->m, LLVMTypeOf(init), sym(s, label));
  LLVMSetInitializer(g, init);
  LLVMSetGlobalConstant(g, 1);
  LLVMSetLinkage(g, LLVMPrivateLinkage);
  return g;
}

/* DLPack's (code, bits) of a dtype (dlpack.h: kDLInt 0, kDLUInt 1, kDLFloat 2, kDLBfloat 4,
 * kDLBool 6). */
static void dl_type(tccrt_dtype dt, int *code, int *bits) {
  *bits = (int)tccrt_dtype_size(dt) * 8;
  switch (dt) {
  case TCCRT_FLOAT16:
  case TCCRT_FLOAT32:
  case TCCRT_FLOAT64: *code = 2; break;
  case TCCRT_BFLOAT16: *code = 4; break;
  case TCCRT_UINT8:
  case TCCRT_UINT16:
  case TCCRT_UINT32:
  case TCCRT_UINT64: *code = 1; break;
  case TCCRT_BOOL: *code = 6; break;
  default: *code = 0; break;
  }
}

/* NAME_run_dltensor(const DLTensor *const in[], DLTensor *const out[]): checks each tensor is a
 * dense CPU tensor of the model's dtype and shape (strides NULL or compact row-major), then runs
 * NAME_run on data + byte_offset. The DLTensor layout (DLPack 0.6 and later):
 * {void *data; {i32 device_type, i32 device_id}; i32 ndim; {u8 code, u8 bits, u16 lanes};
 *  i64 *shape; i64 *strides; u64 byte_offset}. */
static void emit_run_dltensor(emit_state *s, LLVMValueRef fn, LLVMValueRef run) {
  const tcc_aot_executor *ex = s->ex;
  tcc_arena *a = tcc_ctx_arena(s->ctx);
  add_fn_attr(s, fn, "nounwind");
  LLVMTypeRef i16 = LLVMInt16TypeInContext(s->c);
  LLVMTypeRef dev_f[2] = {s->i32, s->i32}, dt_f[3] = {s->i8, s->i8, i16};
  LLVMTypeRef dev_ty = LLVMStructTypeInContext(s->c, dev_f, 2, 0);
  LLVMTypeRef dt_ty = LLVMStructTypeInContext(s->c, dt_f, 3, 0);
  LLVMTypeRef tf[7] = {s->ptr, dev_ty, s->i32, dt_ty, s->ptr, s->ptr, s->i64};
  LLVMTypeRef t_ty = LLVMStructTypeInContext(s->c, tf, 7, 0);
  LLVMTypeRef seterr_args[2] = {s->i32, s->ptr};
  LLVMTypeRef seterr_ty = LLVMFunctionType(s->i32, seterr_args, 2, 1);
  LLVMValueRef seterr = get_or_declare(s, "tccrt_set_error", seterr_ty);
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(s->c, fn, "entry");
  LLVMPositionBuilderAtEnd(s->b, entry);
  int nt = ex->ninputs + ex->noutputs;
  LLVMValueRef arr_in =
      LLVMBuildAlloca(s->b, LLVMArrayType2(s->ptr, (uint64_t)(ex->ninputs + 1)), "in");
  LLVMValueRef arr_out =
      LLVMBuildAlloca(s->b, LLVMArrayType2(s->ptr, (uint64_t)(ex->noutputs + 1)), "out");
  {
    /* The DLTensor pointer arrays themselves (their entries are checked below). */
    LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(s->c, fn, "null_list");
    LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(s->c, fn, "lists_ok");
    LLVMValueRef isnull = LLVMConstInt(LLVMInt1TypeInContext(s->c), 0, 0);
    if (ex->ninputs > 0)
      isnull = LLVMBuildOr(
          s->b, isnull,
          LLVMBuildICmp(s->b, LLVMIntEQ, LLVMGetParam(fn, 0), LLVMConstNull(s->ptr), ""), "");
    if (ex->noutputs > 0)
      isnull = LLVMBuildOr(
          s->b, isnull,
          LLVMBuildICmp(s->b, LLVMIntEQ, LLVMGetParam(fn, 1), LLVMConstNull(s->ptr), ""), "");
    LLVMBuildCondBr(s->b, isnull, bad, ok);
    LLVMPositionBuilderAtEnd(s->b, bad);
    LLVMValueRef eargs[2] = {
        i32c(s, TCCRT_ERR_INVALID_ARGUMENT),
        cstring(
            s,
            tcc_arena_printf(a, "%s_run_dltensor: the inputs or outputs array is NULL", ex->name),
            tcc_arena_printf(a, "%s_dl_null_list", ex->name))};
    LLVMBuildRet(s->b, LLVMBuildCall2(s->b, seterr_ty, seterr, eargs, 2, ""));
    LLVMPositionBuilderAtEnd(s->b, ok);
  }
  for (int k = 0; k < nt; k++) {
    bool is_in = k < ex->ninputs;
    int idx = is_in ? k : k - ex->ninputs;
    const tcc_aot_tensor_desc *d = is_in ? &ex->inputs[idx] : &ex->outputs[idx];
    LLVMValueRef list = LLVMGetParam(fn, is_in ? 0 : 1);
    LLVMValueRef ix = ipc(s, (uint64_t)idx);
    LLVMValueRef t =
        LLVMBuildLoad2(s->b, s->ptr, LLVMBuildInBoundsGEP2(s->b, s->ptr, list, &ix, 1, ""), "t");
    /* The error for this tensor. */
    LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(s->c, fn, "bad");
    LLVMBasicBlockRef here = LLVMGetInsertBlock(s->b);
    LLVMPositionBuilderAtEnd(s->b, bad);
    char shape[256] = "";
    size_t o = 0;
    for (int q = 0; q < d->ndim && o < sizeof shape; q++)
      o += (size_t)snprintf(shape + o, sizeof shape - o, "%s%lld", q ? ", " : "",
                            (long long)d->shape[q]);
    const char *msg = tcc_arena_printf(
        a, "%s_run_dltensor: %s %d must be a dense CPU DLTensor of %s [%s] with data", ex->name,
        is_in ? "input" : "output", idx, tccrt_dtype_name(d->dtype), shape);
    LLVMValueRef eargs[2] = {i32c(s, TCCRT_ERR_INVALID_ARGUMENT),
                             cstring(s, msg, tcc_arena_printf(a, "%s_dl_err%d", ex->name, k))};
    LLVMBuildRet(s->b, LLVMBuildCall2(s->b, seterr_ty, seterr, eargs, 2, ""));
    LLVMPositionBuilderAtEnd(s->b, here);
    /* Header fields: non-NULL, CPU, rank, dtype. */
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(s->c, fn, "head");
    LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, t, LLVMConstNull(s->ptr), ""), bad, head);
    LLVMPositionBuilderAtEnd(s->b, head);
    LLVMValueRef gi[3];
    gi[0] = i32c(s, 0);
    gi[1] = i32c(s, 1);
    gi[2] = i32c(s, 0);
    LLVMValueRef devtype =
        LLVMBuildLoad2(s->b, s->i32, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 3, ""), "");
    gi[1] = i32c(s, 2);
    LLVMValueRef ndim =
        LLVMBuildLoad2(s->b, s->i32, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 2, ""), "");
    gi[1] = i32c(s, 3);
    gi[2] = i32c(s, 0);
    LLVMValueRef code =
        LLVMBuildLoad2(s->b, s->i8, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 3, ""), "");
    gi[2] = i32c(s, 1);
    LLVMValueRef bits =
        LLVMBuildLoad2(s->b, s->i8, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 3, ""), "");
    gi[2] = i32c(s, 2);
    LLVMValueRef lanes =
        LLVMBuildLoad2(s->b, i16, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 3, ""), "");
    int dcode, dbits;
    dl_type(d->dtype, &dcode, &dbits);
    LLVMValueRef ok = LLVMBuildICmp(s->b, LLVMIntEQ, devtype, i32c(s, 1), "");
    ok = LLVMBuildAnd(s->b, ok, LLVMBuildICmp(s->b, LLVMIntEQ, ndim, i32c(s, d->ndim), ""), "");
    LLVMValueRef code_ok =
        LLVMBuildICmp(s->b, LLVMIntEQ, code, LLVMConstInt(s->i8, (unsigned)dcode, 0), "");
    if (d->dtype == TCCRT_BOOL) /* older producers describe bool as uint8 */
      code_ok = LLVMBuildOr(
          s->b, code_ok, LLVMBuildICmp(s->b, LLVMIntEQ, code, LLVMConstInt(s->i8, 1, 0), ""), "");
    ok = LLVMBuildAnd(s->b, ok, code_ok, "");
    ok = LLVMBuildAnd(
        s->b, ok, LLVMBuildICmp(s->b, LLVMIntEQ, bits, LLVMConstInt(s->i8, (unsigned)dbits, 0), ""),
        "");
    ok = LLVMBuildAnd(s->b, ok, LLVMBuildICmp(s->b, LLVMIntEQ, lanes, LLVMConstInt(i16, 1, 0), ""),
                      "");
    LLVMBasicBlockRef dims = LLVMAppendBasicBlockInContext(s->c, fn, "dims");
    LLVMBuildCondBr(s->b, ok, dims, bad);
    /* Shape and strides (rank known to match now). */
    LLVMPositionBuilderAtEnd(s->b, dims);
    gi[1] = i32c(s, 4);
    LLVMValueRef shp =
        LLVMBuildLoad2(s->b, s->ptr, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 2, ""), "");
    gi[1] = i32c(s, 5);
    LLVMValueRef str =
        LLVMBuildLoad2(s->b, s->ptr, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 2, ""), "");
    LLVMValueRef sok = LLVMConstInt(LLVMInt1TypeInContext(s->c), 1, 0);
    LLVMValueRef compact = LLVMConstInt(LLVMInt1TypeInContext(s->c), 1, 0);
    int64_t stride = 1;
    LLVMBasicBlockRef chk_str = LLVMAppendBasicBlockInContext(s->c, fn, "strides");
    LLVMBasicBlockRef fin = LLVMAppendBasicBlockInContext(s->c, fn, "fin");
    if (d->ndim > 0) {
      LLVMBasicBlockRef have_shape = LLVMAppendBasicBlockInContext(s->c, fn, "shape");
      LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, shp, LLVMConstNull(s->ptr), ""), bad,
                      have_shape);
      LLVMPositionBuilderAtEnd(s->b, have_shape);
    }
    for (int q = 0; q < d->ndim; q++) {
      LLVMValueRef qi = ipc(s, (uint64_t)q);
      LLVMValueRef v =
          LLVMBuildLoad2(s->b, s->i64, LLVMBuildInBoundsGEP2(s->b, s->i64, shp, &qi, 1, ""), "");
      sok =
          LLVMBuildAnd(s->b, sok, LLVMBuildICmp(s->b, LLVMIntEQ, v, i64c(s, d->shape[q]), ""), "");
    }
    LLVMValueRef has_str = LLVMBuildICmp(s->b, LLVMIntNE, str, LLVMConstNull(s->ptr), "");
    LLVMBasicBlockRef after_shape = LLVMAppendBasicBlockInContext(s->c, fn, "shape_ok");
    LLVMBuildCondBr(s->b, sok, after_shape, bad);
    LLVMPositionBuilderAtEnd(s->b, after_shape);
    LLVMBuildCondBr(s->b, has_str, chk_str, fin);
    LLVMPositionBuilderAtEnd(s->b, chk_str);
    for (int q = d->ndim - 1; q >= 0; q--) {
      LLVMValueRef qi = ipc(s, (uint64_t)q);
      LLVMValueRef v =
          LLVMBuildLoad2(s->b, s->i64, LLVMBuildInBoundsGEP2(s->b, s->i64, str, &qi, 1, ""), "");
      /* A dim of extent 1 may carry any stride. */
      LLVMValueRef eq = LLVMBuildICmp(s->b, LLVMIntEQ, v, i64c(s, stride), "");
      if (d->shape[q] == 1) eq = LLVMConstInt(LLVMInt1TypeInContext(s->c), 1, 0);
      compact = LLVMBuildAnd(s->b, compact, eq, "");
      stride *= d->shape[q] > 0 ? d->shape[q] : 1;
    }
    LLVMBuildCondBr(s->b, compact, fin, bad);
    LLVMPositionBuilderAtEnd(s->b, fin);
    gi[1] = i32c(s, 0);
    LLVMValueRef data =
        LLVMBuildLoad2(s->b, s->ptr, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 2, ""), "");
    gi[1] = i32c(s, 6);
    LLVMValueRef off =
        LLVMBuildLoad2(s->b, s->i64, LLVMBuildInBoundsGEP2(s->b, t_ty, t, gi, 2, ""), "");
    if (d->size_bytes > 0) {
      /* A non-empty tensor needs data (DLPack: data NULL only for an empty tensor). */
      LLVMBasicBlockRef has_data = LLVMAppendBasicBlockInContext(s->c, fn, "data_ok");
      LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntEQ, data, LLVMConstNull(s->ptr), ""), bad,
                      has_data);
      LLVMPositionBuilderAtEnd(s->b, has_data);
    }
    LLVMValueRef p = LLVMBuildGEP2(s->b, s->i8, data, &off, 1, "");
    LLVMValueRef slot = LLVMBuildInBoundsGEP2(s->b, s->ptr, is_in ? arr_in : arr_out, &ix, 1, "");
    LLVMBuildStore(s->b, p, slot);
  }
  LLVMValueRef args[2] = {arr_in, arr_out};
  LLVMBuildRet(s->b, LLVMBuildCall2(s->b, LLVMGlobalGetValueType(run), run, args, 2, ""));
}

/* int NAME_set_params(const void *p, size_t size): size must be the params size and p 64-byte
 * aligned; stores p (release) for the runs. */
static void emit_set_params(emit_state *s) {
  const tcc_aot_executor *ex = s->ex;
  LLVMTypeRef args[2] = {s->ptr, s->intptr};
  LLVMValueRef fn =
      LLVMAddFunction(s->m, sym(s, "set_params"), LLVMFunctionType(s->i32, args, 2, 0));
  add_fn_attr(s, fn, "nounwind");
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(s->c, fn, "entry");
  LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(s->c, fn, "bad");
  LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(s->c, fn, "ok");
  LLVMPositionBuilderAtEnd(s->b, entry);
  LLVMValueRef p = LLVMGetParam(fn, 0), n = LLVMGetParam(fn, 1);
  LLVMValueRef addr = LLVMBuildPtrToInt(s->b, p, s->intptr, "");
  LLVMValueRef mis = LLVMBuildAnd(s->b, addr, ipc(s, 63), "");
  LLVMValueRef good = LLVMBuildICmp(s->b, LLVMIntEQ, n, ipc(s, ex->weights_size), "");
  good = LLVMBuildAnd(s->b, good, LLVMBuildICmp(s->b, LLVMIntEQ, mis, ipc(s, 0), ""), "");
  if (ex->weights_size > 0)
    good =
        LLVMBuildAnd(s->b, good, LLVMBuildICmp(s->b, LLVMIntNE, p, LLVMConstNull(s->ptr), ""), "");
  LLVMBuildCondBr(s->b, good, ok, bad);
  LLVMPositionBuilderAtEnd(s->b, ok);
  LLVMValueRef st = LLVMBuildStore(s->b, p, s->params_global);
  LLVMSetOrdering(st, LLVMAtomicOrderingRelease);
  LLVMSetAlignment(st, (unsigned)LLVMABISizeOfType(s->td, s->ptr));
  LLVMBuildRet(s->b, i32c(s, 0));
  LLVMPositionBuilderAtEnd(s->b, bad);
  LLVMTypeRef seterr_args[2] = {s->i32, s->ptr};
  LLVMTypeRef seterr_ty = LLVMFunctionType(s->i32, seterr_args, 2, 1);
  LLVMValueRef seterr = get_or_declare(s, "tccrt_set_error", seterr_ty);
  LLVMValueRef eargs[2] = {
      i32c(s, TCCRT_ERR_INVALID_ARGUMENT),
      cstring(s,
              tcc_arena_printf(tcc_ctx_arena(s->ctx),
                               "%s_set_params: expected %zu bytes at a 64-byte aligned address "
                               "(the params file tcc-ml wrote for this object)",
                               ex->name, ex->weights_size),
              sym(s, "badparams_msg"))};
  LLVMBuildRet(s->b, LLVMBuildCall2(s->b, seterr_ty, seterr, eargs, 2, ""));
}

static void emit_info(emit_state *s) {
  const tcc_aot_executor *ex = s->ex;
  LLVMTypeRef ti_fields[5] = {s->ptr, s->i32, s->i32, LLVMArrayType2(s->i64, TCCRT_MAX_RANK),
                              s->intptr};
  LLVMTypeRef ti_ty = LLVMStructCreateNamed(s->c, "tccrt_tensor_info");
  LLVMStructSetBody(ti_ty, ti_fields, 5, 0);
  LLVMTypeRef mi_fields[6] = {s->ptr, s->i32, s->i32, s->ptr, s->ptr, s->intptr};
  LLVMTypeRef mi_ty = LLVMStructCreateNamed(s->c, "tccrt_model_info");
  LLVMStructSetBody(mi_ty, mi_fields, 6, 0);
  LLVMValueRef ins = tensor_infos(s, ti_ty, ex->ninputs, ex->inputs, "inputs");
  LLVMValueRef outs = tensor_infos(s, ti_ty, ex->noutputs, ex->outputs, "outputs");
  LLVMValueRef mf[6] = {cstring(s, ex->name, sym(s, "name")),
                        i32c(s, ex->ninputs),
                        i32c(s, ex->noutputs),
                        ins,
                        outs,
                        ipc(s, ex->workspace_size)};
  LLVMValueRef mi = LLVMAddGlobal(s->m, mi_ty, sym(s, "model_info"));
  LLVMSetInitializer(mi, LLVMConstNamedStruct(mi_ty, mf, 6));
  LLVMSetGlobalConstant(mi, 1);
  LLVMSetLinkage(mi, LLVMPrivateLinkage);
  LLVMTypeRef fty = LLVMFunctionType(s->ptr, NULL, 0, 0);
  LLVMValueRef fn = LLVMAddFunction(s->m, sym(s, "info"), fty);
  add_fn_attr(s, fn, "nounwind");
  LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(s->c, fn, "entry");
  LLVMPositionBuilderAtEnd(s->b, bb);
  LLVMBuildRet(s->b, mi);
}

tcc_status tcc_aot_emit_executor(tcc_context *ctx, LLVMModuleRef m, const tcc_aot_executor *ex) {
  emit_state s = {0};
  s.ctx = ctx;
  s.m = m;
  s.c = LLVMGetModuleContext(m);
  s.ex = ex;
  s.i8 = LLVMInt8TypeInContext(s.c);
  s.i32 = LLVMInt32TypeInContext(s.c);
  s.i64 = LLVMInt64TypeInContext(s.c);
  s.ptr = LLVMPointerTypeInContext(s.c, 0);
  LLVMTargetDataRef td = LLVMCreateTargetData(LLVMGetDataLayoutStr(m));
  s.td = td;
  s.intptr = LLVMIntPtrTypeInContext(s.c, td);
  if (ex->external_params) {
    s.params_global = LLVMAddGlobal(m, s.ptr, sym(&s, "params"));
    LLVMSetInitializer(s.params_global, LLVMConstNull(s.ptr));
    LLVMSetLinkage(s.params_global, LLVMInternalLinkage);
  } else if (ex->weights_size > 0) {
    LLVMValueRef init = LLVMConstStringInContext2(s.c, ex->weights, ex->weights_size, 1);
    s.weights = LLVMAddGlobal(m, LLVMTypeOf(init), sym(&s, "weights"));
    LLVMSetInitializer(s.weights, init);
    LLVMSetGlobalConstant(s.weights, 1);
    LLVMSetLinkage(s.weights, LLVMInternalLinkage);
    LLVMSetAlignment(s.weights, 64);
  }
  s.b = LLVMCreateBuilderInContext(s.c);
  LLVMTypeRef rww_args[3] = {s.ptr, s.ptr, s.ptr};
  LLVMTypeRef rww_ty = LLVMFunctionType(s.i32, rww_args, 3, 0);
  LLVMValueRef rww = LLVMAddFunction(m, sym(&s, "run_with_workspace"), rww_ty);
  tcc_status st = emit_run_with_workspace(&s, rww);
  if (st == TCC_OK) {
    LLVMTypeRef run_ty = LLVMFunctionType(s.i32, rww_args, 2, 0);
    LLVMValueRef run = LLVMAddFunction(m, sym(&s, "run"), run_ty);
    emit_run(&s, run, rww);
    LLVMValueRef dl = LLVMAddFunction(m, sym(&s, "run_dltensor"), run_ty);
    emit_run_dltensor(&s, dl, run);
    emit_info(&s);
    if (ex->external_params) emit_set_params(&s);
  }
  LLVMDisposeBuilder(s.b);
  LLVMDisposeTargetData(td);
  return st;
}
