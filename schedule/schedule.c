/* schedule.c — the schedule data model and its primitives: split, fuse, reorder, tile, unroll,
 * vectorize, parallel, bind, compute_at, compute_inline, compute_root; the primitive log, its
 * printer and replay. */
#include "isl_deps.h"
#include "sched_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *tcc_tail_name(tcc_tail t) {
  switch (t) {
  case TCC_TAIL_AUTO: return "auto";
  case TCC_TAIL_GUARD: return "guard";
  case TCC_TAIL_ROUND_UP: return "round_up";
  case TCC_TAIL_SHIFT_INWARD: return "shift_inward";
  }
  return "?";
}

/* ---- growable arrays in the arena ---- */

static void *grow(tcc_context *ctx, void *arr, int n, int *cap, size_t elem) {
  if (n < *cap) return arr;
  int nc = *cap ? *cap * 2 : 8;
  void *na = tcc_arena_alloc(tcc_ctx_arena(ctx), elem * (size_t)nc);
  if (n) memcpy(na, arr, elem * (size_t)n);
  *cap = nc;
  return na;
}

static tcc_axis *new_axis(tcc_context *ctx, tcc_stage *st, const char *name, tcc_iv_kind kind) {
  tcc_axis *a = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *a);
  a->name = tcc_arena_strdup(tcc_ctx_arena(ctx), name);
  a->stage = st;
  a->kind = kind;
  a->leaf = true;
  a->index = st->naxes;
  st->axes = grow(ctx, st->axes, st->naxes, &st->cap_axes, sizeof *st->axes);
  st->axes[st->naxes++] = a;
  return a;
}

static const tcc_expr *find_reduce(const tcc_expr *e) {
  if (!e) return NULL;
  switch (e->kind) {
  case TCC_REDUCE: return e;
  case TCC_INT_IMM:
  case TCC_FLOAT_IMM:
  case TCC_VAR:
  case TCC_TENSOR_READ: return NULL;
  case TCC_SELECT: {
    const tcc_expr *r = find_reduce(e->u.select.cond);
    if (!r) r = find_reduce(e->u.select.t);
    return r ? r : find_reduce(e->u.select.f);
  }
  case TCC_CAST: return find_reduce(e->u.cast.a);
  case TCC_CALL:
    for (int i = 0; i < e->u.call.nargs; i++) {
      const tcc_expr *r = find_reduce(e->u.call.args[i]);
      if (r) return r;
    }
    return NULL;
  case TCC_LOAD:
  case TCC_RAMP:
  case TCC_BROADCAST:
  case TCC_LET: return NULL;
  default: {
    const tcc_expr *r = find_reduce(e->u.bin.a);
    return r ? r : (e->u.bin.b ? find_reduce(e->u.bin.b) : NULL);
  }
  }
}

/* (Re)creates the stage's axes from `body`: one root per dim, one per reduction axis. */
static void init_axes(tcc_context *ctx, tcc_stage *st, const tcc_expr *body) {
  const tcc_tensor *t = st->t;
  st->te_body = body;
  st->naxes = st->cap_axes = 0;
  st->axes = NULL;
  st->nrels = st->cap_rels = 0;
  st->rels = NULL;
  st->ndim = t->ndim;
  const tcc_expr *red = find_reduce(body);
  st->nreduce = red ? red->u.reduce.naxes : 0;
  st->root =
      tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *st->root * (size_t)(st->ndim + st->nreduce + 1));
  for (int d = 0; d < st->ndim; d++) {
    st->root[d] = new_axis(ctx, st, t->axes[d]->var->name, TCC_IV_DATA_PAR);
    st->root[d]->root = t->axes[d];
  }
  for (int r = 0; r < st->nreduce; r++) {
    const tcc_itervar *iv = red->u.reduce.axes[r];
    st->root[st->ndim + r] = new_axis(ctx, st, iv->var->name, TCC_IV_REDUCE);
    st->root[st->ndim + r]->root = iv;
  }
  st->nleaves = st->ndim + st->nreduce;
  st->cap_leaves = st->nleaves + 8;
  st->leaves = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *st->leaves * (size_t)st->cap_leaves);
  for (int i = 0; i < st->nleaves; i++)
    st->leaves[i] = st->root[i];
}

static tcc_stage *new_stage(tcc_context *ctx, tcc_schedule *s, const tcc_tensor *t) {
  tcc_stage *st = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *st);
  st->sch = s;
  st->t = t;
  init_axes(ctx, st, t->body);
  st->attach = TCC_ATTACH_ROOT;
  return st;
}

int tcc_sched_stage_inputs(tcc_context *ctx, const tcc_stage *st, const tcc_tensor ***out) {
  tcc_tensor tmp = *st->t;
  tmp.body = st->te_body;
  return tcc_tensor_inputs(ctx, &tmp, out);
}

static void visit(tcc_context *ctx, tcc_schedule *s, const tcc_tensor *t, tcc_vec *seen,
                  tcc_vec *order) {
  if (t->kind != TCC_TENSOR_COMPUTE) return;
  for (size_t i = 0; i < seen->len; i++)
    if (TCC_VEC_AT(*seen, const tcc_tensor *, i) == t) return;
  tcc_vec_push(tcc_ctx_arena(ctx), seen, &t);
  const tcc_tensor **in;
  int n = tcc_tensor_inputs(ctx, t, &in);
  for (int i = 0; i < n; i++)
    visit(ctx, s, in[i], seen, order);
  tcc_stage *st = new_stage(ctx, s, t);
  tcc_vec_push(tcc_ctx_arena(ctx), order, &st);
}

tcc_schedule *tcc_schedule_create(tcc_context *ctx, int nouts, const tcc_tensor *const *outs) {
  tcc_schedule *s = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *s);
  s->ctx = ctx;
  s->outs = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *s->outs * (size_t)(nouts + 1));
  tcc_vec seen, order;
  tcc_vec_init(&seen, sizeof(const tcc_tensor *));
  tcc_vec_init(&order, sizeof(tcc_stage *));
  for (int i = 0; i < nouts; i++) {
    if (outs[i]->kind != TCC_TENSOR_COMPUTE) continue;
    s->outs[s->nouts++] = outs[i];
    visit(ctx, s, outs[i], &seen, &order);
  }
  s->nstages = (int)order.len;
  s->stages = order.data;
  for (int i = 0; i < s->nstages; i++) {
    s->stages[i]->index = i;
    for (int o = 0; o < s->nouts; o++)
      if (s->outs[o] == s->stages[i]->t) s->stages[i]->is_output = true;
  }
  return s;
}

