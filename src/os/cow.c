/* cow.c — copy-on-write: fork's sharing of private frames, and the write
 * fault that ends it (Linux's copy_present_pte and do_wp_page).
 *
 * fork shares every resident private page's frame with the child: both
 * PTEs are write-protected and the frame's reverse map lists both pages
 * (an rmap). Dirtiness moves into the pages' PG_DIRTY at that moment, so it
 * survives either PTE going away. Pages out in swap share their slot
 * instead (the slot counts its owners).
 *
 * A write to such a page faults (the PTE is read-only, the VMA writable):
 *   reuse  the writer is the frame's only mapping now (the others wrote or
 *          left): make its PTE writable again, no copy; no flush is needed
 *          for an upgrade (a stale read-only entry just walks again);
 *   copy   otherwise: a new frame, a copy of the page, the writer's PTE
 *          pointed at it and shot down -- before the writer leaves the old
 *          frame's reverse map, so that the last remaining mapper, which
 *          may then reuse the frame and write it, never has a CPU of the
 *          writer still reading it through the old translation.
 * So the frame a process had stays its own: in PintOS's cow-simple the
 * child writes first and copies, and the parent keeps its frame and data.
 * kernel_pin of a page the process may write breaks the sharing the same
 * way (a pinned frame must not move away at the pinner's next write).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"

/* The rights a page is mapped with: its VMA's, or its own. p->lock held. */
static unsigned page_prot(struct process *p, const struct page *pg)
{
    struct vma *v = vma_find(&p->vmas, page_va(pg));
    return v ? v->prot : VM_PROT_READ | (page_flags(pg) & PG_WRITABLE ? VM_PROT_WRITE : 0);
}

/* ---- the write fault ---- */

/* The writer is the only mapping: give it write access back. */
static void cow_reuse(struct fault *f, uint32_t i)
{
    struct process *p = f->p;
    struct kernel *k = p->k;
    struct page *pg = f->pg;
    klock_acquire(&p->ptl, f->cpu);
    struct pte_info pi;
    k->fmt->decode(kpte_load(k, f->pte_pa), page_level(pg), &pi);
    /* the PTE is read-only, so no walk sets D meanwhile; A may be set: we
     * set it too, and D for a write (see cow_copy) */
    bool dirty = pi.dirty || f->acc == VM_ACCESS_WRITE;
    kpte_exchange(k, f->pte_pa, mmu_leaf(k, pg, frame_pa(&k->ft, i), f->prot, true, dirty));
    bool cow = page_flags(pg) & PG_COW;
    page_clear(pg, PG_COW);
    klock_release(&p->ptl);
    if (cow)
        count(p, VMSTAT_COW_REUSE, 1);
}

/* The frame i is shared (pinned by the caller): give the writer a copy,
 * in frame j if the caller could take one, else in one allocated here
 * (which may evict). */
