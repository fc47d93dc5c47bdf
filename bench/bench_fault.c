/* bench_fault.c — cost of the kernel's page faults, each beside a baseline
 * measured in the same run:
 *   anonymous minor fault (zero-fill, frame recycled from an exited process)
 *     vs memset of a 4 KiB page, and vs the host kernel's own first-touch
 *     fault (mmap + touch);
 *   major fault (swap-in of a clean page, the victim dropped)
 *     vs a raw 4 KiB pread of the same swap file at the same slots.
 * Each figure is the median of REPS runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <vmlab/kernel.h>
#include <vmlab/machine.h>

#include "os/swap.h"

#define NPAGES 16384          /* 64 MiB of user pages */
#define REPS 7
#define BASE 0x10000000ull

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmpd);
    return v[n / 2];
}

static struct kernel *make(struct machine **m, uint64_t frames, uint64_t swap_pages, uint64_t mem,
                           const char *policy)
{
    struct machine_config mc;
    char err[256];
    machine_config_default(&mc, PT_ARCH_X86);
    mc.mem_bytes = mem;
    *m = machine_create(&mc, err, sizeof err);
    if (!*m) {
        fprintf(stderr, "bench_fault: %s\n", err);
        exit(1);
    }
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = frames;
    kc.swap_bytes = swap_pages * 4096;
    kc.kernel_frames = 512;
    kc.policy = policy;
    struct kernel *k = kernel_create(*m, &kc, err, sizeof err);
    if (!k) {
        fprintf(stderr, "bench_fault: %s\n", err);
        exit(1);
    }
    return k;
}

static char *membuf;   /* the memset baseline's 64 MiB, as cold as the frames */

static double memset_pass_ns(int r)
{
    double t0 = now();
    for (uint64_t i = 0; i < NPAGES; i++)
        memset(membuf + i * 4096, r, 4096);
    return (now() - t0) / NPAGES * 1e9;
}

/* Interleaved with the fault passes, so that the shared machine's noise hits
 * both alike; *ratio is the median of the per-pass ratios. */
static double minor_fault_ns_thp(bool thp, double *memset_ns_out, double *ratio)
{
    struct machine *m;
    struct machine_config mc;
    char err[256];
    machine_config_default(&mc, PT_ARCH_X86);
    mc.mem_bytes = (NPAGES + 1024) * 4096ull;
    m = machine_create(&mc, err, sizeof err);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.kernel_frames = 511;   /* user pool 2 MiB aligned */
    kc.user_frames = NPAGES;
    kc.swap_bytes = 16 * 4096;
    kc.thp = thp;
    struct kernel *k = m ? kernel_create(m, &kc, err, sizeof err) : NULL;
    if (!k) {
        fprintf(stderr, "bench_fault: %s\n", err);
        exit(1);
    }
    struct cpu *cpu = machine_cpu(m, 0);
    cpu_attach(cpu);
    double t[REPS + 1], b[REPS + 1], q[REPS + 1];
    for (int r = 0; r <= REPS; r++) {   /* run 0 commits the host memory */
        b[r] = memset_pass_ns(r);
        struct process *p = kernel_process_create(k, "minor");
        kernel_map_anon(p, BASE, NPAGES * 4096ull, VM_PROT_READ | VM_PROT_WRITE, 0);
        kernel_switch_to(cpu, p);
        double t0 = now();
        for (uint64_t i = 0; i < NPAGES; i++)
            if (cpu_touch(cpu, BASE + i * 4096, 8, VM_ACCESS_WRITE) != 0)
                abort();
        t[r] = (now() - t0) / NPAGES * 1e9;
        q[r] = t[r] / b[r];
        kernel_switch_to(cpu, NULL);
        kernel_process_exit(p, cpu);
    }
    cpu_detach(cpu);
    kernel_destroy(k);
    machine_destroy(m);
    if (memset_ns_out)
        *memset_ns_out = median(b + 1, REPS);
    if (ratio)
        *ratio = median(q + 1, REPS);
    return median(t + 1, REPS);
}

