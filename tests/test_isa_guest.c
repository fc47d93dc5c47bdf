/* test_isa_guest.c — freestanding RISC-V ELF programs under vmlab run's
 * Linux personality (run_program): lazily loaded code and data fault on
 * first touch and are counted; the stack grows; a write to the program's
 * own code page, an illegal instruction, a jump to an unmapped address and
 * c.ebreak end the program with the trap's signal and, where the kernel
 * refused the access, its kill reason and address. Programs are built with
 * riscv64-linux-gnu-gcc into build/guest/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/runkit.h"
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
    struct run_config rc;
    run_config_default(&rc);
    char *argv[] = {elf, NULL};
    struct guest_run g;
    guest_run(&rc, 1, argv, &g);
    ok(g.rc == 0 && g.status == 3 && g.out && strcmp(g.out, "done\n") == 0,
       "it runs to exit(3) printing done (status %d)", g.status);
    const struct run_proc *p = g.rc == 0 ? guest_proc(&g.sum, 1) : NULL;
    /* 1 text page, 16 bss pages, 3 data pages read/written (plus msg's page,
     * read by the kernel's copy-in), 8 stack pages grown below the first */
    ok(p && p->vm.v[VMSTAT_STACK_GROWTH] >= 8, "the stack grew (%llu growth faults)",
       p ? (unsigned long long)p->vm.v[VMSTAT_STACK_GROWTH] : 0ull);
    ok(p && p->vm.v[VMSTAT_PGFAULT] >= 1 + 16 + 3 + 8, "every page faulted in lazily: %llu faults",
       p ? (unsigned long long)p->vm.v[VMSTAT_PGFAULT] : 0ull);
    ok(p && p->vm.v[VMSTAT_ZERO_FILL] >= 16 + 8 && p->vm.v[VMSTAT_FILE_READ] >= 1 + 3,
       "bss and stack were zero-filled, text and data read from the file");
    ok(p && p->cpu.v[CPU_STAT_PAGE_FAULTS] <= p->vm.v[VMSTAT_PGFAULT] &&
           p->cpu.v[CPU_STAT_PAGE_FAULTS] + 4 >= p->vm.v[VMSTAT_PGFAULT],
       "the CPU raised the faults the kernel handled, but for the system calls' own (%llu of %llu)",
       p ? (unsigned long long)p->cpu.v[CPU_STAT_PAGE_FAULTS] : 0ull,
       p ? (unsigned long long)p->vm.v[VMSTAT_PGFAULT] : 0ull);
    guest_free(&g);

    static const struct { const char *what; int sig; const char *why; } bad[] = {
        {"a store to its own code page", 11, "segv-write-ro: write at 0x"},
        {"an illegal instruction", 4, "illegal instruction 0xffffffff at 0x"},
        {"a jump to an unmapped address", 11, "segv-unmapped: fetch at 0x3000000000"},
        {"c.ebreak", 5, "breakpoint at 0x"},
    };
    for (unsigned i = 0; i < 4; i++) {
        char name[32], flags[32];
        snprintf(name, sizeof name, "guest-bad-%u", i + 1);
        snprintf(flags, sizeof flags, "-DWHAT=%u", i + 1);
        if (!ok(rvg_build(name, "S", bad_src, flags, elf, sizeof elf) == 0, "%s: builds", bad[i].what))
            continue;
        guest_run(&rc, 1, argv, &g);
        p = g.rc == 0 ? guest_proc(&g.sum, 1) : NULL;
        ok(p && p->signaled && p->code == bad[i].sig && g.status == 128 + bad[i].sig &&
               strstr(p->why, bad[i].why),
           "%s: signal %d, status %d: %s", bad[i].what, p ? p->code : 0, g.status, p ? p->why : g.msg);
        guest_free(&g);
    }
    return tap_done();
}
