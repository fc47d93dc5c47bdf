/* linux.h — the Linux personality's internals (RISC-V, LP64, asm-generic
 * system-call numbers and structures).
 *
 * Host values. vmlab runs on Linux, whose errno values, open(2) flags and
 * signal numbers on x86-64 and arm64 are the asm-generic ones RISC-V uses;
 * linux.c checks that at compile time, so host constants are used as guest
 * values throughout. Structures the guest reads (struct stat, timespec,
 * ...) are written in their RISC-V layout explicitly.
 */
#ifndef VMLAB_SYS_LINUX_H
#define VMLAB_SYS_LINUX_H

#include <fcntl.h>

#include "sys/sys.h"

/* The highest system-call number the table covers (asm-generic goes to ~460). */
#define LX_NR_MAX 512

#define LX_NSIG 64
#define LX_SIGBIT(sig) (1ull << ((sig) - 1))

enum {
    LX_SIGHUP = 1, LX_SIGINT = 2, LX_SIGQUIT = 3, LX_SIGILL = 4, LX_SIGTRAP = 5, LX_SIGABRT = 6,
    LX_SIGBUS = 7, LX_SIGFPE = 8, LX_SIGKILL = 9, LX_SIGUSR1 = 10, LX_SIGSEGV = 11,
    LX_SIGUSR2 = 12, LX_SIGPIPE = 13, LX_SIGALRM = 14, LX_SIGTERM = 15, LX_SIGCHLD = 17,
    LX_SIGCONT = 18, LX_SIGSTOP = 19, LX_SIGTSTP = 20, LX_SIGTTIN = 21, LX_SIGTTOU = 22,
    LX_SIGURG = 23, LX_SIGXCPU = 24, LX_SIGXFSZ = 25, LX_SIGWINCH = 28, LX_SIGSYS = 31,
};

/* Per run. */
struct lx_run {
    int rootfd;              /* --root: an O_PATH descriptor of the directory, or -1 */
    char *rootpath;          /* its canonical host path */
    size_t rootlen;
};

/* Per task. */
struct lx_task {
    int cwd;                 /* host O_PATH descriptor of the working directory */
    uint32_t umask;
    uint64_t clear_child_tid;     /* set_tid_address, CLONE_CHILD_CLEARTID */
    uint64_t set_child_tid;       /* CLONE_CHILD_SETTID: written when the child first runs */
    uint64_t robust_list, robust_len;
    /* signals (bit sig-1) */
    uint64_t sig_pending, sig_blocked, sig_ignored;
    uint64_t sa_flags[LX_NSIG], sa_mask[LX_NSIG];   /* what rt_sigaction reads back */
    int sig_sender[LX_NSIG];                        /* who sent a pending signal (0: the kernel) */
    bool stopped;                 /* SIGSTOP and friends, until SIGCONT */
    struct task *vfork_child;     /* CLONE_VFORK: blocked until it execs or ends */
    int exit_signal;              /* sent to the parent at the end (clone's CSIGNAL) */
    const char *sig_why[LX_NSIG]; /* what raised a pending signal, for the report */
    uint64_t ss[3];               /* sigaltstack's stack (kept, never used: no handlers) */
    int sid;                      /* session */
    uint64_t child_instret, child_minflt, child_majflt;   /* reaped children (getrusage, times) */
    uint64_t rlim[16][2];         /* prlimit64's values, soft and hard */
};

static inline struct lx_task *lx(struct task *t)
{
    return t->abi;
}
static inline struct lx_run *lx_run_of(struct sys *s)
{
    return s->abi_state;
}

/* One system call's context. */
struct lx_call {
    struct sys *s;
    struct task *t;
    uint64_t a[6];
    uint64_t nr;
};

/* What a handler returns besides a result: the call blocked (task_block
 * was called: it runs again later), or needs no result (the task ended,
 * or exec gave it new registers). */
#define LX_BLOCKED INT64_MIN
#define LX_NORESULT (INT64_MIN + 1)

typedef int64_t (*lx_handler)(struct lx_call *c);
struct lx_syscall {
    const char *name;
    lx_handler fn;
};
extern const struct lx_syscall lx_syscalls[LX_NR_MAX];

