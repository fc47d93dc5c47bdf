/* test_step_cli.c — `vmlab step` from the command line.
 *
 *   1. A reference string worked by hand (two frames, fifo, no TLB): which
 *      steps fault, what each fault does (zero-fill, swap-out to slot 0,
 *      swap-in from slot 0, dropped), in JSON and in the text.
 *   2. Step output summed equals the counters of the same replay: every
 *      event of `step --json-lines` over real traces (the bzip SPEC trace
 *      with memory pressure, the course traces, the sample traces), for
 *      every policy, counted the way each counter counts, against
 *      `replay --json` of the same input and options.
 *   3. --from / --count / --only select exactly the steps a full run
 *      shows; every input the replay takes (a file, -, --refs, -- PROGRAM);
 *      -o; a kill (exit 3, the kill shown); refused options (exit 2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/jsontree.h"
#include "lib/ptbuild.h"
#include "lib/run.h"
#include "lib/stepsum.h"
#include "lib/tap.h"

/* The first event of a type in a step, and the how-many-th. */
static const struct json *event(const struct json *step, const char *type, unsigned nth)
{
    const struct json *evs = jt_get(step, "events");
    for (size_t i = 0; evs && i < evs->n; i++)
        if (jt_is(jt_get(&evs->item[i], "type"), type) && nth-- == 0)
            return &evs->item[i];
    return NULL;
}

/* ---- 1. by hand ---- */

static void by_hand(const char *v)
{
    /* pages 1 (written), 2, 3, 1 in two frames, fifo, no TLB:
     *   1: page 1 zero-filled into frame 0, dirty (the store sets D)
     *   2: page 2 into frame 1
     *   3: fifo evicts frame 0 (page 1, dirty): written to swap slot 0;
     *      page 3 zero-filled into frame 0
     *   4: page 1 faults: fifo evicts frame 1 (page 2, clean): dropped;
     *      page 1 read back from slot 0 into frame 1, a major fault */
    struct run_result r = run_fmt("%s step --json-lines --frames 2 --policy fifo --tlb none --refs 1w,2,3,1", v);
    is_i64(r.status, 0, "by hand: step exits 0");
    size_t n;
    bool good;
    struct json **s = json_lines(r.out, &n, &good);
    ok(good && n == 4, "by hand: four steps, each one JSON object (%zu lines)", n);
    if (n == 4 && good) {
        const struct json *h[4];
        for (int i = 0; i < 4; i++)
            h[i] = event(s[i], "handled", 0);
        ok(jt_u64(jt_get(s[0], "step")) == 1 && jt_is(jt_get(s[0], "access"), "store") &&
               jt_u64(jt_get(s[0], "va")) == 0x1000 && jt_u64(jt_get(s[3], "step")) == 4,
           "by hand: steps numbered 1-4, the first a store to 0x1000");
        ok(h[0] && jt_is(jt_get(h[0], "action"), "zero-fill") && jt_u64(jt_get(h[0], "frame")) == 0 &&
               h[1] && jt_u64(jt_get(h[1], "frame")) == 1,
           "by hand: pages 1 and 2 zero-filled into frames 0 and 1");
        const struct json *e3 = event(s[2], "evict", 2), *p3 = event(s[2], "policy", 0);
        ok(p3 && jt_is(jt_get(p3, "verdict"), "victim") && jt_u64(jt_get(p3, "frame")) == 0 &&
               e3 && jt_is(jt_get(e3, "outcome"), "swapped") && jt_u64(jt_get(e3, "slot")) == 0 &&
               !jt_true(jt_get(e3, "slot_reused")),
           "by hand: step 3: fifo's victim is frame 0, page 1 written to swap slot 0");
        const struct json *u3 = event(s[2], "evict", 1);
        ok(u3 && jt_is(jt_get(u3, "phase"), "unmap") && jt_u64(jt_get(u3, "va")) == 0x1000 &&
               jt_true(jt_get(u3, "dirty")),
           "by hand: its PTE had D set when it was cleared");
        const struct json *e4 = event(s[3], "evict", 2);
        ok(e4 && jt_is(jt_get(e4, "outcome"), "dropped") && jt_u64(jt_get(e4, "frame")) == 1,
           "by hand: step 4: frame 1 (page 2, clean) dropped");
        ok(h[3] && jt_is(jt_get(h[3], "action"), "swap-in") && jt_u64(jt_get(h[3], "slot")) == 0 &&
               jt_true(jt_get(h[3], "major")) && jt_u64(jt_get(h[3], "frame")) == 1,
           "by hand: page 1 swapped in from slot 0 into frame 1, a major fault");
        /* no TLB and no page-walk caches: every walk reads all 4 levels */
        const struct json *w = event(s[3], "walk", 0), *w2 = event(s[3], "walk", 1);
        const struct json *l = event(s[3], "tlb", 0);
        ok(w && jt_get(w, "entries")->n == 4 && w2 && jt_get(w2, "entries")->n == 4 && l &&
               !jt_true(jt_get(l, "l1")) && !jt_true(jt_get(l, "l2_probed")) &&
               jt_is(jt_get(l, "hit"), "miss") && !event(s[3], "fill", 0),
           "by hand: no TLB: a lookup with nothing to look in, two walks of 4 entries (before "
           "and after the fault), nothing filled");
    }
    json_lines_free(s, n);
    run_free(&r);

    r = run_fmt("%s step --frames 2 --policy fifo --tlb none --refs 1w,2,3,1", v);
    ok(r.status == 0 && strstr(r.out, "step 3  cpu 0  load 0x3000 (1 byte)") &&
           strstr(r.out, "fifo chooses a victim:") &&
           strstr(r.out, "frame 0 (pid 1 0x1000; load order): victim: the oldest resident page") &&
           strstr(r.out, "dirty: written to swap slot 0") &&
           strstr(r.out, "kernel: swap-in from slot 0: frame 1") && strstr(r.out, "(a major fault)") &&
           strstr(r.out, "clean: dropped"),
       "by hand: the text tells the same story");
    if (r.status == 0 && !strstr(r.out, "dirty: written to swap slot 0"))
        tap_diag("%s", r.out);
    run_free(&r);
}

