/* child-sort.c — child-sort FILE I N: sorts share I of N of the numbers in
 * FILE, reading them into memory and writing them back. */
#include "common.h"

static uint32_t share[128 * 1024];

static int cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char *argv[])
{
    test_name = "child-sort";
    if (argc != 4)
        fail("usage: child-sort FILE I N");
    int i = atoi(argv[2]), n = atoi(argv[3]);
    int fd = open_or_fail(argv[1]);
    unsigned bytes = (unsigned)filesize(fd) / (unsigned)n;
    if (bytes > sizeof share)
        fail("a share of %u bytes is too big", bytes);
    seek(fd, (unsigned)i * bytes);
    if (read(fd, share, bytes) != (int)bytes)
        fail("read share %d", i);
    qsort(share, bytes / 4, 4, cmp);
    seek(fd, (unsigned)i * bytes);
    if (write(fd, share, bytes) != (int)bytes)
        fail("write share %d", i);
    return 0;
}
