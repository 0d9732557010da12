/* test_infer_conformance.c — type and shape inference against the ONNX node tests and the real
 * models (issue 3).
 *
 * For every folder of $TCC_SHARED_DIR/onnx-node-tests and $TCC_SHARED_DIR/models: import the
 * model, bind each graph input's shape from test_data_set_0/input_K.pb, resolve the ops (a model
 * with an unregistered op is skipped), infer, and compare every graph output's dtype and shape
 * with test_data_set_0/output_K.pb (the ONNX reference's outputs — an independent oracle).
 *
 * tests/ops/infer_known_failures.txt lists the tests that are expected to differ, each with its
 * reason. The test fails when an unlisted test differs (a regression) or a listed one agrees
 * (update the list), and when fewer than 98% of the compared tests agree. Prints
 * "N agree, N differ, N skipped". TCC_INFER_VERBOSE=1 prints every test's result. */
#include "onnx/onnx_import.h"
#include "ops/op_util.h"
#include "testutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef TCC_CONF_RESULT_DEFINED
typedef enum result { R_AGREE, R_DIFFER, R_SKIP } result;
#endif

/* test_compute_conformance.c includes this file with its own post-inference check. */
#ifndef CONFORMANCE_NAME
#define CONFORMANCE_NAME "test_infer_conformance"
#define KNOWN_FILE "infer_known_failures.txt"
#define MIN_AGREE_PCT 98
#define NSUBS 2
static result post_infer(tcc_context *ctx, tcc_graph *g, tcc_value *const *exp, int nout, char *why,
                         size_t whyn) {
  (void)ctx, (void)g, (void)exp, (void)nout, (void)why, (void)whyn;
  return R_AGREE;
}
#endif

static bool verbose;
/* The current test's inputs (for test_compute_conformance.c's post_infer). */
static tcc_value *const *cur_ins;
static int cur_nin;

/* snprintf for paths and messages (truncation is acceptable: names are short). */
static void fmt(char *buf, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t n, const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, n, f, ap);
  va_end(ap);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted subfolder names of dir (malloc'ed). */
static int list_dirs(const char *dir, char ***out) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int n = 0, cap = 0;
  char **v = NULL;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char p[4096];
    fmt(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(p, &st) || !S_ISDIR(st.st_mode)) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 256;
      v = realloc(v, (size_t)cap * sizeof *v);
    }
    v[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(v, (size_t)n, sizeof *v, cmp_str);
  *out = v;
  return n;
}

static bool find_model(const char *dir, char *path, size_t n) {
  fmt(path, n, "%s/model.onnx", dir);
  struct stat st;
  if (!stat(path, &st)) return true;
  DIR *d = opendir(dir);
  if (!d) return false;
  struct dirent *e;
  bool found = false;
  while (!found && (e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l > 5 && !strcmp(e->d_name + l - 5, ".onnx")) {
      fmt(path, n, "%s/%s", dir, e->d_name);
      found = true;
    }
  }
  closedir(d);
  return found;
}

static bool exists(const char *p) {
  struct stat st;
  return !stat(p, &st);
}

