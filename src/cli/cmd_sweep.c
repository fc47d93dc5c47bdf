/* cmd_sweep.c — `vmlab sweep`: one trace over a grid of configurations.
 *
 * Two grids: memory sizes x policies (the default), or TLB sizes x page
 * sizes (--tlb-sizes). The trace is read once into memory; each grid point
 * is a full replay on its own machine and kernel (and its own swap file),
 * and points run on --jobs threads at once. sweep_report.c writes a CSV
 * with every counter of every point and one self-contained HTML report. A
 * point that did not finish (its process was killed, Ctrl-C stopped it, it
 * never started) says so in both, on stderr and in the exit status.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/sweep.h"

#define SWEEP_MAX_VALUES 64

enum { OPT_FRAMES_LIST = 2000, OPT_MEM_LIST, OPT_POLICIES, OPT_TLB_SIZES, OPT_TLB_WAYS,
       OPT_PAGE_SIZES, OPT_JOBS, OPT_OUT };

/* The grid and the sweep's own options, as parsed. */
struct grid {
    uint64_t xs[SWEEP_MAX_VALUES];
    size_t nx;
    char series[SWEEP_MAX_VALUES][32];
    size_t nseries;
    bool tlb_grid, frames_list, mem_list, policies, ways_or_pages, page_sizes;
    uint64_t tlb_ways;
    uint64_t jobs;
    const char *prefix;
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
        struct trace_options topt = {.name = s->input};
        if (s->run_trace && !(src.reader = trace_open_mem(s->run_trace, s->run_trace_len, TRACE_VMT,
                                                          &topt, p->err, sizeof p->err)))
            p->state = PT_FAILED;
        else if (replay_run(&p->o.cfg, &src, &p->res, p->err, sizeof p->err) != 0)
            p->state = PT_FAILED;
        else
            p->state = p->res.killed ? PT_KILLED : p->res.interrupted ? PT_INTERRUPTED : PT_DONE;
        trace_close(src.reader);
        if (p->state != PT_FAILED && p->res.run_trace) {
            volatile sig_atomic_t *stop = p->o.cfg.stop;
            p->o.cfg = p->res.run;   /* the configuration it ran in: the run's, and the point's */
            p->o.cfg.stop = stop;
        }
        pthread_mutex_lock(&s->lock);
        s->finished++;
        if (s->progress)
            fprintf(stderr, "\r  %zu/%zu runs done", s->finished, s->npt);
        pthread_mutex_unlock(&s->lock);
    }
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

