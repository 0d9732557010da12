/* nn_harness.c — one ONNX node test through an op's TE compute (see nn_harness.h). */
#include "nn_harness.h"

#include "interp.h"
#include "onnx/onnx_import.h"
#include "ops/op.h"
#include "schedule.h"
#include "te_eval.h"
#include "testutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Placeholders reachable from t (deduplicated) appended to ph[*n]. */
static void collect_placeholders(tcc_context *ctx, const tcc_tensor *t, const tcc_tensor **ph,
                                 int *n, int cap) {
  if (t->kind == TCC_TENSOR_PLACEHOLDER) {
    for (int i = 0; i < *n; i++)
      if (ph[i] == t) return;
    if (*n < cap) ph[(*n)++] = t;
    return;
  }
  const tcc_tensor **in;
  int k = tcc_tensor_inputs(ctx, t, &in);
  for (int i = 0; i < k; i++)
    collect_placeholders(ctx, in[i], ph, n, cap);
}

/* Lowers outs with the default CPU schedule (the naive all-root schedule when it refuses),
 * runs the PrimFunc in the interpreter and returns each output's dense data in odata[k]. */
static bool run_lowered(tcc_context *ctx, int nouts, tcc_tensor *const *outs, te_eval *ev,
                        const tcc_tensor *const *tin, const void *const *tdata, int ntin,
                        void **odata, char *why, size_t whyn) {
  const tcc_tensor *args[80];
  int nargs = 0;
  for (int k = 0; k < nouts; k++)
    collect_placeholders(ctx, outs[k], args, &nargs, 64);
  int nph = nargs;
  for (int k = 0; k < nouts; k++) {
    bool dup = false;
    for (int j = nph; j < nargs; j++)
      dup |= args[j] == outs[k];
    if (!dup) args[nargs++] = outs[k];
  }
  tcc_schedule *s = tcc_schedule_create(ctx, nouts, (const tcc_tensor *const *)outs);
  bool naive = false;
  for (int k = 0; k < nouts && !naive; k++)
    if (tcc_schedule_auto_cpu(ctx, s, outs[k]) != TCC_OK) naive = true;
  if (naive) {
    if (getenv("TCC_NN_VERBOSE"))
      fprintf(stderr, "note: default schedule refused (%.200s); naive schedule\n",
              tcc_error_text(ctx));
    tcc_error_clear(ctx);
    s = tcc_schedule_create(ctx, nouts, (const tcc_tensor *const *)outs);
  }
  tcc_primfunc *fn;
  if (tcc_lower(ctx, s, "kernel", nargs, args, &fn) != TCC_OK) {
    snprintf(why, whyn, "lowering failed%s: %.300s", naive ? " (naive schedule)" : "",
             tcc_error_text(ctx));
    return false;
  }
  void *bufs[80];
  for (int i = 0; i < nargs; i++) {
    const tcc_tensor *t = args[i];
    bufs[i] = NULL;
    if (t->kind == TCC_TENSOR_PLACEHOLDER) {
      bufs[i] = (void *)t->const_data;
      for (int j = 0; j < ntin; j++)
        if (tin[j] == t && tdata[j]) bufs[i] = (void *)tdata[j];
      if (!bufs[i]) {
        snprintf(why, whyn, "no data for placeholder %s", t->name);
        return false;
      }
      continue;
    }
    int64_t numel = 1;
    for (int d = 0; d < t->ndim; d++) {
      int64_t e = 0;
      tcc_expr_is_int_imm(t->shape[d], &e);
      numel *= e;
    }
    size_t es = tccrt_dtype_size(t->dtype);
    bufs[i] = tcc_arena_alloc(tcc_ctx_arena(ctx), (size_t)(numel > 0 ? numel : 1) * es);
    memset(bufs[i], 0xA5, (size_t)(numel > 0 ? numel : 1) * es);
  }
  (void)ev;
  if (fn->nscalars) {
    snprintf(why, whyn, "lowered function has %d symbolic scalars", fn->nscalars);
    return false;
  }
  if (tcc_interp_run(ctx, fn, bufs, NULL) != TCC_OK) {
    snprintf(why, whyn, "interpreter: %.300s", tcc_error_text(ctx));
    return false;
  }
  for (int k = 0; k < nouts; k++)
    for (int i = nph; i < nargs; i++)
      if (args[i] == outs[k]) odata[k] = bufs[i];
  return true;
}

