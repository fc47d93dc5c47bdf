/* cpu_ctl.c — control registers and TLB invalidation instructions.
 *
 * x86: CR0/CR3/CR4/EFER, INVLPG, INVPCID (SDM vol. 3A 4.10.4).
 * RISC-V: satp, sstatus.SUM/MXR, menvcfg.ADUE, SFENCE.VMA (privileged
 * spec, "Supervisor Memory-Management Fence Instruction").
 * Every write that can change what a cached translation allows clears the
 * access memos; the TLB arrays themselves are flushed only where the
 * manuals say so.
 */
#include "hw/cpu_impl.h"

/* An observed CPU hears of every invalidation and what it removed. */
static void observe_flush(struct cpu *c, const struct tlb_filter *flt, unsigned tlb, unsigned pwc)
{
    struct vm_event ev = {.kind = VM_EV_FLUSH};
    ev.flush = (struct vm_ev_flush){.by_va = flt->by_va, .va = flt->va, .by_asid = flt->by_asid,
                                    .asid = flt->asid, .or_global = flt->or_global,
                                    .keep_global = flt->keep_global, .tlb_removed = tlb,
                                    .pwc_removed = pwc};
    cpu_observe(c, &ev);
}

void cpu_flush(struct cpu *c, const struct tlb_filter *flt, int pwc_mode, uint16_t pwc_asid)
{
    unsigned n = tlb_flush(&c->tlb, flt), np = 0;
    if (pwc_mode != PWC_KEEP)
        np = pwc_flush(&c->tlb, pwc_mode == PWC_ALL, pwc_asid);
    stat_add(c, CPU_STAT_TLB_ENTRIES_FLUSHED, n + np);
    memo_clear(c);
    if (__builtin_expect(c->obs != NULL, 0))
        observe_flush(c, flt, n, np);
}

void cpu_flush_pwc(struct cpu *c, bool all_asids, uint16_t asid)
{
    unsigned n = pwc_flush(&c->tlb, all_asids, asid);
    stat_add(c, CPU_STAT_TLB_ENTRIES_FLUSHED, n);
    if (__builtin_expect(c->obs != NULL, 0)) {
        struct tlb_filter flt = {.by_asid = !all_asids, .asid = asid};
        observe_flush(c, &flt, 0, n);
    }
}

static void flush_everything(struct cpu *c)
{
    struct tlb_filter all = {0};
    cpu_flush(c, &all, PWC_ALL, 0);
}

void cpu_set_priv(struct cpu *cpu, enum vm_priv priv)
{
    cpu->env.priv = priv;
    memo_clear(cpu);
}

enum vm_priv cpu_priv(const struct cpu *cpu) { return cpu->env.priv; }
const struct pt_format *cpu_format(const struct cpu *cpu) { return cpu->paging ? cpu->env.fmt : NULL; }
uint16_t cpu_asid(const struct cpu *cpu) { return cpu->asid; }
paddr_t cpu_root(const struct cpu *cpu) { return cpu->env.root; }

static bool is32(const struct cpu *c) { return c->m->cfg.xlen == 32; }

/* ---- x86 ---- */

/* The paging mode: 32-bit paging on vmlab's IA-32 processor (a 32-bit
 * machine); else IA-32e mode, 4- or 5-level by CR4.LA57 (a 64-bit machine
 * is in IA-32e mode whatever CR4.PAE and EFER.LME say). */
static const struct pt_format *x86_format(const struct cpu *c)
{
    if (is32(c))
        return pt_format(PT_IA32);
    return pt_format(c->cr4 & X86_CR4_LA57 ? PT_X86_64_5 : PT_X86_64);
}

