/* common.h — what the project's PintOS test programs share: the bytes of
 * data/sample.txt, the layout constants, and ways to make accesses the
 * compiler cannot see through (a null pointer, a kernel address). */
#ifndef VMLAB_PINTOS_COMMON_H
#define VMLAB_PINTOS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stdio.h"
#include "stdlib.h"
#include "string.h"
#include "syscall.h"
#include "test.h"

#define PGSIZE 4096ul
#define USER_STACK 0x47480000ul
#define KERN_BASE 0x8004000000ul
#define CODE_BASE 0x400000ul
#define STACK_MAX (1ul << 20)

/* data/sample.txt, byte for byte. */
extern const char sample_text[];
extern const unsigned sample_size;   /* 338 bytes */

/* An address the compiler knows nothing about. */
static inline void *opaque(uintptr_t a)
{
    __asm__ volatile("" : "+r"(a));
    return (void *)a;
}

/* The page of a, rounded down. */
static inline uintptr_t pg_round_down(const void *a)
{
    return (uintptr_t)a & ~(PGSIZE - 1);
}

/* open name or fail; the descriptor. */
int open_or_fail(const char *name);
/* The whole of file name read through read(), compared with want[0..len). */
void check_file(const char *name, const void *want, size_t len);
/* A buffer of n bytes in a page-aligned static area, laid out so that it
 * straddles a page boundary (its first half on one page). */
void *boundary_area(size_t n);
/* A string copy of s placed so that it straddles a page boundary. */
char *boundary_str(const char *s);

#endif
