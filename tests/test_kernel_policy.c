/* test_kernel_policy.c — eviction policies against independent models on
 * reference strings: textbook answers (FIFO 15, LRU 12, OPT 9 on the
 * classic string with 3 frames; Belady's anomaly: FIFO 9 faults with 3
 * frames, 10 with 4), then random strings for every model. */
#include "ktest.h"

#define BASE 0x10000000ull
#define MAXP 64

/* ---- models ---- */

enum model { M_FIFO, M_LRU, M_OPT, M_CLOCK, M_AGING, M_LINUX };

static unsigned model_linux(const unsigned *refs, size_t n, unsigned frames, unsigned *act, unsigned *deact);

static unsigned model_faults(enum model m, const unsigned *refs, size_t n, unsigned frames)
{
    if (m == M_LINUX) {
        unsigned a, d;
        return model_linux(refs, n, frames, &a, &d);
    }
    int slot_page[MAXP];            /* FIFO/LRU/OPT/AGING: list order; CLOCK: circle */
    unsigned ref[MAXP], age[MAXP];
    size_t used = 0, hand = 0;
    unsigned faults = 0;
    for (size_t t = 0; t < n; t++) {
        unsigned pg = refs[t];
        size_t at = used;
        for (size_t i = 0; i < used; i++)
            if (slot_page[i] == (int)pg)
                at = i;
        if (at < used) {   /* hit */
            ref[at] = 1;
            if (m == M_LRU) {   /* move to the recent end */
                int p = slot_page[at];
                unsigned r = ref[at], a = age[at];
                memmove(&slot_page[at], &slot_page[at + 1], (used - at - 1) * sizeof(int));
                memmove(&ref[at], &ref[at + 1], (used - at - 1) * sizeof(unsigned));
                memmove(&age[at], &age[at + 1], (used - at - 1) * sizeof(unsigned));
                slot_page[used - 1] = p;
                ref[used - 1] = r;
                age[used - 1] = a;
            }
            continue;
        }
        faults++;
        if (used < frames) {
            slot_page[used] = (int)pg;
            ref[used] = 1;
            age[used] = 0;
            used++;
            continue;
        }
        size_t victim = 0;
        if (m == M_CLOCK) {
            for (;;) {
                if (ref[hand]) {
                    ref[hand] = 0;
                    hand = (hand + 1) % used;
                    continue;
                }
                victim = hand;
                hand = (hand + 1) % used;
                break;
            }
            slot_page[victim] = (int)pg;
            ref[victim] = 1;
            continue;
        }
        if (m == M_OPT) {
            size_t best_next = 0;
            for (size_t i = 0; i < used; i++) {
                size_t nx = SIZE_MAX;
                for (size_t u = t + 1; u < n; u++)
                    if (refs[u] == (unsigned)slot_page[i]) {
                        nx = u;
                        break;
                    }
                if (i == 0 || nx > best_next) {
                    victim = i;
                    best_next = nx;
                }
                if (nx == SIZE_MAX)
                    break;
            }
        } else if (m == M_AGING) {
            unsigned best = UINT32_MAX;
            for (size_t i = 0; i < used; i++) {
                age[i] = (age[i] >> 1) | (ref[i] ? 0x80u : 0);
                ref[i] = 0;
                if (age[i] < best) {
                    best = age[i];
                    victim = i;
                }
            }
        }
        /* FIFO, LRU: victim 0. Remove it, append the new page. */
        memmove(&slot_page[victim], &slot_page[victim + 1], (used - victim - 1) * sizeof(int));
        memmove(&ref[victim], &ref[victim + 1], (used - victim - 1) * sizeof(unsigned));
        memmove(&age[victim], &age[victim + 1], (used - victim - 1) * sizeof(unsigned));
        slot_page[used - 1] = (int)pg;
        ref[used - 1] = 1;
        age[used - 1] = 0;
    }
    return faults;
}

/* Linux-like active/inactive lists (see policy.c), written independently. */
struct lnx_list {
    unsigned pg[MAXP];
    size_t n;
};

static void lnx_push(struct lnx_list *l, unsigned pg) { l->pg[l->n++] = pg; }
static unsigned lnx_pop(struct lnx_list *l)
{
    unsigned pg = l->pg[0];
    memmove(&l->pg[0], &l->pg[1], (l->n - 1) * sizeof l->pg[0]);
    l->n--;
    return pg;
}

