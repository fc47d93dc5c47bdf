/* nextuse.c — page map, dense page ids and next-use links (see nextuse.h). */
#include "replay/nextuse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIB64 0x9e3779b97f4a7c15ull     /* 2^64 / golden ratio */

static size_t slot_of(const struct pagemap *m, uint64_t page)
{
    /* Fibonacci hashing: the multiply spreads runs of consecutive page
     * numbers (the common case) over the whole table. */
    return (size_t)((page * FIB64) >> m->shift);
}

static int alloc_table(struct pagemap *m, size_t cap)
{
    m->keys = malloc(cap * sizeof *m->keys);
    m->vals = malloc(cap * sizeof *m->vals);
    m->used = calloc(cap, 1);
    if (!m->keys || !m->vals || !m->used) {
        free(m->keys), free(m->vals), free(m->used);
        errno = ENOMEM;
        return -1;
    }
    unsigned log2cap = 0;
    while (((size_t)1 << log2cap) < cap)
        log2cap++;
    m->cap = cap;
    m->shift = 64 - log2cap;
    m->count = 0;
    return 0;
}

int pagemap_init(struct pagemap *m, size_t expected)
{
    size_t cap = 16;
    while (cap / 2 < expected) {
        if (cap > SIZE_MAX / 4 / sizeof(uint64_t)) {
            errno = EOVERFLOW;
            return -1;
        }
        cap *= 2;
    }
    memset(m, 0, sizeof *m);
    return alloc_table(m, cap);
}

void pagemap_free(struct pagemap *m)
{
    free(m->keys);
    free(m->vals);
    free(m->used);
    memset(m, 0, sizeof *m);
}

size_t *pagemap_find(const struct pagemap *m, uint64_t page)
{
    size_t mask = m->cap - 1;
    for (size_t s = slot_of(m, page);; s = (s + 1) & mask) {
        if (!m->used[s])
            return NULL;
        if (m->keys[s] == page)
            return &m->vals[s];
    }
}

/* Doubles the table, reinserting every key. */
static int grow(struct pagemap *m)
{
    struct pagemap old = *m;
    if (old.cap > SIZE_MAX / 4 / sizeof(uint64_t)) {
        errno = EOVERFLOW;
        return -1;
    }
    if (alloc_table(m, old.cap * 2) < 0) {
        *m = old;
        return -1;
    }
    size_t mask = m->cap - 1;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.used[i])
            continue;
        size_t s = slot_of(m, old.keys[i]);
        while (m->used[s])
            s = (s + 1) & mask;
        m->used[s] = 1;
        m->keys[s] = old.keys[i];
        m->vals[s] = old.vals[i];
    }
    m->count = old.count;
    pagemap_free(&old);
    return 0;
}

size_t *pagemap_upsert(struct pagemap *m, uint64_t page, bool *inserted)
{
    size_t mask = m->cap - 1;
    size_t s = slot_of(m, page);
    for (; m->used[s]; s = (s + 1) & mask) {
        if (m->keys[s] == page) {
            if (inserted)
                *inserted = false;
            return &m->vals[s];
        }
    }
    if ((m->count + 1) * 2 > m->cap) {  /* keep load <= 1/2: short probes */
        if (grow(m) < 0)
            return NULL;
        return pagemap_upsert(m, page, inserted);
    }
    m->used[s] = 1;
    m->keys[s] = page;
    m->vals[s] = 0;
    m->count++;
    if (inserted)
        *inserted = true;
    return &m->vals[s];
}

int page_dense_ids(const uint64_t *pages, size_t n, size_t *ids, size_t *distinct)
{
    struct pagemap m;
    if (pagemap_init(&m, 0) < 0)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool fresh;
        size_t *v = pagemap_upsert(&m, pages[i], &fresh);
        if (!v) {
            pagemap_free(&m);
            return -1;
        }
        if (fresh)
            *v = k++;
        ids[i] = *v;
    }
    pagemap_free(&m);
    *distinct = k;
    return 0;
}

int nextuse_build(const uint64_t *pages, size_t n, size_t *next)
{
    /* Walking backward, the map holds each page's nearest later access. */
    struct pagemap m;
    if (pagemap_init(&m, 0) < 0)
        return -1;
    for (size_t i = n; i-- > 0;) {
        bool fresh;
        size_t *v = pagemap_upsert(&m, pages[i], &fresh);
        if (!v) {
            pagemap_free(&m);
            return -1;
        }
        next[i] = fresh ? NEXTUSE_NEVER : *v;
        *v = i;
    }
    pagemap_free(&m);
    return 0;
}

int nextuse_build_dense(const size_t *ids, size_t n, size_t k, size_t *next)
{
    size_t *later = malloc((k ? k : 1) * sizeof *later);
    if (!later) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t p = 0; p < k; p++)
        later[p] = NEXTUSE_NEVER;
    for (size_t i = n; i-- > 0;) {
        next[i] = later[ids[i]];
        later[ids[i]] = i;
    }
    free(later);
    return 0;
}
