/* pt_ia32.c — 32-bit paging entries (Intel SDM vol. 3A 4.3: CR0.PG = 1,
 * CR4.PAE = 0).
 *
 * Two levels of 1024 4-byte entries: a page directory (level 1, indexed by
 * linear-address bits 31:22) and page tables (level 0, bits 21:12). A PDE
 * with PS = 1 maps a 4 MiB page when CR4.PSE = 1; without PSE the walker
 * ignores PS (the entry points to a page table). There is no XD bit and no
 * protection key: every page is executable. A 4 MiB page's frame is split
 * over the entry (PSE-36): PA bits 31:22 in bits 31:22, PA bits 39:32 in
 * bits 20:13, PAT in bit 12, bit 21 reserved.
 */
#include <vmlab/pt.h>

#include "hw/pt_impl.h"

static paddr_t pde4m_addr(uint64_t pte)
{
    return (pte & IA32_PDE4M_ADDR) |
           ((pte & IA32_PDE4M_HIGH) >> IA32_PDE4M_HIGH_SHIFT) << 32;
}

static void ia32_decode(uint64_t pte, unsigned level, struct pte_info *out)
{
    bool leaf = level == 0 || (level == 1 && (pte & X86_PTE_PS));
    out->present = pte & X86_PTE_P;
    out->leaf = leaf;
    out->addr = leaf && level == 1 ? pde4m_addr(pte) : pte & IA32_PTE_ADDR;
    out->prot = VM_PROT_READ | VM_PROT_EXEC;
    if (pte & X86_PTE_RW)
        out->prot |= VM_PROT_WRITE;
    if (pte & X86_PTE_US)
        out->prot |= VM_PROT_USER;
    if (leaf && (pte & X86_PTE_G))
        out->prot |= VM_PROT_GLOBAL;
    out->accessed = pte & X86_PTE_A;
    out->dirty = leaf && (pte & X86_PTE_D);
    out->sw = (pte >> 9) & 7;
    out->pkey = 0;
}

static uint64_t ia32_make_leaf(unsigned level, paddr_t pa, unsigned prot, bool accessed,
                               bool dirty, unsigned sw)
{
    uint64_t e = X86_PTE_P | (uint64_t)(sw & 7) << 9;
    if (level > 0)
        e |= X86_PTE_PS | (pa & IA32_PDE4M_ADDR) |
             ((pa >> 32) << IA32_PDE4M_HIGH_SHIFT & IA32_PDE4M_HIGH);
    else
        e |= pa & IA32_PTE_ADDR;
    if (prot & VM_PROT_WRITE)
        e |= X86_PTE_RW;
    if (prot & VM_PROT_USER)
        e |= X86_PTE_US;
    if (prot & VM_PROT_GLOBAL)
        e |= X86_PTE_G;
    if (accessed)
        e |= X86_PTE_A;
    if (dirty)
        e |= X86_PTE_D;
    return e;
}

static uint64_t ia32_make_table(unsigned level, paddr_t table)
{
    return X86_PTE_P | X86_PTE_RW | X86_PTE_US | (table & IA32_PTE_ADDR);
}

const struct pt_format pt_ia32 = {
    .id = PT_IA32, .name = "ia32", .arch = PT_ARCH_X86, .xlen = 32,
    .levels = 2, .va_bits = 32, .halves = false, .pte_bytes = 4, .index_bits = 10,
    .shift = {12, 22}, .max_leaf_level = 1, .asid_bits = 0, .xd = false, .pkeys = false,
    .a_bit = X86_PTE_A, .d_bit = X86_PTE_D, .sw_shift = 9, .sw_bits = 3,
    .decode = ia32_decode, .make_leaf = ia32_make_leaf, .make_table = ia32_make_table,
};
