/* thp.c — huge anonymous pages (transparent huge pages, THP "always";
 * Linux's do_huge_pmd_anonymous_page).
 *
 * A huge page is one struct page at a 2 MiB-aligned address, one
 * frame-table entry heading 512 contiguous, aligned frames, and one level-1
 * leaf. Its fault allocates the run without evicting (Linux does not
 * compact either); when no run is free it falls back to 4 KiB pages
 * (thp_fault_fallback): the huge page is split into small pages that keep
 * its swap slots, and the fault is handled again at 4 KiB.
 *
 * It is evicted whole: dropped if clean; otherwise written to 512 slots, all
 * or none. Swapped back in whole, it gives its slots up (huge pages keep no
 * swap cache, so the next eviction writes again). fork shares it
 * copy-on-write like any private page (cow.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"
#include "os/swap.h"

/* Not resident, cannot get 512 contiguous frames: split pg into 4 KiB
 * pages (each keeps its slot; never-written ones need no entry: the VMA
 * zero-fills them). mm lock held; nobody else can reach the page (not
 * resident, not evicting). */
static void huge_split(struct process *p, struct page *pg)
{
    vaddr_t h = page_va(pg);
    struct huge_swap *hs = (page_flags(pg) & PG_SLOT) ? pg->u.hs : NULL;
    spt_remove(&p->spt, pg);
    page_free(&p->spt, pg);
    if (!hs)
        return;
    for (unsigned j = 0; j < HPAGE_PAGES; j++) {
        struct page *sp = page_new(&p->spt, p, h + (uint64_t)j * VM_PAGE_SIZE, PAGE_ANON);
        if (!sp) {
            slot_put(p, hs->slot[j]);   /* keep going: the remaining slots are released */
            continue;
        }
        sp->u.r.slot = hs->slot[j];
        page_set(sp, PG_SLOT | PG_LOADED);
        spt_insert(&p->spt, sp);
    }
    free(hs);
}

/* Fill a huge frame for pg: from its slots (then given up) or zeros. */
static enum kill_reason huge_fill(struct process *p, struct page *pg, char *kva, bool *major)
{
    struct kernel *k = p->k;
    if (!(page_flags(pg) & PG_SLOT)) {
        memset(kva, 0, HPAGE_SIZE);
        count(p, VMSTAT_ZERO_FILL, HPAGE_PAGES);
        return KILL_NONE;
    }
    struct huge_swap *hs = pg->u.hs;
    for (unsigned j = 0; j < HPAGE_PAGES; j++) {
        int rc = swap_read(k->swap, hs->slot[j], kva + (uint64_t)j * VM_PAGE_SIZE);
        if (rc == -EBADMSG) {
            count(p, VMSTAT_SWAP_CHECKSUM_ERRORS, 1);
            return KILL_SWAP_CORRUPT;
        }
        if (rc < 0) {
            count(p, VMSTAT_SWAP_READ_ERRORS, 1);
            return KILL_SWAP_IO_ERROR;
        }
    }
    for (unsigned j = 0; j < HPAGE_PAGES; j++)
        slot_put(p, hs->slot[j]);
    free(hs);
    pg->u.r.frame = FRAME_NONE;
    pg->u.r.slot = SLOT_NONE;
    page_clear(pg, PG_SLOT);
    page_set(pg, PG_DIRTY);   /* no swap cache for huge pages: the next eviction writes */
    count(p, VMSTAT_PSWPIN, HPAGE_PAGES);
    *major = true;
    return KILL_NONE;
}

