/* walk.c — the page walker, one loop for every format.
 *
 * The loop follows the SDM's rules for A/D (vol. 3A 4.8: A is set in every
 * entry used, D in the leaf, with locked read-modify-writes) in the order
 * QEMU's x86 walker uses (target/i386 mmu_translate), which vmlab takes
 * for every format (docs/machine.md, "The walker"):
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

/* A test may ask to be called just before every A/D compare-and-swap, to
 * change the entry under the walker and so make the swap fail (walk.h). */
static walk_cas_hook_fn cas_hook;
static void *cas_hook_arg;

void walk_set_cas_hook(walk_cas_hook_fn fn, void *arg)
{
    __atomic_store_n(&cas_hook_arg, arg, __ATOMIC_RELAXED);
    __atomic_store_n(&cas_hook, fn, __ATOMIC_RELEASE);
}

static inline void before_cas(struct physmem *pm, paddr_t pte_pa, unsigned level)
{
    walk_cas_hook_fn fn = __atomic_load_n(&cas_hook, __ATOMIC_ACQUIRE);
    if (__builtin_expect(fn != NULL, 0))
        fn(pm, pte_pa, level, __atomic_load_n(&cas_hook_arg, __ATOMIC_RELAXED));
}

/* ---- x86 (SDM vol. 3A 4.3 for 32-bit paging, 4.5 for 4/5-level, 4.6 rights) ---- */

/* Does the format have XD, and is it on? (32-bit paging has no XD bit:
 * EFER.NXE changes nothing there.) */
static inline bool nx_on(const struct walk_env *env)
{
    return env->nxe && env->fmt->xd;
}

static enum check x86_check_entry(const struct walk_env *env, uint64_t pte, unsigned level,
                                  struct pte_info *e)
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

/* 32-bit paging (SDM vol. 3A 4.3, Table 4-4): reserved bits exist only in
 * a PDE that maps a 4 MiB page, bits 21:(M-19) with M = min(MAXPHYADDR,
 * 40) (PSE-36 gives 4 MiB pages PA bits (M-1):32 in bits (M-20):13).
 * Without CR4.PSE the PS bit is ignored and the PDE points to a page table. */
static enum check ia32_check_entry(const struct walk_env *env, uint64_t pte, unsigned level,
                                   struct pte_info *e)
{
    if (!e->present)
        return NOT_PRESENT;
    if (level == 1 && e->leaf) {
        if (!env->pse) {
            e->leaf = false;
            e->addr = pte & IA32_PTE_ADDR;
            e->prot &= ~VM_PROT_GLOBAL;
            e->dirty = false;
            return OK;
        }
        unsigned m = env->maxphyaddr < 32 ? 32 : env->maxphyaddr > 40 ? 40 : env->maxphyaddr;
        uint64_t reserved = ((1ull << 22) - 1) & ~((1ull << (m - 19)) - 1);
        if (pte & reserved)
            return RESERVED;
    }
    return OK;
}

bool walk_pkey_denied(const struct walk_env *env, unsigned pkey, unsigned prot, enum vm_access acc)
{
    if (!env->fmt->pkeys || !env->pke || !(prot & VM_PROT_USER) || acc == VM_ACCESS_FETCH)
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
        if (acc == VM_ACCESS_FETCH && nx_on(env) && !(prot & VM_PROT_EXEC))
            return false;
        return true;
    }
    if (acc == VM_ACCESS_FETCH) {
        if (nx_on(env) && !(prot & VM_PROT_EXEC))
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
                                 struct pte_info *e, uint64_t level_size)
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
    if (e->addr & (level_size - 1))
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
        if (acc == VM_ACCESS_FETCH && (nx_on(env) || env->smep))
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

void walk_bad_address(const struct walk_env *env, vaddr_t va, enum vm_access acc,
                      struct vm_fault *fault)
{
    const struct pt_format *fmt = env->fmt;
    if (fmt->arch == PT_ARCH_X86) {
        memset(fault, 0, sizeof *fault);
        fault->type = FAULT_GP;                /* #GP(0): CR2 is not written */
        fault->addr = va;
        fault->access = acc;
        fault->priv = env->priv;
        fault->level = fmt->levels - 1;
    } else {
        make_fault(env, va, acc, DENIED, false, fmt->levels - 1, fault);
    }
}

void walk_rights_fault(const struct walk_env *env, vaddr_t va, enum vm_access acc, bool pk,
                       struct vm_fault *fault)
{
    make_fault(env, va, acc, DENIED, pk, 0, fault);
}

void walk_start_at_root(const struct walk_env *env, struct walk_start *s)
{
    s->level = env->fmt->levels - 1;
    s->table = env->root;
    s->prot = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC | VM_PROT_USER;
    s->global = false;
}

/* ---- the observer's record of a walk (walk.h: walk_path.log) ---- */

/* Record the entry just read; NULL once the log is full. */
static struct vm_walk_level *log_entry(struct vm_ev_walk *log, unsigned level, paddr_t table,
                                       unsigned index, paddr_t pte_pa, uint64_t pte,
                                       const struct pte_info *e, enum check c)
{
    if (log->nlevels >= VM_WALK_MAX_LEVELS)
        return NULL;
    struct vm_walk_level *l = &log->lv[log->nlevels++];
    static const enum vm_walk_check as_event[] = {
        [OK] = VM_WALK_OK, [NOT_PRESENT] = VM_WALK_NOT_PRESENT, [RESERVED] = VM_WALK_RESERVED,
        [DENIED] = VM_WALK_DENIED,
    };
    *l = (struct vm_walk_level){.level = level, .table = table, .index = index, .pte_pa = pte_pa,
                                .pte = pte, .written = pte, .info = *e, .check = as_event[c]};
    return l;
}

