/* test_llvm_target.c — what the LLVM code generator emits for each target:
 *  - a vectorized multiply-add compiled with --mcpu=haswell has vfmadd...ps on ymm registers,
 *    with --mcpu=cortex-a55 (aarch64) fmla on v registers, and the x86-64 baseline (x86-64-v3)
 *    also uses ymm FMAs;
 *  - the IR carries noalias/align on buffers and only `reassoc contract` fast-math flags;
 *  - `llvm-nm -u` of objects for x86-64, AArch64 and ARMv7 lists only tccrt_*, mem*, libm and
 *    ARM EABI helper symbols;
 *  - objects are ELF relocatables; --mcpu=native is refused for a foreign triple. */
#include "cg_build.h"
#include "testutil.h"

#include "llvm/llvm_codegen.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tcc_context *C;

/* y[i] = a[i] * b[i] + y[i], 8 lanes, 1024 elements. */
static tcc_primfunc *fma_func(void) {
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_FLOAT32, 1024), *b = cgb_buf(C, "b", TCCRT_FLOAT32, 1024);
  tcc_buffer *y = cgb_buf(C, "y", TCCRT_FLOAT32, 1024);
  tcc_var *io = tcc_var_new(C, "io", tcc_index_type());
  const tcc_expr *idx = cgb_ramp(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 8)), 1, 8);
  const tcc_expr *v = tcc_add(C, tcc_mul(C, cgb_ld(C, a, idx, NULL), cgb_ld(C, b, idx, NULL)),
                              cgb_ld(C, y, idx, NULL));
  const tcc_stmt *body =
      tcc_s_for(C, io, cgb_i(C, 0), cgb_i(C, 128), TCC_FOR_SERIAL, cgb_st(C, y, idx, v, NULL));
  const tcc_buffer *ps[3] = {a, b, y};
  return cgb_func(C, "fma8", 3, ps, 0, NULL, body);
}

/* A function that needs the runtime and libm: a parallel loop, a workspace allocation, exp
 * (inline), tanh on float64 (libm), float16 storage, an integer division. */
