/* cpu.c — a CPU's memory accesses: TLB lookup, walk, fault delivery.
 *
 * translate_page() is the whole story of one access to one page:
 *   memo (recent L1 hits, see cpu_impl.h) -> L1 TLB -> L2 TLB -> page-walk
 *   caches -> walk (with software refill: a trap to the handler instead)
 *   -> on a fault, the kernel's handler, then try again.
 * Entries cache the rights combined over the walk, and D: a store that
 * hits an entry filled while D was 0 walks again so the walker sets D
 * (SDM 4.8), and a hit whose rights do not allow the access walks again
 * too, since the kernel may have raised the rights without a flush.
 */
#include "hw/cpu_impl.h"
#include "hw/physmem_impl.h"

#include <assert.h>
#include <string.h>

/* A handler that keeps answering "retry" without fixing anything would
 * hang the simulator; past this many faults on one access, the access
 * fails. */
#define MAX_FAULT_RETRIES 10000

static inline bool want_right(const struct cpu_memo *mm, enum vm_access acc)
{
    return acc == VM_ACCESS_WRITE ? mm->write : mm->read;
}

static inline struct cpu_memo *memo_slot(struct cpu *c, bool fetch, vaddr_t va)
{
    /* the byte offset of slot (va >> 12) % MEMO_SLOTS, in two operations */
    _Static_assert(sizeof(struct cpu_memo) == 64, "a memo slot is one cache line");
    char *side = (char *)(fetch ? c->imemo : c->dmemo);
    return (struct cpu_memo *)(side + ((va >> (VM_PAGE_SHIFT - 6)) & ((MEMO_SLOTS - 1) << 6)));
}

/* Is the slot a live memo of va's page? */
static inline bool memo_live(const struct cpu *c, const struct cpu_memo *mm, vaddr_t va)
{
    return mm->vpage == va >> VM_PAGE_SHIFT && mm->gen == c->memo_gen && mm->u->seq == mm->seq;
}

/* A memo hit stands for an L1 probe that hits: touch the entry. */
static inline void memo_touch(struct cpu *c, const struct cpu_memo *mm)
{
    tlb_touch_use(&c->tlb, mm->a, mm->u, mm->set, mm->way);
}

/* The part of a touch the inline fast paths do themselves: an LRU stamp
 * (below the renumbering limit), or nothing for random replacement. False
 * if the access must take the slow path to be touched (tree-PLRU). */
static inline bool memo_touch_fast(struct cpu *c, const struct cpu_memo *mm)
{
    if (c->tlb.repl == TLB_REPL_LRU) {
        uint32_t clock = mm->a->clock;
        if (__builtin_expect(clock >= TLB_CLOCK_LIMIT, 0))
            return false;
        mm->a->clock = clock + 1;
        mm->u->stamp = clock + 1;
        return true;
    }
    return c->tlb.repl == TLB_REPL_RANDOM;
}

static void memo_set(struct cpu *c, bool fetch, vaddr_t va, paddr_t pa, struct tlb_entry *e,
                     const struct tlb_where *w)
{
    if (__builtin_expect(c->obs != NULL, 0))
        return;                              /* observed: every access takes the path that tells */
    if (__builtin_expect(c->tlb.seq_wrapped, 0)) {
        c->tlb.seq_wrapped = false;          /* entry seqs may repeat: start over */
        for (unsigned i = 0; i < MEMO_SLOTS; i++)
            c->dmemo[i].vpage = c->imemo[i].vpage = MEMO_NONE;
    }
    if (!physmem_contains(c->pm, VM_ALIGN_DOWN(pa, VM_PAGE_SIZE), VM_PAGE_SIZE))
        return;                              /* no memory there: the slow path reports it */
    struct cpu_memo *mm = memo_slot(c, fetch, va);
    mm->vpage = va >> VM_PAGE_SHIFT;
    mm->pa = VM_ALIGN_DOWN(pa, VM_PAGE_SIZE);
    mm->host = c->membase + mm->pa;
    mm->u = tlb_use_at(w);
    mm->a = w->a;
    mm->set = w->set;
    mm->way = w->way;
    mm->seq = mm->u->seq;
    mm->gen = c->memo_gen;
    if (fetch) {
        mm->read = walk_allowed(&c->env, e->prot, VM_ACCESS_FETCH);
        mm->write = false;
    } else {
        mm->read = walk_allowed(&c->env, e->prot, VM_ACCESS_READ) &&
                   !walk_pkey_denied(&c->env, e->pkey, e->prot, VM_ACCESS_READ);
        mm->write = (e->flags & TLBE_DIRTY) && walk_allowed(&c->env, e->prot, VM_ACCESS_WRITE) &&
                    !walk_pkey_denied(&c->env, e->pkey, e->prot, VM_ACCESS_WRITE);
    }
}

