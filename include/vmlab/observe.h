/* vmlab/observe.h — watching one CPU's accesses happen, event by event.
 *
 * An observer is a function the machine and the kernel call, on the
 * thread that drives the CPU, at each step of the slow paths of an access
 * made on that CPU: each TLB level probed and what it held, each entry a
 * walk read and the bits it set, the fault raised, what the kernel's fault
 * handler found and did, each frame the replacement policy looked at and
 * why it chose its victim, the eviction (mappers unmapped, written out or
 * dropped), and every invalidation and shootdown. `vmlab step` and `vmlab
 * explore` are built on it (docs/step.md).
 *
 * Cost. A CPU has no observer by default (NULL). The hooks sit on the slow
 * paths only (L1 probes behind the access memo, fills, walks, faults,
 * policies, evictions, flushes), each one predictable branch on the CPU's
 * observer pointer; the TLB-hit fast paths (the access memo, cpu_touch_many,
 * the instruction set's access cache) are untouched. While a CPU has an
 * observer it keeps no memo slots, so that every access takes the path
 * that tells: results and counters are exactly the same (a memo hit does
 * what the L1 probe it replaces does), only slower.
 *
 * Events are delivered synchronously; pointers in an event are valid
 * during the call only (strings are static, or held in the event). The
 * kernel's fault event reads the faulting process's counters around the
 * fault to say what it did: when several host threads fault in one
 * process at once, one fault's event may also count another's (vmlab's
 * front ends drive their CPUs from one thread).
 *
 * Introspection. The second half of this header reads state for tools
 * (the explorer's panes): a CPU's TLB and page-walk-cache slots, and the
 * kernel's frame table (with the policy's lists, hand and per-frame
 * state) and swap slots. They take no CPU's place: call them between
 * accesses, from the thread that drives the CPUs.
 */
#ifndef VMLAB_OBSERVE_H
#define VMLAB_OBSERVE_H

#include <vmlab/kernel.h>
#include <vmlab/machine.h>

enum vm_event_kind {
    VM_EV_TLB_LOOKUP,     /* machine: the TLB levels probed for one page of an access */
    VM_EV_TLB_FILL,       /* machine: an entry written into a TLB level */
    VM_EV_WALK,           /* machine: one page walk, every entry it read */
    VM_EV_FAULT,          /* machine: a fault raised and handed to the fault handler */
    VM_EV_FLUSH,          /* machine: TLB and page-walk-cache entries removed on this CPU */
    VM_EV_SHOOTDOWN,      /* machine: an invalidation requested of a set of CPUs */
    VM_EV_FAULT_HANDLED,  /* kernel: what the fault handler found and did */
    VM_EV_POLICY,         /* kernel: the replacement policy looked at a frame */
    VM_EV_EVICT,          /* kernel: a frame taken from its pages */
    VM_EV_NKINDS
};

/* The TLB levels, as events and introspection name them. */
enum vm_tlb_level { VM_TLB_L1I, VM_TLB_L1D, VM_TLB_L2, VM_TLB_NLEVELS };

/* ---- machine events ---------------------------------------------------- */

enum vm_tlb_verdict {
    VM_TLB_USED,          /* the entry found translated the access */
    VM_TLB_DIRTY_REWALK,  /* a store through an entry cached with D = 0: walk again to set D */
    VM_TLB_RIGHTS_REWALK, /* the cached rights do not allow the access: walk again */
    VM_TLB_MISSED,        /* no level holds the page: walk (software refill: trap) */
    VM_TLB_TRAP,          /* software refill: TLB Modified, or a protection fault on a hit */
};

