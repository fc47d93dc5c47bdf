/* par-print.c — par-print N LINES: N children on as many CPUs print LINES
 * lines each at the same time; every line comes out whole. */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "par-print";
    msg("begin");
    int n = argc > 1 ? atoi(argv[1]) : 4, lines = argc > 2 ? atoi(argv[2]) : 20;
    pid_t pid[16];
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "printer-%d", i);
        if ((pid[i] = fork(name)) == 0) {
            test_name = name;
            for (int l = 0; l < lines; l++)
                msg("line %d of %d: the quick brown fox jumps over the lazy dog", l + 1, lines);
            exit(i);
        }
    }
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += wait(pid[i]);
    msg("statuses add up to %d", sum);
    msg("end");
    return 0;
}
