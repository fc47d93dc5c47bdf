/* cli.h — the vmlab command's subcommands, exit statuses and signals.
 *
 * Each subcommand is one function taking its own argc/argv (argv[0] is the
 * subcommand's name) and returning the process exit status.
 */
#ifndef VMLAB_CLI_H
#define VMLAB_CLI_H

#include <signal.h>

/* Exit statuses, one table for every subcommand (README, docs/replay.md).
 * When several apply, the first in the order USAGE, ERROR, INTERRUPTED,
 * KILLED wins. */
enum {
    VMLAB_EXIT_OK = 0,             /* done */
    VMLAB_EXIT_ERROR = 1,          /* bad input or an I/O error (trace, output, swap file) */
    VMLAB_EXIT_USAGE = 2,          /* a bad option or value: nothing was run */
    VMLAB_EXIT_KILLED = 3,         /* a simulated process was killed (OOM, swap full or
                                      failing, ...): the report was written and says why */
    VMLAB_EXIT_INTERRUPTED = 130,  /* Ctrl-C: the outputs hold what was done so far */
};
/* The table as every --help prints it. */
extern const char cli_exit_status_help[];

/* The worse of two statuses, in the order above. */
int cli_exit_worst(int a, int b);

/* What SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE do (cli_signals.c).
 * With stop non-NULL, a first SIGINT only sets *stop, and the work stops
 * cleanly; any other of these signals, or a second SIGINT, removes every
 * temporary file vmlab registered (replay/outfile.h) and ends vmlab by that
 * signal, so that its parent sees how it ended. */
void cli_catch_signals(volatile sig_atomic_t *stop);

int cmd_explain(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_step(int argc, char **argv);
int cmd_explore(int argc, char **argv);

#endif