/* ---- 2. step summed = replay's counters (lib/stepsum.c) ---- */

static void sums_case(const char *v, const char *input, const char *opts, const char *label)
{
    struct run_result st = run_fmt("%s step --json-lines %s %s", v, opts, input);
    struct run_result rp = run_fmt("%s replay --json %s %s", v, opts, input);
    size_t n = 0;
    bool same = step_sums_match(label, st.out, rp.out, false, &n) && st.status == 0 &&
                rp.status == 0;
    ok(same, "%s: %zu steps' events sum to the replay's counters", label, n);
    if (st.status || rp.status)
        tap_diag("%s: step exit %d (%.200s), replay exit %d (%.200s)", label, st.status, st.err,
                 rp.status, rp.err);
    run_free(&st);
    run_free(&rp);
}

static void sums(const char *v)
{
    static const char *const policies[] = {"clock", "clock-noflush", "fifo", "lru", "random",
                                           "aging", "opt", "linux"};
    unsigned limit = tm_san() ? 3000 : 30000;
    char opts[256], label[128];
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        /* 64 frames: the bzip trace's footprint is larger, so every policy evicts */
        snprintf(opts, sizeof opts, "--frames 64 --policy %s --limit %u", policies[i], limit);
        snprintf(label, sizeof label, "bzip, %s, 64 frames", policies[i]);
        sums_case(v, "examples/traces/bzip.trace.gz", opts, label);
    }
    sums_case(v, "examples/traces/bzip.trace.gz",
              tm_san() ? "--frames 48 --pt sv39 --tlb zen4 --limit 2000"
                       : "--frames 48 --pt sv39 --tlb zen4 --limit 20000",
              "bzip, sv39, zen4, clock, 48 frames");
    sums_case(v, "examples/traces/bzip.trace.gz",
              tm_san() ? "--frames 32 --pt ia32 --tlb haswell --policy linux --limit 2000"
                       : "--frames 32 --pt ia32 --tlb haswell --policy linux --limit 20000",
              "bzip, ia32, haswell, linux, 32 frames");
    sums_case(v, "examples/traces/bzip.trace.gz",
              tm_san() ? "--thp always --frames 2048 --limit 2000" : "--thp always --frames 2048 --limit 20000",
              "bzip, THP always (2 MiB pages and fallbacks), 2048 frames");
    sums_case(v, "examples/traces/trace3", "--frames 4 --policy clock", "trace3, clock, 4 frames");
    sums_case(v, "examples/traces/trace2", "--frames 3 --policy lru --tlb tiny", "trace2, lru, tiny TLB");
    sums_case(v, "tests/data/sample.lackey", "--frames 2 --policy fifo", "sample.lackey (fetches), fifo");
    sums_case(v, "tests/data/sample.rw.xz", "--frames 1 --policy opt", "sample.rw.xz, opt, 1 frame");
}

