/* tlb.c — set-associative TLB arrays, their replacement, and the
 * page-walk caches.
 *
 * A level (L1 ITLB, L1 DTLB, L2) is a few arrays probed together, as the
 * hardware probes its per-size arrays in parallel. An array indexes a set
 * with the low bits of the page number at each page size it holds.
 */
#include "hw/tlb_impl.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/observe.h>
#include <vmlab/pt.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static unsigned size_shift(unsigned size) { return tlb_size_shift[size]; }

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: small, fast and reproducible from the seed */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* ---- replacement ---- */

/* Tree PLRU over `ways` leaves: node i has children 2i+1 and 2i+2; a bit
 * set means "the victim is on the right". A touch points every node on
 * the way to the leaf away from it. */
void tlb_plru_touch(uint64_t *tree, unsigned ways, unsigned way)
{
    unsigned node = 0, lo = 0, hi = ways;
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (way < mid) {
            *tree |= 1ull << node;            /* used left: victim right */
            node = 2 * node + 1;
            hi = mid;
        } else {
            *tree &= ~(1ull << node);
            node = 2 * node + 2;
            lo = mid;
        }
    }
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

void tlb_renumber(struct tlb_array_state *a)
{
    /* (stamp << 32 | way) sorts by stamp, then way */
    uint64_t *key = malloc(a->ways * sizeof *key);
    if (!key)
        abort();
    for (unsigned set = 0; set < a->nsets; set++) {
        struct tlb_use *s = &a->use[set * a->ways];
        for (unsigned w = 0; w < a->ways; w++)
            key[w] = (uint64_t)s[w].stamp << 32 | w;
        qsort(key, a->ways, sizeof *key, cmp_u64);
        for (unsigned i = 0; i < a->ways; i++)
            s[(uint32_t)key[i]].stamp = i + 1;
    }
    free(key);
    a->clock = a->ways;
    if (a->fa)
        a->fa->nheap = 0;            /* its records name the old stamps */
}

static unsigned plru_victim(uint64_t tree, unsigned ways)
{
    unsigned node = 0, lo = 0, hi = ways;
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (tree & (1ull << node)) {
            node = 2 * node + 2;
            lo = mid;
        } else {
            node = 2 * node + 1;
            hi = mid;
        }
    }
    return lo;
}

/* The victim of a full set (no invalid way): LRU's least recent (the
 * lowest-numbered of equals), tree-PLRU's, or a seeded random way. */
static unsigned victim_full(struct tlb *t, struct tlb_array_state *a, unsigned set, unsigned lru_best)
{
    switch (t->repl) {
    case TLB_REPL_LRU:
        return lru_best;
    case TLB_REPL_PLRU:
        return plru_victim(a->plru[set], a->ways);
    default:
        return (unsigned)(rng_next(&t->rng) % a->ways);
    }
}


/* ---- the index of a fully associative array (see tlb_impl.h) ---- */

static inline uint64_t fa_bucket(const struct tlb_fa_index *x, uint64_t key)
{
    return (key * 0x9E3779B97F4A7C15ull) >> x->shift;
}

static int fa_init(struct tlb_array_state *a)
{
    struct tlb_fa_index *x = calloc(1, sizeof *x);
    if (!(a->fa = x))
        return -1;
    unsigned bits = 1;
    while ((1ull << bits) < 2ull * a->ways)
        bits++;
    x->shift = 64 - bits;
    size_t words = (a->ways + 63) / 64;
    x->head = malloc(sizeof *x->head << bits);
    x->next = malloc(a->ways * sizeof *x->next);
    x->free = calloc(words, sizeof *x->free);
    x->heap = malloc(a->ways * sizeof *x->heap);
    if (!x->head || !x->next || !x->free || !x->heap)
        return -1;
    for (size_t b = 0; b < (1ull << bits); b++)
        x->head[b] = -1;
    for (unsigned w = 0; w < a->ways; w++)
        x->free[w / 64] |= 1ull << (w % 64);
    return 0;
}

static void fa_free(struct tlb_fa_index *x)
{
    if (!x)
        return;
    free(x->head);
    free(x->next);
    free(x->free);
    free(x->heap);
    free(x);
}

/* Index way w under its key (a->key[w], just written). */
static void fa_link(struct tlb_array_state *a, unsigned w)
{
    struct tlb_fa_index *x = a->fa;
    int32_t *head = &x->head[fa_bucket(x, a->key[w])];
    x->next[w] = *head;
    *head = (int32_t)w;
    x->free[w / 64] &= ~(1ull << (w % 64));
}

/* Take way w out of the index (its key is still in a->key[w]). */
static void fa_unlink(struct tlb_array_state *a, unsigned w)
{
    struct tlb_fa_index *x = a->fa;
    int32_t *p = &x->head[fa_bucket(x, a->key[w])];
    while (*p != (int32_t)w)
        p = &x->next[*p];
    *p = x->next[w];
    x->free[w / 64] |= 1ull << (w % 64);
}

