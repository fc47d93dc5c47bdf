/* trace_lackey.c — Valgrind lackey's --trace-mem=yes output.
 *
 *     ==4242== Lackey, an example Valgrind tool      (Valgrind's own lines)
 *     I  0401ab70,3                                  instruction fetch
 *      L 1fff000708,8                                load
 *      S 1fff000700,8                                store
 *      M 0061a020,4                                  modify: load, then store
 *
 * The line shapes are exact: "I" then two spaces, or a space, L/S/M and a
 * space; the address in hex (1-16 digits, no 0x); a comma; the size in
 * decimal (1..TRACE_MAX_TEXT_SIZE); the end of the line ("\r\n" allowed).
 * Lines starting "==PID==", "--PID--" or "**PID**" are Valgrind's own
 * messages and are skipped. Anything else is malformed.
 *
 * This is the hot path of big traces (lackey writes ~16 bytes per access),
 * so the line is parsed by hand with a digit table: no sscanf, no per-line
 * search for the newline.
 */
#include <string.h>

#include "replay/trace_impl.h"

/* "==1234==", "--1234--" or "**1234**" at p. */
bool trace_lackey_comment(const unsigned char *p)
{
    unsigned char c = p[0];
    if ((c != '=' && c != '-' && c != '*') || p[1] != c)
        return false;
    p += 2;
    const unsigned char *digits = p;
    while (*p >= '0' && *p <= '9')
        p++;
    return p > digits && p[0] == c && p[1] == c;
}

enum lackey_parse {
    LK_RECORD,    /* *rec filled (M: kind is READ, caller adds the store) */
    LK_MODIFY,
    LK_COMMENT,
    LK_BAD,
};

/* Parse the line at p. Sets *nl to the line's '\n' on success, else *why
 * and *at describe the problem. */
static inline __attribute__((always_inline)) enum lackey_parse
parse_lackey(const unsigned char *p, struct trace_record *rec,
                                      const unsigned char **nl, const char **why,
                                      const unsigned char **at)
{
    enum lackey_parse res = LK_RECORD;
    if (p[0] == 'I' && p[1] == ' ' && p[2] == ' ') {
        rec->kind = VM_ACCESS_FETCH;
    } else if (p[0] == ' ' && p[2] == ' ' && p[1] == 'L') {
        rec->kind = VM_ACCESS_READ;
    } else if (p[0] == ' ' && p[2] == ' ' && p[1] == 'S') {
        rec->kind = VM_ACCESS_WRITE;
    } else if (p[0] == ' ' && p[2] == ' ' && p[1] == 'M') {
        rec->kind = VM_ACCESS_READ;
        res = LK_MODIFY;
    } else if (trace_lackey_comment(p)) {
        *nl = rawmemchr(p, '\n');   /* a '\n' always ends the line */
        return LK_COMMENT;
    } else {
        *why = "expected 'I  ', ' L ', ' S ', ' M ' or a Valgrind '==PID==' line, got";
        *at = p;
        return LK_BAD;
    }
    p += 3;
    const unsigned char *digits = p;
    uint64_t va = 0;
    unsigned d;
    /* Lackey prints at least 8 digits (%08lx): take 8 at once when they
     * are all hex (independent lookups, one predictable branch), then the
     * rest one by one. A 0 in the table marks a non-digit. */
    const unsigned char *t = trace_hexval;
    unsigned d0 = t[p[0]], d1 = t[p[1]], d2 = t[p[2]], d3 = t[p[3]];
    unsigned d4 = t[p[4]], d5 = t[p[5]], d6 = t[p[6]], d7 = t[p[7]];
    if (d0 && d1 && d2 && d3 && d4 && d5 && d6 && d7) {
        va = (uint64_t)(d0 - 1) << 28 | (uint64_t)(d1 - 1) << 24 | (d2 - 1) << 20 |
             (d3 - 1) << 16 | (d4 - 1) << 12 | (d5 - 1) << 8 | (d6 - 1) << 4 | (d7 - 1);
        p += 8;
    }
    while ((d = trace_hexval[*p]) != 0) {
        va = va << 4 | (d - 1);
        p++;
    }
    if (p == digits || p - digits > 16 || *p != ',') {
        *why = p == digits || p - digits > 16 || *p == '\n' || *p == '\r' || *p == ' '
                   ? "bad address"
                   : "bad address (expected hex digits, then ',')";
        *at = digits;
        return LK_BAD;
    }
    const unsigned char *sz = ++p;
    uint64_t size = 0;
    while (*p >= '0' && *p <= '9' && p - sz < 8)
        size = size * 10 + (uint64_t)(*p++ - '0');
    if (*p == '\r')
        p++;
    if (p == sz || *p != '\n') {
        *why = "bad size";
        *at = sz;
        return LK_BAD;
    }
    if (size == 0 || size > TRACE_MAX_TEXT_SIZE) {
        *why = size ? "size too large (at most 1048576)" : "bad size";
        *at = sz;
        return LK_BAD;
    }
    if (va + (size - 1) < va) {
        *why = "access wraps past the top of the address space at";
        *at = digits;
        return LK_BAD;
    }
    rec->va = va;
    rec->size = (uint32_t)size;
    *nl = p;
    return res;
}

int trace_lackey_next(struct trace_reader *r, struct trace_record *rec)
{
    if (r->has_pending) {
        r->has_pending = false;
        *rec = r->pending;
        return 1;
    }
    struct trace_input *in = &r->in;
    for (;;) {
        if (in->pos >= in->units_end) {
            int s = trace_text_more(r, UNIT_LINE);
            if (s <= 0)
                return s;
        }
        const unsigned char *line = in->buf + in->pos;
        const unsigned char *nl = NULL, *at = NULL;
        const char *why = NULL;
        enum lackey_parse res = parse_lackey(line, rec, &nl, &why, &at);
        if (res != LK_BAD) {
            in->pos = (size_t)(nl - in->buf) + 1;
            r->line++;
            if (res == LK_COMMENT)
                continue;
            if (res == LK_MODIFY) {
                r->pending = *rec;
                r->pending.kind = VM_ACCESS_WRITE;
                r->has_pending = true;
            }
            return 1;
        }
        if (trace_bad_line(r, line, why, at) < 0)
            return -1;
    }
}

bool trace_lackey_line_ok(const unsigned char *p)
{
    struct trace_record rec;
    const unsigned char *nl, *at;
    const char *why;
    enum lackey_parse res = parse_lackey(p, &rec, &nl, &why, &at);
    return res == LK_RECORD || res == LK_MODIFY;
}