tcc_stage *tcc_schedule_stage(const tcc_schedule *s, const tcc_tensor *t) {
  for (int i = 0; i < s->nstages; i++)
    if (s->stages[i]->t == t) return s->stages[i];
  return NULL;
}
int tcc_schedule_num_stages(const tcc_schedule *s) { return s->nstages; }
tcc_stage *tcc_schedule_stage_at(const tcc_schedule *s, int i) {
  return i >= 0 && i < s->nstages ? s->stages[i] : NULL;
}
const tcc_tensor *tcc_stage_tensor(const tcc_stage *st) { return st->t; }
bool tcc_stage_is_output(const tcc_stage *st) { return st->is_output; }
bool tcc_stage_has_reduce(const tcc_stage *st) { return st->nreduce > 0; }
tcc_attach tcc_stage_attach(const tcc_stage *st) { return st->attach; }
tcc_axis *tcc_stage_axis(const tcc_stage *st, int dim) {
  return dim >= 0 && dim < st->ndim ? st->root[dim] : NULL;
}
tcc_axis *tcc_stage_reduce_axis(const tcc_stage *st, int i) {
  return i >= 0 && i < st->nreduce ? st->root[st->ndim + i] : NULL;
}
int tcc_stage_num_reduce_axes(const tcc_stage *st) { return st->nreduce; }
int tcc_stage_num_leaves(const tcc_stage *st) { return st->nleaves; }
tcc_axis *tcc_stage_leaf(const tcc_stage *st, int i) {
  return i >= 0 && i < st->nleaves ? st->leaves[i] : NULL;
}
const char *tcc_axis_name(const tcc_axis *a) { return a->name; }
tcc_stage *tcc_axis_stage(const tcc_axis *a) { return a->stage; }
bool tcc_axis_is_reduce(const tcc_axis *a) { return a->kind == TCC_IV_REDUCE; }
tcc_annot tcc_axis_annot(const tcc_axis *a) { return a->annot; }

static tcc_relation *made_by(const tcc_axis *a) {
  tcc_stage *st = a->stage;
  for (int i = 0; i < st->nrels; i++) {
    tcc_relation *r = st->rels[i];
    if (r->kind == REL_SPLIT && (r->outer == a || r->inner == a)) return r;
    if (r->kind == REL_FUSE && r->parent == a) return r;
  }
  return NULL;
}

bool tcc_axis_const_extent(const tcc_axis *a, int64_t *extent) {
  if (a->root) return tcc_expr_is_int_imm(a->root->extent, extent);
  tcc_relation *r = made_by(a);
  if (!r) return false;
  int64_t pe, oe, ie;
  if (r->kind == REL_FUSE) {
    if (!tcc_axis_const_extent(r->outer, &oe) || !tcc_axis_const_extent(r->inner, &ie))
      return false;
    return tcc_mul_ovf(oe, ie, extent);
  }
  bool known = tcc_axis_const_extent(r->parent, &pe);
  if (!r->by_nparts) {
    if (a == r->inner) {
      *extent = r->factor;
      return true;
    }
    if (!known) return false;
    *extent = (pe + r->factor - 1) / r->factor;
    return true;
  }
  if (a == r->outer) {
    *extent = r->factor;
    return true;
  }
  if (!known) return false;
  *extent = (pe + r->factor - 1) / r->factor;
  return true;
}

/* ---- log ---- */

static log_entry *log_push(tcc_schedule *s, log_op op, const tcc_stage *st) {
  s->log = grow(s->ctx, s->log, s->nlog, &s->cap_log, sizeof *s->log);
  log_entry *e = &s->log[s->nlog++];
  memset(e, 0, sizeof *e);
  e->op = op;
  e->stage = st->index;
  e->sp = st;
  e->out[0] = e->out[1] = -1;
  return e;
}

/* ---- checks ---- */

static const char *op_names[] = {"split",      "split",          "fuse",         "reorder",
                                 "unroll",     "vectorize",      "parallel",     "bind",
                                 "compute_at", "compute_inline", "compute_root", "cache_read"};

static tcc_status check_leaf(tcc_context *ctx, const char *op, tcc_stage *st, tcc_axis *a) {
  if (!st) return tcc_error(ctx, "%s: no stage given (a placeholder has no stage)", op);
  if (!a) return tcc_error(ctx, "%s: no axis given for stage '%s'", op, st->t->name);
  if (a->stage != st)
    return tcc_error(ctx, "%s: axis '%s' belongs to stage '%s', not to stage '%s'", op, a->name,
                     a->stage->t->name, st->t->name);
  if (!a->leaf)
    return tcc_error(ctx,
                     "%s: axis '%s' of stage '%s' was already split or fused; use the axes "
                     "that replaced it",
                     op, a->name, st->t->name);
  return TCC_OK;
}

static int leaf_pos(const tcc_stage *st, const tcc_axis *a) {
  for (int i = 0; i < st->nleaves; i++)
    if (st->leaves[i] == a) return i;
  return -1;
}

static bool stage_reads(tcc_context *ctx, const tcc_stage *consumer, const tcc_tensor *t) {
  for (int i = 0; i < consumer->nrepl; i++)
    if (consumer->repl_to[i] == t) return true; /* reads a cache_read copy */
  const tcc_tensor **in;
  int n = tcc_sched_stage_inputs(ctx, consumer, &in);
  for (int i = 0; i < n; i++) {
    if (in[i] == t) return true;
    /* through inlined stages */
    tcc_stage *mid = tcc_schedule_stage(consumer->sch, in[i]);
    if (mid && mid->attach == TCC_ATTACH_INLINE && stage_reads(ctx, mid, t)) return true;
  }
  /* through stages computed inside the consumer */
  for (int i = 0; i < consumer->sch->nstages; i++) {
    tcc_stage *o = consumer->sch->stages[i];
    if (o->attach == TCC_ATTACH_AT && o->attach_stage == consumer && o->t != t &&
        stage_reads(ctx, o, t))
      return true;
  }
  return false;
}

/* ---- split ---- */

static tcc_status do_split(tcc_context *ctx, tcc_stage *st, tcc_axis *a, int64_t factor,
                           bool nparts, tcc_tail tail, tcc_axis **outer, tcc_axis **inner) {
  const char *op = nparts ? "split_nparts" : "split";
  TCC_TRY(check_leaf(ctx, op, st, a));
  if (factor <= 0)
    return tcc_error(ctx, "%s: %s of axis '%s' of stage '%s' must be positive, got %lld", op,
                     nparts ? "nparts" : "factor", a->name, st->t->name, (long long)factor);
  if (a->annot != TCC_ANNOT_NONE)
    return tcc_error(ctx,
                     "%s: axis '%s' of stage '%s' is already annotated; split before "
                     "annotating",
                     op, a->name, st->t->name);
  if ((int)tail < TCC_TAIL_AUTO || tail > TCC_TAIL_SHIFT_INWARD)
    return tcc_error(ctx, "%s: unknown tail strategy %d", op, (int)tail);
  if (tail == TCC_TAIL_ROUND_UP && st->is_output)
    return tcc_error(ctx,
                     "%s: tail round_up on stage '%s' is not allowed: it is an output, "
                     "whose buffer cannot be enlarged",
                     op, st->t->name);
  if (tail == TCC_TAIL_ROUND_UP && a->kind == TCC_IV_REDUCE)
    return tcc_error(ctx,
                     "%s: tail round_up on reduction axis '%s' of stage '%s' would reduce "
                     "over points past the extent",
                     op, a->name, st->t->name);
  for (int i = 0; i < st->sch->nstages; i++) {
    tcc_stage *o = st->sch->stages[i];
    if (o->attach == TCC_ATTACH_AT && o->attach_axis == a)
      return tcc_error(ctx,
                       "%s: stage '%s' is computed at axis '%s' of stage '%s'; split before "
                       "compute_at",
                       op, o->t->name, a->name, st->t->name);
  }
  if (tail == TCC_TAIL_SHIFT_INWARD && st->nreduce > 0)
    return tcc_error(ctx,
                     "%s: tail shift_inward on stage '%s' is not allowed: it has a "
                     "reduction, and recomputed points would be accumulated twice",
                     op, st->t->name);
  tcc_relation *r = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *r);
  r->kind = REL_SPLIT;
  r->parent = a;
  r->factor = factor;
  r->by_nparts = nparts;
  r->tail = tail;
  char nb[256];
  snprintf(nb, sizeof nb, "%s.outer", a->name);
  r->outer = new_axis(ctx, st, nb, a->kind);
  snprintf(nb, sizeof nb, "%s.inner", a->name);
  r->inner = new_axis(ctx, st, nb, a->kind);
  st->rels = grow(ctx, st->rels, st->nrels, &st->cap_rels, sizeof *st->rels);
  st->rels[st->nrels++] = r;
  int p = leaf_pos(st, a);
  st->leaves = grow(ctx, st->leaves, st->nleaves, &st->cap_leaves, sizeof *st->leaves);
  memmove(&st->leaves[p + 2], &st->leaves[p + 1],
          sizeof *st->leaves * (size_t)(st->nleaves - p - 1));
  st->leaves[p] = r->outer;
  st->leaves[p + 1] = r->inner;
  st->nleaves++;
  a->leaf = false;
  log_entry *e = log_push(st->sch, nparts ? LOG_SPLIT_NPARTS : LOG_SPLIT, st);
  e->ax[0] = a->index;
  e->factor = factor;
  e->tail = tail;
  e->out[0] = r->outer->index;
  e->out[1] = r->inner->index;
  if (outer) *outer = r->outer;
  if (inner) *inner = r->inner;
  return TCC_OK;
}

