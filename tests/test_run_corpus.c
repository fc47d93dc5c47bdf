/* test_run_corpus.c — the guest corpus (tests/guest/: real glibc programs
 * built with riscv64-linux-gnu-gcc -static) under `vmlab run`, compared
 * with qemu-riscv64: every program's stdout and exit status must equal
 * qemu's, in every configuration -- the default, memory pressure under
 * every replacement policy with swap, several CPUs with small quanta, the
 * other page-table formats, THP, tiny TLBs, software TLB refill.
 *
 * qemu-user cannot exec a RISC-V program without binfmt_misc, so the
 * programs that exec (forktree, pipe) run under qemu in their "fork" mode,
 * which computes and prints the same without exec; vmlab runs them with
 * exec. Programs that write files run under --root in a scratch directory
 * (qemu in another, as its working directory).
 *
 * CI budget: the plain build runs everything; ASan one configuration per
 * program (memory pressure, a different policy each); TSan only the
 * multi-CPU configurations.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/runkit.h"
#include "lib/tap.h"

struct prog {
    const char *name;
    const char *args[4];
    const char *qemu_args[4];   /* when qemu needs others (no exec) */
    bool root;                  /* writes files: run in a scratch directory */
    bool multi;                 /* several processes */
};

static const struct prog corpus[] = {
    {"sort", {"50000"}, {0}, false, false},
    {"hash", {"30000"}, {0}, false, false},
    {"matrix", {"56"}, {0}, false, false},
    {"strings", {"6000"}, {0}, false, false},
    {"malloc", {"5000"}, {0}, false, false},
    {"fileio", {"120000"}, {0}, true, false},
    {"mmapfile", {"40"}, {0}, true, true},
    {"forktree", {"3", "3"}, {"3", "3", "fork"}, false, true},
    {"pipe", {"300000"}, {"300000", "fork"}, false, true},
    {"lazy", {0}, {0}, false, true},
    {"bad", {"syscalls"}, {0}, false, false},
    {"bad", {"write-code"}, {0}, false, false},
    {"bad", {"stack"}, {0}, false, false},
    {"bad", {"abort"}, {0}, false, false},
    {"pie", {0}, {0}, false, false},
    {"pages", {"200", "6"}, {0}, false, false},
};

struct config {
    const char *what;
    unsigned cpus;
    uint64_t frames, quantum;
    const char *policy, *pt, *tlb;
    bool thp;
    int refill;                 /* software TLB refill: 1 + enum kernel_sw_pt; 0: hardware */
};

static const struct config configs[] = {
    {"default", 1, 0, 0, NULL, NULL, NULL, false, 0},
    {"48 frames, clock", 1, 48, 0, "clock", NULL, NULL, false, 0},
    {"48 frames, clock-noflush", 1, 48, 0, "clock-noflush", NULL, NULL, false, 0},
    {"48 frames, fifo", 1, 48, 0, "fifo", NULL, NULL, false, 0},
    {"48 frames, lru", 1, 48, 0, "lru", NULL, NULL, false, 0},
    {"48 frames, random", 1, 48, 0, "random", NULL, NULL, false, 0},
    {"48 frames, aging", 1, 48, 0, "aging", NULL, NULL, false, 0},
    {"48 frames, linux", 1, 48, 0, "linux", NULL, NULL, false, 0},
    {"2 CPUs, quantum 20000", 2, 0, 20000, NULL, NULL, NULL, false, 0},
    {"4 CPUs, quantum 3000, 64 frames", 4, 64, 3000, "clock", NULL, NULL, false, 0},
    {"sv48", 1, 0, 0, NULL, "sv48", NULL, false, 0},
    {"sv57, 2 CPUs", 2, 0, 7000, NULL, "sv57", NULL, false, 0},
    {"x86-64", 1, 0, 0, NULL, "x86-64", NULL, false, 0},
    {"x86-64-5, 96 frames", 1, 96, 0, "linux", "x86-64-5", NULL, false, 0},
    {"THP always", 1, 0, 0, NULL, NULL, NULL, true, 0},
    {"tiny TLBs, 64 frames", 1, 64, 0, "fifo", NULL, "tiny", false, 0},
    {"software refill, linear table, 64 frames", 1, 64, 0, "clock", NULL, NULL, false, 1},
    {"software refill, inverted table, 2 CPUs", 2, 0, 5000, NULL, NULL, NULL, false, 3},
};
#define NCONFIGS (sizeof configs / sizeof configs[0])

