/* test_report.c — the sweep report writer: CSV quoting read back, HTML
 * escaping, chart contents counted and positioned, axis math by hand. */
#include "lib/tap.h"
#include "replay/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/vmlab-test-report-XXXXXX";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

static size_t count(const char *hay, const char *hay_end, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)) && p < hay_end; p += len)
        n++;
    return n;
}

static char *path_in(const char *name)
{
    static char buf[4][256];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

/* ---- axis math ---- */

static bool ticks_are(const struct report_axis *a, const double *want, unsigned n)
{
    if (a->nticks != n)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (fabs(a->ticks[i] - want[i]) > 1e-9 * fmax(1, fabs(want[i])))
            return false;
    return a->lo == a->ticks[0] && a->hi == a->ticks[n - 1];
}

static void test_axes(void)
{
    ok(report_nice_number(97, false) == 100 && report_nice_number(0.13, true) == 0.1 &&
           report_nice_number(2.9, true) == 2 && report_nice_number(3, true) == 5 &&
           report_nice_number(7, true) == 10 && report_nice_number(1.5, false) == 2,
       "nice numbers: 97->100, 0.13->0.1, 2.9->2, 3->5, 7->10, ceil 1.5->2");

    struct report_axis a;
    report_axis_linear(&a, 0, 97, 6);
    ok(ticks_are(&a, (double[]){ 0, 20, 40, 60, 80, 100 }, 6), "linear 0..97: 0 20 .. 100");
    report_axis_linear(&a, 0, 1234567, 6);
    ok(ticks_are(&a, (double[]){ 0, 5e5, 1e6, 1.5e6 }, 4), "linear 0..1234567: step 500k");
    report_axis_linear(&a, -7, 12, 6);
    ok(ticks_are(&a, (double[]){ -10, -5, 0, 5, 10, 15 }, 6), "linear -7..12: -10 .. 15 by 5");
    report_axis_linear(&a, 0.1, 0.7, 6);
    ok(ticks_are(&a, (double[]){ 0, 0.2, 0.4, 0.6, 0.8 }, 5), "linear 0.1..0.7: 0 .. 0.8 by 0.2");
    report_axis_linear(&a, 3.2, 3.2, 6);
    ok(a.lo < 3.2 && a.hi > 3.2 && a.nticks >= 2, "linear, one value: widened around it");
    report_axis_linear(&a, 0, 0, 6);
    ok(a.lo == 0 && a.hi == 1, "linear, all zero: 0..1");

    bool bounded = true;
    for (unsigned t = 2; t < 40; t++) {
        for (double span = 1; span < 1e7; span *= 1.37) {
            report_axis_linear(&a, 0.3 * span, 1.3 * span, t);
            bounded = bounded && a.nticks >= 2 && a.nticks <= REPORT_MAX_TICKS && a.lo <= 0.3 * span &&
                      a.hi >= 1.3 * span;
        }
    }
    ok(bounded, "linear axes always cover the data with 2..%d ticks", REPORT_MAX_TICKS);

    report_axis_log(&a, 1, 1024, 10);
    ok(a.binary && ticks_are(&a, (double[]){ 1, 4, 16, 64, 256, 1024 }, 6),
       "log 1..1024: powers of 4 (11 powers of 2 exceed 10 ticks)");
    report_axis_log(&a, 4, 64, 10);
    ok(ticks_are(&a, (double[]){ 4, 8, 16, 32, 64 }, 5), "log 4..64: powers of 2");
    report_axis_log(&a, 3, 100, 10);
    ok(ticks_are(&a, (double[]){ 2, 4, 8, 16, 32, 64, 128 }, 7), "log 3..100: 2 .. 128");
    report_axis_log(&a, 1, 1e9, 10);
    ok(!a.binary && a.nticks == 10 && a.lo == 1 && fabs(a.hi - 1e9) < 1, "log 1..1e9: decades");
    report_axis_log(&a, 8, 8, 10);
    ok(ticks_are(&a, (double[]){ 4, 8, 16 }, 3), "log, one value 8: 4 8 16");

    report_axis_linear(&a, 0, 100, 6);
    ok(report_axis_map(&a, 25, 0, 400) == 100 && report_axis_map(&a, 0, 396, 46) == 396 &&
           report_axis_map(&a, 100, 396, 46) == 46,
       "linear map: 25 of 0..100 at 1/4; y axis inverted");
    report_axis_log(&a, 1, 1024, 10);
    ok(fabs(report_axis_map(&a, 32, 0, 100) - 50) < 1e-9 && report_axis_map(&a, 1, 84, 650) == 84 &&
           fabs(report_axis_map(&a, 1024, 84, 650) - 650) < 1e-9,
       "log map: 32 halfway between 1 and 1024");

    char b[32];
    is_str(report_format_tick(0, false, b, sizeof b), "0", "tick 0");
    is_str(report_format_tick(250, false, b, sizeof b), "250", "tick 250");
    is_str(report_format_tick(0.6000000000000001, false, b, sizeof b), "0.6", "tick 0.6 (float noise)");
    is_str(report_format_tick(12500, false, b, sizeof b), "12.5k", "tick 12.5k");
    is_str(report_format_tick(1.5e6, false, b, sizeof b), "1.5M", "tick 1.5M");
    is_str(report_format_tick(-2e9, false, b, sizeof b), "-2G", "tick -2G");
    is_str(report_format_tick(65536, true, b, sizeof b), "65536", "binary tick 65536 stays plain");
    is_str(report_format_tick(1048576, true, b, sizeof b), "1Mi", "binary tick 1Mi");
    is_str(report_format_tick(131072, true, b, sizeof b), "128Ki", "binary tick 128Ki");
    is_str(report_format_tick(1048576, false, b, sizeof b), "1.05M", "decimal tick of 2^20: 1.05M");
}

/* ---- CSV ---- */

/* A minimal RFC 4180 reader for the round trip: returns fields per record. */
static size_t csv_parse(const char *s, char fields[][64], size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        char *o = fields[n++];
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"')
                    s++;
                *o++ = *s;
            }
            s++;
        } else {
            while (*s && *s != ',' && *s != '\r')
                *o++ = *s++;
        }
        *o = 0;
        if (*s == ',')
            s++;
        else if (s[0] == '\r' && s[1] == '\n')
            s += 2;
    }
    return n;
}

