/* test_kernel_thp.c — transparent huge pages (thp = always): a 2 MiB page
 * on the first touch of a suitable range, 4 KiB where the range does not
 * fit the VMA or no aligned run of frames is free (fallback), huge pages
 * swapped out and in (or split) under pressure with data verified, the
 * whole thing on many CPUs. */
#include <pthread.h>

#include "ktest.h"

#define BASE 0x40000000ull   /* 1 GiB: 2 MiB aligned */
#define MB2  0x200000ull

static struct kt make(uint64_t user_frames, bool thp, unsigned ncpus, enum pt_arch arch)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.kernel_frames = 511;          /* the user pool starts at frame 512: 2 MiB aligned */
    kc.user_frames = user_frames;
    kc.swap_bytes = 8192 * 4096ull;
    kc.thp = thp;
    return kt_make_cfg(arch, ncpus, &kc);
}

static void test_basic(enum pt_arch arch)
{
    struct kt t = make(2048, true, 1, arch);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "thp");
    kernel_map_anon(p, BASE, 4 * MB2, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_anon(p, BASE + 8 * MB2 + 0x1000, 2 * MB2, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_anon(p, BASE + 16 * MB2, 2 * MB2, VM_PROT_READ | VM_PROT_WRITE, KMAP_NOHUGE);
    kernel_switch_to(cpu, p);
    is_i64(cpu_store(cpu, BASE + 0x1234, 8, 99), 0, "first touch");
    is_u64(kt_pstat(p, VMSTAT_THP_FAULT_ALLOC), 1, "one huge page allocated");
    struct process_usage u;
    kernel_process_usage(p, &u);
    is_u64(u.resident_pages, 512, "512 pages resident after one fault");
    struct page_info pi;
    kernel_page_info(p, BASE + 0x1ff000, &pi);
    ok(pi.huge && pi.where == PAGE_RESIDENT && pi.pte_present, "the last 4 KiB of the range is mapped by it");
    bool good = true;
    for (uint64_t a = BASE; a < BASE + MB2; a += 4096)
        good &= cpu_store(cpu, a + 8, 8, a) == 0;
    ok(good, "stores to all 512 pages");
    is_u64(kt_pstat(p, VMSTAT_PGFAULT), 1, "without another fault");
    uint64_t v;
    cpu_load(cpu, BASE + 0x1234, 8, &v);
    is_u64(v, 99, "data");
    /* a VMA that starts 4 KiB past alignment: huge only where an aligned 2 MiB fits */
    cpu_store(cpu, BASE + 8 * MB2 + 0x1000, 8, 1);
    kernel_page_info(p, BASE + 8 * MB2 + 0x1000, &pi);
    ok(!pi.huge && pi.where == PAGE_RESIDENT, "unaligned head of a VMA: 4 KiB");
    cpu_store(cpu, BASE + 9 * MB2 + 0x5000, 8, 2);
    kernel_page_info(p, BASE + 9 * MB2, &pi);
    ok(pi.huge && pi.where == PAGE_RESIDENT, "the aligned 2 MiB inside it: huge");
    cpu_store(cpu, BASE + 16 * MB2, 8, 3);
    kernel_page_info(p, BASE + 16 * MB2, &pi);
    ok(!pi.huge, "KMAP_NOHUGE: 4 KiB");
    is_u64(kt_pstat(p, VMSTAT_THP_FAULT_ALLOC), 2, "two huge pages in all");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "thp basic");
    cpu_detach(cpu);
    kt_free(&t);

    /* thp off: never */
    t = make(2048, false, 1, arch);
    cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    p = kernel_process_create(t.k, "nothp");
    kernel_map_anon(p, BASE, 4 * MB2, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    cpu_store(cpu, BASE, 8, 1);
    kernel_process_usage(p, &u);
    ok(u.resident_pages == 1 && kt_pstat(p, VMSTAT_THP_FAULT_ALLOC) == 0, "thp never: one 4 KiB page");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    cpu_detach(cpu);
    kt_free(&t);
}

/* No aligned run of 512 free frames: fall back to 4 KiB. */
static void test_fallback(void)
{
    struct kt t = make(600, true, 1, PT_ARCH_X86);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "frag");
    kernel_map_anon(p, BASE, 4 * MB2, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_anon(p, 0x10000000, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, KMAP_NOHUGE);
    kernel_switch_to(cpu, p);
    /* 4 KiB pages scattered through the pool */
    for (int i = 0; i < 64; i++)
        cpu_store(cpu, 0x10000000 + (uint64_t)i * 4096, 8, (uint64_t)i);
    bool good = true;
    for (uint64_t a = BASE; a < BASE + MB2; a += 4096)
        good &= cpu_store(cpu, a, 8, a) == 0;
    ok(good, "stores");
    struct vmstat s;
    kernel_process_vmstat(p, &s);
    ok(s.v[VMSTAT_THP_FAULT_FALLBACK] >= 1, "fallback counted (%llu)",
       (unsigned long long)s.v[VMSTAT_THP_FAULT_FALLBACK]);
    struct page_info pi;
    kernel_page_info(p, BASE + 0x3000, &pi);
    ok(!pi.huge, "4 KiB pages used");
    good = true;
    for (uint64_t a = BASE; a < BASE + MB2; a += 4096) {
        uint64_t v;
        good &= cpu_load(cpu, a, 8, &v) == 0 && v == a;
    }
    for (int i = 0; i < 64; i++) {
        uint64_t v;
        good &= cpu_load(cpu, 0x10000000 + (uint64_t)i * 4096, 8, &v) == 0 && v == (uint64_t)i;
    }
    ok(good, "all data read back");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "thp fallback");
    cpu_detach(cpu);
    kt_free(&t);
}

