/* cmd_test.c — `tcc-ml test [--aot] PATH...`: the conformance runner for folders in the ONNX
 * backend-test layout (model.onnx, test_data_set_N/input_K.pb, output_K.pb).
 *
 * Each test runs in forked children with a time limit (alarm) and a memory limit (RLIMIT_AS), so a
 * crash or a hang is a FAIL for that test only. JIT mode (default) compiles the model for the host
 * into one object and loads that very object into LLVM's ORC JIT, in one child per test. --aot
 * does what a user does, in three steps: a build child per test compiles its model into objects
 * named t<index>_<k> (one per input-shape signature of its data sets; the symbols carry the name),
 * writes their headers, each data set's raw inputs and a plan into a work folder ($TMPDIR or /tmp);
 * the parent links up to 64 objects at a time with libtccrt and ONE generated driver (a table
 * {name, run function, input/output sizes}; argv selects the model and the files) through the C
 * compiler — if that link fails, each test is linked on its own so only the culprit FAILs; then a
 * run child per test runs the program once per data set (a process each, under the child's limits)
 * and compares the outputs. Floats compare with rtol 1e-3, atol 1e-7 (the ONNX runner's), integers
 * and bools exactly, NaN matches NaN. One line per test, PASS, FAIL (first mismatching index,
 * expected and actual values) or SKIP (reason); then "N passed, N failed, N skipped". Exit status
 * 1 when a test fails (with --known-failures FILE: when a test not listed fails or a listed test
 * passes). */
#include "commands.h"
#include "tool_common.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
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

/* Reads the files prefix_0.pb, prefix_1.pb ... of a data set: *out gets every tensor in order,
 * sequences and optionals (typed by g0, the model imported unexpanded; NULL: told from the bytes)
 * flattened as the expanded model takes and gives them; *ds (may be NULL) the whole set. */
