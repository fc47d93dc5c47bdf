/* palloc.c — page allocator: a bitmap over a range of physical frames.
 *
 * As PintOS's palloc, the kernel keeps two pools: the kernel pool (page
 * tables) and the user pool (user pages), so that user pages can never
 * starve the kernel of page-table pages. A pool hands out frame numbers;
 * what a frame holds is its owner's business. Allocation is first-fit: the
 * lowest free frame, searched one 64-bit word of the bitmap at a time from
 * a hint below which every word is full (a free lowers it), so frames are
 * numbered as course simulators number them (filled 0, 1, 2, ...).
 */
#include <errno.h>
#include <stdlib.h>

#include "os/kern.h"

/* A pool owned by a structure with its own lock (the frame table's user
 * pool) skips the pool mutex: one lock operation less per fault. */
static inline void pool_lock(struct pool *pl)
{
    if (!pl->external_lock)
        pthread_mutex_lock(&pl->lock);
}

static inline void pool_unlock(struct pool *pl)
{
    if (!pl->external_lock)
        pthread_mutex_unlock(&pl->lock);
}

int pool_init(struct pool *pl, uint64_t base, uint64_t nframes)
{
    pl->external_lock = false;
    pl->base = base;
    pl->nframes = nframes;
    pl->used = 0;
    pl->hint = 0;
    uint64_t words = (nframes + 63) / 64;
    pl->bitmap = calloc(words ? words : 1, sizeof *pl->bitmap);
    if (!pl->bitmap)
        return -ENOMEM;
    /* Bits past the end are permanently "used" so the search never returns them. */
    if (nframes % 64)
        pl->bitmap[words - 1] = ~0ull << (nframes % 64);
    pthread_mutex_init(&pl->lock, NULL);
    return 0;
}

void pool_destroy(struct pool *pl)
{
    free(pl->bitmap);
    pl->bitmap = NULL;
    pthread_mutex_destroy(&pl->lock);
}

int64_t pool_alloc(struct pool *pl)
{
    int64_t got = -1;
    pool_lock(pl);
    if (pl->used == pl->nframes) {   /* full: the common case under memory pressure */
        pool_unlock(pl);
        return -1;
    }
    uint64_t words = (pl->nframes + 63) / 64;
    for (uint64_t k = 0; k < words; k++) {
        uint64_t w = (pl->hint + k) % words;
        if (~pl->bitmap[w]) {
            unsigned bit = (unsigned)__builtin_ctzll(~pl->bitmap[w]);
            pl->bitmap[w] |= 1ull << bit;
            pl->used++;
            pl->hint = w;
            got = (int64_t)(pl->base + w * 64 + bit);
            break;
        }
    }
    pool_unlock(pl);
    return got;
}

int64_t pool_peek(const struct pool *pl)
{
    if (pl->used == pl->nframes)
        return -1;
    uint64_t words = (pl->nframes + 63) / 64;
    for (uint64_t k = 0; k < words; k++) {
        uint64_t w = (pl->hint + k) % words;
        if (~pl->bitmap[w])
            return (int64_t)(pl->base + w * 64 + (unsigned)__builtin_ctzll(~pl->bitmap[w]));
    }
    return -1;
}

static bool range_free(const struct pool *pl, uint64_t i, uint64_t n)
{
    for (uint64_t j = i; j < i + n; j++)
        if (pl->bitmap[j / 64] >> (j % 64) & 1)
            return false;
    return true;
}

int64_t pool_alloc_contig(struct pool *pl, uint64_t n, uint64_t align)
{
    if (n == 0 || n > pl->nframes)
        return -1;
    if (align == 0)
        align = 1;
    int64_t got = -1;
    pool_lock(pl);
    /* first index i (relative to the pool) with base+i aligned */
    uint64_t first = (align - pl->base % align) % align;
    for (uint64_t i = first; i + n <= pl->nframes; i += align) {
        if (range_free(pl, i, n)) {
            for (uint64_t j = i; j < i + n; j++)
                pl->bitmap[j / 64] |= 1ull << (j % 64);
            pl->used += n;
            got = (int64_t)(pl->base + i);
            break;
        }
    }
    pool_unlock(pl);
    return got;
}

void pool_free_contig(struct pool *pl, uint64_t frame, uint64_t n)
{
    pool_lock(pl);
    for (uint64_t f = frame; f < frame + n; f++) {
        uint64_t i = f - pl->base;
        /* freeing a free frame is a kernel bug (PintOS pitfall 12: double free) */
        if (f < pl->base || i >= pl->nframes || !(pl->bitmap[i / 64] >> (i % 64) & 1))
            abort();
        pl->bitmap[i / 64] &= ~(1ull << (i % 64));
        pl->used--;
        if (i / 64 < pl->hint)
            pl->hint = i / 64;   /* words below the hint stay full */
    }
    pool_unlock(pl);
}

void pool_free(struct pool *pl, uint64_t frame)
{
    pool_free_contig(pl, frame, 1);
}

uint64_t pool_used(struct pool *pl)
{
    pool_lock(pl);
    uint64_t u = pl->used;
    pool_unlock(pl);
    return u;
}

bool pool_is_used(struct pool *pl, uint64_t frame)
{
    if (frame < pl->base || frame - pl->base >= pl->nframes)
        return false;
    uint64_t i = frame - pl->base;
    pool_lock(pl);
    bool u = pl->bitmap[i / 64] >> (i % 64) & 1;
    pool_unlock(pl);
    return u;
}
