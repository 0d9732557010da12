/* cmd_compile.c — `tcc-ml compile MODEL.onnx -o OUT.o --name NAME ...`: ahead-of-time compilation
 * of a model into an object file and its header NAME.h (written beside OUT.o). */
#include "aot/aot.h"
#include "commands.h"
#include "onnx/onnx_import.h"
#include "ops/op.h"
#include "tool_common.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* `path` made absolute with symbolic links resolved (for a file that does not exist yet: its
 * folder's real path and its name); malloc'd. */
static char *canonical_path(const char *path) {
  char *r = realpath(path, NULL);
  if (r) return r;
  const char *slash = strrchr(path, '/');
  char *dir = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup(".");
  char *rd = realpath(dir, NULL);
  free(dir);
  const char *base = slash ? slash + 1 : path;
  char *out = malloc((rd ? strlen(rd) : strlen(path)) + strlen(base) + 2);
  if (rd)
    sprintf(out, "%s/%s", rd, base);
  else
    strcpy(out, path);
  free(rd);
  return out;
}

/* 0 when the folder `path` would be written in exists and is writable; else errno. */
static int dir_writable(const char *path) {
  const char *slash = strrchr(path, '/');
  char *dir = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup(".");
  int e = access(dir, W_OK) ? errno : 0;
  free(dir);
  return e;
}

/* True when a and b name the same file (same real path, or the same device and inode). */
static bool same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (!stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
    return true;
  char *ca = canonical_path(a), *cb = canonical_path(b);
  bool same = !strcmp(ca, cb);
  free(ca);
  free(cb);
  return same;
}

static void usage(FILE *f) {
  fputs("usage: tcc-ml compile MODEL.onnx -o OUT.o [--name NAME] [--target TRIPLE] [--mcpu CPU]\n"
        "                      [--input-shape NAME=DIMS]... [--emit obj|asm|llvm] [--report]\n"
        "                      [--params FILE] [--dump-ir graph|tir] [--layout auto|nchw]\n"
        "                      [-O0|-O1|-O2|-O3]\n"
        "Writes OUT.o (or assembly / LLVM IR with --emit) and NAME.h beside it.\n"
        "  --name NAME         symbol prefix (NAME_run, NAME_info ...); default: OUT's stem\n"
        "  --target TRIPLE     e.g. x86_64-linux-gnu, aarch64-linux-gnu, arm-linux-gnueabihf,\n"
        "                      aarch64-linux-android, armv7a-linux-androideabi (default: host)\n"
        "  --mcpu CPU          CPU name or 'native' (default: the triple's baseline CPU)\n"
        "  --input-shape N=D   bind input N's shape, e.g. x=1x3x224x224 (symbolic dims)\n"
        "  --params FILE       write the weights to FILE (mapped at run time and given to\n"
        "                      NAME_set_params) instead of the object's read-only data\n"
        "  --report            print the memory plan and kernels\n"
        "  --dump-ir graph|tir print the graph after the passes (with the fused groups and\n"
        "                      the blocked layouts of values) or every kernel's loop IR\n"
        "  --layout auto|nchw  auto (default): convolutions and the ops around them compute in\n"
        "                      blocked NCHW{x}c layouts (x from the target's vector width);\n"
        "                      nchw: every tensor stays in its ONNX layout. Inputs and outputs\n"
        "                      keep their ONNX layouts either way\n",
        f);
}

static const char *arg_value(int argc, char **argv, int *i, const char *flag) {
  size_t fl = strlen(flag);
  if (!strncmp(argv[*i], flag, fl) && argv[*i][fl] == '=') return argv[*i] + fl + 1;
  if (*i + 1 >= argc) {
    fprintf(stderr, "tcc-ml: error: %s needs a value\n", flag);
    return NULL;
  }
  return argv[++*i];
}

static bool is_flag(const char *a, const char *flag) {
  size_t fl = strlen(flag);
  return !strcmp(a, flag) || (!strncmp(a, flag, fl) && a[fl] == '=');
}

/* "dir/net.o" -> "net" made a C identifier. */
static char *stem_identifier(const char *path) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  char *s = strdup(b);
  char *dot = strrchr(s, '.');
  if (dot && dot != s) *dot = 0;
  for (char *p = s; *p; p++)
    if (!isalnum((unsigned char)*p)) *p = '_';
  if (!*s || isdigit((unsigned char)s[0])) {
    char *t = malloc(strlen(s) + 3);
    sprintf(t, "m_%s", s);
    free(s);
    s = t;
  }
  return s;
}

