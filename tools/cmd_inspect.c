/* cmd_inspect.c — `tcc-ml inspect` (not built yet: reports so instead of pretending). */
#include <stdio.h>

#include "commands.h"

int tcc_cmd_inspect(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "tcc-ml: error: 'inspect' is not implemented yet\n");
  return 1;
}
