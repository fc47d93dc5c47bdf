/* fileio.c — files through system calls and stdio, in the working
 * directory: write a file in pieces, read it back, seek, pread/pwrite,
 * append, stat, rename, readdir, unlink; mkdir and rmdir. Run it in a
 * scratch directory (vmlab run --root). `fileio N` (default 200 KiB). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"

int main(int argc, char **argv)
{
    long n = arg(argc, argv, 1, 200 * 1024);
    unsigned char *buf = malloc((size_t)n), *back = malloc((size_t)n);
    CHECK(buf && back);
    for (long i = 0; i < n; i++)
        buf[i] = (unsigned char)(rnd() >> 40);
    CHECK(mkdir("work", 0755) == 0);
    int fd = open("work/data.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
    CHECK(fd >= 0);
    for (long off = 0; off < n;) {
        long piece = 1 + (long)(rnd() % 9000);
        if (piece > n - off)
            piece = n - off;
        CHECK(write(fd, buf + off, (size_t)piece) == piece);
        off += piece;
    }
    CHECK(lseek(fd, 0, SEEK_CUR) == n);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(read(fd, back, (size_t)n) == n && memcmp(buf, back, (size_t)n) == 0);
    CHECK(read(fd, back, 1) == 0);   /* end of file */
    unsigned char patch[64];
    memset(patch, 0xab, sizeof patch);
    CHECK(pwrite(fd, patch, sizeof patch, n / 2) == (ssize_t)sizeof patch);
    CHECK(pread(fd, back, 64, n / 2) == 64 && back[0] == 0xab && back[63] == 0xab);
    CHECK(lseek(fd, 0, SEEK_CUR) == n);   /* pread/pwrite leave the offset */
    close(fd);

    FILE *f = fopen("work/log.txt", "w");
    CHECK(f);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d %llx\n", i, (unsigned long long)rnd());
    CHECK(fclose(f) == 0);
    f = fopen("work/log.txt", "a");
    fprintf(f, "appended\n");
    fclose(f);
    f = fopen("work/log.txt", "r");
    char line[256];
    int lines = 0;
    uint64_t h = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        for (char *p = line; *p; p++)
            h = mix(h, (unsigned char)*p);
    }
    fclose(f);
    struct stat st;
    CHECK(stat("work/data.bin", &st) == 0 && st.st_size == n && S_ISREG(st.st_mode));
    CHECK(rename("work/log.txt", "work/log2.txt") == 0);
    CHECK(access("work/log.txt", F_OK) == -1 && errno == ENOENT);
    int entries = 0;
    DIR *d = opendir("work");
    CHECK(d);
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.')
            entries++;
    closedir(d);
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd));
    CHECK(chdir("work") == 0);
    CHECK(access("log2.txt", R_OK) == 0);
    CHECK(chdir("..") == 0);
    CHECK(unlink("work/data.bin") == 0 && unlink("work/log2.txt") == 0);
    CHECK(rmdir("work") == 0);
    CHECK(open("work/none", O_RDONLY) == -1 && errno == ENOENT);
    printf("wrote and read %ld bytes, %d lines (hash %016llx), %d entries\n", n, lines,
           (unsigned long long)h, entries);
    return 0;
}
