/* test_walk_cas.c — A/D updates are compare-and-swap, and a walk whose
 * CAS loses restarts (SDM vol. 3A 4.8: A/D are set with locked
 * read-modify-writes; the order is QEMU's walker's, docs/machine.md).
 *
 * First, forced: the walker's test hook (walk_set_cas_hook) changes the
 * entry just before the walk's compare-and-swap, so the swap fails for
 * certain. The walk must restart (walk-restarts, also through a CPU),
 * decide on the entry it reads then, and never set A or D on the value it
 * lost the race to: a leaf turned read-only faults a store for rights and
 * keeps no A/D; a leaf turned to another frame translates there; a
 * non-leaf entry changed in an ignored bit keeps the change. On every
 * format, 8- and 4-byte entries.
 *
 * Then, raced: a flipper thread swaps a leaf between X (read-write, frame
 * F1, A=D=0) and Y (read-only, frame F2, A=D=0) with atomic exchanges
 * while walker threads make write walks. Every walk must either translate
 * to F1 or fault for rights; and Y must never come back with A or D set,
 * nor be overwritten by an X with A/D: a walker that set the bits with a
 * blind OR or store after the entry changed would do exactly that. On x86
 * the flipper also clears A in a non-leaf entry, so the descent's CAS
 * races too. (Whether the threads overlap depends on the host; the forced
 * tests above do not.) */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "hw/walk.h"
#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (8ull << 20)
#define F1 0x400000ull
#define F2 0x500000ull

static struct physmem *pm;
static struct ptb b;
static vaddr_t va;
static uint64_t X, Y;
static int stop;                       /* atomic */

struct walker_out { uint64_t ok, denied, bad, restarts; };

