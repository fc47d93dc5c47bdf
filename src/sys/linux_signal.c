/* linux_signal.c — signals, without handlers.
 *
 * Dispositions are SIG_DFL or SIG_IGN: rt_sigaction refuses a handler with
 * EINVAL and counts it (the report says how many), rather than taking it
 * and never calling it. The default actions are Linux's (signal(7)):
 * SIGCHLD, SIGCONT, SIGURG and SIGWINCH are ignored, SIGSTOP, SIGTSTP,
 * SIGTTIN and SIGTTOU stop the process until SIGCONT, every other signal
 * terminates it (the wait status carries the signal; no core is dumped:
 * RLIMIT_CORE is 0). Blocked signals stay pending until unblocked; an
 * ignored signal is discarded when sent unless blocked, as Linux does.
 * Delivery happens when the task next returns to user mode (after the
 * system call that made a signal deliverable, or when a blocked task is
 * woken for it: a fatal signal ends a task blocked in wait4 or read).
 *
 * Traps are synchronous signals and cannot be blocked or ignored here
 * (Linux forces them): an illegal instruction is SIGILL, a breakpoint
 * SIGTRAP, a misaligned LR/SC/AMO SIGBUS, an access the machine refused
 * SIGSEGV; a fault the kernel refused has already killed the process with
 * the signal of its reason (SIGSEGV, SIGBUS past end of file, SIGKILL when
 * memory ran out).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sys/linux.h"

#define UNBLOCKABLE (LX_SIGBIT(LX_SIGKILL) | LX_SIGBIT(LX_SIGSTOP))
#define STOPS (LX_SIGBIT(LX_SIGSTOP) | LX_SIGBIT(LX_SIGTSTP) | LX_SIGBIT(LX_SIGTTIN) | LX_SIGBIT(LX_SIGTTOU))
#define DEFAULT_IGNORED (LX_SIGBIT(LX_SIGCHLD) | LX_SIGBIT(LX_SIGCONT) | LX_SIGBIT(LX_SIGURG) | \
                         LX_SIGBIT(LX_SIGWINCH))

static bool ignored(const struct lx_task *lt, int sig)
{
    uint64_t b = LX_SIGBIT(sig);
    if (b & UNBLOCKABLE)
        return false;
    return (lt->sig_ignored & b) || (DEFAULT_IGNORED & b);
}

void lx_signal(struct task *t, int sig, int by, const char *why)
{
    struct lx_task *lt = lx(t);
    if (!lt || t->state == TASK_ZOMBIE || sig < 1 || sig > LX_NSIG)
        return;
    uint64_t b = LX_SIGBIT(sig);
    if (sig == LX_SIGCONT || sig == LX_SIGKILL) {
        lt->sig_pending &= ~STOPS;
        if (lt->stopped) {
            lt->stopped = false;
            sys_wakeup(t->s, &lt->stopped);
        }
    }
    if (b & STOPS)
        lt->sig_pending &= ~LX_SIGBIT(LX_SIGCONT);
    if (!(lt->sig_blocked & b) && ignored(lt, sig))
        return;   /* discarded */
    lt->sig_pending |= b;
    lt->sig_sender[sig - 1] = by;
    lt->sig_why[sig - 1] = why;
    if (!(lt->sig_blocked & b) && !lt->stopped)
        task_interrupt(t);   /* a blocked call gives way to the signal */
}

void lx_deliver(struct sys *s, struct task *t)
{
    struct lx_task *lt = lx(t);
    for (;;) {
        uint64_t ready = lt->sig_pending & (~lt->sig_blocked | UNBLOCKABLE);
        if (!ready)
            return;
        int sig = __builtin_ctzll(ready) + 1;
        lt->sig_pending &= ~LX_SIGBIT(sig);
        if (ignored(lt, sig))
            continue;
        if (LX_SIGBIT(sig) & STOPS) {
            bool in_call = t->in_syscall;
            lt->stopped = true;
            task_wait_event(t, &lt->stopped);
            t->in_syscall = in_call;   /* a stopped call is restarted after SIGCONT */
            return;
        }
        char why[192], name[16];
        int by = lt->sig_sender[sig - 1];
        const char *what = lt->sig_why[sig - 1];
        if (by && by != t->pid)
            snprintf(why, sizeof why, "%s sent by pid %d%s%s", sys_signal_name(sig, name, sizeof name),
                     by, what ? ": " : "", what ? what : "");
        else
            snprintf(why, sizeof why, "%s%s%s", sys_signal_name(sig, name, sizeof name),
                     what ? ": " : "", what ? what : "");
        task_kill(t, sig, by, why);
        return;
    }
}