/* One option of the grid (c from getopt_long): 0, or -1 (said on stderr). */
static int grid_option(struct grid *g, int c, const char *arg)
{
    switch (c) {
    case OPT_FRAMES_LIST:
        g->frames_list = true;
        return parse_list(arg, false, g->xs, &g->nx, "--frames-list");
    case OPT_MEM_LIST:
        g->mem_list = true;
        if (parse_list(arg, true, g->xs, &g->nx, "--mem-list"))
            return -1;
        for (size_t i = 0; i < g->nx; i++)
            g->xs[i] = g->xs[i] / VM_PAGE_SIZE ? g->xs[i] / VM_PAGE_SIZE : 1;
        return 0;
    case OPT_POLICIES:
        g->policies = true;
        if (parse_words(arg, g->series, &g->nseries, "--policies"))
            return -1;
        for (size_t i = 0; i < g->nseries; i++) {
            struct replay_opts probe;
            replay_opts_init(&probe, 0, NULL);
            if (replay_opts_handle(&probe, 'p', g->series[i], "sweep") < 0)
                return -1;
        }
        return 0;
    case OPT_TLB_SIZES:
        if (parse_list(arg, false, g->xs, &g->nx, "--tlb-sizes"))
            return -1;
        g->tlb_grid = true;
        if (!g->page_sizes) {
            strcpy(g->series[0], "4k");
            strcpy(g->series[1], "2m");
            g->nseries = 2;
        }
        return 0;
    case OPT_TLB_WAYS:
        g->ways_or_pages = true;
        if (parse_u64(arg, &g->tlb_ways) || !g->tlb_ways || g->tlb_ways > 4096) {
            fprintf(stderr, "vmlab sweep: --tlb-ways '%s' is not valid (1 to 4096)\n", arg);
            return -1;
        }
        return 0;
    case OPT_PAGE_SIZES:
        g->ways_or_pages = g->page_sizes = true;
        if (parse_words(arg, g->series, &g->nseries, "--page-sizes"))
            return -1;
        for (size_t i = 0; i < g->nseries; i++)
            if (strcmp(g->series[i], "4k") && strcmp(g->series[i], "2m")) {
                fprintf(stderr, "vmlab sweep: --page-sizes: '%s' is not 4k or 2m\n", g->series[i]);
                return -1;
            }
        return 0;
    case 'j':
    case OPT_JOBS:
        if (parse_u64(arg, &g->jobs) || !g->jobs || g->jobs > 256) {
            fprintf(stderr, "vmlab sweep: --jobs '%s' is not valid (1 to 256)\n", arg);
            return -1;
        }
        return 0;
    case OPT_OUT:
        if (!*arg) {
            fprintf(stderr, "vmlab sweep: --out '' is not valid: expected a file prefix\n");
            return -1;
        }
        g->prefix = arg;
        return 0;
    }
    return -1;
}

/* The command line: 0, 1 (--help printed: done), or -1 (a usage error,
 * said on stderr). optind is then at the input. */
static int parse_args(struct grid *g, struct replay_opts *base, int argc, char **argv)
{
    static struct option opts[64];
    size_t nopt = 0;
    for (const struct option *o = replay_long_options; o->name; o++)
        opts[nopt++] = *o;
    static const struct option extra[] = {
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

    *g = (struct grid){.xs = {16, 32, 64, 128, 256, 512, 1024, 2048}, .nx = 8,
                       .series = {"fifo", "lru", "clock", "opt"}, .nseries = 4, .prefix = "sweep"};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    g->jobs = ncpu > 0 ? (uint64_t)ncpu : 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, REPLAY_SHORT_OPTIONS "j:", opts, NULL)) != -1) {
        if (c == 'h') {
            sweep_usage(stdout);
            return 1;
        }
        if (c == 'j' || c >= OPT_FRAMES_LIST) {
            if (grid_option(g, c, optarg))
                return -1;
            continue;
        }
        int h = replay_opts_handle(base, c, optarg, "sweep");
        if (h <= 0) {
            if (h == 0)
                sweep_usage(stderr);
            return -1;
        }
    }
    if (g->frames_list && g->mem_list) {
        fprintf(stderr, "vmlab sweep: --frames-list and --mem-list both give the memory sizes: "
                        "give one of them\n");
        return -1;
    }
    if (refuse_meaningless(base, g->tlb_grid, g->frames_list || g->mem_list || g->policies,
                           g->ways_or_pages) ||
        replay_opts_finish(base, "sweep"))
        return -1;
    for (size_t i = 0; g->tlb_grid && base->cfg.fmt->xlen == 32 && i < g->nseries; i++)
        if (!strcmp(g->series[i], "2m")) {
            fprintf(stderr, "vmlab sweep: the 2m series (--thp always) is not available with --pt %s "
                            "yet (the kernel's huge pages are 2 MiB, %s's are 4 MiB): use "
                            "--page-sizes 4k\n", base->cfg.fmt->name, base->cfg.fmt->name);
            return -1;
        }
    if (g->tlb_grid && !replay_opts_given(base, "frames") && !replay_opts_given(base, "mem"))
        base->cfg.frames = 65536;    /* TLB study: enough memory that paging stays out of it */
    return 0;
}

