/* interp.h — an interpreter for host loop-IR PrimFuncs, for tests and for checking schedules
 * without a code generator.
 *
 * Semantics follow expr.def / stmt.def exactly: every dtype of tccrt.h (float16 and bfloat16 are
 * storage formats: arithmetic on them is done in float and rounded back to the format after
 * each operation, float32 results are rounded to float after each operation), vectors are
 * evaluated lane by lane (a vector store computes all lanes before writing any), MIN/MAX
 * propagate NaN, intrinsics come from libm (ROUND is half to even, via nearbyint), integer
 * DIV/MOD truncate as in C, FLOORDIV/FLOORMOD round toward -inf, shifts by a count outside
 * [0, width) give 0 (-1 for an arithmetic right shift of a negative value, as the constant
 * folder does), float->int casts truncate toward zero and saturate (NaN gives 0). Parallel,
 * vectorized, unrolled and GPU-bound loops run serially; SELECT evaluates only the chosen arm;
 * masked-off lanes of predicated loads/stores touch no memory. Allocations are filled with a
 * 0xA5 byte pattern so reads of uninitialized scratch show up in results. */
#ifndef TCC_INTERP_H
#define TCC_INTERP_H

#include "tir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs fn. buffers[i] is the data of fn->params[i]: dense row-major (or as its strides say),
 * of its dtype, holding at least the number of elements its shape gives once the symbolic dims
 * are bound; scalars[j] binds fn->scalars[j] (may be NULL when fn has none).
 * Errors (TCC_ERR with a message naming the buffer, index and size, or the variable): a failed
 * run-time check (a RANGE_ERROR reached: "WHERE: index V is out of range [LO, HI]", see
 * tcc_check_range in expr.h; only the select arms taken and the active lanes are evaluated, so
 * checks elsewhere do not fire), a load or store outside its buffer, integer division by zero, an
 * unbound variable, a NULL buffer, a negative or huge allocation, a device LAUNCH, or a
 * tensor-expression node left in the IR. Never crashes on such input. */
tcc_status tcc_interp_run(tcc_context *ctx, const tcc_primfunc *fn, void *const *buffers,
                          const int64_t *scalars);

/* float16 / bfloat16 storage conversions (round to nearest even), shared with tests. */
uint16_t tcc_f32_to_f16(float f);
float tcc_f16_to_f32(uint16_t h);
uint16_t tcc_f32_to_bf16(float f);
float tcc_bf16_to_f32(uint16_t h);

#ifdef __cplusplus
}
#endif
#endif /* TCC_INTERP_H */