tcc_status tcc_split(tcc_context *ctx, tcc_stage *st, tcc_axis *a, int64_t factor, tcc_tail tail,
                     tcc_axis **outer, tcc_axis **inner) {
  return do_split(ctx, st, a, factor, false, tail, outer, inner);
}
tcc_status tcc_split_nparts(tcc_context *ctx, tcc_stage *st, tcc_axis *a, int64_t nparts,
                            tcc_tail tail, tcc_axis **outer, tcc_axis **inner) {
  return do_split(ctx, st, a, nparts, true, tail, outer, inner);
}

tcc_status tcc_fuse(tcc_context *ctx, tcc_stage *st, tcc_axis *outer, tcc_axis *inner,
                    tcc_axis **fused) {
  TCC_TRY(check_leaf(ctx, "fuse", st, outer));
  TCC_TRY(check_leaf(ctx, "fuse", st, inner));
  int po = leaf_pos(st, outer), pi = leaf_pos(st, inner);
  if (pi != po + 1)
    return tcc_error(ctx,
                     "fuse: axes '%s' and '%s' of stage '%s' are not adjacent loops with "
                     "'%s' outside; reorder them first",
                     outer->name, inner->name, st->t->name, outer->name);
  if (outer->kind != inner->kind)
    return tcc_error(ctx,
                     "fuse: cannot fuse data-parallel and reduction axes ('%s', '%s' of "
                     "stage '%s')",
                     outer->name, inner->name, st->t->name);
  if (outer->annot != TCC_ANNOT_NONE || inner->annot != TCC_ANNOT_NONE)
    return tcc_error(ctx, "fuse: axes '%s', '%s' of stage '%s' must not be annotated yet",
                     outer->name, inner->name, st->t->name);
  for (int i = 0; i < st->sch->nstages; i++) {
    tcc_stage *o = st->sch->stages[i];
    if (o->attach == TCC_ATTACH_AT && (o->attach_axis == outer || o->attach_axis == inner))
      return tcc_error(ctx,
                       "fuse: stage '%s' is computed at axis '%s' of stage '%s'; fuse "
                       "before compute_at",
                       o->t->name, o->attach_axis->name, st->t->name);
  }
  char nb[512];
  snprintf(nb, sizeof nb, "%s.%s.fused", outer->name, inner->name);
  tcc_relation *r = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *r);
  r->kind = REL_FUSE;
  r->outer = outer;
  r->inner = inner;
  r->parent = new_axis(ctx, st, nb, outer->kind);
  st->rels = grow(ctx, st->rels, st->nrels, &st->cap_rels, sizeof *st->rels);
  st->rels[st->nrels++] = r;
  st->leaves[po] = r->parent;
  memmove(&st->leaves[pi], &st->leaves[pi + 1],
          sizeof *st->leaves * (size_t)(st->nleaves - pi - 1));
  st->nleaves--;
  outer->leaf = inner->leaf = false;
  log_entry *e = log_push(st->sch, LOG_FUSE, st);
  e->ax[0] = outer->index;
  e->ax[1] = inner->index;
  e->out[0] = r->parent->index;
  if (fused) *fused = r->parent;
  return TCC_OK;
}

tcc_status tcc_reorder(tcc_context *ctx, tcc_stage *st, int n, tcc_axis *const *order) {
  if (n <= 0) return tcc_error(ctx, "reorder: no axes given");
  int *pos = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *pos * (size_t)n);
  for (int i = 0; i < n; i++) {
    TCC_TRY(check_leaf(ctx, "reorder", st, order[i]));
    for (int j = 0; j < i; j++)
      if (order[j] == order[i])
        return tcc_error(ctx, "reorder: axis '%s' of stage '%s' is listed twice", order[i]->name,
                         st->t->name);
    pos[i] = leaf_pos(st, order[i]);
  }
  /* sort the positions; assign order[i] to the i-th smallest */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && pos[j - 1] > pos[j]; j--) {
      int t = pos[j];
      pos[j] = pos[j - 1];
      pos[j - 1] = t;
    }
  tcc_axis **nl = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *nl * (size_t)st->nleaves);
  memcpy(nl, st->leaves, sizeof *nl * (size_t)st->nleaves);
  for (int i = 0; i < n; i++)
    nl[pos[i]] = order[i];
  TCC_TRY(tcc_isl_check_order(ctx, st, nl));
  memcpy(st->leaves, nl, sizeof *nl * (size_t)st->nleaves);
  log_entry *e = log_push(st->sch, LOG_REORDER, st);
  e->nlist = n;
  e->list = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(int) * (size_t)n);
  for (int i = 0; i < n; i++)
    e->list[i] = order[i]->index;
  return TCC_OK;
}

tcc_status tcc_tile(tcc_context *ctx, tcc_stage *st, tcc_axis *x, tcc_axis *y, int64_t fx,
                    int64_t fy, tcc_tail tail, tcc_axis **xo, tcc_axis **yo, tcc_axis **xi,
                    tcc_axis **yi) {
  TCC_TRY(check_leaf(ctx, "tile", st, x));
  TCC_TRY(check_leaf(ctx, "tile", st, y));
  if (x == y) return tcc_error(ctx, "tile: the two axes must differ ('%s')", x->name);
  if (leaf_pos(st, x) > leaf_pos(st, y))
    return tcc_error(ctx, "tile: axis '%s' must be outside axis '%s' in stage '%s'", x->name,
                     y->name, st->t->name);
  if (fx <= 0 || fy <= 0)
    return tcc_error(ctx, "tile: factors must be positive, got %lld and %lld", (long long)fx,
                     (long long)fy);
  tcc_axis *a, *b, *c, *d;
  TCC_TRY(tcc_split(ctx, st, x, fx, tail, &a, &b));
  TCC_TRY(tcc_split(ctx, st, y, fy, tail, &c, &d));
  tcc_axis *ord[4] = {a, c, b, d};
  TCC_TRY(tcc_reorder(ctx, st, 4, ord));
  if (xo) *xo = a;
  if (xi) *xi = b;
  if (yo) *yo = c;
  if (yi) *yi = d;
  return TCC_OK;
}

