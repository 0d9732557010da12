/* test_executor.c — the AOT executor (codegen/aot/executor.c) with hand-written loop-IR kernels:
 * arena offsets, weights in read-only data, output copies, metadata, the workspace pool under
 * concurrent calls, and the object linked by the system C compiler into a program together with
 * a second model (symbols carry the model name; undefined symbols only tccrt_*, mem*, libm).
 * The expected values are computed by plain C in this file. */
#include "aot/executor.h"
#include "testutil.h"
#include "tir.h"

#include "llvm/llvm_codegen.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 37

/* out[i] = a[i] OP b[i] over N float32 elements; op 0 = add, 1 = mul. */
static tcc_primfunc *binary_kernel(tcc_context *ctx, const char *name, int op) {
  const tcc_expr *shape[1] = {tcc_idx(ctx, N)};
  const tcc_buffer *A = tcc_buffer_new(ctx, "a", TCCRT_FLOAT32, 1, shape, TCC_SCOPE_GLOBAL);
  const tcc_buffer *B = tcc_buffer_new(ctx, "b", TCCRT_FLOAT32, 1, shape, TCC_SCOPE_GLOBAL);
  const tcc_buffer *C = tcc_buffer_new(ctx, "c", TCCRT_FLOAT32, 1, shape, TCC_SCOPE_GLOBAL);
  tcc_var *i = tcc_var_new(ctx, "i", tcc_index_type());
  const tcc_expr *idx[1] = {tcc_expr_var(ctx, i)};
  const tcc_expr *la = tcc_load(ctx, A, 1, idx, NULL), *lb = tcc_load(ctx, B, 1, idx, NULL);
  const tcc_expr *v = op == 0 ? tcc_add(ctx, la, lb) : tcc_mul(ctx, la, lb);
  const tcc_stmt *body = tcc_s_for(ctx, i, tcc_idx(ctx, 0), tcc_idx(ctx, N), TCC_FOR_SERIAL,
                                   tcc_s_store(ctx, C, 1, idx, v, NULL));
  tcc_primfunc *fn = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *fn);
  const tcc_buffer **params = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(void *) * 3);
  params[0] = A;
  params[1] = B;
  params[2] = C;
  fn->name = name;
  fn->nparams = 3;
  fn->params = params;
  fn->body = body;
  return fn;
}

static float weights_w[N];

/* DLPack's DLTensor (dlpack.h), declared here as a caller would see it. */
typedef struct dl_tensor {
  void *data;
  struct {
    int32_t device_type, device_id;
  } device;
  int32_t ndim;
  struct {
    uint8_t code, bits;
    uint16_t lanes;
  } dtype;
  int64_t *shape, *strides;
  uint64_t byte_offset;
} dl_tensor;

