/* test_walk_riscv.c — the walker on hand-built Sv39/Sv48/Sv57 tables with
 * leaves at every level, against the RISC-V privileged spec (supervisor
 * chapter, "Virtual Address Translation Process" and the Sv39/48/57 PTE formats):
 * translations, A/D under Svadu and Svade, every page-fault case (V=0 at
 * each level, reserved bits 60:54, W without R, non-leaf A/D/U, misaligned
 * superpages, running out of levels, non-canonical), U/SUM/MXR rights and
 * global subtrees. */
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (16ull << 20)
#define POOL 0x100000ull

static struct physmem *pm;
static const enum pt_format_id ids[] = {PT_SV39, PT_SV48, PT_SV57};

static void fresh(struct ptb *b, enum pt_format_id id) { ptb_init(b, pm, pt_format(id), POOL, MEM); }

static struct walk_env env_of(const struct ptb *b)
{
    struct walk_env e = {.fmt = b->fmt, .root = b->root, .priv = VM_PRIV_SUPERVISOR, .adue = true};
    return e;
}

static vaddr_t test_va(const struct pt_format *f, uint64_t off)
{
    static const unsigned idx[] = {300, 5, 7, 9, 11};    /* 300: upper half at the root */
    return tm_va(f, idx + (5 - f->levels), off);
}

static unsigned cause_of(enum vm_access acc)
{
    return acc == VM_ACCESS_FETCH ? 12 : acc == VM_ACCESS_WRITE ? 15 : 13;
}

static int walk(const struct walk_env *e, vaddr_t va, enum vm_access acc, struct walk_result *r,
                struct vm_fault *f)
{
    return tm_walk(pm, e, va, acc, r, f);
}

/* kind: 0 permission, 1 not present (V=0), 2 reserved encoding */
static void expect_pf(const struct walk_env *e, vaddr_t va, enum vm_access acc, int kind,
                      unsigned level, const char *what)
{
    struct walk_result r;
    struct vm_fault f;
    int rc = walk(e, va, acc, &r, &f);
    ok(rc == -1 && f.type == FAULT_PAGE && f.cause == cause_of(acc) && f.addr == va &&
           f.level == level && f.not_present == (kind == 1) && f.reserved == (kind == 2) &&
           f.error_code == 0,
       "%s %s: page fault cause %u level %u (rc %d type %d cause %u level %u np %d rsv %d)",
       e->fmt->name, what, cause_of(acc), level, rc, f.type, f.cause, f.level, f.not_present,
       f.reserved);
}

static void expect_ok(const struct walk_env *e, vaddr_t va, enum vm_access acc, paddr_t pa,
                      const char *what)
{
    struct walk_result r;
    struct vm_fault f;
    int rc = walk(e, va, acc, &r, &f);
    ok(rc == 0 && r.pa == pa, "%s %s: allowed (rc %d, pa 0x%llx)", e->fmt->name, what, rc,
       (unsigned long long)r.pa);
}

static void test_translate(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    for (unsigned level = 0; level < fmt->levels; level++) {
        struct ptb b;
        fresh(&b, id);
        uint64_t size = pt_level_size(level);
        paddr_t base = 3 * size;
        vaddr_t va = test_va(fmt, 0) & ~(size - 1);
        uint64_t off = 0x0123456789abcull & (size - 1);
        ptb_map(&b, va, base, level, VM_PROT_READ | VM_PROT_WRITE, 0);
        struct walk_env e = env_of(&b);
        struct walk_result r;
        struct vm_fault f;
        int rc = walk(&e, va + off, VM_ACCESS_READ, &r, &f);
        ok(rc == 0 && r.pa == base + off && r.page_base == base && r.level == level,
           "%s leaf at level %u: pa 0x%llx", fmt->name, level, (unsigned long long)r.pa);
        is_u64(r.refs, fmt->levels - level, "%s level %u: entries read", fmt->name, level);
        is_u64(r.ad_updates, 1, "%s level %u: one CAS (leaf A)", fmt->name, level);
        is_u64(r.prot, VM_PROT_READ | VM_PROT_WRITE, "%s level %u: rights of the leaf", fmt->name, level);
        bool nonleaf_clean = true;
        for (unsigned l = fmt->levels - 1; l > level; l--)
            nonleaf_clean &= !(ptb_get(&b, va, l) & (RV_PTE_A | RV_PTE_D));
        uint64_t leaf = ptb_get(&b, va, level);
        ok((leaf & RV_PTE_A) && !(leaf & RV_PTE_D), "%s level %u: read sets leaf A only", fmt->name, level);
        ok(nonleaf_clean, "%s level %u: non-leaf entries untouched (A/D reserved there)", fmt->name, level);
        rc = walk(&e, va + off, VM_ACCESS_WRITE, &r, &f);
        leaf = ptb_get(&b, va, level);
        ok(rc == 0 && r.dirty && (leaf & RV_PTE_D) && r.ad_updates == 1,
           "%s level %u: write sets leaf D", fmt->name, level);
        rc = walk(&e, va + off, VM_ACCESS_FETCH, &r, &f);
        ok(rc == -1 && f.cause == 12, "%s level %u: fetch from non-X leaf faults", fmt->name, level);
    }
}