/* One lookup of one page (an access crossing a page boundary makes two). */
struct vm_ev_tlb_lookup {
    vaddr_t va;
    enum vm_access acc;
    uint16_t asid;            /* the CPU's PCID/ASID, the lookup's tag */
    bool counted;             /* the access's first lookup of the page: counted in
                                 dTLB-loads etc. (a retry after a fault is not) */
    unsigned hit;             /* 0: every level missed; 1: the L1 (ITLB or DTLB) hit;
                                 2: the L1 missed and the L2 hit (the L1 is filled from it) */
    bool has_l1;              /* the CPU has an L1 TLB on this side (else a miss is vacuous) */
    bool has_l2;              /* the CPU has an L2 TLB (a miss probed it too) */
    enum vm_tlb_verdict verdict;
    /* the entry found, when hit != 0 */
    vaddr_t entry_va;         /* the first address the entry maps */
    unsigned entry_shift;     /* the size it is stored at */
    unsigned page_shift;      /* the size of the page (larger when splintered) */
    paddr_t frame;            /* the physical address the entry maps entry_va to */
    unsigned prot;            /* VM_PROT_* combined over the walk that filled it */
    bool global, dirty;
    uint16_t entry_asid;
    unsigned level;           /* enum vm_tlb_level of the entry, and where it sits there */
    unsigned array, set, way;
};

/* An entry written into a level: by a fill after a walk, an L1 fill from
 * the L2, or software (TLBWR). */
struct vm_ev_tlb_fill {
    unsigned level;           /* enum vm_tlb_level */
    unsigned array, set, way;
    vaddr_t va;               /* the first address the entry maps */
    unsigned entry_shift, page_shift;
    paddr_t frame;
    uint16_t asid;
    bool global, dirty;
    unsigned prot;
    bool refreshed;           /* the page's own entry, rewritten in place */
    bool replaced;            /* a valid entry of another page was evicted to make room: */
    vaddr_t old_va;
    unsigned old_shift;
    uint16_t old_asid;
    bool old_global;
};

enum vm_walk_check {
    VM_WALK_OK,               /* the entry is well-formed (a table pointer, or the leaf) */
    VM_WALK_NOT_PRESENT,      /* P = 0 / V = 0: the walk faults here */
    VM_WALK_RESERVED,         /* a reserved bit or encoding: the walk faults here */
    VM_WALK_DENIED,           /* the leaf, whose rights (combined) do not allow the access */
    VM_WALK_CAS_LOST,         /* the A/D compare-and-swap lost: the walk starts again */
};

/* One entry a walk read. */
struct vm_walk_level {
    unsigned level;           /* 0: the 4 KiB table (PT, VPN[0]), up to the root */
    paddr_t table;            /* the table's physical address */
    unsigned index;           /* va's index in it */
    paddr_t pte_pa;           /* the entry's physical address */
    uint64_t pte;             /* the entry as read */
    uint64_t written;         /* the entry after the walker set A (and D): == pte if nothing */
    struct pte_info info;     /* pte, decoded */
    enum vm_walk_check check;
};

#define VM_WALK_MAX_LEVELS 16 /* entries an event holds (a restarted walk reads again) */

struct vm_ev_walk {
    vaddr_t va;
    enum vm_access acc;
    uint16_t asid;
    int pwc_level;            /* the walk began at this level's table, named by a
                                 page-walk-cache entry; -1: at the root */
    bool pwc_missed;          /* the CPU has page-walk caches and none covered va
                                 (counted in pwc-misses) */
    paddr_t start;            /* the table the walk began with (the root: CR3 / satp) */
    unsigned refs, ad_updates, restarts;   /* as counted (walk-mem-refs, ...) */
    bool ok;                  /* a leaf that allows the access: */
    paddr_t pa;               /* the translation */
    paddr_t page_base;
    unsigned page_shift;
    unsigned prot;
    bool global, dirty;
    unsigned nlevels;         /* lv[0 .. nlevels): the entries read, in order (last, so
                                 that a copy may stop after them) */
    struct vm_walk_level lv[VM_WALK_MAX_LEVELS];
};

struct vm_ev_fault {
    struct vm_fault f;        /* as the handler receives it */
    bool tlb_hit;             /* the access had found an entry (whose rights did not do) */
};

/* Entries removed from this CPU's TLB levels and page-walk caches by one
 * invalidation (a flush instruction, a CR3/satp write, a shootdown's part
 * for this CPU): the filter and the count, as tlb-entries-flushed counts. */
