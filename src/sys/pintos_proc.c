/* pintos_proc.c — PintOS's process calls: halt, exit, fork, exec, wait;
 * loading a command line with PintOS's argument passing; the executables
 * that are running (whose files cannot be written).
 *
 * Names. A process's name (its exit line's) is the first word of its
 * command line for the run's program and the name given to fork for a
 * child, at most 15 characters (PintOS's thread name); exec keeps it.
 *
 * wait(pid) returns the exit status of a direct child that has not been
 * waited for (-1 if the kernel killed it), blocking until it ends; -1 for
 * anything else. A child's exit line and its mappings' write-back happen
 * before its parent's wait returns (the core releases the address space
 * before it wakes the parent).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/pintos.h"

/* ---- running executables ---- */

bool pt_exe_running(struct sys *s, dev_t dev, ino_t ino)
{
    struct pt_run *r = pt_run_of(s);
    for (size_t i = 0; i < r->nexes; i++)
        if (r->exes[i].dev == dev && r->exes[i].ino == ino && r->exes[i].users)
            return true;
    return false;
}

void pt_exe_release(struct task *t)
{
    struct pt_task *pt_ = pt(t);
    if (!pt_->has_exe)
        return;
    struct pt_run *r = pt_run_of(t->s);
    for (size_t i = 0; i < r->nexes; i++)
        if (r->exes[i].dev == pt_->exe_dev && r->exes[i].ino == pt_->exe_ino) {
            if (--r->exes[i].users == 0)
                r->exes[i] = r->exes[--r->nexes];
            break;
        }
    pt_->has_exe = false;
}

void pt_exe_set(struct task *t, int fd)
{
    pt_exe_release(t);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return;
    struct pt_run *r = pt_run_of(t->s);
    size_t i = 0;
    while (i < r->nexes && !(r->exes[i].dev == st.st_dev && r->exes[i].ino == st.st_ino))
        i++;
    if (i == r->nexes) {
        if (r->nexes == r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 8;
            struct pt_exe *v = realloc(r->exes, cap * sizeof *v);
            if (!v)
                return;   /* no memory: the file is not protected */
            r->exes = v;
            r->cap = cap;
        }
        r->exes[r->nexes++] = (struct pt_exe){st.st_dev, st.st_ino, 0};
    }
    r->exes[i].users++;
    pt(t)->has_exe = true;
    pt(t)->exe_dev = st.st_dev;
    pt(t)->exe_ino = st.st_ino;
}

/* ---- loading ---- */

