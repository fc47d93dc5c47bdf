/* open.c — open(name): a descriptor of 2 or more, a new one each time
 * (with its own position); -1 for a missing file, an empty or bad name, a
 * directory; a bad pointer kills. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "open";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "normal")) {
        int fd = open("sample.txt");
        CHECK(fd > 1, "open sample.txt");
    } else if (!strcmp(m, "missing")) {
        CHECK(open("no-such-file") == -1, "open no-such-file fails");
    } else if (!strcmp(m, "empty")) {
        CHECK(open("") == -1, "open \"\" fails");
    } else if (!strcmp(m, "names")) {
        CHECK(open("../fs/sample.txt") == -1, "open \"../fs/sample.txt\" fails");
        CHECK(open("subdir") == -1, "open \"subdir\" (a directory) fails");
        CHECK(open(".") == -1, "open \".\" fails");
        CHECK(open("sample.txt/") == -1, "open \"sample.txt/\" fails");
    } else if (!strcmp(m, "twice")) {
        int a = open_or_fail("sample.txt"), b = open_or_fail("sample.txt");
        CHECK(a != b, "two opens give two descriptors");
        char x[10], y[5];
        CHECK(read(a, x, 10) == 10, "read 10 bytes through the first");
        CHECK(read(b, y, 5) == 5 && !memcmp(y, sample_text, 5), "the second still reads from 0");
        CHECK(tell(a) == 10 && tell(b) == 5, "positions 10 and 5");
    } else if (!strcmp(m, "many")) {
        int last = 1;
        bool rising = true;
        for (int i = 0; i < 100; i++) {
            int fd = open("sample.txt");
            rising &= fd > last;
            last = fd;
        }
        CHECK(rising, "100 opens: 100 distinct descriptors, each above the last");
    } else if (!strcmp(m, "bound")) {
        CHECK(open(boundary_str("sample.txt")) > 1, "open a name across a page boundary");
    } else if (!strcmp(m, "null")) {
        msg("open(NULL)");
        open(NULL);
        fail("should have been killed");
    } else if (!strcmp(m, "bad-ptr")) {
        msg("open((char *) 0x20101234)");
        open(opaque(0x20101234));
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
