/* test_kernel_pagecache.c — the page cache: two processes that map one file
 * share one frame per page (Linux, not PintOS): each sees the other's
 * writes at once; eviction clears every PTE and writes the page back once;
 * one mapper's exit leaves the other intact; the last one writes back;
 * two CPUs write the same shared pages while eviction runs (TSan); nothing
 * leaks. */
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktest.h"
#include "os/kern.h"   /* the frame table's A-bit scan, for test_referenced */

#define PA 0x10000000ull   /* where P maps the file */
#define QA 0x40000000ull   /* where Q maps it */
#define ANON 0x20000000ull

static char path[64];

/* A file of n pages; byte i is (seed + i * 7). */
static int make_file(unsigned npages, unsigned char seed)
{
    strcpy(path, "/tmp/vmlab-pc-XXXXXX");
    int fd = mkstemp(path);
    size_t len = (size_t)npages * 4096;
    unsigned char *buf = malloc(len);
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(seed + i * 7);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
        abort();
    free(buf);
    return fd;
}

static uint64_t file_word(int fd, uint64_t off)
{
    uint64_t w = 0;
    if (pread(fd, &w, 8, (off_t)off) != 8)
        return ~0ull;
    return w;
}

static uint64_t load(struct cpu *cpu, vaddr_t va)
{
    uint64_t v = 0;
    if (cpu_load(cpu, va, 8, &v) != 0)
        return ~0ull;
    return v;
}

static uint64_t pc_pages(struct kernel *k)
{
    struct kernel_usage u;
    kernel_usage(k, &u);
    return u.pagecache_pages;
}

static bool same_frame(struct process *p, vaddr_t pva, struct process *q, vaddr_t qva)
{
    struct page_info a, b;
    kernel_page_info(p, pva, &a);
    kernel_page_info(q, qva, &b);
    return a.where == PAGE_RESIDENT && b.where == PAGE_RESIDENT && a.frame == b.frame &&
           a.pte_present && b.pte_present;
}

/* Two processes on two CPUs see each other's writes through one frame. */
static void test_share(enum pt_arch arch)
{
    struct kt t = kt_make(arch, 2, 64, 64, "clock");
    struct cpu *c0 = machine_cpu(t.m, 0), *c1 = machine_cpu(t.m, 1);
    cpu_attach(c0);
    cpu_attach(c1);
    int fd = make_file(4, 3);
    uint64_t orig = file_word(fd, 4096 + 64);
    struct process *p = kernel_process_create(t.k, "P"), *q = kernel_process_create(t.k, "Q");
    const unsigned RW = VM_PROT_READ | VM_PROT_WRITE;
    is_i64(kernel_map_file(p, PA, 4 * 4096, RW, fd, 0), 0, "P maps the file");
    is_i64(kernel_map_file_path(q, QA, 3 * 4096, RW, path, 4096), 0,
           "Q maps it by path from page 1");
    kernel_switch_to(c0, p);
    kernel_switch_to(c1, q);
    is_u64(load(c0, PA + 4096 + 64), orig, "P reads the file");
    is_u64(load(c1, QA + 64), orig, "Q reads the same word at its offset");
    ok(same_frame(p, PA + 4096, q, QA), "both map the same frame");
    is_i64(cpu_store(c0, PA + 4096 + 64, 8, 0xabcdef01), 0, "P writes");
    is_u64(load(c1, QA + 64), 0xabcdef01, "Q sees P's write at once");
    is_i64(cpu_store(c1, QA + 128, 8, 0x5151), 0, "Q writes another word");
    is_u64(load(c0, PA + 4096 + 128), 0x5151, "P sees Q's write");
    is_u64(kt_pstat(q, VMSTAT_PGMINFAULT), 1, "Q's first touch found the page cached: minor");
    is_u64(kt_pstat(q, VMSTAT_FILE_READ), 0, "Q read nothing from the file");
    cpu_store(c1, QA + 2 * 4096, 8, 77);   /* file page 3, Q first */
    is_u64(load(c0, PA + 3 * 4096), 77, "P sees a page Q brought in");
    is_u64(pc_pages(t.k), 2, "two pages in the page cache");
    is_u64(file_word(fd, 4096 + 64), orig, "nothing written back yet");

    /* P unmaps: Q keeps the page; P's dirty bit is not lost */
    is_i64(kernel_unmap(p, PA, c0), 0, "P unmaps");
    is_u64(kt_stat(t.k, VMSTAT_FILE_WRITEBACK), 0, "no write-back while Q maps the pages");
    is_u64(load(c1, QA + 64), 0xabcdef01, "Q still reads P's data");
    is_u64(pc_pages(t.k), 2, "pages stay cached for Q");
    kernel_switch_to(c0, NULL);
    kernel_switch_to(c1, NULL);
    kernel_process_exit(p, c0);
    kernel_process_exit(q, c1);
    is_u64(kt_stat(t.k, VMSTAT_FILE_WRITEBACK), 2, "Q's exit writes both dirty pages back");
    is_u64(file_word(fd, 4096 + 64), 0xabcdef01, "P's write is in the file");
    is_u64(file_word(fd, 4096 + 128), 0x5151, "Q's write is in the file");
    is_u64(file_word(fd, 3 * 4096), 77, "page 3 in the file");
    is_u64(pc_pages(t.k), 0, "page cache empty");
    kt_no_leaks(t.k, "share");
    close(fd);
    unlink(path);
    cpu_detach(c0);
    cpu_detach(c1);
    kt_free(&t);
}

