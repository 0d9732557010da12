/* aot.c — the AOT driver: graph passes, one kernel per fused group, memory plan, executor. */
#include "aot_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_c_identifier(const char *s) {
  if (!s || !*s || !(isalpha((unsigned char)*s) || *s == '_')) return false;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == '_')) return false;
  return true;
}

static size_t round_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

static size_t value_bytes(const tcc_value *v) {
  int64_t ne = tcc_value_numel(v);
  if (ne < 0) return 0;
  return (size_t)ne * tccrt_dtype_size(v->dtype);
}

/* The first symbol in an expression, for the unbound-dim diagnostic. */
static const tcc_var *first_var(const tcc_expr *e) {
  if (!e) return NULL;
  if (e->kind == TCC_VAR) return e->u.var;
  if (e->kind >= TCC_ADD && e->kind <= TCC_SHR) {
    const tcc_var *v = first_var(e->u.bin.a);
    return v ? v : first_var(e->u.bin.b);
  }
  return NULL;
}

static tcc_status check_bound(tcc_context *ctx, const tcc_graph *g) {
  for (size_t i = 0; i < g->inputs.len; i++) {
    const tcc_value *v = TCC_GRAPH_INPUT(g, i);
    if (v->ndim < 0)
      return tcc_error_at(ctx, g->file, NULL, NULL,
                          "input '%s' has an unknown rank: give its shape with --input-shape "
                          "%s=DIMS",
                          v->name, v->name);
    for (int d = 0; d < v->ndim; d++) {
      if (tcc_expr_is_int_imm(v->dims[d], NULL)) continue;
      const tcc_var *s = first_var(v->dims[d]);
      return tcc_error_at(ctx, g->file, NULL, NULL,
                          "input '%s' dim %d is the unbound symbol '%s': bind it with "
                          "--input-shape %s=DIMS",
                          v->name, d, s ? s->name : tcc_expr_str(ctx, v->dims[d]), v->name);
    }
  }
  for (size_t i = 0; i < g->nodes.len; i++) {
    tcc_node *n = TCC_GRAPH_NODE(g, i);
    for (int k = 0; k < n->noutputs; k++) {
      const tcc_value *v = n->outputs[k];
      if (!v || tcc_value_shape_known(v)) continue;
      const tcc_var *s = NULL;
      for (int d = 0; d < v->ndim && !s; d++)
        s = first_var(v->dims[d]);
      return tcc_node_error(ctx, g, n,
                            "output '%s' has a data-dependent or unbound shape%s%s%s; tcc-ml "
                            "compiles static shapes only",
                            v->name, s ? " (symbol '" : "", s ? s->name : "", s ? "')" : "");
    }
  }
  return TCC_OK;
}

static int count_consts(const tcc_graph *g) {
  int n = 0;
  for (size_t i = 0; i < g->values.len; i++)
    n += TCC_GRAPH_VALUE(g, i)->kind == TCC_VALUE_CONST;
  return n;
}

static void desc_of(const tcc_value *v, tcc_aot_tensor_desc *d) {
  memset(d, 0, sizeof *d);
  d->name = v->name;
  d->dtype = v->dtype;
  d->ndim = v->ndim;
  for (int k = 0; k < v->ndim && k < TCCRT_MAX_RANK; k++)
    tcc_expr_is_int_imm(v->dims[k], &d->shape[k]);
  d->size_bytes = value_bytes(v);
}

/* Where a value lives at run time. */
typedef struct loc {
  bool set;
  tcc_aot_arg arg;
} loc;

static int graph_input_index(const tcc_graph *g, const tcc_value *v) {
  for (size_t i = 0; i < g->inputs.len; i++)
    if (TCC_GRAPH_INPUT(g, i) == v) return (int)i;
  return -1;
}
static int graph_output_index(const tcc_graph *g, const tcc_value *v) {
  for (size_t i = 0; i < g->outputs.len; i++)
    if (TCC_GRAPH_OUTPUT(g, i) == v) return (int)i;
  return -1;
}

