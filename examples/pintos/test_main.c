/* test_main.c — main for programs that define test_main() (test.h). */
#include "test.h"

int main(int argc, char *argv[]);

int main(int argc, char *argv[])
{
    if (argc > 0 && argv[0])
        test_name = argv[0];
    msg("begin");
    test_main();
    msg("end");
    return 0;
}
