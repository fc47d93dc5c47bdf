/* tlb_write.c — the software-managed TLB's operations (MIPS32 privileged
 * resource architecture: TLBWR, TLBWI, TLBP, TLBR), on a machine whose
 * misses trap to the kernel instead of starting a walk (cpu.c).
 *
 * Software sees one TLB, the L2 (MIPS's JTLB); the L1 arrays are
 * micro-TLBs the machine refills from it on an L1 miss, as it does after a
 * hardware walk. So a write changes what the L1s hold only where software
 * means it to: the written page's own L1 copies are rewritten in place
 * (keeping their replacement state, so that a handler refilling from the
 * walker's tables leaves every array exactly as a hardware fill would),
 * and an indexed write of an invalid entry removes the L1 copies of what
 * it clears. An entry a write displaces stays a correct translation, as
 * after an L2 eviction on a hardware-walk machine, and its L1 copies stay
 * with it until an invalidation (INVLPG, INVPCID, SFENCE.VMA, CR3,
 * shootdown) or such an invalid write removes them.
 */
#include "hw/cpu_impl.h"

static bool software(const struct cpu *c) { return c->soft_refill; }

/* A written entry as a TLB fill under the current ASID; -1 if the page
 * size is not one of the format's, or pa or va is not fit for it. */
static int to_fill(const struct cpu *c, const struct cpu_tlb_entry *e, struct tlb_fill *f)
{
    const struct pt_format *fmt = c->env.fmt;
    bool size_ok = false;
    for (unsigned l = 0; l <= fmt->max_leaf_level; l++)
        size_ok |= pt_fmt_shift(fmt, l) == e->page_shift;
    if (!size_ok || (e->pa & (((uint64_t)1 << e->page_shift) - 1)) || !pt_canonical(fmt, e->va))
        return -1;
    *f = (struct tlb_fill){
        .va = e->va, .page_base = e->pa, .page_shift = e->page_shift, .sizes = c->fmt_sizes,
        .prot = e->prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC | VM_PROT_USER),
        .global = e->prot & VM_PROT_GLOBAL, .dirty = e->dirty, .asid = c->asid,
    };
    return 0;
}

/* After a write of f: the micro-TLB copies of its page follow it. */
static void follow(struct cpu *c, const struct tlb_fill *f)
{
    tlb_update_copies(&c->tlb, &c->tlb.l1i, f);
    tlb_update_copies(&c->tlb, &c->tlb.l1d, f);
    memo_clear(c);
}

unsigned cpu_tlb_entries(const struct cpu *c)
{
    return software(c) ? tlb_level_entries(&c->tlb.l2) : 0;
}

int cpu_tlb_write_random(struct cpu *c, const struct cpu_tlb_entry *e)
{
    struct tlb_fill f;
    struct tlb_where w;
    if (!software(c) || !e->valid || to_fill(c, e, &f) || !tlb_insert(&c->tlb, &c->tlb.l2, &f, &w))
        return -1;
    follow(c, &f);
    stat_add(c, CPU_STAT_REFILL_WRITES_RANDOM, 1);
    return (int)tlb_slot_index(&c->tlb.l2, &w);
}

int cpu_tlb_write_indexed(struct cpu *c, unsigned index, const struct cpu_tlb_entry *e)
{
    struct tlb_where w;
    if (!software(c) || !tlb_slot(&c->tlb.l2, index, &w))
        return -1;
    if (!e->valid) {
        const struct tlb_entry *old = &w.a->e[w.set * w.a->ways + w.way];
        if (old->flags & TLBE_VALID) {
            /* its micro-TLB copies go with it (a global one's under any ASID) */
            bool global = old->flags & TLBE_GLOBAL;
            struct tlb_filter flt = {.by_va = true, .va = old->vpn << tlb_entry_shift(old),
                                     .by_asid = !global, .asid = old->asid};
            unsigned n = tlb_flush_level(&c->tlb.l1i, &flt) + tlb_flush_level(&c->tlb.l1d, &flt);
            stat_add(c, CPU_STAT_TLB_ENTRIES_FLUSHED, n);
            tlb_clear_at(&w);
        }
        memo_clear(c);
    } else {
        struct tlb_fill f;
        if (to_fill(c, e, &f) || tlb_write_at(&c->tlb, &w, &f))
            return -1;
        follow(c, &f);
    }
    stat_add(c, CPU_STAT_REFILL_WRITES_INDEXED, 1);
    return 0;
}

int cpu_tlb_probe(struct cpu *c, vaddr_t va)
{
    if (!software(c))
        return -1;
    stat_add(c, CPU_STAT_REFILL_PROBES, 1);
    struct tlb_where w;
    if (!pt_canonical(c->env.fmt, va) || !tlb_probe(&c->tlb.l2, va, c->asid, &w))
        return -1;
    return (int)tlb_slot_index(&c->tlb.l2, &w);
}

int cpu_tlb_read(struct cpu *c, unsigned index, struct cpu_tlb_entry *out)
{
    struct tlb_where w;
    if (!software(c) || !tlb_slot(&c->tlb.l2, index, &w))
        return -1;
    stat_add(c, CPU_STAT_REFILL_READS, 1);
    const struct tlb_entry *e = &w.a->e[w.set * w.a->ways + w.way];
    *out = (struct cpu_tlb_entry){.valid = e->flags & TLBE_VALID};
    if (out->valid) {
        out->va = e->vpn << tlb_entry_shift(e);
        out->pa = e->base;
        out->page_shift = tlb_entry_shift(e);
        out->prot = e->prot | (e->flags & TLBE_GLOBAL ? VM_PROT_GLOBAL : 0);
        out->dirty = e->flags & TLBE_DIRTY;
        out->asid = e->asid;
    }
    return 0;
}
