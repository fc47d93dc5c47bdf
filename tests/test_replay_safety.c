/* test_replay_safety.c — `vmlab replay` never loses a file, and its exit
 * status and messages are ones a script can rely on.
 *
 *   - --swap-file: never the input, never an existing file unless
 *     --swap-file-overwrite, created exclusively and removed at the end;
 *   - -o FILE: written beside FILE and renamed on success, the old mode
 *     kept, never the input, nothing left behind when vmlab is killed;
 *   - exit statuses (0, 1, 2, 3, 130) and write errors on standard output;
 *   - what is said when PROGRAM under `replay -- PROGRAM` dies of a signal;
 *   - honest limits and messages for --mem, --cost, empty values.
 * Runs the command named by $VMLAB from the project root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vmlab/trace.h>

#include "lib/run.h"
#include "lib/tap.h"

static char dir[] = "/tmp/vmlab-safety-XXXXXX";

/* Run a shell command; its stderr's last newline is dropped, so that it
 * can be quoted in a check's name. */
static const char *path(const char *name)
{
    static char p[8][512];
    static int k;
    char *s = p[k++ % 8];
    snprintf(s, 512, "%s/%s", dir, name);
    return s;
}

static void write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

/* Files in dir whose name starts with prefix. */
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

static void swap_file(void)
{
    const char *v = vmlab_bin();
    const char *trace = path("v.gz");
    struct run_result r = run_fmt("cp examples/traces/bzip.trace.gz %s", trace);
    run_free(&r);
    struct stat before, after;
    stat(trace, &before);
    r = run_fmt("%s replay --frames 64 --swap-file %s %s", v, trace, trace);
    is_i64(r.status, 1, "--swap-file naming the input trace: exit 1");
    ok(strstr(r.err, "is the input") != NULL, "and says it is the input (%s)", r.err);
    run_free(&r);
    r = run_fmt("%s replay --frames 64 --swap-file %s --swap-file-overwrite --limit 1000 %s", v, trace,
            trace);
    is_i64(r.status, 1, "not even with --swap-file-overwrite");
    run_free(&r);
    r = run_fmt("cd %s && %s replay --frames 64 --swap-file v.gz --limit 1000 - < v.gz", dir, v);
    is_i64(r.status, 1, "nor as standard input redirected from it");
    run_free(&r);
    stat(trace, &after);
    r = run_fmt("cmp -s %s examples/traces/bzip.trace.gz", trace);
    ok(after.st_size == before.st_size && r.status == 0, "the trace is intact");
    run_free(&r);

    const char *other = path("precious");
    write_file(other, "precious data\n");
    r = run_fmt("%s replay --frames 16 --limit 20000 --swap-file %s %s", v, other, trace);
    ok(r.status == 1 && strstr(r.err, "already exists") && strstr(r.err, "--swap-file-overwrite"),
       "an existing swap file is refused, naming the option that allows it (%s)", r.err);
    run_free(&r);
    is_str(slurp(other, NULL), "precious data\n", "and left as it was");
    r = run_fmt("%s replay --json --frames 16 --limit 20000 --swap-file %s --swap-file-overwrite %s", v,
            other, trace);
    ok(r.status == 0 && json_u64(r.out, "pswpout") > 0, "with --swap-file-overwrite it is used");
    run_free(&r);
    ok(access(other, F_OK) == 0, "and stays: vmlab did not create it");

    const char *fresh = path("fresh.swap");
    r = run_fmt("%s replay --json --frames 16 --limit 20000 --swap-file %s %s", v, fresh, trace);
    ok(r.status == 0 && json_u64(r.out, "pswpout") > 0, "a new swap file is created and used");
    run_free(&r);
    ok(access(fresh, F_OK) != 0, "and removed at the end");
    r = run_fmt("%s replay --swap-file-overwrite --refs 1", v);
    is_i64(r.status, 2, "--swap-file-overwrite without --swap-file: usage error");
    run_free(&r);
}

