/* swap.c — the swap device: slot bitmap, page I/O, checksums, fault injection.
 *
 * Locking rules
 *   sw->lock        guards the bitmap (map, full, hint). The map words are
 *                   atomics only so that the I/O path can assert, without
 *                   the lock, that the slot it was given is allocated.
 *   sw->inject_lock guards the injection table; the I/O path looks at it
 *                   only while sw->ninject (atomic) is non-zero, so in
 *                   normal operation swap_write/swap_read take no lock.
 *   refs[slot]      the slot's owners (Linux's swap_map count): pages that
 *                   record the slot. Changed under sw->lock; a slot is free
 *                   when its count drops to zero.
 *   sums[slot]      written by swap_write/swap_alloc, read by swap_read; the
 *                   owners of the slot order those (a slot with more than
 *                   one owner is only ever read).
 *   stats           relaxed atomic counters.
 */
#include "os/swap.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SWAP_MAX_INJECT 16

/* sums[] values below SUM_FIRST are states, not checksums. */
#define SUM_UNWRITTEN 0u    /* allocated, never written: reading it is a kernel bug */
#define SUM_POISONED  1u    /* the last write failed: contents unknown */
#define SUM_FIRST     2u

struct swap_inject {
    bool on_write;
    uint64_t slot;          /* UINT64_MAX: any slot */
    unsigned count;         /* 0: entry unused */
    int err;
};

struct swap_dev {
    int fd;
    char *path;             /* NULL for an unlinked temporary file */
    char *dir;              /* a temporary file's folder */
    bool created;           /* swap_open created path: swap_close removes it */
    uint64_t nslots;
    _Atomic int last_errno; /* of the last failed transfer (EBADMSG: a checksum) */

    pthread_mutex_t lock;
    _Atomic uint64_t *map;  /* bit set: slot allocated (tail bits past nslots set) */
    uint64_t *full;         /* bit w set: map[w] is all ones (tail bits set) */
    uint64_t nmap, nfull;
    uint64_t hint;          /* full[] words below this are all ones */
    _Atomic uint64_t used;

    _Atomic uint64_t *sums; /* per-slot checksum or SUM_* state */
    uint32_t *refs;         /* per-slot owner count, under lock */

    pthread_mutex_t inject_lock;
    _Atomic unsigned ninject;
    struct swap_inject inject[SWAP_MAX_INJECT];

    _Atomic uint64_t writes, reads, write_errors, read_errors, checksum_errors;
};

/* ---- checksum ------------------------------------------------------------
 * The page is read as 512 64-bit words spread over 32 lanes (word i goes to
 * lane i % 32); each lane folds its words with
 *     x = lane ^ w;  lane = swap_halves((lo32(x) * K) ^ (x & 0xffffffff00000000))
 * The 32x32->64 multiply of the low half cannot lose information (its low
 * 32 bits give back lo32(x) since K is odd, and then the high half is
 * recovered by xor), so each step is a bijection of the lane for a fixed
 * word: a change confined to one word always changes that lane, and the
 * final folds (bijective in each input) always change the result. Swapping
 * the halves makes the next step multiply the half that was just carried,
 * so every bit gets multiplied every other step. The lanes are
 * independent: with AVX2 they are eight 256-bit registers, one
 * vpmuludq (5 cycles) per step, and a page costs about as much as copying
 * it; the portable loop computes the same value. The checksum never
 * leaves the process, so only speed ties it to one CPU feature. */
#define K1 0x9E3779B185EBCA87ull
#define K2 0xC2B2AE3D27D4EB4Full
#define K32 0x85EBCA77u
#define NLANES 32           /* 8 groups of 4: one 256-bit register per group */
#define HI32 0xffffffff00000000ull

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t mix64(uint64_t lane, uint64_t w)
{
    uint64_t x = lane ^ w;
    return rotl64(((x & 0xffffffffu) * K32) ^ (x & HI32), 32);
}

/* The last 4 lanes (after the groups were folded pairwise into one) and
 * the slot -> 64 bits. Every step is a bijection of each input. */
