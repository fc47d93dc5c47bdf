/* report.c — CSV and self-contained HTML/SVG sweep reports (see report.h). */
#include "replay/report.h"
#include "replay/outfile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct chart {
    char *title, *x_col, *y_col, *series_col;
    unsigned flags;
    char **where_col, **where_val;  /* the rows it draws: where_col[k] == where_val[k] */
    unsigned nwhere;
};

struct report {
    char *title;
    char **note_keys, **note_vals;
    size_t nnotes;
    char **cols;
    unsigned ncols;
    char ***rows;                   /* rows[i][j], ncols cells each */
    char **marks;                   /* marks[i]: why row i is marked, or NULL */
    size_t nrows, rows_cap;
    char *mark_legend;              /* what a marked point means */
    struct chart *charts;
    unsigned ncharts;
    int error;                      /* first errno from an add function, 0 if none */
};

/* ---- building ---- */

static int fail(struct report *r, int e)
{
    if (!r->error)
        r->error = e;
    errno = e;
    return -1;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

struct report *report_new(const char *title)
{
    struct report *r = calloc(1, sizeof *r);
    if (!r || !(r->title = dup_or_empty(title))) {
        free(r);
        errno = ENOMEM;
        return NULL;
    }
    return r;
}

void report_free(struct report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nnotes; i++)
        free(r->note_keys[i]), free(r->note_vals[i]);
    free(r->note_keys), free(r->note_vals);
    for (size_t i = 0; i < r->nrows; i++) {
        for (unsigned j = 0; j < r->ncols; j++)
            free(r->rows[i][j]);
        free(r->rows[i]);
        free(r->marks[i]);
    }
    free(r->rows);
    free(r->marks);
    free(r->mark_legend);
    for (unsigned j = 0; j < r->ncols; j++)
        free(r->cols[j]);
    free(r->cols);
    for (unsigned c = 0; c < r->ncharts; c++) {
        struct chart *ch = &r->charts[c];
        free(ch->title), free(ch->x_col), free(ch->y_col), free(ch->series_col);
        for (unsigned k = 0; k < ch->nwhere; k++)
            free(ch->where_col[k]), free(ch->where_val[k]);
        free(ch->where_col), free(ch->where_val);
    }
    free(r->charts);
    free(r->title);
    free(r);
}

int report_add_note(struct report *r, const char *key, const char *value)
{
    char **k = realloc(r->note_keys, (r->nnotes + 1) * sizeof *k);
    if (k)
        r->note_keys = k;
    char **v = realloc(r->note_vals, (r->nnotes + 1) * sizeof *v);
    if (v)
        r->note_vals = v;
    char *ks = dup_or_empty(key), *vs = dup_or_empty(value);
    if (!k || !v || !ks || !vs) {
        free(ks), free(vs);
        return fail(r, ENOMEM);
    }
    r->note_keys[r->nnotes] = ks;
    r->note_vals[r->nnotes] = vs;
    r->nnotes++;
    return 0;
}

int report_set_columns(struct report *r, unsigned n, const char *const *names)
{
    if (r->cols || r->nrows || n == 0)
        return fail(r, EINVAL);
    char **cols = calloc(n, sizeof *cols);
    if (!cols)
        return fail(r, ENOMEM);
    for (unsigned j = 0; j < n; j++) {
        if (!(cols[j] = dup_or_empty(names[j]))) {
            while (j-- > 0)
                free(cols[j]);
            free(cols);
            return fail(r, ENOMEM);
        }
    }
    r->cols = cols;
    r->ncols = n;
    return 0;
}

int report_add_row(struct report *r, const char *const *cells)
{
    if (!r->cols)
        return fail(r, EINVAL);
    if (r->nrows == r->rows_cap) {
        size_t cap = r->rows_cap ? r->rows_cap * 2 : 64;
        char ***rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows)
            return fail(r, ENOMEM);
        r->rows = rows;
        char **marks = realloc(r->marks, cap * sizeof *marks);
        if (!marks)
            return fail(r, ENOMEM);
        r->marks = marks;
        r->rows_cap = cap;
    }
    char **row = calloc(r->ncols, sizeof *row);
    if (!row)
        return fail(r, ENOMEM);
    for (unsigned j = 0; j < r->ncols; j++) {
        if (!(row[j] = dup_or_empty(cells[j]))) {
            while (j-- > 0)
                free(row[j]);
            free(row);
            return fail(r, ENOMEM);
        }
    }
    r->marks[r->nrows] = NULL;
    r->rows[r->nrows++] = row;
    return 0;
}

