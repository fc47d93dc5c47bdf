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

static enum opt_ties ties = OPT_TIES_LOWEST_FRAME;   /* for "opt" runs */
static uint64_t limit;                                /* replay_config.limit */

static uint64_t replay_faults(const char *policy, uint64_t frames, const struct trace_record *recs,
                              size_t n, const char *tlb, struct replay_result *res)
{
    struct replay_config cfg;
    replay_config_default(&cfg);
    cfg.policy = policy;
    cfg.frames = frames;
    cfg.tlb = *tlb_preset(tlb);
    cfg.swap_bytes = 64 << 20;
    cfg.opt_ties = ties;
    cfg.limit = limit;
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

/* OPT's ties on hand-worked strings (3 frames; "w" writes):
 *
 *   1w 2w 3 4 2 3 5w 6    4 evicts 1 (the only page never used again: a
 *                         write); at 5w pages 4, 2, 3 are never used again:
 *                         lowest-frame takes 4 (frame 0, clean), then at 6
 *                         5 (frame 0, dirty: a write): 2 writes; clean-first
 *                         takes 4, then 3 (the clean one): 1 write.
 *   1w 2w 3w 4 2 3 5w 6   the same, 3 dirty: lowest-frame 2 writes (1, 5),
 *                         clean-first 2 (1, then at 6 all are dirty: 5).
 *                         Breaking ties by age instead (the page resident
 *                         longest) would write 1, 2 and 3.
 * Every run faults 6 times: ties never cost a fault. */
static void opt_ties_by_hand(void)
{
    static const uint64_t pages[] = {1, 2, 3, 4, 2, 3, 5, 6};
    static const uint8_t w1[] = {1, 1, 0, 0, 0, 0, 1, 0}, w2[] = {1, 1, 1, 0, 0, 0, 1, 0};
    static const struct { const uint8_t *w; enum opt_ties t; uint64_t writes; const char *what; } c[] = {
        {w1, OPT_TIES_LOWEST_FRAME, 2, "1w 2w 3 4 2 3 5w 6, lowest-frame"},
        {w1, OPT_TIES_CLEAN_FIRST, 1, "1w 2w 3 4 2 3 5w 6, clean-first"},
        {w2, OPT_TIES_LOWEST_FRAME, 2, "1w 2w 3w 4 2 3 5w 6, lowest-frame"},
        {w2, OPT_TIES_CLEAN_FIRST, 2, "1w 2w 3w 4 2 3 5w 6, clean-first"},
    };
    struct trace_record r[8];
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        records_from_pages(pages, c[k].w, 8, r);
        ties = c[k].t;
        struct replay_result res;
        is_u64(replay_faults("opt", 3, r, 8, "tiny", &res), 6, "%s: 6 faults", c[k].what);
        is_u64(res.vm.v[VMSTAT_PSWPOUT], c[k].writes, "%s: %llu pages written to swap", c[k].what,
               (unsigned long long)c[k].writes);
        struct refsim_result model;
        refsim_run(ties == OPT_TIES_CLEAN_FIRST ? REFSIM_OPT_CLEAN_FIRST : REFSIM_OPT, 3, pages,
                   c[k].w, 8, 0, &model);
        is_u64(model.dirty_evictions, c[k].writes, "%s: the model agrees", c[k].what);
    }
    ties = OPT_TIES_LOWEST_FRAME;
}

/* vmlab's frame number is the course simulators' frame number: the user
 * pool hands out the lowest free frame, so frames fill in order, and an
 * evicted frame is reused in place by the page that needed it. */
