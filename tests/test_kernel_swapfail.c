/* test_kernel_swapfail.c — swap under failure: out of swap (the process
 * that needs a slot is killed, others go on), injected write and read
 * errors, a corrupted slot detected by its checksum, no slot leaked. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ktest.h"
#include "os/swap.h"

#define BASE 0x10000000ull

static bool write_pages(struct cpu *cpu, vaddr_t base, unsigned n, uint64_t tag)
{
    bool good = true;
    for (unsigned i = 0; i < n && good; i++)
        good = cpu_store(cpu, base + i * 4096ull + 8, 8, tag + i) == 0;
    return good;
}

static bool check_pages(struct cpu *cpu, vaddr_t base, unsigned n, uint64_t tag)
{
    bool good = true;
    for (unsigned i = 0; i < n && good; i++) {
        uint64_t v = 0;
        good = cpu_load(cpu, base + i * 4096ull + 8, 8, &v) == 0 && v == tag + i;
    }
    return good;
}

static void test_out_of_swap(void)
{
    /* 8 frames, 16 slots: a process writing 40 pages cannot fit */
    struct kt t = kt_make(PT_ARCH_X86, 1, 8, 16, "clock");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *small = kernel_process_create(t.k, "small");
    kernel_map_anon(small, BASE, 4 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, small);
    ok(write_pages(cpu, BASE, 4, 100), "small process writes 4 pages");
    struct process *hog = kernel_process_create(t.k, "hog");
    kernel_map_anon(hog, BASE, 40 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, hog);
    ok(!write_pages(cpu, BASE, 40, 0), "hog's writes fail eventually");
    ok(kernel_process_state(hog) == PROC_KILLED, "hog killed");
    is_str(kill_reason_names[kernel_process_kill_reason(hog)], "oom-swap-full", "reason oom-swap-full");
    is_u64(kt_stat(t.k, VMSTAT_OOM_KILL), 1, "oom_kill counted");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(hog, cpu);
    struct kernel_usage u;
    kernel_usage(t.k, &u);
    ok(u.swap_slots_used <= 4, "hog's slots returned (%llu left)", (unsigned long long)u.swap_slots_used);
    kernel_switch_to(cpu, small);
    ok(check_pages(cpu, BASE, 4, 100), "small process's data intact");
    ok(kernel_process_state(small) == PROC_RUNNABLE, "small process goes on");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(small, cpu);
    kt_no_leaks(t.k, "out of swap");
    cpu_detach(cpu);
    kt_free(&t);
}

static void test_io_errors(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 4, 64, "fifo");
    struct swap_dev *sw = kernel_swap_device(t.k);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "ioerr");
    kernel_map_anon(p, BASE, 32 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    /* write errors: the victim stays resident, another is chosen, nothing lost */
    swap_inject_error(sw, true, UINT64_MAX, 3, EIO);
    ok(write_pages(cpu, BASE, 12, 500), "writes go on despite 3 failed swap writes");
    is_u64(kt_stat(t.k, VMSTAT_SWAP_WRITE_ERRORS), 3, "3 swap write errors counted");
    ok(check_pages(cpu, BASE, 12, 500), "no data lost");
    ok(kernel_process_state(p) == PROC_RUNNABLE, "still runnable");
    /* a read error on swap-in kills with swap-io-error */
    struct page_info pi;
    unsigned victim = 0;
    for (unsigned i = 0; i < 12; i++) {
        kernel_page_info(p, BASE + i * 4096ull, &pi);
        if (pi.where == PAGE_SWAPPED) {
            victim = i;
            break;
        }
    }
    swap_inject_error(sw, false, UINT64_MAX, 1, EIO);
    uint64_t v;
    is_i64(cpu_load(cpu, BASE + victim * 4096ull, 8, &v), -1, "swap-in with a read error fails");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "swap-io-error", "killed swap-io-error");
    is_u64(kt_stat(t.k, VMSTAT_SWAP_READ_ERRORS), 1, "read error counted");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "I/O errors");

    /* a corrupted slot: flip a byte in the swap file */
    p = kernel_process_create(t.k, "corrupt");
    kernel_map_anon(p, BASE, 32 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    write_pages(cpu, BASE, 12, 900);
    struct swap_stats before;
    swap_get_stats(sw, &before);
    /* every used slot gets one byte flipped */
    for (uint64_t s = 0; s < swap_slots(sw); s++) {
        unsigned char c;
        if (pread(swap_fd(sw), &c, 1, (off_t)(s * 4096 + 100)) == 1) {
            c ^= 0xff;
            if (pwrite(swap_fd(sw), &c, 1, (off_t)(s * 4096 + 100)) != 1)
                abort();
        }
    }
    ok(!check_pages(cpu, BASE, 12, 900), "reading the pages back fails");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "swap-corrupt", "killed swap-corrupt");
    is_u64(kt_stat(t.k, VMSTAT_SWAP_CHECKSUM_ERRORS), 1, "checksum error counted");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "corrupted slot");
    cpu_detach(cpu);
    kt_free(&t);
}

/* Swap is full of swap-cache copies of pages that are resident anyway: the
 * kernel takes those slots back instead of killing the process that needs
 * one (A 8 pages + B 20 pages fit in 16 frames + 16 slots). */
