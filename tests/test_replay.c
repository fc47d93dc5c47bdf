/* test_replay.c — the replay driver against independent models.
 *
 * The whole system (CPU, TLB, walker, kernel fault handler, frame table,
 * eviction, swap) replays page streams whose fault counts an independent
 * reference model (refsim) computes; the counts must be equal. Textbook
 * strings give the known answers.
 */
#include <stdlib.h>
#include <string.h>

#include "replay/refsim.h"
#include "replay/replay.h"
#include "lib/tap.h"

static void records_from_pages(const uint64_t *pages, const uint8_t *writes, size_t n,
                               struct trace_record *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (struct trace_record){.va = pages[i] << VM_PAGE_SHIFT | (i * 8 % 4096),
                                       .size = 8,
                                       .kind = writes && writes[i] ? VM_ACCESS_WRITE : VM_ACCESS_READ};
}

static uint64_t replay_faults(const char *policy, uint64_t frames, const struct trace_record *recs,
                              size_t n, const char *tlb, struct replay_result *res)
{
    struct replay_config cfg;
    replay_config_default(&cfg);
    cfg.policy = policy;
    cfg.frames = frames;
    cfg.tlb = *tlb_preset(tlb);
    cfg.swap_bytes = 64 << 20;
    struct replay_source src = {.recs = recs, .nrecs = n};
    char err[512];
    if (replay_run(&cfg, &src, res, err, sizeof err)) {
        tap_diag("replay failed: %s", err);
        return UINT64_MAX;
    }
    return res->vm.v[VMSTAT_PGFAULT];
}

static void textbook(void)
{
    static const uint64_t silb[] = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
    static const uint64_t belady[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
    struct trace_record r[20];
    struct replay_result res;
    records_from_pages(silb, NULL, 20, r);
    is_u64(replay_faults("fifo", 3, r, 20, "golden-cove", &res), 15, "Silberschatz string, FIFO, 3 frames: 15 faults");
    is_u64(replay_faults("lru", 3, r, 20, "golden-cove", &res), 12, "Silberschatz string, LRU, 3 frames: 12 faults");
    is_u64(replay_faults("opt", 3, r, 20, "golden-cove", &res), 9, "Silberschatz string, OPT, 3 frames: 9 faults");
    records_from_pages(belady, NULL, 12, r);
    is_u64(replay_faults("fifo", 3, r, 12, "tiny", &res), 9, "Belady's string, FIFO, 3 frames: 9 faults");
    is_u64(replay_faults("fifo", 4, r, 12, "tiny", &res), 10, "Belady's string, FIFO, 4 frames: 10 faults (the anomaly)");
    is_u64(res.vm.v[VMSTAT_PSWPOUT], 0, "read-only pages are never written to swap");
    is_u64(res.vm.v[VMSTAT_PGDROP_CLEAN], res.vm.v[VMSTAT_PGSTEAL], "every eviction of a never-written page is a clean drop");
}

/* Random streams: the system's fault counts equal the model's. */
static void against_model(void)
{
    static const struct { const char *kernel; enum refsim_policy model; } pol[] = {
        {"fifo", REFSIM_FIFO}, {"lru", REFSIM_LRU}, {"opt", REFSIM_OPT},
    };
    const size_t n = 4000;
    uint64_t *pages = malloc(n * sizeof *pages);
    uint8_t *writes = malloc(n);
    struct trace_record *recs = malloc(n * sizeof *recs);
    int mismatches = 0, checks = 0;
    uint64_t dirty_mismatch = 0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        uint64_t st = seed;
        size_t npages = 8 + seed * 5;
        for (size_t i = 0; i < n; i++) {
            /* a hot set and a cold tail, as programs have */
            uint64_t x = refsim_splitmix64(&st);
            pages[i] = (x % 4 ? x % (npages / 3 + 1) : x % npages) + (seed & 1 ? 0x100 : 0x7fff0);
            writes[i] = (refsim_splitmix64(&st) % 3) == 0;
        }
        records_from_pages(pages, writes, n, recs);
        for (size_t p = 0; p < sizeof pol / sizeof pol[0]; p++) {
            for (uint64_t frames = 2; frames <= npages; frames = frames * 2 + 1) {
                struct refsim_result model;
                refsim_run(pol[p].model, frames, pages, writes, n, 0, &model);
                struct replay_result res;
                uint64_t got = replay_faults(pol[p].kernel, frames, recs, n, "golden-cove", &res);
                checks++;
                if (got != model.faults) {
                    mismatches++;
                    tap_diag("seed %llu %s frames %llu: kernel %llu faults, model %llu",
                             (unsigned long long)seed, pol[p].kernel, (unsigned long long)frames,
                             (unsigned long long)got, (unsigned long long)model.faults);
                }
                /* OPT's ties (pages never used again) may be broken differently,
                 * which changes which page is written but not the fault count */
                if (pol[p].model != REFSIM_OPT && res.vm.v[VMSTAT_PSWPOUT] != model.dirty_evictions) {
                    dirty_mismatch++;
                    tap_diag("seed %llu %s frames %llu: pswpout %llu, model dirty evictions %llu",
                             (unsigned long long)seed, pol[p].kernel, (unsigned long long)frames,
                             (unsigned long long)res.vm.v[VMSTAT_PSWPOUT],
                             (unsigned long long)model.dirty_evictions);
                }
            }
        }
    }
    ok(mismatches == 0, "FIFO, LRU and OPT through the whole system equal the model (%d runs)", checks);
    ok(dirty_mismatch == 0, "FIFO and LRU: pages written to swap equal the model's dirty evictions (%llu differ)",
       (unsigned long long)dirty_mismatch);
    free(pages);
    free(writes);
    free(recs);
}