static void fmt(char *buf, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t n, const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, n, f, ap);
  va_end(ap);
}

static bool exists(const char *p) {
  struct stat st;
  return !stat(p, &st);
}

static bool in_list(const char *s, const char *const *list) {
  for (; *list; list++)
    if (!strcmp(s, *list)) return true;
  return false;
}

/* Dense data of a constant value (expanding a fill); NULL when unknown. */
static const void *const_bytes(tcc_context *ctx, const tcc_value *v) {
  if (!v->data) return NULL;
  if (!v->is_fill) return v->data;
  int64_t n = tcc_value_numel(v);
  size_t es = tccrt_dtype_size(v->dtype);
  if (n < 0 || !es) return NULL;
  char *d = tcc_arena_alloc(tcc_ctx_arena(ctx), (size_t)(n > 0 ? n : 1) * es);
  for (int64_t i = 0; i < n; i++)
    memcpy(d + (size_t)i * es, v->data, es);
  return d;
}

static double elem_f(tccrt_dtype dt, const void *p, int64_t i) {
  switch (dt) {
  case TCCRT_FLOAT32: return ((const float *)p)[i];
  case TCCRT_FLOAT64: return ((const double *)p)[i];
  case TCCRT_FLOAT16: return (double)((const _Float16 *)p)[i];
  case TCCRT_BFLOAT16: {
    uint32_t u = (uint32_t)((const uint16_t *)p)[i] << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
  }
  default: return 0;
  }
}
static int64_t elem_i(tccrt_dtype dt, const void *p, int64_t i) {
  switch (dt) {
  case TCCRT_INT8: return ((const int8_t *)p)[i];
  case TCCRT_UINT8:
  case TCCRT_BOOL: return ((const uint8_t *)p)[i];
  case TCCRT_INT16: return ((const int16_t *)p)[i];
  case TCCRT_UINT16: return ((const uint16_t *)p)[i];
  case TCCRT_INT32: return ((const int32_t *)p)[i];
  case TCCRT_UINT32: return ((const uint32_t *)p)[i];
  default: return ((const int64_t *)p)[i];
  }
}

