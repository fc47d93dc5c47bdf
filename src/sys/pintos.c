/* pintos.c — the PintOS personality: PintOS project-2/3 user programs,
 * built for RV64 (examples/pintos), with PintOS's system calls (a7 = the
 * number of lib/syscall-nr.h, a0-a5 the arguments, a0 the result), on
 * vmlab's kernel under its PintOS ABI (KERN_BASE, USER_STACK, the rsp
 * stack rule with RISC-V's slack of 32, PintOS's mmap).
 *
 * What a finished project-3 kernel prints is all that reaches stdout: the
 * processes' console writes and one "NAME: exit(STATUS)" line per process
 * that ends -- by exit(), or killed by the kernel (exit(-1)), which prints
 * nothing else. halt ends the run at once, with no further lines; so do
 * vmlab's own stops (Ctrl-C, --max-insns), which are not PintOS events.
 * docs/pintos.md has the whole contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/pintos.h"

static const pt_handler handlers[PT_NR_MAX] = {
    pt_sys_halt, pt_sys_exit, pt_sys_fork, pt_sys_exec, pt_sys_wait, pt_sys_create,
    pt_sys_remove, pt_sys_open, pt_sys_filesize, pt_sys_read, pt_sys_write, pt_sys_seek,
    pt_sys_tell, pt_sys_close, pt_sys_mmap, pt_sys_munmap,
};
static const char *const names[PT_NR_MAX] = {
    "halt", "exit", "fork", "exec", "wait", "create", "remove", "open", "filesize",
    "read", "write", "seek", "tell", "close", "mmap", "munmap",
};

/* ---- ending tasks ---- */

void pt_end(struct task *t, int code, const char *why)
{
    if (t->state == TASK_ZOMBIE)
        return;
    pt(t)->status = code;
    if (why)
        task_exit_why(t, code, why);
    else
        task_exit(t, code);
}

