/* fork.c — duplicate an address space (PintOS's fork and
 * supplemental_page_table_copy), by copying: every page that holds data in
 * the parent — resident, swapped out, or a not yet loaded page with its own
 * initializer — gets its own copy in the child, in a frame of its own
 * (allocating may evict, the parent's pages included: PintOS pitfall 8).
 * Pages the child can rebuild by itself (never-loaded VMA pages, clean file
 * pages that were dropped, never-written zero pages) stay lazy. No
 * copy-on-write: that is a later refinement.
 *
 * The parent's mm lock is held for the whole copy, so its faults wait; a
 * snapshot consistent with the parent's other CPUs needs them stopped (as a
 * real fork write-protects first). The child is not published until the copy
 * is complete: nobody else can take its locks, and the evictor reaches its
 * frames through the frame table and its ptl only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/kern.h"
#include "os/swap.h"

/* Pin pg's frame if it is resident (waiting out evictions); its index, or
 * FRAME_NONE if the page is not resident. Owner's mm lock held. */
static uint32_t pin_if_resident(struct process *p, struct cpu *self, struct page *pg)
{
    struct frame_table *ft = &p->k->ft;
    uint32_t i = frame_lock_settled(p, self, pg, FS_BUSY);   /* pinning during a reclaim is fine */
    if (i != FRAME_NONE) {
        frame_pin_locked(ft, i);
        klock_release(&ft->lock);
    }
    return i;
}

static void unpin(struct kernel *k, struct cpu *self, uint32_t i)
{
    klock_acquire(&k->ft.lock, self);
    frame_unpin_locked(&k->ft, i);
    klock_release(&k->ft.lock);
}

/* A resident page of the child at va holding a copy of `data`. */
static int child_install(struct process *c, struct cpu *self, vaddr_t va, enum page_kind kind,
                         unsigned prot, bool dirty, const void *data)
{
    struct kernel *k = c->k;
    paddr_t pte_pa = mmu_pte_create(c, va, 0);
    if (!pte_pa)
        return -ENOMEM;
    enum frame_alloc_err why;
    uint32_t i = frame_alloc(k, self, &why);
    if (i == FRAME_NONE)
        return -ENOMEM;
    memcpy(physmem_frame(k->pm, frame_pa(&k->ft, i)), data, VM_PAGE_SIZE);
    struct page *pg = page_new(&c->spt, va, kind);
    if (!pg) {
        frame_free(k, self, i, false);
        return -ENOMEM;
    }
    pg->proc = c;
    spt_insert(&c->spt, pg);
    klock_acquire(&c->ptl, self);
    pg->u.r.frame = i;
    page_set(pg, PG_RESIDENT | PG_LOADED | (dirty ? PG_DIRTY : 0));
    kpte_store(k, pte_pa, k->fmt->make_leaf(0, frame_pa(&k->ft, i), prot | VM_PROT_USER, true, false, 0));
    klock_release(&c->ptl);
    frame_install(k, self, i, pg);
    stat_add(&c->resident, 1);
    return 0;
}

struct fork_ctx {
    struct process *parent, *child;
    struct cpu *self;
    int err;
    unsigned char buf[VM_PAGE_SIZE];
};