static unsigned model_linux(const unsigned *refs, size_t n, unsigned frames, unsigned *act, unsigned *deact)
{
    struct lnx_list inact = {.n = 0}, active = {.n = 0};
    bool resident[MAXP] = {false}, abit[MAXP] = {false}, referenced[MAXP] = {false};
    unsigned faults = 0;
    *act = *deact = 0;
    for (size_t t = 0; t < n; t++) {
        unsigned pg = refs[t];
        if (resident[pg]) {
            abit[pg] = true;
            continue;
        }
        faults++;
        if (inact.n + active.n == frames) {
            while (inact.n < active.n) {
                unsigned a = lnx_pop(&active);
                abit[a] = false;
                referenced[a] = false;
                lnx_push(&inact, a);
                (*deact)++;
            }
            unsigned victim = UINT32_MAX;
            for (size_t k = 2 * inact.n + 1; k > 0 && inact.n; k--) {
                unsigned x = lnx_pop(&inact);
                if (!abit[x]) {
                    victim = x;
                    break;
                }
                abit[x] = false;
                if (referenced[x]) {
                    lnx_push(&active, x);
                    (*act)++;
                } else {
                    referenced[x] = true;
                    lnx_push(&inact, x);
                }
            }
            if (victim == UINT32_MAX)
                victim = lnx_pop(&active);
            resident[victim] = false;
            referenced[victim] = false;
        }
        resident[pg] = true;
        abit[pg] = true;
        referenced[pg] = false;
        lnx_push(&inact, pg);
    }
    return faults;
}

/* ---- the kernel on the same string ---- */

struct oracle {
    const unsigned *refs;
    size_t n, t;
};

static uint64_t next_use(void *arg, const struct process *p, vaddr_t page)
{
    (void)p;
    struct oracle *o = arg;
    unsigned pg = (unsigned)((page - BASE) / 4096);
    for (size_t u = o->t + 1; u < o->n; u++)
        if (o->refs[u] == pg)
            return u;
    return UINT64_MAX;
}

static uint64_t kernel_faults(const char *policy, const unsigned *refs, size_t n, unsigned frames,
                              bool report, bool writes)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, frames, 256, policy);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct oracle o = {refs, n, 0};
    kernel_set_oracle(t.k, next_use, &o);
    struct process *p = kernel_process_create(t.k, policy);
    kernel_map_anon(p, BASE, MAXP * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    bool good = true;
    for (size_t i = 0; i < n; i++) {
        o.t = i;
        vaddr_t va = BASE + refs[i] * 4096ull;
        if (writes && i % 3 == 0)
            good &= cpu_store(cpu, va + 8, 8, i) == 0;
        else
            good &= cpu_touch(cpu, va, 8, VM_ACCESS_READ) == 0;
        if (report)
            kernel_note_access(p, va);
    }
    if (!good)
        ok(0, "%s: an access failed: %s", policy, kernel_process_kill_message(p));
    uint64_t f = kt_pstat(p, VMSTAT_PGFAULT);
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    cpu_detach(cpu);
    kt_free(&t);
    return f;
}

