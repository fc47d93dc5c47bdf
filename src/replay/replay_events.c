/* replay_events.c — replaying a run trace (vmt version 2, `vmlab run
 * --trace-out`): several CPUs and several address spaces.
 *
 * The trace holds every access of the run with the CPU that made it, and
 * every kernel call that shaped an address space (trace.h, TRACE_EV_*).
 * The replay makes the same calls, in the same order, on the same CPUs,
 * of a machine and kernel configured as the run's (the trace's CONFIG
 * event; an option given to replay overrides its field, for what-ifs):
 *
 *   PROCESS        kernel_process_create (Linux ABI); the pid must match
 *   EXEC           kernel_exec_fd of an ELF made from the recorded PT_LOAD
 *                  headers: a sparse file of the original's size, whose
 *                  bytes are zeros (file contents are not in a trace)
 *   FORK, EXIT     kernel_process_fork, kernel_process_exit
 *   SWITCH         kernel_switch_to
 *   CPU            the CPU attached from now on (one at a time, as the run)
 *   COPY           kernel_copy_from_user / kernel_copy_to_user of as many
 *                  bytes (zeros) on the CPU attached
 *   MMAP ...       kernel_mmap (a file mapping maps a sparse file standing
 *                  for the run's file, one per file, of its size then),
 *                  kernel_munmap, kernel_mprotect, kernel_madvise, kernel_brk
 *   accesses       cpu_touch on the CPU attached, in batches
 *
 * So the machine's and the kernel's counters come out as the run's, every
 * one (tests/test_run_trace.c checks it). What a trace cannot reproduce is
 * listed in docs/trace-formats.md: file contents, files changed by the run
 * after it mapped them, and what the program computed.
 *
 * The policies that hear every reference (lru) are told of each page an
 * access or a copy touches, in the process running on its CPU; OPT loads the
 * whole trace first and takes its future over (process, page) keys.
 */
#include "replay/replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vmlab/run.h>

#include "os/swap.h"
#include "replay/oracle.h"
#include "replay/outfile.h"

#define EV_KERNEL_FRAMES 32768
#define MAX_FILES 256

/* A compact event in memory (OPT's two passes): accesses are 16 bytes, the
 * rest point into `big` (and EXEC into `segs`). */
struct cev {
    uint64_t va;             /* access: va; other: index into big */
    uint32_t size;
    uint8_t kind, acc;
    uint16_t pad;
};
struct bev {
    unsigned cpu;
    int pid, pid2;
    uint64_t a[8];
    unsigned seg0, nsegs;    /* EXEC: seg[seg0 .. seg0 + nsegs) */
};
struct loaded {
    struct cev *ev;
    size_t n, cap;
    struct bev *big;
    size_t nbig, capbig;
    struct trace_segment *seg;
    size_t nseg, capseg;
};

struct player {
    const struct replay_config *cfg;
    struct machine *m;
    struct kernel *k;
    unsigned ncpus;
    int cur;                         /* CPU attached, -1 none */
    struct process **procs;          /* by pid */
    size_t nprocs;
    int files[MAX_FILES];            /* stand-in file per file number (1..), -1 none */
    uint64_t file_size[MAX_FILES];
    char *scratch;                   /* copies' bytes */
    size_t scratch_len;
    bool refs;                       /* the policy hears every reference */
    struct pagemap seen;             /* (process, page) keys touched: the footprint */
    uint64_t last_key;
    struct opt_oracle *oracle;
    int swap_slot;
    uint64_t accesses;
    const struct run_watch *watch;   /* told every access and copy before it is made */
    char *err;
    size_t errlen;
};

static int fail(struct player *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct player *pl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pl->err, pl->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the configuration ---- */

static const char *config_value(const char *text, const char *key, char *buf, size_t len)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            const char *v = p + kl + 1, *e = strchr(v, '\n');
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (n >= len)
                n = len - 1;
            memcpy(buf, v, n);
            buf[n] = 0;
            return buf;
        }
    }
    return NULL;
}

static uint64_t config_u64(const char *text, const char *key, uint64_t dflt)
{
    char v[64];
    return config_value(text, key, v, sizeof v) ? strtoull(v, NULL, 0) : dflt;
}

