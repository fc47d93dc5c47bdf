/* process.c — processes: create, exit, their state, what they hold, and
 * what the inspection calls report.
 *
 * Exit follows Linux's mmu_gather order (release.c): clear every PTE, shoot
 * the whole PCID/ASID down once, and only then write dirty shared file
 * pages back and return the frames.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/kern.h"
#include "os/swap.h"

struct process *kernel_process_create_abi(struct kernel *k, const char *name, enum kernel_abi abi)
{
    if ((unsigned)abi > KERNEL_ABI_LINUX || (abi == KERNEL_ABI_LINUX && !k->linux_abi_ok))
        return NULL;
    struct process *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->k = k;
    p->abi = &k->abi[abi];
    snprintf(p->name, sizeof p->name, "%s", name ? name : "proc");
    klock_init(&p->lock);
    klock_init(&p->ptl);
    vma_set_init(&p->vmas);
    if (spt_init(&p->spt) < 0) {
        free(p);
        return NULL;
    }
    p->root = mmu_table_alloc(k);
    if (!p->root) {
        spt_kill(&p->spt);
        free(p);
        return NULL;
    }
    p->pt_pages = 1;
    p->state = PROC_RUNNABLE;
    pthread_mutex_lock(&k->proc_lock);
    p->pid = ++k->next_pid;
    p->next = k->procs;
    if (k->procs)
        k->procs->prev = p;
    k->procs = p;
    k->nprocs++;
    pthread_mutex_unlock(&k->proc_lock);
    return p;
}

struct process *kernel_process_create(struct kernel *k, const char *name)
{
    return kernel_process_create_abi(k, name, k->cfg.abi);
}

enum kernel_abi kernel_process_abi(const struct process *p) { return p->abi->id; }
int kernel_process_pid(const struct process *p) { return p->pid; }
const char *kernel_process_name(const struct process *p) { return p->name; }
enum process_state kernel_process_state(const struct process *p)
{
    return (enum process_state)__atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
}
enum kill_reason kernel_process_kill_reason(const struct process *p)
{
    return process_killed(p) ? p->kill_reason : KILL_NONE;
}
const char *kernel_process_kill_message(const struct process *p)
{
    return process_killed(p) ? p->kill_msg : "";
}

void kernel_process_kill(struct process *p, enum kill_reason r, vaddr_t addr)
{
    process_kill(p, r, addr);
}

void kernel_process_vmstat(const struct process *p, struct vmstat *out)
{
    for (int i = 0; i < VMSTAT_NR; i++)
        out->v[i] = stat_get(&p->stat[i]);
    out->v[VMSTAT_SWAP_SLOTS_USED] = stat_get(&p->slots);
}

void kernel_set_rsp(struct process *p, vaddr_t rsp)
{
    __atomic_store_n(&p->rsp, rsp, __ATOMIC_RELAXED);
}

void kernel_set_rsp_source(struct process *p, const uint64_t *rsp)
{
    p->rsp_src = rsp;
}

vaddr_t process_rsp(const struct process *p)
{
    /* the source is the register of the hart that runs p, written by the
     * thread that drives it -- the thread that takes p's faults */
    return p->rsp_src ? *p->rsp_src : __atomic_load_n(&p->rsp, __ATOMIC_RELAXED);
}

/* ---- exit ---- */

/* Every page, VMA and descriptor of p (mm lock held), flushing its whole
 * PCID/ASID: with release_asid the ID is given back (exit), else kept
 * (exec: p goes on running). */
void process_release_all(struct process *p, struct cpu *self, bool release_asid)
{
    struct gather g = {.self = self};
    release_range(p, 0, ~(vaddr_t)VM_PAGE_MASK, &g);
    if (release_asid)
        mmu_release_asid(p, self);   /* the ID goes back to the free set clean */
    else
        mmu_flush_all(p, self);
    gather_finish(p, &g);
    klock_acquire(&p->ptl, self);
    for (unsigned i = 0; i < p->vmas.n; i++)
        if (p->vmas.v[i].flags & VMA_FILE)
            close(p->vmas.v[i].fd);
    p->vmas.n = 0;
    klock_release(&p->ptl);
    p->heap_start = p->brk = 0;
}

int kernel_process_exit(struct process *p, struct cpu *self)
{
    struct kernel *k = p->k;
    self = kself(k, self);
    klock_acquire(&k->asid_lock, self);
    bool running = p->running != 0;
    klock_release(&k->asid_lock);
    if (running)
        return -EBUSY;   /* a CPU still has p loaded: switch it away first */
    klock_acquire(&p->lock, self);
    process_release_all(p, self, true);
    vma_set_destroy(&p->vmas);
    spt_kill(&p->spt);
    mmu_free_tables(p, false);
    klock_release(&p->lock);

    pthread_mutex_lock(&k->proc_lock);
    if (p->prev)
        p->prev->next = p->next;
    else
        k->procs = p->next;
    if (p->next)
        p->next->prev = p->prev;
    k->nprocs--;
    pthread_mutex_unlock(&k->proc_lock);
    klock_destroy(&p->lock);
    klock_destroy(&p->ptl);
    free(p);
    return 0;
}