/* Model NAME: t = x + w (arena), y0 = t * x, y1 = copy of x (an input listed as output). */
static tcc_llvm_module *build_model(tcc_context *ctx, const char *name, size_t *ws_size) {
  tcc_llvm_module *m;
  tcc_llvm_target t = {0};
  t.opt_level = 2;
  t.opt_level_set = true;
  if (tcc_llvm_module_create(ctx, &t, name, &m) != TCC_OK) return NULL;
  tcc_arena *a = tcc_ctx_arena(ctx);
  const char *k0 = tcc_arena_printf(a, "%s_k0", name), *k1 = tcc_arena_printf(a, "%s_k1", name);
  CHECK(tcc_llvm_add_primfunc(m, binary_kernel(ctx, k0, 0), NULL) == TCC_OK);
  CHECK(tcc_llvm_add_primfunc(m, binary_kernel(ctx, k1, 1), NULL) == TCC_OK);
  static tcc_aot_arg a0[3] = {
      {TCC_AOT_ARG_INPUT, 0, 0}, {TCC_AOT_ARG_CONST, 0, 64}, {TCC_AOT_ARG_ARENA, 0, 128}};
  static tcc_aot_arg a1[3] = {
      {TCC_AOT_ARG_ARENA, 0, 128}, {TCC_AOT_ARG_INPUT, 0, 0}, {TCC_AOT_ARG_OUTPUT, 0, 0}};
  static tcc_aot_arg a2[2] = {{TCC_AOT_ARG_OUTPUT, 1, 0}, {TCC_AOT_ARG_INPUT, 0, 0}};
  tcc_aot_step *steps = tcc_arena_alloc(a, sizeof(tcc_aot_step) * 3);
  steps[0] = (tcc_aot_step){TCC_AOT_STEP_CALL, k0, 3, a0, 0, NULL, 0};
  steps[1] = (tcc_aot_step){TCC_AOT_STEP_CALL, k1, 3, a1, 0, NULL, 0};
  steps[2] = (tcc_aot_step){TCC_AOT_STEP_COPY, NULL, 2, a2, 0, NULL, N * 4};
  static uint8_t blob[64 + N * 4];
  memset(blob, 0xab, 64); /* the weights start at offset 64: the executor must add it */
  memcpy(blob + 64, weights_w, sizeof weights_w);
  static tcc_aot_tensor_desc ins[1], outs[2];
  ins[0] = (tcc_aot_tensor_desc){"x", TCCRT_FLOAT32, 2, {1, N}, N * 4};
  outs[0] = (tcc_aot_tensor_desc){"y", TCCRT_FLOAT32, 1, {N}, N * 4};
  outs[1] = (tcc_aot_tensor_desc){"x_copy", TCCRT_FLOAT32, 1, {N}, N * 4};
  tcc_aot_executor ex = {name, 1, 2, ins, outs, 3, steps, 128 + 192, blob, sizeof blob, 4};
  *ws_size = ex.workspace_size;
  CHECK(tcc_aot_emit_executor(ctx, tcc_llvm_module_ref(m), &ex) == TCC_OK);
  return m;
}

static void reference(const float *x, float *y) {
  for (int i = 0; i < N; i++)
    y[i] = (x[i] + weights_w[i]) * x[i];
}

typedef int (*run_fn)(const void *const *, void *const *);
typedef struct thread_arg {
  run_fn run;
  int seed;
  int bad;
} thread_arg;

static void *hammer(void *p) {
  thread_arg *t = p;
  for (int it = 0; it < 200; it++) {
    float x[N], y[N], c[N], ref[N];
    for (int i = 0; i < N; i++)
      x[i] = (float)((t->seed * 31 + it * 7 + i) % 97) * 0.25f;
    const void *in[1] = {x};
    void *out[2] = {y, c};
    if (t->run(in, out) != 0) t->bad++;
    reference(x, ref);
    for (int i = 0; i < N; i++)
      if (y[i] != ref[i] || c[i] != x[i]) t->bad++;
  }
  return NULL;
}

