/* test_tlb_flush.c — what the TLBs keep and what each invalidation removes
 * (SDM vol. 3A 4.10.4, RISC-V privileged spec SFENCE.VMA): PCID isolation,
 * CR3 with and without the no-flush bit, global pages with and without
 * CR4.PGE, PGE/PCIDE/SMEP writes, INVLPG, INVPCID types 0-3 and their #GP
 * cases, SFENCE.VMA's four cases, stale translations until a flush, the
 * D=0 re-walk on a store, and satp writes that do not flush.
 *
 * Whether an access hit is read from the "walks" counter; frames hold
 * distinct values so a stale translation is seen in the data too. */
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (32ull << 20)
#define V 0x0000000000400000ull
#define W 0x0000000000401000ull
#define G 0x0000000000600000ull
#define P 0x0000000000402000ull
#define FA 0x1000000ull
#define FB 0x1001000ull
#define FA2 0x1002000ull
#define FW 0x1003000ull
#define FG 0x1004000ull
#define FG2 0x1005000ull
#define FP 0x1006000ull

static struct machine *m;
static struct cpu *c;
static struct physmem *pm;
static struct ptb A, B;

/* Load va: sets *val, returns 1 on a TLB hit, 0 if it walked, -1 on a fault. */
static int hitv(vaddr_t va, uint64_t *val)
{
    uint64_t w = tm_stat(c, CPU_STAT_WALKS);
    if (cpu_load(c, va, 8, val))
        return -1;
    return tm_stat(c, CPU_STAT_WALKS) == w;
}

static int hit(vaddr_t va)
{
    uint64_t v;
    return hitv(va, &v);
}

static void setup(enum pt_arch arch, const char *tlb)
{
    m = tm_machine(arch, 1, MEM, tlb);
    c = machine_cpu(m, 0);
    pm = machine_physmem(m);
    cpu_attach(c);
    const struct pt_format *f = pt_format(arch == PT_ARCH_X86 ? PT_X86_64 : PT_SV39);
    ptb_init(&A, pm, f, 0x100000, 0x400000);
    ptb_init(&B, pm, f, 0x400000, 0x800000);
    unsigned rw = VM_PROT_READ | VM_PROT_WRITE;
    ptb_map(&A, V, FA, 0, rw, 0);
    ptb_map(&B, V, FB, 0, rw, 0);
    ptb_map(&A, W, FW, 0, rw, 0);
    ptb_map(&B, W, FW, 0, rw, 0);
    ptb_map(&A, G, FG, 0, rw | VM_PROT_GLOBAL, 0);
    ptb_map(&B, G, FG2, 0, rw, 0);                   /* B maps G elsewhere, not global */
    ptb_map(&A, P, FP, 0, rw, 0);
    physmem_store(pm, FA, 8, 0xA);
    physmem_store(pm, FB, 8, 0xB);
    physmem_store(pm, FA2, 8, 0xA2);
    physmem_store(pm, FG, 8, 0x6);
    physmem_store(pm, FG2, 8, 0x7);
}

static void teardown(void)
{
    cpu_detach(c);
    machine_destroy(m);
}

static int cr3(const struct ptb *b, unsigned pcid, bool noflush)
{
    return cpu_write_cr3(c, b->root | pcid | (noflush ? X86_CR3_NOFLUSH : 0));
}

