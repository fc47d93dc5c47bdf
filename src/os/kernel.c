/* kernel.c — a kernel instance: pools, frame table, swap, PCIDs; counters.
 *
 * Physical memory layout (frame numbers):
 *   0                      never handed out (0 means "no table")
 *   1 .. K                 kernel pool: page-table pages
 *   K+1 .. K+U             user pool: the frames user pages live in
 *   the rest               unused (the memory-pressure knob shrinks U)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"
#include "os/swpt.h"
#include "os/swap.h"

const char *const kill_reason_names[KILL_NR] = {
    "none",
#define VMLAB_KILL_NAME(id, name, desc) name,
    VMLAB_KILL_REASONS(VMLAB_KILL_NAME)
#undef VMLAB_KILL_NAME
};
const char *const kill_reason_descs[KILL_NR] = {
    "not killed",
#define VMLAB_KILL_DESC(id, name, desc) desc,
    VMLAB_KILL_REASONS(VMLAB_KILL_DESC)
#undef VMLAB_KILL_DESC
};

const char *const vmstat_names[VMSTAT_NR] = {
#define VMLAB_VMSTAT_NAME(id, name, desc) name,
    VMLAB_VMSTATS(VMLAB_VMSTAT_NAME)
#undef VMLAB_VMSTAT_NAME
#define VMLAB_KILL_STAT_NAME(id, name, desc) "kill_" name,
    VMLAB_KILL_REASONS(VMLAB_KILL_STAT_NAME)
#undef VMLAB_KILL_STAT_NAME
};
const char *const vmstat_descs[VMSTAT_NR] = {
#define VMLAB_VMSTAT_DESC(id, name, desc) desc,
    VMLAB_VMSTATS(VMLAB_VMSTAT_DESC)
#undef VMLAB_VMSTAT_DESC
#define VMLAB_KILL_STAT_DESC(id, name, desc) "processes killed: " desc,
    VMLAB_KILL_REASONS(VMLAB_KILL_STAT_DESC)
#undef VMLAB_KILL_STAT_DESC
};

int kernel_kill_signal(enum kill_reason r)
{
    switch (r) {
    case KILL_NONE:
        return 0;
    case KILL_OOM_SWAP_FULL: case KILL_OOM_NO_FRAME: case KILL_OOM_KERNEL:
        return SIGKILL;   /* the OOM killer */
    case KILL_SWAP_IO_ERROR: case KILL_SWAP_CORRUPT: case KILL_FILE_IO_ERROR: case KILL_SIGBUS_EOF:
        return SIGBUS;    /* do_swap_page / filemap_fault: VM_FAULT_SIGBUS */
    default:
        return SIGSEGV;
    }
}

int vmstat_index(const char *name)
{
    for (int i = 0; i < VMSTAT_NR; i++)
        if (!strcmp(vmstat_names[i], name))
            return i;
    return -1;
}

/* The CPU this thread drives, for calls that take none: remembered by
 * kernel_switch_to with the kernel's unique id (a pointer could be reused by
 * a later kernel after this one is destroyed). */
static __thread struct cpu *thread_cpu;
static __thread uint64_t thread_kernel_id;
static uint64_t next_kernel_id;

struct cpu *kself(struct kernel *k, struct cpu *given)
{
    if (given)
        return given;
    return thread_kernel_id == k->id ? thread_cpu : NULL;
}

void kernel_note_thread_cpu(struct kernel *k, struct cpu *cpu)
{
    thread_cpu = cpu;
    thread_kernel_id = k->id;
}

void kernel_set_thread_cpu(struct kernel *k, struct cpu *cpu)
{
    kernel_note_thread_cpu(k, cpu);
}

void kernel_config_default(struct kernel_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->policy = "clock";
    cfg->swap_bytes = KERNEL_SWAP_DEFAULT_BYTES;
    cfg->stack_rule = STACK_RULE_PINTOS;
    cfg->abi = KERNEL_ABI_PINTOS;
    cfg->format = -1;
}

/* The two ABIs' numbers in this kernel (kernel.h, enum kernel_abi). */
static void abi_setup(struct kernel *k)
{
    const struct kernel_config *cfg = &k->cfg;
    uint64_t half = pt_user_limit(k->fmt);     /* 32-bit formats: the whole 4 GiB */
    struct abi *a = &k->abi[KERNEL_ABI_PINTOS];
    a->id = KERNEL_ABI_PINTOS;
    a->user_top = cfg->user_top ? cfg->user_top : KERNEL_KERN_BASE;
    if (a->user_top > half)
        a->user_top = half;
    a->stack_top = KERNEL_USER_STACK;
    a->stack_cap = cfg->stack_cap ? cfg->stack_cap : 1 << 20;
    a->stack_rule = cfg->stack_rule;
    a->stack_guard_gap = cfg->stack_guard_gap;
    a->stack_slack = cfg->stack_slack;
    a->mmap_base = a->stack_top - a->stack_cap - a->stack_guard_gap;

    /* Linux's mmap_base (mm/util.c): the stack rlimit plus the guard gap,
     * at least 128 MiB, below the stack top; no randomisation */
    a = &k->abi[KERNEL_ABI_LINUX];
    a->id = KERNEL_ABI_LINUX;
    a->user_top = a->stack_top = KERNEL_LINUX_USER_TOP;
    a->stack_cap = cfg->stack_cap ? cfg->stack_cap : 8 << 20;
    a->stack_rule = STACK_RULE_LINUX;
    a->stack_guard_gap = cfg->stack_guard_gap;
    a->stack_slack = cfg->stack_slack;
    uint64_t gap = a->stack_cap + a->stack_guard_gap;
    if (gap < (128ull << 20))
        gap = 128ull << 20;
    a->mmap_base = a->stack_top - gap;
    k->linux_abi_ok = KERNEL_LINUX_USER_TOP <= half;
}

