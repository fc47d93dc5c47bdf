/* fault.c — the page-fault handler (PintOS's vm_try_handle_fault) and the
 * page kinds' swap_in (vm_do_claim_page's second half).
 *
 * A fault is valid if a VMA (or an SPT entry of its own) covers the address
 * with the rights the access needs, or if it looks like a stack access the
 * stack-growth rule accepts. A valid fault claims a frame (evicting if
 * needed), fills it according to the page's kind, maps it and lets the CPU
 * retry; the fault is major if filling it needed I/O. Anything else kills
 * the process with a reason; the access returns -1; the simulator goes on.
 *
 * Kernel-mode faults on user addresses (copy_in/copy_out touching lazy
 * pages, PintOS pitfall 1) are handled the same way; stack growth then uses
 * the rsp saved at "system-call entry" (kernel_set_rsp).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/kern.h"
#include "os/swap.h"

bool process_killed(const struct process *p)
{
    return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROC_RUNNABLE;
}

static const char *access_name(enum vm_access acc)
{
    return acc == VM_ACCESS_WRITE ? "write" : acc == VM_ACCESS_FETCH ? "fetch" : "read";
}

static void kill_with(struct process *p, enum kill_reason r, vaddr_t addr, enum vm_access acc)
{
    int expected = PROC_RUNNABLE;
    if (!__atomic_compare_exchange_n(&p->state, &expected, PROC_KILLED, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return;   /* already killed: count once */
    p->kill_reason = r;
    int n = snprintf(p->kill_msg, sizeof p->kill_msg, "%s: %s at 0x%llx", kill_reason_names[r],
                     access_name(acc), (unsigned long long)addr);
    char why[sizeof p->kill_msg];   /* the swap device's errno and file, cut to fit */
    size_t room = n > 0 && (size_t)n + 4 < sizeof p->kill_msg ? sizeof p->kill_msg - (size_t)n - 3 : 0;
    if ((r == KILL_PAGEOUT_IO_ERROR || r == KILL_SWAP_IO_ERROR || r == KILL_SWAP_CORRUPT) && room &&
        *swap_describe_error(p->k->swap, why, room))
        snprintf(p->kill_msg + n, sizeof p->kill_msg - (size_t)n, " (%.*s)", (int)room, why);
    count(p, VMSTAT_KILLS, 1);
    count(p, vmstat_kill_item(r), 1);
    if (r == KILL_OOM_SWAP_FULL || r == KILL_OOM_NO_FRAME || r == KILL_OOM_KERNEL)
        count(p, VMSTAT_OOM_KILL, 1);
}

void process_kill(struct process *p, enum kill_reason r, vaddr_t addr)
{
    kill_with(p, r, addr, VM_ACCESS_READ);
}

/* ---- filling a frame: the page kinds ---- */

static enum kill_reason read_file(int fd, void *kva, uint64_t n, uint64_t off)
{
    char *dst = kva;
    uint64_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, dst + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return KILL_FILE_IO_ERROR;
        if (r == 0)
            break;   /* the file shrank: the rest reads as zero */
        done += (uint64_t)r;
    }
    memset(dst + done, 0, VM_PAGE_SIZE - done);
    return KILL_NONE;
}

enum kill_reason page_fill(struct process *p, struct page *pg, const struct vma *vma, void *kva,
                           bool *major)
{
    struct kernel *k = p->k;
    vaddr_t va = page_va(pg);
    *major = false;
    if (page_kind(pg) == PAGE_UNINIT) {
        if (page_flags(pg) & PG_CUSTOM) {
            /* vm_alloc_page_with_initializer: the initializer fills the page,
             * which becomes anonymous and differs from its (zero) backing. */
            struct page_init *in = pg->u.init;
            memset(kva, 0, VM_PAGE_SIZE);
            bool ok = in->init(kva, va, in->aux);
            if (!ok)
                return KILL_FILE_IO_ERROR;
            page_clear(pg, PG_CUSTOM);
            free(in);
            pg->u.r.frame = FRAME_NONE;
            pg->u.r.slot = UINT32_MAX;
            page_set(pg, PG_DIRTY);
            page_set_kind(pg, PAGE_ANON);
            return KILL_NONE;
        }
        page_set_kind(pg, vma && (vma->flags & VMA_FILE) ? PAGE_FILE : PAGE_ANON);
    }
    if (page_kind(pg) == PAGE_ANON) {
        if (page_flags(pg) & PG_SLOT) {
            int rc = swap_read(k->swap, pg->u.r.slot, kva);
            if (rc == -EBADMSG) {
                count(p, VMSTAT_SWAP_CHECKSUM_ERRORS, 1);
                return KILL_SWAP_CORRUPT;
            }
            if (rc < 0) {
                count(p, VMSTAT_SWAP_READ_ERRORS, 1);
                return KILL_SWAP_IO_ERROR;
            }
            count(p, VMSTAT_PSWPIN, 1);
            *major = true;
        } else {
            memset(kva, 0, VM_PAGE_SIZE);
        }
        return KILL_NONE;
    }
    /* PAGE_FILE: read_bytes from the file, zero the rest (load_segment). */
    uint64_t rel = va - vma->start, n = 0;
    if (rel < vma->file_bytes)
        n = vma->file_bytes - rel < VM_PAGE_SIZE ? vma->file_bytes - rel : VM_PAGE_SIZE;
    enum kill_reason r = read_file(vma->fd, kva, n, vma->offset + rel);
    if (r == KILL_NONE) {
        count(p, VMSTAT_FILE_READ, 1);
        *major = true;
    }
    return r;
}

