/* malloc.c — allocator churn: N rounds of malloc/realloc/free of random
 * sizes from 1 byte to 512 KiB (small blocks from the brk heap, large ones
 * mmap'd and unmapped), every block filled and checked. `malloc N`
 * (default 20000). */
#include <string.h>

#include "guest.h"

#define SLOTS 512

int main(int argc, char **argv)
{
    long n = arg(argc, argv, 1, 20000);
    unsigned char *p[SLOTS] = {0};
    size_t sz[SLOTS] = {0};
    unsigned char tag[SLOTS] = {0};
    uint64_t bytes = 0, big = 0;
    for (long i = 0; i < n; i++) {
        int s = (int)(rnd() % SLOTS);
        if (p[s]) {
            for (size_t j = 0; j < sz[s]; j += 97)
                CHECK(p[s][j] == tag[s]);
            if (rnd() % 3 == 0) {
                size_t nsz = 1 + rnd() % (sz[s] * 2 + 64);
                unsigned char *q = realloc(p[s], nsz);
                CHECK(q);
                size_t keep = nsz < sz[s] ? nsz : sz[s];
                for (size_t j = 0; j < keep; j += 97)
                    CHECK(q[j] == tag[s]);
                memset(q, tag[s], nsz);
                p[s] = q;
                sz[s] = nsz;
                continue;
            }
            free(p[s]);
            p[s] = NULL;
            continue;
        }
        size_t size = rnd() % 16 == 0 ? 131072 + rnd() % 393216 : 1 + rnd() % 2048;
        if (size >= 131072)
            big++;
        p[s] = malloc(size);
        CHECK(p[s]);
        sz[s] = size;
        tag[s] = (unsigned char)(rnd() | 1);
        memset(p[s], tag[s], size);
        bytes += size;
    }
    for (int s = 0; s < SLOTS; s++)
        free(p[s]);
    printf("allocated %llu bytes, %llu large blocks\n", (unsigned long long)bytes, (unsigned long long)big);
    return 0;
}
