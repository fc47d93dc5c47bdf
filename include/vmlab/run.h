/* vmlab/run.h — running real programs on vmlab's CPUs, MMU and kernel.
 *
 * run_program() builds a RISC-V machine with N CPUs, a kernel and the ISA,
 * loads a static RISC-V ELF program through the kernel's lazy loader, and
 * runs it, and every process it forks, to the end under a system-call
 * personality (the Linux one by default: `vmlab run`). Every instruction
 * fetch goes through an iTLB, every load and store through a dTLB, every
 * fault to the kernel. The result is the program's exit status, and the
 * counters of the machine and the kernel, in total and per process.
 *
 * The run is deterministic: one host thread interleaves the CPUs in fixed
 * quanta of instructions, time is virtual (one ns per instruction retired),
 * and random bytes come from cfg->seed, so the same configuration, program
 * and files give the same output and counters every time.
 *
 * The guest's standard input, output and error are the host descriptors
 * given (by default vmlab's own); its files are the host's, with the
 * user's rights, or only those under cfg->root.
 */
#ifndef VMLAB_RUN_H
#define VMLAB_RUN_H

#include <signal.h>
#include <stdio.h>

#include <vmlab/kernel.h>
#include <vmlab/machine.h>
#include <vmlab/pt.h>
#include <vmlab/tlb.h>

/* The default user pool: 1 GiB, enough that an ordinary program does not
 * swap (frames are host memory only once touched). */
#define RUN_DEFAULT_FRAMES (262144ull)
#define RUN_DEFAULT_QUANTUM 1000000ull   /* instructions: 1 ms of virtual time */
#define RUN_MAX_UNKNOWN 16               /* distinct unknown system calls reported */

struct run_config {
    const char *abi;               /* personality: "linux" (default) */
    /* the machine and the kernel (the options replay shares) */
    const struct pt_format *fmt;   /* page tables; NULL: the personality's (Linux: sv39) */
    struct tlb_config tlb;         /* every CPU's TLBs */
    enum tlb_refill tlb_refill;    /* hardware walks (default), or the kernel's refill handler */
    int sw_pt;                     /* enum kernel_sw_pt: what that handler reads */
    uint64_t sw_pt_entries;        /* hashed: its entries; 0: 2 per user frame */
    const char *tlb_name;          /* for the report: the preset's name */
    unsigned ncpus;                /* simulated CPUs, 1 .. VM_MAX_CPUS (default 1) */
    uint64_t frames;               /* user pool in 4 KiB frames; 0: RUN_DEFAULT_FRAMES */
    const char *policy;            /* replacement policy; NULL: clock ("opt" is refused) */
    bool thp;
    uint64_t swap_bytes;           /* swap device; 0: no swap */
    const char *swap_path;         /* NULL: an unlinked temporary file; a named one is created
                                      exclusively and removed at the end (kernel.h) */
    bool swap_overwrite;           /* swap_path may name an existing file (never the program) */
    uint64_t seed;                 /* getrandom, AT_RANDOM, the random policy */
    uint64_t quantum;              /* instructions per CPU turn; 0: RUN_DEFAULT_QUANTUM */
    uint64_t max_insns;            /* every process is killed (SIGXCPU) once the run has
                                      retired this many instructions; 0: no limit */
    /* the guest's world */
    const char *fs;                /* the PintOS personality's file system: a flat
                                      directory (--fs; required there, refused by
                                      the Linux personality) */
    const char *root;              /* every path the guest names is inside this
                                      directory; NULL: the host's file system
                                      (the Linux personality's --root) */
    int stdin_fd, stdout_fd, stderr_fd;   /* host descriptors behind 0, 1, 2 */
    char *const *envp;             /* the environment; NULL: vmlab's own */
    const char *trace_out;         /* write every access as a vmt trace; NULL: none */
    FILE *strace;                  /* every system call and its result, as strace; NULL: none */
    volatile sig_atomic_t *stop;   /* set asynchronously (Ctrl-C): end the run */
    const struct run_watch *watch; /* NULL: nobody watches */
};
void run_config_default(struct run_config *cfg);

/* Watching a run access by access (vmlab step --run, vmlab explore --run).
 * The accesses are the ones a run trace holds (--trace-out), in order:
 * every access rv_run makes (its trace hook: fetch lookups, loads, stores,
 * AMOs) and every system call's copy to or from user memory (exec's stack
 * among them), each told before it is made. The callbacks run on the
 * run's thread, with the CPU attached; they may read the machine and the
 * kernel (vmlab/observe.h), not change them. Watching makes every access
 * take the machine's memo path: the same results, slower. */
