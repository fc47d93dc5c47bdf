/* run_opts.h — the options of `vmlab run` that `vmlab step --run` and
 * `vmlab explore --run` take too.
 *
 * A program's run is described by replay's shared options (the system:
 * page tables, TLBs, memory, policy, swap) with run's defaults (sv39, the
 * zen4 TLBs, a 1 GiB user pool), and by run's own (--cpus, --quantum,
 * --root, --trace-out, --max-insns, --strace, --abi). One parser serves
 * the three commands, so an option means the same in each.
 */
#ifndef VMLAB_CLI_RUN_OPTS_H
#define VMLAB_CLI_RUN_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include <vmlab/run.h>

#include "cli/replay_opts.h"

/* Run's own long options (terminated by a zero entry), and their help lines. */
extern const struct option run_long_options[];
extern const char run_options_help[];

/* Handle option c of run_long_options into rc (*strace for --strace): 1
 * if it was one, 0 if not, -1 (message printed, prefixed with cmd) for a
 * bad value. */
int run_opts_handle(struct run_config *rc, bool *strace, int c, const char *arg, const char *cmd);
/* The replay option named `name` has no meaning for a running program:
 * true (message printed, prefixed with cmd). */
bool run_opts_meaningless(const char *name, const char *cmd);
/* After parsing: run's defaults for what was not given, replay_opts_finish,
 * and rc configured from the shared options. 0 or -1 (printed). */
int run_opts_finish(struct replay_opts *o, struct run_config *rc, const char *cmd);

#endif