struct kernel *kernel_create(struct machine *m, const struct kernel_config *cfg_in, char *err,
                             size_t errlen)
{
    struct kernel_config cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        kernel_config_default(&cfg);
    const struct machine_config *mc = machine_config(m);
    if (!cfg.policy)
        cfg.policy = "clock";
    if (!cfg.stack_slack)
        cfg.stack_slack = 8;
    if (!cfg.stack_guard_gap)
        cfg.stack_guard_gap = 256 * VM_PAGE_SIZE;
    bool default_ids = !cfg.nasids;
    if (!cfg.nasids)
        cfg.nasids = 4095;
    if (cfg.format < 0)
        cfg.format = mc->arch == PT_ARCH_X86 ? (mc->xlen == 32 ? PT_IA32 : PT_X86_64)
                                             : (mc->xlen == 32 ? PT_SV32 : PT_SV48);

    const struct policy *pol = policy_by_name(cfg.policy);
    if (!pol) {
        snprintf(err, errlen, "unknown replacement policy '%s' (clock, clock-noflush, fifo, lru, "
                              "random, aging, opt, linux)", cfg.policy);
        return NULL;
    }
    if ((unsigned)cfg.opt_ties > OPT_TIES_CLEAN_FIRST) {
        snprintf(err, errlen, "opt_ties %d: no such rule", (int)cfg.opt_ties);
        return NULL;
    }
    if (cfg.format >= PT_NFORMATS) {
        snprintf(err, errlen, "page-table format %d: no such format", cfg.format);
        return NULL;
    }
    if (pt_format(cfg.format)->arch != mc->arch) {
        snprintf(err, errlen, "page-table format %s does not fit the machine's architecture (%s)",
                 pt_format(cfg.format)->name, mc->arch == PT_ARCH_X86 ? "x86-64" : "RISC-V");
        return NULL;
    }
    const struct pt_format *fmt = pt_format(cfg.format);
    if (fmt->xlen != mc->xlen) {
        snprintf(err, errlen, "page-table format %s needs a %u-bit machine (machine_config.xlen), "
                              "not a %u-bit one", fmt->name, fmt->xlen, mc->xlen);
        return NULL;
    }
    if (cfg.abi == KERNEL_ABI_LINUX && KERNEL_LINUX_USER_TOP > pt_user_limit(fmt)) {
        snprintf(err, errlen, "the Linux ABI's user space [0, 0x%llx) does not fit in %s",
                 (unsigned long long)KERNEL_LINUX_USER_TOP, fmt->name);
        return NULL;
    }
    /* IDs the machine can tag entries with (ia32 has none: the IDs are
     * bookkeeping only, see mmu.c) */
    unsigned max_ids = fmt->asid_bits && fmt->asid_bits < 12 ? (1u << fmt->asid_bits) - 1 : 4095;
    if (default_ids && cfg.nasids > max_ids)
        cfg.nasids = max_ids;
    if (cfg.nasids > max_ids || cfg.nasids < mc->ncpus) {
        snprintf(err, errlen, "nasids %u: need %u..%u (at least one per CPU)", cfg.nasids,
                 mc->ncpus, max_ids);
        return NULL;
    }
    uint64_t frames = physmem_frames(machine_physmem(m));
    if (!cfg.kernel_frames) {
        cfg.kernel_frames = frames / 16;
        if (cfg.kernel_frames < 64)
            cfg.kernel_frames = 64;
    }
    if (cfg.kernel_frames + 1 >= frames) {
        snprintf(err, errlen, "kernel pool of %llu frames does not fit in %llu frames of memory",
                 (unsigned long long)cfg.kernel_frames, (unsigned long long)frames);
        return NULL;
    }
    uint64_t avail = frames - 1 - cfg.kernel_frames;
    if (!cfg.user_frames)
        cfg.user_frames = avail;
    if (cfg.user_frames > avail) {
        snprintf(err, errlen, "user pool of %llu frames does not fit: memory has %llu frames, "
                              "%llu after the kernel pool",
                 (unsigned long long)cfg.user_frames, (unsigned long long)frames,
                 (unsigned long long)avail);
        return NULL;
    }

    struct kernel *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    k->m = m;
    k->id = __atomic_add_fetch(&next_kernel_id, 1, __ATOMIC_RELAXED);
    k->pm = machine_physmem(m);
    k->fmt = pt_format(cfg.format);
    k->cfg = cfg;
    k->cfg.swap_path = NULL;   /* not kept: the caller's string */
    abi_setup(k);
    k->nasids = cfg.nasids;
    k->asid_next = 1;
    klock_init(&k->asid_lock);
    pthread_mutex_init(&k->proc_lock, NULL);
    k->asid_owner = calloc(k->nasids + 1, sizeof *k->asid_owner);
    if (!k->asid_owner || pool_init(&k->kpool, 1, cfg.kernel_frames) < 0 ||
        frame_table_init(&k->ft, 1 + cfg.kernel_frames, cfg.user_frames, pol, cfg.seed) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    k->kernel_root = mmu_table_alloc(k);
    struct swap_options so = {.overwrite = cfg.swap_overwrite, .keep_dev = cfg.swap_keep_dev,
                              .keep_ino = cfg.swap_keep_ino};
    k->swap = swap_open_with(cfg.swap_path, cfg.swap_bytes, &so, err, errlen);
    if (!k->swap)
        goto fail;
    k->soft_refill = mc->tlb_refill == TLB_REFILL_SOFTWARE;
    if (k->soft_refill && swpt_create(k, err, errlen) < 0)
        goto fail;
    machine_set_fault_handler(m, kernel_fault_handler, k);
    return k;
fail:
    if (k->ft.f)
        frame_table_destroy(&k->ft);
    if (k->kpool.bitmap)
        pool_destroy(&k->kpool);
    free(k->asid_owner);
    free(k);
    return NULL;
}

void kernel_destroy(struct kernel *k)
{
    if (!k)
        return;
    while (k->procs) {
        struct process *p = k->procs;
        klock_acquire(&k->asid_lock, NULL);
        for (unsigned c = 0; c < VM_MAX_CPUS; c++)
            if (k->cpu_proc[c] == p)
                k->cpu_proc[c] = NULL;
        p->running = 0;
        klock_release(&k->asid_lock);
        kernel_process_exit(p, NULL);
    }
    machine_set_fault_handler(k->m, NULL, NULL);
    for (unsigned c = 0; c < machine_ncpus(k->m); c++) {
        struct cpu *cpu = machine_cpu(k->m, c);
        if (cpu_user(cpu))
            cpu_set_user(cpu, NULL);
    }
    swap_close(k->swap);
    swpt_destroy(k);
    frame_table_destroy(&k->ft);
    pool_destroy(&k->kpool);
    free(k->asid_owner);
    klock_destroy(&k->asid_lock);
    pthread_mutex_destroy(&k->proc_lock);
    free(k);
}

struct machine *kernel_machine(struct kernel *k) { return k->m; }
struct swap_dev *kernel_swap_device(struct kernel *k) { return k->swap; }
const char *kernel_policy_name(const struct kernel *k) { return k->ft.policy->name; }
const struct pt_format *kernel_pt_format(const struct kernel *k) { return k->fmt; }

unsigned kernel_policy_wants(const struct kernel *k)
{
    return (k->ft.policy->wants_refs ? KERNEL_WANTS_REFS : 0) |
           (k->ft.policy->wants_oracle ? KERNEL_WANTS_ORACLE : 0);
}

void kernel_vmstat(struct kernel *k, struct vmstat *out)
{
    for (int i = 0; i < VMSTAT_NR; i++)
        out->v[i] = stat_get(&k->stat[i]);
    out->v[VMSTAT_SWAP_SLOTS_USED] = swap_slots_used(k->swap);
    out->v[VMSTAT_SWPT_BYTES] = k->swpt ? k->swpt->ops->bytes(k->swpt) : 0;
}

void kernel_usage(struct kernel *k, struct kernel_usage *out)
{
    memset(out, 0, sizeof *out);
    out->user_frames = k->ft.nframes;
    klock_acquire(&k->ft.lock, kself(k, NULL));
    out->user_frames_used = pool_used(&k->ft.pool);
    klock_release(&k->ft.lock);
    out->kernel_frames = k->kpool.nframes;
    out->kernel_frames_used = pool_used(&k->kpool);
    out->swap_slots = swap_slots(k->swap);
    out->swap_slots_used = swap_slots_used(k->swap);
    struct cpu *self = kself(k, NULL);
    klock_acquire(&k->asid_lock, self);
    out->asids_used = k->asids_used;
    klock_release(&k->asid_lock);
    pthread_mutex_lock(&k->proc_lock);
    out->processes = k->nprocs;
    pthread_mutex_unlock(&k->proc_lock);
    klock_acquire(&k->ft.lock, self);
    out->pinned_frames = k->ft.pinned;
    out->pagecache_pages = k->ft.pc.count;
    out->rmaps = k->ft.rmaps;
    klock_release(&k->ft.lock);
}

void kernel_set_oracle(struct kernel *k, kernel_oracle_fn next_use, void *arg)
{
    klock_acquire(&k->ft.lock, kself(k, NULL));
    k->ft.oracle = next_use;
    k->ft.oracle_arg = arg;
    klock_release(&k->ft.lock);
}
