/* read.c — read(fd, buf, size): the bytes of the file from its position,
 * fewer at end of file; reading fd 1 fails; a bad buffer (unmapped, kernel,
 * read-only: the code or its constants) or a bad descriptor kills. */
#include "common.h"

static char big[3 * PGSIZE];   /* untouched bss: the read faults it in */

int main(int argc, char *argv[])
{
    test_name = "read";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    char buf[512];
    if (!strcmp(m, "normal")) {
        int fd = open_or_fail("sample.txt");
        CHECK(read(fd, buf, sample_size) == (int)sample_size, "read all of sample.txt");
        CHECK(!memcmp(buf, sample_text, sample_size), "the bytes are the file's");
    } else if (!strcmp(m, "zero")) {
        int fd = open_or_fail("sample.txt");
        buf[0] = '&';
        CHECK(read(fd, buf, 0) == 0, "a 0-byte read returns 0");
        CHECK(buf[0] == '&', "and writes nothing");
    } else if (!strcmp(m, "bound")) {
        int fd = open_or_fail("sample.txt");
        char *b = boundary_area(sample_size);
        CHECK(read(fd, b, sample_size) == (int)sample_size, "read into a buffer across a page boundary");
        CHECK(!memcmp(b, sample_text, sample_size), "the bytes are the file's");
    } else if (!strcmp(m, "lazy")) {
        int fd = open_or_fail("sample.txt");
        char *b = big + PGSIZE - 100;
        CHECK(read(fd, b, sample_size) == (int)sample_size, "read into untouched bss");
        CHECK(!memcmp(b, sample_text, sample_size), "the bytes are the file's");
    } else if (!strcmp(m, "eof")) {
        int fd = open_or_fail("sample.txt");
        seek(fd, 1000);
        CHECK(read(fd, buf, 10) == 0, "read past the end: 0 bytes");
        seek(fd, sample_size - 10);
        CHECK(read(fd, buf, 100) == 10, "read 100 with 10 left: 10 bytes");
        CHECK(!memcmp(buf, sample_text + sample_size - 10, 10), "the last 10 bytes");
        CHECK(read(fd, buf, 100) == 0, "then 0");
    } else if (!strcmp(m, "stdout")) {
        CHECK(read(STDOUT_FILENO, buf, 10) == -1, "read from fd 1 (the console) fails");
    } else if (!strcmp(m, "stdin")) {
        CHECK(read(STDIN_FILENO, buf, 20) == 20, "read 20 bytes from the keyboard");
        CHECK(!memcmp(buf, sample_text, 20), "the first 20 bytes of standard input");
        CHECK(read(STDIN_FILENO, buf, sizeof buf) == (int)sample_size - 20, "the rest, up to its end");
        CHECK(read(STDIN_FILENO, buf, 10) == 0, "then 0");
    } else if (!strcmp(m, "bad-fd")) {
        msg("read(5, buf, 10), fd 5 never opened");
        read(5, buf, 10);
        fail("should have been killed");
    } else if (!strcmp(m, "bad-ptr")) {
        int fd = open_or_fail("sample.txt");
        msg("read into 0xc0100000");
        read(fd, opaque(0xc0100000), 123);
        fail("should have been killed");
    } else if (!strcmp(m, "kernel")) {
        int fd = open_or_fail("sample.txt");
        msg("read into KERN_BASE");
        read(fd, opaque(KERN_BASE), 123);
        fail("should have been killed");
    } else if (!strcmp(m, "code")) {
        int fd = open_or_fail("sample.txt");
        msg("read into the code of main");
        read(fd, opaque((uintptr_t)main), 10);
        fail("should have been killed");
    } else if (!strcmp(m, "rodata")) {
        int fd = open_or_fail("sample.txt");
        msg("read into a constant string");
        read(fd, opaque((uintptr_t)sample_text), 10);
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