static tcc_status annotate(tcc_context *ctx, log_op op, tcc_stage *st, tcc_axis *a, tcc_annot annot,
                           tcc_for_kind kind) {
  const char *name = op_names[op];
  TCC_TRY(check_leaf(ctx, name, st, a));
  if (a->annot != TCC_ANNOT_NONE && a->annot != annot)
    return tcc_error(ctx, "%s: axis '%s' of stage '%s' is already annotated", name, a->name,
                     st->t->name);
  int64_t ext;
  bool cext = tcc_axis_const_extent(a, &ext);
  if (annot == TCC_ANNOT_VECTORIZE || annot == TCC_ANNOT_PARALLEL || annot == TCC_ANNOT_BIND) {
    /* dependences carried by the loop (ISL), then the structural rule for reduction axes */
    TCC_TRY(tcc_isl_check_loop(ctx, st, a, name,
                               annot == TCC_ANNOT_VECTORIZE  ? "vectorize"
                               : annot == TCC_ANNOT_PARALLEL ? "parallelize"
                                                             : "bind"));
    if (a->kind == TCC_IV_REDUCE)
      return tcc_error(ctx,
                       "%s: axis '%s' of stage '%s' is a reduction axis; its iterations "
                       "accumulate into the same element (use rfactor first)",
                       name, a->name, st->t->name);
  }
  if (annot == TCC_ANNOT_VECTORIZE || annot == TCC_ANNOT_UNROLL) {
    if (!cext)
      return tcc_error(ctx,
                       "%s: axis '%s' of stage '%s' has a non-constant extent; split it by "
                       "a constant factor first",
                       name, a->name, st->t->name);
    if (annot == TCC_ANNOT_VECTORIZE && ext > 64)
      return tcc_error(ctx,
                       "vectorize: axis '%s' of stage '%s' has extent %lld, more than 64 "
                       "lanes; split it first",
                       a->name, st->t->name, (long long)ext);
    if (annot == TCC_ANNOT_UNROLL && ext > 1024)
      return tcc_error(ctx, "unroll: axis '%s' of stage '%s' has extent %lld, more than 1024",
                       a->name, st->t->name, (long long)ext);
  }
  if (annot == TCC_ANNOT_BIND && (kind < TCC_FOR_BLOCK_X || kind > TCC_FOR_THREAD_Z))
    return tcc_error(ctx, "bind: loop kind %s is not a GPU block or thread index",
                     tcc_for_kind_name(kind));
  a->annot = annot;
  a->bind = kind;
  log_entry *e = log_push(st->sch, op, st);
  e->ax[0] = a->index;
  e->kind = kind;
  return TCC_OK;
}

tcc_status tcc_unroll(tcc_context *ctx, tcc_stage *st, tcc_axis *a) {
  return annotate(ctx, LOG_UNROLL, st, a, TCC_ANNOT_UNROLL, TCC_FOR_UNROLLED);
}
tcc_status tcc_vectorize(tcc_context *ctx, tcc_stage *st, tcc_axis *a) {
  return annotate(ctx, LOG_VECTORIZE, st, a, TCC_ANNOT_VECTORIZE, TCC_FOR_VECTORIZED);
}
tcc_status tcc_parallel(tcc_context *ctx, tcc_stage *st, tcc_axis *a) {
  return annotate(ctx, LOG_PARALLEL, st, a, TCC_ANNOT_PARALLEL, TCC_FOR_PARALLEL);
}
tcc_status tcc_bind(tcc_context *ctx, tcc_stage *st, tcc_axis *a, tcc_for_kind kind) {
  return annotate(ctx, LOG_BIND, st, a, TCC_ANNOT_BIND, kind);
}

tcc_status tcc_compute_at(tcc_context *ctx, tcc_stage *st, tcc_stage *parent, tcc_axis *a) {
  if (!st || !parent) return tcc_error(ctx, "compute_at: no stage given");
  TCC_TRY(check_leaf(ctx, "compute_at", parent, a));
  if (st == parent)
    return tcc_error(ctx, "compute_at: stage '%s' cannot be computed inside itself", st->t->name);
  if (st->is_output)
    return tcc_error(ctx,
                     "compute_at: stage '%s' is an output; outputs are computed at the "
                     "root",
                     st->t->name);
  if (!stage_reads(ctx, parent, st->t))
    return tcc_error(ctx,
                     "compute_at: stage '%s' does not read '%s' (directly, through inlined "
                     "stages or through stages computed inside it); a stage can only be computed "
                     "inside a consumer",
                     parent->t->name, st->t->name);
  if (parent->attach == TCC_ATTACH_INLINE)
    return tcc_error(ctx, "compute_at: stage '%s' is inlined and has no loops", parent->t->name);
  TCC_TRY(tcc_isl_check_compute_at(ctx, st, parent, a));
  st->attach = TCC_ATTACH_AT;
  st->attach_stage = parent;
  st->attach_axis = a;
  log_entry *e = log_push(st->sch, LOG_COMPUTE_AT, st);
  e->stage2 = parent->index;
  e->sp2 = parent;
  e->ax[0] = a->index;
  return TCC_OK;
}

tcc_status tcc_compute_inline(tcc_context *ctx, tcc_stage *st) {
  if (!st) return tcc_error(ctx, "compute_inline: no stage given");
  if (st->is_output)
    return tcc_error(ctx, "compute_inline: stage '%s' is an output and must be stored",
                     st->t->name);
  if (st->nreduce > 0 || find_reduce(st->te_body))
    return tcc_error(ctx,
                     "compute_inline: stage '%s' is a reduction; only stages without a "
                     "reduction can be inlined",
                     st->t->name);
  for (int i = 0; i < st->sch->nstages; i++) {
    tcc_stage *o = st->sch->stages[i];
    if (o->attach == TCC_ATTACH_AT && o->attach_stage == st)
      return tcc_error(ctx,
                       "compute_inline: stage '%s' is computed at a loop of stage '%s'; "
                       "it would lose its loop",
                       o->t->name, st->t->name);
  }
  st->attach = TCC_ATTACH_INLINE;
  st->attach_stage = NULL;
  st->attach_axis = NULL;
  log_push(st->sch, LOG_COMPUTE_INLINE, st);
  return TCC_OK;
}

tcc_status tcc_compute_root(tcc_context *ctx, tcc_stage *st) {
  if (!st) return tcc_error(ctx, "compute_root: no stage given");
  st->attach = TCC_ATTACH_ROOT;
  st->attach_stage = NULL;
  st->attach_axis = NULL;
  log_push(st->sch, LOG_COMPUTE_ROOT, st);
  return TCC_OK;
}

/* ---- cache_read ---- */

static const char *const scope_names[] = {"global", "workspace", "stack", "shared", "local"};

