/* replay.c — the replay driver: trace records in, counters out.
 *
 * One CPU, one process, the whole user half of the address space mapped
 * as demand-zero anonymous memory: each record becomes cpu_touch() in user
 * mode, so a replay exercises exactly what a program's accesses would.
 */
#include "replay/replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vmlab/physmem.h>

#include "os/swap.h"
#include "replay/nextuse.h"
#include "replay/oracle.h"
#include "replay/outfile.h"

/* Page-table pages come from the kernel pool. A trace spread over the
 * whole address space needs one table page per 2 MiB region touched;
 * this many is enough for traces of tens of GiB of footprint, and costs
 * host memory only for the frames actually used. */
#define REPLAY_KERNEL_FRAMES 32768

void replay_cost_default(struct replay_cost *c)
{
    c->access = 1.0;
    c->stlb_hit = 2.5;
    c->walk_ref = 10.0;
    c->minor_fault = 1000.0;
    c->major_fault = 100000.0;
    c->swap_out = 100000.0;
    c->refill_trap = 20.0;
    c->refill_probe = 10.0;
}

/* The latencies by their --cost names. */
static const struct { const char *name; size_t off; } keys[] = {
    {"access", offsetof(struct replay_cost, access)},
    {"stlb-hit", offsetof(struct replay_cost, stlb_hit)},
    {"walk-ref", offsetof(struct replay_cost, walk_ref)},
    {"minor-fault", offsetof(struct replay_cost, minor_fault)},
    {"major-fault", offsetof(struct replay_cost, major_fault)},
    {"swap-out", offsetof(struct replay_cost, swap_out)},
    {"refill-trap", offsetof(struct replay_cost, refill_trap)},
    {"refill-probe", offsetof(struct replay_cost, refill_probe)},
};

void replay_cost_describe(const struct replay_cost *c, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s=%g", i ? "," : "", keys[i].name,
                                 *(const double *)((const char *)c + keys[i].off));
}

int replay_cost_parse(struct replay_cost *c, const char *spec, char *err, size_t errlen)
{
    struct replay_cost n = *c;
    const char *s = spec;
    while (*s) {
        const char *end = strchr(s, ',');
        if (!end)
            end = s + strlen(s);
        const char *eq = memchr(s, '=', (size_t)(end - s));
        bool ok = false;
        for (size_t i = 0; eq && i < sizeof keys / sizeof keys[0]; i++) {
            if (strlen(keys[i].name) != (size_t)(eq - s) || strncmp(keys[i].name, s, (size_t)(eq - s)))
                continue;
            char *e;
            errno = 0;
            double v = strtod(eq + 1, &e);
            if (e == eq + 1) {
                snprintf(err, errlen, "cost '%.*s' has no value: give NAME=NANOSECONDS, e.g. "
                         "%s=10", (int)(end - s), s, keys[i].name);
                return -1;
            }
            if (!errno && e == end && v >= 0 && v <= REPLAY_COST_MAX_NS) {
                *(double *)((char *)&n + keys[i].off) = v;
                ok = true;
            } else if (e == end) {
                snprintf(err, errlen, "cost '%.*s' is out of range: from 0 to %g ns",
                         (int)(end - s), s, REPLAY_COST_MAX_NS);
                return -1;
            }
        }
        if (!ok) {
            snprintf(err, errlen,
                     "cost '%.*s' is not understood: expected NAME=NANOSECONDS with NAME one of "
                     "access, stlb-hit, walk-ref, minor-fault, major-fault, swap-out, refill-trap, "
                     "refill-probe",
                     (int)(end - s), s);
            return -1;
        }
        s = *end ? end + 1 : end;
    }
    *c = n;
    return 0;
}

void replay_config_default(struct replay_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->fmt = pt_format(PT_X86_64);
    cfg->tlb = *tlb_preset("golden-cove");
    cfg->frames = 1024;
    cfg->policy = "clock";
    cfg->swap_bytes = 1ull << 30;
    replay_cost_default(&cfg->cost);
}

vaddr_t replay_user_top(const struct pt_format *fmt)
{
    return pt_user_limit(fmt);
}

/* A 32-bit format cannot hold an address from 4 GiB up: such a record is
 * refused, naming the input and the record (1-based; and its line, for a
 * text reader), rather than folded (the 64-bit formats fold, and count it). */
