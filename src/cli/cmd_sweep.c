/* cmd_sweep.c — `vmlab sweep`: inputs over a grid of configurations.
 *
 * Three ways to run one: in process (each input read once into memory,
 * each run a full replay on its own machine and kernel and swap file,
 * --jobs threads at once), planned (--plan DIR: one `vmlab replay` command
 * line per run, for GNU parallel, xargs or a Slurm job array), and
 * collected (--collect DIR: a plan's results read back). Either way
 * sweep_report.c writes the same CSV and HTML. A run that did not finish
 * says so in both, on stderr and in the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/sweep.h"

enum { OPT_FRAMES_LIST = 2000, OPT_MEM_LIST, OPT_POLICIES, OPT_TLB_SIZES, OPT_TLB_WAYS,
       OPT_PAGE_SIZES, OPT_JOBS, OPT_OUT, OPT_GRID, OPT_PLAN, OPT_COLLECT, OPT_PARTIAL, OPT_RUN };
_Static_assert((int)OPT_RUN < (int)RUN_OPT_CPUS, "the sweep's options and the run options apart");

/* The sweep's own options, as parsed. */
struct sweep_cmd {
    const char *frames_list, *mem_list, *policies, *tlb_sizes, *tlb_ways, *page_sizes;
    const char *grid[SWEEP_MAX_AXES * 4];   /* --grid arguments, in order */
    size_t ngrid;
    uint64_t jobs;
    bool jobs_given;
    const char *prefix, *plan, *collect;
    bool partial;
};

static volatile sig_atomic_t sweep_stop;

static void sweep_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab sweep [OPTIONS] INPUT...\n"
            "       vmlab sweep [OPTIONS] --run 'PROGRAM ARGS' [--run ...]\n"
            "       vmlab sweep --plan DIR [OPTIONS] INPUT...\n"
            "       vmlab sweep --collect DIR [--out PREFIX] [--partial]\n"
            "\n"
            "Replay each INPUT (a trace FILE, - for standard input, --refs LIST, or\n"
            "-- PROGRAM ARGS last) over a grid and write PREFIX.csv (every counter of every\n"
            "run) and PREFIX.html (a self-contained report with charts; no network needed).\n"
            "\n%s"
            "\nprograms (instead of traces):\n"
            "      --run 'PROG ARGS' a static RISC-V program that every run of the grid runs,\n"
            "                        as 'vmlab run' (repeatable: each one more input); its\n"
            "                        words split at blanks, PROG named by its absolute path;\n"
            "                        its output is discarded (give --root DIR for its files)\n"
            "%s"
            "                        each of these may be an axis too (--grid cpus=1,2,4);\n"
            "                        the defaults are vmlab run's (sv39, a 1 GiB pool), and\n"
            "                        the default policies fifo,lru,clock\n"
            "\n"
            "  -j, --jobs N          runs at once (default: the number of CPUs)\n"
            "      --out PREFIX      output files (default 'sweep')\n"
            "\n"
            "on a cluster:\n"
            "      --plan DIR        run nothing: write DIR/jobs.txt (a 'vmlab replay' or\n"
            "                        'vmlab run' command line per run, for GNU parallel,\n"
            "                        xargs -P or DIR/sbatch.sh, a Slurm job array),\n"
            "                        DIR/manifest and DIR/results/\n"
            "      --collect DIR     read a plan's results back into PREFIX.csv and .html;\n"
            "                        list the runs missing, failed or corrupt (DIR/rerun.txt\n"
            "                        holds their job lines) and exit 1 unless\n"
            "      --partial         is given: then write what there is, marking the rest\n"
            "\n"
            "every run also takes the replay options, except those an axis sets and the\n"
            "report's (--json, --csv, -o: the sweep writes PREFIX.csv and PREFIX.html).\n"
            "With --swap-file PATH each run swaps on its own file PATH.<run>.\n"
            "--quiet prints no summary line.\n%s\n%s",
            sweep_grid_help, run_options_help, replay_options_help, cli_exit_status_help);
}