static enum kill_reason cow_copy(struct fault *f, uint32_t i, uint32_t j)
{
    struct process *p = f->p;
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    struct page *pg = f->pg;
    bool huge = page_huge(pg);
    enum frame_alloc_err why = FA_NO_FRAME;
    if (j == FRAME_NONE)
        j = huge ? frame_alloc_huge(k, f->cpu) : frame_alloc(k, f->cpu, &why);
    if (j == FRAME_NONE) {
        if (huge) {   /* no free run: 512 small copies */
            enum kill_reason r = thp_unshare(f, i);
            if (r == KILL_NONE)
                count(p, VMSTAT_COW_COPY, 1);
            return r;
        }
        frame_unpin(k, f->cpu, i);
        return frame_alloc_kill(why);
    }
    frame_copy(k, frame_pa(ft, j), frame_pa(ft, i), page_size(pg));
    vaddr_t va = page_va(pg);
    klock_acquire(&p->ptl, f->cpu);
    uint64_t fl = page_flags(pg);
    uint32_t slot = pg->u.r.slot;
    /* A write fault's new PTE is dirty at once, as Linux's wp_page_copy
     * makes it (pte_mkdirty): the write that faulted is about to set D,
     * and the retried walk need not. A pin's unsharing writes nothing. */
    kpte_exchange(k, f->pte_pa,
                  mmu_leaf(k, pg, frame_pa(ft, j), f->prot, true, f->acc == VM_ACCESS_WRITE));
    pg->u.r.frame = j;
    pg->u.r.slot = SLOT_NONE;
    page_clear(pg, PG_SLOT | PG_COW);
    page_set(pg, PG_DIRTY);   /* the copy is about to differ from any backing copy */
    klock_release(&p->ptl);
    /* the faulting CPU dropped its own read-only entry when it faulted (a
     * software-refill machine leaves that to the kernel's handler) */
    if (f->hw && !k->soft_refill && f->addr >= va && f->addr < va + page_size(pg))
        mmu_flush_others(p, f->cpu, va, va + page_size(pg));
    else
        mmu_flush_range(p, f->cpu, va, va + page_size(pg));
    if (fl & PG_SLOT)
        slot_put(p, slot);    /* the slot holds the shared contents, not ours */
    klock_acquire(&ft->lock, f->cpu);
    frame_unpin_locked(ft, i);
    bool orphan = rmap_leave(ft, i, pg);
    frame_install_locked(ft, j, pg);
    klock_release(&ft->lock);
    if (orphan)   /* everybody else left while we copied */
        frame_free(k, f->cpu, i, page_huge(pg));
    count(p, VMSTAT_COW_COPY, 1);
    return KILL_NONE;
}

enum kill_reason cow_fault(struct fault *f)
{
    struct process *p = f->p;
    struct frame_table *ft = &p->k->ft;
    if (f->frame != FRAME_NONE)   /* a hint: if the page is shared, its copy reads this */
        frame_copy_start(p->k, frame_pa(ft, f->frame));
    uint32_t i = frame_lock_settled(p, f->cpu, f->pg, f->frame, FS_BUSY | FS_RECLAIM);
    if (i == FRAME_NONE) {
        f->retry = f->retry_now = true;   /* evicted meanwhile: an ordinary fault now */
        return KILL_NONE;
    }
    /* A private frame mapped more than once is shared copy-on-write; a
     * page-cache frame is shared by design, and a page of its own whose
     * PTE is read-only had its rights raised by mprotect: those two only
     * need write access. */
    bool shared = page_kind(f->pg) != PAGE_SHARED && frame_mapcount(ft, i) > 1;
    uint32_t j = FRAME_NONE;   /* the copy's frame, taken under the lock already held */
    if (shared) {
        frame_pin_locked(ft, i);
        if (!page_huge(f->pg))
            j = frame_take_free_locked(ft);
    }
    klock_release(&ft->lock);
    if (page_flags(f->pg) & PG_COW)
        count(p, VMSTAT_COW_FAULT, 1);
    enum kill_reason r = KILL_NONE;
    if (shared)
        r = cow_copy(f, i, j);
    else
        cow_reuse(f, i);
    if (r == KILL_NONE)
        fault_account(f, false);
    if (r == KILL_NONE && f->pin)
        f->retry = f->retry_now = true;   /* the spurious path pins the page's frame */
    return r;
}

/* ---- fork ---- */

struct page *fork_child_page(struct fork_ctx *x, const struct page *pg, uint64_t keep)
{
    struct process *c = x->child;
    struct page *cp = page_new(&c->spt, c, page_va(pg), page_kind(pg));
    if (!cp)
        return NULL;
    page_set(cp, page_flags(pg) & keep);
    spt_insert(&c->spt, cp);
    return cp;
}

/* A page that is not resident: the child shares its slot(s), or, with
 * nothing in swap (never loaded, or dropped clean), rebuilds it from the
 * VMA on its own fault. */
