/* cmd_explore.c — `vmlab explore`: the steps of a replay as one page.
 *
 * The replay of `vmlab replay` and `vmlab step` (the same options and
 * inputs), watched from --from on for --count steps (default 10,000): a
 * step recorder hears each access's events, and an explorer (src/explore)
 * keeps the step's text and what changed in the TLBs, page tables, frames,
 * swap and counters. The page it writes replays them, forward and back
 * (docs/step.md, "The explorer").
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <vmlab/run.h>

#include "cli/cli.h"
#include "cli/replay_opts.h"
#include "cli/replay_output.h"
#include "cli/run_opts.h"
#include "explore/explore.h"
#include "replay/report.h"
#include "step/step.h"

static volatile sig_atomic_t stop_requested;

enum { OPT_FROM = 4100, OPT_COUNT, OPT_RUN };

static void explore_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab explore [OPTIONS] [--from N] [--count M] FILE|- -o PAGE.html\n"
            "       vmlab explore [OPTIONS] ... --refs LIST -o PAGE.html\n"
            "       vmlab explore [OPTIONS] ... -o PAGE.html -- PROGRAM [ARGS...]\n"
            "       vmlab explore --run [RUN OPTIONS] ... -o PAGE.html -- RISCV-PROGRAM [ARGS...]\n"
            "\n"
            "Replay a trace as `vmlab replay` does, or run a RISC-V program as `vmlab run`\n"
            "does (--run), and write one self-contained page (no\n"
            "network needed) that shows its accesses step by step: play and pause, step\n"
            "forward and back, jump to the next fault, eviction or TLB miss; the access's\n"
            "path in words (as `vmlab step` prints it), the address split, every TLB level's\n"
            "entries, the page-table tree, the frame table with the policy's lists, hand and\n"
            "bits, the swap slots, and the counters as they tick.\n"
            "\n"
            "explore:\n"
            "      --from N          start at the N-th access (default 1; the ones before it are\n"
            "                        replayed, not shown)\n"
            "      --count M         show M accesses (default %d; the page stays under 5 MB: a\n"
            "                        run that would pass it is cut short, and the page says so)\n"
            "  -o, --output PAGE     the page to write (required; replaced once complete)\n"
            "      --run             run PROGRAM (a static RISC-V Linux program) as `vmlab run`\n"
            "                        does, on one CPU, with its options (`vmlab run --help`);\n"
            "                        its accesses are the steps, each with its instruction\n"
            "\n"
            "run (with --run; the page shows one CPU: --cpus 1):\n%s"
            "      --trace-out FILE  write every access as a vmt trace (as vmlab run does)\n"
            "      --strace          print every system call and its result on stderr\n"
            "\n"
            "and the replay options (not --json, --csv, --quiet):\n%s\n%s",
            EXPLORE_DEFAULT_STEPS, run_options_help, replay_options_help, cli_exit_status_help);
}

struct watch {
    struct step_recorder rec;
    struct step_ctx ctx;
    struct explorer *x;
    struct machine *m;
    struct kernel *k;
    struct cpu *cpu;
    bool begun, failed;
    uint64_t count, taken;
    unsigned ncpus;                /* a run trace's CPUs (the page shows one) */
};

static void on_start(void *arg, struct machine *m, struct kernel *k, struct process *p,
                     struct cpu *cpu)
{
    (void)p;
    struct watch *w = arg;
    w->m = m;
    w->k = k;
    w->cpu = cpu;
    w->ctx.has_l2 = machine_config(m)->tlb.l2.array[0].entries > 0;
}

static bool on_before(void *arg, uint64_t n, const struct trace_record *r)
{
    (void)n, (void)r;
    struct watch *w = arg;
    if (w->failed || w->taken >= w->count || explorer_full(w->x))
        return false;
    if (!w->begun) {   /* the state the first step starts from */
        w->begun = true;
        step_recorder_attach(&w->rec, w->cpu);
        if (explorer_begin(w->x, w->m, w->k, w->cpu, w->ctx.fmt)) {
            w->failed = true;
            return false;
        }
    }
    step_recorder_reset(&w->rec);
    return true;
}

