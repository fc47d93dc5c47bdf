/* bench_run.c — `vmlab run` of a real glibc program, beside qemu-riscv64
 * and the same program built natively, in the same run.
 *
 * 1. Guest instructions per second: the corpus's sort (tests/guest/sort.c,
 *    built by riscv64-linux-gnu-gcc -static into build/guest/, and with cc
 *    for the host) sorting 10 M integers with its quicksort, under
 *    run_program (Sv39, zen4 TLBs, 1 GiB of frames: no swapping), under
 *    qemu-riscv64 and natively; the outputs must agree. CPU time (user +
 *    system: the machine is shared) of each; the ratios vmlab/qemu and
 *    vmlab/native.
 * 2. Memory pressure: the corpus's pages program (16 passes over 4096 heap
 *    pages, written once then read: tests/guest/pages.c) in 8192 frames and
 *    in 512, where nearly every access is a swap-in with a clean victim:
 *    the extra time per extra fault, beside the minor and major fault costs
 *    bench_fault measures in this run (an anonymous zero-fill fault; a
 *    swap-in with a clean victim dropped). The aim: the extra time at most
 *    1.5x what those faults cost at those prices.
 * BENCH_RUN_N overrides the 10 M.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vmlab/run.h>

static double cpu_time(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

static int sh(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    out[0] = 0;
    if (!fgets(out, (int)len, p))
        out[0] = 0;
    char sink[256];
    while (fgets(sink, sizeof sink, p))
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct result {
    char out[256];
    int status;
    double secs;
    struct run_summary s;
};

static int run_vmlab(int argc, char *const argv[], uint64_t frames, struct result *r)
{
    int fd = memfd_create("bench-out", 0);
    struct run_config rc;
    run_config_default(&rc);
    rc.frames = frames;
    rc.stdout_fd = fd;
    char err[512];
    double t0 = cpu_time(RUSAGE_SELF);
    if (run_program(&rc, argc, argv, &r->s, err, sizeof err)) {
        fprintf(stderr, "bench_run: %s\n", err);
        return -1;
    }
    r->secs = cpu_time(RUSAGE_SELF) - t0;
    r->status = r->s.status;
    ssize_t got = pread(fd, r->out, sizeof r->out - 1, 0);
    r->out[got > 0 ? got : 0] = 0;
    close(fd);
    return 0;
}

/* The fault prices bench_fault measures (its BENCH_FAULT_ONLY modes), in
 * this run: an anonymous minor fault, and a major fault (a swap-in, the
 * victim clean and dropped). 0 if bench_fault cannot be run. */
static double bench_fault_price(const char *dir, const char *which)
{
    char cmd[PATH_MAX + 64], out[256];
    snprintf(cmd, sizeof cmd, "BENCH_FAULT_ONLY=%s '%s/bench/bench_fault'", which, dir);
    if (sh(cmd, out, sizeof out) != 0)
        return 0;
    const char *p = strchr(out, ':');
    return p ? atof(p + 1) : 0;
}

/* The best of three runs (the machine is shared). */
static int best_of_three(int argc, char *const argv[], uint64_t frames, struct result *r)
{
    for (int k = 0; k < 3; k++) {
        struct result t;
        if (run_vmlab(argc, argv, frames, &t))
            return -1;
        if (k == 0 || t.secs < r->secs) {
            if (k)
                run_summary_free(&r->s);
            *r = t;
        } else {
            run_summary_free(&t.s);
        }
    }
    return 0;
}

