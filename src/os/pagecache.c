/* pagecache.c — one page cache per kernel: every shared file mapping of
 * the same page of the same file, in any process, maps the same frame
 * (Linux's page cache; PintOS lets two mappings of one file disagree).
 *
 * An entry is keyed by the file's identity (st_dev, st_ino) and the page
 * offset, holds one frame and a reverse map: the array of every struct page
 * that maps it (struct page stays 32 bytes; the array lives only for shared
 * pages). The frame's own reverse map points at the entry (frame_entry).
 *
 * All of it is under the frame-table lock, so the policies' A-bit scans
 * walk an entry's mappers under the lock they already hold. The lock order
 * is unchanged: ft.lock and a ptl are never held together; code that needs
 * both takes one, drops it, takes the other (docs/DESIGN.md).
 *
 * Life of an entry:
 *   fault, miss   insert a placeholder (frame FRAME_NONE: others wait), drop
 *                 the lock, allocate and fill a frame from the file, then
 *                 publish it. The placeholder is what keeps a second mapper
 *                 from reading the file while the first one's data is newer.
 *   fault, hit    add the page to the reverse map and pin the frame until
 *                 its PTE is written (so no eviction sees a half-made mapping).
 *   eviction      frame.c: evict_cached clears every mapper's PTE, writes the
 *                 page back once if any D bit (or entry->dirty) says so.
 *   unmap/exit    pc_unmap_page / pc_unmap_finish / pc_drop: the mapper leaves
 *                 the reverse map, its PTE is cleared and flushed (batched),
 *                 its D bit folds into entry->dirty; the last one writes the
 *                 page back if dirty and frees the frame. vmlab keeps no
 *                 unmapped clean pages in the cache: an entry without mappers
 *                 would pin its inode number, which the host may reuse.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"

_Static_assert(sizeof(struct pc_entry) == 64, "a page-cache entry is one cache line");

int pc_init(struct page_cache *pc)
{
    pc->nbuckets = 64;
    pc->count = 0;
    pc->buckets = calloc(pc->nbuckets, sizeof *pc->buckets);
    return pc->buckets ? 0 : -ENOMEM;
}

void pc_destroy(struct page_cache *pc)
{
    for (uint64_t b = 0; pc->buckets && b < pc->nbuckets; b++)
        for (struct pc_entry *e = pc->buckets[b], *n; e; e = n) {
            n = e->hash_next;
            if (e->map != &e->one)
                free(e->map);
            free(e);
        }
    free(pc->buckets);
    pc->buckets = NULL;
}

static uint64_t pc_hash(uint64_t dev, uint64_t ino, uint64_t pgoff)
{
    uint64_t h = (ino * 0x9e3779b97f4a7c15ull) ^ (dev * 0xc2b2ae3d27d4eb4full) ^ pgoff;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static struct pc_entry *pc_find(const struct page_cache *pc, uint64_t dev, uint64_t ino,
                                uint64_t pgoff)
{
    for (struct pc_entry *e = pc->buckets[pc_hash(dev, ino, pgoff) & (pc->nbuckets - 1)]; e;
         e = e->hash_next)
        if (e->pgoff == pgoff && e->ino == ino && e->dev == dev)
            return e;
    return NULL;
}

/* Double the buckets when the table is fuller than one entry per bucket;
 * if that fails, chains just grow longer. */
static void pc_grow(struct page_cache *pc)
{
    uint64_t n = pc->nbuckets * 2;
    struct pc_entry **b = calloc(n, sizeof *b);
    if (!b)
        return;
    for (uint64_t i = 0; i < pc->nbuckets; i++)
        for (struct pc_entry *e = pc->buckets[i], *next; e; e = next) {
            next = e->hash_next;
            uint64_t h = pc_hash(e->dev, e->ino, e->pgoff) & (n - 1);
            e->hash_next = b[h];
            b[h] = e;
        }
    free(pc->buckets);
    pc->buckets = b;
    pc->nbuckets = n;
}

static void pc_insert(struct page_cache *pc, struct pc_entry *e)
{
    if (pc->count >= pc->nbuckets)
        pc_grow(pc);
    struct pc_entry **b = &pc->buckets[pc_hash(e->dev, e->ino, e->pgoff) & (pc->nbuckets - 1)];
    e->hash_next = *b;
    *b = e;
    pc->count++;
}

void pc_remove(struct frame_table *ft, struct pc_entry *e)
{
    struct page_cache *pc = &ft->pc;
    struct pc_entry **b = &pc->buckets[pc_hash(e->dev, e->ino, e->pgoff) & (pc->nbuckets - 1)];
    while (*b != e)
        b = &(*b)->hash_next;
    *b = e->hash_next;
    pc->count--;
    if (e->map != &e->one)
        free(e->map);
    free(e);
}

static bool map_add(struct pc_entry *e, struct page *pg)
{
    if (e->nmap == e->cap) {
        uint32_t cap = e->cap * 2;
        struct page **m = malloc(cap * sizeof *m);
        if (!m)
            return false;
        memcpy(m, e->map, e->nmap * sizeof *m);
        if (e->map != &e->one)
            free(e->map);
        e->map = m;
        e->cap = cap;
    }
    e->map[e->nmap++] = pg;
    return true;
}

static void map_remove(struct pc_entry *e, const struct page *pg)
{
    for (uint32_t j = 0; j < e->nmap; j++)
        if (e->map[j] == pg) {
            e->map[j] = e->map[--e->nmap];
            return;
        }
}

bool ft_maps(const struct frame_table *ft, uint32_t i, const struct page *pg)
{
    if (ft->f[i].page == pg)
        return true;
    if (!frame_cached(ft, i))
        return false;
    const struct pc_entry *e = frame_entry(ft, i);
    for (uint32_t j = 0; j < e->nmap; j++)
        if (e->map[j] == pg)
            return true;
    return false;
}

