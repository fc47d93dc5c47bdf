/* escape.c — tries every way out of `vmlab run --root DIR` it knows and
 * prints what each attempt got (vmlab only: under qemu-user nothing is
 * confined). argv[1] is the absolute host path of a file outside DIR;
 * standard input may be a directory outside DIR. test_run_root.c sets the
 * scene (inside.txt, link-abs -> /etc/passwd, link-up -> ../../..<outside>,
 * dirlink -> /) and checks the host afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"

static void report(const char *what, long r)
{
    printf("%-28s %s\n", what, r >= 0 ? "ok" : strerror(errno));
}

static long try_open(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd >= 0)
        close(fd);
    return fd;
}

int main(int argc, char **argv)
{
    const char *outside = argc > 1 ? argv[1] : "/etc/passwd";
    char up[8192] = "";
    for (int i = 0; i < 24; i++)
        strcat(up, "../");
    strcat(up, outside + 1);
    report("open outside (absolute)", try_open(outside));
    report("open outside (../ x24)", try_open(up));
    report("open link-abs", try_open("link-abs"));
    report("open link-up", try_open("link-up"));
    report("open dirlink/inside.txt", try_open("dirlink/inside.txt"));
    report("open /inside.txt", try_open("/inside.txt"));
    report("access outside", access(outside, F_OK));
    struct stat st;
    report("stat outside", stat(outside, &st));
    report("unlink outside", unlink(outside));
    report("unlink ../ x24 outside", unlink(up));
    int fd = open("new.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    report("create new.txt", fd);
    if (fd >= 0) {
        write(fd, "new\n", 4);
        close(fd);
    }
    report("mkdir ../escaped", mkdir("../escaped", 0755));
    report("rename to ../../moved.txt", rename("inside.txt", "../../moved.txt"));
    report("chdir ../../..", chdir("../../.."));
    char cwd[4096];
    printf("%-28s %s\n", "getcwd", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
    int dfd = open("dirlink", O_RDONLY | O_DIRECTORY);
    report("open dirlink as a directory", dfd);
    report("openat(dirlink, ../../x)", dfd >= 0 ? openat(dfd, "../../moved.txt", O_RDONLY) : -1);
    report("openat(stdin, a name)", openat(0, "secret.txt", O_RDONLY));
    report("unlinkat(stdin, a name)", unlinkat(0, "secret.txt", 0));
    report("mkdirat(stdin, a name)", mkdirat(0, "made-outside", 0755));
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    printf("%-28s %s\n", "readlink /proc/self/exe", n > 0 ? "ok" : strerror(errno));
    return 0;
}
