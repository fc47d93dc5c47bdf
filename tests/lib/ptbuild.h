/* ptbuild.h — a tiny page-table builder for the machine's tests.
 *
 * Tables are made in simulated physical memory with the format's own
 * make_table/make_leaf, from frames handed out by a bump allocator over a
 * region of physical memory the test reserves for them. Leaves carry no
 * A/D bits unless the caller passes them in `extra`, so a test sees
 * exactly what the walker set.
 */
#ifndef VMLAB_TESTS_PTBUILD_H
#define VMLAB_TESTS_PTBUILD_H

#include <vmlab/machine.h>

struct ptb {
    struct physmem *pm;
    const struct pt_format *fmt;
    paddr_t next, limit;      /* bump allocator: [next, limit) is free */
    paddr_t root;
};

/* Tables come from [pool, pool_end); a fresh zeroed root is allocated. */
void ptb_init(struct ptb *b, struct physmem *pm, const struct pt_format *fmt, paddr_t pool,
              paddr_t pool_end);
/* A zeroed frame from the pool (aborts the test program if exhausted). */
paddr_t ptb_alloc(struct ptb *b);

/* Map the page of size pt_fmt_size(fmt, level) holding va to pa: intermediate
 * tables are created as needed; the leaf is make_leaf(level, pa, prot, 0, 0, 0)
 * | extra. Returns the physical address of the leaf entry. */
paddr_t ptb_map(struct ptb *b, vaddr_t va, paddr_t pa, unsigned level, unsigned prot, uint64_t extra);

/* Physical address of va's entry at `level` (tables above must exist;
 * 0 if one is missing). */
paddr_t ptb_entry(const struct ptb *b, vaddr_t va, unsigned level);
uint64_t ptb_get(const struct ptb *b, vaddr_t va, unsigned level);
void ptb_set(struct ptb *b, vaddr_t va, unsigned level, uint64_t val);

/* A machine for tests: arch, CPUs, memory, TLB geometry (a preset name, or
 * a tlb_config_parse spec applied to "tiny"); aborts on error. */
struct machine *tm_machine(enum pt_arch arch, unsigned ncpus, uint64_t mem, const char *tlb);
/* The same with the machine's width: 64, or 32 (an IA-32 processor, an RV32 hart). */
struct machine *tm_machine_xlen(enum pt_arch arch, unsigned xlen, unsigned ncpus, uint64_t mem,
                                const char *tlb);

/* Point CPU c at b's tables. x86: EFER.NXE is set (make_leaf marks
 * non-executable pages XD, reserved without NXE), CR4 gets LA57 for a
 * 5-level format, CR3 the root (with PCID `asid` if CR4.PCIDE is set).
 * ia32 (a 32-bit machine): CR4.PSE, then CR3. RISC-V: satp with the
 * format's mode and ASID `asid` (Sv32: the RV32 layout). Anything else:
 * the cpu_* control functions. */
void tm_activate(struct cpu *c, const struct ptb *b, uint16_t asid);

/* A canonical VA of the format made of table indices, root first, e.g.
 * tm_va(fmt, (unsigned[]){1, 2, 3, 4}, 0x123) for 4 levels. Upper bits are
 * sign-extended from the top index (64-bit formats). */
vaddr_t tm_va(const struct pt_format *fmt, const unsigned *idx, uint64_t offset);

/* pt_walk with the result and fault cleared first (the fault to a pattern,
 * so a field the walker forgot to set shows). */
int tm_walk(struct physmem *pm, const struct walk_env *e, vaddr_t va, enum vm_access acc,
            struct walk_result *r, struct vm_fault *f);

/* A counter of CPU c. */
uint64_t tm_stat(const struct cpu *c, enum cpu_stat s);

/* True if running under a sanitizer (make SAN=...): scale work down. */
bool tm_san(void);

#endif
