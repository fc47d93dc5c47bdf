/* trace_decomp.c — transparent gzip, xz and zstd decoding of trace input.
 *
 * Each decoder pulls compressed bytes from the raw buffer of the
 * trace_input and writes decompressed bytes where the window wants them.
 * Concatenated streams (gzip members, xz streams, zstd frames) decode as
 * one, as zcat, xzcat and zstdcat do. A stream that stops before its end
 * marker is an error: a truncated download must not pass for a short trace.
 *
 * Memory is bounded: xz and zstd headers can ask for huge dictionaries,
 * so both are capped (DECOMP_MEMLIMIT) and a larger demand is refused.
 */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "replay/trace_decomp.h"

#define DECOMP_MEMLIMIT  (256u << 20)
#define ZSTD_WINDOWLOG_LIMIT 27          /* 128 MiB window */

static const unsigned char gzip_magic[] = {0x1f, 0x8b};
static const unsigned char xz_magic[]   = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const unsigned char zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};

static bool has_prefix(const unsigned char *p, size_t n, const unsigned char *m, size_t mlen)
{
    return n >= mlen && memcmp(p, m, mlen) == 0;
}

enum trace_compression decomp_detect(const unsigned char *p, size_t n)
{
    if (has_prefix(p, n, gzip_magic, sizeof gzip_magic))
        return TRACE_GZIP;
    if (has_prefix(p, n, xz_magic, sizeof xz_magic))
        return TRACE_XZ;
    if (has_prefix(p, n, zstd_magic, sizeof zstd_magic))
        return TRACE_ZSTD;
    return TRACE_PLAIN;
}

/* Make raw input available; returns bytes available, 0 at EOF, -1 error. */
static long raw_avail(struct trace_input *in)
{
    if (in->raw_pos < in->raw_end)
        return (long)(in->raw_end - in->raw_pos);
    return input_raw_fill(in);
}

static uint64_t raw_offset(const struct trace_input *in)
{
    return in->raw_base + in->raw_pos;
}

/* ---- gzip (zlib) --------------------------------------------------------- */

static long gzip_read(struct trace_input *in, unsigned char *dst, size_t n)
{
    z_stream *z = in->dec;
    z->next_out = dst;
    z->avail_out = (uInt)n;
    while (z->avail_out == n) {
        long avail = raw_avail(in);
        if (avail < 0)
            return -1;
        if (in->dec_done) {
            /* Another member may follow, as in `cat a.gz b.gz`. */
            if (avail == 0)
                return 0;
            if (in->raw[in->raw_pos] != gzip_magic[0]) {
                input_fail(in, "compressed byte %llu: data after the end of the gzip stream",
                           (unsigned long long)raw_offset(in));
                return -1;
            }
            inflateReset(z);
            in->dec_done = false;
        }
        if (avail == 0) {
            input_fail(in, "compressed byte %llu: gzip data ends early (truncated file?)",
                       (unsigned long long)raw_offset(in));
            return -1;
        }
        if (avail > (1L << 30))   /* avail_in is 32-bit; memory inputs can be larger */
            avail = 1L << 30;
        z->next_in = (Bytef *)(in->raw + in->raw_pos);
        z->avail_in = (uInt)avail;
        int rc = inflate(z, Z_NO_FLUSH);
        in->raw_pos += (size_t)avail - z->avail_in;
        if (rc == Z_STREAM_END) {
            in->dec_done = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            input_fail(in, "compressed byte %llu: bad gzip data (%s)",
                       (unsigned long long)raw_offset(in), z->msg ? z->msg : "corrupt");
            return -1;
        }
    }
    return (long)(n - z->avail_out);
}

/* ---- xz (liblzma) -------------------------------------------------------- */

