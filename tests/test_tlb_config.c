/* test_tlb_config.c — TLB presets, the geometry parser and its errors,
 * describe/parse round trips, configuration checks. */
#include <stdio.h>
#include <string.h>

#include <vmlab/tlb.h>

#include "lib/tap.h"

static void test_presets(void)
{
    const struct tlb_config *g = tlb_preset("golden-cove");
    ok(g && g->l1d.array[0].entries == 96 && g->l1d.array[0].ways == 6 && g->l1d.array[0].sizes == TLB_4K,
       "golden-cove L1 DTLB 96 x 6-way 4K");
    ok(g->l1d.array[1].entries == 32 && g->l1d.array[1].ways == 4 && g->l1d.array[1].sizes == TLB_2M,
       "golden-cove L1 DTLB 32 x 4-way 2M");
    ok(g->l1d.array[2].entries == 8 && g->l1d.array[2].sizes == TLB_1G, "golden-cove L1 DTLB 8 x 1G");
    ok(g->l2.array[0].entries == 2048 && g->l2.array[0].ways == 16, "golden-cove STLB 2048 x 16-way");
    ok(g->l1i.array[0].entries == 256 && g->l1i.array[0].ways == 8, "golden-cove L1 ITLB 256 x 8-way");
    const struct tlb_config *z = tlb_preset("zen4");
    ok(z && z->l1d.array[0].entries == 72 && z->l1d.array[0].ways == 72 && z->l1d.array[0].sizes == TLB_ALL,
       "zen4 L1 DTLB 72 fully associative");
    ok(z->l2.array[0].entries == 3072 && z->l2.array[0].sizes == (TLB_4K | TLB_2M),
       "zen4 L2 3072, 4K and 2M (1G splintered)");
    ok(z->l1i.array[0].entries == 64 && z->l1i.array[0].ways == 64, "zen4 L1 ITLB 64 fully associative");
    /* Haswell: the optimization manual's "TLB Parameters" table */
    const struct tlb_config *h = tlb_preset("haswell");
    ok(h && h->l1i.array[0].entries == 128 && h->l1i.array[0].ways == 4 && h->l1i.array[0].sizes == TLB_4K,
       "haswell L1 ITLB 128 x 4-way 4K");
    ok(h->l1i.array[1].entries == 8 && h->l1i.array[1].sizes == (TLB_2M | TLB_4M), "haswell L1 ITLB 8 x 2M/4M");
    ok(h->l1d.array[0].entries == 64 && h->l1d.array[0].ways == 4 && h->l1d.array[0].sizes == TLB_4K,
       "haswell L1 DTLB 64 x 4-way 4K");
    ok(h->l1d.array[1].entries == 32 && h->l1d.array[1].ways == 4 && h->l1d.array[1].sizes == (TLB_2M | TLB_4M),
       "haswell L1 DTLB 32 x 4-way 2M/4M");
    ok(h->l1d.array[2].entries == 4 && h->l1d.array[2].ways == 4 && h->l1d.array[2].sizes == TLB_1G,
       "haswell L1 DTLB 4 x 1G");
    ok(h->l2.array[0].entries == 1024 && h->l2.array[0].ways == 8 &&
           h->l2.array[0].sizes == (TLB_4K | TLB_2M | TLB_4M),
       "haswell STLB 1024 x 8-way, 4K and 2M/4M shared");
    const struct tlb_config *t = tlb_preset("tiny");
    ok(t && t->l1d.array[0].entries == 8 && t->l2.array[0].entries == 0, "tiny: 8 entries, no L2");
    const struct tlb_config *n = tlb_preset("none");
    ok(n && n->l1d.array[0].entries == 0 && n->l1i.array[0].entries == 0 && n->pwc[1] == 0, "none: nothing");
    const struct tlb_config *mips = tlb_preset("r3000");
    ok(mips && mips->l2.array[0].entries == 64 && mips->l2.array[0].ways == 64 &&
           mips->l2.array[0].sizes == TLB_4K && !mips->l1d.array[0].entries &&
           !mips->l1i.array[0].entries && mips->repl == TLB_REPL_RANDOM,
       "r3000: one 64-entry fully associative TLB of 4 KiB pages, random replacement");
    ok(tlb_preset("skylake") == NULL, "unknown preset: NULL");
    int count = 0;
    for (const char *const *p = tlb_preset_names; *p; p++, count++)
        ok(tlb_preset(*p) != NULL, "preset name %s resolves", *p);
    is_i64(count, 6, "six presets");
    char err[256];
    for (const char *const *p = tlb_preset_names; *p; p++)
        ok(tlb_config_check(tlb_preset(*p), err, sizeof err) == 0, "preset %s passes the check", *p);
}