int report_mark_last_row(struct report *r, const char *why, const char *legend)
{
    if (!r->nrows)
        return fail(r, EINVAL);
    char *w = dup_or_empty(why), *l = legend ? strdup(legend) : NULL;
    if (!w || (legend && !l)) {
        free(w), free(l);
        return fail(r, ENOMEM);
    }
    free(r->marks[r->nrows - 1]);
    r->marks[r->nrows - 1] = w;
    if (l) {
        free(r->mark_legend);
        r->mark_legend = l;
    }
    return 0;
}

int report_add_line_chart(struct report *r, const char *title, const char *x_col,
                          const char *y_col, const char *series_col, unsigned flags)
{
    if (!x_col || !y_col || (flags & ~(REPORT_LOG_X | REPORT_LOG_Y)))
        return fail(r, EINVAL);
    struct chart *charts = realloc(r->charts, (r->ncharts + 1) * sizeof *charts);
    if (!charts)
        return fail(r, ENOMEM);
    r->charts = charts;
    struct chart ch = {
        .title = dup_or_empty(title), .x_col = dup_or_empty(x_col), .y_col = dup_or_empty(y_col),
        .series_col = dup_or_empty(series_col), .flags = flags,
    };
    if (!ch.title || !ch.x_col || !ch.y_col || !ch.series_col) {
        free(ch.title), free(ch.x_col), free(ch.y_col), free(ch.series_col);
        return fail(r, ENOMEM);
    }
    r->charts[r->ncharts++] = ch;
    return 0;
}

int report_chart_where(struct report *r, const char *col, const char *value)
{
    if (!r->ncharts || !col)
        return fail(r, EINVAL);
    struct chart *ch = &r->charts[r->ncharts - 1];
    char **c = realloc(ch->where_col, (ch->nwhere + 1) * sizeof *c);
    if (c)
        ch->where_col = c;
    char **v = realloc(ch->where_val, (ch->nwhere + 1) * sizeof *v);
    if (v)
        ch->where_val = v;
    char *cs = dup_or_empty(col), *vs = dup_or_empty(value);
    if (!c || !v || !cs || !vs) {
        free(cs), free(vs);
        return fail(r, ENOMEM);
    }
    ch->where_col[ch->nwhere] = cs;
    ch->where_val[ch->nwhere++] = vs;
    return 0;
}

unsigned report_ncharts(const struct report *r) { return r->ncharts; }
size_t report_nrows(const struct report *r) { return r->nrows; }

/* ---- axis math ---- */

double report_nice_number(double x, bool round)
{
    double e = floor(log10(x));
    double p = pow(10, e);
    double f = x / p;                   /* 1 <= f < 10 */
    double nice;
    if (round)
        nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nice * p;
}

void report_axis_linear(struct report_axis *a, double min, double max, unsigned target)
{
    memset(a, 0, sizeof *a);
    if (target < 2)
        target = 2;
    if (target > REPORT_MAX_TICKS / 2)
        target = REPORT_MAX_TICKS / 2;
    if (!isfinite(min) || !isfinite(max))
        min = max = 0;
    if (!(max > min)) {                 /* one value: widen around it */
        if (min == 0) {
            max = 1;
        } else {
            double w = fabs(min) / 2;
            min -= w, max += w;
        }
    }
    double range = report_nice_number(max - min, false);
    double step = report_nice_number(range / (target - 1), true);
    double k0 = floor(min / step), k1 = ceil(max / step);
    while (k1 - k0 + 1 > REPORT_MAX_TICKS) {    /* rounding the step down overshot */
        step *= 2;
        k0 = floor(min / step), k1 = ceil(max / step);
    }
    /* ticks as integer multiples of the step: no accumulated rounding */
    a->nticks = (unsigned)(k1 - k0) + 1;
    for (unsigned i = 0; i < a->nticks; i++) {
        double t = (k0 + i) * step;
        a->ticks[i] = fabs(t) < step * 1e-9 ? 0 : t;
    }
    a->lo = a->ticks[0];
    a->hi = a->ticks[a->nticks - 1];
}