void pt_kill(struct pt_call *c, const char *fmt, ...)
{
    char why[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    pt_end(c->t, -1, why);
}

/* ---- user memory ---- */

int pt_copy_in(struct task *t, void *dst, vaddr_t src, size_t len)
{
    return len == 0 || kernel_copy_in(task_cpu(t), dst, src, len) == 0 ? 0 : -1;
}

int pt_copy_out(struct task *t, vaddr_t dst, const void *src, size_t len)
{
    return len == 0 || kernel_copy_out(task_cpu(t), dst, src, len) == 0 ? 0 : -1;
}

int64_t pt_copy_str(struct task *t, char *buf, vaddr_t src, size_t max)
{
    size_t got = 0;
    while (got < max) {
        /* a page at a time: the string may end just before an unmapped page */
        vaddr_t at = src + got;
        size_t n = VM_PAGE_SIZE - (at & VM_PAGE_MASK);
        if (n > max - got)
            n = max - got;
        if (pt_copy_in(t, buf + got, at, n) < 0)
            return -1;
        char *nul = memchr(buf + got, 0, n);
        if (nul)
            return (int64_t)(nul - buf);
        got += n;
    }
    return -2;
}

/* ---- the operations ---- */

/* The kernel's PintOS rules with RISC-V's stack slack: compilers move sp
 * first and then store at or above it, so a fault at or above sp - 32
 * grows the stack (PintOS's x86 rule is rsp - 8, for PUSH). */
static void pt_kernel_config(struct sys *s, struct kernel_config *kc)
{
    kc->stack_rule = STACK_RULE_PINTOS;
    kc->stack_slack = PT_STACK_SLACK;
    /* the file swap must never be is the program in the fs, not a file of
     * that name in vmlab's directory (the core's guess) */
    kc->swap_keep_dev = kc->swap_keep_ino = 0;
    const char *w = s->program + strspn(s->program, " ");
    char path[4096];
    struct stat st;
    if (s->cfg->fs && (size_t)snprintf(path, sizeof path, "%s/%.*s", s->cfg->fs,
                                         (int)strcspn(w, " "), w) < sizeof path &&
        stat(path, &st) == 0) {
        kc->swap_keep_dev = (uint64_t)st.st_dev;
        kc->swap_keep_ino = (uint64_t)st.st_ino;
    }
}

static int pt_setup(struct sys *s, char *err, size_t errlen)
{
    if (!s->cfg->fs) {
        snprintf(err, errlen, "--abi pintos needs --fs DIR: the directory that is PintOS's "
                              "file system (PROGRAM and every file the programs open are in it)");
        return -1;
    }
    if (s->cfg->root) {
        snprintf(err, errlen, "--root has no meaning with --abi pintos: its files are the flat "
                              "directory --fs DIR");
        return -1;
    }
    if (s->cfg->trace_out) {
        /* vmt version 2 describes Linux's mmap; PintOS's (kernel_map_file:
         * the zero tail never written back, unmapped whole) is not in it,
         * so vmlab replay could not reproduce such a run */
        snprintf(err, errlen, "--trace-out: runs of the PintOS personality cannot be recorded "
                              "yet (run traces describe Linux's memory calls, not PintOS's mmap)");
        return -1;
    }
    int fd = open(s->cfg->fs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct pt_run *r = fd >= 0 ? calloc(1, sizeof *r) : NULL;
    if (!r || !(r->fspath = strdup(s->cfg->fs))) {
        snprintf(err, errlen, "--fs %s: %s", s->cfg->fs, fd < 0 ? strerror(errno) : "out of memory");
        if (fd >= 0)
            close(fd);
        free(r);
        return -1;
    }
    r->fsfd = fd;
    s->abi_state = r;
    return 0;
}

static void pt_teardown(struct sys *s)
{
    struct pt_run *r = pt_run_of(s);
    if (!r)
        return;
    close(r->fsfd);
    free(r->fspath);
    free(r->exes);
    free(r);
    s->abi_state = NULL;
}

/* The run's command line: PROGRAM and ARGS joined by spaces (PintOS's
 * `run 'prog args'` and `-- prog args` are the same). */
static int join_cmdline(int argc, char *const argv[], char *buf, size_t len)
{
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]);
        if (n + l + (i > 0) >= len)
            return -1;
        if (i)
            buf[n++] = ' ';
        memcpy(buf + n, argv[i], l);
        n += l;
    }
    buf[n] = 0;
    return 0;
}

