/* test_elf.c — ELF64 validation: hand-built images for the happy path and
 * every rejection (with its message), the fd and path entry points, and
 * real executables from the host toolchain. Every accepted image is also
 * "loaded" the way load_segment does it and compared with what the program
 * headers say memory must hold. */
#include "os/elf.h"
#include "lib/tap.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USER_TOP 0x800000000000ull
#define FILE_SIZE 0x8000u

/* ---- a tiny ELF builder ------------------------------------------------ */

struct builder {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[80];
    unsigned nph;
    size_t size;                  /* file size */
    unsigned char file[FILE_SIZE];
};

static void b_init(struct builder *b, uint16_t machine, uint16_t type, uint64_t entry)
{
    memset(b, 0, sizeof *b);
    memcpy(b->eh.e_ident, ELFMAG, SELFMAG);
    b->eh.e_ident[EI_CLASS] = ELFCLASS64;
    b->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    b->eh.e_ident[EI_VERSION] = EV_CURRENT;
    b->eh.e_type = type;
    b->eh.e_machine = machine;
    b->eh.e_version = EV_CURRENT;
    b->eh.e_entry = entry;
    b->eh.e_phoff = sizeof(Elf64_Ehdr);
    b->eh.e_ehsize = sizeof(Elf64_Ehdr);
    b->eh.e_phentsize = sizeof(Elf64_Phdr);
    b->size = FILE_SIZE;
    for (size_t i = 0; i < FILE_SIZE; i++)
        b->file[i] = (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
}

static unsigned b_ph(struct builder *b, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                     uint64_t filesz, uint64_t memsz)
{
    Elf64_Phdr *p = &b->ph[b->nph];
    *p = (Elf64_Phdr){ .p_type = type, .p_flags = flags, .p_offset = off, .p_vaddr = vaddr,
                       .p_paddr = vaddr, .p_filesz = filesz, .p_memsz = memsz, .p_align = 0x1000 };
    return b->nph++;
}

/* Lay out header and program headers at the front of the file. The table
 * must fit before offset 0x1000 (where test segments put their data) for
 * up to 62 entries; larger tables simply overwrite file data. */
static const unsigned char *b_build(struct builder *b)
{
    if (!b->eh.e_phnum)
        b->eh.e_phnum = (uint16_t)b->nph;
    memcpy(b->file, &b->eh, sizeof b->eh);
    if (b->eh.e_phoff < FILE_SIZE && b->nph * sizeof(Elf64_Phdr) <= FILE_SIZE - b->eh.e_phoff)
        memcpy(b->file + b->eh.e_phoff, b->ph, b->nph * sizeof(Elf64_Phdr));
    return b->file;
}

/* The standard good image: text, data with bss, a bss-only segment and
 * some headers the loader ignores. */
static void b_standard(struct builder *b)
{
    b_init(b, EM_X86_64, ET_EXEC, 0x400100);
    b_ph(b, PT_PHDR, PF_R, 64, 0x400040, 4 * 56, 4 * 56);
    b_ph(b, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
    b_ph(b, PT_LOAD, PF_R | PF_W, 0x1234, 0x401234, 0x100, 0x3000);
    b_ph(b, PT_LOAD, PF_R | PF_W, 0x3010, 0x500010, 0, 0x2000);
    b_ph(b, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
    b_ph(b, PT_NOTE, PF_R, 0x200, 0x400200, 0x20, 0x20);
    b_ph(b, PT_DYNAMIC, PF_R | PF_W, 0x1300, 0x401300, 0x10, 0x10);
}

static char err[512];

static int parse(struct builder *b, uint64_t user_top, struct elf_image *img)
{
    err[0] = 0;
    return elf_parse(b_build(b), b->size, user_top, img, err, sizeof err);
}

/* ---- loading as load_segment does, checked against the phdrs ------------ */

/* Memory of one image: segments materialised from the file. */
static bool image_matches_phdrs(const unsigned char *file, size_t size, const struct elf_image *img)
{
    Elf64_Ehdr eh;
    memcpy(&eh, file, sizeof eh);
    unsigned char **mem = calloc(img->nsegments, sizeof *mem);
    bool good = true;
    for (unsigned k = 0; k < img->nsegments; k++) {
        const struct elf_segment *s = &img->seg[k];
        if (s->vaddr % 4096 || s->mem_bytes % 4096 || s->file_offset % 4096 || s->read_bytes > s->mem_bytes ||
            s->file_offset + s->read_bytes > size) {
            tap_diag("segment %u malformed", k);
            good = false;
            continue;
        }
        mem[k] = malloc(s->mem_bytes);
        memcpy(mem[k], file + s->file_offset, s->read_bytes);
        memset(mem[k] + s->read_bytes, 0, s->mem_bytes - s->read_bytes);
    }
    unsigned k = 0;
    for (unsigned i = 0; i < eh.e_phnum && good; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, file + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD)
            continue;
        const struct elf_segment *s = &img->seg[k];
        unsigned char *m = mem[k++];
        uint64_t at = ph.p_vaddr - s->vaddr;
        if (ph.p_vaddr < s->vaddr || at + ph.p_memsz > s->mem_bytes) {
            tap_diag("phdr %u not covered by its mapping", i);
            good = false;
            break;
        }
        if (memcmp(m + at, file + ph.p_offset, ph.p_filesz) != 0) {
            tap_diag("phdr %u: file bytes differ in memory", i);
            good = false;
        }
        for (uint64_t j = ph.p_filesz; j < ph.p_memsz; j++)
            if (m[at + j]) {
                tap_diag("phdr %u: byte 0x%llx past p_filesz is not zero", i, (unsigned long long)j);
                good = false;
                break;
            }
        if (s->readable != !!(ph.p_flags & PF_R) || s->writable != !!(ph.p_flags & PF_W) ||
            s->executable != !!(ph.p_flags & PF_X)) {
            tap_diag("phdr %u: permissions differ", i);
            good = false;
        }
    }
    if (k != img->nsegments)
        good = false;
    for (unsigned j = 0; j < img->nsegments; j++)
        free(mem[j]);
    free(mem);
    return good;
}

/* ---- tests --------------------------------------------------------------- */

/* The same comparison with the pages filled by elf_read_page from an fd. */
static bool pages_match_phdrs(int fd, const unsigned char *file, const struct elf_image *img)
{
    Elf64_Ehdr eh;
    memcpy(&eh, file, sizeof eh);
    bool good = true;
    unsigned k = 0;
    unsigned char page[4096];
    for (unsigned i = 0; i < eh.e_phnum && good; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, file + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD)
            continue;
        const struct elf_segment *s = &img->seg[k++];
        for (uint64_t pg = 0; pg < s->mem_bytes / 4096 && good; pg++) {
            memset(page, 0xa5, sizeof page);
            if (elf_read_page(fd, s, pg, page) != 0) {
                good = false;
                break;
            }
            for (uint64_t b = 0; b < 4096; b++) {
                uint64_t va = s->vaddr + pg * 4096 + b;
                /* Bytes of the segment proper: file bytes, then zeros. */
                if (va >= ph.p_vaddr && va < ph.p_vaddr + ph.p_memsz) {
                    uint64_t rel = va - ph.p_vaddr;
                    unsigned char want = rel < ph.p_filesz ? file[ph.p_offset + rel] : 0;
                    if (page[b] != want) {
                        tap_diag("phdr %u va 0x%llx: got %02x want %02x", i, (unsigned long long)va, page[b], want);
                        good = false;
                        break;
                    }
                }
            }
        }
    }
    return good && k == img->nsegments;
}

static void test_happy(void)
{
    static struct builder b;
    struct elf_image img;
    b_standard(&b);
    is_i64(parse(&b, USER_TOP, &img), 0, "standard image parses: %s", err);
    is_u64(img.machine, EM_X86_64, "machine");
    is_u64(img.entry, 0x400100, "entry");
    is_u64(img.nsegments, 3, "three PT_LOADs, other headers ignored");
    const struct elf_segment *t = &img.seg[0], *d = &img.seg[1], *z = &img.seg[2];
    ok(t->vaddr == 0x400000 && t->mem_bytes == 0x1000 && t->file_offset == 0 && t->read_bytes == 0x1000 &&
       t->readable && t->executable && !t->writable, "text: 0x400000 +0x1000, read 0x1000, R-X");
    is_u64(d->vaddr, 0x401000, "data: p_vaddr 0x401234 rounds down to 0x401000");
    is_u64(d->file_offset, 0x1000, "data: p_offset 0x1234 rounds down to 0x1000");
    is_u64(d->read_bytes, 0x334, "data: read_bytes = 0x234 page offset + 0x100 filesz");
    is_u64(d->mem_bytes, 0x4000, "data: mem_bytes = round_up(0x234 + 0x3000)");
    ok(d->readable && d->writable && !d->executable, "data: RW-");
    ok(z->vaddr == 0x500000 && z->read_bytes == 0 && z->mem_bytes == 0x3000 && z->file_offset == 0x3000,
       "bss-only: no file bytes, 0x3000 of zero pages");
    ok(image_matches_phdrs(b.file, b.size, &img), "loading as load_segment gives what the phdrs describe");

    b_init(&b, EM_RISCV, ET_DYN, 0x10080);
    b_ph(&b, PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x900, 0x900);
    b_ph(&b, PT_LOAD, PF_R | PF_W, 0xff8, 0x11ff8, 0x10, 0x10);   /* straddles a page boundary */
    is_i64(parse(&b, USER_TOP, &img), 0, "RISC-V ET_DYN linked at 0x10000 parses: %s", err);
    ok(img.machine == EM_RISCV && img.nsegments == 2 && img.seg[1].vaddr == 0x11000 &&
       img.seg[1].mem_bytes == 0x2000 && img.seg[1].read_bytes == 0xff8 + 0x10,
       "segment straddling a page boundary maps two pages");
    ok(image_matches_phdrs(b.file, b.size, &img), "  ... and loads as described");

    b_init(&b, EM_X86_64, ET_EXEC, 0x7fffffffe000);
    b_ph(&b, PT_LOAD, PF_R | PF_X, 0x1000, 0x7fffffffe000, 0x10, 0x2000);
    is_i64(parse(&b, USER_TOP, &img), 0, "a segment ending exactly at user_top is fine: %s", err);

    b_init(&b, EM_X86_64, ET_EXEC, 0x401000);
    b_ph(&b, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, FILE_SIZE - 0x1000, FILE_SIZE - 0x1000);
    b_ph(&b, PT_LOAD, PF_R, FILE_SIZE, 0x501000, 0, 0x10);
    is_i64(parse(&b, USER_TOP, &img), 0, "file bytes up to the very end, p_offset == size: %s", err);

    b_init(&b, EM_X86_64, ET_EXEC, 0x400000);
    for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++)
        b_ph(&b, PT_LOAD, PF_R | PF_X, 0x1000, 0x400000 + i * 0x10000ull, 0x100, 0x100);
    is_i64(parse(&b, USER_TOP, &img), 0, "64 PT_LOADs accepted: %s", err);
    is_u64(img.nsegments, 64, "  ... all 64 recorded");
}

