/* test_kernel_units.c — the kernel's data structures alone, against simple
 * models: palloc pools, the VMA set, the SPT hash table and its slab. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ktest.h"
#include "os/kern.h"

static void test_pool(void)
{
    struct pool pl;
    is_i64(pool_init(&pl, 100, 130), 0, "pool of 130 frames at 100");
    bool seen[130] = {false};
    bool good = true;
    for (int i = 0; i < 130; i++) {
        int64_t f = pool_alloc(&pl);
        good &= f == 100 + i && !seen[f - 100];
        if (f >= 100 && f < 230)
            seen[f - 100] = true;
    }
    ok(good, "130 distinct frames, handed out in order 100, 101, ...");
    is_i64(pool_alloc(&pl), -1, "then empty");
    is_u64(pool_used(&pl), 130, "used 130");
    pool_free(&pl, 150);
    is_i64(pool_alloc(&pl), 150, "a freed frame comes back");
    for (uint64_t f = 100; f < 230; f++)
        pool_free(&pl, f);
    is_u64(pool_used(&pl), 0, "all freed");
    /* contiguous, aligned */
    int64_t c = pool_alloc_contig(&pl, 8, 16);
    ok(c >= 100 && c % 16 == 0, "8 frames aligned to 16: %lld", (long long)c);
    int64_t d = pool_alloc_contig(&pl, 8, 16);
    ok(d >= 100 && d % 16 == 0 && d != c, "a second aligned run");
    ok(pool_is_used(&pl, (uint64_t)c + 7) && !pool_is_used(&pl, (uint64_t)c + 8) == (d != c + 8),
       "bitmap reflects the runs");
    is_i64(pool_alloc_contig(&pl, 200, 1), -1, "too long a run fails");
    pool_free_contig(&pl, (uint64_t)c, 8);
    pool_free_contig(&pl, (uint64_t)d, 8);
    is_u64(pool_used(&pl), 0, "runs freed");
    /* random alloc/free vs a model */
    uint64_t seed = 5;
    bool model[130] = {false};
    good = true;
    for (int op = 0; op < 20000; op++) {
        if (kt_rng(&seed) % 2) {
            int64_t f = pool_alloc(&pl);
            int lowest = -1;
            for (int i = 129; i >= 0; i--)
                if (!model[i])
                    lowest = i;
            if (f < 0)
                good &= lowest < 0;
            else {
                good &= f - 100 == lowest;   /* always the lowest free frame */
                model[f - 100] = true;
            }
        } else {
            int i = (int)(kt_rng(&seed) % 130);
            if (model[i]) {
                pool_free(&pl, (uint64_t)i + 100);
                model[i] = false;
            }
        }
    }
    ok(good, "20000 random alloc/free ops agree with a model that hands out the lowest free frame");
    pool_destroy(&pl);
}

static void test_vma(void)
{
    struct vma_set s;
    vma_set_init(&s);
    struct vma v = {.start = 0x10000, .end = 0x20000, .prot = VM_PROT_READ};
    is_i64(vma_insert(&s, &v), 0, "insert");
    struct vma w = {.start = 0x1f000, .end = 0x21000};
    is_i64(vma_insert(&s, &w), -EEXIST, "overlap refused");
    w.start = 0x20000;
    is_i64(vma_insert(&s, &w), 0, "adjacent accepted");
    w.start = 0x5000;
    w.end = 0x6000;
    is_i64(vma_insert(&s, &w), 0, "below accepted");
    ok(vma_find(&s, 0x10000) && vma_find(&s, 0x10000)->start == 0x10000, "find at start");
    ok(vma_find(&s, 0x1ffff) && vma_find(&s, 0x1ffff)->start == 0x10000, "find at last byte");
    ok(vma_find(&s, 0x20000) && vma_find(&s, 0x20000)->start == 0x20000, "find in the adjacent one");
    ok(!vma_find(&s, 0x6000) && !vma_find(&s, 0x4fff) && !vma_find(&s, 0x21000), "holes are holes");
    is_u64(vma_lower_bound(&s, 0x7000), 1, "lower bound: next VMA above a hole");
    /* random vs a page model */
    uint64_t seed = 11;
    static unsigned char owner[4096];   /* page -> vma id + 1 */
    vma_set_destroy(&s);
    vma_set_init(&s);
    memset(owner, 0, sizeof owner);
    bool good = true;
    for (int op = 0; op < 3000; op++) {
        uint64_t a = kt_rng(&seed) % 4000, n = 1 + kt_rng(&seed) % 40;
        if (a + n > 4096)
            n = 4096 - a;
        if (kt_rng(&seed) % 3) {
            bool free_ = true;
            for (uint64_t i = a; i < a + n; i++)
                free_ &= !owner[i];
            struct vma x = {.start = a << 12, .end = (a + n) << 12};
            int rc = vma_insert(&s, &x);
            good &= (rc == 0) == free_;
            if (rc == 0)
                for (uint64_t i = a; i < a + n; i++)
                    owner[i] = 1;
        } else {
            struct vma *x = vma_find(&s, a << 12);
            good &= (x != NULL) == (owner[a] != 0);
            if (x) {
                for (uint64_t i = x->start >> 12; i < x->end >> 12; i++)
                    owner[i] = 0;
                vma_remove_at(&s, (unsigned)(x - s.v));
            }
        }
    }
    for (uint64_t i = 0; i < 4096; i++)
        good &= (vma_find(&s, i << 12) != NULL) == (owner[i] != 0);
    ok(good, "3000 random insert/remove ops agree with a page model");
    vma_set_destroy(&s);
}

