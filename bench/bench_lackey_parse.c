/* bench_lackey_parse.c — lackey text parsing throughput against `wc -l`.
 *
 * Writes a lackey-like trace (default 256 MB; VMLAB_BENCH_MB to change)
 * of synthetic accesses with Valgrind's line shapes, including M records
 * and "==PID==" lines, to /tmp; then times `wc -l` and vmlab's reader on
 * the same file (best of three each, after a warm-up that puts the file in
 * the page cache) and prints both and their ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vmlab/trace.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *put_hex(char *p, uint64_t v, int min_digits)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n < min_digits)
        tmp[n++] = '0';
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_dec(char *p, uint32_t v)
{
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* Returns the bytes written. */
static size_t generate(const char *path, size_t bytes)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    static char buf[1 << 20];
    struct trace_synth s;
    trace_synth_init(&s, 1);
    size_t total = 0;
    fputs("==4242== Lackey, an example Valgrind tool\n==4242== Command: ./bench\n", f);
    while (total < bytes) {
        char *p = buf;
        while (p < buf + sizeof buf - 64) {
            struct trace_record r;
            trace_synth_next(&s, &r);
            if (r.kind == VM_ACCESS_FETCH) {
                memcpy(p, "I  ", 3);
            } else {
                /* One data access in eight is a modify, like real code. */
                bool modify = (r.va >> 3 & 7) == 0;
                memcpy(p, modify ? " M " : r.kind == VM_ACCESS_READ ? " L " : " S ", 3);
            }
            p = put_hex(p + 3, r.va, 8);
            *p++ = ',';
            p = put_dec(p, r.size);
            *p++ = '\n';
        }
        fwrite(buf, 1, (size_t)(p - buf), f);
        total += (size_t)(p - buf);
    }
    fputs("==4242== \n==4242== Exit code:       0\n", f);
    if (fclose(f) != 0)
        return 0;
    return total;
}

static double time_wc(const char *path, long *lines)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "wc -l < '%s'", path);
    double t = now();
    FILE *p = popen(cmd, "r");
    if (!p || fscanf(p, "%ld", lines) != 1)
        *lines = -1;
    if (p)
        pclose(p);
    return now() - t;
}

int main(void)
{
    const char *mb_env = getenv("VMLAB_BENCH_MB");
    size_t mb = mb_env && atoi(mb_env) > 0 ? (size_t)atoi(mb_env) : 256;
    char path[] = "/tmp/vmlab-bench-lackey-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    double t0 = now();
    size_t bytes = generate(path, mb << 20);
    if (!bytes) {
        fprintf(stderr, "cannot write %s\n", path);
        unlink(path);
        return 1;
    }
    printf("generated %.0f MB of lackey text in %.1f s (%s)\n", bytes / 1e6, now() - t0, path);

    long lines = 0;
    time_wc(path, &lines);   /* warm the page cache */
    double wc_best = 1e9, parse_best = 1e9;
    uint64_t records = 0;
    for (int round = 0; round < 3; round++) {
        double t = time_wc(path, &lines);
        if (t < wc_best)
            wc_best = t;
        struct trace_drain_result res;
        char err[512];
        if (trace_drain_file(path, TRACE_LACKEY, &res, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            unlink(path);
            return 1;
        }
        if (res.seconds < parse_best)
            parse_best = res.seconds;
        records = res.records;
    }
    unlink(path);
    double parse_mbs = bytes / 1e6 / parse_best, wc_mbs = bytes / 1e6 / wc_best;
    printf("%ld lines, %llu records\n", lines, (unsigned long long)records);
    printf("lackey parse: %.0f MB/s (%.1f M records/s); wc -l: %.0f MB/s; ratio %.2f\n",
           parse_mbs, records / parse_best / 1e6, wc_mbs, parse_mbs / wc_mbs);
    return 0;
}
