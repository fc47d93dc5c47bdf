/* step_text.c — a step in words: the path of one access, one line per
 * thing that happened (docs/step.md, "The text form").
 *
 * Events print in the order they happened, indented by what they are part
 * of (a fault's work, a policy's scan, an eviction), with three
 * rearrangements that make the story read in order: what the kernel found
 * is told right after the fault (the event carrying it comes at the end
 * of the fault), an L1 fill from the L2 after the lookup that caused it,
 * and the invalidation a policy's A-bit clearing made after that look.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "step/step.h"

struct printer {
    FILE *f;
    const struct pt_format *fmt;
    const struct step_ctx *ctx;
    const struct step *s;
    int ind;                       /* the indentation of the current context */
    bool in_evict, in_policy;
};

static void line(struct printer *p, int ind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(struct printer *p, int ind, const char *fmt, ...)
{
    fprintf(p->f, "%*s", ind, "");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->f, fmt, ap);
    va_end(ap);
    fputc('\n', p->f);
}

static unsigned long long u(uint64_t v) { return (unsigned long long)v; }

static const char *size_name(unsigned shift) { return tlb_page_size_name(shift); }

static const char *plural(uint64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

/* ---- the machine ---- */

static void entry_words(char *buf, size_t len, vaddr_t va, unsigned entry_shift, unsigned page_shift,
                        paddr_t frame, unsigned prot, bool global, bool dirty)
{
    char pr[8];
    step_prot(prot, pr);
    int n = snprintf(buf, len, "%s page 0x%llx -> 0x%llx, %s%s%s", size_name(entry_shift), u(va),
                     u(frame), pr, dirty ? ", D=1" : ", D=0", global ? ", global" : "");
    if (entry_shift < page_shift && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " (a piece of a %s page)", size_name(page_shift));
}

static void text_lookup(struct printer *p, const struct vm_ev_tlb_lookup *l)
{
    const char *l1 = l->acc == VM_ACCESS_FETCH ? "L1 ITLB" : "L1 DTLB";
    char what[160] = "", ent[200] = "";
    if (l->hit == 1)
        snprintf(what, sizeof what, "%s hit", l1);
    else if (l->hit == 2)
        snprintf(what, sizeof what, "%s miss, L2 hit", l1);
    else if (!l->has_l1 && !l->has_l2)
        snprintf(what, sizeof what, "no TLB to look in");
    else
        snprintf(what, sizeof what, "%s miss%s", l->has_l1 ? l1 : "no L1", l->has_l2 ? ", L2 miss" : "");
    if (l->hit) {
        char e[160];
        entry_words(e, sizeof e, l->entry_va, l->entry_shift, l->page_shift, l->frame, l->prot,
                    l->global, l->dirty);
        snprintf(ent, sizeof ent, ": %s [%s set %u way %u]", e, vm_tlb_level_names[l->level], l->set,
                 l->way);
    }
    static const char *const tail[] = {
        [VM_TLB_USED] = "",
        [VM_TLB_DIRTY_REWALK] = "; cached with D=0, so the store walks again to set D",
        [VM_TLB_RIGHTS_REWALK] = "; the cached rights do not allow it: walk again",
        [VM_TLB_MISSED] = "",
        [VM_TLB_TRAP] = "; software refill: trap to the kernel",
    };
    line(p, p->ind, "tlb: %s%s (ASID %u)%s%s", l->counted ? "" : "retry: ", what, l->asid, ent,
         tail[l->verdict]);
}

static void text_fill(struct printer *p, const struct vm_ev_tlb_fill *f)
{
    char e[160], was[120];
    entry_words(e, sizeof e, f->va, f->entry_shift, f->page_shift, f->frame, f->prot, f->global,
                f->dirty);
    if (f->refreshed)
        snprintf(was, sizeof was, "the page's own entry, refreshed");
    else if (f->replaced)
        snprintf(was, sizeof was, "replaces %s page 0x%llx ASID %u%s", size_name(f->old_shift),
                 u(f->old_va), f->old_asid, f->old_global ? " (global)" : "");
    else
        snprintf(was, sizeof was, "was empty");
    line(p, p->ind, "fill: %s set %u way %u <- %s, ASID %u (%s)", vm_tlb_level_names[f->level],
         f->set, f->way, e, f->asid, was);
}

static void text_walk(struct printer *p, const struct vm_ev_walk *w)
{
    const struct pt_format *fmt = p->fmt;
    unsigned top = fmt->levels - 1;
    if (w->pwc_level >= 0)
        line(p, p->ind, "walk: the page-walk cache holds the %s entry: start at the %s table 0x%llx",
             step_level_name(fmt, (unsigned)w->pwc_level + 1),
             step_level_name(fmt, (unsigned)w->pwc_level), u(w->start));
    else
        line(p, p->ind, "walk: from the root, the %s table 0x%llx%s", step_level_name(fmt, top),
             u(w->start), w->pwc_missed ? " (no page-walk-cache entry)" : "");
    int digits = (int)fmt->pte_bytes * 2;
    for (unsigned i = 0; i < w->nlevels && i < VM_WALK_MAX_LEVELS; i++) {
        const struct vm_walk_level *l = &w->lv[i];
        char name[24], bits[64], what[160] = "", set[96] = "";
        snprintf(name, sizeof name, "%s[%u]", step_level_name(fmt, l->level), l->index);
        step_pte_bits(fmt, l->pte, l->level, bits, sizeof bits);
        switch (l->check) {
        case VM_WALK_NOT_PRESENT: snprintf(what, sizeof what, "not present"); break;
        case VM_WALK_RESERVED: snprintf(what, sizeof what, "a reserved bit or encoding"); break;
        case VM_WALK_CAS_LOST: snprintf(what, sizeof what, "changed under the walker: walk again"); break;
        case VM_WALK_DENIED:
            snprintf(what, sizeof what, "the rights do not allow a %s", step_access_name(w->acc));
            break;
        case VM_WALK_OK:
            if (l->info.leaf)
                snprintf(what, sizeof what, "-> %s page at 0x%llx",
                         size_name(pt_fmt_shift(fmt, l->level)), u(l->info.addr));
            else
                snprintf(what, sizeof what, "-> %s table 0x%llx",
                         step_level_name(fmt, l->level - 1), u(l->info.addr));
            break;
        }
        uint64_t added = l->written & ~l->pte;
        if (added && l->check != VM_WALK_CAS_LOST) {
            char ab[32];
            step_pte_bits(fmt, added, l->level, ab, sizeof ab);
            snprintf(set, sizeof set, "; the walker sets %s: 0x%0*llx", ab, digits, u(l->written));
        }
        line(p, p->ind + 2, "%-10s entry 0x%llx = 0x%0*llx  %s  %s%s", name, u(l->pte_pa), digits,
             u(l->pte), bits, what, set);
    }
    if (w->ok) {
        char pr[8];
        step_prot(w->prot, pr);
        line(p, p->ind + 2, "=> 0x%llx: %s page 0x%llx, %s%s%s", u(w->pa), size_name(w->page_shift),
             u(w->page_base), pr, w->global ? ", global" : "", w->dirty ? ", D=1" : ", D=0");
    }
}

static void text_fault(struct printer *p, const struct vm_ev_fault *e)
{
    const struct vm_fault *f = &e->f;
    switch (f->type) {
    case FAULT_GP:
        line(p, p->ind, "general-protection fault #GP(0): 0x%llx is not canonical", u(f->addr));
        return;
    case FAULT_TLB_REFILL:
        line(p, p->ind, "TLB refill trap: no entry for 0x%llx", u(f->addr));
        return;
    case FAULT_TLB_MODIFIED:
        line(p, p->ind, "TLB Modified trap: a store through an entry without D, 0x%llx", u(f->addr));
        return;
    case FAULT_BUS:
        line(p, p->ind, "bus error at 0x%llx", u(f->addr));
        return;
    case FAULT_PAGE:
        break;
    }
    const char *why = f->not_present ? "no valid entry" : f->reserved ? "a reserved bit" : "the rights";
    if (p->fmt->arch == PT_ARCH_X86) {
        char ec[96];
        step_error_code(f->error_code, ec, sizeof ec);
        line(p, p->ind, "page fault #PF: address 0x%llx, error code 0x%x (%s); the walk stopped at %s",
             u(f->addr), f->error_code, ec, step_level_name(p->fmt, f->level));
    } else {
        const char *c = f->cause == RV_CAUSE_FETCH_PAGE_FAULT ? "instruction page fault"
                      : f->cause == RV_CAUSE_STORE_PAGE_FAULT ? "store page fault"
                                                              : "load page fault";
        line(p, p->ind, "page fault: stval 0x%llx, scause %u (%s): %s at %s", u(f->addr), f->cause,
             c, why, step_level_name(p->fmt, f->level));
    }
}

static void vma_words(const struct vm_ev_fault_handled *h, char *buf, size_t len)
{
    char pr[8];
    step_prot(h->vma_prot, pr);
    pr[3] = 0;   /* a VMA's rights: rwx */
    static const char *const flag[] = {"anon", "file", "shared", "stack", "heap"};
    int n = snprintf(buf, len, "VMA [0x%llx, 0x%llx) %s", u(h->vma_start), u(h->vma_end), pr);
    for (unsigned i = 0; i < 5 && n > 0 && (size_t)n < len; i++)
        if (h->vma_flags & (1u << i))
            n += snprintf(buf + n, len - (size_t)n, " %s", flag[i]);
}

/* What find-and-check found: told right after the fault. */
static void text_found(struct printer *p, const struct vm_ev_fault_handled *h)
{
    char vma[160] = "no VMA covers it", page[160];
    if (h->has_vma)
        vma_words(h, vma, sizeof vma);
    if (!h->page_existed) {
        snprintf(page, sizeof page, "no SPT entry: a new %s page", h->kind ? h->kind : "");
    } else {
        unsigned st = h->page_state;
        int n = snprintf(page, sizeof page, "SPT: a%s %s page", h->kind && h->kind[0] == 'a' ? "n" : "",
                         h->kind ? h->kind : "?");
        if ((st & VM_PG_RESIDENT) && n > 0)
            n += snprintf(page + n, sizeof page - (size_t)n, ", resident");
        if ((st & VM_PG_SWAPPED) && n > 0)
            n += snprintf(page + n, sizeof page - (size_t)n, (st & VM_PG_RESIDENT)
                                                                  ? ", its swap copy in slot %u"
                                                                  : ", swapped out to slot %u",
                          h->slot);
        if ((st & VM_PG_COW) && n > 0)
            n += snprintf(page + n, sizeof page - (size_t)n, ", copy-on-write");
        if ((st & VM_PG_DIRTY) && n > 0)
            n += snprintf(page + n, sizeof page - (size_t)n, ", dirty");
        if (!(st & (VM_PG_LOADED | VM_PG_RESIDENT)) && n > 0)
            snprintf(page + n, sizeof page - (size_t)n, ", never loaded");
    }
    line(p, p->ind, "kernel: pid %d: %s; %s%s", h->pid, vma, page,
         h->stack_growth ? "; the stack grows down to cover it" : "");
}

/* What the fault handler did. */
static void text_did(struct printer *p, const struct vm_ev_fault_handled *h)
{
    int d = (int)p->fmt->pte_bytes * 2;
    char into[160] = "";
    if (h->frame != UINT32_MAX)
        snprintf(into, sizeof into, "frame %u (0x%llx), PTE 0x%0*llx", h->frame, u(h->frame_pa), d,
                 u(h->pte));
    const char *kind = h->major ? " (a major fault)" : " (a minor fault)";
    switch (h->action) {
    case VM_FA_ZERO_FILL:
        line(p, p->ind, "kernel: zero-fill%s: %s%s", h->huge ? " of a 2 MiB page" : "", into, kind);
        break;
    case VM_FA_SWAP_IN:
        line(p, p->ind, "kernel: swap-in from slot %u%s: %s%s", h->slot,
             h->huge ? " (and the 511 after it: a 2 MiB page)" : "", into, kind);
        break;
    case VM_FA_FILE_READ:
        line(p, p->ind, "kernel: file read at offset 0x%llx: %s%s", u(h->file_offset), into, kind);
        break;
    case VM_FA_PAGECACHE:
        line(p, p->ind, "kernel: the page cache's frame mapped: %s%s", into, kind);
        break;
    case VM_FA_INIT:
        line(p, p->ind, "kernel: filled by the page's initializer: %s%s", into, kind);
        break;
    case VM_FA_COW_COPY:
        line(p, p->ind, "kernel: copy-on-write: frame %u copied to %s%s", h->old_frame, into, kind);
        break;
    case VM_FA_COW_REUSE:
        line(p, p->ind, "kernel: copy-on-write: the last mapper takes the frame over: %s%s", into,
             kind);
        break;
    case VM_FA_SPURIOUS:
        line(p, p->ind, "kernel: nothing to do, the page is mapped: %s%s", into, kind);
        break;
    case VM_FA_KILL:
        line(p, p->ind, "kernel: kills pid %d: %s (%s)", h->pid,
             h->kill_msg[0] ? h->kill_msg : kill_reason_names[h->kill], kill_reason_descs[h->kill]);
        break;
    case VM_FA_OTHER:
        line(p, p->ind, "kernel: handled%s", kind);
        break;
    }
}

static void text_policy(struct printer *p, const struct vm_ev_policy *e)
{
    if (!p->in_policy)
        line(p, p->ind, "%s chooses a victim:", e->policy);
    p->in_policy = true;
    char who[96] = "free";
    if (e->mappers)
        snprintf(who, sizeof who, "pid %d 0x%llx%s", e->pid, u(e->va),
                 e->mappers > 1 ? ", shared" : "");
    char what[200];
    const char *flushed = e->flushed ? ", its cached translations invalidated" : "";
    switch (e->verdict) {
    case VM_POL_SKIP_PINNED: snprintf(what, sizeof what, "pinned: passed over"); break;
    case VM_POL_SECOND_CHANCE:
        snprintf(what, sizeof what, "A=1: second chance (A cleared%s)", flushed);
        break;
    case VM_POL_ACTIVATE:
        snprintf(what, sizeof what, "A=1 and referenced: to the active list (A cleared%s)", flushed);
        break;
    case VM_POL_DEACTIVATE:
        snprintf(what, sizeof what, "the oldest active page: to the inactive list (A was %d%s)",
                 e->young, e->young ? ", cleared" : "");
        break;
    case VM_POL_REFRESH:
        snprintf(what, sizeof what, "A=1: moved to the recent end (A cleared%s)", flushed);
        break;
    case VM_POL_AGED:
        snprintf(what, sizeof what, "A=%d: age 0x%02llx", e->young, u(e->value));
        break;
    case VM_POL_CANDIDATE:
        if (e->value == UINT64_MAX)
            snprintf(what, sizeof what, "never used again");
        else
            snprintf(what, sizeof what, "%s %llu", e->value_name ? e->value_name : "value",
                     u(e->value));
        break;
    case VM_POL_VICTIM: {
        char val[64] = "";
        if (e->has_value && e->value != UINT64_MAX)
            snprintf(val, sizeof val, " (%s %llu)", e->value_name ? e->value_name : "value",
                     u(e->value));
        snprintf(what, sizeof what, "%svictim: %s%s", e->tested ? "A=0: " : "", e->why ? e->why : "",
                 val);
        break;
    }
    }
    line(p, p->ind + 2, "frame %u (%s; %s): %s", e->frame, who, e->list, what);
}

static void text_evict(struct printer *p, const struct vm_ev_evict *e)
{
    int d = (int)p->fmt->pte_bytes * 2;
    switch (e->phase) {
    case VM_EVICT_START:
        p->in_policy = false;
        p->in_evict = true;
        line(p, p->ind, "evict frame %u (0x%llx): %s page, %u %s", e->frame, u(e->frame_pa), e->kind,
             e->mappers, plural(e->mappers, "mapper", "mappers"));
        break;
    case VM_EVICT_UNMAP:
        line(p, p->ind + 2, "pid %d 0x%llx: PTE 0x%0*llx (A=%d D=%d) cleared", e->pid, u(e->va), d,
             u(e->old_pte), e->accessed, e->dirty);
        break;
    case VM_EVICT_DONE:
        p->in_evict = false;
        switch (e->outcome) {
        case VM_EVICT_DROPPED: line(p, p->ind + 2, "clean: dropped (its backing copy is the same)"); break;
        case VM_EVICT_SWAPPED:
            line(p, p->ind + 2, e->slot_reused ? "dirty: rewritten into its swap slot %u"
                                               : "dirty: written to swap slot %u", e->slot);
            break;
        case VM_EVICT_WRITEBACK: line(p, p->ind + 2, "dirty: written back to its file"); break;
        case VM_EVICT_SWAP_FULL: line(p, p->ind + 2, "dirty, and swap is full: it stays"); break;
        case VM_EVICT_IO_ERROR: line(p, p->ind + 2, "the write failed: it stays"); break;
        }
        break;
    }
}

static void cpus(cpumask_t m, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < 64 && at < len; i++)
        if (m & ((cpumask_t)1 << i))
            at += (size_t)snprintf(buf + at, len - at, "%s%u", at ? "," : "", i);
}

