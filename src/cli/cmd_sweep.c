/* cmd_sweep.c — `vmlab sweep`: one trace over a grid of configurations.
 *
 * Two grids: memory sizes x policies (the default), or TLB sizes x page
 * sizes (--tlb-sizes). The trace is read once into memory; each grid point
 * is a full replay on its own machine and kernel (and its own swap file),
 * and points run on --jobs threads at once. The result is a CSV with every
 * counter of every point and one self-contained HTML report with the
 * charts. A point that did not finish (its process was killed, Ctrl-C
 * stopped it, it never started) says so in both, on stderr and in the exit
 * status.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/replay_output.h"
#include "replay/report.h"

#define SWEEP_MAX_VALUES 64

enum { OPT_FRAMES_LIST = 2000, OPT_MEM_LIST, OPT_POLICIES, OPT_TLB_SIZES, OPT_TLB_WAYS,
       OPT_PAGE_SIZES, OPT_JOBS, OPT_OUT };

enum point_state { PT_NOT_RUN, PT_DONE, PT_KILLED, PT_INTERRUPTED, PT_FAILED };
static const char *const state_names[] = {
    [PT_NOT_RUN] = "not run", [PT_DONE] = "ok", [PT_KILLED] = "killed",
    [PT_INTERRUPTED] = "interrupted", [PT_FAILED] = "failed",
};
#define MARK_LEGEND "killed or stopped early"

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
    struct point *pt;
    size_t npt, next;
    const struct trace_record *recs;
    size_t nrecs;
    uint64_t skipped;              /* malformed lines skipped reading the trace */
    pthread_mutex_t lock;
    bool progress;
    size_t finished;
    bool tlb_grid;
};

static volatile sig_atomic_t sweep_stop;

static void sweep_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab sweep [OPTIONS] FILE|-\n"
            "       vmlab sweep [OPTIONS] --refs LIST\n"
            "\n"
            "Replay one trace over a grid and write PREFIX.csv (every counter of every run)\n"
            "and PREFIX.html (a self-contained report with charts; no network needed).\n"
            "\n"
            "grid (memory sizes x policies by default):\n"
            "      --frames-list L   user-pool sizes in frames (default 16,32,...,2048)\n"
            "      --mem-list L      the same as sizes, e.g. 64K,256K,1M\n"
            "      --policies L      (default fifo,lru,clock,opt)\n"
            "      --tlb-sizes L     instead: TLB sizes x page sizes; each run has one TLB\n"
            "                        level of this many entries per side (default fully\n"
            "                        associative, LRU) and no page-walk caches\n"
            "      --tlb-ways N      ways of those TLBs\n"
            "      --page-sizes L    4k,2m (2m = --thp always; default both)\n"
            "  -j, --jobs N          runs at once (default: the number of CPUs)\n"
            "      --out PREFIX      output files (default 'sweep')\n"
            "\n"
            "every run also takes the replay options, except those the grid sets (--frames,\n"
            "--mem and --policy in a memory sweep; --tlb, --tlb-geometry and --thp in a TLB\n"
            "sweep) and the report's (--json, --csv, -o: the sweep writes PREFIX.csv and\n"
            "PREFIX.html). With --swap-file PATH each run swaps on its own file PATH.<run>.\n"
            "--quiet prints no summary line.\n%s\n%s",
            replay_options_help, cli_exit_status_help);
}

static int parse_list(const char *arg, bool sizes, uint64_t *vals, size_t *n, const char *opt)
{
    char buf[1024];
    if (strlen(arg) >= sizeof buf) {
        fprintf(stderr, "vmlab sweep: %s: the list is too long\n", opt);
        return -1;
    }
    strcpy(buf, arg);
    *n = 0;
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (*n == SWEEP_MAX_VALUES || (sizes ? parse_size(t, &v) : parse_u64(t, &v)) || !v) {
            fprintf(stderr, "vmlab sweep: %s: '%s' is not a valid list entry (up to %d positive %s)\n",
                    opt, t, SWEEP_MAX_VALUES, sizes ? "sizes" : "numbers");
            return -1;
        }
        vals[(*n)++] = v;
    }
    if (!*n) {
        fprintf(stderr, "vmlab sweep: %s: empty list\n", opt);
        return -1;
    }
    return 0;
}

