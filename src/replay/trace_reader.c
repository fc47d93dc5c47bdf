/* trace_reader.c — opening traces, format detection, errors, draining.
 *
 * trace_open* set up the byte window (trace_input.c, which also undoes
 * compression), decide the format when asked for TRACE_AUTO, and hand
 * each trace_next() to the format's reader. The reader object keeps the
 * position (line or byte) so every message can name it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replay/trace_impl.h"

static const char *const format_names[] = {
    [TRACE_AUTO] = "auto", [TRACE_RW] = "rw", [TRACE_LACKEY] = "lackey",
    [TRACE_REFS] = "refs", [TRACE_VMT] = "vmt",
};

const char *trace_format_name(enum trace_format fmt)
{
    if ((unsigned)fmt < sizeof format_names / sizeof format_names[0])
        return format_names[fmt];
    return "?";
}

int trace_format_parse(const char *name, enum trace_format *fmt)
{
    for (unsigned i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (!strcmp(name, format_names[i])) {
            *fmt = (enum trace_format)i;
            return 0;
        }
    return -1;
}

const char *trace_compression_name(enum trace_compression c)
{
    switch (c) {
    case TRACE_PLAIN: return "plain";
    case TRACE_GZIP:  return "gzip";
    case TRACE_XZ:    return "xz";
    case TRACE_ZSTD:  return "zstd";
    }
    return "?";
}

/* ---- messages ------------------------------------------------------------ */

#define H(c) [c] = (c) - '0' + 1
const unsigned char trace_hexval[256] = {
    H('0'), H('1'), H('2'), H('3'), H('4'), H('5'), H('6'), H('7'), H('8'), H('9'),
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};
#undef H

