/* linux_time.c — clocks, sleeping, random bytes, and what the system says
 * about itself (uname, sysinfo, times, getrusage), all of it virtual and
 * reproducible.
 *
 * Clocks follow instructions retired (sys_now: one nanosecond each, idle
 * time included). CLOCK_MONOTONIC and CLOCK_BOOTTIME start at 0 when the
 * run starts; CLOCK_REALTIME at LX_EPOCH (2024-01-01 00:00:00 UTC) plus the
 * same; the CPU-time clocks count the calling process's instructions. A
 * sleep blocks the task until the virtual clock reaches its deadline, so a
 * sleeping program costs no host time when nothing else runs. getrandom
 * draws from the run's generator (seeded by --seed), never from the host.
 */
#include <errno.h>
#include <string.h>

#include "sys/linux.h"

#define LX_EPOCH 1704067200ull   /* 2024-01-01T00:00:00Z */
#define NS 1000000000ull
#define LX_HZ 100ull             /* clock_t ticks (AT_CLKTCK) */

enum {
    LX_CLOCK_REALTIME = 0, LX_CLOCK_MONOTONIC = 1, LX_CLOCK_PROCESS_CPUTIME_ID = 2,
    LX_CLOCK_THREAD_CPUTIME_ID = 3, LX_CLOCK_MONOTONIC_RAW = 4, LX_CLOCK_REALTIME_COARSE = 5,
    LX_CLOCK_MONOTONIC_COARSE = 6, LX_CLOCK_BOOTTIME = 7, LX_CLOCK_TAI = 11,
};

/* The clock's reading in ns, or -EINVAL. */
static int64_t clock_ns(struct lx_call *c, int64_t id)
{
    switch (id) {
    case LX_CLOCK_REALTIME: case LX_CLOCK_REALTIME_COARSE: case LX_CLOCK_TAI:
        return (int64_t)(LX_EPOCH * NS + sys_now(c->s));
    case LX_CLOCK_MONOTONIC: case LX_CLOCK_MONOTONIC_RAW: case LX_CLOCK_MONOTONIC_COARSE:
    case LX_CLOCK_BOOTTIME:
        return (int64_t)sys_now(c->s);
    case LX_CLOCK_PROCESS_CPUTIME_ID: case LX_CLOCK_THREAD_CPUTIME_ID:
        return (int64_t)c->t->h.instret;
    }
    return -EINVAL;
}

static int put_timespec(struct task *t, vaddr_t u, uint64_t ns)
{
    struct lx_timespec ts = {(int64_t)(ns / NS), (int64_t)(ns % NS)};
    return sys_copy_out(t, u, &ts, sizeof ts);
}

int64_t lx_sys_clock_gettime(struct lx_call *c)
{
    int64_t ns = clock_ns(c, (int64_t)(int32_t)c->a[0]);
    return ns < 0 ? ns : put_timespec(c->t, c->a[1], (uint64_t)ns);
}

int64_t lx_sys_clock_getres(struct lx_call *c)
{
    int64_t ns = clock_ns(c, (int64_t)(int32_t)c->a[0]);
    if (ns < 0)
        return ns;
    return c->a[1] ? put_timespec(c->t, c->a[1], 1) : 0;
}

int64_t lx_sys_gettimeofday(struct lx_call *c)
{
    uint64_t ns = LX_EPOCH * NS + sys_now(c->s);
    if (c->a[0]) {
        int64_t tv[2] = {(int64_t)(ns / NS), (int64_t)(ns % NS / 1000)};
        int rc = sys_copy_out(c->t, c->a[0], tv, sizeof tv);
        if (rc < 0)
            return rc;
    }
    if (c->a[1]) {
        int32_t tz[2] = {0, 0};   /* UTC, no DST */
        return sys_copy_out(c->t, c->a[1], tz, sizeof tz);
    }
    return 0;
}

/* Sleep until the virtual clock reads `deadline`. The deadline is the
 * call's progress: a restarted call keeps it. */
static int64_t sleep_until(struct lx_call *c, uint64_t deadline)
{
    if (sys_now(c->s) >= deadline)
        return 0;
    c->t->sys_progress = deadline;
    task_block(c->t, NULL, deadline);
    return LX_BLOCKED;
}

static int read_timespec(struct task *t, vaddr_t u, uint64_t *ns)
{
    struct lx_timespec ts;
    int rc = sys_copy_in(t, &ts, u, sizeof ts);
    if (rc < 0)
        return rc;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NS)
        return -EINVAL;
    *ns = (uint64_t)ts.sec > UINT64_MAX / NS / 2 ? UINT64_MAX / 2 : (uint64_t)ts.sec * NS + (uint64_t)ts.nsec;
    return 0;
}

int64_t lx_sys_nanosleep(struct lx_call *c)
{
    if (c->t->sys_progress)
        return sleep_until(c, c->t->sys_progress);
    uint64_t d;
    int rc = read_timespec(c->t, c->a[0], &d);
    if (rc < 0)
        return rc;
    return d ? sleep_until(c, sys_now(c->s) + d) : 0;
}