static void test_pcid(void)
{
    setup(PT_ARCH_X86, "golden-cove");
    cpu_write_efer(c, X86_EFER_NXE);
    ok(cpu_write_cr3(c, A.root | X86_CR3_NOFLUSH) == -1, "CR3 bit 63 with PCIDE=0: #GP");
    ok(cpu_write_cr3(c, A.root | (1ull << 50)) == -1, "CR3 bit above MAXPHYADDR: #GP");
    ok(cpu_write_cr4(c, X86_CR4_PCIDE) == 0, "set PCIDE with CR3[11:0]=0");
    uint64_t v;
    cr3(&A, 1, false);
    ok(hitv(V, &v) == 0 && v == 0xA, "PCID 1 (A): V walks, reads A's frame");
    cr3(&B, 2, true);
    ok(hitv(V, &v) == 0 && v == 0xB, "PCID 2 (B), no-flush: V walks, reads B's frame");
    cr3(&A, 1, true);
    ok(hitv(V, &v) == 1 && v == 0xA, "back to PCID 1, no-flush: V hits A's translation");
    cr3(&B, 2, true);
    ok(hitv(V, &v) == 1 && v == 0xB, "back to PCID 2, no-flush: V hits B's translation");
    is_u64(cpu_asid(c), 2, "cpu_asid is the PCID");
    is_u64(cpu_read_cr3(c), B.root | 2, "CR3 reads back without bit 63");
    is_u64(tm_stat(c, CPU_STAT_FLUSH_CR3_NOFLUSH), 3, "flush-cr3-noflush counted");
    /* MOV to CR3 without no-flush: only the new PCID's entries go */
    cr3(&A, 1, false);
    ok(hitv(V, &v) == 0 && v == 0xA, "CR3 write to PCID 1 without no-flush: PCID 1 flushed");
    cr3(&B, 2, true);
    ok(hit(V) == 1, "... PCID 2 kept");
    /* stale translations: change a PTE, no flush, the TLB still uses the old one */
    cr3(&A, 1, true);
    ptb_set(&A, V, 0, pt_format(PT_X86_64)->make_leaf(0, FA2, VM_PROT_READ | VM_PROT_WRITE, false, false, 0));
    ok(hitv(V, &v) == 1 && v == 0xA, "PTE changed without a flush: stale translation used");
    cpu_invlpg(c, V);
    ok(hitv(V, &v) == 0 && v == 0xA2, "after INVLPG: the new translation");
    ok(cpu_write_cr4(c, 0) == 0 && cpu_write_cr4(c, X86_CR4_PCIDE) == -1,
       "setting PCIDE with CR3[11:0] != 0: #GP");
    teardown();
}

static void test_globals(void)
{
    uint64_t v;
    /* with PGE: a global entry survives CR3 writes and matches every PCID */
    setup(PT_ARCH_X86, "golden-cove");
    cpu_write_efer(c, X86_EFER_NXE);
    cpu_write_cr4(c, X86_CR4_PCIDE | X86_CR4_PGE);
    cr3(&A, 1, false);
    ok(hitv(G, &v) == 0 && v == 0x6, "PGE: global page G walks under PCID 1");
    cr3(&B, 2, false);
    ok(hitv(G, &v) == 1 && v == 0x6, "PGE: after CR3 write to PCID 2 (flush), G still hits A's global entry");
    cr3(&B, 2, false);
    ok(hit(G) == 1, "PGE: global survives a flushing CR3 write to its own PCID too");
    /* toggling PGE flushes everything, globals too */
    cr3(&A, 1, true);
    hit(V);
    cpu_write_cr4(c, X86_CR4_PCIDE);
    cr3(&A, 1, true);
    ok(hit(V) == 0, "PGE toggled off: non-global entries flushed");
    cr3(&B, 2, true);
    ok(hitv(G, &v) == 0 && v == 0x7, "PGE toggled off: global entry flushed, B's own G mapping used");
    is_u64(tm_stat(c, CPU_STAT_FLUSH_CR4), 2, "flush-cr4 counted (PGE set, PGE cleared)");
    /* without PGE the G bit is ignored */
    cr3(&A, 1, false);
    ok(hitv(G, &v) == 0 && v == 0x6, "no PGE: G walks under PCID 1");
    cr3(&B, 2, false);
    ok(hitv(G, &v) == 0 && v == 0x7, "no PGE: G bit ignored, PCID 2 walks its own tables");
    cpu_write_cr4(c, X86_CR4_PCIDE | X86_CR4_PGE);
    cr3(&A, 1, true);
    hit(G);
    hit(V);
    cpu_write_cr4(c, X86_CR4_PGE);
    ok(hit(G) == 0, "clearing PCIDE flushes everything, globals too");
    teardown();

    /* PCIDE = 0: MOV to CR3 flushes non-global entries, globals stay */
    setup(PT_ARCH_X86, "golden-cove");
    cpu_write_efer(c, X86_EFER_NXE);
    cpu_write_cr4(c, X86_CR4_PGE);
    cr3(&A, 0, false);
    hit(G);
    hit(V);
    cr3(&A, 0, false);
    ok(hit(G) == 1, "PCIDE=0: global survives MOV to CR3");
    ok(hit(V) == 0, "PCIDE=0: non-global flushed by MOV to CR3");
    /* SMEP 0 -> 1 flushes the current PCID */
    hit(V);
    cpu_write_cr4(c, X86_CR4_PGE | X86_CR4_SMEP);
    ok(hit(V) == 0, "setting SMEP flushes the current PCID");
    teardown();
}

