/* test_trace_vmt.c — the vmt format: exact bytes for known records,
 * round trips of random records over many seeds, and every truncation and
 * single-bit corruption detected with a byte offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <vmlab/trace.h>

#include "lib/tap.h"

/* Write recs to a memory file and return its bytes (malloc'd). */
static unsigned char *encode(const struct trace_record *recs, size_t n, size_t *len)
{
    int fd = memfd_create("vmt", 0);
    char err[256];
    struct trace_writer *w = trace_writer_open_fd(fd, "mem.vmt", err, sizeof err);
    for (size_t i = 0; i < n; i++)
        if (trace_write(w, &recs[i]) < 0)
            tap_diag("write: %s", trace_writer_error(w));
    if (trace_writer_close(w, err, sizeof err) < 0)
        tap_diag("close: %s", err);
    off_t size = lseek(fd, 0, SEEK_END);
    unsigned char *b = malloc((size_t)size + 1);
    *len = (size_t)pread(fd, b, (size_t)size, 0);
    close(fd);
    return b;
}

/* Decode; returns records read before the end (0) or error (-1) in *rc. */
static size_t decode(const unsigned char *b, size_t len, struct trace_record *out, size_t max,
                     int *rc, char *err, size_t errlen)
{
    struct trace_options opt = {.name = "t.vmt"};
    struct trace_reader *r = trace_open_mem(b, len, TRACE_VMT, &opt, err, errlen);
    if (!r) {
        *rc = -2;
        return 0;
    }
    size_t n = 0;
    struct trace_record rec;
    while ((*rc = trace_next(r, &rec)) == 1) {
        if (n < max)
            out[n] = rec;
        n++;
    }
    snprintf(err, errlen, "%s", trace_error(r));
    trace_close(r);
    return n;
}

static bool same(const struct trace_record *a, const struct trace_record *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].va != b[i].va || a[i].size != b[i].size || a[i].kind != b[i].kind)
            return false;
    return true;
}

static const struct trace_record known[] = {
    {0x1000, 4, VM_ACCESS_READ},
    {0x1000, 4, VM_ACCESS_WRITE},
    {0x400000, 3, VM_ACCESS_FETCH},
    {0x400003, 2, VM_ACCESS_FETCH},
    {0x0ff8, 64, VM_ACCESS_READ},
};

