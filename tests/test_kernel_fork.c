/* test_kernel_fork.c — fork copies the address space: resident, swapped
 * and initializer pages, file mappings, the grown stack, huge pages; the
 * two copies are independent; frames for the copy may come from eviction
 * (the parent's own pages included); both exits return everything. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ktest.h"

#define BASE 0x10000000ull
#define HBASE 0x40000000ull

static bool init_page(void *kva, vaddr_t upage, void *aux)
{
    ((uint64_t *)kva)[1] = upage ^ *(uint64_t *)aux;
    return true;
}

static bool check(struct cpu *cpu, vaddr_t va, uint64_t want)
{
    uint64_t v = ~want;
    return cpu_load(cpu, va, 8, &v) == 0 && v == want;
}

static void test_fork(enum pt_arch arch, bool thp, uint64_t frames)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.kernel_frames = 511;
    kc.user_frames = frames;
    kc.swap_bytes = 4096 * 4096ull;
    kc.thp = thp;
    struct kt t = kt_make_cfg(arch, 1, &kc);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    char path[] = "/tmp/vmlab-fork-XXXXXX";
    int fd = mkstemp(path);
    char zero[8192] = {0};
    if (write(fd, zero, sizeof zero) != (ssize_t)sizeof zero)
        abort();
    uint64_t key = 0x5555;

    struct process *p = kernel_process_create(t.k, "parent");
    kernel_map_anon(p, BASE, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_anon(p, HBASE, 0x200000, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_file(p, 0x30000000, 8192, VM_PROT_READ | VM_PROT_WRITE, fd, 0);
    kernel_alloc_page_with_initializer(p, 0x50000000, true, init_page, &key);
    kernel_map_stack(p);
    kernel_switch_to(cpu, p);
    bool good = true;
    for (uint64_t i = 0; i < 64; i++)
        good &= cpu_store(cpu, BASE + i * 4096, 8, i * 3 + 1) == 0;
    for (uint64_t a = HBASE; a < HBASE + 0x200000; a += 0x10000)
        good &= cpu_store(cpu, a + 8, 8, a) == 0;
    good &= cpu_store(cpu, 0x30000000 + 4096, 8, 0xf11e) == 0;
    kernel_set_rsp(p, KERNEL_USER_STACK - 0x3000);
    good &= cpu_store(cpu, KERNEL_USER_STACK - 0x3000, 8, 0x57ac) == 0;
    ok(good, "parent set up");
    struct process_usage pu;
    kernel_process_usage(p, &pu);
    const char *what = thp ? "thp" : frames < 200 ? "pressure" : "plain";

    struct process *c = NULL;
    kernel_switch_to(cpu, NULL);
    is_i64(kernel_process_fork(p, "child", cpu, &c), 0, "%s: fork", what);
    ok(c != NULL, "child");
    kernel_switch_to(cpu, c);
    good = true;
    for (uint64_t i = 0; i < 64; i++)
        good &= check(cpu, BASE + i * 4096, i * 3 + 1);
    ok(good, "%s: child sees the parent's anonymous pages (resident and swapped)", what);
    good = true;
    for (uint64_t a = HBASE; a < HBASE + 0x200000; a += 0x10000)
        good &= check(cpu, a + 8, a);
    ok(good, "%s: child sees the 2 MiB region", what);
    ok(check(cpu, 0x30000000 + 4096, 0xf11e), "child sees the file mapping's data");
    ok(check(cpu, 0x50000008, 0x50000000 ^ key), "child's initializer page runs its initializer");
    ok(check(cpu, KERNEL_USER_STACK - 0x3000, 0x57ac), "child has the grown stack");
    /* independence */
    cpu_store(cpu, BASE + 5 * 4096, 8, 0xc41d);
    cpu_store(cpu, HBASE + 0x10000 + 8, 8, 0xc41d);
    kernel_switch_to(cpu, p);
    ok(check(cpu, BASE + 5 * 4096, 5 * 3 + 1) && check(cpu, HBASE + 0x10000 + 8, HBASE + 0x10000),
       "child's writes do not reach the parent");
    cpu_store(cpu, BASE + 6 * 4096, 8, 0x9a4e);
    kernel_switch_to(cpu, c);
    ok(check(cpu, BASE + 6 * 4096, 6 * 3 + 1) && check(cpu, BASE + 5 * 4096, 0xc41d),
       "parent's writes do not reach the child");
    is_str(kill_reason_names[kernel_process_kill_reason(c)], "none", "child alive");
    kernel_switch_to(cpu, NULL);
    is_i64(kernel_process_exit(c, cpu), 0, "child exits");
    kernel_switch_to(cpu, p);
    good = true;
    for (uint64_t i = 0; i < 64; i++)
        good &= check(cpu, BASE + i * 4096, i == 6 ? 0x9a4e : i * 3 + 1);
    ok(good, "parent intact after the child's exit");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    close(fd);
    unlink(path);
    kt_no_leaks(t.k, what);
    cpu_detach(cpu);
    kt_free(&t);
}

static void test_fork_full(void)
{
    /* Memory and swap nearly full: fork itself needs no frame (it shares);
     * the child's writes need copies, and when no frame can be freed for
     * one, the child is killed (oom-swap-full) -- the parent's data stays. */
    struct kt t = kt_make(PT_ARCH_X86, 1, 16, 8, "clock");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "big");
    kernel_map_anon(p, BASE, 20 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    bool good = true;
    for (uint64_t i = 0; i < 20; i++)
        good &= cpu_store(cpu, BASE + i * 4096, 8, i + 1) == 0;
    ok(good, "parent uses 16 frames + 4 of 8 slots");
    kernel_switch_to(cpu, NULL);
    struct process *c = NULL;
    is_i64(kernel_process_fork(p, "child", cpu, &c), 0, "fork with memory full succeeds: it copies nothing");
    kernel_switch_to(cpu, c);
    good = true;
    for (uint64_t i = 0; i < 20; i++)
        good &= check(cpu, BASE + i * 4096, i + 1);
    ok(good, "the child reads every page");
    uint64_t i = 0;
    for (; i < 20; i++)
        if (cpu_store(cpu, BASE + i * 4096, 8, 1000 + i) != 0)
            break;
    ok(i < 20, "the child's copies do not all fit (killed after %llu)", (unsigned long long)i);
    is_str(kill_reason_names[kernel_process_kill_reason(c)], "oom-swap-full", "the child is killed: swap full");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(c, cpu);
    kernel_switch_to(cpu, p);
    good = true;
    for (uint64_t j = 0; j < 20; j++) {
        uint64_t v = 0;
        int rc = cpu_load(cpu, BASE + j * 4096, 8, &v);
        if (rc != 0 || v != j + 1) {
            tap_diag("page %llu: rc %d v %llu (%s)", (unsigned long long)j, rc, (unsigned long long)v,
                     kernel_process_kill_message(p));
            good = false;
        }
    }
    ok(good, "parent's data intact");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "full fork");
    cpu_detach(cpu);
    kt_free(&t);
}

int main(void)
{
    test_fork(PT_ARCH_X86, false, 1024);
    test_fork(PT_ARCH_RISCV, false, 40);   /* the copy must evict */
    test_fork(PT_ARCH_X86, true, 2048);
    test_fork_full();
    return tap_done();
}
