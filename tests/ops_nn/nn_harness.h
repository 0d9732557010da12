/* nn_harness.h — runs one ONNX node test (model.onnx + test_data_set_N) through an op's TE
 * compute and compares with the expected .pb outputs (rtol 1e-3, atol 1e-7 for floats; exact for
 * integers and bools; NaN matches NaN).
 *
 * The single node of the model is imported (frontend/onnx), its inputs' shapes bound from
 * input_K.pb, inferred, and its compute called on placeholders (initializers become constant
 * placeholders). Two backends check the same outputs: the reference TE evaluator
 * (tests/ops_nn/te_eval.c) and the real path — schedule/'s default CPU schedule, tcc_lower and the
 * loop-IR interpreter (ir/interp.h). TCC_NN_BACKEND=te or =interp selects one (default both). */
#ifndef TCC_NN_HARNESS_H
#define TCC_NN_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum nn_result { NN_PASS, NN_FAIL, NN_SKIP } nn_result;

/* Runs the node test in folder `dir` (every test_data_set_N). `ops` is a NULL-terminated list of
 * op_type names the harness accepts (others: SKIP). *why gets the reason for FAIL / SKIP. */
nn_result nn_run_node_test(const char *dir, const char *const *ops, char *why, size_t whyn);

#endif
