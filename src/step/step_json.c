/* step_json.c — a step as one JSON object on one line (docs/step.md,
 * "The JSON-lines form"): the access, and its events in the order they
 * happened, each an object whose "type" names it. Addresses and entries
 * are strings of hex digits ("0x601a38": JSON numbers lose bits above
 * 2^53); counts, indices and sizes are numbers.
 */
#include <inttypes.h>
#include <string.h>

#include "step/step.h"

static unsigned long long u(uint64_t v) { return (unsigned long long)v; }

static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void jkey(FILE *f, const char *k) { fprintf(f, ",\"%s\":", k); }
static void jhex(FILE *f, const char *k, uint64_t v) { fprintf(f, ",\"%s\":\"0x%llx\"", k, u(v)); }
static void jnum(FILE *f, const char *k, uint64_t v) { fprintf(f, ",\"%s\":%llu", k, u(v)); }
static void jbool(FILE *f, const char *k, bool v) { fprintf(f, ",\"%s\":%s", k, v ? "true" : "false"); }
static void jname(FILE *f, const char *k, const char *v) { jkey(f, k); jstr(f, v); }

static void jprot(FILE *f, const char *k, unsigned prot)
{
    char pr[8];
    step_prot(prot, pr);
    jname(f, k, pr);
}

static void jcpus(FILE *f, const char *k, cpumask_t m)
{
    jkey(f, k);
    fputc('[', f);
    bool first = true;
    for (unsigned i = 0; i < 64; i++)
        if (m & ((cpumask_t)1 << i)) {
            fprintf(f, "%s%u", first ? "" : ",", i);
            first = false;
        }
    fputc(']', f);
}

static void json_lookup(FILE *f, const struct vm_ev_tlb_lookup *l)
{
    fprintf(f, "{\"type\":\"tlb\"");
    jhex(f, "va", l->va);
    jname(f, "access", step_access_name(l->acc));
    jnum(f, "asid", l->asid);
    jbool(f, "counted", l->counted);
    jname(f, "hit", l->hit == 1 ? "l1" : l->hit == 2 ? "l2" : "miss");
    jbool(f, "l1", l->has_l1);
    jbool(f, "l2_probed", l->hit != 1 && l->has_l2);
    jname(f, "verdict", vm_tlb_verdict_names[l->verdict]);
    if (l->hit) {
        fprintf(f, ",\"entry\":{\"level\":");
        jstr(f, vm_tlb_level_names[l->level]);
        jnum(f, "array", l->array);
        jnum(f, "set", l->set);
        jnum(f, "way", l->way);
        jhex(f, "va", l->entry_va);
        jnum(f, "size", UINT64_C(1) << l->entry_shift);
        jnum(f, "page_size", UINT64_C(1) << l->page_shift);
        jhex(f, "frame", l->frame);
        jnum(f, "asid", l->entry_asid);
        jbool(f, "global", l->global);
        jbool(f, "dirty", l->dirty);
        jprot(f, "prot", l->prot);
        fputc('}', f);
    }
    fputc('}', f);
}

static void json_fill(FILE *f, const struct vm_ev_tlb_fill *e)
{
    fprintf(f, "{\"type\":\"fill\",\"level\":");
    jstr(f, vm_tlb_level_names[e->level]);
    jnum(f, "array", e->array);
    jnum(f, "set", e->set);
    jnum(f, "way", e->way);
    jhex(f, "va", e->va);
    jnum(f, "size", UINT64_C(1) << e->entry_shift);
    jnum(f, "page_size", UINT64_C(1) << e->page_shift);
    jhex(f, "frame", e->frame);
    jnum(f, "asid", e->asid);
    jbool(f, "global", e->global);
    jbool(f, "dirty", e->dirty);
    jprot(f, "prot", e->prot);
    jbool(f, "refreshed", e->refreshed);
    if (e->replaced) {
        fprintf(f, ",\"replaced\":{\"va\":\"0x%llx\"", u(e->old_va));
        jnum(f, "size", UINT64_C(1) << e->old_shift);
        jnum(f, "asid", e->old_asid);
        jbool(f, "global", e->old_global);
        fputc('}', f);
    } else {
        fprintf(f, ",\"replaced\":null");
    }
    fputc('}', f);
}

