/* test_kernel_cow.c — copy-on-write fork.
 *
 * Known answers: PintOS's cow-simple (the child sees the parent's frame
 * until it writes; the parent keeps its frame and data), the parent writing
 * first (it copies, the child keeps the frame, then takes it over without a
 * copy), the counters, write-protected PTEs, private file pages shared,
 * swapped-out pages sharing one slot (counted owners), huge pages shared
 * and copied, and every exit order returning everything.
 *
 * Then trees of forks under eviction and swap: fork of fork, fork after
 * partial writes, writes everywhere, exits in random order, every page of
 * every process checked against a model of what it must hold, over many
 * seeds and every policy, with frames, slots, rmaps and swap-slot owners
 * all back to zero at the end. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ktest.h"

#define BASE 0x10000000ull
#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define HPAGE_SIZE 0x200000ull
#define HPAGE_PAGES 512

static bool ld(struct cpu *c, vaddr_t va, uint64_t *v) { return cpu_load(c, va, 8, v) == 0; }
static bool st(struct cpu *c, vaddr_t va, uint64_t v) { return cpu_store(c, va, 8, v) == 0; }

static uint64_t get(struct cpu *c, vaddr_t va)
{
    uint64_t v = 0xdead;
    return ld(c, va, &v) ? v : 0xdead;
}

static struct page_info info(struct process *p, vaddr_t va)
{
    struct page_info pi;
    kernel_page_info(p, va, &pi);
    return pi;
}

static struct process *fork_of(struct process *p, struct cpu *c, const char *name)
{
    struct process *child = NULL;
    kernel_switch_to(c, NULL);
    if (kernel_process_fork(p, name, c, &child) != 0)
        abort();
    return child;
}

static void bye(struct process *p, struct cpu *c)
{
    kernel_switch_to(c, NULL);
    kernel_process_exit(p, c);
}

/* On every format: the 32-bit ones' 4-byte entries are write-protected
 * and made writable again with compare-and-swaps of their own width. */
static void test_cow_simple(enum pt_format_id fmt)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 256;
    kc.swap_bytes = 256 * 4096;
    kc.format = (int)fmt;
    struct kt t = kt_make_cfg(pt_format(fmt)->arch, 1, &kc);
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    struct process *p = kernel_process_create(t.k, "parent");
    kernel_map_anon(p, BASE, 8 * 4096, RW, 0);
    kernel_switch_to(c, p);
    for (int i = 0; i < 8; i++)
        st(c, BASE + i * 4096ull, 0x1000 + (uint64_t)i);
    paddr_t pa_parent = info(p, BASE).frame;
    struct process *ch = fork_of(p, c, "child");
    is_u64(kt_pstat(p, VMSTAT_FORK_SHARED), 8, "fork shared the 8 resident pages");
    struct page_info pi = info(ch, BASE);
    is_u64(pi.frame, pa_parent, "cow-simple: the child maps the parent's frame");
    is_u64(pi.mapcount, 2, "which has two mappings");
    ok(!pi.pte_writable && !info(p, BASE).pte_writable, "both PTEs are write-protected");
    kernel_switch_to(c, ch);
    is_u64(get(c, BASE), 0x1000, "the child reads the parent's data");
    is_u64(kt_pstat(ch, VMSTAT_PGFAULT), 0, "without a fault (its PTE maps the frame)");
    ok(st(c, BASE, 0x40), "the child writes");
    ok(info(ch, BASE).frame != pa_parent, "and gets a frame of its own");
    ok(info(ch, BASE).pte_writable, "mapped writable");
    is_u64(get(c, BASE), 0x40, "holding its write");
    is_u64(kt_pstat(ch, VMSTAT_COW_FAULT), 1, "one COW fault");
    is_u64(kt_pstat(ch, VMSTAT_COW_COPY), 1, "that copied");
    bye(ch, c);
    kernel_switch_to(c, p);
    is_u64(info(p, BASE).frame, pa_parent, "cow-simple: the parent keeps its frame");
    is_u64(get(c, BASE), 0x1000, "and its data");
    is_u64(info(p, BASE).mapcount, 1, "alone now");
    ok(st(c, BASE, 0x41), "the parent writes");
    is_u64(info(p, BASE).frame, pa_parent, "in place: the last mapper takes the frame over");
    is_u64(kt_pstat(p, VMSTAT_COW_REUSE), 1, "one COW take-over");
    is_u64(kt_pstat(p, VMSTAT_COW_COPY), 0, "no copy");

    /* the parent writes first: it copies; the child then takes over */
    paddr_t pa1 = info(p, BASE + 4096).frame;
    ch = fork_of(p, c, "child2");
    kernel_switch_to(c, p);
    st(c, BASE + 4096, 0x77);
    ok(info(p, BASE + 4096).frame != pa1, "the parent writing first gets a copy");
    is_u64(info(ch, BASE + 4096).frame, pa1, "the child keeps the frame");
    kernel_switch_to(c, ch);
    is_u64(get(c, BASE + 4096), 0x1001, "with the data of fork time");
    st(c, BASE + 4096, 0x88);
    is_u64(info(ch, BASE + 4096).frame, pa1, "and takes it over when it writes");
    is_u64(kt_pstat(ch, VMSTAT_COW_REUSE), 1, "(a take-over)");
    kernel_switch_to(c, p);
    is_u64(get(c, BASE + 4096), 0x77, "the parent's own write stays");
    bye(ch, c);
    bye(p, c);
    char what[64];
    snprintf(what, sizeof what, "cow-simple %s", pt_format(fmt)->name);
    kt_no_leaks(t.k, what);
    struct kernel_usage u;
    kernel_usage(t.k, &u);
    is_u64(u.rmaps, 0, "no reverse map left");
    cpu_detach(c);
    kt_free(&t);
}

