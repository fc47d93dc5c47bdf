/* sweep.h — a sweep: inputs x a grid of replay options, its runs and its
 * outputs (internal to src/cli).
 *
 * A sweep is a list of inputs (the workloads) and a list of axes, each a
 * replay option (or one of the sweep's own: tlb-entries, tlb-ways,
 * page-size) with its values. A run ("point") is one input and one value
 * of every axis: the base options as given, then one replay option per
 * axis, applied through replay_opts_handle and replay_opts_finish — so a
 * run is exactly `vmlab replay` with those options (sweep_point_args),
 * which is what a planned sweep writes as its jobs.
 *
 *   sweep_grid.c    the axes: parsing --grid and the shorthands, the points
 *   sweep_input.c   the inputs: names, absolute paths, loading, checksums
 *   sweep_report.c  the CSV (every counter of every run) and the HTML page
 *   sweep_plan.c    --plan DIR: jobs.txt, manifest, sbatch.sh
 *   sweep_collect.c --collect DIR: the results read back into a sweep
 *   cmd_sweep.c     the command: options, running the points in threads
 */
#ifndef VMLAB_CLI_SWEEP_H
#define VMLAB_CLI_SWEEP_H

#include <limits.h>
#include <pthread.h>

#include "cli/replay_opts.h"
#include "cli/run_opts.h"

enum point_state { PT_NOT_RUN, PT_DONE, PT_KILLED, PT_INTERRUPTED, PT_FAILED, PT_NSTATES };
/* "not run", "ok", "killed", "interrupted", "failed": the CSV's status column. */
extern const char *const sweep_state_names[PT_NSTATES];

#define SWEEP_MAX_AXES 16
#define SWEEP_MAX_VALUES 4096
#define SWEEP_MAX_POINTS 1000000

/* One replay option as getopt_long returned it: its val (see
 * replay_long_options) and argument (NULL for a flag). */
struct sweep_pair {
    int val;
    const char *arg;
};

/* What an axis's values mean in a chart. */
enum axis_family { AF_MEMORY, AF_TLB, AF_SWPT, AF_OTHER };

struct sweep_axis {
    char name[32];                 /* "frames", "policy", "tlb-entries", ... */
    int val;                       /* the replay option it sets; <0: a pseudo-axis */
    enum axis_family family;
    bool numeric;                  /* every value a number (sizes in bytes) */
    char **values;                 /* as given */
    double *num;                   /* numeric: each value as a number */
    size_t n;
};

/* IN_COMMAND runs under Valgrind (its trace replayed); IN_PROGRAM is a
 * RISC-V program that every run of the grid runs (vmlab run, --run). */
enum input_kind { IN_FILE, IN_STDIN, IN_REFS, IN_COMMAND, IN_PROGRAM };

struct sweep_input {
    enum input_kind kind;
    const char *name;              /* as given: the CSV's input column */
    char *path;                    /* IN_FILE, IN_PROGRAM: absolute (malloc'd); else NULL */
    char *const *argv;             /* IN_COMMAND, IN_PROGRAM: the program and its arguments
                                      (IN_PROGRAM: argv[0] is path; malloc'd, NULL-ended) */
    int argc;                      /* IN_PROGRAM */
    struct file_id id;             /* outputs and swap files must never replace it */
    uint64_t bytes;                /* IN_FILE: size; IN_REFS: length of the list */
    char sha256[65];               /* a planned sweep's inputs: hex digest */
    size_t nrecs;                  /* accesses per run (once known) */
    bool nrecs_known;
    uint64_t skipped;              /* malformed lines skipped reading it */
};

struct point {
    struct replay_opts o;          /* this run's configuration */
    struct run_config rc;          /* a program's run: o's system and the run options */
    size_t input;                  /* its input (s->in[input]) */
    size_t value[SWEEP_MAX_AXES];  /* its value on each axis (an index) */
    char geometry[96];             /* tlb-entries: the --tlb-geometry it stands for */
    char swap_path[PATH_MAX];      /* its own swap file (--swap-file PATH: PATH.<run>) */
    struct replay_result res;
    enum point_state state;
    char err[512];
};

struct sweep {
    struct sweep_axis axis[SWEEP_MAX_AXES];
    size_t naxes;
    struct sweep_pair *base;       /* the options every run has, in order: replay's, and
                                      with programs the run options (RUN_OPT_*) */
    size_t nbase;
    const char *swap_file;         /* --swap-file PATH: run k swaps on PATH.k */
    struct sweep_input *in;
    size_t nin;
    struct point *pt;              /* input-major; within one, the first axis varies fastest */
    size_t npt;
    struct replay_opts opts;       /* the base options alone, finished (for the notes) */
    bool quiet, no_progress;
    bool programs;                 /* the inputs are programs (--run), which every run runs */
    bool collected;                /* read back from a plan (--collect) */

