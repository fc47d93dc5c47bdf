/* replay_opts.h — the options `vmlab replay` and `vmlab sweep` share.
 *
 * Both commands take the same description of the system a trace runs on
 * (page-table format, TLB, memory, policy, swap, cost model) and of the
 * input (format, --refs, --skip-bad). One parser serves both, so an
 * option means the same in each.
 */
#ifndef VMLAB_CLI_REPLAY_OPTS_H
#define VMLAB_CLI_REPLAY_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "replay/outfile.h"
#include "replay/replay.h"

struct replay_opts {
    struct replay_config cfg;
    enum trace_format format;
    const char *refs;              /* --refs LIST */
    bool skip_bad;
    bool tlb_set;                  /* --tlb given (else the architecture's default) */
    const char *tlb_preset;
    const char *tlb_geometry;
    bool sw_pt_none;               /* --sw-pt none: hardware refill */
    const char *output;            /* -o FILE, NULL = stdout */
    bool json, csv, quiet;
    bool no_progress;
    uint64_t given;                /* bit i: replay_long_options[i] was given */
    char **argv0;                  /* the command line before getopt reordered it */
    int argc0;
};

/* Long options of the shared set, and their help text. */
extern const struct option replay_long_options[];
extern const char replay_options_help[];
#define REPLAY_SHORT_OPTIONS "f:n:m:p:o:s:h"

/* A command's getopt_long table, built from the sets it takes: append up
 * to max entries of add (a list ended by a zero entry) to table[0..n),
 * which has room for cap entries, and keep a zero entry after them.
 * Returns the new n. A table too small is a bug: it aborts. */
size_t options_append(struct option *table, size_t n, size_t cap, const struct option *add,
                      size_t max);

/* argv before getopt_long runs (it reorders argv), for replay_open_input. */
void replay_opts_init(struct replay_opts *o, int argc, char **argv);
void replay_opts_free(struct replay_opts *o);
/* Was the shared option of this long name given? */
bool replay_opts_given(const struct replay_opts *o, const char *name);
/* Handle option c (from getopt_long with replay_long_options); 1 if it was
 * one of the shared options, 0 if not, -1 (message printed, prefixed with
 * cmd) for a bad value. */
int replay_opts_handle(struct replay_opts *o, int c, const char *arg, const char *cmd);
/* After parsing: resolve the TLB (preset for the format's architecture,
 * then --tlb-geometry) and check the combination. 0 or -1 (printed). */
int replay_opts_finish(struct replay_opts *o, const char *cmd);

/* Open the input named on the command line: FILE, "-", --refs, or a
 * command after "--" (argv[first..argc)). Records the input file's
 * identity in cfg (swap and outputs must never replace it). NULL (printed)
 * on failure; *usage is then true for a command line that makes no sense
 * (exit status 2), false for an input that cannot be read (1). */
struct trace_reader *replay_open_input(struct replay_opts *o, int argc, char **argv, int first,
                                       bool *is_command, const char **name, bool *usage,
                                       const char *cmd);
/* The input's identity, for outfile_open's keep. */
struct file_id replay_input_id(const struct replay_opts *o);

/* Parse "4096", "64K", "16M", "2G" (powers of 1024); 0 or -1. */
int parse_size(const char *s, uint64_t *out);
int parse_u64(const char *s, uint64_t *out);


#endif