static void test_invlpg(void)
{
    uint64_t v;
    setup(PT_ARCH_X86, "golden-cove");
    cpu_write_efer(c, X86_EFER_NXE);
    cpu_write_cr4(c, X86_CR4_PCIDE | X86_CR4_PGE);
    cr3(&B, 2, false);
    hit(V);
    cr3(&A, 1, false);
    hit(V);
    hit(W);
    hit(G);
    cpu_invlpg(c, V);
    ok(hit(W) == 1, "INVLPG V: W kept");
    ok(hitv(V, &v) == 0 && v == 0xA, "INVLPG V: V of the current PCID removed");
    cr3(&B, 2, true);
    ok(hitv(V, &v) == 1 && v == 0xB, "INVLPG V: V of another PCID kept");
    ok(hitv(G, &v) == 1 && v == 0x6, "global G matches under PCID 2");
    cpu_invlpg(c, G);
    ok(hitv(G, &v) == 0 && v == 0x7, "INVLPG G under PCID 2 removes the global entry made under PCID 1");
    uint64_t flushed = tm_stat(c, CPU_STAT_TLB_ENTRIES_FLUSHED), inv = tm_stat(c, CPU_STAT_FLUSH_INVLPG);
    hit(V);
    cpu_invlpg(c, 0x0000800000000000ull);
    is_u64(tm_stat(c, CPU_STAT_TLB_ENTRIES_FLUSHED) - flushed, 0, "INVLPG of a non-canonical address: no-op");
    is_u64(tm_stat(c, CPU_STAT_FLUSH_INVLPG) - inv, 1, "... still counted as an INVLPG");
    ok(hit(V) == 1, "... V still cached");
    teardown();
}

/* Fill: PCID 1 {V, W}, PCID 2 {V, W}, global G (from PCID 1); run PCID 1. */
static void fill_both(void)
{
    cr3(&B, 2, true);
    hit(V);
    hit(W);
    cr3(&A, 1, true);
    hit(V);
    hit(W);
    hit(G);
}

static void test_invpcid(void)
{
    setup(PT_ARCH_X86, "golden-cove");
    cpu_write_efer(c, X86_EFER_NXE);
    ok(cpu_invpcid(c, 0, 1, V) == -1, "INVPCID type 0, PCID 1 with PCIDE=0: #GP");
    ok(cpu_invpcid(c, 1, 1, 0) == -1, "INVPCID type 1, PCID 1 with PCIDE=0: #GP");
    ok(cpu_invpcid(c, 1, 0, 0) == 0, "INVPCID type 1, PCID 0 with PCIDE=0: fine");
    ok(cpu_invpcid(c, 2, 5, 0) == 0 && cpu_invpcid(c, 3, 5, 0) == 0, "INVPCID types 2, 3 ignore the PCID");
    cpu_write_cr4(c, X86_CR4_PCIDE | X86_CR4_PGE);
    ok(cpu_invpcid(c, 4, 1, 0) == -1, "INVPCID type 4: #GP");
    ok(cpu_invpcid(c, 0, 0x1000, V) == -1, "INVPCID PCID above 12 bits: #GP");
    ok(cpu_invpcid(c, 0, 1, 0x0000800000000000ull) == -1, "INVPCID type 0, non-canonical: #GP");

    cr3(&A, 1, false);
    fill_both();
    ok(cpu_invpcid(c, 0, 2, V) == 0, "INVPCID 0 (PCID 2, V)");
    ok(hit(V) == 1 && hit(W) == 1, "type 0: PCID 1 untouched");
    cpu_invpcid(c, 0, 1, G);
    ok(hit(G) == 1, "type 0 at a global address: global kept");
    cr3(&B, 2, true);
    ok(hit(W) == 1, "type 0: PCID 2's W kept");
    ok(hit(V) == 0, "type 0: PCID 2's V removed");

    fill_both();
    cpu_invpcid(c, 1, 2, 0);
    ok(hit(V) == 1 && hit(W) == 1 && hit(G) == 1, "type 1 (PCID 2): PCID 1 and globals kept");
    cr3(&B, 2, true);
    ok(hit(W) == 0, "type 1 (PCID 2): PCID 2 flushed");

    fill_both();
    cpu_invpcid(c, 3, 0, 0);
    ok(hit(G) == 1, "type 3: globals kept");
    ok(hit(V) == 0, "type 3: PCID 1 flushed");
    cr3(&B, 2, true);
    ok(hit(W) == 0, "type 3: PCID 2 flushed");

    fill_both();
    cpu_invpcid(c, 2, 0, 0);
    ok(hit(G) == 0, "type 2: globals flushed");
    ok(hit(V) == 0, "type 2: PCID 1 flushed");
    cr3(&B, 2, true);
    ok(hit(W) == 0, "type 2: PCID 2 flushed");
    is_u64(tm_stat(c, CPU_STAT_FLUSH_INVPCID0), 2, "flush-invpcid-addr counted");
    teardown();
}

