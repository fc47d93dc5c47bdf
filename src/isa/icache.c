/* icache.c — the decoded-instruction cache: a decoded page per physical
 * frame, found by a hash of the frame number.
 *
 * A decoded page holds one slot per halfword of its frame, filled lazily as
 * instructions at those addresses execute. Nothing here knows when a frame
 * is written: every slot carries the bytes it was decoded from and the
 * interpreter executes it only while the frame still holds them (exec.c),
 * so a page can never go stale, whatever wrote the frame. When the cache is
 * full the oldest page is dropped (its decoding is lost, nothing else).
 */
#include "isa/isa_impl.h"

#include <stdlib.h>
#include <string.h>

int rv_icache_init(struct rv_icache *ic, unsigned max)
{
    ic->max = max;
    ic->nbuckets = 1;
    while (ic->nbuckets < max * 2)
        ic->nbuckets <<= 1;
    ic->hash = calloc(ic->nbuckets, sizeof *ic->hash);
    ic->ring = calloc(max, sizeof *ic->ring);
    ic->n = ic->hand = 0;
    if (!ic->hash || !ic->ring) {
        free(ic->hash);
        free(ic->ring);
        return -1;
    }
    return 0;
}

void rv_icache_destroy(struct rv_icache *ic)
{
    for (unsigned i = 0; i < ic->n; i++)
        free(ic->ring[i]);
    free(ic->hash);
    free(ic->ring);
}

static unsigned bucket(const struct rv_icache *ic, paddr_t frame)
{
    uint64_t h = (frame >> VM_PAGE_SHIFT) * 0x9e3779b97f4a7c15ull;
    return (unsigned)(h >> 40) & (ic->nbuckets - 1);
}

static void unhash(struct rv_icache *ic, struct rv_dpage *d)
{
    struct rv_dpage **pp = &ic->hash[bucket(ic, d->frame)];
    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
}

struct rv_dpage *rv_icache_get(struct rv_icache *ic, paddr_t frame, const struct rv_insn *blank,
                               struct rv_stats *st)
{
    unsigned b = bucket(ic, frame);
    for (struct rv_dpage *d = ic->hash[b]; d; d = d->hnext)
        if (d->frame == frame)
            return d;
    struct rv_dpage *d;
    if (ic->n < ic->max) {
        d = malloc(sizeof *d);
        if (!d)
            return NULL;
        ic->ring[ic->n++] = d;
    } else {
        d = ic->ring[ic->hand];        /* the oldest: reuse it */
        ic->hand = (ic->hand + 1) % ic->max;
        unhash(ic, d);
        st->frames_dropped++;
    }
    /* every slot DECODE: the first execution decodes */
    for (unsigned i = 0; i < RV_SLOTS; i++)
        d->slot[i] = *blank;
    d->frame = frame;
    d->hnext = ic->hash[b];
    ic->hash[b] = d;
    st->decoded_frames++;
    return d;
}
