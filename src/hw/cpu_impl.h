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

#include "hw/tlb_impl.h"
#include "hw/walk.h"

enum cpu_state { CPU_IDLE, CPU_RUNNING, CPU_REMOTE };

/* The last L1 hit of one side (data or instruction): repeated accesses to
 * the same 4 KiB granule take it without probing the arrays. It is exact:
 * the entry it stands for is the most recently used in its set, so a probe
 * would change no replacement state; any other probe on that side, any
 * flush and any control-register write clears it. */
struct cpu_memo {
    uint64_t vpage;          /* va >> 12; MEMO_NONE if empty */
    uint8_t *host;           /* host address of the physical 4 KiB granule */
    paddr_t pa;              /* its physical address */
    bool read, write;        /* rights checked: load (or fetch) / store allowed */
};
#define MEMO_NONE (~(uint64_t)0)

struct ipi_req {
    struct ipi_req *next;
    uint16_t asid;
    vaddr_t start, end;
    int *remaining;          /* the sender's count of targets not done yet */
};

struct cpu {
    /* hot: the access fast path */
    struct cpu_memo dmemo, imemo;
    unsigned ipi_pending;                  /* atomic */
    bool paging;
    uint16_t asid;
    struct walk_env env;
    uint8_t *membase;
    struct physmem *pm;
    struct tlb tlb;
    uint64_t stat[CPU_STAT_NR];            /* relaxed atomics, see above */

    struct machine *m;
    unsigned index;
    uint64_t cr0, cr3, cr4, efer, satp;
    struct vm_fault last_fault;
    void *user;

    int state;                             /* enum cpu_state, atomic */
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

static inline void memo_clear(struct cpu *c)
{
    c->dmemo.vpage = MEMO_NONE;
    c->imemo.vpage = MEMO_NONE;
}

/* Remove TLB entries matching flt and, if pwc_all/pwc_asid say so, page-walk
 * cache entries; counts the removed entries. */
void cpu_flush(struct cpu *c, const struct tlb_filter *flt, int pwc_mode, uint16_t pwc_asid);
enum { PWC_KEEP, PWC_ASID, PWC_ALL };
/* Drop page-walk-cache entries only: of `asid`, or of every ASID. */
void cpu_flush_pwc(struct cpu *c, bool all_asids, uint16_t asid);

/* Handle one shootdown request on CPU c (owner or REMOTE sender). */
void cpu_handle_ipi(struct cpu *c, const struct ipi_req *r);

#endif