void report_axis_log(struct report_axis *a, double min, double max, unsigned max_ticks)
{
    memset(a, 0, sizeof *a);
    a->log = true;
    if (max_ticks < 2)
        max_ticks = 2;
    if (max_ticks > REPORT_MAX_TICKS)
        max_ticks = REPORT_MAX_TICKS;
    if (!(min > 0) || !isfinite(min))
        min = 1;
    if (!(max >= min) || !isfinite(max))
        max = min;
    a->binary = max / min <= 0x1p20;
    double base = a->binary ? 2 : 10;
    /* exponents of the powers just covering [min, max]; the tolerance keeps
     * an exact power (1024) from rounding to the next one */
    double e0 = floor(log(min) / log(base) + 1e-9);
    double e1 = ceil(log(max) / log(base) - 1e-9);
    if (e1 <= e0)
        e0 -= 1, e1 += 1;
    double stride = 1;
    while ((e1 - e0) / stride + 1 > max_ticks)
        stride++;
    e0 = floor(e0 / stride) * stride;   /* ends on multiples of the stride */
    e1 = ceil(e1 / stride) * stride;
    a->nticks = (unsigned)((e1 - e0) / stride) + 1;
    for (unsigned i = 0; i < a->nticks; i++)
        a->ticks[i] = pow(base, e0 + i * stride);
    a->lo = a->ticks[0];
    a->hi = a->ticks[a->nticks - 1];
}

double report_axis_map(const struct report_axis *a, double v, double p0, double p1)
{
    double f = a->log ? log(v / a->lo) / log(a->hi / a->lo) : (v - a->lo) / (a->hi - a->lo);
    return p0 + f * (p1 - p0);
}

char *report_format_tick(double v, bool binary, char *buf, size_t len)
{
    static const char *const si[] = { "", "k", "M", "G", "T", "P" };
    static const char *const iec[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi" };
    double m = fabs(v);
    if (v == 0) {
        snprintf(buf, len, "0");
    } else if (binary && m >= 100000 && m < 0x1p60) {
        unsigned k = 0;
        while (k < 5 && fmod(m, 1024) == 0 && m >= 1024)
            m /= 1024, k++;
        if (k > 0 && m < 100000)
            snprintf(buf, len, "%s%.0f%s", v < 0 ? "-" : "", m, iec[k]);
        else
            return report_format_tick(v, false, buf, len);
    } else if (m >= 10000 && !(binary && m < 100000)) {
        unsigned k = 0;
        while (k < 5 && m >= 1000)
            m /= 1000, k++;
        snprintf(buf, len, "%s%.3g%s", v < 0 ? "-" : "", m, si[k]);
    } else {
        snprintf(buf, len, "%.6g", v);
    }
    return buf;
}

/* ---- output helpers ---- */

/* A file being written: a temporary beside the target, renamed on success
 * (replay/outfile.h: the old file's mode kept, removed by a fatal signal). */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int out_open(struct outfile *o, const char *path, char *err, size_t errlen)
{
    if (outfile_open(o, path, NULL, err, errlen) < 0)
        return -1;
    if (!outfile_stream(o)) {
        set_err(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        outfile_abort(o);
        return -1;
    }
    return 0;
}

static int out_close(struct outfile *o, char *err, size_t errlen)
{
    char why[1024];
    if (outfile_commit(o, why, sizeof why) < 0) {
        set_err(err, errlen, "%s: write failed: %s", o->path,
                strchr(why, ':') ? strchr(why, ':') + 2 : why);
        return -1;
    }
    return 0;
}

/* ---- CSV (RFC 4180: CRLF line ends; a field holding a comma, quote, CR or
 * LF is quoted, its quotes doubled) ---- */

void report_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void report_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void report_size_text(uint64_t bytes, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static void csv_record(FILE *f, char *const *cells, unsigned n)
{
    for (unsigned j = 0; j < n; j++) {
        if (j)
            fputc(',', f);
        report_csv_field(f, cells[j]);
    }
    fputs("\r\n", f);
}

int report_write_csv(const struct report *r, const char *path, char *err, size_t errlen)
{
    if (r->error) {
        set_err(err, errlen, "%s: report incomplete: %s", path, strerror(r->error));
        return -1;
    }
    if (!r->cols) {
        set_err(err, errlen, "%s: report has no columns", path);
        return -1;
    }
    struct outfile o;
    if (out_open(&o, path, err, errlen) < 0)
        return -1;
    csv_record(o.f, r->cols, r->ncols);
    for (size_t i = 0; i < r->nrows; i++)
        csv_record(o.f, r->rows[i], r->ncols);
    return out_close(&o, err, errlen);
}

/* ---- HTML ---- */

/* Text or attribute value: the five markup characters become entities, and
 * C0 controls (invalid in HTML) become U+FFFD. */
static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                fputs("\xef\xbf\xbd", f);
            else
                fputc(c, f);
        }
    }
}

