/* schedule.h — how to compute: the Halide/TVM schedule data model, its primitives, lowering to a
 * loop-IR PrimFunc, and the default CPU schedule.
 *
 * A tcc_schedule is made over output tensors; it holds one stage per compute tensor reachable
 * from them (placeholders have none), in topological order (producers first). Each stage has
 * axes (tcc_axis): its root axes — one per tensor dim, then one per reduction axis of its body —
 * and the axes that split and fuse derive from them. The leaf axes, in order, are the stage's
 * loops, outermost first. A stage is attached at the root (its own loop nest, buffer over its
 * whole shape), inline (its body substituted into its consumers) or at an axis of a consumer
 * (compute_at: computed, over the region that consumer iteration needs, inside that loop).
 *
 * Every primitive checks its arguments and refuses with TCC_ERR and a tcc_error message saying
 * why, leaving the schedule unchanged. Applied primitives are recorded in a log that can be
 * printed (tcc_schedule_print) and replayed on a fresh schedule of the same tensors
 * (tcc_schedule_replay). Schedules and axes live in the context's arena.
 *
 * Primitives: split / split_nparts (tail strategies), fuse, reorder, tile, unroll, vectorize,
 * parallel, bind (GPU), compute_at, compute_inline, compute_root, cache_read, cache_write,
 * rfactor, set_scope, storage_align. Legality is checked with ISL (isl_deps.h): each stage's
 * domain and accesses are modelled as integer sets and maps (non-affine indices
 * over-approximated) and its dependences computed — a reduction's updates of its accumulator
 * across the reduction axes, and the reads of a stage's own earlier elements (a scan). vectorize,
 * parallel and bind refuse a loop that carries one (rfactor makes part of a reduction
 * data-parallel); reorder refuses an order that reverses a scan's dependence (reduction updates
 * may be reordered: the combiner is associative and commutative); compute_at refuses a scan
 * producer. Otherwise every position is legal: bounds inference computes what is needed.
 * ISL work is bounded per query; past the bound the answer is a conservative refusal.
 * Stages made by cache_read, cache_write and rfactor are inserted into the topological order;
 * rfactor and cache_write recreate the transformed stage's axes (schedule it afterwards).
 *
 * Lowering (tcc_lower) with GPU-bound loops ends with a host/device split: the returned host
 * PrimFunc holds LAUNCH statements of device PrimFuncs, which tcc_interp_run executes block by
 * block with the threads of a block in lockstep between barriers.
 *
 * Learned from TVM's te/schedule (IterVar relations, message passing for bounds) and Halide's
 * Schedule.h (tail strategies). */
#ifndef TCC_SCHEDULE_H
#define TCC_SCHEDULE_H

#include "te.h"
#include "tir.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tcc_schedule tcc_schedule;
typedef struct tcc_stage tcc_stage;
typedef struct tcc_axis tcc_axis;

/* What a split does when the factor does not divide the extent. */
typedef enum tcc_tail {
  TCC_TAIL_AUTO,         /* GUARD (no tail code at all when the factor provably divides) */
  TCC_TAIL_GUARD,        /* the loops cover the rounded-up range; points past the end are
                            skipped by a condition (lowering's loop partition removes it from
                            full tiles) */
  TCC_TAIL_ROUND_UP,     /* compute the rounded-up range; only for stages that are not outputs
                            (their buffer is enlarged; inputs they read must be valid there) */
  TCC_TAIL_SHIFT_INWARD, /* the last tile is shifted inward to end at the extent, recomputing
                            some points; needs extent >= factor (else falls back to GUARD); not
                            allowed on stages with a reduction (points would be added twice) */
} tcc_tail;

/* Per-axis loop annotation. */
typedef enum tcc_annot {
  TCC_ANNOT_NONE,
  TCC_ANNOT_UNROLL,
  TCC_ANNOT_VECTORIZE,
  TCC_ANNOT_PARALLEL,
  TCC_ANNOT_BIND /* GPU: bound to a block/thread index (issue 5) */
} tcc_annot;

typedef enum tcc_attach { TCC_ATTACH_ROOT, TCC_ATTACH_INLINE, TCC_ATTACH_AT } tcc_attach;

