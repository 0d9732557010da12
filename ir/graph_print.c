/* graph_print.c — prints a graph as text, Graphviz dot or JSON (see tcc_graph_print in graph.h).
 *
 * Every value is printed with its dtype and shape; dims are index expressions printed by
 * tcc_expr_print (`N`, `(N * 64)`). A rank that is not known yet prints as `[?]`, an undefined
 * dtype as `?`. */
#include "graph.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *dtype_str(tccrt_dtype dt) {
  return dt == TCCRT_UNDEFINED ? "?" : tccrt_dtype_name(dt);
}

static void print_dims(FILE *f, const tcc_value *v) {
  if (v->ndim < 0) {
    fputs("[?]", f);
    return;
  }
  fputc('[', f);
  for (int i = 0; i < v->ndim; i++) {
    if (i) fputs(", ", f);
    tcc_expr_print(f, v->dims[i]);
  }
  fputc(']', f);
}

static void print_type(FILE *f, const tcc_value *v) {
  if (tcc_value_is_structured(v)) { /* a sequence or an optional: seq(float32[5]) */
    tcc_value_type_print(f, v->vtype);
    return;
  }
  fputs(dtype_str(v->dtype), f);
  print_dims(f, v);
}

/* ---- text ---- */

static void indent(FILE *f, int n) {
  for (int i = 0; i < n; i++)
    fputs("  ", f);
}

static void print_text_graph(FILE *f, const tcc_graph *g, int ind);

static void print_const_summary(FILE *f, const tcc_value *v) {
  if (v->strings)
    fputs(" (strings)", f);
  else if (v->is_fill)
    fputs(" (fill)", f);
  else
    fprintf(f, " (%zu bytes%s)", v->nbytes, v->mapped ? ", mapped" : "");
}

static void print_text_attr(FILE *f, const tcc_attr *at, int ind) {
  fprintf(f, "%s=", at->name);
  switch (at->kind) {
  case TCC_ATTR_FLOAT: fprintf(f, "%.9g", at->u.f); break;
  case TCC_ATTR_INT: fprintf(f, "%" PRId64, at->u.i); break;
  case TCC_ATTR_STRING: fprintf(f, "\"%s\"", at->u.s ? at->u.s : ""); break;
  case TCC_ATTR_TENSOR:
    fputs("tensor ", f);
    if (at->u.t) print_type(f, at->u.t);
    break;
  case TCC_ATTR_FLOATS:
    fputc('[', f);
    for (int i = 0; i < at->u.floats.n; i++)
      fprintf(f, "%s%.9g", i ? ", " : "", (double)at->u.floats.v[i]);
    fputc(']', f);
    break;
  case TCC_ATTR_INTS:
    fputc('[', f);
    for (int i = 0; i < at->u.ints.n; i++)
      fprintf(f, "%s%" PRId64, i ? ", " : "", at->u.ints.v[i]);
    fputc(']', f);
    break;
  case TCC_ATTR_STRINGS:
    fputc('[', f);
    for (int i = 0; i < at->u.strings.n; i++)
      fprintf(f, "%s\"%s\"", i ? ", " : "", at->u.strings.v[i]);
    fputc(']', f);
    break;
  case TCC_ATTR_TENSORS: fprintf(f, "<%d tensors>", at->u.tensors.n); break;
  case TCC_ATTR_GRAPH: fputs("<graph>", f); break;
  case TCC_ATTR_GRAPHS: fprintf(f, "<%d graphs>", at->u.graphs.n); break;
  default: fputs("?", f); break;
  }
  (void)ind;
}

static void print_text_node(FILE *f, const tcc_node *n, int ind) {
  indent(f, ind);
  for (int k = 0, first = 1; k < n->noutputs; k++) {
    if (!n->outputs[k]) continue;
    fprintf(f, "%s%%%s: ", first ? "" : ", ", n->outputs[k]->name);
    print_type(f, n->outputs[k]);
    first = 0;
  }
  fprintf(f, " = %s%s%s(", n->domain[0] ? n->domain : "", n->domain[0] ? "." : "", n->op_type);
  for (int i = 0; i < n->ninputs; i++)
    fprintf(f, "%s%s%s", i ? ", " : "", n->inputs[i] ? "%" : "",
            n->inputs[i] ? n->inputs[i]->name : "_");
  fputc(')', f);
  bool has_plain = false;
  for (int a = 0; a < n->nattrs; a++) {
    if (n->attrs[a].kind == TCC_ATTR_GRAPH || n->attrs[a].kind == TCC_ATTR_GRAPHS) continue;
    fputs(has_plain ? ", " : " {", f);
    print_text_attr(f, &n->attrs[a], ind);
    has_plain = true;
  }
  if (has_plain) fputc('}', f);
  fprintf(f, "  # node '%s'\n", tcc_node_label(n));
  for (int a = 0; a < n->nattrs; a++) {
    const tcc_attr *at = &n->attrs[a];
    int ng = at->kind == TCC_ATTR_GRAPH ? 1 : at->kind == TCC_ATTR_GRAPHS ? at->u.graphs.n : 0;
    for (int j = 0; j < ng; j++) {
      const tcc_graph *sub = at->kind == TCC_ATTR_GRAPH ? at->u.g : at->u.graphs.v[j];
      indent(f, ind + 1);
      fprintf(f, "%s:\n", at->name);
      if (sub) print_text_graph(f, sub, ind + 2);
    }
  }
}

