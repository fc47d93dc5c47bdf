/* sweep_report.c — a sweep's outputs: the CSV with every counter of every
 * run, and the HTML page with the notes, the charts and the key counters.
 * Every run has a row in both; one that did not finish says so in its
 * status, and is drawn as a cross (report_mark_last_row).
 *
 * The charts: x is the first numeric axis (sizes, counts), the series the
 * next axis that varies, and there is one set of charts per input and per
 * combination of the other axes that vary (report_chart_where). What is
 * drawn depends on what x is: memory (faults, pages written to swap, the
 * effective access time), the TLB (misses, walks, the effective access
 * time), or anything else (faults, TLB misses, the effective access time).
 */
#include <inttypes.h>
#include <math.h>
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

void sweep_tally(const struct sweep *s, size_t count[PT_NSTATES])
{
    memset(count, 0, PT_NSTATES * sizeof *count);
    for (size_t i = 0; i < s->npt; i++)
        count[s->pt[i].state]++;
}

static bool counted(const struct point *p)
{
    return p->state != PT_NOT_RUN && p->state != PT_FAILED;
}

static int refuse_input(const struct sweep *s, const char *path)
{
    if (!sweep_is_input(s, path))
        return 0;
    fprintf(stderr, "vmlab sweep: %s is an input: vmlab does not write over its own input\n", path);
    return -1;
}

/* ---- the CSV: every counter of every run ---- */

