/* test_pt_split.c — address splits, canonical checks and entry encodings
 * of the seven page-table formats, against known answers computed by hand
 * (64-bit formats, python: (va >> (12 + 9*level)) & 511; canonical = bits
 * above the top translated bit all equal it. 32-bit formats: directory
 * index va >> 22, table index (va >> 12) & 1023; an address must fit 32
 * bits). Entry encodings are checked bit for bit against SDM vol. 3A 4.3
 * (Tables 4-4 to 4-6) and the RISC-V privileged spec's Sv32 PTE. */
#include <string.h>

#include <vmlab/pt.h>

#include "lib/tap.h"

struct split_case {
    uint64_t va;
    const char *fmt;
    unsigned idx[5];      /* root first */
    unsigned off;
    int canonical;
};

static const struct split_case cases[] = {
    {0x00007fffdeadbeefull, "x86-64", {255, 511, 245, 219}, 0xeef, 1},
    {0x00007fffdeadbeefull, "x86-64-5", {0, 255, 511, 245, 219}, 0xeef, 1},
    {0x00007fffdeadbeefull, "sv39", {511, 245, 219}, 0xeef, 0},
    {0x00007fffdeadbeefull, "sv48", {255, 511, 245, 219}, 0xeef, 1},
    {0x00007fffdeadbeefull, "sv57", {0, 255, 511, 245, 219}, 0xeef, 1},
    {0xffff800000000000ull, "x86-64", {256, 0, 0, 0}, 0x0, 1},
    {0xffff800000000000ull, "x86-64-5", {511, 256, 0, 0, 0}, 0x0, 1},
    {0xffff800000000000ull, "sv39", {0, 0, 0}, 0x0, 0},
    {0xffff800000000000ull, "sv48", {256, 0, 0, 0}, 0x0, 1},
    {0xffff800000000000ull, "sv57", {511, 256, 0, 0, 0}, 0x0, 1},
    {0x0000800000000000ull, "x86-64", {256, 0, 0, 0}, 0x0, 0},
    {0x0000800000000000ull, "x86-64-5", {0, 256, 0, 0, 0}, 0x0, 1},
    {0x0000800000000000ull, "sv39", {0, 0, 0}, 0x0, 0},
    {0x0000800000000000ull, "sv48", {256, 0, 0, 0}, 0x0, 0},
    {0x0000800000000000ull, "sv57", {0, 256, 0, 0, 0}, 0x0, 1},
    {0x00ff800000001234ull, "x86-64", {256, 0, 0, 1}, 0x234, 0},
    {0x00ff800000001234ull, "x86-64-5", {255, 256, 0, 0, 1}, 0x234, 1},
    {0x00ff800000001234ull, "sv39", {0, 0, 1}, 0x234, 0},
    {0x00ff800000001234ull, "sv48", {256, 0, 0, 1}, 0x234, 0},
    {0x00ff800000001234ull, "sv57", {255, 256, 0, 0, 1}, 0x234, 1},
    {0xff00000000000000ull, "x86-64", {0, 0, 0, 0}, 0x0, 0},
    {0xff00000000000000ull, "x86-64-5", {256, 0, 0, 0, 0}, 0x0, 1},
    {0xff00000000000000ull, "sv39", {0, 0, 0}, 0x0, 0},
    {0xff00000000000000ull, "sv48", {0, 0, 0, 0}, 0x0, 0},
    {0xff00000000000000ull, "sv57", {256, 0, 0, 0, 0}, 0x0, 1},
    {0x0000003fffffffffull, "x86-64", {0, 255, 511, 511}, 0xfff, 1},
    {0x0000003fffffffffull, "x86-64-5", {0, 0, 255, 511, 511}, 0xfff, 1},
    {0x0000003fffffffffull, "sv39", {255, 511, 511}, 0xfff, 1},
    {0x0000003fffffffffull, "sv48", {0, 255, 511, 511}, 0xfff, 1},
    {0x0000003fffffffffull, "sv57", {0, 0, 255, 511, 511}, 0xfff, 1},
    {0x0000004000000000ull, "x86-64", {0, 256, 0, 0}, 0x0, 1},
    {0x0000004000000000ull, "x86-64-5", {0, 0, 256, 0, 0}, 0x0, 1},
    {0x0000004000000000ull, "sv39", {256, 0, 0}, 0x0, 0},
    {0x0000004000000000ull, "sv48", {0, 256, 0, 0}, 0x0, 1},
    {0x0000004000000000ull, "sv57", {0, 0, 256, 0, 0}, 0x0, 1},
    {0xffffffc000000000ull, "x86-64", {511, 256, 0, 0}, 0x0, 1},
    {0xffffffc000000000ull, "x86-64-5", {511, 511, 256, 0, 0}, 0x0, 1},
    {0xffffffc000000000ull, "sv39", {256, 0, 0}, 0x0, 1},
    {0xffffffc000000000ull, "sv48", {511, 256, 0, 0}, 0x0, 1},
    {0xffffffc000000000ull, "sv57", {511, 511, 256, 0, 0}, 0x0, 1},
    {0x0000123456789abcull, "x86-64", {36, 209, 179, 393}, 0xabc, 1},
    {0x0000123456789abcull, "x86-64-5", {0, 36, 209, 179, 393}, 0xabc, 1},
    {0x0000123456789abcull, "sv39", {209, 179, 393}, 0xabc, 0},
    {0x0000123456789abcull, "sv48", {36, 209, 179, 393}, 0xabc, 1},
    {0x0000123456789abcull, "sv57", {0, 36, 209, 179, 393}, 0xabc, 1},
    {0xfffffffffffff000ull, "x86-64", {511, 511, 511, 511}, 0x0, 1},
    {0xfffffffffffff000ull, "x86-64-5", {511, 511, 511, 511, 511}, 0x0, 1},
    {0xfffffffffffff000ull, "sv39", {511, 511, 511}, 0x0, 1},
    {0xfffffffffffff000ull, "sv48", {511, 511, 511, 511}, 0x0, 1},
    {0xfffffffffffff000ull, "sv57", {511, 511, 511, 511, 511}, 0x0, 1},
    {0x0000ffffffffffffull, "x86-64", {511, 511, 511, 511}, 0xfff, 0},
    {0x0000ffffffffffffull, "x86-64-5", {0, 511, 511, 511, 511}, 0xfff, 1},
    {0x0000ffffffffffffull, "sv39", {511, 511, 511}, 0xfff, 0},
    {0x0000ffffffffffffull, "sv48", {511, 511, 511, 511}, 0xfff, 0},
    {0x0000ffffffffffffull, "sv57", {0, 511, 511, 511, 511}, 0xfff, 1},
    {0x0001000000000000ull, "x86-64", {0, 0, 0, 0}, 0x0, 0},
    {0x0001000000000000ull, "x86-64-5", {1, 0, 0, 0, 0}, 0x0, 1},
    {0x0001000000000000ull, "sv39", {0, 0, 0}, 0x0, 0},
    {0x0001000000000000ull, "sv48", {0, 0, 0, 0}, 0x0, 0},
    {0x0001000000000000ull, "sv57", {1, 0, 0, 0, 0}, 0x0, 1},
    {0x0100000000000000ull, "x86-64", {0, 0, 0, 0}, 0x0, 0},
    {0x0100000000000000ull, "x86-64-5", {256, 0, 0, 0, 0}, 0x0, 0},
    {0x0100000000000000ull, "sv39", {0, 0, 0}, 0x0, 0},
    {0x0100000000000000ull, "sv48", {0, 0, 0, 0}, 0x0, 0},
    {0x0100000000000000ull, "sv57", {256, 0, 0, 0, 0}, 0x0, 0},
    {0xfeffffffffffffffull, "x86-64", {511, 511, 511, 511}, 0xfff, 0},
    {0xfeffffffffffffffull, "x86-64-5", {255, 511, 511, 511, 511}, 0xfff, 0},
    {0xfeffffffffffffffull, "sv39", {511, 511, 511}, 0xfff, 0},
    {0xfeffffffffffffffull, "sv48", {511, 511, 511, 511}, 0xfff, 0},
    {0xfeffffffffffffffull, "sv57", {255, 511, 511, 511, 511}, 0xfff, 0},
};

