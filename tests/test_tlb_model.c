/* test_tlb_model.c — TLB arrays against independent simple models:
 * exact hit/miss sequences of fully associative LRU TLBs on random page
 * streams (many seeds, several sizes), set conflicts, tree-PLRU against a
 * separately written tree model, seeded random replacement, the two-level
 * hierarchy, splintering of large pages, page-walk caches, and 4 MiB pages
 * (ia32 and Sv32 on 32-bit machines) through all of these. Hits and misses
 * are read from the CPU's perf-named counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (64ull << 20)
#define BASE_VA 0x40000000ull     /* 1 GiB: PML4[0] PDPT[1] */
#define NPAGES 64

struct rig {
    struct machine *m;
    struct cpu *c;
    struct ptb b;
};

/* A machine with one x86 CPU and NPAGES 4K pages at BASE_VA + i*4K. */
static void rig_x86(struct rig *r, const char *tlb)
{
    r->m = tm_machine(PT_ARCH_X86, 1, MEM, tlb);
    r->c = machine_cpu(r->m, 0);
    cpu_attach(r->c);
    ptb_init(&r->b, machine_physmem(r->m), pt_format(PT_X86_64), 0x100000, 0x800000);
    for (unsigned i = 0; i < NPAGES; i++)
        ptb_map(&r->b, BASE_VA + i * 4096ull, 0x1000000 + i * 4096ull, 0,
                VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    tm_activate(r->c, &r->b, 0);
    cpu_stats_reset(r->c);
}

static void rig_done(struct rig *r)
{
    cpu_detach(r->c);
    machine_destroy(r->m);
}

/* Load from page p; 1 if it missed every TLB level (walked). */
static int access_page(struct rig *r, unsigned p)
{
    uint64_t before = tm_stat(r->c, CPU_STAT_DTLB_LOAD_MISSES), v;
    if (cpu_load(r->c, BASE_VA + p * 4096ull + (p * 8 & 0xff8), 8, &v) != 0)
        return -1;
    return (int)(tm_stat(r->c, CPU_STAT_DTLB_LOAD_MISSES) - before);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ---- the models ---- */

/* Fully associative LRU of n entries: a list, most recent first. */
struct lru_model { unsigned n, len; int page[64]; };

static int lru_access(struct lru_model *m, int p)
{
    unsigned i;
    for (i = 0; i < m->len && m->page[i] != p; i++)
        ;
    int miss = i == m->len;
    if (miss)
        i = m->len < m->n ? m->len++ : m->n - 1;
    memmove(&m->page[1], &m->page[0], i * sizeof m->page[0]);
    m->page[0] = p;
    return miss;
}

/* Tree PLRU of w ways (power of two), heap-numbered nodes 1..w-1, each
 * holding the side (0 left, 1 right) where the next victim is. Empty ways
 * are filled lowest first. */
struct plru_model { unsigned w; int way_page[64]; unsigned char node[128]; };

static void plru_touch_model(struct plru_model *m, unsigned way)
{
    unsigned depth = (unsigned)__builtin_ctz(m->w), i = 1;
    for (unsigned d = 0; d < depth; d++) {
        unsigned bit = (way >> (depth - 1 - d)) & 1;
        m->node[i] = (unsigned char)!bit;
        i = 2 * i + bit;
    }
}

static int plru_access(struct plru_model *m, int p)
{
    for (unsigned w = 0; w < m->w; w++)
        if (m->way_page[w] == p) {
            plru_touch_model(m, w);
            return 0;
        }
    unsigned way = m->w;
    for (unsigned w = 0; w < m->w && way == m->w; w++)
        if (m->way_page[w] < 0)
            way = w;
    if (way == m->w) {
        unsigned i = 1;
        while (i < m->w)
            i = 2 * i + m->node[i];
        way = i - m->w;
    }
    m->way_page[way] = p;
    plru_touch_model(m, way);
    return 1;
}

/* ---- tests ---- */

static void test_lru_model(void)
{
    static const unsigned sizes[] = {1, 2, 8, 16};
    unsigned seeds = tm_san() ? 8 : 40, len = 3000;
    for (unsigned si = 0; si < 4; si++) {
        unsigned n = sizes[si];
        char spec[128];
        snprintf(spec, sizeof spec, "l1d=%uxfull,l1i=%uxfull,l2=none,pwc=none", n, n);
        unsigned mismatches = 0, total_miss = 0;
        for (unsigned seed = 1; seed <= seeds; seed++) {
            struct rig r;
            rig_x86(&r, spec);
            struct lru_model model = {.n = n};
            uint64_t s = seed * 0x9E3779B97F4A7C15ull;
            unsigned span = 2 * n + 2 < NPAGES ? 2 * n + 2 : NPAGES;   /* some reuse, some misses */
            for (unsigned i = 0; i < len; i++) {
                /* skewed stream: half the time one of the last few pages */
                int p = (rnd(&s) & 1) ? (int)(rnd(&s) % (n + 1)) : (int)(rnd(&s) % span);
                int want = lru_access(&model, p), got = access_page(&r, (unsigned)p);
                mismatches += want != got;
                total_miss += (unsigned)want;
            }
            is_u64(tm_stat(r.c, CPU_STAT_DTLB_LOADS), len, "%u entries seed %u: every load counted", n, seed);
            is_u64(tm_stat(r.c, CPU_STAT_WALKS), tm_stat(r.c, CPU_STAT_DTLB_LOAD_MISSES),
                   "%u entries seed %u: one walk per miss", n, seed);
            rig_done(&r);
        }
        is_u64(mismatches, 0, "fully associative LRU, %u entries: hit/miss sequence equals the model "
               "over %u seeds (%u misses)", n, seeds, total_miss);
    }
}

static void test_set_conflicts(void)
{
    /* 8 entries, 2 ways: 4 sets, set = vpn mod 4 */
    struct rig r;
    rig_x86(&r, "l1d=8x2,l1i=8x2,l2=none,pwc=none");
    unsigned misses = 0;
    for (int round = 0; round < 10; round++)
        for (unsigned p = 0; p < 3; p++)
            misses += (unsigned)access_page(&r, p * 4);        /* pages 0, 4, 8: one set */
    is_u64(misses, 30, "three pages in one 2-way set thrash: every access misses");
    misses = 0;
    for (int round = 0; round < 10; round++)
        for (unsigned p = 0; p < 3; p++)
            misses += (unsigned)access_page(&r, 1 + p);        /* pages 1, 2, 3: three sets */
    is_u64(misses, 3, "three pages in different sets: only the cold misses");
    misses = 0;
    for (int round = 0; round < 10; round++)
        for (unsigned p = 0; p < 8; p++)
            misses += (unsigned)access_page(&r, 16 + p);        /* 8 pages, 2 per set */
    is_u64(misses, 8, "eight pages, two per set, fill the TLB exactly");
    rig_done(&r);

    /* a non-power-of-two set count (3 sets of 2): set = vpn mod 3 */
    rig_x86(&r, "l1d=6x2,l1i=6x2,l2=none,pwc=none");
    unsigned base_vpn = (unsigned)(BASE_VA >> 12);
    unsigned first = (3 - base_vpn % 3) % 3;                     /* page index in set 0 */
    misses = 0;
    for (int round = 0; round < 10; round++)
        for (unsigned k = 0; k < 3; k++)
            misses += (unsigned)access_page(&r, first + 3 * k);
    is_u64(misses, 30, "3 sets x 2 ways: three pages vpn = 0 mod 3 thrash");
    rig_done(&r);
}

static void test_plru(void)
{
    struct rig r;
    rig_x86(&r, "l1d=4xfull,l1i=4xfull,l2=none,pwc=none,repl=plru");
    /* A B C D A E C: tree-PLRU evicts C for E (A's touch points the root
     * right, D's the right node left), so C misses; LRU would evict B. */
    static const unsigned seq[] = {0, 1, 2, 3, 0, 4, 2, 0, 3, 1};
    static const int want_plru[] = {1, 1, 1, 1, 0, 1, 1, 0, 0, 1};
    char got[16] = {0}, want[16] = {0};
    for (unsigned i = 0; i < 10; i++) {
        got[i] = (char)('0' + access_page(&r, seq[i]));
        want[i] = (char)('0' + want_plru[i]);
    }
    is_str(got, want, "PLRU 4 ways: known miss sequence for A B C D A E C A D B");
    rig_done(&r);
    rig_x86(&r, "l1d=4xfull,l1i=4xfull,l2=none,pwc=none,repl=lru");
    for (unsigned i = 0; i < 10; i++)
        got[i] = (char)('0' + access_page(&r, seq[i]));
    is_str(got, "1111010001", "LRU 4 ways: the same stream, E evicts B");
    rig_done(&r);

    /* random streams against the tree model, 8 and 16 ways, and 4 sets x 4 ways */
    unsigned seeds = tm_san() ? 5 : 20;
    static const unsigned ways[] = {8, 16};
    for (unsigned wi = 0; wi < 2; wi++) {
        unsigned w = ways[wi], mism = 0;
        char spec[96];
        snprintf(spec, sizeof spec, "l1d=%uxfull,l1i=%uxfull,l2=none,pwc=none,repl=plru", w, w);
        for (unsigned seed = 1; seed <= seeds; seed++) {
            rig_x86(&r, spec);
            struct plru_model m = {.w = w};
            memset(m.way_page, -1, sizeof m.way_page);
            uint64_t s = seed * 7919;
            for (unsigned i = 0; i < 2000; i++) {
                int p = (int)(rnd(&s) % (w + w / 2));
                mism += plru_access(&m, p) != access_page(&r, (unsigned)p);
            }
            rig_done(&r);
        }
        is_u64(mism, 0, "tree-PLRU %u ways: equals the tree model over %u seeds", w, seeds);
    }
    unsigned mism = 0;
    for (unsigned seed = 1; seed <= seeds; seed++) {
        rig_x86(&r, "l1d=16x4,l1i=16x4,l2=none,pwc=none,repl=plru");
        struct plru_model m[4];
        for (int k = 0; k < 4; k++) {
            memset(&m[k], 0, sizeof m[k]);
            m[k].w = 4;
            memset(m[k].way_page, -1, sizeof m[k].way_page);
        }
        uint64_t s = seed * 104729;
        for (unsigned i = 0; i < 2000; i++) {
            int p = (int)(rnd(&s) % 24);
            unsigned set = (unsigned)((BASE_VA >> 12) + (unsigned)p) % 4;
            mism += plru_access(&m[set], p) != access_page(&r, (unsigned)p);
        }
        rig_done(&r);
    }
    is_u64(mism, 0, "tree-PLRU 4 sets x 4 ways: equals four tree models");
}

static void random_run(uint64_t seed, char *out, unsigned n)
{
    char spec[128];
    snprintf(spec, sizeof spec, "l1d=8xfull,l1i=8xfull,l2=none,pwc=none,repl=random,seed=%llu",
             (unsigned long long)seed);
    struct rig r;
    rig_x86(&r, spec);
    uint64_t s = 12345;
    for (unsigned i = 0; i < n; i++)
        out[i] = (char)('0' + access_page(&r, (unsigned)(rnd(&s) % 12)));
    out[n] = 0;
    rig_done(&r);
}

static void test_random(void)
{
    char a[501], b2[501], c[501];
    random_run(42, a, 500);
    random_run(42, b2, 500);
    random_run(43, c, 500);
    is_str(a, b2, "random replacement: the same seed gives the same hit/miss sequence");
    ok(strcmp(a, c) != 0, "random replacement: another seed gives another sequence");
    /* a working set that fits never misses after the cold misses */
    struct rig r;
    rig_x86(&r, "l1d=8xfull,l1i=8xfull,l2=none,pwc=none,repl=random,seed=7");
    unsigned misses = 0;
    for (int round = 0; round < 50; round++)
        for (unsigned p = 0; p < 8; p++)
            misses += (unsigned)access_page(&r, p);
    is_u64(misses, 8, "random replacement: 8 pages in 8 entries: 8 cold misses only");
    rig_done(&r);
}

static void test_hierarchy(void)
{
    struct rig r;
    rig_x86(&r, "l1d=4xfull,l1i=4xfull,l2=16x4,pwc=none");
    unsigned misses = 0;
    for (int round = 0; round < 10; round++)
        for (unsigned p = 0; p < 8; p++)
            misses += (unsigned)access_page(&r, p);
    is_u64(misses, 8, "8 pages cycling through a 4-entry L1 and 16-entry L2: only cold misses walk");
    is_u64(tm_stat(r.c, CPU_STAT_DTLB_L1_MISSES), 80, "every access misses the L1 (LRU, cyclic)");
    is_u64(tm_stat(r.c, CPU_STAT_STLB_HITS), 72, "72 L1 misses hit the L2 (stlb-hits)");
    is_u64(tm_stat(r.c, CPU_STAT_DTLB_LOAD_MISSES), 8, "dTLB-load-misses: only the 8 walks");
    is_u64(tm_stat(r.c, CPU_STAT_WALKS), 8, "8 walks");
    /* after an L2 hit the page is in L1 again */
    uint64_t l1m = tm_stat(r.c, CPU_STAT_DTLB_L1_MISSES);
    access_page(&r, 0);
    access_page(&r, 0);
    is_u64(tm_stat(r.c, CPU_STAT_DTLB_L1_MISSES) - l1m, 1, "an L2 hit refills the L1");
    rig_done(&r);

    /* fetches and loads use separate L1s, one L2 */
    rig_x86(&r, "l1d=4xfull,l1i=4xfull,l2=16x4,pwc=none");
    uint64_t v;
    cpu_load(r.c, BASE_VA, 8, &v);
    cpu_fetch(r.c, BASE_VA, 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_ITLB_LOADS), 1, "iTLB-loads");
    is_u64(tm_stat(r.c, CPU_STAT_ITLB_L1_MISSES), 1, "the fetch misses the L1 ITLB");
    is_u64(tm_stat(r.c, CPU_STAT_ITLB_LOAD_MISSES), 0, "but hits the L2 filled by the load");
    cpu_fetch(r.c, BASE_VA + 8, 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_ITLB_L1_MISSES), 1, "then hits the L1 ITLB");
    cpu_store(r.c, BASE_VA + 4096 * 5, 8, 1);
    is_u64(tm_stat(r.c, CPU_STAT_DTLB_STORES), 1, "dTLB-stores");
    is_u64(tm_stat(r.c, CPU_STAT_DTLB_STORE_MISSES), 1, "dTLB-store-misses");
    rig_done(&r);
}

