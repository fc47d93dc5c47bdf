/* refsim.c — reference page-replacement simulators (see refsim.h).
 *
 * One loop for every policy: look the page up; on a hit let the policy note
 * the reference; on a miss take a free frame or ask the policy for a victim,
 * then load. Residency is a page → frame map; the policies keep per-frame
 * state only. Clarity first, but no policy is worse than O(log frames) per
 * access (CLOCK is amortised O(1): each bit the hand clears was set by one
 * earlier reference), so the models can run on real traces.
 */
#include "replay/refsim.h"
#include "replay/nextuse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NOT_RESIDENT SIZE_MAX
#define NIL SIZE_MAX

static const char *const policy_names[REFSIM_NPOLICIES] = {
    [REFSIM_FIFO] = "fifo", [REFSIM_LRU] = "lru", [REFSIM_OPT] = "opt",
    [REFSIM_CLOCK] = "clock", [REFSIM_RANDOM] = "random",
    [REFSIM_OPT_CLEAN_FIRST] = "opt-clean-first",
};

const char *refsim_policy_name(enum refsim_policy p)
{
    return (unsigned)p < REFSIM_NPOLICIES ? policy_names[p] : "?";
}

int refsim_policy_parse(const char *name, enum refsim_policy *out)
{
    for (unsigned p = 0; p < REFSIM_NPOLICIES; p++) {
        if (strcasecmp(name, policy_names[p]) == 0) {
            *out = (enum refsim_policy)p;
            return 0;
        }
    }
    if (strcasecmp(name, "min") == 0 || strcasecmp(name, "belady") == 0) {
        *out = REFSIM_OPT;
        return 0;
    }
    if (strcasecmp(name, "second-chance") == 0) {
        *out = REFSIM_CLOCK;
        return 0;
    }
    return -1;
}

uint64_t refsim_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct sim {
    enum refsim_policy policy;
    size_t frames;              /* capacity */
    size_t used;                /* frames filled so far (always the lowest ones) */
    uint64_t *frame_page;       /* page in each frame */
    uint8_t *dirty;             /* per frame */

    size_t hand;                /* FIFO: oldest frame; CLOCK: the hand */
    uint8_t *ref;               /* CLOCK reference bits */

    size_t *prev, *next;        /* LRU: list of frames, head = most recent */
    size_t head, tail;

    const size_t *next_use;     /* OPT: next[i] of the stream */
    size_t *key;                /* OPT: per frame, next use of its page */
    size_t *heap;               /* OPT: frames, max-heap on (key, -frame) */
    size_t *heap_pos;           /* OPT: frame → position in heap */

    uint64_t rng;               /* RANDOM */
};

/* ---- LRU: a doubly linked list of frames in recency order ---- */

static void lru_unlink(struct sim *s, size_t f)
{
    if (s->prev[f] != NIL)
        s->next[s->prev[f]] = s->next[f];
    else
        s->head = s->next[f];
    if (s->next[f] != NIL)
        s->prev[s->next[f]] = s->prev[f];
    else
        s->tail = s->prev[f];
}

static void lru_push_front(struct sim *s, size_t f)
{
    s->prev[f] = NIL;
    s->next[f] = s->head;
    if (s->head != NIL)
        s->prev[s->head] = f;
    s->head = f;
    if (s->tail == NIL)
        s->tail = f;
}

/* ---- OPT: an indexed max-heap of frames keyed by their page's next use ---- */

/* Does frame a go before frame b? Farther next use first; among equal keys
 * (only "never used again" can tie) a clean page first if the policy says
 * so, then the lower frame index. */
static bool opt_before(const struct sim *s, size_t a, size_t b)
{
    if (s->key[a] != s->key[b])
        return s->key[a] > s->key[b];
    if (s->policy == REFSIM_OPT_CLEAN_FIRST && s->dirty[a] != s->dirty[b])
        return !s->dirty[a];
    return a < b;
}

static bool is_opt(enum refsim_policy p)
{
    return p == REFSIM_OPT || p == REFSIM_OPT_CLEAN_FIRST;
}

static void opt_swap(struct sim *s, size_t i, size_t j)
{
    size_t fi = s->heap[i], fj = s->heap[j];
    s->heap[i] = fj, s->heap_pos[fj] = i;
    s->heap[j] = fi, s->heap_pos[fi] = j;
}

/* Restores heap order around position i after its key changed. */
static void opt_fix(struct sim *s, size_t i)
{
    while (i > 0 && opt_before(s, s->heap[i], s->heap[(i - 1) / 2])) {
        opt_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < s->used && opt_before(s, s->heap[l], s->heap[best]))
            best = l;
        if (r < s->used && opt_before(s, s->heap[r], s->heap[best]))
            best = r;
        if (best == i)
            return;
        opt_swap(s, i, best);
        i = best;
    }
}

/* ---- the policy hooks ---- */

/* Frame f was referenced by access i (a hit, or the fault that loaded it). */
static void policy_reference(struct sim *s, size_t f, size_t i, bool loaded)
{
    switch (s->policy) {
    case REFSIM_LRU:
        if (!loaded)
            lru_unlink(s, f);
        lru_push_front(s, f);
        break;
    case REFSIM_OPT:
    case REFSIM_OPT_CLEAN_FIRST:
        s->key[f] = s->next_use[i];
        if (loaded && s->heap_pos[f] == NIL) {      /* a fresh frame joins */
            s->heap[s->used - 1] = f;
            s->heap_pos[f] = s->used - 1;
        }
        opt_fix(s, s->heap_pos[f]);
        break;
    case REFSIM_CLOCK:
        s->ref[f] = 1;
        break;
    case REFSIM_FIFO:
    case REFSIM_RANDOM:
    case REFSIM_NPOLICIES:
        break;
    }
}

