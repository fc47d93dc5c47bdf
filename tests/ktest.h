/* ktest.h — helpers shared by the kernel's test programs (static, header-only). */
#ifndef VMLAB_TESTS_KTEST_H
#define VMLAB_TESTS_KTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/kernel.h>
#include <vmlab/machine.h>

#include "lib/ptbuild.h"
#include "lib/tap.h"

struct kt {
    struct machine *m;
    struct kernel *k;
};

static inline bool kt_sanitized(void)
{
    return tm_san();
}

static inline struct kt kt_make_cfg(enum pt_arch arch, unsigned ncpus, const struct kernel_config *kc)
{
    struct kt t;
    struct machine_config mc;
    char err[256];
    machine_config_default(&mc, arch);
    mc.ncpus = ncpus;
    mc.mem_bytes = 64ull << 20;
    t.m = machine_create(&mc, err, sizeof err);
    if (!t.m) {
        fprintf(stderr, "machine_create: %s\n", err);
        exit(1);
    }
    t.k = kernel_create(t.m, kc, err, sizeof err);
    if (!t.k) {
        fprintf(stderr, "kernel_create: %s\n", err);
        exit(1);
    }
    return t;
}

/* A machine with `ncpus` CPUs and 64 MiB, and a kernel with `user_frames`
 * frames of user pool and `swap_pages` slots, policy `policy`. */
static inline struct kt kt_make(enum pt_arch arch, unsigned ncpus, uint64_t user_frames,
                                uint64_t swap_pages, const char *policy)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = user_frames;
    kc.swap_bytes = swap_pages * 4096;
    kc.policy = policy;
    return kt_make_cfg(arch, ncpus, &kc);
}


static inline void kt_free(struct kt *t)
{
    kernel_destroy(t->k);
    machine_destroy(t->m);
}

static inline uint64_t kt_stat(struct kernel *k, enum vmstat_item i)
{
    struct vmstat s;
    kernel_vmstat(k, &s);
    return s.v[i];
}

static inline uint64_t kt_pstat(struct process *p, enum vmstat_item i)
{
    struct vmstat s;
    kernel_process_vmstat(p, &s);
    return s.v[i];
}

/* Nothing held: frames, page-table pages (beyond the kernel's own root),
 * slots, PCIDs, pins. */
static inline bool kt_no_leaks(struct kernel *k, const char *what)
{
    struct kernel_usage u;
    kernel_usage(k, &u);
    bool good = u.user_frames_used == 0 && u.kernel_frames_used == 1 && u.swap_slots_used == 0 &&
                u.asids_used == 0 && u.pinned_frames == 0 && u.processes == 0;
    if (!good)
        tap_diag("%s: frames %llu, pt pages %llu, slots %llu, asids %u, pinned %llu, procs %u", what,
                 (unsigned long long)u.user_frames_used, (unsigned long long)u.kernel_frames_used,
                 (unsigned long long)u.swap_slots_used, u.asids_used,
                 (unsigned long long)u.pinned_frames, u.processes);
    return ok(good, "%s: nothing leaked", what);
}

static inline uint64_t kt_rng(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

#endif