static paddr_t entry_pa(const struct tlb_entry *e, vaddr_t va)
{
    return e->base | (va & (((uint64_t)1 << tlb_entry_shift(e)) - 1));
}

/* What an observed CPU's lookup found (observe.h), for its event. */
struct lookup_note {
    unsigned hit;                /* 0: missed; 1: the L1 hit; 2: the L2 */
    enum vm_tlb_level level;     /* the entry's, and where it is: */
    struct tlb_where where;
};

/* Look the page up in L1 then L2, filling L1 from an L2 hit. *in_l1 says
 * whether the entry returned is an L1 entry (at *w). `count`: the first
 * lookup of an access counts its misses; the lookups of an access retried
 * after a fault do not, so that every access counts once. `note` (an
 * observed CPU's, else NULL) says which level hit, and where. */
static struct tlb_entry *lookup(struct cpu *c, vaddr_t va, bool fetch, struct tlb_where *w,
                                bool *in_l1, bool count, struct lookup_note *note)
{
    struct tlb_level_state *l1 = fetch ? &c->tlb.l1i : &c->tlb.l1d;
    struct tlb_entry *e = tlb_lookup(&c->tlb, l1, va, c->asid, w);
    *in_l1 = true;
    if (e) {
        if (__builtin_expect(note != NULL, 0))
            *note = (struct lookup_note){1, fetch ? VM_TLB_L1I : VM_TLB_L1D, *w};
        return e;
    }
    if (count)
        stat_add(c, fetch ? CPU_STAT_ITLB_L1_MISSES : CPU_STAT_DTLB_L1_MISSES, 1);
    struct tlb_entry *e2 = tlb_lookup(&c->tlb, &c->tlb.l2, va, c->asid, note ? &note->where : NULL);
    if (note) {
        note->hit = e2 ? 2 : 0;
        note->level = VM_TLB_L2;
    }
    if (!e2)
        return NULL;
    if (count)
        stat_add(c, CPU_STAT_STLB_HITS, 1);
    /* pages are aligned physically, so the page's base is the piece's
     * base rounded down to the page size. The L1 probe just missed for va
     * under c->asid at every size: when the fill is for that ASID (not a
     * global entry of another), it has no entry to refresh. */
    struct tlb_fill f = {
        .va = va, .page_base = e2->base & ~(((uint64_t)1 << e2->page_shift) - 1),
        .page_shift = e2->page_shift, .sizes = c->fmt_sizes, .prot = e2->prot,
        .global = e2->flags & TLBE_GLOBAL, .dirty = e2->flags & TLBE_DIRTY, .asid = e2->asid,
        .pkey = e2->pkey, .absent = e2->asid == c->asid,
    };
    e = tlb_insert(&c->tlb, l1, &f, w);
    if (e)
        return e;
    *in_l1 = false;               /* no L1 array at all: use L2's entry */
    return e2;
}

/* Walk va (canonical), starting from the deepest page-walk-cache hit, and
 * fill the caches. `log`: an observed CPU's record of the walk, or NULL.
 * `pwc_cold`: the page-walk caches are known to hold nothing for va under
 * c->asid (a page fault on va flushed them and nothing was cached since),
 * so the lookup, which would miss at every level, is not made. */
static int walk(struct cpu *c, vaddr_t va, enum vm_access acc, struct walk_result *res,
                struct vm_ev_walk *log, bool pwc_cold)
{
    const struct pt_format *fmt = c->env.fmt;
    struct walk_start s;
    unsigned level;
    stat_add(c, CPU_STAT_WALKS, 1);
    struct pwc_entry *p = pwc_cold ? NULL : pwc_lookup(&c->tlb, fmt, va, c->asid, &level);
    bool pwc_missed = false;
    if (p) {
        stat_add(c, CPU_STAT_PWC_HITS, 1);
        s.level = level - 1;
        s.table = p->next;
        s.prot = p->prot;
        s.global = p->global;
    } else {
        pwc_missed = c->tlb.pwc[1].n || c->tlb.pwc[2].n || c->tlb.pwc[3].n || c->tlb.pwc[4].n;
        if (pwc_missed)
            stat_add(c, CPU_STAT_PWC_MISSES, 1);
        walk_start_at_root(&c->env, &s);
    }
    struct walk_path path;
    path.log = log;
    if (__builtin_expect(log != NULL, 0)) {
        log->pwc_level = p ? (int)s.level : -1;
        log->pwc_missed = pwc_missed;
        log->start = s.table;
    }
    int r = walk_run(c->pm, &c->env, va, acc, &s, res, &c->last_fault, &path);
    stat_add(c, CPU_STAT_WALK_REFS, res->refs);
    stat_add(c, CPU_STAT_WALK_AD_UPDATES, res->ad_updates);
    stat_add(c, CPU_STAT_WALK_RESTARTS, res->restarts);
    if (r == 0)
        for (unsigned l = path.leaf + 1; l <= path.top; l++)
            pwc_insert(&c->tlb, fmt, l, va, c->asid, path.next[l], path.prot[l], path.global[l],
                       true);   /* levels below the walk's start: pwc_lookup missed them */
    return r;
}

