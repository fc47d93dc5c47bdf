/* test_sweep.c — what `vmlab sweep` tells about runs that did not finish,
 * the options it refuses, one swap file per run, and its outputs' form
 * (CRLF CSV, notes, log fault axis, --skip-bad counts).
 * Runs the command named by $VMLAB from the project root. */
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmlab/trace.h>

#include "lib/run.h"
#include "lib/tap.h"

static char dir[] = "/tmp/vmlab-sweep-XXXXXX";

static char *slurp(const char *name, const char *suffix)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s%s", dir, name, suffix);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 22;
    char *buf = malloc(cap);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Cell (row, column name) of an RFC 4180 CSV without quoted commas in the
 * wanted columns; row 0 is the first record after the header. */
static const char *csv_cell(const char *csv, size_t row, const char *name, char *out, size_t len)
{
    out[0] = 0;
    if (!csv)
        return out;
    const char *eol = strstr(csv, "\r\n");
    int col = -1, k = 0;
    for (const char *p = csv; p && p < eol; k++) {
        const char *c = strchr(p, ',');
        if (!c || c > eol)
            c = eol;
        if ((size_t)(c - p) == strlen(name) && !strncmp(p, name, strlen(name)))
            col = k;
        p = c + 1;
    }
    const char *line = eol + 2;
    for (size_t i = 0; i < row && line; i++) {
        line = strstr(line, "\r\n");
        line = line ? line + 2 : NULL;
    }
    if (col < 0 || !line)
        return out;
    bool quoted = false;
    for (int c = 0; *line && c < col; line++) {
        if (*line == '"')
            quoted = !quoted;
        if (*line == ',' && !quoted)
            c++;
    }
    size_t n = strcspn(line, ",\r");
    snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), line);
    return out;
}

static int count_files(const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    if (d)
        closedir(d);
    return n;
}

/* A killed run is marked in the table and the charts, said on stderr and
 * in the exit status. The trace writes 8 pages; with no swap, 4 frames
 * cannot hold them, 16 can. */
static void killed_runs(void)
{
    const char *v = vmlab_bin();
    struct run_result r = run_fmt("%s sweep --swap 0 --frames-list 4,16 --policies fifo,lru --out %s/k "
                              "--refs 1w,2w,3w,4w,5w,6w,7w,8w,1,2,3,4,5,6,7,8", v, dir);
    is_i64(r.status, 3, "killed runs: exit 3");
    ok(strstr(r.err, "run 1 (fifo, 4 frames): the process was killed after 5 accesses: oom-swap-full") &&
       strstr(r.err, "2 of 4 runs were killed"), "stderr names each killed run and counts them (%s)",
       r.err);
    ok(strstr(r.out, "4 of 4 runs of 16 accesses finished, 2 of them killed"),
       "the summary says so");
    run_free(&r);
    char *csv = slurp("k", ".csv");
    ok(csv && !strncmp(csv, "status,input,", 13), "the CSV starts with a status column");
    is_u64(count(csv, "\r\nkilled,"), 2, "two rows say killed");
    is_u64(count(csv, "\r\nok,"), 2, "two rows say ok");
    ok(strstr(csv, "oom-swap-full: write at 0x5000") != NULL, "with the kill message");
    free(csv);
    char *html = slurp("k", ".html");
    is_u64(count(html, "<path class=\"marked\""), 2 * 3, "each killed run is a cross in the 3 charts");
    is_u64(count(html, "<tr class=\"marked\""), 2, "and a marked row of the table");
    ok(strstr(html, "2 marked with a cross (killed or stopped early)") != NULL,
       "the captions say what a cross is");
    ok(strstr(html, "2 of 4 runs: their process was killed") != NULL, "the notes count them");
    free(html);
}

/* Ctrl-C: the outputs say the sweep was interrupted, and which runs are
 * missing; the summary does not claim them. */
