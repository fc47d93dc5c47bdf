/* explore.c — the explorer's record of a run: the state it starts from,
 * and for each step what changed, its text and what it touched
 * (explore.h). The page that replays it is written by explore_page.c.
 *
 * Each part of the state is mirrored here, and after a step only the
 * parts the step's events say may have moved are read back and compared:
 * the TLB levels and page-walk caches after a fill, a flush or a fault;
 * the page-table entries on the paths of the addresses the step's walks,
 * faults, policy looks and evictions named; the frame table after a walk
 * (A/D) or any kernel work; the swap slots after a fault or an eviction;
 * the counters always. What is read back is the machine's and kernel's
 * own state (vmlab/observe.h introspection, the entries in simulated
 * memory), so the page shows what is, not what the events imply.
 */
#include "explore/explore.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/physmem.h>

#include "explore/explore_impl.h"

/* ---- a growing buffer of JSON text ---- */

void xb_printf(struct xbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

void xb_str(struct xbuf *b, const char *s, size_t len)
{
    xb_printf(b, "\"");
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<')
            continue;
        if (i > run)
            xb_printf(b, "%.*s", (int)(i - run), s + run);
        /* '<' escaped so that no "</script>" can end the data block early */
        if (c == '"' || c == '\\')
            xb_printf(b, "\\%c", c);
        else
            xb_printf(b, "\\u%04x", c);
        run = i + 1;
    }
    if (len > run)
        xb_printf(b, "%.*s", (int)(len - run), s + run);
    xb_printf(b, "\"");
}

size_t xb_str_len(const char *s, size_t len)
{
    size_t n = 2;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        n += c >= 0x20 && c != '"' && c != '\\' && c != '<' ? 1 : c == '"' || c == '\\' ? 2 : 6;
    }
    return n;
}

/* ---- the dictionary of text lines: a step's text is a list of indices ---- */

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* The index of the line (added if new); UINT32_MAX if out of memory. */
static uint32_t dict_add(struct dict *d, const char *s, size_t n)
{
    if (d->n * 2 >= d->nslots) {
        size_t ns = d->nslots ? d->nslots * 2 : 4096;
        uint32_t *slots = malloc(ns * sizeof *slots);
        if (!slots)
            return UINT32_MAX;
        for (size_t i = 0; i < ns; i++)
            slots[i] = UINT32_MAX;
        for (size_t i = 0; i < d->n; i++) {
            size_t at = hash_bytes(d->line[i], d->len[i]) & (ns - 1);
            while (slots[at] != UINT32_MAX)
                at = (at + 1) & (ns - 1);
            slots[at] = (uint32_t)i;
        }
        free(d->slot);
        d->slot = slots;
        d->nslots = ns;
    }
    size_t at = hash_bytes(s, n) & (d->nslots - 1);
    for (; d->slot[at] != UINT32_MAX; at = (at + 1) & (d->nslots - 1)) {
        uint32_t i = d->slot[at];
        if (d->len[i] == n && !memcmp(d->line[i], s, n))
            return i;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        char **line = realloc(d->line, cap * sizeof *line);
        if (line)
            d->line = line;
        size_t *len = realloc(d->len, cap * sizeof *len);
        if (len)
            d->len = len;
        if (!line || !len)
            return UINT32_MAX;
        d->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return UINT32_MAX;
    memcpy(copy, s, n);
    copy[n] = 0;
    d->line[d->n] = copy;
    d->len[d->n] = n;
    d->slot[at] = (uint32_t)d->n;
    d->bytes += xb_str_len(s, n) + 1;   /* and its comma */
    return (uint32_t)d->n++;
}

static void dict_free(struct dict *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->line[i]);
    free(d->line);
    free(d->len);
    free(d->slot);
}

/* ---- the page-table entries seen: physical address -> value ---- */

static uint64_t *pt_find(struct ptmap *m, paddr_t pa, bool insert)
{
    if (insert && m->n * 2 >= m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        uint64_t *key = calloc(cap, sizeof *key), *val = calloc(cap, sizeof *val);
        if (!key || !val) {
            free(key);
            free(val);
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->key[i])
                continue;
            size_t at = (m->key[i] * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1);
            while (key[at])
                at = (at + 1) & (cap - 1);
            key[at] = m->key[i];
            val[at] = m->val[i];
        }
        free(m->key);
        free(m->val);
        m->key = key;
        m->val = val;
        m->cap = cap;
    }
    if (!m->cap)
        return NULL;
    uint64_t k = pa + 1;   /* 0 marks an empty slot */
    size_t at = (k * 0x9e3779b97f4a7c15ull >> 20) & (m->cap - 1);
    for (; m->key[at]; at = (at + 1) & (m->cap - 1))
        if (m->key[at] == k)
            return &m->val[at];
    if (!insert)
        return NULL;
    m->key[at] = k;
    m->val[at] = 0;
    m->n++;
    return &m->val[at];
}

