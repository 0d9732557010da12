/* reduce.c — the reduce op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_reduce[] = {{0}};
const int tcc_ops_reduce_count = 0;
