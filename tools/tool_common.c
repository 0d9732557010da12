/* tool_common.c — tensors in .pb/.npy files, JIT execution, result comparison. */
#include "tool_common.h"

#include "llvm/llvm_codegen.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The runtime functions generated code calls: referenced here so the static libtccrt's objects
 * are linked into tcc-ml and the JIT finds them in the process. */
void *const tcc_tool_runtime_refs[] = {(void *)tccrt_alloc,          (void *)tccrt_free,
                                       (void *)tccrt_parallel_for,   (void *)tccrt_set_error,
                                       (void *)tccrt_last_error,     (void *)tccrt_set_num_threads,
                                       (void *)tccrt_get_num_threads};

static bool ends_with(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && !strcmp(s + n - m, suf);
}

/* ---- .npy (format 1.0/2.0, little-endian, C order) ---- */
static const char *npy_descr(tccrt_dtype dt) {
  switch (dt) {
  case TCCRT_FLOAT32: return "<f4";
  case TCCRT_FLOAT64: return "<f8";
  case TCCRT_FLOAT16: return "<f2";
  case TCCRT_INT8: return "|i1";
  case TCCRT_UINT8: return "|u1";
  case TCCRT_INT16: return "<i2";
  case TCCRT_UINT16: return "<u2";
  case TCCRT_INT32: return "<i4";
  case TCCRT_UINT32: return "<u4";
  case TCCRT_INT64: return "<i8";
  case TCCRT_UINT64: return "<u8";
  case TCCRT_BOOL: return "|b1";
  default: return NULL;
  }
}

static tcc_status read_npy(tcc_context *ctx, const char *path, tcc_host_tensor *t) {
  FILE *f = fopen(path, "rb");
  if (!f) return tcc_error(ctx, "%s: cannot open", path);
  unsigned char magic[10];
  if (fread(magic, 1, 10, f) != 10 || memcmp(magic, "\x93NUMPY", 6)) {
    fclose(f);
    return tcc_error(ctx, "%s: not a .npy file (bad magic)", path);
  }
  size_t hlen;
  if (magic[6] == 1) {
    hlen = magic[8] | (size_t)magic[9] << 8;
  } else {
    unsigned char b[2];
    if (fread(b, 1, 2, f) != 2) {
      fclose(f);
      return tcc_error(ctx, "%s: truncated .npy header", path);
    }
    hlen = magic[8] | (size_t)magic[9] << 8 | (size_t)b[0] << 16 | (size_t)b[1] << 24;
  }
  if (hlen > 1 << 20) {
    fclose(f);
    return tcc_error(ctx, "%s: .npy header too long", path);
  }
  char *h = tcc_arena_alloc(tcc_ctx_arena(ctx), hlen + 1);
  if (fread(h, 1, hlen, f) != hlen) {
    fclose(f);
    return tcc_error(ctx, "%s: truncated .npy header", path);
  }
  const char *d = strstr(h, "'descr'"), *fo = strstr(h, "'fortran_order'"),
             *sh = strstr(h, "'shape'");
  if (!d || !fo || !sh) {
    fclose(f);
    return tcc_error(ctx, "%s: .npy header lacks descr/fortran_order/shape", path);
  }
  if (strstr(fo, "True") && strstr(fo, "True") < strchr(fo + 15, ',') + 1) {
    fclose(f);
    return tcc_error(ctx, "%s: Fortran-order .npy is not supported", path);
  }
  const char *q = strchr(d + 7, '\'');
  if (!q) {
    fclose(f);
    return tcc_error(ctx, "%s: bad descr", path);
  }
  char descr[8] = {0};
  for (int i = 0; i < 7 && q[1 + i] && q[1 + i] != '\''; i++)
    descr[i] = q[1 + i];
  if (descr[0] == '=') descr[0] = '<';
  static const tccrt_dtype all[] = {TCCRT_FLOAT32, TCCRT_FLOAT64, TCCRT_FLOAT16, TCCRT_INT8,
                                    TCCRT_UINT8,   TCCRT_INT16,   TCCRT_UINT16,  TCCRT_INT32,
                                    TCCRT_UINT32,  TCCRT_INT64,   TCCRT_UINT64,  TCCRT_BOOL};
  t->dtype = TCCRT_UNDEFINED;
  for (size_t i = 0; i < TCC_ARRAY_SIZE(all); i++) {
    const char *nd = npy_descr(all[i]);
    if (!strcmp(nd, descr) || (nd[0] == '|' && !strcmp(nd + 1, descr + 1))) t->dtype = all[i];
  }
  if (t->dtype == TCCRT_UNDEFINED) {
    fclose(f);
    return tcc_error(ctx, "%s: unsupported .npy dtype '%s'", path, descr);
  }
  const char *p = strchr(sh, '(');
  t->ndim = 0;
  size_t ne = 1;
  if (p) {
    p++;
    while (*p && *p != ')') {
      while (*p == ' ' || *p == ',')
        p++;
      if (*p == ')') break;
      char *end;
      long long v = strtoll(p, &end, 10);
      if (end == p || v < 0 || t->ndim >= TCCRT_MAX_RANK) {
        fclose(f);
        return tcc_error(ctx, "%s: bad .npy shape", path);
      }
      t->dims[t->ndim++] = v;
      if (v && ne > (size_t)INT64_MAX / 16 / (size_t)v) {
        fclose(f);
        return tcc_error(ctx, "%s: .npy shape too large (its byte size overflows int64)", path);
      }
      ne *= (size_t)v;
      p = end;
    }
  }
  t->nbytes = ne * tccrt_dtype_size(t->dtype);
  t->data = tcc_tool_alloc_data(ctx, t->nbytes, path);
  if (!t->data) {
    fclose(f);
    return TCC_ERR;
  }
  size_t got = fread(t->data, 1, t->nbytes, f);
  fclose(f);
  if (got != t->nbytes) return tcc_error(ctx, "%s: truncated .npy data", path);
  return TCC_OK;
}

