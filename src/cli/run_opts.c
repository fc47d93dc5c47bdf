/* run_opts.c — the options of `vmlab run`, shared with step --run and
 * explore --run (run_opts.h). */
#include "cli/run_opts.h"

#include <stdio.h>
#include <string.h>

enum {
    OPT_CPUS = 2000, OPT_QUANTUM, OPT_ROOT, OPT_TRACE_OUT, OPT_STRACE, OPT_ABI, OPT_MAX_INSNS,
};

const struct option run_long_options[] = {
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"quantum", required_argument, NULL, OPT_QUANTUM},
    {"root", required_argument, NULL, OPT_ROOT},
    {"trace-out", required_argument, NULL, OPT_TRACE_OUT},
    {"strace", no_argument, NULL, OPT_STRACE},
    {"abi", required_argument, NULL, OPT_ABI},
    {"max-insns", required_argument, NULL, OPT_MAX_INSNS},
    {0},
};

const char run_options_help[] =
    "      --cpus N          simulated CPUs (default 1); processes are spread over them\n"
    "      --quantum N       instructions a CPU runs per turn (default 1000000: 1 ms of\n"
    "                        virtual time); the end of a turn is a timer interrupt\n"
    "      --root DIR        every path the guest names is inside DIR (as a chroot;\n"
    "                        default: the host's files with your rights, as qemu-user)\n"
    "      --trace-out FILE  write every access (with its CPU and address space) as a\n"
    "                        vmt trace that 'vmlab replay' reproduces\n"
    "      --max-insns N     kill every process (SIGXCPU) after N instructions in all\n"
    "      --strace          print every system call and its result on stderr\n"
    "      --abi NAME        the system-call personality (default linux)\n";
_Static_assert(RUN_DEFAULT_QUANTUM == 1000000ull, "run_options_help says the default quantum");

/* Replay's options with no meaning for a running program. */
static const char *const meaningless[] = {"format", "refs", "skip-bad", "limit", "no-progress",
                                          "opt-ties", NULL};

bool run_opts_meaningless(const char *name, const char *cmd)
{
    for (int i = 0; meaningless[i]; i++)
        if (!strcmp(name, meaningless[i])) {
            fprintf(stderr, "vmlab %s: --%s has no meaning for a running program%s\n", cmd, name,
                    !strcmp(name, "opt-ties") ? " (--policy opt needs --trace-out and replay)" : "");
            return true;
        }
    return false;
}

int run_opts_handle(struct run_config *rc, bool *strace, int c, const char *arg, const char *cmd)
{
    uint64_t v;
    switch (c) {
    case OPT_CPUS:
        if (parse_u64(arg, &v) || v < 1 || v > VM_MAX_CPUS) {
            fprintf(stderr, "vmlab %s: --cpus '%s' is not valid: expected 1 to %d\n", cmd, arg,
                    VM_MAX_CPUS);
            return -1;
        }
        rc->ncpus = (unsigned)v;
        return 1;
    case OPT_QUANTUM:
    case OPT_MAX_INSNS:
        if (parse_u64(arg, &v) || v < 1) {
            fprintf(stderr, "vmlab %s: --%s '%s' is not valid: expected a positive number of "
                            "instructions\n", cmd, c == OPT_QUANTUM ? "quantum" : "max-insns", arg);
            return -1;
        }
        *(c == OPT_QUANTUM ? &rc->quantum : &rc->max_insns) = v;
        return 1;
    case OPT_ROOT:
        rc->root = arg;
        return 1;
    case OPT_TRACE_OUT:
        rc->trace_out = arg;
        return 1;
    case OPT_STRACE:
        *strace = true;
        return 1;
    case OPT_ABI:
        rc->abi = arg;
        return 1;
    default:
        return 0;
    }
}

/* The run's configuration from the shared options. */
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