static bool refuse_unfit(const struct replay_config *cfg, const struct trace_record *r,
                         uint64_t index, const struct trace_reader *reader, char *err,
                         size_t errlen)
{
    vaddr_t top = replay_user_top(cfg->fmt);
    if (cfg->fmt->halves || (r->va < top && r->va + r->size <= top))
        return false;
    char line[48] = "";
    if (reader && trace_line(reader) > 1)
        snprintf(line, sizeof line, " (line %llu)", (unsigned long long)trace_line(reader) - 1);
    snprintf(err, errlen,
             "%s: record %llu%s: address 0x%llx (%u bytes) does not fit %s, whose addresses are "
             "32 bits (0 to 0xffffffff); replay it with a 64-bit format (--pt)",
             cfg->input_name ? cfg->input_name : "the trace", (unsigned long long)index + 1, line,
             (unsigned long long)r->va, r->size, cfg->fmt->name);
    return true;
}

uint64_t replay_max_frames(void)
{
    return PHYSMEM_MAX_BYTES / VM_PAGE_SIZE - REPLAY_KERNEL_FRAMES - 1;
}

int replay_load(struct trace_reader *r, struct trace_record **recs, size_t *n, uint64_t max,
                char *err, size_t errlen)
{
    size_t cap = 1 << 16, len = 0;
    struct trace_record *a = malloc(cap * sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory loading the trace");
        return -1;
    }
    int rc = 0;
    while ((!max || len < max) && (rc = trace_next(r, &a[len])) == 1) {
        if (++len == cap) {
            struct trace_record *b = realloc(a, 2 * cap * sizeof *a);
            if (!b) {
                free(a);
                snprintf(err, errlen, "out of memory loading the trace (%zu records)", len);
                return -1;
            }
            a = b;
            cap *= 2;
        }
    }
    if (rc < 0) {
        free(a);
        snprintf(err, errlen, "%s", trace_error(r));
        return -1;
    }
    *recs = a;
    *n = len;
    return 0;
}

/* ---- OPT: the future of the trace, as the kernel's oracle ---- */

static uint64_t opt_next_use(void *arg, const struct process *p, vaddr_t page)
{
    return opt_next_use_of(arg, page >> VM_PAGE_SHIFT);
}

static uint64_t record_pages(const struct trace_record *r)
{
    return ((r->va + r->size - 1) >> VM_PAGE_SHIFT) - (r->va >> VM_PAGE_SHIFT) + 1;
}

static vaddr_t fold(vaddr_t va, uint32_t *size, vaddr_t top, uint64_t *folded)
{
    if (va >= top || va + *size > top) {
        va &= top - 1;
        if (va + *size > top)
            *size = (uint32_t)(top - va);
        (*folded)++;
    }
    return va;
}

static int opt_build(struct opt_oracle *o, const struct replay_config *cfg,
                     const struct trace_record *recs, size_t n, vaddr_t top, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    size_t events = 0;
    uint64_t folded = 0;
    for (size_t i = 0; i < n; i++) {
        if (refuse_unfit(cfg, &recs[i], i, NULL, err, errlen))
            return -1;
        struct trace_record r = recs[i];
        r.va = fold(r.va, &r.size, top, &folded);
        events += record_pages(&r);
    }
    uint64_t *pages = malloc((events ? events : 1) * sizeof *pages);
    if (!pages) {
        snprintf(err, errlen, "out of memory building OPT's next-use index (%zu events)", events);
        return -1;
    }
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        struct trace_record r = recs[i];
        r.va = fold(r.va, &r.size, top, &folded);
        uint64_t first = r.va >> VM_PAGE_SHIFT, count = record_pages(&r);
        for (uint64_t k = 0; k < count; k++)
            pages[e++] = first + k;
    }
    int rc = opt_build_keys(o, pages, events);
    free(pages);
    if (rc) {
        snprintf(err, errlen, "out of memory building OPT's next-use index");
        return -1;
    }
    return 0;
}

