/* llvm_target.c — targets, modules, the optimization pipeline, object/assembly/IR emission and
 * the ORC JIT. See llvm_codegen.h. */
#include "llvm_internal.h"

#include <fcntl.h>
#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t g_init_once = PTHREAD_ONCE_INIT;
static char g_host_triple[256], g_host_cpu[128], *g_host_features;

static void init_llvm(void) {
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  LLVMInitializeX86AsmParser();
  LLVMInitializeAArch64TargetInfo();
  LLVMInitializeAArch64Target();
  LLVMInitializeAArch64TargetMC();
  LLVMInitializeAArch64AsmPrinter();
  LLVMInitializeAArch64AsmParser();
  LLVMInitializeARMTargetInfo();
  LLVMInitializeARMTarget();
  LLVMInitializeARMTargetMC();
  LLVMInitializeARMAsmPrinter();
  LLVMInitializeARMAsmParser();
  char *t = LLVMGetDefaultTargetTriple();
  snprintf(g_host_triple, sizeof g_host_triple, "%s", t);
  LLVMDisposeMessage(t);
  char *c = LLVMGetHostCPUName();
  snprintf(g_host_cpu, sizeof g_host_cpu, "%s", c);
  LLVMDisposeMessage(c);
  char *f = LLVMGetHostCPUFeatures();
  g_host_features = strdup(f ? f : "");
  LLVMDisposeMessage(f);
}

const char *tcc_llvm_host_triple(void) {
  pthread_once(&g_init_once, init_llvm);
  return g_host_triple;
}
const char *tcc_llvm_host_cpu(void) {
  pthread_once(&g_init_once, init_llvm);
  return g_host_cpu;
}

static bool starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static char *join_features(const char *a, const char *b) {
  size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
  char *r = malloc(la + lb + 2);
  r[0] = '\0';
  if (la) strcat(r, a);
  if (la && lb) strcat(r, ",");
  if (lb) strcat(r, b);
  return r;
}