int64_t lx_sys_clock_nanosleep(struct lx_call *c)
{
    if (c->t->sys_progress)
        return sleep_until(c, c->t->sys_progress);
    int64_t id = (int64_t)(int32_t)c->a[0];
    if (id == LX_CLOCK_THREAD_CPUTIME_ID || id == LX_CLOCK_PROCESS_CPUTIME_ID)
        return -EINVAL;
    int64_t now = clock_ns(c, id);
    if (now < 0)
        return now;
    uint64_t t;
    int rc = read_timespec(c->t, c->a[2], &t);
    if (rc < 0)
        return rc;
    uint64_t d = c->a[1] & 1 /* TIMER_ABSTIME */ ? (t > (uint64_t)now ? t - (uint64_t)now : 0) : t;
    return d ? sleep_until(c, sys_now(c->s) + d) : 0;
}

int64_t lx_sys_getrandom(struct lx_call *c)
{
    if (c->a[2] & ~7ull)   /* GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE */
        return -EINVAL;
    uint64_t len = c->a[1] < 33554431 ? c->a[1] : 33554431;
    if (!lx_access_ok(c->a[0], len))
        return -EFAULT;
    uint8_t buf[4096];
    for (uint64_t done = 0; done < len;) {
        size_t n = len - done < sizeof buf ? (size_t)(len - done) : sizeof buf;
        sys_random(c->s, buf, n);
        int rc = sys_copy_out(c->t, c->a[0] + done, buf, n);
        if (rc < 0)
            return done ? (int64_t)done : rc;
        done += n;
    }
    return (int64_t)len;
}

int64_t lx_sys_uname(struct lx_call *c)
{
    char u[6][65];
    memset(u, 0, sizeof u);
    strcpy(u[0], "Linux");
    strcpy(u[1], "vmlab");
    strcpy(u[2], "6.1.0-vmlab");
    strcpy(u[3], "#1 SMP vmlab");
    strcpy(u[4], "riscv64");
    strcpy(u[5], "(none)");
    return sys_copy_out(c->t, c->a[0], u, sizeof u);
}

int64_t lx_sys_sysinfo(struct lx_call *c)
{
    struct kernel_usage ku;
    kernel_usage(c->s->k, &ku);
    uint64_t si[14];   /* struct sysinfo, LP64: 112 bytes */
    memset(si, 0, sizeof si);
    si[0] = sys_now(c->s) / NS;                                   /* uptime */
    si[4] = ku.user_frames * VM_PAGE_SIZE;                        /* totalram */
    si[5] = (ku.user_frames - ku.user_frames_used) * VM_PAGE_SIZE;   /* freeram */
    si[8] = ku.swap_slots * VM_PAGE_SIZE;                         /* totalswap */
    si[9] = (ku.swap_slots - ku.swap_slots_used) * VM_PAGE_SIZE;  /* freeswap */
    si[10] = c->s->nlive;                                         /* procs (u16) */
    si[13] = 1;                                                   /* mem_unit (u32 at 104) */
    return sys_copy_out(c->t, c->a[0], si, sizeof si);
}

int64_t lx_sys_times(struct lx_call *c)
{
    uint64_t tms[4] = {c->t->h.instret / (NS / LX_HZ), 0, lx(c->t)->child_instret / (NS / LX_HZ), 0};
    if (c->a[0]) {
        int rc = sys_copy_out(c->t, c->a[0], tms, sizeof tms);
        if (rc < 0)
            return rc;
    }
    return (int64_t)(sys_now(c->s) / (NS / LX_HZ));
}

void lx_put_rusage(struct task *t, vaddr_t u, uint64_t instret, uint64_t minflt, uint64_t majflt,
                   int *rc)
{
    int64_t ru[18];   /* struct rusage, LP64: two timevals and 14 longs */
    memset(ru, 0, sizeof ru);
    ru[0] = (int64_t)(instret / NS);
    ru[1] = (int64_t)(instret % NS / 1000);
    ru[6] = (int64_t)minflt;   /* ru_minflt */
    ru[7] = (int64_t)majflt;   /* ru_majflt */
    *rc = sys_copy_out(t, u, ru, sizeof ru);
}

int64_t lx_sys_getrusage(struct lx_call *c)
{
    struct lx_task *lt = lx(c->t);
    int who = (int)c->a[0], rc;
    if (who == 0 || who == 1) {   /* RUSAGE_SELF, RUSAGE_THREAD */
        struct vmstat vs;
        kernel_process_vmstat(c->t->proc, &vs);
        lx_put_rusage(c->t, c->a[1], c->t->h.instret, vs.v[VMSTAT_PGMINFAULT],
                      vs.v[VMSTAT_PGMAJFAULT], &rc);
    } else if (who == -1) {       /* RUSAGE_CHILDREN: those reaped */
        lx_put_rusage(c->t, c->a[1], lt->child_instret, lt->child_minflt, lt->child_majflt, &rc);
    } else {
        return -EINVAL;
    }
    return rc;
}
