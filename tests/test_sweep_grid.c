/* test_sweep_grid.c — `vmlab sweep --grid`: each run of a grid equals
 * `vmlab replay` with its options (differential, every column); the
 * pseudo-axes stand for the replay options they name; bad values and
 * combinations are refused before anything runs, naming the axis, the
 * value or the run; several inputs; one set of charts per input and per
 * combination of the axes that are neither x nor the series.
 * Runs the command named by $VMLAB from the project root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/sweeptest.h"
#include "lib/tap.h"

static char dir[] = "/tmp/vmlab-sweep-grid-XXXXXX";
#define BZIP "examples/traces/bzip.trace.gz"

/* Row r of the sweep CSV at path against `vmlab replay --csv OPTS`: every
 * column but the timing (seconds) and the sweep's status. */
static bool row_is_replay(const struct st_csv *sw, size_t r, const char *opts, const char *input)
{
    char out[700];
    snprintf(out, sizeof out, "%s/one.csv", dir);
    struct run_result x = st_run("%s replay --csv %s -o %s %s", vmlab_bin(), opts, out, input);
    run_free(&x);
    struct st_csv one;
    bool same = false;
    if (st_csv_read(out, &one) == 0 && one.nrows == 2 && one.ncols + 1 == sw->ncols) {
        same = true;
        int sec = st_csv_col(&one, "seconds");
        for (size_t c = 0; c < one.ncols && same; c++)
            if ((int)c != sec && strcmp(one.cell[1][c], sw->cell[r][c + 1])) {
                tap_diag("run %zu, %s: sweep '%s', replay %s: '%s'", r, one.cell[0][c],
                         sw->cell[r][c + 1], opts, one.cell[1][c]);
                same = false;
            }
    }
    st_csv_free(&one);
    return same;
}

static void differential(void)
{
    char prefix[600], csv[700];
    snprintf(prefix, sizeof prefix, "%s/d", dir);
    struct run_result r = st_run("%s sweep --grid pt=x86-64,sv39 --grid thp=never,always "
                                 "--frames 48 --limit 20000 --out %s " BZIP, vmlab_bin(), prefix);
    is_i64(r.status, 0, "a 2x2 grid of --pt and --thp runs (%s)", r.err);
    run_free(&r);
    snprintf(csv, sizeof csv, "%s.csv", prefix);
    struct st_csv t;
    ok(st_csv_read(csv, &t) == 0 && t.nrows == 5, "its CSV: a header and 4 runs");
    static const char *const opts[] = {
        "--pt x86-64 --thp never", "--pt sv39 --thp never", "--pt x86-64 --thp always",
        "--pt sv39 --thp always",   /* the first axis varies fastest */
    };
    for (size_t i = 0; i < 4 && t.nrows == 5; i++) {
        char o[200];
        snprintf(o, sizeof o, "%s --frames 48 --limit 20000", opts[i]);
        ok(row_is_replay(&t, i + 1, o, BZIP), "run %zu equals vmlab replay %s", i + 1, o);
    }
    st_csv_free(&t);

    /* the pseudo-axes: tlb-entries x tlb-ways is a one-level TLB, page-size 2m is --thp always */
    r = st_run("%s sweep --grid tlb-entries=8,32 --grid tlb-ways=4 --grid page-size=4k,2m "
               "--limit 20000 --out %s " BZIP, vmlab_bin(), prefix);
    is_i64(r.status, 0, "tlb-entries x tlb-ways x page-size runs (%s)", r.err);
    run_free(&r);
    ok(st_csv_read(csv, &t) == 0 && t.nrows == 5, "4 runs");
    static const char *const tlb[] = {
        "--tlb none --tlb-geometry l1i=8x4,l1d=8x4,repl=lru --thp never",
        "--tlb none --tlb-geometry l1i=32x4,l1d=32x4,repl=lru --thp never",
        "--tlb none --tlb-geometry l1i=8x4,l1d=8x4,repl=lru --thp always",
        "--tlb none --tlb-geometry l1i=32x4,l1d=32x4,repl=lru --thp always",
    };
    for (size_t i = 0; i < 4 && t.nrows == 5; i++) {
        char o[300];
        snprintf(o, sizeof o, "%s --frames 65536 --limit 20000", tlb[i]);
        ok(row_is_replay(&t, i + 1, o, BZIP), "TLB run %zu equals vmlab replay %s", i + 1, o);
    }
    st_csv_free(&t);

    /* values with commas: one per --grid */
    r = st_run("%s sweep --grid tlb-geometry=l1d=16x4,l1i=16x4 --grid tlb-geometry=l1d=64x4 "
               "--grid cost=walk-ref=90,major-fault=8000 --limit 5000 --out %s " BZIP,
               vmlab_bin(), prefix);
    ok(r.status == 0 && st_csv_read(csv, &t) == 0 && t.nrows == 3, "tlb-geometry and cost values "
       "keep their commas: 2 runs (%s)", r.err);
    run_free(&r);
    if (t.nrows == 3)
        ok(row_is_replay(&t, 1, "--tlb-geometry l1d=16x4,l1i=16x4 --cost walk-ref=90,major-fault=8000 "
                         "--limit 5000", BZIP) &&
           row_is_replay(&t, 2, "--tlb-geometry l1d=64x4 --cost walk-ref=90,major-fault=8000 "
                         "--limit 5000", BZIP), "each equals its replay");
    else
        ok(false, "each equals its replay");
    st_csv_free(&t);
}