/* Swapped-out pages share their slot; private file pages share their frame. */
static void test_cow_swap_and_file(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 8, 64, "fifo");
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    char path[] = "/tmp/vmlab-cow-XXXXXX";
    int fd = mkstemp(path);
    uint64_t w = 0xf11e;
    if (pwrite(fd, &w, 8, 0) != 8 || ftruncate(fd, 8192) != 0)
        abort();
    struct process *p = kernel_process_create(t.k, "parent");
    kernel_map_anon(p, BASE, 16 * 4096, RW, 0);
    kernel_switch_to(c, p);
    for (int i = 0; i < 16; i++)
        st(c, BASE + i * 4096ull, 0x2000 + (uint64_t)i);   /* fifo: pages 0..7 go to swap */
    struct page_info pi = info(p, BASE);
    is_u64(pi.where, PAGE_SWAPPED, "page 0 is out in swap");
    struct process *ch = fork_of(p, c, "child");
    pi = info(ch, BASE);
    is_u64(pi.where, PAGE_SWAPPED, "the child's page 0 is in swap too");
    is_u64(pi.slot_owners, 2, "the one slot has two owners");
    is_u64(kt_pstat(p, VMSTAT_FORK_SWAP_SHARED), 8, "eight slots shared at fork");
    struct kernel_usage u;
    kernel_usage(t.k, &u);
    is_u64(u.swap_slots_used, 8, "no slot copied");
    kernel_switch_to(c, ch);
    is_u64(get(c, BASE), 0x2000, "the child swaps page 0 in");
    kernel_switch_to(c, p);
    is_u64(get(c, BASE), 0x2000, "so does the parent");
    kernel_switch_to(c, ch);
    st(c, BASE + 3 * 4096, 0x33);
    kernel_switch_to(c, p);
    is_u64(get(c, BASE + 3 * 4096), 0x2003, "the child's write to a shared slot's page stays its own");
    bye(ch, c);
    bye(p, c);
    kt_no_leaks(t.k, "swap shared");

    /* a private file page (an ELF text page, a MAP_PRIVATE page) */
    p = kernel_process_create_abi(t.k, "file", KERNEL_ABI_LINUX);
    kernel_switch_to(c, p);
    vaddr_t a;
    kernel_mmap(p, 0, 8192, RW, KERNEL_MAP_PRIVATE, fd, 0, &a);
    is_u64(get(c, a), 0xf11e, "a private file page");
    ch = fork_of(p, c, "fchild");
    is_u64(info(ch, a).frame, info(p, a).frame, "is shared at fork");
    kernel_switch_to(c, ch);
    st(c, a, 0xc0de);
    kernel_switch_to(c, p);
    is_u64(get(c, a), 0xf11e, "the child's write is its own");
    bye(ch, c);
    bye(p, c);
    uint64_t v = 0;
    ok(pread(fd, &v, 8, 0) == 8 && v == 0xf11e, "and never reaches the file");
    kt_no_leaks(t.k, "file shared");
    close(fd);
    unlink(path);
    cpu_detach(c);
    kt_free(&t);
}