/* The run's configuration, under the options the user gave. */
static int effective_config(const struct replay_config *given, const char *text,
                            struct replay_config *c, unsigned *ncpus, char *policy, size_t plen,
                            char *err, size_t errlen)
{
    *c = *given;
    char v[TRACE_EV_MAX_TEXT];
    if (!config_value(text, "abi", v, sizeof v) || strcmp(v, "linux")) {
        snprintf(err, errlen, "the run trace's personality is '%s': this replay knows linux",
                 config_value(text, "abi", v, sizeof v) ? v : "(none)");
        return -1;
    }
    *ncpus = (unsigned)config_u64(text, "cpus", 1);
    if (*ncpus < 1 || *ncpus > VM_MAX_CPUS) {
        snprintf(err, errlen, "the run trace names %u CPUs", *ncpus);
        return -1;
    }
    if (!(given->given & REPLAY_GIVEN_PT) && config_value(text, "pt", v, sizeof v)) {
        if (!(c->fmt = pt_format_by_name(v))) {
            snprintf(err, errlen, "the run trace's page-table format '%s' is unknown", v);
            return -1;
        }
    }
    if (!(given->given & REPLAY_GIVEN_TLB) && config_value(text, "tlb-geometry", v, sizeof v)) {
        char name[64], same[TRACE_EV_MAX_TEXT];
        const struct tlb_config *pre = config_value(text, "tlb", name, sizeof name) ? tlb_preset(name)
                                                                                    : NULL;
        if (pre)
            tlb_config_describe(pre, same, sizeof same);
        if (pre && !strcmp(same, v)) {
            c->tlb = *pre;   /* the preset itself, by its name */
        } else {
            c->tlb = *(pre ? pre : tlb_preset("none"));
            if (tlb_config_parse(&c->tlb, v, err, errlen))
                return -1;
        }
    }
    if (!(given->given & REPLAY_GIVEN_REFILL)) {
        c->tlb_refill = config_value(text, "tlb-refill", v, sizeof v) && !strcmp(v, "software")
                            ? TLB_REFILL_SOFTWARE : TLB_REFILL_HARDWARE;
        c->sw_pt = (int)config_u64(text, "sw-pt", 0);
        c->sw_pt_entries = config_u64(text, "sw-pt-entries", 0);
    }
    if (!(given->given & REPLAY_GIVEN_FRAMES))
        c->frames = config_u64(text, "frames", c->frames);
    if (!(given->given & REPLAY_GIVEN_POLICY) && config_value(text, "policy", policy, plen))
        c->policy = policy;
    if (!(given->given & REPLAY_GIVEN_THP))
        c->thp = config_u64(text, "thp", 0) != 0;
    if (!(given->given & REPLAY_GIVEN_SWAP))
        c->swap_bytes = config_u64(text, "swap", c->swap_bytes);
    if (!(given->given & REPLAY_GIVEN_SEED))
        c->seed = config_u64(text, "seed", 0);
    return 0;
}

