/* klock.c — the kernel's locks.
 *
 * A simulated CPU is a host thread. If it slept in pthread_mutex_lock while
 * the holder waited in machine_shootdown for that very CPU to acknowledge a
 * TLB shootdown, both would wait forever. A real CPU spinning on a lock
 * keeps taking IPIs; a klock waiter does the same: it tries the lock, and
 * between tries serves its CPU's pending shootdowns and yields.
 */
#include <sched.h>

#include "os/kern.h"

void klock_init(struct klock *l)
{
    pthread_mutex_init(&l->m, NULL);
}

void klock_destroy(struct klock *l)
{
    pthread_mutex_destroy(&l->m);
}

bool klock_try(struct klock *l)
{
    return pthread_mutex_trylock(&l->m) == 0;
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
    for (unsigned spins = 0; pthread_mutex_trylock(&l->m) != 0; spins++) {
        cpu_poll(self);
        if (spins > 16)
            sched_yield();
    }
}

void klock_release(struct klock *l)
{
    pthread_mutex_unlock(&l->m);
}
