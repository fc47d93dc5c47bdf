/* klock.c — the kernel's locks.
 *
 * A simulated CPU is a host thread. If it slept in pthread_mutex_lock while
 * the holder waited in machine_shootdown for that very CPU to acknowledge a
 * TLB shootdown, both would wait forever. A real CPU spinning on a lock
 * keeps taking IPIs; a klock waiter does the same: it tries the lock, and
 * between tries serves its CPU's pending shootdowns and yields.
 *
 * Trying is not fair: a thread that releases the lock and takes it again
 * at once (a CPU faulting page after page) can keep it from a waiter for
 * as long as it likes, and on a busy host, where the waiter runs only now
 * and then, it does -- an unmap waiting behind a stream of faults waited
 * minutes. So a waiter that has tried KLOCK_HEIR_TRIES times makes itself
 * the lock's heir: until it has taken the lock, no other CPU thread tries
 * it (threads without a CPU block in pthread_mutex_lock as before). There
 * is one heir at a time; the others wait their turn for the title.
 */
#include <sched.h>
#include <stdint.h>

#include "os/kern.h"

#define KLOCK_HEIR_TRIES 256

void klock_init(struct klock *l)
{
    pthread_mutex_init(&l->m, NULL);
    l->heir = 0;
}

void klock_destroy(struct klock *l)
{
    pthread_mutex_destroy(&l->m);
}

void kwait_step(struct cpu *self)
{
    if (self)
        cpu_poll(self);
    sched_yield();
}

void klock_acquire(struct klock *l, struct cpu *self)
{
    if (!self) {
        pthread_mutex_lock(&l->m);
        return;
    }
    bool heir = false;
    for (unsigned tries = 0;; tries++) {
        uintptr_t h = __atomic_load_n(&l->heir, __ATOMIC_ACQUIRE);
        if ((h == 0 || heir) && pthread_mutex_trylock(&l->m) == 0)
            break;
        cpu_poll(self);
        if (tries > 16)
            sched_yield();
        if (!heir && h == 0 && tries >= KLOCK_HEIR_TRIES)
            heir = __atomic_compare_exchange_n(&l->heir, &h, (uintptr_t)self, false,
                                               __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    }
    if (heir)
        __atomic_store_n(&l->heir, 0, __ATOMIC_RELEASE);
}

void klock_release(struct klock *l)
{
    pthread_mutex_unlock(&l->m);
}