static void test_not_present(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    for (unsigned level = 0; level < fmt->levels; level++) {
        struct ptb b;
        fresh(&b, id);
        vaddr_t va = test_va(fmt, 0x7f8);
        ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
        /* V=0 with reserved bits set: V is checked first */
        ptb_set(&b, va, level, (ptb_get(&b, va, level) & ~RV_PTE_V) | RV_PTE_RESERVED | RV_PTE_W);
        struct walk_env e = env_of(&b);
        for (int acc = 0; acc < 3; acc++)
            expect_pf(&e, va, (enum vm_access)acc, 1, level, "V=0");
    }
}

static void test_reserved(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    const unsigned RW = VM_PROT_READ | VM_PROT_WRITE;
    vaddr_t va = test_va(fmt, 0);
    struct ptb b;
    for (unsigned level = 0; level < fmt->levels; level++) {
        fresh(&b, id);
        ptb_map(&b, va, 0x300000, 0, RW, 0);
        uint64_t old = ptb_get(&b, va, level);
        struct walk_env e = env_of(&b);
        for (unsigned bit = 54; bit <= 60; bit++) {
            ptb_set(&b, va, level, old | (1ull << bit));
            expect_pf(&e, va, VM_ACCESS_READ, 2, level, bit == 54 ? "reserved bit 54" : bit == 60 ? "reserved bit 60" : "reserved bit 55-59");
        }
        ptb_set(&b, va, level, old | RV_PTE_N);
        expect_pf(&e, va, VM_ACCESS_READ, 2, level, "N without Svnapot");
        ptb_set(&b, va, level, old | RV_PTE_PBMT);
        expect_pf(&e, va, VM_ACCESS_READ, 2, level, "PBMT without Svpbmt");
        if (level > 0) {
            /* non-leaf A, D, U are reserved */
            ptb_set(&b, va, level, old | RV_PTE_A);
            expect_pf(&e, va, VM_ACCESS_READ, 2, level, "non-leaf A");
            ptb_set(&b, va, level, old | RV_PTE_D);
            expect_pf(&e, va, VM_ACCESS_READ, 2, level, "non-leaf D");
            ptb_set(&b, va, level, old | RV_PTE_U);
            expect_pf(&e, va, VM_ACCESS_READ, 2, level, "non-leaf U");
            ptb_set(&b, va, level, old | RV_PTE_W);
            expect_pf(&e, va, VM_ACCESS_READ, 2, level, "W without R (non-leaf turned leaf)");
        }
        ptb_set(&b, va, level, old);
        expect_ok(&e, va, VM_ACCESS_READ, 0x300000, "restored entry");
    }
    /* W without R at the leaf, with and without X */
    fresh(&b, id);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_WRITE, 0);
    struct walk_env e = env_of(&b);
    expect_pf(&e, va, VM_ACCESS_WRITE, 2, 0, "leaf W=1 R=0");
    ptb_map(&b, va, 0x300000, 0, VM_PROT_WRITE | VM_PROT_EXEC, 0);
    expect_pf(&e, va, VM_ACCESS_FETCH, 2, 0, "leaf W=1 R=0 X=1");
    ok(!(ptb_get(&b, va, 0) & RV_PTE_A), "reserved encoding: leaf A not set");
    /* running out of levels: a pointer at level 0 */
    ptb_set(&b, va, 0, RV_PTE_V | (0x300ull << 10));
    expect_pf(&e, va, VM_ACCESS_READ, 2, 0, "pointer at level 0 (out of levels)");
    /* misaligned superpages: any set PPN bit below the level */
    for (unsigned level = 1; level < fmt->levels; level++) {
        fresh(&b, id);
        uint64_t size = pt_level_size(level);
        vaddr_t sva = va & ~(size - 1);
        e = env_of(&b);
        ptb_map(&b, sva, size | 0x1000, level, RW, 0);
        expect_pf(&e, sva, VM_ACCESS_READ, 2, level, "superpage with PPN[0] bit 0 set");
        ptb_map(&b, sva, size | (size >> 1), level, RW, 0);
        expect_pf(&e, sva, VM_ACCESS_READ, 2, level, "superpage with its top low PPN bit set");
        ptb_map(&b, sva, 2 * size, level, RW, 0);
        expect_ok(&e, sva + 0x10, VM_ACCESS_READ, 2 * size + 0x10, "aligned superpage");
    }
}

