/* frame.c — the frame table: every user-pool frame, who holds it, and
 * eviction when the pool runs dry (PintOS's frame table; Linux's reclaim in
 * miniature).
 *
 * Each frame has a struct frame (the reverse map: the page it holds, whose
 * page->proc and va lead to the one PTE mapping it) and a state word (busy,
 * listed, pin count, aging counter, ...). Resident frames sit on a ring list
 * whose order the policy (policy.c) keeps: insertion order, recency, or a
 * circle swept by the clock hand ("linux" uses a second ring for its active
 * list). A huge page is one entry: the head of 512 contiguous frames whose
 * 511 tails are marked and never listed.
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
 * (swap full even after taking back swap-cache slots, I/O error) gets its
 * PTE back and stays resident.
 *
 * A page-cache frame (pagecache.c: one frame shared by every shared file
 * mapping of one page of one file) has one PTE per mapper: the A-bit scans
 * look at all of them, and evict_cached clears and shoots down each, then
 * writes the page back once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
    ft->pool.external_lock = true;   /* under ft->lock */
    ft->nframes = n;
    ft->f = calloc(n ? n : 1, sizeof *ft->f);
    ft->state = calloc(n ? n : 1, sizeof *ft->state);
    if (!strcmp(pol->name, "opt"))
        ft->opt_next = calloc(n ? n : 1, sizeof *ft->opt_next);
    if (!ft->f || !ft->state || (!strcmp(pol->name, "opt") && !ft->opt_next) ||
        pc_init(&ft->pc) < 0) {
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
    free(ft->opt_next);
    ft->opt_next = NULL;
    pc_destroy(&ft->pc);
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

/* ---- accessed bits through the reverse map ---- */

/* A page-cache frame has one PTE per mapper (its entry's reverse map, stable
 * under the frame-table lock the callers hold); any other frame has one.
 * Like Linux's folio_referenced, a frame is young if any of them has A. */

static bool page_young(struct kernel *k, const struct page *pg)
{
    paddr_t pte = mmu_pte_lookup(pg->proc, page_va(pg), page_level(pg));
    return pte && (kpte_load(k, pte) & k->fmt->a_bit);
}

static bool page_test_clear_young(struct kernel *k, struct cpu *self, const struct page *pg,
                                  bool flush)
{
    struct process *q = pg->proc;
    vaddr_t va = page_va(pg);
    paddr_t pte = mmu_pte_lookup(q, va, page_level(pg));
    if (!pte || !(kpte_load(k, pte) & k->fmt->a_bit))
        return false;
    uint64_t old = kpte_clear_bits(k, pte, k->fmt->a_bit);
    if (!(old & k->fmt->a_bit))
        return false;
    /* Without the flush a CPU keeps using its cached translation (which was
     * filled with A set) and never sets A again: Linux's
     * ptep_clear_flush_young on x86 accepts that; textbook second chance
     * needs the flush. */
    if (flush)
        mmu_flush_range(q, self, va, va + page_size(pg));
    return true;
}

bool ft_young(struct kernel *k, uint32_t i)
{
    if (!frame_cached(&k->ft, i))
        return page_young(k, k->ft.f[i].page);
    const struct pc_entry *e = frame_entry(&k->ft, i);
    for (uint32_t j = 0; j < e->nmap; j++)
        if (page_young(k, e->map[j]))
            return true;
    return false;
}

bool ft_test_clear_young(struct kernel *k, struct cpu *self, uint32_t i, bool flush)
{
    if (!frame_cached(&k->ft, i))
        return page_test_clear_young(k, self, k->ft.f[i].page, flush);
    const struct pc_entry *e = frame_entry(&k->ft, i);
    bool young = false;
    for (uint32_t j = 0; j < e->nmap; j++)   /* every mapping's A is cleared */
        young |= page_test_clear_young(k, self, e->map[j], flush);
    return young;
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

/* Write a huge page out: 512 slots, all or none. */
static enum evict_result write_huge(struct kernel *k, struct process *q, const char *kva,
                                    struct huge_swap **out)
{
    struct huge_swap *hs = malloc(sizeof *hs);
    if (!hs)
        return EV_IO_ERROR;
    unsigned got = 0;
    enum evict_result res = EV_OK;
    for (; got < HPAGE_PAGES; got++) {
        int64_t s = swap_alloc(k->swap);
        if (s < 0) {
            res = EV_SWAP_FULL;
            break;
        }
        hs->slot[got] = (uint32_t)s;
    }
    for (unsigned j = 0; res == EV_OK && j < HPAGE_PAGES; j++) {
        if (swap_write(k->swap, hs->slot[j], kva + (uint64_t)j * VM_PAGE_SIZE) < 0) {
            count(q, VMSTAT_SWAP_WRITE_ERRORS, 1);
            res = EV_IO_ERROR;
        }
    }
    if (res != EV_OK) {
        for (unsigned j = 0; j < got; j++)
            swap_free(k->swap, hs->slot[j]);
        free(hs);
        return res;
    }
    count(q, VMSTAT_PSWPOUT, HPAGE_PAGES);
    *out = hs;
    return EV_OK;
}

/* Swap is full. A resident anonymous page that keeps a swap-cache slot
 * does not need it (its contents are in memory): take the slot back and
 * mark the page dirty, so that it is written again if evicted (Linux frees
 * swap cache the same way when swap runs low). Scans from where it left
 * off; true if a slot was freed. No lock held by the caller except its own
 * mm lock. */
static bool reclaim_swap_cache(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    for (uint64_t n = 0; n < ft->nframes; n++) {
        klock_acquire(&ft->lock, self);
        uint32_t i = ft->reclaim_at;
        ft->reclaim_at = (uint32_t)((i + 1) % ft->nframes);
        struct page *pg = ft->f[i].page;
        /* pinned pages qualify: the kernel is using them, which is no reason to
         * keep a second copy in swap */
        if (!(ft->state[i] & FS_LISTED) || (ft->state[i] & FS_RECLAIM) || !pg ||
            frame_cached(ft, i) || page_huge(pg) || page_kind(pg) != PAGE_ANON || !(page_flags(pg) & PG_SLOT)) {
            klock_release(&ft->lock);
            continue;
        }
        ft->state[i] |= FS_RECLAIM;   /* nobody evicts or frees it meanwhile */
        klock_release(&ft->lock);

        struct process *q = pg->proc;
        bool freed = false;
        uint32_t slot = 0;
        klock_acquire(&q->ptl, self);
        uint64_t fl = page_flags(pg);
        if ((fl & (PG_RESIDENT | PG_SLOT | PG_EVICTING)) == (PG_RESIDENT | PG_SLOT)) {
            slot = pg->u.r.slot;
            pg->u.r.slot = UINT32_MAX;
            page_clear(pg, PG_SLOT);
            page_set(pg, PG_DIRTY);
            freed = true;
        }
        klock_release(&q->ptl);
        if (freed) {
            swap_free(k->swap, slot);
            __atomic_fetch_sub(&q->slots, 1, __ATOMIC_RELAXED);
        }
        klock_acquire(&ft->lock, self);
        ft->state[i] &= ~FS_RECLAIM;
        ft->changes++;
        klock_release(&ft->lock);
        if (freed)
            return true;
    }
    return false;
}

static enum evict_result evict_frame(struct kernel *k, struct cpu *self, uint32_t i, struct page *pg)
{
    struct process *q = pg->proc;
    vaddr_t va = page_va(pg);
    bool huge = page_huge(pg);
    uint64_t npages = huge ? HPAGE_PAGES : 1;
    /* the frames of a huge page are contiguous in host memory too */
    char *kva = physmem_host(k->pm, frame_pa(&k->ft, i));

    klock_acquire(&q->ptl, self);
    page_set(pg, PG_EVICTING);
    uint64_t flags = page_flags(pg);
    enum page_kind kind = page_kind(pg);
    /* The VMA is written only with both the mm lock and the ptl held, so the
     * ptl is enough to read it. Pages without a VMA are anonymous. */
    struct vma *v = vma_find(&q->vmas, va);
    struct vma vcopy = v ? *v : (struct vma){0};
    paddr_t pte_pa = mmu_pte_lookup(q, va, page_level(pg));
    uint64_t old = kpte_exchange(k, pte_pa, 0);
    mmu_flush_range(q, self, va, va + page_size(pg));
    klock_release(&q->ptl);

    struct pte_info pi;
    k->fmt->decode(old, page_level(pg), &pi);
    bool dirty = pi.dirty || (flags & PG_DIRTY);
    bool had_slot = flags & PG_SLOT;
    uint32_t slot = pg->u.r.slot;
    struct huge_swap *hs = NULL;
    int rc = 0;
    enum evict_result res = EV_OK;
    bool to_swap = false, to_file = false;

    if (kind == PAGE_FILE && (vcopy.flags & VMA_SHARED))
        to_file = dirty;
    else
        to_swap = dirty;   /* anonymous, or a private file page written since load */

    if (huge) {
        if (to_swap)
            res = write_huge(k, q, kva, &hs);
        else
            count(q, VMSTAT_PGDROP_CLEAN, HPAGE_PAGES);
    } else {
        if (to_swap && !had_slot) {
            int64_t s = swap_alloc(k->swap);
            if (s < 0 && reclaim_swap_cache(k, self))
                s = swap_alloc(k->swap);
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
            rc = write_file_page(vcopy.fd, kva, file_page_bytes(&vcopy, va),
                                 vcopy.offset + (va - vcopy.start));
            if (rc < 0)
                res = EV_IO_ERROR;
            else
                count(q, VMSTAT_FILE_WRITEBACK, 1);
        } else if (res == EV_OK) {
            count(q, VMSTAT_PGDROP_CLEAN, 1);
        }
    }

    klock_acquire(&q->ptl, self);
    if (res != EV_OK) {
        /* keep the page: put the mapping back as it was (A, D and all) */
        kpte_store(k, pte_pa, old);
    } else {
        page_clear(pg, PG_RESIDENT);
        if (huge) {
            if (hs) {
                pg->u.hs = hs;
                page_set(pg, PG_SLOT);
                page_clear(pg, PG_DIRTY);
                stat_add(&q->slots, HPAGE_PAGES);
            } else {
                pg->u.r.frame = FRAME_NONE;
            }
        } else {
            pg->u.r.frame = FRAME_NONE;
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
        }
        __atomic_fetch_sub(&q->resident, npages, __ATOMIC_RELAXED);
        count(q, VMSTAT_PGSTEAL, npages);
    }
    page_clear(pg, PG_EVICTING);
    klock_release(&q->ptl);
    return res;
}

/* Evict page-cache frame i (busy; its entry's reverse map cannot change
 * while it is): the same five steps as evict_frame, for every mapper. Each
 * mapper's page is marked EVICTING and its PTE cleared and shot down under
 * that mapper's ptl; then the page is written back once if any PTE had D
 * (or the entry was dirty), through the first mapper's VMA (whose fd stays
 * open: its owner's unmap waits for EVICTING); then each mapper records
 * that it is no longer resident. The entry stays hashed until the caller
 * frees it, so a fault on the page waits rather than reading the file
 * before the write-back. */
__attribute__((noinline)) static enum evict_result evict_cached(struct kernel *k, struct cpu *self,
                                                                uint32_t i)
{
    struct pc_entry *e = frame_entry(&k->ft, i);
    uint32_t n = e->nmap;
    bool dirty = e->dirty;
    const char *kva = physmem_frame(k->pm, frame_pa(&k->ft, i));
    uint64_t *old = malloc((n ? n : 1) * sizeof *old);
    if (!old)
        return EV_IO_ERROR;
    struct vma vcopy = {0};
    struct process *wq = NULL;
    vaddr_t wva = 0;
    for (uint32_t j = 0; j < n; j++) {
        struct page *pg = e->map[j];
        struct process *q = pg->proc;
        vaddr_t va = page_va(pg);
        klock_acquire(&q->ptl, self);
        page_set(pg, PG_EVICTING);
        if (!wq) {
            struct vma *v = vma_find(&q->vmas, va);
            vcopy = *v;
            wq = q;
            wva = va;
        }
        old[j] = kpte_exchange(k, mmu_pte_lookup(q, va, 0), 0);
        mmu_flush_page(q, self, va);
        klock_release(&q->ptl);
        struct pte_info pi;
        k->fmt->decode(old[j], 0, &pi);
        dirty |= pi.dirty;
    }

    enum evict_result res = EV_OK;
    if (!wq) {
        kcount(k, VMSTAT_PGDROP_CLEAN, 1);   /* no mapper (cannot happen: listed frames have one) */
    } else if (dirty) {
        if (write_file_page(vcopy.fd, kva, file_page_bytes(&vcopy, wva),
                            vcopy.offset + (wva - vcopy.start)) < 0)
            res = EV_IO_ERROR;
        else
            count(wq, VMSTAT_FILE_WRITEBACK, 1);
    } else {
        count(wq, VMSTAT_PGDROP_CLEAN, 1);
    }

    /* wq's pages are still EVICTING: it cannot exit yet (after the loop
     * below it may) */
    if (res == EV_OK && wq)
        count(wq, VMSTAT_PGSTEAL, 1);
    for (uint32_t j = 0; j < n; j++) {
        struct page *pg = e->map[j];
        struct process *q = pg->proc;
        klock_acquire(&q->ptl, self);
        if (res != EV_OK) {
            kpte_store(k, mmu_pte_lookup(q, page_va(pg), 0), old[j]);
        } else {
            page_clear(pg, PG_RESIDENT);
            pg->u.r.frame = FRAME_NONE;
            __atomic_fetch_sub(&q->resident, 1, __ATOMIC_RELAXED);
        }
        page_clear(pg, PG_EVICTING);
        klock_release(&q->ptl);
    }
    free(old);
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

/* Ask the host CPU to bring frame pfn's lines in for writing. A free frame
 * is cold (its last user exited long ago), and the fault that gets it
 * writes all 4 KiB at once (zeroing, or a swap or file read): 64
 * read-for-ownership misses, which then hold up that fault's next locked
 * instruction until every store has drained. frame_alloc prefetches the
 * frame the pool will hand out next, so those misses overlap the rest of
 * this fault and the accesses before the next one. Only a hint: whoever
 * gets the frame still writes all of it. */
static void prefetch_frame(struct kernel *k, uint64_t pfn)
{
    const char *h = physmem_frame(k->pm, pfn << VM_PAGE_SHIFT);
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
        uint32_t i = take_free_frame(ft);
        if (i != FRAME_NONE) {
            int64_t next = pool_peek(&ft->pool);
            klock_release(&ft->lock);
            if (next >= 0)
                prefetch_frame(k, (uint64_t)next);
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
        struct page *pg = ft->f[v].page;
        bool cached = frame_cached(ft, v);
        bool huge = !cached && page_huge(pg);
        klock_release(&ft->lock);

        enum evict_result r = cached ? evict_cached(k, self, v) : evict_frame(k, self, v, pg);

        klock_acquire(&ft->lock, self);
        if (r == EV_OK) {
            if (cached)
                pc_remove(ft, frame_entry(ft, v));
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

void frame_install(struct kernel *k, struct cpu *self, uint32_t i, struct page *pg)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    ft->f[i].page = pg;
    ft->state[i] &= ~(FS_BUSY | FS_AGE_MASK);
    ft->policy->insert(ft, i);
    ft->changes++;
    klock_release(&ft->lock);
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

uint32_t frame_lock_settled(struct process *p, struct cpu *self, struct page *pg, uint32_t wait_states)
{
    struct frame_table *ft = &p->k->ft;
    for (;;) {
        uint32_t i = page_settled_frame(p, self, pg);
        if (i == FRAME_NONE)
            return FRAME_NONE;
        klock_acquire(&ft->lock, self);
        if (ft_maps(ft, i, pg) && !(ft->state[i] & wait_states))
            return i;
        klock_release(&ft->lock);
        kwait_step(self);
    }
}

bool frame_claim_for_free(struct kernel *k, struct cpu *self, struct page *pg)
{
    struct frame_table *ft = &k->ft;
    uint32_t i = frame_lock_settled(pg->proc, self, pg, FS_BUSY | FS_RECLAIM);
    if (i == FRAME_NONE)
        return false;
    frame_take_locked(ft, i);
    klock_release(&ft->lock);
    return true;
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