/* The walk of an observed CPU: recorded, then told. */
static __attribute__((noinline)) int walk_observed(struct cpu *c, vaddr_t va, enum vm_access acc,
                                                   struct walk_result *res, bool pwc_cold)
{
    struct vm_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = VM_EV_WALK;
    struct vm_ev_walk *w = &ev.walk;
    w->va = va;
    w->acc = acc;
    w->asid = c->asid;
    int r = walk(c, va, acc, res, w, pwc_cold);
    w->refs = res->refs;
    w->ad_updates = res->ad_updates;
    w->restarts = res->restarts;
    if (r == 0) {
        w->ok = true;
        w->pa = res->pa;
        w->page_base = res->page_base;
        w->page_shift = pt_fmt_shift(c->env.fmt, res->level);
        w->prot = res->prot;
        w->global = res->global;
        w->dirty = res->dirty;
    }
    cpu_observe(c, &ev);
    return r;
}

/* What a lookup of an observed CPU found, and what became of it. */
static void observe_lookup(struct cpu *c, vaddr_t va, enum vm_access acc, bool counted,
                           const struct lookup_note *n, const struct tlb_entry *e,
                           enum vm_tlb_verdict verdict)
{
    struct vm_event ev = {.kind = VM_EV_TLB_LOOKUP};
    struct vm_ev_tlb_lookup *l = &ev.tlb;
    l->va = va;
    l->acc = acc;
    l->asid = c->asid;
    l->counted = counted;
    l->hit = e ? n->hit : 0;
    l->has_l1 = (acc == VM_ACCESS_FETCH ? c->tlb.l1i.n : c->tlb.l1d.n) > 0;
    l->has_l2 = c->tlb.l2.n > 0;
    l->verdict = verdict;
    if (e) {
        l->entry_shift = tlb_entry_shift(e);
        l->entry_va = e->vpn << l->entry_shift;
        l->page_shift = e->page_shift;
        l->frame = e->base;
        l->prot = e->prot;
        l->global = e->flags & TLBE_GLOBAL;
        l->dirty = e->flags & TLBE_DIRTY;
        l->entry_asid = e->asid;
        const struct tlb_level_state *lv = n->level == VM_TLB_L1I ? &c->tlb.l1i
                                         : n->level == VM_TLB_L1D ? &c->tlb.l1d : &c->tlb.l2;
        l->level = n->level;
        l->array = (unsigned)(n->where.a - lv->a);
        l->set = n->where.set;
        l->way = n->where.way;
    }
    cpu_observe(c, &ev);
}

static void observe_fault(struct cpu *c, bool tlb_hit)
{
    struct vm_event ev = {.kind = VM_EV_FAULT};
    ev.fault.f = c->last_fault;
    ev.fault.tlb_hit = tlb_hit;
    cpu_observe(c, &ev);
}

/* Fill L2 and the side's L1; returns the L1 entry (NULL if no L1 array).
 * `absent`: the walk followed a lookup that missed both levels for va
 * under c->asid (globals included), so neither has an entry to refresh. */
static struct tlb_entry *fill(struct cpu *c, vaddr_t va, bool fetch, const struct walk_result *res,
                              struct tlb_where *w, bool absent)
{
    bool global = res->global;
    if (c->env.fmt->arch == PT_ARCH_X86 && !(c->cr4 & X86_CR4_PGE))
        global = false;                    /* G is ignored without CR4.PGE */
    /* RISC-V 512G/256T pages are stored as 1G pieces (tlb_insert) */
    struct tlb_fill f = {
        .va = va, .page_base = res->page_base, .page_shift = pt_fmt_shift(c->env.fmt, res->level),
        .sizes = c->fmt_sizes, .prot = res->prot, .global = global, .dirty = res->dirty,
        .asid = c->asid, .pkey = (uint8_t)res->pkey, .absent = absent,
    };
    tlb_insert(&c->tlb, &c->tlb.l2, &f, NULL);
    return tlb_insert(&c->tlb, fetch ? &c->tlb.l1i : &c->tlb.l1d, &f, w);
}

/* A page fault invalidates the TLB and paging-structure-cache entries that
 * would be used for the faulting address (SDM 4.10.4.1), so the kernel's
 * fix-up is seen without a flush of its own. `tlb_hit`: the access found
 * an entry (whose rights did not do); if it missed both levels, no entry
 * for the address exists and only the page-walk caches need the flush. */
