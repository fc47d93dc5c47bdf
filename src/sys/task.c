/* task.c — the process table: tasks, fork, the end of a task, zombies and
 * reaping.
 *
 * A task's life: created around a kernel process (the run's program) or by
 * task_fork; runnable, running or blocked; ended by task_exit or task_kill,
 * which release its address space at once (the kernel's
 * kernel_process_exit: frames, swap slots, page tables, the ASID; dirty
 * shared file pages written back) before the parent can learn of it, as
 * Linux's do_exit releases the mm before it notifies the parent; then a
 * zombie holding only its record until the parent reaps it. A task whose
 * parent ended belongs to the run, which reaps it at once (the run plays
 * init). Records are kept for the report in the order tasks end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/trace.h>

#include "sys/sys.h"

static struct task *task_alloc(struct sys *s)
{
    struct task *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->s = s;
    t->cpu = -1;
    t->deadline = SYS_NO_DEADLINE;
    t->fds.max = 1024;
    return t;
}

static void task_link(struct sys *s, struct task *t, struct task *parent)
{
    t->parent = parent;
    if (parent) {
        t->sibling = parent->children;
        parent->children = t;
    }
    t->next_task = s->tasks;
    s->tasks = t;
    s->nlive++;
    t->rec.pid = t->pid;
    t->rec.ppid = parent ? parent->pid : 0;
}

struct task *task_create(struct sys *s, const char *name, char *err, size_t errlen)
{
    struct task *t = task_alloc(s);
    if (!t || !(t->proc = kernel_process_create_abi(s->k, name, s->abi->kabi))) {
        snprintf(err, errlen, "cannot create a process: %s",
                 t ? "the kernel has no room (pool, or the format cannot hold the layout)"
                   : "out of memory");
        free(t);
        return NULL;
    }
    t->pid = t->pgid = kernel_process_pid(t->proc);
    snprintf(t->comm, sizeof t->comm, "%s", name);
    rv_hart_init(&t->h, s->rv, 0);
    task_link(s, t, NULL);
    return t;
}

int task_fork(struct task *t, struct task **out)
{
    struct sys *s = t->s;
    struct task *c = task_alloc(s);
    if (!c)
        return -ENOMEM;
    int rc = kernel_process_fork(t->proc, t->comm, task_cpu(t), &c->proc);
    if (rc < 0) {
        free(c);
        return rc;
    }
    sys_note_process(t, TRACE_EV_FORK, kernel_process_pid(c->proc));
    if (fd_table_copy(&c->fds, &t->fds) < 0 || (t->exe && !(c->exe = strdup(t->exe)))) {
        rc = -ENOMEM;
        goto fail;
    }
    c->fds.max = t->fds.max;
    c->pid = kernel_process_pid(c->proc);
    c->pgid = t->pgid;
    memcpy(c->comm, t->comm, sizeof c->comm);
    rv_hart_init(&c->h, s->rv, t->h.pc + 4);
    memcpy(c->h.x, t->h.x, sizeof c->h.x);
    memcpy(c->h.f, t->h.f, sizeof c->h.f);
    c->h.fcsr = t->h.fcsr;
    c->h.x[10] = 0;
    if (s->abi->fork && (rc = s->abi->fork(s, t, c)) < 0)
        goto fail;
    task_link(s, c, t);
    s->counts.forks++;
    sched_enqueue(s, c);
    *out = c;
    return 0;
fail:
    fd_close_all(&c->fds);
    free(c->exe);
    c->s = s;
    c->pid = kernel_process_pid(c->proc);
    sys_note_process(c, TRACE_EV_EXIT, 0);
    kernel_process_exit(c->proc, task_cpu(t));
    free(c);
    return rc;
}

struct task *task_by_pid(struct sys *s, int pid)
{
    for (struct task *t = s->tasks; t; t = t->next_task)
        if (t->pid == pid)
            return t;
    return NULL;
}

static bool child_matches(const struct task *parent, const struct task *c, int pid)
{
    if (pid > 0)
        return c->pid == pid;
    if (pid == -1)
        return true;
    return c->pgid == (pid == 0 ? parent->pgid : -pid);
}

struct task *task_zombie_child(struct task *t, int pid, bool *any_child)
{
    *any_child = false;
    struct task *found = NULL;
    for (struct task *c = t->children; c; c = c->sibling) {
        if (!child_matches(t, c, pid))
            continue;
        *any_child = true;
        if (c->state == TASK_ZOMBIE)
            found = c;   /* the list is newest first: keep going for the oldest */
    }
    return found;
}