static enum kill_reason huge_claim(struct fault *f)
{
    struct process *p = f->p;
    struct kernel *k = p->k;
    f->pte_pa = mmu_pte_create(p, f->va, 1);
    if (!f->pte_pa)
        return KILL_OOM_KERNEL;
    uint32_t i = frame_alloc_huge(k, f->cpu);
    if (i == FRAME_NONE) {
        count(p, VMSTAT_THP_FAULT_FALLBACK, 1);
        huge_split(p, f->pg);
        f->pg = NULL;
        f->no_huge = true;   /* then the 4 KiB path */
        f->retry = f->retry_now = true;
        return KILL_NONE;
    }
    bool major = false;
    enum kill_reason r = huge_fill(p, f->pg, physmem_host(k->pm, frame_pa(&k->ft, i)), &major);
    if (r != KILL_NONE) {
        frame_free(k, f->cpu, i, true);
        return r;
    }
    fault_map_frame(f, i, major);
    if (f->new_huge)
        count(p, VMSTAT_THP_FAULT_ALLOC, 1);
    return KILL_NONE;
}

/* Eviction: 512 slots, all or none; a clean page is dropped. */
static enum evict_result huge_write_out(struct evict *e)
{
    struct kernel *k = e->k;
    if (!e->dirty) {
        count(e->q, VMSTAT_PGDROP_CLEAN, HPAGE_PAGES);
        return EV_OK;
    }
    /* one table per mapper, made before anything is written so that
     * nothing can fail after the write */
    struct huge_swap **tabs = calloc(e->n, sizeof *tabs);
    for (uint32_t m = 0; tabs && m < e->n; m++)
        if (!(tabs[m] = malloc(sizeof **tabs))) {
            while (m--)
                free(tabs[m]);
            free(tabs);
            tabs = NULL;
        }
    if (!tabs)
        return EV_IO_ERROR;
    struct huge_swap *hs = tabs[0];
    unsigned got = 0;
    enum evict_result res = EV_OK;
    for (; got < HPAGE_PAGES; got++) {
        int64_t s = swap_alloc(k->swap);
        if (s < 0) {
            res = EV_SWAP_FULL;
            break;
        }
        hs->slot[got] = (uint32_t)s;
    }
    for (unsigned j = 0; res == EV_OK && j < HPAGE_PAGES; j++) {
        if (swap_write(k->swap, hs->slot[j], e->kva + (uint64_t)j * VM_PAGE_SIZE) < 0) {
            count(e->q, VMSTAT_SWAP_WRITE_ERRORS, 1);
            res = EV_IO_ERROR;
        }
    }
    if (res != EV_OK) {
        for (unsigned j = 0; j < got; j++)
            swap_free(k->swap, hs->slot[j]);
        for (uint32_t m = 0; m < e->n; m++)
            free(tabs[m]);
        free(tabs);
        return res;
    }
    count(e->q, VMSTAT_PSWPOUT, HPAGE_PAGES);
    e->hs = hs;
    e->scratch = tabs;   /* evicted hands them out; evict_frame frees the array */
    e->wrote = true;
    return EV_OK;
}

/* Per mapper: the slots. The first mapper takes the allocation; each other
 * mapper (a frame fork shared) gets its own copy of the table, made by
 * write_out, and a reference to every slot. */
static void huge_evicted(struct evict *e, struct page *pg)
{
    if (!e->wrote) {
        pg->u.r.slot = SLOT_NONE;
        return;
    }
    struct huge_swap **tabs = e->scratch;
    struct huge_swap *hs = tabs[e->given];
    if (e->given++ == 0) {
        __atomic_fetch_add(&pg->proc->slots, HPAGE_PAGES, __ATOMIC_RELAXED);
    } else {
        *hs = *e->hs;
        for (unsigned j = 0; j < HPAGE_PAGES; j++)
            slot_get(pg->proc, hs->slot[j]);
    }
    pg->u.hs = hs;
    page_set(pg, PG_SLOT);
    page_clear(pg, PG_DIRTY);
}

static void huge_destroy(struct process *p, struct page *pg)
{
    if (!(page_flags(pg) & PG_SLOT))
        return;
    for (unsigned j = 0; j < HPAGE_PAGES; j++)
        slot_put(p, pg->u.hs->slot[j]);
    free(pg->u.hs);
    pg->u.hs = NULL;
    page_clear(pg, PG_SLOT);
}

