/* bench_swap_pread.c — cost of a swap-in (swap_read: pread + checksum check)
 * against a bare 4 KiB pread of the same file at the same offsets, both from
 * the page cache. The target is a ratio of at most ~1.5. Also prints the
 * checksum alone and zlib's crc32 over a page, for comparison. */
#include "os/swap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define PG SWAP_SLOT_SIZE
#define NSLOTS 4096
#define NOPS 200000
#define REPS 5

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void)
{
    char err[256];
    struct swap_dev *sw = swap_open(NULL, (uint64_t)NSLOTS * PG, err, sizeof err);
    if (!sw) {
        fprintf(stderr, "bench_swap_pread: %s\n", err);
        return 1;
    }
    static unsigned char page[PG] __attribute__((aligned(64)));
    for (int i = 0; i < NSLOTS; i++) {
        int64_t s = swap_alloc(sw);
        memset(page, i * 7 + 1, PG);
        page[0] = (unsigned char)i;
        if (s < 0 || swap_write(sw, (uint64_t)s, page) != 0) {
            fprintf(stderr, "bench_swap_pread: setup write failed\n");
            return 1;
        }
    }
    uint32_t *order = malloc(NOPS * sizeof *order);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < NOPS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        order[i] = (uint32_t)(x % NSLOTS);
    }
    int fd = swap_fd(sw);
    double best_raw = 1e9, best_swap = 1e9, best_sum = 1e9, best_crc = 1e9;
    uint64_t sink = 0;
    for (int rep = 0; rep < REPS; rep++) {
        double t = now();
        for (int i = 0; i < NOPS; i++)
            if (pread(fd, page, PG, (off_t)order[i] * PG) != PG)
                return 1;
        double raw = (now() - t) / NOPS;

        t = now();
        for (int i = 0; i < NOPS; i++)
            if (swap_read(sw, order[i], page) != 0)
                return 1;
        double sr = (now() - t) / NOPS;

        t = now();
        for (int i = 0; i < NOPS; i++)
            sink += swap_page_checksum(page, order[i]);
        double su = (now() - t) / NOPS;

        t = now();
        for (int i = 0; i < NOPS; i++)
            sink += crc32(order[i], page, PG);
        double cr = (now() - t) / NOPS;

        if (raw < best_raw) best_raw = raw;
        if (sr < best_swap) best_swap = sr;
        if (su < best_sum) best_sum = su;
        if (cr < best_crc) best_crc = cr;
    }
    printf("swap_read: %.0f ns/page; raw pread 4 KiB: %.0f ns/page; ratio %.2f\n",
           best_swap * 1e9, best_raw * 1e9, best_swap / best_raw);
    printf("page checksum alone: %.0f ns/page (%.1f GB/s); zlib crc32: %.0f ns/page; ratio %.2f%s\n",
           best_sum * 1e9, PG / best_sum / 1e9, best_crc * 1e9, best_sum / best_crc,
           sink == 42 ? " " : "");
    free(order);
    swap_close(sw);
    return 0;
}
