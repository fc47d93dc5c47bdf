/* test_tlb_refill.c — the machine side of a software-managed TLB (MIPS32
 * privileged resource architecture: TLB Refill and TLB Modified
 * exceptions, TLBWR/TLBWI/TLBP/TLBR), driven by hand-written refill
 * handlers over hand-built structures, as the walker tests build tables.
 *
 * 1. A handler over a linear table of its own (no page tables at all):
 *    the trap for a miss and what it carries, the retry that hits, TLB
 *    Modified on a store through a clean entry, protection faults on a
 *    hit, each write/probe/read operation and every refusal, ASID tags and
 *    global entries, invalidation, the L2's replacement choosing the
 *    victim, 4 MiB entries on a 32-bit machine, the counters.
 * 2. A handler that refills from the very page tables the hardware walker
 *    would use (pt_walk) and writes where the array's replacement chooses:
 *    on a real trace (the bzip course trace) and on a mixed
 *    fetch/load/store stream, for several formats and geometries and all
 *    three replacement policies, its refills equal the hardware-walk
 *    machine's TLB misses, its TLB Modified traps the hardware's dirty
 *    re-walks, every L1/L2 count is the same, and the page tables end
 *    with the same A/D bits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/refs.h"
#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (64ull << 20)

/* ---- 1. a handler over a structure of its own ---- */

#define NPG 64
#define BASE 0x40000000ull
struct linear {
    paddr_t pa[NPG];
    unsigned prot[NPG];
    bool present[NPG], dirty[NPG];
    unsigned calls[5];
    struct vm_fault last;
    int use_indexed;             /* rewrite through TLBP + TLBWI instead of TLBWR */
};

static enum fault_action linear_refill(struct cpu *c, const struct vm_fault *f, void *arg)
{
    struct linear *t = arg;
    t->calls[f->type]++;
    t->last = *f;
    uint64_t i = (f->addr - BASE) >> 12;
    if (f->addr < BASE || i >= NPG || !t->present[i])
        return FAULT_FAIL;                       /* nothing there: the kernel's page fault */
    if (f->type == FAULT_TLB_MODIFIED) {
        if (!(t->prot[i] & VM_PROT_WRITE))
            return FAULT_FAIL;
        t->dirty[i] = true;
    } else if (f->type != FAULT_TLB_REFILL) {
        return FAULT_FAIL;
    }
    struct cpu_tlb_entry e = {.va = f->addr, .pa = t->pa[i], .page_shift = 12, .prot = t->prot[i],
                              .dirty = t->dirty[i], .valid = true};
    if (t->use_indexed && f->type == FAULT_TLB_MODIFIED) {
        int at = cpu_tlb_probe(c, f->addr);
        return at >= 0 && cpu_tlb_write_indexed(c, (unsigned)at, &e) == 0 ? FAULT_RETRY : FAULT_FAIL;
    }
    return cpu_tlb_write_random(c, &e) >= 0 ? FAULT_RETRY : FAULT_FAIL;
}

static struct machine *soft_machine(enum pt_arch arch, unsigned xlen, const char *tlb)
{
    struct machine_config cfg;
    char err[256];
    machine_config_default(&cfg, arch);
    cfg.xlen = xlen;
    cfg.mem_bytes = MEM;
    cfg.tlb_refill = TLB_REFILL_SOFTWARE;
    cfg.tlb = *tlb_preset("none");
    if (tlb_config_parse(&cfg.tlb, tlb, err, sizeof err))
        return NULL;
    return machine_create(&cfg, err, sizeof err);
}

