/* policy.c — page-replacement policies over the frame table's ring list.
 *
 * Every policy runs under the frame-table lock, sees only listed frames
 * (resident, not busy) and never picks a pinned one. pgscan counts the
 * frames a policy examined.
 *
 *   fifo           evict the frame resident longest (list order = load order).
 *   clock          second chance: the hand sweeps the circle; a frame whose
 *                  A bit is set gets it cleared (and its cached translations
 *                  invalidated, so the next reference sets it again) and is
 *                  passed over; the first frame with A clear is the victim.
 *                  New frames enter just behind the hand (the victim's place).
 *   clock-noflush  the same without the invalidation (Linux x86's
 *                  ptep_clear_flush_young): a CPU that still caches the
 *                  translation does not set A again.
 *   lru            list order = recency. Exact when the front end reports
 *                  every reference (kernel_note_access); without reports the
 *                  A bits are sampled at eviction time (pages found young
 *                  move to the recent end, in list order) — an approximation.
 *   random         a uniformly chosen start, then the first evictable frame.
 *   aging          NFU with aging: at each eviction every frame's 8-bit counter
 *                  shifts right and takes its A bit (cleared) as the top bit;
 *                  the lowest counter is evicted (ties: oldest).
 *   opt            Belady's MIN through the front end's oracle: the frame
 *                  whose next use is farthest (never first). Ties (pages never
 *                  used again) go by kernel_config.opt_ties: the lowest-
 *                  numbered frame, or a clean page first. The oracle is asked
 *                  at each eviction about each resident page: on real traces,
 *                  whose fault rates are low, that costs less than a report
 *                  per reference would.
 *   linux          active and inactive lists, as Linux's reclaim (below).
 */
#include <string.h>

#include <vmlab/observe.h>

#include "os/kern.h"

static inline bool pinned(const struct frame_table *ft, uint32_t i)
{
    return ft->state[i] & (FS_PIN_MASK | FS_RECLAIM);
}

/* ---- telling an observed CPU what the policy looked at, and why it chose
 * its victim (vmlab/observe.h). Each select tests `watch` (is self
 * observed?) once, so an unobserved scan pays one branch per frame. ---- */

static bool watched(struct cpu *self)
{
    return cpu_observer(self) != NULL;
}

/* One look at a frame: the verdict, whether it counts in pgscan, and, when
 * its A bits were read now, what they were (young) and whether clearing
 * them flushed. */
struct look {
    enum vm_policy_verdict verdict;
    bool scanned, tested, young, flushed, has_value;
    uint64_t value;
    const char *value_name;
    const char *why;
};

static void tell(struct kernel *k, struct cpu *self, uint32_t i, const struct look *l)
{
    struct frame_table *ft = &k->ft;
    struct vm_event ev = {.kind = VM_EV_POLICY};
    struct vm_ev_policy *e = &ev.policy;
    struct page *const *map;
    e->policy = ft->policy->name;
    e->frame = i;
    e->frame_pa = frame_pa(ft, i);
    e->mappers = frame_mappers(ft, i, &map);
    if (e->mappers) {
        e->pid = map[0]->proc->pid;
        e->va = page_va(map[0]);
    }
    const char *list = ft->policy->lists[(ft->state[i] & FS_ACTIVE) ? 1 : 0];
    e->list = list ? list : "";
    e->verdict = l->verdict;
    e->scanned = l->scanned;
    e->tested = l->tested;
    e->young = l->young;
    e->flushed = l->flushed;
    e->has_value = l->has_value;
    e->value = l->value;
    e->value_name = l->value_name;
    e->why = l->why;
    cpu_observe(self, &ev);
}

#define TELL(...) tell(k, self, __VA_ARGS__)

static void insert_tail(struct frame_table *ft, uint32_t i)
{
    ft_list_insert_tail(ft, i);
}

static void touch_none(struct frame_table *ft, uint32_t i)
{
    (void)ft;
    (void)i;
}

/* The first unpinned frame from the head; `why` the victim's reason. */
static uint32_t first_unpinned(struct kernel *k, struct cpu *self, const char *why)
{
    struct frame_table *ft = &k->ft;
    const bool watch = watched(self);
    uint32_t i = ft->head;
    for (uint64_t n = 0; n < ft->listed; n++, i = ft->f[i].next) {
        kcount(k, VMSTAT_PGSCAN, 1);
        if (!pinned(ft, i)) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_VICTIM, .scanned = true, .why = why});
            return i;
        }
        if (watch)
            TELL(i, &(struct look){.verdict = VM_POL_SKIP_PINNED, .scanned = true});
    }
    return FRAME_NONE;
}