/* A shootdown and the flushes of this CPU that follow it, on one line;
 * returns the index of the last event used. */
static size_t text_shootdown(struct printer *p, size_t i, int ind)
{
    const struct vm_ev_shootdown *sd = &p->s->ev[i]->shootdown;
    unsigned tlb = 0, pwc = 0;
    size_t j = i + 1;
    for (; j < p->s->nev && p->s->ev[j]->kind == VM_EV_FLUSH; j++) {
        tlb += p->s->ev[j]->flush.tlb_removed;
        pwc += p->s->ev[j]->flush.pwc_removed;
    }
    char range[96], on[200], sent[240] = "";
    if (sd->full)
        snprintf(range, sizeof range, "the whole ASID %u (more than 33 pages)", sd->asid);
    else
        snprintf(range, sizeof range, "[0x%llx, 0x%llx) of ASID %u", u(sd->start), u(sd->end), sd->asid);
    cpus(sd->targets, on, sizeof on);
    if (sd->sent) {
        char s[200];
        cpus(sd->sent, s, sizeof s);
        snprintf(sent, sizeof sent, "; requests sent to CPU %s", s);
    }
    line(p, ind, "invalidate %s on CPU %s%s: %u TLB %s, %u page-walk-cache %s removed here", range,
         on[0] ? on : "(none)", sent, tlb, plural(tlb, "entry", "entries"), pwc,
         plural(pwc, "entry", "entries"));
    return j - 1;
}