/* ---- the state, part by part ---- */

/* An entry's bits, as the page colours it. */
enum { PTE_P = 1, PTE_LEAF = 2, PTE_A = 4, PTE_D = 8, PTE_W = 16, PTE_U = 32, PTE_X = 64, PTE_G = 128 };

static void pte_out(struct explorer *x, struct xbuf *b, paddr_t pa, uint64_t v, unsigned level)
{
    struct pte_info pi;
    x->fmt->decode(v, level, &pi);
    unsigned f = 0;
    if (pi.present) {
        f = PTE_P | (pi.leaf || level == 0 ? PTE_LEAF : 0) | (pi.accessed ? PTE_A : 0) |
            (pi.dirty ? PTE_D : 0) | (pi.prot & VM_PROT_WRITE ? PTE_W : 0) |
            (pi.prot & VM_PROT_USER ? PTE_U : 0) | (pi.prot & VM_PROT_EXEC ? PTE_X : 0) |
            (pi.prot & VM_PROT_GLOBAL ? PTE_G : 0);
    }
    xb_printf(b, "%s[\"%" PRIx64 "\",\"%" PRIx64 "\",%u,%u,\"%" PRIx64 "\"]", x->sep ? "," : "", pa,
              v, f, level, pi.present ? pi.addr : 0);
    x->sep = true;
}

/* Compare the entry at pa (of `level`) with the mirror; out if it moved
 * (*moved, if not NULL). */
static uint64_t pte_check(struct explorer *x, struct xbuf *b, paddr_t pa, unsigned level, bool *moved)
{
    uint64_t v = pte_load_as(x->fmt, x->pm, pa);
    uint64_t *seen = pt_find(&x->pt, pa, v != 0);
    bool m = (seen ? *seen : 0) != v;
    if (m) {
        if (seen)
            *seen = v;
        pte_out(x, b, pa, v, level);
    }
    if (moved)
        *moved = m;
    return v;
}

/* Every entry of the table at `table` (of `level`) and the tables below it. */
static void pt_table(struct explorer *x, struct xbuf *b, paddr_t table, unsigned level)
{
    if (!physmem_contains(x->pm, table, VM_PAGE_SIZE))
        return;
    for (unsigned i = 0; i < pt_fmt_entries(x->fmt); i++) {
        paddr_t pa = pt_fmt_nth(x->fmt, table, i);
        uint64_t v = pte_check(x, b, pa, level, NULL);
        struct pte_info pi;
        x->fmt->decode(v, level, &pi);
        if (pi.present && !pi.leaf && level > 0)
            pt_table(x, b, pi.addr, level - 1);
    }
}

/* The entries on va's path from the root. */
static void pt_path(struct explorer *x, struct xbuf *b, vaddr_t va)
{
    if (!pt_canonical(x->fmt, va))
        return;
    paddr_t table = x->root;
    for (int level = (int)x->fmt->levels - 1; level >= 0; level--) {
        paddr_t pa = pt_fmt_entry(x->fmt, table, va, (unsigned)level);
        if (!physmem_contains(x->pm, pa, x->fmt->pte_bytes))
            return;
        bool moved;
        uint64_t v = pte_check(x, b, pa, (unsigned)level, &moved);
        struct pte_info pi;
        x->fmt->decode(v, (unsigned)level, &pi);
        if (!pi.present || pi.leaf || level == 0)
            return;
        /* a table new to us, or newly linked here (its frame may have been
         * a table before, freed by an exec or an exit): all of it */
        if (moved || !pt_find(&x->pt, pi.addr, false))
            pt_table(x, b, pi.addr, (unsigned)level - 1);
        table = pi.addr;
    }
}

