/* test_swap.c — the swap device: allocation against a model, data round
 * trips, checksum detection, injected and real I/O errors, bad paths. */
#include "os/swap.h"
#include "lib/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG SWAP_SLOT_SIZE

static uint64_t rng_state;
static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static void fill_page(unsigned char *p, uint64_t seed)
{
    uint64_t s = rng_state;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < PG; i += 8) {
        uint64_t v = rng();
        memcpy(p + i, &v, 8);
    }
    rng_state = s;
}

static struct swap_dev *open_tmp(uint64_t bytes)
{
    char err[256] = "";
    struct swap_dev *sw = swap_open(NULL, bytes, err, sizeof err);
    if (!sw)
        tap_diag("swap_open: %s", err);
    return sw;
}

/* Lowest free slot in the model, or -1. */
static int64_t model_lowest_free(const bool *used, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (!used[i])
            return (int64_t)i;
    return -1;
}

static void test_sizes(void)
{
    struct swap_dev *sw = open_tmp(PG - 1);
    ok(sw != NULL, "bytes smaller than a slot opens");
    is_u64(swap_slots(sw), 0, "  ... with 0 slots");
    is_i64(swap_alloc(sw), -1, "  ... and alloc fails");
    is_str(swap_path(sw), "(temporary)", "temporary path is named (temporary)");
    swap_close(sw);

    sw = open_tmp(0);
    ok(sw && swap_slots(sw) == 0 && swap_alloc(sw) == -1, "0 bytes: 0 slots, alloc fails");
    swap_close(sw);

    sw = open_tmp(3 * PG + 100);
    is_u64(swap_slots(sw), 3, "3 slots + 100 bytes rounds down to 3 slots");
    struct stat st;
    ok(fstat(swap_fd(sw), &st) == 0 && st.st_size == 3 * PG && st.st_nlink == 0,
       "temporary file is unlinked and sized to 3 slots (size %lld, nlink %lu)",
       (long long)st.st_size, (unsigned long)st.st_nlink);
    swap_close(sw);

    char err[256] = "";
    sw = swap_open(NULL, UINT64_MAX, err, sizeof err);
    ok(sw == NULL && strstr(err, "too large"), "UINT64_MAX bytes is refused: %s", err);
}

static void test_alloc_all(void)
{
    const uint64_t n = 1000;   /* not a multiple of 64: exercises the tail padding */
    struct swap_dev *sw = open_tmp(n * PG);
    bool inorder = true;
    for (uint64_t i = 0; i < n; i++)
        if (swap_alloc(sw) != (int64_t)i)
            inorder = false;
    ok(inorder, "allocating every slot hands out 0..%llu in order", (unsigned long long)n - 1);
    is_u64(swap_slots_used(sw), n, "all slots used");
    is_i64(swap_alloc(sw), -1, "full device: alloc returns -1");
    is_i64(swap_alloc(sw), -1, "  ... and again");
    swap_free(sw, 777);
    swap_free(sw, 3);
    is_i64(swap_alloc(sw), 3, "after freeing 777 and 3, lowest free (3) comes first");
    is_i64(swap_alloc(sw), 777, "  ... then 777");
    is_i64(swap_alloc(sw), -1, "  ... then full again");
    for (uint64_t i = 0; i < n; i++)
        swap_free(sw, i);
    is_u64(swap_slots_used(sw), 0, "freeing every slot leaves 0 used");
    swap_close(sw);
}

