/* cmd_record.c — vmlab record: trace a program with Valgrind into vmt.
 *
 * The lackey stream is parsed as Valgrind produces it (through a pipe) and
 * encoded straight to vmt: a run that would print gigabytes of text leaves
 * only the compact trace.
 *
 * Ctrl-C is meant for the program, as with `time PROGRAM`: vmlab ignores
 * SIGINT while it records, the program (which gets it too) ends, and the
 * trace up to that point is kept, reported as "killed by signal 2".
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <vmlab/trace.h>

#include "cli/cli.h"

static void record_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab record [-o FILE] -- PROGRAM [ARGS...]\n"
            "\n"
            "Run PROGRAM under valgrind --tool=lackey --trace-mem=yes and write every\n"
            "memory access it makes as a vmt trace. Valgrind reports through a pipe,\n"
            "so the program's own input and output are untouched and no text trace\n"
            "is written.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE  the vmt trace to write ('-': standard output);\n"
            "                     default PROGRAM.vmt (PROGRAM's base name)\n"
            "  -h, --help         this help\n"
            "\n"
            "Valgrind is $VMLAB_VALGRIND if set, else 'valgrind' on PATH. The program's\n"
            "own exit status is reported on stderr, not returned: status 0 means the trace\n"
            "was recorded; 1 that valgrind failed or the trace could not be written. Ctrl-C\n"
            "goes to the program; the trace up to that point is kept.\n\n%s",
            cli_exit_status_help);
}

int cmd_record(int argc, char **argv)
{
    const char *out = NULL;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            record_usage(stdout);
            return VMLAB_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "vmlab record: %s needs a file name\n", a);
                return VMLAB_EXIT_USAGE;
            }
            out = argv[++i];
        } else if (!strncmp(a, "--output=", 9)) {
            out = a + 9;
        } else if (a[0] == '-') {
            fprintf(stderr, "vmlab record: unknown option '%s'\n", a);
            record_usage(stderr);
            return VMLAB_EXIT_USAGE;
        } else {
            break;   /* the program */
        }
    }
    if (i >= argc) {
        fprintf(stderr, "vmlab record: no program given\n");
        record_usage(stderr);
        return VMLAB_EXIT_USAGE;
    }
    char **prog = argv + i;
    char defout[256];
    if (!out) {
        const char *base = strrchr(prog[0], '/');
        snprintf(defout, sizeof defout, "%s.vmt", base ? base + 1 : prog[0]);
        out = defout;
    }

    char err[512];
    struct trace_writer *w = trace_writer_open(out, err, sizeof err);
    if (!w) {
        fprintf(stderr, "vmlab record: %s\n", err);
        return VMLAB_EXIT_ERROR;
    }
    struct trace_reader *r = trace_open_command(prog, NULL, err, sizeof err);
    if (!r) {
        fprintf(stderr, "vmlab record: %s\n", err);
        trace_writer_discard(w);
        return VMLAB_EXIT_ERROR;
    }
    void (*old_int)(int) = signal(SIGINT, SIG_IGN);   /* the child keeps its own */
    struct trace_record rec;
    int n;
    while ((n = trace_next(r, &rec)) == 1)
        if (trace_write(w, &rec) < 0)
            break;
    signal(SIGINT, old_int);
    int status = 0;
    if (n < 0) {
        fprintf(stderr, "vmlab record: %s\n", trace_error(r));
        status = VMLAB_EXIT_ERROR;
    } else if (n == 1) {
        fprintf(stderr, "vmlab record: %s\n", trace_writer_error(w));
        status = VMLAB_EXIT_ERROR;
    }
    uint64_t records = trace_writer_records(w);
    if (status != 0) {
        trace_writer_discard(w);
    } else if (trace_writer_close(w, err, sizeof err) < 0) {
        fprintf(stderr, "vmlab record: %s\n", err);
        status = VMLAB_EXIT_ERROR;
    }
    int ws;
    if (status == 0 && trace_command_status(r, &ws) == 0) {
        char how[64];
        if (WIFEXITED(ws))
            snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(ws));
        else if (WIFSIGNALED(ws))
            snprintf(how, sizeof how, "was killed by signal %d (%s)", WTERMSIG(ws),
                     strsignal(WTERMSIG(ws)));
        else
            snprintf(how, sizeof how, "ended (wait status 0x%x)", ws);
        fprintf(stderr, "vmlab record: %llu records written to %s; %s %s\n",
                (unsigned long long)records, out, prog[0], how);
    }
    trace_close(r);
    return status;
}
