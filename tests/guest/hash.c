/* hash.c — an open-addressing hash table of N keys with deletions, and
 * FNV-1a / a 64-bit mix over a generated buffer. `hash N` (default 100000). */
#include <string.h>

#include "guest.h"

struct slot {
    uint64_t key, val;
    int used;
};

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

int main(int argc, char **argv)
{
    long n = arg(argc, argv, 1, 100000);
    size_t cap = 1;
    while (cap < (size_t)n * 2)
        cap *= 2;
    struct slot *t = calloc(cap, sizeof *t);
    uint64_t *keys = malloc((size_t)n * sizeof *keys);
    CHECK(t && keys);
    long inserted = 0;
    for (long i = 0; i < n; i++) {
        uint64_t k = rnd() | 1;
        keys[i] = k;
        size_t j = (size_t)(k * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1);
        while (t[j].used && t[j].key != k)
            j = (j + 1) & (cap - 1);
        if (!t[j].used)
            inserted++;
        t[j] = (struct slot){k, (uint64_t)i, 1};
    }
    long found = 0;
    uint64_t sum = 0;
    for (long i = 0; i < n; i += 3) {
        uint64_t k = keys[i];
        size_t j = (size_t)(k * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1);
        while (t[j].used && t[j].key != k)
            j = (j + 1) & (cap - 1);
        if (t[j].used) {
            found++;
            sum += t[j].val;
        }
    }
    size_t blen = (size_t)n * 16;
    unsigned char *buf = malloc(blen);
    CHECK(buf);
    for (size_t i = 0; i < blen; i++)
        buf[i] = (unsigned char)(rnd() >> 56);
    printf("inserted %ld found %ld sum %llu fnv %016llx\n", inserted, found, (unsigned long long)sum,
           (unsigned long long)fnv1a(buf, blen));
    free(buf);
    free(keys);
    free(t);
    return 0;
}