/* ---- stack growth ---- */

/* va is covered by no VMA. Grow the stack to cover it, or say why not. */
static enum kill_reason grow_stack(struct process *p, struct cpu *cpu, vaddr_t va)
{
    /* va is the faulting address itself, not its page: rsp-8 is exact. */
    struct kernel *k = p->k;
    unsigned i = vma_lower_bound(&p->vmas, va);
    if (i >= p->vmas.n || !(p->vmas.v[i].flags & VMA_STACK))
        return KILL_SEGV_UNMAPPED;
    struct vma *st = &p->vmas.v[i];
    vaddr_t page = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    uint64_t cap = k->cfg.stack_cap;
    if (k->cfg.stack_rule == STACK_RULE_PINTOS) {
        vaddr_t rsp = __atomic_load_n(&p->rsp, __ATOMIC_RELAXED);
        /* rsp - 8: PUSH faults 8 bytes below rsp before moving it */
        if (va + 8 < rsp || rsp < 8)
            return KILL_SEGV_UNMAPPED;
        if (va < st->end - cap || va >= st->end)
            return KILL_STACK_OVERFLOW;
    } else {
        if (st->end - page > cap)
            return KILL_STACK_OVERFLOW;
        if (i > 0) {
            const struct vma *prev = &p->vmas.v[i - 1];
            if (page < prev->end + k->cfg.stack_guard_gap)
                return KILL_SEGV_UNMAPPED;   /* would close the guard gap */
        }
    }
    klock_acquire(&p->ptl, cpu);   /* VMAs are written under both locks */
    st->start = page;
    klock_release(&p->ptl);
    count(p, VMSTAT_STACK_GROWTH, 1);
    return KILL_NONE;
}

/* ---- the handler ---- */

static enum kill_reason pin_resident(struct process *p, struct cpu *cpu, struct page *pg, bool *retry)
{
    struct frame_table *ft = &p->k->ft;
    klock_acquire(&p->ptl, cpu);
    uint64_t fl = page_flags(pg);
    uint32_t i = pg->u.r.frame;
    klock_release(&p->ptl);
    *retry = true;
    if ((fl & (PG_EVICTING | PG_RESIDENT)) != PG_RESIDENT)
        return KILL_NONE;
    klock_acquire(&ft->lock, cpu);
    if (ft_maps(ft, i, pg) && !(ft->state[i] & FS_BUSY)) {
        frame_pin_locked(ft, i);
        *retry = false;
    }
    klock_release(&ft->lock);
    return KILL_NONE;
}

/* ---- transparent huge pages ---- */

/* THP "always": an anonymous VMA that contains the whole aligned 2 MiB
 * range around va (Linux's transhuge_vma_suitable). */
static bool thp_suitable(const struct kernel *k, const struct vma *v, vaddr_t va)
{
    if (!k->cfg.thp || !v || !(v->flags & VMA_ANON) || (v->flags & (VMA_NOHUGE | VMA_STACK)))
        return false;
    vaddr_t h = VM_ALIGN_DOWN(va, HPAGE_SIZE);
    return h >= v->start && h + HPAGE_SIZE <= v->end;
}

/* A huge page that is not resident but cannot get 512 contiguous frames:
 * split it into 4 KiB pages (each keeps its slot; never-written ones need
 * no entry: the VMA zero-fills them). mm lock held; nobody else can reach
 * the page (not resident, not evicting). */
static enum kill_reason split_huge(struct process *p, struct page *pg)
{
    vaddr_t h = page_va(pg);
    struct huge_swap *hs = (page_flags(pg) & PG_SLOT) ? pg->u.hs : NULL;
    spt_remove(&p->spt, pg);
    page_free(&p->spt, pg);
    if (!hs)
        return KILL_NONE;
    for (unsigned j = 0; j < HPAGE_PAGES; j++) {
        struct page *sp = page_new(&p->spt, h + (uint64_t)j * VM_PAGE_SIZE, PAGE_ANON);
        if (!sp) {
            /* keep going: the remaining slots are released */
            swap_free(p->k->swap, hs->slot[j]);
            __atomic_fetch_sub(&p->slots, 1, __ATOMIC_RELAXED);
            continue;
        }
        sp->proc = p;
        sp->u.r.slot = hs->slot[j];
        page_set(sp, PG_SLOT | PG_LOADED);
        spt_insert(&p->spt, sp);
    }
    free(hs);
    return KILL_NONE;
}

