/* binary.c — the binary op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_binary[] = {{0}};
const int tcc_ops_binary_count = 0;