/* ---- fifo ---- */

static uint32_t fifo_select(struct kernel *k, struct cpu *self)
{
    return first_unpinned(k, self, "the oldest resident page (the head of the list)");
}

/* ---- clock ---- */

static uint32_t clock_sweep(struct kernel *k, struct cpu *self, bool flush)
{
    struct frame_table *ft = &k->ft;
    const bool watch = watched(self);
    /* Two full turns are enough: the first clears every A bit. */
    for (uint64_t n = 0; n < 2 * ft->listed + 1; n++) {
        uint32_t i = ft->hand;
        ft->hand = ft->f[i].next;
        kcount(k, VMSTAT_PGSCAN, 1);
        if (pinned(ft, i)) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_SKIP_PINNED, .scanned = true});
            continue;
        }
        if (ft_test_clear_young(k, self, i, flush)) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_SECOND_CHANCE, .scanned = true,
                                       .tested = true, .young = true, .flushed = flush});
            continue;
        }
        if (watch)
            TELL(i, &(struct look){.verdict = VM_POL_VICTIM, .scanned = true, .tested = true,
                                   .why = "its A bit is clear under the hand"});
        return i;
    }
    return FRAME_NONE;
}

static uint32_t clock_select(struct kernel *k, struct cpu *self)
{
    return clock_sweep(k, self, k->ft.policy->clear_flushes);
}

static void clock_insert(struct frame_table *ft, uint32_t i)
{
    ft_list_insert_before(ft, i, ft->hand);
}

/* ---- lru ---- */

static uint32_t lru_select(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    if (!ft->refs_seen) {
        const bool watch = watched(self);
        uint64_t n = ft->listed;
        uint32_t i = ft->head;
        for (uint64_t s = 0; s < n; s++) {
            uint32_t next = ft->f[i].next;
            if (ft_test_clear_young(k, self, i, ft->policy->clear_flushes)) {
                if (watch)
                    TELL(i, &(struct look){.verdict = VM_POL_REFRESH, .tested = true,
                                           .young = true, .flushed = ft->policy->clear_flushes});
                ft_list_remove(ft, i);
                ft_list_insert_tail(ft, i);
            }
            i = next;
        }
    }
    return first_unpinned(k, self, ft->refs_seen ? "the least recently used page (the head of "
                                                   "the list)"
                                                 : "the least recently used page, as sampled "
                                                   "from the A bits (the head of the list)");
}

static void lru_touch(struct frame_table *ft, uint32_t i)
{
    if (!(ft->state[i] & FS_LISTED))
        return;
    ft_list_remove(ft, i);
    ft_list_insert_tail(ft, i);
}

/* ---- random ---- */

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static uint32_t random_select(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    const bool watch = watched(self);
    uint64_t start = xorshift64(&ft->rng) % ft->nframes;
    for (uint64_t n = 0; n < ft->nframes; n++) {
        uint32_t i = (uint32_t)((start + n) % ft->nframes);
        if (!(ft->state[i] & FS_LISTED))
            continue;
        kcount(k, VMSTAT_PGSCAN, 1);
        if (!pinned(ft, i)) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_VICTIM, .scanned = true,
                                       .has_value = true, .value = start, .value_name = "random start",
                                       .why = "the first listed frame from a random start"});
            return i;
        }
        if (watch)
            TELL(i, &(struct look){.verdict = VM_POL_SKIP_PINNED, .scanned = true});
    }
    return FRAME_NONE;
}

/* ---- aging (NFU with 8-bit shift counters) ---- */

static unsigned aging_mark(const struct frame_table *ft, uint32_t i)
{
    return (ft->state[i] & FS_AGE_MASK) >> FS_AGE_SHIFT;
}

static uint32_t aging_select(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    const bool watch = watched(self);
    uint32_t best = FRAME_NONE, best_age = UINT32_MAX;
    uint32_t i = ft->head;
    for (uint64_t n = 0; n < ft->listed; n++, i = ft->f[i].next) {
        uint32_t age = (ft->state[i] & FS_AGE_MASK) >> FS_AGE_SHIFT;
        bool young = ft_test_clear_young(k, self, i, ft->policy->clear_flushes);
        age = (age >> 1) | (young ? 0x80u : 0);
        ft->state[i] = (ft->state[i] & ~FS_AGE_MASK) | age << FS_AGE_SHIFT;
        kcount(k, VMSTAT_PGSCAN, 1);
        if (watch)
            TELL(i, &(struct look){.verdict = pinned(ft, i) ? VM_POL_SKIP_PINNED : VM_POL_AGED,
                                   .scanned = true, .tested = true, .young = young,
                                   .flushed = young && ft->policy->clear_flushes,
                                   .has_value = true, .value = age, .value_name = "age"});
        if (!pinned(ft, i) && age < best_age) {
            best = i;
            best_age = age;
        }
    }
    if (watch && best != FRAME_NONE)
        TELL(best, &(struct look){.verdict = VM_POL_VICTIM, .has_value = true, .value = best_age,
                                  .value_name = "age",
                                  .why = "the lowest age counter (the oldest of equals)"});
    return best;
}

