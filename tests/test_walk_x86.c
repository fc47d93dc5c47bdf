/* test_walk_x86.c — the walker on hand-built x86-64 tables (4- and 5-level,
 * 4K/2M/1G pages), against the Intel SDM vol. 3A ch. 4 rules (4.5 formats,
 * 4.6 rights, 4.7 error codes, 4.8 A/D): translations, A/D setting, every
 * #PF error-code case, reserved bits, rights across levels, SMEP/SMAP/WP/NXE,
 * protection keys, and #GP for non-canonical addresses. */
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (16ull << 20)
#define POOL 0x100000ull          /* page tables from 1 MiB up */

static struct physmem *pm;

static struct walk_env env_of(const struct ptb *b)
{
    struct walk_env e = {
        .fmt = b->fmt, .root = b->root, .priv = VM_PRIV_SUPERVISOR, .maxphyaddr = 46,
        .gbpages = true, .wp = true, .nxe = true,
    };
    return e;
}

static void fresh(struct ptb *b, enum pt_format_id id)
{
    ptb_init(b, pm, pt_format(id), POOL, MEM);
}

/* A VA with distinct indices at every level. */
static vaddr_t test_va(const struct pt_format *f, uint64_t off)
{
    static const unsigned idx[] = {3, 5, 7, 9, 11};
    return tm_va(f, idx + (5 - f->levels), off);
}

static const unsigned RWXU = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC | VM_PROT_USER;

static int walk(const struct walk_env *e, vaddr_t va, enum vm_access acc, struct walk_result *r,
                struct vm_fault *f)
{
    return tm_walk(pm, e, va, acc, r, f);
}

/* Expect a #PF with this error code at this level. */
static void expect_pf(const struct walk_env *e, vaddr_t va, enum vm_access acc, uint32_t ec,
                      unsigned level, const char *what)
{
    struct walk_result r;
    struct vm_fault f;
    int rc = walk(e, va, acc, &r, &f);
    ok(rc == -1 && f.type == FAULT_PAGE && f.error_code == ec && f.addr == va && f.level == level &&
           f.access == acc && f.priv == e->priv && f.not_present == !(ec & PF_P) &&
           f.reserved == !!(ec & PF_RSVD),
       "%s: #PF ec=0x%x level %u (got rc %d type %d ec 0x%x level %u addr 0x%llx)", what, ec, level,
       rc, f.type, f.error_code, f.level, (unsigned long long)f.addr);
}

static void expect_ok(const struct walk_env *e, vaddr_t va, enum vm_access acc, paddr_t pa,
                      const char *what)
{
    struct walk_result r;
    struct vm_fault f;
    int rc = walk(e, va, acc, &r, &f);
    ok(rc == 0 && r.pa == pa, "%s: allowed, pa 0x%llx (rc %d ec 0x%x pa 0x%llx)", what,
       (unsigned long long)pa, rc, rc ? f.error_code : 0, (unsigned long long)r.pa);
}