/* The lowest valid way holding key for asid (or globally), or UINT32_MAX. */
static inline uint32_t fa_find(const struct tlb_array_state *a, uint64_t key, uint16_t asid)
{
    const struct tlb_fa_index *x = a->fa;
    uint32_t best = UINT32_MAX;
    for (int32_t w = x->head[fa_bucket(x, key)]; w >= 0; w = x->next[w])
        if ((uint32_t)w < best && a->key[w] == key &&
            (a->e[w].asid == asid || (a->e[w].flags & TLBE_GLOBAL)))
            best = (uint32_t)w;
    return best;
}

/* The lowest invalid way, or a->ways if the array is full. */
static unsigned fa_first_free(const struct tlb_array_state *a)
{
    const uint64_t *f = a->fa->free;
    for (unsigned i = 0; i < (a->ways + 63) / 64; i++)
        if (f[i])
            return i * 64 + (unsigned)__builtin_ctzll(f[i]);
    return a->ways;
}

/* Restore the min-heap below i. Which child is smaller is random: it is
 * picked with conditional moves, not a branch. */
static void heap_sift_down(uint64_t *h, unsigned n, unsigned i)
{
    uint64_t v = h[i];
    for (unsigned c; (c = 2 * i + 1) < n; i = c) {
        unsigned r = c + 1 < n ? c + 1 : c;
        uint64_t hc = h[c], hr = h[r];
        c = hr < hc ? r : c;
        hc = hr < hc ? hr : hc;
        if (hc >= v)
            break;
        h[i] = hc;
    }
    h[i] = v;
}

/* The least recently used way of a full array: the valid way of lowest
 * stamp (the lowest-numbered of equals, as the key orders them). */
static unsigned fa_lru_victim(struct tlb_array_state *a)
{
    struct tlb_fa_index *x = a->fa;
    for (;;) {
        if (!x->nheap) {
            for (unsigned w = 0; w < a->ways; w++)
                if (a->key[w] != TLB_NOKEY)
                    x->heap[x->nheap++] = (uint64_t)a->use[w].stamp << 32 | w;
            assert(x->nheap);
            for (unsigned i = x->nheap / 2; i-- > 0;)
                heap_sift_down(x->heap, x->nheap, i);
            x->built = a->clock;
        }
        uint64_t top = x->heap[0];
        x->heap[0] = x->heap[--x->nheap];
        heap_sift_down(x->heap, x->nheap, 0);
        unsigned w = (uint32_t)top;
        if (a->key[w] != TLB_NOKEY && a->use[w].stamp == (uint32_t)(top >> 32))
            return w;                       /* current: refilled now, so popped */
    }
}

/* The way a fill of key for asid takes in a fully associative array: the
 * page's own entry, else the lowest invalid way, else the policy's victim. */
static unsigned fa_fill_way(struct tlb *t, struct tlb_array_state *a, uint64_t key, uint16_t asid,
                            bool absent)
{
    uint32_t w = absent ? UINT32_MAX : fa_find(a, key, asid);
    if (w != UINT32_MAX)
        return w;
    w = fa_first_free(a);
    if (w < a->ways)
        return w;
    return t->repl == TLB_REPL_LRU ? fa_lru_victim(a) : victim_full(t, a, 0, 0);
}

int tlb_fa_check(const struct tlb_array_state *a)
{
    const struct tlb_fa_index *x = a->fa;
    if (!x)
        return 0;
    unsigned nsize[TLB_NSIZES] = {0}, nsplinter = 0, linked = 0;
    for (unsigned w = 0; w < a->ways; w++) {
        const struct tlb_entry *e = &a->e[w];
        bool valid = e->flags & TLBE_VALID, is_free = x->free[w / 64] >> (w % 64) & 1;
        if (valid != (a->key[w] != TLB_NOKEY))
            return -1;                      /* key and valid bit disagree */
        if (valid == is_free)
            return -2;                      /* free bitmap wrong */
        if (!valid)
            continue;
        if (a->key[w] != tlb_key(e->vpn, e->size))
            return -3;                      /* stale key */
        nsize[e->size]++;
        nsplinter += e->page_shift > tlb_entry_shift(e);
        /* exactly once, in its own bucket's chain */
        unsigned seen = 0;
        for (int32_t v = x->head[fa_bucket(x, a->key[w])]; v >= 0; v = x->next[v])
            seen += v == (int32_t)w;
        if (seen != 1)
            return -4;
    }
    for (uint64_t b = 0; b <= (~0ull >> x->shift); b++)
        for (int32_t v = x->head[b]; v >= 0; v = x->next[v]) {
            if (++linked > a->ways || a->key[v] == TLB_NOKEY || fa_bucket(x, a->key[v]) != b)
                return -5;                  /* invalid, misfiled, or a cycle */
        }
    for (unsigned s = 0; s < TLB_NSIZES; s++)
        if (nsize[s] != a->nsize[s])
            return -6;
    if (nsplinter != a->nsplinter)
        return -7;
    if (x->nheap) {
        for (unsigned i = 1; i < x->nheap; i++)
            if (x->heap[(i - 1) / 2] > x->heap[i])
                return -8;                  /* not a heap */
        /* every valid way untouched since the build has its record */
        for (unsigned w = 0; w < a->ways; w++) {
            if (a->key[w] == TLB_NOKEY || a->use[w].stamp > x->built)
                continue;
            uint64_t rec = (uint64_t)a->use[w].stamp << 32 | w;
            unsigned i = 0;
            while (i < x->nheap && x->heap[i] != rec)
                i++;
            if (i == x->nheap)
                return -9;
        }
    }
    return 0;
}

