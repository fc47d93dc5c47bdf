/* ptsuite.c — see ptsuite.h. */
#include "ptsuite.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/runkit.h"

void pt_join(char *out, size_t len, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + 1 + lb + 1 > len)
        la = lb = 0;   /* PATH_MAX is far more than any path here */
    memcpy(out, a, la);
    out[la] = '/';
    memcpy(out + la + 1, b, lb + 1);
}

char *pt_slurp(const char *path, size_t *len)
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
            if (!t)
                free(s);
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

int pt_copy_file(const char *from, const char *to)
{
    size_t n;
    char *data = pt_slurp(from, &n);
    FILE *f = data ? fopen(to, "wb") : NULL;
    bool good = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f))
        good = false;
    free(data);
    struct stat st;
    if (good && stat(from, &st) == 0)
        chmod(to, st.st_mode & 0777);
    return good ? 0 : -1;
}

int pt_entries(const char *dir)
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

bool pt_programs(char *dir, size_t len)
{
    const char *bin = vmlab_bin();
    const char *slash = strrchr(bin, '/');
    char build[PATH_MAX], probe[PATH_MAX];
    snprintf(build, sizeof build, "%.*s", slash ? (int)(slash - bin) : 1, slash ? bin : ".");
    pt_join(dir, len, build, "pintos");
    pt_join(probe, sizeof probe, dir, "args");
    return access(probe, R_OK) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **pt_case_names(size_t *n)
{
    DIR *d = opendir("tests/pintos/ck");
    if (!d)
        return NULL;
    char **names = NULL;
    *n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l > 3 && !strcmp(e->d_name + l - 3, ".ck")) {
            char **v = realloc(names, (*n + 1) * sizeof *v);
            if (!v)
                break;
            names = v;
            names[(*n)++] = strdup(e->d_name);
        }
    }
    closedir(d);
    if (names)
        qsort(names, *n, sizeof *names, by_name);
    return names ? names : calloc(1, sizeof *names);
}

void pt_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

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

int pt_case_load(const char *file, struct pt_case *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%.*s", (int)strcspn(file, "."), file);
    char path[PATH_MAX];
    pt_join(path, sizeof path, "tests/pintos/ck", file);
    char *text = pt_slurp(path, NULL);
    char *sep = text ? strstr(text, "\n---\n") : NULL;
    if (!sep) {
        snprintf(err, errlen, "%s: %s", path, text ? "no \"---\" line before the output" : "unreadable");
        free(text);
        return -1;
    }
    *sep = 0;
    c->expect = strdup(sep + 5);
    int line_no = 0, rc = 0;
    char *save;
    for (char *line = strtok_r(text, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
        const char *v;
        line_no++;
        if (line[0] == '#')
            continue;
        if (header_value(line, "run", &v)) {
            snprintf(c->run, sizeof c->run, "%s", v);
        } else if (header_value(line, "files", &v)) {
            snprintf(c->files, sizeof c->files, "%s", v);
        } else if (header_value(line, "mkdir", &v)) {
            snprintf(c->dirs, sizeof c->dirs, "%s", v);
        } else if (header_value(line, "opts", &v)) {
            snprintf(c->opts, sizeof c->opts, "%s", v);
        } else if (header_value(line, "stdin", &v)) {
            snprintf(c->stdin_name, sizeof c->stdin_name, "%s", v);
        } else if (header_value(line, "status", &v)) {
            c->status = atoi(v);
        } else if (header_value(line, "order", &v)) {
            c->per_name = !strcmp(v, "per-name");
            rc = c->per_name || !strcmp(v, "exact") ? 0 : -1;
        } else if (header_value(line, "san", &v)) {
            c->san = !strcmp(v, "yes");
        } else if (header_value(line, "counter", &v) && c->ncounters < PT_CASE_ITEMS) {
            struct pt_counter_check *k = &c->counters[c->ncounters++];
            unsigned long long n = 0;
            rc = sscanf(v, "%63s %2s %llu", k->name, k->op, &n) == 3 ? 0 : -1;
            k->value = n;
        } else if (header_value(line, "file", &v) && c->nchecks < PT_CASE_ITEMS) {
            struct pt_file_check *f = &c->checks[c->nchecks++];
            rc = sscanf(v, "%63s %lld", f->name, &f->size) == 2 ? 0 : -1;
        } else if (header_value(line, "absent", &v) && c->nchecks < PT_CASE_ITEMS) {
            struct pt_file_check *f = &c->checks[c->nchecks++];
            snprintf(f->name, sizeof f->name, "%s", v);
            f->size = -1;
        } else {
            rc = -1;
        }
    }
    if (rc)
        snprintf(err, errlen, "%s: line %d is not a header this format has", path, line_no);
    else if (!c->run[0] && (rc = -1))
        snprintf(err, errlen, "%s: no \"run:\" line", path);
    free(text);
    return rc;
}

void pt_case_free(struct pt_case *c)
{
    free(c->expect);
    c->expect = NULL;
}

/* One entry of files: "NAME" or "NAME=SOURCE", SOURCE a program or a file
 * of tests/pintos/data. */
static int install(const char *programs, const char *fs, const char *entry)
{
    char name[128], src[PATH_MAX], to[PATH_MAX];
    const char *eq = strchr(entry, '=');
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - entry) : (int)strlen(entry), entry);
    const char *what = eq ? eq + 1 : entry;
    pt_join(to, sizeof to, fs, name);
    if (access(to, F_OK) == 0)
        return 0;   /* named twice (the program among the files) */
    pt_join(src, sizeof src, programs, what);
    if (access(src, R_OK))
        pt_join(src, sizeof src, "tests/pintos/data", what);
    return pt_copy_file(src, to);
}

