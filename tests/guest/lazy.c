/* lazy.c — the kernel's faults, seen end to end: a 1 MiB bss and a 2 MiB
 * heap touched page by page (zero-fill faults), a stack grown by 256 KiB,
 * then a child that reads every bss page (shared with the parent, no copy)
 * and writes 16 of them (16 copy-on-write copies). */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

static char bss[1 << 20];

static long grow(int n)
{
    volatile char frame[4096];
    frame[0] = (char)n;
    return n ? grow(n - 1) + frame[0] : frame[0];
}

int main(void)
{
    for (size_t i = 0; i < sizeof bss; i += 4096)
        bss[i] = (char)(i >> 12);
    char *heap = malloc(2 << 20);
    CHECK(heap);
    for (size_t i = 0; i < (2 << 20); i += 4096)
        heap[i] = 1;
    long g = grow(64);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        long sum = 0;
        for (size_t i = 0; i < sizeof bss; i += 4096)
            sum += bss[i];
        for (int k = 0; k < 16; k++)
            bss[(size_t)k * 4096 * 16] = 7;
        _exit(sum == 32640 ? 0 : 1);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(bss[0] == 0);   /* the child's write was its own */
    printf("bss and heap touched, stack grown (%ld), child done\n", g);
    return 0;
}
