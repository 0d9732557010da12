/* isl_deps.c — dependence analysis of stages with ISL, and the legality checks of the schedule
 * primitives built on it (see isl_deps.h). Learned from the polyhedral model as used by PPCG and
 * Tiramisu: iteration domains and access relations as integer sets/maps, dependences as
 * compositions of accesses intersected with the lexicographic order, and legality of a loop
 * transformation as lexicographic positivity of the dependence distances in the new schedule. */
#include "isl_deps.h"

#include <isl/ctx.h>
#include <isl/map.h>
#include <isl/options.h>
#include <isl/set.h>
#include <isl/space.h>
#include <isl/val.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_OPS 2000000UL
static unsigned long g_max_ops = DEFAULT_MAX_OPS;

unsigned long tcc_isl_set_max_operations(unsigned long max_ops) {
  unsigned long old = g_max_ops;
  g_max_ops = max_ops ? max_ops : DEFAULT_MAX_OPS;
  return old;
}

/* ---- a growable string ---- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->n;
    int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
      b->oom = true;
      return;
    }
    if (b->p && (size_t)k < room) {
      b->n += (size_t)k;
      return;
    }
    size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)k + 1;
    char *q = realloc(b->p, cap);
    if (!q) {
      b->oom = true;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
}
static const char *sb_arena(tcc_context *ctx, sbuf *b) {
  const char *s = b->oom ? NULL : tcc_arena_strdup(tcc_ctx_arena(ctx), b->p ? b->p : "");
  free(b->p);
  memset(b, 0, sizeof *b);
  return s;
}

/* ---- the per-stage model ---- */

struct tcc_isl_cache {
  const tcc_expr *body; /* the te_body and root axes it was built for */
  tcc_axis **root;
  const char *dom;        /* [params] -> { Sid[d0, ...] : bounds } */
  const char *write;      /* [params] -> { Sid[...] -> Tid[d0, ..., d(ndim-1)] } */
  const char *sreads;     /* [params] -> { reads of the stage's own tensor } or NULL */
  const char *sread_desc; /* the first self-read, printed */
  bool deps_known;
  /* [params] -> { Sid[...] -> Sid[...] } (NULL when empty): dep_red relates every two points
   * updating the same element (both directions, identity included); dep_true each source to
   * its later sink */
  const char *dep_red, *dep_true;
  /* the root dims along which a dependence distance can be nonzero (bit i: root axis i) */
  uint64_t carry_red, carry_true;
};

typedef struct model_env {
  const tcc_stage *st;
  int nd; /* root axes: ndim + nreduce */
  const tcc_var **dvars;
  const tcc_var **allowed; /* symbolic dims usable as parameters */
  int nallowed, cap_allowed;
  const tcc_var **used; /* parameters used so far */
  int nused, cap_used;
} model_env;

static void push_var(const tcc_var ***arr, int *n, int *cap, const tcc_var *v) {
  for (int i = 0; i < *n; i++)
    if ((*arr)[i] == v) return;
  if (*n == *cap) {
    int nc = *cap ? *cap * 2 : 8;
    const tcc_var **q = realloc(*arr, sizeof *q * (size_t)nc);
    if (!q) return; /* dropped: the var is then treated as non-affine (conservative) */
    *arr = q;
    *cap = nc;
  }
  (*arr)[(*n)++] = v;
}

static bool is_unary(tcc_expr_kind k) { return k == TCC_NEG || k == TCC_NOT || k == TCC_BITNOT; }
static bool is_binary(tcc_expr_kind k) { return k >= TCC_ADD && k <= TCC_SHR; }

/* Calls fn on every sub-expression of e (pre-order). */
typedef void (*visit_fn)(const tcc_expr *e, void *user);
static void walk(const tcc_expr *e, visit_fn fn, void *user) {
  if (!e) return;
  fn(e, user);
  if (is_binary(e->kind) || is_unary(e->kind)) {
    walk(e->u.bin.a, fn, user);
    walk(e->u.bin.b, fn, user);
    return;
  }
  switch (e->kind) {
  case TCC_SELECT:
    walk(e->u.select.cond, fn, user);
    walk(e->u.select.t, fn, user);
    walk(e->u.select.f, fn, user);
    break;
  case TCC_CAST: walk(e->u.cast.a, fn, user); break;
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++)
      walk(e->u.call.args[i], fn, user);
    break;
  case TCC_TENSOR_READ:
    for (int i = 0; i < e->u.read.nidx; i++)
      walk(e->u.read.idx[i], fn, user);
    break;
  case TCC_REDUCE:
    walk(e->u.reduce.source, fn, user);
    walk(e->u.reduce.cond, fn, user);
    break;
  case TCC_LET:
    walk(e->u.let.value, fn, user);
    walk(e->u.let.body, fn, user);
    break;
  default: break;
  }
}

