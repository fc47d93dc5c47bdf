/* linux.c — the Linux personality: static RISC-V glibc programs as
 * `riscv64-linux-gnu-gcc -static` builds them, with the asm-generic
 * system-call numbers (include/uapi/asm-generic/unistd.h), one table of
 * handlers indexed by number. An unknown number returns -ENOSYS and is
 * counted (the report lists which).
 *
 * The handlers live by area: linux_file.c (descriptors, files, paths),
 * linux_mem.c (brk, mmap and the other memory calls, on the kernel's),
 * linux_proc.c (clone, execve, wait4, exit, ids, limits), linux_signal.c
 * (signals), linux_time.c (clocks, sleeping, random bytes, uname).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/linux.h"

/* The host's values are the guest's (see linux.h). */
_Static_assert(O_CREAT == 0100 && O_EXCL == 0200 && O_TRUNC == 01000 && O_APPEND == 02000 &&
               O_NONBLOCK == 04000 && O_DIRECTORY == 0200000 && O_NOFOLLOW == 0400000 &&
               O_CLOEXEC == 02000000 && O_PATH == 010000000, "asm-generic open flags");
_Static_assert(EAGAIN == 11 && ENOSYS == 38 && EFAULT == 14 && ENAMETOOLONG == 36 &&
               ELOOP == 40 && EXDEV == 18, "asm-generic errno values");
_Static_assert(SIGSEGV == LX_SIGSEGV && SIGBUS == LX_SIGBUS && SIGCHLD == LX_SIGCHLD &&
               SIGSTOP == LX_SIGSTOP && SIGKILL == LX_SIGKILL, "asm-generic signal numbers");

const struct lx_syscall lx_syscalls[LX_NR_MAX] = {
#define S(nr, name) [nr] = {#name, lx_sys_##name},
    S(17, getcwd) S(23, dup) S(24, dup3) S(25, fcntl) S(29, ioctl) S(34, mkdirat)
    S(35, unlinkat) S(38, renameat) S(46, ftruncate) S(48, faccessat) S(49, chdir)
    S(50, fchdir) S(56, openat) S(57, close) S(59, pipe2) S(61, getdents64) S(62, lseek)
    S(63, read) S(64, write) S(65, readv) S(66, writev) S(67, pread64) S(68, pwrite64)
    S(78, readlinkat) S(79, newfstatat) S(80, fstat) S(82, fsync) S(93, exit) S(94, exit_group)
    S(96, set_tid_address) S(99, set_robust_list) S(101, nanosleep) S(113, clock_gettime)
    S(114, clock_getres) S(115, clock_nanosleep) S(124, sched_yield) S(123, sched_getaffinity)
    S(129, kill) S(130, tkill) S(131, tgkill) S(132, sigaltstack) S(134, rt_sigaction)
    S(135, rt_sigprocmask) S(136, rt_sigpending) S(139, rt_sigreturn) S(153, times)
    S(154, setpgid) S(155, getpgid) S(156, getsid) S(157, setsid) S(160, uname)
    S(163, getrlimit) S(164, setrlimit) S(165, getrusage) S(166, umask) S(169, gettimeofday)
    S(172, getpid) S(173, getppid) S(174, getuid) S(175, geteuid) S(176, getgid)
    S(177, getegid) S(178, gettid) S(179, sysinfo) S(214, brk) S(215, munmap) S(220, clone)
    S(221, execve) S(222, mmap) S(226, mprotect) S(233, madvise) S(260, wait4)
    S(261, prlimit64) S(276, renameat2) S(278, getrandom) S(439, faccessat2)
#undef S
};

