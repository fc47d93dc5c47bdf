/* anon.c — anonymous pages: zero-filled on their first touch, swap-backed
 * (Linux's do_anonymous_page and do_swap_page; PintOS's anon_swap_in and
 * anon_swap_out).
 *
 * A page swapped back in keeps its slot (a swap cache): as long as it is
 * not written, its next eviction drops it instead of writing it again. A
 * slot may have several owners -- fork shares the slots of swapped-out
 * pages, and a frame shared copy-on-write is written to one slot that all
 * its mappers record -- so a dirty page is rewritten in place only when its
 * mappers own the slot alone; otherwise it gets a new slot and lets go of
 * the old one.
 */
#include <errno.h>
#include <string.h>

#include "os/kern.h"
#include "os/swap.h"

static enum kill_reason anon_fill(struct process *p, struct page *pg, const struct vma *v,
                                  void *kva, bool *major)
{
    (void)v;
    if (!(page_flags(pg) & PG_SLOT)) {
        memset(kva, 0, VM_PAGE_SIZE);
        count(p, VMSTAT_ZERO_FILL, 1);
        return KILL_NONE;
    }
    int rc = swap_read(p->k->swap, pg->u.r.slot, kva);
    if (rc == -EBADMSG) {
        count(p, VMSTAT_SWAP_CHECKSUM_ERRORS, 1);
        return KILL_SWAP_CORRUPT;
    }
    if (rc < 0) {
        count(p, VMSTAT_SWAP_READ_ERRORS, 1);
        return KILL_SWAP_IO_ERROR;
    }
    count(p, VMSTAT_PSWPIN, 1);
    *major = true;
    return KILL_NONE;
}

enum evict_result swap_write_out(struct evict *e)
{
    struct kernel *k = e->k;
    struct page *first = e->map[0];
    if (!e->dirty) {
        /* the same as its backing copy: zeros never written, the file, or
         * the slot it came from */
        count(e->q, VMSTAT_PGDROP_CLEAN, 1);
        return EV_OK;
    }
    e->reuse = (page_flags(first) & PG_SLOT) && swap_count(k->swap, first->u.r.slot) == e->n;
    if (e->reuse) {
        e->slot = first->u.r.slot;
    } else {
        int64_t s = swap_alloc(k->swap);
        if (s < 0 && reclaim_swap_cache(k, e->self))
            s = swap_alloc(k->swap);
        if (s < 0)
            return EV_SWAP_FULL;
        e->slot = (uint32_t)s;
    }
    if (swap_write(k->swap, e->slot, e->kva) < 0) {
        count(e->q, VMSTAT_SWAP_WRITE_ERRORS, 1);
        if (!e->reuse)
            swap_free(k->swap, e->slot);
        return EV_IO_ERROR;
    }
    e->wrote = true;
    count(e->q, VMSTAT_PSWPOUT, 1);
    return EV_OK;
}

void swap_evicted(struct evict *e, struct page *pg)
{
    if (!e->wrote)
        return;   /* dropped: it keeps whatever slot it had */
    if (!e->reuse) {
        page_destroy_slot(pg->proc, pg);   /* its old copy is stale now */
        if (e->given++ == 0)
            __atomic_fetch_add(&pg->proc->slots, 1, __ATOMIC_RELAXED);   /* the allocation's */
        else
            slot_get(pg->proc, e->slot);
        pg->u.r.slot = e->slot;
        page_set(pg, PG_SLOT);
    }
    page_clear(pg, PG_DIRTY);
    if (page_kind(pg) == PAGE_FILE)
        page_set_kind(pg, PAGE_ANON);   /* a written private file page lives in swap now */
}

const struct page_ops anon_ops = {
    .name = "anon",
    .claim = claim_frame,
    .fill = anon_fill,
    .write_out = swap_write_out,
    .evicted = swap_evicted,
    .destroy = page_destroy_slot,
    .fork = cow_fork_page,
};
