/* bad.c — accesses a process may not make end it with exit(-1) and
 * nothing else printed: unmapped addresses, kernel addresses, writes to
 * code and constants, bad instructions. One per run (argv[1]). */
#include "common.h"

static const int constant = 7;

/* Executes what is at `at` as code. */
static void jump(uintptr_t at)
{
    ((void (*)(void))opaque(at))();
}

int main(int argc, char *argv[])
{
    test_name = "bad";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    volatile int *p = NULL;
    if (!strcmp(m, "read-null")) {
        msg("read address 0");
        p = opaque(0);
        (void)*p;
    } else if (!strcmp(m, "write-null")) {
        msg("write address 0");
        p = opaque(0);
        *p = 1;
    } else if (!strcmp(m, "jump-null")) {
        msg("jump to address 0");
        jump(0);
    } else if (!strcmp(m, "read-kernel")) {
        msg("read KERN_BASE");
        p = opaque(KERN_BASE);
        (void)*p;
    } else if (!strcmp(m, "write-kernel")) {
        msg("write KERN_BASE");
        p = opaque(KERN_BASE);
        *p = 1;
    } else if (!strcmp(m, "jump-kernel")) {
        msg("jump to KERN_BASE");
        jump(KERN_BASE);
    } else if (!strcmp(m, "read-top")) {
        msg("read the kernel half, 0xffffffff80000000");
        p = opaque(0xffffffff80000000ul);
        (void)*p;
    } else if (!strcmp(m, "read-below")) {
        msg("read KERN_BASE - 4096 (user space, nothing mapped)");
        p = opaque(KERN_BASE - PGSIZE);
        (void)*p;
    } else if (!strcmp(m, "read-unmapped")) {
        msg("read 0x10000000 (nothing mapped)");
        p = opaque(0x10000000);
        (void)*p;
    } else if (!strcmp(m, "write-code")) {
        msg("write to the code of main");
        p = opaque((uintptr_t)main);
        *p = 0;
    } else if (!strcmp(m, "write-rodata")) {
        msg("write a constant");
        p = opaque((uintptr_t)&constant);
        *p = 8;
    } else if (!strcmp(m, "jump-data")) {
        /* data pages are not executable */
        static uint32_t ret_insn = 0x00008067;   /* jalr x0, 0(ra) */
        msg("jump into data");
        jump((uintptr_t)&ret_insn);
    } else if (!strcmp(m, "illegal")) {
        msg("execute an illegal instruction");
        __asm__ volatile(".word 0");
    } else if (!strcmp(m, "ebreak")) {
        msg("execute ebreak");
        __asm__ volatile("ebreak");
    } else if (!strcmp(m, "misaligned")) {
        static uint64_t word[2];
        msg("an atomic add at a misaligned address");
        uintptr_t a = (uintptr_t)opaque((uintptr_t)word + 2);
        __asm__ volatile("amoadd.w zero, zero, (%0)" : : "r"(a) : "memory");
    } else {
        fail("unknown mode '%s'", m);
    }
    fail("should have been killed");
}
