/* pie.c — a static PIE (ET_DYN without an interpreter), freestanding: no C
 * library (Debian's cross glibc has no static-PIE start file). It prints
 * where it runs relative to its own entry and exits 7. */
static long sys(long n, long a, long b, long c)
{
    register long a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c, a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

static const char msg[] = "hello from a static PIE\n";
static char buf[64];

void _start(void)
{
    unsigned long base = (unsigned long)&_start;
    int i = 0;
    buf[i++] = (base & 0xfff) == ((unsigned long)_start & 0xfff) ? 'o' : 'x';
    buf[i++] = 'k';
    buf[i++] = '\n';
    sys(64, 1, (long)msg, sizeof msg - 1);
    sys(64, 1, (long)buf, i);
    sys(93, 7, 0, 0);
}
