/* cmd_replay.c — `vmlab replay`: a trace through the whole system. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/replay_output.h"

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig)
{
    stop_requested = 1;
    signal(sig, SIG_DFL);            /* a second Ctrl-C ends vmlab at once */
}

static void replay_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab replay [OPTIONS] FILE|-\n"
            "       vmlab replay [OPTIONS] --refs LIST\n"
            "       vmlab replay [OPTIONS] -- PROGRAM [ARGS...]\n"
            "\n"
            "Feed the memory accesses of a trace (or of PROGRAM, run live under Valgrind's\n"
            "lackey) through the TLBs, page tables, fault handler, eviction and swap of a\n"
            "simulated machine and kernel, and report what happened, like perf stat and\n"
            "/proc/vmstat. The trace's address space is demand-zero anonymous memory.\n"
            "Ctrl-C stops cleanly and reports what was counted so far.\n\n%s",
            replay_options_help);
}

int cmd_replay(int argc, char **argv)
{
    struct replay_opts o;
    replay_opts_init(&o);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, REPLAY_SHORT_OPTIONS, replay_long_options, NULL)) != -1) {
        if (c == 'h') {
            replay_usage(stdout);
            return 0;
        }
        int h = replay_opts_handle(&o, c, optarg, "replay");
        if (h < 0)
            return 2;
        if (h == 0) {
            replay_usage(stderr);
            return 2;
        }
    }
    if (replay_opts_finish(&o, "replay"))
        return 2;

    bool is_command;
    const char *input;
    struct trace_reader *r = replay_open_input(&o, argc, argv, optind, &is_command, &input, "replay");
    if (!r)
        return 1;
    FILE *out = stdout;
    if (o.output && !(out = fopen(o.output, "w"))) {
        perror(o.output);
        trace_close(r);
        return 1;
    }
    o.cfg.progress = !o.no_progress && !o.quiet && isatty(STDERR_FILENO);
    o.cfg.stop = &stop_requested;
    signal(SIGINT, on_sigint);

    struct replay_source src = {.reader = r};
    struct replay_result res;
    char err[1024];
    int rc = replay_run(&o.cfg, &src, &res, err, sizeof err);
    signal(SIGINT, SIG_DFL);
    if (rc) {
        fprintf(stderr, "vmlab replay: %s\n", err);
        trace_close(r);
        if (out != stdout)
            fclose(out);
        return 1;
    }
    const char *fmt = trace_format_name(trace_reader_format(r));
    if (!o.quiet) {
        if (o.json)
            replay_print_json(out, &o, input, &res);
        else if (o.csv) {
            replay_print_csv_header(out, &o);
            replay_print_csv_row(out, &o, input, &res);
        } else
            replay_print_text(out, &o, input, fmt, &res);
    }
    int status = 0;
    if (is_command) {
        int ws;
        if (trace_command_status(r, &ws) == 0 && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0))
            fprintf(stderr, "vmlab replay: %s exited with status %d\n", input,
                    WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
    }
    trace_close(r);
    if (out != stdout && fclose(out)) {
        perror(o.output);
        status = 1;
    }
    if (res.interrupted)
        status = 130;
    return status;
}
