/* test_cpu_machine.c — creating machines (defaults and refused configs),
 * physical memory (sizes, bounds, lazily committed host memory, discard),
 * counter names, and control-register edge cases. */
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

static void test_create(void)
{
    struct machine_config cfg;
    char err[256];
    machine_config_default(&cfg, PT_ARCH_X86);
    ok(cfg.ncpus == 1 && cfg.mem_bytes == 64ull << 20 && cfg.maxphyaddr == 46 && !cfg.no_gbpages &&
           !strcmp(cfg.tlb.name, "golden-cove"), "x86 defaults: 1 CPU, 64 MiB, MAXPHYADDR 46, golden-cove");
    machine_config_default(&cfg, PT_ARCH_RISCV);
    ok(!strcmp(cfg.tlb.name, "zen4"), "RISC-V default TLB: zen4");

    static const struct { unsigned ncpus; uint64_t mem; unsigned maxphy; const char *want; } bad[] = {
        {0, 1 << 20, 46, "0 CPUs"},
        {65, 1 << 20, 46, "65 CPUs"},
        {1, 1 << 20, 31, "MAXPHYADDR 31"},
        {1, 1 << 20, 53, "MAXPHYADDR 53"},
        {1, 1ull << 40, 36, "do not fit a 36-bit"},
        {1, 0, 46, "out of range"},
        {1, (1ull << 40) + 4096, 52, "out of range"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        machine_config_default(&cfg, PT_ARCH_X86);
        cfg.ncpus = bad[i].ncpus;
        cfg.mem_bytes = bad[i].mem;
        cfg.maxphyaddr = bad[i].maxphy;
        err[0] = 0;
        struct machine *m = machine_create(&cfg, err, sizeof err);
        ok(!m && strstr(err, bad[i].want), "refused: %s (%s)", bad[i].want, err);
        machine_destroy(m);
    }
    machine_config_default(&cfg, PT_ARCH_X86);
    cfg.tlb.l1d.array[0].ways = 5;
    ok(!machine_create(&cfg, err, sizeof err) && strstr(err, "l1d"), "a bad TLB geometry is refused (%s)", err);

    /* a big machine costs only what it touches */
    machine_config_default(&cfg, PT_ARCH_X86);
    cfg.ncpus = 64;
    cfg.mem_bytes = 32ull << 30;
    struct machine *m = machine_create(&cfg, err, sizeof err);
    ok(m != NULL, "64 CPUs, 32 GiB of memory");
    if (!m)
        return;
    struct physmem *pm = machine_physmem(m);
    is_u64(machine_ncpus(m), 64, "machine_ncpus");
    ok(machine_cpu(m, 63) && !machine_cpu(m, 64), "machine_cpu bounds");
    is_u64(cpu_index(machine_cpu(m, 17)), 17, "cpu_index");
    ok(cpu_machine(machine_cpu(m, 3)) == m, "cpu_machine");
    is_u64(physmem_frames(pm), (32ull << 30) >> 12, "physmem_frames");
    uint64_t before = physmem_resident_bytes(pm);
    for (uint64_t pa = 0; pa < (64ull << 20); pa += 1 << 20)
        physmem_store(pm, (31ull << 30) + pa, 8, pa);
    uint64_t after = physmem_resident_bytes(pm);
    ok(after - before >= 64 * 4096 && after < (256ull << 20), "touching 64 frames commits them, not 32 GiB (%llu -> %llu)",
       (unsigned long long)before, (unsigned long long)after);
    is_u64(physmem_load(pm, (31ull << 30) + (5 << 20), 8), 5 << 20, "data at 31 GiB reads back");
    physmem_discard(pm, (31ull << 30) + (5 << 20));
    ok(physmem_resident_bytes(pm) < after, "discard gives host memory back");
    is_u64(physmem_load(pm, (31ull << 30) + (5 << 20), 8), 0, "a discarded frame reads as zero");
    machine_destroy(m);
}

static void test_physmem(void)
{
    char err[256];
    struct physmem *pm = physmem_create(10000, err, sizeof err);
    ok(pm && physmem_size(pm) == 12288 && physmem_frames(pm) == 3, "10000 bytes round up to 3 frames");
    ok(physmem_contains(pm, 0, 12288) && !physmem_contains(pm, 1, 12288) && !physmem_contains(pm, 12288, 1) &&
           physmem_contains(pm, 12288, 0) && !physmem_contains(pm, ~0ull, 2), "physmem_contains bounds (no overflow)");
    uint8_t buf[100];
    memset(buf, 0xab, sizeof buf);
    ok(physmem_write(pm, 12288 - 50, buf, 100) == -1, "block write past the end refused");
    ok(physmem_read(pm, ~0ull - 10, buf, 20) == -1, "block read with a wrapping range refused");
    ok(physmem_write(pm, 4090, buf, 100) == 0, "block write across frames");
    physmem_store(pm, 4095, 2, 0xbeef);
    ok(physmem_load(pm, 4095, 2) == 0xbeef && physmem_load(pm, 4095, 1) == 0xef, "unaligned 2-byte across frames, little-endian");
    ok((uint8_t *)physmem_frame(pm, 4097) == (uint8_t *)physmem_host(pm, 4096), "physmem_frame is the frame's start");
    physmem_destroy(pm);
    ok(physmem_create(0, err, sizeof err) == NULL && strstr(err, "out of range"), "0 bytes refused");
}

static void test_stats_names(void)
{
    is_i64(cpu_stat_index("dTLB-loads"), CPU_STAT_DTLB_LOADS, "dTLB-loads");
    is_i64(cpu_stat_index("dTLB-load-misses"), CPU_STAT_DTLB_LOAD_MISSES, "dTLB-load-misses");
    is_i64(cpu_stat_index("iTLB-load-misses"), CPU_STAT_ITLB_LOAD_MISSES, "iTLB-load-misses");
    is_i64(cpu_stat_index("walk-mem-refs"), CPU_STAT_WALK_REFS, "walk-mem-refs");
    is_i64(cpu_stat_index("no-such-counter"), -1, "unknown name: -1");
    bool unique = true, described = true;
    for (int i = 0; i < CPU_STAT_NR; i++) {
        described &= cpu_stat_descs[i] && cpu_stat_descs[i][0];
        for (int j = 0; j < i; j++)
            unique &= strcmp(cpu_stat_names[i], cpu_stat_names[j]) != 0;
        unique &= cpu_stat_index(cpu_stat_names[i]) == i;
    }
    ok(unique && described, "every counter has a unique name and a description");
}

static void test_control(void)
{
    struct machine *m = tm_machine(PT_ARCH_X86, 1, 16 << 20, NULL);
    struct cpu *c = machine_cpu(m, 0);
    cpu_attach(c);
    ok(cpu_write_satp(c, rv_satp(RV_SATP_MODE_SV39, 1, 0x1000)) == -1, "satp on an x86 CPU: refused");
    ok(cpu_write_cr3(c, 0x1000 | 0x18) == 0 && cpu_asid(c) == 0, "PCIDE=0: CR3 bits 3/4 are PWT/PCD, PCID 0");
    is_u64(cpu_root(c), 0x1000, "root from CR3");
    ok(cpu_format(c) == pt_format(PT_X86_64), "paging on: x86-64");
    cpu_write_cr4(c, X86_CR4_LA57);
    cpu_write_cr3(c, 0x2000);
    ok(cpu_format(c) == pt_format(PT_X86_64_5), "LA57: 5-level");
    ok(cpu_write_cr3(c, 0x2000 | (1ull << 46)) == -1, "CR3 address bit 46 with MAXPHYADDR 46: #GP");
    is_u64(cpu_read_cr3(c), 0x2000, "CR3 unchanged after a refused write");
    cpu_set_user(c, &m);
    ok(cpu_user(c) == &m, "cpu_user");
    cpu_set_priv(c, VM_PRIV_USER);
    ok(cpu_priv(c) == VM_PRIV_USER, "cpu_priv");
    cpu_detach(c);
    machine_destroy(m);

    m = tm_machine(PT_ARCH_RISCV, 1, 16 << 20, NULL);
    c = machine_cpu(m, 0);
    cpu_attach(c);
    ok(cpu_write_cr3(c, 0x1000) == -1, "CR3 on a RISC-V CPU: refused");
    ok(cpu_format(c) == NULL, "RISC-V starts in Bare mode");
    ok(cpu_write_satp(c, rv_satp(RV_SATP_MODE_SV57, 0xabcd, 0x5000)) == 0 && cpu_asid(c) == 0xabcd &&
           cpu_root(c) == 0x5000 && cpu_format(c) == pt_format(PT_SV57), "satp Sv57, ASID, root");
    ok(cpu_write_satp(c, rv_satp(11, 1, 0x6000)) == -1 && cpu_format(c) == pt_format(PT_SV57) &&
           cpu_root(c) == 0x5000, "satp MODE 11: no change at all");
    cpu_detach(c);
    machine_destroy(m);
}

int main(void)
{
    test_create();
    test_physmem();
    test_stats_names();
    test_control();
    return tap_done();
}
