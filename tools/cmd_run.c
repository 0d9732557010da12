/* cmd_run.c — `tcc-ml run MODEL.onnx --input NAME=FILE ... [--output-dir DIR]`: compiles the model
 * for the host, loads the very object `compile` would write into the JIT, runs it once on the
 * given inputs (.pb or .npy; shapes bind the model's symbolic dims) and prints or writes the
 * outputs (DIR/NAME.npy and DIR/output_K.pb). A sequence or optional input is an
 * onnx.SequenceProto / OptionalProto .pb file whose structure binds the model's (lengths,
 * presence, element shapes); sequence outputs are printed and written per element, NAME[i]. */
#include "commands.h"
#include "tool_common.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f) {
  fputs("usage: tcc-ml run MODEL.onnx --input [NAME=]FILE... [--output-dir DIR]\n"
        "  --input NAME=FILE   an input tensor (.pb onnx.TensorProto or .npy). Which input it\n"
        "                      is: NAME= when given; else the name stored in the .pb when the\n"
        "                      model has an input of that name; else the position (the K-th\n"
        "                      --input is the model's K-th input). A sequence or\n"
        "                      optional input: an onnx.SequenceProto / OptionalProto .pb file\n"
        "                      (its length and element shapes are compiled in; outputs that are\n"
        "                      sequences are given per element, NAME[0], NAME[1] ...)\n"
        "  --output-dir DIR    write each output as DIR/NAME.npy and DIR/output_K.pb\n",
        f);
}

