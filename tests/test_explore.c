/* test_explore.c — the explorer's record, read back.
 *
 * A replay is watched by a step recorder and an explorer, as `vmlab
 * explore` does; at the last step the test takes the truth from the
 * machine and the kernel (every TLB and page-walk-cache slot, every
 * page-table entry reachable from the root, every frame, the swap slots,
 * every counter). The page is written, its data block parsed, and the
 * starting state plus every step's changes applied, as the page's script
 * does: the result must be the truth, exactly. Then the page's form: one
 * data block that no string can end early, the text of each step as
 * `vmlab step` prints it, and the byte budget (a small budget stops the
 * record, and the page says so). Runs for several policies, formats and
 * a start past the first access.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmlab/observe.h>
#include <vmlab/physmem.h>

#include "explore/explore.h"
#include "lib/jsontree.h"
#include "lib/ptbuild.h"
#include "lib/run.h"
#include "lib/tap.h"
#include "replay/replay.h"
#include "step/step.h"

/* ---- the truth at the last step ---- */

struct pte { uint64_t pa, v; };

struct truth {
    struct vm_tlb_slot *tlb[VM_TLB_NLEVELS];
    unsigned ntlb[VM_TLB_NLEVELS];
    struct vm_pwc_slot *pwc[5];
    unsigned npwc[5];
    struct pte *pt;
    size_t npt, cappt;
    struct kernel_frame_info *fr;
    uint64_t nfr;
    struct kernel_policy_info pol;
    struct kernel_slot_info *sw;
    uint64_t nsw;
    uint64_t counters[CPU_STAT_NR + VMSTAT_NR];
};

static void pt_walk_all(struct truth *t, struct physmem *pm, const struct pt_format *f, paddr_t table,
                        unsigned level)
{
    for (unsigned i = 0; i < pt_fmt_entries(f); i++) {
        paddr_t pa = pt_fmt_nth(f, table, i);
        uint64_t v = pte_load_as(f, pm, pa);
        if (!v)
            continue;
        if (t->npt == t->cappt)
            t->pt = realloc(t->pt, (t->cappt = t->cappt ? 2 * t->cappt : 1024) * sizeof *t->pt);
        t->pt[t->npt++] = (struct pte){pa, v};
        struct pte_info pi;
        f->decode(v, level, &pi);
        if (pi.present && !pi.leaf && level > 0)
            pt_walk_all(t, pm, f, pi.addr, level - 1);
    }
}

static void take_truth(struct truth *t, struct machine *m, struct kernel *k, struct cpu *cpu,
                       const struct pt_format *f)
{
    memset(t, 0, sizeof *t);
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++) {
        t->ntlb[l] = cpu_tlb_level_slots(cpu, (enum vm_tlb_level)l);
        t->tlb[l] = calloc(t->ntlb[l] + 1, sizeof *t->tlb[l]);
        for (unsigned i = 0; i < t->ntlb[l]; i++)
            cpu_tlb_level_slot(cpu, (enum vm_tlb_level)l, i, &t->tlb[l][i]);
    }
    for (unsigned l = 1; l <= 4; l++) {
        t->npwc[l] = cpu_pwc_slots(cpu, l);
        t->pwc[l] = calloc(t->npwc[l] + 1, sizeof *t->pwc[l]);
        for (unsigned i = 0; i < t->npwc[l]; i++)
            cpu_pwc_slot(cpu, l, i, &t->pwc[l][i]);
    }
    pt_walk_all(t, machine_physmem(m), f, cpu_root(cpu), f->levels - 1);
    t->nfr = kernel_inspect_frames(k, &t->pol, NULL, 0);
    t->fr = calloc(t->nfr + 1, sizeof *t->fr);
    kernel_inspect_frames(k, &t->pol, t->fr, t->nfr);
    uint64_t nslots;
    t->nsw = kernel_inspect_swap(k, NULL, 0, &nslots);
    t->sw = calloc(t->nsw + 1, sizeof *t->sw);
    kernel_inspect_swap(k, t->sw, t->nsw, &nslots);
    struct cpu_stats cs;
    struct vmstat vs;
    cpu_stats(cpu, &cs);
    kernel_vmstat(k, &vs);
    memcpy(t->counters, cs.v, sizeof cs.v);
    memcpy(t->counters + CPU_STAT_NR, vs.v, sizeof vs.v);
}