int cpu_write_cr3(struct cpu *c, uint64_t value)
{
    bool pcide = c->cr4 & X86_CR4_PCIDE;
    if (c->env.fmt->arch != PT_ARCH_X86)
        return -1;
    if ((value & X86_CR3_NOFLUSH) && !pcide)
        return -1;
    /* 32-bit paging: the page directory's address is CR3 bits 31:12 */
    uint64_t addr_mask = is32(c) ? IA32_PTE_ADDR
                                 : (((uint64_t)1 << c->env.maxphyaddr) - 1) & ~VM_PAGE_MASK;
    uint64_t v = value & ~X86_CR3_NOFLUSH;
    if (v & ~addr_mask & ~(uint64_t)0xfff)
        return -1;                           /* reserved bits above MAXPHYADDR (LAM not modelled) */
    bool noflush = value & X86_CR3_NOFLUSH;
    c->cr3 = v;
    c->env.root = v & addr_mask;
    c->asid = pcide ? (uint16_t)(v & 0xfff) : 0;
    cpu_set_format(c, x86_format(c));
    c->paging = true;
    if (noflush) {
        stat_add(c, CPU_STAT_FLUSH_CR3_NOFLUSH, 1);
        memo_clear(c);
    } else {
        /* non-global entries and all PSC entries of the (new) PCID */
        struct tlb_filter flt = {.by_asid = true, .asid = c->asid, .keep_global = true};
        stat_add(c, CPU_STAT_FLUSH_CR3, 1);
        cpu_flush(c, &flt, PWC_ASID, c->asid);
    }
    return 0;
}

uint64_t cpu_read_cr3(const struct cpu *cpu) { return cpu->cr3; }
uint64_t cpu_read_cr4(const struct cpu *cpu) { return cpu->cr4; }

int cpu_write_cr4(struct cpu *c, uint64_t value)
{
    uint64_t old = c->cr4;
    if ((value & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) && (c->cr3 & 0xfff))
        return -1;
    if (is32(c) && (value & (X86_CR4_PAE | X86_CR4_PCIDE | X86_CR4_LA57 | X86_CR4_PKE)))
        return -1;                               /* not on vmlab's IA-32 processor */
    c->cr4 = value;
    c->env.smep = value & X86_CR4_SMEP;
    c->env.smap = value & X86_CR4_SMAP;
    c->env.pke = value & X86_CR4_PKE;
    c->env.pse = value & X86_CR4_PSE;            /* no flush needed (SDM 4.10.4.1) */
    uint64_t changed = old ^ value;
    if ((changed & X86_CR4_PGE) || ((old & X86_CR4_PCIDE) && !(value & X86_CR4_PCIDE)) ||
        (changed & X86_CR4_LA57)) {
        /* toggling PGE or clearing PCIDE: everything, all PCIDs. LA57
         * cannot change with paging on in a real CPU; vmlab allows it
         * before the first CR3 write and flushes everything. */
        stat_add(c, CPU_STAT_FLUSH_CR4, 1);
        flush_everything(c);
        if (!(value & X86_CR4_PCIDE))
            c->asid = 0;
        if (changed & X86_CR4_LA57)
            cpu_set_format(c, x86_format(c));
    } else if ((changed & X86_CR4_SMEP) && (value & X86_CR4_SMEP)) {
        struct tlb_filter flt = {.by_asid = true, .asid = c->asid};
        stat_add(c, CPU_STAT_FLUSH_CR4, 1);
        cpu_flush(c, &flt, PWC_ASID, c->asid);
    } else {
        memo_clear(c);
    }
    return 0;
}

void cpu_write_cr0(struct cpu *c, uint64_t value)
{
    c->cr0 = value;
    c->env.wp = value & X86_CR0_WP;
    memo_clear(c);
}

void cpu_write_efer(struct cpu *c, uint64_t value)
{
    c->efer = value;
    c->env.nxe = value & X86_EFER_NXE;
    memo_clear(c);
}

void cpu_set_ac(struct cpu *c, bool ac)
{
    c->env.ac = ac;
    memo_clear(c);
}

void cpu_write_pkru(struct cpu *c, uint32_t pkru)
{
    c->env.pkru = pkru;
    memo_clear(c);
}

void cpu_invlpg(struct cpu *c, vaddr_t va)
{
    stat_add(c, CPU_STAT_FLUSH_INVLPG, 1);
    if (!pt_canonical(c->env.fmt, va))
        return;                                   /* a no-op, not a fault */
    /* the page in the current PCID, global entries for it in any PCID, and
     * every paging-structure-cache entry of the current PCID */
    struct tlb_filter flt = {.by_va = true, .va = va, .by_asid = true, .asid = c->asid,
                             .or_global = true};
    cpu_flush(c, &flt, PWC_ASID, c->asid);
}