static const unsigned textbook[] = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
static const unsigned belady[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
#define N(a) (sizeof a / sizeof a[0])

int main(void)
{
    /* the models themselves, against the textbook */
    is_u64(model_faults(M_FIFO, textbook, N(textbook), 3), 15, "model FIFO: 15");
    is_u64(model_faults(M_LRU, textbook, N(textbook), 3), 12, "model LRU: 12");
    is_u64(model_faults(M_OPT, textbook, N(textbook), 3), 9, "model OPT: 9");
    is_u64(model_faults(M_FIFO, belady, N(belady), 3), 9, "model Belady FIFO 3 frames: 9");
    is_u64(model_faults(M_FIFO, belady, N(belady), 4), 10, "model Belady FIFO 4 frames: 10");

    /* the kernel */
    is_u64(kernel_faults("fifo", textbook, N(textbook), 3, false, false), 15, "kernel FIFO: 15");
    is_u64(kernel_faults("lru", textbook, N(textbook), 3, true, false), 12, "kernel LRU (reported refs): 12");
    is_u64(kernel_faults("opt", textbook, N(textbook), 3, false, false), 9, "kernel OPT (oracle): 9");
    is_u64(kernel_faults("opt", textbook, N(textbook), 3, true, false), 9,
           "kernel OPT (oracle, answers cached from reported references): 9");
    is_u64(kernel_faults("clock", textbook, N(textbook), 3, false, false),
           model_faults(M_CLOCK, textbook, N(textbook), 3), "kernel clock = second-chance model (%u)",
           model_faults(M_CLOCK, textbook, N(textbook), 3));
    is_u64(kernel_faults("fifo", belady, N(belady), 3, false, false), 9, "kernel Belady FIFO 3 frames: 9");
    is_u64(kernel_faults("fifo", belady, N(belady), 4, false, false), 10, "kernel Belady FIFO 4 frames: 10");
    is_u64(kernel_faults("lru", belady, N(belady), 3, true, false), model_faults(M_LRU, belady, N(belady), 3),
           "kernel LRU on Belady's string, 3 frames");
    is_u64(kernel_faults("lru", belady, N(belady), 4, true, false), model_faults(M_LRU, belady, N(belady), 4),
           "kernel LRU on Belady's string, 4 frames (stack algorithm: no anomaly)");

    /* clock clears A with an invalidation; clock-noflush does not */
    {
        unsigned refs[400];
        uint64_t sd = 777;
        for (size_t i = 0; i < 400; i++)
            refs[i] = (unsigned)(kt_rng(&sd) % 12);
        uint64_t fl[2];
        const char *cp[2] = {"clock", "clock-noflush"};
        for (int c = 0; c < 2; c++) {
            struct kt t = kt_make(PT_ARCH_X86, 1, 6, 256, cp[c]);
            struct cpu *cpu = machine_cpu(t.m, 0);
            cpu_attach(cpu);
            struct process *p = kernel_process_create(t.k, cp[c]);
            kernel_map_anon(p, BASE, MAXP * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
            kernel_switch_to(cpu, p);
            for (size_t i = 0; i < 400; i++)
                cpu_touch(cpu, BASE + refs[i] * 4096ull, 8, VM_ACCESS_READ);
            fl[c] = kt_pstat(p, VMSTAT_NR_TLB_LOCAL_FLUSH_ONE);
            is_u64(kt_pstat(p, VMSTAT_PGSTEAL), kt_pstat(p, VMSTAT_PGFAULT) - 6, "%s: every fault past the first 6 evicts", cp[c]);
            kernel_switch_to(cpu, NULL);
            kernel_process_exit(p, cpu);
            cpu_detach(cpu);
            kt_free(&t);
        }
        ok(fl[0] > fl[1], "clock invalidates when it clears A (%llu local flushes), clock-noflush only "
           "on eviction (%llu)", (unsigned long long)fl[0], (unsigned long long)fl[1]);
    }

    /* random strings, with writes mixed in (dirty pages go to swap and back) */
    uint64_t seed = 12345;
    int rounds = kt_sanitized() ? 6 : 20;
    int bad[6] = {0};
    const char *names[] = {"fifo", "lru", "opt", "clock", "aging", "linux"};
    for (int r = 0; r < rounds; r++) {
        unsigned refs[300];
        unsigned npages = 4 + (unsigned)(kt_rng(&seed) % 12);
        unsigned frames = 2 + (unsigned)(kt_rng(&seed) % (npages - 2));
        size_t n = 100 + kt_rng(&seed) % 200;
        for (size_t i = 0; i < n; i++) {
            /* some locality: half the time reuse a recent page */
            if (i > 4 && kt_rng(&seed) % 2)
                refs[i] = refs[i - 1 - kt_rng(&seed) % 4];
            else
                refs[i] = (unsigned)(kt_rng(&seed) % npages);
        }
        for (int m = 0; m < 6; m++) {
            uint64_t want = model_faults((enum model)m, refs, n, frames);
            /* OPT with and without reports, on alternate rounds */
            bool report = m == M_LRU || (m == M_OPT && r % 3 == 0);
            uint64_t got = kernel_faults(names[m], refs, n, frames, report, r % 2);
            if (got != want) {
                bad[m]++;
                tap_diag("%s round %d: %u pages, %u frames: kernel %llu, model %llu", names[m], r,
                         npages, frames, (unsigned long long)got, (unsigned long long)want);
            }
        }
    }
    for (int m = 0; m < 6; m++)
        is_i64(bad[m], 0, "%s equals its model on %d random strings", names[m], rounds);

    /* linux: pgactivate/pgdeactivate as the model counts them */
    {
        unsigned refs[300];
        uint64_t sd = 4711;
        for (size_t i = 0; i < 300; i++)
            refs[i] = i > 3 && kt_rng(&sd) % 3 ? refs[i - 1 - kt_rng(&sd) % 3] : (unsigned)(kt_rng(&sd) % 14);
        unsigned act, deact;
        unsigned want = model_linux(refs, 300, 6, &act, &deact);
        struct kt t = kt_make(PT_ARCH_X86, 1, 6, 256, "linux");
        struct cpu *cpu = machine_cpu(t.m, 0);
        cpu_attach(cpu);
        struct process *p = kernel_process_create(t.k, "linux");
        kernel_map_anon(p, BASE, MAXP * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
        kernel_switch_to(cpu, p);
        for (size_t i = 0; i < 300; i++)
            cpu_touch(cpu, BASE + refs[i] * 4096ull, 8, VM_ACCESS_READ);
        is_u64(kt_pstat(p, VMSTAT_PGFAULT), want, "linux: faults as the model (%u)", want);
        is_u64(kt_stat(t.k, VMSTAT_PGACTIVATE), act, "linux: pgactivate as the model (%u)", act);
        is_u64(kt_stat(t.k, VMSTAT_PGDEACTIVATE), deact, "linux: pgdeactivate as the model (%u)", deact);
        ok(act > 0 && deact > 0, "both lists were used");
        kernel_switch_to(cpu, NULL);
        kernel_process_exit(p, cpu);
        cpu_detach(cpu);
        kt_free(&t);
    }

    /* OPT is optimal: never more faults than any other policy */
    {
        unsigned refs[200];
        for (size_t i = 0; i < 200; i++)
            refs[i] = (unsigned)(kt_rng(&seed) % 10);
        uint64_t opt = kernel_faults("opt", refs, 200, 4, false, false);
        bool okk = true;
        for (int m = 0; m < 6; m++)
            okk &= kernel_faults(names[m], refs, 200, 4, m == M_LRU, false) >= opt;
        okk &= kernel_faults("random", refs, 200, 4, false, false) >= opt;
        ok(okk, "OPT (%llu faults) is never beaten", (unsigned long long)opt);
    }
    return tap_done();
}