/* Runs one test folder. *why gets a reason for SKIP/DIFFER (static buffer). */
static result run_one(const char *dir, char *why, size_t whyn) {
  char model[4096];
  why[0] = 0;
  if (!find_model(dir, model, sizeof model)) {
    fmt(why, whyn, "no .onnx model");
    return R_SKIP;
  }
  tcc_context *ctx = tcc_context_create();
  result res = R_SKIP;
  /* Inputs of test_data_set_0. */
  tcc_value *ins[64];
  int nin = 0;
  for (; nin < 64; nin++) {
    char p[4200];
    fmt(p, sizeof p, "%s/test_data_set_0/input_%d.pb", dir, nin);
    if (!exists(p)) break;
    if (tcc_onnx_read_tensor_file(ctx, p, &ins[nin]) != TCC_OK) {
      fmt(why, whyn, "input_%d.pb unreadable: %.200s", nin, tcc_error_text(ctx));
      goto done;
    }
  }
  cur_ins = ins;
  cur_nin = nin;
  /* Bind input shapes by name; inputs whose .pb has no name are matched by position among the
   * graph inputs without defaults (learned from a first import). */
  tcc_input_shape shapes[64];
  bool need_names = false;
  for (int k = 0; k < nin; k++)
    need_names |= !ins[k]->name || !ins[k]->name[0];
  tcc_graph *g = NULL;
  if (need_names) {
    if (tcc_onnx_import_file(ctx, model, NULL, &g) != TCC_OK) {
      fmt(why, whyn, "import failed: %.300s", tcc_error_text(ctx));
      goto done;
    }
    int pos = 0;
    for (int k = 0; k < nin; k++) {
      if (ins[k]->name && ins[k]->name[0]) continue;
      while (pos < (int)g->inputs.len && TCC_GRAPH_INPUT(g, pos)->has_default)
        pos++;
      if (pos >= (int)g->inputs.len) {
        fmt(why, whyn, "more input_K.pb files than graph inputs");
        goto done;
      }
      ins[k]->name = TCC_GRAPH_INPUT(g, pos++)->name;
    }
  }
  int nshapes = 0;
  for (int k = 0; k < nin; k++) {
    if (ins[k]->ndim > TCCRT_MAX_RANK) {
      fmt(why, whyn, "input rank %d exceeds %d", ins[k]->ndim, TCCRT_MAX_RANK);
      goto done;
    }
    shapes[nshapes].name = ins[k]->name;
    shapes[nshapes].ndim = ins[k]->ndim;
    for (int i = 0; i < ins[k]->ndim; i++)
      tcc_expr_is_int_imm(ins[k]->dims[i], &shapes[nshapes].dims[i]);
    nshapes++;
  }
  tcc_import_options opts = {0};
  opts.ninput_shapes = nshapes;
  opts.input_shapes = shapes;
  tcc_error_clear(ctx);
  if (tcc_onnx_import_file(ctx, model, &opts, &g) != TCC_OK) {
    fmt(why, whyn, "import failed: %.300s", tcc_error_text(ctx));
    goto done;
  }
  if (tcc_graph_resolve_ops(ctx, g) != TCC_OK) {
    fmt(why, whyn, "%.300s", tcc_error_text(ctx));
    goto done;
  }
  /* Expected outputs. */
  int nout = (int)g->outputs.len;
  tcc_value *exp[64];
  if (nout > 64) nout = 64;
  for (int k = 0; k < nout; k++) {
    char p[4200];
    fmt(p, sizeof p, "%s/test_data_set_0/output_%d.pb", dir, k);
    if (!exists(p) || tcc_onnx_read_tensor_file(ctx, p, &exp[k]) != TCC_OK) {
      fmt(why, whyn, "output_%d.pb missing or not a tensor", k);
      goto done;
    }
  }
  /* The node tests feed shape-like operands (Reshape's shape, Slice's starts, axes, K, Range's
   * bounds ...) as graph inputs. Their values are known for this test, so small inputs (at most
   * 64 elements) are bound as constants, as a compiler specializing the model for these inputs
   * would; their shapes come from the .pb files as for every input. */
  for (int k = 0; k < nin; k++) {
    int64_t numel = 1;
    for (int i = 0; i < ins[k]->ndim; i++)
      numel *= ins[k]->dims[i]->u.ival;
    if (numel > 64 || !ins[k]->data || ins[k]->dtype == TCCRT_STRING) continue;
    for (size_t i = 0; i < g->inputs.len; i++) {
      tcc_value *gi = TCC_GRAPH_INPUT(g, i);
      if (strcmp(gi->name, ins[k]->name) || gi->ndim != ins[k]->ndim) continue;
      gi->kind = TCC_VALUE_CONST;
      gi->data = ins[k]->data;
      gi->nbytes = ins[k]->nbytes;
      gi->is_fill = ins[k]->is_fill;
    }
  }
  res = R_DIFFER;
  if (tcc_graph_infer(ctx, g) != TCC_OK) {
    fmt(why, whyn, "inference failed: %.400s", tcc_error_text(ctx));
    if (getenv("TCC_INFER_DUMP")) tcc_graph_print(stderr, g, TCC_FMT_TEXT);
    goto done;
  }
  for (int k = 0; k < nout; k++) {
    const tcc_value *v = TCC_GRAPH_OUTPUT(g, k), *e = exp[k];
    bool same = v->dtype == e->dtype && v->ndim == e->ndim;
    for (int i = 0; same && i < v->ndim; i++) {
      int64_t a, b;
      same = tcc_expr_is_int_imm(v->dims[i], &a) && tcc_expr_is_int_imm(e->dims[i], &b) && a == b;
    }
    if (!same) {
      char s1[1024] = "", s2[1024] = "";
      size_t l1 = 0, l2 = 0;
      for (int i = 0; i < v->ndim && l1 < 900; i++)
        l1 += (size_t)snprintf(s1 + l1, sizeof s1 - l1, "%s%s", i ? "," : "",
                               tcc_expr_str(ctx, v->dims[i]));
      for (int i = 0; i < e->ndim && l2 < 900; i++) {
        int64_t b = -1;
        tcc_expr_is_int_imm(e->dims[i], &b);
        l2 += (size_t)snprintf(s2 + l2, sizeof s2 - l2, "%s%lld", i ? "," : "", (long long)b);
      }
      fmt(why, whyn, "output %d ('%s'): inferred %s[%s], expected %s[%s]", k, v->name,
          tccrt_dtype_name(v->dtype), s1, tccrt_dtype_name(e->dtype), s2);
      goto done;
    }
  }
  res = post_infer(ctx, g, exp, nout, why, whyn);
done:
  tcc_context_destroy(ctx);
  return res;
}

