/* run.c — run_program: the machine, the kernel and the ISA for one run, the
 * program's first task, the scheduler, and the result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <vmlab/trace.h>

#include "os/swap.h"
#include "replay/outfile.h"
#include "sys/sys.h"

/* Page tables live in the kernel pool: 128 MiB of simulated memory
 * (reserved, committed only when used) maps far more than any run needs. */
#define RUN_KERNEL_FRAMES 32768ull

const struct sys_abi *const sys_abis[] = {&sys_abi_linux, &sys_abi_pintos, NULL};
const char *const run_abi_names[] = {"linux", "pintos", NULL};

/* Personalities added at run time (sys_abi_add: tests, embedders). */
static const struct sys_abi *added[8];

int sys_abi_add(const struct sys_abi *abi)
{
    for (size_t i = 0; i < sizeof added / sizeof added[0]; i++)
        if (!added[i] || added[i] == abi) {
            added[i] = abi;
            return 0;
        }
    return -1;
}

bool run_abi_own_files(const char *abi)
{
    const struct sys_abi *a = sys_abi_find(abi ? abi : "linux");
    return a && a->own_files;
}

const struct sys_abi *sys_abi_find(const char *name)
{
    for (int i = 0; sys_abis[i]; i++)
        if (!strcmp(sys_abis[i]->name, name))
            return sys_abis[i];
    for (size_t i = 0; i < sizeof added / sizeof added[0] && added[i]; i++)
        if (!strcmp(added[i]->name, name))
            return added[i];
    return NULL;
}

void run_config_default(struct run_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->abi = "linux";
    cfg->tlb = *tlb_preset("zen4");
    cfg->tlb_name = "zen4";
    cfg->ncpus = 1;
    cfg->policy = "clock";
    cfg->swap_bytes = 1ull << 30;
    cfg->stdin_fd = 0;
    cfg->stdout_fd = 1;
    cfg->stderr_fd = 2;
}

/* ---- the run's random bytes: xoshiro256** seeded through splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next_random(uint64_t *s)
{
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

void sys_random(struct sys *s, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        uint64_t r = next_random(s->rng);
        size_t n = len < 8 ? len : 8;
        memcpy(p, &r, n);
        p += n;
        len -= n;
    }
}

void sys_count_unknown(struct sys *s, uint64_t nr)
{
    struct run_counts *c = &s->counts;
    c->unknown++;
    for (unsigned i = 0; i < c->nunknown; i++)
        if (c->unknown_nr[i] == nr) {
            c->unknown_n[i]++;
            return;
        }
    if (c->nunknown < RUN_MAX_UNKNOWN) {
        c->unknown_nr[c->nunknown] = nr;
        c->unknown_n[c->nunknown++] = 1;
    }
}

const char *sys_signal_name(int sig, char *buf, size_t len)
{
    static const char *const names[] = {
        NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };
    if (sig > 0 && sig < (int)(sizeof names / sizeof names[0]))
        return names[sig];
    snprintf(buf, len, "signal %d", sig);
    return buf;
}

/* The time CSR: virtual nanoseconds, as clock_gettime sees them. */
static uint64_t time_csr(void *arg, const struct rv_hart *h)
{
    (void)h;
    return sys_now(arg);
}

/* ---- building and tearing down ---- */

static int check_config(const struct run_config *cfg, const struct sys_abi *abi,
                        const struct pt_format **fmt, char *err, size_t errlen)
{
    if (!abi) {
        snprintf(err, errlen, "unknown personality '%s' (there are: linux, pintos)", cfg->abi ? cfg->abi : "");
        return -1;
    }
    *fmt = cfg->fmt ? cfg->fmt : pt_format((enum pt_format_id)abi->default_format);
    if ((*fmt)->xlen != 64) {
        snprintf(err, errlen, "--pt %s cannot hold a 64-bit program's address space "
                              "(use sv39, sv48, sv57, x86-64 or x86-64-5)", (*fmt)->name);
        return -1;
    }
    if (cfg->ncpus < 1 || cfg->ncpus > VM_MAX_CPUS) {
        snprintf(err, errlen, "--cpus %u: from 1 to %d", cfg->ncpus, VM_MAX_CPUS);
        return -1;
    }
    if (cfg->policy && !strcmp(cfg->policy, "opt")) {
        snprintf(err, errlen, "--policy opt needs the future of the run, which is unknown while "
                              "a program runs: record it with --trace-out FILE.vmt, then "
                              "'vmlab replay --policy opt FILE.vmt'");
        return -1;
    }
    return 0;
}