/* Translations of every page size, and what the walk did to the entries. */
static void test_translate(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    for (unsigned level = 0; level <= 2; level++) {
        struct ptb b;
        fresh(&b, id);
        uint64_t size = pt_level_size(level);
        paddr_t base = level == 2 ? 3ull << 30 : level == 1 ? 5ull << 21 : 0x345000;
        vaddr_t va = test_va(fmt, 0) & ~(size - 1);
        uint64_t off = 0xabc & (size - 1) ? (size - 1) & 0x12345abc : 0;
        ptb_map(&b, va, base, level, VM_PROT_READ | VM_PROT_WRITE, 0);
        struct walk_env e = env_of(&b);
        struct walk_result r;
        struct vm_fault f;
        int rc = walk(&e, va + off, VM_ACCESS_READ, &r, &f);
        ok(rc == 0, "%s level %u: read walk succeeds", fmt->name, level);
        is_u64(r.pa, base + off, "%s level %u: pa", fmt->name, level);
        is_u64(r.page_base, base, "%s level %u: page base", fmt->name, level);
        is_u64(r.level, level, "%s level %u: leaf level", fmt->name, level);
        is_u64(r.refs, fmt->levels - level, "%s level %u: one entry read per level", fmt->name, level);
        is_u64(r.ad_updates, fmt->levels - level, "%s level %u: A set by CAS at every level", fmt->name, level);
        is_u64(r.prot, VM_PROT_READ | VM_PROT_WRITE, "%s level %u: rights RW, supervisor, no exec",
               fmt->name, level);
        ok(!r.dirty && !r.global, "%s level %u: read leaves D clear", fmt->name, level);
        bool a_all = true, d_none = true;
        for (unsigned l = fmt->levels - 1; l + 1 > level; l--) {
            uint64_t pte = ptb_get(&b, va, l);
            a_all &= !!(pte & X86_PTE_A);
            d_none &= !(pte & X86_PTE_D);
        }
        ok(a_all, "%s level %u: A set in every entry used (non-leaf too)", fmt->name, level);
        ok(d_none, "%s level %u: a read sets no D anywhere", fmt->name, level);
        is_u64(r.leaf_pte, ptb_entry(&b, va, level), "%s level %u: leaf entry address", fmt->name, level);

        rc = walk(&e, va + off, VM_ACCESS_WRITE, &r, &f);
        ok(rc == 0 && r.dirty, "%s level %u: write walk succeeds, reports D", fmt->name, level);
        is_u64(r.ad_updates, 1, "%s level %u: write after read: one CAS (leaf D)", fmt->name, level);
        ok(ptb_get(&b, va, level) & X86_PTE_D, "%s level %u: leaf D set by the write", fmt->name, level);
        d_none = true;
        for (unsigned l = fmt->levels - 1; l > level; l--)
            d_none &= !(ptb_get(&b, va, l) & X86_PTE_D);
        ok(d_none, "%s level %u: D only in the leaf", fmt->name, level);
        rc = walk(&e, va + off, VM_ACCESS_WRITE, &r, &f);
        ok(rc == 0 && r.ad_updates == 0, "%s level %u: A and D already set: no CAS", fmt->name, level);

        /* a fresh leaf written first: A and D together in one CAS */
        vaddr_t va2 = va + size;
        ptb_map(&b, va2, base + size, level, VM_PROT_READ | VM_PROT_WRITE, 0);
        rc = walk(&e, va2, VM_ACCESS_WRITE, &r, &f);
        uint64_t leaf = ptb_get(&b, va2, level);
        ok(rc == 0 && (leaf & X86_PTE_A) && (leaf & X86_PTE_D) && r.pa == base + size,
           "%s level %u: first write sets A and D in the leaf", fmt->name, level);
    }
    /* global and the key are reported */
    struct ptb b;
    fresh(&b, id);
    vaddr_t va = test_va(fmt, 0);
    ptb_map(&b, va, 0x200000, 0, VM_PROT_READ | VM_PROT_GLOBAL, 6ull << 59);
    struct walk_env e = env_of(&b);
    struct walk_result r;
    struct vm_fault f;
    ok(walk(&e, va, VM_ACCESS_READ, &r, &f) == 0 && r.global && r.pkey == 6,
       "%s: leaf G and protection key reported", fmt->name);
}

/* P = 0 at each level: error code P=0, level of the entry, CR2 = address. */
static void test_not_present(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    for (unsigned level = 0; level < fmt->levels; level++) {
        struct ptb b;
        fresh(&b, id);
        vaddr_t va = test_va(fmt, 0x7f8);
        ptb_map(&b, va, 0x300000, 0, RWXU, 0);
        uint64_t old = ptb_get(&b, va, level);
        /* P = 0 with every other bit left, reserved ones too: not checked */
        ptb_set(&b, va, level, (old & ~X86_PTE_P) | (1ull << 50) | X86_PTE_PS);
        struct walk_env e = env_of(&b);
        expect_pf(&e, va, VM_ACCESS_READ, 0, level, "not present, supervisor read");
        expect_pf(&e, va, VM_ACCESS_WRITE, PF_W, level, "not present, supervisor write");
        expect_pf(&e, va, VM_ACCESS_FETCH, PF_ID, level, "not present, supervisor fetch (NXE)");
        e.priv = VM_PRIV_USER;
        expect_pf(&e, va, VM_ACCESS_WRITE, PF_W | PF_U, level, "not present, user write");
        e.nxe = false;
        expect_pf(&e, va, VM_ACCESS_FETCH, PF_U, level, "not present, user fetch, NXE=0 SMEP=0: no I/D");
        e.smep = true;
        expect_pf(&e, va, VM_ACCESS_FETCH, PF_U | PF_ID, level, "not present, user fetch, SMEP: I/D");
        /* the leaf's A is never set by a faulting walk */
        ok(!(ptb_get(&b, va, 0) & X86_PTE_A) || level == 0, "%s level %u: leaf A untouched",
           fmt->name, level);
    }
}

