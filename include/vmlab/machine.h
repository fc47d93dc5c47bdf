/* vmlab/machine.h — the simulated machine: CPUs, walker, faults, invalidation.
 *
 * A machine has one architecture (x86-64 or RISC-V), physical memory, and N
 * CPUs, each with its own control registers and TLB hierarchy. It knows
 * nothing of any kernel except the fault handler registered with
 * machine_set_fault_handler, exactly as a CPU knows only its trap vector.
 *
 * Threads. Each CPU is driven by one host thread at a time: that thread
 * calls cpu_attach() before and cpu_detach() after using it, and in between
 * only it calls the cpu_* functions for that CPU. Shootdowns (modelled on
 * IPIs) are the only way another thread acts on a CPU's TLB: the target
 * handles the request at its next access, while waiting for its own
 * shootdowns, or, if no thread drives it, the sender handles it in its place.
 *
 * Faults. An access that faults calls the fault handler on the same thread
 * (the kernel runs on the faulting CPU). If the handler answers
 * FAULT_RETRY the access is retried; if it answers FAULT_FAIL, or if there is
 * no handler, the access function returns -1 and cpu_last_fault() describes
 * the fault.
 */
#ifndef VMLAB_MACHINE_H
#define VMLAB_MACHINE_H

#include <vmlab/physmem.h>
#include <vmlab/pt.h>
#include <vmlab/stats.h>
#include <vmlab/tlb.h>
#include <vmlab/types.h>

#define VM_MAX_CPUS 64
typedef uint64_t cpumask_t;   /* bit i: CPU i */

struct machine;
struct cpu;

/* ---- faults ---------------------------------------------------------- */

enum fault_type {
    FAULT_PAGE,   /* x86 #PF; RISC-V instruction/load/store page fault */
    FAULT_GP,     /* x86 #GP(0): non-canonical address (no CR2 write) */
    FAULT_BUS,    /* the translation is fine but names no memory: a page
                     maps physical addresses beyond physical memory (a
                     machine check on real hardware). Not passed to the
                     fault handler: the access just returns -1. */
    /* Software TLB refill only (machine_config.tlb_refill): */
    FAULT_TLB_REFILL,   /* no TLB entry for the address (MIPS TLB Refill) */
    FAULT_TLB_MODIFIED, /* a store through an entry without D (MIPS TLB Modified) */
};

/* x86 #PF error code bits (SDM 4.7). */
enum {
    PF_P    = 1u << 0,   /* 0: not present; 1: protection or reserved bit */
    PF_W    = 1u << 1,   /* the access was a write */
    PF_U    = 1u << 2,   /* the access was made in user mode */
    PF_RSVD = 1u << 3,   /* a reserved bit was set */
    PF_ID   = 1u << 4,   /* instruction fetch (only with NXE or SMEP) */
    PF_PK   = 1u << 5,   /* protection-key violation */
};

/* RISC-V exception causes (scause). */
enum {
    RV_CAUSE_FETCH_PAGE_FAULT = 12,
    RV_CAUSE_LOAD_PAGE_FAULT  = 13,
    RV_CAUSE_STORE_PAGE_FAULT = 15,
};

struct vm_fault {
    enum fault_type type;
    vaddr_t addr;            /* CR2 / stval: the faulting address (the page's
                                first byte touched, for a page-crossing access) */
    enum vm_access access;
    enum vm_priv priv;
    uint32_t error_code;     /* x86: PF_* bits; 0 for #GP */
    unsigned cause;          /* RISC-V: 12, 13 or 15 */
    /* Decoded, both architectures: */
    bool not_present;        /* no valid entry on the path (x86 P=0, RISC-V V=0) */
    bool reserved;           /* a reserved bit or encoding (incl. misaligned superpage) */
    unsigned level;          /* level of the entry where the walk stopped */
};

enum fault_action { FAULT_RETRY, FAULT_FAIL };
typedef enum fault_action (*fault_handler_fn)(struct cpu *cpu, const struct vm_fault *f, void *arg);

