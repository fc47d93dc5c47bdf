/* cpu_impl.h — the machine and CPU structures, shared by cpu.c,
 * cpu_ctl.c and shootdown.c.
 *
 * Locking. A CPU's state (TLBs, control registers, counters) belongs to
 * the thread driving it (state RUNNING). A shootdown sender may act on an
 * idle CPU only after moving it from IDLE to REMOTE with compare-and-swap;
 * attach waits until it is IDLE again. The request queue is protected by
 * ipi_lock. Counters are written only by the owner (or the REMOTE sender)
 * and read by anyone, with relaxed atomics.
 */
#ifndef VMLAB_HW_CPU_IMPL_H
#define VMLAB_HW_CPU_IMPL_H

#include <pthread.h>

#include <vmlab/machine.h>
#include <vmlab/observe.h>

#include "hw/tlb_impl.h"
#include "hw/walk.h"

enum cpu_state { CPU_IDLE, CPU_RUNNING, CPU_REMOTE };

/* The access memo: per side (data, instruction), a small direct-mapped
 * table of recent L1 hits, indexed by the 4 KiB page number, that lets a
 * repeated access skip the array probe. It stays exact:
 *  - a memo hit touches the L1 entry it stands for (tlb_touch), which is
 *    all a probe that hits would have changed;
 *  - a slot is valid only while the entry still holds the same fill
 *    (entry seq == slot seq) and no flush or control-state change has
 *    happened since it was made (slot gen == cpu memo_gen): every flush and
 *    every control write bumps memo_gen.
 * Only L1 entries are memoised, so L1-miss counts stay exact. */
#define MEMO_SLOTS 64
struct cpu_memo {
    uint64_t vpage;          /* va >> 12; MEMO_NONE if empty */
    uint8_t *host;           /* host address of the physical 4 KiB granule */
    struct tlb_use *u;       /* the L1 entry's use (tlb_impl.h), and where it lives */
    struct tlb_array_state *a;
    uint32_t seq, gen;
    bool read, write;        /* rights checked: load (or fetch) / store allowed */
    uint32_t set, way;
    paddr_t pa;              /* physical address of the granule */
} __attribute__((aligned(64)));
#define MEMO_NONE (~(uint64_t)0)

struct ipi_req {
    struct ipi_req *next;
    uint16_t asid;
    vaddr_t start, end;
    int *remaining;          /* the sender's count of targets not done yet */
};

struct cpu {
    /* hot: the access fast path */
    uint32_t memo_gen;                     /* see struct cpu_memo */
    unsigned ipi_pending;                  /* atomic */
    bool paging;
    uint16_t asid;
    struct walk_env env;
    uint8_t *membase;
    struct physmem *pm;
    struct tlb tlb;
    uint64_t stat[CPU_STAT_NR];            /* relaxed atomics, see above */
    struct cpu_memo dmemo[MEMO_SLOTS], imemo[MEMO_SLOTS];

    struct machine *m;
    unsigned index;
    unsigned fmt_sizes;                    /* TLB sizes of env.fmt's pages (tlb_format_sizes) */
    bool soft_refill;                      /* TLB_REFILL_SOFTWARE: misses trap, no walker */
    uint64_t cr0, cr3, cr4, efer, satp;
    struct vm_fault last_fault;
    void *user;
    const struct vm_observer *obs;         /* observe.h; NULL: none (then tlb.observed is false) */

    int state;                             /* enum cpu_state, atomic */
    uintptr_t owner;                       /* token of the driving thread (atomic), 0 if none */
    pthread_mutex_t ipi_lock;
    struct ipi_req *ipi_queue;
};

struct machine {
    struct machine_config cfg;
    struct physmem *pm;
    fault_handler_fn fault_fn;
    void *fault_arg;
    unsigned ncpus;
    uint64_t shootdowns_unattributed;      /* sent by threads driving no CPU (atomic) */
    struct cpu *cpu[VM_MAX_CPUS];
};

static inline void stat_add(struct cpu *c, enum cpu_stat s, uint64_t n)
{
    __atomic_store_n(&c->stat[s], __atomic_load_n(&c->stat[s], __ATOMIC_RELAXED) + n,
                     __ATOMIC_RELAXED);
}

/* Forget every memo slot (a flush or a control-state change). */
static inline void memo_clear(struct cpu *c)
{
    if (__builtin_expect(++c->memo_gen == 0, 0)) {
        /* the generation went round: old slots could match again */
        for (unsigned i = 0; i < MEMO_SLOTS; i++)
            c->dmemo[i].vpage = c->imemo[i].vpage = MEMO_NONE;
        c->memo_gen = 1;
    }
}

/* The format the CPU translates with from now on (x86: what CR4 and the
 * machine's width select; RISC-V: satp.MODE). */
static inline void cpu_set_format(struct cpu *c, const struct pt_format *fmt)
{
    c->env.fmt = fmt;
    c->fmt_sizes = tlb_format_sizes(fmt);
}

/* Remove TLB entries matching flt and, if pwc_all/pwc_asid say so, page-walk
 * cache entries; counts the removed entries. */
void cpu_flush(struct cpu *c, const struct tlb_filter *flt, int pwc_mode, uint16_t pwc_asid);
enum { PWC_KEEP, PWC_ASID, PWC_ALL };
/* Drop page-walk-cache entries only: of `asid`, or of every ASID. */
void cpu_flush_pwc(struct cpu *c, bool all_asids, uint16_t asid);

/* One page's worth of an access: one TLB lookup (counted), the walk and
 * the fault handler as needed; the caller counts the access (cpu.c). */
int translate_page(struct cpu *c, vaddr_t va, enum vm_access acc, paddr_t *pa);

/* Handle one shootdown request on CPU c (owner or REMOTE sender). */
void cpu_handle_ipi(struct cpu *c, const struct ipi_req *r);

#endif