static void frames_fill_in_order(void)
{
    struct machine_config mc;
    char err[256];
    machine_config_default(&mc, PT_ARCH_X86);
    struct machine *m = machine_create(&mc, err, sizeof err);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 4;
    kc.policy = "fifo";
    struct kernel *k = kernel_create(m, &kc, err, sizeof err);
    struct cpu *cpu = machine_cpu(m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(k, "frames");
    const vaddr_t base = 0x10000000;
    kernel_map_anon(p, base, 16 * VM_PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    paddr_t frame[6];
    bool order = true;
    for (int i = 0; i < 6; i++) {
        cpu_touch(cpu, base + (vaddr_t)i * VM_PAGE_SIZE, 1, VM_ACCESS_WRITE);
        struct page_info pi;
        kernel_page_info(p, base + (vaddr_t)i * VM_PAGE_SIZE, &pi);
        frame[i] = pi.frame;
        if (i > 0 && i < 4)
            order &= frame[i] == frame[0] + (paddr_t)i * VM_PAGE_SIZE;
    }
    ok(order, "4 frames filled in order: frame 0, 1, 2, 3");
    ok(frame[4] == frame[0] && frame[5] == frame[1],
       "FIFO's victims' frames are reused in place: page 4 in frame 0, page 5 in frame 1");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    cpu_detach(cpu);
    kernel_destroy(k);
    machine_destroy(m);
}

/* Random streams: the system's fault counts equal the model's. */
static void against_model(void)
{
    static const struct { const char *kernel; enum refsim_policy model; enum opt_ties ties; } pol[] = {
        {"fifo", REFSIM_FIFO, 0}, {"lru", REFSIM_LRU, 0}, {"opt", REFSIM_OPT, OPT_TIES_LOWEST_FRAME},
        {"opt", REFSIM_OPT_CLEAN_FIRST, OPT_TIES_CLEAN_FIRST},
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
                ties = pol[p].ties;
                uint64_t got = replay_faults(pol[p].kernel, frames, recs, n, "golden-cove", &res);
                ties = OPT_TIES_LOWEST_FRAME;
                checks++;
                if (got != model.faults) {
                    mismatches++;
                    tap_diag("seed %llu %s frames %llu: kernel %llu faults, model %llu",
                             (unsigned long long)seed, pol[p].kernel, (unsigned long long)frames,
                             (unsigned long long)got, (unsigned long long)model.faults);
                }
                /* both break OPT's ties the same way, so the same pages are written */
                if (res.vm.v[VMSTAT_PSWPOUT] != model.dirty_evictions) {
                    dirty_mismatch++;
                    tap_diag("seed %llu %s frames %llu: pswpout %llu, model dirty evictions %llu",
                             (unsigned long long)seed, pol[p].kernel, (unsigned long long)frames,
                             (unsigned long long)res.vm.v[VMSTAT_PSWPOUT],
                             (unsigned long long)model.dirty_evictions);
                }
            }
        }
    }
    ok(mismatches == 0, "FIFO, LRU and OPT (both tie rules) through the whole system equal the "
       "model (%d runs)", checks);
    ok(dirty_mismatch == 0, "FIFO, LRU and OPT (both tie rules): pages written to swap equal the "
       "model's dirty evictions (%llu differ)", (unsigned long long)dirty_mismatch);
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
    int rc = replay_load(rd, &recs, &n, 0, err, sizeof err);
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

/* Exact LRU hears every page of an access that straddles pages, in
 * address order, before any later page can make it evict (lackey-style
 * records of 8 bytes at a page's end, and of 5000 bytes over three pages).
 *
 * By hand, 2 frames, reads:
 *   2, 5, 8 bytes at 0x2ffc (pages 2|3), 2: the page stream is 2 5 2 3 2.
 *     True LRU: 2 and 5 fault; 2 hits and is the most recent; 3 evicts 5;
 *     2 hits: 3 faults. (If LRU heard of the hit on 2 only after the
 *     access, 3 would evict 2, and 2 would fault again: 4.)
 *   3, 5, 8 bytes at 0x2ffc (pages 2|3), 3: the stream 3 5 2 3 3. 2 evicts
 *     3 (least recent), 3 evicts 5, 3 hits: 4 faults. (Hearing of page 3
 *     before the access began would save 3 from 2's fault: 3.) */
static void lru_hears_every_page(void)
{
    struct trace_record a[] = {
        {0x2000, 1, VM_ACCESS_READ}, {0x5000, 1, VM_ACCESS_READ},
        {0x2ffc, 8, VM_ACCESS_READ}, {0x2000, 1, VM_ACCESS_READ},
    };
    struct replay_result res;
    is_u64(replay_faults("lru", 2, a, 4, "tiny", &res), 3,
           "LRU, 2 frames, 2 5 (2|3) 2: 3 faults, as true LRU on 2 5 2 3 2");
    struct trace_record b[] = {
        {0x3000, 1, VM_ACCESS_READ}, {0x5000, 1, VM_ACCESS_READ},
        {0x2ffc, 8, VM_ACCESS_READ}, {0x3000, 1, VM_ACCESS_READ},
    };
    is_u64(replay_faults("lru", 2, b, 4, "tiny", &res), 4,
           "LRU, 2 frames, 3 5 (2|3) 3: 4 faults, as true LRU on 3 5 2 3 3");

    /* random lackey-like records, some straddling two pages and some three,
     * against the model on the page stream they make */
    const size_t n = 3000;
    struct trace_record *recs = malloc(n * sizeof *recs);
    uint64_t *pages = malloc(4 * n * sizeof *pages);
    uint64_t st = 99;
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = refsim_splitmix64(&st);
        uint64_t page = 0x400 + x % 24;
        uint32_t size = x >> 60 == 0 ? 5000 : x >> 58 == 1 ? 16 : 8;
        vaddr_t va = page << VM_PAGE_SHIFT | (x >> 32 & 1 ? 0xffc : (x >> 20) % 4000);
        recs[i] = (struct trace_record){va, size, VM_ACCESS_READ};
        for (uint64_t pg = va >> VM_PAGE_SHIFT; pg <= (va + size - 1) >> VM_PAGE_SHIFT; pg++)
            pages[np++] = pg;
    }
    int bad = 0;
    for (uint64_t frames = 2; frames <= 20; frames += 3) {
        struct refsim_result model;
        refsim_run(REFSIM_LRU, frames, pages, NULL, np, 0, &model);
        uint64_t got = replay_faults("lru", frames, recs, n, "tiny", &res);
        if (got != model.faults) {
            bad++;
            tap_diag("%llu frames: kernel %llu faults, true LRU %llu", (unsigned long long)frames,
                     (unsigned long long)got, (unsigned long long)model.faults);
        }
    }
    ok(bad == 0, "LRU with straddling records equals true LRU on their page stream");
    free(recs);
    free(pages);
}

