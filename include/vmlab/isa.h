/* vmlab/isa.h — a RISC-V RV64GC hart that executes on a vmlab CPU.
 *
 * The instruction set is user level RV64GC: RV64I, M, A, F, D, C, Zicsr
 * (fflags, frm, fcsr, cycle, time, instret) and Zifencei, as the RISC-V
 * unprivileged specification defines them. The ISA knows the machine only
 * through its CPU: every instruction fetch is a fetch access through the
 * iTLB of the CPU it runs on and every load, store and AMO a data access
 * through its dTLB, so TLB counters, A/D bits and page faults are the
 * machine's, and a fault is delivered to the machine's fault handler (the
 * kernel) on the calling thread exactly as for cpu_load/cpu_store. The ISA
 * knows nothing of system calls: ecall is a trap like any other, handed
 * back to the caller of rv_run.
 *
 * Objects.
 *   struct rv_sys   the ISA's state beside one machine: for each of its CPUs
 *                   the fetch unit (the translation it holds), a cache of
 *                   decoded instructions keyed by physical frame, and the
 *                   LR/SC reservation monitor. One per machine.
 *   struct rv_hart  one hardware thread's architectural state (registers,
 *                   pc, fcsr, instret): what a kernel saves and restores on a
 *                   context switch. Any number per machine; a hart runs on
 *                   one CPU at a time, the one passed to rv_run.
 *
 * Running. rv_run(h, cpu, n, &trap) executes instructions of h on cpu until
 * n instructions have retired (RV_STOP_BUDGET) or one traps (RV_STOP_TRAP:
 * ecall, ebreak, an illegal instruction, a misaligned atomic, or an access
 * the machine's fault handler refused). After a trap h->pc is the trapping
 * instruction (sepc): the caller decides where to resume (after an ecall,
 * at trap.pc + 4). A trapping instruction does not retire. The budget is a
 * simulation artifact, not an event of the machine: stopping for it changes
 * nothing, so a hart run in quanta of any size does what one long run does.
 * A scheduler that models a preemption as the timer interrupt it is on a
 * real machine calls rv_interrupt().
 *
 * Fetch and iTLB-loads (docs/isa.md has the full rules). The fetch unit of a
 * CPU holds the translation of one page. An instruction fetch performs a TLB
 * lookup (one fetch access: `accesses` and `iTLB-loads` each count one)
 * exactly when
 *   - the pc is on a page other than the one held (a sequential step or a
 *     branch into another page; an instruction that crosses a page boundary
 *     looks its second page up, and that page is then the one held), or
 *   - nothing is held: at the first rv_run of a hart on a CPU, after a trap
 *     or rv_interrupt(), after another hart ran on that CPU, and after
 *     anything flushed the CPU's TLB or wrote its control state (SFENCE.VMA,
 *     satp, a shootdown it served, a page fault that dropped entries).
 * No lookup happens while execution stays on the page held. The fetch unit
 * serves the CPU's pending shootdowns at every taken branch and every page
 * change, besides those every data access serves.
 *
 * Memory. Loads and stores of any alignment work; one that crosses a page
 * boundary translates both pages before any byte moves (as cpu_load and
 * cpu_store do). An AMO, LR and SC must be naturally aligned (otherwise the
 * trap is RV_EXC_STORE_MISALIGNED / RV_EXC_LOAD_MISALIGNED). LR is a load
 * access; SC and every AMO are one store access each (they need write
 * permission and fault as stores: cause 15).
 *
 * LR/SC. The reservation set is the naturally aligned 64-byte block holding
 * the address of the LR. The reservation is held by the CPU for the hart
 * that made it. It is lost when a hart running on another CPU of the same
 * rv_sys stores to the block (any store, AMO or successful SC), when the
 * hart traps or is interrupted, when another hart runs on the CPU, and at
 * every SC. An SC succeeds only with the reservation held, at the address
 * of the LR, and while memory still holds the value the LR read (which also
 * catches writes by the kernel, e.g. a system call's copy-out). The hart's
 * own stores do not break its reservation. Stopping for the budget keeps
 * it, so constrained LR/SC loops make progress with any quantum.
 *
 * Threads. The rv_sys is driven by one host thread: rv_run for any of its
 * CPUs, rv_interrupt and rv_sys_destroy are called from that thread (the
 * deterministic execution model: one thread interleaves the CPUs by
 * quanta). docs/isa.md says what a parallel mode would have to change.
 *
 * Floating point. Exact IEEE 754-2008 as the F and D chapters define it:
 * NaN-boxing, the canonical NaN, all five rounding modes (RMM too) static or
 * dynamic, accrued flags, saturating conversions, minimumNumber/
 * maximumNumber fmin/fmax. While rv_run executes guest floating point the
 * host's MXCSR holds the guest's rounding mode; vmlab's own MXCSR is
 * restored before any call out of the interpreter (the fault handler) and
 * before rv_run returns.
 */
