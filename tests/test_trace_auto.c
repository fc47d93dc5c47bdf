/* test_trace_auto.c — format auto-detection on the real course traces
 * (../shared/traces, else the bundled examples/traces) and on the small
 * samples in tests/data, with known counts and first/last records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmlab/trace.h>

#include "lib/tap.h"

struct expect {
    const char *file;
    enum trace_format fmt;
    enum trace_compression comp;
    uint64_t records, writes;
    struct trace_record first, last;
};

static void check(const char *dir, const struct expect *e)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->file);
    if (access(path, R_OK) != 0) {
        tap_skip(7, path);
        return;
    }
    struct trace_reader *r = trace_open(path, TRACE_AUTO, NULL, err, sizeof err);
    if (!ok(r != NULL, "%s opens", e->file)) {
        tap_diag("%s", err);
        tap_skip(6, "did not open");
        return;
    }
    is_str(trace_format_name(trace_reader_format(r)), trace_format_name(e->fmt),
           "%s: format detected", e->file);
    is_str(trace_compression_name(trace_reader_compression(r)),
           trace_compression_name(e->comp), "%s: compression detected", e->file);
    struct trace_record rec, first = {0}, last = {0};
    uint64_t n = 0, writes = 0;
    int rc;
    while ((rc = trace_next(r, &rec)) == 1) {
        if (n++ == 0)
            first = rec;
        last = rec;
        writes += rec.kind == VM_ACCESS_WRITE;
    }
    ok(rc == 0, "%s: reads to the end %s", e->file, trace_error(r));
    is_u64(n, e->records, "%s: record count", e->file);
    is_u64(writes, e->writes, "%s: write count", e->file);
    ok(first.va == e->first.va && first.size == e->first.size && first.kind == e->first.kind,
       "%s: first record", e->file);
    ok(last.va == e->last.va && last.size == e->last.size && last.kind == e->last.kind,
       "%s: last record", e->file);
    trace_close(r);
}

#define R VM_ACCESS_READ
#define W VM_ACCESS_WRITE
#define F VM_ACCESS_FETCH

static const struct expect shared[] = {
    {"gcc.trace.gz", TRACE_RW, TRACE_GZIP, 1000000, 107184, {0x41f7a0, 1, R}, {0x3d729358, 1, R}},
    {"bzip.trace.gz", TRACE_RW, TRACE_GZIP, 1000000, 122419, {0x7b243a0, 1, R}, {0x5fe5180, 1, R}},
    {"swim.trace.gz", TRACE_RW, TRACE_GZIP, 1000000, 67170, {0x190a7c20, 1, R}, {0x102fff10, 1, R}},
    {"sixpack.trace.gz", TRACE_RW, TRACE_GZIP, 1000000, 160983, {0x1f16ff60, 1, W},
     {0x39daa520, 1, R}},
    {"trace1", TRACE_RW, TRACE_PLAIN, 12, 3, {0, 1, W}, {0x2004, 1, R}},
    {"trace2", TRACE_RW, TRACE_PLAIN, 20, 12, {0, 1, W}, {0x9000, 1, W}},
    {"trace3", TRACE_RW, TRACE_PLAIN, 201, 14, {0x447728, 1, R}, {0x785dd30, 1, R}},
};

static const struct expect samples[] = {
    {"sample.lackey", TRACE_LACKEY, TRACE_PLAIN, 14, 5, {0x401ab70, 3, F}, {0x4021ffe, 5, F}},
    {"sample.lackey.zst", TRACE_LACKEY, TRACE_ZSTD, 14, 5, {0x401ab70, 3, F}, {0x4021ffe, 5, F}},
    {"sample.vmt", TRACE_VMT, TRACE_PLAIN, 14, 5, {0x401ab70, 3, F}, {0x4021ffe, 5, F}},
    {"sample.rw", TRACE_RW, TRACE_PLAIN, 6, 2, {0x41f7a0, 1, R}, {0x41f7a0, 1, R}},
    {"sample.rw.xz", TRACE_RW, TRACE_XZ, 6, 2, {0x41f7a0, 1, R}, {0x41f7a0, 1, R}},
    {"sample.refs", TRACE_REFS, TRACE_PLAIN, 20, 0, {0x7000, 1, R}, {0x1000, 1, R}},
    {"sample-writes.refs", TRACE_REFS, TRACE_PLAIN, 6, 2, {0, 1, R}, {0x4000, 1, W}},
};

static void check_mem(const char *text, enum trace_format want, const char *what)
{
    char err[512];
    struct trace_reader *r = trace_open_mem(text, strlen(text), TRACE_AUTO, NULL, err, sizeof err);
    ok(r && trace_reader_format(r) == want, "auto: %s is %s", what, trace_format_name(want));
    if (!r)
        tap_diag("%s", err);
    trace_close(r);
}

/* The first error of a trace given in memory (auto-detected unless fmt),
 * or the open error; "" if it reads without one. */
