/* test_refsim.c — the reference replacement models, stack distances and
 * next-use links against textbook answers, hand-worked examples and naive
 * implementations written here. */
#include "lib/tap.h"
#include "replay/nextuse.h"
#include "replay/refsim.h"
#include "replay/stackdist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t faults_of(enum refsim_policy p, size_t frames, const uint64_t *s, size_t n)
{
    struct refsim_result r;
    if (refsim_run(p, frames, s, NULL, n, 1, &r) < 0)
        return UINT64_MAX;
    return r.faults;
}

/* ---- random streams with some locality, so that hits happen ---- */

static uint64_t rng_state;
static uint64_t rnd(uint64_t bound) { return refsim_splitmix64(&rng_state) % bound; }

static void random_stream(uint64_t *s, uint8_t *w, size_t n, uint64_t npages)
{
    uint64_t base = rnd(1000) << 12;    /* page numbers need not be small */
    for (size_t i = 0; i < n; i++) {
        /* mostly a hot set of about a third of the pages, sometimes anywhere */
        uint64_t p = rnd(4) ? rnd(npages / 3 + 1) : rnd(npages);
        s[i] = base + p * 7919;
        if (w)
            w[i] = rnd(3) == 0;
    }
}

/* ---- naive models written independently of refsim.c ---- */

/* LRU as a list of pages, most recent first: O(n·m). */
static uint64_t naive_lru(size_t m, const uint64_t *s, size_t n)
{
    uint64_t *list = malloc(m * sizeof *list), faults = 0;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < len && list[j] != s[i])
            j++;
        if (j == len) {                 /* miss: drop the last if full */
            faults++;
            if (len < m)
                len++;
            j = len - 1;
        }
        memmove(list + 1, list, j * sizeof *list);
        list[0] = s[i];
    }
    free(list);
    return faults;
}

/* OPT by scanning the future at every eviction: O(n²). */
static uint64_t naive_opt(size_t m, const uint64_t *s, size_t n)
{
    uint64_t *mem = malloc(m * sizeof *mem), faults = 0;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < len && mem[j] != s[i])
            j++;
        if (j < len)
            continue;
        faults++;
        if (len < m) {
            mem[len++] = s[i];
            continue;
        }
        size_t victim = 0, farthest = 0;
        for (size_t f = 0; f < m; f++) {
            size_t t = i + 1;
            while (t < n && s[t] != mem[f])
                t++;
            if (t == n) {               /* never used again */
                victim = f;
                break;
            }
            if (t > farthest)
                farthest = t, victim = f;
        }
        mem[victim] = s[i];
    }
    free(mem);
    return faults;
}

/* ---- textbook known answers ---- */