/* ---- progress ---- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress(const struct replay_config *cfg, const struct replay_source *src,
                     uint64_t done, double start, bool final)
{
    double t = now_seconds() - start;
    double pct = -1;
    if (src->recs && src->nrecs)
        pct = 100.0 * (double)done / (double)src->nrecs;
    else if (src->reader && cfg->input_bytes &&
             trace_reader_compression(src->reader) == TRACE_PLAIN)
        pct = 100.0 * (double)trace_offset(src->reader) / (double)cfg->input_bytes;
    char bar[32] = "";
    if (pct >= 0) {
        int filled = (int)(pct / 5);
        for (int i = 0; i < 20; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[20] = 0;
    }
    fprintf(stderr, "\r  %s%s%s %12llu accesses  %6.2f M/s  %5.1fs ", bar[0] ? "[" : "", bar,
            bar[0] ? "]" : "", (unsigned long long)done, t > 0 ? (double)done / t / 1e6 : 0.0, t);
    if (pct >= 0)
        fprintf(stderr, "%5.1f%%", pct > 100 ? 100.0 : pct);
    if (final)
        fprintf(stderr, "\r%*s\r", 79, "");
    fflush(stderr);
}

/* ---- the run ---- */

uint64_t replay_stat_value(const struct replay_result *res, const char *name)
{
    int i = cpu_stat_index(name);
    if (i >= 0)
        return res->cpu.v[i];
    if ((i = vmstat_index(name)) >= 0)
        return res->vm.v[i];
    if (!strcmp(name, "footprint"))
        return res->footprint;
    return strcmp(name, "records-folded") ? 0 : res->folded;
}

double replay_eat(const struct replay_cost *c, const struct cpu_stats *cpu, const struct vmstat *vm,
                  uint64_t accesses)
{
    if (!accesses)
        return 0;
    double extra = (double)cpu->v[CPU_STAT_STLB_HITS] * c->stlb_hit +
                   (double)cpu->v[CPU_STAT_WALK_REFS] * c->walk_ref +
                   (double)vm->v[VMSTAT_PGMINFAULT] * c->minor_fault +
                   (double)vm->v[VMSTAT_PGMAJFAULT] * c->major_fault +
                   (double)(vm->v[VMSTAT_PSWPOUT] + vm->v[VMSTAT_FILE_WRITEBACK]) * c->swap_out +
                   (double)(cpu->v[CPU_STAT_REFILL_TRAPS] + cpu->v[CPU_STAT_REFILL_MODIFIED_TRAPS]) *
                       c->refill_trap +
                   (double)vm->v[VMSTAT_SWPT_PROBES] * c->refill_probe;
    return c->access + extra / (double)accesses;
}

static double effective_access_time(const struct replay_cost *c, const struct replay_result *r)
{
    return replay_eat(c, &r->cpu, &r->vm, r->records);
}

struct replay_env {
    struct machine *m;
    struct kernel *k;
    struct process *p;
    struct cpu *cpu;
    int swap_slot;                 /* the swap file vmlab created, in the registry */
};

static int env_create(const struct replay_config *cfg, struct replay_env *env, char *err,
                      size_t errlen)
{
    memset(env, 0, sizeof *env);
    env->swap_slot = -1;
    if (cfg->frames < 1 || cfg->frames > replay_max_frames()) {
        snprintf(err, errlen, "a user pool of %llu frames does not fit: from 1 to %llu",
                 (unsigned long long)cfg->frames, (unsigned long long)replay_max_frames());
        return -1;
    }
    struct machine_config mc;
    machine_config_default(&mc, cfg->fmt->arch);
    mc.xlen = cfg->fmt->xlen;
    mc.tlb = cfg->tlb;
    mc.tlb_refill = cfg->tlb_refill;
    mc.mem_bytes = (cfg->frames + REPLAY_KERNEL_FRAMES + 1) * VM_PAGE_SIZE; /* frame 0 is never used */
    if (cfg->fmt->arch == PT_ARCH_X86)
        mc.maxphyaddr = 52;
    if (!(env->m = machine_create(&mc, err, errlen)))
        return -1;
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = cfg->frames;
    kc.kernel_frames = REPLAY_KERNEL_FRAMES;
    kc.swap_bytes = cfg->swap_bytes;
    kc.swap_path = cfg->swap_path;
    kc.swap_overwrite = cfg->swap_overwrite;
    kc.swap_keep_dev = cfg->input_dev;
    kc.swap_keep_ino = cfg->input_ino;
    kc.policy = cfg->policy;
    kc.seed = cfg->seed;
    kc.opt_ties = cfg->opt_ties;
    kc.thp = cfg->thp;
    kc.sw_pt = cfg->sw_pt;
    kc.sw_pt_entries = cfg->sw_pt_entries;
    kc.format = (int)cfg->fmt->id;
    kc.user_top = replay_user_top(cfg->fmt);
    if (!(env->k = kernel_create(env->m, &kc, err, errlen)))
        return -1;
    struct swap_dev *sw = kernel_swap_device(env->k);
    if (swap_created(sw))   /* removed at the end, or by a fatal signal's handler */
        env->swap_slot = temp_register(swap_path(sw));
    if (!(env->p = kernel_process_create(env->k, "trace"))) {
        snprintf(err, errlen, "cannot create the trace's process (kernel pool exhausted)");
        return -1;
    }
    int rc = kernel_map_anon(env->p, 0, replay_user_top(cfg->fmt), VM_PROT_READ | VM_PROT_WRITE |
                             VM_PROT_EXEC, KMAP_ALLOW_ZERO | (cfg->thp ? 0 : KMAP_NOHUGE));
    if (rc) {
        snprintf(err, errlen, "cannot map the trace's address space: %s", strerror(-rc));
        return -1;
    }
    env->cpu = machine_cpu(env->m, 0);
    cpu_attach(env->cpu);
    kernel_switch_to(env->cpu, env->p);
    return 0;
}

