/* test_shootdown.c — cross-CPU TLB shootdowns (machine_shootdown).
 *
 * - correctness with idle targets (served by the sender) and with a
 *   sender that drives no CPU; range vs. full flush;
 * - two CPUs shooting each other down at once, many times: must not
 *   deadlock (a watchdog turns a hang into a failure);
 * - readers translating on several CPUs while a writer remaps a page to a
 *   fresh frame holding a new generation number, shoots down, then
 *   publishes the generation: a reader that saw generation k published
 *   before its load must read >= k. Frames are never reused, so a stale
 *   translation can only ever show an older generation.
 * Clean under TSan (make SAN=tsan check). */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (64ull << 20)
#define V 0x0000000000400000ull
#define FRAMES 0x1000000ull          /* generation frames from 16 MiB up */

static int watchdog_done;             /* atomic */
static const char *watchdog_what = "";

static void *watchdog(void *arg)
{
    int seconds = *(int *)arg;
    for (int i = 0; i < seconds * 10; i++) {
        if (__atomic_load_n(&watchdog_done, __ATOMIC_ACQUIRE))
            return NULL;
        usleep(100000);
    }
    printf("not ok - %s: no progress in %d s (deadlock?)\nBail out! deadlock\n", watchdog_what, seconds);
    fflush(stdout);
    _exit(1);
}

static pthread_t start_watchdog(const char *what, int *seconds)
{
    pthread_t t;
    watchdog_what = what;
    __atomic_store_n(&watchdog_done, 0, __ATOMIC_RELEASE);
    pthread_create(&t, NULL, watchdog, seconds);
    return t;
}

