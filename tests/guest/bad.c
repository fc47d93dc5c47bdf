/* bad.c — a misbehaving program, one misdeed per argument: each gets the
 * signal Linux sends, or the error a system call returns (printed).
 *   write-code  store to its own code       SIGSEGV
 *   illegal     an illegal instruction      SIGILL
 *   jump        call an unmapped address    SIGSEGV
 *   null        read address 0              SIGSEGV
 *   stack       unbounded recursion         SIGSEGV
 *   trap        __builtin_trap (ebreak)     SIGTRAP
 *   misaligned  an AMO on an odd address    SIGBUS
 *   abort       abort()                     SIGABRT
 *   syscalls    a wild system-call number and wild pointers: errors, exit 0 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"

static volatile int forever = 1;

static int deep(int n)
{
    volatile char pad[4096];
    pad[0] = (char)n;
    return forever ? deep(n + 1) + pad[0] : 0;
}

static void syscalls(void)
{
    errno = 0;
    long r = syscall(12345, 1, 2, 3);
    printf("syscall 12345: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_write, 1, (void *)0x1234, 10);
    printf("write from 0x1234: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_read, 0, (void *)0x3ffffff000, 1ul << 40);
    printf("read into the stack's top with a huge length: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_openat, -100, (void *)0xdeadbeef000, 0);
    printf("open of a wild path: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_write, 77, "x", 1);
    printf("write to fd 77: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_munmap, 0x1001, 4096);
    printf("munmap unaligned: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_clock_gettime, 0, (void *)0x10);
    printf("clock_gettime into 0x10: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_wait4, -1, NULL, 0, NULL);
    printf("wait4 without children: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_kill, 99999, 0);
    printf("kill of no such pid: %ld errno %d\n", r, errno);
    errno = 0;
    r = syscall(SYS_execve, "/nonexistent/program", NULL, NULL);
    printf("execve of a missing file: %ld errno %d\n", r, errno);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "syscalls";
    fflush(stdout);
    if (!strcmp(what, "write-code")) {
        *(volatile unsigned *)(void *)main = 0;
    } else if (!strcmp(what, "illegal")) {
        __asm__ volatile(".word 0");
    } else if (!strcmp(what, "jump")) {
        void (*f)(void) = (void (*)(void))0x3000000000ul;
        f();
    } else if (!strcmp(what, "null")) {
        printf("%d\n", *(volatile int *)(uintptr_t)arg(argc, argv, 2, 0));
    } else if (!strcmp(what, "stack")) {
        printf("%d\n", deep(0));
    } else if (!strcmp(what, "trap")) {
        __builtin_trap();
    } else if (!strcmp(what, "misaligned")) {
        static long word[2];
        __atomic_fetch_add((int *)((char *)word + 1), 1, __ATOMIC_SEQ_CST);
    } else if (!strcmp(what, "abort")) {
        abort();
    } else {
        syscalls();
        return 0;
    }
    printf("still alive after %s\n", what);
    return 1;
}