static int build(struct player *pl, const struct replay_config *c, unsigned ncpus)
{
    if (c->fmt->xlen != 64)
        return fail(pl, "a run trace needs a 64-bit page-table format (not %s)", c->fmt->name);
    if (c->frames < 1 || c->frames > replay_max_frames())
        return fail(pl, "a user pool of %llu frames does not fit: from 1 to %llu",
                    (unsigned long long)c->frames, (unsigned long long)replay_max_frames());
    struct machine_config mc;
    machine_config_default(&mc, c->fmt->arch);
    mc.ncpus = ncpus;
    mc.tlb = c->tlb;
    mc.tlb_refill = c->tlb_refill;
    mc.mem_bytes = (c->frames + EV_KERNEL_FRAMES + 1) * VM_PAGE_SIZE;
    if (c->fmt->arch == PT_ARCH_X86)
        mc.maxphyaddr = 52;
    if (!(pl->m = machine_create(&mc, pl->err, pl->errlen)))
        return -1;
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = c->frames;
    kc.kernel_frames = EV_KERNEL_FRAMES;
    kc.swap_bytes = c->swap_bytes;
    kc.swap_path = c->swap_path;
    kc.swap_overwrite = c->swap_overwrite;
    kc.swap_keep_dev = c->input_dev;
    kc.swap_keep_ino = c->input_ino;
    kc.policy = c->policy;
    kc.seed = c->seed;
    kc.opt_ties = c->opt_ties;
    kc.thp = c->thp;
    kc.sw_pt = c->sw_pt;
    kc.sw_pt_entries = c->sw_pt_entries;
    kc.abi = KERNEL_ABI_LINUX;
    kc.format = (int)c->fmt->id;
    kc.elf_machine = 243;
    if (!(pl->k = kernel_create(pl->m, &kc, pl->err, pl->errlen)))
        return -1;
    struct swap_dev *sw = kernel_swap_device(pl->k);
    if (sw && swap_created(sw))
        pl->swap_slot = temp_register(swap_path(sw));
    pl->ncpus = ncpus;
    unsigned wants = kernel_policy_wants(pl->k);
    pl->refs = wants & KERNEL_WANTS_REFS;
    return 0;
}

/* ---- the CPUs and the processes ---- */

static struct cpu *on(struct player *pl, unsigned cpu)
{
    if (pl->cur != (int)cpu) {
        if (pl->cur >= 0)
            cpu_detach(machine_cpu(pl->m, (unsigned)pl->cur));
        cpu_attach(machine_cpu(pl->m, cpu));
        kernel_set_thread_cpu(pl->k, machine_cpu(pl->m, cpu));
        pl->cur = (int)cpu;
    }
    return machine_cpu(pl->m, cpu);
}

static struct cpu *here(struct player *pl)
{
    return on(pl, pl->cur >= 0 ? (unsigned)pl->cur : 0);
}

static struct process *proc(struct player *pl, int pid)
{
    return pid > 0 && (size_t)pid < pl->nprocs ? pl->procs[pid] : NULL;
}

static int adopt(struct player *pl, struct process *p, int want)
{
    int pid = kernel_process_pid(p);
    if (pid != want)
        return fail(pl, "the replay made process %d where the run made %d: the trace does not fit "
                        "this configuration", pid, want);
    if ((size_t)pid >= pl->nprocs) {
        size_t n = (size_t)pid * 2 + 8;
        struct process **v = realloc(pl->procs, n * sizeof *v);
        if (!v)
            return fail(pl, "out of memory");
        memset(v + pl->nprocs, 0, (n - pl->nprocs) * sizeof *v);
        pl->procs = v;
        pl->nprocs = n;
    }
    pl->procs[pid] = p;
    return 0;
}

/* A sparse file standing for an image or a mapped file: size bytes,
 * unlinked, created exclusively beside the temporary directory's others. */
static int stand_in(struct player *pl, uint64_t size)
{
    const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/vmlab-replay-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return fail(pl, "cannot make a file in %s for the replay: %s", dir, strerror(errno));
    unlink(path);
    if (ftruncate(fd, (off_t)size) < 0) {
        close(fd);
        return fail(pl, "cannot size a replay file: %s", strerror(errno));
    }
    return fd;
}

