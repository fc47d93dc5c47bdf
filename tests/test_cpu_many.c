/* test_cpu_many.c — cpu_load_many and cpu_touch_many against the single
 * calls they stand for.
 *
 * Two identical machines run the same random accesses, one with cpu_load /
 * cpu_touch one at a time, the other in batches of random length. The
 * pages mix 4 KiB and 2 MiB mappings, read-only and writable, executable or
 * not, some mapped only by the fault handler on first touch and some never
 * (accesses there fail); accesses cross page boundaries, and INVLPG and CR3
 * writes fall between batches. Small TLBs under each replacement policy
 * make misses and replacements common. After every batch both machines must
 * agree on where it stopped, every value loaded, every counter and every
 * page-table entry (A/D bits); at the end, the same probe sequence on both
 * must give the same hits and misses (the replacement state agrees too). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (64ull << 20)
#define BASE 0x40000000ull        /* 4 KiB pages here */
#define NPAGES 48
#define HUGE 0x40400000ull        /* one 2 MiB page */
#define DATA 0x1000000ull         /* physical frames of the 4 KiB pages */
#define HUGE_PA 0x2000000ull

struct rig {
    struct machine *m;
    struct cpu *c;
    struct ptb b;
};

/* Page i's role: 0 mapped writable, 1 mapped read-only (not executable),
 * 2 mapped lazily by the fault handler, 3 never mapped. Failing kinds are
 * rare among the first 12 pages, which most accesses go to, so that
 * batches are mostly long runs with the odd failure. */
static unsigned page_kind(unsigned i)
{
    return i % 7 == 3 ? 2 : i % 11 == 5 && i > 12 ? 3 : i % 5 == 1 && i > 8 ? 1 : 0;
}