static void test_csv(void)
{
    struct report *r = report_new("csv");
    const char *cols[] = { "name", "value" };
    report_set_columns(r, 2, cols);
    report_add_row(r, (const char *[]){ "plain", "1" });
    report_add_row(r, (const char *[]){ "with,comma", "2" });
    report_add_row(r, (const char *[]){ "with \"quote\"", "3" });
    report_add_row(r, (const char *[]){ "multi\nline", "" });
    report_add_row(r, (const char *[]){ NULL, "x" });
    char err[256];
    ok(report_write_csv(r, path_in("a.csv"), err, sizeof err) == 0, "csv written");
    char *got = slurp(path_in("a.csv"));
    is_str(got, "name,value\r\nplain,1\r\n\"with,comma\",2\r\n\"with \"\"quote\"\"\",3\r\n"
                "\"multi\nline\",\r\n,x\r\n",
           "RFC 4180: CRLF, quoted comma/quote/newline fields, doubled quotes");
    free(got);
    report_free(r);

    /* round trip of random awkward cells */
    static const char alphabet[] = "ab,\"\n\r x";
    unsigned seed = 12345;
    bool same = true;
    for (int round = 0; round < 50 && same; round++) {
        r = report_new("rt");
        report_set_columns(r, 3, (const char *[]){ "c1", "c2", "c3" });
        char cells[4][3][16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                int len = (int)((seed = seed * 1103515245 + 12345) >> 16) % 10;
                for (int k = 0; k < len; k++)
                    cells[i][j][k] = alphabet[((seed = seed * 1103515245 + 12345) >> 16) % 8];
                cells[i][j][len] = 0;
            }
            report_add_row(r, (const char *[]){ cells[i][0], cells[i][1], cells[i][2] });
        }
        report_write_csv(r, path_in("rt.csv"), err, sizeof err);
        char *text = slurp(path_in("rt.csv"));
        char fields[15][64];
        size_t nf = csv_parse(text, fields, 15);
        same = nf == 15;
        for (int i = 0; i < 4 && same; i++)
            for (int j = 0; j < 3 && same; j++)
                same = strcmp(fields[3 + i * 3 + j], cells[i][j]) == 0;
        free(text);
        report_free(r);
    }
    ok(same, "CSV round trip of cells full of commas, quotes, CR and LF");
}