static bool slot_same(const struct vm_tlb_slot *a, const struct vm_tlb_slot *b)
{
    if (a->valid != b->valid)
        return false;
    return !a->valid || (a->va == b->va && a->entry_shift == b->entry_shift &&
                         a->page_shift == b->page_shift && a->frame == b->frame &&
                         a->asid == b->asid && a->global == b->global && a->dirty == b->dirty &&
                         a->prot == b->prot);
}

static void tlb_diff(struct explorer *x, struct xbuf *b)
{
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++)
        for (unsigned i = 0; i < x->tslots[l]; i++) {
            struct vm_tlb_slot s;
            if (cpu_tlb_level_slot(x->cpu, (enum vm_tlb_level)l, i, &s) || slot_same(&s, &x->tlb[l][i]))
                continue;
            x->tlb[l][i] = s;
            if (s.valid)
                xb_printf(b, "%s[%u,%u,\"%" PRIx64 "\",%u,%u,\"%" PRIx64 "\",%u,%u,%u]",
                          x->sep ? "," : "", l, i, s.va, s.entry_shift, s.page_shift, s.frame,
                          s.asid, (s.global ? 1u : 0) | (s.dirty ? 2u : 0), s.prot);
            else
                xb_printf(b, "%s[%u,%u,0]", x->sep ? "," : "", l, i);
            x->sep = true;
        }
    for (unsigned l = 1; l <= 4; l++)
        for (unsigned i = 0; i < x->pslots[l]; i++) {
            struct vm_pwc_slot s;
            struct vm_pwc_slot *m = &x->pwc[l][i];
            if (cpu_pwc_slot(x->cpu, l, i, &s) ||
                (s.valid == m->valid && (!s.valid || (s.va == m->va && s.table == m->table &&
                                                      s.asid == m->asid))))
                continue;
            *m = s;
            if (s.valid)
                xb_printf(b, "%s[%u,%u,\"%" PRIx64 "\",\"%" PRIx64 "\",%u]", x->sep ? "," : "",
                          10 + l, i, s.va, s.table, s.asid);
            else
                xb_printf(b, "%s[%u,%u,0]", x->sep ? "," : "", 10 + l, i);
            x->sep = true;
        }
}

static bool frame_same(const struct kernel_frame_info *a, const struct kernel_frame_info *b)
{
    return a->used == b->used && a->busy == b->busy && a->listed == b->listed &&
           a->pinned == b->pinned && a->huge_tail == b->huge_tail && a->ring == b->ring &&
           a->next == b->next && a->mappers == b->mappers && a->pid == b->pid && a->va == b->va &&
           a->kind == b->kind && a->accessed == b->accessed && a->dirty == b->dirty &&
           a->mark == b->mark;
}

static void frames_diff(struct explorer *x, struct xbuf *b, struct xbuf *pol)
{
    struct kernel_policy_info pi;
    kernel_inspect_frames(x->k, &pi, x->frtmp, x->nframes);
    for (uint64_t i = 0; i < x->nframes; i++) {
        const struct kernel_frame_info *f = &x->frtmp[i];
        if (frame_same(f, &x->fr[i]))
            continue;
        x->fr[i] = *f;
        unsigned bits = (f->used ? 1u : 0) | (f->busy ? 2u : 0) | (f->listed ? 4u : 0) |
                        (f->pinned ? 8u : 0) | (f->accessed ? 16u : 0) | (f->dirty ? 32u : 0) |
                        (f->huge_tail ? 64u : 0);
        if (!f->used)
            xb_printf(b, "%s[%" PRIu64 ",0]", x->sep ? "," : "", i);
        else
            xb_printf(b, "%s[%" PRIu64 ",%u,%d,\"%" PRIx64 "\",\"%s\",%u,%d,%u,%u]", x->sep ? "," : "",
                      i, bits, f->pid, f->va, f->kind ? f->kind : "", f->ring,
                      f->next == UINT32_MAX ? -1 : (int)f->next, f->mark, f->mappers);
        x->sep = true;
    }
    if (pi.hand != x->pol.hand || pi.head[0] != x->pol.head[0] || pi.head[1] != x->pol.head[1] ||
        pi.listed != x->pol.listed)
        xb_printf(pol, "[%d,%d,%d,%" PRIu64 "]", pi.hand == UINT32_MAX ? -1 : (int)pi.hand,
                  pi.head[0] == UINT32_MAX ? -1 : (int)pi.head[0],
                  pi.head[1] == UINT32_MAX ? -1 : (int)pi.head[1], pi.listed);
    x->pol = pi;
}

