/* swpt_linear.c — a linear page table (MIPS and BSD's): the leaf level of
 * the kernel's page tables seen as one array in kernel virtual memory, the
 * PTE of virtual page n at window + n * 8.
 *
 * A refill reads one PTE through the window -- if the TLB maps the window
 * page holding it (found with TLBP and read with TLBR, then written again
 * in place, as the load's hit would refresh it). If not, that is a
 * linear-table miss: the upper levels are read from the root and the
 * window page's mapping is written into the TLB (TLBWR, under the
 * process's ASID, supervisor only), where it competes with user pages --
 * the linear table's price in TLB reach. A huge page is found in the upper
 * levels and needs no window page. The window lies in the format's kernel
 * half, so the 32-bit formats, whose user space is all 4 GiB, cannot have
 * one. The page tables are the structure: nothing to insert or invalidate
 * beyond the TLB itself.
 */
#include <errno.h>
#include <stdlib.h>

#include "os/swpt.h"

struct linear {
    vaddr_t window;
};

static int linear_init(struct swpt *s, struct kernel *k)
{
    const struct pt_format *fmt = k->fmt;
    if (!fmt->halves || fmt->pte_bytes != 8)
        return -EINVAL;
    struct linear *l = malloc(sizeof *l);
    if (!l)
        return -ENOMEM;
    l->window = ~(vaddr_t)0 << (fmt->va_bits - 1);   /* the kernel half's first address */
    s->impl = l;
    return 0;
}

static void linear_destroy(struct swpt *s)
{
    free(s->impl);
}

static bool linear_lookup(struct swpt *s, struct process *p, struct cpu *cpu, vaddr_t va,
                          struct swpt_xlat *x, uint64_t *probes)
{
    struct kernel *k = p->k;
    const struct pt_format *fmt = k->fmt;
    const struct linear *l = s->impl;
    vaddr_t wpage = l->window + ((va >> pt_fmt_shift(fmt, 1)) << VM_PAGE_SHIFT);
    paddr_t table = 0;
    int idx = cpu_tlb_probe(cpu, wpage);
    struct cpu_tlb_entry e;
    if (idx >= 0 && cpu_tlb_read(cpu, (unsigned)idx, &e) == 0 && e.valid) {
        table = e.pa;
        cpu_tlb_write_random(cpu, &e);   /* the hit refreshes it */
    } else {
        /* a linear-table miss: the upper levels, then the window page */
        count(p, VMSTAT_SWPT_LINEAR_MISSES, 1);
        table = p->root;
        for (unsigned lv = fmt->levels - 1; lv >= 1; lv--) {
            paddr_t slot = kpte_slot(k, table, va, lv);
            struct pte_info pi;
            fmt->decode(kpte_load(k, slot), lv, &pi);
            (*probes)++;
            if (!pi.present)
                return false;
            if (pi.leaf) {
                *x = (struct swpt_xlat){pi.addr, slot, pt_fmt_shift(fmt, lv),
                                        pi.prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)};
                return true;
            }
            table = pi.addr;
        }
        struct cpu_tlb_entry w = {.va = wpage, .pa = table, .page_shift = VM_PAGE_SHIFT,
                                  .prot = VM_PROT_READ | VM_PROT_WRITE, .dirty = true, .valid = true};
        cpu_tlb_write_random(cpu, &w);
    }
    paddr_t slot = kpte_slot(k, table, va, 0);
    struct pte_info pi;
    fmt->decode(kpte_load(k, slot), 0, &pi);
    (*probes)++;
    if (!pi.present || !pi.leaf)
        return false;
    *x = (struct swpt_xlat){pi.addr, slot, VM_PAGE_SHIFT,
                            pi.prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)};
    return true;
}

/* The page-table pages are the table. */
static uint64_t linear_bytes(const struct swpt *s)
{
    return pool_used((struct pool *)&s->k->kpool) * VM_PAGE_SIZE;
}

const struct swpt_ops swpt_linear_ops = {
    .name = "linear",
    .init = linear_init,
    .destroy = linear_destroy,
    .lookup = linear_lookup,
    .bytes = linear_bytes,
};
