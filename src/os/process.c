/* process.c — processes and their mappings: create, map (anonymous, file,
 * stack, single initialized pages), unmap, exit; pinning and copying user
 * memory for the kernel.
 *
 * Unmap and exit follow Linux's mmu_gather order: clear every PTE, shoot
 * down once for the whole range, and only then write dirty file pages back
 * and return the frames, so that no CPU can still write through a stale
 * translation into a frame already given to someone else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/kern.h"
#include "os/swap.h"

struct process *kernel_process_create(struct kernel *k, const char *name)
{
    struct process *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->k = k;
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
        spt_kill(&p->spt, NULL, NULL);
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

/* ---- releasing pages (unmap, exit) ---- */

struct gathered {
    uint32_t frame;
    bool writeback;   /* a shared page: its PTE had D */
    bool huge;
    bool shared;      /* a page-cache frame: pc_unmap_finish decides */
    vaddr_t va;
};

struct gather {
    struct gathered *v;
    size_t n, cap;
    struct cpu *self;
};

static bool gather_add(struct gather *g, struct gathered e)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        struct gathered *nv = realloc(g->v, cap * sizeof *nv);
        if (!nv)
            return false;
        g->v = nv;
        g->cap = cap;
    }
    g->v[g->n++] = e;
    return true;
}

static void gather_finish_one(struct process *p, struct gather *g, struct gathered *e);

/* Take pg out of p: its frame (into g, PTE cleared, not yet flushed), its
 * slots, its SPT entry. mm lock held. */
static void release_page(struct process *p, struct page *pg, struct gather *g)
{
    struct kernel *k = p->k;
    vaddr_t va = page_va(pg);
    bool huge = page_huge(pg);
    uint32_t pci;
    bool pcdirty;
    if ((page_flags(pg) & PG_SHARED) && pc_unmap_page(p, g->self, pg, &pci, &pcdirty)) {
        struct gathered e = {pci, pcdirty, false, true, va};
        if (!gather_add(g, e)) {
            mmu_flush_page(p, g->self, va);
            gather_finish_one(p, g, &e);
        }
    } else if (!(page_flags(pg) & PG_SHARED) && frame_claim_for_free(k, g->self, pg)) {
        klock_acquire(&p->ptl, g->self);
        paddr_t pte_pa = mmu_pte_lookup(p, va, page_level(pg));
        uint64_t old = kpte_exchange(k, pte_pa, 0);
        uint32_t i = pg->u.r.frame;
        pg->u.r.frame = FRAME_NONE;
        page_clear(pg, PG_RESIDENT);
        klock_release(&p->ptl);
        struct pte_info pi;
        k->fmt->decode(old, page_level(pg), &pi);
        bool dirty = pi.dirty || (page_flags(pg) & PG_DIRTY);
        struct vma *v = vma_find(&p->vmas, va);
        bool wb = dirty && page_kind(pg) == PAGE_FILE && v && (v->flags & VMA_SHARED);
        if (!gather_add(g, (struct gathered){i, wb, huge, false, va})) {
            /* no memory to batch: flush now and free this one */
            mmu_flush_range(p, g->self, va, va + page_size(pg));
            frame_free(k, g->self, i, huge);
        }
        __atomic_fetch_sub(&p->resident, huge ? HPAGE_PAGES : 1, __ATOMIC_RELAXED);
    }
    if (page_kind(pg) != PAGE_UNINIT && (page_flags(pg) & PG_SLOT)) {
        if (huge) {
            for (unsigned j = 0; j < HPAGE_PAGES; j++)
                swap_free(k->swap, pg->u.hs->slot[j]);
            free(pg->u.hs);
            __atomic_fetch_sub(&p->slots, HPAGE_PAGES, __ATOMIC_RELAXED);
        } else {
            swap_free(k->swap, pg->u.r.slot);
            __atomic_fetch_sub(&p->slots, 1, __ATOMIC_RELAXED);
        }
    }
    spt_remove(&p->spt, pg);
    page_free(&p->spt, pg);
}

/* After the flush: write one dirty shared file page back, free its frame
 * (a page-cache frame only if this was its last mapper). */