typedef struct known {
  char name[256];
  bool seen;
} known;

static int load_known(known **out) {
  const char *src = getenv("TCC_SOURCE_DIR");
  char p[4096];
  fmt(p, sizeof p, "%s/tests/ops/" KNOWN_FILE, src ? src : ".");
  FILE *f = fopen(p, "r");
  *out = NULL;
  if (!f) {
    fprintf(stderr, "note: %s not found; expecting no failures\n", p);
    return 0;
  }
  int n = 0, cap = 0;
  known *v = NULL;
  char line[2048];
  while (fgets(line, sizeof line, f)) {
    char name[256];
    if (line[0] == '#' || sscanf(line, "%255s", name) != 1) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      v = realloc(v, (size_t)cap * sizeof *v);
    }
    fmt(v[n].name, sizeof v[n].name, "%s", name);
    v[n].seen = false;
    n++;
  }
  fclose(f);
  *out = v;
  return n;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  verbose = getenv("TCC_INFER_VERBOSE") && atoi(getenv("TCC_INFER_VERBOSE"));
  known *kn;
  int nknown = load_known(&kn);
  const char *shared = tcc_test_shared_dir();
  const char *subs[] = {"onnx-node-tests", "models"};
  int agree = 0, differ = 0, skipped = 0, unexpected = 0, fixed = 0;
  for (size_t s = 0; s < NSUBS; s++) {
    char root[4096];
    fmt(root, sizeof root, "%s/%s", shared, subs[s]);
    char **names = NULL;
    int n = list_dirs(root, &names);
    CHECK_MSG(n > 0, "no test folders under %s", root);
    for (int i = 0; i < n; i++) {
      char dir[8192], why[2048], label[512];
      fmt(dir, sizeof dir, "%s/%s", root, names[i]);
      fmt(label, sizeof label, "%s%s", s ? "models/" : "", names[i]);
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      result r = run_one(dir, why, sizeof why);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
      if (verbose && secs > 0.2) printf("SLOW %s: %.2f s\n", label, secs);
      known *k = NULL;
      for (int j = 0; j < nknown; j++)
        if (!strcmp(kn[j].name, label)) k = &kn[j];
      if (k) k->seen = true;
      if (r == R_AGREE) {
        agree++;
        if (k) {
          fixed++;
          fprintf(stderr, "FIXED %s: agrees now; remove it from " KNOWN_FILE "\n", label);
        } else if (verbose) {
          printf("AGREE %s\n", label);
        }
      } else if (r == R_DIFFER) {
        differ++;
        if (!k) {
          unexpected++;
          fprintf(stderr, "DIFFER %s: %s\n", label, why);
        } else if (verbose) {
          printf("DIFFER (known) %s: %s\n", label, why);
        }
      } else {
        skipped++;
        if (verbose) printf("SKIP %s: %s\n", label, why);
      }
      free(names[i]);
    }
    free(names);
  }
  printf("%d agree, %d differ, %d skipped\n", agree, differ, skipped);
  CHECK_MSG(unexpected == 0, "%d tests differ that " KNOWN_FILE " does not list", unexpected);
  CHECK_MSG(fixed == 0, "%d tests listed in " KNOWN_FILE " agree now", fixed);
  int total = agree + differ;
  CHECK_MSG(total == 0 || agree * 100 >= total * MIN_AGREE_PCT, "only %d of %d agree (< %d%%)",
            agree, total, MIN_AGREE_PCT);
  free(kn);
  return tcc_test_finish(CONFORMANCE_NAME);
}
