/* test_trace_compress.c — gzip, xz and zstd input gives exactly the
 * records of the plain input, from memory and through a pipe; truncated
 * and corrupt compressed data are errors, never a shorter trace. */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <vmlab/trace.h>

#include "lib/tap.h"

struct buf {
    unsigned char *p;
    size_t len;
};

/* Every buffer made here, freed at the end (keeps LeakSanitizer quiet). */
static void *made[64];
static int nmade;

static unsigned char *alloc(size_t n)
{
    unsigned char *p = malloc(n);
    if (nmade < 64)
        made[nmade++] = p;
    return p;
}

static struct buf gzip_of(const void *data, size_t len)
{
    z_stream z = {0};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    struct buf b = {alloc(deflateBound(&z, len) + 64), 0};
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = b.p;
    z.avail_out = (uInt)(deflateBound(&z, len) + 64);
    deflate(&z, Z_FINISH);
    b.len = z.total_out;
    deflateEnd(&z);
    return b;
}

static struct buf xz_of(const void *data, size_t len)
{
    size_t cap = lzma_stream_buffer_bound(len);
    struct buf b = {alloc(cap), 0};
    lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, data, len, b.p, &b.len, cap);
    return b;
}

static struct buf zstd_of(const void *data, size_t len)
{
    size_t cap = ZSTD_compressBound(len);
    struct buf b = {alloc(cap), 0};
    b.len = ZSTD_compress(b.p, cap, data, len, 3);
    return b;
}

static struct buf concat(struct buf a, struct buf b)
{
    struct buf c = {alloc(a.len + b.len), a.len + b.len};
    memcpy(c.p, a.p, a.len);
    memcpy(c.p + a.len, b.p, b.len);
    return c;
}

/* A lackey text of n lines with every record shape. */
static char *make_lackey(size_t n, size_t *len)
{
    char *t = malloc(n * 32 + 64), *p = t;
    p += sprintf(p, "==1== Lackey\n");
    for (size_t i = 0; i < n; i++) {
        static const char *shape[] = {"I ", " L", " S", " M"};
        unsigned long long va = (i * 2654435761u) & 0xffffffffffull;
        p += sprintf(p, "%s %08llx,%u\n", shape[i % 4], va, (unsigned)(i % 16 + 1));
    }
    *len = (size_t)(p - t);
    return t;
}

/* Read all records; returns the count, or -1 (message in err). The
 * records are folded into *sum (order-sensitive). */
static long read_all(struct trace_reader *r, uint64_t *sum, char *err, size_t errlen)
{
    struct trace_record rec;
    long n = 0;
    int rc;
    *sum = 0;
    while ((rc = trace_next(r, &rec)) == 1) {
        *sum = (*sum * 31 + rec.va) * 31 + rec.size * 4 + rec.kind;
        n++;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", trace_error(r));
        return -1;
    }
    return n;
}

static long read_mem(const struct buf *b, enum trace_format fmt, uint64_t *sum,
                     enum trace_compression *comp, char *err, size_t errlen)
{
    struct trace_reader *r = trace_open_mem(b->p, b->len, fmt, NULL, err, errlen);
    if (!r)
        return -2;
    if (comp)
        *comp = trace_reader_compression(r);
    long n = read_all(r, sum, err, errlen);
    trace_close(r);
    return n;
}

