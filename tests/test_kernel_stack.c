/* test_kernel_stack.c — stack growth under both rules: accept, reject, the
 * cap, faults at exactly rsp-8, kernel-mode faults using the saved rsp, the
 * rsp read from a register (kernel_set_rsp_source) with RISC-V's slack. */
#include "ktest.h"

#define TOP KERNEL_USER_STACK

static struct kt make(enum stack_rule rule, uint64_t cap)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 512;
    kc.swap_bytes = 64 * 4096;
    kc.stack_rule = rule;
    kc.stack_cap = cap;
    return kt_make_cfg(PT_ARCH_X86, 1, &kc);
}

/* One access in a fresh process; returns the kill reason (KILL_NONE: ok). */
static enum kill_reason try_access(struct kt *t, vaddr_t rsp, vaddr_t addr, enum vm_access acc,
                                   enum vm_priv priv, int *growths)
{
    struct cpu *cpu = machine_cpu(t->m, 0);
    struct process *p = kernel_process_create(t->k, "stk");
    kernel_map_stack(p);
    kernel_switch_to(cpu, p);
    kernel_set_rsp(p, rsp);
    cpu_set_priv(cpu, priv);
    int rc = cpu_touch(cpu, addr, 8, acc);
    cpu_set_priv(cpu, VM_PRIV_USER);
    enum kill_reason r = kernel_process_kill_reason(p);
    if ((rc == 0) != (r == KILL_NONE))
        ok(0, "access result %d disagrees with kill reason %s", rc, kill_reason_names[r]);
    if (growths)
        *growths = (int)kt_pstat(p, VMSTAT_STACK_GROWTH);
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    return r;
}

#define ACCEPT(t, rsp, addr, what) \
    is_str(kill_reason_names[try_access(t, rsp, addr, VM_ACCESS_WRITE, VM_PRIV_USER, NULL)], "none", what)
#define REJECT(t, rsp, addr, why, what)                                                            \
    is_str(kill_reason_names[try_access(t, rsp, addr, VM_ACCESS_WRITE, VM_PRIV_USER, NULL)],       \
           kill_reason_names[why], what)

static void pintos_rule(void)
{
    struct kt t = make(STACK_RULE_PINTOS, 0);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    vaddr_t rsp = TOP - 0x3000;   /* three pages below the top: beyond the first page */
    ACCEPT(&t, TOP, TOP - 8, "PUSH at the top page (mapped VMA)");
    ACCEPT(&t, rsp, rsp, "access at rsp grows the stack");
    ACCEPT(&t, rsp, rsp - 8, "access at exactly rsp-8 (PUSH) grows");
    ACCEPT(&t, rsp, rsp - 4, "access between rsp-8 and rsp grows");
    REJECT(&t, rsp, rsp - 9, KILL_SEGV_UNMAPPED, "rsp-9 is not a stack access");
    REJECT(&t, rsp, rsp - 32, KILL_SEGV_UNMAPPED, "rsp-32 (pt-grow-bad) killed");
    ACCEPT(&t, rsp - 0x1000, rsp + 0x100, "above rsp, below the old bottom: grows");
    /* pt-big-stk-obj: a 64 KiB object on the stack */
    ACCEPT(&t, TOP - 0x10000, TOP - 0x10000, "rsp 64 KiB down: grows");
    /* the cap: 1 MiB */
    ACCEPT(&t, TOP - (1 << 20), TOP - (1 << 20), "exactly at the 1 MiB cap: grows");
    REJECT(&t, TOP - (1 << 20) - 8, TOP - (1 << 20) - 8, KILL_STACK_OVERFLOW,
           "below the 1 MiB cap: stack overflow");
    /* the precedence bug USER_STACK - 1<<20 computed as (USER_STACK-1)<<20 would accept this */
    REJECT(&t, 0x1000, 0x1000, KILL_STACK_OVERFLOW, "far below the stack, even at rsp: overflow");
    /* kernel-mode fault (system call buffer on the stack): uses the saved rsp */
    is_str(kill_reason_names[try_access(&t, rsp, rsp - 8, VM_ACCESS_WRITE, VM_PRIV_SUPERVISOR, NULL)],
           "none", "kernel-mode fault at saved rsp-8 grows (pt-grow-stk-sc)");
    is_str(kill_reason_names[try_access(&t, rsp, rsp - 64, VM_ACCESS_READ, VM_PRIV_SUPERVISOR, NULL)],
           "segv-unmapped", "kernel-mode fault below saved rsp-8 kills");
    int g = 0;
    try_access(&t, TOP - 0x8000, TOP - 0x8000, VM_ACCESS_WRITE, VM_PRIV_USER, &g);
    is_i64(g, 1, "growth counted once");

    /* data on a grown stack survives eviction */
    {
        struct process *p = kernel_process_create(t.k, "deep");
        kernel_map_stack(p);
        kernel_switch_to(cpu, p);
        bool good = true;
        for (vaddr_t a = TOP - 8; a >= TOP - 0x80000; a -= 0x800) {
            kernel_set_rsp(p, a + 8);
            good &= cpu_store(cpu, a, 8, a) == 0;   /* PUSH */
        }
        for (vaddr_t a = TOP - 8; a >= TOP - 0x80000; a -= 0x800) {
            uint64_t v;
            good &= cpu_load(cpu, a, 8, &v) == 0 && v == a;
        }
        ok(good, "512 KiB of pushes read back");
        kernel_switch_to(cpu, NULL);
        kernel_process_exit(p, cpu);
    }
    kt_no_leaks(t.k, "pintos stack");
    cpu_detach(cpu);
    kt_free(&t);

    /* a configured cap */
    t = make(STACK_RULE_PINTOS, 64 << 10);
    cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    ACCEPT(&t, TOP - (64 << 10), TOP - (64 << 10), "cap 64 KiB: at the cap grows");
    REJECT(&t, TOP - (64 << 10) - 8, TOP - (64 << 10) - 8, KILL_STACK_OVERFLOW, "cap 64 KiB: below overflows");
    cpu_detach(cpu);
    kt_free(&t);
}