int cpu_invpcid(struct cpu *c, unsigned type, uint16_t pcid, vaddr_t va)
{
    if (is32(c) || type > 3 || pcid > 0xfff)
        return -1;                                /* #UD on an IA-32 processor, else #GP */
    if (type <= 1 && !(c->cr4 & X86_CR4_PCIDE) && pcid != 0)
        return -1;
    struct tlb_filter flt = {0};
    int pwc = PWC_ALL;
    switch (type) {
    case 0:
        if (!pt_canonical(c->env.fmt, va))
            return -1;
        flt = (struct tlb_filter){.by_va = true, .va = va, .by_asid = true, .asid = pcid,
                                  .keep_global = true};
        pwc = PWC_ASID;
        break;
    case 1:
        flt = (struct tlb_filter){.by_asid = true, .asid = pcid, .keep_global = true};
        pwc = PWC_ASID;
        break;
    case 2:
        break;                                    /* everything, globals too */
    case 3:
        flt.keep_global = true;
        break;
    }
    stat_add(c, CPU_STAT_FLUSH_INVPCID0 + type, 1);
    cpu_flush(c, &flt, pwc, pcid);
    return 0;
}

/* ---- RISC-V ---- */

int cpu_write_satp(struct cpu *c, uint64_t value)
{
    if (c->env.fmt->arch != PT_ARCH_RISCV)
        return -1;
    const struct pt_format *fmt = NULL;
    uint16_t asid;
    paddr_t root;
    if (is32(c)) {
        /* RV32: MODE bit 31, ASID 30:22, PPN 21:0 */
        if (value >> 32)
            return -1;
        fmt = value >> 31 == RV_SATP32_MODE_SV32 ? pt_format(PT_SV32) : NULL;
        asid = (uint16_t)(value >> 22 & 0x1ff);
        root = (value & 0x3fffff) << 12;
    } else {
        switch (value >> 60) {
        case RV_SATP_MODE_BARE: break;
        case RV_SATP_MODE_SV39: fmt = pt_format(PT_SV39); break;
        case RV_SATP_MODE_SV48: fmt = pt_format(PT_SV48); break;
        case RV_SATP_MODE_SV57: fmt = pt_format(PT_SV57); break;
        default: return -1;                       /* unsupported MODE: no effect */
        }
        asid = (uint16_t)(value >> 44);
        root = (value & ((1ull << 44) - 1)) << 12;
    }
    c->satp = value;
    c->paging = fmt != NULL;
    if (fmt)
        cpu_set_format(c, fmt);
    c->asid = asid;
    c->env.root = root;
    memo_clear(c);                                /* no TLB flush: ASIDs tag entries */
    return 0;
}

uint64_t cpu_read_satp(const struct cpu *cpu) { return cpu->satp; }

void cpu_set_sum(struct cpu *c, bool sum)
{
    c->env.sum = sum;
    memo_clear(c);
}

void cpu_set_mxr(struct cpu *c, bool mxr)
{
    c->env.mxr = mxr;
    memo_clear(c);
}

void cpu_set_adue(struct cpu *c, bool adue)
{
    c->env.adue = adue;
    memo_clear(c);
}

void cpu_sfence_vma(struct cpu *c, bool has_va, vaddr_t va, bool has_asid, uint16_t asid)
{
    if (has_va && !pt_canonical(c->env.fmt, va)) {
        stat_add(c, has_asid ? CPU_STAT_FLUSH_SFENCE_VA_ASID : CPU_STAT_FLUSH_SFENCE_VA, 1);
        return;                                   /* invalid address: no-op */
    }
    struct tlb_filter flt = {.by_va = has_va, .va = va, .by_asid = has_asid, .asid = asid,
                             .keep_global = has_asid};
    /* With rs1 = x0 non-leaf entries go too; with an address, only leaf
     * entries for it (the spec's rule for changing a non-leaf entry is to
     * use rs1 = x0). */
    int pwc = has_va ? PWC_KEEP : has_asid ? PWC_ASID : PWC_ALL;
    stat_add(c, has_va ? (has_asid ? CPU_STAT_FLUSH_SFENCE_VA_ASID : CPU_STAT_FLUSH_SFENCE_VA)
                       : (has_asid ? CPU_STAT_FLUSH_SFENCE_ASID : CPU_STAT_FLUSH_SFENCE_ALL), 1);
    cpu_flush(c, &flt, pwc, asid);
}
