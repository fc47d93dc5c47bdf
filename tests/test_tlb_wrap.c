/* test_tlb_wrap.c — white-box: LRU stays exact when the 32-bit stamp clock
 * of an array (or a page-walk cache) reaches its limit and the stamps are
 * renumbered, as happens after ~2^31 hits in one long run; and tlb_check,
 * which other tests trust to find an entry held twice, finds one. Uses
 * the internal TLB interface (src/hw/tlb_impl.h). */
#include <string.h>

#include <vmlab/pt.h>

#include "hw/tlb_impl.h"
#include "lib/tap.h"

#define X86_64 pt_format(PT_X86_64)   /* the page-walk caches are tagged by its level shifts */

static void fill(struct tlb *t, struct tlb_level_state *lv, unsigned page)
{
    struct tlb_fill f = {.va = (uint64_t)page << 12, .page_base = (uint64_t)page << 12,
                         .page_shift = 12, .prot = VM_PROT_READ, .asid = 1};
    tlb_insert(t, lv, &f, NULL);
}

static bool present(struct tlb *t, struct tlb_level_state *lv, unsigned page)
{
    /* probe without disturbing the order much: a hit is a touch, so callers
     * probe only when the answer ends the test */
    return tlb_lookup(t, lv, (uint64_t)page << 12, 1, NULL) != NULL;
}

int main(void)
{
    for (int variant = 0; variant < 2; variant++) {
        struct tlb_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.repl = TLB_REPL_LRU;
        cfg.l1d.array[0] = (struct tlb_array){.entries = 4, .ways = 4, .sizes = TLB_4K};
        struct tlb t;
        ok(tlb_init(&t, &cfg) == 0, "tlb_init");
        struct tlb_level_state *lv = &t.l1d;
        for (unsigned p = 1; p <= 4; p++)
            fill(&t, lv, p);
        /* push the clock to the limit, then use pages in the order 3 1 4 2 */
        lv->a[0].clock = TLB_CLOCK_LIMIT - (variant ? 1 : 0);
        static const unsigned order[] = {3, 1, 4, 2};
        for (int i = 0; i < 4; i++)
            tlb_lookup(&t, lv, (uint64_t)order[i] << 12, 1, NULL);
        ok(lv->a[0].clock < 100, "variant %d: stamps renumbered (clock now %u)", variant, lv->a[0].clock);
        /* the LRU order must be 3 (oldest), 1, 4, 2: new pages evict in that order */
        fill(&t, lv, 10);
        ok(!present(&t, lv, 3), "variant %d: page 3 (least recent) evicted first", variant);
        fill(&t, lv, 11);
        fill(&t, lv, 12);
        /* now 2 should be the only old page left */
        ok(present(&t, lv, 2), "variant %d: page 2 (most recent) survives three fills", variant);
        tlb_free(&t);
    }

    /* tlb_check: a fill told its page is absent when it is not takes a
     * second way (set-associative and fully associative arrays alike) */
    for (int fa = 0; fa < 2; fa++) {
        struct tlb_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.repl = TLB_REPL_LRU;
        cfg.l1d.array[0] = (struct tlb_array){.entries = 8, .ways = fa ? 8 : 4, .sizes = TLB_4K};
        struct tlb t;
        tlb_init(&t, &cfg);
        struct tlb_fill f = {.va = 0x5000, .page_base = 0x9000, .page_shift = 12, .prot = VM_PROT_READ,
                             .asid = 1};
        tlb_insert(&t, &t.l1d, &f, NULL);
        tlb_insert(&t, &t.l1d, &f, NULL);
        ok(tlb_check(&t) == 0, "tlb_check (%s): a refill refreshes its entry", fa ? "full" : "4-way");
        f.absent = true;
        tlb_insert(&t, &t.l1d, &f, NULL);
        ok(tlb_check(&t) == -4, "tlb_check (%s): a page held twice is found", fa ? "full" : "4-way");
        tlb_free(&t);
    }

    /* page-walk cache: 2 entries */
    struct tlb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.pwc[1] = 2;
    struct tlb t;
    tlb_init(&t, &cfg);
    pwc_insert(&t, X86_64, 1, 0x000000, 1, 0x1000, VM_PROT_READ, false, false);
    pwc_insert(&t, X86_64, 1, 0x200000, 1, 0x2000, VM_PROT_READ, false, false);
    t.pwc[1].clock = TLB_CLOCK_LIMIT;
    unsigned level;
    pwc_lookup(&t, X86_64, 0x000000, 1, &level);           /* renumber, then 0 is the most recent */
    ok(t.pwc[1].clock < 10, "pwc stamps renumbered");
    pwc_insert(&t, X86_64, 1, 0x400000, 1, 0x3000, VM_PROT_READ, false, false);
    ok(pwc_lookup(&t, X86_64, 0x000000, 1, &level) != NULL && level == 1, "pwc: the recent entry kept");
    ok(pwc_lookup(&t, X86_64, 0x200000, 1, &level) == NULL, "pwc: the least recent entry evicted");
    ok(tlb_check(&t) == 0, "pwc: each entry held once");
    pwc_insert(&t, X86_64, 1, 0x000000, 1, 0x1000, VM_PROT_READ, false, false);
    ok(tlb_check(&t) == 0, "pwc: an insert of a cached entry refreshes it");
    pwc_insert(&t, X86_64, 1, 0x000000, 1, 0x1000, VM_PROT_READ, false, true);
    ok(tlb_check(&t) == -9, "pwc: an insert told the entry is absent when it is not holds it twice, "
                            "and the check says so");
    tlb_free(&t);
    return tap_done();
}
