/* test_isa_fetch.c — when an instruction fetch performs a TLB lookup
 * (docs/isa.md, "Fetch"), and what the decoded-instruction cache does when
 * code changes: self-modifying code, a code page evicted and faulted back
 * into another frame, a frame reused for other code. */
#include "lib/rvkit.h"
#include "lib/tap.h"

enum { A0 = 10, A1 = 11, A2 = 12, T0 = 5, T1 = 6 };

static uint64_t stat(struct rvk *k, enum cpu_stat s)
{
    struct cpu_stats st;
    cpu_stats(k->cpu, &st);
    return st.v[s];
}

/* Run from `at` until a trap; the iTLB lookups it made. */
static uint64_t lookups(struct rvk *k, uint64_t at, uint64_t quantum)
{
    uint64_t before = stat(k, CPU_STAT_ITLB_LOADS);
    k->h.pc = at;
    while ((k->stop = rv_run(&k->h, k->cpu, quantum, &k->t)) == RV_STOP_BUDGET)
        ;
    return stat(k, CPU_STAT_ITLB_LOADS) - before;
}

static void lookup_rules(struct rvk *k)
{
    /* a loop of 1000 iterations on one page */
    uint32_t loop[] = {ADDI(A0, 0, 0), ADDI(A1, 0, 1000), ADDI(A0, A0, 1), BNE(A0, A1, -4), EBREAK()};
    rvk_poke(k, RVK_CODE, loop, sizeof loop);
    is_u64(lookups(k, RVK_CODE, 1u << 20), 1, "a loop on one page: one lookup (after the last trap)");
    ok(k->t.cause == RV_EXC_BREAKPOINT && k->h.x[A0] == 1000, "... and it ran");
    is_u64(lookups(k, RVK_CODE, 1), 1, "the same in quanta of one instruction: stopping for the budget keeps the page");
    uint64_t before = stat(k, CPU_STAT_ITLB_LOADS);
    k->h.pc = RVK_CODE;
    unsigned interrupts = 0;
    while (rv_run(&k->h, k->cpu, 100, &k->t) == RV_STOP_BUDGET) {
        rv_interrupt(&k->h);
        interrupts++;
    }
    is_u64(stat(k, CPU_STAT_ITLB_LOADS) - before, 1 + interrupts,
           "an interrupt after each quantum of 100: one lookup per interrupt (%u) more", interrupts);

    /* jumping between two pages */
    uint32_t p1[] = {ADDI(A0, 0, 5), LUI(T0, (RVK_CODE + VM_PAGE_SIZE) >> 12), JALR(0, T0, 0)};
    uint32_t p2[] = {ADDI(A0, A0, -1), LUI(T1, RVK_CODE >> 12), BEQ(A0, 0, 12), JALR(0, T1, 12), 0, EBREAK()};
    /* p1 at RVK_CODE: a0 = 5, go to page 2; page 2: a0--, if 0 stop, else back to p1+12 (the jump) */
    uint32_t back[] = {ADDI(A0, 0, 5), LUI(T0, (RVK_CODE + VM_PAGE_SIZE) >> 12), JALR(0, T0, 0), JALR(0, T0, 0)};
    (void)p1;
    rvk_poke(k, RVK_CODE, back, sizeof back);
    p2[4] = ADDI(0, 0, 0);
    rvk_poke(k, RVK_CODE + VM_PAGE_SIZE, p2, sizeof p2);
    /* a0 5: page1 -> page2 (4) -> page1+12 -> page2 (3) ... -> page2 (0) -> ebreak */
    is_u64(lookups(k, RVK_CODE, 1u << 20), 1 + 2 * 4 + 1,
           "each change of page is one lookup (1 + 5 visits to page 2 + 4 returns)");

    /* an instruction crossing into the next page */
    uint32_t cross = ADDI(A0, 0, 77);
    uint16_t halves[2] = {(uint16_t)cross, (uint16_t)(cross >> 16)};
    uint32_t tail[] = {ADDI(A1, A0, 1), EBREAK()};
    rvk_poke(k, RVK_CODE + VM_PAGE_SIZE - 2, &halves[0], 2);
    rvk_poke(k, RVK_CODE + VM_PAGE_SIZE, &halves[1], 2);
    rvk_poke(k, RVK_CODE + VM_PAGE_SIZE + 2, tail, sizeof tail);
    is_u64(lookups(k, RVK_CODE + VM_PAGE_SIZE - 2, 1u << 20), 2,
           "an instruction across a page boundary looks up both pages; the next ones are on the second");
    ok(k->h.x[A0] == 77 && k->h.x[A1] == 78, "... and it executed (a0 %llu)", (unsigned long long)k->h.x[A0]);
    uint16_t cnop = 0x0001;
    rvk_poke(k, RVK_CODE + VM_PAGE_SIZE - 2, &cnop, 2);
    uint32_t t2[] = {EBREAK()};
    rvk_poke(k, RVK_CODE + VM_PAGE_SIZE, t2, 4);
    is_u64(lookups(k, RVK_CODE + VM_PAGE_SIZE - 2, 1u << 20), 2,
           "a compressed instruction in the page's last halfword, then the next page: two lookups");

    /* a flush in between: SFENCE.VMA and a satp write */
    rvk_poke(k, RVK_CODE, loop, sizeof loop);
    before = stat(k, CPU_STAT_ITLB_LOADS);
    k->h.pc = RVK_CODE;
    rv_run(&k->h, k->cpu, 10, &k->t);
    cpu_sfence_vma(k->cpu, false, 0, false, 0);
    rv_run(&k->h, k->cpu, 10, &k->t);
    kernel_switch_to(k->cpu, NULL);
    kernel_switch_to(k->cpu, k->p);
    while (rv_run(&k->h, k->cpu, 1u << 20, &k->t) == RV_STOP_BUDGET)
        ;
    is_u64(stat(k, CPU_STAT_ITLB_LOADS) - before, 3, "after SFENCE.VMA and after a satp write the fetch looks up again");
    /* another hart on the CPU */
    struct rv_hart other;
    rv_hart_init(&other, k->s, RVK_CODE);
    before = stat(k, CPU_STAT_ITLB_LOADS);
    k->h.pc = RVK_CODE;
    rv_run(&k->h, k->cpu, 10, &k->t);
    rv_run(&other, k->cpu, 10, &k->t);
    rv_run(&k->h, k->cpu, 10, &k->t);
    is_u64(stat(k, CPU_STAT_ITLB_LOADS) - before, 3, "a hart switch on the CPU makes each look up again");
    /* misses: the first lookup of a freshly mapped page walks */
    kernel_map_anon(k->p, RVK_CODE + 16 * VM_PAGE_SIZE, VM_PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    rvk_poke(k, RVK_CODE + 16 * VM_PAGE_SIZE, loop, sizeof loop);
    /* (the copy-out's walk filled the unified L2: the fetch hits there) */
    uint64_t miss0 = stat(k, CPU_STAT_ITLB_L1_MISSES), stlb0 = stat(k, CPU_STAT_STLB_HITS);
    lookups(k, RVK_CODE + 16 * VM_PAGE_SIZE, 1u << 20);
    uint64_t miss1 = stat(k, CPU_STAT_ITLB_L1_MISSES);
    ok(miss1 - miss0 == 1 && stat(k, CPU_STAT_STLB_HITS) - stlb0 == 1,
       "the first fetch from a new page misses the L1 ITLB and hits the L2");
    lookups(k, RVK_CODE + 16 * VM_PAGE_SIZE, 1u << 20);
    ok(stat(k, CPU_STAT_ITLB_L1_MISSES) == miss1, "the next one hits the L1 ITLB");
}

static void self_modifying(struct rvk *k)
{
    /* t0 = the slot's address; store a new instruction there; fence.i; run it */
    uint32_t newi = ADDI(A0, 0, 42);
    uint32_t prog[] = {
        AUIPC(T0, 0),          /* t0 = RVK_CODE */
        ADDI(T0, T0, 7 * 4),   /* the slot */
        SW(A1, T0, 0),         /* write the new instruction (in a1) */
        FENCE_I(),
        ADDI(A0, 0, 0),
        JAL(0, 8),             /* skip the ebreak below */
        EBREAK(),
        ADDI(A0, 0, 1),        /* the slot: replaced */
        EBREAK(),
    };
    rvk_poke(k, RVK_CODE, prog, sizeof prog);
    struct rv_stats s0, s1;
    rv_sys_stats(k->s, &s0);
    k->h.x[A1] = ADDI(A0, 0, 1);
    lookups(k, RVK_CODE, 1u << 20);
    ok(k->h.x[A0] == 1, "the slot runs as first written");
    k->h.x[A1] = newi;
    lookups(k, RVK_CODE, 1u << 20);
    ok(k->h.x[A0] == 42, "store + fence.i + execute runs the new instruction (a0 %llu)",
       (unsigned long long)k->h.x[A0]);
    rv_sys_stats(k->s, &s1);
    ok(s1.stale_decodes > s0.stale_decodes, "the cached decoding was found stale (%llu)",
       (unsigned long long)(s1.stale_decodes - s0.stale_decodes));
    /* the loop body rewritten by the guest while it runs, without fence.i:
     * the next execution sees the new bytes (vmlab always does) */
    uint32_t body[] = {
        AUIPC(T0, 0),
        ADDI(A0, 0, 0),
        ADDI(A2, 0, 3),
        ADDI(A0, A0, 1),       /* +12: rewritten to addi a0, a0, 100 in the first pass */
        SW(A1, T0, 12),
        ADDI(A2, A2, -1),
        BNE(A2, 0, -12),
        EBREAK(),
    };
    rvk_poke(k, RVK_CODE, body, sizeof body);
    k->h.x[A1] = ADDI(A0, A0, 100);
    lookups(k, RVK_CODE, 1u << 20);
    ok(k->h.x[A0] == 201, "code rewritten in a loop takes effect at its next execution (a0 %llu)",
       (unsigned long long)k->h.x[A0]);
}

/* A code page evicted (under memory pressure) and faulted back into
 * another frame, and a frame reused for different code. */
static void eviction_and_reuse(void)
{
    struct rvk k;
    char err[256];
    memset(&k, 0, sizeof k);
    k.m = tm_machine(PT_ARCH_RISCV, 1, 64ull << 20, "zen4");
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.format = PT_SV39;
    kc.user_frames = 8;
    kc.swap_bytes = 256 * 4096;
    kc.policy = "fifo";
    k.k = kernel_create(k.m, &kc, err, sizeof err);
    k.s = rv_sys_create(k.m, NULL, err, sizeof err);
    k.p = kernel_process_create(k.k, "evict");
    kernel_map_anon(k.p, RVK_CODE, VM_PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    kernel_map_anon(k.p, RVK_DATA, 64 * VM_PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE, 0);
    k.cpu = machine_cpu(k.m, 0);
    cpu_attach(k.cpu);
    kernel_switch_to(k.cpu, k.p);
    rv_hart_init(&k.h, k.s, RVK_CODE);
    uint32_t prog[] = {ADDI(A0, 0, 0), ADDI(A1, 0, 10), ADDI(A0, A0, 3), ADDI(A1, A1, -1), BNE(A1, 0, -8), EBREAK()};
    rvk_poke(&k, RVK_CODE, prog, sizeof prog);
    lookups(&k, RVK_CODE, 1u << 20);
    struct page_info pi0, pi1, pi2;
    kernel_page_info(k.p, RVK_CODE, &pi0);
    ok(k.h.x[A0] == 30 && pi0.where == PAGE_RESIDENT, "the code runs from frame 0x%llx", (unsigned long long)pi0.frame);
    /* touch 64 data pages through 8 frames: the code page is evicted */
    for (unsigned i = 0; i < 64; i++) {
        uint64_t v = i;
        rvk_poke(&k, RVK_DATA + i * VM_PAGE_SIZE, &v, 8);
    }
    kernel_page_info(k.p, RVK_CODE, &pi1);
    ok(pi1.where == PAGE_SWAPPED, "the code page was evicted to swap (where %d)", (int)pi1.where);
    /* the old frame holds data now, so the code comes back elsewhere */
    uint64_t pf0 = stat(&k, CPU_STAT_PAGE_FAULTS);
    k.h.x[A0] = 0;
    lookups(&k, RVK_CODE, 1u << 20);
    kernel_page_info(k.p, RVK_CODE, &pi2);
    ok(stat(&k, CPU_STAT_PAGE_FAULTS) == pf0 + 1 && k.t.cause == RV_EXC_BREAKPOINT && k.h.x[A0] == 30,
       "after the fetch page fault swaps it in, the code runs again (a0 %llu)", (unsigned long long)k.h.x[A0]);
    ok(pi2.where == PAGE_RESIDENT && pi2.frame != pi0.frame,
       "... from another frame (0x%llx, was 0x%llx)", (unsigned long long)pi2.frame, (unsigned long long)pi0.frame);
    kernel_switch_to(k.cpu, NULL);
    kernel_process_exit(k.p, NULL);

    /* frame reuse: a second process gets the frames back; its code at the
     * same offsets of a frame that held the first one's */
    struct rv_stats s0, s1;
    rv_sys_stats(k.s, &s0);
    struct process *q = kernel_process_create(k.k, "reuse");
    kernel_map_anon(q, RVK_CODE, VM_PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0);
    kernel_switch_to(k.cpu, q);
    k.p = q;
    uint32_t prog2[] = {ADDI(A0, 0, 0), ADDI(A1, 0, 10), ADDI(A0, A0, 5), ADDI(A1, A1, -1), BNE(A1, 0, -8), EBREAK()};
    rvk_poke(&k, RVK_CODE, prog2, sizeof prog2);
    struct page_info pq;
    kernel_page_info(q, RVK_CODE, &pq);
    rv_hart_init(&k.h, k.s, RVK_CODE);
    lookups(&k, RVK_CODE, 1u << 20);
    rv_sys_stats(k.s, &s1);
    ok(k.h.x[A0] == 50, "the new process's code runs (a0 %llu) from frame 0x%llx", (unsigned long long)k.h.x[A0],
       (unsigned long long)pq.frame);
    ok((pq.frame == pi0.frame || pq.frame == pi2.frame) && s1.stale_decodes > s0.stale_decodes,
       "in the reused frame the old process's decoding is found stale (%llu)",
       (unsigned long long)(s1.stale_decodes - s0.stale_decodes));
    rvk_close(&k);
}

/* Faults the kernel refuses stop the run with the right trap. */
static void refused(void)
{
    struct rvk k;
    rvk_open(&k, 1);
    uint32_t jump[] = {LUI(T0, 0x7000), JALR(0, T0, 0x10)};
    rvk_exec(&k, RVK_CODE, jump, sizeof jump, 100);
    ok(k.stop == RV_STOP_TRAP && k.t.cause == RV_EXC_FETCH_PAGE_FAULT && k.t.pc == 0x7000010 &&
           k.t.tval == 0x7000010 && kernel_process_kill_reason(k.p) == KILL_SEGV_UNMAPPED,
       "a jump to an unmapped address: instruction page fault at it, the kernel kills (%s)",
       kernel_process_kill_message(k.p));
    rvk_close(&k);

    rvk_open(&k, 1);
    uint32_t nx[] = {LUI(T0, RVK_DATA >> 12), JALR(0, T0, 0)};
    rvk_exec(&k, RVK_CODE, nx, sizeof nx, 100);
    ok(k.stop == RV_STOP_TRAP && k.t.cause == RV_EXC_FETCH_PAGE_FAULT && k.t.tval == RVK_DATA &&
           kernel_process_kill_reason(k.p) == KILL_SEGV_EXEC_NX,
       "a jump into a data page: instruction page fault, killed (%s)", kernel_process_kill_message(k.p));
    rvk_close(&k);

    rvk_open(&k, 1);
    kernel_map_anon(k.p, RVK_CODE + 8 * VM_PAGE_SIZE, VM_PAGE_SIZE, VM_PROT_READ | VM_PROT_EXEC, 0);
    uint32_t ro[] = {LUI(T0, (RVK_CODE + 8 * VM_PAGE_SIZE) >> 12), LW(A0, T0, 0), SW(A0, T0, 4)};
    rvk_exec(&k, RVK_CODE, ro, sizeof ro, 100);
    ok(k.stop == RV_STOP_TRAP && k.t.cause == RV_EXC_STORE_PAGE_FAULT && k.t.pc == RVK_CODE + 8 &&
           k.t.tval == RVK_CODE + 8 * VM_PAGE_SIZE + 4 && kernel_process_kill_reason(k.p) == KILL_SEGV_WRITE_RO,
       "a store to a read-only code page: store page fault, segv-write-ro (%s)", kernel_process_kill_message(k.p));
    ok(k.t.fault.type == FAULT_PAGE && k.t.fault.access == VM_ACCESS_WRITE && k.t.fault.cause == 15,
       "the trap carries the machine's fault");
    rvk_close(&k);
}

/* A shootdown from another CPU of the page held: the fetch looks up again. */
static void shootdown(void)
{
    struct rvk k;
    rvk_open(&k, 2);
    struct cpu *other = machine_cpu(k.m, 1);
    cpu_attach(other);
    uint32_t loop[] = {ADDI(A0, 0, 0), ADDI(A1, 0, 1000), ADDI(A0, A0, 1), BNE(A0, A1, -4), EBREAK()};
    rvk_poke(&k, RVK_CODE, loop, sizeof loop);
    uint64_t before = stat(&k, CPU_STAT_ITLB_LOADS);
    k.h.pc = RVK_CODE;
    rv_run(&k.h, k.cpu, 50, &k.t);
    machine_shootdown(k.m, other, 1u << 0, cpu_asid(k.cpu), RVK_CODE, RVK_CODE + VM_PAGE_SIZE);
    while (rv_run(&k.h, k.cpu, 1u << 20, &k.t) == RV_STOP_BUDGET)
        ;
    is_u64(stat(&k, CPU_STAT_ITLB_LOADS) - before, 2, "after another CPU's shootdown of the page held, one lookup more");
    ok(k.h.x[A0] == 1000, "... and the loop finished");
    cpu_detach(other);
    rvk_close(&k);
}

int main(void)
{
    shootdown();
    struct rvk k;
    rvk_open(&k, 1);
    lookup_rules(&k);
    self_modifying(&k);
    rvk_close(&k);
    eviction_and_reuse();
    refused();
    return tap_done();
}
