/* frame.c — the frame table: every user-pool frame, who holds it, and
 * allocation, evicting when the pool runs dry (PintOS's frame table;
 * Linux's reclaim in miniature).
 *
 * Each frame has a struct frame (its reverse map: the page it holds, or
 * the rmap of its several mappers, rmap.c) and a state word (busy, listed,
 * pin count, aging counter, ...). Resident frames sit on a ring list whose
 * order the policy (policy.c) keeps: insertion order, recency, or a circle
 * swept by the clock hand ("linux" uses a second ring for its active
 * list). A huge page is one entry: the head of 512 contiguous frames whose
 * 511 tails are marked and never listed.
 *
 * A frame is BUSY while exactly one thread works on it without the table
 * lock: being filled for a fault, being evicted (evict.c), being freed.
 * Busy frames are never on the list, so no policy picks them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "os/kern.h"

int frame_table_init(struct frame_table *ft, uint64_t base, uint64_t n, const struct policy *pol,
                     uint64_t seed)
{
    memset(ft, 0, sizeof *ft);
    if (n >= FRAME_NONE)
        return -EINVAL;
    if (pool_init(&ft->pool, base, n) < 0)
        return -ENOMEM;
    ft->pool.external_lock = true;   /* under ft->lock */
    ft->nframes = n;
    ft->f = calloc(n ? n : 1, sizeof *ft->f);
    ft->state = calloc(n ? n : 1, sizeof *ft->state);
    if (!ft->f || !ft->state || pc_init(&ft->pc) < 0) {
        frame_table_destroy(ft);
        return -ENOMEM;
    }
    for (uint64_t i = 0; i < n; i++)
        ft->f[i].prev = ft->f[i].next = FRAME_NONE;
    ft->head = ft->hand = ft->active_head = FRAME_NONE;
    ft->policy = pol;
    ft->rng = seed ? seed : 0x2545f4914f6cdd1dull;
    klock_init(&ft->lock);
    return 0;
}

void frame_table_destroy(struct frame_table *ft)
{
    free(ft->f);
    free(ft->state);
    pc_destroy(&ft->pc);
    rmap_destroy_all(ft);
    if (ft->pool.bitmap) {
        pool_destroy(&ft->pool);
        klock_destroy(&ft->lock);
    }
    ft->f = NULL;
    ft->state = NULL;
}

/* ---- the rings ---- */

/* Every listed frame is on one ring: the main one (ft->head), or, for the
 * "linux" policy's active pages (FS_ACTIVE), the active ring. */
static uint32_t *ring_of(struct frame_table *ft, uint32_t i)
{
    return (ft->state[i] & FS_ACTIVE) ? &ft->active_head : &ft->head;
}

void ft_list_insert_before(struct frame_table *ft, uint32_t i, uint32_t pos)
{
    uint32_t *head = ring_of(ft, i);
    ft->state[i] |= FS_LISTED;
    ft->listed++;
    if (ft->state[i] & FS_ACTIVE)
        ft->active++;
    if (*head == FRAME_NONE) {
        ft->f[i].prev = ft->f[i].next = i;
        *head = i;
        if (head == &ft->head && ft->hand == FRAME_NONE)
            ft->hand = i;
        return;
    }
    if (pos == FRAME_NONE)
        pos = *head;
    uint32_t prev = ft->f[pos].prev;
    ft->f[i].prev = prev;
    ft->f[i].next = pos;
    ft->f[prev].next = i;
    ft->f[pos].prev = i;
}

/* Tail = just before head: the youngest / most recent position. */
void ft_list_insert_tail(struct frame_table *ft, uint32_t i)
{
    ft_list_insert_before(ft, i, *ring_of(ft, i));
}

