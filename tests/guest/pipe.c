/* pipe.c — two processes and two pipes: the parent streams N bytes in
 * pieces of every size into a pipe that a child (re-executed with the pipe
 * as its standard input) reads to the end and checksums; the child sends
 * its count and checksum back over a second pipe (mode "fork": the child
 * reads without exec, for qemu-user, which cannot exec a RISC-V program
 * without binfmt). Then a write to a pipe whose reader is gone: EPIPE with
 * SIGPIPE ignored, death by SIGPIPE with the default action.
 * `pipe N [exec|fork]` (default 1 MiB, exec). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

static int consumer(int back)
{
    unsigned char buf[3000];
    uint64_t h = 0, total = 0;
    for (ssize_t r; (r = read(0, buf, sizeof buf)) != 0;) {
        CHECK(r > 0);
        for (ssize_t i = 0; i < r; i++)
            h = mix(h, buf[i]);
        total += (uint64_t)r;
    }
    uint64_t msg[2] = {total, h};
    CHECK(write(back, msg, sizeof msg) == sizeof msg);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "consume"))
        return consumer((int)arg(argc, argv, 2, 3));
    long n = arg(argc, argv, 1, 1 << 20);
    int down[2], up[2];
    CHECK(pipe(down) == 0 && pipe(up) == 0);
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CHECK(dup2(down[0], 0) == 0);
        close(down[0]);
        close(down[1]);
        close(up[0]);
        if (argc > 2 && !strcmp(argv[2], "fork"))
            _exit(consumer(up[1]));
        char fd[16];
        snprintf(fd, sizeof fd, "%d", up[1]);
        char self[4096];   /* qemu-user answers readlink of /proc/self/exe, not execve of it */
        ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
        CHECK(l > 0);
        self[l] = 0;
        execl(self, argv[0], "consume", fd, (char *)NULL);
        _exit(98);
    }
    close(down[0]);
    close(up[1]);
    unsigned char *buf = malloc(70000);
    CHECK(buf);
    uint64_t h = 0;
    for (long sent = 0; sent < n;) {
        long piece = 1 + (long)(rnd() % 70000);
        if (piece > n - sent)
            piece = n - sent;
        for (long i = 0; i < piece; i++) {
            buf[i] = (unsigned char)(rnd() >> 48);
            h = mix(h, buf[i]);
        }
        CHECK(write(down[1], buf, (size_t)piece) == piece);   /* blocks while the pipe is full */
        sent += piece;
    }
    close(down[1]);
    uint64_t msg[2];
    CHECK(read(up[0], msg, sizeof msg) == sizeof msg);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("child read %llu of %ld bytes, checksums %s\n", (unsigned long long)msg[0], n,
           msg[1] == h ? "agree" : "DIFFER");

    /* a pipe with no reader */
    int p[2];
    CHECK(pipe(p) == 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE);
    signal(SIGPIPE, SIG_DFL);
    pid = fork();
    if (pid == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    printf("writer without a reader: %s %d\n", WIFSIGNALED(status) ? "killed by signal" : "exited",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return 0;
}
