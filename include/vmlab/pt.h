/* vmlab/pt.h — page-table formats: address splits and entry encodings.
 *
 * A format is data (levels, address width, bit positions) plus a few small
 * functions that decode and encode one entry. Every walk, every address
 * split and every kernel page-table edit in vmlab goes through these, so the
 * five formats share one walker and one kernel.
 *
 * Levels are numbered from the leaf up: level 0 is the 4 KiB page table
 * (x86 PT, RISC-V VPN[0]), level 1 maps 2 MiB (x86 PD, "megapage"), level 2
 * maps 1 GiB (x86 PDPT, "gigapage"), and so on to levels-1, the root.
 * An entry at level L maps 1 << pt_level_shift(L) bytes.
 */
#ifndef VMLAB_PT_H
#define VMLAB_PT_H

#include <vmlab/types.h>

enum pt_arch { PT_ARCH_X86, PT_ARCH_RISCV };

enum pt_format_id {
    PT_X86_64,     /* 4-level, 48-bit linear addresses */
    PT_X86_64_5,   /* 5-level (CR4.LA57), 57-bit */
    PT_SV39,
    PT_SV48,
    PT_SV57,
    PT_NFORMATS
};

#define PT_MAX_LEVELS 5
#define PT_ENTRIES    512

/* One entry, decoded into the terms the walker and kernel use. */
struct pte_info {
    bool present;       /* x86 P, RISC-V V */
    bool leaf;          /* maps memory (x86: level 0 or PS=1; RISC-V: R|W|X != 0) */
    paddr_t addr;       /* next table, or base of the mapped page/frame */
    unsigned prot;      /* VM_PROT_* this entry grants (x86: READ always; EXEC = !XD) */
    bool accessed;      /* A */
    bool dirty;         /* D (leaf only) */
    unsigned sw;        /* software bits: x86 11:9, RISC-V RSW 9:8 */
    unsigned pkey;      /* x86 protection key, leaf bits 62:59 */
};

struct pt_format {
    enum pt_format_id id;
    const char *name;         /* "x86-64", "x86-64-5", "sv39", "sv48", "sv57" */
    enum pt_arch arch;
    unsigned levels;          /* 4, 5, 3, 4, 5 */
    unsigned va_bits;         /* 48, 57, 39, 48, 57 */
    unsigned max_leaf_level;  /* highest level that may map a page (x86: 2, RISC-V: levels-1) */
    uint64_t a_bit, d_bit;    /* accessed and dirty bits of an entry */
    unsigned sw_shift, sw_bits; /* where software bits live */

    /* Decode entry `pte` found at `level`. Never fails: reserved-bit checks
     * are the walker's (they depend on control registers). */
    void (*decode)(uint64_t pte, unsigned level, struct pte_info *out);
    /* Entry mapping a page of size 1 << pt_level_shift(level) at `pa` with
     * rights `prot` (VM_PROT_*), A/D set as asked, software bits `sw`. */
    uint64_t (*make_leaf)(unsigned level, paddr_t pa, unsigned prot,
                          bool accessed, bool dirty, unsigned sw);
    /* Entry pointing at the next-level table at `table` (x86: present,
     * writable and user, so that rights are decided by the leaf; RISC-V: V). */
    uint64_t (*make_table)(unsigned level, paddr_t table);
};

const struct pt_format *pt_format(enum pt_format_id id);
/* Look a format up by name; NULL if unknown. */
const struct pt_format *pt_format_by_name(const char *name);

static inline unsigned pt_level_shift(unsigned level) { return 12 + 9 * level; }
static inline uint64_t pt_level_size(unsigned level) { return (uint64_t)1 << pt_level_shift(level); }

/* Index of va's entry in the table at `level`. */
static inline unsigned pt_index(vaddr_t va, unsigned level)
{
    return (unsigned)(va >> pt_level_shift(level)) & (PT_ENTRIES - 1);
}

/* True if va is canonical for the format (x86: bits 63..va_bits-1 equal;
 * RISC-V: bits 63..va_bits equal bit va_bits-1, the same rule). */
bool pt_canonical(const struct pt_format *fmt, vaddr_t va);

/* Entry helpers for page tables in simulated memory (vmlab/physmem.h).
 * Every access to a live page-table entry, by walker or kernel, uses these:
 * other CPUs set A/D bits concurrently with compare-and-swap. */
struct physmem;
uint64_t pte_load(const struct physmem *pm, paddr_t pte_pa);
void pte_store(struct physmem *pm, paddr_t pte_pa, uint64_t val);
uint64_t pte_exchange(struct physmem *pm, paddr_t pte_pa, uint64_t val);
/* Replace *expected with val if the entry still holds *expected; on failure
 * *expected receives the current value. */
bool pte_cas(struct physmem *pm, paddr_t pte_pa, uint64_t *expected, uint64_t val);
/* Atomically clear `bits`; returns the old value. */
uint64_t pte_clear_bits(struct physmem *pm, paddr_t pte_pa, uint64_t bits);

/* x86 entry bits, for tests and for readers of the manuals. */
#define X86_PTE_P    (1ull << 0)
#define X86_PTE_RW   (1ull << 1)
#define X86_PTE_US   (1ull << 2)
#define X86_PTE_PWT  (1ull << 3)
#define X86_PTE_PCD  (1ull << 4)
#define X86_PTE_A    (1ull << 5)
#define X86_PTE_D    (1ull << 6)
#define X86_PTE_PS   (1ull << 7)
#define X86_PTE_G    (1ull << 8)
#define X86_PTE_XD   (1ull << 63)
#define X86_PTE_ADDR 0x000ffffffffff000ull   /* bits 51:12 */

/* RISC-V entry bits. */
#define RV_PTE_V (1ull << 0)
#define RV_PTE_R (1ull << 1)
#define RV_PTE_W (1ull << 2)
#define RV_PTE_X (1ull << 3)
#define RV_PTE_U (1ull << 4)
#define RV_PTE_G (1ull << 5)
#define RV_PTE_A (1ull << 6)
#define RV_PTE_D (1ull << 7)
#define RV_PTE_PPN_SHIFT 10
#define RV_PTE_PPN_MASK  (((1ull << 44) - 1) << 10)   /* bits 53:10 */
#define RV_PTE_RESERVED  (0x7full << 54)              /* bits 60:54 */
#define RV_PTE_PBMT      (3ull << 61)
#define RV_PTE_N         (1ull << 63)

#endif
