/* ptbuild.c — page tables by hand, for tests (see ptbuild.h). */
#include "ptbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ptb_init(struct ptb *b, struct physmem *pm, const struct pt_format *fmt, paddr_t pool,
              paddr_t pool_end)
{
    b->pm = pm;
    b->fmt = fmt;
    b->next = VM_ALIGN_UP(pool, VM_PAGE_SIZE);
    b->limit = pool_end;
    b->root = ptb_alloc(b);
}

paddr_t ptb_alloc(struct ptb *b)
{
    if (b->next + VM_PAGE_SIZE > b->limit || !physmem_contains(b->pm, b->next, VM_PAGE_SIZE)) {
        fprintf(stderr, "ptbuild: page-table pool exhausted at 0x%llx\n",
                (unsigned long long)b->next);
        abort();
    }
    paddr_t pa = b->next;
    b->next += VM_PAGE_SIZE;
    memset(physmem_frame(b->pm, pa), 0, VM_PAGE_SIZE);
    return pa;
}

paddr_t ptb_map(struct ptb *b, vaddr_t va, paddr_t pa, unsigned level, unsigned prot, uint64_t extra)
{
    const struct pt_format *f = b->fmt;
    paddr_t table = b->root;
    for (unsigned l = f->levels - 1; l > level; l--) {
        paddr_t e = pt_fmt_entry(f, table, va, l);
        uint64_t pte = pte_load_as(f, b->pm, e);
        struct pte_info info;
        f->decode(pte, l, &info);
        if (!info.present || info.leaf) {
            paddr_t t = ptb_alloc(b);
            pte = f->make_table(l, t);
            pte_store_as(f, b->pm, e, pte);
            f->decode(pte, l, &info);
        }
        table = info.addr;
    }
    paddr_t e = pt_fmt_entry(f, table, va, level);
    pte_store_as(f, b->pm, e, f->make_leaf(level, pa, prot, false, false, 0) | extra);
    return e;
}

paddr_t ptb_entry(const struct ptb *b, vaddr_t va, unsigned level)
{
    const struct pt_format *f = b->fmt;
    paddr_t table = b->root;
    for (unsigned l = f->levels - 1; l > level; l--) {
        uint64_t pte = pte_load_as(f, b->pm, pt_fmt_entry(f, table, va, l));
        struct pte_info info;
        f->decode(pte, l, &info);
        if (!info.present || info.leaf)
            return 0;
        table = info.addr;
    }
    return pt_fmt_entry(f, table, va, level);
}

uint64_t ptb_get(const struct ptb *b, vaddr_t va, unsigned level)
{
    paddr_t e = ptb_entry(b, va, level);
    return e ? pte_load_as(b->fmt, b->pm, e) : 0;
}

void ptb_set(struct ptb *b, vaddr_t va, unsigned level, uint64_t val)
{
    paddr_t e = ptb_entry(b, va, level);
    if (!e) {
        fprintf(stderr, "ptbuild: no table for 0x%llx at level %u\n", (unsigned long long)va, level);
        abort();
    }
    pte_store_as(b->fmt, b->pm, e, val);
}

struct machine *tm_machine(enum pt_arch arch, unsigned ncpus, uint64_t mem, const char *tlb)
{
    return tm_machine_xlen(arch, 64, ncpus, mem, tlb);
}

struct machine *tm_machine_xlen(enum pt_arch arch, unsigned xlen, unsigned ncpus, uint64_t mem,
                                const char *tlb)
{
    struct machine_config cfg;
    char err[256];
    machine_config_default(&cfg, arch);
    cfg.xlen = xlen;
    cfg.ncpus = ncpus;
    cfg.mem_bytes = mem;
    if (tlb) {
        const struct tlb_config *p = tlb_preset(tlb);
        if (p) {
            cfg.tlb = *p;
        } else {
            cfg.tlb = *tlb_preset("tiny");
            if (tlb_config_parse(&cfg.tlb, tlb, err, sizeof err)) {
                fprintf(stderr, "tm_machine: %s\n", err);
                abort();
            }
        }
    }
    struct machine *m = machine_create(&cfg, err, sizeof err);
    if (!m) {
        fprintf(stderr, "tm_machine: %s\n", err);
        abort();
    }
    return m;
}

void tm_activate(struct cpu *c, const struct ptb *b, uint16_t asid)
{
    const struct pt_format *f = b->fmt;
    if (f->id == PT_IA32) {
        /* 32-bit paging, with 4 MiB pages */
        if (!(cpu_read_cr4(c) & X86_CR4_PSE))
            cpu_write_cr4(c, cpu_read_cr4(c) | X86_CR4_PSE);
        if (cpu_write_cr3(c, b->root)) {
            fprintf(stderr, "tm_activate: CR3 write refused\n");
            abort();
        }
    } else if (f->id == PT_SV32) {
        if (cpu_write_satp(c, rv_satp32(RV_SATP32_MODE_SV32, asid, b->root))) {
            fprintf(stderr, "tm_activate: satp write refused\n");
            abort();
        }
    } else if (f->arch == PT_ARCH_X86) {
        cpu_write_efer(c, X86_EFER_NXE);
        uint64_t cr4 = cpu_read_cr4(c);
        uint64_t want = f->levels == 5 ? (cr4 | X86_CR4_LA57) : (cr4 & ~X86_CR4_LA57);
        if (want != cr4)
            cpu_write_cr4(c, want);
        uint64_t cr3 = b->root | ((cpu_read_cr4(c) & X86_CR4_PCIDE) ? asid : 0);
        if (cpu_write_cr3(c, cr3)) {
            fprintf(stderr, "tm_activate: CR3 write refused\n");
            abort();
        }
    } else {
        uint64_t mode = f->levels == 3 ? RV_SATP_MODE_SV39 : f->levels == 4 ? RV_SATP_MODE_SV48
                                                                            : RV_SATP_MODE_SV57;
        if (cpu_write_satp(c, rv_satp(mode, asid, b->root))) {
            fprintf(stderr, "tm_activate: satp write refused\n");
            abort();
        }
    }
}

vaddr_t tm_va(const struct pt_format *fmt, const unsigned *idx, uint64_t offset)
{
    uint64_t va = offset;
    for (unsigned i = 0; i < fmt->levels; i++)
        va |= (uint64_t)(idx[i] & (pt_fmt_entries(fmt) - 1)) << pt_fmt_shift(fmt, fmt->levels - 1 - i);
    if (!fmt->halves)
        return va;
    unsigned sh = 64 - fmt->va_bits;
    return (vaddr_t)((int64_t)(va << sh) >> sh);
}

int tm_walk(struct physmem *pm, const struct walk_env *e, vaddr_t va, enum vm_access acc,
            struct walk_result *r, struct vm_fault *f)
{
    memset(r, 0, sizeof *r);
    memset(f, 0xee, sizeof *f);
    return pt_walk(pm, e, va, acc, r, f);
}

uint64_t tm_stat(const struct cpu *c, enum cpu_stat s)
{
    struct cpu_stats st;
    cpu_stats(c, &st);
    return st.v[s];
}

bool tm_san(void)
{
    const char *s = getenv("VMLAB_SAN");
    return s && *s;
}
