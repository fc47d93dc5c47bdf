/* test_pintos.c — the project's PintOS user programs (the sources in tests/pintos/,
 * built into $(B)/pintos/ with Debian's cross compiler and the library of
 * examples/pintos) run by `vmlab run --abi pintos`, each against the exact
 * output a PintOS kernel prints, as PintOS's own tests are checked.
 *
 * Every case is a file tests/pintos/ck/NAME.ck: a header, then "---", then
 * the expected stdout, line for line.
 *
 *   run: PROG ARGS...      the command line (PROG is a file of the fs)
 *   files: A B=C ...       copied into a fresh --fs directory: a program of
 *                          $(B)/pintos/ or a file of tests/pintos/data/
 *                          (B=C: C under the name B); PROG always is
 *   mkdir: D ...           directories made in it
 *   opts: ...              more options of vmlab run (--frames, --swap, --cpus ...);
 *                          without --mem or --frames the user pool is 4 MiB
 *                          (1024 frames), a PintOS-sized memory
 *   stdin: F               a file of tests/pintos/data/ as standard input
 *   status: N              vmlab's exit status (default 0)
 *   order: per-name        lines of different names ("(name) ..." and
 *                          "name: exit(...)") may interleave, as processes
 *                          running at once print them; each name's lines
 *                          in order (default: the whole output in order)
 *   counter: NAME OP N     a counter of the report (--json): OP one of
 *                          == >= <= > <
 *   file: NAME SIZE        the file is in the fs afterwards with this size
 *   absent: NAME           the file is not
 *   san: yes               run under the sanitizers too (a small subset)
 *
 * Every run also proves that the guest wrote nothing outside its fs: the
 * directory holding the fs holds nothing else afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ptsuite.h"
#include "lib/run.h"
#include "lib/runkit.h"
#include "lib/tap.h"

static char pintos_dir[PATH_MAX];
static uint64_t total_insns;
static double total_seconds;

/* ---- comparing output ---- */

/* The name a line belongs to: "(NAME) ..." or "NAME: exit(N)"; else the
 * empty name. */
static void line_name(const char *line, size_t len, char *name, size_t max)
{
    const char *close = memchr(line, ')', len);
    const char *exit = NULL;
    for (size_t i = 0; i + 7 <= len && !exit; i++)
        if (!memcmp(line + i, ": exit(", 7))
            exit = line + i;
    size_t n = 0;
    if (len && line[0] == '(' && close)
        n = (size_t)(close - line) + 1;
    else if (exit)
        n = (size_t)(exit - line);
    if (n >= max)
        n = max - 1;
    memcpy(name, line, n);
    name[n] = 0;
}

/* The lines of s named `name`, joined. */
static char *lines_of(const char *s, const char *name)
{
    size_t cap = strlen(s) + 1, n = 0;
    char *out = malloc(cap);
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        char got[256];
        line_name(p, len, got, sizeof got);
        if (!strcmp(got, name)) {
            memcpy(out + n, p, len);
            n += len;
        }
        p += len;
    }
    out[n] = 0;
    return out;
}

/* The first line where a and b differ, for the diagnosis. */
static void show_difference(const char *what, const char *got, const char *want)
{
    int line = 1;
    const char *g = got, *w = want;
    while (*g && *w) {
        const char *gn = strchr(g, '\n'), *wn = strchr(w, '\n');
        size_t gl = gn ? (size_t)(gn - g) : strlen(g), wl = wn ? (size_t)(wn - w) : strlen(w);
        if (gl != wl || memcmp(g, w, gl))
            break;
        g += gl + (gn != NULL);
        w += wl + (wn != NULL);
        line++;
    }
    tap_diag("%s: line %d: got      '%.*s'", what, line, (int)strcspn(g, "\n"), g);
    tap_diag("%s: line %d: expected '%.*s'", what, line, (int)strcspn(w, "\n"), w);
}

static bool same_output(const struct pt_case *c, const char *got)
{
    if (!c->per_name) {
        if (!strcmp(got, c->expect))
            return true;
        show_difference(c->name, got, c->expect);
        return false;
    }
    bool same = strlen(got) == strlen(c->expect);
    for (const char *p = c->expect, *q = got; *p || *q;) {
        const char *from = *p ? p : q;
        const char *nl = strchr(from, '\n');
        size_t len = nl ? (size_t)(nl - from) + 1 : strlen(from);
        char name[256];
        line_name(from, len, name, sizeof name);
        char *a = lines_of(got, name), *b = lines_of(c->expect, name);
        if (strcmp(a, b)) {
            show_difference(c->name, a, b);
            same = false;
        }
        free(a);
        free(b);
        if (!same)
            break;
        if (*p)
            p += len;
        else
            q += len;
    }
    if (!same && strlen(got) != strlen(c->expect))
        tap_diag("%s: %zu bytes of output, expected %zu", c->name, strlen(got), strlen(c->expect));
    return same;
}