static void gather_finish_one(struct process *p, struct gather *g, struct gathered *e)
{
    struct kernel *k = p->k;
    if (e->shared && !pc_unmap_finish(k, g->self, e->frame, e->writeback, &e->writeback))
        return;   /* others still map it */
    if (e->writeback) {
        struct vma *v = vma_find(&p->vmas, e->va);
        uint64_t rel = e->va - v->start;
        uint64_t n = rel < v->file_bytes ? v->file_bytes - rel : 0;
        if (n > VM_PAGE_SIZE)
            n = VM_PAGE_SIZE;
        const char *src = physmem_frame(k->pm, frame_pa(&k->ft, e->frame));
        uint64_t done = 0;
        while (done < n) {
            ssize_t w = pwrite(v->fd, src + done, n - done, (off_t)(v->offset + rel + done));
            if (w <= 0) {
                if (w < 0 && errno == EINTR)
                    continue;
                fprintf(stderr, "vmlab: %s[%d]: write-back of page 0x%llx failed: %s\n",
                        p->name, p->pid, (unsigned long long)e->va,
                        w < 0 ? strerror(errno) : "short write");
                break;
            }
            done += (uint64_t)w;
        }
        count(p, VMSTAT_FILE_WRITEBACK, 1);
    }
    if (e->shared)
        pc_drop(k, g->self, e->frame);
    else
        frame_free(k, g->self, e->frame, e->huge);
}

/* After the flush: every gathered page. */
static void gather_finish(struct process *p, struct gather *g)
{
    for (size_t j = 0; j < g->n; j++)
        gather_finish_one(p, g, &g->v[j]);
    free(g->v);
    g->v = NULL;
    g->n = g->cap = 0;
}

static void release_cb(struct page *pg, void *arg)
{
    struct gather *g = arg;
    release_page(pg->proc, pg, g);
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
    struct gather g = {.self = self};
    spt_for_each(&p->spt, release_cb, &g);
    /* One flush of the whole ID on every CPU that may cache it; the ID
     * goes back to the free set clean. */
    mmu_release_asid(p, self);
    gather_finish(p, &g);
    for (unsigned i = 0; i < p->vmas.n; i++)
        if (p->vmas.v[i].fd >= 0 && (p->vmas.v[i].flags & VMA_FILE))
            close(p->vmas.v[i].fd);
    vma_set_destroy(&p->vmas);
    spt_kill(&p->spt, NULL, NULL);
    mmu_free_tables(p);
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

/* ---- mapping ---- */

static int check_range(struct process *p, vaddr_t addr, uint64_t len, bool zero_ok)
{
    if ((addr == 0 && !zero_ok) || (addr & VM_PAGE_MASK) || len == 0)
        return -EINVAL;
    uint64_t rlen = VM_ALIGN_UP(len, VM_PAGE_SIZE);
    if (rlen < len || addr + rlen < addr || addr + rlen > p->k->user_top)
        return -EINVAL;
    return 0;
}

/* Overlap with VMAs or with single pages registered without one. */
static bool range_taken(struct process *p, vaddr_t start, vaddr_t end)
{
    if (vma_overlaps(&p->vmas, start, end))
        return true;
    if (p->spt.count == 0)
        return false;
    for (vaddr_t va = start; va < end; va += VM_PAGE_SIZE)
        if (spt_find(&p->spt, va))
            return true;
    return false;
}

static int insert_vma(struct process *p, struct vma *v)
{
    klock_acquire(&p->lock, kself(p->k, NULL));
    int rc = range_taken(p, v->start, v->end) ? -EEXIST : 0;
    if (rc == 0) {
        klock_acquire(&p->ptl, kself(p->k, NULL));
        rc = vma_insert(&p->vmas, v);
        klock_release(&p->ptl);
    }
    klock_release(&p->lock);
    return rc;
}

int process_insert_vmas(struct process *p, const struct vma *v, unsigned n)
{
    klock_acquire(&p->lock, kself(p->k, NULL));
    int rc = 0;
    for (unsigned i = 0; i < n && rc == 0; i++)
        if (range_taken(p, v[i].start, v[i].end))
            rc = -EEXIST;
    klock_acquire(&p->ptl, kself(p->k, NULL));
    unsigned done = 0;
    for (; done < n && rc == 0; done++)
        rc = vma_insert(&p->vmas, &v[done]);
    if (rc < 0)   /* all or nothing */
        while (done-- > 0)
            vma_remove_at(&p->vmas, (unsigned)(vma_find(&p->vmas, v[done].start) - p->vmas.v));
    klock_release(&p->ptl);
    klock_release(&p->lock);
    return rc;
}

int kernel_map_anon(struct process *p, vaddr_t addr, uint64_t len, unsigned prot, unsigned flags)
{
    int rc = check_range(p, addr, len, flags & KMAP_ALLOW_ZERO);
    if (rc < 0)
        return rc;
    struct vma v = {
        .start = addr,
        .end = addr + VM_ALIGN_UP(len, VM_PAGE_SIZE),
        .prot = prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC),
        .flags = VMA_ANON | (flags & KMAP_NOHUGE ? VMA_NOHUGE : 0),
        .fd = -1,
    };
    return insert_vma(p, &v);
}