static void interrupted(void)
{
    char vmt[600], e[256];
    snprintf(vmt, sizeof vmt, "%s/long.vmt", dir);
    if (trace_synth_write_vmt(vmt, 2000000, 2, e, sizeof e)) {
        tap_skip(5, "cannot write a trace");
        return;
    }
    char out[600], so[600];
    snprintf(out, sizeof out, "%s/i", dir);
    snprintf(so, sizeof so, "%s/i.stdout", dir);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(so, "w", stdout);
        (void)f;
        execl(vmlab_bin(), "vmlab", "sweep", "-j", "1", "--frames-list", "64,128,256,512",
              "--policies", "clock,fifo", "--out", out, vmt, (char *)NULL);
        _exit(127);
    }
    usleep(1500000);
    kill(pid, SIGINT);
    int ws;
    waitpid(pid, &ws, 0);
    ok(WIFEXITED(ws) && WEXITSTATUS(ws) == 130, "interrupted sweep: exit 130 (0x%x)", ws);
    char *csv = slurp("i", ".csv"), *html = slurp("i", ".html"), *text = slurp("i", ".stdout");
    size_t done = count(csv, "\r\nok,"), missing = count(csv, "\r\nnot run,") +
                                                   count(csv, "\r\ninterrupted,");
    ok(csv && done < 8 && missing > 0 && done + missing == 8,
       "the CSV has a row for every run, saying which did not run (%zu ok, %zu not)", done, missing);
    ok(html && strstr(html, "INTERRUPTED: ") != NULL, "the page says it was interrupted");
    char want[64];
    snprintf(want, sizeof want, ": %zu of 8 runs", done);
    ok(text && strstr(text, want) && !strstr(text, "8 of 8"), "the summary does not claim every run");
    free(csv);
    free(html);
    free(text);
    unlink(vmt);
}