/* Huge pages: shared at fork, copied whole on a write -- or, with no free
 * 2 MiB run, as 512 small copies. */
static void test_cow_huge(void)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 2048;   /* from frame 1025: room for three aligned 2 MiB runs */
    kc.swap_bytes = 4096 * 4096ull;
    kc.thp = true;
    struct kt t = kt_make_cfg(PT_ARCH_X86, 1, &kc);
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    const vaddr_t H = 0x40000000;
    struct process *p = kernel_process_create(t.k, "huge");
    kernel_map_anon(p, H, 2 * HPAGE_SIZE, RW, 0);
    kernel_switch_to(c, p);
    for (uint64_t o = 0; o < 2 * HPAGE_SIZE; o += 0x8000)
        st(c, H + o, o);
    ok(info(p, H).huge && info(p, H + HPAGE_SIZE).huge, "two huge pages");
    struct process *ch = fork_of(p, c, "child");
    is_u64(info(ch, H).frame, info(p, H).frame, "the child shares the huge frame");
    is_u64(kt_pstat(p, VMSTAT_FORK_SHARED), 2 * HPAGE_PAGES, "1024 pages shared");
    kernel_switch_to(c, ch);
    st(c, H + 0x1000, 0xaaa);
    ok(info(ch, H).huge && info(ch, H).frame != info(p, H).frame, "a write copies it into a huge frame");
    /* the two originals and one copy take every aligned run there is */
    st(c, H + HPAGE_SIZE + 0x1000, 0xbbb);
    ok(!info(ch, H + HPAGE_SIZE).huge, "without a free run the copy is 512 small pages");
    bool good = true;
    for (uint64_t o = 0; o < 2 * HPAGE_SIZE; o += 0x8000)
        good &= get(c, H + o) == o;
    ok(good && get(c, H + 0x1000) == 0xaaa && get(c, H + HPAGE_SIZE + 0x1000) == 0xbbb,
       "the child's copies hold everything");
    kernel_switch_to(c, p);
    good = true;
    for (uint64_t o = 0; o < 2 * HPAGE_SIZE; o += 0x8000)
        good &= get(c, H + o) == o;
    ok(good && get(c, H + 0x1000) == 0, "the parent's huge pages are untouched");
    bye(ch, c);
    bye(p, c);
    kt_no_leaks(t.k, "huge cow");
    cpu_detach(c);
    kt_free(&t);
}

/* ---- trees of forks against a model ---- */

#define NPAGE 48
#define MAXP 8

struct mproc {
    struct process *p;
    uint64_t data[NPAGE][2];   /* what each page must hold: words 0 and 511 */
};