static uint64_t finish(const uint64_t g[4], uint64_t slot)
{
    uint64_t h = slot * K1 + K2;
    for (unsigned i = 0; i < 4; i++)
        h = rotl64((h ^ g[i]) * K2, 31);
    h ^= h >> 33;
    h *= K1;
    h ^= h >> 29;
    return h;
}

static uint64_t checksum_portable(const unsigned char *p, uint64_t slot)
{
    uint64_t lane[NLANES];
    for (unsigned i = 0; i < NLANES; i++)
        lane[i] = (i + 1) * K1;
    for (size_t off = 0; off < SWAP_SLOT_SIZE; off += 8 * NLANES) {
        for (unsigned i = 0; i < NLANES; i++) {
            uint64_t w;
            memcpy(&w, p + off + 8 * i, 8);
            lane[i] = mix64(lane[i], w);
        }
    }
    /* Fold the 8 groups of 4 lanes pairwise: 8 -> 4 -> 2 -> 1. */
    for (unsigned groups = NLANES / 4; groups > 1; groups /= 2)
        for (unsigned g = 0; g < groups / 2; g++)
            for (unsigned j = 0; j < 4; j++)
                lane[4 * g + j] = mix64(lane[8 * g + j], lane[8 * g + 4 + j]);
    return finish(lane, slot);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_CHECKSUM_AVX2 1

__attribute__((target("avx2")))
static inline __m256i mix64x4(__m256i lane, __m256i w)
{
    __m256i x = _mm256_xor_si256(lane, w);
    __m256i prod = _mm256_mul_epu32(x, _mm256_set1_epi64x(K32));
    __m256i hi = _mm256_and_si256(x, _mm256_set1_epi64x((long long)HI32));
    /* Swap the 32-bit halves of each 64-bit lane. */
    return _mm256_shuffle_epi32(_mm256_xor_si256(prod, hi), _MM_SHUFFLE(2, 3, 0, 1));
}

__attribute__((target("avx2")))
static uint64_t checksum_avx2(const unsigned char *p, uint64_t slot)
{
    __m256i acc[NLANES / 4];
    for (unsigned a = 0; a < NLANES / 4; a++)
        acc[a] = _mm256_set_epi64x((long long)((4 * a + 4) * K1), (long long)((4 * a + 3) * K1),
                                   (long long)((4 * a + 2) * K1), (long long)((4 * a + 1) * K1));
    for (size_t off = 0; off < SWAP_SLOT_SIZE; off += 8 * NLANES)
        for (unsigned a = 0; a < NLANES / 4; a++)
            acc[a] = mix64x4(acc[a], _mm256_loadu_si256((const __m256i *)(const void *)(p + off + 32 * a)));
    for (unsigned groups = NLANES / 4; groups > 1; groups /= 2)
        for (unsigned g = 0; g < groups / 2; g++)
            acc[g] = mix64x4(acc[2 * g], acc[2 * g + 1]);
    uint64_t last[4];
    _mm256_storeu_si256((__m256i *)(void *)last, acc[0]);
    return finish(last, slot);
}
#endif

uint64_t swap_page_checksum(const void *page, uint64_t slot)
{
#ifdef HAVE_CHECKSUM_AVX2
    if (__builtin_cpu_supports("avx2"))
        return checksum_avx2(page, slot);
#endif
    return checksum_portable(page, slot);
}

uint64_t swap_page_checksum_portable(const void *page, uint64_t slot)
{
    return checksum_portable(page, slot);
}

static uint64_t stored_sum(const void *page, uint64_t slot)
{
    uint64_t h = swap_page_checksum(page, slot);
    return h < SUM_FIRST ? h + SUM_FIRST : h;
}

/* ---- open / close ------------------------------------------------------ */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* An unlinked file in $TMPDIR (or /tmp): O_TMPFILE where the filesystem
 * supports it, else mkstemp + unlink. -1 with err set on failure. */
static int open_temporary(char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        set_err(err, errlen, "swap: temporary file in '%s': %s", dir, strerror(errno));
        return -1;
    }
    char *name = NULL;
    if (asprintf(&name, "%s/vmlab-swap-XXXXXX", dir) < 0) {
        set_err(err, errlen, "swap: out of memory");
        return -1;
    }
    fd = mkostemp(name, O_CLOEXEC);
    if (fd < 0)
        set_err(err, errlen, "swap: temporary file in '%s': %s", dir, strerror(errno));
    else
        unlink(name);
    free(name);
    return fd;
}

