/* walk.c — the page walker, one loop for every format.
 *
 * The loop follows the QEMU/SDM recipe (FACTS A.1.5):
 *   1. descend, reading one entry per level; on x86 set A in each non-leaf
 *      entry with compare-and-swap as it is used;
 *   2. at the leaf, check the rights combined over the levels;
 *   3. only if the access is allowed, compare-and-swap A (and D for a
 *      write) into the leaf; if another CPU or the kernel changed the entry
 *      meanwhile, start the walk again.
 * What differs between architectures (reserved bits, how rights combine,
 * what a permission failure looks like) is in the two small check
 * functions for each architecture below.
 */
#include "hw/walk.h"

#include <string.h>

enum check { OK, NOT_PRESENT, RESERVED, DENIED };

/* ---- x86 (SDM 4.5, 4.6) ---- */

static enum check x86_check_entry(const struct walk_env *env, uint64_t pte, unsigned level,
                                  const struct pte_info *e)
{
    if (!e->present)
        return NOT_PRESENT;
    uint64_t above_maxphy = X86_PTE_ADDR & ~(((uint64_t)1 << env->maxphyaddr) - 1);
    if (pte & above_maxphy)
        return RESERVED;
    if ((pte & X86_PTE_XD) && !env->nxe)
        return RESERVED;
    if (level >= 3 && (pte & X86_PTE_PS))
        return RESERVED;                                 /* PS in a PML4E/PML5E */
    if (level == 2 && (pte & X86_PTE_PS) && !env->gbpages)
        return RESERVED;
    if (e->leaf && level > 0) {
        /* bits (page shift - 1):13 of a large-page entry; bit 12 is PAT */
        uint64_t low = (pt_level_size(level) - 1) & ~(uint64_t)0x1fff;
        if (pte & low)
            return RESERVED;                             /* misaligned frame */
    }
    return OK;
}

bool walk_pkey_denied(const struct walk_env *env, unsigned pkey, unsigned prot, enum vm_access acc)
{
    if (env->fmt->arch != PT_ARCH_X86 || !env->pke || !(prot & VM_PROT_USER) ||
        acc == VM_ACCESS_FETCH)
        return false;
    unsigned ad = (env->pkru >> (2 * pkey)) & 1, wd = (env->pkru >> (2 * pkey + 1)) & 1;
    if (ad)
        return true;
    return wd && acc == VM_ACCESS_WRITE && (env->priv == VM_PRIV_USER || env->wp);
}

static bool x86_allowed(const struct walk_env *env, unsigned prot, enum vm_access acc)
{
    bool user_page = prot & VM_PROT_USER;
    if (env->priv == VM_PRIV_USER) {
        if (!user_page)
            return false;
        if (acc == VM_ACCESS_WRITE && !(prot & VM_PROT_WRITE))
            return false;
        if (acc == VM_ACCESS_FETCH && env->nxe && !(prot & VM_PROT_EXEC))
            return false;
        return true;
    }
    if (acc == VM_ACCESS_FETCH) {
        if (env->nxe && !(prot & VM_PROT_EXEC))
            return false;
        if (env->smep && user_page)
            return false;
        return true;
    }
    if (user_page && env->smap && !env->ac)
        return false;
    if (acc == VM_ACCESS_WRITE && env->wp && !(prot & VM_PROT_WRITE))
        return false;
    return true;
}

/* ---- RISC-V (privileged spec, "Virtual Address Translation Process") ---- */

static enum check rv_check_entry(const struct walk_env *env, uint64_t pte, unsigned level,
                                 const struct pte_info *e)
{
    if (!e->present)
        return NOT_PRESENT;
    /* Reserved bits; PBMT and N are reserved too (Svpbmt/Svnapot absent). */
    if (pte & (RV_PTE_RESERVED | RV_PTE_PBMT | RV_PTE_N))
        return RESERVED;
    if ((pte & RV_PTE_W) && !(pte & RV_PTE_R))
        return RESERVED;
    if (!e->leaf) {
        if (pte & (RV_PTE_D | RV_PTE_A | RV_PTE_U))
            return RESERVED;
        if (level == 0)
            return RESERVED;                             /* ran out of levels */
        return OK;
    }
    if (e->addr & (pt_level_size(level) - 1))
        return RESERVED;                                 /* misaligned superpage */
    return OK;
}

