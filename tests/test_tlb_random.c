/* test_tlb_random.c — the whole translation path (memo, L1/L2 TLBs, page-
 * walk caches, splintering, PCIDs/ASIDs, globals) against a model that
 * has no caches at all: a fresh pt_walk on the same tables.
 *
 * Random operations change the tables the way a correct kernel does —
 * remap, unmap, change rights of 4K and 2M (and 1G) pages, change a
 * non-leaf entry, switch address spaces without flushing — each followed by
 * the invalidation the manuals require (INVLPG / INVPCID / SFENCE.VMA,
 * per address or per ASID). Between operations, random accesses (any kind,
 * user or supervisor) must give exactly what a walk of the current tables
 * gives: the same physical address, or the same fault (type, error code or
 * cause, level). Any stale translation kept past its invalidation, or
 * dropped rights, shows up as a difference. Several TLB geometries. */
#include <stdio.h>
#include <string.h>

#include "hw/cpu_impl.h"
#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (64ull << 20)

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

struct world {
    struct machine *m;
    struct cpu *c;
    struct physmem *pm;
    const struct pt_format *fmt;
    bool x86;
    struct ptb as[2];            /* two address spaces, ASID/PCID 1 and 2 */
    int cur;
    bool wp, sum;                /* control state mirrored for the model */
    uint64_t seed;
    unsigned diffs, checks, faults;
};

/* Interesting addresses: 16 4K pages in one table, 4 2M pages, 2 1G pages,
 * 4 shared global pages (kernel half). */
static vaddr_t page_va(const struct world *w, unsigned kind, unsigned i)
{
    bool x = w->x86;
    switch (kind) {
    case 0: return 0x400000ull + i * 4096ull;
    case 1: return 0x40000000ull + i * (2ull << 20);
    case 2: return (x ? 1ull << 39 : 1ull << 31) + i * (1ull << 30);   /* sv39: VPN[2] 2, 3 */
    default: return (x ? 0xffff800000000000ull : 0xffffffc000000000ull) + i * 4096ull;
    }
}
static unsigned kind_level(unsigned kind) { return kind == 1 ? 1 : kind == 2 ? 2 : 0; }
static unsigned kind_count(unsigned kind) { return kind == 0 ? 16 : kind == 1 ? 4 : kind == 2 ? 2 : 4; }

static unsigned random_prot(struct world *w, bool global)
{
    unsigned p = VM_PROT_READ;
    uint64_t r = rnd(&w->seed);
    if (r & 1)
        p |= VM_PROT_WRITE;
    if (r & 2)
        p |= VM_PROT_EXEC;
    if (!global && (r & 12))
        p |= VM_PROT_USER;
    if (!w->x86 && (r & 48) == 0)
        p &= ~VM_PROT_READ;           /* RISC-V: X-only (or a reserved W-only) page */
    if (global)
        p |= VM_PROT_GLOBAL;
    return p;
}

static paddr_t random_frame(struct world *w, unsigned level)
{
    if (level == 2)
        return (rnd(&w->seed) % 4) << 30;                 /* beyond memory: translate only */
    if (level == 1)
        return 0x2000000ull + (rnd(&w->seed) % 8) * (2ull << 20);
    return 0x1000000ull + (rnd(&w->seed) % 256) * 4096ull;
}

/* Invalidate va in address space `as` the way a kernel must. */
static void invalidate_page(struct world *w, int as, vaddr_t va, bool global)
{
    if (w->x86) {
        if (as == w->cur || global)
            cpu_invlpg(w->c, va);                         /* current PCID, and globals */
        if (as != w->cur || global)
            cpu_invpcid(w->c, 0, (uint16_t)(as + 1), va);
    } else {
        if (global)
            cpu_sfence_vma(w->c, true, va, false, 0);
        else
            cpu_sfence_vma(w->c, true, va, true, (uint16_t)(as + 1));
    }
}

/* A non-leaf change: flush the whole ASID (and PWCs). */
static void invalidate_asid(struct world *w, int as)
{
    if (w->x86)
        cpu_invpcid(w->c, 1, (uint16_t)(as + 1), 0);
    else
        cpu_sfence_vma(w->c, false, 0, true, (uint16_t)(as + 1));
}

