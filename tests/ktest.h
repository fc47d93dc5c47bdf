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
    if (kc->format >= 0)
        mc.xlen = pt_format((enum pt_format_id)kc->format)->xlen;   /* ia32, Sv32: 32 */
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

/* A minimal static ELF64 executable at path: one PT_LOAD per segment, each
 * of filesz bytes (byte i of the file is (i * 31 + 7) & 0xff) from file
 * offset off, mapped at va for memsz bytes with flags (PF_R 4, PF_W 2,
 * PF_X 1). type 2 = ET_EXEC, 3 = ET_DYN. */
struct kt_seg {
    uint64_t off, va, filesz, memsz;
    uint32_t flags;
};
static inline void kt_write_elf(const char *path, uint16_t machine, uint16_t type, uint64_t entry,
                                const struct kt_seg *seg, unsigned n)
{
    uint64_t len = 0x1000;
    for (unsigned i = 0; i < n; i++)
        if (seg[i].off + seg[i].filesz > len)
            len = seg[i].off + seg[i].filesz;
    unsigned char *img = calloc(1, len);
    for (uint64_t i = 64 + 56 * (uint64_t)n; i < len; i++)
        img[i] = (unsigned char)(i * 31 + 7);
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = 2, img[5] = 1, img[6] = 1;
    uint16_t h16[] = {type, machine};
    memcpy(img + 16, h16, 4);
    uint32_t one = 1;
    memcpy(img + 20, &one, 4);
    memcpy(img + 24, &entry, 8);
    uint64_t phoff = 64;
    memcpy(img + 32, &phoff, 8);
    uint16_t t16[] = {64, 56, (uint16_t)n, 64};
    memcpy(img + 52, t16, 8);
    for (unsigned i = 0; i < n; i++) {
        unsigned char *ph = img + 64 + 56 * i;
        uint32_t w32[] = {1, seg[i].flags};
        uint64_t w64[] = {seg[i].off, seg[i].va, seg[i].va, seg[i].filesz, seg[i].memsz, 0x1000};
        memcpy(ph, w32, 8);
        memcpy(ph + 8, w64, 48);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(img, 1, len, f) != len || fclose(f) != 0)
        abort();
    free(img);
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