/* The named swap file: created exclusively, or (opt->overwrite) an
 * existing regular file that is not opt's kept file. */
static int open_named(const char *path, const struct swap_options *opt, bool *created, char *err,
                      size_t errlen)
{
    *created = false;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        *created = true;
        return fd;
    }
    if (errno != EEXIST) {
        set_err(err, errlen, "swap file '%s': cannot create: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    bool is_kept = stat(path, &st) == 0 && opt->keep_ino && (uint64_t)st.st_dev == opt->keep_dev &&
                   (uint64_t)st.st_ino == opt->keep_ino;
    if (is_kept) {
        set_err(err, errlen, "swap file '%s' is the input: refusing to write swap over it", path);
        return -1;
    }
    if (!opt->overwrite) {
        set_err(err, errlen, "swap file '%s' already exists: refusing to overwrite a file vmlab "
                "did not create (allow it with --swap-file-overwrite; its contents are lost)", path);
        return -1;
    }
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "swap file '%s': cannot open for writing: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        set_err(err, errlen, "swap file '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, errlen, "swap file '%s': not a regular file", path);
        close(fd);
        return -1;
    }
    if (opt->keep_ino && (uint64_t)st.st_dev == opt->keep_dev && (uint64_t)st.st_ino == opt->keep_ino) {
        set_err(err, errlen, "swap file '%s' is the input: refusing to write swap over it", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* Mark the bits past the last slot allocated (and the map words past the
 * last word full) so that the search never has to check bounds. */
static void pad_bitmap(struct swap_dev *sw)
{
    if (sw->nslots % 64)
        sw->map[sw->nmap - 1] = ~0ull << (sw->nslots % 64);
    if (sw->nmap % 64)
        sw->full[sw->nfull - 1] = ~0ull << (sw->nmap % 64);
}

struct swap_dev *swap_open(const char *path, uint64_t bytes, char *err, size_t errlen)
{
    return swap_open_with(path, bytes, NULL, err, errlen);
}

struct swap_dev *swap_open_with(const char *path, uint64_t bytes, const struct swap_options *opt,
                                char *err, size_t errlen)
{
    static const struct swap_options defaults = {0};
    if (!opt)
        opt = &defaults;
    uint64_t nslots = bytes / SWAP_SLOT_SIZE;
    if (nslots > (uint64_t)INT64_MAX / SWAP_SLOT_SIZE) {
        set_err(err, errlen, "swap: size %" PRIu64 " bytes is too large", bytes);
        return NULL;
    }
    struct swap_dev *sw = calloc(1, sizeof *sw);
    if (!sw) {
        set_err(err, errlen, "swap: out of memory");
        return NULL;
    }
    sw->fd = -1;
    sw->nslots = nslots;
    sw->nmap = (nslots + 63) / 64;
    sw->nfull = (sw->nmap + 63) / 64;
    /* calloc(0, ...) may return NULL; allocate at least one element. */
    sw->map = calloc(sw->nmap ? sw->nmap : 1, sizeof *sw->map);
    sw->full = calloc(sw->nfull ? sw->nfull : 1, sizeof *sw->full);
    sw->sums = calloc(nslots ? nslots : 1, sizeof *sw->sums);
    sw->refs = calloc(nslots ? nslots : 1, sizeof *sw->refs);
    if (!sw->map || !sw->full || !sw->sums || !sw->refs) {
        set_err(err, errlen, "swap: cannot allocate tables for %" PRIu64 " slots", nslots);
        goto fail;
    }
    pad_bitmap(sw);

    if (path) {
        sw->path = strdup(path);
        if (!sw->path) {
            set_err(err, errlen, "swap: out of memory");
            goto fail;
        }
        sw->fd = open_named(path, opt, &sw->created, err, errlen);
    } else {
        const char *dir = getenv("TMPDIR");
        sw->dir = strdup(dir && *dir ? dir : "/tmp");
        sw->fd = sw->dir ? open_temporary(err, errlen) : -1;
    }
    if (sw->fd < 0)
        goto fail;
    /* Discard old contents, then size the file: sparse, so a large device
     * costs disk only as slots are written. */
    if (ftruncate(sw->fd, 0) != 0 || ftruncate(sw->fd, (off_t)(nslots * SWAP_SLOT_SIZE)) != 0) {
        set_err(err, errlen, "swap file '%s': cannot size to %" PRIu64 " bytes: %s",
                swap_path(sw), nslots * SWAP_SLOT_SIZE, strerror(errno));
        goto fail;
    }
    /* Some special files (procfs, sysfs) accept ftruncate and ignore it. */
    struct stat st = { 0 };
    if (fstat(sw->fd, &st) != 0 || (uint64_t)st.st_size != nslots * SWAP_SLOT_SIZE) {
        set_err(err, errlen, "swap file '%s': cannot be sized to %" PRIu64 " bytes (it stays %lld)",
                swap_path(sw), nslots * SWAP_SLOT_SIZE, (long long)st.st_size);
        goto fail;
    }
    pthread_mutex_init(&sw->lock, NULL);
    pthread_mutex_init(&sw->inject_lock, NULL);
    return sw;

fail:
    if (sw->fd >= 0)
        close(sw->fd);
    if (sw->created)
        unlink(sw->path);
    free(sw->path);
    free(sw->dir);
    free(sw->map);
    free(sw->full);
    free(sw->sums);
    free(sw->refs);
    free(sw);
    return NULL;
}

void swap_close(struct swap_dev *sw)
{
    if (!sw)
        return;
    close(sw->fd);
    if (sw->created)
        unlink(sw->path);   /* vmlab made it: it leaves nothing behind */
    pthread_mutex_destroy(&sw->lock);
    pthread_mutex_destroy(&sw->inject_lock);
    free(sw->path);
    free(sw->dir);
    free(sw->map);
    free(sw->full);
    free(sw->sums);
    free(sw->refs);
    free(sw);
}

uint64_t swap_slots(const struct swap_dev *sw)
{
    return sw->nslots;
}

uint64_t swap_slots_used(const struct swap_dev *sw)
{
    return atomic_load_explicit(&sw->used, memory_order_relaxed);
}

const char *swap_path(const struct swap_dev *sw)
{
    return sw->path ? sw->path : "(temporary)";
}

int swap_fd(const struct swap_dev *sw)
{
    return sw->fd;
}

bool swap_created(const struct swap_dev *sw)
{
    return sw->created;
}

int swap_last_error(const struct swap_dev *sw)
{
    return atomic_load_explicit(&sw->last_errno, memory_order_relaxed);
}

const char *swap_describe_error(const struct swap_dev *sw, char *buf, size_t len)
{
    int e = swap_last_error(sw);
    if (!e)
        snprintf(buf, len, "%s", "");
    else if (sw->path)   /* the errno first: a short buffer cuts the path, not the reason */
        snprintf(buf, len, "%s in swap file '%s'",
                 e == EBADMSG ? "a slot failed its checksum" : strerror(e), sw->path);
    else
        snprintf(buf, len, "%s in a temporary swap file in '%s'",
                 e == EBADMSG ? "a slot failed its checksum" : strerror(e), sw->dir);
    return buf;
}

/* ---- allocation -------------------------------------------------------- */

int64_t swap_alloc(struct swap_dev *sw)
{
    int64_t slot = -1;
    pthread_mutex_lock(&sw->lock);
    while (sw->hint < sw->nfull && sw->full[sw->hint] == ~0ull)
        sw->hint++;
    if (sw->hint < sw->nfull) {
        uint64_t w = sw->hint * 64 + (uint64_t)__builtin_ctzll(~sw->full[sw->hint]);
        uint64_t bits = atomic_load_explicit(&sw->map[w], memory_order_relaxed);
        unsigned b = (unsigned)__builtin_ctzll(~bits);
        bits |= 1ull << b;
        atomic_store_explicit(&sw->map[w], bits, memory_order_relaxed);
        if (bits == ~0ull)
            sw->full[w / 64] |= 1ull << (w % 64);
        slot = (int64_t)(w * 64 + b);
        sw->refs[slot] = 1;
        atomic_store_explicit(&sw->sums[slot], SUM_UNWRITTEN, memory_order_relaxed);
        atomic_fetch_add_explicit(&sw->used, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&sw->lock);
    return slot;
}

void swap_free(struct swap_dev *sw, uint64_t slot)
{
    assert(slot < sw->nslots && "swap_free: slot out of range");
    uint64_t w = slot / 64, bit = 1ull << (slot % 64);
    pthread_mutex_lock(&sw->lock);
    uint64_t bits = atomic_load_explicit(&sw->map[w], memory_order_relaxed);
    assert((bits & bit) && sw->refs[slot] && "swap_free: double free of a swap slot");
    if (--sw->refs[slot] == 0) {
        atomic_store_explicit(&sw->map[w], bits & ~bit, memory_order_relaxed);
        sw->full[w / 64] &= ~(1ull << (w % 64));
        if (w / 64 < sw->hint)
            sw->hint = w / 64;
        atomic_fetch_sub_explicit(&sw->used, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&sw->lock);
    (void)bits;
}

bool swap_dup(struct swap_dev *sw, uint64_t slot)
{
    assert(slot < sw->nslots && "swap_dup: slot out of range");
    pthread_mutex_lock(&sw->lock);
    assert(sw->refs[slot] && "swap_dup: slot not allocated");
    bool ok = sw->refs[slot] < UINT32_MAX;
    if (ok)
        sw->refs[slot]++;
    pthread_mutex_unlock(&sw->lock);
    return ok;
}

unsigned swap_count(struct swap_dev *sw, uint64_t slot)
{
    assert(slot < sw->nslots && "swap_count: slot out of range");
    pthread_mutex_lock(&sw->lock);
    unsigned n = sw->refs[slot];
    pthread_mutex_unlock(&sw->lock);
    return n;
}

static bool slot_allocated(const struct swap_dev *sw, uint64_t slot)
{
    uint64_t bits = atomic_load_explicit(&sw->map[slot / 64], memory_order_relaxed);
    return (bits >> (slot % 64)) & 1;
}

/* ---- fault injection --------------------------------------------------- */

void swap_inject_error(struct swap_dev *sw, bool on_write, uint64_t slot, unsigned count, int err)
{
    pthread_mutex_lock(&sw->inject_lock);
    struct swap_inject *e = NULL, *unused = NULL;
    for (unsigned i = 0; i < SWAP_MAX_INJECT; i++) {
        struct swap_inject *x = &sw->inject[i];
        if (x->count && x->on_write == on_write && x->slot == slot)
            e = x;
        else if (!x->count && !unused)
            unused = x;
    }
    if (!e)
        e = unused;
    assert(e && "swap_inject_error: too many injections at once");
    assert((err != 0 || count == 0) && "swap_inject_error: errno 0 injects nothing");
    bool was_active = e->count != 0;
    *e = (struct swap_inject){ .on_write = on_write, .slot = slot, .count = count,
                               .err = err > 0 ? err : -err };
    if (was_active && !count)
        atomic_fetch_sub(&sw->ninject, 1);
    else if (!was_active && count)
        atomic_fetch_add(&sw->ninject, 1);
    pthread_mutex_unlock(&sw->inject_lock);
}

/* If an injection matches this transfer, consume one and return -err.
 * An entry for this very slot wins over an any-slot entry. */
static int injected_error(struct swap_dev *sw, bool on_write, uint64_t slot)
{
    if (atomic_load_explicit(&sw->ninject, memory_order_acquire) == 0)
        return 0;
    int ret = 0;
    pthread_mutex_lock(&sw->inject_lock);
    struct swap_inject *hit = NULL;
    for (unsigned i = 0; i < SWAP_MAX_INJECT; i++) {
        struct swap_inject *x = &sw->inject[i];
        if (!x->count || x->on_write != on_write)
            continue;
        if (x->slot == slot) {
            hit = x;
            break;
        }
        if (x->slot == UINT64_MAX && !hit)
            hit = x;
    }
    if (hit) {
        ret = -hit->err;
        if (--hit->count == 0)
            atomic_fetch_sub(&sw->ninject, 1);
    }
    pthread_mutex_unlock(&sw->inject_lock);
    return ret;
}

/* ---- page I/O ---------------------------------------------------------- */

/* Whole-page transfers, retried on EINTR and short counts. A zero-byte
 * result (end of file: someone truncated the swap file) is -EIO. */
static int transfer_page(int fd, void *buf, off_t off, bool write)
{
    char *p = buf;
    size_t left = SWAP_SLOT_SIZE;
    while (left) {
        ssize_t n = write ? pwrite(fd, p, left, off) : pread(fd, p, left, off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EIO;
        p += n, off += n, left -= (size_t)n;
    }
    return 0;
}

int swap_write(struct swap_dev *sw, uint64_t slot, const void *page)
{
    assert(slot < sw->nslots && slot_allocated(sw, slot) && "swap_write: slot not allocated");
    int ret = injected_error(sw, true, slot);
    if (ret == 0)
        ret = transfer_page(sw->fd, (void *)page, (off_t)(slot * SWAP_SLOT_SIZE), true);
    if (ret) {
        atomic_store_explicit(&sw->sums[slot], SUM_POISONED, memory_order_relaxed);
        atomic_fetch_add_explicit(&sw->write_errors, 1, memory_order_relaxed);
        atomic_store_explicit(&sw->last_errno, -ret, memory_order_relaxed);
        return ret;
    }
    atomic_store_explicit(&sw->sums[slot], stored_sum(page, slot), memory_order_relaxed);
    atomic_fetch_add_explicit(&sw->writes, 1, memory_order_relaxed);
    return 0;
}

int swap_read(struct swap_dev *sw, uint64_t slot, void *page)
{
    assert(slot < sw->nslots && slot_allocated(sw, slot) && "swap_read: slot not allocated");
    uint64_t want = atomic_load_explicit(&sw->sums[slot], memory_order_relaxed);
    assert(want != SUM_UNWRITTEN && "swap_read: slot never written");
    int ret = injected_error(sw, false, slot);
    if (ret == 0 && want == SUM_POISONED)
        ret = -EIO;
    if (ret == 0)
        ret = transfer_page(sw->fd, page, (off_t)(slot * SWAP_SLOT_SIZE), false);
    if (ret) {
        atomic_fetch_add_explicit(&sw->read_errors, 1, memory_order_relaxed);
        atomic_store_explicit(&sw->last_errno, -ret, memory_order_relaxed);
        return ret;
    }
    if (stored_sum(page, slot) != want) {
        atomic_fetch_add_explicit(&sw->checksum_errors, 1, memory_order_relaxed);
        atomic_store_explicit(&sw->last_errno, EBADMSG, memory_order_relaxed);
        return -EBADMSG;
    }
    atomic_fetch_add_explicit(&sw->reads, 1, memory_order_relaxed);
    return 0;
}

void swap_get_stats(const struct swap_dev *sw, struct swap_stats *out)
{
    out->writes = atomic_load_explicit(&sw->writes, memory_order_relaxed);
    out->reads = atomic_load_explicit(&sw->reads, memory_order_relaxed);
    out->write_errors = atomic_load_explicit(&sw->write_errors, memory_order_relaxed);
    out->read_errors = atomic_load_explicit(&sw->read_errors, memory_order_relaxed);
    out->checksum_errors = atomic_load_explicit(&sw->checksum_errors, memory_order_relaxed);
}
