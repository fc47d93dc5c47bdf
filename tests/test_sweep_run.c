/* test_sweep_run.c — programs as a sweep's workloads (`vmlab sweep --run
 * 'PROGRAM ARGS'`): every run of the grid runs the program on vmlab's CPUs
 * and kernel, and its counters are those `vmlab run` gives with the same
 * options (in an empty environment, the program's output discarded); run
 * options (--cpus) are base options or axes; a planned sweep's jobs are
 * `env -i vmlab run` lines that xargs runs from any directory, collected
 * equal to the in-process sweep; a killed run is marked as one, a result
 * of another configuration is corrupt; and what cannot be (run options
 * without programs, programs beside traces, OPT, a missing program) is
 * refused before anything runs.
 * Runs the command named by $VMLAB from the project root. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/runkit.h"
#include "lib/sweeptest.h"
#include "lib/tap.h"

static char dir[] = "/tmp/vmlab-sweep-run-XXXXXX";
static char sort[PATH_MAX], forktree[PATH_MAX];

static char *path_in(const char *name)
{
    static char p[4][PATH_MAX + 64];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* Row `row` of a sweep's CSV against `vmlab run` of the same program and
 * options, counter by counter. */
static void same_as_vmlab_run(const struct st_csv *t, size_t row, const char *options,
                              const char *program)
{
    const char *json = path_in("one.json");
    struct run_result r = st_run("env -i %s run %s --json -o %s -- %s </dev/null >/dev/null",
                                 vmlab_bin(), options, json, program);
    char *j = st_slurp(json, NULL);
    static const char *const counters[] = {"accesses", "iTLB-loads", "dTLB-load-misses", "walks",
                                           "pgfault", "pgmajfault", "pswpout", "cow-faults"};
    size_t bad = 0, checked = 0;
    for (size_t i = 0; j && i < sizeof counters / sizeof counters[0]; i++) {
        int c = st_csv_col(t, counters[i]);
        char key[64];
        snprintf(key, sizeof key, "\"%s\"", counters[i]);
        if (c < 0 || !strstr(j, key))
            continue;
        checked++;
        if (strtoull(t->cell[row][c], NULL, 10) != json_u64(j, counters[i])) {
            tap_diag("%s: the sweep says %s, vmlab run %llu", counters[i], t->cell[row][c],
                 (unsigned long long)json_u64(j, counters[i]));
            bad++;
        }
    }
    int ic = st_csv_col(t, "instructions");
    ok(r.status == 0 && j && checked >= 6 && !bad && ic >= 0 &&
           strtoull(t->cell[row][ic], NULL, 10) == json_u64(j, "instructions"),
       "run %zu (%s) has the counters and instructions of vmlab run %s (%zu compared)", row,
       t->cell[row][1], options, checked);
    free(j);
    run_free(&r);
}

