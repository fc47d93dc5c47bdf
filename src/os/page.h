/* page.h — struct page, the page kinds and their operations, the SPT.
 *
 * A struct page is one virtual page a process may use (PintOS's struct
 * page), kept in the process's supplemental page table. Every page is of
 * one kind, and each kind is one table of operations (PintOS's struct
 * page_operations; Linux's handle_pte_fault dispatching to
 * do_anonymous_page, do_fault, do_swap_page): how the page is brought in
 * on a fault, how its frame is filled, written out at eviction, released,
 * and copied at fork. Code outside the kinds never tests a kind by name:
 * it calls page_ops(pg)->...
 *
 *   uninit   registered with its own initializer, never loaded
 *            (kernel_alloc_page_with_initializer); becomes anon on its
 *            first fault. Pages of a VMA need no uninit entry: the VMA is
 *            their initializer, and their first fault creates them with
 *            the VMA's kind.
 *   anon     zero-filled on first touch, swap-backed.
 *   file     a private file page (ELF segment, MAP_PRIVATE): read from its
 *            file, dropped when clean, and swap-backed (it becomes anon)
 *            once written and evicted.
 *   shared   a shared file page (MAP_SHARED): its frame belongs to the page
 *            cache (pagecache.c), shared by every mapping of that file page.
 *   huge     an anonymous 2 MiB page (THP): one struct page, one frame-table
 *            entry heading 512 contiguous frames, one level-1 leaf.
 *
 * Locking: the va never changes; the flags change under the owner's ptl
 * with atomic read-modify-writes (lock-free readers of the va stay
 * race-free); u.r is written under the ptl too.
 */
#ifndef VMLAB_OS_PAGE_H
#define VMLAB_OS_PAGE_H

#include <vmlab/kernel.h>

struct process;
struct vma;
struct fault;
struct evict;
struct fork_ctx;

enum page_kind { PAGE_UNINIT, PAGE_ANON, PAGE_FILE, PAGE_SHARED, PAGE_HUGE, PAGE_NKINDS };

/* The low 12 bits of page->va_flags: the kind, then flags. */
enum {
    PG_KIND_MASK = 7u,
    PG_RESIDENT  = 1u << 3,   /* u.r.frame is valid and (unless PROT_NONE) the PTE maps it */
    PG_SLOT      = 1u << 4,   /* u.r.slot is valid: swapped out, or a swap-cache copy */
    PG_EVICTING  = 1u << 5,   /* an eviction is in progress: wait */
    PG_DIRTY     = 1u << 6,   /* contents differ from the backing copy even if D is clear */
    PG_WRITABLE  = 1u << 7,   /* for pages without a VMA */
    PG_LOADED    = 1u << 8,   /* has been resident once (for PAGE_DROPPED) */
    PG_COW       = 1u << 9,   /* fork shared its frame: write-protected until a COW fault */
};

/* Transparent huge pages: 512 contiguous, aligned frames under one leaf. */
#define HPAGE_PAGES 512u
#define HPAGE_SIZE  ((uint64_t)HPAGE_PAGES * VM_PAGE_SIZE)

/* The slots of a swapped-out huge page. A huge page swapped back in drops
 * them: huge pages keep no swap cache. */
struct huge_swap {
    uint32_t slot[HPAGE_PAGES];
};

#define FRAME_NONE UINT32_MAX
#define SLOT_NONE  UINT32_MAX

struct page_init {
    kernel_page_init_fn init;
    void *aux;
};

/* 32 bytes: the per-page metadata budget (docs/kernel.md). */
struct page {
    struct page *hash_next;    /* SPT chain */
    uint64_t va_flags;         /* page address | kind | PG_* */
    struct process *proc;      /* owner: the reverse map's way to the PTE */
    union {
        struct {
            uint32_t frame;    /* frame-table index, if PG_RESIDENT */
            uint32_t slot;     /* swap slot, if PG_SLOT */
        } r;
        struct page_init *init;   /* uninit pages */
        struct huge_swap *hs;     /* huge pages that are swapped out (PG_SLOT) */
    } u;
};

