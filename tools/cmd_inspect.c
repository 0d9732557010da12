/* cmd_inspect.c — `tcc-ml inspect MODEL.onnx [--input-shape NAME=DIMS]... [--format text|dot|json]
 *                  [--layout auto|nchw]`
 *
 * Imports the model (frontend/onnx), resolves every node's operator in the registry, infers
 * dtypes and shapes, and prints the graph: text (every value's dtype and shape), Graphviz dot
 * or JSON. Symbolic dims left unbound are named in a note on stderr (exit 0). Errors are one
 * line "tcc-ml: error: FILE: node 'NAME' (OP): what was expected" and exit code 1. */
#include "aot/aot.h"
#include "commands.h"
#include "onnx/onnx_import.h"
#include "ops/op.h"

#include <stdio.h>
#include <string.h>

static void inspect_usage(FILE *f) {
  fputs("usage: tcc-ml inspect MODEL.onnx [--input-shape NAME=DIMS]... [--format text|dot|json]\n"
        "                          [--layout auto|nchw]\n"
        "  --input-shape NAME=DIMS  bind input NAME to DIMS (e.g. input=1x3x224x224), which also\n"
        "                           binds the symbolic dims (dim_params) it declares\n"
        "  --format FMT             text (default), dot (Graphviz) or json\n"
        "  --layout auto|nchw       also run compile's graph passes (constant folding, dead\n"
        "                           code and, with auto, blocked layouts for the baseline CPU)\n"
        "                           and print the graph they leave, then each blocked value's\n"
        "                           layout ('layout %v: NCHW8c'); needs bound shapes\n",
        f);
}

/* Prints "tcc-ml: error: MSG" as exactly one line: control characters that names in a model
 * may carry are escaped. */
static int fail(tcc_context *ctx, const char *msg) {
  fputs("tcc-ml: error: ", stderr);
  for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
    if (*p == '\n')
      fputs("\\n", stderr);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(stderr, "\\x%02x", *p);
    else
      fputc(*p, stderr);
  }
  fputc('\n', stderr);
  tcc_context_destroy(ctx);
  return 1;
}

int tcc_cmd_inspect(int argc, char **argv) {
  tcc_context *ctx = tcc_context_create();
  const char *model = NULL, *layout = NULL;
  tcc_graph_format fmt = TCC_FMT_TEXT;
  tcc_input_shape shapes[64];
  tcc_import_options opts = {0};
  opts.input_shapes = shapes;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      inspect_usage(stdout);
      tcc_context_destroy(ctx);
      return 0;
    }
    bool is_shape = !strcmp(a, "--input-shape") || !strncmp(a, "--input-shape=", 14);
    bool is_fmt = !strcmp(a, "--format") || !strncmp(a, "--format=", 9);
    bool is_layout = !strcmp(a, "--layout") || !strncmp(a, "--layout=", 9);
    if (is_layout) {
      const char *eq = strchr(a, '=');
      layout = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
      if (!layout || (strcmp(layout, "auto") && strcmp(layout, "nchw"))) {
        fprintf(stderr, "tcc-ml: error: inspect: --layout '%s': expected auto or nchw\n",
                layout ? layout : "");
        tcc_context_destroy(ctx);
        return 1;
      }
      continue;
    }
    if (is_shape || is_fmt) {
      const char *eq = strchr(a, '=');
      if (eq) {
        val = eq + 1;
      } else if (i + 1 < argc) {
        val = argv[++i];
      } else {
        fprintf(stderr, "tcc-ml: error: inspect: %s needs a value (%s)\n", a,
                is_shape ? "NAME=DIMS" : "text, dot or json");
        tcc_context_destroy(ctx);
        return 1;
      }
      if (is_shape) {
        if (opts.ninput_shapes == (int)(sizeof shapes / sizeof shapes[0])) {
          return fail(ctx, "inspect: too many --input-shape flags (at most 64)");
        }
        if (tcc_parse_input_shape(ctx, val, &shapes[opts.ninput_shapes]) != TCC_OK)
          return fail(ctx, tcc_error_text(ctx));
        opts.ninput_shapes++;
      } else if (!strcmp(val, "text")) {
        fmt = TCC_FMT_TEXT;
      } else if (!strcmp(val, "dot")) {
        fmt = TCC_FMT_DOT;
      } else if (!strcmp(val, "json")) {
        fmt = TCC_FMT_JSON;
      } else {
        fprintf(stderr,
                "tcc-ml: error: inspect: unknown --format '%s' (expected text, dot or json)\n",
                val);
        tcc_context_destroy(ctx);
        return 1;
      }
      continue;
    }
    if (a[0] == '-' && a[1]) {
      fprintf(stderr,
              "tcc-ml: error: inspect: unknown option '%s' (expected --input-shape NAME=DIMS or "
              "--format text|dot|json)\n",
              a);
      tcc_context_destroy(ctx);
      return 1;
    }
    if (model) {
      fprintf(stderr, "tcc-ml: error: inspect: more than one model given ('%s' and '%s')\n", model,
              a);
      tcc_context_destroy(ctx);
      return 1;
    }
    model = a;
  }
  if (!model) {
    fputs("tcc-ml: error: inspect: no model given\n", stderr);
    inspect_usage(stderr);
    tcc_context_destroy(ctx);
    return 1;
  }
  tcc_graph *g;
  if (tcc_onnx_import_file(ctx, model, &opts, &g) != TCC_OK) return fail(ctx, tcc_error_text(ctx));
  tcc_layout_table layouts = {0, NULL};
  if (layout) {
    tcc_aot_options ao = {0};
    ao.name = "inspect";
    ao.layout = !strcmp(layout, "nchw") ? TCC_AOT_LAYOUT_PLAIN : TCC_AOT_LAYOUT_AUTO;
    if (tcc_aot_prepare_graph(ctx, g, &ao, &layouts) != TCC_OK)
      return fail(ctx, tcc_error_text(ctx));
  } else {
    if (tcc_graph_resolve_ops(ctx, g) != TCC_OK) return fail(ctx, tcc_error_text(ctx));
    if (tcc_graph_infer(ctx, g) != TCC_OK) return fail(ctx, tcc_error_text(ctx));
  }
  tcc_graph_print(stdout, g, fmt);
  if (layout && fmt == TCC_FMT_TEXT) tcc_aot_print_layouts(stdout, g, &layouts);
  if (fflush(stdout) != 0) return fail(ctx, "inspect: cannot write the output");
  if (g->symbols.len) {
    fputs("tcc-ml: note: unbound symbolic dims:", stderr);
    for (size_t i = 0; i < g->symbols.len; i++)
      fprintf(stderr, "%s %s", i ? "," : "", TCC_VEC_AT(g->symbols, const tcc_var *, i)->name);
    fputs(" (bind them with --input-shape NAME=DIMS)\n", stderr);
  }
  tcc_context_destroy(ctx);
  return 0;
}
