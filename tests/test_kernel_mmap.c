/* test_kernel_mmap.c — PintOS mmap/munmap: argument checks, lazy file
 * pages, zero past EOF never written back, only dirty pages written back
 * (on unmap, on eviction, at exit), close/remove after mmap, read-only
 * mappings, initializer pages, copy-in/copy-out with pinning. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktest.h"

#define MAPA 0x10000000ull

static char tmpl[64];

static int make_file(size_t len, unsigned char seed)
{
    strcpy(tmpl, "/tmp/vmlab-mmap-XXXXXX");
    int fd = mkstemp(tmpl);
    unsigned char *buf = malloc(len ? len : 1);
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(seed + i * 7);
    if (len && write(fd, buf, len) != (ssize_t)len)
        abort();
    free(buf);
    return fd;
}

static bool init_page(void *kva, vaddr_t upage, void *aux);

static void test_args(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 64, 64, "clock");
    struct process *p = kernel_process_create(t.k, "args");
    int fd = make_file(10000, 1);
    char path1[64];
    strcpy(path1, tmpl);
    int empty = make_file(0, 0);
    const unsigned RW = VM_PROT_READ | VM_PROT_WRITE;
    is_i64(kernel_map_file(p, 0, 4096, RW, fd, 0), -EINVAL, "addr 0 fails");
    is_i64(kernel_map_file(p, MAPA + 1, 4096, RW, fd, 0), -EINVAL, "unaligned addr fails");
    is_i64(kernel_map_file(p, MAPA, 0, RW, fd, 0), -EINVAL, "length 0 fails");
    is_i64(kernel_map_file(p, MAPA, 4096, RW, fd, 100), -EINVAL, "unaligned offset fails");
    is_i64(kernel_map_file(p, MAPA, 4096, RW, 0, 0), -EBADF, "fd 0 fails");
    is_i64(kernel_map_file(p, MAPA, 4096, RW, 1, 0), -EBADF, "fd 1 fails");
    is_i64(kernel_map_file(p, MAPA, 4096, RW, 987, 0), -EBADF, "closed fd fails");
    is_i64(kernel_map_file(p, MAPA, 4096, RW, empty, 0), -EINVAL, "zero-length file fails");
    is_i64(kernel_map_file(p, KERNEL_KERN_BASE - 4096, 8192, RW, fd, 0), -EINVAL,
           "range reaching kernel space fails");
    is_i64(kernel_map_file(p, KERNEL_KERN_BASE, 4096, RW, fd, 0), -EINVAL, "kernel address fails");
    is_i64(kernel_map_file(p, 0xfffffffffffff000ull, 0x2000, RW, fd, 0), -EINVAL, "wrapping range fails");
    is_i64(kernel_map_file(p, MAPA, 10000, RW, fd, 0), 0, "valid mapping");
    is_i64(kernel_map_file(p, MAPA + 0x2000, 4096, RW, fd, 0), -EEXIST, "overlap with a mapping fails");
    is_i64(kernel_map_anon(p, MAPA - 4096, 8192, RW, 0), -EEXIST, "anon overlap fails");
    kernel_map_stack(p);
    is_i64(kernel_map_file(p, KERNEL_USER_STACK - 4096, 4096, RW, fd, 0), -EEXIST, "overlap with the stack fails");
    is_i64(kernel_alloc_page_with_initializer(p, MAPA + 0x100000, true, NULL, NULL), -EINVAL, "initializer needed");
    int fillv = 1;
    is_i64(kernel_alloc_page_with_initializer(p, MAPA + 0x101000, true, init_page, &fillv), 0,
           "an uninit page, not yet faulted in");
    is_i64(kernel_map_file(p, MAPA + 0x100000, 0x3000, RW, fd, 0), -EEXIST,
           "mmap over a not-yet-loaded SPT entry fails (pitfall 5)");
    is_i64(kernel_map_anon(p, MAPA + 0x101000, 0x1000, RW, 0), -EEXIST, "so does an anonymous map");
    int rdonly = open(path1, O_RDONLY);
    is_i64(kernel_map_file(p, MAPA + 0x200000, 4096, RW, rdonly, 0), -EACCES, "writable map of a read-only fd fails");
    is_i64(kernel_unmap(p, MAPA + 4096, NULL), -EINVAL, "munmap of a non-start address fails");
    is_i64(kernel_unmap(p, MAPA, NULL), 0, "munmap");
    is_i64(kernel_map_file(p, MAPA + 0x2000, 4096, RW, fd, 0), 0, "range free again after munmap");
    close(rdonly);
    close(fd);
    close(empty);
    unlink(tmpl);
    unlink(path1);
    kernel_process_exit(p, NULL);
    kt_no_leaks(t.k, "mmap args");
    kt_free(&t);
}

static bool init_page(void *kva, vaddr_t upage, void *aux)
{
    memset(kva, *(int *)aux, 4096);
    ((uint64_t *)kva)[0] = upage;
    return true;
}

static void test_file_pages(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 8, 64, "clock");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    const size_t flen = 5 * 4096 + 100;   /* 6 pages, the last mostly past EOF */
    int fd = make_file(flen, 3);
    char path[64];
    strcpy(path, tmpl);
    struct process *p = kernel_process_create(t.k, "mmap");
    is_i64(kernel_map_file(p, MAPA, flen, VM_PROT_READ | VM_PROT_WRITE, fd, 0), 0, "map 6 pages");
    close(fd);   /* mmap-close: the mapping stays */
    kernel_switch_to(cpu, p);
    struct page_info pi;
    kernel_page_info(p, MAPA + 4096, &pi);
    ok(pi.where == PAGE_UNLOADED, "file page not loaded before the touch (lazy-file)");
    uint64_t v;
    cpu_load(cpu, MAPA + 4096, 1, &v);
    is_u64(v, (unsigned char)(3 + 4096 * 7), "byte read from the file");
    is_u64(kt_pstat(p, VMSTAT_PGMAJFAULT), 1, "file read is a major fault");
    is_u64(kt_pstat(p, VMSTAT_FILE_READ), 1, "one file page read");
    cpu_load(cpu, MAPA + 5 * 4096 + 200, 8, &v);
    is_u64(v, 0, "bytes past EOF read as zero");
    /* dirty page 2 and the tail of the last page; leave others clean */
    cpu_store(cpu, MAPA + 2 * 4096 + 16, 8, 0x1122334455667788ull);
    cpu_store(cpu, MAPA + 5 * 4096 + 50, 1, 0xAB);
    cpu_store(cpu, MAPA + 5 * 4096 + 3000, 1, 0xCD);   /* past EOF: never written back */
    /* read page 0 and 3 (clean) */
    cpu_load(cpu, MAPA, 8, &v);
    cpu_load(cpu, MAPA + 3 * 4096, 8, &v);
    is_i64(kernel_unmap(p, MAPA, cpu), 0, "munmap");
    is_u64(kt_pstat(p, VMSTAT_FILE_WRITEBACK), 2, "exactly the two dirty pages written back");
    fd = open(path, O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    is_u64(st.st_size, flen, "file size unchanged (the tail past EOF not written)");
    uint64_t w = 0;
    pread(fd, &w, 8, 2 * 4096 + 16);
    is_u64(w, 0x1122334455667788ull, "dirty data in the file");
    unsigned char c = 0;
    pread(fd, &c, 1, 5 * 4096 + 50);
    is_u64(c, 0xAB, "dirty tail byte in the file");
    kernel_page_info(p, MAPA + 4096, &pi);
    ok(pi.where == PAGE_NONE, "unmapped range is gone");
    is_i64(cpu_load(cpu, MAPA, 8, &v), -1, "access after munmap kills");

    /* eviction of a dirty shared page writes it back; clean ones are dropped */
    struct process *q = kernel_process_create(t.k, "mmap2");
    is_i64(kernel_map_file_path(q, MAPA, flen, VM_PROT_READ | VM_PROT_WRITE, path, 0), 0, "map by path");
    unlink(path);   /* mmap-remove: still mapped */
    kernel_switch_to(cpu, q);
    cpu_store(cpu, MAPA + 16, 8, 77);
    kernel_map_anon(q, 0x20000000, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    for (int i = 0; i < 6; i++)
        cpu_load(cpu, MAPA + (uint64_t)i * 4096, 8, &v);
    for (int i = 0; i < 20; i++)
        cpu_store(cpu, 0x20000000 + (uint64_t)i * 4096, 8, (uint64_t)i);
    is_u64(kt_pstat(q, VMSTAT_FILE_WRITEBACK), 1, "evicted dirty file page written back once");
    ok(kt_pstat(q, VMSTAT_PSWPOUT) >= 12, "dirty anonymous pages went to swap");
    ok(kt_pstat(q, VMSTAT_PGDROP_CLEAN) >= 5, "clean file pages dropped, not written");
    cpu_load(cpu, MAPA + 16, 8, &v);
    is_u64(v, 77, "re-read after eviction from the file");
    pread(fd, &w, 8, 16);
    is_u64(w, 77, "file has it");
    /* read-only file mapping: writes kill */
    struct process *r = kernel_process_create(t.k, "mmap-ro");
    is_i64(kernel_map_file(r, MAPA, 4096, VM_PROT_READ, fd, 0), 0, "read-only mapping");
    kernel_switch_to(cpu, r);
    is_i64(cpu_load(cpu, MAPA, 8, &v), 0, "read ok");
    is_i64(cpu_store(cpu, MAPA, 8, 1), -1, "write to read-only mapping fails (mmap-ro)");
    is_str(kill_reason_names[kernel_process_kill_reason(r)], "segv-write-ro", "killed segv-write-ro");

    /* initializer pages (vm_alloc_page_with_initializer) */
    struct process *s = kernel_process_create(t.k, "init");
    int fill = 0x5a;
    is_i64(kernel_alloc_page_with_initializer(s, 0x30000000, true, init_page, &fill), 0, "uninit page");
    is_i64(kernel_alloc_page_with_initializer(s, 0x30000000, true, init_page, &fill), -EEXIST, "twice fails");
    is_i64(kernel_alloc_page_with_initializer(s, 0x30001000, false, init_page, &fill), 0, "read-only uninit page");
    kernel_switch_to(cpu, s);
    cpu_load(cpu, 0x30000000, 8, &v);
    is_u64(v, 0x30000000, "initializer ran on first fault");
    cpu_load(cpu, 0x30000008, 1, &v);
    is_u64(v, 0x5a, "initializer's fill");
    /* evict it: it became anonymous and differs from zero: must go to swap */
    kernel_map_anon(s, 0x20000000, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    for (int i = 0; i < 20; i++)
        cpu_load(cpu, 0x20000000 + (uint64_t)i * 4096, 8, &v);
    ok(kt_pstat(s, VMSTAT_PSWPOUT) >= 1, "initialized page written to swap though never stored to");
    cpu_load(cpu, 0x30000008, 1, &v);
    is_u64(v, 0x5a, "initialized contents survive eviction");
    is_i64(cpu_store(cpu, 0x30001000, 8, 1), -1, "write to read-only initializer page kills");

    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kernel_process_exit(q, cpu);
    kernel_process_exit(r, cpu);
    kernel_process_exit(s, cpu);
    close(fd);
    kt_no_leaks(t.k, "file pages");
    cpu_detach(cpu);
    kt_free(&t);
}

/* Exit writes dirty shared pages back (mmap-exit). */
static void test_exit_writeback(void)
{
    struct kt t = kt_make(PT_ARCH_RISCV, 1, 16, 64, "fifo");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    int fd = make_file(3 * 4096, 9);
    struct process *p = kernel_process_create(t.k, "exit");
    kernel_map_file(p, MAPA, 3 * 4096, VM_PROT_READ | VM_PROT_WRITE, fd, 0);
    kernel_switch_to(cpu, p);
    cpu_store(cpu, MAPA + 4096 + 8, 8, 0xfeedface);
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    uint64_t w = 0;
    pread(fd, &w, 8, 4096 + 8);
    is_u64(w, 0xfeedface, "dirty page written back at exit");
    close(fd);
    unlink(tmpl);
    kt_no_leaks(t.k, "exit write-back");
    cpu_detach(cpu);
    kt_free(&t);
}

/* copy_in/copy_out: lazy pages as system-call buffers; pins hold. */
static void test_copy_pin(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 8, 128, "clock");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "copy");
    kernel_map_anon(p, MAPA, 32 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_anon(p, 0x20000000, 4096, VM_PROT_READ, 0);
    kernel_map_stack(p);
    kernel_switch_to(cpu, p);
    char buf[10000], back[10000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 13);
    /* a copy's faults, as Linux counts them: a page it brings in is a fault
     * (pgfault and pgminfault), a page already mapped no fault at all */
    uint64_t pf0 = kt_pstat(p, VMSTAT_PGFAULT), min0 = kt_pstat(p, VMSTAT_PGMINFAULT);
    is_i64(kernel_copy_to_user(cpu, MAPA + 4096 * 5, buf, 16), 0, "copy_to_user into a lazy page");
    is_i64(kernel_copy_to_user(cpu, MAPA + 4096 * 5 + 64, buf, 16), 0, "and again, the page mapped");
    ok(kt_pstat(p, VMSTAT_PGFAULT) - pf0 == 1 && kt_pstat(p, VMSTAT_PGMINFAULT) - min0 == 1,
       "the copy's fault counts once in pgfault and pgminfault, the second copy nothing "
       "(pgfault +%llu, pgminfault +%llu)", (unsigned long long)(kt_pstat(p, VMSTAT_PGFAULT) - pf0),
       (unsigned long long)(kt_pstat(p, VMSTAT_PGMINFAULT) - min0));
    is_i64(kernel_copy_out(cpu, MAPA + 100, buf, sizeof buf), 0, "copy_out into lazy pages");
    memset(back, 0, sizeof back);
    is_i64(kernel_copy_in(cpu, back, MAPA + 100, sizeof back), 0, "copy_in");
    ok(!memcmp(buf, back, sizeof buf), "same bytes");
    /* the stack as a system-call buffer below the saved rsp-8 ... */
    kernel_set_rsp(p, KERNEL_USER_STACK - 0x2000);
    is_i64(kernel_copy_out(cpu, KERNEL_USER_STACK - 0x2000, buf, 64), 0, "copy_out at saved rsp grows the stack");
    /* a buffer at exactly rsp-8 with rsp in the middle of a page below the stack */
    kernel_set_rsp(p, KERNEL_USER_STACK - 0x4000 + 0x10);
    is_i64(kernel_copy_out(cpu, KERNEL_USER_STACK - 0x4000 + 0x8, buf, 16), 0,
           "copy_out at saved rsp-8 (unaligned rsp) grows the stack");
    /* pinned pages survive pressure */
    is_i64(kernel_pin(p, cpu, MAPA, 3 * 4096, true), 0, "pin 3 pages");
    uint64_t v;
    for (int r = 0; r < 3; r++)
        for (int i = 4; i < 32; i++)
            cpu_store(cpu, MAPA + (uint64_t)i * 4096, 8, (uint64_t)i);
    bool still = true;
    for (int i = 0; i < 3; i++) {
        struct page_info pi;
        kernel_page_info(p, MAPA + (uint64_t)i * 4096, &pi);
        still &= pi.where == PAGE_RESIDENT && pi.pinned;
    }
    ok(still, "pinned pages stayed resident through 84 evicting faults");
    struct kernel_usage u;
    kernel_usage(t.k, &u);
    is_u64(u.pinned_frames, 3, "3 frames pinned");
    kernel_unpin(p, MAPA, 3 * 4096);
    kernel_usage(t.k, &u);
    is_u64(u.pinned_frames, 0, "unpinned");
    (void)v;
    /* copy_out to a read-only page kills (pt-write-code2) */
    is_i64(kernel_copy_out(cpu, 0x20000000, buf, 8), -1, "copy_out to read-only fails");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "segv-write-ro", "and kills segv-write-ro");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);

    /* copy_in from an unmapped address kills segv-unmapped, from kernel space segv-kernel-addr */
    p = kernel_process_create(t.k, "copy2");
    kernel_switch_to(cpu, p);
    is_i64(kernel_copy_in(cpu, back, 0x50000000, 8), -1, "copy_in from unmapped fails");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "segv-unmapped", "segv-unmapped");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    p = kernel_process_create(t.k, "copy3");
    kernel_switch_to(cpu, p);
    is_i64(kernel_copy_in(cpu, back, KERNEL_KERN_BASE, 8), -1, "copy_in from kernel space fails");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "segv-kernel-addr", "segv-kernel-addr");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);

    /* pinning more pages than the user pool holds: the last page's fault
     * finds every frame pinned by this very process and nothing in flight;
     * after the allocator's wait for a change it is an OOM kill, and the
     * pages pinned so far are unpinned */
    p = kernel_process_create(t.k, "pinall");
    kernel_map_anon(p, MAPA, 32 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    is_i64(kernel_pin(p, cpu, MAPA, 9 * 4096, true), -ENOMEM, "pinning 9 pages in 8 frames: -ENOMEM");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "oom-no-frame", "and kills oom-no-frame");
    kernel_usage(t.k, &u);
    is_u64(u.pinned_frames, 0, "the 8 pinned pages were unpinned");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "copy/pin");
    cpu_detach(cpu);
    kt_free(&t);
}

int main(void)
{
    test_args();
    test_file_pages();
    test_exit_writeback();
    test_copy_pin();
    return tap_done();
}
