/* mmap.c — PintOS's mmap(addr, length, writable, fd, offset) and
 * munmap(addr): argument checks (0 for a bad one, a bad descriptor kills),
 * lazy pages, write-back of dirty pages only, zeros past end of file never
 * written back, mappings that outlive their descriptor and their name. */
#include "common.h"

#define A ((char *)0x10000000)

static int data_word = 5;
static char bss_page[PGSIZE] __attribute__((aligned(4096)));

/* A file of `pages` pages, byte i = 'a' + i % 23. */
static int make_file(const char *name, unsigned size)
{
    static char buf[PGSIZE];
    CHECK(create(name, size), "create %s, %u bytes", name, size);
    int fd = open_or_fail(name);
    for (unsigned at = 0; at < size; at += PGSIZE) {
        unsigned n = size - at < PGSIZE ? size - at : PGSIZE;
        for (unsigned i = 0; i < n; i++)
            buf[i] = (char)('a' + (at + i) % 23);
        write(fd, buf, n);
    }
    seek(fd, 0);
    return fd;
}

static bool pattern_at(const char *p, unsigned from, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i] != (char)('a' + (from + i) % 23))
            return false;
    return true;
}

static bool zero(const char *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int main(int argc, char *argv[])
{
    test_name = "mmap";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "read")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, sample_size, 0, fd, 0) == A, "mmap sample.txt");
        CHECK(!memcmp(A, sample_text, sample_size), "the mapping holds the file's bytes");
        CHECK(zero(A + sample_size, PGSIZE - sample_size), "the rest of the page is zero");
        munmap(A);
    } else if (!strcmp(m, "write")) {
        int fd = make_file("out", 2 * PGSIZE);
        CHECK(mmap(A, 2 * PGSIZE, 1, fd, 0) == A, "mmap out, writable");
        memcpy(A + PGSIZE - 100, sample_text, sample_size);
        munmap(A);
        msg("write sample.txt's text across its page boundary, munmap");
        char buf[400];
        seek(fd, PGSIZE - 100);
        CHECK(read(fd, buf, sample_size) == (int)sample_size && !memcmp(buf, sample_text, sample_size),
              "read() finds the text in the file");
    } else if (!strcmp(m, "close")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, sample_size, 0, fd, 0) == A, "mmap sample.txt");
        close(fd);
        CHECK(!memcmp(A, sample_text, sample_size), "after close(), the mapping still reads the file");
    } else if (!strcmp(m, "remove")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, sample_size, 0, fd, 0) == A, "mmap sample.txt");
        close(fd);
        CHECK(remove("sample.txt"), "remove sample.txt");
        CHECK(open("sample.txt") == -1, "it cannot be opened");
        CHECK(!memcmp(A, sample_text, sample_size), "the mapping still reads it");
    } else if (!strcmp(m, "unmap")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, sample_size, 0, fd, 0) == A, "mmap sample.txt");
        munmap(A);
        msg("munmap, then read the mapping");
        volatile char c = *(volatile char *)opaque((uintptr_t)A);
        (void)c;
        fail("should have been killed");
    } else if (!strcmp(m, "args")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(NULL, PGSIZE, 0, fd, 0) == MAP_FAILED, "addr 0: fails");
        CHECK(mmap(A + 1, PGSIZE, 0, fd, 0) == MAP_FAILED, "addr not page-aligned: fails");
        CHECK(mmap(A, 0, 0, fd, 0) == MAP_FAILED, "length 0: fails");
        CHECK(mmap(A, PGSIZE, 0, fd, 100) == MAP_FAILED, "offset not page-aligned: fails");
        CHECK(mmap(A, PGSIZE, 0, fd, -4096) == MAP_FAILED, "a negative offset: fails");
        CHECK(mmap(A, PGSIZE, 0, 0, 0) == MAP_FAILED, "fd 0: fails");
        CHECK(mmap(A, PGSIZE, 0, 1, 0) == MAP_FAILED, "fd 1: fails");
        CHECK(create("empty", 0), "create empty");
        CHECK(mmap(A, PGSIZE, 0, open_or_fail("empty"), 0) == MAP_FAILED, "an empty file: fails");
        CHECK(mmap(A, PGSIZE, 0, fd, 0) == A, "and right: succeeds");
    } else if (!strcmp(m, "bad-fd")) {
        msg("mmap of fd 20, never opened");
        mmap(A, PGSIZE, 0, 20, 0);
        fail("should have been killed");
    } else if (!strcmp(m, "overlap")) {
        int fd = open_or_fail("sample.txt");
        CHECK(create("pages", 3 * PGSIZE), "create pages, 3 pages");
        int big = open_or_fail("pages");
        CHECK(mmap(A, 3 * PGSIZE, 0, big, 0) == A, "mmap pages at A");
        CHECK(mmap(A + PGSIZE, PGSIZE, 0, fd, 0) == MAP_FAILED, "mmap over its second page: fails");
        CHECK(mmap(A - PGSIZE, 2 * PGSIZE, 0, fd, 0) == MAP_FAILED, "mmap over its first page from below: fails");
        CHECK(mmap(A + 3 * PGSIZE, PGSIZE, 0, fd, 0) == A + 3 * PGSIZE, "mmap right after it: succeeds");
        uintptr_t code = pg_round_down((void *)main), data = pg_round_down(&data_word);
        CHECK(mmap((void *)code, PGSIZE, 0, fd, 0) == MAP_FAILED, "mmap over the code: fails");
        CHECK(mmap((void *)data, PGSIZE, 0, fd, 0) == MAP_FAILED, "mmap over the data: fails");
        CHECK(mmap(bss_page, PGSIZE, 0, fd, 0) == MAP_FAILED, "mmap over bss never touched: fails");
        CHECK(mmap((void *)(USER_STACK - PGSIZE), PGSIZE, 0, fd, 0) == MAP_FAILED,
              "mmap over the stack's page: fails");
        CHECK(mmap((void *)(USER_STACK - 64 * PGSIZE), PGSIZE, 0, fd, 0) == (void *)(USER_STACK - 64 * PGSIZE),
              "mmap 64 pages below the stack's top (nothing there yet): succeeds");
    } else if (!strcmp(m, "kernel")) {
        int fd = open_or_fail("sample.txt");
        char *top = (char *)(KERN_BASE - PGSIZE);
        CHECK(mmap(top, 2 * PGSIZE, 0, fd, 0) == MAP_FAILED, "a range reaching KERN_BASE: fails");
        CHECK(mmap((void *)KERN_BASE, PGSIZE, 0, fd, 0) == MAP_FAILED, "at KERN_BASE: fails");
        CHECK(mmap((void *)0x7ffff000, (size_t)-0x10000, 0, fd, 0) == MAP_FAILED, "a range that wraps: fails");
        CHECK(mmap(top, PGSIZE, 0, fd, 0) == top, "the last page below KERN_BASE: succeeds");
        CHECK(!memcmp(top, sample_text, sample_size), "and reads the file");
    } else if (!strcmp(m, "twice")) {
        int fd = open_or_fail("sample.txt");
        char *b = A + 16 * PGSIZE;
        CHECK(mmap(A, sample_size, 1, fd, 0) == A && mmap(b, sample_size, 1, fd, 0) == b,
              "mmap sample.txt twice");
        A[0] = '#';
        CHECK(b[0] == '#', "a write through one is seen through the other");
        A[0] = 'E';
    } else if (!strcmp(m, "offset")) {
        int fd = make_file("pages", 3 * PGSIZE);
        CHECK(mmap(A, PGSIZE, 0, fd, PGSIZE) == A, "mmap page 1 of pages");
        CHECK(pattern_at(A, PGSIZE, PGSIZE), "it holds bytes 4096..8191");
    } else if (!strcmp(m, "tail")) {
        int fd = make_file("tail", 5000);
        CHECK(mmap(A, 2 * PGSIZE, 1, fd, 0) == A, "mmap tail (5000 bytes), 2 pages, writable");
        CHECK(pattern_at(A, 0, 5000) && zero(A + 5000, 2 * PGSIZE - 5000),
              "bytes 0..4999 are the file's, 5000..8191 zero");
        A[4999] = 'Y';
        A[6000] = 'X';
        munmap(A);
        msg("write bytes 4999 and 6000, munmap");
        CHECK(filesize(fd) == 5000, "the file still has 5000 bytes");
        char c = 0;
        seek(fd, 4999);
        CHECK(read(fd, &c, 1) == 1 && c == 'Y', "byte 4999 was written back");
        CHECK(mmap(A, 2 * PGSIZE, 1, fd, 0) == A && A[6000] == 0, "mapped again, byte 6000 is zero");
    } else if (!strcmp(m, "beyond")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, 3 * PGSIZE, 0, fd, 0) == A, "mmap sample.txt, 3 pages long");
        CHECK(zero(A + PGSIZE, 2 * PGSIZE), "the pages past its end read zero");
    } else if (!strcmp(m, "clean")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, sample_size, 1, fd, 0) == A, "mmap sample.txt, writable");
        CHECK(!memcmp(A, sample_text, sample_size), "read it all");
        munmap(A);
        msg("munmap: nothing was written, nothing is written back");
    } else if (!strcmp(m, "dirty")) {
        int fd = make_file("pages", 4 * PGSIZE);
        CHECK(mmap(A, 4 * PGSIZE, 1, fd, 0) == A, "mmap pages, 4 pages, writable");
        CHECK(pattern_at(A, 0, 4 * PGSIZE), "read all four");
        A[2 * PGSIZE + 7] = '!';
        munmap(A);
        msg("write one byte of page 2, munmap: that page alone is written back");
        char c;
        seek(fd, 2 * PGSIZE + 7);
        CHECK(read(fd, &c, 1) == 1 && c == '!', "the file has it");
    } else if (!strcmp(m, "exit")) {
        int fd = make_file("out", PGSIZE);
        pid_t pid = fork("child");
        if (pid == 0) {
            char *p = mmap(A, PGSIZE, 1, fd, 0);
            memcpy(p, "written by the child", 20);
            exit(0);   /* no munmap: the exit writes it back */
        }
        wait(pid);
        char buf[20];
        seek(fd, 0);
        CHECK(read(fd, buf, 20) == 20 && !memcmp(buf, "written by the child", 20),
              "once wait returns, the child's mapping is written back");
    } else if (!strcmp(m, "read-only")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, sample_size, 0, fd, 0) == A, "mmap sample.txt, read-only");
        msg("write to it");
        *(volatile char *)opaque((uintptr_t)A) = 'x';
        fail("should have been killed");
    } else if (!strcmp(m, "fork")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, sample_size, 1, fd, 0) == A, "mmap sample.txt, writable");
        pid_t pid = fork("child");
        if (pid == 0) {
            CHECK(!memcmp(A, sample_text, sample_size), "the child has the mapping");
            A[0] = '#';
            exit(0);
        }
        wait(pid);
        CHECK(A[0] == '#', "the child's write is seen by the parent (a shared mapping)");
        A[0] = 'E';
    } else if (!strcmp(m, "exec")) {
        int fd = open_or_fail("sample.txt");
        CHECK(mmap(A, sample_size, 0, fd, 0) == A, "mmap sample.txt");
        msg("wait for child-touch: %d", wait(fork_exec("child-touch", "child-touch 0x10000000")));
    } else if (!strcmp(m, "top")) {
        /* where user space ends: KERN_BASE under sv48, 2^38 under sv39 */
        int fd = open_or_fail("sample.txt");
        char *below = (char *)0x3ffffff000ul, *above = (char *)0x4000000000ul;
        msg("mmap at 0x3ffffff000: %s", mmap(below, PGSIZE, 0, fd, 0) == below ? "succeeds" : "fails");
        msg("mmap at 0x4000000000: %s", mmap(above, PGSIZE, 0, fd, 0) == above ? "succeeds" : "fails");
        msg("mmap at KERN_BASE - 4096: %s",
            mmap((void *)(KERN_BASE - PGSIZE), PGSIZE, 0, fd, 0) == (void *)(KERN_BASE - PGSIZE) ? "succeeds"
                                                                                               : "fails");
    } else if (!strcmp(m, "munmap-bad")) {
        munmap(A);
        munmap((void *)0x12345);
        msg("munmap of addresses that are no mappings does nothing");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