static void fault_flush(struct cpu *c, vaddr_t va, bool tlb_hit)
{
    pwc_flush_va(&c->tlb, c->env.fmt, c->asid, va);   /* only the entries this address would use */
    if (!tlb_hit)
        return;
    struct tlb_filter flt = {.by_va = true, .va = va, .by_asid = true, .asid = c->asid};
    tlb_flush(&c->tlb, &flt);
    memo_clear(c);
}

/* Deliver the fault in c->last_fault; true if the access should be retried. */
static bool deliver_fault(struct cpu *c, bool tlb_hit)
{
    struct vm_fault *f = &c->last_fault;
    switch (f->type) {
    case FAULT_GP: stat_add(c, CPU_STAT_GP_FAULTS, 1); break;
    case FAULT_TLB_REFILL: stat_add(c, CPU_STAT_REFILL_TRAPS, 1); break;
    case FAULT_TLB_MODIFIED: stat_add(c, CPU_STAT_REFILL_MODIFIED_TRAPS, 1); break;
    default: stat_add(c, CPU_STAT_PAGE_FAULTS, 1); break;     /* FAULT_PAGE (bus errors are not delivered) */
    }
    if (f->type == FAULT_PAGE && !c->soft_refill)   /* software rewrites what it wants */
        fault_flush(c, f->addr, tlb_hit);
    if (!c->m->fault_fn)
        return false;
    return c->m->fault_fn(c, f, c->m->fault_arg) == FAULT_RETRY;
}

/* Software refill: what a miss, or a hit that does not do, traps with. A
 * hit whose rights allow the access is a store through an entry without
 * D: TLB Modified. Otherwise a protection page fault. */
static void soft_trap(struct cpu *c, vaddr_t va, enum vm_access acc, const struct tlb_entry *e,
                      bool allowed)
{
    struct vm_fault *f = &c->last_fault;
    if (e && !allowed) {
        walk_rights_fault(&c->env, va, acc, walk_pkey_denied(&c->env, e->pkey, e->prot, acc), f);
        return;
    }
    memset(f, 0, sizeof *f);
    f->type = e ? FAULT_TLB_MODIFIED : FAULT_TLB_REFILL;
    f->addr = va;
    f->access = acc;
    f->priv = c->env.priv;
    f->not_present = !e;
}

static int no_paging(struct cpu *c, vaddr_t va, enum vm_access acc, paddr_t *pa)
{
    if (va >= physmem_size(c->pm)) {
        memset(&c->last_fault, 0, sizeof c->last_fault);
        c->last_fault.type = FAULT_GP;
        c->last_fault.addr = va;
        c->last_fault.access = acc;
        c->last_fault.priv = c->env.priv;
        return -1;
    }
    *pa = va;
    return 0;
}

