/* child-rox.c — child-rox DEPTH: its own executable cannot be written while
 * it runs (write returns 0); with DEPTH > 1 it runs another child-rox
 * first. Exits 12. */
#include "common.h"

static void try_write(const char *what)
{
    char buf[16];
    int fd = open_or_fail("child-rox");
    CHECK(read(fd, buf, sizeof buf) == (int)sizeof buf, "read \"child-rox\"");
    seek(fd, 0);
    CHECK(write(fd, buf, sizeof buf) == 0, "try to write \"child-rox\"%s", what);
    close(fd);
}

int main(int argc, char *argv[])
{
    test_name = "child-rox";
    int depth = argc > 1 ? atoi(argv[1]) : 1;
    msg("begin %d", depth);
    try_write("");
    if (depth > 1) {
        char cmd[32];
        snprintf(cmd, sizeof cmd, "child-rox %d", depth - 1);
        wait_for(fork_exec("child-rox", cmd), 12);
        try_write(" again");
    }
    msg("end %d", depth);
    return 12;
}