static bool compare(uint64_t got, const char *op, uint64_t want)
{
    return !strcmp(op, "==") ? got == want : !strcmp(op, ">=") ? got >= want
         : !strcmp(op, "<=") ? got <= want : !strcmp(op, ">")  ? got > want
         : !strcmp(op, "<")  ? got < want : false;
}

/* ---- one case ---- */

static void run_case(const struct pt_case *c)
{
    struct pt_outcome o;
    char err[512];
    if (pt_case_run(c, pintos_dir, &o, err, sizeof err)) {
        ok(0, "%s: %s", c->name, err);
        return;
    }
    struct run_result *r = &o.r;
    if (o.instructions != UINT64_MAX) {
        total_insns += o.instructions;
        total_seconds += o.seconds;
    }
    bool good = is_i64(r->status, c->status, "%s: exit status", c->name);
    good &= ok(r->out && same_output(c, r->out), "%s: output", c->name);
    for (int i = 0; i < c->ncounters; i++) {
        const struct pt_counter_check *k = &c->counters[i];
        uint64_t v = r->err ? json_u64(r->err, k->name) : UINT64_MAX;
        good &= ok(v != UINT64_MAX && compare(v, k->op, k->value), "%s: %s %s %llu (%llu)",
                   c->name, k->name, k->op, (unsigned long long)k->value, (unsigned long long)v);
    }
    for (int i = 0; i < c->nchecks; i++) {
        const struct pt_file_check *f = &c->checks[i];
        char path[PATH_MAX];
        pt_join(path, sizeof path, o.fs, f->name);
        struct stat st;
        bool there = stat(path, &st) == 0;
        if (f->size < 0)
            good &= ok(!there, "%s: no file '%s' in the fs", c->name, f->name);
        else
            good &= ok(there && st.st_size == f->size, "%s: '%s' has %lld bytes (%lld)", c->name,
                       f->name, f->size, there ? (long long)st.st_size : -1ll);
    }
    good &= is_i64(pt_entries(o.top), 1, "%s: nothing was written outside the fs", c->name);
    const char *procs = r->err ? strstr(r->err, "\"processes\"") : NULL;
    if (!good && r->err)
        tap_diag("%s: the report says: %.900s", c->name, procs ? procs : r->err);
    pt_outcome_free(&o);
}

static void run_cases(bool san)
{
    size_t n;
    char **names = pt_case_names(&n);
    if (!names) {
        ok(0, "tests/pintos/ck is readable (run from the project root)");
        return;
    }
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        struct pt_case c;
        char err[512];
        if (pt_case_load(names[i], &c, err, sizeof err)) {
            ok(0, "%s", err);
        } else if (!san || c.san) {
            run_case(&c);
            ran++;
        }
        pt_case_free(&c);
    }
    pt_names_free(names, n);
    ok(ran > 0, "%d cases run", ran);
}

/* ---- the command line ---- */