static tcc_primfunc *runtime_func(void) {
  tcc_var *n = tcc_var_new(C, "n", tcc_index_type());
  tcc_buffer *x = cgb_buf_e(C, "x", TCCRT_FLOAT32, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_buffer *d = cgb_buf_e(C, "d", TCCRT_FLOAT64, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_buffer *h = cgb_buf_e(C, "h", TCCRT_FLOAT16, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_buffer *ws = cgb_buf_e(C, "ws", TCCRT_FLOAT32, cgb_v(C, n), TCC_SCOPE_WORKSPACE);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type());
  const tcc_expr *vi = cgb_v(C, i);
  const tcc_stmt *s1 =
      tcc_s_for(C, i, cgb_i(C, 0), cgb_v(C, n), TCC_FOR_PARALLEL,
                cgb_st(C, ws, vi, tcc_call1(C, TCC_INTRIN_EXP, cgb_ld(C, x, vi, NULL)), NULL));
  const tcc_stmt *s2 = tcc_s_for(
      C, i, cgb_i(C, 0), cgb_v(C, n), TCC_FOR_SERIAL,
      cgb_seq(
          C, 2, cgb_st(C, d, vi, tcc_call1(C, TCC_INTRIN_TANH, cgb_ld(C, d, vi, NULL)), NULL),
          cgb_st(C, h, vi,
                 tcc_cast(C, tcc_scalar(TCCRT_FLOAT16),
                          tcc_add(C, cgb_ld(C, ws, vi, NULL),
                                  tcc_cast(C, tcc_scalar(TCCRT_FLOAT32),
                                           tcc_div(C, vi, tcc_add(C, cgb_v(C, n), cgb_i(C, -3)))))),
                 NULL)));
  const tcc_stmt *body = tcc_s_allocate(C, ws, cgb_v(C, n), cgb_seq(C, 2, s1, s2));
  const tcc_buffer *ps[3] = {x, d, h};
  const tcc_var *ss[1] = {n};
  return cgb_func(C, "rt_func", 3, ps, 1, ss, body);
}

static char *emit(const char *triple, const char *cpu, tcc_llvm_output kind, tcc_primfunc *f,
                  size_t *size) {
  tcc_llvm_target t = {.triple = triple, .mcpu = cpu};
  tcc_llvm_module *m;
  if (tcc_llvm_module_create(C, &t, "t", &m) != TCC_OK) {
    fprintf(stderr, "%s\n", tcc_error_text(C));
    tcc_error_clear(C);
    return NULL;
  }
  void *data = NULL;
  size_t sz = 0;
  if (tcc_llvm_add_primfunc(m, f, NULL) != TCC_OK ||
      tcc_llvm_emit_memory(m, kind, &data, &sz) != TCC_OK) {
    fprintf(stderr, "%s\n", tcc_error_text(C));
    tcc_error_clear(C);
  }
  tcc_llvm_module_destroy(m);
  if (size) *size = sz;
  return data;
}

/* Does some line of `text` contain all of a, b (b may be NULL)? */
static bool line_has(const char *text, const char *a, const char *b) {
  const char *p = text;
  while (p && *p) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char line[512];
    if (n >= sizeof line) n = sizeof line - 1;
    memcpy(line, p, n);
    line[n] = '\0';
    if (strstr(line, a) && (!b || strstr(line, b))) return true;
    p = e ? e + 1 : NULL;
  }
  return false;
}

static void test_asm(void) {
  tcc_primfunc *f = fma_func();
  char *hsw = emit("x86_64-linux-gnu", "haswell", TCC_LLVM_ASM, f, NULL);
  CHECK(hsw != NULL);
  if (hsw) {
    CHECK_MSG(line_has(hsw, "vfmadd", "ymm") && line_has(hsw, "ps\t", "ymm"),
              "haswell: no vfmadd...ps on ymm registers");
    free(hsw);
  }
  char *v3 = emit("x86_64-linux-gnu", NULL, TCC_LLVM_ASM, f, NULL);
  CHECK(v3 != NULL && line_has(v3, "vfmadd", "ymm"));
  free(v3);
  char *a55 = emit("aarch64-linux-gnu", "cortex-a55", TCC_LLVM_ASM, f, NULL);
  CHECK(a55 != NULL);
  if (a55) {
    CHECK_MSG(line_has(a55, "fmla\tv", ".4s"), "cortex-a55: no fmla on v registers");
    free(a55);
  }
  char *a64 = emit("aarch64-linux-android", NULL, TCC_LLVM_ASM, f, NULL);
  CHECK(a64 != NULL && line_has(a64, "fmla\tv", NULL));
  free(a64);
  char *a32 = emit("arm-linux-gnueabihf", NULL, TCC_LLVM_ASM, f, NULL);
  CHECK_MSG(a32 != NULL && line_has(a32, "\tq", "f32"), "armv7: expected NEON q-register f32 ops");
  free(a32);
  char *ir = emit("x86_64-linux-gnu", NULL, TCC_LLVM_IR, runtime_func(), NULL);
  CHECK(ir != NULL);
  if (ir) {
    CHECK(strstr(ir, "noalias") != NULL);
    CHECK(strstr(ir, "nnan") == NULL && strstr(ir, "ninf") == NULL && strstr(ir, " fast ") == NULL);
    /* a workspace allocation comes from the thread's scratch stack (DESIGN: no per-call malloc) */
    CHECK(strstr(ir, "tccrt_parallel_for") != NULL && strstr(ir, "tccrt_scratch_push") != NULL);
    CHECK(strstr(ir, "\"target-cpu\"=\"x86-64-v3\"") != NULL);
    free(ir);
  }
  tcc_llvm_target badcpu = {.triple = "x86_64-linux-gnu", .mcpu = "cortex-a55"};
  tcc_llvm_module *bm = NULL;
  CHECK(tcc_llvm_module_create(C, &badcpu, "t", &bm) == TCC_ERR);
  CHECK(strstr(tcc_error_text(C), "unknown CPU 'cortex-a55'") != NULL);
  tcc_error_clear(C);
  tcc_llvm_target badcpu2 = {.triple = "aarch64-linux-gnu", .mcpu = "nosuchcpu"};
  CHECK(tcc_llvm_module_create(C, &badcpu2, "t", &bm) == TCC_ERR);
  tcc_error_clear(C);
  tcc_llvm_target t = {.triple = "aarch64-linux-gnu", .mcpu = "native"};
  tcc_llvm_module *m;
  if (strncmp(tcc_llvm_host_triple(), "aarch64", 7) != 0) {
    CHECK(tcc_llvm_module_create(C, &t, "t", &m) == TCC_ERR);
    CHECK(strstr(tcc_error_text(C), "native") != NULL);
    tcc_error_clear(C);
  }
}

static bool allowed_undefined(const char *s, bool arm32) {
  static const char *const libm[] = {
      "exp",       "expf",       "log",       "logf",       "tanh",  "tanhf",  "erf",   "erff",
      "pow",       "powf",       "sin",       "sinf",       "cos",   "cosf",   "tan",   "tanf",
      "asin",      "asinf",      "acos",      "acosf",      "atan",  "atanf",  "sinh",  "sinhf",
      "cosh",      "coshf",      "asinh",     "asinhf",     "acosh", "acoshf", "atanh", "atanhf",
      "log1p",     "log1pf",     "expm1",     "expm1f",     "fmod",  "fmodf",  "sqrt",  "sqrtf",
      "floor",     "floorf",     "ceil",      "ceilf",      "trunc", "truncf", "rint",  "rintf",
      "fabs",      "fabsf",      "fmin",      "fminf",      "fmax",  "fmaxf",  "fma",   "fmaf",
      "roundeven", "roundevenf", "nearbyint", "nearbyintf", "exp2",  "exp2f"};
  if (strncmp(s, "tccrt_", 6) == 0 || strncmp(s, "mem", 3) == 0) return true;
  if (arm32 && strncmp(s, "__", 2) == 0 && strncmp(s, "__aeabi_", 8) == 0) return true;
  static const char *const helpers[] = {
      "__gnu_h2f_ieee", "__gnu_f2h_ieee", "__extendhfsf2", "__truncsfhf2", "__truncdfhf2",
      /* libgcc's 64-bit integer helpers on 32-bit ARM */
      "__divdi3", "__udivdi3", "__moddi3", "__umoddi3", "__floatdisf", "__floatdidf",
      "__floatundisf", "__floatundidf", "__fixsfdi", "__fixdfdi", "__fixunssfdi", "__fixunsdfdi"};
  for (size_t i = 0; i < sizeof helpers / sizeof *helpers; i++)
    if (arm32 && strcmp(s, helpers[i]) == 0) return true;
  for (size_t i = 0; i < sizeof libm / sizeof *libm; i++)
    if (strcmp(s, libm[i]) == 0) return true;
  return false;
}

static void test_undefined_symbols(void) {
  const char *nm = getenv("TCC_LLVM_NM");
  if (!nm || !*nm) nm = "llvm-nm-19";
  static const char *const triples[] = {"x86_64-linux-gnu", "aarch64-linux-gnu",
                                        "arm-linux-gnueabihf", "aarch64-linux-android",
                                        "armv7a-linux-androideabi"};
  for (size_t k = 0; k < sizeof triples / sizeof *triples; k++) {
    size_t size = 0;
    char *obj = emit(triples[k], NULL, TCC_LLVM_OBJECT, runtime_func(), &size);
    CHECK(obj != NULL && size > 4 &&
          memcmp(obj,
                 "\x7f"
                 "ELF",
                 4) == 0);
    if (!obj) continue;
    char path[] = "/tmp/tcc_nm_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) {
      free(obj);
      continue;
    }
    CHECK(write(fd, obj, size) == (ssize_t)size);
    close(fd);
    free(obj);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s -u %s", nm, path);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    int nsyms = 0, bad = 0;
    bool saw_pf = false;
    char line[256];
    while (p && fgets(line, sizeof line, p)) {
      char *s = line;
      while (*s == ' ')
        s++;
      if (s[0] == 'U' && s[1] == ' ') s += 2;
      s[strcspn(s, "\r\n")] = '\0';
      if (!*s) continue;
      nsyms++;
      if (strcmp(s, "tccrt_parallel_for") == 0) saw_pf = true;
      if (!allowed_undefined(s, strncmp(triples[k], "arm", 3) == 0)) {
        bad++;
        fprintf(stderr, "%s: unexpected undefined symbol '%s'\n", triples[k], s);
      }
    }
    int rc = p ? pclose(p) : -1;
    CHECK_MSG(rc == 0, "%s failed (rc %d)", cmd, rc);
    CHECK_MSG(saw_pf && nsyms >= 2, "%s: nm -u listed %d symbols, tccrt_parallel_for %s",
              triples[k], nsyms, saw_pf ? "present" : "missing");
    CHECK(bad == 0);
    unlink(path);
  }
}