int main(void)
{
    const char *bin = getenv("VMLAB");
    char dir[PATH_MAX], prog[PATH_MAX + 64], nat[PATH_MAX + 64], src[] = "tests/guest/sort.c";
    const char *slash = bin ? strrchr(bin, '/') : NULL;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - bin) : 5, slash ? bin : "build");
    snprintf(prog, sizeof prog, "%s/guest/sort", dir);
    snprintf(nat, sizeof nat, "%s/bench-guest/sort-native", dir);
    char cmd[4 * PATH_MAX], out[256];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/bench-guest' && cc -O2 -Itests/guest -o '%s' %s", dir, nat,
             src);
    if (access(prog, R_OK) || sh(cmd, out, sizeof out) != 0) {
        printf("bench_run: skipped: %s or the native build is missing (run scripts/setup.sh, make)\n", prog);
        return 0;
    }
    const char *n = getenv("BENCH_RUN_N") ? getenv("BENCH_RUN_N") : "10000000";

    struct result v;
    char *sort_argv[] = {prog, (char *)n, (char *)"1", NULL};
    if (run_vmlab(3, sort_argv, 0, &v))
        return 1;
    char qout[256], nout[256];
    snprintf(cmd, sizeof cmd, "qemu-riscv64 '%s' %s 1", prog, n);
    double t0 = cpu_time(RUSAGE_CHILDREN);
    int qrc = sh(cmd, qout, sizeof qout);
    double tq = cpu_time(RUSAGE_CHILDREN) - t0;
    snprintf(cmd, sizeof cmd, "'%s' %s 1", nat, n);
    t0 = cpu_time(RUSAGE_CHILDREN);
    int nrc = sh(cmd, nout, sizeof nout);
    double tn = cpu_time(RUSAGE_CHILDREN) - t0;
    if (v.status || qrc || nrc || strcmp(v.out, qout) || strcmp(v.out, nout)) {
        printf("bench_run: FAILED: outputs differ: vmlab (%d) %s qemu (%d) %s native (%d) %s\n",
               v.status, v.out, qrc, qout, nrc, nout);
        return 1;
    }
    double gips = (double)v.s.instret / v.secs;
    printf("sort of %s integers (glibc, static): %.3f G guest instructions, %s", n,
           (double)v.s.instret / 1e9, v.out);
    printf("  vmlab run (interpreter, zen4 TLBs, Sv39): %7.3f s  %6.1f M guest instructions/s "
           "(aim: well over 100)\n", v.secs, gips / 1e6);
    printf("  qemu-riscv64 (JIT):                       %7.3f s  vmlab/qemu   = %.1fx (aim <= 10)\n", tq,
           v.secs / tq);
    printf("  native x86-64:                            %7.3f s  vmlab/native = %.1fx\n", tn, v.secs / tn);
    run_summary_free(&v.s);

    /* memory pressure */
    char pages[PATH_MAX + 64];
    snprintf(pages, sizeof pages, "%s/guest/pages", dir);
    char *pages_argv[] = {pages, (char *)"4096", (char *)"16", NULL};
    struct result easy, hard;
    if (best_of_three(3, pages_argv, 8192, &easy) || best_of_three(3, pages_argv, 512, &hard))
        return 1;
    if (strcmp(easy.out, hard.out) || easy.status || hard.status) {
        printf("bench_run: FAILED: under pressure the output differs: %s / %s", easy.out, hard.out);
        return 1;
    }
    easy.out[strcspn(easy.out, "\n")] = 0;
    double pmin = bench_fault_price(dir, "minor"), pmaj = bench_fault_price(dir, "major");
    int64_t dmin = (int64_t)(hard.s.vm.v[VMSTAT_PGMINFAULT] - easy.s.vm.v[VMSTAT_PGMINFAULT]);
    int64_t dmaj = (int64_t)(hard.s.vm.v[VMSTAT_PGMAJFAULT] - easy.s.vm.v[VMSTAT_PGMAJFAULT]);
    int64_t dfaults = (int64_t)(hard.s.vm.v[VMSTAT_PGFAULT] - easy.s.vm.v[VMSTAT_PGFAULT]);
    double extra = hard.secs - easy.secs, priced = ((double)dmin * pmin + (double)dmaj * pmaj) * 1e-9;
    printf("16 passes over 4096 pages (%s), 8192 frames vs 512 frames (best of 3 each):\n", easy.out);
    printf("  %.3f s vs %.3f s: %.3f s more for %lld more faults (%lld minor, %lld major; %llu pages "
           "written to swap)\n", easy.secs, hard.secs, extra, (long long)dfaults, (long long)dmin,
           (long long)dmaj, (unsigned long long)hard.s.vm.v[VMSTAT_PSWPOUT]);
    printf("  bench_fault's prices now: minor %.0f ns, major %.0f ns: those faults cost %.3f s at "
           "those prices\n", pmin, pmaj, priced);
    printf("  extra time / priced faults = %.2f (aim <= 1.5); %.0f ns per extra fault\n",
           priced > 0 ? extra / priced : 0.0, dfaults > 0 ? extra / (double)dfaults * 1e9 : 0.0);
    run_summary_free(&easy.s);
    run_summary_free(&hard.s);
    return 0;
}