static void swap_diff(struct explorer *x, struct xbuf *b)
{
    uint64_t nslots, n = kernel_inspect_swap(x->k, NULL, 0, &nslots);
    struct kernel_slot_info *now = malloc((n ? n : 1) * sizeof *now);
    if (!now) {
        b->failed = true;
        return;
    }
    n = kernel_inspect_swap(x->k, now, n, &nslots);
    uint64_t i = 0, j = 0;
    while (i < x->nsw || j < n) {
        const struct kernel_slot_info *o = i < x->nsw ? &x->sw[i] : NULL, *c = j < n ? &now[j] : NULL;
        if (o && (!c || o->slot < c->slot)) {
            xb_printf(b, "%s[%u]", x->sep ? "," : "", o->slot);   /* freed */
            x->sep = true;
            i++;
            continue;
        }
        if (!o || c->slot < o->slot || c->va != o->va || c->pid != o->pid ||
            c->owners != o->owners || c->cached != o->cached) {
            xb_printf(b, "%s[%u,\"%" PRIx64 "\",%d,%u,%d]", x->sep ? "," : "", c->slot, c->va,
                      c->pid, c->owners, c->cached ? 1 : 0);
            x->sep = true;
        }
        if (o && o->slot == c->slot)
            i++;
        j++;
    }
    free(x->sw);
    x->sw = now;
    x->nsw = n;
}

static void counters_diff(struct explorer *x, struct xbuf *b)
{
    struct cpu_stats cs;
    struct vmstat vs;
    cpu_stats(x->cpu, &cs);
    kernel_vmstat(x->k, &vs);
    for (int i = 0; i < CPU_STAT_NR; i++)
        if (cs.v[i] != x->cs.v[i]) {
            xb_printf(b, "%s[%d,%" PRIu64 "]", x->sep ? "," : "", i, cs.v[i]);
            x->sep = true;
        }
    for (int i = 0; i < VMSTAT_NR; i++)
        if (vs.v[i] != x->vs.v[i]) {
            xb_printf(b, "%s[%d,%" PRIu64 "]", x->sep ? "," : "", CPU_STAT_NR + i, vs.v[i]);
            x->sep = true;
        }
    x->cs = cs;
    x->vs = vs;
}

/* ---- the explorer ---- */

struct explorer *explorer_new(const struct explore_info *info, uint64_t max_bytes)
{
    struct explorer *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->title = strdup(info->title ? info->title : "vmlab explore");
    x->input = strdup(info->input ? info->input : "");
    x->config = strdup(info->config ? info->config : "");
    x->from = info->from ? info->from : 1;
    x->max_bytes = max_bytes ? max_bytes : EXPLORE_MAX_BYTES;
    if (!x->title || !x->input || !x->config) {
        explorer_free(x);
        return NULL;
    }
    return x;
}

void explorer_free(struct explorer *x)
{
    if (!x)
        return;
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++)
        free(x->tlb[l]);
    for (unsigned l = 0; l <= 4; l++)
        free(x->pwc[l]);
    free(x->pt.key);
    free(x->pt.val);
    free(x->fr);
    free(x->frtmp);
    free(x->sw);
    free(x->steps.p);
    free(x->init.p);
    free(x->geom.p);
    dict_free(&x->dict);
    free(x->textbuf);
    free(x->title);
    free(x->input);
    free(x->config);
    free(x);
}

/* Where each array of a level begins among its slots, and its sets and ways. */
static void geometry(struct explorer *x)
{
    struct xbuf *g = &x->geom;
    const struct tlb_config *tc = &machine_config(x->m)->tlb;
    const struct tlb_level *cfg[VM_TLB_NLEVELS] = {&tc->l1i, &tc->l1d, &tc->l2};
    xb_printf(g, "[");
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++) {
        xb_printf(g, "%s{\"name\":\"%s\",\"arrays\":[", l ? "," : "", vm_tlb_level_names[l]);
        unsigned base = 0, a = 0;
        for (unsigned c = 0; c < TLB_MAX_ARRAYS; c++) {
            const struct tlb_array *ar = &cfg[l]->array[c];
            if (!ar->entries)
                continue;
            char sizes[32] = "";
            static const char *const sz[] = {"4K", "2M", "1G", "4M"};
            for (unsigned s = 0; s < TLB_NSIZES; s++)
                if (ar->sizes & (1u << s))
                    snprintf(sizes + strlen(sizes), sizeof sizes - strlen(sizes), "%s%s",
                             sizes[0] ? "+" : "", sz[s]);
            xb_printf(g, "%s{\"base\":%u,\"sets\":%u,\"ways\":%u,\"sizes\":\"%s\"}", a ? "," : "",
                      base, ar->entries / ar->ways, ar->ways, sizes);
            base += ar->entries;
            a++;
        }
        xb_printf(g, "]}");
    }
    xb_printf(g, "]");
}