struct vm_ev_flush {
    bool by_va;
    vaddr_t va;               /* entries covering va */
    bool by_asid;
    uint16_t asid;            /* entries of this ASID (globals: by or_global, keep_global) */
    bool or_global, keep_global;
    unsigned tlb_removed, pwc_removed;
};

/* An invalidation of [start, end) of an ASID asked of `targets` (this CPU
 * among them, or not), as machine_shootdown does: the targets other than
 * the sender's own CPUs each receive a request (shootdowns-sent). Their
 * flushes follow as VM_EV_FLUSH events of the CPUs that do them. */
struct vm_ev_shootdown {
    cpumask_t targets;
    cpumask_t sent;           /* the requests sent to other CPUs */
    uint16_t asid;
    vaddr_t start, end;
    bool full;                /* more than 33 pages: the whole ASID is flushed */
};

/* ---- kernel events ---------------------------------------------------- */

enum vm_fault_action {
    VM_FA_ZERO_FILL,          /* a new anonymous page: a frame of zeros */
    VM_FA_SWAP_IN,            /* read back from swap slot `slot` (a huge page: 512 slots) */
    VM_FA_FILE_READ,          /* read from its file at `file_offset` (a page-cache fill, too) */
    VM_FA_PAGECACHE,          /* mapped the page cache's frame: no I/O */
    VM_FA_INIT,               /* filled by the page's own initializer */
    VM_FA_COW_COPY,           /* copy-on-write: copied to a frame of its own */
    VM_FA_COW_REUSE,          /* copy-on-write: the last mapper took the frame over */
    VM_FA_SPURIOUS,           /* nothing to do: the page was already mapped */
    VM_FA_KILL,               /* the process was killed: `kill` says why */
    VM_FA_OTHER,              /* handled, none of the above (e.g. a software refill) */
};

/* Bits of vm_ev_fault_handled.vma_flags. */
enum {
    VM_VMA_ANON = 1u << 0, VM_VMA_FILE = 1u << 1, VM_VMA_SHARED = 1u << 2,
    VM_VMA_STACK = 1u << 3, VM_VMA_HEAP = 1u << 4,
};
/* Bits of a page's state (vm_ev_fault_handled.page_state, kernel_frame_info). */
enum {
    VM_PG_RESIDENT = 1u << 0, VM_PG_SWAPPED = 1u << 1 /* holds a swap slot */,
    VM_PG_DIRTY = 1u << 2, VM_PG_COW = 1u << 3, VM_PG_LOADED = 1u << 4 /* resident once */,
};

struct vm_ev_fault_handled {
    int pid;
    vaddr_t addr;             /* the faulting address */
    enum vm_access acc;
    vaddr_t page;             /* its page (a huge page's 2 MiB base) */
    /* what find-and-check found */
    bool has_vma;
    vaddr_t vma_start, vma_end;
    unsigned vma_prot, vma_flags;   /* VM_PROT_*, VM_VMA_* */
    bool stack_growth;        /* the stack VMA grew down to cover addr */
    bool page_existed;        /* the SPT had an entry for the page */
    const char *kind;         /* its kind before the fault ("anon", "file", "uninit",
                                 "shared", "huge"), or of the page it created */
    unsigned page_state;      /* VM_PG_* before the fault */
    /* what it did */
    enum vm_fault_action action;
    bool major;               /* needed I/O (pgmajfault) */
    bool huge;                /* a 2 MiB page (thp_fault_alloc) */
    uint32_t slot;            /* VM_FA_SWAP_IN: the slot read (its first for a huge page) */
    uint64_t file_offset;     /* VM_FA_FILE_READ */
    uint32_t frame;           /* the frame now mapped (UINT32_MAX: none) */
    paddr_t frame_pa;
    uint32_t old_frame;       /* VM_FA_COW_COPY: the shared frame it left */
    uint64_t pte;             /* the page's entry after the fault */
    enum kill_reason kill;    /* VM_FA_KILL */
    char kill_msg[128];
};

