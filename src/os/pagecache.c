/* pagecache.c — shared file pages: one page cache per kernel, in which every
 * shared mapping of the same page of the same file, in any process, maps
 * the same frame (Linux's page cache; PintOS lets two mappings of one file
 * disagree).
 *
 * An entry is the frame's struct rmap (rmap.c), keyed by the file's
 * identity (st_dev, st_ino) and the page offset: the frame and every page
 * that maps it. All of it is under the frame-table lock, so the policies'
 * A-bit scans walk an entry's mappers under the lock they already hold. The
 * lock order is unchanged: ft.lock and a ptl are never held together.
 *
 * Life of an entry:
 *   fault, miss   insert a placeholder (frame FRAME_NONE: others wait), drop
 *                 the lock, allocate and fill a frame from the file, then
 *                 publish it. The placeholder is what keeps a second mapper
 *                 from reading the file while the first one's data is newer.
 *   fault, hit    add the page to the reverse map and pin the frame until
 *                 its PTE is written (so no eviction sees a half-made mapping).
 *   eviction      evict.c clears every mapper's PTE; shared_write_out writes
 *                 the page back once if any D bit (or entry->dirty) says so.
 *   unmap/exit    rmap.c's rmap_unmap_page / rmap_unmap_finish / rmap_drop:
 *                 the mapper leaves, its D bit folds into entry->dirty, the
 *                 last one writes the page back if dirty and frees the frame.
 *                 vmlab keeps no unmapped clean pages in the cache: an entry
 *                 without mappers would pin its inode number, which the host
 *                 may reuse.
 *   read/write    kernel_file_pread/pwrite (filerw.c) copy through a cached
 *                 frame, so the system calls and the mappings agree.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"

int pc_init(struct page_cache *pc)
{
    pc->nbuckets = 64;
    pc->count = 0;
    pc->buckets = calloc(pc->nbuckets, sizeof *pc->buckets);
    return pc->buckets ? 0 : -ENOMEM;
}

void pc_destroy(struct page_cache *pc)
{
    /* the entries are rmaps: the slab frees them */
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