static void configure(struct run_config *rc, const struct config *c)
{
    run_config_default(rc);
    rc->ncpus = c->cpus;
    rc->frames = c->frames;
    rc->quantum = c->quantum;
    if (c->policy)
        rc->policy = c->policy;
    if (c->pt)
        rc->fmt = pt_format_by_name(c->pt);
    const char *tlb = c->tlb ? c->tlb : rc->fmt && rc->fmt->arch == PT_ARCH_X86 ? "golden-cove" : "zen4";
    rc->tlb = *tlb_preset(tlb);
    rc->tlb_name = tlb;
    rc->thp = c->thp;
    if (c->refill) {
        rc->tlb_refill = TLB_REFILL_SOFTWARE;
        rc->sw_pt = c->refill - 1;
    }
    rc->swap_bytes = 64u << 20;
    rc->max_insns = 3000000000ull;   /* a runaway guest fails the test, not the suite */
}

static int argv_of(const char *path, const char *const args[4], char *argv[6])
{
    int n = 0;
    argv[n++] = (char *)path;
    for (int i = 0; i < 4 && args[i]; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    return n;
}

static void run_one(const struct prog *p, const struct config *c, const char *expect, int want)
{
    char path[PATH_MAX], dir[PATH_MAX] = "";
    guest_path(p->name, path, sizeof path);
    char *argv[6];
    int argc = argv_of(path, p->args, argv);
    struct run_config rc;
    configure(&rc, c);
    if (p->root) {
        if (scratch_make(dir, sizeof dir)) {
            ok(0, "%s: a scratch directory", p->name);
            return;
        }
        rc.root = dir;
    }
    struct guest_run g;
    guest_run(&rc, argc, argv, &g);
    bool same = g.rc == 0 && g.out && !strcmp(g.out, expect) && g.status == want;
    ok(same, "%s %s [%s]: status %d (qemu %d), stdout %s", p->name, p->args[0] ? p->args[0] : "",
       c->what, g.status, want, g.out && !strcmp(g.out, expect) ? "equal" : "differs");
    if (!same) {
        tap_diag("vmlab: %s", g.rc ? g.msg : g.out ? g.out : "(none)");
        tap_diag("qemu:  %s", expect);
        if (g.err && *g.err)
            tap_diag("stderr: %s", g.err);
    }
    guest_free(&g);
    if (dir[0])
        scratch_remove(dir);
}

int main(void)
{
    if (!guest_have_corpus() || !guest_have_qemu()) {
        tap_plan(0);
        tap_skip(1, "the guest corpus or qemu-riscv64 is missing: run scripts/setup.sh");
        return tap_done();
    }
    const char *san = getenv("VMLAB_SAN");
    bool asan = san && !strcmp(san, "asan"), tsan = san && !strcmp(san, "tsan");
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        const struct prog *p = &corpus[i];
        char path[PATH_MAX], qdir[PATH_MAX];
        guest_path(p->name, path, sizeof path);
        if (scratch_make(qdir, sizeof qdir))
            return 1;
        char *argv[6];
        int argc = argv_of(path, p->qemu_args[0] ? p->qemu_args : p->args, argv);
        char *expect = NULL;
        int want = -1;
        if (qemu_run(qdir, argc, argv, &expect, &want) || want < 0) {
            ok(0, "%s runs under qemu-riscv64", p->name);
            scratch_remove(qdir);
            continue;
        }
        scratch_remove(qdir);
        for (size_t k = 0; k < NCONFIGS; k++) {
            const struct config *c = &configs[k];
            if (asan && k != 1 + i % 7)      /* one pressure configuration, policies in turn */
                continue;
            if (tsan && (c->cpus < 2 || !p->multi))
                continue;
            run_one(p, c, expect, want);
        }
        free(expect);
    }
    return tap_done();
}
