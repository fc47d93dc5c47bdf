/* test_run_trace.c — `vmlab run --trace-out`: the run trace, replayed
 * under the same configuration, gives every counter of the machine and the
 * kernel that the run gave (TLBs, walks, faults by kind, eviction, swap,
 * shootdowns, copy-on-write), over several CPUs and processes, memory
 * pressure under several policies, file mappings, THP, software refill and
 * another page-table format; replayed under other configurations it runs
 * as a what-if (more frames: fewer faults; OPT: no more faults than FIFO or
 * LRU); trace_next() on a run trace gives its accesses alone. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmlab/trace.h>

#include "lib/runkit.h"
#include "lib/tap.h"
#include "replay/replay.h"

static char trace_path[PATH_MAX];

struct setup {
    const char *what, *prog;
    const char *args[4];
    unsigned cpus;
    uint64_t frames, quantum;
    const char *policy, *pt;
    bool thp, refill, root;
};

static bool run_traced(const struct setup *s, struct guest_run *g, char *dir)
{
    char path[PATH_MAX];
    guest_path(s->prog, path, sizeof path);
    char *argv[6] = {path};
    int argc = 1;
    for (int i = 0; i < 4 && s->args[i]; i++)
        argv[argc++] = (char *)s->args[i];
    struct run_config rc;
    run_config_default(&rc);
    rc.ncpus = s->cpus ? s->cpus : 1;
    rc.frames = s->frames;
    rc.quantum = s->quantum;
    rc.swap_bytes = 64u << 20;
    if (s->policy)
        rc.policy = s->policy;
    if (s->pt) {
        rc.fmt = pt_format_by_name(s->pt);
        rc.tlb = *tlb_preset("golden-cove");
        rc.tlb_name = "golden-cove";
    }
    rc.thp = s->thp;
    if (s->refill) {
        rc.tlb_refill = TLB_REFILL_SOFTWARE;
        rc.sw_pt = KERNEL_SW_PT_HASHED;
    }
    if (s->root) {
        scratch_make(dir, PATH_MAX);
        rc.root = dir;
    }
    rc.trace_out = trace_path;
    guest_run(&rc, argc, argv, g);
    return g->rc == 0 && !g->sum.trace_failed;
}

static int replay_with(struct replay_config *cfg, struct replay_result *res, char *err, size_t errlen)
{
    struct trace_reader *r = trace_open(trace_path, TRACE_AUTO, NULL, err, errlen);
    if (!r)
        return -1;
    struct replay_source src = {.reader = r};
    int rc = replay_run(cfg, &src, res, err, errlen);
    trace_close(r);
    return rc;
}

static void same_counters(const struct setup *s)
{
    struct guest_run g;
    char dir[PATH_MAX] = "";
    bool traced = run_traced(s, &g, dir);
    if (!ok(traced, "%s: the run and its trace (%s)", s->what,
            g.rc ? g.msg : g.sum.trace_failed ? g.sum.trace_error : "ok")) {
        guest_free(&g);
        return;
    }
    struct replay_config cfg;
    replay_config_default(&cfg);   /* nothing given: the run's own configuration */
    struct replay_result res;
    char err[512];
    int rc = replay_with(&cfg, &res, err, sizeof err);
    ok(rc == 0 && res.run_trace && res.ncpus == (s->cpus ? s->cpus : 1), "  it replays (%s)",
       rc ? err : "ok");
    if (rc == 0) {
        int bad = -1;
        for (int i = 0; i < CPU_STAT_NR && bad < 0; i++)
            if (res.cpu.v[i] != g.sum.cpu.v[i])
                bad = i;
        ok(bad < 0, "  every machine counter equal (%llu accesses, %llu walks, %llu shootdowns)%s%s",
           (unsigned long long)res.cpu.v[CPU_STAT_ACCESSES], (unsigned long long)res.cpu.v[CPU_STAT_WALKS],
           (unsigned long long)res.cpu.v[CPU_STAT_SHOOTDOWNS_SENT], bad < 0 ? "" : ": differs at ",
           bad < 0 ? "" : cpu_stat_names[bad]);
        bad = -1;
        for (int i = 0; i < VMSTAT_NR && bad < 0; i++)
            if (res.vm.v[i] != g.sum.vm.v[i])
                bad = i;
        ok(bad < 0, "  every kernel counter equal (pgfault %llu, pgmajfault %llu, pswpout %llu, "
                    "cow_fault %llu)%s%s",
           (unsigned long long)res.vm.v[VMSTAT_PGFAULT], (unsigned long long)res.vm.v[VMSTAT_PGMAJFAULT],
           (unsigned long long)res.vm.v[VMSTAT_PSWPOUT], (unsigned long long)res.vm.v[VMSTAT_COW_FAULT],
           bad < 0 ? "" : ": differs at ", bad < 0 ? "" : vmstat_names[bad]);
        if (bad >= 0)
            tap_diag("run %llu, replay %llu", (unsigned long long)g.sum.vm.v[bad],
                     (unsigned long long)res.vm.v[bad]);
    }
    guest_free(&g);
    if (dir[0])
        scratch_remove(dir);
}

