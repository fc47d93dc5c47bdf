/* trace_refs.c — reference strings: page numbers, one access each.
 *
 *     0,1,2,0,1,3  0 3
 *     7w 7 8r
 *
 * Entries are separated by commas and/or white space (newlines included),
 * so OSTEP's "-a 0,1,2,0" list and one-number-per-line files both read.
 * An entry is a page number, decimal or 0x-prefixed hex, below 2^52, with
 * an optional suffix: 'r' (read, the default) or 'w' (write), either case.
 * Each entry becomes a 1-byte access at va = page << 12.
 */
#include "replay/trace_impl.h"

#define REFS_MAX_PAGE ((uint64_t)1 << (64 - VM_PAGE_SHIFT))

static bool is_sep(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\v' || c == '\f';
}

/* Parse the entry at p into *rec; returns the byte after it, or NULL. */
static const unsigned char *parse_entry(const unsigned char *p, struct trace_record *rec,
                                        const char **why)
{
    uint64_t page = 0;
    const unsigned char *digits;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        digits = p += 2;
        unsigned d;
        while ((d = trace_hexval[*p]) != 0) {
            if (page < REFS_MAX_PAGE)   /* else stays too large */
                page = page << 4 | (d - 1);
            p++;
        }
    } else {
        digits = p;
        while (*p >= '0' && *p <= '9') {
            if (page < REFS_MAX_PAGE)
                page = page * 10 + (uint64_t)(*p - '0');
            p++;
        }
    }
    if (p == digits) {   /* "w", "r", "0x", "0xw": a suffix is no page number */
        *why = "bad page number";
        return NULL;
    }
    rec->kind = VM_ACCESS_READ;
    if ((*p | 0x20) == 'w') {
        rec->kind = VM_ACCESS_WRITE;
        p++;
    } else if ((*p | 0x20) == 'r') {
        p++;
    }
    if (!is_sep(*p)) {
        *why = "bad page number";
        return NULL;
    }
    if (page >= REFS_MAX_PAGE) {
        *why = "page number too large (at most 2^52-1)";
        return NULL;
    }
    rec->va = page << VM_PAGE_SHIFT;
    rec->size = 1;
    return p;
}

int trace_refs_next(struct trace_reader *r, struct trace_record *rec)
{
    struct trace_input *in = &r->in;
    for (;;) {
        /* Skip separators, counting lines. */
        while (in->pos < in->units_end && is_sep(in->buf[in->pos]))
            if (in->buf[in->pos++] == '\n')
                r->line++;
        if (in->pos >= in->units_end) {
            int s = trace_text_more(r, UNIT_TOKEN);
            if (s <= 0)
                return s;
            continue;
        }
        const unsigned char *tok = in->buf + in->pos;
        const char *why = NULL;
        const unsigned char *end = parse_entry(tok, rec, &why);
        if (end) {
            in->pos = (size_t)(end - in->buf);
            return 1;
        }
        char q[128];
        if (trace_bad_unit(r, "%s '%s'", why, trace_quote(tok, q, sizeof q)) < 0)
            return -1;
        while (!is_sep(in->buf[in->pos]))   /* a separator ends every unit */
            in->pos++;
    }
}

bool trace_refs_line_ok(const unsigned char *p)
{
    struct trace_record rec;
    const char *why;
    bool any = false;
    for (;;) {
        while (is_sep(*p) && *p != '\n')
            p++;
        if (*p == '\n')
            return any;
        p = parse_entry(p, &rec, &why);
        if (!p)
            return false;
        any = true;
    }
}