void ft_list_remove(struct frame_table *ft, uint32_t i)
{
    uint32_t *head = ring_of(ft, i);
    uint32_t next = ft->f[i].next, prev = ft->f[i].prev;
    if (next == i) {
        *head = FRAME_NONE;
        if (ft->hand == i)
            ft->hand = FRAME_NONE;
    } else {
        ft->f[prev].next = next;
        ft->f[next].prev = prev;
        if (*head == i)
            *head = next;
        if (ft->hand == i)
            ft->hand = next;
    }
    ft->f[i].prev = ft->f[i].next = FRAME_NONE;
    ft->state[i] &= ~FS_LISTED;
    ft->listed--;
    if (ft->state[i] & FS_ACTIVE)
        ft->active--;
}

/* ---- allocation ---- */

uint32_t frame_take_free_locked(struct frame_table *ft)
{
    int64_t f = pool_alloc(&ft->pool);
    if (f < 0)
        return FRAME_NONE;
    uint32_t i = (uint32_t)((uint64_t)f - ft->pool.base);
    ft->state[i] = FS_BUSY;
    ft->f[i].page = NULL;
    return i;
}

/* Ask the host CPU to bring frame pfn's lines in for writing. A free frame
 * is cold (its last user exited long ago), and the fault that gets it from
 * frame_alloc writes all 4 KiB at once (zeroing, or a swap or file read):
 * 64 read-for-ownership misses, which then hold up that fault's next
 * locked instruction until every store has drained. frame_alloc
 * prefetches the frame the pool will hand out next, so that those misses
 * overlap the rest of this fault and the accesses before the next one:
 * a zero-fill fault is 3-12% faster for it (timed against no prefetch in
 * one process, slice by slice). A COW copy's frame does not come through
 * here: there the 64 prefetches held the fill buffers the copy's own
 * reads needed (8-10% slower), and frame_copy asks for its lines itself.
 * Only a hint: whoever gets the frame still writes all of it. */
static void prefetch_frame(struct kernel *k, int64_t pfn)
{
    if (pfn < 0)
        return;
    const char *h = physmem_frame(k->pm, (uint64_t)pfn << VM_PAGE_SHIFT);
    for (unsigned off = 0; off < VM_PAGE_SIZE; off += 64)
        __builtin_prefetch(h + off, 1, 3);
}

/* How long frame_alloc waits, with nothing to evict, for a frame table in
 * which nothing changes before it gives up: long enough for any CPU to
 * finish a fill or an eviction however loaded the host, short enough that a
 * real deadlock (a thread whose own pins fill memory) ends in an OOM kill. */
#define FRAME_WAIT_STALL_NS 2000000000ull

