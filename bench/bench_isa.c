/* bench_isa.c — guest instructions per second of vmlab's RISC-V CPU.
 *
 * A CPU-bound freestanding program (a quicksort of 2 M integers with its
 * own tiny runtime: an LCG fill, the sort, a check and a hash printed
 * through write) is built twice in the same run, for RISC-V with
 * riscv64-linux-gnu-gcc and for the host with cc, both -O2 -static
 * -nostdlib. It runs under vmlab (Sv39, zen4 TLBs, every fetch and access
 * through them, every fault through the kernel), under qemu-riscv64, and
 * natively; the outputs must agree. Printed: each CPU time (user +
 * system: the machine is shared), vmlab's guest
 * instructions per second, and the ratios vmlab/qemu and vmlab/native.
 * BENCH_ISA_N overrides the number of integers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmlab/isa.h>
#include <vmlab/kernel.h>
#include <vmlab/machine.h>

static const char *const guest_src =
    "#ifdef __riscv\n"
    "static long sys3(long n, long a, long b, long c) {\n"
    "    register long a7 __asm__(\"a7\") = n, a0 __asm__(\"a0\") = a, a1 __asm__(\"a1\") = b,\n"
    "        a2 __asm__(\"a2\") = c;\n"
    "    __asm__ volatile(\"ecall\" : \"+r\"(a0) : \"r\"(a7), \"r\"(a1), \"r\"(a2) : \"memory\");\n"
    "    return a0;\n"
    "}\n"
    "#define NR_WRITE 64\n#define NR_EXIT 93\n"
    "__asm__(\".globl _start\\n_start:\\n call main\\n1: j 1b\\n\");\n"
    "#else\n"
    "static long sys3(long n, long a, long b, long c) {\n"
    "    long r;\n"
    "    __asm__ volatile(\"syscall\" : \"=a\"(r) : \"a\"(n), \"D\"(a), \"S\"(b), \"d\"(c) : \"rcx\", \"r11\", \"memory\");\n"
    "    return r;\n"
    "}\n"
    "#define NR_WRITE 1\n#define NR_EXIT 60\n"
    "__asm__(\".globl _start\\n_start:\\n xor %ebp, %ebp\\n call main\\n hlt\\n\");\n"
    "#endif\n"
    "static int a[N];\n"
    "static void qs(int *v, long lo, long hi) {\n"
    "    while (lo < hi) {\n"
    "        int p = v[lo + (hi - lo) / 2];\n"
    "        long i = lo, j = hi;\n"
    "        while (i <= j) {\n"
    "            while (v[i] < p) i++;\n"
    "            while (v[j] > p) j--;\n"
    "            if (i <= j) { int t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }\n"
    "        }\n"
    "        if (j - lo < hi - i) { qs(v, lo, j); lo = i; } else { qs(v, i, hi); hi = j; }\n"
    "    }\n"
    "}\n"
    "int main(void);\n"
    "int main(void) {\n"
    "    unsigned x = 12345;\n"
    "    for (long i = 0; i < N; i++) { x = x * 1103515245u + 12345u; a[i] = (int)(x >> 1); }\n"
    "    qs(a, 0, N - 1);\n"
    "    unsigned long h = 0; int sorted = 1;\n"
    "    for (long i = 0; i < N; i++) { h = h * 31 + (unsigned)a[i]; if (i && a[i - 1] > a[i]) sorted = 0; }\n"
    "    char buf[32]; int k = 0;\n"
    "    buf[k++] = sorted ? 'S' : 'U'; buf[k++] = ' ';\n"
    "    for (int s = 60; s >= 0; s -= 4) buf[k++] = \"0123456789abcdef\"[h >> s & 15];\n"
    "    buf[k++] = '\\n';\n"
    "    sys3(NR_WRITE, 1, (long)buf, k);\n"
    "    sys3(NR_EXIT, 0, 0, 0);\n"
    "    return 0;\n"
    "}\n";

/* CPU time (user + system) of this process, or of its waited-for
 * children: the machine is shared, so wall time would measure the other
 * load as much as the program. */