static void env_destroy(struct replay_env *env)
{
    if (env->cpu) {
        kernel_switch_to(env->cpu, NULL);
        if (env->p)
            kernel_process_exit(env->p, env->cpu);
        cpu_detach(env->cpu);
    } else if (env->p) {
        kernel_process_exit(env->p, NULL);
    }
    if (env->k)
        kernel_destroy(env->k);   /* removes a swap file it created */
    temp_unregister(env->swap_slot);
    if (env->m)
        machine_destroy(env->m);
}

/* ---- the footprint: distinct pages touched ---- */

struct footprint {
    struct pagemap seen;
    uint64_t last;                 /* the last page added: most records repeat it */
    bool failed;
};

static void footprint_add(struct footprint *f, uint64_t first, uint64_t last)
{
    if (first == f->last && last == first)
        return;
    for (uint64_t pg = first; pg <= last && !f->failed; pg++) {
        bool inserted;
        f->failed = !pagemap_upsert(&f->seen, pg, &inserted);
    }
    f->last = last;
}

/* ---- one record, page by page, for policies that hear every reference ----
 *
 * A record touching pages P1..Pk references them in address order. For the
 * policy to see that order exactly, each page must be reported before any
 * later page of the record can fault and make it choose a victim:
 *   - a record of at most 4 KiB (one or two pages) is one access (one
 *     translation per page, as a CPU does): P1 is reported before it, and
 *     P2 cannot be evicted by its own fault;
 *   - a longer record is the machine's one access per page (touch_slow does
 *     the same), each page reported after its access;
 * then the oracle moves past the record and every page is reported again in
 * order, which leaves the recency order P1 < ... < Pk and lets OPT cache
 * each page's next use after this record. */
static bool touch_reported(struct replay_env *env, const struct trace_record *r, uint64_t first,
                           uint64_t last)
{
    if (r->size <= VM_PAGE_SIZE) {
        if (last != first)
            kernel_note_access(env->p, first << VM_PAGE_SHIFT);
        return cpu_touch(env->cpu, r->va, r->size, r->kind) == 0;
    }
    for (uint64_t pg = first; pg <= last; pg++) {
        vaddr_t va = pg == first ? r->va : pg << VM_PAGE_SHIFT;
        if (cpu_touch(env->cpu, va, 1, r->kind) != 0)
            return false;
        kernel_note_access(env->p, pg << VM_PAGE_SHIFT);
    }
    return true;
}

static void report_pages(struct replay_env *env, uint64_t first, uint64_t last)
{
    for (uint64_t pg = first; pg <= last; pg++)
        kernel_note_access(env->p, pg << VM_PAGE_SHIFT);
}

static void note_kill(struct replay_env *env, struct replay_result *res)
{
    res->killed = true;
    snprintf(res->kill_msg, sizeof res->kill_msg, "%s",
             kernel_process_state(env->p) == PROC_KILLED ? kernel_process_kill_message(env->p)
                                                         : "access failed");
}

