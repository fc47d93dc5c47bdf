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
 * it (threads without a CPU sleep on the lock's futex as before). There
 * is one heir at a time; the others wait their turn for the title.
 *
 * The lock itself is a futex word, not a pthread mutex: a COW fault takes
 * and drops kernel locks five times, and pthread_mutex_trylock and
 * pthread_mutex_unlock cost some 70 instructions a pair where the inline
 * compare-and-swap and exchange (kern.h) cost a handful.
 */
#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/kern.h"

#define KLOCK_HEIR_TRIES 256

void klock_init(struct klock *l)
{
    l->word = 0;
    l->heir = 0;
}

void klock_destroy(struct klock *l)
{
    (void)l;
}

void kwait_step(struct cpu *self)
{
    if (self)
        cpu_poll(self);
    sched_yield();
}

static bool klock_try(struct klock *l)
{
    uint32_t free_word = 0;
    return __atomic_compare_exchange_n(&l->word, &free_word, 1, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

/* A thread without a CPU has no shootdowns to serve: it marks the lock
 * contended (2) and sleeps until a release wakes it. */
static void klock_sleep(struct klock *l)
{
    while (__atomic_exchange_n(&l->word, 2, __ATOMIC_ACQUIRE) != 0)
        syscall(SYS_futex, &l->word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void klock_wake(struct klock *l)
{
    syscall(SYS_futex, &l->word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void klock_acquire_slow(struct klock *l, struct cpu *self)
{
    if (!self) {
        klock_sleep(l);
        return;
    }
    bool heir = false;
    for (unsigned tries = 0;; tries++) {
        uintptr_t h = __atomic_load_n(&l->heir, __ATOMIC_ACQUIRE);
        if ((h == 0 || heir) && klock_try(l))
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