/* Feed b through a pipe in small pieces from a child process. */
static long read_pipe(const struct buf *b, uint64_t *sum, char *err, size_t errlen)
{
    int p[2];
    if (pipe(p) < 0)
        return -3;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        for (size_t off = 0; off < b->len;) {
            size_t k = b->len - off < 4093 ? b->len - off : 4093;
            ssize_t w = write(p[1], b->p + off, k);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    struct trace_options opt = {.name = "pipe"};
    struct trace_reader *r = trace_open_fd(p[0], TRACE_AUTO, &opt, err, errlen);
    long n = r ? read_all(r, sum, err, errlen) : -2;
    trace_close(r);
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    return n;
}

int main(void)
{
    size_t len;
    char *text = make_lackey(150000, &len);   /* ~2.6 MB: several windows */
    struct buf plain = {(unsigned char *)text, len};
    char err[512];
    uint64_t want_sum, sum;
    long want = read_mem(&plain, TRACE_LACKEY, &want_sum, NULL, err, sizeof err);
    is_i64(want, 187500, "plain lackey: 150000 lines, a quarter M, give 187500 records");
    long via_pipe = read_pipe(&plain, &sum, err, sizeof err);
    ok(via_pipe == want && sum == want_sum, "plain text through a pipe in odd-sized pieces");

    struct {
        const char *name;
        struct buf b;
        enum trace_compression comp;
    } cases[] = {
        {"gzip", gzip_of(text, len), TRACE_GZIP},
        {"xz", xz_of(text, len), TRACE_XZ},
        {"zstd", zstd_of(text, len), TRACE_ZSTD},
    };
    for (size_t i = 0; i < 3; i++) {
        struct buf *b = &cases[i].b;
        enum trace_compression comp = TRACE_PLAIN;
        long n = read_mem(b, TRACE_AUTO, &sum, &comp, err, sizeof err);
        is_i64(n, want, "%s: same record count (auto)", cases[i].name);
        is_u64(sum, want_sum, "%s: same records", cases[i].name);
        is_i64(comp, cases[i].comp, "%s: compression detected", cases[i].name);
        n = read_mem(b, TRACE_LACKEY, &sum, NULL, err, sizeof err);
        ok(n == want && sum == want_sum, "%s: same records with the format given",
           cases[i].name);
        n = read_pipe(b, &sum, err, sizeof err);
        ok(n == want && sum == want_sum, "%s: same records through a pipe", cases[i].name);

        /* Cut the compressed data: always an error, never fewer records. */
        int cut_errors = 0, cuts = 0;
        for (size_t cut = 1; cut < b->len; cut += b->len / 7 + 1) {
            struct buf t = {b->p, cut};
            cuts++;
            if (read_mem(&t, TRACE_LACKEY, &sum, NULL, err, sizeof err) < 0)
                cut_errors++;
        }
        is_i64(cut_errors, cuts, "%s: every truncation is an error", cases[i].name);
        struct buf t = {b->p, b->len - 1};
        read_mem(&t, TRACE_LACKEY, &sum, NULL, err, sizeof err);
        ok(strstr(err, "<memory>: compressed byte ") == err, "%s: truncation message: %s",
           cases[i].name, err);

        /* Flip a byte in the middle: an error (xz and gzip check CRCs). */
        if (cases[i].comp != TRACE_ZSTD) {
            struct buf c = {malloc(b->len), b->len};
            memcpy(c.p, b->p, b->len);
            c.p[b->len / 2] ^= 0x55;
            long r = read_mem(&c, TRACE_LACKEY, &sum, NULL, err, sizeof err);
            ok(r < 0 || sum != want_sum, "%s: corruption detected (%s)", cases[i].name,
               r < 0 ? err : "records differ");
            free(c.p);
        }
    }

    /* Concatenated streams decode as one, like zcat a.gz b.gz. */
    size_t half = len / 2;
    while (text[half - 1] != '\n')
        half++;
    struct buf gz = concat(gzip_of(text, half), gzip_of(text + half, len - half));
    long n = read_mem(&gz, TRACE_AUTO, &sum, NULL, err, sizeof err);
    ok(n == want && sum == want_sum, "two gzip members read as one trace");
    struct buf zs = concat(zstd_of(text, half), zstd_of(text + half, len - half));
    n = read_mem(&zs, TRACE_AUTO, &sum, NULL, err, sizeof err);
    ok(n == want && sum == want_sum, "two zstd frames read as one trace");
    struct buf xz = concat(xz_of(text, half), xz_of(text + half, len - half));
    n = read_mem(&xz, TRACE_AUTO, &sum, NULL, err, sizeof err);
    ok(n == want && sum == want_sum, "two xz streams read as one trace");

    /* Garbage after a gzip stream is an error. */
    struct buf junk = {(unsigned char *)"junk", 4};
    struct buf gzj = concat(gzip_of("1 R\n", 4), junk);
    n = read_mem(&gzj, TRACE_AUTO, &sum, NULL, err, sizeof err);
    ok(n < 0, "garbage after gzip data fails");
    ok(strstr(err, "data after the end of the gzip stream") != NULL, "garbage message: %s", err);

    /* An error inside compressed text still names the line. */
    const char *bad = "0 R\n1 W\nzz41 R\n";
    struct buf zb = zstd_of(bad, strlen(bad));
    struct trace_options opt = {.name = "gcc.trace.zst"};
    struct trace_reader *r = trace_open_mem(zb.p, zb.len, TRACE_AUTO, &opt, err, sizeof err);
    n = r ? read_all(r, &sum, err, sizeof err) : -2;
    trace_close(r);
    is_str(err, "gcc.trace.zst:3: bad address 'zz41'", "line numbers count decompressed lines");

    /* A compressed vmt trace is read too. */
    char path[] = "/tmp/vmlab-test-vmt-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    trace_synth_write_vmt(path, 10000, 7, err, sizeof err);
    FILE *f = fopen(path, "rb");
    unsigned char vbuf[200000];
    size_t vlen = fread(vbuf, 1, sizeof vbuf, f);
    fclose(f);
    unlink(path);
    struct buf vplain = {vbuf, vlen};
    uint64_t vsum;
    long vn = read_mem(&vplain, TRACE_AUTO, &vsum, NULL, err, sizeof err);
    struct buf vz = xz_of(vbuf, vlen);
    n = read_mem(&vz, TRACE_AUTO, &sum, NULL, err, sizeof err);
    ok(vn == 10000 && n == vn && sum == vsum, "xz-compressed vmt reads the same records");

    free(text);
    for (int i = 0; i < nmade; i++)
        free(made[i]);
    return tap_done();
}
