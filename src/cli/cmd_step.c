/* cmd_step.c — `vmlab step`: the path of each access, in words.
 *
 * The replay of `vmlab replay` (the same options, the same inputs), with
 * the CPU watched from step --from on (src/step: a recorder of the
 * machine's and the kernel's events, vmlab/observe.h): each access is
 * printed with its TLB lookups, its walk entry by entry, its fault and
 * what the kernel found and did, the policy's choice of a victim and the
 * eviction, the invalidations. Text, or one JSON object per step
 * (--json-lines). docs/step.md describes both.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmlab/run.h>

#include "cli/cli.h"
#include "cli/replay_opts.h"
#include "cli/replay_output.h"
#include "cli/run_opts.h"
#include "step/step.h"

static volatile sig_atomic_t stop_requested;

enum { OPT_FROM = 4000, OPT_COUNT, OPT_ONLY, OPT_JSON_LINES, OPT_RUN };

static void step_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab step [OPTIONS] [--from N] [--count M] [--only WHAT] FILE|-\n"
            "       vmlab step [OPTIONS] ... --refs LIST\n"
            "       vmlab step [OPTIONS] ... -- PROGRAM [ARGS...]\n"
            "       vmlab step --run [RUN OPTIONS] ... -- RISCV-PROGRAM [ARGS...]\n"
            "\n"
            "Replay a trace as `vmlab replay` does, or run a RISC-V program as `vmlab run`\n"
            "does (--run), and print what happened for each access: for a program the\n"
            "instruction that made it; each TLB level probed (hit or miss, ASID, page size),\n"
            "the page walk entry by entry (table, index, raw entry and its bits, A/D set,\n"
            "page-walk-cache use), the fault and what the kernel found and did (zero-fill,\n"
            "swap-in from slot N, ...), the policy's choice of a victim and why, the\n"
            "eviction, the invalidations. A run trace (vmlab run --trace-out) steps as\n"
            "its run did, on its CPUs and processes, without the instructions.\n"
            "\n"
            "step:\n"
            "      --from N          start at the N-th access (default 1; the accesses before\n"
            "                        it are made, not shown)\n"
            "      --count M         show M steps, then stop (default: to the end)\n"
            "      --only WHAT       show only the steps with a fault (faults), an L1 TLB miss\n"
            "                        (misses) or an eviction (evictions); --count counts those\n"
            "      --json-lines      one JSON object per step (docs/step.md has the schema)\n"
            "  -o, --output FILE     write the steps to FILE (replaced once complete)\n"
            "      --run             run PROGRAM (a static RISC-V Linux program) as `vmlab run`\n"
            "                        does, with its options (`vmlab run --help`); its accesses\n"
            "                        are the steps, and its output goes to stderr unless -o\n"
            "\n"
            "run (with --run):\n%s"
            "      --trace-out FILE  write every access as a vmt trace (as vmlab run does)\n"
            "      --strace          print every system call and its result on stderr\n"
            "\n"
            "and the replay options (not --json, --csv, --quiet):\n%s\n%s",
            run_options_help, replay_options_help, cli_exit_status_help);
}

/* What the hooks need: the recorder, the filter, where to print. */
struct stepper {
    struct step_recorder rec;
    struct step_ctx ctx;
    struct cpu *cpu;
    bool attached;
    uint64_t count, shown;
    enum step_only only;
    bool json;
    FILE *out;
    bool failed;                   /* a write failed */
};

static void on_start(void *arg, struct machine *m, struct kernel *k, struct process *p,
                     struct cpu *cpu)
{
    (void)k, (void)p;
    struct stepper *st = arg;
    st->cpu = cpu;
    st->ctx.has_l2 = machine_config(m)->tlb.l2.array[0].entries > 0;
}

static bool on_before(void *arg, uint64_t n, const struct trace_record *r)
{
    (void)n, (void)r;
    struct stepper *st = arg;
    if ((st->count && st->shown >= st->count) || st->failed)
        return false;
    if (!st->attached) {           /* the accesses before --from ran unwatched, at full speed */
        step_recorder_attach(&st->rec, st->cpu);
        st->attached = true;
    }
    step_recorder_reset(&st->rec);
    return true;
}