static const char *first_error(const char *text, size_t len, enum trace_format fmt)
{
    static char err[512];
    struct trace_options opt = {.name = "t"};
    struct trace_reader *r = trace_open_mem(text, len, fmt, &opt, err, sizeof err);
    if (!r)
        return err;
    struct trace_record rec;
    int n;
    while ((n = trace_next(r, &rec)) == 1)
        ;
    snprintf(err, sizeof err, "%s", n < 0 ? trace_error(r) : "");
    trace_close(r);
    return err;
}

/* Suffixes are not page numbers, shapes pick the format whose reader can
 * say what is wrong, and a message quotes the offending bytes. */
static void messages_quote_the_right_thing(void)
{
    is_str(first_error("w", 1, TRACE_REFS), "t:1: bad page number 'w'", "refs 'w' is no page 0");
    is_str(first_error("r", 1, TRACE_REFS), "t:1: bad page number 'r'", "refs 'r' is no page 0");
    is_str(first_error("3,0xw", 5, TRACE_REFS), "t:1: bad page number '0xw'",
           "refs '0xw' is no page 0");
    is_str(first_error("0x", 2, TRACE_REFS), "t:1: bad page number '0x'", "refs '0x' alone");
    is_str(first_error("7w 0x1fW 3r", 11, TRACE_REFS), "", "suffixes after digits still read");
    is_str(first_error("1 2 3 4 R\n", 10, TRACE_AUTO),
           "t: cannot tell the trace format (not vmt, lackey, rw or refs; it starts with "
           "'1 2 3 4 R'); give it with --format", "a stray R makes no refs line");
    is_str(first_error("00000000000001234 R\n00000000000005678 W\n", 40, TRACE_AUTO),
           "t:1: bad address '00000000000001234'",
           "an rw line of 17 digits is rw with a too-long address, not refs");
    is_str(first_error("00\0" "41 R\n", 8, TRACE_RW), "t:1: bad address '00\\x0041'",
           "a NUL byte is quoted, not the end of the token");
    is_str(first_error(" L ffffffffffffffff,8\n", 22, TRACE_AUTO),
           "t:1: access wraps past the top of the address space at 'ffffffffffffffff'",
           "auto: a lackey line whose access wraps is lackey, and says so");
    size_t n = 70000;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i += 3)
        memcpy(big + i, " L ", n - i < 3 ? n - i : 3);
    big[n] = '\n';
    is_str(first_error(big, n + 1, TRACE_AUTO),
           "t: cannot tell the trace format (not vmt, lackey, rw or refs; its first line is longer "
           "than 65536 bytes and starts with ' L  L  L  L  L  L  L  L ...'); give it with --format",
           "a 70 KB line: its length is said and its start quoted");
    free(big);
}

int main(void)
{
    /* the project's shared traces sit beside the checkout, in CI as here */
    const char *dir = access("../shared/traces/gcc.trace.gz", R_OK) == 0
                          ? "../shared/traces" : "examples/traces";
    tap_diag("course traces from %s", dir);
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
        check(dir, &shared[i]);
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        check("tests/data", &samples[i]);

    check_mem("==1== hello\n==1== \n", TRACE_LACKEY, "Valgrind lines only");
    check_mem("junk line\nI  10,4\n L 20,8\n", TRACE_LACKEY, "lackey after a bad line");
    check_mem("1 R\n2 W\nI  10,4\n", TRACE_RW, "mostly rw");
    check_mem("1\n2\n3\n", TRACE_REFS, "one page per line");
    check_mem("1 2 3 4r\n", TRACE_REFS, "numbers with an r suffix");

    /* Auto-detection does not hide errors: the bad line is still reported. */
    char err[512];
    struct trace_options opt = {.name = "mixed"};
    struct trace_reader *r = trace_open_mem("junk line\nI  10,4\n", 18, TRACE_AUTO, &opt, err,
                                            sizeof err);
    struct trace_record rec;
    ok(r && trace_next(r, &rec) == -1, "bad first line still fails");
    if (r)
        is_str(trace_error(r),
               "mixed:1: expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, got "
               "'junk'", "with its line number");
    trace_close(r);
    messages_quote_the_right_thing();
    return tap_done();
}
