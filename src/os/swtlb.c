/* swtlb.c — the refill handler of a software-managed TLB (MIPS's TLB
 * Refill and TLB Modified exceptions, the kernel's side; swpt.h explains
 * the structures).
 *
 *   refill     find the translation in the kernel's structure (a probe per
 *              entry read); on a miss, in the page tables (the structure
 *              then remembers it); if it is not there either, the page
 *              fault it is, handled as always (fault.c) before looking
 *              again. Then A is set in the PTE (a refill is a reference, as
 *              a walk's), D too for a store to a writable page (so that a
 *              first-touch store costs one trap, as it costs one walk), and
 *              the entry is written where the TLB's replacement chooses
 *              (TLBWR), under the current ASID.
 *   modified   a store through an entry without D: D goes into the PTE and
 *              the entry is written again, dirty.
 *   protection a hit whose rights do not allow the access: the kernel's
 *              ordinary fault (copy-on-write, a kill); then the page's entry
 *              is dropped from this CPU and from the structure, since a
 *              software-refill machine leaves the TLB to software.
 * So a trace costs the same number of TLB misses as on a hardware-walk
 * machine of the same geometry (with the hashed and inverted tables, whose
 * own memory is not in the TLB), and the cost model charges each trap and
 * each probe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/swpt.h"

static const struct swpt_ops *const swpt_ops_of[] = {
    [KERNEL_SW_PT_LINEAR] = &swpt_linear_ops,
    [KERNEL_SW_PT_HASHED] = &swpt_hashed_ops,
    [KERNEL_SW_PT_INVERTED] = &swpt_inverted_ops,
};

const char *const kernel_sw_pt_names[KERNEL_SW_PT_NR] = {
    [KERNEL_SW_PT_LINEAR] = "linear", [KERNEL_SW_PT_HASHED] = "hashed",
    [KERNEL_SW_PT_INVERTED] = "inverted",
};

int swpt_create(struct kernel *k, char *err, size_t errlen)
{
    if ((unsigned)k->cfg.sw_pt >= sizeof swpt_ops_of / sizeof swpt_ops_of[0]) {
        snprintf(err, errlen, "sw_pt %d: linear, hashed or inverted", (int)k->cfg.sw_pt);
        return -EINVAL;
    }
    struct swpt *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    s->ops = swpt_ops_of[k->cfg.sw_pt];
    s->k = k;
    pthread_mutex_init(&s->lock, NULL);
    int rc = s->ops->init(s, k);
    if (rc < 0) {
        snprintf(err, errlen, "%s page table: %s", s->ops->name,
                 rc == -EINVAL ? "the format has no kernel half to map a linear table in"
                               : "out of memory");
        pthread_mutex_destroy(&s->lock);
        free(s);
        return rc;
    }
    k->swpt = s;
    return 0;
}

void swpt_destroy(struct kernel *k)
{
    struct swpt *s = k->swpt;
    if (!s)
        return;
    s->ops->destroy(s);
    pthread_mutex_destroy(&s->lock);
    free(s);
    k->swpt = NULL;
}

void swpt_invalidate(struct kernel *k, uint16_t asid, vaddr_t start, vaddr_t end)
{
    struct swpt *s = k->swpt;
    if (!s || !s->ops->invalidate)
        return;
    pthread_mutex_lock(&s->lock);
    __atomic_add_fetch(&s->gen, 1, __ATOMIC_RELEASE);
    s->ops->invalidate(s, asid, start, end);
    pthread_mutex_unlock(&s->lock);
}

bool swpt_radix_lookup(struct process *p, vaddr_t va, struct swpt_xlat *x, uint64_t *probes)
{
    struct kernel *k = p->k;
    const struct pt_format *fmt = k->fmt;
    paddr_t table = p->root;
    for (unsigned l = fmt->levels - 1;; l--) {
        paddr_t slot = kpte_slot(k, table, va, l);
        struct pte_info pi;
        fmt->decode(kpte_load(k, slot), l, &pi);
        (*probes)++;
        if (!pi.present)
            return false;
        if (pi.leaf) {
            x->pa = pi.addr;
            x->pte_pa = slot;
            x->shift = pt_fmt_shift(fmt, l);
            x->prot = pi.prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC);
            return true;
        }
        if (l == 0)
            return false;
        table = pi.addr;
    }
}

/* Set A (and D) in the PTE behind x, as a walk would: 1 if it is dirty
 * now, 0 if clean, -1 if it no longer maps x (changed under us). */
static int pte_mark(struct kernel *k, const struct swpt_xlat *x, unsigned level, bool dirty)
{
    uint64_t old = kpte_load(k, x->pte_pa);
    for (;;) {
        struct pte_info pi;
        k->fmt->decode(old, level, &pi);
        if (!pi.present || !pi.leaf || pi.addr != x->pa)
            return -1;
        uint64_t nv = old | k->fmt->a_bit | (dirty ? k->fmt->d_bit : 0);
        if (nv == old || kpte_cas(k, x->pte_pa, &old, nv))
            return pi.dirty || dirty;
    }
}