/* ---- HTML and charts ---- */

static struct report *sweep_like(void)
{
    struct report *r = report_new("Sweep <b>&\"'");
    report_add_note(r, "trace", "gcc.trace <1M>");
    report_add_note(r, "machine", "x86-64 4-level");
    report_set_columns(r, 6, (const char *[]){ "policy", "frames", "page size", "entries", "pgfault",
                                               "dTLB-load-misses" });
    static const char *const pol[] = { "fifo", "lru", "opt" };
    static const int faults[3][5] = { { 1000, 800, 600, 400, 200 },
                                      { 900, 700, 500, 300, 100 },
                                      { 800, 500, 300, 150, 50 } };
    char fr[16], pf[16];
    for (int p = 0; p < 3; p++) {
        for (int k = 0; k < 5; k++) {
            int kk = p == 2 ? 4 - k : k;    /* OPT's rows out of order: must be sorted */
            snprintf(fr, sizeof fr, "%d", 4 << kk);
            snprintf(pf, sizeof pf, "%d", faults[p][kk]);
            report_add_row(r, (const char *[]){ pol[p], fr, "4K", "-", pf, "-" });
        }
    }
    report_add_row(r, (const char *[]){ "lru", "128", "4K", "-", "n/a", "-" });  /* no y */
    static const char *const ps[] = { "4K", "2M<" };
    char en[16], ms[16];
    for (int p = 0; p < 2; p++) {
        for (int k = 0; k < 7; k++) {
            snprintf(en, sizeof en, "%d", 16 << k);
            snprintf(ms, sizeof ms, "%d", (p + 1) * 100000 >> k);
            report_add_row(r, (const char *[]){ "-", "-", ps[p], en, "-", ms });
        }
    }
    report_add_row(r, (const char *[]){ "<script>alert(1)</script>", "x", "", "", "", "" });
    report_add_line_chart(r, "Faults vs memory size", "frames", "pgfault", "policy", REPORT_LOG_X);
    report_add_line_chart(r, "TLB misses vs TLB size", "entries", "dTLB-load-misses", "page size",
                          true);
    return r;
}