int kernel_map_file(struct process *p, vaddr_t addr, uint64_t len, unsigned prot, int fd,
                    uint64_t offset)
{
    if (fd == 0 || fd == 1)
        return -EBADF;   /* PintOS: the console cannot be mapped */
    int rc = check_range(p, addr, len, false);
    if (rc < 0)
        return rc;
    if (offset & VM_PAGE_MASK)
        return -EINVAL;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return -EBADF;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    if (st.st_size == 0)
        return -EINVAL;   /* PintOS may refuse a zero-length file; vmlab does */
    int acc = fcntl(fd, F_GETFL) & O_ACCMODE;
    if ((prot & VM_PROT_WRITE) && acc == O_RDONLY)
        return -EACCES;
    uint64_t size = (uint64_t)st.st_size;
    struct vma v = {
        .start = addr,
        .end = addr + VM_ALIGN_UP(len, VM_PAGE_SIZE),
        .prot = prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC),
        .flags = VMA_FILE | VMA_SHARED,
        .offset = offset,
        .file_bytes = offset < size ? (size - offset < len ? size - offset : len) : 0,
        .dev = (uint64_t)st.st_dev,
        .ino = (uint64_t)st.st_ino,
    };
    /* file_reopen: the mapping keeps its own descriptor */
    v.fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (v.fd < 0)
        return -errno;
    rc = insert_vma(p, &v);
    if (rc < 0)
        close(v.fd);
    return rc;
}

