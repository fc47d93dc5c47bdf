/* replay_output.c — a replay's result as text (like perf stat), JSON or CSV.
 *
 * Every counter keeps its name in all three: the text report's label, the
 * JSON key under "stats", the CSV column. docs/replay.md has the schema.
 */
#include "cli/replay_output.h"
#include "replay/report.h"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/cli.h"

double replay_miss_ratio(const struct replay_result *r)
{
    uint64_t accesses = replay_stat_value(r, "accesses");
    return accesses ? (double)replay_stat_value(r, "pgfault") / (double)accesses : 0;
}

/* Configuration as (key, value) pairs, shared by JSON and CSV. */
struct kv {
    const char *key;
    char value[512];
    bool number;
};

static size_t config_pairs(const struct replay_opts *o, const char *input, struct kv *kv)
{
    size_t n = 0;
    const struct replay_config *c = &o->cfg;
    char tlb[480];
    tlb_config_describe(&c->tlb, tlb, sizeof tlb);
#define KV_STR(k, ...) do { kv[n].key = k; kv[n].number = false; snprintf(kv[n].value, sizeof kv[n].value, __VA_ARGS__); n++; } while (0)
#define KV_NUM(k, ...) do { kv[n].key = k; kv[n].number = true; snprintf(kv[n].value, sizeof kv[n].value, __VA_ARGS__); n++; } while (0)
    KV_STR("input", "%s", input);
    KV_STR("pt", "%s", c->fmt->name);
    KV_STR("tlb", "%s", c->tlb.name);
    KV_STR("tlb_geometry", "%s", tlb);
    bool soft = c->tlb_refill == TLB_REFILL_SOFTWARE;
    KV_STR("tlb_refill", "%s", soft ? "software" : "hardware");
    KV_STR("sw_pt", "%s", soft ? kernel_sw_pt_names[c->sw_pt] : "none");
    KV_NUM("sw_pt_entries", "%" PRIu64, soft && c->sw_pt == KERNEL_SW_PT_HASHED ? c->sw_pt_entries : 0);
    KV_NUM("frames", "%" PRIu64, c->frames);
    KV_NUM("mem_bytes", "%" PRIu64, c->frames * VM_PAGE_SIZE);
    KV_STR("policy", "%s", c->policy);
    KV_STR("opt_ties", "%s", c->opt_ties == OPT_TIES_CLEAN_FIRST ? "clean-first" : "lowest-frame");
    KV_STR("thp", "%s", c->thp ? "always" : "never");
    KV_NUM("swap_bytes", "%" PRIu64, c->swap_bytes);
    KV_NUM("seed", "%" PRIu64, c->seed);
    KV_NUM("limit", "%" PRIu64, c->limit);
#undef KV_STR
#undef KV_NUM
    return n;
}

/* JSON has no inf or nan: a number that is not finite is null. */
static void json_number(FILE *f, double v, int decimals)
{
    if (isfinite(v))
        fprintf(f, "%.*f", decimals, v);
    else
        fputs("null", f);
}

