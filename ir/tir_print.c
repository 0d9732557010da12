/* tir_print.c — the stable text form of PrimFuncs and statements (golden tests pin it). */
#include "tir.h"

static const char *const scope_names[] = {"global", "workspace", "stack", "shared", "local"};

static void ind(FILE *f, int n) {
  for (int i = 0; i < n; i++)
    fputs("  ", f);
}

static void print_idx(FILE *f, int n, const tcc_expr *const *idx) {
  for (int i = 0; i < n; i++) {
    if (i) fputs(", ", f);
    tcc_expr_print(f, idx[i]);
  }
}

static void print_buffer_decl(FILE *f, const tcc_buffer *b) {
  char tb[32];
  fprintf(f, "%s: %s[", b->name, tcc_type_str(tcc_scalar(b->dtype), tb, sizeof tb));
  print_idx(f, b->ndim, b->shape);
  fputc(']', f);
  if (b->scope != TCC_SCOPE_GLOBAL) fprintf(f, " %s", scope_names[b->scope]);
}

void tcc_stmt_print(FILE *f, const tcc_stmt *s, int indent) {
  if (!s) {
    ind(f, indent);
    fputs("<null>\n", f);
    return;
  }
  switch (s->kind) {
  case TCC_S_FOR:
    ind(f, indent);
    fprintf(f, "for %s in [", s->u.loop.var->name);
    tcc_expr_print(f, s->u.loop.min);
    fputs(", +", f);
    tcc_expr_print(f, s->u.loop.extent);
    fputc(')', f);
    if (s->u.loop.kind != TCC_FOR_SERIAL) fprintf(f, " %s", tcc_for_kind_name(s->u.loop.kind));
    fputs(":\n", f);
    tcc_stmt_print(f, s->u.loop.body, indent + 1);
    return;
  case TCC_S_STORE:
    ind(f, indent);
    fprintf(f, "%s[", s->u.store.buf->name);
    print_idx(f, s->u.store.nidx, s->u.store.idx);
    fputs("] = ", f);
    tcc_expr_print(f, s->u.store.value);
    if (s->u.store.pred) {
      fputs(" if ", f);
      tcc_expr_print(f, s->u.store.pred);
    }
    fputc('\n', f);
    return;
  case TCC_S_ALLOCATE:
    ind(f, indent);
    fputs("allocate ", f);
    print_buffer_decl(f, s->u.alloc.buf);
    fputs(" size ", f);
    tcc_expr_print(f, s->u.alloc.size);
    fputs(":\n", f);
    tcc_stmt_print(f, s->u.alloc.body, indent + 1);
    return;
  case TCC_S_IF:
    ind(f, indent);
    fputs("if ", f);
    tcc_expr_print(f, s->u.ifs.cond);
    fputs(":\n", f);
    tcc_stmt_print(f, s->u.ifs.then_, indent + 1);
    if (s->u.ifs.else_) {
      ind(f, indent);
      fputs("else:\n", f);
      tcc_stmt_print(f, s->u.ifs.else_, indent + 1);
    }
    return;
  case TCC_S_LET:
    ind(f, indent);
    fprintf(f, "let %s = ", s->u.let.var->name);
    tcc_expr_print(f, s->u.let.value);
    fputc('\n', f);
    tcc_stmt_print(f, s->u.let.body, indent);
    return;
  case TCC_S_SEQ:
    for (int i = 0; i < s->u.seq.n; i++)
      tcc_stmt_print(f, s->u.seq.stmts[i], indent);
    return;
  case TCC_S_EVALUATE:
    ind(f, indent);
    fputs("evaluate ", f);
    tcc_expr_print(f, s->u.eval.value);
    fputc('\n', f);
    return;
  case TCC_S_BARRIER:
    ind(f, indent);
    fputs("barrier\n", f);
    return;
  case TCC_S_LAUNCH:
    ind(f, indent);
    fprintf(f, "launch %s grid(", s->u.launch.func ? s->u.launch.func->name : "?");
    for (int i = 0; i < 3; i++) {
      if (i) fputs(", ", f);
      if (s->u.launch.grid[i])
        tcc_expr_print(f, s->u.launch.grid[i]);
      else
        fputc('1', f);
    }
    fputs(") block(", f);
    for (int i = 0; i < 3; i++) {
      if (i) fputs(", ", f);
      if (s->u.launch.block[i])
        tcc_expr_print(f, s->u.launch.block[i]);
      else
        fputc('1', f);
    }
    fputs(") args(", f);
    for (int i = 0; i < s->u.launch.nargs; i++)
      fprintf(f, "%s%s", i ? ", " : "", s->u.launch.args[i]->name);
    fputs(")\n", f);
    return;
  case TCC_STMT_KIND_COUNT: break;
  }
  ind(f, indent);
  fputs("<?>\n", f);
}

void tcc_primfunc_print(FILE *f, const tcc_primfunc *fn) {
  fprintf(f, "%sfunc %s(", fn->is_device ? "device " : "", fn->name);
  for (int i = 0; i < fn->nparams; i++) {
    if (i) fputs(", ", f);
    print_buffer_decl(f, fn->params[i]);
  }
  for (int i = 0; i < fn->nscalars; i++)
    fprintf(f, "%s%s: int64", (fn->nparams || i) ? ", " : "", fn->scalars[i]->name);
  fputs(")", f);
  if (fn->is_device) {
    fputs(" grid(", f);
    for (int i = 0; i < 3; i++) {
      if (i) fputs(", ", f);
      if (fn->grid[i])
        tcc_expr_print(f, fn->grid[i]);
      else
        fputc('1', f);
    }
    fputs(") block(", f);
    for (int i = 0; i < 3; i++) {
      if (i) fputs(", ", f);
      if (fn->block[i])
        tcc_expr_print(f, fn->block[i]);
      else
        fputc('1', f);
    }
    fputc(')', f);
  }
  fputs(" {\n", f);
  tcc_stmt_print(f, fn->body, 1);
  fputs("}\n", f);
}