static void test_config(void)
{
    struct machine_config cfg;
    char err[256];
    machine_config_default(&cfg, PT_ARCH_X86);
    cfg.tlb = *tlb_preset("tiny");
    cfg.tlb_refill = TLB_REFILL_SOFTWARE;
    ok(machine_create(&cfg, err, sizeof err) == NULL && strstr(err, "L2"),
       "software refill without an L2 TLB: refused (%s)", err);
    struct machine *m = tm_machine(PT_ARCH_X86, 1, MEM, "golden-cove");
    struct cpu *c = machine_cpu(m, 0);
    struct cpu_tlb_entry e = {.va = BASE, .pa = 0x100000, .page_shift = 12, .prot = VM_PROT_READ,
                              .valid = true};
    ok(cpu_tlb_write_random(c, &e) == -1 && cpu_tlb_write_indexed(c, 0, &e) == -1 &&
           cpu_tlb_probe(c, BASE) == -1 && cpu_tlb_read(c, 0, &e) == -1 && cpu_tlb_entries(c) == 0,
       "a hardware-walk machine has no TLB-write operations");
    machine_destroy(m);
}

static void test_linear(void)
{
    /* L2: 16 entries, 4 sets of 4 ways; L1s 4 entries each */
    struct machine *m = soft_machine(PT_ARCH_X86, 64, "l1d=4xfull,l1i=4xfull,l2=16x4,pwc=none");
    if (!ok(m != NULL, "a software-refill machine"))
        return;
    struct cpu *c = machine_cpu(m, 0);
    struct physmem *pm = machine_physmem(m);
    cpu_attach(c);
    is_u64(cpu_tlb_entries(c), 16, "16 entries by index");
    /* no page tables: CR3 points at an empty page; the PCID tags entries */
    cpu_write_efer(c, X86_EFER_NXE);
    cpu_write_cr4(c, X86_CR4_PCIDE | X86_CR4_PGE);
    cpu_write_cr3(c, 0x1000 | 5);
    cpu_set_priv(c, VM_PRIV_USER);
    struct linear *t = calloc(1, sizeof *t);
    for (unsigned i = 0; i < NPG; i++) {
        t->pa[i] = 0x1000000 + i * 4096ull;
        t->prot[i] = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC | VM_PROT_USER;
        t->present[i] = true;
        physmem_store(pm, t->pa[i], 8, 0x1000 + i);
    }
    t->prot[7] = VM_PROT_READ | VM_PROT_USER;                  /* read-only */
    t->prot[8] = VM_PROT_READ | VM_PROT_WRITE;                 /* supervisor */
    t->present[9] = false;
    uint64_t v;

    ok(cpu_load(c, BASE + 8, 8, &v) == -1 && cpu_last_fault(c)->type == FAULT_TLB_REFILL &&
           cpu_last_fault(c)->addr == BASE + 8 && cpu_last_fault(c)->access == VM_ACCESS_READ &&
           cpu_last_fault(c)->not_present, "no handler: the miss fails with FAULT_TLB_REFILL at the address");
    ok(tm_stat(c, CPU_STAT_REFILL_TRAPS) == 1 && tm_stat(c, CPU_STAT_DTLB_LOAD_MISSES) == 1 &&
           tm_stat(c, CPU_STAT_WALKS) == 0, "refill-traps 1, dTLB-load-misses 1, no walk");
    machine_set_fault_handler(m, linear_refill, t);

    ok(cpu_load(c, BASE + 3 * 4096 + 16, 8, &v) == 0 && v == 0 && t->calls[FAULT_TLB_REFILL] == 1,
       "a miss traps once, the handler writes the entry, the retry hits");
    ok(cpu_load(c, BASE + 3 * 4096, 8, &v) == 0 && v == 0x1003 && t->calls[FAULT_TLB_REFILL] == 1,
       "the next load of the page hits: no trap");
    is_u64(tm_stat(c, CPU_STAT_REFILL_WRITES_RANDOM), 1, "refill-writes-random 1");
    int at = cpu_tlb_probe(c, BASE + 3 * 4096 + 0xfff);
    struct cpu_tlb_entry r;
    ok(at >= 0 && cpu_tlb_read(c, (unsigned)at, &r) == 0 && r.valid && r.va == BASE + 3 * 4096 &&
           r.pa == t->pa[3] && r.page_shift == 12 && !r.dirty && r.asid == 5 &&
           r.prot == (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC | VM_PROT_USER),
       "TLBP finds it, TLBR reads it back: page, frame, 4 KiB, clean, PCID 5");
    is_u64((unsigned)at / 4 % 4, (BASE >> 12) + 3 == 0 ? 0 : ((BASE >> 12) + 3) % 4,
           "it sits in its page's set (page number mod 4)");

    /* a store through the clean entry: TLB Modified */
    ok(cpu_store(c, BASE + 3 * 4096, 8, 0xd1) == 0 && t->calls[FAULT_TLB_MODIFIED] == 1 && t->dirty[3] &&
           physmem_load(pm, t->pa[3], 8) == 0xd1, "a store through a clean entry traps TLB Modified, then lands");
    ok(tm_stat(c, CPU_STAT_REFILL_MODIFIED_TRAPS) == 1 && tm_stat(c, CPU_STAT_DTLB_STORE_MISSES) == 0,
       "refill-modified-traps 1; a hit, not a TLB miss");
    ok(cpu_store(c, BASE + 3 * 4096 + 8, 8, 0xd2) == 0 && t->calls[FAULT_TLB_MODIFIED] == 1,
       "the rewritten entry has D: the next store goes through");
    cpu_read(c, BASE + 3 * 4096, &v, 8);
    ok(cpu_tlb_read(c, (unsigned)cpu_tlb_probe(c, BASE + 3 * 4096), &r) == 0 && r.dirty,
       "TLBR: D is set now (refreshed in place)");
    /* the same through TLBP + TLBWI */
    t->use_indexed = 1;
    cpu_load(c, BASE + 4 * 4096, 8, &v);
    ok(cpu_store(c, BASE + 4 * 4096, 8, 0xd4) == 0 && t->calls[FAULT_TLB_MODIFIED] == 2 &&
           tm_stat(c, CPU_STAT_REFILL_WRITES_INDEXED) == 1 && tm_stat(c, CPU_STAT_REFILL_PROBES) >= 2,
       "TLB Modified handled with TLBP and TLBWI");
    ok(cpu_store(c, BASE + 4 * 4096 + 8, 8, 0xd5) == 0 && t->calls[FAULT_TLB_MODIFIED] == 2,
       "... and the L1 copy follows the indexed write");
    t->use_indexed = 0;

    /* protection faults on a hit: the architecture's #PF */
    ok(cpu_store(c, BASE + 7 * 4096, 8, 1) == -1, "store to a read-only page: fails");
    ok(t->last.type == FAULT_PAGE && t->last.error_code == (PF_P | PF_W | PF_U) && t->last.level == 0 &&
           t->last.addr == BASE + 7 * 4096, "the handler saw #PF P|W|U (a protection fault on the entry)");
    ok(cpu_load(c, BASE + 8 * 4096, 8, &v) == -1 && t->last.type == FAULT_PAGE &&
           t->last.error_code == (PF_P | PF_U), "user load of a supervisor entry: #PF P|U");
    ok(cpu_load(c, BASE + 9 * 4096, 8, &v) == -1 && t->last.type == FAULT_TLB_REFILL,
       "nothing in the structure: the handler answers FAIL, the load fails");
    ok(cpu_fetch(c, BASE + 10 * 4096, 4, &v) == 0 && tm_stat(c, CPU_STAT_ITLB_LOAD_MISSES) == 1,
       "a fetch miss traps too (iTLB-load-misses)");
    is_u64(tm_stat(c, CPU_STAT_PAGE_FAULTS), 2, "page-faults counts the protection faults");

    /* TLBWI: slots, sets, duplicates, sizes, invalid writes */
    struct cpu_tlb_entry e = {.va = BASE + 20 * 4096, .pa = t->pa[20], .page_shift = 12,
                              .prot = VM_PROT_READ | VM_PROT_USER, .valid = true};
    unsigned set20 = (unsigned)(((BASE >> 12) + 20) % 4);
    ok(cpu_tlb_write_indexed(c, set20 * 4 + 3, &e) == 0 && cpu_tlb_probe(c, e.va) == (int)(set20 * 4 + 3),
       "TLBWI at a slot of the page's set");
    ok(cpu_tlb_write_indexed(c, ((set20 + 1) % 4) * 4, &e) == -1, "TLBWI into another set: refused");
    ok(cpu_tlb_write_indexed(c, set20 * 4 + 2, &e) == -1, "TLBWI of a page the set already holds: refused");
    ok(cpu_tlb_write_indexed(c, 16, &e) == -1 && cpu_tlb_read(c, 16, &r) == -1, "index 16 of 16: refused");
    e.page_shift = 13;
    ok(cpu_tlb_write_random(c, &e) == -1, "a page size the format lacks: refused");
    e.page_shift = 21;
    ok(cpu_tlb_write_random(c, &e) == -1, "a 2 MiB page at a frame not 2 MiB aligned: refused");
    e.page_shift = 12;
    e.va = 0x0000800000000000ull;
    ok(cpu_tlb_write_random(c, &e) == -1, "a non-canonical address: refused");
    e.va = BASE + 20 * 4096;
    uint64_t traps = tm_stat(c, CPU_STAT_REFILL_TRAPS);
    ok(cpu_load(c, e.va, 8, &v) == 0 && v == 0x1014 && tm_stat(c, CPU_STAT_REFILL_TRAPS) == traps,
       "the indexed entry serves the load");
    e.valid = false;
    ok(cpu_tlb_write_indexed(c, set20 * 4 + 3, &e) == 0 && cpu_tlb_probe(c, BASE + 20 * 4096) == -1,
       "an invalid TLBWI clears the slot");
    ok(cpu_tlb_read(c, set20 * 4 + 3, &r) == 0 && !r.valid, "TLBR of the slot: invalid");
    ok(cpu_load(c, BASE + 20 * 4096, 8, &v) == 0 && tm_stat(c, CPU_STAT_REFILL_TRAPS) == traps + 1,
       "its L1 copy went too: the next load traps");

    /* ASIDs and globals */
    cpu_write_cr3(c, 0x1000 | 6 | X86_CR3_NOFLUSH);
    traps = tm_stat(c, CPU_STAT_REFILL_TRAPS);
    ok(cpu_load(c, BASE + 3 * 4096, 8, &v) == 0 && tm_stat(c, CPU_STAT_REFILL_TRAPS) == traps + 1,
       "PCID 6: PCID 5's entry does not match, a trap");
    at = cpu_tlb_probe(c, BASE + 3 * 4096);
    ok(at >= 0 && cpu_tlb_read(c, (unsigned)at, &r) == 0 && r.asid == 6, "the new entry is tagged 6");
    e = (struct cpu_tlb_entry){.va = BASE + 30 * 4096, .pa = t->pa[30], .page_shift = 12,
                               .prot = VM_PROT_READ | VM_PROT_USER | VM_PROT_GLOBAL, .valid = true};
    ok(cpu_tlb_write_random(c, &e) >= 0, "a global entry written under PCID 6");
    cpu_write_cr3(c, 0x1000 | 5 | X86_CR3_NOFLUSH);
    traps = tm_stat(c, CPU_STAT_REFILL_TRAPS);
    ok(cpu_load(c, BASE + 30 * 4096, 8, &v) == 0 && v == 0x101e && tm_stat(c, CPU_STAT_REFILL_TRAPS) == traps,
       "PCID 5 hits the global entry");
    cpu_invlpg(c, BASE + 30 * 4096 + 0x800);
    ok(cpu_load(c, BASE + 30 * 4096, 8, &v) == 0 && tm_stat(c, CPU_STAT_REFILL_TRAPS) == traps + 1,
       "INVLPG removes a software-written entry: the next load traps");

    /* TLBWR follows the L2's LRU: 5 pages of one set, the least recent goes */
    cpu_write_cr3(c, 0x1000 | 7);
    unsigned pg[5];
    for (unsigned k = 0; k < 5; k++)
        pg[k] = 32 + 4 * k - (unsigned)(((BASE >> 12) + 32) % 4);      /* all in set 0 */
    for (unsigned k = 0; k < 4; k++)
        cpu_load(c, BASE + pg[k] * 4096ull, 8, &v);
    cpu_load(c, BASE + pg[0] * 4096ull, 8, &v);                   /* L1 hit: the L2 order stays */
    cpu_load(c, BASE + pg[4] * 4096ull, 8, &v);
    ok(cpu_tlb_probe(c, BASE + pg[0] * 4096ull) == -1 && cpu_tlb_probe(c, BASE + pg[1] * 4096ull) >= 0 &&
           cpu_tlb_probe(c, BASE + pg[4] * 4096ull) >= 0, "the fifth page of a set evicts the set's LRU");
    ok(cpu_load(c, BASE + pg[0] * 4096ull, 8, &v) == 0 && v == 0x1000 + pg[0],
       "... whose L1 copy still translates (as after a hardware-walk L2 eviction)");
    cpu_detach(c);
    machine_destroy(m);

    /* 4 MiB entries on a 32-bit machine (ia32) */
    m = soft_machine(PT_ARCH_X86, 32, "l1d=8xfull,l1i=8xfull,l2=32x4:4k+4m,pwc=none");
    c = machine_cpu(m, 0);
    cpu_attach(c);
    cpu_write_cr4(c, X86_CR4_PSE);
    cpu_write_cr3(c, 0x1000);
    machine_set_fault_handler(m, NULL, NULL);
    e = (struct cpu_tlb_entry){.va = 0x80123456, .pa = 0x2400000, .page_shift = 22,
                               .prot = VM_PROT_READ | VM_PROT_WRITE, .dirty = true, .valid = true};
    ok(cpu_tlb_write_random(c, &e) >= 0, "ia32: a 4 MiB entry");
    physmem_store(machine_physmem(m), 0x2400000 + 0x3ffff8, 8, 0x44);
    ok(cpu_load(c, 0x803ffff8, 8, &v) == 0 && v == 0x44 && cpu_load(c, 0x80000000, 8, &v) == 0,
       "it translates the whole 4 MiB");
    ok(cpu_tlb_read(c, (unsigned)cpu_tlb_probe(c, 0x80200000), &r) == 0 && r.page_shift == 22 &&
           r.va == 0x80000000 && r.pa == 0x2400000, "TLBR: one 4 MiB entry");
    e.page_shift = 21;
    e.pa = 0x2400000;
    ok(cpu_tlb_write_random(c, &e) == -1, "ia32 has no 2 MiB pages: refused");
    cpu_detach(c);
    machine_destroy(m);
    free(t);
}