tcc_status tcc_llvm_module_create(tcc_context *ctx, const tcc_llvm_target *t, const char *name,
                                  tcc_llvm_module **out) {
  pthread_once(&g_init_once, init_llvm);
  tcc_llvm_target def = {0};
  if (!t) t = &def;
  *out = NULL;
  const char *triple = t->triple && *t->triple ? t->triple : g_host_triple;
  bool host = !t->triple || !*t->triple || strcmp(triple, g_host_triple) == 0;
  /* A plain "arm-" triple means ARMv7-A here (LLVM would take it as ARMv4T). */
  char fixed[256];
  if (starts_with(triple, "arm-")) {
    snprintf(fixed, sizeof fixed, "armv7a-%s", triple + 4);
    triple = fixed;
  }
  /* "arm-linux-gnueabihf" -> "armv7a-unknown-linux-gnueabihf": without the vendor field LLVM
   * would read "gnueabihf" as the OS and lose the hard-float ABI. */
  char norm[256];
  {
    char *nt = LLVMNormalizeTargetTriple(triple);
    snprintf(norm, sizeof norm, "%s", nt);
    LLVMDisposeMessage(nt);
    triple = norm;
  }
  bool x86 = starts_with(triple, "x86_64");
  bool a64 = starts_with(triple, "aarch64") || starts_with(triple, "arm64");
  bool a32 = starts_with(triple, "armv7") || starts_with(triple, "thumbv7");
  const char *cpu = t->mcpu;
  const char *base_features = "";
  if (cpu && strcmp(cpu, "native") == 0) {
    if (!host)
      return tcc_error(ctx,
                       "llvm codegen: --mcpu=native is only valid for the host triple %s, "
                       "not %s",
                       g_host_triple, triple);
    cpu = g_host_cpu;
    base_features = g_host_features;
  } else if (!cpu || !*cpu) {
    if (x86)
      cpu = "x86-64-v3";
    else if (a64) {
      cpu = "generic";
      base_features = "+neon";
    } else if (a32) {
      cpu = "generic";
      base_features = "+armv7-a,+neon,+vfp3,+d32";
    } else
      cpu = "generic";
  } else if (a32 || a64) {
    base_features = a32 ? "+neon" : "";
  }
  char *err = NULL;
  LLVMTargetRef target;
  if (LLVMGetTargetFromTriple(triple, &target, &err)) {
    tcc_status st =
        tcc_error(ctx, "llvm codegen: unknown target triple '%s': %s", triple, err ? err : "?");
    LLVMDisposeMessage(err);
    return st;
  }
  char *features = join_features(base_features, t->features);
  int opt = t->opt_level_set || t->opt_level ? t->opt_level : 3;
  if (opt < 0) opt = 0;
  if (opt > 3) opt = 3;
  static const LLVMCodeGenOptLevel levels[] = {LLVMCodeGenLevelNone, LLVMCodeGenLevelLess,
                                               LLVMCodeGenLevelDefault, LLVMCodeGenLevelAggressive};
  /* LLVM only warns on stderr about an unknown CPU name and then compiles for a generic CPU;
   * catch that warning (stderr is redirected to a pipe while the target machine is created) and
   * report an error instead. Only for names the user chose. */
  bool check_cpu =
      t->mcpu && *t->mcpu && strcmp(t->mcpu, "native") != 0 && strcmp(t->mcpu, "generic") != 0;
  int saved_err = -1, pfd[2] = {-1, -1};
  if (check_cpu && pipe(pfd) == 0) {
    fflush(stderr);
    saved_err = dup(2);
    if (saved_err < 0 || dup2(pfd[1], 2) < 0) {
      if (saved_err >= 0) close(saved_err);
      saved_err = -1;
    }
  }
  LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, levels[opt],
                                                    LLVMRelocPIC, LLVMCodeModelDefault);
  bool bad_cpu = false;
  if (saved_err >= 0) {
    fflush(stderr);
    dup2(saved_err, 2);
    close(saved_err);
    close(pfd[1]);
    pfd[1] = -1;
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    char buf[1024];
    ssize_t n = read(pfd[0], buf, sizeof buf - 1);
    if (n > 0) {
      buf[n] = '\0';
      bad_cpu = strstr(buf, "not a recognized processor") != NULL;
      if (!bad_cpu) fputs(buf, stderr); /* not ours: pass it on */
    }
  }
  if (pfd[0] >= 0) close(pfd[0]);
  if (pfd[1] >= 0) close(pfd[1]);
  if (bad_cpu) {
    if (tm) LLVMDisposeTargetMachine(tm);
    free(features);
    return tcc_error(ctx,
                     "llvm codegen: unknown CPU '%s' for target %s (try a name that "
                     "llc-19 -mtriple=%s -mcpu=help lists, or 'native')",
                     cpu, triple, triple);
  }
  if (!tm) {
    free(features);
    return tcc_error(ctx, "llvm codegen: cannot create a target machine for %s (cpu %s)", triple,
                     cpu);
  }
  tcc_llvm_module *m = calloc(1, sizeof *m);
  m->ctx = ctx;
  m->tm = tm;
  m->triple = strdup(triple);
  m->cpu = strdup(cpu);
  m->features = features;
  m->opt_level = opt;
  m->llctx = LLVMContextCreate();
  m->mod = LLVMModuleCreateWithNameInContext(name ? name : "tcc", m->llctx);
  LLVMSetTarget(m->mod, triple);
  m->td = LLVMCreateTargetDataLayout(tm);
  LLVMSetModuleDataLayout(m->mod, m->td);
  m->t_void = LLVMVoidTypeInContext(m->llctx);
  m->t_i1 = LLVMInt1TypeInContext(m->llctx);
  m->t_i8 = LLVMInt8TypeInContext(m->llctx);
  m->t_i16 = LLVMInt16TypeInContext(m->llctx);
  m->t_i32 = LLVMInt32TypeInContext(m->llctx);
  m->t_i64 = LLVMInt64TypeInContext(m->llctx);
  m->t_half = LLVMHalfTypeInContext(m->llctx);
  m->t_f32 = LLVMFloatTypeInContext(m->llctx);
  m->t_f64 = LLVMDoubleTypeInContext(m->llctx);
  m->t_ptr = LLVMPointerTypeInContext(m->llctx, 0);
  *out = m;
  return TCC_OK;
}

void tcc_llvm_module_destroy(tcc_llvm_module *m) {
  if (!m) return;
  LLVMDisposeModule(m->mod);
  LLVMContextDispose(m->llctx);
  LLVMDisposeTargetData(m->td);
  LLVMDisposeTargetMachine(m->tm);
  free(m->triple);
  free(m->cpu);
  free(m->features);
  free(m);
}

LLVMContextRef tcc_llvm_module_context(tcc_llvm_module *m) { return m->llctx; }
LLVMModuleRef tcc_llvm_module_ref(tcc_llvm_module *m) { return m->mod; }
const char *tcc_llvm_module_triple(const tcc_llvm_module *m) { return m->triple; }
const char *tcc_llvm_module_cpu(const tcc_llvm_module *m) { return m->cpu; }
const char *tcc_llvm_module_features(const tcc_llvm_module *m) { return m->features; }