static void stop_watchdog(pthread_t t)
{
    __atomic_store_n(&watchdog_done, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
}

static struct machine *m;
static struct physmem *pm;
static struct ptb b;
static const struct pt_format *fmt;

static void setup(unsigned ncpus, const char *tlb)
{
    m = tm_machine(PT_ARCH_X86, ncpus, MEM, tlb);
    pm = machine_physmem(m);
    fmt = pt_format(PT_X86_64);
    ptb_init(&b, pm, fmt, 0x100000, 0x800000);
    for (unsigned i = 0; i < 64; i++)
        ptb_map(&b, V + i * 4096ull, 0x900000 + i * 4096ull, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    for (unsigned i = 0; i < ncpus; i++) {
        struct cpu *c = machine_cpu(m, i);
        cpu_attach(c);
        cpu_write_cr4(c, X86_CR4_PCIDE);
        cpu_write_efer(c, X86_EFER_NXE);
        cpu_write_cr3(c, b.root | 5);
        cpu_detach(c);
    }
}

static uint64_t load_on(unsigned cpu, vaddr_t va, uint64_t *walks)
{
    struct cpu *c = machine_cpu(m, cpu);
    uint64_t v = ~0ull;
    cpu_attach(c);
    uint64_t w = tm_stat(c, CPU_STAT_WALKS);
    if (cpu_load(c, va, 8, &v))
        v = ~0ull;
    if (walks)
        *walks = tm_stat(c, CPU_STAT_WALKS) - w;
    cpu_detach(c);
    return v;
}

static void remap(vaddr_t va, paddr_t frame)
{
    ptb_set(&b, va, 0, fmt->make_leaf(0, frame, VM_PROT_READ | VM_PROT_WRITE, false, false, 0));
}

static void test_basic(void)
{
    setup(4, "golden-cove");
    uint64_t w;
    physmem_store(pm, 0x2000000, 8, 111);
    physmem_store(pm, 0x2001000, 8, 222);
    for (unsigned i = 0; i < 4; i++)
        load_on(i, V, NULL);
    remap(V, 0x2000000);
    bool stale = true;
    for (unsigned i = 1; i < 4; i++)
        stale &= load_on(i, V, &w) == 0 && w == 0;
    ok(stale, "remapped without a shootdown: every CPU still uses the old translation");
    struct cpu *c0 = machine_cpu(m, 0);
    cpu_attach(c0);
    machine_shootdown(m, c0, 0xf, 5, V, V + 4096);
    uint64_t v;
    ok(cpu_load(c0, V, 8, &v) == 0 && v == 111, "sender's own TLB invalidated");
    cpu_detach(c0);
    bool fresh = true;
    for (unsigned i = 1; i < 4; i++)
        fresh &= load_on(i, V, &w) == 111 && w == 1;
    ok(fresh, "idle targets were invalidated (by the sender in their place)");
    struct cpu_stats st;
    machine_stats(m, &st);
    is_u64(st.v[CPU_STAT_SHOOTDOWNS_SENT], 3, "shootdowns-sent: 3 other CPUs");
    is_u64(st.v[CPU_STAT_SHOOTDOWNS_RECEIVED], 3, "shootdowns-received: 3 (the sender's own flush is local, not received)");
    is_u64(st.v[CPU_STAT_SHOOTDOWN_PAGES], 4, "shootdown-pages: 1 page on each");

    /* a sender driving no CPU; other PCIDs are not touched */
    load_on(1, V + 4096, NULL);
    struct cpu *c1 = machine_cpu(m, 1);
    cpu_attach(c1);
    cpu_write_cr3(c1, b.root | 6 | X86_CR3_NOFLUSH);
    cpu_load(c1, V + 4096, 8, &v);
    cpu_write_cr3(c1, b.root | 5 | X86_CR3_NOFLUSH);
    cpu_detach(c1);
    remap(V + 4096, 0x2001000);
    machine_shootdown(m, NULL, 0x2, 5, V + 4096, V + 8192);
    ok(load_on(1, V + 4096, &w) == 222 && w == 1, "sender with no CPU: target invalidated");
    cpu_attach(c1);
    cpu_write_cr3(c1, b.root | 6 | X86_CR3_NOFLUSH);
    ok(cpu_load(c1, V + 4096, 8, &v) == 0 && v != 222, "PCID 6's entry was not part of the shootdown");
    cpu_write_cr3(c1, b.root | 5 | X86_CR3_NOFLUSH);
    cpu_detach(c1);
    machine_stats(m, &st);
    is_u64(st.v[CPU_STAT_SHOOTDOWNS_SENT], 4, "shootdowns-sent counts senders driving no CPU");

    /* more than 33 pages: a full flush of the PCID */
    for (unsigned i = 0; i < 40; i++)
        load_on(2, V + i * 4096ull, NULL);
    machine_shootdown(m, NULL, 0x4, 5, V, V + 40 * 4096);
    ok(load_on(2, V + 39 * 4096, &w) != ~0ull && w == 1, "40-page shootdown: flushed");
    machine_stats(m, &st);
    is_u64(st.v[CPU_STAT_SHOOTDOWN_FULL], 1, "shootdown-full: one");
    machine_destroy(m);
}

/* ---- two CPUs shooting each other down ---- */

struct duel { unsigned me; int rounds; uint64_t bad; };

static void *duelist(void *arg)
{
    struct duel *d = arg;
    struct cpu *c = machine_cpu(m, d->me);
    cpu_attach(c);
    uint64_t v;
    for (int i = 0; i < d->rounds; i++) {
        vaddr_t va = V + (uint64_t)(i % 8) * 4096;
        if (cpu_load(c, va, 8, &v))
            d->bad++;
        machine_shootdown(m, c, 1ull << (1 - d->me), 5, va, va + 4096);
        if (i % 16 == 0)                          /* sometimes both, self included */
            machine_shootdown(m, c, 3, 5, V, V + 64 * 4096);
    }
    cpu_detach(c);
    return NULL;
}

static void test_duel(void)
{
    setup(2, "golden-cove");
    int secs = 60;
    pthread_t wd = start_watchdog("two CPUs shooting each other down", &secs);
    struct duel d[2] = {{0, tm_san() ? 2000 : 20000, 0}, {1, tm_san() ? 2000 : 20000, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, duelist, &d[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    stop_watchdog(wd);
    ok(d[0].bad + d[1].bad == 0, "mutual shootdowns: no deadlock, loads fine (%d rounds each)", d[0].rounds);
    struct cpu_stats st;
    machine_stats(m, &st);
    ok(st.v[CPU_STAT_SHOOTDOWNS_RECEIVED] >= 2ull * (uint64_t)d[0].rounds,
       "every request was handled (%llu received)", (unsigned long long)st.v[CPU_STAT_SHOOTDOWNS_RECEIVED]);
    machine_destroy(m);
}

/* A thread driving CPUs it does not name as `self`: with self = NULL, and
 * two threads each driving two CPUs shooting down each other's. */
struct pair { unsigned a, b; int rounds; uint64_t bad; };

static void *pair_thread(void *arg)
{
    struct pair *p = arg;
    struct cpu *ca = machine_cpu(m, p->a), *cb = machine_cpu(m, p->b);
    cpu_attach(ca);
    cpu_attach(cb);
    cpumask_t others = 0xf & ~((1ull << p->a) | (1ull << p->b));
    uint64_t v;
    for (int i = 0; i < p->rounds; i++) {
        vaddr_t va = V + (uint64_t)(i % 8) * 4096;
        if (cpu_load(ca, va, 8, &v) || cpu_load(cb, va, 8, &v))
            p->bad++;
        /* self names only one of our CPUs; the other target is ours too */
        machine_shootdown(m, ca, others | (1ull << p->b), 5, va, va + 4096);
    }
    cpu_detach(cb);
    cpu_detach(ca);
    return NULL;
}

static void test_owned_cpus(void)
{
    setup(4, "golden-cove");
    int secs = 60;
    pthread_t wd = start_watchdog("shootdowns to CPUs the sender drives", &secs);
    /* self = NULL while driving a target */
    struct cpu *c0 = machine_cpu(m, 0);
    cpu_attach(c0);
    uint64_t v, w0;
    cpu_load(c0, V, 8, &v);
    remap(V, 0x2000000);
    physmem_store(pm, 0x2000000, 8, 4242);
    machine_shootdown(m, NULL, 0x3, 5, V, V + 4096);
    w0 = tm_stat(c0, CPU_STAT_WALKS);
    ok(cpu_load(c0, V, 8, &v) == 0 && v == 4242 && tm_stat(c0, CPU_STAT_WALKS) == w0 + 1,
       "self = NULL while driving a target: no deadlock, the driven CPU invalidated");
    /* an unaligned range: both pages it touches */
    cpu_load(c0, V + 4096, 8, &v);
    cpu_load(c0, V, 8, &v);
    struct cpu_stats st0, st1;
    cpu_stats(c0, &st0);
    machine_shootdown(m, c0, 0x1, 5, V + 0x800, V + 0x1800);
    cpu_stats(c0, &st1);
    is_u64(st1.v[CPU_STAT_SHOOTDOWN_PAGES] - st0.v[CPU_STAT_SHOOTDOWN_PAGES], 2,
           "range [V+0x800, V+0x1800) counts the 2 pages it touches");
    w0 = tm_stat(c0, CPU_STAT_WALKS);
    cpu_load(c0, V, 8, &v);
    cpu_load(c0, V + 4096, 8, &v);
    is_u64(tm_stat(c0, CPU_STAT_WALKS) - w0, 2, "and both were invalidated");
    cpu_detach(c0);

    struct pair p[2] = {{0, 1, tm_san() ? 1000 : 5000, 0}, {2, 3, tm_san() ? 1000 : 5000, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, pair_thread, &p[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    stop_watchdog(wd);
    ok(p[0].bad + p[1].bad == 0, "two threads each driving two CPUs, shooting each other's down: no deadlock");
    machine_destroy(m);
}

/* ---- generations ---- */

#define NREADERS 3
static uint64_t published;          /* atomic: generation whose shootdown completed */
static int stop_readers;            /* atomic */

struct reader { unsigned cpu; bool hop; uint64_t loads, stale, faults, maxseen; };

static void *reader(void *arg)
{
    struct reader *r = arg;
    struct cpu *c = machine_cpu(m, r->cpu);
    cpu_attach(c);
    uint64_t v, n = 0;
    while (!__atomic_load_n(&stop_readers, __ATOMIC_ACQUIRE)) {
        uint64_t before = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
        if (cpu_load(c, V, 8, &v)) {
            r->faults++;
            continue;
        }
        if (v < before)
            r->stale++;
        if (v > r->maxseen)
            r->maxseen = v;
        r->loads++;
        /* other pages keep the TLB busy */
        cpu_load(c, V + 4096 * (1 + n % 40), 8, &v);
        n++;
        if (r->hop && n % 64 == 0) {      /* go idle now and then: the sender serves us */
            cpu_detach(c);
            sched_yield();
            cpu_attach(c);
        } else if (n % 8 == 0) {
            /* more threads than host CPUs: let the others (and the
             * writer) run, or each shootdown waits for a time slice */
            sched_yield();
        }
    }
    cpu_detach(c);
    return NULL;
}

static void test_generations(bool writer_has_cpu)
{
    setup(NREADERS + 1, "golden-cove");
    unsigned gens = tm_san() ? 2000 : 8000;   /* frames: 16 MiB + 8000 * 4 KiB < MEM */
    remap(V, FRAMES);
    physmem_store(pm, FRAMES, 8, 0);
    __atomic_store_n(&published, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&stop_readers, 0, __ATOMIC_RELEASE);
    int secs = 120;
    pthread_t wd = start_watchdog("shootdown generations", &secs);
    struct reader r[NREADERS];
    pthread_t t[NREADERS];
    for (unsigned i = 0; i < NREADERS; i++) {
        r[i] = (struct reader){.cpu = i + 1, .hop = i == NREADERS - 1};
        pthread_create(&t[i], NULL, reader, &r[i]);
    }
    struct cpu *self = writer_has_cpu ? machine_cpu(m, 0) : NULL;
    if (self)
        cpu_attach(self);
    uint64_t v, self_stale = 0;
    for (uint64_t g = 1; g <= gens; g++) {
        paddr_t f = FRAMES + g * 4096;           /* a fresh frame: never reused */
        physmem_store(pm, f, 8, g);
        remap(V, f);
        /* alternate a one-page shootdown and a full one (> 33 pages) */
        if (g & 1)
            machine_shootdown(m, self, 0xf, 5, V, V + 4096);
        else
            machine_shootdown(m, self, 0xf, 5, V - 20 * 4096, V + 20 * 4096);
        __atomic_store_n(&published, g, __ATOMIC_RELEASE);
        if (self && (cpu_load(self, V, 8, &v) || v != g))
            self_stale++;
    }
    /* let readers see the last generation */
    usleep(20000);
    __atomic_store_n(&stop_readers, 1, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < NREADERS; i++)
        pthread_join(t[i], NULL);
    if (self)
        cpu_detach(self);
    stop_watchdog(wd);
    uint64_t loads = 0, stale = 0, faults = 0;
    bool saw_last = true;
    for (unsigned i = 0; i < NREADERS; i++) {
        loads += r[i].loads;
        stale += r[i].stale;
        faults += r[i].faults;
        saw_last &= r[i].maxseen == gens;
    }
    const char *who = writer_has_cpu ? "writer on CPU 0" : "writer driving no CPU";
    tap_diag("%s: %u generations, %llu reader loads", who, gens, (unsigned long long)loads);
    is_u64(stale, 0, "%s: no reader saw a generation older than one published before its load", who);
    is_u64(faults, 0, "%s: no reader faulted", who);
    is_u64(self_stale, 0, "%s: the writer's own CPU sees each new generation", who);
    ok(saw_last, "%s: every reader reached the last generation", who);
    struct cpu_stats st;
    machine_stats(m, &st);
    is_u64(st.v[CPU_STAT_SHOOTDOWNS_SENT], (uint64_t)gens * (writer_has_cpu ? NREADERS : NREADERS + 1),
           "%s: shootdowns-sent", who);
    machine_destroy(m);
}

/* The same check without shootdowns must fail: proof the test can see staleness. */
static void test_generations_detects_staleness(void)
{
    setup(2, "golden-cove");
    remap(V, FRAMES);
    physmem_store(pm, FRAMES, 8, 0);
    struct cpu *c = machine_cpu(m, 1);
    cpu_attach(c);
    uint64_t v, stale = 0;
    cpu_load(c, V, 8, &v);
    for (uint64_t g = 1; g <= 10; g++) {
        physmem_store(pm, FRAMES + g * 4096, 8, g);
        remap(V, FRAMES + g * 4096);
        if (cpu_load(c, V, 8, &v) == 0 && v < g)
            stale++;
    }
    cpu_detach(c);
    is_u64(stale, 10, "control: without shootdowns the reader sees stale generations");
    machine_destroy(m);
}

int main(void)
{
    test_basic();
    test_duel();
    test_owned_cpus();
    test_generations_detects_staleness();
    test_generations(true);
    test_generations(false);
    return tap_done();
}
