/* inspect.c — the kernel's state as tools see it (vmlab/observe.h): the
 * frame table with the replacement policy's lists, hand and per-frame
 * state, and the swap slots in use with a page that records each.
 *
 * Everything is read under the locks that protect it (the frame-table lock,
 * then each mapper's ptl separately: they are never held together), so the
 * calls are safe at any time, but a picture of a kernel other CPUs are
 * changing is not one instant.
 */
#include <stdlib.h>
#include <string.h>

#include <vmlab/observe.h>

#include "os/kern.h"
#include "os/swap.h"

/* A's and D's of every mapping of frame i, and the pages' own dirty state
 * (ft->lock held: the mappers do not change; entries are read atomically). */
static void frame_bits(struct kernel *k, uint32_t i, bool *accessed, bool *dirty)
{
    const struct frame_table *ft = &k->ft;
    const struct rmap *rm = frame_rmap(ft, i);
    *accessed = false;
    *dirty = rm && rm->dirty;
    struct page *const *map;
    uint32_t n = frame_mappers(ft, i, &map);
    for (uint32_t j = 0; j < n; j++) {
        const struct page *pg = map[j];
        if (page_flags(pg) & PG_DIRTY)
            *dirty = true;
        paddr_t pte = mmu_pte_lookup(pg->proc, page_va(pg), page_level(pg));
        uint64_t v = pte ? kpte_load(k, pte) : 0;
        if (v & k->fmt->a_bit)
            *accessed = true;
        if (v & k->fmt->d_bit)
            *dirty = true;
    }
}

uint64_t kernel_inspect_frames(struct kernel *k, struct kernel_policy_info *pi,
                               struct kernel_frame_info *out, uint64_t max)
{
    struct frame_table *ft = &k->ft;
    const struct policy *pol = ft->policy;
    struct cpu *self = kself(k, NULL);   /* the caller's CPU, if it drives one: waits serve it */
    klock_acquire(&ft->lock, self);
    if (pi) {
        memset(pi, 0, sizeof *pi);
        pi->name = pol->name;
        pi->list_name[0] = pol->lists[0];
        pi->list_name[1] = pol->lists[1];
        pi->head[0] = ft->head;
        pi->head[1] = ft->active_head;
        pi->has_hand = pol->hand;
        pi->hand = pol->hand ? ft->hand : FRAME_NONE;
        pi->mark_name = pol->mark ? pol->mark_name : NULL;
        pi->nframes = ft->nframes;
        pi->listed = ft->listed;
    }
    for (uint64_t i = 0; out && i < max && i < ft->nframes; i++) {
        struct kernel_frame_info *f = &out[i];
        uint32_t st = ft->state[i];
        memset(f, 0, sizeof *f);
        f->busy = st & FS_BUSY;
        f->listed = st & FS_LISTED;
        f->pinned = st & FS_PIN_MASK;
        f->huge_tail = st & FS_TAIL;
        f->used = f->busy || f->listed || f->huge_tail || ft->f[i].page;
        f->ring = (st & FS_ACTIVE) ? 1 : 0;
        f->next = f->listed ? ft->f[i].next : FRAME_NONE;
        struct page *const *map;
        f->mappers = frame_mappers(ft, (uint32_t)i, &map);
        if (f->mappers) {
            f->pid = map[0]->proc->pid;
            f->va = page_va(map[0]);
            f->kind = page_ops(map[0])->name;
            if (!f->busy)
                frame_bits(k, (uint32_t)i, &f->accessed, &f->dirty);
        }
        f->mark = pol->mark && f->listed ? pol->mark(ft, (uint32_t)i) : 0;
    }
    uint64_t n = ft->nframes;
    klock_release(&ft->lock);
    return n;
}

/* ---- swap ---- */

struct slot_walk {
    struct process *p;
    struct kernel_slot_info *v;
    uint64_t n, cap;
    bool failed;
};

