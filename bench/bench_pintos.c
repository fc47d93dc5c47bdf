/* bench_pintos.c — the project's PintOS suite (tests/pintos, every case of
 * tests/pintos/ck) end to end: its wall time beside its total guest
 * instruction count, as guest instructions per second -- every run's
 * vmlab start, loading, argument passing, system calls, faults, eviction
 * and swap included -- against the CPU's own figure measured in the same
 * run: bench_isa's quicksort (a CPU-bound guest with no system calls to
 * speak of), whose guest instructions per second are the interpreter's
 * ceiling. The aim: at least half of it.
 *
 * The cases run one after another, so the wall time is the suite's own
 * (the CPU time of the runs is printed too: the machine is shared). Each
 * run's status is checked against the case's; outputs are test_pintos's
 * business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lib/ptsuite.h"

static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* bench_isa (beside this program), run now: its guest instructions per
 * second, or 0. */
static double isa_figure(const char *self)
{
    const char *slash = strrchr(self, '/');
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "'%.*s/bench_isa'", slash ? (int)(slash - self) : 1, slash ? self : ".");
    FILE *p = popen(cmd, "r");
    if (!p)
        return 0;
    double secs, mips = 0;
    char line[512];
    while (fgets(line, sizeof line, p)) {
        const char *v = strstr(line, "vmlab (interpreter");
        if (v && (v = strchr(v, ':')) && sscanf(v + 1, "%lf s %lf", &secs, &mips) != 2)
            mips = 0;
    }
    return pclose(p) == 0 ? mips : 0;
}

int main(int argc, char *argv[])
{
    char programs[PATH_MAX];
    if (!pt_programs(programs, sizeof programs)) {
        printf("bench_pintos: skipped: no PintOS programs in build/pintos (riscv64-linux-gnu-gcc "
               "missing? run scripts/setup.sh)\n");
        return 0;
    }
    size_t n;
    char **names = pt_case_names(&n);
    if (!names || !n) {
        printf("bench_pintos: FAILED: no cases in tests/pintos/ck (run from the project root)\n");
        return 1;
    }
    uint64_t insns = 0;
    double wall = 0, cpu0 = children_cpu(), t0 = now();
    int bad = 0, ran = 0;
    for (size_t i = 0; i < n; i++) {
        struct pt_case c;
        struct pt_outcome o;
        char err[512];
        if (pt_case_load(names[i], &c, err, sizeof err) || pt_case_run(&c, programs, &o, err, sizeof err)) {
            printf("bench_pintos: %s\n", err);
            bad++;
            pt_case_free(&c);
            continue;
        }
        ran++;
        if (o.r.status != c.status || o.instructions == UINT64_MAX) {
            printf("bench_pintos: %s: status %d, expected %d\n", c.name, o.r.status, c.status);
            bad++;
        } else {
            insns += o.instructions;
            wall += o.seconds;
        }
        pt_outcome_free(&o);
        pt_case_free(&c);
    }
    double total = now() - t0, cpu = children_cpu() - cpu0;
    pt_names_free(names, n);
    if (bad) {
        printf("bench_pintos: FAILED: %d of %zu cases did not run as expected\n", bad, n);
        return 1;
    }
    double isa = isa_figure(argv[0]);
    double ips_wall = (double)insns / wall / 1e6, ips_cpu = (double)insns / cpu / 1e6;
    printf("PintOS suite: %d cases, %.3f G guest instructions\n", ran, (double)insns / 1e9);
    printf("  wall time of the runs:  %7.2f s  %6.1f M guest instructions/s end to end "
           "(%.2f s with setting up their file systems)\n", wall, ips_wall, total);
    printf("  CPU time of the runs:   %7.2f s  %6.1f M guest instructions/s\n", cpu, ips_cpu);
    if (isa > 0)
        printf("  bench_isa, same run:             %6.1f M guest instructions/s (CPU time)   "
               "suite/isa = %.2f wall, %.2f CPU (aim >= 0.5)\n", isa, ips_wall / isa, ips_cpu / isa);
    else
        printf("  bench_isa could not be run for the baseline\n");
    return 0;
}