/* --limit N with OPT sees the future only up to N: the counts equal a
 * replay of the first N records alone, whatever follows them. */
static void opt_future_ends_at_the_limit(void)
{
    const size_t n = 4000, cut = 1500;
    uint64_t *pages = malloc(n * sizeof *pages);
    uint8_t *writes = malloc(n);
    struct trace_record *recs = malloc(n * sizeof *recs);
    uint64_t st = 5;
    for (size_t i = 0; i < n; i++) {
        pages[i] = refsim_splitmix64(&st) % 40;
        writes[i] = refsim_splitmix64(&st) % 2;
    }
    records_from_pages(pages, writes, n, recs);
    struct replay_result whole, limited;
    replay_faults("opt", 8, recs, cut, "tiny", &whole);
    limit = cut;
    replay_faults("opt", 8, recs, n, "tiny", &limited);
    limit = 0;
    ok(whole.vm.v[VMSTAT_PGFAULT] == limited.vm.v[VMSTAT_PGFAULT] &&
       whole.vm.v[VMSTAT_PSWPOUT] == limited.vm.v[VMSTAT_PSWPOUT] && limited.records == cut,
       "OPT with --limit %zu: faults and writes (%llu, %llu) as for the first %zu records alone "
       "(%llu, %llu)", cut, (unsigned long long)limited.vm.v[VMSTAT_PGFAULT],
       (unsigned long long)limited.vm.v[VMSTAT_PSWPOUT], cut,
       (unsigned long long)whole.vm.v[VMSTAT_PGFAULT], (unsigned long long)whole.vm.v[VMSTAT_PSWPOUT]);
    free(pages);
    free(writes);
    free(recs);
}

int main(void)
{
    textbook();
    course_trace_32bit();
    opt_ties_by_hand();
    frames_fill_in_order();
    lru_hears_every_page();
    opt_future_ends_at_the_limit();
    against_model();
    tlb_equals_lru_paging();
    determinism();
    return tap_done();
}
