/* trace_input.c — the buffered, decompressing byte window of trace readers.
 *
 * Why a window and not getline(): lackey traces run to gigabytes, and
 * the reader must keep up with `wc -l`. The window is refilled with large
 * reads and parsed in place; a text reader is told where the last whole
 * line (or token) ends, so it can scan to each delimiter with no bounds
 * check. One memrchr per refill replaces a memchr per line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "replay/trace_decomp.h"
#include "replay/trace_input.h"

void input_fail(struct trace_input *in, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(in->err, in->errlen, "%s: %s", in->name, msg);
}

long input_raw_fill(struct trace_input *in)
{
    in->raw_base += in->raw_end;
    in->raw_pos = in->raw_end = 0;
    if (in->fd < 0 || in->raw_eof)
        return 0;
    for (;;) {
        ssize_t n = read(in->fd, in->raw_buf, TRACE_RAW_CAP);
        if (n > 0) {
            in->raw_end = (size_t)n;
            return n;
        }
        if (n == 0) {
            in->raw_eof = true;
            return 0;
        }
        if (errno != EINTR) {
            input_fail(in, "read error: %s", strerror(errno));
            return -1;
        }
    }
}

/* Plain input: bytes left in the raw buffer first, then straight reads. */
static long plain_read(struct trace_input *in, unsigned char *dst, size_t n)
{
    if (in->raw_pos < in->raw_end) {
        size_t k = in->raw_end - in->raw_pos;
        if (k > n)
            k = n;
        memcpy(dst, in->raw + in->raw_pos, k);
        in->raw_pos += k;
        return (long)k;
    }
    if (in->fd < 0 || in->raw_eof)
        return 0;
    for (;;) {
        ssize_t k = read(in->fd, dst, n);
        if (k > 0) {
            in->raw_base += (size_t)k;
            return k;
        }
        if (k == 0) {
            in->raw_eof = true;
            return 0;
        }
        if (errno != EINTR) {
            input_fail(in, "read error: %s", strerror(errno));
            return -1;
        }
    }
}

/* Peek at the first raw bytes (without consuming them) and pick a decoder. */
static int input_start(struct trace_input *in)
{
    if (in->fd >= 0) {
        /* A pipe may deliver the magic in pieces. */
        while (in->raw_end < 8 && !in->raw_eof) {
            ssize_t n = read(in->fd, in->raw_buf + in->raw_end, TRACE_RAW_CAP - in->raw_end);
            if (n > 0)
                in->raw_end += (size_t)n;
            else if (n == 0)
                in->raw_eof = true;
            else if (errno != EINTR) {
                input_fail(in, "read error: %s", strerror(errno));
                return -1;
            }
        }
    }
    in->comp = decomp_detect(in->raw, in->raw_end);
    /* A small plain buffer needs no 1 MiB window (fuzzers open thousands
     * a second); one spare byte lets the fill after the data see EOF. */
    in->cap = TRACE_INPUT_CAP;
    if (in->fd < 0 && in->comp == TRACE_PLAIN && in->raw_end < TRACE_INPUT_CAP)
        in->cap = in->raw_end + 1;
    in->buf = malloc(in->cap + TRACE_INPUT_SLACK);
    if (!in->buf) {
        input_fail(in, "out of memory");
        return -1;
    }
    memset(in->buf, 0, TRACE_INPUT_SLACK);
    return decomp_start(in);
}

static void input_init(struct trace_input *in, const char *name, char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    in->name = name;
    in->err = err;
    in->errlen = errlen;
    in->crc = (uint32_t)crc32(0L, Z_NULL, 0);
}

int input_open_fd(struct trace_input *in, int fd, const char *name, char *err, size_t errlen)
{
    input_init(in, name, err, errlen);
    in->fd = fd;
    in->raw_buf = malloc(TRACE_RAW_CAP);
    if (!in->raw_buf) {
        input_fail(in, "out of memory");
        return -1;
    }
    in->raw = in->raw_buf;
    return input_start(in);
}

