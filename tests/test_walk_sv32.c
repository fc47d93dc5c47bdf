/* test_walk_sv32.c — the walker on hand-built Sv32 tables (RISC-V
 * privileged spec, "Sv32: Page-Based 32-bit Virtual-Memory Systems": two
 * levels of 1024 4-byte PTEs, 4 MiB megapages, a 22-bit PPN naming 34-bit
 * physical addresses), against the spec's translation process: every
 * page-fault case (V=0 at each level, W without R, non-leaf A/D/U, a
 * pointer at level 0, a misaligned megapage), A/D under Svadu and Svade
 * with 4-byte compare-and-swaps that leave the neighbouring entry alone,
 * U/SUM/MXR, a global non-leaf entry, and an address above 32 bits. */
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (16ull << 20)
#define POOL 0x100000ull

static struct physmem *pm;
static const struct pt_format *F;
static const vaddr_t VA = 0x80403a20;          /* VPN[1] = 513, VPN[0] = 3, offset 0xa20 */
static const unsigned RW = VM_PROT_READ | VM_PROT_WRITE;

static void fresh(struct ptb *b) { ptb_init(b, pm, F, POOL, MEM); }

static struct walk_env env_of(const struct ptb *b)
{
    struct walk_env e = {.fmt = F, .root = b->root, .priv = VM_PRIV_SUPERVISOR, .adue = true};
    return e;
}

static unsigned cause_of(enum vm_access acc)
{
    return acc == VM_ACCESS_FETCH ? 12 : acc == VM_ACCESS_WRITE ? 15 : 13;
}

static int walk(const struct walk_env *e, vaddr_t va, enum vm_access acc, struct walk_result *r,
                struct vm_fault *f)
{
    memset(r, 0xee, sizeof *r);
    memset(f, 0xee, sizeof *f);
    return pt_walk(pm, e, va, acc, r, f);
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
           f.error_code == 0 && r.refs == 2 - level,
       "sv32 %s: page fault cause %u level %u (rc %d type %d cause %u level %u np %d rsv %d)", what,
       cause_of(acc), level, rc, f.type, f.cause, f.level, f.not_present, f.reserved);
}

static void expect_ok(const struct walk_env *e, vaddr_t va, enum vm_access acc, paddr_t pa,
                      const char *what)
{
    struct walk_result r;
    struct vm_fault f;
    int rc = walk(e, va, acc, &r, &f);
    ok(rc == 0 && r.pa == pa, "sv32 %s: allowed (rc %d, pa 0x%llx)", what, rc, (unsigned long long)r.pa);
}

static void test_translate(void)
{
    struct ptb b;
    struct walk_result r;
    struct vm_fault f;
    fresh(&b);
    /* a 4 KiB page at a 34-bit physical address */
    paddr_t hi = 0x300007000ull;
    paddr_t leaf = ptb_map(&b, VA, hi, 0, RW, 0);
    paddr_t l1 = ptb_entry(&b, VA, 1);
    is_u64(l1, b.root + 513 * 4, "level-1 PTE at satp.PPN x 4096 + VPN[1] x 4");
    is_u64(leaf, ((pte_load_as(F, pm, l1) >> 10) << 12) + 3 * 4, "level-0 PTE at PPN x 4096 + VPN[0] x 4");
    struct walk_env e = env_of(&b);
    ok(walk(&e, VA, VM_ACCESS_READ, &r, &f) == 0 && r.pa == hi + 0xa20 && r.level == 0 && r.refs == 2 &&
           r.ad_updates == 1, "4K read: pa 0x300007a20 (34 bits), two entries, one CAS");
    ok((pte_load_as(F, pm, leaf) & (RV_PTE_A | RV_PTE_D)) == RV_PTE_A && !(pte_load_as(F, pm, l1) & RV_PTE_A),
       "read: leaf A only; the non-leaf entry untouched");
    ok(walk(&e, VA, VM_ACCESS_WRITE, &r, &f) == 0 && r.dirty && (pte_load_as(F, pm, leaf) & RV_PTE_D),
       "write sets leaf D");
    expect_pf(&e, VA, VM_ACCESS_FETCH, 0, 0, "fetch from a non-X page");

    /* 4-byte CAS leaves the neighbours alone */
    pte_store_as(F, pm, leaf + 4, 0x12345678);
    pte_store_as(F, pm, leaf - 4, 0x9abcdef0);
    pte_store_as(F, pm, leaf, pte_load_as(F, pm, leaf) & ~(RV_PTE_A | RV_PTE_D));
    ok(walk(&e, VA, VM_ACCESS_WRITE, &r, &f) == 0 && r.ad_updates == 1, "A+D in one CAS");
    ok(physmem_load(pm, leaf + 4, 4) == 0x12345678 && physmem_load(pm, leaf - 4, 4) == 0x9abcdef0,
       "the neighbouring 4-byte PTEs are untouched");

    /* a 4 MiB megapage */
    fresh(&b);
    paddr_t mega = 0x2c0400000ull;               /* 4 MiB aligned, above 4 GiB */
    paddr_t ent = ptb_map(&b, VA, mega, 1, RW | VM_PROT_EXEC | VM_PROT_USER, 0);
    e = env_of(&b);
    e.sum = true;
    ok(walk(&e, VA, VM_ACCESS_WRITE, &r, &f) == 0 && r.pa == mega + 0x3a20 && r.level == 1 && r.refs == 1 &&
           r.page_base == mega, "megapage: pa = PPN[1] x 4 MiB + va bits 21:0");
    ok((pte_load_as(F, pm, ent) & (RV_PTE_A | RV_PTE_D)) == (RV_PTE_A | RV_PTE_D), "megapage: A and D");
    e.priv = VM_PRIV_USER;
    expect_ok(&e, VA, VM_ACCESS_FETCH, mega + 0x3a20, "user fetch of a U X megapage");
}

