/* tlb_impl.h — one CPU's TLB hierarchy and page-walk caches.
 *
 * Not thread-safe: a CPU's TLBs are touched only by the thread driving the
 * CPU, or by a shootdown sender acting for an idle CPU (see cpu.c).
 */
#ifndef VMLAB_HW_TLB_IMPL_H
#define VMLAB_HW_TLB_IMPL_H

#include <vmlab/tlb.h>

/* tlb_entry.flags */
enum {
    TLBE_VALID  = 1u << 0,
    TLBE_GLOBAL = 1u << 1,
    TLBE_DIRTY  = 1u << 2,   /* leaf D was 1 when cached: writes need no walk */
};

struct tlb_entry {
    uint64_t vpn;            /* va >> page shift of the entry's size */
    paddr_t base;            /* physical base of the page */
    uint16_t asid;
    uint8_t size;            /* TLB size number: 0: 4 KiB, 1: 2 MiB, 2: 1 GiB, 3: 4 MiB */
    uint8_t prot;            /* VM_PROT_* combined over the walk */
    uint8_t flags;
    uint8_t page_shift;      /* log2 of the page the walk found (larger than the entry's
                                size when splintered) */
    uint8_t pkey;            /* x86 protection key */
};

static inline unsigned tlb_entry_shift(const struct tlb_entry *e) { return tlb_size_shift[e->size]; }

/* An entry's use, kept beside the array rather than in the entry: an LRU
 * fill compares every way's stamp, and a 16-way set's stamps then lie in
 * two cache lines instead of eight (the entries are 24 bytes). A CPU's
 * access memo points at its entry's use: the seq it checks, the stamp a
 * hit writes. */
struct tlb_use {
    uint32_t stamp;          /* LRU: last use (see tlb_touch) */
    uint32_t seq;            /* tlb.seq when filled: lets a CPU's access memo
                                tell that the slot it points to was refilled */
};

/* key[i] is entry i's (vpn << 2 | size), or TLB_NOKEY if it is invalid: a
 * probe compares one dense word per way (a 16-way set: two cache lines)
 * and reads the entry only on a match. nsize[s] counts the valid entries
 * of size s, so a probe skips the sizes the array holds none of. Both are
 * kept by tlb.c wherever an entry is filled or dropped. */
#define TLB_NOKEY UINT64_MAX
static inline uint64_t tlb_key(uint64_t vpn, unsigned size) { return vpn << 2 | size; }

/* The index of a fully associative array (one set): a probe or a fill
 * finds a page's ways through a hash of its key instead of comparing every
 * entry, and a full array's LRU victim comes from a lazy heap instead of a
 * scan of every stamp.
 *  - head[hash(key)] starts a chain of the valid ways with keys of that
 *    hash, linked by next[way]; -1 ends a chain. Chains are unordered:
 *    a probe walks its whole chain and keeps the lowest matching way, as
 *    the scan it replaces would.
 *  - free has one bit per invalid way: the lowest is the fill's choice.
 *  - heap is a min-heap of (stamp << 32 | way) taken at some moment (LRU
 *    only). A record is current while the way is valid and still has that
 *    stamp. Every valid way not touched since the heap was built has a
 *    current record, and ways touched since have larger stamps than all
 *    records, so the least recent way is the smallest current record
 *    (stale ones are popped and dropped on the way); when none is left the
 *    heap is rebuilt from the array. Touches (including
 *    the CPU's memo fast path) only write stamps, so they need no hook;
 *    renumbering empties the heap. */
struct tlb_fa_index {
    unsigned shift;          /* 64 - log2(buckets): a hash keeps the top bits */
    uint32_t built;          /* the array's clock when the heap was built */
    int32_t *head;           /* [buckets] */
    int32_t *next;           /* [ways] */
    uint64_t *free;          /* [(ways + 63) / 64] */
    uint64_t *heap;          /* [ways] */
    unsigned nheap;
};

struct tlb_array_state {
    unsigned nsets, ways, sizes;
    bool pow2;               /* nsets is a power of two: index with a mask */
    uint32_t clock;          /* LRU stamp source */
    unsigned nsplinter;      /* valid entries holding a piece of a larger page */
    unsigned nsize[TLB_NSIZES]; /* valid entries of each size */
    struct tlb_entry *e;     /* nsets * ways */
    struct tlb_use *use;     /* nsets * ways: e[i]'s is use[i] */
    uint64_t *key;           /* nsets * ways, see above */
    uint64_t *plru;          /* one tree per set (ways - 1 bits) */
    struct tlb_fa_index *fa; /* fully associative arrays (nsets == 1), else NULL */
};

struct tlb_level_state {
    uint8_t n;               /* arrays (up to TLB_MAX_ARRAYS) */
    uint8_t sizes;           /* TLB_* sizes any of its arrays holds */
    uint8_t first[TLB_NSIZES]; /* for each size it holds, the first array holding it */
    struct tlb_array_state a[TLB_MAX_ARRAYS];
};

