/* test_llvm_cross.c — ahead-of-time objects for each target, linked as a user would: the object
 * from the LLVM code generator + the runtime's C sources + a driver, built with the target's gcc
 * (x86_64: the host's cc; aarch64-linux-gnu-gcc; arm-linux-gnueabihf-gcc) and run natively or
 * under qemu-user (-L /usr/<triple>). The driver computes its own C reference for hand-built
 * kernels, and for kernels lowered from scheduled tensor expressions (te_cases.h: matmul f32 and
 * i32, conv2d, a compute_at pipeline) compares with the loop-IR interpreter's results computed on
 * the host and passed in a data file; it prints PASS.
 * A target whose compiler or qemu is missing is skipped with a message (exit 77 if all are). */
#include "cg_build.h"
#include "interp.h"
#include "te_cases.h"
#include "testutil.h"

#include "llvm/llvm_codegen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static tcc_context *C;

/* vadd(a, b, c; n): c = a + b * 2 with 8 lanes and a predicated tail. */
static tcc_primfunc *f_vadd(void) {
  tcc_var *n = tcc_var_new(C, "n", tcc_index_type());
  tcc_buffer *a = cgb_buf_e(C, "a", TCCRT_FLOAT32, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_buffer *b = cgb_buf_e(C, "b", TCCRT_FLOAT32, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_buffer *c = cgb_buf_e(C, "c", TCCRT_FLOAT32, cgb_v(C, n), TCC_SCOPE_GLOBAL);
  tcc_var *io = tcc_var_new(C, "io", tcc_index_type());
  const tcc_expr *idx = cgb_ramp(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 8)), 1, 8);
  const tcc_expr *pred = tcc_lt(C, idx, tcc_broadcast(C, cgb_v(C, n), 8));
  const tcc_expr *val =
      tcc_add(C, cgb_ld(C, a, idx, pred),
              tcc_mul(C, cgb_ld(C, b, idx, pred), tcc_broadcast(C, cgb_f32(C, 2.0), 8)));
  const tcc_expr *ext = tcc_floordiv(C, tcc_add(C, cgb_v(C, n), cgb_i(C, 7)), cgb_i(C, 8));
  const tcc_buffer *ps[3] = {a, b, c};
  const tcc_var *ss[1] = {n};
  return cgb_func(C, "x_vadd", 3, ps, 1, ss,
                  tcc_s_for(C, io, cgb_i(C, 0), ext, TCC_FOR_SERIAL, cgb_st(C, c, idx, val, pred)));
}

/* par(a, c): parallel i < 13: serial j < 37: c[i*37+j] = a[i*37+j] * 2 + float(i) */
static tcc_primfunc *f_par(void) {
  tcc_buffer *a = cgb_buf(C, "a", TCCRT_FLOAT32, 13 * 37),
             *c = cgb_buf(C, "c", TCCRT_FLOAT32, 13 * 37);
  tcc_var *i = tcc_var_new(C, "i", tcc_index_type()), *j = tcc_var_new(C, "j", tcc_index_type());
  const tcc_expr *ix = tcc_add(C, tcc_mul(C, cgb_v(C, i), cgb_i(C, 37)), cgb_v(C, j));
  const tcc_expr *val = tcc_add(C, tcc_mul(C, cgb_ld(C, a, ix, NULL), cgb_f32(C, 2)),
                                tcc_cast(C, tcc_scalar(TCCRT_FLOAT32), cgb_v(C, i)));
  const tcc_stmt *inner =
      tcc_s_for(C, j, cgb_i(C, 0), cgb_i(C, 37), TCC_FOR_SERIAL, cgb_st(C, c, ix, val, NULL));
  const tcc_buffer *ps[2] = {a, c};
  return cgb_func(C, "x_par", 2, ps, 0, NULL,
                  tcc_s_for(C, i, cgb_i(C, 0), cgb_i(C, 13), TCC_FOR_PARALLEL, inner));
}

/* 4 lanes, 64 elements: y = exp(x); hy = float(h) + 1 (float16 loads); mx = max(x, nx) with NaNs
 * (must propagate); hs = float16(x * 0.01) (float16 stores); r = floordiv(p, q) on int64. */