/* ---- building ---- */

/* A schedule over `nouts` output tensors (compute tensors) and everything they read. Never NULL.
 * Placeholders among outs are ignored. */
tcc_schedule *tcc_schedule_create(tcc_context *ctx, int nouts, const tcc_tensor *const *outs);
/* The stage of a compute tensor, or NULL (placeholder / not part of this schedule). */
tcc_stage *tcc_schedule_stage(const tcc_schedule *s, const tcc_tensor *t);
int tcc_schedule_num_stages(const tcc_schedule *s);
tcc_stage *tcc_schedule_stage_at(const tcc_schedule *s, int i); /* topological order */

const tcc_tensor *tcc_stage_tensor(const tcc_stage *st);
bool tcc_stage_is_output(const tcc_stage *st);
bool tcc_stage_has_reduce(const tcc_stage *st); /* body is a REDUCE */
tcc_attach tcc_stage_attach(const tcc_stage *st);
/* Root data-parallel axis `dim` (0 <= dim < ndim), or NULL. */
tcc_axis *tcc_stage_axis(const tcc_stage *st, int dim);
/* Root reduction axis i (in the order of the body's REDUCE axes), or NULL. */
tcc_axis *tcc_stage_reduce_axis(const tcc_stage *st, int i);
int tcc_stage_num_reduce_axes(const tcc_stage *st);
/* The current loops of the stage, outermost first. */
int tcc_stage_num_leaves(const tcc_stage *st);
tcc_axis *tcc_stage_leaf(const tcc_stage *st, int i);

const char *tcc_axis_name(const tcc_axis *a);
tcc_stage *tcc_axis_stage(const tcc_axis *a);
bool tcc_axis_is_reduce(const tcc_axis *a);
/* The extent of an axis when it is a compile-time constant (true), from the shapes and the
 * split/fuse relations. */
bool tcc_axis_const_extent(const tcc_axis *a, int64_t *extent);
tcc_annot tcc_axis_annot(const tcc_axis *a);

/* ---- primitives (TCC_ERR with a message, schedule unchanged, on bad arguments) ---- */

/* inner has extent `factor` (> 0), outer ceil(extent / factor). `a` must be a leaf of `st`. */
tcc_status tcc_split(tcc_context *ctx, tcc_stage *st, tcc_axis *a, int64_t factor, tcc_tail tail,
                     tcc_axis **outer, tcc_axis **inner);
/* outer has extent `nparts` (> 0), inner ceil(extent / nparts). */
tcc_status tcc_split_nparts(tcc_context *ctx, tcc_stage *st, tcc_axis *a, int64_t nparts,
                            tcc_tail tail, tcc_axis **outer, tcc_axis **inner);
/* Fuses two adjacent leaves (outer immediately before inner, both data-parallel or both
 * reduction) into one of extent outer*inner. */
tcc_status tcc_fuse(tcc_context *ctx, tcc_stage *st, tcc_axis *outer, tcc_axis *inner,
                    tcc_axis **fused);
/* The listed (distinct) leaves take, in the given order, the positions they occupied. */
tcc_status tcc_reorder(tcc_context *ctx, tcc_stage *st, int n, tcc_axis *const *order);
/* split x by fx and y by fy, then reorder to (x.outer, y.outer, x.inner, y.inner); x must be
 * outside y. */
tcc_status tcc_tile(tcc_context *ctx, tcc_stage *st, tcc_axis *x, tcc_axis *y, int64_t fx,
                    int64_t fy, tcc_tail tail, tcc_axis **xo, tcc_axis **yo, tcc_axis **xi,
                    tcc_axis **yi);
/* Annotations of a leaf. unroll and vectorize need a constant extent (vectorize: at most
 * 64 lanes, data-parallel only); parallel needs a data-parallel axis. */
tcc_status tcc_unroll(tcc_context *ctx, tcc_stage *st, tcc_axis *a);
tcc_status tcc_vectorize(tcc_context *ctx, tcc_stage *st, tcc_axis *a);
tcc_status tcc_parallel(tcc_context *ctx, tcc_stage *st, tcc_axis *a);
/* GPU binding of a data-parallel leaf to kind (TCC_FOR_BLOCK_X ... TCC_FOR_THREAD_Z). Lowering
 * of bound loops for the host/device split is issue 5; the interpreter runs them serially. */
