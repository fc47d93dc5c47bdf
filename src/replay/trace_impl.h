/* trace_impl.h — the trace reader object shared by the format readers
 * (internal to src/replay/trace_*.c).
 *
 * trace_reader.c opens the input, picks the format and calls the format's
 * next function; each format lives in its own file (trace_rw.c,
 * trace_lackey.c, trace_refs.c, trace_vmt.c) and reports malformed input
 * through trace_bad_unit(), which either fails the reader or, under
 * skip_bad, counts the line and lets the format go on.
 */
#ifndef VMLAB_TRACE_IMPL_H
#define VMLAB_TRACE_IMPL_H

#include <sys/types.h>

#include <vmlab/trace.h>

#include "replay/trace_input.h"

#define TRACE_ERR_MAX 512

struct trace_reader;
typedef int (*trace_next_fn)(struct trace_reader *r, struct trace_record *rec);

struct trace_reader {
    struct trace_input in;
    enum trace_format fmt;
    trace_next_fn next;
    int state;                      /* 0 reading, 1 ended, -1 failed */
    bool skip_bad;
    char *name;
    uint64_t line;                  /* text: the line at in.pos (1-based) */
    uint64_t records;               /* returned by trace_next or trace_next_event */
    uint64_t events_dropped;        /* vmt v2 events trace_next read past (the trailer
                                       counts them with the records) */
    uint64_t skipped;

    struct trace_record pending;    /* lackey M: the store after the load */
    bool has_pending;

    /* vmt: the address predictions (trace_vmt.c), the version */
    vaddr_t prev_fetch_end, prev_data;
    unsigned version;

    int owned_fd;                   /* closed by trace_close, or -1 */

    /* trace_open_command */
    bool is_command;
    pid_t pid;
    bool reaped;
    int wstatus;

    char err[TRACE_ERR_MAX];
    char first_skipped[TRACE_ERR_MAX];
};

/* Report malformed text at the current line: "NAME:LINE: MSG". Returns -1
 * (the reader has failed) or, under skip_bad, 0 after counting it; either
 * way the caller then skips the rest of the unit. */
int trace_bad_unit(struct trace_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Fail with "NAME: byte OFFSET: MSG" (binary). Returns -1. */
int trace_bad_byte(struct trace_reader *r, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fail with the input layer's message (already in r->err). Returns -1. */
int trace_input_failed(struct trace_reader *r);

/* Quote the text at p for a message: up to the next delimiter (white
 * space, ',' or end of line), at most 24 bytes, unprintable bytes as \xNN. */
const char *trace_quote(const unsigned char *p, char *out, size_t outlen);
/* A malformed line of a line-based format: report `why`, quoting the text
 * at `at`, through trace_bad_unit, and step past the line. -1 if the
 * reader fails, 0 if the line was skipped (skip_bad). */
int trace_bad_line(struct trace_reader *r, const unsigned char *line, const char *why,
                   const unsigned char *at);

/* Text readers: make whole lines (or tokens) available at in.pos.
 * Returns 1, 0 at the end, -1 on error. An over-long line is reported
 * through trace_bad_unit (and skipped under skip_bad). */
int trace_text_more(struct trace_reader *r, enum input_unit u);

/* Hex digit values plus one (0: not a hex digit). */
extern const unsigned char trace_hexval[256];

/* Per-format hooks. *_start is called once after the input is open and
 * returns 0, or -1 with a message in r->err. */
int trace_rw_next(struct trace_reader *r, struct trace_record *rec);
int trace_lackey_next(struct trace_reader *r, struct trace_record *rec);
int trace_refs_next(struct trace_reader *r, struct trace_record *rec);
int trace_vmt_start(struct trace_reader *r);
int trace_vmt_next(struct trace_reader *r, struct trace_record *rec);
/* Version 2: the next access or event (1), 0 at the end, -1 on error. */
int trace_vmt_next_event(struct trace_reader *r, struct trace_event *ev);

/* Shape tests for auto-detection: does the line at p (ending in '\n')
 * look like the format? */
bool trace_rw_line_ok(const unsigned char *p);
bool trace_lackey_line_ok(const unsigned char *p);
bool trace_lackey_comment(const unsigned char *p);
bool trace_refs_line_ok(const unsigned char *p);
/* Does the input start with the vmt magic? */
bool trace_vmt_magic(const unsigned char *p, size_t n);

/* trace_command.c: reap the child at the end of the stream. Returns 0, or
 * -1 with a message in r->err if valgrind could not run the program. */
int trace_command_finish(struct trace_reader *r);
void trace_command_kill(struct trace_reader *r);
/* trace_reader.c: wrap an fd the reader owns (closed by trace_close). */
struct trace_reader *trace_open_owned_fd(int fd, const char *name, enum trace_format fmt,
                                         const struct trace_options *opt,
                                         char *err, size_t errlen);

/* Version 2 events: what each carries after its tag, in this order -- a
 * CPU, a pid, a second pid, nargs varints -- then its text (CONFIG) or
 * segments (EXEC). trace_vmt.c and trace_vmt_writer.c share it. */
struct vmt_event_shape {
    bool cpu, pid, pid2;
    unsigned nargs;
};
extern const struct vmt_event_shape vmt_event_shapes[TRACE_EV_NR];

/* vmt encoding constants (docs/trace-formats.md). */
#define VMT_MAGIC        "\x89VMT\r\n\x1a\n"
#define VMT_MAGIC_LEN    8
#define VMT_VERSION      1
#define VMT_VERSION_RUN  2       /* run traces: accesses and events (trace.h) */
#define VMT_HEADER_LEN   16
#define VMT_TAG_KIND     0x03u   /* bits 0-1: enum vm_access, 3 = control */
#define VMT_TAG_SIZE     0x7cu   /* bits 2-6: size 1..31, 0 = varint follows */
#define VMT_TAG_SAME     0x80u   /* bit 7: address delta is 0 (no varint) */
#define VMT_TAG_TRAILER  0x03u   /* control tag 0: the trailer */
#define VMT_TAG_EVENT(kind) (0x03u | (unsigned)(kind) << 2)   /* version 2: an event */
#define VMT_MAX_EVENT    (TRACE_EV_MAX_TEXT + 16 + TRACE_EV_MAX_SEGS * 5 * 10 + 12 * 10)
#define VMT_MAX_RECORD   21      /* tag + 10-byte delta + 10-byte size */

#endif