static void on_after(void *arg, uint64_t n, const struct trace_record *r, bool ok)
{
    struct watch *w = arg;
    struct step s = {.n = n + 1, .cpu = cpu_index(w->cpu), .rec = *r, .ok = ok};
    step_recorder_fill(&w->rec, &s);
    if (explorer_step(w->x, &w->ctx, &s))
        w->taken++;
}

static int parse_args(struct replay_opts *o, struct watch *w, uint64_t *from, struct run_config *rc,
                      bool *strace, int argc, char **argv)
{
    static const struct option extra[] = {
        {"from", required_argument, NULL, OPT_FROM},
        {"count", required_argument, NULL, OPT_COUNT},
        {"run", no_argument, NULL, OPT_RUN},
        {0},
    };
    struct option opts[96];
    run_opts_table(opts, 96, rc != NULL, extra);
    int c;
    optind = 1;
    /* with --run, options end at PROGRAM: its own options are its own */
    while ((c = getopt_long(argc, argv, rc ? "+" REPLAY_SHORT_OPTIONS : REPLAY_SHORT_OPTIONS, opts,
                            NULL)) != -1) {
        uint64_t v;
        if (c == 'h') {
            explore_usage(stdout);
            return 1;
        }
        if (c == OPT_RUN)
            continue;                  /* wants_run saw it */
        if (c == OPT_FROM || c == OPT_COUNT) {
            if (parse_u64(optarg, &v) || v == 0) {
                fprintf(stderr, "vmlab explore: %s '%s' is not valid: expected %s\n",
                        c == OPT_FROM ? "--from" : "--count", optarg,
                        c == OPT_FROM ? "the number of an access, from 1" : "a positive number of accesses");
                return -1;
            }
            *(c == OPT_FROM ? from : &w->count) = v;
            continue;
        }
        int h = run_opts_take(o, rc, strace, c, optarg, "explore");
        if (h <= 0) {
            if (h == 0)
                explore_usage(stderr);
            return -1;
        }
    }
    static const char *const refused[] = {"json", "csv", "quiet"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (replay_opts_given(o, refused[i])) {
            fprintf(stderr, "vmlab explore: --%s is a report's form; explore writes a page (-o "
                            "PAGE.html)\n", refused[i]);
            return -1;
        }
    if (!o->output) {
        fprintf(stderr, "vmlab explore: no page to write: give -o PAGE.html\n");
        return -1;
    }
    if (!rc)
        return replay_opts_finish(o, "explore") ? -1 : 0;
    if (run_opts_finish(o, rc, "explore"))
        return -1;
    if (rc->ncpus > 1) {
        fprintf(stderr, "vmlab explore: --cpus %u: the page shows one CPU's TLBs; explore a "
                        "program on --cpus 1, or step it on %u with vmlab step --run\n",
                rc->ncpus, rc->ncpus);
        return -1;
    }
    if (optind >= argc) {
        fprintf(stderr, "vmlab explore: no program: vmlab explore --run [OPTIONS] -o PAGE.html -- "
                        "PROGRAM [ARGS...]\n");
        return -1;
    }
    return 0;
}

/* The system, in one line for the page. */
static void describe(const struct replay_opts *o, char *buf, size_t len)
{
    char mem[32], swap[32];
    report_size_text(o->cfg.frames * VM_PAGE_SIZE, mem, sizeof mem);
    report_size_text(o->cfg.swap_bytes, swap, sizeof swap);
    snprintf(buf, len, "%llu frames (%s), policy %s, %s page tables, TLB %s%s, swap %s%s",
             (unsigned long long)o->cfg.frames, mem, o->cfg.policy, o->cfg.fmt->name,
             o->cfg.tlb.name[0] ? o->cfg.tlb.name : "(geometry)",
             o->tlb_geometry ? " with --tlb-geometry" : "", o->cfg.swap_bytes ? swap : "none",
             o->cfg.thp ? ", THP always" : "");
}

/* ---- vmlab explore --run ---- */

static void run_on_start(void *arg, struct machine *m, struct kernel *k)
{
    struct watch *w = arg;
    w->m = m;
    w->k = k;
    w->cpu = machine_cpu(m, 0);
    w->ctx.has_l2 = machine_config(m)->tlb.l2.array[0].entries > 0;
}

static void run_on_first(void *arg)
{
    struct watch *w = arg;
    if (w->failed)
        return;
    w->begun = true;
    if (explorer_begin(w->x, w->m, w->k, w->cpu, w->ctx.fmt))
        w->failed = true;
}

static bool run_on_step(void *arg, const struct step *s)
{
    struct watch *w = arg;
    if (w->failed)
        return false;
    if (explorer_step(w->x, &w->ctx, s))
        w->taken++;
    return w->taken < w->count && !explorer_full(w->x);
}

/* The page into out (committed over -o FILE) and a line saying what it
 * holds; the exit status. */
static int write_page(struct watch *w, struct outfile *out, const char *name, uint64_t from)
{
    char err[1024];
    FILE *f = outfile_stream(out);
    if (!f || explorer_write(w->x, f, err, sizeof err) || outfile_commit(out, err, sizeof err)) {
        if (!f)
            snprintf(err, sizeof err, "%s: cannot write", name);
        fprintf(stderr, "vmlab explore: %s\n", err);
        if (!f)
            outfile_abort(out);
        return VMLAB_EXIT_ERROR;
    }
    uint64_t k = explorer_steps(w->x);
    fprintf(stderr, "vmlab explore: %llu steps (accesses %llu to %llu) in %s%s\n",
            (unsigned long long)k, (unsigned long long)from,
            (unsigned long long)(from + (k ? k - 1 : 0)), name,
            explorer_full(w->x) ? " (cut short: the page reached its 5 MB budget)" : "");
    return VMLAB_EXIT_OK;
}

/* The program's run as a page. */
/* Did the run or replay rc (0 or -1) that fed the page give a page? -1
 * with err set if it failed, ran out of memory, or never reached the
 * page's first step (err is then `unreached`). */
static int window_check(const struct watch *w, int rc, char *err, size_t len, const char *unreached)
{
    if (!w->x) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    if (rc)
        return rc;
    if (w->failed) {
        snprintf(err, len, "out of memory recording the steps");
        return -1;
    }
    if (!w->begun) {
        snprintf(err, len, "%s", unreached);
        return -1;
    }
    return 0;
}

static int explore_run(struct replay_opts *o, struct watch *w, struct run_config *rc, bool strace,
                       uint64_t from, int argc, char **argv)
{
    const char *prog = argv[0];
    char err[1024], config[256], title[512];
    struct outfile out;
    struct file_id prog_id = file_id_of_path(prog);
    if (outfile_open(&out, o->output, &prog_id, err, sizeof err)) {
        fprintf(stderr, "vmlab explore: %s\n", err);
        return VMLAB_EXIT_ERROR;
    }
    describe(o, config, sizeof config);
    snprintf(title, sizeof title, "vmlab explore --run: %s", prog);
    struct explore_info info = {.title = title, .input = prog, .config = config, .from = from};
    w->x = explorer_new(&info, 0);
    w->ctx.fmt = rc->fmt;
    struct step_runner runner = {.from = from, .start = run_on_start, .first = run_on_first,
                                 .step = run_on_step, .arg = w, .stop = &stop_requested};
    rc->watch = step_runner_watch(&runner);
    rc->stop = &stop_requested;
    rc->strace = strace ? stderr : NULL;
    cli_catch_signals(&stop_requested);
    signal(SIGPIPE, SIG_IGN);
    struct run_summary res = {0};
    int rc_ = w->x ? run_program(rc, argc, argv, &res, err, sizeof err) : -1;
    step_runner_free(&runner);
    char unreached[1024];
    snprintf(unreached, sizeof unreached, "%s made %llu accesses: none from access %llu on", prog,
             (unsigned long long)runner.n, (unsigned long long)from);
    if (window_check(w, rc_, err, sizeof err, unreached)) {
        fprintf(stderr, "vmlab explore: %s\n", err);
        outfile_abort(&out);
        run_summary_free(&res);
        return res.status == 125 && !w->begun ? VMLAB_EXIT_USAGE : VMLAB_EXIT_ERROR;
    }
    bool stopped_by_us = runner.done && !w->failed;
    const struct run_proc *first = res.nprocs ? &res.procs[0] : NULL;
    bool killed = first && first->signaled && !stopped_by_us;
    char note[300] = "";
    if (killed)
        snprintf(note, sizeof note, "The program was killed by signal %d (%s) after access %llu%s%s.",
                 first->code, strsignal(first->code), (unsigned long long)runner.n,
                 first->why[0] ? ": " : "", first->why);
    else if (res.interrupted && !stopped_by_us)
        snprintf(note, sizeof note, "Interrupted (Ctrl-C) after access %llu.",
                 (unsigned long long)runner.n);
    explorer_note(w->x, note);
    int status = write_page(w, &out, o->output, from);
    if (res.trace_failed) {
        fprintf(stderr, "vmlab explore: --trace-out: %s\n", res.trace_error);
        status = cli_exit_worst(status, VMLAB_EXIT_ERROR);
    }
    if (killed) {
        fprintf(stderr, "vmlab explore: %s\n", note);
        status = cli_exit_worst(status, VMLAB_EXIT_KILLED);
    }
    if (res.interrupted && !stopped_by_us)
        status = cli_exit_worst(status, VMLAB_EXIT_INTERRUPTED);
    run_summary_free(&res);
    return status;
}

/* ---- vmlab explore of a run trace ---- */

/* The run's machine as the trace rebuilt it: a page of one CPU only, and
 * the page's system line from what was built (the run's configuration and
 * the options given over it). */
static void trace_on_start(void *arg, struct machine *m, struct kernel *k)
{
    struct watch *w = arg;
    run_on_start(arg, m, k);
    w->ctx.fmt = kernel_pt_format(k);
    w->ctx.no_insn = true;
    w->ncpus = machine_ncpus(m);
    if (w->ncpus > 1) {
        w->failed = true;
        stop_requested = 1;          /* nothing to show: end the replay at once */
        return;
    }
    struct kernel_usage ku;
    kernel_usage(k, &ku);
    char config[256];
    snprintf(config, sizeof config, "as the run: %llu frames, policy %s, %s page tables, TLB %s, "
             "%llu swap slots", (unsigned long long)ku.user_frames, kernel_policy_name(k),
             w->ctx.fmt->name, machine_config(m)->tlb.name[0] ? machine_config(m)->tlb.name
                                                              : "(geometry)",
             (unsigned long long)ku.swap_slots);
    if (explorer_set_config(w->x, config))
        w->failed = true;
}

/* A run trace (vmlab run --trace-out) of one CPU replayed as a page: the
 * run's steps without their instructions (a trace does not hold them). */
static int explore_run_trace(struct replay_opts *o, struct watch *w, struct trace_reader *r,
                             struct outfile *out, const char *input, uint64_t from)
{
    char err[1024], title[512];
    snprintf(title, sizeof title, "vmlab explore: %s", input);
    struct explore_info info = {.title = title, .input = input, .config = "", .from = from};
    w->x = explorer_new(&info, 0);
    struct step_runner runner = {.from = from, .start = trace_on_start, .first = run_on_first,
                                 .step = run_on_step, .arg = w, .stop = &stop_requested};
    o->cfg.watch = step_runner_watch(&runner);
    o->cfg.progress = false;
    o->cfg.stop = &stop_requested;
    cli_catch_signals(&stop_requested);
    struct replay_source src = {.reader = r};
    struct replay_result res;
    int rc = w->x ? replay_run(&o->cfg, &src, &res, err, sizeof err) : -1;
    step_runner_free(&runner);
    trace_close(r);
    int status = VMLAB_EXIT_ERROR;
    if (w->x && !rc && w->ncpus > 1) {
        snprintf(err, sizeof err, "%s is a run of %u CPUs: the page shows one CPU's TLBs (step it "
                 "with vmlab step %s, or record the run on --cpus 1)", input, w->ncpus, input);
        status = VMLAB_EXIT_USAGE;
        rc = -1;
    } else {
        char unreached[1024];
        snprintf(unreached, sizeof unreached, "%s has %llu accesses and copies: none from %llu on",
                 input, (unsigned long long)runner.n, (unsigned long long)from);
        rc = window_check(w, rc, err, sizeof err, unreached);
    }
    if (rc) {
        fprintf(stderr, "vmlab explore: %s\n", err);
        outfile_abort(out);
        return status;
    }
    bool stopped_by_us = runner.done && !w->failed;
    if (res.interrupted && !stopped_by_us)
        explorer_note(w->x, "Interrupted (Ctrl-C).");
    status = write_page(w, out, o->output, from);
    if (res.interrupted && !stopped_by_us)
        status = cli_exit_worst(status, VMLAB_EXIT_INTERRUPTED);
    return status;
}

static int explore_main(struct replay_opts *o, struct watch *w, int argc, char **argv)
{
    uint64_t from = 1;
    w->count = EXPLORE_DEFAULT_STEPS;
    struct run_config rcfg;
    run_config_default(&rcfg);
    bool run = run_opts_wanted(argc, argv), strace = false;
    int pr = parse_args(o, w, &from, run ? &rcfg : NULL, &strace, argc, argv);
    if (pr)
        return pr > 0 ? VMLAB_EXIT_OK : VMLAB_EXIT_USAGE;
    if (run)
        return explore_run(o, w, &rcfg, strace, from, argc - optind, argv + optind);
    bool is_command, usage;
    const char *input;
    struct trace_reader *r = replay_open_input(o, argc, argv, optind, &is_command, &input, &usage,
                                               "explore");
    if (!r)
        return usage ? VMLAB_EXIT_USAGE : VMLAB_EXIT_ERROR;
    char err[1024], config[256], title[512];
    struct outfile out;
    struct file_id in_id = replay_input_id(o);
    if (outfile_open(&out, o->output, &in_id, err, sizeof err)) {
        fprintf(stderr, "vmlab explore: %s\n", err);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    if (trace_reader_version(r) >= 2)
        return explore_run_trace(o, w, r, &out, input, from);
    describe(o, config, sizeof config);
    snprintf(title, sizeof title, "vmlab explore: %s", input);
    struct explore_info info = {.title = title, .input = input, .config = config, .from = from};
    w->x = explorer_new(&info, 0);
    w->ctx.fmt = o->cfg.fmt;
    struct replay_hooks hooks = {.from = from - 1, .start = on_start, .before = on_before,
                                 .after = on_after, .arg = w};
    o->cfg.hooks = &hooks;
    o->cfg.progress = false;
    o->cfg.stop = &stop_requested;
    cli_catch_signals(&stop_requested);
    struct replay_source src = {.reader = r};
    struct replay_result res;
    int rc = w->x ? replay_run(&o->cfg, &src, &res, err, sizeof err) : -1;
    char unreached[1024];
    snprintf(unreached, sizeof unreached, "%s has %llu accesses: none from access %llu on", input,
             (unsigned long long)res.records, (unsigned long long)from);
    if (window_check(w, rc, err, sizeof err, unreached)) {
        fprintf(stderr, "vmlab explore: %s\n", err);
        outfile_abort(&out);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    char note[300] = "";
    if (res.killed)
        snprintf(note, sizeof note, "The process was killed at access %llu: %s.",
                 (unsigned long long)res.records, res.kill_msg);
    else if (res.interrupted)
        snprintf(note, sizeof note, "Interrupted (Ctrl-C) after access %llu.",
                 (unsigned long long)res.records);
    explorer_note(w->x, note);
    int status = write_page(w, &out, o->output, from);
    status = replay_tell_end("explore", input, r, is_command, &res, status);
    trace_close(r);
    return status;
}

int cmd_explore(int argc, char **argv)
{
    struct replay_opts o;
    struct watch w = {0};
    replay_opts_init(&o, argc, argv);
    step_recorder_init(&w.rec);
    int status = explore_main(&o, &w, argc, argv);
    explorer_free(w.x);
    step_recorder_free(&w.rec);
    replay_opts_free(&o);
    return status;
}