static void output_file(void)
{
    const char *v = vmlab_bin();
    const char *trace = path("t.rw");
    struct run_result r = run_fmt("cp examples/traces/trace3 %s", trace);
    run_free(&r);
    r = run_fmt("%s replay -o %s %s", v, trace, trace);
    ok(r.status == 1 && strstr(r.err, "is the input"), "-o naming the input: refused (%s)", r.err);
    run_free(&r);
    r = run_fmt("cmp -s %s examples/traces/trace3", trace);
    is_i64(r.status, 0, "the trace is intact");
    run_free(&r);

    const char *rep = path("report.txt");
    write_file(rep, "an older report\n");
    chmod(rep, 0640);
    write_file(path("bad.rw"), "0 R\nzz W\n");
    r = run_fmt("%s replay -o %s %s", v, rep, path("bad.rw"));
    is_i64(r.status, 1, "a failed run exits 1");
    run_free(&r);
    is_str(slurp(rep, NULL), "an older report\n", "and leaves the older report as it was");
    r = run_fmt("%s replay --frames 3 -o %s --refs 1,2,3,4", v, rep);
    is_i64(r.status, 0, "a good run replaces it");
    run_free(&r);
    char *text = slurp(rep, NULL);
    ok(text && strstr(text, "Replay of '--refs'"), "with the new report");
    struct stat st;
    ok(stat(rep, &st) == 0 && (st.st_mode & 0777) == 0640, "keeping the old file's mode (%o)",
       st.st_mode & 0777);
    is_i64(count_files("report.txt.tmp"), 0, "no temporary left beside it");
    const char *link = path("link.txt");
    symlink(rep, link);
    r = run_fmt("%s replay --json --frames 3 -o %s --refs 1,2", v, link);
    struct stat lst;
    ok(r.status == 0 && lstat(link, &lst) == 0 && S_ISLNK(lst.st_mode) &&
       strstr(slurp(rep, NULL), "\"config\""), "-o through a symbolic link replaces its target");
    run_free(&r);
    r = run_fmt("%s replay --json --frames 3 -o /dev/stdout --refs 1,2", v);
    ok(r.status == 0 && json_u64(r.out, "accesses") == 2, "-o /dev/stdout is written directly");
    run_free(&r);
}

/* vmlab dies of a signal in the middle of a run: nothing of its own is left
 * (no temporary report, no swap file), and an older report is intact. */
static void killed_midway(void)
{
    const char *vmt = path("long.vmt");
    char e[256];
    if (trace_synth_write_vmt(vmt, 20000000, 1, e, sizeof e)) {
        tap_skip(4, "cannot write a synthetic trace");
        return;
    }
    const char *rep = path("mid.json");
    write_file(rep, "older\n");
    static const int sigs[] = {SIGTERM, SIGINT};
    for (int k = 0; k < 2; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 2);
            execl(vmlab_bin(), "vmlab", "replay", "--json", "--frames", "64", "--swap-file",
                  path("mid.swap"), "-o", rep, vmt, (char *)NULL);
            _exit(127);
        }
        usleep(700000);
        kill(pid, sigs[k]);
        if (sigs[k] == SIGINT) {         /* the second Ctrl-C ends vmlab at once */
            usleep(1000);
            kill(pid, SIGINT);
        }
        int ws;
        waitpid(pid, &ws, 0);
        ok((WIFSIGNALED(ws) && WTERMSIG(ws) == sigs[k]) ||
           (WIFEXITED(ws) && WEXITSTATUS(ws) == 130), "%s: vmlab ends (wait status 0x%x)",
           sigs[k] == SIGTERM ? "SIGTERM" : "two Ctrl-C", ws);
        ok(count_files("mid.json.tmp") == 0 && count_files("mid.swap") == 0,
           "%s: no temporary report and no swap file left", sigs[k] == SIGTERM ? "SIGTERM" : "Ctrl-C");
    }
    char *t = slurp(rep, NULL);
    ok(t && (!strcmp(t, "older\n") || strstr(t, "\"interrupted\": true")),
       "the report is the older one, or a complete interrupted one");
    unlink(vmt);
}

static void exit_statuses(void)
{
    const char *v = vmlab_bin();
    struct run_result r = run_fmt("%s replay --frames 4 --swap 0 --refs 1w,2w,3w,4w,5w,6w", v);
    is_i64(r.status, 3, "a killed process: exit 3");
    ok(strstr(r.err, "killed") && strstr(r.err, "oom-swap-full"), "said on stderr: %s", r.err);
    ok(strstr(r.out, "the process was killed after 5 accesses: oom-swap-full"),
       "and in the report");
    run_free(&r);
    r = run_fmt("%s replay --quiet --frames 4 --swap 0 --refs 1w,2w,3w,4w,5w,6w", v);
    ok(r.status == 3 && !*r.out, "--quiet: no report, still exit 3");
    run_free(&r);
    r = run_fmt("%s replay --json --frames 4 --swap 0 --refs 1w,2w,3w,4w,5w,6w", v);
    ok(r.status == 3 && strstr(r.out, "\"killed\": true"), "--json: killed: true, exit 3");
    run_free(&r);
    r = run_fmt("%s replay --frames 4 --swap 0 --refs 1,2,3,4,5,6", v);
    is_i64(r.status, 0, "--swap 0 with clean pages only: nothing to write, exit 0");
    ok(strstr(r.out, "swap none"), "the report says there is no swap");
    run_free(&r);

    r = run_fmt("%s replay --json --refs 1 > /dev/full", v);
    ok(r.status == 1 && strstr(r.err, "No space left on device"),
       "replay to a full device: exit 1 (%s)", r.err);
    run_free(&r);
    r = run_fmt("%s replay --refs 1 -o /dev/full", v);
    is_i64(r.status, 1, "-o /dev/full: exit 1");
    run_free(&r);
    r = run_fmt("%s --help > /dev/full", v);
    is_i64(r.status, 1, "--help to a full device: exit 1");
    run_free(&r);
    r = run_fmt("%s explain 0x1234 > /dev/full", v);
    is_i64(r.status, 1, "explain to a full device: exit 1");
    run_free(&r);
    r = run_fmt("%s sweep --help > /dev/full", v);
    is_i64(r.status, 1, "sweep --help to a full device: exit 1");
    run_free(&r);

    static const char *const helps[] = {"", "replay ", "sweep ", "explain ", "convert ", "record "};
    int with_table = 0;
    for (int i = 0; i < 6; i++) {
        r = run_fmt("%s %s--help", v, helps[i]);
        with_table += r.status == 0 && strstr(r.out, "exit status:\n  0    success\n  1    bad input") &&
                      strstr(r.out, "  3    a simulated process was killed") && strstr(r.out, "  130  ");
        run_free(&r);
    }
    is_i64(with_table, 6, "every --help prints the one table of exit statuses");
    r = run_fmt("%s replay --frames 0 --refs 1", v);
    is_i64(r.status, 2, "a bad value: exit 2");
    run_free(&r);
}