static enum fault_action handler(struct cpu *c, const struct vm_fault *f, void *arg)
{
    struct rig *r = arg;
    vaddr_t va = f->addr & ~0xfffull;
    if (va < BASE || va >= BASE + NPAGES * 4096ull || page_kind((unsigned)((va - BASE) >> 12)) != 2 ||
        ptb_get(&r->b, va, 0) != 0)
        return FAULT_FAIL;
    ptb_map(&r->b, va, DATA + (va - BASE), 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    return FAULT_RETRY;
}

static void rig_make(struct rig *r, const char *tlb)
{
    r->m = tm_machine(PT_ARCH_X86, 1, MEM, tlb);
    r->c = machine_cpu(r->m, 0);
    cpu_attach(r->c);
    struct physmem *pm = machine_physmem(r->m);
    ptb_init(&r->b, pm, pt_format(PT_X86_64), 0x100000, 0x800000);
    for (unsigned i = 0; i < NPAGES; i++) {
        unsigned k = page_kind(i);
        if (k <= 1)
            ptb_map(&r->b, BASE + i * 4096ull, DATA + i * 4096ull, 0,
                    k ? VM_PROT_READ : VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    }
    ptb_map(&r->b, HUGE, HUGE_PA, 1, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    for (uint64_t a = 0; a < NPAGES * 4096ull; a += 8)
        physmem_store(pm, DATA + a, 8, a * 0x9e3779b97f4a7c15ull);
    for (uint64_t a = 0; a < (2ull << 20); a += 4096)
        physmem_store(pm, HUGE_PA + a, 8, ~a);
    machine_set_fault_handler(r->m, handler, r);
    tm_activate(r->c, &r->b, 0);
    cpu_stats_reset(r->c);
}

static void rig_done(struct rig *r)
{
    cpu_detach(r->c);
    machine_destroy(r->m);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static vaddr_t random_va(uint64_t *s)
{
    if (rnd(s) % 6 == 0)                       /* the huge page, a few hot spots */
        return HUGE + (rnd(s) % 8) * 4096 + (rnd(s) % 4096);
    unsigned hot = rnd(s) % 4 ? 12 : NPAGES;   /* mostly a small working set: hits */
    vaddr_t va = BASE + (rnd(s) % hot) * 4096ull;
    switch (rnd(s) % 8) {
    case 0: return va + 4093;                  /* crosses into the next page for size > 3 */
    case 1: return va + (rnd(s) % 4096);       /* unaligned */
    default: return va + (rnd(s) % 512) * 8;
    }
}

static bool same_stats(const struct rig *a, const struct rig *b)
{
    struct cpu_stats x, y;
    cpu_stats(a->c, &x);
    cpu_stats(b->c, &y);
    return memcmp(&x, &y, sizeof x) == 0;
}

static bool same_tables(const struct rig *a, const struct rig *b)
{
    for (unsigned i = 0; i < NPAGES; i++)
        if (ptb_get(&a->b, BASE + i * 4096ull, 0) != ptb_get(&b->b, BASE + i * 4096ull, 0))
            return false;
    return ptb_get(&a->b, HUGE, 1) == ptb_get(&b->b, HUGE, 1);
}

/* Between batches: sometimes an INVLPG or a CR3 reload on both. */
static void maybe_flush(struct rig *one, struct rig *many, uint64_t *s)
{
    uint64_t x = rnd(s) % 16;
    if (x == 0) {
        vaddr_t va = random_va(s);
        cpu_invlpg(one->c, va);
        cpu_invlpg(many->c, va);
    } else if (x == 1) {
        tm_activate(one->c, &one->b, 0);
        tm_activate(many->c, &many->b, 0);
    }
}

static void run_loads(const char *tlb, uint64_t seed)
{
    struct rig one, many;
    rig_make(&one, tlb);
    rig_make(&many, tlb);
    uint64_t s = seed;
    bool agree = true, stopped = false;
    size_t done = 0, failures = 0;
    for (int batch = 0; batch < 400 && agree; batch++) {
        vaddr_t va[64];
        uint64_t v1[64], v2[64];
        size_t n = 1 + rnd(&s) % 64;
        unsigned size = 1u << (rnd(&s) % 4);
        for (size_t i = 0; i < n; i++)
            va[i] = random_va(&s);
        size_t k1 = 0;
        while (k1 < n && cpu_load(one.c, va[k1], size, &v1[k1]) == 0)
            k1++;
        size_t k2 = cpu_load_many(many.c, va, n, size, v2);
        agree = k1 == k2 && !memcmp(v1, v2, k1 * sizeof v1[0]) && same_stats(&one, &many) &&
                same_tables(&one, &many);
        if (!agree)
            tap_diag("%s seed %llu batch %d: stopped at %zu vs %zu", tlb, (unsigned long long)seed,
                     batch, k1, k2);
        done += k1;
        failures += k1 < n;
        stopped |= k1 < n;
        maybe_flush(&one, &many, &s);
    }
    /* the same probes on both: equal replacement state gives equal misses */
    for (int i = 0; i < 2000 && agree; i++) {
        vaddr_t va = random_va(&s);
        uint64_t a = 0, b = 0;
        int r1 = cpu_load(one.c, va, 1, &a), r2 = cpu_load(many.c, va, 1, &b);
        agree = r1 == r2 && a == b;
    }
    agree = agree && same_stats(&one, &many);
    ok(agree && stopped, "%s, seed %llu: cpu_load_many = cpu_load one by one (%zu loads, %zu batches stopped "
       "by a failed access)", tlb, (unsigned long long)seed, done, failures);
    rig_done(&one);
    rig_done(&many);
}

static void run_touches(const char *tlb, uint64_t seed)
{
    struct rig one, many;
    rig_make(&one, tlb);
    rig_make(&many, tlb);
    uint64_t s = seed;
    bool agree = true;
    size_t done = 0;
    uint64_t kinds[3] = {0};
    for (int batch = 0; batch < 400 && agree; batch++) {
        struct cpu_ref refs[64];
        size_t n = 1 + rnd(&s) % 64;
        for (size_t i = 0; i < n; i++) {
            refs[i].va = random_va(&s);
            uint64_t x = rnd(&s) % 10;
            refs[i].acc = x < 6 ? VM_ACCESS_READ : x < 9 ? VM_ACCESS_WRITE : VM_ACCESS_FETCH;
            refs[i].size = rnd(&s) % 8 == 0 ? 0 : 1u << (rnd(&s) % 4);
            if (rnd(&s) % 50 == 0)
                refs[i].size = 5000;           /* spans two or three pages */
        }
        size_t k1 = 0;
        while (k1 < n && cpu_touch(one.c, refs[k1].va, refs[k1].size, refs[k1].acc) == 0)
            kinds[refs[k1++].acc]++;
        size_t k2 = cpu_touch_many(many.c, refs, n);
        agree = k1 == k2 && same_stats(&one, &many) && same_tables(&one, &many);
        if (!agree)
            tap_diag("%s seed %llu batch %d: stopped at %zu vs %zu", tlb, (unsigned long long)seed,
                     batch, k1, k2);
        done += k1;
        maybe_flush(&one, &many, &s);
    }
    ok(agree && kinds[0] && kinds[1] && kinds[2],
       "%s, seed %llu: cpu_touch_many = cpu_touch one by one (%zu touches: %llu loads, %llu stores, "
       "%llu fetches)", tlb, (unsigned long long)seed, done, (unsigned long long)kinds[0],
       (unsigned long long)kinds[1], (unsigned long long)kinds[2]);
    rig_done(&one);
    rig_done(&many);
}

int main(void)
{
    static const char *const tlbs[] = {
        "l1d=8x2,l1i=4x2,l2=32x4,repl=lru",
        "l1d=8x2,l1i=4x2,l2=32x4,repl=random",
        "l1d=8x2,l1i=4x2,l2=32x4,repl=plru",
        "l1d=16xfull,l1i=8xfull,l2=64x4,repl=lru",
        "golden-cove",
    };
    for (unsigned t = 0; t < sizeof tlbs / sizeof tlbs[0]; t++)
        for (uint64_t seed = 1; seed <= 4; seed++) {
            run_loads(tlbs[t], seed * 7919);
            run_touches(tlbs[t], seed * 104729);
        }

    /* the contract's edges: n == 0, and a failure at the very first access */
    struct rig r;
    rig_make(&r, "tiny");
    uint64_t v = 7;
    vaddr_t bad = BASE + 16 * 4096ull;
    is_u64(page_kind(16), 3, "page 16 is never mapped");
    is_u64(cpu_load_many(r.c, &bad, 0, 8, &v), 0, "no loads: 0");
    is_u64(cpu_load_many(r.c, &bad, 1, 8, &v), 0, "a load of a never-mapped page: stops at 0");
    struct cpu_ref ref = {.va = bad, .size = 8, .acc = VM_ACCESS_WRITE};
    is_u64(cpu_touch_many(r.c, &ref, 1), 0, "a store to a never-mapped page: stops at 0");
    struct cpu_ref ro = {.va = BASE + 11 * 4096ull, .size = 8, .acc = VM_ACCESS_WRITE};
    is_u64(page_kind(11), 1, "page 11 is read-only");
    is_u64(cpu_touch_many(r.c, &ro, 1), 0, "a store to a read-only page: stops at 0");
    rig_done(&r);
    return tap_done();
}
