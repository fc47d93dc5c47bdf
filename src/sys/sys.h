/* sys.h — the core of `vmlab run`: processes, open files, the scheduler and
 * virtual time, and the operations table through which a system-call
 * personality (an ABI: Linux's, PintOS's) plugs into them.
 *
 * Vocabulary.
 *   struct sys      one run: the machine, the kernel, the ISA, the tasks,
 *                   the virtual clock, the run's counters.
 *   struct task     one (single-threaded) process of the run: a RISC-V hart,
 *                   the kernel's process (its address space), a descriptor
 *                   table, its parent and children, how it ended. Its pid is
 *                   the kernel's.
 *   struct file     an open file description (what a descriptor names;
 *                   shared by dup and fork), behind a table of operations:
 *                   host files, pipes, whatever a personality adds.
 *   struct sys_abi  a personality: how a program is loaded and started, how
 *                   a system call and any other trap are served, what happens
 *                   when a task ends. The core never looks at system-call
 *                   numbers, registers' meanings or paths.
 *
 * Execution model (docs/run.md). One host thread interleaves the CPUs by
 * rounds: in each round every CPU in turn runs up to `quantum` instructions
 * of tasks, attached (cpu_attach) only during its turn, so exactly one CPU
 * is attached at a time and no host thread ever blocks while attached. A
 * task keeps its CPU until it blocks, ends, or is preempted at the end of
 * a turn while others wait (they then go round-robin over every CPU). The
 * end of a turn is the timer interrupt (rv_interrupt). Virtual time is one
 * nanosecond per instruction retired on a CPU, idle CPUs included; when
 * every task sleeps, the clock jumps to the first deadline. Nothing depends
 * on the host's clock, so a run is reproducible.
 *
 * Blocking. A system call that must wait (a pipe, a child, a deadline)
 * calls task_block and returns; the task then runs nothing until
 * sys_wakeup (or the deadline, or task_interrupt) makes it runnable, and the
 * personality's syscall handler is then called again for the same call,
 * from the start (registers unchanged), as a restarted system call is.
 * Progress a call must keep across its restarts (bytes of a long pipe write
 * already written) goes in task->sys_progress, which the core zeroes when a
 * call completes.
 *
 * Threads. Everything here runs on the one scheduler thread.
 */
#ifndef VMLAB_SYS_SYS_H
#define VMLAB_SYS_SYS_H

#include <stdio.h>
#include <sys/stat.h>

#include <vmlab/isa.h>
#include <vmlab/kernel.h>
#include <vmlab/run.h>

struct sys;
struct task;
struct file;
struct sys_cpu;

#define SYS_NO_DEADLINE UINT64_MAX

/* ---- personalities -------------------------------------------------------- */

struct sys_abi {
    const char *name;                 /* "linux" */
    enum kernel_abi kabi;             /* the kernel's rules for its processes */
    int default_format;               /* enum pt_format_id without --pt */
    /* Before the kernel is made: the personality's rules for it (PintOS:
     * stack_slack, its user top, its stack rule). NULL: the defaults. */
    void (*kernel_config)(struct sys *s, struct kernel_config *kc);
    /* The run starts: per-run state (s->abi_state), checks of the
     * configuration. 0, or -1 with a message. */
    int (*setup)(struct sys *s, char *err, size_t errlen);
    void (*teardown)(struct sys *s);
    /* Load the run's program into t (a fresh task: process, no image, no
     * descriptors yet): descriptors 0-2, the image, the initial stack and
     * registers. 0, or -1 with a message (vmlab's own failure: the program
     * cannot be started). */
    int (*start)(struct sys *s, struct task *t, int argc, char *const argv[], char *err,
                 size_t errlen);
    /* t trapped on an ecall (t->h.pc is the ecall). Serve it: write the
     * result and move pc on (sys_return), or task_block (called again later),
     * or end the task (task_exit, task_kill). */
    void (*syscall)(struct sys *s, struct task *t);
    /* Any other trap of t's hart: a fault the kernel refused, an illegal
     * instruction, a breakpoint, a misaligned atomic. */
    void (*trap)(struct sys *s, struct task *t, const struct rv_trap *tr);
    /* t is about to run user code (after any switch, block or syscall):
     * deliver what is pending (Linux: signals, the child's set_child_tid).
     * May end the task. NULL: nothing. */
    void (*resume)(struct sys *s, struct task *t);
    /* fork: child is parent's copy (hart, descriptors); copy the
     * personality's own per-task state. 0 or -errno. NULL: nothing. */
    int (*fork)(struct sys *s, struct task *parent, struct task *child);
    /* t is ending; its address space is still there (Linux: clear_child_tid;
     * PintOS: the exit line). NULL: nothing. */
    void (*exiting)(struct sys *s, struct task *t);
    /* t's record is gone (reaped): free t->abi. NULL: nothing. */
    void (*free)(struct sys *s, struct task *t);
};

