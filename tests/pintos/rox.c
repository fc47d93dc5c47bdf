/* rox.c — an executable cannot be written while a process runs it: write
 * returns 0; once no process runs it, it can. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "rox";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    char buf[16];
    if (!strcmp(m, "simple")) {
        int fd = open_or_fail("rox");
        CHECK(read(fd, buf, sizeof buf) == (int)sizeof buf, "read \"rox\"");
        seek(fd, 0);
        CHECK(write(fd, buf, sizeof buf) == 0, "try to write \"rox\"");
    } else if (!strcmp(m, "child") || !strcmp(m, "multichild")) {
        int fd = open_or_fail("child-rox");
        CHECK(read(fd, buf, sizeof buf) == (int)sizeof buf, "read \"child-rox\"");
        seek(fd, 0);
        CHECK(write(fd, buf, sizeof buf) == (int)sizeof buf, "write \"child-rox\"");
        const char *cmd = !strcmp(m, "child") ? "child-rox 1" : "child-rox 3";
        msg("exec \"%s\"", cmd);
        int st = wait(fork_exec("child-rox", cmd));
        CHECK(st == 12, "wait for child");
        seek(fd, 0);
        CHECK(write(fd, buf, sizeof buf) == (int)sizeof buf, "write \"child-rox\"");
    } else if (!strcmp(m, "fork")) {
        /* a forked child runs the same executable: denied for both, as long as either runs */
        pid_t pid = fork("child");
        if (pid == 0) {
            int fd = open_or_fail("rox");
            read(fd, buf, sizeof buf);
            seek(fd, 0);
            CHECK(write(fd, buf, sizeof buf) == 0, "the child: try to write \"rox\"");
            exit(0);
        }
        wait(pid);
        int fd = open_or_fail("rox");
        read(fd, buf, sizeof buf);
        seek(fd, 0);
        CHECK(write(fd, buf, sizeof buf) == 0, "the parent, after the child ended: try to write \"rox\"");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
