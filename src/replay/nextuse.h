/* nextuse.h — page-stream indexes: a page map, dense page ids, next-use links.
 *
 * A page stream is an array of page numbers, one per access, in program order.
 * Three things are built on it:
 *
 *   - struct pagemap: a small open-addressing hash map from a page number to a
 *     size_t value (linear probing, Fibonacci hashing, grown at half load);
 *   - page_dense_ids(): renumbers the pages 0..k-1 in order of first use, so
 *     that simulators can index plain arrays instead of hashing on every access;
 *   - nextuse_build(): next[i] = index of the next access to pages[i] after i,
 *     or NEXTUSE_NEVER. This is the oracle OPT (Belady's MIN) needs; the replay
 *     front end hands it to the kernel's OPT policy and refsim uses it too.
 *
 * All functions return 0 on success and -1 with errno = ENOMEM on allocation
 * failure (or EOVERFLOW if a size would overflow). Nothing here keeps state
 * between calls, so distinct streams may be indexed from distinct threads.
 */
#ifndef VMLAB_REPLAY_NEXTUSE_H
#define VMLAB_REPLAY_NEXTUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NEXTUSE_NEVER SIZE_MAX          /* no later access to the same page */

struct pagemap {
    uint64_t *keys;                     /* page numbers */
    size_t *vals;
    uint8_t *used;                      /* slot occupied? (every uint64 is a valid key) */
    size_t cap;                         /* slots, a power of two */
    size_t count;                       /* occupied slots */
    unsigned shift;                     /* 64 - log2(cap), for Fibonacci hashing */
};

/* Prepares an empty map sized for about `expected` keys (0 is fine). */
int pagemap_init(struct pagemap *m, size_t expected);
void pagemap_free(struct pagemap *m);

/* Returns the value slot of `page`, or NULL if absent. */
size_t *pagemap_find(const struct pagemap *m, uint64_t page);

/* Returns the value slot of `page`, inserting it (value 0, *inserted = true)
 * if absent; NULL on ENOMEM. The pointer is valid until the next insertion. */
size_t *pagemap_upsert(struct pagemap *m, uint64_t page, bool *inserted);

/* ids[i] = dense id of pages[i]: the k distinct pages get 0..k-1 in order of
 * first use; *distinct = k. `ids` has n entries. */
int page_dense_ids(const uint64_t *pages, size_t n, size_t *ids, size_t *distinct);

/* next[i] = smallest j > i with pages[j] == pages[i], else NEXTUSE_NEVER.
 * `next` has n entries. One backward pass with a page → position map. */
int nextuse_build(const uint64_t *pages, size_t n, size_t *next);

/* Same on dense ids (each < k): no hashing, one array of k positions. */
int nextuse_build_dense(const size_t *ids, size_t n, size_t k, size_t *next);

#endif
