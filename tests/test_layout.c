/* test_layout.c — scripted checks of the build and of the tree's layout.
 *
 *   - `make` prints one short line per command; `make V=1` the full ones.
 *   - Every file the README's tour writes lands where .gitignore covers it.
 *   - scripts/setup.sh names the clang runtime package of the machine's own
 *     clang, not a version written into the script.
 * Runs from the project root (make check does). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/run.h"
#include "lib/tap.h"

static char tmpdir[] = "/tmp/vmlab-layout-XXXXXX";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[1 << 17];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* A nested make: without the jobserver of the `make check` that runs us. */
static struct run_result make(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SAN -u V make "
             "--no-print-directory B=%s/b %s 2>&1", tmpdir, args);
    struct run_result r;
    run_cmd(cmd, &r);
    return r;
}

static void quiet_build(void)
{
    char target[512];
    snprintf(target, sizeof target, "%s/b/obj/src/hw/stats.o", tmpdir);
    struct run_result r = make(target);
    is_i64(r.status, 0, "make builds one object into another build directory");
    is_str(r.out, "  CC     src/hw/stats.c\n", "make prints one short line for a compile");
    run_free(&r);
    char args[600];
    snprintf(args, sizeof args, "-B V=1 %s", target);
    r = make(args);
    ok(r.status == 0 && strstr(r.out, "-Wall") && strstr(r.out, "-c src/hw/stats.c -o ") &&
       !strstr(r.out, "  CC "), "make V=1 prints the full command");
    if (tap_failed())
        tap_diag("%s", r.out);
    run_free(&r);
}

/* Files named after --out (PREFIX.csv, PREFIX.html) and -o in the README's
 * command lines. */
static void tour_outputs_ignored(void)
{
    struct run_result g;
    run_cmd("git rev-parse --is-inside-work-tree", &g);
    bool git = g.status == 0;
    run_free(&g);
    if (!git) {
        tap_skip(1, "not a git work tree");
        return;
    }
    const char *readme = slurp("README.md");
    int outputs = 0, bad = 0;
    for (const char *p = readme; p && (p = strstr(p, "build/vmlab ")); p++) {
        const char *eol = strchr(p, '\n');
        for (const char *q = p; q < eol; q++) {
            const char *flag = NULL;
            if (!strncmp(q, " --out ", 7))
                flag = q + 7;
            else if (!strncmp(q, " -o ", 4))
                flag = q + 4;
            if (!flag)
                continue;
            char name[256];
            size_t k = 0;
            while (flag + k < eol && !isspace((unsigned char)flag[k]) && k < sizeof name - 8)
                name[k] = flag[k], k++;
            name[k] = 0;
            const char *suffixes[] = {"", ".csv", ".html"};
            for (int s = q[1] == '-' ? 1 : 0; s < (q[1] == '-' ? 3 : 1); s++) {
                char cmd[600];
                snprintf(cmd, sizeof cmd, "git check-ignore -q --no-index '%s%s'", name,
                         suffixes[s]);
                struct run_result r;
                run_cmd(cmd, &r);
                outputs++;
                if (r.status != 0) {
                    tap_diag("the README's tour writes %s%s, which git does not ignore", name,
                             suffixes[s]);
                    bad++;
                }
                run_free(&r);
            }
        }
    }
    ok(outputs >= 5 && bad == 0, "every file the README's tour writes is ignored by git (%d)",
       outputs);
}

static void setup_script(void)
{
    /* outside comments, no "libclang-rt-<digits>" */
    const char *script = slurp("scripts/setup.sh");
    int pinned = 0;
    for (const char *line = script; line && *line; ) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line);
        const char *c = line;
        while (c < eol && isspace((unsigned char)*c))
            c++;
        for (const char *p = c; *c != '#' && p + 13 < eol; p++)
            pinned += !strncmp(p, "libclang-rt-", 12) && isdigit((unsigned char)p[12]);
        line = *eol ? eol + 1 : eol;
    }
    ok(script && pinned == 0, "setup.sh pins no clang runtime version (%d places do)", pinned);
    struct run_result r;
    run_cmd("clang --version 2>/dev/null | sed -n 's/.*clang version \\([0-9][0-9]*\\)\\..*/\\1/p'",
            &r);
    int major = atoi(r.out ? r.out : "");
    run_free(&r);
    run_cmd("scripts/setup.sh --list", &r);
    if (major > 0) {
        char want[64];
        snprintf(want, sizeof want, "\nlibclang-rt-%d-dev\n", major);
        ok(r.status == 0 && strstr(r.out, want), "setup.sh asks for libclang-rt-%d-dev, the "
           "runtimes of this machine's clang %d", major, major);
    } else {
        tap_skip(1, "no clang on this machine");
    }
    ok(r.status == 0 && strstr(r.out, "\nzlib1g-dev\n") && strstr(r.out, "\nvalgrind\n"),
       "setup.sh --list names the build and test packages");
    run_free(&r);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    quiet_build();
    tour_outputs_ignored();
    setup_script();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        tap_diag("cannot remove %s", tmpdir);
    return tap_done();
}