static void free_truth(struct truth *t)
{
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++)
        free(t->tlb[l]);
    for (unsigned l = 1; l <= 4; l++)
        free(t->pwc[l]);
    free(t->pt);
    free(t->fr);
    free(t->sw);
}

/* ---- a watched replay ---- */

struct watch {
    struct step_recorder rec;
    struct step_ctx ctx;
    struct explorer *x;
    struct machine *m;
    struct kernel *k;
    struct cpu *cpu;
    const struct pt_format *fmt;
    uint64_t last;                 /* the record after which the truth is taken */
    bool begun, failed;
    struct truth truth;
};

static void on_start(void *arg, struct machine *m, struct kernel *k, struct process *p, struct cpu *cpu)
{
    (void)p;
    struct watch *w = arg;
    w->m = m, w->k = k, w->cpu = cpu;
    w->ctx.has_l2 = machine_config(m)->tlb.l2.array[0].entries > 0;
}

static bool on_before(void *arg, uint64_t n, const struct trace_record *r)
{
    (void)n, (void)r;
    struct watch *w = arg;
    if (explorer_full(w->x))
        return false;
    if (!w->begun) {
        w->begun = true;
        step_recorder_attach(&w->rec, w->cpu);
        w->failed = explorer_begin(w->x, w->m, w->k, w->cpu, w->fmt) != 0;
    }
    step_recorder_reset(&w->rec);
    return true;
}

static void on_after(void *arg, uint64_t n, const struct trace_record *r, bool ok)
{
    struct watch *w = arg;
    struct step s = {.n = n + 1, .cpu = cpu_index(w->cpu), .rec = *r, .ok = ok};
    step_recorder_fill(&w->rec, &s);
    if (explorer_step(w->x, &w->ctx, &s) && n == w->last)
        take_truth(&w->truth, w->m, w->k, w->cpu, w->fmt);
}

/* The page's data block, parsed. */
static struct json *page_data(const char *page, size_t len)
{
    const char *open = "<script type=\"application/json\" id=\"vmlab-data\">";
    const char *a = strstr(page, open);
    const char *b = a ? strstr(a, "</script>") : NULL;
    if (!a || !b)
        return NULL;
    a += strlen(open);
    char err[128];
    struct json *j = jt_parse(a, (size_t)(b - a), err, sizeof err);
    if (!j)
        tap_diag("the data block is not JSON: %s", err);
    (void)len;
    return j;
}

/* ---- the page's replay of its data, in C ---- */

struct state {
    const struct json **tlb[VM_TLB_NLEVELS];   /* a slot's item, or NULL */
    unsigned ntlb[VM_TLB_NLEVELS];
    const struct json **pwc[5];
    unsigned npwc[5];
    struct pte *pt;                /* sorted by pa at the end */
    size_t npt, cappt;
    const struct json **fr;
    uint64_t nfr;
    const struct json *pol;
    const struct json **sw;        /* by slot, up to max */
    uint64_t nsw;
    uint64_t c[CPU_STAT_NR + VMSTAT_NR];
};

/* The page writes addresses and entries as hex digits without "0x". */
static uint64_t hexv(const struct json *j)
{
    return strtoull(jt_str(j), NULL, 16);
}

static void pt_set(struct state *s, uint64_t pa, uint64_t v)
{
    for (size_t i = 0; i < s->npt; i++)
        if (s->pt[i].pa == pa) {
            s->pt[i].v = v;
            return;
        }
    if (s->npt == s->cappt)
        s->pt = realloc(s->pt, (s->cappt = s->cappt ? 2 * s->cappt : 1024) * sizeof *s->pt);
    s->pt[s->npt++] = (struct pte){pa, v};
}

