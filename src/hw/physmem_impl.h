/* physmem_impl.h — single-copy-atomic loads and stores on host memory,
 * shared by physmem.c and the CPU's hit fast path (which keeps the host
 * address of a page and so skips the range check and the call). */
#ifndef VMLAB_HW_PHYSMEM_IMPL_H
#define VMLAB_HW_PHYSMEM_IMPL_H

#include <stdint.h>
#include <string.h>

/* Aligned accesses are single-copy atomic (relaxed atomics compile to plain
 * moves on the host), so guest races are not host data races. */
static inline uint64_t host_load(const uint8_t *p, unsigned size)
{
    if (((uintptr_t)p & (size - 1)) == 0) {
        switch (size) {
        case 1: return __atomic_load_n(p, __ATOMIC_RELAXED);
        case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
        case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
        case 8: return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
        }
    }
    uint64_t v = 0;
    memcpy(&v, p, size);
    return v;
}

static inline void host_store(uint8_t *p, unsigned size, uint64_t value)
{
    if (((uintptr_t)p & (size - 1)) == 0) {
        switch (size) {
        case 1: __atomic_store_n(p, (uint8_t)value, __ATOMIC_RELAXED); return;
        case 2: __atomic_store_n((uint16_t *)p, (uint16_t)value, __ATOMIC_RELAXED); return;
        case 4: __atomic_store_n((uint32_t *)p, (uint32_t)value, __ATOMIC_RELAXED); return;
        case 8: __atomic_store_n((uint64_t *)p, value, __ATOMIC_RELAXED); return;
        }
    }
    memcpy(p, &value, size);
}

#endif