static int sys_build(struct sys *s, const struct run_config *cfg, char *err, size_t errlen)
{
    const struct pt_format *fmt;
    s->cfg = cfg;
    s->abi = sys_abi_find(cfg->abi ? cfg->abi : "linux");
    if (check_config(cfg, s->abi, &fmt, err, errlen))
        return -1;
    s->fmt = fmt;
    uint64_t frames = cfg->frames ? cfg->frames : RUN_DEFAULT_FRAMES;
    struct machine_config mc;
    machine_config_default(&mc, fmt->arch);
    mc.ncpus = cfg->ncpus;
    mc.tlb = cfg->tlb;
    mc.tlb_refill = cfg->tlb_refill;
    mc.mem_bytes = (frames + RUN_KERNEL_FRAMES + 1) * VM_PAGE_SIZE;   /* frame 0 is never used */
    if (fmt->arch == PT_ARCH_X86)
        mc.maxphyaddr = 52;
    if (!(s->m = machine_create(&mc, err, errlen)))
        return -1;
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = frames;
    kc.kernel_frames = RUN_KERNEL_FRAMES;
    kc.swap_bytes = cfg->swap_bytes;
    kc.swap_path = cfg->swap_path;
    kc.swap_overwrite = cfg->swap_overwrite;
    struct stat st;
    if (stat(s->program, &st) == 0) {   /* swap must never replace the program */
        kc.swap_keep_dev = (uint64_t)st.st_dev;
        kc.swap_keep_ino = (uint64_t)st.st_ino;
    }
    kc.sw_pt = cfg->sw_pt;
    kc.sw_pt_entries = cfg->sw_pt_entries;
    kc.policy = cfg->policy;
    kc.seed = cfg->seed;
    kc.thp = cfg->thp;
    kc.abi = s->abi->kabi;
    kc.format = (int)fmt->id;
    kc.elf_machine = 243;    /* RISC-V programs on any page-table format */
    if (s->abi->kernel_config)
        s->abi->kernel_config(s, &kc);
    if (!(s->k = kernel_create(s->m, &kc, err, errlen)))
        return -1;
    struct swap_dev *sw = kernel_swap_device(s->k);
    s->swap_slot = sw && swap_created(sw) ? temp_register(swap_path(sw)) : -1;   /* removed if
                                                                                  vmlab dies */
    if (!(s->rv = rv_sys_create(s->m, NULL, err, errlen)))
        return -1;
    rv_sys_set_time(s->rv, time_csr, s);
    s->ncpus = cfg->ncpus;
    for (unsigned i = 0; i < s->ncpus; i++)
        s->cpu[i].cpu = machine_cpu(s->m, i);
    s->quantum = cfg->quantum ? cfg->quantum : RUN_DEFAULT_QUANTUM;
    uint64_t x = cfg->seed;
    for (int i = 0; i < 4; i++)
        s->rng[i] = splitmix64(&x);
    if (systrace_open(s, err, errlen))
        return -1;
    if (s->abi->setup && s->abi->setup(s, err, errlen))
        return -1;
    return 0;
}

static void sys_destroy(struct sys *s)
{
    while (s->tasks) {
        struct task *t = s->tasks;
        fd_close_all(&t->fds);
        task_reap(t);
    }
    if (s->abi && s->abi->teardown)
        s->abi->teardown(s);
    rv_sys_destroy(s->rv);
    if (s->k)
        kernel_destroy(s->k);
    if (s->swap_slot >= 0)
        temp_unregister(s->swap_slot);
    if (s->m)
        machine_destroy(s->m);
    free(s->recs);
}

