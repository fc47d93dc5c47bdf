/* sweeptest.c — see sweeptest.h. */
#include "lib/sweeptest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tap.h"

struct run_result st_run(const char *fmt, ...)
{
    char cmd[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    struct run_result r;
    run_cmd(cmd, &r);
    size_t n = r.err ? strlen(r.err) : 0;
    if (n && r.err[n - 1] == '\n')
        r.err[n - 1] = 0;
    for (char *c = r.err; c && *c; c++)
        if (*c == '\n')
            *c = '|';
    return r;
}

char *st_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            char *g = realloc(buf, cap * 2);
            if (!g) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = g;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

size_t st_count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* One field from *p (quoted or not); *p moves past it and its comma. */
static char *field(const char **p, bool *end_of_row)
{
    const char *s = *p;
    size_t cap = 64, n = 0;
    char *out = malloc(cap);
    bool quoted = *s == '"';
    if (quoted)
        s++;
    for (;; s++) {
        if (!*s)
            break;
        if (quoted && *s == '"') {
            if (s[1] == '"') {
                s++;
            } else {
                quoted = false;
                continue;
            }
        } else if (!quoted && (*s == ',' || *s == '\r' || *s == '\n')) {
            break;
        }
        if (n + 2 > cap)
            out = realloc(out, cap *= 2);
        out[n++] = *s;
    }
    out[n] = 0;
    *end_of_row = *s != ',';
    if (*s == ',')
        s++;
    else if (*s == '\r')
        s += s[1] == '\n' ? 2 : 1;
    else if (*s == '\n')
        s++;
    *p = s;
    return out;
}

int st_csv_read(const char *path, struct st_csv *t)
{
    memset(t, 0, sizeof *t);
    char *text = st_slurp(path, NULL);
    if (!text)
        return -1;
    const char *p = text;
    int rc = 0;
    while (*p) {
        char **row = NULL;
        size_t n = 0;
        bool end = false;
        while (!end) {
            row = realloc(row, (n + 1) * sizeof *row);
            row[n++] = field(&p, &end);
        }
        if (t->nrows && n != t->ncols)
            rc = -1;
        if (!t->nrows)
            t->ncols = n;
        t->cell = realloc(t->cell, (t->nrows + 1) * sizeof *t->cell);
        t->cell[t->nrows++] = row;
        if (n != t->ncols) {   /* keep it freeable: pad or cut to ncols */
            row = realloc(row, t->ncols * sizeof *row);
            for (size_t k = n; k < t->ncols; k++)
                row[k] = strdup("");
            for (size_t k = t->ncols; k < n; k++)
                free(row[k]);
            t->cell[t->nrows - 1] = row;
        }
    }
    free(text);
    return rc;
}

void st_csv_free(struct st_csv *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->cell[r][c]);
        free(t->cell[r]);
    }
    free(t->cell);
    memset(t, 0, sizeof *t);
}

int st_csv_col(const struct st_csv *t, const char *name)
{
    for (size_t c = 0; t->nrows && c < t->ncols; c++)
        if (!strcmp(t->cell[0][c], name))
            return (int)c;
    return -1;
}

bool st_csv_same(const struct st_csv *a, const struct st_csv *b, const char *skip)
{
    if (a->nrows != b->nrows || a->ncols != b->ncols || !a->nrows) {
        tap_diag("tables of %zux%zu and %zux%zu", a->nrows, a->ncols, b->nrows, b->ncols);
        return false;
    }
    int s = skip ? st_csv_col(a, skip) : -1;
    for (size_t r = 0; r < a->nrows; r++)
        for (size_t c = 0; c < a->ncols; c++)
            if ((int)c != s && strcmp(a->cell[r][c], b->cell[r][c])) {
                tap_diag("row %zu, column %s: '%s' and '%s'", r, a->cell[0][c], a->cell[r][c],
                         b->cell[r][c]);
                return false;
            }
    return true;
}
