/* spt.c — the supplemental page table: a hash table of struct page keyed by
 * page address, one per process (PintOS's supplemental_page_table).
 *
 * Chains are intrusive (page->hash_next) and pages come from a slab of
 * fixed chunks, so an entry costs its 32-byte struct page plus a share of
 * the bucket array (the table doubles when there are two entries per
 * bucket on average: 4 to 8 bytes per page). Everything here runs under the
 * owner's mm lock; lookups read only the immutable va bits of each page,
 * so they may also run beside an evictor changing the page's flags.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"

/* The metadata budget (docs/kernel.md): keep struct page at 32 bytes. */
_Static_assert(sizeof(struct page) == 32, "struct page grew past 32 bytes");
_Static_assert(sizeof(struct frame) == 16, "struct frame grew past 16 bytes");

#define SLAB_CHUNK_PAGES 512
#define SPT_MIN_BUCKETS  64
#define SPT_MAX_LOAD     2

/* Neighbouring pages in neighbouring buckets: a bucket holds a pair of
 * neighbours (the table holds up to two pages per bucket), the low bits of
 * the pair's number pick the bucket within a block of 2 * nbuckets pages,
 * and a hash of the block number turns the block by a pseudo-random
 * offset, so that regions which share the low bits do not share buckets.
 * A walk of the table (fork, exit) then goes through each region in
 * address order, and through its PTEs, its struct pages and its frames
 * with it; and what fork allocates on the way (the child's struct pages,
 * the shared frames' rmaps) lies in address order too, for the COW faults
 * that follow. (A bucket per page would interleave two blocks of a dense
 * region at two pages a bucket.) */
static inline uint64_t spt_hash(vaddr_t va, uint64_t nbuckets)
{
    uint64_t pair = va >> (VM_PAGE_SHIFT + 1);
    unsigned bits = (unsigned)__builtin_ctzll(nbuckets);   /* >= 6: SPT_MIN_BUCKETS */
    uint64_t turn = ((pair >> bits) * 0x9e3779b97f4a7c15ull) >> (64 - bits);
    return (pair + turn) & (nbuckets - 1);
}

int spt_init(struct spt *t)
{
    memset(t, 0, sizeof *t);
    t->nbuckets = SPT_MIN_BUCKETS;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    return t->buckets ? 0 : -ENOMEM;
}

struct page *spt_find(const struct spt *t, vaddr_t va)
{
    va &= ~VM_PAGE_MASK;
    for (struct page *pg = t->buckets[spt_hash(va, t->nbuckets)]; pg; pg = pg->hash_next)
        if (page_va(pg) == va)
            return pg;
    return NULL;
}

void spt_prefetch(const struct spt *t, vaddr_t va)
{
    const struct page *pg = t->buckets[spt_hash(va, t->nbuckets)];
    if (pg)
        __builtin_prefetch(pg);   /* a pair's two pages: usually one line */
}

struct page *spt_lookup(const struct spt *t, vaddr_t va)
{
    struct page *pg = spt_find(t, va);
    if (pg)
        return pg;
    pg = spt_find(t, VM_ALIGN_DOWN(va, HPAGE_SIZE));
    return pg && page_huge(pg) ? pg : NULL;
}

static void spt_grow(struct spt *t)
{
    uint64_t nb = t->nbuckets * 2;
    struct page **b = calloc(nb, sizeof *b);
    if (!b)
        return;   /* keep the longer chains; still correct */
    for (uint64_t i = 0; i < t->nbuckets; i++) {
        struct page *pg = t->buckets[i], *next;
        for (; pg; pg = next) {
            next = pg->hash_next;
            uint64_t h = spt_hash(page_va(pg), nb);
            pg->hash_next = b[h];
            b[h] = pg;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = nb;
}

int spt_insert(struct spt *t, struct page *pg)
{
    vaddr_t va = page_va(pg);
    if (spt_find(t, va))
        return -EEXIST;
    if (t->count + 1 > t->nbuckets * SPT_MAX_LOAD)
        spt_grow(t);
    uint64_t h = spt_hash(va, t->nbuckets);
    pg->hash_next = t->buckets[h];
    t->buckets[h] = pg;
    t->count++;
    return 0;
}

void spt_remove(struct spt *t, struct page *pg)
{
    struct page **pp = &t->buckets[spt_hash(page_va(pg), t->nbuckets)];
    for (; *pp; pp = &(*pp)->hash_next) {
        if (*pp == pg) {
            *pp = pg->hash_next;
            pg->hash_next = NULL;
            t->count--;
            return;
        }
    }
}

int spt_for_each(const struct spt *t, int (*fn)(struct page *pg, void *arg), void *arg)
{
    for (uint64_t i = 0; i < t->nbuckets; i++) {
        struct page *pg = t->buckets[i], *next;
        for (; pg; pg = next) {
            next = pg->hash_next;   /* fn may free pg */
            int rc = fn(pg, arg);
            if (rc)
                return rc;
        }
    }
    return 0;
}

void spt_kill(struct spt *t)
{
    for (unsigned i = 0; i < t->slab.nchunks; i++)
        free(t->slab.chunks[i]);
    free(t->slab.chunks);
    free(t->buckets);
    memset(t, 0, sizeof *t);
}

size_t spt_bucket_bytes(const struct spt *t)
{
    return t->nbuckets * sizeof *t->buckets;
}

/* ---- the slab ---- */

static bool slab_refill(struct page_slab *s)
{
    if (s->nchunks == s->cap) {
        unsigned cap = s->cap ? s->cap * 2 : 4;
        void **c = realloc(s->chunks, cap * sizeof *c);
        if (!c)
            return false;
        s->chunks = c;
        s->cap = cap;
    }
    struct page *chunk = malloc(SLAB_CHUNK_PAGES * sizeof *chunk);
    if (!chunk)
        return false;
    s->chunks[s->nchunks++] = chunk;
    for (unsigned i = 0; i < SLAB_CHUNK_PAGES; i++) {
        chunk[i].hash_next = s->free;
        s->free = &chunk[i];
    }
    return true;
}

struct page *page_new(struct spt *t, struct process *owner, vaddr_t va, enum page_kind kind)
{
    struct page_slab *s = &t->slab;
    if (!s->free && !slab_refill(s))
        return NULL;
    struct page *pg = s->free;
    s->free = pg->hash_next;
    memset(pg, 0, sizeof *pg);
    pg->va_flags = (va & ~VM_PAGE_MASK) | (uint64_t)kind;
    pg->proc = owner;
    pg->u.r.frame = FRAME_NONE;
    pg->u.r.slot = SLOT_NONE;
    return pg;
}

void page_free(struct spt *t, struct page *pg)
{
    pg->va_flags = 0;
    pg->hash_next = t->slab.free;
    t->slab.free = pg;
}
