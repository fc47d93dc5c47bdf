/* pintos_file.c — PintOS's file system calls on a flat host directory
 * (--fs DIR), and the console.
 *
 * A PintOS file is a regular file directly in DIR whose name has 1 to 14
 * characters and no '/'. Files never grow: a write stops at end of file
 * (create gives a file its size, zero-filled). Every descriptor is a
 * description of its own (open twice: two positions; fork: a copy at the
 * same position, independent afterwards), so a vmlab struct file is never
 * shared here. Reads and writes go through the kernel's page cache
 * (kernel_file_pread/pwrite), so they agree with the file's mappings. A
 * file some process is running cannot be written: write returns 0
 * (file_deny_write). fd 0 is the keyboard (the run's standard input), fd 1
 * the console (its standard output): write(1) is written at once, whole.
 *
 * Bad arguments end the process with exit(-1): a pointer the process may
 * not access (pt_copy_*: the kernel kills it with the reason) or a
 * descriptor that is not open. A transfer moves at most 64 KiB at a time,
 * each piece within the pages it names; a bad page ends the call there
 * (the pieces before it were moved). Reading fd 1 or writing fd 0 fails
 * (-1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/pintos.h"

#define PT_CHUNK (64u << 10)

/* ---- names and files ---- */

bool pt_name_ok(const char *name)
{
    size_t n = strlen(name);
    return n >= 1 && n <= PT_NAME_MAX && !strchr(name, '/') && strcmp(name, ".") &&
           strcmp(name, "..");
}