/* ---- arrays ---- */

static int array_init(struct tlb_array_state *a, const struct tlb_array *cfg)
{
    a->ways = cfg->ways;
    a->nsets = cfg->entries / cfg->ways;
    a->sizes = cfg->sizes;
    a->pow2 = (a->nsets & (a->nsets - 1)) == 0;
    a->clock = 0;
    a->nsplinter = 0;
    memset(a->nsize, 0, sizeof a->nsize);
    a->e = calloc(cfg->entries, sizeof *a->e);
    a->use = calloc(cfg->entries, sizeof *a->use);
    a->key = malloc(cfg->entries * sizeof *a->key);
    a->plru = calloc(a->nsets, sizeof *a->plru);
    if (!a->e || !a->use || !a->key || !a->plru)
        return -1;
    for (unsigned i = 0; i < cfg->entries; i++)
        a->key[i] = TLB_NOKEY;
    a->fa = NULL;
    return a->nsets == 1 ? fa_init(a) : 0;
}

static unsigned set_of(const struct tlb_array_state *a, uint64_t vpn)
{
    return a->pow2 ? (unsigned)(vpn & (a->nsets - 1)) : (unsigned)(vpn % a->nsets);
}

static int level_init(struct tlb_level_state *lv, const struct tlb_level *cfg)
{
    lv->n = 0;
    lv->sizes = 0;
    for (unsigned i = 0; i < TLB_MAX_ARRAYS; i++)
        if (cfg->array[i].entries) {
            for (unsigned s = 0; s < TLB_NSIZES; s++)
                if ((cfg->array[i].sizes & ~lv->sizes) & (1u << s))
                    lv->first[s] = (uint8_t)lv->n;
            lv->sizes |= (uint8_t)cfg->array[i].sizes;
            if (array_init(&lv->a[lv->n++], &cfg->array[i]))
                return -1;
        }
    return 0;
}

int tlb_init(struct tlb *t, const struct tlb_config *cfg)
{
    memset(t, 0, sizeof *t);
    t->repl = cfg->repl;
    t->rng = cfg->seed ? cfg->seed : 0x9E3779B97F4A7C15ull;
    if (level_init(&t->l1i, &cfg->l1i) || level_init(&t->l1d, &cfg->l1d) ||
        level_init(&t->l2, &cfg->l2))
        return -1;
    for (unsigned l = 1; l < 5; l++) {
        struct pwc_state *p = &t->pwc[l];
        if (cfg->pwc[l] > UINT16_MAX)
            return -1;   /* tlb_config_check allows 4096 */
        p->n = (uint16_t)cfg->pwc[l];
        if (!p->n)
            continue;
        p->key = calloc(p->n, sizeof *p->key + sizeof(struct pwc_entry));
        if (!p->key)
            return -1;
        for (unsigned i = 0; i < p->n; i++)
            p->key[i] = PWC_NOKEY;
    }
    return 0;
}

static void level_free(struct tlb_level_state *lv)
{
    for (unsigned i = 0; i < lv->n; i++) {
        free(lv->a[i].e);
        free(lv->a[i].use);
        free(lv->a[i].key);
        free(lv->a[i].plru);
        fa_free(lv->a[i].fa);
    }
    lv->n = 0;
}

void tlb_free(struct tlb *t)
{
    level_free(&t->l1i);
    level_free(&t->l1d);
    level_free(&t->l2);
    for (unsigned l = 1; l < 5; l++)
        free(t->pwc[l].key);
}

#ifdef __SSE2__
/* Which of the four keys k[0..3] equal the key broadcast in kk: bit i for
 * k[i]. 64-bit equality from 32-bit compares: both halves equal. */
static inline unsigned key4_mask(const uint64_t *k, __m128i kk)
{
    __m128i e0 = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)k), kk);
    __m128i e1 = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(k + 2)), kk);
    e0 = _mm_and_si128(e0, _mm_shuffle_epi32(e0, _MM_SHUFFLE(2, 3, 0, 1)));
    e1 = _mm_and_si128(e1, _mm_shuffle_epi32(e1, _MM_SHUFFLE(2, 3, 0, 1)));
    return (unsigned)_mm_movemask_pd(_mm_castsi128_pd(e0)) |
           (unsigned)_mm_movemask_pd(_mm_castsi128_pd(e1)) << 2;
}
#endif

/* Bit w set for each of the first n (<= 64) keys equal to key. No
 * branches depend on the data (where a hit sits is random, so an early
 * exit mispredicts); with SSE2, two keys per compare. */