static void in_process(const char *v)
{
    struct run_result r = st_run("cd %s && %s sweep --run '%s 3000' --run %s --frames-list "
                                 "24,2048 --policies fifo,clock --swap 8M -j 2 --out ip",
                                 dir, v, sort, forktree);
    ok(r.status == 0 && r.out && strstr(r.out, "8 of 8 runs (2 inputs) finished"),
       "two programs x 2 sizes x 2 policies: 8 runs, exit 0 (%s)", r.err);
    run_free(&r);
    struct st_csv t;
    if (st_csv_read(path_in("ip.csv"), &t)) {
        tap_skip(3, "no CSV");
        return;
    }
    int cpus = st_csv_col(&t, "cpus"), pt = st_csv_col(&t, "pt"), pgf = st_csv_col(&t, "pswpout");
    ok(t.nrows == 9 && cpus > 0 && pt > 0 && !strcmp(t.cell[1][pt], "sv39") &&
           !strcmp(t.cell[1][cpus], "1"),
       "the CSV: a row per run, vmlab run's defaults (sv39, 1 CPU) and the run's columns");
    /* rows: sort 24/fifo, sort 2048/fifo, ...: the small pool swaps, the big one does not */
    ok(pgf > 0 && strtoull(t.cell[1][pgf], NULL, 10) > 0 && !strcmp(t.cell[2][pgf], "0"),
       "24 frames swap (%s pages out), 2048 do not", t.cell[1][pgf]);
    char prog[PATH_MAX + 16];
    snprintf(prog, sizeof prog, "%s 3000", sort);
    same_as_vmlab_run(&t, 1, "--frames 24 --policy fifo --swap 8M", prog);
    same_as_vmlab_run(&t, 8, "--frames 2048 --policy clock --swap 8M", forktree);
    st_csv_free(&t);

    r = st_run("cd %s && %s sweep --run %s --grid cpus=1,2 --frames-list 4096 --policies clock "
               "--out cpus", dir, v, forktree);
    is_i64(r.status, 0, "--grid cpus=1,2: a run option as an axis (%s)", r.err);
    run_free(&r);
    if (st_csv_read(path_in("cpus.csv"), &t) == 0) {
        cpus = st_csv_col(&t, "cpus");
        ok(t.nrows == 3 && cpus > 0 && !strcmp(t.cell[1][cpus], "1") && !strcmp(t.cell[2][cpus], "2"),
           "its runs have 1 and 2 CPUs");
        same_as_vmlab_run(&t, 2, "--cpus 2 --frames 4096 --policy clock", forktree);
        st_csv_free(&t);
    } else {
        tap_skip(2, "no CSV");
    }
}

static void planned(const char *v)
{
    /* a relative program path: the plan names it absolutely */
    struct run_result r = st_run("cp %s %s/sortprog && cd %s && %s sweep --plan P --run "
                                 "'./sortprog 3000' --run %s --frames-list 24,2048 --policies "
                                 "fifo,clock --swap 8M", sort, dir, dir, v, forktree);
    ok(r.status == 0 && r.out && strstr(r.out, "planned 8 runs"), "plan: 8 runs (%s)", r.err);
    run_free(&r);
    char *jobs = st_slurp(path_in("P/jobs.txt"), NULL);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, " -- %s/sortprog 3000 </dev/null >/dev/null", dir);
    ok(jobs && !strncmp(jobs, "env -i /", 8) && strstr(jobs, " run --swap=8M --frames=24 --policy=fifo") &&
           strstr(jobs, want),
       "job lines: env -i vmlab run, the run's options, the program by its absolute path");
    free(jobs);
    r = st_run("cd %s && %s sweep --run './sortprog 3000' --run %s --frames-list 24,2048 "
               "--policies fifo,clock --swap 8M --out inproc", dir, v, forktree);
    is_i64(r.status, 0, "the same sweep in process");
    run_free(&r);
    r = st_run("cd / && xargs -P 2 -d '\\n' -n 1 sh -c < %s", path_in("P/jobs.txt"));
    is_i64(r.status, 0, "xargs -P 2 runs every line from / (%s)", r.err);
    run_free(&r);
    r = st_run("cd / && %s sweep --collect %s --out %s", v, path_in("P"), path_in("coll"));
    ok(r.status == 0 && r.out && strstr(r.out, "8 of 8 runs (2 inputs) finished"),
       "collect from another directory: every run (%s)", r.err);
    run_free(&r);
    struct st_csv a, b;
    int ra = st_csv_read(path_in("coll.csv"), &a), rb = st_csv_read(path_in("inproc.csv"), &b);
    ok(ra == 0 && rb == 0 && a.nrows == 9 && st_csv_same(&a, &b, "seconds"),
       "the collected CSV equals the in-process sweep's, run by run, but for seconds");
    if (ra == 0)
        st_csv_free(&a);
    if (rb == 0)
        st_csv_free(&b);

    /* a result of another configuration is corrupt, and rerun.txt has its line */
    r = st_run("cd %s && sed -i 's/\"frames\": 24,/\"frames\": 25,/' P/results/0001.json && "
               "%s sweep --collect P --out c2; echo \"rc=$?\"; wc -l < P/rerun.txt", dir, v);
    ok(r.out && strstr(r.out, "rc=1") && strstr(r.out, "\n1") &&
           strstr(r.err, "corrupt: not this run's result: its frames is '25'"),
       "a result of another configuration is corrupt; rerun.txt has its line (%s)", r.err);
    run_free(&r);
}