static void *walker(void *arg)
{
    struct walker_out *o = arg;
    struct walk_env e = {.fmt = b.fmt, .root = b.root, .priv = VM_PRIV_USER, .maxphyaddr = 46,
                         .gbpages = true, .wp = true, .nxe = true, .adue = true};
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        struct walk_result r;
        struct vm_fault f;
        if (pt_walk(pm, &e, va + 0x18, VM_ACCESS_WRITE, &r, &f) == 0) {
            if (r.pa == F1 + 0x18 && r.dirty)
                o->ok++;
            else
                o->bad++;
        } else if (f.type == FAULT_PAGE && !f.not_present && !f.reserved && f.level == 0 &&
                   (b.fmt->arch == PT_ARCH_RISCV ? f.cause == 15 : f.error_code == (PF_P | PF_W | PF_U))) {
            o->denied++;
        } else {
            o->bad++;
        }
        __atomic_store_n(&o->restarts, o->restarts + r.restarts, __ATOMIC_RELAXED);
    }
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static void run(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    ptb_init(&b, pm, fmt, 0x100000, 0x300000);
    static const unsigned idx[] = {1, 2, 3, 4, 5};
    va = tm_va(fmt, idx, 0);
    unsigned user = VM_PROT_USER;
    paddr_t leaf = ptb_map(&b, va, F1, 0, VM_PROT_READ | VM_PROT_WRITE | user, 0);
    X = pte_load_as(fmt, pm, leaf);
    Y = fmt->make_leaf(0, F2, VM_PROT_READ | user, false, false, 0);
    paddr_t nonleaf = ptb_entry(&b, va, 1);
    uint64_t AD = fmt->a_bit | fmt->d_bit;

    __atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
    enum { NW = 2 };
    pthread_t th[NW];
    struct walker_out out[NW];
    memset(out, 0, sizeof out);
    for (int i = 0; i < NW; i++)
        pthread_create(&th[i], NULL, walker, &out[i]);

    uint64_t flips = 0, y_dirtied = 0, x_clobbered = 0, restarts = 0;
    double t0 = now(), limit = tm_san() ? 10.0 : 5.0;
    for (;;) {
        uint64_t old = pte_exchange_as(fmt, pm, leaf, Y);
        if ((old & ~AD) != X)
            x_clobbered++;                 /* X replaced by something else */
        for (volatile int spin = 0; spin < 200; spin++)
            ;
        old = pte_exchange_as(fmt, pm, leaf, X);
        if (old != Y)
            y_dirtied++;                   /* Y got A/D, or was overwritten */
        if (fmt->arch == PT_ARCH_X86)
            pte_clear_bits_as(fmt, pm, nonleaf, X86_PTE_A);
        flips++;
        if ((flips & 1023) == 0) {
            restarts = 0;
            for (int i = 0; i < NW; i++)
                restarts += __atomic_load_n(&out[i].restarts, __ATOMIC_RELAXED);
            double t = now() - t0;
            if ((restarts >= 20 && flips >= 20000) || t > limit)
                break;
        }
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    uint64_t okc = 0, denied = 0, bad = 0;
    restarts = 0;
    for (int i = 0; i < NW; i++) {
        pthread_join(th[i], NULL);
        okc += out[i].ok;
        denied += out[i].denied;
        bad += out[i].bad;
        restarts += out[i].restarts;
    }
    tap_diag("%s: %llu flips, %llu walks ok, %llu denied, %llu restarts", fmt->name,
             (unsigned long long)flips, (unsigned long long)okc, (unsigned long long)denied,
             (unsigned long long)restarts);
    is_u64(bad, 0, "%s: every walk translated to F1 or faulted for rights", fmt->name);
    is_u64(y_dirtied, 0, "%s: the read-only entry never got A/D (no blind OR/store)", fmt->name);
    is_u64(x_clobbered, 0, "%s: the writable entry only ever gained A/D", fmt->name);
    ok(okc > 0 && denied > 0, "%s: both outcomes seen", fmt->name);
}

/* ---- forced: the hook changes the entry just before the walk's CAS ---- */

struct inject {
    paddr_t at;              /* the entry to change (0: whatever the walk swaps first) */
    uint64_t value;          /* what to store there */
    unsigned calls, fired;   /* hook calls, and changes made (once) */
};

static void inject_hook(struct physmem *p, paddr_t pte_pa, unsigned level, void *arg)
{
    struct inject *in = arg;
    in->calls++;
    if (in->fired || (in->at && pte_pa != in->at))
        return;
    pte_store_as(b.fmt, p, pte_pa, in->value);
    in->fired++;
}

static struct walk_env forced_env(void)
{
    struct walk_env e = {.fmt = b.fmt, .root = b.root, .priv = VM_PRIV_USER, .maxphyaddr = 46,
                         .gbpages = true, .wp = true, .nxe = true, .adue = true, .pse = true};
    return e;
}

static void forced(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    unsigned user = VM_PROT_USER;
    uint64_t AD = fmt->a_bit | fmt->d_bit;
    static const unsigned idx[] = {1, 2, 3, 4, 5};
    struct walk_result r;
    struct vm_fault f;

    /* 1. the leaf becomes read-only between the read and the swap */
    ptb_init(&b, pm, fmt, 0x100000, 0x300000);
    va = tm_va(fmt, idx, 0);
    paddr_t leaf = ptb_map(&b, va, F1, 0, VM_PROT_READ | VM_PROT_WRITE | user, 0);
    ptb_map(&b, va + 0x1000, F1, 0, VM_PROT_READ | user, 0);      /* tables exist: A set below */
    struct walk_env e = forced_env();
    if (fmt->arch == PT_ARCH_X86)
        pt_walk(pm, &e, va + 0x1000, VM_ACCESS_READ, &r, &f);      /* A in every non-leaf entry */
    uint64_t y = fmt->make_leaf(0, F2, VM_PROT_READ | user, false, false, 0);
    struct inject in = {.at = leaf, .value = y};
    walk_set_cas_hook(inject_hook, &in);
    int rc = pt_walk(pm, &e, va + 0x18, VM_ACCESS_WRITE, &r, &f);
    walk_set_cas_hook(NULL, NULL);
    ok(in.fired == 1 && r.restarts == 1, "%s: the leaf's CAS lost once: one restart (%u)", fmt->name,
       r.restarts);
    ok(rc == -1 && f.type == FAULT_PAGE && !f.not_present && f.level == 0 && f.access == VM_ACCESS_WRITE,
       "%s: the restarted walk sees the read-only entry: the store faults for rights", fmt->name);
    is_u64(pte_load_as(fmt, pm, leaf), y, "%s: the entry that won keeps no A or D", fmt->name);

    /* 2. the leaf moves to another frame: the restarted walk translates there */
    uint64_t x2 = fmt->make_leaf(0, F2, VM_PROT_READ | VM_PROT_WRITE | user, false, false, 0);
    pte_store_as(fmt, pm, leaf, fmt->make_leaf(0, F1, VM_PROT_READ | VM_PROT_WRITE | user, false, false, 0));
    in = (struct inject){.at = leaf, .value = x2};
    walk_set_cas_hook(inject_hook, &in);
    rc = pt_walk(pm, &e, va + 0x18, VM_ACCESS_WRITE, &r, &f);
    walk_set_cas_hook(NULL, NULL);
    ok(rc == 0 && r.restarts == 1 && r.pa == F2 + 0x18 && r.dirty,
       "%s: a leaf changed to frame F2: restart, then F2 translated and dirtied", fmt->name);
    is_u64(pte_load_as(fmt, pm, leaf), x2 | AD, "%s: A and D set on the new entry, not on the lost one", fmt->name);

    /* 3. x86: a non-leaf entry's descent CAS (A) lost to a change of an
     * ignored bit, which the walker must not undo */
    if (fmt->arch == PT_ARCH_X86) {
        paddr_t pde = ptb_entry(&b, va, 1);
        uint64_t old = pte_load_as(fmt, pm, pde) & ~X86_PTE_A, changed = old | (1ull << 10);
        pte_store_as(fmt, pm, pde, old);
        in = (struct inject){.at = pde, .value = changed};
        walk_set_cas_hook(inject_hook, &in);
        rc = pt_walk(pm, &e, va + 0x18, VM_ACCESS_READ, &r, &f);
        walk_set_cas_hook(NULL, NULL);
        ok(rc == 0 && r.restarts == 1 && r.pa == F2 + 0x18, "%s: the PDE's A CAS lost: one restart, then ok",
           fmt->name);
        is_u64(pte_load_as(fmt, pm, pde), changed | X86_PTE_A, "%s: the ignored bit kept, A set", fmt->name);
    }

    /* 4. through a CPU: walk-restarts counts the restart */
    struct machine *m = tm_machine_xlen(fmt->arch, fmt->xlen, 1, MEM, "l1d=8xfull,l1i=8xfull,l2=none,pwc=none");
    struct cpu *c = machine_cpu(m, 0);
    cpu_attach(c);
    struct physmem *saved = pm;
    pm = machine_physmem(m);
    ptb_init(&b, pm, fmt, 0x100000, 0x300000);
    leaf = ptb_map(&b, va, F1, 0, VM_PROT_READ | VM_PROT_WRITE | user, 0);
    tm_activate(c, &b, 1);
    cpu_set_priv(c, VM_PRIV_USER);
    in = (struct inject){.at = leaf, .value = fmt->make_leaf(0, F2, VM_PROT_READ | VM_PROT_WRITE | user,
                                                                false, false, 0)};
    walk_set_cas_hook(inject_hook, &in);
    rc = cpu_store(c, va + 0x20, 8, 0x77);
    walk_set_cas_hook(NULL, NULL);
    ok(rc == 0 && physmem_load(pm, F2 + 0x20, 8) == 0x77 && physmem_load(pm, F1 + 0x20, 8) == 0,
       "%s CPU: the store lands in the frame of the entry that won", fmt->name);
    is_u64(tm_stat(c, CPU_STAT_WALK_RESTARTS), 1, "%s CPU: walk-restarts 1", fmt->name);
    is_u64(tm_stat(c, CPU_STAT_WALKS), 1, "%s CPU: still one walk", fmt->name);
    pm = saved;
    cpu_detach(c);
    machine_destroy(m);
}

int main(void)
{
    char err[128];
    pm = physmem_create(MEM, err, sizeof err);
    static const enum pt_format_id ids[] = {PT_X86_64, PT_X86_64_5, PT_SV39, PT_SV48, PT_SV57,
                                            PT_IA32, PT_SV32};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        forced(ids[i]);
    run(PT_X86_64);
    run(PT_SV48);
    run(PT_IA32);
    physmem_destroy(pm);
    return tap_done();
}