/* ---- 3. selecting steps; inputs; the command line ---- */

static size_t count_lines(const char *s, const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    for (const char *p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, prefix, len))
            n++;
    return n;
}

static void selection(const char *v)
{
    const char *in = "examples/traces/bzip.trace.gz", *o = "--frames 64 --policy clock";
    struct run_result all = run_fmt("%s step --json-lines %s --count 400 %s", v, o, in);
    struct run_result part = run_fmt("%s step --json-lines %s --from 301 --count 100 %s", v, o, in);
    const char *at = all.out;
    for (int i = 0; i < 300 && at; i++)
        at = strchr(at, '\n'), at = at ? at + 1 : NULL;
    ok(all.status == 0 && part.status == 0 && at && !strcmp(at, part.out),
       "--from 301 --count 100: the same lines as steps 301-400 of a run from the start (the "
       "first 300 replayed in batches, unwatched)");
    size_t n;
    bool good;
    struct json **s = json_lines(all.out, &n, &good);
    size_t faults = 0;
    for (size_t i = 0; i < n; i++)
        faults += event(s[i], "fault", 0) != NULL;
    json_lines_free(s, n);
    struct run_result f = run_fmt("%s step --json-lines %s --only faults --count %zu %s", v, o,
                              faults, in);
    s = json_lines(f.out, &n, &good);
    bool all_fault = good && n == faults;
    for (size_t i = 0; all_fault && i < n; i++)
        all_fault = event(s[i], "fault", 0) != NULL;
    uint64_t last = n ? jt_u64(jt_get(s[n - 1], "step")) : 0;
    ok(all_fault && last <= 400, "--only faults --count %zu: exactly the %zu faulting steps of the "
       "first 400 (the last is step %llu)", faults, faults, (unsigned long long)last);
    json_lines_free(s, n);
    run_free(&f);

    f = run_fmt("%s step --only evictions --count 3 %s %s", v, o, in);
    ok(f.status == 0 && count_lines(f.out, "step ") == 3 && count_lines(f.out, "    evict frame") >= 3,
       "--only evictions --count 3: three steps, each with an eviction");
    run_free(&f);
    f = run_fmt("%s step --only misses --count 50 --json-lines %s %s", v, o, in);
    s = json_lines(f.out, &n, &good);
    bool missing = good && n == 50;
    for (size_t i = 0; missing && i < n; i++)
        missing = event(s[i], "walk", 0) || (event(s[i], "tlb", 0) &&
                                             !jt_is(jt_get(event(s[i], "tlb", 0), "hit"), "l1"));
    ok(missing, "--only misses: 50 steps, each an L2 hit or a walk");
    json_lines_free(s, n);
    run_free(&f);

    /* text and JSON say the same steps */
    struct run_result t = run_fmt("%s step %s --count 400 %s", v, o, in);
    ok(t.status == 0 && count_lines(t.out, "step ") == 400 && count_lines(t.out, "  => pa ") == 400,
       "text: 400 steps, each ending with its physical address");
    run_free(&t);
    run_free(&all);
    run_free(&part);
}