static void test_dirty_and_rights(void)
{
    uint64_t v;
    setup(PT_ARCH_X86, "golden-cove");
    cpu_write_efer(c, X86_EFER_NXE);
    cpu_write_cr4(c, X86_CR4_PCIDE | X86_CR4_PGE);
    cr3(&A, 1, false);
    /* a read caches D=0: the first store walks again and sets D */
    ok(hit(P) == 0, "P: first load walks");
    ok(!(ptb_get(&A, P, 0) & X86_PTE_D), "P: D clear after the load");
    ok(cpu_store(c, P, 8, 1) == 0, "P: store");
    is_u64(tm_stat(c, CPU_STAT_TLB_DIRTY_REWALKS), 1, "store hit a D=0 entry: tlb-dirty-rewalks");
    ok(ptb_get(&A, P, 0) & X86_PTE_D, "the re-walk set D");
    cpu_store(c, P + 8, 8, 2);
    is_u64(tm_stat(c, CPU_STAT_TLB_DIRTY_REWALKS), 1, "a second store hits the refreshed entry");
    ok(hit(P) == 1, "and loads still hit");
    /* the same for a global entry used under another PCID: both address
     * spaces map G to FG as a global page, as kernels map themselves */
    ptb_map(&B, G, FG, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_GLOBAL, 0);
    hit(G);
    cr3(&B, 2, true);
    ok(cpu_store(c, G, 8, 0x66) == 0, "store to global G under PCID 2");
    is_u64(tm_stat(c, CPU_STAT_TLB_DIRTY_REWALKS), 2, "one re-walk for the global D=0 entry");
    cpu_store(c, G, 8, 0x67);
    cpu_store(c, G + 8, 8, 0x68);
    is_u64(tm_stat(c, CPU_STAT_TLB_DIRTY_REWALKS), 2, "later stores hit the refreshed global entry");
    is_u64(physmem_load(pm, FG, 8), 0x67, "the stores went to the global frame");

    /* rights lowered without a flush: the stale entry still allows the store */
    cr3(&A, 1, true);
    cpu_store(c, P, 8, 3);
    ptb_set(&A, P, 0, ptb_get(&A, P, 0) & ~X86_PTE_RW);
    ok(cpu_store(c, P, 8, 4) == 0, "RW cleared without a flush: the cached entry still allows stores");
    cpu_invlpg(c, P);
    ok(cpu_store(c, P, 8, 5) == -1, "after INVLPG the store faults");
    const struct vm_fault *f = cpu_last_fault(c);
    ok(f->type == FAULT_PAGE && f->error_code == (PF_P | PF_W) && f->addr == P, "#PF P|W at P");
    /* rights raised without a flush: a hit that does not allow the access walks again */
    ok(hitv(P, &v) >= 0 && v == 4, "the load is fine, the value is the last allowed store");
    ptb_set(&A, P, 0, ptb_get(&A, P, 0) | X86_PTE_RW);
    ok(cpu_store(c, P, 8, 6) == 0, "RW set again without a flush: the store re-walks and succeeds");
    /* a page fault removes the faulting address's entries */
    cpu_stats_reset(c);
    hit(W);
    ptb_set(&A, W, 0, ptb_get(&A, W, 0) & ~X86_PTE_RW);
    cpu_invlpg(c, W);
    hit(W);
    ok(cpu_store(c, W, 8, 1) == -1, "store to read-only W faults");
    ok(hit(W) == 0, "the fault removed W's entry: the next load walks");
    teardown();
}