static void test_jit(void) {
  tcc_context *ctx = tcc_context_create();
  size_t ws;
  tcc_llvm_module *m = build_model(ctx, "netA", &ws);
  CHECK(m != NULL);
  if (!m) return;
  void *obj;
  size_t size;
  CHECK(tcc_llvm_emit_memory(m, TCC_LLVM_OBJECT, &obj, &size) == TCC_OK);
  tcc_llvm_jit *j;
  CHECK(tcc_llvm_jit_create(ctx, &j) == TCC_OK);
  CHECK(tcc_llvm_jit_add_object(j, obj, size) == TCC_OK);
  free(obj);
  void *run = NULL, *rww = NULL, *info = NULL;
  CHECK(tcc_llvm_jit_lookup(j, "netA_run", &run) == TCC_OK);
  CHECK(tcc_llvm_jit_lookup(j, "netA_run_with_workspace", &rww) == TCC_OK);
  CHECK(tcc_llvm_jit_lookup(j, "netA_info", &info) == TCC_OK);
  if (!run || !rww || !info) {
    fprintf(stderr, "%s\n", tcc_error_text(ctx));
    return;
  }
  const tccrt_model_info *mi = ((const tccrt_model_info *(*)(void))info)();
  CHECK(!strcmp(mi->name, "netA"));
  CHECK(mi->num_inputs == 1 && mi->num_outputs == 2);
  CHECK(!strcmp(mi->inputs[0].name, "x") && mi->inputs[0].dtype == TCCRT_FLOAT32);
  CHECK(mi->inputs[0].ndim == 2 && mi->inputs[0].shape[0] == 1 && mi->inputs[0].shape[1] == N);
  CHECK(mi->inputs[0].size_bytes == N * 4);
  CHECK(!strcmp(mi->outputs[1].name, "x_copy") && mi->outputs[1].ndim == 1);
  CHECK(mi->workspace_size == ws);

  /* With a caller workspace. */
  float x[N], y[N], c[N], ref[N];
  for (int i = 0; i < N; i++)
    x[i] = (float)tcc_test_uniform(-4, 4);
  void *wsbuf = aligned_alloc(64, ws);
  const void *in[1] = {x};
  void *out[2] = {y, c};
  CHECK(((int (*)(const void *const *, void *const *, void *))rww)(in, out, wsbuf) == 0);
  reference(x, ref);
  for (int i = 0; i < N; i++) {
    CHECK(y[i] == ref[i]);
    CHECK(c[i] == x[i]);
  }
  free(wsbuf);
  /* The pooled entry, from 8 threads at once (pool of 4 slots: the rest fall back). */
  pthread_t th[8];
  thread_arg ta[8];
  for (int t = 0; t < 8; t++) {
    ta[t] = (thread_arg){(run_fn)run, t, 0};
    pthread_create(&th[t], NULL, hammer, &ta[t]);
  }
  for (int t = 0; t < 8; t++) {
    pthread_join(th[t], NULL);
    CHECK_MSG(ta[t].bad == 0, "thread %d: %d wrong results", t, ta[t].bad);
  }
  /* The DLPack entry. */
  void *dl = NULL;
  CHECK(tcc_llvm_jit_lookup(j, "netA_run_dltensor", &dl) == TCC_OK);
  if (dl) {
    int64_t xs[2] = {1, N}, ys[1] = {N}, xstr[2] = {N, 1};
    uint8_t pad[16 + N * 4];
    memcpy(pad + 16, x, sizeof x);
    dl_tensor tx = {pad, {1, 0}, 2, {2, 32, 1}, xs, xstr, 16};
    dl_tensor ty = {y, {1, 0}, 1, {2, 32, 1}, ys, NULL, 0};
    dl_tensor tc = {c, {1, 0}, 1, {2, 32, 1}, ys, NULL, 0};
    const dl_tensor *din[1] = {&tx};
    dl_tensor *dout[2] = {&ty, &tc};
    memset(y, 0, sizeof y);
    typedef int (*dl_fn)(const dl_tensor *const *, dl_tensor *const *);
    CHECK(((dl_fn)dl)(din, dout) == 0);
    for (int i = 0; i < N; i++)
      CHECK(y[i] == ref[i] && c[i] == x[i]);
    /* Wrong shape, dtype, device, non-compact strides: refused with a message. */
    int64_t bad_shape[2] = {1, N + 1}, bad_str[2] = {N, 2};
    dl_tensor wrong[4] = {tx, tx, tx, tx};
    wrong[0].shape = bad_shape;
    wrong[1].dtype.bits = 64;
    wrong[2].device.device_type = 2;
    wrong[3].strides = bad_str;
    for (int k = 0; k < 4; k++) {
      const dl_tensor *win[1] = {&wrong[k]};
      CHECK_MSG(((dl_fn)dl)(win, dout) == TCCRT_ERR_INVALID_ARGUMENT, "case %d", k);
      CHECK(strstr(tccrt_last_error(), "netA_run_dltensor: input 0 must be a dense CPU DLTensor "
                                       "of float32 [1, 37]") != NULL);
    }
  }
  tcc_llvm_jit_destroy(j);
  tcc_llvm_module_destroy(m);
  tcc_context_destroy(ctx);
}

