/* pintos_mem.c — PintOS's mmap and munmap on the kernel's PintOS mappings
 * (kernel_map_file: shared through the page cache, lazy, zeros past end of
 * file never written back, only dirty pages written back -- at munmap, at
 * eviction, at exit), and the get_phys_addr test hook.
 *
 * mmap fails (returns 0, MAP_FAILED) for addr 0 or not page-aligned,
 * length 0, an offset that is negative or not page-aligned, fd 0 or 1, an
 * empty file, a range that overlaps any page the process has (loaded or
 * not: code, data, the stack, other mappings) or reaches KERN_BASE (the
 * format's user top under sv39) or wraps around. A descriptor that is not
 * open is a bad argument: the process ends with exit(-1). The mapping keeps
 * its own descriptor: closing or removing the file does not unmap it.
 */
#include "sys/pintos.h"

int64_t pt_sys_mmap(struct pt_call *c)
{
    vaddr_t addr = c->a[0];
    uint64_t len = c->a[1];
    int writable = arg_int(c, 2), fd = arg_int(c, 3);
    int32_t offset = arg_int(c, 4);
    if (fd == STDIN_FILENO || fd == STDOUT_FILENO)
        return 0;
    struct file *f = fd >= 2 ? fd_get(&c->t->fds, fd) : NULL;
    if (!f) {
        pt_kill(c, "mmap: bad file descriptor %d", fd);
        return PT_NORESULT;
    }
    if (offset < 0)
        return 0;
    unsigned prot = VM_PROT_READ | (writable ? VM_PROT_WRITE : 0);
    int rc = kernel_map_file(c->t->proc, addr, len, prot, f->hostfd, (uint64_t)offset);
    return rc == 0 ? (int64_t)addr : 0;
}

int64_t pt_sys_munmap(struct pt_call *c)
{
    kernel_unmap(c->t->proc, c->a[0], task_cpu(c->t));   /* not a mapping: nothing happens */
    return 0;
}

/* The user top of this run's format: KERN_BASE, or less under sv39. */
static vaddr_t user_top(const struct sys *s)
{
    vaddr_t half = s->fmt->halves ? 1ull << (s->fmt->va_bits - 1) : 1ull << s->fmt->va_bits;
    return half < KERNEL_KERN_BASE ? half : KERNEL_KERN_BASE;
}

int64_t pt_sys_get_phys_addr(struct pt_call *c)
{
    vaddr_t va = c->a[0];
    if (va >= user_top(c->s))
        return 0;
    struct page_info pi;
    kernel_page_info(c->t->proc, va, &pi);
    if (!pi.pte_present || pi.where != PAGE_RESIDENT)
        return 0;
    paddr_t pa = pi.frame;
    if (pi.huge)   /* the 4 KiB page's frame inside the 2 MiB page */
        pa += VM_ALIGN_DOWN(va, VM_PAGE_SIZE) & ((2ull << 20) - 1);
    return (int64_t)pa;
}
