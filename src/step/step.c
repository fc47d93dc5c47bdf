/* step.c — the recorder: a CPU's observer that keeps one step's events. */
#include "step/step.h"

#include <stdlib.h>
#include <string.h>

/* The bytes of ev that matter: the header and its kind's member (a walk's
 * entries only as far as it has them), so that a step costs what it holds. */
static size_t event_size(const struct vm_event *ev)
{
    size_t head = offsetof(struct vm_event, tlb);
    switch (ev->kind) {
    case VM_EV_TLB_LOOKUP: return head + sizeof ev->tlb;
    case VM_EV_TLB_FILL: return head + sizeof ev->fill;
    case VM_EV_WALK:
        return offsetof(struct vm_event, walk.lv) +
               (ev->walk.nlevels < VM_WALK_MAX_LEVELS ? ev->walk.nlevels : VM_WALK_MAX_LEVELS) *
                   sizeof ev->walk.lv[0];
    case VM_EV_FAULT: return head + sizeof ev->fault;
    case VM_EV_FLUSH: return head + sizeof ev->flush;
    case VM_EV_SHOOTDOWN: return head + sizeof ev->shootdown;
    case VM_EV_FAULT_HANDLED: return head + sizeof ev->handled;
    case VM_EV_POLICY: return head + sizeof ev->policy;
    case VM_EV_EVICT: return head + sizeof ev->evict;
    default: return sizeof *ev;
    }
}

/* Keep a copy of the event. */
static void on_event(void *arg, struct cpu *cpu, const struct vm_event *ev)
{
    (void)cpu;
    struct step_recorder *r = arg;
    if (r->nev >= STEP_MAX_EVENTS) {
        r->truncated = true;
        return;
    }
    size_t size = event_size(ev);
    size_t need = (size + 15) & ~(size_t)15;
    if (r->used + need > r->cap || r->nev == r->evcap) {
        /* the arena moves: rebuild the pointers after growing */
        size_t cap = r->cap ? r->cap : 1 << 16;
        while (r->used + need > cap)
            cap *= 2;
        size_t evcap = r->evcap ? r->evcap : 64;
        if (r->nev == evcap)
            evcap *= 2;
        char *a = cap != r->cap ? realloc(r->arena, cap) : r->arena;
        const struct vm_event **p = evcap != r->evcap ? realloc(r->ev, evcap * sizeof *p) : r->ev;
        if (!a || !p) {
            if (a)
                r->arena = a, r->cap = cap;
            if (p)
                r->ev = p, r->evcap = evcap;
            r->truncated = true;
            return;
        }
        if (a != r->arena)
            for (size_t i = 0; i < r->nev; i++)
                p[i] = (const struct vm_event *)(a + ((const char *)p[i] - r->arena));
        r->arena = a;
        r->cap = cap;
        r->ev = p;
        r->evcap = evcap;
    }
    struct vm_event *copy = (struct vm_event *)(void *)(r->arena + r->used);
    memcpy(copy, ev, size);
    r->ev[r->nev++] = copy;
    r->used += need;
}

void step_recorder_init(struct step_recorder *r)
{
    memset(r, 0, sizeof *r);
    r->obs.event = on_event;
    r->obs.arg = r;
}

void step_recorder_free(struct step_recorder *r)
{
    free(r->arena);
    free(r->ev);
    memset(r, 0, sizeof *r);
}

void step_recorder_attach(struct step_recorder *r, struct cpu *cpu)
{
    if (cpu)
        cpu_set_observer(cpu, &r->obs);
}

void step_recorder_reset(struct step_recorder *r)
{
    r->used = 0;
    r->nev = 0;
    r->truncated = false;
}

void step_recorder_fill(const struct step_recorder *r, struct step *s)
{
    s->ev = r->ev;
    s->nev = r->nev;
    s->truncated = r->truncated;
}

bool step_matches(const struct step *s, enum step_only only)
{
    if (only == STEP_ALL)
        return true;
    for (size_t i = 0; i < s->nev; i++) {
        const struct vm_event *e = s->ev[i];
        switch (only) {
        case STEP_FAULTS:
            if (e->kind == VM_EV_FAULT)
                return true;
            break;
        case STEP_MISSES:   /* the L1 did not translate the access: an L2 hit or a walk */
            if ((e->kind == VM_EV_TLB_LOOKUP && e->tlb.hit != 1) || e->kind == VM_EV_WALK)
                return true;
            break;
        case STEP_EVICTIONS:
            if (e->kind == VM_EV_EVICT && e->evict.phase == VM_EVICT_START)
                return true;
            break;
        default:
            break;
        }
    }
    return false;
}

int step_only_parse(const char *s, enum step_only *out)
{
    static const char *const names[] = {"faults", "misses", "evictions"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (enum step_only)(i + 1);
            return 0;
        }
    return -1;
}