static void refused(void)
{
    static const struct { const char *args, *says, *also; } cases[] = {
        {"--grid policy=fifo,bogus", "--grid policy", "'bogus'"},
        {"--grid frames=8,x", "--grid frames", "'x'"},
        {"--grid nope=1,2", "'nope' is no axis", "tlb-entries"},
        {"--grid limit=5", "limit is no axis", "give it once"},
        {"--grid json=1", "takes no value", "axes"},
        {"--grid frames=8,,16", "empty value", "frames"},
        {"--grid frames=8,8", "given twice", "frames"},
        {"--grid frames", "OPT=V1,V2", "--grid"},
        {"--grid pt=sv39,x86-64 --pt sv48", "--pt has no meaning here", "--grid pt="},
        {"--grid frames=8 --grid mem=1M", "give one of them", "frames"},
        {"--grid mem=1K", "--mem '1K' is not valid", "--grid mem"},
        {"--grid tlb-ways=2", "tlb-entries", "--tlb-sizes"},
        {"--grid tlb-entries=8 --tlb zen4", "--tlb has no meaning", "--tlb-sizes and --tlb-ways"},
        {"--grid page-size=4k,1g", "page-size '1g'", "4k or 2m"},
        {"--grid thp=never,always --pt ia32", "run 2 (always) cannot run", "--thp always"},
        {"--grid tlb-entries=8 --grid tlb-ways=3", "run 1 (8 tlb-entries, 3 tlb-ways) cannot run",
         "cannot be split"},
        {"--partial", "--collect", "--partial"},
        {"--plan x -j 2", "--jobs", "--plan"},
        {"--collect x --grid pt=sv39", "takes only", "--out"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run_result r = st_run("cd %s && %s sweep %s --refs 1,2", dir, vmlab_bin(),
                                     cases[i].args);
        struct run_result ls = st_run("ls %s | grep -c '^sweep\\.\\|^x$'", dir);
        ok(r.status == 2 && r.err && strstr(r.err, cases[i].says) && strstr(r.err, cases[i].also) &&
           ls.out && atoi(ls.out) == 0,
           "sweep %s: refused (exit %d), naming %s, nothing written (%s)", cases[i].args, r.status,
           cases[i].says, r.err);
        run_free(&r);
        run_free(&ls);
    }
}

/* Chart figures in an HTML page, and how many have `what` in their title. */
static size_t figures(const char *html, const char *what)
{
    size_t n = 0;
    for (const char *p = html; p && (p = strstr(p, "<figure id=\"chart")); p++) {
        const char *t = strstr(p, "<title>"), *e = t ? strstr(t, "</title>") : NULL;
        if (e && (!what || (strstr(t, what) && strstr(t, what) < e)))
            n++;
    }
    return n;
}

static void inputs_and_charts(void)
{
    char prefix[600], path[700], lackey[700];
    snprintf(prefix, sizeof prefix, "%s/m", dir);
    snprintf(lackey, sizeof lackey, "%s/s.lackey", dir);
    struct run_result r = st_run("cp tests/data/sample.lackey %s && %s sweep --frames-list 2,4 "
                                 "--policies fifo,lru --out %s tests/data/sample.rw %s", lackey,
                                 vmlab_bin(), prefix, lackey);
    is_i64(r.status, 0, "two inputs (%s)", r.err);
    ok(r.out && strstr(r.out, "8 of 8 runs (2 inputs) finished"), "the summary counts them (%s)",
       r.out);
    run_free(&r);
    snprintf(path, sizeof path, "%s.csv", prefix);
    struct st_csv t;
    int in = -1;
    if (st_csv_read(path, &t) == 0)
        in = st_csv_col(&t, "input");
    ok(t.nrows == 9 && in == 1 && !strcmp(t.cell[1][in], "tests/data/sample.rw") &&
       !strcmp(t.cell[5][in], lackey), "the CSV: 8 runs, the input a column, input-major");
    st_csv_free(&t);
    snprintf(path, sizeof path, "%s.html", prefix);
    char *html = st_slurp(path, NULL);
    ok(figures(html, NULL) == 6 && figures(html, "(tests/data/sample.rw)") == 3 &&
       figures(html, "s.lackey)") == 3, "3 charts per input, each named in its title (%zu)",
       figures(html, NULL));
    const char *second = html ? strstr(html, "<figure id=\"chart3\">") : NULL;
    const char *end = second ? strstr(second, "</figure>") : NULL;
    size_t pts = 0;
    for (const char *p = second; p && end && (p = strstr(p, "class=\"pt\"")) && p < end; p++)
        pts++;
    is_u64(pts, 4, "a chart draws its input's runs only: 2 policies x 2 sizes");
    ok(html && strstr(html, "<th>inputs</th>") && strstr(html, "sample.rw: "),
       "the notes list the inputs and their accesses");
    free(html);

    /* an axis that is neither x nor the series: a set of charts per value */
    r = st_run("%s sweep --frames-list 2,4 --policies fifo,lru --grid pt=x86-64,sv39 --out %s "
               "tests/data/sample.rw", vmlab_bin(), prefix);
    html = st_slurp(path, NULL);
    ok(r.status == 0 && figures(html, NULL) == 6 && figures(html, "(pt=sv39)") == 3 &&
       figures(html, "page faults vs memory size (pt=x86-64)") == 1,
       "frames x policy x pt: the charts of each pt (%zu)", figures(html, NULL));
    free(html);
    run_free(&r);

    /* no numeric axis: no chart, and the notes say why */
    r = st_run("%s sweep --grid policy=fifo,lru --out %s tests/data/sample.rw", vmlab_bin(), prefix);
    html = st_slurp(path, NULL);
    ok(r.status == 0 && figures(html, NULL) == 0 && strstr(html, "no axis is a number"),
       "only words vary: no chart, said in the notes");
    free(html);
    run_free(&r);

    /* x is the first numeric axis that varies; a one-value axis is a note */
    r = st_run("%s sweep --grid tlb-ways=2 --grid tlb-entries=4,8,16 --out %s tests/data/sample.rw",
               vmlab_bin(), prefix);
    html = st_slurp(path, NULL);
    ok(r.status == 0 && figures(html, "dTLB load misses vs TLB size") == 1 &&
       strstr(html, "tlb-ways = 2"), "x = tlb-entries, not the one-value tlb-ways (%s)", r.err);
    free(html);
    run_free(&r);
}

static uint64_t cell_u64(const struct st_csv *t, size_t r, const char *col)
{
    int c = st_csv_col(t, col);
    return c >= 0 ? strtoull(t->cell[r][c], NULL, 10) : UINT64_MAX;
}

/* The lectures' translation designs on one trace: hardware walks and the
 * three refill structures over one unified TLB (l2-entries) of several
 * sizes. Each run equals its replay; the hashed and inverted tables trap
 * exactly as often as the walker misses; the page draws the comparison. */
static void refill_designs(void)
{
    char prefix[600], path[700];
    snprintf(prefix, sizeof prefix, "%s/designs", dir);
    struct run_result r = st_run("%s sweep --grid sw-pt=none,linear,hashed,inverted "
                                 "--grid l2-entries=16,64 --cost stlb-hit=0 --limit 100000 "
                                 "--out %s " BZIP, vmlab_bin(), prefix);
    is_i64(r.status, 0, "a sweep of sw-pt x l2-entries runs (%s)", r.err);
    run_free(&r);
    snprintf(path, sizeof path, "%s.csv", prefix);
    struct st_csv t;
    if (!ok(st_csv_read(path, &t) == 0 && t.nrows == 9, "its CSV has 8 runs"))
        return;
    ok(row_is_replay(&t, 1, "--sw-pt none --tlb none --tlb-geometry l2=16xfull,repl=lru "
                            "--frames 65536 --cost stlb-hit=0 --limit 100000", BZIP),
       "the hardware run at 16 entries is the replay of one unified 16-entry TLB at the L2 level");
    ok(row_is_replay(&t, 7, "--sw-pt hashed --tlb none --tlb-geometry l2=64xfull,repl=lru "
                            "--frames 65536 --cost stlb-hit=0 --limit 100000", BZIP),
       "the hashed run at 64 entries is its replay");
    for (size_t size = 0; size < 2; size++) {
        size_t hw = 1 + 4 * size;
        uint64_t misses = cell_u64(&t, hw, "dTLB-load-misses") + cell_u64(&t, hw, "dTLB-store-misses") +
                          cell_u64(&t, hw, "iTLB-load-misses") - cell_u64(&t, hw, "tlb-dirty-rewalks");
        is_u64(cell_u64(&t, hw + 2, "refill-traps"), misses,
               "%s entries: the hashed table traps as often as the walker misses",
               size ? "64" : "16");
        is_u64(cell_u64(&t, hw + 3, "refill-traps"), misses, "and the inverted table too");
        ok(cell_u64(&t, hw + 1, "refill-traps") >= misses, "the linear table at least as often");
    }
    st_csv_free(&t);
    snprintf(path, sizeof path, "%s.html", prefix);
    char *html = st_slurp(path, NULL);
    ok(html && strstr(html, "entries read to refill the TLB (walker or handler) vs TLB size"),
       "the page draws the entries each design reads against the TLB size");
    ok(html && strstr(html, "TLB misses (walks or refill traps") &&
           strstr(html, "effective access time (ns) vs TLB size"),
       "and the misses and the effective access time");
    ok(html && strstr(html, "stlb-hit=0,") && strstr(html, "refill-trap=20,refill-probe=10"),
       "its notes give the cost model");
    free(html);
    r = st_run("%s sweep --grid l2-entries=0 --out %s " BZIP, vmlab_bin(), prefix);
    ok(r.status == 2 && r.err && strstr(r.err, "l2-entries '0' is not valid"),
       "l2-entries 0 is refused, naming the axis (%s)", r.err);
    run_free(&r);
    r = st_run("%s sweep --grid l2-entries=16 --grid tlb-entries=16 --out %s " BZIP, vmlab_bin(),
               prefix);
    ok(r.status == 2 && r.err && strstr(r.err, "both set --tlb"),
       "l2-entries and tlb-entries together are refused (%s)", r.err);
    run_free(&r);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    differential();
    refused();
    inputs_and_charts();
    refill_designs();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        tap_diag("cannot remove %s", dir);
    return tap_done();
}