#ifndef VMLAB_ISA_H
#define VMLAB_ISA_H

#include <vmlab/machine.h>
#include <vmlab/types.h>

struct rv_sys;

/* RISC-V exception codes (scause), as the trap reports them. */
enum {
    RV_EXC_FETCH_MISALIGNED = 0,   /* never raised: with C, every target is 2-byte aligned */
    RV_EXC_FETCH_ACCESS     = 1,   /* the fetch translated to no memory (FAULT_BUS) */
    RV_EXC_ILLEGAL          = 2,   /* tval = the instruction's bits (16 or 32) */
    RV_EXC_BREAKPOINT       = 3,   /* ebreak, c.ebreak; tval = pc */
    RV_EXC_LOAD_MISALIGNED  = 4,   /* LR not naturally aligned; tval = address */
    RV_EXC_LOAD_ACCESS      = 5,   /* a load translated to no memory */
    RV_EXC_STORE_MISALIGNED = 6,   /* SC or AMO not naturally aligned */
    RV_EXC_STORE_ACCESS     = 7,   /* a store or AMO translated to no memory */
    RV_EXC_ECALL_U          = 8,   /* ecall from user mode; tval = 0 */
    RV_EXC_FETCH_PAGE_FAULT = 12,  /* the fault handler refused the access; tval = address */
    RV_EXC_LOAD_PAGE_FAULT  = 13,
    RV_EXC_STORE_PAGE_FAULT = 15,
};

enum rv_stop {
    RV_STOP_BUDGET,    /* the instructions asked for have retired */
    RV_STOP_TRAP,      /* an instruction trapped: see struct rv_trap */
};

struct rv_trap {
    unsigned cause;          /* RV_EXC_* */
    uint64_t pc;             /* the trapping instruction (also left in h->pc) */
    uint64_t tval;           /* stval: faulting address, instruction bits, or 0 */
    /* For an access the machine refused (page faults, access faults):
     * the machine's fault (cpu_last_fault at the time); the kernel has
     * already seen it and, if it answered FAULT_FAIL, killed the process. */
    struct vm_fault fault;
};

/* fcsr fields (F chapter, "Floating-Point Control and Status Register"). */
enum {
    RV_FFLAG_NX = 1u << 0,   /* inexact */
    RV_FFLAG_UF = 1u << 1,   /* underflow */
    RV_FFLAG_OF = 1u << 2,   /* overflow */
    RV_FFLAG_DZ = 1u << 3,   /* divide by zero */
    RV_FFLAG_NV = 1u << 4,   /* invalid operation */
};
enum { RV_RM_RNE = 0, RV_RM_RTZ = 1, RV_RM_RDN = 2, RV_RM_RUP = 3, RV_RM_RMM = 4, RV_RM_DYN = 7 };

/* A hart's architectural state. The caller owns the structure and may read
 * and write every public field between calls of rv_run (a kernel reads the
 * system call's a7/a0..a5 and writes a0 and pc). During rv_run, at every
 * call out to the fault handler, x[], f[], pc (the instruction making the
 * access) and instret are current, so a kernel may read them there (the
 * stack pointer x[2], for example). */
