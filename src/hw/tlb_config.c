/* tlb_config.c — TLB presets, checks, the geometry option parser, and
 * where pages of each size go (reach).
 *
 * The presets' sources are listed in docs/machine.md ("Presets"). Where a
 * number is not published (page-walk-cache sizes, some associativities),
 * vmlab uses ChampSim's defaults and says so there.
 */
#include <vmlab/pt.h>
#include <vmlab/tlb.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/tlb_impl.h"

const unsigned char tlb_size_shift[TLB_NSIZES] = {12, 21, 30, 22};

#define ARR(n, w, s) {.entries = (n), .ways = (w), .sizes = (s)}

static const struct tlb_config presets[] = {
    {
        /* Intel Golden Cove P-core (12th-14th gen). The 16-entry store-only
         * DTLB is not modelled; STLB holding 1G is an assumption. */
        .name = "golden-cove",
        .l1i = {{ARR(256, 8, TLB_4K), ARR(32, 32, TLB_2M | TLB_4M)}},
        .l1d = {{ARR(96, 6, TLB_4K), ARR(32, 4, TLB_2M), ARR(8, 8, TLB_1G)}},
        .l2 = {{ARR(2048, 16, TLB_ALL)}},
        .repl = TLB_REPL_LRU,
        .pwc = {0, 32, 8, 4, 2},
    },
    {
        /* AMD Zen 4. Its separate 512-entry L2 ITLB is folded into the
         * unified L2; 1G pages are stored as 2M there, as on the part. */
        .name = "zen4",
        .l1i = {{ARR(64, 64, TLB_ALL)}},
        .l1d = {{ARR(72, 72, TLB_ALL)}},
        .l2 = {{ARR(3072, 24, TLB_4K | TLB_2M)}},
        .repl = TLB_REPL_LRU,
        .pwc = {0, 32, 8, 4, 2},
    },
    {
        /* Intel Haswell (4th gen Core), the lectures' example of a
         * multi-level TLB: the optimization manual's "TLB Parameters"
         * table. Its 2M/4M ITLB (8 entries per thread, associativity not
         * given) is modelled fully associative for one thread. */
        .name = "haswell",
        .l1i = {{ARR(128, 4, TLB_4K), ARR(8, 8, TLB_2M | TLB_4M)}},
        .l1d = {{ARR(64, 4, TLB_4K), ARR(32, 4, TLB_2M | TLB_4M), ARR(4, 4, TLB_1G)}},
        .l2 = {{ARR(1024, 8, TLB_4K | TLB_2M | TLB_4M)}},
        .repl = TLB_REPL_LRU,
        .pwc = {0, 32, 8, 4, 2},
    },
    {
        /* MIPS R3000, the lectures' software-managed TLB: one 64-entry
         * fully associative TLB of 4 KiB pages that the kernel refills
         * (TLBWR writes a pseudo-random entry). It is the L2 here, the
         * level software writes, with no micro-TLBs in front of it; the
         * R3000's 8 wired entries are not modelled (nothing here wires). */
        .name = "r3000",
        .l2 = {{ARR(64, 64, TLB_4K)}},
        .repl = TLB_REPL_RANDOM,
    },
    {
        /* For teaching: small enough to follow by hand. */
        .name = "tiny",
        .l1i = {{ARR(8, 8, TLB_ALL)}},
        .l1d = {{ARR(8, 8, TLB_ALL)}},
        .repl = TLB_REPL_LRU,
    },
    {
        /* No TLB: every access walks. */
        .name = "none",
        .repl = TLB_REPL_LRU,
    },
};

const char *const tlb_preset_names[] = {"golden-cove", "zen4", "haswell", "r3000", "tiny", "none",
                                        NULL};

const struct tlb_config *tlb_preset(const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (!strcmp(presets[i].name, name))
            return &presets[i];
    return NULL;
}

static int check_level(const char *name, const struct tlb_level *lv, enum tlb_repl repl,
                       char *err, size_t errlen)
{
    for (unsigned i = 0; i < TLB_MAX_ARRAYS; i++) {
        const struct tlb_array *a = &lv->array[i];
        if (!a->entries)
            continue;
        if (!a->ways || a->entries % a->ways) {
            snprintf(err, errlen, "%s: %u entries cannot be split into sets of %u ways", name,
                     a->entries, a->ways);
            return -1;
        }
        if (a->entries > (1u << 20)) {
            snprintf(err, errlen, "%s: %u entries is more than 1048576", name, a->entries);
            return -1;
        }
        if (!a->sizes || (a->sizes & ~TLB_ALL)) {
            snprintf(err, errlen, "%s: array %u holds no page size", name, i);
            return -1;
        }
        if (repl == TLB_REPL_PLRU && (a->ways > 64 || (a->ways & (a->ways - 1)))) {
            snprintf(err, errlen, "%s: tree-PLRU needs a power-of-two number of ways up to 64, not %u",
                     name, a->ways);
            return -1;
        }
    }
    return 0;
}