/* Translate one page's worth of access (counted as one TLB lookup). */
int translate_page(struct cpu *c, vaddr_t va, enum vm_access acc, paddr_t *pa)
{
    bool fetch = acc == VM_ACCESS_FETCH;
    enum cpu_stat lookup_stat = fetch ? CPU_STAT_ITLB_LOADS
                              : acc == VM_ACCESS_WRITE ? CPU_STAT_DTLB_STORES : CPU_STAT_DTLB_LOADS;
    enum cpu_stat miss_stat = fetch ? CPU_STAT_ITLB_LOAD_MISSES
                            : acc == VM_ACCESS_WRITE ? CPU_STAT_DTLB_STORE_MISSES
                                                     : CPU_STAT_DTLB_LOAD_MISSES;
    stat_add(c, lookup_stat, 1);

    bool skip_lookup = false, pwc_flushed = false;   /* see below */
    for (unsigned tries = 0;; tries++) {
        if (__atomic_load_n(&c->ipi_pending, __ATOMIC_RELAXED))
            cpu_poll(c);
        if (!c->paging)
            return no_paging(c, va, acc, pa);
        struct cpu_memo *mm = memo_slot(c, fetch, va);
        if (memo_live(c, mm, va) && want_right(mm, acc)) {
            memo_touch(c, mm);
            *pa = mm->pa | (va & VM_PAGE_MASK);
            return 0;
        }
        struct tlb_where w;
        bool in_l1;
        struct tlb_entry *e = NULL;
        struct lookup_note note, *nt = __builtin_expect(c->obs != NULL, 0) ? &note : NULL;
        if (__builtin_expect(!pt_canonical(c->env.fmt, va), 0)) {
            /* #GP or a page fault before any TLB lookup: nothing is
             * probed, walked or counted but the fault itself */
            walk_bad_address(&c->env, va, acc, &c->last_fault);
            goto fault;
        }
        if (__builtin_expect(!skip_lookup, 1))
            e = lookup(c, va, fetch, &w, &in_l1, tries == 0, nt);
        if (e) {
            bool ok = walk_allowed(&c->env, e->prot, acc) &&
                      !walk_pkey_denied(&c->env, e->pkey, e->prot, acc);
            if (ok && (acc != VM_ACCESS_WRITE || (e->flags & TLBE_DIRTY))) {
                *pa = entry_pa(e, va);
                if (__builtin_expect(nt != NULL, 0))
                    observe_lookup(c, va, acc, tries == 0, nt, e, VM_TLB_USED);
                if (in_l1)
                    memo_set(c, fetch, va, *pa, e, &w);
                return 0;
            }
            if (__builtin_expect(c->soft_refill, 0)) {
                if (nt)
                    observe_lookup(c, va, acc, tries == 0, nt, e, VM_TLB_TRAP);
                soft_trap(c, va, acc, e, ok);           /* TLB Modified, or a protection fault */
                goto fault;
            }
            if (ok)
                stat_add(c, CPU_STAT_TLB_DIRTY_REWALKS, 1);
            if (nt)
                observe_lookup(c, va, acc, tries == 0, nt, e,
                               ok ? VM_TLB_DIRTY_REWALK : VM_TLB_RIGHTS_REWALK);
        } else if (nt && !skip_lookup) {
            observe_lookup(c, va, acc, tries == 0, nt, NULL, VM_TLB_MISSED);
        }
        if (tries == 0)
            stat_add(c, miss_stat, 1);
        if (__builtin_expect(c->soft_refill, 0)) {
            soft_trap(c, va, acc, NULL, false);         /* no walker: the refill handler's turn */
            goto fault;
        }
        struct walk_result res;
        bool pwc_cold = skip_lookup && pwc_flushed;
        if ((__builtin_expect(nt != NULL, 0) ? walk_observed(c, va, acc, &res, pwc_cold)
                                             : walk(c, va, acc, &res, NULL, pwc_cold)) == 0) {
            /* a miss (or a skipped lookup that would have missed) leaves
             * nothing to refresh */
            struct tlb_entry *ne = fill(c, va, fetch, &res, &w, e == NULL);
            *pa = res.pa;
            if (ne)
                memo_set(c, fetch, va, *pa, ne, &w);
            return 0;
        }
    fault:
        if (tries >= MAX_FAULT_RETRIES)
            return -1;
        if (__builtin_expect(c->obs != NULL, 0))
            observe_fault(c, e != NULL);
        uint32_t seq = c->tlb.seq;
        uint16_t asid = c->asid;
        pwc_flushed = c->last_fault.type == FAULT_PAGE && !c->soft_refill;   /* fault_flush */
        if (!deliver_fault(c, e != NULL))
            return -1;
        /* The retry's lookup can be skipped if this one missed and nothing
         * has been filled since (tlb.seq counts fills; a flush only
         * removes) under the same ASID: it would miss again, and a miss
         * changes no replacement state and, on a retry, no counter. Only
         * a walk that succeeds fills the page-walk caches, and it fills
         * the TLB too: so after a page fault, which flushed va's
         * page-walk-cache entries, they still hold nothing for va. */
        skip_lookup = !e && c->tlb.seq == seq && c->asid == asid;
    }
}

int cpu_translate(struct cpu *cpu, vaddr_t va, enum vm_access acc, paddr_t *pa)
{
    stat_add(cpu, CPU_STAT_ACCESSES, 1);
    return translate_page(cpu, va, acc, pa);
}

/* The translation of va gave pa, but [pa, pa+len) is not memory: a bus
 * error. The kernel made a bad mapping; the access fails. */
static bool bus_error(struct cpu *c, vaddr_t va, paddr_t pa, uint64_t len, enum vm_access acc)
{
    if (__builtin_expect(physmem_contains(c->pm, pa, len), 1))
        return false;
    memset(&c->last_fault, 0, sizeof c->last_fault);
    c->last_fault.type = FAULT_BUS;
    c->last_fault.addr = va;
    c->last_fault.access = acc;
    c->last_fault.priv = c->env.priv;
    return true;
}

/* Translate every page of [va, va+len) before any byte moves. Up to two
 * pages, as a single load or store of at most 8 bytes can touch. */
static int translate_span(struct cpu *c, vaddr_t va, unsigned len, enum vm_access acc, paddr_t pa[2])
{
    stat_add(c, CPU_STAT_ACCESSES, 1);
    if (translate_page(c, va, acc, &pa[0]))
        return -1;
    vaddr_t last = va + len - 1;
    if ((last ^ va) >> VM_PAGE_SHIFT == 0)
        return 0;
    return translate_page(c, VM_ALIGN_DOWN(last, VM_PAGE_SIZE), acc, &pa[1]);
}