enum vm_policy_verdict {
    VM_POL_SKIP_PINNED,       /* pinned (or its swap slot is being reclaimed): passed over */
    VM_POL_SECOND_CHANCE,     /* A was set: cleared, and passed over (clock; linux's referenced) */
    VM_POL_ACTIVATE,          /* young again while referenced: to the active list (linux) */
    VM_POL_DEACTIVATE,        /* the active list's oldest: to the inactive list (linux) */
    VM_POL_REFRESH,           /* found young: moved to the list's recent end (lru without reports) */
    VM_POL_AGED,              /* counter shifted right, A taken in at the top (aging) */
    VM_POL_CANDIDATE,         /* looked at and kept as a possible victim (aging, opt) */
    VM_POL_VICTIM,            /* chosen */
};

struct vm_ev_policy {
    const char *policy;       /* the policy's name */
    uint32_t frame;
    paddr_t frame_pa;
    int pid;                  /* the frame's (first) mapper */
    vaddr_t va;
    unsigned mappers;
    const char *list;         /* the list the frame sits on (the policy's name for it) */
    enum vm_policy_verdict verdict;
    bool scanned;             /* this look counts in pgscan */
    bool tested;              /* its A bits were read (and cleared) now: */
    bool young;               /*   some mapping's A was set */
    bool flushed;             /*   and clearing it invalidated the cached translations */
    bool has_value;
    uint64_t value;           /* a number the verdict rests on, named by value_name: */
    const char *value_name;   /*   "age" (aging's counter), "next use" (opt: the page touch
                                 of the next use, UINT64_MAX: never), "random start" */
    const char *why;          /* VM_POL_VICTIM: the policy's reason, in words */
};

enum vm_evict_phase {
    VM_EVICT_START,           /* the victim, busy and off the list */
    VM_EVICT_UNMAP,           /* one mapper's entry cleared (its shootdown precedes) */
    VM_EVICT_DONE,            /* written out or dropped, or kept (res) */
};
enum vm_evict_outcome {
    VM_EVICT_DROPPED,         /* clean: the backing copy is the same */
    VM_EVICT_SWAPPED,         /* written to swap slot `slot` (a huge page: 512 slots) */
    VM_EVICT_WRITEBACK,       /* written back to its file */
    VM_EVICT_SWAP_FULL,       /* no slot: the page stays */
    VM_EVICT_IO_ERROR,        /* the write failed: the page stays */
};

struct vm_ev_evict {
    enum vm_evict_phase phase;
    uint32_t frame;
    paddr_t frame_pa;
    const char *kind;         /* the page kind's name */
    unsigned mappers;
    /* VM_EVICT_UNMAP: the mapper */
    int pid;
    vaddr_t va;
    uint64_t old_pte;         /* its entry before it was cleared */
    bool accessed, dirty;     /* that entry's A and D */
    /* VM_EVICT_DONE */
    bool page_dirty;          /* the contents differed from the backing copy */
    enum vm_evict_outcome outcome;
    uint32_t slot;
    bool slot_reused;         /* rewritten into the slot the page already had */
};

struct vm_event {
    enum vm_event_kind kind;
    unsigned cpu;             /* the CPU's index */
    union {
        struct vm_ev_tlb_lookup tlb;
        struct vm_ev_tlb_fill fill;
        struct vm_ev_walk walk;
        struct vm_ev_fault fault;
        struct vm_ev_flush flush;
        struct vm_ev_shootdown shootdown;
        struct vm_ev_fault_handled handled;
        struct vm_ev_policy policy;
        struct vm_ev_evict evict;
    };
};

struct vm_observer {
    void (*event)(void *arg, struct cpu *cpu, const struct vm_event *ev);
    void *arg;
};

/* Watch cpu (NULL: stop). The observer must outlive its use; set it from
 * the thread that drives the CPU (or while none does). */
void cpu_set_observer(struct cpu *cpu, const struct vm_observer *obs);
const struct vm_observer *cpu_observer(const struct cpu *cpu);
/* Deliver ev (its cpu field is set here) to cpu's observer, if cpu is not
 * NULL and has one: how the kernel and the machine emit. */
void cpu_observe(struct cpu *cpu, struct vm_event *ev);

/* Names, for printing: "L1 ITLB", "L1 DTLB", "L2"; "used", "dirty-rewalk", ...;
 * "zero-fill", ...; "second-chance", ...; "dropped", ... */
