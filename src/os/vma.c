/* vma.c — a process's set of VMAs: a sorted array of disjoint regions.
 *
 * Lookups are binary searches (O(log n)); insertions and removals move the
 * tail of the array, which for the few dozen regions of a process costs
 * less than a tree's pointer chasing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"

void vma_set_init(struct vma_set *s)
{
    s->v = NULL;
    s->n = s->cap = 0;
}

void vma_set_destroy(struct vma_set *s)
{
    free(s->v);
    vma_set_init(s);
}

unsigned vma_lower_bound(const struct vma_set *s, vaddr_t va)
{
    unsigned lo = 0, hi = s->n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (s->v[mid].end > va)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

struct vma *vma_find(struct vma_set *s, vaddr_t va)
{
    unsigned i = vma_lower_bound(s, va);
    if (i < s->n && s->v[i].start <= va)
        return &s->v[i];
    return NULL;
}

bool vma_overlaps(const struct vma_set *s, vaddr_t start, vaddr_t end)
{
    unsigned i = vma_lower_bound(s, start);
    return i < s->n && s->v[i].start < end;
}

int vma_insert(struct vma_set *s, const struct vma *v)
{
    if (v->start >= v->end || vma_overlaps(s, v->start, v->end))
        return -EEXIST;
    if (s->n == s->cap) {
        unsigned cap = s->cap ? s->cap * 2 : 8;
        struct vma *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return -ENOMEM;
        s->v = nv;
        s->cap = cap;
    }
    unsigned i = vma_lower_bound(s, v->start);
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
    s->v[i] = *v;
    s->n++;
    return 0;
}

void vma_remove_at(struct vma_set *s, unsigned i)
{
    memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
    s->n--;
}
