/* test_kernel_linux.c — the memory calls of a C library with Linux's
 * semantics, against known answers: the Linux layout (stack top, its 8 MiB
 * limit, the mmap base), exec (the new image, the old one gone, a failed
 * exec changing nothing, a static PIE's base), brk, mmap anywhere / at a
 * hint / MAP_FIXED / MAP_FIXED_NOREPLACE and its errors, partial munmap,
 * mprotect (downgrade flushes, upgrade, PROT_NONE), madvise(MADV_DONTNEED),
 * file mappings (an empty file, SIGBUS past end of file, the tail never
 * written back, MAP_PRIVATE never reaching the file, shared anonymous
 * memory across fork), and read/write agreeing with shared mappings. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktest.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define TOP KERNEL_LINUX_USER_TOP
#define BASE (TOP - (128ull << 20))   /* Linux's mmap_base with an 8 MiB stack */

static struct kt t;
static struct cpu *cpu;
static char elf_path[64], pie_path[64];

static struct process *linux_proc(const char *name)
{
    struct process *p = kernel_process_create_abi(t.k, name, KERNEL_ABI_LINUX);
    if (!p)
        abort();
    return p;
}

static void done(struct process *p)
{
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
}

static bool load(vaddr_t va, uint64_t *v)
{
    return cpu_load(cpu, va, 8, v) == 0;
}

static uint64_t ld(vaddr_t va)
{
    uint64_t v = 0xdead;
    return load(va, &v) ? v : 0xdead;
}

static bool st(vaddr_t va, uint64_t v)
{
    return cpu_store(cpu, va, 8, v) == 0;
}

static const char *why(struct process *p)
{
    return kill_reason_names[kernel_process_kill_reason(p)];
}

/* A file of len bytes, byte i = i % 251, opened read-write. */
static int data_file(char *path, uint64_t len)
{
    strcpy(path, "/tmp/vmlab-linux-XXXXXX");
    int fd = mkstemp(path);
    unsigned char buf[4096];
    for (uint64_t off = 0; off < len; off += sizeof buf) {
        uint64_t n = len - off < sizeof buf ? len - off : sizeof buf;
        for (uint64_t i = 0; i < n; i++)
            buf[i] = (unsigned char)((off + i) % 251);
        if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
            abort();
    }
    return fd;
}

static uint64_t file_word(uint64_t off)
{
    uint64_t v = 0;
    for (int b = 7; b >= 0; b--)
        v = v << 8 | ((off + (uint64_t)b) % 251);
    return v;
}

/* A word of the test executable as its file holds it. */
static uint64_t elf_word(const char *path, uint64_t off)
{
    uint64_t v = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || pread(fd, &v, 8, (off_t)off) != 8)
        abort();
    close(fd);
    return v;
}