static void text_flush(struct printer *p, const struct vm_ev_flush *f)
{
    char what[96] = "everything";
    if (f->by_va && f->by_asid)
        snprintf(what, sizeof what, "0x%llx of ASID %u", u(f->va), f->asid);
    else if (f->by_va)
        snprintf(what, sizeof what, "0x%llx of every ASID", u(f->va));
    else if (f->by_asid)
        snprintf(what, sizeof what, "ASID %u", f->asid);
    line(p, p->ind, "flush %s%s: %u TLB %s, %u page-walk-cache %s removed", what,
         f->keep_global ? " (globals kept)" : "", f->tlb_removed,
         plural(f->tlb_removed, "entry", "entries"), f->pwc_removed,
         plural(f->pwc_removed, "entry", "entries"));
}

/* The physical address of a lookup that translated, or of a walk that did. */
static bool event_pa(const struct vm_event *e, uint64_t *pa, unsigned *shift)
{
    if (e->kind == VM_EV_TLB_LOOKUP && e->tlb.verdict == VM_TLB_USED) {
        *pa = e->tlb.frame + (e->tlb.va - e->tlb.entry_va);
        *shift = e->tlb.page_shift;
        return true;
    }
    if (e->kind == VM_EV_WALK && e->walk.ok) {
        *pa = e->walk.pa;
        *shift = e->walk.page_shift;
        return true;
    }
    return false;
}

