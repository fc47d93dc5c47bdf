/* trace_vmt.c — reading vmt, vmlab's compact binary trace format.
 *
 * Layout (docs/trace-formats.md has it byte by byte):
 *   header   8-byte magic "\x89VMT\r\n\x1a\n", u16 version (1), u16 flags (0),
 *            u32 reserved (0), all little-endian;
 *   records  a tag byte: bits 0-1 the kind (0 read, 1 write, 2 fetch),
 *            bits 2-6 the size if 1..31 (0: a varint size follows),
 *            bit 7 set if the address equals its prediction; then, unless
 *            bit 7, a zigzag LEB128 varint of va - prediction; then the
 *            size varint if bits 2-6 were 0. The prediction is the end of
 *            the previous fetch (va + size) for a fetch, and the address of
 *            the previous read or write for data; both start at 0;
 *   trailer  tag 0x03, a varint record count, and the CRC-32 (zlib's) of
 *            every byte before the CRC, u32 little-endian. Nothing follows.
 *
 * The reader checks everything it can where it stands (tags, varint
 * lengths, sizes, wrap-around) and the rest at the trailer (count, CRC),
 * so a truncated or corrupted file never reads as a shorter valid trace.
 */
#include <string.h>

#include "replay/trace_impl.h"

bool trace_vmt_magic(const unsigned char *p, size_t n)
{
    return n >= VMT_MAGIC_LEN && memcmp(p, VMT_MAGIC, VMT_MAGIC_LEN) == 0;
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* LEB128: 7 bits a byte, low first, at most 10 bytes. NULL if longer or
 * if the tenth byte has bits above 2^64. The window's zero slack stops a
 * varint running off the end; the caller checks for that. */
static inline const unsigned char *get_varint(const unsigned char *p, uint64_t *v)
{
    if (!(p[0] & 0x80)) {
        *v = p[0];
        return p + 1;
    }
    uint64_t x = 0;
    for (unsigned i = 0; i < 10; i++) {
        unsigned char b = p[i];
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (i == 9 && b > 1)
                return NULL;
            *v = x;
            return p + i + 1;
        }
    }
    return NULL;
}

int trace_vmt_start(struct trace_reader *r)
{
    struct trace_input *in = &r->in;
    long n = input_ensure(in, VMT_HEADER_LEN);
    if (n < 0)
        return trace_input_failed(r);
    const unsigned char *p = in->buf + in->pos;
    if (!trace_vmt_magic(p, (size_t)n))
        return trace_bad_byte(r, input_offset(in, in->pos),
                              "not a vmt trace (bad magic; expected \\x89VMT\\r\\n\\x1a\\n)");
    if (n < VMT_HEADER_LEN)
        return trace_bad_byte(r, input_offset(in, in->end), "truncated vmt header");
    unsigned version = p[8] | p[9] << 8, flags = p[10] | p[11] << 8;
    if (version != VMT_VERSION && version != VMT_VERSION_RUN)
        return trace_bad_byte(r, input_offset(in, in->pos + 8),
                              "unsupported vmt version %u (this vmlab reads versions %u and %u)",
                              version, VMT_VERSION, VMT_VERSION_RUN);
    r->version = version;
    if (flags != 0 || get_le32(p + 12) != 0)
        return trace_bad_byte(r, input_offset(in, in->pos + (flags ? 10 : 12)),
                              "unknown vmt header flags (this vmlab knows none)");
    in->crc_on = true;
    in->crc_pos = in->pos;
    in->pos += VMT_HEADER_LEN;
    return 0;
}

static int vmt_trailer(struct trace_reader *r)
{
    struct trace_input *in = &r->in;
    size_t at = in->pos;
    uint64_t count;
    const unsigned char *p = get_varint(in->buf + at + 1, &count);
    if (!p)
        return trace_bad_byte(r, input_offset(in, at + 1), "bad record count in the trailer");
    size_t crc_at = (size_t)(p - in->buf);
    if (crc_at + 4 > in->end)
        return trace_bad_byte(r, input_offset(in, in->end),
                              "truncated vmt trace: the file ends inside the trailer");
    uint32_t crc = input_crc_upto(in, crc_at), stored = get_le32(p);
    if (count != r->records + r->events_dropped)
        return trace_bad_byte(r, input_offset(in, at),
                              "the trailer counts %llu records but the trace holds %llu",
                              (unsigned long long)count,
                              (unsigned long long)(r->records + r->events_dropped));
    if (crc != stored)
        return trace_bad_byte(r, input_offset(in, crc_at),
                              "checksum mismatch (stored %08x, computed %08x): the trace is "
                              "corrupt", stored, crc);
    in->pos = crc_at + 4;
    long more = input_ensure(in, 1);
    if (more < 0)
        return trace_input_failed(r);
    if (more > 0)
        return trace_bad_byte(r, input_offset(in, in->pos), "data after the trailer");
    return 0;
}

