/* syscall.c — the system-call stub for RV64: `ecall` with the number in
 * a7, the arguments in a0-a5, the result in a0. It replaces PintOS's
 * lib/user/syscall.c (x86-64 inline assembly); everything else of a
 * PintOS user library is portable C. */
#include "syscall.h"
#include "syscall-nr.h"

static inline long syscall3(long nr, long a, long b, long c)
{
    register long a7 __asm__("a7") = nr;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
    return a0;
}

static inline long syscall5(long nr, long a, long b, long c, long d, long e)
{
    register long a7 __asm__("a7") = nr;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4)
                     : "memory");
    return a0;
}

#define syscall0(nr) syscall3(nr, 0, 0, 0)
#define syscall1(nr, a) syscall3(nr, (long)(a), 0, 0)
#define syscall2(nr, a, b) syscall3(nr, (long)(a), (long)(b), 0)

void halt(void)
{
    syscall0(SYS_HALT);
    for (;;)
        ;
}

void exit(int status)
{
    syscall1(SYS_EXIT, status);
    for (;;)
        ;
}

pid_t fork(const char *thread_name) { return (pid_t)syscall1(SYS_FORK, thread_name); }
int exec(const char *cmd_line) { return (int)syscall1(SYS_EXEC, cmd_line); }
int wait(pid_t pid) { return (int)syscall1(SYS_WAIT, pid); }
bool create(const char *file, unsigned initial_size)
{
    return (bool)syscall2(SYS_CREATE, file, initial_size);
}
bool remove(const char *file) { return (bool)syscall1(SYS_REMOVE, file); }
int open(const char *file) { return (int)syscall1(SYS_OPEN, file); }
int filesize(int fd) { return (int)syscall1(SYS_FILESIZE, fd); }
int read(int fd, void *buffer, unsigned size)
{
    return (int)syscall3(SYS_READ, fd, (long)buffer, size);
}
int write(int fd, const void *buffer, unsigned size)
{
    return (int)syscall3(SYS_WRITE, fd, (long)buffer, size);
}
void seek(int fd, unsigned position) { syscall2(SYS_SEEK, fd, position); }
unsigned tell(int fd) { return (unsigned)syscall1(SYS_TELL, fd); }
void close(int fd) { syscall1(SYS_CLOSE, fd); }
void *mmap(void *addr, size_t length, int writable, int fd, off_t offset)
{
    return (void *)syscall5(SYS_MMAP, (long)addr, (long)length, writable, fd, offset);
}
void munmap(void *addr) { syscall1(SYS_MUNMAP, addr); }
uint64_t get_phys_addr(const void *addr) { return (uint64_t)syscall1(SYS_GET_PHYS_ADDR, addr); }