tcc_status tcc_bind(tcc_context *ctx, tcc_stage *st, tcc_axis *a, tcc_for_kind kind);
/* Computes `st` inside loop `a` of its consumer `parent` (which must read st), over the region
 * one iteration of `a` needs (bounds inference). st must not be an output. */
tcc_status tcc_compute_at(tcc_context *ctx, tcc_stage *st, tcc_stage *parent, tcc_axis *a);
/* Substitutes st's body into its consumers; st must not be an output nor a reduction. */
tcc_status tcc_compute_inline(tcc_context *ctx, tcc_stage *st);
/* Back to its own loop nest at the root, buffer over its whole shape. */
tcc_status tcc_compute_root(tcc_context *ctx, tcc_stage *st);

/* Adds a stage `t.SCOPE` that copies t (a placeholder or compute tensor) into a buffer of
 * `scope` (workspace, stack, shared or local), and makes the `readers` (stages reading t
 * directly) read the copy. Returns the new stage (attached at the root; usually computed at a
 * loop of a reader next). A SHARED cache computed inside GPU-bound loops covers the region all
 * threads of the block need (bounds inference relaxes the thread-bound loops) and is fenced by
 * barriers before and after it is filled. Errors: a reader that does not read t, a bad scope. */
tcc_status tcc_cache_read(tcc_context *ctx, tcc_schedule *s, const tcc_tensor *t,
                          tcc_mem_scope scope, int nreaders, tcc_stage *const *readers,
                          tcc_stage **out);

/* Factors reduction axis `a` of stage st out into a new stage `st.rf` (returned) whose tensor
 * has st's dims plus one of a's extent at position factor_pos, and which reduces over st's
 * other reduction axes: the factored axis is data-parallel there, so it can be vectorized,
 * parallelized or bound to threads. st then combines rf's partial results over that axis
 * (same combiner: it must be associative; the built-in ones are). `a` is a root reduction axis
 * or one half of the single split of one (split by a factor not dividing the extent adds a
 * guard to rf's reduction). st's axes are recreated: schedule it after rfactor.
 * Errors: a not a reduction leaf, other transformations or annotations on st, st not at the
 * root, a the only reduction axis and unsplit, factor_pos outside [0, ndim]. */
tcc_status tcc_rfactor(tcc_context *ctx, tcc_schedule *s, tcc_stage *st, tcc_axis *a,
                       int factor_pos, tcc_stage **out);
/* Stores stage st (not an output) in `scope` (workspace, stack, shared or local); a SHARED stage
 * computed inside GPU-bound loops is handled as cache_read's (block-wide region, barriers). */
tcc_status tcc_set_scope(tcc_context *ctx, tcc_stage *st, tcc_mem_scope scope);

/* Computes stage st (untransformed, at the root) into a new stage `t.SCOPE` (returned) stored
 * in `scope`; st becomes the copy from it into t. Typical: compute the cache at a tile loop of
 * st, so a reduction accumulates in a small stack/register/shared buffer. Schedule both after. */
tcc_status tcc_cache_write(tcc_context *ctx, tcc_schedule *s, tcc_stage *st, tcc_mem_scope scope,
                           tcc_stage **out);
/* Pads the stride of dim `dim` (0 <= dim < ndim-1) of stage st's buffer (not an output) so that
 * stride % factor == offset, in elements: against cache-set or shared-memory bank conflicts.
 * Constant shapes only (otherwise the layout stays dense). */
tcc_status tcc_storage_align(tcc_context *ctx, tcc_stage *st, int dim, int64_t factor,
                             int64_t offset);

/* Tensor intrinsics (tensorize): a small compute description (the pattern, over its own
 * placeholders, constant shape, axes starting at 0) and the code that implements it. */