int explorer_begin(struct explorer *x, struct machine *m, struct kernel *k, struct cpu *cpu,
                   const struct pt_format *fmt)
{
    x->m = m;
    x->k = k;
    x->cpu = cpu;
    x->fmt = fmt;
    x->pm = machine_physmem(m);
    x->root = cpu_root(cpu);
    for (unsigned l = 0; l < VM_TLB_NLEVELS; l++) {
        x->tslots[l] = cpu_tlb_level_slots(cpu, (enum vm_tlb_level)l);
        x->tlb[l] = calloc(x->tslots[l] ? x->tslots[l] : 1, sizeof *x->tlb[l]);
        if (!x->tlb[l])
            return -1;
    }
    for (unsigned l = 1; l <= 4; l++) {
        x->pslots[l] = cpu_pwc_slots(cpu, l);
        x->pwc[l] = calloc(x->pslots[l] ? x->pslots[l] : 1, sizeof *x->pwc[l]);
        if (!x->pwc[l])
            return -1;
    }
    x->allframes = kernel_inspect_frames(k, &x->pol, NULL, 0);
    x->nframes = x->allframes < EXPLORE_MAX_FRAMES ? x->allframes : EXPLORE_MAX_FRAMES;
    x->fr = calloc(x->nframes ? x->nframes : 1, sizeof *x->fr);
    x->frtmp = calloc(x->nframes ? x->nframes : 1, sizeof *x->frtmp);
    if (!x->fr || !x->frtmp)
        return -1;
    kernel_inspect_swap(k, NULL, 0, &x->nslots);
    geometry(x);
    /* the starting state: everything, as deltas from an empty one */
    struct xbuf *b = &x->init;
    x->pol.hand = x->pol.head[0] = x->pol.head[1] = UINT32_MAX - 1;   /* always told */
    xb_printf(b, "{\"t\":[");
    x->sep = false;
    tlb_diff(x, b);
    xb_printf(b, "],\"p\":[");
    x->sep = false;
    pt_table(x, b, x->root, fmt->levels - 1);
    xb_printf(b, "],\"fr\":[");
    x->sep = false;
    struct xbuf pol = {0};
    frames_diff(x, b, &pol);
    xb_printf(b, "],\"pol\":%s,\"sw\":[", pol.p ? pol.p : "null");
    free(pol.p);
    x->sep = false;
    swap_diff(x, b);
    xb_printf(b, "],\"c\":[");
    x->sep = false;
    counters_diff(x, b);
    xb_printf(b, "],\"root\":\"%" PRIx64 "\"}", x->root);
    if (b->failed || x->geom.failed)
        return -1;
    x->fixed_bytes = explorer_fixed_bytes(x);
    return x->fixed_bytes ? 0 : -1;
}

/* The linear slot index of (array, set, way) in a TLB level. */
static unsigned slot_index(const struct explorer *x, unsigned level, unsigned array, unsigned set,
                           unsigned way)
{
    const struct tlb_config *tc = &machine_config(x->m)->tlb;
    const struct tlb_level *lv = level == VM_TLB_L1I ? &tc->l1i : level == VM_TLB_L1D ? &tc->l1d : &tc->l2;
    unsigned base = 0, a = 0;
    for (unsigned c = 0; c < TLB_MAX_ARRAYS; c++) {
        if (!lv->array[c].entries)
            continue;
        if (a++ == array)
            return base + set * lv->array[c].ways + way;
        base += lv->array[c].entries;
    }
    return base;
}

/* What the step touched, for the page's highlights; and where the state may have moved. */
struct touched {
    bool tlb, frames, swap;
    vaddr_t va[64];
    unsigned nva;
};

static void touch_va(struct touched *t, vaddr_t va)
{
    va &= ~(vaddr_t)VM_PAGE_MASK;
    for (unsigned i = 0; i < t->nva; i++)
        if (t->va[i] == va)
            return;
    if (t->nva < 64)
        t->va[t->nva++] = va;
}

