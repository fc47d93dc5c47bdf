/* uninit.c — pages registered with an initializer of their own
 * (kernel_alloc_page_with_initializer: PintOS's
 * vm_alloc_page_with_initializer with a custom init).
 *
 * The page is not loaded until its first fault, which zero-fills a frame,
 * runs init(kva, va, aux) on it and makes the page anonymous: from then on
 * it is swap-backed, and it differs from its backing (zeros) at once.
 * fork gives the child its own copy of the initializer; aux is shared, so
 * an initializer must not free it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"

static enum kill_reason uninit_fill(struct process *p, struct page *pg, const struct vma *v,
                                    void *kva, bool *major)
{
    (void)p, (void)v;
    *major = false;
    struct page_init *in = pg->u.init;
    memset(kva, 0, VM_PAGE_SIZE);
    if (!in->init(kva, page_va(pg), in->aux))
        return KILL_FILE_IO_ERROR;
    free(in);
    pg->u.r.frame = FRAME_NONE;
    pg->u.r.slot = SLOT_NONE;
    page_set(pg, PG_DIRTY);
    page_set_kind(pg, PAGE_ANON);
    return KILL_NONE;
}

static void uninit_destroy(struct process *p, struct page *pg)
{
    (void)p;
    free(pg->u.init);
    pg->u.init = NULL;
}

static int uninit_fork(struct fork_ctx *x, struct page *pg)
{
    struct page_init *in = malloc(sizeof *in);
    if (!in)
        return -ENOMEM;
    *in = *pg->u.init;
    struct page *cp = fork_child_page(x, pg, PG_WRITABLE);
    if (!cp) {
        free(in);
        return -ENOMEM;
    }
    cp->u.init = in;
    return 0;
}

/* An uninit page is never resident as such (its fill makes it anon), so it
 * never meets eviction. */
const struct page_ops uninit_ops = {
    .name = "uninit",
    .claim = claim_frame,
    .fill = uninit_fill,
    .write_out = swap_write_out,
    .evicted = swap_evicted,
    .destroy = uninit_destroy,
    .fork = uninit_fork,
};
