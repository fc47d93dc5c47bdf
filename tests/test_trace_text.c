/* test_trace_text.c — the text readers (rw, lackey, refs): known answers,
 * every malformed-input message with its file:line, and skip_bad. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmlab/trace.h>

#include "lib/tap.h"

#define MAXREC 64

struct result {
    int n;                       /* records read */
    int rc;                      /* last trace_next result */
    struct trace_record rec[MAXREC];
    char err[512];
    uint64_t skipped;
    char first_skipped[512];
    enum trace_format fmt;
};

static void run(const char *text, enum trace_format fmt, bool skip_bad, struct result *res)
{
    memset(res, 0, sizeof *res);
    struct trace_options opt = {.skip_bad = skip_bad, .name = "t.trace"};
    struct trace_reader *r = trace_open_mem(text, strlen(text), fmt, &opt, res->err,
                                            sizeof res->err);
    if (!r) {
        res->rc = -2;
        return;
    }
    struct trace_record rec;
    while ((res->rc = trace_next(r, &rec)) == 1)
        if (res->n < MAXREC)
            res->rec[res->n++] = rec;
    snprintf(res->err, sizeof res->err, "%s", trace_error(r));
    res->skipped = trace_skipped(r);
    snprintf(res->first_skipped, sizeof res->first_skipped, "%s", trace_first_skipped(r));
    res->fmt = trace_reader_format(r);
    ok(trace_next(r, &rec) == res->rc, "trace_next repeats its final answer");
    trace_close(r);
}

static void expect_rec(const struct result *res, int i, uint64_t va, uint32_t size,
                       enum vm_access kind, const char *what)
{
    if (i >= res->n) {
        ok(false, "%s: record %d exists", what, i);
        return;
    }
    bool good = res->rec[i].va == va && res->rec[i].size == size && res->rec[i].kind == kind;
    ok(good, "%s: record %d = {0x%llx, %u, %d}", what, i, (unsigned long long)va, size, kind);
    if (!good)
        tap_diag("  got {0x%llx, %u, %d}", (unsigned long long)res->rec[i].va,
                 res->rec[i].size, res->rec[i].kind);
}

static void expect_error(const char *text, enum trace_format fmt, int records_before,
                         const char *msg, const char *what)
{
    struct result res;
    run(text, fmt, false, &res);
    is_i64(res.rc, -1, "%s: fails", what);
    is_i64(res.n, records_before, "%s: %d good records first", what, records_before);
    is_str(res.err, msg, "%s: message", what);
}

static void test_rw(void)
{
    struct result res;
    run("0041f7a0 R\n31348900 W\n  0x10\tr  \n\n7 w\r\nffffffffffffffff R", TRACE_RW, false,
        &res);
    is_i64(res.rc, 0, "rw: reads to the end");
    is_i64(res.n, 5, "rw: 5 records (blank line ignored)");
    expect_rec(&res, 0, 0x41f7a0, 1, VM_ACCESS_READ, "rw");
    expect_rec(&res, 1, 0x31348900, 1, VM_ACCESS_WRITE, "rw");
    expect_rec(&res, 2, 0x10, 1, VM_ACCESS_READ, "rw 0x prefix, tabs, lower case");
    expect_rec(&res, 3, 7, 1, VM_ACCESS_WRITE, "rw CRLF");
    expect_rec(&res, 4, ~0ull, 1, VM_ACCESS_READ, "rw top byte, no final newline");

    expect_error("0 R\nzz41 R\n", TRACE_RW, 1, "t.trace:2: bad address 'zz41'", "rw bad address");
    expect_error("0 R\n1 R\n12345678901234567 R\n", TRACE_RW, 2,
                 "t.trace:3: bad address '12345678901234567'", "rw 17 hex digits");
    expect_error("41 X\n", TRACE_RW, 0,
                 "t.trace:1: expected R or W after the address, got 'X'", "rw bad kind");
    expect_error("41\n", TRACE_RW, 0, "t.trace:1: bad address '41'", "rw missing kind");
    expect_error("41 RW\n", TRACE_RW, 0,
                 "t.trace:1: unexpected text after the access kind 'RW'", "rw junk after kind");
    expect_error("41 R x\n", TRACE_RW, 0,
                 "t.trace:1: unexpected text after the access kind 'R'", "rw extra field");
    expect_error("4g1 R\n", TRACE_RW, 0, "t.trace:1: bad address '4g1'", "rw non-hex digit");
    expect_error("\n\n\x01\xff R\n", TRACE_RW, 0, "t.trace:3: bad address '\\x01\\xff'",
                 "rw binary bytes quoted");

    run("0 R\nbad\n1 W\nzz R\n2 R\n", TRACE_RW, true, &res);
    is_i64(res.rc, 0, "rw skip_bad: reads to the end");
    is_i64(res.n, 3, "rw skip_bad: 3 good records");
    is_u64(res.skipped, 2, "rw skip_bad: 2 lines skipped");
    is_str(res.first_skipped, "t.trace:2: bad address 'bad'", "rw skip_bad: first message");
    expect_rec(&res, 2, 2, 1, VM_ACCESS_READ, "rw skip_bad");
}

