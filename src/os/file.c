/* file.c — private file pages: an ELF segment's pages, MAP_PRIVATE file
 * mappings (PintOS's file-backed pages of an executable; Linux's do_fault
 * on a private mapping).
 *
 * A page is read from its file on its first touch (the part past the
 * VMA's file bytes, or past end of file, reads as zero). A clean page is
 * dropped at eviction and read again; a written one differs from the file
 * and is no longer the file's: it goes to swap and becomes anonymous. fork
 * shares the frame copy-on-write, as for anonymous pages.
 */
#include "os/kern.h"

enum kill_reason file_fill(struct process *p, struct page *pg, const struct vma *v, void *kva,
                           bool *major)
{
    vaddr_t va = page_va(pg);
    bool past_eof;
    uint64_t n = file_page_bytes(v, va, &past_eof);
    if (past_eof)
        return KILL_SIGBUS_EOF;
    enum kill_reason r = file_page_read(v->fd, kva, n, vma_file_offset(v, va));
    if (r == KILL_NONE) {
        count(p, VMSTAT_FILE_READ, 1);
        *major = true;
    }
    return r;
}

const struct page_ops file_ops = {
    .name = "file",
    .claim = claim_frame,
    .fill = file_fill,
    .write_out = swap_write_out,
    .evicted = swap_evicted,
    .destroy = page_destroy_slot,
    .fork = cow_fork_page,
};