const struct page_ops huge_ops = {
    .name = "huge",
    .claim = huge_claim,
    .fill = NULL,   /* huge_claim fills the whole run itself */
    .write_out = huge_write_out,
    .evicted = huge_evicted,
    .destroy = huge_destroy,
    .fork = cow_fork_page,
};

/* ---- splitting ---- */

/* 512 small anonymous pages for the huge page at h, not yet in the SPT;
 * false (none left over) if the slab has no room. */
static bool small_pages(struct process *p, vaddr_t h, uint64_t flags, struct page *sp[HPAGE_PAGES])
{
    for (unsigned j = 0; j < HPAGE_PAGES; j++) {
        sp[j] = page_new(&p->spt, p, h + (uint64_t)j * VM_PAGE_SIZE, PAGE_ANON);
        if (!sp[j]) {
            while (j--)
                page_free(&p->spt, sp[j]);
            return false;
        }
        page_set(sp[j], flags);
    }
    return true;
}

/* The huge page pg gives way to the small pages sp in the SPT. */
static void replace_in_spt(struct process *p, struct page *pg, struct page *sp[HPAGE_PAGES])
{
    spt_remove(&p->spt, pg);
    page_free(&p->spt, pg);
    for (unsigned j = 0; j < HPAGE_PAGES; j++)
        spt_insert(&p->spt, sp[j]);
}

enum kill_reason thp_unshare(struct fault *f, uint32_t i)
{
    struct process *p = f->p;
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    struct page *pg = f->pg;
    vaddr_t h = page_va(pg);
    uint32_t fr[HPAGE_PAGES];
    struct page *sp[HPAGE_PAGES];
    enum kill_reason r = KILL_NONE;
    unsigned got = 0;
    for (; got < HPAGE_PAGES; got++) {
        enum frame_alloc_err why;
        fr[got] = frame_alloc(k, f->cpu, &why);
        if (fr[got] == FRAME_NONE) {
            r = frame_alloc_kill(why);
            break;
        }
    }
    if (r == KILL_NONE && !small_pages(p, h, PG_RESIDENT | PG_LOADED | PG_DIRTY, sp))
        r = KILL_OOM_KERNEL;
    if (r != KILL_NONE) {
        while (got--)
            frame_free(k, f->cpu, fr[got], false);
        frame_unpin(k, f->cpu, i);
        return r;
    }
    for (unsigned j = 0; j < HPAGE_PAGES; j++)
        frame_copy(k, frame_pa(ft, fr[j]), frame_pa(ft, i) + (uint64_t)j * VM_PAGE_SIZE, VM_PAGE_SIZE);

    paddr_t pde = mmu_pte_lookup(p, h, 1);
    klock_acquire(&p->ptl, f->cpu);
    uint64_t old = kpte_exchange(k, pde, 0);
    klock_release(&p->ptl);
    mmu_flush_range(p, f->cpu, h, h + HPAGE_SIZE);
    if (!mmu_pte_create(p, h, 0)) {   /* the table under the level-1 slot */
        kpte_store(k, pde, old);
        for (unsigned j = 0; j < HPAGE_PAGES; j++) {
            page_free(&p->spt, sp[j]);
            frame_free(k, f->cpu, fr[j], false);
        }
        frame_unpin(k, f->cpu, i);
        return KILL_OOM_KERNEL;
    }
    klock_acquire(&p->ptl, f->cpu);
    page_clear(pg, PG_RESIDENT);
    bool accessible = f->prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC);
    for (unsigned j = 0; j < HPAGE_PAGES; j++) {
        sp[j]->u.r.frame = fr[j];
        if (accessible)   /* PROT_NONE: frames kept, no leaf */
            kpte_store(k, mmu_pte_lookup(p, page_va(sp[j]), 0),
                       mmu_leaf(k, sp[j], frame_pa(ft, fr[j]), f->prot, true, false));
    }
    klock_release(&p->ptl);
    klock_acquire(&ft->lock, f->cpu);
    frame_unpin_locked(ft, i);
    bool orphan = rmap_leave(ft, i, pg);
    klock_release(&ft->lock);
    if (orphan)   /* everybody else left while we copied */
        frame_free(k, f->cpu, i, page_huge(pg));
    replace_in_spt(p, pg, sp);
    for (unsigned j = 0; j < HPAGE_PAGES; j++)
        frame_install(k, f->cpu, fr[j], sp[j]);
    return KILL_NONE;
}

