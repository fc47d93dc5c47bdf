/* mmap.c — mappings: the PintOS calls (map at a given address, unmap a
 * whole mapping) and the memory calls of a C library with Linux's
 * semantics (mmap anywhere or fixed, munmap and mprotect of any range,
 * madvise, brk).
 *
 * A mapping is a VMA; its pages appear on their first fault (fault.c).
 * Changing a range first cuts the VMAs (and huge pages) that straddle its
 * ends, so every operation works on whole VMAs and whole pages. VMAs are
 * written under both the mm lock and the ptl, so that the evictor, which
 * holds only a ptl, may read them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/kern.h"

int check_range(struct process *p, vaddr_t addr, uint64_t len, bool zero_ok)
{
    if ((addr == 0 && !zero_ok) || (addr & VM_PAGE_MASK) || len == 0)
        return -EINVAL;
    uint64_t rlen = VM_ALIGN_UP(len, VM_PAGE_SIZE);
    if (rlen < len || addr + rlen < addr || addr + rlen > user_top(p))
        return -EINVAL;
    return 0;
}

struct own_pages {
    vaddr_t start, end;
};

static int page_inside(struct page *pg, void *arg)
{
    const struct own_pages *r = arg;
    vaddr_t va = page_va(pg);
    return va < r->end && va + page_size(pg) > r->start;
}

/* Overlap with VMAs or with pages registered without one. */
bool range_taken(struct process *p, vaddr_t start, vaddr_t end)
{
    if (vma_overlaps(&p->vmas, start, end))
        return true;
    if (p->spt.count == 0)
        return false;
    if ((end - start) / VM_PAGE_SIZE > p->spt.count) {
        struct own_pages r = {start, end};
        return spt_for_each(&p->spt, page_inside, &r) != 0;
    }
    for (vaddr_t va = start; va < end; va += VM_PAGE_SIZE)
        if (spt_find(&p->spt, va))
            return true;
    return false;
}

static struct cpu *me(struct process *p)
{
    return kself(p->k, NULL);
}

/* Insert v if its range is free; mm lock held. */
static int insert_vma_locked(struct process *p, const struct vma *v, struct cpu *self)
{
    if (range_taken(p, v->start, v->end))
        return -EEXIST;
    klock_acquire(&p->ptl, self);
    int rc = vma_insert(&p->vmas, v);
    klock_release(&p->ptl);
    return rc;
}

static int insert_vma(struct process *p, const struct vma *v)
{
    klock_acquire(&p->lock, me(p));
    int rc = insert_vma_locked(p, v, me(p));
    klock_release(&p->lock);
    return rc;
}

int process_insert_vmas(struct process *p, const struct vma *v, unsigned n)
{
    struct cpu *self = me(p);
    klock_acquire(&p->lock, self);
    int rc = 0;
    for (unsigned i = 0; i < n && rc == 0; i++)
        if (range_taken(p, v[i].start, v[i].end))
            rc = -EEXIST;
    klock_acquire(&p->ptl, self);
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

/* ---- the PintOS calls ---- */

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
    vaddr_t top = p->abi->stack_top;
    struct vma v = {
        .start = top - VM_PAGE_SIZE,
        .end = top,
        .prot = VM_PROT_READ | VM_PROT_WRITE,
        .flags = VMA_ANON | VMA_STACK | VMA_NOHUGE,
        .fd = -1,
    };
    if (top > user_top(p))
        return -EINVAL;
    int rc = insert_vma(p, &v);
    if (rc == 0)
        kernel_set_rsp(p, top);
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
    klock_acquire(&p->lock, me(p));
    int rc = 0;
    if (range_taken(p, upage, upage + VM_PAGE_SIZE)) {
        rc = -EEXIST;
    } else {
        struct page *pg = page_new(&p->spt, p, upage, PAGE_UNINIT);
        if (!pg) {
            rc = -ENOMEM;
        } else {
            pg->u.init = in;
            if (writable)
                page_set(pg, PG_WRITABLE);
            spt_insert(&p->spt, pg);
            in = NULL;
        }
    }
    klock_release(&p->lock);
    free(in);
    return rc;
}