static void cli(void)
{
    char top[PATH_MAX], fs[PATH_MAX];
    if (scratch_make(top, sizeof top))
        return;
    pt_join(fs, sizeof fs, top, "fs");
    mkdir(fs, 0755);
    char args[PATH_MAX];
    pt_join(args, sizeof args, pintos_dir, "args");
    char to[PATH_MAX];
    pt_join(to, sizeof to, fs, "args");
    pt_copy_file(args, to);
    pt_join(to, sizeof to, fs, "notelf");
    pt_copy_file("tests/pintos/data/sample.txt", to);
    const char *vm = vmlab_bin();

    struct run_result r = run_fmt("'%s' run --abi pintos --fs '%s' --quiet -- 'args  a' b", vm, fs);
    struct run_result r2 = run_fmt("'%s' run --abi pintos --fs '%s' --quiet -- args a b", vm, fs);
    ok(r.status == 0 && r.out && r2.out && !strcmp(r.out, r2.out) && strstr(r.out, "argv[2] = 'b'"),
       "cli: one word with spaces is split as PintOS splits its command line");
    ok(r.err && !r.err[0], "cli: --quiet: nothing on stderr");
    run_free(&r);
    run_free(&r2);

    r = run_fmt("'%s' run --abi pintos --fs '%s' -- args", vm, fs);
    ok(r.out && !strstr(r.out, "instructions") && r.err && strstr(r.err, "pintos personality"),
       "cli: the report is on stderr, stdout is the guest's");
    run_free(&r);

    r = run_fmt("'%s' run --abi pintos -- args", vm);
    ok(r.status == 125 && r.err && strstr(r.err, "--fs"), "cli: --abi pintos without --fs: 125, says --fs");
    run_free(&r);
    r = run_fmt("'%s' run --fs '%s' -- args", vm, fs);
    ok(r.status == 125 && r.err && strstr(r.err, "--abi pintos"), "cli: --fs without --abi pintos: 125");
    run_free(&r);
    r = run_fmt("'%s' run --abi pintos --fs '%s' --root / -- args", vm, fs);
    ok(r.status == 125 && r.err && strstr(r.err, "--root"), "cli: --root with --abi pintos: 125");
    run_free(&r);
    r = run_fmt("'%s' run --abi pintos --fs '%s/none' -- args", vm, top);
    ok(r.status == 125 && r.err && strstr(r.err, "none"), "cli: an --fs that does not exist: 125, named");
    run_free(&r);
    r = run_fmt("'%s' run --abi plan9 --fs '%s' -- args", vm, fs);
    ok(r.status == 125 && r.err && strstr(r.err, "plan9"), "cli: an unknown --abi: 125, named");
    run_free(&r);
    r = run_fmt("'%s' run --abi pintos --fs '%s' -- missing a b", vm, fs);
    ok(r.status == 127 && r.err && strstr(r.err, "missing") && r.out && !r.out[0],
       "cli: a program not in the fs: 127, named, nothing on stdout");
    run_free(&r);
    r = run_fmt("'%s' run --abi pintos --fs '%s' -- ../fs/args", vm, fs);
    ok(r.status == 127 && r.err && strstr(r.err, "not a PintOS file name"),
       "cli: a path is not a PintOS file name: 127");
    run_free(&r);
    r = run_fmt("'%s' run --abi pintos --fs '%s' -- notelf", vm, fs);
    ok(r.status == 126 && r.err && strstr(r.err, "notelf"), "cli: a file that is not a program: 126, named");
    run_free(&r);
    char bad[PATH_MAX];
    pt_join(bad, sizeof bad, pintos_dir, "bad");
    pt_join(to, sizeof to, fs, "bad");
    pt_copy_file(bad, to);
    r = run_fmt("'%s' run --abi pintos --fs '%s' --json -- bad read-kernel", vm, fs);
    ok(r.status == 255 && r.err && strstr(r.err, "\"exit_code\": -1, \"why\": \"segv-"),
       "cli: a kill is exit(-1) (255), and the report says why");
    run_free(&r);
    r = run_fmt("'%s' run --abi pintos --fs '%s' -- bad read-kernel", vm, fs);
    ok(r.err && strstr(r.err, "killed\n   pid 1 (bad): segv-"), "cli: so does the text report");
    run_free(&r);
    remove(to);

    char trace[PATH_MAX];
    pt_join(trace, sizeof trace, top, "run.vmt");
    r = run_fmt("'%s' run --abi pintos --fs '%s' --trace-out '%s' -- args", vm, fs, trace);
    ok(r.status == 125 && r.err && strstr(r.err, "--trace-out") && access(trace, F_OK) != 0,
       "cli: --trace-out is refused (125), and no trace is left behind");
    run_free(&r);
    struct stat before, after;
    pt_join(to, sizeof to, fs, "args");
    stat(to, &before);
    r = run_fmt("'%s' run --abi pintos --fs '%s' --swap-file '%s' --swap-file-overwrite -- args", vm,
                fs, to);
    ok(r.status == 125 && stat(to, &after) == 0 && after.st_size == before.st_size &&
           after.st_mtime == before.st_mtime,
       "cli: the swap file may not be the program in the fs, even with --swap-file-overwrite");
    run_free(&r);
    r = run_fmt("'%s' run --abi pintos --fs '%s' --help", vm, fs);
    ok(r.status == 0 && r.out && strstr(r.out, "--fs DIR"), "cli: --help tells of --fs");
    run_free(&r);
    scratch_remove(top);
}

/* ---- programs that cannot be loaded ---- */

