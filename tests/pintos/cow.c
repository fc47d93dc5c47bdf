/* cow.c — copy-on-write fork seen through get_phys_addr.
 *   cow simple   the child maps its parent's frames until it writes one;
 *                then that page alone gets a frame of its own; the parent
 *                keeps its frames and its data
 *   cow tree D   a binary tree of processes D levels deep: each child
 *                finds every page shared with its parent, writes one page
 *                (which alone is copied), and passes the rest on; the
 *                parents' frames and data never change
 *   cow data D   the same tree checking contents only (under memory
 *                pressure, where eviction moves pages between frames) */
#include "common.h"

static char large[4 * PGSIZE] __attribute__((aligned(4096))) = "Hello";
static char pages[8][PGSIZE] __attribute__((aligned(4096)));
static uint64_t pa_parent[8];
static bool check_frames;
static int depth;

static int simple(void)
{
    /* a stack page holding nothing but part of this array: nothing else
     * on the stack is written there after fork */
    volatile char frame[3 * PGSIZE];
    volatile char *on_stack = (volatile char *)((pg_round_down((void *)frame) + 2 * PGSIZE));
    memcpy((void *)on_stack, "stack", 6);
    const char *hello = "Hello";
    CHECK(!memcmp(large, hello, 5), "check data consistency");
    uint64_t pa_data = get_phys_addr(large), pa_stack = get_phys_addr((void *)on_stack);
    pid_t pid = fork("child");
    if (pid == 0) {
        CHECK(!memcmp(large, hello, 5), "the child: check data consistency");
        CHECK(get_phys_addr(large) == pa_data, "the child: the data page is the parent's frame");
        CHECK(get_phys_addr((void *)on_stack) == pa_stack, "the child: so is a stack page");
        large[0] = '@';
        CHECK(memcmp(large, hello, 5) != 0, "the child: check data change");
        CHECK(get_phys_addr(large) != pa_data, "the child: its write gave it a frame of its own");
        CHECK(get_phys_addr((void *)on_stack) == pa_stack, "the child: the stack page is still shared");
        on_stack[0] = 'S';
        CHECK(get_phys_addr((void *)on_stack) != pa_stack, "the child: and copied once written");
        exit(0);
    }
    wait(pid);
    CHECK(get_phys_addr(large) == pa_data && get_phys_addr((void *)on_stack) == pa_stack,
          "the parent keeps its frames");
    CHECK(!memcmp(large, hello, 5) && on_stack[0] == 's', "and its data");
    return 0;
}

/* The byte a node at `level` with path `id` writes into its page. */
static char mark(int level, int id)
{
    return (char)('A' + (level * 7 + id) % 26);
}

/* A child at level `level` (1 ..), path id, of a parent whose frames are
 * in pa_parent: the checks; the number of those that failed. */
static int child_checks(int level, int id)
{
    int bad = 0;
    for (int k = 0; k < 8; k++)
        if (check_frames && get_phys_addr(pages[k]) != pa_parent[k])
            bad++;   /* every page still the parent's frame */
    /* every ancestor's mark is there: the parent at level-1 wrote
     * page (id/2)%8 at offset level-1, and so on up */
    for (int l = level - 1, a = id / 2; l >= 1; l--, a /= 2)
        if (pages[a % 8][l] != mark(l, a))
            bad++;
    int slot = id % 8;
    pages[slot][level] = mark(level, id);
    for (int k = 0; k < 8; k++)
        if (check_frames && (get_phys_addr(pages[k]) == pa_parent[k]) != (k != slot))
            bad++;   /* the page written has a frame of its own, the others not */
    return bad;
}

static int node(int level, int id)
{
    char saved[8][16];
    for (int k = 0; k < 8; k++) {
        pa_parent[k] = get_phys_addr(pages[k]);
        memcpy(saved[k], pages[k], 16);
    }
    pid_t pid[2];
    for (int b = 0; b < 2; b++) {
        char name[16];
        int cid = id * 2 + b;
        snprintf(name, sizeof name, "n%d-%d", level + 1, cid);
        if ((pid[b] = fork(name)) == 0) {
            int bad = child_checks(level + 1, cid);
            if (level + 1 < depth)
                bad += node(level + 1, cid);
            exit(bad);
        }
    }
    int bad = 0;
    for (int b = 0; b < 2; b++) {
        int st = wait(pid[b]);
        bad += st < 0 ? 1000 : st;   /* killed: as bad as it gets */
    }
    for (int k = 0; k < 8; k++) {
        if (check_frames && get_phys_addr(pages[k]) != pa_parent[k])
            bad++;   /* the parent kept its frames */
        if (memcmp(saved[k], pages[k], 16))
            bad++;   /* and its data */
    }
    return bad;
}

int main(int argc, char *argv[])
{
    test_name = "cow";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "simple")) {
        simple();
    } else if (!strcmp(m, "tree") || !strcmp(m, "data")) {
        depth = argc > 2 ? atoi(argv[2]) : 3;
        check_frames = !strcmp(m, "tree");
        for (int k = 0; k < 8; k++)
            memset(pages[k], '.', PGSIZE);
        int bad = node(0, 0);
        CHECK(bad == 0, "a tree of %d processes below this one: %d checks failed", (2 << depth) - 2, bad);
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
