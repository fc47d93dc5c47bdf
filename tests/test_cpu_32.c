/* test_cpu_32.c — 32-bit machines (machine_config.xlen = 32): an IA-32
 * processor with 32-bit paging (SDM vol. 3A 4.3) and an RV32 hart with
 * Sv32. Control state: CR4 bits an IA-32 processor lacks are refused, CR3
 * holds a 32-bit address and no PCID, so every MOV to CR3 flushes the
 * non-global entries (SDM 4.10.4.1) while PGE keeps globals; PSE turns
 * 4 MiB pages on; INVPCID does not exist. The RV32 satp layout (MODE bit
 * 31, 9-bit ASID, 22-bit PPN) with ASID-tagged entries and SFENCE.VMA.
 * Limits: memory a 32-bit machine cannot address, and a kernel whose
 * format does not fit the machine's width, are refused with a message. */
#include <stdio.h>
#include <string.h>

#include <vmlab/kernel.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (16ull << 20)

static void test_ia32_control(void)
{
    struct machine *m = tm_machine_xlen(PT_ARCH_X86, 32, 1, MEM, "haswell");
    struct cpu *c = machine_cpu(m, 0);
    cpu_attach(c);
    struct ptb b;
    ptb_init(&b, machine_physmem(m), pt_format(PT_IA32), 0x100000, 0x400000);
    ptb_map(&b, 0x00400000, 0x800000, 1, VM_PROT_READ | VM_PROT_WRITE, 0);          /* 4M */
    ptb_map(&b, 0x00001000, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);          /* 4K */
    ptb_map(&b, 0x00002000, 0x301000, 0, VM_PROT_READ | VM_PROT_GLOBAL, 0);         /* 4K, G */

    ok(cpu_write_cr4(c, X86_CR4_PAE) == -1, "IA-32: CR4.PAE refused (PAE paging not modelled)");
    ok(cpu_write_cr4(c, X86_CR4_PCIDE) == -1, "IA-32: CR4.PCIDE refused (#GP outside IA-32e mode)");
    ok(cpu_write_cr4(c, X86_CR4_LA57) == -1 && cpu_write_cr4(c, X86_CR4_PKE) == -1,
       "IA-32: LA57 and PKE refused");
    ok(cpu_invpcid(c, 1, 0, 0) == -1, "IA-32: no INVPCID");
    ok(cpu_write_cr3(c, b.root | (1ull << 32)) == -1, "IA-32: CR3 above bit 31 refused");
    ok(cpu_write_cr3(c, b.root | X86_CR3_NOFLUSH) == -1, "IA-32: CR3 no-flush bit refused (no PCIDs)");
    ok(cpu_write_cr4(c, X86_CR4_PGE) == 0 && cpu_write_cr3(c, b.root) == 0, "PGE, then CR3");
    ok(cpu_format(c) == pt_format(PT_IA32) && cpu_asid(c) == 0, "32-bit paging, PCID 0");

    uint64_t v;
    /* without PSE the 4M PDE is read as a page-table pointer (to a
     * table at 0x800000 that holds zeros): not present */
    ok(cpu_load(c, 0x00400000, 8, &v) == -1 && cpu_last_fault(c)->not_present &&
           cpu_last_fault(c)->level == 0, "PSE=0: the PS bit is ignored, the walk goes on to level 0");
    ok(cpu_write_cr4(c, X86_CR4_PGE | X86_CR4_PSE) == 0, "set PSE");
    physmem_store(machine_physmem(m), 0x800000 + 0x123458, 8, 0x4d4d);
    ok(cpu_load(c, 0x00400000 + 0x123458, 8, &v) == 0 && v == 0x4d4d, "PSE=1: a 4M page");
    uint64_t w = tm_stat(c, CPU_STAT_WALKS);
    ok(cpu_load(c, 0x00400000 + 0x3ff000, 8, &v) == 0 && tm_stat(c, CPU_STAT_WALKS) == w,
       "another 4K of the 4M page hits its one TLB entry");
    cpu_load(c, 0x1000, 8, &v);
    cpu_load(c, 0x2000, 8, &v);
    w = tm_stat(c, CPU_STAT_WALKS);
    ok(cpu_write_cr3(c, b.root) == 0, "MOV to CR3 (same directory)");
    cpu_load(c, 0x2000, 8, &v);
    is_u64(tm_stat(c, CPU_STAT_WALKS) - w, 0, "the global 4K page survives the CR3 write (PGE)");
    cpu_load(c, 0x1000, 8, &v);
    cpu_load(c, 0x00400008, 8, &v);
    is_u64(tm_stat(c, CPU_STAT_WALKS) - w, 2, "non-global 4K and 4M entries were flushed: no PCIDs");
    is_u64(tm_stat(c, CPU_STAT_FLUSH_CR3), 2, "flush-cr3 counted for both CR3 writes");
    /* INVLPG of an address inside the 4M page */
    w = tm_stat(c, CPU_STAT_WALKS);
    cpu_invlpg(c, 0x007fffff);
    cpu_load(c, 0x00400008, 8, &v);
    is_u64(tm_stat(c, CPU_STAT_WALKS) - w, 1, "INVLPG anywhere in the 4M page removes it");
    /* addresses above 32 bits: #GP before any lookup */
    cpu_stats_reset(c);
    ok(cpu_load(c, 1ull << 32, 8, &v) == -1 && cpu_last_fault(c)->type == FAULT_GP,
       "an address above 4 GiB: #GP");
    ok(tm_stat(c, CPU_STAT_GP_FAULTS) == 1 && tm_stat(c, CPU_STAT_WALKS) == 0 &&
           tm_stat(c, CPU_STAT_DTLB_L1_MISSES) == 0, "counted as a #GP, not a walk or a TLB miss");
    cpu_detach(c);
    machine_destroy(m);
}