/* Handlers, by area (the table in linux.c names them all). */
#define LX_HANDLERS(X)                                                                         \
    X(read) X(write) X(readv) X(writev) X(pread64) X(pwrite64) X(openat) X(close) X(lseek)     \
    X(newfstatat) X(fstat) X(readlinkat) X(getcwd) X(chdir) X(fchdir) X(unlinkat) X(mkdirat)   \
    X(renameat) X(renameat2) X(faccessat) X(faccessat2) X(ioctl) X(pipe2) X(dup) X(dup3)       \
    X(fcntl) X(getdents64) X(ftruncate) X(fsync) X(umask)                                      \
    X(brk) X(mmap) X(munmap) X(mprotect) X(madvise)                                            \
    X(clock_gettime) X(clock_getres) X(gettimeofday) X(nanosleep) X(clock_nanosleep)           \
    X(getrandom) X(uname) X(sysinfo) X(times) X(getrusage)                                     \
    X(getpid) X(getppid) X(gettid) X(getuid) X(geteuid) X(getgid) X(getegid) X(getpgid)        \
    X(setpgid) X(getsid) X(setsid) X(set_tid_address) X(set_robust_list) X(prlimit64)          \
    X(getrlimit) X(setrlimit) X(sched_yield) X(sched_getaffinity) X(exit) X(exit_group)        \
    X(clone) X(execve) X(wait4)                                                                \
    X(rt_sigaction) X(rt_sigprocmask) X(rt_sigpending) X(kill) X(tkill) X(tgkill)              \
    X(rt_sigreturn) X(sigaltstack)
#define LX_DECLARE(name) int64_t lx_sys_##name(struct lx_call *c);
LX_HANDLERS(LX_DECLARE)
#undef LX_DECLARE

/* ---- paths (linux_path.c) ---- */

/* Open `path` relative to the guest's dirfd (AT_FDCWD: the working
 * directory) with host open flags (O_CLOEXEC is added) and mode, inside
 * the root if there is one: a host descriptor or -errno. */
int lx_open_at(struct task *t, int dirfd, const char *path, int flags, unsigned mode);
/* For calls that act on a name in a directory (unlink, mkdir, rename,
 * readlink): the directory holding the last component, opened O_PATH, and
 * that component in *last (a pointer into path). -errno on failure. With
 * no root, path itself relative to the base (*last = path, the returned
 * descriptor is the base: do not close it unless *owned). */
int lx_parent_at(struct task *t, int dirfd, const char *path, const char **last, bool *owned);
/* The guest's name for the directory or file open as host descriptor fd:
 * its host path, under the root relative to it. Length, or -errno. */
int lx_guest_path(struct sys *s, int hostfd, char *buf, size_t len);
/* A guest path from a user pointer (PATH_MAX at most). */
int64_t lx_copy_path(struct task *t, char *buf, vaddr_t upath);

/* ---- signals (linux_signal.c) ---- */

/* Send sig to t from pid `by` (0: the kernel; why: what happened, for the
 * report). The default actions: terminate, ignore, stop, continue. */
void lx_signal(struct task *t, int sig, int by, const char *why);
/* Deliver what is pending and unblocked (the resume hook's part). */
void lx_deliver(struct sys *s, struct task *t);
/* A trap other than ecall: the signal Linux raises for it. */
void lx_trap(struct sys *s, struct task *t, const struct rv_trap *tr);

/* struct rusage at u (instructions as user time; the fault counts); *rc the copy's result. */
void lx_put_rusage(struct task *t, vaddr_t u, uint64_t instret, uint64_t minflt, uint64_t majflt,
                   int *rc);

/* ---- the initial stack (linux_stack.c) ---- */

/* Build argv/envp/auxv on t's fresh stack for image img and point the hart
 * at it (sp, pc = entry, every other register 0). 0 or -errno (-E2BIG,
 * -EFAULT, -ENOMEM). */
int lx_build_stack(struct task *t, const struct kernel_image *img, int argc, char *const argv[],
                   int envc, char *const envp[], const char *execfn);

/* ---- processes (linux_proc.c) ---- */

/* exec of the host file open as fd (named `name`: the guest's path) with
 * these arguments: 0 (t runs the new image) or -errno (t unchanged, a
 * message in err; t may have been killed past the point of no return). */
int lx_exec(struct task *t, int fd, const char *name, int argc, char *const argv[], int envc,
            char *const envp[], char *err, size_t errlen);

/* t exec'd or is ending: its vfork parent (if any) goes on. */
void lx_release_vfork_parent(struct task *t);

/* The file of guest descriptor fd, or NULL. */
static inline struct file *lx_file(struct lx_call *c, int64_t fd)
{
    return fd >= 0 && fd <= INT32_MAX ? fd_get(&c->t->fds, (int)fd) : NULL;
}

/* Does [p, p+len) lie in user space? (Linux's access_ok.) */
static inline bool lx_access_ok(uint64_t p, uint64_t len)
{
    return p + len >= p && p + len <= KERNEL_LINUX_USER_TOP;
}

/* struct timespec / timeval as the guest has them (LP64). */
struct lx_timespec {
    int64_t sec, nsec;
};

#endif