/* One TLB level of n entries per side, w ways (0: fully associative), LRU,
 * no page-walk caches: a point of the TLB grid. 0, or -1 (said). */
static int one_level_tlb(struct tlb_config *t, unsigned n, unsigned w)
{
    if (!w)
        w = n;
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%ux%s", n, w == n ? "full" : "way");
    t->l1i.array[0] = (struct tlb_array){.entries = n, .ways = w, .sizes = TLB_ALL};
    t->l1d.array[0] = t->l1i.array[0];
    t->repl = TLB_REPL_LRU;
    char err[512];
    if (tlb_config_check(t, err, sizeof err)) {
        fprintf(stderr, "vmlab sweep: TLB of %u entries: %s\n", n, err);
        return -1;
    }
    return 0;
}

/* Every grid point, series-major, each with its own swap file if one is
 * named. 0, or -1 (said). */
static int make_points(struct sweep *s, const struct grid *g, const struct replay_opts *base)
{
    s->nx = g->nx;
    s->nseries = g->nseries;
    s->tlb_grid = g->tlb_grid;
    s->npt = g->nx * g->nseries;
    if (!(s->pt = calloc(s->npt, sizeof *s->pt))) {
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    for (size_t si = 0, k = 0; si < g->nseries; si++)
        for (size_t xi = 0; xi < g->nx; xi++, k++) {
            struct point *p = &s->pt[k];
            p->o = *base;
            p->o.argv0 = NULL;
            p->x = g->xs[xi];
            snprintf(p->series, sizeof p->series, "%s", g->series[si]);
            if (base->cfg.swap_path) {   /* runs at once must not share one swap file */
                snprintf(p->swap_path, sizeof p->swap_path, "%s.%zu", base->cfg.swap_path, k + 1);
                p->o.cfg.swap_path = p->swap_path;
            }
            if (g->tlb_grid) {
                if (one_level_tlb(&p->o.cfg.tlb, (unsigned)g->xs[xi], (unsigned)g->tlb_ways))
                    return -1;
                p->o.cfg.thp = !strcmp(g->series[si], "2m");
                p->o.cfg.given |= REPLAY_GIVEN_TLB | REPLAY_GIVEN_THP;   /* over a run trace's */
            } else {
                p->o.cfg.frames = g->xs[xi];
                replay_opts_handle(&p->o, 'p', g->series[si], "sweep");   /* checked when parsed */
                p->o.cfg.given |= REPLAY_GIVEN_FRAMES | REPLAY_GIVEN_POLICY;
            }
        }
    return 0;
}

/* Run every point on `jobs` threads; Ctrl-C stops them (sweep_stop). */
static void run_points(struct sweep *s, uint64_t jobs)
{
    pthread_mutex_init(&s->lock, NULL);
    cli_catch_signals(&sweep_stop);
    pthread_t th[256];
    size_t nth = jobs < s->npt ? jobs : s->npt;
    for (size_t i = 0; i < nth; i++)
        pthread_create(&th[i], NULL, worker, s);
    for (size_t i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&s->lock);
    if (s->progress)
        fprintf(stderr, "\n");
}

/* Each run that failed or was killed, on stderr; the status they make. */
static int tell_runs(const struct sweep *s)
{
    int status = VMLAB_EXIT_OK;
    const char *xname = s->tlb_grid ? "TLB entries" : "frames";
    for (size_t i = 0; i < s->npt; i++) {
        const struct point *p = &s->pt[i];
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
    return status;
}

/* The outputs, the summary line, and what the status must say. */
static int write_outputs(const struct sweep *s, const struct grid *g, const struct replay_opts *base,
                         int status)
{
    size_t count[PT_NSTATES];
    sweep_tally(s, count);
    char path[PATH_MAX + 8];
    struct file_id keep = replay_input_id(base);
    snprintf(path, sizeof path, "%s.csv", g->prefix);
    int failed = sweep_write_csv(s, path, &keep);
    snprintf(path, sizeof path, "%s.html", g->prefix);
    failed |= sweep_write_html(s, path, base, &keep);
    size_t finished = count[PT_DONE] + count[PT_KILLED];
    if (failed) {
        status = cli_exit_worst(status, VMLAB_EXIT_ERROR);
    } else if (!base->quiet) {
        printf("wrote %s.csv and %s.html: %zu of %zu runs of %zu accesses finished", g->prefix,
               g->prefix, finished, s->npt, s->nrecs);
        if (count[PT_KILLED])
            printf(", %zu of them killed", count[PT_KILLED]);
        printf("\n");
    }
    if (count[PT_KILLED])
        fprintf(stderr, "vmlab sweep: %zu of %zu runs were killed: their counts stop at the kill "
                "(status 'killed' in %s.csv, crosses in %s.html)\n", count[PT_KILLED], s->npt,
                g->prefix, g->prefix);
    if (__atomic_load_n(&sweep_stop, __ATOMIC_RELAXED)) {
        fprintf(stderr, "vmlab sweep: interrupted: %zu of %zu runs finished; %s.csv and %s.html "
                "mark the others\n", finished, s->npt, g->prefix, g->prefix);
        status = cli_exit_worst(status, VMLAB_EXIT_INTERRUPTED);
    }
    return status;
}

/* The bytes of a file (a run trace: each point reads it from memory). */
static int load_file(const char *path, void **out, size_t *len, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
    if (!f) {
        snprintf(err, errlen, "%s: a run trace is swept from a file: %s", path,
                 strcmp(path, "-") ? strerror(errno) : "not from standard input");
        return -1;
    }
    size_t cap = 1 << 20, n = 0;
    char *b = malloc(cap);
    for (size_t got; b && (got = fread(b + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    bool bad = !b || ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        snprintf(err, errlen, "%s: cannot read it: %s", path, b ? strerror(errno) : "out of memory");
        return -1;
    }
    *out = b;
    *len = n;
    return 0;
}

static int sweep_main(struct replay_opts *base, int argc, char **argv)
{
    struct grid g;
    int parsed = parse_args(&g, base, argc, argv);
    if (parsed)
        return parsed > 0 ? VMLAB_EXIT_OK : VMLAB_EXIT_USAGE;

    bool is_command, usage;
    struct sweep s = {.progress = !base->no_progress && !base->quiet && isatty(STDERR_FILENO)};
    struct trace_reader *r = replay_open_input(base, argc, argv, optind, &is_command, &s.input,
                                               &usage, "sweep");
    if (!r)
        return usage ? VMLAB_EXIT_USAGE : VMLAB_EXIT_ERROR;
    char err[1024];
    struct trace_record *recs = NULL;
    void *run = NULL;
    if (trace_reader_version(r) >= 2) {
        /* a run trace: every point replays it from the start */
        trace_close(r);
        if (load_file(s.input, &run, &s.run_trace_len, err, sizeof err)) {
            fprintf(stderr, "vmlab sweep: %s\n", err);
            return VMLAB_EXIT_ERROR;
        }
        s.run_trace = run;
    } else if (replay_load(r, &recs, &s.nrecs, base->cfg.limit, err, sizeof err)) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    if (!run) {
        s.skipped = trace_skipped(r);
        trace_close(r);
    }
    s.recs = recs;
    int status;
    if (make_points(&s, &g, base)) {
        status = s.pt ? VMLAB_EXIT_USAGE : VMLAB_EXIT_ERROR;
    } else {
        run_points(&s, g.jobs);
        if (s.run_trace && s.npt && s.pt[0].state != PT_FAILED)
            s.nrecs = (size_t)s.pt[0].res.records;   /* every point replays all of it */
        status = write_outputs(&s, &g, base, tell_runs(&s));
    }
    free(s.pt);
    free(recs);
    free(run);
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