static bool starts_with(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

int tcc_aot_vector_lanes(const char *triple, const char *mcpu) {
  if (!triple || !*triple) triple = tcc_llvm_host_triple();
  if (!triple || !starts_with(triple, "x86_64")) return 4;
  if (mcpu && !strcmp(mcpu, "native")) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 16 : 8;
#else
    mcpu = tcc_llvm_host_cpu();
#endif
  }
  if (!mcpu) return 8; /* x86-64-v3 */
  static const char *const avx512[] = {
      "x86-64-v4",      "skylake-avx512",  "cascadelake",   "cooperlake", "cannonlake",
      "icelake-client", "icelake-server",  "tigerlake",     "rocketlake", "sapphirerapids",
      "graniterapids",  "emeraldrapids",   "knl",           "knm",        "znver4",
      "znver5",         "graniterapids-d", "diamondrapids", "avx512"};
  for (size_t i = 0; i < TCC_ARRAY_SIZE(avx512); i++)
    if (strstr(mcpu, avx512[i])) return 16;
  return 8;
}

tcc_status tcc_aot_prepare_graph(tcc_context *ctx, tcc_graph *g, const tcc_aot_options *opts,
                                 tcc_layout_table *layouts) {
  TCC_TRY(tcc_graph_resolve_ops(ctx, g));
  /* Inference stops at a node whose output shape depends on values not yet known; folding the
   * constant subgraph before it (e.g. Cast -> Range of a constant) can make them known. */
  for (int iter = 0;; iter++) {
    if (tcc_graph_infer(ctx, g) == TCC_OK) break;
    int before = count_consts(g);
    TCC_TRY(tcc_pass_fold_constants(ctx, g, tcc_aot_fold_eval, NULL, 0));
    if (count_consts(g) == before || iter >= 64) return TCC_ERR;
    tcc_error_clear(ctx);
  }
  TCC_TRY(check_bound(ctx, g));
  TCC_TRY(tcc_pass_fold_constants(ctx, g, tcc_aot_fold_eval, NULL, 0));
  tcc_pass_dead_code(ctx, g);
  for (size_t i = 0; i < g->inputs.len; i++)
    if (TCC_GRAPH_INPUT(g, i)->ndim > TCCRT_MAX_RANK)
      return tcc_error_at(ctx, g->file, NULL, NULL, "input '%s' has rank %d; at most %d",
                          TCC_GRAPH_INPUT(g, i)->name, TCC_GRAPH_INPUT(g, i)->ndim, TCCRT_MAX_RANK);
  if (opts->layout != TCC_AOT_LAYOUT_PLAIN) {
    tcc_layout_table local = {0, NULL};
    TCC_TRY(tcc_pass_alter_layout(ctx, g, tcc_aot_vector_lanes(opts->triple, opts->mcpu),
                                  layouts ? layouts : &local));
  }
  return TCC_OK;
}

void tcc_aot_print_layouts(FILE *f, const tcc_graph *g, const tcc_layout_table *layouts) {
  for (size_t i = 0; i < g->values.len; i++) {
    const tcc_value *v = TCC_GRAPH_VALUE(g, i);
    const tcc_layout *l = tcc_layout_of(layouts, v->id);
    if (!tcc_layout_is_blocked(l)) continue;
    /* only values the graph still uses: produced by a node of g, or read by one */
    bool used = v->kind == TCC_VALUE_NODE && v->producer && v->producer->id < g->nodes.len &&
                TCC_GRAPH_NODE(g, v->producer->id) == v->producer;
    for (size_t k = 0; k < g->nodes.len && !used; k++) {
      const tcc_node *n = TCC_GRAPH_NODE(g, k);
      for (int j = 0; j < n->ninputs && !used; j++)
        used = n->inputs[j] == v;
    }
    if (!used) continue;
    fprintf(f, "layout %%%s: %s%s\n", v->name, tcc_layout_str(g->ctx, l),
            v->kind == TCC_VALUE_CONST ? " (constant, packed at compile time)" : "");
  }
}

