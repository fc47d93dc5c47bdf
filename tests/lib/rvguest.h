/* rvguest.h — run a RISC-V guest program in the tests, before `vmlab run`.
 *
 * A machine (RISC-V, Sv39 by default) and kernel from include/vmlab/
 * kernel.h: the ELF is loaded lazily with kernel_load_elf, a growable stack
 * ends at KERNEL_USER_STACK, and one hart runs it with rv_run in quanta,
 * round-robin over the harts given, handling the few system calls the test
 * programs make: write (64) to fd 1 and 2, exit (93) and exit_group (94);
 * every other call returns -ENOSYS. Programs that need an operating
 * system run under `vmlab run`'s Linux personality instead (run_program,
 * tests/lib/runkit.h); this harness stays for the ISA tests that drive
 * rv_run themselves: budget-invariance (test_isa_diff's odd quanta, which
 * must not interrupt the hart as the scheduler's ticks do) and twin
 * machines fed the traced accesses (test_isa_machine).
 *
 * Building guests: rvg_build() writes a source text to a scratch file
 * under the build directory and compiles it with Debian's
 * riscv64-linux-gnu-gcc (-static -nostdlib); rvg_qemu() runs an ELF under
 * qemu-riscv64 and captures its stdout.
 */
#ifndef VMLAB_TESTS_RVGUEST_H
#define VMLAB_TESTS_RVGUEST_H

#include <stddef.h>

#include <vmlab/isa.h>
#include <vmlab/kernel.h>

struct rvg_opts {
    unsigned ncpus;          /* 0 = 1 */
    uint64_t mem_bytes;      /* 0 = 64 MiB */
    uint64_t user_frames;    /* 0 = the kernel's default (no pressure) */
    uint64_t swap_pages;     /* 0 = 4096 */
    const char *policy;      /* NULL = clock */
    const char *tlb;         /* preset name or geometry spec (tm_machine); NULL = zen4 */
    int format;              /* enum pt_format_id; 0 = sv39 */
    uint64_t quantum;        /* instructions per rv_run; 0 = 1 << 20 */
    uint64_t max_insns;      /* stop after this many; 0 = 1e10 */
};

struct rvg {
    struct machine *m;
    struct kernel *k;
    struct rv_sys *s;
    struct process *p;
    struct rv_hart h;
    struct cpu *cpu;
    uint64_t quantum, max_insns;
    /* results */
    bool exited;
    int exit_code;
    bool trapped;            /* stopped on a trap other than the handled ecalls */
    struct rv_trap trap;
    char *out;               /* what fd 1 received (NUL-terminated) */
    size_t out_len;
    char *err;               /* fd 2 */
    size_t err_len;
    uint64_t syscalls;
};

/* Machine, kernel, process with the ELF loaded and a stack, a hart at its
 * entry. 0, or -1 with a message in err. */
int rvg_open(struct rvg *g, const char *elf, const struct rvg_opts *o, char *err, size_t errlen);
/* Run until exit, a trap, or max_insns: 0 exited, 1 trapped, 2 budget spent. */
int rvg_run(struct rvg *g);
void rvg_close(struct rvg *g);

/* Open, run, keep the results (g stays open for inspection). */
int rvg_run_file(struct rvg *g, const char *elf, const struct rvg_opts *o);

/* The cross compiler and qemu are installed (scripts/setup.sh). */
bool rvg_have_toolchain(void);
bool rvg_have_qemu(void);
/* Compile `src` (assembly if ext is "S", C if "c") into an ELF named
 * `name` under the build directory's guest/ folder; flags are added to
 * -static -nostdlib -march=rv64gc -mabi=lp64d. 0 and the ELF's path in
 * path, or -1 with the compiler's messages on stderr. */
int rvg_build(const char *name, const char *ext, const char *src, const char *flags, char *path,
              size_t pathlen);
/* Run elf under qemu-riscv64; its stdout in *out (malloc'd), its length
 * in *len; returns the exit status, or -1. */
int rvg_qemu(const char *elf, char **out, size_t *len);

#endif