/* A column name as a table header: it may break after '-' and '_', so that
 * long counter names do not widen the table. */
static void html_header(FILE *f, const char *s)
{
    for (; *s; s++) {
        char one[2] = {*s, 0};
        html_text(f, one);
        if ((*s == '-' || *s == '_') && s[1])
            fputs("<wbr>", f);
    }
}

/* A number in full, as strtod reads it ("12", "-3.5e6", " 7 "), not "12MB". */
static bool parse_number(const char *s, double *v)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(d))
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return false;
    *v = d;
    return true;
}

static int column_index(const struct report *r, const char *name)
{
    for (unsigned j = 0; j < r->ncols; j++)
        if (strcmp(r->cols[j], name) == 0)
            return (int)j;
    return -1;
}

/* Chart geometry (SVG user units = CSS pixels). */
enum {
    SVG_W = 860, SVG_H = 460,
    PLOT_L = 84, PLOT_R = 650, PLOT_T = 46, PLOT_B = 396,
    LEGEND_X = 670,
};

/* Okabe & Ito's colour-blind-safe palette (yellow left out: too pale on
 * white), then four more; with four marker shapes, 32 series look distinct. */
static const char *const palette[] = {
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
    "#8c564b", "#7f7f7f", "#bcbd22", "#17becf",
};
#define NCOLOURS (sizeof palette / sizeof palette[0])

struct point {
    double x, y;
    size_t row;
    bool marked;                    /* drawn as a cross, not on the line */
};

struct series {
    const char *name;
    struct point *pts;
    size_t n, cap;
};

static int cmp_point(const void *a, const void *b)
{
    const struct point *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;     /* stable: table order */
}

/* Series s: colour s mod NCOLOURS, shape chosen so that colour and shape
 * together stay distinct well past the palette's length. */
static const char *colour_of(size_t s) { return palette[s % NCOLOURS]; }
static unsigned shape_of(size_t s) { return (unsigned)((s + s / NCOLOURS) % 4); }

/* An open marker element (circle, square, triangle, diamond) centred on
 * (x, y); the caller adds children or closes it with marker_end(). */
static void marker(FILE *f, const char *cls, unsigned shape, double x, double y, const char *colour)
{
    switch (shape) {
    case 0:
        fprintf(f, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\">", cls, x, y,
                colour);
        break;
    case 1:
        fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\">",
                cls, x - 3.5, y - 3.5, colour);
        break;
    case 2:
        fprintf(f, "<path class=\"%s\" d=\"M%.1f %.1fl4.5 8h-9z\" fill=\"%s\">", cls, x, y - 5,
                colour);
        break;
    default:
        fprintf(f, "<path class=\"%s\" d=\"M%.1f %.1fl4.5 4.5l-4.5 4.5l-4.5 -4.5z\" fill=\"%s\">", cls,
                x, y - 4.5, colour);
        break;
    }
}

static const char *marker_end(unsigned shape)
{
    return shape == 0 ? "</circle>" : shape == 1 ? "</rect>" : "</path>";
}

static void svg_text(FILE *f, double x, double y, const char *anchor, const char *extra,
                     const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
    html_text(f, text);
    fputs("</text>\n", f);
}

/* Collects the chart's points into series. Returns the number of series, or
 * -1 on ENOMEM; *no_number counts rows left out for want of a number,
 * *not_positive those whose value a log axis cannot show. */
