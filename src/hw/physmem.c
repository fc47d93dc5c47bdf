/* physmem.c — simulated physical memory.
 *
 * The whole range is one anonymous host mapping made with MAP_NORESERVE:
 * the host kernel commits a page only when it is first touched, so the
 * cost of a large simulated memory is the frames actually used. A physical
 * address is then just an offset, and the kernel's 1:1 map is base + pa.
 */
#include <vmlab/physmem.h>

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hw/physmem_impl.h"

struct physmem {
    uint8_t *base;
    uint64_t size;
};

struct physmem *physmem_create(uint64_t bytes, char *err, size_t errlen)
{
    if (bytes == 0 || bytes > PHYSMEM_MAX_BYTES) {
        snprintf(err, errlen, "physical memory size %llu is out of range (4 KiB to 1 TiB)",
                 (unsigned long long)bytes);
        return NULL;
    }
    uint64_t size = VM_ALIGN_UP(bytes, VM_PAGE_SIZE);
    struct physmem *pm = calloc(1, sizeof *pm);
    if (!pm) {
        snprintf(err, errlen, "out of host memory");
        return NULL;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "cannot reserve %llu bytes of host memory for physical memory: %s",
                 (unsigned long long)size, strerror(errno));
        free(pm);
        return NULL;
    }
    /* Commit host memory a 4 KiB frame at a time: with host huge pages a
     * frame's first touch would zero (and commit) 2 MiB around it. */
    madvise(p, size, MADV_NOHUGEPAGE);
    pm->base = p;
    pm->size = size;
    return pm;
}

void physmem_destroy(struct physmem *pm)
{
    if (!pm)
        return;
    munmap(pm->base, pm->size);
    free(pm);
}

uint64_t physmem_size(const struct physmem *pm) { return pm->size; }
uint64_t physmem_frames(const struct physmem *pm) { return pm->size >> VM_PAGE_SHIFT; }

bool physmem_contains(const struct physmem *pm, paddr_t pa, uint64_t len)
{
    return pa <= pm->size && len <= pm->size - pa;
}

void *physmem_host(const struct physmem *pm, paddr_t pa)
{
    assert(pa < pm->size);
    return pm->base + pa;
}

void *physmem_frame(struct physmem *pm, paddr_t pa)
{
    assert(pa < pm->size);
    return pm->base + VM_ALIGN_DOWN(pa, VM_PAGE_SIZE);
}

uint64_t physmem_load(const struct physmem *pm, paddr_t pa, unsigned size)
{
    assert(physmem_contains(pm, pa, size));
    return host_load(pm->base + pa, size);
}

void physmem_store(struct physmem *pm, paddr_t pa, unsigned size, uint64_t value)
{
    assert(physmem_contains(pm, pa, size));
    host_store(pm->base + pa, size, value);
}

int physmem_read(const struct physmem *pm, paddr_t pa, void *buf, size_t len)
{
    if (!physmem_contains(pm, pa, len))
        return -1;
    memcpy(buf, pm->base + pa, len);
    return 0;
}

int physmem_write(struct physmem *pm, paddr_t pa, const void *buf, size_t len)
{
    if (!physmem_contains(pm, pa, len))
        return -1;
    memcpy(pm->base + pa, buf, len);
    return 0;
}

void physmem_discard(struct physmem *pm, paddr_t pa)
{
    assert(pa < pm->size);
    madvise(pm->base + VM_ALIGN_DOWN(pa, VM_PAGE_SIZE), VM_PAGE_SIZE, MADV_DONTNEED);
}

uint64_t physmem_resident_bytes(const struct physmem *pm)
{
    long host_page = sysconf(_SC_PAGESIZE);
    uint64_t pages = pm->size / (uint64_t)host_page, resident = 0;
    unsigned char vec[4096];
    for (uint64_t i = 0; i < pages; i += sizeof vec) {
        uint64_t n = pages - i < sizeof vec ? pages - i : sizeof vec;
        if (mincore(pm->base + i * (uint64_t)host_page, n * (uint64_t)host_page, vec) != 0)
            return 0;
        for (uint64_t j = 0; j < n; j++)
            resident += vec[j] & 1;
    }
    return resident * (uint64_t)host_page;
}
