/* pt_riscv.c — RISC-V Sv32/Sv39/Sv48/Sv57 entries (privileged spec,
 * "Sv32: Page-Based 32-bit Virtual-Memory Systems" and the Sv39, Sv48, Sv57
 * sections that follow it).
 *
 * The four modes share one layout of the low bits (V R W X U G A D, RSW,
 * then the PPN from bit 10); they differ in the number of levels, and Sv32
 * in its entry width: 4 bytes with a 22-bit PPN (34-bit physical
 * addresses) and 10 index bits per level. Any level may hold a leaf (a
 * superpage at levels above 0: 4 MiB "megapages" on Sv32).
 */
#include <vmlab/pt.h>

#include "hw/pt_impl.h"

static void rv_decode(uint64_t pte, unsigned level, struct pte_info *out)
{
    out->present = pte & RV_PTE_V;
    out->leaf = pte & (RV_PTE_R | RV_PTE_W | RV_PTE_X);
    out->addr = ((pte & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << 12;
    out->prot = 0;
    if (pte & RV_PTE_R)
        out->prot |= VM_PROT_READ;
    if (pte & RV_PTE_W)
        out->prot |= VM_PROT_WRITE;
    if (pte & RV_PTE_X)
        out->prot |= VM_PROT_EXEC;
    if (pte & RV_PTE_U)
        out->prot |= VM_PROT_USER;
    if (pte & RV_PTE_G)
        out->prot |= VM_PROT_GLOBAL;
    out->accessed = pte & RV_PTE_A;
    out->dirty = pte & RV_PTE_D;
    out->sw = (pte >> 8) & 3;
    out->pkey = 0;
}

static uint64_t rv_make_leaf(unsigned level, paddr_t pa, unsigned prot, bool accessed,
                             bool dirty, unsigned sw)
{
    uint64_t e = RV_PTE_V | ((pa >> 12) << RV_PTE_PPN_SHIFT & RV_PTE_PPN_MASK) |
                 (uint64_t)(sw & 3) << 8;
    if (prot & VM_PROT_READ)
        e |= RV_PTE_R;
    if (prot & VM_PROT_WRITE)
        e |= RV_PTE_W;
    if (prot & VM_PROT_EXEC)
        e |= RV_PTE_X;
    if (prot & VM_PROT_USER)
        e |= RV_PTE_U;
    if (prot & VM_PROT_GLOBAL)
        e |= RV_PTE_G;
    if (accessed)
        e |= RV_PTE_A;
    if (dirty)
        e |= RV_PTE_D;
    return e;
}

static uint64_t rv_make_table(unsigned level, paddr_t table)
{
    return RV_PTE_V | ((table >> 12) << RV_PTE_PPN_SHIFT & RV_PTE_PPN_MASK);
}

#define RV_FORMAT(ID, NAME, LEVELS)                                                   \
    {                                                                                 \
        .id = ID, .name = NAME, .arch = PT_ARCH_RISCV, .xlen = 64, .levels = LEVELS,  \
        .va_bits = 12 + 9 * LEVELS, .halves = true, .pte_bytes = 8, .index_bits = 9,  \
        .shift = {12, 21, 30, 39, 48}, .max_leaf_level = LEVELS - 1, .asid_bits = 16, \
        .a_bit = RV_PTE_A, .d_bit = RV_PTE_D, .sw_shift = 8, .sw_bits = 2,            \
        .decode = rv_decode, .make_leaf = rv_make_leaf, .make_table = rv_make_table,  \
    }

const struct pt_format pt_sv39 = RV_FORMAT(PT_SV39, "sv39", 3);
const struct pt_format pt_sv48 = RV_FORMAT(PT_SV48, "sv48", 4);
const struct pt_format pt_sv57 = RV_FORMAT(PT_SV57, "sv57", 5);

/* Sv32: the same bits in a 32-bit entry. A physical address names at most
 * 34 bits, so the shared encoders fill no bit above 31. */
const struct pt_format pt_sv32 = {
    .id = PT_SV32, .name = "sv32", .arch = PT_ARCH_RISCV, .xlen = 32, .levels = 2,
    .va_bits = 32, .halves = false, .pte_bytes = 4, .index_bits = 10, .shift = {12, 22},
    .max_leaf_level = 1, .asid_bits = 9,
    .a_bit = RV_PTE_A, .d_bit = RV_PTE_D, .sw_shift = 8, .sw_bits = 2,
    .decode = rv_decode, .make_leaf = rv_make_leaf, .make_table = rv_make_table,
};