static void json_walk(FILE *f, const struct pt_format *fmt, const struct vm_ev_walk *w)
{
    fprintf(f, "{\"type\":\"walk\"");
    jhex(f, "va", w->va);
    jname(f, "access", step_access_name(w->acc));
    jnum(f, "asid", w->asid);
    fprintf(f, ",\"start\":{\"level\":%u", w->pwc_level >= 0 ? (unsigned)w->pwc_level : fmt->levels - 1);
    jhex(f, "table", w->start);
    jbool(f, "pwc", w->pwc_level >= 0);
    fputc('}', f);
    jbool(f, "pwc_missed", w->pwc_missed);
    fprintf(f, ",\"entries\":[");
    for (unsigned i = 0; i < w->nlevels && i < VM_WALK_MAX_LEVELS; i++) {
        const struct vm_walk_level *l = &w->lv[i];
        fprintf(f, "%s{\"level\":%u", i ? "," : "", l->level);
        jname(f, "name", step_level_name(fmt, l->level));
        jhex(f, "table", l->table);
        jnum(f, "index", l->index);
        jhex(f, "pte_pa", l->pte_pa);
        jhex(f, "pte", l->pte);
        jhex(f, "written", l->written);
        char bits[64];
        step_pte_bits(fmt, l->pte, l->level, bits, sizeof bits);
        jname(f, "bits", bits);
        jbool(f, "present", l->info.present);
        if (l->info.present) {   /* the rest of a non-present entry means nothing */
            jbool(f, "leaf", l->info.leaf);
            jhex(f, "addr", l->info.addr);
            jprot(f, "prot", l->info.prot);
            jbool(f, "accessed", l->info.accessed);
            jbool(f, "dirty", l->info.dirty);
        }
        jname(f, "check", vm_walk_check_names[l->check]);
        fputc('}', f);
    }
    fputc(']', f);
    jnum(f, "refs", w->refs);
    jnum(f, "ad_updates", w->ad_updates);
    jnum(f, "restarts", w->restarts);
    jbool(f, "ok", w->ok);
    if (w->ok) {
        jhex(f, "pa", w->pa);
        jhex(f, "page", w->page_base);
        jnum(f, "page_size", UINT64_C(1) << w->page_shift);
        jprot(f, "prot", w->prot);
        jbool(f, "global", w->global);
        jbool(f, "dirty", w->dirty);
    }
    fputc('}', f);
}

static void json_fault(FILE *f, const struct vm_ev_fault *e)
{
    static const char *const type[] = {"page", "gp", "bus", "tlb-refill", "tlb-modified"};
    fprintf(f, "{\"type\":\"fault\",\"fault\":");
    jstr(f, type[e->f.type]);
    jhex(f, "addr", e->f.addr);
    jname(f, "access", step_access_name(e->f.access));
    jname(f, "priv", e->f.priv == VM_PRIV_USER ? "user" : "supervisor");
    jnum(f, "error_code", e->f.error_code);
    jnum(f, "cause", e->f.cause);
    jbool(f, "not_present", e->f.not_present);
    jbool(f, "reserved", e->f.reserved);
    jnum(f, "level", e->f.level);
    jbool(f, "tlb_hit", e->tlb_hit);
    fputc('}', f);
}