typedef struct tcc_intrin_operand {
  const tcc_buffer *buf;       /* the caller's buffer (indices still multi-dimensional) */
  const tcc_expr *const *base; /* per dim: the caller's index of the operand's [0, 0, ...] */
} tcc_intrin_operand;
typedef struct tcc_intrin_call {
  int ninputs;
  const tcc_intrin_operand *inputs; /* in the order of tcc_tensor_inputs(compute) */
  tcc_intrin_operand output;
  bool accumulate; /* reduction loops remain outside: add to the output instead of overwriting */
} tcc_intrin_call;
/* Builds the implementation: loads/stores buf[base[d] + local index, ...] of each operand. */
typedef const tcc_stmt *(*tcc_intrin_emit)(tcc_context *ctx, const tcc_intrin_call *call,
                                           void *user);
typedef struct tcc_tensor_intrin {
  const char *name;
  const tcc_tensor *compute;
  tcc_intrin_emit emit;
  void *user;
} tcc_tensor_intrin;
/* Replaces the loop nest inside leaf `a` of st by intrin's implementation. The loops inside `a`
 * must match the intrinsic's axes (its data axes, then its reduction axes) in kind and constant
 * extent, and lowering checks that the stage's body over them is the intrinsic's compute
 * (same operations; each input read at a base index plus the intrinsic's index) and that those
 * loops have no tail guards, refusing with a message otherwise. */
tcc_status tcc_tensorize(tcc_context *ctx, tcc_stage *st, tcc_axis *a,
                         const tcc_tensor_intrin *intrin);

/* ---- log ---- */

/* Prints the recorded primitives, one per line, e.g.
 *   split(C, i, factor=8, tail=guard) -> i.outer, i.inner */
void tcc_schedule_print(FILE *f, const tcc_schedule *s);
/* Applies the primitives recorded in `src` to `dst`, a fresh schedule over tensors of the same
 * structure (stages and axes are matched by position). TCC_ERR if one is refused. */
tcc_status tcc_schedule_replay(tcc_context *ctx, tcc_schedule *dst, const tcc_schedule *src);

/* ---- lowering ---- */

/* Lowers the schedule to a host PrimFunc `name`. args: the tensors that become buffer
 * parameters, in order — every placeholder the computation reads (constants included: the
 * caller binds their data) and every output; a stage in args must be attached at the root.
 * Symbolic dims (int64 vars in shapes) become scalar params, ordered by first appearance in
 * args' shapes. Intermediate root stages get WORKSPACE allocations, compute_at stages STACK
 * (constant size <= 64 KiB) or WORKSPACE. The result has flat indices, vector ramps and
 * predicates, unrolled loops, and PARALLEL loops for tccrt_parallel_for.
 * Errors (TCC_ERR + message): a tensor read that is not in args nor a stage, an output
 * missing from args, compute_at whose consumer is not the only reader, a reduction that is
 * not the top of its compute body. */
tcc_status tcc_lower(tcc_context *ctx, tcc_schedule *sch, const char *name, int nargs,
                     const tcc_tensor *const *args, tcc_primfunc **out);

/* ---- default CPU schedule ---- */

/* The generic CPU schedule for a fused group ending in `output` (a stage of sch):
 *  - every other stage without a reduction is inlined; stages with a reduction stay at the
 *    root and are scheduled like the output, except that when `output` has no reduction, the
 *    reduction stages read only by it (conv before relu, softmax's max and sum) are computed
 *    inside its parallel loop (vectorized, not parallel) when the region one iteration needs is
 *    at most 32 KiB; the parallel loop then fuses only whole root axes;
 *  - for the output and each root stage: the outermost data-parallel loops are fused (until
 *    the fused extent reaches 16 or the axes run out) and made parallel; the innermost
 *    data-parallel axis is split by the vector width (32 bytes / element size, guard tail for
 *    extents it does not divide), moved innermost (after the reduction axes) and vectorized
 *    when its extent is at least 2.
 * Never refuses for well-formed groups; TCC_ERR only if `output` has no stage. */
tcc_status tcc_schedule_auto_cpu(tcc_context *ctx, tcc_schedule *sch, const tcc_tensor *output);

#ifdef __cplusplus
}
#endif
#endif /* TCC_SCHEDULE_H */
