/* test.h — helpers for PintOS-style test programs: every line a test
 * prints is "(NAME) text", NAME being test_name (argv[0] by default).
 *
 *   msg("opened %d", fd)     prints "(NAME) opened 3"
 *   fail("bad %d", x)        prints "(NAME) FAIL: bad 7" and exits with 1
 *   CHECK(ok, "open")        prints "(NAME) open", then fails with the same
 *                            text if ok is false
 *
 * Each line is one write(1, ...), so lines of processes running at once
 * never mix. With quiet set, msg prints nothing (fail still does).
 *
 * A program that defines test_main() and no main() gets this main:
 * test_name = argv[0], "begin", test_main(), "end", exit status 0. */
#ifndef PINTOS_TEST_H
#define PINTOS_TEST_H

#include <stdbool.h>
#include <stddef.h>

#include "debug.h"
#include "syscall.h"

extern const char *test_name;
extern bool quiet;

void msg(const char *fmt, ...) PRINTF_FORMAT(1, 2);
void fail(const char *fmt, ...) PRINTF_FORMAT(1, 2) NO_RETURN;
void test_main(void);

#define CHECK(SUCCESS, ...)          \
    do {                             \
        msg(__VA_ARGS__);            \
        if (!(SUCCESS))              \
            fail(__VA_ARGS__);       \
    } while (0)

/* fork, and in the child exec cmd_line: the child's pid (or fail). */
pid_t fork_exec(const char *name, const char *cmd_line);
/* wait for pid, and fail unless its status is `status`. */
void wait_for(pid_t pid, int status);

#endif