void replay_print_json(FILE *f, const struct replay_opts *o, const char *input,
                       const struct replay_result *r)
{
    struct kv kv[32];
    size_t nkv = config_pairs(o, input, kv);
    fprintf(f, "{\n  \"config\": {");
    for (size_t i = 0; i < nkv; i++) {
        fprintf(f, "%s\n    ", i ? "," : "");
        report_json_string(f, kv[i].key);
        fprintf(f, ": ");
        if (kv[i].number)
            fputs(kv[i].value, f);
        else
            report_json_string(f, kv[i].value);
    }
    fprintf(f, "\n  },\n  \"stats\": {");
    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = replay_stats(r, st, REPLAY_MAX_STATS);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s\n    ", i ? "," : "");
        report_json_string(f, st[i].name);
        fprintf(f, ": %" PRIu64, st[i].value);
    }
    fprintf(f, "\n  },\n  \"derived\": {\n    \"effective_access_ns\": ");
    json_number(f, r->eat_ns, 4);
    fprintf(f, ",\n    \"miss_ratio\": ");
    json_number(f, replay_miss_ratio(r), 6);
    fprintf(f, ",\n    \"seconds\": ");
    json_number(f, r->seconds, 6);
    fprintf(f, ",\n    \"records\": %" PRIu64, r->records);
    fprintf(f, ",\n    \"accesses_per_second\": ");
    json_number(f, r->seconds > 0 ? (double)r->records / r->seconds : 0, 0);
    fprintf(f, ",\n    \"skipped_lines\": %" PRIu64 ",\n    \"killed\": %s,\n    \"kill_message\": ",
            r->skipped, r->killed ? "true" : "false");
    report_json_string(f, r->kill_msg);
    fprintf(f, ",\n    \"interrupted\": %s\n  }\n}\n", r->interrupted ? "true" : "false");
}

/* ---- CSV ---- */

static int row_add(struct replay_row *row, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int row_add(struct replay_row *row, const char *name, const char *fmt, ...)
{
    if (row->n == sizeof row->name / sizeof row->name[0])
        return -1;
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    int rc = vasprintf(&v, fmt, ap);
    va_end(ap);
    if (rc < 0)
        return -1;
    row->name[row->n] = name;
    row->value[row->n++] = v;
    return 0;
}

static const char *number_or_empty(double v, char *buf, size_t len, int decimals)
{
    if (isfinite(v))
        snprintf(buf, len, "%.*f", decimals, v);
    else
        buf[0] = 0;
    return buf;
}

int replay_row_fill(struct replay_row *row, const struct replay_opts *o, const char *input,
                    const struct replay_result *r)
{
    row->n = 0;
    struct kv kv[32];
    size_t nkv = config_pairs(o, input, kv);
    int bad = 0;
    for (size_t i = 0; i < nkv; i++)
        bad |= row_add(row, kv[i].key, "%s", kv[i].value);
    row->nconfig = row->n;
    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = replay_stats(r, st, REPLAY_MAX_STATS);
    for (size_t i = 0; i < n; i++)
        bad |= row_add(row, st[i].name, "%" PRIu64, st[i].value);
    char num[64];
    bad |= row_add(row, "effective_access_ns", "%s",
                   number_or_empty(r->eat_ns, num, sizeof num, 4));
    bad |= row_add(row, "miss_ratio", "%s",
                   number_or_empty(replay_miss_ratio(r), num, sizeof num, 6));
    bad |= row_add(row, "seconds", "%s", number_or_empty(r->seconds, num, sizeof num, 6));
    bad |= row_add(row, "skipped_lines", "%" PRIu64, r->skipped);
    bad |= row_add(row, "killed", "%d", r->killed);
    bad |= row_add(row, "kill_message", "%s", r->kill_msg);
    bad |= row_add(row, "interrupted", "%d", r->interrupted);
    if (bad) {
        replay_row_free(row);
        return -1;
    }
    return 0;
}

void replay_row_free(struct replay_row *row)
{
    for (size_t i = 0; i < row->n; i++)
        free(row->value[i]);
    row->n = 0;
}

void replay_print_csv(FILE *f, const struct replay_opts *o, const char *input,
                      const struct replay_result *r)
{
    struct replay_row row;
    if (replay_row_fill(&row, o, input, r)) {
        fputs("out of memory\r\n", f);
        return;
    }
    for (size_t i = 0; i < row.n; i++) {
        if (i)
            fputc(',', f);
        report_csv_field(f, row.name[i]);
    }
    fputs("\r\n", f);
    for (size_t i = 0; i < row.n; i++) {
        if (i)
            fputc(',', f);
        report_csv_field(f, row.value[i]);
    }
    fputs("\r\n", f);
    replay_row_free(&row);
}

/* ---- text ---- */

static void commas(uint64_t v, char *buf, size_t len)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    size_t n = strlen(tmp), o = 0;
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = 0;
}

