/* quant.c — the quant op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_quant[] = {{0}};
const int tcc_ops_quant_count = 0;