static void test_textbook(void)
{
    /* Silberschatz, Operating System Concepts, the reference string of ch. 10 */
    static const uint64_t sg[] = { 7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1 };
    size_t n = sizeof sg / sizeof sg[0];
    is_u64(faults_of(REFSIM_FIFO, 3, sg, n), 15, "Silberschatz string, 3 frames: FIFO 15 faults");
    is_u64(faults_of(REFSIM_LRU, 3, sg, n), 12, "Silberschatz string, 3 frames: LRU 12 faults");
    is_u64(faults_of(REFSIM_OPT, 3, sg, n), 9, "Silberschatz string, 3 frames: OPT 9 faults");

    /* Belady's anomaly */
    static const uint64_t ba[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
    n = sizeof ba / sizeof ba[0];
    is_u64(faults_of(REFSIM_FIFO, 3, ba, n), 9, "Belady string: FIFO 9 faults with 3 frames");
    is_u64(faults_of(REFSIM_FIFO, 4, ba, n), 10, "Belady string: FIFO 10 faults with 4 frames");
    ok(faults_of(REFSIM_LRU, 4, ba, n) <= faults_of(REFSIM_LRU, 3, ba, n),
       "Belady string: LRU shows no anomaly");

    struct refsim_result r;
    ok(refsim_run(REFSIM_LRU, 3, sg, NULL, 20, 0, &r) == 0 && r.hits == 8 && r.accesses == 20 &&
           r.evictions == 9 && r.dirty_evictions == 0,
       "LRU result: 8 hits, 9 evictions (12 faults - 3 cold), no writes");
}

/* ---- CLOCK, worked by hand ----
 * 3 frames, string 1 2 3 2 4 1 2 3 1 4.
 *   1 2 3  fill frames 0,1,2, bits 1 1 1, hand at 0
 *   2      hit
 *   4      hand clears 0,1,2, comes round, takes frame 0 (page 1); hand -> 1
 *   1      frame 1 bit clear: replace page 2; hand -> 2
 *   2      frame 2 bit clear: replace page 3; hand -> 0
 *   3      clears 0,1,2, takes frame 0 (page 4); hand -> 1
 *   1      hit (frame 1), bit set
 *   4      frame 1 bit set: clear; frame 2 clear: replace page 2; hand -> 0
 * 8 faults, victims 1 2 3 4 2. */
static void test_clock(void)
{
    static const uint64_t s[] = { 1, 2, 3, 2, 4, 1, 2, 3, 1, 4 };
    static const uint64_t victims[] = { 1, 2, 3, 4, 2 };
    struct refsim_step steps[10];
    struct refsim_result r;
    ok(refsim_run_steps(REFSIM_CLOCK, 3, s, NULL, 10, 0, &r, steps) == 0, "clock runs");
    is_u64(r.faults, 8, "clock hand example: 8 faults");
    is_u64(r.hits, 2, "clock hand example: 2 hits");
    size_t k = 0;
    bool same = true;
    for (size_t i = 0; i < 10; i++)
        if (steps[i].evicted)
            same = same && k < 5 && steps[i].victim == victims[k++];
    ok(same && k == 5, "clock hand example: victims 1 2 3 4 2 in order");
    ok(steps[3].fault == 0 && steps[8].fault == 0 && steps[4].fault == 1, "clock: per-step faults");

    /* With all bits clear the hand takes the frame under it and moves one on:
     * 1 2 | 3 (sweep: clears both, takes frame 0) 4 (frame 1 clear: takes it). */
    static const uint64_t s2[] = { 1, 2, 3, 4, 3 };
    ok(refsim_run_steps(REFSIM_CLOCK, 2, s2, NULL, 5, 0, &r, steps) == 0 &&
           steps[2].victim == 1 && steps[3].victim == 2 && steps[4].fault == 0,
       "clock: after a full sweep the hand moves past the replaced frame");
}

/* ---- OPT ties ---- */
static void test_opt_ties(void)
{
    struct refsim_step steps[8];
    struct refsim_result r;
    static const uint64_t s[] = { 1, 2, 3, 4, 5 };    /* nothing is ever reused */
    ok(refsim_run_steps(REFSIM_OPT, 3, s, NULL, 5, 0, &r, steps) == 0 &&
           steps[3].victim == 1 && steps[4].victim == 4,
       "OPT: among pages never used again, the lowest frame goes");
    static const uint64_t s2[] = { 1, 2, 3, 4, 1, 2 };
    ok(refsim_run_steps(REFSIM_OPT, 3, s2, NULL, 6, 0, &r, steps) == 0 && steps[3].victim == 3 &&
           r.faults == 4,
       "OPT: the page never used again goes before pages used later");
    static const uint64_t s3[] = { 1, 2, 3, 4, 3, 2, 1 };
    ok(refsim_run_steps(REFSIM_OPT, 3, s3, NULL, 7, 0, &r, steps) == 0 && steps[3].victim == 1,
       "OPT: the page whose next use is farthest goes");
}

/* ---- dirty evictions, worked by hand ---- */
static void test_dirty(void)
{
    /* FIFO, 2 frames: 1W 2 3 1 2W 3 1
     *   3 evicts 1 (dirty) · 1 evicts 2 · 2W evicts 3 · 3 evicts 1 · 1 evicts 2 (dirty) */
    static const uint64_t s[] = { 1, 2, 3, 1, 2, 3, 1 };
    static const uint8_t w[] = { 1, 0, 0, 0, 1, 0, 0 };
    struct refsim_result r;
    ok(refsim_run(REFSIM_FIFO, 2, s, w, 7, 0, &r) == 0, "fifo dirty example runs");
    is_u64(r.faults, 7, "fifo dirty example: 7 faults");
    is_u64(r.evictions, 5, "fifo dirty example: 5 evictions");
    is_u64(r.dirty_evictions, 2, "fifo dirty example: 2 writes to disk");

    /* LRU, 2 frames: 1 2 1W(hit) 3 2 -- 3 evicts 2 (clean), 2 evicts 1 (dirtied by the hit) */
    static const uint64_t s2[] = { 1, 2, 1, 3, 2 };
    static const uint8_t w2[] = { 0, 0, 1, 0, 0 };
    ok(refsim_run(REFSIM_LRU, 2, s2, w2, 5, 0, &r) == 0 && r.faults == 4 && r.evictions == 2 &&
           r.dirty_evictions == 1,
       "lru: a write hit dirties the page; 1 write to disk of 2 evictions");

    /* A page reloaded after being written and evicted starts clean. */
    static const uint64_t s3[] = { 1, 2, 1, 2 };
    static const uint8_t w3[] = { 1, 1, 0, 0 };
    ok(refsim_run(REFSIM_FIFO, 1, s3, w3, 4, 0, &r) == 0 && r.dirty_evictions == 2 && r.evictions == 3,
       "fifo 1 frame: only the two written loads are written back");
    /* Nothing flushed at the end: written pages still resident count nothing. */
    ok(refsim_run(REFSIM_CLOCK, 4, s3, w3, 4, 0, &r) == 0 && r.dirty_evictions == 0 && r.faults == 2,
       "no writes to disk without evictions");
}

/* ---- random streams: stack property, OPT optimality, naive agreement ---- */
static void test_random_streams(void)
{
    int seeds = getenv("VMLAB_SAN") && *getenv("VMLAB_SAN") ? 40 : 200;
    size_t n = 600;
    uint64_t *s = malloc(n * sizeof *s);
    uint8_t *w = malloc(n);
    bool stack_ok = true, opt_best = true, lru_naive = true, opt_naive = true, sd_lru = true,
         sd_opt = true, all_fit = true, rnd_repeat = true, counts_ok = true, dirty_bound = true,
         clean_ties = true, clean_fewer = false;
    for (int seed = 0; seed < seeds; seed++) {
        rng_state = (uint64_t)seed * 1000003;
        uint64_t npages = 3 + rnd(40);
        size_t len = 20 + rnd(n - 20);
        random_stream(s, w, len, npages);
        size_t maxm = npages + 2;
        uint64_t lru_all[64], opt_all[64];
        stackdist_lru_faults(s, len, maxm, lru_all);
        stackdist_opt_faults(s, len, maxm, opt_all);
        uint64_t prev_lru = UINT64_MAX, prev_opt = UINT64_MAX;
        for (size_t m = 1; m <= maxm; m++) {
            struct refsim_result r[REFSIM_NPOLICIES];
            for (unsigned p = 0; p < REFSIM_NPOLICIES; p++) {
                refsim_run((enum refsim_policy)p, m, s, w, len, (uint64_t)seed, &r[p]);
                counts_ok = counts_ok && r[p].hits + r[p].faults == len && r[p].accesses == len &&
                            r[p].evictions <= r[p].faults;
                dirty_bound = dirty_bound && r[p].dirty_evictions <= r[p].evictions;
            }
            uint64_t lru = r[REFSIM_LRU].faults, opt = r[REFSIM_OPT].faults;
            stack_ok = stack_ok && lru <= prev_lru && opt <= prev_opt;
            prev_lru = lru, prev_opt = opt;
            for (unsigned p = 0; p < REFSIM_NPOLICIES; p++)
                opt_best = opt_best && opt <= r[p].faults;
            /* clean-first only chooses among pages never used again: the same
             * faults, never more writes (a clean page costs none, and a dirty
             * page never used again costs one whenever it goes) */
            const struct refsim_result *oc = &r[REFSIM_OPT_CLEAN_FIRST], *o = &r[REFSIM_OPT];
            clean_ties = clean_ties && oc->faults == o->faults && oc->evictions == o->evictions &&
                         oc->dirty_evictions <= o->dirty_evictions;
            clean_fewer = clean_fewer || oc->dirty_evictions < o->dirty_evictions;
            lru_naive = lru_naive && lru == naive_lru(m, s, len);
            opt_naive = opt_naive && opt == naive_opt(m, s, len);
            sd_lru = sd_lru && lru_all[m] == lru;
            sd_opt = sd_opt && opt_all[m] == opt;
            if (m >= npages) {          /* everything fits: cold faults only */
                size_t distinct;
                size_t *ids = malloc(len * sizeof *ids);
                page_dense_ids(s, len, ids, &distinct);
                free(ids);
                for (unsigned p = 0; p < REFSIM_NPOLICIES; p++)
                    all_fit = all_fit && r[p].faults == distinct && r[p].evictions == 0;
            }
            struct refsim_result again;
            refsim_run(REFSIM_RANDOM, m, s, w, len, (uint64_t)seed, &again);
            rnd_repeat = rnd_repeat && memcmp(&again, &r[REFSIM_RANDOM], sizeof again) == 0;
        }
        sd_lru = sd_lru && lru_all[0] == len;
    }
    ok(stack_ok, "LRU and OPT faults never increase with more frames (%d random streams)", seeds);
    ok(opt_best, "OPT faults <= every other policy's, every size");
    ok(lru_naive, "LRU equals a naive list LRU, every size");
    ok(opt_naive, "OPT equals a naive future-scanning OPT, every size");
    ok(sd_lru, "stack distances give LRU's faults for every size");
    ok(sd_opt, "the OPT priority stack gives OPT's faults for every size");
    ok(all_fit, "with a frame per page every policy takes only cold faults");
    ok(rnd_repeat, "RANDOM is reproducible from its seed");
    ok(counts_ok, "hits + faults = accesses; evictions <= faults");
    ok(dirty_bound, "dirty evictions <= evictions");
    ok(clean_ties, "OPT clean-first: the same faults as OPT, never more writes to disk");
    ok(clean_fewer, "and on some streams fewer");

    /* Belady's anomaly is real for FIFO on random strings (some seed shows it),
     * and the seed matters to RANDOM. */
    bool anomaly = false, seed_matters = false;
    for (int seed = 0; seed < 20000 && !anomaly; seed++) {
        rng_state = (uint64_t)seed;
        for (size_t i = 0; i < 30; i++)
            s[i] = rnd(6);
        for (size_t m = 1; m < 6; m++)
            anomaly = anomaly || faults_of(REFSIM_FIFO, m + 1, s, 30) > faults_of(REFSIM_FIFO, m, s, 30);
    }
    rng_state = 5;
    random_stream(s, NULL, n, 30);
    struct refsim_result a, b;
    for (uint64_t seed = 1; seed < 20 && !seed_matters; seed++) {
        refsim_run(REFSIM_RANDOM, 8, s, NULL, n, 0, &a);
        refsim_run(REFSIM_RANDOM, 8, s, NULL, n, seed, &b);
        seed_matters = a.faults != b.faults;
    }
    ok(anomaly, "FIFO shows Belady's anomaly on some random string");
    ok(seed_matters, "RANDOM's choices depend on the seed");
    free(s);
    free(w);
}

/* ---- stack distances by hand ---- */
static void test_stackdist_hand(void)
{
    /* a b c a b b d a: distances inf inf inf 3 3 1 inf 3 */
    static const uint64_t s[] = { 10, 11, 12, 10, 11, 11, 13, 10 };
    static const size_t want[] = { STACKDIST_COLD, STACKDIST_COLD, STACKDIST_COLD, 3, 3, 1,
                                   STACKDIST_COLD, 3 };
    size_t d[8];
    ok(stackdist_lru(s, 8, d) == 0 && memcmp(d, want, sizeof d) == 0, "LRU stack distances by hand");
    uint64_t f[6];
    stackdist_faults_from(d, 8, 5, f);
    ok(f[0] == 8 && f[1] == 7 && f[2] == 7 && f[3] == 4 && f[4] == 4 && f[5] == 4,
       "faults per size from distances: 8 7 7 4 4 4");
    uint64_t g[6];
    ok(stackdist_lru_faults(s, 8, 5, g) == 0 && memcmp(f, g, sizeof f) == 0,
       "stackdist_lru_faults agrees with the distances");
    ok(stackdist_lru_faults(s, 0, 3, g) == 0 && g[0] == 0 && g[3] == 0, "empty stream: no faults");
    ok(stackdist_opt_faults(s, 8, 0, g) == 0 && g[0] == 8, "max_frames 0: faults[0] = n");

    /* larger: stack distances on a real-ish stream agree with refsim at a few sizes */
    size_t n = 200000;
    uint64_t *big = malloc(n * sizeof *big);
    rng_state = 99;
    random_stream(big, NULL, n, 3000);
    uint64_t *all = malloc(2049 * sizeof *all);
    bool same = stackdist_lru_faults(big, n, 2048, all) == 0;
    for (size_t m = 1; m <= 2048; m *= 4)
        same = same && all[m] == faults_of(REFSIM_LRU, m, big, n);
    ok(same, "stack distances = refsim LRU on 200k accesses over 3000 pages (sizes 1..1024)");
    free(all);
    free(big);
}

/* ---- next-use links and the page map ---- */
static void test_nextuse(void)
{
    static const uint64_t s[] = { 5, 6, 5, 7, 6, 5 };
    size_t next[6];
    ok(nextuse_build(s, 6, next) == 0 && next[0] == 2 && next[1] == 4 && next[2] == 5 &&
           next[3] == NEXTUSE_NEVER && next[4] == NEXTUSE_NEVER && next[5] == NEXTUSE_NEVER,
       "next use by hand: 2 4 5 never never never");

    bool same = true, dense_ok = true;
    size_t n = 3000;
    uint64_t *r = malloc(n * sizeof *r);
    size_t *nx = malloc(n * sizeof *nx), *nx2 = malloc(n * sizeof *nx2), *ids = malloc(n * sizeof *ids);
    for (int seed = 0; seed < 10; seed++) {
        rng_state = (uint64_t)seed + 77;
        for (size_t i = 0; i < n; i++)   /* huge, sparse page numbers force collisions to be resolved */
            r[i] = rnd(2) ? rnd(50) << 40 : refsim_splitmix64(&rng_state) % 400;
        nextuse_build(r, n, nx);
        for (size_t i = 0; i < n && same; i++) {
            size_t j = i + 1;
            while (j < n && r[j] != r[i])
                j++;
            same = nx[i] == (j == n ? NEXTUSE_NEVER : j);
        }
        size_t k;
        page_dense_ids(r, n, ids, &k);
        size_t seen = 0;
        for (size_t i = 0; i < n; i++) {
            if (ids[i] == seen)
                seen++;
            dense_ok = dense_ok && ids[i] < seen;   /* numbered in order of first use */
            for (size_t j = 0; j < i && dense_ok; j += 97)
                dense_ok = (r[j] == r[i]) == (ids[j] == ids[i]);
        }
        dense_ok = dense_ok && seen == k;
        nextuse_build_dense(ids, n, k, nx2);
        same = same && memcmp(nx, nx2, n * sizeof *nx) == 0;
    }
    ok(same, "next use = brute-force scan, hashed and dense, on random streams");
    ok(dense_ok, "dense ids: one id per distinct page, in order of first use");

    /* the map against an array model: keys 0..9999 scaled, inserted twice */
    struct pagemap m;
    bool map_ok = pagemap_init(&m, 0) == 0;
    for (uint64_t k = 0; k < 10000 && map_ok; k++) {
        bool fresh;
        size_t *v = pagemap_upsert(&m, k * 0x100000001ull, &fresh);
        map_ok = v && fresh;
        if (map_ok)
            *v = (size_t)k * 3;
    }
    for (uint64_t k = 0; k < 10000 && map_ok; k++) {
        bool fresh;
        size_t *v = pagemap_upsert(&m, k * 0x100000001ull, &fresh);
        map_ok = v && !fresh && *v == k * 3 && pagemap_find(&m, k * 0x100000001ull + 1) == NULL;
    }
    ok(map_ok && m.count == 10000, "page map: 10000 keys inserted, found, values kept across growth");
    pagemap_free(&m);
    free(r), free(nx), free(nx2), free(ids);
}

static void test_errors(void)
{
    static const uint64_t s[] = { 1 };
    struct refsim_result r;
    errno = 0;
    ok(refsim_run(REFSIM_LRU, 0, s, NULL, 1, 0, &r) == -1 && errno == EINVAL, "0 frames: EINVAL");
    ok(refsim_run((enum refsim_policy)99, 1, s, NULL, 1, 0, &r) == -1, "bad policy rejected");
    ok(refsim_run(REFSIM_OPT, 4, NULL, NULL, 0, 0, &r) == 0 && r.faults == 0, "empty stream");
    ok(refsim_run(REFSIM_FIFO, SIZE_MAX, s, NULL, 1, 0, &r) == 0 && r.faults == 1,
       "huge frame count: no huge allocation");
    enum refsim_policy p;
    ok(refsim_policy_parse("Clock", &p) == 0 && p == REFSIM_CLOCK && refsim_policy_parse("min", &p) == 0 &&
           p == REFSIM_OPT && refsim_policy_parse("lfu", &p) == -1,
       "policy names parse");
    is_str(refsim_policy_name(REFSIM_RANDOM), "random", "policy name");
    uint64_t st = 0;
    is_u64(refsim_splitmix64(&st), 0xe220a8397b1dcdafull, "splitmix64 first output from seed 0");
}

int main(void)
{
    test_textbook();
    test_clock();
    test_opt_ties();
    test_dirty();
    test_stackdist_hand();
    test_random_streams();
    test_nextuse();
    test_errors();
    return tap_done();
}