static inline uint64_t page_flags(const struct page *pg)
{
    return __atomic_load_n(&pg->va_flags, __ATOMIC_RELAXED) & VM_PAGE_MASK;
}
static inline vaddr_t page_va(const struct page *pg)
{
    return __atomic_load_n(&pg->va_flags, __ATOMIC_RELAXED) & ~VM_PAGE_MASK;
}
static inline enum page_kind page_kind(const struct page *pg)
{
    return (enum page_kind)(page_flags(pg) & PG_KIND_MASK);
}
static inline bool page_huge(const struct page *pg)
{
    return page_kind(pg) == PAGE_HUGE;
}
static inline unsigned page_level(const struct page *pg)
{
    return page_huge(pg) ? 1 : 0;
}
static inline uint64_t page_size(const struct page *pg)
{
    return page_huge(pg) ? HPAGE_SIZE : VM_PAGE_SIZE;
}
static inline uint64_t page_npages(const struct page *pg)
{
    return page_huge(pg) ? HPAGE_PAGES : 1;
}
static inline void page_set(struct page *pg, uint64_t f)
{
    __atomic_fetch_or(&pg->va_flags, f, __ATOMIC_RELAXED);
}
static inline void page_clear(struct page *pg, uint64_t f)
{
    __atomic_fetch_and(&pg->va_flags, ~f, __ATOMIC_RELAXED);
}
static inline void page_set_kind(struct page *pg, enum page_kind kind)
{
    uint64_t old = __atomic_load_n(&pg->va_flags, __ATOMIC_RELAXED), nv;
    do
        nv = (old & ~(uint64_t)PG_KIND_MASK) | (uint64_t)kind;
    while (!__atomic_compare_exchange_n(&pg->va_flags, &old, nv, true, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED));
}

/* ---- the kinds' operations --------------------------------------------- */

/* Result of writing a frame out at eviction. */
enum evict_result { EV_OK, EV_SWAP_FULL, EV_IO_ERROR };

struct page_ops {
    const char *name;
    /* The fault on a page that is neither resident nor being evicted: give
     * it a frame, its contents and its PTE (vm_do_claim_page). p->lock
     * held, nothing else. Returns KILL_NONE or why the process dies; sets
     * f->retry to be called again after a wait step. */
    enum kill_reason (*claim)(struct fault *f);
    /* Fill one 4 KiB frame at kva with the page's contents (zeros, its swap
     * slot, its file, its initializer); *major if that needed I/O. */
    enum kill_reason (*fill)(struct process *p, struct page *pg, const struct vma *v, void *kva,
                             bool *major);
    /* Eviction, no lock held: write the frame out if it differs from its
     * backing copy, or drop it (evict.c steps 3). */
    enum evict_result (*write_out)(struct evict *e);
    /* Eviction, under pg's ptl, once write_out succeeded: record where
     * mapper pg's contents live now (evict.c step 4). */
    void (*evicted)(struct evict *e, struct page *pg);
    /* Free what the page holds besides its frame (swap slots, its
     * initializer) before it leaves the SPT. Owner's mm lock held, the page
     * is not resident. */
    void (*destroy)(struct process *p, struct page *pg);
    /* fork: give the child its copy of parent page pg (fork.c). */
    int (*fork)(struct fork_ctx *x, struct page *pg);
};

extern const struct page_ops uninit_ops, anon_ops, file_ops, shared_ops, huge_ops;
extern const struct page_ops *const page_ops_table[PAGE_NKINDS];

static inline const struct page_ops *page_ops(const struct page *pg)
{
    return page_ops_table[page_kind(pg)];
}

/* ---- the supplemental page table ------------------------------------------ */

/* Slab of struct page: chunks of pages, a free list; no per-page malloc. */
struct page_slab {
    struct page *free;
    void **chunks;
    unsigned nchunks, cap;
};

struct spt {
    struct page **buckets;
    uint64_t nbuckets;         /* power of two */
    uint64_t count;
    struct page_slab slab;
};
int spt_init(struct spt *t);
/* Free every page and the table (the pages' kinds have released them). */
void spt_kill(struct spt *t);
struct page *spt_find(const struct spt *t, vaddr_t va);
/* The page covering va: its own entry, or the huge page containing it. */
struct page *spt_lookup(const struct spt *t, vaddr_t va);
/* Ask the host to bring in the entry of va's page, if there is one (a
 * hint for a fault soon to come there; changes nothing). */
void spt_prefetch(const struct spt *t, vaddr_t va);
/* -EEXIST if va is present. */
int spt_insert(struct spt *t, struct page *pg);
void spt_remove(struct spt *t, struct page *pg);
/* Call fn on every page (fn may remove and free the page it is given, but
 * nothing else). Stops at and returns the first non-zero value fn returns. */
int spt_for_each(const struct spt *t, int (*fn)(struct page *pg, void *arg), void *arg);
/* A zeroed page from the slab (NULL: out of memory), with va, kind and
 * owner set; not yet in the table. */
struct page *page_new(struct spt *t, struct process *owner, vaddr_t va, enum page_kind kind);
void page_free(struct spt *t, struct page *pg);
size_t spt_bucket_bytes(const struct spt *t);

#endif