/* Fill a huge frame for pg: from its slots (then freed) or zeros. */
static enum kill_reason huge_fill(struct process *p, struct page *pg, char *kva, bool *major)
{
    struct kernel *k = p->k;
    *major = false;
    if (!(page_flags(pg) & PG_SLOT)) {
        memset(kva, 0, HPAGE_SIZE);
        return KILL_NONE;
    }
    struct huge_swap *hs = pg->u.hs;
    for (unsigned j = 0; j < HPAGE_PAGES; j++) {
        int rc = swap_read(k->swap, hs->slot[j], kva + (uint64_t)j * VM_PAGE_SIZE);
        if (rc == -EBADMSG) {
            count(p, VMSTAT_SWAP_CHECKSUM_ERRORS, 1);
            return KILL_SWAP_CORRUPT;
        }
        if (rc < 0) {
            count(p, VMSTAT_SWAP_READ_ERRORS, 1);
            return KILL_SWAP_IO_ERROR;
        }
    }
    for (unsigned j = 0; j < HPAGE_PAGES; j++)
        swap_free(k->swap, hs->slot[j]);
    free(hs);
    __atomic_fetch_sub(&p->slots, HPAGE_PAGES, __ATOMIC_RELAXED);
    page_clear(pg, PG_SLOT);
    page_set(pg, PG_DIRTY);   /* no swap cache for huge pages: the next eviction writes */
    count(p, VMSTAT_PSWPIN, HPAGE_PAGES);
    *major = true;
    return KILL_NONE;
}

static enum kill_reason pin_frame(struct process *p, struct cpu *cpu, uint32_t i)
{
    struct frame_table *ft = &p->k->ft;
    klock_acquire(&ft->lock, cpu);
    frame_pin_locked(ft, i);
    klock_release(&ft->lock);
    return KILL_NONE;
}

/* A fault on a page of a shared file mapping: the page cache (pagecache.c).
 * *again: wait a step and look again. Kept out of line: the anonymous fault
 * is the hot path. */
__attribute__((noinline, cold)) static enum kill_reason
shared_fault(struct process *p, struct cpu *cpu, struct page *pg, const struct vma *vma,
             unsigned prot, bool pin, bool *again)
{
    *again = false;
    paddr_t pte_pa = mmu_pte_create(p, page_va(pg), 0);
    if (!pte_pa)
        return KILL_OOM_KERNEL;
    bool major;
    enum kill_reason r = pc_fault(p, cpu, pg, vma, pte_pa, prot, pin, &major, again);
    if (r == KILL_NONE && *again)
        kwait_step(cpu);
    else if (r == KILL_NONE)
        count(p, major ? VMSTAT_PGMAJFAULT : VMSTAT_PGMINFAULT, 1);
    return r;
}

