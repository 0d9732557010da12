/* norm.c — the norm op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_norm[] = {{0}};
const int tcc_ops_norm_count = 0;
