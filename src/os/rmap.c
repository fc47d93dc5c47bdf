/* rmap.c — the reverse map: from a frame to every page (every PTE) that
 * maps it.
 *
 * Most frames are mapped by one page, and struct frame points at it. A
 * frame mapped by several pages has a struct rmap listing them: a frame
 * fork shared copy-on-write between parent and child (for as long as more
 * than one of them maps it), or a page-cache frame (pagecache.c), whose
 * rmap is also the cache's entry and stays while the page is cached.
 * rmaps come from a slab in the frame table (below), so sharing a frame
 * at fork costs no malloc.
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

/* ---- the slab ----
 *
 * rmaps come from chunks of RMAP_CHUNK slots, each aligned to its size so
 * that an rmap finds its chunk by masking its address; slot 0 of a chunk
 * is the chunk's header, saying which slots are free. Allocation is first
 * fit, the lowest free slot of the lowest chunk that has one, as palloc
 * hands out frames, and not the usual LIFO free list. The reason is the
 * host's cache: fork takes one rmap per shared frame in the order it walks
 * the parent's pages, and the COW faults that follow, in address order
 * too, read them back. First fit gives those rmaps ascending addresses, a
 * stream the host's prefetcher follows. A LIFO list hands them out in the
 * order the last child released them, which after a few forks is a random
 * permutation: a cache miss to DRAM on every COW fault, a tenth of its
 * time. */

#define RMAP_CHUNK 256
#define RMAP_CHUNK_BYTES (RMAP_CHUNK * sizeof(struct rmap))

struct rmap_chunk_head {
    uint64_t free[RMAP_CHUNK / 64];   /* bit s set: slot s is free (never slot 0) */
    uint32_t nfree;
    uint32_t index;                   /* in ft->rmap_chunks */
};
_Static_assert(sizeof(struct rmap_chunk_head) <= sizeof(struct rmap), "a chunk's head fits its slot 0");

static struct rmap_chunk_head *chunk_head(void *chunk)
{
    return chunk;
}

static struct rmap_chunk_head *rmap_chunk_of(const struct rmap *rm)
{
    return chunk_head((void *)((uintptr_t)rm & ~(uintptr_t)(RMAP_CHUNK_BYTES - 1)));
}

/* A new chunk, every slot but the header free. */
static bool rmap_grow(struct frame_table *ft)
{
    if (ft->rmap_nchunks == ft->rmap_cap) {
        unsigned cap = ft->rmap_cap ? ft->rmap_cap * 2 : 8;
        void **c = realloc(ft->rmap_chunks, cap * sizeof *c);
        if (!c)
            return false;
        ft->rmap_chunks = c;
        ft->rmap_cap = cap;
    }
    void *chunk = aligned_alloc(RMAP_CHUNK_BYTES, RMAP_CHUNK_BYTES);
    if (!chunk)
        return false;
    struct rmap_chunk_head *h = chunk_head(chunk);
    memset(h->free, 0xff, sizeof h->free);
    h->free[0] &= ~1ull;
    h->nfree = RMAP_CHUNK - 1;
    h->index = ft->rmap_nchunks;
    ft->rmap_chunks[ft->rmap_nchunks++] = chunk;
    return true;
}

struct rmap *rmap_alloc(struct frame_table *ft)
{
    /* chunks below the hint are full */
    while (ft->rmap_hint < ft->rmap_nchunks && !chunk_head(ft->rmap_chunks[ft->rmap_hint])->nfree)
        ft->rmap_hint++;
    if (ft->rmap_hint == ft->rmap_nchunks && !rmap_grow(ft))
        return NULL;
    struct rmap *chunk = ft->rmap_chunks[ft->rmap_hint];
    struct rmap_chunk_head *h = chunk_head(chunk);
    unsigned w = 0;
    while (!h->free[w])
        w++;
    unsigned slot = w * 64 + (unsigned)__builtin_ctzll(h->free[w]);
    h->free[w] &= h->free[w] - 1;
    h->nfree--;
    struct rmap *rm = &chunk[slot];
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
    struct rmap_chunk_head *h = rmap_chunk_of(rm);
    unsigned slot = (unsigned)(rm - (struct rmap *)(void *)h);
    h->free[slot / 64] |= 1ull << (slot % 64);
    h->nfree++;
    if (h->index < ft->rmap_hint)
        ft->rmap_hint = h->index;
    ft->rmaps--;
}

void rmap_destroy_all(struct frame_table *ft)
{
    for (unsigned i = 0; i < ft->rmap_nchunks; i++)
        free(ft->rmap_chunks[i]);
    free(ft->rmap_chunks);
    ft->rmap_chunks = NULL;
    ft->rmap_hint = 0;
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
    uint32_t i = frame_lock_settled(p, self, pg, FRAME_NONE, FS_BUSY | FS_RECLAIM);
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
