/* sched.c — the deterministic scheduler and the virtual clock.
 *
 * One host thread runs the whole machine in rounds. In a round, each CPU in
 * index order has a turn: it is attached (the only CPU attached), and runs
 * up to `quantum` instructions of tasks -- its current task, and when that
 * one blocks or ends, the next from the run queue -- then is detached. A
 * turn's end is the CPU's timer interrupt (rv_interrupt): the task there
 * stays on for the next round unless others wait, in which case it goes to
 * the tail of the queue (round-robin; tasks move between CPUs as they come
 * out of the queue). A CPU with nothing to run idles for the rest of its
 * turn.
 *
 * Time. Every CPU's clock advances by one nanosecond per instruction it
 * retires and by its idle time, so at a round's end every CPU stands at the
 * round's start plus `quantum`. A system call reads the clock of the CPU
 * making it. Deadlines (nanosleep) are checked at each round's start; when
 * no task can run and some sleep, the clock jumps to the first deadline
 * (idle time nobody needs to simulate). When no task can run and none
 * sleeps, every task is blocked forever: the run ends them (deadlock).
 *
 * A task leaving a CPU (blocked, ended, preempted) is switched out
 * (kernel_switch_to(cpu, NULL)), so a process is loaded on at most the one
 * CPU running it, and its exit never waits for another CPU.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sys/sys.h"

uint64_t sys_now(const struct sys *s)
{
    if (!s->on)
        return s->now;
    uint64_t t = s->now + s->on->used;
    if (s->on->cur)
        t += s->on->cur->h.instret - s->run_instret;
    return t;
}

struct cpu *task_cpu(struct task *t)
{
    return t->cpu >= 0 ? t->s->cpu[t->cpu].cpu : NULL;
}

void sched_enqueue(struct sys *s, struct task *t)
{
    if (t->queued || t->state != TASK_RUNNABLE)
        return;
    t->queued = true;
    t->rq_next = NULL;
    if (s->rq_tail)
        s->rq_tail->rq_next = t;
    else
        s->rq_head = t;
    s->rq_tail = t;
}

static struct task *rq_pop(struct sys *s)
{
    struct task *t = s->rq_head;
    if (!t)
        return NULL;
    s->rq_head = t->rq_next;
    if (!s->rq_head)
        s->rq_tail = NULL;
    t->queued = false;
    return t;
}

void task_block(struct task *t, const void *chan, uint64_t deadline)
{
    t->state = TASK_BLOCKED;
    t->chan = chan;
    t->deadline = deadline;
    t->in_syscall = true;
    t->s->counts.blocks++;
}

static void make_runnable(struct sys *s, struct task *t)
{
    t->state = TASK_RUNNABLE;
    t->chan = NULL;
    t->deadline = SYS_NO_DEADLINE;
    if (t->cpu < 0)
        sched_enqueue(s, t);
}

void sys_wakeup(struct sys *s, const void *chan)
{
    for (struct task *t = s->tasks; t; t = t->next_task)
        if (t->state == TASK_BLOCKED && t->chan == chan)
            make_runnable(s, t);
}

void task_wait_event(struct task *t, const void *chan)
{
    task_block(t, chan, SYS_NO_DEADLINE);
    t->in_syscall = false;
}

void task_yield(struct task *t)
{
    t->yield = true;
}

void task_interrupt(struct task *t)
{
    if (t->state == TASK_BLOCKED)
        make_runnable(t->s, t);
}

/* Wake the sleepers whose deadline has come; the first deadline still to
 * come, or SYS_NO_DEADLINE. */
static uint64_t wake_sleepers(struct sys *s)
{
    uint64_t first = SYS_NO_DEADLINE;
    for (struct task *t = s->tasks; t; t = t->next_task) {
        if (t->state != TASK_BLOCKED || t->deadline == SYS_NO_DEADLINE)
            continue;
        if (t->deadline <= s->now)
            make_runnable(s, t);
        else if (t->deadline < first)
            first = t->deadline;
    }
    return first;
}

/* ---- a task on a CPU ---- */

void task_account_on(struct task *t)
{
    cpu_stats(t->s->cpu[t->cpu].cpu, &t->cpu_at_on);
}

void task_account_off(struct task *t)
{
    struct cpu_stats now;
    cpu_stats(t->s->cpu[t->cpu].cpu, &now);
    for (int i = 0; i < CPU_STAT_NR; i++)
        t->rec.cpu.v[i] += now.v[i] - t->cpu_at_on.v[i];
}

/* t comes onto c (attached): its address space, the accounting. */
static void put_on(struct sys *s, struct sys_cpu *c, struct task *t)
{
    if (kernel_current(c->cpu) != t->proc) {
        sys_switch(s, c, t);
        s->counts.switches++;
    }
    t->cpu = (int)(c - s->cpu);
    c->cur = t;
    task_account_on(t);
}

/* t leaves c (blocked, or preempted): switched out, accounted. */
static void take_off(struct sys *s, struct sys_cpu *c, struct task *t)
{
    task_account_off(t);
    sys_switch(s, c, NULL);
    t->cpu = -1;
    c->cur = NULL;
    if (t->state == TASK_RUNNABLE)
        sched_enqueue(s, t);
}

/* The kernel killed t's process (an access it may not make, out of
 * memory, a swap read that failed): end the task with the signal Linux
 * delivers for the reason. */