static int parse_words(const char *arg, char words[][32], size_t *n, const char *opt)
{
    char buf[1024];
    if (strlen(arg) >= sizeof buf) {
        fprintf(stderr, "vmlab sweep: %s: the list is too long\n", opt);
        return -1;
    }
    strcpy(buf, arg);
    *n = 0;
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == SWEEP_MAX_VALUES || strlen(t) >= 32) {
            fprintf(stderr, "vmlab sweep: %s: too many or too long entries\n", opt);
            return -1;
        }
        strcpy(words[(*n)++], t);
    }
    if (!*n) {
        fprintf(stderr, "vmlab sweep: %s: empty list\n", opt);
        return -1;
    }
    return 0;
}

static void *worker(void *arg)
{
    struct sweep *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        size_t i = s->next < s->npt && !__atomic_load_n(&sweep_stop, __ATOMIC_RELAXED) ? s->next++
                                                                                    : s->npt;
        pthread_mutex_unlock(&s->lock);
        if (i == s->npt)
            return NULL;
        struct point *p = &s->pt[i];
        struct replay_source src = {.recs = s->recs, .nrecs = s->nrecs, .skipped = s->skipped};
        p->o.cfg.stop = &sweep_stop;
        if (replay_run(&p->o.cfg, &src, &p->res, p->err, sizeof p->err) != 0)
            p->state = PT_FAILED;
        else
            p->state = p->res.killed ? PT_KILLED : p->res.interrupted ? PT_INTERRUPTED : PT_DONE;
        pthread_mutex_lock(&s->lock);
        s->finished++;
        if (s->progress)
            fprintf(stderr, "\r  %zu/%zu runs done", s->finished, s->npt);
        pthread_mutex_unlock(&s->lock);
    }
}

/* Counts of points by state. */
static void tally(const struct sweep *s, size_t count[5])
{
    memset(count, 0, 5 * sizeof *count);
    for (size_t i = 0; i < s->npt; i++)
        count[s->pt[i].state]++;
}

/* ---- the CSV: every counter of every point ---- */