/* Reserved bits (SDM 4.5 Tables 4-14 to 4-20, 4.7): P=1 and RSVD=1 together. */
static void test_reserved(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    unsigned top = fmt->levels - 1;
    const uint32_t RS = PF_P | PF_RSVD;
    struct ptb b;
    vaddr_t va = test_va(fmt, 0);

    for (unsigned level = 0; level <= top; level++) {
        fresh(&b, id);
        ptb_map(&b, va, 0x300000, 0, RWXU, 0);
        uint64_t old = ptb_get(&b, va, level);
        struct walk_env e = env_of(&b);
        ptb_set(&b, va, level, old | (1ull << 46));
        expect_pf(&e, va, VM_ACCESS_READ, RS, level, "bit 46 with MAXPHYADDR 46");
        ptb_set(&b, va, level, old | (1ull << 51));
        expect_pf(&e, va, VM_ACCESS_READ, RS, level, "bit 51 with MAXPHYADDR 46");
        e.priv = VM_PRIV_USER;
        expect_pf(&e, va, VM_ACCESS_WRITE, RS | PF_W | PF_U, level, "reserved bit, user write: P|W|U|RSVD");
        e.priv = VM_PRIV_SUPERVISOR;
        ptb_set(&b, va, level, old | X86_PTE_XD);
        e.nxe = false;
        expect_pf(&e, va, VM_ACCESS_READ, RS, level, "XD with NXE=0 is reserved");
        e.nxe = true;
        expect_ok(&e, va, VM_ACCESS_READ, 0x300000, "XD with NXE=1 is not reserved");
        ptb_set(&b, va, level, old | (1ull << 52) | (1ull << 58) | (7ull << 9));
        expect_ok(&e, va, VM_ACCESS_READ, 0x300000, "ignored bits 58:52 and 11:9");
    }
    /* MAXPHYADDR 52: bit 51 is an address bit of a leaf */
    fresh(&b, id);
    ptb_map(&b, va, (1ull << 51) | 0x5000, 0, RWXU, 0);
    struct walk_env e = env_of(&b);
    expect_pf(&e, va, VM_ACCESS_READ, RS, 0, "leaf address bit 51 with MAXPHYADDR 46");
    e.maxphyaddr = 52;
    expect_ok(&e, va, VM_ACCESS_READ, (1ull << 51) | 0x5000, "leaf address bit 51 with MAXPHYADDR 52");

    /* PS in the PML4E (and PML5E) */
    for (unsigned level = 3; level <= top; level++) {
        fresh(&b, id);
        ptb_map(&b, va, 0x300000, 0, RWXU, 0);
        ptb_set(&b, va, level, ptb_get(&b, va, level) | X86_PTE_PS);
        e = env_of(&b);
        expect_pf(&e, va, VM_ACCESS_READ, RS, level, level == 3 ? "PS in a PML4E" : "PS in a PML5E");
    }
    /* 1G pages without support */
    fresh(&b, id);
    vaddr_t g = va & ~((1ull << 30) - 1);
    ptb_map(&b, g, 1ull << 30, 2, RWXU, 0);
    e = env_of(&b);
    expect_ok(&e, g + 0x12345, VM_ACCESS_READ, (1ull << 30) + 0x12345, "1G page with gbpages");
    e.gbpages = false;
    expect_pf(&e, g + 0x12345, VM_ACCESS_READ, RS, 2, "1G page without gbpages: PS reserved");
    /* misaligned large pages; bit 12 of a large page is PAT, not reserved */
    fresh(&b, id);
    vaddr_t m2 = va & ~((1ull << 21) - 1);
    ptb_map(&b, m2, (1ull << 21) | (1ull << 13), 1, RWXU, 0);
    e = env_of(&b);
    expect_pf(&e, m2, VM_ACCESS_READ, RS, 1, "2M page with bit 13 set: misaligned");
    ptb_map(&b, m2, (1ull << 21) | (1ull << 20), 1, RWXU, 0);
    expect_pf(&e, m2, VM_ACCESS_READ, RS, 1, "2M page with bit 20 set: misaligned");
    ptb_map(&b, m2, (1ull << 21) | (1ull << 12), 1, RWXU, 0);
    expect_ok(&e, m2 + 5, VM_ACCESS_READ, (1ull << 21) + 5, "2M page with bit 12 (PAT): fine");
    ptb_map(&b, g, (1ull << 30) | (1ull << 21), 2, RWXU, 0);
    expect_pf(&e, g, VM_ACCESS_READ, RS, 2, "1G page with bit 21 set: misaligned");
    ptb_map(&b, g, (1ull << 30) | (1ull << 29), 2, RWXU, 0);
    expect_pf(&e, g, VM_ACCESS_READ, RS, 2, "1G page with bit 29 set: misaligned");
    ptb_map(&b, g, (1ull << 30) | (1ull << 12), 2, RWXU, 0);
    expect_ok(&e, g, VM_ACCESS_READ, 1ull << 30, "1G page with bit 12 (PAT): fine");
    /* a reserved bit wins over a rights failure, and the leaf A stays clear */
    fresh(&b, id);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ, 1ull << 47);
    e = env_of(&b);
    e.priv = VM_PRIV_USER;
    expect_pf(&e, va, VM_ACCESS_WRITE, RS | PF_W | PF_U, 0, "reserved and denied: RSVD reported");
    ok(!(ptb_get(&b, va, 0) & X86_PTE_A), "reserved-bit fault: leaf A not set");
}