/* The first task: created, loaded and started on CPU 0. */
static int start_program(struct sys *s, int argc, char *const argv[], char *err, size_t errlen)
{
    const char *slash = strrchr(argv[0], '/');
    struct task *t = task_create(s, slash ? slash + 1 : argv[0], err, errlen);
    if (!t)
        return -1;
    s->first = t;
    struct sys_cpu *c = &s->cpu[0];
    cpu_attach(c->cpu);
    s->on = c;
    sys_note_process(t, TRACE_EV_PROCESS, 0);
    sys_switch(s, c, t);
    t->cpu = 0;
    task_account_on(t);
    int rc = s->abi->start(s, t, argc, argv, err, errlen);
    task_account_off(t);
    sys_switch(s, c, NULL);
    t->cpu = -1;
    s->on = NULL;
    cpu_detach(c->cpu);
    if (rc == 0)
        sched_enqueue(s, t);
    return rc;
}

static int by_pid(const void *a, const void *b)
{
    const struct run_proc *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

static void collect(struct sys *s, struct run_summary *res, double seconds)
{
    memset(res, 0, sizeof *res);
    qsort(s->recs, s->nrecs, sizeof *s->recs, by_pid);
    res->procs = s->recs;
    res->nprocs = s->nrecs;
    s->recs = NULL;
    machine_stats(s->m, &res->cpu);
    kernel_vmstat(s->k, &res->vm);
    res->counts = s->counts;
    for (size_t i = 0; i < res->nprocs; i++)
        res->instret += res->procs[i].instret;
    const struct run_proc *first = res->nprocs ? &res->procs[0] : NULL;
    res->status = s->halted ? s->halt_status & 0xff
                : !first ? 125 : first->signaled ? 128 + first->code : first->code & 0xff;
    res->vtime_ns = s->now;
    for (unsigned i = 0; i < s->ncpus; i++)
        res->cpu_busy[i] = s->cpu[i].busy;
    res->seconds = seconds;
    res->deadlock = s->deadlock;
    res->interrupted = s->interrupted;
    res->limited = s->limited;
    snprintf(res->format, sizeof res->format, "%s", s->fmt->name);
    snprintf(res->tlb, sizeof res->tlb, "%s", s->cfg->tlb_name ? s->cfg->tlb_name : "custom");
    snprintf(res->policy, sizeof res->policy, "%s", kernel_policy_name(s->k));
    snprintf(res->abi, sizeof res->abi, "%s", s->abi->name);
    res->ncpus = s->ncpus;
    res->frames = s->cfg->frames ? s->cfg->frames : RUN_DEFAULT_FRAMES;
    res->swap_bytes = s->cfg->swap_bytes;
    res->quantum = s->quantum;
    res->seed = s->cfg->seed;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int run_program(const struct run_config *cfg, int argc, char *const argv[], struct run_summary *res,
                char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (argc < 1 || !argv[0]) {
        snprintf(err, errlen, "no program to run");
        return -1;
    }
    struct sys *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->program = argv[0];
    s->swap_slot = -1;
    double t0 = wall_seconds();
    int rc = sys_build(s, cfg, err, errlen);
    const struct run_watch *w = rc == 0 ? cfg->watch : NULL;
    if (w && w->start)
        w->start(w->arg, s->m, s->k);
    if (rc == 0)
        rc = start_program(s, argc, argv, err, errlen);
    if (rc == 0)
        sched_run(s);
    if (w && w->end)
        w->end(w->arg);
    if (rc == 0) {
        collect(s, res, wall_seconds() - t0);
        if (systrace_close(s, res->trace_error, sizeof res->trace_error))
            res->trace_failed = true;
    } else {
        systrace_discard(s);
        /* as env(1): 127 the program was not found, 126 it cannot be run,
         * 125 vmlab itself failed */
        res->status = rc == -ENOENT ? 127 : rc == -EACCES || rc == -ENOEXEC || rc == -ENOTDIR ? 126
                                                                                             : 125;
    }
    sys_destroy(s);
    free(s);
    return rc ? -1 : 0;
}

void run_summary_free(struct run_summary *res)
{
    free(res->procs);
    res->procs = NULL;
    res->nprocs = 0;
}
