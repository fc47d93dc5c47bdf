/* test_isa_diff.c — the differential test: random RV64GC programs
 * (tests/lib/rvgen.c) built with riscv64-linux-gnu-gcc, run under
 * qemu-riscv64 and under vmlab's CPU, their register dumps compared
 * exactly, block by block.
 *
 * VMLAB_ISA_SEEDS=N runs N seeds (default 12; 3 under sanitizers);
 * VMLAB_ISA_SEED=S runs seed S only. Each seed's program is kept in
 * build/guest/ for reproduction (qemu-riscv64 build/guest/diff-S).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ptbuild.h"
#include "lib/rvgen.h"
#include "lib/rvguest.h"
#include "lib/tap.h"

#define BLOCKS 40
#define INSNS 60

/* Compare the outputs line by line; report the first differences. */
static bool same(uint64_t seed, const char *want, size_t wlen, const char *got, size_t glen)
{
    if (wlen == glen && memcmp(want, got, wlen) == 0)
        return true;
    unsigned line = 0, shown = 0;
    const char *w = want, *g = got;
    while (*w && *g && shown < 6) {
        const char *we = strchr(w, '\n'), *ge = strchr(g, '\n');
        if (!we || !ge)
            break;
        if ((size_t)(we - w) != 16 * RVGEN_WORDS || (size_t)(ge - g) != 16 * RVGEN_WORDS) {
            tap_diag("seed %llu block %u: malformed line", (unsigned long long)seed, line);
            return false;
        }
        for (unsigned i = 0; i < RVGEN_WORDS && shown < 6; i++) {
            uint64_t a = rvgen_word(w, i), b = rvgen_word(g, i);
            if (a != b) {
                char name[16];
                tap_diag("seed %llu block %u %s: qemu 0x%016llx vmlab 0x%016llx",
                         (unsigned long long)seed, line, rvgen_word_name(i, name, sizeof name),
                         (unsigned long long)a, (unsigned long long)b);
                shown++;
            }
        }
        if (shown)
            return false;
        w = we + 1, g = ge + 1, line++;
    }
    tap_diag("seed %llu: outputs differ in length (qemu %zu bytes, vmlab %zu) after block %u",
             (unsigned long long)seed, wlen, glen, line);
    return false;
}

static void one_seed(uint64_t seed)
{
    char name[64], path[4096];
    snprintf(name, sizeof name, "diff-%llu", (unsigned long long)seed);
    char *src = rvgen_program(seed, BLOCKS, INSNS);
    int built = rvg_build(name, "S", src, "", path, sizeof path);
    free(src);
    if (!ok(built == 0, "seed %llu: program builds", (unsigned long long)seed))
        return;
    char *want = NULL;
    size_t wlen = 0;
    int qs = rvg_qemu(path, &want, &wlen);
    if (!ok(qs == 0 && wlen == (size_t)BLOCKS * (16 * RVGEN_WORDS + 1),
            "seed %llu: qemu-riscv64 runs it (status %d, %zu bytes)", (unsigned long long)seed, qs,
            wlen)) {
        free(want);
        return;
    }
    struct rvg g;
    struct rvg_opts o = {.quantum = 1000 + seed % 7777};   /* quanta must not matter */
    int rc = rvg_run_file(&g, path, &o);
    ok(rc == 0 && g.exited && g.exit_code == 0, "seed %llu: vmlab runs it to exit(0) (rc %d, trap %s at 0x%llx)",
       (unsigned long long)seed, rc, g.trapped ? rv_exc_name(g.trap.cause) : "none",
       (unsigned long long)g.trap.pc);
    ok(same(seed, want, wlen, g.out, g.out_len), "seed %llu: every block's registers, fcsr and memory equal qemu's",
       (unsigned long long)seed);
    rvg_close(&g);
    free(want);
}

int main(void)
{
    if (!rvg_have_toolchain() || !rvg_have_qemu()) {
        tap_plan(0);
        tap_skip(1, "riscv64-linux-gnu-gcc or qemu-riscv64 missing: run scripts/setup.sh");
        return tap_done();
    }
    const char *one = getenv("VMLAB_ISA_SEED");
    if (one && *one) {
        one_seed(strtoull(one, NULL, 0));
        return tap_done();
    }
    const char *n = getenv("VMLAB_ISA_SEEDS");
    unsigned seeds = n && *n ? (unsigned)strtoul(n, NULL, 0) : tm_san() ? 3 : 12;
    for (unsigned s = 1; s <= seeds; s++)
        one_seed(s);
    return tap_done();
}
