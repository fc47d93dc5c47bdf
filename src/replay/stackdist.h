/* stackdist.h — Mattson stack distances: faults for every memory size at once.
 *
 * LRU is a stack algorithm (Mattson, Gecsei, Slutz and Traiger, 1970): the
 * pages resident in m frames are always the top m entries of one recency
 * stack, whatever m is. An access whose page sits at depth d of that stack
 * (d = 1 for the most recent page; "infinite" for a first use) hits in every
 * memory of at least d frames and faults in every smaller one. So a single
 * pass that finds each access's depth gives LRU's fault count for all sizes.
 *
 * The depth of access i to page p, last used at time t, is 1 + the number of
 * distinct pages used in (t, i): the number of times in (t, i) that are the
 * latest use of their page. A Fenwick tree over times holding a 1 at each
 * page's latest use answers that in O(log n), so a pass is O(n log n).
 *
 * OPT (Belady's MIN) is a stack algorithm too; stackdist_opt_faults() runs
 * Mattson's priority-stack pass with priority = sooner next use. It costs
 * O(n · depth) rather than O(n log n), but still one pass for all sizes.
 *
 * Return 0, or -1 with errno = ENOMEM / EINVAL.
 */
#ifndef VMLAB_REPLAY_STACKDIST_H
#define VMLAB_REPLAY_STACKDIST_H

#include <stddef.h>
#include <stdint.h>

#define STACKDIST_COLD SIZE_MAX     /* first use of a page: infinite distance */

/* dist[i] = LRU stack distance of access i (>= 1), or STACKDIST_COLD. */
int stackdist_lru(const uint64_t *pages, size_t n, size_t *dist);

/* faults[m] = LRU faults with m frames, for m = 0..max_frames (faults[0] = n;
 * cold faults included). `faults` has max_frames + 1 entries. */
int stackdist_lru_faults(const uint64_t *pages, size_t n, size_t max_frames, uint64_t *faults);

/* The same for OPT (Belady's MIN). */
int stackdist_opt_faults(const uint64_t *pages, size_t n, size_t max_frames, uint64_t *faults);

/* Turns distances into fault counts: faults[m] = #(dist[i] > m), m = 0..max. */
void stackdist_faults_from(const size_t *dist, size_t n, size_t max_frames, uint64_t *faults);

#endif