static void test_formats(void)
{
    static const struct { enum pt_format_id id; const char *name; unsigned levels, va_bits, maxleaf; enum pt_arch arch; } f[] = {
        {PT_X86_64, "x86-64", 4, 48, 2, PT_ARCH_X86},
        {PT_X86_64_5, "x86-64-5", 5, 57, 2, PT_ARCH_X86},
        {PT_SV39, "sv39", 3, 39, 2, PT_ARCH_RISCV},
        {PT_SV48, "sv48", 4, 48, 3, PT_ARCH_RISCV},
        {PT_SV57, "sv57", 5, 57, 4, PT_ARCH_RISCV},
        {PT_IA32, "ia32", 2, 32, 1, PT_ARCH_X86},
        {PT_SV32, "sv32", 2, 32, 1, PT_ARCH_RISCV},
    };
    for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++) {
        const struct pt_format *p = pt_format(f[i].id);
        ok(p && !strcmp(p->name, f[i].name), "format %u is %s", i, f[i].name);
        ok(pt_format_by_name(f[i].name) == p, "by name: %s", f[i].name);
        is_u64(p->levels, f[i].levels, "%s levels", f[i].name);
        is_u64(p->va_bits, f[i].va_bits, "%s va_bits", f[i].name);
        is_u64(p->max_leaf_level, f[i].maxleaf, "%s max leaf level", f[i].name);
        ok(p->arch == f[i].arch, "%s arch", f[i].name);
    }
    ok(pt_format_by_name("sv64") == NULL, "unknown format name: NULL");
    ok(pt_format(PT_NFORMATS) == NULL, "format id out of range: NULL");
    static const unsigned shift[] = {12, 21, 30, 39, 48};
    for (unsigned l = 0; l < 5; l++) {
        is_u64(pt_level_shift(l), shift[l], "level %u shift", l);
        is_u64(pt_level_size(l), 1ull << shift[l], "level %u size", l);
    }
}

