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
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/run.h"
#include "lib/runkit.h"
#include "lib/tap.h"

#define MAX_ITEMS 16

struct counter_check {
    char name[64], op[3];
    uint64_t value;
};

struct file_check {
    char name[64];
    long long size;   /* -1: absent */
};

struct ck {
    char name[64];
    char run[4096], files[2048], dirs[256], opts[1024], stdin_name[128];
    int status;
    bool per_name, san;
    struct counter_check counters[MAX_ITEMS];
    int ncounters;
    struct file_check checks[MAX_ITEMS];
    int nchecks;
    char *expect;
};

static char pintos_dir[PATH_MAX];

/* out = a "/" b (cut to the buffer: PATH_MAX is far more than any path here). */
static void join(char *out, size_t len, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + 1 + lb + 1 > len)
        la = lb = 0;
    memcpy(out, a, la);
    out[la] = '/';
    memcpy(out + la + 1, b, lb + 1);
}
static uint64_t total_insns;
static double total_seconds;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    for (size_t r; s && (r = fread(s + n, 1, cap - n - 1, f)) > 0;) {
        n += r;
        if (n + 1 == cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                s = NULL;
            }
            s = t;
        }
    }
    fclose(f);
    if (s)
        s[n] = 0;
    if (len)
        *len = n;
    return s;
}

/* ---- the .ck files ---- */

static bool header_value(const char *line, const char *key, const char **val)
{
    size_t n = strlen(key);
    if (strncmp(line, key, n) || line[n] != ':')
        return false;
    *val = line + n + 1;
    while (**val == ' ')
        (*val)++;
    return true;
}

static int parse_ck(const char *path, struct ck *c)
{
    memset(c, 0, sizeof *c);
    const char *base = strrchr(path, '/');
    snprintf(c->name, sizeof c->name, "%.*s", (int)(strcspn(base + 1, ".")), base + 1);
    char *text = slurp(path, NULL);
    if (!text)
        return -1;
    char *sep = strstr(text, "\n---\n");
    if (!sep) {
        free(text);
        return -1;
    }
    *sep = 0;
    c->expect = strdup(sep + 5);
    char *save;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const char *v;
        if (line[0] == '#')
            continue;
        if (header_value(line, "run", &v))
            snprintf(c->run, sizeof c->run, "%s", v);
        else if (header_value(line, "files", &v))
            snprintf(c->files, sizeof c->files, "%s", v);
        else if (header_value(line, "mkdir", &v))
            snprintf(c->dirs, sizeof c->dirs, "%s", v);
        else if (header_value(line, "opts", &v))
            snprintf(c->opts, sizeof c->opts, "%s", v);
        else if (header_value(line, "stdin", &v))
            snprintf(c->stdin_name, sizeof c->stdin_name, "%s", v);
        else if (header_value(line, "status", &v))
            c->status = atoi(v);
        else if (header_value(line, "order", &v))
            c->per_name = !strcmp(v, "per-name");
        else if (header_value(line, "san", &v))
            c->san = !strcmp(v, "yes");
        else if (header_value(line, "counter", &v) && c->ncounters < MAX_ITEMS) {
            struct counter_check *k = &c->counters[c->ncounters++];
            unsigned long long n = 0;
            if (sscanf(v, "%63s %2s %llu", k->name, k->op, &n) != 3)
                c->ncounters = -100;
            k->value = n;
        } else if (header_value(line, "file", &v) && c->nchecks < MAX_ITEMS) {
            struct file_check *f = &c->checks[c->nchecks++];
            if (sscanf(v, "%63s %lld", f->name, &f->size) != 2)
                c->nchecks = -100;
        } else if (header_value(line, "absent", &v) && c->nchecks < MAX_ITEMS) {
            struct file_check *f = &c->checks[c->nchecks++];
            snprintf(f->name, sizeof f->name, "%s", v);
            f->size = -1;
        } else {
            c->ncounters = -100;   /* an unknown header: the case is malformed */
        }
    }
    free(text);
    return c->run[0] && c->ncounters >= 0 && c->nchecks >= 0 ? 0 : -1;
}

/* ---- the fs ---- */

static int copy_file(const char *from, const char *to)
{
    size_t n;
    char *data = slurp(from, &n);
    FILE *f = data ? fopen(to, "wb") : NULL;
    bool ok = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f))
        ok = false;
    free(data);
    struct stat st;
    if (ok && stat(from, &st) == 0)
        chmod(to, st.st_mode & 0777);
    return ok ? 0 : -1;
}

/* One entry of files: "NAME" or "NAME=SOURCE". */
static int install(const char *fs, const char *entry)
{
    char name[128], src[PATH_MAX], to[PATH_MAX];
    const char *eq = strchr(entry, '=');
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - entry) : (int)strlen(entry), entry);
    const char *what = eq ? eq + 1 : entry;
    join(to, sizeof to, fs, name);
    join(src, sizeof src, pintos_dir, what);
    if (access(src, R_OK))
        join(src, sizeof src, "tests/pintos/data", what);
    return copy_file(src, to);
}

