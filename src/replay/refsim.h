/* refsim.h — reference models of page replacement on a page stream.
 *
 * Small, self-evidently correct simulators of demand paging with a fixed
 * number of frames. They know nothing of the machine or the kernel: a stream
 * of page numbers (and optionally which accesses write) goes in, counts come
 * out. The kernel's eviction policies are tested against them, and sweeps use
 * them (with stackdist.h for LRU) to get faults for many memory sizes fast.
 *
 * Conventions (docs/policies.md has the full text):
 *   - Every access to a non-resident page is a fault, cold faults included.
 *     While a free frame remains, a fault fills the lowest-numbered free frame
 *     and evicts nothing.
 *   - FIFO evicts the page resident longest.
 *   - LRU evicts the page least recently referenced.
 *   - OPT (Belady's MIN) evicts the page whose next use is farthest in the
 *     future; pages never used again count as farthest; among several such
 *     pages, the one in the lowest-numbered frame goes. OPT_CLEAN_FIRST is
 *     the same but takes a clean page among those before a dirty one (still
 *     the lowest frame first): the same faults, never more writes to disk.
 *   - CLOCK (second chance): frames in a circle, the hand starts at frame 0
 *     and does not move while frames are being filled. A page's reference bit
 *     is set when it is loaded and on every reference. On a fault with all
 *     frames full, the hand clears set bits as it passes and takes the first
 *     frame whose bit is clear; the hand then points past that frame.
 *   - RANDOM: victim frame = splitmix64() % frames, the generator seeded with
 *     `seed` and advanced once per eviction (see refsim_splitmix64()).
 *   - A write sets the resident page's dirty bit (on a hit or on the fault
 *     that loads it). Evicting a dirty page is one "write to disk"
 *     (dirty_evictions); a clean page is dropped. Nothing is flushed at the end.
 */
#ifndef VMLAB_REPLAY_REFSIM_H
#define VMLAB_REPLAY_REFSIM_H

#include <stddef.h>
#include <stdint.h>

enum refsim_policy {
    REFSIM_FIFO,
    REFSIM_LRU,
    REFSIM_OPT,
    REFSIM_CLOCK,
    REFSIM_RANDOM,
    REFSIM_OPT_CLEAN_FIRST,
    REFSIM_NPOLICIES
};

struct refsim_result {
    uint64_t accesses;          /* n */
    uint64_t hits;              /* accesses to a resident page */
    uint64_t faults;            /* misses, cold ones included: accesses - hits */
    uint64_t evictions;         /* faults that found every frame full */
    uint64_t dirty_evictions;   /* evictions of a dirty page ("writes to disk") */
};

/* What one access did, for comparing a policy step by step (optional). */
struct refsim_step {
    uint64_t victim;            /* page evicted by this access, if evicted */
    uint8_t fault;              /* 1 if the page was not resident */
    uint8_t evicted;            /* 1 if a page was evicted to make room */
    uint8_t dirty;              /* 1 if the evicted page was dirty */
};

/* "fifo", "lru", "opt", "clock", "random", "opt-clean-first". */
const char *refsim_policy_name(enum refsim_policy p);

/* Parses a policy name (case-insensitive; "min" and "belady" name OPT,
 * "second-chance" names CLOCK). Returns 0, or -1 if unknown. */
int refsim_policy_parse(const char *name, enum refsim_policy *out);

/* Simulates `policy` with `frames` frames on pages[0..n). is_write may be
 * NULL (all reads). `seed` is used by RANDOM only. Returns 0, or -1 with
 * errno = EINVAL (frames == 0, bad policy, NULL pointers with n > 0) or
 * ENOMEM. Memory use is O(n) for OPT, O(distinct pages) otherwise. */
int refsim_run(enum refsim_policy policy, size_t frames, const uint64_t *pages,
               const uint8_t *is_write, size_t n, uint64_t seed,
               struct refsim_result *out);

/* Same, also filling steps[0..n) (may be NULL) with each access's outcome. */
int refsim_run_steps(enum refsim_policy policy, size_t frames, const uint64_t *pages,
                     const uint8_t *is_write, size_t n, uint64_t seed,
                     struct refsim_result *out, struct refsim_step *steps);

/* The RANDOM policy's generator (splitmix64, Steele et al. 2014): adds
 * 0x9e3779b97f4a7c15 to *state and returns a mix of the new state. */
uint64_t refsim_splitmix64(uint64_t *state);

#endif