static int count_cb(struct page *pg, void *arg)
{
    (void)pg;
    (*(int *)arg)++;
    return 0;
}

/* Stops the walk at the page whose slot is 77. */
static int find77_cb(struct page *pg, void *arg)
{
    if (pg->u.r.slot != 77)
        return 0;
    *(struct page **)arg = pg;
    return 1;
}

/* Splitting VMAs: file offsets, file bytes and descriptors follow. */
static void test_vma_split(void)
{
    struct vma_set s;
    vma_set_init(&s);
    int fd = open("/dev/null", O_RDONLY);
    struct vma f = {.start = 0x10000, .end = 0x20000, .prot = VM_PROT_READ, .flags = VMA_FILE,
                    .fd = fd, .offset = 0x3000, .file_bytes = 0x5800};
    vma_insert(&s, &f);
    is_i64(vma_split(&s, 0x10000), 0, "split at a VMA's start: nothing to do");
    is_u64(s.n, 1, "still one VMA");
    is_i64(vma_split(&s, 0x14000), 0, "split inside");
    is_u64(s.n, 2, "two VMAs");
    struct vma *lo = vma_find(&s, 0x13fff), *hi = vma_find(&s, 0x14000);
    ok(lo && hi && lo != hi, "the halves are distinct");
    is_u64(lo->end, 0x14000, "lower half ends at the cut");
    is_u64(lo->file_bytes, 0x4000, "lower half: its 16 KiB of file bytes");
    is_u64(hi->offset, 0x7000, "upper half starts 16 KiB further into the file");
    is_u64(hi->file_bytes, 0x1800, "upper half: the rest of the file bytes");
    ok(hi->fd >= 0 && hi->fd != lo->fd, "upper half has its own descriptor");
    is_i64(vma_split(&s, 0x19000), 0, "split past the file bytes");
    is_u64(vma_find(&s, 0x19000)->file_bytes, 0, "nothing of the file beyond them");
    is_i64(vma_split(&s, 0x30000), 0, "split in a hole: nothing to do");
    is_u64(s.n, 3, "three VMAs");
    for (unsigned i = 0; i < s.n; i++)
        close(s.v[i].fd);
    vma_set_destroy(&s);
}

static void test_spt(void)
{
    struct spt t;
    is_i64(spt_init(&t), 0, "spt init");
    is_u64(sizeof(struct page), 32, "struct page is 32 bytes");
    const int n = 5000;
    bool good = true;
    for (int i = 0; i < n; i++) {
        struct page *pg = page_new(&t, NULL, 0x400000 + (uint64_t)i * 4096 * 3, PAGE_ANON);
        pg->u.r.slot = (uint32_t)i;
        good &= spt_insert(&t, pg) == 0;
    }
    ok(good, "%d inserts", n);
    struct page *dup = page_new(&t, NULL, 0x400000, PAGE_ANON);
    is_i64(spt_insert(&t, dup), -EEXIST, "duplicate refused");
    page_free(&t, dup);
    good = true;
    for (int i = 0; i < n; i++) {
        struct page *pg = spt_find(&t, 0x400000 + (uint64_t)i * 4096 * 3 + 123);
        good &= pg && pg->u.r.slot == (uint32_t)i;
        good &= !spt_find(&t, 0x400000 + (uint64_t)i * 4096 * 3 + 4096);
    }
    ok(good, "every page found (by any address inside it), neighbours absent");
    ok(spt_bucket_bytes(&t) / (size_t)n <= 16, "bucket array: %zu bytes per page",
       spt_bucket_bytes(&t) / (size_t)n);
    struct page *found = NULL;
    is_i64(spt_for_each(&t, find77_cb, &found), 1, "a walk stops where its callback says");
    ok(found && page_va(found) == 0x400000 + 77 * 3 * 4096, "and that is the page asked for");
    for (int i = 0; i < n; i += 2) {
        struct page *pg = spt_find(&t, 0x400000 + (uint64_t)i * 4096 * 3);
        spt_remove(&t, pg);
        page_free(&t, pg);
    }
    is_u64(t.count, (uint64_t)n / 2, "half removed");
    good = true;
    for (int i = 0; i < n; i++)
        good &= (spt_find(&t, 0x400000 + (uint64_t)i * 4096 * 3) != NULL) == (i % 2 == 1);
    ok(good, "exactly the odd ones remain");
    int cnt = 0;
    is_i64(spt_for_each(&t, count_cb, &cnt), 0, "a whole walk");
    is_i64(cnt, n / 2, "visits every remaining page once");
    spt_kill(&t);
}

int main(void)
{
    test_pool();
    test_vma();
    test_vma_split();
    test_spt();
    return tap_done();
}
