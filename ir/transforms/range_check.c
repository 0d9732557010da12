/* range_check.c — run-time index checks in expressions (expr.h: tcc_check_range) and the
 * context's table of their messages.
 *
 * A check is an ordinary select whose failing arm is the RANGE_ERROR intrinsic, so every pass
 * rebuilds it like any other expression and a select's arm that is not taken never reports. The
 * WHERE text cannot be an expression, so it lives in a per-context table (TCC_SLOT_CHECKS) and the
 * call carries its index as an int64 immediate. */
#include "transforms.h"

#include <string.h>

typedef struct check_table {
  tcc_vec texts; /* const char *, the index is the id */
} check_table;

static check_table *table_of(tcc_context *ctx) {
  void **slot = tcc_ctx_slot(ctx, TCC_SLOT_CHECKS);
  if (!*slot) {
    check_table *t = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof *t);
    tcc_vec_init(&t->texts, sizeof(const char *));
    *slot = t;
  }
  return *slot;
}

/* The id of `where`, registering a copy on first use. */
static int64_t text_id(tcc_context *ctx, const char *where) {
  check_table *t = table_of(ctx);
  for (size_t i = 0; i < t->texts.len; i++)
    if (!strcmp(TCC_VEC_AT(t->texts, const char *, i), where)) return (int64_t)i;
  const char *copy = tcc_arena_strdup(tcc_ctx_arena(ctx), where);
  tcc_vec_push(tcc_ctx_arena(ctx), &t->texts, &copy);
  return (int64_t)t->texts.len - 1;
}

const tcc_expr *tcc_check_range(tcc_context *ctx, const tcc_expr *v, const tcc_expr *lo,
                                const tcc_expr *hi, const char *where) {
  int64_t cv, cl, ch;
  if (tcc_expr_is_int_imm(v, &cv) && tcc_expr_is_int_imm(lo, &cl) && tcc_expr_is_int_imm(hi, &ch) &&
      cl <= cv && cv < ch)
    return v;
  const tcc_expr **args = tcc_arena_alloc(tcc_ctx_arena(ctx), sizeof(tcc_expr *) * 4);
  args[0] = v;
  args[1] = lo;
  args[2] = hi;
  args[3] = tcc_idx(ctx, text_id(ctx, where ? where : "index check"));
  const tcc_expr *fail = tcc_call(ctx, TCC_INTRIN_RANGE_ERROR, 4, args);
  const tcc_expr *ok = tcc_and(ctx, tcc_le(ctx, lo, v), tcc_lt(ctx, v, hi));
  return tcc_select(ctx, ok, v, fail);
}

const char *tcc_range_error_where(tcc_context *ctx, const tcc_expr *call) {
  const char *unknown = "index check";
  if (!call || call->kind != TCC_CALL || call->u.call.op != TCC_INTRIN_RANGE_ERROR ||
      call->u.call.nargs != 4)
    return unknown;
  const tcc_expr *id = call->u.call.args[3];
  while (id->kind == TCC_BROADCAST)
    id = id->u.bcast.value;
  int64_t k;
  if (!tcc_expr_is_int_imm(id, &k)) return unknown;
  check_table *t = *tcc_ctx_slot(ctx, TCC_SLOT_CHECKS);
  if (!t || k < 0 || (size_t)k >= t->texts.len) return unknown;
  return TCC_VEC_AT(t->texts, const char *, (size_t)k);
}