static void test_exec_layout(void)
{
    struct process *p = linux_proc("exec");
    int pid = kernel_process_pid(p);
    struct kernel_image img;
    char err[256] = "";
    kernel_switch_to(cpu, p);
    is_i64(kernel_exec(p, elf_path, &img, cpu, err, sizeof err), 0, "exec (%s)", err);
    is_u64(img.entry, 0x10100, "entry point");
    is_u64(img.phdr, 0x10040, "AT_PHDR: the program headers inside the first segment");
    is_u64(img.phnum, 2, "AT_PHNUM");
    is_u64(img.phent, 56, "AT_PHENT");
    is_u64(img.base, 0, "ET_EXEC: no load bias");
    is_u64(img.brk, 0x15000, "the break starts at the end of bss, page-aligned");
    is_u64(img.stack_top, TOP, "the stack ends at the top of the Sv39 user window");
    is_u64(kernel_process_pid(p), pid, "exec keeps the pid");
    is_u64(ld(0x10000), elf_word(elf_path, 0), "text page read from the file");
    is_u64(ld(0x12000 + 0xf8), elf_word(elf_path, 0x10f8), "data page read from the file");
    is_u64(ld(0x12000 + 0x100), 0, "bss reads zero");
    ok(st(0x14ff8, 7) && ld(0x14ff8) == 7, "bss is writable");
    /* the Linux stack rule: no stack-pointer test, 8 MiB, a guard gap */
    ok(st(TOP - 8, 1) && st(TOP - (8ull << 20) + 4096, 2), "the stack grows to 8 MiB");
    bool refused = !st(TOP - (8ull << 20) - 8, 3);
    ok(refused && !strcmp(why(p), "stack-overflow"), "beyond 8 MiB: stack-overflow (%s)", why(p));
    done(p);

    /* a failed exec leaves the process as it was */
    p = linux_proc("failed-exec");
    kernel_switch_to(cpu, p);
    kernel_exec(p, elf_path, &img, cpu, err, sizeof err);
    st(0x14000, 0x5a5a);
    is_i64(kernel_exec(p, "/nonexistent/prog", &img, cpu, err, sizeof err), -ENOENT, "exec of a missing file");
    ok(strstr(err, "/nonexistent/prog") != NULL, "the message names it: %s", err);
    is_u64(ld(0x14000), 0x5a5a, "the old image is intact");
    is_i64(kernel_exec(p, "/etc/hostname", &img, cpu, err, sizeof err), -ENOEXEC, "exec of a non-ELF");
    is_u64(ld(0x14000), 0x5a5a, "still intact");
    /* and a good exec replaces everything */
    vaddr_t m;
    kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_PRIVATE | KERNEL_MAP_ANONYMOUS, -1, 0, &m);
    st(m, 1);
    struct process_usage u;
    is_i64(kernel_exec(p, elf_path, &img, cpu, err, sizeof err), 0, "exec again");
    is_u64(ld(0x14000), 0, "the written bss is gone: a fresh image");
    kernel_process_usage(p, &u);
    is_u64(u.vmas, 3, "two segments and the stack, nothing of the old mappings");
    refused = !load(m, &(uint64_t){0});
    ok(refused && !strcmp(why(p), "segv-unmapped"), "the old mmap is gone: %s", why(p));
    done(p);

    /* a static PIE is placed where mmap would place it */
    p = linux_proc("pie");
    kernel_switch_to(cpu, p);
    is_i64(kernel_exec(p, pie_path, &img, cpu, err, sizeof err), 0, "exec of a static PIE (%s)", err);
    is_u64(img.base, BASE - 0x3000, "its base: the span's top at the mmap base");
    is_u64(img.entry, img.base + 0x100, "entry relocated");
    is_u64(img.phdr, img.base + 0x40, "AT_PHDR relocated");
    is_u64(ld(img.base + 0x800), elf_word(pie_path, 0x800), "its first page read from the file");
    done(p);

    /* the PintOS ABI loads ET_EXEC only */
    p = kernel_process_create(t.k, "pintos");
    is_i64(kernel_exec(p, pie_path, &img, NULL, err, sizeof err), -ENOEXEC, "PintOS: a PIE is refused");
    kernel_process_exit(p, NULL);
}

static void test_brk(void)
{
    struct process *p = linux_proc("brk");
    struct kernel_image img;
    char err[256];
    kernel_switch_to(cpu, p);
    kernel_exec(p, elf_path, &img, cpu, err, sizeof err);
    vaddr_t b;
    is_i64(kernel_brk(p, 0, &b, cpu), 0, "brk(0)");
    is_u64(b, 0x15000, "the initial break");
    is_i64(kernel_brk(p, 0x15123, &b, cpu), 0, "brk to an unaligned value");
    is_u64(b, 0x15123, "returned exactly");
    ok(st(0x15ff8, 11), "the whole page is there");
    is_i64(kernel_brk(p, 0x15000 + (1 << 20), &b, cpu), 0, "grow by 1 MiB");
    ok(st(0x15000 + (1 << 20) - 8, 12) && st(0x80000, 13), "the new heap is writable");
    is_i64(kernel_brk(p, 0x15010, &b, cpu), 0, "shrink");
    is_u64(ld(0x15ff8), 11, "the first page keeps its data");
    is_i64(kernel_brk(p, 0x15000 + (1 << 20), &b, cpu), 0, "grow again");
    is_u64(ld(0x80000), 0, "pages given back come back zeroed");
    is_i64(kernel_brk(p, 0x14000, &b, cpu), -ENOMEM, "below the heap's start: refused");
    is_u64(b, 0x15000 + (1 << 20), "and the break stays");
    vaddr_t m;
    kernel_mmap(p, 0x400000, 4096, RW, KERNEL_MAP_PRIVATE | KERNEL_MAP_ANONYMOUS | KERNEL_MAP_FIXED,
                -1, 0, &m);
    is_i64(kernel_brk(p, 0x500000, &b, cpu), -ENOMEM, "into a mapping: refused");
    is_u64(b, 0x15000 + (1 << 20), "the break stays");
    done(p);
}