static unsigned first_part(vaddr_t va, unsigned len)
{
    uint64_t room = VM_PAGE_SIZE - (va & VM_PAGE_MASK);
    return len < room ? len : (unsigned)room;
}

/* The slow path of a load: translate every page touched, then read. */
static __attribute__((noinline)) int load_slow(struct cpu *c, vaddr_t va, unsigned size,
                                               uint64_t *val, enum vm_access acc)
{
    assert(size == 1 || size == 2 || size == 4 || size == 8);
    paddr_t pa[2];
    if (translate_span(c, va, size, acc, pa))
        return -1;
    unsigned n = first_part(va, size);
    if (bus_error(c, va, pa[0], n, acc) ||
        (n < size && bus_error(c, va + n, pa[1], size - n, acc)))
        return -1;
    if (n == size) {
        *val = physmem_load(c->pm, pa[0], size);
        return 0;
    }
    uint8_t b[8] = {0};
    physmem_read(c->pm, pa[0], b, n);
    physmem_read(c->pm, pa[1], b + n, size - n);
    uint64_t v = 0;
    memcpy(&v, b, size);
    *val = v;
    return 0;
}

/* The hit fast path: a live memo, the access within one page, no
 * shootdown pending. It does exactly what an L1 hit does: touch the entry,
 * count the access and the lookup. */
static inline __attribute__((always_inline)) int load(struct cpu *c, vaddr_t va, unsigned size,
                                                      uint64_t *val, enum vm_access acc)
{
    bool fetch = acc == VM_ACCESS_FETCH;
    struct cpu_memo *mm = memo_slot(c, fetch, va);
    if (__builtin_expect(memo_live(c, mm, va) && mm->read && size <= 8 &&
                             (va & VM_PAGE_MASK) + size <= VM_PAGE_SIZE &&
                             !__atomic_load_n(&c->ipi_pending, __ATOMIC_RELAXED) &&
                             memo_touch_fast(c, mm), 1)) {
        stat_add(c, CPU_STAT_ACCESSES, 1);
        stat_add(c, fetch ? CPU_STAT_ITLB_LOADS : CPU_STAT_DTLB_LOADS, 1);
        *val = host_load(mm->host + (va & VM_PAGE_MASK), size);
        return 0;
    }
    return load_slow(c, va, size, val, acc);
}

int cpu_load(struct cpu *cpu, vaddr_t va, unsigned size, uint64_t *val)
{
    return load(cpu, va, size, val, VM_ACCESS_READ);
}

int cpu_fetch(struct cpu *cpu, vaddr_t va, unsigned size, uint64_t *val)
{
    return load(cpu, va, size, val, VM_ACCESS_FETCH);
}

static __attribute__((noinline)) int store_slow(struct cpu *c, vaddr_t va, unsigned size, uint64_t val)
{
    assert(size == 1 || size == 2 || size == 4 || size == 8);
    paddr_t pa[2];
    if (translate_span(c, va, size, VM_ACCESS_WRITE, pa))
        return -1;
    unsigned n = first_part(va, size);
    if (bus_error(c, va, pa[0], n, VM_ACCESS_WRITE) ||
        (n < size && bus_error(c, va + n, pa[1], size - n, VM_ACCESS_WRITE)))
        return -1;
    if (n == size) {
        physmem_store(c->pm, pa[0], size, val);
        return 0;
    }
    uint8_t b[8];
    memcpy(b, &val, sizeof b);
    physmem_write(c->pm, pa[0], b, n);
    physmem_write(c->pm, pa[1], b + n, size - n);
    return 0;
}

int cpu_store(struct cpu *c, vaddr_t va, unsigned size, uint64_t val)
{
    struct cpu_memo *mm = memo_slot(c, false, va);
    if (__builtin_expect(memo_live(c, mm, va) && mm->write && size <= 8 &&
                             (va & VM_PAGE_MASK) + size <= VM_PAGE_SIZE &&
                             !__atomic_load_n(&c->ipi_pending, __ATOMIC_RELAXED) &&
                             memo_touch_fast(c, mm), 1)) {
        stat_add(c, CPU_STAT_ACCESSES, 1);
        stat_add(c, CPU_STAT_DTLB_STORES, 1);
        host_store(mm->host + (va & VM_PAGE_MASK), size, val);
        return 0;
    }
    return store_slow(c, va, size, val);
}

static __attribute__((noinline)) int touch_slow(struct cpu *c, vaddr_t va, unsigned size,
                                                enum vm_access acc)
{
    paddr_t pa[2];
    if (size == 0)
        size = 1;
    if (size > VM_PAGE_SIZE) {                 /* a long access: every page it spans */
        for (vaddr_t p = VM_ALIGN_DOWN(va, VM_PAGE_SIZE); p < va + size; p += VM_PAGE_SIZE)
            if (translate_span(c, p < va ? va : p, 1, acc, pa))
                return -1;
        return 0;
    }
    return translate_span(c, va, size, acc, pa);
}

