/* cmd_run.c — `vmlab run`: a real RISC-V program on vmlab's CPUs, MMU and
 * kernel, with the Linux personality.
 *
 * The program's standard output and error are its own; the report goes to
 * stderr (or -o FILE), like perf stat. The exit status is the program's
 * (128 + the signal when it was killed); 125-127 are vmlab's own, as for
 * env(1): 125 vmlab failed (a bad option, no room), 126 the program cannot
 * be run (not a static RISC-V ELF, no permission), 127 it was not found.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmlab/run.h>

#include "cli/cli.h"
#include "cli/replay_opts.h"
#include "replay/outfile.h"

static volatile sig_atomic_t stop_requested;

enum {
    OPT_CPUS = 2000, OPT_QUANTUM, OPT_ROOT, OPT_TRACE_OUT, OPT_STRACE, OPT_ABI, OPT_MAX_INSNS,
};

static const struct option run_options[] = {
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"quantum", required_argument, NULL, OPT_QUANTUM},
    {"root", required_argument, NULL, OPT_ROOT},
    {"trace-out", required_argument, NULL, OPT_TRACE_OUT},
    {"strace", no_argument, NULL, OPT_STRACE},
    {"abi", required_argument, NULL, OPT_ABI},
    {"max-insns", required_argument, NULL, OPT_MAX_INSNS},
};

/* Replay's options with no meaning for a running program. */
static const char *const meaningless[] = {"format", "refs", "skip-bad", "limit", "no-progress",
                                          "opt-ties", NULL};

/* vmlab's own failures, as env(1) reports them: the exit status is the
 * program's otherwise, so none of replay's small numbers can be used. */
enum { RUN_EXIT_FAILED = 125, RUN_EXIT_CANNOT_RUN = 126, RUN_EXIT_NOT_FOUND = 127 };

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab run [OPTIONS] [--] PROGRAM [ARGS...]\n"
            "\n"
            "Run a static RISC-V Linux program (riscv64-linux-gnu-gcc -static) instruction by\n"
            "instruction on vmlab's simulated CPUs: every fetch through an iTLB, every load and\n"
            "store through a dTLB, every fault to vmlab's kernel, every system call to its Linux\n"
            "personality. Runs are deterministic (virtual time, --seed). The program's output\n"
            "is its own; the report (perf stat style) goes to stderr or -o FILE.\n"
            "\n"
            "run:\n"
            "      --cpus N          simulated CPUs (default 1); processes are spread over them\n"
            "      --quantum N       instructions a CPU runs per turn (default %llu: 1 ms of\n"
            "                        virtual time); the end of a turn is a timer interrupt\n"
            "      --root DIR        every path the guest names is inside DIR (as a chroot;\n"
            "                        default: the host's files with your rights, as qemu-user)\n"
            "      --trace-out FILE  write every access (with its CPU and address space) as a\n"
            "                        vmt trace that 'vmlab replay' reproduces\n"
            "      --max-insns N     kill every process (SIGXCPU) after N instructions in all\n"
            "      --strace          print every system call and its result on stderr\n"
            "\n"
            "The system options are replay's; here the page tables default to sv39 (user space\n"
            "in Sv39's window, as Linux keeps it; sv48, sv57, x86-64, x86-64-5 are what-ifs),\n"
            "the TLBs to zen4, and the user pool to %llu frames (1 GiB: an ordinary program\n"
            "does not swap). --policy opt is refused: the future is unknown while a program\n"
            "runs (use --trace-out, then 'vmlab replay --policy opt').\n"
            "\n%s"
            "\nexit status: the program's own, 128 + the signal if it was killed; and vmlab's:\n"
            "  125  vmlab failed: a bad option or value, no room, the report not written\n"
            "  126  PROGRAM cannot be run (not a static RISC-V ELF, no permission)\n"
            "  127  PROGRAM was not found\n"
            "  130  interrupted (Ctrl-C): the processes were killed, the report says so\n",
            (unsigned long long)RUN_DEFAULT_QUANTUM, (unsigned long long)RUN_DEFAULT_FRAMES,
            replay_options_help);
}

