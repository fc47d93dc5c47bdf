/* child-fd.c — child-fd FD: descriptor FD, opened before exec, is still
 * open, at the position it had; prints the next 10 bytes of it. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "child-fd";
    int fd = argc > 1 ? atoi(argv[1]) : -1;
    char buf[11] = {0};
    unsigned pos = tell(fd);
    int n = read(fd, buf, 10);
    CHECK(n == 10, "read 10 bytes of fd %d at %u: '%s'", fd, pos, buf);
    return 0;
}