static void refused_options(void)
{
    static const struct { const char *args, *says; } cases[] = {
        {"--frames 64", "--frames-list"},
        {"--mem 1M", "--mem-list"},
        {"--policy lru", "--policies"},
        {"--json", "--out PREFIX"},
        {"--csv", "--out PREFIX"},
        {"-o x.txt", "--out PREFIX"},
        {"--frames-list 8 --mem-list 64K", "give one of them"},
        {"--tlb-ways 4", "--tlb-sizes"},
        {"--page-sizes 4k", "--tlb-sizes"},
        {"--tlb-sizes 8 --tlb zen4", "--tlb-sizes and --tlb-ways"},
        {"--tlb-sizes 8 --thp always", "--page-sizes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run_result r = run_fmt("cd %s && %s sweep %s --refs 1,2", dir, vmlab_bin(), cases[i].args);
        ok(r.status == 2 && strstr(r.err, cases[i].says) && count_files("sweep.") == 0,
           "sweep %s: refused, pointing to %s (%s)", cases[i].args, cases[i].says, r.err);
        run_free(&r);
    }
    struct run_result r = run_fmt("%s sweep --tlb-sizes 8,16 --page-sizes 4k --frames 512 --policy fifo "
                              "--out %s/t --refs 1,2,3", vmlab_bin(), dir);
    is_i64(r.status, 0, "a TLB sweep takes --frames and --policy");
    run_free(&r);
    /* one grid: the TLB shorthands and --policies together are one more axis */
    r = run_fmt("%s sweep --tlb-sizes 8,16 --policies lru,fifo --out %s/tp --refs 1,2,3", vmlab_bin(), dir);
    char *csv = slurp("tp", ".csv");
    ok(r.status == 0 && count(csv, "\r\nok,") == 8 && count(csv, ",lru,") == 4,
       "--tlb-sizes with --policies: TLB sizes x page sizes x policies, 8 runs (%s)", r.err);
    free(csv);
    run_free(&r);
}

/* With --swap-file PATH every run has its own file PATH.<run>, created and
 * removed by that run: two at once do not clobber each other. */
static void swap_file_per_run(void)
{
    const char *v = vmlab_bin();
    struct run_result a = run_fmt("%s sweep -j 2 --frames-list 16,32 --policies clock,fifo --limit 30000 "
                              "--swap-file %s/s.swap --out %s/sj examples/traces/bzip.trace.gz",
                              v, dir, dir);
    ok(a.status == 0 && !strstr(a.err, "error"), "-j 2 with one --swap-file: every run works (%s)",
       a.err);
    run_free(&a);
    is_i64(count_files("s.swap"), 0, "every run's swap file is gone");
    a = run_fmt("%s sweep -j 1 --frames-list 16,32 --policies clock,fifo --limit 30000 --out %s/s1 "
            "examples/traces/bzip.trace.gz", v, dir);
    run_free(&a);
    char *x = slurp("sj", ".csv"), *y = slurp("s1", ".csv");
    size_t rows = count(x, "\r\nok,");
    int same = 0;
    for (size_t i = 0; i < 4; i++) {
        static const char *const cols[] = {"pgfault", "pswpout", "pswpin", "dTLB-load-misses",
                                           "swap_write_errors"};
        bool row_same = true;
        for (int c = 0; c < 5; c++) {
            char a1[64], b1[64];
            csv_cell(x, i, cols[c], a1, sizeof a1);
            csv_cell(y, i, cols[c], b1, sizeof b1);
            row_same &= *a1 && !strcmp(a1, b1);
        }
        same += row_same;
    }
    ok(rows == 4 && same == 4, "the same counters as one job with no named file (%zu rows, %d "
       "equal)", rows, same);
    free(x);
    free(y);
    const char *mine = "precious";
    char p[600];
    snprintf(p, sizeof p, "%s/t.swap.1", dir);
    FILE *f = fopen(p, "w");
    fputs(mine, f);
    fclose(f);
    a = run_fmt("%s sweep --frames-list 16 --policies clock --limit 5000 --swap-file %s/t.swap --out %s/t2 "
            "examples/traces/bzip.trace.gz", v, dir, dir);
    ok(a.status == 1 && strstr(a.err, "t.swap.1' already exists"),
       "a run's derived swap file that exists is refused (%s)", a.err);
    run_free(&a);
    char *kept = slurp("t.swap.1", "");
    is_str(kept, mine, "and left as it was");
    free(kept);
}

static void outputs_form(void)
{
    const char *v = vmlab_bin();
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad.rw", dir);
    FILE *f = fopen(bad, "w");
    fputs("1000 R\n2000 W\nzz R\n3000 R\n4000 Q\n1000 R\n", f);
    fclose(f);
    struct run_result r = run_fmt("%s sweep --skip-bad --frames-list 1,2 --policies fifo --swap 1M "
                              "--out %s/f %s", v, dir, bad);
    is_i64(r.status, 0, "sweep --skip-bad runs");
    run_free(&r);
    char *csv = slurp("f", ".csv"), *html = slurp("f", ".html");
    ok(csv && strstr(csv, ",skipped_lines,") && count(csv, ",2,0,") + count(csv, ",2,0,0\r\n") >= 1,
       "the CSV has skipped_lines, 2 for every run");
    size_t lines = count(csv, "\n"), crlf = count(csv, "\r\n");
    ok(lines == 3 && crlf == 3, "CSV records end in CRLF, as docs/report.md says (%zu of %zu)", crlf,
       lines);
    ok(html && strstr(html, "<th>malformed lines skipped</th><td>2 (--skip-bad)</td>"),
       "the page notes the lines skipped");
    ok(strstr(html, "<th>vmlab</th><td>version ") && strstr(html, "<th>swap</th><td>1.0 MiB") &&
       strstr(html, "<th>THP</th><td>never</td>"), "the notes give vmlab's version, swap and THP");
    ok(strstr(html, "pgfault (log scale)") != NULL, "faults are drawn on a log axis");
    free(csv);
    free(html);
    r = run_fmt("%s replay --csv --skip-bad %s", v, bad);
    ok(r.status == 0 && count(r.out, "\r\n") == 2 && strstr(r.out, ",skipped_lines,") &&
       strstr(r.out, ",miss_ratio,") && strstr(r.out, ",footprint,"),
       "replay --csv: CRLF, with skipped_lines, footprint and miss_ratio");
    run_free(&r);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    killed_runs();
    interrupted();
    refused_options();
    swap_file_per_run();
    outputs_form();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        tap_diag("cannot remove %s", dir);
    return tap_done();
}
