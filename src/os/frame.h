/* frame.h — the frame table, the reverse map, the page cache, the policies.
 *
 * Every user-pool frame has a struct frame and a state word (frame.c). A
 * frame's reverse map is the page it holds, or, when several pages map it,
 * a struct rmap listing them all: a frame shared copy-on-write by fork
 * (rmap.c), or a page-cache frame shared by every shared mapping of one
 * file page (pagecache.c, which keeps its rmap even with one mapper: the
 * rmap is also the cache's entry). Everything here is under the
 * frame-table lock (ft->lock), except what a busy frame's owner reads.
 */
#ifndef VMLAB_OS_FRAME_H
#define VMLAB_OS_FRAME_H

#include "os/page.h"

struct kernel;
struct cpu;

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
    struct page *page;        /* the page it holds, or NULL; with the low bit set, the
                                 struct rmap of its several mappers (frame_rmap) */
    uint32_t prev, next;      /* policy list (a ring), FRAME_NONE when off it */
};

/* The reverse map of a frame with several mappers. While its frame is busy
 * (being evicted or freed) the mapper list does not change, and the busy
 * frame's owner reads it without the lock. */
struct rmap {                  /* 64 bytes: one cache line */
    struct rmap *hash_next;    /* page cache: hash chain; otherwise the free list */
    struct page **map;         /* map[0..n): every page mapping the frame; inline until more
                                  come than fit */
    uint32_t frame;            /* FRAME_NONE while a page-cache fill is in progress */
    uint32_t n, cap;
    uint32_t releasing : 30;   /* mappers gone whose PTE flush is still pending (pinned) */
    uint32_t dirty : 1;        /* page cache: differs from the file (a mapper's D reached it) */
    uint32_t cached : 1;       /* a page-cache entry (hashed, stays even with one mapper) */
    union {
        struct {               /* a page-cache entry: its key and first mapper */
            uint64_t dev, ino, pgoff;
            struct page *one;
        };
        struct page *inl[4];   /* a copy-on-write share: its first four mappers (no malloc
                                  for the common parent-and-child case) */
    };
};

struct page_cache {
    struct rmap **buckets;
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
    int opt_ties;             /* enum kernel_opt_ties */
    bool refs_seen;           /* the front end reports references (kernel_note_access) */
    kernel_oracle_fn oracle;
    void *oracle_arg;
    struct page_cache pc;     /* under lock too */
    void **rmap_chunks;       /* the rmap slab (rmap.c) */
    unsigned rmap_nchunks, rmap_cap;
    unsigned rmap_hint;       /* chunks below it have no free rmap */
    uint64_t rmaps;           /* rmaps in use */
};

static inline paddr_t frame_pa(const struct frame_table *ft, uint32_t i)
{
    return (ft->pool.base + i) << VM_PAGE_SHIFT;
}

static inline struct rmap *frame_rmap(const struct frame_table *ft, uint32_t i)
{
    uintptr_t v = (uintptr_t)ft->f[i].page;
    return (v & 1u) ? (struct rmap *)(v & ~(uintptr_t)1) : NULL;
}
static inline void frame_set_rmap(struct frame_table *ft, uint32_t i, struct rmap *rm)
{
    ft->f[i].page = (struct page *)((uintptr_t)rm | 1u);
}
/* The mappers of frame i: count, and *map set to the array. */
static inline uint32_t frame_mappers(const struct frame_table *ft, uint32_t i,
                                     struct page *const **map)
{
    struct rmap *rm = frame_rmap(ft, i);
    if (rm) {
        *map = rm->map;
        return rm->n;
    }
    *map = &ft->f[i].page;
    return ft->f[i].page != NULL;
}
/* How many mappings use frame i, counting mappers that left but whose
 * flush is pending (Linux's mapcount). */
static inline uint32_t frame_mapcount(const struct frame_table *ft, uint32_t i)
{
    struct rmap *rm = frame_rmap(ft, i);
    return rm ? rm->n + rm->releasing : ft->f[i].page != NULL;
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
    /* What the policy keeps, for tools (kernel_inspect_frames, observe.h):
     * the names of the rings its frames are on (the main ring, and the
     * second ring or NULL), whether it sweeps the hand, and the per-frame
     * state mark() gives (NULL: none). */
    const char *lists[2];
    bool hand;
    const char *mark_name;
    unsigned (*mark)(const struct frame_table *ft, uint32_t i);
};
const struct policy *policy_by_name(const char *name);

