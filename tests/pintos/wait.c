/* wait.c — wait(pid): a direct child's exit status, once; -1 for a child
 * the kernel killed, for a pid that is no child, for one already waited. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "wait";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "simple")) {
        pid_t pid = fork("child");
        if (pid == 0)
            exit(5);
        msg("wait: %d", wait(pid));
    } else if (!strcmp(m, "twice")) {
        pid_t pid = fork_exec("child-simple", "child-simple");
        msg("wait: %d", wait(pid));
        msg("wait again: %d", wait(pid));
    } else if (!strcmp(m, "killed")) {
        msg("wait for child-bad: %d", wait(fork_exec("child-bad", "child-bad")));
    } else if (!strcmp(m, "bad-pid")) {
        msg("wait(12345): %d", wait(12345));
        msg("wait(0): %d", wait(0));
        msg("wait(-1): %d", wait(-1));
    } else if (!strcmp(m, "grandchild")) {
        CHECK(create("gpid", sizeof(pid_t)), "create gpid");
        pid_t pid = fork("child");
        if (pid == 0) {
            pid_t g = fork("grandchild");
            if (g == 0)
                exit(3);
            int fd = open_or_fail("gpid");
            write(fd, &g, sizeof g);   /* the grandchild's pid, for the parent */
            exit(2);
        }
        wait(pid);
        pid_t g = 0;
        int fd = open_or_fail("gpid");
        CHECK(read(fd, &g, sizeof g) == sizeof g && g > 0 && g != pid,
              "the child wrote its own child's pid");
        msg("wait for the grandchild (not a child): %d", wait(g));
    } else if (!strcmp(m, "no-wait")) {
        /* the children go on after the parent ends */
        for (int i = 0; i < 3; i++) {
            char name[16];
            snprintf(name, sizeof name, "orphan-%d", i);
            if (fork(name) == 0) {
                test_name = name;
                msg("still running");
                exit(i);
            }
        }
        msg("leaving without waiting");
    } else if (!strcmp(m, "many")) {
        pid_t pid[5];
        for (int i = 0; i < 5; i++) {
            char name[16];
            snprintf(name, sizeof name, "child-%d", i);
            if ((pid[i] = fork(name)) == 0)
                exit(10 + i);
        }
        int sum = 0;
        for (int i = 5; i-- > 0;)
            sum += wait(pid[i]);
        msg("the five children's statuses add up to %d", sum);
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