/* Random alloc/free sequences checked against a bool-array model. */
static void test_alloc_model(void)
{
    const uint64_t sizes[] = { 1, 63, 64, 65, 4095, 4097, 9000 };
    bool good = true;
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes && good; k++) {
        uint64_t n = sizes[k];
        struct swap_dev *sw = open_tmp(n * PG);
        bool *used = calloc(n, 1);
        uint64_t nused = 0;
        rng_state = 12345 + k;
        for (int op = 0; op < 40000 && good; op++) {
            bool do_alloc = nused == 0 || (rng() % 100) < (nused < n / 2 ? 60 : 45);
            if (do_alloc) {
                int64_t want = model_lowest_free(used, n);
                int64_t got = swap_alloc(sw);
                if (got != want) {
                    tap_diag("n=%llu op %d: alloc %lld, model %lld", (unsigned long long)n, op,
                             (long long)got, (long long)want);
                    good = false;
                }
                if (got >= 0) {
                    used[got] = true;
                    nused++;
                }
            } else {
                uint64_t s;
                do
                    s = rng() % n;
                while (!used[s]);
                swap_free(sw, s);
                used[s] = false;
                nused--;
            }
            if (swap_slots_used(sw) != nused) {
                tap_diag("n=%llu op %d: used %llu, model %llu", (unsigned long long)n, op,
                         (unsigned long long)swap_slots_used(sw), (unsigned long long)nused);
                good = false;
            }
        }
        free(used);
        swap_close(sw);
    }
    ok(good, "random alloc/free sequences match the lowest-free-first model");
}

static void test_roundtrip(void)
{
    const uint64_t n = 512;
    unsigned char *page = malloc(PG), *back = malloc(PG);
    bool good = true;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct swap_dev *sw = open_tmp(n * PG);
        uint64_t *gen = calloc(n, sizeof *gen);   /* which fill seed each slot holds */
        for (uint64_t i = 0; i < n; i++)
            swap_alloc(sw);
        rng_state = seed;
        for (int op = 0; op < 3000; op++) {
            uint64_t s = rng() % n;
            if (!gen[s] || rng() % 3 == 0) {
                gen[s] = rng() | 1;
                fill_page(page, gen[s]);
                int r = swap_write(sw, s, page);
                if (r) {
                    tap_diag("write slot %llu: %d", (unsigned long long)s, r);
                    good = false;
                }
            } else {
                int r = swap_read(sw, s, back);
                fill_page(page, gen[s]);
                if (r || memcmp(page, back, PG) != 0) {
                    tap_diag("seed %llu slot %llu: read %d or data differs",
                             (unsigned long long)seed, (unsigned long long)s, r);
                    good = false;
                }
            }
        }
        struct swap_stats st;
        swap_get_stats(sw, &st);
        if (st.write_errors || st.read_errors || st.checksum_errors || st.writes + st.reads != 3000)
            good = false;
        free(gen);
        swap_close(sw);
    }
    ok(good, "pages written to random slots read back intact (4 seeds x 3000 ops)");
    free(page);
    free(back);
}