static void strace(struct sys *s, struct task *t, const struct lx_call *c, int64_t r)
{
    FILE *f = s->cfg->strace;
    const char *name = c->nr < LX_NR_MAX && lx_syscalls[c->nr].fn ? lx_syscalls[c->nr].name : NULL;
    if (name)
        fprintf(f, "[%d] %s(", t->pid, name);
    else
        fprintf(f, "[%d] syscall_%llu(", t->pid, (unsigned long long)c->nr);
    for (int i = 0; i < 6; i++)
        fprintf(f, "%s0x%llx", i ? ", " : "", (unsigned long long)c->a[i]);
    if (r == LX_BLOCKED)
        fprintf(f, ") blocks\n");
    else if (r == LX_NORESULT)
        fprintf(f, ") done\n");
    else if (r < 0 && r > -4096)
        fprintf(f, ") = -1 %s\n", strerror((int)-r));
    else
        fprintf(f, ") = %lld (0x%llx)\n", (long long)r, (unsigned long long)r);
}

static void lx_syscall(struct sys *s, struct task *t)
{
    struct lx_call c = {.s = s, .t = t, .nr = t->h.x[17]};
    for (int i = 0; i < 6; i++)
        c.a[i] = t->h.x[10 + i];
    int64_t r;
    if (c.nr < LX_NR_MAX && lx_syscalls[c.nr].fn) {
        r = lx_syscalls[c.nr].fn(&c);
    } else {
        sys_count_unknown(s, c.nr);
        r = -ENOSYS;
    }
    if (s->cfg->strace)
        strace(s, t, &c, r);
    if (r != LX_BLOCKED && r != LX_NORESULT)
        sys_return(t, r);
}

/* ---- the operations ---- */

static int lx_setup(struct sys *s, char *err, size_t errlen)
{
    struct lx_run *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->rootfd = -1;
    s->abi_state = r;
    if (!s->cfg->root)
        return 0;
    char *real = realpath(s->cfg->root, NULL);
    int fd = real ? open(real, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd < 0) {
        snprintf(err, errlen, "--root %s: %s", s->cfg->root, strerror(errno));
        free(real);
        return -1;
    }
    r->rootfd = fd;
    r->rootpath = real;
    r->rootlen = strcmp(real, "/") ? strlen(real) : 0;
    return 0;
}

static void lx_teardown(struct sys *s)
{
    struct lx_run *r = lx_run_of(s);
    if (!r)
        return;
    if (r->rootfd >= 0)
        close(r->rootfd);
    free(r->rootpath);
    free(r);
    s->abi_state = NULL;
}

static struct lx_task *lx_task_new(void)
{
    struct lx_task *lt = calloc(1, sizeof *lt);
    if (!lt)
        return NULL;
    lt->umask = 022;
    lt->cwd = -1;
    for (int i = 0; i < 16; i++)
        lt->rlim[i][0] = lt->rlim[i][1] = UINT64_MAX;
    lt->rlim[3][0] = 8u << 20;   /* RLIMIT_STACK: the kernel's stack cap */
    lt->rlim[7][0] = 1024;       /* RLIMIT_NOFILE */
    lt->rlim[7][1] = 1024;
    lt->rlim[4][0] = lt->rlim[4][1] = 0;   /* RLIMIT_CORE: no core dumps */
    return lt;
}