static void test_swap_cache_reclaim(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 16, 16, "clock");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *a = kernel_process_create(t.k, "a");
    struct process *b = kernel_process_create(t.k, "b");
    kernel_map_anon(a, BASE, 8 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_anon(b, BASE, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, a);
    ok(write_pages(cpu, BASE, 8, 1000), "A writes 8 pages");
    bool good;
    kernel_switch_to(cpu, b);
    good = true;
    for (unsigned i = 0; i < 16; i++)
        good &= cpu_touch(cpu, BASE + i * 4096ull, 8, VM_ACCESS_READ) == 0;
    ok(good, "B reads 16 pages: A's go to swap");
    kernel_switch_to(cpu, a);
    ok(check_pages(cpu, BASE, 8, 1000), "A reads them back (they keep their slots)");
    struct kernel_usage u;
    kernel_usage(t.k, &u);
    is_u64(u.swap_slots_used, 8, "8 slots hold copies of A's resident pages");
    /* A's pages stay resident (pinned: the kernel uses them); B writes 20 */
    is_i64(kernel_pin(a, cpu, BASE, 8 * 4096, false), 0, "pin A's 8 pages");
    kernel_switch_to(cpu, b);
    good = true;
    for (unsigned i = 0; i < 20; i++)
        good &= cpu_store(cpu, BASE + (16 + i) * 4096ull + 8, 8, 5000 + i) == 0;
    ok(good, "B writes 20 more pages");
    ok(kt_pstat(b, VMSTAT_PSWPOUT) >= 12, "12 of them in swap (%llu written)",
       (unsigned long long)kt_pstat(b, VMSTAT_PSWPOUT));
    kernel_unpin(a, BASE, 8 * 4096);
    is_str(kill_reason_names[kernel_process_kill_reason(b)], "none", "B not killed");
    kernel_switch_to(cpu, b);
    ok(check_pages(cpu, BASE + 16 * 4096, 20, 5000), "B's new pages intact");
    kernel_switch_to(cpu, a);
    ok(check_pages(cpu, BASE, 8, 1000), "A's pages intact");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(a, cpu);
    kernel_process_exit(b, cpu);
    kt_no_leaks(t.k, "swap-cache reclaim");
    cpu_detach(cpu);
    kt_free(&t);
}

/* Many processes swap and exit: every slot comes back (PintOS pitfall 11). */
static void test_no_slot_leak(void)
{
    struct kt t = kt_make(PT_ARCH_RISCV, 1, 16, 256, "clock");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    uint64_t seed = 99;
    bool good = true;
    for (int round = 0; round < 10; round++) {
        struct process *p[3];
        for (int j = 0; j < 3; j++) {
            p[j] = kernel_process_create(t.k, "leak");
            kernel_map_anon(p[j], BASE, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
        }
        for (int op = 0; op < 300; op++) {
            int j = (int)(kt_rng(&seed) % 3);
            kernel_switch_to(cpu, p[j]);
            uint64_t pg = kt_rng(&seed) % 64;
            good &= cpu_store(cpu, BASE + pg * 4096, 8, pg) == 0;
        }
        for (int j = 0; j < 3; j++) {
            kernel_switch_to(cpu, NULL);
            kernel_process_exit(p[j], cpu);
        }
        struct kernel_usage u;
        kernel_usage(t.k, &u);
        good &= u.swap_slots_used == 0 && u.user_frames_used == 0;
    }
    ok(good, "10 rounds of 3 swapping processes: all slots and frames returned each time");
    ok(kt_stat(t.k, VMSTAT_PSWPOUT) > 100, "and they did swap (%llu pages out)",
       (unsigned long long)kt_stat(t.k, VMSTAT_PSWPOUT));
    kt_no_leaks(t.k, "slot leak");
    cpu_detach(cpu);
    kt_free(&t);
}

/* A swap file on a full disk: every write fails with ENOSPC. The process
 * that needs a frame is killed for that reason -- pageout-io-error, the
 * errno and the file named in the message -- not as "oom-no-frame". A
 * failing read names them too. */
static void test_full_disk(void)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/vmlab-swapfail-%d.swap", (int)getpid());
    unlink(path);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 4;
    kc.swap_bytes = 64 * 4096;
    kc.swap_path = path;
    kc.policy = "fifo";
    struct kt t = kt_make_cfg(PT_ARCH_X86, 1, &kc);
    struct swap_dev *sw = kernel_swap_device(t.k);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "full");
    kernel_map_anon(p, BASE, 32 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    swap_inject_error(sw, true, UINT64_MAX, 1000, ENOSPC);
    ok(!write_pages(cpu, BASE, 12, 7), "writes stop once no page can be written out");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "pageout-io-error",
           "killed pageout-io-error, not oom-no-frame");
    const char *msg = kernel_process_kill_message(p);
    ok(strstr(msg, strerror(ENOSPC)) && strstr(msg, path), "the message names ENOSPC and the "
       "file: %s", msg);
    is_u64(kt_stat(t.k, vmstat_kill_item(KILL_PAGEOUT_IO_ERROR)), 1, "counted as kill_pageout-io-error");
    is_u64(kt_stat(t.k, VMSTAT_OOM_KILL), 0, "not an out-of-memory kill");
    swap_inject_error(sw, true, UINT64_MAX, 0, ENOSPC);
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);

    /* swap-in failing with EIO */
    p = kernel_process_create(t.k, "eio");
    kernel_map_anon(p, BASE, 32 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    ok(write_pages(cpu, BASE, 12, 9), "12 pages through 4 frames");
    swap_inject_error(sw, false, UINT64_MAX, 1, EIO);
    ok(!check_pages(cpu, BASE, 12, 9), "a swap-in fails");
    msg = kernel_process_kill_message(p);
    ok(!strncmp(msg, "swap-io-error", 13) && strstr(msg, strerror(EIO)) && strstr(msg, path),
       "swap-io-error names EIO and the file: %s", msg);
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "full disk");
    cpu_detach(cpu);
    kt_free(&t);
    ok(access(path, F_OK) != 0, "the swap file the kernel created is gone with it");
}

int main(void)
{
    test_out_of_swap();
    test_io_errors();
    test_full_disk();
    test_no_slot_leak();
    test_swap_cache_reclaim();
    return tap_done();
}