static void test_splinter(void)
{
    /* x86 1G page in a TLB holding 4K and 2M only: stored as 2M pieces */
    struct rig r;
    rig_x86(&r, "l1d=8xfull:4k+2m,l1i=8xfull,l2=none,pwc=none");
    vaddr_t g = 1ull << 39;                                /* PML4[1] */
    ptb_map(&r.b, g, 0, 2, VM_PROT_READ | VM_PROT_WRITE, 0);
    uint64_t v, w0 = tm_stat(r.c, CPU_STAT_WALKS);
    physmem_store(machine_physmem(r.m), 0x201000, 8, 0x5eed);
    ok(cpu_load(r.c, g + 0x1000, 8, &v) == 0, "1G page: load");
    ok(cpu_load(r.c, g + 0x201000, 8, &v) == 0 && v == 0x5eed, "1G page: load from its second 2M");
    is_u64(tm_stat(r.c, CPU_STAT_WALKS) - w0, 2, "1G page in a 2M-only array: two 2M pieces, two walks");
    cpu_load(r.c, g + 0x2000, 8, &v);
    cpu_load(r.c, g + 0x202000, 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_WALKS) - w0, 2, "both pieces hit");
    cpu_invlpg(r.c, g + 0x5000);
    cpu_load(r.c, g + 0x202000, 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_WALKS) - w0, 3, "INVLPG of one address removes every piece of the page");
    /* 2M page in a 4K-only TLB */
    rig_done(&r);
    rig_x86(&r, "l1d=8xfull:4k,l1i=8xfull,l2=none,pwc=none");
    vaddr_t m2 = 1ull << 39;
    ptb_map(&r.b, m2, 0x200000, 1, VM_PROT_READ, 0);
    w0 = tm_stat(r.c, CPU_STAT_WALKS);
    cpu_load(r.c, m2, 8, &v);
    cpu_load(r.c, m2 + 0x1000, 8, &v);
    cpu_load(r.c, m2 + 0x10, 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_WALKS) - w0, 2, "2M page in a 4K-only array: a walk per 4K piece");
    cpu_invlpg(r.c, m2 + 0x1fffff);
    cpu_load(r.c, m2 + 0x1000, 8, &v);
    cpu_load(r.c, m2, 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_WALKS) - w0, 4, "INVLPG anywhere in the 2M page removes all 4K pieces");
    rig_done(&r);

    /* RISC-V Sv48 512G page, stored as 1G pieces; SFENCE.VMA va drops them all */
    struct machine *m = tm_machine(PT_ARCH_RISCV, 1, MEM, "l1d=8xfull,l1i=8xfull,l2=none,pwc=none");
    struct cpu *c = machine_cpu(m, 0);
    cpu_attach(c);
    struct ptb b;
    ptb_init(&b, machine_physmem(m), pt_format(PT_SV48), 0x100000, 0x800000);
    vaddr_t t = 1ull << 39;
    ptb_map(&b, t, 0, 3, VM_PROT_READ | VM_PROT_WRITE, 0);
    tm_activate(c, &b, 1);
    paddr_t pa;
    ok(cpu_translate(c, t + 0x1000, VM_ACCESS_READ, &pa) == 0 && pa == 0x1000, "sv48 512G page: translate");
    ok(cpu_translate(c, t + (5ull << 30) + 0x10, VM_ACCESS_READ, &pa) == 0 && pa == (5ull << 30) + 0x10,
       "sv48 512G page: a second 1G piece");
    cpu_translate(c, t + 0x2000, VM_ACCESS_READ, &pa);
    cpu_translate(c, t + (5ull << 30), VM_ACCESS_READ, &pa);
    is_u64(tm_stat(c, CPU_STAT_WALKS), 2, "sv48 512G page: two pieces, two walks, then hits");
    cpu_sfence_vma(c, true, t + (300ull << 30), false, 0);
    cpu_translate(c, t + 0x1000, VM_ACCESS_READ, &pa);
    cpu_translate(c, t + (5ull << 30), VM_ACCESS_READ, &pa);
    is_u64(tm_stat(c, CPU_STAT_WALKS), 4, "SFENCE.VMA of one address in the 512G page drops every piece");
    cpu_detach(c);
    machine_destroy(m);
}

