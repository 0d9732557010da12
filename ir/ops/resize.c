/* resize.c — the resize op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_resize[] = {{0}};
const int tcc_ops_resize_count = 0;
