/* create.c — create(name, size): a zero-filled file of that size; false if
 * it exists or the name is empty, longer than 14 characters or not a plain
 * name; a bad pointer kills. One mode per run (argv[1]). */
#include "common.h"

static char x511[512];

int main(int argc, char *argv[])
{
    test_name = "create";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "normal")) {
        CHECK(create("quux.dat", 0), "create quux.dat");
        int fd = open_or_fail("quux.dat");
        CHECK(filesize(fd) == 0, "its size is 0");
    } else if (!strcmp(m, "sized")) {
        static char buf[5001];
        CHECK(create("sized.dat", 5000), "create sized.dat, 5000 bytes");
        int fd = open_or_fail("sized.dat");
        CHECK(filesize(fd) == 5000, "its size is 5000");
        memset(buf, 'x', sizeof buf);
        CHECK(read(fd, buf, sizeof buf) == 5000, "read gives 5000 bytes");
        bool zero = true;
        for (int i = 0; i < 5000; i++)
            zero &= buf[i] == 0;
        CHECK(zero, "all of them zero");
    } else if (!strcmp(m, "exists")) {
        CHECK(create("quux.dat", 0), "create quux.dat");
        CHECK(!create("quux.dat", 0), "create quux.dat again fails");
        CHECK(!create("sample.txt", 0), "create sample.txt (there already) fails");
    } else if (!strcmp(m, "empty")) {
        CHECK(!create("", 0), "create \"\" fails");
    } else if (!strcmp(m, "long")) {
        memset(x511, 'x', 511);
        CHECK(!create(x511, 0), "create a 511-character name fails");
    } else if (!strcmp(m, "n14")) {
        CHECK(create("abcdefghijklmn", 0), "create a 14-character name");
        CHECK(!create("abcdefghijklmno", 0), "create a 15-character name fails");
    } else if (!strcmp(m, "names")) {
        CHECK(!create("a/b", 0), "create \"a/b\" fails");
        CHECK(!create("../escape", 0), "create \"../escape\" fails");
        CHECK(!create("..", 0), "create \"..\" fails");
        CHECK(!create(".", 0), "create \".\" fails");
        CHECK(!create("subdir", 0), "create \"subdir\" (a directory) fails");
    } else if (!strcmp(m, "bound")) {
        CHECK(create(boundary_str("quux.dat"), 0), "create a name across a page boundary");
    } else if (!strcmp(m, "null")) {
        msg("create(NULL)");
        create(NULL, 0);
        fail("should have been killed");
    } else if (!strcmp(m, "bad-ptr")) {
        msg("create((char *) 0x20101234)");
        create(opaque(0x20101234), 0);
        fail("should have been killed");
    } else if (!strcmp(m, "kernel")) {
        msg("create((char *) KERN_BASE)");
        create(opaque(KERN_BASE), 0);
        fail("should have been killed");
    } else if (!strcmp(m, "runoff")) {
        /* a name whose bytes run from a mapped page into an unmapped one */
        CHECK(create("page", PGSIZE), "create page, 4096 bytes");
        int fd = open_or_fail("page");
        char *p = mmap(opaque(0x10000000), PGSIZE, 1, fd, 0);
        CHECK(p != MAP_FAILED, "mmap it");
        memset(p + PGSIZE - 100, 'n', 100);
        msg("create a name whose last 100 bytes end the mapping, no NUL");
        create(p + PGSIZE - 100, 0);
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
