/* kern.h — the kernel's internal structures, shared by the kernel.
 *
 * Vocabulary (PintOS project 3, Linux where PintOS is silent):
 *   struct page     one virtual page a process may use, in its SPT (spt.c)
 *   struct frame    one user-pool frame in the global frame table (frame.c)
 *   struct vma      a mapped region with rights and backing (vma.c)
 *   pool            a palloc bitmap allocator over physical frames (palloc.c)
 *
 * Locking (docs/DESIGN.md, "Kernel locking rules", has the full rules):
 *   p->lock (mm lock) > frame table lock > k->asid_lock
 *   p->lock           > q->ptl           > k->asid_lock
 *   pool locks, swap lock: leaves.  frame lock and any ptl are never nested.
 *   the page cache (struct page_cache, struct pc_entry) is under the frame lock.
 * Every lock a CPU thread may wait on is a klock: waiting polls the CPU's
 * shootdown requests, as a real CPU spinning with interrupts enabled takes
 * IPIs, so a holder that shoots down a waiter never deadlocks.
 */
#ifndef VMLAB_OS_KERN_H
#define VMLAB_OS_KERN_H

#include <pthread.h>
#include <vmlab/kernel.h>

struct swap_dev;

/* ---- locks ----------------------------------------------------------------- */

struct klock {
    pthread_mutex_t m;
    uintptr_t heir;         /* atomic: a CPU waiter that has waited too long and
                               takes the lock next (see klock.c), or 0 */
};
void klock_init(struct klock *l);
void klock_destroy(struct klock *l);
/* Acquire; while waiting, serve `self`'s shootdown requests (self may be NULL). */
void klock_acquire(struct klock *l, struct cpu *self);
void klock_release(struct klock *l);
/* One step of a wait loop: serve shootdowns, yield the host CPU. */
void kwait_step(struct cpu *self);

/* The CPU the calling thread drives: `given` if not NULL, else the CPU this
 * thread last passed to kernel_switch_to (if it belongs to k's machine). */
struct kernel;
struct cpu *kself(struct kernel *k, struct cpu *given);
void kernel_note_thread_cpu(struct kernel *k, struct cpu *cpu);

/* Relaxed atomic counters. */
static inline void stat_add(uint64_t *c, uint64_t n) { __atomic_fetch_add(c, n, __ATOMIC_RELAXED); }
static inline uint64_t stat_get(const uint64_t *c) { return __atomic_load_n(c, __ATOMIC_RELAXED); }

/* ---- palloc: bitmap pools over physical frames ---------------------------- */

struct pool {
    pthread_mutex_t lock;   /* leaf */
    bool external_lock;     /* the owner's lock protects the pool (set after pool_init) */
    uint64_t base;          /* first physical frame number */
    uint64_t nframes;
    uint64_t used;
    uint64_t hint;          /* word to start searching at */
    uint64_t *bitmap;       /* 1 = in use */
};
int pool_init(struct pool *pl, uint64_t base, uint64_t nframes);
void pool_destroy(struct pool *pl);
/* A free frame number, or -1. */
int64_t pool_alloc(struct pool *pl);
/* The frame pool_alloc would return next, or -1 (the caller holds the pool's lock). */
int64_t pool_peek(const struct pool *pl);
/* n contiguous frames whose first frame number is a multiple of align
 * (relative to frame 0), or -1. */
int64_t pool_alloc_contig(struct pool *pl, uint64_t n, uint64_t align);
void pool_free(struct pool *pl, uint64_t frame);
void pool_free_contig(struct pool *pl, uint64_t frame, uint64_t n);
uint64_t pool_used(struct pool *pl);
bool pool_is_used(struct pool *pl, uint64_t frame);

/* ---- VMAs: a sorted array, binary search ------------------------------------ */

enum {
    VMA_ANON   = 1u << 0,   /* zero-filled, swap-backed */
    VMA_FILE   = 1u << 1,   /* filled from fd at offset */
    VMA_SHARED = 1u << 2,   /* file: dirty pages written back to the file (mmap) */
    VMA_STACK  = 1u << 3,   /* grows down */
    VMA_NOHUGE = 1u << 4,
};

