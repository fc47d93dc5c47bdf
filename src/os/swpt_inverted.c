/* swpt_inverted.c — an inverted page table (IBM RT, HP PA-RISC): one entry
 * per user frame naming the (ASID, virtual page) that frame holds, found
 * through a hash anchor table: hash(ASID, page) gives the first frame of a
 * chain, each entry the next. Its size follows physical memory, not
 * virtual: 16 bytes per frame plus 4 per anchor.
 *
 * A frame mapped by several pages (fork's copy-on-write sharing, the page
 * cache) can name only one of them: a refill for another misses, finds the
 * translation in the page tables, and re-points the frame's entry to
 * itself (an alias switch, counted) -- the classic price of one entry per
 * frame. A huge page's entry is its head frame's.
 */
#include <errno.h>
#include <stdlib.h>

#include "os/swpt.h"

#define NIL UINT32_MAX

struct ipte {
    uint64_t key;          /* swpt_key + 1; 0: names nothing */
    uint32_t next;         /* the chain */
    struct swpt_xlat x;
};

struct inverted {
    struct ipte *e;        /* [user frame] */
    uint32_t *hat;         /* hash anchor table: first frame of each chain */
    uint64_t nframes, nhat, base;
    bool huge;
};

static int inverted_init(struct swpt *s, struct kernel *k)
{
    struct inverted *v = calloc(1, sizeof *v);
    if (!v)
        return -ENOMEM;
    v->nframes = k->ft.nframes;
    v->base = k->ft.pool.base;
    v->nhat = 1;
    while (v->nhat < v->nframes)
        v->nhat *= 2;
    v->e = calloc(v->nframes ? v->nframes : 1, sizeof *v->e);
    v->hat = malloc(v->nhat * sizeof *v->hat);
    v->huge = k->cfg.thp;
    if (!v->e || !v->hat) {
        free(v->e);
        free(v->hat);
        free(v);
        return -ENOMEM;
    }
    for (uint64_t i = 0; i < v->nhat; i++)
        v->hat[i] = NIL;
    s->impl = v;
    return 0;
}

static void inverted_destroy(struct swpt *s)
{
    struct inverted *v = s->impl;
    free(v->e);
    free(v->hat);
    free(v);
}

static uint32_t *anchor(struct inverted *v, uint64_t key)
{
    return &v->hat[swpt_hash(key) & (v->nhat - 1)];
}

static uint32_t find(struct inverted *v, uint64_t key, uint64_t *probes)
{
    (*probes)++;   /* the anchor */
    for (uint32_t i = *anchor(v, key); i != NIL; i = v->e[i].next) {
        (*probes)++;
        if (v->e[i].key == key + 1)
            return i;
    }
    return NIL;
}

static void unlink_frame(struct inverted *v, uint32_t i)
{
    uint32_t *pp = anchor(v, v->e[i].key - 1);
    while (*pp != i)
        pp = &v->e[*pp].next;
    *pp = v->e[i].next;
    v->e[i].key = 0;
}

static bool inverted_lookup(struct swpt *s, struct process *p, struct cpu *cpu, vaddr_t va,
                            struct swpt_xlat *x, uint64_t *probes)
{
    (void)cpu;
    struct inverted *v = s->impl;
    pthread_mutex_lock(&s->lock);
    uint32_t i = find(v, swpt_key(p->asid, va, VM_PAGE_SHIFT), probes);
    if (i == NIL && v->huge)
        i = find(v, swpt_key(p->asid, va, 21), probes);
    if (i != NIL)
        *x = v->e[i].x;
    pthread_mutex_unlock(&s->lock);
    return i != NIL;
}

static void inverted_insert(struct swpt *s, struct process *p, vaddr_t va, const struct swpt_xlat *x)
{
    struct inverted *v = s->impl;
    uint64_t f = (x->pa >> VM_PAGE_SHIFT) - v->base;
    if (f >= v->nframes)
        return;
    uint32_t i = (uint32_t)f;
    if (v->e[i].key) {
        unlink_frame(v, i);
        count(p, VMSTAT_SWPT_ALIAS, 1);   /* another mapping of this frame had it */
    }
    uint64_t key = swpt_key(p->asid, va, x->shift);
    uint32_t *a = anchor(v, key);
    v->e[i] = (struct ipte){.key = key + 1, .next = *a, .x = *x};
    *a = i;
}

static void inverted_invalidate(struct swpt *s, uint16_t asid, vaddr_t start, vaddr_t end)
{
    struct inverted *v = s->impl;
    if (end - start > 64 * VM_PAGE_SIZE) {
        for (uint32_t i = 0; i < v->nframes; i++)
            if (v->e[i].key && (v->e[i].key - 1) >> 48 == asid)
                unlink_frame(v, i);
        return;
    }
    for (vaddr_t va = VM_ALIGN_DOWN(start, VM_PAGE_SIZE); va < end; va += VM_PAGE_SIZE) {
        for (int huge = 0; huge <= (v->huge ? 1 : 0); huge++) {
            uint64_t probes = 0;
            uint32_t i = find(v, swpt_key(asid, va, huge ? 21 : VM_PAGE_SHIFT), &probes);
            if (i != NIL)
                unlink_frame(v, i);
        }
    }
}

static uint64_t inverted_bytes(const struct swpt *s)
{
    const struct inverted *v = s->impl;
    return v->nframes * 16 + v->nhat * 4;
}

const struct swpt_ops swpt_inverted_ops = {
    .name = "inverted",
    .init = inverted_init,
    .destroy = inverted_destroy,
    .lookup = inverted_lookup,
    .insert = inverted_insert,
    .invalidate = inverted_invalidate,
    .bytes = inverted_bytes,
};