static int read_set(tcc_context *ctx, const char *dir, int set, const char *prefix,
                    const tcc_graph *g0, tcc_host_tensor **out, tcc_data_set *ds) {
  tcc_data_set d;
  const char *sd = tcc_arena_printf(tcc_ctx_arena(ctx), "%s/test_data_set_%d", dir, set);
  if (tcc_tool_read_data_set(ctx, sd, prefix, g0, &d) != TCC_OK) return -1;
  if (ds) *ds = d;
  *out = d.flat;
  return d.nflat;
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

static bool write_file(const char *p, const void *d, size_t n) {
  FILE *f = fopen(p, "wb");
  if (!f) return false;
  bool ok = fwrite(d, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

/* Removes a folder and everything under it (our own work folder: no symlinks are followed). */
static void rm_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
      rm_tree(p);
    else
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

/* Compiles the model with input shapes from the data set's files (by position in the original
 * input list; a sequence or optional binds its structure) and, when `bind`, the inputs
 * should_bind picks bound to their data. */
static tcc_status compile_test(tcc_context *ctx, const test_opts *o, const char *model, int norig,
                               const char *const *orig_names, const tcc_data_set *ds, bool bind,
                               const char *bind_err, const char *name, compiled *c) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  memset(c, 0, sizeof *c);
  tcc_input_shape *shapes = tcc_arena_alloc(a, sizeof(tcc_input_shape) * (size_t)(norig + 1));
  const char **bnames = tcc_arena_alloc(a, sizeof(char *) * (size_t)(norig + 1));
  tcc_host_tensor *bvals = tcc_arena_alloc(a, sizeof(tcc_host_tensor) * (size_t)(norig + 1));
  int nshapes = 0, nbind = 0;
  for (int k = 0; k < norig && k < ds->nfiles; k++) {
    if (ds->files[k].kind != TCC_TYPE_TENSOR) {
      shapes[nshapes++] = ds->binds[k]; /* a sequence or optional: its structure */
      continue;
    }
    const tcc_host_tensor *in = &ds->files[k].tensor;
    if (bind && should_bind(bind_err, orig_names[k], in)) {
      bnames[nbind] = orig_names[k];
      bvals[nbind++] = *in;
      continue;
    }
    shapes[nshapes].name = orig_names[k];
    shapes[nshapes].ndim = in->ndim;
    memcpy(shapes[nshapes].dims, in->dims, sizeof(int64_t) * (size_t)in->ndim);
    nshapes++;
  }
  if (o->aot) {
    tcc_import_options io = {0};
    io.ninput_shapes = nshapes;
    io.input_shapes = shapes;
    io.keep_sequences = true; /* expanded below, once bound inputs are constants */
    tcc_graph *g;
    TCC_TRY(tcc_onnx_import_file(ctx, model, &io, &g));
    for (int i = 0; i < nbind; i++)
      TCC_TRY(tcc_tool_bind_input(ctx, g, bnames[i], &bvals[i]));
    TCC_TRY(tcc_pass_expand_sequences(ctx, g));
    tcc_aot_options ao = {name, o->triple, NULL, 3, true};
    TCC_TRY(tcc_aot_compile(ctx, g, &ao, &c->am));
    c->g = tcc_aot_graph(c->am);
    return TCC_OK;
  }
  TCC_TRY(tcc_tool_jit_compile(ctx, model, nshapes, shapes, nbind, bnames, bvals, name, &c->jm));
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

/* Writes one data set's entry of an --aot work plan (see aot_set): the model that runs it, its
 * inputs' and outputs' byte sizes, each output's dtype, shape and name (newlines made spaces). The
 * closing "end" line marks the entry complete, so a build child that dies mid-entry leaves none. */
static bool plan_write(FILE *f, int set, const char *model, int nin, const size_t *isz,
                       const tcc_graph *g, const size_t *osz) {
  int nout = (int)g->outputs.len;
  fprintf(f, "set %d %s %d %d\n", set, model, nin, nout);
  for (int k = 0; k < nin; k++)
    fprintf(f, "in %zu\n", isz[k]);
  for (int k = 0; k < nout; k++) {
    const tcc_value *v = TCC_GRAPH_OUTPUT(g, k);
    fprintf(f, "out %d %d", (int)v->dtype, v->ndim);
    for (int d = 0; d < v->ndim && d < TCCRT_MAX_RANK; d++) {
      int64_t dim = 0;
      tcc_expr_is_int_imm(v->dims[d], &dim);
      fprintf(f, " %lld", (long long)dim);
    }
    fprintf(f, " %zu ", osz[k]);
    for (const char *s = v->name ? v->name : ""; *s; s++)
      fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    fputc('\n', f);
  }
  fputs("end\n", f);
  return fflush(f) == 0 && !ferror(f);
}

/* Where an --aot build child puts its files: the test's own folder in the work folder, and the
 * prefix of its models' names ("t17": objects t17_0, t17_1... one per input-shape signature). */
typedef struct aot_build {
  const char *tdir;
  const char *prefix;
} aot_build;

/* The child: compile, run every data set, compare; reports on fd. With --aot (`ab` non-NULL) it
 * only builds: each compiled model becomes the object ab->tdir/NAME.o (and NAME.h), each data
 * set's inputs raw files sSET_inK.bin, and the plan file ab->tdir/plan lists what to run; it
 * reports "BUILT" instead of PASS, and the parent links, runs and compares. */
static int child_main(const char *dir, const test_opts *o, const aot_build *ab, int fd) {
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
  int nprev = 0, nmodels = 0;
  const char *cur_name = "model";
  FILE *plan = NULL;
  if (ab) {
    const char *pp = tcc_arena_printf(a, "%s/plan", ab->tdir);
    plan = fopen(pp, "w");
    if (!plan) {
      snprintf(msg, sizeof msg, "cannot write %s: %s", pp, strerror(errno));
      report(fd, "FAIL", msg);
      return 1;
    }
  }
  for (int s = 0; s < nsets; s++) {
    tcc_host_tensor *ins, *exps;
    tcc_data_set ids;
    int ni = read_set(ctx, dir, sets[s], "input", g0, &ins, &ids);
    int ne = ni < 0 ? -1 : read_set(ctx, dir, sets[s], "output", g0, &exps, NULL);
    if (ni < 0 || ne < 0) {
      const char *e = tcc_error_text(ctx);
      snprintf(msg, sizeof msg, "data set %d: %s", sets[s], e);
      report(fd, is_unsupported(e) ? "SKIP" : "FAIL", msg);
      return 1;
    }
    if (!have || bind || ni != nprev || !same_shapes(ni, ins, prev)) {
      if (have && c.jm.ljit) tcc_tool_jit_free(&c.jm);
      if (ab) cur_name = tcc_arena_printf(a, "%s_%d", ab->prefix, nmodels);
      tcc_status st =
          compile_test(ctx, o, model, norig, orig_names, &ids, bind, bind_err, cur_name, &c);
      if (st != TCC_OK && !bind &&
          (strstr(tcc_error_text(ctx), "not constant") ||
           strstr(tcc_error_text(ctx), "needs a constant"))) {
        /* Data-dependent output shapes: specialize on this data set's shape inputs. */
        bind = true;
        bind_err = tcc_arena_strdup(a, tcc_error_text(ctx));
        tcc_error_clear(ctx);
        st = compile_test(ctx, o, model, norig, orig_names, &ids, bind, bind_err, cur_name, &c);
      }
      if (st != TCC_OK) {
        const char *e = tcc_error_text(ctx);
        snprintf(msg, sizeof msg, "compile: %s", e);
        report(fd, is_unsupported(e) ? "SKIP" : "FAIL", msg);
        return 1;
      }
      if (ab) {
        const char *obj = tcc_arena_printf(a, "%s/%s.o", ab->tdir, cur_name);
        if (tcc_aot_emit_file(c.am, TCC_AOT_OBJECT, obj) != TCC_OK) {
          snprintf(msg, sizeof msg, "emit: %s", tcc_error_text(ctx));
          report(fd, "FAIL", msg);
          return 1;
        }
        if (tcc_aot_write_header(c.am, tcc_arena_printf(a, "%s/%s.h", ab->tdir, cur_name)) !=
            TCC_OK) {
          snprintf(msg, sizeof msg, "header: %s", tcc_error_text(ctx));
          report(fd, "FAIL", msg);
          return 1;
        }
        nmodels++;
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
      int from = -1; /* the data set's tensor of that name (x[0] for a sequence's element) */
      for (int q = 0; q < ni; q++)
        if (!strcmp(ins[q].name, v->name)) from = q;
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
      op[k] = tcc_tool_alloc_data(ctx, osz[k] + 64, tcc_arena_printf(a, "output '%s'", v->name));
      if (!op[k]) {
        snprintf(msg, sizeof msg, "data set %d: %s%s", sets[s], tcc_error_text(ctx),
                 o->mem_mb > 0 ? " (over the --mem limit)" : "");
        report(fd, "FAIL", msg);
        return 1;
      }
    }
    if (ab) {
      /* The parent runs it: raw inputs for the driver, and the plan entry. */
      for (int k = 0; k < nin; k++) {
        const char *p = tcc_arena_printf(a, "%s/s%d_in%d.bin", ab->tdir, sets[s], k);
        if (!write_file(p, ip[k], isz[k])) {
          snprintf(msg, sizeof msg, "cannot write %s", p);
          report(fd, "FAIL", msg);
          return 1;
        }
      }
      if (!plan_write(plan, sets[s], cur_name, nin, isz, g, osz)) {
        snprintf(msg, sizeof msg, "cannot write %s/plan", ab->tdir);
        report(fd, "FAIL", msg);
        return 1;
      }
      continue;
    }
    int r = tcc_tool_jit_run(&c.jm, ip, op);
    if (r != 0) {
      snprintf(msg, sizeof msg, "data set %d: run failed with %d: %s", sets[s], r,
               tccrt_last_error());
      report(fd, "FAIL", msg);
      return 1;
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
  if (plan) {
    /* The count lets the parent check that it read back every data set. */
    fprintf(plan, "sets %d\n", nsets);
    if (fclose(plan) != 0) {
      snprintf(msg, sizeof msg, "cannot write %s/plan", ab->tdir);
      report(fd, "FAIL", msg);
      return 1;
    }
  }
  report(fd, ab ? "BUILT" : "PASS", bind ? "(shape inputs bound per data set)" : NULL);
  free(sets);
  free(model);
  return 0;
}

/* What a child does: one of the *_child functions below; reports one result line on fd. */
typedef int (*child_fn)(const void *arg, const test_opts *o, int fd);

/* Runs fn(arg) in a forked child in its own process group with the time limit (alarm) and the
 * address-space limit (RLIMIT_AS) of the options; returns 0 for PASS (or BUILT), 1 for FAIL (also
 * a crash, a timeout or no result), 2 for SKIP, and the result's message. */
static int run_child(child_fn fn, const void *arg, const test_opts *o, char *msg, size_t ml) {
  int p[2];
  if (pipe(p) != 0) {
    snprintf(msg, ml, "pipe: %s", strerror(errno));
    return 1;
  }
  fflush(stdout);
  fflush(stderr);
  /* The child's stderr, read back when it dies without a result (an allocation over --mem
   * aborts with "out of memory" there). */
  FILE *errf = tmpfile();
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(msg, ml, "fork: %s", strerror(errno));
    close(p[0]);
    close(p[1]);
    if (errf) fclose(errf);
    return 1;
  }
  if (pid == 0) {
    close(p[0]);
    if (errf) dup2(fileno(errf), 2);
    setpgid(0, 0);
    struct rlimit rl = {(rlim_t)o->mem_mb << 20, (rlim_t)o->mem_mb << 20};
    if (o->mem_mb > 0) setrlimit(RLIMIT_AS, &rl);
    alarm((unsigned)o->timeout_s);
    /* Quiet child: diagnostics go into the result line. */
    int r = fn(arg, o, p[1]);
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
  char err[512] = "";
  if (errf) {
    /* The last line the child wrote on stderr. */
    long end = (fseek(errf, 0, SEEK_END) == 0) ? ftell(errf) : 0;
    long from = end > (long)sizeof err - 1 ? end - (long)sizeof err + 1 : 0;
    if (end > 0 && fseek(errf, from, SEEK_SET) == 0) {
      size_t n = fread(err, 1, sizeof err - 1, errf);
      err[n] = 0;
      while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == '\r'))
        err[--n] = 0;
      char *nl = strrchr(err, '\n');
      if (nl) memmove(err, nl + 1, strlen(nl + 1) + 1);
    }
    fclose(errf);
  }
  /* "out of memory": our arena, LLVM; "Failed to mmap": AddressSanitizer's allocator. */
  if (got == 0 && (strstr(err, "out of memory") || strstr(err, "Failed to mmap"))) {
    if (o->mem_mb > 0)
      snprintf(msg, ml, "ran out of memory (over the --mem limit of %ld MB): %s", o->mem_mb, err);
    else
      snprintf(msg, ml, "ran out of memory: %s", err);
    return 1;
  }
  if (WIFSIGNALED(status) && got == 0) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM)
      snprintf(msg, ml, "timed out after %d s", o->timeout_s);
    else
      snprintf(msg, ml, "crashed with signal %d (%s)%s%s", sig, strsignal(sig), err[0] ? ": " : "",
               err);
    return 1;
  }
  if (got == 0) {
    snprintf(msg, ml, "the test process exited with status %d and no result%s%s",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1, err[0] ? ": " : "", err);
    return 1;
  }
  const char *rest = strchr(buf, ' ');
  snprintf(msg, ml, "%s", rest ? rest + 1 : "");
  if (!strncmp(buf, "PASS", 4) || !strncmp(buf, "BUILT", 5)) return 0;
  if (!strncmp(buf, "SKIP", 4)) return 2;
  return 1;
}

/* JIT mode: the whole test in one child. */
static int jit_child(const void *arg, const test_opts *o, int fd) {
  return child_main((const char *)arg, o, NULL, fd);
}

/* ---- --aot: a build child per test, one link per batch, a run child per test ---------------- */

/* One data set of an --aot test, read back from the plan file its build child wrote. */
typedef struct aot_set {
  int set;        /* N of test_data_set_N */
  char model[64]; /* the model (symbol prefix) that runs it */
  int nin, nout;
  size_t *in_size, *out_size; /* bytes */
  int *out_dtype, *out_ndim;
  int64_t (*out_dims)[TCCRT_MAX_RANK];
  char **out_name;
} aot_set;

/* An --aot test between its build and its verdict. */
typedef struct aot_test {
  const char *dir;  /* the test folder */
  const char *name; /* its base name */
  char tdir[512];   /* its folder in the work folder: objects, headers, raw inputs and outputs */
  char prefix[32];  /* "t<index>": its models are prefix_0, prefix_1, ... */
  int built;        /* the build child's verdict: 0 built, 1 FAIL, 2 SKIP; and its message */
  char msg[2048];
  aot_set *sets; /* the data sets it built, in order */
  int nsets;
  int nplanned;        /* the plan's closing "sets N" (-1 when absent: the build stopped early) */
  char exe[600];       /* the linked program that runs its models ("" when linking failed) */
  char link_msg[1024]; /* why linking failed */
} aot_test;

static void aot_set_free(aot_set *s) {
  for (int k = 0; k < s->nout && s->out_name; k++)
    free(s->out_name[k]);
  free(s->in_size);
  free(s->out_size);
  free(s->out_dtype);
  free(s->out_ndim);
  free(s->out_dims);
  free(s->out_name);
  memset(s, 0, sizeof *s);
}

static void aot_test_free(aot_test *t) {
  for (int i = 0; i < t->nsets; i++)
    aot_set_free(&t->sets[i]);
  free(t->sets);
  free(t);
}

/* Parses one "out DTYPE NDIM D0.. SIZE NAME" line into output k of s. */
static bool plan_out(char *line, aot_set *s, int k) {
  char *p = line + 4, *e;
  long dt = strtol(p, &e, 10), nd;
  if (e == p) return false;
  nd = strtol(p = e, &e, 10);
  if (e == p || nd < 0 || nd > TCCRT_MAX_RANK) return false;
  s->out_dtype[k] = (int)dt;
  s->out_ndim[k] = (int)nd;
  for (int d = 0; d < nd; d++) {
    s->out_dims[k][d] = strtoll(p = e, &e, 10);
    if (e == p) return false;
  }
  unsigned long long sz = strtoull(p = e, &e, 10);
  if (e == p || *e != ' ') return false;
  s->out_size[k] = (size_t)sz;
  e++;
  e[strcspn(e, "\n")] = 0;
  s->out_name[k] = strdup(e);
  return true;
}

/* Reads t->tdir/plan (written by plan_write) into t->sets: the complete entries, in order. */
static void plan_read(aot_test *t) {
  char p[600];
  snprintf(p, sizeof p, "%s/plan", t->tdir);
  t->nplanned = -1;
  FILE *f = fopen(p, "r");
  if (!f) return;
  char *line = NULL;
  size_t cap = 0;
  aot_set cur = {0};
  bool open = false;
  int ni = 0, no = 0, cap_sets = 0;
  while (getline(&line, &cap, f) > 0) {
    if (!strncmp(line, "set ", 4)) {
      if (open) aot_set_free(&cur);
      memset(&cur, 0, sizeof cur);
      open = sscanf(line, "set %d %63s %d %d", &cur.set, cur.model, &cur.nin, &cur.nout) == 4 &&
             cur.nin >= 0 && cur.nout >= 0 && cur.nin < 100000 && cur.nout < 100000;
      if (!open) continue;
      size_t n = (size_t)cur.nin + 1, m = (size_t)cur.nout + 1;
      cur.in_size = calloc(n, sizeof(size_t));
      cur.out_size = calloc(m, sizeof(size_t));
      cur.out_dtype = calloc(m, sizeof(int));
      cur.out_ndim = calloc(m, sizeof(int));
      cur.out_dims = calloc(m, sizeof *cur.out_dims);
      cur.out_name = calloc(m, sizeof(char *));
      ni = no = 0;
    } else if (!strncmp(line, "sets ", 5)) {
      if (sscanf(line, "sets %d", &t->nplanned) != 1) t->nplanned = -1;
    } else if (open && !strncmp(line, "in ", 3) && ni < cur.nin) {
      unsigned long long sz;
      if (sscanf(line, "in %llu", &sz) == 1) cur.in_size[ni++] = (size_t)sz;
    } else if (open && !strncmp(line, "out ", 4) && no < cur.nout) {
      if (plan_out(line, &cur, no)) no++;
    } else if (open && !strcmp(line, "end\n") && ni == cur.nin && no == cur.nout) {
      if (t->nsets == cap_sets) {
        cap_sets = cap_sets ? cap_sets * 2 : 4;
        t->sets = realloc(t->sets, sizeof(aot_set) * (size_t)cap_sets);
      }
      t->sets[t->nsets++] = cur;
      memset(&cur, 0, sizeof cur);
      open = false;
    }
  }
  if (open) aot_set_free(&cur);
  free(line);
  fclose(f);
}

/* Is set i the first of test t that runs its model? (Each model is linked and listed once.) */
static bool first_of_model(const aot_test *t, int i) {
  for (int j = 0; j < i; j++)
    if (!strcmp(t->sets[j].model, t->sets[i].model)) return false;
  return true;
}

static int count_models(const aot_test *t) {
  int n = 0;
  for (int i = 0; i < t->nsets; i++)
    n += first_of_model(t, i);
  return n;
}

/* Writes the driver's C source: a table {name, run function, input and output sizes} of every
 * model of tests[0..n), and a main that runs the model named argv[1] on the raw input files that
 * follow and writes its raw outputs to the files after them. Exit status: 0 ok, 2 usage, 3 an
 * input could not be read, 4 NAME_run failed, 5 an output could not be written. */
static bool write_driver(const char *path, aot_test *const *tests, int n) {
  FILE *f = fopen(path, "w");
  if (!f) return false;
  fputs("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
        "typedef int (*run_fn)(const void *const in[], void *const out[]);\n"
        "struct model {\n  const char *name;\n  run_fn run;\n  int nin, nout;\n"
        "  const size_t *size; /* inputs', then outputs' bytes */\n};\n",
        f);
  for (int t = 0; t < n; t++)
    for (int i = 0; i < tests[t]->nsets; i++) {
      const aot_set *s = &tests[t]->sets[i];
      if (!first_of_model(tests[t], i)) continue;
      fprintf(f, "extern int %s_run(const void *const in[], void *const out[]);\n", s->model);
      fprintf(f, "static const size_t %s_size[] = {", s->model);
      for (int k = 0; k < s->nin; k++)
        fprintf(f, "%zuu, ", s->in_size[k]);
      for (int k = 0; k < s->nout; k++)
        fprintf(f, "%zuu, ", s->out_size[k]);
      fputs("0};\n", f);
    }
  fputs("static const struct model models[] = {\n", f);
  for (int t = 0; t < n; t++)
    for (int i = 0; i < tests[t]->nsets; i++) {
      const aot_set *s = &tests[t]->sets[i];
      if (first_of_model(tests[t], i))
        fprintf(f, "  {\"%s\", %s_run, %d, %d, %s_size},\n", s->model, s->model, s->nin, s->nout,
                s->model);
    }
  fputs("  {NULL, NULL, 0, 0, NULL}};\n\n"
        "int main(int argc, char **argv) {\n"
        "  const struct model *m = models;\n"
        "  while (m->name && (argc < 2 || strcmp(m->name, argv[1])))\n"
        "    m++;\n"
        "  if (!m->name || argc != 2 + m->nin + m->nout) {\n"
        "    fprintf(stderr, \"usage: %s MODEL INPUT... OUTPUT...\\n\", argv[0]);\n"
        "    return 2;\n  }\n"
        "  void **buf = calloc((size_t)(m->nin + m->nout) + 1, sizeof *buf);\n"
        "  for (int i = 0; buf && i < m->nin + m->nout; i++)\n"
        "    if (!(buf[i] = malloc(m->size[i] + 1))) return 3;\n"
        "  if (!buf) return 3;\n"
        "  for (int i = 0; i < m->nin; i++) {\n"
        "    FILE *f = fopen(argv[2 + i], \"rb\");\n"
        "    if (!f || fread(buf[i], 1, m->size[i], f) != m->size[i]) return 3;\n"
        "    fclose(f);\n  }\n"
        "  int r = m->run((const void *const *)buf, (void *const *)(buf + m->nin));\n"
        "  if (r) {\n    fprintf(stderr, \"%s_run failed: %d\\n\", m->name, r);\n"
        "    return 4;\n  }\n"
        "  for (int i = 0; i < m->nout; i++) {\n"
        "    FILE *f = fopen(argv[2 + m->nin + i], \"wb\");\n"
        "    const size_t sz = m->size[m->nin + i];\n"
        "    if (!f || fwrite(buf[m->nin + i], 1, sz, f) != sz || fclose(f)) return 5;\n"
        "  }\n  return 0;\n}\n",
        f);
  return fclose(f) == 0;
}

/* A growing string for command lines. */
typedef struct dstr {
  char *s;
  size_t n, cap;
} dstr;
static void ds_printf(dstr *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ds_printf(dstr *d, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(d->s ? d->s + d->n : NULL, d->s ? d->cap - d->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if (d->s && d->n + (size_t)k < d->cap) {
      d->n += (size_t)k;
      return;
    }
    d->cap = (d->cap + (size_t)k + 1) * 2;
    d->s = realloc(d->s, d->cap);
  }
}

/* Appends " ARG" to d, ARG being the printf-formatted string quoted for the POSIX shell ('...'
 * with each ' written '\''), so paths with spaces, quotes or $ reach the program unchanged. */
static void ds_arg(dstr *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ds_arg(dstr *d, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int k = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *v = k < 0 ? NULL : malloc((size_t)k + 1);
  if (v) vsnprintf(v, (size_t)k + 1, fmt, ap2);
  va_end(ap2);
  if (!v) return;
  ds_printf(d, " '");
  for (const char *p = v; *p; p++) {
    if (*p == '\'')
      ds_printf(d, "'\\''");
    else
      ds_printf(d, "%c", *p);
  }
  ds_printf(d, "'");
  free(v);
}

/* Links the models of tests[0..n) with the runtime and a driver into dir/driver through the C
 * compiler (its messages in dir/cc.log). */
static bool link_driver(const test_opts *o, const char *dir, aot_test *const *tests, int n) {
  char drv[600];
  snprintf(drv, sizeof drv, "%s/driver.c", dir);
  if (!write_driver(drv, tests, n)) return false;
  dstr cmd = {0};
  /* $CC / --cc is a command (it may carry arguments); every path is quoted. */
  ds_printf(&cmd, "%s -O1 -o", o->cc);
  ds_arg(&cmd, "%s/driver", dir);
  ds_arg(&cmd, "%s", drv);
  for (int t = 0; t < n; t++)
    for (int i = 0; i < tests[t]->nsets; i++)
      if (first_of_model(tests[t], i))
        ds_arg(&cmd, "%s/%s.o", tests[t]->tdir, tests[t]->sets[i].model);
  /* The runtime: a library file (one path, quoted), else compiler arguments (e.g. its C sources
   * for a cross target, given with --runtime). */
  if (is_file(o->runtime_lib))
    ds_arg(&cmd, "%s", o->runtime_lib);
  else
    ds_printf(&cmd, " %s", o->runtime_lib);
  ds_printf(&cmd, " -lm -lpthread 2>");
  ds_arg(&cmd, "%s/cc.log", dir);
  fflush(stdout);
  fflush(stderr);
  bool ok = system(cmd.s) == 0;
  free(cmd.s);
  return ok;
}

/* --aot build child: compile the test's models to objects, write its inputs and plan. */
typedef struct build_arg {
  const char *dir;
  aot_build ab;
} build_arg;
static int build_child(const void *arg, const test_opts *o, int fd) {
  const build_arg *b = arg;
  return child_main(b->dir, o, &b->ab, fd);
}

/* --aot run child: run the linked program on each data set the test built (each run a process
 * of its own, under this child's limits) and compare its outputs with the expected ones. */
static int verify_child(const void *arg, const test_opts *o, int fd) {
  const aot_test *t = arg;
  tcc_context *ctx = tcc_context_create();
  char msg[1536];
  for (int i = 0; i < t->nsets; i++) {
    const aot_set *s = &t->sets[i];
    dstr cmd = {0};
    ds_printf(&cmd, "%s", o->exec ? o->exec : ""); /* --exec: a command prefix */
    ds_arg(&cmd, "%s", t->exe);
    ds_arg(&cmd, "%s", s->model);
    for (int k = 0; k < s->nin; k++)
      ds_arg(&cmd, "%s/s%d_in%d.bin", t->tdir, s->set, k);
    for (int k = 0; k < s->nout; k++)
      ds_arg(&cmd, "%s/s%d_out%d.bin", t->tdir, s->set, k);
    int st = system(cmd.s);
    free(cmd.s);
    if (st != 0) {
      snprintf(msg, sizeof msg, "the linked program failed (status %d)", st);
      report(fd, "FAIL", msg);
      return 1;
    }
    tcc_host_tensor *exps;
    int ne = read_set(ctx, t->dir, s->set, "output", NULL, &exps, NULL);
    if (ne != s->nout) {
      snprintf(msg, sizeof msg, "data set %d: %s", s->set,
               ne < 0 ? tcc_error_text(ctx) : "the expected outputs changed during the test");
      report(fd, "FAIL", msg);
      return 1;
    }
    for (int k = 0; k < s->nout; k++) {
      char p[600];
      snprintf(p, sizeof p, "%s/s%d_out%d.bin", t->tdir, s->set, k);
      void *out =
          tcc_tool_alloc_data(ctx, s->out_size[k] + 64,
                              tcc_arena_printf(tcc_ctx_arena(ctx), "output '%s'", s->out_name[k]));
      if (!out) {
        snprintf(msg, sizeof msg, "data set %d: %s%s", s->set, tcc_error_text(ctx),
                 o->mem_mb > 0 ? " (over the --mem limit)" : "");
        report(fd, "FAIL", msg);
        return 1;
      }
      FILE *fi = fopen(p, "rb");
      if (!fi || fread(out, 1, s->out_size[k], fi) != s->out_size[k]) {
        if (fi) fclose(fi);
        snprintf(msg, sizeof msg, "cannot read %s", p);
        report(fd, "FAIL", msg);
        return 1;
      }
      fclose(fi);
      char cm[512];
      if (!tcc_tool_compare(&exps[k], out, (tccrt_dtype)s->out_dtype[k], s->out_ndim[k],
                            s->out_dims[k], o->rtol, o->atol, cm, sizeof cm)) {
        snprintf(msg, sizeof msg, "data set %d output %d '%s': %s", s->set, k, s->out_name[k], cm);
        report(fd, "FAIL", msg);
        return 1;
      }
    }
  }
  report(fd, "PASS", NULL);
  return 0;
}

static bool in_list(char **v, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (!strcmp(v[i], s)) return true;
  return false;
}

/* The counts and the known-failures list. */
typedef struct tally {
  int npass, nfail, nskip, unexpected;
  const char *known;
  const strlist *klist;
} tally;

/* Prints one verdict line ("PASS NAME[ MSG]", "FAIL NAME: MSG", "SKIP NAME: MSG", tagged against
 * the known-failures list) and counts it. r: 0 pass, 1 fail, 2 skip. */
static void print_verdict(tally *ty, const char *name, int r, const char *msg) {
  bool listed = ty->known && in_list(ty->klist->v, ty->klist->n, name);
  const char *tag = "";
  if (r == 0) {
    ty->npass++;
    if (listed) {
      ty->unexpected++;
      tag = " (listed in the known failures: remove it from the list)";
    }
    printf("PASS %s%s%s%s\n", name, msg[0] ? " " : "", msg, tag);
  } else {
    if (r == 1)
      ty->nfail++;
    else
      ty->nskip++;
    if (ty->known && !listed) {
      ty->unexpected++;
      tag = " (a regression: not in the known failures)";
    } else if (listed) {
      tag = " (known)";
    }
    printf("%s %s: %s%s\n", r == 1 ? "FAIL" : "SKIP", name, msg, tag);
  }
  fflush(stdout);
}

enum { AOT_BATCH = 64 }; /* at most this many objects (and tests) per linked program */

/* Links a batch of built tests into one program (or, when that fails, each test on its own to
 * find the culprits), runs each test's data sets, prints the verdicts in order and removes the
 * files of the tests that passed or skipped (unless --keep). Returns how many folders it kept. */
static int aot_flush(const test_opts *o, tally *ty, const char *work, int nb, aot_test **batch,
                     int nbatch) {
  char bdir[512];
  snprintf(bdir, sizeof bdir, "%s/batch%d", work, nbatch);
  aot_test **link = malloc(sizeof(aot_test *) * (size_t)(nb + 1));
  int nlink = 0, kept = 0;
  for (int i = 0; i < nb; i++)
    if (batch[i]->nsets > 0) link[nlink++] = batch[i];
  if (nlink > 0) {
    if (mkdir(bdir, 0700) == 0 && link_driver(o, bdir, link, nlink)) {
      for (int i = 0; i < nlink; i++)
        snprintf(link[i]->exe, sizeof link[i]->exe, "%s/driver", bdir);
    } else {
      for (int i = 0; i < nlink; i++) {
        if (link_driver(o, link[i]->tdir, &link[i], 1)) {
          snprintf(link[i]->exe, sizeof link[i]->exe, "%s/driver", link[i]->tdir);
        } else {
          snprintf(link[i]->link_msg, sizeof link[i]->link_msg,
                   "linking with %s failed (see %s/cc.log)", o->cc, link[i]->tdir);
        }
      }
    }
  }
  free(link);
  for (int i = 0; i < nb; i++) {
    aot_test *t = batch[i];
    char msg[2048];
    int r;
    if (t->built == 0 && t->nplanned != t->nsets) {
      r = 1; /* never a PASS for data sets that did not run */
      snprintf(msg, sizeof msg, "the build's plan %s/plan lists %d data sets; expected %d", t->tdir,
               t->nsets, t->nplanned);
    } else if (t->nsets == 0) {
      r = t->built;
      snprintf(msg, sizeof msg, "%s", t->msg);
    } else if (!t->exe[0]) {
      r = 1;
      snprintf(msg, sizeof msg, "%s", t->link_msg);
    } else {
      /* The data sets it built run first; a later data set's build error comes after them. */
      r = run_child(verify_child, t, o, msg, sizeof msg);
      if (r == 0) {
        r = t->built;
        snprintf(msg, sizeof msg, "%s", t->msg);
      }
    }
    print_verdict(ty, t->name, r, msg);
    if (o->keep_dir || (r == 1 && t->nsets > 0))
      kept++;
    else
      rm_tree(t->tdir);
    aot_test_free(t);
  }
  if (!o->keep_dir) rm_tree(bdir);
  return kept;
}

/* --aot: each test's build child compiles its models to objects named t<index>_<k> in the work
 * folder; batches of them are linked with the runtime and one driver; each test's data sets run
 * in a child of their own. Returns 0, or 1 when the work folder cannot be made. */
static int run_aot(const test_opts *o, const strlist *selected, tally *ty) {
  const char *tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  char work[256];
  snprintf(work, sizeof work, "%.200s/tcc-ml-test-XXXXXX", tmpdir);
  if (!mkdtemp(work)) {
    fprintf(stderr, "tcc-ml: error: test --aot: cannot create a work folder in %s: %s\n", tmpdir,
            strerror(errno));
    return 1;
  }
  aot_test *batch[AOT_BATCH];
  int nb = 0, nobj = 0, nbatch = 0, kept = 0;
  for (int i = 0; i < selected->n; i++) {
    aot_test *t = calloc(1, sizeof *t);
    t->dir = selected->v[i];
    t->name = base_name(t->dir);
    char clean[81];
    size_t n = 0;
    for (const char *s = t->name; *s && n < sizeof clean - 1; s++)
      clean[n++] = (isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.') ? *s : '_';
    clean[n] = 0;
    snprintf(t->tdir, sizeof t->tdir, "%s/%d_%s", work, i, clean);
    snprintf(t->prefix, sizeof t->prefix, "t%d", i);
    if (mkdir(t->tdir, 0700) != 0) {
      t->built = 1;
      snprintf(t->msg, sizeof t->msg, "cannot create %s: %s", t->tdir, strerror(errno));
    } else {
      build_arg ba = {t->dir, {t->tdir, t->prefix}};
      t->built = run_child(build_child, &ba, o, t->msg, sizeof t->msg);
      plan_read(t);
    }
    int k = count_models(t);
    if (nb > 0 && (nb == AOT_BATCH || nobj + k > AOT_BATCH)) {
      kept += aot_flush(o, ty, work, nb, batch, nbatch++);
      nb = nobj = 0;
    }
    batch[nb++] = t;
    nobj += k;
  }
  if (nb > 0) kept += aot_flush(o, ty, work, nb, batch, nbatch++);
  if (o->keep_dir)
    fprintf(stderr, "tcc-ml: test --aot: build folders kept in %s\n", work);
  else if (kept > 0)
    fprintf(stderr, "tcc-ml: test --aot: the files of the failing tests are in %s\n", work);
  else
    rm_tree(work);
  return 0;
}

/* Upper bounds of --timeout (a week) and --mem (1 TiB, so MB << 20 fits rlim_t everywhere). */
#define MAX_TIMEOUT_S (7L * 24 * 3600)
#define MAX_MEM_MB (1L << 20)

/* Parses the whole of `s` as a decimal integer in [lo, hi] (strtol, base 10) into *out; else
 * prints "tcc-ml: error: test: OPT 'S': expected an integer number of UNIT in [lo, hi]". */
static bool parse_long(const char *opt, const char *s, long lo, long hi, const char *unit,
                       long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (!*s || isspace((unsigned char)*s) || *end || errno == ERANGE || v < lo || v > hi) {
    fprintf(stderr,
            "tcc-ml: error: test: %s '%s': expected an integer number of %s in [%ld, %ld]\n", opt,
            s, unit, lo, hi);
    return false;
  }
  *out = v;
  return true;
}

/* --rtol / --atol: the whole of `s` a finite number >= 0 (strtod). */
static bool parse_tol(const char *opt, const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (!*s || isspace((unsigned char)*s) || *end || errno == ERANGE || !isfinite(v) || v < 0) {
    fprintf(stderr, "tcc-ml: error: test: %s '%s': expected a finite number >= 0\n", opt, s);
    return false;
  }
  *out = v;
  return true;
}

/* --shard I/N: two decimal integers with 0 <= I < N, nothing else. */
static bool parse_shard(const char *s, int *si, int *sn) {
  char *end, *end2 = "";
  errno = 0;
  long i = strtol(s, &end, 10), n = -1;
  if (end != s && *end == '/' && isdigit((unsigned char)end[1])) n = strtol(end + 1, &end2, 10);
  if (end == s || !isdigit((unsigned char)*s) || n < 1 || *end2 || errno == ERANGE || i >= n ||
      n > 1000000) {
    fprintf(stderr,
            "tcc-ml: error: test: --shard '%s': expected I/N, two integers with 0 <= I < N\n", s);
    return false;
  }
  *si = (int)i;
  *sn = (int)n;
  return true;
}

static void usage(FILE *f) {
  fputs("usage: tcc-ml test [--aot] [--timeout S] [--mem MB] [--shard I/N]\n"
        "                   [--known-failures FILE] [--match SUBSTR] [--exclude SUBSTR] PATH...\n"
        "PATH: a test folder (model.onnx + test_data_set_N/) or a folder of them.\n"
        "  --aot                link objects with libtccrt.a and a driver through the C compiler\n"
        "                       ($CC or cc; $TCCRT_LIB, else <tcc-ml's dir>/../runtime/libtccrt.a\n"
        "                       or, installed, <tcc-ml's dir>/../lib/libtccrt.a)\n"
        "  --target TRIPLE      with --aot: compile for TRIPLE (link with --cc, run with --exec)\n"
        "  --cc CC              the C compiler that links the program (default $CC or cc)\n"
        "  --runtime ARGS       the runtime to link: libtccrt.a's path or compiler arguments\n"
        "                       (e.g. '-Iruntime/include runtime/src/*.c' for a cross target)\n"
        "  --exec PREFIX        run the program through PREFIX (e.g. 'qemu-aarch64 -L /usr/...')\n"
        "  --timeout S          per-test time limit in seconds, >= 1 (default 120)\n"
        "  --mem MB             per-test address-space limit in MB (default 8192; 0: no limit,\n"
        "                       needed under AddressSanitizer); a test over it FAILs\n"
        "  --rtol R, --atol A   float tolerances, finite and >= 0 (default 1e-3, 1e-7: the\n"
        "                       ONNX runner's)\n"
        "  --shard I/N          run the tests whose index modulo N is I\n"
        "  --match SUBSTR       run only tests whose name contains SUBSTR (repeatable: any)\n"
        "  --exclude SUBSTR     skip tests whose name contains SUBSTR (repeatable)\n"
        "  --keep               keep --aot's work folder (objects, headers, drivers, data)\n"
        "  --known-failures F   F lists tests expected not to pass (one name per line, '#'\n"
        "                       comments); exit non-zero only when an unlisted test fails or a\n"
        "                       listed one passes\n",
        f);
}

/* The lists a run of `tcc-ml test` builds (klist and tests own their strings). */
typedef struct test_lists {
  strlist paths, excludes, matches, klist, tests, selected;
} test_lists;

static int test_main(int argc, char **argv, test_lists *L) {
  strlist *paths = &L->paths, *excludes = &L->excludes, *matches = &L->matches;
  strlist *klist = &L->klist, *tests = &L->tests, *selected = &L->selected;
  test_opts o = {false, 120, 8192, 1e-3, 1e-7, NULL, NULL, NULL, NULL, NULL};
  const char *known = NULL;
  int shard_i = 0, shard_n = 1;
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
      long v;
      if (!parse_long(a, argv[++i], 1, MAX_TIMEOUT_S, "seconds", &v)) return 1;
      o.timeout_s = (int)v;
    } else if ((!strcmp(a, "--rtol") || !strcmp(a, "--atol")) && i + 1 < argc) {
      if (!parse_tol(a, argv[++i], a[2] == 'r' ? &o.rtol : &o.atol)) return 1;
    } else if (!strcmp(a, "--mem") && i + 1 < argc) {
      if (!parse_long(a, argv[++i], 0, MAX_MEM_MB, "megabytes (0: no limit)", &o.mem_mb)) return 1;
    } else if (!strcmp(a, "--shard") && i + 1 < argc) {
      if (!parse_shard(argv[++i], &shard_i, &shard_n)) return 1;
    } else if (!strcmp(a, "--exclude") && i + 1 < argc) {
      sl_push(excludes, argv[++i]);
    } else if (!strcmp(a, "--match") && i + 1 < argc) {
      sl_push(matches, argv[++i]);
    } else if (!strcmp(a, "--known-failures") && i + 1 < argc) {
      known = argv[++i];
    } else if (a[0] == '-') {
      fprintf(stderr, "tcc-ml: error: test: unknown or incomplete option '%s'\n", a);
      usage(stderr);
      return 1;
    } else {
      sl_push(paths, (char *)a);
    }
  }
  if (paths->n == 0) {
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
    /* The build tree's layout (build/tools/tcc-ml, build/runtime/libtccrt.a) first, then an
     * installed tree's (P/bin/tcc-ml, P/lib/libtccrt.a). */
    snprintf(libbuf, sizeof libbuf, "%s/../runtime/libtccrt.a", exe_dir());
    if (access(libbuf, R_OK) != 0) {
      static char libbuf2[4200];
      snprintf(libbuf2, sizeof libbuf2, "%s/../lib/libtccrt.a", exe_dir());
      if (access(libbuf2, R_OK) == 0) snprintf(libbuf, sizeof libbuf, "%s", libbuf2);
    }
    o.runtime_lib = libbuf;
  }
  {
    char tb[512];
    const char *bad_target = tcc_tool_check_target(o.triple, NULL, tb, sizeof tb);
    if (bad_target) {
      fprintf(stderr, "tcc-ml: error: test: %s\n", bad_target);
      return 1;
    }
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
      sl_push(klist, strdup(s));
    }
    fclose(f);
  }
  for (int i = 0; i < paths->n; i++) {
    struct stat st;
    if (stat(paths->v[i], &st)) {
      fprintf(stderr, "tcc-ml: error: test: %s: %s\n", paths->v[i], strerror(errno));
      return 1;
    }
    int before = tests->n;
    collect(paths->v[i], tests);
    if (tests->n == before) {
      fprintf(stderr,
              "tcc-ml: error: test: %s: no test found (expected a folder with model.onnx and "
              "test_data_set_N/, or a folder of such folders)\n",
              paths->v[i]);
      return 1;
    }
  }
  tally ty = {0};
  ty.known = known;
  ty.klist = klist;
  int nselected = 0;
  int idx = -1;
  for (int t = 0; t < tests->n; t++) {
    const char *name = base_name(tests->v[t]);
    bool excluded = false;
    for (int e = 0; e < excludes->n; e++)
      excluded |= strstr(name, excludes->v[e]) != NULL;
    if (excluded) continue;
    bool matched = matches->n == 0;
    for (int e = 0; e < matches->n; e++)
      matched |= strstr(name, matches->v[e]) != NULL;
    if (!matched) continue;
    nselected++;
    idx++;
    if (idx % shard_n != shard_i) continue;
    sl_push(selected, tests->v[t]);
  }
  if (o.aot) {
    if (run_aot(&o, selected, &ty) != 0) return 1;
  } else {
    for (int t = 0; t < selected->n; t++) {
      char msg[2048];
      int r = run_child(jit_child, selected->v[t], &o, msg, sizeof msg);
      print_verdict(&ty, base_name(selected->v[t]), r, msg);
    }
  }
  int npass = ty.npass, nfail = ty.nfail, nskip = ty.nskip, unexpected = ty.unexpected;
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

/* `tcc-ml test`: every list the run allocates is freed on every exit path. */
int tcc_cmd_test(int argc, char **argv) {
  test_lists L = {0};
  int rc = test_main(argc, argv, &L);
  for (int i = 0; i < L.klist.n; i++)
    free(L.klist.v[i]);
  for (int i = 0; i < L.tests.n; i++)
    free(L.tests.v[i]);
  strlist *all[] = {&L.paths, &L.excludes, &L.matches, &L.klist, &L.tests, &L.selected};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    free(all[i]->v);
  return rc;
}
