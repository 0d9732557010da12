/* sched_internal.h — the schedule's data structures, shared by the files of schedule/ only. */
#ifndef TCC_SCHED_INTERNAL_H
#define TCC_SCHED_INTERNAL_H

#include "schedule.h"

typedef enum rel_kind { REL_SPLIT, REL_FUSE } rel_kind;

typedef struct tcc_relation {
  rel_kind kind;
  /* split: parent -> outer, inner.  fuse: outer, inner -> parent (the fused axis) */
  tcc_axis *parent, *outer, *inner;
  int64_t factor; /* split factor, or nparts when by_nparts */
  bool by_nparts;
  tcc_tail tail;
} tcc_relation;

struct tcc_axis {
  const char *name;
  tcc_stage *stage;
  int index; /* creation order within the stage (replay matches axes by it) */
  tcc_iv_kind kind;
  const tcc_itervar *root; /* the TE itervar of a root axis, else NULL */
  tcc_annot annot;
  tcc_for_kind bind;
  bool leaf;
  /* lowering state */
  const tcc_var *loop_var;
  const tcc_expr *ext;   /* extent */
  const tcc_expr *value; /* offset from the axis min, in terms of leaf loop vars */
};

struct tcc_stage {
  tcc_schedule *sch;
  const tcc_tensor *t;
  int index;
  int ndim, nreduce;
  tcc_axis **root; /* ndim data-parallel, then nreduce reduction axes */
  tcc_axis **axes; /* all, by index */
  int naxes, cap_axes;
  tcc_axis **leaves;
  int nleaves, cap_leaves;
  tcc_relation **rels;
  int nrels, cap_rels;
  tcc_attach attach;
  tcc_stage *attach_stage;
  tcc_axis *attach_axis;
  bool is_output;
  const tcc_expr *te_body; /* the stage's tensor expression: t->body, or rfactor's rewrite */
  /* lowering state */
  const tcc_expr *body; /* after inlining */
  tcc_buffer *buf;
  const tcc_expr **rmin, **rext; /* region of the root data axes: [rmin, rmin + rext) */
  bool visited;
  /* storage scope set by a cache primitive (has_scope), else chosen by lowering */
  bool has_scope;
  tcc_mem_scope scope;
  /* reads of repl_from[i] in this stage's body read repl_to[i] instead (cache_read) */
  int nrepl;
  const tcc_tensor **repl_from, **repl_to;
  /* storage_align: the stride of dim d is padded so that stride % align_factor[d] ==
   * align_offset[d] (factor 0: dense) */
  int64_t *align_factor, *align_offset;
  /* tensorize: the loops inside tz_axis are replaced by tz_intrin */
  tcc_axis *tz_axis;
  const tcc_tensor_intrin *tz_intrin;
  /* ISL model of the stage (isl_deps.c), built on the first legality query */
  struct tcc_isl_cache *isl;
};

typedef enum log_op {
  LOG_SPLIT,
  LOG_SPLIT_NPARTS,
  LOG_FUSE,
  LOG_REORDER,
  LOG_UNROLL,
  LOG_VECTORIZE,
  LOG_PARALLEL,
  LOG_BIND,
  LOG_COMPUTE_AT,
  LOG_COMPUTE_INLINE,
  LOG_COMPUTE_ROOT,
  LOG_CACHE_READ,
  LOG_RFACTOR,
  LOG_SET_SCOPE,
  LOG_CACHE_WRITE,
  LOG_STORAGE_ALIGN,
  LOG_TENSORIZE
} log_op;

typedef struct log_entry {
  log_op op;
  int stage, stage2;
  int ax[2]; /* axis indices */
  int64_t factor;
  int tail;
  int kind;
  int nlist;
  int *list;
  int out[2];                      /* axes created */
  const tcc_stage *sp, *sp2;       /* for printing (indices shift when cache stages are inserted) */
  const char *text;                /* its printed line, fixed when recorded */
  const tcc_tensor_intrin *intrin; /* tensorize */
} log_entry;

struct tcc_schedule {
  tcc_context *ctx;
  tcc_stage **stages;
  int nstages;
  const tcc_tensor **outs;
  int nouts;
  log_entry *log;
  int nlog, cap_log;
};

const char *tcc_tail_name(tcc_tail t);
/* The tensors the stage's te_body reads (deduplicated, first-read order). */
int tcc_sched_stage_inputs(tcc_context *ctx, const tcc_stage *st, const tcc_tensor ***out);

/* lowering steps (schedule/inline.c, bound_infer.c, schedule_ops.c) */
tcc_status tcc_sched_inline(tcc_context *ctx, tcc_schedule *sch);
tcc_status tcc_sched_infer_bounds(tcc_context *ctx, tcc_schedule *sch);
tcc_status tcc_sched_make_loops(tcc_context *ctx, tcc_schedule *sch, int nargs,
                                const tcc_tensor *const *args, const tcc_buffer *const *bufs,
                                const tcc_stmt **out);
/* Computes ext and value of every axis of st from its root extents (rext / reduce extents) and
 * creates the leaf loop vars. */
void tcc_sched_axis_values(tcc_context *ctx, tcc_stage *st);
/* The guard conditions of non-dividing GUARD splits (and SHIFT_INWARD fallbacks) of st; with
 * only_data, those of data-parallel axes only. */
const tcc_expr *tcc_sched_guard(tcc_context *ctx, tcc_stage *st, bool only_data);

/* Rebuilds e with every TENSOR_READ replaced by fn(read) (the read's indices already rewritten).
 * fn returns the replacement (or the read itself). */
typedef const tcc_expr *(*tcc_read_fn)(tcc_context *ctx, const tcc_expr *read, void *user);
const tcc_expr *tcc_rewrite_reads(tcc_context *ctx, const tcc_expr *e, tcc_read_fn fn, void *user);
#endif
