/* bench_refill.c — replay with software TLB refill beside hardware walks.
 *
 * The bundled bzip trace (1M accesses), loaded once, replayed on the same
 * TLB with the hardware walker and with the kernel's refill handler reading
 * each of its three structures, in the same run. Two TLBs: the r3000
 * preset (64 entries, MIPS's, no micro-TLBs) and a two-level one (16-entry
 * L1s in front of a 256-entry L2). Memory is ample, so after the cold
 * faults the runs differ only in how misses are refilled.
 *
 * Printed per run: simulator speed (M accesses/s) and its ratio to the
 * hardware-walk run of the same TLB; the simulated machine's TLB misses
 * (walks that were not a fault's retry or a dirty re-walk; refill traps)
 * and the entries read per miss; the effective access time of the cost model
 * (docs/replay.md). The speed ratio is vmlab's cost of running the
 * handler on the host; the access time is the simulated machine's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/replay.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct design {
    const char *name;
    enum tlb_refill refill;
    int sw_pt;
};

static const struct design designs[] = {
    {"hardware walk", TLB_REFILL_HARDWARE, 0},
    {"linear table", TLB_REFILL_SOFTWARE, KERNEL_SW_PT_LINEAR},
    {"hashed table", TLB_REFILL_SOFTWARE, KERNEL_SW_PT_HASHED},
    {"inverted table", TLB_REFILL_SOFTWARE, KERNEL_SW_PT_INVERTED},
};

/* Best of three replays: wall seconds, and the last result. */
static double replay_best(const struct replay_config *cfg, const struct trace_record *recs,
                          size_t n, struct replay_result *res)
{
    double best = 1e30;
    for (int i = 0; i < 3; i++) {
        struct replay_source src = {.recs = recs, .nrecs = n};
        char err[512];
        double t0 = now();
        if (replay_run(cfg, &src, res, err, sizeof err)) {
            fprintf(stderr, "bench_refill: %s\n", err);
            exit(1);
        }
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

int main(void)
{
    const char *trace = "examples/traces/bzip.trace.gz";
    char err[512];
    struct trace_reader *r = trace_open(trace, TRACE_AUTO, NULL, err, sizeof err);
    struct trace_record *recs;
    size_t n;
    if (!r || replay_load(r, &recs, &n, 0, err, sizeof err)) {
        fprintf(stderr, "bench_refill: %s: %s\n", trace, err);
        return 1;
    }
    trace_close(r);
    static const struct { const char *name, *preset, *geometry; } tlbs[] = {
        {"r3000", "r3000", NULL},
        {"16+256", "tiny", "l1d=16x4,l1i=16x4,l2=256x4"},
    };
    printf("software TLB refill vs hardware walks: %s, %zu accesses, 16 MiB of memory\n", trace, n);
    printf("  %-8s %-15s %9s %7s %10s %10s %10s\n", "TLB", "refill", "M acc/s", "time", "misses",
           "reads/miss", "access ns");
    for (size_t t = 0; t < 2; t++) {
        double base = 0;
        for (size_t d = 0; d < sizeof designs / sizeof designs[0]; d++) {
            struct replay_config cfg;
            replay_config_default(&cfg);
            cfg.tlb = *tlb_preset(tlbs[t].preset);
            if (tlbs[t].geometry && tlb_config_parse(&cfg.tlb, tlbs[t].geometry, err, sizeof err)) {
                fprintf(stderr, "bench_refill: %s\n", err);
                return 1;
            }
            cfg.frames = 4096;
            cfg.tlb_refill = designs[d].refill;
            cfg.sw_pt = designs[d].sw_pt;
            struct replay_result res;
            double secs = replay_best(&cfg, recs, n, &res);
            if (d == 0)
                base = secs;
            bool hw = designs[d].refill == TLB_REFILL_HARDWARE;
            uint64_t refills = hw ? replay_stat_value(&res, "dTLB-load-misses") +
                                        replay_stat_value(&res, "dTLB-store-misses") +
                                        replay_stat_value(&res, "iTLB-load-misses") -
                                        replay_stat_value(&res, "tlb-dirty-rewalks")
                                  : replay_stat_value(&res, "refill-traps");
            uint64_t reads = hw ? replay_stat_value(&res, "walk-mem-refs")
                                : replay_stat_value(&res, "swpt_probes");
            printf("  %-8s %-15s %9.1f %6.2fx %10llu %10.2f %10.3f\n", tlbs[t].name, designs[d].name,
                   (double)n / secs / 1e6, secs / base, (unsigned long long)refills,
                   refills ? (double)reads / (double)refills : 0.0, res.eat_ns);
        }
    }
    printf("  (time: wall time over the hardware-walk run's, same TLB, same run; reads: the\n"
           "   walker's page-table entries, or the refill handler's probes, over all misses)\n");
    free(recs);
    return 0;
}
