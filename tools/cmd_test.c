/* cmd_test.c — `tcc-ml test` (not built yet: reports so instead of pretending). */
#include <stdio.h>

#include "commands.h"

int tcc_cmd_test(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "tcc-ml: error: 'test' is not implemented yet\n");
  return 1;
}