tcc_status tcc_cache_read(tcc_context *ctx, tcc_schedule *s, const tcc_tensor *t,
                          tcc_mem_scope scope, int nreaders, tcc_stage *const *readers,
                          tcc_stage **out) {
  if (!s || !t) return tcc_error(ctx, "cache_read: no schedule or tensor given");
  if ((int)scope < TCC_SCOPE_WORKSPACE || scope > TCC_SCOPE_LOCAL)
    return tcc_error(ctx,
                     "cache_read: scope %d is not a cache scope (workspace, stack, shared, "
                     "local)",
                     (int)scope);
  if (nreaders < 1 || !readers)
    return tcc_error(ctx, "cache_read: no reader stages given for '%s'", t->name);
  int first = s->nstages;
  int *ridx = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(int) * (size_t)nreaders);
  for (int r = 0; r < nreaders; r++) {
    tcc_stage *rd = readers[r];
    if (!rd || rd->sch != s)
      return tcc_error(ctx, "cache_read: reader %d is not a stage of this schedule", r);
    const tcc_tensor **in;
    int n = tcc_sched_stage_inputs(ctx, rd, &in);
    bool reads = false;
    for (int i = 0; i < n; i++)
      reads |= in[i] == t;
    if (!reads)
      return tcc_error(ctx, "cache_read: stage '%s' does not read '%s'", rd->t->name, t->name);
    if (rd->index < first) first = rd->index;
    ridx[r] = rd->index; /* replay looks readers up before the insertion */
  }
  /* the cache tensor: copy of t */
  char nb[256];
  snprintf(nb, sizeof nb, "%s.%s", t->name, scope_names[scope]);
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, t->ndim, t->shape, NULL);
  const tcc_expr **idx = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *idx * (size_t)(t->ndim + 1));
  for (int d = 0; d < t->ndim; d++)
    idx[d] = tcc_expr_var(ctx, ax[d]->var);
  tcc_tensor *ct = tcc_compute(ctx, nb, t->ndim, t->shape, ax,
                               tcc_tensor_read(ctx, t, t->ndim, idx), "cache_read");
  tcc_stage *cs = new_stage(ctx, s, ct);
  cs->has_scope = true;
  cs->scope = scope;
  /* insert before the first reader */
  tcc_stage **ns = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *ns * (size_t)(s->nstages + 1));
  for (int i = 0, k = 0; i < s->nstages; i++) {
    if (i == first) ns[k++] = cs;
    ns[k++] = s->stages[i];
  }
  s->stages = ns;
  s->nstages++;
  for (int i = 0; i < s->nstages; i++)
    s->stages[i]->index = i;
  for (int r = 0; r < nreaders; r++) {
    tcc_stage *rd = readers[r];
    const tcc_tensor **f = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *f * (size_t)(rd->nrepl + 1));
    const tcc_tensor **to =
        tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *to * (size_t)(rd->nrepl + 1));
    for (int i = 0; i < rd->nrepl; i++)
      f[i] = rd->repl_from[i], to[i] = rd->repl_to[i];
    f[rd->nrepl] = t;
    to[rd->nrepl] = ct;
    rd->repl_from = f;
    rd->repl_to = to;
    rd->nrepl++;
  }
  /* log: the tensor as an input position of the first reader, so replay finds it */
  log_entry *e = log_push(s, LOG_CACHE_READ, cs);
  e->kind = scope;
  e->nlist = nreaders;
  e->list = ridx;
  const tcc_tensor **in;
  int n = tcc_sched_stage_inputs(ctx, readers[0], &in);
  for (int i = 0; i < n; i++)
    if (in[i] == t) e->ax[0] = i;
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  fprintf(m, "cache_read(%s, %s", t->name, scope_names[scope]);
  for (int r = 0; r < nreaders; r++)
    fprintf(m, ", %s", readers[r]->t->name);
  fprintf(m, ") -> %s\n", ct->name);
  fclose(m);
  e->text = tcc_arena_strdup(tcc_ctx_arena(ctx), text);
  free(text);
  if (out) *out = cs;
  return TCC_OK;
}

/* ---- rfactor, set_scope ---- */

static void finalize_log(tcc_schedule *s);