static const char *const defaults_frames = "16,32,64,128,256,512,1024,2048";
static const char *const defaults_policies = "fifo,lru,clock,opt";
static const char *const defaults_program_policies = "fifo,lru,clock";   /* no future to know */

/* The axes the options name, in a fixed order: the TLB shorthands, the
 * memory ones, then --grid as given. 0, or -1 (said). */
static int make_axes(struct sweep *s, const struct sweep_cmd *c)
{
    if ((c->tlb_ways || c->page_sizes) && !c->tlb_sizes) {
        fprintf(stderr, "vmlab sweep: --tlb-ways and --page-sizes describe a TLB sweep: give "
                        "--tlb-sizes too (or --grid page-size=... for THP on the TLB of --tlb)\n");
        return -1;
    }
    bool memory_default = !c->tlb_sizes && !c->ngrid;
    if (c->tlb_sizes &&
        (sweep_axis_add(s, "tlb-entries", c->tlb_sizes, "--tlb-sizes") ||
         sweep_axis_add(s, "page-size", c->page_sizes ? c->page_sizes : "4k,2m",
                        c->page_sizes ? "--page-sizes" : "--tlb-sizes") ||
         (c->tlb_ways && sweep_axis_add(s, "tlb-ways", c->tlb_ways, "--tlb-ways"))))
        return -1;
    if (c->frames_list && sweep_axis_add(s, "frames", c->frames_list, "--frames-list"))
        return -1;
    if (c->mem_list && sweep_axis_add(s, "mem", c->mem_list, "--mem-list"))
        return -1;
    if (memory_default && !c->frames_list && !c->mem_list &&
        sweep_axis_add(s, "frames", defaults_frames, "the default grid"))
        return -1;
    if ((c->policies || memory_default) &&
        sweep_axis_add(s, "policy", c->policies ? c->policies
                                  : s->programs ? defaults_program_policies : defaults_policies,
                       c->policies ? "--policies" : "the default grid"))
        return -1;
    for (size_t i = 0; i < c->ngrid; i++) {
        const char *eq = strchr(c->grid[i], '=');
        char name[64], origin[96];
        if (!eq || eq == c->grid[i] || (size_t)(eq - c->grid[i]) >= sizeof name) {
            fprintf(stderr, "vmlab sweep: --grid '%s' is not valid: expected OPT=V1,V2,... "
                            "(e.g. --grid pt=x86-64,sv39)\n", c->grid[i]);
            return -1;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - c->grid[i]), c->grid[i]);
        snprintf(origin, sizeof origin, "--grid %s", name);
        if (sweep_axis_add(s, name, eq + 1, origin))
            return -1;
    }
    return 0;
}

/* One option of the sweep's own (c from getopt_long): 0, or -1 (said). */
static int sweep_option(struct sweep_cmd *c, int opt, const char *arg)
{
    switch (opt) {
    case OPT_FRAMES_LIST: c->frames_list = arg; return 0;
    case OPT_MEM_LIST: c->mem_list = arg; return 0;
    case OPT_POLICIES: c->policies = arg; return 0;
    case OPT_TLB_SIZES: c->tlb_sizes = arg; return 0;
    case OPT_TLB_WAYS: c->tlb_ways = arg; return 0;
    case OPT_PAGE_SIZES: c->page_sizes = arg; return 0;
    case OPT_PARTIAL: c->partial = true; return 0;
    case OPT_GRID:
        if (c->ngrid == sizeof c->grid / sizeof c->grid[0]) {
            fprintf(stderr, "vmlab sweep: too many --grid options\n");
            return -1;
        }
        c->grid[c->ngrid++] = arg;
        return 0;
    case 'j':
    case OPT_JOBS:
        c->jobs_given = true;
        if (parse_u64(arg, &c->jobs) || !c->jobs || c->jobs > 256) {
            fprintf(stderr, "vmlab sweep: --jobs '%s' is not valid (1 to 256)\n", arg);
            return -1;
        }
        return 0;
    case OPT_OUT:
    case OPT_PLAN:
    case OPT_COLLECT:
        if (!*arg) {
            fprintf(stderr, "vmlab sweep: --%s '' is not valid: expected a %s\n",
                    opt == OPT_OUT ? "out" : opt == OPT_PLAN ? "plan" : "collect",
                    opt == OPT_OUT ? "file prefix" : "directory");
            return -1;
        }
        *(opt == OPT_OUT ? &c->prefix : opt == OPT_PLAN ? &c->plan : &c->collect) = arg;
        return 0;
    }
    return -1;
}

