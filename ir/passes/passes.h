/* passes.h — graph passes run by the AOT driver between inference and lowering: constant
 * folding of constant subgraphs, blocked layouts for convolutions, fusion into fused groups (TVM's
 * fuse_ops by op pattern) and the static memory plan of graph tensors (liveness-based reuse of one
 * arena).
 *
 * Every pass works on a graph whose ops are resolved (tcc_graph_resolve_ops) and whose values are
 * typed; errors name the file and node. */
#ifndef TCC_PASSES_H
#define TCC_PASSES_H

#include "../ops/op.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Constant folding ----
 * Evaluates one node whose inputs are all constants: sets each present output's `data` and
 * `nbytes` (outputs are already typed with known shapes) to dense row-major bytes allocated in
 * the context arena; the pass then marks them TCC_VALUE_CONST. Supplied by the driver, which
 * owns lowering and the interpreter (ir/ cannot depend on schedule/). Returns TCC_ERR with a
 * diagnostic when the node cannot be evaluated. */
typedef tcc_status (*tcc_fold_eval_fn)(void *user, tcc_context *ctx, tcc_graph *g, tcc_node *node);

/* Folds constant subgraphs of an inferred graph, in topological order: outputs whose every
 * element inference knows (sym_elems: Shape -> Gather -> Concat chains of bound shapes) become
 * constants directly; ConstantOfShape of a constant shape becomes a fill (one element plus a
 * shape: a constant fill stays a fill); any other node whose inputs are all constants (and not
 * fills) is evaluated with `eval` when its outputs total at most `max_fold_bytes` (0 = 64 MiB).
 * Random ops and ops with subgraphs are never folded. `eval` may be NULL. Evaluation errors are
 * not errors of the pass (the node stays a kernel). Always returns TCC_OK today. */
tcc_status tcc_pass_fold_constants(tcc_context *ctx, tcc_graph *g, tcc_fold_eval_fn eval,
                                   void *user, size_t max_fold_bytes);

/* Drops nodes none of whose outputs reach a graph output (dead code after folding).
 * Renumbers node ids. */
void tcc_pass_dead_code(tcc_context *ctx, tcc_graph *g);

/* ---- Layouts (TVM's AlterOpLayout + InferCorrectLayout; layout.h, op.h's layout hooks) ----
 * Rewrites an inferred, folded graph so that convolutions compute in blocked layouts: each node
 * (topological order) is asked by its op's infer_layout which layouts it takes given the layouts
 * its inputs are available in. 2-D float32 Convs with constant weights become tcc.internal
 * ConvNCHWc with a channel block from `vector_lanes` (the float32 lanes of the target: 4 NEON,
 * 8 AVX2, 16 AVX-512; a block dividing the channel counts), their weights packed at compile time
 * (OIHW{ib}i{ob}o); the blocked layout then flows through every op whose hook accepts it
 * (elementwise, broadcasting with per-channel constants transformed at compile time,
 * BatchNormalization, the pools, Concat on channels). A LayoutTransform back to plain is
 * inserted before every other consumer and before graph outputs, so graph inputs and outputs
 * keep their layouts. Values the pass makes are recorded in *layouts (indexed by value id;
 * values absent or plain there are plain). Graphs with subgraphs (If/Loop/Scan) are left
 * unchanged. Nodes are renumbered. Errors: an op hook's error (naming the node) or an internal
 * inconsistency (a rewritten node infers another shape), naming the node. */
tcc_status tcc_pass_alter_layout(tcc_context *ctx, tcc_graph *g, int vector_lanes,
                                 tcc_layout_table *layouts);

/* ---- Fusion (TVM relay fuse_ops, simplified to chains and diamonds of one anchor) ----
 * Groups nodes: elementwise/broadcast/injective producers fuse into their single consumer group
 * when the consumer group's pattern allows it; elementwise consumers fuse into an
 * out-elemwise-fusable (conv, matmul) or reduce anchor. Opaque ops stay alone. Constant-only and
 * identity-like nodes never reach here (folded). */
typedef struct tcc_fused_group {
  int id;
  int nnodes;
  tcc_node **nodes;       /* topological order */
  tcc_node *anchor;       /* the node of the highest pattern (the last of equals) */
  tcc_op_pattern pattern; /* the anchor's pattern */
  int ninputs;
  tcc_value **inputs; /* values read from outside the group (graph inputs, constants, others) */
  int noutputs;
  tcc_value **outputs; /* values produced here and read outside or graph outputs */
} tcc_fused_group;

typedef struct tcc_fusion {
  int ngroups;
  tcc_fused_group *groups; /* topological order */
  int *group_of_node;      /* indexed by node id; -1 for nodes outside any group */
} tcc_fusion;

/* opt_level 0: one group per node. >= 1: fuse as above. `max_group` bounds nodes per group. */
tcc_status tcc_pass_fuse(tcc_context *ctx, const tcc_graph *g, int opt_level, int max_group,
                         tcc_fusion **out);

/* ---- Static memory plan ----
 * One request per tensor: `size` bytes, live from step `first` to step `last` inclusive (steps are
 * kernel indices in executor order). Greedy by size (TFLite's "greedy by size" arena planner):
 * larger tensors are placed first at the lowest offset that overlaps no already placed tensor
 * live at the same time. Offsets are multiples of `align` (a power of two, >= 1). */
typedef struct tcc_mem_request {
  size_t size;
  int first, last;
  size_t offset; /* out */
} tcc_mem_request;

/* Fills every request's offset and *arena_size (a multiple of align). Errors: first > last or
 * a bad alignment (our invariant, reported as a diagnostic). */
tcc_status tcc_memplan(tcc_context *ctx, int n, tcc_mem_request *reqs, size_t align,
                       size_t *arena_size);

/* ---- Sequences and optionals: static expansion (Relay's static tuples) ----
 * Turns every ONNX sequence and optional of the main graph into tensors, given their structure
 * bound at compile time (tcc_value_type.nbound/bound on graph inputs; see graph.h): a sequence
 * input x of length L becomes the tensor inputs x[0]..x[L-1] in its place, a present optional
 * its element (same name), an absent one nothing; Identity of a sequence/optional becomes
 * per-element Identity; SequenceConstruct, SequenceEmpty, SequenceLength, SequenceAt,
 * SequenceInsert, SequenceErase (positions must be constants), Optional, OptionalHasElement and
 * OptionalGetElement are evaluated at compile time (opsets 11-25); SplitToSequence of a known dim
 * becomes Gather/Slice nodes, ConcatFromSequence a Concat (and Unsqueezes), SequenceMap its body
 * inlined per element, a Loop carrying a sequence unrolled (constant trip count and condition),
 * an If over sequences replaced by the branch of its constant condition; graph outputs that are
 * sequences/optionals become their leaves, named alike, in order. Runs on an imported graph before
 * tcc_graph_resolve_ops (nodes are sorted again; for a SplitToSequence of a computed tensor the
 * nodes before it are inferred); a graph without sequences is unchanged. Errors (naming the file
 * and node): an unbound input (with the --input-shape syntax that binds it), a run-time position, a
 * position out of range, getting the element of an absent optional, and any other op that takes a
 * sequence or optional ("not supported"). */
tcc_status tcc_pass_expand_sequences(tcc_context *ctx, tcc_graph *g);

#ifdef __cplusplus
}
#endif
#endif /* TCC_PASSES_H */