tcc_status tcc_llvm_optimize(tcc_llvm_module *m) {
  if (m->optimized) return TCC_OK;
  char *msg = NULL;
  if (LLVMVerifyModule(m->mod, LLVMReturnStatusAction, &msg)) {
    tcc_status st = tcc_error(m->ctx,
                              "llvm codegen: generated IR does not verify (a code "
                              "generator bug): %.2000s",
                              msg ? msg : "?");
    LLVMDisposeMessage(msg);
    return st;
  }
  LLVMDisposeMessage(msg);
  char passes[32];
  snprintf(passes, sizeof passes, "default<O%d>", m->opt_level);
  LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
  LLVMPassBuilderOptionsSetLoopVectorization(opts, m->opt_level >= 2);
  LLVMPassBuilderOptionsSetSLPVectorization(opts, m->opt_level >= 2);
  LLVMPassBuilderOptionsSetLoopUnrolling(opts, m->opt_level >= 2);
  LLVMPassBuilderOptionsSetLoopInterleaving(opts, m->opt_level >= 2);
  LLVMErrorRef err = LLVMRunPasses(m->mod, passes, m->tm, opts);
  LLVMDisposePassBuilderOptions(opts);
  if (err) {
    char *e = LLVMGetErrorMessage(err);
    tcc_status st = tcc_error(m->ctx, "llvm codegen: optimization pipeline failed: %s", e);
    LLVMDisposeErrorMessage(e);
    return st;
  }
  m->optimized = true;
  return TCC_OK;
}

tcc_status tcc_llvm_emit_memory(tcc_llvm_module *m, tcc_llvm_output kind, void **data,
                                size_t *size) {
  *data = NULL;
  *size = 0;
  TCC_TRY(tcc_llvm_optimize(m));
  if (kind == TCC_LLVM_IR) {
    char *s = LLVMPrintModuleToString(m->mod);
    size_t n = strlen(s);
    char *r = malloc(n + 1);
    memcpy(r, s, n + 1);
    LLVMDisposeMessage(s);
    *data = r;
    *size = n;
    return TCC_OK;
  }
  char *err = NULL;
  LLVMMemoryBufferRef buf;
  if (LLVMTargetMachineEmitToMemoryBuffer(
          m->tm, m->mod, kind == TCC_LLVM_ASM ? LLVMAssemblyFile : LLVMObjectFile, &err, &buf)) {
    tcc_status st =
        tcc_error(m->ctx, "llvm codegen: emitting %s for %s failed: %s",
                  kind == TCC_LLVM_ASM ? "assembly" : "object", m->triple, err ? err : "?");
    LLVMDisposeMessage(err);
    return st;
  }
  size_t n = LLVMGetBufferSize(buf);
  char *r = malloc(n + 1);
  memcpy(r, LLVMGetBufferStart(buf), n);
  r[n] = '\0';
  LLVMDisposeMemoryBuffer(buf);
  *data = r;
  *size = n;
  return TCC_OK;
}

tcc_status tcc_llvm_emit_file(tcc_llvm_module *m, tcc_llvm_output kind, const char *path) {
  void *data;
  size_t size;
  TCC_TRY(tcc_llvm_emit_memory(m, kind, &data, &size));
  FILE *f = fopen(path, "wb");
  if (!f) {
    free(data);
    return tcc_error(m->ctx, "%s: cannot open for writing", path);
  }
  bool ok = fwrite(data, 1, size, f) == size;
  ok = (fclose(f) == 0) && ok;
  free(data);
  if (!ok) return tcc_error(m->ctx, "%s: write failed", path);
  return TCC_OK;
}

/* ---------------------------------------------------------------- JIT */

struct tcc_llvm_jit {
  tcc_context *ctx;
  LLVMOrcLLJITRef jit;
};

static tcc_status jit_error(tcc_context *ctx, const char *what, LLVMErrorRef err) {
  char *e = LLVMGetErrorMessage(err);
  tcc_status st = tcc_error(ctx, "llvm jit: %s: %s", what, e);
  LLVMDisposeErrorMessage(e);
  return st;
}

