/* matmul.c — the matmul op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_matmul[] = {{0}};
const int tcc_ops_matmul_count = 0;