static void collect_var_fn(const tcc_expr *e, void *user) {
  model_env *env = user;
  if (e->kind == TCC_VAR) push_var(&env->allowed, &env->nallowed, &env->cap_allowed, e->u.var);
}
static void allow_shape(model_env *env, const tcc_tensor *t) {
  for (int d = 0; d < t->ndim; d++)
    walk(t->shape[d], collect_var_fn, env);
}
static void allow_reads_fn(const tcc_expr *e, void *user) {
  if (e->kind == TCC_TENSOR_READ) allow_shape(user, e->u.read.tensor);
}

/* Appends e as an ISL affine expression over d<i> (root axes) and p<id> (symbolic dims);
 * false when it is not affine in them. */
static bool aff_str(model_env *env, const tcc_expr *e, sbuf *b) {
  switch (e->kind) {
  case TCC_INT_IMM:
    if (!tcc_dtype_is_int(e->type.dtype) || e->type.lanes != 1) return false;
    sb_printf(b, "(%lld)", (long long)e->u.ival);
    return true;
  case TCC_VAR:
    for (int i = 0; i < env->nd; i++)
      if (env->dvars[i] == e->u.var) {
        sb_printf(b, "d%d", i);
        return true;
      }
    for (int i = 0; i < env->nallowed; i++)
      if (env->allowed[i] == e->u.var) {
        push_var(&env->used, &env->nused, &env->cap_used, e->u.var);
        sb_printf(b, "p%u", (unsigned)e->u.var->id);
        return true;
      }
    return false;
  case TCC_ADD:
  case TCC_SUB:
    sb_printf(b, "(");
    if (!aff_str(env, e->u.bin.a, b)) return false;
    sb_printf(b, e->kind == TCC_ADD ? " + " : " - ");
    if (!aff_str(env, e->u.bin.b, b)) return false;
    sb_printf(b, ")");
    return true;
  case TCC_MUL: {
    const tcc_expr *c = e->u.bin.a, *x = e->u.bin.b;
    if (c->kind != TCC_INT_IMM) {
      c = e->u.bin.b;
      x = e->u.bin.a;
    }
    if (c->kind != TCC_INT_IMM || !tcc_dtype_is_int(c->type.dtype)) return false;
    sb_printf(b, "((%lld) * ", (long long)c->u.ival);
    if (!aff_str(env, x, b)) return false;
    sb_printf(b, ")");
    return true;
  }
  case TCC_NEG:
    sb_printf(b, "(-");
    if (!aff_str(env, e->u.bin.a, b)) return false;
    sb_printf(b, ")");
    return true;
  case TCC_CAST:
    if (!tcc_dtype_is_int(e->type.dtype) || !tcc_dtype_is_int(e->u.cast.a->type.dtype))
      return false;
    return aff_str(env, e->u.cast.a, b);
  default: return false; /* floordiv, mod, data-dependent (Gather) indices, ... */
  }
}

static void dom_tuple(const model_env *env, sbuf *b) {
  sb_printf(b, "S%u[", (unsigned)env->st->t->id);
  for (int i = 0; i < env->nd; i++)
    sb_printf(b, "%sd%d", i ? ", " : "", i);
  sb_printf(b, "]");
}

/* One access "S[d] -> T[o] : o_k = idx_k (affine) or 0 <= o_k < shape_k" appended to b. */
static void access_str(model_env *env, const tcc_tensor *t, int nidx, const tcc_expr *const *idx,
                       sbuf *b) {
  dom_tuple(env, b);
  sb_printf(b, " -> T%u[", (unsigned)t->id);
  for (int k = 0; k < nidx; k++)
    sb_printf(b, "%so%d", k ? ", " : "", k);
  sb_printf(b, "] : 0 = 0");
  for (int k = 0; k < nidx; k++) {
    sbuf a = {0};
    if (aff_str(env, idx[k], &a) && !a.oom) {
      sb_printf(b, " and o%d = %s", k, a.p);
    } else { /* over-approximated: anywhere in the tensor along this dim */
      sb_printf(b, " and o%d >= 0", k);
      sbuf s = {0};
      if (k < t->ndim && aff_str(env, t->shape[k], &s) && !s.oom)
        sb_printf(b, " and o%d < %s", k, s.p);
      free(s.p);
    }
    free(a.p);
  }
}