static void test_known_bytes(void)
{
    static const unsigned char want[] = {
        0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n', 1, 0, 0, 0, 0, 0, 0, 0,
        0x10, 0x80, 0x40,                 /* read 4 at +0x1000 */
        0x91,                             /* write 4, same address */
        0x0e, 0x80, 0x80, 0x80, 0x04,     /* fetch 3 at +0x400000 */
        0x8a,                             /* fetch 2, sequential */
        0x00, 0x0f, 0x40,                 /* read, delta -8, size 64 */
        0x03, 0x05,                       /* trailer: 5 records */
    };
    size_t len;
    unsigned char *b = encode(known, 5, &len);
    is_u64(len, sizeof want + 4, "known records: encoded length");
    ok(len >= sizeof want && memcmp(b, want, sizeof want) == 0, "known records: exact bytes");
    uint32_t crc = (uint32_t)crc32(0, want, sizeof want);
    ok(len == sizeof want + 4 && b[len - 4] == (crc & 0xff) && b[len - 1] == crc >> 24,
       "trailer CRC-32 covers everything before it");

    struct trace_record out[8];
    int rc;
    char err[256];
    size_t n = decode(b, len, out, 8, &rc, err, sizeof err);
    ok(rc == 0 && n == 5 && same(out, known, 5), "known records read back");

    /* Errors at known offsets. */
    struct { size_t cut; const char *msg; } cuts[] = {
        {19, "t.vmt: byte 19: truncated vmt trace: no trailer after 1 records"},
        {22, "t.vmt: byte 20: truncated vmt trace: the file ends inside a record"},
        {30, "t.vmt: byte 30: truncated vmt trace: the file ends inside the trailer"},
        {len - 1, "t.vmt: byte 34: truncated vmt trace: the file ends inside the trailer"},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        decode(b, cuts[i].cut, out, 8, &rc, err, sizeof err);
        is_i64(rc, -1, "cut at %zu fails", cuts[i].cut);
        is_str(err, cuts[i].msg, "cut at %zu: message", cuts[i].cut);
    }
    unsigned char c[64];
    memcpy(c, b, len);
    c[19] = 0x07;
    decode(c, len, out, 8, &rc, err, sizeof err);
    is_str(err, "t.vmt: byte 19: bad record tag 0x07", "bad tag message");
    memcpy(c, b, len);
    c[18] = 0x41;   /* first address 0x1000 -> 0x1040: decodes, CRC catches it */
    n = decode(c, len, out, 8, &rc, err, sizeof err);
    ok(rc == -1 && n == 5 && strstr(err, "t.vmt: byte 31: checksum mismatch") == err,
       "silent corruption caught by the CRC: %s", err);
    memcpy(c, b, len);
    c[30] = 4;
    decode(c, len, out, 8, &rc, err, sizeof err);
    is_str(err, "t.vmt: byte 29: the trailer counts 4 records but the trace holds 5",
           "count mismatch message");
    memcpy(c, b, len);
    c[len] = 0;
    decode(c, len + 1, out, 8, &rc, err, sizeof err);
    is_str(err, "t.vmt: byte 35: data after the trailer", "trailing data message");
    memcpy(c, b, len);
    c[8] = 3;
    decode(c, len, out, 8, &rc, err, sizeof err);
    is_str(err, "t.vmt: byte 8: unsupported vmt version 3 (this vmlab reads versions 1 and 2)",
           "version message");
    memcpy(c, b, len);
    c[11] = 1;
    decode(c, len, out, 8, &rc, err, sizeof err);
    is_str(err, "t.vmt: byte 10: unknown vmt header flags (this vmlab knows none)",
           "flags message");
    memcpy(c, b, len);
    c[0] = 'X';
    decode(c, len, out, 8, &rc, err, sizeof err);
    is_str(err, "t.vmt: byte 0: not a vmt trace (bad magic; expected \\x89VMT\\r\\n\\x1a\\n)",
           "magic message");
    memcpy(c, b, len);
    memcpy(c + 16, "\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11);
    decode(c, len, out, 8, &rc, err, sizeof err);
    is_str(err, "t.vmt: byte 17: address varint longer than 10 bytes", "overlong varint");
    free(b);
}

static uint64_t rng;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Random records that reach every encoding path: delta 0, small and huge
 * deltas both ways, inline and varint sizes, the top of memory. */
static void random_records(struct trace_record *recs, size_t n)
{
    vaddr_t last = 0;
    for (size_t i = 0; i < n; i++) {
        struct trace_record *r = &recs[i];
        uint64_t x = rnd();
        r->kind = (enum vm_access)(x % 3);
        switch ((x >> 2) % 6) {
        case 0: r->size = 1 + (uint32_t)(rnd() % 31); break;
        case 1: r->size = 32 + (uint32_t)(rnd() % 5000); break;
        case 2: r->size = (uint32_t)rnd() | 1; break;
        default: r->size = 1u << (rnd() % 4); break;
        }
        switch ((x >> 5) % 6) {
        case 0: r->va = last; break;
        case 1: r->va = last + r->size; break;
        case 2: r->va = last - (rnd() % 4096); break;
        case 3: r->va = rnd(); break;
        case 4: r->va = ~0ull - (rnd() % 8); break;
        default: r->va = rnd() % 0x100000; break;
        }
        if (r->va + (r->size - 1) < r->va)   /* no wrap */
            r->va = ~0ull - (r->size - 1);
        last = r->va;
    }
}

static void test_round_trips(void)
{
    const char *san = getenv("VMLAB_SAN");
    int seeds = san && *san ? 60 : 300;
    size_t maxn = 3000;
    struct trace_record *recs = malloc(maxn * sizeof *recs), *out = malloc(maxn * sizeof *out);
    int good = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        rng = 0x9e3779b97f4a7c15ull * (uint64_t)seed;
        size_t n = rnd() % maxn;
        random_records(recs, n);
        size_t len;
        unsigned char *b = encode(recs, n, &len);
        int rc;
        char err[256];
        size_t got = decode(b, len, out, maxn, &rc, err, sizeof err);
        if (rc == 0 && got == n && same(recs, out, n))
            good++;
        else
            tap_diag("seed %d: rc %d, %zu of %zu records: %s", seed, rc, got, n, err);
        free(b);
    }
    is_i64(good, seeds, "%d random traces round-trip exactly", seeds);

    /* One big trace through a real file, spanning many windows. */
    char path[] = "/tmp/vmlab-test-vmt-XXXXXX";
    close(mkstemp(path));
    char err[256];
    ok(trace_synth_write_vmt(path, 2000000, 42, err, sizeof err) == 0, "2M synthetic records written");
    struct trace_reader *r = trace_open(path, TRACE_AUTO, NULL, err, sizeof err);
    struct trace_synth s;
    trace_synth_init(&s, 42);
    struct trace_record rec, want;
    size_t n = 0, wrong = 0;
    int rc = -1;
    while (r && (rc = trace_next(r, &rec)) == 1) {
        trace_synth_next(&s, &want);
        wrong += !same(&rec, &want, 1);
        n++;
    }
    ok(r && rc == 0, "big vmt file reads to its trailer");
    is_u64(n, 2000000, "big vmt file: all records");
    is_u64(wrong, 0, "big vmt file: all records right");
    trace_close(r);
    unlink(path);
    free(recs);
    free(out);
}

