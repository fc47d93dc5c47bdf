/* seek-tell.c — seek(fd, pos) sets the position, past the end too; tell
 * gives it; reads there return 0; a bad descriptor kills. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "seek-tell";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    char buf[16];
    int fd = open_or_fail("sample.txt");
    if (!strcmp(m, "normal")) {
        CHECK(tell(fd) == 0, "a new descriptor is at 0");
        CHECK(read(fd, buf, 10) == 10 && tell(fd) == 10, "after reading 10 bytes, at 10");
        seek(fd, 100);
        CHECK(tell(fd) == 100, "seek to 100: at 100");
        CHECK(read(fd, buf, 5) == 5 && !memcmp(buf, sample_text + 100, 5), "read there: bytes 100..104");
        seek(fd, 1000000);
        CHECK(tell(fd) == 1000000, "seek past the end, to 1000000: at 1000000");
        CHECK(read(fd, buf, 5) == 0 && tell(fd) == 1000000, "reading there: 0 bytes, still at 1000000");
        seek(fd, 0);
        CHECK(read(fd, buf, 3) == 3 && !memcmp(buf, "Eve", 3), "back to 0: \"Eve\"");
        seek(fd, 0xfffffff0u);
        CHECK(tell(fd) == 0xfffffff0u, "seek to 0xfffffff0 (unsigned): tell says so");
    } else if (!strcmp(m, "bad-seek")) {
        msg("seek(12, 0)");
        seek(12, 0);
        fail("should have been killed");
    } else if (!strcmp(m, "bad-tell")) {
        msg("tell(-1)");
        tell(-1);
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