/* Rights combined over the levels (SDM 4.6). */
static void test_rights(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    struct ptb b;
    vaddr_t va = test_va(fmt, 0x10);
    paddr_t pa = 0x300010;

    for (unsigned level = 1; level < fmt->levels; level++) {
        /* R/W = 0 in one non-leaf entry: ANDed */
        fresh(&b, id);
        ptb_map(&b, va, 0x300000, 0, RWXU, 0);
        ptb_set(&b, va, level, ptb_get(&b, va, level) & ~X86_PTE_RW);
        struct walk_env e = env_of(&b);
        e.priv = VM_PRIV_USER;
        expect_ok(&e, va, VM_ACCESS_READ, pa, "non-leaf R/W=0: user read ok");
        expect_pf(&e, va, VM_ACCESS_WRITE, PF_P | PF_W | PF_U, 0, "non-leaf R/W=0: user write denied");
        ok(!(ptb_get(&b, va, 0) & X86_PTE_D), "denied write: leaf D not set");
        e.priv = VM_PRIV_SUPERVISOR;
        expect_pf(&e, va, VM_ACCESS_WRITE, PF_P | PF_W, 0, "non-leaf R/W=0: supervisor write, WP=1 denied");
        e.wp = false;
        expect_ok(&e, va, VM_ACCESS_WRITE, pa, "non-leaf R/W=0: supervisor write, WP=0 allowed");
        struct walk_result r;
        struct vm_fault f;
        walk(&e, va, VM_ACCESS_READ, &r, &f);
        is_u64(r.prot, VM_PROT_READ | VM_PROT_EXEC | VM_PROT_USER, "combined rights lack WRITE");

        /* U/S = 0 in one non-leaf entry */
        fresh(&b, id);
        ptb_map(&b, va, 0x300000, 0, RWXU, 0);
        ptb_set(&b, va, level, ptb_get(&b, va, level) & ~X86_PTE_US);
        e = env_of(&b);
        e.priv = VM_PRIV_USER;
        expect_pf(&e, va, VM_ACCESS_READ, PF_P | PF_U, 0, "non-leaf U/S=0: user read denied");
        expect_pf(&e, va, VM_ACCESS_FETCH, PF_P | PF_U | PF_ID, 0, "non-leaf U/S=0: user fetch denied");
        e.priv = VM_PRIV_SUPERVISOR;
        e.smap = e.smep = true;
        expect_ok(&e, va, VM_ACCESS_READ, pa, "non-leaf U/S=0: a supervisor page, SMAP does not apply");
        expect_ok(&e, va, VM_ACCESS_FETCH, pa, "non-leaf U/S=0: a supervisor page, SMEP does not apply");

        /* XD = 1 in one non-leaf entry: ORed */
        fresh(&b, id);
        ptb_map(&b, va, 0x300000, 0, RWXU, 0);
        ptb_set(&b, va, level, ptb_get(&b, va, level) | X86_PTE_XD);
        e = env_of(&b);
        expect_pf(&e, va, VM_ACCESS_FETCH, PF_P | PF_ID, 0, "non-leaf XD: supervisor fetch denied");
        e.priv = VM_PRIV_USER;
        expect_pf(&e, va, VM_ACCESS_FETCH, PF_P | PF_U | PF_ID, 0, "non-leaf XD: user fetch denied");
        expect_ok(&e, va, VM_ACCESS_WRITE, pa, "non-leaf XD: user write fine");
    }

    /* leaf rights, user vs supervisor */
    fresh(&b, id);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ, 0);                       /* supervisor, RO, XD */
    struct walk_env e = env_of(&b);
    e.priv = VM_PRIV_USER;
    expect_pf(&e, va, VM_ACCESS_READ, PF_P | PF_U, 0, "supervisor page: user read denied");
    e.priv = VM_PRIV_SUPERVISOR;
    expect_ok(&e, va, VM_ACCESS_READ, pa, "supervisor page: supervisor read");
    expect_pf(&e, va, VM_ACCESS_WRITE, PF_P | PF_W, 0, "RO page: supervisor write with WP=1");
    expect_pf(&e, va, VM_ACCESS_FETCH, PF_P | PF_ID, 0, "XD page: supervisor fetch");
    e.wp = false;
    expect_ok(&e, va, VM_ACCESS_WRITE, pa, "RO page: supervisor write with WP=0");

    /* user RO page */
    fresh(&b, id);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_USER | VM_PROT_EXEC, 0);
    e = env_of(&b);
    e.priv = VM_PRIV_USER;
    expect_pf(&e, va, VM_ACCESS_WRITE, PF_P | PF_W | PF_U, 0, "user RO page: user write");
    e.wp = false;
    expect_pf(&e, va, VM_ACCESS_WRITE, PF_P | PF_W | PF_U, 0, "user RO page: user write, WP=0 still");
    expect_ok(&e, va, VM_ACCESS_FETCH, pa, "user exec page: user fetch");
    /* supervisor on a user page: SMEP, SMAP, AC */
    e = env_of(&b);
    expect_ok(&e, va, VM_ACCESS_FETCH, pa, "user page: supervisor fetch without SMEP");
    expect_ok(&e, va, VM_ACCESS_READ, pa, "user page: supervisor read without SMAP");
    e.smep = true;
    expect_pf(&e, va, VM_ACCESS_FETCH, PF_P | PF_ID, 0, "SMEP: supervisor fetch from a user page");
    e.nxe = false;
    expect_pf(&e, va, VM_ACCESS_FETCH, PF_P | PF_ID, 0, "SMEP with NXE=0: I/D still reported");
    e = env_of(&b);
    e.smap = true;
    expect_pf(&e, va, VM_ACCESS_READ, PF_P, 0, "SMAP: supervisor read of a user page");
    expect_ok(&e, va, VM_ACCESS_FETCH, pa, "SMAP does not apply to fetches");
    e.ac = true;
    expect_ok(&e, va, VM_ACCESS_READ, pa, "SMAP with EFLAGS.AC=1: read allowed");
    expect_pf(&e, va, VM_ACCESS_WRITE, PF_P | PF_W, 0, "SMAP+AC, RO user page, WP=1: write denied");
    e.wp = false;
    expect_ok(&e, va, VM_ACCESS_WRITE, pa, "SMAP+AC, RO user page, WP=0: write allowed");
    e.ac = false;
    expect_pf(&e, va, VM_ACCESS_WRITE, PF_P | PF_W, 0, "SMAP, AC=0: write denied even with WP=0");

    /* NXE = 0: no page is execute-disabled, and I/D is not reported */
    fresh(&b, id);
    ptb_map(&b, va, 0x300000, 0, VM_PROT_READ | VM_PROT_EXEC, 0);       /* supervisor */
    e = env_of(&b);
    e.nxe = false;
    e.priv = VM_PRIV_USER;
    expect_pf(&e, va, VM_ACCESS_FETCH, PF_P | PF_U, 0, "user fetch of supervisor page, NXE=0: no I/D");
    e.nxe = true;
    expect_pf(&e, va, VM_ACCESS_FETCH, PF_P | PF_U | PF_ID, 0, "same with NXE=1: I/D");
}

