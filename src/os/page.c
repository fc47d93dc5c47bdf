/* page.c — the table of page kinds, and what every kind shares: its swap
 * slot references.
 *
 * page_ops(pg) is page_ops_table[kind]: the one place a kind is turned into
 * behaviour. Each kind's table lives with its code: uninit.c, anon.c,
 * file.c, pagecache.c (shared), thp.c (huge).
 */
#include "os/kern.h"
#include "os/swap.h"

const struct page_ops *const page_ops_table[PAGE_NKINDS] = {
    [PAGE_UNINIT] = &uninit_ops,
    [PAGE_ANON] = &anon_ops,
    [PAGE_FILE] = &file_ops,
    [PAGE_SHARED] = &shared_ops,
    [PAGE_HUGE] = &huge_ops,
};

void slot_put(struct process *p, uint32_t slot)
{
    swap_free(p->k->swap, slot);
    __atomic_fetch_sub(&p->slots, 1, __ATOMIC_RELAXED);
}

void slot_get(struct process *p, uint32_t slot)
{
    bool ok = swap_dup(p->k->swap, slot);
    (void)ok;   /* 2^32 owners of one slot cannot happen: every owner is a struct page */
    __atomic_fetch_add(&p->slots, 1, __ATOMIC_RELAXED);
}

void page_destroy_slot(struct process *p, struct page *pg)
{
    if (page_flags(pg) & PG_SLOT) {
        slot_put(p, pg->u.r.slot);
        pg->u.r.slot = SLOT_NONE;
        page_clear(pg, PG_SLOT);
    }
}