struct frame_wait {
    uint64_t seen;       /* ft->changes when last looked at */
    uint64_t since;      /* when it last changed (monotonic ns), 0: not waiting yet */
    unsigned polls;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Has the frame table stood still (changes unchanged) for the stall limit? */
static bool frame_wait_stalled(struct frame_wait *w, uint64_t changes)
{
    if (!w->since || changes != w->seen) {
        w->seen = changes;
        w->since = now_ns();
        return false;
    }
    return ++w->polls % 64 == 0 && now_ns() - w->since > FRAME_WAIT_STALL_NS;
}

uint32_t frame_alloc(struct kernel *k, struct cpu *self, enum frame_alloc_err *why)
{
    struct frame_table *ft = &k->ft;
    uint64_t failures = 0;
    struct frame_wait w = {0};
    bool swap_full = false, io_error = false;
    for (;;) {
        klock_acquire(&ft->lock, self);
        uint32_t i = frame_take_free_locked(ft);
        if (i != FRAME_NONE) {
            int64_t next = pool_peek(&ft->pool);
            klock_release(&ft->lock);
            prefetch_frame(k, next);
            return i;
        }
        uint32_t v = ft->listed > ft->pinned ? ft->policy->select(k, self) : FRAME_NONE;
        if (v == FRAME_NONE) {
            /* Nothing evictable now: every listed frame is pinned (or its
             * swap slot is being reclaimed) and the rest are in flight
             * (filled, evicted or freed by other CPUs). Those finish and
             * pins are dropped, each in bounded time, so wait as long as
             * the frame table keeps changing -- on a busy host the other
             * CPUs' threads may not run for a while -- and declare this
             * process out of memory only once it has stood still for the
             * stall limit. */
            uint64_t changes = ft->changes;
            klock_release(&ft->lock);
            if (!frame_wait_stalled(&w, changes)) {
                kwait_step(self);
                continue;
            }
            *why = io_error ? FA_IO_ERROR : swap_full ? FA_SWAP_FULL : FA_NO_FRAME;
            return FRAME_NONE;
        }
        ft_list_remove(ft, v);
        ft->state[v] |= FS_BUSY;
        struct rmap *rm = frame_rmap(ft, v);
        bool huge = page_huge(rm ? rm->map[0] : ft->f[v].page);
        klock_release(&ft->lock);

        enum evict_result r = evict_frame(k, self, v);

        klock_acquire(&ft->lock, self);
        if (r == EV_OK) {
            if (rm && rm->cached)
                pc_remove(ft, rm);
            else if (rm)
                rmap_release(ft, rm);
            ft->f[v].page = NULL;
            ft->state[v] = FS_BUSY;
            if (huge) {   /* the caller wants one frame: the other 511 go back */
                for (uint32_t j = 1; j < HPAGE_PAGES; j++)
                    ft->state[v + j] = 0;
                ft->tails -= HPAGE_PAGES - 1;
                pool_free_contig(&ft->pool, ft->pool.base + v + 1, HPAGE_PAGES - 1);
            }
            klock_release(&ft->lock);
            return v;
        }
        ft->state[v] &= ~FS_BUSY;
        ft->policy->insert(ft, v);
        ft->changes++;
        uint64_t candidates = ft->listed;
        klock_release(&ft->lock);
        if (r == EV_SWAP_FULL)
            swap_full = true;
        if (r == EV_IO_ERROR)
            io_error = true;
        if (++failures > 2 * candidates + 2) {
            *why = io_error ? FA_IO_ERROR : swap_full ? FA_SWAP_FULL : FA_NO_FRAME;
            return FRAME_NONE;
        }
    }
}

enum kill_reason frame_alloc_kill(enum frame_alloc_err why)
{
    return why == FA_SWAP_FULL ? KILL_OOM_SWAP_FULL
         : why == FA_IO_ERROR  ? KILL_PAGEOUT_IO_ERROR : KILL_OOM_NO_FRAME;
}

uint32_t frame_alloc_huge(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    int64_t f = pool_alloc_contig(&ft->pool, HPAGE_PAGES, HPAGE_PAGES);
    uint32_t i = FRAME_NONE;
    if (f >= 0) {
        i = (uint32_t)((uint64_t)f - ft->pool.base);
        ft->state[i] = FS_BUSY;
        ft->f[i].page = NULL;
        for (uint32_t j = 1; j < HPAGE_PAGES; j++)
            ft->state[i + j] = FS_BUSY | FS_TAIL;
        ft->tails += HPAGE_PAGES - 1;
    }
    klock_release(&ft->lock);
    return i;
}

/* How far ahead of the copy frame_copy asks for the source: 8 lines
 * (measured 6 to 16 alike). */
#define COPY_AHEAD 512

void frame_copy_start(struct kernel *k, paddr_t src)
{
    const char *s = physmem_host(k->pm, src);
    for (unsigned off = 0; off < COPY_AHEAD; off += 64)
        __builtin_prefetch(s + off);
}

void frame_copy(struct kernel *k, paddr_t dst, paddr_t src, uint64_t len)
{
    char *d = physmem_host(k->pm, dst);
    const char *s = physmem_host(k->pm, src);
    for (uint64_t off = 0; off < len; off += 64) {
        if (off + COPY_AHEAD < len) {
            __builtin_prefetch(s + off + COPY_AHEAD);
            __builtin_prefetch(d + off + COPY_AHEAD, 1);
        }
        memcpy(d + off, s + off, 64);
    }
}

void frame_install_locked(struct frame_table *ft, uint32_t i, struct page *pg)
{
    ft->f[i].page = pg;
    ft->state[i] &= ~(FS_BUSY | FS_AGE_MASK);
    ft->policy->insert(ft, i);
    ft->changes++;
}

void frame_install(struct kernel *k, struct cpu *self, uint32_t i, struct page *pg)
{
    klock_acquire(&k->ft.lock, self);
    frame_install_locked(&k->ft, i, pg);
    klock_release(&k->ft.lock);
}

void frame_pin_locked(struct frame_table *ft, uint32_t i)
{
    if (!(ft->state[i] & FS_PIN_MASK))
        ft->pinned++;
    ft->state[i] += 1u << FS_PIN_SHIFT;
}

void frame_unpin_locked(struct frame_table *ft, uint32_t i)
{
    ft->state[i] -= 1u << FS_PIN_SHIFT;
    if (!(ft->state[i] & FS_PIN_MASK)) {
        ft->pinned--;
        ft->changes++;
    }
}

void frame_unpin(struct kernel *k, struct cpu *self, uint32_t i)
{
    klock_acquire(&k->ft.lock, self);
    frame_unpin_locked(&k->ft, i);
    klock_release(&k->ft.lock);
}

uint32_t page_settled_frame(struct process *p, struct cpu *self, struct page *pg)
{
    for (;;) {
        klock_acquire(&p->ptl, self);
        uint64_t fl = page_flags(pg);
        uint32_t i = pg->u.r.frame;
        klock_release(&p->ptl);
        if (!(fl & PG_EVICTING))
            return fl & PG_RESIDENT ? i : FRAME_NONE;
        kwait_step(self);
    }
}

uint32_t frame_lock_settled(struct process *p, struct cpu *self, struct page *pg, uint32_t seen,
                            uint32_t wait_states)
{
    struct frame_table *ft = &p->k->ft;
    for (uint32_t i = seen;; i = FRAME_NONE) {
        if (i == FRAME_NONE && (i = page_settled_frame(p, self, pg)) == FRAME_NONE)
            return FRAME_NONE;
        klock_acquire(&ft->lock, self);
        if (ft_maps(ft, i, pg) && !(ft->state[i] & wait_states))
            return i;
        klock_release(&ft->lock);
        kwait_step(self);
    }
}

uint32_t frame_pin_settled(struct process *p, struct cpu *self, struct page *pg)
{
    /* pinning during a swap-cache reclaim is fine: the frame stays */
    uint32_t i = frame_lock_settled(p, self, pg, FRAME_NONE, FS_BUSY);
    if (i != FRAME_NONE) {
        frame_pin_locked(&p->k->ft, i);
        klock_release(&p->k->ft.lock);
    }
    return i;
}

void frame_take_locked(struct frame_table *ft, uint32_t i)
{
    if (ft->state[i] & FS_LISTED)
        ft_list_remove(ft, i);
    if (ft->state[i] & FS_PIN_MASK)
        ft->pinned--;
    ft->state[i] = FS_BUSY;
}

void frame_free(struct kernel *k, struct cpu *self, uint32_t i, bool huge)
{
    struct frame_table *ft = &k->ft;
    uint32_t n = huge ? HPAGE_PAGES : 1;
    klock_acquire(&ft->lock, self);
    ft->f[i].page = NULL;
    for (uint32_t j = 0; j < n; j++)
        ft->state[i + j] = 0;
    if (huge)
        ft->tails -= HPAGE_PAGES - 1;
    pool_free_contig(&ft->pool, ft->pool.base + i, n);
    ft->changes++;
    klock_release(&ft->lock);
}