static int tree_seed(uint64_t seed, const char *policy, int nops)
{
    uint64_t s = seed;
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = seed % 3 == 0 ? 400 : 12 + seed % 40;   /* a third without pressure: COW copies */
    kc.swap_bytes = 4096ull * 600;
    kc.policy = policy;
    kc.format = seed % 2 ? PT_SV48 : PT_X86_64;
    struct kt t = kt_make_cfg(pt_format(kc.format)->arch, 1, &kc);
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    struct mproc m[MAXP];
    memset(m, 0, sizeof m);
    int errors = 0;
#define BAD(...)                       \
    do {                               \
        if (errors++ < 3)              \
            tap_diag(__VA_ARGS__);     \
    } while (0)
    m[0].p = kernel_process_create(t.k, "root");
    kernel_map_anon(m[0].p, BASE, NPAGE * 4096, RW, 0);
    kernel_switch_to(c, m[0].p);
    for (unsigned pg = 0; pg < NPAGE; pg++)   /* every word worth keeping from the start */
        for (unsigned w = 0; w < 2; w++) {
            m[0].data[pg][w] = kt_rng(&s);
            st(c, BASE + pg * 4096ull + w * 4088, m[0].data[pg][w]);
        }
    int live = 1;
    uint64_t copies = 0;
    for (int op = 0; op < nops; op++) {
        int j = (int)(kt_rng(&s) % MAXP);
        if (!m[j].p)
            continue;
        unsigned what = (unsigned)(kt_rng(&s) % 100);
        unsigned pg = (unsigned)(kt_rng(&s) % NPAGE);
        vaddr_t va = BASE + pg * 4096ull;
        if (what < 8 && live < MAXP) {   /* fork */
            int k = 0;
            while (m[k].p)
                k++;
            kernel_switch_to(c, NULL);
            if (kernel_process_fork(m[j].p, "kid", c, &m[k].p) != 0) {
                BAD("fork failed");
                continue;
            }
            memcpy(m[k].data, m[j].data, sizeof m[k].data);
            live++;
        } else if (what < 12 && live > 1) {   /* exit */
            copies += kt_pstat(m[j].p, VMSTAT_COW_COPY);
            bye(m[j].p, c);
            m[j].p = NULL;
            live--;
        } else if (what < 55) {   /* write one word: the other must survive a copy */
            unsigned w = (unsigned)(kt_rng(&s) % 2);
            uint64_t v = kt_rng(&s);
            kernel_switch_to(c, m[j].p);
            if (!st(c, va + w * 4088, v))
                BAD("write failed: %s", kernel_process_kill_message(m[j].p));
            m[j].data[pg][w] = v;
        } else {   /* read */
            kernel_switch_to(c, m[j].p);
            uint64_t a = 1, b = 1;
            if (!ld(c, va, &a) || !ld(c, va + 4088, &b))
                BAD("read failed: %s", kernel_process_kill_message(m[j].p));
            else if (a != m[j].data[pg][0] || b != m[j].data[pg][1])
                BAD("proc %d page %u: 0x%llx/0x%llx, want 0x%llx/0x%llx", j, pg, (unsigned long long)a,
                    (unsigned long long)b, (unsigned long long)m[j].data[pg][0],
                    (unsigned long long)m[j].data[pg][1]);
        }
    }
    for (int j = 0; j < MAXP; j++) {
        if (!m[j].p)
            continue;
        kernel_switch_to(c, m[j].p);
        for (unsigned pg = 0; pg < NPAGE; pg++)
            if (get(c, BASE + pg * 4096ull) != m[j].data[pg][0] ||
                get(c, BASE + pg * 4096ull + 4088) != m[j].data[pg][1])
                BAD("final: proc %d page %u", j, pg);
    }
    /* exits in a seed-chosen order */
    for (int left = live; left > 0; left--) {
        int j = (int)(kt_rng(&s) % MAXP);
        while (!m[j].p)
            j = (j + 1) % MAXP;
        copies += kt_pstat(m[j].p, VMSTAT_COW_COPY);
        bye(m[j].p, c);
        m[j].p = NULL;
    }
    if (kc.user_frames == 400 && copies == 0)
        BAD("no COW copy happened without memory pressure");
    struct kernel_usage u;
    kernel_usage(t.k, &u);
    if (u.user_frames_used || u.swap_slots_used || u.rmaps || u.pinned_frames || u.processes)
        BAD("leak: frames %llu slots %llu rmaps %llu pinned %llu procs %u",
            (unsigned long long)u.user_frames_used, (unsigned long long)u.swap_slots_used,
            (unsigned long long)u.rmaps, (unsigned long long)u.pinned_frames, u.processes);
    if (errors)
        tap_diag("(seed %llu, policy %s, %llu frames)", (unsigned long long)seed, policy,
                 (unsigned long long)kc.user_frames);
    cpu_detach(c);
    kt_free(&t);
    return errors;
}

int main(void)
{
    test_cow_simple(PT_X86_64);
    test_cow_simple(PT_SV48);
    test_cow_simple(PT_IA32);
    test_cow_simple(PT_SV32);
    test_cow_swap_and_file();
    test_cow_huge();
    int seeds = kt_sanitized() ? 16 : 120, nops = kt_sanitized() ? 800 : 2500, bad = 0;
    for (int i = 0; kernel_policy_names[i]; i++)
        for (int sd = 0; sd < seeds / 8 + 1; sd++)
            bad += tree_seed((uint64_t)(i * 1000 + sd + 1), kernel_policy_names[i], nops) != 0;
    is_i64(bad, 0, "trees of forks under eviction and swap match the model (every policy, %d seeds each)",
           seeds / 8 + 1);
    return tap_done();
}