/* The personalities built in, NULL-terminated; one by name (built in or
 * added); add one at run time (tests, embedders: up to 8): 0 or -1. The
 * table must outlive the runs that use it. */
extern const struct sys_abi *const sys_abis[];
const struct sys_abi *sys_abi_find(const char *name);
int sys_abi_add(const struct sys_abi *abi);
extern const struct sys_abi sys_abi_linux;

/* ---- open files ------------------------------------------------------------ */

/* Operations of one kind of open file. Every one may be NULL (the call then
 * fails with the error the personality chooses: Linux -EINVAL/-ESPIPE...).
 * read/write move up to `len` bytes between the user buffer `ubuf` of the
 * task and the file (the file's code copies, with sys_copy_in/out) and
 * return the bytes moved (0 from read: end of file), or -errno; -EAGAIN
 * when nothing can move now: the file's `chan` is then what a blocking
 * caller waits on, and it calls again for the rest after waking. They
 * never block themselves. */
struct file_ops {
    const char *kind;                                 /* "file", "pipe", ... for messages */
    int64_t (*read)(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len);
    int64_t (*write)(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len);
    int64_t (*pread)(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len, uint64_t off);
    int64_t (*pwrite)(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len, uint64_t off);
    int64_t (*seek)(struct file *f, int64_t off, int whence);
    int (*stat)(struct file *f, struct stat *st);     /* host struct stat */
    const void *(*chan)(struct file *f);               /* what a blocked reader/writer waits on */
    void (*release)(struct file *f);                   /* the last reference went */
};

struct file {
    const struct file_ops *ops;
    struct sys *s;
    unsigned refs;
    unsigned flags;          /* the personality's status flags (Linux: O_ACCMODE|O_APPEND|O_NONBLOCK) */
    int hostfd;              /* host files: the host descriptor; else -1 */
    uint64_t pos;            /* host regular files: the offset (vmlab's, not the host's) */
    bool regular;            /* a host regular file: read/write go through the page cache */
    void *priv;              /* the kind's own state (a pipe end) */
};

/* A new description with one reference; NULL when out of memory. */
struct file *file_new(struct sys *s, const struct file_ops *ops, unsigned flags);
struct file *file_get(struct file *f);
void file_put(struct file *f);
/* The host-file kind: reads and writes of regular files through the
 * kernel's page cache (kernel_file_pread/pwrite) at f->pos; anything else
 * (terminals, devices, directories, FIFOs) with the host's read/write. The
 * new description owns hostfd. */
extern const struct file_ops host_file_ops;
struct file *file_host(struct sys *s, int hostfd, unsigned flags);
/* A pipe: *rd and *wr, its two ends. 0 or -ENOMEM. */
int pipe_create(struct sys *s, struct file **rd, struct file **wr);
/* Bytes waiting in the pipe behind f (a pipe end), or -1 if f is none. */
int64_t pipe_available(const struct file *f);

/* A task's descriptor table. */
struct fd_entry {
    struct file *f;          /* NULL: free */
    bool cloexec;
};
struct fd_table {
    struct fd_entry *v;
    unsigned n;              /* slots allocated */
    unsigned max;            /* the limit (RLIMIT_NOFILE) */
};
/* The lowest free descriptor >= from holding f (the table takes the
 * reference), or -EMFILE / -ENOMEM. */
int fd_install(struct fd_table *t, unsigned from, struct file *f, bool cloexec);
/* The file of fd, or NULL. */
struct file *fd_get(const struct fd_table *t, int fd);
/* Put f at exactly fd (closing what was there). 0 or -EBADF/-ENOMEM. */
int fd_install_at(struct fd_table *t, int fd, struct file *f, bool cloexec);
int fd_close(struct fd_table *t, int fd);            /* 0 or -EBADF */
void fd_close_all(struct fd_table *t);
void fd_close_on_exec(struct fd_table *t);
int fd_table_copy(struct fd_table *dst, const struct fd_table *src);   /* 0 or -ENOMEM */

/* ---- tasks ------------------------------------------------------------------ */

enum task_state {
    TASK_RUNNABLE,           /* on the run queue or on a CPU */
    TASK_BLOCKED,            /* waiting on chan and/or a deadline */
    TASK_ZOMBIE,             /* ended; its record waits for the parent */
};