static bool end_if_killed(struct sys *s, struct task *t)
{
    if (t->state == TASK_ZOMBIE)
        return true;
    if (kernel_process_state(t->proc) != PROC_KILLED)
        return false;
    enum kill_reason r = kernel_process_kill_reason(t->proc);
    int sig = kernel_kill_signal(r);
    char why[192], name[16];
    snprintf(why, sizeof why, "%s: %s", sys_signal_name(sig, name, sizeof name),
             kernel_process_kill_message(t->proc));
    task_kill(t, sig, 0, why);
    return true;
}

/* Run t on c for at most `budget` instructions: a system call to serve
 * (a restart), then user code until the budget ends or it traps. */
static void run_task(struct sys *s, struct sys_cpu *c, struct task *t, uint64_t budget)
{
    if (s->abi->resume) {
        s->abi->resume(s, t);   /* signals first: a blocked call a signal woke must not restart */
        if (end_if_killed(s, t) || t->state != TASK_RUNNABLE)
            return;
    }
    if (t->in_syscall) {
        t->in_syscall = false;   /* a restart */
        s->abi->syscall(s, t);
        if (!end_if_killed(s, t) && !t->in_syscall)
            t->sys_progress = 0;
        return;
    }
    struct rv_trap tr;
    s->run_instret = t->h.instret;
    enum rv_stop stop = rv_run(&t->h, c->cpu, budget, &tr);
    c->used += t->h.instret - s->run_instret;
    s->retired += t->h.instret - s->run_instret;
    s->run_instret = t->h.instret;
    if (stop == RV_STOP_BUDGET) {
        end_if_killed(s, t);
        return;
    }
    if (tr.cause == RV_EXC_ECALL_U) {
        s->counts.syscalls++;
        t->rec.syscalls++;
        s->abi->syscall(s, t);
        if (!end_if_killed(s, t) && !t->in_syscall)
            t->sys_progress = 0;
    } else if (!end_if_killed(s, t)) {
        s->abi->trap(s, t, &tr);   /* a trap the kernel did not already end it for */
    }
}

/* One CPU's turn in a round. */
static void cpu_turn(struct sys *s, struct sys_cpu *c)
{
    c->used = 0;
    bool attached = false;
    uint64_t max = s->cfg->max_insns;
    while (c->used < s->quantum && (!max || s->retired < max) && !s->halted) {
        struct task *t = c->cur;
        if (!t && !(t = rq_pop(s)))
            break;
        if (!attached) {
            cpu_attach(c->cpu);
            kernel_set_thread_cpu(s->k, c->cpu);
            s->on = c;
            attached = true;
        }
        if (c->cur != t)
            put_on(s, c, t);
        uint64_t budget = s->quantum - c->used;
        if (max && budget > max - s->retired)
            budget = max - s->retired;
        run_task(s, c, t, budget);
        if (c->cur == t && (t->state != TASK_RUNNABLE || (t->yield && s->rq_head)))
            take_off(s, c, t);   /* blocked or yielding: the CPU takes the next task */
        t->yield = false;
    }
    struct task *t = c->cur;
    if (t) {
        rv_interrupt(&t->h);   /* the timer tick that ends the turn */
        if (s->rq_head)
            take_off(s, c, t);   /* others wait: to the tail of the queue */
    }
    c->busy += c->used;
    c->idle += s->quantum - c->used;
    if (attached) {
        s->on = NULL;
        cpu_detach(c->cpu);
    }
}

/* End t, which is not running (a deadlock, an interruption), with the CPU
 * its process may be loaded on (or CPU 0) attached meanwhile. */
static void end_off_cpu(struct sys *s, struct task *t, int sig, const char *why)
{
    struct sys_cpu *c = &s->cpu[t->cpu >= 0 ? t->cpu : 0];
    cpu_attach(c->cpu);
    kernel_set_thread_cpu(s->k, c->cpu);
    s->on = c;
    task_kill(t, sig, 0, why);
    s->on = NULL;
    cpu_detach(c->cpu);
}

static void end_all(struct sys *s, int sig, const char *why)
{
    for (bool again = true; again;) {
        again = false;
        for (struct task *t = s->tasks; t; t = t->next_task)
            if (t->state != TASK_ZOMBIE) {
                end_off_cpu(s, t, sig, why);
                sched_reap(s);
                again = true;   /* the list changed under us */
                break;
            }
    }
}

void sys_halt(struct sys *s, int status)
{
    s->halted = true;
    s->halt_status = status;
}

void sched_run(struct sys *s)
{
    while (s->nlive > 0) {
        if (s->halted) {
            end_all(s, 9 /* SIGKILL */, "SIGKILL: the run was halted");
            return;
        }
        if (s->cfg->stop && *s->cfg->stop) {
            s->interrupted = true;
            end_all(s, 9 /* SIGKILL */, "SIGKILL: the run was interrupted (SIGINT to vmlab)");
            return;
        }
        if (s->cfg->max_insns && s->retired >= s->cfg->max_insns) {
            s->limited = true;
            end_all(s, 24 /* SIGXCPU */, "SIGXCPU: the run's instruction limit (--max-insns) was reached");
            return;
        }
        uint64_t next = wake_sleepers(s);
        bool any = s->rq_head != NULL;
        for (unsigned i = 0; i < s->ncpus && !any; i++)
            any = s->cpu[i].cur != NULL;
        if (!any) {
            if (next != SYS_NO_DEADLINE) {
                s->now = next;     /* everyone sleeps: skip to the first wake-up */
                continue;
            }
            s->deadlock = true;
            end_all(s, 9 /* SIGKILL */, "SIGKILL: deadlock: every process was blocked with nothing to wake it");
            return;
        }
        for (unsigned i = 0; i < s->ncpus; i++) {
            cpu_turn(s, &s->cpu[i]);
            sched_reap(s);
        }
        s->now += s->quantum;
    }
}
