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

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig)
{
    stop_requested = 1;
    signal(sig, SIG_DFL);   /* a second Ctrl-C ends vmlab at once */
}

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
static const char *const meaningless[] = {"format", "refs", "skip-bad", "limit", "no-progress", NULL};

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
            "\nexit status: the program's (128 + signal if it was killed); 125 vmlab failed\n"
            "(bad option, no room), 126 PROGRAM cannot be run, 127 PROGRAM not found.\n",
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

int cmd_run(int argc, char **argv)
{
    /* replay's options and run's in one table */
    size_t nshared = 0;
    while (replay_long_options[nshared].name)
        nshared++;
    size_t nrun = sizeof run_options / sizeof run_options[0];
    struct option *opts = calloc(nshared + nrun + 1, sizeof *opts);
    if (!opts)
        return 125;
    memcpy(opts, replay_long_options, nshared * sizeof *opts);
    memcpy(opts + nshared, run_options, nrun * sizeof *opts);

    struct replay_opts o;
    replay_opts_init(&o);
    o.cfg.fmt = pt_format(PT_SV39);
    o.cfg.frames = RUN_DEFAULT_FRAMES;
    struct run_config rc;
    run_config_default(&rc);
    bool strace = false;
    int c, status = 125;
    optind = 1;
    /* "+": options end at PROGRAM; its own options are its own */
    while ((c = getopt_long(argc, argv, "+" REPLAY_SHORT_OPTIONS, opts, NULL)) != -1) {
        int li = long_index(opts, c);
        if (c == 'h') {
            run_usage(stdout);
            free(opts);
            return 0;
        }
        for (int i = 0; li >= 0 && meaningless[i]; i++)
            if (!strcmp(opts[li].name, meaningless[i])) {
                fprintf(stderr, "vmlab run: --%s has no meaning for a running program\n",
                        meaningless[i]);
                goto out;
            }
        uint64_t v;
        switch (c) {
        case OPT_CPUS:
            if (parse_u64(optarg, &v) || v < 1 || v > VM_MAX_CPUS) {
                fprintf(stderr, "vmlab run: --cpus '%s' is not valid: expected 1 to %d\n", optarg,
                        VM_MAX_CPUS);
                goto out;
            }
            rc.ncpus = (unsigned)v;
            continue;
        case OPT_QUANTUM:
            if (parse_u64(optarg, &v) || v < 1) {
                fprintf(stderr, "vmlab run: --quantum '%s' is not valid: expected a positive "
                                "number of instructions\n", optarg);
                goto out;
            }
            rc.quantum = v;
            continue;
        case OPT_MAX_INSNS:
            if (parse_u64(optarg, &v) || v < 1) {
                fprintf(stderr, "vmlab run: --max-insns '%s' is not valid: expected a positive "
                                "number of instructions\n", optarg);
                goto out;
            }
            rc.max_insns = v;
            continue;
        case OPT_ROOT:
            rc.root = optarg;
            continue;
        case OPT_TRACE_OUT:
            rc.trace_out = optarg;
            continue;
        case OPT_STRACE:
            strace = true;
            continue;
        case OPT_ABI:
            rc.abi = optarg;
            continue;
        }
        int h = replay_opts_handle(&o, c, optarg, "run");
        if (h <= 0) {
            if (h == 0)
                run_usage(stderr);
            goto out;
        }
    }
    if (replay_opts_finish(&o, "run"))
        goto out;
    if (optind >= argc) {
        fprintf(stderr, "vmlab run: no program: vmlab run [OPTIONS] -- PROGRAM [ARGS...]\n");
        goto out;
    }
    rc.fmt = o.cfg.fmt;
    rc.tlb = o.cfg.tlb;
    rc.tlb_name = o.tlb_set ? o.tlb_preset : o.cfg.fmt->arch == PT_ARCH_X86 ? "golden-cove" : "zen4";
    if (o.tlb_geometry)
        rc.tlb_name = "custom";
    rc.frames = o.cfg.frames;
    rc.policy = o.cfg.policy;
    rc.thp = o.cfg.thp;
    rc.swap_bytes = o.cfg.swap_bytes;
    rc.swap_path = o.cfg.swap_path;
    rc.seed = o.cfg.seed;
    rc.cost = (struct run_cost){o.cfg.cost.access, o.cfg.cost.stlb_hit, o.cfg.cost.walk_ref,
                                o.cfg.cost.minor_fault, o.cfg.cost.major_fault, o.cfg.cost.swap_out};
    rc.strace = strace ? stderr : NULL;
    rc.stop = &stop_requested;

    FILE *out = stderr;
    if (o.output && !(out = fopen(o.output, "w"))) {
        perror(o.output);
        goto out;
    }
    signal(SIGINT, on_sigint);
    signal(SIGPIPE, SIG_IGN);   /* a guest writing to a closed pipe gets EPIPE, not vmlab */
    struct run_summary res;
    char err[1024];
    char *cmdline = join_args(argc - optind, argv + optind);
    if (run_program(&rc, argc - optind, argv + optind, &res, err, sizeof err)) {
        fprintf(stderr, "vmlab run: %s\n", err);
        status = res.status;
    } else {
        status = res.status;
        if (!o.quiet) {
            int w = o.json  ? run_report_json(out, &res, cmdline)
                  : o.csv   ? run_report_csv(out, &res)
                            : run_report_text(out, &res, cmdline);
            if (w < 0 || fflush(out)) {
                perror(o.output ? o.output : "vmlab run: the report");
                status = 125;
            }
        }
        run_summary_free(&res);
    }
    signal(SIGINT, SIG_DFL);
    free(cmdline);
    if (out != stderr && fclose(out)) {
        perror(o.output);
        status = 125;
    }
out:
    free(opts);
    return status;
}
