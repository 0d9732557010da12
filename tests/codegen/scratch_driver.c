/* scratch_driver.c CALLS — calls the kernels of test_llvm_scratch.c (compiled to an object by
 * `codegen_test_llvm_scratch --emit-object`) CALLS times each and checks their results against a
 * C reference; scratch_valgrind.sh runs it under valgrind to count heap allocations. Exit 0 when
 * every result is right. */
#include "tccrt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS = 16, WMAX = 40000 }; /* as in test_llvm_scratch.c */
int32_t small(void *const *args, const int64_t *scalars);
int32_t big(void *const *args, const int64_t *scalars);
int32_t sym(void *const *args, const int64_t *scalars);

int main(int argc, char **argv) {
  int calls = argc > 1 ? atoi(argv[1]) : 1;
  int32_t *a = malloc(sizeof(int32_t) * ROWS * WMAX), *o = malloc(sizeof(int32_t) * ROWS * WMAX);
  if (!a || !o) return 2;
  for (int i = 0; i < ROWS * WMAX; i++)
    a[i] = (int32_t)((int64_t)i * 7919 % 20001) - 10000;
  void *args[2] = {a, o};
  int bad = 0;
  for (int c = 0; c < calls; c++) {
    for (int k = 0; k < 3; k++) {
      int64_t w = k == 0 ? 64 : k == 1 ? WMAX : WMAX - c % 3;
      int rc = k == 0 ? small(args, NULL) : k == 1 ? big(args, NULL) : sym(args, &w);
      if (rc != 0) {
        fprintf(stderr, "kernel %d failed: %s\n", k, tccrt_last_error());
        return 1;
      }
      for (int r = 0; r < ROWS; r++)
        for (int64_t j = 0; j < w; j++)
          bad += o[r * WMAX + j] != a[r * WMAX + (w - 1 - j)] * 3 + r;
    }
  }
  free(a);
  free(o);
  printf("%d calls of 3 kernels, %d wrong outputs\n", calls, bad);
  return bad != 0;
}