static void test_splits(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct split_case *c = &cases[i];
        const struct pt_format *f = pt_format_by_name(c->fmt);
        bool all = true;
        for (unsigned k = 0; k < f->levels; k++)
            all &= pt_index(c->va, f->levels - 1 - k) == c->idx[k];
        ok(all, "%s 0x%016llx: indices", c->fmt, (unsigned long long)c->va);
        is_u64(c->va & 0xfff, c->off, "%s 0x%016llx: offset", c->fmt, (unsigned long long)c->va);
        is_u64(pt_canonical(f, c->va), c->canonical, "%s 0x%016llx: canonical", c->fmt,
               (unsigned long long)c->va);
    }
    /* the boundary of every format: the highest lower-half and the lowest
     * upper-half address are canonical, one past them is not */
    for (int id = 0; id < PT_NFORMATS; id++) {
        const struct pt_format *f = pt_format((enum pt_format_id)id);
        if (!f->halves)
            continue;                          /* the 32-bit formats: test_splits32 */
        uint64_t top = (1ull << (f->va_bits - 1)) - 1;
        ok(pt_canonical(f, top), "%s: 0x%llx canonical", f->name, (unsigned long long)top);
        ok(!pt_canonical(f, top + 1), "%s: 0x%llx not canonical", f->name, (unsigned long long)top + 1);
        ok(pt_canonical(f, ~top), "%s: 0x%llx canonical", f->name, (unsigned long long)~top);
        ok(!pt_canonical(f, ~top - 1), "%s: 0x%llx not canonical", f->name, (unsigned long long)(~top - 1));
        ok(pt_canonical(f, 0) && pt_canonical(f, ~0ull), "%s: 0 and ~0 canonical", f->name);
    }
}