static int fork_swapped(struct fork_ctx *x, struct page *pg)
{
    /* not resident, and the mm lock held: only the ptl orders what its
     * last eviction wrote */
    klock_acquire(&x->parent->ptl, x->self);
    bool slot = page_flags(pg) & PG_SLOT;
    klock_release(&x->parent->ptl);
    if (!slot)
        return 0;
    struct process *c = x->child;
    struct page *cp = fork_child_page(x, pg, PG_SLOT | PG_LOADED);
    if (!cp)
        return -ENOMEM;
    if (page_huge(pg)) {
        struct huge_swap *hs = malloc(sizeof *hs);
        if (!hs) {
            page_clear(cp, PG_SLOT);
            return -ENOMEM;
        }
        *hs = *pg->u.hs;
        for (unsigned j = 0; j < HPAGE_PAGES; j++)
            slot_get(c, hs->slot[j]);
        cp->u.hs = hs;
    } else {
        slot_get(c, pg->u.r.slot);
        cp->u.r.slot = pg->u.r.slot;
    }
    count(x->parent, VMSTAT_FORK_SWAP_SHARED, page_npages(pg));
    return 0;
}

/* Write-protect the parent's PTE (keeping A and D); returns whether it
 * was dirty. A PROT_NONE page has no PTE to change. */
static bool write_protect(struct process *p, paddr_t pte_pa, struct page *pg, uint32_t i,
                          unsigned prot)
{
    struct kernel *k = p->k;
    uint64_t old = kpte_load(k, pte_pa);
    for (;;) {
        struct pte_info pi;
        k->fmt->decode(old, page_level(pg), &pi);
        if (!pi.present)
            return false;
        uint64_t ro = mmu_leaf(k, pg, frame_pa(&k->ft, i), prot & ~VM_PROT_WRITE, pi.accessed,
                               pi.dirty);
        if (ro == old || kpte_cas(k, pte_pa, &old, ro))   /* a walk may set A/D meanwhile */
            return pi.dirty;
    }
}

/* The parent's half of sharing it->frame (pinned, it->cp added to its
 * reverse map): write-protect its PTE, fold D into PG_DIRTY. ptl held. */
static void share_parent(struct fork_ctx *x, struct fork_item *it)
{
    struct process *p = x->parent;
    struct page *pg = it->pg;
    paddr_t pte_pa = mmu_pte_lookup_at(&x->ppte, p, page_va(pg), page_level(pg));
    if (write_protect(p, pte_pa, pg, it->frame, it->prot))
        page_set(pg, PG_DIRTY);
    page_set(pg, PG_COW);
    it->flags = page_flags(pg);
    it->slot = pg->u.r.slot;
    it->mapped = kpte_load(p->k, pte_pa) != 0;
}

/* The child's half: its page resident on the same frame, read-only and
 * old (Linux makes the child's PTE old), sharing the slot if any. ptl
 * held. */
static void share_child(struct fork_ctx *x, struct fork_item *it)
{
    struct process *c = x->child;
    struct kernel *k = c->k;
    struct page *cp = it->cp;
    cp->u.r.frame = it->frame;
    page_set(cp, PG_RESIDENT | PG_COW | (it->flags & PG_DIRTY));
    if (it->flags & PG_SLOT) {
        slot_get(c, it->slot);
        cp->u.r.slot = it->slot;
        page_set(cp, PG_SLOT);
    }
    if (it->mapped)
        kpte_store(k, it->cpte, mmu_leaf(k, cp, frame_pa(&k->ft, it->frame), it->prot & ~VM_PROT_WRITE,
                                         false, false));
    stat_add(&c->resident, page_npages(cp));
    count(x->parent, VMSTAT_FORK_SHARED, page_npages(cp));
}

/* One page, waiting out whatever is in flight on it: the path of pages a
 * batch could not take at once. */
static int cow_fork_one(struct fork_ctx *x, struct page *pg)
{
    struct process *p = x->parent, *c = x->child;
    struct kernel *k = p->k;
    uint32_t i = frame_pin_settled(p, x->self, pg);
    if (i == FRAME_NONE)
        return fork_swapped(x, pg);
    int rc = -ENOMEM;
    /* the child is not published yet: its tables and locks are ours alone */
    paddr_t cpte = mmu_pte_create(c, page_va(pg), page_level(pg));
    struct page *cp = cpte ? fork_child_page(x, pg, PG_LOADED) : NULL;
    if (!cp)
        goto out;
    klock_acquire(&k->ft.lock, x->self);
    bool added = rmap_add(&k->ft, i, cp);
    klock_release(&k->ft.lock);
    if (!added)
        goto out;   /* the child's page is not resident: its exit drops it */
    struct fork_item it = {.pg = pg, .cp = cp, .frame = i, .cpte = cpte, .prot = page_prot(p, pg)};
    klock_acquire(&p->ptl, x->self);
    share_parent(x, &it);
    klock_release(&p->ptl);
    klock_acquire(&c->ptl, x->self);
    share_child(x, &it);
    klock_release(&c->ptl);
    rc = 0;
out:
    frame_unpin(k, x->self, i);
    return rc;
}

