/* sweep_report.c — a sweep's outputs: the CSV with every counter of every
 * point, and the HTML page with the notes, the charts and the key counters.
 * Every point has a row in both; one that did not finish says so in its
 * status, and is drawn as a cross (report_mark_last_row). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/replay_output.h"
#include "cli/sweep.h"
#include "replay/report.h"

const char *const sweep_state_names[PT_NSTATES] = {
    [PT_NOT_RUN] = "not run", [PT_DONE] = "ok", [PT_KILLED] = "killed",
    [PT_INTERRUPTED] = "interrupted", [PT_FAILED] = "failed",
};
#define MARK_LEGEND "killed or stopped early"

/* Counts of points by state. */
void sweep_tally(const struct sweep *s, size_t count[PT_NSTATES])
{
    memset(count, 0, PT_NSTATES * sizeof *count);
    for (size_t i = 0; i < s->npt; i++)
        count[s->pt[i].state]++;
}

/* ---- the CSV: every counter of every point ---- */

int sweep_write_csv(const struct sweep *s, const char *path, const struct file_id *keep)
{
    if (keep && file_id_names(*keep, path)) {   /* --out naming the trace */
        fprintf(stderr, "vmlab sweep: %s is the input: vmlab does not write over its own input\n",
                path);
        return -1;
    }
    struct report *rep = report_new("sweep");
    struct replay_result zero;
    memset(&zero, 0, sizeof zero);
    struct replay_row row;
    if (!rep || replay_row_fill(&row, &s->pt[0].o, s->input, &zero)) {
        report_free(rep);
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    const char **names = calloc(row.n + 1, sizeof *names), **cells = calloc(row.n + 1, sizeof *cells);
    size_t ncols = row.n + 1;
    int rc = -1;
    char err[PATH_MAX + 1024];
    snprintf(err, sizeof err, "%s: out of memory", path);
    if (!names || !cells)
        goto out;
    names[0] = "status";
    for (size_t j = 0; j < row.n; j++)
        names[j + 1] = row.name[j];
    report_set_columns(rep, (unsigned)ncols, names);
    for (size_t i = 0; i < s->npt; i++) {
        const struct point *p = &s->pt[i];
        struct replay_row r;
        bool counted = p->state != PT_NOT_RUN && p->state != PT_FAILED;
        if (replay_row_fill(&r, &p->o, s->input, counted ? &p->res : &zero))
            goto out;   /* out of memory */
        cells[0] = sweep_state_names[p->state];
        for (size_t j = 0; j < r.n && j + 1 < ncols; j++)
            cells[j + 1] = counted || j < r.nconfig ? r.value[j] : "";
        report_add_row(rep, cells);
        replay_row_free(&r);
    }
    rc = report_write_csv(rep, path, err, sizeof err);
out:
    if (rc)
        fprintf(stderr, "vmlab sweep: %s\n", err);
    replay_row_free(&row);
    free(names);
    free(cells);
    report_free(rep);
    return rc;
}

/* ---- the HTML page ---- */

static const char *const memory_columns[] = {
    "pgfault", "footprint", "pgmajfault", "pswpin", "pswpout", "pgscan", "dTLB-load-misses",
    "dTLB-store-misses", "iTLB-load-misses", "walks", NULL,
};
static const char *const tlb_columns[] = {
    "dTLB-load-misses", "dTLB-store-misses", "iTLB-load-misses", "stlb-hits", "walks",
    "walk-mem-refs", "pwc-hits", "pgfault", NULL,
};

static void add_notes(struct report *rep, const struct sweep *s, const struct replay_opts *base)
{
    char buf[640], size[32];
    const struct replay_config *c = &base->cfg;
    report_add_note(rep, "trace", s->input);
    snprintf(buf, sizeof buf, "%zu%s", s->nrecs,
             c->limit && c->limit <= s->nrecs ? " (--limit)" : "");
    report_add_note(rep, "accesses per run", buf);
    if (s->skipped) {
        snprintf(buf, sizeof buf, "%" PRIu64 " (--skip-bad)", s->skipped);
        report_add_note(rep, "malformed lines skipped", buf);
    }
    snprintf(buf, sizeof buf, s->tlb_grid ? "TLB entries (%zu sizes) x page size (%zu)"
                                          : "memory size (%zu sizes) x policy (%zu)", s->nx, s->nseries);
    report_add_note(rep, "varied", buf);
    report_add_note(rep, "page tables", c->fmt->name);
    if (!s->tlb_grid) {
        tlb_config_describe(&c->tlb, buf, sizeof buf);
        report_add_note(rep, "TLB", buf);
        report_add_note(rep, "THP", c->thp ? "always" : "never");
    } else {
        format_size(c->frames * VM_PAGE_SIZE, size, sizeof size);
        snprintf(buf, sizeof buf, "%" PRIu64 " frames (%s), policy %s", c->frames, size, c->policy);
        report_add_note(rep, "memory", buf);
    }
    format_size(c->swap_bytes, size, sizeof size);
    snprintf(buf, sizeof buf, "%s%s%s%s", c->swap_bytes ? size : "none (--swap 0)",
             c->swap_path ? ", one file per run: " : "", c->swap_path ? c->swap_path : "",
             c->swap_path ? ".<run>" : "");
    report_add_note(rep, "swap", buf);
    if (c->opt_ties == OPT_TIES_CLEAN_FIRST)
        report_add_note(rep, "OPT ties", "clean-first");
    report_add_note(rep, "vmlab", "version " VMLAB_VERSION);

    size_t count[PT_NSTATES];
    sweep_tally(s, count);
    if (count[PT_NOT_RUN] || count[PT_INTERRUPTED])
        snprintf(buf, sizeof buf, "INTERRUPTED: %zu of %zu runs finished; the table says which "
                 "did not", count[PT_DONE] + count[PT_KILLED], s->npt);
    else
        snprintf(buf, sizeof buf, "complete: %zu of %zu runs", count[PT_DONE] + count[PT_KILLED],
                 s->npt);
    report_add_note(rep, "status", buf);
    if (count[PT_KILLED]) {
        snprintf(buf, sizeof buf, "%zu of %zu runs: their process was killed (the table says why); "
                 "their counts stop at the kill and are drawn as crosses", count[PT_KILLED], s->npt);
        report_add_note(rep, "killed", buf);
    }
    if (count[PT_FAILED]) {
        snprintf(buf, sizeof buf, "%zu runs could not run (see the table)", count[PT_FAILED]);
        report_add_note(rep, "failed", buf);
    }
}

int sweep_write_html(const struct sweep *s, const char *path, const struct replay_opts *base,
                     const struct file_id *keep)
{
    struct report *rep = report_new(s->tlb_grid ? "vmlab sweep: TLB size x page size"
                                                : "vmlab sweep: memory size x policy");
    if (!rep)
        return -1;
    add_notes(rep, s, base);
    const char *const *stats = s->tlb_grid ? tlb_columns : memory_columns;
    const char *cols[32];
    unsigned nc = 0;
    cols[nc++] = s->tlb_grid ? "page_size" : "policy";
    cols[nc++] = s->tlb_grid ? "tlb_entries" : "frames";
    cols[nc++] = "status";
    for (int i = 0; stats[i]; i++)
        cols[nc++] = stats[i];
    cols[nc++] = "effective_access_ns";
    report_set_columns(rep, nc, cols);
    for (size_t i = 0; i < s->npt; i++) {
        const struct point *p = &s->pt[i];
        bool counted = p->state != PT_NOT_RUN && p->state != PT_FAILED;
        char cells[32][48];
        const char *row[32];
        unsigned k = 0;
        snprintf(cells[k++], 48, "%s", p->series);
        snprintf(cells[k++], 48, "%" PRIu64, p->x);
        snprintf(cells[k++], 48, "%s", sweep_state_names[p->state]);
        for (int j = 0; stats[j]; j++, k++) {
            cells[k][0] = 0;
            if (counted)
                snprintf(cells[k], 48, "%" PRIu64, replay_stat_value(&p->res, stats[j]));
        }
        if (counted)
            snprintf(cells[k++], 48, "%.3f", p->res.eat_ns);
        else
            cells[k++][0] = 0;
        for (unsigned j = 0; j < k; j++)
            row[j] = cells[j];
        report_add_row(rep, row);
        if (p->state == PT_KILLED)
            report_mark_last_row(rep, p->res.kill_msg, MARK_LEGEND);
        else if (p->state == PT_INTERRUPTED)
            report_mark_last_row(rep, "interrupted (Ctrl-C)", MARK_LEGEND);
    }
    if (s->tlb_grid) {
        report_add_line_chart(rep, "dTLB load misses vs TLB size", "tlb_entries", "dTLB-load-misses",
                              "page_size", REPORT_LOG_X | REPORT_LOG_Y);
        report_add_line_chart(rep, "page walks vs TLB size", "tlb_entries", "walks", "page_size",
                              REPORT_LOG_X | REPORT_LOG_Y);
        report_add_line_chart(rep, "effective access time (ns) vs TLB size", "tlb_entries",
                              "effective_access_ns", "page_size", REPORT_LOG_X);
    } else {
        report_add_line_chart(rep, "page faults vs memory size", "frames", "pgfault", "policy",
                              REPORT_LOG_X | REPORT_LOG_Y);
        report_add_line_chart(rep, "pages written to swap vs memory size", "frames", "pswpout",
                              "policy", REPORT_LOG_X);
        report_add_line_chart(rep, "effective access time (ns) vs memory size", "frames",
                              "effective_access_ns", "policy", REPORT_LOG_X | REPORT_LOG_Y);
    }
    char err[1024];
    int rc = -1;
    if (keep && file_id_names(*keep, path))
        fprintf(stderr, "vmlab sweep: %s is the input: vmlab does not write over its own input\n",
                path);
    else if ((rc = report_write_html(rep, path, err, sizeof err)))
        fprintf(stderr, "vmlab sweep: %s\n", err);
    report_free(rep);
    return rc;
}

