/* rmap.c — the reverse map: from a frame to every page (every PTE) that
 * maps it.
 *
 * Most frames are mapped by one page, and struct frame points at it. A
 * frame mapped by several pages has a struct rmap listing them: a frame
 * fork shared copy-on-write between parent and child (for as long as more
 * than one of them maps it), or a page-cache frame (pagecache.c), whose
 * rmap is also the cache's entry and stays while the page is cached.
 * rmaps come from a slab in the frame table, so sharing a frame at fork
 * costs no malloc.
 *
 * Everything here is under the frame-table lock; a busy frame's owner
 * (evicting or freeing it) reads its rmap without the lock, since nobody
 * changes the mappers of a busy frame.
 *
 * Leaving a frame (unmap, exit, exec) is the mmu_gather protocol in
 * miniature (frame_unmap_page, then after the batch's flush
 * rmap_unmap_finish or frame_free). For a shared frame: the mapper leaves the list and counts
 * itself in `releasing`, and the frame stays pinned until the mapper's PTE
 * flush is done, so no eviction and no reuse can happen while a CPU may
 * still hold the cleared translation. The one that leaves the frame with no
 * mapper and nothing releasing owns it and frees it.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"

_Static_assert(sizeof(struct rmap) == 64, "an rmap is one cache line");

#define RMAP_CHUNK 256

/* ---- the slab ---- */

struct rmap *rmap_alloc(struct frame_table *ft)
{
    if (!ft->rmap_free) {
        if (ft->rmap_nchunks == ft->rmap_cap) {
            unsigned cap = ft->rmap_cap ? ft->rmap_cap * 2 : 8;
            void **c = realloc(ft->rmap_chunks, cap * sizeof *c);
            if (!c)
                return NULL;
            ft->rmap_chunks = c;
            ft->rmap_cap = cap;
        }
        struct rmap *chunk = malloc(RMAP_CHUNK * sizeof *chunk);
        if (!chunk)
            return NULL;
        ft->rmap_chunks[ft->rmap_nchunks++] = chunk;
        for (unsigned i = 0; i < RMAP_CHUNK; i++) {
            chunk[i].hash_next = ft->rmap_free;
            ft->rmap_free = &chunk[i];
        }
    }
    struct rmap *rm = ft->rmap_free;
    ft->rmap_free = rm->hash_next;
    memset(rm, 0, sizeof *rm);
    rm->map = rm->inl;
    rm->cap = 4;
    rm->frame = FRAME_NONE;
    ft->rmaps++;
    return rm;
}

void rmap_release(struct frame_table *ft, struct rmap *rm)
{
    if (rm->map != rm->inl && rm->map != &rm->one)
        free(rm->map);
    rm->hash_next = ft->rmap_free;
    ft->rmap_free = rm;
    ft->rmaps--;
}

void rmap_destroy_all(struct frame_table *ft)
{
    for (unsigned i = 0; i < ft->rmap_nchunks; i++)
        free(ft->rmap_chunks[i]);
    free(ft->rmap_chunks);
    ft->rmap_chunks = NULL;
    ft->rmap_free = NULL;
    ft->rmap_nchunks = ft->rmap_cap = 0;
}

/* ---- mappers ---- */

static bool map_append(struct rmap *rm, struct page *pg)
{
    if (rm->n == rm->cap) {
        uint32_t cap = rm->cap * 2;
        struct page **m = malloc(cap * sizeof *m);
        if (!m)
            return false;
        memcpy(m, rm->map, rm->n * sizeof *m);
        if (rm->map != rm->inl && rm->map != &rm->one)
            free(rm->map);
        rm->map = m;
        rm->cap = cap;
    }
    rm->map[rm->n++] = pg;
    return true;
}

bool rmap_add(struct frame_table *ft, uint32_t i, struct page *pg)
{
    struct rmap *rm = frame_rmap(ft, i);
    if (!rm) {
        /* a second mapper: the frame gets a list, its first page goes in */
        if (!(rm = rmap_alloc(ft)))
            return false;
        rm->frame = i;
        rm->inl[0] = ft->f[i].page;
        rm->n = 1;
        if (!map_append(rm, pg)) {
            rmap_release(ft, rm);
            return false;
        }
        frame_set_rmap(ft, i, rm);
        return true;
    }
    return map_append(rm, pg);
}

