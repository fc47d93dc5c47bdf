/* forktree.c — a tree of processes: each node of depth d > 0 forks W
 * children, the first half one after the other (fork, wait), the rest all
 * at once (fork them all, then reap them in any order with wait); a child
 * at an odd depth re-executes the program (/proc/self/exe) for its subtree
 * (mode "exec", the default; mode "fork" computes the same tree without
 * exec, for qemu-user, which cannot exec a RISC-V program without binfmt).
 * Every leaf does a little work and exits with a code from it; every node
 * exits with the sum of its children's codes (mod 64), and the root
 * prints the tree's total. `forktree D W [exec|fork]` (default 3 3 exec). */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

static char self[4096];
static int use_exec = 1;

static int leaf(int id)
{
    uint64_t h = (uint64_t)id;
    for (int i = 0; i < 20000; i++)
        h = mix(h, (uint64_t)i);
    return (int)(h % 61);
}

static int node(int depth, int width, int id);

static pid_t spawn(int depth, int width, int id)
{
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid)
        return pid;
    if (depth % 2 && use_exec) {
        char d[16], w[16], i[16];
        snprintf(d, sizeof d, "%d", depth);
        snprintf(w, sizeof w, "%d", width);
        snprintf(i, sizeof i, "%d", id);
        execl(self, "forktree", d, w, "exec", i, (char *)NULL);
        _exit(99);   /* exec failed */
    }
    _exit(node(depth, width, id));
}

static int code_of(int status)
{
    CHECK(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int node(int depth, int width, int id)
{
    if (depth == 0)
        return leaf(id);
    int sum = 0, half = width / 2, status;
    for (int k = 0; k < half; k++) {
        pid_t pid = spawn(depth - 1, width, id * width + k);
        CHECK(waitpid(pid, &status, 0) == pid);
        sum += code_of(status);
    }
    pid_t kids[64];
    for (int k = half; k < width; k++)
        kids[k] = spawn(depth - 1, width, id * width + k);
    for (int k = half; k < width; k++) {
        pid_t pid = wait(&status);
        int found = 0;
        for (int j = half; j < width; j++)
            found |= kids[j] == pid;
        CHECK(found);
        sum += code_of(status);
    }
    CHECK(wait(&status) == -1);   /* no child left: ECHILD */
    return sum % 64;
}

int main(int argc, char **argv)
{
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    CHECK(n > 0);
    self[n] = 0;
    int depth = (int)arg(argc, argv, 1, 3), width = (int)arg(argc, argv, 2, 3);
    use_exec = argc <= 3 || strcmp(argv[3], "fork");
    if (argc > 4)   /* a re-executed subtree */
        return node(depth, width, (int)arg(argc, argv, 4, 0));
    int total = node(depth, width, 1);
    printf("tree of depth %d and width %d: %d\n", depth, width, total);
    return 0;
}