tcc_status tcc_tool_write_npy(tcc_context *ctx, const char *path, const tcc_host_tensor *t) {
  const char *descr = npy_descr(t->dtype);
  if (!descr)
    return tcc_error(ctx, "%s: cannot write %s as .npy", path, tccrt_dtype_name(t->dtype));
  char shape[256] = "";
  size_t o = 0;
  for (int i = 0; i < t->ndim; i++)
    o += (size_t)snprintf(shape + o, sizeof shape - o, "%lld,%s", (long long)t->dims[i],
                          i + 1 < t->ndim ? " " : "");
  if (t->ndim > 1) shape[o - 1] = 0; /* (a, b) not (a, b,) */
  char hdr[512];
  int n = snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                   descr, shape);
  int total = 10 + n + 1;
  int pad = (64 - total % 64) % 64;
  FILE *f = fopen(path, "wb");
  if (!f) return tcc_error(ctx, "%s: cannot write", path);
  unsigned hl = (unsigned)(n + pad + 1);
  unsigned char pre[10] = {
      0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 255), (unsigned char)(hl >> 8)};
  fwrite(pre, 1, 10, f);
  fwrite(hdr, 1, (size_t)n, f);
  for (int i = 0; i < pad; i++)
    fputc(' ', f);
  fputc('\n', f);
  fwrite(t->data, 1, t->nbytes, f);
  if (fclose(f) != 0) return tcc_error(ctx, "%s: write error", path);
  return TCC_OK;
}