static void highlights(struct explorer *x, const struct step *s, struct touched *t, struct xbuf *h)
{
    bool st = false, sp = false, sf = false, ss = false;
    struct xbuf ht = {0}, hp = {0}, hf = {0}, hs = {0};
    for (size_t i = 0; i < s->nev; i++) {
        const struct vm_event *e = s->ev[i];
        switch (e->kind) {
        case VM_EV_TLB_LOOKUP:
            if (e->tlb.hit) {
                xb_printf(&ht, "%s[%u,%u,0]", st ? "," : "", e->tlb.level,
                          slot_index(x, e->tlb.level, e->tlb.array, e->tlb.set, e->tlb.way));
                st = true;
            }
            break;
        case VM_EV_TLB_FILL:
            t->tlb = true;
            xb_printf(&ht, "%s[%u,%u,1]", st ? "," : "", e->fill.level,
                      slot_index(x, e->fill.level, e->fill.array, e->fill.set, e->fill.way));
            st = true;
            break;
        case VM_EV_WALK:
            t->frames = true;
            touch_va(t, e->walk.va);
            for (unsigned k = 0; k < e->walk.nlevels && k < VM_WALK_MAX_LEVELS; k++) {
                xb_printf(&hp, "%s\"%" PRIx64 "\"", sp ? "," : "", e->walk.lv[k].pte_pa);
                sp = true;
            }
            break;
        case VM_EV_FAULT:
            t->tlb = t->frames = true;
            touch_va(t, e->fault.f.addr);
            break;
        case VM_EV_FLUSH:
        case VM_EV_SHOOTDOWN:
            t->tlb = true;
            break;
        case VM_EV_FAULT_HANDLED:
            t->frames = t->swap = true;
            touch_va(t, e->handled.page);
            if (e->handled.frame != UINT32_MAX) {
                xb_printf(&hf, "%s[%u,100]", sf ? "," : "", e->handled.frame);
                sf = true;
            }
            if (e->handled.action == VM_FA_SWAP_IN) {
                xb_printf(&hs, "%s[%u,1]", ss ? "," : "", e->handled.slot);
                ss = true;
            }
            break;
        case VM_EV_POLICY:
            t->frames = true;
            if (e->policy.mappers)
                touch_va(t, e->policy.va);
            xb_printf(&hf, "%s[%u,%u]", sf ? "," : "", e->policy.frame, e->policy.verdict);
            sf = true;
            break;
        case VM_EV_EVICT:
            t->frames = t->swap = true;
            if (e->evict.phase == VM_EVICT_UNMAP)
                touch_va(t, e->evict.va);
            if (e->evict.phase == VM_EVICT_START) {
                xb_printf(&hf, "%s[%u,101]", sf ? "," : "", e->evict.frame);
                sf = true;
            }
            if (e->evict.phase == VM_EVICT_DONE && e->evict.outcome == VM_EVICT_SWAPPED) {
                xb_printf(&hs, "%s[%u,0]", ss ? "," : "", e->evict.slot);
                ss = true;
            }
            break;
        default:
            break;
        }
    }
    xb_printf(h, "{\"t\":[%s],\"p\":[%s],\"fr\":[%s],\"sw\":[%s]}", ht.p ? ht.p : "",
              hp.p ? hp.p : "", hf.p ? hf.p : "", hs.p ? hs.p : "");
    if (ht.failed || hp.failed || hf.failed || hs.failed)
        h->failed = true;
    free(ht.p);
    free(hp.p);
    free(hf.p);
    free(hs.p);
}

uint64_t explorer_steps(const struct explorer *x) { return x->nsteps; }
bool explorer_full(const struct explorer *x) { return x->full; }

int explorer_set_config(struct explorer *x, const char *config)
{
    char *c = strdup(config);
    if (!c)
        return -1;
    free(x->config);
    x->config = c;
    return 0;
}

void explorer_note(struct explorer *x, const char *note)
{
    snprintf(x->note, sizeof x->note, "%s", note);
}

/* The bytes the page would have now: what explorer_begin measured (the
 * template, style, script and the data's fixed part, with room for the
 * note), the lines and the steps. */
static size_t page_bytes(const struct explorer *x)
{
    return x->fixed_bytes + x->dict.bytes + x->steps.len + x->nsteps;
}

