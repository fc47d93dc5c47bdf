/* vmlab/physmem.h — the machine's simulated physical memory.
 *
 * Physical memory is one flat range [0, size) of 4 KiB frames. Host memory
 * is reserved for the whole range up front but committed by the host kernel
 * only for frames actually touched, so a machine may have tens of GiB of
 * "RAM" while a run that touches a few frames costs a few pages of host
 * memory.
 *
 * Page tables live in this memory, and the walker reads and updates them
 * with the atomic helpers of vmlab/pt.h; guest data is read and written with
 * the functions below. All functions are safe to call from many threads at
 * once (concurrent writes to the same bytes are a race of the simulated
 * software, not of vmlab: aligned 1/2/4/8-byte accesses are single-copy
 * atomic, as on the real machines).
 */
#ifndef VMLAB_PHYSMEM_H
#define VMLAB_PHYSMEM_H

#include <vmlab/types.h>

struct physmem;

/* Largest supported size: 1 TiB of simulated memory. */
#define PHYSMEM_MAX_BYTES ((uint64_t)1 << 40)

/* Create physical memory of `bytes` (rounded up to whole frames; at least
 * one frame). Returns NULL and writes a message into err on failure
 * (impossible size, host refused the reservation). */
struct physmem *physmem_create(uint64_t bytes, char *err, size_t errlen);
void physmem_destroy(struct physmem *pm);

uint64_t physmem_size(const struct physmem *pm);     /* bytes */
uint64_t physmem_frames(const struct physmem *pm);   /* size / 4 KiB */

/* True if [pa, pa+len) lies inside physical memory. */
bool physmem_contains(const struct physmem *pm, paddr_t pa, uint64_t len);

/* Aligned or unaligned load/store of 1, 2, 4 or 8 bytes, little-endian.
 * The range must be inside memory (checked with assert). */
uint64_t physmem_load(const struct physmem *pm, paddr_t pa, unsigned size);
void physmem_store(struct physmem *pm, paddr_t pa, unsigned size, uint64_t value);

/* Block copies; return 0, or -1 if the range is not inside memory. */
int physmem_read(const struct physmem *pm, paddr_t pa, void *buf, size_t len);
int physmem_write(struct physmem *pm, paddr_t pa, const void *buf, size_t len);

/* Direct host access to the frame holding `pa`: the kernel's 1:1 map of
 * physical memory (PintOS's kernel virtual addresses). The pointer is to the
 * start of the frame and stays valid until physmem_destroy. */
void *physmem_frame(struct physmem *pm, paddr_t pa);

/* Host address of physical address pa (inside memory). */
void *physmem_host(const struct physmem *pm, paddr_t pa);

/* Give the host memory behind a frame back to the host (its contents read as
 * zero afterwards). Used when a frame is freed. */
void physmem_discard(struct physmem *pm, paddr_t pa);

/* Bytes of host memory currently committed for simulated memory. */
uint64_t physmem_resident_bytes(const struct physmem *pm);

#endif
