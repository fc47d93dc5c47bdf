/* sort.c — sort N pseudo-random integers three ways (quicksort by hand,
 * qsort, a bottom-up merge sort), check the results agree and are sorted,
 * print a checksum. `sort N` (default 200000). */
#include <string.h>

#include "guest.h"

static void quicksort(int *a, long lo, long hi)
{
    while (lo < hi) {
        int p = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i <= j) {
                int t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static int cmp(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

static void mergesort(int *a, int *tmp, long n)
{
    for (long w = 1; w < n; w *= 2) {
        for (long lo = 0; lo < n; lo += 2 * w) {
            long mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, (size_t)n * sizeof *a);
    }
}

int main(int argc, char **argv)
{
    long n = arg(argc, argv, 1, 200000);
    int mode = (int)arg(argc, argv, 2, 7);   /* bit 0 quicksort, 1 qsort, 2 merge sort */
    int *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
    int *c = malloc((size_t)n * sizeof *c), *tmp = malloc((size_t)n * sizeof *tmp);
    CHECK(a && b && c && tmp);
    for (long i = 0; i < n; i++)
        a[i] = b[i] = c[i] = (int)(rnd() % 1000000007u) - 500000000;
    if (mode & 1)
        quicksort(a, 0, n - 1);
    if (mode & 2)
        qsort(b, (size_t)n, sizeof *b, cmp);
    if (mode & 4)
        mergesort(c, tmp, n);
    uint64_t h = 0;
    for (long i = 0; i < n; i++) {
        if (mode == 7)
            CHECK(a[i] == b[i] && b[i] == c[i]);
        if (i && (mode & 1))
            CHECK(a[i - 1] <= a[i]);
        h = mix(h, (uint64_t)(uint32_t)((mode & 1) ? a[i] : (mode & 2) ? b[i] : c[i]));
    }
    printf("sorted %ld integers: min %d max %d checksum %016llx\n", n, (mode & 1) ? a[0] : c[0],
           (mode & 1) ? a[n - 1] : c[n - 1], (unsigned long long)h);
    return 0;
}