/* All frames are full: choose the frame to replace. */
static size_t policy_victim(struct sim *s)
{
    size_t f = 0;
    switch (s->policy) {
    case REFSIM_FIFO:
        f = s->hand;                            /* frames were filled in order */
        s->hand = (s->hand + 1) % s->frames;
        break;
    case REFSIM_LRU:
        f = s->tail;
        lru_unlink(s, f);
        break;
    case REFSIM_OPT:
    case REFSIM_OPT_CLEAN_FIRST:
        f = s->heap[0];
        break;
    case REFSIM_CLOCK:
        while (s->ref[s->hand]) {
            s->ref[s->hand] = 0;
            s->hand = (s->hand + 1) % s->frames;
        }
        f = s->hand;
        s->hand = (s->hand + 1) % s->frames;
        break;
    case REFSIM_RANDOM:
        f = (size_t)(refsim_splitmix64(&s->rng) % s->frames);
        break;
    case REFSIM_NPOLICIES:
        break;
    }
    return f;
}

static void sim_free(struct sim *s)
{
    free(s->frame_page);
    free(s->dirty);
    free(s->ref);
    free(s->prev);
    free(s->next);
    free(s->key);
    free(s->heap);
    free(s->heap_pos);
    free((void *)s->next_use);
}

static int sim_init(struct sim *s, enum refsim_policy policy, size_t frames,
                    const uint64_t *pages, size_t n, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->policy = policy;
    /* More frames than accesses can never all fill: cap the arrays. */
    s->frames = frames < n ? frames : (n ? n : 1);
    s->head = s->tail = NIL;
    s->rng = seed;
    size_t m = s->frames;
    s->frame_page = malloc(m * sizeof *s->frame_page);
    s->dirty = calloc(m, 1);
    bool ok = s->frame_page && s->dirty;
    if (policy == REFSIM_CLOCK)
        ok = ok && (s->ref = calloc(m, 1));
    if (policy == REFSIM_LRU)
        ok = ok && (s->prev = malloc(m * sizeof(size_t))) && (s->next = malloc(m * sizeof(size_t)));
    if (is_opt(policy)) {
        size_t *next_use = malloc((n ? n : 1) * sizeof *next_use);
        s->next_use = next_use;
        ok = ok && next_use && (s->key = malloc(m * sizeof(size_t))) &&
             (s->heap = malloc(m * sizeof(size_t))) &&
             (s->heap_pos = malloc(m * sizeof(size_t))) &&
             nextuse_build(pages, n, next_use) == 0;
        if (ok)
            for (size_t f = 0; f < m; f++)
                s->heap_pos[f] = NIL;
    }
    if (!ok) {
        sim_free(s);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

int refsim_run_steps(enum refsim_policy policy, size_t frames, const uint64_t *pages,
                     const uint8_t *is_write, size_t n, uint64_t seed,
                     struct refsim_result *out, struct refsim_step *steps)
{
    if ((unsigned)policy >= REFSIM_NPOLICIES || frames == 0 || !out || (n && !pages)) {
        errno = EINVAL;
        return -1;
    }
    struct sim s;
    struct pagemap where;                       /* page → frame or NOT_RESIDENT */
    if (sim_init(&s, policy, frames, pages, n, seed) < 0)
        return -1;
    if (pagemap_init(&where, 0) < 0) {
        sim_free(&s);
        return -1;
    }
    struct refsim_result r = { .accesses = n };
    for (size_t i = 0; i < n; i++) {
        bool fresh;
        size_t *slot = pagemap_upsert(&where, pages[i], &fresh);
        if (!slot) {
            pagemap_free(&where);
            sim_free(&s);
            errno = ENOMEM;
            return -1;
        }
        struct refsim_step st = { 0 };
        size_t f = fresh ? NOT_RESIDENT : *slot;
        bool write = is_write && is_write[i];
        if (f != NOT_RESIDENT) {
            r.hits++;
            s.dirty[f] |= write;   /* before the policy hears of it: OPT's ties look at it */
            policy_reference(&s, f, i, false);
        } else {
            r.faults++;
            st.fault = 1;
            if (s.used < s.frames) {
                f = s.used++;
            } else {
                f = policy_victim(&s);
                uint64_t victim = s.frame_page[f];
                *pagemap_find(&where, victim) = NOT_RESIDENT;
                r.evictions++;
                r.dirty_evictions += s.dirty[f];
                st.evicted = 1, st.dirty = s.dirty[f], st.victim = victim;
            }
            /* (pagemap_find never moves slots, so `slot` is still valid) */
            *slot = f;
            s.frame_page[f] = pages[i];
            s.dirty[f] = write;
            policy_reference(&s, f, i, true);
        }
        if (steps)
            steps[i] = st;
    }
    pagemap_free(&where);
    sim_free(&s);
    *out = r;
    return 0;
}

int refsim_run(enum refsim_policy policy, size_t frames, const uint64_t *pages,
               const uint8_t *is_write, size_t n, uint64_t seed,
               struct refsim_result *out)
{
    return refsim_run_steps(policy, frames, pages, is_write, n, seed, out, NULL);
}
