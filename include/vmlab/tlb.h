/* vmlab/tlb.h — TLB hierarchy geometry and presets.
 *
 * Each CPU has an L1 instruction TLB, an L1 data TLB and an optional unified
 * second-level TLB (Intel's STLB, AMD's L2 DTLB). A level is made of one or
 * more arrays; each array holds a set of page sizes and has entries x ways
 * (ways == entries: fully associative). A translation whose page size an
 * array does not hold is stored there as the largest size it does hold that
 * fits ("splintered": AMD's "1G stored as 2M").
 *
 * Optional page-walk caches keep non-leaf entries (Intel's PML4E, PDPTE and
 * PDE caches; the same structure serves RISC-V), tagged with PCID/ASID and
 * the virtual-address bits above the level they point to.
 */
#ifndef VMLAB_TLB_H
#define VMLAB_TLB_H

#include <vmlab/types.h>

enum tlb_repl {
    TLB_REPL_LRU,      /* exact least-recently-used within a set */
    TLB_REPL_PLRU,     /* tree pseudo-LRU (ways must be a power of two) */
    TLB_REPL_RANDOM,   /* seeded, reproducible */
};

/* Page-size bits for tlb_array.sizes: bit s is TLB size s, of
 * 1 << tlb_size_shift[s] bytes. 4 MiB pages are those of 32-bit paging
 * (ia32) and Sv32; 2 MiB and 1 GiB those of the 64-bit formats. */
enum { TLB_4K = 1u << 0, TLB_2M = 1u << 1, TLB_1G = 1u << 2, TLB_4M = 1u << 3, TLB_ALL = 15u };
#define TLB_NSIZES 4
extern const unsigned char tlb_size_shift[TLB_NSIZES];   /* 12, 21, 30, 22 */

struct tlb_array {
    unsigned entries;      /* 0: array absent */
    unsigned ways;         /* entries % ways == 0; ways == entries: fully associative */
    unsigned sizes;        /* TLB_4K | TLB_2M | TLB_1G | TLB_4M */
};

#define TLB_MAX_ARRAYS 4
struct tlb_level {
    struct tlb_array array[TLB_MAX_ARRAYS];   /* unused slots have entries == 0 */
};

struct tlb_config {
    char name[32];
    struct tlb_level l1i, l1d, l2;            /* l2 with no arrays: no second level */
    enum tlb_repl repl;
    uint64_t seed;                             /* for TLB_REPL_RANDOM */
    /* Page-walk cache entries for non-leaf entries at levels 1..4
     * (pwc[1]: PDE cache, pwc[2]: PDPTE, pwc[3]: PML4E, pwc[4]: PML5E);
     * pwc[0] unused. 0 = no cache at that level. Fully associative, LRU. */
    unsigned pwc[5];
};

/* Presets: "golden-cove" (Intel, 12th-14th gen P-core), "zen4" (AMD),
 * "haswell" (Intel, 4th gen Core), "tiny" (a 8-entry fully associative L1
 * per side, no L2: for teaching), "none" (no TLB at all: every access
 * walks). NULL if unknown. */
const struct tlb_config *tlb_preset(const char *name);
/* Names of the presets, NULL-terminated. */
extern const char *const tlb_preset_names[];

/* Check a configuration; returns 0, or -1 with a message in err. */
int tlb_config_check(const struct tlb_config *cfg, char *err, size_t errlen);

/* Parse an explicit geometry and apply it to *cfg, e.g.
 *   "l1d=64x4,l1i=64x8,l2=1536x12,pwc=2/4/8/32,repl=plru"
 * A level is ENTRIESxWAYS[:SIZES] with SIZES from 4k,2m,1g,4m joined by '+',
 * "full" for WAYS means fully associative, and several arrays of one level
 * are separated by ';' as in "l1d=64x4:4k;32x4:2m". Returns 0 or -1 with a
 * message naming the bad part in err. */
int tlb_config_parse(struct tlb_config *cfg, const char *spec, char *err, size_t errlen);

/* Describe a configuration on one line, e.g. for reports. */
void tlb_config_describe(const struct tlb_config *cfg, char *buf, size_t len);

/* Where a page goes. A page of 1 << page_shift bytes is stored in a level
 * at the largest size the level's arrays hold that is no larger than the
 * page and is one of `allowed` (0: any), splintered into pieces of that
 * size if smaller. Returns the TLB size number, or -1 if none fits; *array
 * (if not NULL) is the index of the first array holding it. */
int tlb_level_piece(const struct tlb_level *lv, unsigned page_shift, unsigned allowed,
                    unsigned *array);
/* The TLB sizes (TLB_* bits) of the pages a format's leaves map, e.g.
 * TLB_4K | TLB_2M | TLB_1G for x86-64, TLB_4K | TLB_4M for ia32. Larger
 * RISC-V pages (512 GiB, 256 TiB) have no TLB size of their own. */
struct pt_format;
unsigned tlb_format_sizes(const struct pt_format *fmt);
/* Reach of a level for pages of 1 << page_shift bytes of format fmt: the
 * bytes its entries map when every page has that size (the entries of the
 * array that holds such pages times the size they are stored at); 0 if
 * the level holds none. */
uint64_t tlb_level_reach(const struct tlb_level *lv, const struct pt_format *fmt,
                         unsigned page_shift);
/* The reach of a level for each page size of fmt on one line, e.g.
 * "4 KiB pages: 96 x 4 KiB = 384 KiB; 2 MiB pages: 32 x 2 MiB = 64 MiB; ..."
 * ("none" for a level without arrays). */
void tlb_reach_describe(const struct tlb_level *lv, const struct pt_format *fmt, char *buf,
                        size_t len);
/* "4 KiB", "2 MiB", "4 MiB", "1 GiB", "512 GiB", "256 TiB": a page size by its shift. */
const char *tlb_page_size_name(unsigned page_shift);

#endif
