/* write.c — write(fd, buf, size): to the file from its position, stopping
 * at its end (files do not grow); to fd 1 the console, at once and whole;
 * writing fd 0 fails; a bad buffer or descriptor kills. */
#include "common.h"

static char console[8 * 1200];

int main(int argc, char *argv[])
{
    test_name = "write";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "normal")) {
        int fd = open_or_fail("sample.txt");
        CHECK(write(fd, sample_text, sample_size) == (int)sample_size, "write sample.txt's own bytes");
    } else if (!strcmp(m, "zero")) {
        int fd = open_or_fail("sample.txt");
        CHECK(write(fd, sample_text, 0) == 0, "a 0-byte write returns 0");
    } else if (!strcmp(m, "bound")) {
        CHECK(create("out", 338), "create out, 338 bytes");
        int fd = open_or_fail("out");
        char *b = boundary_area(sample_size);
        memcpy(b, sample_text, sample_size);
        CHECK(write(fd, b, sample_size) == (int)sample_size, "write from a buffer across a page boundary");
        close(fd);
        check_file("out", sample_text, sample_size);
        msg("out holds what was written");
    } else if (!strcmp(m, "no-grow")) {
        CHECK(create("small", 10), "create small, 10 bytes");
        int fd = open_or_fail("small");
        CHECK(write(fd, sample_text, 20) == 10, "write 20 bytes: 10 are written");
        CHECK(write(fd, sample_text, 20) == 0, "write at its end: 0");
        CHECK(filesize(fd) == 10, "the file is still 10 bytes");
        seek(fd, 1000);
        CHECK(write(fd, sample_text, 5) == 0, "write past its end: 0");
        CHECK(filesize(fd) == 10, "still 10 bytes");
        close(fd);
        check_file("small", sample_text, 10);
        msg("small holds the first 10 bytes written");
    } else if (!strcmp(m, "stdin")) {
        CHECK(write(STDIN_FILENO, sample_text, 10) == -1, "write to fd 0 (the keyboard) fails");
    } else if (!strcmp(m, "console")) {
        for (int l = 0; l < 8; l++) {
            memset(console + l * 1200, 'a' + l, 1199);
            console[l * 1200 + 1199] = '\n';
        }
        int n = write(STDOUT_FILENO, console, sizeof console);
        CHECK(n == (int)sizeof console, "one write of %d bytes to the console", (int)sizeof console);
    } else if (!strcmp(m, "bad-fd")) {
        msg("write(7, buf, 10), fd 7 never opened");
        write(7, sample_text, 10);
        fail("should have been killed");
    } else if (!strcmp(m, "bad-ptr")) {
        int fd = open_or_fail("sample.txt");
        msg("write from 0x10123420");
        write(fd, opaque(0x10123420), 123);
        fail("should have been killed");
    } else if (!strcmp(m, "console-bad")) {
        /* the console write is checked whole before any of it is printed */
        char *p = opaque(USER_STACK - 16);
        msg("write 64 bytes to the console from 16 below USER_STACK");
        write(STDOUT_FILENO, p, 64);
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