static int make_fs(const struct pt_case *c, const char *programs, const char *fs, char *err,
                   size_t errlen)
{
    if (mkdir(fs, 0755)) {
        snprintf(err, errlen, "cannot make %s", fs);
        return -1;
    }
    char list[sizeof c->files + 160];
    const char *w = c->run + strspn(c->run, " '\"");   /* the program: the first word, unquoted */
    snprintf(list, sizeof list, "%s %.*s", c->files, (int)strcspn(w, " '\""), w);
    char *save;
    for (char *e = strtok_r(list, " ", &save); e; e = strtok_r(NULL, " ", &save))
        if (install(programs, fs, e)) {
            snprintf(err, errlen, "%s: cannot install '%s' into the fs", c->name, e);
            return -1;
        }
    char dirs[sizeof c->dirs];
    snprintf(dirs, sizeof dirs, "%s", c->dirs);
    for (char *d = strtok_r(dirs, " ", &save); d; d = strtok_r(NULL, " ", &save)) {
        char there[PATH_MAX];
        pt_join(there, sizeof there, fs, d);
        if (mkdir(there, 0755)) {
            snprintf(err, errlen, "%s: cannot make the directory '%s'", c->name, d);
            return -1;
        }
    }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int pt_case_run(const struct pt_case *c, const char *programs, struct pt_outcome *o, char *err,
                size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (scratch_make(o->top, sizeof o->top)) {
        snprintf(err, errlen, "no scratch directory");
        return -1;
    }
    pt_join(o->fs, sizeof o->fs, o->top, "fs");
    if (make_fs(c, programs, o->fs, err, errlen)) {
        scratch_remove(o->top);
        o->top[0] = 0;
        return -1;
    }
    char in[PATH_MAX] = "/dev/null";
    if (c->stdin_name[0])
        pt_join(in, sizeof in, "tests/pintos/data", c->stdin_name);
    /* a PintOS-sized memory unless the case says otherwise */
    const char *mem = strstr(c->opts, "--mem") || strstr(c->opts, "--frames") ? "" : "--mem 4M";
    double t0 = now();
    o->r = run_fmt("'%s' run --abi pintos --fs '%s' --json --max-insns 4000000000 %s %s -- %s < '%s'",
                   vmlab_bin(), o->fs, mem, c->opts, c->run, in);
    o->seconds = now() - t0;
    o->instructions = o->r.err ? json_u64(o->r.err, "instructions") : UINT64_MAX;
    return 0;
}

void pt_outcome_free(struct pt_outcome *o)
{
    run_free(&o->r);
    if (o->top[0])
        scratch_remove(o->top);
    o->top[0] = 0;
}