static const char *logged_text(tcc_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *logged_text(tcc_context *ctx, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return tcc_arena_strdup(tcc_ctx_arena(ctx), buf);
}

tcc_status tcc_rfactor(tcc_context *ctx, tcc_schedule *s, tcc_stage *st, tcc_axis *a,
                       int factor_pos, tcc_stage **out) {
  TCC_TRY(check_leaf(ctx, "rfactor", st, a));
  finalize_log(s);
  if (a->kind != TCC_IV_REDUCE)
    return tcc_error(ctx, "rfactor: axis '%s' of stage '%s' is not a reduction axis", a->name,
                     st->t->name);
  const tcc_expr *body = st->te_body;
  if (body->kind != TCC_REDUCE)
    return tcc_error(ctx, "rfactor: the reduction of stage '%s' is not the top of its body",
                     st->t->name);
  if (factor_pos < 0 || factor_pos > st->ndim)
    return tcc_error(ctx, "rfactor: factor position %d is outside [0, %d] for stage '%s'",
                     factor_pos, st->ndim, st->t->name);
  if (st->attach != TCC_ATTACH_ROOT)
    return tcc_error(ctx, "rfactor: stage '%s' must be at the root (compute_at it afterwards)",
                     st->t->name);
  for (int i = 0; i < s->nstages; i++)
    if (s->stages[i]->attach == TCC_ATTACH_AT && s->stages[i]->attach_stage == st)
      return tcc_error(ctx,
                       "rfactor: stage '%s' is computed inside stage '%s', whose loops "
                       "rfactor replaces",
                       s->stages[i]->t->name, st->t->name);
  /* a is a root reduction axis, or one half of the single split of one */
  tcc_relation *rel = NULL;
  for (int i = 0; i < st->nrels; i++) {
    tcc_relation *r = st->rels[i];
    if (r->kind == REL_SPLIT && (r->outer == a || r->inner == a) && r->parent->root && !rel)
      rel = r;
    else
      return tcc_error(ctx,
                       "rfactor: stage '%s' has other loop transformations; before "
                       "rfactor, only split the reduction axis being factored",
                       st->t->name);
  }
  for (int i = 0; i < st->nleaves; i++)
    if (st->leaves[i]->annot != TCC_ANNOT_NONE)
      return tcc_error(ctx, "rfactor: annotate the loops of stage '%s' after rfactor", st->t->name);
  const tcc_itervar *r0 = rel ? rel->parent->root : a->root;
  if (!rel && body->u.reduce.naxes == 1)
    return tcc_error(ctx,
                     "rfactor: axis '%s' is the only reduction axis of stage '%s'; split it "
                     "first and factor one half",
                     a->name, st->t->name);
  const tcc_expr *ext_a, *ext_b = NULL, *va, *vb = NULL;
  tcc_arena *ar = tcc_ctx_arena(ctx);
  if (!rel) {
    ext_a = r0->extent;
  } else {
    const tcc_expr *ceil = tcc_floordiv(
        ctx, tcc_add(ctx, r0->extent, tcc_idx(ctx, rel->factor - 1)), tcc_idx(ctx, rel->factor));
    const tcc_expr *e_out = rel->by_nparts ? tcc_idx(ctx, rel->factor) : ceil;
    const tcc_expr *e_in = rel->by_nparts ? ceil : tcc_idx(ctx, rel->factor);
    ext_a = a == rel->inner ? e_in : e_out;
    ext_b = a == rel->inner ? e_out : e_in;
  }
  /* RF's shape and data axes */
  int nd = st->ndim + 1;
  const tcc_expr **shape = tcc_arena_alloc(ar, sizeof *shape * (size_t)nd);
  const char **names = tcc_arena_alloc(ar, sizeof *names * (size_t)nd);
  for (int d = 0, k = 0; d < nd; d++) {
    if (d == factor_pos) {
      shape[d] = ext_a;
      names[d] = a->name;
    } else {
      shape[d] = st->t->shape[k];
      names[d] = st->t->axes[k]->var->name;
      k++;
    }
  }
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, nd, shape, names);
  /* substitutions: S's data vars -> RF's, the factored root -> its value */
  const tcc_var **vars = tcc_arena_alloc(ar, sizeof *vars * (size_t)(nd + 1));
  const tcc_expr **vals = tcc_arena_alloc(ar, sizeof *vals * (size_t)(nd + 1));
  int nsub = 0;
  for (int d = 0, k = 0; d < nd; d++)
    if (d != factor_pos) {
      vars[nsub] = st->t->axes[k++]->var;
      vals[nsub++] = tcc_expr_var(ctx, ax[d]->var);
    }
  va = tcc_expr_var(ctx, ax[factor_pos]->var);
  const tcc_itervar *b_iv = NULL;
  const tcc_expr *guard = NULL;
  const tcc_expr *rval;
  if (rel) {
    tcc_axis *b = a == rel->inner ? rel->outer : rel->inner;
    b_iv = tcc_reduce_axis(ctx, b->name, tcc_idx(ctx, 0), ext_b);
    vb = tcc_expr_var(ctx, b_iv->var);
    const tcc_expr *step =
        rel->by_nparts ? (a == rel->inner ? ext_a : ext_b) : tcc_idx(ctx, rel->factor);
    const tcc_expr *vo = a == rel->outer ? va : vb, *vi = a == rel->inner ? va : vb;
    const tcc_expr *off = tcc_add(ctx, tcc_mul(ctx, vo, step), vi);
    rval = tcc_add(ctx, r0->min, off);
    int64_t e;
    bool divides =
        tcc_expr_is_int_imm(r0->extent, &e) && (rel->by_nparts ? false : e % rel->factor == 0);
    if (!divides) guard = tcc_lt(ctx, off, r0->extent);
  } else {
    rval = tcc_add(ctx, r0->min, va);
  }
  vars[nsub] = r0->var;
  vals[nsub++] = rval;
  /* RF's reduction axes: the other roots, and the other half of the split */
  int nred = 0;
  const tcc_itervar **raxes =
      tcc_arena_alloc(ar, sizeof *raxes * (size_t)(body->u.reduce.naxes + 1));
  for (int i = 0; i < body->u.reduce.naxes; i++) {
    const tcc_itervar *iv = body->u.reduce.axes[i];
    if (iv != r0)
      raxes[nred++] = iv;
    else if (b_iv)
      raxes[nred++] = b_iv;
  }
  const tcc_expr *src = tcc_expr_substitute(ctx, body->u.reduce.source, nsub, vars, vals);
  const tcc_expr *cond =
      body->u.reduce.cond ? tcc_expr_substitute(ctx, body->u.reduce.cond, nsub, vars, vals) : NULL;
  if (guard) cond = cond ? tcc_and(ctx, cond, guard) : guard;
  const tcc_expr *rf_body = tcc_reduce(ctx, body->u.reduce.comb, src, nred, raxes, cond);
  char nb[256];
  snprintf(nb, sizeof nb, "%s.rf", st->t->name);
  tcc_tensor *rft = tcc_compute(ctx, nb, nd, shape, ax, rf_body, "rfactor");
  /* S now combines RF's partial results over the factored axis */
  const tcc_itervar *r2 = tcc_reduce_axis(ctx, a->name, tcc_idx(ctx, 0), ext_a);
  const tcc_expr **ridx = tcc_arena_alloc(ar, sizeof *ridx * (size_t)nd);
  for (int d = 0, k = 0; d < nd; d++)
    ridx[d] =
        d == factor_pos ? tcc_expr_var(ctx, r2->var) : tcc_expr_var(ctx, st->t->axes[k++]->var);
  const tcc_expr *nbody =
      tcc_reduce(ctx, body->u.reduce.comb, tcc_tensor_read(ctx, rft, nd, ridx), 1, &r2, NULL);
  int sidx = st->index;
  tcc_stage *rs = new_stage(ctx, s, rft);
  tcc_stage **ns = tcc_arena_alloc(ar, sizeof *ns * (size_t)(s->nstages + 1));
  for (int i = 0, k = 0; i < s->nstages; i++) {
    if (i == sidx) ns[k++] = rs;
    ns[k++] = s->stages[i];
  }
  s->stages = ns;
  s->nstages++;
  for (int i = 0; i < s->nstages; i++)
    s->stages[i]->index = i;
  int aidx = a->index;
  const char *aname = a->name;
  init_axes(ctx, st, nbody);
  log_entry *e = log_push(s, LOG_RFACTOR, st);
  e->stage = sidx;
  e->ax[0] = aidx;
  e->factor = factor_pos;
  e->text =
      logged_text(ctx, "rfactor(%s, %s, %d) -> %s\n", st->t->name, aname, factor_pos, rft->name);
  if (out) *out = rs;
  return TCC_OK;
}

tcc_status tcc_set_scope(tcc_context *ctx, tcc_stage *st, tcc_mem_scope scope) {
  if (!st) return tcc_error(ctx, "set_scope: no stage given");
  if ((int)scope < TCC_SCOPE_WORKSPACE || scope > TCC_SCOPE_LOCAL)
    return tcc_error(ctx,
                     "set_scope: scope %d is not a scratch scope (workspace, stack, shared, "
                     "local)",
                     (int)scope);
  if (st->is_output)
    return tcc_error(ctx, "set_scope: stage '%s' is an output; it lives in its argument buffer",
                     st->t->name);
  st->has_scope = true;
  st->scope = scope;
  log_entry *e = log_push(st->sch, LOG_SET_SCOPE, st);
  e->kind = scope;
  e->text = logged_text(ctx, "set_scope(%s, %s)\n", st->t->name, scope_names[scope]);
  return TCC_OK;
}

/* ---- cache_write, storage_align ---- */

