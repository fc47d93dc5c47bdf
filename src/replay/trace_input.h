/* trace_input.h — the byte stream under every trace reader (internal).
 *
 * A trace_input delivers the decompressed bytes of a file, a pipe or a
 * memory buffer through one window, buf[pos, end), that the readers parse
 * in place. Compressed input (gzip, xz, zstd) is recognised by its magic
 * bytes and decompressed on the fly; nothing seeks, so pipes work.
 *
 * The window keeps TRACE_INPUT_SLACK bytes after end that readers may look
 * at without a bounds check: zero bytes (binary readers stop on them), and
 * for text a '\n' written after a last line that has none.
 *
 * Two ways to ask for more:
 *   input_units()  text: make sure buf[pos, units_end) holds whole units
 *                  (lines, or refs tokens) ending in a delimiter, so a
 *                  parser can run to the delimiter without bounds checks;
 *   input_ensure() binary: make sure n bytes are in the window, or EOF.
 */
#ifndef VMLAB_TRACE_INPUT_H
#define VMLAB_TRACE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmlab/trace.h>

#define TRACE_INPUT_CAP   (1u << 20)   /* window size */
#define TRACE_INPUT_SLACK 64           /* readable bytes past end */
#define TRACE_RAW_CAP     (1u << 18)   /* compressed read buffer */

enum input_unit {
    UNIT_LINE,    /* delimited by '\n' */
    UNIT_TOKEN,   /* delimited by white space or ',' (refs) */
};

struct trace_input {
    /* Raw (possibly compressed) bytes: from fd, or all of mem at once. */
    int fd;                         /* -1 for memory */
    const unsigned char *raw;       /* raw_buf, or the caller's memory */
    unsigned char *raw_buf;
    size_t raw_pos, raw_end;
    bool raw_eof;
    uint64_t raw_base;              /* raw offset of raw[0] */

    enum trace_compression comp;
    void *dec;                      /* z_stream, lzma_stream or ZSTD_DStream */
    bool dec_done;                  /* decoder saw the end of its stream */
    bool dec_frame_open;            /* zstd: inside a frame */

    /* Decompressed window. */
    unsigned char *buf;
    size_t cap;                     /* window size: TRACE_INPUT_CAP, or less
                                       for a small plain memory input */
    size_t pos, end;
    size_t units_end;               /* whole units lie in [pos, units_end) */
    size_t scanned;                 /* bytes [.., scanned) searched for a delimiter */
    bool eof;                       /* the source has no more bytes */
    bool newline_added;             /* a '\n' was appended at EOF */
    uint64_t base;                  /* stream offset of buf[0] */

    /* Optional CRC-32 of every byte consumed (vmt). */
    bool crc_on;
    uint32_t crc;
    size_t crc_pos;                 /* bytes before this are in crc */

    const char *name;               /* for messages */
    char *err;                      /* message buffer (the reader's) */
    size_t errlen;
};

/* Set up over a descriptor or over memory, detect compression. Returns 0,
 * or -1 with a message in in->err. */
int input_open_fd(struct trace_input *in, int fd, const char *name, char *err, size_t errlen);
int input_open_mem(struct trace_input *in, const void *data, size_t len, const char *name,
                   char *err, size_t errlen);
void input_close(struct trace_input *in);

/* Read more source bytes into the window (moving unread bytes to the
 * front first). Returns the number added, 0 at EOF, -1 on error. */
long input_fill(struct trace_input *in);

/* Make buf[pos, units_end) non-empty and made of whole units. Returns 1,
 * 0 at the end of input, -1 on error, -2 if a unit is longer than
 * TRACE_MAX_LINE (pos is then at its start; input_drop_unit skips it). */
int input_units(struct trace_input *in, enum input_unit u);
/* Skip the over-long unit at pos, up to and including its delimiter.
 * Returns 0, or -1 on error. */
int input_drop_unit(struct trace_input *in, enum input_unit u);

/* Make at least n bytes available at pos unless the input ends first.
 * Returns the number available (may be < n at EOF), -1 on error. */
long input_ensure(struct trace_input *in, size_t n);

/* Offset in the decompressed stream of buf[i]. */
static inline uint64_t input_offset(const struct trace_input *in, size_t i)
{
    return in->base + i;
}

/* CRC-32 of the consumed stream up to buf[i] (i >= crc_pos). */
uint32_t input_crc_upto(struct trace_input *in, size_t i);

#endif
