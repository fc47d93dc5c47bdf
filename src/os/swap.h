/* swap.h — the swap device: a real host file cut into 4 KiB slots.
 *
 * A slot holds one evicted anonymous page. Slot n lives at byte offset
 * n * SWAP_SLOT_SIZE of the file (8 sectors of 512 bytes, as PintOS's swap
 * disk). Slots are handed out from a bitmap, lowest free first.
 *
 * Integrity: every successful swap_write records a 64-bit checksum of the
 * page (seeded with the slot number, so a page read back from the wrong
 * offset is caught too; any change within one 64-bit word is always
 * caught) in memory; swap_read recomputes it over what the
 * file returned and reports -EBADMSG on a mismatch. The file itself holds
 * page data only.
 *
 * Locking: one mutex guards the allocation bitmap (swap_alloc, swap_free).
 * swap_write and swap_read take no lock: they touch the file with
 * pread/pwrite at the slot's own offset and the slot's own checksum word.
 * The caller owns an allocated slot and must not write and read (or free)
 * the same slot concurrently; distinct slots are fully independent.
 *
 * Kernel bugs are asserted, not reported: freeing a free slot, writing or
 * reading a slot that is not allocated, reading a slot never written since
 * it was allocated.
 */
#ifndef VMLAB_OS_SWAP_H
#define VMLAB_OS_SWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWAP_SECTOR_SIZE   512u
#define SWAP_SECTORS_PER_SLOT 8u
#define SWAP_SLOT_SIZE     (SWAP_SECTOR_SIZE * SWAP_SECTORS_PER_SLOT)   /* 4096 */

struct swap_dev;

/* How a named swap file may be opened. */
struct swap_options {
    /* An existing regular file at the path may be used: its contents are
     * discarded, and it stays at swap_close. Without this an existing file
     * is refused. */
    bool overwrite;
    /* A file the swap device must never be, overwrite or not (the front
     * end's input): device and inode; keep_ino 0 = none. */
    uint64_t keep_dev, keep_ino;
};

/* Open a swap device of `bytes`, rounded down to whole slots (0 slots is
 * allowed: a device on which swap_alloc always fails). With path NULL it is
 * an unlinked temporary file in $TMPDIR (or /tmp). With a path, the file is
 * created exclusively (O_EXCL) and removed again by swap_close; an
 * existing file is refused unless opt->overwrite, and must then be a
 * regular file. opt NULL: all defaults. NULL with a message in err. */
struct swap_dev *swap_open_with(const char *path, uint64_t bytes, const struct swap_options *opt,
                                char *err, size_t errlen);
struct swap_dev *swap_open(const char *path, uint64_t bytes, char *err, size_t errlen);
void swap_close(struct swap_dev *sw);
/* Did swap_open create the named file (so that swap_close removes it)? */
bool swap_created(const struct swap_dev *sw);

uint64_t swap_slots(const struct swap_dev *sw);
uint64_t swap_slots_used(const struct swap_dev *sw);

/* Allocate the lowest free slot, with one owner; -1 if the device is full.
 * A hint and a summary bitmap (one bit per 64 slots) keep this O(1)
 * amortised. */
int64_t swap_alloc(struct swap_dev *sw);
/* Owners: a slot may be recorded by several pages (fork shares swapped-out
 * pages, as Linux's swap_map counts them). swap_dup adds an owner (false if
 * the count would overflow); swap_free drops one and returns the slot to
 * the free pool with the last (asserts that it was allocated); swap_count
 * is the number of owners. A slot with more than one owner must not be
 * written: its contents belong to all of them. */
void swap_free(struct swap_dev *sw, uint64_t slot);
bool swap_dup(struct swap_dev *sw, uint64_t slot);
unsigned swap_count(struct swap_dev *sw, uint64_t slot);

/* Write/read one SWAP_SLOT_SIZE page. 0, or a negative errno:
 *   -EIO, -ENOSPC, ... from the file (or injected);
 *   -EBADMSG  swap_read only: the data read back does not match the
 *             checksum recorded by the last successful swap_write;
 *   -EIO      swap_read of a slot whose last swap_write failed (its
 *             contents are unknown).
 * A failed swap_write leaves the slot allocated; the caller frees it. */
int swap_write(struct swap_dev *sw, uint64_t slot, const void *page);
int swap_read(struct swap_dev *sw, uint64_t slot, void *page);

/* Fault injection for tests: the next `count` writes (on_write) or reads
 * of `slot` (any slot if slot == UINT64_MAX) fail with -err, without
 * touching the file. A later call for the same (direction, slot) replaces
 * the earlier one; count 0 cancels it. At most 16 injections at once. */
void swap_inject_error(struct swap_dev *sw, bool on_write, uint64_t slot, unsigned count, int err);

/* Counters since swap_open. writes/reads count successful page transfers
 * (bytes moved = (writes + reads) * SWAP_SLOT_SIZE); write_errors and
 * read_errors count transfers that returned an errno from the file or an
 * injection; checksum_errors counts -EBADMSG reads (not in read_errors). */
struct swap_stats { uint64_t writes, reads, write_errors, read_errors, checksum_errors; };
void swap_get_stats(const struct swap_dev *sw, struct swap_stats *out);

const char *swap_path(const struct swap_dev *sw);  /* "(temporary)" for an unlinked file */

/* The errno of the last failed transfer of the file (0: none), and where it
 * happened: "No space left on device in swap file '/x/s.swap'" (a temporary
 * file is named by its folder). Written into buf, which is returned; "" if
 * no transfer has failed. Corrupt slots (-EBADMSG) are named too. */
int swap_last_error(const struct swap_dev *sw);
const char *swap_describe_error(const struct swap_dev *sw, char *buf, size_t len);
int swap_fd(const struct swap_dev *sw);             /* for tests that corrupt the file */

/* The page checksum swap_write records (exposed for tests and benchmarks). */
uint64_t swap_page_checksum(const void *page, uint64_t slot);
/* The same function without CPU-specific code (tests compare the two). */
uint64_t swap_page_checksum_portable(const void *page, uint64_t slot);

#endif
