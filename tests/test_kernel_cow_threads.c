/* test_kernel_cow_threads.c — many CPUs writing pages that fork shares
 * copy-on-write, while eviction runs: four threads, each driving its own
 * CPU, read and write their own word of every page of every process of a
 * fork family, so that copies, take-overs, evictions of shared frames (with
 * shootdowns to the other CPUs) and swap-ins of shared slots all race. At
 * the end of each round the threads stop; the family forks and loses
 * members (the model copies and drops its shadows), and the next round
 * starts. Every value read is checked. Run it under TSan:
 * make SAN=tsan check T=test_kernel_cow_threads. */
#include <pthread.h>

#include "ktest.h"

#define BASE   0x10000000ull
#define NPAGES 40
#define NPROC  6
#define NCPU   4

struct shared {
    struct kt t;
    struct process *proc[NPROC];
    int forked_from[NPROC];   /* this round's new members: whose copy they are, or -1 */
    int ops;
    int failures;
    pthread_mutex_t lock;
    pthread_barrier_t round;
};

struct worker {
    struct shared *sh;
    unsigned id;
    uint64_t seed;
    uint64_t shadow[NPROC][NPAGES];   /* this thread's word of each page */
};

static void fail(struct worker *w, const char *what, uint64_t a, uint64_t b)
{
    pthread_mutex_lock(&w->sh->lock);
    if (w->sh->failures++ < 5)
        tap_diag("cpu %u: %s (0x%llx, 0x%llx)", w->id, what, (unsigned long long)a, (unsigned long long)b);
    pthread_mutex_unlock(&w->sh->lock);
}

static void work(struct worker *w, struct cpu *cpu)
{
    for (int op = 0; op < w->sh->ops; op++) {
        uint64_t r = kt_rng(&w->seed);
        unsigned j = (unsigned)(r >> 8) % NPROC, pg = (unsigned)(r >> 16) % NPAGES;
        struct process *p = w->sh->proc[j];
        if (!p)
            continue;
        vaddr_t va = BASE + pg * 4096ull + w->id * 64;
        if (kernel_current(cpu) != p)
            kernel_switch_to(cpu, p);
        if ((r >> 40) % 2) {
            uint64_t v = kt_rng(&w->seed);
            if (cpu_store(cpu, va, 8, v) != 0)
                fail(w, "store", va, 0);
            else
                w->shadow[j][pg] = v;
        } else {
            uint64_t v = 0;
            if (cpu_load(cpu, va, 8, &v) != 0)
                fail(w, "load", va, 0);
            else if (v != w->shadow[j][pg])
                fail(w, "wrong data", v, w->shadow[j][pg]);
        }
    }
    kernel_switch_to(cpu, NULL);
}

static void *run(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    struct cpu *cpu = machine_cpu(sh->t.m, w->id);
    for (int round = 0; round < 6; round++) {
        cpu_attach(cpu);
        work(w, cpu);
        /* a thread that blocks must not hold its CPU: the others' shootdowns
         * would wait for it forever (the sender handles an idle CPU's) */
        cpu_detach(cpu);
        pthread_barrier_wait(&sh->round);   /* everybody stopped */
        if (w->id == 0) {
            cpu_attach(cpu);
            /* the family changes: an exit, forks of random members */
            for (unsigned k = 0; k < NPROC; k++)
                sh->forked_from[k] = -1;
            unsigned x = 1 + (unsigned)kt_rng(&w->seed) % (NPROC - 1);
            if (sh->proc[x]) {
                kernel_process_exit(sh->proc[x], cpu);
                sh->proc[x] = NULL;
            }
            for (int n = 0; n < 2; n++) {
                unsigned j = (unsigned)kt_rng(&w->seed) % NPROC, k = (j + 1 + (unsigned)n) % NPROC;
                if (!sh->proc[j] || sh->proc[k] || sh->forked_from[j] >= 0)
                    continue;
                if (kernel_process_fork(sh->proc[j], "kid", cpu, &sh->proc[k]) != 0)
                    fail(w, "fork", j, k);
                else
                    sh->forked_from[k] = (int)j;
            }
            cpu_detach(cpu);
        }
        pthread_barrier_wait(&sh->round);
        /* each thread's shadow follows: a new member has its parent's words */
        for (unsigned k = 0; k < NPROC; k++) {
            if (sh->forked_from[k] >= 0)
                memcpy(w->shadow[k], w->shadow[sh->forked_from[k]], sizeof w->shadow[k]);
            else if (!sh->proc[k])
                memset(w->shadow[k], 0, sizeof w->shadow[k]);
        }
        pthread_barrier_wait(&sh->round);
    }
    return NULL;
}

