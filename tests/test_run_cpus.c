/* test_run_cpus.c — many processes on several CPUs, and determinism: the
 * same run twice gives the same output and the same counters, every one of
 * them, per process and in total (virtual time included); the output does
 * not depend on the number of CPUs or the quantum; processes move between
 * CPUs, so the kernel's shootdowns reach the other CPUs (and with one CPU
 * there are none); --seed changes getrandom and AT_RANDOM and nothing else.
 * This is also the TSan test of vmlab run (several CPUs). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/runkit.h"
#include "lib/tap.h"

static bool same_summary(const struct run_summary *a, const struct run_summary *b)
{
    if (a->nprocs != b->nprocs || a->status != b->status || a->instret != b->instret ||
        a->vtime_ns != b->vtime_ns || memcmp(&a->cpu, &b->cpu, sizeof a->cpu) ||
        memcmp(&a->vm, &b->vm, sizeof a->vm) || memcmp(&a->counts, &b->counts, sizeof a->counts))
        return false;
    for (size_t i = 0; i < a->nprocs; i++)
        if (memcmp(&a->procs[i], &b->procs[i], sizeof a->procs[i]))
            return false;
    return true;
}

static void run(const char *name, const char *const args[], unsigned cpus, uint64_t quantum,
                uint64_t frames, uint64_t seed, struct guest_run *g)
{
    char path[PATH_MAX];
    guest_path(name, path, sizeof path);
    char *argv[8] = {path};
    int argc = 1;
    while (args[argc - 1])
        argv[argc] = (char *)args[argc - 1], argc++;
    struct run_config rc;
    run_config_default(&rc);
    rc.ncpus = cpus;
    rc.quantum = quantum;
    rc.frames = frames;
    rc.seed = seed;
    rc.swap_bytes = 64u << 20;
    guest_run(&rc, argc, argv, g);
}

static void twice(const char *name, const char *const args[], unsigned cpus, uint64_t quantum,
                  uint64_t frames, const char *expect, bool moves)
{
    struct guest_run a, b;
    run(name, args, cpus, quantum, frames, 0, &a);
    run(name, args, cpus, quantum, frames, 0, &b);
    ok(a.rc == 0 && b.rc == 0 && a.status == 0 && !strcmp(a.out, expect) && !strcmp(b.out, expect),
       "%s on %u CPUs, quantum %llu, %llu frames: the expected output, twice", name, cpus,
       (unsigned long long)quantum, (unsigned long long)frames);
    ok(a.rc == 0 && b.rc == 0 && same_summary(&a.sum, &b.sum),
       "  and every counter, per process and in total, the same both times (%zu processes, "
       "%llu instructions, %llu ns virtual)",
       a.sum.nprocs, (unsigned long long)a.sum.instret, (unsigned long long)a.sum.vtime_ns);
    if (cpus > 1 && moves)
        ok(a.rc == 0 && a.sum.vm.v[VMSTAT_NR_TLB_REMOTE_FLUSH] > 0 &&
               a.sum.cpu.v[CPU_STAT_SHOOTDOWNS_RECEIVED] > 0,
           "  processes moved between CPUs: %llu shootdowns sent to other CPUs",
           (unsigned long long)a.sum.vm.v[VMSTAT_NR_TLB_REMOTE_FLUSH]);
    else if (cpus == 1)
        ok(a.rc == 0 && a.sum.vm.v[VMSTAT_NR_TLB_REMOTE_FLUSH] == 0, "  one CPU: no shootdowns");
    guest_free(&a);
    guest_free(&b);
}

int main(void)
{
    if (!guest_have_corpus()) {
        tap_plan(0);
        tap_skip(1, "the guest corpus is missing: run scripts/setup.sh");
        return tap_done();
    }
    bool san = getenv("VMLAB_SAN") && *getenv("VMLAB_SAN");
    static const char *const tree[] = {"3", "3", NULL}, *const tree_small[] = {"2", "3", NULL};
    static const char *const pipe_args[] = {"200000", NULL}, *const none[] = {NULL};
    const char *const *t = san ? tree_small : tree;
    const char *tree_out = san ? "tree of depth 2 and width 3: 36\n" : "tree of depth 3 and width 3: 21\n";
    twice("forktree", t, 1, 0, 0, tree_out, true);
    twice("forktree", t, 4, 1000, 0, tree_out, true);
    twice("forktree", t, 3, 777, 96, tree_out, true);
    const char *pipe_out = "child read 200000 of 200000 bytes, checksums agree\n"
                           "writer without a reader: killed by signal 13\n";
    twice("pipe", pipe_args, 2, 5000, 0, pipe_out, true);
    twice("pipe", pipe_args, 3, 333, 64, pipe_out, true);
    twice("lazy", none, 2, 2000, 0, "bss and heap touched, stack grown (2080), child done\n", false);

    /* the seed: getrandom and AT_RANDOM follow it, the clocks do not */
    struct guest_run a, b;
    run("clock", none, 1, 0, 0, 0, &a);
    run("clock", none, 1, 0, 0, 1, &b);
    char *la = a.out ? strchr(a.out, '\n') : NULL, *lb = b.out ? strchr(b.out, '\n') : NULL;
    ok(la && lb && la - a.out == lb - b.out && !strncmp(a.out, b.out, (size_t)(la - a.out)),
       "another seed: the same virtual times (%.*s)", la ? (int)(la - a.out) : 0, a.out ? a.out : "");
    ok(la && lb && strcmp(la, lb), "  and other random bytes");
    ok(a.out && strstr(a.out, "slept 25") && strstr(a.out, "realtime 1704067200.00"),
       "nanosleep took 2.5 ms of virtual time, CLOCK_REALTIME starts at 2024-01-01");
    ok(a.out && strstr(a.out, "handler refused 1") && a.sum.counts.handler_refused == 1,
       "a signal handler is refused with EINVAL and counted");
    guest_free(&a);
    guest_free(&b);
    return tap_done();
}
