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