static int long_index(const struct option *opts, int c)
{
    for (int i = 0; opts[i].name; i++)
        if (opts[i].val == c)
            return i;
    return -1;
}

static char *join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = 0;
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

/* The run's configuration from the shared options. */
static void configure(struct run_config *rc, const struct replay_opts *o)
{
    rc->fmt = o->cfg.fmt;
    rc->tlb = o->cfg.tlb;
    rc->tlb_name = o->tlb_geometry ? "custom" : o->tlb_set ? o->tlb_preset
                 : o->cfg.fmt->arch == PT_ARCH_X86 ? "golden-cove" : "zen4";
    rc->tlb_refill = o->cfg.tlb_refill;
    rc->sw_pt = o->cfg.sw_pt;
    rc->sw_pt_entries = o->cfg.sw_pt_entries;
    rc->frames = o->cfg.frames;
    rc->policy = o->cfg.policy;
    rc->thp = o->cfg.thp;
    rc->swap_bytes = o->cfg.swap_bytes;
    rc->swap_path = o->cfg.swap_path;
    rc->swap_overwrite = o->cfg.swap_overwrite;
    rc->seed = o->cfg.seed;
}

/* Parse; 0 to run, else the exit status. */
static int parse(int argc, char **argv, struct replay_opts *o, struct run_config *rc, bool *strace)
{
    size_t nshared = 0;
    while (replay_long_options[nshared].name)
        nshared++;
    size_t nrun = sizeof run_options / sizeof run_options[0];
    struct option opts[64];
    if (nshared + nrun + 1 > sizeof opts / sizeof opts[0])
        return RUN_EXIT_FAILED;
    memset(opts, 0, sizeof opts);
    memcpy(opts, replay_long_options, nshared * sizeof *opts);
    memcpy(opts + nshared, run_options, nrun * sizeof *opts);
    int c;
    optind = 1;
    /* "+": options end at PROGRAM; its own options are its own */
    while ((c = getopt_long(argc, argv, "+" REPLAY_SHORT_OPTIONS, opts, NULL)) != -1) {
        int li = long_index(opts, c);
        if (c == 'h') {
            run_usage(stdout);
            return -1;
        }
        for (int i = 0; li >= 0 && meaningless[i]; i++)
            if (!strcmp(opts[li].name, meaningless[i])) {
                fprintf(stderr, "vmlab run: --%s has no meaning for a running program%s\n",
                        meaningless[i], !strcmp(meaningless[i], "opt-ties")
                                            ? " (--policy opt needs --trace-out and replay)" : "");
                return RUN_EXIT_FAILED;
            }
        uint64_t v;
        switch (c) {
        case OPT_CPUS:
            if (parse_u64(optarg, &v) || v < 1 || v > VM_MAX_CPUS) {
                fprintf(stderr, "vmlab run: --cpus '%s' is not valid: expected 1 to %d\n", optarg,
                        VM_MAX_CPUS);
                return RUN_EXIT_FAILED;
            }
            rc->ncpus = (unsigned)v;
            continue;
        case OPT_QUANTUM:
        case OPT_MAX_INSNS:
            if (parse_u64(optarg, &v) || v < 1) {
                fprintf(stderr, "vmlab run: --%s '%s' is not valid: expected a positive number of "
                                "instructions\n", c == OPT_QUANTUM ? "quantum" : "max-insns", optarg);
                return RUN_EXIT_FAILED;
            }
            *(c == OPT_QUANTUM ? &rc->quantum : &rc->max_insns) = v;
            continue;
        case OPT_ROOT:
            rc->root = optarg;
            continue;
        case OPT_TRACE_OUT:
            rc->trace_out = optarg;
            continue;
        case OPT_STRACE:
            *strace = true;
            continue;
        case OPT_ABI:
            rc->abi = optarg;
            continue;
        }
        int h = replay_opts_handle(o, c, optarg, "run");
        if (h <= 0) {
            if (h == 0)
                run_usage(stderr);
            return RUN_EXIT_FAILED;
        }
    }
    if (!replay_opts_given(o, "pt"))
        o->cfg.fmt = pt_format(PT_SV39);   /* before finish picks the TLB preset by architecture */
    if (!replay_opts_given(o, "frames") && !replay_opts_given(o, "mem"))
        o->cfg.frames = RUN_DEFAULT_FRAMES;
    if (replay_opts_finish(o, "run"))
        return RUN_EXIT_FAILED;
    if (o->quiet && o->output) {
        fprintf(stderr, "vmlab run: --quiet writes no report: drop -o %s, or --quiet\n", o->output);
        return RUN_EXIT_FAILED;
    }
    if (optind >= argc) {
        fprintf(stderr, "vmlab run: no program: vmlab run [OPTIONS] -- PROGRAM [ARGS...]\n");
        return RUN_EXIT_FAILED;
    }
    configure(rc, o);
    return 0;
}