static void json_flush(FILE *f, const struct vm_ev_flush *e)
{
    fprintf(f, "{\"type\":\"flush\"");
    if (e->by_va)
        jhex(f, "va", e->va);
    else
        fprintf(f, ",\"va\":null");
    if (e->by_asid)
        jnum(f, "asid", e->asid);
    else
        fprintf(f, ",\"asid\":null");
    jbool(f, "or_global", e->or_global);
    jbool(f, "keep_global", e->keep_global);
    jnum(f, "tlb", e->tlb_removed);
    jnum(f, "pwc", e->pwc_removed);
    fputc('}', f);
}

static void json_shootdown(FILE *f, const struct vm_ev_shootdown *e)
{
    fprintf(f, "{\"type\":\"shootdown\"");
    jcpus(f, "targets", e->targets);
    jcpus(f, "sent", e->sent);
    jnum(f, "asid", e->asid);
    jhex(f, "start", e->start);
    jhex(f, "end", e->end);
    jbool(f, "full", e->full);
    fputc('}', f);
}

static void json_handled(FILE *f, const struct vm_ev_fault_handled *h)
{
    fprintf(f, "{\"type\":\"handled\",\"pid\":%d", h->pid);
    jhex(f, "addr", h->addr);
    jname(f, "access", step_access_name(h->acc));
    jhex(f, "page", h->page);
    if (h->has_vma) {
        fprintf(f, ",\"vma\":{\"start\":\"0x%llx\"", u(h->vma_start));
        jhex(f, "end", h->vma_end);
        char pr[8];
        step_prot(h->vma_prot, pr);
        pr[3] = 0;
        jname(f, "prot", pr);
        fprintf(f, ",\"flags\":[");
        static const char *const flag[] = {"anon", "file", "shared", "stack", "heap"};
        bool first = true;
        for (unsigned i = 0; i < 5; i++)
            if (h->vma_flags & (1u << i)) {
                fprintf(f, "%s\"%s\"", first ? "" : ",", flag[i]);
                first = false;
            }
        fprintf(f, "]}");
    } else {
        fprintf(f, ",\"vma\":null");
    }
    jbool(f, "stack_growth", h->stack_growth);
    jbool(f, "page_existed", h->page_existed);
    jname(f, "kind", h->kind);
    fprintf(f, ",\"state\":[");
    static const char *const state[] = {"resident", "swapped", "dirty", "cow", "loaded"};
    bool first = true;
    for (unsigned i = 0; i < 5; i++)
        if (h->page_state & (1u << i)) {
            fprintf(f, "%s\"%s\"", first ? "" : ",", state[i]);
            first = false;
        }
    fputc(']', f);
    if (h->page_state & VM_PG_SWAPPED || h->action == VM_FA_SWAP_IN)
        jnum(f, "slot", h->slot);
    jname(f, "action", vm_fault_action_names[h->action]);
    jbool(f, "major", h->major);
    jbool(f, "huge", h->huge);
    if (h->action == VM_FA_FILE_READ)
        jhex(f, "file_offset", h->file_offset);
    if (h->frame != UINT32_MAX) {
        jnum(f, "frame", h->frame);
        jhex(f, "frame_pa", h->frame_pa);
        jhex(f, "pte", h->pte);
    } else {
        fprintf(f, ",\"frame\":null");
    }
    if (h->action == VM_FA_COW_COPY)
        jnum(f, "old_frame", h->old_frame);
    if (h->action == VM_FA_KILL) {
        jname(f, "kill", kill_reason_names[h->kill]);
        jname(f, "kill_message", h->kill_msg);
    }
    fputc('}', f);
}

static void json_policy(FILE *f, const struct vm_ev_policy *e)
{
    fprintf(f, "{\"type\":\"policy\",\"policy\":");
    jstr(f, e->policy);
    jnum(f, "frame", e->frame);
    jhex(f, "frame_pa", e->frame_pa);
    fprintf(f, ",\"pid\":%d", e->pid);
    jhex(f, "va", e->va);
    jnum(f, "mappers", e->mappers);
    jname(f, "list", e->list);
    jname(f, "verdict", vm_policy_verdict_names[e->verdict]);
    jbool(f, "scanned", e->scanned);
    jbool(f, "tested", e->tested);
    jbool(f, "young", e->young);
    jbool(f, "flushed", e->flushed);
    if (e->has_value) {
        jname(f, "value_name", e->value_name);
        if (e->value == UINT64_MAX)
            fprintf(f, ",\"value\":null");
        else
            jnum(f, "value", e->value);
    }
    if (e->why)
        jname(f, "why", e->why);
    fputc('}', f);
}

