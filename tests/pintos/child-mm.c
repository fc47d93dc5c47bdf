/* child-mm.c — child-mm FILE I N: sorts share I of N of the numbers in
 * FILE in place, in a mapping of that share (its offset must be a
 * multiple of the page size). */
#include "common.h"

static int cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char *argv[])
{
    test_name = "child-mm";
    if (argc != 4)
        fail("usage: child-mm FILE I N");
    int i = atoi(argv[2]), n = atoi(argv[3]);
    int fd = open_or_fail(argv[1]);
    unsigned bytes = (unsigned)filesize(fd) / (unsigned)n;
    uint32_t *p = mmap(opaque(0x10000000), bytes, 1, fd, (off_t)((unsigned)i * bytes));
    if (p == MAP_FAILED)
        fail("mmap share %d", i);
    qsort(p, bytes / 4, 4, cmp);
    munmap(p);
    return 0;
}
