/* test_tap_watchdog.c — the TAP library's watchdog turns a hang into a
 * failure of that test, by name, in bounded time.
 *
 * The program runs itself again as "hang" with VMLAB_TEST_TIMEOUT=1: that
 * child passes one check and then waits forever. The watchdog must end it
 * within a few seconds with exit status 1 and a "not ok" line that names
 * the program. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/tap.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "hang")) {
        ok(1, "before the hang");
        for (;;)
            pause();
    }
    char path[] = "/tmp/vmlab-watchdog-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    unlink(path);
    double t0 = now();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        setenv("VMLAB_TEST_TIMEOUT", "1", 1);
        execl("/proc/self/exe", argv[0], "hang", (char *)NULL);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    double took = now() - t0;
    char out[4096] = "";
    ssize_t n = pread(fd, out, sizeof out - 1, 0);
    out[n > 0 ? n : 0] = 0;
    close(fd);
    ok(WIFEXITED(ws) && WEXITSTATUS(ws) == 1, "a hung test exits with status 1 (wait status 0x%x)",
       ws);
    ok(took < 10, "it is stopped within seconds of its limit (%.1f s for a 1 s limit)", took);
    ok(strstr(out, "ok 1 - before the hang\n") != NULL, "its checks before the hang are kept");
    ok(strstr(out, "not ok 2 - watchdog: test_tap_watchdog did not finish in 1 s") != NULL,
       "a failing check names the test and the limit");
    ok(strstr(out, "Bail out!") == NULL, "without stopping prove's other tests");
    if (tap_failed())
        tap_diag("child output: %s", out);
    setenv("VMLAB_TEST_TIMEOUT", "0", 1);
    is_u64(tap_watchdog_seconds(), 0, "VMLAB_TEST_TIMEOUT=0 turns the watchdog off");
    unsetenv("VMLAB_TEST_TIMEOUT");
    setenv("VMLAB_SAN", "tsan", 1);
    is_u64(tap_watchdog_seconds(), 900, "sanitizer builds get 900 s");
    unsetenv("VMLAB_SAN");
    is_u64(tap_watchdog_seconds(), 120, "plain builds get 120 s");
    return tap_done();
}