tcc_status tcc_tool_read_tensor(tcc_context *ctx, const char *path, tcc_host_tensor *out) {
  memset(out, 0, sizeof *out);
  if (ends_with(path, ".npy")) {
    out->name = "";
    return read_npy(ctx, path, out);
  }
  tcc_value *v;
  TCC_TRY(tcc_onnx_read_tensor_file(ctx, path, &v));
  if (v->ndim > TCCRT_MAX_RANK) return tcc_error(ctx, "%s: rank %d too large", path, v->ndim);
  out->name = v->name;
  out->dtype = v->dtype;
  out->ndim = v->ndim;
  for (int i = 0; i < v->ndim; i++)
    if (!tcc_expr_is_int_imm(v->dims[i], &out->dims[i]))
      return tcc_error(ctx, "%s: non-constant dim", path);
  int64_t ne = tcc_value_numel(v);
  if (ne < 0) return tcc_error(ctx, "%s: bad shape", path);
  out->nbytes = (size_t)ne * tccrt_dtype_size(v->dtype);
  out->data = tcc_tool_alloc_data(ctx, out->nbytes, path);
  if (!out->data) return TCC_ERR;
  if (v->is_fill) {
    size_t es = tccrt_dtype_size(v->dtype);
    for (size_t o = 0; o + es <= out->nbytes; o += es)
      memcpy((char *)out->data + o, v->data, es);
  } else if (out->nbytes) {
    if (!v->data || v->nbytes < out->nbytes)
      return tcc_error(ctx, "%s: tensor data is shorter than its shape", path);
    memcpy(out->data, v->data, out->nbytes);
  }
  return TCC_OK;
}

static tcc_status host_from_data(tcc_context *ctx, const char *path, const tcc_onnx_data *d,
                                 tcc_host_value *out) {
  memset(out, 0, sizeof *out);
  out->name = d->name ? d->name : "";
  out->kind = d->kind;
  if (d->kind == TCC_TYPE_TENSOR) {
    const tcc_value *v = d->tensor;
    tcc_host_tensor *t = &out->tensor;
    if (v->ndim > TCCRT_MAX_RANK) return tcc_error(ctx, "%s: rank %d too large", path, v->ndim);
    t->name = v->name;
    t->dtype = v->dtype;
    t->ndim = v->ndim;
    for (int i = 0; i < v->ndim; i++)
      if (!tcc_expr_is_int_imm(v->dims[i], &t->dims[i]))
        return tcc_error(ctx, "%s: non-constant dim", path);
    int64_t ne = tcc_value_numel(v);
    if (ne < 0 || v->dtype == TCCRT_STRING) return tcc_error(ctx, "%s: bad shape or dtype", path);
    t->nbytes = (size_t)ne * tccrt_dtype_size(v->dtype);
    t->data = tcc_tool_alloc_data(ctx, t->nbytes, path);
    if (!t->data) return TCC_ERR;
    if (v->is_fill) {
      size_t es = tccrt_dtype_size(v->dtype);
      for (size_t o = 0; o + es <= t->nbytes; o += es)
        memcpy((char *)t->data + o, v->data, es);
    } else if (t->nbytes) {
      if (!v->data || v->nbytes < t->nbytes)
        return tcc_error(ctx, "%s: tensor data is shorter than its shape", path);
      memcpy(t->data, v->data, t->nbytes);
    }
    return TCC_OK;
  }
  out->nelems = d->nelems;
  out->elems =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_host_value) * (size_t)(d->nelems + 1));
  for (int i = 0; i < d->nelems; i++)
    TCC_TRY(host_from_data(ctx, path, &d->elems[i], &out->elems[i]));
  return TCC_OK;
}

tcc_status tcc_tool_read_value(tcc_context *ctx, const char *path, const tcc_value_type *declared,
                               tcc_host_value *out) {
  memset(out, 0, sizeof *out);
  if (!declared && !ends_with(path, ".npy")) { /* told from the bytes */
    tcc_onnx_data *d;
    TCC_TRY(tcc_onnx_read_data_file(ctx, path, -1, &d));
    return host_from_data(ctx, path, d, out);
  }
  tcc_type_kind kind = declared ? declared->kind : TCC_TYPE_TENSOR;
  if (kind == TCC_TYPE_TENSOR) {
    out->kind = TCC_TYPE_TENSOR;
    TCC_TRY(tcc_tool_read_tensor(ctx, path, &out->tensor));
    out->name = out->tensor.name;
    return TCC_OK;
  }
  if (ends_with(path, ".npy"))
    return tcc_error(ctx, "%s: a .npy file holds a tensor; this value is %s (give an %s .pb file)",
                     path, kind == TCC_TYPE_SEQUENCE ? "a sequence" : "an optional",
                     kind == TCC_TYPE_SEQUENCE ? "onnx.SequenceProto" : "onnx.OptionalProto");
  tcc_onnx_data *d;
  TCC_TRY(tcc_onnx_read_data_file(ctx, path, kind, &d));
  return host_from_data(ctx, path, d, out);
}

