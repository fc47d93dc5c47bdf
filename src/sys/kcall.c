/* kcall.c — the calls the system-call layer makes into the kernel that
 * change address spaces, each written to the run trace (--trace-out)
 * before it is made, and the trace itself.
 *
 * A run trace (vmt version 2, docs/trace-formats.md) is what `vmlab
 * replay` needs to do to a machine and kernel exactly what the run did:
 * every access rv_run makes (the ISA's trace hook: fetch lookups, loads,
 * stores, AMOs) with the CPU making it; every system call's copy to or
 * from user memory (the kernel faults pages in and touches them through
 * the CPU); and every call that shapes an address space or says which one
 * a CPU runs -- process creation, exec (the image's PT_LOAD headers),
 * fork, exit, mmap/munmap/mprotect/madvise/brk, kernel_switch_to. Before
 * any event or access made on another CPU than the last one named, a CPU
 * event says which (the run's kernel calls are made on the CPU whose turn
 * it is, and which CPU that is decides who serves a shootdown).
 *
 * Every personality makes these calls through the functions here (sys.h),
 * so a trace covers it without knowing it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmlab/trace.h>

#include "sys/sys.h"

#define MAX_FILES 256

struct systrace {
    struct trace_writer *w;
    int cpu;                         /* the CPU the trace last named, -1 none */
    uint64_t files[MAX_FILES][2];    /* mapped files: (st_dev, st_ino), numbered from 1 */
    unsigned nfiles;
};

static struct systrace *tr(const struct sys *s)
{
    return s->trace_state;
}

/* The CPU of what follows, if it is not the one the trace last named. */
static void name_cpu(struct systrace *t, int cpu)
{
    if (cpu < 0 || cpu == t->cpu)
        return;
    struct trace_event ev = {.kind = TRACE_EV_CPU, .cpu = (unsigned)cpu};
    trace_write_event(t->w, &ev);
    t->cpu = cpu;
}

static int on_cpu(const struct sys *s)
{
    return s->on ? (int)(s->on - s->cpu) : -1;
}

static void event(struct sys *s, struct trace_event *ev)
{
    struct systrace *t = tr(s);
    name_cpu(t, on_cpu(s));
    trace_write_event(t->w, ev);
}

/* The ISA's hook: an access rv_run is about to make. It goes into the
 * trace, and to a policy that must hear of every reference (lru: exact
 * only so), page by page, before the access, as the replay of the trace
 * tells it. */
static void on_access(void *arg, struct cpu *cpu, vaddr_t va, unsigned size, enum vm_access acc)
{
    struct sys *s = arg;
    struct systrace *t = tr(s);
    if (!size)
        size = 1;
    const struct run_watch *w = s->cfg->watch;
    if (w && w->access) {
        const struct task *on = s->cpu[cpu_index(cpu)].cur;
        struct run_access a = {.cpu = cpu_index(cpu), .proc = kernel_current(cpu),
                               .pid = on ? on->pid : 0, .va = va, .len = size, .acc = acc,
                               .pc = on ? on->h.pc : 0};
        w->access(w->arg, cpu, &a);
    }
    if (t) {
        name_cpu(t, (int)cpu_index(cpu));
        struct trace_record rec = {.va = va, .size = size, .kind = acc};
        trace_write(t->w, &rec);
    }
    if (s->note_refs) {
        struct process *p = kernel_current(cpu);
        for (vaddr_t pg = VM_ALIGN_DOWN(va, VM_PAGE_SIZE); p && pg <= va + size - 1; pg += VM_PAGE_SIZE)
            kernel_note_access(p, pg);
    }
}