/* ---- taking ranges away ---- */

/* Cut the huge pages and VMAs that straddle start or end, so that
 * [start, end) is made of whole pages and whole VMAs. mm lock held. */
static int cut_range(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end)
{
    int rc = 0;
    if (start % HPAGE_SIZE)
        rc = thp_split_at(p, self, start);
    if (rc == 0 && end % HPAGE_SIZE)
        rc = thp_split_at(p, self, end - 1);
    klock_acquire(&p->ptl, self);
    if (rc == 0)
        rc = vma_split(&p->vmas, start);
    if (rc == 0)
        rc = vma_split(&p->vmas, end);
    klock_release(&p->ptl);
    return rc;
}

/* Remove every VMA inside [start, end) (cut first), closing descriptors. */
static void remove_vmas(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end)
{
    klock_acquire(&p->ptl, self);
    for (unsigned i = vma_lower_bound(&p->vmas, start); i < p->vmas.n && p->vmas.v[i].start < end;) {
        if (p->vmas.v[i].flags & VMA_FILE)
            close(p->vmas.v[i].fd);
        vma_remove_at(&p->vmas, i);
    }
    klock_release(&p->ptl);
}

/* Drop every page of [start, end), the mmu_gather way. mm lock held. */
static void drop_pages(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end)
{
    struct gather g = {.self = self};
    release_range(p, start, end, &g);
    if (g.n)
        mmu_flush_range(p, self, start, end);
    gather_finish(p, &g);
}

/* munmap of [start, end): pages, then VMAs. mm lock held. */
static int unmap_range(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end)
{
    int rc = cut_range(p, self, start, end);
    if (rc < 0)
        return rc;
    drop_pages(p, self, start, end);
    remove_vmas(p, self, start, end);
    return 0;
}

int kernel_unmap(struct process *p, vaddr_t addr, struct cpu *self)
{
    self = kself(p->k, self);
    klock_acquire(&p->lock, self);
    struct vma *v = vma_find(&p->vmas, addr);
    int rc = -EINVAL;
    if (v && v->start == addr && !(v->flags & VMA_STACK))
        rc = unmap_range(p, self, v->start, v->end);
    klock_release(&p->lock);
    return rc;
}

/* ---- the Linux calls ---- */

/* vm.mmap_min_addr: nothing is placed below it. */
#define MMAP_MIN_ADDR 0x10000ull

/* Check an address range of the Linux calls: aligned, non-empty, inside
 * user space. The rounded-up end in *end. */
static int linux_range(struct process *p, vaddr_t addr, uint64_t len, vaddr_t *end)
{
    uint64_t rlen = VM_ALIGN_UP(len, VM_PAGE_SIZE);
    if ((addr & VM_PAGE_MASK) || len == 0 || rlen < len || addr + rlen < addr ||
        addr + rlen > user_top(p))
        return -EINVAL;
    *end = addr + rlen;
    return 0;
}

/* The highest free range of len bytes that ends at or below `below` and
 * starts at or above MMAP_MIN_ADDR (Linux's unmapped_area_topdown); 0 if
 * none. */
static vaddr_t free_area_topdown(struct process *p, uint64_t len, vaddr_t below)
{
    struct vma_set *s = &p->vmas;
    vaddr_t hi = below;
    for (unsigned i = vma_lower_bound(s, below); ; i--) {
        /* the gap between VMA i-1's end and min(hi, VMA i's start) */
        vaddr_t top = i < s->n && s->v[i].start < hi ? s->v[i].start : hi;
        vaddr_t lo = i > 0 ? s->v[i - 1].end : 0;
        if (lo < MMAP_MIN_ADDR)
            lo = MMAP_MIN_ADDR;
        if (top >= lo + len && top - len >= lo && !range_taken(p, top - len, top))
            return top - len;
        if (i == 0)
            return 0;
        hi = s->v[i - 1].start;
    }
}

/* A shared anonymous mapping is backed by a file of its own that nobody
 * else can name (Linux backs it with shmem): an unlinked temporary file of
 * len bytes, so that fork's child and parent share its page cache. */