static void json_evict(FILE *f, const struct vm_ev_evict *e)
{
    static const char *const phase[] = {"start", "unmap", "done"};
    fprintf(f, "{\"type\":\"evict\",\"phase\":");
    jstr(f, phase[e->phase]);
    jnum(f, "frame", e->frame);
    jhex(f, "frame_pa", e->frame_pa);
    jname(f, "kind", e->kind);
    jnum(f, "mappers", e->mappers);
    if (e->phase == VM_EVICT_UNMAP) {
        fprintf(f, ",\"pid\":%d", e->pid);
        jhex(f, "va", e->va);
        jhex(f, "old_pte", e->old_pte);
        jbool(f, "accessed", e->accessed);
        jbool(f, "dirty", e->dirty);
    }
    if (e->phase == VM_EVICT_DONE) {
        jbool(f, "page_dirty", e->page_dirty);
        jname(f, "outcome", vm_evict_outcome_names[e->outcome]);
        if (e->outcome == VM_EVICT_SWAPPED) {
            jnum(f, "slot", e->slot);
            jbool(f, "slot_reused", e->slot_reused);
        }
    }
    fputc('}', f);
}

int step_print_json(FILE *out, const struct step_ctx *ctx, const struct step *s)
{
    fprintf(out, "{\"step\":%llu,\"cpu\":%u", u(s->n), s->cpu);
    if (s->pid)
        jnum(out, "pid", (uint64_t)s->pid);
    jname(out, "access", step_access_name(s->rec.kind));
    if (s->pid)
        jbool(out, "copy", s->copy);
    jhex(out, "va", s->rec.va);
    jnum(out, "size", s->rec.size);
    if (!ctx->no_insn && (s->insn.valid || (s->pid && s->insn.pc))) {
        /* none: exec's copy of the stack, or a run trace's step */
        fprintf(out, ",\"insn\":{\"pc\":\"0x%llx\"", u(s->insn.pc));
        if (s->insn.valid) {           /* else its bytes are not mapped */
            jhex(out, "bits", s->insn.bits);
            jnum(out, "len", s->insn.len);
            jname(out, "text", s->insn.text);
        }
        fputc('}', out);
    }
    jbool(out, "ok", s->ok);
    fprintf(out, ",\"events\":[");
    for (size_t i = 0; i < s->nev; i++) {
        const struct vm_event *e = s->ev[i];
        if (i)
            fputc(',', out);
        switch (e->kind) {
        case VM_EV_TLB_LOOKUP: json_lookup(out, &e->tlb); break;
        case VM_EV_TLB_FILL: json_fill(out, &e->fill); break;
        case VM_EV_WALK: json_walk(out, ctx->fmt, &e->walk); break;
        case VM_EV_FAULT: json_fault(out, &e->fault); break;
        case VM_EV_FLUSH: json_flush(out, &e->flush); break;
        case VM_EV_SHOOTDOWN: json_shootdown(out, &e->shootdown); break;
        case VM_EV_FAULT_HANDLED: json_handled(out, &e->handled); break;
        case VM_EV_POLICY: json_policy(out, &e->policy); break;
        case VM_EV_EVICT: json_evict(out, &e->evict); break;
        default: fprintf(out, "{\"type\":\"unknown\"}"); break;
        }
    }
    fputc(']', out);
    jbool(out, "truncated", s->truncated);
    fprintf(out, "}\n");
    return ferror(out) ? -1 : 0;
}