/* A resident huge frame of pg's own (frame i, taken busy off the list by
 * the caller): 512 small pages on the same frames, one level-0 table
 * instead of the huge leaf. */
static int split_in_place(struct process *p, struct cpu *self, struct page *pg, uint32_t i)
{
    struct kernel *k = p->k;
    struct frame_table *ft = &k->ft;
    vaddr_t h = page_va(pg);
    struct page *sp[HPAGE_PAGES];
    paddr_t t = mmu_table_alloc(k);
    if (!t || !small_pages(p, h, PG_RESIDENT | PG_LOADED | (page_flags(pg) & PG_DIRTY), sp)) {
        if (t)
            mmu_table_free(k, t);
        klock_acquire(&ft->lock, self);
        ft->state[i] &= ~FS_BUSY;
        ft->policy->insert(ft, i);
        klock_release(&ft->lock);
        return -ENOMEM;
    }
    paddr_t pde = mmu_pte_lookup(p, h, 1);
    klock_acquire(&p->ptl, self);
    uint64_t old = kpte_exchange(k, pde, 0);
    klock_release(&p->ptl);
    mmu_flush_range(p, self, h, h + HPAGE_SIZE);
    struct pte_info pi;
    k->fmt->decode(old, 1, &pi);
    for (unsigned j = 0; j < HPAGE_PAGES; j++) {
        sp[j]->u.r.frame = i + j;
        uint64_t leaf = pi.present ? k->fmt->make_leaf(0, frame_pa(ft, i + j), pi.prot | VM_PROT_USER,
                                                       pi.accessed, pi.dirty, 0)
                                   : 0;   /* PROT_NONE: no leaf, frames kept */
        kpte_store(k, kpte_nth(k, t, j), leaf);
    }
    replace_in_spt(p, pg, sp);
    klock_acquire(&p->ptl, self);
    kpte_store(k, pde, k->fmt->make_table(1, t));
    p->pt_pages++;
    klock_release(&p->ptl);
    klock_acquire(&ft->lock, self);
    for (unsigned j = 0; j < HPAGE_PAGES; j++) {
        ft->f[i + j].page = sp[j];
        ft->state[i + j] = 0;
        ft->policy->insert(ft, i + j);
    }
    ft->tails -= HPAGE_PAGES - 1;
    ft->changes++;
    klock_release(&ft->lock);
    return 0;
}

int thp_split_at(struct process *p, struct cpu *self, vaddr_t va)
{
    struct frame_table *ft = &p->k->ft;
    struct page *pg = spt_lookup(&p->spt, va);
    if (!pg || !page_huge(pg))
        return 0;
    uint32_t i = frame_lock_settled(p, self, pg, FRAME_NONE, FS_BUSY | FS_RECLAIM);
    if (i == FRAME_NONE) {
        huge_split(p, pg);   /* not resident: its slots go page by page */
        return 0;
    }
    if (ft->state[i] & FS_PIN_MASK) {
        klock_release(&ft->lock);
        return -EBUSY;   /* kernel_pin holds it: its unpin looks for the huge page */
    }
    if (frame_rmap(ft, i)) {
        /* shared copy-on-write with another process: this one copies */
        frame_pin_locked(ft, i);
        klock_release(&ft->lock);
        struct vma *v = vma_find(&p->vmas, va);
        struct fault f = {.p = p, .cpu = self, .pg = pg, .prot = v ? v->prot : VM_PROT_READ};
        return thp_unshare(&f, i) == KILL_NONE ? 0 : -ENOMEM;
    }
    if (ft->state[i] & FS_LISTED)
        ft_list_remove(ft, i);
    ft->state[i] |= FS_BUSY;
    klock_release(&ft->lock);
    return split_in_place(p, self, pg, i);
}