int sweep_write_csv(const struct sweep *s, const char *path)
{
    if (refuse_input(s, path))
        return -1;
    struct report *rep = report_new("sweep");
    struct replay_result zero;
    memset(&zero, 0, sizeof zero);
    struct replay_row row;
    if (!rep || replay_row_fill(&row, &s->pt[0].o, s->in[0].name, &zero)) {
        report_free(rep);
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    /* programs: after the configuration, the run's own (run_columns) */
    static const char *const run_columns[] = {"cpus", "quantum", "abi", "instructions"};
    size_t nrun = s->programs ? sizeof run_columns / sizeof run_columns[0] : 0;
    size_t ncols = row.n + 1 + nrun;
    const char **names = calloc(ncols, sizeof *names), **cells = calloc(ncols, sizeof *cells);
    int rc = -1;
    char err[PATH_MAX + 1024];
    snprintf(err, sizeof err, "%s: out of memory", path);
    if (!names || !cells)
        goto out;
    names[0] = "status";
    for (size_t j = 0, c = 1; j < row.n; j++) {
        for (size_t x = 0; j == row.nconfig && x < nrun; x++)
            names[c++] = run_columns[x];
        names[c++] = row.name[j];
    }
    report_set_columns(rep, (unsigned)ncols, names);
    for (size_t i = 0; i < s->npt; i++) {
        const struct point *p = &s->pt[i];
        struct replay_row r;
        if (replay_row_fill(&r, &p->o, s->in[p->input].name, counted(p) ? &p->res : &zero))
            goto out;   /* out of memory */
        char run[4][32];
        snprintf(run[0], sizeof run[0], "%u", p->rc.ncpus);
        snprintf(run[1], sizeof run[1], "%" PRIu64, p->rc.quantum ? p->rc.quantum : (uint64_t)RUN_DEFAULT_QUANTUM);
        snprintf(run[2], sizeof run[2], "%s", p->rc.abi ? p->rc.abi : run_abi_names[0]);
        snprintf(run[3], sizeof run[3], "%" PRIu64, p->res.instructions);
        cells[0] = sweep_state_names[p->state];
        for (size_t j = 0, c = 1; j < r.n && c < ncols; j++) {
            for (size_t x = 0; j == r.nconfig && x < nrun; x++)
                cells[c++] = x < 3 || counted(p) ? run[x] : "";
            cells[c++] = counted(p) || j < r.nconfig ? r.value[j] : "";
        }
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

struct metric {
    const char *what, *column;
    unsigned flags;                /* REPORT_LOG_Y, and REPORT_LOG_X if x may be */
};

static const struct metric memory_metrics[] = {
    {"page faults", "pgfault", REPORT_LOG_X | REPORT_LOG_Y},
    {"pages written to swap", "pswpout", REPORT_LOG_X},
    {"effective access time (ns)", "effective_access_ns", REPORT_LOG_X | REPORT_LOG_Y},
};
static const struct metric tlb_metrics[] = {
    {"dTLB load misses", "dTLB-load-misses", REPORT_LOG_X | REPORT_LOG_Y},
    {"page walks", "walks", REPORT_LOG_X | REPORT_LOG_Y},
    {"effective access time (ns)", "effective_access_ns", REPORT_LOG_X},
};
static const struct metric swpt_metrics[] = {   /* the software-refilled TLB's table */
    {"table probes", "swpt_probes", REPORT_LOG_X | REPORT_LOG_Y},
    {"table misses", "swpt_misses", REPORT_LOG_X},
    {"effective access time (ns)", "effective_access_ns", REPORT_LOG_X},
};
static const struct metric refill_metrics[] = {   /* hardware walks vs software refill */
    {"TLB misses (walks or refill traps, faults' retries included)", "tlb_refills",
     REPORT_LOG_X | REPORT_LOG_Y},
    {"entries read to refill the TLB (walker or handler)", "refill_reads",
     REPORT_LOG_X | REPORT_LOG_Y},
    {"effective access time (ns)", "effective_access_ns", REPORT_LOG_X},
};
static const struct metric other_metrics[] = {
    {"page faults", "pgfault", REPORT_LOG_X | REPORT_LOG_Y},
    {"dTLB load misses", "dTLB-load-misses", REPORT_LOG_X | REPORT_LOG_Y},
    {"effective access time (ns)", "effective_access_ns", REPORT_LOG_X},
};

static const char *const memory_columns[] = {
    "pgfault", "footprint", "pgmajfault", "pswpin", "pswpout", "pgscan", "dTLB-load-misses",
    "dTLB-store-misses", "iTLB-load-misses", "walks", NULL,
};
static const char *const swpt_columns[] = {
    "dTLB-load-misses", "refill-traps", "swpt_refills", "swpt_probes", "swpt_misses",
    "swpt_evictions", "swpt_bytes", "pgfault", NULL,
};
static const char *const tlb_columns[] = {
    "dTLB-load-misses", "dTLB-store-misses", "iTLB-load-misses", "stlb-hits", "walks",
    "walk-mem-refs", "pwc-hits", "pgfault", NULL,
};
static const char *const refill_columns[] = {
    "dTLB-load-misses", "dTLB-store-misses", "walks", "walk-mem-refs", "refill-traps",
    "refill-modified-traps", "swpt_probes", "swpt_bytes", "tlb_refills", "refill_reads",
    "pgfault", NULL,
};

/* A counter of a result, or one of the two sums that put hardware and
 * software refill side by side: tlb_refills (walks + refill-traps: how
 * often the TLB had to be filled) and refill_reads (walk-mem-refs +
 * swpt_probes: the entries read to fill it). */
static uint64_t column_value(const struct replay_result *r, const char *name)
{
    if (!strcmp(name, "tlb_refills"))
        return replay_stat_value(r, "walks") + replay_stat_value(r, "refill-traps");
    if (!strcmp(name, "refill_reads"))
        return replay_stat_value(r, "walk-mem-refs") + replay_stat_value(r, "swpt_probes");
    return replay_stat_value(r, name);
}

/* Does the sweep compare refill designs (an axis of tlb-refill or sw-pt
 * with more than one value)? */
static bool compares_refill(const struct sweep *s)
{
    for (size_t a = 0; a < s->naxes; a++)
        if (s->axis[a].n > 1 && (!strcmp(s->axis[a].name, "tlb-refill") ||
                                 !strcmp(s->axis[a].name, "sw-pt")))
            return true;
    return false;
}

/* The table's cell for value v of axis a: numbers in full (sizes in bytes),
 * so that a chart reads them, and words as given. */
static void axis_cell(const struct sweep_axis *a, size_t v, char *buf, size_t len)
{
    if (a->numeric)
        snprintf(buf, len, "%" PRIu64, (uint64_t)a->num[v]);
    else
        snprintf(buf, len, "%s", a->values[v]);
}

static void list_values(const struct sweep_axis *a, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "%s = ", a->name);
    for (size_t v = 0; v < a->n && used < len; v++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", v ? ", " : "", a->values[v]);
}

/* The settings no axis varies: those of any run (they are the same in all). */
static void add_constant_notes(struct report *rep, const struct sweep *s)
{
    char buf[640], size[32];
    const struct replay_config *c = &s->pt[0].o.cfg;
    if (!sweep_varies(s, "pt"))
        report_add_note(rep, "page tables", c->fmt->name);
    if (!sweep_varies(s, "tlb") && !sweep_varies(s, "tlb-geometry")) {
        tlb_config_describe(&c->tlb, buf, sizeof buf);
        report_add_note(rep, "TLB", buf);
    }
    if (!sweep_varies(s, "thp"))
        report_add_note(rep, "THP", c->thp ? "always" : "never");
    bool frames = sweep_varies(s, "frames"), policy = sweep_varies(s, "policy");
    if (!frames) {
        report_size_text(c->frames * VM_PAGE_SIZE, size, sizeof size);
        snprintf(buf, sizeof buf, "%" PRIu64 " frames (%s)%s%s", c->frames, size,
                 policy ? "" : ", policy ", policy ? "" : c->policy);
        report_add_note(rep, "memory", buf);
    } else if (!policy) {
        report_add_note(rep, "policy", c->policy);
    }
    if (!sweep_varies(s, "swap")) {
        report_size_text(c->swap_bytes, size, sizeof size);
        snprintf(buf, sizeof buf, "%s%s%s%s", c->swap_bytes ? size : "none (--swap 0)",
                 s->swap_file ? ", one file per run: " : "", s->swap_file ? s->swap_file : "",
                 s->swap_file ? ".<run>" : "");
        report_add_note(rep, "swap", buf);
    }
    if (c->opt_ties == OPT_TIES_CLEAN_FIRST && !sweep_varies(s, "opt-ties"))
        report_add_note(rep, "OPT ties", "clean-first");
    if (!sweep_varies(s, "tlb-refill") && !sweep_varies(s, "sw-pt") &&
        c->tlb_refill == TLB_REFILL_SOFTWARE) {
        snprintf(buf, sizeof buf, "software: the kernel's handler reads a%s %s page table",
                 c->sw_pt == KERNEL_SW_PT_INVERTED ? "n" : "", kernel_sw_pt_names[c->sw_pt]);
        report_add_note(rep, "TLB refill", buf);
    }
    if (!sweep_varies(s, "cost")) {
        replay_cost_describe(&c->cost, buf, sizeof buf);
        report_add_note(rep, "cost model (ns)", buf);
    }
}

static void add_notes(struct report *rep, const struct sweep *s, int x)
{
    char buf[2048];
    size_t used = 0;
    for (size_t i = 0; i < s->nin && used < sizeof buf; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? ", " : "",
                                 s->in[i].name);
    report_add_note(rep, s->nin > 1 ? "inputs" : s->programs ? "program" : "trace", buf);
    if (s->programs) {   /* each run ran it: its accesses are each run's own */
        const struct run_config *rc = &s->pt[0].rc;
        snprintf(buf, sizeof buf, "each ran the program as vmlab run does (%u CPU%s, a quantum of "
                 "%" PRIu64 " instructions%s; its output discarded, its environment empty): its "
                 "accesses and instructions are each run's, in the CSV", rc->ncpus,
                 rc->ncpus > 1 ? "s" : "", rc->quantum ? rc->quantum : (uint64_t)RUN_DEFAULT_QUANTUM,
                 sweep_varies(s, "cpus") || sweep_varies(s, "quantum") ? ", unless the grid says "
                 "otherwise" : "");
        report_add_note(rep, "runs", buf);
    }
    used = 0;
    uint64_t skipped = 0;
    for (size_t i = 0; !s->programs && i < s->nin && used < sizeof buf; i++) {
        const struct sweep_input *in = &s->in[i];
        uint64_t limit = s->pt[0].o.cfg.limit;
        char n[64];
        if (in->nrecs_known)
            snprintf(n, sizeof n, "%zu%s", in->nrecs, limit && limit <= in->nrecs ? " (--limit)" : "");
        else
            snprintf(n, sizeof n, "unknown (no run of it finished)");
        used += (size_t)snprintf(buf + used, sizeof buf - used, s->nin > 1 ? "%s%s: %s" : "%.0s%.0s%s",
                                 i ? "; " : "", in->name, n);
        skipped += in->skipped;
    }
    if (!s->programs)
        report_add_note(rep, "accesses per run", buf);
    if (skipped) {
        snprintf(buf, sizeof buf, "%" PRIu64 " (--skip-bad)", skipped);
        report_add_note(rep, "malformed lines skipped", buf);
    }
    used = 0;
    for (size_t i = 0; i < s->naxes && used < sizeof buf; i++) {
        char one[1024];
        list_values(&s->axis[i], one, sizeof one);
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? "; " : "", one);
    }
    report_add_note(rep, "grid", used ? buf : "one run per input");
    if (x < 0)
        report_add_note(rep, "charts", "none: no axis is a number to draw along x (the table has "
                                       "every run)");
    add_constant_notes(rep, s);
    report_add_note(rep, "vmlab", "version " VMLAB_VERSION);

    size_t count[PT_NSTATES];
    sweep_tally(s, count);
    if (s->collected && (count[PT_NOT_RUN] || count[PT_INTERRUPTED] || count[PT_FAILED]))
        snprintf(buf, sizeof buf, "INCOMPLETE (collected with --partial): %zu of %zu runs "
                 "finished; the table says which did not", count[PT_DONE] + count[PT_KILLED], s->npt);
    else if (count[PT_NOT_RUN] || count[PT_INTERRUPTED])
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

static void add_rows(struct report *rep, const struct sweep *s, const char *const *stats)
{
    for (size_t i = 0; i < s->npt; i++) {
        const struct point *p = &s->pt[i];
        char cells[48][512];
        const char *row[48];
        unsigned k = 0;
        if (s->nin > 1)
            snprintf(cells[k++], 512, "%s", s->in[p->input].name);
        for (size_t a = 0; a < s->naxes; a++)
            axis_cell(&s->axis[a], p->value[a], cells[k++], 512);
        snprintf(cells[k++], 512, "%s", sweep_state_names[p->state]);
        for (int j = 0; stats[j]; j++, k++) {
            cells[k][0] = 0;
            if (counted(p))
                snprintf(cells[k], 512, "%" PRIu64, column_value(&p->res, stats[j]));
        }
        cells[k][0] = 0;   /* the JSON's and the CSV's 4 decimals: a collected sweep's are equal */
        if (counted(p) && isfinite(p->res.eat_ns))
            snprintf(cells[k], 512, "%.4f", p->res.eat_ns);
        k++;
        for (unsigned j = 0; j < k; j++)
            row[j] = cells[j];
        if (s->nin > 1)
            row[0] = s->in[p->input].name;   /* a path may be longer than a cell */
        report_add_row(rep, row);
        if (p->state == PT_KILLED)
            report_mark_last_row(rep, p->res.kill_msg, MARK_LEGEND);
        else if (p->state == PT_INTERRUPTED)
            report_mark_last_row(rep, "interrupted (Ctrl-C)", MARK_LEGEND);
    }
}

/* The charts of one group: the input (if several) and one value of each
 * axis that varies but is neither x nor the series. */
static void add_group_charts(struct report *rep, const struct sweep *s, int x, int series,
                             size_t input, const size_t *value)
{
    const struct sweep_axis *xa = &s->axis[x];
    const struct metric *m = xa->family == AF_MEMORY ? memory_metrics
                           : xa->family == AF_TLB ? (compares_refill(s) ? refill_metrics : tlb_metrics)
                           : xa->family == AF_SWPT ? swpt_metrics : other_metrics;
    const char *along = !strcmp(xa->name, "frames") || !strcmp(xa->name, "mem") ? "memory size"
                      : !strcmp(xa->name, "tlb-entries") || !strcmp(xa->name, "l2-entries")
                          ? "TLB size" : xa->name;
    double lo = INFINITY, hi = 0;
    for (size_t v = 0; v < xa->n; v++)
        lo = fmin(lo, xa->num[v]), hi = fmax(hi, xa->num[v]);
    bool log_x = lo > 0 && (xa->family != AF_OTHER || hi / lo >= 16);
    char group[1024] = "", cell[512];
    size_t used = 0;
    if (s->nin > 1)
        used += (size_t)snprintf(group, sizeof group, "%s", s->in[input].name);
    for (size_t a = 0; a < s->naxes && used < sizeof group; a++)
        if ((int)a != x && (int)a != series && s->axis[a].n > 1)
            used += (size_t)snprintf(group + used, sizeof group - used, "%s%s=%s", used ? ", " : "",
                                     s->axis[a].name, s->axis[a].values[value[a]]);
    for (int k = 0; k < 3; k++) {
        char title[1200];
        snprintf(title, sizeof title, "%s vs %s%s%s%s", m[k].what, along, group[0] ? " (" : "",
                 group, group[0] ? ")" : "");
        unsigned flags = (m[k].flags & REPORT_LOG_Y) | (log_x ? m[k].flags & REPORT_LOG_X : 0);
        report_add_line_chart(rep, title, xa->name, m[k].column,
                              series >= 0 ? s->axis[series].name : NULL, flags);
        if (s->nin > 1)
            report_chart_where(rep, "input", s->in[input].name);
        for (size_t a = 0; a < s->naxes; a++)
            if ((int)a != x && (int)a != series && s->axis[a].n > 1) {
                axis_cell(&s->axis[a], value[a], cell, sizeof cell);
                report_chart_where(rep, s->axis[a].name, cell);
            }
    }
}

/* Every group: inputs, then the other axes' values, the first fastest. */
static void add_charts(struct report *rep, const struct sweep *s, int x, int series)
{
    for (size_t in = 0; in < s->nin; in++) {
        size_t value[SWEEP_MAX_AXES] = {0};
        for (;;) {
            add_group_charts(rep, s, x, series, in, value);
            size_t a = 0;
            for (; a < s->naxes; a++) {
                if ((int)a == x || (int)a == series || s->axis[a].n < 2)
                    continue;
                if (++value[a] < s->axis[a].n)
                    break;
                value[a] = 0;
            }
            if (a == s->naxes)
                break;
        }
    }
}

int sweep_write_html(const struct sweep *s, const char *path)
{
    char title[512];
    size_t used = (size_t)snprintf(title, sizeof title, "vmlab sweep:");
    for (size_t a = 0, n = 0; a < s->naxes && used < sizeof title; a++)
        if (s->axis[a].n > 1)
            used += (size_t)snprintf(title + used, sizeof title - used, "%s%s", n++ ? " x " : " ",
                                     s->axis[a].name);
    if (s->nin > 1 && used < sizeof title)
        snprintf(title + used, sizeof title - used, ", %zu inputs", s->nin);
    struct report *rep = report_new(title);
    if (!rep)
        return -1;
    int x = sweep_x_axis(s), series = x >= 0 ? sweep_series_axis(s, x) : -1;
    add_notes(rep, s, x);
    enum axis_family fam = x >= 0 ? s->axis[x].family : AF_MEMORY;
    const char *const *stats = fam == AF_TLB ? (compares_refill(s) ? refill_columns : tlb_columns)
                             : fam == AF_SWPT ? swpt_columns : memory_columns;
    const char *cols[48];
    unsigned nc = 0;
    if (s->nin > 1)
        cols[nc++] = "input";
    for (size_t a = 0; a < s->naxes; a++)
        cols[nc++] = s->axis[a].name;
    cols[nc++] = "status";
    for (int i = 0; stats[i]; i++)
        cols[nc++] = stats[i];
    cols[nc++] = "effective_access_ns";
    report_set_columns(rep, nc, cols);
    add_rows(rep, s, stats);
    if (x >= 0)
        add_charts(rep, s, x, series);
    char err[1024];
    int rc = -1;
    if (!refuse_input(s, path) && (rc = report_write_html(rep, path, err, sizeof err)))
        fprintf(stderr, "vmlab sweep: %s\n", err);
    report_free(rep);
    return rc;
}
