/* swpt.h — the kernel's side of a software-managed TLB: the refill
 * handler (swtlb.c) and the structures it refills from, one operations
 * table each (swpt_linear.c, swpt_hashed.c, swpt_inverted.c).
 *
 * On a machine with TLB_REFILL_SOFTWARE there is no hardware walker: a TLB
 * miss traps (FAULT_TLB_REFILL) and the kernel writes the entry itself, as
 * a MIPS kernel does. Where it finds the translation is the structure's
 * business:
 *   linear    the leaf level of the kernel's page tables seen as one linear
 *             array in kernel virtual memory (a MIPS/BSD linear page table):
 *             one read per refill, unless the table's own page is not in
 *             the TLB -- a linear-table miss, refilled from the upper
 *             levels, whose entry then competes with user pages for TLB
 *             space;
 *   hashed    a hashed page table of fixed size (PowerPC's HTAB): groups of
 *             8 entries, a primary and a secondary hash, an entry evicted
 *             when both groups are full; a miss reloads it from the page
 *             tables (as Linux's hash_page does);
 *   inverted  an inverted page table: one entry per user frame naming the
 *             (ASID, virtual page) it holds, found through a hash anchor
 *             table and a chain; a frame several pages map (fork's sharing,
 *             the page cache) names one of them at a time, and a refill for
 *             another re-points it (an alias switch).
 * The kernel's own radix page tables stay the truth for its bookkeeping
 * (present, rights, A/D: the refill sets A, a store sets D); the hashed and
 * inverted tables are caches of it that every invalidation (mmu.c's
 * shootdowns) keeps coherent. Probes -- entries the handler reads -- and
 * the memory each structure occupies are counted.
 *
 * Locking: the hashed and inverted tables are under sw->lock, a leaf (no
 * CPU is waited for while holding it). A refill reads the page tables
 * without a lock, so it inserts what it read only if no invalidation came
 * in between (sw->gen); the TLB entry it writes is safe either way: a
 * shootdown sent meanwhile waits for this CPU, which serves it (and drops
 * the entry) at its next access.
 */
#ifndef VMLAB_OS_SWPT_H
#define VMLAB_OS_SWPT_H

#include <pthread.h>

#include "os/kern.h"

/* One translation, as a structure holds it. */
struct swpt_xlat {
    paddr_t pa;            /* page base */
    paddr_t pte_pa;        /* the kernel's PTE for it (A/D are kept there) */
    unsigned shift;        /* page size: 12, or 21 for a huge page */
    unsigned prot;         /* VM_PROT_READ/WRITE/EXEC */
};

struct swpt;

struct swpt_ops {
    const char *name;
    int (*init)(struct swpt *s, struct kernel *k);
    void (*destroy)(struct swpt *s);
    /* Find va of p (current on cpu). true and *x, counting every entry
     * read in *probes. */
    bool (*lookup)(struct swpt *s, struct process *p, struct cpu *cpu, vaddr_t va,
                   struct swpt_xlat *x, uint64_t *probes);
    /* Remember x for va of p (sw->lock held). */
    void (*insert)(struct swpt *s, struct process *p, vaddr_t va, const struct swpt_xlat *x);
    /* Forget every translation of asid in [start, end) (sw->lock held). */
    void (*invalidate)(struct swpt *s, uint16_t asid, vaddr_t start, vaddr_t end);
    /* The memory it occupies, in bytes. */
    uint64_t (*bytes)(const struct swpt *s);
};

extern const struct swpt_ops swpt_linear_ops, swpt_hashed_ops, swpt_inverted_ops;

struct swpt {
    const struct swpt_ops *ops;
    struct kernel *k;
    pthread_mutex_t lock;
    uint64_t gen;          /* invalidations so far (atomic; changed under lock) */
    void *impl;            /* the structure's own state */
};

/* swtlb.c: the kernel's entry points. */
int swpt_create(struct kernel *k, char *err, size_t errlen);
void swpt_destroy(struct kernel *k);
/* A trap of a software-refill machine: FAULT_TLB_REFILL, FAULT_TLB_MODIFIED,
 * or a protection FAULT_PAGE (handled, then the stale entry dropped). */
enum fault_action swpt_trap(struct cpu *cpu, struct process *p, const struct vm_fault *f);
/* mmu.c's shootdowns: forget what the TLBs forget. asid_lock held. */
void swpt_invalidate(struct kernel *k, uint16_t asid, vaddr_t start, vaddr_t end);
/* The leaf of va in p's page tables, if present: the radix truth. Counts
 * the entries read. */
bool swpt_radix_lookup(struct process *p, vaddr_t va, struct swpt_xlat *x, uint64_t *probes);
/* A key for (asid, virtual page) and its hash, shared by the hashed and
 * inverted tables. */
static inline uint64_t swpt_key(uint16_t asid, vaddr_t va, unsigned shift)
{
    return (uint64_t)asid << 48 | (va >> shift) << 1 | (shift != 12);
}
static inline uint64_t swpt_hash(uint64_t key)
{
    key ^= key >> 31;
    key *= 0x9e3779b97f4a7c15ull;
    return key ^ (key >> 29);
}

#endif