static bool row_selected(const struct report *r, const struct chart *ch, size_t i)
{
    for (unsigned k = 0; k < ch->nwhere; k++)
        if (strcmp(r->rows[i][column_index(r, ch->where_col[k])], ch->where_val[k]) != 0)
            return false;
    return true;
}

static long collect_series(const struct report *r, const struct chart *ch, int xi, int yi, int si,
                           struct series **out, size_t *no_number, size_t *not_positive)
{
    struct series *ss = NULL;
    size_t nser = 0;
    unsigned flags = ch->flags;
    *no_number = *not_positive = 0;
    for (size_t i = 0; i < r->nrows; i++) {
        double x, y;
        if (!row_selected(r, ch, i))
            continue;
        if (!parse_number(r->rows[i][xi], &x) || !parse_number(r->rows[i][yi], &y)) {
            (*no_number)++;
            continue;
        }
        if (((flags & REPORT_LOG_X) && x <= 0) || ((flags & REPORT_LOG_Y) && y <= 0)) {
            (*not_positive)++;
            continue;
        }
        const char *name = si >= 0 ? r->rows[i][si] : r->cols[yi];
        size_t s = 0;
        while (s < nser && strcmp(ss[s].name, name) != 0)
            s++;
        if (s == nser) {
            struct series *grown = realloc(ss, (nser + 1) * sizeof *ss);
            if (!grown)
                goto oom;
            ss = grown;
            ss[nser++] = (struct series){ .name = name };
        }
        struct series *se = &ss[s];
        if (se->n == se->cap) {
            size_t cap = se->cap ? se->cap * 2 : 16;
            struct point *p = realloc(se->pts, cap * sizeof *p);
            if (!p)
                goto oom;
            se->pts = p, se->cap = cap;
        }
        se->pts[se->n++] = (struct point){ x, y, i, r->marks[i] != NULL };
    }
    for (size_t s = 0; s < nser; s++)
        qsort(ss[s].pts, ss[s].n, sizeof *ss[s].pts, cmp_point);
    *out = ss;
    return (long)nser;
oom:
    for (size_t s = 0; s < nser; s++)
        free(ss[s].pts);
    free(ss);
    return -1;
}

static void axis_for(struct report_axis *a, bool log_scale, bool from_zero, double min, double max,
                     bool empty)
{
    if (empty)
        min = log_scale ? 1 : 0, max = log_scale ? 10 : 1;
    if (log_scale) {
        report_axis_log(a, min, max, 10);
    } else {
        if (from_zero && min > 0)
            min = 0;
        if (from_zero && max < 0)
            max = 0;
        report_axis_linear(a, min, max, 6);
    }
}