bool step_result_pa(const struct step *s, uint64_t *pa)
{
    unsigned shift;
    for (size_t i = 0; i < s->nev; i++)
        if (event_pa(s->ev[i], pa, &shift))
            return true;
    return false;
}

unsigned step_leaf_level(const struct step *s, const struct pt_format *fmt)
{
    for (size_t i = s->nev; i-- > 0;) {
        uint64_t pa;
        unsigned shift;
        if (!event_pa(s->ev[i], &pa, &shift))
            continue;
        for (unsigned l = 0; l < fmt->levels; l++)
            if (pt_fmt_shift(fmt, l) == shift)
                return l;
    }
    return 0;
}

/* The physical address each page of the access was translated to. */
static void text_result(struct printer *p)
{
    const struct step *s = p->s;
    if (!s->ok) {
        line(p, 2, "=> the access fails: the process is killed");
        return;
    }
    char pas[128] = "";
    size_t at = 0;
    for (size_t i = 0; i < s->nev && at < sizeof pas; i++) {
        uint64_t pa;
        unsigned shift;
        if (event_pa(s->ev[i], &pa, &shift))
            at += (size_t)snprintf(pas + at, sizeof pas - at, "%s0x%llx", at ? ", " : "", u(pa));
    }
    if (at)
        line(p, 2, "=> pa %s", pas);
}

