/* vmlab/kernel.h — the kernel: processes, their address spaces, paging.
 *
 * The kernel runs on a machine (vmlab/machine.h) it is given. It owns the
 * machine's physical memory (split into a kernel pool and a user pool, as
 * PintOS's palloc), registers the machine's page-fault handler, and keeps
 * for every process a page-table root in simulated memory, a PCID/ASID, a
 * set of VMAs and a supplemental page table (SPT). Pages are loaded lazily:
 * nothing is mapped until it is touched.
 *
 * Running a process: a thread that drives a CPU (cpu_attach) calls
 * kernel_switch_to(cpu, p), then makes accesses with cpu_load / cpu_store /
 * cpu_touch / cpu_read / cpu_write. A fault calls into the kernel on that
 * thread; a valid fault is handled and the access retried, an invalid one
 * kills the process (kernel_process_state() == PROC_KILLED, with a reason)
 * and the access returns -1. The simulator goes on.
 *
 * Threads. Every function may be called from many threads at once, except
 * that kernel_process_exit(p) must not race with accesses of p (it refuses
 * with -EBUSY while a CPU has p loaded: switch every CPU away from p first)
 * and kernel_destroy with anything. A thread that drives a CPU must never
 * block the kernel waiting for itself: functions without a CPU argument use
 * the CPU the calling thread last passed to kernel_switch_to, so that while
 * they wait for a lock they still serve that CPU's TLB shootdowns. The
 * locking rules are in docs/DESIGN.md ("Kernel locking rules"); the design in
 * docs/kernel.md.
 *
 * Errors. Functions that can fail return a negative errno value (or NULL)
 * and, where they take one, write a message into err.
 */
#ifndef VMLAB_KERNEL_H
#define VMLAB_KERNEL_H

#include <vmlab/machine.h>
#include <vmlab/types.h>

struct kernel;
struct process;

/* ---- addresses (PintOS's layout) ----------------------------------------- */

#define KERNEL_USER_STACK 0x47480000ull   /* PintOS USER_STACK: top of the stack */
#define KERNEL_KERN_BASE  0x8004000000ull /* PintOS KERN_BASE: user space ends here */
#define KERNEL_CODE_BASE  0x400000ull     /* where PintOS links user code */

/* ---- statistics, named as in Linux's /proc/vmstat ------------------------ */

/* Why a process was killed. The name is what reports print. */
#define VMLAB_KILL_REASONS(X)                                                           \
    X(SEGV_UNMAPPED,   "segv-unmapped",   "access to an address no VMA or SPT entry covers") \
    X(SEGV_WRITE_RO,   "segv-write-ro",   "write to a read-only page")                  \
    X(SEGV_EXEC_NX,    "segv-exec-nx",    "instruction fetch from a non-executable page") \
    X(SEGV_PROT_NONE,  "segv-prot-none",  "access to a PROT_NONE mapping")              \
    X(SEGV_KERNEL_ADDR,"segv-kernel-addr","user access to a kernel address (>= user top)") \
    X(SEGV_NONCANON,   "segv-noncanonical","non-canonical address (#GP)")               \
    X(STACK_OVERFLOW,  "stack-overflow",  "stack access beyond the stack size cap")     \
    X(OOM_SWAP_FULL,   "oom-swap-full",   "no frame could be freed: swap device full")  \
    X(OOM_NO_FRAME,    "oom-no-frame",    "no frame could be freed: all pinned or busy") \
    X(OOM_KERNEL,      "oom-kernel",      "kernel pool exhausted (page-table pages)")   \
    X(SWAP_IO_ERROR,   "swap-io-error",   "swap device read failed")                    \
    X(SWAP_CORRUPT,    "swap-corrupt",    "swap slot checksum mismatch on swap-in")     \
    X(FILE_IO_ERROR,   "file-io-error",   "backing file read failed")                   \
    X(SIGBUS_EOF,      "sigbus-eof",      "access to a file page wholly past end of file (Linux SIGBUS)") \
    X(PAGEOUT_IO_ERROR,"pageout-io-error","no frame could be freed: writing pages out failed")

enum kill_reason {
    KILL_NONE = 0,
#define VMLAB_KILL_ENUM(id, name, desc) KILL_##id,
    VMLAB_KILL_REASONS(VMLAB_KILL_ENUM)
#undef VMLAB_KILL_ENUM
    KILL_NR
};
extern const char *const kill_reason_names[KILL_NR];   /* [KILL_NONE] = "none" */
extern const char *const kill_reason_descs[KILL_NR];

/* Counters. pgfault counts every fault the kernel handled (minor + major +
 * invalid), pgmajfault those that needed I/O (swap-in, file read). A "write
 * to disk" (pswpout, file_writeback) is counted only when a dirty page is
 * written; a page identical to its backing copy is dropped (pgdrop_clean). */