static int shared_anon_file(uint64_t len)
{
    const char *dir = getenv("TMPDIR");
    int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)len) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* The VMA of an mmap request, its descriptor dup'ed; -errno. */
static int mmap_vma(struct process *p, uint64_t len, unsigned prot, unsigned flags, int fd,
                    uint64_t offset, struct vma *v)
{
    bool shared = flags & KERNEL_MAP_SHARED;
    *v = (struct vma){
        .end = len,   /* start 0: placed later */
        .prot = prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC),
        .flags = VMA_ANON,
        .fd = -1,
    };
    int own = -1;
    if (flags & KERNEL_MAP_ANONYMOUS) {
        if (!shared)
            return 0;
        if ((own = shared_anon_file(len)) < 0)
            return own;
        fd = own;
        offset = 0;
    }
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return -EBADF;
    int rc = 0;
    int acc = fcntl(fd, F_GETFL) & O_ACCMODE;
    if (!S_ISREG(st.st_mode))
        rc = -EACCES;   /* no device mappings */
    else if (acc == O_WRONLY)
        rc = -EACCES;
    else if (shared && (prot & VM_PROT_WRITE) && acc != O_RDWR)
        rc = -EACCES;
    else if (offset + len < offset)
        rc = -EOVERFLOW;
    else if ((v->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
        rc = -errno;
    if (own >= 0)
        close(own);
    if (rc < 0)
        return rc;
    v->flags = VMA_FILE | VMA_NOHUGE | VMA_EOF_SIGBUS | (shared ? VMA_SHARED : 0);
    v->offset = offset;
    v->file_bytes = UINT64_MAX;
    v->dev = (uint64_t)st.st_dev;
    v->ino = (uint64_t)st.st_ino;
    return 0;
}

int kernel_mmap(struct process *p, vaddr_t addr, uint64_t len, unsigned prot, unsigned flags,
                int fd, uint64_t offset, vaddr_t *out)
{
    unsigned type = flags & (KERNEL_MAP_SHARED | KERNEL_MAP_PRIVATE);
    bool fixed = flags & (KERNEL_MAP_FIXED | KERNEL_MAP_FIXED_NOREPLACE);
    uint64_t rlen = VM_ALIGN_UP(len, VM_PAGE_SIZE);
    if (len == 0 || (type != KERNEL_MAP_SHARED && type != KERNEL_MAP_PRIVATE) ||
        (offset & VM_PAGE_MASK) || (fixed && (addr & VM_PAGE_MASK)))
        return -EINVAL;
    if (rlen < len || rlen > user_top(p))
        return -ENOMEM;
    vaddr_t end;
    if (fixed && linux_range(p, addr, rlen, &end) < 0)
        return -ENOMEM;
    struct vma v;
    int rc = mmap_vma(p, rlen, prot, flags, fd, offset, &v);
    if (rc < 0)
        return rc;
    struct cpu *self = me(p);
    klock_acquire(&p->lock, self);
    vaddr_t start = 0;
    if (flags & KERNEL_MAP_FIXED_NOREPLACE) {
        start = range_taken(p, addr, addr + rlen) ? 0 : addr;
        if (!start)
            rc = -EEXIST;
    } else if (flags & KERNEL_MAP_FIXED) {
        start = addr;
        rc = unmap_range(p, self, addr, addr + rlen);   /* replaces what was there */
    } else {
        vaddr_t hint = VM_ALIGN_DOWN(addr, VM_PAGE_SIZE);
        if (hint >= MMAP_MIN_ADDR && hint + rlen > hint && hint + rlen <= user_top(p) &&
            !range_taken(p, hint, hint + rlen))
            start = hint;
        else if (!(start = free_area_topdown(p, rlen, p->abi->mmap_base)))
            start = free_area_topdown(p, rlen, p->abi->stack_top - p->abi->stack_cap);
        if (!start)
            rc = -ENOMEM;
    }
    if (rc == 0) {
        v.start = start;
        v.end = start + rlen;
        rc = insert_vma_locked(p, &v, self);
    }
    klock_release(&p->lock);
    if (rc < 0) {
        if (v.flags & VMA_FILE)
            close(v.fd);
        return rc;
    }
    *out = start;
    return 0;
}

int kernel_munmap(struct process *p, vaddr_t addr, uint64_t len, struct cpu *self)
{
    vaddr_t end;
    int rc = linux_range(p, addr, len, &end);
    if (rc < 0)
        return rc;
    self = kself(p->k, self);
    klock_acquire(&p->lock, self);
    rc = unmap_range(p, self, addr, end);
    klock_release(&p->lock);
    return rc;
}

/* Where the first hole in [start, end) begins (end if none): mprotect and
 * madvise work up to it and then fail with -ENOMEM, as Linux's do. */
static vaddr_t mapped_up_to(struct process *p, vaddr_t start, vaddr_t end)
{
    for (vaddr_t va = start; va < end;) {
        struct vma *v = vma_find(&p->vmas, va);
        if (!v)
            return va;
        va = v->end;
    }
    return end;
}

/* Give resident page pg the rights prot (mprotect). Write access is only
 * ever taken away here: a page that may write gets it at its next write
 * fault, which also decides whether it must be copied (cow.c). PROT_NONE
 * clears the PTE and keeps the frame, folding D into PG_DIRTY. Returns
 * whether the rights shrank. ptl held, pg not being evicted. */
static bool reprotect_page(struct process *p, struct page *pg, unsigned prot)
{
    struct kernel *k = p->k;
    paddr_t pte_pa = mmu_pte_lookup(p, page_va(pg), page_level(pg));
    uint64_t old = kpte_load(k, pte_pa);
    for (;;) {
        struct pte_info pi;
        k->fmt->decode(old, page_level(pg), &pi);
        unsigned have = pi.present ? pi.prot & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC) : 0;
        unsigned want = prot & ~(VM_PROT_WRITE & ~have);
        uint64_t nv = 0;
        if (want & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC))
            nv = mmu_leaf(k, pg, frame_pa(&k->ft, pg->u.r.frame), want, pi.present ? pi.accessed : true,
                          pi.present && pi.dirty);
        else if (pi.dirty)
            page_set(pg, PG_DIRTY);
        if (nv == old || kpte_cas(k, pte_pa, &old, nv))
            return (have & ~want) != 0;
    }
}

