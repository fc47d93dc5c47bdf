/* replay.h — running a trace through the machine and the kernel.
 *
 * A replay builds a one-CPU machine and a kernel, creates one process whose
 * whole user half of the address space is demand-zero anonymous memory,
 * and makes every record of the trace an access of that CPU in user mode:
 * TLB lookups, walks, faults, eviction and swap all happen for real. The
 * result is the machine's counters (perf names) and the kernel's (vmstat
 * names), plus an effective access time from a simple cost model.
 *
 * Records come from a streaming reader (constant memory) or from an array
 * already in memory (sweeps load a trace once and replay it many times).
 * The replay asks the kernel what its policy needs (kernel_policy_wants)
 * and provides it, knowing no policy by name: every reference reported,
 * page by page (exact LRU), or the trace's future as an oracle (OPT) — a
 * reader's records are then loaded into memory first, up to the limit.
 */
#ifndef VMLAB_REPLAY_REPLAY_H
#define VMLAB_REPLAY_REPLAY_H

#include <signal.h>

#include <vmlab/kernel.h>
#include <vmlab/machine.h>
#include <vmlab/trace.h>

struct run_watch;

/* Latencies, in nanoseconds, that turn counts into an effective access
 * time (docs/replay.md explains each default). */
struct replay_cost {
    double access;        /* every access: the data reference itself */
    double stlb_hit;      /* an L1 TLB miss that hits the L2 TLB */
    double walk_ref;      /* each page-table entry a walk reads */
    double minor_fault;   /* a fault handled without I/O */
    double major_fault;   /* a fault that read swap or a file */
    double swap_out;      /* a dirty page written to swap or its file */
    double refill_trap;   /* software refill: each trap to the kernel (a refill, a TLB
                             Modified), entry and return */
    double refill_probe;  /* software refill: each entry its handler reads */
};
void replay_cost_default(struct replay_cost *c);
/* The effective access time of `accesses` accesses with these counters. */
double replay_eat(const struct replay_cost *c, const struct cpu_stats *cpu, const struct vmstat *vm,
                  uint64_t accesses);
/* The largest latency a cost may give: 10^15 ns (11.6 days), so that an
 * effective access time is always a finite number. */
#define REPLAY_COST_MAX_NS 1e15
/* "walk-ref=30,major-fault=8000" over the defaults; 0 or -1 with err. */
int replay_cost_parse(struct replay_cost *c, const char *spec, char *err, size_t errlen);
/* Every latency as a --cost spec ("access=1,stlb-hit=2.5,..."), which
 * replay_cost_parse reads back. */
void replay_cost_describe(const struct replay_cost *c, char *buf, size_t len);

/* For a front end that watches the replay record by record (vmlab step,
 * vmlab explore): the records before `from` are replayed as usual; from
 * there on one at a time, each between before() and after(). */
struct replay_hooks {
    uint64_t from;                 /* index (0-based) of the first record watched */
    /* The system is ready: called once, before the first record. */
    void (*start)(void *arg, struct machine *m, struct kernel *k, struct process *p,
                  struct cpu *cpu);
    /* Record n, as the CPU will see it (folded into the user half); false
     * stops the replay before it (it is not replayed). */
    bool (*before)(void *arg, uint64_t n, const struct trace_record *r);
    /* Its access is done; ok false if it killed the process (the replay
     * ends there). */
    void (*after)(void *arg, uint64_t n, const struct trace_record *r, bool ok);
    void *arg;
};

struct replay_config {
    const struct pt_format *fmt;   /* page-table format (also picks the architecture) */
    struct tlb_config tlb;
    enum tlb_refill tlb_refill;    /* hardware walks, or the kernel's refill handler */
    int sw_pt;                     /* enum kernel_sw_pt: what that handler reads */
    uint64_t sw_pt_entries;        /* hashed: its entries; 0 = 2 per user frame */
    uint64_t frames;               /* user pool: the memory-pressure knob */
    const char *policy;            /* kernel policy name */
    uint64_t seed;
    bool thp;                      /* 2 MiB pages where aligned */
    uint64_t swap_bytes;           /* 0: no swap */
    const char *swap_path;         /* NULL: a temporary file. Created exclusively and
                                      removed at the end; an existing file only with
                                      swap_overwrite, never the input */
    bool swap_overwrite;
    uint64_t input_dev, input_ino; /* the input file (ino 0: none), which swap must not be */
    enum opt_ties opt_ties;
    struct replay_cost cost;
    uint64_t limit;                /* stop after this many records; 0: all */
    bool progress;                 /* progress line on stderr */
    uint64_t input_bytes;          /* size of a plain input file, for the progress percentage */
    const char *input_name;        /* the input, for messages (NULL: "the trace") */
    volatile sig_atomic_t *stop;   /* set asynchronously (Ctrl-C; with an atomic store, as
                                      other threads may read it): stop cleanly */
    const struct replay_hooks *hooks;   /* NULL: nobody watches */
    const struct run_watch *watch; /* a run trace's accesses and copies, as a run tells them
                                      (vmlab/run.h; pc 0: a trace knows no instruction);
                                      NULL: nobody watches */
    unsigned given;                /* REPLAY_GIVEN_*: fields the user set; for a run trace
                                      the others come from the run's own configuration */
};
enum {
    REPLAY_GIVEN_PT = 1u << 0, REPLAY_GIVEN_TLB = 1u << 1, REPLAY_GIVEN_FRAMES = 1u << 2,
    REPLAY_GIVEN_POLICY = 1u << 3, REPLAY_GIVEN_SWAP = 1u << 4, REPLAY_GIVEN_THP = 1u << 5,
    REPLAY_GIVEN_SEED = 1u << 6, REPLAY_GIVEN_REFILL = 1u << 7,
};
void replay_config_default(struct replay_config *cfg);

