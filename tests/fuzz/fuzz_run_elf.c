/* fuzz_run_elf.c — libFuzzer harness for the ELF path of `vmlab run`: the
 * input is the program file. Whatever the bytes, run_program must refuse it
 * with a message and one of vmlab's statuses (125-127), or run it to an end
 * (exit, signal, the instruction limit) with every process accounted for,
 * without a crash, leak or undefined behaviour (ASan/UBSan watch). The
 * program runs on a small machine with an instruction limit, its output
 * thrown away. `make fuzz` seeds it with the corpus's static PIE and
 * sort programs when they are built. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vmlab/run.h>

#define CHECK(c)                                                                         \
    do {                                                                                 \
        if (!(c)) {                                                                      \
            fprintf(stderr, "fuzz_run_elf: contract broken: %s (line %d)\n", #c, __LINE__); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int null = -1;
    if (null < 0)
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int fd = memfd_create("fuzz-program", MFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct run_config rc;
    run_config_default(&rc);
    rc.frames = 512;
    rc.swap_bytes = 1 << 20;
    rc.max_insns = 300000;
    rc.quantum = 50000;
    rc.stdin_fd = rc.stdout_fd = rc.stderr_fd = null;
    char *argv[] = {path, (char *)"3", NULL};
    struct run_summary s;
    char err[1024];
    err[0] = 0;
    int r = run_program(&rc, 2, argv, &s, err, sizeof err);
    if (r != 0) {
        CHECK(r == -1 && err[0] && s.status >= 125 && s.status <= 127);
    } else {
        CHECK(s.nprocs >= 1 && s.procs[0].pid == 1 && s.status >= 0 && s.status <= 255);
        for (size_t i = 0; i < s.nprocs; i++)
            CHECK(s.procs[i].ended);
        run_summary_free(&s);
    }
    close(fd);
    return 0;
}