static void test_lackey(void)
{
    struct result res;
    run("==4242== Lackey, an example Valgrind tool\n"
        "==4242== \n"
        "I  0401ab70,3\n"
        " S 1fff000708,8\n"
        " L 0061aff8,16\n"          /* straddles 0x61b000 */
        " M 0061a020,4\n"
        "--4242-- WARNING: something\n"
        "I  00000fff,2\n"           /* fetch straddling page 0/1 */
        "**4242** internal\n"
        " L FFFFFFFFFFFFFFF0,16\r\n"
        "==4242== Exit code:       0\n",
        TRACE_LACKEY, false, &res);
    is_i64(res.rc, 0, "lackey: reads to the end");
    is_i64(res.n, 7, "lackey: 7 records (M counts twice, Valgrind lines skipped)");
    expect_rec(&res, 0, 0x401ab70, 3, VM_ACCESS_FETCH, "lackey I");
    expect_rec(&res, 1, 0x1fff000708, 8, VM_ACCESS_WRITE, "lackey S");
    expect_rec(&res, 2, 0x61aff8, 16, VM_ACCESS_READ, "lackey L straddling a page");
    expect_rec(&res, 3, 0x61a020, 4, VM_ACCESS_READ, "lackey M: load first");
    expect_rec(&res, 4, 0x61a020, 4, VM_ACCESS_WRITE, "lackey M: then store");
    expect_rec(&res, 5, 0xfff, 2, VM_ACCESS_FETCH, "lackey I straddling a page");
    expect_rec(&res, 6, 0xfffffffffffffff0ull, 16, VM_ACCESS_READ, "lackey top of memory, CRLF");

    run(" M 10,8", TRACE_LACKEY, false, &res);
    is_i64(res.n, 2, "lackey: last M without newline still gives load and store");
    expect_rec(&res, 1, 0x10, 8, VM_ACCESS_WRITE, "lackey M at EOF");

    expect_error("I  0401ab70,3\n L zz41,4\n", TRACE_LACKEY, 1, "t.trace:2: bad address 'zz41'",
                 "lackey bad address");
    expect_error("I 0401ab70,3\n", TRACE_LACKEY, 0,
                 "t.trace:1: expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, "
                 "got 'I'", "lackey one space after I");
    expect_error("  L 10,4\n", TRACE_LACKEY, 0,
                 "t.trace:1: expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, "
                 "got ''", "lackey two spaces before L");
    expect_error(" X 10,4\n", TRACE_LACKEY, 0,
                 "t.trace:1: expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, "
                 "got ''", "lackey unknown letter");
    expect_error("==abc== hi\n", TRACE_LACKEY, 0,
                 "t.trace:1: expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, "
                 "got '==abc=='", "lackey bad ==PID== line");
    expect_error("\n", TRACE_LACKEY, 0,
                 "t.trace:1: expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, "
                 "got ''", "lackey empty line");
    expect_error(" L 10;4\n", TRACE_LACKEY, 0,
                 "t.trace:1: bad address (expected hex digits, then ',') '10;4'",
                 "lackey missing comma");
    expect_error(" L 10\n", TRACE_LACKEY, 0, "t.trace:1: bad address '10'", "lackey no size");
    expect_error(" L 11112222333344445,4\n", TRACE_LACKEY, 0,
                 "t.trace:1: bad address '11112222333344445'", "lackey 17 hex digits");
    expect_error(" L 10,\n", TRACE_LACKEY, 0, "t.trace:1: bad size ''", "lackey empty size");
    expect_error(" L 10,0\n", TRACE_LACKEY, 0, "t.trace:1: bad size '0'", "lackey size 0");
    expect_error(" L 10,4x\n", TRACE_LACKEY, 0, "t.trace:1: bad size '4x'", "lackey junk size");
    expect_error(" L 10,4 \n", TRACE_LACKEY, 0, "t.trace:1: bad size '4'", "lackey trailing space");
    expect_error(" L 10,1048577\n", TRACE_LACKEY, 0,
                 "t.trace:1: size too large (at most 1048576) '1048577'", "lackey huge size");
    expect_error(" L 10,123456789\n", TRACE_LACKEY, 0, "t.trace:1: bad size '123456789'",
                 "lackey 9-digit size");
    expect_error("I  1,1\n L ffffffffffffffff,2\n", TRACE_LACKEY, 1,
                 "t.trace:2: access wraps past the top of the address space at "
                 "'ffffffffffffffff'", "lackey wrap");
    expect_error("I  1,1\nhello world\n", TRACE_LACKEY, 1,
                 "t.trace:2: expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, "
                 "got 'hello'", "lackey program output mixed in");

    run("I  1,1\nhello\n L 2,4\n M zz,4\n S 3,8\n", TRACE_LACKEY, true, &res);
    is_i64(res.rc, 0, "lackey skip_bad: reads to the end");
    is_i64(res.n, 3, "lackey skip_bad: 3 records");
    is_u64(res.skipped, 2, "lackey skip_bad: 2 lines skipped");
    is_str(res.first_skipped,
           "t.trace:2: expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, got "
           "'hello'", "lackey skip_bad: first message");
    expect_rec(&res, 2, 3, 8, VM_ACCESS_WRITE, "lackey skip_bad");
}

