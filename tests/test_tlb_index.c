/* test_tlb_index.c — white-box: the index of a fully associative TLB array
 * (hash chains, free bitmap, lazy LRU heap; src/hw/tlb_impl.h) and the
 * dense per-way keys never drift from the entries they describe, and every
 * probe, fill and flush gives what a linear scan of the entries gives.
 *
 * Random fills (4K/2M/1G pages, splintered where the array lacks the size,
 * three ASIDs, some global), probes and invalidations (by address, ASID,
 * keeping or matching globals) run on several geometries. Before each
 * operation the expected answer is computed by scanning the entries the
 * way the original arrays did: the lowest matching way wins a probe; a
 * fill takes the page's own entry, else the lowest invalid way, else (LRU)
 * the lowest stamp. After each operation tlb_fa_check() compares the index
 * with the entries. Stamp renumbering (the 32-bit clock limit) is forced
 * now and then, since it must empty the heap. Last, fills marked absent
 * (after a missed probe) must act exactly as ordinary fills. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/tlb_impl.h"
#include "lib/tap.h"

#include <vmlab/pt.h>

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static unsigned shift_of(unsigned size) { return pt_level_shift(size); }   /* sizes 0-2 */
/* the page sizes of the x86-64 format: the pieces a fill may use */
#define X86_64_SIZES (TLB_4K | TLB_2M | TLB_1G)

/* A random address from a small pool, so that pages repeat and collide:
 * 48 4K pages over two 2M regions, 6 2M pages, 3 1G pages. */
static vaddr_t random_va(uint64_t *s, unsigned *level)
{
    unsigned k = (unsigned)(rnd(s) % 8);
    vaddr_t off = rnd(s) % 4096;
    if (k < 5) {
        *level = 0;
        unsigned p = (unsigned)(rnd(s) % 48);
        return (p < 24 ? 0x40000000ull : 0x40600000ull) + p % 24 * 4096ull + off;
    }
    if (k < 7) {
        *level = 1;
        return 0x40000000ull + (rnd(s) % 6) * (2ull << 20) + (rnd(s) % 512) * 4096 + off;
    }
    *level = 2;
    return (rnd(s) % 3) << 30 | (rnd(s) % (1u << 18)) << 12 | off;
}

/* ---- the reference: linear scans over the entries ---- */

static bool ref_asid_ok(const struct tlb_entry *e, uint16_t asid)
{
    return e->asid == asid || (e->flags & TLBE_GLOBAL);
}

static const struct tlb_entry *ref_lookup(const struct tlb_level_state *lv, vaddr_t va, uint16_t asid)
{
    for (unsigned i = 0; i < lv->n; i++) {
        const struct tlb_array_state *a = &lv->a[i];
        if (a->nsets == 1) {
            for (unsigned w = 0; w < a->ways; w++) {
                const struct tlb_entry *e = &a->e[w];
                if ((e->flags & TLBE_VALID) && e->vpn == va >> shift_of(e->size) && ref_asid_ok(e, asid))
                    return e;
            }
            continue;
        }
        for (unsigned size = 0; size < 3; size++) {
            if (!(a->sizes & (1u << size)))
                continue;
            uint64_t vpn = va >> shift_of(size);
            const struct tlb_entry *s = &a->e[(vpn % a->nsets) * a->ways];
            for (unsigned w = 0; w < a->ways; w++)
                if ((s[w].flags & TLBE_VALID) && s[w].vpn == vpn && s[w].size == size &&
                    ref_asid_ok(&s[w], asid))
                    return &s[w];
        }
    }
    return NULL;
}

/* The way an LRU fill of a single fully associative array takes. */
static unsigned ref_fill_way(const struct tlb_array_state *a, uint64_t vpn, unsigned size, uint16_t asid,
                             bool *predictable)
{
    unsigned invalid = a->ways, lru = 0;
    uint32_t lru_stamp = UINT32_MAX;
    for (unsigned w = 0; w < a->ways; w++) {
        const struct tlb_entry *e = &a->e[w];
        if (!(e->flags & TLBE_VALID)) {
            if (invalid == a->ways)
                invalid = w;
            continue;
        }
        if (e->vpn == vpn && e->size == size && ref_asid_ok(e, asid))
            return w;
        if (a->use[w].stamp < lru_stamp) {
            lru_stamp = a->use[w].stamp;
            lru = w;
        }
    }
    if (invalid < a->ways)
        return invalid;
    *predictable = false;           /* the policy's victim: LRU only is modelled here */
    return lru;
}