const char *trace_quote(const unsigned char *p, char *out, size_t outlen)
{
    size_t o = 0;
    /* Every unit ends in a delimiter, so the scan stops within it; a NUL is
     * data (quoted as \x00), not the end of the token. */
    for (int i = 0; i < 24; i++, p++) {
        unsigned char c = *p;
        if (c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == ',' || c == '\v' || c == '\f')
            break;
        if (o + 5 >= outlen)
            break;
        if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\')
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (o < outlen)
        out[o] = 0;
    return out;
}

int trace_bad_unit(struct trace_reader *r, const char *fmt, ...)
{
    char msg[TRACE_ERR_MAX - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->skip_bad) {
        if (r->skipped++ == 0)
            snprintf(r->first_skipped, sizeof r->first_skipped, "%s:%llu: %s", r->name,
                     (unsigned long long)r->line, msg);
        return 0;
    }
    snprintf(r->err, sizeof r->err, "%s:%llu: %s", r->name, (unsigned long long)r->line, msg);
    r->state = -1;
    return -1;
}

int trace_bad_line(struct trace_reader *r, const unsigned char *line, const char *why,
                   const unsigned char *at)
{
    char q[128];
    if (trace_bad_unit(r, "%s '%s'", why, trace_quote(at, q, sizeof q)) < 0)
        return -1;
    struct trace_input *in = &r->in;
    in->pos = (size_t)((const unsigned char *)memchr(line, '\n', in->units_end - in->pos) -
                       in->buf) + 1;
    r->line++;
    return 0;
}

int trace_bad_byte(struct trace_reader *r, uint64_t offset, const char *fmt, ...)
{
    char msg[TRACE_ERR_MAX - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, sizeof r->err, "%s: byte %llu: %s", r->name, (unsigned long long)offset,
             msg);
    r->state = -1;
    return -1;
}

int trace_input_failed(struct trace_reader *r)
{
    r->state = -1;
    return -1;
}

int trace_text_more(struct trace_reader *r, enum input_unit u)
{
    for (;;) {
        int s = input_units(&r->in, u);
        if (s >= 0)
            return s;
        if (s == -1)
            return trace_input_failed(r);
        if (trace_bad_unit(r, "%s longer than %u bytes", u == UNIT_LINE ? "line" : "entry",
                           TRACE_MAX_LINE) < 0)
            return -1;
        if (input_drop_unit(&r->in, u) < 0)
            return trace_input_failed(r);
        if (r->in.pos > 0 && r->in.buf[r->in.pos - 1] == '\n')
            r->line++;
    }
}

/* ---- format detection ---------------------------------------------------- */

/* The start of a line for a message: up to 24 bytes, spaces kept (a line
 * may start with one), unprintable bytes as \xNN; "..." if there is more. */
static const char *quote_line_start(const unsigned char *p, char *out, size_t outlen)
{
    size_t o = 0;
    int i = 0;
    for (; i < 24 && p[i] != '\n' && p[i] != '\r' && o + 8 < outlen; i++) {
        unsigned char c = p[i];
        if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\')
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (p[i] != '\n' && p[i] != '\r' && o + 4 < outlen)
        out[o++] = '.', out[o++] = '.', out[o++] = '.';
    out[o] = 0;
    return out;
}

/* The shape of a line, not its validity: lackey's exact prefix then a hex
 * digit, or rw's hex address, blanks and R or W. A sample in which no line
 * is valid but lines have one format's shape is that format, whose reader
 * then names what is wrong (a size that wraps, an address too long). */
static bool lackey_shape(const unsigned char *p)
{
    bool prefix = (p[0] == 'I' && p[1] == ' ' && p[2] == ' ') ||
                  (p[0] == ' ' && p[2] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M'));
    return prefix && trace_hexval[p[3]];
}

static bool rw_shape(const unsigned char *p)
{
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    const unsigned char *digits = p;
    while (trace_hexval[*p])
        p++;
    if (p == digits || (*p != ' ' && *p != '\t'))
        return false;
    while (*p == ' ' || *p == '\t')
        p++;
    return (*p | 0x20) == 'r' || (*p | 0x20) == 'w';
}

/* Look at up to the first 64 lines of the first 64 KiB and let each text
 * format count the lines it would accept; the most accepted wins (ties in
 * the order lackey, rw, refs). Valgrind's own "==PID==" lines vote for
 * lackey only when nothing else matches. A few bad lines thus do not stop
 * detection; skip_bad decides what happens to them later. */
static int detect_format(struct trace_reader *r, enum trace_format *fmt)
{
    struct trace_input *in = &r->in;
    if (input_ensure(in, 64 * 1024) < 0)
        return -1;
    size_t n = in->end - in->pos;
    const unsigned char *p = in->buf + in->pos;
    if (trace_vmt_magic(p, n)) {
        *fmt = TRACE_VMT;
        return 0;
    }
    if (n == 0) {
        *fmt = TRACE_RW;   /* an empty input is an empty trace */
        return 0;
    }
    /* Copy the sample so each line ends in '\n' for the shape tests, with
     * zero slack after it as in the window (parsers read a little ahead). */
    unsigned char *s = calloc(1, n + TRACE_INPUT_SLACK);
    if (!s) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->name);
        return -1;
    }
    memcpy(s, p, n);
    s[n] = '\n';
    unsigned lackey = 0, rw = 0, refs = 0, comments = 0, lines = 0;
    unsigned lackey_shaped = 0, rw_shaped = 0;
    bool binary = memchr(s, 0, n) != NULL;
    for (size_t i = 0; i < n && lines < 64 && !binary; lines++) {
        const unsigned char *line = s + i;
        const unsigned char *nl = memchr(line, '\n', n + 1 - i);
        if (trace_lackey_comment(line))
            comments++;
        else {
            lackey += trace_lackey_line_ok(line);
            rw += trace_rw_line_ok(line);
            refs += trace_refs_line_ok(line);
            lackey_shaped += lackey_shape(line);
            rw_shaped += rw_shape(line);
        }
        i = (size_t)(nl - s) + 1;
    }
    char q[128];
    quote_line_start(s, q, sizeof q);
    const unsigned char *first_nl = memchr(s, '\n', n);
    bool long_line = (size_t)(first_nl ? first_nl - s : (ptrdiff_t)n) > TRACE_MAX_LINE;
    free(s);
    if (lackey && lackey >= rw && lackey >= refs)
        *fmt = TRACE_LACKEY;
    else if (rw && rw >= refs)
        *fmt = TRACE_RW;
    else if (refs)
        *fmt = TRACE_REFS;
    else if (comments || (lackey_shaped && lackey_shaped >= rw_shaped))
        *fmt = TRACE_LACKEY;
    else if (rw_shaped)
        *fmt = TRACE_RW;
    else if (binary) {
        snprintf(r->err, sizeof r->err, "%s: cannot tell the trace format (not vmt, lackey, rw or "
                 "refs; it holds binary data); give it with --format", r->name);
        return -1;
    } else {
        snprintf(r->err, sizeof r->err,
                 "%s: cannot tell the trace format (not vmt, lackey, rw or refs; %s '%s'); give "
                 "it with --format", r->name,
                 long_line ? "its first line is longer than 65536 bytes and starts with"
                           : "it starts with", q);
        return -1;
    }
    return 0;
}

/* ---- opening ------------------------------------------------------------- */

static struct trace_reader *reader_new(const struct trace_options *opt, const char *defname)
{
    struct trace_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->name = strdup(opt && opt->name ? opt->name : defname);
    if (!r->name) {
        free(r);
        return NULL;
    }
    r->skip_bad = opt && opt->skip_bad;
    r->line = 1;
    r->owned_fd = -1;
    return r;
}

static void reader_free(struct trace_reader *r)
{
    input_close(&r->in);
    if (r->owned_fd >= 0)
        close(r->owned_fd);
    free(r->name);
    free(r);
}

/* After the input is open: pick the format and start its reader. */
static struct trace_reader *reader_start(struct trace_reader *r, enum trace_format fmt,
                                         char *err, size_t errlen)
{
    if (fmt == TRACE_AUTO && detect_format(r, &fmt) < 0)
        goto fail;
    r->fmt = fmt;
    switch (fmt) {
    case TRACE_RW:     r->next = trace_rw_next; break;
    case TRACE_LACKEY: r->next = trace_lackey_next; break;
    case TRACE_REFS:   r->next = trace_refs_next; break;
    case TRACE_VMT:
        r->next = trace_vmt_next;
        if (trace_vmt_start(r) < 0)
            goto fail;
        break;
    default:
        snprintf(r->err, sizeof r->err, "%s: unknown trace format %d", r->name, (int)fmt);
        goto fail;
    }
    return r;
fail:
    snprintf(err, errlen, "%s", r->err);
    reader_free(r);
    return NULL;
}

static struct trace_reader *open_fd_named(int fd, bool owned, enum trace_format fmt,
                                          const struct trace_options *opt, const char *defname,
                                          char *err, size_t errlen)
{
    struct trace_reader *r = reader_new(opt, defname);
    if (!r) {
        snprintf(err, errlen, "%s: out of memory", defname);
        if (owned)
            close(fd);
        return NULL;
    }
    if (owned)
        r->owned_fd = fd;
    if (input_open_fd(&r->in, fd, r->name, r->err, sizeof r->err) < 0) {
        snprintf(err, errlen, "%s", r->err);
        reader_free(r);
        return NULL;
    }
    return reader_start(r, fmt, err, errlen);
}

struct trace_reader *trace_open_owned_fd(int fd, const char *name, enum trace_format fmt,
                                         const struct trace_options *opt,
                                         char *err, size_t errlen)
{
    return open_fd_named(fd, true, fmt, opt, name, err, errlen);
}

struct trace_reader *trace_open(const char *path, enum trace_format fmt,
                                const struct trace_options *opt, char *err, size_t errlen)
{
    if (!strcmp(path, "-"))
        return open_fd_named(0, false, fmt, opt, "<stdin>", err, errlen);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    return open_fd_named(fd, true, fmt, opt, path, err, errlen);
}

struct trace_reader *trace_open_fd(int fd, enum trace_format fmt,
                                   const struct trace_options *opt, char *err, size_t errlen)
{
    char name[32];
    snprintf(name, sizeof name, "<fd %d>", fd);
    return open_fd_named(fd, false, fmt, opt, name, err, errlen);
}

struct trace_reader *trace_open_mem(const void *data, size_t len, enum trace_format fmt,
                                    const struct trace_options *opt, char *err, size_t errlen)
{
    struct trace_reader *r = reader_new(opt, "<memory>");
    if (!r) {
        snprintf(err, errlen, "<memory>: out of memory");
        return NULL;
    }
    if (input_open_mem(&r->in, data, len, r->name, r->err, sizeof r->err) < 0) {
        snprintf(err, errlen, "%s", r->err);
        reader_free(r);
        return NULL;
    }
    return reader_start(r, fmt, err, errlen);
}

/* ---- reading ------------------------------------------------------------- */

int trace_next(struct trace_reader *r, struct trace_record *rec)
{
    if (r->state)
        return r->state > 0 ? 0 : -1;
    int n = r->next(r, rec);
    if (n == 1) {
        r->records++;
        return 1;
    }
    if (n == 0 && r->is_command && trace_command_finish(r) < 0)
        n = -1;
    r->state = n == 0 ? 1 : -1;
    return n;
}

int trace_next_event(struct trace_reader *r, struct trace_event *ev)
{
    if (r->fmt != TRACE_VMT) {
        ev->kind = TRACE_EV_ACCESS;
        return trace_next(r, &ev->rec);
    }
    if (r->state)
        return r->state > 0 ? 0 : -1;
    int n = trace_vmt_next_event(r, ev);
    if (n == 1) {
        r->records++;
        return 1;
    }
    r->state = n == 0 ? 1 : -1;
    return n;
}

unsigned trace_reader_version(const struct trace_reader *r)
{
    return r->fmt == TRACE_VMT && r->version ? r->version : 1;
}

const char *trace_error(const struct trace_reader *r)
{
    return r->state < 0 ? r->err : "";
}

enum trace_format trace_reader_format(const struct trace_reader *r) { return r->fmt; }
enum trace_compression trace_reader_compression(const struct trace_reader *r) { return r->in.comp; }
uint64_t trace_records(const struct trace_reader *r) { return r->records; }
uint64_t trace_skipped(const struct trace_reader *r) { return r->skipped; }
const char *trace_first_skipped(const struct trace_reader *r) { return r->first_skipped; }
uint64_t trace_offset(const struct trace_reader *r) { return input_offset(&r->in, r->in.pos); }
uint64_t trace_line(const struct trace_reader *r) { return r->line; }

int trace_command_status(const struct trace_reader *r, int *wstatus)
{
    if (!r->is_command || !r->reaped)
        return -1;
    *wstatus = r->wstatus;
    return 0;
}

void trace_close(struct trace_reader *r)
{
    if (!r)
        return;
    if (r->is_command)
        trace_command_kill(r);
    reader_free(r);
}

/* ---- draining (the decode-only baseline) ---------------------------------- */

int trace_drain(struct trace_reader *r, uint64_t *records, uint64_t *checksum)
{
    struct trace_record rec;
    uint64_t n = 0, sum = 0;
    int rc;
    while ((rc = trace_next(r, &rec)) == 1) {
        n++;
        sum = (sum ^ rec.va) * 0x100000001b3ull + rec.size + (uint64_t)rec.kind;
    }
    *records = n;
    *checksum = sum;
    return rc;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int trace_drain_file(const char *path, enum trace_format fmt, struct trace_drain_result *res,
                     char *err, size_t errlen)
{
    double t0 = now_seconds();
    struct trace_reader *r = trace_open(path, fmt, NULL, err, errlen);
    if (!r)
        return -1;
    int rc = trace_drain(r, &res->records, &res->checksum);
    res->seconds = now_seconds() - t0;
    res->bytes = trace_offset(r);
    if (rc < 0)
        snprintf(err, errlen, "%s", trace_error(r));
    trace_close(r);
    return rc < 0 ? -1 : 0;
}
