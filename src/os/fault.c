/* fault.c — the page-fault handler (PintOS's vm_try_handle_fault; Linux's
 * handle_mm_fault and handle_pte_fault).
 *
 * A fault is handled in two steps, each a function of its own:
 *
 *   find_and_check   the VMA (or the page's own SPT entry) covering the
 *                    address, stack growth for an address just below the
 *                    stack, and the rights the access needs. Anything else
 *                    kills the process with a reason.
 *   handle_page      dispatch on the page's state, as handle_pte_fault does:
 *                      no page yet        create it with its VMA's kind
 *                      being evicted      wait, then handle the fault again
 *                      not resident       its kind's claim (page_ops): zero
 *                                         fill, swap-in, file read, the page
 *                                         cache, a huge page
 *                      write-protected    copy-on-write (cow.c)
 *                      resident           spurious: another CPU was first
 *
 * The fault is major if filling the frame needed I/O. Kernel-mode faults on
 * user addresses (copy_in/copy_out touching lazy pages, PintOS pitfall 1)
 * are handled the same way; stack growth then uses the stack pointer saved
 * at "system-call entry" (kernel_set_rsp).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vmlab/observe.h>

#include "os/kern.h"
#include "os/swap.h"
#include "os/swpt.h"

bool process_killed(const struct process *p)
{
    return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROC_RUNNABLE;
}

static const char *access_name(enum vm_access acc)
{
    return acc == VM_ACCESS_WRITE ? "write" : acc == VM_ACCESS_FETCH ? "fetch" : "read";
}

void process_kill_access(struct process *p, enum kill_reason r, vaddr_t addr, enum vm_access acc)
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
    process_kill_access(p, r, addr, VM_ACCESS_READ);
}

/* ---- find and check ---- */

/* addr is covered by no VMA. Grow the stack down to cover it, or say why
 * not. addr is the faulting address itself, not its page: the PintOS rule
 * compares it with rsp - slack exactly. */
static enum kill_reason grow_stack(struct fault *f)
{
    struct process *p = f->p;
    const struct abi *abi = p->abi;
    unsigned i = vma_lower_bound(&p->vmas, f->addr);
    if (i >= p->vmas.n || !(p->vmas.v[i].flags & VMA_STACK))
        return KILL_SEGV_UNMAPPED;
    struct vma *st = &p->vmas.v[i];
    if (abi->stack_rule == STACK_RULE_PINTOS) {
        vaddr_t rsp = process_rsp(p);
        if (f->addr + abi->stack_slack < rsp || rsp < abi->stack_slack)
            return KILL_SEGV_UNMAPPED;
        if (f->addr < st->end - abi->stack_cap || f->addr >= st->end)
            return KILL_STACK_OVERFLOW;
    } else {
        /* just beyond the limit is an overflow; far below it, an access
         * that has nothing to do with the stack */
        if (st->end - f->va > abi->stack_cap)
            return st->end - f->va <= abi->stack_cap + abi->stack_guard_gap ? KILL_STACK_OVERFLOW
                                                                            : KILL_SEGV_UNMAPPED;
        if (i > 0 && f->va < p->vmas.v[i - 1].end + abi->stack_guard_gap)
            return KILL_SEGV_UNMAPPED;   /* would close the guard gap */
    }
    klock_acquire(&p->ptl, f->cpu);   /* VMAs are written under both locks */
    st->start = f->va;
    klock_release(&p->ptl);
    count(p, VMSTAT_STACK_GROWTH, 1);
    f->vma = st;
    return KILL_NONE;
}

static enum kill_reason check_rights(unsigned prot, enum vm_access acc)
{
    if (!(prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)))
        return KILL_SEGV_PROT_NONE;
    if (acc == VM_ACCESS_WRITE && !(prot & VM_PROT_WRITE))
        return KILL_SEGV_WRITE_RO;
    if (acc == VM_ACCESS_FETCH && !(prot & VM_PROT_EXEC))
        return KILL_SEGV_EXEC_NX;
    return KILL_NONE;
}

/* Could a huge page back va in v (Linux's transhuge_vma_suitable with THP
 * "always"): an anonymous VMA that contains the whole aligned 2 MiB range. */
