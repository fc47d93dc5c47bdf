/* chaos.c — system calls with wild numbers and arguments: `chaos SEED N`
 * makes N calls, each a number below 512 (but exit, clone, execve and the
 * signal senders, which would end the experiment early or multiply it),
 * with arguments drawn from small integers, flags, huge values, wild
 * pointers and pointers into a buffer of its own. Whatever vmlab answers,
 * the program goes on; it prints how many calls failed. Run it under
 * --root in a scratch directory: its calls may create and remove files. */
#include <unistd.h>

#include "guest.h"

static unsigned char buf[65536];

static long wild(void)
{
    switch (rnd() % 8) {
    case 0: return (long)(rnd() % 8);
    case 1: return -(long)(rnd() % 200);
    case 2: return (long)(rnd() >> (rnd() % 64));
    case 3: return (long)(buf + rnd() % sizeof buf);
    case 4: return (long)buf;
    case 5: return (long)0x3ffffff000 + (long)(rnd() % 0x2000);
    case 6: return (long)(rnd() % 65536);
    default: return (long)rnd();
    }
}

int main(int argc, char **argv)
{
    guest_rng += (uint64_t)arg(argc, argv, 1, 1) * 0x2545f4914f6cdd1dull;
    long n = arg(argc, argv, 2, 2000), failed = 0;
    for (long i = 0; i < n; i++) {
        long nr = (long)(rnd() % 512);
        if (nr == 93 || nr == 94 || nr == 220 || nr == 221 || nr == 129 || nr == 130 ||
            nr == 131 || nr == 139 || nr == 435)
            continue;   /* exit, clone, execve, kill/tkill/tgkill, rt_sigreturn, clone3 */
        for (size_t k = 0; k < 64; k++)
            buf[rnd() % sizeof buf] = (unsigned char)rnd();
        long r = syscall(nr, wild(), wild(), wild(), wild(), wild(), wild());
        failed += r < 0;
    }
    printf("%ld calls, %ld failed\n", n, failed);
    return 0;
}