tcc_status tcc_aot_compile(tcc_context *ctx, tcc_graph *g, const tcc_aot_options *opts,
                           tcc_aot_model **out) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  if (!is_c_identifier(opts->name))
    return tcc_error(ctx, "--name '%s' is not a C identifier (letters, digits, _)",
                     opts->name ? opts->name : "");
  if (g->inputs.len > 0 && TCCRT_MAX_RANK < 1) return TCC_ERR;
  tcc_layout_table layouts = {0, NULL};
  TCC_TRY(tcc_aot_prepare_graph(ctx, g, opts, &layouts));

  tcc_aot_model *m = tcc_arena_alloc(a, sizeof *m);
  m->ctx = ctx;
  m->g = g;
  m->name = tcc_arena_strdup(a, opts->name);
  m->target.triple = opts->triple;
  m->target.mcpu = opts->mcpu;
  m->target.opt_level = opts->opt_level_set ? opts->opt_level : 3;
  m->target.opt_level_set = true;
  int opt = m->target.opt_level;

  tcc_fusion *fu;
  TCC_TRY(tcc_pass_fuse(ctx, g, opt, 64, &fu));
  if (opts->dump_graph) {
    tcc_graph_print(opts->dump_graph, g, TCC_FMT_TEXT);
    tcc_aot_print_layouts(opts->dump_graph, g, &layouts);
    for (int gi = 0; gi < fu->ngroups; gi++) {
      const tcc_fused_group *fg = &fu->groups[gi];
      fprintf(opts->dump_graph, "group %d (anchor '%s' %s):", gi, tcc_node_label(fg->anchor),
              fg->anchor->op_type);
      for (int k = 0; k < fg->nnodes; k++)
        fprintf(opts->dump_graph, " %s", tcc_node_label(fg->nodes[k]));
      fputc('\n', opts->dump_graph);
    }
  }
  TCC_TRY(tcc_llvm_module_create(ctx, &m->target, m->name, &m->mod));

  int nv = (int)g->values.len;
  loc *locs = tcc_arena_alloc(a, sizeof(loc) * (size_t)(nv + 1));
  /* Graph inputs and outputs. */
  for (size_t i = 0; i < g->inputs.len; i++) {
    tcc_value *v = TCC_GRAPH_INPUT(g, i);
    locs[v->id] = (loc){true, {TCC_AOT_ARG_INPUT, (int)i, 0}};
  }
  /* Weights: every non-fill constant read by a kernel, 64-byte aligned in one blob. */
  tcc_vec wvals;
  tcc_vec_init(&wvals, sizeof(tcc_value *));
  size_t wsize = 0;
  for (int gi = 0; gi < fu->ngroups; gi++) {
    tcc_fused_group *fg = &fu->groups[gi];
    for (int k = 0; k < fg->ninputs; k++) {
      tcc_value *v = fg->inputs[k];
      if (v->kind != TCC_VALUE_CONST || v->is_fill || locs[v->id].set) continue;
      if (!v->data && value_bytes(v) > 0)
        return tcc_error_at(ctx, g->file, NULL, NULL, "constant '%s' has no data", v->name);
      wsize = round_up(wsize, 64);
      locs[v->id] = (loc){true, {TCC_AOT_ARG_CONST, 0, wsize}};
      wsize += value_bytes(v);
      tcc_vec_push(a, &wvals, &v);
    }
  }
  /* Graph outputs that are constants are copied from the weights (fills materialized). */
  for (size_t i = 0; i < g->outputs.len; i++) {
    tcc_value *v = TCC_GRAPH_OUTPUT(g, i);
    if (v->kind != TCC_VALUE_CONST || locs[v->id].set) continue;
    if (v->is_fill && value_bytes(v) > ((size_t)64 << 20))
      return tcc_error_at(ctx, g->file, NULL, NULL,
                          "output '%s' is a constant fill of %zu bytes; too big to embed", v->name,
                          value_bytes(v));
    wsize = round_up(wsize, 64);
    locs[v->id] = (loc){true, {TCC_AOT_ARG_CONST, 0, wsize}};
    wsize += value_bytes(v);
    tcc_vec_push(a, &wvals, &v);
  }
  uint8_t *weights = wsize ? tcc_arena_alloc(a, wsize) : NULL;
  for (size_t i = 0; i < wvals.len; i++) {
    tcc_value *v = TCC_VEC_AT(wvals, tcc_value *, i);
    uint8_t *dst = weights + locs[v->id].arg.offset;
    size_t nb = value_bytes(v);
    if (v->is_fill) {
      size_t es = tccrt_dtype_size(v->dtype);
      for (size_t o = 0; o + es <= nb; o += es)
        memcpy(dst + o, v->data, es);
    } else if (nb) {
      memcpy(dst, v->data, nb < v->nbytes || !v->nbytes ? nb : v->nbytes);
    }
  }
  /* Kernel outputs written straight into the caller's output buffers (first listing wins). */
  for (size_t i = 0; i < g->outputs.len; i++) {
    tcc_value *v = TCC_GRAPH_OUTPUT(g, i);
    if (v->kind == TCC_VALUE_NODE && !locs[v->id].set)
      locs[v->id] = (loc){true, {TCC_AOT_ARG_OUTPUT, (int)i, 0}};
  }

  /* Lower every group. */
  tcc_aot_group_kernel *gk = tcc_arena_alloc(a, sizeof(*gk) * (size_t)(fu->ngroups + 1));
  m->kernels = tcc_arena_alloc(a, sizeof(tcc_aot_kernel_info) * (size_t)(fu->ngroups + 1));
  for (int gi = 0; gi < fu->ngroups; gi++) {
    tcc_fused_group *fg = &fu->groups[gi];
    const tcc_node *an = fg->anchor;
    char *kname = tcc_arena_printf(a, "%s_k%d_%s", m->name, gi, an->op_type);
    for (char *p = kname; *p; p++)
      if (!isalnum((unsigned char)*p) && *p != '_') *p = '_';
    TCC_TRY(tcc_aot_lower_group(ctx, g, fg, kname, &m->target, &gk[gi]));
    if (gk[gi].fn->nscalars > 0)
      return tcc_node_error(ctx, g, an,
                            "kernel '%s' has %d symbolic scalar parameters; shapes "
                            "must be static",
                            kname, gk[gi].fn->nscalars);
    if (opts->dump_tir) tcc_primfunc_print(opts->dump_tir, gk[gi].fn);
    TCC_TRY(tcc_llvm_add_primfunc(m->mod, gk[gi].fn, NULL));
    m->kernels[gi] = (tcc_aot_kernel_info){
        gk[gi].fn->name, tcc_arena_printf(a, "%s (%s)", tcc_node_label(an), an->op_type),
        fg->nnodes, 0};
    for (int q = 0; q < gk[gi].nscratch; q++)
      m->kernels[gi].scratch_bytes += gk[gi].scratch_bytes[q];
  }
  m->nkernels = fu->ngroups;

  /* Memory plan: group outputs that are not graph outputs live in the arena from their step to
   * their last reader's step. */
  int *req_of = tcc_arena_alloc(a, sizeof(int) * (size_t)(nv + 1));
  for (int i = 0; i < nv; i++)
    req_of[i] = -1;
  tcc_vec reqs;
  tcc_vec_init(&reqs, sizeof(tcc_mem_request));
  int *scratch_base = tcc_arena_alloc(a, sizeof(int) * (size_t)(fu->ngroups + 1));
  for (int gi = 0; gi < fu->ngroups; gi++) {
    tcc_fused_group *fg = &fu->groups[gi];
    for (int k = 0; k < fg->noutputs; k++) {
      tcc_value *v = fg->outputs[k];
      if (locs[v->id].set) continue;
      tcc_mem_request r = {value_bytes(v) ? value_bytes(v) : 1, gi, gi, 0};
      req_of[v->id] = (int)reqs.len;
      tcc_vec_push(a, &reqs, &r);
      m->tensors_total += r.size;
    }
    scratch_base[gi] = (int)reqs.len;
    for (int k = 0; k < gk[gi].nscratch; k++) {
      tcc_mem_request r = {gk[gi].scratch_bytes[k] ? gk[gi].scratch_bytes[k] : 1, gi, gi, 0};
      tcc_vec_push(a, &reqs, &r);
      m->scratch_total += r.size;
    }
    for (int k = 0; k < fg->ninputs; k++) {
      tcc_value *v = fg->inputs[k];
      if (req_of[v->id] >= 0) {
        tcc_mem_request *r = &TCC_VEC_AT(reqs, tcc_mem_request, req_of[v->id]);
        if (gi > r->last) r->last = gi;
      }
    }
  }
  TCC_TRY(tcc_memplan(ctx, (int)reqs.len, reqs.data, 64, &m->arena_size));
  m->ntensors_planned = 0;
  for (int i = 0; i < nv; i++)
    m->ntensors_planned += req_of[i] >= 0;
  for (int i = 0; i < nv; i++)
    if (req_of[i] >= 0)
      locs[i] =
          (loc){true, {TCC_AOT_ARG_ARENA, 0, TCC_VEC_AT(reqs, tcc_mem_request, req_of[i]).offset}};

  /* Steps: one call per group, then copies into outputs not written by a kernel. */
  tcc_vec steps;
  tcc_vec_init(&steps, sizeof(tcc_aot_step));
  for (int gi = 0; gi < fu->ngroups; gi++) {
    tcc_aot_group_kernel *k = &gk[gi];
    tcc_aot_arg *args =
        tcc_arena_alloc(a, sizeof(tcc_aot_arg) * (size_t)(k->nparams + k->nscratch + 1));
    for (int q = 0; q < k->nscratch; q++)
      args[k->nparams + q] = (tcc_aot_arg){
          TCC_AOT_ARG_ARENA, 0, TCC_VEC_AT(reqs, tcc_mem_request, scratch_base[gi] + q).offset};
    for (int p = 0; p < k->nparams; p++) {
      tcc_value *v = k->param_values[p];
      if (!v || !locs[v->id].set)
        return tcc_error(ctx, "aot: kernel '%s' parameter %d ('%s') has no storage", k->fn->name, p,
                         v && v->name ? v->name : "?");
      args[p] = locs[v->id].arg;
    }
    tcc_aot_step st = {TCC_AOT_STEP_CALL, k->fn->name, k->nparams + k->nscratch, args, 0, NULL, 0};
    tcc_vec_push(a, &steps, &st);
  }
  for (size_t i = 0; i < g->outputs.len; i++) {
    tcc_value *v = TCC_GRAPH_OUTPUT(g, i);
    const tcc_aot_arg *src = &locs[v->id].arg;
    if (src->kind == TCC_AOT_ARG_OUTPUT && src->index == (int)i) continue;
    if (!locs[v->id].set) return tcc_error(ctx, "aot: output '%s' is never computed", v->name);
    tcc_aot_arg *args = tcc_arena_alloc(a, sizeof(tcc_aot_arg) * 2);
    args[0] = (tcc_aot_arg){TCC_AOT_ARG_OUTPUT, (int)i, 0};
    args[1] = *src;
    tcc_aot_step st = {TCC_AOT_STEP_COPY, NULL, 2, args, 0, NULL, value_bytes(v)};
    tcc_vec_push(a, &steps, &st);
  }
  (void)graph_input_index;
  (void)graph_output_index;

  tcc_aot_executor *ex = &m->ex;
  ex->name = m->name;
  ex->ninputs = (int)g->inputs.len;
  ex->noutputs = (int)g->outputs.len;
  tcc_aot_tensor_desc *ins = tcc_arena_alloc(a, sizeof(*ins) * (g->inputs.len + 1));
  tcc_aot_tensor_desc *outs = tcc_arena_alloc(a, sizeof(*outs) * (g->outputs.len + 1));
  for (size_t i = 0; i < g->inputs.len; i++)
    desc_of(TCC_GRAPH_INPUT(g, i), &ins[i]);
  for (size_t i = 0; i < g->outputs.len; i++)
    desc_of(TCC_GRAPH_OUTPUT(g, i), &outs[i]);
  ex->inputs = ins;
  ex->outputs = outs;
  ex->nsteps = (int)steps.len;
  ex->steps = steps.data;
  ex->workspace_size = m->arena_size;
  ex->weights = weights;
  ex->weights_size = wsize;
  ex->external_params = opts->external_params;
  m->weights_size = wsize;
  TCC_TRY(tcc_aot_emit_executor(ctx, tcc_llvm_module_ref(m->mod), ex));
  *out = m;
  return TCC_OK;
}