/* A fully associative LRU TLB of N entries misses exactly as often as LRU
 * paging with N frames on the same page stream (the TLB is then a cache of
 * N pages with LRU replacement, which is what LRU paging is). */
static void tlb_equals_lru_paging(void)
{
    const size_t n = 3000, entries = 16;
    uint64_t *pages = malloc(n * sizeof *pages);
    struct trace_record *recs = malloc(n * sizeof *recs);
    uint64_t st = 42;
    for (size_t i = 0; i < n; i++)
        pages[i] = refsim_splitmix64(&st) % 40 + 0x400;
    records_from_pages(pages, NULL, n, recs);
    struct replay_config cfg;
    replay_config_default(&cfg);
    cfg.frames = 4096;
    char err[256];
    tlb_config_parse(&cfg.tlb, "l1d=16xfull,l1i=16xfull,l2=none,pwc=none", err, sizeof err);
    struct replay_source src = {.recs = recs, .nrecs = n};
    struct replay_result res;
    int rc = replay_run(&cfg, &src, &res, err, sizeof err);
    struct refsim_result model;
    refsim_run(REFSIM_LRU, entries, pages, NULL, n, 0, &model);
    ok(rc == 0, "replay with a 16-entry fully associative TLB");
    is_u64(res.cpu.v[CPU_STAT_DTLB_LOAD_MISSES], model.faults,
           "16-entry LRU TLB misses == LRU paging faults with 16 frames");
    free(pages);
    free(recs);
}

static void determinism(void)
{
    const size_t n = 5000;
    struct trace_record *recs = malloc(n * sizeof *recs);
    uint64_t st = 7;
    for (size_t i = 0; i < n; i++)
        recs[i] = (struct trace_record){.va = (refsim_splitmix64(&st) % (1 << 24)) * 8, .size = 8,
                                        .kind = (enum vm_access)(i % 3 == 0)};
    struct replay_result a, b;
    replay_faults("random", 64, recs, n, "zen4", &a);
    replay_faults("random", 64, recs, n, "zen4", &b);
    ok(!memcmp(&a.cpu, &b.cpu, sizeof a.cpu) && !memcmp(&a.vm, &b.vm, sizeof a.vm),
       "the same input and options give the same counters (random policy, seed 0)");
    replay_faults("clock", 64, recs, n, "golden-cove", &a);
    replay_faults("clock", 64, recs, n, "golden-cove", &b);
    ok(!memcmp(&a.cpu, &b.cpu, sizeof a.cpu) && !memcmp(&a.vm, &b.vm, sizeof a.vm),
       "the same input and options give the same counters (clock)");
    ok(a.vm.v[VMSTAT_PSWPOUT] > 0 && a.vm.v[VMSTAT_PSWPIN] > 0, "the run swapped out and in");
    free(recs);
}

