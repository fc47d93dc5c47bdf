/* trace_rw.c — the course trace format: "hexaddr R|W" per line.
 *
 *     0041f7a0 R
 *     31348900 W
 *
 * The address is 1 to 16 hex digits (an 0x prefix is allowed), then white
 * space, then R or W (either case), then optional white space. Blank lines
 * are ignored. Each access is 1 byte, so each line touches exactly one
 * page, which is what the course simulators count.
 */
#include <string.h>

#include "replay/trace_impl.h"

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* Parse the line at p. Returns the end of the line (its '\n'), or NULL
 * with *why set. */
static const unsigned char *parse_rw(const unsigned char *p, struct trace_record *rec,
                                     const char **why, const unsigned char **at)
{
    while (is_blank(*p))
        p++;
    if (*p == '\r' && p[1] == '\n')
        p++;
    if (*p == '\n') {
        rec->size = 0;   /* blank line */
        return p;
    }
    const unsigned char *tok = p;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    const unsigned char *digits = p;
    uint64_t va = 0;
    unsigned d;
    while ((d = trace_hexval[*p]) != 0) {
        va = va << 4 | (d - 1);
        p++;
    }
    if (p == digits || p - digits > 16 || !(is_blank(*p))) {
        *at = tok;
        *why = "bad address";
        return NULL;
    }
    while (is_blank(*p))
        p++;
    if ((*p | 0x20) == 'r')
        rec->kind = VM_ACCESS_READ;
    else if ((*p | 0x20) == 'w')
        rec->kind = VM_ACCESS_WRITE;
    else {
        *at = p;
        *why = "expected R or W after the address, got";
        return NULL;
    }
    const unsigned char *kind = p++;
    while (is_blank(*p))
        p++;
    if (*p == '\r')
        p++;
    if (*p != '\n') {
        *at = kind;
        *why = "unexpected text after the access kind";
        return NULL;
    }
    rec->va = va;
    rec->size = 1;
    return p;
}

int trace_rw_next(struct trace_reader *r, struct trace_record *rec)
{
    struct trace_input *in = &r->in;
    for (;;) {
        if (in->pos >= in->units_end) {
            int s = trace_text_more(r, UNIT_LINE);
            if (s <= 0)
                return s;
        }
        const unsigned char *line = in->buf + in->pos;
        const char *why = NULL;
        const unsigned char *at = NULL;
        const unsigned char *nl = parse_rw(line, rec, &why, &at);
        if (nl) {
            in->pos = (size_t)(nl - in->buf) + 1;
            r->line++;
            if (rec->size)
                return 1;
            continue;
        }
        if (trace_bad_line(r, line, why, at) < 0)
            return -1;
    }
}

bool trace_rw_line_ok(const unsigned char *p)
{
    struct trace_record rec;
    const char *why;
    const unsigned char *at;
    return parse_rw(p, &rec, &why, &at) && rec.size;
}
