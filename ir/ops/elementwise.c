/* elementwise.c — the elementwise op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_elementwise[] = {{0}};
const int tcc_ops_elementwise_count = 0;