/* Counters shown even when zero: the ones every reader looks for. */
static bool always_shown(const char *name)
{
    static const char *const names[] = {
        "accesses", "dTLB-loads", "dTLB-load-misses", "dTLB-stores", "dTLB-store-misses",
        "iTLB-loads", "iTLB-load-misses", "walks", "walk-mem-refs", "pgfault", "footprint",
        "pgmajfault", "pswpin", "pswpout", "pgsteal", "pgscan", NULL,
    };
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/* Counters that are not events: no rate per access. */
static bool is_level(const char *name)
{
    return strstr(name, "_used") != NULL || !strcmp(name, "footprint") || !strcmp(name, "swpt_bytes");
}

/* perf stat's "# ..." comment: a ratio to the counter it refines, and a
 * rate per 1000 accesses. */
static void comment(char *buf, size_t len, const struct replay_result *r,
                    const struct replay_stat *st, uint64_t accesses)
{
    static const struct { const char *num, *den, *what; } ratios[] = {
        {"dTLB-load-misses", "dTLB-loads", "of all dTLB loads"},
        {"dTLB-store-misses", "dTLB-stores", "of all dTLB stores"},
        {"iTLB-load-misses", "iTLB-loads", "of all iTLB loads"},
        {"dTLB-l1-misses", "accesses", "of all accesses"},
        {"pwc-hits", "walks", "of all walks"},
        {"pgfault", "accesses", "miss ratio"},
        {"pgmajfault", "pgfault", "of all faults"},
        {"pgsteal", "pgscan", "of frames scanned"},
        {"pgdrop_clean", "pgsteal", "of evictions"},
    };
    const char *name = st->name;
    buf[0] = 0;
    if (!strcmp(name, "walk-mem-refs")) {
        uint64_t walks = replay_stat_value(r, "walks");
        if (walks)
            snprintf(buf, len, "# %6.2f per walk", (double)st->value / (double)walks);
        return;
    }
    if (!strcmp(name, "footprint")) {
        snprintf(buf, len, "# distinct pages: the cold misses, pgfault's floor");
        return;
    }
    for (size_t k = 0; k < sizeof ratios / sizeof ratios[0]; k++) {
        if (strcmp(ratios[k].num, name))
            continue;
        uint64_t den = replay_stat_value(r, ratios[k].den);
        if (den)
            snprintf(buf, len, "# %6.2f%% %-20s", 100.0 * (double)st->value / (double)den,
                     ratios[k].what);
        break;
    }
    if (accesses && strcmp(name, "accesses") && st->group != RG_KILL && !is_level(name)) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%10.3f /1k accesses", used ? "  " : "# ",
                 1000.0 * (double)st->value / (double)accesses);
    }
}

/* What each TLB level covers: entries x page size, for the format's pages. */
static void print_reach(FILE *f, const struct replay_config *c)
{
    static const char *const name[] = {"L1 ITLB", "L1 DTLB", "L2 TLB"};
    const struct tlb_level *lv[] = {&c->tlb.l1i, &c->tlb.l1d, &c->tlb.l2};
    fprintf(f, " TLB reach (entries x page size):\n");
    for (unsigned i = 0; i < 3; i++) {
        char buf[512];
        tlb_reach_describe(lv[i], c->fmt, buf, sizeof buf);
        fprintf(f, "   %-8s %s\n", name[i], buf);
    }
    fprintf(f, "\n");
}

