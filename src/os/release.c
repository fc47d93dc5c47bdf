/* release.c — taking pages out of an address space: munmap, madvise,
 * exit, exec (Linux's zap_page_range under an mmu_gather).
 *
 * The order is Linux's: clear every PTE of the range (gathering the
 * frames), shoot down once for the whole range, and only then free the
 * frames and write dirty shared file pages back -- so that no CPU can still
 * write through a stale translation into a frame already given to someone
 * else. A frame shared with other mappers (copy-on-write or the page cache)
 * is only left: it stays pinned until the flush, and the last mapping to
 * leave frees it (rmap.c).
 *
 * Pages go in batches of RELEASE_BATCH, each lock taken once per batch;
 * a page that is busy at that moment (being evicted, its swap slot being
 * reclaimed) goes on its own, waiting for it (frame_unmap_page).
 */
#include <stdlib.h>

#include "os/kern.h"

#define RELEASE_BATCH 64

struct gathered {
    uint32_t frame;
    bool dirty;       /* the PTE's D: a page-cache frame's last mapper writes back */
    bool huge;
    bool rmapped;     /* left an rmap frame: rmap_unmap_finish decides */
    vaddr_t va;
};

static bool gather_add(struct gather *g, struct gathered e)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        struct gathered *nv = realloc(g->v, cap * sizeof *nv);
        if (!nv)
            return false;
        g->v = nv;
        g->cap = cap;
    }
    g->v[g->n++] = e;
    return true;
}

/* After the flush: free one gathered frame (a shared one only if this was
 * its last mapping, writing a dirty page-cache page back first). */
static void finish_one(struct process *p, struct gather *g, const struct gathered *e)
{
    struct kernel *k = p->k;
    if (!e->rmapped) {
        frame_free(k, g->self, e->frame, e->huge);
        return;
    }
    bool writeback = false;
    if (!rmap_unmap_finish(k, g->self, e->frame, e->dirty, &writeback))
        return;   /* others still map it */
    if (writeback) {
        const struct vma *v = vma_find(&p->vmas, e->va);
        file_page_writeback(p, v, e->va, physmem_frame(k->pm, frame_pa(&k->ft, e->frame)));
    }
    rmap_drop(k, g->self, e->frame, e->huge);
}

/* Gather e; with no memory to batch, flush now and free this one. */
static void gather_or_finish(struct process *p, struct gather *g, struct gathered e, uint64_t size)
{
    if (!gather_add(g, e)) {
        mmu_flush_range(p, g->self, e.va, e.va + size);
        finish_one(p, g, &e);
    }
}

static void forget(struct process *p, struct page *pg)
{
    page_ops(pg)->destroy(p, pg);
    spt_remove(&p->spt, pg);
    page_free(&p->spt, pg);
}

/* One batch: one ptl section to read the pages' state and frames, one
 * frame-table section to take the frames (or leave shared ones), one ptl
 * section to clear the PTEs. Pages that are not resident just go. The
 * pages that were busy are left in pg[] for the one-page way; returns how
 * many. */
enum { GONE, FAST, SLOW };
static unsigned release_batch(struct process *p, struct page **pg, unsigned n, struct gather *g)
{
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    uint32_t frame[RELEASE_BATCH];
    uint8_t how[RELEASE_BATCH];
    bool rmapped[RELEASE_BATCH], dirty[RELEASE_BATCH];
    /* with the mm lock held, a page neither resident nor being evicted
     * stays so: nothing of it is in a frame */
    klock_acquire(&p->ptl, g->self);
    for (unsigned j = 0; j < n; j++) {
        uint64_t fl = page_flags(pg[j]);
        how[j] = (fl & PG_EVICTING) ? SLOW : (fl & PG_RESIDENT) ? FAST : GONE;
        frame[j] = pg[j]->u.r.frame;
    }
    klock_release(&p->ptl);
    klock_acquire(&ft->lock, g->self);
    for (unsigned j = 0; j < n; j++) {
        uint32_t i = frame[j];
        if (how[j] != FAST)
            continue;
        if (!ft_maps(ft, i, pg[j]) || (ft->state[i] & (FS_BUSY | FS_RECLAIM))) {
            how[j] = SLOW;
            continue;
        }
        struct rmap *rm = frame_rmap(ft, i);
        rmapped[j] = rm != NULL;
        if (rm) {
            rmap_unlink(rm, pg[j]);
            rm->releasing++;
            frame_pin_locked(ft, i);   /* until our PTE's flush: no eviction, no reuse */
        } else {
            frame_take_locked(ft, i);  /* ours to free after the flush */
        }
    }
    klock_release(&ft->lock);
    klock_acquire(&p->ptl, g->self);
    for (unsigned j = 0; j < n; j++) {
        if (how[j] != FAST)
            continue;
        uint64_t old = kpte_exchange(k, mmu_pte_lookup_at(&g->pte, p, page_va(pg[j]),
                                                         page_level(pg[j])), 0);
        pg[j]->u.r.frame = FRAME_NONE;
        page_clear(pg[j], PG_RESIDENT);
        struct pte_info pi;
        k->fmt->decode(old, page_level(pg[j]), &pi);
        dirty[j] = pi.dirty;
    }
    klock_release(&p->ptl);
    unsigned slow = 0;
    for (unsigned j = 0; j < n; j++) {
        if (how[j] == SLOW) {
            pg[slow++] = pg[j];
            continue;
        }
        if (how[j] == FAST) {
            __atomic_fetch_sub(&p->resident, page_npages(pg[j]), __ATOMIC_RELAXED);
            struct gathered e = {frame[j], dirty[j], page_huge(pg[j]), rmapped[j], page_va(pg[j])};
            gather_or_finish(p, g, e, page_size(pg[j]));
        }
        forget(p, pg[j]);
    }
    return slow;
}

