/* test_isa_machine.c — the interpreter's accesses are the machine's.
 *
 * A guest runs with a trace function recording every access rv_run makes
 * (and the harness's own kernel_copy_in for write). A twin machine and
 * kernel, built the same way, replays the records through cpu_touch and
 * kernel_copy_in. Every CPU counter, every kernel counter and the
 * process's resources must be equal: the interpreter's inline paths (the
 * access cache, the memo) count, stamp and fault exactly as the machine's
 * own calls do. Then the same guest without tracing (the fast paths) must
 * give the same counters again. Over TLB presets (LRU, tree-PLRU, random
 * replacement, no TLB at all) and memory pressure (evictions, swap).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/rvgen.h"
#include "lib/rvguest.h"
#include "lib/tap.h"

struct rec {
    uint64_t va;
    uint32_t size;
    int32_t acc;              /* enum vm_access, or -1: kernel_copy_in of size bytes */
};

struct log {
    struct rec *r;
    size_t n, cap;
};

static void add(struct log *l, uint64_t va, uint32_t size, int acc)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4096;
        l->r = realloc(l->r, l->cap * sizeof *l->r);
    }
    l->r[l->n++] = (struct rec){va, size, acc};
}

static void trace(void *arg, struct cpu *cpu, vaddr_t va, unsigned size, enum vm_access acc)
{
    (void)cpu;
    add(arg, va, size, (int)acc);
}

/* Run g to its exit, handling write and exit; log the copy-ins if l. */
static int run(struct rvg *g, struct log *l)
{
    for (;;) {
        struct rv_trap t;
        if (rv_run(&g->h, g->cpu, 5000, &t) == RV_STOP_BUDGET)
            continue;
        if (t.cause != RV_EXC_ECALL_U)
            return -1;
        uint64_t *x = g->h.x;
        if (x[17] == 93 || x[17] == 94)
            return (int)x[10];
        if (x[17] == 64) {
            char buf[4096];
            size_t n = x[12] < sizeof buf ? x[12] : sizeof buf;
            if (l)
                add(l, x[11], (uint32_t)n, -1);
            if (kernel_copy_in(g->cpu, buf, x[11], n))
                return -1;
            x[10] = n;
        } else {
            x[10] = (uint64_t)-ENOSYS;
        }
        g->h.pc += 4;
    }
}

static bool same_counters(const char *what, struct rvg *a, struct rvg *b)
{
    struct cpu_stats sa, sb;
    cpu_stats(a->cpu, &sa);
    cpu_stats(b->cpu, &sb);
    bool same = true;
    for (unsigned i = 0; i < CPU_STAT_NR; i++)
        if (sa.v[i] != sb.v[i]) {
            tap_diag("%s: %s %llu vs %llu", what, cpu_stat_names[i], (unsigned long long)sa.v[i],
                     (unsigned long long)sb.v[i]);
            same = false;
        }
    struct vmstat va, vb;
    kernel_vmstat(a->k, &va);
    kernel_vmstat(b->k, &vb);
    for (unsigned i = 0; i < VMSTAT_NR; i++)
        if (va.v[i] != vb.v[i]) {
            tap_diag("%s: %s %llu vs %llu", what, vmstat_names[i], (unsigned long long)va.v[i],
                     (unsigned long long)vb.v[i]);
            same = false;
        }
    struct process_usage ua, ub;
    kernel_process_usage(a->p, &ua);
    kernel_process_usage(b->p, &ub);
    if (ua.resident_pages != ub.resident_pages || ua.swapped_pages != ub.swapped_pages ||
        ua.pt_pages != ub.pt_pages) {
        tap_diag("%s: resident %llu/%llu swapped %llu/%llu", what, (unsigned long long)ua.resident_pages,
                 (unsigned long long)ub.resident_pages, (unsigned long long)ua.swapped_pages,
                 (unsigned long long)ub.swapped_pages);
        same = false;
    }
    return same;
}

static void twin(const char *name, const char *elf, const struct rvg_opts *o)
{
    char err[512];
    struct rvg g, t, f;
    struct log l = {0};
    if (rvg_open(&g, elf, o, err, sizeof err) || rvg_open(&t, elf, o, err, sizeof err) ||
        rvg_open(&f, elf, o, err, sizeof err)) {
        ok(0, "%s: open: %s", name, err);
        return;
    }
    rv_sys_set_trace(g.s, trace, &l);
    int code = run(&g, &l);
    ok(code == 0, "%s: the traced guest exits 0 (%d) after %llu instructions, %zu records", name, code,
       (unsigned long long)g.h.instret, l.n);
    /* the twin: the same accesses through the machine's own calls */
    size_t bad = 0;
    for (size_t i = 0; i < l.n && !bad; i++) {
        char buf[4096];
        const struct rec *r = &l.r[i];
        int rc = r->acc < 0 ? kernel_copy_in(t.cpu, buf, r->va, r->size)
                            : cpu_touch(t.cpu, r->va, r->size, (enum vm_access)r->acc);
        if (rc)
            bad = i + 1;
    }
    ok(!bad, "%s: the twin replays every record (first failure at %zu)", name, bad);
    ok(same_counters(name, &g, &t), "%s: every CPU and kernel counter of the run equals the replay's", name);
    if (o->user_frames) {
        struct vmstat vs;
        kernel_vmstat(g.k, &vs);
        ok(vs.v[VMSTAT_PGSTEAL] > 100, "%s: under pressure (%llu pages evicted)", name,
           (unsigned long long)vs.v[VMSTAT_PGSTEAL]);
    }
    /* untraced: the fast paths give the same counts */
    int code2 = run(&f, NULL);
    ok(code2 == 0 && f.h.instret == g.h.instret,
       "%s: untraced, the same run (%llu instructions)", name, (unsigned long long)f.h.instret);
    ok(same_counters(name, &g, &f), "%s: with the access cache, the same counters as traced", name);
    free(l.r);
    rvg_close(&g);
    rvg_close(&t);
    rvg_close(&f);
}