/* Keep option c (its argument copied) as a base option of every run. 0,
 * or -1 (said). */
static int add_base(struct sweep *s, int c, const char *arg)
{
    struct sweep_pair *grown = realloc(s->base, (s->nbase + 1) * sizeof *grown);
    char *copy = arg ? strdup(arg) : NULL;
    if (!grown || (arg && !copy)) {
        free(copy);
        if (grown)
            s->base = grown;
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    s->base = grown;
    s->base[s->nbase++] = (struct sweep_pair){c, copy};
    return 0;
}

/* A replay option: checked, then kept as a base option of every run, or
 * taken by the sweep itself (inputs, swap file, quiet). 0, or -1 (said). */
static int replay_option(struct sweep *s, int c, const char *arg)
{
    static const struct { const char *opt, *why; } refused[] = {
        {"json", "a sweep writes PREFIX.csv and PREFIX.html: name them with --out PREFIX"},
        {"csv", "a sweep always writes PREFIX.csv (and PREFIX.html): name them with --out PREFIX"},
        {"output", "a sweep writes PREFIX.csv and PREFIX.html: name them with --out PREFIX"},
    };
    const char *name = sweep_option_name(c);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (!strcmp(name, refused[i].opt)) {
            fprintf(stderr, "vmlab sweep: --%s has no meaning here: %s\n", name, refused[i].why);
            return -1;
        }
    int h = replay_opts_handle(&s->opts, c, arg, "sweep");
    if (h <= 0)
        return -1;
    if (!strcmp(name, "refs"))
        return 0;   /* an input */
    if (!strcmp(name, "swap-file")) {
        s->swap_file = arg;
        return 0;
    }
    if (!strcmp(name, "quiet") || !strcmp(name, "no-progress")) {
        *(name[0] == 'q' ? &s->quiet : &s->no_progress) = true;
        return 0;
    }
    return add_base(s, c, arg);
}

/* A run option (run_opts.h): checked, then kept as a base option of every
 * run; --root as an absolute path (a planned job runs anywhere). 0, or -1
 * (said). */
static int run_option(struct sweep *s, int c, const char *arg)
{
    struct run_config probe;
    run_config_default(&probe);
    if (run_opts_handle(&probe, c, arg, "sweep") < 0)
        return -1;
    if (c != RUN_OPT_ROOT)
        return add_base(s, c, arg);
    char *root = realpath(arg, NULL);
    if (!root) {
        fprintf(stderr, "vmlab sweep: --root '%s': %s\n", arg, strerror(errno));
        return -1;
    }
    int rc = add_base(s, c, root);
    free(root);
    return rc;
}

/* Run options need programs, and programs refuse the replay options that
 * mean nothing to a running one. 0, or -1 (said). */
static int programs_check(const struct sweep *s)
{
    for (size_t i = 0; i < s->nbase; i++) {
        const char *name = sweep_option_name(s->base[i].val);
        if (s->base[i].val >= RUN_OPT_CPUS && !s->programs) {
            fprintf(stderr, "vmlab sweep: --%s is a run option: it needs programs to run "
                            "(--run 'PROGRAM ARGS')\n", name);
            return -1;
        }
        for (int j = 0; s->programs && run_meaningless_options[j]; j++)
            if (!strcmp(name, run_meaningless_options[j])) {
                fprintf(stderr, "vmlab sweep: --%s has no meaning for a running program\n", name);
                return -1;
            }
    }
    return 0;
}

/* The command line into c and s (axes, base options, inputs, points):
 * 0, 1 (--help printed: done), or -1 (a usage error, said on stderr). */
static int parse_command(struct sweep_cmd *c, struct sweep *s, int argc, char **argv)
{
    static const struct option extra[] = {
        {"frames-list", required_argument, NULL, OPT_FRAMES_LIST},
        {"mem-list", required_argument, NULL, OPT_MEM_LIST},
        {"policies", required_argument, NULL, OPT_POLICIES},
        {"tlb-sizes", required_argument, NULL, OPT_TLB_SIZES},
        {"tlb-ways", required_argument, NULL, OPT_TLB_WAYS},
        {"page-sizes", required_argument, NULL, OPT_PAGE_SIZES},
        {"grid", required_argument, NULL, OPT_GRID},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {"out", required_argument, NULL, OPT_OUT},
        {"plan", required_argument, NULL, OPT_PLAN},
        {"collect", required_argument, NULL, OPT_COLLECT},
        {"partial", no_argument, NULL, OPT_PARTIAL},
        {"run", required_argument, NULL, OPT_RUN},
        {0},
    };
    struct option opts[96];
    size_t nopt = options_append(opts, 0, 96, replay_long_options, SIZE_MAX);
    nopt = options_append(opts, nopt, 96, run_long_options, RUN_SWEEP_OPTIONS);
    options_append(opts, nopt, 96, extra, SIZE_MAX);

    memset(c, 0, sizeof *c);
    c->prefix = "sweep";
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c->jobs = ncpu > 0 ? (uint64_t)ncpu : 1;
    memset(s, 0, sizeof *s);
    replay_opts_init(&s->opts, argc, argv);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, REPLAY_SHORT_OPTIONS "j:", opts, NULL)) != -1) {
        if (opt == 'h') {
            sweep_usage(stdout);
            return 1;
        }
        if (opt == '?' || opt == ':') {
            sweep_usage(stderr);
            return -1;
        }
        int bad = opt == OPT_RUN ? sweep_input_add_program(s, optarg)
                : opt >= RUN_OPT_CPUS ? run_option(s, opt, optarg)
                : opt == 'j' || opt >= OPT_FRAMES_LIST ? sweep_option(c, opt, optarg)
                : replay_option(s, opt, optarg);
        if (bad)
            return -1;
    }
    if (programs_check(s))
        return -1;
    if (c->collect) {   /* its sweep is the plan's */
        if (c->ngrid || c->frames_list || c->mem_list || c->policies || c->tlb_sizes ||
            c->tlb_ways || c->page_sizes || c->plan || c->jobs_given || s->nbase ||
            s->swap_file || s->opts.refs || optind < argc || s->nin) {
            fprintf(stderr, "vmlab sweep: --collect DIR reads the sweep DIR/manifest records: it "
                            "takes only --out PREFIX, --partial and --quiet\n");
            return -1;
        }
        return 0;
    }
    if (c->partial) {
        fprintf(stderr, "vmlab sweep: --partial is for --collect DIR\n");
        return -1;
    }
    if (c->plan && (c->jobs_given || strcmp(c->prefix, "sweep"))) {
        fprintf(stderr, "vmlab sweep: --plan runs nothing and writes no report: --%s has no "
                        "meaning with it (the engine decides how many run at once; --collect "
                        "takes --out)\n", c->jobs_given ? "jobs" : "out");
        return -1;
    }
    if (make_axes(s, c) || sweep_inputs_parse(s, argc, argv, optind, &s->opts))
        return -1;
    if (c->plan && s->swap_file && s->swap_file[0] != '/') {   /* jobs run anywhere */
        static char abs_swap[PATH_MAX];
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            snprintf(abs_swap, sizeof abs_swap, "%s/%s", cwd, s->swap_file) >= (int)sizeof abs_swap)
            return -1;
        s->swap_file = abs_swap;
    }
    return sweep_make_points(s);
}