int input_open_mem(struct trace_input *in, const void *data, size_t len, const char *name,
                   char *err, size_t errlen)
{
    input_init(in, name, err, errlen);
    in->raw = len ? data : (const unsigned char *)"";
    in->raw_end = len;
    in->raw_eof = true;
    return input_start(in);
}

void input_close(struct trace_input *in)
{
    decomp_end(in);
    free(in->buf);
    free(in->raw_buf);
    in->buf = NULL;
    in->raw_buf = NULL;
}

long input_fill(struct trace_input *in)
{
    if (in->eof)
        return 0;
    if (in->pos > 0) {
        if (in->crc_on)
            input_crc_upto(in, in->pos);
        size_t keep = in->end - in->pos;
        memmove(in->buf, in->buf + in->pos, keep);
        in->base += in->pos;
        in->scanned = in->scanned > in->pos ? in->scanned - in->pos : 0;
        in->units_end = in->units_end > in->pos ? in->units_end - in->pos : 0;
        in->crc_pos = 0;
        in->pos = 0;
        in->end = keep;
    }
    size_t room = in->cap - in->end;
    if (room == 0)
        return 0;   /* full: cannot happen for callers that ask for at most
                       TRACE_MAX_LINE bytes beyond pos (cap > TRACE_MAX_LINE
                       unless the whole input fits) */
    long n = in->comp == TRACE_PLAIN ? plain_read(in, in->buf + in->end, room)
                                     : decomp_read(in, in->buf + in->end, room);
    if (n < 0)
        return -1;
    if (n == 0)
        in->eof = true;
    in->end += (size_t)n;
    memset(in->buf + in->end, 0, TRACE_INPUT_SLACK);
    return n;
}

long input_ensure(struct trace_input *in, size_t n)
{
    while (in->end - in->pos < n && !in->eof)
        if (input_fill(in) < 0)
            return -1;
    return (long)(in->end - in->pos);
}

static bool is_token_delim(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\v' || c == '\f';
}

/* The index just past the last delimiter in buf[from, to), or 0. */
static size_t last_delim(const struct trace_input *in, size_t from, size_t to, enum input_unit u)
{
    if (u == UNIT_LINE) {
        const unsigned char *q = memrchr(in->buf + from, '\n', to - from);
        return q ? (size_t)(q - in->buf) + 1 : 0;
    }
    for (size_t i = to; i > from; i--)
        if (is_token_delim(in->buf[i - 1]))
            return i;
    return 0;
}

int input_units(struct trace_input *in, enum input_unit u)
{
    if (in->pos < in->units_end)
        return 1;
    if (in->scanned < in->pos)
        in->scanned = in->pos;
    for (;;) {
        if (in->scanned < in->end) {
            size_t d = last_delim(in, in->scanned, in->end, u);
            in->scanned = in->end;
            if (d > in->pos) {
                in->units_end = d;
                return 1;
            }
        }
        if (in->eof) {
            if (in->pos == in->end)
                return 0;
            /* The last unit has no delimiter: supply one in the slack. */
            in->buf[in->end++] = '\n';
            in->newline_added = true;
            in->scanned = in->units_end = in->end;
            return 1;
        }
        if (in->end - in->pos > TRACE_MAX_LINE)
            return -2;
        if (input_fill(in) < 0)
            return -1;
    }
}

int input_drop_unit(struct trace_input *in, enum input_unit u)
{
    for (;;) {
        size_t i = in->pos;
        while (i < in->end && !(u == UNIT_LINE ? in->buf[i] == '\n' : is_token_delim(in->buf[i])))
            i++;
        if (i < in->end) {
            in->pos = i + 1;
            return 0;
        }
        in->pos = in->end;
        if (in->eof)
            return 0;
        if (input_fill(in) < 0)
            return -1;
    }
}

uint32_t input_crc_upto(struct trace_input *in, size_t i)
{
    if (i > in->crc_pos) {
        in->crc = (uint32_t)crc32(in->crc, in->buf + in->crc_pos, (uInt)(i - in->crc_pos));
        in->crc_pos = i;
    }
    return in->crc;
}