/* Copy one page of the parent. */
static void copy_page(struct page *pg, void *arg)
{
    struct fork_ctx *x = arg;
    struct process *p = x->parent, *c = x->child;
    struct kernel *k = p->k;
    if (x->err)
        return;
    vaddr_t va = page_va(pg);
    uint64_t fl = page_flags(pg);
    enum page_kind kind = page_kind(pg);
    struct vma *v = vma_find(&p->vmas, va);
    unsigned prot = v ? v->prot : VM_PROT_READ | (fl & PG_WRITABLE ? VM_PROT_WRITE : 0);

    if (kind == PAGE_UNINIT) {
        if (!(fl & PG_CUSTOM))
            return;   /* the VMA rebuilds it */
        struct page_init *in = malloc(sizeof *in);
        struct page *cp = page_new(&c->spt, va, PAGE_UNINIT);
        if (!in || !cp) {
            free(in);
            x->err = -ENOMEM;
            return;
        }
        *in = *pg->u.init;   /* aux is shared: the initializer must not free it */
        cp->proc = c;
        cp->u.init = in;
        page_set(cp, PG_CUSTOM | (fl & PG_WRITABLE));
        spt_insert(&c->spt, cp);
        return;
    }

    if (fl & PG_SHARED)
        return;   /* a shared file page: the child maps the page cache's frame on its fault */
    bool huge = fl & PG_HUGE;
    unsigned npages = huge ? HPAGE_PAGES : 1;
    uint32_t i = pin_if_resident(p, x->self, pg);
    if (i != FRAME_NONE) {
        /* dirty: the copy differs from any backing copy the child could use */
        paddr_t pte = mmu_pte_lookup(p, va, page_level(pg));
        struct pte_info pi;
        k->fmt->decode(pte ? kpte_load(k, pte) : 0, page_level(pg), &pi);
        bool dirty = kind == PAGE_ANON || pi.dirty || (page_flags(pg) & PG_DIRTY);
        const char *src = physmem_host(k->pm, frame_pa(&k->ft, i));
        for (unsigned j = 0; j < npages && !x->err; j++) {
            memcpy(x->buf, src + (uint64_t)j * VM_PAGE_SIZE, VM_PAGE_SIZE);
            x->err = child_install(c, x->self, va + (uint64_t)j * VM_PAGE_SIZE, kind, prot, dirty, x->buf);
        }
        unpin(k, x->self, i);
        return;
    }
    if (!(fl & PG_SLOT))
        return;   /* dropped clean: re-read or re-zeroed on the child's fault */
    for (unsigned j = 0; j < npages && !x->err; j++) {
        uint32_t slot = huge ? pg->u.hs->slot[j] : pg->u.r.slot;
        int rc = swap_read(k->swap, slot, x->buf);
        if (rc < 0) {
            x->err = rc == -EBADMSG ? -EBADMSG : -EIO;
            return;
        }
        x->err = child_install(c, x->self, va + (uint64_t)j * VM_PAGE_SIZE, PAGE_ANON, prot, true, x->buf);
    }
}

int kernel_process_fork(struct process *p, const char *name, struct cpu *self, struct process **out)
{
    struct kernel *k = p->k;
    self = kself(k, self);
    *out = NULL;
    if (process_killed(p))
        return -ESRCH;
    struct process *c = kernel_process_create(k, name ? name : p->name);
    if (!c)
        return -ENOMEM;
    struct fork_ctx *x = calloc(1, sizeof *x);
    if (!x) {
        kernel_process_exit(c, self);
        return -ENOMEM;
    }
    x->parent = p;
    x->child = c;
    x->self = self;
    klock_acquire(&p->lock, self);
    /* the mappings first: the evictor reads the child's VMAs for its pages */
    for (unsigned n = 0; n < p->vmas.n && !x->err; n++) {
        struct vma v = p->vmas.v[n];
        if (v.flags & VMA_FILE) {
            v.fd = fcntl(p->vmas.v[n].fd, F_DUPFD_CLOEXEC, 3);
            if (v.fd < 0) {
                x->err = -errno;
                break;
            }
        }
        klock_acquire(&c->ptl, self);
        int rc = vma_insert(&c->vmas, &v);
        klock_release(&c->ptl);
        if (rc < 0) {
            if (v.flags & VMA_FILE)
                close(v.fd);
            x->err = rc;
        }
    }
    if (!x->err)
        spt_for_each(&p->spt, copy_page, x);
    c->rsp = __atomic_load_n(&p->rsp, __ATOMIC_RELAXED);
    klock_release(&p->lock);
    int err = x->err;
    free(x);
    if (err) {
        kernel_process_exit(c, self);
        return err;
    }
    *out = c;
    return 0;
}
