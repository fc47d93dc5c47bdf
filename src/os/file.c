/* file.c — private file pages: an ELF segment's pages, MAP_PRIVATE file
 * mappings (PintOS's file-backed pages of an executable; Linux's do_fault
 * on a private mapping).
 *
 * A page is read from its file on its first touch (the part past the
 * VMA's file bytes, or past end of file, reads as zero; a page wholly past
 * the file bytes -- bss -- is a zero fill, as Linux maps bss anonymous), through the page
 * cache if a shared mapping has the page there (so it starts as the file
 * is, not as the disk is). A clean page is
 * dropped at eviction and read again; a written one differs from the file
 * and is no longer the file's: it goes to swap and becomes anonymous. fork
 * shares the frame copy-on-write, as for anonymous pages.
 */
#include <string.h>

#include "os/kern.h"

enum kill_reason file_fill(struct process *p, struct page *pg, const struct vma *v, void *kva,
                           bool *major)
{
    vaddr_t va = page_va(pg);
    bool past_eof;
    uint64_t n = file_page_bytes(v, va, &past_eof);
    if (past_eof)
        return KILL_SIGBUS_EOF;
    if (n == 0 && page_kind(pg) != PAGE_SHARED) {
        /* wholly past the VMA's file bytes: an ELF segment's bss, which
         * Linux maps anonymous -- a zero fill, no I/O */
        memset(kva, 0, VM_PAGE_SIZE);
        count(p, VMSTAT_ZERO_FILL, 1);
        *major = false;
        return KILL_NONE;
    }
    enum kill_reason r;
    if (page_kind(pg) == PAGE_SHARED) {
        /* the page cache's own fill: nobody has the page yet */
        r = file_page_read(v->fd, kva, n, vma_file_offset(v, va));
    } else {
        /* a private page starts as the file's page is now, which may be a
         * page-cache frame newer than the file (filerw.c) */
        int64_t got = kernel_file_pread(p->k, v->fd, kva, n, vma_file_offset(v, va));
        r = got < 0 ? KILL_FILE_IO_ERROR : KILL_NONE;
        if (got >= 0)
            memset((char *)kva + got, 0, VM_PAGE_SIZE - (uint64_t)got);
    }
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