int tcc_cmd_run(int argc, char **argv) {
  const char *model = NULL, *outdir = NULL;
  int nin = 0;
  const char **specs = calloc((size_t)argc + 1, sizeof(char *));
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      free(specs);
      return 0;
    } else if (!strcmp(a, "--input") || !strcmp(a, "-i")) {
      if (i + 1 >= argc) goto missing;
      specs[nin++] = argv[++i];
    } else if (!strncmp(a, "--input=", 8)) {
      specs[nin++] = a + 8;
    } else if (!strcmp(a, "--output-dir")) {
      if (i + 1 >= argc) goto missing;
      outdir = argv[++i];
    } else if (!strncmp(a, "--output-dir=", 13)) {
      outdir = a + 13;
    } else if (a[0] == '-') {
      fprintf(stderr, "tcc-ml: error: run: unknown option '%s' (see tcc-ml run --help)\n", a);
      free(specs);
      return 1;
    } else if (!model) {
      model = a;
    } else {
      fprintf(stderr, "tcc-ml: error: run: more than one model given\n");
      free(specs);
      return 1;
    }
  }
  if (!model) {
    fprintf(stderr, "tcc-ml: error: run: no MODEL.onnx given\n");
    usage(stderr);
    free(specs);
    return 1;
  }
  tcc_context *ctx = tcc_context_create();
  tcc_arena *ar = tcc_ctx_arena(ctx);
  int rc = 1;
  tcc_jit_model jm = {0};
  tcc_host_value *vals = tcc_arena_alloc(ar, sizeof(tcc_host_value) * (size_t)(nin + 1));
  const char **names = tcc_arena_alloc(ar, sizeof(char *) * (size_t)(nin + 1));
  /* The model's declared inputs (sequences and optionals unexpanded) type the files. */
  tcc_graph *g0;
  if (tcc_onnx_import_file(ctx, model, NULL, &g0) != TCC_OK) goto fail;
  for (int i = 0; i < nin; i++) {
    const char *eq = strchr(specs[i], '=');
    const char *file = eq ? eq + 1 : specs[i];
    names[i] = eq ? tcc_arena_strndup(ar, specs[i], (size_t)(eq - specs[i])) : NULL;
    if (!names[i]) {
      /* Without NAME=: the .pb's own name when it names one of the model's inputs, else the
       * model's input at this position (a .npy has no name). */
      if (tcc_tool_read_value(ctx, file, NULL, &vals[i]) != TCC_OK) goto fail;
      bool pb_named = false;
      for (size_t k = 0; vals[i].name && k < g0->inputs.len; k++)
        pb_named |= !strcmp(TCC_GRAPH_INPUT(g0, k)->name, vals[i].name);
      if (pb_named) {
        names[i] = vals[i].name;
      } else if ((size_t)i < g0->inputs.len) {
        names[i] = TCC_GRAPH_INPUT(g0, i)->name;
      } else {
        tcc_error(ctx, "%s: input %d given but the model has %zu inputs", model, i, g0->inputs.len);
        goto fail;
      }
    }
    const tcc_value *decl = NULL;
    for (size_t k = 0; k < g0->inputs.len; k++)
      if (!strcmp(TCC_GRAPH_INPUT(g0, k)->name, names[i])) decl = TCC_GRAPH_INPUT(g0, k);
    if (!decl) {
      /* Name the inputs there are: 'a', 'b' (at most 8, then "..."). */
      char *list = tcc_arena_strdup(ar, "");
      for (size_t k = 0; k < g0->inputs.len && k < 8; k++)
        list = tcc_arena_printf(ar, "%s%s'%s'", list, k ? ", " : "", TCC_GRAPH_INPUT(g0, k)->name);
      if (g0->inputs.len > 8) list = tcc_arena_printf(ar, "%s, ...", list);
      tcc_error(ctx, "%s: --input %s: the model has no input '%s' (it has %zu input%s%s%s)", model,
                specs[i], names[i], g0->inputs.len, g0->inputs.len == 1 ? "" : "s",
                g0->inputs.len ? ": " : "", list);
      goto fail;
    }
    static const tcc_value_type tensor_type = {
        TCC_TYPE_TENSOR, TCCRT_UNDEFINED, -1, NULL, NULL, -1, NULL};
    if (tcc_tool_read_value(ctx, file, tcc_value_is_structured(decl) ? decl->vtype : &tensor_type,
                            &vals[i]) != TCC_OK)
      goto fail;
  }
  for (int i = 0; i < nin; i++)
    for (int j = 0; j < i; j++)
      if (!strcmp(names[i], names[j])) {
        tcc_error(ctx, "%s: input '%s' given twice (--input %s and --input %s)", model, names[i],
                  specs[j], specs[i]);
        goto fail;
      }
  /* Each input's binding (a shape, or a sequence's structure) and its tensors, flattened as the
   * compiled model takes them (x[0], x[1] ... for a sequence). */
  tcc_input_shape *shapes = tcc_arena_alloc(ar, sizeof(tcc_input_shape) * (size_t)(nin + 1));
  tcc_vec flat;
  tcc_vec_init(&flat, sizeof(tcc_host_tensor));
  for (int i = 0; i < nin; i++)
    tcc_tool_flatten_value(ctx, names[i], &vals[i], &flat, &shapes[i]);
  const tcc_host_tensor *ins = flat.data;
  int nflat = (int)flat.len;
  if (tcc_tool_jit_compile(ctx, model, nin, shapes, 0, NULL, NULL, "model", &jm) != TCC_OK)
    goto fail;
  const tccrt_model_info *mi = jm.info;
  const void **in_ptrs = tcc_arena_alloc(ar, sizeof(void *) * (size_t)(mi->num_inputs + 1));
  void **out_ptrs = tcc_arena_alloc(ar, sizeof(void *) * (size_t)(mi->num_outputs + 1));
  for (int k = 0; k < mi->num_inputs; k++) {
    const tccrt_tensor_info *ti = &mi->inputs[k];
    int found = -1;
    for (int i = 0; i < nflat; i++)
      if (!strcmp(ins[i].name, ti->name)) found = i;
    if (found < 0) {
      tcc_error(ctx, "%s: no --input given for the model's input '%s'", model, ti->name);
      goto fail;
    }
    if (ins[found].dtype != ti->dtype || ins[found].nbytes != ti->size_bytes) {
      tcc_error(ctx, "%s: input '%s' is %s of %zu bytes; the model expects %s of %zu bytes", model,
                ti->name, tccrt_dtype_name(ins[found].dtype), ins[found].nbytes,
                tccrt_dtype_name(ti->dtype), ti->size_bytes);
      goto fail;
    }
    in_ptrs[k] = ins[found].data;
  }
  for (int k = 0; k < mi->num_outputs; k++) {
    out_ptrs[k] = tcc_tool_alloc_data(ctx, mi->outputs[k].size_bytes,
                                      tcc_arena_printf(ar, "output '%s'", mi->outputs[k].name));
    if (!out_ptrs[k]) goto fail;
  }
  int r = tcc_tool_jit_run(&jm, in_ptrs, out_ptrs);
  if (r != 0) {
    tcc_error(ctx, "%s: the model failed with code %d: %s", model, r, tccrt_last_error());
    goto fail;
  }
  if (outdir) mkdir(outdir, 0777);
  for (int k = 0; k < mi->num_outputs; k++) {
    const tccrt_tensor_info *ti = &mi->outputs[k];
    tcc_host_tensor t = {ti->name, ti->dtype, ti->ndim, {0}, out_ptrs[k], ti->size_bytes};
    memcpy(t.dims, ti->shape, sizeof(int64_t) * (size_t)ti->ndim);
    printf("output %d '%s': %s [", k, ti->name, tccrt_dtype_name(ti->dtype));
    for (int d = 0; d < ti->ndim; d++)
      printf("%s%lld", d ? ", " : "", (long long)ti->shape[d]);
    printf("]");
    size_t es = tccrt_dtype_size(ti->dtype), ne = es ? ti->size_bytes / es : 0;
    for (size_t e = 0; e < ne && e < 10; e++) {
      if (ti->dtype == TCCRT_FLOAT32)
        printf(" %g", ((float *)out_ptrs[k])[e]);
      else if (ti->dtype == TCCRT_FLOAT64)
        printf(" %g", ((double *)out_ptrs[k])[e]);
      else if (ti->dtype == TCCRT_INT64)
        printf(" %lld", (long long)((int64_t *)out_ptrs[k])[e]);
      else if (ti->dtype == TCCRT_INT32)
        printf(" %d", ((int32_t *)out_ptrs[k])[e]);
    }
    printf("%s\n", ne > 10 ? " ..." : "");
    if (outdir) {
      char *safe = tcc_arena_strdup(ar, ti->name);
      for (char *p = safe; *p; p++)
        if (*p == '/' || *p == '\\') *p = '_';
      if (tcc_tool_write_npy(ctx, tcc_arena_printf(ar, "%s/%s.npy", outdir, safe), &t) != TCC_OK)
        goto fail;
      if (tcc_onnx_write_tensor_file(ctx, tcc_arena_printf(ar, "%s/output_%d.pb", outdir, k),
                                     ti->name, ti->dtype, ti->ndim, ti->shape,
                                     out_ptrs[k]) != TCC_OK)
        goto fail;
    }
  }
  /* A sequence output of no elements or an absent optional output has no tensor: say so. */
  for (size_t q = 0; q < g0->outputs.len; q++) {
    const tcc_value *v = TCC_GRAPH_OUTPUT(g0, q);
    if (!tcc_value_is_structured(v)) continue;
    size_t nl = strlen(v->name);
    bool any = false;
    for (int k = 0; k < mi->num_outputs && !any; k++)
      any = !strncmp(mi->outputs[k].name, v->name, nl) &&
            (mi->outputs[k].name[nl] == 0 || mi->outputs[k].name[nl] == '[');
    if (!any)
      printf("output '%s': %s\n", v->name,
             v->vtype->kind == TCC_TYPE_OPTIONAL ? "absent optional (no value)"
                                                 : "empty sequence (no elements)");
  }
  rc = 0;
fail:
  if (rc) {
    /* Every error names the model file (codegen's messages do not carry it). */
    const char *e = tcc_error_text(ctx);
    tcc_tool_print_error(
        strstr(e, model) ? e : tcc_arena_printf(tcc_ctx_arena(ctx), "%s: %s", model, e));
  }
  tcc_tool_jit_free(&jm);
  tcc_tool_free_data(ctx);
  tcc_context_destroy(ctx);
  free(specs);
  return rc;
missing:
  fprintf(stderr, "tcc-ml: error: run: %s needs a value\n", argv[argc - 1]);
  free(specs);
  return 1;
}
