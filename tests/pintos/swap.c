/* swap.c — swap of anonymous and file pages under small memories.
 *   swap anon MIB      MIB of bss, every word written and read back twice
 *   swap file MIB      a file of MIB mapped, every page rewritten, read back
 *                      through the mapping and then through read()
 *   swap fork N        1 MiB of bss filled, N children at once each reading
 *                      it all (shared copy-on-write, swapped slots shared),
 *                      rewriting its copy and checking it
 *   swap iter PASSES   PASSES passes over 2 MiB of bss, each with its own
 *                      pattern
 *   swap full MIB      a child touching MIB of bss runs out of swap: the
 *                      kernel kills it (exit(-1)), the parent goes on */
#include "common.h"

#define MAXB (8 << 20)
static uint64_t bss[MAXB / 8];

static uint64_t word(uint64_t i, uint64_t pass)
{
    return (i + 1) * 0x9e3779b97f4a7c15ull ^ (pass << 56);
}

static void fill(uint64_t *p, size_t words, uint64_t pass)
{
    for (size_t i = 0; i < words; i++)
        p[i] = word(i, pass);
}

static bool same(const uint64_t *p, size_t words, uint64_t pass)
{
    for (size_t i = 0; i < words; i++)
        if (p[i] != word(i, pass))
            return false;
    return true;
}

int main(int argc, char *argv[])
{
    test_name = "swap";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    int n = argc > 2 ? atoi(argv[2]) : 1;
    if (!strcmp(m, "anon")) {
        size_t words = (size_t)n * (1 << 20) / 8;
        fill(bss, words, 1);
        msg("write %d MiB of bss", n);
        CHECK(same(bss, words, 1), "read it back");
        CHECK(same(bss, words, 1), "and again");
    } else if (!strcmp(m, "file")) {
        unsigned bytes = (unsigned)n << 20;
        CHECK(create("big", bytes), "create big, %d MiB", n);
        int fd = open_or_fail("big");
        uint64_t *p = mmap(opaque(0x10000000), bytes, 1, fd, 0);
        CHECK(p != MAP_FAILED, "mmap it");
        fill(p, bytes / 8, 2);
        msg("write every word of the mapping");
        CHECK(same(p, bytes / 8, 2), "read the mapping back");
        munmap(p);
        bool good = true;
        for (unsigned at = 0; at < bytes; at += sizeof bss / 8) {
            unsigned len = bytes - at < sizeof bss / 8 ? bytes - at : sizeof bss / 8;
            good &= read(fd, bss, len) == (int)len;
            for (unsigned i = 0; i < len / 8; i++)
                good &= bss[i] == word(at / 8 + i, 2);
        }
        CHECK(good, "munmap, then read() finds every word in the file");
    } else if (!strcmp(m, "fork")) {
        size_t words = (1 << 20) / 8;
        fill(bss, words, 3);
        msg("write 1 MiB of bss, fork %d children", n);
        pid_t pid[8];
        for (int c = 0; c < n; c++) {
            char name[16];
            snprintf(name, sizeof name, "swap-%d", c);
            if ((pid[c] = fork(name)) == 0) {
                bool good = same(bss, words, 3);
                fill(bss, words, 10 + (uint64_t)c);
                good &= same(bss, words, 10 + (uint64_t)c);
                exit(good ? 0 : 1);
            }
        }
        int bad = 0;
        for (int c = 0; c < n; c++)
            bad += wait(pid[c]) != 0;
        CHECK(bad == 0, "every child read the parent's data and rewrote its own copy");
        CHECK(same(bss, words, 3), "the parent's data is intact");
    } else if (!strcmp(m, "iter")) {
        size_t words = (2 << 20) / 8;
        bool good = true;
        for (int pass = 0; pass < n; pass++) {
            fill(bss, words, (uint64_t)pass);
            good &= same(bss, words, (uint64_t)pass);
        }
        CHECK(good, "%d passes over 2 MiB, each read back", n);
    } else if (!strcmp(m, "full")) {
        pid_t pid = fork("hog");
        if (pid == 0) {
            fill(bss, (size_t)n * (1 << 20) / 8, 4);
            exit(0);
        }
        msg("wait for a child that touches %d MiB: %d", n, wait(pid));
        fill(bss, (1 << 20) / 8, 5);
        CHECK(same(bss, (1 << 20) / 8, 5), "the parent can still use 1 MiB");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
