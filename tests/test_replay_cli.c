/* test_replay_cli.c — `vmlab replay` and `vmlab sweep` from the command line. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmlab/trace.h>

#include "lib/run.h"
#include "lib/tap.h"

static char tmpdir[] = "/tmp/vmlab-replay-cli-XXXXXX";


static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void known_answers(void)
{
    const char *v = vmlab_bin();
    struct run_result r = run_fmt("%s replay --json --frames 3 --policy fifo --refs 1,2,3,4,1,2,5,1,2,3,4,5", v);
    is_i64(r.status, 0, "replay --refs exits 0");
    is_u64(json_u64(r.out, "pgfault"), 9, "Belady's string, FIFO, 3 frames: pgfault 9");
    is_u64(json_u64(r.out, "accesses"), 12, "12 accesses");
    run_free(&r);
    r = run_fmt("%s replay --json --frames 4 --policy fifo --refs '1 2 3 4 1 2 5 1 2 3 4 5'", v);
    is_u64(json_u64(r.out, "pgfault"), 10, "Belady's string, FIFO, 4 frames: pgfault 10");
    run_free(&r);
    r = run_fmt("%s replay --json -n 3 -p opt --refs 7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1", v);
    is_u64(json_u64(r.out, "pgfault"), 9, "Silberschatz string, OPT, 3 frames: pgfault 9");
    run_free(&r);
    r = run_fmt("%s replay --json -n 3 -p lru --refs 7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1", v);
    is_u64(json_u64(r.out, "pgfault"), 12, "Silberschatz string, LRU, 3 frames: pgfault 12");
    run_free(&r);
}

/* The text report's "N /1k accesses" of every counter line is the count
 * times 1000 over accesses, printed with 3 decimals; pgfault's percentage
 * is the miss ratio. */
static void text_rates(void)
{
    struct run_result r = run_fmt("%s replay --frames 16 --limit 50000 examples/traces/bzip.trace.gz",
                              vmlab_bin());
    uint64_t accesses = 0;
    int lines = 0, wrong = 0;
    for (const char *line = r.out; line && *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            break;
        char num[40] = "", name[64] = "";
        const char *rate = strstr(line, " /1k accesses");
        if (sscanf(line, " %39[0-9,] %63s", num, name) == 2) {
            uint64_t v = 0;
            for (const char *c = num; *c; c++)
                if (*c != ',')
                    v = v * 10 + (uint64_t)(*c - '0');
            if (!strcmp(name, "accesses"))
                accesses = v;
            else if (rate && rate < eol && accesses) {
                const char *start = rate;
                while (start > line && (start[-1] == '.' || (start[-1] >= '0' && start[-1] <= '9')))
                    start--;
                char want[40], got[40];
                snprintf(want, sizeof want, "%.3f", 1000.0 * (double)v / (double)accesses);
                snprintf(got, sizeof got, "%.*s", (int)(rate - start), start);
                lines++;
                if (strcmp(want, got)) {
                    wrong++;
                    tap_diag("%s: %llu -> %s /1k accesses, want %s", name, (unsigned long long)v,
                             got, want);
                }
                if (!strcmp(name, "pgfault")) {
                    char pct[40];
                    snprintf(pct, sizeof pct, "%6.2f%% miss ratio", 100.0 * (double)v / (double)accesses);
                    if (!strstr(line, pct) || strstr(line, pct) > eol) {
                        wrong++;
                        tap_diag("pgfault line lacks '%s'", pct);
                    }
                }
            }
        }
        line = eol + 1;
    }
    ok(accesses == 50000 && lines >= 10 && wrong == 0,
       "text report: every rate per 1000 accesses is count x 1000 / accesses (%d lines)", lines);
    run_free(&r);
}

/* The footprint (distinct pages, the cold-miss floor) and the miss ratio
 * beside the fault count, in text, JSON and CSV. */