static int report(FILE *f, const struct replay_opts *o, struct run_summary *res, const char *cmdline)
{
    res->eat_ns = replay_eat(&o->cfg.cost, &res->cpu, &res->vm, res->cpu.v[CPU_STAT_ACCESSES]);
    return o->json ? run_report_json(f, res, cmdline)
         : o->csv  ? run_report_csv(f, res)
                   : run_report_text(f, res, cmdline);
}

static int run_main(int argc, char **argv, struct replay_opts *o)
{
    struct run_config rc;
    run_config_default(&rc);
    bool strace = false;
    int status = parse(argc, argv, o, &rc, &strace);
    if (status)
        return status < 0 ? VMLAB_EXIT_OK : status;
    rc.strace = strace ? stderr : NULL;
    rc.stop = &stop_requested;

    /* -o FILE: a temporary renamed over FILE once complete, never the
     * program; else stderr itself (the guest's stderr may be the same file) */
    char err[1024];
    struct outfile out;
    struct file_id prog = file_id_of_path(argv[optind]);
    bool to_file = !o->quiet && o->output;
    if (to_file && outfile_open(&out, o->output, &prog, err, sizeof err)) {
        fprintf(stderr, "vmlab run: %s\n", err);
        return RUN_EXIT_FAILED;
    }
    cli_catch_signals(&stop_requested);
    signal(SIGPIPE, SIG_IGN);   /* a guest writing to a closed pipe gets EPIPE, not vmlab */
    char *cmdline = join_args(argc - optind, argv + optind);
    struct run_summary res;
    if (run_program(&rc, argc - optind, argv + optind, &res, err, sizeof err)) {
        fprintf(stderr, "vmlab run: %s\n", err);
        if (to_file)
            outfile_abort(&out);
        free(cmdline);
        return res.status;
    }
    status = res.interrupted ? VMLAB_EXIT_INTERRUPTED : res.status;
    if (res.trace_failed) {
        fprintf(stderr, "vmlab run: --trace-out: %s\n", res.trace_error);
        status = RUN_EXIT_FAILED;
    }
    if (to_file) {
        FILE *f = outfile_stream(&out);
        if (!f || report(f, o, &res, cmdline) < 0 || outfile_commit(&out, err, sizeof err)) {
            fprintf(stderr, "vmlab run: %s\n", f ? err : "out of memory for the report");
            if (!f)
                outfile_abort(&out);
            status = RUN_EXIT_FAILED;
        }
    } else if (!o->quiet && (report(stderr, o, &res, cmdline) < 0 || fflush(stderr))) {
        status = RUN_EXIT_FAILED;   /* nowhere left to say so */
    }
    run_summary_free(&res);
    free(cmdline);
    return status;
}

int cmd_run(int argc, char **argv)
{
    struct replay_opts o;
    replay_opts_init(&o, argc, argv);
    int status = run_main(argc, argv, &o);
    replay_opts_free(&o);
    return status;
}