static void messages(void)
{
    const char *v = vmlab_bin();
    struct run_result r = run_fmt("%s replay --mem 2T --refs 1", v);
    ok(r.status == 2 && strstr(r.err, "to 1023.9 GiB (268402687 frames"),
       "--mem states the true maximum (%s)", r.err);
    run_free(&r);
    r = run_fmt("%s replay --frames 268402688 --refs 1", v);
    ok(r.status == 2 && strstr(r.err, "from 1 to 268402687"), "one frame more is refused: %s", r.err);
    run_free(&r);
    r = run_fmt("%s replay --frames 268402687 --policy nope --refs 1", v);
    ok(r.status == 2 && strstr(r.err, "--policy") && !strstr(r.err, "--frames"),
       "the stated maximum itself is accepted");
    run_free(&r);
    r = run_fmt("%s replay --cost major-fault=1e308 --refs 1", v);
    ok(r.status == 2 && strstr(r.err, "out of range"), "a cost that would overflow is refused");
    run_free(&r);
    r = run_fmt("%s replay --json --cost major-fault=1e15,swap-out=1e15,minor-fault=1e15 --frames 2 "
            "--refs 1w,2w,3w,4w,1,2,3,4", v);
    ok(r.status == 0 && !strstr(r.out, ": inf") && !strstr(r.out, ": nan") &&
       !strstr(r.out, ": -inf") && !strstr(r.out, ": null") &&
       json_u64(r.out, "effective_access_ns") > 1000000000000ull,
       "the largest costs still give a finite number in the JSON");
    run_free(&r);
    static const char *const empty[] = {"--cost access=", "--tlb-geometry l1d=", "--tlb-geometry l2=",
                                        "--swap-file ''", "-o ''"};
    for (int i = 0; i < 5; i++) {
        r = run_fmt("%s replay %s --refs 1", v, empty[i]);
        ok(r.status == 2 && (strstr(r.err, "no value") || strstr(r.err, "expected a file name")),
           "an empty value is refused: %s (%s)", empty[i], r.err);
        run_free(&r);
    }
    r = run_fmt("%s replay --tlb-geometry l1d=64x0 --refs 1", v);
    ok(r.status == 2 && strstr(r.err, "WAYS must be at least 1"), "l1d=64x0 says what is wrong");
    run_free(&r);
    r = run_fmt("%s replay --refs w", v);
    ok(r.status == 1 && strstr(r.err, "bad page number 'w'"), "--refs w is no page 0");
    run_free(&r);

    /* FILE -- PROGRAM: two inputs, refused before anything runs */
    r = run_fmt("VMLAB_VALGRIND=/nonexistent/valgrind %s replay examples/traces/trace3 -- /bin/true", v);
    ok(r.status == 2 && strstr(r.err, "exclude each other") && !strstr(r.err, "valgrind"),
       "replay FILE -- PROGRAM is a usage error, not FILE run under Valgrind (%s)", r.err);
    run_free(&r);

    r = run_fmt("valgrind --version");
    bool have = r.status == 0;
    run_free(&r);
    if (!have) {
        tap_skip(1, "valgrind not installed");
        return;
    }
    r = run_fmt("%s replay --quiet --frames 64 -- /bin/sh -c 'kill -SEGV $$'", v);
    ok(strstr(r.err, "was killed by signal 11 (Segmentation fault)") && !strstr(r.err, "status 139"),
       "a program killed by a signal: the signal is named (%s)", r.err);
    run_free(&r);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    swap_file();
    output_file();
    killed_midway();
    exit_statuses();
    messages();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        tap_diag("cannot remove %s", dir);
    return tap_done();
}