/* Runs data set `ds` of an imported, inferred single-node graph. */
static nn_result run_dataset(tcc_context *ctx, tcc_graph *g, const char *dir, int ds, char *why,
                             size_t whyn) {
  tcc_node *n = TCC_GRAPH_NODE(g, 0);
  /* inputs of this data set, by graph-input position (inputs with defaults skipped) */
  const tcc_tensor **tin =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *tin * (size_t)(n->ninputs + 1));
  te_eval *ev = te_eval_new(ctx);
  nn_result res = NN_FAIL;
  int pos = 0;
  const void *gdata[64] = {0};
  for (int k = 0; k < (int)g->inputs.len && k < 64; k++) {
    tcc_value *gi = TCC_GRAPH_INPUT(g, k);
    if (gi->has_default) continue;
    char p[4200];
    fmt(p, sizeof p, "%s/test_data_set_%d/input_%d.pb", dir, ds, pos);
    if (!exists(p)) {
      fmt(why, whyn, "missing %s", p);
      goto done;
    }
    tcc_value *v;
    if (tcc_onnx_read_tensor_file(ctx, p, &v) != TCC_OK) {
      fmt(why, whyn, "unreadable input: %.200s", tcc_error_text(ctx));
      res = NN_SKIP;
      goto done;
    }
    gdata[k] = const_bytes(ctx, v);
    pos++;
  }
  const void **tdata =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *tdata * (size_t)(n->ninputs + 1));
  for (int i = 0; i < n->ninputs; i++) {
    tcc_value *v = n->inputs[i];
    tin[i] = NULL;
    if (!v) continue;
    tcc_tensor *t = tcc_placeholder(ctx, v->name, v->dtype, v->ndim, v->dims);
    const void *data = NULL;
    for (int k = 0; k < (int)g->inputs.len && k < 64; k++)
      if (TCC_GRAPH_INPUT(g, k) == v) data = gdata[k];
    if (!data && v->kind == TCC_VALUE_CONST) data = const_bytes(ctx, v);
    if (!data && v->data) data = const_bytes(ctx, v);
    if (!data) {
      fmt(why, whyn, "no data for input %d ('%s')", i, v->name);
      goto done;
    }
    if (v->kind == TCC_VALUE_CONST)
      t->const_data = data;
    else
      te_eval_bind(ev, t, data);
    tin[i] = t;
    tdata[i] = data;
  }
  tcc_compute_ctx cc = {ctx, g, n, tin};
  tcc_tensor *outs[16] = {0};
  if (n->noutputs > 16) {
    fmt(why, whyn, "too many outputs");
    goto done;
  }
  if (!n->op->compute) {
    fmt(why, whyn, "%s has no compute", n->op_type);
    res = NN_SKIP;
    goto done;
  }
  if (n->op->compute(&cc, outs) != TCC_OK) {
    fmt(why, whyn, "compute failed: %.300s", tcc_error_text(ctx));
    goto done;
  }
  /* the lowered backend: default CPU schedule, tcc_lower, interpreter */
  const char *be = getenv("TCC_NN_BACKEND");
  bool use_te = !be || strcmp(be, "interp"), use_interp = !be || strcmp(be, "te");
  void *odata[16] = {0};
  if (use_interp) {
    tcc_tensor *lo[16];
    int nlo = 0, map[16];
    for (int j = 0; j < n->noutputs; j++) {
      map[j] = -1;
      if (outs[j]) {
        map[j] = nlo;
        lo[nlo++] = outs[j];
      }
    }
    void *ld[16] = {0};
    if (!run_lowered(ctx, nlo, lo, ev, tin, tdata, n->ninputs, ld, why, whyn)) goto done;
    for (int j = 0; j < n->noutputs; j++)
      if (map[j] >= 0) odata[j] = ld[map[j]];
  }
  for (int k = 0; k < (int)g->outputs.len; k++) {
    const tcc_value *gv = TCC_GRAPH_OUTPUT(g, k);
    int ok = -1;
    for (int j = 0; j < n->noutputs; j++)
      if (n->outputs[j] == gv) ok = j;
    if (ok < 0 || !outs[ok]) {
      fmt(why, whyn, "graph output %d has no computed tensor", k);
      goto done;
    }
    char p[4200];
    fmt(p, sizeof p, "%s/test_data_set_%d/output_%d.pb", dir, ds, k);
    tcc_value *e;
    if (tcc_onnx_read_tensor_file(ctx, p, &e) != TCC_OK) {
      fmt(why, whyn, "unreadable output: %.200s", tcc_error_text(ctx));
      res = NN_SKIP;
      goto done;
    }
    const tcc_tensor *t = outs[ok];
    if (t->dtype != e->dtype) {
      fmt(why, whyn, "output %d dtype %s, expected %s", k, tccrt_dtype_name(t->dtype),
          tccrt_dtype_name(e->dtype));
      goto done;
    }
    int64_t numel = 1;
    for (int d = 0; d < t->ndim; d++) {
      int64_t ext = 0;
      tcc_expr_is_int_imm(t->shape[d], &ext);
      numel *= ext;
    }
    int64_t en = tcc_value_numel(e);
    if (en != numel) {
      fmt(why, whyn, "output %d has %lld elements, expected %lld", k, (long long)numel,
          (long long)en);
      goto done;
    }
    const void *ed = const_bytes(ctx, e);
    for (int pass = 0; pass < 2; pass++) {
      const te_val *vals = NULL;
      const void *raw = NULL;
      const char *what = pass ? "interp" : "te";
      if (pass == 0) {
        if (!use_te) continue;
        int64_t cnt;
        char err[512];
        if (!te_eval_tensor(ev, t, &vals, &cnt, err, sizeof err)) {
          fmt(why, whyn, "te evaluation: %s", err);
          goto done;
        }
      } else {
        if (!use_interp) continue;
        raw = odata[ok];
      }
      for (int64_t i = 0; i < numel; i++) {
        if (tcc_dtype_is_float(e->dtype)) {
          double want = elem_f(e->dtype, ed, i), got = vals ? vals[i].f : elem_f(t->dtype, raw, i);
          if (!tcc_test_close(got, want, 1e-3, 1e-7)) {
            fmt(why, whyn, "%s: output %d [%lld]: got %.9g, expected %.9g", what, k, (long long)i,
                got, want);
            goto done;
          }
        } else {
          int64_t want = elem_i(e->dtype, ed, i), got = vals ? vals[i].i : elem_i(t->dtype, raw, i);
          if (got != want) {
            fmt(why, whyn, "%s: output %d [%lld]: got %lld, expected %lld", what, k, (long long)i,
                (long long)got, (long long)want);
            goto done;
          }
        }
      }
    }
  }
  res = NN_PASS;