extern const char *const vm_tlb_level_names[VM_TLB_NLEVELS];
extern const char *const vm_tlb_verdict_names[];
extern const char *const vm_walk_check_names[];
extern const char *const vm_fault_action_names[];
extern const char *const vm_policy_verdict_names[];
extern const char *const vm_evict_outcome_names[];

/* ---- introspection: the machine -------------------------------------------- */

/* One slot of a TLB level, numbered array by array, set by set, way by way. */
struct vm_tlb_slot {
    bool valid;
    unsigned array, set, way;
    vaddr_t va;               /* the first address the entry maps */
    unsigned entry_shift, page_shift;
    paddr_t frame;
    uint16_t asid;
    bool global, dirty;
    unsigned prot;
};
/* Slots of a level (0 if the CPU has none there). */
unsigned cpu_tlb_level_slots(const struct cpu *cpu, enum vm_tlb_level level);
/* Slot `index` of a level; -1 if out of range. Replacement state is not touched. */
int cpu_tlb_level_slot(const struct cpu *cpu, enum vm_tlb_level level, unsigned index,
                       struct vm_tlb_slot *out);

/* One page-walk-cache entry: a non-leaf entry of `level` (1..4) remembered. */
struct vm_pwc_slot {
    bool valid;
    vaddr_t va;               /* the first address the cached entry covers */
    paddr_t table;            /* the table it points to (of level - 1) */
    uint16_t asid;
    unsigned prot;
    bool global;
};
unsigned cpu_pwc_slots(const struct cpu *cpu, unsigned level);
int cpu_pwc_slot(const struct cpu *cpu, unsigned level, unsigned index, struct vm_pwc_slot *out);

/* ---- introspection: the kernel ------------------------------------------------ */

/* The replacement policy's shape, as its operations table describes it. */
struct kernel_policy_info {
    const char *name;
    const char *list_name[2]; /* its lists: [0] the frame table's main ring, [1] the
                                 second ring (linux's active list) or NULL */
    uint32_t head[2];         /* each ring's oldest frame (UINT32_MAX: empty) */
    bool has_hand;
    uint32_t hand;            /* the clock hand (UINT32_MAX: none) */
    const char *mark_name;    /* what kernel_frame_info.mark holds, or NULL */
    uint64_t nframes, listed;
};

struct kernel_frame_info {
    bool used;                /* holds a page, or is being filled or evicted (busy) */
    bool busy, listed, pinned, huge_tail;
    unsigned ring;            /* listed: 0 or 1 (kernel_policy_info.list_name) */
    uint32_t next;            /* listed: the next frame on its ring (towards the youngest) */
    unsigned mappers;
    int pid;                  /* the first mapper */
    vaddr_t va;
    const char *kind;
    bool accessed, dirty;     /* any mapper's entry A / D, or the page's own dirty state */
    unsigned mark;            /* the policy's per-frame state (aging: the counter;
                                 linux: 1 if referenced) */
};
/* The policy, and the first max frames' state (out may be NULL); returns
 * the frame count. */
uint64_t kernel_inspect_frames(struct kernel *k, struct kernel_policy_info *pi,
                               struct kernel_frame_info *out, uint64_t max);

/* One swap slot in use. */
struct kernel_slot_info {
    uint32_t slot;
    unsigned owners;          /* pages recording it */
    int pid;                  /* one of them */
    vaddr_t va;
    bool cached;              /* that page is resident too (a swap cache: clean copy) */
};
/* The slots in use, in slot order (at most max into out); returns how many
 * are in use. *nslots: the device's size in slots. */
uint64_t kernel_inspect_swap(struct kernel *k, struct kernel_slot_info *out, uint64_t max,
                             uint64_t *nslots);

/* Read len bytes of p's memory at va through its page tables as they are
 * now: no TLB, no A/D bits set, nothing faulted in (an instruction's bytes
 * for vmlab step --run). 0, or -1 if some byte is not mapped. */
int kernel_inspect_read(struct process *p, vaddr_t va, void *buf, size_t len);

#endif