/* Two models in one program, linked by the system C compiler with libtccrt.a. */
static void test_link(void) {
  const char *lib = getenv("TCCRT_LIB");
  if (!lib || access(lib, R_OK) != 0) {
    fprintf(stderr, "TCCRT_LIB not set: skipping the link test\n");
    return;
  }
  char dir[] = "/tmp/tcc-aot-test-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  const char *names[2] = {"netA", "netB"};
  for (int k = 0; k < 2; k++) {
    tcc_context *ctx = tcc_context_create();
    size_t ws;
    tcc_llvm_module *m = build_model(ctx, names[k], &ws);
    char path[256];
    snprintf(path, sizeof path, "%s/%s.o", dir, names[k]);
    CHECK(m && tcc_llvm_emit_file(m, TCC_LLVM_OBJECT, path) == TCC_OK);
    if (m) tcc_llvm_module_destroy(m);
    tcc_context_destroy(ctx);
  }
  char cmd[2048];
  /* Undefined symbols: only tccrt_*, mem* and libm. */
  snprintf(cmd, sizeof cmd,
           "nm -u %s/netA.o | awk '{print $2}' | grep -v -E '^(tccrt_|mem)' | grep -v -E "
           "'^(exp|log|sqrt|tanh|erf|pow|floor|ceil|round|trunc|fabs|nearbyint|sin|cos|tan)f?$' "
           "> %s/undef.txt; test ! -s %s/undef.txt",
           dir, dir, dir);
  CHECK_MSG(system(cmd) == 0, "unexpected undefined symbols, see %s/undef.txt", dir);
  snprintf(cmd, sizeof cmd, "%s/main.c", dir);
  FILE *f = fopen(cmd, "w");
  fprintf(f,
          "#include <stdio.h>\n#include \"tccrt.h\"\n"
          "int netA_run(const void *const *, void *const *);\n"
          "int netB_run(const void *const *, void *const *);\n"
          "const tccrt_model_info *netA_info(void);\n"
          "int main(void) {\n"
          "  float x[%d], y[%d], c[%d], y2[%d], c2[%d];\n"
          "  for (int i = 0; i < %d; i++) x[i] = i * 0.5f;\n"
          "  const void *in[1] = {x}; void *o1[2] = {y, c}; void *o2[2] = {y2, c2};\n"
          "  if (netA_run(in, o1) || netB_run(in, o2)) return 2;\n"
          "  for (int i = 0; i < %d; i++) if (y[i] != y2[i] || c[i] != x[i]) return 3;\n"
          "  printf(\"%%.6f %%s\\n\", y[5], netA_info()->name);\n  return 0;\n}\n",
          N, N, N, N, N, N, N);
  fclose(f);
  const char *src = getenv("TCC_SOURCE_DIR");
  snprintf(cmd, sizeof cmd,
           "cc -o %s/main %s/main.c %s/netA.o %s/netB.o -I%s/runtime/include %s -lm -lpthread && "
           "%s/main > %s/out.txt",
           dir, dir, dir, dir, src ? src : ".", lib, dir, dir);
  CHECK_MSG(system(cmd) == 0, "link or run failed: %s", cmd);
  snprintf(cmd, sizeof cmd, "%s/out.txt", dir);
  f = fopen(cmd, "r");
  char line[128] = "";
  if (f) {
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    fclose(f);
  }
  float x5 = 2.5f, expect = (x5 + weights_w[5]) * x5;
  char want[128];
  snprintf(want, sizeof want, "%.6f netA\n", expect);
  CHECK_MSG(!strcmp(line, want), "program printed '%s', expected '%s'", line, want);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
}

int main(void) {
  tcc_test_seed("test_executor");
  for (int i = 0; i < N; i++)
    weights_w[i] = (float)tcc_test_uniform(-2, 2);
  test_jit();
  test_link();
  return tcc_test_finish("test_executor");
}
