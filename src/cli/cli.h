/* cli.h — the vmlab command's subcommands.
 *
 * Each subcommand is one function taking its own argc/argv (argv[0] is the
 * subcommand's name) and returning the process exit status: 0 success,
 * 1 a failure of the work itself (bad input, I/O error), 2 a usage error.
 */
#ifndef VMLAB_CLI_H
#define VMLAB_CLI_H

int cmd_explain(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
