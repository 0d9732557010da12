/* main.c — the tcc-ml command line: dispatches to the subcommands of commands.h. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f) {
  fputs("usage: tcc-ml <command> [options]\n"
        "commands:\n"
        "  inspect MODEL.onnx [--input-shape NAME=DIMS] [--format text|dot|json]\n"
        "  compile MODEL.onnx -o OUT.o [--name NAME] [--target TRIPLE] [--mcpu CPU] ...\n"
        "  run MODEL.onnx --input NAME=FILE ... [--output-dir DIR]\n"
        "  test [--aot] PATH...\n"
        "run 'tcc-ml COMMAND --help' for a command's options\n",
        f);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 1;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "inspect")) return tcc_cmd_inspect(argc - 1, argv + 1);
  if (!strcmp(cmd, "compile")) return tcc_cmd_compile(argc - 1, argv + 1);
  if (!strcmp(cmd, "run")) return tcc_cmd_run(argc - 1, argv + 1);
  if (!strcmp(cmd, "test")) return tcc_cmd_test(argc - 1, argv + 1);
  fprintf(stderr, "tcc-ml: error: unknown command '%s' (expected inspect, compile, run or test)\n",
          cmd);
  return 1;
}
