/* main.c — the vmlab command: dispatch to a subcommand, then make sure
 * everything it printed reached standard output. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"replay", cmd_replay, "run a trace through the machine and kernel; report like perf stat"},
    {"sweep", cmd_sweep, "replay traces over a grid of any options; plan it for a cluster, collect it"},
    {"explain", cmd_explain, "show how a virtual address splits; what each counter means"},
    {"convert", cmd_convert, "convert a trace (rw, lackey, refs; gzip/xz/zstd) to vmt"},
    {"record",  cmd_record,  "trace a program's memory accesses with Valgrind into vmt"},
    {"run",     cmd_run,     "run a static RISC-V Linux program on vmlab's CPUs, MMU and kernel"},
    {"step",    cmd_step,    "replay a trace and print the path of each access, step by step"},
    {"explore", cmd_explore, "replay a trace into one page that shows it step by step"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: vmlab COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\n'vmlab COMMAND --help' describes a command.\n\n%s", cli_exit_status_help);
}

/* A write to standard output can fail late (a full disk, a closed pipe,
 * /dev/full): only the final flush and close tell. Such a run failed. */
static int close_stdout(int status)
{
    int e = 0;
    if (fflush(stdout) != 0)
        e = errno ? errno : EIO;
    else if (ferror(stdout))
        e = EIO;
    if (fclose(stdout) != 0 && !e)
        e = errno;
    if (!e)
        return status;
    fprintf(stderr, "vmlab: standard output: %s\n", strerror(e));
    return cli_exit_worst(status, VMLAB_EXIT_ERROR);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return VMLAB_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return VMLAB_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("vmlab %s\n", VMLAB_VERSION);
        return VMLAB_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "vmlab: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return VMLAB_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    cli_catch_signals(NULL);
    return close_stdout(dispatch(argc, argv));
}
