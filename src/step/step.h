/* step.h — one access at a time: everything the machine and the kernel did
 * for it, as `vmlab step` prints it and `vmlab explore` shows it.
 *
 * A recorder is a CPU's observer (vmlab/observe.h) that keeps the events of
 * the current step, in the order they happened: the TLB lookups, the walk
 * entry by entry, the fault, the kernel's finding and action, the policy's
 * looks at frames, the eviction, the invalidations, the fills. A step is
 * one trace record (or, for a program, one access of an instruction).
 * step_text.c and step_json.c print a step; docs/step.md describes both
 * forms.
 */
#ifndef VMLAB_STEP_STEP_H
#define VMLAB_STEP_STEP_H

#include <signal.h>
#include <stdio.h>

#include <vmlab/observe.h>
#include <vmlab/run.h>
#include <vmlab/trace.h>

/* What a step's printer needs to know of the system. */
struct step_ctx {
    const struct pt_format *fmt;
    bool has_l2;                   /* the CPUs have an L2 TLB */
    bool no_insn;                  /* a run trace's steps: no instruction is known */
};

/* The instruction that made a program's access (vmlab step --run). */
struct step_insn {
    bool valid;
    uint64_t pc;
    uint32_t bits;                 /* the instruction word (a compressed one: 16 bits) */
    unsigned len;                  /* 2 or 4 */
    char text[64];                 /* its disassembly, if known ("" otherwise) */
};

struct step {
    uint64_t n;                    /* 1-based: the n-th access */
    unsigned cpu;
    int pid;                       /* a program's process (vmlab step --run); 0: not told */
    bool copy;                     /* the kernel's copy to or from user memory for the
                                      system call at insn.pc (vmlab step --run) */
    struct trace_record rec;       /* the access, as the CPU made it */
    struct step_insn insn;
    bool ok;                       /* false: the access killed the process */
    const struct vm_event *const *ev;   /* the events, in order */
    size_t nev;
    bool truncated;                /* more events came than a recorder keeps */
};

/* The events of the step in progress. */
struct step_recorder {
    struct vm_observer obs;
    char *arena;                   /* the events, each of its own size, aligned */
    size_t used, cap;
    const struct vm_event **ev;
    size_t nev, evcap;
    bool truncated;
};

#define STEP_MAX_EVENTS 100000     /* a step keeps this many events at most */

void step_recorder_init(struct step_recorder *r);
void step_recorder_free(struct step_recorder *r);
/* Watch cpu from now on (NULL: stop watching the CPU it watched). */
void step_recorder_attach(struct step_recorder *r, struct cpu *cpu);
/* Forget the events so far: a new step begins. */
void step_recorder_reset(struct step_recorder *r);
/* The step's events into s (valid until the next reset). */
void step_recorder_fill(const struct step_recorder *r, struct step *s);

/* ---- a program's run, step by step (step_run.c) ----
 *
 * A runner is a run's watcher (vmlab/run.h) that cuts the events of every
 * CPU into steps, one per access the run makes (what a run trace holds:
 * the instructions' fetch lookups, loads, stores and AMOs, and the system
 * calls' copies), each with the instruction that made it: its pc, bits and
 * disassembly. A step's events are those from its access to the next
 * access (what the kernel did after it, a context switch's flush, belongs
 * to it); the events before the first access (the program's exec) belong
 * to the first step. */
struct step_runner {
    uint64_t from;                 /* the first step handed on (1-based) */
    /* The machine and the kernel are built (before the first step). */
    void (*start)(void *arg, struct machine *m, struct kernel *k);
    /* The state the first step handed on starts from (NULL: not wanted):
     * called with start when from is 1, else just before access `from`. */
    void (*first)(void *arg);
    /* Step s (from `from` on) is complete; false: no more (the run is
     * stopped through *stop). */
    bool (*step)(void *arg, const struct step *s);
    void *arg;
    volatile sig_atomic_t *stop;   /* the run's cfg->stop */
    /* the runner's own */
    struct run_watch watch;
    struct step_recorder rec;
    struct machine *m;
    uint64_t n;                    /* accesses so far */
    bool watching, pending, done;
    struct step cur;
    struct process *proc;          /* cur's address space */
};
/* Set r's start, step, arg, from and stop first; then cfg->watch =
 * step_runner_watch(r). */
const struct run_watch *step_runner_watch(struct step_runner *r);
void step_runner_free(struct step_runner *r);

/* Which steps `--only` keeps. */
enum step_only { STEP_ALL, STEP_FAULTS, STEP_MISSES, STEP_EVICTIONS };
bool step_matches(const struct step *s, enum step_only only);
/* "faults", "misses", "evictions": 0 and *out, or -1. */
int step_only_parse(const char *s, enum step_only *out);

/* Print a step: the text form (several lines) or one JSON object on one
 * line. Both return 0, or -1 if the stream failed. */
int step_print_text(FILE *out, const struct step_ctx *ctx, const struct step *s);
int step_print_json(FILE *out, const struct step_ctx *ctx, const struct step *s);

/* What the step's translations found: the level of the leaf that mapped
 * the access (0 if none did) and its physical address (false if none). */
unsigned step_leaf_level(const struct step *s, const struct pt_format *fmt);
bool step_result_pa(const struct step *s, uint64_t *pa);

/* The pieces the printers share (step_words.c). */
const char *step_access_name(enum vm_access acc);       /* "load", "store", "fetch" */
/* The name of a level's table, x86 "PML4", "PDPT", "PD", "PT" (ia32: "PD",
 * "PT"), RISC-V "VPN[3]" ... "VPN[0]". */
const char *step_level_name(const struct pt_format *fmt, unsigned level);
/* va split into the format's indices for a page of `leaf` level: "PML4[0]
 * PDPT[0] PD[3] PT[1] +0xa38". */
void step_split(const struct pt_format *fmt, vaddr_t va, unsigned leaf, char *buf, size_t len);
/* An entry's bits in words: "P W U A D" (x86), "V R W X U A D" (RISC-V). */
void step_pte_bits(const struct pt_format *fmt, uint64_t pte, unsigned level, char *buf, size_t len);
/* VM_PROT_* as "rwxu" with dashes. */
void step_prot(unsigned prot, char buf[8]);
/* The x86 error code's bits in words ("not present, write, user"). */
void step_error_code(uint32_t ec, char *buf, size_t len);

#endif