static int write_chart(FILE *f, const struct report *r, const struct chart *ch, unsigned index,
                       char *err, size_t errlen, const char *path)
{
    int xi = column_index(r, ch->x_col), yi = column_index(r, ch->y_col);
    int si = ch->series_col[0] ? column_index(r, ch->series_col) : -1;
    const char *missing = xi < 0 ? ch->x_col : yi < 0 ? ch->y_col
                        : (si < 0 && ch->series_col[0]) ? ch->series_col : NULL;
    if (missing) {
        set_err(err, errlen, "%s: chart \"%s\": no column named \"%s\"", path, ch->title, missing);
        return -1;
    }
    struct series *ss;
    size_t no_number, not_positive, nmarked = 0;
    long nser = collect_series(r, ch, xi, yi, si, &ss, &no_number, &not_positive);
    if (nser < 0) {
        set_err(err, errlen, "%s: out of memory", path);
        return -1;
    }
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    size_t npts = 0;
    for (long s = 0; s < nser; s++) {
        for (size_t k = 0; k < ss[s].n; k++) {
            struct point p = ss[s].pts[k];
            xmin = fmin(xmin, p.x), xmax = fmax(xmax, p.x);
            ymin = fmin(ymin, p.y), ymax = fmax(ymax, p.y);
            npts++;
            nmarked += p.marked;
        }
    }
    struct report_axis ax, ay;
    axis_for(&ax, ch->flags & REPORT_LOG_X, false, xmin, xmax, npts == 0);
    axis_for(&ay, ch->flags & REPORT_LOG_Y, true, ymin, ymax, npts == 0);

    fprintf(f, "<figure id=\"chart%u\">\n<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
               "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
               "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
            index, SVG_W, SVG_H, SVG_W, SVG_H);
    fputs("<title>", f);
    html_text(f, ch->title);
    fputs("</title>\n", f);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", SVG_W, SVG_H);
    svg_text(f, (PLOT_L + PLOT_R) / 2.0, 26, "middle", " font-size=\"16\" font-weight=\"bold\"",
             ch->title);

    /* grid, ticks and tick labels */
    char lab[32];
    fputs("<g class=\"grid\" stroke=\"#dddddd\" stroke-width=\"1\">\n", f);
    for (unsigned t = 0; t < ax.nticks; t++) {
        double x = report_axis_map(&ax, ax.ticks[t], PLOT_L, PLOT_R);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, PLOT_T, x, PLOT_B);
    }
    for (unsigned t = 0; t < ay.nticks; t++) {
        double y = report_axis_map(&ay, ay.ticks[t], PLOT_B, PLOT_T);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", PLOT_L, y, PLOT_R, y);
    }
    fputs("</g>\n<g class=\"xticks\" fill=\"#222222\">\n", f);
    for (unsigned t = 0; t < ax.nticks; t++) {
        double x = report_axis_map(&ax, ax.ticks[t], PLOT_L, PLOT_R);
        svg_text(f, x, PLOT_B + 18, "middle", "",
                 report_format_tick(ax.ticks[t], ax.binary, lab, sizeof lab));
    }
    fputs("</g>\n<g class=\"yticks\" fill=\"#222222\">\n", f);
    for (unsigned t = 0; t < ay.nticks; t++) {
        double y = report_axis_map(&ay, ay.ticks[t], PLOT_B, PLOT_T);
        svg_text(f, PLOT_L - 8, y + 4, "end", "",
                 report_format_tick(ay.ticks[t], ay.binary, lab, sizeof lab));
    }
    fputs("</g>\n", f);
    fprintf(f, "<path class=\"axes\" d=\"M%d %dV%dH%d\" fill=\"none\" stroke=\"#222222\"/>\n",
            PLOT_L, PLOT_T, PLOT_B, PLOT_R);
    char axis_title[512];
    snprintf(axis_title, sizeof axis_title, "%s%s", ch->x_col,
             (ch->flags & REPORT_LOG_X) ? " (log scale)" : "");
    svg_text(f, (PLOT_L + PLOT_R) / 2.0, PLOT_B + 42, "middle", " font-size=\"13\"", axis_title);
    snprintf(axis_title, sizeof axis_title, "%s%s", ch->y_col,
             (ch->flags & REPORT_LOG_Y) ? " (log scale)" : "");
    char rot[96];
    snprintf(rot, sizeof rot, " font-size=\"13\" transform=\"rotate(-90 18 %.1f)\"",
             (PLOT_T + PLOT_B) / 2.0);
    svg_text(f, 18, (PLOT_T + PLOT_B) / 2.0, "middle", rot, axis_title);
    if (npts == 0)
        svg_text(f, (PLOT_L + PLOT_R) / 2.0, (PLOT_T + PLOT_B) / 2.0, "middle",
                 " fill=\"#888888\"", "no numeric data");

    /* the series: a line, then a marker (with a hover title) per point */
    for (long s = 0; s < nser; s++) {
        const char *colour = colour_of((size_t)s);
        unsigned shape = shape_of((size_t)s);
        fprintf(f, "<g class=\"series\" data-series=\"");
        html_text(f, ss[s].name);
        fputs("\">\n", f);
        fprintf(f, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                   "points=\"", colour);
        bool first = true;
        for (size_t k = 0; k < ss[s].n; k++) {
            if (ss[s].pts[k].marked)
                continue;   /* a marked run is no point of the curve */
            fprintf(f, "%s%.1f,%.1f", first ? "" : " ",
                    report_axis_map(&ax, ss[s].pts[k].x, PLOT_L, PLOT_R),
                    report_axis_map(&ay, ss[s].pts[k].y, PLOT_B, PLOT_T));
            first = false;
        }
        fputs("\"/>\n", f);
        for (size_t k = 0; k < ss[s].n; k++) {
            struct point p = ss[s].pts[k];
            double px = report_axis_map(&ax, p.x, PLOT_L, PLOT_R);
            double py = report_axis_map(&ay, p.y, PLOT_B, PLOT_T);
            if (p.marked)
                fprintf(f, "<path class=\"marked\" d=\"M%.1f %.1fl10 10m0 -10l-10 10\" "
                           "stroke=\"%s\" stroke-width=\"2.5\" fill=\"none\">",
                        px - 5, py - 5, colour);
            else
                marker(f, "pt", shape, px, py, colour);
            fputs("<title>", f);
            html_text(f, ss[s].name);
            fputs(": ", f);
            html_text(f, ch->x_col);
            fputs(" = ", f);
            html_text(f, r->rows[p.row][xi]);
            fputs(", ", f);
            html_text(f, ch->y_col);
            fputs(" = ", f);
            html_text(f, r->rows[p.row][yi]);
            if (p.marked) {
                fputs(" (", f);
                html_text(f, r->marks[p.row]);
                fputs(")", f);
            }
            fprintf(f, "</title>%s\n", p.marked ? "</path>" : marker_end(shape));
        }
        fputs("</g>\n", f);
    }

    /* the legend, right of the plot */
    fputs("<g class=\"legend\">\n", f);
    if (ch->series_col[0])
        svg_text(f, LEGEND_X, PLOT_T + 4, "start", " font-weight=\"bold\"", ch->series_col);
    for (long s = 0; s < nser; s++) {
        const char *colour = colour_of((size_t)s);
        unsigned shape = shape_of((size_t)s);
        double y = PLOT_T + 24 + 20.0 * (double)s;
        if (y > SVG_H - 10) {
            svg_text(f, LEGEND_X, y, "start", "", "…");
            break;
        }
        fprintf(f, "<line class=\"key\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                   "stroke-width=\"2\"/>\n", LEGEND_X, y - 4, LEGEND_X + 28, y - 4, colour);
        /* same shape as the data, class "key" so that it is not counted as a point */
        marker(f, "key", shape, LEGEND_X + 14, y - 4, colour);
        fprintf(f, "%s\n", marker_end(shape));
        svg_text(f, LEGEND_X + 36, y, "start", "", ss[s].name);
    }
    if (nmarked) {
        double y = PLOT_T + 24 + 20.0 * (double)nser + 8;
        fprintf(f, "<path class=\"key-marked\" d=\"M%d %.1fl10 10m0 -10l-10 10\" stroke=\"#222222\" "
                   "stroke-width=\"2.5\" fill=\"none\"/>\n", LEGEND_X + 9, y - 9);
        svg_text(f, LEGEND_X + 36, y, "start", "",
                 r->mark_legend ? r->mark_legend : "marked row");
    }
    fputs("</g>\n</svg>\n", f);

    fputs("<figcaption>", f);
    html_text(f, ch->title);
    fprintf(f, ": %zu points in %ld series", npts, nser);
    if (nmarked) {
        fprintf(f, "; %zu marked with a cross (", nmarked);
        html_text(f, r->mark_legend ? r->mark_legend : "marked row");
        fputs(")", f);
    }
    if (no_number)
        fprintf(f, "; %zu row%s without a number left out", no_number, no_number == 1 ? "" : "s");
    if (not_positive)
        fprintf(f, "; %zu row%s of 0 or less left out (a log axis cannot show them)",
                not_positive, not_positive == 1 ? "" : "s");
    fputs(".</figcaption>\n</figure>\n", f);

    for (long s = 0; s < nser; s++)
        free(ss[s].pts);
    free(ss);
    return 0;
}