/* ---- hooks and inspection ---- */

void kernel_note_access(struct process *p, vaddr_t va)
{
    struct kernel *k = p->k;
    if (!k->ft.policy->wants_refs)
        return;   /* only lru and opt use the reports: the others pay nothing */
    struct cpu *self = kself(k, NULL);
    klock_acquire(&p->lock, self);
    struct page *pg = spt_lookup(&p->spt, va);
    uint32_t i = FRAME_NONE;
    if (pg) {
        klock_acquire(&p->ptl, self);
        if ((page_flags(pg) & (PG_RESIDENT | PG_EVICTING)) == PG_RESIDENT)
            i = pg->u.r.frame;
        klock_release(&p->ptl);
    }
    if (i != FRAME_NONE) {
        klock_acquire(&k->ft.lock, self);
        k->ft.refs_seen = true;
        if (ft_maps(&k->ft, i, pg))
            k->ft.policy->touch(&k->ft, i);
        klock_release(&k->ft.lock);
    }
    klock_release(&p->lock);
}

static const char *const kind_names[PAGE_NKINDS] = {"uninit", "anon", "file", "shared", "huge"};

void kernel_page_info(struct process *p, vaddr_t va, struct page_info *out)
{
    struct kernel *k = p->k;
    struct cpu *self = kself(k, NULL);
    memset(out, 0, sizeof *out);
    va = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    klock_acquire(&p->lock, self);
    struct page *pg = spt_lookup(&p->spt, va);
    struct vma *v = vma_find(&p->vmas, va);
    paddr_t pte = mmu_pte_lookup(p, va, 0);
    unsigned level = 0;
    if (!pte)
        pte = mmu_pte_lookup(p, va, level = 1);   /* a huge leaf */
    if (pte) {
        struct pte_info pi;
        k->fmt->decode(kpte_load(k, pte), level, &pi);
        out->pte_present = pi.present && pi.leaf;
        out->pte_writable = out->pte_present && (pi.prot & VM_PROT_WRITE);
    }
    if (!pg) {
        out->where = v ? PAGE_UNLOADED : PAGE_NONE;
        klock_release(&p->lock);
        return;
    }
    klock_acquire(&p->ptl, self);
    uint64_t fl = page_flags(pg);
    out->kind = fl & PG_KIND_MASK;
    out->kind_name = kind_names[out->kind];
    out->huge = out->kind == PAGE_HUGE;
    bool slot = out->kind != PAGE_UNINIT && (fl & PG_SLOT);
    uint32_t s = slot && !out->huge ? pg->u.r.slot : slot ? pg->u.hs->slot[0] : 0;
    uint32_t i = pg->u.r.frame;
    if (fl & PG_RESIDENT) {
        out->where = PAGE_RESIDENT;
        out->frame = frame_pa(&k->ft, i);
    } else if (slot) {
        out->where = PAGE_SWAPPED;
    } else if (fl & PG_LOADED) {
        out->where = PAGE_DROPPED;
    } else {
        out->where = PAGE_UNLOADED;
    }
    out->in_swap_cache = slot;
    klock_release(&p->ptl);
    if (slot)
        out->slot_owners = swap_count(k->swap, s);
    if (out->where == PAGE_RESIDENT) {
        klock_acquire(&k->ft.lock, self);
        out->pinned = k->ft.state[i] & FS_PIN_MASK;
        out->mapcount = frame_mapcount(&k->ft, i);
        klock_release(&k->ft.lock);
    }
    klock_release(&p->lock);
}

void kernel_process_usage(struct process *p, struct process_usage *out)
{
    struct kernel *k = p->k;
    struct cpu *self = kself(k, NULL);
    memset(out, 0, sizeof *out);
    klock_acquire(&p->lock, self);
    out->resident_pages = stat_get(&p->resident);
    out->swap_slots = stat_get(&p->slots);
    out->spt_pages = p->spt.count;
    out->pt_pages = p->pt_pages;
    out->vmas = p->vmas.n;
    /* swapped = pages whose only copy is in swap */
    for (uint64_t b = 0; b < p->spt.nbuckets; b++)
        for (struct page *pg = p->spt.buckets[b]; pg; pg = pg->hash_next) {
            uint64_t fl = page_flags(pg);
            if ((fl & PG_KIND_MASK) != PAGE_UNINIT && (fl & PG_SLOT) && !(fl & PG_RESIDENT))
                out->swapped_pages += (fl & PG_KIND_MASK) == PAGE_HUGE ? HPAGE_PAGES : 1;
        }
    klock_release(&p->lock);
    klock_acquire(&k->asid_lock, self);
    out->asid = p->asid;
    klock_release(&k->asid_lock);
}