static void footprint_and_miss_ratio(void)
{
    const char *v = vmlab_bin();
    const char *refs = "--frames 3 --policy fifo --refs 1,2,3,4,1,2,5,1,2,3,4,5";
    struct run_result r = run_fmt("%s replay --json %s", v, refs);
    is_u64(json_u64(r.out, "footprint"), 5, "JSON: footprint 5 (pages 1..5)");
    ok(strstr(r.out, "\"miss_ratio\": 0.750000") != NULL, "JSON: miss ratio 9/12");
    run_free(&r);
    r = run_fmt("%s replay %s", v, refs);
    ok(strstr(r.out, "  5  footprint ") && strstr(r.out, " 75.00% miss ratio"),
       "text: footprint and miss ratio beside pgfault");
    run_free(&r);
    r = run_fmt("%s replay --csv %s", v, refs);
    const char *row = r.out ? strstr(r.out, "\r\n") : NULL;
    ok(r.out && strstr(r.out, ",footprint,") && strstr(r.out, ",miss_ratio,") && row &&
       strstr(row, ",0.750000,"), "CSV: footprint and miss_ratio columns");
    run_free(&r);
    r = run_fmt("%s replay --json --frames 4096 --limit 100000 examples/traces/bzip.trace.gz", v);
    ok(json_u64(r.out, "footprint") == json_u64(r.out, "pgfault") && json_u64(r.out, "footprint") > 100,
       "with memory to spare every fault is a cold miss: pgfault == footprint (%llu)",
       (unsigned long long)json_u64(r.out, "footprint"));
    run_free(&r);
}

static void schema(void)
{
    const char *v = vmlab_bin();
    struct run_result r = run_fmt("%s replay --json --frames 8 examples/traces/trace3", v);
    is_i64(r.status, 0, "replay --json of a course trace");
    static const char *const keys[] = {"accesses", "pgfault", "pgmajfault", "pswpin", "pswpout",
                                       "pgsteal", "pgscan", "dTLB-loads", "dTLB-load-misses",
                                       "dTLB-stores", "dTLB-store-misses", "iTLB-load-misses",
                                       "walks", "nr_tlb_local_flush_one", NULL};
    int missing = 0;
    for (int i = 0; keys[i]; i++)
        if (json_u64(r.out, keys[i]) == UINT64_MAX) {
            tap_diag("missing key %s", keys[i]);
            missing++;
        }
    ok(missing == 0, "the JSON stats carry the counter names");
    ok(r.out && strstr(r.out, "\"config\": {") && strstr(r.out, "\"stats\": {") &&
       strstr(r.out, "\"policy\": \"clock\""), "JSON has config and stats objects");
    is_u64(json_u64(r.out, "accesses"), 201, "trace3 has 201 accesses");
    run_free(&r);

    r = run_fmt("%s replay --csv --frames 8 examples/traces/trace3", v);
    char *nl = r.out ? strchr(r.out, '\n') : NULL;
    int hcommas = 0, rcommas = 0;
    for (char *p = r.out; p && p < nl; p++)
        hcommas += *p == ',';
    bool quoted = false;                       /* RFC 4180: commas inside quotes are data */
    for (char *p = nl ? nl + 1 : NULL; p && *p && (*p != '\n' || quoted); p++) {
        if (*p == '"')
            quoted = !quoted;
        rcommas += *p == ',' && !quoted;
    }
    ok(nl && hcommas > 20 && hcommas == rcommas, "CSV header and row have the same number of fields (%d, %d)",
       hcommas, rcommas);
    run_free(&r);

    r = run_fmt("%s replay --frames 8 examples/traces/trace3", v);
    ok(r.out && strstr(r.out, "dTLB-load-misses") && strstr(r.out, "pgfault") &&
       strstr(r.out, "effective access time"), "text report has the counters and the access time");
    run_free(&r);
    text_rates();
    footprint_and_miss_ratio();
}

/* OPT against the course simulators (which evict the lowest-numbered frame
 * among pages never used again): bzip, 256 frames, 36 pages written out;
 * clean-first: the same faults, fewer writes. With --limit OPT loads only
 * the records it replays. */
