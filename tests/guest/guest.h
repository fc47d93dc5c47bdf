/* guest.h — what the guest programs share: a small deterministic PRNG and
 * a checksum, so that every program prints the same under qemu-riscv64 and
 * under vmlab run (tests/test_run_corpus.c compares them). */
#ifndef VMLAB_GUEST_H
#define VMLAB_GUEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t guest_rng = 0x9e3779b97f4a7c15ull;

static inline uint64_t rnd(void)
{
    uint64_t x = guest_rng;   /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    guest_rng = x;
    return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static inline long arg(int argc, char **argv, int i, long dflt)
{
    return argc > i ? strtol(argv[i], NULL, 0) : dflt;
}

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            printf("check failed at line %d: %s\n", __LINE__, #cond);                \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

#endif