void lx_trap(struct sys *s, struct task *t, const struct rv_trap *tr)
{
    char why[192];
    int sig;
    switch (tr->cause) {
    case RV_EXC_ILLEGAL:
        sig = LX_SIGILL;
        snprintf(why, sizeof why, "illegal instruction 0x%llx at 0x%llx",
                 (unsigned long long)tr->tval, (unsigned long long)tr->pc);
        break;
    case RV_EXC_BREAKPOINT:
        sig = LX_SIGTRAP;
        snprintf(why, sizeof why, "breakpoint at 0x%llx", (unsigned long long)tr->pc);
        break;
    case RV_EXC_LOAD_MISALIGNED:
    case RV_EXC_STORE_MISALIGNED:
        sig = LX_SIGBUS;
        snprintf(why, sizeof why, "misaligned atomic at 0x%llx (pc 0x%llx)",
                 (unsigned long long)tr->tval, (unsigned long long)tr->pc);
        break;
    default:
        sig = LX_SIGSEGV;
        snprintf(why, sizeof why, "%s at 0x%llx (pc 0x%llx)", rv_exc_name(tr->cause),
                 (unsigned long long)tr->tval, (unsigned long long)tr->pc);
        break;
    }
    char full[224], name[16];
    snprintf(full, sizeof full, "%s: %s", sys_signal_name(sig, name, sizeof name), why);
    task_kill(t, sig, 0, full);
}

/* ---- the calls ---- */

struct lx_sigaction {
    uint64_t handler, flags, mask;
};

int64_t lx_sys_rt_sigaction(struct lx_call *c)
{
    struct lx_task *lt = lx(c->t);
    int sig = (int)c->a[0];
    if (c->a[3] != 8)
        return -EINVAL;
    if (sig < 1 || sig > LX_NSIG)
        return -EINVAL;
    struct lx_sigaction act;
    if (c->a[1]) {
        int rc = sys_copy_in(c->t, &act, c->a[1], sizeof act);
        if (rc < 0)
            return rc;
        if (LX_SIGBIT(sig) & UNBLOCKABLE)
            return -EINVAL;
        if (act.handler > 1) {
            c->s->counts.handler_refused++;   /* handlers are not delivered: refused, not ignored */
            return -EINVAL;
        }
    }
    if (c->a[2]) {
        struct lx_sigaction old = {(lt->sig_ignored & LX_SIGBIT(sig)) ? 1 : 0, lt->sa_flags[sig - 1],
                                   lt->sa_mask[sig - 1]};
        int rc = sys_copy_out(c->t, c->a[2], &old, sizeof old);
        if (rc < 0)
            return rc;
    }
    if (c->a[1]) {
        if (act.handler == 1)
            lt->sig_ignored |= LX_SIGBIT(sig);
        else
            lt->sig_ignored &= ~LX_SIGBIT(sig);
        lt->sa_flags[sig - 1] = act.flags;
        lt->sa_mask[sig - 1] = act.mask;
        if (ignored(lt, sig))
            lt->sig_pending &= ~LX_SIGBIT(sig);   /* POSIX: pending instances are discarded */
    }
    return 0;
}