typedef struct sread_ctx {
  model_env *env;
  sbuf *b;
  const tcc_tensor *t; /* the tensor whose reads are collected */
  int n;
  const tcc_expr *first;
  bool exact; /* every index of those reads is affine */
} sread_ctx;
static void sread_fn(const tcc_expr *e, void *user) {
  sread_ctx *c = user;
  if (e->kind != TCC_TENSOR_READ || e->u.read.tensor != c->t) return;
  if (c->n++)
    sb_printf(c->b, "; ");
  else
    c->first = e;
  for (int k = 0; k < e->u.read.nidx; k++) {
    sbuf a = {0};
    if (!aff_str(c->env, e->u.read.idx[k], &a) || a.oom) c->exact = false;
    free(a.p);
  }
  access_str(c->env, e->u.read.tensor, e->u.read.nidx, e->u.read.idx, c->b);
}

static void self_read_fn(const tcc_expr *e, void *user) {
  const tcc_stage *st = ((const void **)user)[0];
  if (e->kind == TCC_TENSOR_READ && e->u.read.tensor == st->t) ((const void **)user)[1] = e;
}
/* Does st's body read its own tensor? */
static const tcc_expr *first_self_read(const tcc_stage *st) {
  const void *u[2] = {st, NULL};
  walk(st->te_body, self_read_fn, u);
  return u[1];
}

static const char *with_params(tcc_context *ctx, const model_env *env, const char *body) {
  if (!body) return NULL;
  sbuf b = {0};
  sb_printf(&b, "[");
  for (int i = 0; i < env->nused; i++)
    sb_printf(&b, "%sp%u", i ? ", " : "", (unsigned)env->used[i]->id);
  sb_printf(&b, "] -> { %s }", body);
  return sb_arena(ctx, &b);
}

static void init_env(tcc_context *ctx, const tcc_stage *st, model_env *env) {
  memset(env, 0, sizeof *env);
  env->st = st;
  env->nd = st->ndim + st->nreduce;
  env->dvars = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *env->dvars * (size_t)(env->nd + 1));
  for (int i = 0; i < env->nd; i++)
    env->dvars[i] = st->root[i]->root->var;
  allow_shape(env, st->t);
  for (int r = 0; r < st->nreduce; r++) {
    walk(st->root[st->ndim + r]->root->min, collect_var_fn, env);
    walk(st->root[st->ndim + r]->root->extent, collect_var_fn, env);
  }
  walk(st->te_body, allow_reads_fn, env);
}

/* The reads of tensor t by st's body as ISL text (NULL when none), and whether they are exact
 * (affine indices). */
static const char *reads_text(tcc_context *ctx, const tcc_stage *st, const tcc_tensor *t,
                              bool *exact) {
  model_env env;
  init_env(ctx, st, &env);
  sbuf b = {0};
  sread_ctx sc = {&env, &b, t, 0, NULL, true};
  walk(st->te_body, sread_fn, &sc);
  const char *body = sb_arena(ctx, &b);
  const char *r = sc.n ? with_params(ctx, &env, body) : NULL;
  *exact = sc.exact;
  free(env.allowed);
  free(env.used);
  return r;
}

/* Builds (or returns the cached) ISL text of st's domain and accesses. */
static struct tcc_isl_cache *model(tcc_context *ctx, tcc_stage *st) {
  struct tcc_isl_cache *c = st->isl;
  if (c && c->body == st->te_body && c->root == st->root) return c;
  c = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *c);
  memset(c, 0, sizeof *c);
  c->body = st->te_body;
  c->root = st->root;
  model_env env;
  init_env(ctx, st, &env);
  /* domain */
  sbuf b = {0};
  dom_tuple(&env, &b);
  sb_printf(&b, " : 0 = 0");
  for (int i = 0; i < env.nd; i++) {
    const tcc_itervar *iv = st->root[i]->root;
    sbuf mn = {0}, ex = {0};
    bool amin = i < st->ndim ? (sb_printf(&mn, "0"), true) : aff_str(&env, iv->min, &mn);
    bool aext = aff_str(&env, i < st->ndim ? st->t->shape[i] : iv->extent, &ex);
    if (amin && !mn.oom) {
      sb_printf(&b, " and d%d >= %s", i, mn.p);
      if (aext && !ex.oom) sb_printf(&b, " and d%d < %s + %s", i, mn.p, ex.p);
    }
    free(mn.p);
    free(ex.p);
  }
  const char *dom = sb_arena(ctx, &b);
  /* write: the stage's own element (read and updated along the reduction axes) */
  dom_tuple(&env, &b);
  sb_printf(&b, " -> T%u[", (unsigned)st->t->id);
  for (int d = 0; d < st->ndim; d++)
    sb_printf(&b, "%sd%d", d ? ", " : "", d);
  sb_printf(&b, "]");
  const char *wr = sb_arena(ctx, &b);
  sread_ctx sc = {&env, &b, st->t, 0, NULL, true};
  walk(st->te_body, sread_fn, &sc);
  const char *sr = sc.n ? sb_arena(ctx, &b) : (sb_arena(ctx, &b), NULL);
  c->dom = with_params(ctx, &env, dom);
  c->write = with_params(ctx, &env, wr);
  c->sreads = with_params(ctx, &env, sr);
  c->sread_desc = sc.first ? tcc_expr_str(ctx, sc.first) : NULL;
  free(env.allowed);
  free(env.used);
  st->isl = c;
  return c;
}

