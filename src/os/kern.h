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
 *   the reverse map (struct rmap) and the page cache are under the frame lock.
 * Every lock a CPU thread may wait on is a klock: waiting polls the CPU's
 * shootdown requests, as a real CPU spinning with interrupts enabled takes
 * IPIs, so a holder that shoots down a waiter never deadlocks.
 */
#ifndef VMLAB_OS_KERN_H
#define VMLAB_OS_KERN_H

#include <pthread.h>
#include <vmlab/kernel.h>

struct swap_dev;
struct swpt;

/* ---- locks ----------------------------------------------------------------- */

/* A kernel lock: a word that is 0 (free), 1 (held) or 2 (held, and a
 * thread without a CPU may sleep on it: the releaser must wake it), as the
 * futex mutex of Drepper's "Futexes Are Tricky". Taking a free lock is one
 * compare-and-swap inline, releasing it one exchange; see klock.c for why
 * a CPU's thread never sleeps on it. */
struct klock {
    uint32_t word;          /* atomic: 0, 1 or 2, above */
    uintptr_t heir;         /* atomic: a CPU waiter that has waited too long and
                               takes the lock next (see klock.c), or 0 */
};
void klock_init(struct klock *l);
void klock_destroy(struct klock *l);
void klock_acquire_slow(struct klock *l, struct cpu *self);
void klock_wake(struct klock *l);

/* Acquire; while waiting, serve `self`'s shootdown requests (self may be NULL). */
static inline void klock_acquire(struct klock *l, struct cpu *self)
{
    uint32_t free_word = 0;
    if (__builtin_expect(__atomic_load_n(&l->heir, __ATOMIC_RELAXED) == 0 &&
                             __atomic_compare_exchange_n(&l->word, &free_word, 1, false,
                                                         __ATOMIC_ACQUIRE, __ATOMIC_RELAXED), 1))
        return;
    klock_acquire_slow(l, self);
}

static inline void klock_release(struct klock *l)
{
    if (__builtin_expect(__atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE) == 2, 0))
        klock_wake(l);
}

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
    VMA_SHARED = 1u << 2,   /* file: the page cache's frames, dirty pages written back */
    VMA_STACK  = 1u << 3,   /* grows down */
    VMA_NOHUGE = 1u << 4,
    VMA_HEAP   = 1u << 5,   /* the program break's region (kernel_brk) */
    VMA_EOF_SIGBUS = 1u << 6,  /* file: a page wholly past end of file is SIGBUS (Linux); else zeros */
};