/* A store through a global entry that was filled with D = 0 under another
 * PCID re-walks once, and the fill must refresh that global entry in place
 * (in every array it sits in: set-associative or fully associative, L1 and
 * L2): a second copy tagged with the new PCID would leave the stale D = 0
 * global one in front of it, and every later store that probes the arrays
 * (not the access memo) would re-walk. The memo is cleared before each
 * check so that the arrays are probed. */
static void test_global_refresh(void)
{
    static const char *const geo[] = {
        "golden-cove",                                          /* set-associative L1 and L2 */
        "l1d=8xfull,l1i=8xfull,l2=1024x4,pwc=none",             /* fully associative L1 */
        "l1d=4x2,l1i=4x2,l2=64xfull,pwc=none",                  /* fully associative L2 */
    };
    for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++) {
        setup(PT_ARCH_X86, geo[i]);
        cpu_write_efer(c, X86_EFER_NXE);
        cpu_write_cr4(c, X86_CR4_PCIDE | X86_CR4_PGE);
        ptb_map(&B, G, FG, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_GLOBAL, 0);
        /* 16 pages 16 pages apart: in G's L1 set (16 and 2 sets), spread
         * over the L2's sets, to push G out of the L1 only */
        for (unsigned k = 0; k < 16; k++) {
            ptb_map(&A, 0x800000 + k * 0x10000ull, 0x1100000 + k * 0x1000ull, 0, VM_PROT_READ, 0);
            ptb_map(&B, 0x800000 + k * 0x10000ull, 0x1100000 + k * 0x1000ull, 0, VM_PROT_READ, 0);
        }
        cr3(&A, 1, false);
        ok(hit(G) == 0, "%s: G loaded under PCID 1: a global entry with D = 0", geo[i]);
        cr3(&B, 2, true);
        ok(cpu_store(c, G, 8, 0x61) == 0 && tm_stat(c, CPU_STAT_TLB_DIRTY_REWALKS) == 1,
           "%s: store under PCID 2 hits the global entry, re-walks once for D", geo[i]);
        uint64_t walks = tm_stat(c, CPU_STAT_WALKS);
        cpu_write_pkru(c, 0);                                   /* forget the memo: probe the arrays */
        ok(cpu_store(c, G + 8, 8, 0x62) == 0 && tm_stat(c, CPU_STAT_TLB_DIRTY_REWALKS) == 1 &&
               tm_stat(c, CPU_STAT_WALKS) == walks,
           "%s: the next store finds the refreshed entry in the L1 (no stale D = 0 copy in front)", geo[i]);
        for (unsigned k = 0; k < 16; k++)
            hit(0x800000 + k * 0x10000ull);
        uint64_t l1 = tm_stat(c, CPU_STAT_DTLB_L1_MISSES), stlb = tm_stat(c, CPU_STAT_STLB_HITS);
        walks = tm_stat(c, CPU_STAT_WALKS);
        ok(cpu_store(c, G + 16, 8, 0x63) == 0 && tm_stat(c, CPU_STAT_DTLB_L1_MISSES) == l1 + 1 &&
               tm_stat(c, CPU_STAT_STLB_HITS) == stlb + 1 && tm_stat(c, CPU_STAT_WALKS) == walks &&
               tm_stat(c, CPU_STAT_TLB_DIRTY_REWALKS) == 1,
           "%s: pushed out of the L1, G's store hits the refreshed L2 entry", geo[i]);
        cr3(&A, 1, true);
        cpu_write_pkru(c, 0);
        ok(cpu_store(c, G + 24, 8, 0x64) == 0 && tm_stat(c, CPU_STAT_WALKS) == walks &&
               tm_stat(c, CPU_STAT_TLB_DIRTY_REWALKS) == 1,
           "%s: back under PCID 1, the one global entry (now D = 1) serves stores too", geo[i]);
        is_u64(physmem_load(pm, FG + 24, 8), 0x64, "%s: the stores reached the global frame", geo[i]);
        teardown();
    }
}