static bool thp_suitable(const struct kernel *k, const struct vma *v, vaddr_t va)
{
    if (!k->cfg.thp || !v || !(v->flags & VMA_ANON) || (v->flags & (VMA_NOHUGE | VMA_STACK)))
        return false;
    vaddr_t h = VM_ALIGN_DOWN(va, HPAGE_SIZE);
    return h >= v->start && h + HPAGE_SIZE <= v->end;
}

static enum kill_reason find_and_check(struct fault *f)
{
    struct process *p = f->p;
    f->vma = vma_find(&p->vmas, f->va);
    f->pg = f->vma && thp_suitable(p->k, f->vma, f->va) ? spt_lookup(&p->spt, f->va)
                                                         : spt_find(&p->spt, f->va);
    if (!f->vma && !f->pg) {
        enum kill_reason r = grow_stack(f);
        if (r != KILL_NONE)
            return r;
    }
    f->prot = f->vma ? f->vma->prot
                     : VM_PROT_READ | (page_flags(f->pg) & PG_WRITABLE ? VM_PROT_WRITE : 0);
    return check_rights(f->prot, f->acc);
}

/* ---- handle ---- */

/* The first fault on a page of a VMA: the VMA is its initializer, so the
 * page is created with the VMA's kind -- a huge page where THP fits and no
 * 4 KiB page was ever mapped in the aligned range (no page table under its
 * level-1 entry). */
static enum kill_reason page_create(struct fault *f)
{
    struct process *p = f->p;
    struct kernel *k = p->k;
    const struct vma *v = f->vma;
    vaddr_t va = f->va;
    enum page_kind kind = !(v->flags & VMA_FILE) ? PAGE_ANON
                        : (v->flags & VMA_SHARED) ? PAGE_SHARED : PAGE_FILE;
    if (!f->no_huge && thp_suitable(k, v, va)) {
        vaddr_t h = VM_ALIGN_DOWN(va, HPAGE_SIZE);
        paddr_t pde = mmu_pte_create(p, h, 1);
        if (pde && kpte_load(k, pde) == 0) {
            kind = PAGE_HUGE;
            va = h;
            f->new_huge = true;
        }
    }
    f->pg = page_new(&p->spt, p, va, kind);
    if (!f->pg)
        return KILL_OOM_KERNEL;
    spt_insert(&p->spt, f->pg);
    f->va = va;
    return KILL_NONE;
}

/* Is the resident page's PTE writable? Its address is kept in f->pte_pa
 * for the copy-on-write that follows if not: the tables of a process
 * change only under its mm lock, which the fault holds. p->ptl held. */
static bool pte_writable(struct fault *f)
{
    struct kernel *k = f->p->k;
    f->pte_pa = mmu_pte_lookup(f->p, page_va(f->pg), page_level(f->pg));
    struct pte_info pi;
    k->fmt->decode(f->pte_pa ? kpte_load(k, f->pte_pa) : 0, page_level(f->pg), &pi);
    return pi.present && (pi.prot & VM_PROT_WRITE);
}

/* Another CPU of the process mapped the page first, or the CPU raced an
 * eviction that has since been undone, or a system call's copy found its
 * page mapped: nothing to do but pin if asked. */
static enum kill_reason spurious(struct fault *f)
{
    if (f->pin) {
        uint32_t i = frame_pin_settled(f->p, f->cpu, f->pg);
        if (i == FRAME_NONE) {
            f->retry = true;   /* evicted meanwhile */
            return KILL_NONE;
        }
    }
    if (f->cpu_fault)   /* a copy that finds its page mapped takes no fault at all */
        fault_account(f, false);
    return KILL_NONE;
}