struct reject {
    const char *what;
    const char *msg;   /* expected substring */
};

static void expect_reject(struct builder *b, uint64_t user_top, const char *what, const char *msg)
{
    struct elf_image img;
    int r = parse(b, user_top, &img);
    ok(r == -1 && strstr(err, msg) != NULL, "rejects %s: %s", what, err);
    if (r != -1 || !strstr(err, msg))
        tap_diag("expected a message containing \"%s\"", msg);
}

static void test_reject(void)
{
    static struct builder b;
    struct elf_image img;

    b_standard(&b);
    b_build(&b);
    b.file[0] = 0x7e;
    err[0] = 0;
    ok(elf_parse(b.file, b.size, USER_TOP, &img, err, sizeof err) == -1 && strstr(err, "not an ELF file"),
       "rejects bad magic: %s", err);
    ok(elf_parse(b.file, 0, USER_TOP, &img, err, sizeof err) == -1 && strstr(err, "not an ELF file"),
       "rejects an empty file: %s", err);
    ok(elf_parse(NULL, 100, USER_TOP, &img, err, sizeof err) == -1, "rejects NULL data");

    b_standard(&b);
    b.eh.e_ident[EI_CLASS] = ELFCLASS32;
    expect_reject(&b, USER_TOP, "ELFCLASS32", "EI_CLASS] (byte 4) is 1 (ELFCLASS32)");
    b_standard(&b);
    b.eh.e_ident[EI_DATA] = ELFDATA2MSB;
    expect_reject(&b, USER_TOP, "big-endian", "EI_DATA] (byte 5) is 2 (big-endian)");
    b_standard(&b);
    b.eh.e_ident[EI_VERSION] = 0;
    expect_reject(&b, USER_TOP, "EI_VERSION 0", "EI_VERSION] (byte 6) is 0");
    b_standard(&b);
    b.size = 40;
    expect_reject(&b, USER_TOP, "a truncated header", "truncated ELF header: the file is 40 bytes");
    b_standard(&b);
    b.size = 10;
    expect_reject(&b, USER_TOP, "a truncated e_ident", "truncated ELF header: the file is 10 bytes");
    b_standard(&b);
    b.eh.e_type = ET_REL;
    expect_reject(&b, USER_TOP, "ET_REL", "e_type (byte 16) is 1 (ET_REL");
    b_standard(&b);
    b.eh.e_type = ET_CORE;
    expect_reject(&b, USER_TOP, "ET_CORE", "(ET_CORE, a core dump)");
    b_standard(&b);
    b.eh.e_machine = EM_386;
    expect_reject(&b, USER_TOP, "EM_386", "e_machine (byte 18) is 3 (EM_386");
    b_standard(&b);
    b.eh.e_machine = EM_AARCH64;
    expect_reject(&b, USER_TOP, "EM_AARCH64", "is 183 (EM_AARCH64)");
    b_standard(&b);
    b.eh.e_version = 2;
    expect_reject(&b, USER_TOP, "e_version 2", "e_version (byte 20) is 2");
    b_standard(&b);
    b.eh.e_phentsize = 32;
    expect_reject(&b, USER_TOP, "e_phentsize 32", "e_phentsize (byte 54) is 32");
    b_standard(&b);
    b.eh.e_phnum = 0;
    b.nph = 0;
    expect_reject(&b, USER_TOP, "e_phnum 0", "e_phnum (byte 56) is 0: no program headers");
    b_standard(&b);
    b.eh.e_phnum = PN_XNUM;
    expect_reject(&b, USER_TOP, "PN_XNUM", "PN_XNUM");
    b_standard(&b);
    b.eh.e_phnum = 2000;
    expect_reject(&b, USER_TOP, "e_phnum 2000", "e_phnum (byte 56) is 2000: more than 1024");
    b_standard(&b);
    b.eh.e_phnum = 600;   /* 600 * 56 = 33600 > 0x8000 - 64 */
    expect_reject(&b, USER_TOP, "a table past the end of the file", "runs past the end of the file");
    b_standard(&b);
    b.eh.e_phoff = UINT64_MAX - 10;
    expect_reject(&b, USER_TOP, "an e_phoff that wraps", "e_phoff 0xfffffffffffffff5");

    /* PT_LOAD checks. Three PT_NOTEs first, so the bad header is number 3. */
#define BAD_LOAD(flags, off, va, fs, ms)                       \
    do {                                                       \
        b_init(&b, EM_X86_64, ET_EXEC, 0x400100);              \
        b_ph(&b, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000); \
        b_ph(&b, PT_NOTE, PF_R, 0x200, 0x400200, 0x20, 0x20);  \
        b_ph(&b, PT_NOTE, PF_R, 0x200, 0x400200, 0x20, 0x20);  \
        b_ph(&b, PT_LOAD, flags, off, va, fs, ms);             \
    } while (0)

    BAD_LOAD(PF_R, 0x1234, 0x401000, 0x10, 0x10);
    struct elf_image im;
    err[0] = 0;
    elf_parse(b_build(&b), b.size, USER_TOP, &im, err, sizeof err);
    is_str(err, "program header 3: p_offset 0x1234 and p_vaddr 0x401000 disagree modulo the page size",
           "misaligned p_offset/p_vaddr: exact message");
    BAD_LOAD(PF_R, 0x1000, 0x401000, 0x10, 0);
    expect_reject(&b, USER_TOP, "p_memsz 0", "program header 3: PT_LOAD with p_memsz 0");
    BAD_LOAD(PF_R, 0x1000, 0x401000, 0x20, 0x10);
    expect_reject(&b, USER_TOP, "p_filesz > p_memsz", "program header 3: p_filesz 0x20 exceeds p_memsz 0x10");
    BAD_LOAD(PF_R, 0x9000, 0x409000, 0, 0x10);
    expect_reject(&b, USER_TOP, "p_offset past the end", "p_offset 0x9000 is past the end of the file (0x8000 bytes)");
    BAD_LOAD(PF_R, 0x7000, 0x407000, 0x1001, 0x2000);
    expect_reject(&b, USER_TOP, "file bytes past the end", "file bytes [0x7000, 0x8001) run past the end");
    BAD_LOAD(PF_R, 0x1000, 0xfffffffffffff000ull, 0x10, 0x2000);
    expect_reject(&b, UINT64_MAX, "vaddr + memsz wrapping", "wraps around the address space");
    BAD_LOAD(PF_R, 0x1000, 0xffffffffffff0000ull, 0x10, 0xf001);
    expect_reject(&b, UINT64_MAX, "a page-rounded end that wraps", "wraps around the address space");
    BAD_LOAD(PF_R, 0x100, 0x100, 0x10, 0x10);
    expect_reject(&b, USER_TOP, "page 0", "p_vaddr 0x100 maps page 0");
    BAD_LOAD(PF_R, 0x1000, 0x7ffffffff000ull, 0x10, 0x1001);
    expect_reject(&b, USER_TOP, "a segment reaching user_top",
                  "pages [0x7ffffffff000, 0x800000001000) reach user_top 0x800000000000");
    BAD_LOAD(PF_R, 0x1000, 0xffff800000001000ull, 0x10, 0x10);
    expect_reject(&b, USER_TOP, "a kernel-space segment", "(kernel space)");
    BAD_LOAD(PF_R | PF_W, 0x900, 0x400900, 0x10, 0x10);
    expect_reject(&b, USER_TOP, "segments sharing a page",
                  "program header 3: pages [0x400000, 0x401000) overlap pages [0x400000, 0x401000) of program header 0");
    BAD_LOAD(PF_R | PF_W, 0x1000, 0x3ff000, 0x10, 0x1001);
    expect_reject(&b, USER_TOP, "a segment running into the next", "overlap pages");

    b_init(&b, EM_X86_64, ET_EXEC, 0x400000);
    for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
        b_ph(&b, PT_LOAD, PF_R | PF_X, 0x1000, 0x400000 + i * 0x10000ull, 0x100, 0x100);
    expect_reject(&b, USER_TOP, "65 PT_LOADs", "program header 64: more than 64 PT_LOAD segments");

    b_init(&b, EM_X86_64, ET_DYN, 0x1100);
    b_ph(&b, PT_LOAD, PF_R | PF_X, 0, 0, 0x2000, 0x2000);
    expect_reject(&b, USER_TOP, "ET_DYN linked at 0", "needs a load bias");

    /* Program header types. */
    b_standard(&b);
    b_ph(&b, PT_INTERP, PF_R, 0x2000, 0x402000, 28, 28);
    memcpy(b.file + 0x2000, "/lib64/ld-linux-x86-64.so.2", 28);
    expect_reject(&b, USER_TOP, "PT_INTERP",
                  "program header 7: PT_INTERP requests the dynamic linker \"/lib64/ld-linux-x86-64.so.2\": "
                  "vmlab loads static executables only (no dynamic linker)");
    b_standard(&b);
    b_ph(&b, PT_INTERP, PF_R, 0x7ffff, 0x402000, 28, 28);
    expect_reject(&b, USER_TOP, "PT_INTERP pointing outside the file", "PT_INTERP requests a dynamic linker");
    b_standard(&b);
    b_ph(&b, PT_SHLIB, PF_R, 0, 0, 0, 0);
    expect_reject(&b, USER_TOP, "PT_SHLIB", "program header 7: PT_SHLIB");
    b_init(&b, EM_X86_64, ET_EXEC, 0x400100);
    b_ph(&b, PT_NOTE, PF_R, 0x200, 0x400200, 0x20, 0x20);
    expect_reject(&b, USER_TOP, "no PT_LOAD", "no PT_LOAD program header");

    /* Entry point. */
    b_standard(&b);
    b.eh.e_entry = 0x900000;
    expect_reject(&b, USER_TOP, "entry outside all segments",
                  "e_entry 0x900000 is not inside any executable PT_LOAD segment");
    b_standard(&b);
    b.eh.e_entry = 0x401240;
    expect_reject(&b, USER_TOP, "entry in a data segment",
                  "e_entry 0x401240 lies in program header 2, which is not executable (flags RW-)");
    b_standard(&b);
    b.eh.e_entry = 0x401000;   /* text is [0x400000, 0x401000) */
    expect_reject(&b, USER_TOP, "entry one past the end of text", "is not inside any executable");
}