int main(void)
{
    const char *san = getenv("VMLAB_SAN");
    bool tsan = san && !strcmp(san, "tsan");
    if (!guest_have_corpus()) {
        tap_plan(0);
        tap_skip(1, "the guest corpus is missing: run scripts/setup.sh");
        return tap_done();
    }
    snprintf(trace_path, sizeof trace_path, "%s/vmlab-run-trace-%d.vmt",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    static const struct setup setups[] = {
        {"forktree on 4 CPUs, 64 frames, clock", "forktree", {"2", "3"}, 4, 64, 2000, "clock", NULL, false, false, false},
        {"pipe on 2 CPUs, 48 frames, fifo", "pipe", {"150000"}, 2, 48, 5000, "fifo", NULL, false, false, false},
        {"sort, 40 frames, lru", "sort", {"15000"}, 1, 40, 0, "lru", NULL, false, false, false},
        {"malloc, 64 frames, linux, x86-64", "malloc", {"2000"}, 1, 64, 0, "linux", "x86-64", false, false, false},
        {"mmapfile under --root, 32 frames", "mmapfile", {"24"}, 1, 32, 0, "clock", NULL, false, false, true},
        {"lazy with THP", "lazy", {0}, 1, 0, 0, NULL, NULL, true, false, false},
        {"hash with software refill (hashed table), 2 CPUs", "hash", {"4000"}, 2, 80, 3000, "aging", NULL, false, true, false},
    };
    for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
        if (tsan && setups[i].cpus < 2)
            continue;
        if (san && !tsan && i % 2)
            continue;   /* ASan: half of them */
        same_counters(&setups[i]);
    }
    if (tsan) {
        unlink(trace_path);
        return tap_done();
    }

    /* what-ifs on one trace */
    struct guest_run g;
    char dir[PATH_MAX] = "";
    struct setup s = {"forktree", "forktree", {"2", "3"}, 2, 48, 3000, "clock", NULL, false, false, false};
    if (run_traced(&s, &g, dir)) {
        struct replay_config cfg;
        struct replay_result res[4];
        char err[512];
        static const char *const pol[] = {"fifo", "lru", "opt", "clock"};
        int rc = 0;
        for (int k = 0; k < 4; k++) {
            replay_config_default(&cfg);
            cfg.policy = pol[k];
            cfg.frames = k == 3 ? 4096 : 48;
            cfg.given = REPLAY_GIVEN_POLICY | REPLAY_GIVEN_FRAMES;
            rc |= replay_with(&cfg, &res[k], err, sizeof err);
        }
        ok(rc == 0, "the trace replays under fifo, lru, opt and more frames (%s)", rc ? err : "ok");
        if (rc == 0) {
            ok(res[2].vm.v[VMSTAT_PSWPIN] <= res[0].vm.v[VMSTAT_PSWPIN] &&
                   res[2].vm.v[VMSTAT_PSWPIN] <= res[1].vm.v[VMSTAT_PSWPIN],
               "OPT swaps in no more than FIFO or LRU (%llu, %llu, %llu)",
               (unsigned long long)res[2].vm.v[VMSTAT_PSWPIN], (unsigned long long)res[0].vm.v[VMSTAT_PSWPIN],
               (unsigned long long)res[1].vm.v[VMSTAT_PSWPIN]);
            ok(res[3].vm.v[VMSTAT_PSWPIN] == 0 && res[3].vm.v[VMSTAT_PGFAULT] < res[0].vm.v[VMSTAT_PGFAULT],
               "with 4096 frames nothing swaps and fewer faults happen (%llu < %llu)",
               (unsigned long long)res[3].vm.v[VMSTAT_PGFAULT], (unsigned long long)res[0].vm.v[VMSTAT_PGFAULT]);
            ok(res[0].run.frames == 48 && !strcmp(res[0].run.policy, "fifo") &&
                   !strcmp(res[0].run.fmt->name, "sv39") && res[0].ncpus == 2,
               "options given override the run's configuration, the rest is the run's");
        }
        /* trace_next: the accesses alone */
        char err2[256];
        struct trace_reader *r = trace_open(trace_path, TRACE_AUTO, NULL, err2, sizeof err2);
        uint64_t n = 0;
        struct trace_record rec;
        int rd = 0;
        while (r && (rd = trace_next(r, &rec)) == 1)
            n++;
        ok(r && rd == 0 && trace_reader_version(r) == 2 && n == res[0].records,
           "trace_next reads a run trace's %llu accesses and skips its events", (unsigned long long)n);
        trace_close(r);
    }
    guest_free(&g);
    unlink(trace_path);
    return tap_done();
}