/* The 32-bit formats: 10 + 10 + 12 bits, 4-byte entries, the whole 4 GiB. */
static void test_splits32(void)
{
    static const struct { uint64_t va; unsigned dir, table, off; } c[] = {
        {0x0041f7a0, 1, 31, 0x7a0},        /* a course-trace address */
        {0xbfffe123, 767, 1022, 0x123},    /* the classic Linux/i386 stack */
        {0xffffffff, 1023, 1023, 0xfff},
        {0x80000000, 512, 0, 0},
        {0x12345678, 72, 837, 0x678},
        {0xdeadbeef, 890, 731, 0xeef},
    };
    for (int id = PT_IA32; id <= PT_SV32; id++) {
        const struct pt_format *f = pt_format((enum pt_format_id)id);
        is_u64(f->pte_bytes, 4, "%s: 4-byte entries", f->name);
        is_u64(pt_fmt_entries(f), 1024, "%s: 1024 entries a table", f->name);
        is_u64(pt_fmt_shift(f, 0), 12, "%s: level 0 maps 4 KiB", f->name);
        is_u64(pt_fmt_size(f, 1), 4ull << 20, "%s: level 1 maps 4 MiB", f->name);
        for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
            ok(pt_fmt_index(f, c[i].va, 1) == c[i].dir && pt_fmt_index(f, c[i].va, 0) == c[i].table &&
                   (c[i].va & 0xfff) == c[i].off,
               "%s 0x%08llx: directory %u, table %u, offset 0x%x", f->name,
               (unsigned long long)c[i].va, c[i].dir, c[i].table, c[i].off);
            ok(pt_canonical(f, c[i].va), "%s 0x%08llx: translatable", f->name,
               (unsigned long long)c[i].va);
        }
        is_u64(pt_fmt_entry(f, 0x5000, 0xbfffe123, 0), 0x5000 + 1022 * 4, "%s: entry address = table + 4 x index",
               f->name);
        ok(pt_canonical(f, 0) && !pt_canonical(f, 1ull << 32) && !pt_canonical(f, ~0ull) &&
               !pt_canonical(f, 0xffffffff80000000ull),
           "%s: nothing above bit 31 (no sign extension)", f->name);
        is_u64(pt_user_limit(f), 1ull << 32, "%s: the whole 4 GiB is the user's", f->name);
    }
    is_u64(pt_user_limit(pt_format(PT_X86_64)), 1ull << 47, "x86-64: the lower half");
}