/* ---- ISL queries ---- */

static isl_ctx *new_ictx(void) {
  isl_ctx *ic = isl_ctx_alloc();
  if (!ic) return NULL;
  isl_options_set_on_error(ic, ISL_ON_ERROR_CONTINUE);
  isl_ctx_set_max_operations(ic, g_max_ops);
  return ic;
}

static bool quota_hit(isl_ctx *ic) { return isl_ctx_last_error(ic) == isl_error_quota; }

static char *map_text(isl_map *m) { /* malloc'd, or NULL when empty/error */
  if (!m) return NULL;
  isl_bool e = isl_map_is_empty(m);
  char *s = e == isl_bool_false ? isl_map_to_str(m) : NULL;
  isl_map_free(m);
  return s;
}

/* The dims along which the distances of dependence map m (S -> S) can be nonzero (all dims on
 * an error: conservative). */
static uint64_t carrier_dims(isl_map *m, int nd) {
  if (!m) return 0;
  uint64_t all = nd >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << nd) - 1), mask = 0;
  isl_set *dl = isl_map_deltas(isl_map_copy(m));
  for (int i = 0; i < nd && i < 64; i++) {
    /* cheap first: a distance fixed by an equality (data dims of a reduction) */
    isl_val *fv = isl_set_plain_get_val_if_fixed(dl, isl_dim_set, (unsigned)i);
    bool fixed = fv && isl_val_is_int(fv), zero = fixed && isl_val_is_zero(fv);
    isl_val_free(fv);
    if (fixed) {
      if (!zero) mask |= (uint64_t)1 << i;
      continue;
    }
    isl_set *z =
        isl_set_fix_si(isl_set_universe(isl_set_get_space(dl)), isl_dim_set, (unsigned)i, 0);
    isl_bool sub = isl_set_is_subset(dl, z);
    isl_set_free(z);
    if (sub == isl_bool_error) {
      mask = all;
      break;
    }
    if (sub == isl_bool_false) mask |= (uint64_t)1 << i;
  }
  isl_set_free(dl);
  return mask;
}

/* Computes st's dependences (cached). Returns false when ISL could not answer (quota, error). */
static bool stage_deps(tcc_context *ctx, tcc_stage *st, struct tcc_isl_cache *c) {
  if (c->deps_known) return true;
  if (!c->dom || !c->write) return false;
  isl_ctx *ic = new_ictx();
  if (!ic) return false;
  isl_set *dom = isl_set_read_from_str(ic, c->dom);
  isl_map *w = isl_map_intersect_domain(isl_map_read_from_str(ic, c->write), isl_set_copy(dom));
  isl_map *lt = isl_map_lex_lt(isl_set_get_space(dom));
  lt = isl_map_intersect_range(isl_map_intersect_domain(lt, isl_set_copy(dom)), isl_set_copy(dom));
  /* reduction: every point reads and updates out[d_data]: RAW = WAR = WAW between any two
   * points updating the same element. Kept symmetric (and with the identity, whose distance
   * is 0): "carried by a loop" and the carrier dims do not depend on the direction, and the
   * single basic map is much cheaper than its intersection with the lexicographic order. */
  isl_map *red = NULL;
  if (st->nreduce > 0) red = isl_map_apply_range(isl_map_copy(w), isl_map_reverse(isl_map_copy(w)));
  isl_map *tru = NULL;
  if (c->sreads) {
    isl_map *r = isl_map_intersect_domain(isl_map_read_from_str(ic, c->sreads), isl_set_copy(dom));
    isl_map *raw = isl_map_apply_range(isl_map_copy(w), isl_map_reverse(isl_map_copy(r)));
    isl_map *war = isl_map_apply_range(r, isl_map_reverse(isl_map_copy(w)));
    tru = isl_map_intersect(isl_map_union(raw, war), isl_map_copy(lt));
  }
  int nd = st->ndim + st->nreduce;
  uint64_t cred = carrier_dims(red, nd), ctru = carrier_dims(tru, nd);
  char *rs = map_text(red), *ts = map_text(tru);
  bool ok = !quota_hit(ic) && isl_ctx_last_error(ic) == isl_error_none;
  isl_set_free(dom);
  isl_map_free(w);
  isl_map_free(lt);
  if (ok) {
    c->dep_red = rs ? tcc_arena_strdup(tcc_ctx_arena(ctx), rs) : NULL;
    c->dep_true = ts ? tcc_arena_strdup(tcc_ctx_arena(ctx), ts) : NULL;
    c->carry_red = cred;
    c->carry_true = ctru;
    c->deps_known = true;
  }
  free(rs);
  free(ts);
  isl_ctx_free(ic);
  return ok;
}