static bool ref_matches(const struct tlb_entry *e, const struct tlb_filter *flt)
{
    if (!(e->flags & TLBE_VALID))
        return false;
    bool global = e->flags & TLBE_GLOBAL;
    if (global && flt->keep_global)
        return false;
    if (flt->by_va) {
        unsigned sh = e->page_shift;   /* the page's extent (at least the entry's size) */
        if ((flt->va >> sh) != ((e->vpn << shift_of(e->size)) >> sh))
            return false;
    }
    if (flt->by_asid && e->asid != flt->asid && !(global && flt->or_global))
        return false;
    return true;
}

/* Dense keys and per-size counts of any array agree with its entries. */
static bool keys_agree(const struct tlb_array_state *a)
{
    unsigned n[3] = {0, 0, 0};
    for (unsigned i = 0; i < a->nsets * a->ways; i++) {
        const struct tlb_entry *e = &a->e[i];
        uint64_t want = (e->flags & TLBE_VALID) ? tlb_key(e->vpn, e->size) : TLB_NOKEY;
        if (a->key[i] != want)
            return false;
        if (e->flags & TLBE_VALID)
            n[e->size]++;
    }
    return n[0] == a->nsize[0] && n[1] == a->nsize[1] && n[2] == a->nsize[2];
}

struct geometry {
    const char *name;
    struct tlb_array arr[2];
    enum tlb_repl repl;
    unsigned flush_pct;     /* of operations; 0: 10 */
};

