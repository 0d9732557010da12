/* tensor.c — the tensor op family (see families.def). No entries yet. */
#include "op.h"

const tcc_op tcc_ops_tensor[] = {{0}};
const int tcc_ops_tensor_count = 0;
