/* cmd_sweep.c — `vmlab sweep`: one trace over a grid of configurations.
 *
 * Two grids: memory sizes x policies (the default), or TLB sizes x page
 * sizes (--tlb-sizes). The trace is read once into memory; each grid point
 * is a full replay on its own machine and kernel, and points run on
 * --jobs threads at once. The result is a CSV with every counter and one
 * self-contained HTML report with the charts.
 */
#include <errno.h>
#include <inttypes.h>
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

struct point {
    struct replay_opts o;          /* this point's configuration */
    char series[32];               /* policy, or page size */
    uint64_t x;                    /* frames, or TLB entries */
    struct replay_result res;
    bool done, failed;
    char err[512];
};

struct sweep {
    struct point *pt;
    size_t npt, next;
    const struct trace_record *recs;
    size_t nrecs;
    pthread_mutex_t lock;
    bool progress;
    size_t finished;
};

static volatile sig_atomic_t sweep_stop;

static void on_sigint(int sig)
{
    sweep_stop = 1;
    signal(sig, SIG_DFL);
}

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
            "\nevery run also takes the replay options:\n%s",
            replay_options_help);
}

static int parse_list(const char *arg, bool sizes, uint64_t *vals, size_t *n, const char *opt)
{
    char buf[1024];
    if (strlen(arg) >= sizeof buf)
        return -1;
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
    if (strlen(arg) >= sizeof buf)
        return -1;
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
        size_t i = s->next < s->npt && !sweep_stop ? s->next++ : s->npt;
        pthread_mutex_unlock(&s->lock);
        if (i == s->npt)
            return NULL;
        struct point *p = &s->pt[i];
        struct replay_source src = {.recs = s->recs, .nrecs = s->nrecs};
        p->o.cfg.stop = &sweep_stop;
        p->failed = replay_run(&p->o.cfg, &src, &p->res, p->err, sizeof p->err) != 0;
        p->done = !p->failed && !p->res.interrupted;
        pthread_mutex_lock(&s->lock);
        s->finished++;
        if (s->progress)
            fprintf(stderr, "\r  %zu/%zu runs done", s->finished, s->npt);
        pthread_mutex_unlock(&s->lock);
    }
}

static const char *const table_stats[] = {
    "accesses", "pgfault", "pgmajfault", "pswpin", "pswpout", "pgsteal", "pgscan",
    "dTLB-load-misses", "dTLB-store-misses", "iTLB-load-misses", "stlb-hits", "walks",
    "walk-mem-refs", NULL,
};