done:
  te_eval_free(ev);
  return res;
}

nn_result nn_run_node_test(const char *dir, const char *const *ops, char *why, size_t whyn) {
  char model[4096];
  why[0] = 0;
  fmt(model, sizeof model, "%s/model.onnx", dir);
  if (!exists(model)) {
    fmt(why, whyn, "no model.onnx");
    return NN_SKIP;
  }
  tcc_context *ctx = tcc_context_create();
  nn_result res = NN_SKIP;
  tcc_graph *g = NULL;
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
  if (tcc_onnx_import_file(ctx, model, NULL, &g) != TCC_OK) {
    fmt(why, whyn, "import failed: %.300s", tcc_error_text(ctx));
    goto done;
  }
  if (g->nodes.len != 1 || !in_list(TCC_GRAPH_NODE(g, 0)->op_type, ops)) {
    fmt(why, whyn, "not a single-node test of a covered op");
    goto done;
  }
  /* bind input shapes by position among the graph inputs without defaults */
  tcc_input_shape shapes[64];
  int pos = 0;
  for (int k = 0; k < nin; k++) {
    while (pos < (int)g->inputs.len && TCC_GRAPH_INPUT(g, pos)->has_default)
      pos++;
    if (pos >= (int)g->inputs.len) {
      fmt(why, whyn, "more input_K.pb files than graph inputs");
      goto done;
    }
    shapes[k].name = TCC_GRAPH_INPUT(g, pos++)->name;
    shapes[k].ndim = ins[k]->ndim;
    for (int i = 0; i < ins[k]->ndim; i++)
      tcc_expr_is_int_imm(ins[k]->dims[i], &shapes[k].dims[i]);
  }
  tcc_import_options opts = {0};
  opts.ninput_shapes = nin;
  opts.input_shapes = shapes;
  if (tcc_onnx_import_file(ctx, model, &opts, &g) != TCC_OK) {
    fmt(why, whyn, "import failed: %.300s", tcc_error_text(ctx));
    goto done;
  }
  /* Small inputs (shape-like operands: Resize's scales/sizes, ...) are bound as constants, as a
   * compiler specializing the model for these inputs would. */
  for (int k = 0; k < nin; k++) {
    int64_t numel = tcc_value_numel(ins[k]);
    if (numel > 64 || !ins[k]->data || ins[k]->dtype == TCCRT_STRING) continue;
    tcc_value *gi = NULL;
    for (size_t i = 0; i < g->inputs.len; i++)
      if (!strcmp(TCC_GRAPH_INPUT(g, i)->name, shapes[k].name)) gi = TCC_GRAPH_INPUT(g, i);
    if (!gi || gi->ndim != ins[k]->ndim) continue;
    /* only operands an op reads as attribute-like data */
    tcc_node *n = TCC_GRAPH_NODE(g, 0);
    bool shape_like = false;
    for (int i = 0; i < n->ninputs; i++)
      if (n->inputs[i] == gi && i > 0 &&
          (!strcmp(n->op_type, "Resize") || !strcmp(n->op_type, "Upsample") ||
           !strcmp(n->op_type, "AffineGrid") || !strcmp(n->op_type, "Col2Im") ||
           (!strcmp(n->op_type, "MaxUnpool") && i == 2)))
        shape_like = true;
    if (!shape_like) continue;
    gi->kind = TCC_VALUE_CONST;
    gi->data = ins[k]->data;
    gi->nbytes = ins[k]->nbytes;
    gi->is_fill = ins[k]->is_fill;
  }
  if (tcc_graph_resolve_ops(ctx, g) != TCC_OK || tcc_graph_infer(ctx, g) != TCC_OK) {
    fmt(why, whyn, "resolve/infer failed: %.300s", tcc_error_text(ctx));
    res = NN_FAIL;
    goto done;
  }
  res = NN_PASS;
  for (int ds = 0; ds < 16 && res == NN_PASS; ds++) {
    char p[4200];
    fmt(p, sizeof p, "%s/test_data_set_%d", dir, ds);
    if (!exists(p)) break;
    res = run_dataset(ctx, g, dir, ds, why, whyn);
  }
done:
  tcc_context_destroy(ctx);
  return res;
}
