/* test_passes.c — graph passes of ir/passes: the memory planner (no two tensors live at the same
 * step overlap, alignment, reuse) and fusion by op pattern (TVM's rules) on small graphs whose
 * nodes carry ops of chosen patterns. */
#include "graph.h"
#include "passes/passes.h"
#include "testutil.h"

#include <string.h>

static void test_memplan_chain(void) {
  tcc_context *ctx = tcc_context_create();
  /* a: steps 0-1, b: 1-2, c: 2-3: a and c can share memory; b cannot share with either. */
  tcc_mem_request r[3] = {{1000, 0, 1, 0}, {1000, 1, 2, 0}, {1000, 2, 3, 0}};
  size_t arena;
  CHECK(tcc_memplan(ctx, 3, r, 64, &arena) == TCC_OK);
  CHECK(arena == 2 * 1024);
  CHECK(r[0].offset == r[2].offset);
  CHECK(r[0].offset != r[1].offset);
  tcc_mem_request bad[1] = {{8, 3, 2, 0}};
  CHECK(tcc_memplan(ctx, 1, bad, 64, &arena) == TCC_ERR);
  CHECK(tcc_memplan(ctx, 1, r, 48, &arena) == TCC_ERR);
  tcc_context_destroy(ctx);
}

static void test_memplan_random(void) {
  tcc_context *ctx = tcc_context_create();
  for (int round = 0; round < 200; round++) {
    int n = (int)tcc_test_randint(1, 40);
    tcc_mem_request r[40];
    size_t total = 0;
    for (int i = 0; i < n; i++) {
      int a = (int)tcc_test_randint(0, 30), b = (int)tcc_test_randint(0, 30);
      r[i].first = a < b ? a : b;
      r[i].last = a < b ? b : a;
      r[i].size = (size_t)tcc_test_randint(0, 5000);
      total += (r[i].size + 63) / 64 * 64;
    }
    size_t arena;
    CHECK(tcc_memplan(ctx, n, r, 64, &arena) == TCC_OK);
    CHECK(arena % 64 == 0 && arena <= total);
    /* The peak of simultaneously live bytes is a lower bound. */
    size_t peak = 0;
    for (int s = 0; s <= 30; s++) {
      size_t live = 0;
      for (int i = 0; i < n; i++)
        if (r[i].first <= s && s <= r[i].last) live += (r[i].size + 63) / 64 * 64;
      if (live > peak) peak = live;
    }
    CHECK(arena >= peak);
    for (int i = 0; i < n; i++) {
      CHECK(r[i].offset % 64 == 0);
      CHECK(r[i].offset + r[i].size <= arena);
      for (int j = i + 1; j < n; j++) {
        bool overlap_time = !(r[i].last < r[j].first || r[j].last < r[i].first);
        bool overlap_mem = r[i].size && r[j].size && r[i].offset < r[j].offset + r[j].size &&
                           r[j].offset < r[i].offset + r[i].size;
        CHECK_MSG(!(overlap_time && overlap_mem), "round %d: tensors %d and %d overlap", round, i,
                  j);
      }
    }
  }
  tcc_context_destroy(ctx);
}

/* Fake ops of each pattern, with a non-NULL compute so that they are fusable. */
static tcc_status fake_compute(tcc_compute_ctx *cc, tcc_tensor **outs) {
  (void)cc;
  (void)outs;
  return TCC_OK;
}
static const tcc_op op_conv = {
    "FakeConv", "", 1, 0, TCC_PAT_OUT_ELEMWISE_FUSABLE, 1, 3, 1, 1, NULL, NULL, fake_compute};
static const tcc_op op_relu = {"FakeRelu", "", 1,    0,    TCC_PAT_ELEMWISE, 1, 1,
                               1,          1,  NULL, NULL, fake_compute};
static const tcc_op op_add = {"FakeAdd", "", 1,    0,    TCC_PAT_BROADCAST, 2, 2,
                              1,         1,  NULL, NULL, fake_compute};
static const tcc_op op_reshape = {
    "FakeReshape", "", 1, 0, TCC_PAT_INJECTIVE, 1, 1, 1, 1, NULL, NULL, fake_compute};
static const tcc_op op_opaque = {"FakeOpaque", "",   1,           0, TCC_PAT_OPAQUE, 1, 1, 1, 1,
                                 NULL,         NULL, fake_compute};

static tcc_value *node(tcc_graph *g, const tcc_op *op, const char *name, int nin, tcc_value **ins) {
  tcc_value *o = tcc_graph_add_value(g, name, TCC_VALUE_NODE);
  tcc_node *n = tcc_graph_add_node(g, name, op->name, "", nin, ins, 1, &o);
  n->op = op;
  return o;
}

static int group_of(const tcc_fusion *f, const tcc_value *v) {
  return f->group_of_node[v->producer->id];
}

