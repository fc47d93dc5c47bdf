/* vmlab/pt.h — page-table formats: address splits and entry encodings.
 *
 * A format is data (levels, address width, entry width, index bits, bit
 * positions) plus a few small functions that decode and encode one entry.
 * Every walk, every address split and every kernel page-table edit in vmlab
 * goes through these, so the seven formats share one walker and one kernel.
 *
 * Levels are numbered from the leaf up: level 0 is the 4 KiB page table
 * (x86 PT, RISC-V VPN[0]), level 1 the next (x86 PD, RISC-V VPN[1]), and so
 * on to levels-1, the root. An entry at level L of format f maps
 * 1 << pt_fmt_shift(f, L) bytes: on the 64-bit formats (9 index bits per
 * level) 4 KiB, 2 MiB, 1 GiB, 512 GiB, 256 TiB, which pt_level_shift(L)
 * also gives; on the 32-bit formats ia32 and sv32 (10 index bits, 4-byte
 * entries) 4 KiB and 4 MiB.
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
    PT_IA32,       /* 32-bit paging (CR4.PAE = 0), 2 levels of 1024 4-byte entries */
    PT_SV32,       /* RISC-V Sv32 (RV32), 2 levels of 1024 4-byte entries */
    PT_NFORMATS
};

#define PT_MAX_LEVELS 5
#define PT_ENTRIES    512       /* entries per table of the 64-bit formats */
#define PT_MAX_ENTRIES 1024     /* of any format */

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
    const char *name;         /* "x86-64", "x86-64-5", "sv39", "sv48", "sv57", "ia32", "sv32" */
    enum pt_arch arch;
    unsigned xlen;            /* 64, or 32: the machine width the format belongs to
                                 (machine_config.xlen) */
    unsigned levels;          /* 4, 5, 3, 4, 5, 2, 2 */
    unsigned va_bits;         /* 48, 57, 39, 48, 57, 32, 32 */
    bool halves;              /* canonical halves: the bits above va_bits copy the top
                                 bit (64-bit formats); else they must be 0 (32-bit) */
    unsigned pte_bytes;       /* 8, or 4 for ia32 and sv32 */
    unsigned index_bits;      /* table index bits per level: 9, or 10 for ia32 and sv32 */
    uint8_t shift[PT_MAX_LEVELS]; /* log2 of what an entry at each level maps */
    unsigned max_leaf_level;  /* highest level that may map a page (x86-64: 2, RISC-V: levels-1,
                                 ia32: 1 with CR4.PSE) */
    unsigned asid_bits;       /* PCID/ASID width: 12 (x86-64 PCID), 16 (Sv39/48/57), 9 (Sv32),
                                 0 (ia32: no PCIDs) */
    bool xd, pkeys;           /* x86: entries have an XD bit (NX) / protection keys */
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

/* The 64-bit formats' geometry (9 index bits per level, 8-byte entries). */
static inline unsigned pt_level_shift(unsigned level) { return 12 + 9 * level; }
static inline uint64_t pt_level_size(unsigned level) { return (uint64_t)1 << pt_level_shift(level); }

/* Index of va's entry in the table at `level` (64-bit formats). */
static inline unsigned pt_index(vaddr_t va, unsigned level)
{
    return (unsigned)(va >> pt_level_shift(level)) & (PT_ENTRIES - 1);
}

/* Any format's geometry: what an entry at `level` maps, va's index in the
 * table at `level`, the entries of a table, and the physical address of
 * va's entry (or of entry i) in the table at `table`. */
static inline unsigned pt_fmt_shift(const struct pt_format *f, unsigned level)
{
    return f->shift[level];
}
static inline uint64_t pt_fmt_size(const struct pt_format *f, unsigned level)
{
    return (uint64_t)1 << f->shift[level];
}
static inline unsigned pt_fmt_entries(const struct pt_format *f) { return 1u << f->index_bits; }
static inline unsigned pt_fmt_index(const struct pt_format *f, vaddr_t va, unsigned level)
{
    return (unsigned)(va >> f->shift[level]) & (pt_fmt_entries(f) - 1);
}
static inline paddr_t pt_fmt_entry(const struct pt_format *f, paddr_t table, vaddr_t va,
                                   unsigned level)
{
    return table + (paddr_t)pt_fmt_index(f, va, level) * f->pte_bytes;
}
static inline paddr_t pt_fmt_nth(const struct pt_format *f, paddr_t table, unsigned i)
{
    return table + (paddr_t)i * f->pte_bytes;
}

/* True if the format can translate va. 64-bit formats: va is canonical,
 * bits 63..va_bits-1 all equal (x86 and RISC-V state the same rule).
 * 32-bit formats: va has no bit above 31 (a 32-bit CPU cannot form one;
 * vmlab treats such an address as it treats a non-canonical one). */
static inline bool pt_canonical(const struct pt_format *fmt, vaddr_t va)
{
    if (!fmt->halves)
        return va >> fmt->va_bits == 0;
    int64_t sva = (int64_t)(va << (64 - fmt->va_bits));     /* sign-extend the top bit */
    return (vaddr_t)(sva >> (64 - fmt->va_bits)) == va;
}
/* The end of the lower (user) half: 1 << (va_bits - 1) with canonical
 * halves, 1 << va_bits (the whole 4 GiB) for the 32-bit formats. */
static inline vaddr_t pt_user_limit(const struct pt_format *fmt)
{
    return (vaddr_t)1 << (fmt->halves ? fmt->va_bits - 1 : fmt->va_bits);
}

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

/* The same for an entry of format `fmt`, of its width (fmt->pte_bytes): a
 * 4-byte entry is read zero-extended and written from the low 32 bits. */
uint64_t pte_load_as(const struct pt_format *fmt, const struct physmem *pm, paddr_t pte_pa);
void pte_store_as(const struct pt_format *fmt, struct physmem *pm, paddr_t pte_pa, uint64_t val);
uint64_t pte_exchange_as(const struct pt_format *fmt, struct physmem *pm, paddr_t pte_pa,
                         uint64_t val);
bool pte_cas_as(const struct pt_format *fmt, struct physmem *pm, paddr_t pte_pa,
                uint64_t *expected, uint64_t val);
uint64_t pte_clear_bits_as(const struct pt_format *fmt, struct physmem *pm, paddr_t pte_pa,
                           uint64_t bits);

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
/* 32-bit paging (ia32): a 4 KiB PTE or a page-table PDE has its address in
 * bits 31:12; a 4 MiB PDE has PA 31:22 in bits 31:22, PA 39:32 in bits
 * 20:13 (PSE-36), PAT in bit 12, and bit 21 reserved (SDM vol. 3A 4.3). */
#define IA32_PTE_ADDR     0xfffff000ull
#define IA32_PDE4M_ADDR   0xffc00000ull       /* PA bits 31:22 */
#define IA32_PDE4M_HIGH   0x001fe000ull       /* bits 20:13: PA bits 39:32 */
#define IA32_PDE4M_HIGH_SHIFT 13

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
/* Sv32: a 32-bit entry with PPN[1] in 31:20, PPN[0] in 19:10 (34-bit
 * physical addresses); no bits above 31. */
#define SV32_PTE_PPN_MASK 0xfffffc00ull                /* bits 31:10 */

#endif
