/* bench_swap_pread.c — cost of a swap-in (swap_read: pread + checksum check)
 * against a bare 4 KiB pread of the same file at the same offsets, both from
 * the page cache. The target is a ratio of at most ~1.5. Also prints the
 * checksum alone and zlib's crc32 over a page, for comparison. */
#include "os/swap.h"

#include <pthread.h>
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

static struct swap_dev *g_sw;
static uint32_t *g_order;

struct job {
    bool raw;
    int first, count;
};

static void *reader(void *arg)
{
    struct job *j = arg;
    static __thread unsigned char buf[PG] __attribute__((aligned(64)));
    for (int i = j->first; i < j->first + j->count; i++) {
        if (j->raw) {
            if (pread(swap_fd(g_sw), buf, PG, (off_t)g_order[i] * PG) != PG)
                abort();
        } else if (swap_read(g_sw, g_order[i], buf) != 0) {
            abort();
        }
    }
    return NULL;
}

/* Wall time per page with two threads reading disjoint halves of the order. */
static double two_threads(bool raw)
{
    pthread_t t[2];
    struct job j[2] = { { raw, 0, NOPS / 2 }, { raw, NOPS / 2, NOPS / 2 } };
    double t0 = now();
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, reader, &j[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return (now() - t0) / NOPS;
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
    double best_raw = 1e9, best_swap = 1e9, best_sum = 1e9, best_crc = 1e9, best_port = 1e9;
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

        t = now();
        for (int i = 0; i < NOPS; i++)
            sink += swap_page_checksum_portable(page, order[i]);
        double po = (now() - t) / NOPS;
        if (po < best_port) best_port = po;

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
    printf("portable checksum (no AVX2): %.0f ns/page; zlib crc32: %.0f ns/page; ratio %.2f\n",
           best_port * 1e9, best_crc * 1e9, best_port / best_crc);
    g_sw = sw;
    g_order = order;
    double best2_raw = 1e9, best2_swap = 1e9;
    for (int rep = 0; rep < REPS; rep++) {
        double r = two_threads(true), q = two_threads(false);
        if (r < best2_raw) best2_raw = r;
        if (q < best2_swap) best2_swap = q;
    }
    printf("2 threads: swap_read: %.0f ns/page; raw pread: %.0f ns/page; ratio %.2f\n",
           best2_swap * 1e9, best2_raw * 1e9, best2_swap / best2_raw);

    /* Allocation: a free + alloc pair on a device with 1 Mi slots, all
     * but a few in use, against an uncontended mutex lock/unlock pair. */
    struct swap_dev *big = swap_open(NULL, (uint64_t)1 << 32, err, sizeof err);
    if (!big) {
        fprintf(stderr, "bench_swap_pread: %s\n", err);
        return 1;
    }
    while (swap_alloc(big) >= 0)
        ;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    double best_pair = 1e9, best_mutex = 1e9;
    for (int rep = 0; rep < REPS; rep++) {
        double t = now();
        for (int i = 0; i < NOPS; i++) {
            uint64_t s = order[i] * 256ull + (uint64_t)i % 256;
            swap_free(big, s);
            if (swap_alloc(big) != (int64_t)s)
                return 1;
        }
        double pair = (now() - t) / NOPS;
        t = now();
        for (int i = 0; i < NOPS; i++) {
            pthread_mutex_lock(&m);
            sink += (uint64_t)i;
            pthread_mutex_unlock(&m);
        }
        double mu = (now() - t) / NOPS;
        if (pair < best_pair) best_pair = pair;
        if (mu < best_mutex) best_mutex = mu;
    }
    printf("swap_free+swap_alloc (1 Mi slots, full): %.0f ns/pair; mutex lock+unlock: %.0f ns; ratio %.2f\n",
           best_pair * 1e9, best_mutex * 1e9, best_pair / best_mutex);
    swap_close(big);
    free(order);
    swap_close(sw);
    return 0;
}