static tcc_primfunc *f_misc(void) {
  tcc_buffer *x = cgb_buf(C, "x", TCCRT_FLOAT32, 64), *y = cgb_buf(C, "y", TCCRT_FLOAT32, 64);
  tcc_buffer *h = cgb_buf(C, "h", TCCRT_FLOAT16, 64), *hy = cgb_buf(C, "hy", TCCRT_FLOAT32, 64);
  tcc_buffer *p = cgb_buf(C, "p", TCCRT_INT64, 64), *q = cgb_buf(C, "q", TCCRT_INT64, 64);
  tcc_buffer *r = cgb_buf(C, "r", TCCRT_INT64, 64);
  tcc_buffer *nx = cgb_buf(C, "nx", TCCRT_FLOAT32, 64), *mx = cgb_buf(C, "mx", TCCRT_FLOAT32, 64);
  tcc_buffer *hs = cgb_buf(C, "hs", TCCRT_FLOAT16, 64);
  tcc_var *io = tcc_var_new(C, "io", tcc_index_type()), *i = tcc_var_new(C, "i", tcc_index_type());
  const tcc_expr *idx = cgb_ramp(C, tcc_mul(C, cgb_v(C, io), cgb_i(C, 4)), 1, 4);
  const tcc_expr *vi = cgb_v(C, i);
  const tcc_stmt *s1 = tcc_s_for(
      C, io, cgb_i(C, 0), cgb_i(C, 16), TCC_FOR_SERIAL,
      cgb_seq(
          C, 4, cgb_st(C, y, idx, tcc_call1(C, TCC_INTRIN_EXP, cgb_ld(C, x, idx, NULL)), NULL),
          cgb_st(C, mx, idx, tcc_max(C, cgb_ld(C, x, idx, NULL), cgb_ld(C, nx, idx, NULL)), NULL),
          cgb_st(
              C, hs, idx,
              tcc_cast(C, tcc_type_of(TCCRT_FLOAT16, 4),
                       tcc_mul(C, cgb_ld(C, x, idx, NULL), tcc_broadcast(C, cgb_f32(C, 0.01), 4))),
              NULL),
          cgb_st(C, hy, idx,
                 tcc_add(C, tcc_cast(C, tcc_type_of(TCCRT_FLOAT32, 4), cgb_ld(C, h, idx, NULL)),
                         tcc_broadcast(C, cgb_f32(C, 1), 4)),
                 NULL)));
  const tcc_stmt *s2 = tcc_s_for(
      C, i, cgb_i(C, 0), cgb_i(C, 64), TCC_FOR_SERIAL,
      cgb_st(C, r, vi, tcc_floordiv(C, cgb_ld(C, p, vi, NULL), cgb_ld(C, q, vi, NULL)), NULL));
  const tcc_buffer *ps[10] = {x, y, h, hy, p, q, r, nx, mx, hs};
  return cgb_func(C, "x_misc", 10, ps, 0, NULL, cgb_seq(C, 2, s1, s2));
}

