/* fileio.c — reading and writing file pages: the one place the kernel does
 * it (private file faults, the page cache's fills, eviction and unmap
 * write-back).
 *
 * A file VMA names how many of its bytes come from the file (file_bytes:
 * an ELF segment's p_filesz, PintOS's mmap length clipped to the file),
 * and the rest of its pages read as zero. A Linux mapping instead follows
 * the file as it is at fault time: the part of the last page past end of
 * file reads as zero, and a page wholly past end of file is a SIGBUS.
 * Either way the bytes past end of file are never written back.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/kern.h"

enum kill_reason file_page_read(int fd, void *kva, uint64_t n, uint64_t off)
{
    char *dst = kva;
    uint64_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, dst + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return KILL_FILE_IO_ERROR;
        if (r == 0)
            break;   /* the file shrank: the rest reads as zero */
        done += (uint64_t)r;
    }
    memset(dst + done, 0, VM_PAGE_SIZE - done);
    return KILL_NONE;
}

int file_page_write(int fd, const void *kva, uint64_t n, uint64_t off)
{
    const char *src = kva;
    while (n) {
        ssize_t w = pwrite(fd, src, n, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (w == 0)
            return -EIO;
        src += w;
        n -= (uint64_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

uint64_t file_page_bytes(const struct vma *v, vaddr_t va, bool *past_eof)
{
    uint64_t rel = va - v->start, backed = v->file_bytes;
    *past_eof = false;
    if (v->flags & VMA_EOF_SIGBUS) {
        struct stat st;
        uint64_t size = fstat(v->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
        backed = size > v->offset ? size - v->offset : 0;
        if (rel >= VM_ALIGN_UP(backed, VM_PAGE_SIZE)) {
            *past_eof = true;
            return 0;
        }
    }
    if (rel >= backed)
        return 0;
    return backed - rel < VM_PAGE_SIZE ? backed - rel : VM_PAGE_SIZE;
}

int file_page_writeback(struct process *p, const struct vma *v, vaddr_t va, const void *kva)
{
    bool past_eof;
    uint64_t n = file_page_bytes(v, va, &past_eof);
    if (n == 0)
        return 0;   /* the file shrank below this page: nothing of it is the file's any more */
    int rc = file_page_write(v->fd, kva, n, vma_file_offset(v, va));
    count(p, rc < 0 ? VMSTAT_FILE_WRITEBACK_ERRORS : VMSTAT_FILE_WRITEBACK, 1);
    return rc;
}
