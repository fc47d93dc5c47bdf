/* report.c — a run's report: like perf stat (text), one JSON object, or
 * CSV. The counters are replay's, by the same names and in the same groups
 * (replay_stats), for the whole machine and for each process; then what a
 * run adds: instructions, system calls, faults by kind, who ended how.
 * docs/run.md has the schema.
 */
#include <inttypes.h>
#include <string.h>

#include "replay/replay.h"
#include "replay/report.h"
#include "sys/sys.h"

static size_t counters(const struct cpu_stats *cpu, const struct vmstat *vm, struct replay_stat *st)
{
    struct replay_result rr;
    memset(&rr, 0, sizeof rr);
    rr.cpu = *cpu;
    rr.vm = *vm;
    size_t n = replay_stats(&rr, st, REPLAY_MAX_STATS), k = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(st[i].name, "records-folded"))   /* a trace's notion, not a run's */
            st[k++] = st[i];
    return k;
}

static void commas(uint64_t v, char *buf, size_t len)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    size_t n = strlen(tmp), o = 0;
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = 0;
}

static const char *end_text(const struct run_proc *p, char *buf, size_t len)
{
    char sig[16];
    if (!p->ended)
        snprintf(buf, len, "running");
    else if (!p->signaled)
        snprintf(buf, len, "exited %d", p->code);
    else
        snprintf(buf, len, "killed by %s", sys_signal_name(p->code, sig, sizeof sig));
    return buf;
}

