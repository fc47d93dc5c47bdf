/* exit.c — exit(STATUS) prints "exit: exit(STATUS)" and nothing after it
 * runs; vmlab's exit status is STATUS's low 8 bits. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "exit";
    msg("begin");
    exit(argc > 1 ? atoi(argv[1]) : 0);
    fail("should have exited");
}