static void print_text_graph(FILE *f, const tcc_graph *g, int ind) {
  indent(f, ind);
  fprintf(f, "graph '%s'", g->name);
  if (!g->parent) {
    fprintf(f, " ir_version=%" PRId64 " opsets:", g->ir_version);
    for (int i = 0; i < g->nopsets; i++)
      fprintf(f, " %s=%" PRId64, g->opsets[i].domain[0] ? g->opsets[i].domain : "ai.onnx",
              g->opsets[i].version);
  }
  fputc('\n', f);
  if (g->symbols.len) {
    indent(f, ind);
    fputs("symbols:", f);
    for (size_t i = 0; i < g->symbols.len; i++)
      fprintf(f, " %s", TCC_VEC_AT(g->symbols, const tcc_var *, i)->name);
    fputc('\n', f);
  }
  for (size_t i = 0; i < g->inputs.len; i++) {
    const tcc_value *v = TCC_GRAPH_INPUT(g, i);
    indent(f, ind);
    fprintf(f, "input %%%s: ", v->name);
    print_type(f, v);
    if (v->has_default) fputs(" (has default)", f);
    fputc('\n', f);
  }
  for (size_t i = 0; i < g->values.len; i++) {
    const tcc_value *v = TCC_GRAPH_VALUE(g, i);
    if (v->kind != TCC_VALUE_CONST) continue;
    indent(f, ind);
    fprintf(f, "const %%%s: ", v->name);
    print_type(f, v);
    print_const_summary(f, v);
    fputc('\n', f);
  }
  for (size_t i = 0; i < g->nodes.len; i++)
    print_text_node(f, TCC_GRAPH_NODE(g, i), ind);
  for (size_t i = 0; i < g->outputs.len; i++) {
    const tcc_value *v = TCC_GRAPH_OUTPUT(g, i);
    indent(f, ind);
    fprintf(f, "output %%%s: ", v->name);
    print_type(f, v);
    fputc('\n', f);
  }
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\t': fputs("\\t", f); break;
    case '\r': fputs("\\r", f); break;
    default:
      if (*p < 0x20 || *p == 0x7f)
        fprintf(f, "\\u%04x", *p);
      else
        fputc(*p, f);
    }
  }
  fputc('"', f);
}

static void json_expr(FILE *f, const tcc_expr *e) {
  int64_t c;
  if (tcc_expr_is_int_imm(e, &c)) {
    fprintf(f, "%" PRId64, c);
    return;
  }
  /* Symbolic dims are strings holding the expression. */
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) {
    fputs("\"?\"", f);
    return;
  }
  tcc_expr_print(m, e);
  fclose(m);
  json_str(f, buf);
  free(buf);
}

static void json_value(FILE *f, const tcc_value *v) {
  static const char *const kinds[] = {"input", "const", "node"};
  fputs("{\"name\": ", f);
  json_str(f, v->name);
  fprintf(f, ", \"kind\": \"%s\", \"dtype\": \"%s\", \"shape\": ", kinds[v->kind],
          dtype_str(v->dtype));
  if (v->ndim < 0) {
    fputs("null", f);
  } else {
    fputc('[', f);
    for (int i = 0; i < v->ndim; i++) {
      if (i) fputs(", ", f);
      json_expr(f, v->dims[i]);
    }
    fputc(']', f);
  }
  if (v->kind == TCC_VALUE_CONST || v->has_default)
    fprintf(f, ", \"nbytes\": %zu, \"mapped\": %s, \"fill\": %s", v->nbytes,
            v->mapped ? "true" : "false", v->is_fill ? "true" : "false");
  if (v->has_default) fputs(", \"has_default\": true", f);
  fputc('}', f);
}

static void json_graph(FILE *f, const tcc_graph *g);