struct reprotect {
    struct process *p;
    struct cpu *self;
    vaddr_t start, end;
    unsigned prot;
    bool shrank;
};

static int reprotect_cb(struct page *pg, void *arg)
{
    struct reprotect *r = arg;
    vaddr_t va = page_va(pg);
    if (va < r->start || va >= r->end)
        return 0;
    struct process *p = r->p;
    for (;;) {
        klock_acquire(&p->ptl, r->self);
        uint64_t fl = page_flags(pg);
        if (!(fl & PG_EVICTING)) {
            if (fl & PG_RESIDENT)
                r->shrank |= reprotect_page(p, pg, r->prot);
            klock_release(&p->ptl);
            return 0;
        }
        klock_release(&p->ptl);
        kwait_step(r->self);   /* a failed eviction would put the old PTE back */
    }
}

int kernel_mprotect(struct process *p, vaddr_t addr, uint64_t len, unsigned prot, struct cpu *self)
{
    vaddr_t end;
    if (prot & ~(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC))
        return -EINVAL;
    int rc = linux_range(p, addr, len, &end);
    if (rc < 0)
        return rc;
    self = kself(p->k, self);
    klock_acquire(&p->lock, self);
    vaddr_t upto = mapped_up_to(p, addr, end);
    for (unsigned i = vma_lower_bound(&p->vmas, addr); i < p->vmas.n && p->vmas.v[i].start < upto; i++) {
        const struct vma *v = &p->vmas.v[i];
        if ((v->flags & VMA_SHARED) && (prot & VM_PROT_WRITE) &&
            (fcntl(v->fd, F_GETFL) & O_ACCMODE) != O_RDWR) {
            upto = v->start;   /* Linux stops here too */
            rc = -EACCES;
            break;
        }
    }
    if (upto > addr) {
        int cut = cut_range(p, self, addr, upto);
        if (cut < 0) {
            klock_release(&p->lock);
            return cut;
        }
        klock_acquire(&p->ptl, self);
        for (unsigned i = vma_lower_bound(&p->vmas, addr); i < p->vmas.n && p->vmas.v[i].start < upto;
             i++)
            p->vmas.v[i].prot = prot;
        klock_release(&p->ptl);
        struct reprotect r = {p, self, addr, upto, prot, false};
        if ((upto - addr) / VM_PAGE_SIZE > p->spt.count) {
            spt_for_each(&p->spt, reprotect_cb, &r);
        } else {
            for (vaddr_t va = addr; va < upto; va += VM_PAGE_SIZE) {
                struct page *pg = spt_find(&p->spt, va);
                if (pg)
                    reprotect_cb(pg, &r);
            }
        }
        /* a downgrade: no CPU may keep the wider rights; an upgrade needs nothing */
        if (r.shrank)
            mmu_flush_range(p, self, addr, upto);
    }
    klock_release(&p->lock);
    return rc ? rc : upto < end ? -ENOMEM : 0;
}

