/* widths.c — the ABI's argument widths: int, pid_t and off_t arguments are
 * the low 32 bits of their register, sign-extended; unsigned the low 32
 * bits; pointers and size_t all 64. Calls made with garbage in the upper
 * halves behave as the C prototypes say. */
#include "common.h"
#include "syscall-nr.h"

#define HI 0xdead0000ul << 32

static long sys3(long nr, unsigned long a, unsigned long b, unsigned long c)
{
    register long a7 __asm__("a7") = nr;
    register unsigned long a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
    return (long)a0;
}

int main(void)
{
    test_name = "widths";
    msg("begin");
    int fd = open_or_fail("sample.txt");
    char buf[16];
    long r = sys3(SYS_READ, (HI) | (unsigned)fd, (unsigned long)buf, (HI) | 10);
    CHECK(r == 10 && !memcmp(buf, sample_text, 10), "read(fd, buf, 10) with the upper halves of fd and size set");
    sys3(SYS_SEEK, (HI) | (unsigned)fd, (HI) | 100, 0);
    CHECK(tell(fd) == 100, "seek(fd, 100) likewise: tell is 100");
    r = sys3(SYS_TELL, (unsigned)fd, 0, 0);
    CHECK(r == 100, "tell's result is the unsigned 100");
    sys3(SYS_SEEK, (unsigned)fd, 0xfffffff0u, 0);
    r = sys3(SYS_TELL, (unsigned)fd, 0, 0);
    CHECK(r == 0xfffffff0l, "tell of 0xfffffff0 is zero-extended");
    r = sys3(SYS_FILESIZE, (HI) | (unsigned)fd, 0, 0);
    CHECK(r == (long)sample_size, "filesize with the upper half set");
    r = sys3(SYS_READ, 1, (unsigned long)buf, 1);
    CHECK(r == -1, "a result of -1 is sign-extended to 64 bits");
    r = sys3(SYS_WAIT, (HI) | 0xffffffffu, 0, 0);
    CHECK(r == -1, "wait(-1 in the low half): -1");
    pid_t pid = fork("child");
    if (pid == 0)
        sys3(SYS_EXIT, (HI) | 0xfffffffeu, 0, 0);   /* exit(-2) */
    msg("wait for a child that exited with 0xdead0000fffffffe: %d", wait(pid));
    msg("end");
    return 0;
}