static tcc_relation *made_by(const tcc_axis *a) {
  const tcc_stage *st = a->stage;
  for (int i = 0; i < st->nrels; i++) {
    tcc_relation *r = st->rels[i];
    if (r->kind == REL_SPLIT && (r->outer == a || r->inner == a)) return r;
    if (r->kind == REL_FUSE && r->parent == a) return r;
  }
  return NULL;
}

/* The root axes axis a derives from (bit i: root axis i; all bits when unknown). */
static uint64_t axis_roots(const tcc_stage *st, const tcc_axis *a) {
  for (int i = 0; i < st->ndim + st->nreduce && i < 64; i++)
    if (st->root[i] == a) return (uint64_t)1 << i;
  tcc_relation *r = made_by(a);
  if (!r) return ~(uint64_t)0;
  if (r->kind == REL_FUSE) return axis_roots(st, r->outer) | axis_roots(st, r->inner);
  return axis_roots(st, r->parent);
}

/* Appends the value of axis a (offset from its min, in [0, extent)) as a quasi-affine function
 * of the root dims; false when it is not one (shift_inward tails, non-constant factors). */
static bool axis_value(const tcc_stage *st, const tcc_axis *a, sbuf *b) {
  for (int i = 0; i < st->ndim + st->nreduce; i++)
    if (st->root[i] == a) {
      if (i < st->ndim) {
        sb_printf(b, "d%d", i);
        return true;
      }
      int64_t mn;
      if (!tcc_expr_is_int_imm(a->root->min, &mn)) return false;
      sb_printf(b, "(d%d - (%lld))", i, (long long)mn);
      return true;
    }
  tcc_relation *r = made_by(a);
  if (!r) return false;
  if (r->kind == REL_FUSE) {
    int64_t ie;
    if (!tcc_axis_const_extent(r->inner, &ie)) return false;
    sb_printf(b, "((%lld) * ", (long long)ie);
    if (!axis_value(st, r->outer, b)) return false;
    sb_printf(b, " + ");
    if (!axis_value(st, r->inner, b)) return false;
    sb_printf(b, ")");
    return true;
  }
  if (r->tail == TCC_TAIL_SHIFT_INWARD) return false;
  int64_t f = r->factor;
  if (r->by_nparts) {
    int64_t pe;
    if (!tcc_axis_const_extent(r->parent, &pe)) return false;
    f = (pe + r->factor - 1) / r->factor;
    if (f <= 0) f = 1;
  }
  sb_printf(b, a == r->outer ? "floor((" : "((");
  if (!axis_value(st, r->parent, b)) return false;
  sb_printf(b, a == r->outer ? ")/%lld)" : ") mod %lld)", (long long)f);
  return true;
}

/* The leaf schedule { S[d] -> L[leaf values] } for the loop order `leaves`, or NULL. */
static isl_map *leaf_schedule(isl_ctx *ic, const tcc_stage *st, const struct tcc_isl_cache *c,
                              tcc_axis *const *leaves, int n) {
  sbuf b = {0};
  const char *params = c->dom;
  const char *arrow = strstr(params, "-> {");
  if (!arrow) return NULL;
  sb_printf(&b, "%.*s-> { S%u[", (int)(arrow - params), params, (unsigned)st->t->id);
  for (int i = 0; i < st->ndim + st->nreduce; i++)
    sb_printf(&b, "%sd%d", i ? ", " : "", i);
  sb_printf(&b, "] -> L[");
  bool ok = true;
  for (int p = 0; p < n && ok; p++) {
    if (p) sb_printf(&b, ", ");
    ok = axis_value(st, leaves[p], &b);
  }
  sb_printf(&b, "] }");
  isl_map *m = ok && !b.oom ? isl_map_read_from_str(ic, b.p) : NULL;
  free(b.p);
  return m;
}