static void test_checksum(void)
{
    struct swap_dev *sw = open_tmp(8 * PG);
    unsigned char *page = malloc(PG), *back = malloc(PG), *junk = malloc(PG);
    int64_t a = swap_alloc(sw), b = swap_alloc(sw);
    fill_page(page, 7);
    ok(swap_write(sw, a, page) == 0 && swap_read(sw, a, back) == 0 && !memcmp(page, back, PG),
       "slot written and read back");

    /* One flipped bit in the middle of the slot. */
    unsigned char c = page[1234] ^ 0x10;
    ok(pwrite(swap_fd(sw), &c, 1, a * PG + 1234) == 1, "corrupt one bit in the file");
    is_i64(swap_read(sw, a, back), -EBADMSG, "one flipped bit: -EBADMSG");

    /* A whole page of garbage. */
    fill_page(junk, 99);
    ok(pwrite(swap_fd(sw), junk, PG, a * PG) == PG, "overwrite the slot with garbage");
    is_i64(swap_read(sw, a, back), -EBADMSG, "garbage page: -EBADMSG");

    /* Two top bits flipped in different words: cancels in a plain sum. */
    ok(swap_write(sw, a, page) == 0, "rewrite the slot");
    memcpy(junk, page, PG);
    junk[7] ^= 0x80;
    junk[15] ^= 0x80;
    ok(pwrite(swap_fd(sw), junk, PG, a * PG) == PG, "flip the top bit of two words");
    is_i64(swap_read(sw, a, back), -EBADMSG, "two top-bit flips: -EBADMSG");

    /* The same page content in another slot: the checksum is slot-seeded,
     * so data that landed at the wrong offset is caught. */
    ok(swap_write(sw, a, page) == 0 && swap_write(sw, b, page) == 0, "same page in slots a and b");
    fill_page(junk, 3);
    ok(swap_write(sw, b, junk) == 0, "b rewritten with other data");
    ok(pwrite(swap_fd(sw), page, PG, b * PG) == PG, "stale copy of a's page put at b's offset");
    /* b's stored checksum is of junk, the file holds page: mismatch. */
    is_i64(swap_read(sw, b, back), -EBADMSG, "stale data at b: -EBADMSG");
    ok(swap_page_checksum(page, a) != swap_page_checksum(page, b), "checksum depends on the slot");

    ok(swap_write(sw, a, page) == 0 && swap_read(sw, a, back) == 0 && !memcmp(page, back, PG),
       "after a rewrite the slot reads back cleanly");
    struct swap_stats st;
    swap_get_stats(sw, &st);
    is_u64(st.checksum_errors, 4, "4 checksum errors counted");
    is_u64(st.read_errors, 0, "  ... and no read errors");
    bool same = true;
    for (uint64_t i = 0; i < 200; i++) {
        fill_page(junk, 1000 + i);
        if (swap_page_checksum(junk, i * 977) != swap_page_checksum_portable(junk, i * 977))
            same = false;
    }
    ok(same, "the CPU-specific checksum equals the portable one");
    /* Every single-bit flip of one page is caught (bijective lane steps). */
    bool all = true;
    fill_page(junk, 4242);
    uint64_t base = swap_page_checksum(junk, 9);
    for (size_t bit = 0; bit < PG * 8; bit++) {
        junk[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        if (swap_page_checksum(junk, 9) == base)
            all = false;
        junk[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    ok(all, "each of the 32768 single-bit flips changes the checksum");
    /* Any new value in any one 64-bit word is caught, too. */
    rng_state = 777;
    all = true;
    for (int t = 0; t < 20000; t++) {
        size_t word = rng() % (PG / 8);
        uint64_t old, nv = rng();
        memcpy(&old, junk + 8 * word, 8);
        if (nv == old)
            continue;
        memcpy(junk + 8 * word, &nv, 8);
        if (swap_page_checksum(junk, 9) == base || swap_page_checksum_portable(junk, 9) == base)
            all = false;
        memcpy(junk + 8 * word, &old, 8);
    }
    ok(all, "20000 random one-word replacements all change the checksum");
    free(page);
    free(back);
    free(junk);
    swap_close(sw);
}

static void test_inject(void)
{
    struct swap_dev *sw = open_tmp(16 * PG);
    unsigned char *page = malloc(PG), *back = malloc(PG);
    for (int i = 0; i < 16; i++)
        swap_alloc(sw);
    fill_page(page, 5);

    swap_inject_error(sw, true, 5, 2, EIO);
    is_i64(swap_write(sw, 5, page), -EIO, "injected write error on slot 5: -EIO");
    is_i64(swap_write(sw, 6, page), 0, "slot 6 unaffected");
    is_i64(swap_read(sw, 5, back), -EIO, "reading slot 5 whose write failed: -EIO");
    is_i64(swap_write(sw, 5, page), -EIO, "second injected write error");
    is_i64(swap_write(sw, 5, page), 0, "third write succeeds");
    ok(swap_read(sw, 5, back) == 0 && !memcmp(page, back, PG), "  ... and reads back");

    swap_inject_error(sw, false, UINT64_MAX, 1, ENOSPC);
    is_i64(swap_read(sw, 6, back), -ENOSPC, "any-slot read injection (errno given positive)");
    ok(swap_read(sw, 6, back) == 0 && !memcmp(page, back, PG), "next read fine, data intact");

    swap_inject_error(sw, false, 6, 5, -EIO);
    swap_inject_error(sw, false, 6, 0, EIO);
    is_i64(swap_read(sw, 6, back), 0, "count 0 cancels an injection (errno given negative)");

    swap_inject_error(sw, false, UINT64_MAX, 1, EINVAL);
    swap_inject_error(sw, false, 5, 1, EIO);
    is_i64(swap_read(sw, 5, back), -EIO, "slot-specific injection wins over any-slot");
    is_i64(swap_read(sw, 5, back), -EINVAL, "  ... then the any-slot one fires");

    struct swap_stats st;
    swap_get_stats(sw, &st);
    is_u64(st.write_errors, 2, "2 write errors counted");
    is_u64(st.read_errors, 4, "4 read errors counted");
    is_u64(st.writes, 2, "2 good writes counted");
    is_u64(st.reads, 3, "3 good reads counted");

    /* A real error: the swap file truncated under the device. */
    ok(ftruncate(swap_fd(sw), 0) == 0, "truncate the swap file behind the device");
    is_i64(swap_read(sw, 5, back), -EIO, "read past end of file: -EIO");
    free(page);
    free(back);
    swap_close(sw);
}

static void test_paths(void)
{
    char err[512], tmp[256];
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s", t && *t ? t : "/tmp");

    struct swap_options over = {.overwrite = true};
    err[0] = 0;
    ok(swap_open_with(tmp, 4 * PG, &over, err, sizeof err) == NULL && strstr(err, tmp) &&
       strstr(err, strerror(EISDIR)), "a directory as swap file: %s", err);

    char path[512];
    snprintf(path, sizeof path, "%s/vmlab-no-such-dir-%d/swap", tmp, (int)getpid());
    err[0] = 0;
    ok(swap_open(path, 4 * PG, err, sizeof err) == NULL && strstr(err, path) &&
       strstr(err, strerror(ENOENT)), "a missing directory: %s", err);

    err[0] = 0;
    ok(swap_open_with("/dev/null", 4 * PG, &over, err, sizeof err) == NULL &&
       strstr(err, "not a regular file"), "a character device: %s", err);
    err[0] = 0;
    ok(swap_open("/dev/null", 4 * PG, err, sizeof err) == NULL && strstr(err, "already exists"),
       "without overwrite, an existing name is refused outright: %s", err);

    err[0] = 0;
    ok(swap_open_with("/proc/version", 4 * PG, &over, err, sizeof err) == NULL &&
       strstr(err, "/proc/version"), "an unwritable file: %s", err);

    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/vmlab-swap-ro-%d", tmp, (int)getpid());
        int fd = open(path, O_CREAT | O_WRONLY, 0400);
        close(fd);
        err[0] = 0;
        ok(swap_open_with(path, 4 * PG, &over, err, sizeof err) == NULL &&
           strstr(err, strerror(EACCES)), "a read-only file: %s", err);
        unlink(path);
    } else {
        tap_skip(1, "running as root: file modes do not stop writes");
    }

    char *saved = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", "/nonexistent-vmlab-dir", 1);
    err[0] = 0;
    ok(swap_open(NULL, 4 * PG, err, sizeof err) == NULL && strstr(err, "/nonexistent-vmlab-dir") &&
       strstr(err, strerror(ENOENT)), "temporary file in a missing $TMPDIR: %s", err);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);

    /* A new name: created exclusively, removed again at close. */
    snprintf(path, sizeof path, "%s/vmlab-swap-test-%d", tmp, (int)getpid());
    unlink(path);
    err[0] = 0;
    struct swap_dev *sw = swap_open(path, 3 * PG, err, sizeof err);
    struct stat st;
    ok(sw && swap_created(sw) && stat(path, &st) == 0 && st.st_size == 3 * PG &&
       (st.st_mode & 0777) == 0600, "a new swap file is created, 0600, sized: %s", err);
    swap_close(sw);
    ok(access(path, F_OK) != 0, "a swap file vmlab created is removed at close");

    /* An existing file: refused, unless overwrite; never the kept file. */
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ok(fd >= 0 && write(fd, "old contents", 12) == 12, "pre-existing file with old contents");
    close(fd);
    err[0] = 0;
    ok(swap_open(path, 10 * PG, err, sizeof err) == NULL && strstr(err, path) &&
       strstr(err, "already exists") && strstr(err, "--swap-file-overwrite"),
       "an existing file is refused: %s", err);
    char back_old[16] = "";
    fd = open(path, O_RDONLY);
    ok(fd >= 0 && read(fd, back_old, 12) == 12 && !memcmp(back_old, "old contents", 12),
       "and left as it was");
    close(fd);
    ok(stat(path, &st) == 0, "stat the existing file");
    struct swap_options keep = {.overwrite = true, .keep_dev = (uint64_t)st.st_dev,
                                .keep_ino = (uint64_t)st.st_ino};
    err[0] = 0;
    ok(swap_open_with(path, 10 * PG, &keep, err, sizeof err) == NULL && strstr(err, "is the input"),
       "the kept file (the input) is refused even with overwrite: %s", err);
    err[0] = 0;
    sw = swap_open_with(path, 10 * PG, &over, err, sizeof err);
    ok(sw != NULL && !swap_created(sw), "with overwrite the existing file opens: %s", err);
    if (sw) {
        is_str(swap_path(sw), path, "swap_path names it");
        ok(stat(path, &st) == 0 && st.st_size == 10 * PG, "file sized to 10 slots");
        unsigned char *page = malloc(PG), *back = malloc(PG);
        fill_page(page, 11);
        int64_t s = swap_alloc(sw);
        ok(s == 0 && swap_write(sw, 0, page) == 0 && swap_read(sw, 0, back) == 0 &&
           !memcmp(page, back, PG), "named file round trip");
        unsigned char first[PG];
        int rfd = open(path, O_RDONLY);
        ok(pread(rfd, first, PG, 0) == PG && !memcmp(first, page, PG),
           "page is at byte 0 of the file, old contents gone");
        close(rfd);
        char why[256];
        is_str(swap_describe_error(sw, why, sizeof why), "", "no I/O error yet: nothing to say");
        swap_inject_error(sw, true, UINT64_MAX, 1, ENOSPC);
        int64_t s2 = swap_alloc(sw);
        is_i64(swap_write(sw, (uint64_t)s2, page), -ENOSPC, "an injected full disk");
        is_i64(swap_last_error(sw), ENOSPC, "the last error is kept");
        char want[700];
        snprintf(want, sizeof want, "%s in swap file '%s'", strerror(ENOSPC), path);
        is_str(swap_describe_error(sw, why, sizeof why), want, "and described with the file");
        swap_free(sw, (uint64_t)s2);
        free(page);
        free(back);
        swap_close(sw);
        ok(access(path, F_OK) == 0, "a file vmlab did not create survives swap_close");
    }
    unlink(path);
}

/* Kernel bugs must stop vmlab, not corrupt swap: each misuse is run in a
 * child process, which must die of SIGABRT (a failed assert). */
enum misuse { DOUBLE_FREE, FREE_OUT_OF_RANGE, READ_UNWRITTEN, READ_FREED, WRITE_FREE };

static bool aborts(enum misuse m)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        struct swap_dev *sw = swap_open(NULL, 4 * PG, NULL, 0);
        unsigned char page[PG] = { 0 };
        int64_t s = swap_alloc(sw);
        switch (m) {
        case DOUBLE_FREE: swap_free(sw, s); swap_free(sw, s); break;
        case FREE_OUT_OF_RANGE: swap_free(sw, 4); break;
        case READ_UNWRITTEN: swap_read(sw, s, page); break;
        case READ_FREED: swap_write(sw, s, page); swap_free(sw, s); swap_read(sw, s, page); break;
        case WRITE_FREE: swap_write(sw, 2, page); break;
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void test_misuse(void)
{
    ok(aborts(DOUBLE_FREE), "double free asserts");
    ok(aborts(FREE_OUT_OF_RANGE), "freeing a slot past the end asserts");
    ok(aborts(READ_UNWRITTEN), "reading a slot never written asserts");
    ok(aborts(READ_FREED), "reading a freed slot asserts");
    ok(aborts(WRITE_FREE), "writing a slot that is not allocated asserts");
}

int main(void)
{
    test_sizes();
    test_alloc_all();
    test_alloc_model();
    test_roundtrip();
    test_checksum();
    test_inject();
    test_paths();
    test_misuse();
    return tap_done();
}
