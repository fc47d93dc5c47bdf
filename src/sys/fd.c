/* fd.c — open file descriptions, descriptor tables, and host files.
 *
 * A descriptor names a `struct file` (an open file description): dup and
 * fork share it, with its offset and status flags, as in Unix. A host
 * file's description owns one host descriptor. Reads and writes of a host
 * regular file go through the kernel's page cache (kernel_file_pread/
 * pwrite) at the description's own offset, so a guest's read() sees what a
 * MAP_SHARED mapping of the file wrote, even before write-back. Other host
 * files (the terminal, pipes vmlab inherited, devices, directories) are
 * read and written directly; a read from them may block the whole run
 * while the host waits (the terminal), which is the host's time, not the
 * guest's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/sys.h"

/* The host buffer of one step of a long transfer. */
#define IO_CHUNK (1u << 20)

struct file *file_new(struct sys *s, const struct file_ops *ops, unsigned flags)
{
    struct file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->ops = ops;
    f->s = s;
    f->refs = 1;
    f->flags = flags;
    f->hostfd = -1;
    return f;
}

struct file *file_get(struct file *f)
{
    f->refs++;
    return f;
}

void file_put(struct file *f)
{
    if (!f || --f->refs)
        return;
    if (f->ops->release)
        f->ops->release(f);
    free(f);
}

/* ---- host files ---- */

static uint64_t chunk_of(uint64_t len)
{
    return len < IO_CHUNK ? len : IO_CHUNK;
}

static int64_t host_rw_regular(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len,
                               uint64_t *pos, bool out)
{
    struct kernel *k = f->s->k;
    uint64_t n = chunk_of(len), done = 0;
    char *buf = malloc(n ? n : 1);
    if (!buf)
        return -ENOMEM;
    int64_t rc = 0;
    while (done < len) {
        uint64_t step = chunk_of(len - done);
        if (out) {
            if ((rc = sys_copy_in(t, buf, ubuf + done, step)) < 0)
                break;
            rc = kernel_file_pwrite(k, f->hostfd, buf, step, *pos);
        } else {
            rc = kernel_file_pread(k, f->hostfd, buf, step, *pos);
            if (rc > 0) {
                int c = sys_copy_out(t, ubuf + done, buf, (size_t)rc);
                if (c < 0)
                    rc = c;
            }
        }
        if (rc <= 0)
            break;
        done += (uint64_t)rc;
        *pos += (uint64_t)rc;
        if ((uint64_t)rc < step)
            break;   /* end of file, or a short write (disk full) */
    }
    free(buf);
    return done ? (int64_t)done : rc;
}

/* Terminals, inherited pipes, devices: one host read, or host writes until
 * every byte is out. */
static int64_t host_rw_other(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len, bool out)
{
    uint64_t n = chunk_of(len), done = 0;
    char *buf = malloc(n ? n : 1);
    if (!buf)
        return -ENOMEM;
    int64_t rc = 0;
    if (!out) {
        ssize_t r;
        do
            r = read(f->hostfd, buf, n);
        while (r < 0 && errno == EINTR);
        rc = r < 0 ? -errno : r;
        if (rc > 0) {
            int c = sys_copy_out(t, ubuf, buf, (size_t)rc);
            if (c < 0)
                rc = c;
        }
        free(buf);
        return rc;
    }
    while (done < len) {
        uint64_t step = chunk_of(len - done);
        if ((rc = sys_copy_in(t, buf, ubuf + done, step)) < 0)
            break;
        uint64_t put = 0;
        while (put < step) {
            ssize_t w = write(f->hostfd, buf + put, step - put);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = -errno;
                break;
            }
            put += (uint64_t)w;
        }
        done += put;
        if (put < step)
            break;
    }
    free(buf);
    return done ? (int64_t)done : rc;
}

static int64_t host_read(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len)
{
    return f->regular ? host_rw_regular(f, t, ubuf, len, &f->pos, false)
                      : host_rw_other(f, t, ubuf, len, false);
}

static int64_t host_write(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len)
{
    if (!f->regular)
        return host_rw_other(f, t, ubuf, len, true);
    if (f->flags & O_APPEND) {
        struct stat st;
        if (fstat(f->hostfd, &st) < 0)
            return -errno;
        f->pos = (uint64_t)st.st_size;
    }
    return host_rw_regular(f, t, ubuf, len, &f->pos, true);
}

static int64_t host_pread(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len, uint64_t off)
{
    if (!f->regular)
        return -ESPIPE;
    return host_rw_regular(f, t, ubuf, len, &off, false);
}

