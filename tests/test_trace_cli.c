/* test_trace_cli.c — `vmlab convert` and `vmlab record` (the command
 * named by $VMLAB), and trace_open_command over a live Valgrind run.
 * Valgrind-dependent checks are skipped when valgrind is not installed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmlab/trace.h>

#include "lib/tap.h"

static const char *vmlab;
static char tmpdir[] = "/tmp/vmlab-test-cli-XXXXXX";
static char out_text[1 << 16], err_text[1 << 16];
static size_t out_len;

static void slurp(const char *path, char *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = 0;
    if (len)
        *len = n;
    if (f)
        fclose(f);
}

/* Run vmlab with args; stdin from in_path (or /dev/null); env "K=V" or
 * NULL. Captures stdout and stderr. Returns the exit status (or 128+sig). */
static int run(const char *in_path, const char *env, const char *const *args)
{
    char o[600], e[600];
    snprintf(o, sizeof o, "%s/stdout", tmpdir);
    snprintf(e, sizeof e, "%s/stderr", tmpdir);
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(in_path ? in_path : "/dev/null", O_RDONLY);
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        if (env)
            putenv((char *)env);
        char *argv[32];
        int n = 0;
        argv[n++] = (char *)vmlab;
        for (; args[n - 1] && n < 31; n++)
            argv[n] = (char *)args[n - 1];
        argv[n] = NULL;
        execv(vmlab, argv);
        _exit(126);
    }
    int st;
    waitpid(pid, &st, 0);
    slurp(o, out_text, sizeof out_text, &out_len);
    slurp(e, err_text, sizeof err_text, NULL);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define RUN(in, env, ...) run((in), (env), (const char *const[]){__VA_ARGS__, NULL})

