/* test_kernel_swtlb.c — the kernel's refill handler for a software-managed
 * TLB and its three structures.
 *
 * 1. Twins: the same trace (the bzip course trace) replayed through the
 *    kernel on a hardware-walk machine and on a software-refill one of the
 *    same geometry, under memory pressure, with clock and fifo: with the
 *    hashed and inverted tables (whose own memory is not in the TLB) the
 *    refills equal the hardware's TLB misses, the TLB Modified traps its
 *    dirty re-walks, and the kernel's faults, evictions and swap traffic are
 *    the same; with the linear table the refills exceed them by what its
 *    own TLB entries displaced, and nothing else changes.
 * 2. The structures against simple models: a hashed table of two groups
 *    (collisions, the secondary group, a full table evicting round-robin
 *    the entry the model says), an inverted table (chains through the
 *    anchor table, a frame re-pointed to another mapping), invalidation by
 *    page and by address space, and the memory each occupies.
 * 3. Data through it all: fork, copy-on-write and exit on a software-refill
 *    machine, every value checked. */
#include <stdlib.h>

#include "ktest.h"
#include "os/swpt.h"
#include "lib/refs.h"

struct twin {
    struct machine *m;
    struct kernel *k;
    struct process *p;
    struct cpu *cpu;
};

static void twin_make(struct twin *t, const char *geometry, bool soft, int sw_pt, const char *policy)
{
    struct machine_config mc;
    char err[256];
    machine_config_default(&mc, PT_ARCH_X86);
    mc.mem_bytes = 64ull << 20;
    mc.maxphyaddr = 52;
    if (tlb_config_parse(&mc.tlb, geometry, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    mc.tlb_refill = soft ? TLB_REFILL_SOFTWARE : TLB_REFILL_HARDWARE;
    t->m = machine_create(&mc, err, sizeof err);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 256;
    kc.kernel_frames = 2048;
    kc.swap_bytes = 8192 * 4096ull;
    kc.policy = policy;
    kc.sw_pt = sw_pt;
    kc.user_top = 1ull << 47;
    t->k = t->m ? kernel_create(t->m, &kc, err, sizeof err) : NULL;
    if (!t->k) {
        fprintf(stderr, "twin: %s\n", err);
        exit(1);
    }
    t->p = kernel_process_create(t->k, "trace");
    kernel_map_anon(t->p, 0, 1ull << 47, VM_PROT_READ | VM_PROT_WRITE, KMAP_ALLOW_ZERO | KMAP_NOHUGE);
    t->cpu = machine_cpu(t->m, 0);
    cpu_attach(t->cpu);
    kernel_switch_to(t->cpu, t->p);
}

static void twin_free(struct twin *t)
{
    kernel_switch_to(t->cpu, NULL);
    kernel_process_exit(t->p, t->cpu);
    cpu_detach(t->cpu);
    kernel_destroy(t->k);
    machine_destroy(t->m);
}

static uint64_t cstat(struct cpu *c, enum cpu_stat s)
{
    struct cpu_stats st;
    cpu_stats(c, &st);
    return st.v[s];
}

static void compare(const struct cpu_ref *refs, size_t n, const char *geometry, const char *policy)
{
    static const char *const names[] = {"linear", "hashed", "inverted"};
    struct twin hw;
    twin_make(&hw, geometry, false, 0, policy);
    size_t done = cpu_touch_many(hw.cpu, refs, n);
    /* the misses that found no entry: the machine also counts a store's
     * re-walk to set D as a store miss */
    uint64_t rewalks = cstat(hw.cpu, CPU_STAT_TLB_DIRTY_REWALKS);
    uint64_t misses = cstat(hw.cpu, CPU_STAT_DTLB_LOAD_MISSES) + cstat(hw.cpu, CPU_STAT_DTLB_STORE_MISSES) +
                      cstat(hw.cpu, CPU_STAT_ITLB_LOAD_MISSES) - rewalks;
    struct vmstat hv;
    kernel_vmstat(hw.k, &hv);
    for (int sw = 0; sw < 3; sw++) {
        struct twin t;
        twin_make(&t, geometry, true, sw, policy);
        size_t d = cpu_touch_many(t.cpu, refs, n);
        struct vmstat v;
        kernel_vmstat(t.k, &v);
        uint64_t refills = cstat(t.cpu, CPU_STAT_REFILL_TRAPS);
        const char *tag = names[sw];
        ok(done == n && d == n, "%s/%s/%s: every access done (%zu, %zu)", tag, policy, geometry, done, d);
        if (sw == KERNEL_SW_PT_LINEAR) {
            ok(refills >= misses && refills - misses <= v.v[VMSTAT_SWPT_LINEAR_MISSES] * 2,
               "%s: refills %llu = the hardware's %llu misses and those its %llu table pages displaced", tag,
               (unsigned long long)refills, (unsigned long long)misses,
               (unsigned long long)v.v[VMSTAT_SWPT_LINEAR_MISSES]);
        } else {
            is_u64(refills, misses, "%s: refills equal the hardware's TLB misses", tag);
            is_u64(cstat(t.cpu, CPU_STAT_REFILL_MODIFIED_TRAPS), rewalks,
                   "%s: TLB Modified traps equal its dirty re-walks", tag);
            is_u64(v.v[VMSTAT_SWPT_REFILLS], refills, "%s: one kernel refill per trap", tag);
            is_u64(v.v[VMSTAT_PGFAULT], hv.v[VMSTAT_PGFAULT], "%s: the same page faults", tag);
        }
        bool same = v.v[VMSTAT_PGMAJFAULT] == hv.v[VMSTAT_PGMAJFAULT] &&
                    v.v[VMSTAT_PSWPOUT] == hv.v[VMSTAT_PSWPOUT] && v.v[VMSTAT_PSWPIN] == hv.v[VMSTAT_PSWPIN] &&
                    v.v[VMSTAT_PGSTEAL] == hv.v[VMSTAT_PGSTEAL];
        if (sw == KERNEL_SW_PT_LINEAR)
            ok(v.v[VMSTAT_PGMAJFAULT] + v.v[VMSTAT_PGMINFAULT] > 0, "%s: faults handled", tag);
        else
            ok(same, "%s: the same evictions and swap traffic (major %llu/%llu, out %llu/%llu)", tag,
               (unsigned long long)v.v[VMSTAT_PGMAJFAULT], (unsigned long long)hv.v[VMSTAT_PGMAJFAULT],
               (unsigned long long)v.v[VMSTAT_PSWPOUT], (unsigned long long)hv.v[VMSTAT_PSWPOUT]);
        ok(v.v[VMSTAT_SWPT_PROBES] >= refills, "%s: %.2f probes per refill", tag,
           refills ? (double)v.v[VMSTAT_SWPT_PROBES] / (double)refills : 0.0);
        ok(v.v[VMSTAT_SWPT_BYTES] > 0, "%s: occupies %llu bytes", tag, (unsigned long long)v.v[VMSTAT_SWPT_BYTES]);
        twin_free(&t);
    }
    twin_free(&hw);
}

static void test_twins(void)
{
    size_t n;
    struct cpu_ref *refs = refs_load("examples/traces/bzip.trace.gz", kt_sanitized() ? 100000 : 0, &n);
    if (!refs)
        return;
    compare(refs, n, "l1d=16x4,l1i=16x4,l2=64x4,pwc=none", "clock");
    compare(refs, n, "l1d=8xfull,l1i=8xfull,l2=128x8,pwc=none,repl=random,seed=3", "fifo");
    free(refs);
}

/* ---- the structures against models ---- */

static struct kt make_soft(int sw_pt, uint64_t frames, uint64_t entries)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = frames;
    kc.sw_pt = sw_pt;
    kc.sw_pt_entries = entries;
    struct machine_config mc;
    char err[256];
    machine_config_default(&mc, PT_ARCH_X86);
    mc.mem_bytes = 64ull << 20;
    tlb_config_parse(&mc.tlb, "l1d=8xfull,l1i=8xfull,l2=32x4,pwc=none", err, sizeof err);
    mc.tlb_refill = TLB_REFILL_SOFTWARE;
    struct kt t;
    t.m = machine_create(&mc, err, sizeof err);
    t.k = kernel_create(t.m, &kc, err, sizeof err);
    if (!t.k) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    return t;
}

static void test_hashed_model(void)
{
    struct kt t = make_soft(KERNEL_SW_PT_HASHED, 64, 16);   /* two groups of eight */
    struct swpt *s = t.k->swpt;
    struct process *p = kernel_process_create(t.k, "h");
    p->asid = 7;
    /* 40 pages into 16 entries: the model keeps, per key, what the table must
     * hold after round-robin evictions from the primary group */
    enum { N = 40 };
    uint64_t model_key[16] = {0};
    unsigned victim[2] = {0, 0};
    pthread_mutex_lock(&s->lock);
    for (unsigned i = 0; i < N; i++) {
        vaddr_t va = 0x100000 + i * 4096ull;
        struct swpt_xlat x = {.pa = 0x800000 + i * 4096ull, .shift = 12, .prot = VM_PROT_READ};
        uint64_t key = swpt_key(7, va, 12), h = swpt_hash(key);
        unsigned g1 = (unsigned)(h & 1), g2 = (unsigned)(~h & 1);
        int slot = -1;
        for (unsigned j = 0; slot < 0 && j < 8; j++)
            if (!model_key[g1 * 8 + j])
                slot = (int)(g1 * 8 + j);
        for (unsigned j = 0; slot < 0 && j < 8; j++)
            if (!model_key[g2 * 8 + j])
                slot = (int)(g2 * 8 + j);
        if (slot < 0) {
            slot = (int)(g1 * 8 + victim[g1]);
            victim[g1] = (victim[g1] + 1) % 8;
        }
        model_key[slot] = key + 1;
        s->ops->insert(s, p, va, &x);
    }
    pthread_mutex_unlock(&s->lock);
    bool agree = true;
    unsigned present = 0;
    for (unsigned i = 0; i < N; i++) {
        vaddr_t va = 0x100000 + i * 4096ull;
        uint64_t key = swpt_key(7, va, 12) + 1, probes = 0;
        bool want = false;
        for (unsigned j = 0; j < 16; j++)
            want |= model_key[j] == key;
        struct swpt_xlat x;
        bool got = s->ops->lookup(s, p, NULL, va, &x, &probes);
        agree &= got == want && (!got || x.pa == 0x800000 + i * 4096ull) && probes >= 1 && probes <= 16;
        present += got;
    }
    ok(agree, "hashed: after 40 inserts into 16 entries, exactly the model's 16 are found");
    is_u64(present, 16, "a full table holds 16");
    is_u64(kt_pstat(p, VMSTAT_SWPT_EVICTIONS), N - 16, "24 evictions");
    pthread_mutex_lock(&s->lock);
    s->ops->invalidate(s, 7, 0, ~(vaddr_t)0);
    pthread_mutex_unlock(&s->lock);
    present = 0;
    for (unsigned i = 0; i < N; i++) {
        uint64_t probes = 0;
        struct swpt_xlat x;
        present += s->ops->lookup(s, p, NULL, 0x100000 + i * 4096ull, &x, &probes);
    }
    is_u64(present, 0, "an address space's invalidation empties it");
    is_u64(s->ops->bytes(s), 16 * 16, "16 entries of 16 bytes");
    p->asid = 0;
    kernel_process_exit(p, NULL);
    kt_free(&t);
}

static void test_inverted_model(void)
{
    struct kt t = make_soft(KERNEL_SW_PT_INVERTED, 32, 0);
    struct swpt *s = t.k->swpt;
    struct process *p = kernel_process_create(t.k, "i"), *q = kernel_process_create(t.k, "j");
    p->asid = 3;
    q->asid = 4;
    paddr_t base = (t.k->ft.pool.base) << 12;
    pthread_mutex_lock(&s->lock);
    for (unsigned i = 0; i < 32; i++) {
        struct swpt_xlat x = {.pa = base + i * 4096ull, .shift = 12, .prot = VM_PROT_READ};
        s->ops->insert(s, p, 0x400000 + i * 4096ull, &x);
    }
    pthread_mutex_unlock(&s->lock);
    bool all = true;
    uint64_t probes = 0;
    for (unsigned i = 0; i < 32; i++) {
        struct swpt_xlat x;
        all &= s->ops->lookup(s, p, NULL, 0x400000 + i * 4096ull, &x, &probes) && x.pa == base + i * 4096ull;
    }
    ok(all, "inverted: one entry per frame, each found through its chain");
    ok(probes >= 64 && probes < 64 + 32 * 4, "%llu probes for 32 lookups (anchor + chain)", (unsigned long long)probes);
    /* frame 5 mapped by q too: q's refill re-points it */
    struct swpt_xlat x5 = {.pa = base + 5 * 4096ull, .shift = 12, .prot = VM_PROT_READ};
    pthread_mutex_lock(&s->lock);
    s->ops->insert(s, q, 0x900000, &x5);
    pthread_mutex_unlock(&s->lock);
    struct swpt_xlat x;
    probes = 0;
    ok(s->ops->lookup(s, q, NULL, 0x900000, &x, &probes) && !s->ops->lookup(s, p, NULL, 0x405000, &x, &probes),
       "a frame names one mapping: q's now, not p's");
    is_u64(kt_pstat(q, VMSTAT_SWPT_ALIAS), 1, "one alias switch");
    pthread_mutex_lock(&s->lock);
    s->ops->invalidate(s, 3, 0x400000, 0x402000);   /* two pages of p */
    pthread_mutex_unlock(&s->lock);
    ok(!s->ops->lookup(s, p, NULL, 0x400000, &x, &probes) && !s->ops->lookup(s, p, NULL, 0x401000, &x, &probes) &&
           s->ops->lookup(s, p, NULL, 0x402000, &x, &probes),
       "invalidating two pages removes exactly those");
    ok(s->ops->bytes(s) == 32 * 16 + 32 * 4, "32 frames x 16 bytes + 32 anchors x 4");
    p->asid = q->asid = 0;
    kernel_process_exit(p, NULL);
    kernel_process_exit(q, NULL);
    kt_free(&t);
}

/* fork, COW and exit on a software-refill machine, every value checked */
static void test_data(int sw_pt)
{
    struct kt t = make_soft(sw_pt, 48, 0);
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    struct process *p = kernel_process_create(t.k, "parent");
    kernel_map_anon(p, 0x10000000, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(c, p);
    bool good = true;
    for (uint64_t i = 0; i < 64; i++)
        good &= cpu_store(c, 0x10000000 + i * 4096, 8, i + 1) == 0;
    kernel_switch_to(c, NULL);
    struct process *ch;
    good &= kernel_process_fork(p, "child", c, &ch) == 0;
    kernel_switch_to(c, ch);
    for (uint64_t i = 0; i < 64; i += 2)
        good &= cpu_store(c, 0x10000000 + i * 4096, 8, 1000 + i) == 0;
    for (uint64_t i = 0; i < 64; i++) {
        uint64_t v = 0;
        good &= cpu_load(c, 0x10000000 + i * 4096, 8, &v) == 0 && v == (i % 2 ? i + 1 : 1000 + i);
    }
    kernel_switch_to(c, p);
    for (uint64_t i = 0; i < 64; i++) {
        uint64_t v = 0;
        good &= cpu_load(c, 0x10000000 + i * 4096, 8, &v) == 0 && v == i + 1;
    }
    static const char *const names[] = {"linear", "hashed", "inverted"};
    ok(good, "%s: data through eviction, fork and copy-on-write", names[sw_pt]);
    uint64_t v;
    bool killed = cpu_load(c, 0x20000000, 8, &v) != 0 && kernel_process_kill_reason(p) == KILL_SEGV_UNMAPPED;
    ok(killed, "%s: an unmapped access still kills", names[sw_pt]);
    kernel_switch_to(c, NULL);
    kernel_process_exit(ch, c);
    kernel_process_exit(p, c);
    kt_no_leaks(t.k, names[sw_pt]);
    cpu_detach(c);
    kt_free(&t);
}

int main(void)
{
    test_hashed_model();
    test_inverted_model();
    for (int sw = 0; sw < 3; sw++)
        test_data(sw);
    test_twins();
    return tap_done();
}
