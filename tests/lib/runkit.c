/* runkit.c — see runkit.h. */
#include "runkit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/run.h"

static void build_dir(char *dir, size_t len)
{
    const char *bin = vmlab_bin();
    const char *slash = strrchr(bin, '/');
    int n = slash ? (int)(slash - bin) : 1;
    snprintf(dir, len, "%.*s", n, slash ? bin : ".");
}

bool guest_path(const char *name, char *buf, size_t len)
{
    char dir[PATH_MAX - 64];
    build_dir(dir, sizeof dir);
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%s/guest/%s", dir, name);
    char *abs = realpath(rel, NULL);   /* qemu runs it from other directories */
    if (!abs || strlen(abs) >= len) {
        free(abs);
        return false;
    }
    strcpy(buf, abs);
    free(abs);
    return access(buf, R_OK) == 0;
}

bool guest_have_corpus(void)
{
    char p[PATH_MAX];
    return guest_path("sort", p, sizeof p);
}

bool guest_have_qemu(void)
{
    struct run_result r;
    bool ok = run_cmd("qemu-riscv64 --version", &r) == 0 && r.status == 0;
    run_free(&r);
    return ok;
}

static char *slurp(int fd)
{
    off_t n = lseek(fd, 0, SEEK_END);
    char *s = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (!s)
        return NULL;
    size_t got = 0;
    while (n > 0 && got < (size_t)n) {
        ssize_t r = pread(fd, s + got, (size_t)n - got, (off_t)got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    s[got] = 0;
    return s;
}

int guest_run(const struct run_config *cfg, int argc, char *const argv[], struct guest_run *g)
{
    memset(g, 0, sizeof *g);
    int out = memfd_create("guest-stdout", MFD_CLOEXEC), err = memfd_create("guest-stderr", MFD_CLOEXEC);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);   /* as run_cmd gives qemu */
    if (out < 0 || err < 0 || in < 0)
        return -1;
    struct run_config c = *cfg;
    c.stdout_fd = out;
    c.stderr_fd = err;
    c.stdin_fd = in;
    g->rc = run_program(&c, argc, argv, &g->sum, g->msg, sizeof g->msg);
    g->status = g->sum.status;
    g->out = slurp(out);
    g->err = slurp(err);
    close(out);
    close(err);
    close(in);
    return g->rc;
}

void guest_free(struct guest_run *g)
{
    if (g->rc == 0)
        run_summary_free(&g->sum);
    free(g->out);
    free(g->err);
    g->out = g->err = NULL;
}

int qemu_run(const char *dir, int argc, char *const argv[], char **out, int *status)
{
    char cmd[8192];
    int n = snprintf(cmd, sizeof cmd, "%s%s%sqemu-riscv64", dir ? "cd '" : "", dir ? dir : "",
                     dir ? "' && " : "");
    for (int i = 0; i < argc && n < (int)sizeof cmd; i++)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s'", argv[i]);
    struct run_result r;
    if (run_cmd(cmd, &r)) {
        run_free(&r);
        return -1;
    }
    *out = r.out;
    *status = r.status;
    r.out = NULL;
    run_free(&r);
    return 0;
}

int scratch_make(char *buf, size_t len)
{
    char dir[PATH_MAX - 64];
    build_dir(dir, sizeof dir);
    snprintf(buf, len, "%s/scratch-XXXXXX", dir);
    return mkdtemp(buf) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void scratch_remove(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const struct run_proc *guest_proc(const struct run_summary *s, int pid)
{
    for (size_t i = 0; i < s->nprocs; i++)
        if (s->procs[i].pid == pid)
            return &s->procs[i];
    return NULL;
}