static void switch_to(struct world *w, int as)
{
    w->cur = as;
    if (w->x86)
        cpu_write_cr3(w->c, w->as[as].root | (uint64_t)(as + 1) | X86_CR3_NOFLUSH);
    else
        cpu_write_satp(w->c, rv_satp(w->fmt->levels == 3   ? RV_SATP_MODE_SV39
                                     : w->fmt->levels == 4 ? RV_SATP_MODE_SV48
                                                           : RV_SATP_MODE_SV57,
                                     (uint16_t)(as + 1), w->as[as].root));
}

static void op(struct world *w)
{
    uint64_t r = rnd(&w->seed) % 100;
    if (r < 60) {                                         /* remap or unmap a leaf */
        unsigned kind = (unsigned)(rnd(&w->seed) % 4);
        unsigned i = (unsigned)(rnd(&w->seed) % kind_count(kind));
        vaddr_t va = page_va(w, kind, i);
        unsigned level = kind_level(kind);
        bool global = kind == 3;
        int as = global ? -1 : (int)(rnd(&w->seed) & 1);
        bool unmap = rnd(&w->seed) % 5 == 0;
        paddr_t f = random_frame(w, level);
        unsigned prot = random_prot(w, global);
        for (int k = 0; k < 2; k++) {
            if (as >= 0 && k != as)
                continue;
            if (unmap)
                ptb_set(&w->as[k], va, level, 0);
            else
                ptb_map(&w->as[k], va, f, level, prot, 0);
        }
        invalidate_page(w, as < 0 ? w->cur : as, va + (rnd(&w->seed) & (pt_level_size(level) - 1) & ~7ull), global);
    } else if (r < 70) {                                  /* change a non-leaf entry's rights */
        int as = (int)(rnd(&w->seed) & 1);
        vaddr_t va = page_va(w, 0, 0);
        paddr_t e = ptb_entry(&w->as[as], va, 1);
        uint64_t pte = pte_load(w->pm, e);
        if (w->x86)
            pte ^= (rnd(&w->seed) & 1) ? X86_PTE_RW : X86_PTE_US;
        pte_store(w->pm, e, pte);
        invalidate_asid(w, as);
    } else if (r < 82) {
        switch_to(w, (int)(rnd(&w->seed) & 1));
    } else if (r < 85) {
        /* flushes that are never required but always allowed */
        uint64_t k = rnd(&w->seed) % 3;
        if (w->x86 && k == 0)
            cpu_write_cr3(w->c, w->as[w->cur].root | (uint64_t)(w->cur + 1));   /* flushing CR3 write */
        else if (w->x86)
            cpu_invpcid(w->c, k == 1 ? 3 : 2, 0, 0);
        else if (k == 0)
            cpu_sfence_vma(w->c, false, 0, false, 0);
        else
            cpu_sfence_vma(w->c, false, 0, true, (uint16_t)(w->cur + 1));
    } else if (r < 95) {
        cpu_set_priv(w->c, (rnd(&w->seed) & 1) ? VM_PRIV_USER : VM_PRIV_SUPERVISOR);
    } else if (w->x86) {
        w->wp = rnd(&w->seed) & 1;
        cpu_write_cr0(w->c, w->wp ? X86_CR0_WP : 0);
    } else {
        w->sum = rnd(&w->seed) & 1;
        cpu_set_sum(w->c, w->sum);
    }
}

static struct walk_env env_now(struct world *w)
{
    struct walk_env e = {
        .fmt = w->fmt, .root = w->as[w->cur].root, .priv = cpu_priv(w->c), .maxphyaddr = 46,
        .gbpages = true, .wp = w->wp, .nxe = true, .sum = w->sum, .adue = true,
    };
    return e;
}

