/* te_eval.h — a naive reference evaluator of tensor expressions for the op tests.
 *
 * Materializes compute tensors element by element straight from their TE bodies (no schedule, no
 * lowering), so an op's compute can be checked against the ONNX .pb outputs independently of
 * schedule/ and the loop-IR interpreter. Floats are evaluated in double and rounded to the node's
 * dtype (float32 / float16) after every operation; integers wrap at their width. Every tensor
 * read is bounds-checked: an out-of-range read is an error (it would be a wild read in generated
 * code), as are unbound vars and non-constant shapes. Slow by design: test sizes only. */
#ifndef TCC_TE_EVAL_H
#define TCC_TE_EVAL_H

#include "te.h"

typedef union te_val {
  double f;
  int64_t i;
} te_val;

typedef struct te_eval te_eval;

te_eval *te_eval_new(tcc_context *ctx);
void te_eval_free(te_eval *ev);
/* Binds placeholder t to dense row-major data of t's dtype (not copied). */
void te_eval_bind(te_eval *ev, const tcc_tensor *t, const void *data);
/* Materializes t (and every compute it reads); *out is numel values (owned by ev), *numel the
 * count. Returns false with a message in err on an evaluation error. */
bool te_eval_tensor(te_eval *ev, const tcc_tensor *t, const te_val **out, int64_t *numel, char *err,
                    size_t errn);

#endif