    /* running in process */
    const struct trace_record *recs;
    size_t nrecs, next, end;       /* the current input's records; its points [next, end) */
    const void *run_trace;         /* or a run trace (vmt version 2): its bytes, which every
                                      point reads afresh (replay_events) */
    size_t run_trace_len;
    uint64_t skipped;
    pthread_mutex_t lock;
    bool progress;
    size_t finished;
};

/* ---- sweep_grid.c ---- */

/* Add values to the axis named name ("policy", "tlb-entries", ...), from a
 * list "v1,v2" (one value for options whose values hold commas:
 * tlb-geometry, cost). Each value is checked as the replay option checks
 * it. origin names the option it came from, for messages. 0, or -1 (said). */
int sweep_axis_add(struct sweep *s, const char *name, const char *list, const char *origin);
/* After the command line: the grid's own rules (an axis and a base option
 * setting the same thing, tlb-ways without tlb-entries, ...), then every
 * point made and checked as a replay command line would be. 0, or -1
 * (said; nothing was run). */
int sweep_make_points(struct sweep *s);
/* The replay options of run k: base, then its axes (the pseudo-axes as the
 * replay options they stand for). At most max; returns the count. */
size_t sweep_point_args(const struct sweep *s, size_t k, struct sweep_pair *out, size_t max);
/* The long name of an option's val ("frames" for 'n'), replay's or a
 * run option. */
const char *sweep_option_name(int val);
/* "fifo, 4 frames": the run's input (if several) and its values on the
 * axes that vary. */
void sweep_point_label(const struct sweep *s, size_t k, char *buf, size_t len);
/* Does an axis decide the replay option of this long name? */
bool sweep_varies(const struct sweep *s, const char *option);
/* The axis drawn as x (-1: none), the series axis (-1: none). */
int sweep_x_axis(const struct sweep *s);
int sweep_series_axis(const struct sweep *s, int x);
/* Help text of the grid options, and the axis names. */
extern const char sweep_grid_help[];
void sweep_free(struct sweep *s);

/* ---- sweep_input.c ---- */

/* The inputs from the command line (argv[first..argc), "--" PROGRAM last):
 * 0, or -1 (said: a usage error). */
int sweep_inputs_parse(struct sweep *s, int argc, char **argv, int first,
                       const struct replay_opts *o);
/* Read input i into memory (trace options from s->opts). 0, or -1 with err. */
/* The i-th input's bytes if it is a run trace (vmt version 2: 1, *bytes
 * malloc'd), 0 if it is not, -1 with err. */
int sweep_input_run_trace(struct sweep *s, size_t i, void **bytes, size_t *len, char *err,
                          size_t errlen);
int sweep_input_load(struct sweep *s, size_t i, struct trace_record **recs, size_t *n,
                     char *err, size_t errlen);
/* Absolute path, size and SHA-256 of each input, for a plan (files only).
 * 0, or -1 (said). */
int sweep_inputs_identify(struct sweep *s);
/* A program input (--run 'PROGRAM ARGS'): split at blanks, found, its
 * identity kept. 0, or -1 (said). */
int sweep_input_add_program(struct sweep *s, const char *spec);
/* Is path one of the inputs? */
bool sweep_is_input(const struct sweep *s, const char *path);

/* ---- sweep_report.c ---- */

/* Points by state. */
void sweep_tally(const struct sweep *s, size_t count[PT_NSTATES]);
/* PREFIX.csv and PREFIX.html; neither may be an input. 0, or -1 (said). */
int sweep_write_csv(const struct sweep *s, const char *path);
int sweep_write_html(const struct sweep *s, const char *path);

/* ---- sweep_plan.c, sweep_collect.c ---- */

/* The argument list a plan records (argv without --plan DIR). */
int sweep_plan(struct sweep *s, const char *dir, int argc, char **argv);
/* Read DIR back; parse(argc, argv, s) rebuilds the sweep from the plan's
 * recorded arguments. The exit status. */
int sweep_collect(const char *dir, const char *prefix, bool partial, bool quiet,
                  int (*parse)(struct sweep *s, int argc, char **argv));

/* Each run that failed or was killed, on stderr; the status they make. */
int sweep_tell_runs(const struct sweep *s);
/* The outputs and the summary line; the status, made worse by theirs. */
int sweep_write_outputs(const struct sweep *s, const char *prefix, int status, bool interrupted);

#endif