/* Protection keys (CR4.PKE, PKRU): AD blocks data access to user pages, WD
 * writes (supervisor writes only with WP=1); fetches never checked. */
static void test_pkeys(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    struct ptb b;
    fresh(&b, id);
    vaddr_t uva = test_va(fmt, 0), sva = uva + 0x1000;
    ptb_map(&b, uva, 0x300000, 0, RWXU, 5ull << 59);
    ptb_map(&b, sva, 0x301000, 0, VM_PROT_READ | VM_PROT_WRITE, 5ull << 59);
    struct walk_env e = env_of(&b);
    e.pkru = 3u << 10;                        /* key 5: AD and WD */
    e.priv = VM_PRIV_USER;
    expect_ok(&e, uva, VM_ACCESS_WRITE, 0x300000, "PKE=0: PKRU ignored");
    e.pke = true;
    expect_pf(&e, uva, VM_ACCESS_READ, PF_P | PF_U | PF_PK, 0, "AD: user read denied, PK");
    expect_ok(&e, uva, VM_ACCESS_FETCH, 0x300000, "AD: fetches are not key-checked");
    e.pkru = 1u << 10;                        /* AD only */
    expect_pf(&e, uva, VM_ACCESS_WRITE, PF_P | PF_W | PF_U | PF_PK, 0, "AD: user write denied");
    e.pkru = 2u << 10;                        /* WD only */
    expect_ok(&e, uva, VM_ACCESS_READ, 0x300000, "WD: user read allowed");
    expect_pf(&e, uva, VM_ACCESS_WRITE, PF_P | PF_W | PF_U | PF_PK, 0, "WD: user write denied");
    e.pkru = 2u << 8;                         /* WD for key 4: not ours */
    expect_ok(&e, uva, VM_ACCESS_WRITE, 0x300000, "WD of another key: allowed");
    e.priv = VM_PRIV_SUPERVISOR;
    e.pkru = 2u << 10;
    expect_pf(&e, uva, VM_ACCESS_WRITE, PF_P | PF_W | PF_PK, 0, "WD: supervisor write with WP=1 denied");
    e.wp = false;
    expect_ok(&e, uva, VM_ACCESS_WRITE, 0x300000, "WD: supervisor write with WP=0 allowed");
    e.pkru = 1u << 10;
    expect_pf(&e, uva, VM_ACCESS_READ, PF_P | PF_PK, 0, "AD: supervisor read of a user page denied");
    e.pkru = 3u << 10;
    expect_ok(&e, sva, VM_ACCESS_WRITE, 0x301000, "supervisor page: PKRU does not apply");
}

