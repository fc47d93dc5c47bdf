/* report.h — sweep reports: one CSV file and one self-contained HTML page.
 *
 * A report is a title, a few notes (the configuration, shown at the top), a
 * table of string cells (numbers formatted by the caller), and line charts
 * drawn from that table. report_write_csv() writes the table (RFC 4180);
 * report_write_html() writes a single HTML file with no external resources:
 * the notes, each chart as inline SVG (axes with round-number ticks, a
 * legend, a marker with a hover title at every point), and the full table.
 * A short inline script makes the table sortable; without JavaScript the page
 * is complete, only unsortable.
 *
 * A chart draws one series per distinct value of its series column (in order
 * of first appearance; one series if no series column), x and y from two
 * numeric columns. Cells that do not parse as a number in full (strtod) are
 * left out, as are x <= 0 on a log x axis and y <= 0 on a log y axis; the
 * chart's caption says how many rows were left out, and why.
 *
 * Errors: the add functions return -1 (errno ENOMEM or EINVAL) and also
 * remember the first error, so a caller may check only the final write,
 * which then fails with that error's message. Write functions return 0, or
 * -1 with a message naming the file (or the chart and column) in err.
 * Files are written to a temporary name in the same folder and renamed, so a
 * failed write leaves no partial report. The path "-" means standard output.
 */
#ifndef VMLAB_REPLAY_REPORT_H
#define VMLAB_REPLAY_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

struct report;

struct report *report_new(const char *title);          /* NULL on ENOMEM */
void report_free(struct report *r);

/* A "key: value" line of the configuration shown at the top of the HTML. */
int report_add_note(struct report *r, const char *key, const char *value);

/* The table's columns; once, before any row. */
int report_set_columns(struct report *r, unsigned n, const char *const *names);

/* One row: exactly as many cells as columns (NULL cells count as empty). */
int report_add_row(struct report *r, const char *const *cells);

/* Mark the row added last as not an ordinary result (a run that was killed
 * or stopped early): its points are drawn as a cross that no line joins,
 * hovering shows `why`, the legend and caption say what a cross means
 * (`legend`, the same for every marked row), and its table row is shaded. */
int report_mark_last_row(struct report *r, const char *why, const char *legend);

#define REPORT_LOG_X 1u             /* log x axis (memory sizes, TLB sizes) */
#define REPORT_LOG_Y 2u             /* log y axis */

/* A line chart of y_col against x_col, one series per value of series_col
 * (NULL or "" for a single series). Columns are looked up by name when the
 * HTML is written, so charts may be declared before the columns. flags is
 * a mask of REPORT_LOG_X and REPORT_LOG_Y (true == REPORT_LOG_X). */
int report_add_line_chart(struct report *r, const char *title, const char *x_col,
                          const char *y_col, const char *series_col, unsigned flags);

/* Restrict the chart added last to the rows whose column col holds
 * exactly value (one chart per workload, per combination of a sweep's
 * other settings). Repeatable: a row is drawn if it matches every one.
 * Rows left out this way are not the chart's, so its caption does not
 * count them. The column is looked up when the HTML is written. */
int report_chart_where(struct report *r, const char *col, const char *value);

/* One CSV field, quoted as RFC 4180 asks when it holds a comma, quote, CR
 * or LF (its quotes doubled). */
void report_csv_field(FILE *f, const char *s);

/* One JSON string: s quoted, its quotes, backslashes and control
 * characters escaped (RFC 8259). */
void report_json_string(FILE *f, const char *s);

/* A size as people read it: "512 B", "64.0 MiB" (powers of 1024). */
void report_size_text(uint64_t bytes, char *buf, size_t len);

int report_write_csv(const struct report *r, const char *path, char *err, size_t errlen);
int report_write_html(const struct report *r, const char *path, char *err, size_t errlen);

unsigned report_ncharts(const struct report *r);
size_t report_nrows(const struct report *r);

/* ---- axis math, public so that it can be tested on its own ---- */

#define REPORT_MAX_TICKS 24

struct report_axis {
    bool log;                       /* positions by log(v) */
    bool binary;                    /* log axis with ticks at powers of 2 */
    double lo, hi;                  /* the values at the two ends of the axis */
    unsigned nticks;
    double ticks[REPORT_MAX_TICKS]; /* ascending, lo <= tick <= hi */
};

/* Heckbert's "nice numbers": the number 1, 2, 5 or 10 times a power of ten
 * nearest to x (round) or not below x (!round). x > 0. */
double report_nice_number(double x, bool round);

/* A linear axis covering [min, max] with about `target` ticks at a nice step;
 * lo and hi are the outermost ticks. min == max is widened. */
void report_axis_linear(struct report_axis *a, double min, double max, unsigned target);

/* A log axis over [min, max] (both > 0): ticks at powers of 2 when max/min
 * <= 2^20, else at powers of 10, every k-th power so that there are at most
 * max_ticks; lo and hi are the outermost ticks. */
void report_axis_log(struct report_axis *a, double min, double max, unsigned max_ticks);

/* Position of v on an axis drawn from pixel p0 (at lo) to p1 (at hi). */
double report_axis_map(const struct report_axis *a, double v, double p0, double p1);

/* A short tick label: "0", "250", "0.25", "12.5k", "1.5M"; on a binary axis
 * values of 100000 and more that are whole multiples of 1024^k print as
 * "64Ki", "1Mi". Returns buf. */
char *report_format_tick(double v, bool binary, char *buf, size_t len);

#endif