int pt_open_name(struct sys *s, const char *name, int flags)
{
    int fd = openat(pt_run_of(s)->fsfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
    return fd < 0 ? -errno : fd;
}

static void pt_file_release(struct file *f)
{
    if (f->hostfd >= 0)
        close(f->hostfd);
    free(f->priv);
}

static const struct file_ops pt_file_ops = {.kind = "file", .release = pt_file_release};

/* A description of host descriptor fd (which it owns) at position pos. */
static struct file *file_make(struct sys *s, int fd, uint64_t pos, const struct stat *st)
{
    struct file *f = file_new(s, &pt_file_ops, 0);
    struct pt_file *pf = f ? malloc(sizeof *pf) : NULL;
    if (!pf) {
        free(f);
        close(fd);
        return NULL;
    }
    pf->dev = st->st_dev;
    pf->ino = st->st_ino;
    f->priv = pf;
    f->hostfd = fd;
    f->pos = pos;
    f->regular = true;
    return f;
}

struct file *pt_file_dup(struct file *f)
{
    const struct pt_file *pf = f->priv;
    struct stat st = {.st_dev = pf->dev, .st_ino = pf->ino};
    int fd = fcntl(f->hostfd, F_DUPFD_CLOEXEC, 3);
    return fd < 0 ? NULL : file_make(f->s, fd, f->pos, &st);
}

/* The open file of descriptor fd (2 and up), or NULL. */
static struct file *file_of(struct pt_call *c, int fd)
{
    return fd >= 2 ? fd_get(&c->t->fds, fd) : NULL;
}

/* A file name argument: 0 and the name in buf (ok: a PintOS name), or
 * PT_NORESULT (the process was killed). */
static int64_t name_arg(struct pt_call *c, int i, char *buf, size_t len, bool *ok)
{
    int64_t n = pt_copy_str(c->t, buf, c->a[i], len);
    if (n == -1)
        return PT_NORESULT;
    *ok = n >= 0 && pt_name_ok(buf);
    return 0;
}

/* ---- the console ---- */

void pt_console_write(struct sys *s, const void *buf, size_t len)
{
    int fd = s->cfg->stdout_fd;
    const char *p = buf;
    while (len && fd >= 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;   /* a closed or full console loses the output, as a detached screen */
        p += n;
        len -= (size_t)n;
    }
}

/* write(1): the whole buffer, checked and copied first (a piece at a
 * time, so a huge size with a small valid buffer kills at its first bad
 * page before vmlab allocates more than the process could hold), then one
 * write. */
static int64_t console_write(struct pt_call *c, vaddr_t ubuf, uint32_t len)
{
    char *buf = NULL;
    size_t cap = 0;
    for (uint32_t done = 0; done < len;) {
        uint32_t step = len - done < PT_CHUNK ? len - done : PT_CHUNK;
        if (done + step > cap) {
            size_t want = cap ? 2 * cap : PT_CHUNK;
            want = want < len ? want : len;
            char *more = realloc(buf, want);
            if (!more) {
                free(buf);
                pt_kill(c, "write: %u bytes to the console: out of host memory", len);
                return PT_NORESULT;
            }
            buf = more;
            cap = want;
        }
        if (pt_copy_in(c->t, buf + done, ubuf + done, step) < 0) {
            free(buf);
            return PT_NORESULT;
        }
        done += step;
    }
    pt_console_write(c->s, buf, len);
    free(buf);
    return len;
}

/* read(0): bytes from the run's standard input until len or its end. */
static int64_t keyboard_read(struct pt_call *c, vaddr_t ubuf, uint32_t len)
{
    int fd = c->s->cfg->stdin_fd;
    char buf[4096];
    uint32_t done = 0;
    while (done < len && fd >= 0) {
        size_t step = len - done < sizeof buf ? len - done : sizeof buf;
        ssize_t n = read(fd, buf, step);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (pt_copy_out(c->t, ubuf + done, buf, (size_t)n) < 0)
            return PT_NORESULT;
        done += (uint32_t)n;
    }
    return done;
}

/* ---- the calls ---- */

int64_t pt_sys_create(struct pt_call *c)
{
    char name[PT_CMDLINE_MAX];
    bool ok;
    if (name_arg(c, 0, name, sizeof name, &ok) == PT_NORESULT)
        return PT_NORESULT;
    if (!ok)
        return 0;
    int fd = pt_open_name(c->s, name, O_CREAT | O_EXCL | O_WRONLY);
    if (fd < 0)
        return 0;   /* it exists (or the host refuses) */
    bool made = ftruncate(fd, (off_t)arg_uns(c, 1)) == 0;
    close(fd);
    if (!made)
        unlinkat(pt_run_of(c->s)->fsfd, name, 0);
    return made;
}

int64_t pt_sys_remove(struct pt_call *c)
{
    char name[PT_CMDLINE_MAX];
    bool ok;
    if (name_arg(c, 0, name, sizeof name, &ok) == PT_NORESULT)
        return PT_NORESULT;
    /* an open file stays readable through its descriptors: the host's
     * unlink keeps the inode while descriptors (and mappings) hold it */
    return ok && unlinkat(pt_run_of(c->s)->fsfd, name, 0) == 0;
}

int64_t pt_sys_open(struct pt_call *c)
{
    char name[PT_CMDLINE_MAX];
    bool ok;
    if (name_arg(c, 0, name, sizeof name, &ok) == PT_NORESULT)
        return PT_NORESULT;
    if (!ok)
        return -1;
    int fd = pt_open_name(c->s, name, O_RDWR);
    if (fd == -EACCES || fd == -EROFS)
        fd = pt_open_name(c->s, name, O_RDONLY);   /* a read-only host file: writes fail */
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;   /* PintOS's file system has regular files only */
    }
    struct file *f = file_make(c->s, fd, 0, &st);
    if (!f)
        return -1;
    int gfd = fd_install(&c->t->fds, 2, f, false);
    if (gfd < 0) {
        file_put(f);
        return -1;
    }
    return gfd;
}

int64_t pt_sys_filesize(struct pt_call *c)
{
    int fd = arg_int(c, 0);
    struct file *f = file_of(c, fd);
    struct stat st;
    if (!f) {
        pt_kill(c, "filesize: bad file descriptor %d", fd);
        return PT_NORESULT;
    }
    return fstat(f->hostfd, &st) == 0 ? (int32_t)st.st_size : -1;
}

/* Move up to len bytes between the file and the user buffer at f->pos:
 * the bytes moved, or PT_NORESULT (the process was killed). */
