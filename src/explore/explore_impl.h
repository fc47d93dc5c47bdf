/* explore_impl.h — the explorer's record (explore.c) as the page writer
 * (explore_page.c) reads it. */
#ifndef VMLAB_EXPLORE_IMPL_H
#define VMLAB_EXPLORE_IMPL_H

#include "explore/explore.h"

/* JSON text being built; failed sticks once memory ran out. */
struct xbuf {
    char *p;
    size_t len, cap;
    bool failed;
};
void xb_printf(struct xbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s[0..len) as a JSON string, with '<' escaped (the data sits in a <script>),
 * and the bytes that takes. */
void xb_str(struct xbuf *b, const char *s, size_t len);
size_t xb_str_len(const char *s, size_t len);

/* The distinct lines of the steps' texts. */
struct dict {
    char **line;
    size_t *len;
    size_t n, cap;
    uint32_t *slot;            /* open addressing: line index, UINT32_MAX empty */
    size_t nslots;
    size_t bytes;              /* their size as JSON, about */
};

/* Page-table entries seen, by physical address. */
struct ptmap {
    uint64_t *key, *val;       /* key: pa + 1 (0: empty) */
    size_t n, cap;
};

struct explorer {
    char *title, *input, *config;
    uint64_t from, max_bytes;
    struct machine *m;
    struct kernel *k;
    struct cpu *cpu;
    struct physmem *pm;
    const struct pt_format *fmt;
    paddr_t root;
    /* the mirrors */
    unsigned tslots[VM_TLB_NLEVELS];
    struct vm_tlb_slot *tlb[VM_TLB_NLEVELS];
    unsigned pslots[5];
    struct vm_pwc_slot *pwc[5];
    struct ptmap pt;
    uint64_t nframes, allframes;   /* frames shown (the first EXPLORE_MAX_FRAMES), and all */
    struct kernel_frame_info *fr, *frtmp;
    struct kernel_policy_info pol;
    struct kernel_slot_info *sw;
    uint64_t nsw, nslots;
    struct cpu_stats cs;
    struct vmstat vs;
    /* the record */
    struct xbuf geom;          /* the TLB levels' arrays */
    struct xbuf init;          /* the state the first step starts from */
    struct xbuf steps;         /* one object per step, comma-separated */
    struct dict dict;
    uint64_t nsteps;
    size_t fixed_bytes;        /* the page without lines and steps (explore_page.c) */
    bool full;                 /* the budget stopped it */
    bool sep;                  /* a comma before the next element of the list being written */
    char note[256];
    char *textbuf;             /* a step's text */
    size_t textlen;
};

/* The bytes of the page without its lines and steps, with room for the
 * note and the counts (0: out of memory). */
size_t explorer_fixed_bytes(const struct explorer *x);

#endif
