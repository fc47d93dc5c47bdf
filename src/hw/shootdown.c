/* shootdown.c — cross-CPU TLB invalidation, modelled on IPIs.
 *
 * The sender queues one request per target CPU and raises the target's
 * pending flag, as an IPI would. A CPU driven by a thread handles its
 * queue at its next access (cpu_poll); a CPU that no thread drives cannot
 * take an interrupt, so the sender moves it to REMOTE and handles the
 * queue itself. The sender waits until every target has counted its
 * request done, handling its own queue meanwhile: two CPUs shooting each
 * other down each serve the other's request while waiting, so neither
 * waits forever.
 */
#include "hw/cpu_impl.h"

#include <sched.h>
#include <stdlib.h>

/* Linux's tlb_single_page_flush_ceiling: above this many pages a full
 * flush of the address space is cheaper than page-by-page. */
#define SINGLE_PAGE_FLUSH_CEILING 33

void cpu_handle_ipi(struct cpu *c, const struct ipi_req *r)
{
    /* pages touched by [start, end), however it is aligned */
    uint64_t pages = r->end > r->start
                         ? (VM_ALIGN_UP(r->end, VM_PAGE_SIZE) - VM_ALIGN_DOWN(r->start, VM_PAGE_SIZE)) >> VM_PAGE_SHIFT
                         : 0;
    if (r->end > r->start && pages <= SINGLE_PAGE_FLUSH_CEILING) {
        for (vaddr_t va = VM_ALIGN_DOWN(r->start, VM_PAGE_SIZE); va < r->end; va += VM_PAGE_SIZE) {
            struct tlb_filter flt = {.by_va = true, .va = va, .by_asid = true, .asid = r->asid,
                                     .or_global = true};
            cpu_flush(c, &flt, PWC_KEEP, 0);
        }
        stat_add(c, CPU_STAT_SHOOTDOWN_PAGES, pages);
        cpu_flush_pwc(c, false, r->asid);         /* page-walk caches of the ASID */
    } else {
        /* the whole ASID, and globals: a CPU may always flush more */
        struct tlb_filter flt = {.by_asid = true, .asid = r->asid, .or_global = true};
        cpu_flush(c, &flt, PWC_ASID, r->asid);
        stat_add(c, CPU_STAT_SHOOTDOWN_FULL, 1);
    }
}

/* Take the CPU's queue and handle it. Caller owns the CPU (RUNNING by this
 * thread, or REMOTE). */
static void drain(struct cpu *c)
{
    pthread_mutex_lock(&c->ipi_lock);
    struct ipi_req *q = c->ipi_queue;
    c->ipi_queue = NULL;
    __atomic_store_n(&c->ipi_pending, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&c->ipi_lock);
    while (q) {
        struct ipi_req *next = q->next;    /* read before the sender may reuse q */
        stat_add(c, CPU_STAT_SHOOTDOWNS_RECEIVED, 1);
        cpu_handle_ipi(c, q);
        __atomic_fetch_sub(q->remaining, 1, __ATOMIC_RELEASE);
        q = next;
    }
}

void cpu_poll(struct cpu *c)
{
    if (__atomic_load_n(&c->ipi_pending, __ATOMIC_ACQUIRE))
        drain(c);
}

/* A token naming the calling thread: the address of a thread-local. */
static _Thread_local char thread_token;
static uintptr_t my_token(void) { return (uintptr_t)&thread_token; }

/* Does the calling thread drive CPU c? (Only that thread can make the
 * answer true, so a relaxed load is enough.) */
static bool driven_by_me(const struct cpu *c)
{
    return __atomic_load_n(&c->owner, __ATOMIC_RELAXED) == my_token();
}

