/* test_walk_ia32.c — the walker on hand-built 32-bit paging tables (Intel
 * SDM vol. 3A 4.3: a page directory and page tables of 1024 4-byte
 * entries, 4 KiB pages and, with CR4.PSE, 4 MiB pages), against the SDM's
 * rules: translations with PSE-36 frames above 4 GiB, A/D (A in the PDE
 * and the leaf, D only in the leaf, 4-byte compare-and-swaps that leave
 * the neighbouring entry alone), every #PF error-code case (P = 0 at each
 * level, the 4 MiB PDE's reserved bits for each MAXPHYADDR, rights ANDed
 * over the two levels, WP, SMEP, SMAP with AC), no XD and no protection
 * keys in this mode (I/D only with SMEP), PS ignored without PSE, and
 * #GP for an address above 32 bits. */
#include <string.h>

#include "hw/walk.h"
#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (16ull << 20)
#define POOL 0x100000ull

static struct physmem *pm;
static const struct pt_format *F;

static const unsigned RWU = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER;
static const vaddr_t VA = 0xbfffe7f8;          /* PD[767], PT[1022], offset 0x7f8 */

static void fresh(struct ptb *b) { ptb_init(b, pm, F, POOL, MEM); }

static struct walk_env env_of(const struct ptb *b)
{
    struct walk_env e = {.fmt = F, .root = b->root, .priv = VM_PRIV_SUPERVISOR, .maxphyaddr = 40,
                         .wp = true, .pse = true};
    return e;
}

/* pt_walk with the result filled with a pattern first: a count the walker
 * forgot to set shows. */
static int walk(const struct walk_env *e, vaddr_t va, enum vm_access acc, struct walk_result *r,
                struct vm_fault *f)
{
    memset(r, 0xee, sizeof *r);
    memset(f, 0xee, sizeof *f);
    return pt_walk(pm, e, va, acc, r, f);
}

static void expect_pf(const struct walk_env *e, vaddr_t va, enum vm_access acc, uint32_t ec,
                      unsigned level, const char *what)
{
    struct walk_result r;
    struct vm_fault f;
    int rc = walk(e, va, acc, &r, &f);
    ok(rc == -1 && f.type == FAULT_PAGE && f.error_code == ec && f.addr == va && f.level == level &&
           f.access == acc && f.priv == e->priv && f.not_present == !(ec & PF_P) &&
           f.reserved == !!(ec & PF_RSVD) && r.refs == 2 - level,
       "ia32 %s: #PF ec=0x%x level %u (got rc %d type %d ec 0x%x level %u refs %u)", what, ec,
       level, rc, f.type, f.error_code, f.level, r.refs);
}

static void expect_ok(const struct walk_env *e, vaddr_t va, enum vm_access acc, paddr_t pa,
                      const char *what)
{
    struct walk_result r;
    struct vm_fault f;
    int rc = walk(e, va, acc, &r, &f);
    ok(rc == 0 && r.pa == pa, "ia32 %s: allowed, pa 0x%llx (rc %d ec 0x%x pa 0x%llx)", what,
       (unsigned long long)pa, rc, rc ? f.error_code : 0, (unsigned long long)r.pa);
}

