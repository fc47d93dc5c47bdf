/* trace_decomp.h — gzip, xz and zstd decoding for trace_input (internal). */
#ifndef VMLAB_TRACE_DECOMP_H
#define VMLAB_TRACE_DECOMP_H

#include <stddef.h>

#include "replay/trace_input.h"

/* The compression whose magic starts p[0, n) (TRACE_PLAIN if none). */
enum trace_compression decomp_detect(const unsigned char *p, size_t n);

/* Start decoding in->comp. Returns 0, or -1 with a message in in->err. */
int decomp_start(struct trace_input *in);
/* Decode up to n bytes into dst, refilling the raw buffer as needed.
 * Returns the number decoded (> 0), 0 at the end of the compressed
 * stream, -1 on error (corrupt or truncated data, I/O error). */
long decomp_read(struct trace_input *in, unsigned char *dst, size_t n);
void decomp_end(struct trace_input *in);

/* Read more raw bytes (in->raw_pos == in->raw_end). Returns the number
 * read, 0 at EOF, -1 on error. Defined in trace_input.c. */
long input_raw_fill(struct trace_input *in);
/* Format a message "NAME: MSG" into in->err. Defined in trace_input.c. */
void input_fail(struct trace_input *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
