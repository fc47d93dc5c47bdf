/* stdlib.c — see stdlib.h. */
#include "stdlib.h"

#include <stdbool.h>

#include "ctype.h"

int atoi(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    int v = 0;
    while (isdigit((unsigned char)*s))
        v = v * 10 + (*s++ - '0');
    return neg ? -v : v;
}

int abs(int v) { return v < 0 ? -v : v; }
long labs(long v) { return v < 0 ? -v : v; }

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
    while (size--) {
        unsigned char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/* Move element i down the heap of n elements until both children are
 * smaller. */
static void sift_down(unsigned char *base, size_t i, size_t n, size_t size,
                      int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1;
        if (l < n && cmp(base + l * size, base + big * size) > 0)
            big = l;
        if (r < n && cmp(base + r * size, base + big * size) > 0)
            big = r;
        if (big == i)
            return;
        swap_bytes(base + i * size, base + big * size, size);
        i = big;
    }
}

void qsort(void *base_, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char *base = base_;
    if (n < 2)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(base, i, n, size, cmp);
    for (size_t end = n - 1; end > 0; end--) {
        swap_bytes(base, base + end * size, size);
        sift_down(base, 0, end, size, cmp);
    }
}

void *bsearch(const void *key, const void *base_, size_t n, size_t size,
              int (*cmp)(const void *, const void *))
{
    const unsigned char *base = base_;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp(key, base + mid * size);
        if (c == 0)
            return (void *)(base + mid * size);
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static uint64_t random_state = 0x9e3779b97f4a7c15ull;

void random_init(unsigned seed)
{
    random_state = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed * 0xbf58476d1ce4e5b9ull);
    if (!random_state)
        random_state = 1;
}

unsigned long random_ulong(void)
{
    uint64_t x = random_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    random_state = x;
    return (unsigned long)(x * 0x2545f4914f6cdd1dull);
}

void random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n) {
        unsigned long r = random_ulong();
        for (int i = 0; i < 8 && n; i++, n--, r >>= 8)
            *p++ = (unsigned char)r;
    }
}