static void opt_known_answers(void)
{
    const char *v = vmlab_bin();
    struct run_result r = run_fmt("%s replay --json --frames 256 --policy opt examples/traces/bzip.trace.gz", v);
    uint64_t faults = json_u64(r.out, "pgfault");
    is_u64(json_u64(r.out, "pswpout"), 36, "OPT, bzip, 256 frames: 36 write-backs, as the course simulators");
    run_free(&r);
    r = run_fmt("%s replay --json --frames 256 --policy opt --opt-ties clean-first "
            "examples/traces/bzip.trace.gz", v);
    ok(json_u64(r.out, "pgfault") == faults && json_u64(r.out, "pswpout") < 36 &&
       strstr(r.out, "\"opt_ties\": \"clean-first\""),
       "--opt-ties clean-first: the same %llu faults, fewer write-backs (%llu)",
       (unsigned long long)faults, (unsigned long long)json_u64(r.out, "pswpout"));
    run_free(&r);
    r = run_fmt("%s replay --opt-ties oldest --refs 1", v);
    is_i64(r.status, 2, "an unknown tie rule is a usage error");
    run_free(&r);
}

static long maxrss_kb(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s replay --quiet %s", vmlab_bin(), args);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int ws;
    struct rusage ru;
    if (wait4(pid, &ws, 0, &ru) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
        return -1;
    return ru.ru_maxrss;
}

static void opt_limit_memory(void)
{
    char small[256], big[256], e[256], a[600], b[600];
    snprintf(small, sizeof small, "%s/o1.vmt", tmpdir);
    snprintf(big, sizeof big, "%s/o10.vmt", tmpdir);
    if (trace_synth_write_vmt(small, 300000, 3, e, sizeof e) ||
        trace_synth_write_vmt(big, 3000000, 3, e, sizeof e)) {
        tap_skip(1, "cannot write synthetic traces");
        return;
    }
    snprintf(a, sizeof a, "--policy opt --frames 256 --limit 100000 %s", small);
    snprintf(b, sizeof b, "--policy opt --frames 256 --limit 100000 %s", big);
    long ka = maxrss_kb(a), kb = maxrss_kb(b);
    ok(ka > 0 && kb > 0 && kb < ka + 8192, "OPT with --limit loads only the records it replays: "
       "%ld KiB for a trace 10x as long as one of %ld KiB", kb, ka);
    unlink(small);
    unlink(big);
}

static void bad_input(void)
{
    const char *v = vmlab_bin();
    char path[256];
    snprintf(path, sizeof path, "%s/bad.rw", tmpdir);
    write_file(path, "0041f7a0 R\n13f5e2c0 W\n0041f7a0 Q\n05e78900 R\n");
    struct run_result r = run_fmt("%s replay --format rw %s", v, path);
    is_i64(r.status, 1, "a malformed line exits 1");
    char want[300];
    snprintf(want, sizeof want, "%s:3", path);
    if (!ok(r.err && strstr(r.err, want), "the message names the file and line"))
        tap_diag("stderr: %s", r.err ? r.err : "");
    run_free(&r);
    r = run_fmt("%s replay --json --skip-bad --format rw %s", v, path);
    is_i64(r.status, 0, "--skip-bad goes on");
    is_u64(json_u64(r.out, "accesses"), 3, "three good lines replayed");
    is_u64(json_u64(r.out, "skipped_lines"), 1, "one line skipped");
    run_free(&r);

    r = run_fmt("%s replay --frames 0 --refs 1", v);
    is_i64(r.status, 2, "--frames 0 is a usage error");
    run_free(&r);
    r = run_fmt("%s replay --policy belady --refs 1", v);
    ok(r.status == 2 && r.err && strstr(r.err, "--policy"), "an unknown policy is named");
    run_free(&r);
    r = run_fmt("%s replay --tlb-geometry l1d=7x2 --refs 1", v);
    ok(r.status == 2 && r.err && strstr(r.err, "l1d"), "an impossible TLB geometry is named");
    run_free(&r);
    r = run_fmt("%s replay /nonexistent/trace", v);
    ok(r.status == 1 && r.err && strstr(r.err, "/nonexistent/trace"), "a missing file is named");
    run_free(&r);
    r = run_fmt("%s replay --mem 1Q --refs 1", v);
    is_i64(r.status, 2, "a bad size is a usage error");
    run_free(&r);
}

static void determinism_and_formats(void)
{
    const char *v = vmlab_bin();
    struct run_result a = run_fmt("%s replay --json --frames 32 --limit 100000 examples/traces/bzip.trace.gz", v);
    struct run_result b = run_fmt("%s replay --json --frames 32 --limit 100000 examples/traces/bzip.trace.gz", v);
    char *sa = a.out ? strstr(a.out, "\"stats\"") : NULL, *sb = b.out ? strstr(b.out, "\"stats\"") : NULL;
    char *da = sa ? strstr(sa, "\"derived\"") : NULL, *db = sb ? strstr(sb, "\"derived\"") : NULL;
    ok(sa && sb && da && db && da - sa == db - sb && !memcmp(sa, sb, (size_t)(da - sa)),
       "two runs of the same input and options give the same counters");
    is_u64(json_u64(a.out, "accesses"), 100000, "--limit 100000");
    ok(json_u64(a.out, "pswpout") > 0, "32 frames on bzip: pages are written to swap");
    run_free(&a);
    run_free(&b);

    /* the same accesses as vmt give the same counters */
    char vmt[256];
    snprintf(vmt, sizeof vmt, "%s/t3.vmt", tmpdir);
    struct run_result c = run_fmt("%s convert examples/traces/trace3 -o %s", v, vmt);
    is_i64(c.status, 0, "convert to vmt");
    run_free(&c);
    a = run_fmt("%s replay --json --frames 8 examples/traces/trace3", v);
    b = run_fmt("%s replay --json --frames 8 %s", v, vmt);
    is_u64(json_u64(b.out, "pgfault"), json_u64(a.out, "pgfault"), "vmt replay: same pgfault as the text trace");
    is_u64(json_u64(b.out, "dTLB-load-misses"), json_u64(a.out, "dTLB-load-misses"),
           "vmt replay: same dTLB-load-misses");
    run_free(&a);
    run_free(&b);

    /* every format and policy runs */
    static const char *const pts[] = {"x86-64", "x86-64-5", "sv39", "sv48", "sv57"};
    for (int i = 0; i < 5; i++) {
        a = run_fmt("%s replay --json --pt %s --frames 16 --limit 20000 examples/traces/bzip.trace.gz", v, pts[i]);
        ok(a.status == 0 && json_u64(a.out, "accesses") == 20000, "--pt %s replays", pts[i]);
        run_free(&a);
    }
    static const char *const pols[] = {"clock", "clock-noflush", "fifo", "lru", "opt", "random",
                                       "aging", "linux"};
    for (int i = 0; i < 8; i++) {
        a = run_fmt("%s replay --json --policy %s --frames 16 --limit 20000 examples/traces/bzip.trace.gz",
                v, pols[i]);
        ok(a.status == 0 && json_u64(a.out, "pgfault") > 0, "--policy %s replays", pols[i]);
        run_free(&a);
    }
}

static void interrupt(void)
{
    /* a long synthetic trace, stopped with SIGINT: exit 130, counts so far */
    char vmt[256], out[256], err[256];
    snprintf(vmt, sizeof vmt, "%s/long.vmt", tmpdir);
    snprintf(out, sizeof out, "%s/int.json", tmpdir);
    char e[256];
    if (trace_synth_write_vmt(vmt, 30000000, 1, e, sizeof e)) {
        tap_skip(3, "cannot write a synthetic trace");
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execl(vmlab_bin(), "vmlab", "replay", "--json", "--frames", "64", "-o", out, vmt, (char *)NULL);
        _exit(127);
    }
    usleep(1000000);                 /* well after start-up, well before the end */
    kill(pid, SIGINT);
    int ws;
    waitpid(pid, &ws, 0);
    ok(WIFEXITED(ws) && WEXITSTATUS(ws) == 130, "Ctrl-C: exit status 130");
    FILE *f = fopen(out, "r");
    char buf[16384] = "";
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
    }
    uint64_t acc = json_u64(buf, "accesses");
    ok(acc > 0 && acc < 30000000, "Ctrl-C: the report holds what was counted so far (%llu)",
       (unsigned long long)acc);
    ok(strstr(buf, "\"interrupted\": true") != NULL, "Ctrl-C: the report says it was interrupted");
    (void)err;
}