static void inputs(const char *v)
{
    struct run_result a = run_fmt("%s step --count 5 examples/traces/trace1", v);
    struct run_result b = run_fmt("%s step --count 5 - < examples/traces/trace1", v);
    ok(a.status == 0 && b.status == 0 && count_lines(a.out, "step ") == 5 && !strcmp(a.out, b.out),
       "a file and - (standard input) give the same steps");
    run_free(&a);
    run_free(&b);
    a = run_fmt("%s step --refs 7,0,1,2,0,3 --frames 3 --policy fifo", v);
    ok(a.status == 0 && count_lines(a.out, "step ") == 6 && strstr(a.out, "step 6  cpu 0  load 0x3000"),
       "--refs: one step per reference, page N at N x 4096");
    run_free(&a);
    a = run_fmt("valgrind --version");
    if (a.status != 0) {
        tap_skip(1, "valgrind not installed");
    } else {
        struct run_result c = run_fmt("%s step --count 20 --json-lines -- /bin/true", v);
        size_t n;
        bool good;
        struct json **s = json_lines(c.out, &n, &good);
        ok(c.status == 0 && good && n == 20 && s[0] && jt_is(jt_get(s[0], "access"), "fetch"),
           "-- PROGRAM: a live Valgrind trace, stepped (20 steps, the first a fetch)");
        json_lines_free(s, n);
        run_free(&c);
    }
    run_free(&a);

    char dir[] = "/tmp/vmlab-step-XXXXXX";
    if (mkdtemp(dir)) {
        a = run_fmt("%s step --json-lines --count 7 -o %s/steps.jsonl examples/traces/trace2 && wc -l < %s/steps.jsonl",
                v, dir, dir);
        ok(a.status == 0 && atoi(a.out) == 7, "-o FILE: the 7 steps written to the file");
        run_free(&a);
        a = run_fmt("rm -rf %s", dir);
        run_free(&a);
    }

    /* a kill: one frame, no swap, a dirty page cannot be evicted */
    a = run_fmt("%s step --frames 1 --swap 0 --refs 1w,2", v);
    ok(a.status == 3 && strstr(a.out, "kernel: kills pid 1: oom-swap-full") &&
           strstr(a.out, "=> the access fails: the process is killed") &&
           strstr(a.err, "killed after 2 accesses"),
       "a kill: exit 3, the killing step shows the kill and why");
    run_free(&a);
    a = run_fmt("%s step --frames 1 --swap 0 --only evictions --refs 1w,2", v);
    ok(a.status == 3 && count_lines(a.out, "step 2") == 1,
       "the step that kills is shown whatever --only says");
    run_free(&a);

    a = run_fmt("%s step --from 100 examples/traces/trace1", v);
    ok(a.status == 0 && a.out[0] == 0 && strstr(a.err, "none from access 100"),
       "--from past the end: nothing shown, said on stderr, exit 0");
    run_free(&a);
    static const char *const bad[] = {"--from 0", "--count 0", "--only hits", "--json", "--csv",
                                      "--quiet", "--from x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = run_fmt("%s step %s examples/traces/trace1", v, bad[i]);
        ok(a.status == 2 && a.out[0] == 0 && a.err[0], "step %s: a usage error (exit 2), said on stderr",
           bad[i]);
        run_free(&a);
    }
    a = run_fmt("%s step --help", v);
    ok(a.status == 0 && strstr(a.out, "--json-lines") && strstr(a.out, "--only WHAT"),
       "step --help");
    run_free(&a);
}

int main(void)
{
    const char *v = vmlab_bin();
    by_hand(v);
    sums(v);
    selection(v);
    inputs(v);
    return tap_done();
}