/* ---- the machine ------------------------------------------------------ */

/* Who fills the TLB on a miss: the hardware page walker (x86, RISC-V), or
 * the kernel, as on MIPS: a miss in every TLB level traps to the fault
 * handler (FAULT_TLB_REFILL), which finds the translation in a structure
 * of its own and writes it with cpu_tlb_write_random/_indexed. */
enum tlb_refill { TLB_REFILL_HARDWARE, TLB_REFILL_SOFTWARE };

struct machine_config {
    enum pt_arch arch;
    unsigned xlen;                /* 64 (0 means 64), or 32: an IA-32 processor (32-bit
                                     paging only, SDM vol. 3A 4.3) or an RV32 hart (Sv32) */
    unsigned ncpus;               /* 1 .. VM_MAX_CPUS */
    uint64_t mem_bytes;           /* simulated physical memory */
    unsigned maxphyaddr;          /* x86 MAXPHYADDR (default 46 when 0) */
    bool no_gbpages;              /* x86: 1 GiB pages unsupported (PS in PDPTE reserved) */
    struct tlb_config tlb;        /* every CPU's TLB hierarchy */
    enum tlb_refill tlb_refill;   /* hardware walks (default) or software refill, which needs
                                     an L2 TLB: the TLB software writes */
};

/* Defaults: 1 CPU, 64 MiB, MAXPHYADDR 46, 1 GiB pages, the "golden-cove"
 * TLB for x86 and "zen4" for RISC-V. */
void machine_config_default(struct machine_config *cfg, enum pt_arch arch);

struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen);
void machine_destroy(struct machine *m);

struct physmem *machine_physmem(struct machine *m);
const struct machine_config *machine_config(const struct machine *m);
unsigned machine_ncpus(const struct machine *m);
struct cpu *machine_cpu(struct machine *m, unsigned index);

void machine_set_fault_handler(struct machine *m, fault_handler_fn fn, void *arg);

/* Sum of every CPU's counters. Safe while CPUs run (each counter is read
 * atomically; the sum is not a single instant). */
void machine_stats(struct machine *m, struct cpu_stats *out);

/* Invalidate [start, end) of PCID/ASID `asid` (and global entries of those
 * pages) on every CPU in `targets`, and return when all have done it. `self`
 * is the calling CPU if the caller drives one (it handles its own part
 * directly, and keeps handling requests sent to it while it waits, so two
 * CPUs shooting each other down never deadlock), or NULL. end - start of
 * more than 33 pages flushes the whole PCID/ASID instead, as Linux does.
 * Page-walk-cache entries of the ASID are always dropped. */
void machine_shootdown(struct machine *m, struct cpu *self, cpumask_t targets,
                       uint16_t asid, vaddr_t start, vaddr_t end);

/* ---- a CPU ------------------------------------------------------------ */

unsigned cpu_index(const struct cpu *cpu);
struct machine *cpu_machine(struct cpu *cpu);

void cpu_attach(struct cpu *cpu);   /* this thread drives the CPU from now on */
void cpu_detach(struct cpu *cpu);

/* Handle pending shootdown requests now (the CPU also does this at every
 * access). */
void cpu_poll(struct cpu *cpu);

void cpu_set_priv(struct cpu *cpu, enum vm_priv priv);
enum vm_priv cpu_priv(const struct cpu *cpu);

/* The fault that made the last access fail. */
const struct vm_fault *cpu_last_fault(const struct cpu *cpu);

/* Per-CPU counters. */
void cpu_stats(const struct cpu *cpu, struct cpu_stats *out);
void cpu_stats_reset(struct cpu *cpu);

/* User data: an opaque pointer for the kernel (e.g. the running process). */
void cpu_set_user(struct cpu *cpu, void *p);
void *cpu_user(const struct cpu *cpu);