void cpu_attach(struct cpu *c)
{
    int idle = CPU_IDLE;
    while (!__atomic_compare_exchange_n(&c->state, &idle, CPU_RUNNING, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
        idle = CPU_IDLE;
        sched_yield();
    }
    __atomic_store_n(&c->owner, my_token(), __ATOMIC_RELAXED);
    cpu_poll(c);
}

void cpu_detach(struct cpu *c)
{
    cpu_poll(c);
    __atomic_store_n(&c->owner, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&c->state, CPU_IDLE, __ATOMIC_RELEASE);
}

/* Handle an idle target's queue in its place; false if it is driven. */
static bool serve_idle(struct cpu *t)
{
    int idle = CPU_IDLE;
    if (!__atomic_compare_exchange_n(&t->state, &idle, CPU_REMOTE, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        return false;
    drain(t);
    __atomic_store_n(&t->state, CPU_IDLE, __ATOMIC_RELEASE);
    return true;
}

/* An observed sender hears of the request before its own part is done:
 * which CPUs it asks, and which of them get a request (the others are the
 * ones this thread drives, and handles here). */
static void observe_shootdown(struct machine *m, struct cpu *self, cpumask_t targets,
                              uint16_t asid, vaddr_t start, vaddr_t end)
{
    struct vm_event ev = {.kind = VM_EV_SHOOTDOWN};
    ev.shootdown = (struct vm_ev_shootdown){.targets = targets, .asid = asid, .start = start,
                                            .end = end};
    uint64_t pages = end > start ? (VM_ALIGN_UP(end, VM_PAGE_SIZE) -
                                    VM_ALIGN_DOWN(start, VM_PAGE_SIZE)) >> VM_PAGE_SHIFT
                                 : 0;
    ev.shootdown.full = !(end > start && pages <= SINGLE_PAGE_FLUSH_CEILING);
    for (unsigned i = 0; i < m->ncpus; i++)
        if ((targets & ((cpumask_t)1 << i)) && m->cpu[i] != self && !driven_by_me(m->cpu[i]))
            ev.shootdown.sent |= (cpumask_t)1 << i;
    cpu_observe(self, &ev);
}

void machine_shootdown(struct machine *m, struct cpu *self, cpumask_t targets, uint16_t asid,
                       vaddr_t start, vaddr_t end)
{
    struct ipi_req req[VM_MAX_CPUS];
    int remaining = 0;
    cpumask_t others = 0;

    if (self && __builtin_expect(self->obs != NULL, 0))
        observe_shootdown(m, self, targets, asid, start, end);

    for (unsigned i = 0; i < m->ncpus; i++) {
        if (!(targets & ((cpumask_t)1 << i)))
            continue;
        struct cpu *t = m->cpu[i];
        /* The caller's own CPU, and any other CPU this thread drives (a
         * caller that passed self = NULL, or drives several): handled
         * here, since this thread will not poll them while it waits. */
        if (t == self || driven_by_me(t)) {
            struct ipi_req r = {.asid = asid, .start = start, .end = end};
            cpu_handle_ipi(t, &r);
            continue;
        }
        req[i] = (struct ipi_req){.asid = asid, .start = start, .end = end, .remaining = &remaining};
        __atomic_fetch_add(&remaining, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&t->ipi_lock);
        req[i].next = t->ipi_queue;
        t->ipi_queue = &req[i];
        __atomic_store_n(&t->ipi_pending, 1, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&t->ipi_lock);
        others |= (cpumask_t)1 << i;
    }
    if (!others)
        return;
    if (self)
        stat_add(self, CPU_STAT_SHOOTDOWNS_SENT, (uint64_t)__builtin_popcountll(others));
    else
        __atomic_fetch_add(&m->shootdowns_unattributed, (uint64_t)__builtin_popcountll(others),
                           __ATOMIC_RELAXED);

    while (__atomic_load_n(&remaining, __ATOMIC_ACQUIRE) > 0) {
        /* serve requests sent to every CPU this thread drives, so that
         * CPUs shooting each other down never wait for each other */
        for (unsigned i = 0; i < m->ncpus; i++) {
            struct cpu *t = m->cpu[i];
            if (t == self || driven_by_me(t))
                cpu_poll(t);
            else if ((others & ((cpumask_t)1 << i)) && __atomic_load_n(&t->ipi_pending, __ATOMIC_ACQUIRE))
                serve_idle(t);
        }
        if (__atomic_load_n(&remaining, __ATOMIC_ACQUIRE) > 0)
            sched_yield();
    }
}