static int64_t file_transfer(struct pt_call *c, struct file *f, vaddr_t ubuf, uint32_t len,
                             bool out)
{
    struct kernel *k = c->s->k;
    uint64_t limit = UINT64_MAX;
    if (out) {
        struct stat st;
        if (fstat(f->hostfd, &st) < 0)
            return -1;
        limit = (uint64_t)st.st_size;   /* files do not grow */
        const struct pt_file *pf = f->priv;
        if (pt_exe_running(c->s, pf->dev, pf->ino))
            return 0;   /* a running executable: denied */
    }
    char *buf = malloc(len < PT_CHUNK ? (len ? len : 1) : PT_CHUNK);
    if (!buf)
        return -1;
    int64_t done = 0;
    while ((uint64_t)done < len) {
        vaddr_t at = ubuf + (uint64_t)done;
        uint64_t step = PT_CHUNK - (at & VM_PAGE_MASK);
        if (step > len - (uint64_t)done)
            step = len - (uint64_t)done;
        if (out && f->pos >= limit)
            break;
        if (out && step > limit - f->pos)
            step = limit - f->pos;
        int64_t n;
        if (out) {
            if (pt_copy_in(c->t, buf, at, step) < 0) {
                done = PT_NORESULT;
                break;
            }
            n = kernel_file_pwrite(k, f->hostfd, buf, step, f->pos);
        } else {
            n = kernel_file_pread(k, f->hostfd, buf, step, f->pos);
            if (n > 0 && pt_copy_out(c->t, at, buf, (size_t)n) < 0) {
                done = PT_NORESULT;
                break;
            }
        }
        if (n <= 0) {
            if (done == 0 && n < 0)
                done = -1;
            break;
        }
        f->pos += (uint64_t)n;
        done += n;
        if ((uint64_t)n < step)
            break;   /* end of file */
    }
    free(buf);
    return done;
}

int64_t pt_sys_read(struct pt_call *c)
{
    int fd = arg_int(c, 0);
    if (fd == STDIN_FILENO)
        return keyboard_read(c, c->a[1], arg_uns(c, 2));
    if (fd == STDOUT_FILENO)
        return -1;
    struct file *f = file_of(c, fd);
    if (!f) {
        pt_kill(c, "read: bad file descriptor %d", fd);
        return PT_NORESULT;
    }
    return file_transfer(c, f, c->a[1], arg_uns(c, 2), false);
}

int64_t pt_sys_write(struct pt_call *c)
{
    int fd = arg_int(c, 0);
    if (fd == STDOUT_FILENO)
        return console_write(c, c->a[1], arg_uns(c, 2));
    if (fd == STDIN_FILENO)
        return -1;
    struct file *f = file_of(c, fd);
    if (!f) {
        pt_kill(c, "write: bad file descriptor %d", fd);
        return PT_NORESULT;
    }
    return file_transfer(c, f, c->a[1], arg_uns(c, 2), true);
}

int64_t pt_sys_seek(struct pt_call *c)
{
    int fd = arg_int(c, 0);
    struct file *f = file_of(c, fd);
    if (!f) {
        pt_kill(c, "seek: bad file descriptor %d", fd);
        return PT_NORESULT;
    }
    f->pos = arg_uns(c, 1);   /* past the end is allowed: reads there return 0 */
    return 0;
}

int64_t pt_sys_tell(struct pt_call *c)
{
    int fd = arg_int(c, 0);
    struct file *f = file_of(c, fd);
    if (!f) {
        pt_kill(c, "tell: bad file descriptor %d", fd);
        return PT_NORESULT;
    }
    return (uint32_t)f->pos;
}

int64_t pt_sys_close(struct pt_call *c)
{
    int fd = arg_int(c, 0);
    if (fd == STDIN_FILENO || fd == STDOUT_FILENO)
        return 0;   /* the keyboard and the console stay */
    if (!file_of(c, fd)) {
        pt_kill(c, "close: bad file descriptor %d", fd);
        return PT_NORESULT;
    }
    fd_close(&c->t->fds, fd);
    return 0;
}