enum kill_reason fault_in(struct process *p, struct cpu *cpu, vaddr_t va, enum vm_access acc,
                          bool user, bool pin)
{
    struct kernel *k = p->k;
    (void)user;
    if (va >= k->user_top)
        return KILL_SEGV_KERNEL_ADDR;
    vaddr_t addr = va;
    va = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    klock_acquire(&p->lock, cpu);
    enum kill_reason r = KILL_NONE;
    bool no_huge = false;   /* set after a huge allocation fell back */
    for (;;) {
        struct vma *vma = vma_find(&p->vmas, va);
        bool thp = !no_huge && thp_suitable(k, vma, va);
        struct page *pg = thp ? spt_lookup(&p->spt, va) : spt_find(&p->spt, va);
        if (!vma && !pg) {
            r = grow_stack(p, cpu, addr);
            if (r != KILL_NONE)
                break;
            vma = vma_find(&p->vmas, va);
        }
        unsigned prot = vma ? vma->prot
                            : VM_PROT_READ | (page_flags(pg) & PG_WRITABLE ? VM_PROT_WRITE : 0);
        if (acc == VM_ACCESS_WRITE && !(prot & VM_PROT_WRITE)) {
            r = KILL_SEGV_WRITE_RO;
            break;
        }
        if (acc == VM_ACCESS_FETCH && !(prot & VM_PROT_EXEC)) {
            r = KILL_SEGV_EXEC_NX;
            break;
        }
        if (!(prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC))) {
            r = KILL_SEGV_UNMAPPED;   /* PROT_NONE */
            break;
        }
        uint64_t fl = 0;
        bool new_huge = false;
        if (!pg && thp) {
            /* A huge page only where nothing 4 KiB was ever mapped: no page
             * table under the range's level-1 entry. */
            vaddr_t h = VM_ALIGN_DOWN(va, HPAGE_SIZE);
            paddr_t pde = mmu_pte_create(p, h, 1);
            if (pde && kpte_load(k, pde) == 0) {
                pg = page_new(&p->spt, h, PAGE_ANON);
                if (pg) {
                    pg->proc = p;
                    page_set(pg, PG_HUGE);
                    spt_insert(&p->spt, pg);
                    new_huge = true;
                }
            }
        }
        if (!pg) {
            /* New: no other thread can know this page yet. */
            pg = page_new(&p->spt, va, PAGE_UNINIT);
            if (!pg) {
                r = KILL_OOM_KERNEL;
                break;
            }
            pg->proc = p;
            spt_insert(&p->spt, pg);
        } else if (!new_huge) {
            klock_acquire(&p->ptl, cpu);
            fl = page_flags(pg);
            klock_release(&p->ptl);
        }
        if (fl & PG_EVICTING) {
            kwait_step(cpu);
            continue;
        }
        if (fl & PG_RESIDENT) {
            /* Spurious: another CPU of p mapped it first, or the CPU raced
             * an eviction that has since been undone. */
            if (pin) {
                bool again;
                pin_resident(p, cpu, pg, &again);
                if (again) {
                    kwait_step(cpu);
                    continue;
                }
            }
            count(p, VMSTAT_PGMINFAULT, 1);
            break;
        }

        if (vma && (vma->flags & (VMA_FILE | VMA_SHARED)) == (VMA_FILE | VMA_SHARED)) {
            /* a shared file page: the page cache's frame, shared with every
             * other mapping of that page of that file */
            bool again;
            r = shared_fault(p, cpu, pg, vma, prot, pin, &again);
            if (again)
                continue;
            break;
        }

        /* vm_do_claim_page: a frame, its contents, the mapping. */
        bool huge = page_huge(pg), major;
        paddr_t pte_pa = mmu_pte_create(p, page_va(pg), page_level(pg));
        if (!pte_pa) {
            r = KILL_OOM_KERNEL;
            break;
        }
        uint32_t i;
        if (huge) {
            i = frame_alloc_huge(k, cpu);
            if (i == FRAME_NONE) {
                count(p, VMSTAT_THP_FAULT_FALLBACK, 1);
                split_huge(p, pg);   /* then the 4 KiB path */
                no_huge = true;
                continue;
            }
            r = huge_fill(p, pg, physmem_host(k->pm, frame_pa(&k->ft, i)), &major);
        } else {
            enum frame_alloc_err why;
            i = frame_alloc(k, cpu, &why);
            if (i == FRAME_NONE) {
                r = why == FA_SWAP_FULL ? KILL_OOM_SWAP_FULL
                  : why == FA_IO_ERROR  ? KILL_PAGEOUT_IO_ERROR : KILL_OOM_NO_FRAME;
                break;
            }
            r = page_fill(p, pg, vma, physmem_frame(k->pm, frame_pa(&k->ft, i)), &major);
        }
        if (r != KILL_NONE) {
            frame_free(k, cpu, i, huge);
            break;
        }
        klock_acquire(&p->ptl, cpu);
        pg->u.r.frame = i;
        page_set(pg, PG_RESIDENT | PG_LOADED);
        kpte_store(k, pte_pa,
                  k->fmt->make_leaf(page_level(pg), frame_pa(&k->ft, i), prot | VM_PROT_USER, true,
                                    false, 0));
        klock_release(&p->ptl);
        if (pin)
            pin_frame(p, cpu, i);
        frame_install(k, cpu, i, pg);
        stat_add(&p->resident, huge ? HPAGE_PAGES : 1);
        if (new_huge)
            count(p, VMSTAT_THP_FAULT_ALLOC, 1);
        count(p, major ? VMSTAT_PGMAJFAULT : VMSTAT_PGMINFAULT, 1);
        break;
    }
    klock_release(&p->lock);
    return r;
}

enum fault_action kernel_fault_handler(struct cpu *cpu, const struct vm_fault *f, void *arg)
{
    (void)arg;
    struct process *p = cpu_user(cpu);
    if (!p || process_killed(p))
        return FAULT_FAIL;
    count(p, VMSTAT_PGFAULT, 1);
    enum kill_reason r;
    if (f->type == FAULT_GP)
        r = KILL_SEGV_NONCANON;
    else
        r = fault_in(p, cpu, f->addr, f->access, f->priv == VM_PRIV_USER, false);
    if (r == KILL_NONE)
        return FAULT_RETRY;
    kill_with(p, r, f->addr, f->access);
    return FAULT_FAIL;
}