int kernel_madvise(struct process *p, vaddr_t addr, uint64_t len, int advice, struct cpu *self)
{
    if (addr & VM_PAGE_MASK)
        return -EINVAL;
    if (advice != KERNEL_MADV_NORMAL && advice != KERNEL_MADV_RANDOM &&
        advice != KERNEL_MADV_SEQUENTIAL && advice != KERNEL_MADV_WILLNEED &&
        advice != KERNEL_MADV_DONTNEED)
        return -EINVAL;
    if (len == 0)
        return 0;
    vaddr_t end;
    if (linux_range(p, addr, len, &end) < 0)
        return -ENOMEM;
    self = kself(p->k, self);
    klock_acquire(&p->lock, self);
    /* every mapped part of the range, then -ENOMEM if there were holes */
    bool holes = false;
    int rc = 0;
    for (vaddr_t va = addr; va < end && rc == 0;) {
        struct vma *v = vma_find(&p->vmas, va);
        if (!v) {
            unsigned i = vma_lower_bound(&p->vmas, va);
            holes = true;
            va = i < p->vmas.n && p->vmas.v[i].start < end ? p->vmas.v[i].start : end;
            continue;
        }
        vaddr_t stop = v->end < end ? v->end : end;
        if (advice == KERNEL_MADV_DONTNEED) {
            rc = cut_range(p, self, va, stop);
            if (rc == 0)
                drop_pages(p, self, va, stop);
        }
        va = stop;
    }
    klock_release(&p->lock);
    return rc ? rc : holes ? -ENOMEM : 0;
}

int kernel_brk(struct process *p, vaddr_t want, vaddr_t *out, struct cpu *self)
{
    self = kself(p->k, self);
    klock_acquire(&p->lock, self);
    vaddr_t cur = p->brk;
    int rc = 0;
    if (p->heap_start && want >= p->heap_start && want <= user_top(p)) {
        vaddr_t old_end = VM_ALIGN_UP(cur, VM_PAGE_SIZE), new_end = VM_ALIGN_UP(want, VM_PAGE_SIZE);
        if (new_end > old_end) {
            struct vma *heap = old_end > p->heap_start ? vma_find(&p->vmas, old_end - 1) : NULL;
            if (range_taken(p, old_end, new_end) ||
                (p->abi->id == KERNEL_ABI_LINUX && new_end > p->abi->mmap_base)) {
                rc = -ENOMEM;
            } else if (heap && (heap->flags & VMA_HEAP) && heap->end == old_end) {
                klock_acquire(&p->ptl, self);
                heap->end = new_end;
                klock_release(&p->ptl);
            } else {
                struct vma v = {.start = old_end, .end = new_end,
                                .prot = VM_PROT_READ | VM_PROT_WRITE,
                                .flags = VMA_ANON | VMA_HEAP, .fd = -1};
                rc = insert_vma_locked(p, &v, self);
            }
        } else if (new_end < old_end) {
            rc = unmap_range(p, self, new_end, old_end);
        }
        if (rc == 0)
            p->brk = want;
    } else if (want) {
        rc = -ENOMEM;
    }
    *out = p->brk;
    klock_release(&p->lock);
    return rc;
}
