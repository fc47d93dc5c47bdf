/* oracle.h — OPT's future: when each page is next used, as the replay
 * advances (the kernel's "opt" policy asks it, kernel_set_oracle).
 *
 * The future is a sequence of page-touch events, each a key: a page number
 * (a one-process trace), or a page number tagged with its process (a run
 * trace's several address spaces: oracle_key). Before an access its pages
 * are "in use now" (opt_before), after it their next uses are those after
 * it (opt_after), so OPT never evicts a page the access in progress needs.
 */
#ifndef VMLAB_REPLAY_ORACLE_H
#define VMLAB_REPLAY_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "replay/nextuse.h"

struct opt_oracle {
    struct pagemap ids;        /* key -> dense id */
    size_t *event_id;          /* per event: dense id */
    size_t *next;              /* per event: the next event of the same key */
    size_t *next_of;           /* per dense id: its next use after now */
    size_t nevents, event;     /* total, and the next event to happen */
};

/* The key of page `page` (a page number) of process pid. */
static inline uint64_t oracle_key(int pid, uint64_t page)
{
    return (uint64_t)(uint32_t)pid << 40 | (page & ((1ull << 40) - 1));
}

/* Index the n keys (copied). 0, or -1 (out of memory). */
int opt_build_keys(struct opt_oracle *o, const uint64_t *keys, size_t n);
void opt_free(struct opt_oracle *o);
/* The event at which key is next used, UINT64_MAX if never. */
uint64_t opt_next_use_of(const struct opt_oracle *o, uint64_t key);
/* Around an access of `pages` events. */
void opt_before(struct opt_oracle *o, uint64_t pages);
void opt_after(struct opt_oracle *o, uint64_t pages);

#endif
