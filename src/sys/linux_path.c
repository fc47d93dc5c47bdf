/* linux_path.c — the paths a guest names, on the host's file system.
 *
 * Without a root, a guest path means what it means to the host, relative to
 * the guest's working directory (a host descriptor of its own, so chdir in
 * one process moves no other): the guest has the user's own rights, as
 * under qemu-user.
 *
 * With `--root DIR`, every path the guest names is resolved inside DIR by
 * the host kernel itself: openat2(2) with RESOLVE_IN_ROOT from a
 * descriptor of DIR, which treats DIR as "/" for absolute paths, for ".."
 * and for every symbolic link met on the way (an absolute link target is
 * taken inside DIR too), so nothing the guest writes or names reaches
 * outside it, and no race with renames can open a way out. A relative path
 * is joined to the guest path of its base directory (the working directory
 * or a directory descriptor), which is read back from the host
 * (/proc/self/fd) and made relative to DIR, so ".." from there also stops
 * at DIR. Calls that act on a name inside a directory (unlink, mkdir,
 * rename, readlink) open that directory under the same rule and act on the
 * last component there, which cannot leave it (a base directory that is
 * not inside the root -- vmlab's own standard input may be a directory --
 * is refused with EXDEV). Magic links (/proc/.../fd) are refused inside the
 * root.
 */
#include <errno.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/linux.h"

int64_t lx_copy_path(struct task *t, char *buf, vaddr_t upath)
{
    return sys_copy_str(t, buf, upath, PATH_MAX);
}

int lx_guest_path(struct sys *s, int hostfd, char *buf, size_t len)
{
    struct lx_run *r = lx_run_of(s);
    char link[64], host[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", hostfd);
    ssize_t n = readlink(link, host, sizeof host - 1);
    if (n < 0)
        return -errno;
    host[n] = 0;
    const char *p = host;
    if (r->rootfd >= 0) {
        if (strncmp(host, r->rootpath, r->rootlen) || (host[r->rootlen] && host[r->rootlen] != '/'))
            return -ENOENT;   /* it has left the root since it was opened */
        p = host[r->rootlen] ? host + r->rootlen : "/";
    }
    size_t l = strlen(p);
    if (l + 1 > len)
        return -ERANGE;
    memcpy(buf, p, l + 1);
    return (int)l;
}

/* The host descriptor a relative path starts from: the working directory
 * or the guest's dirfd (-EBADF, -ENOTDIR). */
static int base_fd(struct task *t, int dirfd)
{
    if (dirfd == AT_FDCWD)
        return lx(t)->cwd;
    struct file *f = dirfd >= 0 ? fd_get(&t->fds, dirfd) : NULL;
    if (!f)
        return -EBADF;
    if (f->hostfd < 0)
        return -ENOTDIR;
    return f->hostfd;
}

static int open_in_root(struct task *t, int base, const char *path, int flags, unsigned mode)
{
    struct lx_run *r = lx_run_of(t->s);
    char full[PATH_MAX * 2];
    if (path[0] == '/') {
        snprintf(full, sizeof full, "%s", path);
    } else {
        int n = lx_guest_path(t->s, base, full, PATH_MAX);
        if (n < 0)
            return n;
        if (snprintf(full + n, sizeof full - (size_t)n, "/%s", path) >= (int)(sizeof full - (size_t)n))
            return -ENAMETOOLONG;
    }
    if (strlen(full) >= PATH_MAX)
        return -ENAMETOOLONG;
    struct open_how how = {
        .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
        .mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode & 07777 : 0,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    long fd = syscall(SYS_openat2, r->rootfd, full, &how, sizeof how);
    return fd < 0 ? -errno : (int)fd;
}

int lx_open_at(struct task *t, int dirfd, const char *path, int flags, unsigned mode)
{
    if (!path[0])
        return -ENOENT;
    int base = path[0] == '/' ? AT_FDCWD : base_fd(t, dirfd);
    if (base < 0 && base != AT_FDCWD)
        return base;
    if (lx_run_of(t->s)->rootfd >= 0)
        return open_in_root(t, base, path, flags, mode);
    int fd = openat(base, path, flags | O_CLOEXEC, mode);
    return fd < 0 ? -errno : fd;
}

int lx_parent_at(struct task *t, int dirfd, const char *path, const char **last, bool *owned)
{
    *owned = false;
    if (!path[0])
        return -ENOENT;
    if (lx_run_of(t->s)->rootfd < 0) {
        int base = path[0] == '/' ? AT_FDCWD : base_fd(t, dirfd);
        if (base < 0 && base != AT_FDCWD)
            return base;
        *last = path;
        return base;
    }
    /* the last component starts after the last slash that has a name
     * after it ("a/b/" -> "a" and "b/") */
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *last = path + start;
    int fd;
    if (start == 0) {
        int base = base_fd(t, dirfd);
        if (base < 0)
            return base;
        /* a descriptor from outside (vmlab's standard input may be a
         * directory) must not be a way out */
        char in[PATH_MAX];
        int n = lx_guest_path(t->s, base, in, sizeof in);
        if (n < 0)
            return n == -ENOENT ? -EXDEV : n;
        fd = fcntl(base, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            return -errno;
    } else {
        char dir[PATH_MAX];
        if (start >= sizeof dir)
            return -ENAMETOOLONG;
        memcpy(dir, path, start);
        dir[start] = 0;
        fd = lx_open_at(t, dirfd, dir, O_PATH | O_DIRECTORY, 0);
        if (fd < 0)
            return fd;
    }
    *owned = true;
    return fd;
}