static void test_sv32_control(void)
{
    struct machine *m = tm_machine_xlen(PT_ARCH_RISCV, 32, 1, MEM, "zen4");
    struct cpu *c = machine_cpu(m, 0);
    cpu_attach(c);
    struct physmem *pm = machine_physmem(m);
    struct ptb a, b;
    ptb_init(&a, pm, pt_format(PT_SV32), 0x100000, 0x200000);
    ptb_init(&b, pm, pt_format(PT_SV32), 0x200000, 0x300000);
    ptb_map(&a, 0x80000000, 0x400000, 1, VM_PROT_READ | VM_PROT_WRITE, 0);   /* megapage */
    ptb_map(&b, 0x80000000, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    physmem_store(pm, 0x400010, 8, 0xaaaa);
    physmem_store(pm, 0x300010, 8, 0xbbbb);

    uint64_t satp_a = rv_satp32(RV_SATP32_MODE_SV32, 300, a.root);
    is_u64(satp_a, (1ull << 31) | (300ull << 22) | (a.root >> 12), "rv_satp32: MODE 31, ASID 30:22, PPN 21:0");
    ok(cpu_write_satp(c, satp_a | (1ull << 32)) == -1, "RV32: a satp value above 32 bits refused");
    ok(cpu_write_satp(c, rv_satp(RV_SATP_MODE_SV39, 1, a.root)) == -1, "RV32: an RV64 satp (Sv39) refused");
    ok(cpu_write_satp(c, satp_a) == 0 && cpu_asid(c) == 300 && cpu_root(c) == a.root &&
           cpu_format(c) == pt_format(PT_SV32), "Sv32, ASID 300");
    uint64_t v;
    ok(cpu_load(c, 0x80000010, 8, &v) == 0 && v == 0xaaaa, "ASID 300: the megapage");
    ok(cpu_write_satp(c, rv_satp32(RV_SATP32_MODE_SV32, 301, b.root)) == 0, "switch to ASID 301");
    ok(cpu_load(c, 0x80000010, 8, &v) == 0 && v == 0xbbbb, "ASID 301: its own 4K page (entries tagged)");
    uint64_t w = tm_stat(c, CPU_STAT_WALKS);
    cpu_write_satp(c, satp_a);
    ok(cpu_load(c, 0x80000010, 8, &v) == 0 && v == 0xaaaa && tm_stat(c, CPU_STAT_WALKS) == w,
       "back to ASID 300: its entry is still cached (satp writes do not flush)");
    cpu_sfence_vma(c, true, 0x803fffff, true, 300);
    ok(cpu_load(c, 0x80000010, 8, &v) == 0 && tm_stat(c, CPU_STAT_WALKS) == w + 1,
       "SFENCE.VMA of the megapage's last byte, ASID 300: walked again");
    ok(cpu_write_satp(c, rv_satp32(RV_SATP32_MODE_BARE, 0, 0)) == 0 && cpu_format(c) == NULL,
       "Bare mode: paging off");
    cpu_detach(c);
    machine_destroy(m);
}

static void test_limits(void)
{
    struct machine_config cfg;
    char err[256];
    machine_config_default(&cfg, PT_ARCH_X86);
    cfg.xlen = 32;
    cfg.mem_bytes = 8ull << 30;
    ok(machine_create(&cfg, err, sizeof err) == NULL && strstr(err, "32-bit"),
       "IA-32 machine with 8 GiB: refused (%s)", err);
    machine_config_default(&cfg, PT_ARCH_RISCV);
    cfg.xlen = 32;
    cfg.mem_bytes = 17ull << 30;
    ok(machine_create(&cfg, err, sizeof err) == NULL && strstr(err, "34-bit"),
       "RV32 machine with 17 GiB: refused (%s)", err);
    cfg.xlen = 48;
    cfg.mem_bytes = MEM;
    ok(machine_create(&cfg, err, sizeof err) == NULL && strstr(err, "xlen 48"), "xlen 48 refused (%s)", err);

    /* a kernel's format must fit the machine */
    struct machine *m = tm_machine(PT_ARCH_X86, 1, MEM, "tiny");
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.format = PT_IA32;
    ok(kernel_create(m, &kc, err, sizeof err) == NULL && strstr(err, "ia32") && strstr(err, "32-bit"),
       "ia32 on a 64-bit machine: refused (%s)", err);
    machine_destroy(m);
    m = tm_machine_xlen(PT_ARCH_RISCV, 32, 1, MEM, "tiny");
    kernel_config_default(&kc);
    struct kernel *k = kernel_create(m, &kc, err, sizeof err);
    ok(k != NULL, "a kernel on an RV32 machine defaults to Sv32 (%s)", k ? "" : err);
    kernel_destroy(k);
    kc.nasids = 600;
    ok(kernel_create(m, &kc, err, sizeof err) == NULL && strstr(err, "511"),
       "Sv32 has 9-bit ASIDs: 600 refused (%s)", err);
    machine_destroy(m);
}

int main(void)
{
    test_ia32_control();
    test_sv32_control();
    test_limits();
    return tap_done();
}
