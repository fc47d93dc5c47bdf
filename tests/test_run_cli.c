/* test_run_cli.c — `vmlab run` from the command line: the program's stdout
 * is its own and the report goes to stderr (or -o FILE; --json, --csv,
 * --quiet); the exit status is the program's, 128 + signal when killed,
 * 125-127 vmlab's own (bad option, cannot run, not found); meaningless
 * replay options and --policy opt are refused with a pointer to what to
 * use; --help documents the default pool. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/run.h"
#include "lib/runkit.h"
#include "lib/tap.h"

static char prog[PATH_MAX], bad[PATH_MAX];

static int vrun(const char *args, struct run_result *r)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s run %s", vmlab_bin(), args);
    return run_cmd(cmd, r);
}

int main(void)
{
    const char *san = getenv("VMLAB_SAN");
    if (!guest_have_corpus() || (san && !strcmp(san, "tsan"))) {
        tap_plan(0);
        tap_skip(1, !guest_have_corpus() ? "the guest corpus is missing" : "single-CPU: not a TSan test");
        return tap_done();
    }
    guest_path("sort", prog, sizeof prog);
    guest_path("bad", bad, sizeof bad);
    struct run_result r;
    char args[3 * PATH_MAX];

    snprintf(args, sizeof args, "-- %s 1000", prog);
    vrun(args, &r);
    ok(r.status == 0 && !strncmp(r.out, "sorted 1000 integers:", 21) && !strchr(r.out + 1, '\n')[1],
       "stdout is the program's alone: %s", r.out);
    ok(strstr(r.err, "Run of '") && strstr(r.err, "sv39 page tables, zen4 TLB, 1 CPU") &&
           strstr(r.err, "iTLB-loads") && strstr(r.err, "instructions"),
       "the report is on stderr, with the configuration and the counters");
    run_free(&r);

    snprintf(args, sizeof args, "%s 500", prog);
    vrun(args, &r);
    ok(r.status == 0 && !strncmp(r.out, "sorted 500", 10), "-- is optional before the program");
    run_free(&r);

    char json[PATH_MAX + 64];
    snprintf(json, sizeof json, "%s/run-cli-%d.json", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    snprintf(args, sizeof args, "--json -o %s --cpus 2 -- %s 2000", json, prog);
    vrun(args, &r);
    FILE *f = fopen(json, "r");
    char buf[65536] = "";
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = 0;
    if (f)
        fclose(f);
    ok(r.status == 0 && !strstr(r.err, "Run of") && buf[0] == '{' && strstr(buf, "\"processes\": [") &&
           strstr(buf, "\"iTLB-loads\": ") && strstr(buf, "\"cpus\": 2") && strstr(buf, "\"exit_code\": 0"),
       "--json -o FILE: one JSON object in the file, nothing on stderr");
    unlink(json);
    run_free(&r);

    snprintf(args, sizeof args, "--csv -- %s 100", prog);
    vrun(args, &r);
    ok(r.status == 0 && !strncmp(r.err, "pid,ppid,comm,end,instructions,syscalls,accesses,", 49) &&
           strstr(r.err, "\r\n1,0,sort,exited 0,") && strstr(r.err, "\r\ntotal,,,status 0,"),
       "--csv: a header, a row per process, the total");
    run_free(&r);

    snprintf(args, sizeof args, "--quiet -- %s abort", bad);
    vrun(args, &r);
    ok(r.status == 134 && !r.err[0], "a program killed by SIGABRT: 134, and --quiet prints nothing");
    run_free(&r);

    snprintf(args, sizeof args, "-- %s write-code", bad);
    vrun(args, &r);
    ok(r.status == 139 && strstr(r.err, "killed by SIGSEGV") && strstr(r.err, "segv-write-ro"),
       "a store to the code page: 139, and the report says what killed whom");
    run_free(&r);

    vrun("-- /nonexistent/program", &r);
    ok(r.status == 127 && strstr(r.err, "/nonexistent/program"), "a missing program: 127, named");
    run_free(&r);
    vrun("-- /etc/passwd", &r);
    ok(r.status == 126 && strstr(r.err, "/etc/passwd") && strstr(r.err, "not an ELF"),
       "a file that is not a program: 126, with the loader's reason");
    run_free(&r);
    snprintf(args, sizeof args, "--frames 0 -- %s", prog);
    vrun(args, &r);
    ok(r.status == 125 && strstr(r.err, "--frames"), "a bad option value: 125");
    run_free(&r);
    snprintf(args, sizeof args, "--bogus -- %s", prog);
    vrun(args, &r);
    ok(r.status == 125, "an unknown option: 125");
    run_free(&r);
    snprintf(args, sizeof args, "--policy opt -- %s", prog);
    vrun(args, &r);
    ok(r.status == 125 && strstr(r.err, "--trace-out") && strstr(r.err, "replay"),
       "--policy opt is refused, pointing to --trace-out and replay");
    run_free(&r);
    snprintf(args, sizeof args, "--limit 5 -- %s", prog);
    vrun(args, &r);
    ok(r.status == 125 && strstr(r.err, "--limit has no meaning"), "a replay option that means nothing here is refused");
    run_free(&r);
    snprintf(args, sizeof args, "--pt sv32 -- %s", prog);
    vrun(args, &r);
    ok(r.status == 125 && strstr(r.err, "sv32"), "--pt sv32 cannot hold the program: 125");
    run_free(&r);
    vrun("", &r);
    ok(r.status == 125 && strstr(r.err, "no program"), "no program: 125");
    run_free(&r);
    vrun("--help", &r);
    ok(r.status == 0 && strstr(r.out, "262144 frames (1 GiB") && strstr(r.out, "125"),
       "--help says the default pool and the exit statuses");
    run_free(&r);
    snprintf(args, sizeof args, "--pt x86-64 --frames 64 --policy fifo -- %s 3000", prog);
    vrun(args, &r);
    ok(r.status == 0 && strstr(r.err, "x86-64 page tables, golden-cove TLB") && strstr(r.err, "pswpin"),
       "a what-if: x86-64 page tables under pressure, and the report says which format");
    run_free(&r);
    char vmt[PATH_MAX + 64];
    snprintf(vmt, sizeof vmt, "%s/run-cli-%d.vmt", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    snprintf(args, sizeof args, "--quiet --cpus 2 --frames 64 --trace-out %s -- %s 4000", vmt, prog);
    vrun(args, &r);
    int st = r.status;
    run_free(&r);
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "%s replay %s", vmlab_bin(), vmt);
    run_cmd(cmd, &r);
    ok(st == 0 && r.status == 0 && strstr(r.out, "a run trace (vmlab run --trace-out): 2 CPUs") &&
           strstr(r.out, "sv39 page tables, zen4 TLB, 64 frames"),
       "--trace-out, then vmlab replay: the run's configuration and CPUs");
    run_free(&r);
    snprintf(cmd, sizeof cmd, "%s replay --policy opt --frames 32 %s", vmlab_bin(), vmt);
    run_cmd(cmd, &r);
    ok(r.status == 0 && strstr(r.out, "32 frames") && strstr(r.out, "policy opt"),
       "and --policy opt, as --help points to");
    run_free(&r);
    unlink(vmt);
    return tap_done();
}