/* One access through the CPU and the same access walked fresh. */
static void check(struct world *w)
{
    unsigned kind = (unsigned)(rnd(&w->seed) % 4);
    unsigned i = (unsigned)(rnd(&w->seed) % kind_count(kind));
    unsigned level = kind_level(kind);
    vaddr_t va = page_va(w, kind, i) + ((rnd(&w->seed) % pt_level_size(level)) & ~7ull);
    enum vm_access acc = (enum vm_access)(rnd(&w->seed) % 3);
    paddr_t pa = 0;
    int rc = cpu_translate(w->c, va, acc, &pa);
    struct vm_fault got = *cpu_last_fault(w->c);

    struct walk_env e = env_now(w);
    struct walk_result res;
    struct vm_fault want;
    int mrc = pt_walk(w->pm, &e, va, acc, &res, &want);
    bool same = rc == mrc &&
                (rc == 0 ? pa == res.pa
                         : got.type == want.type && got.error_code == want.error_code &&
                               got.cause == want.cause && got.level == want.level &&
                               got.not_present == want.not_present && got.reserved == want.reserved);
    w->checks++;
    w->faults += rc != 0;
    if (!same && w->diffs++ < 5)
        tap_diag("%s: va 0x%llx acc %d priv %d as %d: cpu rc %d pa 0x%llx ec 0x%x lvl %u; walk rc %d "
                 "pa 0x%llx ec 0x%x lvl %u", w->fmt->name, (unsigned long long)va, acc, e.priv, w->cur,
                 rc, (unsigned long long)pa, got.error_code, got.level, mrc,
                 (unsigned long long)res.pa, want.error_code, want.level);
}

static void run(enum pt_format_id id, const char *tlb, uint64_t seed, unsigned nops)
{
    struct world w = {.fmt = pt_format(id), .seed = seed, .wp = true};
    w.x86 = w.fmt->arch == PT_ARCH_X86;
    w.m = tm_machine(w.fmt->arch, 1, MEM, tlb);
    w.c = machine_cpu(w.m, 0);
    w.pm = machine_physmem(w.m);
    cpu_attach(w.c);
    /* kernel pages: the same frame and rights in both spaces, global (a
     * global page mapped differently in two spaces is a kernel bug: the
     * CPU may use either) */
    unsigned kprot[4];
    for (unsigned i = 0; i < 4; i++)
        kprot[i] = random_prot(&w, true);
    for (int k = 0; k < 2; k++) {
        ptb_init(&w.as[k], w.pm, w.fmt, 0x100000 + (paddr_t)k * 0x400000, 0x500000 + (paddr_t)k * 0x400000);
        for (unsigned kind = 0; kind < 4; kind++)
            for (unsigned i = 0; i < kind_count(kind); i++) {
                unsigned level = kind_level(kind);
                if (kind == 3)
                    ptb_map(&w.as[k], page_va(&w, kind, i), 0x1f00000 + i * 4096ull, 0, kprot[i], 0);
                else
                    ptb_map(&w.as[k], page_va(&w, kind, i), random_frame(&w, level), level,
                            random_prot(&w, false), 0);
            }
    }
    if (w.x86) {
        cpu_write_efer(w.c, X86_EFER_NXE);
        cpu_write_cr4(w.c, X86_CR4_PCIDE | X86_CR4_PGE | (w.fmt->levels == 5 ? X86_CR4_LA57 : 0));
    }
    switch_to(&w, 0);
    int tlb_bad = 0;
    for (unsigned n = 0; n < nops; n++) {
        op(&w);
        for (int k = 0; k < 8; k++)
            check(&w);
        if (!tlb_bad)
            tlb_bad = tlb_check(&w.c->tlb);
    }
    is_u64(w.diffs, 0, "%s, TLB %s, seed %llu: %u accesses (%u faults) agree with fresh walks",
           w.fmt->name, tlb, (unsigned long long)seed, w.checks, w.faults);
    ok(tlb_bad == 0, "%s, TLB %s, seed %llu: the TLBs and page-walk caches hold each entry once "
                     "(code %d)", w.fmt->name, tlb, (unsigned long long)seed, tlb_bad);
    cpu_detach(w.c);
    machine_destroy(w.m);
}

int main(void)
{
    static const char *const tlbs[] = {
        "golden-cove", "zen4", "tiny",
        "l1d=4x2:4k;2xfull:2m,l1i=4x2,l2=16x4:4k+2m,pwc=1/1/2/2,repl=plru",
        "l1d=8xfull:4k,l1i=8xfull:4k,l2=32x4:4k,pwc=2/2/2/2,repl=random,seed=5",
    };
    unsigned nops = tm_san() ? 300 : 3000;
    for (unsigned t = 0; t < sizeof tlbs / sizeof tlbs[0]; t++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            run(PT_X86_64, tlbs[t], seed * 7919, nops);
            run(PT_SV39, tlbs[t], seed * 104729, nops);
        }
    run(PT_X86_64_5, "golden-cove", 31337, nops);
    run(PT_SV48, "zen4", 4242, nops);
    run(PT_SV57, "zen4", 777, nops);
    return tap_done();
}
