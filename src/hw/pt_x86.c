/* pt_x86.c — x86-64 paging entries (Intel SDM vol. 3A, 4.5).
 *
 * One encoding serves 4-level and 5-level paging: only the number of levels
 * and the width of a linear address differ. Reserved-bit checks depend on
 * MAXPHYADDR, EFER.NXE and 1 GiB support, so they are the walker's.
 */
#include <vmlab/pt.h>

#include "hw/pt_impl.h"

static void x86_decode(uint64_t pte, unsigned level, struct pte_info *out)
{
    bool leaf = level == 0 || ((level == 1 || level == 2) && (pte & X86_PTE_PS));
    out->present = pte & X86_PTE_P;
    out->leaf = leaf;
    out->addr = pte & X86_PTE_ADDR & ~(pt_level_size(leaf ? level : 0) - 1);
    out->prot = VM_PROT_READ;
    if (pte & X86_PTE_RW)
        out->prot |= VM_PROT_WRITE;
    if (pte & X86_PTE_US)
        out->prot |= VM_PROT_USER;
    if (!(pte & X86_PTE_XD))
        out->prot |= VM_PROT_EXEC;
    if (leaf && (pte & X86_PTE_G))
        out->prot |= VM_PROT_GLOBAL;
    out->accessed = pte & X86_PTE_A;
    out->dirty = leaf && (pte & X86_PTE_D);
    out->sw = (pte >> 9) & 7;
    out->pkey = leaf ? (pte >> 59) & 15 : 0;
}

static uint64_t x86_make_leaf(unsigned level, paddr_t pa, unsigned prot, bool accessed,
                              bool dirty, unsigned sw)
{
    uint64_t e = X86_PTE_P | (pa & X86_PTE_ADDR) | (uint64_t)(sw & 7) << 9;
    if (prot & VM_PROT_WRITE)
        e |= X86_PTE_RW;
    if (prot & VM_PROT_USER)
        e |= X86_PTE_US;
    if (!(prot & VM_PROT_EXEC))
        e |= X86_PTE_XD;
    if (prot & VM_PROT_GLOBAL)
        e |= X86_PTE_G;
    if (accessed)
        e |= X86_PTE_A;
    if (dirty)
        e |= X86_PTE_D;
    if (level > 0)
        e |= X86_PTE_PS;
    return e;
}

static uint64_t x86_make_table(unsigned level, paddr_t table)
{
    return X86_PTE_P | X86_PTE_RW | X86_PTE_US | (table & X86_PTE_ADDR);
}

#define X86_64_GEOMETRY                                                               \
    .xlen = 64, .halves = true, .pte_bytes = 8, .index_bits = 9,                      \
    .shift = {12, 21, 30, 39, 48}, .asid_bits = 12, .xd = true, .pkeys = true

const struct pt_format pt_x86_64 = {
    .id = PT_X86_64, .name = "x86-64", .arch = PT_ARCH_X86, X86_64_GEOMETRY,
    .levels = 4, .va_bits = 48, .max_leaf_level = 2,
    .a_bit = X86_PTE_A, .d_bit = X86_PTE_D, .sw_shift = 9, .sw_bits = 3,
    .decode = x86_decode, .make_leaf = x86_make_leaf, .make_table = x86_make_table,
};

const struct pt_format pt_x86_64_5 = {
    .id = PT_X86_64_5, .name = "x86-64-5", .arch = PT_ARCH_X86, X86_64_GEOMETRY,
    .levels = 5, .va_bits = 57, .max_leaf_level = 2,
    .a_bit = X86_PTE_A, .d_bit = X86_PTE_D, .sw_shift = 9, .sw_bits = 3,
    .decode = x86_decode, .make_leaf = x86_make_leaf, .make_table = x86_make_table,
};