/* A page that was busy: wait for it, then take its frame. */
static void release_one(struct process *p, struct page *pg, struct gather *g)
{
    struct gathered e = {.huge = page_huge(pg), .va = page_va(pg)};
    if (frame_unmap_page(p, g->self, pg, &e.frame, &e.dirty, &e.rmapped))
        gather_or_finish(p, g, e, page_size(pg));
    forget(p, pg);
}

void release_pages(struct process *p, struct page **pages, size_t n, struct gather *g)
{
    struct page *batch[RELEASE_BATCH];
    for (size_t j = 0; j < n;) {
        unsigned nb = 0;
        while (nb < RELEASE_BATCH && j < n)
            batch[nb++] = pages[j++];
        unsigned slow = release_batch(p, batch, nb, g);
        for (unsigned s = 0; s < slow; s++)
            release_one(p, batch[s], g);
    }
}

void release_page(struct process *p, struct page *pg, struct gather *g)
{
    release_pages(p, &pg, 1, g);
}

/* The pages of p in [start, end), collected first: releasing them changes
 * the SPT, which must not change under its own walk. */
struct collect {
    vaddr_t start, end;
    struct page **v;
    size_t n, cap;
    bool failed;
};

static int collect_cb(struct page *pg, void *arg)
{
    struct collect *c = arg;
    vaddr_t va = page_va(pg);
    if (va < c->start || va >= c->end)
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        struct page **nv = realloc(c->v, cap * sizeof *nv);
        if (!nv) {
            c->failed = true;
            return 1;
        }
        c->v = nv;
        c->cap = cap;
    }
    c->v[c->n++] = pg;
    return 0;
}

struct range_one {
    struct process *p;
    vaddr_t start, end;
    struct gather *g;
};

static int release_if_inside(struct page *pg, void *arg)
{
    struct range_one *r = arg;
    vaddr_t va = page_va(pg);
    if (va >= r->start && va < r->end)
        release_page(r->p, pg, r->g);
    return 0;
}

void release_range(struct process *p, vaddr_t start, vaddr_t end, struct gather *g)
{
    if ((end - start) / VM_PAGE_SIZE <= p->spt.count) {
        for (vaddr_t va = start; va < end; va += VM_PAGE_SIZE) {
            struct page *pg = spt_find(&p->spt, va);   /* a huge page: at its first address */
            if (pg)
                release_page(p, pg, g);
        }
        return;
    }
    /* a big range with few pages: look at the pages, not the addresses */
    for (;;) {
        struct collect c = {.start = start, .end = end};
        spt_for_each(&p->spt, collect_cb, &c);
        release_pages(p, c.v, c.n, g);
        free(c.v);
        if (!c.failed)
            return;
        if (c.n == 0)
            break;   /* not even room for a list */
        /* out of memory for the whole list: what was collected is gone; again */
    }
    struct range_one r = {p, start, end, g};
    spt_for_each(&p->spt, release_if_inside, &r);   /* each page removes only itself */
}

void gather_finish(struct process *p, struct gather *g)
{
    for (size_t j = 0; j < g->n; j++)
        finish_one(p, g, &g->v[j]);
    free(g->v);
    g->v = NULL;
    g->n = g->cap = 0;
}