/* ---- 2. refilled from the walker's page tables, against hardware walks ---- */

struct from_tables {
    struct walk_env env;
    struct physmem *pm;
    bool pge;
};

static enum fault_action walker_refill(struct cpu *c, const struct vm_fault *f, void *arg)
{
    struct from_tables *h = arg;
    if (f->type != FAULT_TLB_REFILL && f->type != FAULT_TLB_MODIFIED)
        return FAULT_FAIL;
    /* TLB Modified: the walk for the store sets D, as a re-walk would */
    enum vm_access acc = f->type == FAULT_TLB_MODIFIED ? VM_ACCESS_WRITE : f->access;
    h->env.priv = f->priv;
    struct walk_result res;
    struct vm_fault wf;
    if (pt_walk(h->pm, &h->env, f->addr, acc, &res, &wf))
        return FAULT_FAIL;
    struct cpu_tlb_entry e = {
        .va = f->addr, .pa = res.page_base, .page_shift = pt_fmt_shift(h->env.fmt, res.level),
        .prot = res.prot | (res.global && h->pge ? VM_PROT_GLOBAL : 0), .dirty = res.dirty, .valid = true,
    };
    return cpu_tlb_write_random(c, &e) >= 0 ? FAULT_RETRY : FAULT_FAIL;
}