static void test_refs(void)
{
    struct result res;
    run("0,1,2,0\n 3w 4R,5r\t0x10\n\n7W", TRACE_REFS, false, &res);
    is_i64(res.rc, 0, "refs: reads to the end");
    is_i64(res.n, 9, "refs: 9 entries");
    expect_rec(&res, 0, 0, 1, VM_ACCESS_READ, "refs");
    expect_rec(&res, 2, 2 << 12, 1, VM_ACCESS_READ, "refs");
    expect_rec(&res, 4, 3 << 12, 1, VM_ACCESS_WRITE, "refs w suffix");
    expect_rec(&res, 5, 4 << 12, 1, VM_ACCESS_READ, "refs R suffix");
    expect_rec(&res, 7, 0x10 << 12, 1, VM_ACCESS_READ, "refs hex");
    expect_rec(&res, 8, 7 << 12, 1, VM_ACCESS_WRITE, "refs W at EOF");

    run("4503599627370495", TRACE_REFS, false, &res);
    expect_rec(&res, 0, 4503599627370495ull << 12, 1, VM_ACCESS_READ, "refs largest page");

    expect_error("1,2\n3,x4\n", TRACE_REFS, 3, "t.trace:2: bad page number 'x4'", "refs bad entry");
    expect_error("1 2q\n", TRACE_REFS, 1, "t.trace:1: bad page number '2q'", "refs bad suffix");
    expect_error("1 2ww\n", TRACE_REFS, 1, "t.trace:1: bad page number '2ww'", "refs two suffixes");
    expect_error("\n\n4503599627370496\n", TRACE_REFS, 0,
                 "t.trace:3: page number too large (at most 2^52-1) '4503599627370496'",
                 "refs page too large");
    expect_error("99999999999999999999999999\n", TRACE_REFS, 0,
                 "t.trace:1: page number too large (at most 2^52-1) '999999999999999999999999'",
                 "refs huge number");
    expect_error("0x\n", TRACE_REFS, 0, "t.trace:1: bad page number '0x'", "refs empty hex");

    run("1,x,2\ny 3\n", TRACE_REFS, true, &res);
    is_i64(res.n, 3, "refs skip_bad: 3 entries");
    is_u64(res.skipped, 2, "refs skip_bad: 2 skipped");
    is_str(res.first_skipped, "t.trace:1: bad page number 'x'", "refs skip_bad: first message");
}

/* Lines and tokens longer than the window's limit, and a trace much
 * larger than the window (records cross refills). */
static void test_long_input(void)
{
    /* A line with no newline in the whole window (1 MiB) cannot be held. */
    size_t big = (3u << 20) / 2;
    char *text = malloc(big + 64);
    memset(text, 'a', big);
    strcpy(text + big, " R\n1 W\n");
    struct result res;
    run(text, TRACE_RW, false, &res);
    is_i64(res.rc, -1, "over-long line fails");
    is_str(res.err, "t.trace:1: line longer than 65536 bytes", "over-long line message");
    run(text, TRACE_RW, true, &res);
    is_i64(res.rc, 0, "over-long line skipped under skip_bad");
    is_i64(res.n, 1, "the line after it is read");
    expect_rec(&res, 0, 1, 1, VM_ACCESS_WRITE, "after the long line");
    is_u64(res.skipped, 1, "one line skipped");
    free(text);

    /* 3 MB of lackey lines: every record must come back, in order. */
    size_t n = 200000;
    char *lk = malloc(n * 24 + 1), *p = lk;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, i % 3 ? " L %llx,%zu\n" : "I  %llx,%zu\n",
                     (unsigned long long)(0x1000 + i * 7), i % 15 + 1);
    struct trace_reader *r = trace_open_mem(lk, (size_t)(p - lk), TRACE_AUTO, NULL, res.err,
                                            sizeof res.err);
    ok(r != NULL, "big lackey text opens");
    struct trace_record rec;
    size_t got = 0, wrong = 0;
    while (r && trace_next(r, &rec) == 1) {
        if (rec.va != 0x1000 + got * 7 || rec.size != got % 15 + 1 ||
            rec.kind != (got % 3 ? VM_ACCESS_READ : VM_ACCESS_FETCH))
            wrong++;
        got++;
    }
    is_u64(got, n, "big lackey text: all records");
    is_u64(wrong, 0, "big lackey text: all records right");
    if (r) {
        is_u64(trace_line(r), n + 1, "line counter at the end");
        is_u64(trace_offset(r), (uint64_t)(p - lk), "offset at the end = size");
    }
    trace_close(r);
    free(lk);
}