static inline uint64_t key_match_mask(const uint64_t *k, unsigned n, uint64_t key)
{
    uint64_t m = 0;
    unsigned w = 0;
#ifdef __SSE2__
    const __m128i kk = _mm_set1_epi64x((long long)key);
    for (; w + 4 <= n; w += 4)
        m |= (uint64_t)key4_mask(k + w, kk) << w;
#endif
    for (; w < n; w++)
        m |= (uint64_t)(k[w] == key) << w;
    return m;
}

/* Cache-line aligned: the STLB-hit path runs this twice per access, and
 * its speed moved by ~8% with where unrelated edits placed it. */
__attribute__((aligned(64)))
struct tlb_entry *tlb_lookup(struct tlb *t, struct tlb_level_state *lv, vaddr_t va, uint16_t asid,
                             struct tlb_where *where)
{
    for (unsigned i = 0; i < lv->n; i++) {
        struct tlb_array_state *a = &lv->a[i];
        if (a->fa) {
            /* fully associative: the lowest way matching at any size */
            uint32_t w = UINT32_MAX;
            for (unsigned size = 0; size < TLB_NSIZES; size++)
                if (a->nsize[size]) {
                    uint32_t v = fa_find(a, tlb_key(va >> size_shift(size), size), asid);
                    w = v < w ? v : w;
                }
            if (w != UINT32_MAX) {
                tlb_touch(t, a, 0, w);
                if (where)
                    *where = (struct tlb_where){a, 0, w};
                return &a->e[w];
            }
            continue;
        }
        for (unsigned size = 0; size < TLB_NSIZES; size++) {
            if (!a->nsize[size])            /* none held (or the size is not held at all) */
                continue;
            uint64_t vpn = va >> size_shift(size), key = tlb_key(vpn, size);
            unsigned set = set_of(a, vpn);
            const uint64_t *k = &a->key[set * a->ways];
            struct tlb_entry *s = &a->e[set * a->ways];
            if (a->ways > 8 && a->ways <= 64) {
                /* a wide set: the mask of the ways with the key, then its
                 * ways in order for the ASID test. A narrow set's short
                 * loop is as fast. */
                for (uint64_t m = key_match_mask(k, a->ways, key); m; m &= m - 1) {
                    unsigned w = (unsigned)__builtin_ctzll(m);
                    if (s[w].asid == asid || (s[w].flags & TLBE_GLOBAL)) {
                        tlb_touch(t, a, set, w);
                        if (where)
                            *where = (struct tlb_where){a, set, w};
                        return &s[w];
                    }
                }
                continue;
            }
            for (unsigned w = 0; w < a->ways; w++)
                if (k[w] == key && (s[w].asid == asid || (s[w].flags & TLBE_GLOBAL))) {
                    tlb_touch(t, a, set, w);
                    if (where)
                        *where = (struct tlb_where){a, set, w};
                    return &s[w];
                }
        }
    }
    return NULL;
}

/* The array and size that will hold a page: the first array holding the
 * size tlb_piece_size picks from the level's sizes (the page's own, else
 * the largest smaller one allowed: the page is then stored splintered). */
static inline struct tlb_array_state *choose_array(struct tlb_level_state *lv, unsigned page_shift,
                                                   unsigned allowed, unsigned *size)
{
    int s = tlb_piece_size(lv->sizes, page_shift, allowed);
    if (s < 0)
        return NULL;
    *size = (unsigned)s;
    return &lv->a[lv->first[s]];
}

/* The way a fill of key for asid takes in a set. First the page's own
 * entry, refreshed in place: one of this ASID, or a global one (which
 * matches every ASID, so a second copy would shadow the new one, e.g. a
 * D=0 entry a store already walked for). Else the lowest invalid way,
 * else the policy's victim (LRU: the lowest stamp, the lowest-numbered of
 * equals). Separate passes keep the branches predictable: the choices
 * that depend on the data are conditional moves. */
static unsigned set_fill_way(struct tlb *t, struct tlb_array_state *a, unsigned set, uint64_t key,
                             uint16_t asid, bool absent)
{
    const uint64_t *k = &a->key[set * a->ways];
    const struct tlb_entry *s = &a->e[set * a->ways];
    for (unsigned w = 0; w < a->ways && !absent; w++)
        if (k[w] == key && (s[w].asid == asid || (s[w].flags & TLBE_GLOBAL)))
            return w;
    /* a full array (the steady state) has no invalid way in any set */
    if (a->nsize[0] + a->nsize[1] + a->nsize[2] < a->nsets * a->ways) {
        unsigned invalid = a->ways;
        for (unsigned w = a->ways; w-- > 0;)
            invalid = k[w] == TLB_NOKEY ? w : invalid;
        if (invalid < a->ways)
            return invalid;
    }
    if (t->repl != TLB_REPL_LRU)
        return victim_full(t, a, set, 0);
    const struct tlb_use *u = &a->use[set * a->ways];
    uint32_t best = u[0].stamp;
    unsigned lru = 0;
    for (unsigned w = 1; w < a->ways; w++) {
        uint32_t st = u[w].stamp;
        lru = st < best ? w : lru;
        best = st < best ? st : best;
    }
    return lru;
}

