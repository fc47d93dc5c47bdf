/* trace_command.c — a live trace: a program run under Valgrind's lackey.
 *
 * valgrind --tool=lackey --trace-mem=yes --log-fd=N PROGRAM ARGS...
 * writes every access, and its own messages, to descriptor N: a pipe
 * whose read end becomes an ordinary lackey reader. The program keeps its
 * stdin, stdout and stderr, and no text file is ever written.
 *
 * Failures are told apart like this: if valgrind itself cannot be
 * executed, the child reports errno through a close-on-exec pipe before
 * trace_open_command returns; if valgrind starts but cannot run the
 * program (not found, bad option), it exits before the program's first
 * instruction, so the trace holds no record at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "replay/trace_impl.h"

static pid_t reap(pid_t pid, int *st)
{
    pid_t p;
    while ((p = waitpid(pid, st, 0)) < 0 && errno == EINTR)
        ;
    return p;
}

struct trace_reader *trace_open_command(char *const argv[], const struct trace_options *opt,
                                        char *err, size_t errlen)
{
    if (!argv || !argv[0]) {
        snprintf(err, errlen, "no program to run under valgrind");
        return NULL;
    }
    const char *vg = getenv("VMLAB_VALGRIND");
    if (!vg || !*vg)
        vg = "valgrind";
    size_t argc = 0;
    while (argv[argc])
        argc++;

    int logp[2], statp[2];
    if (pipe2(logp, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return NULL;
    }
    if (pipe2(statp, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        close(logp[0]);
        close(logp[1]);
        return NULL;
    }
    /* Everything the child needs is built before fork. */
    char logfd_arg[32];
    snprintf(logfd_arg, sizeof logfd_arg, "--log-fd=%d", logp[1]);
    char **cargv = calloc(argc + 5, sizeof *cargv);
    char name[256];
    snprintf(name, sizeof name, "valgrind(%s)", argv[0]);
    pid_t pid = cargv ? fork() : -1;
    if (pid == 0) {
        cargv[0] = (char *)vg;
        cargv[1] = "--tool=lackey";
        cargv[2] = "--trace-mem=yes";
        cargv[3] = logfd_arg;
        for (size_t i = 0; i <= argc; i++)
            cargv[4 + i] = argv[i];
        fcntl(logp[1], F_SETFD, 0);   /* the log pipe survives exec */
        execvp(vg, cargv);
        int e = errno;
        ssize_t ignored = write(statp[1], &e, sizeof e);
        (void)ignored;
        _exit(127);
    }
    int fork_errno = errno;
    free(cargv);
    close(logp[1]);
    close(statp[1]);
    if (pid < 0) {
        snprintf(err, errlen, "cannot start valgrind: %s", strerror(fork_errno));
        close(logp[0]);
        close(statp[0]);
        return NULL;
    }
    int child_errno = 0;
    ssize_t n;
    while ((n = read(statp[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR)
        ;
    close(statp[0]);
    if (n > 0) {
        int st;
        reap(pid, &st);
        close(logp[0]);
        snprintf(err, errlen, "cannot run '%s': %s (is Valgrind installed? set VMLAB_VALGRIND "
                 "to its path)", vg, strerror(child_errno));
        return NULL;
    }
    struct trace_options o = {.skip_bad = opt && opt->skip_bad,
                              .name = opt && opt->name ? opt->name : name};
    struct trace_reader *r = trace_open_owned_fd(logp[0], o.name, TRACE_LACKEY, &o, err, errlen);
    if (!r) {
        kill(pid, SIGKILL);
        int st;
        reap(pid, &st);
        return NULL;
    }
    r->is_command = true;
    r->pid = pid;
    return r;
}

int trace_command_finish(struct trace_reader *r)
{
    if (r->reaped)
        return 0;
    if (reap(r->pid, &r->wstatus) < 0) {
        snprintf(r->err, sizeof r->err, "%s: cannot wait for valgrind: %s", r->name,
                 strerror(errno));
        return -1;
    }
    r->reaped = true;
    if (r->records == 0) {
        /* A program runs at least its loader's instructions: no record
         * means valgrind stopped before the program began. */
        if (WIFEXITED(r->wstatus))
            snprintf(r->err, sizeof r->err,
                     "%s: valgrind exited with status %d before running the program "
                     "(see its message above)", r->name, WEXITSTATUS(r->wstatus));
        else
            snprintf(r->err, sizeof r->err, "%s: valgrind was killed by signal %d "
                     "before running the program", r->name,
                     WIFSIGNALED(r->wstatus) ? WTERMSIG(r->wstatus) : 0);
        return -1;
    }
    return 0;
}

void trace_command_kill(struct trace_reader *r)
{
    if (r->reaped)
        return;
    /* Closing early: the program has no reader left, stop it. */
    kill(r->pid, SIGKILL);
    reap(r->pid, &r->wstatus);
    r->reaped = true;
}
