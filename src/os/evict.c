/* evict.c — taking a frame away from the pages that map it (Linux's
 * shrink_folio_list and try_to_unmap; PintOS's vm_evict_frame).
 *
 * The victim is busy and off the policy's list (frame_alloc made it so), so
 * its mappers -- one page, or the rmap of a frame shared copy-on-write or
 * through the page cache -- cannot change. Then, for one frame:
 *
 *   1. for each mapper, under its owner's ptl: mark the page EVICTING, clear
 *      its PTE (the old value carries D) and shoot down every CPU that may
 *      cache it (the owner's may_cache);
 *   2. with no lock held: the page kind writes the frame out if it differs
 *      from its backing copy (swap, or the file for a shared file page), or
 *      drops it;
 *   3. for each mapper, under its ptl: the kind records where the page
 *      lives now (its slot) and the page stops being resident -- or, if the
 *      write failed or swap was full, its old PTE goes back.
 *
 * A fault on an EVICTING page waits and looks again; unmap and exit wait
 * for it too, so the first mapper's VMA (and a shared file's descriptor)
 * stays valid for the write-out. The frame itself goes to the thread that
 * asked for it.
 */
#include <stdlib.h>

#include <vmlab/observe.h>

#include "os/kern.h"
#include "os/swap.h"

/* ---- telling an observed CPU (vmlab/observe.h) ---- */

static void tell(struct evict *e, enum vm_evict_phase phase, struct vm_ev_evict *x)
{
    struct vm_event ev = {.kind = VM_EV_EVICT};
    x->phase = phase;
    x->frame = e->frame;
    x->frame_pa = frame_pa(&e->k->ft, e->frame);
    x->kind = page_ops(e->map[0])->name;
    x->mappers = e->n;
    ev.evict = *x;
    cpu_observe(e->self, &ev);
}

/* What write_out did: the kinds' write_out record it in e (frame.h). */
static void tell_done(struct evict *e, enum evict_result res)
{
    struct vm_ev_evict x = {.page_dirty = e->dirty, .slot = e->slot, .slot_reused = e->reuse};
    if (res == EV_SWAP_FULL)
        x.outcome = VM_EVICT_SWAP_FULL;
    else if (res != EV_OK)
        x.outcome = VM_EVICT_IO_ERROR;
    else if (!e->dirty)
        x.outcome = VM_EVICT_DROPPED;
    else if (e->wrote)
        x.outcome = VM_EVICT_SWAPPED;
    else
        x.outcome = VM_EVICT_WRITEBACK;    /* dirty, written, not to swap: to its file */
    if (x.outcome == VM_EVICT_SWAPPED && e->hs)
        x.slot = e->hs->slot[0];
    tell(e, VM_EVICT_DONE, &x);
}

/* Step 1 for mapper j. */
static void unmap_mapper(struct evict *e, uint32_t j, uint64_t *old)
{
    struct kernel *k = e->k;
    struct page *pg = e->map[j];
    struct process *q = pg->proc;
    vaddr_t va = page_va(pg);
    klock_acquire(&q->ptl, e->self);
    page_set(pg, PG_EVICTING);
    if (j == 0) {
        /* VMAs are written only with both the mm lock and the ptl held, so
         * the ptl is enough to read one. Pages without a VMA are anonymous. */
        struct vma *v = vma_find(&q->vmas, va);
        e->has_vma = v != NULL;
        if (v)
            e->v = *v;
    }
    if (page_flags(pg) & PG_DIRTY)
        e->dirty = true;
    *old = kpte_exchange(k, mmu_pte_lookup(q, va, page_level(pg)), 0);
    if (__builtin_expect(cpu_observer(e->self) != NULL, 0)) {
        struct pte_info pi;
        k->fmt->decode(*old, page_level(pg), &pi);
        tell(e, VM_EVICT_UNMAP, &(struct vm_ev_evict){.pid = q->pid, .va = va, .old_pte = *old,
                                                       .accessed = pi.accessed, .dirty = pi.dirty});
    }
    mmu_flush_range(q, e->self, va, va + page_size(pg));
    klock_release(&q->ptl);
    struct pte_info pi;
    k->fmt->decode(*old, page_level(pg), &pi);
    if (pi.dirty)
        e->dirty = true;
}