/* Like Linux's folio_referenced: a cached frame is young if any mapping's
 * A bit is set; clearing clears (and invalidates) every mapping's. */
static void test_referenced(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 16, 64, "clock");
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    int fd = make_file(1, 2);
    struct process *p = kernel_process_create(t.k, "P"), *q = kernel_process_create(t.k, "Q");
    kernel_map_file(p, PA, 4096, VM_PROT_READ, fd, 0);
    kernel_map_file(q, QA, 4096, VM_PROT_READ, fd, 0);
    kernel_switch_to(c, p);
    load(c, PA);
    kernel_switch_to(c, q);
    load(c, QA);
    struct page_info pi;
    kernel_page_info(q, QA, &pi);
    struct frame_table *ft = &t.k->ft;
    uint32_t i = (uint32_t)((pi.frame >> 12) - ft->pool.base);
    klock_acquire(&ft->lock, c);
    bool cached = frame_rmap(ft, i) && frame_rmap(ft, i)->cached && frame_rmap(ft, i)->n == 2;
    bool both = ft_test_clear_young(t.k, c, i, true);
    bool none = !ft_test_clear_young(t.k, c, i, true) && !ft_young(t.k, i);
    klock_release(&ft->lock);
    ok(cached, "the frame's reverse map is a page-cache entry with two mappings");
    ok(both, "young while both mappings have A");
    ok(none, "clearing cleared both");
    load(c, QA);   /* only Q's mapping: its translation was invalidated, so A is set again */
    klock_acquire(&ft->lock, c);
    bool young = ft_young(t.k, i);
    bool cleared = ft_test_clear_young(t.k, c, i, true) && !ft_young(t.k, i);
    klock_release(&ft->lock);
    ok(young, "a reference through Q alone makes the frame young");
    ok(cleared, "and clearing takes it away");
    kernel_switch_to(c, p);
    load(c, PA);
    klock_acquire(&ft->lock, c);
    young = ft_young(t.k, i);
    klock_release(&ft->lock);
    ok(young, "a reference through P alone too");
    kernel_switch_to(c, NULL);
    kernel_process_exit(p, c);
    kernel_process_exit(q, c);
    kt_no_leaks(t.k, "referenced");
    close(fd);
    unlink(path);
    cpu_detach(c);
    kt_free(&t);
}

/* Many mappers (one process twice): every one on one frame; each writes
 * its own word; they leave in a scrambled order under pressure; the file
 * gets every word. */
