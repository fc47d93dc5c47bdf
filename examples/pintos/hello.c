/* hello.c — the smallest PintOS program: vmlab run --abi pintos --fs DIR -- hello a b */
#include "stdio.h"

int main(int argc, char *argv[])
{
    printf("hello from %s with %d argument%s\n", argv[0], argc - 1, argc == 2 ? "" : "s");
    for (int i = 1; i < argc; i++)
        printf("  argv[%d] = '%s'\n", i, argv[i]);
    return 0;
}
