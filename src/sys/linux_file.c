/* linux_file.c — descriptors and files: read, write and their vector and
 * positional forms, open, close, seek, stat, the calls on names (through
 * linux_path.c), ioctl, pipes, dup, fcntl, directories.
 *
 * Reads and writes go through a descriptor's struct file (fd.c, pipe.c).
 * One loop serves read, write, readv and writev: it moves each buffer in
 * turn, and when the file says it would block (a pipe), it blocks the
 * task -- unless the descriptor is O_NONBLOCK, or a read already has
 * bytes to return -- keeping the bytes already moved as the call's
 * progress, so the restarted call goes on from there and returns the
 * whole count. A write to a pipe with no reader raises SIGPIPE and fails
 * with EPIPE, as on Linux.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/linux.h"

#define MAX_RW_COUNT 0x7ffff000ull   /* Linux: INT_MAX & PAGE_MASK */
#define UIO_MAXIOV 1024
#define LX_O_LARGEFILE 0100000

struct lx_iovec {
    uint64_t base, len;
};

/* ---- read and write ---- */

static int64_t rw(struct lx_call *c, int64_t fd, const struct lx_iovec *v, unsigned n, bool write)
{
    struct task *t = c->t;
    struct file *f = lx_file(c, fd);
    if (!f)
        return -EBADF;
    unsigned acc = f->flags & O_ACCMODE;
    if ((f->flags & O_PATH) || (write ? acc == O_RDONLY : acc == O_WRONLY))
        return -EBADF;
    int64_t (*op)(struct file *, struct task *, vaddr_t, uint64_t) =
        write ? f->ops->write : f->ops->read;
    if (!op)
        return -EINVAL;
    uint64_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!lx_access_ok(v[i].base, v[i].len))
            return -EFAULT;
        if (v[i].len > (uint64_t)INT64_MAX - total)
            return -EINVAL;
        total += v[i].len;
    }
    uint64_t done = t->sys_progress, start = 0;
    for (unsigned i = 0; i < n && done < MAX_RW_COUNT; start += v[i].len, i++) {
        while (done < start + v[i].len && done < MAX_RW_COUNT) {
            uint64_t within = done - start, want = v[i].len - within;
            if (want > MAX_RW_COUNT - done)
                want = MAX_RW_COUNT - done;
            int64_t r = op(f, t, v[i].base + within, want);
            if (r == -EAGAIN) {
                const void *chan = f->ops->chan ? f->ops->chan(f) : NULL;
                if ((!write && done) || (f->flags & O_NONBLOCK) || !chan)
                    return done ? (int64_t)done : -EAGAIN;
                t->sys_progress = done;
                task_block(t, chan, SYS_NO_DEADLINE);
                return LX_BLOCKED;
            }
            if (r == -EPIPE)
                lx_signal(t, LX_SIGPIPE, t->pid, "write to a pipe with no reader");
            if (r < 0)
                return done ? (int64_t)done : r;
            done += (uint64_t)r;
            if (r == 0 || (!write && (uint64_t)r < want))
                return (int64_t)done;   /* end of file, or a short read ends the call */
        }
    }
    return (int64_t)done;
}

int64_t lx_sys_read(struct lx_call *c)
{
    struct lx_iovec v = {c->a[1], c->a[2]};
    return rw(c, (int64_t)c->a[0], &v, 1, false);
}

int64_t lx_sys_write(struct lx_call *c)
{
    struct lx_iovec v = {c->a[1], c->a[2]};
    return rw(c, (int64_t)c->a[0], &v, 1, true);
}

static int64_t rw_vector(struct lx_call *c, bool write)
{
    uint64_t n = c->a[2];
    if (n > UIO_MAXIOV)
        return -EINVAL;
    struct lx_iovec v[UIO_MAXIOV];
    if (n && !lx_access_ok(c->a[1], n * sizeof v[0]))
        return -EFAULT;
    int rc = sys_copy_in(c->t, v, c->a[1], n * sizeof v[0]);
    if (rc < 0)
        return rc;
    return rw(c, (int64_t)c->a[0], v, (unsigned)n, write);
}

int64_t lx_sys_readv(struct lx_call *c) { return rw_vector(c, false); }
int64_t lx_sys_writev(struct lx_call *c) { return rw_vector(c, true); }

