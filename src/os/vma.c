/* vma.c — a process's set of VMAs: a sorted array of disjoint regions.
 *
 * Lookups are binary searches (O(log n)); insertions and removals move the
 * tail of the array, which for the few dozen regions of a process costs
 * less than a tree's pointer chasing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int vma_split(struct vma_set *s, vaddr_t at)
{
    struct vma *v = vma_find(s, at);
    if (!v || v->start == at)
        return 0;
    struct vma hi = *v, orig = *v;
    hi.start = at;
    uint64_t lo_len = at - v->start;
    if (v->flags & VMA_FILE) {
        hi.offset = v->offset + lo_len;
        if (v->file_bytes != UINT64_MAX)
            hi.file_bytes = v->file_bytes > lo_len ? v->file_bytes - lo_len : 0;
        hi.fd = fcntl(v->fd, F_DUPFD_CLOEXEC, 3);   /* each part closes its own */
        if (hi.fd < 0)
            return -errno;
    }
    /* shrink first: the insert checks for overlap */
    v->end = at;
    if (v->file_bytes != UINT64_MAX && v->file_bytes > lo_len)
        v->file_bytes = lo_len;
    int rc = vma_insert(s, &hi);
    if (rc < 0) {
        v = vma_find(s, at - 1);
        *v = orig;
        if (hi.flags & VMA_FILE)
            close(hi.fd);
    }
    return rc;
}