/* Ring-list primitives (frame.c). */
void ft_list_insert_before(struct frame_table *ft, uint32_t i, uint32_t pos);
void ft_list_insert_tail(struct frame_table *ft, uint32_t i);
void ft_list_remove(struct frame_table *ft, uint32_t i);
/* Read and clear the accessed bit of every mapping of frame i (flushing if
 * asked); true if any was set (Linux's folio_referenced). */
bool ft_test_clear_young(struct kernel *k, struct cpu *self, uint32_t i, bool flush);
bool ft_young(struct kernel *k, uint32_t i);
/* Does frame i map pg? */
bool ft_maps(const struct frame_table *ft, uint32_t i, const struct page *pg);

int frame_table_init(struct frame_table *ft, uint64_t base, uint64_t n, const struct policy *pol,
                     uint64_t seed);
void frame_table_destroy(struct frame_table *ft);

enum frame_alloc_err { FA_OK, FA_SWAP_FULL, FA_NO_FRAME, FA_IO_ERROR /* pages could not be written out */ };
/* A frame, busy and unlisted, evicting if the pool is empty. FRAME_NONE
 * and *why on failure. */
uint32_t frame_alloc(struct kernel *k, struct cpu *self, enum frame_alloc_err *why);
/* The kill reason for a failed frame_alloc. */
enum kill_reason frame_alloc_kill(enum frame_alloc_err why);
/* 512 contiguous aligned frames (head index; busy, tails marked), without
 * evicting; FRAME_NONE if the pool has no such run. */
uint32_t frame_alloc_huge(struct kernel *k, struct cpu *self);
/* A free frame, busy and unlisted, taken from the pool under ft->lock
 * (held); FRAME_NONE if the pool is empty (frame_alloc evicts). */
uint32_t frame_take_free_locked(struct frame_table *ft);
/* Copy len bytes (whole pages) from physical address src to dst, asking
 * the host for each line (source and destination) a few lines before the
 * copy reaches it. A copy-on-write reads a frame nobody has touched for a
 * while, and the host's own prefetcher starts each page late: this copy
 * makes a COW fault 5-7% faster than memcpy did (both timed in one
 * process, slice by slice). frame_copy_start asks for the first lines
 * early, for a caller with other work to do before the copy (2-3% more). */
void frame_copy_start(struct kernel *k, paddr_t src);
void frame_copy(struct kernel *k, paddr_t dst, paddr_t src, uint64_t len);
/* Give frame i to page pg: bind, list (the policy decides where), clear busy. */
void frame_install(struct kernel *k, struct cpu *self, uint32_t i, struct page *pg);
void frame_install_locked(struct frame_table *ft, uint32_t i, struct page *pg);
/* Pin or unpin frame i (nesting); ft->lock held. A pinned frame stays
 * listed but no policy takes it. */
void frame_pin_locked(struct frame_table *ft, uint32_t i);
void frame_unpin_locked(struct frame_table *ft, uint32_t i);
void frame_unpin(struct kernel *k, struct cpu *self, uint32_t i);
/* pg's frame once no eviction is in flight on it (waiting with kwait), or
 * FRAME_NONE if pg is not resident. An eviction may start right after:
 * callers check under ft->lock that the frame still holds pg. */
uint32_t page_settled_frame(struct process *p, struct cpu *self, struct page *pg);
/* The same, returned with ft->lock held once the frame still maps pg and
 * is in none of wait_states (FS_BUSY, FS_RECLAIM), waiting with kwait
 * meanwhile; FRAME_NONE (lock not held) if pg is not resident. seen is
 * the frame the caller last saw pg in under the ptl (FRAME_NONE: none),
 * tried first: only the frame table's own check can say it still holds
 * pg, and that check is made either way. */
uint32_t frame_lock_settled(struct process *p, struct cpu *self, struct page *pg, uint32_t seen,
                            uint32_t wait_states);
/* pg's settled frame, pinned (FRAME_NONE: not resident). */
uint32_t frame_pin_settled(struct process *p, struct cpu *self, struct page *pg);
/* Take frame i off the policy's list, drop its pins and make it busy:
 * the caller owns it now (to free it). ft->lock held. */
void frame_take_locked(struct frame_table *ft, uint32_t i);
/* Return a busy frame (huge: the whole run) to the pool. */
void frame_free(struct kernel *k, struct cpu *self, uint32_t i, bool huge);