static int write_report(struct sweep *s, bool tlb_grid, const char *input, const char *prefix,
                        const struct replay_opts *base)
{
    char path[1100], err[1024];
    /* CSV: every counter */
    snprintf(path, sizeof path, "%s.csv", prefix);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vmlab sweep: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    replay_print_csv_header(f, base);
    for (size_t i = 0; i < s->npt; i++)
        if (s->pt[i].done)
            replay_print_csv_row(f, &s->pt[i].o, input, &s->pt[i].res);
    if (fclose(f)) {
        fprintf(stderr, "vmlab sweep: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }

    /* HTML: the charts and the key counters */
    struct report *rep = report_new(tlb_grid ? "vmlab sweep: TLB size x page size"
                                             : "vmlab sweep: memory size x policy");
    if (!rep)
        return -1;
    char buf[512];
    report_add_note(rep, "trace", input);
    snprintf(buf, sizeof buf, "%zu", s->nrecs);
    report_add_note(rep, "accesses per run", buf);
    report_add_note(rep, "page tables", base->cfg.fmt->name);
    if (!tlb_grid) {
        tlb_config_describe(&base->cfg.tlb, buf, sizeof buf);
        report_add_note(rep, "TLB", buf);
    } else {
        snprintf(buf, sizeof buf, "%" PRIu64 " frames, policy %s", base->cfg.frames, base->cfg.policy);
        report_add_note(rep, "memory", buf);
    }
    const char *cols[32];
    unsigned nc = 0;
    cols[nc++] = tlb_grid ? "page_size" : "policy";
    cols[nc++] = tlb_grid ? "tlb_entries" : "frames";
    for (int i = 0; table_stats[i]; i++)
        cols[nc++] = table_stats[i];
    cols[nc++] = "effective_access_ns";
    report_set_columns(rep, nc, cols);
    for (size_t i = 0; i < s->npt; i++) {
        struct point *p = &s->pt[i];
        if (!p->done)
            continue;
        char cells[32][48];
        const char *row[32];
        unsigned k = 0;
        snprintf(cells[k], 48, "%s", p->series), k++;
        snprintf(cells[k], 48, "%" PRIu64, p->x), k++;
        for (int j = 0; table_stats[j]; j++, k++)
            snprintf(cells[k], 48, "%" PRIu64, replay_stat_value(&p->res, table_stats[j]));
        snprintf(cells[k], 48, "%.3f", p->res.eat_ns), k++;
        for (unsigned j = 0; j < k; j++)
            row[j] = cells[j];
        report_add_row(rep, row);
    }
    if (tlb_grid) {
        report_add_line_chart(rep, "dTLB load misses vs TLB size", "tlb_entries", "dTLB-load-misses",
                              "page_size", REPORT_LOG_X);
        report_add_line_chart(rep, "page walks vs TLB size", "tlb_entries", "walks", "page_size",
                              REPORT_LOG_X);
        report_add_line_chart(rep, "effective access time (ns) vs TLB size", "tlb_entries",
                              "effective_access_ns", "page_size", REPORT_LOG_X);
    } else {
        report_add_line_chart(rep, "page faults vs memory size", "frames", "pgfault", "policy",
                              REPORT_LOG_X);
        report_add_line_chart(rep, "pages written to swap vs memory size", "frames", "pswpout",
                              "policy", REPORT_LOG_X);
        report_add_line_chart(rep, "effective access time (ns) vs memory size", "frames",
                              "effective_access_ns", "policy", REPORT_LOG_X | REPORT_LOG_Y);
    }
    snprintf(path, sizeof path, "%s.html", prefix);
    int rc = report_write_html(rep, path, err, sizeof err);
    if (rc)
        fprintf(stderr, "vmlab sweep: %s\n", err);
    report_free(rep);
    return rc;
}

int cmd_sweep(int argc, char **argv)
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

    struct replay_opts base;
    replay_opts_init(&base);
    uint64_t xs[SWEEP_MAX_VALUES] = {16, 32, 64, 128, 256, 512, 1024, 2048};
    size_t nx = 8;
    char series[SWEEP_MAX_VALUES][32] = {"fifo", "lru", "clock", "opt"};
    size_t nseries = 4;
    bool tlb_grid = false, frames_given = false;
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
            return 0;
        case OPT_FRAMES_LIST:
            if (parse_list(optarg, false, xs, &nx, "--frames-list"))
                return 2;
            break;
        case OPT_MEM_LIST:
            if (parse_list(optarg, true, xs, &nx, "--mem-list"))
                return 2;
            for (size_t i = 0; i < nx; i++)
                xs[i] = xs[i] / VM_PAGE_SIZE ? xs[i] / VM_PAGE_SIZE : 1;
            break;
        case OPT_POLICIES:
            if (parse_words(optarg, series, &nseries, "--policies"))
                return 2;
            for (size_t i = 0; i < nseries; i++) {
                struct replay_opts probe;
                replay_opts_init(&probe);
                if (replay_opts_handle(&probe, 'p', series[i], "sweep") < 0)
                    return 2;
            }
            break;
        case OPT_TLB_SIZES:
            if (parse_list(optarg, false, xs, &nx, "--tlb-sizes"))
                return 2;
            tlb_grid = true;
            strcpy(series[0], "4k");
            strcpy(series[1], "2m");
            nseries = 2;
            break;
        case OPT_TLB_WAYS:
            if (parse_u64(optarg, &tlb_ways) || !tlb_ways || tlb_ways > 4096) {
                fprintf(stderr, "vmlab sweep: --tlb-ways '%s' is not valid (1 to 4096)\n", optarg);
                return 2;
            }
            break;
        case OPT_PAGE_SIZES:
            if (parse_words(optarg, series, &nseries, "--page-sizes"))
                return 2;
            for (size_t i = 0; i < nseries; i++)
                if (strcmp(series[i], "4k") && strcmp(series[i], "2m")) {
                    fprintf(stderr, "vmlab sweep: --page-sizes: '%s' is not 4k or 2m\n", series[i]);
                    return 2;
                }
            break;
        case 'j':
        case OPT_JOBS:
            if (parse_u64(optarg, &jobs) || !jobs || jobs > 256) {
                fprintf(stderr, "vmlab sweep: --jobs '%s' is not valid (1 to 256)\n", optarg);
                return 2;
            }
            break;
        case OPT_OUT:
            prefix = optarg;
            break;
        default: {
            if (c == 'n' || c == 'm')
                frames_given = true;
            int h = replay_opts_handle(&base, c, optarg, "sweep");
            if (h <= 0) {
                if (h == 0)
                    sweep_usage(stderr);
                return 2;
            }
        }
        }
    }
    if (replay_opts_finish(&base, "sweep"))
        return 2;
    for (size_t i = 0; tlb_grid && base.cfg.fmt->xlen == 32 && i < nseries; i++)
        if (!strcmp(series[i], "2m")) {
            fprintf(stderr, "vmlab sweep: the 2m series (--thp always) is not available with --pt %s "
                            "yet (the kernel's huge pages are 2 MiB, %s's are 4 MiB): use "
                            "--page-sizes 4k\n", base.cfg.fmt->name, base.cfg.fmt->name);
            return 2;
        }
    if (tlb_grid && !frames_given)
        base.cfg.frames = 65536;     /* TLB study: enough memory that paging stays out of it */

    bool is_command;
    const char *input;
    struct trace_reader *r = replay_open_input(&base, argc, argv, optind, &is_command, &input, "sweep");
    if (!r)
        return 1;
    struct sweep s = {.progress = isatty(STDERR_FILENO)};
    char err[1024];
    struct trace_record *recs;
    if (replay_load(r, &recs, &s.nrecs, err, sizeof err)) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        trace_close(r);
        return 1;
    }
    trace_close(r);
    s.recs = recs;
    s.npt = nx * nseries;
    s.pt = calloc(s.npt, sizeof *s.pt);
    if (!s.pt) {
        free(recs);
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return 1;
    }
    for (size_t si = 0, k = 0; si < nseries; si++)
        for (size_t xi = 0; xi < nx; xi++, k++) {
            struct point *p = &s.pt[k];
            p->o = base;
            p->x = xs[xi];
            snprintf(p->series, sizeof p->series, "%s", series[si]);
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
                    return 2;
                }
                p->o.cfg.thp = !strcmp(series[si], "2m");
            } else {
                p->o.cfg.frames = xs[xi];
                replay_opts_handle(&p->o, 'p', series[si], "sweep");   /* checked above */
            }
        }

    pthread_mutex_init(&s.lock, NULL);
    signal(SIGINT, on_sigint);
    pthread_t th[256];
    size_t nth = jobs < s.npt ? jobs : s.npt;
    for (size_t i = 0; i < nth; i++)
        pthread_create(&th[i], NULL, worker, &s);
    for (size_t i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    signal(SIGINT, SIG_DFL);
    if (s.progress)
        fprintf(stderr, "\n");

    int status = 0;
    for (size_t i = 0; i < s.npt; i++)
        if (s.pt[i].failed) {
            fprintf(stderr, "vmlab sweep: run %s/%" PRIu64 ": %s\n", s.pt[i].series, s.pt[i].x,
                    s.pt[i].err);
            status = 1;
        }
    if (write_report(&s, tlb_grid, input, prefix, &base))
        status = 1;
    else
        printf("wrote %s.csv and %s.html (%zu runs of %" PRIu64 " accesses)\n", prefix, prefix, s.npt,
               base.cfg.limit && base.cfg.limit < s.nrecs ? base.cfg.limit : (uint64_t)s.nrecs);
    if (sweep_stop) {
        fprintf(stderr, "vmlab sweep: interrupted; the report holds the runs that finished\n");
        status = 130;
    }
    pthread_mutex_destroy(&s.lock);
    free(s.pt);
    free(recs);
    return status;
}
