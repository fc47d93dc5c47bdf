/* args-stack.c — the exact layout PintOS's argument passing gives the
 * initial stack, seen from the first instruction: the words at the top
 * (the last highest), zero padding, argv[argc] = NULL, argv[argc-1] ..
 * argv[0] at sp = a1, sp 16-byte aligned, a0 = argc, ra = 0. It has its own
 * _start, to see sp and ra before any code moves them. */
#include "common.h"

void start(int argc, char **argv, uintptr_t sp, uintptr_t ra) __attribute__((noreturn, used));

__asm__(".globl _start\n"
        "_start:\n"
        "    mv a2, sp\n"
        "    mv a3, ra\n"
        "    call start\n");

void start(int argc, char **argv, uintptr_t sp, uintptr_t ra)
{
    test_name = "args-stack";
    msg("begin");
    msg("argc = %d", argc);
    CHECK(sp % 16 == 0, "sp is 16-byte aligned");
    CHECK((uintptr_t)argv == sp, "a1 (argv) equals sp");
    CHECK(ra == 0, "ra is 0");
    CHECK(argv[argc] == NULL, "argv[%d] is null", argc);
    msg("sp = USER_STACK - %lu", USER_STACK - sp);
    for (int i = 0; i < argc; i++) {
        uintptr_t a = (uintptr_t)argv[i];
        msg("argv[%d] = '%s' at USER_STACK - %lu", i, argv[i], USER_STACK - a);
        uintptr_t next = i + 1 < argc ? (uintptr_t)argv[i + 1] : USER_STACK;
        CHECK(a + strlen(argv[i]) + 1 == next, "argv[%d] ends where %s begins", i,
              i + 1 < argc ? "the next word" : "the stack");
    }
    uintptr_t array_end = (uintptr_t)(argv + argc + 1);
    size_t pad = (uintptr_t)argv[0] - array_end;
    bool zero = true;
    for (size_t i = 0; i < pad; i++)
        zero &= ((const char *)array_end)[i] == 0;
    CHECK(pad < 16 && zero, "%zu bytes of zero padding between argv[] and the words", pad);
    msg("end");
    exit(0);
}
