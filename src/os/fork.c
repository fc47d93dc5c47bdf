/* fork.c — duplicating an address space (PintOS's fork and
 * supplemental_page_table_copy; Linux's dup_mmap).
 *
 * The child gets the parent's VMAs (file VMAs with descriptors of their
 * own), stack pointer and program break; then every page of the parent is
 * given to its kind's fork operation: private pages are shared
 * copy-on-write (cow.c), pages with their own initializer get a copy of it
 * (uninit.c), shared file pages are left to the page cache (pagecache.c).
 * Last, the parent's TLBs are flushed, so that no write it makes through a
 * translation that was writable before fork reaches a frame it now shares.
 *
 * The parent's mm lock is held throughout, so its faults wait; its other
 * CPUs may still run until the flush, as in Linux (a snapshot consistent
 * with them needs them stopped). The child is not published until the copy
 * is complete: nobody else takes its locks, and the evictor reaches its
 * pages only through the frames they share, which fork keeps pinned while
 * it makes each child PTE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "os/kern.h"

static int copy_vmas(struct fork_ctx *x)
{
    struct process *p = x->parent, *c = x->child;
    for (unsigned n = 0; n < p->vmas.n; n++) {
        struct vma v = p->vmas.v[n];
        if (v.flags & VMA_FILE) {
            v.fd = fcntl(p->vmas.v[n].fd, F_DUPFD_CLOEXEC, 3);
            if (v.fd < 0)
                return -errno;
        }
        klock_acquire(&c->ptl, x->self);
        int rc = vma_insert(&c->vmas, &v);
        klock_release(&c->ptl);
        if (rc < 0) {
            if (v.flags & VMA_FILE)
                close(v.fd);
            return rc;
        }
    }
    return 0;
}

static int fork_one(struct page *pg, void *arg)
{
    return page_ops(pg)->fork(arg, pg);
}

int kernel_process_fork(struct process *p, const char *name, struct cpu *self, struct process **out)
{
    struct kernel *k = p->k;
    self = kself(k, self);
    *out = NULL;
    if (process_killed(p))
        return -ESRCH;
    struct process *c = kernel_process_create_abi(k, name ? name : p->name, p->abi->id);
    if (!c)
        return -ENOMEM;
    struct fork_ctx *x = malloc(sizeof *x);   /* the batch is too big for a CPU thread's stack */
    if (!x) {
        kernel_process_exit(c, self);
        return -ENOMEM;
    }
    *x = (struct fork_ctx){.parent = p, .child = c, .self = self};
    klock_acquire(&p->lock, self);
    c->rsp = process_rsp(p);   /* the child's front end gives it a source of its own */
    c->heap_start = p->heap_start;
    c->brk = p->brk;
    int err = copy_vmas(x);
    if (!err)
        err = spt_for_each(&p->spt, fork_one, x);
    if (!err)
        err = cow_fork_flush(x);
    mmu_flush_all(p, self);   /* the write-protected PTEs, also after a failure */
    klock_release(&p->lock);
    free(x);
    if (err) {
        kernel_process_exit(c, self);
        return err;
    }
    *out = c;
    return 0;
}