/* -- x86 control state (SDM vol. 3A 2.5, 4.10.4) -- */
#define X86_CR0_WP    (1ull << 16)
#define X86_CR4_PSE   (1ull << 4)
#define X86_CR4_PAE   (1ull << 5)
#define X86_CR4_PGE   (1ull << 7)
#define X86_CR4_LA57  (1ull << 12)
#define X86_CR4_PCIDE (1ull << 17)
#define X86_CR4_SMEP  (1ull << 20)
#define X86_CR4_SMAP  (1ull << 21)
#define X86_CR4_PKE   (1ull << 22)
#define X86_EFER_NXE  (1ull << 11)
#define X86_CR3_NOFLUSH (1ull << 63)

/* MOV to CR3, with PCID and no-flush semantics. Returns -1 (#GP) for bit
 * 63 set while CR4.PCIDE = 0, or address bits above MAXPHYADDR (on a
 * 32-bit machine: above bit 31). */
int cpu_write_cr3(struct cpu *cpu, uint64_t value);
uint64_t cpu_read_cr3(const struct cpu *cpu);
/* MOV to CR4: toggling PGE or clearing PCIDE flushes everything; setting
 * SMEP flushes the current PCID. Returns -1 (#GP) for setting PCIDE with
 * CR3[11:0] != 0. LA57 selects 5-level paging (set it before CR3). On a
 * 32-bit machine (32-bit paging), PSE enables 4 MiB pages, and PAE, PCIDE,
 * LA57 and PKE cannot be set (-1): vmlab's IA-32 processor has none of
 * them (PAE paging is not modelled). */
int cpu_write_cr4(struct cpu *cpu, uint64_t value);
uint64_t cpu_read_cr4(const struct cpu *cpu);
void cpu_write_cr0(struct cpu *cpu, uint64_t value);
void cpu_write_efer(struct cpu *cpu, uint64_t value);
void cpu_set_ac(struct cpu *cpu, bool ac);        /* EFLAGS.AC (SMAP override) */
void cpu_write_pkru(struct cpu *cpu, uint32_t pkru);
void cpu_invlpg(struct cpu *cpu, vaddr_t va);
/* INVPCID type 0-3. Returns -1 (#GP) for a bad type, or type 0 with a
 * non-canonical address; -1 (#UD) on a 32-bit machine. */
int cpu_invpcid(struct cpu *cpu, unsigned type, uint16_t pcid, vaddr_t va);

/* -- RISC-V control state (privileged spec, supervisor chapter) -- */
#define RV_SATP_MODE_BARE 0ull
#define RV_SATP_MODE_SV39 8ull
#define RV_SATP_MODE_SV48 9ull
#define RV_SATP_MODE_SV57 10ull
static inline uint64_t rv_satp(uint64_t mode, uint16_t asid, paddr_t root)
{
    return mode << 60 | (uint64_t)asid << 44 | root >> 12;
}
/* An RV32 hart's satp: MODE in bit 31 (0 Bare, 1 Sv32), ASID in 30:22,
 * PPN in 21:0 (a root below 2^34). */
#define RV_SATP32_MODE_BARE 0ull
#define RV_SATP32_MODE_SV32 1ull
static inline uint64_t rv_satp32(uint64_t mode, uint16_t asid, paddr_t root)
{
    return mode << 31 | (uint64_t)(asid & 0x1ff) << 22 | (root >> 12 & 0x3fffff);
}
/* Writing satp does not flush. An unsupported MODE leaves satp unchanged
 * (returns -1); on a 32-bit machine satp is 32 bits, in the layout above
 * (-1 for a value with bits above 31). */
int cpu_write_satp(struct cpu *cpu, uint64_t value);
uint64_t cpu_read_satp(const struct cpu *cpu);
void cpu_set_sum(struct cpu *cpu, bool sum);     /* sstatus.SUM */
void cpu_set_mxr(struct cpu *cpu, bool mxr);     /* sstatus.MXR */
/* menvcfg.ADUE: true (default) = Svadu, hardware sets A/D; false = Svade,
 * a missing A (or D on a store) raises a page fault. */