static char *tmp(const char *name)
{
    static char paths[8][600];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 600, "%s/%s", tmpdir, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* Records of a file, folded into a checksum; -1 on error. */
static long digest(const char *path, enum trace_format fmt, uint64_t *sum)
{
    char err[512];
    struct trace_reader *r = trace_open(path, fmt, NULL, err, sizeof err);
    if (!r) {
        tap_diag("%s", err);
        return -1;
    }
    uint64_t n;
    int rc = trace_drain(r, &n, sum);
    if (rc < 0)
        tap_diag("%s", trace_error(r));
    trace_close(r);
    return rc < 0 ? -1 : (long)n;
}

static void test_convert(void)
{
    is_i64(RUN(NULL, NULL, "convert", "--help"), 0, "convert --help exits 0");
    ok(strstr(out_text, "usage: vmlab convert") != NULL, "convert --help prints usage");
    is_i64(RUN(NULL, NULL, "convert"), 2, "convert with no input: usage error");
    is_i64(RUN(NULL, NULL, "convert", "tests/data/sample.rw"), 2, "convert without -o: usage");
    is_i64(RUN(NULL, NULL, "convert", "a", "b", "-o", tmp("x.vmt")), 2, "two inputs: usage");
    is_i64(RUN(NULL, NULL, "convert", "--format", "pin", "a", "-o", tmp("x.vmt")), 2,
           "unknown format: usage");
    ok(strstr(err_text, "unknown format 'pin'") != NULL, "unknown format named");
    is_i64(RUN(NULL, NULL, "convert", "--frobnicate", "a", "-o", tmp("x.vmt")), 2,
           "unknown option: usage");

    uint64_t want, got;
    long n0 = digest("tests/data/sample.lackey", TRACE_LACKEY, &want);
    is_i64(RUN(NULL, NULL, "convert", "tests/data/sample.lackey", "-o", tmp("s.vmt")), 0,
           "convert lackey to vmt");
    ok(strstr(err_text, "14 records (lackey, plain) written to") != NULL,
       "convert reports the count");
    long n1 = digest(tmp("s.vmt"), TRACE_VMT, &got);
    ok(n0 == 14 && n1 == n0 && got == want, "the vmt holds the same records");

    is_i64(RUN("tests/data/sample.lackey.zst", NULL, "convert", "-", "--output", tmp("z.vmt")),
           0, "convert compressed stdin");
    n1 = digest(tmp("z.vmt"), TRACE_VMT, &got);
    ok(n1 == n0 && got == want, "same records from zstd on stdin");

    is_i64(RUN(NULL, NULL, "convert", "--format=lackey", "tests/data/sample.lackey", "-o", "-"),
           0, "convert to stdout");
    char err[512];
    struct trace_reader *r = trace_open_mem(out_text, out_len, TRACE_AUTO, NULL, err, sizeof err);
    uint64_t n2 = 0;
    ok(r && trace_reader_format(r) == TRACE_VMT && trace_drain(r, &n2, &got) == 0 &&
       n2 == 14 && got == want, "stdout holds the vmt trace");
    trace_close(r);

    write_file(tmp("bad.trace"), "0 R\n1 W\nzz41 R\n2 R\n");
    write_file(tmp("old.vmt"), "precious");
    is_i64(RUN(NULL, NULL, "convert", tmp("bad.trace"), "-o", tmp("old.vmt")), 1,
           "bad input exits 1");
    char want_msg[700];
    snprintf(want_msg, sizeof want_msg, "vmlab convert: %s:3: bad address 'zz41'\n",
             tmp("bad.trace"));
    is_str(err_text, want_msg, "bad input message names file and line");
    char old[64];
    slurp(tmp("old.vmt"), old, sizeof old, NULL);
    is_str(old, "precious", "a failed conversion leaves the old output alone");

    is_i64(RUN(NULL, NULL, "convert", "--skip-bad", tmp("bad.trace"), "-o", tmp("skip.vmt")), 0,
           "--skip-bad converts");
    ok(strstr(err_text, "skipped 1 malformed lines") != NULL, "--skip-bad reports the count");
    is_i64(digest(tmp("skip.vmt"), TRACE_VMT, &got), 3, "--skip-bad keeps the good records");

    is_i64(RUN(NULL, NULL, "convert", "-f", "refs", "tests/data/sample.refs", "-o",
               tmp("r.vmt")), 0, "convert refs");
    is_i64(digest(tmp("r.vmt"), TRACE_AUTO, &got), 20, "refs: 20 records");
    is_i64(RUN(NULL, NULL, "convert", tmp("missing"), "-o", tmp("m.vmt")), 1,
           "missing input exits 1");
    ok(strstr(err_text, "cannot open: No such file") != NULL, "missing input message");
    is_i64(RUN(NULL, NULL, "convert", "tests/data/sample.rw", "-o", "/nonexistent/d/x.vmt"), 1,
           "unwritable output exits 1");
}

static bool have_valgrind(void)
{
    return system("valgrind --version >/dev/null 2>&1") == 0;
}

static void test_record(void)
{
    is_i64(RUN(NULL, NULL, "record", "--help"), 0, "record --help exits 0");
    ok(strstr(out_text, "usage: vmlab record") != NULL, "record --help prints usage");
    is_i64(RUN(NULL, NULL, "record"), 2, "record with no program: usage");
    is_i64(RUN(NULL, NULL, "record", "-o"), 2, "record -o without a file: usage");
    is_i64(RUN(NULL, NULL, "record", "--bogus", "--", "/bin/true"), 2, "unknown option: usage");
    is_i64(RUN(NULL, "VMLAB_VALGRIND=/nonexistent/valgrind", "record", "-o", tmp("t.vmt"), "--",
               "/bin/true"), 1, "valgrind missing exits 1");
    ok(strstr(err_text, "cannot run '/nonexistent/valgrind': No such file or directory") != NULL,
       "valgrind missing message");
    ok(access(tmp("t.vmt"), F_OK) != 0, "no trace left behind");

    if (!have_valgrind()) {
        tap_skip(16, "valgrind not installed");
        return;
    }
    is_i64(RUN(NULL, NULL, "record", "-o", tmp("true.vmt"), "--", "/bin/true"), 0,
           "record -- /bin/true");
    uint64_t sum;
    long n = digest(tmp("true.vmt"), TRACE_AUTO, &sum);
    ok(n > 10000, "a valid vmt trace with many records (%ld)", n);
    char want[700];
    snprintf(want, sizeof want, "vmlab record: %ld records written to %s; /bin/true exited with "
             "status 0\n", n, tmp("true.vmt"));
    is_str(err_text, want, "record reports records and exit status");

    is_i64(RUN(NULL, NULL, "record", "-o", tmp("echo.vmt"), "--", "/bin/sh", "-c",
               "echo hello; echo oops >&2; exit 3"), 0, "record a failing program");
    is_str(out_text, "hello\n", "the program's stdout is untouched");
    ok(strncmp(err_text, "oops\n", 5) == 0, "the program's stderr is untouched");
    ok(strstr(err_text, "/bin/sh exited with status 3") != NULL, "its exit status is reported");

    is_i64(RUN(NULL, NULL, "record", "-o", tmp("none.vmt"), "--", "/nonexistent/prog"), 1,
           "record a missing program exits 1");
    ok(strstr(err_text, "before running the program") != NULL, "missing program message");

    /* The API under the command. */
    char err[512];
    char *argv_true[] = {"/bin/sh", "-c", "exit 5", NULL};
    struct trace_reader *r = trace_open_command(argv_true, NULL, err, sizeof err);
    uint64_t records = 0;
    int ws = -1;
    ok(r && trace_drain(r, &records, &sum) == 0 && records > 10000,
       "trace_open_command reads a live run");
    ok(r && trace_command_status(r, &ws) == 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 5,
       "trace_command_status gives the program's status");
    trace_close(r);

    /* An endless program that says who it is (under Valgrind the program
     * runs in Valgrind's own process): closing the reader early must kill
     * it and reap it -- afterwards no such process exists, not even a
     * zombie. */
    char pidfile[600], loop[2000];
    snprintf(pidfile, sizeof pidfile, "%s/loop.pid", tmpdir);
    snprintf(loop, sizeof loop, "echo $$ > %s.tmp && mv %s.tmp %s; while :; do :; done", pidfile,
             pidfile, pidfile);
    char *argv_loop[] = {"/bin/sh", "-c", loop, NULL};
    r = trace_open_command(argv_loop, NULL, err, sizeof err);
    struct trace_record rec;
    long got = 0;
    for (long i = 0; r && i < 200000000 && trace_next(r, &rec) == 1; i++) {
        got++;
        if (got >= 1000 && got % 4096 == 0 && access(pidfile, F_OK) == 0)
            break;
    }
    ok(got >= 1000, "an endless program streams records (%ld)", got);
    char pidtext[32] = "";
    slurp(pidfile, pidtext, sizeof pidtext, NULL);
    pid_t pid = (pid_t)atol(pidtext);
    ok(pid > 1 && kill(pid, 0) == 0, "it is running (pid %d)", (int)pid);
    trace_close(r);   /* must kill and reap it, not hang */
    errno = 0;
    ok(pid > 1 && kill(pid, 0) == -1 && errno == ESRCH,
       "closing early killed and reaped it: pid %d is gone", (int)pid);

    /* A program that ends within what the command reads: replay, step and
     * explore each say how it ended. The program is built here: three
     * accesses under Valgrind, then exit status 3. */
    char tiny_c[600], tiny[600], cc[1400];
    snprintf(tiny_c, sizeof tiny_c, "%s/tiny.c", tmpdir);
    snprintf(tiny, sizeof tiny, "%s/tiny", tmpdir);
    write_file(tiny_c, "void _start(void)\n{\n    __asm__ volatile(\"mov $60, %eax\\n mov $3, %edi\\n"
                       " syscall\");\n}\n");
    snprintf(cc, sizeof cc, "cc -static -nostdlib -O2 -o %s %s 2>/dev/null", tiny, tiny_c);
#if defined(__x86_64__)
    bool built = system(cc) == 0;
#else
    bool built = false;   /* the program is x86-64's */
#endif
    if (!built) {
        tap_skip(3, "no static x86-64 program could be built");
        return;
    }
    static const char *const cmds[] = {"replay", "step", "explore"};
    for (int i = 0; i < 3; i++) {
        char said[700];
        snprintf(said, sizeof said, "vmlab %s: %s exited with status 3", cmds[i], tiny);
        int st = i == 2 ? RUN(NULL, NULL, cmds[i], "-o", tmp("tiny.html"), "--", tiny)
                        : RUN(NULL, NULL, cmds[i], "--", tiny);
        ok(st == 0 && strstr(err_text, said) != NULL, "%s -- PROGRAM says how the program ended (exit %d: %s)",
           cmds[i], st, err_text);
    }
}

/* Ctrl-C during a conversion: nothing is left behind, an older OUT is
 * kept. The input is a pipe that stays open, so the conversion is still
 * running when the signal comes. */
static void test_convert_interrupted(void)
{
    char out[600];
    snprintf(out, sizeof out, "%s/int.vmt", tmpdir);
    write_file(out, "older");
    int p[2];
    if (pipe(p) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[0], 0);
        close(p[1]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(vmlab, vmlab, "convert", "-f", "rw", "-", "-o", out, (char *)NULL);
        _exit(126);
    }
    close(p[0]);
    char lines[4096] = "";
    for (int i = 0; i < 200; i++)
        strcat(lines, "1000 R\n");
    ssize_t w = write(p[1], lines, strlen(lines));
    usleep(300000);
    kill(pid, SIGINT);
    int ws = 0;
    pid_t done = 0;
    for (int i = 0; i < 400 && done == 0; i++) {   /* 20 s at most, the input still open */
        done = waitpid(pid, &ws, WNOHANG);
        if (done == 0)
            usleep(50000);
    }
    if (done == 0) {
        tap_diag("convert still runs 20 s after Ctrl-C");
        kill(pid, SIGKILL);
        waitpid(pid, &ws, 0);
        ws = 0;
    }
    close(p[1]);
    ok(w > 0 && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGINT, "Ctrl-C ends the conversion (0x%x)", ws);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c '^int.vmt'", tmpdir);
    FILE *ls = popen(cmd, "r");
    int n = -1;
    if (ls && fscanf(ls, "%d", &n) != 1)
        n = -1;
    if (ls)
        pclose(ls);
    is_i64(n, 1, "no temporary file is left beside OUT");
    char old[16];
    slurp(out, old, sizeof old, NULL);
    is_str(old, "older", "and the older OUT is intact");
}

int main(void)
{
    vmlab = getenv("VMLAB");
    if (!vmlab || access(vmlab, X_OK) != 0) {
        tap_skip(1, "VMLAB is not set to the vmlab command");
        return tap_done();
    }
    if (!mkdtemp(tmpdir))
        return 1;
    test_convert();
    test_convert_interrupted();
    test_record();
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", tmpdir);
    return tap_done();
}