/* One frame being evicted (evict.c), as the page kinds' write_out and
 * evicted operations see it. While the frame is busy its mappers do not
 * change. */
struct evict {
    struct kernel *k;
    struct cpu *self;
    uint32_t frame;
    char *kva;                 /* the frame's contents (a huge page's whole 2 MiB) */
    struct page *const *map;   /* its mappers (several if shared) */
    uint32_t n;
    struct rmap *rm;           /* NULL: a one-page frame */
    struct process *q;         /* the first mapper's owner: the counts go there */
    struct vma v;              /* the first mapper's VMA (a file VMA's descriptor stays open:
                                  its unmap waits for PG_EVICTING) */
    bool has_vma;
    bool dirty;                /* the contents differ from the backing copy */
    /* what write_out did, for evicted */
    bool wrote;                /* the contents went to swap */
    bool reuse;                /* ... into the slot the mappers already record */
    uint32_t slot;
    uint32_t given;            /* mappers that took their reference to slot / hs */
    struct huge_swap *hs;
    void *scratch;             /* write_out's, freed by evict_frame */
};

/* evict.c: evict busy, unlisted frame i (the policy's victim): every
 * mapping cleared and shot down, the contents written out by the page
 * kind, every mapper told where its page lives now. */
enum evict_result evict_frame(struct kernel *k, struct cpu *self, uint32_t i);
/* Swap is full: take back one slot that only holds a swap-cache copy of a
 * resident page. true if one was freed. */
bool reclaim_swap_cache(struct kernel *k, struct cpu *self);

/* rmap.c: frames with several mappers. ft->lock held unless said. */
struct rmap *rmap_alloc(struct frame_table *ft);
void rmap_release(struct frame_table *ft, struct rmap *rm);
void rmap_destroy_all(struct frame_table *ft);   /* the slab, at kernel_destroy */
/* Add pg as a mapper of frame i (making it an rmap frame if it had one
 * page); false if out of memory. */
bool rmap_add(struct frame_table *ft, uint32_t i, struct page *pg);
/* pg (whose PTE no longer maps frame i) stops mapping it. A copy-on-write
 * frame left with one mapper and nothing releasing becomes a one-page frame
 * again; one left with none (the others left meanwhile) becomes the
 * caller's, busy, to free: then true. */
bool rmap_leave(struct frame_table *ft, uint32_t i, struct page *pg);
/* Take pg off rm's list (nothing else). */
void rmap_unlink(struct rmap *rm, const struct page *pg);
/* Unmap/exit/exec of page pg (p->lock held, ft->lock not): take it off its
 * frame and clear its PTE (not flushed: the caller batches). A one-page
 * frame becomes the caller's (busy) to free after the flush; from an rmap
 * frame pg leaves the reverse map and the frame stays pinned until
 * rmap_unmap_finish (*rmapped). false if pg is not resident (it waits out
 * an eviction first). *frame, *dirty (the PTE's D). */
bool frame_unmap_page(struct process *p, struct cpu *self, struct page *pg, uint32_t *frame,
                      bool *dirty, bool *rmapped);
/* After the flush of a frame_unmap_page of an rmap frame: fold dirty in and unpin. true if
 * that was the last mapping: the frame is then busy (a page-cache frame
 * still hashed, so new faults wait) and *writeback says whether it must be
 * written to its file before rmap_drop. */
bool rmap_unmap_finish(struct kernel *k, struct cpu *self, uint32_t frame, bool dirty,
                       bool *writeback);
/* Free the last mapping's frame (huge: the whole run) and its rmap
 * (unhashing a page-cache entry). */
void rmap_drop(struct kernel *k, struct cpu *self, uint32_t frame, bool huge);

/* pagecache.c. The table itself: */
int pc_init(struct page_cache *pc);
void pc_destroy(struct page_cache *pc);
struct rmap *pc_find(const struct page_cache *pc, uint64_t dev, uint64_t ino, uint64_t pgoff);
/* A fresh rmap (rmap_alloc) made a page-cache entry for (dev, ino, pgoff). */
void pc_entry_init(struct rmap *e, uint64_t dev, uint64_t ino, uint64_t pgoff);
void pc_insert(struct page_cache *pc, struct rmap *e);
/* Unhash e and free it (its frame's reverse map is the caller's). */
void pc_remove(struct frame_table *ft, struct rmap *e);

#endif
