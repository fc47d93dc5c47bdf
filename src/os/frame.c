/* frame.c — the frame table: every user-pool frame, who holds it, and
 * eviction when the pool runs dry (PintOS's frame table; Linux's reclaim in
 * miniature).
 *
 * Each frame has a struct frame (the reverse map: the page it holds, whose
 * page->proc and va lead to the one PTE mapping it) and a state word (busy,
 * listed, pin count, aging counter). Resident frames sit on one ring list
 * whose order the policy (policy.c) keeps: insertion order, recency, or a
 * circle swept by the clock hand.
 *
 * A frame is BUSY while exactly one thread works on it without the table
 * lock: being filled for a fault, being evicted, being freed. Busy frames
 * are never on the list, so no policy picks them.
 *
 * Eviction (evict_frame): under the victim owner's ptl, mark the page
 * EVICTING, clear its PTE and shoot down every CPU that may cache it; then,
 * with no lock held, write it out if it differs from its backing copy (swap
 * for anonymous and private file pages, the file for shared file pages) or
 * drop it if not; then, under the ptl again, record where the page now lives.
 * The owner, finding the page EVICTING, waits. A page that cannot be written
 * (swap full, I/O error) gets its PTE back and stays resident.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/kern.h"
#include "os/swap.h"

int frame_table_init(struct frame_table *ft, uint64_t base, uint64_t n, const struct policy *pol,
                     uint64_t seed)
{
    memset(ft, 0, sizeof *ft);
    if (n >= FRAME_NONE)
        return -EINVAL;
    if (pool_init(&ft->pool, base, n) < 0)
        return -ENOMEM;
    ft->nframes = n;
    ft->f = calloc(n ? n : 1, sizeof *ft->f);
    ft->state = calloc(n ? n : 1, sizeof *ft->state);
    if (!ft->f || !ft->state) {
        frame_table_destroy(ft);
        return -ENOMEM;
    }
    for (uint64_t i = 0; i < n; i++)
        ft->f[i].prev = ft->f[i].next = FRAME_NONE;
    ft->head = ft->hand = FRAME_NONE;
    ft->policy = pol;
    ft->rng = seed ? seed : 0x2545f4914f6cdd1dull;
    klock_init(&ft->lock);
    return 0;
}

void frame_table_destroy(struct frame_table *ft)
{
    free(ft->f);
    free(ft->state);
    if (ft->pool.bitmap) {
        pool_destroy(&ft->pool);
        klock_destroy(&ft->lock);
    }
    ft->f = NULL;
    ft->state = NULL;
}

/* ---- the ring ---- */

void ft_list_insert_before(struct frame_table *ft, uint32_t i, uint32_t pos)
{
    ft->state[i] |= FS_LISTED;
    ft->listed++;
    if (ft->head == FRAME_NONE) {
        ft->f[i].prev = ft->f[i].next = i;
        ft->head = i;
        if (ft->hand == FRAME_NONE)
            ft->hand = i;
        return;
    }
    if (pos == FRAME_NONE)
        pos = ft->head;
    uint32_t prev = ft->f[pos].prev;
    ft->f[i].prev = prev;
    ft->f[i].next = pos;
    ft->f[prev].next = i;
    ft->f[pos].prev = i;
}

/* Tail = just before head: the youngest / most recent position. */
void ft_list_insert_tail(struct frame_table *ft, uint32_t i)
{
    ft_list_insert_before(ft, i, ft->head);
}

void ft_list_remove(struct frame_table *ft, uint32_t i)
{
    uint32_t next = ft->f[i].next, prev = ft->f[i].prev;
    if (next == i) {
        ft->head = ft->hand = FRAME_NONE;
    } else {
        ft->f[prev].next = next;
        ft->f[next].prev = prev;
        if (ft->head == i)
            ft->head = next;
        if (ft->hand == i)
            ft->hand = next;
    }
    ft->f[i].prev = ft->f[i].next = FRAME_NONE;
    ft->state[i] &= ~FS_LISTED;
    ft->listed--;
}

/* ---- accessed bits through the reverse map ---- */

static paddr_t frame_pte(struct kernel *k, uint32_t i, struct process **q, vaddr_t *va)
{
    struct page *pg = k->ft.f[i].page;
    *q = pg->proc;
    *va = page_va(pg);
    return mmu_pte_lookup(*q, *va, 0);
}