static void json_attr(FILE *f, const tcc_attr *at) {
  fputs("{\"name\": ", f);
  json_str(f, at->name);
  fprintf(f, ", \"type\": \"%s\", \"value\": ", tcc_attr_kind_name(at->kind));
  switch (at->kind) {
  case TCC_ATTR_FLOAT:
    if (at->u.f != at->u.f || at->u.f - at->u.f != 0)
      json_str(f, at->u.f != at->u.f ? "nan" : at->u.f > 0 ? "inf" : "-inf");
    else
      fprintf(f, "%.9g", at->u.f);
    break;
  case TCC_ATTR_INT: fprintf(f, "%" PRId64, at->u.i); break;
  case TCC_ATTR_STRING: json_str(f, at->u.s); break;
  case TCC_ATTR_TENSOR:
    if (at->u.t)
      json_value(f, at->u.t);
    else
      fputs("null", f);
    break;
  case TCC_ATTR_GRAPH:
    if (at->u.g)
      json_graph(f, at->u.g);
    else
      fputs("null", f);
    break;
  case TCC_ATTR_FLOATS:
    fputc('[', f);
    for (int i = 0; i < at->u.floats.n; i++) {
      double x = at->u.floats.v[i];
      if (i) fputs(", ", f);
      if (x != x || x - x != 0)
        json_str(f, x != x ? "nan" : x > 0 ? "inf" : "-inf");
      else
        fprintf(f, "%.9g", x);
    }
    fputc(']', f);
    break;
  case TCC_ATTR_INTS:
    fputc('[', f);
    for (int i = 0; i < at->u.ints.n; i++)
      fprintf(f, "%s%" PRId64, i ? ", " : "", at->u.ints.v[i]);
    fputc(']', f);
    break;
  case TCC_ATTR_STRINGS:
    fputc('[', f);
    for (int i = 0; i < at->u.strings.n; i++) {
      if (i) fputs(", ", f);
      json_str(f, at->u.strings.v[i]);
    }
    fputc(']', f);
    break;
  case TCC_ATTR_TENSORS:
    fputc('[', f);
    for (int i = 0; i < at->u.tensors.n; i++) {
      if (i) fputs(", ", f);
      json_value(f, at->u.tensors.v[i]);
    }
    fputc(']', f);
    break;
  case TCC_ATTR_GRAPHS:
    fputc('[', f);
    for (int i = 0; i < at->u.graphs.n; i++) {
      if (i) fputs(", ", f);
      json_graph(f, at->u.graphs.v[i]);
    }
    fputc(']', f);
    break;
  default: fputs("null", f); break;
  }
  fputc('}', f);
}

static void json_value_names(FILE *f, int n, tcc_value *const *v) {
  fputc('[', f);
  for (int i = 0; i < n; i++) {
    if (i) fputs(", ", f);
    if (v[i])
      json_str(f, v[i]->name);
    else
      fputs("null", f);
  }
  fputc(']', f);
}

static void json_graph(FILE *f, const tcc_graph *g) {
  fputs("{\"name\": ", f);
  json_str(f, g->name);
  if (!g->parent) {
    fprintf(f, ", \"ir_version\": %" PRId64 ", \"opsets\": {", g->ir_version);
    for (int i = 0; i < g->nopsets; i++) {
      if (i) fputs(", ", f);
      json_str(f, g->opsets[i].domain[0] ? g->opsets[i].domain : "ai.onnx");
      fprintf(f, ": %" PRId64, g->opsets[i].version);
    }
    fputs("}, \"symbols\": [", f);
    for (size_t i = 0; i < g->symbols.len; i++) {
      if (i) fputs(", ", f);
      json_str(f, TCC_VEC_AT(g->symbols, const tcc_var *, i)->name);
    }
    fputc(']', f);
  }
  fputs(", \"inputs\": ", f);
  json_value_names(f, (int)g->inputs.len, (tcc_value *const *)g->inputs.data);
  fputs(", \"outputs\": ", f);
  json_value_names(f, (int)g->outputs.len, (tcc_value *const *)g->outputs.data);
  fputs(", \"values\": [", f);
  for (size_t i = 0; i < g->values.len; i++) {
    if (i) fputs(", ", f);
    json_value(f, TCC_GRAPH_VALUE(g, i));
  }
  fputs("], \"nodes\": [", f);
  for (size_t i = 0; i < g->nodes.len; i++) {
    const tcc_node *n = TCC_GRAPH_NODE(g, i);
    if (i) fputs(", ", f);
    fputs("{\"name\": ", f);
    json_str(f, n->name);
    fputs(", \"op_type\": ", f);
    json_str(f, n->op_type);
    fputs(", \"domain\": ", f);
    json_str(f, n->domain);
    fprintf(f, ", \"opset\": %" PRId64 ", \"inputs\": ", n->opset);
    json_value_names(f, n->ninputs, n->inputs);
    fputs(", \"outputs\": ", f);
    json_value_names(f, n->noutputs, n->outputs);
    fputs(", \"attributes\": [", f);
    for (int a = 0; a < n->nattrs; a++) {
      if (a) fputs(", ", f);
      json_attr(f, &n->attrs[a]);
    }
    fputs("]}", f);
  }
  fputs("]}", f);
}

