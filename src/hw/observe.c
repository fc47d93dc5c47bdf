/* observe.c — a CPU's observer (vmlab/observe.h) and the machine's
 * introspection: what a CPU's TLB levels and page-walk caches hold.
 *
 * The hooks themselves sit where the work is done (cpu.c's lookups, walks
 * and faults; walk.c's entries; tlb.c's fills; cpu_ctl.c's flushes;
 * shootdown.c's requests), each behind one test of the CPU's observer
 * pointer. This file only connects and names them.
 */
#include "hw/cpu_impl.h"

#include <string.h>

void cpu_set_observer(struct cpu *cpu, const struct vm_observer *obs)
{
    cpu->obs = obs && obs->event ? obs : NULL;
    cpu->tlb.observed = cpu->obs != NULL;
    /* An observed CPU keeps no memo slots (cpu.c memo_set), so that every
     * access probes the L1 and tells; forget the ones it has. Not through
     * memo_clear: nothing was flushed, so the flush generation stays (the
     * instruction set's fetch unit keeps its page, and a program makes the
     * same accesses watched or not). */
    for (unsigned i = 0; i < MEMO_SLOTS; i++)
        cpu->dmemo[i].vpage = cpu->imemo[i].vpage = MEMO_NONE;
}

const struct vm_observer *cpu_observer(const struct cpu *cpu)
{
    return cpu ? cpu->obs : NULL;
}

void cpu_observe(struct cpu *cpu, struct vm_event *ev)
{
    if (!cpu || !cpu->obs)
        return;
    ev->cpu = cpu->index;
    cpu->obs->event(cpu->obs->arg, cpu, ev);
}

/* A CPU's TLB is a member of its struct cpu: the CPU is where it sits. */
void tlb_observe(struct tlb *t, struct vm_event *ev)
{
    cpu_observe((struct cpu *)(void *)((char *)t - offsetof(struct cpu, tlb)), ev);
}

const char *const vm_tlb_level_names[VM_TLB_NLEVELS] = {"L1 ITLB", "L1 DTLB", "L2"};
const char *const vm_tlb_verdict_names[] = {"used", "dirty-rewalk", "rights-rewalk", "missed", "trap"};
const char *const vm_walk_check_names[] = {"ok", "not-present", "reserved", "denied", "cas-lost"};
const char *const vm_fault_action_names[] = {"zero-fill", "swap-in", "file-read", "page-cache",
                                             "init", "cow-copy", "cow-reuse", "spurious", "kill",
                                             "other"};
const char *const vm_policy_verdict_names[] = {"skip-pinned", "second-chance", "activate",
                                               "deactivate", "refresh", "aged", "candidate",
                                               "victim"};
const char *const vm_evict_outcome_names[] = {"dropped", "swapped", "written-back", "swap-full",
                                              "io-error"};

/* ---- the TLB levels ---- */

static const struct tlb_level_state *level_state(const struct cpu *c, enum vm_tlb_level level)
{
    switch (level) {
    case VM_TLB_L1I: return &c->tlb.l1i;
    case VM_TLB_L1D: return &c->tlb.l1d;
    case VM_TLB_L2: return &c->tlb.l2;
    default: return NULL;
    }
}

unsigned cpu_tlb_level_slots(const struct cpu *cpu, enum vm_tlb_level level)
{
    const struct tlb_level_state *lv = level_state(cpu, level);
    return lv ? tlb_level_entries(lv) : 0;
}

int cpu_tlb_level_slot(const struct cpu *cpu, enum vm_tlb_level level, unsigned index,
                       struct vm_tlb_slot *out)
{
    const struct tlb_level_state *lv = level_state(cpu, level);
    struct tlb_where w;
    /* tlb_slot only computes where the slot is */
    if (!lv || !tlb_slot((struct tlb_level_state *)lv, index, &w))
        return -1;
    const struct tlb_entry *e = &w.a->e[w.set * w.a->ways + w.way];
    memset(out, 0, sizeof *out);
    out->array = (unsigned)(w.a - lv->a);
    out->set = w.set;
    out->way = w.way;
    if (!(e->flags & TLBE_VALID))
        return 0;
    out->valid = true;
    out->entry_shift = tlb_entry_shift(e);
    out->va = e->vpn << out->entry_shift;
    out->page_shift = e->page_shift;
    out->frame = e->base;
    out->asid = e->asid;
    out->global = e->flags & TLBE_GLOBAL;
    out->dirty = e->flags & TLBE_DIRTY;
    out->prot = e->prot;
    return 0;
}

/* ---- the page-walk caches ---- */

unsigned cpu_pwc_slots(const struct cpu *cpu, unsigned level)
{
    return level >= 1 && level <= 4 ? cpu->tlb.pwc[level].n : 0;
}

int cpu_pwc_slot(const struct cpu *cpu, unsigned level, unsigned index, struct vm_pwc_slot *out)
{
    if (level < 1 || level > 4 || index >= cpu->tlb.pwc[level].n)
        return -1;
    const struct pwc_state *p = &cpu->tlb.pwc[level];
    memset(out, 0, sizeof *out);
    if (p->key[index] == PWC_NOKEY || !cpu->env.fmt)
        return 0;
    const struct pwc_entry *e = &pwc_entries(p)[index];
    out->valid = true;
    out->va = e->tag << pt_fmt_shift(cpu->env.fmt, level);
    out->table = e->next;
    out->asid = e->asid;
    out->prot = e->prot;
    out->global = e->global;
    return 0;
}