/* Parse the arguments a plan recorded: the same sweep, for --collect. */
static int parse_recorded(struct sweep *s, int argc, char **argv)
{
    struct sweep_cmd c;
    int rc = parse_command(&c, s, argc, argv);
    if (rc == 0 && (c.collect || c.plan)) {
        fprintf(stderr, "vmlab sweep: the plan's recorded arguments name --plan or --collect\n");
        return -1;
    }
    return rc ? -1 : 0;
}

/* ---- running in process ---- */

/* Point p runs its program, as `vmlab run` with the point's options
 * would; the program's standard streams are /dev/null and its environment
 * empty (the guest's stack, so its counters, depend on the environment:
 * a planned job runs under env -i for the same reason). */
static void run_point(struct point *p, const struct sweep_input *in)
{
    struct run_config rc = p->rc;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) {
        snprintf(p->err, sizeof p->err, "/dev/null: %s", strerror(errno));
        p->state = PT_FAILED;
        return;
    }
    static char *const no_environment[] = {NULL};
    rc.stdin_fd = rc.stdout_fd = rc.stderr_fd = null;
    rc.envp = no_environment;   /* the same in every run and every planned job */
    rc.stop = &sweep_stop;
    struct run_summary rs;
    if (run_program(&rc, in->argc, in->argv, &rs, p->err, sizeof p->err)) {
        p->state = PT_FAILED;
    } else {
        rs.eat_ns = replay_eat(&p->o.cfg.cost, &rs.cpu, &rs.vm, rs.cpu.v[CPU_STAT_ACCESSES]);
        run_summary_as_replay(&rs, &p->res);
        p->state = p->res.killed ? PT_KILLED : p->res.interrupted ? PT_INTERRUPTED : PT_DONE;
        run_summary_free(&rs);
    }
    close(null);
}