#define VMLAB_VMSTATS(X)                                                                     \
    X(PGFAULT,        "pgfault",        "page faults the kernel handled (minor + major + invalid); = page-faults")     \
    X(PGMAJFAULT,     "pgmajfault",     "faults that needed I/O (swap-in or file read)")     \
    X(PGMINFAULT,     "pgminfault",     "faults handled without I/O (zero fill, spurious)")  \
    X(PSWPIN,         "pswpin",         "pages read from swap")                              \
    X(PSWPOUT,        "pswpout",        "pages written to swap (dirty pages only)")          \
    X(PGSTEAL,        "pgsteal",        "pages reclaimed by eviction")                       \
    X(PGSCAN,         "pgscan",         "frames examined by the eviction policy")            \
    X(PGACTIVATE,     "pgactivate",     "pages moved to the active list (policies with lists)") \
    X(PGDEACTIVATE,   "pgdeactivate",   "pages moved to the inactive list")                  \
    X(PGDROP_CLEAN,   "pgdrop_clean",   "evicted pages dropped unwritten (same as backing copy)") \
    X(FILE_READ,      "file_read",      "pages read from backing files")                     \
    X(FILE_WRITEBACK, "file_writeback", "dirty file pages written back to their file")       \
    X(NR_TLB_REMOTE_FLUSH,          "nr_tlb_remote_flush",          "shootdowns sent to other CPUs") \
    X(NR_TLB_REMOTE_FLUSH_RECEIVED, "nr_tlb_remote_flush_received", "CPUs targeted by those shootdowns") \
    X(NR_TLB_LOCAL_FLUSH_ONE,       "nr_tlb_local_flush_one",       "local single-page invalidations") \
    X(NR_TLB_LOCAL_FLUSH_ALL,       "nr_tlb_local_flush_all",       "local whole-PCID/ASID invalidations") \
    X(THP_FAULT_ALLOC,    "thp_fault_alloc",    "2 MiB pages allocated at fault time")       \
    X(THP_FAULT_FALLBACK, "thp_fault_fallback", "huge-page faults that fell back to 4 KiB")  \
    X(ASID_ALLOC,     "asid_alloc",     "PCIDs/ASIDs handed to processes")                   \
    X(ASID_STEAL,     "asid_steal",     "PCIDs/ASIDs taken from another process (set exhausted)") \
    X(SWAP_WRITE_ERRORS,    "swap_write_errors",    "swap writes that failed (page kept resident)") \
    X(SWAP_READ_ERRORS,     "swap_read_errors",     "swap reads that failed")            \
    X(SWAP_CHECKSUM_ERRORS, "swap_checksum_errors", "swap-ins whose slot checksum mismatched") \
    X(STACK_GROWTH,   "stack_growth",   "faults that grew a stack")                          \
    X(ZERO_FILL,      "zero_fill",      "pages zero-filled on their first touch")            \
    X(COW_FAULT,      "cow_fault",      "write faults on copy-on-write pages")               \
    X(COW_COPY,       "cow_copy",       "copy-on-write faults that copied the page")         \
    X(COW_REUSE,      "cow_reuse",      "copy-on-write faults that took the page over (last mapper)") \
    X(FORK_SHARED,    "fork_shared",    "resident pages shared copy-on-write by fork")       \
    X(FORK_SWAP_SHARED, "fork_swap_shared", "swapped-out pages whose slot fork shared")      \
    X(FILE_WRITEBACK_ERRORS, "file_writeback_errors", "write-backs of dirty file pages that failed") \
    X(SWPT_REFILLS,   "swpt_refills",   "software TLB refills the kernel made (TLBWR)")      \
    X(SWPT_PROBES,    "swpt_probes",    "entries the refill handler read (its structure's and the page tables')") \
    X(SWPT_MISSES,    "swpt_misses",    "refills its structure could not answer (read from the page tables)") \
    X(SWPT_LINEAR_MISSES, "swpt_linear_misses", "linear page table: refills whose table page was not in the TLB") \
    X(SWPT_EVICTIONS, "swpt_evictions", "hashed page table: entries evicted from full groups") \
    X(SWPT_ALIAS,     "swpt_alias_switches", "inverted page table: frame entries re-pointed to another mapping") \
    X(SWPT_DIRTY,     "swpt_dirty_updates", "TLB Modified traps: D recorded, the entry rewritten") \
    X(SWPT_BYTES,     "swpt_bytes",     "memory the refill structure occupies, bytes (a level)") \
    X(OOM_KILL,       "oom_kill",       "processes killed because memory ran out")           \
    X(KILLS,          "kills",          "processes killed (any reason)")                     \
    X(SWAP_SLOTS_USED,"swap_slots_used","swap slots in use (a level, not a count)")

enum vmstat_item {
#define VMLAB_VMSTAT_ENUM(id, name, desc) VMSTAT_##id,
    VMLAB_VMSTATS(VMLAB_VMSTAT_ENUM)
#undef VMLAB_VMSTAT_ENUM
    VMSTAT_KILL_FIRST,                          /* one counter per kill reason follows */
    VMSTAT_NR = VMSTAT_KILL_FIRST + KILL_NR - 1 /* kill counters: "kill_<reason>" */
};

