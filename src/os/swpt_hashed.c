/* swpt_hashed.c — a hashed page table of fixed size (PowerPC's HTAB,
 * 32-bit OEA): groups of eight entries; an (ASID, virtual page) is looked
 * for in its primary group, hash & mask, then in its secondary group,
 * ~hash & mask. A new translation takes a free entry of either group, or
 * evicts one of the primary group's (round-robin, counted): the table is
 * a cache of the page tables, and a refill that misses reloads from them,
 * as Linux's hash_page does.
 *
 * Size: sw_pt_entries (default two per user frame), rounded up to a power
 * of two groups; 16 bytes an entry, as PowerPC's HPTE. A huge page has an
 * entry of its own key, looked for after the 4 KiB one when THP is on.
 */
#include <errno.h>
#include <stdlib.h>

#include "os/swpt.h"

#define GROUP 8

struct hpte {
    uint64_t key;          /* swpt_key + 1; 0: free */
    struct swpt_xlat x;
};

struct hashed {
    struct hpte *e;
    uint64_t ngroups;      /* power of two */
    uint8_t *victim;       /* per group: the next entry to evict */
    bool huge;             /* THP: look for 2 MiB entries too */
};

static int hashed_init(struct swpt *s, struct kernel *k)
{
    struct hashed *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    uint64_t want = k->cfg.sw_pt_entries ? k->cfg.sw_pt_entries : 2 * k->ft.nframes;
    h->ngroups = 1;
    while (h->ngroups * GROUP < want)
        h->ngroups *= 2;
    h->e = calloc(h->ngroups * GROUP, sizeof *h->e);
    h->victim = calloc(h->ngroups, 1);
    h->huge = k->cfg.thp;
    if (!h->e || !h->victim) {
        free(h->e);
        free(h->victim);
        free(h);
        return -ENOMEM;
    }
    s->impl = h;
    return 0;
}

static void hashed_destroy(struct swpt *s)
{
    struct hashed *h = s->impl;
    free(h->e);
    free(h->victim);
    free(h);
}

static struct hpte *group(struct hashed *h, uint64_t key, bool secondary)
{
    uint64_t hv = swpt_hash(key);
    return &h->e[((secondary ? ~hv : hv) & (h->ngroups - 1)) * GROUP];
}

/* The entry holding key, counting the entries read; NULL if none. */
static struct hpte *find(struct hashed *h, uint64_t key, uint64_t *probes)
{
    for (int sec = 0; sec < 2; sec++) {
        struct hpte *g = group(h, key, sec);
        for (unsigned j = 0; j < GROUP; j++) {
            (*probes)++;
            if (g[j].key == key + 1)
                return &g[j];
        }
    }
    return NULL;
}

static bool hashed_lookup(struct swpt *s, struct process *p, struct cpu *cpu, vaddr_t va,
                          struct swpt_xlat *x, uint64_t *probes)
{
    (void)cpu;
    struct hashed *h = s->impl;
    pthread_mutex_lock(&s->lock);
    struct hpte *e = find(h, swpt_key(p->asid, va, VM_PAGE_SHIFT), probes);
    if (!e && h->huge)
        e = find(h, swpt_key(p->asid, va, 21), probes);
    if (e)
        *x = e->x;
    pthread_mutex_unlock(&s->lock);
    return e != NULL;
}

static void hashed_insert(struct swpt *s, struct process *p, vaddr_t va, const struct swpt_xlat *x)
{
    struct hashed *h = s->impl;
    uint64_t key = swpt_key(p->asid, va, x->shift), probes = 0;
    struct hpte *e = find(h, key, &probes);
    for (int sec = 0; !e && sec < 2; sec++) {
        struct hpte *g = group(h, key, sec);
        for (unsigned j = 0; !e && j < GROUP; j++)
            if (!g[j].key)
                e = &g[j];
    }
    if (!e) {   /* both groups full: evict from the primary, round-robin */
        struct hpte *g = group(h, key, false);
        uint8_t *v = &h->victim[(g - h->e) / GROUP];
        e = &g[*v];
        *v = (uint8_t)((*v + 1) % GROUP);
        count(p, VMSTAT_SWPT_EVICTIONS, 1);
    }
    e->key = key + 1;
    e->x = *x;
}

static void drop_key(struct hashed *h, uint64_t key)
{
    uint64_t probes = 0;
    struct hpte *e = find(h, key, &probes);
    if (e)
        e->key = 0;
}

static void hashed_invalidate(struct swpt *s, uint16_t asid, vaddr_t start, vaddr_t end)
{
    struct hashed *h = s->impl;
    if (end - start > 64 * VM_PAGE_SIZE) {
        /* a whole address space (or most of it): every entry of the ASID */
        for (uint64_t j = 0; j < h->ngroups * GROUP; j++)
            if (h->e[j].key && (h->e[j].key - 1) >> 48 == asid)
                h->e[j].key = 0;
        return;
    }
    for (vaddr_t va = VM_ALIGN_DOWN(start, VM_PAGE_SIZE); va < end; va += VM_PAGE_SIZE) {
        drop_key(h, swpt_key(asid, va, VM_PAGE_SHIFT));
        if (h->huge)
            drop_key(h, swpt_key(asid, va, 21));
    }
}

static uint64_t hashed_bytes(const struct swpt *s)
{
    const struct hashed *h = s->impl;
    return h->ngroups * GROUP * 16;
}

const struct swpt_ops swpt_hashed_ops = {
    .name = "hashed",
    .init = hashed_init,
    .destroy = hashed_destroy,
    .lookup = hashed_lookup,
    .insert = hashed_insert,
    .invalidate = hashed_invalidate,
    .bytes = hashed_bytes,
};
