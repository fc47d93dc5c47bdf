/* uaccess.c — the kernel's access to user memory: pinning, copy_in and
 * copy_out, as a system call uses them.
 *
 * Pages are faulted in (lazily loaded pages, swapped pages, stack growth by
 * the saved stack pointer, copy-on-write for a write), pinned so that no
 * eviction takes their frames while the copy runs, and accessed through
 * the CPU in supervisor mode, so the user mapping's A/D bits are set as when
 * a real kernel writes through the user mapping.
 */
#include <errno.h>

#include "os/kern.h"


/* Fault in and pin every page of [va, va+len) without killing anyone: the
 * reason the first page that cannot be had was refused for (the pages
 * before it unpinned again), or KILL_NONE with all of them pinned. *where
 * is the address to report. */
static enum kill_reason pin_range(struct process *p, struct cpu *cpu, vaddr_t va, size_t len,
                                  bool write, vaddr_t *where)
{
    vaddr_t first = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    vaddr_t last = VM_ALIGN_DOWN(va + len - 1, VM_PAGE_SIZE);
    *where = va;
    if (va + len < va)
        return KILL_SEGV_KERNEL_ADDR;
    for (vaddr_t pg = first;; pg += VM_PAGE_SIZE) {
        /* the first page by the buffer's own address: the stack-growth rule
         * compares it with rsp - 8 */
        enum kill_reason r = fault_in(p, cpu, pg == first ? va : pg,
                                      write ? VM_ACCESS_WRITE : VM_ACCESS_READ, true, false);
        if (r != KILL_NONE) {
            if (pg > first)
                kernel_unpin(p, first, pg - first);
            *where = pg < va ? va : pg;
            return r;
        }
        if (pg == last)
            break;
    }
    return KILL_NONE;
}

static bool kill_is_oom(enum kill_reason r)
{
    return r == KILL_OOM_NO_FRAME || r == KILL_OOM_SWAP_FULL || r == KILL_OOM_KERNEL;
}

int kernel_pin(struct process *p, struct cpu *cpu, vaddr_t va, size_t len, bool write)
{
    if (len == 0)
        return 0;
    vaddr_t where;
    enum kill_reason r = pin_range(p, cpu, va, len, write, &where);
    if (r == KILL_NONE)
        return 0;
    process_kill(p, r, where);
    return r == KILL_OOM_NO_FRAME || r == KILL_OOM_SWAP_FULL ? -ENOMEM : -1;
}

void kernel_unpin(struct process *p, vaddr_t va, size_t len)
{
    if (len == 0)
        return;
    struct kernel *k = p->k;
    vaddr_t first = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    vaddr_t last = VM_ALIGN_DOWN(va + len - 1, VM_PAGE_SIZE);
    klock_acquire(&p->lock, kself(p->k, NULL));
    for (vaddr_t a = first;; a += VM_PAGE_SIZE) {
        struct page *pg = spt_lookup(&p->spt, a);
        if (pg) {
            klock_acquire(&p->ptl, kself(p->k, NULL));
            bool res = page_flags(pg) & PG_RESIDENT;
            uint32_t i = pg->u.r.frame;
            klock_release(&p->ptl);
            if (res) {
                klock_acquire(&k->ft.lock, kself(k, NULL));
                if (ft_maps(&k->ft, i, pg) && (k->ft.state[i] & FS_PIN_MASK))
                    frame_unpin_locked(&k->ft, i);
                klock_release(&k->ft.lock);
            }
        }
        if (a == last)
            break;
    }
    klock_release(&p->lock);
}

static int copy_user(struct cpu *cpu, vaddr_t uva, void *kbuf, size_t len, bool out)
{
    struct process *p = kernel_current(cpu);
    if (!p || process_killed(p))
        return -1;
    int rc = kernel_pin(p, cpu, uva, len, out);
    if (rc < 0)
        return rc;
    enum vm_priv saved = cpu_priv(cpu);
    cpu_set_priv(cpu, VM_PRIV_SUPERVISOR);
    rc = out ? cpu_write(cpu, uva, kbuf, len) : cpu_read(cpu, uva, kbuf, len);
    cpu_set_priv(cpu, saved);
    kernel_unpin(p, uva, len);
    return rc < 0 ? -1 : 0;
}

int kernel_copy_in(struct cpu *cpu, void *dst, vaddr_t usrc, size_t len)
{
    return copy_user(cpu, usrc, dst, len, false);
}

int kernel_copy_out(struct cpu *cpu, vaddr_t udst, const void *src, size_t len)
{
    return copy_user(cpu, udst, (void *)src, len, true);
}


/* A bad address is the caller's error, not the process's death: what
 * Linux's copy_from_user/copy_to_user give a system call. Only what would
 * kill the process on any access -- memory or the swap device failing --
 * still kills. */
static int copy_user_checked(struct cpu *cpu, vaddr_t uva, void *kbuf, size_t len, bool out)
{
    struct process *p = kernel_current(cpu);
    if (!p || process_killed(p))
        return -1;
    if (len == 0)
        return 0;
    vaddr_t where;
    enum kill_reason r = pin_range(p, cpu, uva, len, out, &where);
    switch (r) {
    case KILL_NONE:
        break;
    case KILL_SEGV_UNMAPPED: case KILL_SEGV_WRITE_RO: case KILL_SEGV_EXEC_NX:
    case KILL_SEGV_PROT_NONE: case KILL_SEGV_KERNEL_ADDR: case KILL_SEGV_NONCANON:
    case KILL_STACK_OVERFLOW: case KILL_SIGBUS_EOF:
        return -EFAULT;
    default:
        process_kill(p, r, where);
        return kill_is_oom(r) ? -ENOMEM : -1;
    }
    enum vm_priv saved = cpu_priv(cpu);
    cpu_set_priv(cpu, VM_PRIV_SUPERVISOR);
    int rc = out ? cpu_write(cpu, uva, kbuf, len) : cpu_read(cpu, uva, kbuf, len);
    cpu_set_priv(cpu, saved);
    kernel_unpin(p, uva, len);
    if (rc < 0 && !process_killed(p))
        return -EFAULT;   /* the machine refused what the kernel allowed: a bus error */
    return rc < 0 ? -1 : 0;
}

int kernel_copy_from_user(struct cpu *cpu, void *dst, vaddr_t usrc, size_t len)
{
    return copy_user_checked(cpu, usrc, dst, len, false);
}

int kernel_copy_to_user(struct cpu *cpu, vaddr_t udst, const void *src, size_t len)
{
    return copy_user_checked(cpu, udst, (void *)src, len, true);
}