/* ---- linux: active and inactive lists ---- */

/* A small model of Linux's reclaim (mm/vmscan.c) for one zone of less than
 * 1 GiB (inactive_ratio 1):
 *   - a new page enters the inactive list's young end;
 *   - before a scan, while the inactive list is shorter than the active one,
 *     the oldest active page is deactivated (A cleared, PG_referenced
 *     cleared; pgdeactivate);
 *   - the scan takes the oldest inactive page: if its A bit was set (it is
 *     cleared, with invalidation) and it was already referenced it is
 *     activated (pgactivate); if set and not yet referenced it becomes
 *     referenced and goes back to the young end (folio_check_references's
 *     second chance); if clear it is the victim.
 * The lists live in the frame table's two rings. */
static void linux_move(struct frame_table *ft, uint32_t i, bool to_active)
{
    ft_list_remove(ft, i);
    if (to_active)
        ft->state[i] |= FS_ACTIVE;
    else
        ft->state[i] &= ~(FS_ACTIVE | FS_REFERENCED);
    ft_list_insert_tail(ft, i);
}

static unsigned linux_mark(const struct frame_table *ft, uint32_t i)
{
    return (ft->state[i] & FS_REFERENCED) ? 1 : 0;
}

static uint32_t linux_select(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    const bool watch = watched(self);
    bool flush = ft->policy->clear_flushes;
    while (ft->listed - ft->active < ft->active) {
        uint32_t a = ft->active_head;
        bool young = ft_test_clear_young(k, self, a, flush);
        if (watch)
            TELL(a, &(struct look){.verdict = VM_POL_DEACTIVATE, .tested = true, .young = young,
                                   .flushed = young && flush});
        linux_move(ft, a, false);
        kcount(k, VMSTAT_PGDEACTIVATE, 1);
    }
    /* at most two visits per inactive page: the first makes it referenced */
    for (uint64_t n = 2 * (ft->listed - ft->active) + 1; n > 0 && ft->head != FRAME_NONE; n--) {
        uint32_t i = ft->head;
        kcount(k, VMSTAT_PGSCAN, 1);
        if (pinned(ft, i)) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_SKIP_PINNED, .scanned = true});
            ft_list_remove(ft, i);
            ft_list_insert_tail(ft, i);
            continue;
        }
        if (!ft_test_clear_young(k, self, i, flush)) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_VICTIM, .scanned = true, .tested = true,
                                       .why = "the oldest inactive page, its A bit clear"});
            return i;
        }
        if (ft->state[i] & FS_REFERENCED) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_ACTIVATE, .scanned = true,
                                       .tested = true, .young = true, .flushed = flush});
            linux_move(ft, i, true);
            kcount(k, VMSTAT_PGACTIVATE, 1);
        } else {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_SECOND_CHANCE, .scanned = true,
                                       .tested = true, .young = true, .flushed = flush});
            ft->state[i] |= FS_REFERENCED;
            ft_list_remove(ft, i);
            ft_list_insert_tail(ft, i);
        }
    }
    /* everything was activated (or pinned): the oldest unpinned active page */
    uint32_t i = ft->active_head;
    for (uint64_t n = 0; n < ft->active; n++, i = ft->f[i].next)
        if (!pinned(ft, i)) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_VICTIM,
                                       .why = "the oldest active page (every inactive page was "
                                              "referenced)"});
            return i;
        }
    return FRAME_NONE;
}

/* ---- opt ---- */

/* When frame i's page is next used, as the oracle says. */
static uint64_t opt_ask(const struct frame_table *ft, uint32_t i)
{
    /* a shared frame is next used when its first mapper next uses it */
    struct page *const *map;
    uint32_t n = frame_mappers(ft, i, &map);
    uint64_t next = UINT64_MAX;
    for (uint32_t j = 0; j < n; j++) {
        uint64_t t = ft->oracle(ft->oracle_arg, map[j]->proc, page_va(map[j]));
        if (t < next)
            next = t;
    }
    return next;
}

/* Would evicting frame i write it out? Its PTE's D (every mapper's, for a
 * shared frame) or the page's own dirty flag, as eviction decides. */
