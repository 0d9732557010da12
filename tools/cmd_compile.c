/* cmd_compile.c — `tcc-ml compile` (not built yet: reports so instead of pretending). */
#include <stdio.h>

#include "commands.h"

int tcc_cmd_compile(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "tcc-ml: error: 'compile' is not implemented yet\n");
  return 1;
}