void cpu_set_adue(struct cpu *cpu, bool adue);
/* SFENCE.VMA rs1, rs2: has_va false = rs1 is x0; has_asid false = rs2 is x0. */
void cpu_sfence_vma(struct cpu *cpu, bool has_va, vaddr_t va, bool has_asid, uint16_t asid);

/* -- Both: the current address space -- */
const struct pt_format *cpu_format(const struct cpu *cpu);  /* NULL: paging off */
uint16_t cpu_asid(const struct cpu *cpu);                   /* PCID / ASID in use */
paddr_t cpu_root(const struct cpu *cpu);

/* -- Accesses -- */

/* Translate va for an access of kind `acc` through the TLBs, walking and
 * faulting as the access would. 0 and *pa, or -1 (see cpu_last_fault). */
int cpu_translate(struct cpu *cpu, vaddr_t va, enum vm_access acc, paddr_t *pa);

/* Loads, stores and fetches of 1, 2, 4 or 8 bytes (little-endian), and of
 * blocks. An access that crosses a page boundary translates both pages
 * (all before any byte is stored). 0 on success, -1 on an unhandled fault. */
int cpu_load(struct cpu *cpu, vaddr_t va, unsigned size, uint64_t *val);
int cpu_store(struct cpu *cpu, vaddr_t va, unsigned size, uint64_t val);
int cpu_fetch(struct cpu *cpu, vaddr_t va, unsigned size, uint64_t *val);
int cpu_read(struct cpu *cpu, vaddr_t va, void *buf, size_t len);
int cpu_write(struct cpu *cpu, vaddr_t va, const void *buf, size_t len);

/* An access with no data: translate, set A/D, count, fault as a load,
 * store or fetch of `size` bytes would. Trace replay uses this. */
int cpu_touch(struct cpu *cpu, vaddr_t va, unsigned size, enum vm_access acc);

/* Many accesses in one call, for drivers that have them at hand (trace
 * replay, benchmarks): exactly what calling cpu_load (resp. cpu_touch) on
 * each in order does -- the same values, faults, TLB and replacement state,
 * counters and shootdown service -- but a run of TLB hits costs a fraction
 * of as many calls. Returns how many accesses were done: n, or the index
 * of the first access that failed (as the single call returning -1; the
 * accesses before it are done, none after it). cpu_load_many's size is
 * 1, 2, 4 or 8, as cpu_load's. */
struct cpu_ref {
    vaddr_t va;
    uint32_t size;           /* bytes, as cpu_touch's (0 counts as 1) */
    uint32_t acc;            /* enum vm_access */
};
size_t cpu_load_many(struct cpu *cpu, const vaddr_t *va, size_t n, unsigned size, uint64_t *vals);
size_t cpu_touch_many(struct cpu *cpu, const struct cpu_ref *refs, size_t n);

/* -- The software-managed TLB (machine_config.tlb_refill = TLB_REFILL_SOFTWARE) --
 *
 * There is no hardware walker. An access that finds no entry in any TLB
 * level raises FAULT_TLB_REFILL (addr: the address, MIPS's BadVAddr) to the
 * fault handler, whose refill handler finds the translation in a structure
 * of its own and writes an entry into the L2 TLB -- the TLB software sees,
 * MIPS's JTLB -- with the operations below, then answers FAULT_RETRY (or
 * FAULT_FAIL when it has nothing: the kernel's page fault is its own
 * business). The L1 arrays are micro-TLBs the machine refills from the L2
 * as on a hardware-walk machine. On a hit:
 *  - a store through an entry without D raises FAULT_TLB_MODIFIED (MIPS's
 *    TLB Modified): the handler records the page dirty and rewrites the
 *    entry with D, so the OS tracks dirtiness;
 *  - an access the entry's rights do not allow raises FAULT_PAGE, with the
 *    architecture's error code / cause for a protection fault at level 0.
 * Entries are tagged with the ASID of CR3/satp (the root is unused), and
 * INVLPG, INVPCID, SFENCE.VMA, CR3 writes and shootdowns invalidate them as
 * usual. Every operation below returns -1 on a hardware-walk machine. */
