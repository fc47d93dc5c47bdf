/* step_run.c — a program's run cut into steps (step.h, "a program's run"),
 * as it runs or as its run trace replays (no instructions then: pc 0). */
#include "step/step.h"

#include <string.h>

#include <vmlab/isa.h>

/* The instruction at pc, if its bytes are mapped now. */
static void read_insn(struct process *p, uint64_t pc, struct step_insn *in)
{
    uint16_t lo;
    if (!p || !pc || kernel_inspect_read(p, pc, &lo, sizeof lo))   /* pc 0: a run trace's */
        return;
    uint32_t bits = lo;
    unsigned len = (lo & 3) == 3 ? 4 : 2;
    if (len == 4) {
        uint16_t hi;
        if (kernel_inspect_read(p, pc + 2, &hi, sizeof hi))
            return;
        bits |= (uint32_t)hi << 16;
    }
    in->valid = true;
    in->pc = pc;
    in->bits = bits;
    in->len = rv_disasm(bits, pc, in->text, sizeof in->text);
}

static void watch_all(struct step_runner *r, bool on)
{
    for (unsigned i = 0; i < machine_ncpus(r->m); i++)
        cpu_set_observer(machine_cpu(r->m, i), on ? &r->rec.obs : NULL);
    r->watching = on;
}

/* The pending step is complete: hand it on. */
static void finish(struct step_runner *r)
{
    if (!r->pending)
        return;
    r->pending = false;
    struct step *s = &r->cur;
    if (!s->insn.valid)              /* a fetch: its page is mapped now */
        read_insn(r->proc, s->insn.pc, &s->insn);
    step_recorder_fill(&r->rec, s);
    s->ok = true;
    for (size_t i = 0; i < s->nev; i++)
        if (s->ev[i]->kind == VM_EV_FAULT_HANDLED && s->ev[i]->handled.action == VM_FA_KILL)
            s->ok = false;
    if (!r->step(r->arg, s)) {
        r->done = true;
        watch_all(r, false);
        if (r->stop)
            *r->stop = 1;
    }
    step_recorder_reset(&r->rec);
}

static void on_start(void *arg, struct machine *m, struct kernel *k)
{
    struct step_runner *r = arg;
    r->m = m;
    if (r->start)
        r->start(r->arg, m, k);
    if (r->from <= 1) {
        watch_all(r, true);          /* exec's events go to the first step */
        if (r->first)
            r->first(r->arg);
    }
}

static void on_access(void *arg, struct cpu *cpu, const struct run_access *a)
{
    (void)cpu;
    struct step_runner *r = arg;
    if (r->done)
        return;
    finish(r);
    if (r->done)
        return;
    r->n++;
    if (r->n < r->from)
        return;                      /* run, not shown */
    if (!r->watching) {
        if (r->first)
            r->first(r->arg);
        watch_all(r, true);
        step_recorder_reset(&r->rec);
    }
    struct step *s = &r->cur;
    memset(s, 0, sizeof *s);
    s->n = r->n;
    s->cpu = a->cpu;
    s->pid = a->pid;
    s->copy = a->copy;
    s->rec = (struct trace_record){.va = a->va, .size = a->len > UINT32_MAX ? UINT32_MAX : (uint32_t)a->len,
                                   .kind = a->acc};
    s->insn.pc = a->pc;
    if (a->acc != VM_ACCESS_FETCH || a->copy)
        read_insn(a->proc, a->pc, &s->insn);   /* fetched already: before this access may evict it */
    r->proc = a->proc;
    r->pending = true;
}

static void on_end(void *arg)
{
    struct step_runner *r = arg;
    if (!r->done)
        finish(r);
    if (r->watching)
        watch_all(r, false);
}

const struct run_watch *step_runner_watch(struct step_runner *r)
{
    step_recorder_init(&r->rec);
    r->watch = (struct run_watch){.start = on_start, .access = on_access, .end = on_end, .arg = r};
    return &r->watch;
}

void step_runner_free(struct step_runner *r)
{
    step_recorder_free(&r->rec);
}