struct replay_source {
    struct trace_reader *reader;         /* either a reader */
    const struct trace_record *recs;     /* or records in memory */
    size_t nrecs;
    uint64_t skipped;                    /* records: malformed lines skipped loading them */
};

struct replay_result {
    struct cpu_stats cpu;
    struct vmstat vm;
    uint64_t records;              /* accesses replayed */
    uint64_t folded;               /* addresses folded into the format's user half */
    uint64_t skipped;              /* malformed lines skipped (--skip-bad) */
    uint64_t footprint;            /* distinct 4 KiB pages touched: the cold misses, the
                                      floor of pgfault (with 4 KiB pages) */
    uint64_t frames_used;          /* user frames in use at the end */
    uint64_t pt_pages;             /* page-table pages at the end */
    bool killed;                   /* the process was killed: the replay stopped there */
    char kill_msg[256];
    bool interrupted;              /* stopped by *stop */
    double seconds;                /* wall time of the replay loop */
    double eat_ns;                 /* effective access time */
    /* a run trace: the configuration it was replayed in (the run's, and the
     * options given), and its CPUs */
    bool run_trace;
    struct replay_config run;
    unsigned ncpus;
    uint64_t instructions;         /* a program run (vmlab sweep --run): instructions retired */
};

/* 0, or -1 with a message in err (bad configuration, trace error). A
 * killed process is not an error: the result says so. A reader of a run
 * trace (vmt version 2, trace_reader_version) is replayed by
 * replay_events: several CPUs and address spaces, as the run had them. */
int replay_run(const struct replay_config *cfg, struct replay_source *src,
               struct replay_result *res, char *err, size_t errlen);

/* A run trace (`vmlab run --trace-out`): every CPU and process of the run,
 * on a machine and kernel configured as the run's except for the fields of
 * cfg->given; res->run says what was used. 0, or -1 with err (also for a
 * trace that does not fit the configuration: a pid or an mmap that differs). */
int replay_events(const struct replay_config *cfg, struct trace_reader *r, struct replay_result *res,
                  char *err, size_t errlen);

/* Load the records of a reader into memory (for OPT and sweeps), at most
 * max of them (0: all). 0, or -1 with err. *recs is malloc'd. */
int replay_load(struct trace_reader *r, struct trace_record **recs, size_t *n, uint64_t max,
                char *err, size_t errlen);

/* The counters of a result as one flat list, in report order: the name is
 * the counter's name everywhere (text, JSON keys, CSV columns). */
enum replay_group {
    RG_ACCESS, RG_TLB, RG_WALK, RG_REFILL, RG_FAULT, RG_COW, RG_EVICT, RG_SWAP, RG_FLUSH, RG_OTHER,
    RG_KILL,
    RG_NGROUPS
};
extern const char *const replay_group_names[RG_NGROUPS];
struct replay_stat {
    const char *name;
    const char *desc;
    enum replay_group group;
    uint64_t value;
};
/* Fills out (up to max) and returns the number of counters. */
size_t replay_stats(const struct replay_result *res, struct replay_stat *out, size_t max);
#define REPLAY_MAX_STATS (CPU_STAT_NR + VMSTAT_NR + 8)

/* One counter of a result by its name (as in replay_stats); 0 if none. */
uint64_t replay_stat_value(const struct replay_result *res, const char *name);

/* The user half of the format's address space: [0, replay_user_top(fmt)).
 * Records of the 64-bit formats are folded into it (records-folded); the
 * 32-bit formats hold the whole 4 GiB, and a record beyond it is refused
 * (replay_run fails naming the input and the record). */
vaddr_t replay_user_top(const struct pt_format *fmt);

/* The largest user pool a replay's machine holds: its physical memory
 * (PHYSMEM_MAX_BYTES) less the page-table pool and frame 0. */
uint64_t replay_max_frames(void);

#endif