/* Print step s if --only keeps it. */
static void show(struct stepper *st, const struct step *s)
{
    if (s->ok && !step_matches(s, st->only))
        return;   /* the access that kills is always shown */
    if (!st->json && st->shown && fputc('\n', st->out) == EOF)
        st->failed = true;
    if ((st->json ? step_print_json(st->out, &st->ctx, s) : step_print_text(st->out, &st->ctx, s)))
        st->failed = true;
    st->shown++;
}

static void on_after(void *arg, uint64_t n, const struct trace_record *r, bool ok)
{
    struct stepper *st = arg;
    struct step s = {.n = n + 1, .cpu = cpu_index(st->cpu), .rec = *r, .ok = ok};
    step_recorder_fill(&st->rec, &s);
    show(st, &s);
}

/* ---- vmlab step --run ---- */

static void run_on_start(void *arg, struct machine *m, struct kernel *k)
{
    (void)k;
    struct stepper *st = arg;
    st->ctx.has_l2 = machine_config(m)->tlb.l2.array[0].entries > 0;
}

/* A run trace's machine: its format is the run's unless --pt said otherwise. */
static void trace_on_start(void *arg, struct machine *m, struct kernel *k)
{
    struct stepper *st = arg;
    st->ctx.fmt = kernel_pt_format(k);
    st->ctx.no_insn = true;
    run_on_start(arg, m, k);
}

static bool run_on_step(void *arg, const struct step *s)
{
    struct stepper *st = arg;
    show(st, s);
    return !st->failed && !(st->count && st->shown >= st->count);
}

/* The program's run, its accesses printed as steps. */
static int step_run(struct replay_opts *o, struct stepper *st, struct run_config *rc, bool strace,
                    uint64_t from, int argc, char **argv)
{
    const char *prog = argv[0];
    char err[1024];
    struct outfile out;
    struct file_id prog_id = file_id_of_path(prog);
    if (outfile_open(&out, o->output ? o->output : "-", &prog_id, err, sizeof err) ||
        !(st->out = outfile_stream(&out))) {
        fprintf(stderr, "vmlab step: %s\n", o->output ? err : "standard output: cannot write");
        return VMLAB_EXIT_ERROR;
    }
    st->ctx.fmt = rc->fmt;
    struct step_runner runner = {.from = from, .start = run_on_start, .step = run_on_step, .arg = st,
                                 .stop = &stop_requested};
    rc->watch = step_runner_watch(&runner);
    rc->stop = &stop_requested;
    rc->strace = strace ? stderr : NULL;
    if (!o->output)
        rc->stdout_fd = 2;             /* the program's output must not mix with the steps */
    cli_catch_signals(&stop_requested);
    signal(SIGPIPE, SIG_IGN);          /* a guest writing to a closed pipe gets EPIPE */
    struct run_summary res;
    int failed = run_program(rc, argc, argv, &res, err, sizeof err);
    step_runner_free(&runner);
    if (failed) {
        fprintf(stderr, "vmlab step: %s\n", err);
        outfile_abort(&out);
        return res.status == 125 ? VMLAB_EXIT_USAGE : VMLAB_EXIT_ERROR;
    }
    int status = VMLAB_EXIT_OK;
    if (outfile_commit(&out, err, sizeof err)) {
        fprintf(stderr, "vmlab step: %s\n", err);
        status = VMLAB_EXIT_ERROR;
    }
    if (res.trace_failed) {
        fprintf(stderr, "vmlab step: --trace-out: %s\n", res.trace_error);
        status = cli_exit_worst(status, VMLAB_EXIT_ERROR);
    }
    bool stopped_by_us = runner.done && !st->failed;   /* --count reached: not an interruption */
    if (res.interrupted && !stopped_by_us)
        status = cli_exit_worst(status, VMLAB_EXIT_INTERRUPTED);
    if (runner.n < from && !res.interrupted)
        fprintf(stderr, "vmlab step: %s made %llu accesses: none from access %llu on\n", prog,
                (unsigned long long)runner.n, (unsigned long long)from);
    const struct run_proc *first = res.nprocs ? &res.procs[0] : NULL;
    if (first && !stopped_by_us) {
        if (first->signaled) {
            fprintf(stderr, "vmlab step: %s was killed by signal %d (%s)%s%s\n", prog, first->code,
                    strsignal(first->code), first->why[0] ? ": " : "", first->why);
            status = cli_exit_worst(status, VMLAB_EXIT_KILLED);
        } else if (first->code) {
            fprintf(stderr, "vmlab step: %s exited with status %d\n", prog, first->code);
        }
    }
    run_summary_free(&res);
    return status;
}

