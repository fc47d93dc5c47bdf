/* test_run_abi.c — the personalities' interface (src/sys/sys.h) with a
 * personality of the test's own: four system calls (a7 0 halt, 1 exit,
 * 2 write to stdout, 3 fork, 4 wait), a start that execs the program with
 * sys_exec and points the hart at its entry. A program forks, the child
 * writes and exits 7, the parent waits for that 7, writes it and halts
 * with 42: the core's scheduler, process table, blocking, user copies,
 * halt and report work for a personality that is not Linux's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/runkit.h"
#include "lib/rvguest.h"
#include "lib/tap.h"
#include "sys/sys.h"

static int tiny_start(struct sys *s, struct task *t, int argc, char *const argv[], char *err,
                      size_t errlen)
{
    int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
        return -errno;
    }
    struct kernel_image img;
    int rc = sys_exec(t, fd, argv[0], &img, err, errlen);
    close(fd);
    if (rc < 0)
        return rc;
    rv_hart_init(&t->h, s->rv, img.entry);
    t->h.x[2] = img.stack_top - 64;
    return 0;
}

static void tiny_syscall(struct sys *s, struct task *t)
{
    uint64_t *x = t->h.x;
    switch (x[17]) {
    case 0:
        sys_halt(s, (int)x[10]);
        sys_return(t, 0);
        return;
    case 1:
        task_exit(t, (int)x[10]);
        return;
    case 2: {
        char buf[256];
        uint64_t n = x[11] < sizeof buf ? x[11] : sizeof buf;
        int rc = sys_copy_in(t, buf, x[10], n);
        if (rc == 0 && write(s->cfg->stdout_fd, buf, n) != (ssize_t)n)
            rc = -EIO;
        sys_return(t, rc < 0 ? rc : (int64_t)n);
        return;
    }
    case 3: {
        struct task *c;
        int rc = task_fork(t, &c);
        sys_return(t, rc < 0 ? rc : c->pid);
        return;
    }
    case 4: {
        bool any;
        struct task *z = task_zombie_child(t, -1, &any);
        if (!z && any) {
            task_block(t, t, SYS_NO_DEADLINE);   /* task_end wakes the parent */
            return;
        }
        int code = z ? z->rec.code : -1;
        if (z)
            task_reap(z);
        sys_return(t, code);
        return;
    }
    }
    sys_count_unknown(s, x[17]);
    sys_return(t, -1);
}

static void tiny_trap(struct sys *s, struct task *t, const struct rv_trap *tr)
{
    task_kill(t, 11, 0, rv_exc_name(tr->cause));
}

static const struct sys_abi tiny = {
    .name = "tiny",
    .kabi = KERNEL_ABI_LINUX,
    .default_format = PT_SV39,
    .start = tiny_start,
    .syscall = tiny_syscall,
    .trap = tiny_trap,
};

static const char *const prog =
    "    .option norelax\n    .globl _start\n    .text\n"
    "_start:\n"
    "    li a7, 3\n    ecall\n"                                  /* fork */
    "    bnez a0, parent\n"
    "    lla a0, child_msg\n    li a1, 6\n    li a7, 2\n    ecall\n"
    "    li a0, 7\n    li a7, 1\n    ecall\n"                   /* exit(7) */
    "parent:\n"
    "    li a7, 4\n    ecall\n"                                  /* wait: 7 */
    "    addi a0, a0, '0'\n    lla t0, digit\n    sb a0, 0(t0)\n"
    "    lla a0, parent_msg\n    li a1, 9\n    li a7, 2\n    ecall\n"
    "    li a0, 42\n    li a7, 0\n    ecall\n"                  /* halt(42) */
    "1:  j 1b\n"
    "    .data\n"
    "child_msg: .ascii \"child\\n\"\n"
    "parent_msg: .ascii \"parent \"\ndigit: .ascii \"?\\n\"\n";

int main(void)
{
    if (!rvg_have_toolchain()) {
        tap_plan(0);
        tap_skip(1, "riscv64-linux-gnu-gcc missing: run scripts/setup.sh");
        return tap_done();
    }
    char elf[4096];
    if (!ok(rvg_build("abi-tiny", "S", prog, "", elf, sizeof elf) == 0, "the program builds"))
        return tap_done();
    ok(sys_abi_add(&tiny) == 0 && sys_abi_find("tiny") == &tiny, "a personality is added");
    struct run_config rc;
    run_config_default(&rc);
    rc.abi = "tiny";
    rc.ncpus = 2;
    rc.quantum = 500;
    char *argv[] = {elf, NULL};
    struct guest_run g;
    guest_run(&rc, 1, argv, &g);
    ok(g.rc == 0, "it runs under it (%s)", g.rc ? g.msg : "ok");
    is_str(g.out ? g.out : "", "child\nparent 7\n", "the child wrote, the parent waited for its 7");
    is_i64(g.status, 42, "halt's status is the run's");
    const struct run_proc *p = g.rc == 0 ? guest_proc(&g.sum, 1) : NULL, *c = g.rc == 0 ? guest_proc(&g.sum, 2) : NULL;
    ok(p && c && !c->signaled && c->code == 7 && p->signaled && strstr(p->why, "halted"),
       "two processes: the child exited 7, the parent ended by the halt");
    ok(g.rc == 0 && g.sum.counts.forks == 1 && g.sum.counts.blocks >= 1 && g.sum.counts.syscalls >= 6,
       "the core counted the fork, the block and the calls");
    ok(g.rc == 0 && !strcmp(g.sum.abi, "tiny"), "the report names the personality");
    guest_free(&g);
    rc.abi = "nonesuch";
    guest_run(&rc, 1, argv, &g);
    ok(g.rc != 0 && g.status == 125 && strstr(g.msg, "nonesuch"), "an unknown personality: 125, named");
    guest_free(&g);
    return tap_done();
}