static void test_mmap_place(void)
{
    struct process *p = linux_proc("mmap");
    kernel_switch_to(cpu, p);
    const unsigned anon = KERNEL_MAP_PRIVATE | KERNEL_MAP_ANONYMOUS;
    vaddr_t a, b, c;
    is_i64(kernel_mmap(p, 0, 0x10000, RW, anon, -1, 0, &a), 0, "mmap anywhere");
    is_u64(a, BASE - 0x10000, "top-down, ending at the mmap base");
    kernel_mmap(p, 0, 0x3000, RW, anon, -1, 0, &b);
    is_u64(b, a - 0x3000, "the next one just below");
    ok(st(a, 1) && st(b + 0x2ff8, 2), "both usable");
    is_i64(kernel_munmap(p, a, 0x10000, cpu), 0, "munmap the first");
    kernel_mmap(p, 0, 0x8000, RW, anon, -1, 0, &c);
    is_u64(c, BASE - 0x8000, "a new mapping takes the highest free place");
    kernel_mmap(p, 0x20000000, 0x2000, RW, anon, -1, 0, &c);
    is_u64(c, 0x20000000, "a free hint is taken");
    kernel_mmap(p, 0x20001000, 0x2000, RW, anon, -1, 0, &c);
    ok(c != 0x20001000 && c < BASE, "a hint that overlaps is not (0x%llx)", (unsigned long long)c);
    ok(st(0x20000000, 42), "data in the hinted mapping");
    is_i64(kernel_mmap(p, 0x20000000, 0x1000, RW, anon | KERNEL_MAP_FIXED_NOREPLACE, -1, 0, &c), -EEXIST,
           "MAP_FIXED_NOREPLACE over a mapping");
    struct process_usage u0, u1;
    kernel_process_usage(p, &u0);
    is_i64(kernel_mmap(p, 0x20000000, 0x1000, VM_PROT_READ, anon | KERNEL_MAP_FIXED, -1, 0, &c), 0,
           "MAP_FIXED over it");
    kernel_process_usage(p, &u1);
    is_u64(u1.resident_pages, u0.resident_pages - 1, "the replaced page is released");
    is_u64(ld(0x20000000), 0, "and a fresh zero page is there");
    bool refused = !st(0x20000000, 1);
    ok(refused && !strcmp(why(p), "segv-write-ro"), "with the new rights (%s)", why(p));
    done(p);

    p = linux_proc("errors");
    int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
    char path[64];
    int rfd = data_file(path, 8192), ro = open(path, O_RDONLY);
    is_i64(kernel_mmap(p, 0, 0, RW, anon, -1, 0, &c), -EINVAL, "len 0");
    is_i64(kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_ANONYMOUS, -1, 0, &c), -EINVAL, "neither private nor shared");
    is_i64(kernel_mmap(p, 0, 4096, RW, anon | KERNEL_MAP_SHARED, -1, 0, &c), -EINVAL, "both");
    is_i64(kernel_mmap(p, 0x1001, 4096, RW, anon | KERNEL_MAP_FIXED, -1, 0, &c), -EINVAL, "fixed, unaligned");
    is_i64(kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_PRIVATE, rfd, 100, &c), -EINVAL, "offset unaligned");
    is_i64(kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_PRIVATE, 999, 0, &c), -EBADF, "fd not open");
    is_i64(kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_PRIVATE, fd, 0, &c), -EACCES, "a directory");
    is_i64(kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_SHARED, ro, 0, &c), -EACCES,
           "shared writable on a read-only descriptor");
    is_i64(kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_PRIVATE, ro, 0, &c), 0,
           "private writable on a read-only descriptor is fine");
    is_i64(kernel_mmap(p, TOP - 4096, 8192, RW, anon | KERNEL_MAP_FIXED, -1, 0, &c), -ENOMEM,
           "fixed beyond user space");
    is_i64(kernel_munmap(p, 0x1001, 4096, cpu), -EINVAL, "munmap unaligned");
    is_i64(kernel_munmap(p, 0x30000000, 0x10000, cpu), 0, "munmap of nothing is fine");
    close(fd);
    close(ro);
    close(rfd);
    unlink(path);
    kernel_process_exit(p, NULL);
}