struct rmap *pc_find(const struct page_cache *pc, uint64_t dev, uint64_t ino,
                                uint64_t pgoff)
{
    for (struct rmap *e = pc->buckets[pc_hash(dev, ino, pgoff) & (pc->nbuckets - 1)]; e;
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
    struct rmap **b = calloc(n, sizeof *b);
    if (!b)
        return;
    for (uint64_t i = 0; i < pc->nbuckets; i++)
        for (struct rmap *e = pc->buckets[i], *next; e; e = next) {
            next = e->hash_next;
            uint64_t h = pc_hash(e->dev, e->ino, e->pgoff) & (n - 1);
            e->hash_next = b[h];
            b[h] = e;
        }
    free(pc->buckets);
    pc->buckets = b;
    pc->nbuckets = n;
}

void pc_entry_init(struct rmap *e, uint64_t dev, uint64_t ino, uint64_t pgoff)
{
    e->cached = 1;
    e->dev = dev;
    e->ino = ino;
    e->pgoff = pgoff;
    e->map = &e->one;
    e->cap = 1;
}

void pc_insert(struct page_cache *pc, struct rmap *e)
{
    if (pc->count >= pc->nbuckets)
        pc_grow(pc);
    struct rmap **b = &pc->buckets[pc_hash(e->dev, e->ino, e->pgoff) & (pc->nbuckets - 1)];
    e->hash_next = *b;
    *b = e;
    pc->count++;
}

void pc_remove(struct frame_table *ft, struct rmap *e)
{
    struct page_cache *pc = &ft->pc;
    struct rmap **b = &pc->buckets[pc_hash(e->dev, e->ino, e->pgoff) & (pc->nbuckets - 1)];
    while (*b != e)
        b = &(*b)->hash_next;
    *b = e->hash_next;
    pc->count--;
    rmap_release(ft, e);
}

/* Look up (v's file, pgoff); on a miss insert a placeholder. Returns with
 * ft->lock held: the entry, *fresh if it is the new placeholder; NULL
 * (lock not held) if out of memory. */
static struct rmap *pc_lookup_or_insert(struct frame_table *ft, struct cpu *cpu, const struct vma *v,
                                        uint64_t pgoff, bool *fresh)
{
    klock_acquire(&ft->lock, cpu);
    struct rmap *e = pc_find(&ft->pc, v->dev, v->ino, pgoff);
    *fresh = !e;
    if (e)
        return e;
    if (!(e = rmap_alloc(ft))) {
        klock_release(&ft->lock);
        return NULL;
    }
    pc_entry_init(e, v->dev, v->ino, pgoff);
    pc_insert(&ft->pc, e);
    return e;
}

/* The miss: fill a frame for placeholder e from the file and publish it,
 * pinned until the PTE is written. ft->lock not held. */
static enum kill_reason pc_fill(struct fault *f, struct rmap *e, uint32_t *frame, bool *major)
{
    struct kernel *k = f->p->k;
    struct frame_table *ft = &k->ft;
    enum frame_alloc_err why;
    enum kill_reason r;
    uint32_t i = frame_alloc(k, f->cpu, &why);
    if (i == FRAME_NONE)
        r = frame_alloc_kill(why);
    else
        r = file_fill(f->p, f->pg, f->vma, physmem_frame(k->pm, frame_pa(ft, i)), major);
    klock_acquire(&ft->lock, f->cpu);
    if (r != KILL_NONE) {
        pc_remove(ft, e);
        klock_release(&ft->lock);
        if (i != FRAME_NONE)
            frame_free(k, f->cpu, i, false);
        return r;
    }
    e->n = 1;
    e->one = f->pg;
    e->frame = i;
    frame_set_rmap(ft, i, e);
    ft->state[i] &= ~(FS_BUSY | FS_AGE_MASK);
    frame_pin_locked(ft, i);   /* before the policy sees it: no eviction until mapped */
    ft->policy->insert(ft, i);
    ft->changes++;
    klock_release(&ft->lock);
    *frame = i;
    return KILL_NONE;
}

/* The shared kind's claim: map the cached frame of (v's file, page offset),
 * filling one from the file if none is cached. */
static enum kill_reason shared_claim(struct fault *f)
{
    struct process *p = f->p;
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    const struct vma *v = f->vma;
    f->pte_pa = mmu_pte_create(p, f->va, 0);
    if (!f->pte_pa)
        return KILL_OOM_KERNEL;
    bool fresh, major = false;
    struct rmap *e = pc_lookup_or_insert(ft, f->cpu, v, vma_file_offset(v, f->va) >> VM_PAGE_SHIFT,
                                         &fresh);
    if (!e)
        return KILL_OOM_KERNEL;
    uint32_t i;
    if (fresh) {
        klock_release(&ft->lock);
        enum kill_reason r = pc_fill(f, e, &i, &major);
        if (r != KILL_NONE)
            return r;
    } else {
        if (e->frame == FRAME_NONE || (ft->state[e->frame] & (FS_BUSY | FS_RECLAIM))) {
            klock_release(&ft->lock);
            f->retry = true;   /* being filled, evicted or freed */
            return KILL_NONE;
        }
        i = e->frame;
        if (!rmap_add(ft, i, f->pg)) {
            klock_release(&ft->lock);
            return KILL_OOM_KERNEL;
        }
        frame_pin_locked(ft, i);   /* until the PTE is written */
        klock_release(&ft->lock);
    }

    klock_acquire(&p->ptl, f->cpu);
    f->pg->u.r.frame = i;
    page_set(f->pg, PG_RESIDENT | PG_LOADED);
    kpte_store(k, f->pte_pa, mmu_leaf(k, f->pg, frame_pa(ft, i), f->prot, true, false));
    klock_release(&p->ptl);
    if (!f->pin)
        frame_unpin(k, f->cpu, i);
    stat_add(&p->resident, 1);
    fault_account(f, major);
    return KILL_NONE;
}

/* Eviction: write the page back once if any mapping dirtied it, through the
 * first mapper's VMA; a clean page is dropped (the file has it). */
static enum evict_result shared_write_out(struct evict *e)
{
    if (!e->dirty) {
        count(e->q, VMSTAT_PGDROP_CLEAN, 1);
        return EV_OK;
    }
    return file_page_writeback(e->q, &e->v, page_va(e->map[0]), e->kva) < 0 ? EV_IO_ERROR : EV_OK;
}

static void shared_evicted(struct evict *e, struct page *pg)
{
    (void)e, (void)pg;   /* nothing to record: the file holds the page */
}

static void shared_destroy(struct process *p, struct page *pg)
{
    (void)p, (void)pg;
}

/* fork: the child's shared mappings map the cache's frames on their own
 * faults (MAP_SHARED: nothing to copy). */
static int shared_fork(struct fork_ctx *x, struct page *pg)
{
    (void)x, (void)pg;
    return 0;
}

const struct page_ops shared_ops = {
    .name = "shared",
    .claim = shared_claim,
    .fill = file_fill,
    .write_out = shared_write_out,
    .evicted = shared_evicted,
    .destroy = shared_destroy,
    .fork = shared_fork,
};
