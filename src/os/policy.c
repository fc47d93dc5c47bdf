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

#include "os/kern.h"

static inline bool pinned(const struct frame_table *ft, uint32_t i)
{
    return ft->state[i] & (FS_PIN_MASK | FS_RECLAIM);
}

static void insert_tail(struct frame_table *ft, uint32_t i)
{
    ft_list_insert_tail(ft, i);
}

static void touch_none(struct frame_table *ft, uint32_t i)
{
    (void)ft;
    (void)i;
}

/* The first unpinned frame from the head. */
static uint32_t first_unpinned(struct kernel *k)
{
    struct frame_table *ft = &k->ft;
    uint32_t i = ft->head;
    for (uint64_t n = 0; n < ft->listed; n++, i = ft->f[i].next) {
        kcount(k, VMSTAT_PGSCAN, 1);
        if (!pinned(ft, i))
            return i;
    }
    return FRAME_NONE;
}

/* ---- fifo ---- */

static uint32_t fifo_select(struct kernel *k, struct cpu *self)
{
    (void)self;
    return first_unpinned(k);
}

/* ---- clock ---- */

static uint32_t clock_sweep(struct kernel *k, struct cpu *self, bool flush)
{
    struct frame_table *ft = &k->ft;
    /* Two full turns are enough: the first clears every A bit. */
    for (uint64_t n = 0; n < 2 * ft->listed + 1; n++) {
        uint32_t i = ft->hand;
        ft->hand = ft->f[i].next;
        kcount(k, VMSTAT_PGSCAN, 1);
        if (pinned(ft, i))
            continue;
        if (ft_test_clear_young(k, self, i, flush))
            continue;
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
        uint64_t n = ft->listed;
        uint32_t i = ft->head;
        for (uint64_t s = 0; s < n; s++) {
            uint32_t next = ft->f[i].next;
            if (ft_test_clear_young(k, self, i, ft->policy->clear_flushes)) {
                ft_list_remove(ft, i);
                ft_list_insert_tail(ft, i);
            }
            i = next;
        }
    }
    return first_unpinned(k);
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
    (void)self;
    struct frame_table *ft = &k->ft;
    uint64_t start = xorshift64(&ft->rng) % ft->nframes;
    for (uint64_t n = 0; n < ft->nframes; n++) {
        uint32_t i = (uint32_t)((start + n) % ft->nframes);
        if (!(ft->state[i] & FS_LISTED))
            continue;
        kcount(k, VMSTAT_PGSCAN, 1);
        if (!pinned(ft, i))
            return i;
    }
    return FRAME_NONE;
}

/* ---- aging (NFU with 8-bit shift counters) ---- */

static uint32_t aging_select(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    uint32_t best = FRAME_NONE, best_age = UINT32_MAX;
    uint32_t i = ft->head;
    for (uint64_t n = 0; n < ft->listed; n++, i = ft->f[i].next) {
        uint32_t age = (ft->state[i] & FS_AGE_MASK) >> FS_AGE_SHIFT;
        age = (age >> 1) | (ft_test_clear_young(k, self, i, ft->policy->clear_flushes) ? 0x80u : 0);
        ft->state[i] = (ft->state[i] & ~FS_AGE_MASK) | age << FS_AGE_SHIFT;
        kcount(k, VMSTAT_PGSCAN, 1);
        if (!pinned(ft, i) && age < best_age) {
            best = i;
            best_age = age;
        }
    }
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

static uint32_t linux_select(struct kernel *k, struct cpu *self)
{
    struct frame_table *ft = &k->ft;
    while (ft->listed - ft->active < ft->active) {
        uint32_t a = ft->active_head;
        ft_test_clear_young(k, self, a, ft->policy->clear_flushes);
        linux_move(ft, a, false);
        kcount(k, VMSTAT_PGDEACTIVATE, 1);
    }
    /* at most two visits per inactive page: the first makes it referenced */
    for (uint64_t n = 2 * (ft->listed - ft->active) + 1; n > 0 && ft->head != FRAME_NONE; n--) {
        uint32_t i = ft->head;
        kcount(k, VMSTAT_PGSCAN, 1);
        if (pinned(ft, i)) {
            ft_list_remove(ft, i);
            ft_list_insert_tail(ft, i);
            continue;
        }
        if (!ft_test_clear_young(k, self, i, ft->policy->clear_flushes))
            return i;
        if (ft->state[i] & FS_REFERENCED) {
            linux_move(ft, i, true);
            kcount(k, VMSTAT_PGACTIVATE, 1);
        } else {
            ft->state[i] |= FS_REFERENCED;
            ft_list_remove(ft, i);
            ft_list_insert_tail(ft, i);
        }
    }
    /* everything was activated (or pinned): the oldest unpinned active page */
    uint32_t i = ft->active_head;
    for (uint64_t n = 0; n < ft->active; n++, i = ft->f[i].next)
        if (!pinned(ft, i))
            return i;
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
        return fifo_select(k, self);
    bool clean_first = k->cfg.opt_ties == OPT_TIES_CLEAN_FIRST;
    uint32_t best = FRAME_NONE, never = FRAME_NONE, never_clean = FRAME_NONE;
    uint64_t best_next = 0;
    uint32_t i = ft->head;
    for (uint64_t n = 0; n < ft->listed; n++, i = ft->f[i].next) {
        kcount(k, VMSTAT_PGSCAN, 1);
        if (pinned(ft, i))
            continue;
        uint64_t next = opt_ask(ft, i);
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
    if (never_clean != FRAME_NONE)
        return never_clean;
    return never != FRAME_NONE ? never : best;
}

static const struct policy policies[] = {
    /* name, clear_flushes, wants_refs, wants_oracle, ... */
    {"clock", true, false, false, clock_select, clock_insert, touch_none},
    {"clock-noflush", false, false, false, clock_select, clock_insert, touch_none},
    {"fifo", false, false, false, fifo_select, insert_tail, touch_none},
    {"lru", true, true, false, lru_select, insert_tail, lru_touch},
    {"random", false, false, false, random_select, insert_tail, touch_none},
    {"aging", true, false, false, aging_select, insert_tail, touch_none},
    {"opt", false, false, true, opt_select, insert_tail, touch_none},
    {"linux", true, false, false, linux_select, insert_tail, touch_none},
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