/* Step 3 for mapper j. */
static void settle_mapper(struct evict *e, uint32_t j, uint64_t old, enum evict_result res)
{
    struct kernel *k = e->k;
    struct page *pg = e->map[j];
    struct process *q = pg->proc;
    klock_acquire(&q->ptl, e->self);
    if (res != EV_OK) {
        /* keep the page: put the mapping back as it was (A, D and all) */
        kpte_store(k, mmu_pte_lookup(q, page_va(pg), page_level(pg)), old);
    } else {
        page_clear(pg, PG_RESIDENT);
        pg->u.r.frame = FRAME_NONE;
        page_ops(pg)->evicted(e, pg);
        __atomic_fetch_sub(&q->resident, page_npages(pg), __ATOMIC_RELAXED);
    }
    page_clear(pg, PG_EVICTING);
    klock_release(&q->ptl);
}

enum evict_result evict_frame(struct kernel *k, struct cpu *self, uint32_t i)
{
    struct frame_table *ft = &k->ft;
    struct evict e = {
        .k = k, .self = self, .frame = i, .kva = physmem_host(k->pm, frame_pa(ft, i)),
        .rm = frame_rmap(ft, i),
    };
    e.n = frame_mappers(ft, i, &e.map);
    e.q = e.map[0]->proc;
    e.dirty = e.rm && e.rm->dirty;
    uint64_t one, *old = e.n > 1 ? malloc(e.n * sizeof *old) : &one;
    if (!old)
        return EV_IO_ERROR;   /* try another victim */
    const bool watch = cpu_observer(self) != NULL;
    if (watch)
        tell(&e, VM_EVICT_START, &(struct vm_ev_evict){0});
    for (uint32_t j = 0; j < e.n; j++)
        unmap_mapper(&e, j, &old[j]);

    const struct page_ops *ops = page_ops(e.map[0]);
    enum evict_result res = ops->write_out(&e);

    /* the first mapper's page is still EVICTING: its owner cannot exit yet */
    if (res == EV_OK)
        count(e.q, VMSTAT_PGSTEAL, page_npages(e.map[0]));
    for (uint32_t j = 0; j < e.n; j++)
        settle_mapper(&e, j, old[j], res);
    if (watch)
        tell_done(&e, res);
    if (old != &one)
        free(old);
    free(e.scratch);
    return res;
}

/* Swap is full. A resident anonymous page that keeps a swap-cache slot
 * does not need it (its contents are in memory): take the slot back and
 * mark the page dirty, so that it is written again if evicted (Linux frees
 * swap cache the same way when swap runs low). Only a slot this page alone
 * owns frees space; shared frames and shared slots are left alone. Scans
 * from where it left off; true if a slot was freed. */
bool reclaim_swap_cache(struct kernel *k, struct cpu *self)
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
            frame_rmap(ft, i) || page_kind(pg) != PAGE_ANON || !(page_flags(pg) & PG_SLOT)) {
            klock_release(&ft->lock);
            continue;
        }
        ft->state[i] |= FS_RECLAIM;   /* nobody evicts or frees it meanwhile */
        klock_release(&ft->lock);

        struct process *q = pg->proc;
        bool freed = false;
        klock_acquire(&q->ptl, self);
        uint64_t fl = page_flags(pg);
        if ((fl & (PG_RESIDENT | PG_SLOT | PG_EVICTING)) == (PG_RESIDENT | PG_SLOT) &&
            swap_count(k->swap, pg->u.r.slot) == 1) {
            slot_put(q, pg->u.r.slot);
            pg->u.r.slot = SLOT_NONE;
            page_clear(pg, PG_SLOT);
            page_set(pg, PG_DIRTY);
            freed = true;
        }
        klock_release(&q->ptl);
        klock_acquire(&ft->lock, self);
        ft->state[i] &= ~FS_RECLAIM;
        ft->changes++;
        klock_release(&ft->lock);
        if (freed)
            return true;
    }
    return false;
}
