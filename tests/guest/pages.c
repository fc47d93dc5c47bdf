/* pages.c — memory pressure on purpose: ROUNDS passes over PAGES pages of
 * the heap, one word of every page each pass: the first pass writes them,
 * the others read them (mode "read", the default) or write them again
 * ("write"). With fewer frames than pages nearly every access faults: a
 * swap-in, and, where the victim was written, a swap-out. Prints a
 * checksum. `pages PAGES ROUNDS [read|write]` (default 1024 8 read). */
#include <string.h>

#include "guest.h"

int main(int argc, char **argv)
{
    long pages = arg(argc, argv, 1, 1024), rounds = arg(argc, argv, 2, 8);
    int writes = argc > 3 && !strcmp(argv[3], "write");
    unsigned long *mem = malloc((size_t)pages * 4096);
    CHECK(mem);
    uint64_t h = 0;
    for (long r = 0; r < rounds; r++)
        for (long p = 0; p < pages; p++) {
            unsigned long *w = mem + p * 512 + (writes ? r & 511 : 0);
            if (r == 0 || writes)
                *w = *w * 31 + (unsigned long)(p ^ r);
            h = mix(h, *w);
        }
    printf("%ld pages, %ld rounds: %016llx\n", pages, rounds, (unsigned long long)h);
    return 0;
}
