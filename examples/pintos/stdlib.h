/* stdlib.h — the few general utilities PintOS programs use, and a
 * seeded pseudo-random generator (the names are PintOS's lib/random.h;
 * the generator is vmlab's own, so sequences differ from PintOS's). */
#ifndef PINTOS_STDLIB_H
#define PINTOS_STDLIB_H

#include <stddef.h>
#include <stdint.h>

#include "syscall.h"   /* exit */

int atoi(const char *s);
int abs(int v);
long labs(long v);
/* Sort n elements of size bytes at base by cmp (a heap sort: no recursion,
 * no extra memory, O(n log n) always). */
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *));

/* The generator (xorshift64*): the same seed, the same sequence. */
void random_init(unsigned seed);
unsigned long random_ulong(void);
void random_bytes(void *buf, size_t n);

#endif