static void test_munmap_mprotect(void)
{
    const unsigned anon = KERNEL_MAP_PRIVATE | KERNEL_MAP_ANONYMOUS;
    struct process *p = linux_proc("partial");
    kernel_switch_to(cpu, p);
    vaddr_t a;
    kernel_mmap(p, 0, 16 * 4096, RW, anon, -1, 0, &a);
    bool good = true;
    for (int i = 0; i < 16; i++)
        good &= st(a + i * 4096ull, 100 + (uint64_t)i);
    ok(good, "16 pages written");
    struct process_usage u;
    kernel_process_usage(p, &u);
    unsigned vmas = u.vmas;
    is_i64(kernel_munmap(p, a + 4 * 4096, 4 * 4096, cpu), 0, "munmap of pages 4..7");
    kernel_process_usage(p, &u);
    is_u64(u.vmas, vmas + 1, "the mapping is split in two");
    is_u64(u.resident_pages, 12, "four pages released");
    good = true;
    for (int i = 0; i < 16; i++)
        if (i < 4 || i >= 8)
            good &= ld(a + i * 4096ull) == 100 + (uint64_t)i;
    ok(good, "the pages around the hole keep their data");

    /* mprotect: the middle pages read-only; the CPU had them writable in its TLB */
    is_i64(kernel_mprotect(p, a + 9 * 4096, 2 * 4096, VM_PROT_READ, cpu), 0, "mprotect 9..10 read-only");
    is_i64(kernel_mprotect(p, a + 3 * 4096, 2 * 4096, VM_PROT_READ, cpu), -ENOMEM, "mprotect over the hole");
    struct page_info pi;
    kernel_page_info(p, a + 3 * 4096, &pi);
    ok(pi.pte_present && !pi.pte_writable, "as in Linux, the part before the hole was done");
    kernel_mprotect(p, a + 3 * 4096, 4096, RW, cpu);
    is_u64(ld(a + 9 * 4096), 109, "still readable");
    ok(st(a + 8 * 4096, 1) && st(a + 11 * 4096, 1), "the neighbours stay writable");
    uint64_t faults = kt_pstat(p, VMSTAT_PGFAULT);
    is_i64(kernel_mprotect(p, a + 9 * 4096, 2 * 4096, RW, cpu), 0, "and back to read-write");
    ok(st(a + 9 * 4096, 5) && ld(a + 9 * 4096) == 5, "writable again");
    is_u64(kt_pstat(p, VMSTAT_PGFAULT) - faults, 1, "after one minor fault (an upgrade is lazy)");
    is_u64(kt_pstat(p, VMSTAT_COW_FAULT), 0, "which is no copy-on-write fault");
    is_i64(kernel_mprotect(p, a, 2 * 4096, 0, cpu), 0, "PROT_NONE");
    kernel_process_usage(p, &u);
    is_u64(u.resident_pages, 12, "PROT_NONE keeps the frames");
    is_i64(kernel_mprotect(p, a, 2 * 4096, VM_PROT_READ, cpu), 0, "readable again");
    is_u64(ld(a + 4096), 101, "with the data");
    is_i64(kernel_mprotect(p, a, 4096, 0, cpu), 0, "PROT_NONE again");
    bool refused = !load(a, &(uint64_t){0});
    ok(refused && !strcmp(why(p), "segv-prot-none"), "a load kills: %s", why(p));
    done(p);

    p = linux_proc("downgrade");
    kernel_switch_to(cpu, p);
    kernel_mmap(p, 0, 4096, RW, anon, -1, 0, &a);
    st(a, 1);   /* the TLB holds a writable, dirty entry */
    kernel_mprotect(p, a, 4096, VM_PROT_READ, cpu);
    refused = !st(a, 2);
    ok(refused && !strcmp(why(p), "segv-write-ro"), "after a downgrade the cached entry is gone: %s", why(p));
    done(p);
}