/* The guest's standard descriptor n, a copy of the host's hostfd (if open). */
static int std_fd(struct sys *s, struct task *t, int n, int hostfd)
{
    if (hostfd < 0)
        return 0;
    int fl = fcntl(hostfd, F_GETFL);
    int fd = fl < 0 ? -1 : fcntl(hostfd, F_DUPFD_CLOEXEC, 3);
    if (fd < 0)
        return 0;   /* closed on the host: closed for the guest */
    struct file *f = file_host(s, fd, (unsigned)fl & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    if (!f)
        return -ENOMEM;
    f->regular = false;   /* vmlab's own descriptors keep the host's offset */
    return fd_install_at(&t->fds, n, f, false) < 0 ? -ENOMEM : 0;
}

/* The program's name as the guest sees it (/proc/self/exe). */
static char *exe_name(struct sys *s, const char *path)
{
    struct lx_run *r = lx_run_of(s);
    char *real = realpath(path, NULL);
    if (!real)
        return strdup(path);
    if (r->rootfd >= 0 && !strncmp(real, r->rootpath, r->rootlen) && real[r->rootlen] == '/') {
        char *in = strdup(real + r->rootlen);
        free(real);
        return in;
    }
    return real;
}

extern char **environ;

static int lx_start(struct sys *s, struct task *t, int argc, char *const argv[], char *err,
                    size_t errlen)
{
    struct lx_run *r = lx_run_of(s);
    struct lx_task *lt = lx_task_new();
    if (!lt) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    t->abi = lt;
    lt->cwd = r->rootfd >= 0 ? fcntl(r->rootfd, F_DUPFD_CLOEXEC, 3)
                             : open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (lt->cwd < 0) {
        snprintf(err, errlen, "cannot open the working directory: %s", strerror(errno));
        return -1;
    }
    if (std_fd(s, t, 0, s->cfg->stdin_fd) || std_fd(s, t, 1, s->cfg->stdout_fd) ||
        std_fd(s, t, 2, s->cfg->stderr_fd)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
        return -errno;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", argv[0]);
        close(fd);
        return -EACCES;
    }
    t->exe = exe_name(s, argv[0]);
    char *const *envp = s->cfg->envp ? s->cfg->envp : environ;
    int envc = 0;
    while (envp[envc])
        envc++;
    char why[512];
    int rc = lx_exec(t, fd, argv[0], argc, argv, envc, envp, why, sizeof why);
    close(fd);
    if (rc < 0)
        snprintf(err, errlen, "%s", why);
    return rc;
}

static void lx_resume(struct sys *s, struct task *t)
{
    struct lx_task *lt = lx(t);
    if (lt->set_child_tid) {
        uint32_t tid = (uint32_t)t->pid;
        sys_copy_out(t, lt->set_child_tid, &tid, 4);   /* schedule_tail's put_user: errors ignored */
        lt->set_child_tid = 0;
    }
    lx_deliver(s, t);
}

static int lx_fork(struct sys *s, struct task *parent, struct task *child)
{
    struct lx_task *p = lx(parent), *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    *c = *p;
    c->sig_pending = 0;   /* fork(2): the child's pending set is empty */
    c->set_child_tid = c->clear_child_tid = 0;
    c->robust_list = c->robust_len = 0;
    c->vfork_child = NULL;
    c->stopped = false;
    c->cwd = fcntl(p->cwd, F_DUPFD_CLOEXEC, 3);
    if (c->cwd < 0) {
        free(c);
        return -errno;
    }
    child->abi = c;
    return 0;
}

static void lx_exiting(struct sys *s, struct task *t)
{
    struct lx_task *lt = lx(t);
    if (!lt)
        return;
    if (lt->clear_child_tid && t->proc && kernel_process_state(t->proc) == PROC_RUNNABLE &&
        t->cpu >= 0) {
        uint32_t zero = 0;
        sys_copy_out(t, lt->clear_child_tid, &zero, 4);   /* mm_release; no futex to wake */
    }
    lx_release_vfork_parent(t);
    if (t->parent && lt->exit_signal)
        lx_signal(t->parent, lt->exit_signal, t->pid, "a child ended (its exit signal)");
}

static void lx_free(struct sys *s, struct task *t)
{
    struct lx_task *lt = lx(t);
    if (!lt)
        return;
    if (lt->cwd >= 0)
        close(lt->cwd);
    free(lt);
    t->abi = NULL;
}

const struct sys_abi sys_abi_linux = {
    .name = "linux",
    .kabi = KERNEL_ABI_LINUX,
    .default_format = PT_SV39,
    .setup = lx_setup,
    .teardown = lx_teardown,
    .start = lx_start,
    .syscall = lx_syscall,
    .trap = lx_trap,
    .resume = lx_resume,
    .fork = lx_fork,
    .exiting = lx_exiting,
    .free = lx_free,
};
