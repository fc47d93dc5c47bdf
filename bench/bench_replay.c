/* bench_replay.c — replay throughput against decode-only, and a full sweep.
 *
 * 1. A real program's trace (the bundled bzip course trace, ten times over:
 *    10M accesses, TLB hits dominant) is written as vmt, replayed through the
 *    whole system, and, in the same run, only decoded.
 *    Target: the replay costs at most 3x the decoding.
 * 2. `vmlab sweep` of a 1M-access trace over 8 memory sizes x 4 policies.
 *    Target: under 10 s on a 2-core machine; printed beside one replay of
 *    the same trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replay/replay.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double best_of(int n, double (*fn)(const char *), const char *arg)
{
    double best = 1e30;
    for (int i = 0; i < n; i++) {
        double t = fn(arg);
        if (t < best)
            best = t;
    }
    return best;
}

static double decode_only(const char *path)
{
    struct trace_drain_result d;
    char err[512];
    if (trace_drain_file(path, TRACE_VMT, &d, err, sizeof err)) {
        fprintf(stderr, "bench_replay: %s\n", err);
        exit(1);
    }
    return d.seconds;
}

static double replay_once(const char *path)
{
    char err[512];
    struct trace_reader *r = trace_open(path, TRACE_VMT, NULL, err, sizeof err);
    if (!r) {
        fprintf(stderr, "bench_replay: %s\n", err);
        exit(1);
    }
    struct replay_config cfg;
    replay_config_default(&cfg);
    cfg.frames = 1 << 16;               /* ample: no eviction, TLB hits dominate */
    struct replay_source src = {.reader = r};
    struct replay_result res;
    double t0 = now();
    if (replay_run(&cfg, &src, &res, err, sizeof err)) {
        fprintf(stderr, "bench_replay: %s\n", err);
        exit(1);
    }
    double t = now() - t0;
    trace_close(r);
    return t;
}

static double run_command(const char *cmd)
{
    double t0 = now();
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_replay: '%s' failed\n", cmd);
        exit(1);
    }
    return now() - t0;
}

int main(void)
{
    const char *trace = "examples/traces/bzip.trace.gz";
    char path[] = "/tmp/vmlab-bench-replay-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    char err[512];
    uint64_t n = 0;
    struct trace_writer *w = trace_writer_open(path, err, sizeof err);
    for (int pass = 0; w && pass < 10; pass++) {
        struct trace_reader *r = trace_open(trace, TRACE_AUTO, NULL, err, sizeof err);
        struct trace_record rec;
        if (!r)
            break;
        while (trace_next(r, &rec) == 1 && trace_write(w, &rec) == 0)
            n++;
        trace_close(r);
    }
    if (!w || trace_writer_close(w, err, sizeof err) || n != 10000000) {
        fprintf(stderr, "bench_replay: cannot build the vmt trace: %s\n", err);
        return 1;
    }
    double dec = best_of(3, decode_only, path);
    double rep = best_of(3, replay_once, path);
    printf("vmt replay (whole system, TLB hits dominant): %.1f M accesses/s; decode only: %.1f M "
           "records/s; cost ratio %.2fx (target <= 3x)\n",
           (double)n / rep / 1e6, (double)n / dec / 1e6, rep / dec);
    unlink(path);

    const char *vmlab = getenv("VMLAB") ? getenv("VMLAB") : "build/vmlab";
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s replay --quiet --frames 64 %s", vmlab, trace);
    double one = best_of(3, run_command, cmd);
    snprintf(cmd, sizeof cmd,
             "%s sweep --frames-list 16,32,64,128,256,512,1024,2048 --policies fifo,lru,clock,opt "
             "--out /tmp/vmlab-bench-sweep %s >/dev/null", vmlab, trace);
    double sweep = best_of(2, run_command, cmd);
    printf("sweep of a 1M-access trace, 8 sizes x 4 policies: %.2f s (target < 10 s); one replay: "
           "%.3f s; ratio %.1fx for 32 runs\n", sweep, one, sweep / one);
    unlink("/tmp/vmlab-bench-sweep.csv");
    unlink("/tmp/vmlab-bench-sweep.html");
    return 0;
}