static const char *const driver_src =
    "#include <math.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n"
    "#include \"tccrt.h\"\n"
    "int32_t x_vadd(void *const *a, const int64_t *s);\n"
    "int32_t x_par(void *const *a, const int64_t *s);\n"
    "int32_t x_misc(void *const *a, const int64_t *s);\n"
    "static uint32_t st = 12345u;\n"
    "static float rnd(float lo, float hi) { st = st * 1664525u + 1013904223u;\n"
    "  return lo + (hi - lo) * (float)(st >> 8) / 16777216.0f; }\n"
    "static float h2f(uint16_t h) { int e = (h >> 10) & 31, m = h & 1023; float v;\n"
    "  if (e == 0) v = ldexpf((float)m, -24); else if (e == 31) v = m ? NAN : INFINITY;\n"
    "  else v = ldexpf((float)(m | 1024), e - 25); return (h & 0x8000) ? -v : v; }\n"
    "typedef int32_t (*kfn)(void *const *, const int64_t *);\n"
    "int32_t k_mm_f32(void *const *a, const int64_t *s);\n"
    "int32_t k_mm_i32(void *const *a, const int64_t *s);\n"
    "int32_t k_conv2d(void *const *a, const int64_t *s);\n"
    "int32_t k_pipeline(void *const *a, const int64_t *s);\n"
    "static const struct { const char *n; kfn f; } ks[] = {{\"k_mm_f32\", k_mm_f32},\n"
    "  {\"k_mm_i32\", k_mm_i32}, {\"k_conv2d\", k_conv2d}, {\"k_pipeline\", k_pipeline}};\n"
    "#include <stdlib.h>\n"
    "static int run_lowered(const char *path) { FILE *f = fopen(path, \"rb\"); int bad = 0;\n"
    "  int32_t nk; if (!f || fread(&nk, 4, 1, f) != 1) return 1000;\n"
    "  for (int k = 0; k < nk; k++) { char name[32]; int32_t hdr[3]; void *b[8]; int64_t el[8];\n"
    "    if (fread(name, 32, 1, f) != 1 || fread(hdr, 4, 3, f) != 3) return 1000;\n"
    "    for (int i = 0; i < hdr[0]; i++) { if (fread(&el[i], 8, 1, f) != 1) return 1000;\n"
    "      b[i] = malloc((size_t)el[i] * 4 + 64);\n"
    "      if (fread(b[i], 4, (size_t)el[i], f) != (size_t)el[i]) return 1000; }\n"
    "    size_t no = (size_t)el[hdr[1]]; void *want = malloc(no * 4);\n"
    "    if (fread(want, 4, no, f) != no) return 1000;\n"
    "    kfn fn = 0; for (size_t i = 0; i < sizeof ks / sizeof *ks; i++)\n"
    "      if (!strcmp(ks[i].n, name)) fn = ks[i].f;\n"
    "    if (!fn || fn(b, NULL)) { bad++; continue; }\n"
    "    int kb = 0; for (size_t i = 0; i < no; i++) { if (hdr[2] == 1) {\n"
    "        float g = ((float *)b[hdr[1]])[i], w = ((float *)want)[i];\n"
    "        if (!(fabsf(g - w) <= 1e-5f + 1e-4f * fabsf(w))) kb++;\n"
    "      } else if (((int32_t *)b[hdr[1]])[i] != ((int32_t *)want)[i]) kb++; }\n"
    "    if (kb) fprintf(stderr, \"%s: %d of %zu differ\\n\", name, kb, no);\n"
    "    bad += kb; }\n"
    "  fclose(f); return bad; }\n"
    "int main(int argc, char **argv) { int bad = 0;\n"
    "  if (argc > 1) bad += run_lowered(argv[1]);\n"
    "  static float a[1003], b[1003], c[1011];\n"
    "  for (int i = 0; i < 1003; i++) { a[i] = rnd(-9, 9); b[i] = rnd(-9, 9); }\n"
    "  for (int i = 0; i < 1011; i++) c[i] = -7.0f;\n"
    "  void *va[3] = {a, b, c}; int64_t n = 1003;\n"
    "  if (x_vadd(va, &n)) bad++;\n"
    "  for (int i = 0; i < 1003; i++) bad += c[i] != a[i] + b[i] * 2.0f;\n"
    "  for (int i = 1003; i < 1011; i++) bad += c[i] != -7.0f;\n"
    "  static float pa[13 * 37], pc[13 * 37];\n"
    "  for (int i = 0; i < 13 * 37; i++) pa[i] = rnd(-3, 3);\n"
    "  void *pv[2] = {pa, pc};\n"
    "  if (x_par(pv, NULL)) bad++;\n"
    "  for (int i = 0; i < 13; i++) for (int j = 0; j < 37; j++)\n"
    "    bad += pc[i * 37 + j] != pa[i * 37 + j] * 2 + (float)i;\n"
    "  float x[64], y[64], hy[64]; uint16_t h[64]; int64_t p[64], q[64], r[64];\n"
    "  for (int i = 0; i < 64; i++) { x[i] = rnd(-80, 80); h[i] = (uint16_t)(st >> 3);\n"
    "    if (((h[i] >> 10) & 31) == 31) h[i] = 0x3c00; p[i] = (int64_t)rnd(-1e6f, 1e6f);\n"
    "    q[i] = (int64_t)rnd(-50, 50); if (q[i] == 0) q[i] = 7; }\n"
    "  float nx[64], mx[64]; uint16_t hs[64];\n"
    "  for (int i = 0; i < 64; i++) nx[i] = i % 3 == 0 ? NAN : rnd(-80, 80);\n"
    "  x[5] = NAN;\n"
    "  void *mv[10] = {x, y, h, hy, p, q, r, nx, mx, hs};\n"
    "  if (x_misc(mv, NULL)) bad++;\n"
    "  for (int i = 0; i < 64; i++) {\n"
    "    double e = exp((double)x[i]); if (isnan(x[i]) ? !isnan(y[i]) : fabs(y[i] - e) > 3e-7 * e) "
    "bad++;\n"
    "    if (isnan(x[i]) || isnan(nx[i])) { if (!isnan(mx[i])) bad++; }\n"
    "    else if (mx[i] != fmaxf(x[i], nx[i])) bad++;\n"
    "    float hv = h2f(hs[i]), hw = x[i] * 0.01f;\n"
    "    if (isnan(x[i]) ? !isnan(hv) : fabsf(hv - hw) > 4.9e-4f * fabsf(hw) + 6e-8f) bad++;\n"
    "    if (hy[i] != h2f(h[i]) + 1.0f) bad++;\n"
    "    int64_t d = p[i] / q[i], m = p[i] % q[i]; if (m != 0 && ((m < 0) != (q[i] < 0))) d--;\n"
    "    if (r[i] != d) bad++; }\n"
    "  if (bad) { printf(\"FAIL %d (%s)\\n\", bad, tccrt_last_error()); return 1; }\n"
    "  printf(\"PASS threads=%d\\n\", tccrt_get_num_threads()); return 0; }\n";