/* Counters shown even when zero, as in replay's report. */
static bool always_shown(const char *name)
{
    static const char *const names[] = {
        "accesses", "dTLB-loads", "dTLB-load-misses", "dTLB-stores", "dTLB-store-misses",
        "iTLB-loads", "iTLB-load-misses", "walks", "walk-mem-refs", "pgfault", "pgmajfault",
        "pswpin", "pswpout", "pgsteal", "pgscan", NULL,
    };
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

static void header(FILE *f, const struct run_summary *r, const char *cmdline)
{
    char mem[32], swap[32];
    report_size_text(r->frames * VM_PAGE_SIZE, mem, sizeof mem);
    report_size_text(r->swap_bytes, swap, sizeof swap);
    fprintf(f, "\n Run of '%s' (%s personality):\n", cmdline ? cmdline : "", r->abi);
    fprintf(f, " %s page tables, %s TLB, %u CPU%s, %" PRIu64 " frames (%s), policy %s, swap %s\n",
            r->format, r->tlb, r->ncpus, r->ncpus == 1 ? "" : "s", r->frames, mem, r->policy,
            r->swap_bytes ? swap : "none");
    fprintf(f, " quantum %" PRIu64 " instructions, seed %" PRIu64 "\n\n", r->quantum, r->seed);
}

int run_report_text(FILE *f, const struct run_summary *r, const char *cmdline)
{
    header(f, r, cmdline);
    fprintf(f, " processes\n   %6s %6s  %-15s %16s %9s %8s %9s %6s %8s %6s %6s  %s\n", "pid", "ppid",
            "comm", "instructions", "syscalls", "faults", "zero-fill", "file", "swap-in", "cow",
            "stack", "end");
    for (size_t i = 0; i < r->nprocs; i++) {
        const struct run_proc *p = &r->procs[i];
        char ins[32], end[48];
        commas(p->instret, ins, sizeof ins);
        fprintf(f, "   %6d %6d  %-15s %16s %9" PRIu64 " %8" PRIu64 " %9" PRIu64 " %6" PRIu64 " %8" PRIu64
                   " %6" PRIu64 " %6" PRIu64 "  %s\n",
                p->pid, p->ppid, p->comm, ins, p->syscalls, p->vm.v[VMSTAT_PGFAULT],
                p->vm.v[VMSTAT_ZERO_FILL], p->vm.v[VMSTAT_FILE_READ], p->vm.v[VMSTAT_PSWPIN],
                p->vm.v[VMSTAT_COW_FAULT], p->vm.v[VMSTAT_STACK_GROWTH], end_text(p, end, sizeof end));
    }
    bool kills = false;
    for (size_t i = 0; i < r->nprocs; i++) {
        const struct run_proc *p = &r->procs[i];
        if (!p->signaled)
            continue;
        if (!kills)
            fprintf(f, "\n killed\n");
        kills = true;
        fprintf(f, "   pid %d (%s): %s\n", p->pid, p->comm, p->why[0] ? p->why : "killed");
    }

    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = counters(&r->cpu, &r->vm, st);
    uint64_t accesses = r->cpu.v[CPU_STAT_ACCESSES];
    int group = -1;
    fprintf(f, "\n counters (the whole machine and kernel)\n");
    for (size_t i = 0; i < n; i++) {
        if (!st[i].value && !always_shown(st[i].name))
            continue;
        if ((int)st[i].group != group) {
            group = (int)st[i].group;
            fprintf(f, " %s\n", replay_group_names[group]);
        }
        char num[32];
        commas(st[i].value, num, sizeof num);
        if (accesses && st[i].group != RG_KILL && strcmp(st[i].name, "accesses") &&
            !strstr(st[i].name, "_used"))
            fprintf(f, "  %18s  %-30s # %10.3f /1k accesses\n", num, st[i].name,
                    1000.0 * (double)st[i].value / (double)accesses);
        else
            fprintf(f, "  %18s  %s\n", num, st[i].name);
    }
    char num[32];
    commas(r->instret, num, sizeof num);
    fprintf(f, " the run\n  %18s  instructions\n", num);
    commas(r->counts.syscalls, num, sizeof num);
    fprintf(f, "  %18s  system calls\n", num);
    if (r->counts.unknown) {
        fprintf(f, "  %18" PRIu64 "  unknown system calls (-ENOSYS):", r->counts.unknown);
        for (unsigned i = 0; i < r->counts.nunknown; i++)
            fprintf(f, " %" PRIu64 " x%" PRIu64, r->counts.unknown_nr[i], r->counts.unknown_n[i]);
        fprintf(f, "\n");
    }
    if (r->counts.handler_refused)
        fprintf(f, "  %18" PRIu64 "  signal handlers refused (rt_sigaction -EINVAL)\n",
                r->counts.handler_refused);
    fprintf(f, "  %18" PRIu64 "  processes (%" PRIu64 " forks, %" PRIu64 " execs)\n",
            (uint64_t)r->nprocs, r->counts.forks, r->counts.execs);
    fprintf(f, "  %18" PRIu64 "  context switches\n", r->counts.switches);
    if (r->ncpus > 1 && r->vtime_ns) {
        fprintf(f, "  %18s  busy:", "CPUs");
        for (unsigned i = 0; i < r->ncpus; i++)
            fprintf(f, " %u %.1f%%", i, 100.0 * (double)r->cpu_busy[i] / (double)r->vtime_ns);
        fprintf(f, "\n");
    }
    fprintf(f, "\n  %18.3f  ns effective access time (cost model; see --cost)\n", r->eat_ns);
    fprintf(f, "  %18.6f  seconds of virtual time (1 ns per instruction per CPU)\n",
            (double)r->vtime_ns * 1e-9);
    fprintf(f, "  %18.3f  seconds (%.1f M instructions/s)\n", r->seconds,
            r->seconds > 0 ? (double)r->instret / r->seconds / 1e6 : 0.0);
    if (r->deadlock)
        fprintf(f, "\n  every process was blocked with nothing to wake it: the run killed them\n");
    if (r->interrupted)
        fprintf(f, "\n  interrupted: the run was stopped and its processes killed\n");
    if (r->limited)
        fprintf(f, "\n  the instruction limit (--max-insns) was reached: the processes were killed\n");
    fprintf(f, "\n");
    return ferror(f) ? -1 : 0;
}

/* ---- JSON ---- */

static void json_stats(FILE *f, const struct cpu_stats *cpu, const struct vmstat *vm,
                       const char *indent)
{
    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = counters(cpu, vm, st);
    fputc('{', f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s\n%s  ", i ? "," : "", indent);
        report_json_string(f, st[i].name);
        fprintf(f, ": %" PRIu64, st[i].value);
    }
    fprintf(f, "\n%s}", indent);
}

int run_report_json(FILE *f, const struct run_summary *r, const char *cmdline)
{
    fprintf(f, "{\n  \"config\": {\n    \"command\": ");
    report_json_string(f, cmdline ? cmdline : "");
    fprintf(f, ",\n    \"abi\": ");
    report_json_string(f, r->abi);
    fprintf(f, ",\n    \"pt\": ");
    report_json_string(f, r->format);
    fprintf(f, ",\n    \"tlb\": ");
    report_json_string(f, r->tlb);
    fprintf(f, ",\n    \"cpus\": %u,\n    \"frames\": %" PRIu64 ",\n    \"mem_bytes\": %" PRIu64
               ",\n    \"policy\": ",
            r->ncpus, r->frames, r->frames * VM_PAGE_SIZE);
    report_json_string(f, r->policy);
    fprintf(f, ",\n    \"swap_bytes\": %" PRIu64 ",\n    \"quantum\": %" PRIu64
               ",\n    \"seed\": %" PRIu64 "\n  },\n",
            r->swap_bytes, r->quantum, r->seed);
    fprintf(f, "  \"status\": %d,\n  \"stats\": ", r->status);
    json_stats(f, &r->cpu, &r->vm, "  ");
    fprintf(f, ",\n  \"run\": {\n    \"instructions\": %" PRIu64 ",\n    \"syscalls\": %" PRIu64
               ",\n    \"unknown_syscalls\": %" PRIu64 ",\n    \"unknown_syscall_numbers\": {",
            r->instret, r->counts.syscalls, r->counts.unknown);
    for (unsigned i = 0; i < r->counts.nunknown; i++)
        fprintf(f, "%s\"%" PRIu64 "\": %" PRIu64, i ? ", " : "", r->counts.unknown_nr[i],
                r->counts.unknown_n[i]);
    fprintf(f, "},\n    \"handlers_refused\": %" PRIu64 ",\n    \"forks\": %" PRIu64
               ",\n    \"execs\": %" PRIu64 ",\n    \"context_switches\": %" PRIu64
               ",\n    \"effective_access_ns\": %.4f,\n    \"virtual_seconds\": %.9f"
               ",\n    \"seconds\": %.6f,\n    \"deadlock\": %s,\n    \"interrupted\": %s"
               ",\n    \"instruction_limit_reached\": %s\n  },\n",
            r->counts.handler_refused, r->counts.forks, r->counts.execs, r->counts.switches,
            r->eat_ns, (double)r->vtime_ns * 1e-9, r->seconds, r->deadlock ? "true" : "false",
            r->interrupted ? "true" : "false", r->limited ? "true" : "false");
    fprintf(f, "  \"cpu_busy_instructions\": [");
    for (unsigned i = 0; i < r->ncpus; i++)
        fprintf(f, "%s%" PRIu64, i ? ", " : "", r->cpu_busy[i]);
    fprintf(f, "],\n  \"processes\": [");
    for (size_t i = 0; i < r->nprocs; i++) {
        const struct run_proc *p = &r->procs[i];
        char sig[16];
        fprintf(f, "%s\n    {\"pid\": %d, \"ppid\": %d, \"comm\": ", i ? "," : "", p->pid, p->ppid);
        report_json_string(f, p->comm);
        fprintf(f, ", \"instructions\": %" PRIu64 ", \"syscalls\": %" PRIu64 ", ", p->instret,
                p->syscalls);
        if (p->signaled) {
            fprintf(f, "\"signal\": ");
            report_json_string(f, sys_signal_name(p->code, sig, sizeof sig));
            fprintf(f, ", \"signal_number\": %d, \"killer\": %d, \"why\": ", p->code, p->killer);
            report_json_string(f, p->why);
        } else {
            fprintf(f, "\"exit_code\": %d", p->code);
        }
        fprintf(f, ",\n     \"stats\": ");
        json_stats(f, &p->cpu, &p->vm, "     ");
        fputc('}', f);
    }
    fprintf(f, "\n  ]\n}\n");
    return ferror(f) ? -1 : 0;
}

/* ---- CSV: a header, a row per process, the total ---- */

static void csv_row(FILE *f, const char *pid, const char *ppid, const char *comm, const char *end,
                    uint64_t instret, uint64_t syscalls, const struct cpu_stats *cpu,
                    const struct vmstat *vm)
{
    fprintf(f, "%s,%s,", pid, ppid);
    report_csv_field(f, comm);
    fputc(',', f);
    report_csv_field(f, end);
    fprintf(f, ",%" PRIu64 ",%" PRIu64, instret, syscalls);
    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = counters(cpu, vm, st);
    for (size_t i = 0; i < n; i++)
        fprintf(f, ",%" PRIu64, st[i].value);
    fputs("\r\n", f);
}

int run_report_csv(FILE *f, const struct run_summary *r)
{
    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = counters(&r->cpu, &r->vm, st);
    fprintf(f, "pid,ppid,comm,end,instructions,syscalls");
    for (size_t i = 0; i < n; i++)
        fprintf(f, ",%s", st[i].name);
    fputs("\r\n", f);
    for (size_t i = 0; i < r->nprocs; i++) {
        const struct run_proc *p = &r->procs[i];
        char pid[16], ppid[16], end[48];
        snprintf(pid, sizeof pid, "%d", p->pid);
        snprintf(ppid, sizeof ppid, "%d", p->ppid);
        csv_row(f, pid, ppid, p->comm, end_text(p, end, sizeof end), p->instret, p->syscalls,
                &p->cpu, &p->vm);
    }
    char end[32];
    snprintf(end, sizeof end, "status %d", r->status);
    csv_row(f, "total", "", "", end, r->instret, r->counts.syscalls, &r->cpu, &r->vm);
    return ferror(f) ? -1 : 0;
}