void tcc_tool_flatten_value(tcc_context *ctx, const char *name, const tcc_host_value *v,
                            tcc_vec *tensors, tcc_input_shape *binding) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  if (binding) {
    memset(binding, 0, sizeof *binding);
    binding->name = name;
  }
  if (v->kind == TCC_TYPE_TENSOR) {
    tcc_host_tensor t = v->tensor;
    t.name = name;
    tcc_vec_push(a, tensors, &t);
    if (binding) {
      binding->ndim = t.ndim;
      memcpy(binding->dims, t.dims, sizeof(int64_t) * (size_t)t.ndim);
    }
    return;
  }
  if (v->kind == TCC_TYPE_OPTIONAL) {
    if (v->nelems == 0) {
      if (binding) binding->kind = TCC_SHAPE_NONE;
      return;
    }
    tcc_tool_flatten_value(ctx, name, &v->elems[0], tensors, binding);
    return;
  }
  tcc_input_shape *elems =
      binding ? tcc_arena_alloc(a, sizeof(tcc_input_shape) * (size_t)(v->nelems + 1)) : NULL;
  for (int i = 0; i < v->nelems; i++)
    tcc_tool_flatten_value(ctx, tcc_arena_printf(a, "%s[%d]", name, i), &v->elems[i], tensors,
                           binding ? &elems[i] : NULL);
  if (binding) {
    binding->kind = TCC_SHAPE_SEQUENCE;
    binding->nelems = v->nelems;
    binding->elems = elems;
  }
}

tcc_status tcc_tool_read_data_set(tcc_context *ctx, const char *setdir, const char *prefix,
                                  const tcc_graph *g0, tcc_data_set *out) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  enum { MAX_FILES = 64 };
  memset(out, 0, sizeof *out);
  out->files = tcc_arena_alloc(a, sizeof(tcc_host_value) * MAX_FILES);
  out->binds = tcc_arena_alloc(a, sizeof(tcc_input_shape) * MAX_FILES);
  bool outputs = !strcmp(prefix, "output");
  tcc_vec flat;
  tcc_vec_init(&flat, sizeof(tcc_host_tensor));
  for (int k = 0; k < MAX_FILES; k++) {
    const char *p = tcc_arena_printf(a, "%s/%s_%d.pb", setdir, prefix, k);
    FILE *f = fopen(p, "rb");
    if (!f) break;
    fclose(f);
    const tcc_value *decl = NULL;
    if (g0 && (size_t)k < (outputs ? g0->outputs.len : g0->inputs.len))
      decl = outputs ? TCC_GRAPH_OUTPUT(g0, k) : TCC_GRAPH_INPUT(g0, k);
    static const tcc_value_type tensor_type = {
        TCC_TYPE_TENSOR, TCCRT_UNDEFINED, -1, NULL, NULL, -1, NULL};
    tcc_host_value *hv = &out->files[k];
    TCC_TRY(tcc_tool_read_value(ctx, p,
                                !decl                           ? NULL
                                : tcc_value_is_structured(decl) ? decl->vtype
                                                                : &tensor_type,
                                hv));
    const char *name = decl ? decl->name : hv->name;
    tcc_tool_flatten_value(ctx, name, hv, &flat, &out->binds[k]);
    out->nfiles++;
  }
  out->nflat = (int)flat.len;
  out->flat = flat.len ? flat.data : tcc_arena_alloc(a, sizeof(tcc_host_tensor));
  return TCC_OK;
}