static void test_fuse(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = tcc_graph_new(ctx, "g", NULL);
  tcc_value *x = tcc_graph_add_value(g, "x", TCC_VALUE_INPUT);
  tcc_vec_push(tcc_ctx_arena(ctx), &g->inputs, &x);
  tcc_value *w = tcc_graph_add_value(g, "w", TCC_VALUE_CONST);
  /* x -> relu0 -> conv1(w) -> add2(b) -> relu3 -> conv4 -> relu5 -> out ; relu3 also feeds
   * opaque6 -> out2, so relu3's value has two readers and ends its group. */
  tcc_value *r0 = node(g, &op_relu, "relu0", 1, &x);
  tcc_value *c1in[2] = {r0, w};
  tcc_value *c1 = node(g, &op_conv, "conv1", 2, c1in);
  tcc_value *a2in[2] = {c1, w};
  tcc_value *a2 = node(g, &op_add, "add2", 2, a2in);
  tcc_value *r3 = node(g, &op_relu, "relu3", 1, &a2);
  tcc_value *c4in[2] = {r3, w};
  tcc_value *c4 = node(g, &op_conv, "conv4", 2, c4in);
  tcc_value *r5 = node(g, &op_reshape, "reshape5", 1, &c4);
  tcc_value *o6 = node(g, &op_opaque, "opaque6", 1, &r3);
  tcc_vec_push(tcc_ctx_arena(ctx), &g->outputs, &r5);
  tcc_vec_push(tcc_ctx_arena(ctx), &g->outputs, &o6);
  CHECK(tcc_graph_toposort(g) == TCC_OK);

  tcc_fusion *f;
  CHECK(tcc_pass_fuse(ctx, g, 0, 64, &f) == TCC_OK);
  CHECK(f->ngroups == 7); /* -O0: one group per node */

  CHECK(tcc_pass_fuse(ctx, g, 3, 64, &f) == TCC_OK);
  /* relu0 alone (its consumer conv cannot take producers); conv1+add2+relu3 (elementwise and
   * broadcast consumers of the anchor); conv4 (anchor) with reshape5? reshape is injective,
   * which does not fuse into an out-elemwise-fusable anchor; opaque6 alone. */
  CHECK(group_of(f, r0) != group_of(f, c1));
  CHECK(group_of(f, c1) == group_of(f, a2));
  CHECK(group_of(f, a2) == group_of(f, r3));
  CHECK(group_of(f, r3) != group_of(f, c4));
  CHECK(group_of(f, c4) != group_of(f, r5));
  CHECK(group_of(f, o6) != group_of(f, r3));
  CHECK(f->ngroups == 5);
  const tcc_fused_group *fg = &f->groups[group_of(f, c1)];
  CHECK(fg->nnodes == 3);
  CHECK(fg->anchor == c1->producer);
  CHECK(fg->pattern == TCC_PAT_OUT_ELEMWISE_FUSABLE);
  CHECK(fg->noutputs == 1 && fg->outputs[0] == r3);
  /* inputs: r0 and w (deduplicated) */
  CHECK(fg->ninputs == 2);
  /* Groups come in topological order. */
  for (int i = 0; i < f->ngroups; i++)
    for (int k = 0; k < f->groups[i].ninputs; k++) {
      tcc_value *v = f->groups[i].inputs[k];
      if (v->producer) CHECK(f->group_of_node[v->producer->id] < i);
    }
  tcc_context_destroy(ctx);
}

/* Two anchors never share a group: add(conv(x), conv(x)) keeps the second conv separate. */
static void test_fuse_two_anchors(void) {
  tcc_context *ctx = tcc_context_create();
  tcc_graph *g = tcc_graph_new(ctx, "g", NULL);
  tcc_value *x = tcc_graph_add_value(g, "x", TCC_VALUE_INPUT);
  tcc_vec_push(tcc_ctx_arena(ctx), &g->inputs, &x);
  tcc_value *c0 = node(g, &op_conv, "c0", 1, &x);
  tcc_value *c1 = node(g, &op_conv, "c1", 1, &x);
  tcc_value *ain[2] = {c0, c1};
  tcc_value *s = node(g, &op_add, "sum", 2, ain);
  tcc_value *r = node(g, &op_relu, "relu", 1, &s);
  tcc_vec_push(tcc_ctx_arena(ctx), &g->outputs, &r);
  CHECK(tcc_graph_toposort(g) == TCC_OK);
  tcc_fusion *f;
  CHECK(tcc_pass_fuse(ctx, g, 3, 64, &f) == TCC_OK);
  CHECK(f->ngroups == 2);
  CHECK(group_of(f, c0) == group_of(f, s));
  CHECK(group_of(f, c1) != group_of(f, s));
  CHECK(group_of(f, r) == group_of(f, s));
  tcc_context_destroy(ctx);
}

int main(void) {
  tcc_test_seed("test_passes");
  test_memplan_chain();
  test_memplan_random();
  test_fuse();
  test_fuse_two_anchors();
  return tcc_test_finish("test_passes");
}
