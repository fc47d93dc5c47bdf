/* uaccess.c — a system call's access to the calling task's memory.
 *
 * Through the CPU the task runs on, in supervisor mode, with the kernel's
 * faults (lazy pages, swap-in, stack growth, copy-on-write) and Linux's
 * answer to a bad pointer: -EFAULT, the task goes on
 * (kernel_copy_from_user / kernel_copy_to_user). A copy that made the
 * kernel kill the process (memory or swap ran out, a swap read failed)
 * returns -ENOMEM or -EIO; the scheduler ends the task when the call
 * returns.
 */
#include <errno.h>
#include <string.h>

#include "sys/sys.h"

static int result(int rc)
{
    return rc == 0 || rc == -EFAULT || rc == -ENOMEM ? rc : -EIO;
}

int sys_copy_in(struct task *t, void *dst, vaddr_t src, size_t len)
{
    sys_note_copy(t, src, len, false);
    return result(kernel_copy_from_user(task_cpu(t), dst, src, len));
}

int sys_copy_out(struct task *t, vaddr_t dst, const void *src, size_t len)
{
    sys_note_copy(t, dst, len, true);
    return result(kernel_copy_to_user(task_cpu(t), dst, src, len));
}

int64_t sys_copy_str(struct task *t, char *buf, vaddr_t src, size_t max)
{
    size_t got = 0;
    while (got < max) {
        /* never past the page the string is on: the next may not exist */
        vaddr_t at = src + got;
        size_t n = VM_PAGE_SIZE - (at & VM_PAGE_MASK);
        if (n > max - got)
            n = max - got;
        if (at < src)
            return -EFAULT;   /* wrapped around */
        int rc = sys_copy_in(t, buf + got, at, n);
        if (rc < 0)
            return rc;
        char *nul = memchr(buf + got, 0, n);
        if (nul)
            return (int64_t)(nul - buf);
        got += n;
    }
    return -ENAMETOOLONG;
}
