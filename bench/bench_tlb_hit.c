/* bench_tlb_hit.c — the cost of a TLB hit: cpu_load over addresses within
 * a few warm pages, against the same loop of native loads over the same
 * offsets in a host buffer, measured in the same run.
 *
 * Two shapes of loop, both printed:
 *   independent: 8-byte loads from a precomputed offset sequence (the
 *                native loop is throughput-bound, a few loads per cycle);
 *   dependent:   each load's value is the next offset (pointer chasing,
 *                latency-bound), the shape of real code walking data;
 *   batched:     the independent loads handed over at once (cpu_load_many,
 *                a gather into an array), against a native gather loop.
 * The figure of merit is ns per access and the ratio simulated/native. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmlab/machine.h>

#define PAGES 4
#define SPAN (PAGES * 4096)
#define NOFF 4096                     /* offsets in the sequence */
#define VA 0x0000000000400000ull
#define DATA_PA 0x800000ull

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Best of `reps` timings of fn, in ns per access. */
#define BEST(reps, n, body)                                                  \
    ({                                                                       \
        double best_ = 1e30;                                                 \
        for (int r_ = 0; r_ < (reps); r_++) {                                \
            double t0_ = now();                                              \
            body;                                                            \
            double t_ = (now() - t0_) * 1e9 / (double)(n);                   \
            if (t_ < best_)                                                  \
                best_ = t_;                                                  \
        }                                                                    \
        best_;                                                               \
    })

static struct machine *make_machine(struct cpu **cpu)
{
    struct machine_config cfg;
    char err[256];
    machine_config_default(&cfg, PT_ARCH_X86);
    cfg.mem_bytes = 16ull << 20;
    struct machine *m = machine_create(&cfg, err, sizeof err);
    if (!m) {
        fprintf(stderr, "bench_tlb_hit: %s\n", err);
        exit(1);
    }
    struct physmem *pm = machine_physmem(m);
    const struct pt_format *f = pt_format(PT_X86_64);
    /* tables at 1 MiB: PML4, PDPT, PD, PT */
    paddr_t t[4] = {0x100000, 0x101000, 0x102000, 0x103000};
    for (int i = 0; i < 4; i++)
        memset(physmem_frame(pm, t[i]), 0, 4096);
    pte_store(pm, t[0] + pt_index(VA, 3) * 8, f->make_table(3, t[1]));
    pte_store(pm, t[1] + pt_index(VA, 2) * 8, f->make_table(2, t[2]));
    pte_store(pm, t[2] + pt_index(VA, 1) * 8, f->make_table(1, t[3]));
    for (int p = 0; p < PAGES; p++)
        pte_store(pm, t[3] + pt_index(VA + p * 4096ull, 0) * 8,
                  f->make_leaf(0, DATA_PA + p * 4096ull, VM_PROT_READ | VM_PROT_WRITE, true, true, 0));
    *cpu = machine_cpu(m, 0);
    cpu_attach(*cpu);
    cpu_write_efer(*cpu, X86_EFER_NXE);
    cpu_write_cr3(*cpu, t[0]);
    return m;
}