/* Is event i the kernel's answer to a fault the CPU raised (not a fault
 * the kernel took on its own behalf, e.g. pinning a page)? */
static bool raised_before(const struct step *s, size_t i)
{
    while (i-- > 0) {
        if (s->ev[i]->kind == VM_EV_FAULT)
            return true;
        if (s->ev[i]->kind == VM_EV_FAULT_HANDLED)
            return false;
    }
    return false;
}

int step_print_text(FILE *out, const struct step_ctx *ctx, const struct step *s)
{
    struct printer p = {.f = out, .fmt = ctx->fmt, .ctx = ctx, .s = s, .ind = 2};
    char split[160];
    step_split(ctx->fmt, s->rec.va, step_leaf_level(s, ctx->fmt), split, sizeof split);
    fprintf(out, "step %llu  cpu %u", u(s->n), s->cpu);
    if (s->pid)
        fprintf(out, "  pid %d", s->pid);
    if (ctx->no_insn)
        ;                              /* a run trace holds no instructions */
    else if (s->insn.valid)
        fprintf(out, "  pc 0x%llx  %0*x  %s", u(s->insn.pc), s->insn.len == 2 ? 4 : 8, s->insn.bits,
                s->insn.text[0] ? s->insn.text : "?");
    else if (s->pid && s->copy && !s->insn.pc)
        fprintf(out, "  exec");        /* the program's stack, before its first instruction */
    else if (s->pid)
        fprintf(out, "  pc 0x%llx  (not mapped)", u(s->insn.pc));
    fprintf(out, "  %s%s 0x%llx (%u %s)  %s\n", s->copy ? "the kernel's copy: " : "",
            step_access_name(s->rec.kind), u(s->rec.va), s->rec.size,
            plural(s->rec.size, "byte", "bytes"), split);
    for (size_t i = 0; i < s->nev; i++) {
        const struct vm_event *e = s->ev[i];
        if (e->kind != VM_EV_POLICY && e->kind != VM_EV_SHOOTDOWN && e->kind != VM_EV_FLUSH)
            p.in_policy = false;
        switch (e->kind) {
        case VM_EV_TLB_LOOKUP:
            text_lookup(&p, &e->tlb);
            break;
        case VM_EV_TLB_FILL:
            /* an L1 fill from the L2 is told after the lookup it served */
            if (i + 1 < s->nev && s->ev[i + 1]->kind == VM_EV_TLB_LOOKUP && s->ev[i + 1]->tlb.hit == 2) {
                text_lookup(&p, &s->ev[i + 1]->tlb);
                text_fill(&p, &e->fill);
                i++;
            } else {
                text_fill(&p, &e->fill);
            }
            break;
        case VM_EV_WALK:
            text_walk(&p, &e->walk);
            break;
        case VM_EV_FAULT: {
            text_fault(&p, &e->fault);
            p.ind = 4;
            for (size_t j = i + 1; j < s->nev; j++)
                if (s->ev[j]->kind == VM_EV_FAULT_HANDLED) {
                    text_found(&p, &s->ev[j]->handled);
                    break;
                } else if (s->ev[j]->kind == VM_EV_FAULT) {
                    break;
                }
            break;
        }
        case VM_EV_FAULT_HANDLED:
            text_did(&p, &e->handled);
            p.ind = 2;
            /* a fault the CPU took is retried once handled */
            if (e->handled.action != VM_FA_KILL && raised_before(s, i))
                line(&p, p.ind, "retry:");
            break;
        case VM_EV_POLICY:
            text_policy(&p, &e->policy);
            break;
        case VM_EV_EVICT:
            text_evict(&p, &e->evict);
            break;
        case VM_EV_SHOOTDOWN: {
            /* the invalidation a policy's A-bit clearing made: after its look */
            size_t last = i;
            while (last + 1 < s->nev && s->ev[last + 1]->kind == VM_EV_FLUSH)
                last++;
            if (last + 1 < s->nev && s->ev[last + 1]->kind == VM_EV_POLICY &&
                s->ev[last + 1]->policy.flushed) {
                text_policy(&p, &s->ev[last + 1]->policy);
                text_shootdown(&p, i, p.ind + 4);
                i = last + 1;
                break;
            }
            i = text_shootdown(&p, i, p.in_evict ? p.ind + 4 : p.in_policy ? p.ind + 4 : p.ind);
            break;
        }
        case VM_EV_FLUSH:
            text_flush(&p, &e->flush);
            break;
        default:
            break;
        }
    }
    if (s->truncated)
        line(&p, 2, "(more events than a step keeps: the rest is not shown)");
    text_result(&p);
    return ferror(out) ? -1 : 0;
}