/* Point p replays the current input (its records, or its run trace). */
static void replay_point(struct sweep *s, struct point *p)
{
    struct replay_source src = {.recs = s->recs, .nrecs = s->nrecs, .skipped = s->skipped};
    p->o.cfg.stop = &sweep_stop;
    struct trace_options topt = {.name = s->in[p->input].name};
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
}

static void *worker(void *arg)
{
    struct sweep *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        size_t i = s->next < s->end && !__atomic_load_n(&sweep_stop, __ATOMIC_RELAXED) ? s->next++
                                                                                    : s->npt;
        pthread_mutex_unlock(&s->lock);
        if (i == s->npt)
            return NULL;
        struct point *p = &s->pt[i];
        if (s->in[p->input].kind == IN_PROGRAM)
            run_point(p, &s->in[p->input]);
        else
            replay_point(s, p);
        pthread_mutex_lock(&s->lock);
        s->finished++;
        if (s->progress)
            fprintf(stderr, "\r  %zu/%zu runs done", s->finished, s->npt);
        pthread_mutex_unlock(&s->lock);
    }
}

/* Every run, input by input (each read once), on `jobs` threads; Ctrl-C
 * stops them (sweep_stop). The status so far: 1 if an input could not be
 * read (its runs then failed, with its message). */
static int run_points(struct sweep *s, uint64_t jobs)
{
    int status = VMLAB_EXIT_OK;
    pthread_mutex_init(&s->lock, NULL);
    cli_catch_signals(&sweep_stop);
    size_t per_input = s->npt / s->nin;
    for (size_t in = 0; in < s->nin && !__atomic_load_n(&sweep_stop, __ATOMIC_RELAXED); in++) {
        char err[1024];
        struct trace_record *recs;
        size_t n;
        s->next = in * per_input;
        s->end = s->next + per_input;
        void *run = NULL;
        int is_run = sweep_input_run_trace(s, in, &run, &s->run_trace_len, err, sizeof err);
        recs = NULL;
        n = 0;
        bool program = s->in[in].kind == IN_PROGRAM;   /* each run runs it: nothing to read */
        if (is_run < 0 ||
            (is_run == 0 && !program && sweep_input_load(s, in, &recs, &n, err, sizeof err))) {
            fprintf(stderr, "%svmlab sweep: %s\n", s->progress ? "\n" : "", err);
            for (size_t k = s->next; k < s->end; k++) {
                s->pt[k].state = PT_FAILED;
                snprintf(s->pt[k].err, sizeof s->pt[k].err, "%.500s", err);
            }
            status = VMLAB_EXIT_ERROR;
            continue;
        }
        s->recs = recs;
        s->nrecs = n;
        s->run_trace = run;
        s->skipped = s->in[in].skipped;
        pthread_t th[256];
        size_t nth = jobs < per_input ? jobs : per_input;
        for (size_t i = 0; i < nth; i++)
            pthread_create(&th[i], NULL, worker, s);
        for (size_t i = 0; i < nth; i++)
            pthread_join(th[i], NULL);
        if (run && s->pt[in * per_input].state == PT_DONE) {
            s->in[in].nrecs = (size_t)s->pt[in * per_input].res.records;   /* every point replays all */
            s->in[in].nrecs_known = true;
        }
        free(recs);
        free(run);
        s->recs = NULL;
        s->run_trace = NULL;
    }
    pthread_mutex_destroy(&s->lock);
    if (s->progress)
        fprintf(stderr, "\n");
    return status;
}

