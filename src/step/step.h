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

#include <stdio.h>

#include <vmlab/observe.h>
#include <vmlab/trace.h>

/* What a step's printer needs to know of the system. */
struct step_ctx {
    const struct pt_format *fmt;
    bool has_l2;                   /* the CPUs have an L2 TLB */
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
