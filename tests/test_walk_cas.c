/* test_walk_cas.c — A/D updates are compare-and-swap, and a walk whose
 * CAS loses restarts (FACTS A §1.5, QEMU's recipe).
 *
 * A flipper thread swaps a leaf between X (read-write, frame F1, A=D=0)
 * and Y (read-only, frame F2, A=D=0) with atomic exchanges while walker
 * threads make write walks. Every walk must either translate to F1 or
 * fault for rights; and Y must never come back with A or D set, nor be
 * overwritten by an X with A/D: a walker that set the bits with a blind
 * OR or store after the entry changed would do exactly that. On x86 the
 * flipper also clears A in a non-leaf entry, so the descent's CAS races
 * too. With two or more host CPUs the race is lost often: restarts are
 * counted and reported (skipped if the host never let the threads overlap). */
#include <pthread.h>
#include <string.h>
#include <time.h>

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
    X = pte_load(pm, leaf);
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
        uint64_t old = pte_exchange(pm, leaf, Y);
        if ((old & ~AD) != X)
            x_clobbered++;                 /* X replaced by something else */
        for (volatile int spin = 0; spin < 200; spin++)
            ;
        old = pte_exchange(pm, leaf, X);
        if (old != Y)
            y_dirtied++;                   /* Y got A/D, or was overwritten */
        if (fmt->arch == PT_ARCH_X86)
            pte_clear_bits(pm, nonleaf, X86_PTE_A);
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
    /* Losing the race needs the threads to run at the same instant; on a
     * loaded host that may not happen within the time limit. */
    if (restarts > 0)
        ok(restarts > 0, "%s: lost compare-and-swaps restarted the walk", fmt->name);
    else
        tap_skip(1, "no compare-and-swap was lost in the time allowed (busy host)");
}

int main(void)
{
    char err[128];
    pm = physmem_create(MEM, err, sizeof err);
    run(PT_X86_64);
    run(PT_SV48);
    physmem_destroy(pm);
    return tap_done();
}