static void put16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/* An ELF with the recorded PT_LOAD headers and the original's size. */
static int exec_image(struct player *pl, int pid, uint64_t type, uint64_t entry, uint64_t size,
                      const struct trace_segment *seg, unsigned n)
{
    struct process *p = proc(pl, pid);
    if (!p)
        return fail(pl, "exec of process %d, which the trace did not make", pid);
    unsigned char eh[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    put16(eh + 16, (uint16_t)type);
    put16(eh + 18, 243);
    put32(eh + 20, 1);
    put64(eh + 24, entry);
    put64(eh + 32, 64);
    put16(eh + 52, 64);
    put16(eh + 54, 56);
    put16(eh + 56, (uint16_t)n);
    uint64_t need = 64 + 56ull * n;
    int fd = stand_in(pl, size > need ? size : need);
    if (fd < 0)
        return -1;
    int rc = pwrite(fd, eh, sizeof eh, 0) == (ssize_t)sizeof eh ? 0 : -1;
    for (unsigned i = 0; rc == 0 && i < n; i++) {
        unsigned char ph[56] = {0};
        put32(ph, 1);
        put32(ph + 4, seg[i].flags);
        put64(ph + 8, seg[i].offset);
        put64(ph + 16, seg[i].vaddr);
        put64(ph + 24, seg[i].vaddr);
        put64(ph + 32, seg[i].filesz);
        put64(ph + 40, seg[i].memsz);
        put64(ph + 48, 4096);
        rc = pwrite(fd, ph, sizeof ph, (off_t)(64 + 56 * i)) == (ssize_t)sizeof ph ? 0 : -1;
    }
    if (rc < 0) {
        close(fd);
        return fail(pl, "cannot write a replay image: %s", strerror(errno));
    }
    struct kernel_image img;
    char why[512];
    rc = kernel_exec_fd(p, fd, "the run's image", &img, here(pl), why, sizeof why);
    close(fd);
    if (rc < 0)
        return fail(pl, "exec of process %d, as the run did it, failed: %s", pid, why);
    return 0;
}

static int mmap_event(struct player *pl, int pid, const uint64_t *a)
{
    struct process *p = proc(pl, pid);
    if (!p)
        return fail(pl, "mmap in process %d, which the trace did not make", pid);
    int fd = -1;
    uint64_t file = a[4];
    if (file) {
        if (file >= MAX_FILES)
            return fail(pl, "the run trace numbers a file %llu", (unsigned long long)file);
        if (pl->files[file] < 0 && (pl->files[file] = stand_in(pl, a[6])) < 0)
            return -1;
        if (a[6] > pl->file_size[file] && ftruncate(pl->files[file], (off_t)a[6]) == 0)
            pl->file_size[file] = a[6];
        fd = pl->files[file];
    }
    vaddr_t out = 0;
    int rc = kernel_mmap(p, a[0], a[1], (unsigned)a[2], (unsigned)a[3], fd, a[5], &out);
    uint64_t got = rc < 0 ? (uint64_t)(int64_t)rc : out;
    if (got != a[7])
        return fail(pl, "mmap in process %d gave 0x%llx where the run got 0x%llx: the trace does "
                        "not fit this configuration", pid, (unsigned long long)got,
                    (unsigned long long)a[7]);
    return 0;
}

/* The pages of [va, va + len) an access or a copy touches: OPT's clock
 * moves over them; a policy that hears every reference is told of an
 * access's pages before it is made, as the run told it (copies are the
 * kernel's, which the run did not report). */
static void heard(struct player *pl, struct process *p, vaddr_t va, uint64_t len, bool before,
                  bool access)
{
    uint64_t first = va >> VM_PAGE_SHIFT, last = (va + (len ? len : 1) - 1) >> VM_PAGE_SHIFT;
    if (pl->oracle) {
        if (before)
            opt_before(pl->oracle, last - first + 1);
        else
            opt_after(pl->oracle, last - first + 1);
    }
    if (pl->refs && p && before && access)
        for (uint64_t pg = first; pg <= last; pg++)
            kernel_note_access(p, pg << VM_PAGE_SHIFT);
}

/* The trace's number for process p (0: none). */
static int trace_pid(const struct player *pl, const struct process *p)
{
    for (size_t i = 0; p && i < pl->nprocs; i++)
        if (pl->procs[i] == p)
            return (int)i;
    return 0;
}

/* Tell the watcher (vmlab step and explore on a run trace) of an access or
 * a copy about to be made on the current CPU. */
static void watch_access(struct player *pl, vaddr_t va, uint64_t len, enum vm_access acc,
                         bool copy)
{
    struct cpu *cpu = here(pl);
    struct process *p = kernel_current(cpu);
    struct run_access a = {.cpu = (unsigned)pl->cur, .proc = p, .pid = trace_pid(pl, p), .va = va,
                           .len = len, .acc = acc, .copy = copy};
    pl->watch->access(pl->watch->arg, cpu, &a);
}

static int copy_event(struct player *pl, const uint64_t *a)
{
    struct cpu *cpu = here(pl);
    struct process *p = kernel_current(cpu);
    if (a[1] > pl->scratch_len) {
        char *b = realloc(pl->scratch, a[1]);
        if (!b)
            return fail(pl, "out of memory for a copy of %llu bytes", (unsigned long long)a[1]);
        pl->scratch = b;
        pl->scratch_len = a[1];
    }
    memset(pl->scratch, 0, a[1]);
    if (pl->watch)
        watch_access(pl, a[0], a[1], a[2] ? VM_ACCESS_WRITE : VM_ACCESS_READ, true);
    heard(pl, p, a[0], a[1], true, false);
    if (a[2])
        kernel_copy_to_user(cpu, a[0], pl->scratch, a[1]);
    else
        kernel_copy_from_user(cpu, pl->scratch, a[0], a[1]);
    heard(pl, p, a[0], a[1], false, false);
    return 0;
}

/* One event (accesses come in batches, below). */
static int play(struct player *pl, const struct trace_event *ev)
{
    struct process *p, *c;
    switch (ev->kind) {
    case TRACE_EV_ACCESS:
    case TRACE_EV_CONFIG:
        return 0;
    case TRACE_EV_CPU:
        if (ev->cpu >= pl->ncpus)
            return fail(pl, "the run trace names CPU %u of %u", ev->cpu, pl->ncpus);
        on(pl, ev->cpu);
        return 0;
    case TRACE_EV_SWITCH:
        if (ev->cpu >= pl->ncpus)
            return fail(pl, "the run trace names CPU %u of %u", ev->cpu, pl->ncpus);
        p = ev->pid ? proc(pl, ev->pid) : NULL;
        if (ev->pid && !p)
            return fail(pl, "a CPU switched to process %d, which the trace did not make", ev->pid);
        kernel_switch_to(on(pl, ev->cpu), p);
        return 0;
    case TRACE_EV_COPY:
        return copy_event(pl, ev->a);
    case TRACE_EV_PROCESS:
        if (!(p = kernel_process_create_abi(pl->k, "run", KERNEL_ABI_LINUX)))
            return fail(pl, "cannot create a process (kernel pool exhausted)");
        return adopt(pl, p, ev->pid);
    case TRACE_EV_EXEC:
        return exec_image(pl, ev->pid, ev->a[0], ev->a[1], ev->a[2], ev->seg, ev->nsegs);
    case TRACE_EV_FORK:
        if (!(p = proc(pl, ev->pid)))
            return fail(pl, "fork of process %d, which the trace did not make", ev->pid);
        if (kernel_process_fork(p, NULL, here(pl), &c) < 0)
            return fail(pl, "fork of process %d failed where the run's succeeded", ev->pid);
        return adopt(pl, c, ev->pid2);
    case TRACE_EV_EXIT:
        if (!(p = proc(pl, ev->pid)))
            return fail(pl, "exit of process %d, which the trace did not make", ev->pid);
        if (kernel_process_exit(p, here(pl)) < 0)
            return fail(pl, "process %d cannot exit: a CPU still runs it", ev->pid);
        pl->procs[ev->pid] = NULL;
        return 0;
    case TRACE_EV_MMAP:
        return mmap_event(pl, ev->pid, ev->a);
    case TRACE_EV_MUNMAP:
    case TRACE_EV_MPROTECT:
    case TRACE_EV_MADVISE:
    case TRACE_EV_BRK:
        if (!(p = proc(pl, ev->pid)))
            return fail(pl, "a memory call in process %d, which the trace did not make", ev->pid);
        if (ev->kind == TRACE_EV_MUNMAP) {
            kernel_munmap(p, ev->a[0], ev->a[1], here(pl));
        } else if (ev->kind == TRACE_EV_MPROTECT) {
            kernel_mprotect(p, ev->a[0], ev->a[1], (unsigned)ev->a[2], here(pl));
        } else if (ev->kind == TRACE_EV_MADVISE) {
            kernel_madvise(p, ev->a[0], ev->a[1], (int)ev->a[2], here(pl));
        } else {
            vaddr_t out;
            kernel_brk(p, ev->a[0], &out, here(pl));
        }
        return 0;
    case TRACE_EV_NR:
        break;
    }
    return fail(pl, "unknown event %d", (int)ev->kind);
}

/* The footprint: every (process, page) an access touches. */
static void seen(struct player *pl, int pid, const struct cpu_ref *refs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t first = refs[i].va >> VM_PAGE_SHIFT, last = (refs[i].va + refs[i].size - 1) >> VM_PAGE_SHIFT;
        for (uint64_t pg = first; pg <= last; pg++) {
            uint64_t key = oracle_key(pid, pg);
            if (key == pl->last_key)
                continue;
            bool inserted;
            pagemap_upsert(&pl->seen, key, &inserted);
            pl->last_key = key;
        }
    }
}