static void test_pwc(void)
{
    struct rig r;
    rig_x86(&r, "l1d=none,l1i=none,l2=none,pwc=1/1/1/4");
    vaddr_t a = 0x7f0000000000ull;
    vaddr_t pages[] = {a, a + 0x1000, a + 0x200000, a + 0x40000000, a + (1ull << 39)};
    for (int i = 0; i < 5; i++)
        ptb_map(&r.b, pages[i], 0x2000000 + (uint64_t)i * 4096, 0, VM_PROT_READ, 0);
    static const unsigned want_refs[] = {4, 1, 2, 3, 4};
    static const char *const what[] = {"cold: full walk", "same PT: PDE-cache hit, 1 ref",
                                       "same PD: PDPTE-cache hit, 2 refs",
                                       "same PDPT: PML4E-cache hit, 3 refs", "other PML4E: full walk"};
    uint64_t v;
    for (int i = 0; i < 5; i++) {
        uint64_t refs = tm_stat(r.c, CPU_STAT_WALK_REFS), hits = tm_stat(r.c, CPU_STAT_PWC_HITS);
        cpu_load(r.c, pages[i], 8, &v);
        is_u64(tm_stat(r.c, CPU_STAT_WALK_REFS) - refs, want_refs[i], "PWC: %s", what[i]);
        is_u64(tm_stat(r.c, CPU_STAT_PWC_HITS) - hits, want_refs[i] < 4, "PWC: %s (pwc-hits)", what[i]);
    }
    /* without a TLB every access walks; with the PDE cached each costs 1 */
    uint64_t refs = tm_stat(r.c, CPU_STAT_WALK_REFS);
    for (int i = 0; i < 10; i++)
        cpu_load(r.c, a + 0x1000 * (unsigned)(i & 1), 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_WALK_REFS) - refs, 10, "tlb none + PDE cache: 10 walks of 1 ref");
    /* INVLPG drops the PCID's paging-structure caches */
    cpu_invlpg(r.c, a + (1ull << 39));
    refs = tm_stat(r.c, CPU_STAT_WALK_REFS);
    cpu_load(r.c, a, 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_WALK_REFS) - refs, 4, "after INVLPG (any address): full walk");
    /* a failed walk fills no PWC entry */
    vaddr_t q = 0x7e0000000000ull;                  /* PML4E not present */
    cpu_stats_reset(r.c);
    ok(cpu_load(r.c, q, 8, &v) == -1, "load from an unmapped region faults (no handler)");
    ptb_map(&r.b, q, 0x3000000, 0, VM_PROT_READ, 0);
    ptb_set(&r.b, q, 0, 0);                          /* tables exist, the PTE does not */
    ok(cpu_load(r.c, q, 8, &v) == -1, "PTE not present: faults");
    is_u64(tm_stat(r.c, CPU_STAT_WALK_REFS), 1 + 4, "refs: 1 (PML4E absent) + 4");
    ptb_map(&r.b, q + 0x1000, 0x3001000, 0, VM_PROT_READ, 0);
    refs = tm_stat(r.c, CPU_STAT_WALK_REFS);
    ok(cpu_load(r.c, q + 0x1000, 8, &v) == 0, "neighbour page mapped: loads");
    is_u64(tm_stat(r.c, CPU_STAT_WALK_REFS) - refs, 4, "no PWC entry was filled by the failed walk");
    rig_done(&r);

    /* 5-level paging with only a PML5E cache */
    struct machine *m = tm_machine(PT_ARCH_X86, 1, MEM, "l1d=none,l1i=none,l2=none,pwc=4/0/0/0");
    struct cpu *c = machine_cpu(m, 0);
    cpu_attach(c);
    struct ptb b;
    ptb_init(&b, machine_physmem(m), pt_format(PT_X86_64_5), 0x100000, 0x800000);
    ptb_map(&b, a, 0x2000000, 0, VM_PROT_READ, 0);
    ptb_map(&b, a + (1ull << 39), 0x2001000, 0, VM_PROT_READ, 0);
    tm_activate(c, &b, 0);
    cpu_load(c, a, 8, &v);
    ok(tm_stat(c, CPU_STAT_WALK_REFS) == 5 && tm_stat(c, CPU_STAT_PWC_MISSES) == 1,
       "5-level, PML5E cache only: first walk 5 refs, a pwc-miss");
    cpu_load(c, a + (1ull << 39), 8, &v);
    ok(tm_stat(c, CPU_STAT_WALK_REFS) == 9 && tm_stat(c, CPU_STAT_PWC_HITS) == 1,
       "second walk under the same PML5E: 4 refs, a pwc-hit");
    cpu_detach(c);
    machine_destroy(m);
}