static void apply(struct state *s, const struct json *d)
{
    const struct json *t = jt_get(d, "t"), *p = jt_get(d, "p"), *fr = jt_get(d, "fr"),
                      *sw = jt_get(d, "sw"), *c = jt_get(d, "c"), *pol = jt_get(d, "pol");
    for (size_t i = 0; t && i < t->n; i++) {
        const struct json *it = &t->item[i];
        unsigned l = (unsigned)jt_u64(jt_at(it, 0)), k = (unsigned)jt_u64(jt_at(it, 1));
        bool empty = jt_at(it, 2)->type == JSON_NUM;
        if (l >= 10 && l - 10 <= 4 && k < s->npwc[l - 10])
            s->pwc[l - 10][k] = empty ? NULL : it;
        else if (l < VM_TLB_NLEVELS && k < s->ntlb[l])
            s->tlb[l][k] = empty ? NULL : it;
    }
    for (size_t i = 0; p && i < p->n; i++)
        pt_set(s, hexv(jt_at(&p->item[i], 0)), hexv(jt_at(&p->item[i], 1)));
    for (size_t i = 0; fr && i < fr->n; i++) {
        uint64_t k = jt_u64(jt_at(&fr->item[i], 0));
        if (k < s->nfr)
            s->fr[k] = jt_u64(jt_at(&fr->item[i], 1)) ? &fr->item[i] : NULL;
    }
    for (size_t i = 0; sw && i < sw->n; i++) {
        uint64_t k = jt_u64(jt_at(&sw->item[i], 0));
        if (k < s->nsw)
            s->sw[k] = sw->item[i].n > 1 ? &sw->item[i] : NULL;
    }
    for (size_t i = 0; c && i < c->n; i++) {
        uint64_t k = jt_u64(jt_at(&c->item[i], 0));
        if (k < CPU_STAT_NR + VMSTAT_NR)
            s->c[k] = jt_u64(jt_at(&c->item[i], 1));
    }
    if (pol)
        s->pol = pol;
}

static int by_pa(const void *a, const void *b)
{
    const struct pte *x = a, *y = b;
    return x->pa < y->pa ? -1 : x->pa > y->pa;
}

