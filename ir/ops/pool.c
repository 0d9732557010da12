/* pool.c — the pool op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_pool[] = {{0}};
const int tcc_ops_pool_count = 0;