int systrace_open(struct sys *s, char *err, size_t errlen)
{
    s->note_refs = kernel_policy_wants(s->k) & KERNEL_WANTS_REFS;
    if (s->note_refs || s->cfg->watch)
        rv_sys_set_trace(s->rv, on_access, s);
    if (!s->cfg->trace_out)
        return 0;
    struct systrace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    t->cpu = -1;
    if (!(t->w = trace_writer_open_run(s->cfg->trace_out, err, errlen))) {
        free(t);
        return -1;
    }
    s->trace_state = t;
    const struct run_config *c = s->cfg;
    char tlb[512];
    tlb_config_describe(&c->tlb, tlb, sizeof tlb);
    struct trace_event ev = {.kind = TRACE_EV_CONFIG};
    snprintf(ev.text, sizeof ev.text,
             "abi=%s\ncpus=%u\npt=%s\ntlb=%s\ntlb-geometry=%s\ntlb-refill=%s\nsw-pt=%d\n"
             "sw-pt-entries=%llu\nframes=%llu\npolicy=%s\nthp=%d\nswap=%llu\nseed=%llu\n",
             s->abi->name, s->ncpus, s->fmt->name, c->tlb_name ? c->tlb_name : "custom", tlb,
             c->tlb_refill == TLB_REFILL_SOFTWARE ? "software" : "hardware", c->sw_pt,
             (unsigned long long)c->sw_pt_entries,
             (unsigned long long)(c->frames ? c->frames : RUN_DEFAULT_FRAMES),
             kernel_policy_name(s->k), c->thp, (unsigned long long)c->swap_bytes,
             (unsigned long long)c->seed);
    trace_write_event(t->w, &ev);
    rv_sys_set_trace(s->rv, on_access, s);
    return 0;
}

int systrace_close(struct sys *s, char *err, size_t errlen)
{
    struct systrace *t = tr(s);
    rv_sys_set_trace(s->rv, NULL, NULL);
    if (!t)
        return 0;
    int rc = trace_writer_close(t->w, err, errlen);
    free(t);
    s->trace_state = NULL;
    return rc;
}

void systrace_discard(struct sys *s)
{
    struct systrace *t = tr(s);
    if (s->rv)
        rv_sys_set_trace(s->rv, NULL, NULL);
    if (!t)
        return;
    trace_writer_discard(t->w);
    free(t);
    s->trace_state = NULL;
}

/* ---- the calls ---- */

void sys_switch(struct sys *s, struct sys_cpu *c, struct task *t)
{
    if (tr(s)) {
        struct trace_event ev = {.kind = TRACE_EV_SWITCH, .cpu = (unsigned)(c - s->cpu),
                                 .pid = t ? t->pid : 0};
        event(s, &ev);
    }
    kernel_switch_to(c->cpu, t ? t->proc : NULL);
}

void sys_note_process(struct task *t, int kind, int other)
{
    struct sys *s = t->s;
    if (!tr(s))
        return;
    struct trace_event ev = {.kind = (enum trace_event_kind)kind, .pid = t->pid, .pid2 = other};
    event(s, &ev);
}

void sys_note_copy(struct task *t, vaddr_t va, size_t len, bool out)
{
    struct sys *s = t->s;
    const struct run_watch *w = s->cfg->watch;
    if (w && w->access && len) {
        struct run_access a = {.cpu = (unsigned)t->cpu, .proc = t->proc, .pid = t->pid, .va = va,
                               .len = len, .acc = out ? VM_ACCESS_WRITE : VM_ACCESS_READ,
                               .copy = true, .pc = t->h.pc};
        w->access(w->arg, task_cpu(t), &a);
    }
    if (!tr(s) || len == 0)
        return;
    struct trace_event ev = {.kind = TRACE_EV_COPY, .a = {va, len, out}};
    event(s, &ev);
}

/* The PT_LOAD headers of the ELF open as fd, for the trace. */
static void exec_event(struct task *t, int fd)
{
    static struct trace_event ev;   /* 3 KiB: off the stack */
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_EV_EXEC;
    ev.pid = t->pid;
    unsigned char eh[64];
    struct stat st;
    if (pread(fd, eh, sizeof eh, 0) != (ssize_t)sizeof eh || fstat(fd, &st) < 0)
        return;
    uint64_t phoff, entry;
    uint16_t type, phentsize, phnum;
    memcpy(&type, eh + 16, 2);
    memcpy(&entry, eh + 24, 8);
    memcpy(&phoff, eh + 32, 8);
    memcpy(&phentsize, eh + 54, 2);
    memcpy(&phnum, eh + 56, 2);
    ev.a[0] = type;
    ev.a[1] = entry;
    ev.a[2] = (uint64_t)st.st_size;
    for (unsigned i = 0; i < phnum && phentsize == 56 && ev.nsegs < TRACE_EV_MAX_SEGS; i++) {
        unsigned char ph[56];
        if (pread(fd, ph, sizeof ph, (off_t)(phoff + (uint64_t)i * 56)) != (ssize_t)sizeof ph)
            return;
        uint32_t ptype, flags;
        memcpy(&ptype, ph, 4);
        memcpy(&flags, ph + 4, 4);
        if (ptype != 1 /* PT_LOAD */)
            continue;
        struct trace_segment *g = &ev.seg[ev.nsegs++];
        g->flags = flags;
        memcpy(&g->offset, ph + 8, 8);
        memcpy(&g->vaddr, ph + 16, 8);
        memcpy(&g->filesz, ph + 32, 8);
        memcpy(&g->memsz, ph + 40, 8);
    }
    event(t->s, &ev);
}