static void test_madvise(void)
{
    struct process *p = linux_proc("madvise");
    kernel_switch_to(cpu, p);
    char path[64];
    int fd = data_file(path, 8 * 4096);
    vaddr_t a, f, s;
    kernel_mmap(p, 0, 4 * 4096, RW, KERNEL_MAP_PRIVATE | KERNEL_MAP_ANONYMOUS, -1, 0, &a);
    kernel_mmap(p, 0, 4 * 4096, RW, KERNEL_MAP_PRIVATE, fd, 0, &f);
    kernel_mmap(p, 0, 4 * 4096, RW, KERNEL_MAP_SHARED, fd, 4 * 4096, &s);
    for (int i = 0; i < 4; i++) {
        st(a + i * 4096ull, 7);
        st(f + i * 4096ull, 8);
        st(s + i * 4096ull, 9);
    }
    is_i64(kernel_madvise(p, a + 4096, 2 * 4096, KERNEL_MADV_DONTNEED, cpu), 0, "DONTNEED anon");
    ok(ld(a) == 7 && ld(a + 4096) == 0 && ld(a + 2 * 4096) == 0 && ld(a + 3 * 4096) == 7,
       "anonymous pages read back as zero, the others keep theirs");
    kernel_madvise(p, f, 4 * 4096, KERNEL_MADV_DONTNEED, cpu);
    is_u64(ld(f + 4096), file_word(4096), "a private file page is read from the file again");
    kernel_madvise(p, s, 4 * 4096, KERNEL_MADV_DONTNEED, cpu);
    is_u64(ld(s + 4096), 9, "a shared file page keeps what was written (written back, read again)");
    is_i64(kernel_madvise(p, a, 4096, 99, cpu), -EINVAL, "unknown advice");
    is_i64(kernel_madvise(p, a, 4096, KERNEL_MADV_WILLNEED, cpu), 0, "a hint");
    is_i64(kernel_madvise(p, 0x70000000, 4096, KERNEL_MADV_DONTNEED, cpu), -ENOMEM, "unmapped");
    done(p);
    uint64_t v = 0;
    ok(pread(fd, &v, 8, 5 * 4096) == 8 && v == 9, "the file holds the shared write");
    ok(pread(fd, &v, 8, 4096) == 8 && v == file_word(4096), "but none of the private ones");
    close(fd);
    unlink(path);
}

