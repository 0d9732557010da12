/* fuse.c — fusion of graph nodes into fused groups by op pattern (after TVM relay's fuse_ops):
 * elementwise/broadcast/injective producers fuse into their only consumer's group when that
 * consumer is at most injective; elementwise/broadcast consumers fuse into a group anchored by an
 * out-elemwise-fusable op (conv, matmul) or a reduction. A group has one anchor at most and one
 * output value, so each group becomes one kernel whose schedule the anchor decides. */
#include "passes.h"

#include <stdlib.h>
#include <string.h>

typedef struct fgroup {
  int parent; /* union-find */
  tcc_op_pattern pattern;
  int nnodes;
  bool has_anchor;
} fgroup;

static int find(fgroup *gs, int i) {
  while (gs[i].parent != i) {
    gs[i].parent = gs[gs[i].parent].parent;
    i = gs[i].parent;
  }
  return i;
}

static tcc_op_pattern node_pattern(const tcc_node *n) {
  if (!n->op || !n->op->compute) return TCC_PAT_OPAQUE;
  return n->op->pattern;
}

static bool is_graph_output(const tcc_graph *g, const tcc_value *v) {
  for (size_t i = 0; i < g->outputs.len; i++)
    if (TCC_GRAPH_OUTPUT(g, i) == v) return true;
  return false;
}

