/* rvguest.c — see rvguest.h. */
#include "rvguest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/ptbuild.h"
#include "lib/run.h"

int rvg_open(struct rvg *g, const char *elf, const struct rvg_opts *o, char *err, size_t errlen)
{
    static const struct rvg_opts none;
    if (!o)
        o = &none;
    memset(g, 0, sizeof *g);
    g->m = tm_machine(PT_ARCH_RISCV, o->ncpus ? o->ncpus : 1, o->mem_bytes ? o->mem_bytes : 64ull << 20,
                      o->tlb ? o->tlb : "zen4");
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = o->user_frames;
    kc.swap_bytes = (o->swap_pages ? o->swap_pages : 4096) * 4096;
    kc.policy = o->policy;
    kc.format = o->format ? o->format : PT_SV39;
    kc.stack_rule = STACK_RULE_LINUX;
    g->k = kernel_create(g->m, &kc, err, errlen);
    if (!g->k)
        return -1;
    g->s = rv_sys_create(g->m, NULL, err, errlen);
    if (!g->s)
        return -1;
    g->p = kernel_process_create(g->k, "guest");
    vaddr_t entry;
    if (!g->p || kernel_load_elf(g->p, elf, &entry, err, errlen) || kernel_map_stack(g->p))
        return -1;
    g->cpu = machine_cpu(g->m, 0);
    cpu_attach(g->cpu);
    kernel_switch_to(g->cpu, g->p);
    rv_hart_init(&g->h, g->s, entry);
    g->h.x[2] = KERNEL_USER_STACK - 64;          /* sp, 16-byte aligned */
    g->quantum = o->quantum ? o->quantum : 1u << 20;
    g->max_insns = o->max_insns ? o->max_insns : 10000000000ull;
    g->out = calloc(1, 1);
    g->err = calloc(1, 1);
    return 0;
}

static void append(char **buf, size_t *len, const char *p, size_t n)
{
    *buf = realloc(*buf, *len + n + 1);
    memcpy(*buf + *len, p, n);
    *len += n;
    (*buf)[*len] = 0;
}

/* The system calls of the test programs. false: the guest exited. */
static bool do_syscall(struct rvg *g)
{
    uint64_t *x = g->h.x;
    uint64_t nr = x[17], a0 = x[10], a1 = x[11], a2 = x[12];
    int64_t ret = -ENOSYS;
    g->syscalls++;
    switch (nr) {
    case 64:                                      /* write(fd, buf, len) */
        if (a0 != 1 && a0 != 2) {
            ret = -EBADF;
            break;
        }
        if (a2 > (64u << 20)) {
            ret = -EINVAL;
            break;
        }
        char *tmp = malloc(a2 ? a2 : 1);
        if (kernel_copy_in(g->cpu, tmp, a1, a2) != 0) {
            ret = -EFAULT;
        } else {
            if (a0 == 1)
                append(&g->out, &g->out_len, tmp, a2);
            else
                append(&g->err, &g->err_len, tmp, a2);
            ret = (int64_t)a2;
        }
        free(tmp);
        break;
    case 93:
    case 94:
        g->exited = true;
        g->exit_code = (int)(a0 & 0xff);
        return false;
    }
    x[10] = (uint64_t)ret;
    g->h.pc += 4;
    return true;
}

int rvg_run(struct rvg *g)
{
    while (g->h.instret < g->max_insns) {
        uint64_t left = g->max_insns - g->h.instret;
        struct rv_trap t;
        if (rv_run(&g->h, g->cpu, left < g->quantum ? left : g->quantum, &t) == RV_STOP_BUDGET)
            continue;
        if (t.cause == RV_EXC_ECALL_U) {
            if (!do_syscall(g))
                return 0;
            if (kernel_process_state(g->p) != PROC_RUNNABLE) {
                g->trapped = true;
                g->trap = t;
                return 1;
            }
            continue;
        }
        g->trapped = true;
        g->trap = t;
        return 1;
    }
    return 2;
}

void rvg_close(struct rvg *g)
{
    if (g->cpu) {
        kernel_switch_to(g->cpu, NULL);
        cpu_detach(g->cpu);
    }
    if (g->p)
        kernel_process_exit(g->p, NULL);
    rv_sys_destroy(g->s);
    if (g->k)
        kernel_destroy(g->k);
    if (g->m)
        machine_destroy(g->m);
    free(g->out);
    free(g->err);
    memset(g, 0, sizeof *g);
}

int rvg_run_file(struct rvg *g, const char *elf, const struct rvg_opts *o)
{
    char err[512];
    if (rvg_open(g, elf, o, err, sizeof err)) {
        fprintf(stderr, "rvg_open %s: %s\n", elf, err);
        return -1;
    }
    return rvg_run(g);
}

/* ---- building and running guests elsewhere ---- */

static bool have(const char *cmd)
{
    struct run_result r;
    bool ok = run_cmd(cmd, &r) == 0 && r.status == 0;
    run_free(&r);
    return ok;
}

bool rvg_have_toolchain(void)
{
    return have("riscv64-linux-gnu-gcc --version");
}

bool rvg_have_qemu(void)
{
    return have("qemu-riscv64 --version");
}

static void guest_dir(char *dir, size_t len)
{
    const char *bin = vmlab_bin();
    const char *slash = strrchr(bin, '/');
    int n = slash ? (int)(slash - bin) : 0;
    snprintf(dir, len, "%.*s%sguest", n, bin, n ? "/" : "");
    mkdir(dir, 0777);
}

int rvg_build(const char *name, const char *ext, const char *src, const char *flags, char *path,
              size_t pathlen)
{
    char dir[PATH_MAX], srcpath[PATH_MAX + 64], cmd[3 * PATH_MAX + 512];
    guest_dir(dir, sizeof dir);
    snprintf(srcpath, sizeof srcpath, "%s/%s.%s", dir, name, ext);
    snprintf(path, pathlen, "%s/%s", dir, name);
    FILE *fp = fopen(srcpath, "w");
    if (!fp)
        return -1;
    fputs(src, fp);
    if (fclose(fp))
        return -1;
    snprintf(cmd, sizeof cmd,
             "riscv64-linux-gnu-gcc -static -nostdlib -march=rv64gc -mabi=lp64d %s -o '%s' '%s'",
             flags ? flags : "", path, srcpath);
    struct run_result r;
    int rc = run_cmd(cmd, &r);
    if (rc || r.status != 0) {
        fprintf(stderr, "rvg_build %s failed:\n%s%s\n", name, r.out ? r.out : "", r.err ? r.err : "");
        run_free(&r);
        return -1;
    }
    run_free(&r);
    return 0;
}

int rvg_qemu(const char *elf, char **out, size_t *len)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "qemu-riscv64 '%s'", elf);
    struct run_result r;
    if (run_cmd(cmd, &r)) {
        run_free(&r);
        return -1;
    }
    *out = r.out;
    *len = r.out ? strlen(r.out) : 0;
    r.out = NULL;
    int status = r.status;
    run_free(&r);
    return status;
}