int sys_exec(struct task *t, int fd, const char *name, struct kernel_image *img, char *err,
             size_t errlen)
{
    int rc = kernel_exec_fd(t->proc, fd, name, img, task_cpu(t), err, errlen);
    if (rc == 0 && tr(t->s))
        exec_event(t, fd);   /* a failed exec changed nothing: nothing to replay */
    return rc;
}

/* The run's number for the file open as hostfd (1, 2, ...), 0 if none. */
static uint64_t file_number(struct systrace *t, int hostfd, uint64_t *size)
{
    struct stat st;
    if (hostfd < 0 || fstat(hostfd, &st) < 0)
        return 0;
    *size = (uint64_t)st.st_size;
    for (unsigned i = 0; i < t->nfiles; i++)
        if (t->files[i][0] == (uint64_t)st.st_dev && t->files[i][1] == (uint64_t)st.st_ino)
            return i + 1;
    if (t->nfiles == MAX_FILES)
        return 0;
    t->files[t->nfiles][0] = (uint64_t)st.st_dev;
    t->files[t->nfiles][1] = (uint64_t)st.st_ino;
    return ++t->nfiles;
}

int sys_mmap(struct task *t, vaddr_t addr, uint64_t len, unsigned prot, unsigned flags, int hostfd,
             uint64_t off, vaddr_t *out)
{
    vaddr_t got = 0;
    int rc = kernel_mmap(t->proc, addr, len, prot, flags, hostfd, off, &got);
    struct systrace *st = tr(t->s);
    if (st) {
        /* after the call: the replay checks it maps the same address */
        uint64_t size = 0, file = file_number(st, hostfd, &size);
        struct trace_event ev = {.kind = TRACE_EV_MMAP, .pid = t->pid,
                                 .a = {addr, len, prot, flags, file, off, size,
                                       rc < 0 ? (uint64_t)(int64_t)rc : got}};
        event(t->s, &ev);
    }
    *out = got;
    return rc;
}

int sys_munmap(struct task *t, vaddr_t addr, uint64_t len)
{
    if (tr(t->s)) {
        struct trace_event ev = {.kind = TRACE_EV_MUNMAP, .pid = t->pid, .a = {addr, len}};
        event(t->s, &ev);
    }
    return kernel_munmap(t->proc, addr, len, task_cpu(t));
}

int sys_mprotect(struct task *t, vaddr_t addr, uint64_t len, unsigned prot)
{
    if (tr(t->s)) {
        struct trace_event ev = {.kind = TRACE_EV_MPROTECT, .pid = t->pid, .a = {addr, len, prot}};
        event(t->s, &ev);
    }
    return kernel_mprotect(t->proc, addr, len, prot, task_cpu(t));
}

int sys_madvise(struct task *t, vaddr_t addr, uint64_t len, int advice)
{
    if (tr(t->s)) {
        struct trace_event ev = {.kind = TRACE_EV_MADVISE, .pid = t->pid,
                                 .a = {addr, len, (uint64_t)advice}};
        event(t->s, &ev);
    }
    return kernel_madvise(t->proc, addr, len, advice, task_cpu(t));
}

vaddr_t sys_brk(struct task *t, vaddr_t want)
{
    if (tr(t->s)) {
        struct trace_event ev = {.kind = TRACE_EV_BRK, .pid = t->pid, .a = {want}};
        event(t->s, &ev);
    }
    vaddr_t out = 0;
    kernel_brk(t->proc, want, &out, task_cpu(t));
    return out;
}