struct twin {
    struct machine *m;
    struct cpu *c;
    struct ptb b;
    struct from_tables h;
};

/* A machine with tables mapping every page of the stream (frames shared
 * round-robin), A/D preset or clear. */
static void twin_init(struct twin *t, const struct pt_format *f, const char *tlb, bool soft,
                      const struct cpu_ref *refs, size_t n, bool ad_preset)
{
    struct machine_config cfg;
    char err[256];
    machine_config_default(&cfg, f->arch);
    cfg.xlen = f->xlen;
    cfg.mem_bytes = MEM;
    cfg.tlb_refill = soft ? TLB_REFILL_SOFTWARE : TLB_REFILL_HARDWARE;
    if (tlb_preset(tlb))
        cfg.tlb = *tlb_preset(tlb);
    else
        tlb_config_parse(&cfg.tlb, tlb, err, sizeof err);
    t->m = machine_create(&cfg, err, sizeof err);
    t->c = machine_cpu(t->m, 0);
    cpu_attach(t->c);
    ptb_init(&t->b, machine_physmem(t->m), f, 0x100000, 0x2000000);
    uint64_t ad = ad_preset ? f->a_bit | f->d_bit : 0;
    unsigned next = 0;
    for (size_t i = 0; i < n; i++)
        for (vaddr_t p = VM_ALIGN_DOWN(refs[i].va, 4096); p < refs[i].va + refs[i].size; p += 4096)
            if (!ptb_entry(&t->b, p, 0) || !ptb_get(&t->b, p, 0))
                ptb_map(&t->b, p, 0x2000000 + (next++ % 4096) * 4096ull, 0,
                        VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC | VM_PROT_USER, ad);
    tm_activate(t->c, &t->b, 1);
    cpu_set_priv(t->c, VM_PRIV_USER);
    t->h = (struct from_tables){
        .env = {.fmt = f, .root = t->b.root, .priv = VM_PRIV_USER, .maxphyaddr = 46, .gbpages = true,
                .wp = true, .nxe = true, .adue = true, .pse = true},
        .pm = machine_physmem(t->m),
    };
    if (soft)
        machine_set_fault_handler(t->m, walker_refill, &t->h);
    cpu_stats_reset(t->c);
}