tcc_status tcc_cache_write(tcc_context *ctx, tcc_schedule *s, tcc_stage *st, tcc_mem_scope scope,
                           tcc_stage **out) {
  if (!s || !st) return tcc_error(ctx, "cache_write: no schedule or stage given");
  if ((int)scope < TCC_SCOPE_WORKSPACE || scope > TCC_SCOPE_LOCAL)
    return tcc_error(ctx,
                     "cache_write: scope %d is not a cache scope (workspace, stack, shared, "
                     "local)",
                     (int)scope);
  if (st->nrels > 0 || st->attach != TCC_ATTACH_ROOT)
    return tcc_error(ctx,
                     "cache_write: stage '%s' must be untransformed and at the root; "
                     "cache_write first, then schedule both stages",
                     st->t->name);
  for (int i = 0; i < st->nleaves; i++)
    if (st->leaves[i]->annot != TCC_ANNOT_NONE)
      return tcc_error(ctx, "cache_write: annotate the loops of stage '%s' afterwards",
                       st->t->name);
  for (int i = 0; i < s->nstages; i++)
    if (s->stages[i]->attach == TCC_ATTACH_AT && s->stages[i]->attach_stage == st)
      return tcc_error(ctx, "cache_write: stage '%s' is computed inside stage '%s'",
                       s->stages[i]->t->name, st->t->name);
  finalize_log(s);
  const tcc_tensor *t = st->t;
  tcc_arena *ar = tcc_ctx_arena(ctx);
  char nb[256];
  snprintf(nb, sizeof nb, "%s.%s", t->name, scope_names[scope]);
  const char **names = tcc_arena_alloc(ar, sizeof *names * (size_t)(t->ndim + 1));
  for (int d = 0; d < t->ndim; d++)
    names[d] = t->axes[d]->var->name;
  const tcc_itervar *const *ax = tcc_compute_axes(ctx, t->ndim, t->shape, names);
  const tcc_var **vars = tcc_arena_alloc(ar, sizeof *vars * (size_t)(t->ndim + 1));
  const tcc_expr **vals = tcc_arena_alloc(ar, sizeof *vals * (size_t)(t->ndim + 1));
  const tcc_expr **idx = tcc_arena_alloc(ar, sizeof *idx * (size_t)(t->ndim + 1));
  for (int d = 0; d < t->ndim; d++) {
    vars[d] = t->axes[d]->var;
    vals[d] = tcc_expr_var(ctx, ax[d]->var);
    idx[d] = tcc_expr_var(ctx, t->axes[d]->var);
  }
  const tcc_expr *body = tcc_expr_substitute(ctx, st->te_body, t->ndim, vars, vals);
  tcc_tensor *ct = tcc_compute(ctx, nb, t->ndim, t->shape, ax, body, "cache_write");
  tcc_stage *cs = new_stage(ctx, s, ct);
  cs->has_scope = true;
  cs->scope = scope;
  int sidx = st->index;
  tcc_stage **ns = tcc_arena_alloc(ar, sizeof *ns * (size_t)(s->nstages + 1));
  for (int i = 0, k = 0; i < s->nstages; i++) {
    if (i == sidx) ns[k++] = cs;
    ns[k++] = s->stages[i];
  }
  s->stages = ns;
  s->nstages++;
  for (int i = 0; i < s->nstages; i++)
    s->stages[i]->index = i;
  init_axes(ctx, st, tcc_tensor_read(ctx, ct, t->ndim, idx));
  log_entry *e = log_push(s, LOG_CACHE_WRITE, st);
  e->stage = sidx;
  e->kind = scope;
  e->text = logged_text(ctx, "cache_write(%s, %s) -> %s\n", t->name, scope_names[scope], ct->name);
  if (out) *out = cs;
  return TCC_OK;
}

tcc_status tcc_storage_align(tcc_context *ctx, tcc_stage *st, int dim, int64_t factor,
                             int64_t offset) {
  if (!st) return tcc_error(ctx, "storage_align: no stage given");
  if (dim < 0 || dim >= st->ndim - 1)
    return tcc_error(ctx,
                     "storage_align: dim %d of stage '%s' has no stride to pad (dims 0..%d "
                     "can be aligned)",
                     dim, st->t->name, st->ndim - 2);
  if (factor <= 0 || offset < 0 || offset >= factor)
    return tcc_error(ctx,
                     "storage_align: need factor > 0 and 0 <= offset < factor, got %lld and "
                     "%lld",
                     (long long)factor, (long long)offset);
  if (st->is_output)
    return tcc_error(ctx, "storage_align: stage '%s' is an output; its layout is the argument's",
                     st->t->name);
  if (!st->align_factor) {
    st->align_factor = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(int64_t) * (size_t)st->ndim);
    st->align_offset = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(int64_t) * (size_t)st->ndim);
  }
  st->align_factor[dim] = factor;
  st->align_offset[dim] = offset;
  log_entry *e = log_push(st->sch, LOG_STORAGE_ALIGN, st);
  e->ax[0] = dim;
  e->factor = factor;
  e->tail = (int)offset;
  e->text = logged_text(ctx, "storage_align(%s, %d, factor=%lld, offset=%lld)\n", st->t->name, dim,
                        (long long)factor, (long long)offset);
  return TCC_OK;
}

/* ---- tensorize ---- */

tcc_status tcc_tensorize(tcc_context *ctx, tcc_stage *st, tcc_axis *a,
                         const tcc_tensor_intrin *intrin) {
  TCC_TRY(check_leaf(ctx, "tensorize", st, a));
  if (!intrin || !intrin->compute || intrin->compute->kind != TCC_TENSOR_COMPUTE || !intrin->emit)
    return tcc_error(ctx, "tensorize: the intrinsic needs a compute description and an emitter");
  const tcc_tensor *ic = intrin->compute;
  const tcc_expr *red = ic->body->kind == TCC_REDUCE ? ic->body : NULL;
  int nr = red ? red->u.reduce.naxes : 0;
  int p = leaf_pos(st, a);
  int inner = st->nleaves - p - 1;
  if (inner != ic->ndim + nr)
    return tcc_error(ctx,
                     "tensorize: stage '%s' has %d loops inside '%s' but intrinsic '%s' has "
                     "%d axes",
                     st->t->name, inner, a->name, intrin->name, ic->ndim + nr);
  for (int q = 0; q < inner; q++) {
    const tcc_axis *l = st->leaves[p + 1 + q];
    const tcc_itervar *iv = q < ic->ndim ? ic->axes[q] : red->u.reduce.axes[q - ic->ndim];
    int64_t le, ie, mn;
    bool want_reduce = q >= ic->ndim;
    if ((l->kind == TCC_IV_REDUCE) != want_reduce)
      return tcc_error(ctx,
                       "tensorize: loop '%s' of stage '%s' is %s but intrinsic '%s' axis %d "
                       "is %s",
                       l->name, st->t->name,
                       l->kind == TCC_IV_REDUCE ? "a reduction" : "data-parallel", intrin->name, q,
                       want_reduce ? "a reduction" : "data-parallel");
    if (!tcc_axis_const_extent(l, &le) || !tcc_expr_is_int_imm(iv->extent, &ie) || le != ie ||
        !tcc_expr_is_int_imm(iv->min, &mn) || mn != 0)
      return tcc_error(ctx,
                       "tensorize: loop '%s' of stage '%s' does not have the constant extent "
                       "of intrinsic '%s' axis %d",
                       l->name, st->t->name, intrin->name, q);
    if (l->annot != TCC_ANNOT_NONE)
      return tcc_error(ctx, "tensorize: loop '%s' of stage '%s' is annotated", l->name,
                       st->t->name);
  }
  st->tz_axis = a;
  st->tz_intrin = intrin;
  log_entry *e = log_push(st->sch, LOG_TENSORIZE, st);
  e->ax[0] = a->index;
  e->intrin = intrin;
  e->text = logged_text(ctx, "tensorize(%s, %s, %s)\n", st->t->name, a->name, intrin->name);
  return TCC_OK;
}

/* ---- print and replay ---- */