struct vma {
    vaddr_t start, end;      /* page aligned, start < end */
    unsigned prot;           /* VM_PROT_READ|WRITE|EXEC (0: PROT_NONE) */
    unsigned flags;          /* VMA_* */
    int fd;                  /* VMA_FILE: our own descriptor, or -1 */
    uint64_t offset;         /* file offset of start (page aligned) */
    uint64_t file_bytes;     /* bytes of [start, end) backed by the file; the rest reads 0
                                (VMA_EOF_SIGBUS: UINT64_MAX, the file's size decides) */
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
/* Split the VMA containing `at` (not at its start) into [start, at) and
 * [at, end): the upper part gets the file offset that goes with it and a
 * descriptor of its own. 0 if no VMA straddles `at`, or -ENOMEM/-EMFILE. */
int vma_split(struct vma_set *s, vaddr_t at);
/* The file offset of va in file VMA v. */
static inline uint64_t vma_file_offset(const struct vma *v, vaddr_t va)
{
    return v->offset + (va - v->start);
}

/* ---- ABIs --------------------------------------------------------------------- */

/* The numbers of one ABI in this kernel (kernel.c computes them from the
 * configuration and the page-table format). */
struct abi {
    enum kernel_abi id;
    vaddr_t user_top;          /* user space is [0, user_top) */
    vaddr_t stack_top;         /* the stack ends here */
    uint64_t stack_cap;        /* maximum stack size */
    enum stack_rule stack_rule;
    uint64_t stack_guard_gap;  /* Linux rule */
    uint64_t stack_slack;      /* PintOS rule: faults at or above rsp - slack grow */
    vaddr_t mmap_base;         /* Linux: mappings are placed top-down below this */
};

#include "os/page.h"
#include "os/frame.h"

/* ---- processes ------------------------------------------------------------------ */

struct process {
    struct kernel *k;
    int pid;
    char name[32];
    const struct abi *abi;
    struct klock lock;         /* mm lock: VMAs, SPT structure, page tables' shape, brk;
                                  held by a whole fault */
    struct klock ptl;          /* page-table lock: leaf PTEs, page->u and PG_* flags */
    paddr_t root;
    uint16_t asid;             /* under k->asid_lock; 0 = none */
    cpumask_t may_cache;       /* CPUs that may hold translations under asid */
    cpumask_t running;         /* CPUs that have p loaded now */
    struct vma_set vmas;
    struct spt spt;
    vaddr_t rsp;               /* atomic */
    const uint64_t *rsp_src;   /* kernel_set_rsp_source: where the live rsp is, or NULL */
    vaddr_t heap_start, brk;   /* the program break: heap VMA is [heap_start, align_up(brk)) */
    int state;                 /* enum process_state, atomic */
    enum kill_reason kill_reason;
    char kill_msg[128];
    uint64_t pt_pages;         /* under lock */
    uint64_t resident;         /* atomic */
    uint64_t slots;            /* atomic: swap-slot references held */
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
    struct abi abi[2];         /* [enum kernel_abi] */
    bool linux_abi_ok;         /* the format can hold the Linux layout */
    struct pool kpool;         /* page tables */
    struct frame_table ft;
    struct swap_dev *swap;
    struct swpt *swpt;         /* software TLB refill: the structure (swpt.h); NULL: hardware */
    bool soft_refill;          /* the machine has no walker: TLB misses trap to us */
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
static inline uint64_t kpte_load(const struct kernel *k, paddr_t pa) { return pte_load_as(k->fmt, k->pm, pa); }
static inline void kpte_store(struct kernel *k, paddr_t pa, uint64_t v) { pte_store_as(k->fmt, k->pm, pa, v); }
static inline uint64_t kpte_exchange(struct kernel *k, paddr_t pa, uint64_t v)
{
    return pte_exchange_as(k->fmt, k->pm, pa, v);
}
static inline bool kpte_cas(struct kernel *k, paddr_t pa, uint64_t *expected, uint64_t v)
{
    return pte_cas_as(k->fmt, k->pm, pa, expected, v);   /* 4-byte entries on ia32 and Sv32 */
}
static inline uint64_t kpte_clear_bits(struct kernel *k, paddr_t pa, uint64_t bits)
{
    return pte_clear_bits_as(k->fmt, k->pm, pa, bits);
}
/* Address of va's entry in the level-`level` table at `table`, and the
 * number of entries in a table (512 8-byte entries; ia32 and sv32: 1024
 * 4-byte entries, one level covering 4 MiB). */
static inline paddr_t kpte_slot(const struct kernel *k, paddr_t table, vaddr_t va, unsigned level)
{
    return pt_fmt_entry(k->fmt, table, va, level);
}
static inline unsigned kpt_entries(const struct kernel *k)
{
    return pt_fmt_entries(k->fmt);
}
static inline paddr_t kpte_nth(const struct kernel *k, paddr_t table, unsigned i)
{
    return pt_fmt_nth(k->fmt, table, i);
}

/* mmu.c: page tables, PCIDs/ASIDs, invalidation. */
paddr_t mmu_table_alloc(struct kernel *k);
void mmu_table_free(struct kernel *k, paddr_t pa);
/* Leaf PTE address for va at `level`, creating tables (p->lock held); 0 if the
 * kernel pool is empty. */
paddr_t mmu_pte_create(struct process *p, vaddr_t va, unsigned level);
/* Leaf PTE address for va if the tables exist (any level-0 or huge leaf slot
 * at `level`), else 0. Lock-free: tables are freed only when no frame maps
 * into the process (exit, exec). */
paddr_t mmu_pte_lookup(const struct process *p, vaddr_t va, unsigned level);
/* Walks remembered: the tables that hold `level`'s entries for the spans
 * of addresses last asked about, a few at once (direct-mapped by span). A
 * run of lookups in address order -- fork and exit go through a process's
 * pages so, the SPT's buckets keeping neighbours together, a bucket's
 * chain interleaving a few regions -- then costs an entry address each,
 * not a walk from the root. One cursor serves one process and one caller;
 * like mmu_pte_lookup it stays valid until exit or exec frees the tables.
 * Zero-initialised: empty. */
#define PTE_CURSOR_WAYS 4
struct pte_cursor {
    struct pte_cursor_way {
        paddr_t table;         /* 0: none */
        vaddr_t span;          /* va >> the bits one table of `level` maps */
        unsigned level;
    } way[PTE_CURSOR_WAYS];
};
paddr_t mmu_pte_lookup_at(struct pte_cursor *c, const struct process *p, vaddr_t va,
                          unsigned level);
paddr_t mmu_pte_create_at(struct pte_cursor *c, struct process *p, vaddr_t va, unsigned level);
/* Free every table of p below its root (after every leaf has been cleared
 * and flushed); with keep_root the root stays (emptied), else it goes too. */
void mmu_free_tables(struct process *p, bool keep_root);
/* The leaf entry mapping frame pa for pg with rights prot (the user bit
 * added), accessed and dirty as given. */
static inline uint64_t mmu_leaf(const struct kernel *k, const struct page *pg, paddr_t pa,
                                unsigned prot, bool accessed, bool dirty)
{
    return k->fmt->make_leaf(page_level(pg), pa, prot | VM_PROT_USER, accessed, dirty, 0);
}
/* Invalidate [start, end) of p on every CPU that may cache it. */
void mmu_flush_range(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end);
void mmu_flush_page(struct process *p, struct cpu *self, vaddr_t va);
void mmu_flush_all(struct process *p, struct cpu *self);
/* The same on self alone (a software-refill trap's stale entry). */
void mmu_flush_self(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end);
/* The same on every CPU but self: for a fault that self took on the range,
 * whose entries for the address the CPU dropped itself (SDM 4.10.4.1). */
void mmu_flush_others(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end);
/* Release p's ASID (flushing it everywhere). */
void mmu_release_asid(struct process *p, struct cpu *self);

/* ---- faults (fault.c) --------------------------------------------------------------- */

/* One fault being handled: what find-and-check established, handed to the
 * page kind's handler. */
struct fault {
    struct process *p;
    struct cpu *cpu;
    vaddr_t addr;              /* the faulting address */
    vaddr_t va;                /* its page (a huge page's: the 2 MiB base) */
    enum vm_access acc;
    bool pin;                  /* pin the frame before returning (kernel_pin) */
    struct vma *vma;           /* the covering VMA, or NULL (a page of its own) */
    unsigned prot;             /* the rights the page is mapped with */
    struct page *pg;           /* the SPT entry */
    paddr_t pte_pa;            /* the leaf entry's address, once a claim has made the tables
                                  (or handle_page found a write-protected one) */
    uint32_t frame;            /* the page's frame as handle_page saw it, FRAME_NONE if not
                                  resident: a hint, the frame table has the last word */
    bool new_huge;             /* pg was just created as a huge page */
    bool no_huge;              /* a huge allocation fell back: 4 KiB pages only */
    bool retry;                /* out: handle the fault again (after a wait step unless
                                  retry_now) */
    bool retry_now;
    bool hw;                   /* the CPU took this fault (it dropped its own entries for
                                  addr); false for kernel_pin's faults */
    bool cpu_fault;            /* a CPU's page fault, its pgfault counted on entry (the
                                  hardware trap, a software refill's miss); false for a
                                  system call's copy */
};
/* A fault handled, counted as Linux's mm_account_fault does: minor or
 * major; and a system call's copy (not a CPU's fault, whose pgfault the
 * trap vector counted on entry) counts its pgfault here, as the fault the
 * copy would take on Linux. */
static inline void fault_account(const struct fault *f, bool major)
{
    count(f->p, major ? VMSTAT_PGMAJFAULT : VMSTAT_PGMINFAULT, 1);
    if (!f->cpu_fault)
        count(f->p, VMSTAT_PGFAULT, 1);
}

enum fault_action kernel_fault_handler(struct cpu *cpu, const struct vm_fault *f, void *arg);
/* Make va of p resident as an access `acc` would (p->lock not held): checks
 * rights, grows the stack (va itself is compared with rsp - slack), breaks
 * copy-on-write for a write, claims and fills a frame. With pin, the frame is
 * also pinned. cpu_fault: a CPU's fault whose pgfault the caller counted (a
 * software refill's), else a system call's copy. KILL_NONE, or the kill
 * reason (the caller kills). */
enum kill_reason fault_in(struct process *p, struct cpu *cpu, vaddr_t va, enum vm_access acc,
                          bool pin, bool cpu_fault);
/* The generic claim (vm_do_claim_page) of a 4 KiB page: a frame, its
 * contents by the kind's fill, the PTE, the frame table. */
enum kill_reason claim_frame(struct fault *f);
/* Map frame i (busy, filled) for f's page and give it to the frame table;
 * counts the fault minor or major. */
void fault_map_frame(struct fault *f, uint32_t i, bool major);
/* A copy-on-write fault (cow.c): a write to a present, write-protected
 * page of a writable mapping. */
enum kill_reason cow_fault(struct fault *f);

void process_kill(struct process *p, enum kill_reason r, vaddr_t addr);
void process_kill_access(struct process *p, enum kill_reason r, vaddr_t addr, enum vm_access acc);
bool process_killed(const struct process *p);
/* The user stack pointer the stack rule compares with: the source's, if
 * kernel_set_rsp_source gave one, else kernel_set_rsp's value. */
vaddr_t process_rsp(const struct process *p);

/* ---- file pages (fileio.c): the one place vmlab reads and writes them ------------- */

/* Fill a 4 KiB frame from file fd: n bytes at off, zeros after (a file that
 * shrank reads as zeros). KILL_NONE or KILL_FILE_IO_ERROR. */
enum kill_reason file_page_read(int fd, void *kva, uint64_t n, uint64_t off);
/* Write n bytes of a frame back at off; 0 or -errno. */
int file_page_write(int fd, const void *kva, uint64_t n, uint64_t off);
/* How many bytes of v's page at va come from its file (the rest reads
 * zero); *past_eof if the page lies wholly past end of file and v raises
 * SIGBUS for that. */
uint64_t file_page_bytes(const struct vma *v, vaddr_t va, bool *past_eof);
/* Write back a dirty file page of mapping v at va from kva, counting it
 * (file_writeback, or file_writeback_errors) against p. 0 or -errno. */
int file_page_writeback(struct process *p, const struct vma *v, vaddr_t va, const void *kva);

/* ---- releasing pages (release.c): munmap, madvise, exit, exec ---------------------- */

/* Linux's mmu_gather: pages are taken out of the address space (PTEs
 * cleared, not flushed) into a gather; one flush for the range; then the
 * frames are freed and dirty shared file pages written back. */
struct gathered;
struct gather {
    struct gathered *v;
    size_t n, cap;
    struct cpu *self;
    struct pte_cursor pte;     /* the pages' PTEs, found in address order */
};
/* Take pg out of p: its frame (PTE cleared, into g), its slots, its SPT
 * entry. mm lock held. release_pages does n of them, in batches (the
 * array is not the SPT's own walk). */
void release_page(struct process *p, struct page *pg, struct gather *g);
void release_pages(struct process *p, struct page **pages, size_t n, struct gather *g);
/* Release every page in [start, end) (a huge page straddling an end is
 * released whole only if wholly inside; callers split them first). */
void release_range(struct process *p, vaddr_t start, vaddr_t end, struct gather *g);
/* After the flush: free every gathered frame. */
void gather_finish(struct process *p, struct gather *g);

/* ---- fork (fork.c, cow.c) ---------------------------------------------------------- */

#define FORK_BATCH 64
struct fork_item {
    struct page *pg, *cp;      /* the parent's page, the child's */
    uint32_t frame, slot;
    paddr_t cpte;              /* the child's PTE */
    unsigned prot;
    uint64_t flags;
    bool fast, gone, mapped;
};
struct fork_ctx {
    struct process *parent, *child;
    struct cpu *self;
    unsigned n;                /* resident private pages waiting to be shared (cow.c) */
    struct fork_item b[FORK_BATCH];
    struct pte_cursor ppte, cpte;   /* the parent's and the child's PTEs, in address order */
};
/* A page of the child's, at the parent page's address, kind and flags
 * (flags masked by keep), inserted into its SPT. NULL: out of memory. */
struct page *fork_child_page(struct fork_ctx *x, const struct page *pg, uint64_t keep);
/* The fork operation of the private kinds (anon, file, huge): share. The
 * resident pages are shared in batches; cow_fork_flush does what is left. */
int cow_fork_page(struct fork_ctx *x, struct page *pg);
int cow_fork_flush(struct fork_ctx *x);

/* ---- huge pages (thp.c) ---------------------------------------------------------- */

/* A write to huge page f->pg whose frame i (pinned) is shared and no free
 * 2 MiB run exists for a copy: replace f->pg by 512 private 4 KiB copies
 * (the frame stays with its other mappers, unpinned). */
enum kill_reason thp_unshare(struct fault *f, uint32_t i);
/* Split the huge page covering va, if any, into 512 small pages before an
 * operation on part of it (munmap, mprotect, madvise): a resident frame of
 * its own is split in place (the small pages keep its frames, one level-0
 * table replaces the huge leaf), a shared one is copied, a swapped-out one
 * keeps its slots page by page. mm lock held. 0 or -ENOMEM. */
int thp_split_at(struct process *p, struct cpu *self, vaddr_t va);

/* ---- odds and ends -------------------------------------------------------------------- */

/* process.c: insert n VMAs, all or none (-EEXIST on any overlap). */
int process_insert_vmas(struct process *p, const struct vma *v, unsigned n);
/* Is [start, end) free of VMAs and of pages of their own? mm lock held. */
bool range_taken(struct process *p, vaddr_t start, vaddr_t end);
/* Check an address range for the map calls: 0 or -EINVAL. */
int check_range(struct process *p, vaddr_t addr, uint64_t len, bool zero_ok);
/* The user top of p's ABI. */
static inline vaddr_t user_top(const struct process *p)
{
    return p->abi->user_top;
}
/* process.c: every page, VMA and descriptor of p (mm lock held), with one
 * flush of its PCID/ASID (given back with release_asid: exit). */
void process_release_all(struct process *p, struct cpu *self, bool release_asid);
/* page.c: drop (put) or add (get) one reference of p's to a swap slot. */
void slot_put(struct process *p, uint32_t slot);
void slot_get(struct process *p, uint32_t slot);
/* The destroy of kinds whose only extra is a slot: drop it. */
void page_destroy_slot(struct process *p, struct page *pg);
/* anon.c: anonymous and private file pages at eviction -- a dirty frame
 * goes to swap (into the slot its mappers record, if they own it alone), a
 * clean one is dropped; and, per mapper, the slot it lives in now. */
enum evict_result swap_write_out(struct evict *e);
void swap_evicted(struct evict *e, struct page *pg);
/* file.c: fill a frame from a file page of v (private or shared); a page
 * wholly past end of file is SIGBUS where v says so. */
enum kill_reason file_fill(struct process *p, struct page *pg, const struct vma *v, void *kva,
                           bool *major);

#endif
