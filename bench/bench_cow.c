/* bench_cow.c — copy-on-write, each figure beside a baseline measured in
 * the same run (interleaved passes, median of per-pass ratios):
 *   COW fault: a child writing one word of each of 16,384 pages fork
 *     shared (the fault, its copy of the page, both walks) vs a memcpy of
 *     4 KiB from a cold source, page after page over 64 MiB;
 *   fork of a process with 16,384 resident pages, then the child's exit,
 *     vs the host kernel's own fork() + _exit + waitpid of a process with
 *     the same resident memory (64 MiB, MADV_NOHUGEPAGE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vmlab/kernel.h>
#include <vmlab/machine.h>

#define NPAGES 16384
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

struct sys {
    struct machine *m;
    struct kernel *k;
    struct cpu *cpu;
    struct process *parent;
};

/* A kernel with room for the parent's pages and a child's copies, and the
 * parent with every page resident and written. */
static void sys_make(struct sys *s)
{
    struct machine_config mc;
    char err[256];
    machine_config_default(&mc, PT_ARCH_X86);
    mc.mem_bytes = (2 * NPAGES + 2048) * 4096ull;
    s->m = machine_create(&mc, err, sizeof err);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.kernel_frames = 1024;
    kc.user_frames = 2 * NPAGES + 512;
    kc.swap_bytes = 16 * 4096;
    s->k = s->m ? kernel_create(s->m, &kc, err, sizeof err) : NULL;
    if (!s->k) {
        fprintf(stderr, "bench_cow: %s\n", err);
        exit(1);
    }
    s->cpu = machine_cpu(s->m, 0);
    cpu_attach(s->cpu);
    s->parent = kernel_process_create(s->k, "parent");
    kernel_map_anon(s->parent, BASE, NPAGES * 4096ull, VM_PROT_READ | VM_PROT_WRITE, KMAP_NOHUGE);
    kernel_switch_to(s->cpu, s->parent);
    for (uint64_t i = 0; i < NPAGES; i++)
        if (cpu_store(s->cpu, BASE + i * 4096, 8, i) != 0)
            abort();
    kernel_switch_to(s->cpu, NULL);
}

static void sys_free(struct sys *s)
{
    kernel_process_exit(s->parent, s->cpu);
    cpu_detach(s->cpu);
    kernel_destroy(s->k);
    machine_destroy(s->m);
}

static char *src, *dst;   /* the memcpy baseline's 64 MiB each */

static double memcpy_pass_ns(void)
{
    double t0 = now();
    for (uint64_t i = 0; i < NPAGES; i++)
        memcpy(dst + i * 4096, src + i * 4096, 4096);
    return (now() - t0) / NPAGES * 1e9;
}

/* A pass over 128 MiB elsewhere, so that the next pass's source is cold. */
static char *flush_buf;
static void cool_caches(void)
{
    for (uint64_t i = 0; i < 128ull << 20; i += 64)
        flush_buf[i]++;
}

static void bench_cow_fault(struct sys *s)
{
    double t[REPS], b[REPS], q[REPS];
    for (int r = 0; r < REPS; r++) {
        cool_caches();
        b[r] = memcpy_pass_ns();
        struct process *c;
        if (kernel_process_fork(s->parent, "child", s->cpu, &c) != 0)
            abort();
        cool_caches();
        kernel_switch_to(s->cpu, c);
        double t0 = now();
        for (uint64_t i = 0; i < NPAGES; i++)
            if (cpu_store(s->cpu, BASE + i * 4096 + 8, 8, i) != 0)
                abort();
        t[r] = (now() - t0) / NPAGES * 1e9;
        q[r] = t[r] / b[r];
        kernel_switch_to(s->cpu, NULL);
        kernel_process_exit(c, s->cpu);
    }
    double tm = median(t, REPS), bm = median(b, REPS), qm = median(q, REPS);
    printf("COW fault (copy of a 4 KiB page, access included): %.0f ns; memcpy of 4 KiB from a cold "
           "source: %.0f ns; ratio %.2f (aim <= 2)\n", tm, bm, qm);
}

/* The host baseline runs in a process of its own with exactly 64 MiB
 * resident (the benchmark's own buffers and simulated memory would make
 * the host's fork copy page tables for far more): it forks on request and
 * answers with the time taken. */
static int to_host[2], from_host[2];

static void host_forker(void)
{
    char *mem = mmap(NULL, NPAGES * 4096ull, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        _exit(1);
    madvise(mem, NPAGES * 4096ull, MADV_NOHUGEPAGE);
    for (uint64_t i = 0; i < NPAGES; i++)
        mem[i * 4096] = (char)i;
    char cmd;
    while (read(to_host[0], &cmd, 1) == 1) {
        double t0 = now();
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        int st;
        waitpid(pid, &st, 0);
        double ns = (now() - t0) * 1e9;
        if (write(from_host[1], &ns, sizeof ns) != sizeof ns)
            _exit(1);
    }
    _exit(0);
}

static pid_t start_host_forker(void)
{
    if (pipe(to_host) || pipe(from_host))
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        close(to_host[1]);
        close(from_host[0]);
        host_forker();
    }
    close(to_host[0]);
    close(from_host[1]);
    return pid;
}

static double host_fork_pass_ns(void)
{
    double ns = 0;
    if (write(to_host[1], "f", 1) != 1 || read(from_host[0], &ns, sizeof ns) != sizeof ns)
        abort();
    return ns;
}

static void bench_fork(struct sys *s)
{
    double t[REPS], b[REPS], q[REPS];
    for (int r = 0; r < REPS; r++) {
        b[r] = host_fork_pass_ns();
        double t0 = now();
        struct process *c;
        if (kernel_process_fork(s->parent, "child", s->cpu, &c) != 0)
            abort();
        kernel_process_exit(c, s->cpu);
        t[r] = (now() - t0) * 1e9;
        q[r] = t[r] / b[r];
    }
    double tm = median(t, REPS), bm = median(b, REPS), qm = median(q, REPS);
    printf("fork + exit of a process with %d resident pages: %.2f ms; host fork + _exit + wait of "
           "64 MiB resident: %.2f ms; ratio %.2f (aim <= 1)\n", NPAGES, tm / 1e6, bm / 1e6, qm);
}

int main(void)
{
    pid_t host = start_host_forker();   /* before anything else is resident */
    src = malloc(NPAGES * 4096ull);
    dst = malloc(NPAGES * 4096ull);
    flush_buf = malloc(128ull << 20);
    memset(src, 1, NPAGES * 4096ull);
    memset(dst, 2, NPAGES * 4096ull);
    memset(flush_buf, 3, 128ull << 20);
    struct sys s;
    sys_make(&s);
    bench_cow_fault(&s);
    bench_fork(&s);
    sys_free(&s);
    free(src);
    free(dst);
    free(flush_buf);
    close(to_host[1]);
    int st;
    waitpid(host, &st, 0);
    return 0;
}