static void test_many(void)
{
    enum { NP = 6, NPG = 3 };
    struct kt t = kt_make(PT_ARCH_X86, 1, 6, 64, "clock");
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    int fd = make_file(NPG, 21);
    struct process *p[NP];
    const unsigned RW = VM_PROT_READ | VM_PROT_WRITE;
    bool good = true;
    for (unsigned j = 0; j < NP; j++) {
        p[j] = kernel_process_create(t.k, "M");
        good &= kernel_map_file(p[j], PA, NPG * 4096, RW, fd, 0) == 0;
        good &= kernel_map_anon(p[j], ANON, 8 * 4096, RW, 0) == 0;
    }
    /* process 0 maps the file a second time */
    good &= kernel_map_file(p[0], QA, NPG * 4096, RW, fd, 0) == 0;
    ok(good, "six processes map the file, one of them twice");
    for (unsigned j = 0; j < NP; j++) {
        kernel_switch_to(c, p[j]);
        for (unsigned i = 0; i < NPG; i++)
            cpu_store(c, PA + i * 4096 + j * 8, 8, (j << 8) | i);
    }
    kernel_switch_to(c, p[0]);
    is_u64(load(c, QA + 4096 + 5 * 8), (5u << 8) | 1, "process 0's second mapping sees process 5's word");
    ok(same_frame(p[0], PA + 4096, p[0], QA + 4096), "two mappings in one process share the frame");
    ok(same_frame(p[0], PA + 4096, p[5], PA + 4096), "and with the sixth process");
    /* pressure from every process, exits in the order 3 0 5 1 4 2 */
    static const unsigned order[NP] = {3, 0, 5, 1, 4, 2};
    for (unsigned n = 0; n < NP; n++) {
        unsigned j = order[n];
        kernel_switch_to(c, p[j]);
        for (unsigned i = 0; i < NPG; i++)
            good &= load(c, PA + i * 4096 + j * 8) == ((j << 8) | i);
        for (unsigned a = 0; a < 8; a++)
            cpu_store(c, ANON + a * 4096, 8, a);
        kernel_switch_to(c, NULL);
        kernel_process_exit(p[j], c);
    }
    ok(good, "each process reads its own words back before it exits");
    good = true;
    for (unsigned j = 0; j < NP; j++)
        for (unsigned i = 0; i < NPG; i++)
            good &= file_word(fd, i * 4096 + j * 8) == ((j << 8) | i);
    ok(good, "the file holds all six processes' words");
    ok(kt_stat(t.k, VMSTAT_FILE_WRITEBACK) >= NPG, "written back (%llu write-backs)",
       (unsigned long long)kt_stat(t.k, VMSTAT_FILE_WRITEBACK));
    kt_no_leaks(t.k, "many");
    is_u64(pc_pages(t.k), 0, "many: page cache empty");
    close(fd);
    unlink(path);
    cpu_detach(c);
    kt_free(&t);
}