static void run(const struct geometry *g, unsigned ops, uint64_t seed)
{
    struct tlb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.repl = g->repl;
    cfg.seed = seed;
    cfg.l1d.array[0] = g->arr[0];
    cfg.l1d.array[1] = g->arr[1];
    struct tlb t;
    if (!ok(tlb_init(&t, &cfg) == 0, "%s: tlb_init", g->name))
        return;
    struct tlb_level_state *lv = &t.l1d;
    bool single_fa = lv->n == 1 && lv->a[0].nsets == 1;
    uint64_t s = seed;
    unsigned bad_lookup = 0, bad_fill = 0, bad_flush = 0, bad_index = 0, bad_keys = 0;
    unsigned fills_checked = 0, victims_checked = 0, hits = 0, flushed = 0, renumbers = 0;
    int first_code = 0;

    for (unsigned op = 0; op < ops; op++) {
        unsigned r = (unsigned)(rnd(&s) % 100), level;
        vaddr_t va = random_va(&s, &level);
        uint16_t asid = (uint16_t)(1 + rnd(&s) % 3);
        unsigned flush_pct = g->flush_pct ? g->flush_pct : 10;
        if (r < 45) {                                          /* probe */
            const struct tlb_entry *want = ref_lookup(lv, va, asid);
            struct tlb_where w;
            const struct tlb_entry *got = tlb_lookup(&t, lv, va, asid, &w);
            if (got != want || (got && &w.a->e[w.set * w.a->ways + w.way] != got))
                bad_lookup++;
            hits += got != NULL;
        } else if (r < 100 - flush_pct) {                      /* fill */
            struct tlb_fill f = {.va = va, .page_base = 0x100000000ull + (rnd(&s) % 64) * (1ull << 30),
                                 .page_shift = pt_level_shift(level), .sizes = X86_64_SIZES,
                                 .prot = VM_PROT_READ, .global = rnd(&s) % 8 == 0,
                                 .dirty = rnd(&s) & 1, .asid = asid, .pkey = 0};
            f.page_base &= ~(pt_level_size(level) - 1);
            bool predictable = single_fa, lru_victim = true;
            unsigned want_way = 0, size = 0;
            if (single_fa) {
                const struct tlb_array_state *a = &lv->a[0];
                for (int z = level > 2 ? 2 : (int)level; z >= 0; z--)
                    if (a->sizes & (1u << z)) {
                        size = (unsigned)z;
                        break;
                    }
                want_way = ref_fill_way(a, va >> shift_of(size), size, asid, &lru_victim);
                if (!lru_victim && g->repl != TLB_REPL_LRU)
                    predictable = false;
            }
            struct tlb_where w;
            struct tlb_entry *e = tlb_insert(&t, lv, &f, &w);
            if (!e || e->vpn != va >> shift_of(e->size) || e->asid != asid || e->page_shift != pt_level_shift(level) ||
                !(e->flags & TLBE_VALID))
                bad_fill++;
            if (predictable) {
                fills_checked++;
                victims_checked += !lru_victim;
                if (w.way != want_way || e->size != size)
                    bad_fill++;
            }
        } else {                                               /* invalidate */
            struct tlb_filter flt = {0};
            unsigned k = (unsigned)(rnd(&s) % 4);
            flt.by_va = k != 1;
            flt.va = va;
            flt.by_asid = k != 2;
            flt.asid = asid;
            flt.keep_global = k == 3 || rnd(&s) % 4 == 0;
            flt.or_global = !flt.keep_global && rnd(&s) % 2;
            unsigned want = 0;
            for (unsigned i = 0; i < lv->n; i++)
                for (unsigned j = 0; j < lv->a[i].nsets * lv->a[i].ways; j++)
                    want += ref_matches(&lv->a[i].e[j], &flt);
            unsigned got = tlb_flush(&t, &flt);
            unsigned left = 0;
            for (unsigned i = 0; i < lv->n; i++)
                for (unsigned j = 0; j < lv->a[i].nsets * lv->a[i].ways; j++)
                    left += ref_matches(&lv->a[i].e[j], &flt);
            if (got != want || left)
                bad_flush++;
            flushed += got;
        }
        if (g->repl == TLB_REPL_LRU && rnd(&s) % 997 == 0) {   /* renumber at the next touch */
            lv->a[0].clock = TLB_CLOCK_LIMIT;
            renumbers++;
        }
        for (unsigned i = 0; i < lv->n; i++) {
            int code = tlb_fa_check(&lv->a[i]);
            if (code) {
                if (!bad_index++)
                    first_code = code;
            }
            bad_keys += !keys_agree(&lv->a[i]);
        }
    }
    ok(bad_lookup == 0, "%s: %u ops, probes match a linear scan (%u mismatches, %u hits)", g->name, ops,
       bad_lookup, hits);
    ok(bad_fill == 0, "%s: fills take the expected way (%u mismatches; %u checked, %u of them LRU victims)",
       g->name, bad_fill, fills_checked, victims_checked);
    ok(bad_flush == 0, "%s: flushes remove exactly the matching entries (%u mismatches, %u removed)", g->name,
       bad_flush, flushed);
    ok(bad_index == 0, "%s: index agrees with the entries after every op (%u bad, first code %d)", g->name,
       bad_index, first_code);
    ok(bad_keys == 0, "%s: dense keys and size counts agree (%u bad)", g->name, bad_keys);
    if (single_fa && g->repl == TLB_REPL_LRU)
        ok(victims_checked > ops / 20 && renumbers > 0, "%s: the LRU-victim and renumber paths ran (%u, %u)",
           g->name, victims_checked, renumbers);
    tlb_free(&t);
}

/* A fill marked absent (the caller just probed the level for va under
 * the fill's ASID and missed, as cpu.c's L2-hit path does) skips the
 * search for an entry to refresh: it must leave the level exactly as an
 * ordinary fill does. Two twin TLBs get the same operations, one with
 * the mark, and are compared entry by entry. */