static const char *const qsort_src =
    "static long sys3(long n, long a, long b, long c) {\n"
    "    register long a7 __asm__(\"a7\") = n, a0 __asm__(\"a0\") = a, a1 __asm__(\"a1\") = b,\n"
    "        a2 __asm__(\"a2\") = c;\n"
    "    __asm__ volatile(\"ecall\" : \"+r\"(a0) : \"r\"(a7), \"r\"(a1), \"r\"(a2) : \"memory\");\n"
    "    return a0;\n"
    "}\n"
    "__asm__(\".globl _start\\n_start:\\n call main\\n1: j 1b\\n\");\n"
    "#define N 60000\n"
    "static int a[N];\n"
    "static void qs(int *v, long lo, long hi) {\n"
    "    while (lo < hi) {\n"
    "        int p = v[lo + (hi - lo) / 2]; long i = lo, j = hi;\n"
    "        while (i <= j) {\n"
    "            while (v[i] < p) i++;\n"
    "            while (v[j] > p) j--;\n"
    "            if (i <= j) { int t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }\n"
    "        }\n"
    "        if (j - lo < hi - i) { qs(v, lo, j); lo = i; } else { qs(v, i, hi); hi = j; }\n"
    "    }\n"
    "}\n"
    "int main(void);\n"
    "int main(void) {\n"
    "    unsigned x = 1;\n"
    "    for (long i = 0; i < N; i++) { x = x * 1103515245u + 12345u; a[i] = (int)(x >> 1); }\n"
    "    qs(a, 0, N - 1);\n"
    "    for (long i = 1; i < N; i++) if (a[i - 1] > a[i]) sys3(93, 1, 0, 0);\n"
    "    sys3(64, 1, (long)\"sorted\\n\", 7);\n"
    "    sys3(93, 0, 0, 0);\n"
    "    return 0;\n"
    "}\n";

int main(void)
{
    if (!rvg_have_toolchain()) {
        tap_plan(0);
        tap_skip(1, "riscv64-linux-gnu-gcc missing: run scripts/setup.sh");
        return tap_done();
    }
    const char *san = getenv("VMLAB_SAN");
    if (san && strcmp(san, "tsan") == 0) {
        /* one thread, no races to find: the plain and ASan builds run it */
        tap_plan(0);
        tap_skip(1, "single-threaded: not run under ThreadSanitizer");
        return tap_done();
    }
    char qs[4096], rnd[4096];
    ok(rvg_build("machine-qsort", "c", qsort_src, "-O2 -mno-relax -ffreestanding", qs, sizeof qs) == 0,
       "the quicksort guest builds");
    char *src = rvgen_program(77, 40, 60);
    ok(rvg_build("machine-random", "S", src, "", rnd, sizeof rnd) == 0, "a random program builds");
    free(src);

    struct rvg_opts zen4 = {0};
    twin("qsort, zen4", qs, &zen4);
    twin("random, zen4", rnd, &zen4);
    if (!tm_san()) {
        struct rvg_opts gc = {.tlb = "golden-cove"};
        twin("qsort, golden-cove", qs, &gc);
        struct rvg_opts plru = {.tlb = "l1d=16x4,l1i=16x4,l2=64x4,repl=plru"};
        twin("qsort, tree-PLRU", qs, &plru);
        struct rvg_opts rndr = {.tlb = "l1d=8xfull,l1i=8xfull,l2=none,pwc=none,repl=random,seed=9"};
        twin("qsort, random replacement", qs, &rndr);
        twin("random program, random replacement", rnd, &rndr);
        struct rvg_opts none = {.tlb = "none"};
        twin("qsort, no TLB", qs, &none);
    }
    struct rvg_opts pressure = {.user_frames = 24, .tlb = "tiny"};
    twin("qsort, 24 frames (eviction, swap)", qs, &pressure);
    struct rvg_opts p2 = {.user_frames = 6, .policy = "fifo"};
    twin("random program, 6 frames, fifo", rnd, &p2);
    return tap_done();
}
