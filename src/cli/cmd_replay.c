/* cmd_replay.c — `vmlab replay`: a trace through the whole system. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/replay_output.h"

static volatile sig_atomic_t stop_requested;

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
            "Ctrl-C stops cleanly and reports what was counted so far.\n\n%s\n%s",
            replay_options_help, cli_exit_status_help);
}

/* How PROGRAM (replay -- PROGRAM) ended, if not with status 0: said on
 * stderr, not returned (the exit status is vmlab's own). */
static int replay_main(struct replay_opts *o, int argc, char **argv)
{
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, REPLAY_SHORT_OPTIONS, replay_long_options, NULL)) != -1) {
        if (c == 'h') {
            replay_usage(stdout);
            return VMLAB_EXIT_OK;
        }
        int h = replay_opts_handle(o, c, optarg, "replay");
        if (h < 0)
            return VMLAB_EXIT_USAGE;
        if (h == 0) {
            replay_usage(stderr);
            return VMLAB_EXIT_USAGE;
        }
    }
    if (replay_opts_finish(o, "replay"))
        return VMLAB_EXIT_USAGE;
    if (o->quiet && o->output) {
        fprintf(stderr, "vmlab replay: --quiet writes no report: drop -o %s, or --quiet\n", o->output);
        return VMLAB_EXIT_USAGE;
    }

    bool is_command, usage;
    const char *input;
    struct trace_reader *r = replay_open_input(o, argc, argv, optind, &is_command, &input, &usage,
                                               "replay");
    if (!r)
        return usage ? VMLAB_EXIT_USAGE : VMLAB_EXIT_ERROR;

    /* The report goes to a temporary file renamed over -o FILE only when it
     * is complete: nothing is truncated before the input has been read, and
     * a failed run leaves an older report alone. */
    char err[1024];
    struct outfile out;
    bool printing = !o->quiet;
    struct file_id in_id = replay_input_id(o);
    if (printing && outfile_open(&out, o->output ? o->output : "-", &in_id, err, sizeof err)) {
        fprintf(stderr, "vmlab replay: %s\n", err);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    o->cfg.progress = !o->no_progress && !o->quiet && isatty(STDERR_FILENO);
    o->cfg.stop = &stop_requested;
    cli_catch_signals(&stop_requested);

    struct replay_source src = {.reader = r};
    struct replay_result res;
    int rc = replay_run(&o->cfg, &src, &res, err, sizeof err);
    if (rc) {
        fprintf(stderr, "vmlab replay: %s\n", err);
        if (printing)
            outfile_abort(&out);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    int status = VMLAB_EXIT_OK;
    if (res.run_trace)
        o->cfg = res.run;   /* a run trace: say the configuration it was replayed in */
    if (printing) {
        FILE *f = outfile_stream(&out);
        if (!f) {
            fprintf(stderr, "vmlab replay: %s: out of memory\n", o->output ? o->output : "stdout");
            outfile_abort(&out);
            trace_close(r);
            return VMLAB_EXIT_ERROR;
        }
        if (o->json)
            replay_print_json(f, o, input, &res);
        else if (o->csv)
            replay_print_csv(f, o, input, &res);
        else if (!o->quiet)
            replay_print_text(f, o, input, trace_format_name(trace_reader_format(r)), &res);
        if (outfile_commit(&out, err, sizeof err)) {
            fprintf(stderr, "vmlab replay: %s\n", err);
            status = VMLAB_EXIT_ERROR;
        }
    }
    status = replay_tell_end("replay", input, r, is_command, &res, status);
    trace_close(r);
    return status;
}

int cmd_replay(int argc, char **argv)
{
    struct replay_opts o;
    replay_opts_init(&o, argc, argv);
    int status = replay_main(&o, argc, argv);
    replay_opts_free(&o);
    return status;
}
