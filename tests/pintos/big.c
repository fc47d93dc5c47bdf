/* big.c — a program larger than the user pool: 2 MiB of initialized data
 * (quad i holds i * 0x9e3779b97f4a7c15), read through, rewritten and read
 * again with 64 frames (256 KiB): its data pages are read from the
 * executable, evicted, written to swap and read back. */
#include "common.h"

#define QUADS (256 * 1024)
extern uint64_t big_data[QUADS];
__asm__(".section .data\n"
        ".balign 4096\n"
        ".globl big_data\n"
        "big_data:\n"
        ".set i, 0\n"
        ".rept 262144\n"
        ".quad i * 0x9e3779b97f4a7c15\n"
        ".set i, i + 1\n"
        ".endr\n"
        ".previous\n");

static bool check(uint64_t add)
{
    for (uint64_t i = 0; i < QUADS; i++)
        if (big_data[i] != i * 0x9e3779b97f4a7c15ull + add)
            return false;
    return true;
}

int main(void)
{
    test_name = "big";
    msg("begin");
    CHECK(check(0), "2 MiB of data, as the executable has it");
    for (uint64_t i = 0; i < QUADS; i++)
        big_data[i] += 3;
    msg("add 3 to every word");
    CHECK(check(3), "every word has grown by 3");
    CHECK(check(3), "and again");
    msg("end");
    return 0;
}