static void test_rights(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    vaddr_t va = test_va(fmt, 0x20);
    paddr_t pa = 0x300020;
    struct ptb b;
    fresh(&b, id);
    /* a user page RW, a user exec-only page, a supervisor RWX page */
    vaddr_t xva = va + 0x1000, sva = va + 0x2000;
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, 0);
    ptb_map(&b, xva, 0x301000, 0, VM_PROT_EXEC | VM_PROT_USER, 0);
    ptb_map(&b, sva, 0x302000, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    struct walk_env e = env_of(&b);
    e.priv = VM_PRIV_USER;
    expect_ok(&e, va, VM_ACCESS_WRITE, pa, "U-mode write to U RW page");
    expect_pf(&e, va, VM_ACCESS_FETCH, 0, 0, "U-mode fetch of non-X page");
    expect_ok(&e, xva + 0x20, VM_ACCESS_FETCH, 0x301040, "U-mode fetch of U X page");
    expect_pf(&e, xva + 0x20, VM_ACCESS_READ, 0, 0, "U-mode read of X-only page, MXR=0");
    e.mxr = true;
    expect_ok(&e, xva + 0x20, VM_ACCESS_READ, 0x301040, "U-mode read of X-only page, MXR=1");
    expect_pf(&e, xva + 0x20, VM_ACCESS_WRITE, 0, 0, "MXR does not allow writes");
    e.mxr = false;
    for (int acc = 0; acc < 3; acc++)
        expect_pf(&e, sva, (enum vm_access)acc, 0, 0, "U-mode access to a supervisor page");
    e.priv = VM_PRIV_SUPERVISOR;
    expect_pf(&e, va, VM_ACCESS_READ, 0, 0, "S-mode read of U page, SUM=0");
    expect_pf(&e, va, VM_ACCESS_WRITE, 0, 0, "S-mode write of U page, SUM=0");
    e.sum = true;
    expect_ok(&e, va, VM_ACCESS_READ, pa, "S-mode read of U page, SUM=1");
    expect_ok(&e, va, VM_ACCESS_WRITE, pa, "S-mode write of U page, SUM=1");
    expect_pf(&e, xva, VM_ACCESS_FETCH, 0, 0, "S-mode never executes a U page, even with SUM");
    e.mxr = true;
    expect_ok(&e, xva, VM_ACCESS_READ, 0x301020, "S-mode read of U X-only page with SUM and MXR");
    e = env_of(&b);
    expect_ok(&e, sva, VM_ACCESS_FETCH, 0x302020, "S-mode fetch of S X page");
    /* a read-only page: the store fault is cause 15 */
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ, 0);
    expect_pf(&e, va, VM_ACCESS_WRITE, 0, 0, "store to R-only page");
    ok(!(ptb_get(&b, va, 0) & (RV_PTE_A | RV_PTE_D)), "denied store: leaf A/D not set");
    /* non-leaf entries carry no rights: only the leaf decides */
    struct walk_result r;
    struct vm_fault f;
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, 0);
    e.priv = VM_PRIV_USER;
    ok(walk(&e, va, VM_ACCESS_WRITE, &r, &f) == 0 && r.prot == (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER) &&
           !r.global, "rights come from the leaf");
}

