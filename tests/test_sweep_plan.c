/* test_sweep_plan.c — `vmlab sweep --plan` and `--collect`: the plan's
 * files (jobs runnable by sh -c from anywhere, the manifest's checksums
 * against sha256sum, the sbatch script), run with xargs -P and with GNU
 * parallel then collected: the CSV equal to the in-process sweep's but for
 * the timing column (seconds), the HTML byte for byte; killed runs are
 * results; missing, crashed, failed and corrupt results are found, their
 * job lines are in rerun.txt, --partial reports what there is, and running
 * rerun.txt completes the sweep.
 * Runs the command named by $VMLAB from the project root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/sweeptest.h"
#include "lib/tap.h"

static char dir[] = "/tmp/vmlab-sweep-plan-XXXXXX";
static const char grid[] = "--frames-list 2,4,8 --policies fifo,lru --swap 1M";

static char *path_in(const char *name)
{
    static char p[4][700];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* prefix.csv and .html of a collected sweep against the in-process one. */
static void same_as_in_process(const char *collected, const char *inproc, const char *how)
{
    char a[700], b[700];
    struct st_csv x, y;
    snprintf(a, sizeof a, "%s.csv", collected);
    snprintf(b, sizeof b, "%s.csv", inproc);
    int ra = st_csv_read(a, &x), rb = st_csv_read(b, &y);
    ok(ra == 0 && rb == 0 && x.nrows > 1 && st_csv_same(&x, &y, "seconds"),
       "%s: the CSV equals the in-process sweep's, run by run, but for seconds", how);
    st_csv_free(&x);
    st_csv_free(&y);
    snprintf(a, sizeof a, "%s.html", collected);
    snprintf(b, sizeof b, "%s.html", inproc);
    size_t la, lb;
    char *ha = st_slurp(a, &la), *hb = st_slurp(b, &lb);
    ok(ha && hb && la == lb && !memcmp(ha, hb, la), "%s: the HTML is the same, byte for byte", how);
    free(ha);
    free(hb);
}

static size_t lines(const char *path)
{
    char *t = st_slurp(path, NULL);
    size_t n = st_count(t, "\n");
    free(t);
    return n;
}

static void plan_files(void)
{
    const char *v = vmlab_bin();
    struct run_result r = st_run("cp tests/data/sample.rw %s && cp tests/data/sample.lackey %s && "
                                 "cd %s && %s sweep --plan P %s a.rw b.lackey", path_in("a.rw"),
                                 path_in("b.lackey"), dir, v, grid);
    ok(r.status == 0 && r.out && strstr(r.out, "planned 12 runs"), "plan: 12 runs (%s)", r.err);
    run_free(&r);
    is_u64(lines(path_in("P/jobs.txt")), 12, "jobs.txt: one line per run");
    char *jobs = st_slurp(path_in("P/jobs.txt"), NULL);
    char want[800];
    snprintf(want, sizeof want, " --json --no-progress -o %s/P/results/0001.json %s/a.rw ", dir, dir);
    ok(jobs && jobs[0] == '/' && strstr(jobs, want) && strstr(jobs, "--frames=2 --policy=fifo"),
       "job lines: absolute paths, the run's options, --json -o into results/");
    free(jobs);
    char *m = st_slurp(path_in("P/manifest"), NULL);
    r = st_run("sha256sum %s | cut -d' ' -f1", path_in("b.lackey"));
    char sum[80] = "";
    if (r.out)
        snprintf(sum, sizeof sum, "\"sha256\": \"%.64s\"", r.out);
    ok(m && r.status == 0 && strstr(m, sum) && strstr(m, "\"vmlab_version\": \"") &&
       strstr(m, "\"axis\": \"policy\"") && strstr(m, "\"runs\": 12") && strstr(m, "\"bytes\": "),
       "the manifest: the grid, the inputs' SHA-256 as sha256sum says, the version, the runs");
    run_free(&r);
    free(m);
    char *sb = st_slurp(path_in("P/sbatch.sh"), NULL);
    ok(sb && strstr(sb, "#SBATCH --array=1-12") && strstr(sb, "SLURM_ARRAY_TASK_ID") &&
       access(path_in("P/sbatch.sh"), X_OK) == 0, "sbatch.sh: a job array of 12, executable");
    free(sb);
    r = st_run("cd %s && %s sweep --plan P %s a.rw", dir, v, grid);
    ok(r.status != 0 && strstr(r.err, "holds a plan already"), "a directory with a plan is never "
       "written over (%s)", r.err);
    run_free(&r);
    r = st_run("cd %s && %s sweep --plan Q %s - < a.rw", dir, v, grid);
    ok(r.status == 2 && strstr(r.err, "standard input"), "standard input cannot be planned (%s)",
       r.err);
    run_free(&r);
    r = st_run("cd %s && %s sweep --out inproc %s a.rw b.lackey", dir, v, grid);
    is_i64(r.status, 0, "the same sweep in process");
    run_free(&r);
}