int main(void)
{
    struct shared sh;
    memset(&sh, 0, sizeof sh);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 64;   /* six processes x 40 pages: shared frames copied and evicted */
    kc.swap_bytes = 4096 * 4096ull;
    kc.policy = "clock";
    sh.t = kt_make_cfg(PT_ARCH_X86, NCPU, &kc);
    sh.ops = kt_sanitized() ? 1500 : 8000;
    pthread_mutex_init(&sh.lock, NULL);
    pthread_barrier_init(&sh.round, NULL, NCPU);
    /* the first member, then forks: every page shared from the start */
    sh.proc[0] = kernel_process_create(sh.t.k, "root");
    kernel_map_anon(sh.proc[0], BASE, NPAGES * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    struct worker w[NCPU];
    memset(w, 0, sizeof w);
    struct cpu *c0 = machine_cpu(sh.t.m, 0);
    cpu_attach(c0);
    kernel_switch_to(c0, sh.proc[0]);
    for (unsigned i = 0; i < NCPU; i++)   /* every word resident before the forks */
        for (unsigned pg = 0; pg < NPAGES; pg++)
            cpu_store(c0, BASE + pg * 4096ull + i * 64, 8, w[i].shadow[0][pg] = pg * 16 + i + 1);
    kernel_switch_to(c0, NULL);
    for (unsigned k = 1; k < 4; k++) {
        kernel_process_fork(sh.proc[0], "kid", c0, &sh.proc[k]);
        for (unsigned i = 0; i < NCPU; i++)
            memcpy(w[i].shadow[k], w[i].shadow[0], sizeof w[i].shadow[0]);
    }
    cpu_detach(c0);
    pthread_t th[NCPU];
    for (unsigned i = 0; i < NCPU; i++) {
        w[i].sh = &sh;
        w[i].id = i;
        w[i].seed = 0x1234567 + i * 0x9e3779b97f4a7c15ull;
        pthread_create(&th[i], NULL, run, &w[i]);
    }
    for (unsigned i = 0; i < NCPU; i++)
        pthread_join(th[i], NULL);
    is_i64(sh.failures, 0, "%d CPUs x 6 rounds x %d accesses to a fork family's shared pages", NCPU, sh.ops);
    ok(kt_stat(sh.t.k, VMSTAT_COW_COPY) > 0 && kt_stat(sh.t.k, VMSTAT_PSWPOUT) > 0 &&
           kt_stat(sh.t.k, VMSTAT_NR_TLB_REMOTE_FLUSH) > 0,
       "copies (%llu), swap-outs (%llu) and remote shootdowns (%llu) all happened",
       (unsigned long long)kt_stat(sh.t.k, VMSTAT_COW_COPY), (unsigned long long)kt_stat(sh.t.k, VMSTAT_PSWPOUT),
       (unsigned long long)kt_stat(sh.t.k, VMSTAT_NR_TLB_REMOTE_FLUSH));
    for (unsigned k = 0; k < NPROC; k++)
        if (sh.proc[k])
            kernel_process_exit(sh.proc[k], NULL);
    kt_no_leaks(sh.t.k, "cow threads");
    kt_free(&sh.t);
    return tap_done();
}