bool explorer_step(struct explorer *x, const struct step_ctx *ctx, const struct step *s)
{
    if (x->full)
        return false;
    size_t mark = x->steps.len;
    struct xbuf *b = &x->steps;
    /* the step's text, as `vmlab step` prints it, line by line into the dictionary */
    free(x->textbuf);                    /* each memstream makes its own buffer */
    x->textbuf = NULL;
    FILE *mem = open_memstream(&x->textbuf, &x->textlen);
    if (!mem || step_print_text(mem, ctx, s) || fclose(mem)) {
        b->failed = true;
        return false;
    }
    unsigned flags = 0;
    for (size_t i = 0; i < s->nev; i++) {
        const struct vm_event *e = s->ev[i];
        if (e->kind == VM_EV_FAULT)
            flags |= 1;
        if (e->kind == VM_EV_EVICT && e->evict.phase == VM_EVICT_START)
            flags |= 2;
        if (e->kind == VM_EV_WALK || (e->kind == VM_EV_TLB_LOOKUP && e->tlb.hit == 2))
            flags |= 4;
    }
    if (!s->ok)
        flags |= 8;
    xb_printf(b, "%s{\"n\":%" PRIu64 ",\"a\":\"%c\",\"va\":\"%" PRIx64 "\",\"sz\":%u,\"f\":%u,\"x\":[",
              x->nsteps ? "," : "", s->n, "lsf"[s->rec.kind < 3 ? s->rec.kind : 0], s->rec.va,
              s->rec.size, flags);
    bool first = true;
    for (char *p = x->textbuf; p && *p;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        uint32_t id = dict_add(&x->dict, p, len);
        if (id == UINT32_MAX)
            b->failed = true;
        xb_printf(b, "%s%u", first ? "" : ",", id);
        first = false;
        p += len + (nl ? 1 : 0);
    }
    xb_printf(b, "],\"lf\":%u", step_leaf_level(s, x->fmt));
    uint64_t pa;
    if (step_result_pa(s, &pa))
        xb_printf(b, ",\"pa\":\"%" PRIx64 "\"", pa);
    struct touched t = {0};
    struct xbuf h = {0};
    highlights(x, s, &t, &h);
    xb_printf(b, ",\"h\":%s", h.p ? h.p : "{}");
    free(h.p);
    paddr_t root = cpu_root(x->cpu);
    if (root != x->root) {               /* another process: its tree */
        x->root = root;
        xb_printf(b, ",\"root\":\"%" PRIx64 "\",\"p\":[", root);
        x->sep = false;
        pt_table(x, b, root, x->fmt->levels - 1);
        xb_printf(b, "]");
    } else if (t.nva) {
        size_t at = b->len;
        xb_printf(b, ",\"p\":[");
        x->sep = false;
        size_t start = b->len;
        for (unsigned i = 0; i < t.nva; i++)
            pt_path(x, b, t.va[i]);
        if (b->len == start)
            b->len = at;                 /* nothing moved */
        else
            xb_printf(b, "]");
    }
    if (t.tlb) {
        size_t at = b->len;
        xb_printf(b, ",\"t\":[");
        x->sep = false;
        size_t start = b->len;
        tlb_diff(x, b);
        if (b->len == start)
            b->len = at;
        else
            xb_printf(b, "]");
    }
    if (t.frames) {
        size_t at = b->len;
        struct xbuf pol = {0};
        xb_printf(b, ",\"fr\":[");
        x->sep = false;
        size_t start = b->len;
        frames_diff(x, b, &pol);
        if (b->len == start)
            b->len = at;
        else
            xb_printf(b, "]");
        if (pol.p)
            xb_printf(b, ",\"pol\":%s", pol.p);
        free(pol.p);
    }
    if (t.swap) {
        size_t at = b->len;
        xb_printf(b, ",\"sw\":[");
        x->sep = false;
        size_t start = b->len;
        swap_diff(x, b);
        if (b->len == start)
            b->len = at;
        else
            xb_printf(b, "]");
    }
    xb_printf(b, ",\"c\":[");
    x->sep = false;
    counters_diff(x, b);
    xb_printf(b, "]}");
    if (page_bytes(x) > x->max_bytes) {
        /* over the budget: this step is not kept (its text lines may stay in
         * the dictionary, unused), and no other is taken */
        b->len = mark;
        x->full = true;
        return false;
    }
    x->nsteps++;
    return !b->failed;
}