int kernel_map_file_path(struct process *p, vaddr_t addr, uint64_t len, unsigned prot,
                         const char *path, uint64_t offset)
{
    int fd = open(path, (prot & VM_PROT_WRITE ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = kernel_map_file(p, addr, len, prot, fd, offset);
    close(fd);
    return rc;
}

int kernel_map_stack(struct process *p)
{
    struct vma v = {
        .start = KERNEL_USER_STACK - VM_PAGE_SIZE,
        .end = KERNEL_USER_STACK,
        .prot = VM_PROT_READ | VM_PROT_WRITE,
        .flags = VMA_ANON | VMA_STACK | VMA_NOHUGE,
        .fd = -1,
    };
    if (KERNEL_USER_STACK > p->k->user_top)
        return -EINVAL;
    int rc = insert_vma(p, &v);
    if (rc == 0)
        kernel_set_rsp(p, KERNEL_USER_STACK);
    return rc;
}

int kernel_alloc_page_with_initializer(struct process *p, vaddr_t upage, bool writable,
                                       kernel_page_init_fn init, void *aux)
{
    if (check_range(p, upage, VM_PAGE_SIZE, false) < 0 || !init)
        return -EINVAL;
    struct page_init *in = malloc(sizeof *in);
    if (!in)
        return -ENOMEM;
    in->init = init;
    in->aux = aux;
    klock_acquire(&p->lock, kself(p->k, NULL));
    int rc = 0;
    if (range_taken(p, upage, upage + VM_PAGE_SIZE)) {
        rc = -EEXIST;
    } else {
        struct page *pg = page_new(&p->spt, upage, PAGE_UNINIT);
        if (!pg) {
            rc = -ENOMEM;
        } else {
            pg->proc = p;
            pg->u.init = in;
            page_set(pg, PG_CUSTOM | (writable ? PG_WRITABLE : 0));
            spt_insert(&p->spt, pg);
            in = NULL;
        }
    }
    klock_release(&p->lock);
    free(in);
    return rc;
}

int kernel_unmap(struct process *p, vaddr_t addr, struct cpu *self)
{
    self = kself(p->k, self);
    klock_acquire(&p->lock, self);
    struct vma *v = vma_find(&p->vmas, addr);
    if (!v || v->start != addr || (v->flags & VMA_STACK)) {
        klock_release(&p->lock);
        return -EINVAL;
    }
    vaddr_t start = v->start, end = v->end;
    struct gather g = {.self = self};
    for (vaddr_t va = start; va < end; va += VM_PAGE_SIZE) {
        struct page *pg = spt_find(&p->spt, va);   /* a huge page: at its first address */
        if (pg)
            release_page(p, pg, &g);
    }
    if (g.n)
        mmu_flush_range(p, self, start, end);
    gather_finish(p, &g);
    v = vma_find(&p->vmas, addr);
    int fd = (v->flags & VMA_FILE) ? v->fd : -1;
    klock_acquire(&p->ptl, self);
    vma_remove_at(&p->vmas, (unsigned)(v - p->vmas.v));
    klock_release(&p->ptl);
    klock_release(&p->lock);
    if (fd >= 0)
        close(fd);
    return 0;
}

/* ---- kernel access to user memory ---- */

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
                                      write ? VM_ACCESS_WRITE : VM_ACCESS_READ, false, true);
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

/* ---- hooks and inspection ---- */

void kernel_note_access(struct process *p, vaddr_t va)
{
    struct kernel *k = p->k;
    if (!k->ft.policy->wants_refs)
        return;   /* only lru uses the reports: the others pay nothing */
    klock_acquire(&p->lock, kself(p->k, NULL));
    struct page *pg = spt_lookup(&p->spt, va);
    uint32_t i = FRAME_NONE;
    if (pg) {
        klock_acquire(&p->ptl, kself(p->k, NULL));
        if ((page_flags(pg) & (PG_RESIDENT | PG_EVICTING)) == PG_RESIDENT)
            i = pg->u.r.frame;
        klock_release(&p->ptl);
    }
    if (i != FRAME_NONE) {
        klock_acquire(&k->ft.lock, kself(k, NULL));
        k->ft.refs_seen = true;
        if (ft_maps(&k->ft, i, pg))
            k->ft.policy->touch(&k->ft, i);
        klock_release(&k->ft.lock);
    }
    klock_release(&p->lock);
}

void kernel_page_info(struct process *p, vaddr_t va, struct page_info *out)
{
    struct kernel *k = p->k;
    memset(out, 0, sizeof *out);
    va = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    klock_acquire(&p->lock, kself(p->k, NULL));
    struct page *pg = spt_lookup(&p->spt, va);
    struct vma *v = vma_find(&p->vmas, va);
    paddr_t pte = mmu_pte_lookup(p, va, 0);
    if (!pte)
        pte = mmu_pte_lookup(p, va, 1);   /* a huge leaf */
    if (pte) {
        struct pte_info pi;
        k->fmt->decode(kpte_load(k, pte), 0, &pi);
        out->pte_present = pi.present;
    }
    if (!pg) {
        out->where = v ? PAGE_UNLOADED : PAGE_NONE;
    } else {
        klock_acquire(&p->ptl, kself(p->k, NULL));
        uint64_t fl = page_flags(pg);
        out->kind = fl & PG_KIND_MASK;
        out->huge = fl & PG_HUGE;
        if (fl & PG_RESIDENT) {
            out->where = PAGE_RESIDENT;
            out->frame = frame_pa(&k->ft, pg->u.r.frame);
        } else if (out->kind != PAGE_UNINIT && (fl & PG_SLOT)) {
            out->where = PAGE_SWAPPED;
        } else if (fl & PG_LOADED) {
            out->where = PAGE_DROPPED;
        } else {
            out->where = PAGE_UNLOADED;
        }
        out->in_swap_cache = out->kind != PAGE_UNINIT && (fl & PG_SLOT);
        uint32_t i = pg->u.r.frame;
        klock_release(&p->ptl);
        if (out->where == PAGE_RESIDENT) {
            klock_acquire(&k->ft.lock, kself(k, NULL));
            out->pinned = k->ft.state[i] & FS_PIN_MASK;
            klock_release(&k->ft.lock);
        }
    }
    klock_release(&p->lock);
}

void kernel_process_usage(struct process *p, struct process_usage *out)
{
    struct kernel *k = p->k;
    memset(out, 0, sizeof *out);
    klock_acquire(&p->lock, kself(p->k, NULL));
    out->resident_pages = stat_get(&p->resident);
    out->swap_slots = stat_get(&p->slots);
    out->spt_pages = p->spt.count;
    out->pt_pages = p->pt_pages;
    out->vmas = p->vmas.n;
    klock_release(&p->lock);
    /* swapped = pages whose only copy is a slot */
    klock_acquire(&p->lock, kself(p->k, NULL));
    for (uint64_t b = 0; b < p->spt.nbuckets; b++)
        for (struct page *pg = p->spt.buckets[b]; pg; pg = pg->hash_next) {
            uint64_t fl = page_flags(pg);
            if ((fl & PG_KIND_MASK) != PAGE_UNINIT && (fl & PG_SLOT) && !(fl & PG_RESIDENT))
                out->swapped_pages += fl & PG_HUGE ? HPAGE_PAGES : 1;
        }
    klock_release(&p->lock);
    klock_acquire(&k->asid_lock, kself(k, NULL));
    out->asid = p->asid;
    klock_release(&k->asid_lock);
}