static void killed(const char *v)
{
    const char *grid = "--frames-list 12,4096 --policies clock --swap 0";
    struct run_result r = st_run("cd %s && %s sweep --run '%s 3000' %s --out k; echo \"rc=$?\"; "
                                 "%s sweep --plan K --run '%s 3000' %s && "
                                 "xargs -d '\\n' -n 1 sh -c < K/jobs.txt; "
                                 "%s sweep --collect K --out kc; echo \"rc=$?\"",
                                 dir, v, sort, grid, v, sort, grid, v);
    ok(r.out && st_count(r.out, "rc=3") == 2 && st_count(r.err, "run 1 (12 frames): the process "
       "was killed after ") == 2 && strstr(r.err, "oom-swap-full"),
       "no swap, 12 frames: the run is killed (the kernel's reason), exit 3, in process and "
       "collected (%s)", r.err);
    run_free(&r);
    struct st_csv a, b;
    int ra = st_csv_read(path_in("k.csv"), &a), rb = st_csv_read(path_in("kc.csv"), &b);
    ok(ra == 0 && rb == 0 && a.nrows == 3 && !strcmp(a.cell[1][0], "killed") &&
           !strcmp(a.cell[2][0], "ok") && st_csv_same(&a, &b, "seconds"),
       "the CSV marks it killed, the collected one too");
    if (ra == 0)
        st_csv_free(&a);
    if (rb == 0)
        st_csv_free(&b);
}

static void refused(const char *v)
{
    static const struct { const char *args, *want; } cases[] = {
        {"--cpus 2 tests/data/sample.rw", "needs programs to run"},
        {"--grid cpus=1,2 tests/data/sample.rw", "needs programs to run"},
        {"--run 'PROG' tests/data/sample.rw", "not swept together"},
        {"--run 'PROG' --policies lru,opt", "--policy opt cannot run a program"},
        {"--run 'PROG' --limit 100", "--limit has no meaning for a running program"},
        {"--run /nonexistent/prog", "No such file or directory"},
        {"--run '  '", "no program"},
        {"--run 'PROG' --trace-out x.vmt", "unrecognized option"},
        {"--run 'PROG' --cpus 0", "--cpus '0' is not valid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[PATH_MAX + 200];
        const char *at = strstr(cases[i].args, "PROG");
        if (at)
            snprintf(args, sizeof args, "%.*s%s%s", (int)(at - cases[i].args), cases[i].args, sort,
                     at + 4);
        else
            snprintf(args, sizeof args, "%s", cases[i].args);
        struct run_result r = st_run("%s sweep %s --out %s", v, args, path_in("never"));
        ok(r.status == 2 && r.err && strstr(r.err, cases[i].want) &&
               access(path_in("never.csv"), F_OK) != 0,
           "refused, nothing run: sweep %s (%s)", cases[i].args, r.err);
        run_free(&r);
    }
}

int main(void)
{
    if (!guest_have_corpus()) {
        tap_plan(0);
        tap_skip(1, "the guest corpus is missing (riscv64-linux-gnu-gcc: scripts/setup.sh)");
        return tap_done();
    }
    if (!mkdtemp(dir))
        return 1;
    guest_path("sort", sort, sizeof sort);
    guest_path("forktree", forktree, sizeof forktree);
    const char *v = vmlab_bin();
    const char *san = getenv("VMLAB_SAN");
    in_process(v);   /* -j 2: two runs at once, the TSan case */
    if (!san || !*san) {
        planned(v);
        killed(v);
    }
    refused(v);
    struct run_result r = st_run("rm -rf %s", dir);
    run_free(&r);
    return tap_done();
}
