/* cmd_test.c — `tcc-ml test [--aot] PATH...`: the conformance runner for folders in the ONNX
 * backend-test layout (model.onnx, test_data_set_N/input_K.pb, output_K.pb).
 *
 * Each test runs in a forked child with a time limit (alarm) and a memory limit (RLIMIT_AS), so a
 * crash or a hang is a FAIL for that test only. JIT mode (default) compiles the model for the host
 * into one object and loads that very object into LLVM's ORC JIT; --aot compiles the object to a
 * file, links it with libtccrt.a and a generated driver through the system C compiler, runs the
 * program and compares the outputs it writes. Floats compare with rtol 1e-3, atol 1e-7 (the ONNX
 * runner's), integers and bools exactly, NaN matches NaN. One line per test, PASS, FAIL (first
 * mismatching index, expected and actual values) or SKIP (reason); then "N passed, N failed,
 * N skipped". Exit status 1 when a test fails (with --known-failures FILE: when a test not listed
 * fails or a listed test passes). */
#include "commands.h"
#include "tool_common.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct test_opts {
  bool aot;
  int timeout_s;
  long mem_mb;
  double rtol, atol;
  const char *cc;
  const char *runtime_lib;
  const char *keep_dir;
  const char *triple; /* --aot --target: cross-compile */
  const char *exec;   /* --exec: command prefix running the program (qemu-user) */
} test_opts;

static bool is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}
static bool is_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The model file of a test folder: model.onnx, else the first *.onnx; NULL if none. */
static char *find_model(const char *dir) {
  char p[4096];
  snprintf(p, sizeof p, "%s/model.onnx", dir);
  if (is_file(p)) return strdup(p);
  DIR *d = opendir(dir);
  if (!d) return NULL;
  struct dirent *e;
  char *best = NULL;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n > 5 && !strcmp(e->d_name + n - 5, ".onnx")) {
      if (!best || strcmp(e->d_name, best) < 0) {
        free(best);
        best = strdup(e->d_name);
      }
    }
  }
  closedir(d);
  if (!best) return NULL;
  snprintf(p, sizeof p, "%s/%s", dir, best);
  free(best);
  return strdup(p);
}

typedef struct strlist {
  char **v;
  int n, cap;
} strlist;
static void sl_push(strlist *l, char *s) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->v = realloc(l->v, sizeof(char *) * (size_t)l->cap);
  }
  l->v[l->n++] = s;
}

static void collect(const char *path, strlist *tests) {
  char *m = find_model(path);
  if (m) {
    free(m);
    sl_push(tests, strdup(path));
    return;
  }
  DIR *d = opendir(path);
  if (!d) return;
  strlist subs = {0};
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", path, e->d_name);
    if (is_dir(p)) sl_push(&subs, strdup(p));
  }
  closedir(d);
  qsort(subs.v, (size_t)subs.n, sizeof(char *), cmp_str);
  for (int i = 0; i < subs.n; i++) {
    char *mm = find_model(subs.v[i]);
    if (mm)
      sl_push(tests, subs.v[i]);
    else
      free(subs.v[i]);
    free(mm);
  }
  free(subs.v);
}

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* Data sets test_data_set_N in numeric order. */
static int data_sets(const char *dir, int **out) {
  int n = 0, cap = 8;
  int *v = malloc(sizeof(int) * (size_t)cap);
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      int k;
      char tail;
      if (sscanf(e->d_name, "test_data_set_%d%c", &k, &tail) == 1) {
        if (n == cap) v = realloc(v, sizeof(int) * (size_t)(cap *= 2));
        v[n++] = k;
      }
    }
    closedir(d);
  }
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
      int t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  *out = v;
  return n;
}

