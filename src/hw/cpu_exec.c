/* cpu_exec.c — the slow path of an interpreter's access (see cpu_exec.h). */
#include "hw/cpu_exec.h"

#include <string.h>

/* [pa, pa+len) is not memory: the translation named no frame (FAULT_BUS),
 * as cpu.c's bus_error reports it. */
static int bus_fault(struct cpu *c, vaddr_t va, paddr_t pa, uint64_t len, enum vm_access acc)
{
    if (__builtin_expect(physmem_contains(c->pm, pa, len), 1))
        return 0;
    memset(&c->last_fault, 0, sizeof c->last_fault);
    c->last_fault.type = FAULT_BUS;
    c->last_fault.addr = va;
    c->last_fault.access = acc;
    c->last_fault.priv = c->env.priv;
    return -1;
}

int cpu_exec_translate(struct cpu *c, vaddr_t va, unsigned size, enum vm_access acc, paddr_t pa[2])
{
    /* cpu.c's translate_span: one access, one lookup per page */
    stat_add(c, CPU_STAT_ACCESSES, 1);
    if (translate_page(c, va, acc, &pa[0]))
        return -1;
    vaddr_t last = va + size - 1;
    uint64_t first = VM_PAGE_SIZE - (va & VM_PAGE_MASK);
    if ((last ^ va) >> VM_PAGE_SHIFT == 0)
        return bus_fault(c, va, pa[0], size, acc);
    if (translate_page(c, VM_ALIGN_DOWN(last, VM_PAGE_SIZE), acc, &pa[1]))
        return -1;
    if (bus_fault(c, va, pa[0], first, acc))
        return -1;
    return bus_fault(c, va + first, pa[1], size - first, acc);
}

/* ---- the access cache ---- */

static void xc_clear(struct cpu *c, struct cpu_xcache *xc)
{
    for (unsigned i = 0; i < CPU_XC_SLOTS; i++)
        xc->rd[i].tag = xc->wr[i].tag = CPU_XC_NONE;
    xc->gen = c->memo_gen;
    xc->seq = c->tlb.seq;
    xc->dummy_a.clock = 0;
}

void cpu_xc_init(struct cpu *c, struct cpu_xcache *xc)
{
    memset(xc, 0, sizeof *xc);
    xc_clear(c, xc);
}

void cpu_xc_sync(struct cpu *c, struct cpu_xcache *xc)
{
    if (xc->loads | xc->stores) {
        stat_add(c, CPU_STAT_ACCESSES, xc->loads + xc->stores);
        if (xc->loads)
            stat_add(c, CPU_STAT_DTLB_LOADS, xc->loads);
        if (xc->stores)
            stat_add(c, CPU_STAT_DTLB_STORES, xc->stores);
        xc->loads = xc->stores = 0;
    }
}

void cpu_xc_check(struct cpu *c, struct cpu_xcache *xc)
{
    if (xc->gen != c->memo_gen || xc->seq != c->tlb.seq || c->tlb.seq_wrapped ||
        xc->dummy_a.clock >= TLB_CLOCK_LIMIT / 2)
        xc_clear(c, xc);
}

void cpu_xc_fill(struct cpu *c, struct cpu_xcache *xc, vaddr_t va)
{
    bool lru = c->tlb.repl == TLB_REPL_LRU;
    if (!lru && c->tlb.repl != TLB_REPL_RANDOM)
        return;
    struct cpu_memo *mm =
        (struct cpu_memo *)((char *)c->dmemo + ((va >> (VM_PAGE_SHIFT - 6)) & ((MEMO_SLOTS - 1) << 6)));
    if (mm->vpage != va >> VM_PAGE_SHIFT || mm->gen != c->memo_gen || mm->u->seq != mm->seq)
        return;
    unsigned i = (va >> VM_PAGE_SHIFT) & (CPU_XC_SLOTS - 1);
    struct cpu_xc_entry x = {
        .tag = VM_ALIGN_DOWN(va, VM_PAGE_SIZE),
        .addend = (uintptr_t)mm->host - (uintptr_t)VM_ALIGN_DOWN(va, VM_PAGE_SIZE),
        .u = lru ? mm->u : &xc->dummy_u,
        .a = lru ? mm->a : &xc->dummy_a,
    };
    xc->rd[i] = x;
    xc->wr[i] = x;
    if (!mm->read)
        xc->rd[i].tag = CPU_XC_NONE;
    if (!mm->write)
        xc->wr[i].tag = CPU_XC_NONE;
}
