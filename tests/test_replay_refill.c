/* test_replay_refill.c — software-managed TLB refill from the command line:
 * `vmlab replay --tlb-refill software --sw-pt linear|hashed|inverted`.
 *
 * 1. Twins: one trace replayed with hardware walks and with each refill
 *    structure, same TLB and policy. The hashed and inverted tables find
 *    every translation the TLB lacks without displacing anything, so the
 *    refill traps are exactly the hardware machine's TLB misses (less its
 *    dirty re-walks, which become TLB Modified traps), and faults and swap
 *    traffic are the same; the linear table's own TLB entries can only add
 *    refills.
 * 2. The cost model: effective_access_ns is the documented sum, the trap
 *    and probe terms included, and --cost changes exactly those terms.
 * 3. 32-bit formats: stores after loads on neighbouring pages (4-byte
 *    entries, each updated alone), with the r3000 preset.
 * 4. Bad combinations are usage errors (status 2) that say why.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/run.h"
#include "lib/tap.h"

#define TRACE "examples/traces/bzip.trace.gz"


/* The effective access time the counters of one JSON report give, with the
 * default latencies of docs/replay.md, or those of `cost` (NULL: defaults). */
static double eat_of(const char *j, double refill_trap, double refill_probe)
{
    double extra = json_number(j, "stlb-hits") * 2.5 + json_number(j, "walk-mem-refs") * 10 +
                   json_number(j, "pgminfault") * 1000 + json_number(j, "pgmajfault") * 100000 +
                   (json_number(j, "pswpout") + json_number(j, "file_writeback")) * 100000 +
                   (json_number(j, "refill-traps") + json_number(j, "refill-modified-traps")) * refill_trap +
                   json_number(j, "swpt_probes") * refill_probe;
    return 1.0 + extra / json_number(j, "accesses");
}

static void twins(const char *tlb, const char *policy, uint64_t frames)
{
    const char *v = vmlab_bin();
    char common[256];
    snprintf(common, sizeof common, "--json --tlb %s --policy %s --frames %llu --limit 300000 %s",
             tlb, policy, (unsigned long long)frames, TRACE);
    struct run_result hw = run_fmt("%s replay %s", v, common);
    is_i64(hw.status, 0, "%s/%s: the hardware-walk replay runs", tlb, policy);
    uint64_t misses = json_u64(hw.out, "dTLB-load-misses") + json_u64(hw.out, "dTLB-store-misses") +
                      json_u64(hw.out, "iTLB-load-misses") - json_u64(hw.out, "tlb-dirty-rewalks");
    ok(misses > 1000 && json_u64(hw.out, "pswpout") > 0, "%s/%s: with TLB misses (%llu) and swapping",
       tlb, policy, (unsigned long long)misses);
    static const char *const structs[] = {"hashed", "inverted", "linear"};
    for (int s = 0; s < 3; s++) {
        struct run_result sw = run_fmt("%s replay --sw-pt %s %s", v, structs[s], common);
        is_i64(sw.status, 0, "%s/%s/%s: the software-refill replay runs", tlb, policy, structs[s]);
        ok(sw.out && strstr(sw.out, "\"tlb_refill\": \"software\"") &&
           strstr(sw.out, structs[s]), "%s: its config says software refill and the structure",
           structs[s]);
        is_u64(json_u64(sw.out, "walks"), 0, "%s: no hardware walk", structs[s]);
        if (s < 2) {
            is_u64(json_u64(sw.out, "refill-traps"), misses,
                   "%s/%s/%s: refill traps = the hardware TLB's misses", tlb, policy, structs[s]);
            is_u64(json_u64(sw.out, "refill-modified-traps"), json_u64(hw.out, "tlb-dirty-rewalks"),
                   "%s: TLB Modified traps = the dirty re-walks", structs[s]);
        } else {
            ok(json_u64(sw.out, "refill-traps") >= misses,
               "%s/%s/linear: refill traps (%llu) >= the hardware misses: its own entries only "
               "displace", tlb, policy, (unsigned long long)json_u64(sw.out, "refill-traps"));
        }
        is_u64(json_u64(sw.out, "pgfault"), json_u64(hw.out, "pgfault"), "%s: the same faults", structs[s]);
        is_u64(json_u64(sw.out, "pswpout"), json_u64(hw.out, "pswpout"), "%s: the same swap-outs", structs[s]);
        ok(json_u64(sw.out, "swpt_probes") >= json_u64(sw.out, "swpt_refills") && json_u64(sw.out, "swpt_bytes") > 0,
           "%s: probes counted (%llu for %llu refills), its memory (%llu bytes)", structs[s],
           (unsigned long long)json_u64(sw.out, "swpt_probes"),
           (unsigned long long)json_u64(sw.out, "swpt_refills"),
           (unsigned long long)json_u64(sw.out, "swpt_bytes"));
        double want = eat_of(sw.out, 20, 10), got = json_number(sw.out, "effective_access_ns");
        ok(fabs(got - want) < 1e-3, "%s: effective_access_ns %.4f = the cost model's sum %.4f",
           structs[s], got, want);
        run_free(&sw);
    }
    double want = eat_of(hw.out, 20, 10), got = json_number(hw.out, "effective_access_ns");
    ok(fabs(got - want) < 1e-3, "hardware: effective_access_ns %.4f = %.4f", got, want);
    run_free(&hw);
}

