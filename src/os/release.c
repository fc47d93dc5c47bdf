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
 */
#include <stdlib.h>

#include "os/kern.h"

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

void release_page(struct process *p, struct page *pg, struct gather *g)
{
    struct gathered e = {.huge = page_huge(pg), .va = page_va(pg)};
    if (frame_unmap_page(p, g->self, pg, &e.frame, &e.dirty, &e.rmapped) && !gather_add(g, e)) {
        /* no memory to batch: flush now and free this one */
        mmu_flush_range(p, g->self, e.va, e.va + page_size(pg));
        finish_one(p, g, &e);
    }
    page_ops(pg)->destroy(p, pg);
    spt_remove(&p->spt, pg);
    page_free(&p->spt, pg);
}

struct range {
    struct process *p;
    vaddr_t start, end;
    struct gather *g;
};

static int release_if_inside(struct page *pg, void *arg)
{
    struct range *r = arg;
    vaddr_t va = page_va(pg);
    if (va >= r->start && va < r->end)
        release_page(r->p, pg, r->g);
    return 0;
}

void release_range(struct process *p, vaddr_t start, vaddr_t end, struct gather *g)
{
    if ((end - start) / VM_PAGE_SIZE > p->spt.count) {
        /* a big range with few pages: look at the pages, not the addresses */
        struct range r = {p, start, end, g};
        spt_for_each(&p->spt, release_if_inside, &r);
        return;
    }
    for (vaddr_t va = start; va < end; va += VM_PAGE_SIZE) {
        struct page *pg = spt_find(&p->spt, va);   /* a huge page: at its first address */
        if (pg)
            release_page(p, pg, g);
    }
}

void gather_finish(struct process *p, struct gather *g)
{
    for (size_t j = 0; j < g->n; j++)
        finish_one(p, g, &g->v[j]);
    free(g->v);
    g->v = NULL;
    g->n = g->cap = 0;
}