/* Android objects link into a shared library with ld.lld and no text relocations. */
static void test_android_shared(void) {
  const char *lld = getenv("TCC_LD_LLD");
  if (!lld || !*lld) lld = "ld.lld-19";
  char probe[300];
  snprintf(probe, sizeof probe, "command -v %s >/dev/null 2>&1", lld);
  if (system(probe) != 0) {
    printf("SKIP android shared library: %s not installed\n", lld);
    return;
  }
  static const char *const triples[] = {"aarch64-linux-android", "armv7a-linux-androideabi"};
  for (int k = 0; k < 2; k++) {
    size_t size = 0;
    char *obj = emit(triples[k], NULL, TCC_LLVM_OBJECT, runtime_func(), &size);
    CHECK(obj != NULL);
    if (!obj) continue;
    char opath[] = "/tmp/tcc_android_XXXXXX";
    int fd = mkstemp(opath);
    CHECK(fd >= 0 && write(fd, obj, size) == (ssize_t)size);
    if (fd >= 0) close(fd);
    free(obj);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s -shared --unresolved-symbols=ignore-all -z text -o %s.so %s 2>&1 && "
             "%s -d %s.so | grep -c TEXTREL",
             lld, opath, opath,
             getenv("TCC_LLVM_READELF") ? getenv("TCC_LLVM_READELF") : "llvm-readelf-19", opath);
    FILE *p = popen(cmd, "r");
    char out[256] = "";
    if (p && !fgets(out, sizeof out, p)) out[0] = '\0';
    if (p) pclose(p);
    CHECK_MSG(strncmp(out, "0", 1) == 0, "%s: shared link / TEXTREL check said '%s'", triples[k],
              out);
    char so[64];
    snprintf(so, sizeof so, "%s.so", opath);
    unlink(so);
    unlink(opath);
  }
}

int main(void) {
  C = tcc_context_create();
  test_asm();
  test_undefined_symbols();
  test_android_shared();
  tcc_context_destroy(C);
  return tcc_test_finish("test_llvm_target");
}