struct task {
    struct rv_hart h;        /* the registers; its address never changes */
    struct sys *s;
    struct process *proc;    /* the kernel's process; NULL once ended */
    int pid;
    int pgid;
    struct task *parent;     /* NULL: the run itself (vmlab) reaps it */
    struct task *children;   /* the list of its children (live and zombie) */
    struct task *sibling;
    struct task *next_task;  /* s->tasks */
    enum task_state state;
    /* blocking */
    const void *chan;        /* NULL: only the deadline */
    uint64_t deadline;       /* virtual ns, or SYS_NO_DEADLINE */
    bool in_syscall;         /* blocked inside a call: served again when woken */
    uint64_t sys_progress;   /* what a restarted call already did */
    struct task *rq_next;
    bool queued;
    bool yield;              /* task_yield: leave the CPU after this call */
    bool autoreap;           /* no parent: the run reaps it when it ends */
    int cpu;                 /* the CPU it is on, or -1 */
    /* what it is */
    char comm[16];           /* the executable's base name (Linux's comm) */
    char *exe;               /* the executable as the guest names it (/proc/self/exe) */
    struct fd_table fds;
    void *abi;               /* the personality's per-task state */
    /* accounting */
    struct run_proc rec;     /* the report's record, filled as it runs and ends */
    struct cpu_stats cpu_at_on;   /* the CPU's counters when it went on */
};

/* A task around a new kernel process (for the run's program; fork makes
 * its own). NULL and a message when the kernel has no room. */
struct task *task_create(struct sys *s, const char *name, char *err, size_t errlen);
/* fork: a copy of t (hart, descriptors, the personality's state through
 * abi->fork) whose address space is a copy-on-write copy; the child is
 * runnable, returns 0 from the call (a0 = 0, pc past the ecall) and its
 * registers are the parent's otherwise. The caller adjusts the child's
 * registers before it runs. 0 and *child, or -errno. */
int task_fork(struct task *t, struct task **child);
/* t ends: by exit(code), or killed by signal `sig` (sent by pid `by`, 0
 * for the kernel) with a reason for the report. The address space is
 * released (abi->exiting first), descriptors closed, children given to
 * the run, and the parent woken; t stays a zombie until reaped. */
void task_exit(struct task *t, int code);
void task_kill(struct task *t, int sig, int by, const char *why);
/* The first zombie child of t matching pid (> 0: that child; -1: any; 0:
 * t's process group; < -1: group -pid), or NULL. *any_child says whether
 * t has a matching child at all. */
struct task *task_zombie_child(struct task *t, int pid, bool *any_child);
/* Free a zombie's remains (its record stays in the run's report). */
void task_reap(struct task *z);
struct task *task_by_pid(struct sys *s, int pid);   /* live or zombie, or NULL */

/* Block t in its current system call until sys_wakeup(chan) (chan may be
 * NULL) or the virtual clock reaches deadline (SYS_NO_DEADLINE: none). */
void task_block(struct task *t, const void *chan, uint64_t deadline);
/* Block t outside any system call (its last call has its result): it goes
 * on with user code when woken (vfork's parent, a stopped task). */
void task_wait_event(struct task *t, const void *chan);
/* t gives its CPU to the next runnable task at once (sched_yield). */
void task_yield(struct task *t);
/* Every task blocked on chan becomes runnable (its call is served again). */
void sys_wakeup(struct sys *s, const void *chan);
/* A blocked t becomes runnable now, whatever it waited for (a signal that
 * must be delivered). */
void task_interrupt(struct task *t);

/* The system call's result: a0 = v, pc past the ecall. */
static inline void sys_return(struct task *t, int64_t v)
{
    t->h.x[10] = (uint64_t)v;
    t->h.pc += 4;
}

/* ---- kernel calls that shape address spaces (kcall.c) -------------------------
 *
 * A personality changes address spaces only through these, which call the
 * kernel and record the call in the run trace (--trace-out) when there is
 * one, so that a replay of the trace does to its kernel what the run did. */

/* c runs t now (NULL: nothing): kernel_switch_to. */
void sys_switch(struct sys *s, struct sys_cpu *c, struct task *t);
/* exec of the ELF open as fd into t's process (kernel_exec_fd). */
int sys_exec(struct task *t, int fd, const char *name, struct kernel_image *img, char *err,
             size_t errlen);
/* The memory calls of kernel.h on t's process, with t's CPU. */
int sys_mmap(struct task *t, vaddr_t addr, uint64_t len, unsigned prot, unsigned flags, int hostfd,
             uint64_t off, vaddr_t *out);
