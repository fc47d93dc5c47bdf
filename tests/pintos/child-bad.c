/* child-bad.c — exec'd by the process tests: dies reading address 0. */
#include "common.h"

int main(void)
{
    test_name = "child-bad";
    msg("about to read address 0");
    volatile int x = *(volatile int *)opaque(0);
    (void)x;
    fail("should have been killed");
}