/* A run of accesses on the CPU attached. */
static void touch(struct player *pl, const struct cpu_ref *refs, size_t n)
{
    if (n == 0)
        return;
    struct cpu *cpu = here(pl);
    pl->accesses += n;
    struct process *cur = kernel_current(cpu);
    seen(pl, cur ? kernel_process_pid(cur) : 0, refs, n);
    if (!pl->refs && !pl->oracle && !pl->watch) {
        for (size_t done = 0; done < n;) {
            done += cpu_touch_many(cpu, refs + done, n - done);
            if (done < n)
                done++;   /* it killed its process: the run stopped it there too */
        }
        return;
    }
    struct process *p = cur;
    for (size_t i = 0; i < n; i++) {
        if (pl->watch)
            watch_access(pl, refs[i].va, refs[i].size, (enum vm_access)refs[i].acc, false);
        heard(pl, p, refs[i].va, refs[i].size, true, true);
        cpu_touch(cpu, refs[i].va, refs[i].size, (enum vm_access)refs[i].acc);
        heard(pl, p, refs[i].va, refs[i].size, false, true);
    }
}

/* ---- reading: streaming, or loaded for OPT ---- */

static int load_all(struct trace_reader *r, struct trace_event *scratch, struct loaded *L, char *err,
                    size_t errlen)
{
    int rc;
    while ((rc = trace_next_event(r, scratch)) == 1) {
        if (L->n == L->cap) {
            size_t cap = L->cap ? 2 * L->cap : 1 << 16;
            struct cev *v = realloc(L->ev, cap * sizeof *v);
            if (!v)
                goto oom;
            L->ev = v;
            L->cap = cap;
        }
        struct cev *e = &L->ev[L->n++];
        memset(e, 0, sizeof *e);
        e->kind = (uint8_t)scratch->kind;
        if (scratch->kind == TRACE_EV_ACCESS) {
            e->va = scratch->rec.va;
            e->size = scratch->rec.size;
            e->acc = (uint8_t)scratch->rec.kind;
            continue;
        }
        if (L->nbig == L->capbig) {
            size_t cap = L->capbig ? 2 * L->capbig : 1024;
            struct bev *v = realloc(L->big, cap * sizeof *v);
            if (!v)
                goto oom;
            L->big = v;
            L->capbig = cap;
        }
        struct bev *b = &L->big[L->nbig];
        e->va = L->nbig++;
        *b = (struct bev){.cpu = scratch->cpu, .pid = scratch->pid, .pid2 = scratch->pid2, .seg0 = (unsigned)L->nseg,
                          .nsegs = scratch->nsegs};
        memcpy(b->a, scratch->a, sizeof b->a);
        if (scratch->nsegs) {
            if (L->nseg + scratch->nsegs > L->capseg) {
                size_t cap = (L->capseg + scratch->nsegs) * 2;
                struct trace_segment *v = realloc(L->seg, cap * sizeof *v);
                if (!v)
                    goto oom;
                L->seg = v;
                L->capseg = cap;
            }
            memcpy(L->seg + L->nseg, scratch->seg, scratch->nsegs * sizeof *scratch->seg);
            L->nseg += scratch->nsegs;
        }
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", trace_error(r));
        return -1;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory loading the run trace (%zu events)", L->n);
    return -1;
}

static void unpack(const struct loaded *L, size_t i, struct trace_event *ev)
{
    const struct cev *e = &L->ev[i];
    ev->kind = (enum trace_event_kind)e->kind;
    if (e->kind == TRACE_EV_ACCESS) {
        ev->rec = (struct trace_record){.va = e->va, .size = e->size, .kind = (enum vm_access)e->acc};
        return;
    }
    const struct bev *b = &L->big[e->va];
    ev->cpu = b->cpu;
    ev->pid = b->pid;
    ev->pid2 = b->pid2;
    memcpy(ev->a, b->a, sizeof ev->a);
    ev->nsegs = b->nsegs;
    memcpy(ev->seg, L->seg + b->seg0, b->nsegs * sizeof *ev->seg);
}

/* OPT's future over (process, page) keys: every page an access or a copy
 * touches, in the process its CPU runs (followed through SWITCH). */
static int future(struct player *pl, const struct loaded *L, unsigned ncpus, struct opt_oracle *o)
{
    int run[VM_MAX_CPUS] = {0}, cpu = 0;
    size_t n = 0, cap = L->n + 16;
    uint64_t *keys = malloc(cap * sizeof *keys);
    if (!keys)
        return fail(pl, "out of memory for OPT's future");
    for (size_t i = 0; i < L->n; i++) {
        const struct cev *e = &L->ev[i];
        vaddr_t va;
        uint64_t len;
        if (e->kind == TRACE_EV_ACCESS) {
            va = e->va;
            len = e->size;
        } else {
            const struct bev *b = &L->big[e->va];
            if (e->kind == TRACE_EV_CPU && b->cpu < ncpus)
                cpu = (int)b->cpu;
            if (e->kind == TRACE_EV_SWITCH && b->cpu < ncpus)
                run[b->cpu] = b->pid, cpu = (int)b->cpu;
            if (e->kind != TRACE_EV_COPY)
                continue;
            va = b->a[0];
            len = b->a[1];
        }
        uint64_t first = va >> VM_PAGE_SHIFT, last = (va + (len ? len : 1) - 1) >> VM_PAGE_SHIFT;
        for (uint64_t pg = first; pg <= last; pg++) {
            if (n == cap) {
                uint64_t *k = realloc(keys, (cap *= 2) * sizeof *keys);
                if (!k) {
                    free(keys);
                    return fail(pl, "out of memory for OPT's future");
                }
                keys = k;
            }
            keys[n++] = oracle_key(run[cpu], pg);
        }
    }
    int rc = opt_build_keys(o, keys, n);
    free(keys);
    return rc ? fail(pl, "out of memory for OPT's next-use index") : 0;
}

static uint64_t next_use(void *arg, const struct process *p, vaddr_t page)
{
    return opt_next_use_of(arg, oracle_key(kernel_process_pid(p), page >> VM_PAGE_SHIFT));
}

/* ---- the replay ---- */

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void teardown(struct player *pl)
{
    if (pl->k) {
        for (size_t i = 0; i < pl->nprocs; i++)
            if (pl->procs[i]) {
                for (unsigned c = 0; c < pl->ncpus; c++)
                    if (kernel_current(machine_cpu(pl->m, c)) == pl->procs[i])
                        kernel_switch_to(on(pl, c), NULL);
                kernel_process_exit(pl->procs[i], pl->cur >= 0 ? here(pl) : NULL);
            }
    }
    if (pl->cur >= 0)
        cpu_detach(machine_cpu(pl->m, (unsigned)pl->cur));
    if (pl->k)
        kernel_destroy(pl->k);
    if (pl->swap_slot >= 0)
        temp_unregister(pl->swap_slot);
    if (pl->m)
        machine_destroy(pl->m);
    for (int i = 0; i < MAX_FILES; i++)
        if (pl->files[i] >= 0)
            close(pl->files[i]);
    free(pl->procs);
    free(pl->scratch);
    pagemap_free(&pl->seen);
}

int replay_events(const struct replay_config *cfg, struct trace_reader *r, struct replay_result *res,
                  char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    struct trace_event *evp = malloc(sizeof *evp);   /* 3.5 KiB: off the stack (sweeps run
                                                        replays on threads) */
    if (!evp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct player pl = {.cfg = cfg, .cur = -1, .swap_slot = -1, .err = err, .errlen = errlen,
                        .last_key = UINT64_MAX};
    if (pagemap_init(&pl.seen, 1024)) {
        snprintf(err, errlen, "out of memory");
        free(evp);
        return -1;
    }
    for (int i = 0; i < MAX_FILES; i++)
        pl.files[i] = -1;
    struct loaded L = {0};
    struct opt_oracle oracle;
    bool have_oracle = false;
    int rc = -1;
    if (trace_next_event(r, evp) != 1 || evp->kind != TRACE_EV_CONFIG) {
        snprintf(err, errlen, "%s: a run trace starts with its configuration",
                 cfg->input_name ? cfg->input_name : "the trace");
        if (trace_error(r)[0])
            snprintf(err, errlen, "%s", trace_error(r));
        free(evp);
        pagemap_free(&pl.seen);
        return -1;
    }
    struct replay_config c;
    unsigned ncpus;
    char policy[64];
    if (effective_config(cfg, evp->text, &c, &ncpus, policy, sizeof policy, err, errlen)) {
        free(evp);
        pagemap_free(&pl.seen);
        return -1;
    }
    pl.cfg = &c;
    if (build(&pl, &c, ncpus))
        goto out;
    if (cfg->watch) {   /* the watcher hears every access one at a time */
        pl.watch = cfg->watch;
        if (pl.watch->start)
            pl.watch->start(pl.watch->arg, pl.m, pl.k);
    }
    bool loaded = kernel_policy_wants(pl.k) & KERNEL_WANTS_ORACLE;
    if (loaded) {
        if (load_all(r, evp, &L, err, errlen) || future(&pl, &L, ncpus, &oracle))
            goto out;
        have_oracle = true;
        pl.oracle = &oracle;
        kernel_set_oracle(pl.k, next_use, &oracle);
    }
    enum { BATCH = 256 };
    struct cpu_ref batch[BATCH];
    size_t nb = 0, i = 0;
    double start = seconds_now();
    for (;;) {
        if (cfg->stop && __atomic_load_n(cfg->stop, __ATOMIC_RELAXED)) {
            res->interrupted = true;
            break;
        }
        int got;
        if (loaded) {
            got = i < L.n;
            if (got)
                unpack(&L, i++, evp);
        } else {
            got = trace_next_event(r, evp);
        }
        if (got < 0) {
            snprintf(err, errlen, "%s", trace_error(r));
            goto out;
        }
        if (got && evp->kind == TRACE_EV_ACCESS) {
            if (cfg->limit && pl.accesses + nb >= cfg->limit)
                break;
            batch[nb++] = (struct cpu_ref){.va = evp->rec.va, .size = evp->rec.size, .acc = evp->rec.kind};
            if (nb < BATCH)
                continue;
        }
        touch(&pl, batch, nb);   /* before anything else happens */
        nb = 0;
        if (!got)
            break;
        if (evp->kind != TRACE_EV_ACCESS && play(&pl, evp))
            goto out;
    }
    touch(&pl, batch, nb);
    res->seconds = seconds_now() - start;
    res->records = pl.accesses;
    machine_stats(pl.m, &res->cpu);
    kernel_vmstat(pl.k, &res->vm);
    struct kernel_usage ku;
    kernel_usage(pl.k, &ku);
    res->frames_used = ku.user_frames_used;
    res->footprint = pl.seen.count;
    res->eat_ns = replay_eat(&cfg->cost, &res->cpu, &res->vm, res->cpu.v[CPU_STAT_ACCESSES]);
    res->run_trace = true;
    res->run = c;
    res->run.policy = kernel_policy_name(pl.k);   /* outlives this call */
    res->ncpus = ncpus;
    rc = 0;
out:
    if (pl.watch && pl.watch->end)
        pl.watch->end(pl.watch->arg);   /* the machine and kernel still there */
    teardown(&pl);
    if (have_oracle)
        opt_free(&oracle);
    free(L.ev);
    free(L.big);
    free(L.seg);
    free(evp);
    return rc;
}