tcc_status tcc_tool_bind_input(tcc_context *ctx, tcc_graph *g, const char *name,
                               const tcc_host_tensor *t) {
  for (size_t i = 0; i < g->inputs.len; i++) {
    tcc_value *v = TCC_GRAPH_INPUT(g, i);
    if (strcmp(v->name, name)) continue;
    if (v->dtype != TCCRT_UNDEFINED && v->dtype != t->dtype)
      return tcc_error(ctx, "binding input '%s': data is %s, the input is %s", name,
                       tccrt_dtype_name(t->dtype), tccrt_dtype_name(v->dtype));
    const tcc_expr **dims =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_expr *) * (size_t)(t->ndim + 1));
    for (int d = 0; d < t->ndim; d++)
      dims[d] = tcc_idx(ctx, t->dims[d]);
    v->kind = TCC_VALUE_CONST;
    v->dtype = t->dtype;
    v->ndim = t->ndim;
    v->dims = dims;
    v->data = t->data;
    v->nbytes = t->nbytes;
    v->is_fill = false;
    for (size_t k = i + 1; k < g->inputs.len; k++)
      TCC_VEC_AT(g->inputs, tcc_value *, k - 1) = TCC_VEC_AT(g->inputs, tcc_value *, k);
    g->inputs.len--;
    return TCC_OK;
  }
  return tcc_error(ctx, "binding input '%s': the model has no such input", name);
}

tcc_status tcc_tool_jit_compile(tcc_context *ctx, const char *path, int nshapes,
                                const tcc_input_shape *shapes, int nbind,
                                const char *const *bind_names, const tcc_host_tensor *bind_vals,
                                const char *name, tcc_jit_model *out) {
  memset(out, 0, sizeof *out);
  tcc_import_options io = {0};
  io.ninput_shapes = nshapes;
  io.input_shapes = shapes;
  io.keep_sequences = true; /* expanded below, once bound inputs are constants (positions) */
  tcc_graph *g;
  TCC_TRY(tcc_onnx_import_file(ctx, path, &io, &g));
  for (int i = 0; i < nbind; i++)
    TCC_TRY(tcc_tool_bind_input(ctx, g, bind_names[i], &bind_vals[i]));
  TCC_TRY(tcc_pass_expand_sequences(ctx, g));
  tcc_aot_options ao = {name, NULL, "native", 3, true};
  TCC_TRY(tcc_aot_compile(ctx, g, &ao, &out->aot));
  /* The object tcc_aot_jit_load would load, loaded here so NAME_run_with_workspace can be
   * looked up too: the tools run with a workspace of their own, freed with the model (NAME_run's
   * pool keeps its buffers for the process's lifetime, which LeakSanitizer reports). */
  void *obj = NULL, *r = NULL, *rww = NULL, *inf = NULL;
  size_t size = 0;
  tcc_arena *a = tcc_ctx_arena(ctx);
  tcc_status st = tcc_aot_emit_memory(out->aot, &obj, &size);
  if (st == TCC_OK) st = tcc_llvm_jit_create(ctx, &out->ljit);
  if (st == TCC_OK) st = tcc_llvm_jit_add_object(out->ljit, obj, size);
  free(obj);
  if (st == TCC_OK) st = tcc_llvm_jit_lookup(out->ljit, tcc_arena_printf(a, "%s_run", name), &r);
  if (st == TCC_OK)
    st = tcc_llvm_jit_lookup(out->ljit, tcc_arena_printf(a, "%s_run_with_workspace", name), &rww);
  if (st == TCC_OK) st = tcc_llvm_jit_lookup(out->ljit, tcc_arena_printf(a, "%s_info", name), &inf);
  if (st == TCC_OK) {
    out->run = (tcc_model_run_fn)r;
    out->run_with_workspace = (int (*)(const void *const *, void *const *, void *))rww;
    out->info = ((tcc_model_info_fn)inf)();
    size_t ws = out->info->workspace_size;
    if (ws && !(out->workspace = tccrt_alloc(ws, 64))) {
      tcc_error(ctx, "cannot allocate %zu bytes for the model's workspace", ws);
      st = TCC_ERR;
    }
  }
  if (st != TCC_OK) {
    tcc_tool_jit_free(out);
    return TCC_ERR;
  }
  return TCC_OK;
}

