/* child-touch.c — child-touch ADDR: reads the byte at ADDR (hex). Exec'd
 * after its parent mapped ADDR: exec dropped that mapping, so it dies. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "child-touch";
    uintptr_t a = 0;
    for (const char *p = argc > 1 ? argv[1] + 2 : ""; *p; p++)
        a = a * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
    msg("read %#lx", (unsigned long)a);
    volatile char c = *(volatile char *)opaque(a);
    (void)c;
    msg("it is mapped");
    return 0;
}
