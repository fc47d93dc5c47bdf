/* run_opts.c — the options of a running program (see run_opts.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/run_opts.h"

const struct option run_long_options[] = {
    {"cpus", required_argument, NULL, RUN_OPT_CPUS},
    {"quantum", required_argument, NULL, RUN_OPT_QUANTUM},
    {"root", required_argument, NULL, RUN_OPT_ROOT},
    {"abi", required_argument, NULL, RUN_OPT_ABI},
    {"max-insns", required_argument, NULL, RUN_OPT_MAX_INSNS},
    {"fs", required_argument, NULL, RUN_OPT_FS},
    {"trace-out", required_argument, NULL, RUN_OPT_TRACE_OUT},
    {"strace", no_argument, NULL, RUN_OPT_STRACE},
    {0},
};

const char run_options_help[] =
    "      --cpus N          simulated CPUs (default 1); processes are spread over them\n"
    "      --quantum N       instructions a CPU runs per turn (default 1000000: 1 ms of\n"
    "                        virtual time); the end of a turn is a timer interrupt\n"
    "      --root DIR        every path the guest names is inside DIR (as a chroot;\n"
    "                        default: the host's files with your rights, as qemu-user)\n"
    "      --abi NAME        the system-call personality (default linux)\n"
    "      --max-insns N     kill every process (SIGXCPU) after N instructions in all\n";

const char *const run_meaningless_options[] = {"format", "refs", "skip-bad", "limit",
                                               "no-progress", "opt-ties", NULL};

bool run_opts_meaningless(const char *name, const char *cmd)
{
    for (int i = 0; run_meaningless_options[i]; i++)
        if (!strcmp(name, run_meaningless_options[i])) {
            fprintf(stderr, "vmlab %s: --%s has no meaning for a running program%s\n", cmd, name,
                    !strcmp(name, "opt-ties") ? " (--policy opt needs --trace-out and replay)" : "");
            return true;
        }
    return false;
}

bool run_opts_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--run"))
            return true;
    return false;
}

int run_opts_handle(struct run_config *rc, int c, const char *arg, const char *cmd)
{
    uint64_t v;
    switch (c) {
    case RUN_OPT_CPUS:
        if (parse_u64(arg, &v) || v < 1 || v > VM_MAX_CPUS) {
            fprintf(stderr, "vmlab %s: --cpus '%s' is not valid: expected 1 to %d\n", cmd, arg,
                    VM_MAX_CPUS);
            return -1;
        }
        rc->ncpus = (unsigned)v;
        return 1;
    case RUN_OPT_QUANTUM:
    case RUN_OPT_MAX_INSNS:
        if (parse_u64(arg, &v) || v < 1) {
            fprintf(stderr, "vmlab %s: --%s '%s' is not valid: expected a positive number of "
                            "instructions\n", cmd, c == RUN_OPT_QUANTUM ? "quantum" : "max-insns",
                    arg);
            return -1;
        }
        *(c == RUN_OPT_QUANTUM ? &rc->quantum : &rc->max_insns) = v;
        return 1;
    case RUN_OPT_ROOT:
        rc->root = arg;
        return 1;
    case RUN_OPT_FS:
        rc->fs = arg;
        return 1;
    case RUN_OPT_ABI:
        for (int i = 0; run_abi_names[i]; i++)
            if (!strcmp(arg, run_abi_names[i])) {
                rc->abi = run_abi_names[i];
                return 1;
            }
        fprintf(stderr, "vmlab %s: --abi '%s' is not valid: expected", cmd, arg);
        for (int i = 0; run_abi_names[i]; i++)
            fprintf(stderr, "%s %s", i ? "," : "", run_abi_names[i]);
        fprintf(stderr, "\n");
        return -1;
    }
    return 0;
}

static void configure(struct run_config *rc, const struct replay_opts *o)
{
    rc->fmt = o->cfg.fmt;
    rc->tlb = o->cfg.tlb;
    rc->tlb_name = o->tlb_geometry ? "custom" : o->tlb_set ? o->tlb_preset
                 : o->cfg.fmt->arch == PT_ARCH_X86 ? "golden-cove" : "zen4";
    rc->tlb_refill = o->cfg.tlb_refill;
    rc->sw_pt = o->cfg.sw_pt;
    rc->sw_pt_entries = o->cfg.sw_pt_entries;
    rc->frames = o->cfg.frames;
    rc->policy = o->cfg.policy;
    rc->thp = o->cfg.thp;
    rc->swap_bytes = o->cfg.swap_bytes;
    rc->swap_path = o->cfg.swap_path;
    rc->swap_overwrite = o->cfg.swap_overwrite;
    rc->seed = o->cfg.seed;
}

int run_opts_finish(struct replay_opts *o, struct run_config *rc, const char *cmd)
{
    if (!replay_opts_given(o, "pt"))
        o->cfg.fmt = pt_format(PT_SV39);   /* before finish picks the TLB preset by architecture */
    if (!replay_opts_given(o, "frames") && !replay_opts_given(o, "mem"))
        o->cfg.frames = RUN_DEFAULT_FRAMES;
    if (replay_opts_finish(o, cmd))
        return -1;
    configure(rc, o);
    return 0;
}

void run_opts_table(struct option *table, size_t cap, bool run, const struct option *extra)
{
    size_t n = options_append(table, 0, cap, replay_long_options, SIZE_MAX);
    if (run)
        n = options_append(table, n, cap, run_long_options, SIZE_MAX);
    if (extra)
        options_append(table, n, cap, extra, SIZE_MAX);
}

int run_opts_take(struct replay_opts *o, struct run_config *rc, bool *strace, int c,
                  const char *arg, const char *cmd)
{
    if (!rc)
        return replay_opts_handle(o, c, arg, cmd);
    char where[32];   /* as the user asked for the run: "run", "step --run" */
    snprintf(where, sizeof where, "%s%s", cmd, strcmp(cmd, "run") ? " --run" : "");
    for (const struct option *x = replay_long_options; x->name; x++)   /* -f is --format too */
        if (x->val == c && run_opts_meaningless(x->name, where))
            return -1;
    if (c == RUN_OPT_TRACE_OUT) {
        rc->trace_out = arg;
        return 1;
    }
    if (c == RUN_OPT_STRACE) {
        *strace = true;
        return 1;
    }
    int h = run_opts_handle(rc, c, arg, cmd);
    return h ? h : replay_opts_handle(o, c, arg, cmd);
}

/* A run "was killed", for a sweep, when the kernel killed one of its
 * processes (out of swap, a refused access, the instruction limit): what
 * a replay's killed process means. A signal one process sends another is
 * the program's own business. */
void run_summary_as_replay(const struct run_summary *rs, struct replay_result *res)
{
    memset(res, 0, sizeof *res);
    res->cpu = rs->cpu;
    res->vm = rs->vm;
    res->records = rs->cpu.v[CPU_STAT_ACCESSES];
    res->seconds = rs->seconds;
    res->eat_ns = rs->eat_ns;
    res->interrupted = rs->interrupted;
    res->ncpus = rs->ncpus;
    res->instructions = rs->instret;
    for (size_t i = 0; i < rs->nprocs && !res->killed; i++) {
        const struct run_proc *p = &rs->procs[i];
        if (p->ended && p->signaled && p->killer == 0) {
            res->killed = true;
            snprintf(res->kill_msg, sizeof res->kill_msg, "pid %d (%s): %s", p->pid, p->comm,
                     p->why[0] ? p->why : "killed");
        }
    }
}
