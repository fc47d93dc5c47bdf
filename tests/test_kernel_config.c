/* test_kernel_config.c — kernel_create refuses bad configurations with a
 * message naming the problem; extreme but valid ones work (one user frame,
 * no swap at all, a pool too small for a huge page). */
#include "ktest.h"

#define BASE 0x10000000ull

static void expect_error(const struct kernel_config *kc, const char *needle, const char *what)
{
    struct machine_config mc;
    char err[256] = "";
    machine_config_default(&mc, PT_ARCH_X86);
    mc.ncpus = 2;
    mc.mem_bytes = 16 << 20;
    struct machine *m = machine_create(&mc, err, sizeof err);
    struct kernel *k = kernel_create(m, kc, err, sizeof err);
    ok(!k && strstr(err, needle), "%s: refused (%s)", what, err);
    if (k)
        kernel_destroy(k);
    machine_destroy(m);
}

int main(void)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.policy = "mru";
    expect_error(&kc, "mru", "unknown policy");
    kernel_config_default(&kc);
    kc.user_frames = 1 << 20;
    expect_error(&kc, "does not fit", "user pool larger than memory");
    kernel_config_default(&kc);
    kc.kernel_frames = 1 << 20;
    expect_error(&kc, "kernel pool", "kernel pool larger than memory");
    kernel_config_default(&kc);
    kc.nasids = 1;
    expect_error(&kc, "nasids", "fewer PCIDs than CPUs");
    kernel_config_default(&kc);
    kc.nasids = 5000;
    expect_error(&kc, "nasids", "more PCIDs than 12 bits hold");
    kernel_config_default(&kc);
    kc.format = PT_SV39;
    expect_error(&kc, "format", "RISC-V format on an x86 machine");
    kernel_config_default(&kc);
    kc.swap_path = "/nonexistent-dir/swap";
    expect_error(&kc, "/nonexistent-dir/swap", "swap file that cannot be created");

    /* the default swap size is explicit; 0 means none */
    kernel_config_default(&kc);
    is_u64(kc.swap_bytes, KERNEL_SWAP_DEFAULT_BYTES, "kernel_config_default sets the swap size");
    for (int z = 0; z < 2; z++) {
        kernel_config_default(&kc);
        kc.swap_bytes = z ? 0 : 1;   /* 1 rounds down to 0 slots */
        struct kt s0 = kt_make_cfg(PT_ARCH_X86, 1, &kc);
        struct kernel_usage u;
        kernel_usage(s0.k, &u);
        is_u64(u.swap_slots, 0, "swap_bytes %d: no swap slot at all", z ? 0 : 1);
        kt_free(&s0);
    }

    /* one user frame, no swap: clean pages cycle; the first dirty eviction is fatal */
    kernel_config_default(&kc);
    kc.user_frames = 1;
    kc.swap_bytes = 0;   /* no swap */
    struct kt t = kt_make_cfg(PT_ARCH_X86, 1, &kc);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "tiny");
    kernel_map_anon(p, BASE, 8 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    bool good = true;
    for (int r = 0; r < 3; r++)
        for (uint64_t i = 0; i < 8; i++) {
            uint64_t v = 1;
            good &= cpu_load(cpu, BASE + i * 4096, 8, &v) == 0 && v == 0;
        }
    ok(good, "one frame: 24 reads of 8 zero pages");
    is_u64(kt_pstat(p, VMSTAT_PGFAULT), 24, "each one a fault");
    ok(cpu_store(cpu, BASE, 8, 5) == 0, "a store into the one frame");
    ok(cpu_load(cpu, BASE + 4096, 8, &(uint64_t){0}) == -1, "the next fault needs a slot there is none of");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "oom-swap-full", "oom-swap-full");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "one frame");
    cpu_detach(cpu);
    kt_free(&t);

    /* THP with a pool smaller than a huge page: 4 KiB pages */
    kernel_config_default(&kc);
    kc.user_frames = 100;
    kc.thp = true;
    t = kt_make_cfg(PT_ARCH_RISCV, 1, &kc);
    cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    p = kernel_process_create(t.k, "small-thp");
    kernel_map_anon(p, 0x40000000, 0x400000, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    good = true;
    for (uint64_t a = 0x40000000; a < 0x40400000; a += 0x8000)
        good &= cpu_store(cpu, a, 8, a) == 0;
    for (uint64_t a = 0x40000000; a < 0x40400000; a += 0x8000) {
        uint64_t v;
        good &= cpu_load(cpu, a, 8, &v) == 0 && v == a;
    }
    ok(good, "128 pages through a 100-frame pool with THP on");
    ok(kt_pstat(p, VMSTAT_THP_FAULT_ALLOC) == 0 && kt_pstat(p, VMSTAT_THP_FAULT_FALLBACK) >= 1,
       "no huge page, fallback counted");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "small pool with THP");
    cpu_detach(cpu);
    kt_free(&t);

    /* names */
    is_i64(vmstat_index("pgmajfault"), VMSTAT_PGMAJFAULT, "vmstat_index(pgmajfault)");
    is_i64(vmstat_index("kill_stack-overflow"), vmstat_kill_item(KILL_STACK_OVERFLOW), "kill counters by name");
    is_i64(vmstat_index("nope"), -1, "unknown name");
    bool named = true;
    for (int i = 0; i < VMSTAT_NR; i++)
        named &= vmstat_names[i] && *vmstat_names[i] && vmstat_descs[i] && *vmstat_descs[i];
    ok(named, "every counter has a name and a description");
    return tap_done();
}