static void test_not_present(void)
{
    for (unsigned level = 0; level < 2; level++) {
        struct ptb b;
        fresh(&b);
        ptb_map(&b, VA, 0x300000, 0, RW | VM_PROT_EXEC, 0);
        paddr_t ent = ptb_entry(&b, VA, level);
        /* V=0 with W set (a reserved encoding if V were 1): V is checked first */
        pte_store_as(F, pm, ent, (pte_load_as(F, pm, ent) & ~RV_PTE_V) | RV_PTE_W);
        struct walk_env e = env_of(&b);
        for (int acc = 0; acc < 3; acc++)
            expect_pf(&e, VA, (enum vm_access)acc, 1, level, "V=0");
    }
}

static void test_reserved(void)
{
    struct ptb b;
    fresh(&b);
    ptb_map(&b, VA, 0x300000, 0, RW, 0);
    paddr_t l1 = ptb_entry(&b, VA, 1);
    uint64_t old = pte_load_as(F, pm, l1);
    struct walk_env e = env_of(&b);
    static const struct { uint64_t bit; const char *what; } nonleaf[] = {
        {RV_PTE_A, "non-leaf A"}, {RV_PTE_D, "non-leaf D"}, {RV_PTE_U, "non-leaf U"},
        {RV_PTE_W, "non-leaf W without R"},
    };
    for (size_t i = 0; i < sizeof nonleaf / sizeof nonleaf[0]; i++) {
        pte_store_as(F, pm, l1, old | nonleaf[i].bit);
        expect_pf(&e, VA, VM_ACCESS_READ, 2, 1, nonleaf[i].what);
    }
    pte_store_as(F, pm, l1, old);
    expect_ok(&e, VA, VM_ACCESS_READ, 0x300a20, "restored");
    /* leaf W without R */
    ptb_map(&b, VA, 0x300000, 0, VM_PROT_WRITE, 0);
    expect_pf(&e, VA, VM_ACCESS_WRITE, 2, 0, "leaf W=1 R=0");
    ok(!(ptb_get(&b, VA, 0) & RV_PTE_A), "reserved encoding: A not set");
    /* a pointer at level 0: out of levels */
    ptb_set(&b, VA, 0, RV_PTE_V | (0x300ull << 10));
    expect_pf(&e, VA, VM_ACCESS_READ, 2, 0, "pointer at level 0");
    /* misaligned megapages: PPN[0] != 0 */
    static const paddr_t bad[] = {0x400000 | 0x1000, 0x400000 | 0x200000, 0x400000 | 0x3ff000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fresh(&b);
        ptb_map(&b, VA, bad[i], 1, RW, 0);
        e = env_of(&b);
        expect_pf(&e, VA, VM_ACCESS_READ, 2, 1, "megapage with PPN[0] != 0");
        ok(!(ptb_get(&b, VA, 1) & RV_PTE_A), "misaligned megapage: A not set");
    }
}