/* Svade (menvcfg.ADUE = 0): missing A, or D on a store, is a page fault and
 * the entry is left alone. Svadu: the walker sets them. */
static void test_svade(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    vaddr_t va = test_va(fmt, 0);
    struct ptb b;
    fresh(&b, id);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    struct walk_env e = env_of(&b);
    e.adue = false;
    expect_pf(&e, va, VM_ACCESS_READ, 0, 0, "Svade: load with A=0");
    expect_pf(&e, va, VM_ACCESS_WRITE, 0, 0, "Svade: store with A=0");
    is_u64(ptb_get(&b, va, 0) & (RV_PTE_A | RV_PTE_D), 0, "%s Svade: entry not changed", fmt->name);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE, RV_PTE_A);
    expect_ok(&e, va, VM_ACCESS_READ, 0x300000, "Svade: load with A=1");
    expect_pf(&e, va, VM_ACCESS_WRITE, 0, 0, "Svade: store with D=0");
    is_u64(ptb_get(&b, va, 0) & RV_PTE_D, 0, "%s Svade: D not set", fmt->name);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE, RV_PTE_A | RV_PTE_D);
    struct walk_result r;
    struct vm_fault f;
    ok(walk(&e, va, VM_ACCESS_WRITE, &r, &f) == 0 && r.ad_updates == 0, "%s Svade: store with A=D=1", fmt->name);
    e.adue = true;
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    ok(walk(&e, va, VM_ACCESS_WRITE, &r, &f) == 0 &&
           (ptb_get(&b, va, 0) & (RV_PTE_A | RV_PTE_D)) == (RV_PTE_A | RV_PTE_D),
       "%s Svadu: store sets A and D", fmt->name);
}

static void test_global_and_canonical(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    vaddr_t va = test_va(fmt, 0);
    struct ptb b;
    fresh(&b, id);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ, 0);
    ptb_map(&b, va + 0x1000, 0x301000, 0, VM_PROT_READ | VM_PROT_GLOBAL, 0);
    struct walk_env e = env_of(&b);
    struct walk_result r;
    struct vm_fault f;
    ok(walk(&e, va, VM_ACCESS_READ, &r, &f) == 0 && !r.global, "%s: non-global leaf", fmt->name);
    ok(walk(&e, va + 0x1000, VM_ACCESS_READ, &r, &f) == 0 && r.global, "%s: leaf G", fmt->name);
    /* a G in a non-leaf entry makes its whole subtree global */
    ptb_set(&b, va, 1, ptb_get(&b, va, 1) | RV_PTE_G);
    ok(walk(&e, va, VM_ACCESS_READ, &r, &f) == 0 && r.global, "%s: non-leaf G: subtree global", fmt->name);

    vaddr_t bad = 1ull << (fmt->va_bits - 1);
    for (int acc = 0; acc < 3; acc++) {
        int rc = walk(&e, bad + 0x10, (enum vm_access)acc, &r, &f);
        ok(rc == -1 && f.type == FAULT_PAGE && f.cause == cause_of((enum vm_access)acc) &&
               f.addr == bad + 0x10 && r.refs == 0,
           "%s: non-canonical access %d: page fault cause %u, stval = address", fmt->name, acc,
           cause_of((enum vm_access)acc));
    }
    ok(walk(&e, ~0ull << fmt->va_bits, VM_ACCESS_READ, &r, &f) == -1 && f.type == FAULT_PAGE,
       "%s: upper bits set, bit %u clear: page fault", fmt->name, fmt->va_bits - 1);
}

int main(void)
{
    char err[128];
    pm = physmem_create(MEM, err, sizeof err);
    for (int i = 0; i < 3; i++) {
        test_translate(ids[i]);
        test_not_present(ids[i]);
        test_reserved(ids[i]);
        test_rights(ids[i]);
        test_svade(ids[i]);
        test_global_and_canonical(ids[i]);
    }
    physmem_destroy(pm);
    return tap_done();
}