/* The same accesses once the pages are mapped: what the CPU model costs. */
static double mapped_touch_ns(void)
{
    struct machine *m;
    struct kernel *k = make(&m, NPAGES, 16, (NPAGES + 1024) * 4096ull, "clock");
    struct cpu *cpu = machine_cpu(m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(k, "touch");
    kernel_map_anon(p, BASE, NPAGES * 4096ull, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    for (uint64_t i = 0; i < NPAGES; i++)
        cpu_touch(cpu, BASE + i * 4096, 8, VM_ACCESS_WRITE);
    double t[REPS];
    for (int r = 0; r < REPS; r++) {
        double t0 = now();
        for (uint64_t i = 0; i < NPAGES; i++)
            cpu_touch(cpu, BASE + i * 4096, 8, VM_ACCESS_WRITE);
        t[r] = (now() - t0) / NPAGES * 1e9;
    }
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    cpu_detach(cpu);
    kernel_destroy(k);
    machine_destroy(m);
    return median(t, REPS);
}

static double host_first_touch_ns(void)
{
    double t[REPS];
    for (int r = 0; r < REPS; r++) {
        char *p = mmap(NULL, NPAGES * 4096ull, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            abort();
        double t0 = now();
        for (uint64_t i = 0; i < NPAGES; i++)
            ((volatile char *)p)[i * 4096] = 1;
        t[r] = (now() - t0) / NPAGES * 1e9;
        munmap(p, NPAGES * 4096ull);
    }
    return median(t, REPS);
}

#define SWPAGES 4096
#define SWFRAMES 512

static void major_fault(const char *policy, double *fault_ns, double *pread_ns, double *ratio)
{
    struct machine *m;
    struct kernel *k = make(&m, SWFRAMES, SWPAGES + 64, (SWFRAMES + 2048) * 4096ull, policy);
    struct cpu *cpu = machine_cpu(m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(k, "major");
    kernel_map_anon(p, BASE, SWPAGES * 4096ull, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    for (uint64_t i = 0; i < SWPAGES; i++)   /* every page dirty, then out */
        cpu_store(cpu, BASE + i * 4096, 8, i);
    for (uint64_t i = 0; i < SWPAGES; i++)   /* read once: the dirty ones leave */
        cpu_touch(cpu, BASE + i * 4096, 8, VM_ACCESS_READ);
    double t[REPS], b[REPS], q[REPS];
    struct vmstat s0, s1;
    int fd = swap_fd(kernel_swap_device(k));
    static char buf[4096] __attribute__((aligned(4096)));
    for (int r = 0; r < REPS; r++) {
        /* baseline: raw preads of the same file, same slots */
        double t0 = now();
        for (uint64_t i = 0; i < SWPAGES; i++)
            if (pread(fd, buf, 4096, (off_t)(i * 4096)) != 4096)
                abort();
        b[r] = (now() - t0) / SWPAGES * 1e9;
        kernel_vmstat(k, &s0);
        t0 = now();
        for (uint64_t i = 0; i < SWPAGES; i++)
            cpu_touch(cpu, BASE + i * 4096, 8, VM_ACCESS_READ);
        double dt = now() - t0;
        kernel_vmstat(k, &s1);
        uint64_t majors = s1.v[VMSTAT_PGMAJFAULT] - s0.v[VMSTAT_PGMAJFAULT];
        if (s1.v[VMSTAT_PSWPOUT] != s0.v[VMSTAT_PSWPOUT])
            fprintf(stderr, "bench_fault: unexpected swap-out in the timed pass\n");
        t[r] = dt / (double)(majors ? majors : 1) * 1e9;
        q[r] = t[r] / b[r];
    }
    *fault_ns = median(t, REPS);
    *pread_ns = median(b, REPS);
    *ratio = median(q, REPS);
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    cpu_detach(cpu);
    kernel_destroy(k);
    machine_destroy(m);
}

int main(void)
{
    membuf = malloc(NPAGES * 4096ull);
    memset(membuf, 1, NPAGES * 4096ull);
    const char *only = getenv("BENCH_FAULT_ONLY");   /* "minor" or "major": for profiling */
    if (only && !strcmp(only, "minor")) {
        printf("minor fault: %.0f ns\n", minor_fault_ns_thp(false, NULL, NULL));
        return 0;
    }
    if (only && !strcmp(only, "major")) {
        double f, r, q;
        major_fault(getenv("BENCH_FAULT_POLICY") ? getenv("BENCH_FAULT_POLICY") : "clock", &f, &r, &q);
        printf("major fault: %.0f ns, pread %.0f ns\n", f, r);
        return 0;
    }
    double ms, ratio;
    double minor = minor_fault_ns_thp(false, &ms, &ratio);
    double host = host_first_touch_ns();
    double touch = mapped_touch_ns();
    printf("anonymous minor fault: %.0f ns (the access included); memset 4 KiB: %.0f ns; ratio %.2f "
           "(aim <= 2)\n", minor, ms, ratio);
    printf("anonymous minor fault: %.0f ns; host kernel first-touch fault: %.0f ns; ratio %.2f\n",
           minor, host, minor / host);
    printf("  (of which the two TLB-missing walks around the fault ~%.0f ns; the rest, %.0f ns = %.2f x "
           "memset, is fault delivery, the handler and zeroing a cold frame)\n", 2 * touch,
           minor - 2 * touch, (minor - 2 * touch) / ms);
    double thp = minor_fault_ns_thp(true, NULL, NULL);
    printf("THP: first touch of each 4 KiB of 2 MiB pages: %.0f ns per 4 KiB (one 2 MiB fault per "
           "512 touches); 4 KiB faults: %.0f ns; ratio %.2f\n", thp, minor, thp / minor);
    const char *pols[] = {"clock", "fifo"};
    for (int i = 0; i < 2; i++) {
        double major, pr, q;
        major_fault(pols[i], &major, &pr, &q);
        printf("major fault (swap-in, clean victim dropped, %s): %.0f ns; raw 4 KiB pread of the "
               "swap file: %.0f ns; ratio %.2f (aim <= 1.5)\n", pols[i], major, pr, q);
    }
    free(membuf);
    return 0;
}
