/* softmax.c — the softmax op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_softmax[] = {{0}};
const int tcc_ops_softmax_count = 0;
