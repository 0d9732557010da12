/* test_compute_lowered.c — the ops' TE computes through the real pipeline: each node's compute
 * is scheduled with the default CPU strategy (tcc_schedule_auto_cpu), lowered (tcc_lower) and run
 * by the loop-IR interpreter (tcc_interp_run); graph outputs are compared with the ONNX node
 * tests' output_K.pb as in test_compute_conformance.c, whose driver this file reuses.
 * compute_lowered_known_failures.txt lists the expected failures with reasons. */
#include "interp.h"
#include "schedule.h"

#define CONFORMANCE_NAME "test_compute_lowered"
#define KNOWN_FILE "compute_lowered_known_failures.txt"
#define COMPUTE_LOWERED 1
#include "test_compute_conformance.c"