/* Write fill f into way `way` of set `set` of a, stored at TLB size
 * `size` (the piece of f's page holding f->va), keeping the keys, counts
 * and index right. Replacement state is the caller's. */
static inline __attribute__((always_inline)) struct tlb_entry *
install(struct tlb *t, struct tlb_array_state *a, unsigned set, unsigned way, unsigned size,
        const struct tlb_fill *f)
{
    uint64_t vpn = f->va >> size_shift(size);
    uint64_t page_mask = ((uint64_t)1 << f->page_shift) - 1;
    uint64_t entry_mask = ((uint64_t)1 << size_shift(size)) - 1;
    struct tlb_entry *e = &a->e[set * a->ways + way];
    /* What the way held comes from its key, which the fill's search has
     * just read: the entry itself is read only if the array holds
     * splintered pieces. Its line is usually cold (a fill replaces the
     * set's least recent entry), and the stores below need not wait for
     * it as a load would. */
    uint64_t old = a->key[set * a->ways + way];
    if (old != TLB_NOKEY) {
        if (a->nsplinter && e->page_shift > tlb_entry_shift(e))
            a->nsplinter--;
        a->nsize[old & 3]--;
        if (a->fa)
            fa_unlink(a, way);
    }
    if (f->page_shift > size_shift(size))
        a->nsplinter++;
    a->nsize[size]++;
    a->key[set * a->ways + way] = tlb_key(vpn, size);
    if (a->fa)
        fa_link(a, way);
    e->vpn = vpn;
    e->base = f->page_base + (f->va & page_mask & ~entry_mask);
    e->asid = f->asid;
    e->size = (uint8_t)size;
    e->prot = (uint8_t)f->prot;
    e->page_shift = (uint8_t)f->page_shift;
    e->pkey = f->pkey;
    e->flags = TLBE_VALID | (f->global ? TLBE_GLOBAL : 0) | (f->dirty ? TLBE_DIRTY : 0);
    if (++t->seq == 0) {
        t->seq = 1;
        t->seq_wrapped = true;
    }
    a->use[set * a->ways + way].seq = t->seq;
    return e;
}

/* The level array a belongs to. */
static const struct tlb_level_state *level_of(const struct tlb *t, const struct tlb_array_state *a)
{
    for (unsigned i = 0; i < TLB_MAX_ARRAYS; i++) {
        if (a == &t->l1i.a[i])
            return &t->l1i;
        if (a == &t->l1d.a[i])
            return &t->l1d;
    }
    return &t->l2;
}

/* An observed CPU hears of every fill: where it went, and what it replaced. */
static void observe_fill(struct tlb *t, const struct tlb_level_state *lv,
                         const struct tlb_array_state *a, unsigned set, unsigned way,
                         const struct tlb_entry *old, const struct tlb_entry *e)
{
    struct vm_event ev = {.kind = VM_EV_TLB_FILL};
    struct vm_ev_tlb_fill *fl = &ev.fill;
    fl->level = lv == &t->l1i ? VM_TLB_L1I : lv == &t->l1d ? VM_TLB_L1D : VM_TLB_L2;
    fl->array = (unsigned)(a - lv->a);
    fl->set = set;
    fl->way = way;
    fl->va = e->vpn << tlb_entry_shift(e);
    fl->entry_shift = tlb_entry_shift(e);
    fl->page_shift = e->page_shift;
    fl->frame = e->base;
    fl->asid = e->asid;
    fl->global = e->flags & TLBE_GLOBAL;
    fl->dirty = e->flags & TLBE_DIRTY;
    fl->prot = e->prot;
    if (old->flags & TLBE_VALID) {
        fl->refreshed = old->vpn == e->vpn && old->size == e->size &&
                        (old->asid == e->asid || (old->flags & TLBE_GLOBAL));
        fl->replaced = !fl->refreshed;
        fl->old_va = old->vpn << tlb_entry_shift(old);
        fl->old_shift = tlb_entry_shift(old);
        fl->old_asid = old->asid;
        fl->old_global = old->flags & TLBE_GLOBAL;
    }
    tlb_observe(t, &ev);
}

struct tlb_entry *tlb_insert(struct tlb *t, struct tlb_level_state *lv, const struct tlb_fill *f,
                             struct tlb_where *where)
{
    unsigned size;
    struct tlb_array_state *a = choose_array(lv, f->page_shift, f->sizes, &size);
    if (!a)
        return NULL;
    uint64_t vpn = f->va >> size_shift(size);
    unsigned set = set_of(a, vpn);
    uint64_t key = tlb_key(vpn, size);
    unsigned way = a->fa ? fa_fill_way(t, a, key, f->asid, f->absent)
                         : set_fill_way(t, a, set, key, f->asid, f->absent);
    struct tlb_entry *e;
    if (__builtin_expect(t->observed, 0)) {
        struct tlb_entry old = a->e[set * a->ways + way];
        e = install(t, a, set, way, size, f);
        observe_fill(t, lv, a, set, way, &old, e);
    } else {
        e = install(t, a, set, way, size, f);
    }
    tlb_touch(t, a, set, way);
    if (where)
        *where = (struct tlb_where){a, set, way};
    return e;
}