void tcc_aot_model_destroy(tcc_aot_model *m) {
  if (m && m->mod) tcc_llvm_module_destroy(m->mod);
  if (m) m->mod = NULL;
}

tcc_status tcc_aot_emit_file(tcc_aot_model *m, tcc_aot_output kind, const char *path) {
  tcc_llvm_output k = kind == TCC_AOT_ASM       ? TCC_LLVM_ASM
                      : kind == TCC_AOT_LLVM_IR ? TCC_LLVM_IR
                                                : TCC_LLVM_OBJECT;
  return tcc_llvm_emit_file(m->mod, k, path);
}

struct tcc_aot_jit {
  tcc_llvm_jit *jit;
};

tcc_status tcc_aot_jit_load(tcc_aot_model *m, tcc_aot_jit **out, tcc_aot_run_fn *run,
                            const tccrt_model_info **info) {
  void *obj = NULL;
  size_t size = 0;
  TCC_TRY(tcc_llvm_emit_memory(m->mod, TCC_LLVM_OBJECT, &obj, &size));
  tcc_aot_jit *j = calloc(1, sizeof *j);
  tcc_status st = tcc_llvm_jit_create(m->ctx, &j->jit);
  if (st == TCC_OK) st = tcc_llvm_jit_add_object(j->jit, obj, size);
  free(obj);
  void *r = NULL, *inf = NULL;
  tcc_arena *a = tcc_ctx_arena(m->ctx);
  if (st == TCC_OK) st = tcc_llvm_jit_lookup(j->jit, tcc_arena_printf(a, "%s_run", m->name), &r);
  if (st == TCC_OK) st = tcc_llvm_jit_lookup(j->jit, tcc_arena_printf(a, "%s_info", m->name), &inf);
  if (st != TCC_OK) {
    tcc_aot_jit_destroy(j);
    return TCC_ERR;
  }
  *run = (tcc_aot_run_fn)r;
  *info = ((const tccrt_model_info *(*)(void))inf)();
  *out = j;
  return TCC_OK;
}