/* A run trace (vmlab run --trace-out) replayed on its CPUs and processes,
 * its accesses and copies printed as the run's steps (without the
 * instructions: a trace does not hold them). */
static int step_run_trace(struct replay_opts *o, struct stepper *st, struct trace_reader *r,
                          struct outfile *outp, const char *input, uint64_t from)
{
    char err[1024];
    struct step_runner runner = {.from = from, .start = trace_on_start, .step = run_on_step,
                                 .arg = st, .stop = &stop_requested};
    o->cfg.watch = step_runner_watch(&runner);
    o->cfg.progress = false;
    o->cfg.stop = &stop_requested;
    cli_catch_signals(&stop_requested);
    struct replay_source src = {.reader = r};
    struct replay_result res;
    int rc = replay_run(&o->cfg, &src, &res, err, sizeof err);
    step_runner_free(&runner);
    trace_close(r);
    if (rc) {
        fprintf(stderr, "vmlab step: %s\n", err);
        outfile_abort(outp);
        return VMLAB_EXIT_ERROR;
    }
    int status = VMLAB_EXIT_OK;
    if (outfile_commit(outp, err, sizeof err)) {
        fprintf(stderr, "vmlab step: %s\n", err);
        status = VMLAB_EXIT_ERROR;
    }
    bool stopped_by_us = runner.done && !st->failed;   /* --count reached */
    if (res.interrupted && !stopped_by_us)
        status = cli_exit_worst(status, VMLAB_EXIT_INTERRUPTED);
    if (runner.n < from && !res.interrupted)
        fprintf(stderr, "vmlab step: %s has %llu accesses and copies: none from %llu on\n", input,
                (unsigned long long)runner.n, (unsigned long long)from);
    return status;
}

/* Options step takes besides the replay's (and with --run, the run's), and
 * the replay options it refuses. */
