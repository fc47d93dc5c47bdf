/* remove.c — remove(name) deletes a file; false for a missing one; an open
 * file stays readable through its descriptors, and its name is free. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "remove";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "normal")) {
        CHECK(create("tmp", 10), "create tmp");
        CHECK(remove("tmp"), "remove tmp");
        CHECK(open("tmp") == -1, "open tmp fails");
        CHECK(!remove("tmp"), "remove tmp again fails");
    } else if (!strcmp(m, "missing")) {
        CHECK(!remove("no-such-file"), "remove no-such-file fails");
        CHECK(!remove(""), "remove \"\" fails");
        CHECK(!remove("../fs"), "remove \"../fs\" fails");
        CHECK(!remove("subdir"), "remove \"subdir\" (a directory) fails");
    } else if (!strcmp(m, "open")) {
        int fd = open_or_fail("sample.txt");
        CHECK(remove("sample.txt"), "remove sample.txt while it is open");
        CHECK(open("sample.txt") == -1, "open sample.txt fails now");
        char buf[400];
        CHECK(filesize(fd) == (int)sample_size, "the open descriptor still has %u bytes", sample_size);
        CHECK(read(fd, buf, sizeof buf) == (int)sample_size && !memcmp(buf, sample_text, sample_size),
              "and reads them");
        CHECK(create("sample.txt", 5), "create a new sample.txt, 5 bytes");
        CHECK(filesize(open_or_fail("sample.txt")) == 5, "the new one has 5 bytes");
        CHECK(filesize(fd) == (int)sample_size, "the old descriptor still %u", sample_size);
    } else if (!strcmp(m, "null")) {
        msg("remove(NULL)");
        remove(NULL);
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