struct vmstat {
    uint64_t v[VMSTAT_NR];
};
extern const char *const vmstat_names[VMSTAT_NR];   /* kill counters: "kill_segv-unmapped", ... */
extern const char *const vmstat_descs[VMSTAT_NR];
/* Index of a counter by name; -1 if none. */
int vmstat_index(const char *name);
/* Counter index for kills of reason r (r != KILL_NONE). */
static inline enum vmstat_item vmstat_kill_item(enum kill_reason r)
{
    return (enum vmstat_item)(VMSTAT_KILL_FIRST + (int)r - 1);
}

/* ---- configuration --------------------------------------------------------- */

enum stack_rule {
    STACK_RULE_PINTOS,   /* grow if rsp-slack <= addr and stack_top-cap <= addr < stack_top */
    STACK_RULE_LINUX,    /* grow the stack VMA down to any addr below it (no rsp test) if
                            the stack stays within the cap and at least stack_guard_gap
                            above the next VMA below it (Linux expand_downwards) */
};

/* The rules a process lives by, chosen when it is created (its system-call
 * interface's): where its address space ends, where its stack is and how
 * it grows, and the rules of its memory calls.
 *   KERNEL_ABI_PINTOS  PintOS project 3: user space ends at KERN_BASE (clipped to
 *                      the format), the stack ends at USER_STACK and grows by
 *                      the configured stack rule (default PintOS's rsp-slack
 *                      test, 1 MiB), file mappings read zeros past end of file
 *                      and are unmapped whole (kernel_map_file, kernel_unmap).
 *   KERNEL_ABI_LINUX   Linux on RISC-V (Sv39 layout, whatever the format): user
 *                      space is [0, 0x4000000000), the stack ends there and grows
 *                      by Linux's rule to stack_cap (default 8 MiB, RLIMIT_STACK)
 *                      keeping stack_guard_gap, mmap places mappings top-down
 *                      from 128 MiB below the stack top (Linux's mmap_base with
 *                      no randomisation), the heap follows bss, and an access to
 *                      a file page wholly past end of file raises SIGBUS
 *                      (kernel_mmap, kernel_munmap, kernel_mprotect, kernel_madvise,
 *                      kernel_brk). */
enum kernel_abi { KERNEL_ABI_PINTOS, KERNEL_ABI_LINUX };

#define KERNEL_LINUX_USER_TOP 0x4000000000ull   /* Linux's Sv39 user window */
/* OPT's choice among pages never used again (the only ties Belady's MIN
 * can have): it never changes the number of faults, only which page goes
 * and so how many are written out. */
enum opt_ties {
    OPT_TIES_LOWEST_FRAME,     /* the page in the lowest-numbered frame (course simulators) */
    OPT_TIES_CLEAN_FIRST,      /* a clean page (dropped unwritten) if any, lowest frame first */
};

#define KERNEL_SWAP_DEFAULT_BYTES (64ull << 20)   /* kernel_config_default's swap size */

/* On a machine with software-managed TLB refill (machine_config.tlb_refill
 * = TLB_REFILL_SOFTWARE) a TLB miss traps to the kernel, whose refill
 * handler reads one of these (docs/kernel.md, "Software TLB refill"):
 *   LINEAR    the leaf level of the page tables as one array in the kernel
 *             half (MIPS/BSD): one read per refill, plus the upper levels
 *             when the table's own page is not in the TLB; not on the
 *             32-bit formats, whose user space has no kernel half beside it
 *   HASHED    a hashed page table of fixed size (PowerPC's HTAB)
 *   INVERTED  an inverted page table: an entry per frame, a hash anchor
 *             table */
enum kernel_sw_pt { KERNEL_SW_PT_LINEAR, KERNEL_SW_PT_HASHED, KERNEL_SW_PT_INVERTED, KERNEL_SW_PT_NR };
/* "linear", "hashed", "inverted", indexed by enum kernel_sw_pt. */
extern const char *const kernel_sw_pt_names[KERNEL_SW_PT_NR];