static int parse_args(struct replay_opts *o, struct stepper *st, uint64_t *from, struct run_config *rc,
                      bool *strace, int argc, char **argv)
{
    static const struct option extra[] = {
        {"from", required_argument, NULL, OPT_FROM},
        {"count", required_argument, NULL, OPT_COUNT},
        {"only", required_argument, NULL, OPT_ONLY},
        {"json-lines", no_argument, NULL, OPT_JSON_LINES},
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
        switch (c) {
        case 'h':
            step_usage(stdout);
            return 1;
        case OPT_FROM:
            if (parse_u64(optarg, &v) || v == 0) {
                fprintf(stderr, "vmlab step: --from '%s' is not valid: expected the number of an "
                                "access, from 1\n", optarg);
                return -1;
            }
            *from = v;
            continue;
        case OPT_COUNT:
            if (parse_u64(optarg, &v) || v == 0) {
                fprintf(stderr, "vmlab step: --count '%s' is not valid: expected a positive "
                                "number of steps\n", optarg);
                return -1;
            }
            st->count = v;
            continue;
        case OPT_ONLY:
            if (step_only_parse(optarg, &st->only)) {
                fprintf(stderr, "vmlab step: --only '%s' is not valid: expected faults, misses or "
                                "evictions\n", optarg);
                return -1;
            }
            continue;
        case OPT_JSON_LINES:
            st->json = true;
            continue;
        case OPT_RUN:
            continue;                  /* wants_run saw it */
        }
        int h = run_opts_take(o, rc, strace, c, optarg, "step");
        if (h <= 0) {
            if (h == 0)
                step_usage(stderr);
            return -1;
        }
    }
    static const char *const refused[][2] = {
        {"json", "--json-lines (one object per step)"},
        {"csv", "--json-lines"},
        {"quiet", "vmlab replay --quiet"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (replay_opts_given(o, refused[i][0])) {
            fprintf(stderr, "vmlab step: --%s is a report's form: use %s\n", refused[i][0],
                    refused[i][1]);
            return -1;
        }
    if (rc) {
        if (run_opts_finish(o, rc, "step"))
            return -1;
        if (optind >= argc) {
            fprintf(stderr, "vmlab step: no program: vmlab step --run [OPTIONS] -- PROGRAM "
                            "[ARGS...]\n");
            return -1;
        }
        return 0;
    }
    return replay_opts_finish(o, "step") ? -1 : 0;
}

static int step_main(struct replay_opts *o, struct stepper *st, int argc, char **argv)
{
    uint64_t from = 1;
    struct run_config rcfg;
    run_config_default(&rcfg);
    bool run = run_opts_wanted(argc, argv), strace = false;
    int pr = parse_args(o, st, &from, run ? &rcfg : NULL, &strace, argc, argv);
    if (pr)
        return pr > 0 ? VMLAB_EXIT_OK : VMLAB_EXIT_USAGE;
    if (run)
        return step_run(o, st, &rcfg, strace, from, argc - optind, argv + optind);
    bool is_command, usage;
    const char *input;
    struct trace_reader *r = replay_open_input(o, argc, argv, optind, &is_command, &input, &usage,
                                               "step");
    if (!r)
        return usage ? VMLAB_EXIT_USAGE : VMLAB_EXIT_ERROR;
    char err[1024];
    struct outfile out;
    struct file_id in_id = replay_input_id(o);
    if (outfile_open(&out, o->output ? o->output : "-", &in_id, err, sizeof err) ||
        !(st->out = outfile_stream(&out))) {
        fprintf(stderr, "vmlab step: %s\n", o->output ? err : "standard output: cannot write");
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    if (trace_reader_version(r) >= 2)
        return step_run_trace(o, st, r, &out, input, from);
    st->ctx.fmt = o->cfg.fmt;
    struct replay_hooks hooks = {.from = from - 1, .start = on_start, .before = on_before,
                                 .after = on_after, .arg = st};
    o->cfg.hooks = &hooks;
    o->cfg.progress = false;
    o->cfg.stop = &stop_requested;
    cli_catch_signals(&stop_requested);

    struct replay_source src = {.reader = r};
    struct replay_result res;
    int rc = replay_run(&o->cfg, &src, &res, err, sizeof err);
    if (rc) {
        fprintf(stderr, "vmlab step: %s\n", err);
        outfile_abort(&out);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    int status = VMLAB_EXIT_OK;
    if (outfile_commit(&out, err, sizeof err)) {
        fprintf(stderr, "vmlab step: %s\n", err);
        status = VMLAB_EXIT_ERROR;
    }
    if (res.records < from - 1 && !res.killed && !res.interrupted)
        fprintf(stderr, "vmlab step: %s has %llu accesses: none from access %llu on\n", input,
                (unsigned long long)res.records, (unsigned long long)from);
    status = replay_tell_end("step", input, r, is_command, &res, status);
    trace_close(r);
    return status;
}

int cmd_step(int argc, char **argv)
{
    struct replay_opts o;
    struct stepper st = {0};
    replay_opts_init(&o, argc, argv);
    step_recorder_init(&st.rec);
    int status = step_main(&o, &st, argc, argv);
    step_recorder_free(&st.rec);
    replay_opts_free(&o);
    return status;
}
