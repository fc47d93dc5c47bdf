/* exec.c — exec(cmdline) replaces the image of the calling process (its
 * name and open files stay); if the load fails the process exits with -1. */
#include "common.h"

static char long_line[4200];

int main(int argc, char *argv[])
{
    test_name = "exec";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "once")) {
        msg("wait for child-simple: %d", wait(fork_exec("child-simple", "child-simple")));
    } else if (!strcmp(m, "args")) {
        /* the fork's name stays the child's after exec: "child-args: exit(0)" */
        msg("wait for args: %d", wait(fork_exec("child-args", "args  a   bb c ")));
    } else if (!strcmp(m, "missing")) {
        msg("exec no-such-file");
        exec("no-such-file");
        fail("exec returned");
    } else if (!strcmp(m, "missing-child")) {
        pid_t pid = fork("child");
        if (pid == 0) {
            exec("no-such-file a b");
            fail("exec returned");
        }
        msg("wait for the child that exec'd no-such-file: %d", wait(pid));
    } else if (!strcmp(m, "not-elf")) {
        msg("exec sample.txt");
        exec("sample.txt");
        fail("exec returned");
    } else if (!strcmp(m, "too-long")) {
        memset(long_line, 'a', sizeof long_line - 1);
        memcpy(long_line, "args ", 5);
        msg("exec a command line of %d bytes", (int)strlen(long_line));
        exec(long_line);
        fail("exec returned");
    } else if (!strcmp(m, "bad-ptr")) {
        msg("exec((char *) 0x20101234)");
        exec(opaque(0x20101234));
        fail("exec returned");
    } else if (!strcmp(m, "keep-fd")) {
        int fd = open_or_fail("sample.txt");
        char buf[10];
        CHECK(read(fd, buf, 10) == 10, "read 10 bytes of sample.txt (fd %d)", fd);
        char cmd[32];
        snprintf(cmd, sizeof cmd, "child-fd %d", fd);
        msg("wait for child-fd: %d", wait(fork_exec("child-fd", cmd)));
        CHECK(tell(fd) == 10, "the parent's sample.txt is still at 10");
    } else if (!strcmp(m, "named") && argc > 2) {
        msg("exec %s", argv[2]);
        exec(argv[2]);
        fail("exec returned");
    } else if (!strcmp(m, "self")) {
        /* exec without fork: this process becomes args, keeps its name */
        msg("exec args x");
        exec("args x");
        fail("exec returned");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