struct cpu_tlb_entry {
    vaddr_t va;              /* an address in the page (read: the entry's first byte) */
    paddr_t pa;              /* physical base of the page (aligned to its size) */
    unsigned page_shift;     /* log2 of the page size: one of the format's (12, 21, 30; 22) */
    unsigned prot;           /* VM_PROT_READ/WRITE/EXEC/USER; VM_PROT_GLOBAL: matches every ASID */
    bool dirty;              /* D: stores go through without FAULT_TLB_MODIFIED */
    bool valid;              /* false: an indexed write clears the slot */
    uint16_t asid;           /* read: the entry's ASID; ignored on writes (the current one) */
};
/* Entries of the L2 TLB, indexed array by array, set by set, way by way. */
unsigned cpu_tlb_entries(const struct cpu *cpu);
/* TLBWR: write e where the L2's replacement chooses (the page's own entry,
 * refreshed in place, if it has one). Returns the index written, or -1 for
 * an invalid entry, a page size the format lacks, a misaligned pa, or a
 * size no L2 array holds (pieces as on a hardware fill). */
int cpu_tlb_write_random(struct cpu *cpu, const struct cpu_tlb_entry *e);
/* TLBWI: write e at `index` (which must lie in the set e's page maps to);
 * an invalid e clears the slot. -1 for a bad index, the wrong set, or a
 * write that would make two entries match one address. */
int cpu_tlb_write_indexed(struct cpu *cpu, unsigned index, const struct cpu_tlb_entry *e);
/* TLBP: the index of the L2 entry translating va under the current ASID
 * (or a global one), or -1. Changes no replacement state. */
int cpu_tlb_probe(struct cpu *cpu, vaddr_t va);
/* TLBR: the entry at index (valid false if the slot is empty); 0 or -1. */
int cpu_tlb_read(struct cpu *cpu, unsigned index, struct cpu_tlb_entry *out);

/* ---- the walker, for tests and tools ------------------------------------ */

/* The control state that shapes one walk. */
struct walk_env {
    const struct pt_format *fmt;
    paddr_t root;
    enum vm_priv priv;
    unsigned maxphyaddr;      /* x86 */
    bool gbpages;             /* x86: 1 GiB pages supported */
    bool pse;                 /* x86 CR4.PSE: 4 MiB pages in 32-bit paging (ia32) */
    bool wp, nxe, smep, smap, ac, pke;   /* x86 CR0.WP, EFER.NXE, CR4.SMEP/SMAP, EFLAGS.AC, CR4.PKE */
    uint32_t pkru;
    bool sum, mxr, adue;      /* RISC-V */
};

struct walk_result {
    paddr_t pa;               /* the translated address */
    paddr_t page_base;        /* physical base of the page */
    unsigned level;           /* leaf level: 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, ... */
    unsigned prot;            /* VM_PROT_* combined over the levels */
    bool global;
    bool dirty;               /* leaf D is set (a write walk sets it) */
    unsigned refs;            /* entries read, A/D updates not counted */
    unsigned ad_updates;      /* successful A/D compare-and-swaps */
    unsigned restarts;        /* walks restarted after a lost compare-and-swap */
    paddr_t leaf_pte;         /* physical address of the leaf entry */
    unsigned pkey;            /* x86 protection key of the leaf */
};

/* Walk the tables for one access, with the A/D updates a real walk makes.
 * 0 and *res, or -1 and *fault. */
int pt_walk(struct physmem *pm, const struct walk_env *env, vaddr_t va,
            enum vm_access acc, struct walk_result *res, struct vm_fault *fault);

#endif