/* Four huge pages' worth of data in a pool of two and a bit. */
static void test_pressure(enum pt_arch arch)
{
    struct kt t = make(1200, true, 1, arch);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "press");
    kernel_map_anon(p, BASE, 4 * MB2, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    bool good = true;
    for (int pass = 0; pass < 3; pass++) {
        for (uint64_t a = BASE; a < BASE + 4 * MB2; a += 4096)
            if (pass == 0 || (a >> 12) % 3 == (uint64_t)pass)
                good &= cpu_store(cpu, a + 64, 8, a ^ (uint64_t)pass << 40) == 0;
    }
    ok(good, "%s: stores through huge-page eviction", arch == PT_ARCH_X86 ? "x86" : "riscv");
    good = true;
    for (int round = 0; round < 2; round++)
        for (uint64_t a = BASE; a < BASE + 4 * MB2; a += 4096) {
            uint64_t v = 0, want = a ^ ((a >> 12) % 3 == 0 ? 0 : (a >> 12) % 3) << 40;
            good &= cpu_load(cpu, a + 64, 8, &v) == 0 && v == want;
        }
    ok(good, "every page read back twice");
    struct vmstat s;
    kernel_process_vmstat(p, &s);
    ok(s.v[VMSTAT_PSWPOUT] >= 512 && s.v[VMSTAT_PSWPIN] >= 512, "huge pages went to swap and back "
       "(out %llu, in %llu)", (unsigned long long)s.v[VMSTAT_PSWPOUT], (unsigned long long)s.v[VMSTAT_PSWPIN]);
    is_u64(kernel_process_state(p), PROC_RUNNABLE, "not killed");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "thp pressure");
    cpu_detach(cpu);
    kt_free(&t);
}

/* A huge page swapped out and faulted back whole: its 512 slots go back
 * to swap, every byte comes back. */
