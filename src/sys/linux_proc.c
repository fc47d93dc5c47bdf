/* linux_proc.c — processes: clone (fork semantics), execve, wait4, exit,
 * the ids, process groups and sessions, resource limits, yielding.
 *
 * clone makes a process, never a thread: the flags fork(), vfork() and
 * posix_spawn() use are served (SIGCHLD or another exit signal,
 * CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID, CLONE_PARENT_SETTID,
 * CLONE_SETTLS, and CLONE_VM|CLONE_VFORK, which is a fork whose parent
 * waits until the child execs or ends: its memory is a copy-on-write copy,
 * not shared, which vfork's contract allows); anything that would share an
 * address space, files or signal handlers between two tasks (threads) is
 * refused with EINVAL.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/linux.h"

enum {
    LX_CSIGNAL = 0xff, LX_CLONE_VM = 0x100, LX_CLONE_VFORK = 0x4000, LX_CLONE_SETTLS = 0x80000,
    LX_CLONE_PARENT_SETTID = 0x100000, LX_CLONE_CHILD_CLEARTID = 0x200000,
    LX_CLONE_CHILD_SETTID = 0x1000000,
};

int64_t lx_sys_clone(struct lx_call *c)
{
    uint64_t flags = c->a[0];
    uint64_t allowed = LX_CSIGNAL | LX_CLONE_VM | LX_CLONE_VFORK | LX_CLONE_SETTLS |
                       LX_CLONE_PARENT_SETTID | LX_CLONE_CHILD_CLEARTID | LX_CLONE_CHILD_SETTID;
    if ((flags & ~allowed) || ((flags & LX_CLONE_VM) && !(flags & LX_CLONE_VFORK)))
        return -EINVAL;   /* threads: not modelled */
    if ((flags & LX_CSIGNAL) > LX_NSIG)
        return -EINVAL;
    struct task *t = c->t, *child;
    int rc = task_fork(t, &child);
    if (rc < 0)
        return rc;
    struct lx_task *lc = lx(child);
    lc->exit_signal = (int)(flags & LX_CSIGNAL);
    if (c->a[1])
        child->h.x[2] = c->a[1];                 /* the child's stack */
    if (flags & LX_CLONE_SETTLS)
        child->h.x[4] = c->a[3];                 /* tp */
    if (flags & LX_CLONE_CHILD_SETTID)
        lc->set_child_tid = c->a[4];             /* written when it first runs */
    if (flags & LX_CLONE_CHILD_CLEARTID)
        lc->clear_child_tid = c->a[4];
    if (flags & LX_CLONE_PARENT_SETTID) {
        uint32_t tid = (uint32_t)child->pid;
        sys_copy_out(t, c->a[2], &tid, 4);
    }
    if (flags & LX_CLONE_VFORK) {
        lx(t)->vfork_child = child;
        sys_return(t, child->pid);
        task_wait_event(t, &lx(t)->vfork_child);
        return LX_NORESULT;
    }
    return child->pid;
}

void lx_release_vfork_parent(struct task *t)
{
    struct task *p = t->parent;
    if (p && lx(p) && lx(p)->vfork_child == t) {
        lx(p)->vfork_child = NULL;
        sys_wakeup(t->s, &lx(p)->vfork_child);
    }
}

int lx_exec(struct task *t, int fd, const char *name, int argc, char *const argv[], int envc,
            char *const envp[], char *err, size_t errlen)
{
    struct kernel_image img;
    int rc = sys_exec(t, fd, name, &img, err, errlen);
    if (rc < 0)
        return rc;
    /* past the point of no return: the old image is gone */
    rc = lx_build_stack(t, &img, argc, argv, envc, envp, name);
    if (rc < 0) {
        snprintf(err, errlen, "exec: %s: the new stack cannot be built: %s", name, strerror(-rc));
        task_kill(t, LX_SIGSEGV, 0, err);
        return rc;
    }
    struct lx_task *lt = lx(t);
    fd_close_on_exec(&t->fds);
    lt->clear_child_tid = lt->set_child_tid = 0;
    lt->robust_list = lt->robust_len = 0;
    memset(lt->ss, 0, sizeof lt->ss);
    for (int i = 0; i < LX_NSIG; i++)
        if (!(lt->sig_ignored & LX_SIGBIT(i + 1)))
            lt->sa_flags[i] = lt->sa_mask[i] = 0;   /* handlers reset; ignored stays ignored */
    const char *slash = strrchr(name, '/');
    snprintf(t->comm, sizeof t->comm, "%s", slash ? slash + 1 : name);
    char path[PATH_MAX];
    char *exe = lx_guest_path(t->s, fd, path, sizeof path) >= 0 ? strdup(path) : NULL;
    if (exe) {   /* else (the run's program, outside the root) the name it has */
        free(t->exe);
        t->exe = exe;
    }
    lx_release_vfork_parent(t);
    return 0;
}

