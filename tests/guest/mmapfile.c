/* mmapfile.c — a file mapped MAP_SHARED and MAP_PRIVATE: writes through the
 * shared mapping are seen by read() at once and reach the file; writes
 * through the private one reach neither; the tail of the last page reads
 * zero; munmap and msync-free write-back at unmap. `mmapfile PAGES`
 * (default 64). Run it in a scratch directory (vmlab run --root). */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

int main(int argc, char **argv)
{
    long pages = arg(argc, argv, 1, 64);
    size_t len = (size_t)pages * 4096 - 100;   /* the last page is partly past the end */
    int fd = open("mapped.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
    CHECK(fd >= 0);
    unsigned char *buf = malloc(len);
    CHECK(buf);
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(i * 7 + 3);
    CHECK(write(fd, buf, len) == (ssize_t)len);
    unsigned char *sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unsigned char *pv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(sh != MAP_FAILED && pv != MAP_FAILED);
    uint64_t h = 0;
    for (size_t i = 0; i < len; i += 13)
        h = mix(h, sh[i]);
    CHECK(memcmp(sh, buf, len) == 0 && memcmp(pv, buf, len) == 0);
    for (size_t i = len; i < (size_t)pages * 4096; i++)
        CHECK(sh[i] == 0);   /* past end of file, within the last page */
    for (long p = 0; p < pages; p++)
        sh[p * 4096 + 5] = 0xee;   /* through the shared mapping */
    pv[7] = 0x11;                  /* through the private one */
    unsigned char b[16];
    CHECK(pread(fd, b, 16, 4096) == 16 && b[5] == 0xee);   /* read() sees the mapping's write */
    CHECK(pread(fd, b, 16, 0) == 16 && b[7] == buf[7]);    /* the private write is private */
    CHECK(pv[5 + 4096] == buf[5 + 4096] || pv[5 + 4096] == 0xee);
    CHECK(munmap(sh, len) == 0 && munmap(pv, len) == 0);
    close(fd);
    fd = open("mapped.bin", O_RDONLY);
    unsigned char *again = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(again != MAP_FAILED);
    long changed = 0;
    for (size_t i = 0; i < len; i++)
        if (again[i] != buf[i])
            changed++;
    CHECK(again[5] == 0xee && again[7] == buf[7]);
    munmap(again, len);
    close(fd);
    /* anonymous shared memory survives fork as shared */
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shared != MAP_FAILED);
    *shared = 1;
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        *shared = 42;
        _exit(0);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && *shared == 42);
    CHECK(unlink("mapped.bin") == 0);
    printf("mapped %ld pages, hash %016llx, %ld bytes changed on disk\n", pages, (unsigned long long)h,
           changed);
    return 0;
}
