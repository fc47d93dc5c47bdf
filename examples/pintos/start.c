/* start.c — a program's entry, as PintOS's lib/user/entry.c: the kernel
 * starts it with a0 = argc, a1 = argv (sp = argv, 16-byte aligned, ra = 0),
 * and main's return value is the exit status. */
#include "syscall.h"

int main(int argc, char *argv[]);
void _start(int argc, char *argv[]) __attribute__((noreturn));

void _start(int argc, char *argv[])
{
    exit(main(argc, argv));
}