struct kernel_config {
    uint64_t user_frames;      /* user pool, 4 KiB frames: the memory-pressure knob.
                                  0 = every frame not in the kernel pool */
    uint64_t kernel_frames;    /* kernel pool (page tables). 0 = 1/16 of memory, >= 64 */
    const char *swap_path;     /* swap file; NULL = an unlinked temporary file. A named
                                  file is created exclusively and removed at
                                  kernel_destroy; an existing one is refused unless
                                  swap_overwrite */
    bool swap_overwrite;       /* swap_path may name an existing regular file: its
                                  contents are lost, the file stays */
    uint64_t swap_keep_dev;    /* a file swap must never be, overwrite or not (the front */
    uint64_t swap_keep_ino;    /* end's input): st_dev and st_ino; ino 0 = none */
    uint64_t swap_bytes;       /* swap size, rounded down to 4 KiB slots. 0 = no swap
                                  (as 1 .. 4095: a device with no slot). The default
                                  (kernel_config_default) is KERNEL_SWAP_DEFAULT_BYTES */
    const char *policy;        /* "clock" (default), "clock-noflush", "fifo", "lru",
                                  "random", "aging", "opt", "linux"; NULL = clock
                                  (docs/kernel.md describes each) */
    uint64_t seed;             /* for "random" */
    enum kernel_abi abi;       /* the ABI of kernel_process_create's processes */
    enum opt_ties opt_ties;    /* for "opt" */
    enum stack_rule stack_rule;   /* the PintOS ABI's rule (the Linux ABI always uses Linux's) */
    uint64_t stack_cap;        /* maximum stack size; 0 = the ABI's (PintOS 1 MiB, Linux 8 MiB) */
    uint64_t stack_guard_gap;  /* Linux rule: gap kept below the stack; 0 = 256 pages */
    uint64_t stack_slack;      /* PintOS rule: how far below rsp a fault still grows the
                                  stack; 0 = 8 (x86's PUSH; a RISC-V front end sets 32) */
    bool thp;                  /* THP "always": a 2 MiB page on the first fault of an aligned
                                  2 MiB range inside an anonymous VMA (not the stack, not
                                  KMAP_NOHUGE) where no 4 KiB page was mapped; falls back
                                  to 4 KiB when no aligned run of 512 frames is free */
    unsigned nasids;           /* PCIDs/ASIDs to hand out (1..4095, Sv32: 1..511); 0 = as many
                                  as the format has. ID 0 is the kernel's */
    int format;                /* enum pt_format_id; -1 = x86-64 (x86) or sv48 (RISC-V), on a
                                  32-bit machine ia32 or sv32. Must fit the machine's width */
    unsigned elf_machine;      /* the ELF e_machine exec and kernel_load_elf accept (243 for
                                  RISC-V programs on any page-table format); 0 = the format's
                                  architecture's (62 x86-64, 243 RISC-V) */
    int sw_pt;                 /* enum kernel_sw_pt: on a machine with software TLB refill, the
                                  structure the refill handler reads (default linear) */
    uint64_t sw_pt_entries;    /* hashed: its entries (rounded up to groups of 8); 0 = 2 per
                                  user frame */
    uint64_t user_top;         /* PintOS ABI: end of user space; 0 = KERN_BASE. Clipped to the
                                  format's lower half: 1 << 47 gives x86-64 Linux's layout;
                                  the 32-bit formats have no halves: up to 4 GiB */
};
/* Every field 0 / NULL except: policy "clock", swap_bytes
 * KERNEL_SWAP_DEFAULT_BYTES, format -1 (the machine's default). */
void kernel_config_default(struct kernel_config *cfg);

/* Create a kernel owning machine m (which it does not destroy); registers the
 * fault handler and opens the swap device. NULL and a message on failure. */
struct kernel *kernel_create(struct machine *m, const struct kernel_config *cfg,
                             char *err, size_t errlen);
/* Exit every remaining process, close swap, free everything. */
void kernel_destroy(struct kernel *k);
struct machine *kernel_machine(struct kernel *k);
const char *kernel_policy_name(const struct kernel *k);
/* The page-table format the kernel builds its processes' tables in. */
const struct pt_format *kernel_pt_format(const struct kernel *k);
/* Every replacement policy's name, NULL-terminated: clock, clock-noflush,
 * fifo, lru, random, aging, opt, linux. */
extern const char *const kernel_policy_names[];

/* What the kernel's policy asks of the front end that drives the accesses
 * (a mask). A front end asks once and provides what is asked; it need not
 * know the policies by name. */
enum {
    KERNEL_WANTS_REFS   = 1u << 0,  /* every reference reported (kernel_note_access, one per
                                       page an access touches): exact "lru" */
    KERNEL_WANTS_ORACLE = 1u << 1,  /* the future: a next-use oracle (kernel_set_oracle), "opt" */
};
unsigned kernel_policy_wants(const struct kernel *k);

/* Global counters (every process that ever lived, plus the kernel's). */
void kernel_vmstat(struct kernel *k, struct vmstat *out);

/* Resources in use right now: the leak check. */
struct kernel_usage {
    uint64_t user_frames, user_frames_used;      /* pool size and frames in use */
    uint64_t kernel_frames, kernel_frames_used;  /* page-table pages are here */
    uint64_t swap_slots, swap_slots_used;
    unsigned asids_used;
    unsigned processes;                          /* not yet exited */
    uint64_t pinned_frames;
    uint64_t pagecache_pages;                    /* shared file pages in the page cache */
    uint64_t rmaps;                              /* frames with several mappers (copy-on-write
                                                    shares and page-cache entries) */
};
void kernel_usage(struct kernel *k, struct kernel_usage *out);

/* The swap device (src/os/swap.h), for tests and tools that inspect it or
 * inject faults. */
struct swap_dev;
struct swap_dev *kernel_swap_device(struct kernel *k);

