/* isl_deps.h — legality of schedule primitives through ISL (private to schedule/).
 *
 * Each stage's iteration domain (its root axes before splits: data-parallel axes, then
 * reduction axes, parametric in the symbolic dims of its shapes) and its accesses (the write of
 * its own element, the reads of its body) are modelled as ISL sets and maps. Affine index
 * expressions are exact; any other (floordiv, mod, a data-dependent Gather index, ...) is
 * over-approximated by "any index within the tensor's shape" on that dim. From them the
 * dependences inside a stage are computed:
 *  - reduction dependences: a stage with a REDUCE body reads and updates its accumulator
 *    element out[i] at every point of its reduction axes (RAW, WAR and WAW across them); the
 *    combiner is associative and commutative, so they may be reordered but not run at once;
 *  - true dependences: a stage whose body reads its own tensor (a scan, a recurrence) has RAW
 *    and WAR dependences between the iterations that write and read the same element; their
 *    order must be kept.
 * Dependences between a producer and its consumer (the flow from the producer's write to the
 * consumer's reads) are honoured by every compute_at position through bounds inference as long
 * as the producer itself has no true dependence: a region of a scan cannot be computed alone.
 *
 * The per-stage model (domain, accesses, dependences) is cached on the stage as ISL text (the
 * schedule lives in an arena; no ISL object outlives a query). Every query runs in its own
 * isl_ctx bounded by tcc_isl_max_operations operations; when the bound is hit, the answer is
 * "may depend" and the refusal says so. Stages without a reduction and without self-reads have
 * no dependences and never reach ISL. */
#ifndef TCC_ISL_DEPS_H
#define TCC_ISL_DEPS_H

#include "sched_internal.h"

/* Bound on ISL operations per query (default 2,000,000); 0 restores the default. Returns the
 * previous bound. For tests of the conservative answer. Not thread-safe (process-wide). */
unsigned long tcc_isl_set_max_operations(unsigned long max_ops);

/* Checks that leaf `a` of st may run its iterations at once (primitive `op`, `verb`:
 * "parallelize", "vectorize", "bind"): no dependence of st is carried by `a` in the current
 * loop order (the loops outside `a` equal, `a` different). TCC_ERR with a message naming the
 * loop and the dependence, e.g. "parallel: cannot parallelize 'k' of stage 'C': C[i, j] is
 * carried across k (reduction axis: ...; use rfactor first)". */
tcc_status tcc_isl_check_loop(tcc_context *ctx, const tcc_stage *st, const tcc_axis *a,
                              const char *op, const char *verb);

/* Checks that st's loops in the order `leaves` (n = st->nleaves, a permutation of st's leaves)
 * keep every true dependence of st (reduction dependences may be reordered). */
tcc_status tcc_isl_check_order(tcc_context *ctx, const tcc_stage *st, tcc_axis *const *leaves);

/* Checks that producer st may be computed at loop `a` of its consumer `parent`, region by
 * region: st has no true dependence (it does not read its own earlier elements), and the
 * consumer's reads of st are exactly modelled or conservatively bounded. */
tcc_status tcc_isl_check_compute_at(tcc_context *ctx, const tcc_stage *st, const tcc_stage *parent,
                                    const tcc_axis *a);

#endif