static void linux_rule(void)
{
    struct kt t = make(STACK_RULE_LINUX, 8 << 20);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    /* no rsp test: any address below the stack within the cap */
    ACCEPT(&t, TOP, TOP - 0x100000, "1 MiB below the top, rsp far above: grows (no rsp test)");
    ACCEPT(&t, TOP, TOP - (8 << 20), "at the 8 MiB cap: grows");
    REJECT(&t, TOP, TOP - (8 << 20) - 4096, KILL_STACK_OVERFLOW, "beyond the cap: overflow");
    /* guard gap: a mapping just below the stack */
    {
        struct process *p = kernel_process_create(t.k, "gap");
        kernel_map_stack(p);
        vaddr_t below = TOP - (2 << 20);   /* mapping ends 2 MiB below the top */
        is_i64(kernel_map_anon(p, below - 0x10000, 0x10000, VM_PROT_READ | VM_PROT_WRITE, 0), 0,
               "map a region below the stack");
        kernel_switch_to(cpu, p);
        is_i64(cpu_touch(cpu, below + (1 << 20), 8, VM_ACCESS_WRITE), 0,
               "growth leaving exactly the 1 MiB gap: ok");
        is_i64(cpu_touch(cpu, below + (1 << 20) - 4096, 8, VM_ACCESS_WRITE), -1,
               "growth into the guard gap: killed");
        is_str(kill_reason_names[kernel_process_kill_reason(p)], "segv-unmapped", "reason: segv-unmapped");
        kernel_switch_to(cpu, NULL);
        kernel_process_exit(p, cpu);
    }
    kt_no_leaks(t.k, "linux stack");
    cpu_detach(cpu);
    kt_free(&t);
}

/* The stack pointer read from where it lives (a hart's sp), with the slack
 * of 32 a RISC-V front end sets: each fault compares with the register's
 * value at that moment, no kernel_set_rsp needed. */
static void rsp_source(void)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 64;
    kc.swap_bytes = 16 * 4096;
    kc.stack_slack = 32;
    struct kt t = kt_make_cfg(PT_ARCH_RISCV, 1, &kc);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "src");
    kernel_map_stack(p);
    kernel_switch_to(cpu, p);
    kernel_set_rsp(p, TOP);   /* what the rule would use without the source */
    uint64_t sp = TOP - 0x3000;
    kernel_set_rsp_source(p, &sp);
    is_i64(cpu_touch(cpu, sp - 32, 1, VM_ACCESS_WRITE), 0, "source: a store at sp-32 grows");
    sp = TOP - 0x6000;   /* the register moved: nobody told the kernel */
    is_i64(cpu_touch(cpu, sp - 32, 1, VM_ACCESS_WRITE), 0, "source: followed to the new sp");
    struct process *c = NULL;
    is_i64(kernel_process_fork(p, "child", cpu, &c), 0, "fork");
    sp = TOP - 0x9000;
    is_i64(cpu_touch(cpu, sp - 33, 1, VM_ACCESS_WRITE), -1, "source: sp-33 is not a stack access");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "segv-unmapped", "killed segv-unmapped");
    kernel_switch_to(cpu, c);
    /* the child has no source: the parent's sp at fork (TOP - 0x6000) */
    is_i64(cpu_touch(cpu, TOP - 0x6000 - 32, 1, VM_ACCESS_WRITE), 0,
           "child: the parent's sp at fork, as its own");
    is_i64(cpu_touch(cpu, TOP - 0x9000, 1, VM_ACCESS_WRITE), -1,
           "child: the parent's later sp means nothing to it");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(c, cpu);
    kernel_process_exit(p, cpu);

    p = kernel_process_create(t.k, "back");
    kernel_map_stack(p);
    kernel_switch_to(cpu, p);
    kernel_set_rsp_source(p, &sp);
    kernel_set_rsp_source(p, NULL);
    kernel_set_rsp(p, TOP - 0x2000);
    is_i64(cpu_touch(cpu, sp - 8, 1, VM_ACCESS_WRITE), -1, "no source: the set value again");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "rsp source");
    cpu_detach(cpu);
    kt_free(&t);
}

int main(void)
{
    pintos_rule();
    linux_rule();
    rsp_source();
    return tap_done();
}