struct rv_hart {
    uint64_t x[33];          /* x[0..31]; x[0] reads as 0. x[32] is where writes
                                to x0 go: scratch, never read */
    uint64_t f[32];          /* raw 64-bit registers: a single is NaN-boxed
                                (upper 32 bits all ones) */
    uint64_t pc;
    uint32_t fcsr;           /* frm in bits 7:5, fflags in 4:0 */
    uint64_t instret;        /* instructions retired; the cycle CSR reads the same */
    /* private to the ISA */
    struct rv_sys *sys;
    bool refetch;            /* a trap or interrupt: the fetch unit starts over */
};

/* Time for the time CSR (rdtime): the embedder's clock. The callback is
 * called on the rv_run thread with the hart whose instret is current; it
 * must not call back into rv_run. Without one, time reads the hart's
 * instret (one tick per instruction retired). */
typedef uint64_t (*rv_time_fn)(void *arg, const struct rv_hart *h);

struct rv_config {
    unsigned icache_pages;   /* decoded frames kept per CPU; 0 = 256 (12 MiB of
                                decoded instructions per CPU at most) */
};

/* The ISA's state for machine m (every one of its CPUs). NULL and a message
 * on failure. The machine must outlive it. */
struct rv_sys *rv_sys_create(struct machine *m, const struct rv_config *cfg, char *err,
                             size_t errlen);
void rv_sys_destroy(struct rv_sys *s);
void rv_sys_set_time(struct rv_sys *s, rv_time_fn fn, void *arg);

/* Reset h: all registers zero, fcsr 0, instret 0, pc = entry, no
 * reservation. */
void rv_hart_init(struct rv_hart *h, struct rv_sys *s, uint64_t entry);

/* Execute h on cpu (a CPU of the machine of h's rv_sys, attached by the
 * calling thread, running the address space h belongs to) until
 * max_instructions have retired or an instruction traps. *trap is filled
 * for RV_STOP_TRAP. h->instret grows by the instructions retired. */
enum rv_stop rv_run(struct rv_hart *h, struct cpu *cpu, uint64_t max_instructions,
                    struct rv_trap *trap);

/* h was interrupted (for example the scheduler's timer tick that preempts
 * it): as on any trap, the fetch unit drops its translation and h loses its
 * reservation. */
void rv_interrupt(struct rv_hart *h);

/* Tracing: with a trace function set, rv_run reports every access it makes,
 * before making it, in order: each fetch lookup (acc VM_ACCESS_FETCH, size
 * 2, va the instruction's address or the next page's first byte), each
 * load and LR (VM_ACCESS_READ), each store, SC that accesses memory and AMO
 * (VM_ACCESS_WRITE), with the access's own size. Replaying the same
 * reports through cpu_touch on an identical machine and kernel gives the
 * same TLB state, counters and faults (tests/test_isa_machine.c). Tracing
 * makes every data access take the machine's memo path (slower, the same
 * results). NULL turns it off. */
typedef void (*rv_trace_fn)(void *arg, struct cpu *cpu, vaddr_t va, unsigned size,
                            enum vm_access acc);
void rv_sys_set_trace(struct rv_sys *s, rv_trace_fn fn, void *arg);

/* Counters of the ISA itself (the machine's are in cpu_stats). */
struct rv_stats {
    uint64_t decodes;            /* instructions decoded into the cache */
    uint64_t stale_decodes;      /* cached instructions found stale (their bytes
                                    changed) and decoded again */
    uint64_t decoded_frames;     /* frames given a decoded page */
    uint64_t frames_dropped;     /* decoded pages dropped to make room */
    uint64_t sc_failures;        /* SCs that failed */
};
void rv_sys_stats(const struct rv_sys *s, struct rv_stats *out);

/* The instruction whose low bits are raw (16 used if it is compressed),
 * at pc, in assembler syntax with ABI register names ("ld a0, 8(sp)"; a
 * compressed one as the instruction it expands to) into buf; returns its
 * length, 2 or 4. */
unsigned rv_disasm(uint32_t raw, uint64_t pc, char *buf, size_t len);

/* Name of an exception code ("ecall", "illegal-instruction", ...). */
const char *rv_exc_name(unsigned cause);

#endif