/* Does the entry hold (a piece of) the page containing va? A large page
 * stored as smaller pieces is matched by its whole extent: one INVLPG
 * removes every TLB entry of the page (SDM vol. 3A 4.10.4.1; the RISC-V
 * spec's SFENCE.VMA likewise orders every translation of the address). */
static bool entry_covers(const struct tlb_entry *e, vaddr_t va)
{
    unsigned sh = e->page_shift;
    uint64_t entry_va = e->vpn << size_shift(e->size);
    return (va >> sh) == (entry_va >> sh);
}

static bool entry_matches(const struct tlb_entry *e, const struct tlb_filter *flt)
{
    if (!(e->flags & TLBE_VALID))
        return false;
    bool global = e->flags & TLBE_GLOBAL;
    if (global && flt->keep_global)
        return false;
    if (flt->by_va && !entry_covers(e, flt->va))
        return false;
    if (flt->by_asid && e->asid != flt->asid && !(global && flt->or_global))
        return false;
    return true;
}

static void drop(struct tlb_array_state *a, struct tlb_entry *e)
{
    if (e->page_shift > tlb_entry_shift(e))
        a->nsplinter--;
    a->nsize[e->size]--;
    if (a->fa)
        fa_unlink(a, (unsigned)(e - a->e));
    a->key[e - a->e] = TLB_NOKEY;
    e->flags = 0;
}

static unsigned flush_array(struct tlb_array_state *a, const struct tlb_filter *flt)
{
    unsigned n = 0;
    /* One address: only the sets it maps to, unless pieces of a large
     * page may sit in other sets. */
    if (flt->by_va && !a->nsplinter) {
        for (unsigned size = 0; size < TLB_NSIZES; size++) {
            if (!a->nsize[size])
                continue;
            uint64_t vpn = flt->va >> size_shift(size);
            if (a->fa) {
                /* the ways of this key are on one chain */
                uint64_t key = tlb_key(vpn, size);
                for (int32_t w = a->fa->head[fa_bucket(a->fa, key)], next; w >= 0; w = next) {
                    next = a->fa->next[w];
                    if (a->key[w] == key && entry_matches(&a->e[w], flt)) {
                        drop(a, &a->e[w]);
                        n++;
                    }
                }
                continue;
            }
            unsigned set = set_of(a, vpn);
            for (unsigned w = 0; w < a->ways; w++) {
                struct tlb_entry *e = &a->e[set * a->ways + w];
                /* no splinters: an entry covers va only if it is va's page
                 * at its own size (a cheap test before the full one) */
                if (e->vpn == vpn && e->size == size && entry_matches(e, flt)) {
                    drop(a, e);
                    n++;
                }
            }
        }
        return n;
    }
    for (unsigned i = 0; i < a->nsets * a->ways; i++)
        if (entry_matches(&a->e[i], flt)) {
            drop(a, &a->e[i]);
            n++;
        }
    return n;
}

unsigned tlb_flush_level(struct tlb_level_state *lv, const struct tlb_filter *flt)
{
    unsigned n = 0;
    for (unsigned i = 0; i < lv->n; i++)
        n += flush_array(&lv->a[i], flt);
    return n;
}

unsigned tlb_flush(struct tlb *t, const struct tlb_filter *flt)
{
    return tlb_flush_level(&t->l1i, flt) + tlb_flush_level(&t->l1d, flt) +
           tlb_flush_level(&t->l2, flt);
}

/* ---- entries written by software (the software-refilled TLB) ---- */

unsigned tlb_level_entries(const struct tlb_level_state *lv)
{
    unsigned n = 0;
    for (unsigned i = 0; i < lv->n; i++)
        n += lv->a[i].nsets * lv->a[i].ways;
    return n;
}

bool tlb_slot(struct tlb_level_state *lv, unsigned index, struct tlb_where *w)
{
    for (unsigned i = 0; i < lv->n; i++) {
        struct tlb_array_state *a = &lv->a[i];
        unsigned n = a->nsets * a->ways;
        if (index < n) {
            *w = (struct tlb_where){a, index / a->ways, index % a->ways};
            return true;
        }
        index -= n;
    }
    return false;
}

unsigned tlb_slot_index(const struct tlb_level_state *lv, const struct tlb_where *w)
{
    unsigned base = 0;
    for (unsigned i = 0; i < lv->n && &lv->a[i] != w->a; i++)
        base += lv->a[i].nsets * lv->a[i].ways;
    return base + w->set * w->a->ways + w->way;
}

/* The way of (set of) a holding key for asid or globally, other than
 * `except`; a->ways if none. */
static unsigned find_way(const struct tlb_array_state *a, unsigned set, uint64_t key, uint16_t asid,
                         unsigned except)
{
    for (unsigned w = 0; w < a->ways; w++) {
        const struct tlb_entry *e = &a->e[set * a->ways + w];
        if (w != except && a->key[set * a->ways + w] == key &&
            (e->asid == asid || (e->flags & TLBE_GLOBAL)))
            return w;
    }
    return a->ways;
}