static enum kill_reason handle_page(struct fault *f)
{
    struct process *p = f->p;
    if (!f->pg) {
        enum kill_reason r = page_create(f);
        if (r != KILL_NONE)
            return r;
    } else {
        f->va = page_va(f->pg);
    }
    /* Copy-on-write is broken by a write, and by a pin of a page the
     * process may write (Linux's unsharing GUP): a pinned frame must stay
     * the pinner's, not move away under it at the process's next write. */
    bool unshare = f->acc == VM_ACCESS_WRITE ||
                   (f->pin && (f->prot & VM_PROT_WRITE) && page_kind(f->pg) != PAGE_SHARED);
    klock_acquire(&p->ptl, f->cpu);
    uint64_t fl = page_flags(f->pg);
    bool cow = (fl & PG_RESIDENT) && unshare && !pte_writable(f);
    f->frame = fl & PG_RESIDENT ? f->pg->u.r.frame : FRAME_NONE;
    klock_release(&p->ptl);
    if (fl & PG_EVICTING) {
        f->retry = true;
        return KILL_NONE;
    }
    if (cow)
        return cow_fault(f);
    if (fl & PG_RESIDENT)
        return spurious(f);
    return page_ops(f->pg)->claim(f);
}

/* ---- what an observed CPU hears of a fault (vmlab/observe.h) ---- */

/* The counters whose change says what a fault did: each is counted by the
 * code that did it (anon.c, file.c, cow.c, thp.c, grow_stack). */
static const enum vmstat_item watched_items[] = {
    VMSTAT_ZERO_FILL, VMSTAT_PSWPIN, VMSTAT_FILE_READ, VMSTAT_COW_COPY, VMSTAT_COW_REUSE,
    VMSTAT_STACK_GROWTH, VMSTAT_THP_FAULT_ALLOC, VMSTAT_PGMAJFAULT,
};
enum { W_ZERO, W_SWPIN, W_FILE, W_COPY, W_REUSE, W_STACK, W_THP, W_MAJOR, W_N };

struct fault_watch {
    struct vm_event ev;
    uint64_t before[W_N];
    bool found;                /* find-and-check's result is recorded */
    bool resident;             /* the page was resident when the fault came */
    uint32_t frame;            /* its frame then */
};

static unsigned vma_bits(unsigned flags)
{
    return (flags & VMA_ANON ? VM_VMA_ANON : 0) | (flags & VMA_FILE ? VM_VMA_FILE : 0) |
           (flags & VMA_SHARED ? VM_VMA_SHARED : 0) | (flags & VMA_STACK ? VM_VMA_STACK : 0) |
           (flags & VMA_HEAP ? VM_VMA_HEAP : 0);
}

static void watch_begin(struct fault_watch *w, struct process *p, vaddr_t addr, enum vm_access acc)
{
    memset(w, 0, sizeof *w);
    w->ev.kind = VM_EV_FAULT_HANDLED;
    w->ev.handled.pid = p->pid;
    w->ev.handled.addr = addr;
    w->ev.handled.acc = acc;
    w->ev.handled.page = VM_ALIGN_DOWN(addr, VM_PAGE_SIZE);
    w->ev.handled.frame = w->ev.handled.old_frame = UINT32_MAX;
    for (int i = 0; i < W_N; i++)
        w->before[i] = stat_get(&p->stat[watched_items[i]]);
}

/* What find-and-check found: the VMA, the page and its state as the fault
 * came (the first time round: a retried fault finds what the first made). */
static void watch_found(struct fault_watch *w, const struct fault *f)
{
    struct vm_ev_fault_handled *h = &w->ev.handled;
    w->found = true;
    if (f->vma) {
        h->has_vma = true;
        h->vma_start = f->vma->start;
        h->vma_end = f->vma->end;
        h->vma_prot = f->vma->prot;
        h->vma_flags = vma_bits(f->vma->flags);
    }
    if (!f->pg)
        return;
    h->page_existed = true;
    h->kind = page_ops(f->pg)->name;
    klock_acquire(&f->p->ptl, f->cpu);
    uint64_t fl = page_flags(f->pg);
    h->page_state = (fl & PG_RESIDENT ? VM_PG_RESIDENT : 0) | (fl & PG_SLOT ? VM_PG_SWAPPED : 0) |
                    (fl & PG_DIRTY ? VM_PG_DIRTY : 0) | (fl & PG_COW ? VM_PG_COW : 0) |
                    (fl & PG_LOADED ? VM_PG_LOADED : 0);
    w->resident = fl & PG_RESIDENT;
    if (w->resident)
        w->frame = f->pg->u.r.frame;
    if (fl & PG_SLOT)
        h->slot = page_huge(f->pg) ? f->pg->u.hs->slot[0] : f->pg->u.r.slot;
    klock_release(&f->p->ptl);
}

