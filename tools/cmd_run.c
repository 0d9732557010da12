/* cmd_run.c — `tcc-ml run` (not built yet: reports so instead of pretending). */
#include <stdio.h>

#include "commands.h"

int tcc_cmd_run(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "tcc-ml: error: 'run' is not implemented yet\n");
  return 1;
}
