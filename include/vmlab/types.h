/* vmlab/types.h — basic types shared by every layer of vmlab.
 *
 * Addresses are 64-bit integers. A virtual (x86: linear) address is a
 * vaddr_t; an address in the machine's simulated physical memory is a
 * paddr_t. The base page is 4 KiB on every supported format.
 */
#ifndef VMLAB_TYPES_H
#define VMLAB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t vaddr_t;
typedef uint64_t paddr_t;

#define VM_PAGE_SHIFT 12
#define VM_PAGE_SIZE  ((uint64_t)1 << VM_PAGE_SHIFT)
#define VM_PAGE_MASK  (VM_PAGE_SIZE - 1)

#define VM_ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define VM_ALIGN_UP(x, a)   (((x) + (uint64_t)(a) - 1) & ~((uint64_t)(a) - 1))

/* What a memory access does. Numbering is part of the ABI (trace formats). */
enum vm_access {
    VM_ACCESS_READ  = 0,   /* data load */
    VM_ACCESS_WRITE = 1,   /* data store */
    VM_ACCESS_FETCH = 2,   /* instruction fetch */
};

/* The privilege an access is made with: user (x86 CPL 3, RISC-V U-mode)
 * or supervisor (x86 CPL 0-2, RISC-V S-mode). */
enum vm_priv {
    VM_PRIV_USER = 0,
    VM_PRIV_SUPERVISOR = 1,
};

/* Rights a mapping grants, as combined over all levels of a walk, and as
 * the kernel asks for them when it builds an entry. */
enum {
    VM_PROT_READ   = 1u << 0,
    VM_PROT_WRITE  = 1u << 1,
    VM_PROT_EXEC   = 1u << 2,
    VM_PROT_USER   = 1u << 3,   /* accessible from user mode */
    VM_PROT_GLOBAL = 1u << 4,   /* G bit: matches under every PCID/ASID */
};

#endif