tcc_status tcc_pass_fuse(tcc_context *ctx, const tcc_graph *g, int opt_level, int max_group,
                         tcc_fusion **out) {
  tcc_arena *a = tcc_ctx_arena(ctx);
  int nn = (int)g->nodes.len, nv = (int)g->values.len;
  if (max_group <= 0) max_group = 64;
  /* uses[v]: number of node input slots reading value v (graph outputs count as one more). */
  int *uses = tcc_arena_alloc(a, sizeof(int) * (size_t)(nv + 1));
  tcc_node **only_user = tcc_arena_alloc(a, sizeof(tcc_node *) * (size_t)(nv + 1));
  bool *multi_user = tcc_arena_alloc(a, sizeof(bool) * (size_t)(nv + 1));
  for (int i = 0; i < nn; i++) {
    tcc_node *n = TCC_GRAPH_NODE(g, i);
    for (int k = 0; k < n->ninputs; k++) {
      tcc_value *v = n->inputs[k];
      if (!v) continue;
      uses[v->id]++;
      if (only_user[v->id] && only_user[v->id] != n) multi_user[v->id] = true;
      only_user[v->id] = n;
    }
  }
  fgroup *gs = tcc_arena_alloc(a, sizeof(fgroup) * (size_t)(nn + 1));
  for (int i = 0; i < nn; i++) {
    tcc_node *n = TCC_GRAPH_NODE(g, i);
    gs[i] = (fgroup){i, node_pattern(n), 1,
                     node_pattern(n) >= TCC_PAT_REDUCE && node_pattern(n) != TCC_PAT_OPAQUE};
  }
  if (opt_level >= 1) {
    for (int i = 0; i < nn; i++) {
      tcc_node *n = TCC_GRAPH_NODE(g, i);
      tcc_op_pattern np = node_pattern(n);
      if (np > TCC_PAT_INJECTIVE || n->noutputs != 1) continue;
      for (int k = 0; k < n->ninputs; k++) {
        tcc_value *v = n->inputs[k];
        if (!v || v->kind != TCC_VALUE_NODE || !v->producer) continue;
        tcc_node *p = v->producer;
        if (p->noutputs != 1 || multi_user[v->id] || is_graph_output(g, v)) continue;
        int gp = find(gs, (int)p->id), gn = find(gs, i);
        if (gp == gn) continue;
        /* p must be its group's last node, so the group's only output is v. Nodes are visited
         * in topological order and a group only grows through its output's single consumer, so
         * the group's root is its last node. */
        if (gp != (int)p->id) continue;
        if (gs[gp].pattern == TCC_PAT_OPAQUE) continue;
        if (gs[gp].nnodes + gs[gn].nnodes > max_group) continue;
        if (gs[gp].has_anchor) {
          if (gs[gn].has_anchor || np > TCC_PAT_BROADCAST) continue;
        }
        /* Merge gp into gn, keeping gn (the consumer, last node) as the root. */
        gs[gp].parent = gn;
        gs[gn].nnodes += gs[gp].nnodes;
        if (gs[gp].pattern > gs[gn].pattern) gs[gn].pattern = gs[gp].pattern;
        gs[gn].has_anchor = gs[gn].has_anchor || gs[gp].has_anchor;
      }
    }
  }
  /* Materialize groups in the order of their last node (a topological order of groups). */
  tcc_fusion *f = tcc_arena_alloc(a, sizeof *f);
  f->group_of_node = tcc_arena_alloc(a, sizeof(int) * (size_t)(nn + 1));
  int *gid_of_root = tcc_arena_alloc(a, sizeof(int) * (size_t)(nn + 1));
  int ng = 0;
  for (int i = 0; i < nn; i++)
    gid_of_root[i] = -1;
  for (int i = 0; i < nn; i++)
    if (find(gs, i) == i) gid_of_root[i] = ng++;
  f->ngroups = ng;
  f->groups = tcc_arena_alloc(a, sizeof(tcc_fused_group) * (size_t)(ng + 1));
  for (int i = 0; i < nn; i++) {
    int r = find(gs, i);
    f->group_of_node[i] = gid_of_root[r];
    tcc_fused_group *fg = &f->groups[gid_of_root[r]];
    fg->id = gid_of_root[r];
    if (!fg->nodes) fg->nodes = tcc_arena_alloc(a, sizeof(tcc_node *) * (size_t)gs[r].nnodes);
    fg->nodes[fg->nnodes++] = TCC_GRAPH_NODE(g, i);
  }
  for (int gi = 0; gi < ng; gi++) {
    tcc_fused_group *fg = &f->groups[gi];
    /* Anchor: the node of the highest pattern, the last of equals. */
    fg->anchor = fg->nodes[0];
    for (int k = 0; k < fg->nnodes; k++)
      if (node_pattern(fg->nodes[k]) >= node_pattern(fg->anchor)) fg->anchor = fg->nodes[k];
    fg->pattern = node_pattern(fg->anchor);
    /* Inputs: values read by a group node and not produced inside the group. */
    tcc_vec ins, outs;
    tcc_vec_init(&ins, sizeof(tcc_value *));
    tcc_vec_init(&outs, sizeof(tcc_value *));
    for (int k = 0; k < fg->nnodes; k++) {
      tcc_node *n = fg->nodes[k];
      for (int j = 0; j < n->ninputs; j++) {
        tcc_value *v = n->inputs[j];
        if (!v) continue;
        if (v->kind == TCC_VALUE_NODE && v->producer && f->group_of_node[v->producer->id] == gi)
          continue;
        bool seen = false;
        for (size_t q = 0; q < ins.len; q++)
          seen |= TCC_VEC_AT(ins, tcc_value *, q) == v;
        if (!seen) tcc_vec_push(a, &ins, &v);
      }
      for (int j = 0; j < n->noutputs; j++) {
        tcc_value *v = n->outputs[j];
        if (!v) continue;
        /* An output: a graph output, read outside the group, or read by nobody (an unused
         * output still gets a buffer since the kernel writes it). */
        bool is_out = is_graph_output(g, v) || uses[v->id] == 0;
        for (int q = 0; q < nn && !is_out; q++) {
          tcc_node *u = TCC_GRAPH_NODE(g, q);
          if (f->group_of_node[q] == gi) continue;
          for (int r = 0; r < u->ninputs; r++)
            if (u->inputs[r] == v) is_out = true;
        }
        if (is_out) tcc_vec_push(a, &outs, &v);
      }
    }
    fg->ninputs = (int)ins.len;
    fg->inputs = ins.data;
    fg->noutputs = (int)outs.len;
    fg->outputs = outs.data;
  }
  *out = f;
  return TCC_OK;
}