/* A tiny pool: the shared page is evicted from both, written back once. */
static void test_evict(const char *policy)
{
    struct kt t = kt_make(PT_ARCH_X86, 2, 8, 64, policy);
    struct cpu *c0 = machine_cpu(t.m, 0), *c1 = machine_cpu(t.m, 1);
    cpu_attach(c0);
    cpu_attach(c1);
    int fd = make_file(2, 11);
    uint64_t clean = file_word(fd, 4096);
    struct process *p = kernel_process_create(t.k, "P"), *q = kernel_process_create(t.k, "Q");
    const unsigned RW = VM_PROT_READ | VM_PROT_WRITE;
    kernel_map_file(p, PA, 2 * 4096, RW, fd, 0);
    kernel_map_file(q, QA, 2 * 4096, RW, fd, 0);
    kernel_map_anon(p, ANON, 64 * 4096, RW, 0);
    kernel_switch_to(c0, p);
    kernel_switch_to(c1, q);
    cpu_store(c0, PA + 8, 8, 0x1234);   /* page 0 written only through P */
    is_u64(load(c1, PA + 8 - PA + QA), 0x1234, "Q reads it");
    is_u64(load(c1, QA + 4096), clean, "page 1 read by Q only");
    is_u64(load(c0, PA + 4096), clean, "and by P");
    ok(same_frame(p, PA, q, QA), "one frame for page 0");
    for (uint64_t i = 0; i < 40; i++)
        cpu_store(c0, ANON + i * 4096, 8, i);
    struct page_info a, b;
    kernel_page_info(p, PA, &a);
    kernel_page_info(q, QA, &b);
    ok(a.where != PAGE_RESIDENT && b.where != PAGE_RESIDENT, "%s: page 0 evicted from both",
       policy);
    ok(!a.pte_present && !b.pte_present, "%s: both PTEs cleared", policy);
    is_u64(kt_stat(t.k, VMSTAT_FILE_WRITEBACK), 1, "%s: written back exactly once", policy);
    is_u64(file_word(fd, 8), 0x1234, "%s: the file has it", policy);
    is_u64(pc_pages(t.k), 0, "%s: evicted pages leave the cache", policy);
    is_u64(load(c1, QA + 8), 0x1234, "%s: Q reads it back", policy);
    is_u64(load(c0, PA + 8), 0x1234, "%s: P reads it back", policy);
    ok(same_frame(p, PA, q, QA), "%s: shared again after the re-fault", policy);
    is_u64(kt_stat(t.k, VMSTAT_FILE_WRITEBACK), 1, "%s: the clean re-read page was not written",
           policy);
    /* evict again, this time dirtied only through Q: still written */
    cpu_store(c1, QA + 16, 8, 0x9999);
    for (uint64_t i = 0; i < 40; i++)
        cpu_store(c0, ANON + i * 4096, 8, i + 1);
    is_u64(kt_stat(t.k, VMSTAT_FILE_WRITEBACK), 2, "%s: Q's write written back once", policy);
    is_u64(file_word(fd, 16), 0x9999, "%s: Q's write in the file", policy);
    bool good = true;
    for (uint64_t i = 0; i < 40; i++)
        good &= load(c0, ANON + i * 4096) == i + 1;
    ok(good, "%s: anonymous pages intact", policy);
    kernel_switch_to(c0, NULL);
    kernel_switch_to(c1, NULL);
    kernel_process_exit(q, c1);
    kernel_process_exit(p, c0);
    kt_no_leaks(t.k, policy);
    is_u64(pc_pages(t.k), 0, "%s: page cache empty", policy);
    close(fd);
    unlink(path);
    cpu_detach(c0);
    cpu_detach(c1);
    kt_free(&t);
}

/* Exit order: the one who wrote leaves first, or last; the last exit writes. */
static void test_exit(bool writer_first)
{
    const char *what = writer_first ? "writer exits first" : "reader exits first";
    struct kt t = kt_make(PT_ARCH_RISCV, 1, 32, 64, "fifo");
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    int fd = make_file(1, 5);
    struct process *w = kernel_process_create(t.k, "W"), *r = kernel_process_create(t.k, "R");
    const unsigned RW = VM_PROT_READ | VM_PROT_WRITE;
    kernel_map_file(w, PA, 4096, RW, fd, 0);
    kernel_map_file(r, QA, 4096, VM_PROT_READ, fd, 0);
    kernel_switch_to(c, w);
    cpu_store(c, PA + 24, 8, 0xfeedbeef);
    kernel_switch_to(c, r);
    is_u64(load(c, QA + 24), 0xfeedbeef, "%s: R reads W's write", what);
    kernel_switch_to(c, NULL);
    struct process *first = writer_first ? w : r, *second = writer_first ? r : w;
    kernel_process_exit(first, c);
    is_u64(kt_stat(t.k, VMSTAT_FILE_WRITEBACK), 0, "%s: no write-back at the first exit", what);
    kernel_switch_to(c, second);
    is_u64(load(c, (writer_first ? QA : PA) + 24), 0xfeedbeef, "%s: the other still reads it",
           what);
    kernel_switch_to(c, NULL);
    kernel_process_exit(second, c);
    is_u64(kt_stat(t.k, VMSTAT_FILE_WRITEBACK), 1, "%s: the last exit writes it back once", what);
    is_u64(file_word(fd, 24), 0xfeedbeef, "%s: in the file", what);
    kt_no_leaks(t.k, what);
    is_u64(pc_pages(t.k), 0, "%s: page cache empty", what);
    close(fd);
    unlink(path);
    cpu_detach(c);
    kt_free(&t);
}