int tcc_cmd_compile(int argc, char **argv) {
  const char *model = NULL, *out = NULL, *name = NULL, *triple = NULL, *mcpu = NULL;
  const char *emit = "obj", *params = NULL, *dump = NULL, *layout = "auto";
  bool report = false;
  int opt = 3;
  int nshapes = 0;
  const char **shape_specs = calloc((size_t)argc + 1, sizeof(char *));
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      free(shape_specs);
      return 0;
    } else if (is_flag(a, "-o") || is_flag(a, "--output")) {
      if (!(out = arg_value(argc, argv, &i, a[1] == 'o' ? "-o" : "--output"))) goto bad;
    } else if (is_flag(a, "--name")) {
      if (!(name = arg_value(argc, argv, &i, "--name"))) goto bad;
    } else if (is_flag(a, "--target")) {
      if (!(triple = arg_value(argc, argv, &i, "--target"))) goto bad;
    } else if (is_flag(a, "--mcpu")) {
      if (!(mcpu = arg_value(argc, argv, &i, "--mcpu"))) goto bad;
    } else if (is_flag(a, "--dump-ir")) {
      if (!(dump = arg_value(argc, argv, &i, "--dump-ir"))) goto bad;
      if (strcmp(dump, "graph") && strcmp(dump, "tir")) {
        fprintf(stderr, "tcc-ml: error: --dump-ir '%s': expected graph or tir\n", dump);
        goto bad;
      }
    } else if (is_flag(a, "--layout")) {
      if (!(layout = arg_value(argc, argv, &i, "--layout"))) goto bad;
      if (strcmp(layout, "auto") && strcmp(layout, "nchw")) {
        fprintf(stderr, "tcc-ml: error: --layout '%s': expected auto or nchw\n", layout);
        goto bad;
      }
    } else if (is_flag(a, "--params")) {
      if (!(params = arg_value(argc, argv, &i, "--params"))) goto bad;
    } else if (is_flag(a, "--emit")) {
      if (!(emit = arg_value(argc, argv, &i, "--emit"))) goto bad;
    } else if (is_flag(a, "--input-shape")) {
      if (!(shape_specs[nshapes++] = arg_value(argc, argv, &i, "--input-shape"))) goto bad;
    } else if (!strcmp(a, "--report")) {
      report = true;
    } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
      opt = a[2] - '0';
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "tcc-ml: error: compile: unknown option '%s' (see tcc-ml compile --help)\n",
              a);
      goto bad;
    } else if (!model) {
      model = a;
    } else {
      fprintf(stderr, "tcc-ml: error: compile: more than one model given ('%s', '%s')\n", model, a);
      goto bad;
    }
  }
  if (!model || !out) {
    fprintf(stderr, "tcc-ml: error: compile: %s\n",
            !model ? "no MODEL.onnx given" : "no output given (-o OUT.o)");
    usage(stderr);
    goto bad;
  }
  {
    char tb[512];
    const char *bad_target = tcc_tool_check_target(triple, mcpu, tb, sizeof tb);
    if (bad_target) {
      fprintf(stderr, "tcc-ml: error: compile: %s\n", bad_target);
      goto bad;
    }
  }
  tcc_aot_output kind;
  if (!strcmp(emit, "obj"))
    kind = TCC_AOT_OBJECT;
  else if (!strcmp(emit, "asm"))
    kind = TCC_AOT_ASM;
  else if (!strcmp(emit, "llvm"))
    kind = TCC_AOT_LLVM_IR;
  else {
    fprintf(stderr, "tcc-ml: error: --emit '%s': expected obj, asm or llvm\n", emit);
    goto bad;
  }

  /* NAME.h beside the output. */
  const char *hname = name ? name : NULL;
  char *hstem = hname ? NULL : stem_identifier(out);
  const char *slash = strrchr(out, '/');
  size_t hlen = (slash ? (size_t)(slash - out + 1) : 0) + strlen(hname ? hname : hstem) + 3;
  char *hpath = malloc(hlen);
  snprintf(hpath, hlen, "%.*s%s.h", slash ? (int)(slash - out + 1) : 0, out, hname ? hname : hstem);
  free(hstem);
  {
    const char *files[4] = {model, out, hpath, params};
    const char *what[4] = {"the model", "the output (-o)", "the header", "the params file"};
    for (int a = 0; a < 4; a++)
      for (int b = a + 1; b < 4; b++)
        if (files[a] && files[b] && same_file(files[a], files[b])) {
          fprintf(stderr, "tcc-ml: error: compile: %s '%s' and %s '%s' are the same file\n",
                  what[a], files[a], what[b], files[b]);
          free(hpath);
          goto bad;
        }
    for (int a = 1; a < 4; a++) {
      int e = files[a] ? dir_writable(files[a]) : 0;
      struct stat st;
      if (!e && files[a] && stat(files[a], &st) == 0 && !S_ISREG(st.st_mode))
        e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
      if (!e && files[a] && access(files[a], F_OK) == 0 && access(files[a], W_OK) != 0) e = errno;
      if (e) {
        fprintf(stderr, "tcc-ml: error: %s: cannot open for writing: %s\n", files[a], strerror(e));
        free(hpath);
        goto bad;
      }
    }
  }

  tcc_context *ctx = tcc_context_create();
  tcc_input_shape *shapes =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_input_shape) * (size_t)(nshapes + 1));
  int rc = 1;
  bool wrote_params = false, wrote_out = false, wrote_header = false;
  char *stem = name ? NULL : stem_identifier(out);
  for (int i = 0; i < nshapes; i++)
    if (tcc_parse_input_shape(ctx, shape_specs[i], &shapes[i]) != TCC_OK) goto fail;
  tcc_import_options io = {0};
  io.ninput_shapes = nshapes;
  io.input_shapes = shapes;
  tcc_graph *g;
  if (tcc_onnx_import_file(ctx, model, &io, &g) != TCC_OK) goto fail;
  {
    /* An opset newer than any operator version we know: warn (the ops are compiled with the
     * newest semantics we have, which a later opset may have changed). */
    int64_t newest = 0, want = tcc_graph_opset(g, "");
    for (int i = 0; i < tcc_op_count(); i++) {
      const tcc_op *op = tcc_op_at(i);
      if ((!op->domain || !op->domain[0]) && op->since_version > newest) newest = op->since_version;
    }
    if (newest > 0 && want > newest)
      fprintf(stderr,
              "tcc-ml: warning: %s: opset %lld is newer than the newest operator version tcc-ml "
              "knows (%lld); operators get their opset-%lld semantics\n",
              model, (long long)want, (long long)newest, (long long)newest);
  }
  tcc_aot_options ao = {name ? name : stem, triple, mcpu, opt, true, params != NULL, NULL, NULL};
  ao.layout = !strcmp(layout, "nchw") ? TCC_AOT_LAYOUT_PLAIN : TCC_AOT_LAYOUT_AUTO;
  if (dump && !strcmp(dump, "graph")) ao.dump_graph = stdout;
  if (dump && !strcmp(dump, "tir")) ao.dump_tir = stdout;
  tcc_aot_model *m;
  if (tcc_aot_compile(ctx, g, &ao, &m) != TCC_OK) goto fail;
  if (report) tcc_aot_report(m, stdout);
  /* Written in this order; on a failure what was written is removed (no half set of files). */
  wrote_params = params != NULL;
  if (params && tcc_aot_write_params(m, params) != TCC_OK) {
    tcc_aot_model_destroy(m);
    goto fail;
  }
  wrote_out = true;
  if (tcc_aot_emit_file(m, kind, out) != TCC_OK) {
    tcc_aot_model_destroy(m);
    goto fail;
  }
  wrote_header = true;
  tcc_status hs = tcc_aot_write_header(m, hpath);
  tcc_aot_model_destroy(m);
  if (hs != TCC_OK) goto fail;
  rc = 0;
fail:
  if (rc) {
    if (wrote_params) unlink(params);
    if (wrote_out) unlink(out);
    if (wrote_header) unlink(hpath);
  }
  if (rc) {
    /* Every error names the model file (codegen's messages do not carry it). */
    const char *e = tcc_error_text(ctx);
    tcc_tool_print_error(strstr(e, model) || strstr(e, out) || (params && strstr(e, params))
                             ? e
                             : tcc_arena_printf(tcc_ctx_arena(ctx), "%s: %s", model, e));
  }
  free(stem);
  free(hpath);
  tcc_context_destroy(ctx);
  free(shape_specs);
  return rc;
bad:
  free(shape_specs);
  return 1;
}