static void test_fd_and_path(void)
{
    static struct builder b;
    struct elf_image a, c, d;
    b_standard(&b);
    parse(&b, USER_TOP, &a);

    char path[256];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/vmlab-elf-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0700);
    ok(fd >= 0 && write(fd, b.file, b.size) == (ssize_t)b.size, "image written to %s", path);
    ok(elf_parse_fd(fd, USER_TOP, &c, err, sizeof err) == 0, "elf_parse_fd accepts it: %s", err);
    ok(elf_parse_file(path, USER_TOP, &d, err, sizeof err) == 0, "elf_parse_file accepts it: %s", err);
    bool same = a.nsegments == c.nsegments && a.entry == c.entry && a.machine == c.machine &&
                d.nsegments == c.nsegments && d.entry == c.entry;
    for (unsigned k = 0; same && k < a.nsegments; k++)
        same = a.seg[k].vaddr == c.seg[k].vaddr && a.seg[k].mem_bytes == c.seg[k].mem_bytes &&
               a.seg[k].file_offset == c.seg[k].file_offset && a.seg[k].read_bytes == c.seg[k].read_bytes &&
               a.seg[k].writable == c.seg[k].writable && a.seg[k].executable == c.seg[k].executable &&
               d.seg[k].read_bytes == c.seg[k].read_bytes;
    ok(same, "bytes, fd and path give the same image");
    ok(pages_match_phdrs(fd, b.file, &c), "elf_read_page fills every page as the phdrs describe");
    uint64_t off;
    is_u64(elf_page_file_bytes(&c.seg[1], 0, &off), 0x334, "data page 0: 0x334 file bytes");
    is_u64(off, 0x1000, "  ... from offset 0x1000");
    is_u64(elf_page_file_bytes(&c.seg[1], 1, &off), 0, "data page 1: all zero");

    ok(ftruncate(fd, 0x2000) == 0, "truncate the file to 0x2000 bytes");
    unsigned char pg[4096];
    struct elf_segment late = { .vaddr = 0x500000, .mem_bytes = 0x2000, .file_offset = 0x1000, .read_bytes = 0x1800 };
    is_i64(elf_read_page(fd, &late, 1, pg), -EIO, "elf_read_page past the end of a shrunk file: -EIO");
    is_i64(elf_read_page(-1, &late, 0, pg), -EBADF, "elf_read_page on a bad fd: -EBADF");
    ok(elf_parse_fd(fd, USER_TOP, &c, err, sizeof err) == -1 && strstr(err, "past the end of the file (0x2000"),
       "fd: the truncated file is rejected: %s", err);
    close(fd);
    unlink(path);
    ok(elf_parse_file(path, USER_TOP, &c, err, sizeof err) == -1 && strstr(err, path) &&
       strstr(err, "cannot open: No such file"), "missing file: %s", err);
    ok(elf_parse_file("/", USER_TOP, &c, err, sizeof err) == -1 && strstr(err, "/: not a regular file"),
       "a directory: %s", err);
}