static int64_t prw(struct lx_call *c, bool write)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    int64_t off = (int64_t)c->a[3];
    if (!f)
        return -EBADF;
    unsigned acc = f->flags & O_ACCMODE;
    if ((f->flags & O_PATH) || (write ? acc == O_RDONLY : acc == O_WRONLY))
        return -EBADF;
    if (off < 0)
        return -EINVAL;
    if (!lx_access_ok(c->a[1], c->a[2]))
        return -EFAULT;
    uint64_t len = c->a[2] < MAX_RW_COUNT ? c->a[2] : MAX_RW_COUNT;
    if (write)
        return f->ops->pwrite ? f->ops->pwrite(f, c->t, c->a[1], len, (uint64_t)off) : -ESPIPE;
    return f->ops->pread ? f->ops->pread(f, c->t, c->a[1], len, (uint64_t)off) : -ESPIPE;
}

int64_t lx_sys_pread64(struct lx_call *c) { return prw(c, false); }
int64_t lx_sys_pwrite64(struct lx_call *c) { return prw(c, true); }

int64_t lx_sys_lseek(struct lx_call *c)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    if (!f)
        return -EBADF;
    if (c->a[2] > SEEK_HOLE)
        return -EINVAL;
    return f->ops->seek ? f->ops->seek(f, (int64_t)c->a[1], (int)c->a[2]) : -ESPIPE;
}

/* ---- opening and closing ---- */

static int install(struct task *t, struct file *f, bool cloexec)
{
    int fd = fd_install(&t->fds, 0, f, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
}

int64_t lx_sys_openat(struct lx_call *c)
{
    char path[PATH_MAX];
    int64_t n = lx_copy_path(c->t, path, c->a[1]);
    if (n < 0)
        return n;
    int flags = (int)c->a[2];
    unsigned mode = (unsigned)c->a[3] & ~lx(c->t)->umask;
    int hfd = lx_open_at(c->t, (int)c->a[0], path, flags & ~O_CLOEXEC, mode);
    if (hfd < 0)
        return hfd;
    struct file *f = file_host(c->s, hfd,
                               (unsigned)flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH | O_DIRECTORY));
    if (!f)
        return -ENOMEM;
    return install(c->t, f, flags & O_CLOEXEC);
}

int64_t lx_sys_close(struct lx_call *c)
{
    return fd_close(&c->t->fds, (int)c->a[0]);
}

int64_t lx_sys_pipe2(struct lx_call *c)
{
    int flags = (int)c->a[1];
    if (flags & ~(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;   /* O_DIRECT (packet mode) is not modelled */
    struct file *r, *w;
    if (pipe_create(c->s, &r, &w) < 0)
        return -ENOMEM;
    r->flags |= (unsigned)flags & O_NONBLOCK;
    w->flags |= (unsigned)flags & O_NONBLOCK;
    int fds[2] = {install(c->t, r, flags & O_CLOEXEC), -1};
    if (fds[0] < 0) {
        file_put(w);
        return fds[0];
    }
    if ((fds[1] = install(c->t, w, flags & O_CLOEXEC)) < 0) {
        fd_close(&c->t->fds, fds[0]);
        return fds[1];
    }
    int rc = sys_copy_out(c->t, c->a[0], fds, sizeof fds);
    if (rc < 0) {
        fd_close(&c->t->fds, fds[0]);
        fd_close(&c->t->fds, fds[1]);
        return rc;
    }
    return 0;
}

int64_t lx_sys_dup(struct lx_call *c)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    return f ? install(c->t, file_get(f), false) : -EBADF;
}

int64_t lx_sys_dup3(struct lx_call *c)
{
    int oldfd = (int)c->a[0], newfd = (int)c->a[1], flags = (int)c->a[2];
    if (flags & ~O_CLOEXEC)
        return -EINVAL;
    if (oldfd == newfd)
        return -EINVAL;
    struct file *f = lx_file(c, oldfd);
    if (!f)
        return -EBADF;
    int rc = fd_install_at(&c->t->fds, newfd, file_get(f), flags & O_CLOEXEC);
    if (rc < 0)
        file_put(f);
    return rc;
}

int64_t lx_sys_fcntl(struct lx_call *c)
{
    struct fd_table *ft = &c->t->fds;
    int fd = (int)c->a[0];
    struct file *f = lx_file(c, fd);
    if (!f)
        return -EBADF;
    uint64_t arg = c->a[2];
    switch ((int)c->a[1]) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (arg >= ft->max)
            return -EINVAL;
        int nfd = fd_install(ft, (unsigned)arg, file_get(f), (int)c->a[1] == F_DUPFD_CLOEXEC);
        if (nfd < 0)
            file_put(f);
        return nfd;
    }
    case F_GETFD:
        return ft->v[fd].cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
        ft->v[fd].cloexec = arg & FD_CLOEXEC;
        return 0;
    case F_GETFL:
        return (int64_t)(f->flags | LX_O_LARGEFILE);
    case F_SETFL:
        f->flags = (f->flags & ~(unsigned)(O_APPEND | O_NONBLOCK)) |
                   ((unsigned)arg & (O_APPEND | O_NONBLOCK));
        return 0;
    case F_GETPIPE_SZ:
        return pipe_available(f) < 0 ? -EBADF : 65536;
    case F_SETPIPE_SZ:
        if (pipe_available(f) < 0)
            return -EBADF;
        return arg <= 65536 ? 65536 : -EPERM;   /* the ring's size is fixed */
    case F_GETLK: case F_SETLK: case F_SETLKW:
    case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
        /* every guest is one host process, which the host's record locks
         * cannot tell apart: no locks rather than locks that lock nothing */
        return -ENOLCK;
    }
    return -EINVAL;
}