/* Applies the schedule to a dependence map: { L[src] -> L[sink] }. */
static isl_map *to_leaves(isl_map *dep, isl_map *sched) {
  return isl_map_apply_range(isl_map_apply_range(isl_map_reverse(isl_map_copy(sched)), dep),
                             isl_map_copy(sched));
}

/* The set { NAME[x0..x(n-1)] : cond } in the dependence's parameter space. */
static isl_set *delta_set(isl_ctx *ic, const char *name, int n, const char *cond) {
  sbuf b = {0};
  sb_printf(&b, "{ %s[", name);
  for (int i = 0; i < n; i++)
    sb_printf(&b, "%sx%d", i ? ", " : "", i);
  sb_printf(&b, "] : %s }", cond);
  isl_set *s = b.oom ? NULL : isl_set_read_from_str(ic, b.p);
  free(b.p);
  return s;
}

/* 1 if dependence text `dep` is carried by leaf position p of the order, 0 if not, -1 when ISL
 * could not answer. */
static int carried(isl_ctx *ic, const tcc_stage *st, const struct tcc_isl_cache *c, const char *dep,
                   int p, const tcc_axis *a) {
  if (!dep) return 0;
  isl_map *d = isl_map_read_from_str(ic, dep);
  isl_map *sch = leaf_schedule(ic, st, c, st->leaves, st->nleaves);
  isl_set *nz;
  char cond[64];
  if (sch) {
    d = to_leaves(d, sch);
    for (int q = 0; q < p; q++)
      d = isl_map_equate(d, isl_dim_in, q, isl_dim_out, q);
    snprintf(cond, sizeof cond, "x%d <= -1 or x%d >= 1", p, p);
    nz = delta_set(ic, "L", st->nleaves, cond);
  } else {
    /* fallback: the root dims a derives from must not differ */
    sbuf b = {0};
    sb_printf(&b, "1 = 0");
    uint64_t roots = axis_roots(st, a);
    for (int i = 0; i < st->ndim + st->nreduce; i++)
      if (i >= 64 || (roots >> i) & 1) sb_printf(&b, " or x%d <= -1 or x%d >= 1", i, i);
    char nm[32];
    snprintf(nm, sizeof nm, "S%u", (unsigned)st->t->id);
    nz = b.oom ? NULL : delta_set(ic, nm, st->ndim + st->nreduce, b.p);
    free(b.p);
  }
  isl_map_free(sch);
  isl_set *dl = isl_set_intersect(isl_map_deltas(d), nz);
  isl_bool e = isl_set_is_empty(dl);
  isl_set_free(dl);
  if (e == isl_bool_error || quota_hit(ic)) return -1;
  return e == isl_bool_true ? 0 : 1;
}

static const char *write_desc(tcc_context *ctx, const tcc_stage *st) {
  sbuf b = {0};
  sb_printf(&b, "%s[", st->t->name);
  for (int d = 0; d < st->ndim; d++)
    sb_printf(&b, "%s%s", d ? ", " : "", st->root[d]->name);
  sb_printf(&b, "]");
  const char *s = sb_arena(ctx, &b);
  return s ? s : st->t->name;
}

static tcc_status overflow_error(tcc_context *ctx, const char *what) {
  return tcc_error(ctx,
                   "%s: may depend (the ISL dependence analysis exceeded its bound of %lu "
                   "operations or failed; refusing conservatively)",
                   what, g_max_ops);
}