/* OPT's future: the records it replays (a reader's are loaded, up to the
 * limit) and the oracle over them, given to the kernel. 0, or -1 with err. */
static int prepare_future(const struct replay_config *cfg, struct replay_env *env,
                          struct replay_source *s, struct trace_record **loaded,
                          struct opt_oracle *oracle, char *err, size_t errlen)
{
    if (!s->recs) {
        if (replay_load(s->reader, loaded, &s->nrecs, cfg->limit, err, errlen))
            return -1;
        s->recs = *loaded;
        s->skipped = trace_skipped(s->reader);
        s->reader = NULL;
    }
    if (opt_build(oracle, cfg, s->recs, s->nrecs, replay_user_top(cfg->fmt), err, errlen))
        return -1;
    kernel_set_oracle(env->k, opt_next_use, oracle);
    return 0;
}

/* One record on its own, for a policy that hears every reference (refs) or
 * follows the oracle. false if the access killed the process. */
static bool replay_one(struct replay_env *env, struct opt_oracle *oracle, bool refs,
                       const struct trace_record *r)
{
    uint64_t first = r->va >> VM_PAGE_SHIFT, last = (r->va + r->size - 1) >> VM_PAGE_SHIFT;
    uint64_t pages = last - first + 1;
    if (oracle)
        opt_before(oracle, pages);
    bool ok = refs ? touch_reported(env, r, first, last)
                   : cpu_touch(env->cpu, r->va, r->size, r->kind) == 0;
    if (!ok)
        return false;
    if (oracle)
        opt_after(oracle, pages);
    if (refs)
        report_pages(env, first, last);
    return true;
}

/* The counters at the end of a run. The footprint: with 4 KiB pages the
 * kernel already knows it -- the first touch of a page faults and gives it
 * an SPT entry, and a replay never unmaps, so the process's SPT entries are
 * exactly the pages touched; a 2 MiB page is one entry whatever was touched
 * in it, so with THP the replay has counted the pages itself (fp). */
static void collect(const struct replay_config *cfg, struct replay_env *env,
                    const struct footprint *fp, struct replay_result *res)
{
    cpu_stats(env->cpu, &res->cpu);
    kernel_vmstat(env->k, &res->vm);
    struct kernel_usage ku;
    kernel_usage(env->k, &ku);
    res->frames_used = ku.user_frames_used;
    struct process_usage pu;
    kernel_process_usage(env->p, &pu);
    res->pt_pages = pu.pt_pages;
    res->footprint = cfg->thp ? fp->seen.count : pu.spt_pages;
    res->eat_ns = effective_access_time(&cfg->cost, res);
}

int replay_run(const struct replay_config *cfg, struct replay_source *src,
               struct replay_result *res, char *err, size_t errlen)
{
    if (src->reader && trace_reader_version(src->reader) >= 2)
        return replay_events(cfg, src->reader, res, err, errlen);
    memset(res, 0, sizeof *res);
    struct trace_record *loaded = NULL;
    struct replay_source s = *src;
    struct opt_oracle oracle;
    struct opt_oracle *future = NULL;
    struct footprint fp = {.last = UINT64_MAX};
    vaddr_t top = replay_user_top(cfg->fmt);
    int rc = -1;