int tcc_tool_jit_run(const tcc_jit_model *m, const void *const inputs[], void *const outputs[]) {
  return m->run_with_workspace(inputs, outputs, m->workspace);
}

void tcc_tool_jit_free(tcc_jit_model *m) {
  if (m->workspace) tccrt_free(m->workspace);
  if (m->ljit) tcc_llvm_jit_destroy(m->ljit);
  if (m->jit) tcc_aot_jit_destroy(m->jit);
  if (m->aot) tcc_aot_model_destroy(m->aot);
  memset(m, 0, sizeof *m);
}

/* ---- fallible tensor memory, per context ---- */
typedef struct data_block {
  struct data_block *next;
  tcc_context *ctx;
  void *p;
} data_block;
static data_block *data_blocks;

void *tcc_tool_alloc_data(tcc_context *ctx, size_t n, const char *what) {
  void *p = NULL;
  data_block *b = malloc(sizeof *b);
  /* n + 1 so a 0-byte tensor still gets a distinct, valid pointer. */
  if (!b || n > SIZE_MAX - 64 || posix_memalign(&p, 64, n + 1) != 0) {
    free(b);
    tcc_error(ctx, "cannot allocate %zu bytes for %s", n, what);
    return NULL;
  }
  b->ctx = ctx;
  b->p = p;
  b->next = data_blocks;
  data_blocks = b;
  return p;
}

const char *tcc_tool_check_target(const char *triple, const char *mcpu, char *buf, size_t len) {
  if (triple) {
    int comps = 1;
    bool ok = triple[0] && triple[0] != '-';
    for (const char *p = triple; ok && *p; p++) {
      if (*p == '-') {
        comps++;
        ok = p[1] && p[1] != '-';
      } else {
        ok = isalnum((unsigned char)*p) || *p == '_' || *p == '.';
      }
    }
    if (!ok || comps > 4) {
      snprintf(buf, len,
               "--target '%s': expected a target triple ARCH-VENDOR-OS[-ENV] of up to 4 "
               "'-'-separated parts of letters, digits, '_' and '.' (e.g. x86_64-linux-gnu, "
               "aarch64-linux-gnu, arm-linux-gnueabihf, aarch64-linux-android)",
               triple);
      return buf;
    }
  }
  if (mcpu) {
    bool ok = mcpu[0] != 0;
    for (const char *p = mcpu; ok && *p; p++)
      ok = isalnum((unsigned char)*p) || strchr("_.+-", *p);
    if (!ok) {
      snprintf(buf, len,
               "--mcpu '%s': expected a CPU name of letters, digits, '_', '.', '+' and '-' (e.g. "
               "native, skylake, cortex-a72)",
               mcpu);
      return buf;
    }
  }
  return NULL;
}

void tcc_tool_free_data(tcc_context *ctx) {
  for (data_block **pb = &data_blocks; *pb;) {
    data_block *b = *pb;
    if (b->ctx == ctx) {
      *pb = b->next;
      free(b->p);
      free(b);
    } else {
      pb = &b->next;
    }
  }
}

static double half_to_double(uint16_t h) {
  int s = h >> 15, e = (h >> 10) & 31, f = h & 1023;
  double v;
  if (e == 0)
    v = ldexp(f, -24);
  else if (e == 31)
    v = f ? NAN : INFINITY;
  else
    v = ldexp(f + 1024, e - 25);
  return s ? -v : v;
}

static double load_f(tccrt_dtype dt, const void *p, size_t i) {
  switch (dt) {
  case TCCRT_FLOAT32: return ((const float *)p)[i];
  case TCCRT_FLOAT64: return ((const double *)p)[i];
  case TCCRT_FLOAT16: return half_to_double(((const uint16_t *)p)[i]);
  case TCCRT_BFLOAT16: {
    uint32_t b = (uint32_t)((const uint16_t *)p)[i] << 16;
    float f;
    memcpy(&f, &b, 4);
    return f;
  }
  default: return 0;
  }
}

