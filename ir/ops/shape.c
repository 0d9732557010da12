/* shape.c — the shape op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_shape[] = {{0}};
const int tcc_ops_shape_count = 0;