static void test_damage(void)
{
    rng = 12345;
    struct trace_record recs[40], out[40];
    random_records(recs, 40);
    size_t len;
    unsigned char *b = encode(recs, 40, &len);
    unsigned char *c = malloc(len);
    int cut_ok = 0, flip_ok = 0, flips = 0;
    for (size_t cut = 0; cut < len; cut++) {
        int rc;
        char err[256];
        size_t n = decode(b, cut, out, 40, &rc, err, sizeof err);
        /* An error with a byte offset, and never a wrong record first. */
        if (rc < 0 && strstr(err, "t.vmt: byte ") == err && n <= 40 && same(out, recs, n))
            cut_ok++;
        else
            tap_diag("cut %zu: rc %d n %zu: %s", cut, rc, n, err);
    }
    is_u64(cut_ok, len, "every one of %zu truncations is detected", len);
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(c, b, len);
            c[i] ^= (unsigned char)(1u << bit);
            int rc;
            char err[256];
            decode(c, len, out, 40, &rc, err, sizeof err);
            flips++;
            if (rc < 0 && strstr(err, "t.vmt: byte ") == err)
                flip_ok++;
            else
                tap_diag("flip byte %zu bit %d: rc %d: %s", i, bit, rc, err);
        }
    is_i64(flip_ok, flips, "every one of %d single-bit corruptions is detected", flips);
    free(b);
    free(c);
}

