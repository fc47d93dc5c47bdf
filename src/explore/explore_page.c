/* explore_page.c — the explorer's page: its HTML, style and script (built
 * into the binary from src/explore/page.*) around the recorded data, as
 * one self-contained file that needs no network. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explore/explore_impl.h"

/* The template's markers, each replaced by its part. */
static const char *const markers[] = {"<!--VMLAB-TITLE-->", "<!--VMLAB-STYLE-->",
                                      "<!--VMLAB-DATA-->", "<!--VMLAB-SCRIPT-->"};

static void format_json(const struct explorer *x, struct xbuf *b)
{
    const struct pt_format *f = x->fmt;
    xb_printf(b, "\"format\":{\"name\":\"%s\",\"arch\":\"%s\",\"levels\":%u,\"index_bits\":%u,"
                 "\"pte_bytes\":%u,\"va_bits\":%u,\"halves\":%s,\"shifts\":[",
              f->name, f->arch == PT_ARCH_X86 ? "x86" : "riscv", f->levels, f->index_bits,
              f->pte_bytes, f->va_bits, f->halves ? "true" : "false");
    for (unsigned l = 0; l < f->levels; l++)
        xb_printf(b, "%s%u", l ? "," : "", pt_fmt_shift(f, l));
    xb_printf(b, "],\"names\":[");
    for (unsigned l = 0; l < f->levels; l++)
        xb_printf(b, "%s\"%s\"", l ? "," : "", step_level_name(f, l));
    xb_printf(b, "]}");
}

static void data_json(const struct explorer *x, struct xbuf *b)
{
    xb_printf(b, "{\"title\":");
    xb_str(b, x->title, strlen(x->title));
    xb_printf(b, ",\"input\":");
    xb_str(b, x->input, strlen(x->input));
    xb_printf(b, ",\"config\":");
    xb_str(b, x->config, strlen(x->config));
    xb_printf(b, ",\"note\":");
    xb_str(b, x->note, strlen(x->note));
    xb_printf(b, ",\"from\":%" PRIu64 ",\"kept\":%" PRIu64 ",\"full\":%s,", x->from, x->nsteps,
              x->full ? "true" : "false");
    format_json(x, b);
    xb_printf(b, ",\"tlb\":%s,\"pwc\":[0,%u,%u,%u,%u]", x->geom.p ? x->geom.p : "[]", x->pslots[1],
              x->pslots[2], x->pslots[3], x->pslots[4]);
    const struct kernel_policy_info *pi = &x->pol;
    xb_printf(b, ",\"frames\":%" PRIu64 ",\"all_frames\":%" PRIu64
                 ",\"policy\":{\"name\":\"%s\",\"lists\":[\"%s\"",
              x->nframes, x->allframes, pi->name, pi->list_name[0] ? pi->list_name[0] : "");
    if (pi->list_name[1])
        xb_printf(b, ",\"%s\"", pi->list_name[1]);
    xb_printf(b, "],\"hand\":%s,\"mark\":", pi->has_hand ? "true" : "false");
    if (pi->mark_name)
        xb_printf(b, "\"%s\"}", pi->mark_name);
    else
        xb_printf(b, "null}");
    xb_printf(b, ",\"swap_slots\":%" PRIu64 ",\"counters\":[", x->nslots);
    for (int i = 0; i < CPU_STAT_NR + VMSTAT_NR; i++) {
        const char *name = i < CPU_STAT_NR ? cpu_stat_names[i] : vmstat_names[i - CPU_STAT_NR];
        const char *desc = i < CPU_STAT_NR ? cpu_stat_descs[i] : vmstat_descs[i - CPU_STAT_NR];
        xb_printf(b, "%s[\"%s\",", i ? "," : "", name);
        xb_str(b, desc, strlen(desc));
        xb_printf(b, "]");
    }
    xb_printf(b, "],\"lines\":[");
    for (size_t i = 0; i < x->dict.n; i++) {
        if (i)
            xb_printf(b, ",");
        xb_str(b, x->dict.line[i], x->dict.len[i]);
    }
    xb_printf(b, "],\"init\":%s,\"steps\":[%.*s]}", x->init.p ? x->init.p : "{}", (int)x->steps.len,
              x->steps.p ? x->steps.p : "");
}

size_t explorer_fixed_bytes(const struct explorer *x)
{
    struct explorer empty = *x;      /* the same data with no line and no step */
    empty.dict.n = 0;
    empty.steps.len = 0;
    struct xbuf b = {0};
    data_json(&empty, &b);
    size_t n = b.failed ? 0
                        : b.len + explore_page_html_len + explore_page_css_len + explore_page_js_len +
                              strlen(x->title) * 5 + 2 * sizeof x->note + 256;
    free(b.p);
    return n;
}

int explorer_write(struct explorer *x, FILE *out, char *err, size_t errlen)
{
    struct xbuf data = {0}, title = {0};
    data_json(x, &data);
    xb_printf(&title, "%s", "");
    for (const char *p = x->title; *p; p++) {   /* the title as HTML text */
        switch (*p) {
        case '<': xb_printf(&title, "&lt;"); break;
        case '>': xb_printf(&title, "&gt;"); break;
        case '&': xb_printf(&title, "&amp;"); break;
        default: xb_printf(&title, "%c", *p); break;
        }
    }
    if (data.failed || title.failed || x->steps.failed || x->init.failed) {
        snprintf(err, errlen, "out of memory building the page");
        free(data.p);
        free(title.p);
        return -1;
    }
    const char *tpl = (const char *)explore_page_html;
    size_t len = explore_page_html_len, at = 0;
    while (at < len) {
        /* the next marker */
        size_t best = len;
        int which = -1;
        for (int m = 0; m < 4; m++) {
            size_t ml = strlen(markers[m]);
            for (size_t i = at; i + ml <= len && i < best; i++)
                if (!memcmp(tpl + i, markers[m], ml)) {
                    best = i;
                    which = m;
                    break;
                }
        }
        fwrite(tpl + at, 1, best - at, out);
        if (which < 0)
            break;
        switch (which) {
        case 0: fputs(title.p, out); break;
        case 1:
            fputs("<style>\n", out);
            fwrite(explore_page_css, 1, explore_page_css_len, out);
            fputs("</style>", out);
            break;
        case 2:
            fputs("<script type=\"application/json\" id=\"vmlab-data\">", out);
            fwrite(data.p, 1, data.len, out);
            fputs("</script>", out);
            break;
        case 3:
            fputs("<script>\n", out);
            fwrite(explore_page_js, 1, explore_page_js_len, out);
            fputs("</script>", out);
            break;
        }
        at = best + strlen(markers[which]);
    }
    free(data.p);
    free(title.p);
    if (ferror(out)) {
        snprintf(err, errlen, "write error");
        return -1;
    }
    return 0;
}