static void test_html(void)
{
    struct report *r = sweep_like();
    char err[256];
    ok(report_write_html(r, path_in("r.html"), err, sizeof err) == 0, "html written");
    char *h = slurp(path_in("r.html"));
    const char *end = h + strlen(h);
    ok(strstr(h, "<title>Sweep &lt;b&gt;&amp;&quot;&#39;</title>") != NULL &&
           strstr(h, "<h1>Sweep &lt;b&gt;&amp;&quot;&#39;</h1>") != NULL,
       "title escaped in <title> and <h1>");
    ok(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;") && count(h, end, "<script>") == 1,
       "a cell's markup is escaped; the only script is the report's own");
    ok(strstr(h, "gcc.trace &lt;1M&gt;") != NULL, "notes escaped");
    ok(!strstr(h, "http://") || count(h, end, "http://") == count(h, end, "xmlns=\"http://www.w3.org/2000/svg\""),
       "no external references (only the SVG namespace)");
    ok(!strstr(h, "src=") && !strstr(h, "<link"), "no src= or <link>: self-contained");

    const char *c0 = strstr(h, "<figure id=\"chart0\">"), *c1 = strstr(h, "<figure id=\"chart1\">");
    ok(c0 && c1 && c0 < c1, "two charts, in order");
    if (!c0 || !c1) {
        free(h);
        report_free(r);
        return;
    }
    const char *e0 = strstr(c0, "</figure>"), *e1 = strstr(c1, "</figure>");
    is_u64(count(c0, e0, "<polyline"), 3, "faults chart: 3 series lines (fifo lru opt)");
    is_u64(count(c0, e0, "class=\"pt\""), 15, "faults chart: 15 points");
    is_u64(count(c0, e0, "class=\"key\""), 6, "faults chart: legend line + marker per series");
    is_u64(count(c1, e1, "<polyline"), 2, "TLB chart: 2 series lines (4K, 2M)");
    is_u64(count(c1, e1, "class=\"pt\""), 14, "TLB chart: 14 points");
    ok(strstr(c1, "data-series=\"2M&lt;\"") && strstr(c1, ">2M&lt;</text>"),
       "series name escaped in the chart and legend");
    ok(strstr(c0, "fifo: frames = 4, pgfault = 1000</title>") != NULL, "points carry a hover title");
    ok(strstr(c0, "16 rows without a number left out") != NULL,
       "caption counts the rows left out (14 TLB rows, 'n/a', and the junk row)");

    /* positions: x log 4..64 over 84..650, y 0..1000 over 396..46 */
    ok(strstr(c0, "points=\"84.0,46.0 225.5,116.0 367.0,186.0 508.5,256.0 650.0,326.0\"") != NULL,
       "FIFO line at the computed pixels");
    ok(strstr(c0, "points=\"84.0,116.0 225.5,221.0 367.0,291.0 508.5,343.5 650.0,378.5\"") != NULL,
       "OPT line sorted by x although its rows were not");
    ok(strstr(c0, ">1000</text>") && strstr(c0, ">64</text>") && strstr(c0, ">4</text>"),
       "tick labels 1000 (y) and 4..64 (x)");
    is_u64(count(c0, e0, "stroke=\"#0072b2\""), 2, "first series' colour: its line and its legend line");
    ok(strstr(c0, "stroke=\"#d55e00\"") && strstr(c0, "stroke=\"#009e73\""), "distinct colours");
    ok(strstr(c0, "frames (log scale)") != NULL, "x axis title says log scale");
    ok(strstr(h, "<table class=\"data\">") && count(h, end, "<tr>") == 2 + 15 + 1 + 14 + 1 + 1,
       "the counters table: notes (2) + header + every row");
    free(h);
    report_free(r);
}

static void test_errors_and_edges(void)
{
    char err[256] = "";
    struct report *r = report_new("e");
    report_set_columns(r, 2, (const char *[]){ "a", "b" });
    report_add_row(r, (const char *[]){ "1", "2" });
    report_add_line_chart(r, "bad", "a", "nope", NULL, 0);
    ok(report_write_html(r, path_in("bad.html"), err, sizeof err) == -1 &&
           strstr(err, "no column named \"nope\"") && strstr(err, "bad.html"),
       "unknown chart column: error names file, chart and column (%s)", err);
    ok(access(path_in("bad.html"), F_OK) != 0, "nothing written on error");
    ok(report_write_csv(r, "/nonexistent-dir/x.csv", err, sizeof err) == -1 &&
           strstr(err, "/nonexistent-dir/x.csv"),
       "unwritable path: error names it (%s)", err);
    report_free(r);

    r = report_new("e2");
    ok(report_add_row(r, (const char *[]){ "1" }) == -1, "row before columns rejected");
    report_set_columns(r, 1, (const char *[]){ "a" });
    ok(report_write_csv(r, path_in("e2.csv"), err, sizeof err) == -1 && strstr(err, "incomplete"),
       "an earlier add error makes the write fail");
    report_free(r);

    r = report_new("empty chart");
    report_set_columns(r, 2, (const char *[]){ "x", "y" });
    report_add_row(r, (const char *[]){ "a", "b" });
    report_add_line_chart(r, "nothing", "x", "y", "", 0);
    ok(report_write_html(r, path_in("empty.html"), err, sizeof err) == 0, "chart with no numbers written");
    char *h = slurp(path_in("empty.html"));
    ok(h && strstr(h, "no numeric data") && !strstr(h, "<polyline"), "says 'no numeric data', draws no line");
    free(h);
    report_free(r);

    /* one series without a series column; a single point; many series */
    r = report_new("single");
    report_set_columns(r, 3, (const char *[]){ "x", "y", "s" });
    char xs[16], ss[16];
    for (int s = 0; s < 30; s++) {
        snprintf(xs, sizeof xs, "%d", s);
        snprintf(ss, sizeof ss, "s%d", s);
        report_add_row(r, (const char *[]){ xs, "5", ss });
    }
    report_add_line_chart(r, "one", "x", "y", NULL, 0);
    report_add_line_chart(r, "many", "x", "y", "s", 0);
    ok(report_write_html(r, path_in("single.html"), err, sizeof err) == 0, "written");
    h = slurp(path_in("single.html"));
    const char *c1 = h ? strstr(h, "<figure id=\"chart1\">") : NULL;
    ok(c1 && count(h, c1, "<polyline") == 1 && count(h, c1, "class=\"pt\"") == 30,
       "no series column: one series of 30 points");
    ok(c1 && count(c1, c1 + strlen(c1), "<polyline") == 30, "30 series: 30 lines");
    free(h);
    report_free(r);
    r = sweep_like();
    ok(report_ncharts(r) == 2 && report_nrows(r) == 31, "counts of charts and rows");
    report_free(r);
}