/* Split cmdline (modified) into words at runs of spaces: their count. */
static int split_words(char *cmdline, char **words, int max)
{
    int n = 0;
    char *save;
    for (char *w = strtok_r(cmdline, " ", &save); w && n < max; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    return n;
}

/* PintOS's argument passing, with RISC-V's registers in place of x86-64's
 * fake return address: the words are copied to the top of the stack, the
 * last word highest (pushed right to left), then zero padding to 16 bytes
 * below argv[argc] = NULL, argv[argc-1] .. argv[0]; sp = a1 = &argv[0],
 * 16-byte aligned, a0 = argc, ra = 0. */
static int pass_arguments(struct task *t, const struct kernel_image *img, int argc, char **words)
{
    vaddr_t top = img->stack_top, sp = top;
    vaddr_t *uargv = malloc(((size_t)argc + 1) * sizeof *uargv);
    if (!uargv)
        return -ENOMEM;
    for (int i = argc; i-- > 0;) {
        sp -= strlen(words[i]) + 1;
        uargv[i] = sp;
    }
    uargv[argc] = 0;
    sp = (sp - ((uint64_t)argc + 1) * 8) & ~(vaddr_t)15;
    size_t len = top - sp;
    uint8_t *img_bytes = calloc(1, len);
    if (!img_bytes) {
        free(uargv);
        return -ENOMEM;
    }
    for (int i = 0; i < argc; i++)
        memcpy(img_bytes + (uargv[i] - sp), words[i], strlen(words[i]) + 1);
    memcpy(img_bytes, uargv, ((size_t)argc + 1) * 8);
    free(uargv);
    memset(t->h.x, 0, sizeof t->h.x);
    memset(t->h.f, 0, sizeof t->h.f);
    t->h.fcsr = 0;
    t->h.x[2] = sp;   /* first: the stack rule reads it while the copy grows the stack */
    int rc = pt_copy_out(t, sp, img_bytes, len);
    free(img_bytes);
    if (rc < 0)
        return -EFAULT;
    t->h.x[10] = (uint64_t)argc;
    t->h.x[11] = sp;
    t->h.pc = img->entry;
    return 0;
}

int pt_load(struct task *t, const char *cmdline, char *err, size_t errlen)
{
    struct sys *s = t->s;
    char line[PT_CMDLINE_MAX];
    snprintf(line, sizeof line, "%s", cmdline);
    char *words[PT_CMDLINE_MAX / 2];
    int argc = split_words(line, words, PT_CMDLINE_MAX / 2);
    if (argc == 0) {
        snprintf(err, errlen, "empty command line");
        return -ENOENT;
    }
    if (!pt_name_ok(words[0])) {
        snprintf(err, errlen, "'%s' is not a PintOS file name (1 to %d characters, no '/')",
                 words[0], PT_NAME_MAX);
        return -ENOENT;
    }
    int fd = pt_open_name(s, words[0], O_RDONLY);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -EACCES;
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s in --fs %s", words[0],
                 fd == -ENOENT ? "no such file" : strerror(-fd), pt_run_of(s)->fspath);
        return fd;
    }
    struct kernel_image img;
    int rc = sys_exec(t, fd, words[0], &img, err, errlen);
    if (rc == 0) {
        /* past the point of no return: the old image is gone */
        pt_exe_set(t, fd);
        if ((rc = pass_arguments(t, &img, argc, words)) < 0)
            snprintf(err, errlen, "%s: the arguments do not fit on the stack", words[0]);
    }
    close(fd);
    return rc;
}

/* ---- the calls ---- */

int64_t pt_sys_halt(struct pt_call *c)
{
    sys_halt(c->s, 0);   /* vmlab's exit status after halt: 0 */
    return PT_NORESULT;
}

int64_t pt_sys_exit(struct pt_call *c)
{
    pt_end(c->t, arg_int(c, 0), NULL);
    return PT_NORESULT;
}

int64_t pt_sys_fork(struct pt_call *c)
{
    char name[PT_CMDLINE_MAX];
    int64_t n = pt_copy_str(c->t, name, c->a[0], sizeof name);
    if (n == -1)
        return PT_NORESULT;
    struct task *child;
    if (task_fork(c->t, &child) < 0)
        return -1;   /* TID_ERROR: the parent learns that the copy failed */
    size_t l = n < 0 ? sizeof child->comm - 1 : strnlen(name, sizeof child->comm - 1);
    memcpy(child->comm, name, l);   /* PintOS's thread name: at most 15 characters */
    child->comm[l] = 0;
    return child->pid;
}

int64_t pt_sys_exec(struct pt_call *c)
{
    struct task *t = c->t;
    char line[PT_CMDLINE_MAX], err[512];
    int64_t n = pt_copy_str(t, line, c->a[0], sizeof line);
    if (n == -1)
        return PT_NORESULT;
    int rc = n < 0 ? -E2BIG : pt_load(t, line, err, sizeof err);
    if (rc < 0) {
        if (n < 0)
            snprintf(err, sizeof err, "the command line is longer than %d bytes", PT_CMDLINE_MAX - 1);
        if (kernel_process_state(t->proc) == PROC_RUNNABLE)
            pt_kill(c, "exec: %s", err);   /* PintOS: a failed load ends the process with -1 */
        return PT_NORESULT;
    }
    c->s->counts.execs++;
    return PT_NORESULT;
}

int64_t pt_sys_wait(struct pt_call *c)
{
    struct task *t = c->t;
    int pid = arg_int(c, 0);
    if (pid <= 0)
        return -1;
    bool child;
    struct task *z = task_zombie_child(t, pid, &child);
    if (!child)
        return -1;   /* not a direct child, or already waited for */
    if (!z) {
        task_block(t, t, SYS_NO_DEADLINE);   /* the child's end wakes its parent */
        return PT_BLOCKED;
    }
    int status = z->rec.signaled ? -1 : z->rec.code;   /* ended by vmlab itself: as killed */
    task_reap(z);
    return status;
}
