/* runkit.h — running the guest corpus (tests/guest/, built into
 * $(B)/guest/) in the tests: under vmlab's run_program, with the guest's
 * stdout and stderr captured, and under qemu-riscv64 for the expected
 * output. */
#ifndef VMLAB_TESTS_RUNKIT_H
#define VMLAB_TESTS_RUNKIT_H

#include <stdbool.h>
#include <stddef.h>

#include <vmlab/run.h>

/* Where the corpus program `name` is (beside the vmlab under test); false
 * if it was not built (no cross compiler). */
bool guest_path(const char *name, char *buf, size_t len);
/* true if riscv64-linux-gnu-gcc's corpus exists and qemu-riscv64 runs. */
bool guest_have_corpus(void);
bool guest_have_qemu(void);

struct guest_run {
    int rc;                  /* run_program's return */
    int status;              /* the exit status vmlab reports */
    char *out, *err;         /* the guest's stdout, stderr (NUL-terminated) */
    struct run_summary sum;  /* rc == 0 */
    char msg[512];           /* rc != 0 */
};
/* run_program(cfg with stdout/stderr replaced) of argv (argv[0] a path). */
int guest_run(const struct run_config *cfg, int argc, char *const argv[], struct guest_run *g);
void guest_free(struct guest_run *g);

/* argv under qemu-riscv64 in directory dir (NULL: here): 0 and *out,
 * *status, or -1. */
int qemu_run(const char *dir, int argc, char *const argv[], char **out, int *status);

/* A fresh empty directory under the build directory (for --root); removed
 * with everything in it by scratch_remove. */
int scratch_make(char *buf, size_t len);
void scratch_remove(const char *dir);

/* The process of a summary with this pid, or NULL. */
const struct run_proc *guest_proc(const struct run_summary *s, int pid);

#endif