/* Reads the files prefix_0.pb, prefix_1.pb ... of a data set. */
static int read_set(tcc_context *ctx, const char *dir, int set, const char *prefix,
                    tcc_host_tensor **out) {
  int n = 0;
  tcc_host_tensor *v = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_host_tensor) * 64);
  for (int k = 0; k < 64; k++) {
    char p[4096];
    snprintf(p, sizeof p, "%s/test_data_set_%d/%s_%d.pb", dir, set, prefix, k);
    if (!is_file(p)) break;
    if (tcc_tool_read_tensor(ctx, p, &v[n]) != TCC_OK) return -1;
    n++;
  }
  *out = v;
  return n;
}

/* Is a compile error an unsupported feature (SKIP) rather than a wrong result (FAIL)? */
static bool is_unsupported(const char *msg) {
  return strstr(msg, "unsupported operator") || strstr(msg, "has no tensor-expression compute") ||
         strstr(msg, "has no shape inference") || strstr(msg, "not supported") ||
         strstr(msg, "unsupported dtype") || strstr(msg, "only tensors are supported");
}

/* Result of a child, written to the pipe: "PASS", "FAIL msg" or "SKIP msg". */
static void report(int fd, const char *kind, const char *msg) {
  char buf[2048];
  int n = snprintf(buf, sizeof buf, "%s%s%s", kind, msg ? " " : "", msg ? msg : "");
  for (int i = 0; i < n && i < (int)sizeof buf; i++)
    if (buf[i] == '\n') buf[i] = ' ';
  if (write(fd, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1)) < 0) _exit(3);
}

static const char *exe_dir(void) {
  static char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = 0;
  char *s = strrchr(buf, '/');
  if (s) *s = 0;
  return buf;
}

static const char *ctype(tccrt_dtype dt) {
  (void)dt;
  return "unsigned char";
}

