/* page-par.c — page-par N [mm]: parallel children sorting their shares of
 * a buffer. The parent writes 131072 random numbers (512 KiB) to the file
 * "buf", runs N children at once, each sorting its share (child-sort: with
 * read and write; with "mm", child-mm: in a mapping of its share), waits
 * for them all, and checks that every share is sorted and that the
 * numbers are the ones it wrote. */
#include "common.h"

#define COUNT (128 * 1024)
static uint32_t nums[COUNT];

static void sums(const uint32_t *v, size_t n, uint64_t *sum, uint64_t *sq)
{
    *sum = *sq = 0;
    for (size_t i = 0; i < n; i++) {
        *sum += v[i];
        *sq += (uint64_t)v[i] * v[i] >> 8;
    }
}

int main(int argc, char *argv[])
{
    test_name = "page-par";
    msg("begin");
    int n = argc > 1 ? atoi(argv[1]) : 4;
    bool mm = argc > 2 && !strcmp(argv[2], "mm");
    random_init(42);
    for (size_t i = 0; i < COUNT; i++)
        nums[i] = (uint32_t)random_ulong();
    uint64_t sum0, sq0;
    sums(nums, COUNT, &sum0, &sq0);
    CHECK(create("buf", sizeof nums), "create \"buf\", %u bytes", (unsigned)sizeof nums);
    int fd = open_or_fail("buf");
    CHECK(write(fd, nums, sizeof nums) == (int)sizeof nums, "write %d random numbers to it", COUNT);
    close(fd);
    msg("sort its %d shares in %d children at once%s", n, n, mm ? ", each in a mapping" : "");
    pid_t pid[16];
    for (int i = 0; i < n; i++) {
        char name[16], cmd[64];
        snprintf(name, sizeof name, "sort-%d", i);
        snprintf(cmd, sizeof cmd, "%s buf %d %d", mm ? "child-mm" : "child-sort", i, n);
        pid[i] = fork_exec(name, cmd);
    }
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad += wait(pid[i]) != 0;
    CHECK(bad == 0, "every child sorted its share");
    memset(nums, 0, sizeof nums);
    fd = open_or_fail("buf");
    CHECK(read(fd, nums, sizeof nums) == (int)sizeof nums, "read \"buf\" back");
    size_t share = COUNT / (size_t)n;
    bool sorted = true;
    for (size_t i = 1; i < COUNT; i++)
        if (i % share != 0 && nums[i - 1] > nums[i])
            sorted = false;
    CHECK(sorted, "each share is sorted");
    uint64_t sum, sq;
    sums(nums, COUNT, &sum, &sq);
    CHECK(sum == sum0 && sq == sq0, "and the numbers are the ones written");
    msg("end");
    return 0;
}
