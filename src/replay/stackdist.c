/* stackdist.c — one-pass fault counts for all memory sizes (see stackdist.h). */
#include "replay/stackdist.h"
#include "replay/nextuse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- a Fenwick (binary indexed) tree of 0/1 marks over times 0..n-1 ---- */

struct fenwick {
    size_t n;
    size_t *t;                          /* 1-based */
};

static void fenwick_add(struct fenwick *fw, size_t i, int delta)
{
    for (size_t k = i + 1; k <= fw->n; k += k & -k)
        fw->t[k] += (size_t)delta;      /* unsigned wrap-around undoes +1 exactly */
}

/* Sum of marks at times 0..i-1. */
static size_t fenwick_prefix(const struct fenwick *fw, size_t i)
{
    size_t s = 0;
    for (size_t k = i; k > 0; k -= k & -k)
        s += fw->t[k];
    return s;
}

/* The LRU pass. For each access, either stores its distance in dist[i] or
 * (dist == NULL) counts it in hist[d] for d <= maxd. */
static int lru_pass(const uint64_t *pages, size_t n, size_t *dist, uint64_t *hist, size_t maxd)
{
    struct fenwick fw = { .n = n, .t = calloc(n + 1, sizeof(size_t)) };
    struct pagemap last;                /* page → time of its latest use */
    if (!fw.t) {
        errno = ENOMEM;
        return -1;
    }
    if (pagemap_init(&last, 0) < 0) {
        free(fw.t);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        bool fresh;
        size_t *t = pagemap_upsert(&last, pages[i], &fresh);
        if (!t) {
            pagemap_free(&last);
            free(fw.t);
            errno = ENOMEM;
            return -1;
        }
        size_t d = STACKDIST_COLD;
        if (!fresh) {
            /* distinct pages touched strictly between the two uses, plus one */
            d = 1 + fenwick_prefix(&fw, i) - fenwick_prefix(&fw, *t + 1);
            fenwick_add(&fw, *t, -1);
        }
        fenwick_add(&fw, i, +1);
        *t = i;
        if (dist)
            dist[i] = d;
        else if (d <= maxd)
            hist[d]++;
    }
    pagemap_free(&last);
    free(fw.t);
    return 0;
}

int stackdist_lru(const uint64_t *pages, size_t n, size_t *dist)
{
    if (n && (!pages || !dist)) {
        errno = EINVAL;
        return -1;
    }
    return lru_pass(pages, n, dist, NULL, 0);
}

/* faults[m] = n - (accesses with distance <= m), from a histogram. */
static void faults_from_hist(const uint64_t *hist, size_t n, size_t max_frames, uint64_t *faults)
{
    uint64_t hits = 0;
    faults[0] = n;
    for (size_t m = 1; m <= max_frames; m++) {
        hits += hist[m];
        faults[m] = n - hits;
    }
}

void stackdist_faults_from(const size_t *dist, size_t n, size_t max_frames, uint64_t *faults)
{
    memset(faults, 0, (max_frames + 1) * sizeof *faults);
    for (size_t i = 0; i < n; i++)      /* faults[] doubles as the histogram */
        if (dist[i] <= max_frames)
            faults[dist[i]]++;
    faults_from_hist(faults, n, max_frames, faults);
}

int stackdist_lru_faults(const uint64_t *pages, size_t n, size_t max_frames, uint64_t *faults)
{
    if (!faults || (n && !pages) || max_frames == SIZE_MAX) {
        errno = EINVAL;
        return -1;
    }
    uint64_t *hist = calloc(max_frames + 1, sizeof *hist);
    if (!hist) {
        errno = ENOMEM;
        return -1;
    }
    int rc = lru_pass(pages, n, NULL, hist, max_frames);
    if (rc == 0)
        faults_from_hist(hist, n, max_frames, faults);
    free(hist);
    return rc;
}

/* OPT: Mattson's priority stack, kept only max_frames deep (what lies below
 * can never change the top max_frames entries nor any distance <= max).
 * On an access to page x at depth d (d = "deeper than the stack" if absent):
 * x goes on top, and the old top is carried down through depths 2..d-1;
 * at each depth the page used sooner stays and the other is carried on;
 * the page still carried takes x's old place (or falls off the bottom). */
int stackdist_opt_faults(const uint64_t *pages, size_t n, size_t max_frames, uint64_t *faults)
{
    if (!faults || (n && !pages) || max_frames == SIZE_MAX) {
        errno = EINVAL;
        return -1;
    }
    size_t k = 0;
    size_t *ids = malloc((n ? n : 1) * sizeof *ids);
    size_t *next = malloc((n ? n : 1) * sizeof *next);
    size_t *stack = malloc((max_frames ? max_frames : 1) * sizeof *stack); /* ids, top first */
    size_t *key = malloc((max_frames ? max_frames : 1) * sizeof *key);     /* their next use */
    size_t *depth = NULL;                                                  /* id → index + 1, 0 = absent */
    uint64_t *hist = calloc(max_frames + 1, sizeof *hist);
    int rc = -1;
    if (!ids || !next || !stack || !key || !hist ||
        page_dense_ids(pages, n, ids, &k) < 0 || nextuse_build_dense(ids, n, k, next) < 0 ||
        !(depth = calloc(k ? k : 1, sizeof *depth))) {
        errno = ENOMEM;
        goto out;
    }
    size_t size = 0;                    /* entries in the stack */
    for (size_t i = 0; i < n && max_frames > 0; i++) {
        size_t x = ids[i];
        size_t d = depth[x];            /* 1-based; 0 = not within the stack */
        if (d == 1) {                   /* already on top: only its key moves */
            hist[1]++;
            key[0] = next[i];
            continue;
        }
        /* Where the carried page lands: x's old place, a new bottom entry,
         * or nowhere (the stack is full and x was not in it). */
        size_t land;
        if (d) {
            hist[d]++;
            land = d - 1;
        } else if (size < max_frames) {
            land = size++;
        } else {
            land = SIZE_MAX;
        }
        if (size > 1 || land == SIZE_MAX) {
            size_t carried = stack[0], carried_key = key[0];
            size_t stop = land == SIZE_MAX ? size : land;
            for (size_t j = 1; j < stop; j++) {
                if (key[j] > carried_key) {     /* the page used sooner stays shallower */
                    size_t id = stack[j], kk = key[j];
                    stack[j] = carried, key[j] = carried_key, depth[carried] = j + 1;
                    carried = id, carried_key = kk;
                }
            }
            if (land == SIZE_MAX) {
                depth[carried] = 0;     /* fell off the bottom */
            } else {
                stack[land] = carried, key[land] = carried_key, depth[carried] = land + 1;
            }
        }
        stack[0] = x, key[0] = next[i], depth[x] = 1;
    }
    faults_from_hist(hist, n, max_frames, faults);
    rc = 0;
out:
    free(ids), free(next), free(stack), free(key), free(depth), free(hist);
    return rc;
}
