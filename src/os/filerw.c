/* filerw.c — read(2) and write(2) of files through the page cache.
 *
 * A file page that some process maps shared lives in the page cache, and
 * while it does, its frame -- not the host file -- holds the newest bytes
 * (a mapping may have written them and not yet been written back). So a
 * transfer goes page by page: a cached page is copied from or into its
 * frame (pinned meanwhile); a write also goes to the file at once (write
 * through), so the file is never behind a write() and the frame is never
 * behind the file. A page that is not cached goes to the file directly; a
 * write first puts a placeholder in the cache, so that no fault reads the
 * file while the write is half done. A page being filled, evicted or freed
 * is waited for.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/kern.h"

/* The next step of a transfer: one page's piece of it. */
static uint64_t piece(uint64_t off, uint64_t left)
{
    uint64_t room = VM_PAGE_SIZE - (off & VM_PAGE_MASK);
    return left < room ? left : room;
}

enum cached { NOT_CACHED, CACHED, BUSY };

/* Is the page at pgoff of (dev, ino) cached? If so its frame comes back
 * pinned; with placeholder, an uncached page gets a placeholder entry
 * (*ph) that keeps faults out until pc_unplace. */
static enum cached pc_pin(struct kernel *k, struct cpu *self, uint64_t dev, uint64_t ino,
                          uint64_t pgoff, uint32_t *frame, struct rmap **ph)
{
    struct frame_table *ft = &k->ft;
    klock_acquire(&ft->lock, self);
    struct rmap *e = pc_find(&ft->pc, dev, ino, pgoff);
    enum cached r = NOT_CACHED;
    if (e && (e->frame == FRAME_NONE || (ft->state[e->frame] & (FS_BUSY | FS_RECLAIM)))) {
        r = BUSY;
    } else if (e) {
        *frame = e->frame;
        frame_pin_locked(ft, e->frame);
        r = CACHED;
    } else if (ph && (*ph = rmap_alloc(ft))) {
        pc_entry_init(*ph, dev, ino, pgoff);
        pc_insert(&ft->pc, *ph);
    }
    klock_release(&ft->lock);
    return r;
}

static void pc_unplace(struct kernel *k, struct cpu *self, struct rmap *ph)
{
    klock_acquire(&k->ft.lock, self);
    pc_remove(&k->ft, ph);
    klock_release(&k->ft.lock);
}

static int64_t transfer(struct kernel *k, int fd, char *buf, uint64_t len, uint64_t off, bool write)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode)) {   /* no page cache for pipes and devices */
        ssize_t r = write ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);
        return r < 0 ? -errno : r;
    }
    struct cpu *self = kself(k, NULL);
    uint64_t done = 0;
    while (done < len) {
        uint64_t at = off + done, n = piece(at, len - done);
        if (!write) {
            if (fstat(fd, &st) < 0)
                return done ? (int64_t)done : -errno;
            if (at >= (uint64_t)st.st_size)
                break;
            if (n > (uint64_t)st.st_size - at)
                n = (uint64_t)st.st_size - at;
        }
        uint32_t i = FRAME_NONE;   /* set when cached */
        struct rmap *ph = NULL;
        enum cached c = pc_pin(k, self, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
                               at >> VM_PAGE_SHIFT, &i, write ? &ph : NULL);
        if (c == BUSY) {
            kwait_step(self);
            continue;
        }
        char *frame = c == CACHED ? (char *)physmem_frame(k->pm, frame_pa(&k->ft, i)) : NULL;
        ssize_t r;
        if (write) {
            if (frame)
                memcpy(frame + (at & VM_PAGE_MASK), buf + done, n);
            r = pwrite(fd, buf + done, n, (off_t)at);
        } else if (frame) {
            memcpy(buf + done, frame + (at & VM_PAGE_MASK), n);
            r = (ssize_t)n;
        } else {
            r = pread(fd, buf + done, n, (off_t)at);
        }
        int e = errno;
        if (frame)
            frame_unpin(k, self, i);
        if (ph)
            pc_unplace(k, self, ph);
        if (r < 0 && e == EINTR)
            continue;
        if (r < 0)
            return done ? (int64_t)done : -e;
        if (r == 0)
            break;
        done += (uint64_t)r;
    }
    return (int64_t)done;
}

int64_t kernel_file_pread(struct kernel *k, int fd, void *buf, uint64_t len, uint64_t offset)
{
    return transfer(k, fd, buf, len, offset, false);
}

int64_t kernel_file_pwrite(struct kernel *k, int fd, const void *buf, uint64_t len, uint64_t offset)
{
    return transfer(k, fd, (char *)buf, len, offset, true);
}