/* A 32-bit machine with NPAGES 4 MiB pages: page i at BIG_VA + i * 4 MiB,
 * all mapped to one 4 MiB frame. */
#define BIG_VA 0x40000000ull
static void rig32(struct rig *r, enum pt_format_id id, const char *tlb)
{
    const struct pt_format *f = pt_format(id);
    r->m = tm_machine_xlen(f->arch, 32, 1, MEM, tlb);
    r->c = machine_cpu(r->m, 0);
    cpu_attach(r->c);
    ptb_init(&r->b, machine_physmem(r->m), f, 0x100000, 0x800000);
    for (unsigned i = 0; i < NPAGES; i++)
        ptb_map(&r->b, BIG_VA + i * (4ull << 20), 0x2000000, 1,
                VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    tm_activate(r->c, &r->b, 1);
    cpu_stats_reset(r->c);
}

/* Load from 4 MiB page p at a 4 KiB offset k; 1 if it walked. */
static int access_big(struct rig *r, unsigned p, unsigned k)
{
    uint64_t before = tm_stat(r->c, CPU_STAT_WALKS), v;
    if (cpu_load(r->c, BIG_VA + p * (4ull << 20) + k * 4096ull + 8, 8, &v) != 0)
        return -1;
    return (int)(tm_stat(r->c, CPU_STAT_WALKS) - before);
}

static void test_4m_pages(void)
{
    static const enum pt_format_id ids[] = {PT_IA32, PT_SV32};
    for (int f = 0; f < 2; f++) {
        const char *fn = pt_format(ids[f])->name;
        /* fully associative LRU of 4 MiB entries against the list model,
         * at random 4 KiB offsets inside the pages: one entry per page */
        static const unsigned sizes[] = {1, 4, 16};
        for (unsigned si = 0; si < 3; si++) {
            char geo[96];
            snprintf(geo, sizeof geo, "l1d=%uxfull:4m,l1i=none,l2=none,pwc=none", sizes[si]);
            struct rig r;
            rig32(&r, ids[f], geo);
            struct lru_model m = {.n = sizes[si]};
            uint64_t s = 99 + si, bad = 0, misses = 0;
            for (int i = 0; i < 2000; i++) {
                unsigned p = (unsigned)(rnd(&s) % 24), k = (unsigned)(rnd(&s) % 1024);
                int got = access_big(&r, p, k), want = lru_access(&m, (int)p);
                bad += got != want;
                misses += (unsigned)want;
            }
            ok(bad == 0, "%s: %u-entry 4M LRU TLB matches the model over 2000 accesses (%llu misses)",
               fn, sizes[si], (unsigned long long)misses);
            rig_done(&r);
        }
        /* a 4 MiB page where only 4 KiB is held: a piece per 4 KiB, and
         * 2 MiB is no piece of a 32-bit format's page */
        struct rig r;
        rig32(&r, ids[f], "l1d=8xfull:4k;8xfull:2m,l1i=none,l2=none,pwc=none");
        unsigned walks = 0;
        walks += (unsigned)access_big(&r, 0, 0);
        walks += (unsigned)access_big(&r, 0, 1);
        walks += (unsigned)access_big(&r, 0, 512);     /* the second 2 MiB half */
        walks += (unsigned)access_big(&r, 0, 1);
        is_u64(walks, 3, "%s: 4M page in 4K pieces (not 2M ones): a walk per new 4K", fn);
        if (ids[f] == PT_IA32)
            cpu_invlpg(r.c, BIG_VA + 0x3ff000);
        else
            cpu_sfence_vma(r.c, true, BIG_VA + 0x3ff000, false, 0);
        walks = (unsigned)access_big(&r, 0, 0) + (unsigned)access_big(&r, 0, 1);
        is_u64(walks, 2, "%s: invalidating any address of the 4M page drops every piece", fn);
        rig_done(&r);

        /* haswell: 4M pages in the 2M/4M L1 array and in the STLB */
        rig32(&r, ids[f], "haswell");
        for (unsigned p = 0; p < 40; p++)
            access_big(&r, p, p);
        is_u64(tm_stat(r.c, CPU_STAT_WALKS), 40, "%s haswell: 40 4M pages, 40 walks", fn);
        cpu_stats_reset(r.c);
        for (unsigned p = 8; p < 40; p++)
            access_big(&r, p, 1000 - p);
        is_u64(tm_stat(r.c, CPU_STAT_DTLB_L1_MISSES), 0, "%s haswell: the last 32 hit the 32-entry 2M/4M L1 array", fn);
        for (unsigned p = 0; p < 8; p++)
            access_big(&r, p, 3);
        ok(tm_stat(r.c, CPU_STAT_DTLB_L1_MISSES) == 8 && tm_stat(r.c, CPU_STAT_STLB_HITS) == 8 &&
               tm_stat(r.c, CPU_STAT_WALKS) == 0, "%s haswell: the first 8 hit the STLB", fn);
        rig_done(&r);
    }

    /* x86-64: a 1G page never splinters into 4M pieces (not an x86-64 page size) */
    struct rig r;
    rig_x86(&r, "l1d=8xfull:2m+4m,l1i=none,l2=none,pwc=none");
    vaddr_t g = 1ull << 39;
    ptb_map(&r.b, g, 0, 2, VM_PROT_READ, 0);
    uint64_t v, w0 = tm_stat(r.c, CPU_STAT_WALKS);
    cpu_load(r.c, g + 0x1000, 8, &v);
    cpu_load(r.c, g + 0x201000, 8, &v);
    is_u64(tm_stat(r.c, CPU_STAT_WALKS) - w0, 2, "x86-64 1G page in a 2M/4M array: 2M pieces, two walks");
    rig_done(&r);
}

int main(void)
{
    test_lru_model();
    test_set_conflicts();
    test_plru();
    test_random();
    test_hierarchy();
    test_splinter();
    test_pwc();
    test_4m_pages();
    return tap_done();
}
