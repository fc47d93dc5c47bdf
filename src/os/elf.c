/* elf.c — ELF64 executable validation for lazy loading (see elf.h).
 *
 * The checks are PintOS's validate_segment plus what a loader that takes
 * files from the host needs: every number read from the file is checked
 * before it is used as an offset, a size or an address, and every sum of
 * two such numbers is checked for overflow first. The file is read through
 * a small source abstraction so that the byte-buffer entry point (fuzzed)
 * and the fd entry point run the very same code.
 */
#include "os/elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PGMASK ((uint64_t)ELF_PAGE_SIZE - 1)

/* Where the file's bytes come from: a buffer, or an fd read with pread. */
struct elf_src {
    const unsigned char *data;   /* NULL: read from fd */
    int fd;
    uint64_t size;
};

struct elf_ctx {
    const struct elf_src *src;
    char *err;
    size_t errlen;
};

static int fail(struct elf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct elf_ctx *c, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Copy n bytes at off; the caller has checked off + n <= size. */
static int src_read(struct elf_ctx *c, uint64_t off, void *buf, size_t n)
{
    const struct elf_src *s = c->src;
    if (s->data) {
        memcpy(buf, s->data + off, n);
        return 0;
    }
    unsigned char *p = buf;
    while (n) {
        ssize_t r = pread(s->fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return fail(c, "read error at byte 0x%" PRIx64 ": %s", off, strerror(errno));
        if (r == 0)
            return fail(c, "file shrank while being read (end of file at byte 0x%" PRIx64 ")", off);
        p += r, off += (uint64_t)r, n -= (size_t)r;
    }
    return 0;
}

static const char *machine_name(unsigned m)
{
    switch (m) {
    case EM_386:     return " (EM_386, 32-bit x86)";
    case EM_ARM:     return " (EM_ARM)";
    case EM_AARCH64: return " (EM_AARCH64)";
    case EM_PPC64:   return " (EM_PPC64)";
    case EM_S390:    return " (EM_S390)";
    case EM_MIPS:    return " (EM_MIPS)";
    default:         return "";
    }
}

static const char *type_name(unsigned t)
{
    switch (t) {
    case ET_NONE: return " (ET_NONE)";
    case ET_REL:  return " (ET_REL, a relocatable object file)";
    case ET_CORE: return " (ET_CORE, a core dump)";
    default:      return "";
    }
}

static void flags_str(uint32_t f, char buf[4])
{
    buf[0] = f & PF_R ? 'R' : '-';
    buf[1] = f & PF_W ? 'W' : '-';
    buf[2] = f & PF_X ? 'X' : '-';
    buf[3] = 0;
}

/* The ELF header: identification, type, machine, program header table. */
static int check_header(struct elf_ctx *c, Elf64_Ehdr *eh)
{
    uint64_t size = c->src->size;
    unsigned char id[EI_NIDENT] = { 0 };
    size_t have = size < sizeof id ? (size_t)size : sizeof id;
    if (src_read(c, 0, id, have))
        return -1;
    if (have < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0)
        return fail(c, "not an ELF file: bytes 0-3 are not 7f 45 4c 46 (\"\\177ELF\")");
    if (have < EI_NIDENT)
        return fail(c, "truncated ELF header: the file is %" PRIu64 " bytes", size);
    if (id[EI_CLASS] != ELFCLASS64)
        return fail(c, "e_ident[EI_CLASS] (byte 4) is %u%s: only 64-bit ELF (ELFCLASS64) is supported",
                    id[EI_CLASS], id[EI_CLASS] == ELFCLASS32 ? " (ELFCLASS32)" : "");
    if (id[EI_DATA] != ELFDATA2LSB)
        return fail(c, "e_ident[EI_DATA] (byte 5) is %u%s: only little-endian ELF (ELFDATA2LSB) is supported",
                    id[EI_DATA], id[EI_DATA] == ELFDATA2MSB ? " (big-endian)" : "");
    if (id[EI_VERSION] != EV_CURRENT)
        return fail(c, "e_ident[EI_VERSION] (byte 6) is %u: expected EV_CURRENT (1)", id[EI_VERSION]);
    if (size < sizeof *eh)
        return fail(c, "truncated ELF header: the file is %" PRIu64 " bytes, the ELF64 header needs %zu",
                    size, sizeof *eh);
    if (src_read(c, 0, eh, sizeof *eh))
        return -1;
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return fail(c, "e_type (byte 16) is %u%s: only executables (ET_EXEC, ET_DYN) can be loaded",
                    eh->e_type, type_name(eh->e_type));
    if (eh->e_machine != EM_X86_64 && eh->e_machine != EM_RISCV)
        return fail(c, "e_machine (byte 18) is %u%s: only EM_X86_64 (62) and EM_RISCV (243) are supported",
                    eh->e_machine, machine_name(eh->e_machine));
    if (eh->e_version != EV_CURRENT)
        return fail(c, "e_version (byte 20) is %u: expected EV_CURRENT (1)", eh->e_version);
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return fail(c, "e_phentsize (byte 54) is %u: an ELF64 program header is %zu bytes",
                    eh->e_phentsize, sizeof(Elf64_Phdr));
    if (eh->e_phnum == PN_XNUM)
        return fail(c, "e_phnum (byte 56) is 0xffff (PN_XNUM: count kept in section header 0): not supported");
    if (eh->e_phnum == 0)
        return fail(c, "e_phnum (byte 56) is 0: no program headers, nothing to load");
    if (eh->e_phnum > ELF_MAX_PHNUM)
        return fail(c, "e_phnum (byte 56) is %u: more than %u program headers", eh->e_phnum, ELF_MAX_PHNUM);
    uint64_t table = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    if (eh->e_phoff > size || table > size - eh->e_phoff)
        return fail(c, "program header table (e_phoff 0x%" PRIx64 ", %u entries of %zu bytes) "
                    "runs past the end of the file (0x%" PRIx64 " bytes)",
                    eh->e_phoff, eh->e_phnum, sizeof(Elf64_Phdr), size);
    return 0;
}

/* PT_INTERP: always refused; name the interpreter if the file says it. */
static int refuse_interp(struct elf_ctx *c, unsigned i, const Elf64_Phdr *ph)
{
    char name[128] = "";
    uint64_t size = c->src->size;
    if (ph->p_offset <= size && ph->p_filesz <= size - ph->p_offset && ph->p_filesz > 1) {
        size_t n = ph->p_filesz < sizeof name ? (size_t)ph->p_filesz : sizeof name - 1;
        if (src_read(c, ph->p_offset, name, n))
            return -1;
        name[n] = 0;
        for (size_t k = 0; name[k]; k++)
            if (name[k] < 0x20 || name[k] > 0x7e)
                name[k] = '?';
    }
    if (name[0])
        return fail(c, "program header %u: PT_INTERP requests the dynamic linker \"%s\": "
                    "vmlab loads static executables only (no dynamic linker)", i, name);
    return fail(c, "program header %u: PT_INTERP requests a dynamic linker: "
                "vmlab loads static executables only (no dynamic linker)", i);
}

/* One PT_LOAD: validate it against the file, the address space and the
 * segments before it, then record its page-level mapping. */
static int add_load(struct elf_ctx *c, unsigned i, const Elf64_Phdr *ph, uint64_t user_top,
                    bool is_dyn, bool defer, struct elf_image *out, unsigned phidx[])
{
    uint64_t size = c->src->size;
    if (ph->p_memsz == 0)
        return fail(c, "program header %u: PT_LOAD with p_memsz 0 (an empty segment)", i);
    if (ph->p_filesz > ph->p_memsz)
        return fail(c, "program header %u: p_filesz 0x%" PRIx64 " exceeds p_memsz 0x%" PRIx64,
                    i, ph->p_filesz, ph->p_memsz);
    if ((ph->p_offset & PGMASK) != (ph->p_vaddr & PGMASK))
        return fail(c, "program header %u: p_offset 0x%" PRIx64 " and p_vaddr 0x%" PRIx64
                    " disagree modulo the page size", i, ph->p_offset, ph->p_vaddr);
    if (ph->p_offset > size)
        return fail(c, "program header %u: p_offset 0x%" PRIx64 " is past the end of the file (0x%" PRIx64
                    " bytes)", i, ph->p_offset, size);
    if (ph->p_filesz > size - ph->p_offset)
        return fail(c, "program header %u: file bytes [0x%" PRIx64 ", 0x%" PRIx64 ") run past the end "
                    "of the file (0x%" PRIx64 " bytes)", i, ph->p_offset, ph->p_offset + ph->p_filesz, size);
    /* The page-rounded end must be representable: p_vaddr + p_memsz + 4095. */
    if (ph->p_memsz > UINT64_MAX - PGMASK - ph->p_vaddr)
        return fail(c, "program header %u: p_vaddr 0x%" PRIx64 " + p_memsz 0x%" PRIx64
                    " wraps around the address space", i, ph->p_vaddr, ph->p_memsz);
    uint64_t start = ph->p_vaddr & ~PGMASK;
    uint64_t end = (ph->p_vaddr + ph->p_memsz + PGMASK) & ~PGMASK;
    if (start == 0 && !defer)
        return fail(c, "program header %u: p_vaddr 0x%" PRIx64 " maps page 0, which stays unmapped so "
                    "that null pointers fault%s", i, ph->p_vaddr,
                    is_dyn ? " (a position-independent executable linked at 0 needs a load bias; "
                             "vmlab loads ET_DYN at its linked addresses)" : "");
    if (end > user_top && !defer)
        return fail(c, "program header %u: pages [0x%" PRIx64 ", 0x%" PRIx64 ") reach user_top 0x%" PRIx64
                    " (kernel space)", i, start, end, user_top);
    for (unsigned k = 0; k < out->nsegments; k++) {
        const struct elf_segment *o = &out->seg[k];
        if (start < o->vaddr + o->mem_bytes && o->vaddr < end)
            return fail(c, "program header %u: pages [0x%" PRIx64 ", 0x%" PRIx64 ") overlap pages [0x%" PRIx64
                        ", 0x%" PRIx64 ") of program header %u (segments sharing a page are not merged)",
                        i, start, end, o->vaddr, o->vaddr + o->mem_bytes, phidx[k]);
    }
    if (out->nsegments == ELF_MAX_SEGMENTS)
        return fail(c, "program header %u: more than %u PT_LOAD segments", i, ELF_MAX_SEGMENTS);

    /* As load_segment: the first page starts page_offset bytes before
     * p_vaddr, and those bytes come from the file too. */
    uint64_t page_offset = ph->p_vaddr & PGMASK;
    struct elf_segment *s = &out->seg[out->nsegments];
    phidx[out->nsegments] = i;
    s->vaddr = start;
    s->mem_bytes = end - start;
    s->file_offset = ph->p_offset & ~PGMASK;
    s->read_bytes = ph->p_filesz ? page_offset + ph->p_filesz : 0;
    s->readable = ph->p_flags & PF_R;
    s->writable = ph->p_flags & PF_W;
    s->executable = ph->p_flags & PF_X;
    out->nsegments++;
    return 0;
}

/* e_entry must lie in [p_vaddr, p_vaddr + p_memsz) of an executable PT_LOAD. */
static int check_entry(struct elf_ctx *c, const Elf64_Ehdr *eh, const Elf64_Phdr *loads, unsigned n,
                       const unsigned phidx[])
{
    int in_other = -1;
    for (unsigned k = 0; k < n; k++) {
        const Elf64_Phdr *ph = &loads[k];
        if (eh->e_entry >= ph->p_vaddr && eh->e_entry - ph->p_vaddr < ph->p_memsz) {
            if (ph->p_flags & PF_X)
                return 0;
            in_other = (int)k;
        }
    }
    if (in_other >= 0) {
        char f[4];
        flags_str(loads[in_other].p_flags, f);
        return fail(c, "e_entry 0x%" PRIx64 " lies in program header %u, which is not executable (flags %s)",
                    eh->e_entry, phidx[in_other], f);
    }
    return fail(c, "e_entry 0x%" PRIx64 " is not inside any executable PT_LOAD segment", eh->e_entry);
}

static int parse(struct elf_ctx *c, uint64_t user_top, unsigned flags, struct elf_image *out)
{
    Elf64_Ehdr eh;
    memset(out, 0, sizeof *out);
    if (c->err && c->errlen)
        c->err[0] = 0;
    if (check_header(c, &eh))
        return -1;
    Elf64_Phdr loads[ELF_MAX_SEGMENTS];
    unsigned phidx[ELF_MAX_SEGMENTS];
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (src_read(c, eh.e_phoff + (uint64_t)i * sizeof ph, &ph, sizeof ph))
            return -1;
        switch (ph.p_type) {
        case PT_LOAD:
            if (add_load(c, i, &ph, user_top, eh.e_type == ET_DYN,
                         eh.e_type == ET_DYN && (flags & ELF_DEFER_DYN), out, phidx))
                return -1;
            loads[out->nsegments - 1] = ph;
            break;
        case PT_PHDR:
            out->phdr = ph.p_vaddr;
            break;
        case PT_INTERP:
            return refuse_interp(c, i, &ph);
        case PT_SHLIB:
            return fail(c, "program header %u: PT_SHLIB (reserved, meaning unspecified) is refused", i);
        default:
            /* PT_NULL, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_STACK, PT_GNU_RELRO,
             * PT_GNU_EH_FRAME, PT_GNU_PROPERTY, processor-specific types,
             * and PT_DYNAMIC: without PT_INTERP only a self-relocating
             * (static-pie) program carries it, and it needs nothing here. */
            break;
        }
    }
    if (out->nsegments == 0)
        return fail(c, "no PT_LOAD program header: nothing to load");
    if (check_entry(c, &eh, loads, out->nsegments, phidx))
        return -1;
    out->machine = eh.e_machine;
    out->type = eh.e_type;
    out->entry = eh.e_entry;
    out->phnum = eh.e_phnum;
    out->phentsize = eh.e_phentsize;
    /* AT_PHDR: PT_PHDR says where the table is; otherwise the PT_LOAD that
     * holds its file bytes maps it (0 if none does) */
    for (unsigned k = 0; !out->phdr && k < out->nsegments; k++)
        if (eh.e_phoff >= loads[k].p_offset &&
            eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize <= loads[k].p_offset + loads[k].p_filesz)
            out->phdr = loads[k].p_vaddr + (eh.e_phoff - loads[k].p_offset);
    return 0;
}

int elf_relocate(struct elf_image *img, uint64_t bias, uint64_t user_top, char *err, size_t errlen)
{
    for (unsigned k = 0; k < img->nsegments; k++) {
        struct elf_segment *s = &img->seg[k];
        uint64_t start = s->vaddr + bias, end = start + s->mem_bytes;
        if (start < s->vaddr || end < start || end > user_top) {
            snprintf(err, errlen, "PT_LOAD %u at 0x%" PRIx64 " + load bias 0x%" PRIx64
                     " does not fit below user_top 0x%" PRIx64, k, s->vaddr, bias, user_top);
            return -1;
        }
        if (start == 0) {
            snprintf(err, errlen, "PT_LOAD %u maps page 0 (load bias 0x%" PRIx64 "), which stays "
                     "unmapped so that null pointers fault", k, bias);
            return -1;
        }
    }
    for (unsigned k = 0; k < img->nsegments; k++)
        img->seg[k].vaddr += bias;
    img->entry += bias;
    if (img->phdr)
        img->phdr += bias;
    return 0;
}

int elf_parse(const void *data, size_t len, uint64_t user_top, struct elf_image *out, char *err, size_t errlen)
{
    struct elf_src src = { .data = data ? data : (const void *)"", .fd = -1, .size = data ? len : 0 };
    struct elf_ctx c = { .src = &src, .err = err, .errlen = errlen };
    return parse(&c, user_top, 0, out);
}

int elf_parse_fd(int fd, uint64_t user_top, struct elf_image *out, char *err, size_t errlen)
{
    return elf_parse_fd_flags(fd, user_top, 0, out, err, errlen);
}

int elf_parse_fd_flags(int fd, uint64_t user_top, unsigned flags, struct elf_image *out, char *err,
                       size_t errlen)
{
    struct elf_src src = { .data = NULL, .fd = fd };
    struct elf_ctx c = { .src = &src, .err = err, .errlen = errlen };
    struct stat st;
    memset(out, 0, sizeof *out);
    if (fstat(fd, &st) != 0)
        return fail(&c, "cannot stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail(&c, "not a regular file");
    src.size = (uint64_t)st.st_size;
    return parse(&c, user_top, flags, out);
}

int elf_parse_file(const char *path, uint64_t user_top, struct elf_image *out, char *err, size_t errlen)
{
    char msg[512] = "";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        memset(out, 0, sizeof *out);
        snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
    }
    int r = fd < 0 ? -1 : elf_parse_fd(fd, user_top, out, msg, sizeof msg);
    if (fd >= 0)
        close(fd);
    if (r != 0 && err && errlen)
        snprintf(err, errlen, "%s: %s", path, msg);
    return r;
}

int elf_read_page(int fd, const struct elf_segment *s, uint64_t index, void *page)
{
    uint64_t off;
    uint64_t n = elf_page_file_bytes(s, index, &off);
    unsigned char *p = page;
    uint64_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, p + done, (size_t)(n - done), (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -EIO;
        done += (uint64_t)r;
    }
    memset(p + n, 0, ELF_PAGE_SIZE - n);
    return 0;
}