struct pwc_entry {
    uint64_t tag;            /* va >> pt_fmt_shift(fmt, level) */
    paddr_t next;            /* table the cached entry points to */
    uint32_t stamp;
    uint16_t asid;
    uint8_t prot;
    bool valid, global;
};

/* key[i] is entry i's (tag << 16 | asid), or PWC_NOKEY if it is invalid: a
 * probe compares one dense word per entry (32 entries: four cache lines)
 * instead of striding over the 32-byte entries. A (tag, asid) is held by
 * at most one entry of a level. The entries follow the keys in one
 * allocation (pwc_entries); the state keeps its 16 bytes, so struct cpu's
 * hot fields keep their places.
 *
 * `last` is the entry last found, filled or dropped, compared before the
 * rest: walks of neighbouring pages ask for the same entry, and a page
 * fault's flush and the refill after it for the one the faulting walk
 * found (the refill takes the entry the flush freed). */
#define PWC_NOKEY UINT64_MAX
struct pwc_state {
    uint16_t n;              /* entries (at most 4096, tlb_config_check) */
    uint16_t last;           /* < n */
    uint32_t clock;
    uint64_t *key;           /* key[n], then struct pwc_entry e[n] */
};

static inline struct pwc_entry *pwc_entries(const struct pwc_state *p)
{
    return (struct pwc_entry *)(void *)(p->key + p->n);
}

struct tlb {
    struct tlb_level_state l1i, l1d, l2;
    struct pwc_state pwc[5];
    enum tlb_repl repl;
    uint64_t rng;
    uint32_t seq;            /* fill counter, never 0 for a filled entry */
    bool seq_wrapped;        /* seq went round: entry seqs may repeat */
    bool observed;           /* the CPU this TLB belongs to has an observer (observe.h):
                                fills are told through tlb_observe (a flag in what was
                                padding, so that the CPU's hot fields keep their places) */
};

/* Tell the observer of the CPU whose struct tlb t is (observe.c). */
struct vm_event;
void tlb_observe(struct tlb *t, struct vm_event *ev);

/* Where a lookup hit: the array, set and way of the entry. */
struct tlb_where {
    struct tlb_array_state *a;
    unsigned set, way;
};

static inline struct tlb_use *tlb_use_at(const struct tlb_where *w)
{
    return &w->a->use[w->set * w->a->ways + w->way];
}

/* LRU stamps are 32-bit; before the clock would pass this, the array's
 * stamps are renumbered 1..ways within each set (order kept), so plain
 * comparisons stay exact however long a run is. */
#define TLB_CLOCK_LIMIT 0x7fffffffu
void tlb_renumber(struct tlb_array_state *a);
void tlb_plru_touch(uint64_t *tree, unsigned ways, unsigned way);
/* Check a fully associative array's index against its entries; returns 0
 * if it agrees, else a negative code naming the first disagreement (for
 * tests). Arrays without an index always agree. */
int tlb_fa_check(const struct tlb_array_state *a);

/* Record a use of the entry at (set, way) for replacement, exactly as a
 * probe that hits it does. */
static inline void tlb_touch(struct tlb *t, struct tlb_array_state *a, unsigned set, unsigned way)
{
    if (t->repl == TLB_REPL_LRU) {
        if (__builtin_expect(a->clock >= TLB_CLOCK_LIMIT, 0))
            tlb_renumber(a);
        a->use[set * a->ways + way].stamp = ++a->clock;
    } else if (t->repl == TLB_REPL_PLRU) {
        tlb_plru_touch(&a->plru[set], a->ways, way);
    }
}

/* The same, for a caller that already holds the use u of (set, way). */
static inline void tlb_touch_use(struct tlb *t, struct tlb_array_state *a, struct tlb_use *u,
                                 unsigned set, unsigned way)
{
    if (__builtin_expect(t->repl == TLB_REPL_LRU && a->clock < TLB_CLOCK_LIMIT, 1))
        u->stamp = ++a->clock;
    else
        tlb_touch(t, a, set, way);
}

/* What a walk found, for filling the TLBs. */
struct tlb_fill {
    vaddr_t va;
    paddr_t page_base;
    unsigned page_shift;     /* log2 of the page size (RISC-V 512G/256T pages are stored as
                                1G pieces, see tlb_level_piece) */
    unsigned sizes;          /* TLB sizes a piece may have: the format's (0: any) */
    unsigned prot;
    bool global, dirty;
    uint16_t asid;
    uint8_t pkey;
    bool absent;             /* the caller has just probed the level for va under
                                asid and missed: no entry to refresh, skip the search */
};

/* The size a page of 1 << page_shift bytes is stored at in arrays holding
 * `held` (TLB_* bits): the largest held and allowed size (allowed 0: any)
 * no larger than the page; -1 if none. */