static int write_csv(const struct sweep *s, const char *input, const char *path,
                     const struct file_id *keep)
{
    if (keep && file_id_names(*keep, path)) {   /* --out naming the trace */
        fprintf(stderr, "vmlab sweep: %s is the input: vmlab does not write over its own input\n",
                path);
        return -1;
    }
    struct report *rep = report_new("sweep");
    struct replay_result zero;
    memset(&zero, 0, sizeof zero);
    struct replay_row row;
    if (!rep || replay_row_fill(&row, &s->pt[0].o, input, &zero)) {
        report_free(rep);
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    const char **names = calloc(row.n + 1, sizeof *names), **cells = calloc(row.n + 1, sizeof *cells);
    size_t ncols = row.n + 1;
    int rc = -1;
    char err[PATH_MAX + 1024];
    snprintf(err, sizeof err, "%s: out of memory", path);
    if (!names || !cells)
        goto out;
    names[0] = "status";
    for (size_t j = 0; j < row.n; j++)
        names[j + 1] = row.name[j];
    report_set_columns(rep, (unsigned)ncols, names);
    for (size_t i = 0; i < s->npt; i++) {
        const struct point *p = &s->pt[i];
        struct replay_row r;
        bool counted = p->state != PT_NOT_RUN && p->state != PT_FAILED;
        if (replay_row_fill(&r, &p->o, input, counted ? &p->res : &zero))
            goto out;   /* out of memory */
        cells[0] = state_names[p->state];
        for (size_t j = 0; j < r.n && j + 1 < ncols; j++)
            cells[j + 1] = counted || j < r.nconfig ? r.value[j] : "";
        report_add_row(rep, cells);
        replay_row_free(&r);
    }
    rc = report_write_csv(rep, path, err, sizeof err);
out:
    if (rc)
        fprintf(stderr, "vmlab sweep: %s\n", err);
    replay_row_free(&row);
    free(names);
    free(cells);
    report_free(rep);
    return rc;
}

/* ---- the HTML page ---- */

static const char *const memory_columns[] = {
    "pgfault", "footprint", "pgmajfault", "pswpin", "pswpout", "pgscan", "dTLB-load-misses",
    "dTLB-store-misses", "iTLB-load-misses", "walks", NULL,
};
static const char *const tlb_columns[] = {
    "dTLB-load-misses", "dTLB-store-misses", "iTLB-load-misses", "stlb-hits", "walks",
    "walk-mem-refs", "pwc-hits", "pgfault", NULL,
};

static void add_notes(struct report *rep, const struct sweep *s, const char *input,
                      const struct replay_opts *base, size_t nx, size_t nseries)
{
    char buf[640], size[32];
    const struct replay_config *c = &base->cfg;
    report_add_note(rep, "trace", input);
    snprintf(buf, sizeof buf, "%zu%s", s->nrecs,
             c->limit && c->limit <= s->nrecs ? " (--limit)" : "");
    report_add_note(rep, "accesses per run", buf);
    if (s->skipped) {
        snprintf(buf, sizeof buf, "%" PRIu64 " (--skip-bad)", s->skipped);
        report_add_note(rep, "malformed lines skipped", buf);
    }
    snprintf(buf, sizeof buf, s->tlb_grid ? "TLB entries (%zu sizes) x page size (%zu)"
                                          : "memory size (%zu sizes) x policy (%zu)", nx, nseries);
    report_add_note(rep, "varied", buf);
    report_add_note(rep, "page tables", c->fmt->name);
    if (!s->tlb_grid) {
        tlb_config_describe(&c->tlb, buf, sizeof buf);
        report_add_note(rep, "TLB", buf);
        report_add_note(rep, "THP", c->thp ? "always" : "never");
    } else {
        format_size(c->frames * VM_PAGE_SIZE, size, sizeof size);
        snprintf(buf, sizeof buf, "%" PRIu64 " frames (%s), policy %s", c->frames, size, c->policy);
        report_add_note(rep, "memory", buf);
    }
    format_size(c->swap_bytes, size, sizeof size);
    snprintf(buf, sizeof buf, "%s%s%s%s", c->swap_bytes ? size : "none (--swap 0)",
             c->swap_path ? ", one file per run: " : "", c->swap_path ? c->swap_path : "",
             c->swap_path ? ".<run>" : "");
    report_add_note(rep, "swap", buf);
    if (c->opt_ties == OPT_TIES_CLEAN_FIRST)
        report_add_note(rep, "OPT ties", "clean-first");
    report_add_note(rep, "vmlab", "version " VMLAB_VERSION);

    size_t count[5];
    tally(s, count);
    if (count[PT_NOT_RUN] || count[PT_INTERRUPTED])
        snprintf(buf, sizeof buf, "INTERRUPTED: %zu of %zu runs finished; the table says which "
                 "did not", count[PT_DONE] + count[PT_KILLED], s->npt);
    else
        snprintf(buf, sizeof buf, "complete: %zu of %zu runs", count[PT_DONE] + count[PT_KILLED],
                 s->npt);
    report_add_note(rep, "status", buf);
    if (count[PT_KILLED]) {
        snprintf(buf, sizeof buf, "%zu of %zu runs: their process was killed (the table says why); "
                 "their counts stop at the kill and are drawn as crosses", count[PT_KILLED], s->npt);
        report_add_note(rep, "killed", buf);
    }
    if (count[PT_FAILED]) {
        snprintf(buf, sizeof buf, "%zu runs could not run (see the table)", count[PT_FAILED]);
        report_add_note(rep, "failed", buf);
    }
}

static int write_html(const struct sweep *s, const char *input, const char *path,
                      const struct replay_opts *base, size_t nx, size_t nseries,
                      const struct file_id *keep)
{
    struct report *rep = report_new(s->tlb_grid ? "vmlab sweep: TLB size x page size"
                                                : "vmlab sweep: memory size x policy");
    if (!rep)
        return -1;
    add_notes(rep, s, input, base, nx, nseries);
    const char *const *stats = s->tlb_grid ? tlb_columns : memory_columns;
    const char *cols[32];
    unsigned nc = 0;
    cols[nc++] = s->tlb_grid ? "page_size" : "policy";
    cols[nc++] = s->tlb_grid ? "tlb_entries" : "frames";
    cols[nc++] = "status";
    for (int i = 0; stats[i]; i++)
        cols[nc++] = stats[i];
    cols[nc++] = "effective_access_ns";
    report_set_columns(rep, nc, cols);
    for (size_t i = 0; i < s->npt; i++) {
        const struct point *p = &s->pt[i];
        bool counted = p->state != PT_NOT_RUN && p->state != PT_FAILED;
        char cells[32][48];
        const char *row[32];
        unsigned k = 0;
        snprintf(cells[k++], 48, "%s", p->series);
        snprintf(cells[k++], 48, "%" PRIu64, p->x);
        snprintf(cells[k++], 48, "%s", state_names[p->state]);
        for (int j = 0; stats[j]; j++, k++) {
            cells[k][0] = 0;
            if (counted)
                snprintf(cells[k], 48, "%" PRIu64, replay_stat_value(&p->res, stats[j]));
        }
        if (counted)
            snprintf(cells[k++], 48, "%.3f", p->res.eat_ns);
        else
            cells[k++][0] = 0;
        for (unsigned j = 0; j < k; j++)
            row[j] = cells[j];
        report_add_row(rep, row);
        if (p->state == PT_KILLED)
            report_mark_last_row(rep, p->res.kill_msg, MARK_LEGEND);
        else if (p->state == PT_INTERRUPTED)
            report_mark_last_row(rep, "interrupted (Ctrl-C)", MARK_LEGEND);
    }
    if (s->tlb_grid) {
        report_add_line_chart(rep, "dTLB load misses vs TLB size", "tlb_entries", "dTLB-load-misses",
                              "page_size", REPORT_LOG_X | REPORT_LOG_Y);
        report_add_line_chart(rep, "page walks vs TLB size", "tlb_entries", "walks", "page_size",
                              REPORT_LOG_X | REPORT_LOG_Y);
        report_add_line_chart(rep, "effective access time (ns) vs TLB size", "tlb_entries",
                              "effective_access_ns", "page_size", REPORT_LOG_X);
    } else {
        report_add_line_chart(rep, "page faults vs memory size", "frames", "pgfault", "policy",
                              REPORT_LOG_X | REPORT_LOG_Y);
        report_add_line_chart(rep, "pages written to swap vs memory size", "frames", "pswpout",
                              "policy", REPORT_LOG_X);
        report_add_line_chart(rep, "effective access time (ns) vs memory size", "frames",
                              "effective_access_ns", "policy", REPORT_LOG_X | REPORT_LOG_Y);
    }
    char err[1024];
    int rc = -1;
    if (keep && file_id_names(*keep, path))
        fprintf(stderr, "vmlab sweep: %s is the input: vmlab does not write over its own input\n",
                path);
    else if ((rc = report_write_html(rep, path, err, sizeof err)))
        fprintf(stderr, "vmlab sweep: %s\n", err);
    report_free(rep);
    return rc;
}

/* ---- options ---- */

/* A replay option the grid decides, or that names the report's form, is
 * refused: it would be silently overridden. */
static int refuse_meaningless(const struct replay_opts *o, bool tlb_grid, bool lists_given,
                              bool ways_or_pages)
{
    static const struct { const char *opt; int grid; const char *why; } rules[] = {
        /* grid: 0 memory sweep, 1 TLB sweep, 2 both */
        {"frames", 0, "a memory sweep sets the memory of every run: give the sizes with "
                      "--frames-list or --mem-list"},
        {"mem", 0, "a memory sweep sets the memory of every run: give the sizes with "
                   "--mem-list or --frames-list"},
        {"policy", 0, "a memory sweep sets the policy of every run: give them with --policies"},
        {"tlb", 1, "each run of a TLB sweep has the TLB --tlb-sizes and --tlb-ways describe"},
        {"tlb-geometry", 1, "each run of a TLB sweep has the TLB --tlb-sizes and --tlb-ways "
                            "describe"},
        {"thp", 1, "a TLB sweep sets the page size of every run: give them with --page-sizes"},
        {"json", 2, "a sweep writes PREFIX.csv and PREFIX.html: name them with --out PREFIX"},
        {"csv", 2, "a sweep always writes PREFIX.csv (and PREFIX.html): name them with --out PREFIX"},
        {"output", 2, "a sweep writes PREFIX.csv and PREFIX.html: name them with --out PREFIX"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if ((rules[i].grid == 2 || rules[i].grid == (int)tlb_grid) &&
            replay_opts_given(o, rules[i].opt)) {
            fprintf(stderr, "vmlab sweep: --%s has no meaning here: %s\n", rules[i].opt,
                    rules[i].why);
            return -1;
        }
    }
    if (tlb_grid && lists_given) {
        fprintf(stderr, "vmlab sweep: --tlb-sizes varies the TLB and the page size only; "
                        "--frames-list, --mem-list and --policies have no meaning with it: give the "
                        "memory with --frames or --mem, the policy with --policy\n");
        return -1;
    }
    if (!tlb_grid && ways_or_pages) {
        fprintf(stderr, "vmlab sweep: --tlb-ways and --page-sizes describe a TLB sweep: give "
                        "--tlb-sizes too\n");
        return -1;
    }
    return 0;
}

static int sweep_main(struct replay_opts *base, int argc, char **argv)
{
    static struct option opts[64];
    size_t nopt = 0;
    for (const struct option *o = replay_long_options; o->name; o++)
        opts[nopt++] = *o;
    const struct option extra[] = {
        {"frames-list", required_argument, NULL, OPT_FRAMES_LIST},
        {"mem-list", required_argument, NULL, OPT_MEM_LIST},
        {"policies", required_argument, NULL, OPT_POLICIES},
        {"tlb-sizes", required_argument, NULL, OPT_TLB_SIZES},
        {"tlb-ways", required_argument, NULL, OPT_TLB_WAYS},
        {"page-sizes", required_argument, NULL, OPT_PAGE_SIZES},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {"out", required_argument, NULL, OPT_OUT},
        {0},
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        opts[nopt++] = extra[i];

    uint64_t xs[SWEEP_MAX_VALUES] = {16, 32, 64, 128, 256, 512, 1024, 2048};
    size_t nx = 8;
    char series[SWEEP_MAX_VALUES][32] = {"fifo", "lru", "clock", "opt"};
    size_t nseries = 4;
    bool tlb_grid = false, frames_list = false, mem_list = false, policies = false;
    bool ways_or_pages = false, page_sizes = false;
    uint64_t tlb_ways = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t jobs = ncpu > 0 ? (uint64_t)ncpu : 1;
    const char *prefix = "sweep";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, REPLAY_SHORT_OPTIONS "j:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            sweep_usage(stdout);
            return VMLAB_EXIT_OK;
        case OPT_FRAMES_LIST:
            frames_list = true;
            if (parse_list(optarg, false, xs, &nx, "--frames-list"))
                return VMLAB_EXIT_USAGE;
            break;
        case OPT_MEM_LIST:
            mem_list = true;
            if (parse_list(optarg, true, xs, &nx, "--mem-list"))
                return VMLAB_EXIT_USAGE;
            for (size_t i = 0; i < nx; i++)
                xs[i] = xs[i] / VM_PAGE_SIZE ? xs[i] / VM_PAGE_SIZE : 1;
            break;
        case OPT_POLICIES:
            policies = true;
            if (parse_words(optarg, series, &nseries, "--policies"))
                return VMLAB_EXIT_USAGE;
            for (size_t i = 0; i < nseries; i++) {
                struct replay_opts probe;
                replay_opts_init(&probe, 0, NULL);
                if (replay_opts_handle(&probe, 'p', series[i], "sweep") < 0)
                    return VMLAB_EXIT_USAGE;
            }
            break;
        case OPT_TLB_SIZES:
            if (parse_list(optarg, false, xs, &nx, "--tlb-sizes"))
                return VMLAB_EXIT_USAGE;
            tlb_grid = true;
            if (!page_sizes) {
                strcpy(series[0], "4k");
                strcpy(series[1], "2m");
                nseries = 2;
            }
            break;
        case OPT_TLB_WAYS:
            ways_or_pages = true;
            if (parse_u64(optarg, &tlb_ways) || !tlb_ways || tlb_ways > 4096) {
                fprintf(stderr, "vmlab sweep: --tlb-ways '%s' is not valid (1 to 4096)\n", optarg);
                return VMLAB_EXIT_USAGE;
            }
            break;
        case OPT_PAGE_SIZES:
            ways_or_pages = page_sizes = true;
            if (parse_words(optarg, series, &nseries, "--page-sizes"))
                return VMLAB_EXIT_USAGE;
            for (size_t i = 0; i < nseries; i++)
                if (strcmp(series[i], "4k") && strcmp(series[i], "2m")) {
                    fprintf(stderr, "vmlab sweep: --page-sizes: '%s' is not 4k or 2m\n", series[i]);
                    return VMLAB_EXIT_USAGE;
                }
            break;
        case 'j':
        case OPT_JOBS:
            if (parse_u64(optarg, &jobs) || !jobs || jobs > 256) {
                fprintf(stderr, "vmlab sweep: --jobs '%s' is not valid (1 to 256)\n", optarg);
                return VMLAB_EXIT_USAGE;
            }
            break;
        case OPT_OUT:
            if (!*optarg) {
                fprintf(stderr, "vmlab sweep: --out '' is not valid: expected a file prefix\n");
                return VMLAB_EXIT_USAGE;
            }
            prefix = optarg;
            break;
        default: {
            int h = replay_opts_handle(base, c, optarg, "sweep");
            if (h <= 0) {
                if (h == 0)
                    sweep_usage(stderr);
                return VMLAB_EXIT_USAGE;
            }
        }
        }
    }
    if (frames_list && mem_list) {
        fprintf(stderr, "vmlab sweep: --frames-list and --mem-list both give the memory sizes: "
                        "give one of them\n");
        return VMLAB_EXIT_USAGE;
    }
    if (refuse_meaningless(base, tlb_grid, frames_list || mem_list || policies, ways_or_pages) ||
        replay_opts_finish(base, "sweep"))
        return VMLAB_EXIT_USAGE;
    if (tlb_grid && !replay_opts_given(base, "frames") && !replay_opts_given(base, "mem"))
        base->cfg.frames = 65536;    /* TLB study: enough memory that paging stays out of it */

    bool is_command, usage;
    const char *input;
    struct trace_reader *r = replay_open_input(base, argc, argv, optind, &is_command, &input,
                                               &usage, "sweep");
    if (!r)
        return usage ? VMLAB_EXIT_USAGE : VMLAB_EXIT_ERROR;
    struct sweep s = {.progress = !base->no_progress && !base->quiet && isatty(STDERR_FILENO),
                      .tlb_grid = tlb_grid};
    char err[1024];
    struct trace_record *recs;
    if (replay_load(r, &recs, &s.nrecs, base->cfg.limit, err, sizeof err)) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    s.skipped = trace_skipped(r);
    trace_close(r);
    s.recs = recs;
    s.npt = nx * nseries;
    s.pt = calloc(s.npt, sizeof *s.pt);
    if (!s.pt) {
        free(recs);
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return VMLAB_EXIT_ERROR;
    }
    for (size_t si = 0, k = 0; si < nseries; si++)
        for (size_t xi = 0; xi < nx; xi++, k++) {
            struct point *p = &s.pt[k];
            p->o = *base;
            p->o.argv0 = NULL;
            p->x = xs[xi];
            snprintf(p->series, sizeof p->series, "%s", series[si]);
            if (base->cfg.swap_path) {   /* runs at once must not share one swap file */
                snprintf(p->swap_path, sizeof p->swap_path, "%s.%zu", base->cfg.swap_path, k + 1);
                p->o.cfg.swap_path = p->swap_path;
            }
            if (tlb_grid) {
                struct tlb_config *t = &p->o.cfg.tlb;
                unsigned n = (unsigned)xs[xi], w = tlb_ways ? (unsigned)tlb_ways : n;
                memset(t, 0, sizeof *t);
                snprintf(t->name, sizeof t->name, "%ux%s", n, w == n ? "full" : "way");
                t->l1i.array[0] = (struct tlb_array){.entries = n, .ways = w, .sizes = TLB_ALL};
                t->l1d.array[0] = t->l1i.array[0];
                t->repl = TLB_REPL_LRU;
                if (tlb_config_check(t, err, sizeof err)) {
                    fprintf(stderr, "vmlab sweep: TLB of %u entries: %s\n", n, err);
                    free(recs);
                    free(s.pt);
                    return VMLAB_EXIT_USAGE;
                }
                p->o.cfg.thp = !strcmp(series[si], "2m");
            } else {
                p->o.cfg.frames = xs[xi];
                replay_opts_handle(&p->o, 'p', series[si], "sweep");   /* checked above */
            }
        }

    pthread_mutex_init(&s.lock, NULL);
    cli_catch_signals(&sweep_stop);
    pthread_t th[256];
    size_t nth = jobs < s.npt ? jobs : s.npt;
    for (size_t i = 0; i < nth; i++)
        pthread_create(&th[i], NULL, worker, &s);
    for (size_t i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    if (s.progress)
        fprintf(stderr, "\n");

    int status = VMLAB_EXIT_OK;
    for (size_t i = 0; i < s.npt; i++) {
        const struct point *p = &s.pt[i];
        const char *xname = tlb_grid ? "TLB entries" : "frames";
        if (p->state == PT_FAILED) {
            fprintf(stderr, "vmlab sweep: run %zu (%s, %" PRIu64 " %s): %s\n", i + 1, p->series,
                    p->x, xname, p->err);
            status = cli_exit_worst(status, VMLAB_EXIT_ERROR);
        } else if (p->state == PT_KILLED) {
            fprintf(stderr, "vmlab sweep: run %zu (%s, %" PRIu64 " %s): the process was killed "
                    "after %" PRIu64 " accesses: %s\n", i + 1, p->series, p->x, xname,
                    p->res.records, p->res.kill_msg);
            status = cli_exit_worst(status, VMLAB_EXIT_KILLED);
        }
    }
    size_t count[5];
    tally(&s, count);
    char path[PATH_MAX + 8];
    struct file_id keep = replay_input_id(base);
    snprintf(path, sizeof path, "%s.csv", prefix);
    int wrote = write_csv(&s, input, path, &keep);
    snprintf(path, sizeof path, "%s.html", prefix);
    wrote |= write_html(&s, input, path, base, nx, nseries, &keep);
    size_t finished = count[PT_DONE] + count[PT_KILLED];
    if (wrote) {
        status = cli_exit_worst(status, VMLAB_EXIT_ERROR);
    } else if (!base->quiet) {
        printf("wrote %s.csv and %s.html: %zu of %zu runs of %zu accesses finished", prefix,
               prefix, finished, s.npt, s.nrecs);
        if (count[PT_KILLED])
            printf(", %zu of them killed", count[PT_KILLED]);
        printf("\n");
    }
    if (count[PT_KILLED])
        fprintf(stderr, "vmlab sweep: %zu of %zu runs were killed: their counts stop at the kill "
                "(status 'killed' in %s.csv, crosses in %s.html)\n", count[PT_KILLED], s.npt,
                prefix, prefix);
    if (__atomic_load_n(&sweep_stop, __ATOMIC_RELAXED)) {
        fprintf(stderr, "vmlab sweep: interrupted: %zu of %zu runs finished; %s.csv and %s.html "
                "mark the others\n", finished, s.npt, prefix, prefix);
        status = cli_exit_worst(status, VMLAB_EXIT_INTERRUPTED);
    }
    pthread_mutex_destroy(&s.lock);
    free(s.pt);
    free(recs);
    return status;
}

int cmd_sweep(int argc, char **argv)
{
    struct replay_opts base;
    replay_opts_init(&base, argc, argv);
    int status = sweep_main(&base, argc, argv);
    replay_opts_free(&base);
    return status;
}
