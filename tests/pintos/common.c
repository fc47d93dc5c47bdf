/* common.c — see common.h. */
#include "common.h"

const char sample_text[] =
    "Every page of a PintOS process starts out uninit: the first fault\n"
    "claims a frame and fills it from the executable, from swap, or with\n"
    "zeros. When the user pool runs dry the clock hand sweeps, clears the\n"
    "accessed bits it passes, and takes the first frame nobody touched.\n"
    "A clean page is dropped; a dirty one is written out before it goes.\n";
const unsigned sample_size = sizeof sample_text - 1;

int open_or_fail(const char *name)
{
    int fd = open(name);
    if (fd < 2)
        fail("open \"%s\": %d", name, fd);
    return fd;
}

void check_file(const char *name, const void *want, size_t len)
{
    static char buf[64 << 10];
    int fd = open_or_fail(name);
    int size = filesize(fd);
    if (size != (int)len)
        fail("size of \"%s\" is %d, not %zu", name, size, len);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof buf ? len - done : sizeof buf;
        int got = read(fd, buf, (unsigned)n);
        if (got != (int)n)
            fail("read of \"%s\" at %zu: %d, not %zu", name, done, got, n);
        if (memcmp(buf, (const char *)want + done, n))
            fail("\"%s\" differs from what was expected in bytes %zu..%zu", name, done, done + n);
        done += n;
    }
    close(fd);
}

static char area[3 * PGSIZE] __attribute__((aligned(4096)));

void *boundary_area(size_t n)
{
    return area + PGSIZE * 2 - n / 2;
}

char *boundary_str(const char *s)
{
    char *p = boundary_area(strlen(s) + 1);
    strlcpy(p, s, strlen(s) + 1);
    return p;
}