struct tlb_entry *tlb_probe(struct tlb_level_state *lv, vaddr_t va, uint16_t asid, struct tlb_where *w)
{
    for (unsigned i = 0; i < lv->n; i++) {
        struct tlb_array_state *a = &lv->a[i];
        for (unsigned size = 0; size < TLB_NSIZES; size++) {
            if (!a->nsize[size])
                continue;
            uint64_t vpn = va >> size_shift(size);
            unsigned set = set_of(a, vpn), way = find_way(a, set, tlb_key(vpn, size), asid, a->ways);
            if (way < a->ways) {
                *w = (struct tlb_where){a, set, way};
                return &a->e[set * a->ways + way];
            }
        }
    }
    return NULL;
}

int tlb_write_at(struct tlb *t, const struct tlb_where *w, const struct tlb_fill *f)
{
    struct tlb_array_state *a = w->a;
    int size = tlb_piece_size(a->sizes, f->page_shift, f->sizes);
    if (size < 0)
        return -1;                              /* the array holds no size of this page */
    uint64_t vpn = f->va >> size_shift((unsigned)size);
    if (set_of(a, vpn) != w->set)
        return -1;                              /* the page belongs to another set */
    if (find_way(a, w->set, tlb_key(vpn, (unsigned)size), f->asid, w->way) < a->ways)
        return -1;                              /* two entries would match one address */
    struct tlb_entry old = a->e[w->set * a->ways + w->way];
    struct tlb_entry *e = install(t, a, w->set, w->way, (unsigned)size, f);
    tlb_touch(t, a, w->set, w->way);
    if (__builtin_expect(t->observed, 0))
        observe_fill(t, level_of(t, a), a, w->set, w->way, &old, e);
    return 0;
}

void tlb_clear_at(const struct tlb_where *w)
{
    struct tlb_entry *e = &w->a->e[w->set * w->a->ways + w->way];
    if (e->flags & TLBE_VALID)
        drop(w->a, e);
}

unsigned tlb_update_copies(struct tlb *t, struct tlb_level_state *lv, const struct tlb_fill *f)
{
    unsigned size;
    struct tlb_array_state *a = choose_array(lv, f->page_shift, f->sizes, &size);
    if (!a)
        return 0;
    uint64_t vpn = f->va >> size_shift(size);
    unsigned set = set_of(a, vpn), way = find_way(a, set, tlb_key(vpn, size), f->asid, a->ways);
    if (way == a->ways)
        return 0;
    install(t, a, set, way, size, f);           /* in place, no replacement touch */
    return 1;
}

/* ---- page-walk caches ---- */

/* The next LRU stamp; renumbers the cache's stamps 1..n (order kept)
 * before the 32-bit clock could wrap. */
static uint32_t pwc_tick(struct pwc_state *p)
{
    if (__builtin_expect(p->clock >= TLB_CLOCK_LIMIT, 0)) {
        uint64_t *key = malloc(p->n * sizeof *key);
        if (!key)
            abort();
        for (unsigned i = 0; i < p->n; i++)
            key[i] = (uint64_t)pwc_entries(p)[i].stamp << 32 | i;
        qsort(key, p->n, sizeof *key, cmp_u64);
        for (unsigned i = 0; i < p->n; i++)
            pwc_entries(p)[(uint32_t)key[i]].stamp = i + 1;
        free(key);
        p->clock = p->n;
    }
    return ++p->clock;
}

static inline uint64_t pwc_key(uint64_t tag, uint16_t asid)
{
    return tag << 16 | asid;   /* tags have at most 52 bits: never PWC_NOKEY */
}

/* The index of the entry holding key (PWC_NOKEY: a free one), or p->n:
 * the last entry used, then four keys per step, stopping at the first
 * step that matches. */
static inline unsigned pwc_find(const struct pwc_state *p, uint64_t key)
{
    const uint64_t *k = p->key;
    if (k[p->last] == key)
        return p->last;
    unsigned i = 0;
#ifdef __SSE2__
    const __m128i kk = _mm_set1_epi64x((long long)key);
    for (; i + 4 <= p->n; i += 4) {
        unsigned b = key4_mask(k + i, kk);
        if (b)
            return i + (unsigned)__builtin_ctz(b);
    }
#endif
    for (; i < p->n; i++)
        if (k[i] == key)
            return i;
    return p->n;
}

struct pwc_entry *pwc_lookup(struct tlb *t, const struct pt_format *fmt, vaddr_t va, uint16_t asid,
                             unsigned *level)
{
    const uint8_t *shift = fmt->shift;
    unsigned top = fmt->levels < 5 ? fmt->levels : 5;
    for (unsigned l = 1; l < top; l++) {
        struct pwc_state *p = &t->pwc[l];
        if (!p->n)
            continue;
        unsigned i = pwc_find(p, pwc_key(va >> shift[l], asid));
        if (i < p->n) {
            struct pwc_entry *e = &pwc_entries(p)[i];
            e->stamp = pwc_tick(p);
            p->last = (uint16_t)i;
            *level = l;
            return e;
        }
    }
    *level = 0;
    return NULL;
}