/* fork: a shared mapping stays shared with the child. */
static void test_fork(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 32, 64, "clock");
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    int fd = make_file(2, 9);
    struct process *p = kernel_process_create(t.k, "parent");
    kernel_map_file(p, PA, 2 * 4096, VM_PROT_READ | VM_PROT_WRITE, fd, 0);
    kernel_switch_to(c, p);
    cpu_store(c, PA + 4096, 8, 0xf00d);
    kernel_switch_to(c, NULL);
    struct process *ch = NULL;
    is_i64(kernel_process_fork(p, "child", c, &ch), 0, "fork");
    kernel_switch_to(c, ch);
    is_u64(load(c, PA + 4096), 0xf00d, "child sees the parent's write");
    cpu_store(c, PA + 4096 + 8, 8, 0xbeef);
    ok(same_frame(p, PA + 4096, ch, PA + 4096), "parent and child map one frame");
    kernel_switch_to(c, p);
    is_u64(load(c, PA + 4096 + 8), 0xbeef, "parent sees the child's write (MAP_SHARED)");
    kernel_switch_to(c, NULL);
    kernel_process_exit(p, c);
    kernel_process_exit(ch, c);
    is_u64(file_word(fd, 4096 + 8), 0xbeef, "written back at the last exit");
    kt_no_leaks(t.k, "fork");
    close(fd);
    unlink(path);
    cpu_detach(c);
    kt_free(&t);
}

/* Two CPUs, two processes, one file: each writes its own word of every
 * page while the tiny pool keeps evicting them; every value read back is
 * checked, and the file at the end. */
#define TPAGES 12
struct tctx {
    struct kt *t;
    struct process *p;
    unsigned id;
    vaddr_t base;
    int rounds;
    int bad;
    uint64_t last[TPAGES];
};

static void *writer(void *arg)
{
    struct tctx *x = arg;
    struct cpu *c = machine_cpu(x->t->m, x->id);
    cpu_attach(c);
    kernel_switch_to(c, x->p);
    uint64_t seed = 0x1234567ull + x->id;
    for (int r = 1; r <= x->rounds; r++) {
        for (unsigned i = 0; i < TPAGES; i++) {
            vaddr_t va = x->base + (uint64_t)i * 4096 + x->id * 8;
            if (load(c, va) != x->last[i] && x->bad++ < 5)
                tap_diag("cpu %u page %u round %d: read 0x%llx, wrote 0x%llx (%s)", x->id, i, r,
                         (unsigned long long)load(c, va), (unsigned long long)x->last[i],
                         kernel_process_kill_message(x->p));
            uint64_t v = ((uint64_t)r << 16) | (i << 4) | x->id;
            if (cpu_store(c, va, 8, v) != 0)
                x->bad++;
            x->last[i] = v;
            /* private pressure too */
            if (cpu_store(c, ANON + (kt_rng(&seed) % 16) * 4096, 8, v) != 0)
                x->bad++;
        }
    }
    kernel_switch_to(c, NULL);
    cpu_detach(c);
    return NULL;
}

/* A third CPU: short-lived processes map the file, check word 2 of every
 * page (written only by their predecessors: it must survive each one's
 * unmap or exit, through the cache or the file), write it anew and exit,
 * while the other two CPUs write and evict. */
struct cycler {
    struct kt *t;
    unsigned id;
    int lives;
    int bad;
    uint64_t last[TPAGES];
};

