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


int kernel_pin(struct process *p, struct cpu *cpu, vaddr_t va, size_t len, bool write)
{
    if (len == 0)
        return 0;
    vaddr_t first = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    vaddr_t last = VM_ALIGN_DOWN(va + len - 1, VM_PAGE_SIZE);
    if (va + len < va) {
        process_kill(p, KILL_SEGV_KERNEL_ADDR, va);
        return -1;
    }
    for (vaddr_t pg = first;; pg += VM_PAGE_SIZE) {
        /* the first page by the buffer's own address: the stack-growth rule
         * compares it with rsp - 8 */
        enum kill_reason r = fault_in(p, cpu, pg == first ? va : pg,
                                      write ? VM_ACCESS_WRITE : VM_ACCESS_READ, true);
        if (r != KILL_NONE) {
            if (pg > first)
                kernel_unpin(p, first, pg - first);
            process_kill(p, r, pg < va ? va : pg);
            return r == KILL_OOM_NO_FRAME || r == KILL_OOM_SWAP_FULL ? -ENOMEM : -1;
        }
        if (pg == last)
            break;
    }
    return 0;
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