/* Trace replay's access: the same hit fast path as load() and cpu_store(). */
int cpu_touch(struct cpu *c, vaddr_t va, unsigned size, enum vm_access acc)
{
    bool fetch = acc == VM_ACCESS_FETCH;
    struct cpu_memo *mm = memo_slot(c, fetch, va);
    if (__builtin_expect(size - 1 < VM_PAGE_SIZE && (va & VM_PAGE_MASK) + size <= VM_PAGE_SIZE &&
                             memo_live(c, mm, va) && want_right(mm, acc) &&
                             !__atomic_load_n(&c->ipi_pending, __ATOMIC_RELAXED) &&
                             memo_touch_fast(c, mm), 1)) {
        stat_add(c, CPU_STAT_ACCESSES, 1);
        stat_add(c, fetch ? CPU_STAT_ITLB_LOADS
                    : acc == VM_ACCESS_WRITE ? CPU_STAT_DTLB_STORES : CPU_STAT_DTLB_LOADS, 1);
        return 0;
    }
    return touch_slow(c, va, size, acc);
}

/* ---- many accesses in one call ---- */

/* cpu_load_many and cpu_touch_many run the hit fast path over a run of
 * accesses: for each, exactly what load() or cpu_touch() does on a hit --
 * the same memo check, the same LRU stamp, the same counts -- but with the
 * LRU clock of the array last stamped and the counters held in registers
 * until the run ends. A single access's clock update is a load and a store
 * of the same word, which chains every access to the one before through
 * the store buffer; held in a register, hits overlap as the host's own
 * loads do. A run stops before the first access the fast path cannot take
 * (a miss, a fault, a page-crossing access, a pending shootdown, the LRU
 * clock due for renumbering), which then takes the single-access slow
 * path. */

struct hit_run {
    enum tlb_repl repl;
    uint32_t gen;                /* c->memo_gen: only this CPU's flushes change it */
    struct tlb_array_state *a;   /* the array whose clock is held, or NULL */
    uint32_t clock;
};

static inline __attribute__((always_inline)) void run_start(struct cpu *c, struct hit_run *r,
                                                            enum tlb_repl repl)
{
    r->repl = repl;
    r->gen = c->memo_gen;
    r->a = NULL;
    r->clock = 0;
}

/* The memo of va's page if it lets this access hit, stamped for LRU; NULL
 * if the access must take the slow path. */
static inline __attribute__((always_inline)) const struct cpu_memo *
run_hit(struct cpu *c, struct hit_run *r, vaddr_t va, unsigned size, enum vm_access acc)
{
    struct cpu_memo *mm = memo_slot(c, acc == VM_ACCESS_FETCH, va);
    if (__builtin_expect(!(size - 1 < VM_PAGE_SIZE && (va & VM_PAGE_MASK) + size <= VM_PAGE_SIZE &&
                           mm->vpage == va >> VM_PAGE_SHIFT && mm->gen == r->gen &&
                           mm->u->seq == mm->seq && want_right(mm, acc) &&
                           !__atomic_load_n(&c->ipi_pending, __ATOMIC_RELAXED)),
                         0))
        return NULL;
    if (r->repl == TLB_REPL_LRU) {
        if (mm->a != r->a) {
            if (r->a)
                r->a->clock = r->clock;
            r->a = mm->a;
            r->clock = r->a->clock;
        }
        if (__builtin_expect(r->clock >= TLB_CLOCK_LIMIT, 0))
            return NULL;                     /* renumbering: the slow path does it */
        mm->u->stamp = ++r->clock;
    }
    return mm;
}

static inline __attribute__((always_inline)) void run_end(struct cpu *c, struct hit_run *r,
                                                          uint64_t loads, uint64_t stores,
                                                          uint64_t fetches)
{
    if (r->a)
        r->a->clock = r->clock;
    if (loads + stores + fetches == 0)
        return;
    stat_add(c, CPU_STAT_ACCESSES, loads + stores + fetches);
    if (loads)
        stat_add(c, CPU_STAT_DTLB_LOADS, loads);
    if (stores)
        stat_add(c, CPU_STAT_DTLB_STORES, stores);
    if (fetches)
        stat_add(c, CPU_STAT_ITLB_LOADS, fetches);
}

/* One run of loads of `size` bytes under replacement `repl`; how many it
 * did. */
