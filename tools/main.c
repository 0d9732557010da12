/* main.c — the tcc-ml command line (subcommands grow with the pipeline). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    printf("usage: tcc-ml <inspect|compile|run|test> ...\n");
    return argc < 2 ? 1 : 0;
  }
  fprintf(stderr, "tcc-ml: error: unknown command '%s' (expected inspect, compile, run or test)\n", argv[1]);
  return 1;
}
