/* registry.c — the op table built from families.def; lookup, resolution and inference driver. */
#include <string.h>

#include "op.h"

#define TCC_OP_FAMILY(F)                                                                          \
  extern const tcc_op tcc_ops_##F[];                                                              \
  extern const int tcc_ops_##F##_count;
#include "families.def"

typedef struct family {
  const tcc_op *ops;
  const int *count;
} family;

static const family families[] = {
#define TCC_OP_FAMILY(F) {tcc_ops_##F, &tcc_ops_##F##_count},
#include "families.def"
};

int tcc_op_count(void) {
  int n = 0;
  for (size_t i = 0; i < TCC_ARRAY_SIZE(families); i++) n += *families[i].count;
  return n;
}

const tcc_op *tcc_op_at(int i) {
  for (size_t f = 0; f < TCC_ARRAY_SIZE(families); f++) {
    if (i < *families[f].count) return &families[f].ops[i];
    i -= *families[f].count;
  }
  return NULL;
}

static bool domain_eq(const char *a, const char *b) {
  if (!a || !strcmp(a, "ai.onnx")) a = "";
  if (!b || !strcmp(b, "ai.onnx")) b = "";
  return !strcmp(a, b);
}

const tcc_op *tcc_op_lookup(const char *domain, const char *name, int64_t opset) {
  int n = tcc_op_count();
  for (int i = 0; i < n; i++) {
    const tcc_op *op = tcc_op_at(i);
    if (strcmp(op->name, name) || !domain_eq(op->domain, domain)) continue;
    if (opset >= op->since_version && (op->until_version == 0 || opset <= op->until_version))
      return op;
  }
  return NULL;
}
