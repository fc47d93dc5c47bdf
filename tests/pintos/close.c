/* close.c — close(fd) of an open file; closing one twice, or one never
 * opened, is a bad descriptor and kills; closing 0 and 1 does nothing. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "close";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "normal")) {
        int fd = open_or_fail("sample.txt");
        msg("close sample.txt");
        close(fd);
        int again = open_or_fail("sample.txt");
        CHECK(again == fd, "the lowest free descriptor is reused");
    } else if (!strcmp(m, "twice")) {
        int fd = open_or_fail("sample.txt");
        msg("close sample.txt");
        close(fd);
        msg("close sample.txt again");
        close(fd);
        fail("should have been killed");
    } else if (!strcmp(m, "bad-fd")) {
        msg("close(0x20101234)");
        close(0x20101234);
        fail("should have been killed");
    } else if (!strcmp(m, "stdio")) {
        close(0);
        close(1);
        msg("after close(0) and close(1) the console still prints");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