/* OPT: next_use returns when (in the front end's time, e.g. trace position)
 * `page` of `p` is next referenced after the access in progress; UINT64_MAX =
 * never again. The "opt" policy evicts the resident page whose next use is
 * farthest (ties: kernel_config.opt_ties). Without an oracle "opt" behaves
 * as FIFO. The oracle is called with the frame table locked: it must not
 * call back into the kernel. Every eviction asks it about every resident
 * page. */
typedef uint64_t (*kernel_oracle_fn)(void *arg, const struct process *p, vaddr_t page);
void kernel_set_oracle(struct kernel *k, kernel_oracle_fn next_use, void *arg);

/* ---- processes ------------------------------------------------------------ */

enum process_state { PROC_RUNNABLE, PROC_KILLED, PROC_EXITED };

/* A new process with an empty address space (a page-table root from the
 * kernel pool; its PCID/ASID is assigned when it first runs), living by the
 * kernel's configured ABI, or by `abi`. NULL if the kernel pool is
 * exhausted, or (the Linux ABI) if the format cannot hold its layout. */
struct process *kernel_process_create(struct kernel *k, const char *name);
struct process *kernel_process_create_abi(struct kernel *k, const char *name, enum kernel_abi abi);
enum kernel_abi kernel_process_abi(const struct process *p);
/* Return every frame, swap slot, page-table page and the PCID/ASID; dirty
 * shared file pages are written back first. p is freed. `self` is the CPU the
 * calling thread drives, or NULL. 0, or -EBUSY (nothing done) if a CPU still
 * runs p: kernel_switch_to(cpu, NULL) on it first. Works on killed processes
 * too (a killed process keeps its memory until it exits). */
int kernel_process_exit(struct process *p, struct cpu *self);

/* fork: a new process (same ABI, stack pointer and program break) whose
 * address space is a copy-on-write copy of p's: the same mappings (file
 * mappings get their own descriptors); every resident private page (anon,
 * private file, huge) shares its frame with the child, write-protected in
 * both, until one of them writes it (a COW fault then copies the page, or
 * takes it over when the writer is its last mapper: the frame a process had
 * stays its own); pages out in swap share their slot (slots count their
 * owners); pages with their own initializer are copied lazily; shared
 * file mappings map the page cache's frames. p's TLB entries are flushed
 * before the call returns, so no write of p after fork reaches the child.
 * p keeps running; for a snapshot consistent with p's other CPUs stop them
 * first. 0 and *child, or -ENOMEM (metadata, page tables or swap-slot
 * counts ran out: nothing is left behind), -ESRCH (p was killed). */
int kernel_process_fork(struct process *p, const char *name, struct cpu *self,
                        struct process **child);

/* Kill p now, as the kernel does for a bad access (a system-call layer
 * refusing a bad pointer, say): state PROC_KILLED with reason r at addr.
 * Its memory stays until kernel_process_exit. */
void kernel_process_kill(struct process *p, enum kill_reason r, vaddr_t addr);
/* The signal a Linux kernel delivers for a kill reason (SIGSEGV, SIGBUS,
 * SIGKILL for out-of-memory kills). */
int kernel_kill_signal(enum kill_reason r);

int kernel_process_pid(const struct process *p);
const char *kernel_process_name(const struct process *p);
enum process_state kernel_process_state(const struct process *p);
enum kill_reason kernel_process_kill_reason(const struct process *p);
/* "segv-write-ro: write at 0x400010" style message; "" if not killed. */
const char *kernel_process_kill_message(const struct process *p);
void kernel_process_vmstat(const struct process *p, struct vmstat *out);

/* Per-process resources in use. */
struct process_usage {
    uint64_t resident_pages;   /* pages with a frame */
    uint64_t swapped_pages;    /* pages whose only copy is in swap */
    uint64_t swap_slots;       /* slots held (swapped + swap cache) */
    uint64_t spt_pages;        /* SPT entries */
    uint64_t pt_pages;         /* page-table pages, root included */
    unsigned vmas;
    uint16_t asid;             /* 0: none now */
};
void kernel_process_usage(struct process *p, struct process_usage *out);

/* The user stack pointer the stack-growth rule compares against (PintOS's
 * intr_frame.rsp, also the rsp saved at system-call entry). Front ends set
 * it before accesses that may grow the stack. */
void kernel_set_rsp(struct process *p, vaddr_t rsp);
/* Or give the kernel where the stack pointer lives: the stack rule then
 * reads *rsp at each fault of p (a hart's sp register, which is current at
 * every fault the hart takes and, during a system call, is the sp saved at
 * its entry), instead of kernel_set_rsp's value. NULL goes back to that
 * value. Only faults of p read it, on the thread that drives the CPU
 * running p, which must be the thread that writes *rsp. fork's child has
 * no source: it starts with the parent's sp as its kernel_set_rsp value. */
void kernel_set_rsp_source(struct process *p, const uint64_t *rsp);

/* ---- mappings ------------------------------------------------------------- */

/* Flags for kernel_map_anon. Mappings are always at the address given and
 * never replace anything. */