tcc_status tcc_isl_check_loop(tcc_context *ctx, const tcc_stage *cst, const tcc_axis *a,
                              const char *op, const char *verb) {
  tcc_stage *st = (tcc_stage *)cst;
  if (st->nreduce == 0 && !first_self_read(st)) return TCC_OK; /* no dependences at all */
  int p = 0;
  while (p < st->nleaves && st->leaves[p] != a)
    p++;
  if (p == st->nleaves) return TCC_OK; /* not a leaf: check_leaf reports it */
  const char *what = tcc_arena_printf(tcc_ctx_arena(ctx), "%s: cannot %s '%s' of stage '%s'", op,
                                      verb, a->name, st->t->name);
  struct tcc_isl_cache *c = model(ctx, st);
  if (!stage_deps(ctx, st, c)) return overflow_error(ctx, what);
  if (!c->dep_red && !c->dep_true) return TCC_OK;
  /* a loop over root dims along which no distance is nonzero carries nothing */
  uint64_t roots = axis_roots(st, a);
  bool maybe_red = c->dep_red && (roots & c->carry_red);
  bool maybe_true = c->dep_true && (roots & c->carry_true);
  if (!maybe_red && !maybe_true) return TCC_OK;
  isl_ctx *ic = new_ictx();
  if (!ic) return overflow_error(ctx, what);
  int cr = maybe_red ? carried(ic, st, c, c->dep_red, p, a) : 0;
  int ct = cr == 0 && maybe_true ? carried(ic, st, c, c->dep_true, p, a) : 0;
  isl_ctx_free(ic);
  if (cr < 0 || ct < 0) return overflow_error(ctx, what);
  if (cr)
    return tcc_error(ctx,
                     "%s: %s is carried across %s (reduction axis: each iteration updates "
                     "the same element; use rfactor first)",
                     what, write_desc(ctx, st), a->name);
  if (ct)
    return tcc_error(ctx,
                     "%s: %s reads %s, written at another iteration of %s (loop-carried "
                     "dependence)",
                     what, write_desc(ctx, st), c->sread_desc, a->name);
  return TCC_OK;
}

tcc_status tcc_isl_check_order(tcc_context *ctx, const tcc_stage *cst, tcc_axis *const *leaves) {
  tcc_stage *st = (tcc_stage *)cst;
  if (!first_self_read(st)) return TCC_OK; /* reduction dependences may be reordered */
  sbuf ob = {0};
  for (int i = 0; i < st->nleaves; i++)
    sb_printf(&ob, "%s%s", i ? ", " : "", leaves[i]->name);
  const char *what = tcc_arena_printf(tcc_ctx_arena(ctx),
                                      "reorder: cannot reorder stage '%s' "
                                      "to (%s)",
                                      st->t->name, ob.p ? ob.p : "");
  free(ob.p);
  struct tcc_isl_cache *c = model(ctx, st);
  if (!stage_deps(ctx, st, c)) return overflow_error(ctx, what);
  if (!c->dep_true) return TCC_OK;
  isl_ctx *ic = new_ictx();
  if (!ic) return overflow_error(ctx, what);
  isl_map *sch = leaf_schedule(ic, st, c, leaves, st->nleaves);
  if (!sch) {
    isl_ctx_free(ic);
    return tcc_error(ctx,
                     "%s: %s reads %s and the new loop order cannot be expressed as an "
                     "affine schedule to verify it (a shift_inward tail or a non-constant "
                     "factor); refusing conservatively",
                     what, write_desc(ctx, st), c->sread_desc);
  }
  isl_map *d = to_leaves(isl_map_read_from_str(ic, c->dep_true), sch);
  isl_map_free(sch);
  /* lexicographically negative distance: the sink would run before its source */
  sbuf b = {0};
  for (int p = 0; p < st->nleaves; p++) {
    sb_printf(&b, "%s(", p ? " or " : "");
    for (int q = 0; q < p; q++)
      sb_printf(&b, "x%d = 0 and ", q);
    sb_printf(&b, "x%d < 0)", p);
  }
  isl_set *neg = b.oom ? NULL : delta_set(ic, "L", st->nleaves, st->nleaves ? b.p : "1 = 0");
  free(b.p);
  isl_set *bad = isl_set_intersect(isl_map_deltas(d), neg);
  isl_bool e = isl_set_is_empty(bad);
  isl_set_free(bad);
  bool qh = quota_hit(ic);
  isl_ctx_free(ic);
  if (e == isl_bool_error || qh) return overflow_error(ctx, what);
  if (e == isl_bool_false)
    return tcc_error(ctx,
                     "%s: %s reads %s, written at an earlier iteration; in the new loop "
                     "order that dependence would run backwards",
                     what, write_desc(ctx, st), c->sread_desc);
  return TCC_OK;
}

/* Is the region of producer st one iteration of parent's loops up to leaf position p needs
 * (its box: bounds inference allocates and computes a box) closed under st's true
 * dependences, i.e. does every point of the box read only earlier points of the same box?
 * 1 yes, 0 no, -1 ISL could not answer, -2 not modelled exactly (the consumer reads st through
 * a non-affine index or an inlined stage, or its loops are not an affine schedule). */