static void twin_done(struct twin *t)
{
    cpu_detach(t->c);
    machine_destroy(t->m);
}

static void compare(const char *what, const struct pt_format *f, const char *tlb,
                    const struct cpu_ref *refs, size_t n, bool ad_preset)
{
    struct twin hw, sw;
    twin_init(&hw, f, tlb, false, refs, n, ad_preset);
    twin_init(&sw, f, tlb, true, refs, n, ad_preset);
    size_t dh = 0, ds = 0;
    for (size_t i = 0; i < n; i += 256) {
        size_t k = n - i < 256 ? n - i : 256;
        dh += cpu_touch_many(hw.c, refs + i, k);
        ds += cpu_touch_many(sw.c, refs + i, k);
    }
    struct cpu_stats a, b;
    cpu_stats(hw.c, &a);
    cpu_stats(sw.c, &b);
    uint64_t misses = a.v[CPU_STAT_DTLB_LOAD_MISSES] + a.v[CPU_STAT_DTLB_STORE_MISSES] +
                      a.v[CPU_STAT_ITLB_LOAD_MISSES];
    uint64_t rewalks = a.v[CPU_STAT_TLB_DIRTY_REWALKS];
    char tag[160];
    snprintf(tag, sizeof tag, "%s, %s, %s, A/D %s", what, f->name, tlb, ad_preset ? "preset" : "clear");
    ok(dh == n && ds == n, "%s: every access done on both machines", tag);
    ok(a.v[CPU_STAT_WALKS] == misses && misses > 100, "%s: hardware: %llu misses, as many walks", tag,
       (unsigned long long)misses);
    is_u64(b.v[CPU_STAT_REFILL_TRAPS], misses - rewalks,
           "%s: refills = the hardware's TLB misses that found no entry", tag);
    is_u64(b.v[CPU_STAT_REFILL_MODIFIED_TRAPS], rewalks, "%s: TLB Modified traps = dirty re-walks (%llu)", tag,
           (unsigned long long)rewalks);
    is_u64(b.v[CPU_STAT_REFILL_WRITES_RANDOM], misses, "%s: one TLBWR for each", tag);
    ok(b.v[CPU_STAT_DTLB_L1_MISSES] == a.v[CPU_STAT_DTLB_L1_MISSES] &&
           b.v[CPU_STAT_ITLB_L1_MISSES] == a.v[CPU_STAT_ITLB_L1_MISSES] &&
           b.v[CPU_STAT_STLB_HITS] == a.v[CPU_STAT_STLB_HITS] &&
           b.v[CPU_STAT_DTLB_LOAD_MISSES] == a.v[CPU_STAT_DTLB_LOAD_MISSES] &&
           b.v[CPU_STAT_ITLB_LOAD_MISSES] == a.v[CPU_STAT_ITLB_LOAD_MISSES] &&
           b.v[CPU_STAT_DTLB_STORE_MISSES] + rewalks == a.v[CPU_STAT_DTLB_STORE_MISSES],
       "%s: the same L1 misses, STLB hits and misses (stores: less the dirty re-walks)", tag);
    ok(b.v[CPU_STAT_WALKS] == 0 && b.v[CPU_STAT_PAGE_FAULTS] == 0, "%s: no hardware walk, no fault", tag);
    ok(!memcmp(physmem_frame(machine_physmem(hw.m), 0x100000), physmem_frame(machine_physmem(sw.m), 0x100000),
               hw.b.next - 0x100000),
       "%s: the page tables end with the same A/D bits", tag);
    twin_done(&hw);
    twin_done(&sw);
}