/* What the fault did, from the counters its work moved and the page's
 * state now (p->lock held, or the fault never took it: f NULL). */
static void watch_result(struct fault_watch *w, struct process *p, struct cpu *cpu,
                         const struct fault *f, enum kill_reason r)
{
    struct vm_ev_fault_handled *h = &w->ev.handled;
    uint64_t d[W_N];
    for (int i = 0; i < W_N; i++)
        d[i] = stat_get(&p->stat[watched_items[i]]) - w->before[i];
    h->stack_growth = d[W_STACK] > 0;
    h->major = d[W_MAJOR] > 0;
    h->huge = d[W_THP] > 0;
    struct page *pg = f ? f->pg : NULL;
    if (pg && !h->kind)
        h->kind = page_ops(pg)->name;      /* the page this fault created */
    if (r != KILL_NONE) {
        h->action = VM_FA_KILL;
        h->kill = r;
    } else if (d[W_COPY]) {
        h->action = VM_FA_COW_COPY;
        h->old_frame = w->frame;
    } else if (d[W_REUSE]) {
        h->action = VM_FA_COW_REUSE;
    } else if (d[W_SWPIN]) {
        h->action = VM_FA_SWAP_IN;
    } else if (d[W_FILE]) {
        h->action = VM_FA_FILE_READ;
        if (f->vma && (f->vma->flags & VMA_FILE))
            h->file_offset = vma_file_offset(f->vma, page_va(pg));
    } else if (d[W_ZERO]) {
        h->action = VM_FA_ZERO_FILL;
    } else if (w->resident || !pg) {
        h->action = VM_FA_SPURIOUS;
    } else {
        /* brought in without zeros or I/O: by its initializer (the page is
         * anonymous now, never loaded before), or from the page cache */
        h->action = page_kind(pg) == PAGE_ANON && !(h->page_state & VM_PG_LOADED) ? VM_FA_INIT
                                                                                  : VM_FA_PAGECACHE;
    }
    if (!pg)
        return;
    h->page = page_va(pg);
    klock_acquire(&p->ptl, cpu);
    if (page_flags(pg) & PG_RESIDENT) {
        h->frame = pg->u.r.frame;
        h->frame_pa = frame_pa(&p->k->ft, h->frame);
        paddr_t pte = mmu_pte_lookup(p, page_va(pg), page_level(pg));
        h->pte = pte ? kpte_load(p->k, pte) : 0;
    }
    klock_release(&p->ptl);
}

/* The event goes out, with the kill's message if the process was killed. */
static void watch_emit(struct fault_watch *w, struct process *p, struct cpu *cpu)
{
    if (w->ev.handled.action == VM_FA_KILL && process_killed(p))
        snprintf(w->ev.handled.kill_msg, sizeof w->ev.handled.kill_msg, "%s", p->kill_msg);
    cpu_observe(cpu, &w->ev);
}

static enum kill_reason handle_fault(struct process *p, struct cpu *cpu, vaddr_t addr,
                                     enum vm_access acc, bool pin, bool hw, bool cpu_fault,
                                     struct fault_watch *w)
{
    if (addr >= user_top(p)) {
        if (__builtin_expect(w != NULL, 0))
            watch_result(w, p, cpu, NULL, KILL_SEGV_KERNEL_ADDR);
        return KILL_SEGV_KERNEL_ADDR;
    }
    klock_acquire(&p->lock, cpu);
    struct fault f = {.p = p, .cpu = cpu, .addr = addr, .acc = acc, .pin = pin, .hw = hw,
                      .cpu_fault = cpu_fault};
    enum kill_reason r;
    for (;;) {
        f.va = VM_ALIGN_DOWN(addr, VM_PAGE_SIZE);
        f.new_huge = f.retry = f.retry_now = false;
        f.pte_pa = 0;
        r = find_and_check(&f);
        if (__builtin_expect(w != NULL, 0) && !w->found)
            watch_found(w, &f);
        if (r == KILL_NONE)
            r = handle_page(&f);
        if (r != KILL_NONE || !f.retry)
            break;
        if (!f.retry_now)
            kwait_step(cpu);
    }
    if (__builtin_expect(w != NULL, 0))
        watch_result(w, p, cpu, &f, r);
    /* Programs fault page after page (a loop over an array, a write to
     * each page fork shared): the next page's entry is read at the next
     * fault, and its line is fetched from memory now, meanwhile. */
    if (r == KILL_NONE && f.pg)
        spt_prefetch(&p->spt, page_va(f.pg) + page_size(f.pg));
    klock_release(&p->lock);
    return r;
}