static inline int tlb_piece_size(unsigned held, unsigned page_shift, unsigned allowed)
{
    static const unsigned char by_shift[TLB_NSIZES] = {2, 3, 1, 0};   /* 1G, 4M, 2M, 4K */
    if (allowed)
        held &= allowed;
    if (page_shift == 12)                          /* the common case: a 4 KiB page */
        return held & TLB_4K ? 0 : -1;
    for (unsigned i = 0; i < TLB_NSIZES; i++) {
        unsigned s = by_shift[i];
        if ((held & (1u << s)) && tlb_size_shift[s] <= page_shift)
            return (int)s;
    }
    return -1;
}

/* Which entries an invalidation removes. */
struct tlb_filter {
    bool by_va;      vaddr_t va;        /* only entries covering va */
    bool by_asid;    uint16_t asid;     /* only entries of this ASID (globals: see below) */
    bool keep_global;                   /* never remove global entries */
    bool or_global;                     /* by_asid, but global entries of any ASID match too (INVLPG) */
};

int tlb_init(struct tlb *t, const struct tlb_config *cfg);
void tlb_free(struct tlb *t);

/* Probe a level for va under asid (global entries match any asid); the
 * hit is touched for replacement. *where (if not NULL) says where it is. */
struct tlb_entry *tlb_lookup(struct tlb *t, struct tlb_level_state *lv, vaddr_t va, uint16_t asid,
                             struct tlb_where *where);
/* Fill a level with a translation (refreshing the page's entry in place if
 * there is one). Returns the entry written, and where it is in *where (if
 * not NULL); NULL if the level has no array. */
struct tlb_entry *tlb_insert(struct tlb *t, struct tlb_level_state *lv, const struct tlb_fill *f,
                             struct tlb_where *where);
/* Remove matching entries from every level (or one); returns how many. */
unsigned tlb_flush(struct tlb *t, const struct tlb_filter *flt);
unsigned tlb_flush_level(struct tlb_level_state *lv, const struct tlb_filter *flt);

/* Software-written entries (the software-refilled TLB, tlb_write.c). A
 * level's slots are numbered array by array, set by set, way by way. */
unsigned tlb_level_entries(const struct tlb_level_state *lv);
/* Where slot `index` is; false if out of range. And back. */
bool tlb_slot(struct tlb_level_state *lv, unsigned index, struct tlb_where *w);
unsigned tlb_slot_index(const struct tlb_level_state *lv, const struct tlb_where *w);
/* The entry translating va under asid (or a global one), without touching
 * replacement state; NULL if none. */
struct tlb_entry *tlb_probe(struct tlb_level_state *lv, vaddr_t va, uint16_t asid, struct tlb_where *w);
/* Write f's page at slot w exactly (touched for replacement): -1 if the
 * array holds no size for it, it maps to another set, or another entry of
 * the set already matches it. */
int tlb_write_at(struct tlb *t, const struct tlb_where *w, const struct tlb_fill *f);
/* Empty slot w. */
void tlb_clear_at(const struct tlb_where *w);
/* Rewrite in place, without a replacement touch, the level's entry of f's
 * page (of f->asid or global) if it has one: the micro-TLB copy of an
 * entry software rewrote. Returns 0 or 1. */
unsigned tlb_update_copies(struct tlb *t, struct tlb_level_state *lv, const struct tlb_fill *f);

/* Page-walk caches: the deepest cached level L (1..4, below the format's
 * root) whose entry covers va, or 0 if none. A level-L entry is tagged with
 * va >> pt_fmt_shift(fmt, L). */
struct pwc_entry *pwc_lookup(struct tlb *t, const struct pt_format *fmt, vaddr_t va, uint16_t asid,
                             unsigned *level);
/* Cache the level-`level` entry for va under asid, refreshing the entry
 * already holding it, else in a free entry, else the least recent one's.
 * `absent`: the caller has just looked va up under asid (pwc_lookup) and
 * missed at this level, so there is nothing to refresh: a walk fills only
 * the levels below its start, all of which the lookup probed. */
void pwc_insert(struct tlb *t, const struct pt_format *fmt, unsigned level, vaddr_t va,
                uint16_t asid, paddr_t next, unsigned prot, bool global, bool absent);
/* Check every array's and page-walk cache's keys against their entries,
 * and that nothing is held twice: no (page, ASID) twice in a TLB set (nor
 * two global entries of a page), no (tag, ASID) twice in a
 * page-walk cache. 0 if so, else a negative code naming where: -1/-2 the
 * L1 ITLB (keys / twice), -3/-4 the L1 DTLB, -5/-6 the L2, -(2L+6)/-(2L+7)
 * page-walk-cache level L (for tests). */
int tlb_check(const struct tlb *t);
/* Drop page-walk-cache entries: of one ASID, or all (all_asids). */
unsigned pwc_flush(struct tlb *t, bool all_asids, uint16_t asid);
/* Drop only the entries of `asid` that a walk of va would use. */
unsigned pwc_flush_va(struct tlb *t, const struct pt_format *fmt, uint16_t asid, vaddr_t va);

#endif