/* ---- stat ---- */

struct lx_stat {
    uint64_t dev, ino;
    uint32_t mode, nlink, uid, gid;
    uint64_t rdev, pad1;
    int64_t size;
    int32_t blksize, pad2;
    int64_t blocks;
    int64_t atime;
    uint64_t atime_ns;
    int64_t mtime;
    uint64_t mtime_ns;
    int64_t ctime;
    uint64_t ctime_ns;
    uint32_t unused4, unused5;
};
_Static_assert(sizeof(struct lx_stat) == 128, "asm-generic struct stat is 128 bytes");

static int put_stat(struct task *t, vaddr_t ubuf, const struct stat *st)
{
    struct lx_stat ls = {
        .dev = st->st_dev, .ino = st->st_ino, .mode = st->st_mode, .nlink = (uint32_t)st->st_nlink,
        .uid = st->st_uid, .gid = st->st_gid, .rdev = st->st_rdev, .size = st->st_size,
        .blksize = (int32_t)st->st_blksize, .blocks = st->st_blocks,
        .atime = st->st_atim.tv_sec, .atime_ns = (uint64_t)st->st_atim.tv_nsec,
        .mtime = st->st_mtim.tv_sec, .mtime_ns = (uint64_t)st->st_mtim.tv_nsec,
        .ctime = st->st_ctim.tv_sec, .ctime_ns = (uint64_t)st->st_ctim.tv_nsec,
    };
    return sys_copy_out(t, ubuf, &ls, sizeof ls);
}

static int stat_file(struct file *f, struct stat *st)
{
    return f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
}

int64_t lx_sys_fstat(struct lx_call *c)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    struct stat st;
    if (!f)
        return -EBADF;
    int rc = stat_file(f, &st);
    return rc < 0 ? rc : put_stat(c->t, c->a[1], &st);
}

int64_t lx_sys_newfstatat(struct lx_call *c)
{
    int dirfd = (int)c->a[0], flags = (int)c->a[3];
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
        return -EINVAL;
    char path[PATH_MAX];
    int64_t n = lx_copy_path(c->t, path, c->a[1]);
    if (n < 0)
        return n;
    struct stat st;
    int rc;
    if (!path[0] && (flags & AT_EMPTY_PATH)) {
        if (dirfd == AT_FDCWD) {
            rc = fstat(lx(c->t)->cwd, &st) < 0 ? -errno : 0;
        } else {
            struct file *f = lx_file(c, dirfd);
            rc = f ? stat_file(f, &st) : -EBADF;
        }
    } else {
        int fd = lx_open_at(c->t, dirfd, path, O_PATH | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0), 0);
        if (fd < 0)
            return fd;
        rc = fstat(fd, &st) < 0 ? -errno : 0;
        close(fd);
    }
    return rc < 0 ? rc : put_stat(c->t, c->a[2], &st);
}

/* ---- names in directories ---- */

int64_t lx_sys_readlinkat(struct lx_call *c)
{
    char path[PATH_MAX], target[PATH_MAX];
    int64_t n = lx_copy_path(c->t, path, c->a[1]);
    int64_t size = (int64_t)c->a[3];
    if (n < 0)
        return n;
    if (size <= 0)
        return -EINVAL;
    char self[32];
    snprintf(self, sizeof self, "/proc/%d/exe", c->t->pid);
    ssize_t len;
    if (!strcmp(path, "/proc/self/exe") || !strcmp(path, self)) {
        len = (ssize_t)strlen(c->t->exe ? c->t->exe : "");
        memcpy(target, c->t->exe ? c->t->exe : "", (size_t)len);
    } else {
        const char *last;
        bool owned;
        int dfd = lx_parent_at(c->t, (int)c->a[0], path, &last, &owned);
        if (dfd < 0 && dfd != AT_FDCWD)
            return dfd;
        len = readlinkat(dfd, last, target, sizeof target);
        int e = errno;
        if (owned)
            close(dfd);
        if (len < 0)
            return -e;
    }
    if (len > size)
        len = size;
    int rc = sys_copy_out(c->t, c->a[2], target, (size_t)len);
    return rc < 0 ? rc : len;
}