static void add_slot(struct slot_walk *w, uint32_t slot, vaddr_t va, bool cached)
{
    if (w->n == w->cap) {
        uint64_t cap = w->cap ? 2 * w->cap : 256;
        struct kernel_slot_info *v = realloc(w->v, cap * sizeof *v);
        if (!v) {
            w->failed = true;
            return;
        }
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = (struct kernel_slot_info){.slot = slot, .pid = w->p->pid, .va = va,
                                             .cached = cached};
}

static int page_slots(struct page *pg, void *arg)
{
    struct slot_walk *w = arg;
    uint64_t fl = page_flags(pg);
    if (!(fl & PG_SLOT) || w->failed)
        return 0;
    bool cached = fl & PG_RESIDENT;
    if (page_huge(pg)) {
        for (uint32_t j = 0; j < HPAGE_PAGES; j++)
            add_slot(w, pg->u.hs->slot[j], page_va(pg) + (uint64_t)j * VM_PAGE_SIZE, cached);
    } else {
        add_slot(w, pg->u.r.slot, page_va(pg), cached);
    }
    return 0;
}

static int by_slot(const void *a, const void *b)
{
    const struct kernel_slot_info *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return x->pid < y->pid ? -1 : x->pid > y->pid;
}

uint64_t kernel_inspect_swap(struct kernel *k, struct kernel_slot_info *out, uint64_t max,
                             uint64_t *nslots)
{
    struct slot_walk w = {0};
    *nslots = k->swap ? swap_slots(k->swap) : 0;
    if (!k->swap)
        return 0;
    /* The processes, taken from the list under its (leaf) lock; then every
     * page of each that records a slot, under its mm lock and ptl. No
     * process may exit meanwhile (observe.h: between accesses, from the
     * thread that drives the CPUs). */
    pthread_mutex_lock(&k->proc_lock);
    unsigned np = 0;
    struct process **procs = malloc((k->nprocs ? k->nprocs : 1) * sizeof *procs);
    for (struct process *p = k->procs; procs && p; p = p->next)
        procs[np++] = p;
    pthread_mutex_unlock(&k->proc_lock);
    struct cpu *self = kself(k, NULL);
    for (unsigned i = 0; i < np; i++) {
        struct process *p = procs[i];
        w.p = p;
        klock_acquire(&p->lock, self);
        klock_acquire(&p->ptl, self);
        spt_for_each(&p->spt, page_slots, &w);
        klock_release(&p->ptl);
        klock_release(&p->lock);
    }
    free(procs);
    if (w.n)
        qsort(w.v, w.n, sizeof *w.v, by_slot);
    /* one row per slot: its first recorder, and how many record it */
    uint64_t rows = 0;
    for (uint64_t i = 0; i < w.n; i++) {
        if (i > 0 && w.v[i].slot == w.v[i - 1].slot)
            continue;
        if (out && rows < max) {
            out[rows] = w.v[i];
            out[rows].owners = swap_count(k->swap, w.v[i].slot);
        }
        rows++;
    }
    free(w.v);
    return rows;
}

/* ---- a process's memory, as its page tables map it now ---- */

/* va's physical address by p's tables as they are (no A/D set, nothing
 * cached, nothing faulted in); false if nothing maps it. */
static bool peek_translate(struct process *p, vaddr_t va, paddr_t *pa)
{
    struct kernel *k = p->k;
    const struct pt_format *fmt = k->fmt;
    if (!p->root || !pt_canonical(fmt, va))
        return false;
    paddr_t table = p->root;
    for (int level = (int)fmt->levels - 1; level >= 0; level--) {
        paddr_t e = kpte_slot(k, table, va, (unsigned)level);
        if (!physmem_contains(k->pm, e, fmt->pte_bytes))
            return false;
        struct pte_info pi;
        fmt->decode(kpte_load(k, e), (unsigned)level, &pi);
        if (!pi.present)
            return false;
        if (pi.leaf || level == 0) {
            vaddr_t span = pt_fmt_size(fmt, (unsigned)level);
            *pa = pi.addr + (va & (span - 1));
            return true;
        }
        table = pi.addr;
    }
    return false;
}

int kernel_inspect_read(struct process *p, vaddr_t va, void *buf, size_t len)
{
    uint8_t *out = buf;
    while (len) {
        size_t n = VM_PAGE_SIZE - (va & VM_PAGE_MASK);
        if (n > len)
            n = len;
        paddr_t pa;
        if (!peek_translate(p, va, &pa) || physmem_read(p->k->pm, pa, out, n))
            return -1;
        out += n;
        va += n;
        len -= n;
    }
    return 0;
}