static void *cycle(void *arg)
{
    struct cycler *x = arg;
    struct cpu *c = machine_cpu(x->t->m, x->id);
    cpu_attach(c);
    for (int life = 1; life <= x->lives; life++) {
        struct process *r = kernel_process_create(x->t->k, "R");
        if (kernel_map_file_path(r, QA + 0x1000000, TPAGES * 4096, VM_PROT_READ | VM_PROT_WRITE,
                                 path, 0) != 0)
            x->bad++;
        kernel_switch_to(c, r);
        for (unsigned i = 0; i < TPAGES; i++) {
            vaddr_t va = QA + 0x1000000 + (uint64_t)i * 4096 + 16;
            uint64_t v = load(c, va);
            if (v != x->last[i] && x->bad++ < 5)
                tap_diag("life %d page %u: read 0x%llx, last wrote 0x%llx", life, i,
                         (unsigned long long)v, (unsigned long long)x->last[i]);
            x->last[i] = ((uint64_t)life << 16) | (i << 4) | 2;
            if (cpu_store(c, va, 8, x->last[i]) != 0)
                x->bad++;
        }
        kernel_switch_to(c, NULL);
        if (life % 2)
            kernel_unmap(r, QA + 0x1000000, c);   /* unmap, or let exit do it */
        kernel_process_exit(r, c);
    }
    cpu_detach(c);
    return NULL;
}

static void test_threads(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 3, 10, 256, "clock");
    int fd = make_file(TPAGES, 1);
    struct tctx x[2];
    memset(x, 0, sizeof x);
    for (unsigned j = 0; j < 2; j++) {
        x[j].t = &t;
        x[j].id = j;
        x[j].base = j ? QA : PA;
        x[j].rounds = kt_sanitized() ? 400 : 1500;
        x[j].p = kernel_process_create(t.k, j ? "Q" : "P");
        kernel_map_file(x[j].p, x[j].base, TPAGES * 4096, VM_PROT_READ | VM_PROT_WRITE, fd, 0);
        kernel_map_anon(x[j].p, ANON, 16 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
        for (unsigned i = 0; i < TPAGES; i++)
            x[j].last[i] = file_word(fd, (uint64_t)i * 4096 + j * 8);
    }
    struct cycler y = {.t = &t, .id = 2, .lives = kt_sanitized() ? 60 : 200};
    for (unsigned i = 0; i < TPAGES; i++)
        y.last[i] = file_word(fd, (uint64_t)i * 4096 + 16);
    pthread_t th[3];
    for (unsigned j = 0; j < 2; j++)
        pthread_create(&th[j], NULL, writer, &x[j]);
    pthread_create(&th[2], NULL, cycle, &y);
    for (unsigned j = 0; j < 3; j++)
        pthread_join(th[j], NULL);
    is_i64(x[0].bad + x[1].bad, 0, "every word read back as its CPU last wrote it");
    is_i64(y.bad, 0, "a third CPU's processes, mapping and exiting meanwhile, read what the last one wrote");
    ok(kt_stat(t.k, VMSTAT_PGSTEAL) > 0 && kt_stat(t.k, VMSTAT_FILE_WRITEBACK) > 0,
       "shared pages were evicted and written back meanwhile (%llu steals, %llu write-backs)",
       (unsigned long long)kt_stat(t.k, VMSTAT_PGSTEAL),
       (unsigned long long)kt_stat(t.k, VMSTAT_FILE_WRITEBACK));
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    kernel_process_exit(x[0].p, c);
    kernel_process_exit(x[1].p, c);
    bool good = true;
    for (unsigned i = 0; i < TPAGES; i++)
        for (unsigned j = 0; j < 2; j++)
            good &= file_word(fd, (uint64_t)i * 4096 + j * 8) == x[j].last[i];
    for (unsigned i = 0; i < TPAGES; i++)
        good &= file_word(fd, (uint64_t)i * 4096 + 16) == y.last[i];
    ok(good, "the file holds every CPU's last word of every page");
    kt_no_leaks(t.k, "threads");
    is_u64(pc_pages(t.k), 0, "threads: page cache empty");
    cpu_detach(c);
    close(fd);
    unlink(path);
    kt_free(&t);
}

int main(void)
{
    test_share(PT_ARCH_X86);
    test_share(PT_ARCH_RISCV);
    test_evict("clock");
    test_evict("fifo");
    test_evict("linux");
    test_referenced();
    test_many();
    test_exit(true);
    test_exit(false);
    test_fork();
    test_threads();
    return tap_done();
}