static void test_parse(void)
{
    char err[512];
    struct tlb_config c = *tlb_preset("tiny");
    ok(tlb_config_parse(&c, "l1d=64x4:4k;32x4:2m+1g,l1i=64xfull,l2=1536x16,pwc=2/4/8/32,repl=plru", err,
                        sizeof err) == 0, "a full spec parses");
    ok(c.l1d.array[0].entries == 64 && c.l1d.array[0].ways == 4 && c.l1d.array[0].sizes == TLB_4K &&
           c.l1d.array[1].entries == 32 && c.l1d.array[1].sizes == (TLB_2M | TLB_1G) && c.l1d.array[2].entries == 0,
       "l1d: two arrays with their sizes");
    ok(c.l1i.array[0].ways == 64 && c.l1i.array[0].sizes == TLB_ALL, "l1i: full = 64 ways, all sizes");
    ok(c.l2.array[0].entries == 1536 && c.l2.array[0].ways == 16, "l2 1536 x 16");
    struct tlb_config m4 = *tlb_preset("tiny");
    ok(tlb_config_parse(&m4, "l1d=32x4:2m+4m;8xfull:4M", err, sizeof err) == 0 &&
           m4.l1d.array[0].sizes == (TLB_2M | TLB_4M) && m4.l1d.array[1].sizes == TLB_4M,
       "4m is a page size of the syntax");
    ok(c.pwc[4] == 2 && c.pwc[3] == 4 && c.pwc[2] == 8 && c.pwc[1] == 32, "pwc in ChampSim order L5/L4/L3/L2");
    ok(c.repl == TLB_REPL_PLRU, "repl=plru");
    ok(strstr(c.name, "+custom") != NULL, "name marked +custom (%s)", c.name);
    ok(tlb_config_parse(&c, "repl=random,seed=0x2a", err, sizeof err) == 0 && c.repl == TLB_REPL_RANDOM &&
           c.seed == 42, "repl=random, seed in hex");
    ok(c.l2.array[0].entries == 1536, "a spec changes only what it names");
    ok(tlb_config_parse(&c, "l2=none,pwc=none", err, sizeof err) == 0 && c.l2.array[0].entries == 0 &&
           c.pwc[1] == 0, "none for a level and for the PWCs");
    ok(tlb_config_parse(&c, "", err, sizeof err) == 0, "empty spec: no change");

    /* describe, then parse the description: the same configuration */
    for (const char *const *p = tlb_preset_names; *p; p++) {
        struct tlb_config a = *tlb_preset(*p), b2 = *tlb_preset("none");
        char d[512];
        tlb_config_describe(&a, d, sizeof d);
        int rc = tlb_config_parse(&b2, d, err, sizeof err);
        ok(rc == 0 && !memcmp(&a.l1i, &b2.l1i, sizeof a.l1i) && !memcmp(&a.l1d, &b2.l1d, sizeof a.l1d) &&
               !memcmp(&a.l2, &b2.l2, sizeof a.l2) && !memcmp(a.pwc, b2.pwc, sizeof a.pwc) && a.repl == b2.repl,
           "describe/parse round trip: %s (%s)", *p, d);
    }

    static const struct { const char *spec, *bad; } bad[] = {
        {"l1d=64", "l1d=64"},
        {"l1d=64x5", "sets of 5 ways"},           /* 64 % 5 != 0: the check says why */
        {"l1d=0x4", "l1d=0x4"},
        {"l1d=64x4:8k", "l1d=64x4:8k"},
        {"l1d=64x4:", "l1d=64x4:"},
        {"l3=64x4", "l3=64x4"},
        {"l1d=64x4,bogus", "bogus"},
        {"repl=fifo", "repl=fifo"},
        {"pwc=1/2/3", "pwc=1/2/3"},
        {"pwc=1/2/3/4/5", "pwc=1/2/3/4/5"},
        {"seed=12abc", "seed=12abc"},
        {"l1d=64x4;32x4;16x4;8x4;4x4", "l1d=64x4;32x4;16x4;8x4;4x4"},
        {"l1d=999999999x1", "l1d=999999999x1"},
        {"l1d=24x3,repl=plru", "3"},              /* PLRU needs power-of-two ways */
        {"pwc=1/1/1/5000", "5000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tlb_config before = *tlb_preset("golden-cove"), cfg = before;
        err[0] = 0;
        int rc = tlb_config_parse(&cfg, bad[i].spec, err, sizeof err);
        ok(rc == -1 && strstr(err, bad[i].bad) && !memcmp(&cfg, &before, sizeof cfg),
           "bad spec '%s' refused, message names '%s', config unchanged (%s)", bad[i].spec, bad[i].bad, err);
    }
    struct tlb_config cfg = *tlb_preset("tiny");
    tlb_config_parse(&cfg, "l1d=8x2,bogus=1", err, sizeof err);
    ok(strstr(err, "offset 8") != NULL, "the message gives the offset of the bad part (%s)", err);
}

int main(void)
{
    test_presets();
    test_parse();
    return tap_done();
}