/* ---- version 2: events ---- */

/* What each event carries after its tag (trace.h): a CPU, a pid, a second
 * pid, n plain varints, then its text or its segments. */
const struct vmt_event_shape vmt_event_shapes[TRACE_EV_NR] = {
    [TRACE_EV_CONFIG] = {false, false, false, 0},
    [TRACE_EV_CPU] = {true, false, false, 0},
    [TRACE_EV_SWITCH] = {true, true, false, 0},
    [TRACE_EV_COPY] = {false, false, false, 3},
    [TRACE_EV_PROCESS] = {false, true, false, 0},
    [TRACE_EV_EXEC] = {false, true, false, 3},
    [TRACE_EV_FORK] = {false, true, true, 0},
    [TRACE_EV_EXIT] = {false, true, false, 0},
    [TRACE_EV_MMAP] = {false, true, false, 8},
    [TRACE_EV_MUNMAP] = {false, true, false, 2},
    [TRACE_EV_MPROTECT] = {false, true, false, 3},
    [TRACE_EV_MADVISE] = {false, true, false, 3},
    [TRACE_EV_BRK] = {false, true, false, 1},
};

/* Decode the event whose tag is at in->pos into ev; advances past it. */
static int __attribute__((noinline)) vmt_event(struct trace_reader *r, struct trace_event *ev)
{
    struct trace_input *in = &r->in;
    if (input_ensure(in, VMT_MAX_EVENT) < 0)
        return trace_input_failed(r);
    size_t at = in->pos;
    const unsigned char *p = in->buf + at;
    unsigned kind = *p++ >> 2;
    if (r->version < VMT_VERSION_RUN || kind == 0 || kind >= TRACE_EV_NR)
        return trace_bad_byte(r, input_offset(in, at), "bad record tag 0x%02x", in->buf[at]);
    memset(ev, 0, sizeof *ev);
    ev->kind = (enum trace_event_kind)kind;
    uint64_t v[3 + 8];
    unsigned nv = (unsigned)vmt_event_shapes[kind].cpu + vmt_event_shapes[kind].pid + vmt_event_shapes[kind].pid2 +
                  vmt_event_shapes[kind].nargs;
    for (unsigned i = 0; i < nv; i++)
        if (!(p = get_varint(p, &v[i])))
            return trace_bad_byte(r, input_offset(in, at), "bad varint in an event");
    unsigned k = 0;
    if (vmt_event_shapes[kind].cpu)
        ev->cpu = (unsigned)v[k++];
    if (vmt_event_shapes[kind].pid)
        ev->pid = (int)v[k++];
    if (vmt_event_shapes[kind].pid2)
        ev->pid2 = (int)v[k++];
    for (unsigned i = 0; i < vmt_event_shapes[kind].nargs; i++)
        ev->a[i] = v[k++];
    uint64_t n;
    if (kind == TRACE_EV_CONFIG) {
        if (!(p = get_varint(p, &n)) || n >= TRACE_EV_MAX_TEXT)
            return trace_bad_byte(r, input_offset(in, at), "bad configuration text in an event");
        memcpy(ev->text, p, n);
        ev->text[n] = 0;
        p += n;
    } else if (kind == TRACE_EV_EXEC) {
        if (!(p = get_varint(p, &n)) || n > TRACE_EV_MAX_SEGS)
            return trace_bad_byte(r, input_offset(in, at), "bad segment count in an exec event");
        ev->nsegs = (unsigned)n;
        for (unsigned i = 0; i < ev->nsegs; i++) {
            uint64_t f[5];
            for (unsigned j = 0; j < 5; j++)
                if (!(p = get_varint(p, &f[j])))
                    return trace_bad_byte(r, input_offset(in, at), "bad segment in an exec event");
            ev->seg[i] = (struct trace_segment){.flags = (uint32_t)f[0], .vaddr = f[1], .memsz = f[2],
                                                .offset = f[3], .filesz = f[4]};
        }
    }
    if ((size_t)(p - in->buf) > in->end)
        return trace_bad_byte(r, input_offset(in, at),
                              "truncated vmt trace: the file ends inside an event");
    in->pos = (size_t)(p - in->buf);
    return 1;
}