int sys_munmap(struct task *t, vaddr_t addr, uint64_t len);
int sys_mprotect(struct task *t, vaddr_t addr, uint64_t len, unsigned prot);
int sys_madvise(struct task *t, vaddr_t addr, uint64_t len, int advice);
vaddr_t sys_brk(struct task *t, vaddr_t want);   /* the break afterwards */
/* For task.c and uaccess.c: a process made, forked (other = the child) or
 * gone (TRACE_EV_PROCESS/FORK/EXIT), a copy to or from user memory. */
void sys_note_process(struct task *t, int kind, int other);
void sys_note_copy(struct task *t, vaddr_t va, size_t len, bool out);
/* The trace of the run, if cfg->trace_out: opened by run.c when the
 * machine is built, closed (0 or -1 with a message) or discarded at the end. */
int systrace_open(struct sys *s, char *err, size_t errlen);
int systrace_close(struct sys *s, char *err, size_t errlen);
void systrace_discard(struct sys *s);

/* ---- user memory (through the CPU the task runs on) --------------------------- */

/* 0, -EFAULT (a bad address: nothing copied, the task goes on), or
 * -ENOMEM / -EIO when the kernel killed the process (the core ends the
 * task when the call returns). */
int sys_copy_in(struct task *t, void *dst, vaddr_t src, size_t len);
int sys_copy_out(struct task *t, vaddr_t dst, const void *src, size_t len);
/* A NUL-terminated string of at most max bytes (NUL included) into buf:
 * its length, or -EFAULT, -ENAMETOOLONG (no NUL within max). */
int64_t sys_copy_str(struct task *t, char *buf, vaddr_t src, size_t max);
/* The CPU the task runs on now (it is attached). */
struct cpu *task_cpu(struct task *t);

/* ---- the run ------------------------------------------------------------------ */

struct sys_cpu {
    struct cpu *cpu;
    struct task *cur;        /* the task it runs (kept across rounds) */
    uint64_t used;           /* instructions of this round so far */
    uint64_t busy, idle;     /* instructions run, and idled, over the run (the report) */
};

struct sys {
    const struct run_config *cfg;
    const char *program;     /* the run's program, as named on the command line */
    int swap_slot;           /* a swap file the kernel created, registered for removal */
    const struct sys_abi *abi;
    void *abi_state;
    struct machine *m;
    struct kernel *k;
    struct rv_sys *rv;
    const struct pt_format *fmt;
    unsigned ncpus;
    struct sys_cpu cpu[VM_MAX_CPUS];
    struct sys_cpu *on;      /* the CPU whose turn it is (attached), or NULL */
    uint64_t quantum;
    uint64_t now;            /* virtual ns at the start of this round */
    uint64_t run_instret;    /* the running hart's instret when rv_run started */
    struct task *tasks;      /* every task not yet reaped */
    struct task *rq_head, *rq_tail;
    unsigned nlive;          /* tasks not yet ended */
    struct task *first;      /* the run's program */
    bool deadlock, interrupted, limited;   /* how the run ended, if not by itself */
    bool halted;             /* sys_halt */
    int halt_status;
    uint64_t retired;        /* instructions retired by every task (cfg->max_insns) */
    uint64_t rng[4];         /* xoshiro256**, seeded by cfg->seed */
    uint64_t pipes;          /* pipes made (their inode numbers) */
    /* the report */
    struct run_proc *recs;
    size_t nrecs, recs_cap;
    struct run_counts counts;
    void *trace_state;       /* --trace-out: kcall.c's, or NULL */
    bool note_refs;          /* the policy hears every reference (lru): kcall.c tells it */
};

/* Virtual time now, in ns (the clock of the CPU whose turn it is). */
uint64_t sys_now(const struct sys *s);
/* Bytes from the run's seeded generator (getrandom, AT_RANDOM). */
void sys_random(struct sys *s, void *buf, size_t len);
/* Count a system call the personality does not know (Linux: -ENOSYS). */
void sys_count_unknown(struct sys *s, uint64_t nr);
/* The signal's name, "SIGSEGV"; "signal 40" for others (buf). */
const char *sys_signal_name(int sig, char *buf, size_t len);

/* End the whole run (PintOS's halt): every task still alive is ended by
 * SIGKILL ("halted") once the call returns, and the run's exit status is
 * `status` instead of the first process's. */
void sys_halt(struct sys *s, int status);

/* The scheduler: run every task to its end (or until cfg->stop). */
void sched_run(struct sys *s);
/* The per-task CPU counters: t (on CPU t->cpu) starts or stops counting. */
void task_account_on(struct task *t);
void task_account_off(struct task *t);
/* Free the ended tasks nobody will wait for (between CPU turns). */
void sched_reap(struct sys *s);
/* Put a runnable task on the run queue (fork's child, a woken task). */
void sched_enqueue(struct sys *s, struct task *t);

#endif