struct vma {
    vaddr_t start, end;      /* page aligned, start < end */
    unsigned prot;           /* VM_PROT_READ|WRITE|EXEC */
    unsigned flags;          /* VMA_* */
    int fd;                  /* VMA_FILE: our own descriptor, or -1 */
    uint64_t offset;         /* file offset of start (page aligned) */
    uint64_t file_bytes;     /* bytes of [start, end) backed by the file; the rest reads 0 */
    uint64_t dev, ino;       /* VMA_FILE: the file's identity (st_dev, st_ino): the page-cache key */
};

struct vma_set {
    struct vma *v;
    unsigned n, cap;
};
void vma_set_init(struct vma_set *s);
void vma_set_destroy(struct vma_set *s);
/* The VMA containing va, or NULL. O(log n). */
struct vma *vma_find(struct vma_set *s, vaddr_t va);
/* Index of the first VMA with end > va (n if none): Linux's find_vma. */
unsigned vma_lower_bound(const struct vma_set *s, vaddr_t va);
bool vma_overlaps(const struct vma_set *s, vaddr_t start, vaddr_t end);
/* Insert a copy; -EEXIST on overlap, -ENOMEM. */
int vma_insert(struct vma_set *s, const struct vma *v);
void vma_remove_at(struct vma_set *s, unsigned i);

/* ---- pages and the supplemental page table ---------------------------------- */

enum page_kind { PAGE_UNINIT = 0, PAGE_ANON = 1, PAGE_FILE = 2 };

/* Flags in the low 12 bits of page->va_flags. The va bits never change; the
 * flags change under the owner's ptl with atomic read-modify-writes, so that
 * lock-free readers of the va (hash lookups) stay race-free. */
enum {
    PG_KIND_MASK = 3u,
    PG_RESIDENT  = 1u << 2,   /* u.r.frame is valid and the PTE maps it */
    PG_SLOT      = 1u << 3,   /* u.r.slot is valid (swapped out, or swap cache) */
    PG_EVICTING  = 1u << 4,   /* an eviction is in progress: wait */
    PG_DIRTY     = 1u << 5,   /* contents differ from the backing copy even if D is clear */
    PG_WRITABLE  = 1u << 6,   /* for pages without a VMA */
    PG_CUSTOM    = 1u << 7,   /* uninit with its own initializer (u.init) */
    PG_LOADED    = 1u << 8,   /* has been loaded once (for PAGE_DROPPED) */
    PG_HUGE      = 1u << 9,   /* a 2 MiB anonymous page (THP) at a 2 MiB-aligned va */
    PG_SHARED    = 1u << 10,  /* a shared file page: its frame belongs to the page cache */
};

/* Transparent huge pages: one struct page and one frame-table entry (the
 * head of 512 contiguous, aligned frames) map 2 MiB with one level-1 leaf. */
#define HPAGE_PAGES 512u
#define HPAGE_SIZE  ((uint64_t)HPAGE_PAGES * VM_PAGE_SIZE)

/* The slots of a swapped-out huge page (PG_HUGE | PG_SLOT). A huge page
 * swapped back in frees them: huge pages keep no swap cache. */
struct huge_swap {
    uint32_t slot[HPAGE_PAGES];
};

#define FRAME_NONE UINT32_MAX

struct page_init {
    kernel_page_init_fn init;
    void *aux;
};