static void test_rights_and_svade(void)
{
    struct ptb b;
    fresh(&b);
    vaddr_t xva = VA + 0x1000, sva = VA + 0x2000;
    ptb_map(&b, VA, 0x300000, 0, RW | VM_PROT_USER, 0);
    ptb_map(&b, xva, 0x301000, 0, VM_PROT_EXEC | VM_PROT_USER, 0);
    ptb_map(&b, sva, 0x302000, 0, RW | VM_PROT_EXEC | VM_PROT_GLOBAL, 0);
    struct walk_env e = env_of(&b);
    e.priv = VM_PRIV_USER;
    expect_ok(&e, VA, VM_ACCESS_WRITE, 0x300a20, "U-mode write to a U RW page");
    expect_pf(&e, xva, VM_ACCESS_READ, 0, 0, "U-mode read of an X-only page, MXR=0");
    e.mxr = true;
    expect_ok(&e, xva, VM_ACCESS_READ, 0x301a20, "U-mode read of an X-only page, MXR=1");
    for (int acc = 0; acc < 3; acc++)
        expect_pf(&e, sva, (enum vm_access)acc, 0, 0, "U-mode access to a supervisor page");
    e = env_of(&b);
    expect_pf(&e, VA, VM_ACCESS_READ, 0, 0, "S-mode read of a U page, SUM=0");
    e.sum = true;
    expect_ok(&e, VA, VM_ACCESS_WRITE, 0x300a20, "S-mode write of a U page, SUM=1");
    expect_pf(&e, xva, VM_ACCESS_FETCH, 0, 0, "S-mode never executes a U page");
    struct walk_result r;
    struct vm_fault f;
    ok(walk(&e, sva, VM_ACCESS_FETCH, &r, &f) == 0 && r.global, "S-mode fetch of a global S page");
    /* a G in the non-leaf entry makes the subtree global */
    ptb_set(&b, VA, 1, ptb_get(&b, VA, 1) | RV_PTE_G);
    ok(walk(&e, VA, VM_ACCESS_READ, &r, &f) == 0 && r.global, "non-leaf G: subtree global");

    /* Svade: missing A, or D on a store, faults and leaves the entry alone */
    fresh(&b);
    ptb_map(&b, VA, 0x300000, 0, RW, 0);
    e = env_of(&b);
    e.adue = false;
    expect_pf(&e, VA, VM_ACCESS_READ, 0, 0, "Svade: load with A=0");
    ptb_map(&b, VA, 0x300000, 0, RW, RV_PTE_A);
    expect_ok(&e, VA, VM_ACCESS_READ, 0x300a20, "Svade: load with A=1");
    expect_pf(&e, VA, VM_ACCESS_WRITE, 0, 0, "Svade: store with D=0");
    is_u64(ptb_get(&b, VA, 0) & RV_PTE_D, 0, "Svade: D not set");
}

static void test_out_of_range(void)
{
    struct ptb b;
    fresh(&b);
    ptb_map(&b, 0, 0x300000, 0, RW, 0);
    struct walk_env e = env_of(&b);
    static const vaddr_t bad[] = {1ull << 32, 0xffffffff80000000ull, ~0ull};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (int acc = 0; acc < 3; acc++) {
            struct walk_result r;
            struct vm_fault f;
            int rc = walk(&e, bad[i], (enum vm_access)acc, &r, &f);
            ok(rc == -1 && f.type == FAULT_PAGE && f.cause == cause_of((enum vm_access)acc) &&
                   f.addr == bad[i] && r.refs == 0 && r.ad_updates == 0 && r.restarts == 0,
               "0x%llx access %d: page fault, no entry read, counts zero", (unsigned long long)bad[i], acc);
        }
}

int main(void)
{
    char err[128];
    pm = physmem_create(MEM, err, sizeof err);
    F = pt_format(PT_SV32);
    test_translate();
    test_not_present();
    test_reserved();
    test_rights_and_svade();
    test_out_of_range();
    physmem_destroy(pm);
    return tap_done();
}
