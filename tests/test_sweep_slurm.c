/* test_sweep_slurm.c — a planned sweep run by a real engine: Slurm.
 *
 * The plan's sbatch.sh is submitted as a job array (sbatch --wait), every
 * task runs its line of jobs.txt, and the collected sweep equals the
 * in-process one (CSV but for seconds; HTML byte for byte); the same for
 * a sweep of RISC-V programs (--run), whose jobs must not see Slurm's
 * environment (the guest's stack would differ). Needs a Slurm
 * cluster that this machine can submit to and that sees /tmp: CI starts a
 * one-node one (.ci/slurm-local). Without one the test skips, saying why
 * in its TAP output.
 * Runs the command named by $VMLAB from the project root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/runkit.h"

#include "lib/sweeptest.h"
#include "lib/tap.h"

static char dir[] = "/tmp/vmlab-sweep-slurm-XXXXXX";
#define NTESTS 8

/* NULL if Slurm can take a job here, else why not. */
static const char *no_slurm(char *why, size_t len)
{
    struct run_result r = st_run("command -v sbatch && command -v sinfo");
    bool have = r.status == 0;
    run_free(&r);
    if (!have)
        return "no Slurm here (sbatch and sinfo not found; CI starts one with .ci/slurm-local)";
    r = st_run("timeout 20 sinfo -h -o %%T");
    bool up = r.status == 0 && r.out &&
              (strstr(r.out, "idle") || strstr(r.out, "mix") || strstr(r.out, "alloc"));
    snprintf(why, len, "Slurm has no node up (sinfo: %s%s)", r.out ? r.out : "", r.err ? r.err : "");
    for (char *c = why; *c; c++)
        if (*c == '\n')
            *c = ' ';
    run_free(&r);
    return up ? NULL : why;
}

/* Programs run at every point, under Slurm and in process. */
static void programs(const char *v)
{
    char sort[4096], forktree[4096];
    if (!guest_path("sort", sort, sizeof sort) || !guest_path("forktree", forktree, sizeof forktree)) {
        tap_skip(3, "the guest corpus is missing (riscv64-linux-gnu-gcc: scripts/setup.sh)");
        return;
    }
    char grid[9000];
    snprintf(grid, sizeof grid, "--frames-list 24,4096 --policies clock --swap 8M --run '%s 2000' "
             "--run %s", sort, forktree);
    struct run_result r = st_run("cd %s && %s sweep --plan R %s >/dev/null && "
                                 "%s sweep --out rin %s >/dev/null && "
                                 "timeout 300 sbatch --wait --quiet R/sbatch.sh", dir, v, grid, v, grid);
    is_i64(r.status, 0, "programs: planned, swept in process, and the job array ran (%s)", r.err);
    run_free(&r);
    r = st_run("cd %s && %s sweep --collect R --out rslurm", dir, v);
    ok(r.status == 0 && r.out && strstr(r.out, "4 of 4 runs (2 inputs) finished"),
       "programs: collected, every run (%s)", r.err);
    run_free(&r);
    char a[700], b[700];
    struct st_csv x, y;
    snprintf(a, sizeof a, "%s/rslurm.csv", dir);
    snprintf(b, sizeof b, "%s/rin.csv", dir);
    int ra = st_csv_read(a, &x), rb = st_csv_read(b, &y);
    ok(ra == 0 && rb == 0 && x.nrows == 5 && st_csv_same(&x, &y, "seconds"),
       "programs: the Slurm sweep's CSV equals the in-process one but for seconds");
    if (ra == 0)
        st_csv_free(&x);
    if (rb == 0)
        st_csv_free(&y);
}

int main(void)
{
    char why[600];
    const char *skip = no_slurm(why, sizeof why);
    if (skip) {
        tap_skip(NTESTS, skip);
        return tap_done();
    }
    if (!mkdtemp(dir))
        return 1;
    const char *v = vmlab_bin();
    const char *grid = "--frames-list 2,8 --policies fifo,lru";
    struct run_result r = st_run("cp tests/data/sample.rw tests/data/sample.lackey %s && cd %s && "
                                 "%s sweep --plan S %s sample.rw sample.lackey >/dev/null && "
                                 "%s sweep --out inproc %s sample.rw sample.lackey >/dev/null",
                                 dir, dir, v, grid, v, grid);
    is_i64(r.status, 0, "a plan of 8 runs, and the same sweep in process (%s)", r.err);
    run_free(&r);
    r = st_run("cd %s && timeout 300 sbatch --wait --quiet S/sbatch.sh", dir);
    is_i64(r.status, 0, "sbatch --wait: the job array ran (%s)", r.err);
    run_free(&r);
    r = st_run("ls %s/S/logs/ | grep -c '^slurm-.*_[0-9]*\\.out$'", dir);
    ok(r.out && atoi(r.out) == 8, "each of the 8 array tasks ran under Slurm (its own log: %s)",
       r.out ? r.out : "");
    run_free(&r);
    r = st_run("cd %s && %s sweep --collect S --out slurm", dir, v);
    ok(r.status == 0 && r.out && strstr(r.out, "8 of 8 runs (2 inputs) finished"),
       "collected: every run (%s)", r.err);
    run_free(&r);
    char a[700], b[700];
    struct st_csv x, y;
    snprintf(a, sizeof a, "%s/slurm.csv", dir);
    snprintf(b, sizeof b, "%s/inproc.csv", dir);
    int ra = st_csv_read(a, &x), rb = st_csv_read(b, &y);
    snprintf(a, sizeof a, "%s/slurm.html", dir);
    snprintf(b, sizeof b, "%s/inproc.html", dir);
    size_t la, lb;
    char *ha = st_slurp(a, &la), *hb = st_slurp(b, &lb);
    ok(ra == 0 && rb == 0 && x.nrows == 9 && st_csv_same(&x, &y, "seconds") && ha && hb &&
       la == lb && !memcmp(ha, hb, la),
       "the Slurm sweep equals the in-process one: the CSV but for seconds, the HTML byte for byte");
    free(ha);
    free(hb);
    st_csv_free(&x);
    st_csv_free(&y);
    programs(v);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        tap_diag("cannot remove %s", dir);
    return tap_done();
}
