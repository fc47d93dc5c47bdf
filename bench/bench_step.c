/* bench_step.c — the cost of watching: `vmlab step` and `vmlab explore`.
 *
 * 1. `vmlab step --json-lines` over the bundled bzip trace (1M accesses),
 *    in steps per second, beside `vmlab replay` of the same trace with the
 *    same options in the same run: the ratio is what watching every access
 *    costs (each access then takes the slow path that tells, and every
 *    event is printed as JSON).
 * 2. `vmlab explore` of the same trace at its default (10,000 steps): the
 *    page's size against its 5 MB budget, and the time Chromium takes to
 *    load it (from navigation to the load event, as the page measures it),
 *    beside a page of one step in the same run. Target: at most 5 MB and
 *    2 s. Skipped when /usr/bin/chromium is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TRACE "examples/traces/bzip.trace.gz"
#define CHROMIUM "/usr/bin/chromium"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall time of the best of n runs of cmd. */
static double best(int n, const char *cmd)
{
    double b = 1e30;
    for (int i = 0; i < n; i++) {
        double t0 = now();
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_step: '%s' failed\n", cmd);
            exit(1);
        }
        double t = now() - t0;
        if (t < b)
            b = t;
    }
    return b;
}

/* Chromium's load time of a page, in ms (the page's own measure: from the
 * navigation's start to its load event), the best of n; -1 if unknown. */
static double load_ms(const char *page, int n)
{
    double b = -1;
    for (int i = 0; i < n; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "rm -rf /tmp/vmlab-bench-chromium && timeout 120 " CHROMIUM " --headless --no-sandbox "
                 "--disable-gpu --no-first-run --disable-background-networking "
                 "--user-data-dir=/tmp/vmlab-bench-chromium --dump-dom 'file://%s' 2>/dev/null", page);
        FILE *p = popen(cmd, "r");
        if (!p)
            return -1;
        char buf[1 << 16];
        double ms = -1;
        while (fgets(buf, sizeof buf, p)) {
            char *at = strstr(buf, "data-load-ms=\"");
            if (at)
                ms = atof(at + 14);
        }
        pclose(p);
        if (ms >= 0 && (b < 0 || ms < b))
            b = ms;
    }
    if (system("rm -rf /tmp/vmlab-bench-chromium") != 0)
        fprintf(stderr, "bench_step: could not remove the profile\n");
    return b;
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int main(void)
{
    const char *v = getenv("VMLAB") ? getenv("VMLAB") : "build/vmlab";
    char cmd[1024];
    const long long accesses = 1000000;      /* the bzip trace */

    snprintf(cmd, sizeof cmd, "%s step --json-lines --frames 256 %s > /dev/null", v, TRACE);
    double step = best(3, cmd);
    snprintf(cmd, sizeof cmd, "%s step --json-lines --frames 256 %s | wc -c > /tmp/vmlab-bench-step.n", v, TRACE);
    double bytes = 0;
    if (system(cmd) == 0) {
        FILE *f = fopen("/tmp/vmlab-bench-step.n", "r");
        if (f && fscanf(f, "%lf", &bytes) != 1)
            bytes = 0;
        if (f)
            fclose(f);
        unlink("/tmp/vmlab-bench-step.n");
    }
    snprintf(cmd, sizeof cmd, "%s replay --quiet --frames 256 %s", v, TRACE);
    double replay = best(3, cmd);
    printf("vmlab step --json-lines, bzip (1M accesses, 256 frames): %.0f k steps/s (%.0f MB/s of "
           "JSON); vmlab replay of the same: %.1f M accesses/s; ratio %.1fx the replay's time\n",
           (double)accesses / step / 1e3, bytes / step / 1e6, (double)accesses / replay / 1e6,
           step / replay);

    const char *page = "/tmp/vmlab-bench-explore.html", *small = "/tmp/vmlab-bench-explore-1.html";
    snprintf(cmd, sizeof cmd, "%s explore -o %s %s 2>/dev/null", v, page, TRACE);
    double made = best(1, cmd);
    snprintf(cmd, sizeof cmd, "%s explore --count 1 -o %s %s 2>/dev/null", v, small, TRACE);
    best(1, cmd);
    long long size = file_size(page), size1 = file_size(small);
    printf("vmlab explore, bzip, the default 10000 steps: a page of %.2f MB (budget 5 MB: %.0f%%; a "
           "page of one step: %.2f MB), written in %.2f s\n",
           (double)size / 1e6, 100.0 * (double)size / 5e6, (double)size1 / 1e6, made);
    if (access(CHROMIUM, X_OK) != 0) {
        printf("explorer load time: skipped (" CHROMIUM " is not installed)\n");
    } else {
        double ms = load_ms(page, 3), ms1 = load_ms(small, 3);
        printf("explorer load time in Chromium (navigation to load event): %.0f ms (target <= 2000 ms); "
               "a page of one step: %.0f ms; ratio %.1fx\n",
               ms, ms1, ms1 > 0 ? ms / ms1 : 0);
    }
    unlink(page);
    unlink(small);
    return 0;
}