/* fn on the last component of the guest's path at argument i (dirfd in
 * argument i - 1). */
#define AT_NAME(c, i, path, last, dfd, owned)                                      \
    char path[PATH_MAX];                                                           \
    const char *last;                                                              \
    bool owned;                                                                    \
    int64_t path##_n = lx_copy_path((c)->t, path, (c)->a[i]);                      \
    if (path##_n < 0)                                                              \
        return path##_n;                                                           \
    int dfd = lx_parent_at((c)->t, (int)(c)->a[(i) - 1], path, &last, &owned);     \
    if (dfd < 0 && dfd != AT_FDCWD)                                                \
        return dfd

static int64_t done_at(int rc, int dfd, bool owned)
{
    int e = errno;
    if (owned)
        close(dfd);
    return rc < 0 ? -e : 0;
}

int64_t lx_sys_unlinkat(struct lx_call *c)
{
    int flags = (int)c->a[2];
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    AT_NAME(c, 1, path, last, dfd, owned);
    return done_at(unlinkat(dfd, last, flags), dfd, owned);
}

int64_t lx_sys_mkdirat(struct lx_call *c)
{
    AT_NAME(c, 1, path, last, dfd, owned);
    return done_at(mkdirat(dfd, last, (mode_t)(c->a[2] & ~lx(c->t)->umask & 07777)), dfd, owned);
}

static int64_t rename_at(struct lx_call *c, unsigned flags)
{
    AT_NAME(c, 1, from, from_last, from_dfd, from_owned);
    char to[PATH_MAX];
    const char *to_last;
    bool to_owned;
    int64_t n = lx_copy_path(c->t, to, c->a[3]);
    int to_dfd = n < 0 ? (int)n : lx_parent_at(c->t, (int)c->a[2], to, &to_last, &to_owned);
    if (to_dfd < 0 && to_dfd != AT_FDCWD) {
        if (from_owned)
            close(from_dfd);
        return to_dfd;
    }
    long rc = syscall(SYS_renameat2, from_dfd, from_last, to_dfd, to_last, flags);
    int e = errno;
    if (from_owned)
        close(from_dfd);
    if (to_owned)
        close(to_dfd);
    return rc < 0 ? -e : 0;
}

int64_t lx_sys_renameat(struct lx_call *c) { return rename_at(c, 0); }
int64_t lx_sys_renameat2(struct lx_call *c) { return rename_at(c, (unsigned)c->a[4]); }

static int64_t access_at(struct lx_call *c, int flags)
{
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    int mode = (int)c->a[2];
    if (mode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    char path[PATH_MAX];
    int64_t n = lx_copy_path(c->t, path, c->a[1]);
    if (n < 0)
        return n;
    int fd = lx_open_at(c->t, (int)c->a[0], path, O_PATH | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0), 0);
    if (fd < 0)
        return fd;
    int rc = faccessat(fd, "", mode, (flags & AT_EACCESS) | AT_EMPTY_PATH);
    int e = errno;
    close(fd);
    return rc < 0 ? -e : 0;
}

int64_t lx_sys_faccessat(struct lx_call *c) { return access_at(c, 0); }
int64_t lx_sys_faccessat2(struct lx_call *c) { return access_at(c, (int)c->a[3]); }

int64_t lx_sys_getcwd(struct lx_call *c)
{
    char buf[PATH_MAX];
    int n = lx_guest_path(c->s, lx(c->t)->cwd, buf, sizeof buf);
    if (n < 0)
        return n;
    if ((uint64_t)n + 1 > c->a[1])
        return -ERANGE;
    int rc = sys_copy_out(c->t, c->a[0], buf, (size_t)n + 1);
    return rc < 0 ? rc : n + 1;
}

static int64_t set_cwd(struct task *t, int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
        close(fd);
        return -ENOTDIR;
    }
    close(lx(t)->cwd);
    lx(t)->cwd = fd;
    return 0;
}

int64_t lx_sys_chdir(struct lx_call *c)
{
    char path[PATH_MAX];
    int64_t n = lx_copy_path(c->t, path, c->a[0]);
    if (n < 0)
        return n;
    int fd = lx_open_at(c->t, AT_FDCWD, path, O_PATH | O_DIRECTORY, 0);
    return fd < 0 ? fd : set_cwd(c->t, fd);
}

