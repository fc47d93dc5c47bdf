/* test_kernel_elf.c — lazy ELF loading on a small static executable built
 * by hand: nothing read at load, each page read on first touch, bss zero,
 * rights per segment, clean text re-read after eviction and never swapped,
 * written data swapped; malformed files refused with the file named;
 * mutated files never crash the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ktest.h"

#define FILE_LEN 0x3000
static unsigned char image[FILE_LEN];

static void put16(unsigned char *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

static unsigned char file_byte(uint64_t off) { return (unsigned char)(off * 31 + 7); }

static void phdr(unsigned char *ph, uint32_t flags, uint64_t off, uint64_t va, uint64_t filesz,
                 uint64_t memsz)
{
    put32(ph, 1);   /* PT_LOAD */
    put32(ph + 4, flags);
    put64(ph + 8, off);
    put64(ph + 16, va);
    put64(ph + 24, va);
    put64(ph + 32, filesz);
    put64(ph + 40, memsz);
    put64(ph + 48, 0x1000);
}

static void build_image(uint16_t machine)
{
    memset(image, 0, sizeof image);
    for (uint64_t i = 0x1000; i < FILE_LEN; i++)
        image[i] = file_byte(i);
    unsigned char *e = image;
    memcpy(e, "\x7f" "ELF", 4);
    e[4] = 2;   /* ELFCLASS64 */
    e[5] = 1;   /* little endian */
    e[6] = 1;   /* EV_CURRENT */
    put16(e + 16, 2);        /* ET_EXEC */
    put16(e + 18, machine);
    put32(e + 20, 1);
    put64(e + 24, 0x401000); /* entry */
    put64(e + 32, 64);       /* phoff */
    put16(e + 52, 64);       /* ehsize */
    put16(e + 54, 56);       /* phentsize */
    put16(e + 56, 2);        /* phnum */
    put16(e + 58, 64);       /* shentsize */
    phdr(e + 64, 5, 0x1000, 0x401000, 0x1800, 0x1800);        /* text: R X */
    phdr(e + 64 + 56, 6, 0x2800, 0x403800, 0x800, 0x5000);    /* data + bss: R W */
}

static char path[64];

static void write_image(size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0 || write(fd, image, len) != (ssize_t)len)
        abort();
    close(fd);
}

static void test_load(enum pt_arch arch)
{
    build_image(arch == PT_ARCH_X86 ? 62 : 243);
    write_image(FILE_LEN);
    struct kt t = kt_make(arch, 1, 4, 64, "fifo");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(t.k, "elf");
    char err[256] = "";
    vaddr_t entry = 0;
    is_i64(kernel_load_elf(p, path, &entry, err, sizeof err), 0, "load (%s)", err);
    is_u64(entry, 0x401000, "entry point");
    struct process_usage u;
    kernel_process_usage(p, &u);
    is_u64(u.resident_pages + u.spt_pages, 0, "nothing loaded at load time");
    is_u64(u.vmas, 2, "two segments");
    kernel_map_stack(p);
    kernel_switch_to(cpu, p);
    uint64_t v;
    is_i64(cpu_fetch(cpu, 0x401000, 4, &v), 0, "fetch at the entry");
    uint32_t want;
    memcpy(&want, image + 0x1000, 4);
    is_u64(v, want, "instruction bytes from the file");
    kernel_process_usage(p, &u);
    is_u64(u.resident_pages, 1, "only the touched page loaded");
    is_u64(kt_pstat(p, VMSTAT_FILE_READ), 1, "one page read");
    cpu_load(cpu, 0x402100, 1, &v);
    is_u64(v, file_byte(0x2100), "second text page from the file");
    cpu_load(cpu, 0x402900, 8, &v);
    is_u64(v, 0, "past the segment's file bytes: zero");
    cpu_load(cpu, 0x403900, 1, &v);
    is_u64(v, file_byte(0x2900), "data from the file");
    cpu_load(cpu, 0x404200, 8, &v);
    is_u64(v, 0, "bss zero");
    cpu_load(cpu, 0x408ff8, 8, &v);
    is_u64(v, 0, "last bss page zero");
    /* write data, then evict everything with stack pages */
    is_i64(cpu_store(cpu, 0x403900, 8, 0xabcdef), 0, "write to data");
    is_i64(cpu_store(cpu, 0x405000, 8, 0x777), 0, "write to bss");
    uint64_t reads = kt_pstat(p, VMSTAT_FILE_READ);
    for (int i = 0; i < 8; i++) {
        kernel_set_rsp(p, KERNEL_USER_STACK - (uint64_t)i * 4096);
        cpu_store(cpu, KERNEL_USER_STACK - (uint64_t)i * 4096 - 8, 8, (uint64_t)i);
    }
    is_u64(kt_pstat(p, VMSTAT_PSWPOUT) >= 2 ? 1 : 0, 1, "written data and bss pages went to swap");
    cpu_fetch(cpu, 0x401000, 4, &v);
    is_u64(v, want, "text read again after eviction");
    ok(kt_pstat(p, VMSTAT_FILE_READ) > reads, "by a file read, not from swap");
    cpu_load(cpu, 0x403900, 8, &v);
    is_u64(v, 0xabcdef, "written data survived eviction");
    cpu_load(cpu, 0x405000, 8, &v);
    is_u64(v, 0x777, "written bss survived eviction");
    cpu_load(cpu, 0x403908, 1, &v);
    is_u64(v, file_byte(0x2908), "the rest of the data page intact");
    is_i64(cpu_store(cpu, 0x401000, 8, 0), -1, "write to text fails (pt-write-code)");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "segv-write-ro", "killed segv-write-ro");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);

    p = kernel_process_create(t.k, "nx");
    kernel_load_elf(p, path, &entry, err, sizeof err);
    kernel_switch_to(cpu, p);
    is_i64(cpu_fetch(cpu, 0x404000, 4, &v), -1, "fetch from data fails");
    is_str(kill_reason_names[kernel_process_kill_reason(p)], "segv-exec-nx", "killed segv-exec-nx");
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);

    /* overlapping an existing mapping: refused, nothing left behind */
    p = kernel_process_create(t.k, "overlap");
    kernel_map_anon(p, 0x404000, 4096, VM_PROT_READ, 0);
    is_i64(kernel_load_elf(p, path, &entry, err, sizeof err), -EEXIST, "load over a mapping refused");
    kernel_process_usage(p, &u);
    is_u64(u.vmas, 1, "no segment inserted");
    kernel_process_exit(p, cpu);
    kt_no_leaks(t.k, "elf");
    cpu_detach(cpu);
    kt_free(&t);
}

