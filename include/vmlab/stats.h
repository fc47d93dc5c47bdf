/* vmlab/stats.h — counters of the machine.
 *
 * Counters are named after the perf events they mirror where one exists,
 * and keep that name in every output (C API, text report, JSON, CSV).
 * The list below is the single source: it generates the enum, the names
 * and the descriptions.
 *
 * dTLB-load-misses and dTLB-store-misses count accesses that missed every
 * TLB level and needed a page walk (as Intel's DTLB_*_MISSES.MISS_CAUSES_A_WALK
 * behind perf's generic events); an L1 miss that hits the L2 TLB is counted
 * in dTLB-l1-misses and stlb-hits.
 */
#ifndef VMLAB_STATS_H
#define VMLAB_STATS_H

#include <vmlab/types.h>

#define VMLAB_CPU_STATS(X)                                                                  \
    X(ACCESSES,           "accesses",           "memory accesses (loads, stores, fetches)") \
    X(DTLB_LOADS,         "dTLB-loads",         "loads looked up in the data TLB")        \
    X(DTLB_LOAD_MISSES,   "dTLB-load-misses",   "loads that missed every TLB level")      \
    X(DTLB_STORES,        "dTLB-stores",        "stores looked up in the data TLB")       \
    X(DTLB_STORE_MISSES,  "dTLB-store-misses",  "stores that missed every TLB level")     \
    X(ITLB_LOADS,         "iTLB-loads",         "fetches looked up in the instruction TLB") \
    X(ITLB_LOAD_MISSES,   "iTLB-load-misses",   "fetches that missed every TLB level")    \
    X(DTLB_L1_MISSES,     "dTLB-l1-misses",     "data accesses that missed the L1 DTLB")  \
    X(ITLB_L1_MISSES,     "iTLB-l1-misses",     "fetches that missed the L1 ITLB")        \
    X(STLB_HITS,          "stlb-hits",          "L1 misses that hit the L2 TLB")          \
    X(TLB_DIRTY_REWALKS,  "tlb-dirty-rewalks",  "stores that hit a TLB entry cached with D=0, so walked again to set D") \
    X(WALKS,              "walks",              "page walks started")                     \
    X(WALK_REFS,          "walk-mem-refs",      "page-table entries read by walks")       \
    X(WALK_AD_UPDATES,    "walk-ad-updates",    "A/D bits set by the walker (compare-and-swap)") \
    X(WALK_RESTARTS,      "walk-restarts",      "walks restarted after a lost A/D compare-and-swap") \
    X(PWC_HITS,           "pwc-hits",           "walks that started from a page-walk-cache entry") \
    X(PWC_MISSES,         "pwc-misses",         "walks that found no page-walk-cache entry") \
    X(REFILL_TRAPS,       "refill-traps",       "TLB misses trapped to the software refill handler") \
    X(REFILL_MODIFIED_TRAPS,"refill-modified-traps","stores through a software-written entry without D (TLB Modified)") \
    X(REFILL_WRITES_INDEXED,"refill-writes-indexed","TLB entries written at an index (TLBWI)") \
    X(REFILL_WRITES_RANDOM,"refill-writes-random","TLB entries written where the replacement chooses (TLBWR)") \
    X(REFILL_PROBES,      "refill-probes",      "TLB probes (TLBP)")                      \
    X(REFILL_READS,       "refill-reads",       "TLB entries read (TLBR)")                \
    X(PAGE_FAULTS,        "page-faults",        "page faults the CPU raised (#PF; RISC-V 12/13/15); the kernel's count is pgfault") \
    X(GP_FAULTS,          "gp-faults",          "general-protection faults (non-canonical x86 address)") \
    X(FLUSH_CR3,          "flush-cr3",          "address-space switches (MOV to CR3) that flushed the TLB")                \
    X(FLUSH_CR3_NOFLUSH,  "flush-cr3-noflush",  "address-space switches that kept the TLB (CR3 bit 63: the PCID holds no stale entry)")       \
    X(FLUSH_CR4,          "flush-cr4",          "flushes caused by CR4 writes")           \
    X(FLUSH_INVLPG,       "flush-invlpg",       "INVLPG")                                 \
    X(FLUSH_INVPCID0,     "flush-invpcid-addr", "INVPCID type 0 (one address)")           \
    X(FLUSH_INVPCID1,     "flush-invpcid-ctx",  "INVPCID type 1 (one PCID)")              \
    X(FLUSH_INVPCID2,     "flush-invpcid-all-g","INVPCID type 2 (all, globals too)")      \
    X(FLUSH_INVPCID3,     "flush-invpcid-all",  "INVPCID type 3 (all but globals)")       \
    X(FLUSH_SFENCE_ALL,   "flush-sfence-all",   "SFENCE.VMA x0, x0")                      \
    X(FLUSH_SFENCE_ASID,  "flush-sfence-asid",  "SFENCE.VMA x0, asid")                    \
    X(FLUSH_SFENCE_VA,    "flush-sfence-va",    "SFENCE.VMA va, x0")                      \
    X(FLUSH_SFENCE_VA_ASID,"flush-sfence-va-asid","SFENCE.VMA va, asid")                  \
    X(TLB_ENTRIES_FLUSHED,"tlb-entries-flushed","TLB entries removed by any invalidation") \
    X(SHOOTDOWNS_SENT,    "shootdowns-sent",    "shootdown requests sent to other CPUs")  \
    X(SHOOTDOWNS_RECEIVED,"shootdowns-received","shootdown requests received from other CPUs (the sender's own part is a local flush)") \
    X(SHOOTDOWN_PAGES,    "shootdown-pages",    "pages a shootdown invalidated one at a time (INVLPG each) on this CPU") \
    X(SHOOTDOWN_FULL,     "shootdown-full",     "shootdowns handled by flushing a whole PCID/ASID")

enum cpu_stat {
#define VMLAB_STAT_ENUM(id, name, desc) CPU_STAT_##id,
    VMLAB_CPU_STATS(VMLAB_STAT_ENUM)
#undef VMLAB_STAT_ENUM
    CPU_STAT_NR
};

struct cpu_stats {
    uint64_t v[CPU_STAT_NR];
};

extern const char *const cpu_stat_names[CPU_STAT_NR];
extern const char *const cpu_stat_descs[CPU_STAT_NR];

/* Index of a counter by name; -1 if none. */
int cpu_stat_index(const char *name);

#endif
