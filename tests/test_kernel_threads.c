/* test_kernel_threads.c — many CPUs (threads) faulting in the same and in
 * different processes, eviction racing faults and exits, PCIDs stolen
 * under load; every value read is checked against the writer's shadow
 * copy. Run it under TSan: make SAN=tsan check T=test_kernel_threads. */
#include <pthread.h>

#include "ktest.h"

#define BASE   0x10000000ull
#define NPAGES 48
#define NSHARED 3
#define NCPU   4

struct shared {
    struct kt t;
    struct process *proc[NSHARED];
    int ops;
    int failures;
    pthread_mutex_t lock;
};

struct worker {
    struct shared *sh;
    unsigned id;
    uint64_t seed;
    uint64_t shadow[NSHARED][NPAGES];   /* this thread's word in each page */
};

static void fail(struct worker *w, const char *what, uint64_t a, uint64_t b)
{
    pthread_mutex_lock(&w->sh->lock);
    if (w->sh->failures++ < 5)
        tap_diag("cpu %u: %s (0x%llx, 0x%llx)", w->id, what, (unsigned long long)a,
                 (unsigned long long)b);
    pthread_mutex_unlock(&w->sh->lock);
}

static void *run(void *arg)
{
    struct worker *w = arg;
    struct kt *t = &w->sh->t;
    struct cpu *cpu = machine_cpu(t->m, w->id);
    cpu_attach(cpu);
    for (int op = 0; op < w->sh->ops; op++) {
        uint64_t r = kt_rng(&w->seed);
        if (r % 50 == 0) {
            /* a private process lives, swaps a little, and exits while the
             * others evict its frames */
            struct process *p = kernel_process_create(t->k, "private");
            kernel_map_anon(p, BASE, 16 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
            kernel_switch_to(cpu, p);
            for (uint64_t i = 0; i < 16; i++)
                if (cpu_store(cpu, BASE + i * 4096, 8, i ^ w->id) != 0)
                    fail(w, "private store", i, 0);
            for (uint64_t i = 0; i < 16; i++) {
                uint64_t v = 0;
                if (cpu_load(cpu, BASE + i * 4096, 8, &v) != 0 || v != (i ^ w->id))
                    fail(w, "private load", i, v);
            }
            kernel_switch_to(cpu, NULL);
            kernel_process_exit(p, cpu);
            continue;
        }
        unsigned j = (unsigned)(r >> 8) % NSHARED;
        unsigned pg = (unsigned)(r >> 16) % NPAGES;
        vaddr_t va = BASE + pg * 4096ull + w->id * 64;
        if (kernel_current(cpu) != w->sh->proc[j])
            kernel_switch_to(cpu, w->sh->proc[j]);
        if ((r >> 40) % 3 == 0) {
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
    cpu_detach(cpu);
    return NULL;
}

static void stress(const char *policy, enum pt_arch arch, unsigned nasids)
{
    struct shared sh;
    memset(&sh, 0, sizeof sh);
    pthread_mutex_init(&sh.lock, NULL);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 40;            /* 3 x 48 shared pages + private ones */
    kc.swap_bytes = 1024 * 4096;
    kc.policy = policy;
    kc.nasids = nasids;
    sh.t = kt_make_cfg(arch, NCPU, &kc);
    sh.ops = kt_sanitized() ? 1500 : 12000;
    for (int j = 0; j < NSHARED; j++) {
        sh.proc[j] = kernel_process_create(sh.t.k, "shared");
        kernel_map_anon(sh.proc[j], BASE, NPAGES * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    }
    pthread_t th[NCPU];
    struct worker *w = calloc(NCPU, sizeof *w);
    for (unsigned i = 0; i < NCPU; i++) {
        w[i].sh = &sh;
        w[i].id = i;
        w[i].seed = 0x1234567 + i * 7919;
        pthread_create(&th[i], NULL, run, &w[i]);
    }
    for (unsigned i = 0; i < NCPU; i++)
        pthread_join(th[i], NULL);
    is_i64(sh.failures, 0, "%s/%s/%u PCIDs: %d CPUs x %d ops, every value verified", policy,
           arch == PT_ARCH_X86 ? "x86" : "riscv", nasids, NCPU, sh.ops);
    struct vmstat s;
    kernel_vmstat(sh.t.k, &s);
    ok(s.v[VMSTAT_PSWPOUT] > 0 && s.v[VMSTAT_PSWPIN] > 0, "%s: swapped (out %llu, in %llu)", policy,
       (unsigned long long)s.v[VMSTAT_PSWPOUT], (unsigned long long)s.v[VMSTAT_PSWPIN]);
    ok(s.v[VMSTAT_NR_TLB_REMOTE_FLUSH] > 0, "%s: remote shootdowns happened (%llu)", policy,
       (unsigned long long)s.v[VMSTAT_NR_TLB_REMOTE_FLUSH]);
    /* whether IDs had to be stolen depends on how the threads overlapped:
     * reported, not asserted (test_kernel_random asserts stealing) */
    if (nasids < 8)
        tap_diag("%s: %llu PCIDs stolen", policy, (unsigned long long)s.v[VMSTAT_ASID_STEAL]);
    is_u64(s.v[VMSTAT_KILLS], 0, "%s: nobody killed", policy);
    /* every shared process's final contents, checked by one CPU */
    struct cpu *cpu = machine_cpu(sh.t.m, 0);
    cpu_attach(cpu);
    bool good = true;
    for (int j = 0; j < NSHARED; j++) {
        kernel_switch_to(cpu, sh.proc[j]);
        for (unsigned pg = 0; pg < NPAGES; pg++)
            for (unsigned i = 0; i < NCPU; i++) {
                uint64_t v = 1;
                good &= cpu_load(cpu, BASE + pg * 4096ull + i * 64, 8, &v) == 0 && v == w[i].shadow[j][pg];
            }
    }
    ok(good, "%s: final contents of every shared page match", policy);
    kernel_switch_to(cpu, NULL);
    for (int j = 0; j < NSHARED; j++)
        kernel_process_exit(sh.proc[j], cpu);
    kt_no_leaks(sh.t.k, policy);
    cpu_detach(cpu);
    kt_free(&sh.t);
    free(w);
}

/* One CPU maps, fills, checks and unmaps regions of a process while three
 * others fault and verify in another region of the same process, and forks
 * of it are taken and checked: unmap shootdowns, SPT changes and copies
 * racing with faults and evictions. */
struct churn {
    struct kt *t;
    struct process *p;
    unsigned id;
    int ops, bad;
    int *stop;
    uint64_t shadow[64];
};

static void *churn_run(void *arg)
{
    struct churn *c = arg;
    struct cpu *cpu = machine_cpu(c->t->m, c->id);
    cpu_attach(cpu);
    kernel_switch_to(cpu, c->p);
    uint64_t seed = 99 + c->id;
    if (c->id == 0) {
        for (int round = 0; round < c->ops / 100; round++) {
            vaddr_t r = 0x20000000 + (uint64_t)(round % 4) * 0x100000;
            if (kernel_map_anon(c->p, r, 32 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0) != 0)
                c->bad++;
            for (uint64_t i = 0; i < 32; i++)
                if (cpu_store(cpu, r + i * 4096, 8, r + i) != 0)
                    c->bad++;
            for (uint64_t i = 0; i < 32; i++) {
                uint64_t v;
                if (cpu_load(cpu, r + i * 4096, 8, &v) != 0 || v != r + i)
                    c->bad++;
            }
            if (round % 8 == 0) {
                struct process *child;
                if (kernel_process_fork(c->p, "child", cpu, &child) == 0) {
                    kernel_switch_to(cpu, child);
                    for (uint64_t i = 0; i < 32; i++) {
                        uint64_t v;
                        if (cpu_load(cpu, r + i * 4096, 8, &v) != 0 || v != r + i)
                            c->bad++;
                    }
                    kernel_switch_to(cpu, NULL);
                    kernel_process_exit(child, cpu);
                    kernel_switch_to(cpu, c->p);
                } else {
                    c->bad++;
                }
            }
            if (kernel_unmap(c->p, r, cpu) != 0)
                c->bad++;
        }
        __atomic_store_n(c->stop, 1, __ATOMIC_RELEASE);
    } else {
        while (!__atomic_load_n(c->stop, __ATOMIC_ACQUIRE)) {
            uint64_t pg = kt_rng(&seed) % 64;
            vaddr_t a = BASE + pg * 4096 + c->id * 64;
            if (kt_rng(&seed) % 2) {
                uint64_t v = kt_rng(&seed);
                if (cpu_store(cpu, a, 8, v) == 0)
                    c->shadow[pg] = v;
                else
                    c->bad++;
            } else {
                uint64_t v;
                if (cpu_load(cpu, a, 8, &v) != 0 || v != c->shadow[pg])
                    c->bad++;
            }
        }
    }
    kernel_switch_to(cpu, NULL);
    cpu_detach(cpu);
    return NULL;
}

static void churn(void)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 48;
    kc.swap_bytes = 2048 * 4096;
    struct kt t = kt_make_cfg(PT_ARCH_X86, NCPU, &kc);
    struct process *p = kernel_process_create(t.k, "churn");
    kernel_map_anon(p, BASE, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    int stop = 0;
    struct churn *c = calloc(NCPU, sizeof *c);
    pthread_t th[NCPU];
    for (unsigned i = 0; i < NCPU; i++) {
        c[i] = (struct churn){.t = &t, .p = p, .id = i, .ops = kt_sanitized() ? 1500 : 8000, .stop = &stop};
        pthread_create(&th[i], NULL, churn_run, &c[i]);
    }
    int bad = 0;
    for (unsigned i = 0; i < NCPU; i++) {
        pthread_join(th[i], NULL);
        bad += c[i].bad;
    }
    is_i64(bad, 0, "map/unmap/fork on one CPU while three fault in the same process: all verified");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "none", "nobody killed");
    kernel_process_exit(p, NULL);
    kt_no_leaks(t.k, "churn");
    free(c);
    kt_free(&t);
}

int main(void)
{
    churn();
    stress("clock", PT_ARCH_X86, 4);
    stress("fifo", PT_ARCH_RISCV, 4095);
    stress("lru", PT_ARCH_X86, 4095);
    stress("random", PT_ARCH_X86, 5);
    stress("aging", PT_ARCH_RISCV, 4);
    stress("linux", PT_ARCH_X86, 4095);
    return tap_done();
}
