/* trace_vmt_writer.c — writing vmt traces (layout: trace_vmt.c and
 * docs/trace-formats.md).
 *
 * Records are encoded into a 1 MiB buffer that is checksummed and written
 * when full, so a writer costs constant memory and one write(2) per MiB.
 * Nothing seeks: the count and CRC go in a trailer, so "-" (a pipe) works.
 *
 * A file is written under a temporary name beside the target and renamed
 * over it only when closed successfully (replay/outfile.h), so a failed,
 * interrupted or killed conversion or recording never leaves a partial
 * trace, nor destroys an older one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "replay/outfile.h"
#include "replay/trace_impl.h"

#define WRITER_BUF (1u << 20)

struct trace_writer {
    int fd;
    bool failed;
    char *name;
    struct outfile *out;            /* a file trace_writer_open opened, or NULL */
    unsigned char *buf;
    size_t len;
    uint32_t crc;
    uint64_t records;
    vaddr_t prev_fetch_end, prev_data;
    unsigned version;
    char err[TRACE_ERR_MAX];
};

static void writer_fail(struct trace_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void writer_fail(struct trace_writer *w, const char *fmt, ...)
{
    if (w->failed)
        return;   /* keep the first message */
    char msg[TRACE_ERR_MAX - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(w->err, sizeof w->err, "%s: %s", w->name, msg);
    w->failed = true;
}

static int writer_flush(struct trace_writer *w)
{
    w->crc = (uint32_t)crc32(w->crc, w->buf, (uInt)w->len);
    size_t done = 0;
    while (done < w->len) {
        ssize_t n = write(w->fd, w->buf + done, w->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            writer_fail(w, "write error: %s", n < 0 ? strerror(errno) : "no progress");
            return -1;
        }
        done += (size_t)n;
    }
    w->len = 0;
    return 0;
}

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* Free w; an unfinished temporary file is removed. */
static void writer_free(struct trace_writer *w)
{
    if (w->out) {
        outfile_abort(w->out);   /* nothing left after a commit */
        free(w->out);
    }
    free(w->name);
    free(w->buf);
    free(w);
}

static struct trace_writer *writer_open_fd(int fd, const char *name, unsigned version, char *err,
                                           size_t errlen)
{
    struct trace_writer *w = calloc(1, sizeof *w);
    if (w) {
        w->name = strdup(name ? name : "<output>");
        w->buf = malloc(WRITER_BUF);
    }
    if (!w || !w->name || !w->buf) {
        snprintf(err, errlen, "%s: out of memory", name ? name : "<output>");
        if (w) {
            free(w->name);
            free(w->buf);
            free(w);
        }
        return NULL;
    }
    w->fd = fd;
    w->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    static const unsigned char header[VMT_HEADER_LEN] = {
        0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n',   /* magic */
        0, 0,                                          /* version, u16 LE */
        0, 0,                                          /* flags */
        0, 0, 0, 0,                                    /* reserved */
    };
    memcpy(w->buf, header, sizeof header);
    w->buf[8] = (unsigned char)version;
    w->version = version;
    w->len = sizeof header;
    return w;
}

struct trace_writer *trace_writer_open_fd(int fd, const char *name, char *err, size_t errlen)
{
    return writer_open_fd(fd, name, VMT_VERSION, err, errlen);
}

static struct trace_writer *writer_open(const char *path, unsigned version, char *err, size_t errlen)
{
    if (!strcmp(path, "-"))
        return writer_open_fd(1, "<stdout>", version, err, errlen);
    struct outfile *out = malloc(sizeof *out);
    if (!out) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (outfile_open(out, path, NULL, err, errlen) < 0) {
        free(out);
        return NULL;
    }
    struct trace_writer *w = writer_open_fd(out->fd, path, version, err, errlen);
    if (!w) {
        outfile_abort(out);
        free(out);
        return NULL;
    }
    w->out = out;
    return w;
}

struct trace_writer *trace_writer_open(const char *path, char *err, size_t errlen)
{
    return writer_open(path, VMT_VERSION, err, errlen);
}

struct trace_writer *trace_writer_open_run(const char *path, char *err, size_t errlen)
{
    return writer_open(path, VMT_VERSION_RUN, err, errlen);
}

int trace_write(struct trace_writer *w, const struct trace_record *rec)
{
    if (w->failed)
        return -1;
    unsigned kind = (unsigned)rec->kind;
    uint64_t size = rec->size;
    if (kind > VM_ACCESS_FETCH) {
        writer_fail(w, "record %llu: unknown access kind %u", (unsigned long long)w->records,
                    kind);
        return -1;
    }
    if (size == 0 || rec->va + (size - 1) < rec->va) {
        writer_fail(w, "record %llu: bad access of %llu bytes at 0x%llx",
                    (unsigned long long)w->records, (unsigned long long)size,
                    (unsigned long long)rec->va);
        return -1;
    }
    if (WRITER_BUF - w->len < VMT_MAX_RECORD && writer_flush(w) < 0)
        return -1;
    unsigned char *p = w->buf + w->len;
    unsigned char *tag = p++;
    *tag = (unsigned char)kind;
    vaddr_t *pred = kind == VM_ACCESS_FETCH ? &w->prev_fetch_end : &w->prev_data;
    uint64_t delta = rec->va - *pred;
    if (delta == 0)
        *tag |= VMT_TAG_SAME;
    else
        p = put_varint(p, delta << 1 ^ (uint64_t)-(int64_t)(delta >> 63));   /* zigzag */
    if (size < 32)
        *tag |= (unsigned char)(size << 2);
    else
        p = put_varint(p, size);
    *pred = kind == VM_ACCESS_FETCH ? rec->va + size : rec->va;
    w->len = (size_t)(p - w->buf);
    w->records++;
    return 0;
}


int trace_write_event(struct trace_writer *w, const struct trace_event *ev)
{
    if (w->failed)
        return -1;
    if (ev->kind == TRACE_EV_ACCESS)
        return trace_write(w, &ev->rec);
    size_t text = ev->kind == TRACE_EV_CONFIG ? strlen(ev->text) : 0;
    if (w->version < VMT_VERSION_RUN || ev->kind >= TRACE_EV_NR || text >= TRACE_EV_MAX_TEXT ||
        ev->nsegs > TRACE_EV_MAX_SEGS) {
        writer_fail(w, "record %llu: not an event a %s trace can hold", (unsigned long long)w->records,
                    w->version < VMT_VERSION_RUN ? "version 1" : "vmt");
        return -1;
    }
    if (WRITER_BUF - w->len < VMT_MAX_EVENT && writer_flush(w) < 0)
        return -1;
    unsigned char *p = w->buf + w->len;
    *p++ = (unsigned char)VMT_TAG_EVENT(ev->kind);
    if (vmt_event_shapes[ev->kind].cpu)
        p = put_varint(p, ev->cpu);
    if (vmt_event_shapes[ev->kind].pid)
        p = put_varint(p, (uint64_t)(uint32_t)ev->pid);
    if (vmt_event_shapes[ev->kind].pid2)
        p = put_varint(p, (uint64_t)(uint32_t)ev->pid2);
    for (unsigned i = 0; i < vmt_event_shapes[ev->kind].nargs; i++)
        p = put_varint(p, ev->a[i]);
    if (ev->kind == TRACE_EV_CONFIG) {
        p = put_varint(p, text);
        memcpy(p, ev->text, text);
        p += text;
    } else if (ev->kind == TRACE_EV_EXEC) {
        p = put_varint(p, ev->nsegs);
        for (unsigned i = 0; i < ev->nsegs; i++) {
            const struct trace_segment *g = &ev->seg[i];
            p = put_varint(p, g->flags);
            p = put_varint(p, g->vaddr);
            p = put_varint(p, g->memsz);
            p = put_varint(p, g->offset);
            p = put_varint(p, g->filesz);
        }
    }
    w->len = (size_t)(p - w->buf);
    w->records++;
    return 0;
}

const char *trace_writer_error(const struct trace_writer *w)
{
    return w->failed ? w->err : "";
}

uint64_t trace_writer_records(const struct trace_writer *w)
{
    return w->records;
}

int trace_writer_close(struct trace_writer *w, char *err, size_t errlen)
{
    if (!w->failed) {
        if (WRITER_BUF - w->len < 16)
            writer_flush(w);
        if (!w->failed) {
            unsigned char *p = w->buf + w->len;
            *p++ = VMT_TAG_TRAILER;
            p = put_varint(p, w->records);
            w->len = (size_t)(p - w->buf);
            uint32_t crc = (uint32_t)crc32(w->crc, w->buf, (uInt)w->len);
            for (int i = 0; i < 4; i++)
                *p++ = (unsigned char)(crc >> (8 * i));
            /* The CRC covers everything before it: flush the CRC bytes
             * without folding them into w->crc (it is not used again). */
            w->len = (size_t)(p - w->buf);
            writer_flush(w);
        }
    }
    char cerr[TRACE_ERR_MAX];
    if (w->out && !w->failed && outfile_commit(w->out, cerr, sizeof cerr) < 0)
        snprintf(w->err, sizeof w->err, "%s", cerr), w->failed = true;
    int rc = w->failed ? -1 : 0;
    if (rc < 0)
        snprintf(err, errlen, "%s", w->err);
    writer_free(w);
    return rc;
}

void trace_writer_discard(struct trace_writer *w)
{
    if (!w)
        return;
    w->failed = true;
    writer_free(w);
}