static bool opt_dirty(struct kernel *k, uint32_t i)
{
    const struct frame_table *ft = &k->ft;
    const struct rmap *rm = frame_rmap(ft, i);
    if (rm && rm->dirty)
        return true;
    struct page *const *map;
    uint32_t n = frame_mappers(ft, i, &map);
    for (uint32_t j = 0; j < n; j++) {
        const struct page *pg = map[j];
        if (page_flags(pg) & PG_DIRTY)
            return true;
        paddr_t pte = mmu_pte_lookup(pg->proc, page_va(pg), page_level(pg));
        if (pte && (kpte_load(k, pte) & k->fmt->d_bit))
            return true;
    }
    return false;
}

/* The farthest next use wins. Among pages never used again, the rule
 * decides: the lowest frame number (the frame a course simulator would
 * name: frames are filled lowest first and an evicted frame is reused in
 * place), or a clean page before a dirty one, each lowest frame first. */
static uint32_t opt_select(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    if (!ft->oracle)
        return first_unpinned(k, self, "the oldest resident page (no oracle: as fifo)");
    const bool watch = watched(self);
    bool clean_first = k->cfg.opt_ties == OPT_TIES_CLEAN_FIRST;
    uint32_t best = FRAME_NONE, never = FRAME_NONE, never_clean = FRAME_NONE;
    uint64_t best_next = 0;
    uint32_t i = ft->head;
    for (uint64_t n = 0; n < ft->listed; n++, i = ft->f[i].next) {
        kcount(k, VMSTAT_PGSCAN, 1);
        if (pinned(ft, i)) {
            if (watch)
                TELL(i, &(struct look){.verdict = VM_POL_SKIP_PINNED, .scanned = true});
            continue;
        }
        uint64_t next = opt_ask(ft, i);
        if (watch)
            TELL(i, &(struct look){.verdict = VM_POL_CANDIDATE, .scanned = true, .has_value = true,
                                   .value = next, .value_name = "next use"});
        if (next == UINT64_MAX) {
            if (never == FRAME_NONE || i < never)
                never = i;
            if (clean_first && (never_clean == FRAME_NONE || i < never_clean) && !opt_dirty(k, i))
                never_clean = i;
        } else if (best == FRAME_NONE || next > best_next) {
            best = i;
            best_next = next;
        }
    }
    uint32_t v = never_clean != FRAME_NONE ? never_clean : never != FRAME_NONE ? never : best;
    if (watch && v != FRAME_NONE)
        TELL(v, &(struct look){
                    .verdict = VM_POL_VICTIM, .has_value = true,
                    .value = v == best ? best_next : UINT64_MAX, .value_name = "next use",
                    .why = v == never_clean ? "never used again, and clean (the lowest such frame)"
                         : v == never       ? "never used again (the lowest such frame)"
                                            : "its next use is the farthest in the future"});
    return v;
}

static const struct policy policies[] = {
    {.name = "clock", .clear_flushes = true, .select = clock_select, .insert = clock_insert,
     .touch = touch_none, .lists = {"circle"}, .hand = true},
    {.name = "clock-noflush", .select = clock_select, .insert = clock_insert, .touch = touch_none,
     .lists = {"circle"}, .hand = true},
    {.name = "fifo", .select = fifo_select, .insert = insert_tail, .touch = touch_none,
     .lists = {"load order"}},
    {.name = "lru", .clear_flushes = true, .wants_refs = true, .select = lru_select,
     .insert = insert_tail, .touch = lru_touch, .lists = {"recency"}},
    {.name = "random", .select = random_select, .insert = insert_tail, .touch = touch_none,
     .lists = {"load order"}},
    {.name = "aging", .clear_flushes = true, .select = aging_select, .insert = insert_tail,
     .touch = touch_none, .lists = {"load order"}, .mark_name = "age", .mark = aging_mark},
    {.name = "opt", .wants_oracle = true, .select = opt_select, .insert = insert_tail,
     .touch = touch_none, .lists = {"load order"}},
    {.name = "linux", .clear_flushes = true, .select = linux_select, .insert = insert_tail,
     .touch = touch_none, .lists = {"inactive", "active"}, .mark_name = "referenced",
     .mark = linux_mark},
};

const char *const kernel_policy_names[] = {"clock", "clock-noflush", "fifo", "lru", "random", "aging", "opt",
                                    "linux", NULL};

const struct policy *policy_by_name(const char *name)
{
    if (!name)
        name = "clock";
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (!strcmp(policies[i].name, name))
            return &policies[i];
    return NULL;
}