int64_t lx_sys_fchdir(struct lx_call *c)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    if (!f)
        return -EBADF;
    if (f->hostfd < 0)
        return -ENOTDIR;
    int fd = fcntl(f->hostfd, F_DUPFD_CLOEXEC, 3);
    return fd < 0 ? -errno : set_cwd(c->t, fd);
}

int64_t lx_sys_getdents64(struct lx_call *c)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    if (!f)
        return -EBADF;
    if (f->hostfd < 0 || (f->flags & O_PATH))
        return -ENOTDIR;
    uint64_t n = c->a[2] < (1u << 20) ? c->a[2] : (1u << 20);
    if (!lx_access_ok(c->a[1], n))
        return -EFAULT;
    char *buf = malloc(n ? n : 1);   /* linux_dirent64 is the same on every 64-bit Linux */
    if (!buf)
        return -ENOMEM;
    long r = syscall(SYS_getdents64, f->hostfd, buf, n);
    int64_t rc = r < 0 ? -errno : r;
    if (rc > 0) {
        int e = sys_copy_out(c->t, c->a[1], buf, (size_t)rc);
        if (e < 0)
            rc = e;
    }
    free(buf);
    return rc;
}

int64_t lx_sys_ftruncate(struct lx_call *c)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    if (!f)
        return -EBADF;
    if ((int64_t)c->a[1] < 0 || !f->regular || (f->flags & O_ACCMODE) == O_RDONLY)
        return -EINVAL;
    return ftruncate(f->hostfd, (off_t)c->a[1]) < 0 ? -errno : 0;
}

int64_t lx_sys_fsync(struct lx_call *c)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    if (!f)
        return -EBADF;
    return f->hostfd >= 0 && fsync(f->hostfd) < 0 && errno != EINVAL ? -errno : 0;
}

int64_t lx_sys_umask(struct lx_call *c)
{
    uint32_t old = lx(c->t)->umask;
    lx(c->t)->umask = (uint32_t)c->a[0] & 0777;
    return old;
}

/* ---- ioctl ---- */

/* The terminal's settings as the asm-generic kernel struct termios. */
struct lx_termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line, cc[19];
};

int64_t lx_sys_ioctl(struct lx_call *c)
{
    struct file *f = lx_file(c, (int64_t)c->a[0]);
    if (!f)
        return -EBADF;
    unsigned long req = (unsigned long)(uint32_t)c->a[1];
    uint64_t arg = c->a[2];
    int fd = (int)c->a[0];
    switch (req) {
    case FIOCLEX:
    case FIONCLEX:
        c->t->fds.v[fd].cloexec = req == FIOCLEX;
        return 0;
    case FIONBIO: {
        int on;
        int rc = sys_copy_in(c->t, &on, arg, sizeof on);
        if (rc < 0)
            return rc;
        f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~(unsigned)O_NONBLOCK;
        return 0;
    }
    case FIONREAD: {
        int64_t n = pipe_available(f);
        int v;
        if (n >= 0)
            v = (int)n;
        else if (f->hostfd < 0 || ioctl(f->hostfd, FIONREAD, &v) < 0)
            return f->hostfd < 0 ? -ENOTTY : -errno;
        return sys_copy_out(c->t, arg, &v, sizeof v);
    }
    }
    if (f->hostfd < 0 || !isatty(f->hostfd))
        return -ENOTTY;
    /* a terminal: its requests go to the host's */
    switch (req) {
    case TCGETS: {
        struct lx_termios tio;
        if (ioctl(f->hostfd, TCGETS, &tio) < 0)
            return -errno;
        return sys_copy_out(c->t, arg, &tio, sizeof tio);
    }
    case TCSETS:
    case TCSETSW:
    case TCSETSF: {
        struct lx_termios tio;
        int rc = sys_copy_in(c->t, &tio, arg, sizeof tio);
        if (rc < 0)
            return rc;
        return ioctl(f->hostfd, req, &tio) < 0 ? -errno : 0;
    }
    case TIOCGWINSZ: {
        struct winsize ws;
        if (ioctl(f->hostfd, TIOCGWINSZ, &ws) < 0)
            return -errno;
        return sys_copy_out(c->t, arg, &ws, sizeof ws);
    }
    case TIOCGPGRP: {
        int pg = c->t->pgid;   /* the guest's own group: it is the foreground */
        return sys_copy_out(c->t, arg, &pg, sizeof pg);
    }
    }
    return -ENOTTY;
}
