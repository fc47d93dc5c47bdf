/* test_isa_guest.c — RISC-V ELF programs on the kernel: lazily loaded code
 * and data fault on first touch and are counted; the stack grows; a write
 * to the program's own code page, an illegal instruction and a jump to an
 * unmapped address stop the run with the right trap (and the kernel's
 * kill where the kernel refused). Programs are built with
 * riscv64-linux-gnu-gcc into build/guest/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rvguest.h"
#include "lib/tap.h"

/* Touches 16 bss pages, 3 data pages (one read), grows the stack by 8
 * pages, prints "done" and exits 3. */
static const char *const lazy_src =
    "    .option norelax\n"
    "    .globl _start\n"
    "    .text\n"
    "_start:\n"
    "    lla t0, big\n"
    "    li t1, 16\n"
    "1:  sd t1, 0(t0)\n"
    "    li t2, 4096\n"
    "    add t0, t0, t2\n"
    "    addi t1, t1, -1\n"
    "    bnez t1, 1b\n"
    "    lla t0, table\n"
    "    ld a0, 0(t0)\n"
    "    li t2, 4096\n"
    "    add t0, t0, t2\n"
    "    ld a1, 0(t0)\n"
    "    add t0, t0, t2\n"
    "    sd a0, 0(t0)\n"
    "    li t1, 8\n"
    "2:  li t2, 4096\n"
    "    sub sp, sp, t2\n"
    "    sd t1, 0(sp)\n"
    "    addi t1, t1, -1\n"
    "    bnez t1, 2b\n"
    "    li a0, 1\n"
    "    lla a1, msg\n"
    "    li a2, 5\n"
    "    li a7, 64\n"
    "    ecall\n"
    "    li a0, 3\n"
    "    li a7, 93\n"
    "    ecall\n"
    "    .data\n"
    "    .balign 4096\n"
    "table: .dword 11\n"
    "    .space 4088\n"
    "    .dword 12\n"
    "    .space 4088\n"
    "    .dword 13\n"
    "    .space 4088\n"
    "msg: .ascii \"done\\n\"\n"
    "    .bss\n"
    "    .balign 4096\n"
    "big: .space 16 * 4096\n";

static const char *const bad_src =
    "    .option norelax\n"
    "    .globl _start\n"
    "    .text\n"
    "_start:\n"
    "    li t0, WHAT\n"
    "    li t1, 1\n"
    "    beq t0, t1, write_code\n"
    "    li t1, 2\n"
    "    beq t0, t1, illegal\n"
    "    li t1, 3\n"
    "    beq t0, t1, wild\n"
    "    li t1, 4\n"
    "    beq t0, t1, brk\n"
    "    j _start\n"
    "write_code:\n"
    "    lla t2, _start\n"
    "    sw zero, 0(t2)\n"
    "    j _start\n"
    "illegal:\n"
    "    .word 0xffffffff\n"
    "wild:\n"
    "    li t2, 0x3000000000\n"
    "    jr t2\n"
    "brk:\n"
    "    c.ebreak\n";

int main(void)
{
    if (!rvg_have_toolchain()) {
        tap_plan(0);
        tap_skip(1, "riscv64-linux-gnu-gcc missing: run scripts/setup.sh");
        return tap_done();
    }
    char elf[4096];
    if (!ok(rvg_build("guest-lazy", "S", lazy_src, "", elf, sizeof elf) == 0, "the lazy-loading program builds"))
        return tap_done();
    struct rvg g;
    int rc = rvg_run_file(&g, elf, NULL);
    ok(rc == 0 && g.exited && g.exit_code == 3 && strcmp(g.out, "done\n") == 0,
       "it runs to exit(3) printing done (rc %d)", rc);
    struct vmstat vs;
    kernel_process_vmstat(g.p, &vs);
    struct cpu_stats cs;
    cpu_stats(g.cpu, &cs);
    /* 1 text page, 16 bss pages, 3 data pages read/written (plus msg's page,
     * read by the kernel's copy-in), 8 stack pages grown below the first */
    ok(vs.v[VMSTAT_STACK_GROWTH] >= 8, "the stack grew (%llu growth faults)",
       (unsigned long long)vs.v[VMSTAT_STACK_GROWTH]);
    ok(vs.v[VMSTAT_PGFAULT] >= 1 + 16 + 3 + 8, "every page faulted in lazily: %llu faults",
       (unsigned long long)vs.v[VMSTAT_PGFAULT]);
    ok(cs.v[CPU_STAT_PAGE_FAULTS] == vs.v[VMSTAT_PGFAULT],
       "the CPU raised as many page faults as the kernel handled (%llu)",
       (unsigned long long)cs.v[CPU_STAT_PAGE_FAULTS]);
    struct page_info pi;
    kernel_page_info(g.p, 0x10000, &pi);
    ok(pi.where == PAGE_RESIDENT, "the text page is resident after running");
    rvg_close(&g);

    static const struct { const char *what; unsigned cause; enum kill_reason kill; } bad[] = {
        {"a store to its own code page", RV_EXC_STORE_PAGE_FAULT, KILL_SEGV_WRITE_RO},
        {"an illegal instruction", RV_EXC_ILLEGAL, KILL_NONE},
        {"a jump to an unmapped address", RV_EXC_FETCH_PAGE_FAULT, KILL_SEGV_UNMAPPED},
        {"c.ebreak", RV_EXC_BREAKPOINT, KILL_NONE},
    };
    for (unsigned i = 0; i < 4; i++) {
        char name[32], flags[32];
        snprintf(name, sizeof name, "guest-bad-%u", i + 1);
        snprintf(flags, sizeof flags, "-DWHAT=%u", i + 1);
        if (!ok(rvg_build(name, "S", bad_src, flags, elf, sizeof elf) == 0, "%s: builds", bad[i].what))
            continue;
        rc = rvg_run_file(&g, elf, NULL);
        ok(rc == 1 && g.trapped && g.trap.cause == bad[i].cause &&
               kernel_process_kill_reason(g.p) == bad[i].kill,
           "%s: trap %s at 0x%llx (tval 0x%llx), kill %s", bad[i].what, rv_exc_name(g.trap.cause),
           (unsigned long long)g.trap.pc, (unsigned long long)g.trap.tval, kill_reason_names[kernel_process_kill_reason(g.p)]);
        if (i == 1)
            ok(g.trap.tval == 0xffffffff, "the illegal instruction's bits are in tval");
        if (i == 2)
            ok(g.trap.tval == 0x3000000000ull && g.trap.pc == 0x3000000000ull,
               "the fetch fault names the target");
        rvg_close(&g);
    }
    return tap_done();
}
