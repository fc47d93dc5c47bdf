/* main.c — the vmlab command: dispatch to a subcommand. */
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
    {"sweep", cmd_sweep, "replay one trace over a grid of memory sizes, policies or TLB sizes"},
    {"explain", cmd_explain, "show how a virtual address splits into page-table indices"},
    {"convert", cmd_convert, "convert a trace (rw, lackey, refs; gzip/xz/zstd) to vmt"},
    {"record",  cmd_record,  "trace a program's memory accesses with Valgrind into vmt"},
    {"run",     cmd_run,     "run a static RISC-V Linux program on vmlab's CPUs, MMU and kernel"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: vmlab COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\n'vmlab COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("vmlab 0.1.0\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "vmlab: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