static double cpu_time(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* Run a shell command; its stdout (first line) into out. Exit status. */
static int sh(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    if (out) {
        out[0] = 0;
        if (!fgets(out, (int)len, p))
            out[0] = 0;
    }
    char sink[256];
    while (fgets(sink, sizeof sink, p))
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct guest_run {
    char out[64];
    uint64_t instret;
    struct cpu_stats cs;
    double secs;
};

/* Load and run the ELF on a fresh machine and kernel: write (fd 1) and
 * exit are the only system calls the program makes. */
static int run_vmlab(const char *elf, struct guest_run *res)
{
    char err[512];
    struct machine_config mc;
    machine_config_default(&mc, PT_ARCH_RISCV);
    mc.mem_bytes = 256ull << 20;
    struct machine *m = machine_create(&mc, err, sizeof err);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.format = PT_SV39;
    kc.stack_rule = STACK_RULE_LINUX;
    struct kernel *k = m ? kernel_create(m, &kc, err, sizeof err) : NULL;
    struct rv_sys *s = k ? rv_sys_create(m, NULL, err, sizeof err) : NULL;
    struct process *p = s ? kernel_process_create(k, "bench") : NULL;
    vaddr_t entry;
    if (!p || kernel_load_elf(p, elf, &entry, err, sizeof err) || kernel_map_stack(p)) {
        fprintf(stderr, "bench_isa: %s\n", err);
        return -1;
    }
    struct cpu *cpu = machine_cpu(m, 0);
    cpu_attach(cpu);
    kernel_switch_to(cpu, p);
    struct rv_hart h;
    rv_hart_init(&h, s, entry);
    h.x[2] = KERNEL_USER_STACK - 64;
    res->out[0] = 0;
    int rc = -1;
    double t0 = cpu_time(RUSAGE_SELF);
    for (;;) {
        struct rv_trap t;
        if (rv_run(&h, cpu, 1u << 24, &t) == RV_STOP_BUDGET)
            continue;
        if (t.cause != RV_EXC_ECALL_U) {
            fprintf(stderr, "bench_isa: guest trapped: %s at 0x%llx\n", rv_exc_name(t.cause),
                    (unsigned long long)t.pc);
            break;
        }
        if (h.x[17] == 64) {
            size_t n = h.x[12] < sizeof res->out - 1 ? h.x[12] : sizeof res->out - 1;
            kernel_copy_in(cpu, res->out, h.x[11], n);
            res->out[n] = 0;
            h.x[10] = h.x[12];
        } else if (h.x[17] == 93 || h.x[17] == 94) {
            rc = (int)h.x[10];
            break;
        } else {
            h.x[10] = (uint64_t)-ENOSYS;
        }
        h.pc += 4;
    }
    res->secs = cpu_time(RUSAGE_SELF) - t0;
    res->instret = h.instret;
    cpu_stats(cpu, &res->cs);
    kernel_switch_to(cpu, NULL);
    cpu_detach(cpu);
    kernel_process_exit(p, NULL);
    rv_sys_destroy(s);
    kernel_destroy(k);
    machine_destroy(m);
    return rc;
}

int main(void)
{
    const char *bin = getenv("VMLAB");
    char dir[PATH_MAX], src[PATH_MAX + 32], rv[PATH_MAX + 32], nat[PATH_MAX + 32], cmd[6 * PATH_MAX];
    const char *slash = bin ? strrchr(bin, '/') : NULL;
    snprintf(dir, sizeof dir, "%.*s/bench-guest", slash ? (int)(slash - bin) : 5, slash ? bin : "build");
    mkdir(dir, 0777);
    long n = getenv("BENCH_ISA_N") ? atol(getenv("BENCH_ISA_N")) : 2000000;
    snprintf(src, sizeof src, "%s/qsort.c", dir);
    snprintf(rv, sizeof rv, "%s/qsort-rv64", dir);
    snprintf(nat, sizeof nat, "%s/qsort-native", dir);
    FILE *f = fopen(src, "w");
    if (!f) {
        perror(src);
        return 1;
    }
    fprintf(f, "#define N %ld\n%s", n, guest_src);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "riscv64-linux-gnu-gcc -O2 -static -nostdlib -ffreestanding -fno-builtin -mno-relax "
             "-march=rv64gc -mabi=lp64d -o '%s' '%s' && "
             "cc -O2 -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -o '%s' '%s'",
             rv, src, nat, src);
    if (sh(cmd, NULL, 0) != 0) {
        printf("bench_isa: skipped: cannot build the guest (riscv64-linux-gnu-gcc missing? run scripts/setup.sh)\n");
        return 0;
    }

    struct guest_run g;
    int rc = run_vmlab(rv, &g);
    char qout[64], nout[64];
    snprintf(cmd, sizeof cmd, "qemu-riscv64 '%s'", rv);
    double t0 = cpu_time(RUSAGE_CHILDREN);
    int qrc = sh(cmd, qout, sizeof qout);
    double tq = cpu_time(RUSAGE_CHILDREN) - t0;
    snprintf(cmd, sizeof cmd, "'%s'", nat);
    t0 = cpu_time(RUSAGE_CHILDREN);
    int nrc = sh(cmd, nout, sizeof nout);
    double tn = cpu_time(RUSAGE_CHILDREN) - t0;
    if (rc != 0 || qrc != 0 || nrc != 0 || strcmp(g.out, qout) || strcmp(g.out, nout) || g.out[0] != 'S') {
        printf("bench_isa: FAILED: outputs differ: vmlab (%d) \"%s\" qemu (%d) \"%s\" native (%d) \"%s\"\n",
               rc, g.out, qrc, qout, nrc, nout);
        return 1;
    }
    double mips = g.instret / g.secs / 1e6;
    printf("quicksort of %ld ints: %.3f G guest instructions, output %s", n, g.instret / 1e9, g.out);
    printf("  vmlab (interpreter, zen4 TLBs, Sv39): %7.3f s  %6.1f M guest instructions/s\n", g.secs, mips);
    printf("  qemu-riscv64 (JIT):                   %7.3f s  vmlab/qemu   = %.1fx\n", tq, g.secs / tq);
    printf("  native x86-64:                        %7.3f s  vmlab/native = %.1fx\n", tn, g.secs / tn);
    printf("  vmlab counters: accesses %llu, iTLB-loads %llu, dTLB-loads %llu, dTLB-stores %llu, "
           "dTLB-load-misses %llu, page-faults %llu\n",
           (unsigned long long)g.cs.v[CPU_STAT_ACCESSES], (unsigned long long)g.cs.v[CPU_STAT_ITLB_LOADS],
           (unsigned long long)g.cs.v[CPU_STAT_DTLB_LOADS], (unsigned long long)g.cs.v[CPU_STAT_DTLB_STORES],
           (unsigned long long)g.cs.v[CPU_STAT_DTLB_LOAD_MISSES],
           (unsigned long long)g.cs.v[CPU_STAT_PAGE_FAULTS]);
    return 0;
}
