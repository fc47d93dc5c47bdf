/* cmd_run.c — `vmlab run`: a real RISC-V program on vmlab's CPUs, MMU and
 * kernel, with the Linux personality or (--abi pintos --fs DIR) the PintOS
 * one (docs/pintos.md).
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
#include "cli/run_opts.h"
#include "replay/outfile.h"

static volatile sig_atomic_t stop_requested;

/* vmlab's own failures, as env(1) reports them: the exit status is the
 * program's otherwise, so none of replay's small numbers can be used. */
enum { RUN_EXIT_FAILED = 125, RUN_EXIT_CANNOT_RUN = 126, RUN_EXIT_NOT_FOUND = 127 };

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab run [OPTIONS] [--] PROGRAM [ARGS...]\n"
            "       vmlab run --abi pintos --fs DIR [OPTIONS] [--] PROGRAM [ARGS...]\n"
            "\n"
            "Run a static RISC-V Linux program (riscv64-linux-gnu-gcc -static) instruction by\n"
            "instruction on vmlab's simulated CPUs: every fetch through an iTLB, every load and\n"
            "store through a dTLB, every fault to vmlab's kernel, every system call to its Linux\n"
            "personality. Runs are deterministic (virtual time, --seed). The program's output\n"
            "is its own; the report (perf stat style) goes to stderr or -o FILE.\n"
            "\n"
            "run:\n%s"
            "      --trace-out FILE  write every access (with its CPU and address space) as a\n"
            "                        vmt trace that 'vmlab replay' reproduces\n"
            "      --strace          print every system call and its result on stderr\n"
            "      --fs DIR          --abi pintos: the flat directory that is PintOS's file\n"
            "                        system; the programs' files are there and only it changes\n"
            "\n"
            "--abi pintos runs PintOS project-3 user programs (docs/pintos.md): PROGRAM and\n"
            "every file they name are files of --fs DIR, and stdout is what a PintOS kernel\n"
            "prints (the console and the 'NAME: exit(N)' lines).\n"
            "\n"
            "The system options are replay's; here the page tables default to sv39 (user space\n"
            "in Sv39's window, as Linux keeps it; sv48, sv57, x86-64, x86-64-5 are what-ifs;\n"
            "--abi pintos: sv48, so that all of [0, KERN_BASE) is user space),\n"
            "the TLBs to zen4, and the user pool to %llu frames (1 GiB: an ordinary program\n"
            "does not swap). --policy opt is refused: the future is unknown while a program\n"
            "runs (use --trace-out, then 'vmlab replay --policy opt').\n"
            "\n%s"
            "\nexit status: the program's own, 128 + the signal if it was killed; and vmlab's:\n"
            "  125  vmlab failed: a bad option or value, no room, the report not written\n"
            "  126  PROGRAM cannot be run (not a static RISC-V ELF, no permission)\n"
            "  127  PROGRAM was not found\n"
            "  130  interrupted (Ctrl-C): the processes were killed, the report says so\n",
            run_options_help, (unsigned long long)RUN_DEFAULT_FRAMES,
            replay_options_help);
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

/* Parse; 0 to run, else the exit status. */
static int parse(int argc, char **argv, struct replay_opts *o, struct run_config *rc, bool *strace)
{
    struct option opts[96];
    run_opts_table(opts, 96, true, NULL);
    int c;
    optind = 1;
    /* "+": options end at PROGRAM; its own options are its own */
    while ((c = getopt_long(argc, argv, "+" REPLAY_SHORT_OPTIONS, opts, NULL)) != -1) {
        if (c == 'h') {
            run_usage(stdout);
            return -1;
        }
        int h = run_opts_take(o, rc, strace, c, optarg, "run");
        if (h < 0)
            return RUN_EXIT_FAILED;
        if (h == 0) {
            run_usage(stderr);
            return RUN_EXIT_FAILED;
        }
    }
    if (run_opts_finish(o, rc, "run"))
        return RUN_EXIT_FAILED;
    if (o->quiet && o->output) {
        fprintf(stderr, "vmlab run: --quiet writes no report: drop -o %s, or --quiet\n", o->output);
        return RUN_EXIT_FAILED;
    }
    if (optind >= argc) {
        fprintf(stderr, "vmlab run: no program: vmlab run [OPTIONS] -- PROGRAM [ARGS...]\n");
        return RUN_EXIT_FAILED;
    }
    if (!replay_opts_given(o, "pt"))
        rc->fmt = NULL;   /* the personality's page tables (Linux sv39, PintOS sv48) */
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