/* A reference string on one line far longer than the window: entries
 * are cut at window boundaries and must come back whole. */
static void test_long_refs_line(void)
{
    size_t n = 1500000;
    char *t = malloc(n * 12 + 2), *p = t;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, i % 5 == 4 ? "%zuw," : "%zu ", (i * 7919) % 1000003);
    *p = 0;
    char err[256];
    struct trace_reader *r = trace_open_mem(t, (size_t)(p - t), TRACE_AUTO, NULL, err, sizeof err);
    ok(r && trace_reader_format(r) == TRACE_REFS, "a %zu-byte one-line reference string is refs",
       (size_t)(p - t));
    struct trace_record rec;
    size_t got = 0, wrong = 0;
    int rc = -1;
    while (r && (rc = trace_next(r, &rec)) == 1) {
        uint64_t page = (got * 7919) % 1000003;
        if (rec.va != page << 12 || rec.kind != (got % 5 == 4 ? VM_ACCESS_WRITE : VM_ACCESS_READ))
            wrong++;
        got++;
    }
    ok(rc == 0, "it reads to the end");
    is_u64(got, n, "every entry");
    is_u64(wrong, 0, "every entry right");
    if (r)
        is_u64(trace_line(r), 1, "still on line 1");
    trace_close(r);
    free(t);
}

/* trace_open("-") reads standard input. */
static void test_stdin(void)
{
    int p[2];
    if (pipe(p) < 0)
        return;
    const char *text = "1 R\n2 W\n";
    ssize_t w = write(p[1], text, strlen(text));
    close(p[1]);
    int saved = dup(0);
    dup2(p[0], 0);
    close(p[0]);
    char err[256];
    struct trace_reader *r = trace_open("-", TRACE_AUTO, NULL, err, sizeof err);
    struct trace_record a, b;
    ok(w > 0 && r && trace_next(r, &a) == 1 && trace_next(r, &b) == 1 && a.va == 1 &&
       b.kind == VM_ACCESS_WRITE && trace_next(r, &a) == 0, "\"-\" reads standard input");
    trace_close(r);
    dup2(saved, 0);
    close(saved);
    r = trace_open_mem("zz R\n", 5, TRACE_RW, &(struct trace_options){.name = NULL}, err,
                       sizeof err);
    ok(r && trace_next(r, &a) == -1 && strncmp(trace_error(r), "<memory>:1:", 11) == 0,
       "memory inputs are named <memory>");
    trace_close(r);
}

static void test_names(void)
{
    enum trace_format f;
    ok(trace_format_parse("lackey", &f) == 0 && f == TRACE_LACKEY, "format name lackey");
    ok(trace_format_parse("vmt", &f) == 0 && f == TRACE_VMT, "format name vmt");
    ok(trace_format_parse("pin", &f) < 0, "unknown format name refused");
    is_str(trace_format_name(TRACE_REFS), "refs", "refs name");
    is_str(trace_compression_name(TRACE_ZSTD), "zstd", "zstd name");

    char err[256];
    struct trace_reader *r = trace_open("/nonexistent/x.trace", TRACE_AUTO, NULL, err, sizeof err);
    ok(r == NULL, "missing file fails to open");
    is_str(err, "/nonexistent/x.trace: cannot open: No such file or directory",
           "missing file message");
    r = trace_open_mem("hello there\n", 12, TRACE_AUTO, NULL, err, sizeof err);
    ok(r == NULL, "auto refuses unknown text");
    is_str(err, "<memory>: cannot tell the trace format (not vmt, lackey, rw or refs; it starts "
                "with 'hello there'); give it with --format", "auto failure message");
    r = trace_open_mem("", 0, TRACE_AUTO, NULL, err, sizeof err);
    struct trace_record rec;
    ok(r && trace_next(r, &rec) == 0, "empty input is an empty trace");
    trace_close(r);
}

int main(void)
{
    test_rw();
    test_lackey();
    test_refs();
    test_long_input();
    test_long_refs_line();
    test_stdin();
    test_names();
    return tap_done();
}
