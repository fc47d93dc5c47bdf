/* cpu_exec.h — the machine's access paths for an instruction-set
 * interpreter (src/isa): the TLB-hit fast path inline, and a slow path that
 * returns the physical addresses it translated.
 *
 * cpu_exec_hit is exactly the hit fast path of cpu_load/cpu_store
 * (cpu.c's load() and cpu_store()): a live memo slot of the 4 KiB page, the
 * right checked, the access within the page, no shootdown pending, the L1
 * entry stamped as an L1 hit stamps it, `accesses` and the lookup counted.
 * It only returns the host address instead of moving the data, so the
 * interpreter can do the load, the store or the atomic itself. Whatever it
 * refuses goes to cpu_exec_translate, which is cpu.c's translate_span: the
 * same lookups, walks, faults and counts as the slow path of cpu_load /
 * cpu_store, and the physical addresses of both pages. The ISA's tests
 * (tests/test_isa_machine.c) replay a guest's accesses through
 * cpu_load/cpu_store/cpu_translate on a twin machine and compare every
 * counter, so the two paths cannot drift apart unnoticed.
 */
#ifndef VMLAB_HW_CPU_EXEC_H
#define VMLAB_HW_CPU_EXEC_H

#include "hw/cpu_impl.h"

/* Host address of the data at va if a load (write false) or store (write
 * true) of `size` bytes hits; NULL if it needs the slow path. On a hit the
 * access is done as far as the TLB and the counters go. */
static inline __attribute__((always_inline)) uint8_t *cpu_exec_hit(struct cpu *c, vaddr_t va,
                                                                    unsigned size, bool write)
{
    struct cpu_memo *mm =
        (struct cpu_memo *)((char *)c->dmemo + ((va >> (VM_PAGE_SHIFT - 6)) & ((MEMO_SLOTS - 1) << 6)));
    if (__builtin_expect(mm->vpage == va >> VM_PAGE_SHIFT && mm->gen == c->memo_gen &&
                             mm->u->seq == mm->seq && (write ? mm->write : mm->read) &&
                             (va & VM_PAGE_MASK) + size <= VM_PAGE_SIZE &&
                             !__atomic_load_n(&c->ipi_pending, __ATOMIC_RELAXED),
                         1)) {
        /* the stamp an L1 hit gives the entry (cpu.c memo_touch_fast) */
        if (c->tlb.repl == TLB_REPL_LRU) {
            uint32_t clock = mm->a->clock;
            if (__builtin_expect(clock >= TLB_CLOCK_LIMIT, 0))
                return NULL;
            mm->a->clock = clock + 1;
            mm->u->stamp = clock + 1;
        } else if (c->tlb.repl != TLB_REPL_RANDOM) {
            return NULL;                       /* tree-PLRU: the slow path touches */
        }
        stat_add(c, CPU_STAT_ACCESSES, 1);
        stat_add(c, write ? CPU_STAT_DTLB_STORES : CPU_STAT_DTLB_LOADS, 1);
        return mm->host + (va & VM_PAGE_MASK);
    }
    return NULL;
}

/* ---- the access cache ----
 *
 * An interpreter's own small tables in front of the memo, one for loads and
 * one for stores: each entry is a copy of a live memo slot (the page, the
 * host address, the L1 entry and its array), made while the slot was live.
 * It stays exact without the memo's per-access checks because nothing that
 * could make a slot stale -- a flush or control write (memo_gen), a TLB fill
 * that may have replaced the entry (tlb.seq), a shootdown -- happens except
 * inside a call into the machine, and after every such call cpu_xc_check
 * empties the tables if either number moved. A hit does what a memo hit
 * does: the LRU stamp (with random replacement, a stamp into a dummy entry
 * that nothing reads) and the counts, which are held in the structure until
 * cpu_xc_sync. So cpu_xc_sync must run before anything reads the counters
 * (the machine's own paths only add to them). Tree-PLRU replacement is not
 * cached (its touch is not a stamp); every access then takes the memo
 * path. The tag is the page's address: an access that is misaligned (so
 * that it might cross the page) misses and takes the memo path. */
