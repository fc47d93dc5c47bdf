/* bench_vmt_decode.c — vmt decoding throughput, the "decode-only" floor
 * that replay benchmarks compare against (they call the same
 * trace_drain_file()).
 *
 * Writes a synthetic vmt trace (default 40 M records; VMLAB_BENCH_RECORDS
 * to change) to /tmp, then times, best of three after a warm-up:
 *   - reading the file with read(2) into a 1 MiB buffer (the I/O floor),
 *   - decoding it to records with trace_drain_file(),
 * and prints records/s, both byte rates and their ratio.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <vmlab/trace.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Seconds to read the whole file; *bytes set. */
static double time_read(const char *path, uint64_t *bytes)
{
    static char buf[1 << 20];
    double t = now();
    int fd = open(path, O_RDONLY);
    ssize_t n;
    uint64_t total = 0;
    while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
        total += (uint64_t)n;
    if (fd >= 0)
        close(fd);
    *bytes = total;
    return now() - t;
}

int main(void)
{
    const char *env = getenv("VMLAB_BENCH_RECORDS");
    uint64_t n = env && atoll(env) > 0 ? (uint64_t)atoll(env) : 40000000;
    char path[] = "/tmp/vmlab-bench-vmt-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    char err[512];
    double t0 = now();
    if (trace_synth_write_vmt(path, n, 1, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        unlink(path);
        return 1;
    }
    double wt = now() - t0;
    uint64_t bytes;
    time_read(path, &bytes);   /* warm the page cache */
    printf("wrote %llu records, %.1f MB (%.2f bytes/record) in %.2f s (%.0f M records/s)\n",
           (unsigned long long)n, bytes / 1e6, (double)bytes / n, wt, n / wt / 1e6);

    double read_best = 1e9, dec_best = 1e9;
    struct trace_drain_result res = {0};
    for (int round = 0; round < 3; round++) {
        double t = time_read(path, &bytes);
        if (t < read_best)
            read_best = t;
        if (trace_drain_file(path, TRACE_VMT, &res, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            unlink(path);
            return 1;
        }
        if (res.seconds < dec_best)
            dec_best = res.seconds;
    }
    unlink(path);
    if (res.records != n) {
        fprintf(stderr, "decoded %llu records, wrote %llu\n", (unsigned long long)res.records,
                (unsigned long long)n);
        return 1;
    }
    double dec_mbs = bytes / 1e6 / dec_best, read_mbs = bytes / 1e6 / read_best;
    printf("vmt decode: %.0f M records/s (%.0f MB/s); read(2): %.0f MB/s; ratio %.2f\n",
           n / dec_best / 1e6, dec_mbs, read_mbs, dec_mbs / read_mbs);
    return 0;
}