static inline __attribute__((always_inline)) size_t load_run_repl(struct cpu *c, const vaddr_t *va,
                                                                   size_t n, unsigned size,
                                                                   uint64_t *vals, enum tlb_repl repl)
{
    struct hit_run r;
    run_start(c, &r, repl);            /* a constant in each copy of the loop */
    size_t i;
    for (i = 0; i < n; i++) {
        const struct cpu_memo *mm = run_hit(c, &r, va[i], size, VM_ACCESS_READ);
        if (!mm)
            break;
        vals[i] = host_load(mm->host + (va[i] & VM_PAGE_MASK), size);
    }
    run_end(c, &r, i, 0, 0);
    return i;
}

static inline __attribute__((always_inline)) size_t load_run(struct cpu *c, const vaddr_t *va,
                                                              size_t n, unsigned size, uint64_t *vals)
{
    switch (c->tlb.repl) {
    case TLB_REPL_LRU: return load_run_repl(c, va, n, size, vals, TLB_REPL_LRU);
    case TLB_REPL_RANDOM: return load_run_repl(c, va, n, size, vals, TLB_REPL_RANDOM);
    default: return 0;                 /* tree-PLRU: the slow path touches */
    }
}

static inline __attribute__((always_inline)) size_t load_many(struct cpu *c, const vaddr_t *va,
                                                               size_t n, unsigned size, uint64_t *vals)
{
    size_t i = 0;
    for (;;) {
        i += load_run(c, va + i, n - i, size, vals + i);
        if (i == n)
            return n;
        if (load_slow(c, va[i], size, &vals[i], VM_ACCESS_READ) != 0)
            return i;
        i++;
    }
}

size_t cpu_load_many(struct cpu *c, const vaddr_t *va, size_t n, unsigned size, uint64_t *vals)
{
    /* one copy of the loop per size, so that each reads with one instruction */
    switch (size) {
    case 1: return load_many(c, va, n, 1, vals);
    case 2: return load_many(c, va, n, 2, vals);
    case 4: return load_many(c, va, n, 4, vals);
    case 8: return load_many(c, va, n, 8, vals);
    }
    assert(!"cpu_load_many: size must be 1, 2, 4 or 8");
    return 0;
}

static inline __attribute__((always_inline)) size_t touch_run_repl(struct cpu *c,
                                                                    const struct cpu_ref *refs,
                                                                    size_t n, enum tlb_repl repl)
{
    struct hit_run r;
    run_start(c, &r, repl);
    uint64_t count[3] = {0, 0, 0};
    size_t i;
    for (i = 0; i < n; i++) {
        enum vm_access acc = (enum vm_access)refs[i].acc;
        if (acc > VM_ACCESS_FETCH || !run_hit(c, &r, refs[i].va, refs[i].size, acc))
            break;
        count[acc]++;
    }
    run_end(c, &r, count[VM_ACCESS_READ], count[VM_ACCESS_WRITE], count[VM_ACCESS_FETCH]);
    return i;
}

/* One run of touches; how many it did. */
static size_t touch_run(struct cpu *c, const struct cpu_ref *refs, size_t n)
{
    switch (c->tlb.repl) {
    case TLB_REPL_LRU: return touch_run_repl(c, refs, n, TLB_REPL_LRU);
    case TLB_REPL_RANDOM: return touch_run_repl(c, refs, n, TLB_REPL_RANDOM);
    default: return 0;                 /* tree-PLRU: the slow path touches */
    }
}

size_t cpu_touch_many(struct cpu *c, const struct cpu_ref *refs, size_t n)
{
    size_t i = 0;
    for (;;) {
        i += touch_run(c, refs + i, n - i);
        if (i == n)
            return n;
        if (touch_slow(c, refs[i].va, refs[i].size, (enum vm_access)refs[i].acc) != 0)
            return i;
        i++;
    }
}

/* Blocks go page by page; a fault part-way leaves the pages before it
 * done, as a restartable string instruction would. */
static int block(struct cpu *c, vaddr_t va, void *rbuf, const void *wbuf, size_t len)
{
    enum vm_access acc = wbuf ? VM_ACCESS_WRITE : VM_ACCESS_READ;
    size_t done = 0;
    while (done < len) {
        vaddr_t at = va + done;
        size_t n = VM_PAGE_SIZE - (at & VM_PAGE_MASK);
        if (n > len - done)
            n = len - done;
        paddr_t pa;
        if (cpu_translate(c, at, acc, &pa) || bus_error(c, at, pa, n, acc))
            return -1;
        if (wbuf)
            physmem_write(c->pm, pa, (const uint8_t *)wbuf + done, n);
        else
            physmem_read(c->pm, pa, (uint8_t *)rbuf + done, n);
        done += n;
    }
    return 0;
}

int cpu_read(struct cpu *cpu, vaddr_t va, void *buf, size_t len)
{
    return block(cpu, va, buf, NULL, len);
}

int cpu_write(struct cpu *cpu, vaddr_t va, const void *buf, size_t len)
{
    return block(cpu, va, NULL, buf, len);
}