static bool rv_allowed(const struct walk_env *env, unsigned prot, enum vm_access acc)
{
    bool user_page = prot & VM_PROT_USER;
    if (env->priv == VM_PRIV_USER && !user_page)
        return false;
    if (env->priv == VM_PRIV_SUPERVISOR && user_page &&
        (acc == VM_ACCESS_FETCH || !env->sum))
        return false;
    switch (acc) {
    case VM_ACCESS_FETCH: return prot & VM_PROT_EXEC;
    case VM_ACCESS_WRITE: return prot & VM_PROT_WRITE;
    default:              return (prot & VM_PROT_READ) || (env->mxr && (prot & VM_PROT_EXEC));
    }
}

/* ---- shared ---- */

bool walk_allowed(const struct walk_env *env, unsigned prot, enum vm_access acc)
{
    return env->fmt->arch == PT_ARCH_X86 ? x86_allowed(env, prot, acc) : rv_allowed(env, prot, acc);
}

static void make_fault(const struct walk_env *env, vaddr_t va, enum vm_access acc,
                       enum check why, bool pk, unsigned level, struct vm_fault *f)
{
    memset(f, 0, sizeof *f);
    f->type = FAULT_PAGE;
    f->addr = va;
    f->access = acc;
    f->priv = env->priv;
    f->level = level;
    f->not_present = why == NOT_PRESENT;
    f->reserved = why == RESERVED;
    if (env->fmt->arch == PT_ARCH_X86) {
        uint32_t ec = 0;
        if (why != NOT_PRESENT)
            ec |= PF_P;
        if (acc == VM_ACCESS_WRITE)
            ec |= PF_W;
        if (env->priv == VM_PRIV_USER)
            ec |= PF_U;
        if (why == RESERVED)
            ec |= PF_RSVD;
        if (acc == VM_ACCESS_FETCH && (env->nxe || env->smep))
            ec |= PF_ID;
        if (pk)
            ec |= PF_PK;
        f->error_code = ec;
    } else {
        f->cause = acc == VM_ACCESS_FETCH ? RV_CAUSE_FETCH_PAGE_FAULT
                 : acc == VM_ACCESS_WRITE ? RV_CAUSE_STORE_PAGE_FAULT
                                          : RV_CAUSE_LOAD_PAGE_FAULT;
    }
}

void walk_start_at_root(const struct walk_env *env, struct walk_start *s)
{
    s->level = env->fmt->levels - 1;
    s->table = env->root;
    s->prot = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC | VM_PROT_USER;
    s->global = false;
}

int walk_run(struct physmem *pm, const struct walk_env *env, vaddr_t va, enum vm_access acc,
             const struct walk_start *start, struct walk_result *res, struct vm_fault *fault,
             struct walk_path *path)
{
    const struct pt_format *fmt = env->fmt;
    bool x86 = fmt->arch == PT_ARCH_X86;

    if (!pt_canonical(fmt, va)) {
        if (x86) {
            memset(fault, 0, sizeof *fault);
            fault->type = FAULT_GP;            /* #GP(0): CR2 is not written */
            fault->addr = va;
            fault->access = acc;
            fault->priv = env->priv;
            fault->level = fmt->levels - 1;
        } else {
            make_fault(env, va, acc, DENIED, false, fmt->levels - 1, fault);
        }
        return -1;
    }