static bool write_file(const char *p, const void *d, size_t n) {
  FILE *f = fopen(p, "wb");
  if (!f) return false;
  bool ok = fwrite(d, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

/* --aot: link the object with libtccrt.a and a generated driver; run it on raw input files. */
static int run_aot(tcc_context *ctx, const test_opts *o, const char *tmp, tcc_aot_model *m,
                   const char *name, int nin, const void *const *ins, const size_t *in_sizes,
                   int nout, void *const *outs, const size_t *out_sizes, char *msg, size_t ml) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  const char *obj = tcc_arena_printf(a, "%s/%s.o", tmp, name);
  if (tcc_aot_emit_file(m, TCC_AOT_OBJECT, obj) != TCC_OK) {
    snprintf(msg, ml, "emit: %s", tcc_error_text(ctx));
    return 1;
  }
  if (tcc_aot_write_header(m, tcc_arena_printf(a, "%s/%s.h", tmp, name)) != TCC_OK) {
    snprintf(msg, ml, "header: %s", tcc_error_text(ctx));
    return 1;
  }
  const char *drv = tcc_arena_printf(a, "%s/driver.c", tmp);
  FILE *f = fopen(drv, "w");
  if (!f) {
    snprintf(msg, ml, "cannot write %s", drv);
    return 1;
  }
  fprintf(f, "#include <stdio.h>\n#include <stdlib.h>\n");
  fprintf(f, "extern int %s_run(const void *const in[], void *const out[]);\n", name);
  fprintf(f, "static const unsigned long in_size[] = {");
  for (int i = 0; i < nin; i++)
    fprintf(f, "%zuul, ", in_sizes[i]);
  fprintf(f, "0};\nstatic const unsigned long out_size[] = {");
  for (int i = 0; i < nout; i++)
    fprintf(f, "%zuul, ", out_sizes[i]);
  fprintf(f, "0};\n");
  fprintf(f,
          "int main(int argc, char **argv) {\n"
          "  (void)argc;\n"
          "  %s *in[%d + 1], *out[%d + 1];\n"
          "  for (int i = 0; i < %d; i++) {\n"
          "    in[i] = malloc(in_size[i] + 1);\n"
          "    FILE *f = fopen(argv[1 + i], \"rb\");\n"
          "    if (!f || fread(in[i], 1, in_size[i], f) != in_size[i]) return 3;\n"
          "    fclose(f);\n  }\n"
          "  for (int i = 0; i < %d; i++) out[i] = malloc(out_size[i] + 1);\n"
          "  int r = %s_run((const void *const *)in, (void *const *)out);\n"
          "  if (r) { fprintf(stderr, \"%s_run failed: %%d\\n\", r); return 4; }\n"
          "  for (int i = 0; i < %d; i++) {\n"
          "    FILE *f = fopen(argv[1 + %d + i], \"wb\");\n"
          "    if (!f || fwrite(out[i], 1, out_size[i], f) != out_size[i]) return 5;\n"
          "    fclose(f);\n  }\n  return 0;\n}\n",
          ctype(TCCRT_UINT8), nin, nout, nin, nout, name, name, nout, nin);
  fclose(f);
  const char *lib = o->runtime_lib;
  const char *exe = tcc_arena_printf(a, "%s/driver", tmp);
  /* The runtime: a library path, or compiler arguments (e.g. its C sources for a cross target). */
  const char *cmd = tcc_arena_printf(a, "%s -O1 -o '%s' '%s' '%s' %s -lm -lpthread 2>'%s/cc.log'",
                                     o->cc, exe, drv, obj, lib, tmp);
  if (system(cmd) != 0) {
    snprintf(msg, ml, "linking with %s failed (see %s/cc.log)", o->cc, tmp);
    return 1;
  }
  char *run = tcc_arena_printf(a, "%s '%s'", o->exec ? o->exec : "", exe);
  for (int i = 0; i < nin; i++) {
    const char *p = tcc_arena_printf(a, "%s/in%d.bin", tmp, i);
    if (!write_file(p, ins[i], in_sizes[i])) {
      snprintf(msg, ml, "cannot write %s", p);
      return 1;
    }
    run = tcc_arena_printf(a, "%s '%s'", run, p);
  }
  for (int i = 0; i < nout; i++)
    run = tcc_arena_printf(a, "%s '%s/out%d.bin'", run, tmp, i);
  int st = system(run);
  if (st != 0) {
    snprintf(msg, ml, "the linked program failed (status %d)", st);
    return 1;
  }
  for (int i = 0; i < nout; i++) {
    const char *p = tcc_arena_printf(a, "%s/out%d.bin", tmp, i);
    FILE *fi = fopen(p, "rb");
    if (!fi || fread(outs[i], 1, out_sizes[i], fi) != out_sizes[i]) {
      if (fi) fclose(fi);
      snprintf(msg, ml, "cannot read %s", p);
      return 1;
    }
    fclose(fi);
  }
  return 0;
}

static void rm_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

/* Should input `t` (named `name`) be bound to a constant after a "not constant" error? Inputs the
 * error names, small integer tensors (shapes, pads, axes, counts) and float scalars / short
 * vectors (Range bounds, Resize scales). */
static bool should_bind(const char *err, const char *name, const tcc_host_tensor *t) {
  char quoted[512];
  snprintf(quoted, sizeof quoted, "'%s')", name);
  if (strstr(err, quoted)) return true;
  size_t es = tccrt_dtype_size(t->dtype), ne = es ? t->nbytes / es : 0;
  bool is_int = t->dtype == TCCRT_INT64 || t->dtype == TCCRT_INT32;
  bool is_flt = t->dtype == TCCRT_FLOAT32 || t->dtype == TCCRT_FLOAT64 ||
                t->dtype == TCCRT_FLOAT16 || t->dtype == TCCRT_BFLOAT16;
  return (is_int && ne <= 64 && t->ndim <= 1) || (is_flt && ne <= 8 && t->ndim <= 1);
}

typedef struct compiled {
  tcc_jit_model jm;
  tcc_aot_model *am;
  const tcc_graph *g;
} compiled;

/* Compiles the model with input shapes from `ins` (by position in the original input list) and,
 * when `bind`, the inputs should_bind picks bound to their data. */
static tcc_status compile_test(tcc_context *ctx, const test_opts *o, const char *model, int norig,
                               const char *const *orig_names, int ni, const tcc_host_tensor *ins,
                               bool bind, const char *bind_err, compiled *c) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  memset(c, 0, sizeof *c);
  tcc_input_shape *shapes = tcc_arena_alloc(a, sizeof(tcc_input_shape) * (size_t)(norig + 1));
  const char **bnames = tcc_arena_alloc(a, sizeof(char *) * (size_t)(norig + 1));
  tcc_host_tensor *bvals = tcc_arena_alloc(a, sizeof(tcc_host_tensor) * (size_t)(norig + 1));
  int nshapes = 0, nbind = 0;
  for (int k = 0; k < norig && k < ni; k++) {
    if (bind && should_bind(bind_err, orig_names[k], &ins[k])) {
      bnames[nbind] = orig_names[k];
      bvals[nbind++] = ins[k];
      continue;
    }
    shapes[nshapes].name = orig_names[k];
    shapes[nshapes].ndim = ins[k].ndim;
    memcpy(shapes[nshapes].dims, ins[k].dims, sizeof(int64_t) * (size_t)ins[k].ndim);
    nshapes++;
  }
  if (o->aot) {
    tcc_import_options io = {0};
    io.ninput_shapes = nshapes;
    io.input_shapes = shapes;
    tcc_graph *g;
    TCC_TRY(tcc_onnx_import_file(ctx, model, &io, &g));
    for (int i = 0; i < nbind; i++)
      TCC_TRY(tcc_tool_bind_input(ctx, g, bnames[i], &bvals[i]));
    tcc_aot_options ao = {"model", o->triple, NULL, 3, true};
    TCC_TRY(tcc_aot_compile(ctx, g, &ao, &c->am));
    c->g = tcc_aot_graph(c->am);
    return TCC_OK;
  }
  TCC_TRY(tcc_tool_jit_compile(ctx, model, nshapes, shapes, nbind, bnames, bvals, "model", &c->jm));
  c->g = tcc_aot_graph(c->jm.aot);
  return TCC_OK;
}