/* Copy a NULL-terminated array of strings from the guest (argv, envp):
 * *out (malloc'd, the strings after the pointers) and its count. */
static int copy_strings(struct task *t, vaddr_t uarr, char ***out, int *count, size_t *bytes)
{
    size_t cap = 16, n = 0;
    char **v = malloc(cap * sizeof *v);
    if (!v)
        return -ENOMEM;
    int rc = 0;
    char *buf = malloc(32 * 4096 + 1);
    if (!buf) {
        free(v);
        return -ENOMEM;
    }
    for (; uarr; n++) {
        uint64_t p;
        if ((rc = sys_copy_in(t, &p, uarr + n * 8, 8)) < 0)
            break;
        if (!p)
            break;
        int64_t l = sys_copy_str(t, buf, p, 32 * 4096);
        if (l < 0) {
            rc = l == -ENAMETOOLONG ? -E2BIG : (int)l;
            break;
        }
        *bytes += (size_t)l + 1 + 8;
        if (*bytes > (2u << 20)) {
            rc = -E2BIG;
            break;
        }
        if (n + 1 >= cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv) {
                rc = -ENOMEM;
                break;
            }
            v = nv;
        }
        if (!(v[n] = strdup(buf))) {
            rc = -ENOMEM;
            break;
        }
    }
    free(buf);
    v[n] = NULL;
    *out = v;
    *count = (int)n;
    return rc;
}

static void free_strings(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

int64_t lx_sys_execve(struct lx_call *c)
{
    struct task *t = c->t;
    char path[PATH_MAX];
    int64_t n = lx_copy_path(t, path, c->a[0]);
    if (n < 0)
        return n;
    char **argv = NULL, **envp = NULL;
    int argc = 0, envc = 0;
    size_t bytes = 0;
    int rc = copy_strings(t, c->a[1], &argv, &argc, &bytes);
    if (rc == 0)
        rc = copy_strings(t, c->a[2], &envp, &envc, &bytes);
    int fd = -1;
    if (rc == 0 && (fd = lx_open_at(t, AT_FDCWD, path, O_RDONLY, 0)) < 0)
        rc = fd;
    if (rc == 0) {
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || faccessat(fd, "", X_OK, AT_EMPTY_PATH) < 0)
            rc = -EACCES;
    }
    if (rc == 0) {
        char err[512];
        rc = lx_exec(t, fd, path, argc, argv, envc, envp, err, sizeof err);
        if (rc == 0)
            c->s->counts.execs++;
    }
    if (fd >= 0)
        close(fd);
    free_strings(argv);
    free_strings(envp);
    return rc < 0 ? rc : LX_NORESULT;
}

int64_t lx_sys_wait4(struct lx_call *c)
{
    struct task *t = c->t;
    int pid = (int)c->a[0];
    uint64_t options = c->a[2];
    if (options & ~(1ull | 2 | 8 | 0x20000000 | 0x40000000 | 0x80000000))
        return -EINVAL;   /* WNOHANG WUNTRACED WCONTINUED __WNOTHREAD __WALL __WCLONE */
    if (pid == INT_MIN)
        return -ESRCH;
    bool any;
    struct task *z = task_zombie_child(t, pid, &any);
    if (!z) {
        if (!any)
            return -ECHILD;
        if (options & 1 /* WNOHANG */)
            return 0;
        task_block(t, t, SYS_NO_DEADLINE);   /* task_end wakes the parent */
        return LX_BLOCKED;
    }
    const struct run_proc *r = &z->rec;
    int32_t status = r->signaled ? r->code & 0x7f : (r->code & 0xff) << 8;
    int rc = 0;
    if (c->a[1])
        rc = sys_copy_out(t, c->a[1], &status, sizeof status);
    if (rc == 0 && c->a[3])
        lx_put_rusage(t, c->a[3], r->instret, r->vm.v[VMSTAT_PGMINFAULT], r->vm.v[VMSTAT_PGMAJFAULT], &rc);
    struct lx_task *lt = lx(t);
    lt->child_instret += r->instret;
    lt->child_minflt += r->vm.v[VMSTAT_PGMINFAULT];
    lt->child_majflt += r->vm.v[VMSTAT_PGMAJFAULT];
    int zpid = z->pid;
    task_reap(z);
    return rc < 0 ? rc : zpid;
}

int64_t lx_sys_exit(struct lx_call *c)
{
    task_exit(c->t, (int)(c->a[0] & 0xff));
    return LX_NORESULT;
}

int64_t lx_sys_exit_group(struct lx_call *c)
{
    return lx_sys_exit(c);
}

/* ---- ids ---- */

int64_t lx_sys_getpid(struct lx_call *c) { return c->t->pid; }
int64_t lx_sys_gettid(struct lx_call *c) { return c->t->pid; }
/* The run itself is the parent of the first process and of orphans: 0,
 * as for the first process of a pid namespace. */