/* The data, replayed, against the truth. */
static void compare(const char *what, const struct json *data, struct truth *t, uint64_t swap_slots)
{
    struct state s = {0};
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++) {
        s.ntlb[l] = t->ntlb[l];
        s.tlb[l] = calloc(s.ntlb[l] + 1, sizeof *s.tlb[l]);
    }
    for (unsigned l = 1; l <= 4; l++) {
        s.npwc[l] = t->npwc[l];
        s.pwc[l] = calloc(s.npwc[l] + 1, sizeof *s.pwc[l]);
    }
    s.nfr = t->nfr;
    s.fr = calloc(s.nfr + 1, sizeof *s.fr);
    s.nsw = swap_slots < 100000 ? swap_slots : 100000;
    s.sw = calloc(s.nsw + 1, sizeof *s.sw);
    apply(&s, jt_get(data, "init"));
    const struct json *steps = jt_get(data, "steps");
    for (size_t i = 0; steps && i < steps->n; i++)
        apply(&s, &steps->item[i]);

    bool tlb = true;
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++)
        for (unsigned i = 0; i < t->ntlb[l]; i++) {
            const struct vm_tlb_slot *x = &t->tlb[l][i];
            const struct json *it = s.tlb[l][i];
            bool same = x->valid == (it != NULL);
            if (x->valid && it) {
                char va[32], fr[32];
                snprintf(va, sizeof va, "%llx", (unsigned long long)x->va);
                snprintf(fr, sizeof fr, "%llx", (unsigned long long)x->frame);
                same = !strcmp(jt_str(jt_at(it, 2)), va) && jt_u64(jt_at(it, 3)) == x->entry_shift &&
                       jt_u64(jt_at(it, 4)) == x->page_shift && !strcmp(jt_str(jt_at(it, 5)), fr) &&
                       jt_u64(jt_at(it, 6)) == x->asid &&
                       jt_u64(jt_at(it, 7)) == ((x->global ? 1u : 0) | (x->dirty ? 2u : 0)) &&
                       jt_u64(jt_at(it, 8)) == x->prot;
            }
            if (!same && tlb)
                tap_diag("%s: %s slot %u differs", what, vm_tlb_level_names[l], i);
            tlb = tlb && same;
        }
    ok(tlb, "%s: every TLB slot replayed from the page equals the machine's", what);
    bool pwc = true;
    for (unsigned l = 1; l <= 4; l++)
        for (unsigned i = 0; i < t->npwc[l]; i++) {
            const struct vm_pwc_slot *x = &t->pwc[l][i];
            const struct json *it = s.pwc[l][i];
            char va[32], tb[32];
            snprintf(va, sizeof va, "%llx", (unsigned long long)x->va);
            snprintf(tb, sizeof tb, "%llx", (unsigned long long)x->table);
            pwc = pwc && (x->valid ? it && !strcmp(jt_str(jt_at(it, 2)), va) &&
                                         !strcmp(jt_str(jt_at(it, 3)), tb) && jt_u64(jt_at(it, 4)) == x->asid
                                   : !it);
        }
    ok(pwc, "%s: every page-walk-cache slot equals the machine's", what);

    /* the entries the page knows, the zeros dropped, against the tree */
    size_t n = 0;
    for (size_t i = 0; i < s.npt; i++)
        if (s.pt[i].v)
            s.pt[n++] = s.pt[i];
    qsort(s.pt, n, sizeof *s.pt, by_pa);
    qsort(t->pt, t->npt, sizeof *t->pt, by_pa);
    ok(n == t->npt && (!n || !memcmp(s.pt, t->pt, n * sizeof *s.pt)),
       "%s: the page-table entries replayed from the page (%zu) are the tree in memory (%zu), "
       "value for value", what, n, t->npt);

    bool frames = true;
    for (uint64_t i = 0; i < t->nfr; i++) {
        const struct kernel_frame_info *f = &t->fr[i];
        const struct json *it = s.fr[i];
        bool same = !f->used ? !it : it != NULL;
        if (f->used && it) {
            unsigned bits = (f->used ? 1u : 0) | (f->busy ? 2u : 0) | (f->listed ? 4u : 0) |
                            (f->pinned ? 8u : 0) | (f->accessed ? 16u : 0) | (f->dirty ? 32u : 0) |
                            (f->huge_tail ? 64u : 0);
            char va[32];
            snprintf(va, sizeof va, "%llx", (unsigned long long)f->va);
            same = jt_u64(jt_at(it, 1)) == bits && (int)jt_u64(jt_at(it, 2)) == f->pid &&
                   !strcmp(jt_str(jt_at(it, 3)), va) && jt_u64(jt_at(it, 5)) == f->ring &&
                   (int)jt_at(it, 6)->num == (f->next == UINT32_MAX ? -1 : (int)f->next) &&
                   jt_u64(jt_at(it, 7)) == f->mark && jt_u64(jt_at(it, 8)) == f->mappers;
        }
        if (!same && frames)
            tap_diag("%s: frame %llu differs", what, (unsigned long long)i);
        frames = frames && same;
    }
    ok(frames, "%s: every frame (page, A, D, list, next, mark) equals the kernel's", what);
    ok(s.pol && (int)jt_at(s.pol, 0)->num == (t->pol.hand == UINT32_MAX ? -1 : (int)t->pol.hand) &&
           (int)jt_at(s.pol, 1)->num == (t->pol.head[0] == UINT32_MAX ? -1 : (int)t->pol.head[0]) &&
           jt_u64(jt_at(s.pol, 3)) == t->pol.listed,
       "%s: the policy's hand and list head equal the kernel's", what);
    bool swap = true;
    uint64_t used = 0;
    for (uint64_t i = 0; i < s.nsw; i++)
        used += s.sw[i] != NULL;
    swap = used == t->nsw;
    for (uint64_t i = 0; swap && i < t->nsw; i++) {
        const struct json *it = t->sw[i].slot < s.nsw ? s.sw[t->sw[i].slot] : NULL;
        char va[32];
        snprintf(va, sizeof va, "%llx", (unsigned long long)t->sw[i].va);
        swap = it && !strcmp(jt_str(jt_at(it, 1)), va) && jt_u64(jt_at(it, 3)) == t->sw[i].owners &&
               jt_u64(jt_at(it, 4)) == (t->sw[i].cached ? 1u : 0);
    }
    ok(swap, "%s: the swap slots in use (%llu) and who holds each equal the kernel's", what,
       (unsigned long long)t->nsw);
    bool counters = true;
    for (int i = 0; i < CPU_STAT_NR + VMSTAT_NR; i++)
        if (s.c[i] != t->counters[i]) {
            tap_diag("%s: counter %d: page %llu, truth %llu", what, i, (unsigned long long)s.c[i],
                     (unsigned long long)t->counters[i]);
            counters = false;
        }
    ok(counters, "%s: every counter equals the machine's and the kernel's", what);
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++)
        free(s.tlb[l]);
    for (unsigned l = 1; l <= 4; l++)
        free(s.pwc[l]);
    free(s.pt);
    free(s.fr);
    free(s.sw);
}

