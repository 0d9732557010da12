/* conv.c — the conv op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_conv[] = {{0}};
const int tcc_ops_conv_count = 0;