int tlb_config_check(const struct tlb_config *cfg, char *err, size_t errlen)
{
    if (check_level("l1i", &cfg->l1i, cfg->repl, err, errlen) ||
        check_level("l1d", &cfg->l1d, cfg->repl, err, errlen) ||
        check_level("l2", &cfg->l2, cfg->repl, err, errlen))
        return -1;
    for (unsigned l = 1; l < 5; l++)
        if (cfg->pwc[l] > 4096) {
            snprintf(err, errlen, "pwc: %u entries at level %u is more than 4096", cfg->pwc[l], l);
            return -1;
        }
    return 0;
}

/* ---- parsing "l1d=64x4:4k;32x4:2m,l2=1536x12,pwc=2/4/8/32,repl=plru" ---- */

static int parse_uint(const char *s, const char *end, unsigned *out)
{
    if (s == end)
        return -1;
    unsigned long v = 0;
    for (; s < end; s++) {
        if (!isdigit((unsigned char)*s))
            return -1;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > 100000000ul)
            return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static int parse_sizes(const char *s, const char *end, unsigned *sizes)
{
    *sizes = 0;
    while (s < end) {
        const char *p = memchr(s, '+', (size_t)(end - s));
        if (!p)
            p = end;
        size_t n = (size_t)(p - s);
        if (n == 2 && !strncasecmp(s, "4k", 2))
            *sizes |= TLB_4K;
        else if (n == 2 && !strncasecmp(s, "2m", 2))
            *sizes |= TLB_2M;
        else if (n == 2 && !strncasecmp(s, "1g", 2))
            *sizes |= TLB_1G;
        else if (n == 2 && !strncasecmp(s, "4m", 2))
            *sizes |= TLB_4M;
        else if (n == 3 && !strncasecmp(s, "all", 3))
            *sizes |= TLB_ALL;
        else
            return -1;
        s = p < end ? p + 1 : end;
    }
    return *sizes ? 0 : -1;
}

/* One array: ENTRIES x WAYS [:SIZES] */
static int parse_array(const char *s, const char *end, struct tlb_array *a)
{
    const char *x = memchr(s, 'x', (size_t)(end - s));
    const char *colon = memchr(s, ':', (size_t)(end - s));
    const char *geom_end = colon ? colon : end;
    if (!x || x > geom_end || parse_uint(s, x, &a->entries) || !a->entries)
        return -1;
    if ((size_t)(geom_end - x - 1) == 4 && !strncmp(x + 1, "full", 4))
        a->ways = a->entries;
    else if (parse_uint(x + 1, geom_end, &a->ways) || !a->ways)
        return -1;
    a->sizes = TLB_ALL;
    if (colon && parse_sizes(colon + 1, end, &a->sizes))
        return -1;
    return 0;
}

/* Why an array list ("64x0", "0x4", "64x4:3k") was refused, for the
 * message; NULL if nothing more specific than "not understood". */
static const char *array_problem(const char *s, const char *end)
{
    while (s < end) {
        const char *p = memchr(s, ';', (size_t)(end - s));
        if (!p)
            p = end;
        const char *x = memchr(s, 'x', (size_t)(p - s));
        const char *colon = memchr(s, ':', (size_t)(p - s));
        const char *geom_end = colon ? colon : p;
        unsigned v;
        if (!x || x > geom_end)
            return "an array is ENTRIESxWAYS, e.g. 64x4 or 64xfull";
        if (parse_uint(s, x, &v))
            return "ENTRIES must be a number";
        if (v == 0)
            return "ENTRIES must be at least 1 (write none for no array)";
        bool full = (size_t)(geom_end - x - 1) == 4 && !strncmp(x + 1, "full", 4);
        if (!full && parse_uint(x + 1, geom_end, &v))
            return "WAYS must be a number or full";
        if (!full && v == 0)
            return "WAYS must be at least 1 (or full)";
        unsigned sizes;
        if (colon && parse_sizes(colon + 1, p, &sizes))
            return "page sizes are 4k, 2m, 1g or all, joined by +";
        s = p < end ? p + 1 : end;
    }
    return NULL;
}

static int parse_level(const char *s, const char *end, struct tlb_level *lv)
{
    memset(lv, 0, sizeof *lv);
    if ((end - s == 4 && !strncmp(s, "none", 4)) || (end - s == 1 && *s == '0'))
        return 0;
    unsigned n = 0;
    while (s < end) {
        const char *p = memchr(s, ';', (size_t)(end - s));
        if (!p)
            p = end;
        if (n == TLB_MAX_ARRAYS || parse_array(s, p, &lv->array[n++]))
            return -1;
        s = p < end ? p + 1 : end;
    }
    return 0;
}

static int parse_pwc(const char *s, const char *end, unsigned pwc[5])
{
    /* "L5/L4/L3/L2" as ChampSim writes it, or "none" */
    unsigned v[4] = {0};
    if (end - s == 4 && !strncmp(s, "none", 4)) {
        memset(pwc, 0, 5 * sizeof *pwc);
        return 0;
    }
    for (unsigned i = 0; i < 4; i++) {
        const char *p = memchr(s, '/', (size_t)(end - s));
        if (!p)
            p = end;
        if ((i < 3) != (p < end) || parse_uint(s, p, &v[i]))
            return -1;
        s = p < end ? p + 1 : end;
    }
    pwc[4] = v[0];
    pwc[3] = v[1];
    pwc[2] = v[2];
    pwc[1] = v[3];
    return 0;
}

int tlb_config_parse(struct tlb_config *cfg, const char *spec, char *err, size_t errlen)
{
    struct tlb_config c = *cfg;
    const char *s = spec;
    while (*s) {
        const char *end = strchr(s, ',');
        if (!end)
            end = s + strlen(s);
        const char *eq = memchr(s, '=', (size_t)(end - s));
        int bad = !eq;
        const char *why = NULL;
        if (eq && eq + 1 == end) {
            bad = 1;
            why = "no value after '=' (none means no such level)";
        } else if (eq) {
            size_t klen = (size_t)(eq - s);
            const char *v = eq + 1;
            if (klen == 3 && !strncmp(s, "l1i", 3))
                bad = parse_level(v, end, &c.l1i);
            else if (klen == 3 && !strncmp(s, "l1d", 3))
                bad = parse_level(v, end, &c.l1d);
            else if (klen == 2 && !strncmp(s, "l2", 2))
                bad = parse_level(v, end, &c.l2);
            else if (klen == 3 && !strncmp(s, "pwc", 3))
                bad = parse_pwc(v, end, c.pwc);
            else if (klen == 4 && !strncmp(s, "repl", 4)) {
                size_t n = (size_t)(end - v);
                if (n == 3 && !strncmp(v, "lru", 3))
                    c.repl = TLB_REPL_LRU;
                else if (n == 4 && !strncmp(v, "plru", 4))
                    c.repl = TLB_REPL_PLRU;
                else if (n == 6 && !strncmp(v, "random", 6))
                    c.repl = TLB_REPL_RANDOM;
                else
                    bad = 1;
            } else if (klen == 4 && !strncmp(s, "seed", 4)) {
                char *e2;
                errno = 0;
                unsigned long long seed = strtoull(v, &e2, 0);
                bad = errno || e2 != end;
                c.seed = seed;
            } else {
                bad = 1;
            }
        }
        if (bad && !why && s[0] == 'l' && eq && (eq - s == 2 || eq - s == 3))
            why = array_problem(eq + 1, end);   /* l1i, l1d, l2: say what is wrong */
        if (bad) {
            snprintf(err, errlen,
                     "TLB geometry '%.*s' (at offset %zu of '%s') is not understood%s%s; "
                     "expected e.g. l1d=64x4, l1i=64xfull:4k+2m+4m, l2=1536x12, pwc=2/4/8/32, "
                     "repl=lru|plru|random, seed=N (sizes: 4k, 2m, 1g, 4m, all)",
                     (int)(end - s), s, (size_t)(s - spec), spec, why ? ": " : "", why ? why : "");
            return -1;
        }
        s = *end ? end + 1 : end;
    }
    if (tlb_config_check(&c, err, errlen))
        return -1;
    if (strlen(c.name) + 9 < sizeof c.name && !strstr(c.name, "+custom"))
        strcat(c.name, "+custom");
    *cfg = c;
    return 0;
}

static void sizes_name(unsigned sizes, char out[16])
{
    if (sizes == TLB_ALL) {
        strcpy(out, "all");
        return;
    }
    out[0] = 0;
    static const char *const names[TLB_NSIZES] = {"4k", "2m", "1g", "4m"};
    for (unsigned s = 0; s < TLB_NSIZES; s++)
        if (sizes & (1u << s)) {
            if (out[0])
                strcat(out, "+");
            strcat(out, names[s]);
        }
}

static size_t describe_level(char *buf, size_t len, const char *name, const struct tlb_level *lv)
{
    size_t n = (size_t)snprintf(buf, len, "%s=", name);
    bool any = false;
    for (unsigned i = 0; i < TLB_MAX_ARRAYS && n < len; i++) {
        const struct tlb_array *a = &lv->array[i];
        if (!a->entries)
            continue;
        char ways[16], sizes[16];
        if (a->ways == a->entries)
            snprintf(ways, sizeof ways, "full");
        else
            snprintf(ways, sizeof ways, "%u", a->ways);
        sizes_name(a->sizes, sizes);
        n += (size_t)snprintf(buf + n, len - n, "%s%ux%s:%s", any ? ";" : "", a->entries, ways, sizes);
        any = true;
    }
    if (!any && n < len)
        n += (size_t)snprintf(buf + n, len - n, "none");
    return n < len ? n : len;
}

void tlb_config_describe(const struct tlb_config *cfg, char *buf, size_t len)
{
    static const char *const repl[] = {"lru", "plru", "random"};
    size_t n = describe_level(buf, len, "l1i", &cfg->l1i);
    if (n + 1 < len) { buf[n++] = ','; buf[n] = 0; }
    n += describe_level(buf + n, len - n, "l1d", &cfg->l1d);
    if (n + 1 < len) { buf[n++] = ','; buf[n] = 0; }
    n += describe_level(buf + n, len - n, "l2", &cfg->l2);
    if (n < len)
        snprintf(buf + n, len - n, ",pwc=%u/%u/%u/%u,repl=%s", cfg->pwc[4], cfg->pwc[3],
                 cfg->pwc[2], cfg->pwc[1], repl[cfg->repl]);
}

/* ---- where pages go, and how much they reach ---- */

int tlb_level_piece(const struct tlb_level *lv, unsigned page_shift, unsigned allowed,
                    unsigned *array)
{
    unsigned held = 0;
    for (unsigned i = 0; i < TLB_MAX_ARRAYS; i++)
        if (lv->array[i].entries)
            held |= lv->array[i].sizes;
    int s = tlb_piece_size(held, page_shift, allowed);
    if (s >= 0 && array)
        for (unsigned i = 0; i < TLB_MAX_ARRAYS; i++)
            if (lv->array[i].entries && (lv->array[i].sizes & (1u << s))) {
                *array = i;
                break;
            }
    return s;
}

unsigned tlb_format_sizes(const struct pt_format *fmt)
{
    unsigned sizes = 0;
    for (unsigned l = 0; l <= fmt->max_leaf_level; l++)
        for (unsigned s = 0; s < TLB_NSIZES; s++)
            if (tlb_size_shift[s] == pt_fmt_shift(fmt, l))
                sizes |= 1u << s;
    return sizes;
}

uint64_t tlb_level_reach(const struct tlb_level *lv, const struct pt_format *fmt,
                         unsigned page_shift)
{
    unsigned a;
    int s = tlb_level_piece(lv, page_shift, tlb_format_sizes(fmt), &a);
    if (s < 0)
        return 0;
    return (uint64_t)lv->array[a].entries << tlb_size_shift[s];
}

const char *tlb_page_size_name(unsigned page_shift)
{
    switch (page_shift) {
    case 12: return "4 KiB";
    case 21: return "2 MiB";
    case 22: return "4 MiB";
    case 30: return "1 GiB";
    case 39: return "512 GiB";
    case 48: return "256 TiB";
    default: return "?";
    }
}

/* bytes as "384 KiB", "64 MiB", "8 GiB" (exact powers of 1024 times n) */
static void bytes_name(uint64_t b, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    unsigned u = 0;
    while (u < 5 && b >= 1024 && b % 1024 == 0) {
        b /= 1024;
        u++;
    }
    snprintf(buf, len, "%llu %s", (unsigned long long)b, unit[u]);
}

void tlb_reach_describe(const struct tlb_level *lv, const struct pt_format *fmt, char *buf,
                        size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (unsigned l = 0; l <= fmt->max_leaf_level && n < len; l++) {
        unsigned shift = pt_fmt_shift(fmt, l), a;
        int s = tlb_level_piece(lv, shift, tlb_format_sizes(fmt), &a);
        if (s < 0)
            continue;
        char total[32];
        bytes_name((uint64_t)lv->array[a].entries << tlb_size_shift[s], total, sizeof total);
        n += (size_t)snprintf(buf + n, len - n, "%s%s pages: %u x %s = %s", n ? "; " : "",
                              tlb_page_size_name(shift), lv->array[a].entries,
                              tlb_page_size_name(tlb_size_shift[s]), total);
    }
    if (!buf[0])
        snprintf(buf, len, "none");
}
