/* test.c — see test.h. */
#include "test.h"

#include <stdarg.h>

#include "stdio.h"
#include "string.h"

const char *test_name = "test";
bool quiet;

/* "(NAME) " PREFIX text "\n" in one write. */
static void vline(const char *prefix, const char *fmt, va_list ap)
{
    char buf[PRINTF_BUFFER];
    int n = snprintf(buf, sizeof buf, "(%s) %s", test_name, prefix);
    if (n < (int)sizeof buf - 1)
        n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    if (n > (int)sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    write(STDOUT_FILENO, buf, (unsigned)n);
}

void msg(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vline("", fmt, ap);
    va_end(ap);
}

void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("FAIL: ", fmt, ap);
    va_end(ap);
    exit(1);
}

pid_t fork_exec(const char *name, const char *cmd_line)
{
    pid_t pid = fork(name);
    if (pid == 0) {
        exec(cmd_line);
        fail("exec \"%s\" returned", cmd_line);
    }
    if (pid < 0)
        fail("fork \"%s\" failed", name);
    return pid;
}

void wait_for(pid_t pid, int status)
{
    int got = wait(pid);
    if (got != status)
        fail("wait for %d: %d, expected %d", pid, got, status);
}

void debug_panic(const char *file, int line, const char *function, const char *message)
{
    printf("User process ABORT at %s:%d in %s(): %s\n", file, line, function, message);
    exit(1);
}
