/* sweep.h — a sweep's grid points and its outputs (internal to src/cli).
 *
 * cmd_sweep.c builds the grid and runs it; sweep_report.c writes the CSV
 * (every counter of every point) and the HTML page (notes, charts, the key
 * counters). A point that did not finish is in both, with its status.
 */
#ifndef VMLAB_CLI_SWEEP_H
#define VMLAB_CLI_SWEEP_H

#include <limits.h>
#include <pthread.h>

#include "cli/replay_opts.h"

enum point_state { PT_NOT_RUN, PT_DONE, PT_KILLED, PT_INTERRUPTED, PT_FAILED, PT_NSTATES };
/* "not run", "ok", "killed", "interrupted", "failed": the CSV's status column. */
extern const char *const sweep_state_names[PT_NSTATES];

struct point {
    struct replay_opts o;          /* this point's configuration */
    char series[32];               /* policy, or page size */
    uint64_t x;                    /* frames, or TLB entries */
    char swap_path[PATH_MAX];      /* its own swap file (--swap-file PATH: PATH.<run>) */
    struct replay_result res;
    enum point_state state;
    char err[512];
};

struct sweep {
    struct point *pt;              /* series-major: every x of the first series, ... */
    size_t npt, next;
    size_t nx, nseries;
    bool tlb_grid;                 /* TLB sizes x page sizes, else memory sizes x policies */
    const struct trace_record *recs;
    size_t nrecs;
    const void *run_trace;         /* a run trace (vmt version 2): its bytes, read afresh by
                                      every point (it is replayed by replay_events) */
    size_t run_trace_len;
    uint64_t skipped;              /* malformed lines skipped reading the trace */
    const char *input;
    pthread_mutex_t lock;
    bool progress;
    size_t finished;
};

/* Points by state. */
void sweep_tally(const struct sweep *s, size_t count[PT_NSTATES]);

/* PREFIX.csv and PREFIX.html; neither may be the input (keep). 0, or -1
 * (said on stderr). */
int sweep_write_csv(const struct sweep *s, const char *path, const struct file_id *keep);
int sweep_write_html(const struct sweep *s, const char *path, const struct replay_opts *base,
                     const struct file_id *keep);

#endif