/* ---- Graphviz dot ---- */

static void dot_id(FILE *f, const char *s) { json_str(f, s); /* dot IDs use C-like quoting */ }

static void dot_value_label(FILE *f, const tcc_value *v) {
  /* label text: name\ntype */
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) return;
  fprintf(m, "%s\n", v->name);
  print_type(m, v);
  fclose(m);
  json_str(f, buf);
  free(buf);
}

static void dot_graph(FILE *f, const tcc_graph *g, const char *prefix, int *cluster) {
  for (size_t i = 0; i < g->values.len; i++) {
    const tcc_value *v = TCC_GRAPH_VALUE(g, i);
    if (v->kind == TCC_VALUE_NODE) continue;
    fprintf(f, "  \"%sv%zu\" [shape=%s, label=", prefix, i,
            v->kind == TCC_VALUE_INPUT ? "ellipse" : "note");
    dot_value_label(f, v);
    fputs("];\n", f);
  }
  for (size_t i = 0; i < g->nodes.len; i++) {
    const tcc_node *n = TCC_GRAPH_NODE(g, i);
    fprintf(f, "  \"%sn%zu\" [shape=box, label=", prefix, i);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m) {
      fprintf(m, "%s\n%s", n->op_type, tcc_node_label(n));
      fclose(m);
      json_str(f, buf);
      free(buf);
    } else {
      dot_id(f, n->op_type);
    }
    fputs("];\n", f);
    for (int k = 0; k < n->ninputs; k++) {
      const tcc_value *v = n->inputs[k];
      if (!v) continue;
      char src[64];
      bool local = v->id < g->values.len && TCC_GRAPH_VALUE(g, v->id) == v;
      if (!local) continue; /* outer-scope reference of a subgraph */
      if (v->kind == TCC_VALUE_NODE && v->producer)
        snprintf(src, sizeof src, "n%u", v->producer->id);
      else
        snprintf(src, sizeof src, "v%u", v->id);
      fprintf(f, "  \"%s%s\" -> \"%sn%zu\" [label=", prefix, src, prefix, i);
      char *eb = NULL;
      size_t el = 0;
      FILE *em = open_memstream(&eb, &el);
      if (em) {
        print_type(em, v);
        fclose(em);
        json_str(f, eb);
        free(eb);
      } else {
        fputs("\"\"", f);
      }
      fputs("];\n", f);
    }
    for (int a = 0; a < n->nattrs; a++) {
      const tcc_attr *at = &n->attrs[a];
      int ng = at->kind == TCC_ATTR_GRAPH ? 1 : at->kind == TCC_ATTR_GRAPHS ? at->u.graphs.n : 0;
      for (int j = 0; j < ng; j++) {
        const tcc_graph *sub = at->kind == TCC_ATTR_GRAPH ? at->u.g : at->u.graphs.v[j];
        if (!sub) continue;
        int c = (*cluster)++;
        char sp[64];
        snprintf(sp, sizeof sp, "%sc%d_", prefix, c);
        fprintf(f, "  subgraph cluster_%d {\n  label=", c);
        char lb[512];
        snprintf(lb, sizeof lb, "%s.%s", tcc_node_label(n), at->name);
        dot_id(f, lb);
        fputs(";\n", f);
        dot_graph(f, sub, sp, cluster);
        fputs("  }\n", f);
      }
    }
  }
  for (size_t i = 0; i < g->outputs.len; i++) {
    const tcc_value *v = TCC_GRAPH_OUTPUT(g, i);
    fprintf(f, "  \"%so%zu\" [shape=ellipse, style=bold, label=", prefix, i);
    dot_value_label(f, v);
    fputs("];\n", f);
    bool local = v->id < g->values.len && TCC_GRAPH_VALUE(g, v->id) == v;
    if (!local) continue;
    if (v->kind == TCC_VALUE_NODE && v->producer)
      fprintf(f, "  \"%sn%u\" -> \"%so%zu\";\n", prefix, v->producer->id, prefix, i);
    else
      fprintf(f, "  \"%sv%u\" -> \"%so%zu\";\n", prefix, v->id, prefix, i);
  }
}

void tcc_graph_print(FILE *f, const tcc_graph *g, tcc_graph_format fmt) {
  switch (fmt) {
  case TCC_FMT_TEXT: print_text_graph(f, g, 0); break;
  case TCC_FMT_JSON:
    json_graph(f, g);
    fputc('\n', f);
    break;
  case TCC_FMT_DOT: {
    int cluster = 0;
    fputs("digraph ", f);
    dot_id(f, g->name);
    fputs(" {\n  rankdir=TB;\n", f);
    dot_graph(f, g, "", &cluster);
    fputs("}\n", f);
    break;
  }
  }
}
