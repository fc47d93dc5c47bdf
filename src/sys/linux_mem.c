/* linux_mem.c — brk, mmap, munmap, mprotect, madvise: Linux's argument
 * rules in front of the kernel's calls of the same names (kernel.h, "the
 * memory calls of a C library"), which do the work: lazy pages, the page
 * cache for shared file mappings, copy-on-write, splitting mappings. */
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sys/linux.h"

enum {
    LX_PROT_MASK = 7,
    LX_MAP_TYPE = 0x0f, LX_MAP_SHARED_VALIDATE = 0x03,
    LX_MAP_GROWSDOWN = 0x100, LX_MAP_DENYWRITE = 0x800, LX_MAP_EXECUTABLE = 0x1000,
    LX_MAP_LOCKED = 0x2000, LX_MAP_POPULATE = 0x8000, LX_MAP_NONBLOCK = 0x10000,
    LX_MAP_STACK = 0x20000, LX_MAP_HUGETLB = 0x40000, LX_MAP_SYNC = 0x80000,
};

int64_t lx_sys_brk(struct lx_call *c)
{
    return (int64_t)sys_brk(c->t, c->a[0]);   /* brk(2) returns the break, moved or not */
}

/* Is f /dev/zero? Its private mappings are anonymous memory. */
static bool dev_zero(struct file *f)
{
    struct stat st;
    return f->hostfd >= 0 && fstat(f->hostfd, &st) == 0 && S_ISCHR(st.st_mode) &&
           major(st.st_rdev) == 1 && minor(st.st_rdev) == 5;
}

int64_t lx_sys_mmap(struct lx_call *c)
{
    uint64_t addr = c->a[0], len = c->a[1], prot = c->a[2], flags = c->a[3], off = c->a[5];
    int fd = (int)c->a[4];
    if (prot & ~(uint64_t)LX_PROT_MASK)
        return -EINVAL;
    if (off & VM_PAGE_MASK)
        return -EINVAL;
    unsigned type = flags & LX_MAP_TYPE;
    if (type == LX_MAP_SHARED_VALIDATE) {
        uint64_t known = LX_MAP_TYPE | KERNEL_MAP_FIXED | KERNEL_MAP_ANONYMOUS | KERNEL_MAP_NORESERVE |
                         KERNEL_MAP_FIXED_NOREPLACE | LX_MAP_GROWSDOWN | LX_MAP_DENYWRITE |
                         LX_MAP_EXECUTABLE | LX_MAP_LOCKED | LX_MAP_POPULATE | LX_MAP_NONBLOCK |
                         LX_MAP_STACK;
        if (flags & ~known)
            return -EOPNOTSUPP;   /* MAP_SYNC and anything unknown */
        type = KERNEL_MAP_SHARED;
    }
    if (type != KERNEL_MAP_SHARED && type != KERNEL_MAP_PRIVATE)
        return -EINVAL;
    if (flags & LX_MAP_HUGETLB)
        return -EINVAL;   /* no hugetlbfs (transparent huge pages: --thp) */
    /* what the kernel takes; the rest are hints it has no use for
     * (POPULATE, LOCKED, STACK, NONBLOCK, DENYWRITE, EXECUTABLE, GROWSDOWN) */
    unsigned kflags = type | (unsigned)(flags & (KERNEL_MAP_FIXED | KERNEL_MAP_ANONYMOUS |
                                                 KERNEL_MAP_NORESERVE | KERNEL_MAP_FIXED_NOREPLACE));
    int hostfd = -1;
    if (!(kflags & KERNEL_MAP_ANONYMOUS)) {
        struct file *f = lx_file(c, fd);
        if (!f || (f->flags & O_PATH))
            return -EBADF;
        if (f->hostfd < 0)
            return -ENODEV;   /* a pipe */
        if (dev_zero(f) && type == KERNEL_MAP_PRIVATE)
            kflags |= KERNEL_MAP_ANONYMOUS;
        else
            hostfd = f->hostfd;
    }
    vaddr_t out;
    int rc = sys_mmap(c->t, addr, len, (unsigned)prot, kflags, hostfd, off, &out);
    return rc < 0 ? rc : (int64_t)out;
}

int64_t lx_sys_munmap(struct lx_call *c)
{
    return sys_munmap(c->t, c->a[0], c->a[1]);
}

int64_t lx_sys_mprotect(struct lx_call *c)
{
    if (c->a[2] & ~(uint64_t)LX_PROT_MASK)
        return -EINVAL;   /* PROT_GROWSDOWN/GROWSUP are not modelled */
    if (c->a[0] & VM_PAGE_MASK)
        return -EINVAL;
    if (c->a[1] == 0)
        return 0;
    return sys_mprotect(c->t, c->a[0], c->a[1], (unsigned)c->a[2]);
}

int64_t lx_sys_madvise(struct lx_call *c)
{
    int advice = (int)c->a[2];
    switch (advice) {
    case KERNEL_MADV_NORMAL: case KERNEL_MADV_RANDOM: case KERNEL_MADV_SEQUENTIAL:
    case KERNEL_MADV_WILLNEED: case KERNEL_MADV_DONTNEED:
        break;
    case 8:                    /* MADV_FREE: dropping now is one of its allowed outcomes */
        advice = KERNEL_MADV_DONTNEED;
        break;
    case 12: case 13:          /* MERGEABLE, UNMERGEABLE (KSM) */
    case 14: case 15:          /* HUGEPAGE, NOHUGEPAGE */
    case 16: case 17:          /* DONTDUMP, DODUMP */
    case 20: case 21:          /* COLD, PAGEOUT */
        /* hints with no effect on what the program sees */
        if (c->a[0] & VM_PAGE_MASK)
            return -EINVAL;
        return 0;
    default:                   /* REMOVE, DONTFORK, WIPEONFORK, HWPOISON... not modelled */
        return -EINVAL;
    }
    if (c->a[0] & VM_PAGE_MASK)
        return -EINVAL;
    if (c->a[1] == 0)
        return 0;
    return sys_madvise(c->t, c->a[0], c->a[1], advice);
}
