/* test_cpu_access.c — a CPU's loads, stores, fetches and blocks: data
 * round-trips through physical memory little-endian; accesses crossing a
 * page translate both pages before any byte moves; the fault-handler
 * protocol (retry after fixing, fail, no handler, a handler that never
 * fixes); #GP delivery; cpu_touch; and the access memo (the hit fast path)
 * following every control-state change that alters what is allowed. */
#include <stdlib.h>
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

#define MEM (32ull << 20)
#define VA 0x0000000010000000ull

static struct machine *m;
static struct cpu *c;
static struct physmem *pm;
static struct ptb b;

static void setup(enum pt_arch arch, const char *tlb)
{
    m = tm_machine(arch, 1, MEM, tlb);
    c = machine_cpu(m, 0);
    pm = machine_physmem(m);
    cpu_attach(c);
    ptb_init(&b, pm, pt_format(arch == PT_ARCH_X86 ? PT_X86_64 : PT_SV48), 0x100000, 0x400000);
}

static void teardown(void)
{
    cpu_detach(c);
    machine_destroy(m);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* 8 pages at VA mapped to scattered frames: frame(i) = 0x1000000 + perm[i] * 4K */
static const unsigned perm[8] = {5, 2, 7, 0, 3, 6, 1, 4};
static paddr_t frame(unsigned i) { return 0x1000000 + perm[i] * 4096ull; }

static void map8(unsigned prot)
{
    for (unsigned i = 0; i < 8; i++)
        ptb_map(&b, VA + i * 4096ull, frame(i), 0, prot, 0);
}

static void test_round_trip(enum pt_arch arch)
{
    setup(arch, arch == PT_ARCH_X86 ? "golden-cove" : "zen4");
    const char *an = arch == PT_ARCH_X86 ? "x86" : "riscv";
    map8(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC);
    tm_activate(c, &b, 1);
    uint64_t v;
    ok(cpu_store(c, VA + 0x10, 8, 0x0102030405060708ull) == 0, "%s: store 8 bytes", an);
    uint8_t bytes[8];
    physmem_read(pm, frame(0) + 0x10, bytes, 8);
    ok(bytes[0] == 0x08 && bytes[7] == 0x01, "%s: little-endian in physical memory", an);
    ok(cpu_load(c, VA + 0x10, 1, &v) == 0 && v == 0x08, "%s: load 1", an);
    ok(cpu_load(c, VA + 0x11, 2, &v) == 0 && v == 0x0607, "%s: load 2 unaligned", an);
    ok(cpu_load(c, VA + 0x14, 4, &v) == 0 && v == 0x01020304, "%s: load 4", an);
    ok(cpu_fetch(c, VA + 0x10, 8, &v) == 0 && v == 0x0102030405060708ull, "%s: fetch 8", an);

    /* random accesses of every size, anywhere in 8 pages (some crossing), against a model */
    static uint8_t model[8 * 4096];
    memset(model, 0, sizeof model);
    for (unsigned i = 0; i < 8; i++)
        memset(physmem_frame(pm, frame(i)), 0, 4096);
    uint64_t s = 99;
    unsigned bad = 0, n = tm_san() ? 20000 : 200000;
    for (unsigned i = 0; i < n; i++) {
        unsigned size = 1u << (rnd(&s) % 4);
        uint64_t off = rnd(&s) % (sizeof model - size + 1);
        if (rnd(&s) & 1) {
            uint64_t val = rnd(&s);
            if (cpu_store(c, VA + off, size, val))
                bad++;
            memcpy(model + off, &val, size);      /* host is little-endian */
        } else {
            uint64_t want = 0;
            memcpy(&want, model + off, size);
            int rc = (rnd(&s) & 3) == 0 ? cpu_fetch(c, VA + off, size, &v) : cpu_load(c, VA + off, size, &v);
            if (rc || v != want)
                bad++;
        }
    }
    is_u64(bad, 0, "%s: %u random 1/2/4/8-byte accesses agree with a byte model", an, n);
    bool frames_ok = true;
    for (unsigned i = 0; i < 8; i++)
        frames_ok &= !memcmp(physmem_frame(pm, frame(i)), model + i * 4096, 4096);
    ok(frames_ok, "%s: every page's bytes are in its own scattered frame", an);

    /* blocks across pages */
    static uint8_t buf[3 * 4096 + 100], back[sizeof buf];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    ok(cpu_write(c, VA + 4096 - 50, buf, sizeof buf) == 0, "%s: block write over 5 pages", an);
    ok(cpu_read(c, VA + 4096 - 50, back, sizeof back) == 0 && !memcmp(buf, back, sizeof buf),
       "%s: block read back", an);
    ok(!memcmp((uint8_t *)physmem_frame(pm, frame(0)) + 4096 - 50, buf, 50) &&
           !memcmp(physmem_frame(pm, frame(2)), buf + 50 + 4096, 4096),
       "%s: block bytes land in the pages' frames", an);
    ok(cpu_read(c, VA, back, 0) == 0, "%s: empty block", an);
    teardown();
}

static void test_crossing(void)
{
    setup(PT_ARCH_X86, "golden-cove");
    map8(VM_PROT_READ | VM_PROT_WRITE);
    ptb_map(&b, VA + 2 * 4096, frame(2), 0, VM_PROT_READ, 0);     /* page 2 read-only */
    ptb_set(&b, VA + 3 * 4096, 0, 0);                             /* page 3 absent */
    tm_activate(c, &b, 0);
    uint64_t v;
    cpu_stats_reset(c);
    ok(cpu_store(c, VA + 4096 - 3, 8, 0x1122334455667788ull) == 0, "store crossing pages 0/1");
    ok(physmem_load(pm, frame(0) + 4093, 2) == 0x7788 && (physmem_load(pm, frame(0) + 4095, 1) == 0x66) &&
           physmem_load(pm, frame(1), 4) == 0x22334455 && physmem_load(pm, frame(1) + 4, 1) == 0x11,
       "3 bytes in page 0's frame, 5 in page 1's");
    is_u64(tm_stat(c, CPU_STAT_ACCESSES), 1, "one access");
    is_u64(tm_stat(c, CPU_STAT_DTLB_STORES), 2, "two TLB lookups (both pages translated)");
    ok(cpu_load(c, VA + 4096 - 3, 8, &v) == 0 && v == 0x1122334455667788ull, "load it back");

    /* a store faulting on the second page writes nothing on the first */
    physmem_store(pm, frame(1) + 4092, 4, 0xaabbccdd);
    ok(cpu_store(c, VA + 2 * 4096 - 4, 8, 0) == -1, "store crossing into a read-only page fails");
    const struct vm_fault *f = cpu_last_fault(c);
    ok(f->type == FAULT_PAGE && f->addr == VA + 2 * 4096 && f->error_code == (PF_P | PF_W),
       "fault at the second page's first byte, P|W");
    is_u64(physmem_load(pm, frame(1) + 4092, 4), 0xaabbccdd, "no byte written on the first page");
    ok(cpu_load(c, VA + 3 * 4096 - 2, 4, &v) == -1 && cpu_last_fault(c)->addr == VA + 3 * 4096 &&
           cpu_last_fault(c)->error_code == 0, "load crossing into an absent page: #PF at its start");
    ok(cpu_fetch(c, VA + 4096 - 4, 8, &v) == -1 && cpu_last_fault(c)->addr == VA + 4096 - 4 &&
           cpu_last_fault(c)->error_code == (PF_P | PF_ID), "fetch from an XD page: fault on the first page");
    /* a block stops at the faulting page, pages before it done */
    static uint8_t blk[2 * 4096];
    memset(blk, 0x5a, sizeof blk);
    ok(cpu_write(c, VA + 4096, blk, sizeof blk) == -1 && cpu_last_fault(c)->addr == VA + 2 * 4096,
       "block write into the read-only page: fault at its start");
    is_u64(physmem_load(pm, frame(1) + 100, 1), 0x5a, "the page before it was written");
    ok(cpu_read(c, VA + 2 * 4096, blk, 2 * 4096) == -1 && cpu_last_fault(c)->addr == VA + 3 * 4096,
       "block read into the absent page: fault at its start");
    /* cpu_touch sets A/D like the access would */
    ok(cpu_touch(c, VA + 5 * 4096 + 10, 8, VM_ACCESS_WRITE) == 0 &&
           (ptb_get(&b, VA + 5 * 4096, 0) & (X86_PTE_A | X86_PTE_D)) == (X86_PTE_A | X86_PTE_D),
       "cpu_touch write sets A and D");
    ok(cpu_touch(c, VA + 4 * 4096 + 8, 2 * 4096, VM_ACCESS_READ) == 0 &&
           (ptb_get(&b, VA + 4 * 4096, 0) & X86_PTE_A) && (ptb_get(&b, VA + 6 * 4096, 0) & X86_PTE_A) &&
           !(ptb_get(&b, VA + 6 * 4096, 0) & X86_PTE_D),
       "cpu_touch of 8 KiB from page 4: pages 4, 5, 6 accessed, not dirtied");
    ok(cpu_touch(c, VA + 4096 * 2 + 4000, 200, VM_ACCESS_READ) == -1 && cpu_last_fault(c)->addr == VA + 3 * 4096,
       "cpu_touch crossing into the absent page faults there");
    teardown();
}

/* ---- the fault handler protocol ---- */

struct hstate {
    int calls, mode;           /* mode 0: map and retry; 1: fail; 2: retry without fixing */
    struct vm_fault last;
};

static enum fault_action handler(struct cpu *cpu, const struct vm_fault *f, void *arg)
{
    struct hstate *h = arg;
    h->calls++;
    h->last = *f;
    if (h->mode == 0 && f->type == FAULT_PAGE) {
        vaddr_t page = VM_ALIGN_DOWN(f->addr, VM_PAGE_SIZE);
        ptb_map(&b, page, 0x1800000 + (page - VA), 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, 0);
        return FAULT_RETRY;
    }
    return h->mode == 2 ? FAULT_RETRY : FAULT_FAIL;
}

static void test_handler(void)
{
    setup(PT_ARCH_X86, "golden-cove");
    struct hstate h = {0};
    tm_activate(c, &b, 0);
    uint64_t v;
    ok(cpu_load(c, VA, 8, &v) == -1, "no handler: an unmapped load returns -1");
    const struct vm_fault *f = cpu_last_fault(c);
    ok(f->type == FAULT_PAGE && f->addr == VA && f->not_present && f->access == VM_ACCESS_READ &&
           f->priv == VM_PRIV_SUPERVISOR, "cpu_last_fault describes it");
    machine_set_fault_handler(m, handler, &h);
    cpu_set_priv(c, VM_PRIV_USER);
    ok(cpu_store(c, VA + 8, 8, 0xfeed) == 0, "handler maps the page and answers RETRY: store succeeds");
    is_u64(h.calls, 1, "handler called once");
    ok(h.last.type == FAULT_PAGE && h.last.addr == VA + 8 && h.last.error_code == (PF_W | PF_U) &&
           h.last.level == 3, "handler saw #PF W|U at the PML4 level (nothing mapped there)");
    is_u64(physmem_load(pm, 0x1800008, 8), 0xfeed, "the store went to the frame the handler mapped");
    ok(cpu_write(c, VA + 4096 - 4, "abcdefgh", 8) == 0 && h.calls == 2, "block across into an unmapped page: one more fault, handled");
    ok(cpu_load(c, VA + 4096 - 4, 8, &v) == 0 && !memcmp(&v, "abcdefgh", 8), "and it reads back");
    is_u64(tm_stat(c, CPU_STAT_PAGE_FAULTS), 3, "page-faults: 1 unhandled + 2 handled");
    h.mode = 1;
    ok(cpu_load(c, VA + 10 * 4096, 8, &v) == -1 && h.calls == 3, "handler answers FAIL: -1");
    ok(cpu_last_fault(c)->addr == VA + 10 * 4096 && cpu_last_fault(c)->priv == VM_PRIV_USER,
       "cpu_last_fault after FAIL");
    ok(cpu_load(c, 0x0000900000000000ull, 8, &v) == -1 && h.last.type == FAULT_GP &&
           h.last.error_code == 0 && cpu_last_fault(c)->type == FAULT_GP, "non-canonical: #GP to the handler");
    is_u64(tm_stat(c, CPU_STAT_GP_FAULTS), 1, "gp-faults");
    h.mode = 2;
    h.calls = 0;
    ok(cpu_load(c, VA + 11 * 4096, 8, &v) == -1, "a handler that retries without fixing: the access fails, no hang");
    ok(h.calls > 100, "(after %d retries)", h.calls);
    teardown();

    /* a mapping to physical addresses beyond memory: a bus error, no crash */
    setup(PT_ARCH_X86, "golden-cove");
    h = (struct hstate){0};
    machine_set_fault_handler(m, handler, &h);
    ptb_map(&b, VA, 0x1000000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    ptb_map(&b, VA + 4096, MEM + 0x100000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    tm_activate(c, &b, 0);
    paddr_t pa;
    ok(cpu_translate(c, VA + 4096 + 8, VM_ACCESS_READ, &pa) == 0 && pa == MEM + 0x100008,
       "translation to a PA beyond memory succeeds");
    ok(cpu_load(c, VA + 4096 + 8, 8, &v) == -1 && cpu_last_fault(c)->type == FAULT_BUS &&
           cpu_last_fault(c)->addr == VA + 4096 + 8, "load from it: -1, FAULT_BUS at the address");
    ok(cpu_load(c, VA + 4096 + 8, 8, &v) == -1, "again (never memoised)");
    physmem_store(pm, 0x1000ffc, 4, 0x12345678);
    ok(cpu_store(c, VA + 4092, 8, 0) == -1 && cpu_last_fault(c)->type == FAULT_BUS &&
           cpu_last_fault(c)->addr == VA + 4096, "store crossing into it: FAULT_BUS at the second page");
    is_u64(physmem_load(pm, 0x1000ffc, 4), 0x12345678, "nothing written on the first page");
    char big[8192];
    ok(cpu_read(c, VA, big, sizeof big) == -1 && cpu_last_fault(c)->type == FAULT_BUS, "block read: FAULT_BUS");
    is_u64(h.calls, 0, "the fault handler is not called for bus errors");
    teardown();

    /* paging off: physical = virtual; beyond memory: #GP */
    setup(PT_ARCH_X86, "golden-cove");
    physmem_store(pm, 0x5000, 8, 77);
    ok(cpu_format(c) == NULL, "x86 before the first CR3 write: paging off");
    ok(cpu_load(c, 0x5000, 8, &v) == 0 && v == 77, "paging off: loads physical memory");
    ok(cpu_load(c, MEM + 0x1000, 8, &v) == -1 && cpu_last_fault(c)->type == FAULT_GP,
       "paging off, beyond memory: #GP");
    teardown();
}

/* The memo (the last L1 hit) must follow every change of what is allowed. */
static void test_memo(void)
{
    setup(PT_ARCH_X86, "golden-cove");
    ptb_map(&b, VA, 0x1000000, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, 5ull << 59);   /* user RW, key 5 */
    ptb_map(&b, VA + 4096, 0x1001000, 0, VM_PROT_READ, 0);                      /* supervisor RO */
    tm_activate(c, &b, 0);
    uint64_t v;
    /* supervisor: SMAP off then on */
    ok(cpu_load(c, VA, 8, &v) == 0 && cpu_load(c, VA, 8, &v) == 0, "supervisor loads user page twice (memo)");
    cpu_write_cr4(c, X86_CR4_SMAP);
    ok(cpu_load(c, VA, 8, &v) == -1, "SMAP set: the next load faults");
    cpu_set_ac(c, true);
    ok(cpu_load(c, VA, 8, &v) == 0, "EFLAGS.AC=1: allowed again");
    cpu_set_ac(c, false);
    ok(cpu_store(c, VA, 8, 1) == -1, "AC=0: a store faults");
    cpu_write_cr4(c, 0);
    /* WP */
    ok(cpu_load(c, VA + 4096, 8, &v) == 0, "supervisor RO page: load");
    ok(cpu_store(c, VA + 4096, 8, 1) == -1, "WP=1: store faults");
    cpu_write_cr0(c, 0);
    ok(cpu_store(c, VA + 4096, 8, 1) == 0 && cpu_store(c, VA + 4096, 8, 2) == 0, "WP=0: stores allowed");
    cpu_write_cr0(c, X86_CR0_WP);
    ok(cpu_store(c, VA + 4096, 8, 3) == -1, "WP=1 again: the memo does not keep the old answer");
    /* privilege */
    ok(cpu_load(c, VA + 4096, 8, &v) == 0, "supervisor load");
    cpu_set_priv(c, VM_PRIV_USER);
    ok(cpu_load(c, VA + 4096, 8, &v) == -1, "user: the same load faults");
    ok(cpu_store(c, VA, 8, 9) == 0 && cpu_store(c, VA, 8, 10) == 0, "user stores to the user page");
    /* protection keys */
    cpu_write_cr4(c, X86_CR4_PKE);
    cpu_write_pkru(c, 2u << 10);
    ok(cpu_load(c, VA, 8, &v) == 0 && v == 10, "PKRU WD for key 5: loads fine");
    ok(cpu_store(c, VA, 8, 11) == -1 && (cpu_last_fault(c)->error_code & PF_PK), "PKRU WD: store faults with PK");
    cpu_write_pkru(c, 0);
    ok(cpu_store(c, VA, 8, 12) == 0, "PKRU cleared: store allowed");
    cpu_write_pkru(c, 1u << 10);
    ok(cpu_load(c, VA, 8, &v) == -1, "PKRU AD: load faults");
    teardown();

    /* RISC-V: SUM and MXR */
    setup(PT_ARCH_RISCV, "zen4");
    ptb_map(&b, VA, 0x1000000, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, 0);
    ptb_map(&b, VA + 4096, 0x1001000, 0, VM_PROT_EXEC, 0);
    tm_activate(c, &b, 3);
    cpu_set_sum(c, true);
    ok(cpu_load(c, VA, 8, &v) == 0 && cpu_store(c, VA, 8, 1) == 0, "S-mode with SUM: user page loads and stores");
    cpu_set_sum(c, false);
    ok(cpu_load(c, VA, 8, &v) == -1 && cpu_last_fault(c)->cause == 13, "SUM cleared: load page fault");
    ok(cpu_store(c, VA, 8, 1) == -1 && cpu_last_fault(c)->cause == 15, "SUM cleared: store page fault");
    ok(cpu_load(c, VA + 4096, 8, &v) == -1, "X-only page: load faults");
    cpu_set_mxr(c, true);
    ok(cpu_load(c, VA + 4096, 8, &v) == 0, "MXR: load allowed");
    cpu_set_mxr(c, false);
    ok(cpu_load(c, VA + 4096, 8, &v) == -1, "MXR cleared: load faults again");
    /* Svade on the CPU */
    ptb_map(&b, VA + 2 * 4096, 0x1002000, 0, VM_PROT_READ | VM_PROT_WRITE, 0);
    cpu_set_adue(c, false);
    ok(cpu_load(c, VA + 2 * 4096, 8, &v) == -1 && cpu_last_fault(c)->cause == 13, "Svade: A=0 load faults");
    cpu_set_adue(c, true);
    ok(cpu_load(c, VA + 2 * 4096, 8, &v) == 0, "Svadu: the walker sets A");
    teardown();
}

/* An access to an address the format cannot translate faults before any
 * TLB lookup or walk: it counts as an access and a #GP (x86) or a page
 * fault (RISC-V), and no walk, walk reference, A/D update, restart or TLB
 * miss. (A walk that failed on a non-canonical address once counted a
 * walk that never happened and added uninitialised walk-mem-refs,
 * walk-ad-updates and walk-restarts.) */
static void test_noncanonical_counts(enum pt_arch arch)
{
    setup(arch, arch == PT_ARCH_X86 ? "golden-cove" : "zen4");
    map8(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC);
    tm_activate(c, &b, 1);
    uint64_t v;
    cpu_load(c, VA, 8, &v);                         /* warm: the tables and the PWCs exist */
    static const vaddr_t bad[] = {0x0000800000000000ull, 0x8000000000000000ull, 0x0000900000001000ull};
    static const enum cpu_stat unchanged[] = {
        CPU_STAT_WALKS, CPU_STAT_WALK_REFS, CPU_STAT_WALK_AD_UPDATES, CPU_STAT_WALK_RESTARTS,
        CPU_STAT_PWC_HITS, CPU_STAT_PWC_MISSES, CPU_STAT_DTLB_LOAD_MISSES, CPU_STAT_DTLB_STORE_MISSES,
        CPU_STAT_ITLB_LOAD_MISSES, CPU_STAT_DTLB_L1_MISSES, CPU_STAT_ITLB_L1_MISSES, CPU_STAT_STLB_HITS,
    };
    struct cpu_stats before, after;
    cpu_stats(c, &before);
    unsigned n = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n += cpu_load(c, bad[i], 8, &v) == -1;
        n += cpu_store(c, bad[i], 4, 1) == -1;
        n += cpu_fetch(c, bad[i], 2, &v) == -1;
        n += cpu_touch(c, bad[i], 1, VM_ACCESS_READ) == -1;
    }
    cpu_stats(c, &after);
    is_u64(n, 12, "%s: every non-canonical access fails", arch == PT_ARCH_X86 ? "x86" : "riscv");
    bool same = true;
    for (size_t i = 0; i < sizeof unchanged / sizeof unchanged[0]; i++)
        if (after.v[unchanged[i]] != before.v[unchanged[i]]) {
            same = false;
            tap_diag("%s changed by %llu", cpu_stat_names[unchanged[i]],
                     (unsigned long long)(after.v[unchanged[i]] - before.v[unchanged[i]]));
        }
    ok(same, "%s: no walk, walk reference, A/D update, restart, PWC probe or TLB miss counted",
       arch == PT_ARCH_X86 ? "x86" : "riscv");
    enum cpu_stat fault = arch == PT_ARCH_X86 ? CPU_STAT_GP_FAULTS : CPU_STAT_PAGE_FAULTS;
    is_u64(after.v[fault] - before.v[fault], 12, "%s: 12 faults counted",
           arch == PT_ARCH_X86 ? "x86: #GP" : "riscv: page");
    is_u64(after.v[CPU_STAT_ACCESSES] - before.v[CPU_STAT_ACCESSES], 12, "and 12 accesses");
    ok(cpu_load(c, VA + 8, 8, &v) == 0, "a canonical access still works");
    teardown();
}

int main(void)
{
    test_noncanonical_counts(PT_ARCH_X86);
    test_noncanonical_counts(PT_ARCH_RISCV);
    test_round_trip(PT_ARCH_X86);
    test_round_trip(PT_ARCH_RISCV);
    test_crossing();
    test_handler();
    test_memo();
    return tap_done();
}