bool ft_young(struct kernel *k, uint32_t i)
{
    struct process *q;
    vaddr_t va;
    paddr_t pte = frame_pte(k, i, &q, &va);
    return pte && (pte_load(k->pm, pte) & k->fmt->a_bit);
}

bool ft_test_clear_young(struct kernel *k, struct cpu *self, uint32_t i, bool flush)
{
    struct process *q;
    vaddr_t va;
    paddr_t pte = frame_pte(k, i, &q, &va);
    if (!pte || !(pte_load(k->pm, pte) & k->fmt->a_bit))
        return false;
    uint64_t old = pte_clear_bits(k->pm, pte, k->fmt->a_bit);
    if (!(old & k->fmt->a_bit))
        return false;
    /* Without the flush a CPU keeps using its cached translation (which was
     * filled with A set) and never sets A again: Linux's
     * ptep_clear_flush_young on x86 accepts that; textbook second chance
     * needs the flush. */
    if (flush)
        mmu_flush_page(q, self, va);
    return true;
}

/* ---- eviction ---- */

enum evict_result { EV_OK, EV_SWAP_FULL, EV_IO_ERROR };

static int write_file_page(int fd, const void *kva, uint64_t n, uint64_t off)
{
    const char *p = kva;
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (w == 0)
            return -EIO;
        p += w;
        n -= (uint64_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* The part of a shared file page that lies inside the file. */
static uint64_t file_page_bytes(const struct vma *v, vaddr_t va)
{
    uint64_t rel = va - v->start;
    if (rel >= v->file_bytes)
        return 0;
    uint64_t n = v->file_bytes - rel;
    return n < VM_PAGE_SIZE ? n : VM_PAGE_SIZE;
}

static enum evict_result evict_frame(struct kernel *k, struct cpu *self, uint32_t i, struct page *pg)
{
    struct process *q = pg->proc;
    vaddr_t va = page_va(pg);
    void *kva = physmem_frame(k->pm, frame_pa(&k->ft, i));

    klock_acquire(&q->ptl, self);
    page_set(pg, PG_EVICTING);
    uint64_t flags = page_flags(pg);
    enum page_kind kind = page_kind(pg);
    /* The VMA is written only with both the mm lock and the ptl held, so the
     * ptl is enough to read it. Pages without a VMA are anonymous. */
    struct vma *v = vma_find(&q->vmas, va);
    struct vma vcopy = v ? *v : (struct vma){0};
    paddr_t pte_pa = mmu_pte_lookup(q, va, 0);
    uint64_t old = pte_exchange(k->pm, pte_pa, 0);
    mmu_flush_page(q, self, va);
    klock_release(&q->ptl);

    struct pte_info pi;
    k->fmt->decode(old, 0, &pi);
    bool dirty = pi.dirty || (flags & PG_DIRTY);
    bool had_slot = flags & PG_SLOT;
    uint32_t slot = pg->u.r.slot;
    int rc = 0;
    enum evict_result res = EV_OK;
    bool to_swap = false, to_file = false;

    if (kind == PAGE_FILE && (vcopy.flags & VMA_SHARED))
        to_file = dirty;
    else
        to_swap = dirty;   /* anonymous, or a private file page written since load */

    if (to_swap && !had_slot) {
        int64_t s = swap_alloc(k->swap);
        if (s < 0)
            res = EV_SWAP_FULL;
        else
            slot = (uint32_t)s;
    }
    if (res == EV_OK && to_swap) {
        rc = swap_write(k->swap, slot, kva);
        if (rc < 0) {
            count(q, VMSTAT_SWAP_WRITE_ERRORS, 1);
            res = EV_IO_ERROR;
            if (!had_slot)
                swap_free(k->swap, slot);
        } else {
            count(q, VMSTAT_PSWPOUT, 1);
        }
    } else if (res == EV_OK && to_file) {
        rc = write_file_page(vcopy.fd, kva, file_page_bytes(&vcopy, va), vcopy.offset + (va - vcopy.start));
        if (rc < 0)
            res = EV_IO_ERROR;
        else
            count(q, VMSTAT_FILE_WRITEBACK, 1);
    } else if (res == EV_OK) {
        count(q, VMSTAT_PGDROP_CLEAN, 1);
    }

    klock_acquire(&q->ptl, self);
    if (res != EV_OK) {
        /* keep the page: put the mapping back as it was (A, D and all) */
        pte_store(k->pm, pte_pa, old);
    } else {
        pg->u.r.frame = FRAME_NONE;
        page_clear(pg, PG_RESIDENT);
        if (to_swap) {
            page_clear(pg, PG_DIRTY);
            if (!had_slot) {
                pg->u.r.slot = slot;
                page_set(pg, PG_SLOT);
                stat_add(&q->slots, 1);
            }
            if (kind == PAGE_FILE)
                page_set_kind(pg, PAGE_ANON);   /* a written private page lives in swap now */
        }
        __atomic_fetch_sub(&q->resident, 1, __ATOMIC_RELAXED);
        count(q, VMSTAT_PGSTEAL, 1);
    }
    page_clear(pg, PG_EVICTING);
    klock_release(&q->ptl);
    return res;
}

/* ---- allocation ---- */

static uint32_t take_free_frame(struct frame_table *ft)
{
    int64_t f = pool_alloc(&ft->pool);
    if (f < 0)
        return FRAME_NONE;
    uint32_t i = (uint32_t)((uint64_t)f - ft->pool.base);
    ft->state[i] = FS_BUSY;
    ft->f[i].page = NULL;
    return i;
}

uint32_t frame_alloc(struct kernel *k, struct cpu *self, enum frame_alloc_err *why)
{
    struct frame_table *ft = &k->ft;
    uint64_t failures = 0, waits = 0;
    bool swap_full = false;
    for (;;) {
        klock_acquire(&ft->lock, self);
        uint32_t i = take_free_frame(ft);
        if (i != FRAME_NONE) {
            klock_release(&ft->lock);
            return i;
        }
        uint32_t v = ft->listed > ft->pinned ? ft->policy->select(k, self) : FRAME_NONE;
        if (v == FRAME_NONE) {
            /* Nothing evictable now. Frames being filled or evicted by other
             * CPUs will become candidates; pinned ones may be unpinned. Wait a
             * while before declaring the process out of memory. */
            bool others_busy = ft->listed < ft->nframes;
            klock_release(&ft->lock);
            if (others_busy && ++waits < 100000) {
                kwait_step(self);
                continue;
            }
            *why = swap_full ? FA_SWAP_FULL : FA_NO_FRAME;
            return FRAME_NONE;
        }
        ft_list_remove(ft, v);
        ft->state[v] |= FS_BUSY;
        struct page *pg = ft->f[v].page;
        klock_release(&ft->lock);

        enum evict_result r = evict_frame(k, self, v, pg);

        klock_acquire(&ft->lock, self);
        if (r == EV_OK) {
            ft->f[v].page = NULL;
            ft->state[v] = FS_BUSY;
            klock_release(&ft->lock);
            return v;
        }
        ft->state[v] &= ~FS_BUSY;
        ft->policy->insert(ft, v);
        uint64_t candidates = ft->listed;
        klock_release(&ft->lock);
        if (r == EV_SWAP_FULL)
            swap_full = true;
        if (++failures > 2 * candidates + 2) {
            *why = swap_full ? FA_SWAP_FULL : FA_NO_FRAME;
            return FRAME_NONE;
        }
    }
}

void frame_install(struct kernel *k, struct cpu *self, uint32_t i, struct page *pg)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    ft->f[i].page = pg;
    ft->state[i] &= ~(FS_BUSY | FS_AGE_MASK);
    ft->policy->insert(ft, i);
    klock_release(&ft->lock);
}

bool frame_claim_for_free(struct kernel *k, struct cpu *self, struct page *pg)
{
    struct process *p = pg->proc;
    struct frame_table *ft = &k->ft;
    for (;;) {
        klock_acquire(&p->ptl, self);
        uint64_t fl = page_flags(pg);
        uint32_t i = pg->u.r.frame;
        klock_release(&p->ptl);
        if (fl & PG_EVICTING) {
            kwait_step(self);
            continue;
        }
        if (!(fl & PG_RESIDENT))
            return false;
        klock_acquire(&ft->lock, self);
        if (ft->f[i].page != pg || (ft->state[i] & FS_BUSY)) {
            klock_release(&ft->lock);
            kwait_step(self);
            continue;
        }
        if (ft->state[i] & FS_LISTED)
            ft_list_remove(ft, i);
        if (ft->state[i] & FS_PIN_MASK)
            ft->pinned--;
        ft->state[i] = FS_BUSY;
        klock_release(&ft->lock);
        return true;
    }
}

void frame_free(struct kernel *k, struct cpu *self, uint32_t i)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    ft->f[i].page = NULL;
    ft->state[i] = 0;
    pool_free(&ft->pool, ft->pool.base + i);
    klock_release(&ft->lock);
}
