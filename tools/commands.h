/* commands.h — the tcc-ml subcommands; each lives in tools/cmd_NAME.c. Each returns the process
 * exit code (0 ok, 1 error) and prints errors as one line "tcc-ml: error: ...". */
#ifndef TCC_COMMANDS_H
#define TCC_COMMANDS_H
int tcc_cmd_inspect(int argc, char **argv); /* argv[0] = "inspect" */
int tcc_cmd_compile(int argc, char **argv);
int tcc_cmd_run(int argc, char **argv);
int tcc_cmd_test(int argc, char **argv);
#endif