static void test_noncanonical(enum pt_format_id id)
{
    const struct pt_format *fmt = pt_format(id);
    struct ptb b;
    fresh(&b, id);
    vaddr_t va = 1ull << (fmt->va_bits - 1);            /* first non-canonical address */
    struct walk_env e = env_of(&b);
    struct walk_result r;
    struct vm_fault f;
    for (int acc = 0; acc < 3; acc++) {
        int rc = walk(&e, va + 8, (enum vm_access)acc, &r, &f);
        ok(rc == -1 && f.type == FAULT_GP && f.error_code == 0 && r.refs == 0,
           "%s: non-canonical 0x%llx access %d: #GP(0), no entry read", fmt->name,
           (unsigned long long)va + 8, acc);
    }
    e.priv = VM_PRIV_USER;
    ok(walk(&e, ~0ull << fmt->va_bits, VM_ACCESS_READ, &r, &f) == -1 &&
           f.type == FAULT_GP, "%s: non-canonical upper-half address: #GP", fmt->name);
}

int main(void)
{
    char err[128];
    pm = physmem_create(MEM, err, sizeof err);
    enum pt_format_id ids[] = {PT_X86_64, PT_X86_64_5};
    for (int i = 0; i < 2; i++) {
        test_translate(ids[i]);
        test_not_present(ids[i]);
        test_reserved(ids[i]);
        test_rights(ids[i]);
        test_pkeys(ids[i]);
        test_noncanonical(ids[i]);
    }
    physmem_destroy(pm);
    return tap_done();
}