static void test_against_hardware(void)
{
    size_t n;
    struct cpu_ref *refs = refs_load("examples/traces/bzip.trace.gz", tm_san() ? 150000 : 0, &n);
    if (!refs)
        return;
    static const struct { enum pt_format_id id; const char *tlb; } cases[] = {
        {PT_X86_64, "l1d=16x4,l1i=16x4,l2=64x4,pwc=2/4/8/32"},
        {PT_X86_64, "l1d=8xfull,l1i=8xfull,l2=96x6,pwc=none,repl=random,seed=3"},
        {PT_SV39, "l1d=8xfull,l1i=8xfull,l2=64x8,repl=plru"},
        {PT_IA32, "l1d=16x4,l1i=8x2,l2=128x8,pwc=none"},
        {PT_SV32, "l1d=12xfull,l1i=12xfull,l2=48xfull,pwc=none"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int ad = 0; ad < 2; ad++)
            compare("bzip", pt_format(cases[i].id), cases[i].tlb, refs, n, ad);
    free(refs);

    /* a mixed stream: fetches, loads, stores, page-crossing accesses */
    size_t m = tm_san() ? 20000 : 100000;
    refs = malloc(m * sizeof *refs);
    uint64_t s = 11;
    for (size_t i = 0; i < m; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        unsigned kind = (unsigned)(s % 10);
        uint64_t page = (s >> 20) % 4 ? (s >> 8) % 64 : (s >> 8) % 3000;   /* a hot set, a wide tail */
        refs[i] = (struct cpu_ref){.va = 0x10000000 + page * 4096 + ((s >> 32) & 0xfff),
                                   .size = kind == 9 ? 8 : 4,
                                   .acc = kind < 3 ? VM_ACCESS_FETCH : kind < 7 ? VM_ACCESS_READ : VM_ACCESS_WRITE};
    }
    compare("mixed", pt_format(PT_X86_64), "haswell", refs, m, false);
    compare("mixed", pt_format(PT_SV48), "zen4", refs, m, false);
    compare("mixed", pt_format(PT_IA32), "golden-cove", refs, m, false);
    free(refs);
}

int main(void)
{
    test_config();
    test_linear();
    test_against_hardware();
    return tap_done();
}
