/* filesize.c — filesize(fd) of open files; a bad descriptor kills. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "filesize";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "normal")) {
        int fd = open_or_fail("sample.txt");
        CHECK(filesize(fd) == (int)sample_size, "sample.txt has %u bytes", sample_size);
        CHECK(create("made", 1234), "create made, 1234 bytes");
        CHECK(filesize(open_or_fail("made")) == 1234, "made has 1234 bytes");
    } else if (!strcmp(m, "bad-fd")) {
        msg("filesize(100)");
        filesize(100);
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