static void unlink_child(struct task *z)
{
    if (!z->parent)
        return;
    for (struct task **pp = &z->parent->children; *pp; pp = &(*pp)->sibling)
        if (*pp == z) {
            *pp = z->sibling;
            break;
        }
    z->parent = NULL;
}

void task_reap(struct task *z)
{
    struct sys *s = z->s;
    unlink_child(z);
    for (struct task **pp = &s->tasks; *pp; pp = &(*pp)->next_task)
        if (*pp == z) {
            *pp = z->next_task;
            break;
        }
    if (s->abi->free)
        s->abi->free(s, z);
    free(z->exe);
    free(z);
}

/* Keep the record for the report. */
static void record(struct sys *s, const struct run_proc *rec)
{
    if (s->nrecs == s->recs_cap) {
        size_t cap = s->recs_cap ? 2 * s->recs_cap : 16;
        struct run_proc *v = realloc(s->recs, cap * sizeof *v);
        if (!v)
            return;   /* the report loses a line; the run goes on */
        s->recs = v;
        s->recs_cap = cap;
    }
    s->recs[s->nrecs++] = *rec;
}

static void task_end(struct task *t, bool signaled, int code, int by, const char *why)
{
    struct sys *s = t->s;
    if (t->state == TASK_ZOMBIE || !t->proc)
        return;
    if (s->abi->exiting)
        s->abi->exiting(s, t);
    struct cpu *cpu = s->on ? s->on->cpu : NULL;
    if (t->cpu >= 0)
        task_account_off(t);
    t->rec.instret = t->h.instret;
    kernel_process_vmstat(t->proc, &t->rec.vm);
    t->rec.ended = true;
    t->rec.signaled = signaled;
    t->rec.code = code;
    t->rec.killer = by;
    snprintf(t->rec.why, sizeof t->rec.why, "%s", why ? why : "");
    memcpy(t->rec.comm, t->comm, sizeof t->rec.comm);

    /* the address space goes now (the CPU it was loaded on is the one
     * attached: sched.c ends tasks only there) */
    if (cpu && kernel_current(cpu) == t->proc)
        sys_switch(s, s->on, NULL);
    sys_note_process(t, TRACE_EV_EXIT, 0);
    if (kernel_process_exit(t->proc, cpu) == 0)
        t->proc = NULL;
    fd_close_all(&t->fds);
    if (t->cpu >= 0) {
        s->cpu[t->cpu].cur = NULL;
        t->cpu = -1;
    }
    t->state = TASK_ZOMBIE;
    t->in_syscall = false;
    s->nlive--;
    record(s, &t->rec);

    /* orphans go to the run, which reaps the ended ones */
    for (struct task *c = t->children, *next; c; c = next) {
        next = c->sibling;
        c->parent = NULL;
        c->sibling = NULL;
        c->autoreap = true;
    }
    t->children = NULL;
    if (t->parent)
        sys_wakeup(s, t->parent);   /* wait4 blocks on the parent itself */
    else if (t != s->first)
        t->autoreap = true;   /* the run reaps it once off the CPU (sched_reap) */
}

void sched_reap(struct sys *s)
{
    for (struct task **pp = &s->tasks; *pp;) {
        struct task *t = *pp;
        if (t->state == TASK_ZOMBIE && t->autoreap && !t->parent)
            task_reap(t);   /* unlinks *pp */
        else
            pp = &t->next_task;
    }
}

void task_exit(struct task *t, int code)
{
    task_end(t, false, code, 0, NULL);
}

void task_kill(struct task *t, int sig, int by, const char *why)
{
    task_end(t, true, sig, by, why);
}