static bool same_shapes(int n, const tcc_host_tensor *a, const tcc_host_tensor *b) {
  for (int k = 0; k < n; k++) {
    if (a[k].ndim != b[k].ndim || a[k].dtype != b[k].dtype) return false;
    for (int d = 0; d < a[k].ndim; d++)
      if (a[k].dims[d] != b[k].dims[d]) return false;
  }
  return true;
}

/* The child: compile, run every data set, compare; reports on fd. */
static int child_main(const char *dir, const test_opts *o, int fd) {
  tcc_context *ctx = tcc_context_create();
  tcc_arena *a = tcc_ctx_arena(ctx);
  char msg[1536];
  char *model = find_model(dir);
  int *sets;
  int nsets = data_sets(dir, &sets);
  if (nsets == 0) {
    report(fd, "SKIP", "no test_data_set_N folder");
    return 2;
  }
  tcc_graph *g0;
  if (tcc_onnx_import_file(ctx, model, NULL, &g0) != TCC_OK) {
    const char *e = tcc_error_text(ctx);
    snprintf(msg, sizeof msg, "import: %s", e);
    report(fd, is_unsupported(e) ? "SKIP" : "FAIL", msg);
    return 1;
  }
  int norig = (int)g0->inputs.len;
  const char **orig_names = tcc_arena_alloc(a, sizeof(char *) * (size_t)(norig + 1));
  for (int k = 0; k < norig; k++)
    orig_names[k] = TCC_GRAPH_INPUT(g0, k)->name;
  compiled c = {0};
  bool have = false, bind = false;
  const char *bind_err = "";
  tcc_host_tensor *prev = NULL;
  int nprev = 0;
  char *tmp = NULL;
  for (int s = 0; s < nsets; s++) {
    tcc_host_tensor *ins, *exps;
    int ni = read_set(ctx, dir, sets[s], "input", &ins);
    int ne = ni < 0 ? -1 : read_set(ctx, dir, sets[s], "output", &exps);
    if (ni < 0 || ne < 0) {
      const char *e = tcc_error_text(ctx);
      snprintf(msg, sizeof msg, "data set %d: %s", sets[s], e);
      report(fd, is_unsupported(e) ? "SKIP" : "FAIL", msg);
      return 1;
    }
    if (!have || bind || ni != nprev || !same_shapes(ni, ins, prev)) {
      if (have && c.jm.jit) tcc_tool_jit_free(&c.jm);
      tcc_status st = compile_test(ctx, o, model, norig, orig_names, ni, ins, bind, bind_err, &c);
      if (st != TCC_OK && !bind &&
          (strstr(tcc_error_text(ctx), "not constant") ||
           strstr(tcc_error_text(ctx), "needs a constant"))) {
        /* Data-dependent output shapes: specialize on this data set's shape inputs. */
        bind = true;
        bind_err = tcc_arena_strdup(a, tcc_error_text(ctx));
        tcc_error_clear(ctx);
        st = compile_test(ctx, o, model, norig, orig_names, ni, ins, bind, bind_err, &c);
      }
      if (st != TCC_OK) {
        const char *e = tcc_error_text(ctx);
        snprintf(msg, sizeof msg, "compile: %s", e);
        report(fd, is_unsupported(e) ? "SKIP" : "FAIL", msg);
        return 1;
      }
      have = true;
      prev = ins;
      nprev = ni;
    }
    const tcc_graph *g = c.g;
    int nin = (int)g->inputs.len, nout = (int)g->outputs.len;
    const void **ip = tcc_arena_alloc(a, sizeof(void *) * (size_t)(nin + 1));
    size_t *isz = tcc_arena_alloc(a, sizeof(size_t) * (size_t)(nin + 1));
    void **op = tcc_arena_alloc(a, sizeof(void *) * (size_t)(nout + 1));
    size_t *osz = tcc_arena_alloc(a, sizeof(size_t) * (size_t)(nout + 1));
    for (int k = 0; k < nin; k++) {
      const tcc_value *v = TCC_GRAPH_INPUT(g, k);
      int64_t numel = tcc_value_numel(v);
      isz[k] = (size_t)(numel < 0 ? 0 : numel) * tccrt_dtype_size(v->dtype);
      int from = -1;
      for (int q = 0; q < norig; q++)
        if (!strcmp(orig_names[q], v->name)) from = q;
      if (from >= 0 && from < ni) {
        if (ins[from].dtype != v->dtype || ins[from].nbytes != isz[k]) {
          snprintf(msg, sizeof msg,
                   "data set %d: input %d is %s of %zu bytes, the model takes %s of %zu bytes",
                   sets[s], from, tccrt_dtype_name(ins[from].dtype), ins[from].nbytes,
                   tccrt_dtype_name(v->dtype), isz[k]);
          report(fd, "FAIL", msg);
          return 1;
        }
        ip[k] = ins[from].data;
      } else if (v->has_default && v->data) {
        ip[k] = v->data;
      } else {
        snprintf(msg, sizeof msg, "data set %d gives no data for input '%s'", sets[s], v->name);
        report(fd, "FAIL", msg);
        return 1;
      }
    }
    if (ne != nout) {
      snprintf(msg, sizeof msg, "data set %d has %d outputs; the model has %d", sets[s], ne, nout);
      report(fd, "FAIL", msg);
      return 1;
    }
    for (int k = 0; k < nout; k++) {
      const tcc_value *v = TCC_GRAPH_OUTPUT(g, k);
      int64_t numel = tcc_value_numel(v);
      osz[k] = (size_t)(numel < 0 ? 0 : numel) * tccrt_dtype_size(v->dtype);
      op[k] = tcc_arena_alloc(a, osz[k] + 64);
    }
    if (o->aot) {
      if (!tmp) {
        char templ[] = "/tmp/tcc-ml-test-XXXXXX";
        if (!mkdtemp(templ)) {
          report(fd, "FAIL", "cannot create a temporary folder");
          return 1;
        }
        tmp = tcc_arena_strdup(a, templ);
      }
      if (run_aot(ctx, o, tmp, c.am, "model", nin, ip, isz, nout, op, osz, msg, sizeof msg)) {
        report(fd, "FAIL", msg);
        return 1;
      }
    } else {
      int r = c.jm.run(ip, op);
      if (r != 0) {
        snprintf(msg, sizeof msg, "data set %d: run failed with %d: %s", sets[s], r,
                 tccrt_last_error());
        report(fd, "FAIL", msg);
        return 1;
      }
    }
    for (int k = 0; k < nout; k++) {
      const tcc_value *v = TCC_GRAPH_OUTPUT(g, k);
      int64_t dims[TCCRT_MAX_RANK] = {0};
      for (int d = 0; d < v->ndim && d < TCCRT_MAX_RANK; d++)
        tcc_expr_is_int_imm(v->dims[d], &dims[d]);
      char cm[512];
      if (!tcc_tool_compare(&exps[k], op[k], v->dtype, v->ndim, dims, o->rtol, o->atol, cm,
                            sizeof cm)) {
        snprintf(msg, sizeof msg, "data set %d output %d '%s': %s", sets[s], k, v->name, cm);
        report(fd, "FAIL", msg);
        return 1;
      }
    }
  }
  if (tmp && !o->keep_dir) rm_tree(tmp);
  report(fd, "PASS", bind ? "(shape inputs bound per data set)" : NULL);
  free(sets);
  free(model);
  return 0;
}