static void test_bad(void)
{
    struct kt t = kt_make(PT_ARCH_X86, 1, 16, 64, "clock");
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    char err[256];
    vaddr_t entry;
    struct process *p = kernel_process_create(t.k, "bad");
    is_i64(kernel_load_elf(p, "/nonexistent/prog", &entry, err, sizeof err), -ENOENT, "missing file");
    ok(strstr(err, "/nonexistent/prog") && strstr(err, "open failed"), "message: %s", err);
    build_image(62);
    write_image(100);
    is_i64(kernel_load_elf(p, path, &entry, err, sizeof err), -ENOEXEC, "truncated file refused");
    ok(strstr(err, path) != NULL, "message names the file: %s", err);
    build_image(243);
    write_image(FILE_LEN);
    is_i64(kernel_load_elf(p, path, &entry, err, sizeof err), -ENOEXEC, "RISC-V executable on x86 refused");
    ok(strstr(err, "e_machine") != NULL, "message: %s", err);
    kernel_process_exit(p, cpu);

    /* mutations of the headers: load or refuse, never crash; what loads runs */
    uint64_t seed = 4242;
    int loaded = 0, refused = 0, n = kt_sanitized() ? 150 : 600;
    bool msgs = true;
    for (int i = 0; i < n; i++) {
        build_image(62);
        int flips = 1 + (int)(kt_rng(&seed) % 4);
        for (int f = 0; f < flips; f++)
            image[kt_rng(&seed) % (64 + 112)] ^= (unsigned char)(1u << (kt_rng(&seed) % 8));
        write_image(FILE_LEN);
        p = kernel_process_create(t.k, "mut");
        err[0] = 0;
        if (kernel_load_elf(p, path, &entry, err, sizeof err) == 0) {
            loaded++;
            kernel_switch_to(cpu, p);
            uint64_t v;
            cpu_fetch(cpu, entry, 4, &v);
            cpu_load(cpu, 0x403900, 8, &v);
            kernel_switch_to(cpu, NULL);
        } else {
            refused++;
            msgs &= strlen(err) > strlen(path) + 8;
        }
        kernel_process_exit(p, cpu);
    }
    ok(loaded > 0 && refused > 0, "%d mutated files: %d loaded, %d refused", n, loaded, refused);
    ok(msgs, "every refusal has a message");
    kt_no_leaks(t.k, "mutated ELF files");
    cpu_detach(cpu);
    kt_free(&t);
}

int main(void)
{
    strcpy(path, "/tmp/vmlab-elf-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    test_load(PT_ARCH_X86);
    test_load(PT_ARCH_RISCV);
    test_bad();
    unlink(path);
    return tap_done();
}
