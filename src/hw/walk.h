/* walk.h — the walker's internal entry point, used by the CPU's TLB miss path.
 *
 * A walk may start below the root when a page-walk cache supplies the
 * table for some level together with the rights combined above it.
 */
#ifndef VMLAB_HW_WALK_H
#define VMLAB_HW_WALK_H

#include <vmlab/machine.h>
#include <vmlab/observe.h>

struct walk_start {
    unsigned level;      /* level of the table at `table` */
    paddr_t table;
    unsigned prot;       /* rights combined over the levels above (VM_PROT_*) */
    bool global;         /* RISC-V: a non-leaf G above makes the subtree global */
};

/* The non-leaf entries a walk went through: for each level L above the
 * leaf, the table it pointed to and the rights combined down to L. With
 * `log` set (an observed CPU, observe.h), every entry read is recorded
 * there too: its table, index, value, decoding, check and what the walker
 * wrote into it (log->nlevels counts them; the rest of *log is the
 * caller's). */
struct walk_path {
    unsigned top, leaf;              /* levels [leaf+1, top] are filled */
    paddr_t next[PT_MAX_LEVELS];
    unsigned prot[PT_MAX_LEVELS];
    bool global[PT_MAX_LEVELS];
    struct vm_ev_walk *log;          /* NULL: not observed */
};

/* Would the combined rights `prot` allow access `acc` under env's control
 * state? (Used on TLB hits, whose entries cache the combined rights.) */
bool walk_allowed(const struct walk_env *env, unsigned prot, enum vm_access acc);
/* x86 protection keys: does PKRU forbid the access to a page with key `pkey`? */
bool walk_pkey_denied(const struct walk_env *env, unsigned pkey, unsigned prot, enum vm_access acc);

void walk_start_at_root(const struct walk_env *env, struct walk_start *s);

/* The fault an access to an address the format cannot translate raises
 * (pt_canonical false): x86 #GP(0), a RISC-V page fault. No entry is read. */
void walk_bad_address(const struct walk_env *env, vaddr_t va, enum vm_access acc,
                      struct vm_fault *fault);

/* The page fault an access denied by the rights `prot` raises (x86 P=1 with
 * W/U/I-D/PK as the access was; RISC-V 12/13/15), at level 0: a software-
 * refilled TLB's protection fault on a hit. */
void walk_rights_fault(const struct walk_env *env, vaddr_t va, enum vm_access acc, bool pk,
                       struct vm_fault *fault);

/* For tests: fn is called just before every A/D compare-and-swap a walk
 * makes, with the entry's address, so that a test can change the entry and
 * make the swap fail for certain (NULL: no hook). One hook for the whole
 * process; set it while no walk runs. */
typedef void (*walk_cas_hook_fn)(struct physmem *pm, paddr_t pte_pa, unsigned level, void *arg);
void walk_set_cas_hook(walk_cas_hook_fn fn, void *arg);

int walk_run(struct physmem *pm, const struct walk_env *env, vaddr_t va, enum vm_access acc,
             const struct walk_start *start, struct walk_result *res, struct vm_fault *fault,
             struct walk_path *path);

#endif