static void test_writer_errors(void)
{
    int fd = memfd_create("vmt", 0);
    char err[256];
    struct trace_writer *w = trace_writer_open_fd(fd, "w.vmt", err, sizeof err);
    struct trace_record ok1 = {~0ull, 1, VM_ACCESS_READ}, zero = {0x10, 0, VM_ACCESS_READ};
    struct trace_record wrap = {~0ull, 2, VM_ACCESS_WRITE}, kind = {0x10, 1, (enum vm_access)3};
    is_i64(trace_write(w, &ok1), 0, "last byte of memory is writable");
    is_i64(trace_write(w, &zero), -1, "size 0 refused");
    is_str(trace_writer_error(w), "w.vmt: record 1: bad access of 0 bytes at 0x10",
           "size 0 message");
    is_i64(trace_write(w, &ok1), -1, "writer stays failed");
    is_i64(trace_writer_close(w, err, sizeof err), -1, "close reports the failure");
    is_str(err, "w.vmt: record 1: bad access of 0 bytes at 0x10", "close message");
    w = trace_writer_open_fd(fd, "w.vmt", err, sizeof err);
    is_i64(trace_write(w, &wrap), -1, "wrapping access refused");
    trace_writer_discard(w);
    w = trace_writer_open_fd(fd, "w.vmt", err, sizeof err);
    is_i64(trace_write(w, &kind), -1, "unknown kind refused");
    is_str(trace_writer_error(w), "w.vmt: record 0: unknown access kind 3", "kind message");
    trace_writer_discard(w);
    close(fd);

    /* A file appears only when closed successfully. */
    char path[] = "/tmp/vmlab-test-w-XXXXXX";
    close(mkstemp(path));
    unlink(path);
    w = trace_writer_open(path, err, sizeof err);
    trace_write(w, &ok1);
    ok(access(path, F_OK) != 0, "no file under the final name while writing");
    trace_writer_discard(w);
    ok(access(path, F_OK) != 0, "discard leaves nothing");
    w = trace_writer_open(path, err, sizeof err);
    trace_write(w, &ok1);
    is_i64(trace_writer_close(w, err, sizeof err), 0, "close succeeds");
    ok(access(path, F_OK) == 0, "the file exists after close");
    struct trace_reader *r = trace_open(path, TRACE_AUTO, NULL, err, sizeof err);
    struct trace_record rec;
    ok(r && trace_next(r, &rec) == 1 && rec.va == ~0ull && trace_next(r, &rec) == 0,
       "and reads back");
    trace_close(r);
    unlink(path);
    w = trace_writer_open("/nonexistent/dir/x.vmt", err, sizeof err);
    ok(!w, "writer to a missing directory fails");
    is_str(err, "/nonexistent/dir/x.vmt: cannot create: No such file or directory",
           "missing directory message");
}

/* A run trace (version 2): trace_next returns its accesses and reads past
 * its events, and trace_records counts what it returned -- the accesses
 * alone -- while trace_next_event returns (and counts) both; the trailer
 * checks every record either way. */
static void test_run_trace_counts(void)
{
    char path[] = "/tmp/vmlab-vmt2-XXXXXX", err[256];
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    struct trace_writer *w = trace_writer_open_run(path, err, sizeof err);
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    int bad = !w;
    ev.kind = TRACE_EV_CPU;
    bad |= w && trace_write_event(w, &ev);
    ev.kind = TRACE_EV_PROCESS;
    ev.pid = 1;
    bad |= w && trace_write_event(w, &ev);
    for (size_t i = 0; w && i < sizeof known / sizeof known[0]; i++) {
        bad |= trace_write(w, &known[i]);
        ev.kind = TRACE_EV_BRK;
        ev.a[0] = 0x10000 + i * 4096;
        bad |= i % 2 == 0 && trace_write_event(w, &ev);
    }
    bad |= w && trace_writer_close(w, err, sizeof err);
    ok(!bad, "a run trace of 5 accesses and 5 events written (%s)", bad ? err : "ok");
    struct trace_options opt = {.name = "run.vmt"};
    struct trace_reader *r = trace_open(path, TRACE_VMT, &opt, err, sizeof err);
    struct trace_record rec;
    uint64_t n = 0;
    int rc;
    while (r && (rc = trace_next(r, &rec)) == 1)
        n++;
    ok(r && rc == 0 && n == 5 && trace_records(r) == 5,
       "trace_next: the 5 accesses, the trailer checked, trace_records 5 (%llu; %s)",
       r ? (unsigned long long)trace_records(r) : 0ull, r ? trace_error(r) : err);
    trace_close(r);
    r = trace_open(path, TRACE_VMT, &opt, err, sizeof err);
    n = 0;
    while (r && (rc = trace_next_event(r, &ev)) == 1)
        n++;
    ok(r && rc == 0 && n == 10 && trace_records(r) == 10,
       "trace_next_event: accesses and events, 10 records (%s)", r ? trace_error(r) : err);
    trace_close(r);
    unlink(path);
}

int main(void)
{
    test_run_trace_counts();
    test_known_bytes();
    test_round_trips();
    test_damage();
    test_writer_errors();
    return tap_done();
}