/* An event where trace_next wants accesses only: read and dropped. */
static int __attribute__((noinline)) vmt_skip_event(struct trace_reader *r)
{
    struct trace_event ev;
    int rc = vmt_event(r, &ev);
    if (rc == 1)
        r->events_dropped++;   /* not a record trace_next returns; the trailer counts it */
    return rc;
}

/* Decode a varint of up to 8 bytes without a branch per byte: find the
 * first byte with bit 7 clear, mask the bytes after it away, squeeze out
 * the continuation bits. Returns the length, or 0 if the varint is longer
 * than 8 bytes (get_varint then does it slowly). p may be read 8 bytes
 * ahead: the window has TRACE_INPUT_SLACK bytes of slack. */
static inline unsigned varint_fast(const unsigned char *p, uint64_t *v)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    uint64_t stops = ~x & 0x8080808080808080ull;
    if (!stops)
        return 0;
    unsigned len = ((unsigned)__builtin_ctzll(stops) >> 3) + 1;
    x &= ~0ull >> (64 - 8 * len) & 0x7f7f7f7f7f7f7f7full;
    x = (x & 0x007f007f007f007full) | (x & 0x7f007f007f007f00ull) >> 1;
    x = (x & 0x00003fff00003fffull) | (x & 0x3fff00003fff0000ull) >> 2;
    x = (x & 0x000000000fffffffull) | (x & 0x0fffffff00000000ull) >> 4;
    *v = x;
    return len;
}

int trace_vmt_next(struct trace_reader *r, struct trace_record *rec)
{
    struct trace_input *in = &r->in;
again:
    if (in->end - in->pos < 32 && !in->eof && input_ensure(in, 32) < 0)
        return trace_input_failed(r);
    size_t at = in->pos;
    if (at >= in->end)
        return trace_bad_byte(r, input_offset(in, at),
                              "truncated vmt trace: no trailer after %llu records",
                              (unsigned long long)(r->records + r->events_dropped));
    const unsigned char *p = in->buf + at;
    unsigned tag = *p++;
    unsigned kind = tag & VMT_TAG_KIND;
    if (kind == 3) {
        if (tag == VMT_TAG_TRAILER)
            return vmt_trailer(r);
        if (vmt_skip_event(r) < 0)
            return -1;
        goto again;
    }
    uint64_t zz = 0, size = (tag & VMT_TAG_SIZE) >> 2;
    if (!(tag & VMT_TAG_SAME)) {
        unsigned len = varint_fast(p, &zz);
        if (len)
            p += len;
        else if (!(p = get_varint(p, &zz)))
            return trace_bad_byte(r, input_offset(in, at + 1),
                                  "address varint longer than 10 bytes");
    }
    if (size == 0) {
        const unsigned char *s = p;
        if (!(p = get_varint(p, &size)))
            return trace_bad_byte(r, input_offset(in, (size_t)(s - in->buf)),
                                  "size varint longer than 10 bytes");
        if (size == 0 || size > UINT32_MAX)
            return trace_bad_byte(r, input_offset(in, (size_t)(s - in->buf)),
                                  "bad record size %llu", (unsigned long long)size);
    }
    if ((size_t)(p - in->buf) > in->end)
        return trace_bad_byte(r, input_offset(in, at),
                              "truncated vmt trace: the file ends inside a record");
    uint64_t delta = (zz >> 1) ^ -(zz & 1);
    vaddr_t va = (kind == VM_ACCESS_FETCH ? r->prev_fetch_end : r->prev_data) + delta;
    if (va + (size - 1) < va)
        return trace_bad_byte(r, input_offset(in, at),
                              "access wraps past the top of the address space");
    if (kind == VM_ACCESS_FETCH)
        r->prev_fetch_end = va + size;
    else
        r->prev_data = va;
    rec->va = va;
    rec->size = (uint32_t)size;
    rec->kind = (enum vm_access)kind;
    in->pos = (size_t)(p - in->buf);
    return 1;
}

int trace_vmt_next_event(struct trace_reader *r, struct trace_event *ev)
{
    struct trace_input *in = &r->in;
    if (in->end - in->pos < 1 && !in->eof && input_ensure(in, 1) < 0)
        return trace_input_failed(r);
    if (in->pos < in->end && (in->buf[in->pos] & VMT_TAG_KIND) == 3 &&
        in->buf[in->pos] != VMT_TAG_TRAILER)
        return vmt_event(r, ev);
    ev->kind = TRACE_EV_ACCESS;
    return trace_vmt_next(r, &ev->rec);   /* an access, or the trailer */
}