void pwc_insert(struct tlb *t, const struct pt_format *fmt, unsigned level, vaddr_t va,
                uint16_t asid, paddr_t next, unsigned prot, bool global, bool absent)
{
    if (level < 1 || level > 4 || !t->pwc[level].n)
        return;
    struct pwc_state *p = &t->pwc[level];
    uint64_t tag = va >> pt_fmt_shift(fmt, level), key = pwc_key(tag, asid);
    unsigned i = absent ? p->n : pwc_find(p, key);   /* the same entry, refreshed */
    if (i == p->n)                                    /* else a free one */
        i = pwc_find(p, PWC_NOKEY);
    if (i == p->n) {                                  /* else the least recently used */
        i = 0;
        for (unsigned j = 1; j < p->n; j++)
            if (pwc_entries(p)[j].stamp < pwc_entries(p)[i].stamp)
                i = j;
    }
    struct pwc_entry *v = &pwc_entries(p)[i];
    p->last = (uint16_t)i;
    p->key[i] = key;
    v->valid = true;
    v->tag = tag;
    v->asid = asid;
    v->next = next;
    v->prot = (uint8_t)prot;
    v->global = global;
    v->stamp = pwc_tick(p);
}

static void pwc_drop(struct pwc_state *p, unsigned i)
{
    pwc_entries(p)[i].valid = false;
    p->key[i] = PWC_NOKEY;
}

unsigned pwc_flush_va(struct tlb *t, const struct pt_format *fmt, uint16_t asid, vaddr_t va)
{
    unsigned n = 0;
    for (unsigned l = 1; l < 5 && l < fmt->levels; l++) {
        struct pwc_state *p = &t->pwc[l];
        if (!p->n)
            continue;
        unsigned i = pwc_find(p, pwc_key(va >> pt_fmt_shift(fmt, l), asid));
        if (i < p->n) {
            pwc_drop(p, i);
            p->last = (uint16_t)i;
            n++;
        }
    }
    return n;
}

/* Does a later way of a's set hold what way w does: the same key under
 * the same ASID, or both global? A fill refreshes such an entry rather
 * than take a second way (a global entry of one ASID beside another
 * ASID's private one for the same page can be, as on the hardware). */
static bool set_holds_twice(const struct tlb_array_state *a, unsigned set, unsigned w)
{
    const uint64_t *k = &a->key[set * a->ways];
    const struct tlb_entry *s = &a->e[set * a->ways];
    for (unsigned v = w + 1; v < a->ways; v++)
        if (k[v] == k[w] && (s[v].asid == s[w].asid || (s[v].flags & s[w].flags & TLBE_GLOBAL)))
            return true;
    return false;
}

static int level_check(const struct tlb_level_state *lv, int code)
{
    for (unsigned i = 0; i < lv->n; i++) {
        const struct tlb_array_state *a = &lv->a[i];
        for (unsigned set = 0; set < a->nsets; set++)
            for (unsigned w = 0; w < a->ways; w++) {
                const struct tlb_entry *e = &a->e[set * a->ways + w];
                uint64_t key = a->key[set * a->ways + w];
                if (!(e->flags & TLBE_VALID) != (key == TLB_NOKEY) ||
                    (key != TLB_NOKEY && key != tlb_key(e->vpn, e->size)))
                    return code;
                if (key != TLB_NOKEY && set_holds_twice(a, set, w))
                    return code - 1;
            }
    }
    return 0;
}

int tlb_check(const struct tlb *t)
{
    int r = level_check(&t->l1i, -1);
    if (!r)
        r = level_check(&t->l1d, -3);
    if (!r)
        r = level_check(&t->l2, -5);
    for (unsigned l = 1; l < 5 && !r; l++) {
        const struct pwc_state *p = &t->pwc[l];
        for (unsigned i = 0; i < p->n && !r; i++) {
            const struct pwc_entry *e = &pwc_entries(p)[i];
            if (e->valid != (p->key[i] != PWC_NOKEY) ||
                (e->valid && p->key[i] != pwc_key(e->tag, e->asid)))
                r = -(int)(2 * l + 6);
            for (unsigned j = i + 1; j < p->n && e->valid && !r; j++)
                if (p->key[j] == p->key[i])
                    r = -(int)(2 * l + 7);
        }
    }
    return r;
}

unsigned pwc_flush(struct tlb *t, bool all_asids, uint16_t asid)
{
    unsigned n = 0;
    for (unsigned l = 1; l < 5; l++) {
        struct pwc_state *p = &t->pwc[l];
        for (unsigned i = 0; i < p->n; i++) {
            uint64_t key = p->key[i];
            if (key != PWC_NOKEY && (all_asids || (uint16_t)key == asid)) {
                pwc_drop(p, i);
                n++;
            }
        }
    }
    return n;
}