static void test_absent(const struct geometry *g, unsigned ops, uint64_t seed)
{
    struct tlb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.repl = g->repl;
    cfg.seed = seed;
    cfg.l1d.array[0] = g->arr[0];
    cfg.l1d.array[1] = g->arr[1];
    struct tlb t[2];
    if (!ok(tlb_init(&t[0], &cfg) == 0 && tlb_init(&t[1], &cfg) == 0, "%s: twin tlb_init", g->name))
        return;
    uint64_t s = seed;
    unsigned marked = 0, differ = 0;
    for (unsigned op = 0; op < ops; op++) {
        unsigned level, r = (unsigned)(rnd(&s) % 10);
        vaddr_t va = random_va(&s, &level);
        uint16_t asid = (uint16_t)(1 + rnd(&s) % 3);
        bool global = rnd(&s) % 8 == 0;
        struct tlb_fill f = {.va = va, .page_base = 0x100000000ull & ~(pt_level_size(level) - 1),
                             .page_shift = pt_level_shift(level), .sizes = X86_64_SIZES,
                             .prot = VM_PROT_READ, .global = global, .asid = asid};
        if (r == 0) {
            struct tlb_filter flt = {.by_va = true, .va = va, .by_asid = rnd(&s) & 1, .asid = asid};
            tlb_flush(&t[0], &flt);
            tlb_flush(&t[1], &flt);
            continue;
        }
        bool hit0 = tlb_lookup(&t[0], &t[0].l1d, va, asid, NULL) != NULL;
        bool hit1 = tlb_lookup(&t[1], &t[1].l1d, va, asid, NULL) != NULL;
        differ += hit0 != hit1;
        if (!hit0) {
            tlb_insert(&t[0], &t[0].l1d, &f, NULL);
            f.absent = true;
            tlb_insert(&t[1], &t[1].l1d, &f, NULL);
            marked++;
        }
    }
    for (unsigned i = 0; i < t[0].l1d.n; i++) {
        const struct tlb_array_state *a = &t[0].l1d.a[i], *b = &t[1].l1d.a[i];
        for (unsigned j = 0; j < a->nsets * a->ways; j++)
            differ += memcmp(&a->e[j], &b->e[j], sizeof a->e[j]) != 0;
        differ += memcmp(a->plru, b->plru, a->nsets * sizeof *a->plru) != 0;
        differ += tlb_fa_check(b) != 0;
    }
    differ += t[0].rng != t[1].rng;
    ok(differ == 0 && marked > ops / 4, "%s: absent-marked fills after a miss change nothing (%u fills, %u differences)",
       g->name, marked, differ);
    tlb_free(&t[0]);
    tlb_free(&t[1]);
}

int main(void)
{
    const char *san = getenv("VMLAB_SAN");
    unsigned ops = san && *san ? 20000 : 150000;
    static const struct geometry geos[] = {
        {"16xfull all sizes, LRU", {{16, 16, TLB_ALL}}, TLB_REPL_LRU, 0},
        {"12xfull 4K only (splinters), LRU", {{12, 12, TLB_4K}}, TLB_REPL_LRU, 0},
        {"70xfull 4K+2M (two bitmap words), LRU", {{70, 70, TLB_4K | TLB_2M}}, TLB_REPL_LRU, 1},
        {"1xfull, LRU", {{1, 1, TLB_ALL}}, TLB_REPL_LRU, 0},
        {"16xfull, PLRU", {{16, 16, TLB_ALL}}, TLB_REPL_PLRU, 0},
        {"16xfull, random", {{16, 16, TLB_ALL}}, TLB_REPL_RANDOM, 0},
        {"8x2 4K + 4xfull 2M+1G, LRU", {{8, 2, TLB_4K}, {4, 4, TLB_2M | TLB_1G}}, TLB_REPL_LRU, 0},
        {"6x3 all sizes (set-assoc keys), LRU", {{6, 3, TLB_ALL}}, TLB_REPL_LRU, 0},
    };
    for (size_t i = 0; i < sizeof geos / sizeof geos[0]; i++)
        run(&geos[i], ops, 0x1234567ull + i * 7919);
    for (size_t i = 0; i < sizeof geos / sizeof geos[0]; i++)
        test_absent(&geos[i], ops / 4, 0x7654321ull + i * 104729);
    return tap_done();
}