/* make_leaf / make_table / decode agree, bit for bit where the manuals fix the bits */
static void test_encodings(void)
{
    const struct pt_format *x = pt_format(PT_X86_64);
    struct pte_info e;
    uint64_t pte = x->make_leaf(0, 0x12345000, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, true, true, 5);
    is_u64(pte, X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_A | X86_PTE_D | X86_PTE_XD | 0x12345000 | 5ull << 9,
           "x86 4K leaf RW user A D sw=5, no exec -> XD");
    x->decode(pte, 0, &e);
    ok(e.present && e.leaf && e.addr == 0x12345000 && e.accessed && e.dirty && e.sw == 5,
       "x86 4K leaf decodes");
    is_u64(e.prot, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, "x86 4K leaf prot");
    pte = x->make_leaf(1, 0x40200000, VM_PROT_READ | VM_PROT_EXEC | VM_PROT_GLOBAL, false, false, 0);
    is_u64(pte, X86_PTE_P | X86_PTE_PS | X86_PTE_G | 0x40200000, "x86 2M leaf: PS, G, exec");
    x->decode(pte, 1, &e);
    ok(e.leaf && e.addr == 0x40200000 && e.prot == (VM_PROT_READ | VM_PROT_EXEC | VM_PROT_GLOBAL),
       "x86 2M leaf decodes");
    /* PAT (bit 12) of a large page is not part of its address */
    x->decode(pte | (1ull << 12), 1, &e);
    is_u64(e.addr, 0x40200000, "x86 2M leaf: bit 12 (PAT) is not address");
    x->decode(X86_PTE_P | X86_PTE_PS | 0x80000000, 2, &e);
    ok(e.leaf && e.addr == 0x80000000, "x86 1G leaf decodes");
    pte = x->make_table(3, 0x7000);
    is_u64(pte, X86_PTE_P | X86_PTE_RW | X86_PTE_US | 0x7000, "x86 table entry: P RW US");
    x->decode(pte, 3, &e);
    ok(e.present && !e.leaf && e.addr == 0x7000, "x86 table entry decodes");
    x->decode(X86_PTE_P | X86_PTE_PS | X86_PTE_G | X86_PTE_D, 3, &e);
    ok(!e.leaf && !(e.prot & VM_PROT_GLOBAL) && !e.dirty, "x86 PML4E: PS/G/D are not leaf bits");
    x->decode(X86_PTE_P | (0xbull << 59), 0, &e);
    is_u64(e.pkey, 0xb, "x86 protection key bits 62:59");
    x->decode(0, 0, &e);
    ok(!e.present, "x86 zero entry: not present");

    const struct pt_format *r = pt_format(PT_SV48);
    pte = r->make_leaf(0, 0x12345000, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, true, true, 2);
    is_u64(pte, RV_PTE_V | RV_PTE_R | RV_PTE_W | RV_PTE_U | RV_PTE_A | RV_PTE_D | (0x12345ull << 10) | 2ull << 8,
           "riscv leaf R W U A D rsw=2");
    r->decode(pte, 0, &e);
    ok(e.present && e.leaf && e.addr == 0x12345000 && e.accessed && e.dirty && e.sw == 2 &&
       e.prot == (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER), "riscv leaf decodes");
    pte = r->make_leaf(3, 1ull << 39, VM_PROT_EXEC | VM_PROT_GLOBAL, false, false, 0);
    is_u64(pte, RV_PTE_V | RV_PTE_X | RV_PTE_G | ((1ull << 27) << 10), "riscv 512G leaf X G");
    pte = r->make_table(2, 0x9000);
    is_u64(pte, RV_PTE_V | (9ull << 10), "riscv table entry: V and PPN only");
    r->decode(pte, 2, &e);
    ok(e.present && !e.leaf && e.addr == 0x9000, "riscv table entry decodes");
    r->decode(RV_PTE_V | RV_PTE_G, 2, &e);
    ok(!e.leaf && (e.prot & VM_PROT_GLOBAL), "riscv non-leaf G decodes as global");
    r->decode(RV_PTE_V | (((1ull << 44) - 1) << 10), 1, &e);
    is_u64(e.addr, ((1ull << 44) - 1) << 12, "riscv 44-bit PPN");

    /* ia32 (SDM 4.3, Tables 4-4 to 4-6) */
    const struct pt_format *ia = pt_format(PT_IA32);
    pte = ia->make_leaf(0, 0x12345000, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, true, true, 5);
    is_u64(pte, X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_A | X86_PTE_D | 0x12345000 | 5ull << 9,
           "ia32 4K PTE: RW US A D sw=5, no XD bit even without exec");
    ia->decode(pte, 0, &e);
    ok(e.present && e.leaf && e.addr == 0x12345000 && e.accessed && e.dirty && e.sw == 5 &&
           e.prot == (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER | VM_PROT_EXEC),
       "ia32 4K PTE decodes: always executable");
    pte = ia->make_leaf(1, 0x3c00000 | (0x2aull << 32), VM_PROT_READ | VM_PROT_GLOBAL, false, false, 0);
    is_u64(pte, X86_PTE_P | X86_PTE_PS | X86_PTE_G | 0x3c00000 | (0x2aull << 13),
           "ia32 4M PDE: PS, G, PA 31:22 in 31:22, PA 39:32 in 20:13");
    ia->decode(pte | (1ull << 12), 1, &e);
    ok(e.leaf && e.addr == (0x3c00000 | (0x2aull << 32)) && (e.prot & VM_PROT_GLOBAL),
       "ia32 4M PDE decodes (bit 12 is PAT, not address)");
    pte = ia->make_table(1, 0x7000);
    is_u64(pte, X86_PTE_P | X86_PTE_RW | X86_PTE_US | 0x7000, "ia32 PDE to a page table: P RW US");
    ia->decode(pte | X86_PTE_G, 1, &e);
    ok(e.present && !e.leaf && e.addr == 0x7000 && !(e.prot & VM_PROT_GLOBAL),
       "ia32 PDE to a page table decodes; its G is ignored");

    /* Sv32 */
    const struct pt_format *s32 = pt_format(PT_SV32);
    pte = s32->make_leaf(0, 0x387654000ull, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, true, true, 1);
    is_u64(pte, RV_PTE_V | RV_PTE_R | RV_PTE_W | RV_PTE_U | RV_PTE_A | RV_PTE_D | (0x387654ull << 10) | 1ull << 8,
           "sv32 leaf: 22-bit PPN of a 34-bit address in bits 31:10");
    ok(pte >> 32 == 0, "sv32 leaf fits 32 bits");
    s32->decode(pte, 0, &e);
    ok(e.present && e.leaf && e.addr == 0x387654000ull && e.sw == 1, "sv32 leaf decodes");
    pte = s32->make_leaf(1, 0x200400000ull, VM_PROT_READ | VM_PROT_EXEC, false, false, 0);
    s32->decode(pte, 1, &e);
    ok(e.leaf && e.addr == 0x200400000ull && (pte >> 20) == 0x801 && ((pte >> 10) & 0x3ff) == 0,
       "sv32 megapage: PPN[1] = 0x801 in bits 31:20, PPN[0] = 0 (aligned)");
}

int main(void)
{
    test_formats();
    test_splits();
    test_splits32();
    test_encodings();
    return tap_done();
}