int sweep_tell_runs(const struct sweep *s)
{
    int status = VMLAB_EXIT_OK;
    for (size_t i = 0; i < s->npt; i++) {
        const struct point *p = &s->pt[i];
        char label[512];
        sweep_point_label(s, i, label, sizeof label);
        if (p->state == PT_FAILED) {
            fprintf(stderr, "vmlab sweep: run %zu (%s): %s\n", i + 1, label, p->err);
            status = cli_exit_worst(status, VMLAB_EXIT_ERROR);
        } else if (p->state == PT_KILLED) {
            fprintf(stderr, "vmlab sweep: run %zu (%s): the process was killed after %" PRIu64
                    " accesses: %s\n", i + 1, label, p->res.records, p->res.kill_msg);
            status = cli_exit_worst(status, VMLAB_EXIT_KILLED);
        }
    }
    return status;
}

int sweep_write_outputs(const struct sweep *s, const char *prefix, int status, bool interrupted)
{
    size_t count[PT_NSTATES];
    sweep_tally(s, count);
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s.csv", prefix);
    int failed = sweep_write_csv(s, path);
    snprintf(path, sizeof path, "%s.html", prefix);
    failed |= sweep_write_html(s, path);
    size_t finished = count[PT_DONE] + count[PT_KILLED];
    if (failed) {
        status = cli_exit_worst(status, VMLAB_EXIT_ERROR);
    } else if (!s->quiet) {
        printf("wrote %s.csv and %s.html: %zu of %zu runs", prefix, prefix, finished, s->npt);
        if (s->nin == 1 && s->in[0].nrecs_known)
            printf(" of %zu accesses", s->in[0].nrecs);
        else if (s->nin > 1)
            printf(" (%zu inputs)", s->nin);
        printf(" finished");
        if (count[PT_KILLED])
            printf(", %zu of them killed", count[PT_KILLED]);
        printf("\n");
    }
    if (count[PT_KILLED])
        fprintf(stderr, "vmlab sweep: %zu of %zu runs were killed: their counts stop at the kill "
                "(status 'killed' in %s.csv, crosses in %s.html)\n", count[PT_KILLED], s->npt,
                prefix, prefix);
    if (interrupted) {
        fprintf(stderr, "vmlab sweep: interrupted: %zu of %zu runs finished; %s.csv and %s.html "
                "mark the others\n", finished, s->npt, prefix, prefix);
        status = cli_exit_worst(status, VMLAB_EXIT_INTERRUPTED);
    }
    return status;
}

static int sweep_main(int argc, char **argv)
{
    struct sweep_cmd c;
    struct sweep s;
    int parsed = parse_command(&c, &s, argc, argv);
    int status;
    if (parsed) {
        status = parsed > 0 ? VMLAB_EXIT_OK : VMLAB_EXIT_USAGE;
    } else if (c.collect) {
        status = sweep_collect(c.collect, c.prefix, c.partial, s.quiet, parse_recorded);
    } else if (c.plan) {
        status = sweep_plan(&s, c.plan, argc, argv);
    } else {
        s.progress = !s.no_progress && !s.quiet && isatty(STDERR_FILENO);
        status = run_points(&s, c.jobs);
        status = sweep_write_outputs(&s, c.prefix, cli_exit_worst(status, sweep_tell_runs(&s)),
                                     __atomic_load_n(&sweep_stop, __ATOMIC_RELAXED));
    }
    sweep_free(&s);
    return status;
}

int cmd_sweep(int argc, char **argv)
{
    return sweep_main(argc, argv);
}