/* report_chart_where: a chart of one group's rows only; the rest are not
 * "left out" in its caption; a filter on no column fails the write. */
static void test_where(void)
{
    struct report *r = report_new("groups");
    report_set_columns(r, 4, (const char *[]){ "input", "pt", "frames", "pgfault" });
    static const char *const in[] = { "a.rw", "b.rw" }, *const pt[] = { "x86-64", "sv39" };
    char fr[16], pf[16];
    for (int i = 0; i < 2; i++)
        for (int p = 0; p < 2; p++)
            for (int k = 0; k < 3; k++) {
                snprintf(fr, sizeof fr, "%d", 4 << k);
                snprintf(pf, sizeof pf, "%d", 100 * (i + 1) + 10 * p + k);
                report_add_row(r, (const char *[]){ in[i], pt[p], fr, pf });
            }
    report_add_line_chart(r, "b.rw, sv39", "frames", "pgfault", NULL, 0);
    report_chart_where(r, "input", "b.rw");
    report_chart_where(r, "pt", "sv39");
    report_add_line_chart(r, "all of a.rw", "frames", "pgfault", "pt", 0);
    report_chart_where(r, "input", "a.rw");
    char err[256];
    ok(report_write_html(r, path_in("w.html"), err, sizeof err) == 0, "filtered charts written");
    char *h = slurp(path_in("w.html"));
    const char *end = h + strlen(h);
    const char *c0 = strstr(h, "<figure id=\"chart0\">"), *c1 = strstr(h, "<figure id=\"chart1\">");
    ok(c0 && c1 && count(c0, c1, "class=\"pt\"") == 3 && strstr(c0, "3 points in 1 series.</figcaption>"),
       "two filters: the 3 rows of b.rw on sv39, no rows counted as left out");
    ok(c1 && count(c1, end, "class=\"pt\"") == 6 && count(c1, end, "<polyline") == 2 &&
       strstr(c1, "pgfault = 2") == NULL && strstr(c1, "pgfault = 112") &&
       strstr(c1, "pgfault = 110"),
       "one filter: a.rw's 6 rows in 2 series, none of b.rw's");
    free(h);
    report_add_line_chart(r, "bad", "frames", "pgfault", NULL, 0);
    report_chart_where(r, "nope", "x");
    ok(report_write_html(r, path_in("w2.html"), err, sizeof err) == -1 && strstr(err, "\"nope\""),
       "a filter on no column: the write fails naming it (%s)", err);
    report_free(r);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_axes();
    test_csv();
    test_html();
    test_errors_and_edges();
    test_where();
    int rc = tap_done();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", dir);
    return rc;
}
