/* child-simple.c — exec'd by the process tests: prints a line, exits 81. */
#include "common.h"

int main(void)
{
    test_name = "child-simple";
    msg("run");
    return 81;
}