int main(void)
{
    struct cpu *c;
    struct machine *m = make_machine(&c);
    struct physmem *pm = machine_physmem(m);
    uint8_t *host = aligned_alloc(4096, SPAN);

    /* offsets: random 8-byte slots over the pages; and a random cycle
     * through the same slots for the dependent loop, stored in both the
     * guest pages and the host buffer */
    static uint32_t off[NOFF];
    uint64_t s = 1;
    for (int i = 0; i < NOFF; i++)
        off[i] = (uint32_t)(rnd(&s) % (SPAN / 8)) * 8;
    static uint32_t perm[SPAN / 8];
    for (uint32_t i = 0; i < SPAN / 8; i++)
        perm[i] = i;
    for (uint32_t i = SPAN / 8 - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(rnd(&s) % (i + 1)), x = perm[i];
        perm[i] = perm[j];
        perm[j] = x;
    }
    for (uint32_t i = 0; i < SPAN / 8; i++) {
        uint64_t next = (uint64_t)perm[(i + 1) % (SPAN / 8)] * 8;
        uint64_t at = (uint64_t)perm[i] * 8;
        memcpy(host + at, &next, 8);
        physmem_store(pm, DATA_PA + at, 8, next);
    }

    const long rounds = 2000, n = rounds * NOFF;
    volatile uint64_t sink;
    uint64_t v;
    for (int i = 0; i < NOFF; i++)          /* warm the TLB */
        cpu_load(c, VA + off[i], 8, &v);

    double native = BEST(5, n, {
        uint64_t sum = 0;
        for (long r = 0; r < rounds; r++)
            for (int i = 0; i < NOFF; i++) {
                uint64_t x;
                memcpy(&x, host + off[i], 8);
                sum += x;
                __asm__ volatile("" : "+r"(sum));   /* one load per iteration, no vectorising */
            }
        sink = sum;
    });
    double sim = BEST(5, n, {
        uint64_t sum = 0;
        for (long r = 0; r < rounds; r++)
            for (int i = 0; i < NOFF; i++) {
                cpu_load(c, VA + off[i], 8, &v);
                sum += v;
            }
        sink = sum;
    });

    /* batched: the same addresses as a gather, native and simulated */
    static vaddr_t vas[NOFF];
    static uint64_t vals[NOFF];
    for (int i = 0; i < NOFF; i++)
        vas[i] = VA + off[i];
    double native_gather = BEST(5, n, {
        for (long r = 0; r < rounds; r++) {
            for (int i = 0; i < NOFF; i++) {
                memcpy(&vals[i], host + off[i], 8);
                __asm__ volatile("" ::: "memory");   /* one load and store per iteration */
            }
        }
        sink = vals[NOFF - 1];
    });
    size_t done = 0;
    double sim_many = BEST(5, n, {
        for (long r = 0; r < rounds; r++)
            done += cpu_load_many(c, vas, NOFF, 8, vals);
        sink = vals[NOFF - 1];
    });
    if (done != 5ull * rounds * NOFF) {
        fprintf(stderr, "bench_tlb_hit: cpu_load_many stopped early\n");
        return 1;
    }

    const long chase = 4000000;
    double native_dep = BEST(5, chase, {
        uint64_t p = 0;
        for (long i = 0; i < chase; i++)
            memcpy(&p, host + p, 8);
        sink = p;
    });
    double sim_dep = BEST(5, chase, {
        uint64_t p = 0;
        for (long i = 0; i < chase; i++)
            cpu_load(c, VA + p, 8, &p);
        sink = p;
    });
    (void)sink;

    struct cpu_stats st;
    cpu_stats(c, &st);
    printf("TLB-hit cpu_load, independent loads: %.2f ns/access (%.0f M/s); native load loop: %.2f ns "
           "(%.0f M/s); ratio %.2f\n", sim, 1e3 / sim, native, 1e3 / native, sim / native);
    printf("TLB-hit cpu_load, dependent loads (pointer chase): %.2f ns/access; native: %.2f ns; "
           "ratio %.2f\n", sim_dep, native_dep, sim_dep / native_dep);
    printf("TLB-hit cpu_load_many, the same loads batched: %.2f ns/access (%.0f M/s); native gather "
           "loop: %.2f ns; ratio %.2f\n", sim_many, 1e3 / sim_many, native_gather, sim_many / native_gather);
    printf("(walks during the run: %llu; dTLB-loads %llu)\n",
           (unsigned long long)st.v[CPU_STAT_WALKS], (unsigned long long)st.v[CPU_STAT_DTLB_LOADS]);
    cpu_detach(c);
    machine_destroy(m);
    free(host);
    return 0;
}