static unsigned shift_level(const struct kernel *k, unsigned shift)
{
    for (unsigned l = 0; l <= k->fmt->max_leaf_level; l++)
        if (pt_fmt_shift(k->fmt, l) == shift)
            return l;
    return 0;
}

static void tlb_write(struct cpu *cpu, vaddr_t va, const struct swpt_xlat *x, bool dirty)
{
    struct cpu_tlb_entry e = {.va = va, .pa = x->pa, .page_shift = x->shift,
                              .prot = x->prot | VM_PROT_USER, .dirty = dirty, .valid = true};
    cpu_tlb_write_random(cpu, &e);
}

static enum fault_action refill(struct cpu *cpu, struct process *p, const struct vm_fault *f)
{
    struct kernel *k = p->k;
    struct swpt *s = k->swpt;
    vaddr_t va = f->addr;
    if (va >= user_top(p)) {
        process_kill_access(p, KILL_SEGV_KERNEL_ADDR, va, f->access);
        return FAULT_FAIL;
    }
    for (unsigned tries = 0; tries < 64; tries++) {
        uint64_t probes = 0, gen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
        struct swpt_xlat x;
        bool found = s->ops->lookup(s, p, cpu, va, &x, &probes);
        if (!found) {
            count(p, VMSTAT_SWPT_MISSES, 1);
            found = swpt_radix_lookup(p, va, &x, &probes);
            if (found && s->ops->insert) {
                pthread_mutex_lock(&s->lock);
                if (__atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) == gen)
                    s->ops->insert(s, p, va, &x);
                pthread_mutex_unlock(&s->lock);
            }
        }
        count(p, VMSTAT_SWPT_PROBES, probes);
        if (!found) {
            /* not mapped: the page fault it is */
            count(p, VMSTAT_PGFAULT, 1);
            enum kill_reason r = fault_in(p, cpu, va, f->access, false, true);
            if (r != KILL_NONE) {
                process_kill_access(p, r, va, f->access);
                return FAULT_FAIL;
            }
            continue;
        }
        bool store = f->access == VM_ACCESS_WRITE && (x.prot & VM_PROT_WRITE);
        int dirty = pte_mark(k, &x, shift_level(k, x.shift), store);
        if (dirty < 0)
            continue;   /* changed under us */
        tlb_write(cpu, va, &x, dirty && (x.prot & VM_PROT_WRITE));
        count(p, VMSTAT_SWPT_REFILLS, 1);
        return FAULT_RETRY;
    }
    return FAULT_RETRY;   /* the tables keep changing under us: trap again */
}

/* The page's stale entry out of this CPU's TLB and out of the structure. */
static void drop_entry(struct cpu *cpu, struct process *p, vaddr_t va)
{
    struct kernel *k = p->k;
    vaddr_t page = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    swpt_invalidate(k, cpu_asid(cpu), page, page + VM_PAGE_SIZE);
    mmu_flush_self(p, cpu, page, page + VM_PAGE_SIZE);
}

static enum fault_action modified(struct cpu *cpu, struct process *p, const struct vm_fault *f)
{
    struct kernel *k = p->k;
    uint64_t probes = 0;
    struct swpt_xlat x;
    bool found = swpt_radix_lookup(p, f->addr, &x, &probes);
    count(p, VMSTAT_SWPT_PROBES, probes);
    if (found && (x.prot & VM_PROT_WRITE) && pte_mark(k, &x, shift_level(k, x.shift), true) > 0) {
        tlb_write(cpu, f->addr, &x, true);
        count(p, VMSTAT_SWPT_DIRTY, 1);
        return FAULT_RETRY;
    }
    /* its rights changed since the entry was written: the ordinary fault */
    drop_entry(cpu, p, f->addr);
    return FAULT_RETRY;
}

enum fault_action swpt_trap(struct cpu *cpu, struct process *p, const struct vm_fault *f)
{
    struct vm_fault copy = *f;   /* the handler's own TLB operations may trap no more, but keep it */
    switch (copy.type) {
    case FAULT_TLB_REFILL:
        return refill(cpu, p, &copy);
    case FAULT_TLB_MODIFIED:
        return modified(cpu, p, &copy);
    default: {
        count(p, VMSTAT_PGFAULT, 1);
        enum kill_reason r = fault_in(p, cpu, copy.addr, copy.access, false, true);
        if (r != KILL_NONE) {
            process_kill_access(p, r, copy.addr, copy.access);
            return FAULT_FAIL;
        }
        drop_entry(cpu, p, copy.addr);
        return FAULT_RETRY;
    }
    }
}
