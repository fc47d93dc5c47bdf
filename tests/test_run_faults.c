/* test_run_faults.c — the kernel's faults seen end to end through real
 * glibc programs under run_program: bss and heap pages fault lazily and
 * are counted as zero fills, text pages are read from the file on demand
 * (not all of them), the stack grows, a store to the code page kills with
 * SIGSEGV (segv-write-ro), fork's pages are shared until written (the
 * child copies exactly what it writes), and the counters of the processes
 * add up to the machine's and the kernel's totals. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/runkit.h"
#include "lib/tap.h"

static bool run(const char *name, const char *arg, struct guest_run *g, uint64_t frames)
{
    char path[PATH_MAX];
    guest_path(name, path, sizeof path);
    char *argv[] = {path, (char *)arg, NULL};
    struct run_config rc;
    run_config_default(&rc);
    rc.frames = frames;
    guest_run(&rc, arg ? 2 : 1, argv, g);
    return ok(g->rc == 0, "%s %s runs (%s)", name, arg ? arg : "", g->rc ? g->msg : "ok");
}

int main(void)
{
    const char *san = getenv("VMLAB_SAN");
    if (!guest_have_corpus() || (san && !strcmp(san, "tsan"))) {
        tap_plan(0);
        tap_skip(1, !guest_have_corpus() ? "the guest corpus is missing: run scripts/setup.sh"
                                         : "single-CPU: not a TSan test");
        return tap_done();
    }
    struct guest_run g;
    if (run("lazy", NULL, &g, 0)) {
        const struct run_proc *p = guest_proc(&g.sum, 1), *c = guest_proc(&g.sum, 2);
        ok(p && c && g.status == 0, "parent and child ran, status 0");
        if (p && c) {
            /* 256 bss pages, 512 heap pages (an mmap'd malloc block) */
            ok(p->vm.v[VMSTAT_ZERO_FILL] >= 256 + 512 && p->vm.v[VMSTAT_ZERO_FILL] < 256 + 512 + 120,
               "bss and heap pages were zero-filled on first touch: %llu",
               (unsigned long long)p->vm.v[VMSTAT_ZERO_FILL]);
            ok(p->vm.v[VMSTAT_STACK_GROWTH] >= 16, "the stack grew: %llu growth faults",
               (unsigned long long)p->vm.v[VMSTAT_STACK_GROWTH]);
            struct stat st;
            char path[PATH_MAX];
            guest_path("lazy", path, sizeof path);
            stat(path, &st);
            uint64_t file_pages = (uint64_t)st.st_size / 4096;
            ok(p->vm.v[VMSTAT_FILE_READ] > 0 && p->vm.v[VMSTAT_FILE_READ] < file_pages,
               "text and data were read on demand: %llu of the file's %llu pages",
               (unsigned long long)p->vm.v[VMSTAT_FILE_READ], (unsigned long long)file_pages);
            ok(p->vm.v[VMSTAT_PGMAJFAULT] == p->vm.v[VMSTAT_FILE_READ],
               "the file reads were the major faults (%llu)", (unsigned long long)p->vm.v[VMSTAT_PGMAJFAULT]);
            ok(p->vm.v[VMSTAT_FORK_SHARED] >= 256 + 512, "fork shared the resident pages: %llu",
               (unsigned long long)p->vm.v[VMSTAT_FORK_SHARED]);
            /* the child reads 256 bss pages and writes 16 of them, plus a
             * few pages of its stack and of glibc's data */
            ok(c->vm.v[VMSTAT_COW_FAULT] >= 16 && c->vm.v[VMSTAT_COW_FAULT] <= 16 + 8,
               "the child copied what it wrote, not what it read: %llu COW faults",
               (unsigned long long)c->vm.v[VMSTAT_COW_FAULT]);
            ok(c->vm.v[VMSTAT_PGFAULT] < 64, "the child's reads of shared pages did not fault: %llu faults",
               (unsigned long long)c->vm.v[VMSTAT_PGFAULT]);
            ok(c->vm.v[VMSTAT_ZERO_FILL] == 0, "the child zero-filled nothing");
            uint64_t faults = 0, instret = 0, acc = 0;
            for (size_t i = 0; i < g.sum.nprocs; i++) {
                faults += g.sum.procs[i].vm.v[VMSTAT_PGFAULT];
                instret += g.sum.procs[i].instret;
                acc += g.sum.procs[i].cpu.v[CPU_STAT_ACCESSES];
            }
            is_u64(faults, g.sum.vm.v[VMSTAT_PGFAULT], "the processes' faults add up to the kernel's");
            is_u64(instret, g.sum.instret, "their instructions add up to the run's");
            is_u64(acc, g.sum.cpu.v[CPU_STAT_ACCESSES], "their CPU accesses add up to the machine's");
            /* the rest are the system calls' buffers, faulted in by the kernel itself */
            ok(g.sum.cpu.v[CPU_STAT_PAGE_FAULTS] <= g.sum.vm.v[VMSTAT_PGFAULT] &&
                   g.sum.cpu.v[CPU_STAT_PAGE_FAULTS] > g.sum.vm.v[VMSTAT_PGFAULT] / 2,
               "the CPUs raised most of the faults the kernel handled (%llu of %llu)",
               (unsigned long long)g.sum.cpu.v[CPU_STAT_PAGE_FAULTS],
               (unsigned long long)g.sum.vm.v[VMSTAT_PGFAULT]);
        }
        guest_free(&g);
    }
    if (run("bad", "write-code", &g, 0)) {
        const struct run_proc *p = guest_proc(&g.sum, 1);
        ok(p && p->signaled && p->code == 11 && g.status == 139,
           "a store to the code page: SIGSEGV, status 139 (got %d)", g.status);
        ok(p && strstr(p->why, "segv-write-ro"), "the kill names the reason: %s", p ? p->why : "");
        is_u64(g.sum.vm.v[vmstat_kill_item(KILL_SEGV_WRITE_RO)], 1, "kill_segv-write-ro counted");
        guest_free(&g);
    }
    if (run("bad", "stack", &g, 0)) {
        const struct run_proc *p = guest_proc(&g.sum, 1);
        ok(p && p->signaled && p->code == 11 && strstr(p->why, "stack-overflow"),
           "unbounded recursion ends at the 8 MiB stack limit: %s", p ? p->why : "");
        /* gcc unrolls the recursion into frames of three pages */
        ok(p && p->vm.v[VMSTAT_STACK_GROWTH] >= 300 && p->vm.v[VMSTAT_ZERO_FILL] >= 2000,
           "after %llu growth faults and %llu zero-filled pages",
           p ? (unsigned long long)p->vm.v[VMSTAT_STACK_GROWTH] : 0ull,
           p ? (unsigned long long)p->vm.v[VMSTAT_ZERO_FILL] : 0ull);
        guest_free(&g);
    }
    if (run("bad", "jump", &g, 0)) {
        const struct run_proc *p = guest_proc(&g.sum, 1);
        ok(p && p->code == 11 && strstr(p->why, "segv-unmapped: fetch at 0x3000000000"),
           "a jump to an unmapped address: %s", p ? p->why : "");
        guest_free(&g);
    }
    if (run("bad", "illegal", &g, 0)) {
        const struct run_proc *p = guest_proc(&g.sum, 1);
        ok(p && p->code == 4 && strstr(p->why, "illegal instruction 0x0"), "an illegal instruction: %s",
           p ? p->why : "");
        guest_free(&g);
    }
    if (run("bad", "syscalls", &g, 0)) {
        ok(g.status == 0, "wild system calls and pointers: the program goes on (status %d)", g.status);
        ok(g.sum.counts.unknown == 1 && g.sum.counts.nunknown == 1 && g.sum.counts.unknown_nr[0] == 12345,
           "the unknown call is counted, by number (%llu)", (unsigned long long)g.sum.counts.unknown);
        guest_free(&g);
    }
    /* under pressure: the same program swaps and is still right */
    if (run("sort", "30000", &g, 40)) {
        const struct run_proc *p = guest_proc(&g.sum, 1);
        ok(g.status == 0 && p && p->vm.v[VMSTAT_PSWPIN] > 0 && p->vm.v[VMSTAT_PSWPOUT] > 0,
           "40 frames: the sort swaps (pswpin %llu, pswpout %llu) and succeeds",
           p ? (unsigned long long)p->vm.v[VMSTAT_PSWPIN] : 0ull,
           p ? (unsigned long long)p->vm.v[VMSTAT_PSWPOUT] : 0ull);
        guest_free(&g);
    }
    return tap_done();
}