static void test_files(void)
{
    char path[64];
    int empty = data_file(path, 0);
    struct process *p = linux_proc("sigbus");
    kernel_switch_to(cpu, p);
    vaddr_t a;
    is_i64(kernel_mmap(p, 0, 8192, RW, KERNEL_MAP_SHARED, empty, 0, &a), 0, "an empty file may be mapped");
    bool refused = !load(a, &(uint64_t){0});
    ok(refused && !strcmp(why(p), "sigbus-eof"), "touching it: %s", why(p));
    is_i64(kernel_kill_signal(kernel_process_kill_reason(p)), SIGBUS, "which is SIGBUS");
    done(p);
    close(empty);
    unlink(path);

    int fd = data_file(path, 5000);
    p = linux_proc("tail");
    kernel_switch_to(cpu, p);
    kernel_mmap(p, 0, 3 * 4096, RW, KERNEL_MAP_SHARED, fd, 0, &a);
    is_u64(ld(a + 4096 + 896), file_word(4096 + 896), "the last page's file bytes");
    is_u64(ld(a + 4096 + 904), 0, "and zeros past end of file");
    ok(st(a + 4096 + 1000, 0x7a11), "a write past end of file in that page");
    refused = !load(a + 2 * 4096, &(uint64_t){0});
    ok(refused && !strcmp(why(p), "sigbus-eof"), "the page wholly past it: %s", why(p));
    done(p);
    struct stat sb;
    fstat(fd, &sb);
    is_u64(sb.st_size, 5000, "the file did not grow: the tail is never written back");

    /* MAP_PRIVATE never reaches the file */
    p = linux_proc("private");
    kernel_switch_to(cpu, p);
    kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_PRIVATE, fd, 0, &a);
    st(a, 0x1234);
    done(p);
    uint64_t v = 0;
    ok(pread(fd, &v, 8, 0) == 8 && v == file_word(0), "a private write stays private");

    /* shared anonymous memory is shared with a forked child */
    p = linux_proc("shanon");
    kernel_switch_to(cpu, p);
    kernel_mmap(p, 0, 2 * 4096, RW, KERNEL_MAP_SHARED | KERNEL_MAP_ANONYMOUS, -1, 0, &a);
    st(a, 1);
    kernel_switch_to(cpu, NULL);
    struct process *c;
    kernel_process_fork(p, "child", cpu, &c);
    kernel_switch_to(cpu, c);
    is_u64(ld(a), 1, "the child sees the parent's shared anonymous page");
    st(a + 4096, 2);
    kernel_switch_to(cpu, p);
    is_u64(ld(a + 4096), 2, "and the parent the child's write");
    done(c);
    done(p);

    /* read(2)/write(2) and a shared mapping agree before any write-back */
    p = linux_proc("rw");
    kernel_switch_to(cpu, p);
    kernel_mmap(p, 0, 4096, RW, KERNEL_MAP_SHARED, fd, 0, &a);
    st(a + 16, 0xabcdef);
    v = 0;
    is_i64(kernel_file_pread(t.k, fd, &v, 8, 16), 8, "pread of a mapped page");
    is_u64(v, 0xabcdef, "sees the mapping's write at once");
    v = 0x777;
    is_i64(kernel_file_pwrite(t.k, fd, &v, 8, 24), 8, "pwrite into it");
    is_u64(ld(a + 24), 0x777, "the mapping sees the write at once");
    ok(pread(fd, &v, 8, 24) == 8 && v == 0x777, "and so does the file (write-through)");
    v = 0x888;
    kernel_file_pwrite(t.k, fd, &v, 8, 4096 + 8);   /* not cached */
    vaddr_t b;
    kernel_mmap(p, 0, 4096, VM_PROT_READ, KERNEL_MAP_PRIVATE, fd, 4096, &b);
    is_u64(ld(b + 8), 0x888, "a later mapping reads what was written");
    char buf[6000];
    is_i64(kernel_file_pread(t.k, fd, buf, sizeof buf, 0), 5000, "pread stops at end of file");
    done(p);
    close(fd);
    unlink(path);
}

int main(void)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 2048;
    kc.swap_bytes = 4096 * 4096ull;
    t = kt_make_cfg(PT_ARCH_X86, 1, &kc);
    cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    strcpy(elf_path, "/tmp/vmlab-exec-XXXXXX");
    close(mkstemp(elf_path));
    struct kt_seg segs[] = {
        {.off = 0, .va = 0x10000, .filesz = 0x1000, .memsz = 0x1000, .flags = 5},
        {.off = 0x1000, .va = 0x12000, .filesz = 0x100, .memsz = 0x3000, .flags = 6},
    };
    kt_write_elf(elf_path, 62, 2, 0x10100, segs, 2);
    strcpy(pie_path, "/tmp/vmlab-pie-XXXXXX");
    close(mkstemp(pie_path));
    struct kt_seg pie[] = {
        {.off = 0, .va = 0, .filesz = 0x1000, .memsz = 0x1000, .flags = 5},
        {.off = 0x1000, .va = 0x2000, .filesz = 0x100, .memsz = 0x1000, .flags = 6},
    };
    kt_write_elf(pie_path, 62, 3, 0x100, pie, 2);

    test_exec_layout();
    test_brk();
    test_mmap_place();
    test_munmap_mprotect();
    test_madvise();
    test_files();

    kt_no_leaks(t.k, "linux calls");
    cpu_detach(cpu);
    kt_free(&t);
    unlink(elf_path);
    unlink(pie_path);
    return tap_done();
}