int64_t lx_sys_rt_sigprocmask(struct lx_call *c)
{
    struct lx_task *lt = lx(c->t);
    if (c->a[3] != 8)
        return -EINVAL;
    uint64_t set = 0;
    if (c->a[1]) {
        if (c->a[0] > 2)
            return -EINVAL;
        int rc = sys_copy_in(c->t, &set, c->a[1], sizeof set);
        if (rc < 0)
            return rc;
    }
    if (c->a[2]) {
        int rc = sys_copy_out(c->t, c->a[2], &lt->sig_blocked, sizeof lt->sig_blocked);
        if (rc < 0)
            return rc;
    }
    if (c->a[1]) {
        switch (c->a[0]) {
        case 0: lt->sig_blocked |= set; break;     /* SIG_BLOCK */
        case 1: lt->sig_blocked &= ~set; break;    /* SIG_UNBLOCK */
        case 2: lt->sig_blocked = set; break;      /* SIG_SETMASK */
        }
        lt->sig_blocked &= ~UNBLOCKABLE;
    }
    return 0;   /* what became deliverable is delivered on the way back to user mode */
}

int64_t lx_sys_rt_sigpending(struct lx_call *c)
{
    if (c->a[1] != 8)
        return -EINVAL;
    uint64_t p = lx(c->t)->sig_pending & lx(c->t)->sig_blocked;
    return sys_copy_out(c->t, c->a[0], &p, sizeof p);
}

/* Send sig from the caller to p (sig 0: only check that it exists). */
static void send(struct lx_call *c, struct task *p, int sig, const char *how)
{
    if (sig)
        lx_signal(p, sig, c->t->pid, how);
}

int64_t lx_sys_kill(struct lx_call *c)
{
    int pid = (int)c->a[0], sig = (int)c->a[1];
    if (sig < 0 || sig > LX_NSIG)
        return -EINVAL;
    if (pid > 0) {
        struct task *p = task_by_pid(c->s, pid);
        if (!p)
            return -ESRCH;
        send(c, p, sig, "kill");
        return 0;
    }
    int pgid = pid == 0 ? c->t->pgid : -pid;
    int found = 0;
    for (struct task *p = c->s->tasks; p; p = p->next_task) {
        if (p->state == TASK_ZOMBIE || (pid == -1 ? p == c->t : p->pgid != pgid))
            continue;
        send(c, p, sig, "kill");
        found++;
    }
    return found ? 0 : -ESRCH;
}

static int64_t thread_kill(struct lx_call *c, int tgid, int tid, int sig, const char *how)
{
    if (tid <= 0 || (tgid != -1 && tgid <= 0) || sig < 0 || sig > LX_NSIG)
        return -EINVAL;
    struct task *p = task_by_pid(c->s, tid);
    if (!p || (tgid != -1 && tgid != tid) || p->state == TASK_ZOMBIE)
        return -ESRCH;
    send(c, p, sig, how);
    return 0;
}

int64_t lx_sys_tkill(struct lx_call *c)
{
    return thread_kill(c, -1, (int)c->a[0], (int)c->a[1], "tkill");
}

int64_t lx_sys_tgkill(struct lx_call *c)
{
    return thread_kill(c, (int)c->a[0], (int)c->a[1], (int)c->a[2], "tgkill");
}

int64_t lx_sys_rt_sigreturn(struct lx_call *c)
{
    /* no handler ever ran, so there is no frame to return from: Linux
     * kills a process whose signal frame is bad */
    task_kill(c->t, LX_SIGSEGV, 0, "rt_sigreturn without a signal frame");
    return LX_NORESULT;
}

int64_t lx_sys_sigaltstack(struct lx_call *c)
{
    struct lx_task *lt = lx(c->t);
    if (c->a[1]) {
        uint64_t old[3] = {lt->ss[0], lt->ss[0] ? lt->ss[1] : 2 /* SS_DISABLE */, lt->ss[2]};
        int rc = sys_copy_out(c->t, c->a[1], old, sizeof old);
        if (rc < 0)
            return rc;
    }
    if (c->a[0]) {
        uint64_t ss[3];
        int rc = sys_copy_in(c->t, ss, c->a[0], sizeof ss);
        if (rc < 0)
            return rc;
        if ((uint32_t)ss[1] & ~2u)
            return -EINVAL;
        if (!((uint32_t)ss[1] & 2) && ss[2] < 2048)
            return -ENOMEM;   /* MINSIGSTKSZ */
        memcpy(lt->ss, ss, sizeof ss);   /* kept for the read-back: no handler will use it */
    }
    return 0;
}