#define CPU_XC_SLOTS 64
struct cpu_xc_entry {
    uint64_t tag;                      /* page base, or CPU_XC_NONE */
    uintptr_t addend;                  /* host address - va, for the page */
    struct tlb_use *u;
    struct tlb_array_state *a;
};
#define CPU_XC_NONE (~(uint64_t)0)
struct cpu_xcache {
    struct cpu_xc_entry rd[CPU_XC_SLOTS], wr[CPU_XC_SLOTS];
    uint32_t gen, seq;                 /* c->memo_gen and c->tlb.seq the entries belong to */
    uint64_t loads, stores;            /* hits not yet counted */
    struct tlb_use dummy_u;            /* random replacement: stamps land here */
    struct tlb_array_state dummy_a;
};

void cpu_xc_init(struct cpu *c, struct cpu_xcache *xc);
/* Add the held counts to the CPU's counters. */
void cpu_xc_sync(struct cpu *c, struct cpu_xcache *xc);
/* After a call into the machine: empty the tables if the CPU flushed or
 * filled since they were made. */
void cpu_xc_check(struct cpu *c, struct cpu_xcache *xc);
/* Copy va's memo slot (data side) into the tables if it is live. */
void cpu_xc_fill(struct cpu *c, struct cpu_xcache *xc, vaddr_t va);

/* A load (write false) or store of `size` bytes at va that hits the tables:
 * counted and stamped, its host address in *host. False: take the memo
 * path. */
static inline __attribute__((always_inline)) bool cpu_xc_hit(struct cpu_xcache *xc, vaddr_t va,
                                                              unsigned size, bool write, uint8_t **host)
{
    struct cpu_xc_entry *x = &(write ? xc->wr : xc->rd)[(va >> VM_PAGE_SHIFT) & (CPU_XC_SLOTS - 1)];
    if (__builtin_expect((va & (~(uint64_t)VM_PAGE_MASK | (size - 1))) != x->tag, 0))
        return false;
    struct tlb_array_state *a = x->a;
    uint32_t clock = a->clock;
    if (__builtin_expect(clock >= TLB_CLOCK_LIMIT, 0))
        return false;                          /* renumbering: the memo path does it */
    a->clock = clock + 1;
    x->u->stamp = clock + 1;
    if (write)
        xc->stores++;
    else
        xc->loads++;
    *host = (uint8_t *)(x->addend + va);
    return true;
}

/* The physical address behind a host address cpu_exec_hit returned. */
static inline paddr_t cpu_exec_pa(const struct cpu *c, const uint8_t *host)
{
    return (paddr_t)(host - c->membase);
}

/* One access of `size` bytes (1..8) at va: translate every page it touches
 * (at most two) before any byte moves, counting it as cpu_load/cpu_store/
 * cpu_fetch count theirs. 0 with pa[0] (va's physical address) and, if the
 * access crosses a page, pa[1] (the second page's first byte); -1 if a
 * translation failed (cpu_last_fault) or named no memory (FAULT_BUS in
 * cpu_last_fault). */
int cpu_exec_translate(struct cpu *c, vaddr_t va, unsigned size, enum vm_access acc, paddr_t pa[2]);

/* The CPU's flush generation: it changes whenever anything flushed the
 * CPU's TLB entries or wrote its control state, and at no other time. */
static inline uint32_t cpu_exec_flush_gen(const struct cpu *c)
{
    return c->memo_gen;
}

/* A shootdown is pending on c (cpu_poll serves it). */
static inline bool cpu_exec_ipi_pending(struct cpu *c)
{
    return __atomic_load_n(&c->ipi_pending, __ATOMIC_RELAXED) != 0;
}

static inline uint8_t *cpu_exec_membase(const struct cpu *c)
{
    return c->membase;
}

#endif