static const char html_style[] =
    "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:24px;color:#222;"
    "background:#fff;max-width:1140px}\n"
    "h1{font-size:22px;margin:0 0 12px}h2{font-size:18px;margin:28px 0 8px}\n"
    "table{border-collapse:collapse;font-size:13px}\n"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}\n"
    "th{background:#f0f0f0;vertical-align:bottom}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}\n"
    "table.data{font-size:12px}table.data td,table.data th{padding:3px 5px}\n"
    "table.data tr.marked td{background:#fde8e1}\n"
    "table.notes th{background:#f7f7f7;font-weight:normal;color:#555}\n"
    "figure{margin:12px 0 24px}figcaption{font-size:12px;color:#555}\n"
    "svg.chart{max-width:100%;height:auto;border:1px solid #e4e4e4}\n"
    "table.data th{cursor:pointer}\n"
    ".tablewrap{overflow-x:auto}\n";

/* Click a header to sort by it (numbers numerically); without JS the table
 * is simply static. */
static const char html_script[] =
    "(function(){var t=document.querySelector('table.data');if(!t)return;"
    "var hs=t.tHead.rows[0].cells;for(var c=0;c<hs.length;c++)(function(c){"
    "hs[c].title='click to sort';hs[c].addEventListener('click',function(){"
    "var b=t.tBodies[0],rs=Array.prototype.slice.call(b.rows),d=hs[c].dataset.dir==='a'?-1:1;"
    "hs[c].dataset.dir=d>0?'a':'d';rs.sort(function(x,y){var p=x.cells[c].textContent,"
    "q=y.cells[c].textContent,m=parseFloat(p),n=parseFloat(q);"
    "if(!isNaN(m)&&!isNaN(n)&&isFinite(p)&&isFinite(q))return d*(m-n);"
    "return d*p.localeCompare(q);});rs.forEach(function(r){b.appendChild(r);});});})(c);})();\n";