static void sweep(void)
{
    const char *v = vmlab_bin();
    char prefix[256], path[300];
    snprintf(prefix, sizeof prefix, "%s/sw", tmpdir);
    struct run_result r = run_fmt("%s sweep --frames-list 8,16,32 --policies fifo,lru --out %s "
                              "--limit 50000 examples/traces/bzip.trace.gz", v, prefix);
    is_i64(r.status, 0, "sweep exits 0");
    run_free(&r);
    snprintf(path, sizeof path, "%s.csv", prefix);
    FILE *f = fopen(path, "r");
    int lines = 0;
    char line[8192];
    while (f && fgets(line, sizeof line, f))
        lines++;
    if (f)
        fclose(f);
    is_i64(lines, 7, "sweep CSV: a header and 3 x 2 rows");
    snprintf(path, sizeof path, "%s.html", prefix);
    f = fopen(path, "r");
    static char html[1 << 20];
    size_t n = f ? fread(html, 1, sizeof html - 1, f) : 0;
    html[n] = 0;
    if (f)
        fclose(f);
    ok(strstr(html, "<svg") && strstr(html, "page faults vs memory size"), "sweep HTML has the fault chart");

    /* the page as a browser parses it: three charts of two series each */
    if (access("/usr/bin/chromium", X_OK) == 0) {
        r = run_fmt("timeout 90 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic "
                "--no-first-run --disable-background-networking --disable-component-update "
                "--disable-sync --user-data-dir=%s/chromium --dump-dom file://%s", tmpdir, path);
        size_t svgs = 0, polylines = 0;
        for (const char *q = r.out; q && (q = strstr(q, "<svg")); q++)
            svgs++;
        for (const char *q = r.out; q && (q = strstr(q, "<polyline")); q++)
            polylines++;
        ok(svgs == 3 && polylines == 6, "Chromium renders the sweep page: 3 charts, 6 lines (%zu, %zu)",
           svgs, polylines);
        run_free(&r);
    } else {
        tap_skip(1, "/usr/bin/chromium not installed");
    }
    ok(!strstr(html, "src=\"http") && !strstr(html, "href=\"http") && !strstr(html, "url(http") &&
       !strstr(html, "@import") && !strstr(html, "<script src"),
       "sweep HTML needs no network");

    r = run_fmt("%s sweep --tlb-sizes 8,64 --page-sizes 4k --out %s --limit 50000 examples/traces/bzip.trace.gz",
            v, prefix);
    is_i64(r.status, 0, "TLB sweep exits 0");
    run_free(&r);
    f = fopen(path, "r");
    n = f ? fread(html, 1, sizeof html - 1, f) : 0;
    html[n] = 0;
    if (f)
        fclose(f);
    ok(strstr(html, "dTLB load misses vs TLB size") != NULL, "TLB sweep HTML has the TLB chart");
}

