/* args.c — argument passing: every word of the command line, in order,
 * argv[argc] a null pointer, every string in the stack's top page. Copied
 * into the file system under several names (args-none, args-many, ...):
 * argv[0] is the name it was run by. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = argv[0];
    msg("begin");
    msg("argc = %d", argc);
    for (int i = 0; i <= argc; i++) {
        if (argv[i] == NULL)
            msg("argv[%d] = null", i);
        else
            msg("argv[%d] = '%s'", i, argv[i]);
    }
    for (int i = 0; i < argc; i++)
        if ((uintptr_t)argv[i] >= USER_STACK || (uintptr_t)argv[i] < USER_STACK - PGSIZE)
            fail("argv[%d] at %p is not in the stack's top page", i, argv[i]);
    msg("end");
    return 0;
}