tcc_status tcc_aot_jit_run_with_workspace(tcc_aot_jit *j, const tcc_aot_model *m,
                                          tcc_aot_run_ws_fn *out) {
  void *r = NULL;
  TCC_TRY(tcc_llvm_jit_lookup(
      j->jit, tcc_arena_printf(tcc_ctx_arena(m->ctx), "%s_run_with_workspace", m->name), &r));
  *out = (tcc_aot_run_ws_fn)r;
  return TCC_OK;
}

void tcc_aot_jit_destroy(tcc_aot_jit *j) {
  if (!j) return;
  if (j->jit) tcc_llvm_jit_destroy(j->jit);
  free(j);
}

tcc_status tcc_aot_emit_memory(tcc_aot_model *m, void **data, size_t *size) {
  return tcc_llvm_emit_memory(m->mod, TCC_LLVM_OBJECT, data, size);
}

tcc_status tcc_aot_write_params(tcc_aot_model *m, const char *path) {
  FILE *f = fopen(path, "wb");
  if (!f) return tcc_error(m->ctx, "%s: cannot write the params file", path);
  size_t n = m->ex.weights_size ? fwrite(m->ex.weights, 1, m->ex.weights_size, f) : 0;
  if (fclose(f) != 0 || n != m->ex.weights_size) return tcc_error(m->ctx, "%s: write error", path);
  return TCC_OK;
}

