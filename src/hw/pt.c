/* pt.c — the page-table formats: registry, address checks, entry access.
 *
 * The encodings themselves live in pt_x86.c, pt_ia32.c and pt_riscv.c;
 * this file holds what every format shares.
 */
#include <vmlab/physmem.h>
#include <vmlab/pt.h>

#include <string.h>

#include "hw/pt_impl.h"

const struct pt_format *pt_format(enum pt_format_id id)
{
    switch (id) {
    case PT_X86_64:   return &pt_x86_64;
    case PT_X86_64_5: return &pt_x86_64_5;
    case PT_SV39:     return &pt_sv39;
    case PT_SV48:     return &pt_sv48;
    case PT_SV57:     return &pt_sv57;
    case PT_IA32:     return &pt_ia32;
    case PT_SV32:     return &pt_sv32;
    default:          return NULL;
    }
}

const struct pt_format *pt_format_by_name(const char *name)
{
    for (int id = 0; id < PT_NFORMATS; id++) {
        const struct pt_format *f = pt_format((enum pt_format_id)id);
        if (!strcmp(f->name, name))
            return f;
    }
    return NULL;
}


static uint64_t *pte_ptr(const struct physmem *pm, paddr_t pte_pa)
{
    return (uint64_t *)physmem_host(pm, pte_pa);
}

uint64_t pte_load(const struct physmem *pm, paddr_t pte_pa)
{
    return __atomic_load_n(pte_ptr(pm, pte_pa), __ATOMIC_ACQUIRE);
}

void pte_store(struct physmem *pm, paddr_t pte_pa, uint64_t val)
{
    __atomic_store_n(pte_ptr(pm, pte_pa), val, __ATOMIC_RELEASE);
}

uint64_t pte_exchange(struct physmem *pm, paddr_t pte_pa, uint64_t val)
{
    return __atomic_exchange_n(pte_ptr(pm, pte_pa), val, __ATOMIC_ACQ_REL);
}

bool pte_cas(struct physmem *pm, paddr_t pte_pa, uint64_t *expected, uint64_t val)
{
    return __atomic_compare_exchange_n(pte_ptr(pm, pte_pa), expected, val, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

uint64_t pte_clear_bits(struct physmem *pm, paddr_t pte_pa, uint64_t bits)
{
    return __atomic_fetch_and(pte_ptr(pm, pte_pa), ~bits, __ATOMIC_ACQ_REL);
}

/* ---- entries of either width ---- */

static uint32_t *pte32_ptr(const struct physmem *pm, paddr_t pte_pa)
{
    return (uint32_t *)physmem_host(pm, pte_pa);
}

uint64_t pte_load_as(const struct pt_format *fmt, const struct physmem *pm, paddr_t pte_pa)
{
    if (fmt->pte_bytes == 4)
        return __atomic_load_n(pte32_ptr(pm, pte_pa), __ATOMIC_ACQUIRE);
    return pte_load(pm, pte_pa);
}

void pte_store_as(const struct pt_format *fmt, struct physmem *pm, paddr_t pte_pa, uint64_t val)
{
    if (fmt->pte_bytes == 4)
        __atomic_store_n(pte32_ptr(pm, pte_pa), (uint32_t)val, __ATOMIC_RELEASE);
    else
        pte_store(pm, pte_pa, val);
}

uint64_t pte_exchange_as(const struct pt_format *fmt, struct physmem *pm, paddr_t pte_pa,
                         uint64_t val)
{
    if (fmt->pte_bytes == 4)
        return __atomic_exchange_n(pte32_ptr(pm, pte_pa), (uint32_t)val, __ATOMIC_ACQ_REL);
    return pte_exchange(pm, pte_pa, val);
}

bool pte_cas_as(const struct pt_format *fmt, struct physmem *pm, paddr_t pte_pa,
                uint64_t *expected, uint64_t val)
{
    if (fmt->pte_bytes != 4)
        return pte_cas(pm, pte_pa, expected, val);
    uint32_t e = (uint32_t)*expected;
    bool ok = __atomic_compare_exchange_n(pte32_ptr(pm, pte_pa), &e, (uint32_t)val, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    *expected = e;
    return ok;
}

uint64_t pte_clear_bits_as(const struct pt_format *fmt, struct physmem *pm, paddr_t pte_pa,
                           uint64_t bits)
{
    if (fmt->pte_bytes == 4)
        return __atomic_fetch_and(pte32_ptr(pm, pte_pa), ~(uint32_t)bits, __ATOMIC_ACQ_REL);
    return pte_clear_bits(pm, pte_pa, bits);
}