int report_write_html(const struct report *r, const char *path, char *err, size_t errlen)
{
    if (r->error) {
        set_err(err, errlen, "%s: report incomplete: %s", path, strerror(r->error));
        return -1;
    }
    for (unsigned c = 0; c < r->ncharts; c++) {     /* check before creating the file */
        const struct chart *ch = &r->charts[c];
        const char *cols[3] = { ch->x_col, ch->y_col, ch->series_col };
        for (int k = 0; k < 3; k++) {
            if ((k < 2 || cols[k][0]) && column_index(r, cols[k]) < 0) {
                set_err(err, errlen, "%s: chart \"%s\": no column named \"%s\"", path, ch->title,
                        cols[k]);
                return -1;
            }
        }
        for (unsigned k = 0; k < ch->nwhere; k++)
            if (column_index(r, ch->where_col[k]) < 0) {
                set_err(err, errlen, "%s: chart \"%s\": no column named \"%s\"", path, ch->title,
                        ch->where_col[k]);
                return -1;
            }
    }
    struct outfile o;
    if (out_open(&o, path, err, errlen) < 0)
        return -1;
    FILE *f = o.f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"vmlab\">\n<title>", f);
    html_text(f, r->title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", html_style);
    html_text(f, r->title);
    fputs("</h1>\n", f);

    if (r->nnotes) {
        fputs("<table class=\"notes\">\n", f);
        for (size_t i = 0; i < r->nnotes; i++) {
            fputs("<tr><th>", f);
            html_text(f, r->note_keys[i]);
            fputs("</th><td>", f);
            html_text(f, r->note_vals[i]);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }

    if (r->ncharts)
        fputs("<h2>Charts</h2>\n", f);
    int rc = 0;
    for (unsigned c = 0; c < r->ncharts && rc == 0; c++)
        rc = write_chart(f, r, &r->charts[c], c, err, errlen, path);

    if (rc == 0 && r->cols) {
        fprintf(f, "<h2>Counters</h2>\n<p>%zu rows.</p>\n<div class=\"tablewrap\">\n"
                   "<table class=\"data\">\n<thead><tr>", r->nrows);
        for (unsigned j = 0; j < r->ncols; j++) {
            fputs("<th scope=\"col\">", f);
            html_header(f, r->cols[j]);
            fputs("</th>", f);
        }
        fputs("</tr></thead>\n<tbody>\n", f);
        for (size_t i = 0; i < r->nrows; i++) {
            if (r->marks[i]) {
                fputs("<tr class=\"marked\" title=\"", f);
                html_text(f, r->marks[i]);
                fputs("\">", f);
            } else {
                fputs("<tr>", f);
            }
            for (unsigned j = 0; j < r->ncols; j++) {
                double v;
                fputs(parse_number(r->rows[i][j], &v) ? "<td class=\"num\">" : "<td>", f);
                html_text(f, r->rows[i][j]);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</tbody>\n</table>\n</div>\n", f);
    }
    fprintf(f, "<script>\n%s</script>\n</body>\n</html>\n", html_script);
    if (rc < 0) {                       /* err is set; drop the partial file */
        outfile_abort(&o);
        return -1;
    }
    return out_close(&o, err, errlen);
}