/* A 32-bit course trace (bzip, 1M accesses, addresses up to 0xffffffff)
 * under ia32, sv32 and x86-64 with one TLB geometry: the same page
 * stream, so the same faults (FIFO's count from the independent model),
 * the same TLB misses; two entries read a walk on the 32-bit formats and
 * four on x86-64 (no page-walk caches); and as many page tables as the
 * trace's distinct 4 MiB regions plus the directory. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void course_trace_32bit(void)
{
    char err[512];
    struct trace_options topt = {0};
    struct trace_reader *rd = trace_open("examples/traces/bzip.trace.gz", TRACE_AUTO, &topt, err, sizeof err);
    if (!ok(rd != NULL, "open examples/traces/bzip.trace.gz (%s)", rd ? "" : err))
        return;
    struct trace_record *recs;
    size_t n;
    int rc = replay_load(rd, &recs, &n, err, sizeof err);
    trace_close(rd);
    if (!ok(rc == 0 && n == 1000000, "bzip: 1,000,000 records"))
        return;
    const char *san = getenv("VMLAB_SAN");
    if (san && *san)
        n = 200000;                              /* sanitizers: a prefix */
    uint64_t *pages = malloc(n * sizeof *pages), *regions = malloc(n * sizeof *regions);
    uint8_t *writes = malloc(n);
    vaddr_t top = 0;
    for (size_t i = 0; i < n; i++) {
        pages[i] = recs[i].va >> 12;
        regions[i] = recs[i].va >> 22;
        writes[i] = recs[i].kind == VM_ACCESS_WRITE;
        top = recs[i].va > top ? recs[i].va : top;
    }
    ok(top > 0xf0000000 && top <= 0xffffffff, "the trace uses the top of the 4 GiB (0x%llx)",
       (unsigned long long)top);
    qsort(regions, n, sizeof *regions, cmp_u64);
    uint64_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        distinct += i == 0 || regions[i] != regions[i - 1];
    struct refsim_result model;
    refsim_run(REFSIM_FIFO, 128, pages, writes, n, 0, &model);

    static const char *const fmts[] = {"x86-64", "ia32", "sv32"};
    struct replay_result res[3];
    for (int f = 0; f < 3; f++) {
        struct replay_config cfg;
        replay_config_default(&cfg);
        cfg.fmt = pt_format_by_name(fmts[f]);
        cfg.policy = "fifo";
        cfg.frames = 128;
        cfg.swap_bytes = 64 << 20;
        cfg.tlb = *tlb_preset("none");
        tlb_config_parse(&cfg.tlb, "l1d=64xfull,l1i=64xfull,l2=256x8,pwc=none", err, sizeof err);
        struct replay_source src = {.recs = recs, .nrecs = n};
        rc = replay_run(&cfg, &src, &res[f], err, sizeof err);
        ok(rc == 0 && res[f].records == n && !res[f].killed && res[f].folded == 0,
           "%s: the whole trace replays, nothing folded (%s)", fmts[f], rc ? err : "");
        is_u64(res[f].vm.v[VMSTAT_PGFAULT], model.faults, "%s: FIFO, 128 frames: the model's %llu faults",
               fmts[f], (unsigned long long)model.faults);
        is_u64(res[f].vm.v[VMSTAT_PSWPOUT], model.dirty_evictions, "%s: pages written to swap = the model's",
               fmts[f]);
        /* a walk reads every level, but one that faults on a missing table stops there */
        uint64_t walks = res[f].cpu.v[CPU_STAT_WALKS], refs = res[f].cpu.v[CPU_STAT_WALK_REFS];
        unsigned levels = f == 0 ? 4 : 2;
        ok(refs <= walks * levels && refs > walks * (levels - 1),
           "%s: up to %u entries a walk (%llu refs, %llu walks)", fmts[f], levels,
           (unsigned long long)refs, (unsigned long long)walks);
    }
    for (int f = 1; f < 3; f++) {
        ok(res[f].cpu.v[CPU_STAT_DTLB_LOAD_MISSES] == res[0].cpu.v[CPU_STAT_DTLB_LOAD_MISSES] &&
               res[f].cpu.v[CPU_STAT_DTLB_STORE_MISSES] == res[0].cpu.v[CPU_STAT_DTLB_STORE_MISSES] &&
               res[f].cpu.v[CPU_STAT_STLB_HITS] == res[0].cpu.v[CPU_STAT_STLB_HITS],
           "%s: the same TLB misses as x86-64 (4 KiB pages, one geometry)", fmts[f]);
        is_u64(res[f].cpu.v[CPU_STAT_WALKS], res[0].cpu.v[CPU_STAT_WALKS], "%s: as many walks as x86-64", fmts[f]);
        is_u64(res[f].pt_pages, 1 + distinct, "%s: page tables = the directory + %llu distinct 4 MiB regions",
               fmts[f], (unsigned long long)distinct);
    }
    free(pages);
    free(regions);
    free(writes);
    free(recs);
}

int main(void)
{
    textbook();
    course_trace_32bit();
    against_model();
    tlb_equals_lru_paging();
    determinism();
    return tap_done();
}