/* ---- one run ---- */

static void run_case(const char *what, const char *policy, const char *pt, const char *tlb,
                     uint64_t frames, uint64_t from, uint64_t count, uint64_t budget)
{
    char err[512];
    struct trace_reader *r = trace_open("examples/traces/bzip.trace.gz", TRACE_AUTO, NULL, err, sizeof err);
    if (!r) {
        tap_diag("%s", err);
        ok(false, "%s: open the trace", what);
        return;
    }
    struct replay_config cfg;
    replay_config_default(&cfg);
    cfg.fmt = pt_format_by_name(pt);
    cfg.tlb = *tlb_preset(tlb);
    cfg.frames = frames;
    cfg.policy = policy;
    cfg.swap_bytes = 4 << 20;
    cfg.limit = from - 1 + count;
    struct watch w = {.fmt = cfg.fmt, .last = from - 1 + count - 1};
    step_recorder_init(&w.rec);
    w.ctx.fmt = cfg.fmt;
    struct explore_info info = {.title = "test <b>&</b>", .input = "bzip </script>", .config = what,
                                .from = from};
    w.x = explorer_new(&info, budget);
    struct replay_hooks hooks = {.from = from - 1, .start = on_start, .before = on_before,
                                 .after = on_after, .arg = &w};
    cfg.hooks = &hooks;
    struct replay_source src = {.reader = r};
    struct replay_result res;
    int rc = replay_run(&cfg, &src, &res, err, sizeof err);
    ok(rc == 0 && !w.failed, "%s: the watched replay ran", what);
    char *page = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&page, &len);
    bool written = explorer_write(w.x, f, err, sizeof err) == 0;
    written = fclose(f) == 0 && written;
    ok(written, "%s: the page is written (%zu bytes)", what, len);
    struct json *data = page ? page_data(page, len) : NULL;
    /* nothing a string holds ends the data block: exactly one </script> after it */
    const char *blk = page ? strstr(page, "id=\"vmlab-data\">") : NULL;
    const char *end = blk ? strstr(blk, "</script>") : NULL;
    ok(data && end && !strstr(blk, "</script>bzip") && jt_is(jt_get(data, "input"), "bzip </script>") &&
           jt_is(jt_get(data, "title"), "test <b>&</b>"),
       "%s: one data block, whose strings cannot end it (an input named \"bzip </script>\" survives)",
       what);
    const struct json *steps = jt_get(data, "steps");
    if (budget) {
        ok(explorer_full(w.x) && steps && steps->n < count && len <= budget &&
               jt_true(jt_get(data, "full")),
           "%s: the budget of %llu bytes stopped the record at %zu steps (page %zu bytes), and the "
           "page says so", what, (unsigned long long)budget, steps ? steps->n : 0, len);
    } else {
        ok(steps && steps->n == count && jt_u64(jt_get(&steps->item[0], "n")) == from,
           "%s: %llu steps kept, the first is access %llu", what, (unsigned long long)count,
           (unsigned long long)from);
        compare(what, data, &w.truth, 1024);
        /* each step's text is the text form of the step */
        const struct json *lines = jt_get(data, "lines");
        const struct json *last = steps ? &steps->item[steps->n - 1] : NULL;
        const struct json *x = jt_get(last, "x");
        char head[64];
        snprintf(head, sizeof head, "step %llu  cpu 0", (unsigned long long)(from + count - 1));
        ok(x && x->n > 1 && !strncmp(jt_str(jt_at(lines, jt_u64(jt_at(x, 0)))), head, strlen(head)),
           "%s: the last step's text begins \"%s\"", what, head);
        free_truth(&w.truth);
    }
    jt_free(data);
    free(page);
    explorer_free(w.x);
    step_recorder_free(&w.rec);
    trace_close(r);
}

/* ---- the command line ---- */