void replay_print_text(FILE *f, const struct replay_opts *o, const char *input,
                       const char *format_name, const struct replay_result *r)
{
    const struct replay_config *c = &o->cfg;
    char mem[32], swap[32];
    report_size_text(c->frames * VM_PAGE_SIZE, mem, sizeof mem);
    report_size_text(c->swap_bytes, swap, sizeof swap);
    fprintf(f, "\n Replay of '%s' (%s):\n", input, format_name);
    fprintf(f, " %s page tables, %s TLB, %" PRIu64 " frames (%s), policy %s%s, THP %s, swap %s\n\n",
            c->fmt->name, c->tlb.name, c->frames, mem, c->policy,
            !strcmp(c->policy, "opt") && c->opt_ties == OPT_TIES_CLEAN_FIRST ? " (ties: clean first)" : "",
            c->thp ? "always" : "never", c->swap_bytes ? swap : "none");
    if (c->tlb_refill == TLB_REFILL_SOFTWARE)
        fprintf(f, " TLB refill: software, the kernel's handler reading a%s %s page table\n\n",
                c->sw_pt == KERNEL_SW_PT_INVERTED ? "n" : "", kernel_sw_pt_names[c->sw_pt]);
    if (r->run_trace)
        fprintf(f, " a run trace (vmlab run --trace-out): %u CPU%s, every process of the run; the\n"
                   " run's configuration except what the options above set\n\n",
                r->ncpus, r->ncpus == 1 ? "" : "s");
    print_reach(f, c);

    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = replay_stats(r, st, REPLAY_MAX_STATS);
    uint64_t accesses = replay_stat_value(r, "accesses");
    int group = -1;
    for (size_t i = 0; i < n; i++) {
        if (!st[i].value && !always_shown(st[i].name))
            continue;
        if ((int)st[i].group != group) {
            group = (int)st[i].group;
            fprintf(f, " %s\n", replay_group_names[group]);
        }
        char num[32], cm[128];
        commas(st[i].value, num, sizeof num);
        comment(cm, sizeof cm, r, &st[i], accesses);
        fprintf(f, "  %18s  %-30s %s\n", num, st[i].name, cm);
    }
    fprintf(f, "\n  %18.3f  ns effective access time (cost model; see --cost)\n", r->eat_ns);
    fprintf(f, "  %18.3f  seconds replaying (%.2f M accesses/s)\n", r->seconds,
            r->seconds > 0 ? (double)r->records / r->seconds / 1e6 : 0.0);
    if (r->folded)
        fprintf(f, "  %18" PRIu64 "  addresses folded into the %s user half\n", r->folded,
                c->fmt->name);
    if (r->skipped)
        fprintf(f, "  %18" PRIu64 "  malformed lines skipped (--skip-bad)\n", r->skipped);
    if (r->killed)
        fprintf(f, "\n  the process was killed after %" PRIu64 " accesses: %s\n", r->records,
                r->kill_msg);
    if (r->interrupted)
        fprintf(f, "\n  interrupted after %" PRIu64 " accesses: the counts are what was done so far\n",
                r->records);
    fprintf(f, "\n");
}

int replay_tell_end(const char *cmd, const char *input, struct trace_reader *r, bool is_command,
                    const struct replay_result *res, int status)
{
    int ws;
    if (is_command && trace_command_status(r, &ws) == 0 && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)) {
        if (WIFEXITED(ws))
            fprintf(stderr, "vmlab %s: %s exited with status %d\n", cmd, input, WEXITSTATUS(ws));
        else if (WIFSIGNALED(ws))
            fprintf(stderr, "vmlab %s: %s was killed by signal %d (%s)%s\n", cmd, input,
                    WTERMSIG(ws), strsignal(WTERMSIG(ws)), WCOREDUMP(ws) ? ", core dumped" : "");
        else
            fprintf(stderr, "vmlab %s: %s ended with wait status 0x%x\n", cmd, input, ws);
    }
    if (res->killed) {
        fprintf(stderr, "vmlab %s: the process was killed after %llu accesses: %s\n", cmd,
                (unsigned long long)res->records, res->kill_msg);
        status = cli_exit_worst(status, VMLAB_EXIT_KILLED);
    }
    if (res->interrupted)
        status = cli_exit_worst(status, VMLAB_EXIT_INTERRUPTED);
    return status;
}