static uint64_t get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void put_le(unsigned char *p, int n, uint64_t v)
{
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

/* child-simple, spoilt one way: each must be refused as the run's program
 * (126, the file named) and make an exec fail (exit(-1)). */
static void bad_elves(void)
{
    char src[PATH_MAX];
    pt_join(src, sizeof src, pintos_dir, "child-simple");
    size_t len;
    unsigned char *orig = (unsigned char *)pt_slurp(src, &len);
    if (!orig || len < 64) {
        ok(0, "bad ELF: child-simple is readable");
        free(orig);
        return;
    }
    uint64_t phoff = get_le(orig + 32, 8);
    unsigned phentsize = (unsigned)get_le(orig + 54, 2), phnum = (unsigned)get_le(orig + 56, 2);
    int load[2] = {-1, -1}, nload = 0;
    for (unsigned i = 0; i < phnum && nload < 2; i++)
        if (get_le(orig + phoff + i * phentsize, 4) == 1 /* PT_LOAD */)
            load[nload++] = (int)i;
    if (nload < 2) {
        ok(0, "bad ELF: child-simple has two PT_LOADs");
        free(orig);
        return;
    }
    static const char *const kinds[] = {"an empty PT_LOAD", "overlapping PT_LOADs", "an x86-64 program",
                                        "a truncated header"};
    for (int kind = 0; kind < 4; kind++) {
        unsigned char *e = malloc(len);
        memcpy(e, orig, len);
        size_t elen = len;
        unsigned char *ph0 = e + phoff + (unsigned)load[0] * phentsize,
                      *ph1 = e + phoff + (unsigned)load[1] * phentsize;
        if (kind == 0) {
            put_le(ph1 + 32, 8, 0);   /* p_filesz */
            put_le(ph1 + 40, 8, 0);   /* p_memsz */
        } else if (kind == 1) {
            /* the second segment's first page on the first's */
            put_le(ph1 + 16, 8, get_le(ph0 + 16, 8) + get_le(ph1 + 8, 8) % 4096);
        } else if (kind == 2) {
            put_le(e + 18, 2, 62);    /* e_machine: EM_X86_64 */
        } else {
            elen = 40;
        }
        char top[PATH_MAX], fs[PATH_MAX], to[PATH_MAX], exe[PATH_MAX];
        if (scratch_make(top, sizeof top)) {
            free(e);
            break;
        }
        pt_join(fs, sizeof fs, top, "fs");
        mkdir(fs, 0755);
        pt_join(to, sizeof to, fs, "bad-elf");
        FILE *f = fopen(to, "wb");
        if (f) {
            fwrite(e, 1, elen, f);
            fclose(f);
        }
        char from[PATH_MAX];
        pt_join(from, sizeof from, pintos_dir, "exec");
        pt_join(exe, sizeof exe, fs, "exec");
        pt_copy_file(from, exe);
        struct run_result r = run_fmt("'%s' run --abi pintos --fs '%s' --quiet -- bad-elf", vmlab_bin(), fs);
        ok(r.status == 126 && r.err && strstr(r.err, "bad-elf") && r.out && !r.out[0],
           "bad ELF, %s: refused as the program (126, named)", kinds[kind]);
        run_free(&r);
        r = run_fmt("'%s' run --abi pintos --fs '%s' --quiet -- exec named bad-elf", vmlab_bin(), fs);
        ok(r.status == 255 && r.out &&
               !strcmp(r.out, "(exec) begin\n(exec) exec bad-elf\nexec: exit(-1)\n"),
           "bad ELF, %s: exec of it ends the process with exit(-1)", kinds[kind]);
        if (r.out && strcmp(r.out, "(exec) begin\n(exec) exec bad-elf\nexec: exit(-1)\n"))
            tap_diag("got: %s", r.out);
        run_free(&r);
        scratch_remove(top);
        free(e);
    }
    free(orig);
}

int main(void)
{
    if (!pt_programs(pintos_dir, sizeof pintos_dir)) {
        tap_plan(0);
        tap_skip(1, "no PintOS programs in build/pintos (riscv64-linux-gnu-gcc is not installed: "
                    "apt-get install gcc-riscv64-linux-gnu)");
        return tap_done();
    }
    const char *san = getenv("VMLAB_SAN");
    bool sanitized = san && *san;
    run_cases(sanitized);
    if (!sanitized) {
        cli();
        bad_elves();
    }
    tap_diag("%llu guest instructions in %.2f s of runs (%.1f M instructions/s end to end)",
             (unsigned long long)total_insns, total_seconds,
             total_seconds > 0 ? (double)total_insns / total_seconds / 1e6 : 0.0);
    return tap_done();
}