static void format_entry(FILE *f, const log_entry *e) {
  {
    const tcc_stage *st = e->sp;
    const char *sn = st->t->name;
    switch (e->op) {
    case LOG_SPLIT:
    case LOG_SPLIT_NPARTS:
      fprintf(f, "split(%s, %s, %s=%lld, tail=%s) -> %s, %s\n", sn, st->axes[e->ax[0]]->name,
              e->op == LOG_SPLIT ? "factor" : "nparts", (long long)e->factor,
              tcc_tail_name((tcc_tail)e->tail), st->axes[e->out[0]]->name,
              st->axes[e->out[1]]->name);
      break;
    case LOG_FUSE:
      fprintf(f, "fuse(%s, %s, %s) -> %s\n", sn, st->axes[e->ax[0]]->name, st->axes[e->ax[1]]->name,
              st->axes[e->out[0]]->name);
      break;
    case LOG_REORDER:
      fprintf(f, "reorder(%s", sn);
      for (int k = 0; k < e->nlist; k++)
        fprintf(f, ", %s", st->axes[e->list[k]]->name);
      fputs(")\n", f);
      break;
    case LOG_UNROLL:
    case LOG_VECTORIZE:
    case LOG_PARALLEL:
      fprintf(f, "%s(%s, %s)\n", op_names[e->op], sn, st->axes[e->ax[0]]->name);
      break;
    case LOG_BIND:
      fprintf(f, "bind(%s, %s, %s)\n", sn, st->axes[e->ax[0]]->name,
              tcc_for_kind_name((tcc_for_kind)e->kind));
      break;
    case LOG_COMPUTE_AT: {
      const tcc_stage *p = e->sp2;
      fprintf(f, "compute_at(%s, %s, %s)\n", sn, p->t->name, p->axes[e->ax[0]]->name);
      break;
    }
    case LOG_COMPUTE_INLINE:
    case LOG_COMPUTE_ROOT: fprintf(f, "%s(%s)\n", op_names[e->op], sn); break;
    case LOG_CACHE_READ:
    case LOG_RFACTOR:
    case LOG_SET_SCOPE:
    case LOG_CACHE_WRITE:
    case LOG_STORAGE_ALIGN:
    case LOG_TENSORIZE: fputs(e->text, f); break;
    }
  }
}

/* Formats the entries not formatted yet while their axes are current (rfactor recreates a
 * stage's axes). */
static void finalize_log(tcc_schedule *s) {
  for (int i = 0; i < s->nlog; i++) {
    log_entry *e = &s->log[i];
    if (e->text) continue;
    char *t = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&t, &n);
    if (!m) continue;
    format_entry(m, e);
    fclose(m);
    e->text = tcc_arena_strdup(tcc_ctx_arena(s->ctx), t);
    free(t);
  }
}

void tcc_schedule_print(FILE *f, const tcc_schedule *s) {
  finalize_log((tcc_schedule *)s);
  for (int i = 0; i < s->nlog; i++)
    fputs(s->log[i].text, f);
}

static tcc_axis *axis_by_index(tcc_context *ctx, tcc_stage *st, int i, tcc_status *ok) {
  if (i < 0 || i >= st->naxes) {
    *ok = tcc_error(ctx, "replay: stage '%s' has no axis #%d", st->t->name, i);
    return NULL;
  }
  return st->axes[i];
}

tcc_status tcc_schedule_replay(tcc_context *ctx, tcc_schedule *dst, const tcc_schedule *src) {
  int src_stages = src->nstages;
  for (int i = 0; i < src->nlog; i++)
    src_stages -= src->log[i].op == LOG_CACHE_READ || src->log[i].op == LOG_RFACTOR ||
                  src->log[i].op == LOG_CACHE_WRITE;
  if (dst->nstages != src_stages)
    return tcc_error(ctx, "replay: the schedules have %d and %d stages", dst->nstages, src_stages);
  for (int i = 0; i < src->nlog; i++) {
    const log_entry *e = &src->log[i];
    if (e->op != LOG_CACHE_READ && (e->stage < 0 || e->stage >= dst->nstages))
      return tcc_error(ctx, "replay: stage #%d does not exist", e->stage);
    tcc_stage *st = e->op == LOG_CACHE_READ ? NULL : dst->stages[e->stage];
    tcc_status ok = TCC_OK;
    tcc_axis *a = NULL, *b = NULL;
    switch (e->op) {
    case LOG_SPLIT:
    case LOG_SPLIT_NPARTS:
      a = axis_by_index(ctx, st, e->ax[0], &ok);
      TCC_TRY(ok);
      TCC_TRY(do_split(ctx, st, a, e->factor, e->op == LOG_SPLIT_NPARTS, (tcc_tail)e->tail, NULL,
                       NULL));
      break;
    case LOG_FUSE:
      a = axis_by_index(ctx, st, e->ax[0], &ok);
      b = axis_by_index(ctx, st, e->ax[1], &ok);
      TCC_TRY(ok);
      TCC_TRY(tcc_fuse(ctx, st, a, b, NULL));
      break;
    case LOG_REORDER: {
      tcc_axis **ord = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *ord * (size_t)e->nlist);
      for (int k = 0; k < e->nlist; k++)
        ord[k] = axis_by_index(ctx, st, e->list[k], &ok);
      TCC_TRY(ok);
      TCC_TRY(tcc_reorder(ctx, st, e->nlist, ord));
      break;
    }
    case LOG_UNROLL:
    case LOG_VECTORIZE:
    case LOG_PARALLEL:
    case LOG_BIND: {
      a = axis_by_index(ctx, st, e->ax[0], &ok);
      TCC_TRY(ok);
      static const tcc_annot an[] = {[LOG_UNROLL] = TCC_ANNOT_UNROLL,
                                     [LOG_VECTORIZE] = TCC_ANNOT_VECTORIZE,
                                     [LOG_PARALLEL] = TCC_ANNOT_PARALLEL,
                                     [LOG_BIND] = TCC_ANNOT_BIND};
      TCC_TRY(annotate(ctx, e->op, st, a, an[e->op], (tcc_for_kind)e->kind));
      break;
    }
    case LOG_COMPUTE_AT: {
      tcc_stage *p = dst->stages[e->stage2];
      a = axis_by_index(ctx, p, e->ax[0], &ok);
      TCC_TRY(ok);
      TCC_TRY(tcc_compute_at(ctx, st, p, a));
      break;
    }
    case LOG_COMPUTE_INLINE: TCC_TRY(tcc_compute_inline(ctx, st)); break;
    case LOG_COMPUTE_ROOT: TCC_TRY(tcc_compute_root(ctx, st)); break;
    case LOG_RFACTOR: {
      a = axis_by_index(ctx, st, e->ax[0], &ok);
      TCC_TRY(ok);
      TCC_TRY(tcc_rfactor(ctx, dst, st, a, (int)e->factor, NULL));
      break;
    }
    case LOG_SET_SCOPE: TCC_TRY(tcc_set_scope(ctx, st, (tcc_mem_scope)e->kind)); break;
    case LOG_CACHE_WRITE:
      TCC_TRY(tcc_cache_write(ctx, dst, st, (tcc_mem_scope)e->kind, NULL));
      break;
    case LOG_STORAGE_ALIGN:
      TCC_TRY(tcc_storage_align(ctx, st, e->ax[0], e->factor, e->tail));
      break;
    case LOG_TENSORIZE:
      a = axis_by_index(ctx, st, e->ax[0], &ok);
      TCC_TRY(ok);
      TCC_TRY(tcc_tensorize(ctx, st, a, e->intrin));
      break;
    case LOG_CACHE_READ: {
      tcc_stage **rd = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *rd * (size_t)e->nlist);
      for (int k = 0; k < e->nlist; k++) {
        if (e->list[k] < 0 || e->list[k] >= dst->nstages)
          return tcc_error(ctx, "replay: cache_read reader #%d does not exist", e->list[k]);
        rd[k] = dst->stages[e->list[k]];
      }
      const tcc_tensor **in;
      int n = tcc_sched_stage_inputs(ctx, rd[0], &in);
      if (e->ax[0] >= n)
        return tcc_error(ctx, "replay: cache_read input #%d does not exist", e->ax[0]);
      TCC_TRY(tcc_cache_read(ctx, dst, in[e->ax[0]], (tcc_mem_scope)e->kind, e->nlist, rd, NULL));
      break;
    }
    }
  }
  return TCC_OK;
}
