/* rvkit.h — run hand-encoded instruction snippets on a RISC-V hart, for
 * the known-answer tests (header-only).
 *
 * One machine (Sv39), kernel and process: an RWX code page at RVK_CODE, a
 * data region at RVK_DATA (4 pages), a stack. rvk_run() writes the snippet
 * (32-bit words, or halfwords with rvk_run16) followed by an ebreak into
 * the code page through kernel_copy_out -- so every snippet also rewrites
 * a page the CPU executed before, and the decoded-instruction cache must
 * notice -- and runs the hart from its start until the ebreak or another
 * trap. Registers are set before and read after through k->h.
 */
#ifndef VMLAB_TESTS_RVKIT_H
#define VMLAB_TESTS_RVKIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/isa.h>
#include <vmlab/kernel.h>

#include "lib/ptbuild.h"
#include "lib/rvasm.h"

#define RVK_CODE 0x10000000ull
#define RVK_DATA 0x20000000ull

struct rvk {
    struct machine *m;
    struct kernel *k;
    struct rv_sys *s;
    struct process *p;
    struct cpu *cpu;
    struct rv_hart h;
    struct rv_trap t;
    enum rv_stop stop;
};

static inline void rvk_open(struct rvk *k, unsigned ncpus)
{
    char err[256];
    memset(k, 0, sizeof *k);
    k->m = tm_machine(PT_ARCH_RISCV, ncpus, 64ull << 20, "zen4");
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.format = PT_SV39;
    kc.stack_rule = STACK_RULE_LINUX;
    k->k = kernel_create(k->m, &kc, err, sizeof err);
    k->s = k->k ? rv_sys_create(k->m, NULL, err, sizeof err) : NULL;
    k->p = k->s ? kernel_process_create(k->k, "rvk") : NULL;
    if (!k->p || kernel_map_anon(k->p, RVK_CODE, 2 * VM_PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC, 0) ||
        kernel_map_anon(k->p, RVK_DATA, 4 * VM_PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE, 0) ||
        kernel_map_stack(k->p)) {
        fprintf(stderr, "rvk_open: %s\n", err);
        exit(1);
    }
    k->cpu = machine_cpu(k->m, 0);
    cpu_attach(k->cpu);
    kernel_switch_to(k->cpu, k->p);
    rv_hart_init(&k->h, k->s, RVK_CODE);
}

static inline void rvk_close(struct rvk *k)
{
    kernel_switch_to(k->cpu, NULL);
    cpu_detach(k->cpu);
    kernel_process_exit(k->p, NULL);
    rv_sys_destroy(k->s);
    kernel_destroy(k->k);
    machine_destroy(k->m);
}

/* Write `len` bytes of code at `at` (inside the code pages) and run from
 * there until a trap (or max instructions). */
static inline enum rv_stop rvk_exec(struct rvk *k, uint64_t at, const void *code, size_t len, uint64_t max)
{
    if (kernel_copy_out(k->cpu, at, code, len)) {
        fprintf(stderr, "rvk_exec: copy_out failed\n");
        exit(1);
    }
    k->h.pc = at;
    k->stop = rv_run(&k->h, k->cpu, max, &k->t);
    return k->stop;
}

/* Run n 32-bit instructions followed by ebreak from RVK_CODE; true if the
 * run ended at that ebreak. */
static inline bool rvk_run(struct rvk *k, const uint32_t *insn, size_t n)
{
    uint32_t buf[64];
    memcpy(buf, insn, n * 4);
    buf[n] = EBREAK();
    rvk_exec(k, RVK_CODE, buf, (n + 1) * 4, 10000);
    return k->stop == RV_STOP_TRAP && k->t.cause == RV_EXC_BREAKPOINT && k->t.pc == RVK_CODE + 4 * n;
}

/* The same with 16-bit parcels (compressed instructions, or halves of
 * 32-bit ones), followed by c.ebreak. */
static inline bool rvk_run16(struct rvk *k, const uint16_t *parcel, size_t n)
{
    uint16_t buf[64];
    memcpy(buf, parcel, n * 2);
    buf[n] = 0x9002;                   /* c.ebreak */
    rvk_exec(k, RVK_CODE, buf, (n + 1) * 2, 10000);
    return k->stop == RV_STOP_TRAP && k->t.cause == RV_EXC_BREAKPOINT && k->t.pc == RVK_CODE + 2 * n;
}

static inline void rvk_poke(struct rvk *k, uint64_t va, const void *p, size_t len)
{
    if (kernel_copy_out(k->cpu, va, p, len))
        exit(1);
}

static inline uint64_t rvk_peek(struct rvk *k, uint64_t va, unsigned size)
{
    uint64_t v = 0;
    if (kernel_copy_in(k->cpu, &v, va, size))
        exit(1);
    return v;
}

#endif