    struct replay_env env;
    if (env_create(cfg, &env, err, errlen))
        goto out;
    /* what the policy wants, whatever it is called */
    unsigned wants = kernel_policy_wants(env.k);
    bool refs = wants & KERNEL_WANTS_REFS;
    if (s.recs && cfg->limit && cfg->limit < s.nrecs)
        s.nrecs = (size_t)cfg->limit;   /* the future ends at the limit too */
    if (wants & KERNEL_WANTS_ORACLE) {
        if (prepare_future(cfg, &env, &s, &loaded, &oracle, err, errlen))
            goto out;
        future = &oracle;
    }
    if (pagemap_init(&fp.seen, 1024)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const struct replay_hooks *hk = cfg->hooks;
    if (hk && hk->start)
        hk->start(hk->arg, env.m, env.k, env.p, env.cpu);

    /* Records go to the CPU in batches (cpu_touch_many: runs of TLB hits
     * cost a fraction of single calls), one at a time when the policy must
     * hear of every reference or follow the oracle. */
    enum { BATCH = 256 };
    struct cpu_ref batch[BATCH];
    const size_t batch_max = refs || future ? 1 : BATCH;
    const bool count_pages = cfg->thp;   /* see collect() */
    double start = now_seconds();
    uint64_t n = 0, next_progress = 0x40000;
    size_t i = 0;
    bool read_failed = false, at_end = false;
    while (!at_end) {
        if (cfg->stop && __atomic_load_n(cfg->stop, __ATOMIC_RELAXED)) {   /* set by a signal handler */
            res->interrupted = true;
            break;
        }
        size_t want = batch_max, got = 0;
        bool watched = hk && n >= hk->from;     /* one record, between the hooks */
        if (watched)
            want = 1;
        else if (hk && hk->from - n < want)
            want = (size_t)(hk->from - n);
        if (cfg->limit && cfg->limit - n < want)
            want = (size_t)(cfg->limit - n);
        if (want == 0)
            break;
        struct trace_record r;
        while (got < want) {
            if (s.recs) {
                if (i == s.nrecs) {
                    at_end = true;
                    break;
                }
                r = s.recs[i++];
            } else {
                int rd = trace_next(s.reader, &r);
                if (rd <= 0) {
                    at_end = true;
                    read_failed = rd < 0;
                    break;
                }
            }
            if (__builtin_expect(r.va >= top || r.va + r.size > top, 0)) {
                if (refuse_unfit(cfg, &r, n + got, s.reader, err, errlen))
                    goto out;
                r.va = fold(r.va, &r.size, top, &res->folded);
            }
            batch[got++] = (struct cpu_ref){.va = r.va, .size = r.size, .acc = r.kind};
        }
        if (got == 0)
            break;
        if (watched && hk->before && !hk->before(hk->arg, n, &r))
            break;
        for (size_t k = 0; count_pages && k < got; k++)
            footprint_add(&fp, batch[k].va >> VM_PAGE_SHIFT,
                          (batch[k].va + batch[k].size - 1) >> VM_PAGE_SHIFT);
        size_t done = batch_max > 1 ? cpu_touch_many(env.cpu, batch, got)
                                    : replay_one(&env, future, refs, &r);
        if (watched && hk->after)
            hk->after(hk->arg, n, &r, done == got);
        n += done;
        if (done < got) {
            note_kill(&env, res);
            n++;   /* the killing access counts as replayed */
            break;
        }
        if (cfg->progress && n >= next_progress) {
            next_progress = n + 0x40000;
            progress(cfg, &s, n, start, false);
        }
    }
    if (read_failed) {
        snprintf(err, errlen, "%s", trace_error(s.reader));
        goto out;
    }
    if (fp.failed) {
        snprintf(err, errlen, "out of memory counting the pages touched");
        goto out;
    }
    res->seconds = now_seconds() - start;
    if (cfg->progress)
        progress(cfg, &s, n, start, true);
    res->records = n;
    res->skipped = s.reader ? trace_skipped(s.reader) : s.skipped;
    collect(cfg, &env, &fp, res);
    rc = 0;
out:
    env_destroy(&env);
    if (future)
        opt_free(future);
    pagemap_free(&fp.seen);
    free(loaded);
    return rc;
}

/* ---- the counters as one list ---- */

const char *const replay_group_names[RG_NGROUPS] = {
    "accesses", "TLB", "page walks", "software TLB refill", "faults", "copy-on-write", "eviction",
    "swap and files", "invalidations", "other kernel counters", "kills",
};

static enum replay_group cpu_group(int i)
{
    switch (i) {
    case CPU_STAT_ACCESSES: return RG_ACCESS;
    case CPU_STAT_WALKS: case CPU_STAT_WALK_REFS: case CPU_STAT_WALK_AD_UPDATES:
    case CPU_STAT_WALK_RESTARTS: case CPU_STAT_PWC_HITS: case CPU_STAT_PWC_MISSES:
        return RG_WALK;
    case CPU_STAT_REFILL_TRAPS: case CPU_STAT_REFILL_MODIFIED_TRAPS:
    case CPU_STAT_REFILL_WRITES_INDEXED: case CPU_STAT_REFILL_WRITES_RANDOM:
    case CPU_STAT_REFILL_PROBES: case CPU_STAT_REFILL_READS:
        return RG_REFILL;
    case CPU_STAT_PAGE_FAULTS: case CPU_STAT_GP_FAULTS: return RG_FAULT;
    default:
        return i >= CPU_STAT_FLUSH_CR3 ? RG_FLUSH : RG_TLB;
    }
}

static enum replay_group vm_group(int i)
{
    switch (i) {
    case VMSTAT_PGFAULT: case VMSTAT_PGMAJFAULT: case VMSTAT_PGMINFAULT:
    case VMSTAT_THP_FAULT_ALLOC: case VMSTAT_THP_FAULT_FALLBACK: case VMSTAT_STACK_GROWTH:
    case VMSTAT_ZERO_FILL:
        return RG_FAULT;
    case VMSTAT_COW_FAULT: case VMSTAT_COW_COPY: case VMSTAT_COW_REUSE:
    case VMSTAT_FORK_SHARED: case VMSTAT_FORK_SWAP_SHARED:
        return RG_COW;
    case VMSTAT_SWPT_REFILLS: case VMSTAT_SWPT_PROBES: case VMSTAT_SWPT_MISSES:
    case VMSTAT_SWPT_LINEAR_MISSES: case VMSTAT_SWPT_EVICTIONS: case VMSTAT_SWPT_ALIAS:
    case VMSTAT_SWPT_DIRTY: case VMSTAT_SWPT_BYTES:
        return RG_REFILL;
    case VMSTAT_PGSTEAL: case VMSTAT_PGSCAN: case VMSTAT_PGACTIVATE: case VMSTAT_PGDEACTIVATE:
    case VMSTAT_PGDROP_CLEAN:
        return RG_EVICT;
    case VMSTAT_PSWPIN: case VMSTAT_PSWPOUT: case VMSTAT_FILE_READ: case VMSTAT_FILE_WRITEBACK:
    case VMSTAT_SWAP_WRITE_ERRORS: case VMSTAT_SWAP_READ_ERRORS: case VMSTAT_SWAP_CHECKSUM_ERRORS:
    case VMSTAT_SWAP_SLOTS_USED: case VMSTAT_FILE_WRITEBACK_ERRORS:
        return RG_SWAP;
    case VMSTAT_NR_TLB_REMOTE_FLUSH: case VMSTAT_NR_TLB_REMOTE_FLUSH_RECEIVED:
    case VMSTAT_NR_TLB_LOCAL_FLUSH_ONE: case VMSTAT_NR_TLB_LOCAL_FLUSH_ALL:
    case VMSTAT_ASID_ALLOC: case VMSTAT_ASID_STEAL:
        return RG_FLUSH;
    case VMSTAT_OOM_KILL: case VMSTAT_KILLS:
        return RG_KILL;
    default:   /* one counter per kill reason; counters added later go to "other" */
        return i >= VMSTAT_KILL_FIRST ? RG_KILL : RG_OTHER;
    }
}

size_t replay_stats(const struct replay_result *res, struct replay_stat *out, size_t max)
{
    size_t n = 0;
    for (int g = 0; g < RG_NGROUPS; g++) {
        for (int i = 0; i < CPU_STAT_NR && n < max; i++)
            if (cpu_group(i) == (enum replay_group)g)
                out[n++] = (struct replay_stat){cpu_stat_names[i], cpu_stat_descs[i], (enum replay_group)g,
                                                res->cpu.v[i]};
        for (int i = 0; i < VMSTAT_NR && n < max; i++)
            if (vm_group(i) == (enum replay_group)g)
                out[n++] = (struct replay_stat){vmstat_names[i], vmstat_descs[i], (enum replay_group)g,
                                                res->vm.v[i]};
        if (g == RG_ACCESS && n < max)
            out[n++] = (struct replay_stat){"records-folded",
                                            "addresses folded into the format's user half",
                                            RG_ACCESS, res->folded};
        if (g == RG_FAULT && n < max)
            out[n++] = (struct replay_stat){"footprint",
                                            "distinct 4 KiB pages touched (the cold misses: "
                                            "pgfault's floor with 4 KiB pages)",
                                            RG_FAULT, res->footprint};
    }
    return n;
}
