/* run_opts.h — the options of a running program, which `vmlab run` and
 * `vmlab sweep --run` share.
 *
 * A program runs on the system replay's shared options describe (format,
 * TLB, memory, policy, swap, cost model: replay_opts.h) plus these: the
 * CPUs, the scheduler's quantum, the guest's view of the files (--root;
 * the PintOS personality's --fs), its personality (--abi) and an
 * instruction limit. One parser serves both
 * commands, so an option means the same in each.
 */
#ifndef VMLAB_CLI_RUN_OPTS_H
#define VMLAB_CLI_RUN_OPTS_H

#include <getopt.h>

#include <vmlab/run.h>

#include "cli/replay_opts.h"

/* getopt_long values of the run options: above replay's and the sweep's. */
enum {
    RUN_OPT_CPUS = 3000, RUN_OPT_QUANTUM, RUN_OPT_ROOT, RUN_OPT_ABI, RUN_OPT_MAX_INSNS,
    RUN_OPT_FS, RUN_OPT_TRACE_OUT, RUN_OPT_STRACE,
    RUN_OPT_END
};

/* The run options, {0}-terminated: those a sweep's runs take first, then
 * --fs, --trace-out and --strace (one run's own: a sweep names its program
 * by an absolute path, which is no PintOS file name; RUN_SWEEP_OPTIONS
 * counts the first group). */
extern const struct option run_long_options[];
#define RUN_SWEEP_OPTIONS 5
/* Their help text, for the first group only. */
extern const char run_options_help[];

/* Replay's options that mean nothing for a running program, NULL-terminated. */
extern const char *const run_meaningless_options[];
/* Is the replay option `name` one of them? Then say so, prefixed with cmd
 * ("run", "step --run"), and true. */
bool run_opts_meaningless(const char *name, const char *cmd);
/* Does the command line ask for a program's run (--run before any "--"),
 * as `vmlab step --run` and `vmlab explore --run` do? */
bool run_opts_wanted(int argc, char **argv);

/* Handle run option c (a RUN_OPT_* value) into rc, except --trace-out and
 * --strace, which the caller keeps. 1 handled, 0 not one of them, -1 a bad
 * value (said, prefixed with cmd). */
int run_opts_handle(struct run_config *rc, int c, const char *arg, const char *cmd);

/* The getopt_long table (room for cap entries) of a command that takes
 * replay's options, the run options too if it runs a program (run), and
 * its own extra ones ({0}-terminated, may be NULL). */
void run_opts_table(struct option *table, size_t cap, bool run, const struct option *extra);

/* Option c (from getopt_long) of a command that runs a program: `vmlab
 * run`, and `vmlab step --run` / `vmlab explore --run` (cmd "step",
 * "explore"). A replay option with no meaning for a running program is
 * refused; --trace-out and --strace go to rc->trace_out and *strace; the
 * run options to rc, the shared ones to o. With rc NULL (step or explore
 * of a trace: no program runs) replay's options alone. 1 handled, 0 not
 * one of them, -1 a bad value (said). */
int run_opts_take(struct replay_opts *o, struct run_config *rc, bool *strace, int c,
                  const char *arg, const char *cmd);

/* After parsing: a program's own defaults where the shared options were
 * not given (page tables sv39, the user pool RUN_DEFAULT_FRAMES), the
 * shared options finished (replay_opts_finish), and rc's machine and
 * kernel made from them. 0, or -1 (said). */
int run_opts_finish(struct replay_opts *o, struct run_config *rc, const char *cmd);

/* The run's result as a replay's (the counters, the kill, the times), so
 * a sweep reports runs and replays alike. */
void run_summary_as_replay(const struct run_summary *rs, struct replay_result *res);

#endif