/* The walker's compare-and-swap on that entry: won (the value it wrote) or lost. */
static inline void log_written(struct vm_walk_level *l, uint64_t value, bool won)
{
    if (__builtin_expect(l != NULL, 0)) {
        l->written = value;
        if (!won)
            l->check = VM_WALK_CAS_LOST;
    }
}

static inline void log_denied(struct vm_walk_level *l)
{
    if (__builtin_expect(l != NULL, 0))
        l->check = VM_WALK_DENIED;
}

/* The walk loop. `arch` and `width` (the entry size) are constants in each
 * of walk_run's four calls, so each copy is compiled for one shape of
 * format; everything else comes from the format's data. */
static inline __attribute__((always_inline)) int
walk_loop(struct physmem *pm, const struct walk_env *env, vaddr_t va, enum vm_access acc,
          const struct walk_start *start, struct walk_result *res, struct vm_fault *fault,
          struct walk_path *path, const enum pt_arch arch, const unsigned width)
{
    const struct pt_format *fmt = env->fmt;
    const bool x86 = arch == PT_ARCH_X86, ia32 = x86 && width == 4;

    if (!pt_canonical(fmt, va)) {
        walk_bad_address(env, va, acc, fault);
        res->refs = res->ad_updates = res->restarts = 0;   /* no entry was read */
        return -1;
    }

    /* Entries are read straight from host memory (as pte_load does), so a
     * level costs no calls: the range check below replaces physmem's. */
    const uint8_t *membase = physmem_host(pm, 0);
    uint64_t memsize = physmem_size(pm);
    unsigned refs = 0, ad_updates = 0, restarts = 0;
    /* The format's geometry in locals: the entries' acquire loads keep the
     * compiler from reusing fields it read before them. */
    uint8_t shift[PT_MAX_LEVELS];
    memcpy(shift, fmt->shift, sizeof shift);
    const uint64_t index_mask = pt_fmt_entries(fmt) - 1;
    void (*const decode)(uint64_t, unsigned, struct pte_info *) = fmt->decode;
    struct vm_ev_walk *const log = path ? path->log : NULL;   /* an observed CPU's */
    struct vm_walk_level *seen = NULL;         /* log's record of the entry just read */
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
        pte_pa = table + ((va >> shift[level]) & index_mask) * width;
        if (pte_pa > memsize - width) {
            /* A table outside memory reads as all ones on a real bus; a
             * simulator treats it as a reserved-bit fault. */
            make_fault(env, va, acc, RESERVED, false, level, fault);
            goto fail;
        }
        if (width == 8)
            pte = __atomic_load_n((const uint64_t *)(membase + pte_pa), __ATOMIC_ACQUIRE);
        else
            pte = __atomic_load_n((const uint32_t *)(membase + pte_pa), __ATOMIC_ACQUIRE);
        refs++;
        decode(pte, level, &e);
        enum check c = !x86 ? rv_check_entry(env, pte, level, &e, (uint64_t)1 << shift[level])
                     : ia32 ? ia32_check_entry(env, pte, level, &e)
                            : x86_check_entry(env, pte, level, &e);
        if (__builtin_expect(log != NULL, 0))
            seen = log_entry(log, level, table, (unsigned)((va >> shift[level]) & index_mask), pte_pa,
                             pte, &e, c);
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
            before_cas(pm, pte_pa, level);
            if (!pte_cas_as(fmt, pm, pte_pa, &old, pte | X86_PTE_A)) {
                restarts++;                      /* changed under us: walk again */
                log_written(seen, pte, false);
                goto restart;
            }
            ad_updates++;
            log_written(seen, pte | X86_PTE_A, true);
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
        log_denied(seen);
        goto fail;
    }

    bool want_d = acc == VM_ACCESS_WRITE;
    if (!e.accessed || (want_d && !e.dirty)) {
        if (!x86 && !env->adue) {                /* Svade: software manages A/D */
            make_fault(env, va, acc, DENIED, false, level, fault);
            log_denied(seen);
            goto fail;
        }
        uint64_t a = x86 ? X86_PTE_A : RV_PTE_A, d = x86 ? X86_PTE_D : RV_PTE_D;
        uint64_t old = pte, new = pte | a | (want_d ? d : 0);
        before_cas(pm, pte_pa, level);
        if (!pte_cas_as(fmt, pm, pte_pa, &old, new)) {
            restarts++;
            log_written(seen, pte, false);
            goto restart;
        }
        ad_updates++;
        log_written(seen, new, true);
        pte = new;
        decode(pte, level, &e);
    }

    uint64_t size = (uint64_t)1 << shift[level];
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

int walk_run(struct physmem *pm, const struct walk_env *env, vaddr_t va, enum vm_access acc,
             const struct walk_start *start, struct walk_result *res, struct vm_fault *fault,
             struct walk_path *path)
{
    const struct pt_format *fmt = env->fmt;
    if (fmt->arch == PT_ARCH_X86)
        return fmt->pte_bytes == 8
                   ? walk_loop(pm, env, va, acc, start, res, fault, path, PT_ARCH_X86, 8)
                   : walk_loop(pm, env, va, acc, start, res, fault, path, PT_ARCH_X86, 4);
    return fmt->pte_bytes == 8
               ? walk_loop(pm, env, va, acc, start, res, fault, path, PT_ARCH_RISCV, 8)
               : walk_loop(pm, env, va, acc, start, res, fault, path, PT_ARCH_RISCV, 4);
}

int pt_walk(struct physmem *pm, const struct walk_env *env, vaddr_t va, enum vm_access acc,
            struct walk_result *res, struct vm_fault *fault)
{
    struct walk_start s;
    walk_start_at_root(env, &s);
    return walk_run(pm, env, va, acc, &s, res, fault, NULL);
}
