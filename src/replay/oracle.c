/* oracle.c — see oracle.h. */
#include "replay/oracle.h"

#include <stdlib.h>
#include <string.h>

void opt_free(struct opt_oracle *o)
{
    pagemap_free(&o->ids);
    free(o->event_id);
    free(o->next);
    free(o->next_of);
    memset(o, 0, sizeof *o);
}

int opt_build_keys(struct opt_oracle *o, const uint64_t *keys, size_t n)
{
    memset(o, 0, sizeof *o);
    o->event_id = malloc((n ? n : 1) * sizeof *o->event_id);
    o->next = malloc((n ? n : 1) * sizeof *o->next);
    if (!o->event_id || !o->next || pagemap_init(&o->ids, 1024)) {
        opt_free(o);
        return -1;
    }
    size_t distinct = 0;
    int rc = nextuse_build(keys, n, o->next);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool inserted;
        size_t *slot = pagemap_upsert(&o->ids, keys[i], &inserted);
        if (!slot) {
            rc = -1;
            break;
        }
        if (inserted)
            *slot = distinct++;
        o->event_id[i] = *slot;
    }
    if (rc == 0 && !(o->next_of = malloc((distinct ? distinct : 1) * sizeof *o->next_of)))
        rc = -1;
    if (rc) {
        opt_free(o);
        return -1;
    }
    for (size_t i = 0; i < distinct; i++)
        o->next_of[i] = NEXTUSE_NEVER;
    o->nevents = n;
    return 0;
}

uint64_t opt_next_use_of(const struct opt_oracle *o, uint64_t key)
{
    size_t *id = pagemap_find(&o->ids, key);
    if (!id)
        return UINT64_MAX;
    size_t t = o->next_of[*id];
    return t == NEXTUSE_NEVER ? UINT64_MAX : (uint64_t)t;
}

void opt_before(struct opt_oracle *o, uint64_t pages)
{
    for (uint64_t k = 0; k < pages && o->event + k < o->nevents; k++)
        o->next_of[o->event_id[o->event + k]] = o->event + k;
}

void opt_after(struct opt_oracle *o, uint64_t pages)
{
    for (uint64_t k = 0; k < pages && o->event < o->nevents; k++, o->event++)
        o->next_of[o->event_id[o->event]] = o->next[o->event];
}