/* 32 bytes: the per-page metadata budget (docs/kernel.md). */
struct page {
    struct page *hash_next;    /* SPT chain */
    uint64_t va_flags;         /* page address | PG_* */
    struct process *proc;      /* owner: the reverse map's way to the PTE */
    union {
        struct {
            uint32_t frame;    /* frame-table index, if PG_RESIDENT */
            uint32_t slot;     /* swap slot, if PG_SLOT */
        } r;
        struct page_init *init;   /* PG_CUSTOM uninit pages only */
        struct huge_swap *hs;     /* PG_HUGE pages that are swapped out */
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
    return page_flags(pg) & PG_HUGE;
}
static inline unsigned page_level(const struct page *pg)
{
    return page_huge(pg) ? 1 : 0;
}
static inline uint64_t page_size(const struct page *pg)
{
    return page_huge(pg) ? HPAGE_SIZE : VM_PAGE_SIZE;
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
    page_clear(pg, PG_KIND_MASK);
    page_set(pg, kind);
}

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
/* Free every page (calling destroy on each first, if given) and the table. */
void spt_kill(struct spt *t, void (*destroy)(struct page *pg, void *arg), void *arg);
struct page *spt_find(const struct spt *t, vaddr_t va);
/* -EEXIST if va is present. */
int spt_insert(struct spt *t, struct page *pg);
void spt_remove(struct spt *t, struct page *pg);
/* Copy every entry of src into dst (empty): copy(dst_page, src_page, arg)
 * fills each new page; 0 or the first negative value copy returned. */
int spt_copy(struct spt *dst, const struct spt *src,
             int (*copy)(struct page *dst_pg, const struct page *src_pg, void *arg), void *arg);
/* Call fn on every page (no insertions or removals meanwhile). */
void spt_for_each(const struct spt *t, void (*fn)(struct page *pg, void *arg), void *arg);
/* A zeroed page from the slab (NULL: out of memory), with va set. */
struct page *page_new(struct spt *t, vaddr_t va, enum page_kind kind);
void page_free(struct spt *t, struct page *pg);
size_t spt_bucket_bytes(const struct spt *t);

/* ---- the frame table ---------------------------------------------------------- */

/* Per-frame state word (under the frame-table lock). */
enum {
    FS_BUSY     = 1u << 0,    /* being filled, evicted or freed: not a candidate */
    FS_LISTED   = 1u << 1,    /* on the policy list */
    FS_TAIL     = 1u << 2,    /* one of the 511 frames after a huge page's head */
    FS_RECLAIM  = 1u << 3,    /* its page's swap-cache slot is being taken: skip, wait */
    FS_ACTIVE   = 1u << 4,    /* "linux" policy: on the active ring */
    FS_REFERENCED = 1u << 5,  /* "linux" policy: PG_referenced */
    FS_PIN_SHIFT = 8,         /* pin count: bits 8..15 */
    FS_PIN_MASK = 0xffu << 8,
    FS_AGE_SHIFT = 16,        /* aging counter: bits 16..23 */
    FS_AGE_MASK = 0xffu << 16,
};

struct frame {
    struct page *page;        /* the page it holds (the reverse map), or NULL; with the low
                                 bit set, a page-cache entry (frame_entry) */
    uint32_t prev, next;      /* policy list (a ring), FRAME_NONE when off it */
};

/* ---- the page cache (pagecache.c) ---------------------------------------------- */

/* One page of one file held in a frame, shared by every shared file mapping
 * of that page in every process (Linux's page cache, keyed by inode and page
 * offset). It exists from the first mapper's fault until its frame is
 * evicted or its last mapper unmaps/exits. Everything in it is under the
 * frame-table lock; while its frame is busy (being evicted or freed) its
 * mapper list does not change, and the evictor reads it without the lock. */
struct pc_entry {              /* 64 bytes */
    struct pc_entry *hash_next;
    uint64_t dev, ino, pgoff;  /* the key: the file's identity, page offset in it */
    struct page **map;         /* map[0..nmap): the reverse map, every page mapping it;
                                  &one until a second mapper comes */
    struct page *one;
    uint32_t frame;            /* FRAME_NONE while the first mapper fills it: wait */
    uint32_t nmap, cap;
    uint32_t releasing : 31;   /* mappers gone whose PTE flush is still pending (pinned) */
    uint32_t dirty : 1;        /* differs from the file (a mapper's D bit reached us) */
};

struct page_cache {
    struct pc_entry **buckets;
    uint64_t nbuckets;         /* power of two */
    uint64_t count;            /* entries */
};

struct policy;

struct frame_table {
    struct klock lock;
    struct pool pool;         /* the user pool */
    uint64_t nframes;
    struct frame *f;
    uint32_t *state;
    uint32_t head;            /* ring: oldest / least recent first */
    uint32_t active_head;     /* "linux" policy: the active ring */
    uint64_t active;          /* frames on it */
    uint32_t reclaim_at;      /* where the swap-cache reclaim scan goes on */
    uint32_t hand;            /* clock hand */
    uint64_t listed;
    uint64_t pinned;
    uint64_t tails;           /* frames held as tails of resident huge pages */
    uint64_t changes;         /* frames that became free, listed or unpinned: the progress
                                 a frame_alloc with nothing to evict waits for */
    uint64_t rng;
    const struct policy *policy;
    bool refs_seen;           /* the front end reports references (kernel_note_access) */
    uint64_t *opt_next;       /* "opt" with reports: each frame's next use, as last asked */
    kernel_oracle_fn oracle;
    void *oracle_arg;
    struct page_cache pc;     /* under lock too */
};

static inline paddr_t frame_pa(const struct frame_table *ft, uint32_t i)
{
    return (ft->pool.base + i) << VM_PAGE_SHIFT;
}

/* A frame's reverse map is a page, or (low bit set) a page-cache entry. */
static inline bool frame_cached(const struct frame_table *ft, uint32_t i)
{
    return ((uintptr_t)ft->f[i].page & 1u) != 0;
}
static inline struct pc_entry *frame_entry(const struct frame_table *ft, uint32_t i)
{
    return (struct pc_entry *)((uintptr_t)ft->f[i].page & ~(uintptr_t)1);
}
static inline void frame_set_entry(struct frame_table *ft, uint32_t i, struct pc_entry *e)
{
    ft->f[i].page = (struct page *)((uintptr_t)e | 1u);
}

struct policy {
    const char *name;
    bool clear_flushes;       /* clearing A also invalidates cached translations */
    bool wants_refs;          /* uses kernel_note_access reports (lru) */
    bool wants_oracle;        /* needs the front end's next-use oracle (opt) */
    /* Choose a victim among listed, unpinned frames; scan counted. Returns its
     * index (still listed) or FRAME_NONE. Under the frame-table lock. */
    uint32_t (*select)(struct kernel *k, struct cpu *self);
    /* Where a newly resident frame goes. */
    void (*insert)(struct frame_table *ft, uint32_t i);
    /* A reported reference (kernel_note_access). */
    void (*touch)(struct frame_table *ft, uint32_t i);
};
const struct policy *policy_by_name(const char *name);

/* Ring-list primitives (frame.c). */
void ft_list_insert_before(struct frame_table *ft, uint32_t i, uint32_t pos);
void ft_list_insert_tail(struct frame_table *ft, uint32_t i);
void ft_list_remove(struct frame_table *ft, uint32_t i);
/* Read and clear the accessed bit of frame i's mapping (flushing if asked). */
bool ft_test_clear_young(struct kernel *k, struct cpu *self, uint32_t i, bool flush);
bool ft_young(struct kernel *k, uint32_t i);

int frame_table_init(struct frame_table *ft, uint64_t base, uint64_t n, const struct policy *pol,
                     uint64_t seed);
void frame_table_destroy(struct frame_table *ft);

enum frame_alloc_err { FA_OK, FA_SWAP_FULL, FA_NO_FRAME, FA_IO_ERROR /* pages could not be written out */ };
/* A frame for `for_proc`, busy and unlisted, evicting if the pool is empty.
 * FRAME_NONE and *why on failure. */
uint32_t frame_alloc(struct kernel *k, struct cpu *self, enum frame_alloc_err *why);
/* 512 contiguous aligned frames (head index; busy, tails marked), without
 * evicting; FRAME_NONE if the pool has no such run. */
uint32_t frame_alloc_huge(struct kernel *k, struct cpu *self);
/* Give frame i to page pg: bind, list (the policy decides where), clear busy. */
void frame_install(struct kernel *k, struct cpu *self, uint32_t i, struct page *pg);
/* Pin or unpin frame i (nesting); ft->lock held. A pinned frame stays
 * listed but no policy takes it. */
void frame_pin_locked(struct frame_table *ft, uint32_t i);
void frame_unpin_locked(struct frame_table *ft, uint32_t i);
/* pg's frame once no eviction is in flight on it (waiting with kwait), or
 * FRAME_NONE if pg is not resident. An eviction may start right after:
 * callers check under ft->lock that the frame still holds pg. */
uint32_t page_settled_frame(struct process *p, struct cpu *self, struct page *pg);
/* The same, returned with ft->lock held once the frame still maps pg and
 * is in none of wait_states (FS_BUSY, FS_RECLAIM), waiting with kwait
 * meanwhile; FRAME_NONE (lock not held) if pg is not resident. */
uint32_t frame_lock_settled(struct process *p, struct cpu *self, struct page *pg, uint32_t wait_states);
/* Take pg's resident frame away from it for unmap/exit: waits while an
 * eviction owns it, then makes it busy and unlisted. false if the page is no
 * longer resident (an eviction won). */
bool frame_claim_for_free(struct kernel *k, struct cpu *self, struct page *pg);
/* Take frame i off the policy's list, drop its pins and make it busy:
 * the caller owns it now (to free it). ft->lock held. */
void frame_take_locked(struct frame_table *ft, uint32_t i);
/* Return a busy frame (huge: the whole run) to the pool. */
void frame_free(struct kernel *k, struct cpu *self, uint32_t i, bool huge);
/* Does frame i map pg: its own page, or one of its page-cache entry's
 * mappers? Under the frame-table lock. */
bool ft_maps(const struct frame_table *ft, uint32_t i, const struct page *pg);

/* pagecache.c. The table itself: */
int pc_init(struct page_cache *pc);
void pc_destroy(struct page_cache *pc);
/* Unhash and free e (its frame's reverse map is the caller's). ft lock held. */
void pc_remove(struct frame_table *ft, struct pc_entry *e);
/* The fault path for a page of a shared file VMA that is not resident: map
 * the cached frame of (v's file, page offset), filling one from the file if
 * none is cached. p->lock held, nothing else. *retry: the entry is being
 * filled or evicted by someone else; wait a step and try again. */
enum kill_reason pc_fault(struct process *p, struct cpu *cpu, struct page *pg, const struct vma *v,
                          paddr_t pte_pa, unsigned prot, bool pin, bool *major, bool *retry);
/* Unmap/exit of one mapper (p->lock held): take pg out of its entry's
 * reverse map, clear its PTE (not flushed: the caller batches) and keep the
 * frame pinned. false if pg is not resident. *frame, *dirty (the PTE's D). */
bool pc_unmap_page(struct process *p, struct cpu *self, struct page *pg, uint32_t *frame,
                   bool *dirty);
/* After the flush of a pc_unmap_page: fold dirty in and unpin. true if that
 * was the last mapper: the frame is then busy and still hashed (new faults
 * wait) and *writeback says whether it must be written to the file before
 * pc_drop. */
bool pc_unmap_finish(struct kernel *k, struct cpu *self, uint32_t frame, bool dirty,
                     bool *writeback);
/* Unhash the last mapper's entry and free its frame. */
void pc_drop(struct kernel *k, struct cpu *self, uint32_t frame);

/* ---- processes ------------------------------------------------------------------ */

struct process {
    struct kernel *k;
    int pid;
    char name[32];
    struct klock lock;         /* mm lock: VMAs, SPT structure, page tables' shape; held by
                                  a whole fault */
    struct klock ptl;          /* page-table lock: leaf PTEs, page->u and PG_* flags */
    paddr_t root;
    uint16_t asid;             /* under k->asid_lock; 0 = none */
    cpumask_t may_cache;       /* CPUs that may hold translations under asid */
    cpumask_t running;         /* CPUs that have p loaded now */
    struct vma_set vmas;
    struct spt spt;
    vaddr_t rsp;               /* atomic */
    int state;                 /* enum process_state, atomic */
    enum kill_reason kill_reason;
    char kill_msg[128];
    uint64_t pt_pages;         /* under lock */
    uint64_t resident;         /* atomic */
    uint64_t slots;            /* atomic */
    uint64_t stat[VMSTAT_NR];  /* atomic */
    struct process *next, *prev;   /* k->procs, under k->proc_lock */
};

/* ---- the kernel ------------------------------------------------------------------- */

struct kernel {
    uint64_t id;               /* unique per kernel_create */
    struct machine *m;
    struct physmem *pm;
    const struct pt_format *fmt;
    struct kernel_config cfg;
    vaddr_t user_top;
    struct pool kpool;         /* page tables */
    struct frame_table ft;
    struct swap_dev *swap;
    paddr_t kernel_root;       /* an empty root for CPUs running no process */