int64_t lx_sys_getppid(struct lx_call *c) { return c->t->parent ? c->t->parent->pid : 0; }
int64_t lx_sys_getuid(struct lx_call *c) { return getuid(); }
int64_t lx_sys_geteuid(struct lx_call *c) { return geteuid(); }
int64_t lx_sys_getgid(struct lx_call *c) { return getgid(); }
int64_t lx_sys_getegid(struct lx_call *c) { return getegid(); }

static struct task *pid_or_self(struct lx_call *c, int pid)
{
    return pid == 0 ? c->t : task_by_pid(c->s, pid);
}

int64_t lx_sys_getpgid(struct lx_call *c)
{
    struct task *p = pid_or_self(c, (int)c->a[0]);
    return p ? p->pgid : -ESRCH;
}

int64_t lx_sys_setpgid(struct lx_call *c)
{
    int pid = (int)c->a[0], pgid = (int)c->a[1];
    if (pgid < 0)
        return -EINVAL;
    struct task *p = pid_or_self(c, pid);
    if (!p || (p != c->t && p->parent != c->t))
        return -ESRCH;
    p->pgid = pgid ? pgid : p->pid;
    return 0;
}

int64_t lx_sys_getsid(struct lx_call *c)
{
    struct task *p = pid_or_self(c, (int)c->a[0]);
    return p ? lx(p)->sid : -ESRCH;
}

int64_t lx_sys_setsid(struct lx_call *c)
{
    struct task *t = c->t;
    for (struct task *o = c->s->tasks; o; o = o->next_task)
        if (o->pgid == t->pid && o != t)
            return -EPERM;   /* it leads a group already */
    if (t->pgid == t->pid && lx(t)->sid == t->pid)
        return -EPERM;
    t->pgid = lx(t)->sid = t->pid;
    return t->pid;
}

int64_t lx_sys_set_tid_address(struct lx_call *c)
{
    lx(c->t)->clear_child_tid = c->a[0];
    return c->t->pid;
}

int64_t lx_sys_set_robust_list(struct lx_call *c)
{
    if (c->a[1] != 24)   /* sizeof(struct robust_list_head) */
        return -EINVAL;
    lx(c->t)->robust_list = c->a[0];   /* no futexes: nothing to walk at exit */
    lx(c->t)->robust_len = c->a[1];
    return 0;
}

/* ---- limits ---- */

static int64_t limit(struct lx_call *c, struct task *p, unsigned res, vaddr_t unew, vaddr_t uold)
{
    if (res >= 16)
        return -EINVAL;
    struct lx_task *lt = lx(p);
    uint64_t nv[2];
    if (unew) {
        int rc = sys_copy_in(c->t, nv, unew, sizeof nv);
        if (rc < 0)
            return rc;
        if (nv[0] > nv[1])
            return -EINVAL;
        if (nv[1] > lt->rlim[res][1])
            return -EPERM;   /* raising a hard limit needs privilege */
    }
    if (uold) {
        int rc = sys_copy_out(c->t, uold, lt->rlim[res], sizeof lt->rlim[res]);
        if (rc < 0)
            return rc;
    }
    if (unew) {
        lt->rlim[res][0] = nv[0];
        lt->rlim[res][1] = nv[1];
        if (res == 7)   /* RLIMIT_NOFILE: the only limit that acts here */
            p->fds.max = nv[0] > 65536 ? 65536 : (unsigned)nv[0];
    }
    return 0;
}

int64_t lx_sys_prlimit64(struct lx_call *c)
{
    struct task *p = pid_or_self(c, (int)c->a[0]);
    if (!p || p->state == TASK_ZOMBIE)
        return -ESRCH;
    return limit(c, p, (unsigned)c->a[1], c->a[2], c->a[3]);
}

int64_t lx_sys_getrlimit(struct lx_call *c) { return limit(c, c->t, (unsigned)c->a[0], 0, c->a[1]); }
int64_t lx_sys_setrlimit(struct lx_call *c) { return limit(c, c->t, (unsigned)c->a[0], c->a[1], 0); }

int64_t lx_sys_sched_yield(struct lx_call *c)
{
    task_yield(c->t);
    return 0;
}

int64_t lx_sys_sched_getaffinity(struct lx_call *c)
{
    if (c->a[1] < 8 || (c->a[1] & 7))
        return -EINVAL;
    struct task *p = pid_or_self(c, (int)c->a[0]);
    if (!p)
        return -ESRCH;
    uint64_t mask = c->s->ncpus >= 64 ? ~0ull : (1ull << c->s->ncpus) - 1;
    int rc = sys_copy_out(c->t, c->a[2], &mask, sizeof mask);
    return rc < 0 ? rc : 8;
}