/* Batches: the locks are taken once for up to FORK_BATCH pages, and every
 * page that is busy at the moment (being evicted, its swap slot being
 * reclaimed) goes the one-page way. */
int cow_fork_flush(struct fork_ctx *x)
{
    struct process *p = x->parent, *c = x->child;
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    unsigned n = x->n;
    struct fork_item *b = x->b;
    x->n = 0;
    int rc = 0;
    /* with the parent's mm lock held, a page that is neither resident nor
     * being evicted stays so (no fault can bring it in): those share their
     * slots, the others their frames */
    unsigned m = 0;
    klock_acquire(&p->ptl, x->self);
    for (unsigned j = 0; j < n; j++) {
        uint64_t fl = page_flags(b[j].pg);
        b[j].frame = b[j].pg->u.r.frame;
        b[j].fast = (fl & (PG_RESIDENT | PG_EVICTING)) == PG_RESIDENT;
        b[j].gone = !(fl & (PG_RESIDENT | PG_EVICTING));
    }
    klock_release(&p->ptl);
    for (unsigned j = 0; j < n; j++) {
        if (b[j].gone) {
            rc = fork_swapped(x, b[j].pg);
            if (rc < 0)
                return rc;
            continue;
        }
        b[m++] = b[j];
    }
    n = m;
    for (unsigned j = 0; j < n; j++) {
        struct page *pg = b[j].pg;
        b[j].prot = page_prot(p, pg);
        b[j].cpte = mmu_pte_create_at(&x->cpte, c, page_va(pg), page_level(pg));
        b[j].cp = b[j].cpte ? fork_child_page(x, pg, PG_LOADED) : NULL;
        if (!b[j].cp)
            return -ENOMEM;
    }
    klock_acquire(&ft->lock, x->self);
    for (unsigned j = 0; j < n; j++) {
        uint32_t i = b[j].frame;
        if (b[j].fast && (!ft_maps(ft, i, b[j].pg) || (ft->state[i] & (FS_BUSY | FS_RECLAIM))))
            b[j].fast = false;
        if (b[j].fast && !rmap_add(ft, i, b[j].cp)) {
            b[j].fast = false;
            rc = -ENOMEM;
        }
        if (b[j].fast)
            frame_pin_locked(ft, i);
    }
    klock_release(&ft->lock);
    klock_acquire(&p->ptl, x->self);
    for (unsigned j = 0; j < n; j++)
        if (b[j].fast)
            share_parent(x, &b[j]);
    klock_release(&p->ptl);
    klock_acquire(&c->ptl, x->self);
    for (unsigned j = 0; j < n; j++)
        if (b[j].fast)
            share_child(x, &b[j]);
    klock_release(&c->ptl);
    klock_acquire(&ft->lock, x->self);
    for (unsigned j = 0; j < n; j++)
        if (b[j].fast)
            frame_unpin_locked(ft, b[j].frame);
    klock_release(&ft->lock);
    for (unsigned j = 0; j < n && rc == 0; j++) {
        if (b[j].fast)
            continue;
        spt_remove(&c->spt, b[j].cp);   /* the one-page way makes its own */
        page_free(&c->spt, b[j].cp);
        rc = cow_fork_one(x, b[j].pg);
    }
    return rc;
}

int cow_fork_page(struct fork_ctx *x, struct page *pg)
{
    x->b[x->n++].pg = pg;
    return x->n == FORK_BATCH ? cow_fork_flush(x) : 0;
}
