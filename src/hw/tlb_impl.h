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
    uint32_t stamp;          /* LRU: last use */
    uint16_t asid;
    uint8_t size;            /* 0: 4 KiB, 1: 2 MiB, 2: 1 GiB */
    uint8_t prot;            /* VM_PROT_* combined over the walk */
    uint8_t flags;
    uint8_t page_level;      /* level of the page the walk found (>= size when splintered) */
    uint8_t pkey;            /* x86 protection key */
};

struct tlb_array_state {
    unsigned nsets, ways, sizes;
    bool pow2;               /* nsets is a power of two: index with a mask */
    uint32_t clock;          /* LRU stamp source */
    struct tlb_entry *e;     /* nsets * ways */
    uint64_t *plru;          /* one tree per set (ways - 1 bits) */
};

struct tlb_level_state {
    unsigned n;
    struct tlb_array_state a[TLB_MAX_ARRAYS];
};

struct pwc_entry {
    uint64_t tag;            /* va >> pt_level_shift(level) */
    paddr_t next;            /* table the cached entry points to */
    uint32_t stamp;
    uint16_t asid;
    uint8_t prot;
    bool valid, global;
};

struct pwc_state {
    unsigned n;
    uint32_t clock;
    struct pwc_entry *e;
};

struct tlb {
    struct tlb_level_state l1i, l1d, l2;
    struct pwc_state pwc[5];
    enum tlb_repl repl;
    uint64_t rng;
};

/* What a walk found, for filling the TLBs. */
struct tlb_fill {
    vaddr_t va;
    paddr_t page_base;
    unsigned level;          /* page level: 0, 1, 2 (larger levels are splintered to 1G) */
    unsigned prot;
    bool global, dirty;
    uint16_t asid;
    uint8_t pkey;
};

/* Which entries an invalidation removes. */
struct tlb_filter {
    bool by_va;      vaddr_t va;        /* only entries covering va */
    bool by_asid;    uint16_t asid;     /* only entries of this ASID (globals: see below) */
    bool keep_global;                   /* never remove global entries */
    bool or_global;                     /* by_asid, but global entries of any ASID match too (INVLPG) */
};

int tlb_init(struct tlb *t, const struct tlb_config *cfg);
void tlb_free(struct tlb *t);

struct tlb_entry *tlb_lookup(struct tlb *t, struct tlb_level_state *lv, vaddr_t va, uint16_t asid);
void tlb_insert(struct tlb *t, struct tlb_level_state *lv, const struct tlb_fill *f);
/* Remove matching entries from every level; returns how many. */
unsigned tlb_flush(struct tlb *t, const struct tlb_filter *flt);

/* Page-walk caches: the deepest cached level L (1..4) whose entry covers
 * va, or 0 if none. */
struct pwc_entry *pwc_lookup(struct tlb *t, unsigned top_level, vaddr_t va, uint16_t asid, unsigned *level);
void pwc_insert(struct tlb *t, unsigned level, vaddr_t va, uint16_t asid, paddr_t next,
                unsigned prot, bool global);
/* Drop page-walk-cache entries: of one ASID, or all (all_asids). */
unsigned pwc_flush(struct tlb *t, bool all_asids, uint16_t asid);

#endif