size_t tcc_aot_workspace_size(const tcc_aot_model *m) { return m->arena_size; }
const char *tcc_aot_name(const tcc_aot_model *m) { return m->name; }
const tcc_graph *tcc_aot_graph(const tcc_aot_model *m) { return m->g; }

void tcc_aot_report(tcc_aot_model *m, FILE *f) {
  fprintf(f, "model %s: %d kernels, %d inputs, %d outputs\n", m->name, m->nkernels, m->ex.ninputs,
          m->ex.noutputs);
  fprintf(f,
          "arena (workspace): %zu bytes, holding %d graph tensors (%zu bytes) and kernel "
          "scratch (%zu bytes) with liveness-based reuse\n",
          m->arena_size, m->ntensors_planned, m->tensors_total, m->scratch_total);
  fprintf(f, "weights (read-only data): %zu bytes\n", m->weights_size);
  fprintf(f, "per-kernel scratch (in the arena; allocations inside parallel loops stay "
             "per-thread in the kernels):\n");
  for (int i = 0; i < m->nkernels; i++)
    if (m->kernels[i].scratch_bytes)
      fprintf(f, "  %-40s %zu bytes\n", m->kernels[i].name, m->kernels[i].scratch_bytes);
  for (int i = 0; i < m->nkernels; i++)
    fprintf(f, "  kernel %-40s anchor %s, %d node%s\n", m->kernels[i].name, m->kernels[i].anchor,
            m->kernels[i].nnodes, m->kernels[i].nnodes == 1 ? "" : "s");
}