/* A program run live under Valgrind: Valgrind's own start-up varies from
 * run to run, so only the shape of the counts is checked. */
static void live(void)
{
    const char *v = vmlab_bin();
    struct run_result r = run_fmt("valgrind --version");
    bool have = r.status == 0;
    run_free(&r);
    if (!have) {
        tap_skip(3, "valgrind not installed");
        return;
    }
    r = run_fmt("%s replay --json --frames 64 -- /bin/true", v);
    is_i64(r.status, 0, "replay -- /bin/true exits 0");
    ok(json_u64(r.out, "accesses") > 10000 && json_u64(r.out, "iTLB-loads") > 0 &&
       json_u64(r.out, "pgfault") > 10, "a live run replays fetches, loads and stores (%llu accesses)",
       (unsigned long long)json_u64(r.out, "accesses"));
    run_free(&r);
    r = run_fmt("%s replay --frames 64 -- /nonexistent/program", v);
    ok(r.status != 0, "a program that cannot run is an error");
    run_free(&r);
}

/* Streaming: a replay's memory does not grow with the trace. Two traces,
 * one ten times the other, replayed with the same memory: the peak
 * resident set of the second is not ten times the first's. */
static long replay_maxrss_kb(const char *vmt)
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execl(vmlab_bin(), "vmlab", "replay", "--quiet", "--frames", "512", vmt, (char *)NULL);
        _exit(127);
    }
    int ws;
    struct rusage ru;
    if (wait4(pid, &ws, 0, &ru) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
        return -1;
    return ru.ru_maxrss;
}