    struct klock asid_lock;    /* asid_owner, every p->asid/may_cache/running, cpu_proc */
    struct process **asid_owner;   /* [0..nasids] */
    unsigned nasids, asid_next, asids_used;
    struct process *cpu_proc[VM_MAX_CPUS];
    bool cpu_ready[VM_MAX_CPUS];

    pthread_mutex_t proc_lock; /* leaf: the process list, pid counter */
    struct process *procs;
    unsigned nprocs;
    int next_pid;

    uint64_t stat[VMSTAT_NR];  /* atomic: global counters */
};

static inline void count(struct process *p, enum vmstat_item item, uint64_t n)
{
    stat_add(&p->k->stat[item], n);
    stat_add(&p->stat[item], n);
}
static inline void kcount(struct kernel *k, enum vmstat_item item, uint64_t n)
{
    stat_add(&k->stat[item], n);
}

/* Every page-table entry the kernel reads or writes goes through these, in
 * the kernel's format: the one place that knows how wide an entry is and
 * where it sits in its table. The machine's walkers set A/D concurrently,
 * so all of them are atomic (vmlab/pt.h). */
static inline uint64_t kpte_load(const struct kernel *k, paddr_t pa) { return pte_load(k->pm, pa); }
static inline void kpte_store(struct kernel *k, paddr_t pa, uint64_t v) { pte_store(k->pm, pa, v); }
static inline uint64_t kpte_exchange(struct kernel *k, paddr_t pa, uint64_t v)
{
    return pte_exchange(k->pm, pa, v);
}
static inline uint64_t kpte_clear_bits(struct kernel *k, paddr_t pa, uint64_t bits)
{
    return pte_clear_bits(k->pm, pa, bits);
}
/* Address of va's entry in the level-`level` table at `table`, and the
 * number of entries in a table. */
static inline paddr_t kpte_slot(const struct kernel *k, paddr_t table, vaddr_t va, unsigned level)
{
    (void)k;
    return table + 8 * pt_index(va, level);
}
static inline unsigned kpt_entries(const struct kernel *k)
{
    (void)k;
    return PT_ENTRIES;
}
static inline paddr_t kpte_nth(const struct kernel *k, paddr_t table, unsigned i)
{
    (void)k;
    return table + 8 * (paddr_t)i;
}

/* mmu.c: page tables, PCIDs/ASIDs, invalidation. */
paddr_t mmu_table_alloc(struct kernel *k);
void mmu_table_free(struct kernel *k, paddr_t pa);
/* Leaf PTE address for va at `level`, creating tables (p->lock held); 0 if the
 * kernel pool is empty. */
paddr_t mmu_pte_create(struct process *p, vaddr_t va, unsigned level);
/* Leaf PTE address for va if the tables exist (any level-0 or huge leaf slot
 * at `level`), else 0. Lock-free: tables are freed only at exit. */
paddr_t mmu_pte_lookup(const struct process *p, vaddr_t va, unsigned level);
/* Free every table of p (after every leaf has been cleared). */
void mmu_free_tables(struct process *p);
/* Invalidate [start, end) of p on every CPU that may cache it. */
void mmu_flush_range(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end);
void mmu_flush_page(struct process *p, struct cpu *self, vaddr_t va);
/* Release p's ASID (flushing it everywhere). */
void mmu_release_asid(struct process *p, struct cpu *self);

/* fault.c: the machine's fault handler, and the fault path itself (also
 * used by pinning) */
enum fault_action kernel_fault_handler(struct cpu *cpu, const struct vm_fault *f, void *arg);
/* Make va of p resident as an access `acc` would (p->lock not held): checks
 * rights, grows the stack (va itself is compared with rsp - 8), claims and
 * fills a frame. With pin, the frame is also pinned. KILL_NONE, or the kill
 * reason (the caller kills). */
enum kill_reason fault_in(struct process *p, struct cpu *cpu, vaddr_t va, enum vm_access acc,
                          bool user, bool pin);
void process_kill(struct process *p, enum kill_reason r, vaddr_t addr);
bool process_killed(const struct process *p);

/* The page covering va: its own entry, or the huge page containing it. */
struct page *spt_lookup(const struct spt *t, vaddr_t va);

/* process.c: insert n VMAs, all or none (-EEXIST on any overlap). */
int process_insert_vmas(struct process *p, const struct vma *v, unsigned n);

/* fault.c, the page kinds' swap_in: fill a 4 KiB frame for pg (zeros, swap,
 * file, or its initializer); *major if that needed I/O. */
enum kill_reason page_fill(struct process *p, struct page *pg, const struct vma *vma,
                           void *kva, bool *major);

#endif