static void test_host(void)
{
    struct elf_image img;
    if (access("/bin/true", R_OK) == 0) {
        int r = elf_parse_file("/bin/true", USER_TOP, &img, err, sizeof err);
        ok(r == -1 && strstr(err, "PT_INTERP requests the dynamic linker") && strstr(err, "no dynamic linker"),
           "/bin/true (dynamically linked PIE) is refused clearly: %s", err);
    } else {
        tap_skip(1, "no /bin/true");
    }

    if (system("gcc --version >/dev/null 2>&1") != 0) {
        tap_skip(8, "no gcc: cannot build a static executable");
        return;
    }
    char dir[] = "/tmp/vmlab-elf-XXXXXX";
    if (!mkdtemp(dir)) {
        tap_skip(8, "mkdtemp failed");
        return;
    }
    char cmd[1024], src[256], exe[256], pie[256];
    snprintf(src, sizeof src, "%s/prog.c", dir);
    snprintf(exe, sizeof exe, "%s/prog", dir);
    snprintf(pie, sizeof pie, "%s/prog-pie", dir);
    FILE *f = fopen(src, "w");
    fputs("int counter = 5;\n"
          "char big[100000];\n"
          "const char msg[] = \"hello from vmlab\";\n"
          "void _start(void) { big[counter] = msg[0]; for (;;) __asm__ volatile(\"\"); }\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gcc -O1 -fno-stack-protector -static -nostdlib -o %s %s 2>&1", exe, src);
    int rc = system(cmd);
    ok(rc == 0, "gcc -static -nostdlib builds a test program");
    if (rc == 0) {
        int r = elf_parse_file(exe, USER_TOP, &img, err, sizeof err);
        ok(r == 0, "the static executable parses: %s", err);
        bool rw_bss = false;
        for (unsigned k = 0; k < img.nsegments; k++) {
            tap_diag("  segment %u: vaddr 0x%llx mem 0x%llx file 0x%llx read 0x%llx %c%c%c", k,
                     (unsigned long long)img.seg[k].vaddr, (unsigned long long)img.seg[k].mem_bytes,
                     (unsigned long long)img.seg[k].file_offset, (unsigned long long)img.seg[k].read_bytes,
                     img.seg[k].readable ? 'R' : '-', img.seg[k].writable ? 'W' : '-',
                     img.seg[k].executable ? 'X' : '-');
            if (img.seg[k].writable && img.seg[k].mem_bytes >= 100000 && img.seg[k].read_bytes < 100000)
                rw_bss = true;
        }
        ok(r == 0 && rw_bss && img.machine == EM_X86_64, "  ... with a writable segment holding the bss");
        if (r == 0) {
            int fd = open(exe, O_RDONLY);
            struct stat st;
            fstat(fd, &st);
            unsigned char *file = malloc((size_t)st.st_size);
            ok(read(fd, file, (size_t)st.st_size) == st.st_size &&
               image_matches_phdrs(file, (size_t)st.st_size, &img) && pages_match_phdrs(fd, file, &img),
               "  ... and loads, page by page, to what its program headers describe");
            free(file);
            close(fd);
        } else {
            tap_skip(1, "did not parse");
        }
    } else {
        tap_skip(3, "gcc failed");
    }

    /* Other linkers and layouts: each must parse and load as described. */
    const char *variants[] = { "-Wl,-z,noseparate-code", "-Wl,-N", "-fuse-ld=gold", "-fuse-ld=lld" };
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        snprintf(cmd, sizeof cmd, "gcc -O1 -fno-stack-protector -static -nostdlib %s -o %s %s >/dev/null 2>&1",
                 variants[v], exe, src);
        if (system(cmd) != 0) {
            tap_skip(1, variants[v]);
            continue;
        }
        int fd = open(exe, O_RDONLY);
        struct stat st;
        fstat(fd, &st);
        unsigned char *file = malloc((size_t)st.st_size);
        bool rd = read(fd, file, (size_t)st.st_size) == st.st_size;
        close(fd);
        int r = elf_parse(file, (size_t)st.st_size, USER_TOP, &img, err, sizeof err);
        ok(rd && r == 0 && image_matches_phdrs(file, (size_t)st.st_size, &img),
           "static executable linked with %s parses (%u segments) and loads as described %s",
           variants[v], img.nsegments, err);
        free(file);
    }

    snprintf(cmd, sizeof cmd, "gcc -O1 -fno-stack-protector -static-pie -nostdlib -o %s %s >/dev/null 2>&1",
             pie, src);
    if (system(cmd) == 0) {
        int r = elf_parse_file(pie, USER_TOP, &img, err, sizeof err);
        ok(r == -1 && strstr(err, "needs a load bias"), "a static PIE linked at 0 is refused clearly: %s", err);
    } else {
        tap_skip(1, "gcc -static-pie not available");
    }
    unlink(src);
    unlink(exe);
    unlink(pie);
    rmdir(dir);
}

int main(void)
{
    test_happy();
    test_reject();
    test_fd_and_path();
    test_host();
    return tap_done();
}