enum kill_reason pc_fault(struct process *p, struct cpu *cpu, struct page *pg, const struct vma *v,
                          paddr_t pte_pa, unsigned prot, bool pin, bool *major, bool *retry)
{
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    vaddr_t va = page_va(pg);
    uint64_t pgoff = (v->offset + (va - v->start)) >> VM_PAGE_SHIFT;
    *major = *retry = false;
    struct pc_entry *e, *fresh = NULL;
    uint32_t i;

    /* look up; on a miss, allocate the placeholder outside the lock and
     * look again (returns holding the lock) */
    for (;;) {
        klock_acquire(&ft->lock, cpu);
        e = pc_find(&ft->pc, v->dev, v->ino, pgoff);
        if (e || fresh)
            break;
        klock_release(&ft->lock);
        fresh = calloc(1, sizeof *fresh);
        if (!fresh)
            return KILL_OOM_KERNEL;
    }
    if (e) {
        free(fresh);
        if (e->frame == FRAME_NONE || (ft->state[e->frame] & (FS_BUSY | FS_RECLAIM))) {
            klock_release(&ft->lock);
            *retry = true;   /* being filled, evicted or freed */
            return KILL_NONE;
        }
        if (!map_add(e, pg)) {
            klock_release(&ft->lock);
            return KILL_OOM_KERNEL;
        }
        i = e->frame;
        frame_pin_locked(ft, i);   /* until the PTE is written */
        klock_release(&ft->lock);
    } else {
        e = fresh;
        e->map = &e->one;   /* one mapper needs no array */
        e->cap = 1;
        e->dev = v->dev;
        e->ino = v->ino;
        e->pgoff = pgoff;
        e->frame = FRAME_NONE;
        pc_insert(&ft->pc, e);
        klock_release(&ft->lock);

        enum frame_alloc_err why;
        enum kill_reason r = KILL_NONE;
        i = frame_alloc(k, cpu, &why);
        if (i == FRAME_NONE)
            r = why == FA_SWAP_FULL ? KILL_OOM_SWAP_FULL : KILL_OOM_NO_FRAME;
        else
            r = page_fill(p, pg, v, physmem_frame(k->pm, frame_pa(ft, i)), major);
        klock_acquire(&ft->lock, cpu);
        if (r == KILL_NONE && !map_add(e, pg))
            r = KILL_OOM_KERNEL;
        if (r != KILL_NONE) {
            pc_remove(ft, e);
            klock_release(&ft->lock);
            if (i != FRAME_NONE)
                frame_free(k, cpu, i, false);
            return r;
        }
        e->frame = i;
        frame_set_entry(ft, i, e);
        ft->state[i] &= ~(FS_BUSY | FS_AGE_MASK);
        frame_pin_locked(ft, i);   /* before the policy sees it: no eviction until mapped */
        ft->policy->insert(ft, i);
        klock_release(&ft->lock);
    }

    klock_acquire(&p->ptl, cpu);
    pg->u.r.frame = i;
    page_set_kind(pg, PAGE_FILE);
    page_set(pg, PG_RESIDENT | PG_LOADED | PG_SHARED);
    kpte_store(k, pte_pa,
              k->fmt->make_leaf(0, frame_pa(ft, i), prot | VM_PROT_USER, true, false, 0));
    klock_release(&p->ptl);
    if (!pin) {
        klock_acquire(&ft->lock, cpu);
        frame_unpin_locked(ft, i);
        klock_release(&ft->lock);
    }
    stat_add(&p->resident, 1);
    return KILL_NONE;
}

bool pc_unmap_page(struct process *p, struct cpu *self, struct page *pg, uint32_t *frame,
                   bool *dirty)
{
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    uint32_t i = frame_lock_settled(p, self, pg, FS_BUSY | FS_RECLAIM);
    if (i == FRAME_NONE)
        return false;
    assert(frame_cached(ft, i));   /* a shared page's frame is the page cache's */
    struct pc_entry *e = frame_entry(ft, i);
    map_remove(e, pg);
    e->releasing++;
    frame_pin_locked(ft, i);   /* until our PTE's flush: no eviction, no reuse */
    klock_release(&ft->lock);

    klock_acquire(&p->ptl, self);
    paddr_t pte_pa = mmu_pte_lookup(p, page_va(pg), 0);
    uint64_t old = kpte_exchange(k, pte_pa, 0);
    pg->u.r.frame = FRAME_NONE;
    page_clear(pg, PG_RESIDENT);
    klock_release(&p->ptl);
    struct pte_info pi;
    k->fmt->decode(old, 0, &pi);
    __atomic_fetch_sub(&p->resident, 1, __ATOMIC_RELAXED);
    *frame = i;
    *dirty = pi.dirty;
    return true;
}

bool pc_unmap_finish(struct kernel *k, struct cpu *self, uint32_t i, bool dirty, bool *writeback)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    struct pc_entry *e = frame_entry(ft, i);
    e->dirty |= dirty;
    e->releasing--;
    frame_unpin_locked(ft, i);
    bool last = e->nmap == 0 && e->releasing == 0;
    if (last) {
        /* nobody maps it and nobody can evict it (it was pinned): ours */
        frame_take_locked(ft, i);
        *writeback = e->dirty;
    }
    klock_release(&ft->lock);
    return last;
}

void pc_drop(struct kernel *k, struct cpu *self, uint32_t i)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    pc_remove(ft, frame_entry(ft, i));
    ft->f[i].page = NULL;
    klock_release(&ft->lock);
    frame_free(k, self, i, false);
}
