/* fork.c — fork(name): the child returns 0, the parent the child's pid
 * once the copy is complete; the address space is copied (copy-on-write)
 * and each open file duplicated: the same position, independent after. */
#include "common.h"

static int global = 1;
static char bss[3 * PGSIZE];

int main(int argc, char *argv[])
{
    test_name = "fork";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "once")) {
        pid_t pid = fork("child");
        if (pid == 0) {
            msg("the child: fork returned 0");
            exit(7);
        }
        int st = wait(pid);
        CHECK(pid > 0 && st == 7, "the parent: fork returned a pid, wait gave %d", st);
    } else if (!strcmp(m, "name")) {
        pid_t pid = fork("abcdefghijklmnopqrstuvwxyz");
        if (pid == 0)
            exit(0);
        msg("wait: %d", wait(pid));
    } else if (!strcmp(m, "memory")) {
        int local = 10;
        bss[PGSIZE] = 'p';
        pid_t pid = fork("child");
        if (pid == 0) {
            CHECK(global == 1 && local == 10 && bss[PGSIZE] == 'p', "the child sees the parent's data");
            global = 2;
            local = 20;
            bss[PGSIZE] = 'c';
            bss[2 * PGSIZE] = 'c';
            exit(0);
        }
        wait(pid);
        CHECK(global == 1 && local == 10 && bss[PGSIZE] == 'p' && bss[2 * PGSIZE] == 0,
              "the parent's data is its own after the child wrote its copy");
    } else if (!strcmp(m, "files")) {
        int fd = open_or_fail("sample.txt");
        char buf[10];
        read(fd, buf, 10);
        pid_t pid = fork("child");
        if (pid == 0) {
            CHECK(tell(fd) == 10 && read(fd, buf, 10) == 10 && !memcmp(buf, sample_text + 10, 10),
                  "the child's copy is at 10 and reads bytes 10..19");
            seek(fd, 0);
            close(fd);
            exit(0);
        }
        wait(pid);
        CHECK(tell(fd) == 10, "the parent's is still at 10");
        CHECK(read(fd, buf, 10) == 10 && !memcmp(buf, sample_text + 10, 10),
              "and reads bytes 10..19 itself");
    } else if (!strcmp(m, "many")) {
        int sum = 0;
        for (int i = 1; i <= 10; i++) {
            pid_t pid = fork("child");
            if (pid == 0)
                exit(i);
            sum += wait(pid);
        }
        msg("ten children one after another: statuses add up to %d", sum);
    } else if (!strcmp(m, "bad-ptr")) {
        msg("fork((char *) 0x20101234)");
        fork(opaque(0x20101234));
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