struct run_access {
    unsigned cpu;                  /* the CPU making it */
    struct process *proc;          /* the address space it is made in */
    int pid;
    vaddr_t va;
    uint64_t len;                  /* bytes (a copy: all of it) */
    enum vm_access acc;
    bool copy;                     /* the kernel's copy for the system call at pc */
    uint64_t pc;                   /* the instruction that makes it (an ecall for a copy;
                                      the instruction fetched, for a fetch lookup) */
};
struct run_watch {
    /* The machine and the kernel are built; nothing has run yet. */
    void (*start)(void *arg, struct machine *m, struct kernel *k);
    /* An access is about to be made (the one before it is complete). */
    void (*access)(void *arg, struct cpu *cpu, const struct run_access *a);
    /* The run is over, or the program could not be started (its last
     * access complete); the machine and the kernel are still there. */
    void (*end)(void *arg);
    void *arg;
};

/* Counters of the system-call layer. */
struct run_counts {
    uint64_t syscalls;             /* system calls served (restarts not counted) */
    uint64_t unknown;              /* of them, unknown to the personality (-ENOSYS) */
    uint64_t unknown_nr[RUN_MAX_UNKNOWN], unknown_n[RUN_MAX_UNKNOWN];   /* which, how often */
    unsigned nunknown;
    uint64_t handler_refused;      /* rt_sigaction handlers refused (-EINVAL) */
    uint64_t forks, execs;         /* execve calls that succeeded (the run's program not counted) */
    uint64_t switches;             /* a CPU changed the task it runs */
    uint64_t blocks;               /* a task blocked in a system call */
};

/* One process of a run (fork makes one; exec keeps it). */
struct run_proc {
    int pid, ppid;
    char comm[16];                 /* the executable's base name at its end */
    uint64_t instret;              /* instructions it retired */
    uint64_t syscalls;
    struct vmstat vm;              /* the kernel's counters for it */
    struct cpu_stats cpu;          /* the CPUs' counters while it ran (its
                                      system calls' accesses included) */
    bool ended;
    bool signaled;                 /* killed by a signal, else exited */
    int code;                      /* exit code, or the signal */
    int killer;                    /* the signal's sender's pid, 0: the kernel */
    char why[192];                 /* what killed it ("segv-write-ro: write at 0x10074") */
};

struct run_summary {
    int status;                    /* what vmlab exits with: the program's exit code,
                                      128 + signal if it was killed */
    struct run_proc *procs;        /* every process, in pid order (procs[0]: the program) */
    size_t nprocs;
    struct cpu_stats cpu;          /* the whole machine */
    struct vmstat vm;              /* the whole kernel */
    struct run_counts counts;
    uint64_t instret;              /* every process */
    uint64_t vtime_ns;             /* virtual time at the end */
    uint64_t cpu_busy[VM_MAX_CPUS];   /* instructions each CPU ran (the rest of vtime_ns it idled) */
    double seconds;                /* host wall time of the run */
    double eat_ns;                 /* not set by run_program: the caller's cost model
                                      (vmlab run: replay's, --cost) */
    bool deadlock;                 /* every process was blocked forever: they were killed */
    bool interrupted;              /* cfg->stop */
    bool limited;                  /* cfg->max_insns was reached: they were killed */
    bool trace_failed;             /* cfg->trace_out could not be written: */
    char trace_error[256];         /* why (the run itself is complete) */
    /* the configuration as it was made */
    char format[16], tlb[32], policy[24], abi[16];
    unsigned ncpus;
    uint64_t frames, swap_bytes, quantum, seed;
    uint64_t frames_used_max;      /* not tracked yet: 0 */
};

/* Run argv[0] with arguments argv[0..argc). 0 and *res (whatever the
 * program did), or -1 and a message: vmlab could not run it at all;
 * res->status then says why, as env(1) does: 127 the program was not
 * found, 126 it is not a program vmlab can run, 125 anything else (a bad
 * configuration). */
int run_program(const struct run_config *cfg, int argc, char *const argv[], struct run_summary *res,
                char *err, size_t errlen);
void run_summary_free(struct run_summary *res);

/* The report: like perf stat (text), one JSON object, or CSV (a header and
 * a row per process, then the total). 0, or -1 if writing failed. */
int run_report_text(FILE *f, const struct run_summary *r, const char *cmdline);
int run_report_json(FILE *f, const struct run_summary *r, const char *cmdline);
int run_report_csv(FILE *f, const struct run_summary *r);

/* The personalities' names, NULL-terminated. */
extern const char *const run_abi_names[];
/* Are personality abi's programs and files those of a file system of its
 * own (PintOS: --fs DIR, names inside it) rather than host paths (Linux)? */
bool run_abi_own_files(const char *abi);

#endif