enum kill_reason fault_in(struct process *p, struct cpu *cpu, vaddr_t addr, enum vm_access acc,
                          bool pin, bool cpu_fault)
{
    if (__builtin_expect(cpu_observer(cpu) != NULL, 0)) {
        /* told before the caller kills: the event has the reason, not the message */
        struct fault_watch w;
        watch_begin(&w, p, addr, acc);
        enum kill_reason r = handle_fault(p, cpu, addr, acc, pin, false, cpu_fault, &w);
        watch_emit(&w, p, cpu);
        return r;
    }
    return handle_fault(p, cpu, addr, acc, pin, false, cpu_fault, NULL);
}

/* ---- the generic claim (vm_do_claim_page) ---- */

void fault_map_frame(struct fault *f, uint32_t i, bool major)
{
    struct process *p = f->p;
    struct kernel *k = p->k;
    struct page *pg = f->pg;
    klock_acquire(&p->ptl, f->cpu);
    pg->u.r.frame = i;
    page_set(pg, PG_RESIDENT | PG_LOADED);
    page_clear(pg, PG_COW);   /* a frame of its own */
    kpte_store(k, f->pte_pa, mmu_leaf(k, pg, frame_pa(&k->ft, i), f->prot, true, false));
    klock_release(&p->ptl);
    if (f->pin) {
        klock_acquire(&k->ft.lock, f->cpu);
        frame_pin_locked(&k->ft, i);
        klock_release(&k->ft.lock);
    }
    frame_install(k, f->cpu, i, pg);
    stat_add(&p->resident, page_npages(pg));
    fault_account(f, major);
}

enum kill_reason claim_frame(struct fault *f)
{
    struct process *p = f->p;
    struct kernel *k = p->k;
    f->pte_pa = mmu_pte_create(p, f->va, 0);
    if (!f->pte_pa)
        return KILL_OOM_KERNEL;
    enum frame_alloc_err why;
    uint32_t i = frame_alloc(k, f->cpu, &why);
    if (i == FRAME_NONE)
        return frame_alloc_kill(why);
    bool major = false;
    enum kill_reason r = page_ops(f->pg)->fill(p, f->pg, f->vma,
                                               physmem_frame(k->pm, frame_pa(&k->ft, i)), &major);
    if (r != KILL_NONE) {
        frame_free(k, f->cpu, i, false);
        return r;
    }
    fault_map_frame(f, i, major);
    return KILL_NONE;
}

/* ---- the machine's trap vector ---- */

enum fault_action kernel_fault_handler(struct cpu *cpu, const struct vm_fault *f, void *arg)
{
    (void)arg;
    struct process *p = cpu_user(cpu);
    if (!p || process_killed(p))
        return FAULT_FAIL;
    if (p->k->soft_refill && f->type != FAULT_GP)
        return swpt_trap(cpu, p, f);   /* the TLB is software's: swtlb.c */
    count(p, VMSTAT_PGFAULT, 1);
    struct fault_watch watch, *w = NULL;
    if (__builtin_expect(cpu_observer(cpu) != NULL, 0)) {
        w = &watch;
        watch_begin(w, p, f->addr, f->access);
    }
    enum kill_reason r = KILL_SEGV_NONCANON;
    if (f->type != FAULT_GP)
        r = handle_fault(p, cpu, f->addr, f->access, false, true, true, w);
    else if (w)
        watch_result(w, p, cpu, NULL, r);
    if (r != KILL_NONE)
        process_kill_access(p, r, f->addr, f->access);
    if (w)
        watch_emit(w, p, cpu);
    return r == KILL_NONE ? FAULT_RETRY : FAULT_FAIL;
}