/* A copy-on-write frame down to one mapping is a one-page frame again. */
static void rmap_collapse(struct frame_table *ft, uint32_t i, struct rmap *rm)
{
    if (rm->cached || rm->n != 1 || rm->releasing)
        return;
    ft->f[i].page = rm->map[0];
    rmap_release(ft, rm);
}

void rmap_unlink(struct rmap *rm, const struct page *pg)
{
    for (uint32_t j = 0; j < rm->n; j++)
        if (rm->map[j] == pg) {
            rm->map[j] = rm->map[--rm->n];
            return;
        }
}

bool rmap_leave(struct frame_table *ft, uint32_t i, struct page *pg)
{
    struct rmap *rm = frame_rmap(ft, i);
    if (!rm) {
        /* the others left meanwhile and the frame collapsed to pg alone */
        frame_take_locked(ft, i);
        ft->f[i].page = NULL;
        return true;
    }
    rmap_unlink(rm, pg);
    if (rm->n == 0 && rm->releasing == 0 && !rm->cached) {
        frame_take_locked(ft, i);
        ft->f[i].page = NULL;
        rmap_release(ft, rm);
        return true;
    }
    rmap_collapse(ft, i, rm);
    return false;
}

bool ft_maps(const struct frame_table *ft, uint32_t i, const struct page *pg)
{
    struct page *const *map;
    uint32_t n = frame_mappers(ft, i, &map);
    for (uint32_t j = 0; j < n; j++)
        if (map[j] == pg)
            return true;
    return false;
}

/* ---- accessed bits through the reverse map ---- */

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
    struct page *const *map;
    uint32_t n = frame_mappers(&k->ft, i, &map);
    for (uint32_t j = 0; j < n; j++)
        if (page_young(k, map[j]))
            return true;
    return false;
}

bool ft_test_clear_young(struct kernel *k, struct cpu *self, uint32_t i, bool flush)
{
    struct page *const *map;
    uint32_t n = frame_mappers(&k->ft, i, &map);
    bool young = false;
    for (uint32_t j = 0; j < n; j++)   /* every mapping's A is cleared */
        young |= page_test_clear_young(k, self, map[j], flush);
    return young;
}

/* ---- leaving a shared frame ---- */

bool frame_unmap_page(struct process *p, struct cpu *self, struct page *pg, uint32_t *frame,
                      bool *dirty, bool *rmapped)
{
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    uint32_t i = frame_lock_settled(p, self, pg, FS_BUSY | FS_RECLAIM);
    if (i == FRAME_NONE)
        return false;
    struct rmap *rm = frame_rmap(ft, i);
    *rmapped = rm != NULL;
    if (rm) {
        rmap_unlink(rm, pg);
        rm->releasing++;
        frame_pin_locked(ft, i);   /* until our PTE's flush: no eviction, no reuse */
    } else {
        frame_take_locked(ft, i);  /* ours to free after the flush */
    }
    klock_release(&ft->lock);

    klock_acquire(&p->ptl, self);
    paddr_t pte_pa = mmu_pte_lookup(p, page_va(pg), page_level(pg));
    uint64_t old = kpte_exchange(k, pte_pa, 0);
    pg->u.r.frame = FRAME_NONE;
    page_clear(pg, PG_RESIDENT);
    klock_release(&p->ptl);
    struct pte_info pi;
    k->fmt->decode(old, page_level(pg), &pi);
    __atomic_fetch_sub(&p->resident, page_npages(pg), __ATOMIC_RELAXED);
    *frame = i;
    *dirty = pi.dirty;
    return true;
}

bool rmap_unmap_finish(struct kernel *k, struct cpu *self, uint32_t i, bool dirty, bool *writeback)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    struct rmap *rm = frame_rmap(ft, i);
    rm->dirty |= dirty && rm->cached;
    rm->releasing--;
    frame_unpin_locked(ft, i);
    bool last = rm->n == 0 && rm->releasing == 0;
    if (last) {
        /* nobody maps it and nobody can evict it (it was pinned): ours */
        frame_take_locked(ft, i);
        *writeback = rm->dirty;
    } else {
        rmap_collapse(ft, i, rm);
    }
    klock_release(&ft->lock);
    return last;
}

void rmap_drop(struct kernel *k, struct cpu *self, uint32_t i, bool huge)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    struct rmap *rm = frame_rmap(ft, i);
    if (rm->cached)
        pc_remove(ft, rm);
    else
        rmap_release(ft, rm);
    ft->f[i].page = NULL;
    klock_release(&ft->lock);
    frame_free(k, self, i, huge);
}