static long xz_read(struct trace_input *in, unsigned char *dst, size_t n)
{
    lzma_stream *x = in->dec;
    if (in->dec_done)
        return 0;
    x->next_out = dst;
    x->avail_out = n;
    while (x->avail_out == n) {
        long avail = raw_avail(in);
        if (avail < 0)
            return -1;
        x->next_in = in->raw + in->raw_pos;
        x->avail_in = (size_t)avail;
        lzma_ret rc = lzma_code(x, avail == 0 ? LZMA_FINISH : LZMA_RUN);
        in->raw_pos += (size_t)avail - x->avail_in;
        if (rc == LZMA_STREAM_END) {
            in->dec_done = true;
            break;
        }
        if (rc == LZMA_OK)
            continue;
        const char *why = rc == LZMA_MEMLIMIT_ERROR ? "needs more than 256 MiB of memory"
                        : rc == LZMA_BUF_ERROR      ? "data ends early (truncated file?)"
                        : rc == LZMA_FORMAT_ERROR   ? "not xz data"
                        : rc == LZMA_OPTIONS_ERROR  ? "unsupported options"
                        : rc == LZMA_MEM_ERROR      ? "out of memory"
                                                    : "corrupt data";
        input_fail(in, "compressed byte %llu: bad xz data: %s",
                   (unsigned long long)raw_offset(in), why);
        return -1;
    }
    return (long)(n - x->avail_out);
}

/* ---- zstd ---------------------------------------------------------------- */

static long zstd_read(struct trace_input *in, unsigned char *dst, size_t n)
{
    ZSTD_DStream *zs = in->dec;
    ZSTD_outBuffer out = {dst, n, 0};
    for (;;) {
        long avail = raw_avail(in);
        if (avail < 0)
            return -1;
        if (avail == 0 && !in->dec_frame_open)
            return 0;
        /* With no input left, one more call flushes what the decoder holds. */
        ZSTD_inBuffer zin = {avail ? in->raw + in->raw_pos : NULL, (size_t)avail, 0};
        size_t rc = ZSTD_decompressStream(zs, &out, &zin);
        in->raw_pos += zin.pos;
        if (ZSTD_isError(rc)) {
            input_fail(in, "compressed byte %llu: bad zstd data: %s",
                       (unsigned long long)raw_offset(in), ZSTD_getErrorName(rc));
            return -1;
        }
        /* rc == 0: a frame just ended and everything was flushed. */
        in->dec_frame_open = rc != 0;
        if (out.pos > 0)
            return (long)out.pos;
        if (avail == 0) {
            input_fail(in, "compressed byte %llu: zstd data ends early (truncated file?)",
                       (unsigned long long)raw_offset(in));
            return -1;
        }
    }
}

/* ---- dispatch ------------------------------------------------------------ */

int decomp_start(struct trace_input *in)
{
    in->dec_done = false;
    in->dec_frame_open = false;
    switch (in->comp) {
    case TRACE_PLAIN:
        return 0;
    case TRACE_GZIP: {
        z_stream *z = calloc(1, sizeof *z);
        if (!z || inflateInit2(z, 15 + 16) != Z_OK) {
            free(z);
            input_fail(in, "cannot start the gzip decoder");
            return -1;
        }
        in->dec = z;
        return 0;
    }
    case TRACE_XZ: {
        lzma_stream *x = calloc(1, sizeof *x);
        if (x) {
            lzma_stream init = LZMA_STREAM_INIT;
            *x = init;
        }
        if (!x || lzma_stream_decoder(x, DECOMP_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
            free(x);
            input_fail(in, "cannot start the xz decoder");
            return -1;
        }
        in->dec = x;
        return 0;
    }
    case TRACE_ZSTD: {
        ZSTD_DStream *zs = ZSTD_createDStream();
        if (!zs || ZSTD_isError(ZSTD_initDStream(zs)) ||
            ZSTD_isError(ZSTD_DCtx_setParameter(zs, ZSTD_d_windowLogMax, ZSTD_WINDOWLOG_LIMIT))) {
            ZSTD_freeDStream(zs);
            input_fail(in, "cannot start the zstd decoder");
            return -1;
        }
        in->dec = zs;
        return 0;
    }
    }
    return -1;
}

long decomp_read(struct trace_input *in, unsigned char *dst, size_t n)
{
    switch (in->comp) {
    case TRACE_GZIP: return gzip_read(in, dst, n);
    case TRACE_XZ:   return xz_read(in, dst, n);
    case TRACE_ZSTD: return zstd_read(in, dst, n);
    case TRACE_PLAIN: break;
    }
    return -1;
}

void decomp_end(struct trace_input *in)
{
    if (!in->dec)
        return;
    switch (in->comp) {
    case TRACE_GZIP:
        inflateEnd(in->dec);
        free(in->dec);
        break;
    case TRACE_XZ:
        lzma_end(in->dec);
        free(in->dec);
        break;
    case TRACE_ZSTD:
        ZSTD_freeDStream(in->dec);
        break;
    case TRACE_PLAIN:
        break;
    }
    in->dec = NULL;
}