static bool have_tool(const char *name) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
  return system(cmd) == 0;
}

int main(void) {
  tcc_test_seed("test_llvm_cross");
  C = tcc_context_create();
  const char *src = getenv("TCC_SOURCE_DIR");
  const char *wd = getenv("TCC_CROSS_WORKDIR");
  if (!src) src = ".";
  char wdir[512];
  snprintf(wdir, sizeof wdir, "%s", wd && *wd ? wd : "/tmp/tcc_cross");
  mkdir(wdir, 0755);
  char path[1024];
  snprintf(path, sizeof path, "%s/driver.c", wdir);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return tcc_test_finish("test_llvm_cross");
  fputs(driver_src, f);
  fclose(f);
  struct {
    const char *triple, *cc, *qemu, *sysroot;
  } targets[] = {
      {"x86_64-linux-gnu", "cc", NULL, NULL},
      {"aarch64-linux-gnu", "aarch64-linux-gnu-gcc", "qemu-aarch64", "/usr/aarch64-linux-gnu"},
      {"arm-linux-gnueabihf", "arm-linux-gnueabihf-gcc", "qemu-arm", "/usr/arm-linux-gnueabihf"},
  };
  /* the lowered kernels, their inputs and the interpreter's outputs */
  te_case cases[4];
  bool ok = tc_matmul(C, "k_mm_f32", TCCRT_FLOAT32, 19, 23, 17, &cases[0]) &&
            tc_matmul(C, "k_mm_i32", TCCRT_INT32, 13, 21, 11, &cases[1]) &&
            tc_conv2d(C, "k_conv2d", &cases[2]) && tc_pipeline(C, "k_pipeline", &cases[3]);
  CHECK_MSG(ok, "lowering the scheduled kernels failed: %s", tcc_error_text(C));
  if (!ok) return tcc_test_finish("test_llvm_cross");
  char datap[1024];
  snprintf(datap, sizeof datap, "%s/lowered.bin", wdir);
  FILE *df = fopen(datap, "wb");
  CHECK(df != NULL);
  if (!df) return tcc_test_finish("test_llvm_cross");
  int32_t nk = 4;
  fwrite(&nk, 4, 1, df);
  for (int k = 0; k < 4; k++) {
    te_case *tc = &cases[k];
    char name[32] = {0};
    snprintf(name, sizeof name, "%s", tc->fn->name);
    int32_t hdr[3] = {tc->nbufs, tc->out, tc->dtype == TCCRT_FLOAT32 ? 1 : 0};
    fwrite(name, 32, 1, df);
    fwrite(hdr, 4, 3, df);
    void *bufs[4];
    for (int b = 0; b < tc->nbufs; b++) {
      bufs[b] = calloc((size_t)tc->elems[b], 4);
      for (int64_t i = 0; i < tc->elems[b] && b != tc->out; i++) {
        if (tc->dtype == TCCRT_FLOAT32)
          ((float *)bufs[b])[i] = (float)tcc_test_uniform(-1, 1);
        else
          ((int32_t *)bufs[b])[i] = (int32_t)tcc_test_randint(-50, 50);
      }
      fwrite(&tc->elems[b], 8, 1, df);
      fwrite(bufs[b], 4, (size_t)tc->elems[b], df);
    }
    CHECK_MSG(tcc_interp_run(C, tc->fn, bufs, NULL) == TCC_OK, "interp %s: %s", name,
              tcc_error_text(C));
    fwrite(bufs[tc->out], 4, (size_t)tc->elems[tc->out], df);
    for (int b = 0; b < tc->nbufs; b++)
      free(bufs[b]);
  }
  fclose(df);
  int ran = 0;
  for (size_t k = 0; k < sizeof targets / sizeof *targets; k++) {
    const char *T = targets[k].triple;
    if (strncmp(T, "x86_64", 6) == 0 && strncmp(tcc_llvm_host_triple(), "x86_64", 6) != 0) continue;
    if (!have_tool(targets[k].cc) || (targets[k].qemu && !have_tool(targets[k].qemu))) {
      printf("SKIP %s: %s or %s not installed\n", T, targets[k].cc,
             targets[k].qemu ? targets[k].qemu : "-");
      continue;
    }
    tcc_llvm_target t = {.triple = T};
    tcc_llvm_module *m;
    CHECK(tcc_llvm_module_create(C, &t, "cross", &m) == TCC_OK);
    CHECK(tcc_llvm_add_primfunc(m, f_vadd(), NULL) == TCC_OK);
    CHECK(tcc_llvm_add_primfunc(m, f_par(), NULL) == TCC_OK);
    CHECK(tcc_llvm_add_primfunc(m, f_misc(), NULL) == TCC_OK);
    for (int c = 0; c < 4; c++)
      CHECK(tcc_llvm_add_primfunc(m, cases[c].fn, NULL) == TCC_OK);
    char obj[1024], exe[1024], cmd[4096];
    snprintf(obj, sizeof obj, "%s/%s.o", wdir, T);
    snprintf(exe, sizeof exe, "%s/%s.exe", wdir, T);
    tcc_status st = tcc_llvm_emit_file(m, TCC_LLVM_OBJECT, obj);
    CHECK_MSG(st == TCC_OK, "%s: %s", T, tcc_error_text(C));
    tcc_llvm_module_destroy(m);
    if (st != TCC_OK) continue;
    snprintf(cmd, sizeof cmd,
             "%s -O1 -std=gnu11 -I%s/runtime/include -o %s %s/driver.c %s "
             "%s/runtime/src/*.c -lm -lpthread",
             targets[k].cc, src, exe, wdir, obj, src);
    int rc = system(cmd);
    CHECK_MSG(rc == 0, "%s: link failed: %s", T, cmd);
    if (rc != 0) continue;
    if (targets[k].qemu)
      snprintf(cmd, sizeof cmd, "TCCRT_NUM_THREADS=2 %s -L %s %s %s", targets[k].qemu,
               targets[k].sysroot, exe, datap);
    else
      snprintf(cmd, sizeof cmd, "TCCRT_NUM_THREADS=2 %s %s", exe, datap);
    FILE *p = popen(cmd, "r");
    char out[256] = "";
    if (p && !fgets(out, sizeof out, p)) out[0] = '\0';
    rc = p ? pclose(p) : -1;
    printf("%s: %s", T, out);
    CHECK_MSG(rc == 0 && strncmp(out, "PASS", 4) == 0, "%s: driver said '%s' (rc %d)", T, out, rc);
    CHECK_MSG(strstr(out, "threads=2") != NULL, "%s: TCCRT_NUM_THREADS=2 not honoured: '%s'", T,
              out);
    ran++;
  }
  tcc_context_destroy(C);
  if (ran == 0) {
    printf("SKIP: no target toolchain available\n");
    return 77;
  }
  return tcc_test_finish("test_llvm_cross");
}