static void run_and_collect(void)
{
    const char *v = vmlab_bin();
    /* from another directory: the lines need none */
    struct run_result r = st_run("cd / && xargs -P 2 -d '\\n' -n 1 sh -c < %s", path_in("P/jobs.txt"));
    is_i64(r.status, 0, "xargs -P 2 runs every line with sh -c (%s)", r.err);
    run_free(&r);
    r = st_run("%s sweep --collect %s --out %s", v, path_in("P"), path_in("xargs"));
    ok(r.status == 0 && strstr(r.out, "12 of 12 runs (2 inputs) finished"), "collect: exit 0, "
       "every run (%s)", r.err);
    run_free(&r);
    same_as_in_process(path_in("xargs"), path_in("inproc"), "xargs");
    is_u64(lines(path_in("P/rerun.txt")), 0, "rerun.txt is empty: nothing to run again");

    r = st_run("command -v parallel");
    bool have = r.status == 0;
    run_free(&r);
    if (!have) {
        tap_skip(3, "GNU parallel is not installed (Debian: parallel)");
    } else {
        r = st_run("cd %s && %s sweep --plan GP %s a.rw b.lackey && parallel --will-cite -j 2 < GP/jobs.txt",
                   dir, v, grid);
        is_i64(r.status, 0, "GNU parallel runs the plan (%s)", r.err);
        run_free(&r);
        r = st_run("%s sweep --collect %s --out %s", v, path_in("GP"), path_in("gp"));
        run_free(&r);
        same_as_in_process(path_in("gp"), path_in("inproc"), "GNU parallel");
    }

    /* a killed simulated process is a result */
    const char *refs = "--swap 0 --frames-list 4,16 --policies fifo --refs 1w,2w,3w,4w,5w,6w,7w,8w,1,2";
    r = st_run("cd %s && %s sweep --plan K %s && xargs -d '\\n' -n 1 sh -c < K/jobs.txt; "
               "%s sweep --collect K --out killed-c; echo \"rc=$?\"; %s sweep %s --out killed-i",
               dir, v, refs, v, v, refs);
    ok(r.out && strstr(r.out, "rc=3") && strstr(r.err, "run 1 (4 frames): the process was killed "
       "after 5 accesses: oom-swap-full"), "a killed run is collected as killed: exit 3 (%s)", r.err);
    run_free(&r);
    same_as_in_process(path_in("killed-c"), path_in("killed-i"), "killed runs");
}

static void problems(void)
{
    const char *v = vmlab_bin();
    /* a finished plan, then damage: run 2's result gone, 3's cut, 4's another run's, 6 killed
     * by a signal (its shell says 137), 7 never run, 9 failing for real (its input now bad) */
    struct run_result r = st_run(
        "cd %s && cp a.rw c.rw && %s sweep --plan D %s a.rw c.rw >/dev/null && sh D/jobs.txt; "
        "rm D/results/0002.json; head -c 80 D/results/0003.json > t && mv t D/results/0003.json; "
        "cp D/results/0005.json D/results/0004.json; rm D/results/0006.json; echo 137 > D/logs/0006.rc; "
        "rm D/results/0007.json D/logs/0007.*; printf 'zz R\\n' > c.rw; rm D/results/0009.json; "
        "sed -n 9p D/jobs.txt | sh", dir, v, grid);
    run_free(&r);
    r = st_run("%s sweep --collect %s --out %s", v, path_in("D"), path_in("dmg"));
    is_i64(r.status, 1, "collect with runs not finished: exit 1");
    ok(strstr(r.err, "run 2 (a.rw, fifo, 4 frames): missing: its result file is gone") &&
       strstr(r.err, "run 3 (a.rw, fifo, 8 frames): corrupt: not JSON") &&
       strstr(r.err, "run 4 (a.rw, lru, 2 frames): corrupt: not this run's result") &&
       strstr(r.err, "run 6 (a.rw, lru, 8 frames): crashed: killed by signal 9") &&
       strstr(r.err, "run 7 (c.rw, fifo, 2 frames): missing: never ran") &&
       strstr(r.err, "run 9 (c.rw, fifo, 8 frames): failed: exit status 1: ") &&
       strstr(r.err, "c.rw: cannot tell the trace format") && strstr(r.err, "6 of 12 runs did not finish") &&
       strstr(r.err, "--array=2,3,4,6,7,9 "), "each is named with what happened, and how to "
       "run them again (%s)", r.err);
    run_free(&r);
    ok(access(path_in("dmg.csv"), F_OK) != 0, "no report without --partial");
    r = st_run("cd %s && for k in 2 3 4 6 7 9; do sed -n ${k}p D/jobs.txt; done | cmp - D/rerun.txt",
               dir);
    is_i64(r.status, 0, "rerun.txt: exactly those runs' job lines");
    run_free(&r);
    r = st_run("%s sweep --collect %s --partial --out %s", v, path_in("D"), path_in("dmg"));
    char *csv = st_slurp(path_in("dmg.csv"), NULL), *html = st_slurp(path_in("dmg.html"), NULL);
    ok(r.status == 0 && st_count(csv, "\r\nok,") == 6 && st_count(csv, "\r\nnot run,") == 2 &&
       st_count(csv, "\r\nfailed,") == 4 && html && strstr(html, "INCOMPLETE (collected with "
       "--partial): 6 of 12"), "--partial: exit 0, a report of what there is, the rest marked");
    free(csv);
    free(html);
    run_free(&r);
    /* the input mended, rerun.txt run: the sweep is complete and equal */
    r = st_run("cd %s && cp a.rw c.rw && sh D/rerun.txt; %s sweep --collect D "
               "--out fixed && %s sweep --out fixed-i %s a.rw c.rw", dir, v, v, grid);
    is_i64(r.status, 0, "after running rerun.txt, collect succeeds (%s)", r.err);
    run_free(&r);
    same_as_in_process(path_in("fixed"), path_in("fixed-i"), "rerun");
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    plan_files();
    run_and_collect();
    problems();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        tap_diag("cannot remove %s", dir);
    return tap_done();
}
