/* test_run_bad.c — programs vmlab cannot run are refused cleanly, naming
 * the file: garbage, an empty file, a directory, a truncated ELF, an ELF of
 * another machine, a dynamically linked program, a missing file (127 and
 * 126, as env(1)); and 300 mutations of a real program (bytes flipped in
 * its headers and code) are each refused or run to some end -- an exit, a
 * signal, the instruction limit -- without vmlab crashing or leaking
 * (ASan). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/runkit.h"
#include "lib/tap.h"

static char dir[PATH_MAX];

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0755);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len)
        perror(path);
    close(fd);
}

static void *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    void *p = malloc(*len);
    if (p && fread(p, 1, *len, f) != *len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

static void refused(const char *what, const char *path, int status, const char *msg_part)
{
    struct run_config rc;
    run_config_default(&rc);
    char *argv[] = {(char *)path, NULL};
    struct guest_run g;
    guest_run(&rc, 1, argv, &g);
    ok(g.rc != 0 && g.status == status && strstr(g.msg, path) && strstr(g.msg, msg_part),
       "%s: refused with %d (got %d): %s", what, status, g.status, g.msg);
    guest_free(&g);
}

int main(void)
{
    const char *san = getenv("VMLAB_SAN");
    bool tsan = san && !strcmp(san, "tsan");
    if (!guest_have_corpus() || tsan) {
        tap_plan(0);
        tap_skip(1, tsan ? "single-CPU: not a TSan test" : "the guest corpus is missing");
        return tap_done();
    }
    if (scratch_make(dir, sizeof dir))
        return 1;
    char p[PATH_MAX + 64], prog[PATH_MAX];
    guest_path("hash", prog, sizeof prog);
    size_t len = 0;
    unsigned char *elf = read_file(prog, &len);
    if (!ok(elf != NULL, "the hash program reads"))
        return tap_done();

    snprintf(p, sizeof p, "%s/garbage", dir);
    unsigned char junk[3000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 131 + 7);
    write_file(p, junk, sizeof junk);
    refused("random bytes", p, 126, "not an ELF file");
    snprintf(p, sizeof p, "%s/empty", dir);
    write_file(p, "", 0);
    refused("an empty file", p, 126, "not an ELF file");
    snprintf(p, sizeof p, "%s/script", dir);
    write_file(p, "#!/bin/sh\necho hi\n", 18);
    refused("a shell script", p, 126, "not an ELF file");
    snprintf(p, sizeof p, "%s/short", dir);
    write_file(p, elf, 200);
    refused("a truncated ELF", p, 126, "runs past the end of the file");
    refused("a directory", dir, 126, "not a regular file");
    snprintf(p, sizeof p, "%s/missing", dir);
    refused("a missing file", p, 127, "No such file");
    refused("a dynamically linked host program", "/bin/true", 126, "");
    {
        unsigned char *x = malloc(len);
        memcpy(x, elf, len);
        x[18] = 62;   /* e_machine: EM_X86_64 */
        x[19] = 0;
        snprintf(p, sizeof p, "%s/x86", dir);
        write_file(p, x, len);
        refused("an ELF for another machine", p, 126, "e_machine");
        free(x);
    }

    /* mutations: headers, program headers, and code bytes */
    int ran = 0, refusedn = 0, signaled = 0, limited = 0;
    uint64_t seed = 12345;
    int rounds = san ? 60 : 300;
    for (int i = 0; i < rounds; i++) {
        unsigned char *x = malloc(len);
        memcpy(x, elf, len);
        int flips = 1 + i % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = (i % 3 == 0) ? (seed >> 33) % 64                  /* the ELF header */
                      : (i % 3 == 1) ? 64 + (seed >> 33) % (56 * 7)       /* program headers */
                                     : (seed >> 33) % len;                /* anywhere */
            x[at] ^= (unsigned char)(1u << ((seed >> 20) & 7));
        }
        snprintf(p, sizeof p, "%s/mutant", dir);
        write_file(p, x, len);
        free(x);
        struct run_config rc;
        run_config_default(&rc);
        rc.max_insns = 20000000;
        rc.frames = 4096;
        char *argv[] = {p, (char *)"200", NULL};
        struct guest_run g;
        guest_run(&rc, 2, argv, &g);
        if (g.rc != 0) {
            refusedn += g.status == 126;
        } else {
            ran++;
            const struct run_proc *first = guest_proc(&g.sum, 1);
            signaled += first && first->signaled;
            limited += g.sum.limited;
        }
        guest_free(&g);
    }
    ok(ran + refusedn == rounds, "%d mutants: %d refused (126), %d ran (%d killed by a signal, %d "
                                 "stopped by the instruction limit); vmlab stood",
       rounds, refusedn, ran, signaled, limited);
    ok(refusedn > 0 && ran > 0, "some were refused and some ran");

    /* wild system calls (tests/guest/chaos.c), in a scratch root */
    char chaos[PATH_MAX];
    guest_path("chaos", chaos, sizeof chaos);
    int stood = 0, nseeds = san ? 3 : 8;
    uint64_t unknown = 0, calls = 0;
    for (int sd = 1; sd <= nseeds; sd++) {
        char root[PATH_MAX], sdarg[16];
        if (scratch_make(root, sizeof root))
            break;
        snprintf(sdarg, sizeof sdarg, "%d", sd);
        struct run_config rc;
        run_config_default(&rc);
        rc.root = root;
        rc.max_insns = 50000000;
        rc.frames = 8192;
        char *argv[] = {chaos, sdarg, (char *)"2000", NULL};
        struct guest_run g;
        guest_run(&rc, 3, argv, &g);
        const struct run_proc *first = g.rc == 0 ? guest_proc(&g.sum, 1) : NULL;
        if (g.rc == 0 && first && first->ended && (g.status == 0 || first->signaled)) {
            stood++;
            unknown += g.sum.counts.unknown;
            calls += g.sum.counts.syscalls;
        } else {
            tap_diag("seed %d: rc %d status %d %s", sd, g.rc, g.status, g.msg);
        }
        guest_free(&g);
        scratch_remove(root);
    }
    ok(stood == nseeds && unknown > 0,
       "%d runs of 2000 wild system calls each (%llu calls, %llu of unknown numbers): each ended "
       "by exit or signal, vmlab stood", nseeds, (unsigned long long)calls, (unsigned long long)unknown);
    free(elf);
    scratch_remove(dir);
    return tap_done();
}