static void cost_terms(void)
{
    const char *v = vmlab_bin();
    struct run_result a = run_fmt("%s replay --json --sw-pt hashed --tlb haswell --frames 64 --limit 100000 "
                              "--cost refill-trap=0,refill-probe=0 %s", v, TRACE);
    struct run_result b = run_fmt("%s replay --json --sw-pt hashed --tlb haswell --frames 64 --limit 100000 "
                              "--cost refill-trap=100,refill-probe=3 %s", v, TRACE);
    is_i64(a.status, 0, "--cost refill-trap=0,refill-probe=0 is accepted");
    double ea = json_number(a.out, "effective_access_ns"), eb = json_number(b.out, "effective_access_ns");
    ok(fabs(ea - eat_of(a.out, 0, 0)) < 1e-3, "with both at 0 the refills cost nothing (%.4f)", ea);
    double diff = ((json_number(b.out, "refill-traps") + json_number(b.out, "refill-modified-traps")) * 100 +
                   json_number(b.out, "swpt_probes") * 3) / json_number(b.out, "accesses");
    ok(diff > 0 && fabs((eb - ea) - diff) < 1e-3,
       "refill-trap=100,refill-probe=3 adds exactly traps x 100 + probes x 3 per access (%.4f)", diff);
    run_free(&a);
    run_free(&b);
    struct run_result c = run_fmt("%s replay --cost refill-trap=-1 --refs 1,2", v);
    is_i64(c.status, 2, "a negative refill-trap is a usage error");
    ok(c.err && strstr(c.err, "refill-trap=-1"), "naming it");
    run_free(&c);
}

/* 4-byte page-table entries: each A/D update is a compare-and-swap of its
 * own 4 bytes, whatever its neighbour holds. */
static void formats_32(void)
{
    const char *v = vmlab_bin();
    static const char *const pts[] = {"ia32", "sv32"};
    static const char *const structs[] = {"hashed", "inverted"};
    for (int i = 0; i < 2; i++)
        for (int s = 0; s < 2; s++) {
            struct run_result r = run_fmt("%s replay --json --tlb r3000 --pt %s --sw-pt %s --frames 3 "
                                      "--policy fifo --refs 1,2,3,1w,2w,3w,4,1,2w", v, pts[i],
                                      structs[s]);
            is_i64(r.status, 0, "%s/%s: stores after loads on neighbouring pages run", pts[i],
                   structs[s]);
            is_u64(json_u64(r.out, "refill-modified-traps"), 3, "%s/%s: three TLB Modified traps",
                   pts[i], structs[s]);
            is_u64(json_u64(r.out, "pgfault"), 6, "%s/%s: FIFO with 3 frames faults 6 times", pts[i],
                   structs[s]);
            is_u64(json_u64(r.out, "killed"), 0, "%s/%s: nothing killed", pts[i], structs[s]);
            run_free(&r);
        }
}

static void usage_errors(void)
{
    static const struct { const char *args, *says; } cases[] = {
        {"--tlb-refill hardware --sw-pt hashed", "no meaning with --tlb-refill hardware"},
        {"--tlb-refill software --sw-pt none", "contradicts"},
        {"--sw-pt-entries 64", "give --sw-pt hashed"},
        {"--sw-pt inverted --sw-pt-entries 64", "give --sw-pt hashed"},
        {"--sw-pt-entries 3 --sw-pt hashed", "from 8 to"},
        {"--tlb-refill sometimes", "expected hardware or software"},
        {"--sw-pt radix", "expected linear, hashed, inverted or none"},
        {"--tlb-refill software --tlb tiny", "--tlb r3000"},
        {"--tlb-refill software --pt sv32", "linear (the default) needs a kernel half"},
        {"--sw-pt linear --pt ia32", "use --sw-pt hashed or inverted"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run_result r = run_fmt("%s replay %s --refs 1,2,3", vmlab_bin(), cases[i].args);
        is_i64(r.status, 2, "'%s' is a usage error", cases[i].args);
        ok(r.err && strstr(r.err, cases[i].says), "that says '%s'", cases[i].says);
        if (r.err && !strstr(r.err, cases[i].says))
            tap_diag("stderr: %s", r.err);
        run_free(&r);
    }
    struct run_result r = run_fmt("%s replay --sw-pt none --tlb tiny --json --refs 1,2,1", vmlab_bin());
    is_i64(r.status, 0, "--sw-pt none is hardware refill");
    ok(r.out && strstr(r.out, "\"tlb_refill\": \"hardware\""), "and says so");
    run_free(&r);
    r = run_fmt("%s replay --tlb r3000 --tlb-refill software --refs 1,2,3,1 | grep 'TLB refill'",
            vmlab_bin());
    ok(r.out && strstr(r.out, "software, the kernel's handler reading a linear page table"),
       "the text report names the refill and its structure");
    run_free(&r);
}

int main(void)
{
    twins("haswell", "clock", 48);
    twins("r3000", "lru", 64);
    cost_terms();
    formats_32();
    usage_errors();
    return tap_done();
}