    /* Entries are read straight from host memory (as pte_load does), so a
     * level costs no calls: the range check below replaces physmem's. */
    const uint8_t *membase = physmem_host(pm, 0);
    uint64_t memsize = physmem_size(pm);
    unsigned refs = 0, ad_updates = 0, restarts = 0;
restart:;
    paddr_t table = start->table;
    unsigned prot = start->prot;
    bool global = start->global;
    struct pte_info e;
    uint64_t pte;
    paddr_t pte_pa;
    unsigned level = start->level;
    if (path)
        path->top = start->level;

    for (;;) {
        pte_pa = table + (paddr_t)pt_index(va, level) * 8;
        if (pte_pa > memsize - 8) {
            /* A table outside memory reads as all ones on a real bus; a
             * simulator treats it as a reserved-bit fault. */
            make_fault(env, va, acc, RESERVED, false, level, fault);
            return -1;
        }
        pte = __atomic_load_n((const uint64_t *)(membase + pte_pa), __ATOMIC_ACQUIRE);
        refs++;
        fmt->decode(pte, level, &e);
        enum check c = x86 ? x86_check_entry(env, pte, level, &e) : rv_check_entry(env, pte, level, &e);
        if (c != OK) {
            make_fault(env, va, acc, c, false, level, fault);
            goto fail;
        }
        if (x86) {
            /* R/W and U/S are ANDed over the levels, XD is ORed (EXEC ANDed). */
            prot &= e.prot | VM_PROT_GLOBAL;
        }
        if (e.prot & VM_PROT_GLOBAL)
            global = true;
        if (e.leaf)
            break;
        if (x86 && !e.accessed) {
            uint64_t old = pte;
            if (!pte_cas(pm, pte_pa, &old, pte | fmt->a_bit)) {
                restarts++;                      /* changed under us: walk again */
                goto restart;
            }
            ad_updates++;
        }
        if (path) {
            path->next[level] = e.addr;
            path->prot[level] = prot;
            path->global[level] = global;
        }
        table = e.addr;
        level--;
    }

    if (!x86)
        prot = e.prot;                           /* RISC-V: the leaf alone decides */
    bool pk = walk_pkey_denied(env, e.pkey, prot, acc);
    bool ok = walk_allowed(env, prot, acc);
    if (!ok || pk) {
        make_fault(env, va, acc, DENIED, pk, level, fault);
        goto fail;
    }

    bool want_d = acc == VM_ACCESS_WRITE;
    if (!e.accessed || (want_d && !e.dirty)) {
        if (!x86 && !env->adue) {                /* Svade: software manages A/D */
            make_fault(env, va, acc, DENIED, false, level, fault);
            goto fail;
        }
        uint64_t old = pte, new = pte | fmt->a_bit | (want_d ? fmt->d_bit : 0);
        if (!pte_cas(pm, pte_pa, &old, new)) {
            restarts++;
            goto restart;
        }
        ad_updates++;
        pte = new;
        fmt->decode(pte, level, &e);
    }

    uint64_t size = pt_level_size(level);
    paddr_t base = e.addr & ~(size - 1);
    if (x86)
        base &= ((uint64_t)1 << env->maxphyaddr) - 1;
    res->page_base = base;
    res->pa = base | (va & (size - 1));
    res->level = level;
    res->prot = prot & ~VM_PROT_GLOBAL;
    res->global = global;
    res->dirty = e.dirty;
    res->refs = refs;
    res->ad_updates = ad_updates;
    res->restarts = restarts;
    res->leaf_pte = pte_pa;
    res->pkey = e.pkey;
    if (path)
        path->leaf = level;
    return 0;

fail:
    /* a fault still reports the entries read, for the statistics */
    res->refs = refs;
    res->ad_updates = ad_updates;
    res->restarts = restarts;
    return -1;
}

int pt_walk(struct physmem *pm, const struct walk_env *env, vaddr_t va, enum vm_access acc,
            struct walk_result *res, struct vm_fault *fault)
{
    struct walk_start s;
    walk_start_at_root(env, &s);
    return walk_run(pm, env, va, acc, &s, res, fault, NULL);
}