static void test_sfence(void)
{
    uint64_t v;
    setup(PT_ARCH_RISCV, "zen4");
    /* A and B both map G to FG as a global page (the kernel's mapping) */
    ptb_map(&B, G, FG, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_GLOBAL, 0);
    const uint64_t sv39 = RV_SATP_MODE_SV39;
    ok(cpu_write_satp(c, rv_satp(7, 1, A.root)) == -1 && cpu_read_satp(c) == 0,
       "satp with an unsupported MODE: no effect");
#define ASID(n, t) cpu_write_satp(c, rv_satp(sv39, n, (t).root))
    ASID(2, B);
    hit(V);
    hit(W);
    ASID(1, A);
    ok(hitv(V, &v) == 0 && v == 0xA, "ASID 1: V walks");
    hit(W);
    hit(G);
    ASID(2, B);
    ok(hitv(V, &v) == 1 && v == 0xB, "satp write does not flush: ASID 2's V hits");
    ok(hitv(G, &v) == 1 && v == 0x6, "global G hits under ASID 2");
    ASID(1, A);
    ok(hit(V) == 1, "ASID 1's V still hits");

    cpu_sfence_vma(c, true, V, true, 1);                   /* rs1 = V, rs2 = 1 */
    ok(hit(W) == 1 && hit(V) == 0, "SFENCE.VMA V, asid 1: V of ASID 1 only");
    cpu_sfence_vma(c, true, G, true, 1);
    ok(hit(G) == 1, "SFENCE.VMA G, asid 1: global kept");
    ASID(2, B);
    ok(hit(V) == 1, "SFENCE.VMA V, asid 1: ASID 2's V kept");

    cpu_sfence_vma(c, true, V, false, 0);                  /* rs1 = V, rs2 = x0 */
    ok(hit(W) == 1 && hit(V) == 0, "SFENCE.VMA V, x0: V of ASID 2 removed, W kept");
    ASID(1, A);
    ok(hit(V) == 0, "SFENCE.VMA V, x0: V of ASID 1 removed too");
    cpu_sfence_vma(c, true, G, false, 0);
    ok(hit(G) == 0, "SFENCE.VMA G, x0: the global entry removed");

    ASID(2, B);
    hit(V);
    ASID(1, A);
    hit(V);
    hit(G);
    cpu_sfence_vma(c, false, 0, true, 1);                  /* rs1 = x0, rs2 = 1 */
    ok(hit(G) == 1, "SFENCE.VMA x0, asid 1: globals kept");
    ok(hit(V) == 0 && hit(W) == 0, "SFENCE.VMA x0, asid 1: ASID 1 flushed");
    ASID(2, B);
    ok(hit(V) == 1, "SFENCE.VMA x0, asid 1: ASID 2 kept");

    ASID(1, A);
    cpu_sfence_vma(c, false, 0, false, 0);                 /* rs1 = x0, rs2 = x0 */
    ok(hit(G) == 0 && hit(V) == 0, "SFENCE.VMA x0, x0: everything, globals too");
    ASID(2, B);
    ok(hit(V) == 0, "SFENCE.VMA x0, x0: other ASIDs too");

    uint64_t n = tm_stat(c, CPU_STAT_TLB_ENTRIES_FLUSHED);
    cpu_sfence_vma(c, true, 0x0000004000000000ull, false, 0);
    cpu_sfence_vma(c, true, 0x0000004000000000ull, true, 2);
    is_u64(tm_stat(c, CPU_STAT_TLB_ENTRIES_FLUSHED) - n, 0, "SFENCE.VMA of an invalid address: no-op");
    ok(hit(V) == 1, "... V still cached");
    is_u64(tm_stat(c, CPU_STAT_FLUSH_SFENCE_ALL), 1, "flush-sfence-all counted");
    is_u64(tm_stat(c, CPU_STAT_FLUSH_SFENCE_VA_ASID), 3, "flush-sfence-va-asid counted");

    /* stale until the fence */
    ptb_set(&B, V, 0, pt_format(PT_SV39)->make_leaf(0, FA2, VM_PROT_READ, false, false, 0));
    ok(hitv(V, &v) == 1 && v == 0xB, "PTE changed, no fence: the old translation");
    cpu_sfence_vma(c, true, V, true, 2);
    ok(hitv(V, &v) == 0 && v == 0xA2, "after SFENCE.VMA: the new one");
    /* Bare mode: no translation */
    ok(cpu_write_satp(c, 0) == 0 && cpu_format(c) == NULL, "satp Bare: paging off");
    ok(cpu_load(c, FB, 8, &v) == 0 && v == 0xB, "Bare: virtual = physical");
#undef ASID
    teardown();
}

int main(void)
{
    test_pcid();
    test_globals();
    test_invlpg();
    test_invpcid();
    test_dirty_and_rights();
    test_global_refresh();
    test_sfence();
    return tap_done();
}
