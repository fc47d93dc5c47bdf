/* pintos.h — the PintOS personality's internals: PintOS project-2/3 user
 * programs (RV64, LP64, the system-call numbers of PintOS's
 * lib/syscall-nr.h) on vmlab's kernel, with the PintOS file system as one
 * flat host directory (--fs DIR). docs/pintos.md is the contract.
 *
 * Files: pintos.c (the operations table, start, exit lines, kills, the
 * call table), pintos_file.c (the file system and the console),
 * pintos_proc.c (halt, exit, fork, exec, wait, argument passing),
 * pintos_mem.c (mmap, munmap, get_phys_addr).
 */
#ifndef VMLAB_SYS_PINTOS_H
#define VMLAB_SYS_PINTOS_H

#include <sys/types.h>

#include "sys/sys.h"

#define PT_NAME_MAX 14          /* PintOS's NAME_MAX: a file name's characters */
#define PT_CMDLINE_MAX 4096     /* a command line, its NUL included (PintOS: a page) */
#define PT_STACK_SLACK 32       /* RISC-V: a fault at or above sp - 32 grows the stack */
#define PT_NR_GET_PHYS_ADDR 0x42
#define PT_NR_MAX 16            /* HALT .. MUNMAP: 0 .. 15 */

/* A running executable (file_deny_write): writes to it return 0. */
struct pt_exe {
    dev_t dev;
    ino_t ino;
    unsigned users;          /* processes running it */
};

/* Per run. */
struct pt_run {
    int fsfd;                /* the --fs directory, O_PATH */
    char *fspath;            /* as given, for messages */
    struct pt_exe *exes;
    size_t nexes, cap;
};

/* Per task. */
struct pt_task {
    int status;              /* the exit status the exit line prints: exit()'s, else -1 */
    bool has_exe;
    dev_t exe_dev;           /* the executable it runs (denied writes) */
    ino_t exe_ino;
};

/* An open file (struct file's priv): which file, for the denied writes. */
struct pt_file {
    dev_t dev;
    ino_t ino;
};

static inline struct pt_run *pt_run_of(struct sys *s) { return s->abi_state; }
static inline struct pt_task *pt(struct task *t) { return t->abi; }

/* One system call's context. */
struct pt_call {
    struct sys *s;
    struct task *t;
    uint64_t nr;
    uint64_t a[6];
};

/* What a handler returns besides a result: the call blocked (it is served
 * again when the task wakes), or has no result (the task ended, exec gave
 * it new registers, halt). */
#define PT_BLOCKED INT64_MIN
#define PT_NORESULT (INT64_MIN + 1)

/* The ABI's argument types (docs/pintos.md): int, pid_t and off_t are the
 * low 32 bits sign-extended, unsigned the low 32 bits, pointers and size_t
 * all 64. */
static inline int32_t arg_int(const struct pt_call *c, int i) { return (int32_t)c->a[i]; }
static inline uint32_t arg_uns(const struct pt_call *c, int i) { return (uint32_t)c->a[i]; }

typedef int64_t (*pt_handler)(struct pt_call *c);
#define PT_HANDLERS(X)                                                                  \
    X(halt) X(exit) X(fork) X(exec) X(wait) X(create) X(remove) X(open) X(filesize)    \
    X(read) X(write) X(seek) X(tell) X(close) X(mmap) X(munmap) X(get_phys_addr)
#define PT_DECLARE(name) int64_t pt_sys_##name(struct pt_call *c);
PT_HANDLERS(PT_DECLARE)
#undef PT_DECLARE

/* ---- ending a task (pintos.c) ---- */

/* t ends with exit status `code`; why (NULL: it called exit) goes in the
 * report. The exit line is printed on the way (the exiting hook). */
void pt_end(struct task *t, int code, const char *why);
/* The kernel's way of ending a process that passed a bad argument: exit(-1),
 * with the reason formatted into the report. */
void pt_kill(struct pt_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- user memory (pintos.c) ---- */

/* Copies that kill the process on a bad address, as PintOS does (the
 * kernel's kernel_copy_in/out: the process is killed with the reason). 0, or
 * -1: the process was killed (the call must end without a result). */
int pt_copy_in(struct task *t, void *dst, vaddr_t src, size_t len);
int pt_copy_out(struct task *t, vaddr_t dst, const void *src, size_t len);
/* A NUL-terminated user string into buf (max bytes): its length, -1 (the
 * process was killed: a bad address) or -2 (no NUL within max bytes). */
int64_t pt_copy_str(struct task *t, char *buf, vaddr_t src, size_t max);

/* ---- files (pintos_file.c) ---- */

/* Is name a file name PintOS's flat file system can hold: 1 to 14
 * characters, none of them '/', not "." or ".."? */
bool pt_name_ok(const char *name);
/* Open a file of the file system: a host descriptor (O_CLOEXEC) or -errno. */
int pt_open_name(struct sys *s, const char *name, int flags);
/* The descriptor of the child of fork for f: a new description of the same
 * file at the same position (PintOS's file_duplicate). NULL: no memory. */
struct file *pt_file_dup(struct file *f);
/* The console: `len` bytes to the run's standard output, whole. */
void pt_console_write(struct sys *s, const void *buf, size_t len);

/* ---- running executables (pintos_proc.c) ---- */

/* t runs the file open as host descriptor fd now (NULL fd -1: nothing):
 * the previous one is given up. */
void pt_exe_set(struct task *t, int fd);
void pt_exe_release(struct task *t);
bool pt_exe_running(struct sys *s, dev_t dev, ino_t ino);
/* Load `cmdline` (words split at runs of spaces; the first names a file of
 * the file system) into t and point its hart at it with PintOS's argument
 * passing. 0, or -errno and a message (t unchanged, unless the kernel had
 * to kill it past the point of no return). */
int pt_load(struct task *t, const char *cmdline, char *err, size_t errlen);

#endif