enum {
    KMAP_NOHUGE = 1u << 0,       /* never back with 2 MiB pages */
    KMAP_ALLOW_ZERO = 1u << 1,   /* page 0 may be mapped (Linux with vm.mmap_min_addr = 0):
                                    trace replay, whose traces touch address 0 */
};

/* Map [addr, addr+len) anonymous (zero-filled on first touch, swap-backed)
 * with rights prot (VM_PROT_READ|WRITE|EXEC). 0, or -EINVAL (addr unaligned
 * or 0 without KMAP_ALLOW_ZERO, len 0, range wraps or reaches user top), -EEXIST (overlaps a mapping). */
int kernel_map_anon(struct process *p, vaddr_t addr, uint64_t len, unsigned prot, unsigned flags);

/* PintOS mmap: map `len` bytes of the file open as host descriptor fd (which
 * the mapping dup()s: closing or removing the file afterwards does not
 * unmap it) from `offset`, shared as Linux's MAP_SHARED: every shared
 * mapping of the same page of the same file (same st_dev and st_ino), in
 * any process, maps one page-cache frame, so writes are seen by all at
 * once. Dirty pages are written back on eviction and at the unmap or exit
 * of their last mapper; bytes past end of file read as zero and are never
 * written back. prot VM_PROT_WRITE requires fd open for writing.
 * 0, or -EINVAL (addr 0 or unaligned, len 0, offset unaligned, range wraps
 * or reaches user top, file empty), -EBADF (fd 0, 1 or not open), -EEXIST
 * (overlaps anything: stack, executable, other mappings). */
int kernel_map_file(struct process *p, vaddr_t addr, uint64_t len, unsigned prot,
                    int fd, uint64_t offset);
/* The same, opening `path` (read-write if prot has WRITE). -ENOENT etc. */
int kernel_map_file_path(struct process *p, vaddr_t addr, uint64_t len, unsigned prot,
                         const char *path, uint64_t offset);

/* PintOS munmap: remove the mapping that starts at addr (as returned by a
 * map call), writing dirty file pages back. 0 or -EINVAL. */
int kernel_unmap(struct process *p, vaddr_t addr, struct cpu *self);

/* The user stack: a growable region ending at KERNEL_USER_STACK, one page
 * reserved (mapped lazily). Growth follows the configured rule. 0 or -EEXIST. */
int kernel_map_stack(struct process *p);

/* Load an ELF executable lazily: one VMA per PT_LOAD segment whose pages
 * read their bytes from the file on first touch and zero-fill the rest.
 * Clean pages are dropped on eviction and re-read; dirty pages of writable
 * segments go to swap. *entry receives the entry point. 0, or a negative
 * errno and a message naming the file (malformed ELF: -ENOEXEC). */
int kernel_load_elf(struct process *p, const char *path, vaddr_t *entry, char *err, size_t errlen);

/* PintOS's vm_alloc_page_with_initializer: register one uninit page at
 * `upage` that becomes anonymous on its first fault, filled by init(page
 * contents, aux) (which returns true on success). The page needs no VMA.
 * 0, -EINVAL, -EEXIST. */
typedef bool (*kernel_page_init_fn)(void *kva, vaddr_t upage, void *aux);
int kernel_alloc_page_with_initializer(struct process *p, vaddr_t upage, bool writable,
                                       kernel_page_init_fn init, void *aux);

/* ---- the memory calls of a C library (Linux semantics) -------------------- */

/* mmap(2)'s flags and madvise(2)'s advice, with Linux's values. */
enum {
    KERNEL_MAP_SHARED          = 0x01,
    KERNEL_MAP_PRIVATE         = 0x02,
    KERNEL_MAP_FIXED           = 0x10,
    KERNEL_MAP_ANONYMOUS       = 0x20,
    KERNEL_MAP_NORESERVE       = 0x4000,     /* accepted, no effect (no overcommit accounting) */
    KERNEL_MAP_FIXED_NOREPLACE = 0x100000,
};
enum { KERNEL_MADV_NORMAL = 0, KERNEL_MADV_RANDOM = 1, KERNEL_MADV_SEQUENTIAL = 2,
       KERNEL_MADV_WILLNEED = 3, KERNEL_MADV_DONTNEED = 4 };

/* mmap: map len bytes (rounded up to pages) anonymous (KERNEL_MAP_ANONYMOUS)
 * or of the file open as host descriptor fd from offset, MAP_PRIVATE (a
 * private copy-on-write view: file pages are read on first touch and, once
 * written, live in swap) or MAP_SHARED (the page cache: every shared mapping
 * of a file page maps one frame; dirty pages are written back). Placement:
 * MAP_FIXED at addr, replacing whatever was there (as an munmap of the range
 * first); MAP_FIXED_NOREPLACE at addr or -EEXIST; otherwise at addr if that
 * range is free and addr is not 0, else top-down below the ABI's mmap base
 * (the highest free range that fits). An empty file may be mapped; an
 * access to a page wholly past end of file is a SIGBUS kill (sigbus-eof); the
 * part of the last page past end of file reads as zero and is never written
 * back. prot 0 is PROT_NONE. 0 and *out, or -EINVAL (len 0, neither or both
 * of SHARED and PRIVATE, offset or a fixed addr unaligned, the range wraps or
 * leaves user space), -EBADF (fd not open), -EACCES (fd not a regular file,
 * or a shared writable mapping of a descriptor not open for writing, or a
 * descriptor not open for reading), -ENOMEM (no room), -EEXIST. */