static int64_t host_pwrite(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len, uint64_t off)
{
    if (!f->regular)
        return -ESPIPE;
    return host_rw_regular(f, t, ubuf, len, &off, true);
}

static int64_t host_seek(struct file *f, int64_t off, int whence)
{
    if (!f->regular) {
        off_t r = lseek(f->hostfd, (off_t)off, whence);
        return r < 0 ? -errno : (int64_t)r;
    }
    int64_t base;
    switch (whence) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = (int64_t)f->pos;
        break;
    case SEEK_END: {
        struct stat st;
        if (fstat(f->hostfd, &st) < 0)
            return -errno;
        base = (int64_t)st.st_size;
        break;
    }
    case SEEK_DATA:
    case SEEK_HOLE: {
        off_t r = lseek(f->hostfd, (off_t)off, whence);   /* the host knows the holes */
        if (r < 0)
            return -errno;
        f->pos = (uint64_t)r;
        return (int64_t)r;
    }
    default:
        return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = (uint64_t)(base + off);
    return (int64_t)f->pos;
}

static int host_stat(struct file *f, struct stat *st)
{
    return fstat(f->hostfd, st) < 0 ? -errno : 0;
}

static void host_release(struct file *f)
{
    if (f->hostfd >= 0)
        close(f->hostfd);
}

const struct file_ops host_file_ops = {
    .kind = "file",
    .read = host_read,
    .write = host_write,
    .pread = host_pread,
    .pwrite = host_pwrite,
    .seek = host_seek,
    .stat = host_stat,
    .release = host_release,
};

struct file *file_host(struct sys *s, int hostfd, unsigned flags)
{
    struct file *f = file_new(s, &host_file_ops, flags);
    if (!f) {
        close(hostfd);
        return NULL;
    }
    struct stat st;
    f->hostfd = hostfd;
    f->regular = fstat(hostfd, &st) == 0 && S_ISREG(st.st_mode);
    return f;
}

/* ---- descriptor tables ---- */

static int fd_grow(struct fd_table *t, unsigned need)
{
    if (need <= t->n)
        return 0;
    unsigned n = t->n ? t->n : 16;
    while (n < need)
        n *= 2;
    struct fd_entry *v = realloc(t->v, n * sizeof *v);
    if (!v)
        return -ENOMEM;
    memset(v + t->n, 0, (n - t->n) * sizeof *v);
    t->v = v;
    t->n = n;
    return 0;
}

int fd_install(struct fd_table *t, unsigned from, struct file *f, bool cloexec)
{
    unsigned i = from;
    while (i < t->n && t->v[i].f)
        i++;
    if (i >= t->max)
        return -EMFILE;
    if (fd_grow(t, i + 1) < 0)
        return -ENOMEM;
    t->v[i] = (struct fd_entry){.f = f, .cloexec = cloexec};
    return (int)i;
}

struct file *fd_get(const struct fd_table *t, int fd)
{
    return fd >= 0 && (unsigned)fd < t->n ? t->v[fd].f : NULL;
}

int fd_install_at(struct fd_table *t, int fd, struct file *f, bool cloexec)
{
    if (fd < 0 || (unsigned)fd >= t->max)
        return -EBADF;
    if (fd_grow(t, (unsigned)fd + 1) < 0)
        return -ENOMEM;
    struct file *old = t->v[fd].f;
    t->v[fd] = (struct fd_entry){.f = f, .cloexec = cloexec};
    file_put(old);
    return fd;
}

int fd_close(struct fd_table *t, int fd)
{
    struct file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    t->v[fd].f = NULL;
    file_put(f);
    return 0;
}

void fd_close_all(struct fd_table *t)
{
    for (unsigned i = 0; i < t->n; i++)
        if (t->v[i].f) {
            struct file *f = t->v[i].f;
            t->v[i].f = NULL;
            file_put(f);
        }
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

void fd_close_on_exec(struct fd_table *t)
{
    for (unsigned i = 0; i < t->n; i++)
        if (t->v[i].f && t->v[i].cloexec)
            fd_close(t, (int)i);
}

int fd_table_copy(struct fd_table *dst, const struct fd_table *src)
{
    dst->v = NULL;
    dst->n = 0;
    dst->max = src->max;
    if (fd_grow(dst, src->n) < 0)
        return -ENOMEM;
    for (unsigned i = 0; i < src->n; i++)
        if (src->v[i].f)
            dst->v[i] = (struct fd_entry){.f = file_get(src->v[i].f), .cloexec = src->v[i].cloexec};
    return 0;
}