static long long size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void cli_case(void)
{
    const char *v = vmlab_bin();
    char dir[] = "/tmp/vmlab-explore-cli-XXXXXX", page[128];
    if (!mkdtemp(dir))
        return;
    snprintf(page, sizeof page, "%s/p.html", dir);
    static const char *const bad[] = {"", "--json -o X", "--csv -o X", "--quiet -o X", "--count 0 -o X",
                                      "--from 0 -o X", "--from x -o X"};
    char bin[4096], here[4096];
    if (!realpath(v, bin) || !getcwd(here, sizeof here))
        return;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* run in dir, so that an X written by mistake would be seen there */
        struct run_result r = run_fmt("cd %s && %s explore %s %s/examples/traces/trace1", dir, bin, bad[i],
                                 here);
        char x[160];
        snprintf(x, sizeof x, "%s/X", dir);
        ok(r.status == 2 && r.err[0] && size_of(page) < 0 && access(x, F_OK) != 0,
           "explore %s: a usage error (exit 2), said on stderr, nothing written",
           bad[i][0] ? bad[i] : "without -o");
        run_free(&r);
    }
    struct run_result r = run_fmt("%s explore --from 500 -o %s examples/traces/trace1", v, page);
    ok(r.status == 1 && strstr(r.err, "none from access 500") && size_of(page) < 0,
       "--from past the end: exit 1, said, no page");
    run_free(&r);
    r = run_fmt("%s explore --count 5 -o %s - < examples/traces/trace2", v, page);
    ok(r.status == 0 && strstr(r.err, "5 steps (accesses 1 to 5)") && size_of(page) > 1000,
       "standard input: a page of 5 steps");
    run_free(&r);
    r = run_fmt("%s explore --refs 1,2,3,1 --frames 2 -o %s", v, page);
    ok(r.status == 0 && strstr(r.err, "4 steps"), "--refs: a page of 4 steps");
    run_free(&r);
    r = run_fmt("%s explore -o examples/traces/trace2 examples/traces/trace2", v);
    ok(r.status == 1 && strstr(r.err, "trace2"), "-o the input itself is refused (exit 1)");
    run_free(&r);
    /* a run that faults and evicts at nearly every access: the budget cuts it */
    r = run_fmt("%s explore --frames 4 --policy aging --tlb none --count 100000 -o %s "
           "examples/traces/bzip.trace.gz", v, page);
    long long n = size_of(page);
    ok(r.status == 0 && strstr(r.err, "cut short") && n > 4000000 && n <= 5000000,
       "a page that would pass 5 MB is cut short, and stays under it (%lld bytes)", n);
    run_free(&r);
    r = run_fmt("grep -o '\"full\":true' %s/p.html", dir);
    ok(strstr(r.out, "\"full\":true") != NULL, "the page says it was cut short");
    run_free(&r);
    r = run_fmt("%s explore --frames 1 --swap 0 --refs 1w,2 -o %s", v, page);
    ok(r.status == 3 && strstr(r.err, "killed after 2 accesses") && size_of(page) > 1000,
       "a kill: exit 3, and the page is written");
    run_free(&r);
    r = run_fmt("grep -o 'The process was killed at access 2: oom-swap-full[^\"]*' %s", page);
    ok(r.status == 0 && r.out[0], "the page says the process was killed, and why");
    run_free(&r);
    r = run_fmt("%s explore --help", v);
    ok(r.status == 0 && strstr(r.out, "--count M") && strstr(r.out, "-o, --output PAGE     the page"),
       "explore --help");
    run_free(&r);
    r = run_fmt("rm -rf '%s'", dir);
    run_free(&r);
}

int main(void)
{
    uint64_t n = tm_san() ? 300 : 3000;
    run_case("clock, x86-64, golden-cove, 24 frames", "clock", "x86-64", "golden-cove", 24, 1, n, 0);
    run_case("linux, sv39, zen4, 32 frames, from access 2001", "linux", "sv39", "zen4", 32, 2001, n, 0);
    run_case("aging, ia32, haswell, 16 frames", "aging", "ia32", "haswell", 16, 1, n, 0);
    run_case("fifo, x86-64, tiny, 12 frames", "fifo", "x86-64", "tiny", 12, 1, n, 0);
    run_case("a 300 KB budget", "clock", "x86-64", "golden-cove", 16, 1, 20000, 300000);
    cli_case();
    return tap_done();
}