static int make_fs(const struct ck *c, const char *fs)
{
    if (mkdir(fs, 0755))
        return -1;
    char prog[128];   /* the first word, out of the shell's quotes */
    const char *w = c->run + strspn(c->run, " '\"");
    snprintf(prog, sizeof prog, "%.*s", (int)strcspn(w, " '\""), w);
    char list[sizeof c->files + 160];
    snprintf(list, sizeof list, "%s %s", c->files, prog);
    char *save;
    for (char *e = strtok_r(list, " ", &save); e; e = strtok_r(NULL, " ", &save)) {
        char there[PATH_MAX], name[128];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(e, "="), e);
        join(there, sizeof there, fs, name);
        if (access(there, F_OK) == 0)
            continue;   /* PROG named among the files */
        if (install(fs, e)) {
            tap_diag("%s: cannot install '%s' into the fs", c->name, e);
            return -1;
        }
    }
    char dirs[sizeof c->dirs];
    snprintf(dirs, sizeof dirs, "%s", c->dirs);
    for (char *d = strtok_r(dirs, " ", &save); d; d = strtok_r(NULL, " ", &save)) {
        char there[PATH_MAX];
        join(there, sizeof there, fs, d);
        if (mkdir(there, 0755))
            return -1;
    }
    return 0;
}

/* The entries of dir other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

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

static bool same_output(const struct ck *c, const char *got)
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

static void run_case(const struct ck *c)
{
    char top[PATH_MAX], fs[PATH_MAX];
    if (scratch_make(top, sizeof top)) {
        ok(0, "%s: a scratch directory", c->name);
        return;
    }
    join(fs, sizeof fs, top, "fs");
    if (make_fs(c, fs)) {
        ok(0, "%s: the fs is made", c->name);
        scratch_remove(top);
        return;
    }
    char in[PATH_MAX] = "/dev/null";
    if (c->stdin_name[0])
        join(in, sizeof in, "tests/pintos/data", c->stdin_name);
    const char *mem = strstr(c->opts, "--mem") || strstr(c->opts, "--frames") ? "" : "--mem 4M";
    double t0 = now();
    struct run_result r = run_fmt("'%s' run --abi pintos --fs '%s' --json --max-insns 4000000000 "
                                  "%s %s -- %s < '%s'",
                                  vmlab_bin(), fs, mem, c->opts, c->run, in);
    double dt = now() - t0;
    uint64_t insns = r.err ? json_u64(r.err, "instructions") : UINT64_MAX;
    if (insns != UINT64_MAX) {
        total_insns += insns;
        total_seconds += dt;
    }
    bool good = is_i64(r.status, c->status, "%s: exit status", c->name);
    good &= ok(r.out && same_output(c, r.out), "%s: output", c->name);
    for (int i = 0; i < c->ncounters; i++) {
        const struct counter_check *k = &c->counters[i];
        uint64_t v = r.err ? json_u64(r.err, k->name) : UINT64_MAX;
        good &= ok(v != UINT64_MAX && compare(v, k->op, k->value), "%s: %s %s %llu (%llu)",
                   c->name, k->name, k->op, (unsigned long long)k->value, (unsigned long long)v);
    }
    for (int i = 0; i < c->nchecks; i++) {
        const struct file_check *f = &c->checks[i];
        char path[PATH_MAX];
        join(path, sizeof path, fs, f->name);
        struct stat st;
        bool there = stat(path, &st) == 0;
        if (f->size < 0)
            good &= ok(!there, "%s: no file '%s' in the fs", c->name, f->name);
        else
            good &= ok(there && st.st_size == f->size, "%s: '%s' has %lld bytes (%lld)", c->name,
                       f->name, f->size, there ? (long long)st.st_size : -1ll);
    }
    good &= is_i64(entries(top), 1, "%s: nothing was written outside the fs", c->name);
    const char *procs = r.err ? strstr(r.err, "\"processes\"") : NULL;
    if (!good && r.err)
        tap_diag("%s: the report says: %.900s", c->name, procs ? procs : r.err);
    run_free(&r);
    scratch_remove(top);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_cases(bool san)
{
    DIR *d = opendir("tests/pintos/ck");
    if (!d) {
        ok(0, "tests/pintos/ck is readable (run from the project root)");
        return;
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l > 3 && !strcmp(e->d_name + l - 3, ".ck")) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        join(path, sizeof path, "tests/pintos/ck", names[i]);
        struct ck c;
        if (parse_ck(path, &c)) {
            ok(0, "%s is a well-formed case", path);
        } else if (!san || c.san) {
            run_case(&c);
            ran++;
        }
        free(c.expect);
        free(names[i]);
    }
    free(names);
    ok(ran > 0, "%d cases run", ran);
}

/* ---- the command line ---- */

static void cli(void)
{
    char top[PATH_MAX], fs[PATH_MAX];
    if (scratch_make(top, sizeof top))
        return;
    join(fs, sizeof fs, top, "fs");
    mkdir(fs, 0755);
    char args[PATH_MAX];
    join(args, sizeof args, pintos_dir, "args");
    char to[PATH_MAX];
    join(to, sizeof to, fs, "args");
    copy_file(args, to);
    join(to, sizeof to, fs, "notelf");
    copy_file("tests/pintos/data/sample.txt", to);
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
    join(src, sizeof src, pintos_dir, "child-simple");
    size_t len;
    unsigned char *orig = (unsigned char *)slurp(src, &len);
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
        join(fs, sizeof fs, top, "fs");
        mkdir(fs, 0755);
        join(to, sizeof to, fs, "bad-elf");
        FILE *f = fopen(to, "wb");
        if (f) {
            fwrite(e, 1, elen, f);
            fclose(f);
        }
        char from[PATH_MAX];
        join(from, sizeof from, pintos_dir, "exec");
        join(exe, sizeof exe, fs, "exec");
        copy_file(from, exe);
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
    const char *bin = vmlab_bin();
    const char *slash = strrchr(bin, '/');
    snprintf(pintos_dir, sizeof pintos_dir, "%.*s/pintos", slash ? (int)(slash - bin) : 1,
             slash ? bin : ".");
    char probe[PATH_MAX + 8];
    join(probe, sizeof probe, pintos_dir, "args");
    if (access(probe, R_OK)) {
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