static void test_translate(void)
{
    struct ptb b;
    struct walk_result r;
    struct vm_fault f;

    /* 4 KiB page: PD[767] -> PT[1022] -> frame 0x345000 */
    fresh(&b);
    paddr_t leaf = ptb_map(&b, VA, 0x345000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    paddr_t pde = ptb_entry(&b, VA, 1);
    is_u64(pde, b.root + 767 * 4, "PDE address = CR3 base + 4 x bits 31:22");
    is_u64(leaf, (pte_load_as(F, pm, pde) & IA32_PTE_ADDR) + 1022 * 4,
           "PTE address = PDE bits 31:12 + 4 x bits 21:12");
    struct walk_env e = env_of(&b);
    ok(walk(&e, VA, VM_ACCESS_READ, &r, &f) == 0 && r.pa == 0x3457f8 && r.page_base == 0x345000 &&
           r.level == 0, "4K read: pa 0x3457f8");
    is_u64(r.refs, 2, "4K: two entries read");
    is_u64(r.ad_updates, 2, "4K read: A set by CAS in the PDE and the PTE");
    is_u64(r.prot, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, "4K: RW, supervisor, executable (no XD)");
    ok((pte_load_as(F, pm, pde) & X86_PTE_A) && (pte_load_as(F, pm, leaf) & X86_PTE_A) &&
           !(pte_load_as(F, pm, leaf) & X86_PTE_D), "4K read: A in both, no D");
    ok(walk(&e, VA, VM_ACCESS_WRITE, &r, &f) == 0 && r.dirty && r.ad_updates == 1 &&
           (pte_load_as(F, pm, leaf) & X86_PTE_D) && !(pte_load_as(F, pm, pde) & X86_PTE_D),
       "4K write: one CAS, D in the PTE only");
    ok(walk(&e, VA, VM_ACCESS_WRITE, &r, &f) == 0 && r.ad_updates == 0, "A and D set: no CAS");
    is_u64(r.leaf_pte, leaf, "leaf entry address reported");

    /* a CAS on a 4-byte entry leaves its neighbours alone */
    paddr_t next = leaf + 4, prev = leaf - 4;
    pte_store_as(F, pm, next, 0xdeadb000 | X86_PTE_P);
    pte_store_as(F, pm, prev, 0xcafe0000);
    pte_store_as(F, pm, leaf, pte_load_as(F, pm, leaf) & ~(X86_PTE_A | X86_PTE_D));
    ok(walk(&e, VA, VM_ACCESS_WRITE, &r, &f) == 0 && r.ad_updates == 1, "A+D again in one CAS");
    ok(physmem_load(pm, next, 4) == (0xdeadb000 | X86_PTE_P) && physmem_load(pm, prev, 4) == 0xcafe0000,
       "the neighbouring 4-byte entries are untouched");

    /* 4 MiB page with CR4.PSE, frame above 4 GiB through PSE-36 */
    fresh(&b);
    paddr_t big = (0x2aull << 32) | 0x03c00000;
    pde = ptb_map(&b, VA, big, 1, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER | VM_PROT_GLOBAL, 0);
    e = env_of(&b);
    ok(walk(&e, VA, VM_ACCESS_WRITE, &r, &f) == 0 && r.pa == big + 0x3fe7f8 && r.page_base == big &&
           r.level == 1 && r.refs == 1 && r.global && r.dirty,
       "4M page: pa 0x2a_03c00000 + 0x3fe7f8, one entry, global, D");
    ok((pte_load_as(F, pm, pde) & (X86_PTE_A | X86_PTE_D)) == (X86_PTE_A | X86_PTE_D),
       "4M page: A and D in the PDE (its leaf)");
    ok(walk(&e, 0xbfc00000, VM_ACCESS_READ, &r, &f) == 0 && r.pa == big,
       "4M page: its first byte");
    pte_store_as(F, pm, pde, pte_load_as(F, pm, pde) | (1ull << 12));
    ok(walk(&e, VA, VM_ACCESS_READ, &r, &f) == 0 && r.pa == big + 0x3fe7f8,
       "4M page: bit 12 is PAT, not address");

    /* without CR4.PSE the PS bit is ignored: the PDE points to a page table
     * at its bits 31:12 */
    fresh(&b);
    paddr_t pt = ptb_alloc(&b);
    pte_store_as(F, pm, pt + 1022 * 4, F->make_leaf(0, 0x456000, VM_PROT_READ, false, false, 0));
    pte_store_as(F, pm, b.root + 767 * 4, X86_PTE_P | X86_PTE_PS | X86_PTE_G | pt);
    e = env_of(&b);
    e.pse = false;
    ok(walk(&e, VA, VM_ACCESS_READ, &r, &f) == 0 && r.pa == 0x4567f8 && r.level == 0 && r.refs == 2 &&
           !r.global, "PSE=0: PS ignored, the PDE's G too, walked to a 4K page");
    e.pse = true;
    paddr_t as4m = (pt & 0xffc00000) | ((pt >> 13) & 0xff) << 32;   /* bits 20:13 are PA 39:32 */
    ok(walk(&e, VA, VM_ACCESS_READ, &r, &f) == 0 && r.level == 1 && r.pa == as4m + 0x3fe7f8,
       "PSE=1: the same PDE maps a 4M page (pa 0x%llx)", (unsigned long long)r.pa);
}

static void test_not_present(void)
{
    for (unsigned level = 0; level < 2; level++) {
        struct ptb b;
        fresh(&b);
        ptb_map(&b, VA, 0x300000, 0, RWU, 0);
        paddr_t ent = ptb_entry(&b, VA, level);
        /* P = 0 with every other bit set, reserved ones too: nothing else is checked */
        pte_store_as(F, pm, ent, (pte_load_as(F, pm, ent) & ~X86_PTE_P) | 0xfffffffe);
        struct walk_env e = env_of(&b);
        expect_pf(&e, VA, VM_ACCESS_READ, 0, level, "not present, supervisor read");
        expect_pf(&e, VA, VM_ACCESS_WRITE, PF_W, level, "not present, supervisor write");
        e.nxe = true;
        expect_pf(&e, VA, VM_ACCESS_FETCH, 0, level, "not present, fetch: no I/D even with EFER.NXE (no NX here)");
        e.priv = VM_PRIV_USER;
        expect_pf(&e, VA, VM_ACCESS_WRITE, PF_W | PF_U, level, "not present, user write");
        expect_pf(&e, VA, VM_ACCESS_READ, PF_U, level, "not present, user read");
        e.smep = true;
        expect_pf(&e, VA, VM_ACCESS_FETCH, PF_U | PF_ID, level, "not present, user fetch with SMEP: I/D");
    }
}

/* SDM 4.3, Table 4-4: a 4 MiB PDE reserves bits 21:(M-19), M = min(MAXPHYADDR, 40). */
static void test_reserved(void)
{
    const uint32_t RS = PF_P | PF_RSVD;
    struct ptb b;
    fresh(&b);
    vaddr_t va4m = 0x00400000;
    paddr_t pde = ptb_map(&b, va4m, 0x00800000, 1, RWU, 0);
    uint64_t good = pte_load_as(F, pm, pde);
    struct walk_env e = env_of(&b);
    expect_ok(&e, va4m + 5, VM_ACCESS_READ, 0x00800005, "4M page");
    static const struct { unsigned maxphy, lo; } m[] = {{40, 21}, {46, 21}, {52, 21}, {36, 17}, {32, 13}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        e.maxphyaddr = m[i].maxphy;
        for (unsigned bit = 13; bit <= 21; bit++) {
            pte_store_as(F, pm, pde, good | 1ull << bit);
            bool reserved = bit >= m[i].lo;
            struct walk_result r;
            struct vm_fault f;
            int rc = walk(&e, va4m, VM_ACCESS_READ, &r, &f);
            bool as_expected = reserved ? rc == -1 && f.error_code == RS && f.level == 1 && f.reserved
                                        : rc == 0 && r.pa == (0x00800000 | (1ull << (bit - 13 + 32)));
            ok(as_expected, "MAXPHYADDR %u: 4M PDE bit %u %s (rc %d ec 0x%x pa 0x%llx)", m[i].maxphy,
               bit, reserved ? "reserved" : "is PA bit 32+", rc, rc ? f.error_code : 0,
               (unsigned long long)r.pa);
        }
    }
    e.maxphyaddr = 40;
    pte_store_as(F, pm, pde, good | 1ull << 21);
    e.priv = VM_PRIV_USER;
    expect_pf(&e, va4m, VM_ACCESS_WRITE, RS | PF_W | PF_U, 1, "reserved bit, user write: P|W|U|RSVD");
    ok(!(pte_load_as(F, pm, pde) & X86_PTE_A), "reserved-bit fault: A not set");
    e.pse = false;                           /* the same entry as a table pointer: bit 21 is address */
    struct walk_result r;
    struct vm_fault f;
    int rc = walk(&e, va4m, VM_ACCESS_READ, &r, &f);
    ok(rc == -1 && f.not_present && !f.reserved && f.level == 0 && r.refs == 2,
       "without PSE the 4M PDE's bit 21 is an address bit: it points to an empty table at 0xa00000");

    /* no reserved bits in a PTE or a page-table PDE: ignored bits 11:9, PAT (bit 7) */
    fresh(&b);
    paddr_t leaf = ptb_map(&b, VA, 0x300000, 0, RWU, 0);
    pde = ptb_entry(&b, VA, 1);
    pte_store_as(F, pm, leaf, pte_load_as(F, pm, leaf) | (7ull << 9) | X86_PTE_PS | X86_PTE_PWT | X86_PTE_PCD);
    pte_store_as(F, pm, pde, pte_load_as(F, pm, pde) | (7ull << 9) | X86_PTE_D | X86_PTE_G);
    e = env_of(&b);
    expect_ok(&e, VA, VM_ACCESS_READ, 0x3007f8, "PTE and PDE with every non-address bit set: fine");
}

/* SDM 4.6: R/W and U/S ANDed over the PDE and the PTE; WP, SMEP, SMAP; no XD. */
static void test_rights(void)
{
    struct ptb b;
    paddr_t pa = 0x3007f8;
    /* R/W = 0 in the PDE */
    fresh(&b);
    ptb_map(&b, VA, 0x300000, 0, RWU, 0);
    paddr_t pde = ptb_entry(&b, VA, 1);
    pte_store_as(F, pm, pde, pte_load_as(F, pm, pde) & ~X86_PTE_RW);
    struct walk_env e = env_of(&b);
    e.priv = VM_PRIV_USER;
    expect_ok(&e, VA, VM_ACCESS_READ, pa, "PDE R/W=0: user read ok");
    expect_pf(&e, VA, VM_ACCESS_WRITE, PF_P | PF_W | PF_U, 0, "PDE R/W=0: user write denied");
    ok(!(ptb_get(&b, VA, 0) & X86_PTE_D), "denied write: D not set");
    e.priv = VM_PRIV_SUPERVISOR;
    expect_pf(&e, VA, VM_ACCESS_WRITE, PF_P | PF_W, 0, "PDE R/W=0: supervisor write with WP=1 denied");
    e.wp = false;
    expect_ok(&e, VA, VM_ACCESS_WRITE, pa, "PDE R/W=0: supervisor write with WP=0 allowed");

    /* U/S = 0 in the PDE */
    fresh(&b);
    ptb_map(&b, VA, 0x300000, 0, RWU, 0);
    pde = ptb_entry(&b, VA, 1);
    pte_store_as(F, pm, pde, pte_load_as(F, pm, pde) & ~X86_PTE_US);
    e = env_of(&b);
    e.priv = VM_PRIV_USER;
    expect_pf(&e, VA, VM_ACCESS_READ, PF_P | PF_U, 0, "PDE U/S=0: user read denied");
    expect_pf(&e, VA, VM_ACCESS_FETCH, PF_P | PF_U, 0, "PDE U/S=0: user fetch denied, no I/D without SMEP");
    e.priv = VM_PRIV_SUPERVISOR;
    e.smep = e.smap = true;
    expect_ok(&e, VA, VM_ACCESS_READ, pa, "PDE U/S=0: a supervisor page, SMAP does not apply");
    struct walk_result r;
    struct vm_fault f;
    walk(&e, VA, VM_ACCESS_READ, &r, &f);
    is_u64(r.prot, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, "combined rights: no USER");

    /* a user read-only page; every page executable even with EFER.NXE */
    fresh(&b);
    ptb_map(&b, VA, 0x300000, 0, VM_PROT_READ | VM_PROT_USER, 0);   /* no EXEC asked: still executable */
    ok(!(ptb_get(&b, VA, 0) >> 32), "a 32-bit entry: no XD bit");
    e = env_of(&b);
    e.nxe = true;
    e.priv = VM_PRIV_USER;
    expect_ok(&e, VA, VM_ACCESS_FETCH, pa, "user fetch of a page made without EXEC: no NX in 32-bit paging");
    expect_pf(&e, VA, VM_ACCESS_WRITE, PF_P | PF_W | PF_U, 0, "user RO page: user write");
    e.wp = false;
    expect_pf(&e, VA, VM_ACCESS_WRITE, PF_P | PF_W | PF_U, 0, "user RO page: user write, WP=0 still");
    e = env_of(&b);
    expect_ok(&e, VA, VM_ACCESS_FETCH, pa, "user page: supervisor fetch without SMEP");
    e.smep = true;
    expect_pf(&e, VA, VM_ACCESS_FETCH, PF_P | PF_ID, 0, "SMEP: supervisor fetch from a user page, I/D");
    e = env_of(&b);
    e.smap = true;
    expect_pf(&e, VA, VM_ACCESS_READ, PF_P, 0, "SMAP: supervisor read of a user page");
    e.ac = true;
    expect_ok(&e, VA, VM_ACCESS_READ, pa, "SMAP with EFLAGS.AC=1");
    expect_pf(&e, VA, VM_ACCESS_WRITE, PF_P | PF_W, 0, "SMAP+AC, RO page, WP=1: write denied");

    /* supervisor page */
    fresh(&b);
    ptb_map(&b, VA, 0x300000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    e = env_of(&b);
    e.priv = VM_PRIV_USER;
    expect_pf(&e, VA, VM_ACCESS_READ, PF_P | PF_U, 0, "supervisor page: user read denied");
    e.priv = VM_PRIV_SUPERVISOR;
    expect_ok(&e, VA, VM_ACCESS_WRITE, pa, "supervisor page: supervisor write");

    /* protection keys do not exist in 32-bit paging */
    fresh(&b);
    ptb_map(&b, VA, 0x300000, 0, RWU, 0);
    e = env_of(&b);
    e.pke = true;
    e.pkru = 0xffffffffu;
    e.priv = VM_PRIV_USER;
    expect_ok(&e, VA, VM_ACCESS_WRITE, pa, "PKE with PKRU all-deny: no keys in 32-bit paging");
}

static void test_out_of_range(void)
{
    struct ptb b;
    fresh(&b);
    ptb_map(&b, 0, 0x300000, 0, RWU, 0);
    struct walk_env e = env_of(&b);
    static const vaddr_t bad[] = {1ull << 32, 0xffffffff80000000ull, ~0ull};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (int acc = 0; acc < 3; acc++) {
            struct walk_result r;
            struct vm_fault f;
            int rc = walk(&e, bad[i], (enum vm_access)acc, &r, &f);
            ok(rc == -1 && f.type == FAULT_GP && f.error_code == 0 && f.addr == bad[i] && r.refs == 0 &&
                   r.ad_updates == 0 && r.restarts == 0,
               "0x%llx access %d: #GP(0), no entry read, counts zero (refs %u)",
               (unsigned long long)bad[i], acc, r.refs);
        }
    expect_ok(&e, 0xfff, VM_ACCESS_READ, 0x300fff, "and 0xfff translates");
}

int main(void)
{
    char err[128];
    pm = physmem_create(MEM, err, sizeof err);
    F = pt_format(PT_IA32);
    test_translate();
    test_not_present();
    test_reserved();
    test_rights();
    test_out_of_range();
    physmem_destroy(pm);
    return tap_done();
}