static int region_closed(tcc_context *ctx, tcc_stage *st, struct tcc_isl_cache *c,
                         tcc_stage *parent, int p) {
  bool exact = false;
  const char *rd = reads_text(ctx, parent, st->t, &exact);
  if (!rd || !exact) return -2;
  struct tcc_isl_cache *pc = model(ctx, parent);
  if (!pc->dom) return -2;
  isl_ctx *ic = new_ictx();
  if (!ic) return -1;
  isl_map *sc = leaf_schedule(ic, parent, pc, parent->leaves, p + 1);
  if (!sc) {
    isl_ctx_free(ic);
    return -2;
  }
  isl_set *pdom = isl_set_read_from_str(ic, c->dom);
  isl_map *rc =
      isl_map_intersect_domain(isl_map_read_from_str(ic, rd), isl_set_read_from_str(ic, pc->dom));
  isl_map *wp = isl_map_intersect_domain(isl_map_read_from_str(ic, c->write), isl_set_copy(pdom));
  /* consumer iteration -> the producer iterations writing what it reads; then per prefix */
  isl_map *cp = isl_map_apply_range(rc, isl_map_reverse(wp));
  isl_map *region = isl_map_apply_range(isl_map_reverse(sc), cp);
  /* its box: per dim, between the smallest and the largest coordinate of the region */
  int nd = st->ndim + st->nreduce;
  isl_map *box =
      isl_map_intersect_range(isl_map_universe(isl_map_get_space(region)), isl_set_copy(pdom));
  for (int d = 0; d < nd; d++) {
    for (int side = 0; side < 2; side++) {
      sbuf b = {0};
      sb_printf(&b, "{ S%u[", (unsigned)st->t->id);
      for (int k = 0; k < nd; k++)
        sb_printf(&b, "%su%d", k ? ", " : "", k);
      sb_printf(&b, "] -> S%u[", (unsigned)st->t->id);
      for (int k = 0; k < nd; k++)
        sb_printf(&b, "%sx%d", k ? ", " : "", k);
      sb_printf(&b, "] : u%d %s x%d }", d, side ? ">=" : "<=", d);
      isl_map *cmp = b.oom ? NULL : isl_map_read_from_str(ic, b.p);
      free(b.p);
      box = isl_map_intersect(box, isl_map_apply_range(isl_map_copy(region), cmp));
    }
  }
  isl_map_free(region);
  isl_set_free(pdom);
  isl_map *dep = isl_map_read_from_str(ic, c->dep_true);
  isl_map *src = isl_map_apply_range(isl_map_copy(box), isl_map_reverse(dep));
  isl_bool sub = isl_map_is_subset(src, box);
  isl_map_free(src);
  isl_map_free(box);
  bool qh = quota_hit(ic);
  isl_ctx_free(ic);
  if (sub == isl_bool_error || qh) return -1;
  return sub == isl_bool_true ? 1 : 0;
}

tcc_status tcc_isl_check_compute_at(tcc_context *ctx, const tcc_stage *cst, const tcc_stage *parent,
                                    const tcc_axis *a) {
  tcc_stage *st = (tcc_stage *)cst;
  if (!first_self_read(st)) return TCC_OK;
  const char *what = tcc_arena_printf(tcc_ctx_arena(ctx),
                                      "compute_at: cannot compute '%s' at "
                                      "'%s' of stage '%s'",
                                      st->t->name, a->name, parent->t->name);
  struct tcc_isl_cache *c = model(ctx, st);
  if (!stage_deps(ctx, st, c)) return overflow_error(ctx, what);
  if (!c->dep_true) return TCC_OK;
  int p = 0;
  while (p < parent->nleaves && parent->leaves[p] != a)
    p++;
  int closed = p < parent->nleaves && !(st->has_scope && st->scope == TCC_SCOPE_SHARED)
                   ? region_closed(ctx, st, c, (tcc_stage *)parent, p)
                   : -2;
  if (closed == 1) return TCC_OK;
  if (closed == -1) return overflow_error(ctx, what);
  return tcc_error(ctx,
                   "%s: %s reads %s, produced by other iterations of '%s' (a loop-carried "
                   "dependence), so the region one iteration of '%s' needs would read elements "
                   "of '%s' before they are produced%s",
                   what, write_desc(ctx, st), c->sread_desc, st->t->name, a->name, st->t->name,
                   closed == -2 ? " (the region is not modelled exactly: refusing "
                                  "conservatively)"
                                : "");
}