static void constant_memory(void)
{
    char small[256], big[256], e[256];
    snprintf(small, sizeof small, "%s/small.vmt", tmpdir);
    snprintf(big, sizeof big, "%s/big.vmt", tmpdir);
    const char *san = getenv("VMLAB_SAN");
    uint64_t n = san && *san ? 300000 : 1000000;          /* sanitizer builds run slower */
    if (trace_synth_write_vmt(small, n, 3, e, sizeof e) ||
        trace_synth_write_vmt(big, 10 * n, 3, e, sizeof e)) {
        tap_skip(1, "cannot write synthetic traces");
        return;
    }
    long a = replay_maxrss_kb(small), b = replay_maxrss_kb(big);
    ok(a > 0 && b > 0 && b < 2 * a + 16384,
       "streaming replay: peak memory %ld KiB for %llu accesses, %ld KiB for ten times as many", a,
       (unsigned long long)n, b);
    unlink(small);
    unlink(big);
}

/* The same sweep on one thread and on two gives the same counters. */
static void sweep_jobs(void)
{
    const char *v = vmlab_bin();
    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "%s/j1", tmpdir);
    snprintf(p2, sizeof p2, "%s/j2", tmpdir);
    struct run_result a = run_fmt("%s sweep -j 1 --frames-list 8,64 --policies clock,random --out %s "
                              "--limit 30000 examples/traces/bzip.trace.gz && cut -d, -f1-80 %s.csv",
                              v, p1, p1);
    struct run_result b = run_fmt("%s sweep -j 2 --frames-list 8,64 --policies clock,random --out %s "
                              "--limit 30000 examples/traces/bzip.trace.gz && cut -d, -f1-80 %s.csv",
                              v, p2, p2);
    ok(a.status == 0 && b.status == 0 && a.out && b.out && strlen(a.out) > 200 &&
       !strcmp(strstr(a.out, "\n"), strstr(b.out, "\n")),
       "sweep -j 1 and -j 2 give the same counters");
    run_free(&a);
    run_free(&b);
}

/* Every option in --help is in the README too. */
static void readme_lists_options(void)
{
    static const char *const cmds[] = {"replay", "sweep"};
    FILE *f = fopen("README.md", "r");
    static char readme[1 << 17];
    size_t n = f ? fread(readme, 1, sizeof readme - 1, f) : 0;
    readme[n] = 0;
    if (f)
        fclose(f);
    for (int c = 0; c < 2; c++) {
        struct run_result r = run_fmt("%s %s --help", vmlab_bin(), cmds[c]);
        int missing = 0, seen = 0;
        for (const char *p = r.out; p && (p = strstr(p, "--")); ) {
            char opt[64];
            size_t k = 0;
            while (k < sizeof opt - 1 && (p[k] == '-' || (p[k] >= 'a' && p[k] <= 'z')))
                opt[k] = p[k], k++;
            opt[k] = 0;
            p += k ? k : 2;
            if (k <= 2)
                continue;
            seen++;
            if (!strstr(readme, opt)) {
                tap_diag("README lacks %s of vmlab %s", opt, cmds[c]);
                missing++;
            }
        }
        ok(seen > 10 && missing == 0, "README lists every option of vmlab %s (%d)", cmds[c], seen);
        run_free(&r);
    }
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    known_answers();
    opt_known_answers();
    opt_limit_memory();
    schema();
    bad_input();
    determinism_and_formats();
    interrupt();
    sweep();
    sweep_jobs();
    readme_lists_options();
    constant_memory();
    live();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd)) {
    }
    return tap_done();
}