static void test_swap_in_whole(void)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.kernel_frames = 511;
    kc.user_frames = 1024;   /* exactly two aligned runs */
    kc.swap_bytes = 2048 * 4096ull;
    kc.thp = true;
    kc.policy = "fifo";
    struct kt t = kt_make_cfg(PT_ARCH_X86, 1, &kc);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "whole");
    kernel_map_anon(p, BASE, 2 * MB2, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_anon(p, 0x10000000, 4096, VM_PROT_READ | VM_PROT_WRITE, KMAP_NOHUGE);
    kernel_switch_to(cpu, p);
    bool good = true;
    for (uint64_t a = BASE; a < BASE + 2 * MB2; a += 4096)
        good &= cpu_store(cpu, a + (a >> 12) % 512 * 8, 8, a * 7) == 0;
    struct page_info pi;
    kernel_page_info(p, BASE, &pi);
    ok(good && pi.huge && pi.where == PAGE_RESIDENT, "two huge pages fill the pool");
    cpu_store(cpu, 0x10000000, 8, 1);   /* one more frame: fifo evicts the first huge page */
    kernel_page_info(p, BASE, &pi);
    is_u64(pi.where, PAGE_SWAPPED, "the first huge page is out");
    struct kernel_usage u;
    kernel_usage(t.k, &u);
    is_u64(u.swap_slots_used, 512, "in 512 slots");
    kernel_unmap(p, 0x10000000, cpu);   /* its run is whole and free again */
    uint64_t in0 = kt_pstat(p, VMSTAT_PSWPIN);
    uint64_t v = 0;
    ok(cpu_load(cpu, BASE, 8, &v) == 0 && v == BASE * 7, "a touch swaps it in");
    kernel_page_info(p, BASE + 0x123000, &pi);
    ok(pi.huge && pi.where == PAGE_RESIDENT, "whole, as a huge page again");
    is_u64(kt_pstat(p, VMSTAT_PSWPIN) - in0, 512, "all 512 pages read");
    kernel_usage(t.k, &u);
    is_u64(u.swap_slots_used, 0, "and its slots freed");
    good = true;
    for (uint64_t a = BASE; a < BASE + 2 * MB2; a += 4096)
        good &= cpu_load(cpu, a + (a >> 12) % 512 * 8, 8, &v) == 0 && v == a * 7;
    ok(good, "every page's data intact");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "huge swap-in");
    cpu_detach(cpu);
    kt_free(&t);
}

struct tjob {
    struct kt *t;
    struct process *p;
    unsigned id;
    int ops, bad;
    uint64_t shadow[4 * 512];
};

static void *tworker(void *arg)
{
    struct tjob *j = arg;
    struct cpu *cpu = machine_cpu(j->t->m, j->id);
    cpu_attach(cpu);
    kernel_switch_to(cpu, j->p);
    uint64_t seed = 77 + j->id;
    for (int op = 0; op < j->ops; op++) {
        uint64_t pg = kt_rng(&seed) % (4 * 512);
        vaddr_t a = BASE + pg * 4096 + j->id * 8;
        if (kt_rng(&seed) % 2) {
            uint64_t v = kt_rng(&seed);
            if (cpu_store(cpu, a, 8, v) == 0)
                j->shadow[pg] = v;
            else
                j->bad++;
        } else {
            uint64_t v;
            if (cpu_load(cpu, a, 8, &v) != 0 || v != j->shadow[pg])
                j->bad++;
        }
    }
    kernel_switch_to(cpu, NULL);
    cpu_detach(cpu);
    return NULL;
}

static void test_threads(void)
{
    struct kt t = make(1300, true, 3, PT_ARCH_X86);
    struct process *p = kernel_process_create(t.k, "thp-mt");
    kernel_map_anon(p, BASE, 4 * MB2, VM_PROT_READ | VM_PROT_WRITE, 0);
    struct tjob *j = calloc(3, sizeof *j);
    pthread_t th[3];
    for (unsigned i = 0; i < 3; i++) {
        j[i] = (struct tjob){.t = &t, .p = p, .id = i, .ops = kt_sanitized() ? 3000 : 20000};
        pthread_create(&th[i], NULL, tworker, &j[i]);
    }
    int bad = 0;
    for (unsigned i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        bad += j[i].bad;
    }
    is_i64(bad, 0, "3 CPUs on one process with huge pages under pressure: every value verified");
    ok(kt_stat(t.k, VMSTAT_PSWPOUT) > 0, "with swapping (%llu out)", (unsigned long long)kt_stat(t.k, VMSTAT_PSWPOUT));
    kernel_process_exit(p, NULL);
    kt_no_leaks(t.k, "thp threads");
    free(j);
    kt_free(&t);
}

int main(void)
{
    test_swap_in_whole();
    test_basic(PT_ARCH_X86);
    test_basic(PT_ARCH_RISCV);
    test_fallback();
    test_pressure(PT_ARCH_X86);
    test_pressure(PT_ARCH_RISCV);
    test_threads();
    return tap_done();
}