int kernel_mmap(struct process *p, vaddr_t addr, uint64_t len, unsigned prot, unsigned flags,
                int fd, uint64_t offset, vaddr_t *out);
/* munmap: remove every mapping (and page) in [addr, addr + len), splitting
 * the mappings that straddle its ends; dirty shared file pages are written
 * back. A range with nothing mapped is fine. 0, or -EINVAL (addr unaligned,
 * len 0, range wraps or leaves user space). */
int kernel_munmap(struct process *p, vaddr_t addr, uint64_t len, struct cpu *self);
/* mprotect: set the rights of every page in [addr, addr + len) to prot
 * (VM_PROT_READ|WRITE|EXEC or 0), splitting mappings at the ends. As in
 * Linux, a hole in the range ends the work there with -ENOMEM (the part
 * before it has the new rights). Resident pages get the new rights now: a
 * downgrade invalidates every CPU that may cache the old ones; an upgrade
 * needs no flush (a stale narrower entry just walks again). Pages shared
 * copy-on-write stay write-protected. -EACCES: writable shared mapping of
 * a file not open for writing. */
int kernel_mprotect(struct process *p, vaddr_t addr, uint64_t len, unsigned prot,
                    struct cpu *self);
/* madvise: KERNEL_MADV_DONTNEED drops every page in the range (anonymous
 * pages read back as zero, private file pages are read again, shared file
 * pages are written back if dirty and read again); the hints NORMAL,
 * RANDOM, SEQUENTIAL and WILLNEED are accepted and do nothing. 0, -EINVAL
 * (unknown advice, addr unaligned), -ENOMEM (part of the range unmapped:
 * the mapped parts are still done, as in Linux). */
int kernel_madvise(struct process *p, vaddr_t addr, uint64_t len, int advice, struct cpu *self);
/* brk: the program break. want 0 (or anything below the heap's start, or
 * where the heap cannot grow) leaves it; otherwise it moves to exactly want
 * (unaligned values are kept as given), mapping or unmapping whole pages
 * above the heap start. *out is the break afterwards. The heap starts at
 * the end of the executable's bss (kernel_exec), rounded up to a page. 0,
 * or -ENOMEM with *out the unchanged break. */
int kernel_brk(struct process *p, vaddr_t want, vaddr_t *out, struct cpu *self);

/* ---- exec ------------------------------------------------------------------ */

/* What a loaded image looks like, for building the initial stack (auxv). */
struct kernel_image {
    vaddr_t entry;          /* entry point, load bias included */
    vaddr_t phdr;           /* where the program headers are in memory (AT_PHDR) */
    unsigned phent, phnum;  /* AT_PHENT, AT_PHNUM */
    vaddr_t base;           /* the load bias: 0 for ET_EXEC; a static PIE's base (AT_BASE
                               stays 0: there is no interpreter) */
    vaddr_t brk;            /* the initial program break (end of bss, page-aligned) */
    vaddr_t stack_top;      /* the stack ends here; its first page is mapped (lazily) */
};

/* exec: replace p's whole address space (every page, mapping, the heap, the
 * stack) with a new image loaded lazily from path, keeping the process (its
 * pid, name, counters; its open files belong to the system-call layer). The
 * file is checked first: if it cannot be loaded (missing, not an ELF for
 * this machine, malformed) nothing changes and a negative errno comes back
 * with a message naming the file (-ENOEXEC for a bad ELF). Static
 * executables only: ET_EXEC at its addresses; ET_DYN without an interpreter
 * (a static PIE) under the Linux ABI at a base chosen as mmap would choose
 * one. The CPU that runs p (self) keeps running it; every CPU that may cache
 * its old translations is flushed. Should the kernel run out of memory for
 * the new image after the old one is gone, p is killed (oom-kernel) and the
 * error returned, as Linux kills an exec past its point of no return. */
int kernel_exec(struct process *p, const char *path, struct kernel_image *img, struct cpu *self,
                char *err, size_t errlen);

/* The same from a descriptor the caller opened (for example one resolved
 * under a confined root): the kernel takes its own copy, fd stays the
 * caller's; `name` is the file's name for messages. */
int kernel_exec_fd(struct process *p, int fd, const char *name, struct kernel_image *img,
                   struct cpu *self, char *err, size_t errlen);

/* ---- file I/O through the page cache ------------------------------------------ */

/* read(2)/write(2) of a host file at an offset, as a kernel does them: a
 * page of the file that a process maps shared is in the page cache, and the
 * transfer copies from or into that frame (a write marks it dirty, to be
 * written back as any dirty cached page), so mmap and read/write of one file
 * always agree; other pages go to the file directly. Returns the bytes
 * transferred (a read stops at end of file), or a negative errno. */
