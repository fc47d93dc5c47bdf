/* test_run_root.c — `vmlab run --root DIR` confines every path the guest
 * names to DIR: a guest (tests/guest/escape.c) tries absolute paths, long
 * runs of "..", symbolic links out (absolute and relative), a link to "/",
 * renames and mkdirs above the root, and a directory descriptor from
 * outside (its standard input); everything stays inside DIR, on the host
 * too. Then the same program without --root reaches the outside file,
 * which shows the attempts were real. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/runkit.h"
#include "lib/tap.h"

static const char *const expected =
    "open outside (absolute)      No such file or directory\n"
    "open outside (../ x24)       No such file or directory\n"
    "open link-abs                No such file or directory\n"
    "open link-up                 No such file or directory\n"
    "open dirlink/inside.txt      ok\n"
    "open /inside.txt             ok\n"
    "access outside               No such file or directory\n"
    "stat outside                 No such file or directory\n"
    "unlink outside               No such file or directory\n"
    "unlink ../ x24 outside       No such file or directory\n"
    "create new.txt               ok\n"
    "mkdir ../escaped             ok\n"
    "rename to ../../moved.txt    ok\n"
    "chdir ../../..               ok\n"
    "getcwd                       /\n"
    "open dirlink as a directory  ok\n"
    "openat(dirlink, ../../x)     ok\n"
    "openat(stdin, a name)        No such file or directory\n"
    "unlinkat(stdin, a name)      Invalid cross-device link\n"
    "mkdirat(stdin, a name)       Invalid cross-device link\n"
    "readlink /proc/self/exe      ok\n";

static bool exists(const char *dir, const char *name)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return lstat(p, &st) == 0;
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void link_to(const char *dir, const char *name, const char *target)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (symlink(target, p))
        perror(p);
}

int main(void)
{
    const char *san = getenv("VMLAB_SAN");
    if (!guest_have_corpus() || (san && !strcmp(san, "tsan"))) {
        tap_plan(0);
        tap_skip(1, !guest_have_corpus() ? "the guest corpus is missing" : "single-CPU: not a TSan test");
        return tap_done();
    }
    char top[PATH_MAX], root[PATH_MAX + 8], out[PATH_MAX + 8], secret[PATH_MAX * 2], prog[PATH_MAX];
    if (scratch_make(top, sizeof top))
        return 1;
    char *real = realpath(top, NULL);
    snprintf(top, sizeof top, "%s", real);
    free(real);
    snprintf(root, sizeof root, "%s/root", top);
    snprintf(out, sizeof out, "%s/out", top);
    mkdir(root, 0755);
    mkdir(out, 0755);
    put(out, "secret.txt", "secret\n");
    put(root, "inside.txt", "inside\n");
    snprintf(secret, sizeof secret, "%s/secret.txt", out);
    char up[PATH_MAX * 3] = "";
    for (int i = 0; i < 24; i++)
        strcat(up, "../");
    strcat(up, secret + 1);
    link_to(root, "link-abs", secret);
    link_to(root, "link-up", up);
    link_to(root, "dirlink", "/");
    guest_path("escape", prog, sizeof prog);

    struct run_config rc;
    run_config_default(&rc);
    rc.root = root;
    int dir = open(out, O_RDONLY | O_DIRECTORY);   /* its standard input: a directory outside */
    char *argv[] = {prog, secret, NULL};
    struct guest_run g;
    memset(&g, 0, sizeof g);
    int outfd = memfd_create("o", 0);
    rc.stdout_fd = outfd;
    rc.stderr_fd = outfd;
    rc.stdin_fd = dir;
    g.rc = run_program(&rc, 2, argv, &g.sum, g.msg, sizeof g.msg);
    char buf[8192] = "";
    ssize_t n = pread(outfd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = 0;
    ok(g.rc == 0 && g.sum.status == 0, "the guest ran under --root (%s)", g.rc ? g.msg : "ok");
    is_str(buf, expected, "every way out was closed, every way inside open");
    ok(exists(out, "secret.txt"), "the outside file is still there");
    ok(!exists(out, "made-outside") && !exists(top, "escaped") && !exists(top, "moved.txt"),
       "nothing was made outside the root");
    ok(exists(root, "escaped") && exists(root, "moved.txt") && exists(root, "new.txt") &&
           !exists(root, "inside.txt"),
       "mkdir ../escaped and the rename to ../../moved.txt landed inside it");
    if (g.rc == 0)
        run_summary_free(&g.sum);
    close(outfd);

    /* without --root the same attempts reach the outside file; the guest's
     * other writes (new.txt, ../escaped) land in a scratch directory two
     * levels down, as its working directory, never in the project's */
    char host[PATH_MAX + 16];
    snprintf(host, sizeof host, "%s/host", top);
    mkdir(host, 0755);
    snprintf(host, sizeof host, "%s/host/cwd", top);
    mkdir(host, 0755);
    int here = open(".", O_RDONLY | O_DIRECTORY);
    ok(here >= 0 && chdir(host) == 0, "the run without --root works in %s", host);
    run_config_default(&rc);
    outfd = memfd_create("o", 0);
    rc.stdout_fd = outfd;
    rc.stdin_fd = dir;
    g.rc = run_program(&rc, 2, argv, &g.sum, g.msg, sizeof g.msg);
    if (here < 0 || fchdir(here) != 0)
        return 1;   /* the rest would run in the scratch directory */
    close(here);
    ok(exists(host, "new.txt"), "its new file is in its working directory");
    n = pread(outfd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = 0;
    ok(g.rc == 0 && strstr(buf, "open outside (absolute)      ok\n") &&
           strstr(buf, "unlink outside               ok\n"),
       "without --root the guest has the user's own reach");
    ok(!exists(out, "secret.txt"), "and it removed the outside file, as it tried to");
    if (g.rc == 0)
        run_summary_free(&g.sum);
    close(outfd);
    close(dir);

    run_config_default(&rc);
    rc.root = "/nonexistent/vmlab-root";
    g.rc = run_program(&rc, 2, argv, &g.sum, g.msg, sizeof g.msg);
    ok(g.rc != 0 && g.sum.status == 125 && strstr(g.msg, "/nonexistent/vmlab-root"),
       "a missing --root is vmlab's failure (125), named: %s", g.msg);
    scratch_remove(top);
    return tap_done();
}