static int pt_start(struct sys *s, struct task *t, int argc, char *const argv[], char *err,
                    size_t errlen)
{
    if (!(t->abi = calloc(1, sizeof(struct pt_task)))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pt(t)->status = -1;
    char cmdline[PT_CMDLINE_MAX];
    if (join_cmdline(argc, argv, cmdline, sizeof cmdline)) {
        snprintf(err, errlen, "the command line is longer than PintOS's %d bytes",
                 PT_CMDLINE_MAX - 1);
        return -E2BIG;
    }
    /* the process's name: the first word (at most 15 characters) */
    const char *w = cmdline + strspn(cmdline, " ");
    size_t l = strcspn(w, " ");
    l = l < sizeof t->comm - 1 ? l : sizeof t->comm - 1;
    memcpy(t->comm, w, l);
    t->comm[l] = 0;
    kernel_set_rsp_source(t->proc, &t->h.x[2]);
    return pt_load(t, cmdline, err, errlen);
}

static void strace(struct sys *s, const struct pt_call *c, int64_t r)
{
    FILE *f = s->cfg->strace;
    if (c->nr < PT_NR_MAX)
        fprintf(f, "[%d] %s(", c->t->pid, names[c->nr]);
    else if (c->nr == PT_NR_GET_PHYS_ADDR)
        fprintf(f, "[%d] get_phys_addr(", c->t->pid);
    else
        fprintf(f, "[%d] syscall_%llu(", c->t->pid, (unsigned long long)c->nr);
    for (int i = 0; i < 6; i++)
        fprintf(f, "%s0x%llx", i ? ", " : "", (unsigned long long)c->a[i]);
    if (r == PT_BLOCKED)
        fprintf(f, ") blocks\n");
    else if (r == PT_NORESULT)
        fprintf(f, ") done\n");
    else
        fprintf(f, ") = %lld (0x%llx)\n", (long long)r, (unsigned long long)r);
}

static void pt_syscall(struct sys *s, struct task *t)
{
    struct pt_call c = {.s = s, .t = t, .nr = t->h.x[17]};
    for (int i = 0; i < 6; i++)
        c.a[i] = t->h.x[10 + i];
    int64_t r;
    if (c.nr < PT_NR_MAX) {
        r = handlers[c.nr](&c);
    } else if (c.nr == PT_NR_GET_PHYS_ADDR) {
        r = pt_sys_get_phys_addr(&c);
    } else {
        sys_count_unknown(s, c.nr);   /* project 4's calls and anything else */
        r = -1;
    }
    /* a copy the kernel refused killed the process: no result then */
    if (r != PT_BLOCKED && r != PT_NORESULT &&
        (t->state == TASK_ZOMBIE || kernel_process_state(t->proc) != PROC_RUNNABLE))
        r = PT_NORESULT;
    if (s->cfg->strace)
        strace(s, &c, r);
    if (r != PT_BLOCKED && r != PT_NORESULT)
        sys_return(t, r);
}

/* An illegal instruction, a breakpoint, a misaligned atomic: PintOS's
 * exception handler kills the process. */
static void pt_trap(struct sys *s, struct task *t, const struct rv_trap *tr)
{
    char why[192];
    snprintf(why, sizeof why, "%s at pc 0x%llx (tval 0x%llx)", rv_exc_name(tr->cause),
             (unsigned long long)tr->pc, (unsigned long long)tr->tval);
    pt_end(t, -1, why);
}

static void pt_killed(struct sys *s, struct task *t, const char *why)
{
    pt_end(t, -1, why);
}

static int pt_fork(struct sys *s, struct task *parent, struct task *child)
{
    struct pt_task *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    *c = *pt(parent);
    c->status = -1;
    c->has_exe = false;
    child->abi = c;
    /* each open file duplicated: the same position, independent afterwards */
    for (unsigned fd = 0; fd < child->fds.n; fd++) {
        struct file *f = child->fds.v[fd].f;
        if (!f)
            continue;
        struct file *dup = pt_file_dup(f);
        if (!dup || fd_install_at(&child->fds, (int)fd, dup, false) < 0) {
            file_put(dup);
            free(c);
            child->abi = NULL;   /* task_fork undoes the rest */
            return -ENOMEM;
        }
    }
    if (pt(parent)->has_exe) {
        struct pt_run *r = pt_run_of(s);
        for (size_t i = 0; i < r->nexes; i++)
            if (r->exes[i].dev == pt(parent)->exe_dev && r->exes[i].ino == pt(parent)->exe_ino) {
                r->exes[i].users++;
                c->has_exe = true;
            }
    }
    kernel_set_rsp_source(child->proc, &child->h.x[2]);
    return 0;
}

/* The exit line, printed as the process ends (before its parent's wait
 * can return), unless the machine is going down. */
static void pt_exiting(struct sys *s, struct task *t)
{
    if (!pt(t))
        return;
    if (!s->halted && !s->interrupted && !s->limited && !s->deadlock) {
        char line[64];
        int n = snprintf(line, sizeof line, "%s: exit(%d)\n", t->comm, pt(t)->status);
        pt_console_write(s, line, (size_t)n);
    }
    pt_exe_release(t);
}

static void pt_free(struct sys *s, struct task *t)
{
    free(t->abi);
    t->abi = NULL;
}

const struct sys_abi sys_abi_pintos = {
    .name = "pintos",
    .kabi = KERNEL_ABI_PINTOS,
    .default_format = PT_SV48,   /* all of [0, KERN_BASE) is user space */
    .own_files = true,           /* --fs DIR: PintOS's flat file system */
    .kernel_config = pt_kernel_config,
    .setup = pt_setup,
    .teardown = pt_teardown,
    .start = pt_start,
    .syscall = pt_syscall,
    .trap = pt_trap,
    .fork = pt_fork,
    .exiting = pt_exiting,
    .free = pt_free,
    .killed = pt_killed,
};