tcc_status tcc_llvm_jit_create(tcc_context *ctx, tcc_llvm_jit **out) {
  pthread_once(&g_init_once, init_llvm);
  *out = NULL;
  LLVMOrcLLJITRef jit;
  LLVMErrorRef err = LLVMOrcCreateLLJIT(&jit, LLVMOrcCreateLLJITBuilder());
  if (err) return jit_error(ctx, "cannot create LLJIT", err);
  LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(jit);
  /* The runtime's entry points by address: they are linked into this program statically and need
   * not be in its dynamic symbol table. */
  struct {
    const char *name;
    void *addr;
  } rt[] = {
      {"tccrt_parallel_for", (void *)tccrt_parallel_for},
      {"tccrt_alloc", (void *)tccrt_alloc},
      {"tccrt_free", (void *)tccrt_free},
      {"tccrt_scratch_push", (void *)tccrt_scratch_push},
      {"tccrt_scratch_pop", (void *)tccrt_scratch_pop},
      {"tccrt_set_error", (void *)tccrt_set_error},
      {"tccrt_range_error", (void *)tccrt_range_error},
      {"tccrt_last_error", (void *)tccrt_last_error},
      {"tccrt_get_num_threads", (void *)tccrt_get_num_threads},
  };
  enum { NRT = sizeof rt / sizeof rt[0] };
  LLVMOrcCSymbolMapPair pairs[NRT];
  LLVMOrcExecutionSessionRef es = LLVMOrcLLJITGetExecutionSession(jit);
  for (int i = 0; i < NRT; i++) {
    pairs[i].Name = LLVMOrcExecutionSessionIntern(es, rt[i].name);
    pairs[i].Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)rt[i].addr;
    pairs[i].Sym.Flags.GenericFlags =
        LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
    pairs[i].Sym.Flags.TargetFlags = 0;
  }
  err = LLVMOrcJITDylibDefine(jd, LLVMOrcAbsoluteSymbols(pairs, NRT));
  if (err) {
    LLVMOrcDisposeLLJIT(jit);
    return jit_error(ctx, "cannot define runtime symbols", err);
  }
  /* Everything else (libm, libc's mem*) from the process. */
  LLVMOrcDefinitionGeneratorRef gen;
  err = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(jit),
                                                             NULL, NULL);
  if (err) {
    LLVMOrcDisposeLLJIT(jit);
    return jit_error(ctx, "cannot search the process's symbols", err);
  }
  LLVMOrcJITDylibAddGenerator(jd, gen);
  tcc_llvm_jit *j = calloc(1, sizeof *j);
  j->ctx = ctx;
  j->jit = jit;
  *out = j;
  return TCC_OK;
}

tcc_status tcc_llvm_jit_add_object(tcc_llvm_jit *j, const void *obj, size_t size) {
  LLVMMemoryBufferRef buf =
      LLVMCreateMemoryBufferWithMemoryRangeCopy((const char *)obj, size, "tcc-object");
  LLVMErrorRef err = LLVMOrcLLJITAddObjectFile(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), buf);
  if (err) return jit_error(j->ctx, "cannot add object", err);
  return TCC_OK;
}

tcc_status tcc_llvm_jit_lookup(tcc_llvm_jit *j, const char *name, void **addr) {
  LLVMOrcExecutorAddress a = 0;
  *addr = NULL;
  LLVMErrorRef err = LLVMOrcLLJITLookup(j->jit, &a, name);
  if (err) {
    char what[300];
    snprintf(what, sizeof what, "cannot find or link symbol '%s'", name);
    return jit_error(j->ctx, what, err);
  }
  *addr = (void *)(uintptr_t)a;
  return TCC_OK;
}

void tcc_llvm_jit_destroy(tcc_llvm_jit *j) {
  if (!j) return;
  LLVMErrorRef err = LLVMOrcDisposeLLJIT(j->jit);
  if (err) LLVMConsumeError(err);
  free(j);
}

tcc_status tcc_llvm_jit_primfuncs(tcc_context *ctx, const tcc_llvm_target *t, int n,
                                  const tcc_primfunc *const *fns, tcc_llvm_jit **out) {
  *out = NULL;
  tcc_llvm_target host = {0};
  if (t) host = *t;
  host.triple = NULL;
  if (!host.mcpu) host.mcpu = "native";
  tcc_llvm_module *m;
  TCC_TRY(tcc_llvm_module_create(ctx, &host, "jit", &m));
  for (int i = 0; i < n; i++) {
    if (tcc_llvm_add_primfunc(m, fns[i], NULL) != TCC_OK) {
      tcc_llvm_module_destroy(m);
      return TCC_ERR;
    }
  }
  void *obj;
  size_t size;
  tcc_status st = tcc_llvm_emit_memory(m, TCC_LLVM_OBJECT, &obj, &size);
  tcc_llvm_module_destroy(m);
  if (st != TCC_OK) return st;
  tcc_llvm_jit *j;
  st = tcc_llvm_jit_create(ctx, &j);
  if (st == TCC_OK) st = tcc_llvm_jit_add_object(j, obj, size);
  free(obj);
  if (st != TCC_OK) {
    if (j) tcc_llvm_jit_destroy(j);
    return st;
  }
  *out = j;
  return TCC_OK;
}