/* Runs one test in a child; returns 0 pass, 1 fail, 2 skip and the message. */
static int run_one(const char *dir, const test_opts *o, char *msg, size_t ml) {
  int p[2];
  if (pipe(p) != 0) {
    snprintf(msg, ml, "pipe: %s", strerror(errno));
    return 1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(msg, ml, "fork: %s", strerror(errno));
    return 1;
  }
  if (pid == 0) {
    close(p[0]);
    setpgid(0, 0);
    struct rlimit rl = {(rlim_t)o->mem_mb << 20, (rlim_t)o->mem_mb << 20};
    if (o->mem_mb > 0) setrlimit(RLIMIT_AS, &rl);
    alarm((unsigned)o->timeout_s);
    /* Quiet child: diagnostics go into the result line. */
    int r = child_main(dir, o, p[1]);
    close(p[1]);
    _exit(r);
  }
  close(p[1]);
  char buf[2048];
  size_t got = 0;
  ssize_t n;
  while (got + 1 < sizeof buf && (n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
    got += (size_t)n;
  buf[got] = 0;
  close(p[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  kill(-pid, SIGKILL); /* anything the child left behind (the --aot program) */
  if (WIFSIGNALED(status) && got == 0) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM)
      snprintf(msg, ml, "timed out after %d s", o->timeout_s);
    else
      snprintf(msg, ml, "crashed with signal %d (%s)", sig, strsignal(sig));
    return 1;
  }
  if (got == 0) {
    snprintf(msg, ml, "the test process exited with status %d and no result",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 1;
  }
  const char *rest = strchr(buf, ' ');
  snprintf(msg, ml, "%s", rest ? rest + 1 : "");
  if (!strncmp(buf, "PASS", 4)) return 0;
  if (!strncmp(buf, "SKIP", 4)) return 2;
  return 1;
}

static void usage(FILE *f) {
  fputs("usage: tcc-ml test [--aot] [--timeout S] [--mem MB] [--shard I/N]\n"
        "                   [--known-failures FILE] [--match SUBSTR] [--exclude SUBSTR] PATH...\n"
        "PATH: a test folder (model.onnx + test_data_set_N/) or a folder of them.\n"
        "  --aot                link objects with libtccrt.a and a driver through the C compiler\n"
        "                       ($CC or cc; $TCCRT_LIB or <tcc-ml's dir>/../runtime/libtccrt.a)\n"
        "  --target TRIPLE      with --aot: compile for TRIPLE (link with --cc, run with --exec)\n"
        "  --cc CC              the C compiler that links the program (default $CC or cc)\n"
        "  --runtime ARGS       the runtime to link: libtccrt.a's path or compiler arguments\n"
        "                       (e.g. '-Iruntime/include runtime/src/*.c' for a cross target)\n"
        "  --exec PREFIX        run the program through PREFIX (e.g. 'qemu-aarch64 -L /usr/...')\n"
        "  --timeout S          per-test time limit (default 120)\n"
        "  --mem MB             per-test address-space limit (default 8192)\n"
        "  --rtol R, --atol A   float tolerances (default 1e-3, 1e-7: the ONNX runner's)\n"
        "  --shard I/N          run the tests whose index modulo N is I\n"
        "  --match SUBSTR       run only tests whose name contains SUBSTR (repeatable: any)\n"
        "  --exclude SUBSTR     skip tests whose name contains SUBSTR (repeatable)\n"
        "  --keep               keep --aot's build folders\n"
        "  --known-failures F   F lists tests expected not to pass (one name per line, '#'\n"
        "                       comments); exit non-zero only when an unlisted test fails or a\n"
        "                       listed one passes\n",
        f);
}

static bool in_list(char **v, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (!strcmp(v[i], s)) return true;
  return false;
}

int tcc_cmd_test(int argc, char **argv) {
  test_opts o = {false, 120, 8192, 1e-3, 1e-7, NULL, NULL, NULL, NULL, NULL};
  const char *known = NULL;
  int shard_i = 0, shard_n = 1;
  strlist paths = {0}, excludes = {0}, matches = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--aot")) {
      o.aot = true;
    } else if (!strcmp(a, "--target") && i + 1 < argc) {
      o.triple = argv[++i];
    } else if (!strcmp(a, "--cc") && i + 1 < argc) {
      o.cc = argv[++i];
    } else if (!strcmp(a, "--runtime") && i + 1 < argc) {
      o.runtime_lib = argv[++i];
    } else if (!strcmp(a, "--exec") && i + 1 < argc) {
      o.exec = argv[++i];
    } else if (!strcmp(a, "--keep")) {
      o.keep_dir = "1";
    } else if (!strcmp(a, "--timeout") && i + 1 < argc) {
      o.timeout_s = atoi(argv[++i]);
    } else if (!strcmp(a, "--rtol") && i + 1 < argc) {
      o.rtol = atof(argv[++i]);
    } else if (!strcmp(a, "--atol") && i + 1 < argc) {
      o.atol = atof(argv[++i]);
    } else if (!strcmp(a, "--mem") && i + 1 < argc) {
      o.mem_mb = atol(argv[++i]);
    } else if (!strcmp(a, "--shard") && i + 1 < argc) {
      if (sscanf(argv[++i], "%d/%d", &shard_i, &shard_n) != 2 || shard_n < 1 || shard_i < 0 ||
          shard_i >= shard_n) {
        fprintf(stderr, "tcc-ml: error: --shard '%s': expected I/N with 0 <= I < N\n", argv[i]);
        return 1;
      }
    } else if (!strcmp(a, "--exclude") && i + 1 < argc) {
      sl_push(&excludes, argv[++i]);
    } else if (!strcmp(a, "--match") && i + 1 < argc) {
      sl_push(&matches, argv[++i]);
    } else if (!strcmp(a, "--known-failures") && i + 1 < argc) {
      known = argv[++i];
    } else if (a[0] == '-') {
      fprintf(stderr, "tcc-ml: error: test: unknown or incomplete option '%s'\n", a);
      usage(stderr);
      return 1;
    } else {
      sl_push(&paths, (char *)a);
    }
  }
  if (paths.n == 0) {
    fprintf(stderr, "tcc-ml: error: test: no PATH given\n");
    usage(stderr);
    return 1;
  }
  if (o.timeout_s <= 0) o.timeout_s = 120;
  if (!o.cc) o.cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
  static char libbuf[4200];
  if (o.runtime_lib) {
    /* given with --runtime */
  } else if (getenv("TCCRT_LIB") && *getenv("TCCRT_LIB")) {
    o.runtime_lib = getenv("TCCRT_LIB");
  } else {
    snprintf(libbuf, sizeof libbuf, "%s/../runtime/libtccrt.a", exe_dir());
    o.runtime_lib = libbuf;
  }
  if (o.triple && !o.aot) {
    fprintf(stderr, "tcc-ml: error: test: --target needs --aot (the JIT runs on the host)\n");
    return 1;
  }
  if (o.aot && !strchr(o.runtime_lib, ' ') && !is_file(o.runtime_lib)) {
    fprintf(stderr,
            "tcc-ml: error: test --aot: the runtime library %s does not exist (set "
            "TCCRT_LIB)\n",
            o.runtime_lib);
    return 1;
  }
  strlist klist = {0};
  if (known) {
    FILE *f = fopen(known, "r");
    if (!f) {
      fprintf(stderr, "tcc-ml: error: --known-failures %s: cannot open\n", known);
      return 1;
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
      char *s = line;
      while (*s == ' ' || *s == '\t')
        s++;
      if (*s == '#' || *s == '\n' || !*s) continue;
      size_t n = strcspn(s, " \t\n#");
      s[n] = 0;
      sl_push(&klist, strdup(s));
    }
    fclose(f);
  }
  strlist tests = {0};
  for (int i = 0; i < paths.n; i++) {
    struct stat st;
    if (stat(paths.v[i], &st)) {
      fprintf(stderr, "tcc-ml: error: test: %s: %s\n", paths.v[i], strerror(errno));
      return 1;
    }
    int before = tests.n;
    collect(paths.v[i], &tests);
    if (tests.n == before) {
      fprintf(stderr,
              "tcc-ml: error: test: %s: no test found (expected a folder with model.onnx and "
              "test_data_set_N/, or a folder of such folders)\n",
              paths.v[i]);
      return 1;
    }
  }
  int nselected = 0;
  int npass = 0, nfail = 0, nskip = 0, unexpected = 0;
  int idx = -1;
  for (int t = 0; t < tests.n; t++) {
    const char *name = base_name(tests.v[t]);
    bool excluded = false;
    for (int e = 0; e < excludes.n; e++)
      excluded |= strstr(name, excludes.v[e]) != NULL;
    if (excluded) continue;
    bool matched = matches.n == 0;
    for (int e = 0; e < matches.n; e++)
      matched |= strstr(name, matches.v[e]) != NULL;
    if (!matched) continue;
    nselected++;
    idx++;
    if (idx % shard_n != shard_i) continue;
    char msg[2048];
    int r = run_one(tests.v[t], &o, msg, sizeof msg);
    bool listed = known && in_list(klist.v, klist.n, name);
    const char *tag = "";
    if (r == 0) {
      npass++;
      if (listed) {
        unexpected++;
        tag = " (listed in the known failures: remove it from the list)";
      }
      printf("PASS %s%s%s%s\n", name, msg[0] ? " " : "", msg, tag);
    } else {
      if (r == 1)
        nfail++;
      else
        nskip++;
      if (known && !listed) {
        unexpected++;
        tag = " (a regression: not in the known failures)";
      } else if (listed) {
        tag = " (known)";
      }
      printf("%s %s: %s%s\n", r == 1 ? "FAIL" : "SKIP", name, msg, tag);
    }
    fflush(stdout);
  }
  printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
  if (nselected == 0) {
    fprintf(stderr, "tcc-ml: error: test: no test left after --match/--exclude\n");
    return 1;
  }
  if (known) {
    if (unexpected)
      printf("%d unexpected result%s against %s\n", unexpected, unexpected == 1 ? "" : "s", known);
    return unexpected ? 1 : 0;
  }
  return nfail ? 1 : 0;
}