static bool load_i(tccrt_dtype dt, const void *p, size_t i, int64_t *v) {
  switch (dt) {
  case TCCRT_INT8: *v = ((const int8_t *)p)[i]; return true;
  case TCCRT_UINT8: *v = ((const uint8_t *)p)[i]; return true;
  case TCCRT_BOOL: *v = ((const uint8_t *)p)[i] != 0; return true;
  case TCCRT_INT16: *v = ((const int16_t *)p)[i]; return true;
  case TCCRT_UINT16: *v = ((const uint16_t *)p)[i]; return true;
  case TCCRT_INT32: *v = ((const int32_t *)p)[i]; return true;
  case TCCRT_UINT32: *v = ((const uint32_t *)p)[i]; return true;
  case TCCRT_INT64:
  case TCCRT_UINT64: *v = ((const int64_t *)p)[i]; return true;
  default: return false;
  }
}

static bool is_float(tccrt_dtype dt) {
  return dt == TCCRT_FLOAT32 || dt == TCCRT_FLOAT64 || dt == TCCRT_FLOAT16 || dt == TCCRT_BFLOAT16;
}

bool tcc_tool_compare(const tcc_host_tensor *exp, const void *actual, tccrt_dtype actual_dtype,
                      int actual_ndim, const int64_t *actual_dims, double rtol, double atol,
                      char *msg, size_t msglen) {
  if (actual_dtype != exp->dtype) {
    snprintf(msg, msglen, "dtype %s, expected %s", tccrt_dtype_name(actual_dtype),
             tccrt_dtype_name(exp->dtype));
    return false;
  }
  bool same = actual_ndim == exp->ndim;
  for (int i = 0; same && i < exp->ndim; i++)
    same = actual_dims[i] == exp->dims[i];
  if (!same) {
    char a[128] = "", e[128] = "";
    size_t oa = 0, oe = 0;
    for (int i = 0; i < actual_ndim && oa < sizeof a; i++)
      oa += (size_t)snprintf(a + oa, sizeof a - oa, "%s%lld", i ? "x" : "",
                             (long long)actual_dims[i]);
    for (int i = 0; i < exp->ndim && oe < sizeof e; i++)
      oe +=
          (size_t)snprintf(e + oe, sizeof e - oe, "%s%lld", i ? "x" : "", (long long)exp->dims[i]);
    snprintf(msg, msglen, "shape [%s], expected [%s]", a, e);
    return false;
  }
  size_t es = tccrt_dtype_size(exp->dtype);
  size_t n = es ? exp->nbytes / es : 0;
  for (size_t i = 0; i < n; i++) {
    if (is_float(exp->dtype)) {
      double e = load_f(exp->dtype, exp->data, i), a = load_f(exp->dtype, actual, i);
      if (isnan(e) && isnan(a)) continue;
      if (isinf(e) || isinf(a)) {
        if (e == a) continue;
      } else if (fabs(a - e) <= atol + rtol * fabs(e)) {
        continue;
      }
      snprintf(msg, msglen, "index %zu: expected %.9g, got %.9g", i, e, a);
      return false;
    }
    int64_t e, a;
    if (!load_i(exp->dtype, exp->data, i, &e) || !load_i(exp->dtype, actual, i, &a)) {
      snprintf(msg, msglen, "cannot compare dtype %s", tccrt_dtype_name(exp->dtype));
      return false;
    }
    if (e != a) {
      if (exp->dtype == TCCRT_UINT64)
        snprintf(msg, msglen, "index %zu: expected %llu, got %llu", i, (unsigned long long)e,
                 (unsigned long long)a);
      else
        snprintf(msg, msglen, "index %zu: expected %lld, got %lld", i, (long long)e, (long long)a);
      return false;
    }
  }
  return true;
}

void tcc_tool_print_error(const char *msg) {
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
}
