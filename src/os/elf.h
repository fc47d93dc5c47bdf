/* elf.h — parse and validate an ELF64 executable for lazy loading.
 *
 * elf_parse reads the ELF header and program header table and turns every
 * PT_LOAD into one page-aligned mapping, as PintOS's load_segment sees it:
 * the kernel creates uninit pages over [vaddr, vaddr + mem_bytes) whose
 * initializer reads read_bytes from the file starting at file_offset (page
 * by page: page k gets bytes file_offset + k*4096 ... of the first
 * read_bytes) and zero-fills the rest of mem_bytes.
 *
 * Accepted: 64-bit little-endian, EV_CURRENT, ET_EXEC or ET_DYN (loaded at
 * its linked addresses: no load bias is applied), EM_X86_64 or EM_RISCV.
 * Rejected with a message naming the header field or program header and its
 * values: everything listed in docs/elf.md (bad magic/class/data/version/
 * type/machine, program header table out of the file, PT_LOAD misaligned,
 * out of the file, empty, wrapping, at page 0, reaching user_top,
 * overlapping another PT_LOAD after page rounding, PT_INTERP, PT_SHLIB, an
 * entry point outside every executable segment).
 *
 * The parse never touches memory outside [data, data + len) and never
 * allocates; it is safe on arbitrary bytes.
 */
#ifndef VMLAB_OS_ELF_H
#define VMLAB_OS_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 64
#define ELF_PAGE_SIZE 4096u
#define ELF_MAX_PHNUM 1024u    /* larger tables are refused, as PintOS does */

struct elf_segment {
    uint64_t vaddr;        /* page-aligned start of the mapping (p_vaddr rounded down) */
    uint64_t mem_bytes;    /* page-aligned length of the mapping */
    uint64_t file_offset;  /* file offset of the first byte of the first page (page-aligned) */
    uint64_t read_bytes;   /* bytes to read from the file starting at file_offset; the rest of mem_bytes is zero */
    bool writable, executable, readable;
};

struct elf_image {
    uint16_t machine;      /* EM_X86_64 (62) or EM_RISCV (243) */
    uint16_t type;         /* ET_EXEC (2) or ET_DYN (3) */
    uint64_t entry;
    uint64_t phdr;         /* where the program headers are in memory (AT_PHDR): PT_PHDR's
                              p_vaddr, or inside the PT_LOAD holding them; 0 if unmapped */
    uint16_t phnum, phentsize;
    unsigned nsegments;
    struct elf_segment seg[ELF_MAX_SEGMENTS];   /* in program header order */
};

/* Parse an ELF file given as bytes (for fuzzing) or from an open fd (read
 * with pread, so the file offset does not move; only the headers are read,
 * the file size bounds the rest).
 * user_top: addresses at or above it are kernel space and rejected.
 * Returns 0, or -1 with a message in err naming the problem by header field
 * or program header index and file offset, e.g. "program header 3: p_offset
 * 0x1234 and p_vaddr 0x401000 disagree modulo the page size". The caller
 * prefixes the file name. */
int elf_parse(const void *data, size_t len, uint64_t user_top, struct elf_image *out, char *err, size_t errlen);
int elf_parse_fd(int fd, uint64_t user_top, struct elf_image *out, char *err, size_t errlen);

/* The same with flags: ELF_DEFER_DYN leaves an ET_DYN's page-0 and
 * user_top checks to elf_relocate (a static PIE gets a load bias first). */
#define ELF_DEFER_DYN 1u
int elf_parse_fd_flags(int fd, uint64_t user_top, unsigned flags, struct elf_image *out, char *err,
                       size_t errlen);
/* Move every segment, the entry and phdr by bias (page-aligned), checking
 * that no page is page 0 or at or above user_top. 0, or -1 and a message. */
int elf_relocate(struct elf_image *img, uint64_t bias, uint64_t user_top, char *err, size_t errlen);

/* The same, opening `path` itself; messages start with "path: ". */
int elf_parse_file(const char *path, uint64_t user_top, struct elf_image *out, char *err, size_t errlen);

/* Page `index` of a segment (0 .. mem_bytes/4096 - 1), as load_segment fills
 * it: how many bytes come from the file (0 .. 4096) and from which offset;
 * the rest of the page is zero. */
static inline uint64_t elf_page_file_bytes(const struct elf_segment *s, uint64_t index, uint64_t *file_offset)
{
    uint64_t at = index * ELF_PAGE_SIZE;
    *file_offset = s->file_offset + at;
    if (at >= s->read_bytes)
        return 0;
    return s->read_bytes - at < ELF_PAGE_SIZE ? s->read_bytes - at : ELF_PAGE_SIZE;
}

/* The lazy-load initializer's work for one page: pread its file bytes from
 * fd (retrying EINTR and short reads) and zero the rest of the 4096-byte
 * page. 0, -errno from pread, or -EIO if the file ended early (it shrank
 * after elf_parse_fd). */
int elf_read_page(int fd, const struct elf_segment *s, uint64_t index, void *page);

#endif