int64_t kernel_file_pread(struct kernel *k, int fd, void *buf, uint64_t len, uint64_t offset);
int64_t kernel_file_pwrite(struct kernel *k, int fd, const void *buf, uint64_t len, uint64_t offset);

/* ---- running -------------------------------------------------------------- */

/* Make p the process of cpu (p NULL: none; the CPU then runs on the kernel's
 * empty address space). Writes CR3 (x86, with PCID and the no-flush bit when
 * the PCID holds no stale entries) or satp (RISC-V, with ASID), allocating or
 * stealing a PCID/ASID if p has none, and sets user privilege. Must be called
 * by the thread that drives cpu. */
void kernel_switch_to(struct cpu *cpu, struct process *p);
/* The calling thread now drives cpu, one of k's machine's CPUs: the CPU
 * the functions without a CPU argument use (to serve its shootdowns while
 * they wait), as kernel_switch_to records it, without touching the CPU's
 * address space. A scheduler that moves one host thread from CPU to CPU
 * calls it after each cpu_attach of a CPU already running the right process. */
void kernel_set_thread_cpu(struct kernel *k, struct cpu *cpu);
/* The process running on cpu, or NULL. */
struct process *kernel_current(struct cpu *cpu);

/* Reference reports: a front end that sees every reference reports it here,
 * one call per page an access touches, in address order, each before any
 * later page of the access can fault (docs/replay.md says how the replay
 * does it). Only with these reports is "lru" exact; without them "lru"
 * approximates recency from A bits sampled at eviction time. The other
 * policies ignore them (the call returns at once; kernel_policy_wants says
 * whether to make them). Report all references or none. */
void kernel_note_access(struct process *p, vaddr_t va);

/* ---- kernel access to user memory ------------------------------------------ */

/* Copy between a kernel buffer and the user memory of the process running on
 * cpu, as a system call does: pages are faulted in (lazy pages, swapped
 * pages, stack growth by the saved rsp), pinned while the copy runs, and
 * accessed through the CPU in supervisor mode (so the user mapping's A/D bits
 * are set). copy_out needs writable pages. 0, or -1 with the process killed
 * (bad address) or -ENOMEM. */
int kernel_copy_in(struct cpu *cpu, void *dst, vaddr_t usrc, size_t len);
int kernel_copy_out(struct cpu *cpu, vaddr_t udst, const void *src, size_t len);

/* The same for a system call's buffers, with Linux's answer to a bad
 * address: -EFAULT, nothing copied and the process left alone (as
 * copy_from_user/copy_to_user give a system call), when a page of the range
 * is one the process may not access (unmapped, read-only for copy_to_user,
 * beyond the stack's limit, past end of file, beyond user space). Faults
 * that would kill the process on any access still kill it: -ENOMEM (out of
 * memory or swap) or -1 (a swap or file read failed). Pages are checked and
 * pinned first, so either every byte is copied or none. */
int kernel_copy_from_user(struct cpu *cpu, void *dst, vaddr_t usrc, size_t len);
int kernel_copy_to_user(struct cpu *cpu, vaddr_t udst, const void *src, size_t len);

/* Fault in and pin [va, va+len) of p (write: needs writable pages) so that
 * no eviction takes those frames; pins nest. 0, or -1 (process killed: bad
 * address) / -ENOMEM. `cpu` is the calling thread's CPU or NULL. */
int kernel_pin(struct process *p, struct cpu *cpu, vaddr_t va, size_t len, bool write);
void kernel_unpin(struct process *p, vaddr_t va, size_t len);

/* ---- inspection (tests, tools) --------------------------------------------- */

enum page_where {
    PAGE_NONE,       /* no SPT entry (and no VMA) */
    PAGE_UNLOADED,   /* covered by a VMA or an uninit entry, never loaded */
    PAGE_RESIDENT,   /* in a frame and mapped */
    PAGE_SWAPPED,    /* only in swap */
    PAGE_DROPPED,    /* evicted clean: will be re-read or re-zeroed */
};
struct page_info {
    enum page_where where;
    bool pte_present;
    bool pte_writable;    /* the PTE grants write (false while copy-on-write shared) */
    bool in_swap_cache;   /* holds a swap slot */
    bool pinned;
    bool huge;            /* part of a 2 MiB page (THP) */
    paddr_t frame;        /* if resident (huge: the 2 MiB page's base) */
    unsigned kind;        /* 0 uninit, 1 anon, 2 private file, 3 shared file, 4 huge */
    const char *kind_name;   /* "uninit", "anon", "file", "shared", "huge"; NULL without a page */
    unsigned mapcount;    /* mappings of its frame (more than 1: shared copy-on-write or
                             through the page cache) */
    unsigned slot_owners; /* pages recording its swap slot, if any */
};
void kernel_page_info(struct process *p, vaddr_t va, struct page_info *out);

#endif
